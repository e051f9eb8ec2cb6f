/* jscan.c: a strict, allocation-free JSON scanner for big documents read once. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"

/*
 * jansson builds a tree of allocated values; for a pulled page of ten
 * thousand rows that costs more than writing the rows to SQLite. This
 * scanner walks the text once and hands out one token at a time. Strings
 * are unescaped in place (an escape is never shorter than what it stands
 * for), so a string stays valid, NUL-terminated, until the caller frees
 * the text. It accepts exactly RFC 8259 JSON in UTF-8 and nothing else:
 * a string with a NUL (\u0000) or a lone surrogate is refused too, since
 * neither can be stored as text.
 */

#define JS_IN_OBJECT	1
#define JS_IN_ARRAY	2

static int
js_fail(struct jscan *js, const char *why)
{
	if (js->error == NULL) {
		js->error = why;
		js->where = (size_t)(js->p - js->start);
	}
	return (JT_ERROR);
}

void
jscan_init(struct jscan *js, char *text, size_t len)
{
	static char	 empty[1];

	/* An empty body may have no buffer at all: NULL + 0 is undefined. */
	if (text == NULL) {
		text = empty;
		len = 0;
	}
	memset(js, 0, sizeof *js);
	js->start = js->p = text;
	js->end = text + len;
}

static void
js_space(struct jscan *js)
{
	while (js->p < js->end && (*js->p == ' ' || *js->p == '\n' ||
	    *js->p == '\r' || *js->p == '\t'))
		js->p++;
}

static int
js_hex4(const char *p, uint32_t *out)
{
	uint32_t	 v = 0;
	int		 i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return (-1);
	}
	*out = v;
	return (0);
}

static char *
js_put_utf8(char *o, uint32_t c)
{
	if (c < 0x80)
		*o++ = (char)c;
	else if (c < 0x800) {
		*o++ = (char)(0xc0 | (c >> 6));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | (c >> 12));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (c >> 18));
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return (o);
}

/* A string after its opening quote: unescaped in place into js->str. */
static int
js_string(struct jscan *js)
{
	char		*o = js->p, *p = js->p;
	uint32_t	 c, lo;
	size_t		 n;

	js->str = o;
	for (;;) {
		/* The common case: a run of plain ASCII. */
		while (p < js->end && (unsigned char)*p >= 0x20 &&
		    (unsigned char)*p < 0x80 && *p != '"' && *p != '\\')
			*o++ = *p++;
		if (p >= js->end) {
			js->p = p;
			return (js_fail(js, "an unterminated string"));
		}
		if (*p == '"')
			break;
		if ((unsigned char)*p >= 0x80) {
			if ((n = (size_t)utf8_decode(p, (size_t)(js->end - p),
			    &c)) == 1) {
				js->p = p;
				return (js_fail(js, "invalid UTF-8"));
			}
			memmove(o, p, n);
			o += n;
			p += n;
			continue;
		}
		if ((unsigned char)*p < 0x20) {
			js->p = p;
			return (js_fail(js, "a control character in a string"));
		}
		/* A backslash. */
		if (js->end - p < 2) {
			js->p = p;
			return (js_fail(js, "an unterminated string"));
		}
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			*o++ = p[1];
			p += 2;
			continue;
		case 'b':
			*o++ = '\b';
			p += 2;
			continue;
		case 'f':
			*o++ = '\f';
			p += 2;
			continue;
		case 'n':
			*o++ = '\n';
			p += 2;
			continue;
		case 'r':
			*o++ = '\r';
			p += 2;
			continue;
		case 't':
			*o++ = '\t';
			p += 2;
			continue;
		case 'u':
			break;
		default:
			js->p = p;
			return (js_fail(js, "a bad escape in a string"));
		}
		if (js->end - p < 6 || js_hex4(p + 2, &c) != 0) {
			js->p = p;
			return (js_fail(js, "a bad \\u escape in a string"));
		}
		p += 6;
		if (c >= 0xdc00 && c <= 0xdfff) {
			js->p = p - 6;
			return (js_fail(js, "a lone surrogate in a string"));
		}
		if (c >= 0xd800 && c <= 0xdbff) {
			if (js->end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
			    js_hex4(p + 2, &lo) != 0 || lo < 0xdc00 ||
			    lo > 0xdfff) {
				js->p = p - 6;
				return (js_fail(js, "a lone surrogate in a "
				    "string"));
			}
			p += 6;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (c == 0) {
			js->p = p - 6;
			return (js_fail(js, "a NUL character in a string"));
		}
		o = js_put_utf8(o, c);
	}
	*o = '\0';
	js->len = (size_t)(o - js->str);
	js->p = p + 1;
	return (JT_STRING);
}

/* A number: only integers fit in int64_t; others keep their text. */
static int
js_number(struct jscan *js)
{
	const char	*p = js->p;
	int		 neg = 0, integral = 1;
	uint64_t	 v = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p < js->end && *p == '0')
		p++;
	else if (p < js->end && *p >= '1' && *p <= '9') {
		while (p < js->end && *p >= '0' && *p <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				integral = 0;
			v = v * 10 + (uint64_t)(*p - '0');
			p++;
		}
	} else
		return (js_fail(js, "a bad number"));
	if (p < js->end && *p == '.') {
		integral = 0;
		if (++p >= js->end || *p < '0' || *p > '9')
			return (js_fail(js, "a bad number"));
		while (p < js->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < js->end && (*p == 'e' || *p == 'E')) {
		integral = 0;
		p++;
		if (p < js->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= js->end || *p < '0' || *p > '9')
			return (js_fail(js, "a bad number"));
		while (p < js->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (integral && v > (neg ? (uint64_t)INT64_MAX + 1 :
	    (uint64_t)INT64_MAX))
		integral = 0;
	js->integral = integral;
	js->num = integral ? (neg ? (int64_t)(0 - v) : (int64_t)v) : 0;
	js->p = (char *)p;
	return (JT_NUMBER);
}

static int
js_word(struct jscan *js, const char *w, size_t n, int tok)
{
	if ((size_t)(js->end - js->p) < n || memcmp(js->p, w, n) != 0)
		return (js_fail(js, "an unexpected word"));
	js->p += n;
	return (tok);
}

/*
 * The next token. Inside an object a JT_STRING with js->key set is a
 * member's name; its value follows. JT_END after the one top-level value
 * (and nothing but space after it), JT_ERROR with js->error and js->where
 * on anything that is not JSON; an error is sticky.
 */
int
jscan_next(struct jscan *js)
{
	int	 top, tok;

	if (js->error != NULL)
		return (JT_ERROR);
	js_space(js);
	top = js->depth > 0 ? js->stack[js->depth - 1] : 0;
	js->key = 0;
	if (js->p >= js->end) {
		if (js->depth == 0 && js->done)
			return (JT_END);
		return (js_fail(js, "the text ends too soon"));
	}
	if (js->depth == 0 && js->done)
		return (js_fail(js, "text after the end"));
	/* Closing a container, or the separator before the next item. */
	if (top != 0 && (*js->p == '}' || *js->p == ']')) {
		if ((*js->p == '}') != (top == JS_IN_OBJECT) || js->inval ||
		    (js->need && !js->empty))
			return (js_fail(js, "a misplaced bracket"));
		js->p++;
		js->depth--;
		js->need = 0;
		js->empty = 0;
		if (js->depth == 0)
			js->done = 1;
		return (top == JS_IN_OBJECT ? JT_OBJECT_END : JT_ARRAY_END);
	}
	if (top != 0 && !js->need) {
		if (*js->p != ',')
			return (js_fail(js, "a missing comma"));
		js->p++;
		js_space(js);
		js->need = 1;
		js->empty = 0;
		if (js->p >= js->end)
			return (js_fail(js, "the text ends too soon"));
		if (*js->p == '}' || *js->p == ']')
			return (js_fail(js, "a trailing comma"));
	}
	if (top == JS_IN_OBJECT && !js->inval) {
		/* A member's name, then its colon. */
		if (*js->p != '"')
			return (js_fail(js, "an object member without a name"));
		js->p++;
		if (js_string(js) != JT_STRING)
			return (JT_ERROR);
		js_space(js);
		if (js->p >= js->end || *js->p != ':')
			return (js_fail(js, "a missing colon"));
		js->p++;
		js->inval = 1;
		js->key = 1;
		return (JT_STRING);
	}
	js->inval = 0;
	switch (*js->p) {
	case '{':
	case '[':
		if (js->depth == (int)nitems(js->stack))
			return (js_fail(js, "nested too deep"));
		js->stack[js->depth++] = *js->p == '{' ? JS_IN_OBJECT :
		    JS_IN_ARRAY;
		tok = *js->p == '{' ? JT_OBJECT : JT_ARRAY;
		js->p++;
		js->need = 1;
		js->empty = 1;
		return (tok);
	case '"':
		js->p++;
		tok = js_string(js);
		break;
	case 't':
		tok = js_word(js, "true", 4, JT_TRUE);
		break;
	case 'f':
		tok = js_word(js, "false", 5, JT_FALSE);
		break;
	case 'n':
		tok = js_word(js, "null", 4, JT_NULL);
		break;
	default:
		if (*js->p == '-' || (*js->p >= '0' && *js->p <= '9'))
			tok = js_number(js);
		else
			tok = js_fail(js, "an unexpected character");
		break;
	}
	if (tok == JT_ERROR)
		return (tok);
	js->need = 0;
	js->empty = 0;
	if (js->depth == 0)
		js->done = 1;
	return (tok);
}

/* Skip the value whose first token was tok (a container's whole body). */
int
jscan_skip(struct jscan *js, int tok)
{
	int	 depth;

	if (tok != JT_OBJECT && tok != JT_ARRAY)
		return (tok == JT_ERROR ? -1 : 0);
	depth = js->depth - 1;
	while (js->depth > depth) {
		if (jscan_next(js) == JT_ERROR)
			return (-1);
	}
	return (0);
}

/* Append s to b as a JSON string (quoted, escaped; UTF-8 kept as it is). */
void
buf_json_string(struct buf *b, const char *s)
{
	const unsigned char	*p;

	buf_putc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, *p);
		} else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_putc(b, *p);
	}
	buf_putc(b, '"');
}
