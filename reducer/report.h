#ifndef REDUCE_REPORT_H
#define REDUCE_REPORT_H

#include "compile.h"
#include "stage.h"
#include "util.h"
#include "verdict.h"

struct before_after {
	long long before, after;
};


/* Everything a run measured; written as report.json and report.md. */
struct report {
	const char *app;
	const char *kernel_base;
	const char *image, *image_digest; /* an OCI image's name and manifest digest, or NULL */
	const char *kernel_source; /* its version, e.g. 6.1.192 */
	long long source_date_epoch; /* the images' date (SOURCE_DATE_EPOCH, or 0) */
	const char *strategy;
	const char *accel;
	const char *phases;     /* "rootfs+kernel", "rootfs" or "kernel" */
	const char *compression; /* of the initramfs, e.g. "xz -9e, x86 BCJ" */
	const char *machine;    /* --machine: pc or microvm */
	const char *boot_args;  /* the kernel command line the machine boots with */
	struct before_after image_bytes, options_enabled, initramfs_bytes, initramfs_raw, files;
	struct before_after vmlinux_bytes; /* the stripped vmlinux beside the bzImage */
	int vmlinux_pvh;        /* the final kernel has PVH: its vmlinux has the entry note */
	struct before_after ms_to_init, ms_to_ready;
	/* ms to ready in three: QEMU start until the kernel's clock starts
	 * (firmware, loading, a bzImage's decompression), the kernel until
	 * init, init until the app is ready; -1 when not measured. */
	struct before_after ms_loader, ms_kernel, ms_init_to_ready;
	int memory_mib;         /* the profile's guest memory */
	/* The least guest memory the image passes its tests in, -1 when not
	 * searched (--no-min-memory) or the search stopped. */
	struct before_after min_memory_mib;
	int min_memory_boots;
	const char *guest_memory; /* what the final guest's /proc/meminfo said when ready */
	int tested, accepted, nochange;
	int rejected[V_COUNT];
	int builds, boots;
	int replayed;           /* verdicts taken from earlier runs' memo */
	int implied;            /* kernel verdicts implied by an earlier failure, not built */
	int files_checked;      /* single-file removals tested in the rootfs phase */
	int files_touched;      /* entries the observing boot saw touched, -1 if none ran */
	int one_minimal;        /* 1 proven, -1 the proof found more, 0 not checked */
	int closure_paths;      /* kept by the static pass (the app's ELF closure) */
	int stopped_early;      /* --max-candidates ran out */
	long wall_seconds;
	long long stage_ms[STAGE_COUNT];
	long long build_ms, trial_ms; /* summed over the candidates (candidates.tsv) */
	/* Every kernel build of the run: its wall time, where its
	 * compilations ran, and what was asked for (never the remote's URL
	 * or the host names: reports travel). */
	long long compile_ms;
	struct compile_counts compile;
	const struct compilers *compilers;
	int verified;
	int verify_runs, verify_passed;
	int verify_flaky;       /* some verification boots passed, some failed */
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

/* A report.json read back (reduce diff, --hint), parsed by jansson. */
struct report_doc {
	void *json;
};
/* -1 with a one-line reason in err if the text is not a JSON object. */
int report_parse(const char *text, struct report_doc *d, struct strbuf *err);
int report_load(const char *path, struct report_doc *d, struct strbuf *err);
/* The integer at a dotted key path ("kernel.image_bytes.after"); *ok is 0
 * and the result -1 when there is none. */
long long report_number(const struct report_doc *d, const char *path, int *ok);
/* The string at a dotted key path, or NULL. */
const char *report_string(const struct report_doc *d, const char *path);
void report_doc_release(struct report_doc *d);
void report_markdown(const struct report *r, struct strbuf *out);
/* Appends s as a JSON string literal. */
void json_quote(struct strbuf *out, const char *s);

#endif
