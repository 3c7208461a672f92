#include "memo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (read_file(m->path, &sb) < 0)
		return;
	for (char *l = strtok(sb.buf, "\n"); l; l = strtok(NULL, "\n")) {
		char key[41];
		char name[16];
		/* A line cut short by a crash simply does not parse. Files
		 * written before the tab separated with a space. */
		if (sscanf(l, "%40s %15s", key, name) != 2 || strlen(key) != 40)
			continue;
		enum verdict v = verdict_parse(name);
		if (v != V_COUNT)
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
	memo_note(m, key, v);
	/* One short append per verdict: atomic enough for O_APPEND. */
	char *line = xasprintf("%s\t%s\n", key, verdict_names[v]);
	int fd = open(m->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) < 0)
		warning("cannot record a verdict in %s: %s", m->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(line);
}

void memo_key(char out[41], const char *config_hash, const char *cpio_hash,
	      const char *tests_hash)
{
	char *s = xasprintf("config %s\ninitramfs %s\ntests %s\n", config_hash, cpio_hash, tests_hash);
	content_hash(s, strlen(s), out);
	free(s);
}
