/* The rootfs search's first guess, from what the guest touched. The
 * guest's init (rootfs/init.c) knows how a touch is seen; this file knows
 * only the lines it writes and the tree they name. */
#define _GNU_SOURCE
#include "observe.h"

#include <stdlib.h>
#include <string.h>

#define TOUCHED "reduce-init: touched /"
#define FAILED "reduce-init: observe failed: "

static const struct rootfs *sort_rf;

static int by_path(const void *a, const void *b)
{
	return strcmp(sort_rf->path[*(const int *)a], sort_rf->path[*(const int *)b]);
}

/* The entry named by the path (relative, len bytes), -1 if none. */
static int find(const struct rootfs *rf, const int *order, const char *path, size_t len)
{
	int lo = 0, hi = rf->n - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		const char *p = rf->path[order[mid]];
		int c = strncmp(p, path, len);
		if (!c)
			c = p[len] ? 1 : 0;
		if (!c)
			return order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

unsigned char *observe_untouched(const struct rootfs *rf, const char *console, size_t len,
				 int *touched)
{
	int *order = xmalloc((rf->n + 1) * sizeof(int));
	unsigned char *hot = xcalloc(rf->nnodes + 1, 1), *cand = xcalloc(rf->nnodes + 1, 1);
	unsigned char *named = xcalloc(rf->n + 1, 1);
	for (int i = 0; i < rf->n; i++)
		order[i] = i;
	sort_rf = rf;
	qsort(order, rf->n, sizeof(int), by_path);
	*touched = 0;
	size_t plen = strlen(TOUCHED);
	const char *end = console + len, *nl;
	/* Whole lines only: the last may have been cut off mid-path. */
	for (const char *l = console; l < end && (nl = memchr(l, '\n', end - l)); l = nl + 1) {
		if ((size_t)(nl - l) <= plen || memcmp(l, TOUCHED, plen))
			continue;
		const char *path = l + plen;
		size_t n = nl - path;
		if (path[n - 1] == '\r')
			n--;
		if (!n || memchr(path, '\0', n))
			continue;
		int e = find(rf, order, path, n);
		if (e < 0 || named[e])
			continue;
		named[e] = 1;
		(*touched)++;
		/* A touched node keeps its ancestors out of the guess. */
		for (int nd = rf->node[e]; nd >= 0 && !hot[nd]; nd = rf->tparent[nd])
			hot[nd] = 1;
	}
	for (int i = 0; i < rf->nnodes; i++)
		cand[i] = !rf->tgroup[i] && !hot[i];
	free(named);
	free(hot);
	free(order);
	return cand;
}

int observe_failed(const char *console, size_t len, struct strbuf *why)
{
	const char *f = memmem(console, len, FAILED, strlen(FAILED));
	if (!f)
		return 0;
	f += strlen(FAILED);
	const char *end = console + len;
	size_t n = 0;
	while (f + n < end && f[n] != '\n' && f[n] != '\r' && f[n])
		n++;
	sb_add(why, f, n);
	return 1;
}
