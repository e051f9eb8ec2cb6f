/* fuzz-editbuf.c: fuzz the composer's editing buffer with random edit sequences. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* The cursor must sit inside the text on a character start, text valid. */
static void
check(const struct editbuf *e)
{
	const char	*s = editbuf_text(e);
	size_t		 len = strlen(s);

	if (len != e->text.len || e->cursor > len)
		abort();
	if (e->cursor < len && ((unsigned char)s[e->cursor] & 0xc0) == 0x80)
		abort();
	if (!utf8_valid(s, len) && len > 0)
		abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Each input byte is an operation; insert operations take the next three
 * bytes as a code point (surrogates and out-of-range values included, which
 * must become U+FFFD, never invalid UTF-8).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct editbuf	 e;
	size_t		 i = 0;
	uint32_t	 c;

	editbuf_init(&e, NULL);
	while (i < size) {
		switch (data[i++] % 16) {
		case 0:
		case 1:
		case 2:
			c = 0;
			if (i + 3 <= size) {
				c = (uint32_t)data[i] << 16 |
				    (uint32_t)data[i + 1] << 8 | data[i + 2];
				i += 3;
			}
			if (c == 0)
				c = 'a';
			editbuf_insert(&e, c % 0x110100);
			break;
		case 3:
			editbuf_insert(&e, '\n');
			break;
		case 4:
			editbuf_backspace(&e);
			break;
		case 5:
			editbuf_delete(&e);
			break;
		case 6:
			editbuf_left(&e);
			break;
		case 7:
			editbuf_right(&e);
			break;
		case 8:
			editbuf_up(&e);
			break;
		case 9:
			editbuf_down(&e);
			break;
		case 10:
			editbuf_home(&e);
			break;
		case 11:
			editbuf_end(&e);
			break;
		case 12:
			editbuf_kill_line(&e);
			break;
		case 13:
			editbuf_kill_bol(&e);
			break;
		case 14:
			editbuf_kill_word(&e);
			break;
		case 15:
			editbuf_insert_bytes(&e, "é漢😀", strlen("é漢😀"));
			break;
		}
		check(&e);
		(void)editbuf_column(&e);
	}
	editbuf_free(&e);
	return (0);
}
