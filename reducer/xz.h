#ifndef REDUCE_XZ_H
#define REDUCE_XZ_H

#include "util.h"

/* The largest dictionary xz_write() declares, in bytes. */
#define XZ_DICT_MAX (1u << 20)

/* Compresses `data` with xz into `path` (atomically). The check must be
 * CRC32: the kernel's XZ decoder does not do CRC64. `preset` is xz's
 * ("9e"); `x86` adds the x86 BCJ filter before LZMA2. */
int xz_write(const struct strbuf *data, const char *path, const char *preset, int x86);
/* What decides the bytes xz_write() gives for data of this length: xz's
 * version and its options, one line, for a cache's key. */
void xz_describe(size_t len, const char *preset, int x86, struct strbuf *out);
/* 0 when path is a whole xz stream whose checks hold (xz -t). */
int xz_test(const char *path);

#endif
