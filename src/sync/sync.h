/* sync.h: the public interface of the sync part: the client sync thread: pull, push, backoff, login (issue 5). */
#ifndef TRIAGE_SYNC_H
#define TRIAGE_SYNC_H

#endif
