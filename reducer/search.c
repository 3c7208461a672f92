#include "search.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int parse_strategy(const char *s, enum strategy *out)
{
	if (!strcmp(s, "linear"))
		*out = STRAT_LINEAR;
	else if (!strcmp(s, "hier"))
		*out = STRAT_HIER;
	else
		return -1;
	return 0;
}

const char *strategy_name(enum strategy s)
{
	return s == STRAT_HIER ? "hier" : "linear";
}

/* Search state shared by the strategies. The memo keeps ddmin from asking
 * the oracle twice about the same set, which it otherwise does often. */
struct memo_entry {
	uint64_t h;
	unsigned char *set;
	enum verdict v;
};

struct engine {
	const struct search_tree *t;
	oracle_fn oracle;
	void *ctx;
	const struct search_opts *o;
	struct search_stats *st;
	unsigned char *removed;
	int **children;
	int *nchildren;
	struct memo_entry *memo;
	int nmemo, amemo;
	int stop;
	/* Nodes whose own removal failed: under a monotone oracle they stay
	 * needed as the state shrinks, so no chunk carries them again. */
	unsigned char *needed;
	/* Subtrees whose removal as a whole failed (subtrees_whole): each
	 * holds something needed, so no chunk carries one again and it is
	 * searched inside without being tried whole a second time. */
	unsigned char *whole_failed;
	/* Density of needed items seen so far, for the chunk size of hier.
	 * Counted in items, as chunks are: a removed directory of 60 files
	 * says as much about density as 60 removed files. */
	long kept_single, removed_items;
};

static void mark_subtree(struct engine *e, unsigned char *set, int node)
{
	set[node] = 1;
	for (int i = 0; i < e->nchildren[node]; i++)
		mark_subtree(e, set, e->children[node][i]);
}

/* Items (not grouping nodes) still present, and in the whole tree. */
static int item_count(struct engine *e, int present_only)
{
	int n = 0;
	for (int i = 0; i < e->t->n; i++)
		n += (!present_only || !e->removed[i]) && !(e->t->group && e->t->group[i]);
	return n;
}

/* Tests `cand`; on a pass it becomes the current state. Returns 1 on pass. */
static int try_set(struct engine *e, unsigned char *cand)
{
	int n = e->t->n;
	if (e->stop)
		return 0;
	if (!memcmp(cand, e->removed, n))
		return 0;
	uint64_t h = fnv1a64(cand, n);
	enum verdict v = V_COUNT;
	for (int i = 0; i < e->nmemo; i++)
		if (e->memo[i].h == h && !memcmp(e->memo[i].set, cand, n)) {
			v = e->memo[i].v;
			e->st->memo_hits++;
			break;
		}
	if (v == V_COUNT) {
		if (e->o->max_candidates && e->st->tested >= e->o->max_candidates) {
			e->st->stopped_early = 1;
			e->stop = 1;
			return 0;
		}
		v = e->oracle(e->ctx, cand);
		if (v == V_ABORT) {
			e->st->aborted = 1;
			e->stop = 1;
			return 0;
		}
		if (v == V_NOCHANGE) {
			e->st->nochange++;
		} else {
			e->st->tested++;
			if (v == V_PASS)
				e->st->accepted++;
			else
				e->st->rejected[v]++;
		}
		if (e->nmemo == e->amemo) {
			e->amemo = e->amemo ? 2 * e->amemo : 64;
			e->memo = xrealloc(e->memo, e->amemo * sizeof(*e->memo));
		}
		e->memo[e->nmemo].h = h;
		e->memo[e->nmemo].set = xmalloc(n);
		memcpy(e->memo[e->nmemo].set, cand, n);
		e->memo[e->nmemo].v = v;
		e->nmemo++;
		if (v == V_PASS)
			memcpy(e->removed, cand, n);
		/* A candidate that changed nothing cost nothing: no line. The
		 * count is taken after a pass is applied, so it includes it. */
		if (e->o->progress && v != V_NOCHANGE)
			e->o->progress(e->o->progress_ctx, e->st, item_count(e, 1), item_count(e, 0));
		return v == V_PASS;
	}
	if (v != V_PASS)
		return 0;
	memcpy(e->removed, cand, n);
	return 1;
}

/* Tests removing the given nodes (with their subtrees) on top of the
 * current state. */
static int try_remove(struct engine *e, const int *nodes, int k)
{
	unsigned char *cand = xmalloc(e->t->n);
	memcpy(cand, e->removed, e->t->n);
	for (int i = 0; i < k; i++)
		mark_subtree(e, cand, nodes[i]);
	int ok = try_set(e, cand);
	free(cand);
	return ok;
}

/* A present node known needed in the subtree: removing the subtree would
 * remove it too, and fail without a test. */
static int blocked(struct engine *e, int node)
{
	if (e->needed[node])
		return 1;
	for (int i = 0; i < e->nchildren[node]; i++)
		if (!e->removed[e->children[node][i]] && blocked(e, e->children[node][i]))
			return 1;
	return 0;
}

/* A present node predicted needed, not yet found needed, in the subtree. */
static int suspect(struct engine *e, int node)
{
	if (!e->t->predicted || e->removed[node])
		return 0;
	if (e->t->predicted[node] && !e->needed[node])
		return 1;
	for (int i = 0; i < e->nchildren[node]; i++)
		if (suspect(e, e->children[node][i]))
			return 1;
	return 0;
}

/* A present costly node in the subtree: removing the subtree flips it. */
static int holds_costly(struct engine *e, int node)
{
	if (!e->t->costly || e->removed[node])
		return 0;
	if (e->t->costly[node])
		return 1;
	for (int i = 0; i < e->nchildren[node]; i++)
		if (holds_costly(e, e->children[node][i]))
			return 1;
	return 0;
}

/* One option or file at a time, in tree order, as Tinyx and ktest.pl's
 * make_min_config do; an accepted node takes its subtree with it. Given
 * `deferred`, a node whose subtree holds a costly node is not visited
 * but appended there, for a second pass: each node is still tried when
 * and only when its ancestors failed, but a bounded or interrupted run
 * spends its time on cheap candidates, not on a near-full rebuild for
 * the tree's first node. */
static void linear_visit(struct engine *e, int node, int *deferred, int *ndeferred)
{
	if (e->stop || e->removed[node])
		return;
	int item = !e->t->group || !e->t->group[node];
	if (deferred && item && holds_costly(e, node)) {
		deferred[(*ndeferred)++] = node;
		return;
	}
	if (item && !blocked(e, node) && try_remove(e, &node, 1))
		return;
	for (int i = 0; i < e->nchildren[node]; i++)
		linear_visit(e, e->children[node][i], deferred, ndeferred);
}

static void linear(struct engine *e)
{
	int *deferred = xmalloc((e->t->n + 1) * sizeof(int)), ndeferred = 0;
	for (int i = 0; i < e->t->n; i++)
		if (e->t->parent[i] < 0)
			linear_visit(e, i, e->t->costly ? deferred : NULL, &ndeferred);
	for (int i = 0; i < ndeferred; i++)
		linear_visit(e, deferred[i], NULL, NULL);
	free(deferred);
}

static const struct search_tree *sort_tree;
static int by_weight_desc(const void *a, const void *b)
{
	long wa = sort_tree->weight ? sort_tree->weight[*(const int *)a] : 0;
	long wb = sort_tree->weight ? sort_tree->weight[*(const int *)b] : 0;
	if (wa != wb)
		return wa < wb ? 1 : -1;
	return *(const int *)a - *(const int *)b;
}

/* Chunk size for group tests, after Hwang's generalized binary splitting:
 * about (1-p)/p rounded down to a power of two, where p is the share of
 * nodes found needed so far. Mostly needed: 1, which is linear search;
 * mostly removable: large chunks. The prior (1 in 8) favours chunks. */
static int chunk_size(struct engine *e)
{
	double kept = e->kept_single + 1, gone = e->removed_items + 7;
	double ratio = gone / kept;
	int g = 1;
	while (g * 2 <= ratio)
		g *= 2;
	return g;
}

static void search_siblings(struct engine *e, int *c, int nc);
static void bisect(struct engine *e, int *c, int nc, const unsigned char *within);

/* Goes on below a node that stays: its children still present, biggest
 * first, by the strategy; or for the hint (`within`) the hint's nodes
 * among them, in tree order, by ddmin. */
static void descend(struct engine *e, int node, const unsigned char *within)
{
	int *kids = xmalloc((e->nchildren[node] + 1) * sizeof(int));
	int nk = 0;
	for (int i = 0; i < e->nchildren[node]; i++) {
		int k = e->children[node][i];
		if (!e->removed[k] && (!within || within[k]))
			kids[nk++] = k;
	}
	if (within) {
		bisect(e, kids, nk, within);
	} else {
		sort_tree = e->t;
		qsort(kids, nk, sizeof(int), by_weight_desc);
		search_siblings(e, kids, nk);
	}
	free(kids);
}

/* A node whose own removal failed: it stays, and counts toward the
 * density of needed items if it is an item. */
static void keep(struct engine *e, int node)
{
	if (!e->t->group || !e->t->group[node])
		e->kept_single++;
	e->needed[node] = 1;
}

/* Items (non-group nodes) still present in a subtree. */
static int items_below(struct engine *e, int node)
{
	int n = !e->removed[node] && !(e->t->group && e->t->group[node]);
	for (int i = 0; i < e->nchildren[node]; i++)
		if (!e->removed[e->children[node][i]])
			n += items_below(e, e->children[node][i]);
	return n;
}

/* Removes what it can of c[0..nc), known to hold something needed or
 * not: the whole chunk first, then each half, down to single nodes; a
 * single node that fails stays, and the search goes on below it. */
static void bisect(struct engine *e, int *c, int nc, const unsigned char *within)
{
	if (e->stop || !nc)
		return;
	/* Blocked nodes would fail any chunk: only below them is there
	 * anything to remove. */
	int *b = xmalloc(nc * sizeof(int)), *rest = xmalloc(nc * sizeof(int));
	int nb = 0, nr = 0;
	for (int i = 0; i < nc; i++) {
		if (blocked(e, c[i]))
			b[nb++] = c[i];
		else
			rest[nr++] = c[i];
	}
	if (nb) {
		bisect(e, rest, nr, within);
		for (int i = 0; i < nb; i++)
			descend(e, b[i], within);
	}
	free(b);
	free(rest);
	if (nb)
		return;
	int items = 0;
	for (int i = 0; i < nc; i++)
		items += items_below(e, c[i]);
	/* When the first half all went, this test of the second half is the
	 * set that just failed: the memo answers it without a build. */
	if (try_remove(e, c, nc)) {
		e->removed_items += items;
		return;
	}
	if (nc == 1) {
		keep(e, c[0]);
		descend(e, c[0], within);
		return;
	}
	int half = nc / 2;
	bisect(e, c, half, within);
	bisect(e, c + half, nc - half, within);
}

/* A subtree with more items than a chunk would almost surely fail as a
 * whole (and, for a kernel, cost a large rebuild), so it is not tried
 * whole: its children are searched first, then the node on its own. */
static void descend_first(struct engine *e, int node)
{
	descend(e, node, NULL);
	if (e->stop || e->removed[node] || (e->t->group && e->t->group[node]))
		return;
	if (blocked(e, node))
		return;
	/* Removing it takes its subtree, as the test that failed whole did,
	 * from a state with more removed: that fails too. */
	if (!e->whole_failed[node] && try_remove(e, &node, 1))
		e->removed_items++;
	else
		keep(e, node);
}

/* Before any sibling is searched inside, each one bigger than a chunk
 * is tried whole, heaviest first: a large unneeded sibling (a directory of
 * docs beside a language's library) then goes before the many tests
 * inside a needed one, each of which would otherwise carry it (a boot of
 * a larger image). */
static void try_big_whole(struct engine *e, const int *c, int nc)
{
	for (int i = 0; i < nc && !e->stop; i++) {
		int first = items_below(e, c[i]);
		if (e->removed[c[i]] || blocked(e, c[i]) || suspect(e, c[i]) || first <= 1 ||
		    first <= chunk_size(e))
			continue;
		if (try_remove(e, &c[i], 1))
			e->removed_items += first;
		else
			e->whole_failed[c[i]] = 1;
	}
}

/* A sibling set: cut into chunks of about the current chunk size in
 * items, each removed whole or split (adaptive group testing). A node is
 * kept only after its own removal failed, so the result is 1-minimal for
 * an oracle where removing more never helps. Suspects (subtrees holding a
 * node predicted needed) go last and one at a time: in a chunk they would
 * most likely fail it. */
static void search_siblings(struct engine *e, int *c, int nc)
{
	if (e->o->subtrees_whole)
		try_big_whole(e, c, nc);
	/* Nodes an earlier test removed (all at once, the costly ones, or
	 * the first pass) are no candidates: testing one would change
	 * nothing, and a half of only such nodes would count as kept. Then,
	 * in their order: the rest, what failed whole (searched inside after
	 * the smaller siblings' chunks), the suspects. */
	int *kind = xmalloc((nc + 1) * sizeof(int)), *order = xmalloc((nc + 1) * sizeof(int));
	for (int i = 0; i < nc; i++)
		kind[i] = e->removed[c[i]] ? -1 : suspect(e, c[i]) ? 2 : e->whole_failed[c[i]];
	int n = 0, ns = 0;
	for (int k = 0; k <= 2; k++) {
		for (int i = 0; i < nc; i++)
			if (kind[i] == k)
				order[n++] = c[i];
		if (k == 1)
			ns = n;
	}
	memcpy(c, order, n * sizeof(int));
	nc = n;
	free(kind);
	free(order);
	for (int i = 0; i < nc && !e->stop;) {
		int g = chunk_size(e);
		int first = items_below(e, c[i]);
		/* A menu or directory holding one item or none is no group:
		 * testing it whole would test that item twice. */
		int grp = e->t->group && e->t->group[c[i]];
		if (blocked(e, c[i]) || (grp && first <= 1)) {
			descend(e, c[i], NULL);
			i++;
			continue;
		}
		/* A suspect that is not itself predicted holds the prediction
		 * below it: searched inside first, so the guess is tested
		 * alone. */
		if ((first > g && first > 1) || e->whole_failed[c[i]] ||
		    (i >= ns && !e->t->predicted[c[i]])) {
			/* Still untried whole if the chunk size fell below it
			 * after the first pass. */
			if (i < ns && e->o->subtrees_whole && !e->whole_failed[c[i]] &&
			    try_remove(e, &c[i], 1))
				e->removed_items += first;
			else
				descend_first(e, c[i]);
			i++;
			continue;
		}
		int j = i + 1, sum = first;
		for (int w; j < ns && !blocked(e, c[j]) && !e->whole_failed[c[j]] &&
			    sum + (w = items_below(e, c[j])) <= g; j++)
			sum += w;
		bisect(e, c + i, j - i, NULL);
		i = j;
	}
}

/* The topmost nodes of a set: in it and present, with no ancestor in it,
 * in tree order, so that each half holds neighbours (options of one
 * driver family, files of one directory), which tend to be needed or
 * not together. Only costly ones, or only cheap ones, if asked. */
static int top_nodes(struct engine *e, const unsigned char *set, int costly, int *out)
{
	int nt = 0;
	for (int i = 0; i < e->t->n; i++) {
		int a = e->t->parent[i], c = e->t->costly && e->t->costly[i];
		while (a >= 0 && !set[a])
			a = e->t->parent[a];
		if (set[i] && !e->removed[i] && a < 0 && (costly < 0 || c == costly))
			out[nt++] = i;
	}
	return nt;
}

/* The hint: its costly nodes, then the rest. Each node the hint has
 * wrong costs about log2(n) tests; what fails here is searched again by
 * the strategy. */
static void try_start(struct engine *e)
{
	int n = e->t->n;
	unsigned char *s = xmalloc(n + 1);
	int *top = xmalloc((n + 1) * sizeof(int));
	/* A node predicted needed, and its ancestors, are left to the
	 * strategy: a hint from another app that removed them would fail
	 * whole and cost log2(n) tests to find them again. A required node
	 * and its ancestors are never removed at all. */
	memcpy(s, e->o->start, n);
	for (int i = 0; i < n; i++)
		if ((e->t->predicted && e->t->predicted[i]) || (e->t->required && e->t->required[i]))
			for (int a = i; a >= 0; a = e->t->parent[a])
				s[a] = 0;
	int nt;
	if (e->o->start_whole && e->t->costly && (nt = top_nodes(e, s, -1, top)) > 1)
		try_remove(e, top, nt);
	if (e->t->costly)
		bisect(e, top, top_nodes(e, s, 1, top), s);
	bisect(e, top, top_nodes(e, s, e->t->costly ? 0 : -1, top), s);
	free(top);
	/* What the hint kept, its run found needed: the chunk size starts
	 * from that, not from the many nodes the hint removed, which say
	 * nothing about the few left (large chunks of needed nodes fail). */
	e->removed_items = 0;
	for (int i = 0; i < n; i++)
		if (!e->removed[i] && !e->o->start[i] && !(e->t->group && e->t->group[i]))
			e->kept_single++;
	free(s);
}

/* Tries removing the given top nodes, less those blocked or suspect, in
 * one test. */
static void remove_all_free(struct engine *e, const int *c, int nc)
{
	int *all = xmalloc((nc + 1) * sizeof(int)), na = 0, items = 0;
	for (int i = 0; i < nc; i++)
		if (!blocked(e, c[i]) && !suspect(e, c[i])) {
			all[na++] = c[i];
			items += items_below(e, c[i]);
		}
	if (na > 1 && try_remove(e, all, na))
		e->removed_items += items;
	free(all);
}

/* The topmost present nodes that hold nothing needed or suspect: what is
 * left when every required and predicted node stays with its ancestors. */
static void free_tops(struct engine *e, int node, int *out, int *n)
{
	if (e->removed[node])
		return;
	if (!blocked(e, node) && !suspect(e, node)) {
		out[(*n)++] = node;
		return;
	}
	for (int i = 0; i < e->nchildren[node]; i++)
		free_tops(e, e->children[node][i], out, n);
}

/* With the needed nodes required or predicted, the likeliest answer is
 * that nothing else is needed: one test says so, and when it is right
 * the search is over but for the predicted nodes' own tests. When it is
 * wrong, the costly nodes still go in one test: that is a near-full
 * rebuild however many costly nodes it flips, so group size costs
 * nothing there, and one rebuild replaces one per chunk of the usual
 * size. Without requirements or predictions there is no reason to expect
 * either test to pass. */
static void all_at_once(struct engine *e)
{
	if (!e->t->predicted && !e->t->required)
		return;
	int n = e->t->n, nt = 0;
	int *c = xmalloc((n + 1) * sizeof(int));
	for (int i = 0; i < n; i++)
		if (e->t->parent[i] < 0)
			free_tops(e, i, c, &nt);
	remove_all_free(e, c, nt);
	if (e->t->costly)
		remove_all_free(e, c, top_nodes(e, e->t->costly, 1, c));
	free(c);
}

/* Hierarchical: all at once, the costly nodes, then the roots as one set,
 * then each kept node's children. */
static void hier(struct engine *e)
{
	int n = e->t->n;
	int *roots = xmalloc((n + 1) * sizeof(int));
	int nr = 0;
	all_at_once(e);
	for (int i = 0; i < n; i++)
		if (e->t->parent[i] < 0 && !e->removed[i])
			roots[nr++] = i;
	sort_tree = e->t;
	qsort(roots, nr, sizeof(int), by_weight_desc);
	if (e->t->costly) {
		int *c = xmalloc((n + 1) * sizeof(int));
		search_siblings(e, c, top_nodes(e, e->t->costly, 1, c));
		free(c);
	}
	search_siblings(e, roots, nr);
	free(roots);
}

int search_run(const struct search_tree *t, oracle_fn oracle, void *ctx,
	       const struct search_opts *o, unsigned char *removed,
	       struct search_stats *st)
{
	struct engine e = { .t = t, .oracle = oracle, .ctx = ctx, .o = o,
			    .st = st, .removed = removed };
	memset(st, 0, sizeof(*st));
	e.children = xcalloc(t->n, sizeof(int *));
	e.nchildren = xcalloc(t->n, sizeof(int));
	e.needed = xcalloc(t->n + 1, 1);
	e.whole_failed = xcalloc(t->n + 1, 1);
	for (int i = 0; i < t->n; i++)
		if (t->parent[i] >= 0)
			e.nchildren[t->parent[i]]++;
	for (int i = 0; i < t->n; i++) {
		e.children[i] = xmalloc((e.nchildren[i] + 1) * sizeof(int));
		e.nchildren[i] = 0;
	}
	for (int i = 0; i < t->n; i++)
		if (t->parent[i] >= 0)
			e.children[t->parent[i]][e.nchildren[t->parent[i]]++] = i;
	/* A required node is needed as if its test had failed, but it does
	 * not count toward the density of needed nodes: no test found it. */
	for (int i = 0; t->required && i < t->n; i++)
		e.needed[i] = t->required[i];
	/* Keep the caller's state closed under descendants. */
	for (int i = 0; i < t->n; i++)
		if (removed[i])
			mark_subtree(&e, removed, i);

	if (o->start)
		try_start(&e);
	if (o->strategy == STRAT_LINEAR) {
		linear(&e);
	} else {
		hier(&e);
	}

	for (int i = 0; i < t->n; i++)
		free(e.children[i]);
	free(e.children);
	free(e.nchildren);
	free(e.needed);
	free(e.whole_failed);
	for (int i = 0; i < e.nmemo; i++)
		free(e.memo[i].set);
	free(e.memo);
	return st->aborted ? -1 : 0;
}
