/* tui.h: the public interface of the tui part: the full-screen ncursesw console. */
#ifndef TRIAGE_TUI_H
#define TRIAGE_TUI_H

#include "base/base.h"

struct tui_opts {
	const char	*replica_path;	/* the replica to open (created if missing) */
	const char	*config_path;	/* NULL: $XDG_CONFIG_HOME/triage/config */
	const char	*trace_path;	/* --trace FILE, or NULL */
	const char	*playbook_url;	/* instead of playbook.url (the demo) */
};

/* Run the console until the agent quits. Returns 0, or -1 with *cause. */
int	 tui_main(const struct tui_opts *, char **cause);

/* Print the key bindings as text or as an mdoc KEYS section. */
int	 tui_keys_print(FILE *, int mdoc);

/* The config file keys the console understands (for warnings and docs). */
extern const struct config_key tui_config_keys[];

#endif
