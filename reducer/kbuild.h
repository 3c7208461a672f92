#ifndef REDUCE_KBUILD_H
#define REDUCE_KBUILD_H

#include "compile.h"
#include "util.h"

/* Kernel builds: the Debian source unpacked once into the cache, one build
 * directory (make O=) reused across candidates so that Kbuild rebuilds only
 * what a changed option touches, and ccache under a fixed build identity so
 * that going back to an earlier config is a cache hit. */
struct kbuild {
	char *srctree;
	char *builddir;
	char *log;
	int lock_fd;
	int temporary;          /* made for this run alone: removed at kbuild_close */
	int jobs;
	const struct compilers *compilers; /* NULL: ccache's local directory alone */
	struct compile_counts counts;      /* summed over this kbuild's builds */
	long long build_ms;                /* the same builds' wall time */
	char fault[320];        /* why the last build was a host fault */
};

/* A build that failed for the host's reasons, not the config's (make
 * killed from outside, a full disk): kb->fault says which. */
#define KBUILD_HOST_FAULT (-4)

/* Unpacks linux-source-6.1 into the cache if it is not there yet. */
int kernel_source(char **srctree, struct strbuf *err);
/* The source's version from its Makefile, e.g. "6.1.192": -1 if unreadable. */
int kbuild_source_version(const char *srctree, char *out, size_t n);
/* Whether a --kernel-base names one of the bases made from the kernel's
 * own configs (microvm, defconfig) rather than a .config file. */
int kbuild_base_is_named(const char *kernel_base);
/* The build directory's name for a kernel base and machine ("microvm-base",
 * "microvm-microvm-base", "file-base" for any .config file): a reduction
 * and reduce build of the same base share it, and its paths, which are
 * in the hash of what Kbuild compiles with -g. */
char *kbuild_base_dir_name(const char *kernel_base, const char *machine_or_null);
/* `compilers` (kept, not copied; NULL for ccache alone) says where the
 * builds' compilations run. */
int kbuild_open(struct kbuild *kb, const char *srctree, const char *name, const char *log,
		const struct compilers *compilers);
/* Resolves a --kernel-base (microvm, defconfig or a .config file) into a
 * complete config written to `out`. fragments: the project's baseline
 * and the machine's (kernel-configs/), NULL-ended; microvm gets both on
 * top of tinyconfig, defconfig the machine's alone, a file neither. */
int kbuild_base_config(struct kbuild *kb, const char *base, const char *const *fragments,
		       const char *out, struct strbuf *err);
/* The forms a build leaves the kernel in: the bzImage (SeaBIOS, -M pc)
 * and the stripped vmlinux with its PVH note (microvm, Firecracker). */
enum kimage { KIMAGE_BZIMAGE, KIMAGE_VMLINUX, KIMAGES };

/* Builds bzImage and the stripped vmlinux from `config`. Returns 0, or -1 with the reason in the log,
 * CHILD_TIMEOUT or KBUILD_HOST_FAULT. Leaves the olddefconfig result in the
 * build directory. */
int kbuild_build(struct kbuild *kb, const char *config, int timeout_ms);
char *kbuild_image(const struct kbuild *kb, enum kimage which);
/* Copies the last build's images into dir as bzImage and vmlinux: NULL,
 * or the path that could not be written (errno says why). */
char *kbuild_copy_images(const struct kbuild *kb, const char *dir);
/* If a make in `builddir` was cut short, removes the files it wrote so that
 * the next make redoes them. Returns how many were removed. Every make runs
 * it first; it is public for the tests. */
int kbuild_repair(const char *builddir);
/* Builds `config` into the forms out[] names a path for (NULL: not
 * wanted), or copies the images an earlier build of the same config
 * content left in the cache. A form whose bit (1 << form) is not in
 * `need` is only copied if cached (and its path removed if not): it
 * never makes a build. Returns 1 for a cache hit, 0 for a fresh build,
 * -1, CHILD_TIMEOUT or KBUILD_HOST_FAULT when it fails. */
int kbuild_image_for(struct kbuild *kb, const char *config, const char *const out[KIMAGES],
		     unsigned need, int timeout_ms);
/* For each of the n symbols, how many of the build directory's objects
 * Kbuild would recompile if it changed (their .cmd files name
 * include/config/SYMBOL, as fixdep records it; all of them if the
 * Makefiles that set every object's flags name CONFIG_SYMBOL). Returns
 * the number of objects, 0 if nothing was built yet. */
int kbuild_dependents(const struct kbuild *kb, char *const *names, int n, int *counts);
/* The same counts for a complete build of `config`, as an earlier run
 * kept them in the cache (kbuild_keep_dependents), named as its images
 * are: the number of objects, or -1 when none were kept. A run resumed
 * or repeated from the same base then need not build the base again to
 * count. */
int kbuild_known_dependents(const struct kbuild *kb, const char *config, char *const *names,
			    int n, int *counts);
void kbuild_keep_dependents(const struct kbuild *kb, const char *config, char *const *names,
			    int n, const int *counts, int objects);
/* Ends the run's use of its build directory, removing it if temporary. */
void kbuild_close(struct kbuild *kb);

#endif
