/*
 * playbook.h: macros and knowledge-base articles kept in a git repository
 * (issue 6). A bare clone under the data directory is fetched with
 * libgit2 and only ever fast-forwarded; its files are read from git's
 * objects, never from a working tree, so no symlink or ".." can lead
 * outside it. The format is triage-playbook(5).
 */
#ifndef TRIAGE_PLAYBOOK_H
#define TRIAGE_PLAYBOOK_H

#include <stddef.h>

#include "base/base.h"

#define PLAYBOOK_COMMIT_HEX	40
#define PLAYBOOK_MAX_FILE	(256 * 1024)	/* bigger files are skipped */

enum playbook_kind { PLAYBOOK_MACRO, PLAYBOOK_ARTICLE };

/* One macro (macros/NAME.md) or article (kb/NAME.md). */
struct playbook_item {
	enum playbook_kind	 kind;
	char			*path;		/* in the repository */
	char			*name;		/* path without the folder, .md */
	char			*title;
	char			*tags;		/* "a, b": the item's own tags */
	char			*actions;	/* JSON array: [["status",
						   "pending"], ...] */
	char			*body;
};

/* The files of one commit. */
struct playbook {
	char			 commit[PLAYBOOK_COMMIT_HEX + 1];
	struct playbook_item	*items;
	size_t			 n;
	struct buf		 warnings;	/* "path:line: why\n" each */
};

/* A file to put in a repository (the demo's sample is compiled in). */
struct playbook_file {
	const char	*path;
	const char	*data;
	size_t		 len;
};
extern const struct playbook_file playbook_sample[];
extern const size_t playbook_sample_n;

/* playbook-git.c */
int	 playbook_make_repo(const char *dir, const struct playbook_file *,
	     size_t, const char *message, char **cause);
char	*playbook_dir(const char *url);
int	 playbook_fetch(const char *dir, const char *url, const char *branch,
	     char commit[PLAYBOOK_COMMIT_HEX + 1], int *changed, char **cause);
int	 playbook_read(const char *dir, struct playbook *, char **cause);
void	 playbook_free(struct playbook *);

/* playbook-parse.c */
int	 playbook_parse(enum playbook_kind, const char *path, const char *text,
	     size_t len, struct playbook_item *, struct buf *warnings);
void	 playbook_item_free(struct playbook_item *);

/* A variable's value for rendering; NULL value: known but empty. */
struct playbook_var {
	const char	*name;
	const char	*value;
};
#define PLAYBOOK_NVARS	9
extern const char *const playbook_var_names[PLAYBOOK_NVARS];
char	*playbook_render(const char *body, const struct playbook_var *,
	     size_t nvars, struct buf *unknown);

#endif
