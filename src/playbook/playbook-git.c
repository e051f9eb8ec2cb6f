/* playbook-git.c: the playbook's bare clone: fetch, fast-forward only, read. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "playbook.h"

/* The commit in use: moved only forward, and only by playbook_fetch. */
#define PLAYBOOK_REF	"refs/heads/playbook"

static pthread_once_t	 pb_once = PTHREAD_ONCE_INIT;

static void
pb_init_once(void)
{
	git_libgit2_init();
}

/*
 * The bare clone for url under the data directory, one per URL: a changed
 * playbook.url starts a clone of its own rather than "rewriting" the old.
 * Caller frees.
 */
char *
playbook_dir(const char *url)
{
	char		*data, *dir;

	data = path_data_dir();
	dir = xprintf("%s/playbook/%016llx.git", data, (unsigned long long)
	    hash_fnv1a(HASH_FNV1A_INIT, url, strlen(url)));
	free(data);
	return (dir);
}

/* libgit2's last error after what failed. Caller frees. */
static char *
pb_cause(const char *what)
{
	const git_error	*e = git_error_last();

	return (xprintf("%s: %s", what, e != NULL && e->message != NULL ?
	    e->message : _("unknown error")));
}

/*
 * Make a git repository at dir (a working tree on branch "main") holding
 * files in one commit: the demo's playbook, and tests' repositories.
 * 0, or -1 with cause.
 */
int
playbook_make_repo(const char *dir, const struct playbook_file *files,
    size_t n, const char *message, char **cause)
{
	git_repository_init_options	 io;
	git_repository			*repo = NULL;
	git_index			*idx = NULL;
	git_signature			*sig = NULL;
	git_tree			*tree = NULL;
	git_oid				 tree_oid, commit_oid;
	char				*path, *slash;
	size_t				 i;
	int				 rc = -1;

	pthread_once(&pb_once, pb_init_once);
	git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	io.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	io.initial_head = "main";
	if (git_repository_init_ext(&repo, dir, &io) != 0) {
		*cause = pb_cause(dir);
		return (-1);
	}
	if (git_repository_index(&idx, repo) != 0) {
		*cause = pb_cause(dir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		path = xprintf("%s/%s", dir, files[i].path);
		slash = strrchr(path, '/');
		*slash = '\0';
		if (path_mkdirs(path, 0755, cause) != 0) {
			free(path);
			goto out;
		}
		*slash = '/';
		if (buf_write_file(path, files[i].data, files[i].len, 0644,
		    cause) != 0) {
			free(path);
			goto out;
		}
		free(path);
		if (git_index_add_bypath(idx, files[i].path) != 0) {
			*cause = pb_cause(files[i].path);
			goto out;
		}
	}
	if (git_index_write(idx) != 0 ||
	    git_index_write_tree(&tree_oid, idx) != 0 ||
	    git_tree_lookup(&tree, repo, &tree_oid) != 0 ||
	    git_signature_now(&sig, "triage", "triage@localhost") != 0 ||
	    git_commit_create_v(&commit_oid, repo, "HEAD", sig, sig, NULL,
	    message, tree, 0) != 0) {
		*cause = pb_cause(dir);
		goto out;
	}
	rc = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	git_repository_free(repo);
	return (rc);
}

/* ssh: the agent's keys, tried once; anything else: libgit2's defaults. */
static int
pb_credentials(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	int	*tries = payload;

	(void)url;
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && (*tries)++ == 0)
		return (git_credential_ssh_key_from_agent(out, user != NULL ?
		    user : "git"));
	return (GIT_PASSTHROUGH);
}

/*
 * Fetch branch (NULL: the remote's HEAD) of url into the bare clone at dir
 * (made if missing) and move the copy in use to it, forward only: a branch
 * that no longer contains the copy in use (force-pushed) is refused and
 * the copy stays. commit is the copy in use afterwards (empty if none);
 * *changed whether it moved. 0, or -1 with cause.
 */
int
playbook_fetch(const char *dir, const char *url, const char *branch,
    char commit[PLAYBOOK_COMMIT_HEX + 1], int *changed, char **cause)
{
	git_repository		*repo = NULL;
	git_remote		*remote = NULL;
	git_remote_callbacks	 cb;
	git_fetch_options	 fo;
	const git_remote_head	**heads;
	git_reference		*ref = NULL;
	git_commit		*c = NULL;
	git_buf			 def = { NULL, 0, 0 };
	git_strarray		 specs;
	git_oid			 new_oid, old_oid;
	char			*want = NULL, *spec[1], old_hex[PLAYBOOK_COMMIT_HEX + 1];
	size_t			 nheads, i;
	int			 rc = -1, have_old, tries = 0, found = 0;

	pthread_once(&pb_once, pb_init_once);
	*changed = 0;
	commit[0] = '\0';
	if (git_repository_open_bare(&repo, dir) != 0) {
		if (path_mkdirs(dir, 0700, cause) != 0)
			goto out;
		if (git_repository_init(&repo, dir, 1) != 0) {
			*cause = pb_cause(_("cannot make the playbook's clone"));
			goto out;
		}
	}
	have_old = git_reference_name_to_id(&old_oid, repo, PLAYBOOK_REF) == 0;
	if (have_old)
		git_oid_tostr(commit, PLAYBOOK_COMMIT_HEX + 1, &old_oid);

	if (git_remote_create_anonymous(&remote, repo, url) != 0) {
		*cause = pb_cause(_("playbook.url"));
		goto out;
	}
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb.credentials = pb_credentials;
	cb.payload = &tries;
	if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL,
	    NULL) != 0) {
		*cause = pb_cause(_("cannot reach the playbook's repository"));
		goto out;
	}
	if (branch != NULL && *branch != '\0')
		want = xprintf("refs/heads/%s", branch);
	else if (git_remote_default_branch(&def, remote) == 0)
		want = xstrdup(def.ptr);
	else {
		*cause = pb_cause(_("the playbook's repository has no default "
		    "branch (set playbook.branch)"));
		goto out;
	}
	if (git_remote_ls(&heads, &nheads, remote) != 0) {
		*cause = pb_cause(_("cannot list the playbook's branches"));
		goto out;
	}
	for (i = 0; i < nheads && !found; i++)
		if (strcmp(heads[i]->name, want) == 0) {
			git_oid_cpy(&new_oid, &heads[i]->oid);
			found = 1;
		}
	if (!found) {
		*cause = xprintf(_("the playbook's repository has no branch "
		    "%s"), want + strlen("refs/heads/"));
		goto out;
	}

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks = cb;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	spec[0] = want;
	specs.strings = spec;
	specs.count = 1;
	if (git_remote_download(remote, &specs, &fo) != 0) {
		*cause = pb_cause(_("cannot fetch the playbook"));
		goto out;
	}
	if (git_commit_lookup(&c, repo, &new_oid) != 0) {
		*cause = pb_cause(_("the playbook's branch is not a commit"));
		goto out;
	}
	if (have_old && git_oid_equal(&old_oid, &new_oid)) {
		rc = 0;
		goto out;
	}
	if (have_old && git_graph_descendant_of(repo, &new_oid,
	    &old_oid) != 1) {
		git_oid_tostr(old_hex, sizeof old_hex, &old_oid);
		*cause = xprintf(_("the playbook's branch %s was rewritten: "
		    "it no longer contains %.12s, the copy in use, which "
		    "stays"), want + strlen("refs/heads/"), old_hex);
		goto out;
	}
	if (git_reference_create(&ref, repo, PLAYBOOK_REF, &new_oid, 1,
	    "triage: fast-forward") != 0) {
		*cause = pb_cause(_("cannot record the playbook's commit"));
		goto out;
	}
	git_oid_tostr(commit, PLAYBOOK_COMMIT_HEX + 1, &new_oid);
	*changed = 1;
	rc = 0;
out:
	git_reference_free(ref);
	git_commit_free(c);
	git_buf_dispose(&def);
	free(want);
	if (remote != NULL) {
		git_remote_disconnect(remote);
		git_remote_free(remote);
	}
	git_repository_free(repo);
	return (rc);
}

struct pb_walk {
	git_repository		*repo;
	struct playbook		*pb;
};

/* Whether a path's components are all plain names (no "..", no ".x"). */
static int
pb_path_ok(const char *path)
{
	const char	*p = path;

	while (*p != '\0') {
		if (*p == '.' || *p == '/')
			return (0);
		p += strcspn(p, "/");
		if (*p == '/')
			p++;
	}
	return (1);
}

static void
pb_warn(struct playbook *pb, const char *path, const char *why)
{
	buf_printf(&pb->warnings, "%s: %s\n", path, why);
}

/* git_treewalk_cb: each macros/ and kb/ .md blob, parsed. */
static int
pb_walk_entry(const char *root, const git_tree_entry *e, void *arg)
{
	struct pb_walk		*w = arg;
	struct playbook_item	 item;
	enum playbook_kind	 kind;
	git_blob		*blob;
	git_filemode_t		 mode = git_tree_entry_filemode(e);
	const char		*name = git_tree_entry_name(e);
	const char		*text;
	size_t			 len, nlen = strlen(name);
	char			*path;

	if (*root == '\0' && mode == GIT_FILEMODE_TREE)
		return (strcmp(name, "macros") == 0 ||
		    strcmp(name, "kb") == 0 ? 0 : 1);
	if (*root == '\0')
		return (0);		/* README and the like */
	path = xprintf("%s%s", root, name);
	kind = strncmp(path, "macros/", 7) == 0 ? PLAYBOOK_MACRO :
	    PLAYBOOK_ARTICLE;
	if (mode == GIT_FILEMODE_TREE) {
		free(path);
		return (*name == '.' ? 1 : 0);
	}
	if (nlen < 4 || strcmp(name + nlen - 3, ".md") != 0 || *name == '.') {
		free(path);
		return (0);
	}
	if (!pb_path_ok(path)) {
		pb_warn(w->pb, path, _("not a plain path: skipped"));
		free(path);
		return (0);
	}
	if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT) {
		pb_warn(w->pb, path, mode == GIT_FILEMODE_LINK ?
		    _("a symbolic link: skipped") : _("a submodule: skipped"));
		free(path);
		return (0);
	}
	if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e)) != 0) {
		pb_warn(w->pb, path, _("cannot be read: skipped"));
		free(path);
		return (0);
	}
	len = (size_t)git_blob_rawsize(blob);
	text = git_blob_rawcontent(blob);
	if (len > PLAYBOOK_MAX_FILE)
		pb_warn(w->pb, path, _("bigger than 256 KB: skipped"));
	else if (memchr(text, '\0', len) != NULL || !utf8_valid(text, len))
		pb_warn(w->pb, path, _("binary or not UTF-8: skipped"));
	else if (playbook_parse(kind, path, text, len, &item,
	    &w->pb->warnings) == 0) {
		w->pb->items = xreallocarray(w->pb->items, w->pb->n + 1,
		    sizeof *w->pb->items);
		w->pb->items[w->pb->n++] = item;
	}
	git_blob_free(blob);
	free(path);
	return (0);
}

/*
 * Read the copy in use from the clone at dir: its commit and every macro
 * and article that parses (the others named in pb->warnings). 0, or -1
 * with cause (no clone, or no copy fetched yet).
 */
int
playbook_read(const char *dir, struct playbook *pb, char **cause)
{
	git_repository	*repo = NULL;
	git_commit	*c = NULL;
	git_tree	*tree = NULL;
	git_oid		 oid;
	struct pb_walk	 w;
	int		 rc = -1;

	pthread_once(&pb_once, pb_init_once);
	memset(pb, 0, sizeof *pb);
	buf_init(&pb->warnings);
	if (git_repository_open_bare(&repo, dir) != 0 ||
	    git_reference_name_to_id(&oid, repo, PLAYBOOK_REF) != 0) {
		*cause = xstrdup(_("no playbook fetched yet: set playbook.url "
		    "and run triage macros sync"));
		goto out;
	}
	if (git_commit_lookup(&c, repo, &oid) != 0 ||
	    git_commit_tree(&tree, c) != 0) {
		*cause = pb_cause(_("cannot read the playbook"));
		goto out;
	}
	git_oid_tostr(pb->commit, sizeof pb->commit, &oid);
	w.repo = repo;
	w.pb = pb;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, pb_walk_entry, &w) != 0) {
		*cause = pb_cause(_("cannot read the playbook"));
		goto out;
	}
	rc = 0;
out:
	git_tree_free(tree);
	git_commit_free(c);
	git_repository_free(repo);
	if (rc != 0)
		playbook_free(pb);
	return (rc);
}

void
playbook_free(struct playbook *pb)
{
	size_t	 i;

	for (i = 0; i < pb->n; i++)
		playbook_item_free(&pb->items[i]);
	free(pb->items);
	pb->items = NULL;
	pb->n = 0;
	buf_free(&pb->warnings);
}
