/*
 * search-sim: the search engine against a simulated oracle over a real
 * Kconfig menu tree (as reducer/kconfig_helper.py's "tree" prints it).
 * A hidden set of nodes is needed, plus pairs where either of two suffices.
 * Prints one line per strategy, and one for hier started from a related
 * app's result (--hint), with predicted needs, and with required nodes:
 *   strategy=<name> oracle_calls=<n> final=<k> minimal=<yes|no> costly_flips=<n>
 * costly_flips counts the calls that flip a costly node (1 in 8 items, as
 * kernel options most objects depend on): each is a near-full rebuild.
 * usage: search-sim TREEFILE [NEEDED_PERCENT [SEED]]
 */
#include "search.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int n, *parent;
static long *weight;
static unsigned char *group, *needed, *costly, *last;
static long flips;
static int pairs[32][2], npairs;
static long calls;

static int truth(const unsigned char *removed)
{
	for (int i = 0; i < n; i++)
		if (needed[i] && removed[i])
			return 0;
	for (int p = 0; p < npairs; p++)
		if (removed[pairs[p][0]] && removed[pairs[p][1]])
			return 0;
	return 1;
}

static enum verdict oracle(void *ctx, const unsigned char *removed)
{
	(void)ctx;
	calls++;
	int flip = 0;
	for (int i = 0; i < n; i++)
		if (costly[i] && removed[i] != last[i]) {
			flip = 1;
			last[i] = removed[i];
		}
	flips += flip;
	return truth(removed) ? V_PASS : V_TEST;
}

static void close_subtree(unsigned char *set)
{
	/* Parents precede children in the helper's numbering. */
	for (int i = 0; i < n; i++)
		if (parent[i] >= 0 && set[parent[i]])
			set[i] = 1;
}

static int one_minimal(const unsigned char *removed)
{
	unsigned char *cand = xmalloc(n);
	int ok = 1;
	for (int i = 0; i < n && ok; i++) {
		if (removed[i] || group[i])
			continue;
		memcpy(cand, removed, n);
		cand[i] = 1;
		close_subtree(cand);
		if (truth(cand))
			ok = 0;
	}
	free(cand);
	return ok;
}

/* One search; prints its line unless name is NULL; returns the result. */
static unsigned char *simulate(const char *name, enum strategy s, const unsigned char *start,
			       const unsigned char *predicted, const unsigned char *required)
{
	unsigned char *removed = xcalloc(n, 1);
	struct search_tree t = { .n = n, .parent = parent, .weight = weight, .group = group,
				 .costly = costly, .predicted = predicted, .required = required };
	struct search_opts o = { .strategy = s, .start = start };
	struct search_stats st;
	calls = flips = 0;
	memset(last, 0, n);
	search_run(&t, oracle, NULL, &o, removed, &st);
	int final = 0;
	for (int i = 0; i < n; i++)
		final += !removed[i] && !group[i];
	if (name)
		printf("strategy=%s oracle_calls=%ld final=%d minimal=%s costly_flips=%ld\n", name,
		       calls, final, truth(removed) && one_minimal(removed) ? "yes" : "no", flips);
	return removed;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: search-sim TREEFILE [NEEDED_PERCENT [SEED]]\n");
		return 2;
	}
	int percent = argc > 2 ? atoi(argv[2]) : 30;
	srand(argc > 3 ? atoi(argv[3]) : 1);
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "search-sim: cannot open %s\n", argv[1]);
		return 2;
	}
	char line[512];
	int alloc = 0;
	while (fgets(line, sizeof(line), f)) {
		int id, par, grp;
		long w;
		if (sscanf(line, "node %d %d %d %ld", &id, &par, &grp, &w) != 4)
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			parent = xrealloc(parent, alloc * sizeof(int));
			weight = xrealloc(weight, alloc * sizeof(long));
			group = xrealloc(group, alloc);
		}
		parent[n] = par;
		weight[n] = w;
		group[n] = grp;
		n++;
	}
	fclose(f);
	needed = xcalloc(n, 1);
	costly = xcalloc(n, 1);
	last = xcalloc(n, 1);
	int items = 0;
	for (int i = 0; i < n; i++)
		if (!group[i]) {
			items++;
			needed[i] = rand() % 100 < percent;
			/* 28 of the microvm base's 213 options are named by a
			 * third or more of its objects: about 1 in 8. */
			costly[i] = rand() % 8 == 0;
		}
	/* Either-of-two pairs among items that are not needed on their own. */
	for (int tries = 0; npairs < 10 && tries < 100000; tries++) {
		int a = rand() % n, b = rand() % n;
		if (a != b && !group[a] && !group[b] && !needed[a] && !needed[b])
			pairs[npairs][0] = a, pairs[npairs][1] = b, npairs++;
	}
	printf("# tree: %d nodes, %d items, %d%% needed, %d either-of-two pairs\n",
	       n, items, percent, npairs);
	simulate("linear", STRAT_LINEAR, NULL, NULL, NULL);
	simulate("hier", STRAT_HIER, NULL, NULL, NULL);

	/* hier+hint: the hint is hier's result for a related app, one that
	 * needs 5 of these items less and 5 others more (nginx after
	 * busybox-httpd), as --hint would pass it. */
	unsigned char *mine = xmalloc(n);
	memcpy(mine, needed, n);
	unsigned char *more = xcalloc(n, 1);
	for (int k = 0, tries = 0; k < 10 && tries < 100000; tries++) {
		int i = rand() % n;
		if (group[i] || needed[i] != mine[i] || needed[i] != (k < 5))
			continue;
		more[i] = needed[i];
		needed[i] = !needed[i];
		k++;
	}
	unsigned char *hint = simulate(NULL, STRAT_HIER, NULL, NULL, NULL);
	memcpy(needed, mine, n);
	free(simulate("hier+hint", STRAT_HIER, hint, NULL, NULL));
	/* hier+predicted: a quarter of the needed items predicted needed
	 * (as the image's imports and the harness predict system-call
	 * options, the NIC, the console), and 3 guesses that are wrong. */
	unsigned char *predicted = xcalloc(n, 1);
	for (int i = 0; i < n; i++)
		predicted[i] = needed[i] && rand() % 4 == 0;
	for (int k = 0, tries = 0; k < 3 && tries < 100000; tries++) {
		int i = rand() % n;
		if (!group[i] && !needed[i] && !predicted[i])
			predicted[i] = 1, k++;
	}

	free(simulate("hier+predicted", STRAT_HIER, NULL, predicted, NULL));
	/* ...and with predictions that include the 5 items this app needs
	 * more (nginx's setuid, epoll and locks, which busybox lacks). */
	for (int i = 0; i < n; i++)
		predicted[i] |= more[i];
	free(simulate("hier+hint+predicted", STRAT_HIER, hint, predicted, NULL));
	/* +required: 16 of the needed items known needed before any test,
	 * as the harness's own options are (init's 64BIT and BINFMT_ELF,
	 * the initramfs, the console, the NIC), so never removed. */
	unsigned char *required = xcalloc(n, 1);
	for (int k = 0, tries = 0; k < 16 && tries < 100000; tries++) {
		int i = rand() % n;
		if (!group[i] && needed[i] && !required[i])
			required[i] = 1, k++;
	}
	free(simulate("linear+required", STRAT_LINEAR, NULL, NULL, required));
	free(simulate("hier+required", STRAT_HIER, NULL, NULL, required));
	for (int i = 0; i < n; i++)
		predicted[i] &= !required[i];
	free(simulate("hier+hint+predicted+required", STRAT_HIER, hint, predicted, required));
	/* +required, and predictions that name every other needed item and
	 * one of each pair, plus the 3 wrong guesses: the case of the real
	 * runs, whose kernels kept nothing beyond their required and
	 * predicted options. */
	for (int i = 0; i < n; i++)
		predicted[i] = (predicted[i] && !needed[i]) || (needed[i] && !required[i]);
	for (int p = 0; p < npairs; p++)
		predicted[pairs[p][0]] = 1;
	free(simulate("hier+exact-predicted+required", STRAT_HIER, NULL, predicted, required));
	return 0;
}
