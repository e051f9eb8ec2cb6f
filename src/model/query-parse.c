/* query-parse.c: the query language's lexer and parser, and its normal form. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "query-int.h"

/* Tokens named in error messages are cut to this many characters. */
#define QUERY_TOKEN_MAX	64

/* The input being scanned: a byte offset and the character column there. */
struct lexer {
	const char		*s;
	size_t			 len;
	size_t			 off;
	int			 col;
	struct query_error	*err;
};

/* Understand a value for its field: (value, operator's column, error). */
typedef int (*value_fn)(struct query_value *, int, struct query_error *);

static int	 value_status(struct query_value *, int, struct query_error *);
static int	 value_priority(struct query_value *, int,
		     struct query_error *);
static int	 value_assignee(struct query_value *, int,
		     struct query_error *);
static int	 value_name(struct query_value *, int, struct query_error *);
static int	 value_text(struct query_value *, int, struct query_error *);
static int	 value_when(struct query_value *, int, struct query_error *);
static int	 value_sla(struct query_value *, int, struct query_error *);
static int	 value_is(struct query_value *, int, struct query_error *);

/* The fields: name, whether < <= > >= apply, and how a value is understood. */
static const struct {
	const char		*name;
	enum query_field	 field;
	int			 compare;
	value_fn		 value;
} fields[] = {
	{ "status", QUERY_F_STATUS, 1, value_status },
	{ "priority", QUERY_F_PRIORITY, 1, value_priority },
	{ "assignee", QUERY_F_ASSIGNEE, 0, value_assignee },
	{ "team", QUERY_F_TEAM, 0, value_name },
	{ "tag", QUERY_F_TAG, 0, value_text },
	{ "customer", QUERY_F_CUSTOMER, 0, value_text },
	{ "channel", QUERY_F_CHANNEL, 0, value_text },
	{ "category", QUERY_F_CATEGORY, 0, value_name },
	{ "created", QUERY_F_CREATED, 1, value_when },
	{ "updated", QUERY_F_UPDATED, 1, value_when },
	{ "sla", QUERY_F_SLA, 1, value_sla },
	{ "is", QUERY_F_IS, 0, value_is },
};

/* Comparison operators as written; the first spelling is the normal one. */
static const struct {
	const char	*text;
	enum query_op	 op;
} ops[] = {
	{ "=", QUERY_OP_EQ },
	{ "<", QUERY_OP_LT },
	{ "<=", QUERY_OP_LE },
	{ ">", QUERY_OP_GT },
	{ ">=", QUERY_OP_GE },
};

/* The is: flags. */
static const struct {
	const char	*name;
	enum query_is	 is;
} is_flags[] = {
	{ "pending", QUERY_IS_PENDING },
	{ "unassigned", QUERY_IS_UNASSIGNED },
	{ "assigned", QUERY_IS_ASSIGNED },
	{ "mine", QUERY_IS_MINE },
	{ "breached", QUERY_IS_BREACHED },
	{ "new", QUERY_IS_NEW },
};

/* Is c a separator between terms? */
static int
is_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f');
}

/* Is c one of the characters operators are made of? */
static int
is_op_char(int c)
{
	return (c == '<' || c == '>' || c == '=' || c == '!');
}

/* Is c allowed in a field name? */
static int
is_field_char(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_');
}

/* Record an error in *err (if wanted). Always returns -1. */
static int printflike(4, 5)
qerror(struct query_error *err, int column, int length, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return (-1);
	free(err->message);
	err->column = column;
	err->length = length;
	va_start(ap, fmt);
	xvasprintf(&err->message, fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * Append one character of s (len bytes) to b, an invalid sequence as U+FFFD.
 * Returns the bytes consumed.
 */
static size_t
put_char(struct buf *b, const char *s, size_t len)
{
	uint32_t	 cp;
	char		 enc[4];
	int		 n;

	n = utf8_decode(s, len, &cp);
	if (cp == UTF8_REPLACEMENT && n == 1)
		buf_append(b, enc, (size_t)utf8_encode(cp, enc));
	else
		buf_append(b, s, (size_t)n);
	return ((size_t)n);
}

/* A token for an error message: valid UTF-8, cut if long. Caller frees. */
static char *
shorten(const char *s, size_t len)
{
	struct buf	 b = BUF_INIT;
	size_t		 off = 0;
	int		 chars = 0;

	while (off < len) {
		if (chars++ == QUERY_TOKEN_MAX) {
			buf_puts(&b, "...");
			break;
		}
		off += put_char(&b, s + off, len - off);
	}
	return (buf_detach(&b));
}

/* Move past one character. */
static void
lex_advance(struct lexer *l)
{
	uint32_t	 cp;

	if (l->off >= l->len)
		return;
	l->off += (size_t)utf8_decode(l->s + l->off, l->len - l->off, &cp);
	l->col++;
}

/* The byte under the cursor, or 0 at the end. */
static int
lex_peek(struct lexer *l)
{
	if (l->off >= l->len)
		return (0);
	return ((unsigned char)l->s[l->off]);
}

/* Copy the character under the cursor to b and move past it. */
static void
lex_copy(struct lexer *l, struct buf *b)
{
	l->off += put_char(b, l->s + l->off, l->len - l->off);
	l->col++;
}

/*
 * Read a word into b: unquoted characters and "quoted parts" (with \" and
 * \\ escapes) run together until whitespace, the end or, if comma is set, an
 * unquoted ','.
 */
static int
lex_word(struct lexer *l, struct buf *b, int comma)
{
	int	 c, next, qcol;

	for (;;) {
		c = lex_peek(l);
		if (l->off >= l->len || is_space(c) || (comma && c == ','))
			return (0);
		if (c != '"') {
			lex_copy(l, b);
			continue;
		}
		qcol = l->col;
		lex_advance(l);
		for (;;) {
			if (l->off >= l->len) {
				return (qerror(l->err, qcol, l->col - qcol,
				    _("unterminated quote at column %d"),
				    qcol));
			}
			c = lex_peek(l);
			if (c == '"') {
				lex_advance(l);
				break;
			}
			next = l->off + 1 < l->len ? l->s[l->off + 1] : 0;
			if (c == '\\' && (next == '"' || next == '\\'))
				lex_advance(l);
			lex_copy(l, b);
		}
	}
}

/* Fail with "bad comparison" naming the operator written at column. */
static int
bad_op(const struct query_value *v, int opcol, struct query_error *err)
{
	size_t	 i;

	for (i = 0; i < nitems(ops); i++) {
		if (ops[i].op == v->op)
			break;
	}
	return (qerror(err, opcol, v->column - opcol,
	    _("bad comparison \"%s\" at column %d"),
	    i < nitems(ops) ? ops[i].text : "?", opcol));
}

/* What was wrong with a value, for bad_value(). */
enum bad {
	BAD_STATUS,
	BAD_PRIORITY,
	BAD_IS,
	BAD_DATE,
	BAD_DURATION
};

/* Fail with a message naming the value's text and column. */
static int
bad_value(const struct query_value *v, struct query_error *err, enum bad why)
{
	char	*tok;
	int	 c = v->column, n = v->length;

	tok = shorten(v->s, strlen(v->s));
	switch (why) {
	case BAD_STATUS:
		qerror(err, c, n, _("unknown status \"%s\" at column %d"),
		    tok, c);
		break;
	case BAD_PRIORITY:
		qerror(err, c, n, _("unknown priority \"%s\" at column %d"),
		    tok, c);
		break;
	case BAD_IS:
		qerror(err, c, n,
		    _("unknown value \"%s\" for is: at column %d"), tok, c);
		break;
	case BAD_DATE:
		qerror(err, c, n, _("bad date \"%s\" at column %d"), tok, c);
		break;
	case BAD_DURATION:
		qerror(err, c, n, _("bad duration \"%s\" at column %d"),
		    tok, c);
		break;
	}
	free(tok);
	return (-1);
}

/* status: a name, "unsolved" (new, open, pending, on hold) or a comparison. */
static int
value_status(struct query_value *v, int opcol, struct query_error *err)
{
	int	 n;

	if (strcasecmp(v->s, "unsolved") == 0) {
		if (v->op != QUERY_OP_EQ)
			return (bad_op(v, opcol, err));
		v->kind = QUERY_V_UNSOLVED;
		return (0);
	}
	if ((n = ticket_status_parse(v->s)) == -1)
		return (bad_value(v, err, BAD_STATUS));
	v->kind = QUERY_V_ENUM;
	v->n = n;
	return (0);
}

/* priority: a name, possibly compared. */
static int
value_priority(struct query_value *v, int opcol, struct query_error *err)
{
	int	 n;

	if ((n = ticket_priority_parse(v->s)) == -1)
		return (bad_value(v, err, BAD_PRIORITY));
	v->kind = QUERY_V_ENUM;
	v->n = n;
	return (0);
}

/* assignee: me, none or an email address. */
static int
value_assignee(struct query_value *v, int opcol, struct query_error *err)
{
	if (strcasecmp(v->s, "me") == 0)
		v->kind = QUERY_V_ME;
	else if (strcasecmp(v->s, "none") == 0)
		v->kind = QUERY_V_NONE;
	else
		v->kind = QUERY_V_TEXT;
	return (0);
}

/* team:, category: a name or none. */
static int
value_name(struct query_value *v, int opcol, struct query_error *err)
{
	if (strcasecmp(v->s, "none") == 0)
		v->kind = QUERY_V_NONE;
	else
		v->kind = QUERY_V_TEXT;
	return (0);
}

/* tag:, customer:, channel: any text. */
static int
value_text(struct query_value *v, int opcol, struct query_error *err)
{
	v->kind = QUERY_V_TEXT;
	return (0);
}

/* Does s start like a date (four digits and a '-')? */
static int
looks_like_date(const char *s)
{
	int	 i;

	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	return (s[4] == '-');
}

/* created:, updated: a duration ("7d"), a day (YYYY-MM-DD) or an instant. */
static int
value_when(struct query_value *v, int opcol, struct query_error *err)
{
	size_t	 len = strlen(v->s);
	char	*s;
	int	 rc;

	/* Short, so that no sum of units can overflow. */
	if (len <= 32 && time_parse_duration(v->s, &v->n) == 0) {
		v->kind = QUERY_V_DURATION;
		return (0);
	}
	if (len == 10 && looks_like_date(v->s)) {
		s = xprintf("%sT00:00:00Z", v->s);
		rc = time_parse_rfc3339(s, &v->n);
		free(s);
		if (rc == 0) {
			v->kind = QUERY_V_DAY;
			return (0);
		}
	} else if (len <= 64 && looks_like_date(v->s) &&
	    time_parse_rfc3339(v->s, &v->n) == 0) {
		v->kind = QUERY_V_TIME;
		return (0);
	}
	return (bad_value(v, err,
	    looks_like_date(v->s) ? BAD_DATE : BAD_DURATION));
}

/* sla: breached, none, or when the nearest clock runs out. */
static int
value_sla(struct query_value *v, int opcol, struct query_error *err)
{
	if (strcasecmp(v->s, "breached") == 0)
		v->kind = QUERY_V_BREACHED;
	else if (strcasecmp(v->s, "none") == 0)
		v->kind = QUERY_V_NONE;
	else
		return (value_when(v, opcol, err));
	if (v->op != QUERY_OP_EQ)
		return (bad_op(v, opcol, err));
	return (0);
}

/* is: one of the flags. */
static int
value_is(struct query_value *v, int opcol, struct query_error *err)
{
	size_t	 i;

	for (i = 0; i < nitems(is_flags); i++) {
		if (strcasecmp(v->s, is_flags[i].name) == 0) {
			v->kind = QUERY_V_IS;
			v->n = is_flags[i].is;
			return (0);
		}
	}
	return (bad_value(v, err, BAD_IS));
}

/* Add an empty value to a term and return it. */
static struct query_value *
term_add_value(struct query_term *t)
{
	struct query_value	*v;

	t->values = xreallocarray(t->values, t->nvalues + 1, sizeof *t->values);
	v = &t->values[t->nvalues++];
	memset(v, 0, sizeof *v);
	return (v);
}

/* Read an operator, if one is there, into v->op. */
static int
lex_op(struct lexer *l, struct query_value *v, int compare)
{
	size_t	 start = l->off, i, n;
	int	 col = l->col;
	char	*tok;

	while (is_op_char(lex_peek(l)))
		lex_advance(l);
	if ((n = l->off - start) == 0)
		return (0);
	for (i = 0; i < nitems(ops); i++) {
		if (strlen(ops[i].text) == n &&
		    memcmp(ops[i].text, l->s + start, n) == 0)
			break;
	}
	if (i == nitems(ops) || (!compare && ops[i].op != QUERY_OP_EQ)) {
		tok = shorten(l->s + start, n);
		qerror(l->err, col, l->col - col,
		    _("bad comparison \"%s\" at column %d"), tok, col);
		free(tok);
		return (-1);
	}
	v->op = ops[i].op;
	return (0);
}

/* Parse the comma-separated values of a field term; the cursor is after ':'. */
static int
parse_values(struct lexer *l, struct query_term *t, size_t idx,
    size_t start, int startcol)
{
	struct query_value	*v;
	struct buf		 b = BUF_INIT;
	size_t			 voff;
	int			 opcol, rc = -1;
	char			*tok;

	for (;;) {
		if (t->nvalues == QUERY_MAX_VALUES) {
			qerror(l->err, l->col, 1,
			    _("too many values at column %d"), l->col);
			goto out;
		}
		v = term_add_value(t);
		opcol = l->col;
		if (lex_op(l, v, fields[idx].compare) != 0)
			goto out;
		v->column = l->col;
		voff = l->off;
		buf_reset(&b);
		if (lex_word(l, &b, 1) != 0)
			goto out;
		v->length = l->col - v->column;
		v->s = xstrdup(buf_cstr(&b));
		if (*v->s == '\0') {
			tok = shorten(l->s + start, voff - start);
			qerror(l->err, startcol, v->column - startcol,
			    _("missing value after \"%s\" at column %d"), tok,
			    startcol);
			free(tok);
			goto out;
		}
		if (fields[idx].value(v, opcol, l->err) != 0)
			goto out;
		if (lex_peek(l) != ',')
			break;
		lex_advance(l);
	}
	rc = 0;
out:
	buf_free(&b);
	return (rc);
}

/* Parse one term at the cursor into t. */
static int
parse_term(struct lexer *l, struct query_term *t)
{
	struct query_value	*v;
	struct buf		 b = BUF_INIT;
	size_t			 end, i, start;
	int			 startcol;
	char			*tok;

	t->column = l->col;
	if (lex_peek(l) == '-') {
		t->negated = 1;
		lex_advance(l);
		if (l->off >= l->len || is_space(lex_peek(l))) {
			return (qerror(l->err, t->column, 1,
			    _("missing value after \"%s\" at column %d"), "-",
			    t->column));
		}
	}

	start = l->off;
	startcol = l->col;
	for (end = start; end < l->len && is_field_char(l->s[end]); end++)
		/* nothing */;
	if (end > start && end < l->len && l->s[end] == ':') {
		for (i = 0; i < nitems(fields); i++) {
			if (strlen(fields[i].name) == end - start &&
			    strncasecmp(fields[i].name, l->s + start,
			    end - start) == 0)
				break;
		}
		if (i == nitems(fields)) {
			tok = shorten(l->s + start, end - start);
			qerror(l->err, startcol, (int)(end - start),
			    _("unknown field \"%s\" at column %d"), tok,
			    startcol);
			free(tok);
			return (-1);
		}
		t->field = fields[i].field;
		l->col += (int)(end - start) + 1;
		l->off = end + 1;
		if (parse_values(l, t, i, start, startcol) != 0)
			return (-1);
	} else {
		t->field = QUERY_F_TEXT;
		v = term_add_value(t);
		v->column = l->col;
		if (lex_word(l, &b, 0) != 0) {
			buf_free(&b);
			return (-1);
		}
		v->kind = QUERY_V_TEXT;
		v->length = l->col - v->column;
		v->s = buf_detach(&b);
	}
	t->length = l->col - t->column;
	return (0);
}

/* Parse a query into an AST; on failure fill *err. */
int
query_parse(const char *s, struct query **qp, struct query_error *err)
{
	struct query	*q;
	struct lexer	 l;
	size_t		 len;

	*qp = NULL;
	if (err != NULL)
		memset(err, 0, sizeof *err);
	if (s == NULL)
		s = "";
	memset(&l, 0, sizeof l);
	l.s = s;
	l.col = 1;
	l.err = err;

	len = strnlen(s, QUERY_MAX_BYTES + 1);
	if (len > QUERY_MAX_BYTES) {
		l.len = QUERY_MAX_BYTES;
		while (l.off < l.len)
			lex_advance(&l);
		return (qerror(err, l.col, 1,
		    _("query too long at column %d"), l.col));
	}
	l.len = len;

	q = xcalloc(1, sizeof *q);
	for (;;) {
		while (is_space(lex_peek(&l)))
			lex_advance(&l);
		if (l.off >= l.len)
			break;
		if (q->nterms == QUERY_MAX_TERMS) {
			qerror(err, l.col, 1, _("too many terms at column %d"),
			    l.col);
			query_free(q);
			return (-1);
		}
		q->terms = xreallocarray(q->terms, q->nterms + 1,
		    sizeof *q->terms);
		memset(&q->terms[q->nterms], 0, sizeof *q->terms);
		if (parse_term(&l, &q->terms[q->nterms++]) != 0) {
			query_free(q);
			return (-1);
		}
	}
	*qp = q;
	return (0);
}

/* Free a query's AST. */
void
query_free(struct query *q)
{
	size_t	 i, j;

	if (q == NULL)
		return;
	for (i = 0; i < q->nterms; i++) {
		for (j = 0; j < q->terms[i].nvalues; j++)
			free(q->terms[i].values[j].s);
		free(q->terms[i].values);
	}
	free(q->terms);
	free(q);
}

/* Free an error's message and clear it. */
void
query_error_free(struct query_error *err)
{
	if (err == NULL)
		return;
	free(err->message);
	err->message = NULL;
	err->column = err->length = 0;
}

/* Append s, quoted if it would not read back as the same single value. */
static void
put_value(struct buf *b, const char *s, int text)
{
	const char	*p;
	int		 quote = 0;

	if (*s == '\0' || is_op_char((unsigned char)*s) || *s == '-')
		quote = 1;
	for (p = s; *p != '\0' && !quote; p++) {
		if (is_space((unsigned char)*p) || *p == '"' || *p == '\\' ||
		    *p == ',' || (text && *p == ':'))
			quote = 1;
	}
	if (!quote) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* Append the normal form of one value of a term. */
static void
describe_value(struct buf *b, const struct query_term *t,
    const struct query_value *v)
{
	size_t	 i;

	/* "=" is the default and is left out. */
	for (i = 1; i < nitems(ops); i++) {
		if (ops[i].op == v->op)
			buf_puts(b, ops[i].text);
	}
	switch (v->kind) {
	case QUERY_V_ENUM:
		if (t->field == QUERY_F_STATUS)
			buf_puts(b, ticket_status_name((int)v->n));
		else
			buf_puts(b, ticket_priority_name((int)v->n));
		break;
	case QUERY_V_UNSOLVED:
		buf_puts(b, "unsolved");
		break;
	case QUERY_V_ME:
		buf_puts(b, "me");
		break;
	case QUERY_V_NONE:
		buf_puts(b, "none");
		break;
	case QUERY_V_BREACHED:
		buf_puts(b, "breached");
		break;
	case QUERY_V_IS:
		for (i = 0; i < nitems(is_flags); i++) {
			if (is_flags[i].is == v->n)
				buf_puts(b, is_flags[i].name);
		}
		break;
	default:
		put_value(b, v->s, t->field == QUERY_F_TEXT);
		break;
	}
}

/* The query in normal form: lower-case names, canonical quoting. */
char *
query_describe(const struct query *q)
{
	struct buf			 b = BUF_INIT;
	const struct query_term		*t;
	size_t				 i, j, k;

	for (i = 0; q != NULL && i < q->nterms; i++) {
		t = &q->terms[i];
		if (i > 0)
			buf_putc(&b, ' ');
		if (t->negated)
			buf_putc(&b, '-');
		for (k = 0; k < nitems(fields); k++) {
			if (fields[k].field == t->field)
				buf_printf(&b, "%s:", fields[k].name);
		}
		for (j = 0; j < t->nvalues; j++) {
			if (j > 0)
				buf_putc(&b, ',');
			describe_value(&b, t, &t->values[j]);
		}
	}
	return (buf_detach(&b));
}
