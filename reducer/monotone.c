/* Failures that answer later kernel candidates without a build: see
 * monotone.h for why this holds. */
#include "monotone.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int lineset_read_config(struct lineset *s, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	s->h = NULL;
	s->n = 0;
	if (read_file(path, &text) < 0)
		return -1;
	int alloc = 0;
	for (char *p = text.buf; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 7 && !strncmp(p, "CONFIG_", 7)) {
			if (s->n == alloc) {
				alloc = alloc ? 2 * alloc : 512;
				s->h = xrealloc(s->h, alloc * sizeof(*s->h));
			}
			s->h[s->n++] = fnv1a64(p, len);
		}
		p = nl ? nl + 1 : NULL;
	}
	sb_release(&text);
	if (s->n)
		qsort(s->h, s->n, sizeof(*s->h), u64_cmp);
	return 0;
}

int lineset_subset(const struct lineset *a, const struct lineset *b)
{
	int j = 0;
	for (int i = 0; i < a->n; i++) {
		while (j < b->n && b->h[j] < a->h[i])
			j++;
		if (j == b->n || b->h[j] != a->h[i])
			return 0;
	}
	return 1;
}

void lineset_release(struct lineset *s)
{
	free(s->h);
	s->h = NULL;
	s->n = 0;
}

void failures_add(struct failures *fs, struct lineset *s, const char *context, int cand,
		  enum verdict v)
{
	if (v != V_BOOT && v != V_TEST) {
		lineset_release(s);
		return;
	}
	if (fs->n == fs->alloc) {
		fs->alloc = fs->alloc ? 2 * fs->alloc : 32;
		fs->f = xrealloc(fs->f, fs->alloc * sizeof(*fs->f));
	}
	struct failure *f = &fs->f[fs->n++];
	f->s = *s;
	s->h = NULL;
	s->n = 0;
	snprintf(f->context, sizeof(f->context), "%s", context);
	f->cand = cand;
	f->v = v;
}

static int implies(const struct failure *f, const struct lineset *s, const char *context)
{
	return !strcmp(f->context, context) && lineset_subset(s, &f->s);
}

const struct failure *failures_implying(const struct failures *fs, const struct lineset *s,
					const char *context)
{
	for (int i = 0; i < fs->n; i++)
		if (implies(&fs->f[i], s, context))
			return &fs->f[i];
	return NULL;
}

void failures_passed(struct failures *fs, const struct lineset *s, const char *context)
{
	int j = 0;
	for (int i = 0; i < fs->n; i++) {
		if (implies(&fs->f[i], s, context))
			lineset_release(&fs->f[i].s);
		else
			fs->f[j++] = fs->f[i];
	}
	fs->n = j;
}

void failures_release(struct failures *fs)
{
	for (int i = 0; i < fs->n; i++)
		lineset_release(&fs->f[i].s);
	free(fs->f);
	fs->f = NULL;
	fs->n = fs->alloc = 0;
}
