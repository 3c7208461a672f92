/* Staged trees for the unit tests that scan one (rootfs.c's callers). */
#ifndef UNIT_TREE_H
#define UNIT_TREE_H
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Writes data to dir/rel, making the directories above it. */
static void put_in(const char *dir, const char *rel, const char *data)
{
	char *p = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p);
	*slash = '/';
	write_file_atomic(p, data, strlen(data));
	free(p);
}
#endif
