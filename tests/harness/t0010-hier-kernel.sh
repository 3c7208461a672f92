#!/bin/sh
# A complete, real hierarchical reduction of the kernel tree: busybox-httpd
# from the microvm base, every verdict from a real build and boot with a
# memo of its own. busybox is static and its kernel needs nothing beyond
# the harness's required options, so hier's first test (all that is
# neither required nor predicted, at once) passes and the search is done:
# a complete kernel search in one build. --max-candidates only bounds the
# time should that stop being true; the run then stops early and the test
# fails. (t0007 does the same for the rootfs tree.)
. "$(dirname "$0")/test-lib.sh"
# Its candidates build incrementally in the suite's warm build.
test_shares_warm_build
RUN="$TRASH/kernel"

test_expect_success KERNEL_SEARCH 'a complete hier kernel reduction with a fresh memo is verified' '
	REDUCE_CACHE=$TRASH/cache "$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--only-kernel --strategy hier --max-candidates 3 --baseline-runs 1 --verify-runs 1 --out "$RUN" 2>err; rc=$?
	tail -5 err; test $rc = 0 &&
	grep -q "^reduce: kernel: 0 options predicted needed (the image.s programs use them), each tried alone and last$" err
'
test_expect_success KERNEL_SEARCH 'it finished, every verdict from this run, and kept every required option' '
	/usr/bin/python3 - "$RUN" <<-PY
	import json, sys
	run = sys.argv[1]
	r = json.load(open(run + "/report.json"))
	k, c = r["kernel"], r["candidates"]
	print(json.dumps({"cand": c, "opts": k["options_enabled"], "bytes": k["image_bytes"],
	                  "seconds": r["seconds"]}))
	assert r["verified"] is True and r["strategy"] == "hier" and r["phases"] == "kernel"
	assert c["stopped_early"] is False and r["replayed"] == 0
	assert k["image_bytes"]["after"] < k["image_bytes"]["before"]
	# The microvm base has 661 options on; busybox-httpd needs about 400.
	assert k["options_enabled"]["before"] - k["options_enabled"]["after"] >= 200
	on = {l.split("=")[0] for l in open(run + "/kernel.config") if l.startswith("CONFIG_")}
	assert set(k["required"]) <= on, set(k["required"]) - on
	assert k["vmlinux_pvh"] == ("CONFIG_PVH" in on), k["vmlinux_pvh"]
	# Without /proc the init tells the memory from sysinfo(2).
	assert "CONFIG_PROC_FS" not in on, "PROC_FS kept: the sysinfo line is not exercised"
	assert "MemTotal=" in r["memory"]["guest_meminfo"] and "Buffers=" in r["memory"]["guest_meminfo"], r["memory"]
	# The baseline build makes the base config (make tinyconfig and
	# olddefconfig) even when the image comes from the cache.
	assert r["seconds"]["kernel_search"] > 0 and r["seconds"]["baseline_build"] > 0
	PY
'
test_expect_success KERNEL_SEARCH 'the first kernel candidate removed all but the required options, and passed' '
	/usr/bin/python3 - "$RUN/candidates.tsv" <<-PY
	import sys
	rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
	kernel = [f for f in rows if f[1] == "kernel"]
	print([f[:7] for f in kernel])
	assert kernel and kernel[0][2] == "pass" and kernel[0][3] == "run", kernel[:1]
	assert int(kernel[0][6]) >= 200, kernel[0][6]
	assert len(kernel) <= 2, len(kernel)
	PY
'
test_expect_success KERNEL_SEARCH 'report.md says where the time went' '
	grep -q "^Where the time went: setup [0-9]* s, baseline build [0-9]* s, .*kernel search [0-9]* s" "$RUN/report.md"
'
# The same run again with the first run's memo, and without the first
# run's final kernel in the image cache: the pass is replayed without a
# build, and only the config it led to is built, once, at the end. (A
# bench run resumed from its memo.tsv would otherwise rebuild every pass.)
# It builds in a copy of the warm build, which so stays at what it was.
test_expect_success KERNEL_SEARCH 'a rerun replays the pass from the memo without a build, and builds its result once' '
	cache_linking "$TRASH/cache2" linux-source-6.1 ccache rootfs &&
	test_copy_warm_build microvm-base "$TRASH/cache2" &&
	cp -r "$TRASH/cache/memo" "$TRASH/cache2/memo" &&
	cp -rL "$TRASH/cache/kernels" "$TRASH/cache2/kernels" &&
	for f in "$TRASH"/cache2/kernels/v3/*/*.bzImage; do
		if cmp -s "$f" "$RUN/bzImage"; then rm "$f"; fi
	done &&
	REDUCE_CACHE=$TRASH/cache2 "$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--only-kernel --strategy hier --max-candidates 3 --baseline-runs 1 --verify-runs 1 --out "$TRASH/again" 2>err; rc=$?
	tail -5 err; test $rc = 0 &&
	grep -q "^reduce: kernel: building the config the memo.s passes led to$" err &&
	/usr/bin/python3 - "$TRASH/again" "$RUN" <<-PY
	import json, sys
	again, first = sys.argv[1:]
	r = json.load(open(again + "/report.json"))
	rows = [l.rstrip("\n").split("\t") for l in open(again + "/candidates.tsv")][1:]
	kernel = [f for f in rows if f[1] == "kernel"]
	print([f[:7] for f in kernel], r["builds"], r["boots"], r["replayed"])
	assert kernel[0][2:5] == ["pass", "memo", "0.0"], kernel[0]
	assert all(f[3] == "memo" for f in kernel), kernel
	# The baseline comes from the image cache; the one build is the result.
	assert r["builds"] == 1 and r["replayed"] == len(kernel) and r["verified"] is True
	assert open(again + "/kernel.config").read() == open(first + "/kernel.config").read()
	assert open(again + "/bzImage", "rb").read() == open(first + "/bzImage", "rb").read()
	PY
'
test_done
