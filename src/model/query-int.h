/* query-int.h: the query language's syntax tree, shared by parser and compiler. */
#ifndef TRIAGE_QUERY_INT_H
#define TRIAGE_QUERY_INT_H

#include <stddef.h>
#include <stdint.h>

/* Limits that keep the SQL within SQLite's expression depth and variables. */
#define QUERY_MAX_BYTES		65536
#define QUERY_MAX_TERMS		100
#define QUERY_MAX_VALUES	100

/* What a term is about; QUERY_F_TEXT is free text (no "field:"). */
enum query_field {
	QUERY_F_TEXT,
	QUERY_F_STATUS,
	QUERY_F_PRIORITY,
	QUERY_F_ASSIGNEE,
	QUERY_F_TEAM,
	QUERY_F_TAG,
	QUERY_F_CUSTOMER,
	QUERY_F_CHANNEL,
	QUERY_F_CATEGORY,
	QUERY_F_CREATED,
	QUERY_F_UPDATED,
	QUERY_F_SLA,
	QUERY_F_IS
};
#define QUERY_F_COUNT	13

/* The comparison in front of a value; no operator means QUERY_OP_EQ. */
enum query_op {
	QUERY_OP_EQ,
	QUERY_OP_LT,
	QUERY_OP_LE,
	QUERY_OP_GT,
	QUERY_OP_GE
};

/* What a value turned out to be once its field understood it. */
enum query_kind {
	QUERY_V_TEXT,		/* s: a name, tag, email or free text */
	QUERY_V_ENUM,		/* n: a status or priority */
	QUERY_V_UNSOLVED,	/* status:unsolved */
	QUERY_V_ME,		/* assignee:me */
	QUERY_V_NONE,		/* assignee, team, category or sla: none */
	QUERY_V_BREACHED,	/* sla:breached */
	QUERY_V_DURATION,	/* n: milliseconds relative to now */
	QUERY_V_TIME,		/* n: an instant, epoch ms */
	QUERY_V_DAY,		/* n: 00:00 UTC of a day, epoch ms */
	QUERY_V_IS		/* n: enum query_is */
};

/* The is: flags. */
enum query_is {
	QUERY_IS_PENDING,	/* changes wait in the outbox */
	QUERY_IS_UNASSIGNED,
	QUERY_IS_ASSIGNED,
	QUERY_IS_MINE,
	QUERY_IS_BREACHED,
	QUERY_IS_NEW		/* not numbered by the server yet */
};

struct query_value {
	enum query_kind	 kind;
	enum query_op	 op;
	int64_t		 n;
	char		*s;		/* as written, unquoted, valid UTF-8 */
	int		 column;	/* 1-based, in characters */
	int		 length;
};

struct query_term {
	enum query_field	 field;
	int			 negated;
	struct query_value	*values;	/* ORed */
	size_t			 nvalues;
	int			 column;
	int			 length;
};

struct query {
	struct query_term	*terms;		/* ANDed */
	size_t			 nterms;
};

#endif
