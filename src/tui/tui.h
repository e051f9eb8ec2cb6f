/* tui.h: the public interface of the tui part: the full-screen ncursesw console (issue 3). */
#ifndef TRIAGE_TUI_H
#define TRIAGE_TUI_H

#endif
