#ifndef REDUCE_DEBIAN_H
#define REDUCE_DEBIAN_H

#include "util.h"

/* The machine's own Debian release and mirror, from /etc/os-release and
 * its apt sources, so that no host name is written into the project. */
int debian_release(char **release, char **mirror, struct strbuf *err);

/* Unpacks into `dir` a debootstrap tree (minbase + packages) for the
 * machine's release, building and caching it as a tar on first use. */
int debian_stage(const char *root, const struct strvec *packages, const char *dir,
		 struct strbuf *err);

#endif
