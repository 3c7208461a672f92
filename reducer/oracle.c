#define _GNU_SOURCE
/* The oracles: build and boot one candidate of the kernel or rootfs tree,
 * with the verdict memo in front and candidates.tsv behind. */
#include "oracle.h"
#include "cpio.h"
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fmt_elapsed(uint64_t ms, char *buf, size_t n)
{
	unsigned long s = ms / 1000;
	snprintf(buf, n, "%lum%02lus", s / 60, s % 60);
}

void progress(void *ctx, const struct search_stats *st, int remaining, int total)
{
	struct run *r = ctx;
	char el[32];
	if (r->o->quiet)
		return;
	fmt_elapsed(now_ms() - r->t0, el, sizeof(el));
	char kernel[48];
	if (r->cur_kernel_stale)
		snprintf(kernel, sizeof(kernel), "not built yet (passes from the memo)");
	else
		snprintf(kernel, sizeof(kernel), "%lld B", file_size(r->cur_kernel));
	fprintf(stderr, "%s: [%s] candidate %d: accepted %d, rejected %d, %d of %d items remain; "
		"kernel %s, initramfs %lld B%s; %s\n",
		progname, r->phase, st->tested, st->accepted, st->tested - st->accepted, remaining, total,
		kernel, file_size(r->cur_initrd),
		r->cur_initrd_raw ? " (cpio, uncompressed)" : "", el);
}

enum verdict run_trial(struct run *r, const char *kernel, const char *initrd,
			      struct trial_result *res)
{
	r->vmc.kernel = kernel;
	r->vmc.initrd = initrd;
	r->rep.boots++;
	return trial_run(&r->trial, res);
}

/* Stores a fresh verdict. Timeouts are kept for this run only: on a less
 * loaded host they may not happen again, but within one run two node sets
 * that resolve to the same config should not both wait for one. */
static void record(struct run *r, const char *key, enum verdict v, enum verdict known)
{
	if (v == V_ABORT || known != V_COUNT)
		return;
	if (v == V_TIMEOUT)
		memo_note(&r->memo, key, v);
	else
		memo_put(&r->memo, key, v);
}

/* One line per candidate, so that a user can see what was tried, what it
 * cost and why it was rejected; memo replays cost nothing and say so. */
static void log_candidate(struct run *r, enum verdict v, const char *source, uint64_t build_ms,
			  uint64_t trial_ms, const struct strvec *what)
{
	r->rep.build_ms += build_ms;
	r->rep.trial_ms += trial_ms;
	if (!r->cand_log)
		return;
	fprintf(r->cand_log, "%d\t%s\t%s\t%s\t%.1f\t%.1f\t%zu\t", ++r->cand_n, r->phase,
		verdict_names[v], source, build_ms / 1000.0,
		trial_ms / 1000.0, what->n);
	for (size_t i = 0; i < what->n; i++)
		fprintf(r->cand_log, "%s%s", i ? " " : "", what->v[i]);
	fputc('\n', r->cand_log);
	fflush(r->cand_log);
}

/* A passing kernel candidate becomes the current one; without its
 * image when it was not built (a pass from the memo). */
static void take_candidate(struct run *r, const char *hash, int built)
{
	if (built && rename(r->cand_kernel, r->cur_kernel) < 0)
		die("cannot rename %s: %s", r->cand_kernel, strerror(errno));
	if (rename(r->cand_config, r->cur_config) < 0)
		die("cannot rename %s: %s", r->cand_config, strerror(errno));
	memcpy(r->cur_config_hash, hash, 41);
	r->cur_kernel_stale = !built;
}

/* Oracle for the kernel tree: turn off the symbols of the removed nodes,
 * let Kconfig force off their dependents, build and test. */
enum verdict kernel_oracle(void *ctx, const unsigned char *removed)
{
	struct run *r = ctx;
	struct strvec syms = STRVEC_INIT;
	char hash[41];
	if (interrupted)
		return V_ABORT;
	for (int i = 0; i < r->kc.n; i++)
		if (removed[i] && !r->kc.group[i])
			sv_push(&syms, r->kc.name[i]);
	if (kconfig_resolve(&r->kc, r->cand_config, syms.v, syms.n) < 0)
		die("Kconfig helper failed");
	sv_clear(&syms);
	if (config_hash(r->cand_config, hash) < 0)
		die("cannot read %s", r->cand_config);
	if (!strcmp(hash, r->cur_config_hash))
		return V_NOCHANGE;
	char key[41];
	struct strvec what = STRVEC_INIT;
	removed_options(r->cur_config, r->cand_config, &what);
	memo_key(key, hash, r->cur_cpio_hash, r->tests_hash);
	enum verdict known = memo_get(&r->memo, key);
	struct lineset lines;
	if (lineset_read_config(&lines, r->cand_config) < 0)
		die("cannot read %s", r->cand_config);
	char context[41];
	memo_key(context, "", r->cur_cpio_hash, r->tests_hash);
	if (known != V_COUNT && known != V_PASS) {
		r->rep.replayed += memo_from_earlier_run(&r->memo, key);
		log_candidate(r, known, "memo", 0, 0, &what);
		failures_add(&r->failures, &lines, context, r->cand_n, known);
		sv_clear(&what);
		return known;
	}
	/* A pass from the memo is taken without a build: every later kernel
	 * candidate builds its own config, so the current kernel is not
	 * needed until the search ends (build_current_kernel()). A run resumed
	 * from the memo then replays its passes at no cost instead of
	 * rebuilding each of them. */
	if (known == V_PASS) {
		r->rep.replayed += memo_from_earlier_run(&r->memo, key);
		log_candidate(r, V_PASS, "memo", 0, 0, &what);
		sv_clear(&what);
		failures_passed(&r->failures, &lines, context);
		lineset_release(&lines);
		take_candidate(r, hash, 0);
		return V_PASS;
	}
	const struct failure *f = known == V_COUNT ?
		failures_implying(&r->failures, &lines, context) : NULL;
	if (f) {
		char source[32];
		snprintf(source, sizeof(source), "implied:%d", f->cand);
		enum verdict v = f->v;
		r->rep.implied++;
		log_candidate(r, v, source, 0, 0, &what);
		lineset_release(&lines);
		sv_clear(&what);
		return v;
	}
	uint64_t t_build = now_ms();
	int st = kbuild_image_for(&r->kb, r->cand_config, r->cand_kernel, 3600 * 1000);
	r->rep.builds += st == 0;
	t_build = now_ms() - t_build;
	if (interrupted) {
		lineset_release(&lines);
		sv_clear(&what);
		return V_ABORT;
	}
	enum verdict v;
	struct trial_result res;
	uint64_t t_trial = now_ms();
	if (st == RUN_TIMEOUT)
		v = V_TIMEOUT;
	else if (st < 0)
		v = V_BUILD;
	else
		v = run_trial(r, r->cand_kernel, r->cur_initrd, &res);
	t_trial = now_ms() - t_trial;
	if (v != V_ABORT)
		log_candidate(r, v, known != V_COUNT ? "memo" : "run", t_build, t_trial, &what);
	sv_clear(&what);
	record(r, key, v, known);
	if (v == V_PASS) {
		failures_passed(&r->failures, &lines, context);
		take_candidate(r, hash, 1);
	}
	/* Keeps a boot or test failure; frees the lines otherwise. */
	failures_add(&r->failures, &lines, context, r->cand_n, v);
	return v;
}

int make_initrd(struct run *r, const unsigned char *removed, const char *path,
		       const char *level, int skip_same, char hash[41], long long *raw_bytes)
{
	struct strbuf cpio = STRBUF_INIT;
	rootfs_included(&r->rf, removed, r->incl);
	if (cpio_build(&r->rf, r->incl, &cpio) < 0) {
		sb_release(&cpio);
		return -1;
	}
	content_hash(cpio.buf, cpio.len, hash);
	/* The hash names the image as booted: a kernel that unpacks a plain
	 * cpio may not unpack an xz one, so their verdicts must not mix. */
	if (level) {
		char *s = xasprintf("%s xz%s", hash, r->xz_x86 ? "-x86" : "");
		content_hash(s, strlen(s), hash);
		free(s);
	}
	if (raw_bytes)
		*raw_bytes = cpio.len;
	int ret = 0;
	if (skip_same && !strcmp(hash, r->cur_cpio_hash))
		ret = 0;
	else if (!level)
		ret = write_file_atomic(path, cpio.buf, cpio.len);
	else
		ret = cpio_compress(&cpio, path, level, r->xz_x86);
	if (ret < 0 && !interrupted)
		error("cannot write %s", path);
	sb_release(&cpio);
	return ret;
}

/* Oracle for the rootfs tree: drop the removed entries from the initramfs
 * and test it with the current kernel; no kernel build needed. */
enum verdict rootfs_oracle(void *ctx, const unsigned char *removed)
{
	struct run *r = ctx;
	char hash[41];
	if (interrupted)
		return V_ABORT;
	if (make_initrd(r, removed, r->cand_initrd, NULL, 1, hash, NULL) < 0) {
		if (interrupted)
			return V_ABORT;
		die("cannot write the candidate initramfs");
	}
	if (!strcmp(hash, r->cur_cpio_hash))
		return V_NOCHANGE;
	char key[41];
	memo_key(key, r->cur_config_hash, hash, r->tests_hash);
	enum verdict v = memo_get(&r->memo, key);
	enum verdict known = v;
	struct trial_result res;
	/* make_initrd left the candidate's entries in incl. */
	struct strvec what = STRVEC_INIT;
	unsigned char *cur = xmalloc(r->rf.n + 1);
	rootfs_included(&r->rf, r->rf_removed, cur);
	for (int i = 0; i < r->rf.n; i++)
		if (cur[i] && !r->incl[i])
			sv_pushf(&what, "/%s", r->rf.path[i]);
	free(cur);
	uint64_t t_trial = now_ms();
	if (v != V_COUNT)
		r->rep.replayed += memo_from_earlier_run(&r->memo, key);
	else
		v = run_trial(r, r->cur_kernel, r->cand_initrd, &res);
	if (v != V_ABORT)
		log_candidate(r, v, known != V_COUNT ? "memo" : "run", 0, now_ms() - t_trial, &what);
	sv_clear(&what);
	record(r, key, v, known);
	if (v == V_PASS) {
		rename(r->cand_initrd, r->cur_initrd);
		r->cur_initrd_raw = 1;
		memcpy(r->cur_cpio_hash, hash, 41);
	}
	return v;
}

/* Symbols enabled in `a` but not in `b`. */
void removed_options(const char *a, const char *b, struct strvec *out)
{
	struct strbuf sa = STRBUF_INIT, sbb = STRBUF_INIT;
	read_file(a, &sa);
	read_file(b, &sbb);
	for (char *l = strtok(sa.buf, "\n"); l; l = strtok(NULL, "\n")) {
		size_t len = strlen(l);
		if (strncmp(l, "CONFIG_", 7) || len < 3 || strcmp(l + len - 2, "=y"))
			continue;
		if (!has_line(sbb.buf, l)) {
			l[len - 2] = '\0';
			sv_push(out, l);
		}
	}
	sb_release(&sa);
	sb_release(&sbb);
}
