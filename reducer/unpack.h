#ifndef REDUCE_UNPACK_H
#define REDUCE_UNPACK_H

#include "util.h"

/* Unpacking untrusted archives (a user's tarball, a container image's
 * layers) into a staging directory, read with libarchive: tar in any of
 * its dialects, plain or compressed.
 *
 * Nothing is written outside the directory: an entry whose path is
 * absolute or climbs out with "..", or a hard link to such a path, is
 * refused; symlinks on an entry's path are followed as in a chroot into
 * the directory (a link, then a file "through" it, lands inside); device
 * nodes, fifos and sockets are skipped; owners are kept when
 * reduce runs as root; modes are, less setuid and setgid, which never
 * reach the host's files: they are recorded in the stats instead, for
 * the image (cpio) to carry. What archives
 * may unpack to is bounded: UNPACK_MAX_BYTES of file data,
 * UNPACK_MAX_ENTRIES entries, counted in a struct unpack_stats over every
 * archive unpacked with it (an image's layers together). */
#define UNPACK_MAX_BYTES (8LL << 30)
#define UNPACK_MAX_ENTRIES 2000000

struct unpack_stats {
	long entries;           /* written */
	long skipped;           /* device nodes, fifos, sockets */
	long whiteouts;         /* files and opaque directories removed */
	long missing_whiteouts; /* whiteouts of files that were not there */
	long long bytes;
	/* "MODE PATH": the setuid and setgid bits (octal, of 06000) of the
	 * entries written at relative PATH, in the order written; the last
	 * record of a path holds (0000: an entry that wrote it again
	 * without them). Empty until an entry has them. Free with
	 * sv_clear(). */
	struct strvec setid;
};

/* Unpacks `file` into `dir` (which exists). With `layer`, OCI layer
 * semantics: ".wh.NAME" removes NAME as the layers below left it, and
 * ".wh..wh..opq" empties its directory of what the layers below left.
 * Returns 0, or -1 with "FILE: ENTRY: problem" in err. `st` adds to what
 * it holds (zero it before the first archive), and `max_bytes` (0:
 * UNPACK_MAX_BYTES) and UNPACK_MAX_ENTRIES bound its totals. */
int archive_unpack(const char *file, const char *dir, int layer, long long max_bytes,
		   struct unpack_stats *st, struct strbuf *err);

/* The same for the archive that is the regular-file entry `member` of
 * the archive `file` (a layer inside a docker-archive), read through
 * without being written out first; its messages name FILE:MEMBER. */
int archive_unpack_member(const char *file, const char *member, const char *dir, int layer,
			  long long max_bytes, struct unpack_stats *st, struct strbuf *err);

/* rel (a relative path, no "..") with the directories above it resolved
 * inside dir as a chroot into dir would: symlinks among them followed, an
 * absolute target from dir, never out of it; the last component is not
 * followed. The resolved relative path (allocated), or NULL with why in
 * *bad (allocated). The directories not there, which writing it would
 * make, go to `missing` if given. What is written into an untrusted tree
 * goes where this says. */
char *unpack_resolve(const char *dir, const char *rel, struct strvec *missing, char **bad);

/* The names of the regular-file entries of `file`, as the member
 * functions take them; -1 with the reason if it cannot be read. */
int archive_list_members(const char *file, struct strvec *names, struct strbuf *err);

/* The regular-file entry `member` of `file` appended to out, if it is at
 * most max_bytes; -1 with the reason (no such member, too large, a
 * corrupt archive) in err. */
int archive_read_member(const char *file, const char *member, long long max_bytes,
			struct strbuf *out, struct strbuf *err);

#endif
