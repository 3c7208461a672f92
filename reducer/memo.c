#include "memo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Only what the candidate itself decides is worth keeping: a host fault,
 * an abort or a candidate that changed nothing says nothing about it. */
static int storable(enum verdict v)
{
	return v == V_PASS || v == V_BUILD || v == V_BOOT || v == V_TEST;
}

static void parse_lines(struct memo *m, char *text);

/* Whole lines, written with one write() under an exclusive lock, so
 * that runs sharing the file never interleave. A line that a kill or a
 * full disk cut short is ended first: it then does not parse, and the
 * new lines stay whole. On failure nothing of them is left behind. */
static int append_locked(int fd, const char *lines, size_t len)
{
	char last = '\n';
	off_t end = lseek(fd, 0, SEEK_END);
	if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
		last = '\n';
	struct strbuf text = STRBUF_INIT;
	if (last != '\n')
		sb_adds(&text, "\n");
	sb_add(&text, lines, len);
	errno = 0;
	int rc = 0;
	if (write(fd, text.buf, text.len) != (ssize_t)text.len || fsync(fd) < 0) {
		if (errno == 0)
			errno = ENOSPC;
		int saved = errno;
		if (end >= 0 && ftruncate(fd, end) < 0) {
		}
		errno = saved;
		rc = -1;
	}
	sb_release(&text);
	return rc;
}

static int append_lines(const char *path, const char *lines, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	flock(fd, LOCK_EX);
	int rc = append_locked(fd, lines, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

void memo_note(struct memo *m, const char *key, enum verdict v)
{
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 256;
		m->key = xrealloc(m->key, m->alloc * sizeof(*m->key));
		m->v = xrealloc(m->v, m->alloc);
	}
	memcpy(m->key[m->n], key, 41);
	m->v[m->n++] = v;
}

void memo_open(struct memo *m, const char *app)
{
	memset(m, 0, sizeof(*m));
	char *dir = xasprintf("%s/memo", cache_dir());
	mkdir_p(dir);
	m->path = xasprintf("%s/%s.tsv", dir, app);
	free(dir);
	struct strbuf sb = STRBUF_INIT;
	int fd = open(m->path, O_RDONLY | O_CLOEXEC);
	/* Concurrent runs of one app append to the same file: a shared lock
	 * keeps this read from seeing half of another run's line. */
	if (fd >= 0)
		flock(fd, LOCK_SH);
	int got = read_file(m->path, &sb);
	if (fd >= 0)
		close(fd);
	if (got < 0)
		return;
	/* Files written before the tab separated with a space. */
	parse_lines(m, sb.buf);
	m->nloaded = m->n;
	sb_release(&sb);
}

static int find(const struct memo *m, const char *key)
{
	/* Later lines win: a verdict can be stored again after a re-test. */
	for (int i = m->n - 1; i >= 0; i--)
		if (!strcmp(m->key[i], key))
			return i;
	return -1;
}

enum verdict memo_get(const struct memo *m, const char *key)
{
	int i = find(m, key);
	return i < 0 ? V_COUNT : m->v[i];
}

int memo_from_earlier_run(const struct memo *m, const char *key)
{
	int i = find(m, key);
	return i >= 0 && i < m->nloaded;
}

void memo_put(struct memo *m, const char *key, enum verdict v)
{
	if (!storable(v))
		return;
	memo_note(m, key, v);
	char *line = xasprintf("%s\t%s\n", key, verdict_names[v]);
	if (append_lines(m->path, line, strlen(line)) < 0)
		die_writing(m->path);
	free(line);
}

void memo_key(char out[41], const char *config_hash, const char *cpio_hash,
	      const char *harness_hash)
{
	/* "harness", where keys of earlier versions said "tests" with the
	 * script's hash alone: verdicts made under another machine are not
	 * replayed as if they matched. */
	char *s = xasprintf("config %s\ninitramfs %s\nharness %s\n", config_hash, cpio_hash,
			    harness_hash);
	content_hash(s, strlen(s), out);
	free(s);
}

/* Parses memo lines into m (notes only): what a crash cut short, or a
 * line that is not a verdict of ours, is skipped. */
static void parse_lines(struct memo *m, char *text)
{
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		char key[41];
		char name[16];
		if (sscanf(l, "%40s %15s", key, name) != 2 || strlen(key) != 40 ||
		    strspn(key, "0123456789abcdef") != 40)
			continue;
		enum verdict v = verdict_parse(name);
		if (storable(v))
			memo_note(m, key, v);
	}
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const char (*)[41])a)[0], ((const char (*)[41])b)[0]);
}

int memo_export(const char *app, struct strbuf *out)
{
	struct memo m;
	memo_open(&m, app);
	/* One line per key, its latest verdict, sorted: the same verdicts
	 * give the same bytes, whatever order they were learned in. */
	struct { char key[41]; unsigned char v; } *e = xmalloc((m.n + 1) * sizeof(*e));
	int n = 0;
	for (int i = 0; i < m.n; i++)
		if (find(&m, m.key[i]) == i) {
			memcpy(e[n].key, m.key[i], 41);
			e[n++].v = m.v[i];
		}
	qsort(e, n, sizeof(*e), by_key);
	for (int i = 0; i < n; i++)
		sb_addf(out, "%s\t%s\n", e[i].key, verdict_names[e[i].v]);
	free(e);
	memo_close(&m);
	return n;
}

int memo_merge(const char *app, const char *text, int *added)
{
	struct memo m, in = { 0 };
	char *copy = xstrdup(text);
	parse_lines(&in, copy);
	free(copy);
	memo_open(&m, app);
	/* What the memo holds is read again under the lock the appends take:
	 * a verdict a run stored since memo_open() is known too. */
	int fd = open(m.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		memo_close(&m);
		memo_close(&in);
		return -1;
	}
	flock(fd, LOCK_EX);
	struct strbuf now = STRBUF_INIT;
	if (read_file(m.path, &now) == 0 && now.buf) {
		m.n = 0;
		parse_lines(&m, now.buf);
	}
	sb_release(&now);
	/* A verdict this machine learned itself stays: the imported one is
	 * added only for a key it does not know. */
	struct strbuf lines = STRBUF_INIT;
	*added = 0;
	for (int i = 0; i < in.n; i++)
		if (find(&m, in.key[i]) < 0 && find(&in, in.key[i]) == i) {
			memo_note(&m, in.key[i], in.v[i]);
			sb_addf(&lines, "%s\t%s\n", in.key[i], verdict_names[in.v[i]]);
			(*added)++;
		}
	int rc = 0;
	if (lines.len)
		rc = append_locked(fd, lines.buf, lines.len);
	int saved = errno;
	close(fd);
	errno = saved;
	sb_release(&lines);
	memo_close(&m);
	memo_close(&in);
	return rc;
}

void memo_close(struct memo *m)
{
	free(m->path);
	free(m->key);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
