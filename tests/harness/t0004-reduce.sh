#!/bin/sh
# One real reduction of busybox-httpd with a bounded number of candidates:
# real kernel builds, real QEMU boots, the real test script. The result
# must be smaller and must still serve the page when booted by hand with the
# report's run_command.
. "$(dirname "$0")/test-lib.sh"
# Its kernel candidates build incrementally in the suite's warm build.
test_shares_warm_build
RUN="$TRASH/run"

test_expect_success KERNEL_SEARCH 'a bounded linear reduction finishes and is verified' '
	"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--strategy linear --max-candidates 1 --baseline-runs 1 --verify-runs 1 --out "$RUN" 2>err; rc=$?; cat err; test $rc = 0 &&
	grep -q "\[kernel\] candidate 1" err && grep -q "\[rootfs\] candidate 1" err
'
test_expect_success KERNEL_SEARCH 'the run directory holds the image, config, manifest and reports' '
	for f in bzImage initramfs.cpio.xz kernel.config rootfs.manifest candidates.tsv report.json report.md; do
		test -s "$RUN/$f" || { echo "missing $f"; exit 1; }
	done &&
	! test -e "$RUN.partial" && ! ls "$RUN" | grep -q "^candidate\."
'
test_expect_success KERNEL_SEARCH 'report.json: verified, smaller kernel and rootfs, counted candidates' '
	/usr/bin/python3 - "$RUN/report.json" <<-PY
	import json, sys
	r = json.load(open(sys.argv[1]))
	k = r["kernel"]; f = r["rootfs"]["files"]; c = r["candidates"]
	print(json.dumps({"kernel": k["image_bytes"], "opts": k["options_enabled"], "files": f,
	                  "initramfs": r["initramfs"], "cand": c}))
	assert r["verified"] is True
	assert r["app"] == "busybox-httpd" and r["strategy"] == "linear" and r["accel"] in ("kvm", "tcg")
	assert k["image_bytes"]["after"] < k["image_bytes"]["before"]
	assert k["options_enabled"]["after"] < k["options_enabled"]["before"]
	assert f["after"] < f["before"]
	# Removing a few links cannot shrink an xz stream reliably; the
	# archive itself must shrink.
	raw = r["initramfs"]["uncompressed_bytes"]
	assert raw["after"] < raw["before"]
	# The microvm base decodes the x86 filter, so the image uses it.
	assert r["initramfs"]["compression"] == "xz -9e, x86 BCJ"
	assert c["tested"] == c["accepted"] + sum(c["rejected"].values())
	assert c["tested"] <= 2 and c["stopped_early"] is True
	assert r["boot"]["ms_to_ready"]["after"] > 0 and r["boot"]["ms_to_init"]["before"] > 0
	assert len(k["removed_options"]) > 0 and len(r["rootfs"]["removed_files"]) > 0
	assert r["run_command"].startswith("qemu-system-x86_64 ")
	# What the harness needs is kept untested; busybox is static, so
	# its class says nothing more and it imports nothing.
	q = k["required"]
	assert {"CONFIG_64BIT", "CONFIG_BINFMT_ELF", "CONFIG_VIRTIO_NET", "CONFIG_SERIAL_8250",
	        "CONFIG_RD_XZ"} <= set(q), q
	assert not set(q) & set(k["removed_options"]), q
	p = k["predicted_needed"]
	assert not set(p) & set(q) and "CONFIG_MULTIUSER" not in p and "CONFIG_EPOLL" not in p, p
	assert set(k["predicted_wrong"]) <= set(p) & set(k["removed_options"])
	PY
'
test_expect_success KERNEL_SEARCH 'the kernel search names the options it keeps untested, and no candidate removed one' '
	grep -q "options kept untested (the harness.s guest cannot boot or reach the tests without them):.*64BIT" err &&
	/usr/bin/python3 - "$RUN" <<-PY
	import json, sys
	run = sys.argv[1]
	q = set(json.load(open(run + "/report.json"))["kernel"]["required"])
	for line in open(run + "/candidates.tsv"):
	    f = line.rstrip("\n").split("\t")
	    if f[1] == "kernel":
	        assert not q & set(f[7].split()), f
	PY
'
# The harness's needs are kept without a test because no boot can pass
# without them; check that for two of them with real builds and boots:
# a kernel of the run that passed (its baseline's or its final one),
# without the option, fails as a baseline. A .config base builds in
# "file-base": here a copy of the warm build, so that each compiles only
# what its option and the copy's config change. Of the run's two kernels
# the test takes the one whose config is nearer the copy's: the warm
# build holds whatever the suite built last (this run's candidate, or an
# earlier test's kernel when this run's came from the memo), and every
# setting between them is a compile that a cold ccache pays in full.
test_setup KERNEL_SEARCH 'a cache whose file-base is a copy of the warm build, and the kernel of the run nearer to it' '
	cache_linking "$TRASH/fb" "$KERNEL_SOURCE" ccache rootfs &&
	test_copy_warm_build microvm-base "$TRASH/fb" file-base &&
	grep "^CONFIG_" "$TRASH/fb/kbuild/file-base/.config" | sort >held &&
	for c in base kernel; do
		test -s "$RUN/$c.config" || exit 1
		grep "^CONFIG_" "$RUN/$c.config" | sort | comm -3 - held | wc -l >"$c.apart" || exit 1
	done &&
	if test $(cat base.apart) -lt $(cat kernel.apart); then near=base; else near=kernel; fi &&
	cp "$RUN/$near.config" near.config
'
test -f "$TRASH/near.config" && echo "# the copy's config differs from the run's baseline kernel's in" \
	"$(cat "$TRASH/base.apart") lines, from its final one's in $(cat "$TRASH/kernel.apart")"
for opt in VIRTIO_NET RD_XZ; do
test_expect_success KERNEL_SEARCH "a kernel of the run without $opt (a harness need) fails its baseline" '
	grep -q "^CONFIG_'$opt'=y\$" near.config &&
	sed "s/^CONFIG_'$opt'=y\$/# CONFIG_'$opt' is not set/" near.config >no-'$opt'.config &&
	! grep -q "^CONFIG_'$opt'=" no-'$opt'.config &&
	REDUCE_CACHE="$TRASH/fb" "$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--only-kernel --kernel-base no-'$opt'.config --boot-timeout 30 --test-timeout 20 \
		--out "$TRASH/no-'$opt'" 2>err-'$opt'; rc=$?; cat err-'$opt'; test $rc = 1 &&
	grep -q "^reduce: error: the baseline image \(does not boot\|fails its tests\)" err-'$opt' &&
	! test -e "$TRASH/no-'$opt'"
'
done
test_expect_success KERNEL_SEARCH 'candidates.tsv has one line per candidate, with what it turned off' '
	cat "$RUN/candidates.tsv" &&
	test $(grep -c "	kernel	" "$RUN/candidates.tsv") = 1 &&
	test $(grep -c "	rootfs	" "$RUN/candidates.tsv") = 1 &&
	grep "	kernel	" "$RUN/candidates.tsv" | grep -q "	CONFIG_[A-Z0-9_]*" &&
	grep "	rootfs	" "$RUN/candidates.tsv" | grep -q "	/"
'
test_expect_success KERNEL_SEARCH 'the manifest matches the files count and the image' '
	n=$(wc -l <"$RUN/rootfs.manifest") &&
	grep -q "\"files\": {\"before\": [0-9]*, \"after\": $n}" "$RUN/report.json" &&
	xz -dc "$RUN/initramfs.cpio.xz" | cpio -it --quiet | sed "s|^|/|" | sort >listed &&
	sort "$RUN/rootfs.manifest" >manifest && diff manifest listed
'
test_expect_success KERNEL_SEARCH 'the final image serves the page when booted with run_command' '
	port=$(free_port) &&
	cmd=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"run_command\"])" "$RUN/report.json") &&
	cmd=$(echo "$cmd" | sed "s/127.0.0.1:8080-/127.0.0.1:$port-/") &&
	(cd "$RUN" && eval "setsid $cmd" </dev/null >"$OLDPWD/console.txt" 2>&1 &) &&
	ok=; for i in $(seq 1 120); do
		if curl -s --max-time 2 "http://127.0.0.1:$port/" | grep -q "reduce: hello from busybox httpd"; then ok=1; break; fi
		sleep 0.5
	done;
	pkill -f "qemu-system-x86_64.*127.0.0.1:$port-"; test -n "$ok" || { tail console.txt; exit 1; }
'
test_expect_success KERNEL_SEARCH 'report.md shows the table and the removed options and files' '
	grep -q "| kernel image bytes (bzImage) |" "$RUN/report.md" &&
	grep -q "## Removed kernel options" "$RUN/report.md" &&
	grep -q "## Removed rootfs files" "$RUN/report.md" && grep -q "Verified" "$RUN/report.md"
'
test_done
