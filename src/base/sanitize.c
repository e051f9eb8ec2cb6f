/* sanitize.c: the display sanitiser, the only way data text reaches a terminal. */
#include "config.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "base.h"

/*
 * Code points that must never reach the terminal from data: C0 controls, DEL,
 * C1 controls, and the bidirectional formatting characters that reorder what
 * the reader sees (embeddings, overrides, isolates, marks).
 */
int
sanitize_is_forbidden(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return (1);
	if (c >= 0x202a && c <= 0x202e)		/* LRE RLE PDF LRO RLO */
		return (1);
	if (c >= 0x2066 && c <= 0x2069)		/* LRI RLI FSI PDI */
		return (1);
	if (c == 0x200e || c == 0x200f || c == 0x061c)	/* LRM RLM ALM */
		return (1);
	if (c == 0x2028 || c == 0x2029)		/* line/paragraph separator */
		return (1);
	if (c == 0xfeff)			/* zero-width no-break space */
		return (1);
	return (0);
}

/* Terminal cells a permitted code point takes: 0, 1 or 2; -1 if unprintable. */
int
sanitize_width(uint32_t c)
{
	int	 w;

	if (c < 0x80)
		return (c >= 0x20 && c != 0x7f ? 1 : -1);
	w = wcwidth((wchar_t)c);
	if (w < 0)
		return (-1);
	return (w > 2 ? 2 : w);
}

/* SANITIZE_ASCII for all when the locale's characters are not UTF-8. */
static int sanitize_default;

/*
 * Look at the locale (after setlocale): in one whose character set is not
 * UTF-8 (LANG unset on a jump host: "C", ANSI_X3.4-1968) a terminal shows
 * UTF-8 bytes as garbage, so every sanitised text comes out in ASCII, '?'
 * for the rest, as the console draws it there.
 */
void
sanitize_locale(void)
{
	sanitize_default = sanitize_locale_ascii() ? SANITIZE_ASCII : 0;
}

/* Whether the locale's characters are not UTF-8: show ASCII only. */
int
sanitize_locale_ascii(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return (cs == NULL || strcasecmp(cs, "UTF-8") != 0);
}

/*
 * Decode the next character for display: forbidden and unprintable code
 * points and invalid bytes become U+FFFD (or '?' in ASCII mode), a tab becomes
 * a space, a line break ("\n" or "\r\n") a newline or, on one line, a space.
 * Sets *out and *width; returns bytes consumed.
 */
static int
sanitize_next(const char *s, size_t len, int flags, uint32_t *out, int *width)
{
	uint32_t	 c;
	int		 n, w;

	flags |= sanitize_default;
	n = utf8_decode(s, len, &c);
	if (c == '\r' && (size_t)n < len && s[n] == '\n') {
		c = '\n';
		n++;
	}
	if (c == '\n' && (flags & SANITIZE_KEEP_NEWLINES)) {
		*out = c;
		*width = 0;
		return (n);
	}
	if (c == '\t' || c == '\n')
		c = ' ';
	if (sanitize_is_forbidden(c) || (w = sanitize_width(c)) < 0) {
		c = UTF8_REPLACEMENT;
		w = 1;
	}
	if ((flags & SANITIZE_ASCII) && c >= 0x80) {
		c = '?';
		w = 1;
	}
	*out = c;
	*width = w;
	return (n);
}

/* Append the displayable form of s (len bytes) to b. */
void
sanitize_line(struct buf *b, const char *s, size_t len, int flags)
{
	size_t		 i = 0;
	uint32_t	 c;
	int		 w;
	char		 enc[4];

	while (i < len) {
		i += (size_t)sanitize_next(s + i, len - i, flags, &c, &w);
		buf_append(b, enc, (size_t)utf8_encode(c, enc));
	}
}

/* The display width of s (len bytes) once sanitised. */
int
sanitize_width_str(const char *s, size_t len)
{
	size_t		 i = 0;
	uint32_t	 c;
	int		 w, total = 0;

	while (i < len) {
		i += (size_t)sanitize_next(s + i, len - i, 0, &c, &w);
		total += w;
	}
	return (total);
}

/*
 * Append the sanitised form of s, cut to at most cols terminal cells; a wide
 * character that would straddle the edge is replaced by a space. Returns the
 * cells used.
 */
size_t
sanitize_fit(struct buf *b, const char *s, size_t len, int cols, int flags)
{
	size_t		 i = 0;
	uint32_t	 c;
	int		 w, used = 0;
	char		 enc[4];

	flags &= ~SANITIZE_KEEP_NEWLINES;
	while (i < len && used < cols) {
		i += (size_t)sanitize_next(s + i, len - i, flags, &c, &w);
		if (used + w > cols) {
			buf_putc(b, ' ');
			used++;
			break;
		}
		buf_append(b, enc, (size_t)utf8_encode(c, enc));
		used += w;
	}
	return ((size_t)used);
}
