/* sync.c: the client sync thread: pull, push, backoff, login (issue 5); this part fills in with its issue. */
#include "config.h"

#include "sync.h"
