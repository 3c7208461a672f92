#define _GNU_SOURCE
/* The release job: a reduction that starts from the app's last release
 * (its result as the hint, its verdicts merged into the memo) and whose
 * verified result becomes the next one in the history. */
#include "release.h"
#include "child.h"
#include "history.h"
#include "kbuild.h"
#include "memo.h"
#include "pipeline.h"
#include "profile.h"
#include "report.h"
#include "rundiff.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A release's tree: the run directory's outputs, the profile it was
 * reduced from (to build it again) and the verdicts the app's runs have
 * learned. */
static const char *const run_files[] = {
	"bzImage", "initramfs.cpio.xz", "kernel.config", "rootfs.manifest",
	"report.json", "report.md", "candidates.tsv",
	/* A microvm run's only (firecracker.json says it is one): the
	 * kernel its run_command boots. A pc run's vmlinux stays out of the
	 * history: nothing of the release boots it. */
	"vmlinux", "firecracker.json",
};
#define NRUN_FILES (sizeof(run_files) / sizeof(*run_files))
#define NRUN_MICROVM_ONLY 2

static char *history_spec(const struct release_options *ro, const char *root)
{
	return ro->history ? xstrdup(ro->history) : xasprintf("%s/reports/history.git", root);
}

static void open_history(struct history *h, const char *spec, int create)
{
	struct strbuf err = STRBUF_INIT;
	if (history_open(h, spec, create, &err) < 0)
		die("%s", err.buf);
	sb_release(&err);
}

static void extract(struct history *h, const struct release *rel, const char *dir,
		    const char *const *names, size_t n)
{
	struct strbuf err = STRBUF_INIT;
	if (history_extract(h, rel, dir, names, n, &err) < 0)
		die("%s", err.buf);
	sb_release(&err);
}

static long long figure(const char *dir, const char *path)
{
	char *p = xasprintf("%s/report.json", dir);
	struct report_doc d;
	struct strbuf err = STRBUF_INIT;
	long long v = -1;
	int ok = 0;
	if (report_load(p, &d, &err) == 0) {
		v = report_number(&d, path, &ok);
		report_doc_release(&d);
	}
	free(p);
	sb_release(&err);
	return ok ? v : -1;
}

static void thousands(long long v, char *buf, size_t n)
{
	char raw[32];
	snprintf(raw, sizeof(raw), "%lld", v);
	size_t len = strlen(raw), j = 0;
	for (size_t i = 0; i < len && j + 2 < n; i++) {
		if (i && (len - i) % 3 == 0 && raw[i - 1] != '-')
			buf[j++] = ',';
		buf[j++] = raw[i];
	}
	buf[j] = '\0';
}

/* First line for `git log --oneline`; the body has the key figures. */
static char *release_message(const char *app, const char *version, const char *dir,
			     const struct release *prev)
{
	char total[32], kernel[32], initrd[32];
	thousands(figure(dir, "total_bytes.after"), total, sizeof(total));
	thousands(figure(dir, "kernel.image_bytes.after"), kernel, sizeof(kernel));
	thousands(figure(dir, "initramfs.bytes.after"), initrd, sizeof(initrd));
	struct strbuf m = STRBUF_INIT;
	sb_addf(&m, "%s %s: %s B, ready in %lld ms\n\n", app, version, total,
		figure(dir, "boot.ms_to_ready.after"));
	sb_addf(&m, "kernel image:      %s B, %lld options enabled\n", kernel,
		figure(dir, "kernel.options_enabled.after"));
	sb_addf(&m, "initramfs:         %s B, %lld files\n", initrd, figure(dir, "rootfs.files.after"));
	sb_addf(&m, "boot:              %lld ms to init, %lld ms to app ready\n",
		figure(dir, "boot.ms_to_init.after"), figure(dir, "boot.ms_to_ready.after"));
	sb_addf(&m, "search:            %lld candidates, %lld builds, %lld boots, %lld verdicts "
		"replayed, %lld s\n", figure(dir, "candidates.tested"), figure(dir, "builds"),
		figure(dir, "boots"), figure(dir, "replayed"), figure(dir, "wall_seconds"));
	sb_addf(&m, "verified:          %lld of %lld boots\n", figure(dir, "verify.passed"),
		figure(dir, "verify.runs"));
	if (prev)
		sb_addf(&m, "previous release:  %s %s (%.12s)\n", app,
			prev->version ? prev->version : "?", prev->commit);
	return m.buf ? m.buf : xstrdup("");
}

static void step_summary(const char *text)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	if (!path || !*path)
		return;
	FILE *f = fopen(path, "a");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		warning("cannot append the diff to $GITHUB_STEP_SUMMARY (%s): %s", path, strerror(errno));
}

static void check_version(const char *app, const char *version)
{
	/* A tag name git accepts, one level below the app's. */
	char *ref = xasprintf("refs/tags/%s/%s", app, version);
	int ok = *version && !strchr(version, '/') && !strchr(version, '@') && history_valid_ref(ref);
	free(ref);
	if (!ok)
		die_usage("'%s' cannot be a version: it must be a valid git tag name without '/' "
			  "or '@' (e.g. 1.25.3)", version);
}

int release_run(struct options *o, const struct release_options *ro, const char *root)
{
	char *app = profile_name(o->app);
	char *spec = history_spec(ro, root);
	struct history h;
	struct release prev = { 0 }, same = { 0 };
	check_version(app, ro->version);
	/* A typo costs nothing: not even a history made for it. */
	reduce_check_inputs(o, root);
	open_history(&h, spec, 1);
	if (history_find(&h, app, ro->version, &same) && !ro->force)
		die_usage("version %s of %s is already released (tag %s/%s, commit %.12s in %s); "
			  "--force releases it again", ro->version, app, app, ro->version, same.commit,
			  history_display(spec));
	int have_prev = history_latest(&h, app, &prev);
	/* Per process: two releases of the app may run on one machine. */
	char *prev_dir = xasprintf("%s/history/previous-%s-%d", cache_dir(), app, (int)getpid());
	if (have_prev) {
		extract(&h, &prev, prev_dir, run_files, NRUN_FILES);
		if (!o->hint)
			o->hint = prev_dir;
		struct strbuf memo = STRBUF_INIT;
		int added = 0;
		if (history_read(&h, &prev, "memo.tsv", &memo) == 0 &&
		    memo_merge(app, memo.buf, &added) < 0)
			die("cannot merge the verdicts of %s %s into the memo: %s", app,
			    prev.version ? prev.version : prev.commit, strerror(errno));
		info("history: the previous release is %s %s (%.12s); %d of its verdicts were new here",
		     app, prev.version ? prev.version : "?", prev.commit, added);
		sb_release(&memo);
	} else {
		info("history: the first release of %s in %s", app, history_display(spec));
	}
	/* The history stays open through the reduction: nothing in it is
	 * held locked, and another runner's release shows at the commit. */
	char *dir = NULL;
	int rc = reduce_run(o, root, &dir);
	if (rc != EXIT_OK) {
		error("the run is not verified: nothing released");
		rm_rf(prev_dir);
		return rc;
	}

	struct strbuf diff = STRBUF_INIT;
	char *label = xasprintf("%s %s", app, ro->version);
	if (have_prev) {
		char *plabel = xasprintf("%s %s", app, prev.version ? prev.version : prev.commit);
		run_diff(prev_dir, plabel, dir, label, &diff);
		free(plabel);
	} else {
		sb_addf(&diff, "# reduce release\n\n`%s` is the first release of %s: nothing to compare "
			"with.\n", label, app);
	}
	fwrite(diff.buf, 1, diff.len, stdout);
	fflush(stdout);
	step_summary(diff.buf);

	if (have_prev && ro->max_growth >= 0) {
		long long before = figure(prev_dir, "total_bytes.after"), after = figure(dir, "total_bytes.after");
		double pct = before > 0 ? 100.0 * (after - before) / before : 0;
		if (pct > ro->max_growth) {
			error("the image grew %.1f%% since %s %s (%lld -> %lld B), more than --max-growth "
			      "%g%%: nothing released; the run is in %s", pct, app,
			      prev.version ? prev.version : "?", before, after, ro->max_growth, dir);
			rm_rf(prev_dir);
			return EXIT_GREW;
		}
	}

	struct history_file files[NRUN_FILES + 2];
	struct strbuf data[NRUN_FILES + 2];
	int n = 0;
	char *fc = xasprintf("%s/firecracker.json", dir);
	size_t nfiles = file_exists(fc) ? NRUN_FILES : NRUN_FILES - NRUN_MICROVM_ONLY;
	free(fc);
	for (size_t i = 0; i < nfiles; i++) {
		char *p = xasprintf("%s/%s", dir, run_files[i]);
		data[n] = (struct strbuf)STRBUF_INIT;
		if (read_file(p, &data[n]) < 0)
			die("cannot read %s: %s", p, strerror(errno));
		files[n] = (struct history_file){ run_files[i], data[n].buf ? data[n].buf : "", data[n].len };
		n++;
		free(p);
	}
	char *ppath = profile_path(root, o->app);
	data[n] = (struct strbuf)STRBUF_INIT;
	if (read_file(ppath, &data[n]) < 0)
		die("cannot read %s: %s", ppath, strerror(errno));
	files[n] = (struct history_file){ "profile.conf", data[n].buf ? data[n].buf : "", data[n].len };
	n++;
	data[n] = (struct strbuf)STRBUF_INIT;
	memo_export(app, &data[n]);
	files[n] = (struct history_file){ "memo.tsv", data[n].buf ? data[n].buf : "", data[n].len };
	n++;

	char *message = release_message(app, ro->version, dir, have_prev ? &prev : NULL);
	char commit[41];
	struct strbuf err = STRBUF_INIT;
	int crc = history_commit(&h, app, ro->version, files, n, message, ro->force, commit, &err);
	if (crc < 0) {
		error("%s: nothing released; the run is in %s", err.buf, dir);
		rm_rf(prev_dir);
		return crc == HISTORY_EXISTS ? EXIT_USAGE : EXIT_FAIL;
	}
	/* Fault injection for the tests (as git's GIT_TEST_* variables):
	 * another runner's push between our fetch and our push. */
	const char *hook = getenv("REDUCE_TEST_BEFORE_PUSH");
	if (h.url && hook && *hook) {
		const char *argv[] = { "/bin/sh", "-c", hook, NULL };
		struct child_process cp = { .argv = argv, .inherit_stderr = 1, .timeout_ms = 60000 };
		if (child_run(&cp) != 0)
			warning("REDUCE_TEST_BEFORE_PUSH failed");
	}
	int prc = h.url ? history_push(&h, app, ro->version, ro->force, &err) : 0;
	if (prc == HISTORY_PARTIAL) {
		error("the release's commit was pushed to branch %s of %s, but its tag %s/%s was not "
		      "(%s): tag it by hand, or release again with --force; the run is in %s", app,
		      history_display(h.url), app, ro->version, err.buf, dir);
		rm_rf(prev_dir);
		return EXIT_PUSH_REFUSED;
	}
	if (prc < 0) {
		error("the push to %s was refused or failed (%s): if another runner released "
		      "meanwhile, release again; nothing released; the run is in %s",
		      history_display(h.url), err.buf, dir);
		rm_rf(prev_dir);
		return EXIT_PUSH_REFUSED;
	}
	info("released %s %s: commit %.12s, tag %s/%s in %s%s", app, ro->version, commit, app,
	     ro->version, history_display(spec), h.url ? " (pushed)" : "");
	rm_rf(prev_dir);
	for (int i = 0; i < n; i++)
		sb_release(&data[i]);
	sb_release(&diff);
	sb_release(&err);
	free(message);
	free(label);
	free(ppath);
	free(dir);
	free(prev_dir);
	release_clear(&prev);
	release_clear(&same);
	history_close(&h);
	free(spec);
	free(app);
	return EXIT_OK;
}

static int same_file(const char *a, const char *b, const char *name, struct strbuf *out)
{
	char *pa = xasprintf("%s/%s", a, name), *pb = xasprintf("%s/%s", b, name);
	char ha[41] = "", hb[41] = "";
	int ra = file_hash(pa, ha), rb = file_hash(pb, hb);
	int same = ra == 0 && rb == 0 && !strcmp(ha, hb);
	if (same)
		sb_addf(out, "%s: identical (%lld B)\n", name, file_size(pa));
	else if (ra < 0)
		sb_addf(out, "%s: the release does not record it\n", name);
	else
		sb_addf(out, "%s: differs: recorded %lld B (%.12s), rebuilt %lld B (%.12s)\n", name,
			file_size(pa), ha, file_size(pb), hb);
	free(pa);
	free(pb);
	return same;
}

int release_check(const struct release_options *ro, const char *root)
{
	const char *at = strrchr(ro->check, '@');
	if (!at || at == ro->check || !at[1])
		die_usage("--check needs APP@VERSION, e.g. nginx@1.25.3, not '%s'", ro->check);
	char *app = xstrndup(ro->check, at - ro->check), *version = xstrdup(at + 1);
	char *spec = history_spec(ro, root);
	struct history h;
	struct release rel;
	open_history(&h, spec, 0);
	if (!history_find(&h, app, version, &rel))
		die_usage("no release %s %s in %s (see reduce log)", app, version, history_display(spec));
	char *work = xasprintf("%s/history/check-%s-%d", cache_dir(), app, (int)getpid());
	char *rec = xasprintf("%s/recorded", work), *out = xasprintf("%s/rebuilt", work);
	const char *names[] = { "bzImage", "initramfs.cpio.xz", "kernel.config", "rootfs.manifest",
				"profile.conf", "report.json", "vmlinux" };
	extract(&h, &rel, rec, names, 7);
	char *prof = xasprintf("%s/profile.conf", rec), *cfg = xasprintf("%s/kernel.config", rec),
	     *man = xasprintf("%s/rootfs.manifest", rec);
	if (!file_exists(prof) || !file_exists(cfg) || !file_exists(man))
		die_usage("release %s %s records no profile.conf, kernel.config or rootfs.manifest: "
			  "it cannot be built again", app, version);
	/* Another source builds another kernel: that says nothing of
	 * whether the build is reproducible. */
	char *srctree, installed[64];
	struct strbuf err = STRBUF_INIT;
	if (kernel_source(&srctree, &err) < 0)
		die("%s", err.buf);
	if (kbuild_source_version(srctree, installed, sizeof(installed)) < 0)
		die("cannot read the version of the kernel source %s", srctree);
	struct report_doc doc;
	char *rj = xasprintf("%s/report.json", rec);
	if (report_load(rj, &doc, &err) == 0) {
		const char *was = report_string(&doc, "kernel_source");
		if (was && *was && strcmp(was, installed))
			die_usage("release %s %s was built from Linux %s, and this machine's kernel source "
				  "is %s: it cannot be checked here", app, version, was, installed);
		/* Built at the release's date, as the release was. */
		int ok = 0;
		long long sde = report_number(&doc, "source_date_epoch", &ok);
		if (ok && sde > 0) {
			char *v = xasprintf("%lld", sde);
			setenv("SOURCE_DATE_EPOCH", v, 1);
			free(v);
		} else if (ok) {
			unsetenv("SOURCE_DATE_EPOCH");
		}
		report_doc_release(&doc);
	}
	free(rj);
	info("rebuilding %s %s (%.12s) from its kernel.config and rootfs.manifest", app, version,
	     rel.commit);
	struct rebuild rb = { .app = app, .profile = prof, .config = cfg, .manifest = man, .out = out,
			      .compilers = ro->compilers };
	reduce_rebuild(&rb, root);
	struct strbuf report = STRBUF_INIT;
	int same = same_file(rec, out, "bzImage", &report);
	same &= same_file(rec, out, "initramfs.cpio.xz", &report);
	char *recorded_vmlinux = xasprintf("%s/vmlinux", rec);
	if (file_exists(recorded_vmlinux))
		same &= same_file(rec, out, "vmlinux", &report);
	free(recorded_vmlinux);
	fputs(report.buf, stdout);
	if (same) {
		printf("%s %s is reproducible: the rebuilt image is byte-identical\n", app, version);
		rm_rf(work);
	} else {
		printf("%s %s does not rebuild to the same bytes; the recorded and rebuilt files are "
		       "in %s\n", app, version, work);
	}
	fflush(stdout);
	sb_release(&report);
	release_clear(&rel);
	history_close(&h);
	return same ? EXIT_OK : EXIT_FAIL;
}

static const char log_usage[] =
"usage: reduce log [--app APP] [--history REPO]\n"
"\n"
"Lists the releases in the history (default reports/history.git), one line\n"
"each, newest first (app by app): version, date, kernel, initramfs and total\n"
"bytes, ms to app ready, kernel options, rootfs files, kernel builds spent,\n"
"commit. With --app, that app's only.\n"
"\n"
"Exit status: 0 listed; 1 the history cannot be read or has no releases (of\n"
"APP); 2 bad command line.\n";

static void log_line(struct history *h, const char *app, const struct release *rel)
{
	char date[32];
	time_t t = (time_t)rel->time;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", gmtime(&t));
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct report_doc d = { 0 };
	int have = history_read(h, rel, "report.json", &text) == 0 &&
		   report_parse(text.buf ? text.buf : "", &d, &err) == 0;
	const char *keys[] = { "kernel.image_bytes.after", "initramfs.bytes.after", "total_bytes.after",
			       "boot.ms_to_ready.after", "kernel.options_enabled.after",
			       "rootfs.files.after", "builds" };
	long long v[7];
	for (int i = 0; i < 7; i++) {
		int ok = 0;
		v[i] = have ? report_number(&d, keys[i], &ok) : -1;
		if (!ok)
			v[i] = -1;
	}
	char *name = xasprintf("%s/%s", app, rel->version ? rel->version : "?");
	/* A fetched history is anyone's text: no control characters reach
	 * the terminal. */
	for (char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	printf("%-22s %s %9lld %10lld %9lld %8lld %7lld %6lld %6lld  %.12s\n", name, date, v[0], v[1],
	       v[2], v[3], v[4], v[5], v[6], rel->commit);
	free(name);
	if (have)
		report_doc_release(&d);
	sb_release(&text);
	sb_release(&err);
}

int cmd_log(int argc, char **argv, const char *root)
{
	struct release_options ro = { .max_growth = -1 };
	const char *only = NULL;
	static const struct option longopts[] = {
		{ "app", required_argument, NULL, 'a' },
		{ "history", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': only = optarg; break;
		case 'y': ro.history = optarg; break;
		case 'h': fputs(log_usage, stdout); return 0;
		case ':': die_usage("%s needs a value (see reduce log --help)", argv[optind - 1]);
		default: die_usage("unknown option '%s' (see reduce log --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s' (see reduce log --help)", argv[optind]);
	char *spec = history_spec(&ro, root);
	struct history h;
	open_history(&h, spec, 0);
	struct strvec apps = STRVEC_INIT;
	if (only)
		sv_push(&apps, only);
	else
		history_apps(&h, &apps);
	int shown = 0;
	for (size_t a = 0; a < apps.n; a++) {
		struct release *rels;
		int n;
		history_list(&h, apps.v[a], &rels, &n);
		if (n && !shown)
			printf("%-22s %-16s %9s %10s %9s %8s %7s %6s %6s  %s\n", "release", "date", "kernel",
			       "initramfs", "total", "ready_ms", "options", "files", "builds", "commit");
		for (int i = 0; i < n; i++) {
			log_line(&h, apps.v[a], &rels[i]);
			release_clear(&rels[i]);
			shown++;
		}
		free(rels);
	}
	if (fflush(stdout) != 0)
		die("cannot write to stdout");
	if (!shown && only)
		die("no releases of %s in %s", only, history_display(spec));
	if (!shown)
		die("no releases in %s", history_display(spec));
	sv_clear(&apps);
	history_close(&h);
	free(spec);
	return 0;
}
