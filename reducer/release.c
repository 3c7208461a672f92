#define _GNU_SOURCE
/* The release job: a reduction that starts from the app's last release
 * (its result as the hint, its verdicts merged into the memo) and whose
 * verified result becomes the next one in the history. */
#include "release.h"
#include "child.h"
#include "history.h"
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
};
#define NRUN_FILES (sizeof(run_files) / sizeof(*run_files))

static char *history_spec(const struct release_options *ro, const char *root)
{
	return ro->history ? xstrdup(ro->history) : xasprintf("%s/reports/history.git", root);
}

static void open_history(struct history *h, const char *spec)
{
	struct strbuf err = STRBUF_INIT;
	if (history_open(h, spec, &err) < 0)
		die("%s", err.buf);
	sb_release(&err);
}

/* A release's files written into dir (created afresh), as a run
 * directory that --hint and reduce diff read. */
static void extract(struct history *h, const struct release *rel, const char *dir,
		    const char *const *names, size_t n)
{
	rm_rf(dir);
	if (mkdir_p(dir) < 0)
		die("cannot create %s: %s", dir, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (history_read(h, rel, names[i], &sb) < 0)
			continue;
		char *p = xasprintf("%s/%s", dir, names[i]);
		if (write_file_atomic(p, sb.buf, sb.len) < 0)
			die_writing(p);
		free(p);
		sb_release(&sb);
	}
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
	open_history(&h, spec);
	if (history_find(&h, app, ro->version, &same) && !ro->force)
		die_usage("version %s of %s is already released (tag %s/%s, commit %.12s in %s); "
			  "--force releases it again", ro->version, app, app, ro->version, same.commit,
			  spec);
	int have_prev = history_latest(&h, app, &prev);
	char *prev_dir = xasprintf("%s/history/previous-%s", cache_dir(), app);
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
		info("history: the first release of %s in %s", app, spec);
	}
	/* The history stays open through the reduction: nothing in it is
	 * held locked, and another runner's release shows at the commit. */
	char *dir = NULL;
	int rc = reduce_run(o, root, &dir);
	if (rc != EXIT_OK) {
		error("the run is not verified: nothing released");
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
			return EXIT_GREW;
		}
	}

	struct history_file files[NRUN_FILES + 2];
	struct strbuf data[NRUN_FILES + 2];
	int n = 0;
	for (size_t i = 0; i < NRUN_FILES; i++) {
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
	if (history_commit(&h, app, ro->version, files, n, message, ro->force, commit, &err) < 0) {
		error("%s: nothing released; the run is in %s", err.buf, dir);
		return EXIT_FAIL;
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
	if (h.url && history_push(&h, app, ro->version, ro->force, &err) < 0) {
		error("the push to %s was refused (%s): if another runner released meanwhile, "
		      "release again; nothing released; the run is in %s", h.url, err.buf, dir);
		return EXIT_PUSH_REFUSED;
	}
	info("released %s %s: commit %.12s, tag %s/%s in %s%s", app, ro->version, commit, app,
	     ro->version, spec, h.url ? " (pushed)" : "");
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
	open_history(&h, spec);
	if (!history_find(&h, app, version, &rel))
		die_usage("no release %s %s in %s (see reduce log)", app, version, spec);
	char *work = xasprintf("%s/history/check-%s-%d", cache_dir(), app, (int)getpid());
	char *rec = xasprintf("%s/recorded", work), *out = xasprintf("%s/rebuilt", work);
	const char *names[] = { "bzImage", "initramfs.cpio.xz", "kernel.config", "rootfs.manifest",
				"profile.conf" };
	extract(&h, &rel, rec, names, 5);
	char *prof = xasprintf("%s/profile.conf", rec), *cfg = xasprintf("%s/kernel.config", rec),
	     *man = xasprintf("%s/rootfs.manifest", rec);
	if (!file_exists(prof) || !file_exists(cfg) || !file_exists(man))
		die_usage("release %s %s records no profile.conf, kernel.config or rootfs.manifest: "
			  "it cannot be built again", app, version);
	info("rebuilding %s %s (%.12s) from its kernel.config and rootfs.manifest", app, version,
	     rel.commit);
	struct rebuild rb = { .app = app, .profile = prof, .config = cfg, .manifest = man, .out = out };
	reduce_rebuild(&rb, root);
	struct strbuf report = STRBUF_INIT;
	int same = same_file(rec, out, "bzImage", &report);
	same &= same_file(rec, out, "initramfs.cpio.xz", &report);
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
"usage: reduce log [--history REPO] [APP]\n"
"\n"
"Lists the releases in the history (default reports/history.git), newest\n"
"first: APP/VERSION, commit, date and summary. With APP, that app's only.\n"
"\n"
"Exit status: 0 listed; 1 the history cannot be read or APP has no\n"
"releases; 2 bad command line.\n";

int cmd_log(int argc, char **argv, const char *root)
{
	struct release_options ro = { .max_growth = -1 };
	static const struct option longopts[] = {
		{ "history", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'y': ro.history = optarg; break;
		case 'h': fputs(log_usage, stdout); return 0;
		case ':': die_usage("%s needs a value (see reduce log --help)", argv[optind - 1]);
		default: die_usage("unknown option '%s' (see reduce log --help)", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		die_usage("unexpected argument '%s' (see reduce log --help)", argv[optind + 1]);
	const char *only = optind < argc ? argv[optind] : NULL;
	char *spec = history_spec(&ro, root);
	if (!history_is_url(spec) && !file_exists(spec))
		die("no history at %s (reduce release creates it)", spec);
	struct history h;
	open_history(&h, spec);
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
		for (int i = 0; i < n; i++) {
			char date[32];
			time_t t = (time_t)rels[i].time;
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M", gmtime(&t));
			char *name = xasprintf("%s/%s", apps.v[a], rels[i].version ? rels[i].version : "?");
			printf("%-24s %.12s  %s  %s\n", name, rels[i].commit, date, rels[i].summary);
			free(name);
			release_clear(&rels[i]);
			shown++;
		}
		free(rels);
	}
	if (fflush(stdout) != 0)
		die("cannot write to stdout");
	if (!shown && only)
		die("no releases of %s in %s", only, spec);
	if (!shown)
		die("no releases in %s", spec);
	sv_clear(&apps);
	history_close(&h);
	free(spec);
	return 0;
}
