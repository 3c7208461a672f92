#include "minmem.h"

static int probe(struct minmem *m, int size, int runs)
{
	m->probes += runs;
	return m->probe(m->ctx, size, runs);
}

int minmem_search(struct minmem *m)
{
	/* lo fails (or is below the floor, never tried), hi passes. */
	int lo = m->floor - 1, hi = m->ceiling;
	for (;;) {
		while (hi - lo > 1) {
			int mid = lo + (hi - lo) / 2;
			int r = probe(m, mid, 1);
			if (r < 0)
				return -1;
			if (r)
				hi = mid;
			else
				lo = mid;
		}
		if (hi == m->ceiling || m->confirm_runs < 1)
			return hi;
		int r = probe(m, hi, m->confirm_runs);
		if (r < 0)
			return -1;
		if (r)
			return hi;
		/* Passed once, not every time: not enough after all. */
		lo = hi;
		hi = m->ceiling;
	}
}
