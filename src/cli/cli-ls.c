/* cli-ls.c: placeholder. */
#include "config.h"

#include "cli.h"
