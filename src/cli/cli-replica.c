/* cli-replica.c: placeholder. */
#include "config.h"

#include "cli.h"
