#ifndef REDUCE_TRIAL_H
#define REDUCE_TRIAL_H

#include "vm.h"

/* A trial: boot an image, wait until the app is ready, run the test
 * script against it on the host, tear the VM down whatever happens. */
struct trial {
	const struct vm_config *vm; /* the machine; memory_mb is the profile's */
	const char *tests;      /* the test script */
	const char *tests_hash;
	const char *app;
	const char *kernel_source; /* its version: a verdict is about this source's kernel */
	const char *test_log;   /* the script's stdout and stderr */
	int boot_timeout_ms;
	int test_timeout_ms;
	/* Boot with the profile's memory as it is (the final image), not
	 * with what unpacking the image needs on top of it (the search). */
	int exact_memory;
	/* The image's init watches the tree (rootfs/init-observe): after
	 * tests that pass, wait for its next two complete looks, so that the
	 * console names what the tests touched too. */
	int observe;
	int boots;              /* trials so far, for the report */
};

/* What one trial boots. */
struct boot_image {
	const char *kernel, *initrd;
	long long bytes;        /* the initramfs file's size (it may not be written yet) */
	long long unpacked;     /* bytes the initramfs unpacks to (its cpio) */
};

struct trial_result {
	enum verdict v;
	long ms_to_init, ms_to_ready;
	long guest_ms_at_init;  /* the guest's uptime at init, -1 if unknown */
	int memory_mb;          /* the guest's */
	enum vm_memory memory_fault; /* V_HOST: the guest ran out of memory (vm.h) */
	int observed;           /* observe: the looks after the tests came */
	char why[400];
};

/* Guest memory for an image: the profile's figure is the app's, so a
 * search trial gets on top of it what the kernel needs to unpack the
 * image: the initramfs file and its unpacked files are both in guest
 * memory while it unpacks, and the files go into a tmpfs that may take
 * at most half of it. Without it a large tree's candidates would all
 * fail to unpack, and be taken for candidates that do not boot. */
int trial_memory_mb(const struct trial *t, const struct boot_image *b);
/* The hash of everything but the image that decides a trial's verdict:
 * the machine as vm_describe() gives it, with this image's memory, and
 * the test script. Part of every memo key. */
void trial_key(const struct trial *t, const struct boot_image *b, char out[41]);
/* Boots the image on t's machine and runs the tests against it. A host
 * fault (V_HOST) is tried again twice before it is returned; a guest out
 * of memory (unpacking its initramfs, or the app, at the boot or while
 * the tests run) is returned at once, as no retry helps. */
enum verdict trial_run(struct trial *t, const struct boot_image *b, struct trial_result *r);

#endif
