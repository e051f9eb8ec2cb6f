/* query-parse.c: placeholder. */
#include "config.h"

#include "model.h"
