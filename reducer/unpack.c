#define _GNU_SOURCE
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An entry's path made relative and clean ("./a//b/" is "a/b"), or NULL
 * when it is absolute or has a ".." component: such a path is meant to
 * land outside. "" is the top directory itself. */
static char *clean_path(const char *path)
{
	if (!path || path[0] == '/')
		return NULL;
	struct strbuf out = STRBUF_INIT;
	const char *p = path;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2)) {
			sb_release(&out);
			return NULL;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (out.len)
				sb_adds(&out, "/");
			sb_add(&out, p, n);
		}
		p += n;
		p += strspn(p, "/");
	}
	return out.buf ? out.buf : xstrdup("");
}

static const char *base_name(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

/* A chroot into dir follows at most this many symlinks in one path, as
 * the kernel does (ELOOP). */
#define MAX_LINKS 40
/* and walks at most this many components: links full of "a/.." would
 * otherwise cost a crafted archive's every entry thousands of lstat()s. */
#define MAX_STEPS 4096

/* Pushes the components of path onto todo so that popping gives them in
 * order. */
static void push_components(struct strvec *todo, const char *path)
{
	size_t first = todo->n;
	for (const char *p = path; *p;) {
		p += strspn(p, "/");
		size_t n = strcspn(p, "/");
		if (n) {
			char *c = xstrndup(p, n);
			sv_push(todo, c);
			free(c);
		}
		p += n;
	}
	for (size_t i = first, j = todo->n; i + 1 < j; i++, j--) {
		char *t = todo->v[i];
		todo->v[i] = todo->v[j - 1];
		todo->v[j - 1] = t;
	}
}

/* Cuts sb back to n bytes. */
static void sb_cut(struct strbuf *sb, size_t n)
{
	sb->len = n;
	if (sb->buf)
		sb->buf[n] = '\0';
}

/* rel (clean) with the directories above it resolved inside dir as a
 * chroot into dir resolves them: a symlink among them is followed, an
 * absolute target from dir itself, ".." never above dir. So a layer's
 * bin/foo lands in usr/bin/foo over a lower layer's bin -> usr/bin, as a
 * container runtime puts it, and no link takes a write outside dir. The
 * last component is not followed: an entry replaces what is at its own
 * path. Returns the resolved path (allocated), or NULL with the reason in
 * *bad (a loop of links, a file where a directory must be). The
 * directories not there yet, which writing it makes, go to `missing` if
 * given. */
char *unpack_resolve(const char *dir, const char *rel, struct strvec *missing, char **bad)
{
	struct strvec todo = STRVEC_INIT;
	/* The path resolved so far, relative to dir. */
	struct strbuf done = STRBUF_INIT;
	const char *last = base_name(rel);
	char *parent = xstrndup(rel, last - rel);
	char *out = NULL;
	int links = 0, steps = 0;
	sb_adds(&done, "");
	push_components(&todo, parent);
	while (todo.n) {
		if (++steps > MAX_STEPS) {
			*bad = xasprintf("a path of more than %d components through its links", MAX_STEPS);
			goto out;
		}
		char *c = todo.v[--todo.n];
		todo.v[todo.n] = NULL;
		if (!strcmp(c, "..")) {
			char *slash = strrchr(done.buf, '/');
			sb_cut(&done, slash ? (size_t)(slash - done.buf) : 0);
			free(c);
			continue;
		}
		if (!strcmp(c, ".")) {
			free(c);
			continue;
		}
		size_t before = done.len;
		sb_addf(&done, "%s%s", before ? "/" : "", c);
		free(c);
		char *path = xasprintf("%s/%s", dir, done.buf);
		struct stat st;
		char target[4096];
		ssize_t n;
		int ok = 1;
		if (lstat(path, &st) < 0) {
			/* Not there (yet): libarchive makes it a directory. */
			ok = errno == ENOENT;
			if (!ok)
				*bad = xasprintf("%s: %s", done.buf, strerror(errno));
			else if (missing)
				sv_push(missing, done.buf);
		} else if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_LINKS) {
				*bad = xasprintf("%s: too many levels of symlinks", done.buf);
				ok = 0;
			} else if ((n = readlink(path, target, sizeof(target) - 1)) < 0) {
				*bad = xasprintf("%s: %s", done.buf, strerror(errno));
				ok = 0;
			} else {
				target[n] = '\0';
				/* The link's own name goes; an absolute target
				 * starts again from the top. */
				sb_cut(&done, target[0] == '/' ? 0 : before);
				push_components(&todo, target);
			}
		} else if (!S_ISDIR(st.st_mode)) {
			*bad = xasprintf("%s: not a directory", done.buf);
			ok = 0;
		}
		free(path);
		if (!ok)
			goto out;
	}
	out = xasprintf("%s%s%s", done.buf, done.len ? "/" : "", last);
out:
	sv_clear(&todo);
	sb_release(&done);
	free(parent);
	return out;
}

static struct archive *new_reader(void)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	return a;
}

/* The archive outer's entry `member` is, read through from outer: a
 * docker-archive's layer is a tar inside the tar. */
struct member_src {
	struct archive *outer;
	char buf[1 << 16];
};

static la_ssize_t member_read(struct archive *a, void *data, const void **buf)
{
	struct member_src *m = data;
	(void)a;
	*buf = m->buf;
	return archive_read_data(m->outer, m->buf, sizeof(m->buf));
}

static int member_close(struct archive *a, void *data)
{
	struct member_src *m = data;
	(void)a;
	archive_read_free(m->outer);
	free(m);
	return ARCHIVE_OK;
}

/* Moves outer to the entry named member (as clean_path() makes it):
 * 1, 0 when there is none, -1 when outer cannot be read. */
static int find_member(struct archive *outer, const char *member, long long *size)
{
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(outer, &e)) == ARCHIVE_OK) {
		char *rel = clean_path(archive_entry_pathname(e));
		int hit = rel && !strcmp(rel, member) && archive_entry_filetype(e) == AE_IFREG;
		free(rel);
		if (hit) {
			*size = archive_entry_size(e);
			return 1;
		}
	}
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* file, or with member its entry of that name, opened as an archive. */
static struct archive *open_read(const char *file, const char *member, struct strbuf *err)
{
	struct archive *a = new_reader();
	if (!member) {
		if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
			sb_addf(err, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) :
				"cannot open");
			archive_read_free(a);
			return NULL;
		}
		return a;
	}
	struct member_src *m = xmalloc(sizeof(*m));
	m->outer = open_read(file, NULL, err);
	long long size;
	int found = m->outer ? find_member(m->outer, member, &size) : -1;
	if (found <= 0) {
		if (m->outer && found == 0)
			sb_addf(err, "%s: no member %s", file, member);
		else if (m->outer)
			sb_addf(err, "%s: %s", file, archive_error_string(m->outer) ?
				archive_error_string(m->outer) : "a truncated or corrupt archive");
		if (m->outer)
			archive_read_free(m->outer);
		free(m);
		archive_read_free(a);
		return NULL;
	}
	if (archive_read_open(a, m, NULL, member_read, member_close) != ARCHIVE_OK) {
		sb_addf(err, "%s: %s: %s", file, member, archive_error_string(a) ?
			archive_error_string(a) : "not an archive");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

int archive_list_members(const char *file, struct strvec *names, struct strbuf *err)
{
	struct archive *a = open_read(file, NULL, err);
	if (!a)
		return -1;
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *rel = clean_path(archive_entry_pathname(e));
		if (rel && archive_entry_filetype(e) == AE_IFREG)
			sv_push(names, rel);
		free(rel);
	}
	if (r != ARCHIVE_EOF)
		sb_addf(err, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) :
			"a truncated or corrupt archive");
	archive_read_free(a);
	return r == ARCHIVE_EOF ? 0 : -1;
}

int archive_read_member(const char *file, const char *member, long long max_bytes,
			struct strbuf *out, struct strbuf *err)
{
	struct archive *a = open_read(file, NULL, err);
	if (!a)
		return -1;
	long long size;
	int found = find_member(a, member, &size), rc = -1;
	if (found == 0) {
		sb_addf(err, "%s: no member %s", file, member);
	} else if (found < 0) {
		sb_addf(err, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) :
			"a truncated or corrupt archive");
	} else if (size > max_bytes) {
		sb_addf(err, "%s: %s: %lld bytes, more than %lld", file, member, size, max_bytes);
	} else {
		char buf[1 << 16];
		la_ssize_t n;
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0 && (long long)out->len <= max_bytes)
			sb_add(out, buf, n);
		if (n < 0)
			sb_addf(err, "%s: %s: %s", file, member, archive_error_string(a) ?
				archive_error_string(a) : "a truncated or corrupt archive");
		else
			rc = 0;
	}
	archive_read_free(a);
	return rc;
}

/* Empties a directory: what the layers below left in it. */
static void empty_dir(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rm_rf(path);
		mkdir(path, st.st_mode & 07777);
	}
}

/* Appended, never searched: a search per entry would make an untrusted
 * archive's many entries quadratic. An entry without the bits is recorded
 * once some path has them, since it may be writing that path again; the
 * last record of a path is the one that holds. */
static void note_setid(struct strvec *setid, const char *rel, unsigned bits)
{
	if (bits || setid->n)
		sv_pushf(setid, "%04o %s", bits, rel);
}

/* The first pass of a layer: its whiteouts remove what the layers below
 * left, before any of its own entries are written. */
static int apply_whiteouts(const char *path, const char *member, const char *file, const char *dir,
			   struct unpack_stats *st, struct strbuf *err)
{
	struct archive *a = open_read(path, member, err);
	struct archive_entry *e;
	int r, rc = 0;
	if (!a)
		return -1;
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *rel = clean_path(archive_entry_pathname(e));
		if (!rel || strncmp(base_name(rel), ".wh.", 4)) {
			free(rel);
			continue;
		}
		const char *name = base_name(rel) + 4;
		int opaque = !strcmp(name, ".wh..opq");
		char *bad = NULL;
		char *at = NULL;
		/* ".wh.", ".wh.." and ".wh..." would name the directory itself
		 * or the one above it: above the top, outside the tree. */
		if (!opaque && (!*name || !strcmp(name, ".") || !strcmp(name, ".."))) {
			sb_addf(err, "%s: %s: a whiteout of no file", file, rel);
			rc = -1;
		} else if (!(at = unpack_resolve(dir, rel, NULL, &bad))) {
			sb_addf(err, "%s: %s: %s", file, rel, bad);
			rc = -1;
		} else {
			size_t dirlen = base_name(at) - at;
			char *target = opaque ? xasprintf("%s/%.*s", dir, (int)dirlen, at)
				: xasprintf("%s/%.*s%s", dir, (int)dirlen, at, name);
			struct stat sb;
			if (opaque) {
				empty_dir(target);
				st->whiteouts++;
			} else if (lstat(target, &sb) == 0) {
				rm_rf(target);
				st->whiteouts++;
				/* Whatever is made at its path later has its own bits. */
				note_setid(&st->setid, target + strlen(dir) + 1, 0);
			} else {
				warning("%s: %s: a whiteout of %.*s%s, which no lower layer has", file, rel,
					(int)(base_name(rel) - rel), rel, name);
				st->missing_whiteouts++;
			}
			free(target);
		}
		free(at);
		free(bad);
		free(rel);
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		sb_addf(err, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) :
			"cannot read the archive");
		rc = -1;
	}
	archive_read_free(a);
	return rc;
}

/* Checks one entry and makes it relative to dir, or says why not. */
static int check_entry(const char *file, const char *dir, struct archive_entry *e, int layer,
		       long long max_bytes, struct unpack_stats *st, struct strbuf *err, int *skip)
{
	const char *raw = archive_entry_pathname(e);
	char *rel = clean_path(raw);
	char *bad = NULL;
	int rc = -1;
	*skip = 0;
	if (!rel) {
		sb_addf(err, "%s: %s: a path outside the staging directory", file, raw ? raw : "?");
		goto out;
	}
	unsigned type = archive_entry_filetype(e);
	if (!*rel || (layer && !strncmp(base_name(rel), ".wh.", 4))) {
		*skip = 1;
		rc = 0;
		goto out;
	}
	if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK) {
		st->skipped++;
		*skip = 1;
		rc = 0;
		goto out;
	}
	struct strvec made = STRVEC_INIT;
	char *at = unpack_resolve(dir, rel, st->setid.n ? &made : NULL, &bad);
	/* A directory libarchive makes on the way has no bits, whatever a
	 * lower layer's entry at that path (whited out since) had. */
	for (size_t i = 0; i < made.n; i++)
		note_setid(&st->setid, made.v[i], 0);
	sv_clear(&made);
	if (!at) {
		sb_addf(err, "%s: %s: %s", file, rel, bad);
		goto out;
	}
	free(rel);
	rel = at;
	const char *link = archive_entry_hardlink(e);
	if (link) {
		char *lrel = clean_path(link);
		char *lbad = NULL;
		char *lat = lrel && *lrel ? unpack_resolve(dir, lrel, NULL, &lbad) : NULL;
		if (!lat)
			sb_addf(err, "%s: %s: a hard link to %s, %s", file, rel, link,
				lbad ? lbad : "outside the staging directory");
		else
			archive_entry_set_hardlink(e, lat);
		free(lrel);
		free(lbad);
		free(lat);
		if (!lat)
			goto out;
	}
	if (++st->entries > UNPACK_MAX_ENTRIES) {
		sb_addf(err, "%s: more than %d entries in all (the limit)", file, UNPACK_MAX_ENTRIES);
		goto out;
	}
	/* A hard link may carry data (pax), which libarchive writes: it
	 * counts as any file's. */
	if (type == AE_IFREG)
		st->bytes += archive_entry_size(e);
	if (st->bytes > max_bytes) {
		sb_addf(err, "%s: unpacks to more than %lld bytes in all (the limit)", file, max_bytes);
		goto out;
	}
	archive_entry_set_pathname(e, rel);
	/* Setuid and setgid bits are not given to an untrusted archive's
	 * files on the host; the image gets them from the record. An entry
	 * replaces what a lower layer recorded at its path. */
	note_setid(&st->setid, rel, archive_entry_perm(e) & 06000);
	archive_entry_set_perm(e, archive_entry_perm(e) & 01777);
	rc = 0;
out:
	free(rel);
	free(bad);
	return rc;
}

static int unpack(const char *path, const char *member, const char *dir_given, int layer,
		  long long max_bytes, struct unpack_stats *st, struct strbuf *err)
{
	/* What messages call it: the file, or FILE:MEMBER. */
	char *file = member ? xasprintf("%s:%s", path, member) : xstrdup(path);
	/* Absolute: the entries are written from inside it. */
	char *dir = realpath(dir_given, NULL);
	if (!dir) {
		sb_addf(err, "cannot find %s: %s", dir_given, strerror(errno));
		return -1;
	}
	if (!max_bytes)
		max_bytes = UNPACK_MAX_BYTES;
	if (layer && apply_whiteouts(path, member, file, dir, st, err) < 0) {
		free(dir);
		free(file);
		return -1;
	}
	struct archive *a = open_read(path, member, err);
	if (!a) {
		free(dir);
		free(file);
		return -1;
	}
	struct archive *w = archive_write_disk_new();
	/* Owners are kept where they can be (as root); the cpio records them. */
	archive_write_disk_set_options(w, (geteuid() == 0 ? ARCHIVE_EXTRACT_OWNER : 0) |
				       ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
				       ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	/* Paths are relative to dir: libarchive writes them from the working
	 * directory, which is put back at the end. */
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (cwd < 0 || chdir(dir) < 0) {
		sb_addf(err, "cannot enter %s: %s", dir, strerror(errno));
		rc = -1;
	}
	struct archive_entry *e;
	int r = ARCHIVE_OK;
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		int skip;
		if (check_entry(file, dir, e, layer, max_bytes, st, err, &skip) < 0) {
			rc = -1;
			break;
		}
		if (skip)
			continue;
		if (archive_write_header(w, e) < ARCHIVE_WARN) {
			sb_addf(err, "%s: %s: %s", file, archive_entry_pathname(e),
				archive_error_string(w) ? archive_error_string(w) : "cannot write it");
			rc = -1;
			break;
		}
		const void *buf;
		size_t len;
		la_int64_t off;
		int dr;
		while ((dr = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(w, buf, len, off) < ARCHIVE_OK) {
				dr = ARCHIVE_FATAL;
				break;
			}
		if (dr != ARCHIVE_EOF) {
			const char *why = archive_error_string(a) ? archive_error_string(a) :
				archive_error_string(w);
			sb_addf(err, "%s: %s: %s", file, archive_entry_pathname(e),
				why ? why : "a truncated or corrupt archive");
			rc = -1;
			break;
		}
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			sb_addf(err, "%s: %s: %s", file, archive_entry_pathname(e),
				archive_error_string(w) ? archive_error_string(w) : "cannot write it");
			rc = -1;
			break;
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		sb_addf(err, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) :
			"a truncated or corrupt archive");
		rc = -1;
	}
	if (archive_write_close(w) < ARCHIVE_WARN && rc == 0) {
		sb_addf(err, "%s: %s", file, archive_error_string(w) ? archive_error_string(w) :
			"cannot finish writing");
		rc = -1;
	}
	archive_write_free(w);
	archive_read_free(a);
	if (cwd >= 0) {
		if (fchdir(cwd) < 0)
			die("cannot return to the working directory: %s", strerror(errno));
		close(cwd);
	}
	free(dir);
	free(file);
	return rc;
}

int archive_unpack(const char *file, const char *dir, int layer, long long max_bytes,
		   struct unpack_stats *st, struct strbuf *err)
{
	return unpack(file, NULL, dir, layer, max_bytes, st, err);
}

int archive_unpack_member(const char *file, const char *member, const char *dir, int layer,
			  long long max_bytes, struct unpack_stats *st, struct strbuf *err)
{
	return unpack(file, member, dir, layer, max_bytes, st, err);
}
