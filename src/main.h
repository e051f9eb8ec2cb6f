/* main.h: the subcommand table's entry type. */
#ifndef TRIAGE_MAIN_H
#define TRIAGE_MAIN_H

#endif
