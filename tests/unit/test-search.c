/* The search engine against simulated oracles: a hidden set of needed
 * nodes, either-of-two pairs, a flaky oracle, budgets and aborts. */
#include "search.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define N 600

static int parent[N];
static long weight[N];
static unsigned char group[N];
static unsigned char needed[N];
static unsigned char costly[N], last_costly[N];
static int flips;        /* calls whose costly nodes differ from the last call's */
static int pair_a[8], pair_b[8], npairs;
static int calls, flaky_percent, abort_after;
static const unsigned char *required;
static int required_removed;  /* calls that removed a required node */
/* Calls that removed part of subtree watch_a but not all of it while
 * watch_b was still present (-1: not watched). */
static int watch_a = -1, watch_b = -1, inside_a_with_b;
/* Calls that removed part of subtree watch_b but not all of it; the first
 * call that removed it and passed. */
static int inside_b, first_b_removed;
static unsigned rng = 12345;

static unsigned next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 16) & 0x7fff;
}

/* The truth: every needed node present and one of each pair present. */
static int truth(const unsigned char *removed)
{
	for (int i = 0; i < N; i++)
		if (needed[i] && removed[i])
			return 0;
	for (int p = 0; p < npairs; p++)
		if (removed[pair_a[p]] && removed[pair_b[p]])
			return 0;
	return 1;
}

/* Whether a candidate removes part of node's subtree but not node. */
static int removes_part_of(const unsigned char *removed, int node)
{
	if (removed[node])
		return 0;
	for (int i = 0; i < N; i++) {
		int a = parent[i];
		while (a >= 0 && a != node)
			a = parent[a];
		if (a == node && removed[i])
			return 1;
	}
	return 0;
}

static enum verdict oracle(void *ctx, const unsigned char *removed)
{
	(void)ctx;
	calls++;
	int flip = 0;
	for (int i = 0; i < N; i++)
		if (costly[i] && removed[i] != last_costly[i]) {
			flip = 1;
			last_costly[i] = removed[i];
		}
	flips += flip;
	for (int i = 0; required && i < N; i++)
		if (required[i] && removed[i]) {
			required_removed++;
			break;
		}
	if (watch_a >= 0 && !removed[watch_b])
		inside_a_with_b += removes_part_of(removed, watch_a);
	if (watch_b >= 0)
		inside_b += removes_part_of(removed, watch_b);
	if (watch_b >= 0 && removed[watch_b] && !first_b_removed && truth(removed))
		first_b_removed = calls;
	if (abort_after && calls >= abort_after)
		return V_ABORT;
	if (!truth(removed))
		return V_TEST;
	/* A flaky oracle only fails good candidates (a boot that times out
	 * on a busy host); it never passes a bad one. */
	if (flaky_percent && (int)(next_rand() % 100) < flaky_percent)
		return V_TIMEOUT;
	return V_PASS;
}

static void make_tree(int seed)
{
	rng = seed;
	for (int i = 0; i < N; i++) {
		/* Parents come before children: 8 roots, then wide menus
		 * a few levels deep, as in the Kconfig and directory trees. */
		parent[i] = i < 8 ? -1 : (int)(next_rand() % (i < 80 ? i : 80));
		weight[i] = 1 + next_rand() % 1000;
		group[i] = i < 8 && (i % 3 == 0);
	}
	memset(needed, 0, sizeof(needed));
	for (int k = 0; k < 25; k++)
		needed[next_rand() % N] = 1;
	npairs = 0;
}

/* 1-minimal: no single remaining non-group node can go. */
static int one_minimal(const unsigned char *removed)
{
	unsigned char cand[N];
	for (int i = 0; i < N; i++) {
		if (removed[i] || group[i])
			continue;
		memcpy(cand, removed, N);
		/* remove i and its subtree */
		cand[i] = 1;
		for (int j = i + 1; j < N; j++)
			if (parent[j] >= 0 && cand[parent[j]])
				cand[j] = 1;
		if (truth(cand))
			return 0;
	}
	return 1;
}

static int kept(const unsigned char *removed)
{
	int k = 0;
	for (int i = 0; i < N; i++)
		k += !removed[i] && !group[i];
	return k;
}

static const unsigned char *start;
static int use_costly, subtrees_whole;
static const unsigned char *predicted;
static int prev_accepted, prev_remaining, stale_lines;

/* An accepted candidate removes at least one item: a progress line that
 * counts a new pass but not its items shows the state before it. */
static void progress(void *ctx, const struct search_stats *st, int remaining, int total)
{
	(void)ctx;
	(void)total;
	stale_lines += st->accepted > prev_accepted && remaining >= prev_remaining;
	prev_accepted = st->accepted;
	prev_remaining = remaining;
}

/* Another app's result removed what this one needs: three nodes it
 * removed (below the roots) become needed, and flagged in `mark`. */
static void need_three_removed_by(const unsigned char *prev, unsigned char *mark)
{
	memset(mark, 0, N);
	for (int k = 0, added = 0; added < 3 && k < N; k++)
		if (prev[k] && !group[k] && parent[k] >= 8) {
			needed[k] = mark[k] = 1;
			added++;
		}
}

static int run(enum strategy s, unsigned char *removed, struct search_stats *st, int max)
{
	struct search_tree t = { .n = N, .parent = parent, .weight = weight, .group = group,
				 .costly = use_costly ? costly : NULL, .predicted = predicted,
				 .required = required };
	struct search_opts o = { .strategy = s, .max_candidates = max, .start = start,
				 .progress = progress, .subtrees_whole = subtrees_whole };
	prev_accepted = 0;
	prev_remaining = N + 1;
	stale_lines = 0;
	memset(removed, 0, N);
	memset(last_costly, 0, N);
	calls = flips = required_removed = 0;
	return search_run(&t, oracle, NULL, &o, removed, st);
}

int main(void)
{
	unsigned char rl[N], rh[N];
	struct search_stats sl, sh;

	make_tree(1);
	run(STRAT_LINEAR, rl, &sl, 0);
	int calls_linear = calls;
	run(STRAT_HIER, rh, &sh, 0);
	int calls_hier = calls;
	CHECK(truth(rl), "linear ends in a passing state");
	CHECK(truth(rh), "hier ends in a passing state");
	CHECK(one_minimal(rl), "linear result is 1-minimal");
	CHECK(one_minimal(rh), "hier result is 1-minimal");
	CHECK(kept(rl) == kept(rh), "both keep the same number of nodes (%d, %d)", kept(rl), kept(rh));
	CHECK(calls_hier < calls_linear, "hier asks the oracle less (%d) than linear (%d)",
	      calls_hier, calls_linear);
	CHECK(sl.tested == calls_linear && sl.accepted > 0, "stats count linear's oracle calls");
	run(STRAT_HIER, rh, &sh, 0);
	CHECK(!stale_lines, "each progress line counts the items its candidate removed (%d stale)",
	      stale_lines);
	int groups_kept = 1;
	for (int i = 0; i < N; i++)
		if (group[i] && rl[i] && parent[i] < 0) {
			/* a group root goes only when all below it went */
			for (int j = 0; j < N; j++)
				if (parent[j] == i && !rl[j])
					groups_kept = 0;
		}
	CHECK(groups_kept, "linear never removes a group node as an item");

	/* Either of two suffices. */
	make_tree(2);
	memset(needed, 0, sizeof(needed));
	npairs = 4;
	for (int p = 0; p < npairs; p++) {
		pair_a[p] = 100 + p * 50;
		pair_b[p] = 101 + p * 50;
	}
	for (enum strategy s = STRAT_LINEAR; s <= STRAT_HIER; s++) {
		unsigned char r[N];
		run(s, r, &sh, 0);
		int exactly_one = 1;
		for (int p = 0; p < npairs; p++)
			if (!r[pair_a[p]] == !r[pair_b[p]])
				exactly_one = 0;
		CHECK(truth(r) && one_minimal(r), "%s: either-of-two ends passing and 1-minimal",
		      strategy_name(s));
		CHECK(exactly_one, "%s: keeps exactly one of each either-of-two pair", strategy_name(s));
	}

	/* Flaky oracle: the result must still be truly passing. */
	make_tree(3);
	flaky_percent = 10;
	for (enum strategy s = STRAT_LINEAR; s <= STRAT_HIER; s++) {
		unsigned char r[N];
		run(s, r, &sh, 0);
		CHECK(truth(r), "%s: a flaky oracle never leads to a failing result", strategy_name(s));
	}
	flaky_percent = 0;

	/* Budget. */
	make_tree(4);
	unsigned char rb[N];
	run(STRAT_HIER, rb, &sh, 7);
	CHECK(sh.tested == 7 && sh.stopped_early, "--max-candidates stops after 7 tested (%d)", sh.tested);
	CHECK(truth(rb), "a budget-stopped search still ends in a passing state");

	/* Abort: the last accepted state is kept. */
	make_tree(5);
	abort_after = 20;
	unsigned char ra[N];
	int ret = run(STRAT_LINEAR, ra, &sh, 0);
	abort_after = 0;
	CHECK(ret == -1 && sh.aborted, "an aborting oracle stops the search with -1");
	CHECK(truth(ra), "after an abort the state is the last accepted one");

	/* The oracle is never asked twice about the same set. */
	make_tree(6);
	run(STRAT_HIER, rh, &sh, 0);
	CHECK(sh.tested == calls, "hier: each oracle call is a new set (memo hits: %d)", sh.memo_hits);

	/* A hint (a previous result) tried first. Right: it saves most
	 * oracle calls. Wrong about a few nodes: the rest of it still goes
	 * in few calls. Removing everything: still a true, 1-minimal end. */
	make_tree(7);
	unsigned char prev[N], r[N];
	run(STRAT_HIER, prev, &sh, 0);
	int calls_cold = calls;
	start = prev;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept(prev),
	      "hier from a right hint ends where the hinted run did");
	CHECK(calls <= kept(prev) + 1, "a right hint costs one call per kept node and one (%d, %d kept)",
	      calls, kept(prev));
	for (int k = 0, added = 0; added < 3 && k < N; k++)
		if (prev[k] && !group[k] && parent[k] >= 8) {
			needed[k] = 1;
			added++;
		}
	run(STRAT_HIER, r, &sh, 0);
	int calls_hinted = calls;
	start = NULL;
	run(STRAT_HIER, rh, &sh, 0);
	start = prev;
	CHECK(truth(r) && one_minimal(r), "hier from a hint wrong about 3 nodes ends passing and 1-minimal");
	CHECK(calls_hinted * 2 < calls, "a hint wrong about 3 nodes still halves the calls (%d, %d without)",
	      calls_hinted, calls);
	memset(prev, 1, N);
	for (enum strategy s = STRAT_LINEAR; s <= STRAT_HIER; s++) {
		run(s, r, &sh, 0);
		CHECK(truth(r) && one_minimal(r), "%s: a hint removing everything ends passing and 1-minimal",
		      strategy_name(s));
	}
	start = NULL;
	(void)calls_cold;

	/* Costly nodes (a near-full kernel rebuild whenever one flips) are
	 * decided first: far fewer candidates flip them, same result. */
	make_tree(8);
	for (int i = 8; i < N; i += 15)
		costly[i] = 1;
	run(STRAT_HIER, rh, &sh, 0);
	int flips_plain = flips, kept_plain = kept(rh);
	use_costly = 1;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept_plain,
	      "hier with costly nodes ends passing, 1-minimal, as small");
	int ncostly = 0;
	for (int i = 0; i < N; i++)
		ncostly += costly[i];
	CHECK(flips <= ncostly && flips < flips_plain,
	      "costly nodes flip in at most one candidate each (%d flips, %d costly, %d without)",
	      flips, ncostly, flips_plain);
	/* linear tries the subtrees that hold them last: as many tests,
	 * the same result, but a bounded run's first candidates leave them
	 * alone. */
	run(STRAT_LINEAR, rl, &sl, 0);
	int kept_last = kept(rl), calls_last = calls, flips_last = flips;
	unsigned char rb2[N];
	run(STRAT_LINEAR, rb2, &sl, 10);
	int flips_bounded = flips;
	use_costly = 0;
	run(STRAT_LINEAR, r, &sl, 0);
	CHECK(truth(rl) && one_minimal(rl) && kept_last == kept(r),
	      "linear with costly nodes ends passing, 1-minimal, as small (%d, %d kept)",
	      kept_last, kept(r));
	CHECK(calls_last == calls && flips_last <= 2 * ncostly,
	      "linear with costly nodes tests as many (%d, %d) and flips each at most twice, "
	      "away and back (%d flips, %d costly)", calls_last, calls, flips_last, ncostly);
	run(STRAT_LINEAR, rb2, &sl, 10);
	CHECK(flips_bounded == 0 && flips > 0,
	      "10 candidates of linear flip no costly node with the flags (%d), some without (%d)",
	      flips_bounded, flips);
	use_costly = 1;
	start = prev;
	make_tree(7);
	for (int i = 8; i < N; i += 15)
		costly[i] = 1;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r), "a hint with costly nodes ends passing and 1-minimal");
	use_costly = 0;
	start = NULL;

	/* Nodes predicted needed. Right: fewer calls, the same result.
	 * Wrong (predicted nodes that are not needed, needed ones not
	 * predicted): still passing, 1-minimal and as small. */
	make_tree(9);
	run(STRAT_HIER, rh, &sh, 0);
	int calls_plain = calls, kept_unpredicted = kept(rh);
	unsigned char guess[N];
	memcpy(guess, needed, N);
	predicted = guess;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept_unpredicted,
	      "hier with right predictions ends passing, 1-minimal, as small");
	CHECK(calls < calls_plain, "right predictions save oracle calls (%d, %d without)",
	      calls, calls_plain);
	memset(guess, 0, N);
	for (int i = 0, k = 0; i < N; i++)
		if (needed[i] && k++ % 2)
			guess[i] = 1;
	for (int i = 3; i < N; i += 37)
		if (!needed[i])
			guess[i] = 1;
	for (enum strategy s = STRAT_LINEAR; s <= STRAT_HIER; s++) {
		run(s, r, &sh, 0);
		CHECK(truth(r) && one_minimal(r) && kept(r) == kept_unpredicted,
		      "%s: wrong predictions still end passing, 1-minimal, as small", strategy_name(s));
	}
	/* With costly nodes: right predictions flip them less. */
	make_tree(8);
	memcpy(guess, needed, N);
	use_costly = 1;
	predicted = NULL;
	run(STRAT_HIER, rh, &sh, 0);
	int flips_unpredicted = flips;
	predicted = guess;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept(rh) && flips < flips_unpredicted,
	      "right predictions flip costly nodes less (%d flips, %d without)", flips, flips_unpredicted);
	use_costly = 0;
	/* A hint from another app that removed what this one needs: what is
	 * predicted needed is left out of the hint, so it fails less. */
	make_tree(10);
	run(STRAT_HIER, prev, &sh, 0);
	start = prev;
	need_three_removed_by(prev, guess);
	predicted = NULL;
	run(STRAT_HIER, rh, &sh, 0);
	int calls_hint_only = calls;
	predicted = guess;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept(rh),
	      "a hint with predictions ends passing, 1-minimal, as small");
	CHECK(calls < calls_hint_only, "predictions keep a hint from failing on them (%d calls, %d without)",
	      calls, calls_hint_only);
	start = NULL;
	predicted = NULL;

	/* Required nodes (what the harness needs): no call removes one, nor
	 * a subtree holding one; the result is the same, for fewer calls. */
	unsigned char req[N];
	for (enum strategy s = STRAT_LINEAR; s <= STRAT_HIER; s++) {
		make_tree(11);
		required = NULL;
		run(s, rh, &sh, 0);
		int calls_free = calls;
		memset(req, 0, N);
		for (int i = 0, k = 0; i < N; i++)
			if (needed[i] && !group[i] && k++ % 2)
				req[i] = 1;
		required = req;
		run(s, r, &sh, 0);
		CHECK(required_removed == 0 && truth(r) && one_minimal(r) && kept(r) == kept(rh) &&
		      calls < calls_free, "%s: required nodes are never removed; the result is as small, "
		      "for fewer calls (%d, %d without)", strategy_name(s), calls, calls_free);
	}
	/* A hint that removed required nodes (another app's result, made
	 * with another harness): they are left out of it. */
	make_tree(12);
	required = NULL;
	run(STRAT_HIER, prev, &sh, 0);
	need_three_removed_by(prev, req);
	start = prev;
	required = req;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(required_removed == 0 && truth(r) && one_minimal(r),
	      "a hint that removed required nodes ends passing and 1-minimal without removing them");
	start = NULL;
	required = NULL;

	/* Predictions that name every needed node in the costly subtrees
	 * (as imports name the system-call options, and the harness what it
	 * needs): the other costly nodes go in one test, and each predicted
	 * one costs about one flip. */
	make_tree(8);
	for (int i = 8; i < N; i += 15)
		costly[i] = 1;
	use_costly = 1;
	predicted = NULL;
	run(STRAT_HIER, rh, &sh, 0);
	int flips_blind = flips, ncostly_needed = 0;
	for (int i = 0; i < N; i++) {
		int under = 0;
		for (int a = i; a >= 0 && !under; a = parent[a])
			under = costly[a];
		guess[i] = under && needed[i];
		ncostly_needed += guess[i];
	}
	/* Of the 4 flips beyond the needed ones, one is the test of all
	 * that is neither needed nor predicted, which fails here: the
	 * predictions miss the needed nodes outside the costly subtrees. */
	predicted = guess;
	run(STRAT_HIER, r, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept(rh) &&
	      flips <= ncostly_needed + 4 && flips < flips_blind, "predictions naming the needed costly nodes: %d flips (%d needed, "
	      "%d without predictions)", flips, ncostly_needed, flips_blind);
	use_costly = 0;

	/* Predictions that name every needed node: one test removes all the
	 * rest, then each prediction is tested alone, and that is all. */
	int npredicted = 0;
	for (int i = 0; i < N; i++)
		npredicted += needed[i];
	predicted = needed;
	run(STRAT_HIER, r, &sh, 0);
	int calls_predicted = calls;
	predicted = NULL;
	run(STRAT_HIER, rh, &sh, 0);
	CHECK(truth(r) && one_minimal(r) && kept(r) == kept(rh) && calls_predicted <= npredicted + 1,
	      "predictions naming every needed node: %d calls for %d predictions (%d without)",
	      calls_predicted, npredicted, calls);
	/* A root filesystem's shape: under one group (the top directory),
	 * 4 directories of 4 directories of 36 files each, all unneeded but
	 * for 3 files of one directory (a language's standard library among
	 * docs and locales). Weights are the subtrees' sizes, as bytes are. */
	{
		memset(group, 0, sizeof(group));
		memset(needed, 0, sizeof(needed));
		memset(weight, 0, sizeof(weight));
		npairs = 0;
		parent[0] = -1;
		group[0] = 1;
		int n = 1;
		for (int a = 0; a < 4; a++) {
			int top = n++;
			parent[top] = 0;
			for (int b = 0; b < 4; b++) {
				int dir = n++;
				parent[dir] = top;
				for (int f = 0; f < 36; f++) {
					parent[n] = dir;
					needed[n] = a == 2 && b == 1 && f % 12 == 0;
					n++;
				}
			}
		}
		for (; n < N; n++) {
			parent[n] = 0;
			weight[n] = 1;
		}
		for (int i = N - 1; i > 0; i--)
			weight[parent[i]] += ++weight[i];
		unsigned char rw[N], ri[N];
		struct search_stats sw, si;
		subtrees_whole = 0;
		run(STRAT_HIER, ri, &si, 0);
		int calls_inside = calls;
		subtrees_whole = 1;
		run(STRAT_HIER, rw, &sw, 0);
		int calls_whole = calls;
		subtrees_whole = 0;
		CHECK(truth(rw) && one_minimal(rw) && kept(rw) == kept(ri),
		      "subtrees tried whole first: the same 1-minimal result (%d kept, %d)", kept(rw), kept(ri));
		CHECK(calls_whole < calls_inside,
		      "and in a tree of mostly unneeded directories, fewer tests (%d, against %d)",
		      calls_whole, calls_inside);

		/* The heaviest directory holds the needed files; a lighter one
		 * beside it holds none. Searching inside the first while the
		 * second is still there makes every one of those tests carry
		 * it (a boot of a larger image). */
		int top_a = 1 + 3 * 149, top_b = 1 + 2 * 149, lib = top_a + 1 + 37;
		memset(needed, 0, sizeof(needed));
		memset(weight, 0, sizeof(weight));
		for (int i = 1; i < N; i++)
			weight[i] = parent[i] > 0 && parent[parent[i]] == top_a ? 50 :
				    parent[i] > 0 && parent[parent[i]] == top_b ? 2 : 1;
		for (int i = N - 1; i > 0; i--)
			weight[parent[i]] += weight[i];
		for (int i = 0; i < N; i++)
			needed[i] = parent[i] == lib && i % 5 == 0;
		watch_a = top_a;
		watch_b = top_b;
		inside_a_with_b = inside_b = first_b_removed = 0;
		subtrees_whole = 1;
		run(STRAT_HIER, rw, &sw, 0);
		subtrees_whole = 0;
		CHECK(weight[watch_a] > weight[watch_b] && rw[watch_b] && !rw[watch_a] &&
		      truth(rw) && one_minimal(rw),
		      "subtrees tried whole: the unneeded directory goes, the heavier needed one stays");
		CHECK(!inside_b && first_b_removed && first_b_removed <= 3,
		      "it goes whole, in the first pass (test %d; %d tests inside it)",
		      first_b_removed, inside_b);
		CHECK(inside_a_with_b == 0,
		      "and it goes before any test inside the heavier one (%d tests carried it)",
		      inside_a_with_b);
		watch_a = watch_b = -1;
	}
	UNIT_EXIT();
}
