/* inbound.c: a customer's parsed mail: freeing it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Free what m holds and clear it. */
void
inbound_free(struct inbound *m)
{
	size_t	 i;

	free(m->from);
	free(m->name);
	free(m->subject);
	free(m->message_id);
	for (i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->body);
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].name);
		free(m->files[i].mime);
		free(m->files[i].b64);
	}
	free(m->files);
	memset(m, 0, sizeof *m);
}
