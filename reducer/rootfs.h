#ifndef REDUCE_ROOTFS_H
#define REDUCE_ROOTFS_H

#include "profile.h"
#include "search.h"

/* A staged root filesystem and the tree of its removable entries. Entries
 * are sorted by path, so a directory always comes before its contents. */
struct rootfs {
	char *root;             /* the staging directory on the host */
	int n;
	char **path;            /* relative to root, e.g. "bin/busybox" */
	int *parent;            /* entry index of the directory, -1 at top */
	long *bytes;            /* own size in bytes */
	int *node;              /* search-tree node, -1 if never removed */
	unsigned *setid;        /* setuid/setgid bits the image gives the entry: never the staged file's */

	/* The search tree over the removable entries. */
	int nnodes;
	int *tparent;
	long *tweight;          /* bytes of the subtree: ordering payoff */
	unsigned char *tgroup;  /* ancestors of kept paths: not items */
	int *entry;             /* entry index of each node */
};

/* Builds the starting tree for the profile into `dir` (created afresh):
 * the BusyBox base, or a Debian tree from debootstrap; then the profile's
 * files, `init_bin` as /init and the profile's settings as /init.conf.
 * `root` is the project's directory (for rootfs/debian-rootfs.sh). An
 * image's command named without a path is made absolute along its PATH.
 * Returns 0; ROOTFS_BAD_INPUT when the user's inputs are at fault (an
 * archive or image layer that cannot be unpacked safely, a user or a
 * command the tree lacks); -1 when the host failed. Either with the
 * reason in err. An archive's or image's setuid and setgid bits are not
 * staged: `setid` gets them, as unpack.h's record ("MODE PATH"). */
#define ROOTFS_BAD_INPUT (-2)
int rootfs_stage(struct profile *p, const char *root, const char *dir, const char *init_bin,
		 struct strvec *setid, struct strbuf *err);
/* Lists the staged tree, with the bits `setid` (from rootfs_stage, or
 * NULL) gives its entries. /init, /init.conf and the profile's keep paths
 * are not removable. */
int rootfs_scan(const char *dir, const struct profile *p, const struct strvec *setid, struct rootfs *rf);
struct search_tree rootfs_tree(const struct rootfs *rf);
/* Which entries an image with the given nodes removed holds: a removed
 * directory stays if something kept lives below it. */
void rootfs_included(const struct rootfs *rf, const unsigned char *removed, unsigned char *incl);
void rootfs_manifest(const struct rootfs *rf, const unsigned char *incl, struct strbuf *out);
int rootfs_count(const struct rootfs *rf, const unsigned char *incl);

#endif
