/* theme.c: colours and attributes per screen element, from the config or defaults. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui-int.h"

struct theme_elem {
	const char	*name;
	short		 fg, bg;
	attr_t		 attr;		/* with colour */
	attr_t		 mono;		/* without colour (NO_COLOR, vt100) */
};

/* -1 is the terminal's default colour. */
static struct theme_elem theme[EL_COUNT] = {
	[EL_NORMAL] = { "normal", -1, -1, A_NORMAL, A_NORMAL },
	[EL_TITLE] = { "title", COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE },
	[EL_TITLE_ACTIVE] = { "title-active", COLOR_YELLOW, COLOR_BLUE, A_BOLD,
	    A_REVERSE | A_BOLD },
	[EL_STATUS] = { "status", COLOR_WHITE, COLOR_BLUE, A_NORMAL,
	    A_REVERSE },
	[EL_MESSAGE] = { "message", -1, -1, A_NORMAL, A_NORMAL },
	[EL_ERROR] = { "error", COLOR_RED, -1, A_BOLD, A_BOLD },
	[EL_CURSOR] = { "cursor", COLOR_BLACK, COLOR_CYAN, A_NORMAL,
	    A_REVERSE },
	[EL_MARKED] = { "marked", COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[EL_HEADER] = { "header", -1, -1, A_BOLD, A_BOLD },
	[EL_LABEL] = { "label", COLOR_CYAN, -1, A_NORMAL, A_DIM },
	[EL_DIM] = { "dim", -1, -1, A_DIM, A_DIM },
	[EL_PENDING] = { "pending", COLOR_YELLOW, COLOR_BLUE, A_BOLD,
	    A_REVERSE | A_BOLD },
	[EL_REJECTED] = { "rejected", COLOR_WHITE, COLOR_RED, A_BOLD,
	    A_REVERSE | A_BOLD },
	[EL_PRIO_LOW] = { "priority-low", -1, -1, A_DIM, A_DIM },
	[EL_PRIO_NORMAL] = { "priority-normal", -1, -1, A_NORMAL, A_NORMAL },
	[EL_PRIO_HIGH] = { "priority-high", COLOR_YELLOW, -1, A_NORMAL,
	    A_BOLD },
	[EL_PRIO_URGENT] = { "priority-urgent", COLOR_RED, -1, A_BOLD,
	    A_BOLD | A_UNDERLINE },
	[EL_SLA_OK] = { "sla-ok", COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[EL_SLA_SOON] = { "sla-soon", COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[EL_SLA_BREACHED] = { "sla-breached", COLOR_WHITE, COLOR_RED, A_BOLD,
	    A_REVERSE | A_BOLD },
	[EL_CUSTOMER] = { "customer", COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[EL_AGENT] = { "agent", COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[EL_NOTE] = { "note", COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE },
	[EL_SYSTEM] = { "system", -1, -1, A_DIM, A_DIM },
	[EL_MATCH] = { "match", COLOR_BLACK, COLOR_YELLOW, A_NORMAL,
	    A_REVERSE },
};

static int	theme_color;

static const struct {
	const char	*name;
	short		 color;
} theme_colors[] = {
	{ "default", -1 }, { "black", COLOR_BLACK }, { "red", COLOR_RED },
	{ "green", COLOR_GREEN }, { "yellow", COLOR_YELLOW },
	{ "blue", COLOR_BLUE }, { "magenta", COLOR_MAGENTA },
	{ "cyan", COLOR_CYAN }, { "white", COLOR_WHITE },
};

static const struct {
	const char	*name;
	attr_t		 attr;
} theme_attrs[] = {
	{ "normal", A_NORMAL }, { "bold", A_BOLD }, { "dim", A_DIM },
	{ "underline", A_UNDERLINE }, { "reverse", A_REVERSE },
	{ "standout", A_STANDOUT }, { "blink", A_BLINK },
};

/* The name of an element, as the config's [colors] section uses it. */
const char *
theme_elem_name(enum tui_elem e)
{
	return (theme[e].name);
}

static int
theme_color_parse(const char *s, short *out)
{
	size_t	 i;

	for (i = 0; i < nitems(theme_colors); i++) {
		if (strcasecmp(s, theme_colors[i].name) == 0) {
			*out = theme_colors[i].color;
			return (0);
		}
	}
	return (-1);
}

static int
theme_attr_parse(const char *s, attr_t *out)
{
	size_t	 i;

	for (i = 0; i < nitems(theme_attrs); i++) {
		if (strcasecmp(s, theme_attrs[i].name) == 0) {
			*out |= theme_attrs[i].attr;
			return (0);
		}
	}
	return (-1);
}

/* Apply "fg bg [attr ...]" from the config to one element. */
static void
theme_set(struct tui *t, const char *name, const char *value)
{
	struct theme_elem	*e = NULL;
	char			*copy, *w, *save = NULL;
	int			 i, n = 0;
	short			 fg, bg;
	attr_t			 attr = A_NORMAL;

	for (i = 0; i < EL_COUNT; i++)
		if (strcasecmp(theme[i].name, name) == 0)
			e = &theme[i];
	if (e == NULL) {
		tui_error(t, _("config: [colors] unknown element \"%s\""), name);
		return;
	}
	fg = e->fg;
	bg = e->bg;
	copy = xstrdup(value);
	for (w = strtok_r(copy, " \t,", &save); w != NULL;
	    w = strtok_r(NULL, " \t,", &save), n++) {
		if (n == 0 && theme_color_parse(w, &fg) == 0)
			continue;
		if (n == 1 && theme_color_parse(w, &bg) == 0)
			continue;
		if (theme_attr_parse(w, &attr) != 0) {
			tui_error(t, _("config: [colors] %s: unknown colour or "
			    "attribute \"%s\""), name, w);
			free(copy);
			return;
		}
	}
	free(copy);
	e->fg = fg;
	e->bg = bg;
	e->attr = attr;
	e->mono = attr != A_NORMAL ? attr : e->mono;
}

/*
 * Set up colours: NO_COLOR (any value) or a terminal without colours gets
 * attributes only. The config's [colors] section overrides the defaults.
 */
void
theme_init(struct tui *t)
{
	const char	*name, *value, *nc;
	size_t		 i;

	draw_set_ascii(t->ascii);
	for (i = 0; config_entry(t->cfg, "colors", i, &name, &value) == 0; i++)
		theme_set(t, name, value);
	nc = getenv("NO_COLOR");
	theme_color = has_colors() && (nc == NULL || *nc == '\0');
	t->color = theme_color;
	if (!theme_color)
		return;
	start_color();
	use_default_colors();
	for (i = 0; i < EL_COUNT; i++)
		init_pair((short)(i + 1), theme[i].fg, theme[i].bg);
}

/* The attributes of an element. */
attr_t
theme_attr(enum tui_elem e)
{
	return (theme_color ? theme[e].attr : theme[e].mono);
}

/* The colour pair of an element (0 without colour). */
short
theme_pair(enum tui_elem e)
{
	return (theme_color ? (short)(e + 1) : 0);
}
