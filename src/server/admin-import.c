/* admin-import.c: triage admin import (being written). */
#include "config.h"

#include "server-int.h"

int
admin_import(PGconn *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	return (admin_error(1, "%s", "import: not built yet"));
}
