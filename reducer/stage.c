#include "stage.h"

#include <string.h>

const char *const stage_names[STAGE_COUNT] = {
	"setup", "baseline build", "baseline", "rootfs search", "kernel search", "verification",
	"min memory",
};

void stopwatch_start(struct stopwatch *w, uint64_t now)
{
	memset(w, 0, sizeof(*w));
	w->cur = STAGE_SETUP;
	w->since = now;
}

void stopwatch_enter(struct stopwatch *w, enum stage s, uint64_t now)
{
	w->ms[w->cur] += now - w->since;
	w->cur = s;
	w->since = now;
}
