#define _GNU_SOURCE
#include "oracle.h"
#include "initramfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Stores a fresh verdict. Timeouts are kept for this run only: on a less
 * loaded host they may not happen again, but within one run two node sets
 * that resolve to the same config should not both wait for one. */
static void record(struct tester *t, const char *key, enum verdict v)
{
	if (v == V_ABORT)
		return;
	if (v == V_TIMEOUT)
		memo_note(t->memo, key, v);
	else
		memo_put(t->memo, key, v);
}

/* A passing kernel candidate becomes the current one; without its
 * image when it was not built (a pass from the memo). */
static void take_kernel(struct kernel_cands *k, const char *hash, int built)
{
	if (built && rename(k->cand_kernel, k->cur->kernel) < 0)
		die_writing(k->cur->kernel);
	if (rename(k->cand_config, k->cur->config) < 0)
		die_writing(k->cur->config);
	memcpy(k->cur->config_hash, hash, 41);
	k->cur->kernel_stale = !built;
}

/* The options the removed nodes name, turned off, with Kconfig turning
 * off their dependents. */
static void resolve(struct kernel_cands *k, const unsigned char *removed, struct config *cand)
{
	struct strvec syms = STRVEC_INIT;
	for (int i = 0; i < k->kc->n; i++)
		if (removed[i] && !k->kc->group[i])
			sv_push(&syms, k->kc->name[i]);
	if (kconfig_resolve(k->kc, k->cand_config, syms.v, syms.n) < 0)
		die("Kconfig helper failed");
	sv_clear(&syms);
	config_load(k->cand_config, cand);
}

/* A host fault is no verdict: the run cannot go on without a harness
 * that works, and stops as Ctrl-C stops it (the memo and the candidates
 * tried are kept), so that running it again goes on from here. */
static void host_fault(const char *why)
{
	die("harness fault, not the candidate's: %s; the run stops here (its verdicts are kept: "
	    "run it again to go on)", why);
}

/* A guest out of memory is no fault of the candidate's either, but no
 * rerun helps it: the profile's memory must grow. */
static void trial_fault(const struct trial_result *res)
{
	if (res->memory_fault)
		die("not the candidate's fault: %s; the run stops here (its verdicts are kept): raise "
		    "`memory` in the profile and run it again", res->why);
	host_fault(res->why);
}

/* Builds and boots a kernel candidate that neither the memo nor an
 * earlier failure answers. */
static enum verdict build_and_test(struct kernel_cands *k, const struct boot_image *img,
				   uint64_t *build_ms, uint64_t *trial_ms)
{
	uint64_t t0 = now_ms();
	int st;
	const char *out[KIMAGES] = { NULL };
	out[k->form] = k->cand_kernel;
	for (int i = 1; (st = kbuild_image_for(k->kb, k->cand_config, out, 1u << k->form,
					   3600 * 1000)) ==
			KBUILD_HOST_FAULT && i < 3 && !interrupted; i++)
		warning("harness fault, not the candidate's (%s); building again (%d of 3)", k->kb->fault,
			i + 1);
	k->builds += st == 0;
	*build_ms = now_ms() - t0;
	if (interrupted)
		return V_ABORT;
	if (st == KBUILD_HOST_FAULT)
		host_fault(k->kb->fault);
	t0 = now_ms();
	enum verdict v;
	struct trial_result res;
	if (st == CHILD_TIMEOUT)
		v = V_TIMEOUT;
	else if (st < 0)
		v = V_BUILD;
	else if ((v = trial_run(k->t->trial, img, &res)) == V_HOST)
		trial_fault(&res);
	*trial_ms = now_ms() - t0;
	return v;
}

enum verdict kernel_oracle(void *ctx, const unsigned char *removed)
{
	struct kernel_cands *k = ctx;
	struct tester *t = k->t;
	struct config cand = CONFIG_INIT, cur = CONFIG_INIT;
	char hash[41], key[41], context[41];
	if (interrupted)
		return V_ABORT;
	resolve(k, removed, &cand);
	config_hash(&cand, hash);
	if (!strcmp(hash, k->cur->config_hash)) {
		config_release(&cand);
		return V_NOCHANGE;
	}
	struct strvec what = STRVEC_INIT;
	config_load(k->cur->config, &cur);
	config_turned_off(&cur, &cand, &what);
	config_release(&cur);
	struct boot_image img = { k->cand_kernel, k->cur->initrd, k->cur->initrd_bytes,
				  k->cur->initrd_unpacked };
	char harness[41];
	int mem = trial_memory_mb(t->trial, &img);
	trial_key(t->trial, &img, harness);
	memo_key(key, hash, k->cur->initrd_hash, harness);
	/* What else decides the verdict: a failure implies others only
	 * where it is the same. */
	memo_key(context, "", k->cur->initrd_hash, harness);
	enum verdict v = memo_get(t->memo, key);
	const struct failure *f;
	if (v != V_COUNT) {
		t->replayed += memo_from_earlier_run(t->memo, key);
		candlog_add(t->log, v, "memo", 0, 0, &what, mem);
		/* A pass from the memo is taken without a build: every later
		 * kernel candidate builds its own config, so the current
		 * kernel is not needed until the search ends. A run resumed
		 * from the memo then replays its passes at no cost instead
		 * of rebuilding each of them. */
		if (v == V_PASS) {
			failures_passed(&k->failures, &cand, context);
			take_kernel(k, hash, 0);
		} else {
			failures_add(&k->failures, &cand, context, t->log->n, v);
		}
	} else if ((f = failures_implying(&k->failures, &cand, context))) {
		char source[32];
		snprintf(source, sizeof(source), "implied:%d", f->cand);
		v = f->v;
		k->implied++;
		candlog_add(t->log, v, source, 0, 0, &what, mem);
	} else {
		uint64_t build_ms = 0, trial_ms = 0;
		v = build_and_test(k, &img, &build_ms, &trial_ms);
		if (v != V_ABORT) {
			candlog_add(t->log, v, "run", build_ms, trial_ms, &what, mem);
			record(t, key, v);
		}
		if (v == V_PASS) {
			failures_passed(&k->failures, &cand, context);
			take_kernel(k, hash, 1);
		} else if (v != V_ABORT) {
			failures_add(&k->failures, &cand, context, t->log->n, v);
		}
	}
	sv_clear(&what);
	config_release(&cand);
	return v;
}

/* The guest paths in the current image that the candidate leaves out. */
static void left_out(const struct rootfs_cands *r, const unsigned char *incl, struct strvec *what)
{
	unsigned char *cur = xmalloc(r->rf->n + 1);
	rootfs_included(r->rf, r->removed, cur);
	for (int i = 0; i < r->rf->n; i++)
		if (cur[i] && !incl[i])
			sv_pushf(what, "/%s", r->rf->path[i]);
	free(cur);
}

enum verdict rootfs_oracle(void *ctx, const unsigned char *removed)
{
	struct rootfs_cands *r = ctx;
	struct tester *t = r->t;
	struct initramfs im;
	if (interrupted)
		return V_ABORT;
	unsigned char *incl = xmalloc(r->rf->n + 1);
	rootfs_included(r->rf, removed, incl);
	if (initramfs_pack(&im, r->rf, incl, 0, 0) < 0)
		die("cannot pack the candidate initramfs");
	if (!strcmp(im.hash, r->cur->initrd_hash)) {
		initramfs_release(&im);
		free(incl);
		return V_NOCHANGE;
	}
	char key[41], harness[41];
	struct boot_image img = { r->cur->kernel, r->cand_initrd, (long long)im.cpio.len,
				  (long long)im.cpio.len };
	int mem = trial_memory_mb(t->trial, &img);
	trial_key(t->trial, &img, harness);
	memo_key(key, r->cur->config_hash, im.hash, harness);
	struct strvec what = STRVEC_INIT;
	left_out(r, incl, &what);
	free(incl);
	enum verdict v = memo_get(t->memo, key);
	int ran = v == V_COUNT;
	if (!ran) {
		t->replayed += memo_from_earlier_run(t->memo, key);
		candlog_add(t->log, v, "memo", 0, 0, &what, mem);
	} else {
		if (initramfs_write(&im, r->cand_initrd) < 0) {
			if (interrupted)
				v = V_ABORT;
			else
				die_writing(r->cand_initrd);
		} else {
			uint64_t t0 = now_ms();
			struct trial_result res;
			if ((v = trial_run(t->trial, &img, &res)) == V_HOST)
				trial_fault(&res);
			if (v != V_ABORT) {
				candlog_add(t->log, v, "run", 0, now_ms() - t0, &what, mem);
				record(t, key, v);
			}
		}
	}
	if (v == V_PASS) {
		/* A pass from the memo has no image on disk yet. */
		int ok = ran ?
			rename(r->cand_initrd, r->cur->initrd) == 0 :
			initramfs_write(&im, r->cur->initrd) == 0;
		if (!ok)
			die_writing(r->cur->initrd);
		r->cur->initrd_raw = 1;
		r->cur->initrd_unpacked = r->cur->initrd_bytes = im.cpio.len;
		memcpy(r->cur->initrd_hash, im.hash, 41);
	}
	sv_clear(&what);
	initramfs_release(&im);
	return v;
}
