#define _GNU_SOURCE
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPO(h) ((git_repository *)(h)->repo)

static int git_fail(struct strbuf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int git_fail(struct strbuf *err, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char *what;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	sb_addf(err, "%s: %s", what ? what : fmt, e && e->message ? e->message : "unknown libgit2 error");
	free(what);
	return -1;
}

static int empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int history_is_url(const char *spec)
{
	if (strstr(spec, "://"))
		return 1;
	/* scp-like user@host:path, as git reads it; a local path with a colon
	 * has a slash before the colon. */
	const char *colon = strchr(spec, ':');
	const char *slash = strchr(spec, '/');
	return colon && strchr(spec, '@') && (!slash || colon < slash);
}

/* Credentials beyond those in the URL: a token from the environment for
 * https (as CI systems hand them out), the ssh agent for ssh. libgit2
 * asks again after a refusal: three tries, then the error stands. */
static int credentials(git_credential **out, const char *url, const char *user, unsigned int allowed,
		       void *payload)
{
	int *tries = payload;
	const char *token = getenv("REDUCE_HISTORY_TOKEN");
	if (++*tries > 3)
		return GIT_EAUTH;
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && token && *token)
		return git_credential_userpass_plaintext_new(out, user && *user ? user : "x-access-token",
							     token);
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out, user && *user ? user : "git");
	return GIT_PASSTHROUGH;
}

static int fetch(struct history *h, struct strbuf *err)
{
	git_remote *remote;
	if (git_remote_create_anonymous(&remote, REPO(h), h->url) < 0)
		return git_fail(err, "%s", history_display(h->url));
	/* The remote is the truth: what the copy had that the remote lost
	 * (a refused push undone, a tag deleted there) goes too. */
	char *specs[] = { "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*" };
	git_strarray refspecs = { specs, 2 };
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.prune = GIT_FETCH_PRUNE;
	int tries = 0;
	fo.callbacks.credentials = credentials;
	fo.callbacks.payload = &tries;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	int rc = git_remote_fetch(remote, &refspecs, &fo, "reduce: fetch");
	if (rc < 0)
		git_fail(err, "cannot fetch the history from %s", history_display(h->url));
	git_remote_free(remote);
	return rc < 0 ? -1 : 0;
}

const char *history_display(const char *spec)
{
	static char buf[1024];
	const char *scheme = strstr(spec, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
	/* A token in the URL (https://user:TOKEN@host/...) is not printed. */
	if (!at || (slash && slash < at))
		return spec;
	snprintf(buf, sizeof(buf), "%.*s***%s", (int)(scheme + 3 - spec), spec, at);
	return buf;
}

int history_valid_ref(const char *name)
{
	int valid = 0;
	git_libgit2_init();
	return git_reference_name_is_valid(&valid, name) == 0 && valid;
}

int history_open(struct history *h, const char *spec, int create, struct strbuf *err)
{
	git_repository *repo = NULL;
	memset(h, 0, sizeof(*h));
	git_libgit2_init();
	h->spec = xstrdup(spec);
	if (history_is_url(spec)) {
		char hash[41];
		content_hash(spec, strlen(spec), hash);
		h->url = xstrdup(spec);
		h->path = xasprintf("%s/history/%.16s.git", cache_dir(), hash);
	} else {
		h->path = xstrdup(spec);
	}
	if (git_repository_open_ext(&repo, h->path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		if (!create && !h->url) {
			sb_addf(err, file_exists(h->path) ? "history %s is not a git repository" :
				"no history at %s (reduce release creates it)", h->path);
			return -1;
		}
		/* Something there that is not a repository is the user's: only
		 * an empty directory is made into a history. */
		if (file_exists(h->path) && !empty_dir(h->path)) {
			sb_addf(err, "history %s exists and is not a git repository", h->path);
			return -1;
		}
		if (mkdir_p(h->path) < 0 || git_repository_init(&repo, h->path, 1) < 0)
			return git_fail(err, "cannot create the history repository %s", h->path);
	}
	h->repo = repo;
	if (h->url && fetch(h, err) < 0)
		return -1;
	return 0;
}

void history_close(struct history *h)
{
	if (h->repo)
		git_repository_free(REPO(h));
	free(h->spec);
	free(h->url);
	free(h->path);
	free(h->tag_made);
	memset(h, 0, sizeof(*h));
}

void release_clear(struct release *r)
{
	free(r->version);
	free(r->summary);
	memset(r, 0, sizeof(*r));
}

/* The version of the app's tag that points at commit, if any. */
static char *version_of(struct history *h, const char *app, const git_oid *commit)
{
	git_strarray tags;
	char *pattern = xasprintf("%s/*", app);
	char *found = NULL;
	if (git_tag_list_match(&tags, pattern, REPO(h)) == 0) {
		for (size_t i = 0; i < tags.count && !found; i++) {
			char *ref = xasprintf("refs/tags/%s^{commit}", tags.strings[i]);
			git_object *obj;
			if (git_revparse_single(&obj, REPO(h), ref) == 0) {
				if (git_oid_equal(git_object_id(obj), commit))
					found = xstrdup(tags.strings[i] + strlen(app) + 1);
				git_object_free(obj);
			}
			free(ref);
		}
		git_strarray_dispose(&tags);
	}
	free(pattern);
	return found;
}

static int fill(struct history *h, const char *app, const git_oid *id, struct release *out)
{
	git_commit *c;
	if (git_commit_lookup(&c, REPO(h), id) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	git_oid_tostr(out->commit, sizeof(out->commit), id);
	const char *s = git_commit_summary(c);
	out->summary = xstrdup(s ? s : "");
	out->time = git_commit_time(c);
	out->version = version_of(h, app, id);
	git_commit_free(c);
	return 0;
}

static int branch_tip(struct history *h, const char *app, git_oid *tip)
{
	char *ref = xasprintf("refs/heads/%s", app);
	int rc = git_reference_name_to_id(tip, REPO(h), ref);
	free(ref);
	return rc;
}

int history_latest(struct history *h, const char *app, struct release *out)
{
	git_oid tip;
	if (branch_tip(h, app, &tip) < 0)
		return 0;
	return fill(h, app, &tip, out) < 0 ? 0 : 1;
}

int history_find(struct history *h, const char *app, const char *version, struct release *out)
{
	char *ref = xasprintf("refs/tags/%s/%s^{commit}", app, version);
	git_object *obj;
	int rc = git_revparse_single(&obj, REPO(h), ref);
	free(ref);
	if (rc < 0)
		return 0;
	rc = fill(h, app, git_object_id(obj), out);
	git_object_free(obj);
	return rc < 0 ? 0 : 1;
}

int history_list(struct history *h, const char *app, struct release **out, int *n)
{
	git_oid tip, id;
	git_revwalk *walk;
	*out = NULL;
	*n = 0;
	if (branch_tip(h, app, &tip) < 0)
		return 0;
	if (git_revwalk_new(&walk, REPO(h)) < 0)
		return -1;
	git_revwalk_simplify_first_parent(walk);
	git_revwalk_push(walk, &tip);
	int alloc = 0;
	while (git_revwalk_next(&id, walk) == 0) {
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			*out = xrealloc(*out, alloc * sizeof(**out));
		}
		if (fill(h, app, &id, &(*out)[*n]) == 0)
			(*n)++;
	}
	git_revwalk_free(walk);
	return 0;
}

int history_apps(struct history *h, struct strvec *out)
{
	git_branch_iterator *it;
	git_reference *ref;
	git_branch_t type;
	if (git_branch_iterator_new(&it, REPO(h), GIT_BRANCH_LOCAL) < 0)
		return -1;
	while (git_branch_next(&ref, &type, it) == 0) {
		const char *name;
		if (git_branch_name(&name, ref) == 0)
			sv_push(out, name);
		git_reference_free(ref);
	}
	git_branch_iterator_free(it);
	return 0;
}

int history_read(struct history *h, const struct release *rel, const char *name,
		 struct strbuf *out)
{
	git_oid id;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	int rc = -1;
	if (git_oid_fromstr(&id, rel->commit) < 0 || git_commit_lookup(&c, REPO(h), &id) < 0 ||
	    git_commit_tree(&tree, c) < 0)
		goto out;
	const git_tree_entry *e = git_tree_entry_byname(tree, name);
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&blob, REPO(h), git_tree_entry_id(e)) < 0)
		goto out;
	sb_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	rc = 0;
out:
	git_blob_free(blob);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int history_extract(struct history *h, const struct release *rel, const char *dir,
		    const char *const *names, size_t n, struct strbuf *err)
{
	rm_rf(dir);
	if (mkdir_p(dir) < 0) {
		sb_addf(err, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (history_read(h, rel, names[i], &sb) < 0)
			continue;
		char *p = xasprintf("%s/%s", dir, names[i]);
		int rc = write_file_atomic(p, sb.buf ? sb.buf : "", sb.len);
		if (rc < 0)
			sb_addf(err, "cannot write %s: %s", p, strerror(errno));
		free(p);
		sb_release(&sb);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static git_signature *signature(git_repository *repo)
{
	git_signature *sig;
	/* The user's git identity where there is one; a CI runner often has
	 * none, and a release is the tool's doing anyway. */
	if (git_signature_default(&sig, repo) == 0)
		return sig;
	if (git_signature_now(&sig, "reduce", "reduce@localhost") == 0)
		return sig;
	return NULL;
}

int history_commit(struct history *h, const char *app, const char *version,
		   const struct history_file *files, int nfiles, const char *message, int force,
		   char commit[41], struct strbuf *err)
{
	git_repository *repo = REPO(h);
	git_treebuilder *tb = NULL;
	git_oid tree_id, commit_id, tag_id, tip;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_object *target = NULL;
	git_reference *ref = NULL;
	git_signature *sig = signature(repo);
	int rc = -1;
	char *tag = xasprintf("%s/%s", app, version);
	char *branch = xasprintf("refs/heads/%s", app);
	int have_tip = branch_tip(h, app, &tip) == 0;

	if (!sig) {
		git_fail(err, "cannot make a signature");
		goto out;
	}
	if (git_treebuilder_new(&tb, repo, NULL) < 0) {
		git_fail(err, "cannot build a tree");
		goto out;
	}
	for (int i = 0; i < nfiles; i++) {
		git_oid blob;
		if (git_blob_create_from_buffer(&blob, repo, files[i].data, files[i].len) < 0 ||
		    git_treebuilder_insert(NULL, tb, files[i].name, &blob, GIT_FILEMODE_BLOB) < 0) {
			git_fail(err, "cannot store %s in %s", files[i].name, h->path);
			goto out;
		}
	}
	if (git_treebuilder_write(&tree_id, tb) < 0 || git_tree_lookup(&tree, repo, &tree_id) < 0) {
		git_fail(err, "cannot write a tree into %s", h->path);
		goto out;
	}
	if (have_tip && git_commit_lookup(&parent, repo, &tip) < 0) {
		git_fail(err, "cannot read the tip of %s", branch);
		goto out;
	}
	const git_commit *parents[] = { parent };
	if (git_commit_create(&commit_id, repo, NULL, sig, sig, "UTF-8", message, tree,
			      parent ? 1 : 0, parents) < 0 ||
	    git_object_lookup(&target, repo, &commit_id, GIT_OBJECT_COMMIT) < 0) {
		git_fail(err, "cannot write a commit into %s", h->path);
		goto out;
	}
	/* The branch moves only from the tip the commit was made on: another
	 * release meanwhile fails it, and then nothing has moved. */
	if (git_reference_create_matching(&ref, repo, branch, &commit_id, have_tip,
					  have_tip ? &tip : NULL, "reduce release") < 0) {
		git_fail(err, "cannot move %s (another release meanwhile?)", branch);
		goto out;
	}
	/* Then the tag, which fails if this version was released meanwhile;
	 * the branch then goes back to where it was. */
	int trc = git_tag_create(&tag_id, repo, tag, target, sig, message, force);
	if (trc < 0) {
		if (trc == GIT_EEXISTS) {
			sb_addf(err, "version %s of %s is already released (tag %s)", version, app, tag);
			rc = HISTORY_EXISTS;
		} else {
			git_fail(err, "cannot create the tag %s", tag);
		}
		git_reference *back = NULL;
		if (have_tip)
			git_reference_create_matching(&back, repo, branch, &tip, 1, &commit_id,
						      "reduce: release undone");
		else if (git_reference_lookup(&back, repo, branch) == 0)
			git_reference_delete(back);
		git_reference_free(back);
		goto out;
	}
	git_oid_tostr(commit, 41, &commit_id);
	if (have_tip)
		git_oid_tostr(h->tip_before, sizeof(h->tip_before), &tip);
	else
		h->tip_before[0] = '\0';
	free(h->tag_made);
	h->tag_made = xstrdup(tag);
	rc = 0;
out:
	git_reference_free(ref);
	git_object_free(target);
	git_commit_free(parent);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	free(tag);
	free(branch);
	return rc;
}

struct push_status {
	struct strbuf *err;
	int refused;
	int tries;
};

static int push_credentials(git_credential **out, const char *url, const char *user,
			    unsigned int allowed, void *payload)
{
	return credentials(out, url, user, allowed, &((struct push_status *)payload)->tries);
}

static int on_push_ref(const char *refname, const char *status, void *data)
{
	struct push_status *ps = data;
	if (status) {
		sb_addf(ps->err, "%s%s: %s", ps->refused ? "; " : "", refname, status);
		ps->refused = 1;
	}
	return 0;
}

/* Takes the local copy's refs back to what they were before the
 * release, which is what the remote had when it was fetched. */
static void undo_release(struct history *h, const char *app)
{
	char *branch = xasprintf("refs/heads/%s", app);
	git_reference *ref;
	if (h->tip_before[0]) {
		git_oid old;
		git_oid_fromstr(&old, h->tip_before);
		if (git_reference_create(&ref, REPO(h), branch, &old, 1, "reduce: push refused") == 0)
			git_reference_free(ref);
	} else if (git_reference_lookup(&ref, REPO(h), branch) == 0) {
		git_reference_delete(ref);
		git_reference_free(ref);
	}
	if (h->tag_made) {
		char *tref = xasprintf("refs/tags/%s", h->tag_made);
		if (git_reference_lookup(&ref, REPO(h), tref) == 0) {
			git_reference_delete(ref);
			git_reference_free(ref);
		}
		free(tref);
	}
	free(branch);
}

/* One ref: 0 pushed, -1 refused or failed (err says why). */
static int push_one(git_remote *remote, const char *spec, struct strbuf *err)
{
	char *specs[] = { (char *)spec };
	git_strarray refspecs = { specs, 1 };
	struct push_status ps = { err, 0, 0 };
	git_push_options po;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.push_update_reference = on_push_ref;
	po.callbacks.credentials = push_credentials;
	po.callbacks.payload = &ps;
	int rc = git_remote_push(remote, &refspecs, &po);
	if (rc < 0 && !ps.refused) {
		const git_error *e = git_error_last();
		sb_adds(err, e && e->message ? e->message : "unknown libgit2 error");
	}
	return rc < 0 || ps.refused ? -1 : 0;
}

int history_push(struct history *h, const char *app, const char *version, int force,
		 struct strbuf *err)
{
	git_remote *remote;
	if (!h->url)
		return 0;
	if (git_remote_create_anonymous(&remote, REPO(h), h->url) < 0)
		return git_fail(err, "%s", history_display(h->url));
	/* The branch first, the tag only once the branch is there: a tag
	 * pushed beside a refused branch would name a release that is not
	 * in the app's history. */
	char *b = xasprintf("refs/heads/%s:refs/heads/%s", app, app);
	char *t = xasprintf("%srefs/tags/%s/%s:refs/tags/%s/%s", force ? "+" : "", app, version,
			    app, version);
	int rc = push_one(remote, b, err);
	if (rc < 0)
		undo_release(h, app);
	else if (push_one(remote, t, err) < 0)
		rc = HISTORY_PARTIAL;
	git_remote_free(remote);
	free(b);
	free(t);
	return rc;
}
