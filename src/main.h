/* main.h: the program's version and usage, shared by main.c only for now. */
#ifndef TRIAGE_MAIN_H
#define TRIAGE_MAIN_H

void	 main_usage(FILE *);

#endif
