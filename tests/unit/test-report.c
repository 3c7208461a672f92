/* report.json has the documented shape and is valid JSON; report.md has
 * the tables and lists. */
#include "report.h"
#include "rundiff.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct report r;
	memset(&r, 0, sizeof(r));
	r.app = "web \"app\"";
	r.kernel_base = "microvm";
	r.strategy = "hier";
	r.accel = "tcg";
	r.phases = "rootfs+kernel";
	r.image_bytes = (struct before_after){ 1700000, 900000 };
	r.options_enabled = (struct before_after){ 660, 400 };
	r.initramfs_bytes = (struct before_after){ 1100000, 500000 };
	r.initramfs_raw = (struct before_after){ 3000000, 1200000 };
	r.files = (struct before_after){ 280, 4 };
	r.files_touched = 9;
	r.ms_to_init = (struct before_after){ 900, 700 };
	r.ms_to_ready = (struct before_after){ 1000, 800 };
	r.machine = "microvm";
	r.boot_args = "console=ttyS0 quiet panic=-1";
	r.vmlinux_bytes = (struct before_after){ 5000000, 2500000 };
	r.vmlinux_pvh = 1;
	r.ms_loader = (struct before_after){ 300, 100 };
	r.ms_kernel = (struct before_after){ 600, 600 };
	r.ms_init_to_ready = (struct before_after){ 100, 100 };
	r.memory_mib = 128;
	r.min_memory_mib = (struct before_after){ 40, 14 };
	r.min_memory_boots = 22;
	r.guest_memory = "MemTotal=10000kB";
	r.tested = 10;
	r.accepted = 4;
	r.rejected[V_BUILD] = 1;
	r.rejected[V_BOOT] = 2;
	r.rejected[V_TIMEOUT] = 1;
	r.rejected[V_TEST] = 2;
	r.builds = 6;
	static const struct compilers remote = { .remote = "redis://secret@10.0.0.5:6379" };
	r.compilers = &remote;
	r.compile = (struct compile_counts){ .local_hits = 10, .remote_hits = 5, .compiled = 3 };
	r.compile_ms = 2500;
	r.stage_ms[STAGE_BASE_BUILD] = 250400;
	r.stage_ms[STAGE_KERNEL] = 1300000;
	r.build_ms = 1246000;
	r.trial_ms = 55500;
	r.boots = 14;
	r.verified = 1;
	r.verify_runs = r.verify_passed = 3;
	r.run_command = "qemu-system-x86_64 -append 'console=ttyS0'";
	sv_push(&r.removed_options, "CONFIG_PACKET");
	sv_push(&r.removed_files, "/bin/sh");
	sv_push(&r.predicted_options, "CONFIG_EPOLL");
	sv_push(&r.predicted_options, "CONFIG_PACKET");
	sv_push(&r.predicted_wrong, "CONFIG_PACKET");
	sv_push(&r.required_options, "CONFIG_VIRTIO_NET");
	sv_push(&r.required_options, "CONFIG_RD_XZ");

	struct strbuf js = STRBUF_INIT, md = STRBUF_INIT;
	report_json(&r, &js);
	char path[] = "/tmp/reduce-test-report-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0 && write(fd, js.buf, js.len) == (ssize_t)js.len, "writing %s", path);
	char *cmd = xasprintf(
		"/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]));"
		"assert r[\"app\"]==\"web \\\"app\\\"\";"
		"assert r[\"kernel\"][\"image_bytes\"]=={\"before\":1700000,\"after\":900000};"
		"assert r[\"kernel\"][\"options_enabled\"][\"after\"]==400;"
		"assert r[\"initramfs\"][\"bytes\"][\"before\"]==1100000;"
		"assert r[\"initramfs\"][\"uncompressed_bytes\"]=={\"before\":3000000,\"after\":1200000};"
		"assert r[\"rootfs\"][\"files\"]=={\"before\":280,\"after\":4};"
		"assert r[\"rootfs\"][\"files_touched\"]==9;"
		"assert r[\"boot\"][\"ms_to_ready\"][\"after\"]==800;"
		"assert r[\"candidates\"][\"rejected\"]=={\"build\":1,\"boot\":2,\"timeout\":1,\"test\":2};"
		"assert r[\"candidates\"][\"tested\"]==10 and r[\"builds\"]==6 and r[\"boots\"]==14;"
		"assert r[\"phases\"]==\"rootfs+kernel\";"
		"assert r[\"verified\"] is True and r[\"accel\"]==\"tcg\" and r[\"strategy\"]==\"hier\";"
		"assert r[\"verify\"]=={\"runs\":3,\"passed\":3,\"flaky\":False};"
		"assert r[\"run_command\"].startswith(\"qemu-system-x86_64\");"
		"assert r[\"kernel\"][\"removed_options\"]==[\"CONFIG_PACKET\"];"
		"assert r[\"kernel\"][\"predicted_needed\"]==[\"CONFIG_EPOLL\",\"CONFIG_PACKET\"];"
		"assert r[\"kernel\"][\"predicted_wrong\"]==[\"CONFIG_PACKET\"];"
		"assert r[\"kernel\"][\"required\"]==[\"CONFIG_VIRTIO_NET\",\"CONFIG_RD_XZ\"];"
		"s=r[\"seconds\"];"
		"assert list(s)==[\"setup\",\"baseline_build\",\"baseline\",\"rootfs_search\","
		"\"kernel_search\",\"verification\",\"min_memory\",\"candidate_builds\",\"candidate_trials\"];"
		"assert r[\"machine\"]==\"microvm\" and r[\"boot_args\"]==\"console=ttyS0 quiet panic=-1\";"
		"assert r[\"kernel\"][\"vmlinux_bytes\"]=={\"before\":5000000,\"after\":2500000};"
		"assert r[\"kernel\"][\"vmlinux_pvh\"] is True;"
		"p=r[\"boot\"][\"phases_ms\"];"
		"assert p[\"firmware_loader\"]=={\"before\":300,\"after\":100} and p[\"kernel\"][\"after\"]==600"
		" and p[\"init_to_ready\"][\"after\"]==100;"
		"m=r[\"memory\"];"
		"assert m[\"profile_mib\"]==128 and m[\"min_memory_mib\"]=={\"before\":40,\"after\":14};"
		"assert m[\"min_memory_boots\"]==22 and m[\"guest_meminfo\"]==\"MemTotal=10000kB\";"
		"assert s[\"baseline_build\"]==250.4 and s[\"kernel_search\"]==1300 and s[\"setup\"]==0;"
		"assert s[\"candidate_builds\"]==1246 and s[\"candidate_trials\"]==55.5;"
		"c=r[\"compile\"];"
		"assert c[\"seconds\"]==2.5 and c[\"local_cache_hits\"]==10 and c[\"remote_cache_hits\"]==5;"
		"assert c[\"compiled\"]==3 and c[\"ccache_remote\"] is True and c[\"distcc_hosts\"]==0;"
		"assert r[\"total_bytes\"][\"after\"]==3000000' %s", path);
	CHECK(system(cmd) == 0, "report.json parses and has the documented fields and values");
	unlink(path);

	report_markdown(&r, &md);
	CHECK(strstr(md.buf, "| kernel image bytes (bzImage) | 1700000 | 900000 | -47.1% |") != NULL,
	      "report.md shows before, after and the change");
	CHECK(strstr(md.buf, "The observing boot saw 9 of the 280 entries touched by the app and its tests; "
			     "the others were the rootfs search's first candidate.") != NULL,
	      "report.md says what the observing boot saw");
	CHECK(strstr(md.buf, "**Verified**") && strstr(md.buf, "- `CONFIG_PACKET`") &&
	      strstr(md.buf, "- `/bin/sh`"), "report.md states verification and lists removals");
	CHECK(strstr(md.buf, "Kept without a test, since the harness's guest cannot boot or reach the "
			     "tests without them: 2 options (`CONFIG_VIRTIO_NET`, `CONFIG_RD_XZ`).") != NULL,
	      "report.md names the options kept without a test");
	CHECK(strstr(md.buf, "tested alone and last: 2 options; the search found 1 of them removable "
			     "all the same: `CONFIG_PACKET`.") != NULL,
	      "report.md counts the predicted options and names the wrong guesses");
	CHECK(strstr(md.buf, "Where the time went: setup 0 s, baseline build 250 s, baseline 0 s, "
			     "rootfs search 0 s, kernel search 1300 s, verification 0 s, min memory 0 s; of all that, "
			     "1246 s building candidate kernels and 56 s booting and testing candidates.") != NULL,
	      "report.md says where the time went");
	CHECK(strstr(md.buf, "Kernel builds took 2 s: 10 compilations served by the local ccache, 5 by its "
			     "remote storage, 3 compiled.") && !strstr(md.buf, "10.0.0.5") && !strstr(js.buf, "10.0.0.5"),
	      "report.md says where the builds went; neither report names the remote");
	CHECK(strstr(md.buf, "| total bytes (vmlinux + initramfs) | 6100000 | 3000000 | -50.8% |") != NULL,
	      "report.md's total is report.json's: a microvm boots the vmlinux");
	CHECK(strstr(md.buf, "Machine `microvm`") &&
	      strstr(md.buf, "| least guest memory MiB | 40 | 14 | -65.0% |") &&
	      strstr(md.buf, "passes its tests in 14 MiB of guest memory"),
	      "report.md names the machine and the least memory, before and after");
	/* before: 300+600+100 = 1000 ms is the longest, 60 characters. */
	CHECK(strstr(md.buf, "before  ==================####################################++++++  300 + 600 + 100\n") &&
	      strstr(md.buf, "after   ======####################################++++++  100 + 600 + 100\n"),
	      "report.md draws the boot phases as bars to one scale");
	r.one_minimal = 1;
	r.closure_paths = 1;
	r.files_checked = 4;
	md.len = 0;
	report_markdown(&r, &md);
	CHECK(strstr(md.buf, "Root filesystem proven 1-minimal: each of the 4 entries checked, removed alone, fails") != NULL,
	      "report.md states the proof of 1-minimality");
	r.files_checked = 0;
	md.len = 0;
	report_markdown(&r, &md);
	CHECK(strstr(md.buf, "Root filesystem 1-minimal: nothing is left to remove but the 1 paths of the app's ELF "
			     "closure") != NULL && !strstr(md.buf, "each of the 0"),
	      "with nothing left to check, it says so");
	r.one_minimal = 0;
	r.verified = 0;
	md.len = 0;
	report_markdown(&r, &md);
	CHECK(strstr(md.buf, "**NOT verified**") != NULL, "an unverified run says so");

	/* reduce diff and --hint read back what report_json wrote. */
	int ok;
	struct report_doc d, small, bad;
	struct strbuf err = STRBUF_INIT;
	CHECK(report_parse(js.buf, &d, &err) == 0, "report.json is JSON that jansson reads (%s)",
	      err.buf ? err.buf : "");
	CHECK(report_number(&d, "kernel.image_bytes.after", &ok) == 900000 && ok,
	      "diff reads the kernel's bytes after");
	CHECK(report_number(&d, "initramfs.bytes.before", &ok) == 1100000 && ok,
	      "diff reads the initramfs's bytes, not an earlier key's");
	CHECK(report_number(&d, "total_bytes.after", &ok) == 2500000 + 500000 && ok &&
	      report_number(&d, "boot.ms_to_ready.after", &ok) == 800 && ok,
	      "diff reads the total and the boot time");
	const char *app = report_string(&d, "app");
	CHECK(app && !strcmp(app, r.app) && !report_string(&d, "kernel.image_bytes"),
	      "the app is read as a string, an object is not a string");
	CHECK(report_parse("{\"app\": \"x\"}", &small, &err) == 0 &&
	      report_number(&d, "kernel.no_such_key", &ok) == -1 && !ok &&
	      report_number(&small, "kernel.image_bytes.after", &ok) == -1 && !ok &&
	      report_number(&small, "app", &ok) == -1 && !ok,
	      "a missing key, or one that is not a number, is reported as missing");
	sb_release(&err);
	CHECK(report_parse("{\"app\": \"x\",", &bad, &err) < 0 && strstr(err.buf, "not JSON") &&
	      strstr(err.buf, "line 1"), "text that is not JSON is refused with jansson's reason (%s)",
	      err.buf);
	sb_release(&err);
	CHECK(report_parse("[1, 2]", &bad, &err) < 0 && strstr(err.buf, "not a JSON object"),
	      "JSON that is not an object is refused");
	report_doc_release(&d);
	report_doc_release(&small);
	sb_release(&err);
	struct strvec only = STRVEC_INIT, set = STRVEC_INIT;
	lines_only_in("/b\n/a\n/c\n", "/c\n/d\n/a\n", &only);
	CHECK(only.n == 1 && !strcmp(only.v[0], "/b"), "lines only in the first list");
	sv_clear(&only);
	lines_only_in("", "/a\n", &only);
	CHECK(only.n == 0, "nothing is only in an empty list");
	sv_clear(&only);
	sv_clear(&set);
	UNIT_EXIT();
}
