#ifndef REDUCE_OBSERVE_H
#define REDUCE_OBSERVE_H

#include "rootfs.h"

/* What the guest touched: the entries its init saw read, listed, run or
 * written while the app started and the tests ran (rootfs/init-observe;
 * its console's "reduce-init: touched PATH" lines). */

/* The rootfs search's first guess: the nodes of rf that were not touched
 * and hold no touched entry (1 each, rf->nnodes + 1 flags; group nodes
 * never), from the len bytes of the console's whole lines. *touched gets
 * how many of rf's entries the console names. The console is the
 * guest's, so a line that names no entry is ignored; and
 * the guess only orders the search: every candidate is still booted and
 * tested, so a wrong guess costs tests, never a wrong result. */
unsigned char *observe_untouched(const struct rootfs *rf, const char *console, size_t len,
				 int *touched);
/* Whether init said it gave up watching ("reduce-init: observe failed:
 * WHY"), anywhere in the len bytes of the console; why gets WHY. A guess
 * from such a boot is no guess. */
int observe_failed(const char *console, size_t len, struct strbuf *why);

#endif
