/* replica-queue.c: placeholder. */
#include "config.h"

#include "replica-int.h"
