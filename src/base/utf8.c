/* utf8.c: strict UTF-8 decoding, encoding and validation. */
#include "config.h"

#include <string.h>

#include "base.h"

/*
 * Decode one code point from s (len bytes available). Returns the number of
 * bytes used, always at least 1; an invalid, overlong, surrogate or truncated
 * sequence yields U+FFFD and consumes one byte.
 */
int
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c, min;
	int			 n, i;

	if (len == 0) {
		*cp = UTF8_REPLACEMENT;
		return (1);
	}
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		goto bad;
	if ((size_t)n > len)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return (n);
bad:
	*cp = UTF8_REPLACEMENT;
	return (1);
}

/* Encode a code point into out (at least 4 bytes); returns bytes written. */
int
utf8_encode(uint32_t c, char *out)
{
	unsigned char	*u = (unsigned char *)out;

	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = UTF8_REPLACEMENT;
	if (c < 0x80) {
		u[0] = (unsigned char)c;
		return (1);
	}
	if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | (c >> 6));
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		return (2);
	}
	if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (c >> 12));
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		return (3);
	}
	u[0] = (unsigned char)(0xf0 | (c >> 18));
	u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
	u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	u[3] = (unsigned char)(0x80 | (c & 0x3f));
	return (4);
}

/* Is s (len bytes) entirely valid UTF-8? A NUL byte counts as invalid. */
int
utf8_valid(const char *s, size_t len)
{
	size_t		 i = 0;
	uint32_t	 cp;
	int		 n;

	while (i < len) {
		if (s[i] == '\0')
			return (0);
		n = utf8_decode(s + i, len - i, &cp);
		if (cp == UTF8_REPLACEMENT && n == 1)
			return (0);
		i += (size_t)n;
	}
	return (1);
}

/* The number of code points in a string (invalid bytes count one each). */
size_t
utf8_strlen(const char *s)
{
	size_t		 i = 0, n = 0, len = strlen(s);
	uint32_t	 cp;

	while (i < len) {
		i += (size_t)utf8_decode(s + i, len - i, &cp);
		n++;
	}
	return (n);
}

/*
 * The offset of the character before offset off: the inverse of utf8_next,
 * so an invalid byte counts as one character going backwards as well.
 */
size_t
utf8_prev(const char *s, size_t off)
{
	size_t		 i;
	uint32_t	 cp;

	if (off == 0)
		return (0);
	i = off - 1;
	while (i > 0 && off - i < 4 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	if (i + (size_t)utf8_decode(s + i, off - i, &cp) == off)
		return (i);
	return (off - 1);
}

/* The offset of the character after offset off in a string of len bytes. */
size_t
utf8_next(const char *s, size_t len, size_t off)
{
	uint32_t	 cp;

	if (off >= len)
		return (len);
	return (off + (size_t)utf8_decode(s + off, len - off, &cp));
}

/*
 * Append s (len bytes) to b with every invalid byte made U+FFFD: for text
 * that must be UTF-8 (JSON) but came partly from outside, such as a
 * parser's error that quotes the bytes near the fault.
 */
void
buf_utf8_repair(struct buf *b, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i = 0;
	char		 u[4];

	while (i < len) {
		i += (size_t)utf8_decode(s + i, len - i, &cp);
		buf_append(b, u, (size_t)utf8_encode(cp, u));
	}
}
