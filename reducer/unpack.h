#ifndef REDUCE_UNPACK_H
#define REDUCE_UNPACK_H

#include "util.h"

/* Unpacking untrusted archives (a user's tarball, a container image's
 * layers) into a staging directory, read with libarchive: tar in any of
 * its dialects, plain or compressed.
 *
 * Nothing is written outside the directory: an entry whose path is
 * absolute or climbs out with "..", a hard link to such a path, or an
 * entry below a symlink (a link, then a file "through" it) is refused;
 * device nodes, fifos and sockets are skipped; owners are kept when
 * reduce runs as root; modes are, less setuid and setgid. What an archive may unpack to is
 * bounded: UNPACK_MAX_BYTES of file data, UNPACK_MAX_ENTRIES entries. */
#define UNPACK_MAX_BYTES (8LL << 30)
#define UNPACK_MAX_ENTRIES 2000000

struct unpack_stats {
	long entries;           /* written */
	long skipped;           /* device nodes, fifos, sockets */
	long whiteouts;         /* files and opaque directories removed */
	long missing_whiteouts; /* whiteouts of files that were not there */
	long long bytes;
};

/* Unpacks `file` into `dir` (which exists). With `layer`, OCI layer
 * semantics: ".wh.NAME" removes NAME as the layers below left it, and
 * ".wh..wh..opq" empties its directory of what the layers below left.
 * Returns 0, or -1 with "FILE: ENTRY: problem" in err. `max_bytes` 0
 * means UNPACK_MAX_BYTES. */
int archive_unpack(const char *file, const char *dir, int layer, long long max_bytes,
		   struct unpack_stats *st, struct strbuf *err);

#endif
