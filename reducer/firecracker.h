#ifndef REDUCE_FIRECRACKER_H
#define REDUCE_FIRECRACKER_H

/* The Firecracker VM configuration for a reduced image: the JSON file that
 * `firecracker --config-file FILE` boots from, with no API call. Its keys
 * are those of the swagger file's FullVmConfiguration (Firecracker 1.16.1,
 * src/firecracker/swagger/firecracker.yaml); tests/unit/test-firecracker.c
 * holds the fields it is checked against. */

#include "util.h"

struct firecracker_vm {
	/* Paths as written into the file, relative: Firecracker opens them
	 * from the directory it is started in, the run directory, which is
	 * written as DIR.partial and renamed, and copied into the history,
	 * so an absolute path would name the wrong place. An absolute one
	 * is refused. On x86_64, Firecracker 1.16 boots an uncompressed ELF
	 * vmlinux only; bzImage support is still unreleased
	 * (its CHANGELOG, 1.17.0-dev). */
	const char *kernel;     /* e.g. "vmlinux" */
	const char *initrd;     /* e.g. "initramfs.cpio.xz": the only root, no drive */
	/* The whole kernel command line; NULL for Firecracker's default
	 * ("reboot=k panic=1 nomodule 8250.nr_uarts=0 i8042.noaux
	 * i8042.nomux i8042.dumbkbd swiotlb=noforce"), which has no console.
	 * Its getting-started guide passes "console=ttyS0 reboot=k panic=1";
	 * Firecracker appends "pci=off" itself when it runs without PCI, and
	 * its kernel policy says not to pass it when PCI is on. */
	const char *boot_args;
	int mem_size_mib;       /* > 0 */
	int vcpu_count;         /* 1 to 32 (SMT is off, so odd counts are fine) */
	const char *host_dev_name; /* the tap device, e.g. "tap0"; NULL: no network */
	const char *guest_mac;  /* "06:00:c0:a8:00:02"; NULL: the guest
				 * driver makes up a random one */
};

/* The file's text, indented, with a final newline, appended to out.
 * -1 with a one-line reason in err (and nothing appended) when vm holds
 * what Firecracker would refuse at start: a missing or absolute path, a
 * size or count out of range, a malformed MAC address. */
int firecracker_json(const struct firecracker_vm *vm, struct strbuf *out, struct strbuf *err);

/* The same, written to path atomically (util.h's write_file_atomic), so
 * that a crash never leaves a half-written config to boot from. */
int firecracker_write(const struct firecracker_vm *vm, const char *path, struct strbuf *err);

#endif
