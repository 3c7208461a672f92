#define _GNU_SOURCE
#include "kbuild.h"
#include "config.h"
#include "child.h"
#include "relocate.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SOURCE_NAME "linux-source-6.1"

int kernel_source(char **srctree, struct strbuf *err)
{
	const char *tarball = getenv("REDUCE_KERNEL_TARBALL");
	if (!tarball || !*tarball)
		tarball = "/usr/src/" SOURCE_NAME ".tar.xz";
	char *dir = xasprintf("%s/%s", cache_dir(), SOURCE_NAME);
	char *mk = xasprintf("%s/Makefile", dir);
	*srctree = dir;
	if (file_exists(mk)) {
		free(mk);
		return 0;
	}
	free(mk);
	if (!file_exists(tarball)) {
		sb_addf(err, "kernel source %s not found: run 'make deps' (package %s)",
			tarball, SOURCE_NAME);
		return -1;
	}
	/* Unpack beside the final place and rename, so an interrupted unpack
	 * never looks complete to a later run. */
	char *tmp = xasprintf("%s/unpack.%d", cache_dir(), (int)getpid());
	rm_rf(tmp);
	mkdir_p(tmp);
	info("unpacking %s into %s (once)", tarball, cache_dir());
	const char *argv[] = { "tar", "-xf", tarball, "-C", tmp, NULL };
	struct child_process cp = { .argv = argv, .inherit_stderr = 1, .timeout_ms = 1800000 };
	char *inner = xasprintf("%s/%s", tmp, SOURCE_NAME);
	int st = child_run(&cp);
	if (st != 0 || rename(inner, dir) < 0) {
		sb_addf(err, "cannot unpack %s (status %d)", tarball, st);
		rm_rf(tmp);
		free(tmp);
		free(inner);
		return -1;
	}
	rm_rf(tmp);
	free(tmp);
	free(inner);
	return 0;
}

int kbuild_base_is_named(const char *kernel_base)
{
	return !strcmp(kernel_base, "microvm") || !strcmp(kernel_base, "defconfig");
}

char *kbuild_base_dir_name(const char *kernel_base, const char *machine_or_null)
{
	/* Runs from the same base share a build directory (and so build
	 * incrementally); all file bases share one. */
	const char *bname = kbuild_base_is_named(kernel_base) ? kernel_base : "file";
	return machine_or_null ? xasprintf("%s-%s-base", bname, machine_or_null) : xasprintf("%s-base", bname);
}

int kbuild_open(struct kbuild *kb, const char *srctree, const char *name, const char *log,
		const struct compilers *compilers)
{
	memset(kb, 0, sizeof(*kb));
	kb->srctree = xstrdup(srctree);
	kb->log = xstrdup(log);
	kb->compilers = compilers;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	kb->jobs = compilers_jobs(compilers, n > 0 ? (int)n : 1);
	char *base = xasprintf("%s/kbuild", cache_dir());
	mkdir_p(base);
	/* A build directory shared by later runs keeps their builds
	 * incremental; a concurrent run gets one of its own. */
	for (int i = 0; i < 100; i++) {
		char *dir = i ? xasprintf("%s/%s.%d", base, name, i) : xasprintf("%s/%s", base, name);
		char *lock = xasprintf("%s.lock", dir);
		int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		free(lock);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			kb->builddir = dir;
			kb->lock_fd = fd;
			kb->temporary = i > 0;
			/* Its time says when a run last used it (reduce cache --prune). */
			futimens(fd, NULL);
			mkdir_p(dir);
			relocate_builddir(dir);
			free(base);
			return 0;
		}
		if (fd >= 0)
			close(fd);
		free(dir);
	}
	free(base);
	return error("no free kernel build directory in %s/kbuild", cache_dir());
}

/* Kbuild writes each object and then its .cmd file in place, so a make
 * killed mid-way (Ctrl-C, a timeout, a crash) can leave a truncated .cmd that
 * every later build stops on ("unterminated call to function 'wildcard'"),
 * or a truncated object that Kbuild thinks is up to date. Each rejected
 * candidate would then be a false "build" verdict, and memoized. So a stamp
 * marks a make in progress, and when a make finds one left over, the files
 * written since the stamp are removed and Kbuild makes them again (from
 * ccache). */
#define STAMP ".reduce-make-in-progress"
#define STRIPPED_VMLINUX "vmlinux.stripped"
/* distcc's account of the jobs of the build in progress. */
#define DISTCC_LOG ".distcc.log"

static char *ccache_dir(void)
{
	return xasprintf("%s/ccache", cache_dir());
}

static struct {
	struct timespec since;
	int removed;
} cut;

static int remove_if_newer(const char *path, const struct stat *st, int type, struct FTW *f)
{
	/* The stamp goes last, so that a repair cut short is done again.
	 * The path record is written when a run opens the directory, after
	 * any stamp, and is no make's output. */
	if (type != FTW_F || !S_ISREG(st->st_mode) || !strcmp(path + f->base, STAMP) ||
	    !strcmp(path + f->base, RELOCATE_RECORD))
		return 0;
	if (st->st_mtim.tv_sec > cut.since.tv_sec ||
	    (st->st_mtim.tv_sec == cut.since.tv_sec && st->st_mtim.tv_nsec >= cut.since.tv_nsec))
		if (unlink(path) == 0)
			cut.removed++;
	return 0;
}

int kbuild_repair(const char *builddir)
{
	char *stamp = xasprintf("%s/" STAMP, builddir);
	struct stat st;
	int ret = 0;
	if (stat(stamp, &st) == 0) {
		struct strbuf text = STRBUF_INIT;
		int failed = read_file(stamp, &text) == 0 && strstr(text.buf, "failed");
		sb_release(&text);
		cut.since = st.st_mtim;
		cut.removed = 0;
		nftw(builddir, remove_if_newer, 16, FTW_PHYS);
		unlink(stamp);
		ret = cut.removed;
		if (failed)
			info("kernel build directory %s: an earlier make failed; removed the %d files it "
			     "wrote (a full disk may have cut one short), Kbuild makes them again",
			     builddir, ret);
		else
			info("kernel build directory %s: an earlier make was cut short; "
			     "removed the %d files it wrote, Kbuild makes them again", builddir, ret);
	}
	free(stamp);
	return ret;
}

/* Says in the stamp that its make ended by itself, with an error, and
 * keeps its time: the repair goes by it. */
static void mark_failed(const char *stamp)
{
	struct stat st;
	if (stat(stamp, &st) < 0)
		return;
	int fd = open(stamp, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "failed\n", 7) < 0) {
		}
		close(fd);
	}
	struct timespec times[2] = { st.st_atim, st.st_mtim };
	utimensat(AT_FDCWD, stamp, times, 0);
}

/* The build's date for the kernel's version string: SOURCE_DATE_EPOCH,
 * as reproducible builds name it, or a fixed one; never the clock's. */
static const char *build_timestamp(void)
{
	static char env[96];
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	time_t t = e && *e ? (time_t)strtoll(e, &end, 10) : 0;
	char date[64];
	if (env[0])
		return env;
	if (e && *e && !*end && gmtime(&t) &&
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S UTC %Y", gmtime(&t)))
		snprintf(env, sizeof(env), "KBUILD_BUILD_TIMESTAMP=%s", date);
	else
		snprintf(env, sizeof(env), "KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 2026");
	return env;
}

int kbuild_source_version(const char *srctree, char *out, size_t n)
{
	struct strbuf mk = STRBUF_INIT;
	char *path = xasprintf("%s/Makefile", srctree);
	char v[4][64] = { "", "", "", "" };
	static const char *const names[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION" };
	int rc = read_file(path, &mk);
	for (const char *l = mk.buf; !rc && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		if (!strncmp(l, "NAME", 4))
			break;
		for (int i = 0; i < 4; i++) {
			size_t len = strlen(names[i]);
			if (!strncmp(l, names[i], len) && strchr(" =", l[len])) {
				const char *val = l + len + strspn(l + len, " =");
				snprintf(v[i], sizeof(v[i]), "%.*s", (int)strcspn(val, " \n"), val);
			}
		}
	}
	free(path);
	sb_release(&mk);
	if (rc < 0 || !v[0][0] || !v[1][0])
		return -1;
	snprintf(out, n, "%s.%s%s%s%s", v[0], v[1], v[2][0] ? "." : "", v[2], v[3]);
	return 0;
}

/* What besides the config decides the image's bytes: the kernel
 * source's version and the build's date. (The compiler's version is in
 * the config, as CC_VERSION_TEXT.) */
static void image_key(const struct kbuild *kb, const char *config_hash, char out[41])
{
	char version[128] = "";
	kbuild_source_version(kb->srctree, version, sizeof(version));
	char *id = xasprintf("config %s\n%s\nsource %s\n", config_hash, build_timestamp(), version);
	content_hash(id, strlen(id), out);
	free(id);
}

/* Every make runs after kbuild_repair(), which its callers run before
 * they write the .config: the repair removes what was written since the
 * stamp, and a .config written after it would go too, leaving olddefconfig
 * to build the defaults under the candidate's name. */
static int make(struct kbuild *kb, const char *target, int timeout_ms)
{
	char *stamp = xasprintf("%s/" STAMP, kb->builddir);
	if (write_file_atomic(stamp, "", 0) < 0) {
		error("cannot write %s", stamp);
		free(stamp);
		return -1;
	}
	char *odir = xasprintf("O=%s", kb->builddir);
	char *jobs = xasprintf("-j%d", kb->jobs);
	const char *argv[] = { "make", "-C", kb->srctree, odir, jobs, "CC=ccache gcc",
			       target, NULL };
	/* A fixed build identity makes the same config give the same objects,
	 * which is what lets ccache serve a reverted candidate. */
	struct strvec env = STRVEC_INIT;
	sv_push(&env, build_timestamp());
	sv_push(&env, "KBUILD_BUILD_USER=reduce");
	sv_push(&env, "KBUILD_BUILD_HOST=reduce");
	sv_push(&env, "KBUILD_BUILD_VERSION=1");
	sv_push(&env, "CCACHE_MAXSIZE=5G");
	sv_push(&env, "LC_ALL=C");
	char *ccache = ccache_dir();
	char *state = xasprintf("%s/distcc", cache_dir());
	char *dlog = xasprintf("%s/" DISTCC_LOG, kb->builddir);
	compilers_env(kb->compilers, ccache, state, dlog, &env);
	free(ccache);
	free(state);
	free(dlog);
	/* What the user's environment says to Kbuild would end up in the
	 * image but not in its name (image_key): it does not get through. */
	static const char *const unset[] = {
		"LOCALVERSION", "KCFLAGS", "KCPPFLAGS", "KAFLAGS", "KRUSTFLAGS", "LLVM", "LLVM_IAS",
		"ARCH", "CROSS_COMPILE", "KBUILD_OUTPUT", "KCONFIG_CONFIG", "KBUILD_EXTRA_SYMBOLS",
		"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "GNUMAKEFLAGS", "CCACHE_PREFIX", "CCACHE_NODIRECT",
		"CCACHE_NOHASHDIR", "CCACHE_BASEDIR", "CCACHE_SLOPPINESS", "CCACHE_CONFIGPATH",
		"CCACHE_REMOTE_STORAGE", "CCACHE_REMOTE_ONLY", "CCACHE_RESHARE", "CCACHE_DEPEND",
		"CCACHE_NODEPEND", "CCACHE_DIRECT", "DISTCC_HOSTS",
		"DISTCC_FALLBACK", NULL
	};
	struct child_process cp = { .argv = argv, .env = (const char *const *)env.v, .unset = unset, .out_path = kb->log,
				    .timeout_ms = timeout_ms };
	int st = child_run(&cp);
	/* Only a make that succeeded surely leaves a consistent tree: one
	 * that failed may have failed on a full disk, mid-write. The next
	 * make repairs what this one wrote (kbuild_repair), from ccache. */
	if (st == 0 && !interrupted)
		unlink(stamp);
	else if (st > 0 && st < 128 && !interrupted)
		mark_failed(stamp);
	free(stamp);
	free(odir);
	free(jobs);
	sv_clear(&env);
	return st;
}

static int apply_fragments(const char *cfg, const char *const *fragments, struct strbuf *err)
{
	for (int i = 0; fragments[i]; i++)
		if (config_append(cfg, fragments[i]) < 0) {
			sb_addf(err, "cannot apply %s to %s: %s", fragments[i], cfg, strerror(errno));
			return -1;
		}
	return 0;
}

int kbuild_base_config(struct kbuild *kb, const char *base, const char *const *fragments,
		       const char *out, struct strbuf *err)
{
	char *cfg = xasprintf("%s/.config", kb->builddir);
	int st = 0;
	unlink(kb->log);
	kbuild_repair(kb->builddir);
	if (!strcmp(base, "microvm")) {
		st = make(kb, "tinyconfig", 600000);
		if (!st && apply_fragments(cfg, fragments, err) < 0) {
			free(cfg);
			return -1;
		}
	} else if (!strcmp(base, "defconfig")) {
		st = make(kb, "x86_64_defconfig", 600000);
		if (!st)
			st = make(kb, "kvm_guest.config", 600000);
		/* The machine's own fragment only: the defconfig has the rest. */
		if (!st && fragments[0] && apply_fragments(cfg, fragments + 1, err) < 0) {
			free(cfg);
			return -1;
		}
	} else {
		struct config c = CONFIG_INIT;
		if (config_read(base, &c) < 0) {
			sb_addf(err, "kernel base '%s' is neither microvm, defconfig nor a readable file", base);
			free(cfg);
			return -1;
		}
		int empty = c.lines.n == 0;
		config_release(&c);
		if (empty) {
			sb_addf(err, "kernel base file %s has no CONFIG_ lines: not a kernel .config", base);
			free(cfg);
			return -1;
		}
		if (copy_file(base, cfg) < 0)
			st = -1;
	}
	if (!st)
		st = make(kb, "olddefconfig", 600000);
	if (!st && copy_file(cfg, out) < 0) {
		if (errno == ENOSPC || errno == EDQUOT || disk_full(out))
			sb_addf(err, "no space left on %s while writing %s", mount_of(out), out);
		else
			sb_addf(err, "cannot write %s: %s", out, strerror(errno));
		free(cfg);
		return -1;
	}
	if (st) {
		if (disk_full(kb->builddir) || disk_full(kb->log))
			sb_addf(err, "no space left on %s while making the %s base config in %s",
				mount_of(kb->builddir), base, kb->builddir);
		else
			sb_addf(err, "could not make the %s base config (status %d, see %s)", base, st,
				kb->log);
		free(cfg);
		return -1;
	}
	free(cfg);
	return 0;
}

/* Whether a failed make failed for the host's reasons, not the config's:
 * it could not start, was killed from outside (the OOM killer), or the
 * disk is full. Such a failure is no verdict on the config. */
static int host_fault(struct kbuild *kb, int st)
{
	struct strbuf log = STRBUF_INIT;
	int fault = 1;
	if (st == CHILD_SPAWN_FAILED || st == -1)
		snprintf(kb->fault, sizeof(kb->fault), "cannot run make or write the build directory %s",
			 kb->builddir);
	else if (st >= 128)
		snprintf(kb->fault, sizeof(kb->fault), "make was killed by signal %d (not by reduce)",
			 st - 128);
	else if ((read_file(kb->log, &log) == 0 && strstr(log.buf, "No space left on device")) ||
		 disk_full(kb->builddir))
		snprintf(kb->fault, sizeof(kb->fault), "no space left on %s while building in %s",
			 mount_of(kb->builddir), kb->builddir);
	else if (log.buf && (strstr(log.buf, "Killed signal terminated program") ||
			     strstr(log.buf, "virtual memory exhausted") ||
			     strstr(log.buf, "Cannot allocate memory") ||
			     strstr(log.buf, "Resource temporarily unavailable") ||
			     /* A recipe killed by a signal: make says Error 128+N. */
			     strstr(log.buf, "] Error 13") || strstr(log.buf, "] Error 14")))
		snprintf(kb->fault, sizeof(kb->fault), "a build tool was killed or ran out of memory or "
			 "processes (see %s)", kb->log);
	else
		fault = 0;
	sb_release(&log);
	return fault;
}

/* The vmlinux that PVH loaders boot (QEMU's -kernel, Firecracker, Cloud
 * Hypervisor), without its symbol tables: strip keeps the allocated
 * sections, and with them the notes that carry the PVH entry point. */
static int strip_vmlinux(struct kbuild *kb, int timeout_ms)
{
	char *in = xasprintf("%s/vmlinux", kb->builddir);
	char *out = xasprintf("%s/" STRIPPED_VMLINUX, kb->builddir);
	const char *argv[] = { "strip", "--strip-all", "-o", out, in, NULL };
	struct child_process cp = { .argv = argv, .out_path = kb->log, .timeout_ms = timeout_ms };
	unlink(out);
	int st = child_run(&cp);
	free(in);
	free(out);
	return st;
}

int kbuild_build(struct kbuild *kb, const char *config, int timeout_ms)
{
	char *cfg = xasprintf("%s/.config", kb->builddir);
	unlink(kb->log);
	kb->fault[0] = '\0';
	kbuild_repair(kb->builddir);
	int st = copy_file(config, cfg) < 0 ? -1 : 0;
	/* olddefconfig without a .config would quietly build the defaults. */
	if (!st && !file_exists(cfg))
		st = -1;
	free(cfg);
	char *ccache = ccache_dir();
	struct compile_counts before, after;
	int counted = compile_counts_read(ccache, &before) == 0;
	char *dlog = xasprintf("%s/" DISTCC_LOG, kb->builddir);
	unlink(dlog);
	long long t0 = now_ms();
	if (!st)
		st = make(kb, "olddefconfig", timeout_ms);
	if (!st)
		st = make(kb, "bzImage", timeout_ms);
	kb->build_ms += now_ms() - t0;
	if (counted && compile_counts_read(ccache, &after) == 0) {
		compile_distcc_counts(dlog, &after.distributed, &after.fell_back);
		compile_counts_add_delta(&kb->counts, &before, &after);
		/* ccache goes on without a remote that does not answer, and
		 * says so only in its own log: once a run, the user hears it. */
		static int warned;
		if (kb->compilers && kb->compilers->remote && after.remote_errors > before.remote_errors &&
		    !warned++)
			warning("the ccache remote storage (REDUCE_CCACHE_REMOTE) did not answer "
				"(%lld errors): compiling without it",
				after.remote_errors - before.remote_errors);
	}
	free(ccache);
	free(dlog);
	if (st == CHILD_TIMEOUT)
		return CHILD_TIMEOUT;
	/* The config built: a strip that fails is the host's trouble. */
	if (!st && (st = strip_vmlinux(kb, timeout_ms)) != 0) {
		snprintf(kb->fault, sizeof(kb->fault), "strip of %s/vmlinux failed (status %d, see %s)",
			 kb->builddir, st, kb->log);
		return KBUILD_HOST_FAULT;
	}
	if (st && !interrupted && host_fault(kb, st))
		return KBUILD_HOST_FAULT;
	return st ? -1 : 0;
}

char *kbuild_image(const struct kbuild *kb, enum kimage which)
{
	return which == KIMAGE_VMLINUX ? xasprintf("%s/" STRIPPED_VMLINUX, kb->builddir)
				       : xasprintf("%s/arch/x86/boot/bzImage", kb->builddir);
}

static const char *const kimage_suffix[] = { [KIMAGE_BZIMAGE] = "bzImage",
					     [KIMAGE_VMLINUX] = "vmlinux" };

char *kbuild_copy_images(const struct kbuild *kb, const char *dir)
{
	for (int i = 0; i < KIMAGES; i++) {
		char *built = kbuild_image(kb, (enum kimage)i);
		char *image = xasprintf("%s/%s", dir, kimage_suffix[i]);
		int st = copy_file(built, image);
		free(built);
		if (st < 0)
			return image;
		free(image);
	}
	return NULL;
}

int kbuild_image_for(struct kbuild *kb, const char *config, const char *const out[KIMAGES],
		     unsigned need, int timeout_ms)
{
	char hash[41];
	if (config_file_hash(config, hash) < 0) {
		snprintf(kb->fault, sizeof(kb->fault), "cannot read %s: %s", config, strerror(errno));
		return KBUILD_HOST_FAULT;
	}
	/* v3: named by the config, the source's version and the build's
	 * date. (v2 images were named by the config alone; v1 images may have
	 * been built from the defaults after a make cut short.) Each build
	 * leaves both forms: a v3 entry made before vmlinux was kept has its
	 * bzImage alone, and a run that wants the vmlinux builds again. */
	char key[41];
	image_key(kb, hash, key);
	char *dir = xasprintf("%s/kernels/v3/%.2s", cache_dir(), key);
	char *cached[KIMAGES];
	int hit = 1;
	for (int i = 0; i < KIMAGES; i++) {
		cached[i] = xasprintf("%s/%s.%s", dir, key + 2, kimage_suffix[i]);
		if (out[i] && (need & 1u << i) && !file_exists(cached[i]))
			hit = 0;
	}
	/* A form not needed is copied if the cache has it, and otherwise
	 * removed: a file left from another config would be a lie. */
	for (int i = 0; hit && i < KIMAGES; i++)
		if (out[i] && copy_file(cached[i], out[i]) < 0) {
			if (need & 1u << i)
				hit = 0;
			else
				unlink(out[i]);
		}
	int ret;
	if (hit) {
		/* Its time says when a run last used it (reduce cache --prune). */
		for (int i = 0; i < KIMAGES; i++)
			if (out[i])
				utimensat(AT_FDCWD, cached[i], NULL, 0);
		ret = 1;
	} else {
		ret = kbuild_build(kb, config, timeout_ms);
		for (int i = 0; ret == 0 && i < KIMAGES; i++) {
			char *built = kbuild_image(kb, (enum kimage)i);
			if (out[i] && copy_file(built, out[i]) < 0) {
				snprintf(kb->fault, sizeof(kb->fault), "cannot write %s: %s", out[i],
					 strerror(errno));
				ret = KBUILD_HOST_FAULT;
			} else if (mkdir_p(dir) == 0) {
				copy_file_durable(built, cached[i]);
			}
			free(built);
		}
	}
	free(dir);
	for (int i = 0; i < KIMAGES; i++)
		free(cached[i]);
	return ret;
}

/* nftw has no user pointer. */
static struct {
	char *const *names;
	int *order;             /* indices of names, sorted by name */
	int n, *counts, objects;
	unsigned char *seen;
} deps;

static int by_name(const void *a, const void *b)
{
	return strcmp(deps.names[*(const int *)a], deps.names[*(const int *)b]);
}

static int find_name(const char *sym, size_t len)
{
	int lo = 0, hi = deps.n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const char *m = deps.names[deps.order[mid]];
		int c = strncmp(m, sym, len);
		if (!c)
			c = m[len] ? 1 : 0;
		if (!c)
			return deps.order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The next option of `deps.names` that `text` names right after
 * `prefix` (include/config/X in a .cmd file, CONFIG_X in a Makefile),
 * or -1 when there is none; *text moves past it. */
static int next_named(const char **text, const char *prefix)
{
	size_t pl = strlen(prefix);
	while (*text && (*text = strstr(*text, prefix))) {
		*text += pl;
		size_t l = strspn(*text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		int i = find_name(*text, l);
		*text += l;
		if (i >= 0)
			return i;
	}
	return -1;
}

static int count_cmd_file(const char *path, const struct stat *st, int type, struct FTW *f)
{
	size_t len = strlen(path);
	if (type != FTW_F || len < 6 || strcmp(path + len - 6, ".o.cmd"))
		return 0;
	struct strbuf sb = STRBUF_INIT;
	if (read_file(path, &sb) < 0)
		return 0;
	deps.objects++;
	memset(deps.seen, 0, deps.n);
	const char *p = sb.buf;
	for (int i; (i = next_named(&p, "include/config/")) >= 0; )
		if (!deps.seen[i]) {
			deps.seen[i] = 1;
			deps.counts[i]++;
		}
	sb_release(&sb);
	return 0;
}

/* The Makefiles that make every object's command line: an option they
 * name (CONFIG_WERROR adds -Werror, CONFIG_STACKPROTECTOR a -fstack-
 * protector flag...) recompiles everything when it flips, though no
 * object's .cmd names include/config/ for it. */
static const char *const global_makefiles[] = {
	"Makefile", "arch/x86/Makefile", "scripts/Makefile.build", "scripts/Makefile.lib",
	"scripts/Makefile.extrawarn", "scripts/Makefile.compiler", "scripts/Makefile.debug",
	"scripts/Makefile.kasan", "scripts/Makefile.kcsan", "scripts/Makefile.kmsan",
	"scripts/Makefile.ubsan", "scripts/Makefile.kcov", "scripts/Makefile.gcc-plugins",
	"scripts/Makefile.randstruct", NULL
};

static void count_global_makefiles(const char *srctree)
{
	for (int f = 0; global_makefiles[f]; f++) {
		char *path = xasprintf("%s/%s", srctree, global_makefiles[f]);
		struct strbuf sb = STRBUF_INIT;
		const char *p = read_file(path, &sb) == 0 ? sb.buf : NULL;
		for (int i; (i = next_named(&p, "CONFIG_")) >= 0; )
			deps.counts[i] = deps.objects;
		sb_release(&sb);
		free(path);
	}
}

/* Sets `deps` up to count into `counts` (zeroed) by name (find_name);
 * deps_end() frees what it took. */
static void deps_begin(char *const *names, int n, int *counts)
{
	deps.names = names;
	deps.n = n;
	deps.counts = counts;
	deps.objects = 0;
	deps.order = xmalloc((n + 1) * sizeof(int));
	deps.seen = xmalloc(n + 1);
	for (int i = 0; i < n; i++) {
		deps.order[i] = i;
		counts[i] = 0;
	}
	qsort(deps.order, n, sizeof(int), by_name);
}

static void deps_end(void)
{
	free(deps.order);
	free(deps.seen);
}

int kbuild_dependents(const struct kbuild *kb, char *const *names, int n, int *counts)
{
	deps_begin(names, n, counts);
	nftw(kb->builddir, count_cmd_file, 16, FTW_PHYS);
	if (kb->srctree && deps.objects)
		count_global_makefiles(kb->srctree);
	deps_end();
	return deps.objects;
}

/* Where the counts of a complete build of `config` are kept: named as
 * its images are (image_key). v1: what kbuild_dependents() counts. */
static char *dependents_path(const struct kbuild *kb, const char *config)
{
	char hash[41], key[41];
	if (config_file_hash(config, hash) < 0)
		return NULL;
	image_key(kb, hash, key);
	return xasprintf("%s/kernels/deps-v1/%.2s/%s.tsv", cache_dir(), key, key + 2);
}

int kbuild_known_dependents(const struct kbuild *kb, const char *config, char *const *names,
			    int n, int *counts)
{
	char *path = dependents_path(kb, config);
	struct strbuf sb = STRBUF_INIT;
	int objects = -1;
	if (!path || read_file(path, &sb) < 0)
		goto out;
	deps_begin(names, n, counts);
	/* "objects N", then "NAME COUNT" for each option some object names.
	 * Anything else (a file cut short, another version's) is no answer:
	 * the caller builds and counts again. */
	char *line = sb.buf, *end;
	int ok = sscanf(line, "objects %d\n", &objects) == 1 && objects > 0;
	while (ok && (end = strchr(line, '\n')) && *(line = end + 1)) {
		char name[128];
		int c, i;
		ok = sscanf(line, "%127[A-Z0-9_] %d\n", name, &c) == 2 && c > 0 && c <= objects;
		if (ok && (i = find_name(name, strlen(name))) >= 0)
			counts[i] = c;
	}
	deps_end();
	if (!ok)
		objects = -1;
	else
		utimensat(AT_FDCWD, path, NULL, 0);
out:
	sb_release(&sb);
	free(path);
	return objects;
}

void kbuild_keep_dependents(const struct kbuild *kb, const char *config, char *const *names,
			    int n, const int *counts, int objects)
{
	char *path = dependents_path(kb, config);
	if (!path || objects <= 0) {
		free(path);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "objects %d\n", objects);
	for (int i = 0; i < n; i++)
		if (counts[i] > 0)
			sb_addf(&sb, "%s %d\n", names[i], counts[i]);
	char *dir = xstrndup(path, strrchr(path, '/') - path);
	/* Lost, it costs the next run one build of the base: no error. */
	if (mkdir_p(dir) == 0)
		write_file_atomic(path, sb.buf, sb.len);
	free(dir);
	sb_release(&sb);
	free(path);
}

void kbuild_close(struct kbuild *kb)
{
	/* A directory made because another run held the shared one is only
	 * this run's: hundreds of MB that no later run would find warm. */
	/* Its lock file stays: unlinked while held, a run that opened it
	 * before would lock a deleted file while another locks a new one. */
	if (kb->temporary && kb->lock_fd > 0)
		rm_rf(kb->builddir);
	if (kb->lock_fd > 0)
		close(kb->lock_fd);
	kb->lock_fd = 0;
}
