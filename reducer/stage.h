#ifndef REDUCE_STAGE_H
#define REDUCE_STAGE_H

#include <stdint.h>

/* Where a run's wall time goes, in the order a run passes through. */
enum stage {
	STAGE_SETUP,            /* inputs, the rootfs unpacked */
	STAGE_BASE_BUILD,       /* the baseline kernel built */
	STAGE_BASELINE,         /* its image packed, booted and tested; the negative control */
	STAGE_ROOTFS,           /* the rootfs search and its proof */
	STAGE_KERNEL,           /* the kernel search */
	STAGE_VERIFY,           /* the final image packed and booted again */
	STAGE_MIN_MEMORY,       /* the least guest memory of the final and baseline images */
	STAGE_COUNT
};
/* The words report.md uses; report.json uses the same with '_' for ' '. */
extern const char *const stage_names[STAGE_COUNT];

/* A clock that runs for one stage at a time. */
struct stopwatch {
	enum stage cur;
	uint64_t since;
	long long ms[STAGE_COUNT];
};

void stopwatch_start(struct stopwatch *w, uint64_t now);
/* Stops the clock of the stage that ran and starts that of s. */
void stopwatch_enter(struct stopwatch *w, enum stage s, uint64_t now);

#endif
