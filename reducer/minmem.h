#ifndef REDUCE_MINMEM_H
#define REDUCE_MINMEM_H

/* The least of a range of sizes at which something still passes, by
 * bisection: here, the least guest memory in MiB an image passes its
 * tests in. It knows nothing of guests: probe(ctx, size, runs) says
 * whether `runs` tries at `size` all pass (1), not all (0), or that the
 * search must stop (-1: a host fault, Ctrl-C). One try decides each step
 * down; the answer is then confirmed with confirm_runs tries, and a
 * failed confirmation moves the search up from there, so a size passed
 * by chance once is not the answer. ceiling is known to pass (the
 * verified image at its profile's memory) and is never probed. */
struct minmem {
	int floor, ceiling;     /* sizes, floor <= ceiling */
	int confirm_runs;
	int (*probe)(void *ctx, int size, int runs);
	void *ctx;
	int probes;             /* tries so far, for the report */
};

/* The least size found, or -1 when a probe said stop. */
int minmem_search(struct minmem *m);

#endif
