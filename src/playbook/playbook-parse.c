/* playbook-parse.c: a macro's or article's header and body; variables. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "playbook.h"

/* The header keys each kind takes; macros' actions after title and tags. */
static const char *const pb_macro_keys[] = {
	"title", "tags", "status", "priority", "assign", "team", "category",
	NULL
};
static const char *const pb_article_keys[] = { "title", "tags", NULL };

const char *const playbook_var_names[PLAYBOOK_NVARS] = {
	"customer.name", "customer.first_name", "ticket.number",
	"ticket.subject", "order.last.number", "order.last.tracking",
	"order.last.carrier", "agent.name", "agent.signature"
};

void
playbook_item_free(struct playbook_item *it)
{
	free(it->path);
	free(it->name);
	free(it->title);
	free(it->tags);
	free(it->actions);
	free(it->body);
	memset(it, 0, sizeof *it);
}

static int
pb_key_known(enum playbook_kind kind, const char *key)
{
	const char *const	*k;

	for (k = kind == PLAYBOOK_MACRO ? pb_macro_keys : pb_article_keys;
	    *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return (1);
	return (0);
}

/*
 * A tags value's words as "a, b, c" (caller frees), counting the +tag and
 * -tag words (an action's) and the plain ones.
 */
static char *
pb_tags(const char *v, int *signed_words, int *plain_words)
{
	struct buf	 b = BUF_INIT;
	const char	*p = v;
	size_t		 n;

	*signed_words = *plain_words = 0;
	while (*p != '\0') {
		p += strspn(p, " \t,");
		if ((n = strcspn(p, " \t,")) == 0)
			break;
		if ((*p == '+' || *p == '-') && n > 1)
			(*signed_words)++;
		else
			(*plain_words)++;
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_append(&b, p, n);
		p += n;
	}
	return (buf_detach(&b));
}

/* Check an action's value; NULL if fine, else why not (static text). */
static const char *
pb_action_bad(const char *key, const char *value)
{
	if (strcmp(key, "status") == 0 && ticket_status_parse(value) < 0)
		return (_("unknown status"));
	if (strcmp(key, "priority") == 0 && ticket_priority_parse(value) < 0)
		return (_("unknown priority"));
	if (strcmp(key, "assign") == 0 && strcmp(value, "me") != 0 &&
	    strcmp(value, "none") != 0 && strchr(value, '@') == NULL)
		return (_("assign takes me, none or an agent's email"));
	return (NULL);
}

/*
 * Parse a file of kind at path: "key: value" lines, a blank line, the
 * body. 0 with *it filled, or -1 with one warning line naming the path
 * and line in warnings (and *it untouched).
 */
int
playbook_parse(enum playbook_kind kind, const char *path, const char *text,
    size_t len, struct playbook_item *it, struct buf *warnings)
{
	struct buf	 actions = BUF_INIT, line = BUF_INIT;
	char		*title = NULL, *tags = NULL, *key, *value, *end, *list;
	const char	*p = text, *eol, *why = NULL, *base;
	size_t		 n, body_at = len;
	int		 lineno = 0, nsigned, nplain, blank = 0;

	buf_putc(&actions, '[');
	while (p < text + len) {
		eol = memchr(p, '\n', (size_t)(text + len - p));
		n = eol != NULL ? (size_t)(eol - p) : (size_t)(text + len - p);
		lineno++;
		buf_reset(&line);
		buf_append(&line, p, n);
		if (line.len > 0 && line.data[line.len - 1] == '\r')
			buf_truncate(&line, line.len - 1);
		p += n + (eol != NULL);
		key = (char *)buf_cstr(&line);
		if (*key == '\0') {
			blank = 1;
			body_at = (size_t)(p - text);
			break;
		}
		if ((value = strchr(key, ':')) == NULL) {
			why = _("a header line is \"key: value\"; a blank "
			    "line ends the header");
			goto bad;
		}
		*value++ = '\0';
		value += strspn(value, " \t");
		for (end = value + strlen(value); end > value &&
		    isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		for (end = key; *end != '\0'; end++)
			*end = (char)tolower((unsigned char)*end);
		if (!pb_key_known(kind, key)) {
			why = kind == PLAYBOOK_MACRO ? _("unknown header key "
			    "(title, tags, status, priority, assign, team, "
			    "category)") : _("unknown header key (title, "
			    "tags)");
			goto bad;
		}
		if (*value == '\0') {
			why = _("a header key without a value");
			goto bad;
		}
		if (strcmp(key, "title") == 0) {
			free(title);
			title = xstrdup(value);
			continue;
		}
		nsigned = nplain = 0;
		if (strcmp(key, "tags") == 0) {
			list = pb_tags(value, &nsigned, &nplain);
			/* An article's tags are its own, whatever they say. */
			if (kind == PLAYBOOK_ARTICLE || nsigned == 0) {
				free(tags);
				tags = list;
				continue;
			}
			free(list);
		}
		if (nsigned > 0 && nplain > 0) {
			why = _("tags: either the macro's own tags, or +tag "
			    "and -tag changes, not both on one line");
			goto bad;
		}
		if ((why = pb_action_bad(key, value)) != NULL)
			goto bad;
		buf_printf(&actions, "%s[", actions.len > 1 ? "," : "");
		buf_json_string(&actions, key);
		buf_putc(&actions, ',');
		buf_json_string(&actions, value);
		buf_putc(&actions, ']');
	}
	if (title == NULL) {
		lineno = 1;
		why = _("no title in the header");
		goto bad;
	}
	if (!blank) {
		why = _("no blank line after the header, so no body");
		goto bad;
	}
	/* (text is len bytes, not a C string: a blob from git.) */
	for (n = body_at; n < len && strchr(" \t\r\n", text[n]) != NULL &&
	    text[n] != '\0'; n++)
		;
	if (n == len) {
		why = _("an empty body");
		goto bad;
	}
	buf_putc(&actions, ']');

	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->path = xstrdup(path);
	base = strchr(path, '/') != NULL ? strchr(path, '/') + 1 : path;
	it->name = xstrndup(base, strlen(base) - 3);	/* without ".md" */
	it->title = title;
	it->tags = tags != NULL ? tags : xstrdup("");
	it->actions = buf_detach(&actions);
	it->body = xstrndup(text + body_at, len - body_at);
	/* Trailing blank lines are the file's, not the reply's. */
	for (n = strlen(it->body); n > 0 && (it->body[n - 1] == '\n' ||
	    it->body[n - 1] == '\r' || it->body[n - 1] == ' '); n--)
		it->body[n - 1] = '\0';
	buf_free(&line);
	return (0);
bad:
	buf_printf(warnings, "%s:%d: %s: skipped\n", path, lineno, why);
	free(title);
	free(tags);
	buf_free(&actions);
	buf_free(&line);
	return (-1);
}

/*
 * body with each {{ name }} of vars replaced by its value. A name not in
 * vars stays as written and goes on a line of unknown (if not NULL).
 * Caller frees.
 */
char *
playbook_render(const char *body, const struct playbook_var *vars,
    size_t nvars, struct buf *unknown)
{
	struct buf	 out = BUF_INIT;
	const char	*p = body, *open, *close, *s, *e;
	size_t		 i;

	while ((open = strstr(p, "{{")) != NULL &&
	    (close = strstr(open + 2, "}}")) != NULL) {
		buf_append(&out, p, (size_t)(open - p));
		for (s = open + 2; s < close && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = close; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		for (i = 0; i < nvars; i++)
			if (strlen(vars[i].name) == (size_t)(e - s) &&
			    strncmp(vars[i].name, s, (size_t)(e - s)) == 0)
				break;
		if (i < nvars) {
			if (vars[i].value != NULL)
				buf_puts(&out, vars[i].value);
		} else {
			buf_append(&out, open, (size_t)(close + 2 - open));
			if (unknown != NULL) {
				buf_append(unknown, s, (size_t)(e - s));
				buf_putc(unknown, '\n');
			}
		}
		p = close + 2;
	}
	buf_puts(&out, p);
	return (buf_detach(&out));
}
