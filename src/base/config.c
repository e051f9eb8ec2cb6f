/* config.c: the INI configuration file, read with libinih, unknown keys reported. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "base.h"

struct config_entry {
	char	*section;
	char	*name;
	char	*value;
	int	 line;
};

struct config {
	struct config_entry	*entries;
	size_t			 n;
	struct buf		 warnings;
};

struct config_reader {
	FILE			*f;
	int			 line;
	int			 bad_line;	/* first line refused, or 0 */
	const char		*bad_why;
	int			 read_errno;	/* errno of a failed read, or 0 */
	const char		*path;
	struct config		*cfg;
	const struct config_key	*known;
};

/* A new, empty configuration. */
struct config *
config_new(void)
{
	struct config	*cfg;

	cfg = xcalloc(1, sizeof *cfg);
	buf_init(&cfg->warnings);
	return (cfg);
}

/* Remember the first line that cannot be given to libinih, and why. */
static void
config_bad_line(struct config_reader *r, int line, const char *why)
{
	if (r->bad_line == 0) {
		r->bad_line = line;
		r->bad_why = why;
	}
}

/*
 * fgets for libinih that counts physical lines, so handlers know where they
 * are. libinih reads into a fixed buffer and would parse the rest of a longer
 * line as a line of its own (a cut value, a bogus key, wrong line numbers), so
 * such a line is skipped whole and reported; so is a line with a NUL byte.
 */
static char *
config_read_line(char *str, int num, void *stream)
{
	struct config_reader	*r = stream;
	int			 c, i = 0, line = r->line + 1;

	if (num < 2)
		return (NULL);
	while ((c = getc(r->f)) != EOF) {
		if (c == '\0')
			config_bad_line(r, line, _("NUL byte"));
		if (i == num - 1) {
			if (c == '\n')
				break;
			config_bad_line(r, line, _("line too long"));
			while ((c = getc(r->f)) != EOF && c != '\n')
				/* nothing */;
			i = 0;
			break;
		}
		str[i++] = (char)c;
		if (c == '\n')
			break;
	}
	if (c == EOF && ferror(r->f) && r->read_errno == 0)
		r->read_errno = errno != 0 ? errno : EIO;
	if (c == EOF && i == 0)
		return (NULL);
	str[i] = '\0';
	r->line = line;
	return (str);
}

static int
config_is_known(const struct config_key *known, const char *section,
    const char *name)
{
	if (known == NULL)
		return (1);
	for (; known->section != NULL; known++) {
		if (strcasecmp(known->section, section) != 0)
			continue;
		if (strcmp(known->name, "*") == 0 ||
		    strcasecmp(known->name, name) == 0)
			return (1);
	}
	return (0);
}

/* libinih handler: keep the entry, or note an unknown key with its line. */
static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_reader	*r = user;
	struct config		*cfg = r->cfg;
	struct config_entry	*e;

	if (!config_is_known(r->known, section, name)) {
		buf_printf(&cfg->warnings, "%s:%d: %s [%s] %s\n", r->path,
		    r->line, _("unknown key"), section, name);
		return (1);
	}
	cfg->entries = xreallocarray(cfg->entries, cfg->n + 1,
	    sizeof *cfg->entries);
	e = &cfg->entries[cfg->n++];
	e->section = xstrdup(section);
	e->name = xstrdup(name);
	e->value = xstrdup(value);
	e->line = r->line;
	return (1);
}

/*
 * Read path into cfg. A missing file is not an error. Keys not in known are
 * reported through config_warnings(); a syntax error fails with its line.
 */
int
config_load(struct config *cfg, const char *path,
    const struct config_key *known, char **cause)
{
	struct config_reader	 r;
	int			 rc;

	memset(&r, 0, sizeof r);
	if ((r.f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return (0);
		*cause = xprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	r.path = path;
	r.cfg = cfg;
	r.known = known;
	errno = 0;
	rc = ini_parse_stream(config_read_line, &r, config_handler, &r);
	fclose(r.f);
	if (r.read_errno != 0) {
		*cause = xprintf("%s: %s", path, strerror(r.read_errno));
		return (-1);
	}
	if (r.bad_line != 0 && (rc <= 0 || r.bad_line <= rc)) {
		*cause = xprintf("%s:%d: %s", path, r.bad_line, r.bad_why);
		return (-1);
	}
	if (rc > 0) {
		*cause = xprintf("%s:%d: %s", path, rc, _("syntax error"));
		return (-1);
	}
	if (rc < 0) {
		*cause = xprintf("%s: %s", path, _("cannot be read"));
		return (-1);
	}
	return (0);
}

/* The last value given for section.name, or NULL. */
const char *
config_get(struct config *cfg, const char *section, const char *name)
{
	size_t	 i;

	for (i = cfg->n; i > 0; i--) {
		if (strcasecmp(cfg->entries[i - 1].section, section) == 0 &&
		    strcasecmp(cfg->entries[i - 1].name, name) == 0)
			return (cfg->entries[i - 1].value);
	}
	return (NULL);
}

/* The number of entries in a section. */
size_t
config_count(struct config *cfg, const char *section)
{
	size_t	 i, n = 0;

	for (i = 0; i < cfg->n; i++)
		if (strcasecmp(cfg->entries[i].section, section) == 0)
			n++;
	return (n);
}

/* The idx'th entry of a section, in file order. */
int
config_entry(struct config *cfg, const char *section, size_t idx,
    const char **name, const char **value)
{
	size_t	 i;

	for (i = 0; i < cfg->n; i++) {
		if (strcasecmp(cfg->entries[i].section, section) != 0)
			continue;
		if (idx-- == 0) {
			*name = cfg->entries[i].name;
			*value = cfg->entries[i].value;
			return (0);
		}
	}
	return (-1);
}

/* Warnings about unknown keys, one per line; "" if none. */
const char *
config_warnings(struct config *cfg)
{
	return (buf_cstr(&cfg->warnings));
}

/* Free a configuration. */
void
config_free(struct config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].name);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	buf_free(&cfg->warnings);
	free(cfg);
}
