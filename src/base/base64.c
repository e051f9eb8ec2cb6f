/* base64.c: standard base64 encoding (RFC 4648) into a buffer. */
#include "config.h"

#include "base.h"

/* Append the base64 encoding of n bytes to b. */
void
buf_base64(struct buf *b, const void *data, size_t n)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = data;
	size_t			 i;
	uint32_t		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		buf_putc(b, tab[v >> 18]);
		buf_putc(b, tab[(v >> 12) & 63]);
		buf_putc(b, tab[(v >> 6) & 63]);
		buf_putc(b, tab[v & 63]);
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		buf_putc(b, tab[v >> 18]);
		buf_putc(b, tab[(v >> 12) & 63]);
		buf_puts(b, "==");
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		buf_putc(b, tab[v >> 18]);
		buf_putc(b, tab[(v >> 12) & 63]);
		buf_putc(b, tab[(v >> 6) & 63]);
		buf_putc(b, '=');
	}
}
