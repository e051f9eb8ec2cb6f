/* playbook.h: the public interface of the playbook part: macros and knowledge base from a git repository (issue 6). */
#ifndef TRIAGE_PLAYBOOK_H
#define TRIAGE_PLAYBOOK_H

#endif
