#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void json_quote(struct strbuf *out, const char *s)
{
	sb_adds(out, "\"");
	for (; *s; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\')
			sb_addf(out, "\\%c", c);
		else if (c == '\n')
			sb_adds(out, "\\n");
		else if (c < 0x20)
			sb_addf(out, "\\u%04x", c);
		else
			sb_add(out, (const char *)&c, 1);
	}
	sb_adds(out, "\"");
}

static void ba(struct strbuf *out, const char *key, struct before_after v, const char *tail)
{
	sb_addf(out, "\"%s\": {\"before\": %lld, \"after\": %lld}%s", key, v.before, v.after, tail);
}

static void list(struct strbuf *out, const struct strvec *sv)
{
	sb_adds(out, "[");
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sb_adds(out, ", ");
		json_quote(out, sv->v[i]);
	}
	sb_adds(out, "]");
}

/* What the machine boots: a microvm loads the vmlinux, not the bzImage. */
static int boots_vmlinux(const struct report *r)
{
	return r->machine && !strcmp(r->machine, "microvm");
}

/* Kernel and initramfs bytes, the kernel in the form the machine boots:
 * report.json's total_bytes and report.md's total row. */
static struct before_after total_bytes(const struct report *r)
{
	struct before_after k = boots_vmlinux(r) ? r->vmlinux_bytes : r->image_bytes;
	return (struct before_after){ k.before + r->initramfs_bytes.before, k.after + r->initramfs_bytes.after };
}

void report_json(const struct report *r, struct strbuf *out)
{
	sb_adds(out, "{\n  \"app\": ");
	json_quote(out, r->app);
	sb_adds(out, ",\n  \"kernel_base\": ");
	json_quote(out, r->kernel_base);
	if (r->image) {
		sb_adds(out, ",\n  \"image\": {\"name\": ");
		json_quote(out, r->image);
		sb_adds(out, ", \"digest\": ");
		json_quote(out, r->image_digest ? r->image_digest : "");
		sb_adds(out, "}");
	}
	sb_adds(out, ",\n  \"kernel_source\": ");
	json_quote(out, r->kernel_source ? r->kernel_source : "");
	sb_addf(out, ",\n  \"source_date_epoch\": %lld", r->source_date_epoch);
	sb_adds(out, ",\n  \"strategy\": ");
	json_quote(out, r->strategy);
	sb_adds(out, ",\n  \"accel\": ");
	json_quote(out, r->accel);
	sb_adds(out, ",\n  \"machine\": ");
	json_quote(out, r->machine ? r->machine : "pc");
	sb_adds(out, ",\n  \"boot_args\": ");
	json_quote(out, r->boot_args ? r->boot_args : "");
	sb_adds(out, ",\n  \"phases\": ");
	json_quote(out, r->phases ? r->phases : "");
	sb_adds(out, ",\n  \"kernel\": {");
	ba(out, "image_bytes", r->image_bytes, ", ");
	ba(out, "vmlinux_bytes", r->vmlinux_bytes, ", ");
	sb_addf(out, "\"vmlinux_pvh\": %s, ", r->vmlinux_pvh ? "true" : "false");
	ba(out, "options_enabled", r->options_enabled, ", \"removed_options\": ");
	list(out, &r->removed_options);
	sb_adds(out, ", \"predicted_needed\": ");
	list(out, &r->predicted_options);
	sb_adds(out, ", \"predicted_wrong\": ");
	list(out, &r->predicted_wrong);
	sb_adds(out, ", \"required\": ");
	list(out, &r->required_options);
	sb_adds(out, "},\n  \"initramfs\": {");
	ba(out, "bytes", r->initramfs_bytes, ", ");
	ba(out, "uncompressed_bytes", r->initramfs_raw, ", ");
	sb_adds(out, "\"compression\": ");
	json_quote(out, r->compression ? r->compression : "xz");
	sb_adds(out, "},\n");
	sb_adds(out, "  \"rootfs\": {");
	ba(out, "files", r->files, "");
	sb_addf(out, ", \"files_touched\": %d, \"files_checked\": %d, \"one_minimal\": %s, "
		"\"elf_closure\": %d, \"removed_files\": ", r->files_touched, r->files_checked,
		r->one_minimal > 0 ? "true" : "false", r->closure_paths);
	list(out, &r->removed_files);
	struct before_after total = total_bytes(r);
	sb_adds(out, "},\n  \"total_bytes\": ");
	sb_addf(out, "{\"before\": %lld, \"after\": %lld},\n", total.before, total.after);
	sb_adds(out, "  \"boot\": {");
	ba(out, "ms_to_init", r->ms_to_init, ", ");
	ba(out, "ms_to_ready", r->ms_to_ready, ", \"phases_ms\": {");
	ba(out, "firmware_loader", r->ms_loader, ", ");
	ba(out, "kernel", r->ms_kernel, ", ");
	ba(out, "init_to_ready", r->ms_init_to_ready, "}},\n");
	sb_addf(out, "  \"memory\": {\"profile_mib\": %d, ", r->memory_mib);
	ba(out, "min_memory_mib", r->min_memory_mib, "");
	sb_addf(out, ", \"min_memory_boots\": %d, \"guest_meminfo\": ", r->min_memory_boots);
	json_quote(out, r->guest_memory ? r->guest_memory : "");
	sb_adds(out, "},\n");
	sb_addf(out, "  \"candidates\": {\"tested\": %d, \"accepted\": %d, \"unchanged\": %d, "
		"\"rejected\": {\"build\": %d, \"boot\": %d, \"timeout\": %d, \"test\": %d}, "
		"\"stopped_early\": %s},\n",
		r->tested, r->accepted, r->nochange, r->rejected[V_BUILD], r->rejected[V_BOOT],
		r->rejected[V_TIMEOUT], r->rejected[V_TEST], r->stopped_early ? "true" : "false");
	sb_adds(out, "  \"compile\": ");
	compile_json(r->compilers, &r->compile, r->compile_ms, out);
	sb_adds(out, ",\n");
	sb_addf(out, "  \"builds\": %d,\n  \"boots\": %d,\n  \"replayed\": %d,\n  \"implied\": %d,\n"
		"  \"wall_seconds\": %ld,\n", r->builds, r->boots, r->replayed, r->implied, r->wall_seconds);
	sb_adds(out, "  \"seconds\": {");
	for (int i = 0; i < STAGE_COUNT; i++) {
		sb_adds(out, "\"");
		for (const char *c = stage_names[i]; *c; c++)
			sb_add(out, *c == ' ' ? "_" : c, 1);
		sb_addf(out, "\": %.1f, ", r->stage_ms[i] / 1000.0);
	}
	sb_addf(out, "\"candidate_builds\": %.1f, \"candidate_trials\": %.1f},\n",
		r->build_ms / 1000.0, r->trial_ms / 1000.0);
	sb_addf(out, "  \"verified\": %s,\n  \"verify\": {\"runs\": %d, \"passed\": %d, \"flaky\": %s},\n",
		r->verified ? "true" : "false", r->verify_runs, r->verify_passed,
		r->verify_flaky ? "true" : "false");
	sb_adds(out, "  \"run_command\": ");
	json_quote(out, r->run_command);
	sb_adds(out, "\n}\n");
}

/* Where the kernel builds' seconds went: the compilations ccache served
 * (from here or the remote), and those compiled (here or by distcc). */
static void compile_sentence(const struct report *r, struct strbuf *out)
{
	const struct compilers *cc = r->compilers;
	const struct compile_counts *c = &r->compile;
	if (!r->compile_ms)
		return;
	sb_addf(out, "Kernel builds took %.0f s: %lld compilations served by the local ccache, ",
		r->compile_ms / 1000.0, c->local_hits);
	if (cc && cc->remote)
		sb_addf(out, "%lld by its remote storage%s, ", c->remote_hits,
			c->remote_errors ? " (which did not always answer)" : "");
	sb_addf(out, "%lld compiled", c->compiled);
	if (cc && cc->distcc_hosts)
		sb_addf(out, " through distcc (%d hosts, %d jobs): %lld by its hosts, %lld here", cc->distcc_hosts_n,
			cc->distcc_slots, c->distributed, c->fell_back);
	sb_adds(out, ".\n\n");
}

/* `A`, `B`, `C` in a sentence, after `lead` (nothing if the list is empty). */
static void inline_list(struct strbuf *out, const struct strvec *sv, const char *lead)
{
	for (size_t i = 0; i < sv->n; i++)
		sb_addf(out, "%s`%s`", i ? ", " : lead, sv->v[i]);
}

static void row(struct strbuf *out, const char *what, struct before_after v)
{
	double pct = v.before ? 100.0 * (v.after - v.before) / v.before : 0;
	sb_addf(out, "| %s | %lld | %lld | %+.1f%% |\n", what, v.before, v.after, pct);
}

/* Where ms to ready went, as bars of text: one character a step of the
 * longest boot, so that before and after compare at a glance. */
static void phase_bars(const struct report *r, struct strbuf *out)
{
	const struct before_after *ph[] = { &r->ms_loader, &r->ms_kernel, &r->ms_init_to_ready };
	static const char *const names[] = { "firmware+loader", "kernel", "init to ready" };
	static const char marks[] = "=#+";
	if (r->ms_loader.after < 0 || r->ms_loader.before < 0)
		return;
	long long longest = 1;
	for (int w = 0; w < 2; w++) {
		long long sum = 0;
		for (int i = 0; i < 3; i++)
			sum += w ? ph[i]->after : ph[i]->before;
		if (sum > longest)
			longest = sum;
	}
	sb_adds(out, "Boot phases, ms (firmware+loader: QEMU start until the kernel's clock starts; "
		"kernel: until init; then init until the app is ready):\n\n```\n");
	for (int w = 0; w < 2; w++) {
		sb_addf(out, "%-7s ", w ? "after" : "before");
		for (int i = 0; i < 3; i++) {
			long long v = w ? ph[i]->after : ph[i]->before;
			for (long long k = 0; k < (v * 60 + longest / 2) / longest; k++)
				sb_add(out, &marks[i], 1);
		}
		sb_addf(out, "  %lld + %lld + %lld\n", w ? ph[0]->after : ph[0]->before,
			w ? ph[1]->after : ph[1]->before, w ? ph[2]->after : ph[2]->before);
	}
	sb_adds(out, "```\n");
	for (int i = 0; i < 3; i++)
		sb_addf(out, "%s`%c` %s", i ? ", " : "", marks[i], names[i]);
	sb_adds(out, ".\n\n");
}

void report_markdown(const struct report *r, struct strbuf *out)
{
	sb_addf(out, "# reduce report: %s\n\n", r->app);
	sb_addf(out, "Machine `%s`, kernel base `%s`, phases `%s`, strategy `%s`, accelerator `%s`. %s (%d of %d verification boots passed).\n\n",
		r->machine ? r->machine : "pc", r->kernel_base, r->phases ? r->phases : "", r->strategy, r->accel,
		r->verified ? "**Verified**" : "**NOT verified**", r->verify_passed, r->verify_runs);
	if (r->one_minimal > 0 && r->files_checked > 0)
		sb_addf(out, "Root filesystem proven 1-minimal: each of the %d entries checked, removed alone, "
			"fails the tests (the %d paths of the app's ELF closure are kept by the static pass).\n\n",
			r->files_checked, r->closure_paths);
	else if (r->one_minimal > 0)
		sb_addf(out, "Root filesystem 1-minimal: nothing is left to remove but the %d paths of the app's "
			"ELF closure, kept by the static pass, and the init.\n\n", r->closure_paths);
	if (r->files_touched >= 0)
		sb_addf(out, "The observing boot saw %d of the %lld entries touched by the app and its tests; "
			"the others were the rootfs search's first candidate.\n\n", r->files_touched,
			(long long)r->files.before);
	if (r->stopped_early)
		sb_adds(out, "The search stopped early at `--max-candidates`: the image is smaller but not minimal.\n\n");
	sb_adds(out, "| | before | after | change |\n|---|---:|---:|---:|\n");
	row(out, "kernel image bytes (bzImage)", r->image_bytes);
	row(out, "kernel vmlinux bytes (stripped)", r->vmlinux_bytes);
	row(out, "kernel options enabled", r->options_enabled);
	struct strbuf label = STRBUF_INIT;
	sb_addf(&label, "initramfs bytes (%s)", r->compression ? r->compression : "xz");
	row(out, label.buf, r->initramfs_bytes);
	sb_release(&label);
	row(out, "initramfs bytes (uncompressed cpio)", r->initramfs_raw);
	row(out, boots_vmlinux(r) ? "total bytes (vmlinux + initramfs)" : "total bytes (bzImage + initramfs)",
	    total_bytes(r));
	row(out, "rootfs files", r->files);
	row(out, "boot ms to init", r->ms_to_init);
	row(out, "boot ms to app ready", r->ms_to_ready);
	if (r->min_memory_mib.after > 0)
		row(out, "least guest memory MiB", r->min_memory_mib);
	sb_addf(out, "\nCandidates tested: %d, accepted: %d, rejected: %d build, %d boot, %d timeout, %d test "
		"(%d more changed nothing and were not built; %d verdicts replayed from earlier runs; "
		"%d kernel failures implied by an earlier one, not built). "
		"Kernel builds: %d, boots: %d, wall time: %ld s.\n\n",
		r->tested, r->accepted, r->rejected[V_BUILD], r->rejected[V_BOOT],
		r->rejected[V_TIMEOUT], r->rejected[V_TEST], r->nochange, r->replayed, r->implied, r->builds,
		r->boots, r->wall_seconds);
	sb_adds(out, "Where the time went:");
	for (int i = 0; i < STAGE_COUNT; i++)
		sb_addf(out, "%s %s %.0f s", i ? "," : "", stage_names[i], r->stage_ms[i] / 1000.0);
	sb_addf(out, "; of all that, %.0f s building candidate kernels and %.0f s booting and testing "
		"candidates.\n\n", r->build_ms / 1000.0, r->trial_ms / 1000.0);
	compile_sentence(r, out);
	if (r->required_options.n) {
		sb_addf(out, "Kept without a test, since the harness's guest cannot boot or reach the "
			"tests without them: %zu options", r->required_options.n);
		inline_list(out, &r->required_options, " (");
		sb_adds(out, ").\n\n");
	}
	if (r->predicted_options.n) {
		sb_addf(out, "Predicted needed before the kernel search (from the image's programs), so "
			"tested alone and last: %zu options; the search found %zu of them "
			"removable all the same", r->predicted_options.n, r->predicted_wrong.n);
		inline_list(out, &r->predicted_wrong, ": ");
		sb_adds(out, ".\n\n");
	}
	phase_bars(r, out);
	if (r->min_memory_mib.after > 0) {
		sb_addf(out, "The final image passes its tests in %lld MiB of guest memory (%d boots at that "
			"size; the profile gives %d MiB), ", r->min_memory_mib.after, r->verify_runs,
			r->memory_mib);
		if (r->min_memory_mib.before > 0)
			sb_addf(out, "the baseline in %lld MiB", r->min_memory_mib.before);
		else
			sb_adds(out, "the baseline's was not found");
		sb_addf(out, "; %d boots in all.%s%s\n\n", r->min_memory_boots,
			r->guest_memory ? " The final guest's memory when ready: " : "",
			r->guest_memory ? r->guest_memory : "");
	}
	sb_adds(out, "Boot the final image by hand (the serial console is on stdio; guest port P "
		"is forwarded from host port P+8000 below 1024, else P):\n\n```\n");
	sb_adds(out, r->run_command);
	sb_addf(out, "\n```\n\n## Removed kernel options (%zu)\n\n", r->removed_options.n);
	for (size_t i = 0; i < r->removed_options.n; i++)
		sb_addf(out, "- `%s`\n", r->removed_options.v[i]);
	sb_addf(out, "\n## Removed rootfs files (%zu)\n\n", r->removed_files.n);
	for (size_t i = 0; i < r->removed_files.n; i++)
		sb_addf(out, "- `%s`\n", r->removed_files.v[i]);
}

int report_parse(const char *text, struct report_doc *d, struct strbuf *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	d->json = NULL;
	if (!j) {
		sb_addf(err, "not JSON: %s (line %d)", je.text, je.line);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		sb_adds(err, "not a JSON object");
		return -1;
	}
	d->json = j;
	return 0;
}

int report_load(const char *path, struct report_doc *d, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	d->json = NULL;
	if (read_file(path, &text) < 0) {
		sb_addf(err, "cannot read %s", path);
		return -1;
	}
	int ret = report_parse(text.buf, d, err);
	sb_release(&text);
	return ret;
}

static json_t *at(const struct report_doc *d, const char *path)
{
	json_t *j = d->json;
	char *keys = xstrdup(path), *save = NULL;
	for (char *k = strtok_r(keys, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_is_object(j) ? json_object_get(j, k) : NULL;
	free(keys);
	return j;
}

long long report_number(const struct report_doc *d, const char *path, int *ok)
{
	json_t *j = at(d, path);
	*ok = json_is_integer(j);
	return *ok ? (long long)json_integer_value(j) : -1;
}

const char *report_string(const struct report_doc *d, const char *path)
{
	json_t *j = at(d, path);
	return json_is_string(j) ? json_string_value(j) : NULL;
}

void report_doc_release(struct report_doc *d)
{
	json_decref(d->json);
	d->json = NULL;
}
