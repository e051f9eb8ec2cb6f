/* cli-show.c: placeholder. */
#include "config.h"

#include "cli.h"
