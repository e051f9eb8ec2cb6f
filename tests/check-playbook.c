/*
 * check-playbook.c: the playbook's git clone and its files, against real
 * repositories made in temporary directories by the git command-line tool
 * (a real peer) and by libgit2: first clone, fast-forward with a new, a
 * changed and a deleted macro, a force-pushed branch refused, an
 * unreachable remote, malformed, binary, huge and linked files, the
 * remote's default branch, and variables rendered. The demo's sample
 * playbook made into a repository and indexed; a macro's actions queued
 * as outbox changes and undone by discarding them.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "testutil.h"
#include "base/base.h"
#include "playbook/playbook.h"
#include "replica/replica.h"
#include "sync/sync.h"

static char	*tmpdir, *repo, *clone;

static void
setup_tmpdir(void)
{
	const char	*base;

	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	tmpdir = xprintf("%s/check-playbook.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		ck_abort_msg("mkdtemp: %s", strerror(errno));
	repo = xprintf("%s/repo", tmpdir);
	clone = xprintf("%s/clone.git", tmpdir);
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

static void
teardown_tmpdir(void)
{
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	free(repo);
	free(clone);
}

static void sh(const char *, ...) printflike(1, 2);

/* Run a shell command in the source repository; it must succeed. */
static void
sh(const char *fmt, ...)
{
	va_list	 ap;
	char	*cmd, *full;
	int	 rc;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		ck_abort_msg("vasprintf");
	va_end(ap);
	full = xprintf("cd '%s' && { %s; } > /dev/null 2>&1", repo, cmd);
	rc = system(full);
	ck_assert_msg(rc == 0, "%s: exit %d", cmd, rc);
	free(cmd);
	free(full);
}

/* Write a file in the source repository (directories made). */
static void
put(const char *name, const char *text)
{
	char	*path, *dir;
	FILE	*f;

	path = xprintf("%s/%s", repo, name);
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(path_mkdirs(dir, 0755, NULL), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(dir);
	free(path);
}

static void
commit_all(const char *msg)
{
	sh("git add -A && git -c user.name=T -c user.email=t@example.com "
	    "commit -q -m '%s'", msg);
}

/* The git tool's repository with two macros and an article. */
static void
make_repo(void)
{
	ck_assert_int_eq(mkdir(repo, 0755), 0);
	sh("git init -q -b main");
	put("README.md", "not a macro\n");
	put("macros/refunds/approved.md", "title: Refund approved\n"
	    "tags: refund, billing\nstatus: pending\ntags: +refund -new\n"
	    "assign: me\n\nHello {{customer.first_name}},\n\nDone.\n\n\n");
	put("macros/shipping/late.md", "Title: Late parcel\r\n\r\n"
	    "Sorry, {{ order.last.carrier }} is late.\r\n");
	put("kb/returns.md", "title: How returns work\ntags: returns\n\n"
	    "Thirty days.\n");
	commit_all("one");
}

static const struct playbook_item *
item(const struct playbook *pb, const char *path)
{
	size_t	 i;

	for (i = 0; i < pb->n; i++)
		if (strcmp(pb->items[i].path, path) == 0)
			return (&pb->items[i]);
	return (NULL);
}

/* Fetch; it must work. Returns whether the copy in use moved. */
static int
fetch_ok(const char *branch, char commit[PLAYBOOK_COMMIT_HEX + 1])
{
	char	*cause = NULL;
	int	 changed = -1;

	if (playbook_fetch(clone, repo, branch, commit, &changed, &cause) != 0)
		ck_abort_msg("fetch: %s", cause);
	ck_assert_uint_eq(strlen(commit), PLAYBOOK_COMMIT_HEX);
	return (changed);
}

static void
read_ok(struct playbook *pb)
{
	char	*cause = NULL;

	if (playbook_read(clone, pb, &cause) != 0)
		ck_abort_msg("read: %s", cause);
}

START_TEST(first_clone_reads_macros_and_articles)
{
	struct playbook			 pb;
	const struct playbook_item	*it;
	char				 commit[PLAYBOOK_COMMIT_HEX + 1];

	make_repo();
	ck_assert_int_eq(fetch_ok(NULL, commit), 1);
	read_ok(&pb);
	ck_assert_str_eq(pb.commit, commit);
	ck_assert_uint_eq(pb.n, 3);
	ck_assert_str_eq(buf_cstr(&pb.warnings), "");
	ck_assert_ptr_nonnull(it = item(&pb, "macros/refunds/approved.md"));
	ck_assert_int_eq(it->kind, PLAYBOOK_MACRO);
	ck_assert_str_eq(it->name, "refunds/approved");
	ck_assert_str_eq(it->title, "Refund approved");
	ck_assert_str_eq(it->tags, "refund, billing");
	ck_assert_str_eq(it->actions, "[[\"status\",\"pending\"],[\"tags\","
	    "\"+refund -new\"],[\"assign\",\"me\"]]");
	ck_assert_str_eq(it->body, "Hello {{customer.first_name}},\n\nDone.");
	/* CRLF and a capitalised key. */
	ck_assert_ptr_nonnull(it = item(&pb, "macros/shipping/late.md"));
	ck_assert_str_eq(it->title, "Late parcel");
	ck_assert_str_eq(it->actions, "[]");
	ck_assert_ptr_nonnull(it = item(&pb, "kb/returns.md"));
	ck_assert_int_eq(it->kind, PLAYBOOK_ARTICLE);
	ck_assert_str_eq(it->name, "returns");
	playbook_free(&pb);

	/* Nothing new: the copy stays, unchanged. */
	ck_assert_int_eq(fetch_ok(NULL, commit), 0);
}
END_TEST

START_TEST(fast_forward_adds_changes_and_deletes)
{
	struct playbook	 pb;
	char		 c1[PLAYBOOK_COMMIT_HEX + 1], c2[PLAYBOOK_COMMIT_HEX + 1];

	make_repo();
	fetch_ok(NULL, c1);
	put("macros/new.md", "title: New one\n\nNew body.\n");
	put("macros/shipping/late.md", "title: Late parcel, v2\n\nSorry.\n");
	sh("git rm -q kb/returns.md");
	commit_all("two");
	ck_assert_int_eq(fetch_ok(NULL, c2), 1);
	ck_assert_str_ne(c1, c2);
	read_ok(&pb);
	ck_assert_str_eq(pb.commit, c2);
	ck_assert_uint_eq(pb.n, 3);
	ck_assert_ptr_nonnull(item(&pb, "macros/new.md"));
	ck_assert_str_eq(item(&pb, "macros/shipping/late.md")->title,
	    "Late parcel, v2");
	ck_assert_ptr_null(item(&pb, "kb/returns.md"));
	playbook_free(&pb);
}
END_TEST

START_TEST(force_pushed_branch_is_refused)
{
	struct playbook	 pb;
	char		 c1[PLAYBOOK_COMMIT_HEX + 1], c2[PLAYBOOK_COMMIT_HEX + 1];
	char		*cause = NULL;
	int		 changed = -1;

	make_repo();
	fetch_ok(NULL, c1);
	/* History rewritten: the commit in use is no longer on the branch. */
	put("macros/new.md", "title: Rewritten\n\nBody.\n");
	sh("git add -A && git -c user.name=T -c user.email=t@example.com "
	    "commit -q --amend -m rewritten");
	ck_assert_int_eq(playbook_fetch(clone, repo, NULL, c2, &changed,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "rewritten"));
	ck_assert_str_eq(c2, c1);
	ck_assert_int_eq(changed, 0);
	free(cause);
	read_ok(&pb);
	ck_assert_str_eq(pb.commit, c1);
	ck_assert_ptr_null(item(&pb, "macros/new.md"));
	playbook_free(&pb);
}
END_TEST

START_TEST(unreachable_remote_keeps_the_last_good_copy)
{
	struct playbook	 pb;
	char		 c1[PLAYBOOK_COMMIT_HEX + 1], c2[PLAYBOOK_COMMIT_HEX + 1];
	char		*cause = NULL, *moved;
	int		 changed = -1;

	make_repo();
	fetch_ok(NULL, c1);
	moved = xprintf("%s/gone", tmpdir);
	ck_assert_int_eq(rename(repo, moved), 0);
	ck_assert_int_eq(playbook_fetch(clone, repo, NULL, c2, &changed,
	    &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(c2, c1);
	free(cause);
	read_ok(&pb);
	ck_assert_uint_eq(pb.n, 3);
	playbook_free(&pb);
	/* An unknown branch is an error too. */
	ck_assert_int_eq(rename(moved, repo), 0);
	cause = NULL;
	ck_assert_int_eq(playbook_fetch(clone, repo, "nosuch", c2, &changed,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "nosuch"));
	free(cause);
	free(moved);
}
END_TEST

START_TEST(bad_files_are_skipped_with_their_line)
{
	static const struct {
		const char	*name, *text, *warning;
	} bad[] = {
		{ "macros/a.md", "title: A\nstaus: pending\n\nx\n",
		  "macros/a.md:2: unknown header key" },
		{ "macros/b.md", "tags: x\n\nbody\n",
		  "macros/b.md:1: no title" },
		{ "macros/c.md", "title: C\nstatus: pending\n",
		  "macros/c.md:2: no blank line" },
		{ "macros/d.md", "title: D\nstatus: sleeping\n\nx\n",
		  "macros/d.md:2: unknown status" },
		{ "macros/e.md", "title: E\ntags: +a b\n\nx\n",
		  "macros/e.md:2: tags: either" },
		{ "macros/f.md", "title: F\nno colon here\n\nx\n",
		  "macros/f.md:2: a header line" },
		{ "macros/g.md", "title: G\n\n  \n\n",
		  "macros/g.md:2: an empty body" },
		{ "kb/h.md", "title: H\nstatus: open\n\nx\n",
		  "kb/h.md:2: unknown header key" },
	};
	struct playbook	 pb;
	char		 commit[PLAYBOOK_COMMIT_HEX + 1], *huge;
	size_t		 i;

	make_repo();
	for (i = 0; i < nitems(bad); i++)
		put(bad[i].name, bad[i].text);
	put("macros/binary.md", "title: Bin\n\nx\n");
	sh("printf 'title: B\\n\\n\\000\\001' > macros/binary.md");
	sh("printf 'title: L\\n\\n\\377\\376 latin' > macros/latin.md");
	huge = xcalloc(1, PLAYBOOK_MAX_FILE + 2);
	memset(huge, 'x', PLAYBOOK_MAX_FILE + 1);
	memcpy(huge, "title: Huge\n\n", 13);
	put("macros/huge.md", huge);
	free(huge);
	sh("ln -s ../../../../etc/passwd macros/link.md");
	sh("mkdir -p macros/.hidden && echo 'title: H\n\nx' > "
	    "macros/.hidden/h.md");
	commit_all("bad");
	fetch_ok(NULL, commit);
	read_ok(&pb);
	/* The good three still load. */
	ck_assert_uint_eq(pb.n, 3);
	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(strstr(buf_cstr(&pb.warnings), bad[i].warning) !=
		    NULL, "no \"%s\" in:\n%s", bad[i].warning,
		    buf_cstr(&pb.warnings));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&pb.warnings),
	    "macros/binary.md: binary"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&pb.warnings),
	    "macros/latin.md: binary or not UTF-8"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&pb.warnings),
	    "macros/huge.md: bigger than"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&pb.warnings),
	    "macros/link.md: a symbolic link"));
	ck_assert_ptr_null(strstr(buf_cstr(&pb.warnings), "hidden"));
	playbook_free(&pb);
}
END_TEST

/* libgit2 as the peer: a repository whose HEAD is "trunk". */
static void
make_repo_libgit2(void)
{
	git_repository	*r;
	git_treebuilder	*tb, *sub;
	git_signature	*sig;
	git_oid		 blob, tree, subtree, commit;
	git_tree	*t;
	static const char text[] = "title: From libgit2\n\nMade by libgit2.\n";

	git_libgit2_init();
	ck_assert_int_eq(git_repository_init(&r, repo, 1), 0);
	ck_assert_int_eq(git_blob_create_from_buffer(&blob, r, text,
	    sizeof text - 1), 0);
	ck_assert_int_eq(git_treebuilder_new(&sub, r, NULL), 0);
	ck_assert_int_eq(git_treebuilder_insert(NULL, sub, "lib.md", &blob,
	    GIT_FILEMODE_BLOB), 0);
	ck_assert_int_eq(git_treebuilder_write(&subtree, sub), 0);
	ck_assert_int_eq(git_treebuilder_new(&tb, r, NULL), 0);
	ck_assert_int_eq(git_treebuilder_insert(NULL, tb, "macros", &subtree,
	    GIT_FILEMODE_TREE), 0);
	ck_assert_int_eq(git_treebuilder_write(&tree, tb), 0);
	ck_assert_int_eq(git_tree_lookup(&t, r, &tree), 0);
	ck_assert_int_eq(git_signature_now(&sig, "T", "t@example.com"), 0);
	ck_assert_int_eq(git_commit_create_v(&commit, r, "refs/heads/trunk",
	    sig, sig, NULL, "one", t, 0), 0);
	ck_assert_int_eq(git_repository_set_head(r, "refs/heads/trunk"), 0);
	git_signature_free(sig);
	git_tree_free(t);
	git_treebuilder_free(tb);
	git_treebuilder_free(sub);
	git_repository_free(r);
}

START_TEST(libgit2_repository_on_its_default_branch)
{
	struct playbook	 pb;
	char		 commit[PLAYBOOK_COMMIT_HEX + 1], *cause = NULL;
	int		 changed;

	make_repo_libgit2();
	ck_assert_int_eq(fetch_ok(NULL, commit), 1);
	read_ok(&pb);
	ck_assert_uint_eq(pb.n, 1);
	ck_assert_str_eq(pb.items[0].name, "lib");
	playbook_free(&pb);
	/* Asked for a branch it does not have. */
	ck_assert_int_eq(playbook_fetch(clone, repo, "main", commit, &changed,
	    &cause), -1);
	free(cause);
	ck_assert_int_eq(fetch_ok("trunk", commit), 0);
}
END_TEST

START_TEST(variables_render_and_unknown_ones_stay)
{
	const struct playbook_var vars[] = {
		{ "customer.first_name", "Ann" },
		{ "ticket.number", "42" },
		{ "order.last.tracking", NULL },
	};
	struct buf	 unknown = BUF_INIT;
	char		*out;

	out = playbook_render("Hi {{customer.first_name}}, #{{ ticket.number }}"
	    " [{{order.last.tracking}}] {{ nope.x }} {{ticket.number}} {{",
	    vars, nitems(vars), &unknown);
	ck_assert_str_eq(out, "Hi Ann, #42 [] {{ nope.x }} 42 {{");
	ck_assert_str_eq(buf_cstr(&unknown), "nope.x\n");
	free(out);
	buf_free(&unknown);
}
END_TEST

/* The copy in use indexed into a replica: listed, found, searched. */
START_TEST(replica_indexes_the_copy_in_use)
{
	struct playbook		 pb;
	struct replica		*r;
	struct replica_playbook	 st;
	struct replica_macro	*v, m;
	struct replica_article	*a;
	char			 commit[PLAYBOOK_COMMIT_HEX + 1], *path;
	char			*cause = NULL;
	size_t			 n, i;

	make_repo();
	fetch_ok(NULL, commit);
	read_ok(&pb);
	path = xprintf("%s/r.db", tmpdir);
	if (replica_open(path, REPLICA_CREATE, &r, &cause) != 0)
		ck_abort_msg("%s", cause);
	if (replica_playbook_store(r, &pb, &cause) != 0)
		ck_abort_msg("%s", cause);
	ck_assert_int_eq(replica_playbook_state(r, &st, &cause), 0);
	ck_assert_str_eq(st.commit, commit);
	ck_assert_uint_eq(st.macros, 2);
	ck_assert_uint_eq(st.articles, 1);
	ck_assert_ptr_null(st.notice);
	ck_assert_int_eq(replica_macros(r, &v, &n, &cause), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "refunds/approved");
	ck_assert_str_eq(v[0].commit, commit);
	for (i = 0; i < n; i++)
		replica_macro_free(&v[i]);
	free(v);
	ck_assert_int_eq(replica_macro(r, "shipping/late", &m, &cause), 0);
	ck_assert_str_eq(m.path, "macros/shipping/late.md");
	replica_macro_free(&m);
	ck_assert_int_eq(replica_macro(r, "nope", &m, &cause),
	    REPLICA_NOTFOUND);
	ck_assert_int_eq(replica_kb_search(r, "thirty", 10, &a, &n, &cause), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(a[0].name, "returns");
	ck_assert_ptr_nonnull(strchr(a[0].snippet, SEARCH_MARK_ON));
	replica_article_free(&a[0]);
	free(a);
	/* FTS syntax typed by an agent is only words. */
	ck_assert_int_eq(replica_kb_search(r, "\"* OR NEAR(", 10, &a, &n,
	    &cause), 0);
	ck_assert_uint_eq(n, 0);
	free(a);
	/* A failed fetch is remembered; the content stays. */
	ck_assert_int_eq(replica_playbook_notice(r, "unreachable", &cause), 0);
	ck_assert_int_eq(replica_playbook_state(r, &st, &cause), 0);
	ck_assert_str_eq(st.notice, "unreachable");
	ck_assert_uint_eq(st.macros, 2);
	free(st.notice);
	playbook_free(&pb);
	replica_close(r);
	free(path);
}
END_TEST

/* A generated replica (the demo's data) with the sample playbook in it. */
static struct replica *
sample_replica(struct playbook_report *rep, struct buf *warnings)
{
	struct replica	*r;
	struct gen_opts	 go;
	struct gen_stats gs;
	char		*path, *dir, *cause = NULL;

	path = xprintf("%s/sample.db", tmpdir);
	if (replica_open(path, REPLICA_CREATE, &r, &cause) != 0)
		ck_abort_msg("%s", cause);
	memset(&go, 0, sizeof go);
	go.seed = 7;
	go.tickets = 40;
	go.now = time_now_ms();
	if (replica_generate(r, &go, NULL, NULL, &gs, &cause) != 0)
		ck_abort_msg("%s", cause);
	dir = xprintf("%s/sample", tmpdir);
	if (playbook_make_repo(dir, playbook_sample, playbook_sample_n,
	    "sample", &cause) != 0)
		ck_abort_msg("%s", cause);
	if (sync_playbook(r, dir, NULL, warnings, rep, &cause) != 0)
		ck_abort_msg("%s", cause);
	free(dir);
	free(path);
	return (r);
}

/* The demo's playbook: every file loads, every variable is known. */
START_TEST(sample_playbook_loads_clean)
{
	static const char *const cats[] = { "refunds", "shipping", "damaged",
	    "invoices", "account" };
	struct playbook_report		 rep;
	struct replica_macro_context	 c;
	struct playbook_var		 v[PLAYBOOK_NVARS];
	struct replica_macro		*m;
	struct buf			 warnings = BUF_INIT, unknown = BUF_INIT;
	struct replica			*r;
	char				*cause = NULL, *dir, *out, *prefix;
	size_t				 n, i, k, found;

	r = sample_replica(&rep, &warnings);
	ck_assert_str_eq(buf_cstr(&warnings), "");
	ck_assert_uint_ge(rep.macros, 15);
	ck_assert_uint_ge(rep.articles, 10);
	ck_assert_int_eq(rep.changed, 1);
	ck_assert_int_eq(rep.kept, 0);
	ck_assert_int_eq(replica_macros(r, &m, &n, &cause), 0);
	for (k = 0; k < nitems(cats); k++) {
		prefix = xprintf("macros/%s/", cats[k]);
		for (i = found = 0; i < n; i++)
			found += strncmp(m[i].path, prefix, strlen(prefix)) == 0;
		ck_assert_msg(found > 0, "no macro for %s", cats[k]);
		free(prefix);
	}
	/* Rendered for a ticket, nothing is left unknown. */
	ck_assert_int_eq(playbook_vars(r, 1, &c, v, &cause), 0);
	for (i = 0; i < n; i++) {
		buf_reset(&unknown);
		out = playbook_render(m[i].body, v, PLAYBOOK_NVARS, &unknown);
		ck_assert_msg(unknown.len == 0, "%s: unknown %s", m[i].path,
		    buf_cstr(&unknown));
		ck_assert_ptr_null(strstr(out, "{{"));
		free(out);
		replica_macro_free(&m[i]);
	}
	free(m);
	replica_macro_context_free(&c);
	/* A second fetch of the same commit changes nothing. */
	dir = xprintf("%s/sample", tmpdir);
	ck_assert_int_eq(sync_playbook(r, dir, NULL, NULL, &rep, &cause), 0);
	ck_assert_int_eq(rep.changed, 0);
	free(dir);
	buf_free(&warnings);
	buf_free(&unknown);
	replica_close(r);
}
END_TEST

/* An article is a hit of the replica's search, and opens by its id. */
START_TEST(articles_are_search_hits)
{
	struct playbook_report	 rep;
	struct search_result	 res;
	struct replica_article	 a;
	struct replica		*r;
	char			*cause = NULL, *end;
	size_t			 i;
	int			 seen = 0;

	r = sample_replica(&rep, NULL);
	ck_assert_int_eq(replica_search(r, "reshipment", 50, 0, &res, &cause),
	    0);
	for (i = 0; i < res.n; i++) {
		if (res.v[i].kind != SEARCH_ARTICLE)
			continue;
		seen++;
		ck_assert_str_eq(search_kind_name(res.v[i].kind), "article");
		ck_assert_int_eq(replica_article(r, strtoll(res.v[i].id, &end,
		    10), &a, &cause), 0);
		ck_assert_str_eq(a.title, res.v[i].title);
		ck_assert_ptr_nonnull(strstr(a.body, "reshipment"));
		ck_assert_str_eq(a.commit, rep.commit);
		ck_assert_int_eq(strncmp(a.path, "kb/", 3), 0);
		replica_article_free(&a);
	}
	ck_assert_int_gt(seen, 0);
	search_result_free(&res);
	ck_assert_int_eq(replica_article(r, 99999, &a, &cause),
	    REPLICA_NOTFOUND);
	replica_close(r);
}
END_TEST

/*
 * The best articles come before other hits even when messages using the
 * word fill the limit: "refund" is in more of the generated messages than
 * the limit, and in every refund article (a low bm25 there).
 */
START_TEST(articles_lead_search)
{
	struct playbook_report	 rep;
	struct search_result	 res;
	struct replica		*r;
	char			*cause = NULL;
	size_t			 i, others = 0, articles = 0;

	r = sample_replica(&rep, NULL);
	ck_assert_int_eq(replica_search(r, "refund", 200, 0, &res, &cause), 0);
	for (i = 0; i < res.n; i++) {
		if (res.v[i].kind == SEARCH_ARTICLE)
			articles++;
		else
			others++;
	}
	search_result_free(&res);
	ck_assert_uint_ge(articles, 2);
	ck_assert_uint_ge(others, 5);
	if (articles > 3)
		articles = 3;
	ck_assert_int_eq(replica_search(r, "refund", 5, 0, &res, &cause), 0);
	ck_assert_uint_eq(res.n, 5);
	for (i = 0; i < articles; i++) {
		ck_assert_int_eq(res.v[i].kind, SEARCH_ARTICLE);
		ck_assert_int_eq(res.v[i].lead, 1);
		if (i > 0)
			ck_assert(res.v[i - 1].score <= res.v[i].score);
	}
	for (; i < res.n; i++) {
		ck_assert_int_ne(res.v[i].kind, SEARCH_ARTICLE);
		ck_assert_int_eq(res.v[i].lead, 0);
	}
	search_result_free(&res);
	/* A ticket number stays first. */
	ck_assert_int_eq(replica_search(r, "#3", 5, 0, &res, &cause), 0);
	ck_assert_uint_ge(res.n, 1);
	ck_assert_int_eq(res.v[0].exact, 1);
	ck_assert_int_eq(res.v[0].kind, SEARCH_TICKET);
	search_result_free(&res);
	replica_close(r);
}
END_TEST

/* Find an outbox entry of a type, pending; its seq or -1. */
static int64_t
pending_of_type(struct replica *r, const char *type)
{
	struct outbox_list	 l;
	char			*cause = NULL;
	int64_t			 seq = -1;
	size_t			 i;

	if (replica_outbox_list(r, OUTBOX_MASK(OUTBOX_PENDING), &l,
	    &cause) != 0)
		ck_abort_msg("%s", cause);
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].type, type) == 0)
			seq = l.v[i].seq;
	outbox_list_free(&l);
	return (seq);
}

/*
 * A macro's actions are ordinary outbox changes: queued with the local
 * change, undone by discarding them before they sync.
 */
START_TEST(macro_actions_are_outbox_changes)
{
	struct playbook_report	 rep;
	struct ticket_detail	*d;
	struct ticket_edit	 e;
	struct replica		*r;
	char			 id[UUID_STRLEN + 1], *cause = NULL;
	int64_t			 number, seq;
	int			 queued = 0, before;

	r = sample_replica(&rep, NULL);
	/* A ticket that is neither pending nor urgent. */
	for (number = 1;; number++) {
		ck_assert_int_lt(number, 40);
		ck_assert_int_eq(replica_ticket_get(r, number, NULL, &d,
		    &cause), 0);
		before = d->t.status;
		snprintf(id, sizeof id, "%s", d->t.id);
		ticket_detail_free(d);
		if (before != TICKET_PENDING && before != TICKET_SOLVED &&
		    before != TICKET_CLOSED)
			break;
	}
	ticket_edit_init(&e);
	ck_assert_int_eq(replica_edit_actions(r, &e, "[[\"status\", "
	    "\"pending\"], [\"priority\", \"urgent\"], [\"tags\", "
	    "\"+macro-test -nothing-here\"], [\"assign\", \"me\"]]",
	    &cause), 0);
	ck_assert_int_eq(replica_act_set(r, id, &e.c, &queued, &cause), 0);
	ticket_edit_free(&e);
	ck_assert_int_ge(queued, 3);
	ck_assert_int_eq(replica_ticket_get(r, 0, id, &d, &cause), 0);
	ck_assert_int_eq(d->t.status, TICKET_PENDING);
	ck_assert_int_eq(d->t.priority, PRIORITY_URGENT);
	ticket_detail_free(d);
	seq = pending_of_type(r, "set_status");
	ck_assert_int_gt(seq, 0);
	ck_assert_int_gt(pending_of_type(r, "set_priority"), 0);
	/* Discarded before sync: the ticket is as it was. */
	ck_assert_int_eq(replica_outbox_discard(r, seq, &cause), 0);
	ck_assert_int_eq(replica_ticket_get(r, 0, id, &d, &cause), 0);
	ck_assert_int_eq(d->t.status, before);
	ticket_detail_free(d);

	/* Bad values are refused, naming the action; nothing is queued. */
	ticket_edit_init(&e);
	ck_assert_int_eq(replica_edit_actions(r, &e, "[[\"status\", "
	    "\"sideways\"]]", &cause), TICKET_EDIT_BAD);
	ck_assert_str_eq(cause, "status: unknown status \"sideways\"");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(replica_edit_field(r, &e, "assign",
	    "nobody@nowhere.example", &cause), TICKET_EDIT_BAD);
	ck_assert_str_eq(cause, "no agent \"nobody@nowhere.example\"");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(replica_edit_field(r, &e, "team", "Nope", &cause),
	    TICKET_EDIT_BAD);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(replica_edit_field(r, &e, "tags", " , ", &cause),
	    TICKET_EDIT_BAD);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(replica_edit_actions(r, &e, "{\"not\": 1}", &cause),
	    TICKET_EDIT_BAD);
	free(cause);
	ticket_edit_free(&e);
	replica_close(r);
}
END_TEST

static Suite *
playbook_suite(void)
{
	Suite	*s = suite_create("playbook");
	TCase	*tc = tcase_create("git");

	tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
	tcase_add_test(tc, first_clone_reads_macros_and_articles);
	tcase_add_test(tc, fast_forward_adds_changes_and_deletes);
	tcase_add_test(tc, force_pushed_branch_is_refused);
	tcase_add_test(tc, unreachable_remote_keeps_the_last_good_copy);
	tcase_add_test(tc, bad_files_are_skipped_with_their_line);
	tcase_add_test(tc, libgit2_repository_on_its_default_branch);
	tcase_add_test(tc, variables_render_and_unknown_ones_stay);
	tcase_add_test(tc, replica_indexes_the_copy_in_use);
	tcase_add_test(tc, sample_playbook_loads_clean);
	tcase_add_test(tc, articles_are_search_hits);
	tcase_add_test(tc, articles_lead_search);
	tcase_add_test(tc, macro_actions_are_outbox_changes);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(playbook_suite()));
}
