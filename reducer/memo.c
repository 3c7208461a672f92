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
	for (char *l = strtok(sb.buf, "\n"); l; l = strtok(NULL, "\n")) {
		char key[41];
		char name[16];
		/* A line cut short by a crash simply does not parse. Files
		 * written before the tab separated with a space. */
		if (sscanf(l, "%40s %15s", key, name) != 2 || strlen(key) != 40)
			continue;
		enum verdict v = verdict_parse(name);
		if (storable(v))
			memo_note(m, key, v);
	}
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
	/* One short line per verdict, written whole with one write() under an
	 * exclusive lock, so that runs sharing the file never interleave. A
	 * line that a kill or a full disk cut short is ended first: it then
	 * does not parse, and the new line stays whole. */
	char *line = xasprintf("\n%s\t%s\n", key, verdict_names[v]);
	int fd = open(m->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		die_writing(m->path);
	flock(fd, LOCK_EX);
	char last = '\n';
	off_t end = lseek(fd, 0, SEEK_END);
	if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
		last = '\n';
	const char *text = last == '\n' ? line + 1 : line;
	ssize_t want = (ssize_t)strlen(text);
	errno = 0;
	if (write(fd, text, want) != want || fsync(fd) < 0) {
		if (errno == 0)
			errno = ENOSPC;
		/* Not even half a line is left behind. */
		int saved = errno;
		if (end >= 0 && ftruncate(fd, end) < 0) {
		}
		errno = saved;
		die_writing(m->path);
	}
	close(fd);
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
