/*
 * reduce diff: two run directories side by side, for a CI job that wants
 * to see what a new release's image gained or lost against the last one.
 */
#include "rundiff.h"
#include "history.h"
#include "config.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void split_sorted(const char *text, struct strvec *out)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		if (n) {
			char *line = xstrndup(p, n);
			sv_push(out, line);
			free(line);
		}
		p += n + (p[n] == '\n');
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), strptr_cmp);
}

void lines_only_in(const char *a, const char *b, struct strvec *out)
{
	struct strvec la = STRVEC_INIT, lb = STRVEC_INIT;
	split_sorted(a, &la);
	split_sorted(b, &lb);
	sv_sorted_minus(&la, &lb, out);
	sv_clear(&la);
	sv_clear(&lb);
}

struct run_dir {
	const char *dir;
	struct report_doc report;
	struct config config;
	struct strbuf manifest;
	char *app;
};

static void load(struct run_dir *r, const char *dir)
{
	struct strbuf err = STRBUF_INIT;
	r->dir = dir;
	if (!file_exists(dir))
		die_usage("run directory %s does not exist", dir);
	const char *names[] = { "report.json", "kernel.config", "rootfs.manifest" };
	char *paths[3];
	for (int i = 0; i < 3; i++) {
		paths[i] = xasprintf("%s/%s", dir, names[i]);
		if (!file_exists(paths[i]))
			die_usage("%s is not a run directory: cannot read %s", dir, names[i]);
	}
	if (report_load(paths[0], &r->report, &err) < 0)
		die_usage("%s: %s", paths[0], err.buf);
	if (config_read(paths[1], &r->config) < 0)
		die_usage("%s is not a run directory: cannot read kernel.config", dir);
	if (read_file(paths[2], &r->manifest) < 0)
		die_usage("%s is not a run directory: cannot read rootfs.manifest", dir);
	const char *app = report_string(&r->report, "app");
	r->app = xstrdup(app ? app : "?");
	for (int i = 0; i < 3; i++)
		free(paths[i]);
	sb_release(&err);
}

static long long need(const struct run_dir *r, const char *path)
{
	int ok;
	long long v = report_number(&r->report, path, &ok);
	if (!ok)
		die_usage("%s/report.json has no %s (not a report of this version of reduce?)", r->dir, path);
	return v;
}

static void figure(struct strbuf *out, const char *what, const struct run_dir *a,
		   const struct run_dir *b, const char *path)
{
	long long va = need(a, path), vb = need(b, path);
	sb_addf(out, "| %s | %lld | %lld | %+lld", what, va, vb, vb - va);
	if (va)
		sb_addf(out, " (%+.1f%%)", 100.0 * (vb - va) / va);
	sb_adds(out, " |\n");
}

static void section(struct strbuf *out, const char *title, const struct strvec *v)
{
	sb_addf(out, "\n## %s (%zu)\n\n", title, v->n);
	for (size_t i = 0; i < v->n; i++)
		sb_addf(out, "- `%s`\n", v->v[i]);
}

/* Whether a file of the image is the same bytes in both directories:
 * 1 same, 0 differs, -1 one of them lacks it. */
static int same_bytes(const char *a, const char *b, const char *name)
{
	char *pa = xasprintf("%s/%s", a, name), *pb = xasprintf("%s/%s", b, name);
	char ha[41], hb[41];
	int rc = file_hash(pa, ha) < 0 || file_hash(pb, hb) < 0 ? -1 : !strcmp(ha, hb);
	free(pa);
	free(pb);
	return rc;
}

int run_diff(const char *dir_a, const char *label_a, const char *dir_b, const char *label_b,
	     struct strbuf *out)
{
	struct run_dir a = { 0 }, b = { 0 };
	load(&a, dir_a);
	load(&b, dir_b);

	sb_addf(out, "# reduce diff\n\nA: `%s` (%s)  \nB: `%s` (%s)\n\n", label_a, a.app, label_b,
		b.app);
	sb_adds(out, "| | A | B | change |\n|---|---:|---:|---:|\n");
	figure(out, "kernel image bytes", &a, &b, "kernel.image_bytes.after");
	figure(out, "initramfs bytes", &a, &b, "initramfs.bytes.after");
	figure(out, "total bytes", &a, &b, "total_bytes.after");
	figure(out, "kernel options enabled", &a, &b, "kernel.options_enabled.after");
	figure(out, "rootfs files", &a, &b, "rootfs.files.after");
	figure(out, "boot ms to init", &a, &b, "boot.ms_to_init.after");
	figure(out, "boot ms to app ready", &a, &b, "boot.ms_to_ready.after");

	struct strvec gone = STRVEC_INIT, added = STRVEC_INIT, changed = STRVEC_INIT;
	config_diff(&a.config, &b.config, &gone, &added, &changed);
	struct strvec fa = STRVEC_INIT, fb = STRVEC_INIT;
	lines_only_in(a.manifest.buf, b.manifest.buf, &fa);
	lines_only_in(b.manifest.buf, a.manifest.buf, &fb);

	section(out, "Kernel options only in A", &gone);
	section(out, "Kernel options only in B", &added);
	section(out, "Kernel options with another value in B", &changed);
	section(out, "Rootfs files only in A", &fa);
	section(out, "Rootfs files only in B", &fb);
	size_t nopt = gone.n + added.n + changed.n, nfile = fa.n + fb.n;
	if (nopt || nfile)
		sb_addf(out, "\nThe images differ: %zu kernel options, %zu rootfs files.\n", nopt, nfile);
	else
		sb_adds(out, "\nThe images hold the same kernel options and rootfs files.\n");
	const char *images[] = { "bzImage", "vmlinux", "initramfs.cpio.xz" };
	for (int i = 0; i < 3; i++) {
		int same = same_bytes(dir_a, dir_b, images[i]);
		if (same >= 0)
			sb_addf(out, "%s: %s.\n", images[i], same ? "byte-identical" : "different bytes");
	}

	struct strvec *vs[] = { &gone, &added, &changed, &fa, &fb };
	for (size_t i = 0; i < sizeof(vs) / sizeof(*vs); i++)
		sv_clear(vs[i]);
	struct run_dir *rs[] = { &a, &b };
	for (int i = 0; i < 2; i++) {
		report_doc_release(&rs[i]->report);
		config_release(&rs[i]->config);
		sb_release(&rs[i]->manifest);
		free(rs[i]->app);
	}
	return (int)(nopt + nfile);
}

/* What resolve() extracted: removed on the way out, an error's too. */
static char *extracted[2];

static void remove_extracted(void)
{
	for (int i = 0; i < 2; i++)
		if (extracted[i]) {
			rm_rf(extracted[i]);
			free(extracted[i]);
			extracted[i] = NULL;
		}
}

/* A run directory, or APP@VERSION: that release's files, written into
 * a directory of its own in the cache. */
static const char *resolve(const char *arg, const char *history, const char *root, int i,
			   char **tmp)
{
	*tmp = NULL;
	const char *at = strrchr(arg, '@');
	if (file_exists(arg) || !at || at == arg || !at[1])
		return arg;
	char *spec = history ? xstrdup(history) : xasprintf("%s/reports/history.git", root);
	struct history h;
	struct release rel;
	struct strbuf err = STRBUF_INIT;
	if (history_open(&h, spec, 0, &err) < 0)
		die_usage("%s is neither a run directory nor a release: %s", arg, err.buf);
	char *app = xstrndup(arg, at - arg);
	if (!history_find(&h, app, at + 1, &rel))
		die_usage("%s is neither a run directory nor a release in %s", arg, history_display(spec));
	*tmp = xasprintf("%s/history/diff-%d-%d", cache_dir(), (int)getpid(), i);
	extracted[i] = xstrdup(*tmp);
	set_die_cleanup(remove_extracted);
	const char *names[] = { "report.json", "kernel.config", "rootfs.manifest", "bzImage",
				"initramfs.cpio.xz", "vmlinux" };
	if (history_extract(&h, &rel, *tmp, names, 6, &err) < 0)
		die("%s", err.buf);
	release_clear(&rel);
	history_close(&h);
	free(app);
	free(spec);
	sb_release(&err);
	return *tmp;
}

int cmd_diff(int argc, char **argv, const char *root)
{
	const char *history = NULL;
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs("usage: reduce diff [--history REPO] A B\n\n"
		      "Compares two runs (e.g. reports/nginx/<time>), each a run directory or\n"
		      "APP@VERSION, a release in the history (default reports/history.git):\n"
		      "sizes, boot time, the kernel options and rootfs files that only one of\n"
		      "them has, and whether the images are the same bytes.\n\n"
		      "Exit status: 0 both images hold the same options and files; 1 they\n"
		      "differ; 2 bad command line, not a run directory or no such release.\n", stdout);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "--history")) {
		history = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3)
		die_usage("diff needs two runs, e.g. reduce diff reports/nginx/A nginx@1.25.3");
	char *tmp[2];
	const char *a = resolve(argv[1], history, root, 0, &tmp[0]);
	const char *b = resolve(argv[2], history, root, 1, &tmp[1]);
	struct strbuf out = STRBUF_INIT;
	int n = run_diff(a, argv[1], b, argv[2], &out);
	remove_extracted();
	set_die_cleanup(NULL);
	free(tmp[0]);
	free(tmp[1]);
	fwrite(out.buf, 1, out.len, stdout);
	if (fflush(stdout) != 0)
		die("cannot write the diff to stdout");
	sb_release(&out);
	return n ? EXIT_FAIL : EXIT_OK;
}
