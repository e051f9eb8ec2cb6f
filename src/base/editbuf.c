/* editbuf.c: a UTF-8 text editing buffer with a cursor, for prompts and the composer. */
#include "config.h"

#include <string.h>

#include "base.h"

/* An empty buffer, or one holding text with the cursor at its end. */
void
editbuf_init(struct editbuf *e, const char *text)
{
	buf_init(&e->text);
	buf_puts(&e->text, text != NULL ? text : "");
	e->cursor = e->text.len;
}

/* Free the buffer's text. */
void
editbuf_free(struct editbuf *e)
{
	buf_free(&e->text);
	e->cursor = 0;
}

/* Replace the whole text; the cursor goes to the end. */
void
editbuf_set(struct editbuf *e, const char *text)
{
	buf_reset(&e->text);
	buf_puts(&e->text, text);
	e->cursor = e->text.len;
}

/*
 * Insert one code point at the cursor (invalid ones become U+FFFD). NUL is
 * refused: the text is a C string and must stay one.
 */
void
editbuf_insert(struct editbuf *e, uint32_t c)
{
	char	 enc[4];
	int	 n;

	if (c == 0)
		return;

	n = utf8_encode(c, enc);
	editbuf_insert_bytes(e, enc, (size_t)n);
}

/* Insert bytes at the cursor, moving it past them (up to a NUL byte). */
void
editbuf_insert_bytes(struct editbuf *e, const char *s, size_t n)
{
	size_t	 tail = e->text.len - e->cursor;

	n = strnlen(s, n);

	buf_grow(&e->text, n);
	memmove(e->text.data + e->cursor + n, e->text.data + e->cursor, tail);
	memcpy(e->text.data + e->cursor, s, n);
	e->text.len += n;
	e->text.data[e->text.len] = '\0';
	e->cursor += n;
}

/* Remove bytes [from, to) and put the cursor at from. */
static void
editbuf_cut(struct editbuf *e, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(e->text.data + from, e->text.data + to, e->text.len - to);
	e->text.len -= to - from;
	e->text.data[e->text.len] = '\0';
	e->cursor = from;
}

/* Delete the character before the cursor. */
void
editbuf_backspace(struct editbuf *e)
{
	if (e->cursor > 0)
		editbuf_cut(e, utf8_prev(e->text.data, e->cursor), e->cursor);
}

/* Delete the character under the cursor. */
void
editbuf_delete(struct editbuf *e)
{
	if (e->cursor < e->text.len)
		editbuf_cut(e, e->cursor, utf8_next(e->text.data, e->text.len,
		    e->cursor));
}

/* Move one character left or right. */
void
editbuf_left(struct editbuf *e)
{
	if (e->cursor > 0)
		e->cursor = utf8_prev(e->text.data, e->cursor);
}

void
editbuf_right(struct editbuf *e)
{
	if (e->cursor < e->text.len)
		e->cursor = utf8_next(e->text.data, e->text.len, e->cursor);
}

/* The offset where the cursor's line starts. */
static size_t
editbuf_bol(const struct editbuf *e, size_t off)
{
	while (off > 0 && e->text.data[off - 1] != '\n')
		off--;
	return (off);
}

/* The offset where the cursor's line ends (at its '\n' or the end). */
static size_t
editbuf_eol(const struct editbuf *e, size_t off)
{
	while (off < e->text.len && e->text.data[off] != '\n')
		off++;
	return (off);
}

/* Move to the start or end of the line. */
void
editbuf_home(struct editbuf *e)
{
	e->cursor = editbuf_bol(e, e->cursor);
}

void
editbuf_end(struct editbuf *e)
{
	e->cursor = editbuf_eol(e, e->cursor);
}

/* The cursor's column in characters from the start of its line. */
size_t
editbuf_column(const struct editbuf *e)
{
	size_t	 off = editbuf_bol(e, e->cursor), col = 0;

	while (off < e->cursor) {
		off = utf8_next(e->text.data, e->text.len, off);
		col++;
	}
	return (col);
}

/* Put the cursor on the line starting at bol, col characters in (or its end). */
static void
editbuf_to_column(struct editbuf *e, size_t bol, size_t col)
{
	size_t	 eol = editbuf_eol(e, bol), off = bol;

	while (col-- > 0 && off < eol)
		off = utf8_next(e->text.data, e->text.len, off);
	e->cursor = off;
}

/* Move up or down a line, keeping the column where possible. */
void
editbuf_up(struct editbuf *e)
{
	size_t	 bol = editbuf_bol(e, e->cursor), col;

	if (bol == 0)
		return;
	col = editbuf_column(e);
	editbuf_to_column(e, editbuf_bol(e, bol - 1), col);
}

void
editbuf_down(struct editbuf *e)
{
	size_t	 eol = editbuf_eol(e, e->cursor), col;

	if (eol >= e->text.len)
		return;
	col = editbuf_column(e);
	editbuf_to_column(e, eol + 1, col);
}

/* Delete from the cursor to the end of the line (or the newline itself). */
void
editbuf_kill_line(struct editbuf *e)
{
	size_t	 eol = editbuf_eol(e, e->cursor);

	if (eol == e->cursor && eol < e->text.len)
		eol++;
	editbuf_cut(e, e->cursor, eol);
}

/* Delete from the start of the line to the cursor. */
void
editbuf_kill_bol(struct editbuf *e)
{
	editbuf_cut(e, editbuf_bol(e, e->cursor), e->cursor);
}

/* Delete the word before the cursor (and the spaces after it). */
void
editbuf_kill_word(struct editbuf *e)
{
	size_t	 off = e->cursor;

	while (off > 0 && (e->text.data[off - 1] == ' ' ||
	    e->text.data[off - 1] == '\t'))
		off--;
	while (off > 0 && e->text.data[off - 1] != ' ' &&
	    e->text.data[off - 1] != '\t' && e->text.data[off - 1] != '\n')
		off = utf8_prev(e->text.data, off);
	editbuf_cut(e, off, e->cursor);
}

/* The text. */
const char *
editbuf_text(const struct editbuf *e)
{
	return (e->text.data != NULL ? e->text.data : "");
}

/*
 * Soft wrapping: the composer shows long lines on several screen rows. The
 * cells a character takes are the ones the display sanitiser gives it, so
 * rows and the cursor line up with what is drawn.
 */

/* Cells a character takes once drawn through the sanitiser. */
static int
editbuf_cells(uint32_t c, int flags)
{
	int	 w;

	if (c == '\t')
		return (1);
	if (sanitize_is_forbidden(c) || (w = sanitize_width(c)) < 0)
		return (1);
	if ((flags & SANITIZE_ASCII) && c >= 0x80)
		return (1);
	return (w);
}

/*
 * The screen row of s (len bytes) that starts at start, at most width
 * cells: it ends at a newline, after the last space that fits, or where
 * the next character would not fit. Returns where the row's text ends;
 * *next is where the following row starts (past a newline, or past a space
 * the break swallowed). The row is the last one when the return is len.
 */
size_t
editbuf_wrap(const char *s, size_t len, size_t start, int width, int flags,
    size_t *next)
{
	size_t		 i = start, brk = 0;
	uint32_t	 c;
	int		 n, w, used = 0;

	if (width < 1)
		width = 1;
	while (i < len) {
		if (s[i] == '\n') {
			*next = i + 1;
			return (i);
		}
		n = utf8_decode(s + i, len - i, &c);
		w = editbuf_cells(c, flags);
		if (used + w > width) {
			if (c == ' ') {
				*next = i + 1;
				return (i);
			}
			if (brk > start) {
				*next = brk;
				return (brk);
			}
			if (i == start)
				i += (size_t)n;
			*next = i;
			return (i);
		}
		used += w;
		i += (size_t)n;
		if (c == ' ')
			brk = i;
	}
	*next = len;
	return (len);
}

/* The cells bytes [from, to) of the text take. */
static int
editbuf_span_cells(const char *s, size_t from, size_t to, int flags)
{
	uint32_t	 c;
	int		 cells = 0;

	while (from < to) {
		from += (size_t)utf8_decode(s + from, to - from, &c);
		cells += editbuf_cells(c, flags);
	}
	return (cells);
}

/* How many screen rows the text takes, soft-wrapped at width cells. */
int
editbuf_rows(const struct editbuf *e, int width, int flags)
{
	const char	*s = editbuf_text(e);
	size_t		 start = 0, next;
	int		 rows = 1;

	while (editbuf_wrap(s, e->text.len, start, width, flags, &next) !=
	    e->text.len) {
		start = next;
		rows++;
	}
	return (rows);
}

/* The screen row and cell column of the cursor, soft-wrapped at width. */
void
editbuf_cursor_cell(const struct editbuf *e, int width, int flags, int *row,
    int *col)
{
	const char	*s = editbuf_text(e);
	size_t		 start = 0, end, next;
	int		 r = 0;

	for (;;) {
		end = editbuf_wrap(s, e->text.len, start, width, flags, &next);
		if (e->cursor < next || end == e->text.len)
			break;
		start = next;
		r++;
	}
	*row = r;
	*col = editbuf_span_cells(s, start, e->cursor < end ? e->cursor : end,
	    flags);
}

/*
 * Move the cursor n screen rows down (n < 0: up), soft-wrapped at width,
 * keeping its cell column where the row is long enough.
 */
void
editbuf_move_rows(struct editbuf *e, int width, int flags, int n)
{
	const char	*s = editbuf_text(e);
	size_t		 start = 0, end, next, off;
	uint32_t	 c;
	int		 row, col, target, used = 0, r, w, k;

	editbuf_cursor_cell(e, width, flags, &row, &col);
	target = row + n;
	if (target < 0)
		target = 0;
	for (r = 0;; r++) {
		end = editbuf_wrap(s, e->text.len, start, width, flags, &next);
		if (r == target || end == e->text.len)
			break;
		start = next;
	}
	off = start;
	while (off < end) {
		k = utf8_decode(s + off, end - off, &c);
		w = editbuf_cells(c, flags);
		if (used + w > col)
			break;
		used += w;
		off += (size_t)k;
	}
	/* The end of a row broken inside a word shows on the next row. */
	if (off == end && end == next && end < e->text.len && off > start)
		off = utf8_prev(s, off);
	e->cursor = off;
}
