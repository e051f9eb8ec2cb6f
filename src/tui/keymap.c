/* keymap.c: the key table: actions, their names, keys and help; rebinding from the config. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui-int.h"

#define CTRL(c)	((c) & 0x1f)

/*
 * Every action with its context, default keys and help. The help view and
 * the manual's key list are generated from this table; [keys] in the config
 * file replaces an action's keys by name ("reply = r R").
 */
const struct keymap_entry keymap_table[] = {
	{ ACT_DOWN, "down", CTX_GLOBAL, "j <Down> ^N", N_("Move down") },
	{ ACT_UP, "up", CTX_GLOBAL, "k <Up> ^P", N_("Move up") },
	{ ACT_PAGE_DOWN, "page-down", CTX_GLOBAL, "<PgDn> <Space> ^F ^D",
	  N_("Move down a page") },
	{ ACT_PAGE_UP, "page-up", CTX_GLOBAL, "<PgUp> b ^B ^U",
	  N_("Move up a page") },
	{ ACT_TOP, "top", CTX_GLOBAL, "g <Home>", N_("Go to the top") },
	{ ACT_BOTTOM, "bottom", CTX_GLOBAL, "G <End>",
	  N_("Go to the bottom") },
	{ ACT_OPEN, "open", CTX_GLOBAL, "<Enter> <Right>",
	  N_("Open the selected item") },
	{ ACT_BACK, "back", CTX_GLOBAL, "q <Left>",
	  N_("Go back; quit from the queue") },
	{ ACT_QUIT, "quit", CTX_GLOBAL, "Q", N_("Quit triage") },
	{ ACT_HELP, "help", CTX_GLOBAL, "? <F1>", N_("Show the keys") },
	{ ACT_COMMAND, "command", CTX_GLOBAL, ":",
	  N_("Run a command (:status solved, :view Pending, :q)") },
	{ ACT_SEARCH, "search", CTX_GLOBAL, "/",
	  N_("Search tickets, messages, customers, orders") },
	{ ACT_OUTBOX, "outbox", CTX_GLOBAL, "O",
	  N_("Show changes waiting for the server") },
	{ ACT_DASHBOARD, "dashboard", CTX_GLOBAL, "D",
	  N_("Show the dashboard: open tickets, SLA, times, load") },
	{ ACT_REDRAW, "redraw", CTX_GLOBAL, "^L", N_("Redraw the screen") },
	{ ACT_NOTIFICATIONS, "notifications", CTX_GLOBAL, "!",
	  N_("Show your notifications") },

	{ ACT_LIMIT, "limit", CTX_QUEUE, "l",
	  N_("Limit the queue with a query") },
	{ ACT_SORT, "sort", CTX_QUEUE, "o",
	  N_("Sort by SLA, updated, priority, number") },
	{ ACT_JUMP, "jump", CTX_QUEUE, "#", N_("Jump to a ticket number") },
	{ ACT_MARK, "mark", CTX_QUEUE, "t", N_("Mark or unmark a ticket") },
	{ ACT_MARK_CLEAR, "unmark-all", CTX_QUEUE, "T",
	  N_("Unmark every ticket") },
	{ ACT_BULK, "bulk", CTX_QUEUE, ";",
	  N_("Apply an action to the marked tickets") },
	{ ACT_VIEW_NEXT, "view-next", CTX_QUEUE, "<Tab>",
	  N_("Next saved view") },
	{ ACT_VIEW_PREV, "view-prev", CTX_QUEUE, "<BTab>",
	  N_("Previous saved view") },
	{ ACT_VIEW_1, "view-1", CTX_QUEUE, "1", N_("Saved view 1") },
	{ ACT_VIEW_2, "view-2", CTX_QUEUE, "2", N_("Saved view 2") },
	{ ACT_VIEW_3, "view-3", CTX_QUEUE, "3", N_("Saved view 3") },
	{ ACT_VIEW_4, "view-4", CTX_QUEUE, "4", N_("Saved view 4") },
	{ ACT_VIEW_5, "view-5", CTX_QUEUE, "5", N_("Saved view 5") },
	{ ACT_VIEW_6, "view-6", CTX_QUEUE, "6", N_("Saved view 6") },
	{ ACT_VIEW_7, "view-7", CTX_QUEUE, "7", N_("Saved view 7") },
	{ ACT_VIEW_8, "view-8", CTX_QUEUE, "8", N_("Saved view 8") },
	{ ACT_VIEW_9, "view-9", CTX_QUEUE, "9", N_("Saved view 9") },

	{ ACT_REPLY, "reply", CTX_GLOBAL, "r", N_("Reply to the customer") },
	{ ACT_NOTE, "note", CTX_GLOBAL, "i",
	  N_("Write an internal note") },
	{ ACT_STATUS, "status", CTX_GLOBAL, "s", N_("Set the status") },
	{ ACT_PRIORITY, "priority", CTX_GLOBAL, "p",
	  N_("Set the priority") },
	{ ACT_ASSIGN, "assign", CTX_GLOBAL, "a",
	  N_("Assign to an agent (email, me, none)") },
	{ ACT_ASSIGN_ME, "assign-me", CTX_GLOBAL, "m",
	  N_("Assign to me") },
	{ ACT_TEAM, "team", CTX_GLOBAL, "A", N_("Set the team") },
	{ ACT_CATEGORY, "category", CTX_GLOBAL, "c",
	  N_("Set the category") },
	{ ACT_TAGS, "tags", CTX_GLOBAL, "+",
	  N_("Change tags (+add -remove)") },
	{ ACT_MACRO, "macro", CTX_GLOBAL, "M",
	  N_("Reply with a macro from the playbook (its actions too)") },

	{ ACT_NEXT_MESSAGE, "next-message", CTX_TICKET, "n ]",
	  N_("Next message") },
	{ ACT_PREV_MESSAGE, "prev-message", CTX_TICKET, "N [",
	  N_("Previous message") },
	{ ACT_EVENTS, "events", CTX_TICKET, "e",
	  N_("Show or hide the audit trail") },
	{ ACT_ATTACHMENTS, "attachments", CTX_TICKET, "f",
	  N_("Show or hide the attachments") },
	{ ACT_CUSTOMER, "customer", CTX_TICKET, "C",
	  N_("Customer 360: profile, orders, tickets") },

	{ ACT_RETRY, "retry", CTX_OUTBOX, "R",
	  N_("Retry the selected change") },
	{ ACT_DISCARD, "discard", CTX_OUTBOX, "d",
	  N_("Discard the selected change and undo it locally") },
	{ ACT_EDIT, "edit", CTX_OUTBOX, "e",
	  N_("Edit a refused or conflicting reply and send it again") },
	{ ACT_MARK_READ, "read", CTX_NOTIFY, "x",
	  N_("Mark the selected notification read") },
	{ ACT_MARK_ALL_READ, "read-all", CTX_NOTIFY, "X",
	  N_("Mark every notification read") },
	{ ACT_NONE, NULL, CTX_GLOBAL, NULL, NULL }
};

static const char *const keymap_ctx_names[CTX_COUNT] = {
	N_("global"), N_("queue"), N_("ticket"), N_("customer"), N_("search"),
	N_("outbox"), N_("help"), N_("notifications")
};

struct keymap_binding {
	enum tui_ctx	 ctx;
	wint_t		 key;
	int		 code;		/* a curses KEY_* code, not a character */
	enum tui_action	 action;
};

/* The live bindings: the table's defaults with the config's changes. */
static struct keymap_binding	*bindings;
static size_t			 nbindings;

static const struct {
	const char	*name;
	wint_t		 key;
	int		 code;
} keymap_names[] = {
	{ "<Enter>", KEY_ENTER, 1 }, { "<Enter>", '\r', 0 },
	{ "<Enter>", '\n', 0 }, { "<Esc>", 0x1b, 0 }, { "<Tab>", '\t', 0 },
	{ "<BTab>", KEY_BTAB, 1 }, { "<Space>", ' ', 0 },
	{ "<Up>", KEY_UP, 1 }, { "<Down>", KEY_DOWN, 1 },
	{ "<Left>", KEY_LEFT, 1 }, { "<Right>", KEY_RIGHT, 1 },
	{ "<PgUp>", KEY_PPAGE, 1 }, { "<PgDn>", KEY_NPAGE, 1 },
	{ "<Home>", KEY_HOME, 1 }, { "<End>", KEY_END, 1 },
	{ "<BS>", KEY_BACKSPACE, 1 }, { "<Del>", KEY_DC, 1 },
	{ "<F1>", KEY_F(1), 1 }, { "<F2>", KEY_F(2), 1 },
	{ "<F3>", KEY_F(3), 1 }, { "<F4>", KEY_F(4), 1 },
	{ "<F5>", KEY_F(5), 1 },
};

/* The name of a context. */
const char *
keymap_ctx_name(enum tui_ctx c)
{
	return (_(keymap_ctx_names[c]));
}

/* Parse one key name ("j", "^D", "<PgDn>"); -1 if unknown. */
static int
keymap_parse_key(const char *s, wint_t *key, int *code, int *more)
{
	size_t		 i;
	uint32_t	 c;
	int		 n;

	*more = 0;
	if (s[0] == '^' && s[1] != '\0' && s[2] == '\0') {
		*key = (wint_t)CTRL(s[1]);
		*code = 0;
		return (0);
	}
	for (i = 0; i < nitems(keymap_names); i++) {
		if (strcasecmp(s, keymap_names[i].name) == 0) {
			*key = keymap_names[i].key;
			*code = keymap_names[i].code;
			/* <Enter> has three spellings: bind them all. */
			*more = i + 1 < nitems(keymap_names) &&
			    strcasecmp(keymap_names[i + 1].name, s) == 0;
			return ((int)i);
		}
	}
	n = utf8_decode(s, strlen(s), &c);
	if (c == UTF8_REPLACEMENT || s[n] != '\0')
		return (-1);
	*key = c;
	*code = 0;
	return (0);
}

static void
keymap_add(enum tui_ctx ctx, wint_t key, int code, enum tui_action a)
{
	bindings = xreallocarray(bindings, nbindings + 1, sizeof *bindings);
	bindings[nbindings].ctx = ctx;
	bindings[nbindings].key = key;
	bindings[nbindings].code = code;
	bindings[nbindings].action = a;
	nbindings++;
}

/* Bind a space-separated list of key names to an action. */
static int
keymap_bind(const struct keymap_entry *e, const char *keys, char **cause)
{
	char	*copy, *w, *save = NULL;
	wint_t	 key;
	int	 code, idx, more;

	copy = xstrdup(keys);
	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if ((idx = keymap_parse_key(w, &key, &code, &more)) < 0) {
			*cause = xprintf(_("unknown key \"%s\" for %s"), w,
			    e->name);
			free(copy);
			return (-1);
		}
		keymap_add(e->ctx, key, code, e->action);
		while (more) {
			idx++;
			keymap_add(e->ctx, keymap_names[idx].key,
			    keymap_names[idx].code, e->action);
			more = (size_t)idx + 1 < nitems(keymap_names) &&
			    strcasecmp(keymap_names[idx + 1].name,
			    keymap_names[idx].name) == 0;
		}
	}
	free(copy);
	return (0);
}

/*
 * Build the bindings: [keys] in the config replaces an action's default
 * keys. An unknown action or key name is an error naming it.
 */
int
keymap_init(struct config *cfg, char **cause)
{
	const struct keymap_entry	*e;
	const char			*name, *value, *keys;
	size_t				 i;
	int				 found;

	free(bindings);
	bindings = NULL;
	nbindings = 0;
	for (i = 0; cfg != NULL &&
	    config_entry(cfg, "keys", i, &name, &value) == 0; i++) {
		found = 0;
		for (e = keymap_table; e->name != NULL; e++)
			if (strcasecmp(e->name, name) == 0)
				found = 1;
		if (!found) {
			*cause = xprintf(_("config: [keys] unknown action "
			    "\"%s\""), name);
			return (-1);
		}
	}
	for (e = keymap_table; e->name != NULL; e++) {
		keys = cfg != NULL ? config_get(cfg, "keys", e->name) : NULL;
		if (keymap_bind(e, keys != NULL ? keys : e->keys, cause) != 0)
			return (-1);
	}
	return (0);
}

/* The action bound to a key in a view's context, else globally. */
enum tui_action
keymap_lookup(enum tui_ctx ctx, wint_t key, int code)
{
	size_t		 i;
	enum tui_action	 global = ACT_NONE;

	for (i = 0; i < nbindings; i++) {
		if (bindings[i].key != key || bindings[i].code != code)
			continue;
		if (bindings[i].ctx == ctx)
			return (bindings[i].action);
		if (bindings[i].ctx == CTX_GLOBAL && global == ACT_NONE)
			global = bindings[i].action;
	}
	return (global);
}

/* The keys bound to an action, for help ("j <Down>"). Caller frees. */
char *
keymap_keys(enum tui_action a, enum tui_ctx ctx)
{
	struct buf	 b = BUF_INIT;
	size_t		 i, j;
	char		 name[16];
	int		 n;

	for (i = 0; i < nbindings; i++) {
		if (bindings[i].action != a || bindings[i].ctx != ctx)
			continue;
		for (j = 0; j < nitems(keymap_names); j++)
			if (keymap_names[j].key == bindings[i].key &&
			    keymap_names[j].code == bindings[i].code)
				break;
		if (j < nitems(keymap_names)) {
			/* <Enter> is bound three ways; name it once. */
			if (j > 0 && strcmp(keymap_names[j - 1].name,
			    keymap_names[j].name) == 0)
				continue;
			snprintf(name, sizeof name, "%s", keymap_names[j].name);
		} else if (!bindings[i].code && bindings[i].key < 0x20)
			snprintf(name, sizeof name, "^%c",
			    (int)bindings[i].key + '@');
		else {
			n = utf8_encode((uint32_t)bindings[i].key, name);
			name[n] = '\0';
		}
		if (b.len > 0)
			buf_putc(&b, ' ');
		buf_puts(&b, name);
	}
	return (buf_detach(&b));
}

/*
 * Escape text for mdoc: backslashes, a leading dot or quote, and words that
 * are a single delimiter character ("; : [ ?"), which mdoc would eat.
 */
static void
keymap_mdoc_escape(FILE *f, const char *s)
{
	int	 start = 1;

	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (start && strchr("()[]|.,:;?!", *s) != NULL &&
		    (s[1] == ' ' || s[1] == '\0'))
			fputs("\\&", f);
		start = *s == ' ';
		if (*s == '\\')
			fputs("\\e", f);
		else
			fputc(*s, f);
	}
}

/*
 * Print the default key bindings, by context: as text, or (mdoc) as the
 * manual's KEYS section, which `make update-man` splices into triage.1
 * (and, run with LANGUAGE=de, into the German triage.1).
 */
int
tui_keys_print(FILE *f, int mdoc)
{
	const struct keymap_entry	*e;
	char				*keys, *cause = NULL;
	int				 c, any, w = 8;

	if (keymap_init(NULL, &cause) != 0) {
		fprintf(stderr, "triage: %s\n", cause);
		free(cause);
		return (-1);
	}
	/* The context column as wide as its longest name, in this language. */
	for (c = 0; c < CTX_COUNT; c++)
		if (sanitize_width_str(keymap_ctx_name(c),
		    strlen(keymap_ctx_name(c))) > w)
			w = sanitize_width_str(keymap_ctx_name(c),
			    strlen(keymap_ctx_name(c)));
	for (c = 0; c < CTX_COUNT; c++) {
		any = 0;
		for (e = keymap_table; e->name != NULL; e++) {
			if ((int)e->ctx != c)
				continue;
			keys = keymap_keys(e->action, e->ctx);
			if (mdoc) {
				if (!any)
					fprintf(f, ".Ss %s\n.Bl -tag -width "
					    "Ds\n", keymap_ctx_name(c));
				fputs(".It Ic ", f);
				keymap_mdoc_escape(f, keys);
				fprintf(f, " Pq %s\n", e->name);
				keymap_mdoc_escape(f, _(e->help));
				fputc('\n', f);
			} else
				fprintf(f, "%s%*s %-24s %-14s %s\n",
				    keymap_ctx_name(c), w - sanitize_width_str(
				    keymap_ctx_name(c), strlen(keymap_ctx_name(
				    c))), "", keys, e->name, _(e->help));
			any = 1;
			free(keys);
		}
		if (mdoc && any)
			fputs(".El\n", f);
	}
	return (0);
}
