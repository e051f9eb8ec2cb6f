/* fuzz-sanitize.c: fuzz the display sanitiser; any forbidden byte in its output aborts. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Abort unless out is valid UTF-8 free of every control and bidi override. */
static void
check_clean(const char *out, size_t len, int newlines)
{
	size_t		 i = 0;
	uint32_t	 c;
	int		 n;

	while (i < len) {
		n = utf8_decode(out + i, len - i, &c);
		if (c == UTF8_REPLACEMENT && n == 1)
			abort();	/* invalid UTF-8 in the output */
		if (c == '\n' && newlines) {
			i += (size_t)n;
			continue;
		}
		if (sanitize_is_forbidden(c))
			abort();
		i += (size_t)n;
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 once;
	struct buf	 b = BUF_INIT;
	int		 flags, cols;
	size_t		 used;

	if (!once++)
		setlocale(LC_ALL, "C.UTF-8");
	if (size < 2)
		return (0);
	flags = data[0] & (SANITIZE_KEEP_NEWLINES | SANITIZE_ASCII);
	cols = data[1];
	data += 2;
	size -= 2;

	sanitize_line(&b, (const char *)data, size, flags);
	check_clean(b.data != NULL ? b.data : "", b.len,
	    flags & SANITIZE_KEEP_NEWLINES);
	if ((flags & SANITIZE_ASCII) && b.len > 0)
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] >= 0x80)
				abort();
	buf_reset(&b);
	used = sanitize_fit(&b, (const char *)data, size, cols, flags);
	if ((int)used > cols)
		abort();
	check_clean(b.data != NULL ? b.data : "", b.len, 0);
	buf_free(&b);
	return (0);
}
