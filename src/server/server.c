/* server.c: triage serve and triage admin on PostgreSQL (issue 4); this part fills in with its issue. */
#include "config.h"

#include "server.h"
