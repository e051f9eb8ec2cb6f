/* check-config.c: the INI config file (libinih) and the XDG directories. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "base/base.h"

/* The temporary directory of the running test (each test runs in a fork). */
static char	*tmpdir;

static const struct config_key known_keys[] = {
	{ "general", "name", "your name" },
	{ "general", "editor", "the editor" },
	{ "server", "url", "the server" },
	{ "keys", "*", "key bindings" },
	{ NULL, NULL, NULL }
};

/* Check fixture: a fresh temporary directory. */
static void
setup_tmpdir(void)
{
	const char	*base;

	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	tmpdir = xprintf("%s/check-config.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		ck_abort_msg("mkdtemp: %s", strerror(errno));
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return (remove(path));
}

/* Check fixture: remove the temporary directory and all in it. */
static void
teardown_tmpdir(void)
{
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	tmpdir = NULL;
}

/* Write text to name in the temporary directory; returns the path. Caller frees. */
static char *
write_file(const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	path = xprintf("%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		ck_abort_msg("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	return (path);
}

/* Load text as a config file with the test's known keys, expecting success. */
static struct config *
load_ok(const char *text, char **pathp)
{
	struct config	*cfg;
	char		*path, *cause = NULL;

	path = write_file("config", text);
	cfg = config_new();
	if (config_load(cfg, path, known_keys, &cause) != 0)
		ck_abort_msg("config_load: %s", cause);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return (cfg);
}

/* Load text as a config file, expecting the failure want (PATH is the path). */
static void
load_fails(const char *text, const char *want_suffix)
{
	struct config	*cfg;
	char		*path, *cause = NULL, *want;

	path = write_file("config", text);
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, path, known_keys, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	want = xprintf("%s%s", path, want_suffix);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
	config_free(cfg);
}

START_TEST(values_are_read)
{
	struct config	*cfg;

	cfg = load_ok("[general]\nname = Ada Lovelace\neditor=vi\n"
	    "[server]\nurl = https://example.org/triage\n", NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), "Ada Lovelace");
	ck_assert_str_eq(config_get(cfg, "general", "editor"), "vi");
	ck_assert_str_eq(config_get(cfg, "server", "url"),
	    "https://example.org/triage");
	ck_assert_ptr_null(config_get(cfg, "general", "url"));
	ck_assert_ptr_null(config_get(cfg, "nosuch", "name"));
	ck_assert_str_eq(config_warnings(cfg), "");
	config_free(cfg);
}
END_TEST

START_TEST(lookups_ignore_case)
{
	struct config	*cfg;

	cfg = load_ok("[General]\nNAME = x\n", NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), "x");
	ck_assert_str_eq(config_get(cfg, "GENERAL", "Name"), "x");
	ck_assert_str_eq(config_warnings(cfg), "");
	config_free(cfg);
}
END_TEST

START_TEST(last_value_wins)
{
	struct config	*cfg;

	cfg = load_ok("[general]\nname = first\nname = second\n"
	    "[server]\nurl = u\n[general]\nname = third\n", NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), "third");
	config_free(cfg);
}
END_TEST

START_TEST(later_file_overrides_earlier)
{
	struct config	*cfg;
	char		*a, *b, *cause = NULL;

	a = write_file("a", "[general]\nname = from a\neditor = ed\n");
	b = write_file("b", "[general]\nname = from b\n");
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, a, known_keys, &cause), 0);
	ck_assert_int_eq(config_load(cfg, b, known_keys, &cause), 0);
	ck_assert_str_eq(config_get(cfg, "general", "name"), "from b");
	ck_assert_str_eq(config_get(cfg, "general", "editor"), "ed");
	free(a);
	free(b);
	config_free(cfg);
}
END_TEST

START_TEST(sections_keep_names_apart)
{
	struct config	*cfg;

	cfg = load_ok("[general]\nname = g\n[keys]\nname = k\n", NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), "g");
	ck_assert_str_eq(config_get(cfg, "keys", "name"), "k");
	config_free(cfg);
}
END_TEST

START_TEST(comments_and_quoting_follow_inih)
{
	struct config	*cfg;

	cfg = load_ok("; comment\n# comment\n[general]\n"
	    "name = Ada ; inline comment\neditor = vi#not a comment\n", NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), "Ada");
	ck_assert_str_eq(config_get(cfg, "general", "editor"),
	    "vi#not a comment");
	config_free(cfg);
}
END_TEST

START_TEST(unknown_key_reported_with_its_line)
{
	struct config	*cfg;
	char		*path, *want;

	cfg = load_ok(
	    "; triage configuration\n"		/* 1 */
	    "\n"				/* 2 */
	    "[general]\n"			/* 3 */
	    "# who I am\n"			/* 4 */
	    "name = Ada\n"			/* 5 */
	    "\n"				/* 6 */
	    "colour = blue\n"			/* 7 */
	    "editor = vi\n", &path);		/* 8 */
	want = xprintf("%s:7: unknown key [general] colour\n", path);
	ck_assert_str_eq(config_warnings(cfg), want);
	ck_assert_ptr_null(config_get(cfg, "general", "colour"));
	ck_assert_str_eq(config_get(cfg, "general", "editor"), "vi");
	free(want);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(unknown_keys_and_sections_all_reported)
{
	struct config	*cfg;
	char		*path, *want;

	cfg = load_ok("[general]\nbogus = 1\n[nosuch]\nname = 2\n"
	    "[server]\nurl = 3\nport = 4\n", &path);
	want = xprintf("%s:2: unknown key [general] bogus\n"
	    "%s:4: unknown key [nosuch] name\n"
	    "%s:7: unknown key [server] port\n", path, path, path);
	ck_assert_str_eq(config_warnings(cfg), want);
	ck_assert_str_eq(config_get(cfg, "server", "url"), "3");
	free(want);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(keys_before_any_section_are_unknown)
{
	struct config	*cfg;
	char		*path, *want;

	cfg = load_ok("name = x\n", &path);
	want = xprintf("%s:1: unknown key [] name\n", path);
	ck_assert_str_eq(config_warnings(cfg), want);
	free(want);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(wildcard_section_accepts_any_name)
{
	struct config	*cfg;

	cfg = load_ok("[keys]\nreply = r\nquit = q\nanything-at-all = x\n",
	    NULL);
	ck_assert_str_eq(config_warnings(cfg), "");
	ck_assert_str_eq(config_get(cfg, "keys", "reply"), "r");
	ck_assert_str_eq(config_get(cfg, "keys", "anything-at-all"), "x");
	ck_assert_uint_eq(config_count(cfg, "keys"), 3);
	config_free(cfg);
}
END_TEST

START_TEST(no_known_table_accepts_everything)
{
	struct config	*cfg;
	char		*path, *cause = NULL;

	path = write_file("config", "[x]\ny = z\n");
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, path, NULL, &cause), 0);
	ck_assert_str_eq(config_get(cfg, "x", "y"), "z");
	ck_assert_str_eq(config_warnings(cfg), "");
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(syntax_error_reported_with_its_line)
{
	load_fails("[general]\nname = Ada\n\n; fine so far\nthis is not ini\n"
	    "editor = vi\n", ":5: syntax error");
	load_fails("[general\nname = Ada\n", ":1: syntax error");
}
END_TEST

START_TEST(missing_file_is_not_an_error)
{
	struct config	*cfg;
	char		*path, *cause = NULL;

	path = xprintf("%s/does-not-exist", tmpdir);
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, path, known_keys, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(config_count(cfg, "general"), 0);
	ck_assert_str_eq(config_warnings(cfg), "");
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(directory_is_an_error)
{
	struct config	*cfg;
	char		*cause = NULL, *want;

	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, tmpdir, known_keys, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	want = xprintf("%s: %s", tmpdir, strerror(EISDIR));
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	config_free(cfg);
}
END_TEST

START_TEST(long_line_is_refused_not_cut)
{
	struct config	*cfg;
	struct buf	 text = BUF_INIT;
	char		*path, *cause = NULL, *want;
	int		 i;

	/* libinih reads 200-byte lines: the rest must not become a key. */
	buf_puts(&text, "[general]\n; comment\nname = ");
	for (i = 0; i < 300; i++)
		buf_putc(&text, i == 250 ? '=' : 'x');
	buf_puts(&text, "\neditor = vi\n");
	path = write_file("config", buf_cstr(&text));
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, path, known_keys, &cause), -1);
	want = xprintf("%s:3: line too long", path);
	ck_assert_str_eq(cause, want);
	ck_assert_ptr_null(config_get(cfg, "general", "name"));
	ck_assert_str_eq(config_get(cfg, "general", "editor"), "vi");
	ck_assert_str_eq(config_warnings(cfg), "");
	free(want);
	free(cause);
	free(path);
	config_free(cfg);
	buf_free(&text);
}
END_TEST

START_TEST(longest_line_that_fits_is_read_whole)
{
	struct config	*cfg;
	struct buf	 text = BUF_INIT, value = BUF_INIT;
	int		 i;

	/* 199 bytes before the newline is the most libinih takes. */
	for (i = 0; i < 199 - 7; i++)
		buf_putc(&value, 'a' + i % 26);
	buf_printf(&text, "[general]\nname = %s\neditor = x", buf_cstr(&value));
	cfg = load_ok(buf_cstr(&text), NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), buf_cstr(&value));
	ck_assert_str_eq(config_get(cfg, "general", "editor"), "x");
	ck_assert_uint_eq(config_count(cfg, "general"), 2);
	config_free(cfg);

	/* The same with no newline at the end of the file. */
	buf_reset(&text);
	buf_printf(&text, "[general]\nname = %s", buf_cstr(&value));
	cfg = load_ok(buf_cstr(&text), NULL);
	ck_assert_str_eq(config_get(cfg, "general", "name"), buf_cstr(&value));
	config_free(cfg);
	buf_free(&text);
	buf_free(&value);
}
END_TEST

START_TEST(nul_byte_is_refused)
{
	struct config	*cfg;
	char		*path, *cause = NULL, *want;
	FILE		*f;

	path = xprintf("%s/config", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fwrite("[general]\nname = a\0b\n", 1, 21, f);
	fclose(f);
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, path, known_keys, &cause), -1);
	want = xprintf("%s:2: NUL byte", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(count_and_entry_follow_file_order)
{
	struct config	*cfg;
	const char	*name, *value;

	cfg = load_ok("[keys]\nreply = r\n[general]\nname = n\n[keys]\n"
	    "quit = q\nreply = R\n", NULL);
	ck_assert_uint_eq(config_count(cfg, "keys"), 3);
	ck_assert_uint_eq(config_count(cfg, "KEYS"), 3);
	ck_assert_uint_eq(config_count(cfg, "general"), 1);
	ck_assert_uint_eq(config_count(cfg, "nosuch"), 0);
	ck_assert_int_eq(config_entry(cfg, "keys", 0, &name, &value), 0);
	ck_assert_str_eq(name, "reply");
	ck_assert_str_eq(value, "r");
	ck_assert_int_eq(config_entry(cfg, "keys", 1, &name, &value), 0);
	ck_assert_str_eq(name, "quit");
	ck_assert_str_eq(value, "q");
	ck_assert_int_eq(config_entry(cfg, "keys", 2, &name, &value), 0);
	ck_assert_str_eq(name, "reply");
	ck_assert_str_eq(value, "R");
	ck_assert_int_eq(config_entry(cfg, "keys", 3, &name, &value), -1);
	ck_assert_int_eq(config_entry(cfg, "nosuch", 0, &name, &value), -1);
	config_free(cfg);
}
END_TEST

START_TEST(empty_config_has_nothing)
{
	struct config	*cfg;
	const char	*name, *value;

	cfg = config_new();
	ck_assert_uint_eq(config_count(cfg, "general"), 0);
	ck_assert_ptr_null(config_get(cfg, "general", "name"));
	ck_assert_int_eq(config_entry(cfg, "general", 0, &name, &value), -1);
	ck_assert_str_eq(config_warnings(cfg), "");
	config_free(cfg);
	config_free(NULL);
}
END_TEST

START_TEST(paths_follow_xdg_variables)
{
	char	*p;

	setenv("HOME", "/home/ada", 1);
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	p = path_data_dir();
	ck_assert_str_eq(p, "/xdg/data/triage");
	free(p);
	p = path_config_file();
	ck_assert_str_eq(p, "/xdg/config/triage/config");
	free(p);
	p = path_state_dir();
	ck_assert_str_eq(p, "/xdg/state/triage");
	free(p);
}
END_TEST

START_TEST(paths_fall_back_to_home)
{
	char	*p;

	setenv("HOME", "/home/ada", 1);
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
	p = path_data_dir();
	ck_assert_str_eq(p, "/home/ada/.local/share/triage");
	free(p);
	p = path_config_file();
	ck_assert_str_eq(p, "/home/ada/.config/triage/config");
	free(p);
	p = path_state_dir();
	ck_assert_str_eq(p, "/home/ada/.local/state/triage");
	free(p);
}
END_TEST

START_TEST(paths_ignore_empty_and_relative_xdg)
{
	char	*p;

	/* The XDG spec: a relative or empty value is ignored. */
	setenv("HOME", "/home/ada", 1);
	setenv("XDG_DATA_HOME", "relative/data", 1);
	setenv("XDG_CONFIG_HOME", "", 1);
	setenv("XDG_STATE_HOME", "./state", 1);
	p = path_data_dir();
	ck_assert_str_eq(p, "/home/ada/.local/share/triage");
	free(p);
	p = path_config_file();
	ck_assert_str_eq(p, "/home/ada/.config/triage/config");
	free(p);
	p = path_state_dir();
	ck_assert_str_eq(p, "/home/ada/.local/state/triage");
	free(p);
}
END_TEST

START_TEST(mkdirs_creates_parents)
{
	char		*path, *cause = NULL;
	struct stat	 sb;

	umask(022);
	path = xprintf("%s/a/b/c", tmpdir);
	ck_assert_int_eq(path_mkdirs(path, 0700, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	/* Again: everything exists already. */
	ck_assert_int_eq(path_mkdirs(path, 0700, &cause), 0);
	free(path);

	path = xprintf("%s/d//e/", tmpdir);
	ck_assert_int_eq(path_mkdirs(path, 0755, &cause), 0);
	free(path);
	path = xprintf("%s/d/e", tmpdir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	free(path);
}
END_TEST

START_TEST(mkdirs_fails_on_file_in_the_way)
{
	char	*file, *path, *cause = NULL, *want;

	file = write_file("plain", "x");
	path = xprintf("%s/sub/dir", file);
	ck_assert_int_eq(path_mkdirs(path, 0700, &cause), -1);
	want = xprintf("%s/sub: %s", file, strerror(ENOTDIR));
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);

	/* The directory itself is a file: not a success. */
	cause = NULL;
	ck_assert_int_eq(path_mkdirs(file, 0700, &cause), -1);
	want = xprintf("%s: %s", file, strerror(ENOTDIR));
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(file);
}
END_TEST

START_TEST(mkdirs_refuses_empty_path)
{
	char	*cause = NULL;

	ck_assert_int_eq(path_mkdirs("", 0700, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
	tcase_add_test(tc, values_are_read);
	tcase_add_test(tc, lookups_ignore_case);
	tcase_add_test(tc, last_value_wins);
	tcase_add_test(tc, later_file_overrides_earlier);
	tcase_add_test(tc, sections_keep_names_apart);
	tcase_add_test(tc, comments_and_quoting_follow_inih);
	tcase_add_test(tc, unknown_key_reported_with_its_line);
	tcase_add_test(tc, unknown_keys_and_sections_all_reported);
	tcase_add_test(tc, keys_before_any_section_are_unknown);
	tcase_add_test(tc, wildcard_section_accepts_any_name);
	tcase_add_test(tc, no_known_table_accepts_everything);
	tcase_add_test(tc, syntax_error_reported_with_its_line);
	tcase_add_test(tc, missing_file_is_not_an_error);
	tcase_add_test(tc, directory_is_an_error);
	tcase_add_test(tc, long_line_is_refused_not_cut);
	tcase_add_test(tc, longest_line_that_fits_is_read_whole);
	tcase_add_test(tc, nul_byte_is_refused);
	tcase_add_test(tc, count_and_entry_follow_file_order);
	tcase_add_test(tc, empty_config_has_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
	tcase_add_test(tc, paths_follow_xdg_variables);
	tcase_add_test(tc, paths_fall_back_to_home);
	tcase_add_test(tc, paths_ignore_empty_and_relative_xdg);
	tcase_add_test(tc, mkdirs_creates_parents);
	tcase_add_test(tc, mkdirs_fails_on_file_in_the_way);
	tcase_add_test(tc, mkdirs_refuses_empty_path);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (testutil_run(config_suite()));
}
