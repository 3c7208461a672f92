#ifndef REDUCE_CACHE_H
#define REDUCE_CACHE_H

/* reduce cache [--prune DAYS]: what the cache holds and its size; with
 * --prune, the kernel images, build directories and rootfs archives no
 * run used for DAYS days are removed. Exit 0, or 2 on a bad command line. */
int cmd_cache(int argc, char **argv);

#endif
