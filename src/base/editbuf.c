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

/* Insert one code point at the cursor (invalid ones become U+FFFD). */
void
editbuf_insert(struct editbuf *e, uint32_t c)
{
	char	 enc[4];
	int	 n;

	n = utf8_encode(c, enc);
	editbuf_insert_bytes(e, enc, (size_t)n);
}

/* Insert bytes at the cursor, moving it past them. */
void
editbuf_insert_bytes(struct editbuf *e, const char *s, size_t n)
{
	size_t	 tail = e->text.len - e->cursor;

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
