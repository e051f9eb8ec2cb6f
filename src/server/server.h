/* server.h: the public interface of the server part: triage serve and triage admin. */
#ifndef TRIAGE_SERVER_H
#define TRIAGE_SERVER_H

#include "base/base.h"
#include "model/model.h"

/* Entry points for main's subcommand table; argv[0] is the subcommand. */
int	 server_serve_main(int, char **);
int	 server_admin_main(int, char **);

/* inbound.c: a customer's mail (struct inbound, model.h) into a ticket. */
struct inbound_result {
	int64_t		 number;	/* the ticket's */
	int		 created;	/* a new ticket */
	int		 reopened;
	int		 duplicate;	/* its Message-ID was filed before */
	int		 files;
};
/* File it straight into the database (mailgate --db): 0, or -1 with
 * *cause and *temporary set when trying again later may work. */
int	 server_inbound_db(const char *conninfo, const char *org,
	     const struct inbound *, struct inbound_result *, int *temporary,
	     char **cause);

#endif
