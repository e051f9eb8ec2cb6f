/* server.h: the public interface of the server part: triage serve and triage admin on PostgreSQL (issue 4). */
#ifndef TRIAGE_SERVER_H
#define TRIAGE_SERVER_H

#endif
