/* query-sql.c: placeholder. */
#include "config.h"

#include "model.h"
