#ifndef REDUCE_SEARCH_H
#define REDUCE_SEARCH_H

/* One search engine for any tree of removable items with a test oracle.
 * It knows nothing of kernels or files: the Kconfig menu tree and the rootfs
 * directory tree are both handed to it as a struct search_tree. Removing a
 * node removes its whole subtree. */

#include "verdict.h"

struct search_tree {
	int n;
	const int *parent;       /* -1 for a root */
	const long *weight;      /* payoff of removing the node, for ordering */
	const unsigned char *group; /* 1: a grouping node with no item of its own */
	/* Optional, 1: a node whose test costs far more than the others'
	 * (a kernel option most objects depend on: a near-full rebuild each
	 * time it flips). hier decides these first and apart from the rest,
	 * so that the cheap candidates after them leave them alone; linear,
	 * whose candidates flip one node each however they are ordered,
	 * tries them last, so that a bounded run gets the cheap ones done. */
	const unsigned char *costly;
	/* Optional, 1: a node predicted needed (a kernel option the image's
	 * binaries or the harness are seen to use). hier tests such a node,
	 * and a sibling whose subtree holds one, alone and after its
	 * siblings, and a hint never carries one: a right guess costs one
	 * failing test and never fails a group; a wrong one costs one test
	 * that passes. The result does not depend on it. */
	const unsigned char *predicted;
	/* Optional, 1: a node the oracle cannot pass without, known before
	 * any test (a kernel option the harness's own guest uses: its
	 * console, its network card, its initramfs format). Never tested:
	 * no candidate removes it or a subtree holding it. The result is
	 * 1-minimal over the other nodes; it is 1-minimal over all of them
	 * as long as what makes these needed is true. */
	const unsigned char *required;
};

enum strategy { STRAT_LINEAR, STRAT_HIER };
int parse_strategy(const char *s, enum strategy *out);
const char *strategy_name(enum strategy s);

/* The oracle tests the state in which exactly the nodes flagged in
 * `removed` are gone (descendants are always flagged with their ancestor). */
typedef enum verdict (*oracle_fn)(void *ctx, const unsigned char *removed);

struct search_stats {
	int tested;             /* oracle calls that ran a test */
	int accepted;
	int rejected[V_COUNT];  /* indexed by verdict */
	int nochange;
	int memo_hits;
	int stopped_early;      /* the candidate budget ran out */
	int aborted;
};

/* After each tested candidate: items still present (kept so far or not yet
 * examined) of all items. */
typedef void (*progress_fn)(void *ctx, const struct search_stats *st, int remaining, int total);

struct search_opts {
	enum strategy strategy;
	int max_candidates;     /* 0: no limit; counts oracle calls that tested */
	progress_fn progress;
	void *progress_ctx;
	/* Optional: nodes a previous result removed (the --hint). They are
	 * tried first, as one group, then halves of it, as ddmin does, so
	 * that a hint wrong about a few nodes still removes the rest. */
	const unsigned char *start;
	/* The start is this search's own earlier result (a release going on
	 * from the last): it is tried whole first, which a rerun has mostly
	 * tested before, rather than split into its costly nodes and the
	 * rest. */
	int start_whole;
	/* A subtree with more items than a chunk is tried whole before it
	 * is searched inside: for a tree where that costs what any test
	 * costs and whole subtrees are often unneeded (a directory of
	 * locales, a library's data). Without it such a subtree is searched
	 * inside first, as suits a tree where it would almost surely fail
	 * whole and cost a large rebuild (a Kconfig menu). */
	int subtrees_whole;
};

/* Searches from the state in `removed` (in/out). Returns 0, or -1 if the
 * oracle aborted (removed then still holds the last accepted state). */
int search_run(const struct search_tree *t, oracle_fn oracle, void *ctx,
	       const struct search_opts *o, unsigned char *removed,
	       struct search_stats *st);

#endif
