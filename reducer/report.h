#ifndef REDUCE_REPORT_H
#define REDUCE_REPORT_H

#include "search.h"
#include "util.h"

struct before_after {
	long long before, after;
};

/* Where a run's wall time goes, in the order a run passes through. */
enum stage {
	STAGE_SETUP,            /* inputs, the rootfs unpacked */
	STAGE_BASE_BUILD,       /* the baseline kernel built */
	STAGE_BASELINE,         /* its image packed, booted and tested; the negative control */
	STAGE_ROOTFS,           /* the rootfs search and its proof */
	STAGE_KERNEL,           /* the kernel search */
	STAGE_VERIFY,           /* the final image packed and booted again */
	STAGE_COUNT
};
extern const char *const stage_names[STAGE_COUNT];

/* Everything a run measured; written as report.json and report.md. */
struct report {
	const char *app;
	const char *kernel_base;
	const char *strategy;
	const char *accel;
	const char *phases;     /* "rootfs+kernel", "rootfs" or "kernel" */
	const char *compression; /* of the initramfs, e.g. "xz -9e, x86 BCJ" */
	struct before_after image_bytes, options_enabled, initramfs_bytes, initramfs_raw, files;
	struct before_after ms_to_init, ms_to_ready;
	int tested, accepted, nochange;
	int rejected[V_COUNT];
	int builds, boots;
	int replayed;           /* verdicts taken from earlier runs' memo */
	int implied;            /* kernel verdicts implied by an earlier failure, not built */
	int files_checked;      /* single-file removals tested in the rootfs phase */
	int one_minimal;        /* 1 proven, -1 the proof found more, 0 not checked */
	int closure_paths;      /* kept by the static pass (the app's ELF closure) */
	int stopped_early;      /* --max-candidates ran out */
	long wall_seconds;
	long long stage_ms[STAGE_COUNT];
	long long build_ms, trial_ms; /* summed over the candidates (candidates.tsv) */
	int verified;
	int verify_runs, verify_passed;
	const char *run_command;
	struct strvec removed_options;
	/* Options predicted needed before the kernel search (needs.h), and
	 * those of them it found removable all the same. */
	struct strvec predicted_options, predicted_wrong;
	/* Options the harness needs, kept without a test. */
	struct strvec required_options;
	struct strvec removed_files;
};

void report_json(const struct report *r, struct strbuf *out);
void report_markdown(const struct report *r, struct strbuf *out);
/* Appends s as a JSON string literal. */
void json_string(struct strbuf *out, const char *s);

#endif
