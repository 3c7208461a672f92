#ifndef REDUCE_RELOCATE_H
#define REDUCE_RELOCATE_H

/* Kbuild's own tools (objtool) are built with the build directory's
 * absolute path in their saved command lines and dependency files. In a
 * directory found elsewhere than where it was built (copied, moved, a
 * CI cache restored under another path) Make would rebuild objtool, and
 * then every object, each of which depends on it: with ccache cold, a
 * whole kernel build.
 *
 * relocate_builddir() keeps in the directory the path it was last used
 * at (RELOCATE_RECORD). When the directory's real path differs, it
 * rewrites those files under tools/ to the new path, their times kept,
 * as if they had been made there, and then the record. Returns how many
 * files it rewrote, or -1 on an error, said on stderr: the next build is
 * then only slower, and the next call goes on. */
#define RELOCATE_RECORD ".reduce-builddir"
int relocate_builddir(const char *builddir);

#endif
