/* cli-outbox.c: placeholder. */
#include "config.h"

#include "cli.h"
