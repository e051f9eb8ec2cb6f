/* gen-text.c: placeholder. */
#include "config.h"

#include "model.h"
