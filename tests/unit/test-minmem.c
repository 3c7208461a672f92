/* The bisection for the least size that passes (minmem.c), against
 * simulated guests: a threshold, a guest that passes once by chance
 * below it, and a probe that stops the search. */
#include "minmem.h"
#include "unit.h"

struct guest {
	int needs;              /* passes at this size and above */
	int lucky;              /* passes once at this size, then never */
	int stop_at;            /* probe number that reports a host fault */
	int calls, tries;
	int largest_probed;
};

static int boot(void *ctx, int size, int runs)
{
	struct guest *g = ctx;
	g->calls++;
	g->tries += runs;
	if (size > g->largest_probed)
		g->largest_probed = size;
	if (g->stop_at && g->calls == g->stop_at)
		return -1;
	int pass = 1;
	for (int i = 0; i < runs; i++) {
		int ok = size >= g->needs;
		if (!ok && g->lucky == size) {
			ok = 1;
			g->lucky = 0;
		}
		pass &= ok;
	}
	return pass;
}

static int counted = 1;

static int search(struct guest *g, int floor, int ceiling, int confirm)
{
	struct minmem m = { .floor = floor, .ceiling = ceiling, .confirm_runs = confirm,
			    .probe = boot, .ctx = g };
	int r = minmem_search(&m);
	counted &= m.probes == g->tries;
	return r;
}

int main(void)
{
	struct guest g = { .needs = 21 };
	CHECK(search(&g, 8, 256, 3) == 21, "a guest that needs 21 MiB of 8..256: 21");
	CHECK(g.tries <= 8 + 3, "in at most log2 of the range plus the confirmation's tries");
	CHECK(g.largest_probed < 256, "the ceiling (verified already) is never probed");

	g = (struct guest){ .needs = 8 };
	CHECK(search(&g, 8, 256, 3) == 8, "a guest that passes at the floor: the floor");

	g = (struct guest){ .needs = 300 };
	CHECK(search(&g, 8, 256, 3) == 256 && g.tries <= 8,
	      "nothing below the ceiling passes: the ceiling, with no confirmation");

	g = (struct guest){ .needs = 40, .lucky = 39 };
	struct guest h = g;
	int found = search(&g, 8, 64, 3);
	CHECK(found == 40, "a size passed once by chance fails its confirmation: the search goes up");
	h.lucky = 0;
	CHECK(search(&h, 8, 64, 3) == 40 && g.tries > h.tries, "and that costs more tries");

	g = (struct guest){ .needs = 40, .lucky = 39 };
	CHECK(search(&g, 8, 64, 0) == 39, "without confirmation the lucky pass would stand");

	g = (struct guest){ .needs = 21, .stop_at = 3 };
	CHECK(search(&g, 8, 256, 3) == -1 && g.calls == 3, "a probe that says stop ends the search");
	g = (struct guest){ .needs = 21, .stop_at = 9 };
	CHECK(search(&g, 8, 256, 3) == -1, "in its confirmation too");

	g = (struct guest){ .needs = 5 };
	CHECK(search(&g, 8, 8, 3) == 8 && g.tries == 0, "a range of one size: no probe at all");
	CHECK(counted, "the search counts every try it makes (for the report)");
	UNIT_EXIT();
}
