/* fuzz-config.c: fuzz the config file: any bytes as the INI file, then the [keys] bindings built from it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tui/tui-int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 fd = -1;
	static char		*path;
	const struct keymap_entry *e;
	struct config		*cfg;
	const char		*name, *value, *w;
	char			*cause = NULL, *keys;
	size_t			 i;

	/* config_load reads a path: the input goes into a file in memory. */
	if (fd == -1) {
		if ((fd = memfd_create("fuzz-config", 0)) == -1)
			abort();
		path = xprintf("/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	cfg = config_new();
	if (config_load(cfg, path, NULL, &cause) != 0) {
		/* A refusal names the file and the line. */
		if (cause == NULL || strncmp(cause, path, strlen(path)) != 0)
			abort();
		free(cause);
		config_free(cfg);
		return (0);
	}
	/* Every entry is text without a line break: a key and its value. */
	for (i = 0; config_entry(cfg, "keys", i, &name, &value) == 0; i++)
		if (strpbrk(name, "\n") != NULL || strpbrk(value, "\n") != NULL)
			abort();
	w = config_warnings(cfg);
	if (w == NULL)
		abort();
	if (keymap_init(cfg, &cause) != 0) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
	} else {
		/* Each action's keys can be listed for the help view. */
		for (e = keymap_table; e->name != NULL; e++) {
			keys = keymap_keys(e->action, e->ctx);
			if (keys == NULL || !utf8_valid(keys, strlen(keys)))
				abort();
			free(keys);
		}
	}
	config_free(cfg);
	return (0);
}
