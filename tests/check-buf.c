/* check-buf.c: struct buf, file reading into buffers, and the x*printf helpers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "base/base.h"

/* An assertion for hot loops (ck_assert reports every pass to the parent). */
#define QUICK_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* Write len bytes to a new temporary file; returns its path. Caller frees. */
static char *
write_temp(const void *data, size_t len)
{
	const char	*tmp;
	char		*path;
	int		 fd;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	path = xprintf("%s/check-buf.XXXXXX", tmp);
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return (path);
}

/* A deterministic pattern byte for position i (includes NUL bytes). */
static char
pattern(size_t i)
{
	return ((char)((i * 7 + i / 251) & 0xff));
}

/* Check that b holds exactly len bytes of pattern() and is terminated. */
static void
check_pattern(const struct buf *b, size_t len)
{
	size_t	 i;

	ck_assert_uint_eq(b->len, len);
	ck_assert_ptr_nonnull(b->data);
	ck_assert_uint_gt(b->size, b->len);
	for (i = 0; i < len; i++)
		QUICK_ASSERT(b->data[i] == pattern(i), "byte %zu differs", i);
	ck_assert_int_eq(b->data[len], '\0');
}

START_TEST(empty_buffer_reads_as_empty_string)
{
	struct buf	 b = BUF_INIT;
	struct buf	 b2;

	ck_assert_str_eq(buf_cstr(&b), "");
	ck_assert_uint_eq(b.len, 0);
	buf_init(&b2);
	ck_assert_str_eq(buf_cstr(&b2), "");
	ck_assert_ptr_null(b2.data);
	buf_free(&b);
	buf_free(&b2);
}
END_TEST

START_TEST(append_grows_across_many_sizes)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[4096];
	size_t		 n, i, total = 0;

	/* Chunks of every size from 0 to 1500, then some large ones. */
	for (n = 0; n <= 1500; n++) {
		for (i = 0; i < n; i++)
			chunk[i] = pattern(total + i);
		buf_append(&b, chunk, n);
		total += n;
		QUICK_ASSERT(b.len == total && b.data[b.len] == '\0',
		    "length %zu, want %zu", b.len, total);
	}
	for (n = 0; n < 300; n++) {
		for (i = 0; i < sizeof chunk; i++)
			chunk[i] = pattern(total + i);
		buf_append(&b, chunk, sizeof chunk);
		total += sizeof chunk;
	}
	check_pattern(&b, total);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.size, 0);
}
END_TEST

START_TEST(append_of_zero_bytes_gives_terminated_storage)
{
	struct buf	 b = BUF_INIT;

	buf_append(&b, NULL, 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	buf_free(&b);
}
END_TEST

START_TEST(puts_and_putc_append_in_order)
{
	struct buf	 b = BUF_INIT;
	struct buf	 want = BUF_INIT;
	int		 i;

	for (i = 0; i < 2000; i++) {
		buf_puts(&b, "ab");
		buf_putc(&b, 'c' + i % 3);
		buf_puts(&b, "");
		buf_append(&want, "ab", 2);
		buf_putc(&want, 'c' + i % 3);
	}
	ck_assert_uint_eq(b.len, 6000);
	ck_assert_str_eq(buf_cstr(&b), buf_cstr(&want));
	buf_free(&b);
	buf_free(&want);
}
END_TEST

START_TEST(putc_stores_bytes_above_127_and_nul)
{
	struct buf	 b = BUF_INIT;

	buf_putc(&b, 0xff);
	buf_putc(&b, 0);
	buf_putc(&b, 'x');
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq((unsigned char)b.data[0], 0xff);
	ck_assert_int_eq(b.data[1], '\0');
	ck_assert_int_eq(b.data[2], 'x');
	ck_assert_int_eq(b.data[3], '\0');
	buf_free(&b);
}
END_TEST

START_TEST(printf_grows_across_many_sizes)
{
	struct buf	 b = BUF_INIT;
	struct buf	 want = BUF_INIT;
	char		*s;
	size_t		 n;

	for (n = 0; n < 700; n++) {
		s = xmalloc(n + 1);
		memset(s, 'a' + (int)(n % 26), n);
		s[n] = '\0';
		buf_printf(&b, "<%s|%zu|%d>", s, n, -(int)n);
		buf_append(&want, "<", 1);
		buf_puts(&want, s);
		free(s);
		s = xprintf("|%zu|%d>", n, -(int)n);
		buf_puts(&want, s);
		free(s);
		ck_assert_uint_eq(b.len, want.len);
	}
	ck_assert_str_eq(buf_cstr(&b), buf_cstr(&want));
	buf_free(&b);
	buf_free(&want);
}
END_TEST

START_TEST(printf_of_one_large_string)
{
	struct buf	 b = BUF_INIT;
	char		*s;
	size_t		 n = 1000000;

	s = xmalloc(n + 1);
	memset(s, 'z', n);
	s[n] = '\0';
	buf_puts(&b, "head:");
	buf_printf(&b, "%s:%s", s, "tail");
	ck_assert_uint_eq(b.len, 5 + n + 5);
	ck_assert_int_eq(strncmp(b.data, "head:zzz", 8), 0);
	ck_assert_str_eq(b.data + 5 + n, ":tail");
	free(s);
	buf_free(&b);
}
END_TEST

START_TEST(printf_of_empty_result_terminates)
{
	struct buf	 b = BUF_INIT;

	buf_printf(&b, "%s", "");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	buf_free(&b);
}
END_TEST

START_TEST(binary_data_with_nuls_is_kept)
{
	struct buf	 b = BUF_INIT;
	const char	 bin[] = { 'a', '\0', 'b', '\0', '\0', 'c' };

	buf_append(&b, bin, sizeof bin);
	buf_append(&b, bin, sizeof bin);
	ck_assert_uint_eq(b.len, 2 * sizeof bin);
	ck_assert_mem_eq(b.data, bin, sizeof bin);
	ck_assert_mem_eq(b.data + sizeof bin, bin, sizeof bin);
	ck_assert_int_eq(b.data[b.len], '\0');
	/* As a C string it stops at the first NUL; the length does not. */
	ck_assert_str_eq(buf_cstr(&b), "a");
	buf_free(&b);
}
END_TEST

START_TEST(truncate_shortens_and_never_lengthens)
{
	struct buf	 b = BUF_INIT;

	buf_puts(&b, "hello world");
	buf_truncate(&b, 5);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_str_eq(buf_cstr(&b), "hello");
	buf_truncate(&b, 100);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_str_eq(buf_cstr(&b), "hello");
	buf_truncate(&b, 5);
	ck_assert_str_eq(buf_cstr(&b), "hello");
	buf_truncate(&b, 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_puts(&b, "again");
	ck_assert_str_eq(buf_cstr(&b), "again");
	buf_free(&b);
}
END_TEST

START_TEST(truncate_of_empty_buffer_is_harmless)
{
	struct buf	 b = BUF_INIT;

	buf_truncate(&b, 0);
	buf_truncate(&b, 10);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_free(&b);
}
END_TEST

START_TEST(reset_empties_but_keeps_storage)
{
	struct buf	 b = BUF_INIT;
	char		*data;
	size_t		 size;

	buf_reset(&b);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_puts(&b, "some text that takes room");
	data = b.data;
	size = b.size;
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	ck_assert_ptr_eq(b.data, data);
	ck_assert_uint_eq(b.size, size);
	buf_puts(&b, "new");
	ck_assert_str_eq(buf_cstr(&b), "new");
	buf_free(&b);
}
END_TEST

START_TEST(detach_hands_over_storage_and_empties)
{
	struct buf	 b = BUF_INIT;
	char		*s;

	buf_puts(&b, "detached");
	s = buf_detach(&b);
	ck_assert_str_eq(s, "detached");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.size, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_puts(&b, "reuse");
	ck_assert_str_eq(buf_cstr(&b), "reuse");
	free(s);
	buf_free(&b);
}
END_TEST

START_TEST(detach_of_empty_buffer_gives_empty_string)
{
	struct buf	 b = BUF_INIT;
	char		*s;

	s = buf_detach(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
	buf_reset(&b);
	buf_append(&b, "", 0);
	s = buf_detach(&b);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(grow_reserves_room_without_changing_content)
{
	struct buf	 b = BUF_INIT;
	char		*data;

	buf_puts(&b, "abc");
	buf_grow(&b, 100000);
	ck_assert_uint_ge(b.size, 3 + 100000 + 1);
	ck_assert_str_eq(buf_cstr(&b), "abc");
	data = b.data;
	buf_append(&b, "d", 1);
	ck_assert_ptr_eq(b.data, data);
	ck_assert_str_eq(buf_cstr(&b), "abcd");
	buf_free(&b);
}
END_TEST

START_TEST(read_file_appends_whole_file)
{
	struct buf	 b = BUF_INIT;
	char		*data, *path, *cause = NULL;
	size_t		 n = 200003, i;	/* several read() chunks */

	data = xmalloc(n);
	for (i = 0; i < n; i++)
		data[i] = pattern(i);
	path = write_temp(data, n);
	ck_assert_int_eq(buf_read_file(&b, path, 0, &cause), 0);
	ck_assert_ptr_null(cause);
	check_pattern(&b, n);

	/* A second read appends after what is there. */
	buf_reset(&b);
	buf_puts(&b, "prefix");
	ck_assert_int_eq(buf_read_file(&b, path, n, &cause), 0);
	ck_assert_uint_eq(b.len, 6 + n);
	ck_assert_int_eq(strncmp(b.data, "prefix", 6), 0);
	ck_assert_mem_eq(b.data + 6, data, n);
	ck_assert_int_eq(b.data[b.len], '\0');

	unlink(path);
	free(path);
	free(data);
	buf_free(&b);
}
END_TEST

START_TEST(read_file_of_empty_file_appends_nothing)
{
	struct buf	 b = BUF_INIT;
	char		*path, *cause = NULL;

	path = write_temp("", 0);
	buf_puts(&b, "x");
	ck_assert_int_eq(buf_read_file(&b, path, 10, &cause), 0);
	ck_assert_str_eq(buf_cstr(&b), "x");
	unlink(path);
	free(path);
	buf_free(&b);
}
END_TEST

START_TEST(read_file_missing_names_path_and_reason)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL, *want;
	const char	*path = "/nonexistent/triage/check-buf/file";

	buf_puts(&b, "keep");
	ck_assert_int_eq(buf_read_file(&b, path, 0, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	want = xprintf("%s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(cause, want);
	ck_assert_str_eq(buf_cstr(&b), "keep");
	ck_assert_uint_eq(b.len, 4);
	free(want);
	free(cause);
	buf_free(&b);
}
END_TEST

START_TEST(read_file_of_directory_fails)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL;

	ck_assert_int_eq(buf_read_file(&b, "/", 0, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_int_eq(strncmp(cause, "/: ", 3), 0);
	ck_assert_uint_eq(b.len, 0);
	free(cause);
	buf_free(&b);
}
END_TEST

START_TEST(read_file_at_max_size_is_accepted)
{
	struct buf	 b = BUF_INIT;
	char		*path, *cause = NULL;
	char		 data[1000];

	memset(data, 'm', sizeof data);
	path = write_temp(data, sizeof data);
	ck_assert_int_eq(buf_read_file(&b, path, sizeof data, &cause), 0);
	ck_assert_uint_eq(b.len, sizeof data);
	unlink(path);
	free(path);
	buf_free(&b);
}
END_TEST

START_TEST(read_file_over_max_size_leaves_buffer_unchanged)
{
	struct buf	 b = BUF_INIT;
	char		*path, *cause = NULL;
	char		 data[1000];

	memset(data, 'm', sizeof data);
	path = write_temp(data, sizeof data);
	buf_puts(&b, "before");
	ck_assert_int_eq(buf_read_file(&b, path, sizeof data - 1, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_int_eq(strncmp(cause, path, strlen(path)), 0);
	ck_assert_ptr_nonnull(strstr(cause, "999"));
	ck_assert_uint_eq(b.len, 6);
	ck_assert_str_eq(buf_cstr(&b), "before");
	free(cause);
	unlink(path);
	free(path);
	buf_free(&b);
}
END_TEST

START_TEST(read_file_over_max_after_many_chunks_leaves_buffer_unchanged)
{
	struct buf	 b = BUF_INIT;
	char		*data, *path, *cause = NULL;
	size_t		 n = 300000;

	data = xcalloc(1, n);
	path = write_temp(data, n);
	buf_puts(&b, "before");
	ck_assert_int_eq(buf_read_file(&b, path, 200000, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_str_eq(buf_cstr(&b), "before");
	free(cause);
	unlink(path);
	free(path);
	free(data);
	buf_free(&b);
}
END_TEST

START_TEST(read_fd_reads_a_pipe_to_its_end)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL;
	int		 fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "through a pipe", 14), 14);
	close(fds[1]);
	ck_assert_int_eq(buf_read_fd(&b, fds[0], 0, &cause), 0);
	close(fds[0]);
	ck_assert_str_eq(buf_cstr(&b), "through a pipe");
	buf_free(&b);
}
END_TEST

START_TEST(read_fd_of_bad_descriptor_fails)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL;

	ck_assert_int_eq(buf_read_fd(&b, -1, 0, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, strerror(EBADF));
	free(cause);
	buf_free(&b);
}
END_TEST

START_TEST(xasprintf_returns_length_and_string)
{
	char	*s;
	int	 n;

	n = xasprintf(&s, "%s-%d-%c", "abc", 42, 'z');
	ck_assert_int_eq(n, 8);
	ck_assert_str_eq(s, "abc-42-z");
	free(s);
	n = xasprintf(&s, "%s", "");
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(xprintf_formats_long_strings)
{
	char	*big, *s;
	size_t	 n = 100000;

	big = xmalloc(n + 1);
	memset(big, 'q', n);
	big[n] = '\0';
	s = xprintf("[%s]%zu", big, n);
	ck_assert_uint_eq(strlen(s), n + 2 + 6);
	ck_assert_int_eq(s[0], '[');
	ck_assert_str_eq(s + n + 1, "]100000");
	free(s);
	free(big);
}
END_TEST

START_TEST(xstrndup_and_xstrdup_copy)
{
	char	*s;

	s = xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	free(s);
	s = xstrndup("ab", 10);
	ck_assert_str_eq(s, "ab");
	free(s);
	s = xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
	freezero_str(xstrdup("secret"));
	freezero_str(NULL);
}
END_TEST

START_TEST(xmalloc_of_zero_bytes_gives_memory)
{
	void	*p;

	p = xmalloc(0);
	ck_assert_ptr_nonnull(p);
	free(p);
	p = xcalloc(0, 10);
	ck_assert_ptr_nonnull(p);
	free(p);
	p = xreallocarray(NULL, 0, 0);
	ck_assert_ptr_nonnull(p);
	free(p);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("buf");

	tc = tcase_create("buffers");
	tcase_add_test(tc, empty_buffer_reads_as_empty_string);
	tcase_add_test(tc, append_grows_across_many_sizes);
	tcase_add_test(tc, append_of_zero_bytes_gives_terminated_storage);
	tcase_add_test(tc, puts_and_putc_append_in_order);
	tcase_add_test(tc, putc_stores_bytes_above_127_and_nul);
	tcase_add_test(tc, printf_grows_across_many_sizes);
	tcase_add_test(tc, printf_of_one_large_string);
	tcase_add_test(tc, printf_of_empty_result_terminates);
	tcase_add_test(tc, binary_data_with_nuls_is_kept);
	tcase_add_test(tc, truncate_shortens_and_never_lengthens);
	tcase_add_test(tc, truncate_of_empty_buffer_is_harmless);
	tcase_add_test(tc, reset_empties_but_keeps_storage);
	tcase_add_test(tc, detach_hands_over_storage_and_empties);
	tcase_add_test(tc, detach_of_empty_buffer_gives_empty_string);
	tcase_add_test(tc, grow_reserves_room_without_changing_content);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, read_file_appends_whole_file);
	tcase_add_test(tc, read_file_of_empty_file_appends_nothing);
	tcase_add_test(tc, read_file_missing_names_path_and_reason);
	tcase_add_test(tc, read_file_of_directory_fails);
	tcase_add_test(tc, read_file_at_max_size_is_accepted);
	tcase_add_test(tc, read_file_over_max_size_leaves_buffer_unchanged);
	tcase_add_test(tc,
	    read_file_over_max_after_many_chunks_leaves_buffer_unchanged);
	tcase_add_test(tc, read_fd_reads_a_pipe_to_its_end);
	tcase_add_test(tc, read_fd_of_bad_descriptor_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("xmalloc");
	tcase_add_test(tc, xasprintf_returns_length_and_string);
	tcase_add_test(tc, xprintf_formats_long_strings);
	tcase_add_test(tc, xstrndup_and_xstrdup_copy);
	tcase_add_test(tc, xmalloc_of_zero_bytes_gives_memory);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (testutil_run(buf_suite()));
}
