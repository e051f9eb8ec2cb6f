/* paths.c: the XDG base directories triage uses. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"

/* $VAR/triage if VAR is set and absolute, else $HOME/fallback/triage. */
static char *
xdg_dir(const char *var, const char *fallback)
{
	const char	*v, *home;

	if ((v = getenv(var)) != NULL && v[0] == '/')
		return (xprintf("%s/triage", v));
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		home = "/";
	return (xprintf("%s/%s/triage", home, fallback));
}

/* The data directory. Caller frees. */
char *
path_data_dir(void)
{
	return (xdg_dir("XDG_DATA_HOME", ".local/share"));
}

/* The state (log) directory. Caller frees. */
char *
path_state_dir(void)
{
	return (xdg_dir("XDG_STATE_HOME", ".local/state"));
}

/* The config file. Caller frees. */
char *
path_config_file(void)
{
	char	*dir, *path;

	dir = xdg_dir("XDG_CONFIG_HOME", ".config");
	path = xprintf("%s/config", dir);
	free(dir);
	return (path);
}

/* Create a directory and its parents, like mkdir -p. */
int
path_mkdirs(const char *path, mode_t mode, char **cause)
{
	char		*copy, *p;
	struct stat	 sb;

	if (*path == '\0') {
		*cause = xstrdup(_("empty directory name"));
		return (-1);
	}
	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(copy, mode) == -1) {
		if (errno != EEXIST)
			goto fail;
		if (stat(copy, &sb) == -1)
			goto fail;
		if (!S_ISDIR(sb.st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
	}
	free(copy);
	return (0);
fail:
	*cause = xprintf("%s: %s", copy, strerror(errno));
	free(copy);
	return (-1);
}

/*
 * Read a secret (a password) from a file: its first line, without the
 * line end. The file must not be readable by group or others (0600), as
 * for ssh keys. 0 with *out allocated, or -1 with cause.
 */
int
secret_read(const char *path, char **out, char **cause)
{
	struct stat	 st;
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;

	if ((f = fopen(path, "re")) == NULL) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
		fclose(f);
		*cause = xprintf(_("%s: readable by others (mode %03o); "
		    "chmod 600 it"), path, (unsigned)(st.st_mode & 0777));
		return (-1);
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n > 0)
		line[strcspn(line, "\r\n")] = '\0';
	if (n <= 0 || *line == '\0') {
		free(line);
		*cause = xprintf(_("%s: empty"), path);
		return (-1);
	}
	*out = line;
	return (0);
}
