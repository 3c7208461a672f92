#!/bin/sh
# One complete, real hierarchical reduction: the busybox-httpd root
# filesystem with hier, every verdict from a real boot and the real test
# script (a memo of its own, so nothing is replayed), then the proof that
# the result is 1-minimal. The kernel phase is left out: a complete kernel
# search takes hours under TCG (see README, Status).
. "$(dirname "$0")/test-lib.sh"
# Its runs are rootfs-only: they find the base (and the Kconfig tools) made
# in the suite's warm build.
test_shares_warm_build
RUN="$TRASH/hier"

files_after() {
	/usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))[\"rootfs\"][\"files\"][\"after\"])" "$1/report.json"
}

test_expect_success BOOT 'a complete hier rootfs reduction with a fresh memo is verified' '
	REDUCE_CACHE=$TRASH/cache "$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--only-rootfs --strategy hier --baseline-runs 1 --verify-runs 1 --out "$RUN" 2>err; rc=$?; tail -5 err; test $rc = 0 &&
	grep -q "proof: trying each of the remaining entries alone" err
'
test_expect_success BOOT 'every verdict came from a real boot, and the result is proven 1-minimal' '
	/usr/bin/python3 - "$RUN/report.json" <<-PY
	import json, sys
	r = json.load(open(sys.argv[1]))
	c, f = r["candidates"], r["rootfs"]
	print(json.dumps({"cand": c, "files": f["files"], "checked": f["files_checked"], "boots": r["boots"]}))
	assert r["verified"] is True and r["strategy"] == "hier"
	assert r["replayed"] == 0 and c["stopped_early"] is False
	assert f["one_minimal"] is True and f["files_checked"] >= 1
	# busybox, its links, the page and init: a handful of the 282
	assert f["files"]["after"] <= 12 < f["files"]["before"]
	# Group testing: far fewer candidates than the 279 removable entries.
	assert c["tested"] < 60, c["tested"]
	# The observing boot saw a few entries touched; all the others went
	# in the first candidate.
	assert 0 < f["files_touched"] <= 20, f["files_touched"]
	PY
	sed -n 2p "$RUN/candidates.tsv" | grep -q "^1	rootfs	pass	run	" &&
	test "$(sed -n 2p "$RUN/candidates.tsv" | cut -f7)" -ge 250
'
test_expect_success BOOT 'what stayed is what the page needs, with the plain init, not the observing one' '
	grep -qx /bin/busybox "$RUN/rootfs.manifest" &&
	grep -q "^/www" "$RUN/rootfs.manifest" &&
	! grep -q "^/usr/" "$RUN/rootfs.manifest" &&
	xz -dc "$RUN/initramfs.cpio.xz" | cpio -i --quiet --to-stdout init >init &&
	cmp init "$ROOT/rootfs/init" && ! cmp -s init "$ROOT/rootfs/init-observe"
'
test_expect_success BOOT 'its xz images are kept in the cache by content, the final one and the baseline' '
	n=0 && for f in cache/initramfs/xz/*/*.cpio.xz; do
		if cmp -s "$f" "$RUN/initramfs.cpio.xz"; then n=$((n + 1)); fi
	done && test $n = 1 &&
	test "$(ls cache/initramfs/xz/*/*.cpio.xz | wc -l)" -ge 2
'
test_expect_success BOOT 'with the result as --hint, a second run starts from it and only proves it' '
	rm -f cache/memo/busybox-httpd.tsv &&
	REDUCE_CACHE=$TRASH/cache "$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--only-rootfs --hint "$RUN" --baseline-runs 1 --verify-runs 1 --out "$TRASH/again" 2>err; rc=$?; tail -5 err; test $rc = 0 &&
	grep -q "hint: trying the file list of $RUN first" err &&
	sed -n 2p "$TRASH/again/candidates.tsv" | grep -q "^1	rootfs	pass	run	" &&
	diff "$RUN/rootfs.manifest" "$TRASH/again/rootfs.manifest" &&
	/usr/bin/python3 - "$RUN/report.json" "$TRASH/again/report.json" <<-PY
	import json, sys
	first, again = (json.load(open(p)) for p in sys.argv[1:])
	print(first["candidates"]["tested"], again["candidates"]["tested"], first["boots"], again["boots"])
	assert again["replayed"] == 0 and again["rootfs"]["one_minimal"] is True
	# The hint is the better guess: no observing boot.
	assert again["rootfs"]["files_touched"] == -1 and again["boots"] < first["boots"]
	assert again["candidates"]["tested"] <= first["candidates"]["tested"]
	PY
'
test_expect_success BOOT 'a run of another app as --hint lends its kernel config, not its file list' '
	cp -r "$RUN" "$TRASH/other" &&
	sed -i "s/\"app\": \"busybox-httpd\",/\"app\": \"nginx\",/" "$TRASH/other/report.json" &&
	REDUCE_CACHE=$TRASH/cache "$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" \
		--only-rootfs --hint "$TRASH/other" --strategy linear --max-candidates 1 --baseline-runs 1 \
		--verify-runs 1 --out "$TRASH/other-run" 2>err; rc=$?; tail -3 err; test $rc = 0 &&
	grep -q "hint: $TRASH/other is a run of another app; only its kernel config applies" err &&
	! grep -q "trying the file list" err
'
test_expect_success BOOT 'reduce diff of two real runs lists what only one image has' '
	"$REDUCE" diff "$RUN" "$TRASH/again" >same && cat same &&
	grep -q "same kernel options and rootfs files" same &&
	{ "$REDUCE" diff "$TRASH/other-run" "$RUN" >d; test $? = 1; } && cat d &&
	sort "$TRASH/other-run/rootfs.manifest" >a && sort "$RUN/rootfs.manifest" >b &&
	n=$(comm -23 a b | wc -l) && test "$n" -gt 0 &&
	grep -q "^## Rootfs files only in A ($n)" d &&
	grep -q "^## Rootfs files only in B (0)" d &&
	grep -q "^## Kernel options only in A (0)" d &&
	comm -23 a b | head -n 1 | sed "s/.*/- \`&\`/" >first && grep -qxF -f first d &&
	fa=$(files_after "$TRASH/other-run") && fb=$(files_after "$RUN") &&
	grep -q "^| rootfs files | $fa | $fb | " d
'
test_expect_success BOOT 'reduce diff refuses what is not a run directory' '
	expect_error 2 "is not a run directory: cannot read report.json" "$REDUCE" diff "$RUN" "$TRASH" &&
	expect_error 2 "run directory $TRASH/nothing does not exist" "$REDUCE" diff "$TRASH/nothing" "$RUN" &&
	expect_error 2 "diff needs two runs" "$REDUCE" diff "$RUN" &&
	echo "{\"app\": \"x\"}" >"$TRASH/broken.json" && cp -r "$RUN" "$TRASH/broken" &&
	cp "$TRASH/broken.json" "$TRASH/broken/report.json" &&
	expect_error 2 "report.json has no kernel.image_bytes.after" "$REDUCE" diff "$RUN" "$TRASH/broken"
'
test_done
