/* replica-settings.c: placeholder. */
#include "config.h"

#include "replica-int.h"
