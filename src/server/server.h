/* server.h: the public interface of the server part: triage serve and triage admin. */
#ifndef TRIAGE_SERVER_H
#define TRIAGE_SERVER_H

#include "base/base.h"

/* Entry points for main's subcommand table; argv[0] is the subcommand. */
int	 server_serve_main(int, char **);
int	 server_admin_main(int, char **);

/* inbound.c: a customer's mail into a ticket (triage mailgate). */
struct inbound_file {
	char		*name;
	char		*mime;
	char		*b64;		/* the content, base64 */
	size_t		 len;		/* its bytes */
};
struct inbound {
	char		*from;		/* the sender's address */
	char		*name;		/* their name, or NULL */
	char		*subject;
	char		*message_id;	/* "<...>", or NULL */
	char		**refs;		/* In-Reply-To, then References, newest
					   first, each "<...>" */
	size_t		 nrefs;
	char		*body;		/* UTF-8 text */
	struct inbound_file *files;
	size_t		 nfiles;
};
struct inbound_result {
	int64_t		 number;	/* the ticket's */
	int		 created;	/* a new ticket */
	int		 reopened;
	int		 duplicate;	/* its Message-ID was filed before */
	int		 files;
};
void	 inbound_free(struct inbound *);
/* File it straight into the database (mailgate --db): 0, or -1 with
 * *cause and *temporary set when trying again later may work. */
int	 server_inbound_db(const char *conninfo, const char *org,
	     const struct inbound *, struct inbound_result *, int *temporary,
	     char **cause);

#endif
