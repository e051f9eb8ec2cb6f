/* tui.c: the full-screen ncursesw console (issue 3); this part fills in with its issue. */
#include "config.h"

#include "tui.h"
