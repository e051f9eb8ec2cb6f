/* cli-common.c: placeholder. */
#include "config.h"

#include "cli.h"
