/* cli.h: the public interface of the cli part: the non-interactive subcommands. */
#ifndef TRIAGE_CLI_H
#define TRIAGE_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include <jansson.h>

#include "replica/replica.h"

/* Exit statuses shared by every subcommand. */
#define EXIT_NOTFOUND	1
#define EXIT_USAGE	2
#define EXIT_REPLICA	3

/* What main hands every subcommand: the global options. */
struct cli_env {
	const char	*replica;	/* --replica, or NULL for the default */
	const char	*config;	/* --config, or NULL */
	const char	*trace;		/* --trace, or NULL */
	const char	*playbook_url;	/* the demo's, for the console */
	/* Opens the console on env->replica (set by main; cli has no curses). */
	int		(*console)(struct cli_env *);
};

/* A subcommand: its name, entry point, synopsis and one line of help. */
struct cli_cmd {
	const char	*name;
	int		(*run)(struct cli_env *, int, char **);
	const char	*synopsis;
	const char	*help;
};
extern const struct cli_cmd cli_cmds[];

int	 cli_ls(struct cli_env *, int, char **);
int	 cli_show(struct cli_env *, int, char **);
int	 cli_reply(struct cli_env *, int, char **);
int	 cli_set(struct cli_env *, int, char **);
int	 cli_search(struct cli_env *, int, char **);
int	 cli_outbox(struct cli_env *, int, char **);
int	 cli_demo(struct cli_env *, int, char **);
int	 cli_replica(struct cli_env *, int, char **);
int	 cli_login(struct cli_env *, int, char **);
int	 cli_logout(struct cli_env *, int, char **);
int	 cli_sync(struct cli_env *, int, char **);
int	 cli_macros(struct cli_env *, int, char **);
int	 cli_kb(struct cli_env *, int, char **);
int	 cli_notifications(struct cli_env *, int, char **);
int	 cli_available(struct cli_env *, int, char **);
int	 cli_mailgate(struct cli_env *, int, char **);
int	 cli_complete(struct cli_env *, int, char **);
int	 cli_stats(struct cli_env *, int, char **);

/* cli-common.c */
int	 cli_open(struct cli_env *, int, struct replica **);
int	 cli_error(int, const char *, ...) printflike(2, 3);
void	 cli_verror(const char *, const char *, va_list) printflike(2, 0);
void	 cli_out(FILE *, const char *, int newlines);
void	 cli_query_error(const char *, const struct query_error *);
int	 cli_parse_count(const char *, const char *, int64_t, int64_t,
	     int64_t *);
int	 cli_parse_number(const char *, int64_t *);
char	*cli_join_args(int, char **);
char	**cli_split_terms(int, char **, int *);
void	 cli_fit(struct buf *, const char *, int);
void	 cli_pad(struct buf *, const char *, int, int);
#define CLI_PAD_RIGHT	0x1	/* right-aligned: spaces first */
char	*cli_demo_path(void);
void	 cli_snippet(struct buf *, const char *);
int	 cli_generate(const char *, const struct gen_opts *,
	     struct gen_stats *, double *);

/* cli-json.c: JSON forms of replica objects, written by jansson. */
json_t	*cli_json_ticket(const struct ticket *);
json_t	*cli_json_ticket_detail(const struct ticket_detail *);
json_t	*cli_json_search_hit(const struct search_hit *);
json_t	*cli_json_outbox_entry(const struct outbox_entry *);
json_t	*cli_json_time(int64_t);
void	 cli_json_set_text(json_t *, const char *, const char *);
int	 cli_json_print(json_t *);
void	 search_snippet_plain(const char *, struct buf *, json_t *);

/* mailgate-parse.c: one RFC 5322 message into m (GMime, after
 * g_mime_init): 0, or -1 with *cause (not a message, no sender). */
int	 mailgate_parse(const char *, size_t, struct inbound *m, char **cause);

#endif
