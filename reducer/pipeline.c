#define _GNU_SOURCE
/* The stages of one run: stage the rootfs, build and test the baseline,
 * search the rootfs tree, then the kernel tree, verify the result and
 * write the run directory. The run's state lives here; the oracles
 * (oracle.c) get only the parts they test with. */
#include "pipeline.h"
#include "candlog.h"
#include "config.h"
#include "elf.h"
#include "firecracker.h"
#include "initramfs.h"
#include "kbuild.h"
#include "kconfig.h"
#include "memo.h"
#include "minmem.h"
#include "needs.h"
#include "observe.h"
#include "oci.h"
#include "oracle.h"
#include "profile.h"
#include "report.h"
#include "rootfs.h"
#include "stage.h"
#include "trial.h"
#include "vm.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct run {
	const struct options *o;
	const char *root;
	struct profile prof;
	char *partial;          /* the run directory while it is written */
	char *final;            /* its name once complete */
	char *init_bin, *init_observe, *tests_abs, *stage, *srctree, *base_config;
	char source_version[64]; /* the kernel source's, e.g. 6.1.192 */
	int hint_files;         /* the hint is a run of this app: its file list applies */

	struct rootfs rf;
	unsigned char *rf_removed; /* the rootfs search's state */
	int xz_x86;             /* the base kernel decodes xz's x86 filter */
	struct kbuild kb;
	int builds;             /* of the pipeline's own: the baseline, the result */
	char *kernel_files[KIMAGES]; /* the run directory's bzImage and vmlinux */
	enum kimage form;       /* the one the machine boots (cur.kernel) */

	struct vm_config vmc;
	struct trial trial;
	struct memo memo;
	struct candlog log;
	char tests_hash[41];
	long slowest_ready, slowest_test; /* of the baselines' good trials, ms */
	struct tester tester;
	struct current cur;
	struct kernel_cands kern;
	struct rootfs_cands fs;
	char *cand_initrd;
	/* The baseline image, kept for its min_memory_mib (scratch). */
	char *baseline_kernel, *baseline_initrd;
	long long baseline_unpacked;

	struct report rep;
	uint64_t t0;
	struct stopwatch clock;
};

static struct run *active;
static void check_interrupt(void);

static void enter_stage(struct run *r, enum stage s)
{
	stopwatch_enter(&r->clock, s, now_ms());
}

static char *wpath(struct run *r, const char *name)
{
	return xasprintf("%s/%s", r->partial, name);
}

static int total_builds(const struct run *r)
{
	return r->builds + r->kern.builds;
}

static void fmt_elapsed(uint64_t ms, char *buf, size_t n)
{
	unsigned long s = ms / 1000;
	snprintf(buf, n, "%lum%02lus", s / 60, s % 60);
}

/* A progress line after each tested candidate (search_opts.progress). */
static void progress(void *ctx, const struct search_stats *st, int remaining, int total)
{
	struct run *r = ctx;
	char el[32], kernel[48];
	if (r->o->quiet)
		return;
	fmt_elapsed(now_ms() - r->t0, el, sizeof(el));
	if (r->cur.kernel_stale)
		snprintf(kernel, sizeof(kernel), "not built yet (passes from the memo)");
	else
		snprintf(kernel, sizeof(kernel), "%lld B", file_size(r->cur.kernel));
	fprintf(stderr, "%s: [%s] candidate %d: accepted %d, rejected %d, %d of %d items remain; "
		"kernel %s, initramfs %lld B%s; %s\n",
		progname, r->log.phase, st->tested, st->accepted, st->tested - st->accepted, remaining,
		total, kernel, file_size(r->cur.initrd),
		r->cur.initrd_raw ? " (cpio, uncompressed)" : "", el);
}

/* The log of what a stopped run tried outlives its run directory: it
 * is the one record of an hour of builds. Returns where it went. */
static char *keep_candidates(struct run *r)
{
	if (!r->partial || !r->log.n)
		return NULL;
	candlog_flush(&r->log);
	char *from = wpath(r, "candidates.tsv");
	char *to = xasprintf("%s.stopped-candidates.tsv", r->final);
	if (rename(from, to) < 0) {
		free(to);
		to = NULL;
	}
	free(from);
	return to;
}

static void cleanup_partial(void)
{
	child_kill_all();
	child_wait_all(5000);
	if (active)
		kbuild_close(&active->kb);
	char *kept = active ? keep_candidates(active) : NULL;
	if (active && active->partial)
		rm_rf(active->partial);
	/* A child killed by Ctrl-C looks like a failure to whoever waited
	 * for it; the run ends as interrupted all the same. */
	if (interrupted) {
		/* What the stopped run spent is said once here, since no report
		 * will: a benchmark resumed from the memo adds it to the rest. */
		if (active)
			fprintf(stderr, "%s: interrupted after %llu s, %d builds, %d boots, %d candidates; "
				"QEMU stopped, no report written (verdicts are kept: run again to resume)%s%s\n",
				progname, (unsigned long long)((now_ms() - active->t0) / 1000),
				total_builds(active), active->trial.boots, active->log.n,
				kept ? "; candidates tried: " : "", kept ? kept : "");
		else
			fprintf(stderr, "%s: interrupted; QEMU stopped, no report written\n", progname);
		exit(EXIT_INTERRUPT);
	}
	if (kept)
		fprintf(stderr, "%s: the candidates tried before the error are in %s\n", progname, kept);
	free(kept);
}

static void check_interrupt(void)
{
	if (interrupted)
		cleanup_partial();
}

static int count_enabled(const char *path)
{
	struct config c = CONFIG_INIT;
	config_load(path, &c);
	int n = config_count_enabled(&c);
	config_release(&c);
	return n;
}

/* Writes the rootfs without the removed nodes to path, as a plain cpio or
 * with xz; hash and raw_bytes (if not NULL) get its hash and cpio size. */
static void write_initrd(struct run *r, const char *path, int xz, char hash[41],
			 long long *raw_bytes)
{
	struct initramfs im;
	unsigned char *incl = xmalloc(r->rf.n + 1);
	rootfs_included(&r->rf, r->rf_removed, incl);
	if (initramfs_pack(&im, &r->rf, incl, xz, r->xz_x86) < 0)
		die("cannot read the staged root filesystem %s", r->rf.root);
	if (initramfs_write(&im, path) < 0) {
		check_interrupt();
		die_writing(path);
	}
	memcpy(hash, im.hash, 41);
	if (raw_bytes)
		*raw_bytes = im.cpio.len;
	initramfs_release(&im);
	free(incl);
}

/* Replaces a staged file's bytes, keeping its mode. */
static void swap_staged(const char *path, const struct strbuf *data)
{
	struct stat st;
	if (stat(path, &st) < 0)
		die("cannot read %s", path);
	if (write_file_atomic(path, data->buf, data->len) < 0 || chmod(path, st.st_mode & 07777) < 0)
		die_writing(path);
}

/* Packs the included entries as a plain cpio at img, with a line added to
 * /init.conf, or another init as /init, or both (the staged files are
 * put back at once). Returns its size. */
static long long pack_variant(struct run *r, const char *conf_line, const char *init,
			      const unsigned char *incl, const char *img)
{
	char *conf = xasprintf("%s/init.conf", r->rf.root), *ini = xasprintf("%s/init", r->rf.root);
	struct strbuf conf_orig = STRBUF_INIT, init_orig = STRBUF_INIT, tmp = STRBUF_INIT;
	if (conf_line) {
		if (read_file(conf, &conf_orig) < 0)
			die("cannot read %s", conf);
		sb_add(&tmp, conf_orig.buf, conf_orig.len);
		sb_adds(&tmp, conf_line);
		swap_staged(conf, &tmp);
		sb_release(&tmp);
	}
	if (init) {
		if (read_file(ini, &init_orig) < 0 || read_file(init, &tmp) < 0)
			die("cannot read %s or %s", ini, init);
		swap_staged(ini, &tmp);
		sb_release(&tmp);
	}
	struct initramfs im;
	if (initramfs_pack(&im, &r->rf, incl, 0, 0) < 0)
		die("cannot read the staged root filesystem %s", r->rf.root);
	if (conf_line)
		swap_staged(conf, &conf_orig);
	if (init)
		swap_staged(ini, &init_orig);
	if (initramfs_write(&im, img) < 0)
		die_writing(img);
	long long bytes = (long long)im.cpio.len;
	initramfs_release(&im);
	free(conf);
	free(ini);
	sb_release(&conf_orig);
	sb_release(&init_orig);
	return bytes;
}

/* Tests that pass on an image without the app would let the search strip
 * everything, so they are run once against one: the app's binary left
 * out and init told to start nothing. They must fail. */
static void negative_control(struct run *r)
{
	/* The app's binary is kept by the static pass, so it is left out of
	 * the included entries directly rather than through the tree. */
	size_t len = strcspn(r->prof.cmd, " ");
	int app = -1;
	unsigned char *incl = xmalloc(r->rf.n + 1);
	rootfs_included(&r->rf, NULL, incl);
	for (int i = 0; i < r->rf.n; i++)
		if (strlen(r->rf.path[i]) == len - 1 && !strncmp(r->rf.path[i], r->prof.cmd + 1, len - 1))
			app = i;
	if (app < 0)
		die("%s is not in the staged root filesystem", r->prof.cmd);
	incl[app] = 0;
	char *img = wpath(r, "negative.initramfs.cpio");
	long long bytes = pack_variant(r, "noapp 1\n", NULL, incl, img);
	struct trial_result res;
	struct boot_image bi = { r->cur.kernel, img, bytes, bytes };
	enum verdict v = trial_run(&r->trial, &bi, &res);
	unlink(img);
	check_interrupt();
	if (v == V_HOST)
		die("the negative control could not be run: %s", res.why);
	if (v == V_PASS)
		die_usage("the tests pass on an image without the app (negative control): "
			  "they would let the reducer strip everything; make them check the app");
	info("negative control: with /%s left out and nothing started, the tests fail (%s), as they should",
	     r->rf.path[app], res.why);
	free(incl);
	free(img);
}

/* One boot of the whole tree with init watching it: the entries that
 * neither the app nor the tests touched are the rootfs search's first
 * guess, tried all at once. In a distribution's tree that is nearly all
 * of it, which group testing alone would find a few entries per boot.
 * NULL when the boot did not pass: the search goes on without a guess. */
static unsigned char *observe_tree(struct run *r)
{
	unsigned char *incl = xmalloc(r->rf.n + 1);
	rootfs_included(&r->rf, NULL, incl);
	char *img = wpath(r, "observe.initramfs.cpio");
	long long bytes = pack_variant(r, NULL, r->init_observe, incl, img);
	struct trial_result res;
	struct boot_image bi = { r->cur.kernel, img, bytes, bytes };
	r->trial.observe = 1;
	enum verdict v = trial_run(&r->trial, &bi, &res);
	r->trial.observe = 0;
	unlink(img);
	free(img);
	free(incl);
	check_interrupt();
	if (v == V_HOST)
		die("the observing boot could not be run: %s", res.why);
	if (v != V_PASS || !res.observed) {
		warning("observe: %s; the search goes on without a first guess",
			v != V_PASS ? res.why : "init did not finish looking at the tree after the tests");
		return NULL;
	}
	struct strbuf con = STRBUF_INIT;
	if (read_file(r->vmc.console_log, &con) < 0)
		die("cannot read %s", r->vmc.console_log);
	struct strbuf why = STRBUF_INIT;
	if (observe_failed(con.buf ? con.buf : "", con.len, &why)) {
		warning("observe: init says: %s; the search goes on without a first guess",
			why.buf ? why.buf : "");
		sb_release(&why);
		sb_release(&con);
		return NULL;
	}
	int touched, untouched = 0;
	unsigned char *cand = observe_untouched(&r->rf, con.buf ? con.buf : "", con.len, &touched);
	sb_release(&con);
	for (int i = 0; i < r->rf.n; i++)
		untouched += r->rf.node[i] >= 0 && cand[r->rf.node[i]];
	r->rep.files_touched = touched;
	info("observe: the app and its tests touched %d of %d entries; the %d removable ones they did "
	     "not touch are tried first, all at once (then in halves if that fails)", touched, r->rf.n,
	     untouched);
	return cand;
}

static void add_stats(struct run *r, const struct search_stats *st)
{
	r->rep.tested += st->tested;
	r->rep.accepted += st->accepted;
	r->rep.nochange += st->nochange;
	for (int i = 0; i < V_COUNT; i++)
		r->rep.rejected[i] += st->rejected[i];
	r->rep.stopped_early |= st->stopped_early;
}

static void setup_dirs(struct run *r)
{
	const struct options *o = r->o;
	char id[32];
	time_t now = time(NULL);
	strftime(id, sizeof(id), "%Y%m%d-%H%M%S", gmtime(&now));
	if (o->out)
		r->final = xstrdup(o->out);
	else
		r->final = xasprintf("%s/reports/%s/%s", r->root, r->prof.name, id);
	if (file_exists(r->final))
		die_usage("output directory %s already exists", r->final);
	r->partial = xasprintf("%s.partial", r->final);
	rm_rf(r->partial);
	if (mkdir_p(r->partial) < 0)
		die("cannot create %s: %s", r->partial, strerror(errno));
}

/* A kernel reduced for microvm has what Firecracker's guests need too
 * (virtio-mmio devices named on the command line, a PVH vmlinux): the
 * same image, the same least memory. Not booted here: Firecracker needs
 * KVM. The guest's init addresses itself as QEMU's user network does
 * (10.0.2.15 via 10.0.2.2): docs/machines.md says how to set up tap0. */
static void write_firecracker(struct run *r)
{
	struct strbuf err = STRBUF_INIT;
	char *args = xasprintf("%s reboot=k", vm_boot_args(VM_MICROVM));
	struct firecracker_vm fc = {
		.kernel = "vmlinux", .initrd = "initramfs.cpio.xz", .boot_args = args,
		.mem_size_mib = r->rep.min_memory_mib.after > 0 ? (int)r->rep.min_memory_mib.after
								 : r->prof.memory_mb,
		.vcpu_count = 1, .host_dev_name = "tap0", .guest_mac = "06:00:0a:00:02:0f",
	};
	char *p = wpath(r, "firecracker.json");
	if (firecracker_write(&fc, p, &err) < 0)
		die("%s", err.buf);
	free(p);
	free(args);
	sb_release(&err);
}

static void write_outputs(struct run *r)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;
	report_json(&r->rep, &sb);
	p = wpath(r, "report.json");
	if (write_file_atomic(p, sb.buf, sb.len) < 0)
		die_writing(p);
	free(p);
	sb.len = 0;
	report_markdown(&r->rep, &sb);
	p = wpath(r, "report.md");
	if (write_file_atomic(p, sb.buf, sb.len) < 0)
		die_writing(p);
	free(p);
	sb_release(&sb);
	if (r->o->machine == VM_MICROVM)
		write_firecracker(r);

	/* Only now does the run directory appear under its final name. */
	if (rename(r->partial, r->final) < 0)
		die("cannot rename %s to %s: %s", r->partial, r->final, strerror(errno));
	free(r->partial);
	r->partial = NULL;
	if (!r->o->out) {
		char *latest = xasprintf("%s/reports/%s/latest", r->root, r->prof.name);
		char *tmp = xasprintf("%s.tmp", latest);
		const char *base = strrchr(r->final, '/') + 1;
		unlink(tmp);
		if (symlink(base, tmp) < 0 || rename(tmp, latest) < 0)
			warning("cannot point %s at %s", latest, base);
		free(latest);
		free(tmp);
	}
}

/* A --hint must be a run directory; a run of another app lends its
 * kernel config only: its files are another tree, whose list would
 * remove nearly everything and cost a long ddmin to undo. */
static void check_hint(struct run *r, const char *app)
{
	const char *hint = r->o->hint;
	char *hk = xasprintf("%s/kernel.config", hint);
	char *hm = xasprintf("%s/rootfs.manifest", hint);
	char *hj = xasprintf("%s/report.json", hint);
	struct strbuf err = STRBUF_INIT;
	struct report_doc rep;
	if (!file_exists(hk) || !file_exists(hm) || !file_exists(hj))
		die_usage("hint %s is not a run directory (it needs kernel.config, rootfs.manifest and report.json)",
			  hint);
	if (report_load(hj, &rep, &err) < 0)
		die_usage("hint %s: %s: %s", hint, hj, err.buf);
	const char *their = report_string(&rep, "app");
	r->hint_files = their && !strcmp(their, app);
	if (!r->hint_files && !r->o->only_kernel)
		info("hint: %s is a run of another app; only its kernel config applies", hint);
	report_doc_release(&rep);
	sb_release(&err);
	free(hj);
	free(hk);
	free(hm);
}

/* An image's config gives the defaults the profile does not set: the
 * command (Entrypoint, then Cmd), the environment, the working
 * directory, the user and the ports. */
static void apply_image(struct run *r)
{
	struct profile *p = &r->prof;
	if (!profile_is_image(p))
		return;
	struct strbuf err = STRBUF_INIT;
	char *layout;
	struct oci_image img;
	if (oci_open_kind(p->rootfs, p->rootfs_src, &img, &layout, &err) < 0)
		die_usage("%s", err.buf);
	const char *tag = img.tag;
	/* What the profile sets is taken instead: only what is used must be
	 * something init.conf's lines can carry. */
	if (!p->cmd) {
		if (img.cmd_error)
			die_usage("%s: %s", layout, img.cmd_error);
		if (!img.cmd || !*img.cmd)
			die_usage("%s: the image has no Entrypoint or Cmd, and %s no cmd line", layout, p->path);
		p->cmd = xstrdup(img.cmd);
	}
	for (size_t i = 0; i < img.env.n; i++) {
		size_t n = strcspn(img.env.v[i], "=") + 1;
		int set = 0;
		for (size_t j = 0; j < p->env.n; j++)
			set |= !strncmp(p->env.v[j], img.env.v[i], n);
		if (!set && strchr(img.env.v[i], '\n'))
			die_usage("%s: the image's Env has %.*s with a newline, which init cannot pass", layout,
				  (int)n - 1, img.env.v[i]);
		if (!set)
			sv_push(&p->env, img.env.v[i]);
	}
	if (img.workdir && !p->workdir) {
		if (strchr(img.workdir, '\n'))
			die_usage("%s: the image's WorkingDir holds a newline, which init cannot pass", layout);
		p->workdir = xstrdup(img.workdir);
	}
	if (img.user && !p->user) {
		if (strchr(img.user, '\n'))
			die_usage("%s: the image's User holds a newline, which init cannot pass", layout);
		p->user = xstrdup(img.user);
	}
	for (int i = 0; !p->nports && i < img.nports; i++)
		p->ports[i] = img.ports[i];
	if (!p->nports)
		p->nports = img.nports;
	/* By its directory's name: the report travels, the path does not. */
	const char *base = strrchr(layout, '/') && strrchr(layout, '/')[1] ? strrchr(layout, '/') + 1 : layout;
	r->rep.image = xasprintf("%s%s%s", base, tag ? ":" : "", tag ? tag : "");
	r->rep.image_digest = xstrdup(img.digest);
	info("image %s (%s): %zu layer%s, command %s", r->rep.image, img.digest, img.layers.n,
	     img.layers.n == 1 ? "" : "s", p->cmd);
	oci_release(&img);
	free(layout);
}

/* --image oci:DIR[:TAG] or docker-archive:FILE[:TAG] without a profile:
 * the image says it all; the app is named after its directory or file
 * (and tag). */
static void image_profile(struct run *r)
{
	const char *spec = r->o->image;
	int docker = !strncmp(spec, "docker-archive:", 15);
	const char *src = docker ? spec + 15 : spec + 4;
	if ((!docker && strncmp(spec, "oci:", 4)) || !*src)
		die_usage("--image takes oci:DIR[:TAG] or docker-archive:FILE[:TAG], not '%s'", spec);
	char *tag, *layout = docker ? oci_docker_split(src, &tag) : oci_split(src, &tag);
	const char *base = strrchr(layout, '/') && strrchr(layout, '/')[1] ? strrchr(layout, '/') + 1 : layout;
	size_t blen = strlen(base);
	if (docker && blen > 4 && !strcmp(base + blen - 4, ".tar"))
		blen -= 4;
	struct strbuf name = STRBUF_INIT;
	for (const char *c = base; c < base + blen; c++)
		sb_add(&name, isalnum((unsigned char)*c) || strchr("-_.", *c) ? c : "-", 1);
	if (tag)
		sb_addf(&name, "-%s", tag);
	for (char *c = name.buf; c && *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c))
			*c = '-';
	if (!name.len || !valid_app_name(name.buf))
		die_usage("--image %s: no app name can be made of it", spec);
	struct stat st;
	if (stat(layout, &st) < 0 || (docker ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)))
		die_usage("--image %s: %s is not a %s", spec, layout, docker ? "file" : "directory");
	profile_init(&r->prof, name.buf, spec);
	free(r->prof.rootfs);
	r->prof.rootfs = xstrdup(docker ? "docker-archive" : "oci");
	r->prof.rootfs_src = xstrdup(src);
	r->prof.memory_mb = 256;
	apply_image(r);
	free(layout);
	free(tag);
	sb_release(&name);
}

/* What the machine needs of a kernel config (needs.c) that `config`
 * lacks, comma-separated into missing; 0 when nothing. */
static int machine_lacks(const char *config, enum vm_machine m, struct strbuf *missing)
{
	struct config c = CONFIG_INIT;
	struct strvec need = STRVEC_INIT;
	if (config_read(config, &c) < 0)
		return 0;
	needs_of_machine(m, &need);
	for (size_t i = 0; i < need.n; i++)
		if (!config_is_y(&c, need.v[i]))
			sb_addf(missing, "%sCONFIG_%s", missing->len ? ", " : "", need.v[i]);
	sv_clear(&need);
	config_release(&c);
	return missing->len > 0;
}

/* Everything a user can get wrong is checked before any long work. */
static void check_inputs(struct run *r)
{
	const struct options *o = r->o;
	struct strbuf err = STRBUF_INIT;
	if (o->image && !o->app) {
		image_profile(r);
		goto tests;
	}
	char *ppath = profile_path(r->root, o->app);
	if (!ppath || !file_exists(ppath)) {
		struct strbuf avail = STRBUF_INIT;
		profile_list(r->root, &avail);
		die_usage("unknown app '%s' (no %s; available: %s)", o->app,
			  ppath ? ppath : "profile", avail.len ? avail.buf : "none");
	}
	char *pname = profile_name(o->app);
	if (profile_parse(ppath, pname, &r->prof, &err) < 0)
		die_usage("%s", err.buf);
	free(ppath);
	free(pname);
	apply_image(r);
tests:
	if (!file_exists(o->tests))
		die_usage("test script %s does not exist", o->tests);
	if (!is_executable(o->tests))
		die_usage("test script %s is not an executable file (chmod +x?)", o->tests);
	if (!kbuild_base_is_named(o->kernel_base) && !file_exists(o->kernel_base))
		die_usage("kernel base '%s' is neither microvm, defconfig nor an existing file",
			  o->kernel_base);
	if (file_exists(o->kernel_base)) {
		struct strbuf missing = STRBUF_INIT;
		if (machine_lacks(o->kernel_base, o->machine, &missing))
			die_usage("kernel base %s lacks what --machine %s needs: %s", o->kernel_base,
				  vm_machine_name(o->machine), missing.buf);
	}
	if (o->hint)
		check_hint(r, r->prof.name);
	r->init_bin = xasprintf("%s/rootfs/init", r->root);
	r->init_observe = xasprintf("%s/rootfs/init-observe", r->root);
	if (!is_executable(r->init_bin))
		die("%s is missing: run 'make' first", r->init_bin);
	if (!is_executable(r->init_observe))
		die("%s is missing: run 'make' first", r->init_observe);
	r->tests_abs = realpath(o->tests, NULL);
}

/* The starting tree, the static pass and the tree of removable entries.
 * First, because it is quick and catches profile mistakes. */
static void stage_rootfs(struct run *r)
{
	struct strbuf err = STRBUF_INIT;
	r->log.phase = "rootfs";
	r->stage = wpath(r, "rootfs");
	struct strvec setid = STRVEC_INIT;
	int rc = rootfs_stage(&r->prof, r->root, r->stage, r->init_bin, &setid, &err);
	if (rc < 0) {
		if (disk_full(r->stage))
			die("no space left on %s while writing %s", mount_of(r->stage), r->stage);
		if (rc == ROOTFS_BAD_INPUT)
			die_usage("%s", err.buf);
		die("%s", err.buf);
	}
	/* The static pass: the app's ELF closure is needed by construction,
	 * so the search never spends a boot on it. */
	char *app_path = xstrndup(r->prof.cmd, strcspn(r->prof.cmd, " "));
	struct strvec closure = STRVEC_INIT;
	if (elf_closure(r->stage, app_path, &closure, &err) < 0)
		die_usage("%s: %s", r->prof.path, err.buf);
	for (size_t i = 0; i < closure.n; i++)
		sv_push(&r->prof.keep, closure.v[i]);
	r->rep.closure_paths = closure.n;
	info("static pass: the ELF closure of %s is %zu paths", app_path, closure.n);
	sv_clear(&closure);
	free(app_path);
	if (rootfs_scan(r->stage, &r->prof, &setid, &r->rf) < 0)
		die("cannot list the staged root filesystem");
	sv_clear(&setid);
	r->rf_removed = xcalloc(r->rf.nnodes + 1, 1);
	info("root filesystem: %d files from the %s base", r->rf.n, r->prof.rootfs);
}

/* A kernel base of the user's that cannot boot on the machine is a bad
 * input; one of the project's is a bug in kernel-configs/. */
static void check_machine_options(const char *config, enum vm_machine m, const char *base)
{
	struct strbuf missing = STRBUF_INIT;
	if (!machine_lacks(config, m, &missing))
		return;
	if (file_exists(base))
		die_usage("kernel base %s lacks what --machine %s needs: %s", base, vm_machine_name(m),
			  missing.buf);
	die("the %s base config lacks what --machine %s needs: %s (see kernel-configs/)", base,
	    vm_machine_name(m), missing.buf);
}

static void build_baseline(struct run *r)
{
	const struct options *o = r->o;
	struct strbuf err = STRBUF_INIT;
	r->log.phase = "kernel";
	if (kernel_source(&r->srctree, &err) < 0)
		die("%s", err.buf);
	if (kbuild_source_version(r->srctree, r->source_version, sizeof(r->source_version)) < 0)
		die("cannot read the version of the kernel source %s", r->srctree);
	r->trial.kernel_source = r->source_version;
	r->rep.kernel_source = r->source_version;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	r->rep.source_date_epoch = sde && *sde ? atoll(sde) : 0;
	char *kname = kbuild_base_dir_name(o->kernel_base,
					   o->machine == VM_PC ? NULL : vm_machine_name(o->machine));
	char *build_log = wpath(r, "logs/build.log");
	if (kbuild_open(&r->kb, r->srctree, kname, build_log, o->compilers) < 0)
		die("cannot set up a kernel build directory");
	char *fragments[] = { xasprintf("%s/kernel-configs/microvm.config", r->root),
			      xasprintf("%s/kernel-configs/machine-%s.config", r->root,
					vm_machine_name(o->machine)), NULL };
	if (kbuild_base_config(&r->kb, o->kernel_base, (const char *const *)fragments, r->base_config,
			       &err) < 0)
		die("%s", err.buf);
	check_machine_options(r->base_config, o->machine, r->o->kernel_base);
	check_interrupt();
	struct config base = CONFIG_INIT;
	config_load(r->base_config, &base);
	info("baseline kernel: %s base, %d options enabled (build directory %s)",
	     o->kernel_base, config_count_enabled(&base), r->kb.builddir);
	int st = kbuild_image_for(&r->kb, r->base_config, (const char *const *)r->kernel_files,
				  1u << r->form, 3600 * 1000);
	r->builds += st == 0;
	check_interrupt();
	if (st == KBUILD_HOST_FAULT)
		die("the baseline kernel could not be built: %s", r->kb.fault);
	if (st < 0) {
		struct strbuf t = STRBUF_INIT;
		tail_file(build_log, 15, &t);
		die("the baseline kernel does not build:\n%s", t.len ? t.buf : "");
	}
	if (copy_file(r->base_config, r->cur.config) < 0)
		die_writing(r->cur.config);
	config_hash(&base, r->cur.config_hash);
	r->xz_x86 = config_is_y(&base, "XZ_DEC_X86");
	config_release(&base);
	free(kname);
	free(build_log);
	free(fragments[0]);
	free(fragments[1]);
}

/* Why a baseline trial failed, with what the tests or the console said. */
static void explain_failure(struct run *r, enum verdict v, const struct trial_result *res,
			    const char *what, struct strbuf *out)
{
	struct strbuf t = STRBUF_INIT;
	if (v == V_TEST || v == V_TIMEOUT) {
		tail_file(r->trial.test_log, 15, &t);
		sb_addf(out, "%s fails its tests (%s); the test script said:\n%s", what, res->why,
			t.len ? t.buf : "(nothing)");
	} else if (v == V_HOST) {
		sb_addf(out, "%s could not be tested: %s%s", what, res->why,
			res->memory_fault ? "; raise `memory` in the profile" : "");
	} else {
		tail_file(r->vmc.console_log, 15, &t);
		if (!t.len)
			tail_file(r->vmc.qemu_log, 5, &t);
		sb_addf(out, "%s does not boot (%s); %s:\n%s", what, res->why,
			file_size(r->vmc.console_log) > 0 ? "console" : "QEMU said",
			t.len ? t.buf : "(nothing)");
	}
	sb_release(&t);
}

/* Means of passing boots; guest_init of those whose init said it. */
struct boot_means {
	long sum_init, sum_ready, sum_guest_init;
	int n, n_guest;
};

static void boot_means_add(struct boot_means *m, const struct trial_result *res)
{
	m->sum_init += res->ms_to_init;
	m->sum_ready += res->ms_to_ready;
	m->n++;
	if (res->guest_ms_at_init >= 0) {
		m->sum_guest_init += res->guest_ms_at_init;
		m->n_guest++;
	}
}

/* The report's split of ms to ready: before the kernel's clock, the
 * kernel, init until ready. The host's clock counts from QEMU's start,
 * the guest's from the kernel's; their difference at init's first line
 * is what came before the kernel. */
static void boot_phases(const struct boot_means *m, long long *loader, long long *kernel,
			long long *init_to_ready)
{
	*loader = *kernel = *init_to_ready = -1;
	if (!m->n)
		return;
	long init = m->sum_init / m->n, ready = m->sum_ready / m->n;
	*init_to_ready = ready - init;
	if (m->n_guest) {
		long guest = m->sum_guest_init / m->n_guest;
		*kernel = guest < init ? guest : init;
		*loader = init - *kernel;
	}
}

/* Boots an image as the search's candidates will be booted, several
 * times: a systematic failure (a guest too small for the unpacked tree, a
 * format the kernel cannot read) shows here once, with a diagnosis,
 * instead of as a rejected candidate each time; and tests whose outcome
 * changes from run to run would make every verdict a coin toss. Returns
 * the mean time to ready of the passes. */
static long test_until_sure(struct run *r, const struct boot_image *img, int runs, const char *what,
			    struct boot_means *means)
{
	struct trial_result res, fail_res;
	enum verdict fail = V_PASS;
	struct boot_means m = { 0 };
	uint64_t test_ms = 0;
	/* The user's limits, until good boots of this form say better. */
	r->trial.boot_timeout_ms = r->o->boot_timeout_s * 1000;
	r->trial.test_timeout_ms = r->o->test_timeout_s * 1000;
	char *pass_log = wpath(r, "logs/baseline-pass.log"), *fail_log = wpath(r, "logs/baseline-fail.log");
	for (int i = 0; i < runs; i++) {
		uint64_t tb = now_ms();
		enum verdict v = trial_run(&r->trial, img, &res);
		check_interrupt();
		if (v == V_HOST) {
			struct strbuf why = STRBUF_INIT;
			explain_failure(r, v, &res, what, &why);
			die("%s", why.buf);
		}
		if (v == V_PASS) {
			boot_means_add(&m, &res);
			if (now_ms() - tb - res.ms_to_ready > test_ms)
				test_ms = now_ms() - tb - res.ms_to_ready;
			copy_file(r->trial.test_log, pass_log);
		} else if (fail == V_PASS) {
			fail = v;
			fail_res = res;
			copy_file(r->trial.test_log, fail_log);
		}
		/* A first failure needs no more runs, unless one passed. */
		if (!m.n && fail != V_PASS)
			break;
	}
	if (!m.n) {
		struct strbuf why = STRBUF_INIT;
		explain_failure(r, fail, &fail_res, what, &why);
		die("%s", why.buf);
	}
	if (fail != V_PASS) {
		struct strbuf p = STRBUF_INIT, f = STRBUF_INIT;
		tail_file(pass_log, 8, &p);
		tail_file(fail_log, 8, &f);
		die("flaky tests: %s passed %d of %d runs (a failure: %s); the searches would take "
		    "chance for a verdict, so the run stops before them. A passing run's test output:\n%s"
		    "A failing run's:\n%s", what, m.n, runs, fail_res.why, p.len ? p.buf : "(nothing)\n",
		    f.len ? f.buf : "(nothing)\n");
	}
	free(pass_log);
	free(fail_log);
	/* A candidate that breaks the boot should cost about one good boot,
	 * not a fixed long timeout; a slow test, three times a good one. */
	long ready = m.sum_ready / m.n;
	if (means)
		*means = m;
	if (ready > r->slowest_ready)
		r->slowest_ready = ready;
	if ((long)test_ms > r->slowest_test)
		r->slowest_test = test_ms;
	r->trial.boot_timeout_ms = 2 * r->slowest_ready + 5000;
	long tt = 3 * r->slowest_test + 10000;
	r->trial.test_timeout_ms = tt < r->o->test_timeout_s * 1000L ? tt : r->o->test_timeout_s * 1000L;
	return ready;
}

/* Whether the run looks for min_memory_mib: not with --no-min-memory,
 * nor under the test suite's REDUCE_TEST_NO_MIN_MEMORY (its runs but one
 * would each pay a dozen boots for a figure they do not check). */
static int min_memory_wanted(const struct run *r)
{
	const char *t = getenv("REDUCE_TEST_NO_MIN_MEMORY");
	return !r->o->no_min_memory && !(t && *t && strcmp(t, "0"));
}

/* Boots the baseline and runs the tests, in the form the first search's
 * candidates take: a plain cpio for the rootfs search, xz for the kernel
 * search. A failure ends the run with what the tests or the console said. */
static void test_baseline(struct run *r)
{
	const struct options *o = r->o;
	/* The "before" size is measured at the final compression level so
	 * that before and after compare fairly. */
	r->log.phase = "baseline";
	write_initrd(r, r->cur.initrd, 1, r->cur.initrd_hash, &r->rep.initramfs_raw.before);
	r->rep.initramfs_bytes.before = file_size(r->cur.initrd);
	r->rep.image_bytes.before = file_size(r->kernel_files[KIMAGE_BZIMAGE]);
	r->rep.vmlinux_bytes.before = file_size(r->kernel_files[KIMAGE_VMLINUX]);
	r->rep.options_enabled.before = count_enabled(r->base_config);
	r->rep.files.before = r->rf.n;
	r->cur.initrd_unpacked = r->rep.initramfs_raw.before;
	if (min_memory_wanted(r)) {
		r->baseline_kernel = wpath(r, "baseline.kernel");
		r->baseline_initrd = wpath(r, "baseline.initramfs.cpio.xz");
		r->baseline_unpacked = r->rep.initramfs_raw.before;
		if (copy_file(r->cur.kernel, r->baseline_kernel) < 0)
			die_writing(r->baseline_kernel);
		if (copy_file(r->cur.initrd, r->baseline_initrd) < 0)
			die_writing(r->baseline_initrd);
	}
	if (!o->only_kernel) {
		write_initrd(r, r->cur.initrd, 0, r->cur.initrd_hash, NULL);
		r->cur.initrd_raw = 1;
	}

	r->vmc.machine = o->machine;
	r->vmc.memory_mb = r->prof.memory_mb;
	r->vmc.outbound = r->prof.outbound;
	r->vmc.guest_ports = r->prof.ports;
	r->vmc.nports = r->prof.nports;
	r->vmc.console_log = wpath(r, "logs/console.log");
	r->vmc.qemu_log = wpath(r, "logs/qemu.log");
	r->vmc.kernel = r->cur.kernel;
	r->vmc.initrd = r->cur.initrd;
	/* KVM only if a real boot under it works. */
	if (!strcmp(o->accel, "auto"))
		r->vmc.accel = vm_kvm_works(&r->vmc) ? "kvm" : "tcg";
	else
		r->vmc.accel = o->accel;
	check_interrupt();
	info("accelerator: %s", r->vmc.accel);

	r->trial.vm = &r->vmc;
	r->trial.tests = r->tests_abs;
	r->trial.tests_hash = r->tests_hash;
	r->trial.app = r->prof.name;
	r->trial.test_log = wpath(r, "logs/test.log");

	r->cur.initrd_bytes = file_size(r->cur.initrd);
	struct boot_image img = { r->cur.kernel, r->cur.initrd, r->cur.initrd_bytes,
				  r->cur.initrd_unpacked };
	struct boot_means m = { 0 };
	long ready = test_until_sure(r, &img, o->baseline_runs, "the baseline image", &m);
	r->rep.ms_to_init.before = m.sum_init / m.n;
	r->rep.ms_to_ready.before = ready;
	boot_phases(&m, &r->rep.ms_loader.before, &r->rep.ms_kernel.before,
		    &r->rep.ms_init_to_ready.before);
	info("baseline passes %d of %d runs: kernel %lld B, initramfs %lld B (booted as %s, guest memory "
	     "%d MiB), ready in %ld ms", o->baseline_runs, o->baseline_runs, r->rep.image_bytes.before,
	     r->rep.initramfs_bytes.before, r->cur.initrd_raw ? "a plain cpio" : "xz",
	     trial_memory_mb(&r->trial, &img), ready);
}

/* The rootfs nodes whose path the hint's file list lacks, for the
 * engine to try first. */
static unsigned char *hint_files(struct run *r)
{
	struct strbuf text = STRBUF_INIT;
	char *path = xasprintf("%s/rootfs.manifest", r->o->hint);
	if (read_file(path, &text) < 0)
		die("cannot read %s", path);
	unsigned char *cand = xcalloc(r->rf.nnodes + 1, 1);
	for (int i = 0; i < r->rf.nnodes; i++) {
		if (r->rf.tgroup[i])
			continue;
		char *line = xasprintf("/%s", r->rf.path[r->rf.entry[i]]);
		cand[i] = !has_line(text.buf, line);
		free(line);
	}
	info("hint: trying the file list of %s first", r->o->hint);
	free(path);
	sb_release(&text);
	return cand;
}

/* The kernel tree's options that the hint's config does not enable. */
static unsigned char *hint_options(struct run *r, const struct kconfig *kc)
{
	struct config hint = CONFIG_INIT;
	char *path = xasprintf("%s/kernel.config", r->o->hint);
	config_load(path, &hint);
	unsigned char *cand = xcalloc(kc->n + 1, 1);
	for (int i = 0; i < kc->n; i++)
		cand[i] = !kc->group[i] && !config_is_y(&hint, kc->name[i]);
	info("hint: trying the kernel config of %s first", r->o->hint);
	config_release(&hint);
	free(path);
	return cand;
}

static void search_rootfs(struct run *r, const struct search_opts *so)
{
	struct search_stats st, proof;
	struct search_tree t = rootfs_tree(&r->rf);
	struct search_opts ho = *so;
	/* A directory costs one boot as a file does, and whole ones (docs,
	 * locales, a library's data) are often not needed. */
	ho.subtrees_whole = 1;
	r->log.phase = "rootfs";
	r->fs = (struct rootfs_cands){ .t = &r->tester, .cur = &r->cur, .rf = &r->rf,
				       .removed = r->rf_removed, .cand_initrd = r->cand_initrd };
	info("rootfs: %d removable entries, searching with %s", t.n, strategy_name(so->strategy));
	if (r->o->hint && r->hint_files)
		ho.start = hint_files(r);
	else if (so->strategy == STRAT_HIER)
		ho.start = observe_tree(r);
	search_run(&t, rootfs_oracle, &r->fs, &ho, r->rf_removed, &st);
	free((void *)ho.start);
	check_interrupt();
	add_stats(r, &st);
	if (st.stopped_early)
		return;
	/* The proof: every entry still in the image, tried alone, must fail
	 * the tests. A pass here is kept, and the result reported as not
	 * proven minimal. */
	struct search_opts po = { .strategy = STRAT_LINEAR, .progress = progress, .progress_ctx = r };
	r->log.phase = "rootfs-proof";
	info("proof: trying each of the remaining entries alone");
	search_run(&t, rootfs_oracle, &r->fs, &po, r->rf_removed, &proof);
	check_interrupt();
	add_stats(r, &proof);
	r->rep.files_checked = proof.tested;
	r->rep.one_minimal = proof.accepted == 0 ? 1 : -1;
}

/* An option that a third or more of the objects depend on costs a
 * near-full rebuild whenever it flips (PRINTK, MULTIUSER, FUTEX...):
 * measured on the build directory, there is a clear gap below them.
 * NULL if there is none (nothing built in the directory yet). */
static unsigned char *kernel_costly(struct run *r, const struct kconfig *kc)
{
	int *deps = xcalloc(kc->n + 1, sizeof(int));
	int objects = kbuild_known_dependents(&r->kb, r->base_config, kc->name, kc->n, deps);
	if (objects < 0) {
		/* The count is only the same from run to run on a complete
		 * build of the base: the directory may hold an earlier run's
		 * last candidate, a make cut short and repaired, or only a
		 * config (the baseline image came from the image cache). On a
		 * built base this make does nothing; going back to the base is
		 * mostly ccache hits. The count is kept for the next run from
		 * the same base (one resumed, the next release), which would
		 * otherwise build the base, and then the state it resumes
		 * from, again. */
		info("kernel: making the base config in %s to count what each option touches",
		     r->kb.builddir);
		int built = kbuild_build(&r->kb, r->base_config, 3600 * 1000) == 0;
		if (!built)
			warning("the base build failed (see %s); costly options are guessed from "
				"what the build directory holds", r->kb.log);
		check_interrupt();
		objects = kbuild_dependents(&r->kb, kc->name, kc->n, deps);
		if (built)
			kbuild_keep_dependents(&r->kb, r->base_config, kc->name, kc->n, deps, objects);
	}
	unsigned char *costly = xcalloc(kc->n + 1, 1);
	int ncostly = 0;
	for (int i = 0; i < kc->n; i++) {
		costly[i] = !kc->group[i] && objects > 0 && 3 * deps[i] >= objects;
		ncostly += costly[i];
	}
	free(deps);
	if (!ncostly) {
		free(costly);
		return NULL;
	}
	info("kernel: %d options are each named by a third or more of the %d objects; "
	     "they are decided %s", ncostly, objects,
	     r->o->strategy == STRAT_HIER ? "first" : "last");
	return costly;
}

/* The tree's options named in `opts`, except those flagged in `except`:
 * flags for the search tree, CONFIG_ names for the report, and one info
 * line that starts with `what` and names them. */
static unsigned char *flag_options(const struct kconfig *kc, struct strvec *opts,
				   const unsigned char *except, struct strvec *report, const char *what)
{
	unsigned char *flags = xcalloc(kc->n + 1, 1);
	struct strbuf names = STRBUF_INIT;
	for (int i = 0; i < kc->n; i++)
		if (!kc->group[i] && !(except && except[i]) && sv_has(opts, kc->name[i])) {
			flags[i] = 1;
			sv_pushf(report, "CONFIG_%s", kc->name[i]);
			sb_addf(&names, " %s", kc->name[i]);
		}
	info("kernel: %zu options %s%s%s", report->n, what, report->n ? ":" : "", names.buf ? names.buf : "");
	sb_release(&names);
	sv_clear(opts);
	return flags;
}

/* Options the harness's own guest uses: no candidate may remove them
 * (search_tree.required), so none is spent proving it. */
static unsigned char *kernel_required(struct run *r, const struct kconfig *kc)
{
	struct strvec opts = STRVEC_INIT;
	needs_of_harness(r->o->machine, r->xz_x86, &opts);
	return flag_options(kc, &opts, NULL, &r->rep.required_options,
			    "kept untested (the harness's guest cannot boot or reach the tests without them)");
}

/* Options the image's programs are seen to use, beyond the required
 * ones: the search tries them alone and last (search_tree.predicted). */
static unsigned char *kernel_predicted(struct run *r, const struct kconfig *kc,
				       const unsigned char *required)
{
	struct strvec opts = STRVEC_INIT;
	unsigned char *incl = xmalloc(r->rf.n + 1);
	rootfs_included(&r->rf, r->rf_removed, incl);
	for (int i = 0; i < r->rf.n; i++) {
		struct stat st;
		char *host = xasprintf("%s/%s", r->rf.root, r->rf.path[i]);
		if (incl[i] && !lstat(host, &st) && S_ISREG(st.st_mode) &&
		    needs_of_file(host, &opts) < 0)
			warning("cannot read %s", host);
		free(host);
	}
	free(incl);
	return flag_options(kc, &opts, required, &r->rep.predicted_options,
			    "predicted needed (the image's programs use them), each tried alone and last");
}

/* The kernel of the current config, built when the memo's passes left
 * it unbuilt (kernel_oracle), and its other form (the search kept only
 * the one the machine boots) from the image cache, where every build
 * leaves both. The verification boots then test it. */
static void build_current_kernel(struct run *r)
{
	if (r->cur.kernel_stale)
		info("kernel: building the config the memo's passes led to");
	uint64_t t = now_ms();
	const char *out[KIMAGES] = { r->kernel_files[0], r->kernel_files[1] };
	/* A config that passed by a boot left its kernel in place already. */
	if (!r->cur.kernel_stale)
		out[r->form] = NULL;
	int st = kbuild_image_for(&r->kb, r->cur.config, out,
				  r->cur.kernel_stale ? 1u << r->form : 0, 3600 * 1000);
	r->builds += st == 0;
	r->log.build_ms += now_ms() - t;
	check_interrupt();
	if (st == KBUILD_HOST_FAULT)
		die("harness fault, not the config's: %s", r->kb.fault);
	if (st < 0)
		die("the kernel config that the memo passed does not build (see logs/build.log); "
		    "delete the app's memo to test it again");
	r->cur.kernel_stale = 0;
}

static void search_kernel(struct run *r, const struct search_opts *so)
{
	struct search_stats st;
	struct kconfig kc;
	/* Kernel candidates boot the current rootfs as the final image will
	 * carry it: xz-compressed, so RD_XZ stays. */
	int was_raw = r->cur.initrd_raw;
	write_initrd(r, r->cur.initrd, 1, r->cur.initrd_hash, NULL);
	r->cur.initrd_raw = 0;
	r->log.phase = "kernel";
	r->cur.initrd_bytes = file_size(r->cur.initrd);
	if (was_raw) {
		struct boot_image img = { r->cur.kernel, r->cur.initrd, r->cur.initrd_bytes,
					  r->cur.initrd_unpacked };
		enter_stage(r, STAGE_BASELINE);
		test_until_sure(r, &img, 1, "the image with its initramfs in xz, as kernel candidates boot it,",
				NULL);
		enter_stage(r, STAGE_KERNEL);
	}
	char *helper = xasprintf("%s/reducer/kconfig_helper.py", r->root);
	char *klog = wpath(r, "logs/kconfig.log");
	if (kconfig_start(&kc, helper, r->srctree, r->base_config, klog) < 0)
		die("cannot load the kernel's Kconfig");
	int items = 0;
	for (int i = 0; i < kc.n; i++)
		items += !kc.group[i];
	info("kernel: %d options a user can turn off (in %d menus), searching with %s",
	     items, kc.n - items, strategy_name(so->strategy));
	unsigned char *removed = xcalloc(kc.n + 1, 1);
	struct search_tree t = kconfig_tree(&kc);
	t.costly = kernel_costly(r, &kc);
	t.required = kernel_required(r, &kc);
	t.predicted = kernel_predicted(r, &kc, t.required);
	struct search_opts ho = *so;
	if (r->o->hint) {
		ho.start = hint_options(r, &kc);
		ho.start_whole = r->hint_files;
	}
	char *cand_config = wpath(r, "candidate.config");
	char *cand_kernel = wpath(r, r->form == KIMAGE_VMLINUX ? "candidate.vmlinux" : "candidate.bzImage");
	r->kern.t = &r->tester;
	r->kern.cur = &r->cur;
	r->kern.kc = &kc;
	r->kern.kb = &r->kb;
	r->kern.cand_config = cand_config;
	r->kern.cand_kernel = cand_kernel;
	r->kern.form = r->form;
	search_run(&t, kernel_oracle, &r->kern, &ho, removed, &st);
	check_interrupt();
	build_current_kernel(r);
	failures_release(&r->kern.failures);
	r->kern.kc = NULL;
	unlink(cand_config);
	unlink(cand_kernel);
	free(cand_config);
	free(cand_kernel);
	free((void *)ho.start);
	free((void *)t.costly);
	free((void *)t.predicted);
	free((void *)t.required);
	kconfig_stop(&kc);
	check_interrupt();
	add_stats(r, &st);
	free(removed);
	free(helper);
	free(klog);
}

/* What init's "reduce-init: memory" line on a console said, or NULL. */
static char *guest_memory(const char *console_log)
{
	struct strbuf con = STRBUF_INIT;
	char *said = NULL;
	static const char mark[] = "reduce-init: memory ";
	if (read_file(console_log, &con) == 0 && con.buf) {
		char *p = strstr(con.buf, mark);
		if (p)
			said = xstrndup(p + sizeof(mark) - 1, strcspn(p + sizeof(mark) - 1, "\r\n"));
	}
	sb_release(&con);
	return said;
}

/* The final image at xz's best, proven with fresh boots. */
static void verify_final(struct run *r)
{
	char final_hash[41];
	struct trial_result res;
	r->log.phase = "verify";
	write_initrd(r, r->cur.initrd, 1, final_hash, &r->rep.initramfs_raw.after);
	int runs = r->o->verify_runs;
	struct boot_means m = { 0 };
	r->rep.verify_runs = runs;
	/* The final image runs at the profile's memory, as it will be run,
	 * and within the user's boot limit: the candidates' limit was taken
	 * from the baseline's form (a plain cpio for a rootfs-only run),
	 * which an xz image of a large tree can take longer to unpack. */
	r->trial.exact_memory = 1;
	r->trial.boot_timeout_ms = r->o->boot_timeout_s * 1000;
	struct boot_image img = { r->cur.kernel, r->cur.initrd, file_size(r->cur.initrd),
				  r->rep.initramfs_raw.after };
	for (int i = 0; i < runs; i++) {
		enum verdict v = trial_run(&r->trial, &img, &res);
		check_interrupt();
		if (v == V_HOST)
			die("the final image could not be verified: %s%s", res.why, res.memory_fault ?
			    "; raise `memory` in the profile" : "");
		info("verification boot %d of %d: %s%s%s", i + 1, runs, verdict_names[v],
		     v == V_PASS ? "" : ": ", v == V_PASS ? "" : res.why);
		if (v == V_PASS) {
			r->rep.verify_passed++;
			boot_means_add(&m, &res);
			if (!r->rep.guest_memory)
				r->rep.guest_memory = guest_memory(r->vmc.console_log);
		}
	}
	r->rep.verified = r->rep.verify_passed == runs;
	r->rep.verify_flaky = r->rep.verify_passed > 0 && r->rep.verify_passed < runs;
	r->rep.ms_to_init.after = m.n ? m.sum_init / m.n : -1;
	r->rep.ms_to_ready.after = m.n ? m.sum_ready / m.n : -1;
	boot_phases(&m, &r->rep.ms_loader.after, &r->rep.ms_kernel.after,
		    &r->rep.ms_init_to_ready.after);
}

struct memory_probe {
	const struct boot_image *img;
	struct vm_config vmc;
	struct trial trial;
	int stopped;            /* a host fault or Ctrl-C ended the search */
	long ready_ms;          /* of the last passing boot */
};

static int probe_memory(void *ctx, int mb, int runs)
{
	struct memory_probe *p = ctx;
	struct trial_result res;
	p->vmc.memory_mb = mb;
	for (int i = 0; i < runs; i++) {
		enum verdict v = trial_run(&p->trial, p->img, &res);
		/* The image is verified already: Ctrl-C here ends only this
		 * search, and the run directory is written without its figure. */
		if (interrupted || v == V_ABORT) {
			p->stopped = 1;
			return -1;
		}
		if (v == V_HOST && !res.memory_fault) {
			warning("min memory: %s; the search for the least memory stops", res.why);
			p->stopped = 1;
			return -1;
		}
		if (v != V_PASS) {
			info("min memory: %d MiB fails (%s)", mb, res.why);
			return 0;
		}
	}
	info("min memory: %d MiB passes %d of %d", mb, runs, runs);
	p->ready_ms = res.ms_to_ready;
	return 1;
}

/* The least guest memory an image passes its tests in, by bisection
 * below the profile's (at which it passed already): its own console log,
 * so that logs/console.log stays the verification's. */
static int least_memory(struct run *r, const struct boot_image *img, long ready_ms,
			int ceiling_tested, int *boots)
{
	struct memory_probe p = { .img = img, .vmc = r->vmc, .trial = r->trial };
	p.vmc.console_log = wpath(r, "logs/min-memory-console.log");
	p.vmc.qemu_log = wpath(r, "logs/min-memory-qemu.log");
	p.trial.test_log = wpath(r, "logs/min-memory-test.log");
	p.trial.vm = &p.vmc;
	p.trial.exact_memory = 1;
	p.trial.boots = 0;
	int found = -1;
	/* The search stands on a pass at the profile's memory exactly, in
	 * this form: the baseline's boots had unpacking's headroom, and a
	 * rootfs search's were of a plain cpio. That boot gets the user's
	 * limit, as the verification's did, and times the rest. */
	if (!ceiling_tested) {
		p.trial.boot_timeout_ms = r->o->boot_timeout_s * 1000;
		if (probe_memory(&p, r->prof.memory_mb, 1) <= 0)
			goto out;
		ready_ms = p.ready_ms;
	}
	/* A guest short of memory can crawl instead of failing: as long as
	 * a candidate may take, not the user's limit for the final image. */
	p.trial.boot_timeout_ms = 2 * ready_ms + 5000;
	struct minmem m = { .floor = PROFILE_MIN_MEMORY_MB, .ceiling = r->prof.memory_mb,
			    .confirm_runs = r->o->verify_runs, .probe = probe_memory, .ctx = &p };
	found = minmem_search(&m);
out:
	*boots += p.trial.boots;
	r->trial.boots += p.trial.boots;
	free((char *)p.vmc.console_log);
	free((char *)p.vmc.qemu_log);
	free((char *)p.trial.test_log);
	return p.stopped ? -1 : found;
}

static void find_min_memory(struct run *r)
{
	r->rep.memory_mib = r->prof.memory_mb;
	r->rep.min_memory_mib.before = r->rep.min_memory_mib.after = -1;
	if (!min_memory_wanted(r) || !r->rep.verified)
		return;
	r->log.phase = "min-memory";
	struct boot_image fin = { r->cur.kernel, r->cur.initrd, file_size(r->cur.initrd),
				  r->rep.initramfs_raw.after };
	info("min memory: the least guest memory the final image passes in, between %d and %d MiB",
	     PROFILE_MIN_MEMORY_MB, r->prof.memory_mb);
	r->rep.min_memory_mib.after = least_memory(r, &fin, r->rep.ms_to_ready.after, 1,
						   &r->rep.min_memory_boots);
	if (r->rep.min_memory_mib.after < 0)
		return;
	struct boot_image base = { r->baseline_kernel, r->baseline_initrd,
				   file_size(r->baseline_initrd), r->baseline_unpacked };
	info("min memory: and the baseline image's (xz, as the final image)");
	r->rep.min_memory_mib.before = least_memory(r, &base, r->rep.ms_to_ready.before, 0,
						    &r->rep.min_memory_boots);
	if (r->rep.min_memory_mib.before < 0)
		info("min memory: final image %lld MiB; the baseline's not found (%d boots)",
		     r->rep.min_memory_mib.after, r->rep.min_memory_boots);
	else
		info("min memory: final image %lld MiB, baseline %lld MiB (%d boots)",
		     r->rep.min_memory_mib.after, r->rep.min_memory_mib.before, r->rep.min_memory_boots);
}

static void fill_report(struct run *r)
{
	const struct options *o = r->o;
	r->rep.app = r->prof.name;
	r->rep.kernel_base = o->kernel_base;
	r->rep.strategy = strategy_name(o->strategy);
	r->rep.accel = r->vmc.accel;
	r->rep.machine = vm_machine_name(r->vmc.machine);
	r->rep.boot_args = vm_boot_args(r->vmc.machine);
	r->rep.compression = initramfs_compression(r->xz_x86);
	r->rep.phases = o->only_kernel ? "kernel" : o->only_rootfs ? "rootfs" : "rootfs+kernel";
	r->rep.builds = total_builds(r);
	r->rep.boots = r->trial.boots;
	r->rep.replayed = r->tester.replayed;
	r->rep.implied = r->kern.implied;
	r->rep.build_ms = r->log.build_ms;
	r->rep.compile = r->kb.counts;
	r->rep.compile_ms = r->kb.build_ms;
	r->rep.compilers = r->o->compilers;
	r->rep.trial_ms = r->log.trial_ms;
	r->rep.image_bytes.after = file_size(r->kernel_files[KIMAGE_BZIMAGE]);
	r->rep.vmlinux_bytes.after = file_size(r->kernel_files[KIMAGE_VMLINUX]);
	r->rep.initramfs_bytes.after = file_size(r->cur.initrd);
	struct config base = CONFIG_INIT, result = CONFIG_INIT;
	config_load(r->base_config, &base);
	config_load(r->cur.config, &result);
	r->rep.options_enabled.after = config_count_enabled(&result);
	/* A pc search may remove PVH, which pc does not need: that vmlinux
	 * then boots only as a bzImage does, through a boot loader. */
	r->rep.vmlinux_pvh = config_is_y(&result, "PVH");
	config_turned_off(&base, &result, &r->rep.removed_options);
	config_release(&base);
	config_release(&result);
	unsigned char *incl = xmalloc(r->rf.n + 1);
	rootfs_included(&r->rf, r->rf_removed, incl);
	r->rep.files.after = rootfs_count(&r->rf, incl);
	for (int i = 0; i < r->rf.n; i++)
		if (!incl[i])
			sv_pushf(&r->rep.removed_files, "/%s", r->rf.path[i]);
	for (size_t i = 0; i < r->rep.predicted_options.n; i++)
		if (sv_has(&r->rep.removed_options, r->rep.predicted_options.v[i]))
			sv_push(&r->rep.predicted_wrong, r->rep.predicted_options.v[i]);
	struct strbuf manifest = STRBUF_INIT, cmd = STRBUF_INIT;
	rootfs_manifest(&r->rf, incl, &manifest);
	free(incl);
	char *mpath = wpath(r, "rootfs.manifest");
	if (write_file_atomic(mpath, manifest.buf, manifest.len) < 0)
		die_writing(mpath);
	/* The run command names the files relative to the run directory:
	 * it travels with them (a release history, another machine). */
	struct vm_config fin = r->vmc;
	fin.kernel = vm_kernel_file(fin.machine);
	if (r->rep.min_memory_mib.after > 0)
		fin.memory_mb = (int)r->rep.min_memory_mib.after;
	fin.initrd = "initramfs.cpio.xz";
	vm_command_line(&fin, &cmd);
	r->rep.run_command = cmd.buf;
	enter_stage(r, r->clock.cur);
	memcpy(r->rep.stage_ms, r->clock.ms, sizeof(r->rep.stage_ms));
	r->rep.wall_seconds = (now_ms() - r->t0) / 1000;
	sb_release(&manifest);
	free(mpath);
}

void reduce_check_inputs(const struct options *o, const char *root)
{
	struct run R;
	memset(&R, 0, sizeof(R));
	R.o = o;
	R.root = root;
	check_inputs(&R);
	if (o->out && file_exists(o->out))
		die_usage("output directory %s already exists", o->out);
	free(R.init_bin);
	free(R.init_observe);
	free(R.tests_abs);
}

int reduce_run(const struct options *o, const char *root, char **run_dir)
{
	struct run R, *r = &R;
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->root = root;
	r->t0 = now_ms();
	stopwatch_start(&r->clock, r->t0);
	r->log.phase = "setup";
	check_inputs(r);

	setup_dirs(r);
	active = r;
	set_die_cleanup(cleanup_partial);
	info("run directory %s", r->final);
	r->kernel_files[KIMAGE_BZIMAGE] = wpath(r, "bzImage");
	r->kernel_files[KIMAGE_VMLINUX] = wpath(r, "vmlinux");
	r->form = o->machine == VM_MICROVM ? KIMAGE_VMLINUX : KIMAGE_BZIMAGE;
	r->cur.kernel = r->kernel_files[r->form];
	r->cur.initrd = wpath(r, "initramfs.cpio.xz");
	r->cur.config = wpath(r, "kernel.config");
	r->cand_initrd = wpath(r, "candidate.initramfs.cpio");
	r->base_config = wpath(r, "base.config");
	char *logs = wpath(r, "logs");
	mkdir_p(logs);
	free(logs);
	char *clog = wpath(r, "candidates.tsv");
	if (candlog_open(&r->log, clog) < 0)
		die("cannot create %s: %s", clog, strerror(errno));
	free(clog);
	r->log.phase = "setup";
	r->rep.files_touched = -1;

	stage_rootfs(r);
	enter_stage(r, STAGE_BASE_BUILD);
	build_baseline(r);
	enter_stage(r, STAGE_BASELINE);
	memo_open(&r->memo, r->prof.name);
	if (file_hash(r->tests_abs, r->tests_hash) < 0)
		die("cannot read %s", r->tests_abs);
	test_baseline(r);
	negative_control(r);
	r->tester = (struct tester){ .trial = &r->trial, .memo = &r->memo, .log = &r->log };

	struct search_opts so = { .strategy = o->strategy, .max_candidates = o->max_candidates,
				  .progress = progress, .progress_ctx = r };
	/* The rootfs first: every kernel candidate then boots the small
	 * initramfs, and no rootfs candidate waits for a kernel build. */
	enter_stage(r, STAGE_ROOTFS);
	if (!o->only_kernel)
		search_rootfs(r, &so);
	enter_stage(r, STAGE_KERNEL);
	if (!o->only_rootfs)
		search_kernel(r, &so);
	enter_stage(r, STAGE_VERIFY);
	verify_final(r);
	enter_stage(r, STAGE_MIN_MEMORY);
	find_min_memory(r);
	fill_report(r);

	/* Scratch that is not part of the result. */
	rm_rf(r->stage);
	if (r->baseline_kernel) {
		unlink(r->baseline_kernel);
		unlink(r->baseline_initrd);
	}
	unlink(r->cand_initrd);
	candlog_close(&r->log);
	write_outputs(r);
	set_die_cleanup(NULL);
	kbuild_close(&r->kb);
	if (interrupted) {
		info("interrupted during the search for the least memory: %s is complete without it",
		     r->final);
		return EXIT_INTERRUPT;
	}

	info("done in %ld s: kernel %lld -> %lld B, initramfs %lld -> %lld B, files %lld -> %lld, %s",
	     r->rep.wall_seconds, r->rep.image_bytes.before, r->rep.image_bytes.after,
	     r->rep.initramfs_bytes.before, r->rep.initramfs_bytes.after,
	     r->rep.files.before, r->rep.files.after,
	     r->rep.verified ? "verified" : "NOT verified");
	info("report: %s/report.md", r->final);
	if (run_dir)
		*run_dir = xstrdup(r->final);
	return r->rep.verified ? EXIT_OK : EXIT_FAIL;
}

/* The staged tree's entries the manifest names; every line must be one. */
static unsigned char *manifest_included(const struct rootfs *rf, const char *manifest_path)
{
	struct strbuf m = STRBUF_INIT;
	if (read_file(manifest_path, &m) < 0)
		die("cannot read %s", manifest_path);
	struct strvec want = STRVEC_INIT;
	for (char *l = strtok(m.buf, "\n"); l; l = strtok(NULL, "\n"))
		sv_push(&want, l[0] == '/' ? l + 1 : l);
	qsort(want.v, want.n, sizeof(*want.v), strptr_cmp);
	unsigned char *incl = xcalloc(rf->n + 1, 1);
	size_t found = 0;
	for (int i = 0; i < rf->n; i++) {
		const char *key = rf->path[i];
		if (bsearch(&key, want.v, want.n, sizeof(*want.v), strptr_cmp)) {
			incl[i] = 1;
			found++;
		}
	}
	if (found != want.n)
		die("%s names %zu paths that the profile's tree does not have (another profile or "
		    "base?)", manifest_path, want.n - found);
	sv_clear(&want);
	sb_release(&m);
	return incl;
}

int reduce_rebuild(const struct rebuild *rb, const char *root)
{
	struct run R, *r = &R;
	struct strbuf err = STRBUF_INIT;
	struct options o = { .app = rb->profile, .kernel_base = "microvm" };
	memset(r, 0, sizeof(*r));
	r->o = &o;
	r->root = root;
	r->t0 = now_ms();
	if (profile_parse(rb->profile, rb->app, &r->prof, &err) < 0)
		die_usage("%s", err.buf);
	apply_image(r);
	r->init_bin = xasprintf("%s/rootfs/init", root);
	if (!is_executable(r->init_bin))
		die("%s is missing: run 'make' first", r->init_bin);
	r->partial = xstrdup(rb->out);
	r->final = xstrdup(rb->out);
	if (mkdir_p(r->partial) < 0)
		die("cannot create %s: %s", r->partial, strerror(errno));

	/* The rootfs as the run staged it, holding what its manifest lists. */
	stage_rootfs(r);
	unsigned char *incl = manifest_included(&r->rf, rb->manifest);
	struct config cfg = CONFIG_INIT;
	if (config_read(rb->config, &cfg) < 0)
		die("cannot read %s", rb->config);
	struct initramfs im;
	char *initrd = wpath(r, "initramfs.cpio.xz");
	if (initramfs_pack(&im, &r->rf, incl, 1, config_is_y(&cfg, "XZ_DEC_X86")) < 0)
		die("cannot read the staged root filesystem %s", r->rf.root);
	im.fresh = 1;
	if (initramfs_write(&im, initrd) < 0)
		die_writing(initrd);
	initramfs_release(&im);
	config_release(&cfg);
	free(incl);
	rm_rf(r->stage);

	/* A fresh build, never the image cache: the point is to redo it. */
	if (kernel_source(&r->srctree, &err) < 0)
		die("%s", err.buf);
	char *build_log = wpath(r, "build.log");
	if (kbuild_open(&r->kb, r->srctree, "check", build_log, rb->compilers) < 0)
		die("cannot set up a kernel build directory");
	/* The image is linked again whatever the build directory holds; the
	 * objects Kbuild finds up to date (their sources, flags and config
	 * unchanged) are kept. */
	const char *linked[] = { "vmlinux", "arch/x86/boot/bzImage", "arch/x86/boot/compressed/vmlinux",
				 "arch/x86/boot/setup.bin", "arch/x86/boot/vmlinux.bin" };
	for (size_t i = 0; i < sizeof(linked) / sizeof(*linked); i++) {
		char *p = xasprintf("%s/%s", r->kb.builddir, linked[i]);
		unlink(p);
		free(p);
	}
	info("building the kernel from %s (build directory %s)", rb->config, r->kb.builddir);
	int st = kbuild_build(&r->kb, rb->config, 3600 * 1000);
	if (st == KBUILD_HOST_FAULT)
		die("the kernel could not be built: %s", r->kb.fault);
	if (st < 0) {
		struct strbuf t = STRBUF_INIT;
		tail_file(build_log, 15, &t);
		die("the kernel does not build:\n%s", t.len ? t.buf : "");
	}
	char *unwritten = kbuild_copy_images(&r->kb, r->partial);
	if (unwritten)
		die_writing(unwritten);
	kbuild_close(&r->kb);
	free(initrd);
	free(build_log);
	sb_release(&err);
	return 0;
}
