/* cli.h: the public interface of the cli part: the non-interactive subcommands. */
#ifndef TRIAGE_CLI_H
#define TRIAGE_CLI_H

/* Exit statuses shared by every subcommand. */
#define EXIT_NOTFOUND	1
#define EXIT_USAGE	2
#define EXIT_REPLICA	3

struct cli_env {
	const char	*replica;	/* --replica, or NULL */
	const char	*progname;
};

int	 cli_ls(struct cli_env *, int, char **);
int	 cli_show(struct cli_env *, int, char **);
int	 cli_search(struct cli_env *, int, char **);
int	 cli_outbox(struct cli_env *, int, char **);
int	 cli_demo(struct cli_env *, int, char **);
int	 cli_replica(struct cli_env *, int, char **);

#endif
