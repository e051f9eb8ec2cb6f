/* server.h: the public interface of the server part: triage serve and triage admin. */
#ifndef TRIAGE_SERVER_H
#define TRIAGE_SERVER_H

/* Entry points for main's subcommand table; argv[0] is the subcommand. */
int	 server_serve_main(int, char **);
int	 server_admin_main(int, char **);

#endif
