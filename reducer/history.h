#ifndef REDUCE_HISTORY_H
#define REDUCE_HISTORY_H

#include "util.h"

/* A git repository of releases, read and written through libgit2: one
 * branch per app whose commits are its releases, each the child of the
 * one before, and an annotated tag APP/VERSION on each. A release's tree
 * is flat: named files, nothing else. What the files mean is the
 * caller's business. */
struct history {
	void *repo;             /* git_repository */
	char *spec;             /* a path or a URL, as given */
	char *url;              /* the remote, or NULL for a local repository */
	char *path;             /* the repository on disk (for a URL: its copy) */
	/* What history_commit() moved, so that a refused push can undo it. */
	char tip_before[41];    /* "" when the branch was new */
	char *tag_made;
};

struct release {
	char commit[41];
	char *version;          /* from its tag, or NULL if it has none */
	char *summary;          /* the commit message's first line */
	long long time;         /* commit time, seconds since the epoch */
};

/* Whether spec names a remote (a URL such as file:///x, https://h/x or
 * user@host:path) rather than a directory on this machine. */
int history_is_url(const char *spec);
/* spec as it may be printed: without the credentials of a URL. */
const char *history_display(const char *spec);
/* Whether name is a reference name git accepts. */
int history_valid_ref(const char *name);
/* Opens spec; with create, a local path is made a bare repository on
 * first use (readers pass 0: they make nothing). A URL is fetched into a
 * copy in the cache, made on first use. */
int history_open(struct history *h, const char *spec, int create, struct strbuf *err);
void history_close(struct history *h);

/* The app's last release (the tip of its branch): 1 found, 0 none yet. */
int history_latest(struct history *h, const char *app, struct release *out);
/* The release tagged APP/VERSION: 1 found, 0 no such tag. */
int history_find(struct history *h, const char *app, const char *version, struct release *out);
/* The app's releases, newest first (first parents from the tip). */
int history_list(struct history *h, const char *app, struct release **out, int *n);
/* The apps that have a branch. */
int history_apps(struct history *h, struct strvec *out);
void release_clear(struct release *r);

/* A file of a release's tree: 0, or -1 when it has none. */
int history_read(struct history *h, const struct release *rel, const char *name,
		 struct strbuf *out);

/* The named files of a release (those it has; names are the caller's,
 * never the tree's) written into dir, created afresh. */
int history_extract(struct history *h, const struct release *rel, const char *dir,
		    const char *const *names, size_t n, struct strbuf *err);

/* One file of a new release. */
struct history_file {
	const char *name;
	const char *data;
	size_t len;
};

#define HISTORY_EXISTS (-2)
#define HISTORY_PARTIAL (-3)
/* Commits the files as APP's next release (parent: its branch's tip),
 * tags it APP/VERSION with `message`, and moves the branch. Fails, leaving
 * both refs as they were, when the tag exists (HISTORY_EXISTS, unless
 * force) or the branch moved meanwhile (-1). The new commit's id goes to
 * `commit`. */
int history_commit(struct history *h, const char *app, const char *version,
		   const struct history_file *files, int nfiles, const char *message, int force,
		   char commit[41], struct strbuf *err);
/* Pushes APP's branch and the tag APP/VERSION to the URL. A refused push
 * (the remote moved: someone else released meanwhile) returns -1 with
 * the reason in err and takes both refs of the local copy back to what
 * the remote has, so that the next release starts from the remote.
 * HISTORY_PARTIAL: the branch went, the tag did not (it appeared on the
 * remote meanwhile, or the second connection failed). */
int history_push(struct history *h, const char *app, const char *version, int force,
		 struct strbuf *err);

#endif
