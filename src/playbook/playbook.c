/* playbook.c: macros and knowledge base from a git repository (issue 6); this part fills in with its issue. */
#include "config.h"

#include "playbook.h"
