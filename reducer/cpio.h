#ifndef REDUCE_CPIO_H
#define REDUCE_CPIO_H

#include "rootfs.h"

/* Writes the included entries of a staged rootfs as a newc cpio archive
 * (the kernel's initramfs format) into `out`. Owners and modes are the
 * staged tree's (what reduce's own user made is root's; setuid and setgid
 * bits from rf->setid), inode
 * numbers count up in path order and times are SOURCE_DATE_EPOCH (or
 * zero), so the same tree always gives the same bytes. */
int cpio_build(const struct rootfs *rf, const unsigned char *incl, struct strbuf *out);

#endif
