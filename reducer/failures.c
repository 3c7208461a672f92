/* Failures that answer later kernel candidates without a build: see
 * failures.h for why this holds. */
#include "failures.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void lineset_of_config(struct lineset *s, const struct config *c)
{
	struct strvec set = STRVEC_INIT;
	config_settings(c, &set);
	s->n = (int)set.n;
	s->h = xmalloc((set.n + 1) * sizeof(*s->h));
	for (size_t i = 0; i < set.n; i++)
		s->h[i] = fnv1a64(set.v[i], strlen(set.v[i]));
	sv_clear(&set);
	if (s->n)
		qsort(s->h, s->n, sizeof(*s->h), u64_cmp);
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

void failures_add(struct failures *fs, const struct config *c, const char *context, int cand,
		  enum verdict v)
{
	if (v != V_BOOT && v != V_TEST)
		return;
	if (fs->n == fs->alloc) {
		fs->alloc = fs->alloc ? 2 * fs->alloc : 32;
		fs->f = xrealloc(fs->f, fs->alloc * sizeof(*fs->f));
	}
	struct failure *f = &fs->f[fs->n++];
	lineset_of_config(&f->s, c);
	snprintf(f->context, sizeof(f->context), "%s", context);
	f->cand = cand;
	f->v = v;
}

static int implies(const struct failure *f, const struct lineset *s, const char *context)
{
	return !strcmp(f->context, context) && lineset_subset(s, &f->s);
}

const struct failure *failures_implying(const struct failures *fs, const struct config *c,
					const char *context)
{
	struct lineset s;
	const struct failure *f = NULL;
	lineset_of_config(&s, c);
	for (int i = 0; i < fs->n && !f; i++)
		if (implies(&fs->f[i], &s, context))
			f = &fs->f[i];
	lineset_release(&s);
	return f;
}

void failures_passed(struct failures *fs, const struct config *c, const char *context)
{
	struct lineset s;
	int j = 0;
	lineset_of_config(&s, c);
	for (int i = 0; i < fs->n; i++) {
		if (implies(&fs->f[i], &s, context))
			lineset_release(&fs->f[i].s);
		else
			fs->f[j++] = fs->f[i];
	}
	fs->n = j;
	lineset_release(&s);
}

void failures_release(struct failures *fs)
{
	for (int i = 0; i < fs->n; i++)
		lineset_release(&fs->f[i].s);
	free(fs->f);
	fs->f = NULL;
	fs->n = fs->alloc = 0;
}
