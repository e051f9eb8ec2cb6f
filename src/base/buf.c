/* buf.c: growable byte buffers that are always NUL-terminated. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"

/* Initialise an empty buffer. */
void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->size = 0;
}

/* Free a buffer's storage and leave it empty. */
void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Empty a buffer, keeping its storage. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for at least n more bytes and the terminator. */
void
buf_grow(struct buf *b, size_t n)
{
	size_t	 need, size;

	if (n > SIZE_MAX - b->len - 1)
		fatalx("buf_grow: overflow");
	need = b->len + n + 1;
	if (need <= b->size)
		return;
	size = b->size == 0 ? 64 : b->size;
	while (size < need)
		size = size > SIZE_MAX / 2 ? need : size * 2;
	b->data = xreallocarray(b->data, 1, size);
	b->size = size;
}

/* Append n bytes. */
void
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a string. */
void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

/* Append one byte. */
void
buf_putc(struct buf *b, int c)
{
	char	 ch = (char)c;

	buf_append(b, &ch, 1);
}

/* Append formatted text. */
void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatalx("buf_vprintf: bad format");
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

/* Append formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Shorten the buffer to n bytes. */
void
buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}

/* The contents as a string; "" when empty. */
const char *
buf_cstr(struct buf *b)
{
	if (b->data == NULL)
		return ("");
	return (b->data);
}

/* Take the storage out of the buffer, leaving it empty. Caller frees. */
char *
buf_detach(struct buf *b)
{
	char	*p;

	if (b->data == NULL)
		return (xstrdup(""));
	p = b->data;
	buf_init(b);
	return (p);
}

/* Append everything readable from fd, refusing more than max bytes. */
int
buf_read_fd(struct buf *b, int fd, size_t max, char **cause)
{
	char	 tmp[65536];
	ssize_t	 n;
	size_t	 start = b->len;

	for (;;) {
		n = read(fd, tmp, sizeof tmp);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xprintf("%s", strerror(errno));
			buf_truncate(b, start);
			return (-1);
		}
		if (n == 0)
			break;
		if (max != 0 && b->len - start + (size_t)n > max) {
			*cause = xprintf(_("larger than %zu bytes"), max);
			buf_truncate(b, start);
			return (-1);
		}
		buf_append(b, tmp, (size_t)n);
	}
	return (0);
}

/* Append a whole file ("-" is stdin), refusing more than max bytes. */
int
buf_read_file(struct buf *b, const char *path, size_t max, char **cause)
{
	int	 fd, rc;
	char	*why = NULL;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	rc = buf_read_fd(b, fd, max, &why);
	if (rc != 0) {
		*cause = xprintf("%s: %s", path, why);
		free(why);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return (rc);
}

/* Write all of p to fd; -1 with errno on failure. */
int
fd_write_all(int fd, const void *p, size_t len)
{
	const char	*s = p;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		s += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Make (or replace) the file path holding len bytes of p. */
int
buf_write_file(const char *path, const void *p, size_t len, mode_t mode,
    char **cause)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1 || fd_write_all(fd, p, len) != 0) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	if (close(fd) != 0) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}
