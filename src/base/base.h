/* base.h: the public interface of the base part (no curses, SQLite or network). */
#ifndef TRIAGE_BASE_H
#define TRIAGE_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <libintl.h>
#define _(s)	gettext(s)
#define N_(s)	(s)
/* A message in a context, for words with two meanings ("pending"). */
#define C_(ctx, s)	gettext_ctx(ctx "\004" s, s)
#define NC_(ctx, s)	(s)	/* marked for C_ later, with that context */
const char	*gettext_ctx(const char *, const char *);
const char	*gettext_ctx_table(const char *ctx, const char *msgid);
/* A table's text translated; "" stays "" (gettext("") is the header). */
#define TR(s)	(*(s) != '\0' ? gettext(s) : "")

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#ifndef __dead
#define __dead	__attribute__((__noreturn__))
#endif
#define printflike(a, b) __attribute__((__format__(__printf__, a, b)))

/* xmalloc.c: allocation that aborts on exhaustion. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) printflike(2, 3);
int	 xvasprintf(char **, const char *, va_list) printflike(2, 0);
char	*xprintf(const char *, ...) printflike(1, 2);	/* Caller frees. */
void	 freezero_str(char *);

/* buf.c: growable byte buffers, always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};
#define BUF_INIT	{ NULL, 0, 0 }
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_grow(struct buf *, size_t);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, int);
void	 buf_printf(struct buf *, const char *, ...) printflike(2, 3);
void	 buf_vprintf(struct buf *, const char *, va_list) printflike(2, 0);
void	 buf_truncate(struct buf *, size_t);
const char *buf_cstr(struct buf *);		/* never NULL */
char	*buf_detach(struct buf *);		/* Caller frees. */
int	 buf_read_file(struct buf *, const char *, size_t, char **);
int	 buf_write_file(const char *, const void *, size_t, mode_t, char **);
int	 fd_write_all(int, const void *, size_t);
int	 buf_read_fd(struct buf *, int, size_t, char **);

/* jscan.c: one token at a time from JSON text that it unescapes in place. */
enum {
	JT_ERROR, JT_END, JT_OBJECT, JT_OBJECT_END, JT_ARRAY, JT_ARRAY_END,
	JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL
};
struct jscan {
	char		*start, *p, *end;
	const char	*error;		/* set with JT_ERROR */
	size_t		 where;		/* the error's byte offset */
	char		*str;		/* JT_STRING: NUL-terminated */
	size_t		 len;
	int		 key;		/* the string names an object member */
	int64_t		 num;		/* JT_NUMBER, when integral */
	int		 integral;
	int		 stack[32];
	int		 depth, need, empty, inval, done;
};
void	 jscan_init(struct jscan *, char *, size_t);
int	 jscan_next(struct jscan *);
int	 jscan_skip(struct jscan *, int);
void	 buf_json_string(struct buf *, const char *);

/* base64.c */
void	 buf_base64(struct buf *, const void *, size_t);

/* editbuf.c: UTF-8 text with a cursor (a byte offset on a character start). */
struct editbuf {
	struct buf	 text;
	size_t		 cursor;
};
void	 editbuf_init(struct editbuf *, const char *);
void	 editbuf_free(struct editbuf *);
void	 editbuf_set(struct editbuf *, const char *);
void	 editbuf_insert(struct editbuf *, uint32_t);
void	 editbuf_insert_bytes(struct editbuf *, const char *, size_t);
void	 editbuf_backspace(struct editbuf *);
void	 editbuf_delete(struct editbuf *);
void	 editbuf_left(struct editbuf *);
void	 editbuf_right(struct editbuf *);
void	 editbuf_home(struct editbuf *);
void	 editbuf_end(struct editbuf *);
void	 editbuf_up(struct editbuf *);
void	 editbuf_down(struct editbuf *);
void	 editbuf_kill_line(struct editbuf *);
void	 editbuf_kill_bol(struct editbuf *);
void	 editbuf_kill_word(struct editbuf *);
size_t	 editbuf_column(const struct editbuf *);
const char *editbuf_text(const struct editbuf *);
size_t	 editbuf_wrap(const char *, size_t, size_t, int, int, size_t *);
int	 editbuf_rows(const struct editbuf *, int, int);
void	 editbuf_cursor_cell(const struct editbuf *, int, int, int *, int *);
void	 editbuf_move_rows(struct editbuf *, int, int, int);

/* log.c: logging to a file or stderr; never to the terminal while curses runs. */
enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};
void	 log_open(const char *path, enum log_level);	/* NULL: stderr */
void	 log_set_quiet(int);
void	 log_close(void);
void	 log_warnx(const char *, ...) printflike(1, 2);
void	 log_info(const char *, ...) printflike(1, 2);
void	 log_debug(const char *, ...) printflike(1, 2);
__dead void fatalx(const char *, ...) printflike(1, 2);
__dead void fatal(const char *, ...) printflike(1, 2);

/* numfmt.c: numbers for people, in the locale's format. */
const char *num_count(char *, size_t, long long);	/* "12,345" */
const char *num_permille(char *, size_t, long long);	/* "70.5%" */

/* utf8.c: UTF-8 decoding and validation. */
#define UTF8_REPLACEMENT	0xfffd
int	 utf8_decode(const char *, size_t, uint32_t *);	/* bytes used, >= 1 */
int	 utf8_encode(uint32_t, char *);			/* bytes written */
int	 utf8_valid(const char *, size_t);
size_t	 utf8_strlen(const char *);			/* code points */
size_t	 utf8_prev(const char *, size_t);		/* start of previous char */
size_t	 utf8_next(const char *, size_t, size_t);	/* start of next char */
void	 buf_utf8_repair(struct buf *, const char *, size_t);

/* sanitize.c: the one gate between data and the terminal. */
void	 sanitize_locale(void);	/* after setlocale() */
int	 sanitize_locale_ascii(void);
int	 sanitize_is_forbidden(uint32_t);
int	 sanitize_width(uint32_t);
void	 sanitize_line(struct buf *, const char *, size_t, int flags);
int	 sanitize_width_str(const char *, size_t);
size_t	 sanitize_fit(struct buf *, const char *, size_t, int cols, int flags);
#define SANITIZE_KEEP_NEWLINES	0x1	/* keep \n (multi-line bodies) */
#define SANITIZE_ASCII		0x2	/* non-ASCII shown as '?' (LANG=C) */

/* thread.c */
void	 thread_background(void);

/* uuid.c: UUID version 7, as 36-character strings. */
#define UUID_STRLEN	36
void	 uuid_v7(char out[UUID_STRLEN + 1]);
void	 uuid_v7_from(char out[UUID_STRLEN + 1], int64_t ms, const uint8_t rnd[10]);
int	 uuid_valid(const char *);
int64_t	 uuid_v7_time(const char *);

/* timeutil.c: UTC epoch milliseconds. */
int64_t	 time_now_ms(void);
int64_t	 time_mono_ns(void);
void	 time_set_now_ms(int64_t);		/* tests: freeze "now"; 0 thaws */
int	 time_parse_rfc3339(const char *, int64_t *);
#define TIME_RFC3339_SIZE	64
void	 time_format_rfc3339(int64_t, char out[TIME_RFC3339_SIZE]);
int	 time_parse_duration(const char *, int64_t *);	/* "7d", "2h", "90m" -> ms */
#define TIME_DATE_HOURS	0x1
#define TIME_DATE_UTC	0x2
void	 time_format_date(int64_t, int flags, char *, size_t);
void	 time_format_relative(int64_t ms, char *out, size_t);	/* "3h", "2d" */
void	 time_format_countdown(int64_t ms, char *out, size_t);	/* "1h20m", "-3d" */

/* rng.c: a small seeded generator (xoshiro256**) for deterministic data. */
struct rng {
	uint64_t	s[4];
};
void	 rng_seed(struct rng *, uint64_t);
uint64_t rng_next(struct rng *);
uint32_t rng_below(struct rng *, uint32_t);	/* uniform in [0, n) */
int	 rng_range(struct rng *, int lo, int hi);	/* inclusive */
double	 rng_double(struct rng *);		/* [0, 1) */
int	 rng_chance(struct rng *, double);
void	 rng_bytes(struct rng *, uint8_t *, size_t);
/* FNV-1a, 64 bits: a fast hash for keys and names, not for security. */
#define HASH_FNV1A_INIT	14695981039346656037ULL
uint64_t hash_fnv1a(uint64_t, const void *, size_t);
void	 random_bytes(void *, size_t);		/* from the kernel */

/* paths.c: XDG directories. Caller frees. */
char	*path_data_dir(void);		/* $XDG_DATA_HOME/triage */
char	*path_config_file(void);	/* $XDG_CONFIG_HOME/triage/config */
char	*path_state_dir(void);		/* $XDG_STATE_HOME/triage */
int	 path_mkdirs(const char *, mode_t, char **);
int	 secret_read(const char *, char **, char **);	/* a 0600 file's first line */

/* config.c: the INI config file (libinih). */
struct config;
struct config_key {
	const char	*section;
	const char	*name;	/* "*" accepts any name in the section */
	const char	*help;
};
struct config	*config_new(void);
int	 config_load(struct config *, const char *path,
	     const struct config_key *known, char **cause);
const char *config_get(struct config *, const char *section, const char *name);
size_t	 config_count(struct config *, const char *section);
int	 config_entry(struct config *, const char *section, size_t idx,
	     const char **name, const char **value);
const char *config_warnings(struct config *);	/* unknown keys, one per line */
void	 config_free(struct config *);

#endif
