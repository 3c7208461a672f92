#!/bin/sh
# Faults of the harness, not of the candidate, injected with real parts:
# a port taken before QEMU binds it, QEMU killed from outside, a full
# disk, tests that pass only sometimes, a test script that escapes its
# process group, two runs sharing a memo, a changed guest memory, and a
# guest that tries to reach out. None of them may become a stored
# verdict; each ends with the right verdicts or the right error.
. "$(dirname "$0")/test-lib.sh"
TESTS="$ROOT/tests/busybox-httpd.sh"
MEMO="$TRASH/cache/memo/busybox-httpd.tsv"
# A quick rootfs run of busybox-httpd; the kernel is the cached baseline.
quick() {
	"$REDUCE" --app busybox-httpd --tests "$TESTS" --only-rootfs --accel tcg \
		--baseline-runs 1 --verify-runs 1 "$@"
}

# Every stored verdict is a whole line naming a verdict on the candidate.
memo_is_clean() {
	test -s "$1" &&
	! grep -Ev "^[0-9a-f]{40}	(pass|build|boot|test)$" "$1"
}

test_lazy_prereq ROOT_MOUNT '
	test "$(id -u)" = 0 && mkdir m && mount -t tmpfs -o size=1m tmpfs m && umount m
' 'mounting a tmpfs needs root'

# With quick's one baseline run (and --accel tcg, so no KVM probe), boot 1
# is the baseline, 2 the negative control, 3 the observing boot, 4 the
# first candidate's first try.
test_expect_success BOOT 'a port taken before QEMU binds it: tried again, never stored' '
	REDUCE_TEST_STEAL_PORT=4 quick --max-candidates 1 --out "$TRASH/steal" 2>err; rc=$?
	cat err; test $rc = 0 &&
	grep -q "harness fault, not the candidate.s (QEMU failed with status 1: .*forwarding.*); trying again (2 of 3)" err &&
	memo_is_clean "$MEMO" &&
	ran=$(grep -c "	run	" "$TRASH/steal/candidates.tsv") &&
	test "$(wc -l <"$MEMO")" = "$ran" &&
	! grep -q "	host	" "$TRASH/steal/candidates.tsv"
'
test_expect_success BOOT 'a fault that persists stops the run; its memo and candidates stay' '
	rm -f "$MEMO" &&
	expect_error 1 "harness fault, not the candidate.s: QEMU failed with status 1: .*; the run stops here" \
		env REDUCE_TEST_STEAL_PORT=5,6,7 "$REDUCE" --app busybox-httpd --tests "$TESTS" \
		--only-rootfs --accel tcg --baseline-runs 1 --max-candidates 3 --out "$TRASH/stops" &&
	! test -e "$TRASH/stops" && ! test -e "$TRASH/stops.partial" &&
	test "$(grep -c "	rootfs	" "$TRASH/stops.stopped-candidates.tsv")" = 1 &&
	memo_is_clean "$MEMO" && test "$(wc -l <"$MEMO")" = 1 &&
	no_qemu_left "$TRASH/stops" &&
	quick --max-candidates 1 --out "$TRASH/resumed" 2>err && cat err &&
	grep -q "\"replayed\": 1," "$TRASH/resumed/report.json"
'
test_expect_success BOOT 'QEMU killed with SIGKILL by someone else mid-boot: tried again, never stored' '
	rm -f "$MEMO" &&
	quick --max-candidates 1 --out "$TRASH/killed" 2>err & pid=$! &&
	for i in $(seq 1 1200); do grep -q "observe:" err && break; sleep 0.1; done &&
	killed= &&
	for i in $(seq 1 600); do
		q=$(pgrep -f "qemu-system-x86_64.*$TRASH/killed.partial" | head -n 1)
		if test -n "$q"; then kill -9 $q; killed=$q; break; fi
		sleep 0.05
	done &&
	wait $pid; rc=$?; cat err; echo "killed $killed"; test -n "$killed" && test $rc = 0 &&
	grep -q "QEMU was killed by signal 9 (not by reduce)" err &&
	memo_is_clean "$MEMO" &&
	! grep -q "	host	" "$TRASH/killed/candidates.tsv"
'
test_expect_success BOOT 'tests that pass only every other time are refused before any search' '
	cat >flaky.sh <<-EOF && chmod +x flaky.sh &&
	#!/bin/sh
	if test -e "$TRASH/flaky.state"; then rm "$TRASH/flaky.state"; echo "FAIL: the other time"; exit 1; fi
	touch "$TRASH/flaky.state"
	exec "$TESTS"
	EOF
	rm -f "$MEMO" &&
	expect_error 1 "flaky tests: the baseline image passed 2 of 3 runs" \
		"$REDUCE" --app busybox-httpd --tests ./flaky.sh --only-rootfs --accel tcg --out "$TRASH/flaky" &&
	grep -q "A passing run.s test output:" "$TRASH/.err" && grep -q "PASS: busybox httpd" "$TRASH/.err" &&
	grep -q "A failing run.s:" "$TRASH/.err" && grep -q "FAIL: the other time" "$TRASH/.err" &&
	! test -e "$MEMO" && ! test -e "$TRASH/flaky"
'
test_expect_success BOOT 'an observing boot that fails its tests costs only the first guess' '
	cat >third.sh <<-EOF && chmod +x third.sh &&
	#!/bin/sh
	n=\$(cat "$TRASH/third.count" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$TRASH/third.count"
	if test \$n = 3; then echo "FAIL: the third run"; exit 1; fi
	exec "$TESTS"
	EOF
	rm -f "$MEMO" &&
	"$REDUCE" --app busybox-httpd --tests ./third.sh --only-rootfs --accel tcg --baseline-runs 1 \
		--verify-runs 1 --max-candidates 1 --out "$TRASH/third" 2>err; rc=$?; cat err; test $rc = 0 &&
	grep -q "observe: the test script exited with status 1; the search goes on without a first guess" err &&
	grep -q "\"files_touched\": -1," "$TRASH/third/report.json" &&
	memo_is_clean "$MEMO" && test "$(wc -l <"$MEMO")" = 1
'
test_expect_success BOOT 'a test script that escapes with setsid is still killed at its timeout' '
	marker="escaped-$TRASH" &&
	cat >escapes.sh <<-EOF && chmod +x escapes.sh &&
	#!/bin/sh
	setsid sh -c "sleep 600; : $marker" </dev/null >/dev/null 2>&1 &
	sleep 600
	EOF
	expect_error 1 "ran over 2 s" "$REDUCE" --app busybox-httpd --tests ./escapes.sh \
		--test-timeout 2 --baseline-runs 1 --accel tcg --out "$TRASH/escapes" &&
	grep -q "the test script left [0-9]* process.* running outside its process group; killed" "$TRASH/.err" &&
	sleep 1 && ! pgrep -f "$marker"
'
test_expect_success BOOT 'two concurrent runs of one app share its memo safely' '
	rm -f "$MEMO" &&
	{ quick --max-candidates 4 --out "$TRASH/one" 2>err1 & p1=$!; } &&
	{ quick --max-candidates 4 --out "$TRASH/two" 2>err2 & p2=$!; } &&
	wait $p1; r1=$?; wait $p2; r2=$?; tail -3 err1 err2; test $r1 = 0 && test $r2 = 0 &&
	memo_is_clean "$MEMO" &&
	ran=$(cat "$TRASH/one/candidates.tsv" "$TRASH/two/candidates.tsv" | grep -c "	run	") &&
	test "$(wc -l <"$MEMO")" = "$ran" &&
	grep -h "build directory" err1 err2 &&
	grep -q "build directory .*/microvm-base\.1)" err1 err2 && ! test -e "$TRASH/cache/kbuild/microvm-base.1"
'
# The profile's memory is part of each verdict's key: a verdict made with
# another guest memory is not replayed.
test_expect_success BOOT 'a rerun with another memory replays no verdict made under the old one' '
	rm -f "$MEMO" && mkdir mem &&
	sed "s/^memory .*/memory 128/" "$ROOT/profiles/busybox-httpd.conf" >mem/busybox-httpd.conf &&
	"$REDUCE" --app ./mem/busybox-httpd.conf --tests "$TESTS" --only-rootfs --accel tcg \
		--baseline-runs 1 --max-candidates 1 --verify-runs 1 --out "$TRASH/m128" &&
	sed -i "s/^memory .*/memory 160/" mem/busybox-httpd.conf &&
	"$REDUCE" --app ./mem/busybox-httpd.conf --tests "$TESTS" --only-rootfs --accel tcg \
		--baseline-runs 1 --max-candidates 1 --verify-runs 1 --out "$TRASH/m160" &&
	grep "\"replayed\"" "$TRASH/m160/report.json" && grep -q "\"replayed\": 0," "$TRASH/m160/report.json" &&
	sed -i "s/^memory .*/memory 128/" mem/busybox-httpd.conf &&
	"$REDUCE" --app ./mem/busybox-httpd.conf --tests "$TESTS" --only-rootfs --accel tcg \
		--baseline-runs 1 --max-candidates 1 --verify-runs 1 --out "$TRASH/m128b" &&
	grep "\"replayed\"" "$TRASH/m128b/report.json" && grep -q "\"replayed\": 1," "$TRASH/m128b/report.json"
'
test_expect_success BOOT,ROOT_MOUNT 'a full output file system stops the run, naming it; a rerun with room finishes' '
	mkdir small && mount -t tmpfs -o size=2m tmpfs small &&
	expect_error 1 "no space left on $TRASH/small (tmpfs) while writing $TRASH/small/run.partial/" \
		quick --max-candidates 2 --out "$TRASH/small/run"; rc=$?
	umount small; test $rc = 0 &&
	quick --max-candidates 1 --out "$TRASH/roomy" 2>err && memo_is_clean "$MEMO"
'
# A verdict is stored in a new memo file on a full file system; tmpfs
# counts whole pages, so an append into a page the file has would fit.
test_expect_success BOOT,ROOT_MOUNT 'a full cache stops the run when it stores a verdict; its memo stays usable' '
	mkdir fullcache && mount -t tmpfs -o size=64k tmpfs fullcache &&
	for d in "$TRASH"/cache/*; do
		test "$(basename "$d")" = memo || ln -s "$(readlink -f "$d")" "fullcache/$(basename "$d")"
	done &&
	mkdir fullcache/memo &&
	{ dd if=/dev/zero of=fullcache/filler bs=4k count=64 2>/dev/null; true; } &&
	expect_error 1 "no space left on $TRASH/fullcache (tmpfs) while writing $TRASH/fullcache/memo/busybox-httpd.tsv" \
		env REDUCE_CACHE="$TRASH/fullcache" "$REDUCE" --app busybox-httpd --tests "$TESTS" \
		--only-rootfs --accel tcg --baseline-runs 1 --verify-runs 1 --max-candidates 3 --out "$TRASH/fullrun"; rc=$?
	m=fullcache/memo/busybox-httpd.tsv
	! test -s $m; empty=$?
	rm -f fullcache/filler &&
	env REDUCE_CACHE="$TRASH/fullcache" "$REDUCE" --app busybox-httpd --tests "$TESTS" --only-rootfs \
		--accel tcg --baseline-runs 1 --verify-runs 1 --max-candidates 1 --out "$TRASH/fullrun2"; rc2=$?
	memo_is_clean $m; clean=$?
	umount fullcache; test $rc = 0 && test $empty = 0 && test $rc2 = 0 && test $clean = 0 &&
	test -e "$TRASH/fullrun.stopped-candidates.tsv"
'
# The guest is untrusted: it reaches nothing on the host or beyond but
# through its forwarded ports, which listen on 127.0.0.1 only. (BusyBox's
# static wget crashes in this guest; nc does the asking. The outbound
# half shows the probe can reach the host when it may.)
test_expect_success BOOT 'a guest that tries to connect out fails; its ports listen on loopback only' '
	port=$(free_port) && test -n "$port" || exit 1
	/usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" >listener.log 2>&1 &
	listener=$!
	printf "%s\n" "rootfs busybox" "cmd /bin/sh /probe.sh" "port 80" \
		"file /probe.sh if printf \"GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n\" | nc -w 2 10.0.2.2 $port | grep -q \"200 OK\"; then echo reached >/www/status; else echo blocked >/www/status; fi\nexec /bin/busybox httpd -f -p 80 -h /www\n" \
		"file /www/index.html probe" >probe.conf &&
	cat >probe.sh <<-\EOF && chmod +x probe.sh &&
	#!/bin/sh
	s=$(curl -sS --max-time 10 "http://$REDUCE_HOST:$REDUCE_PORT/status") || { echo "no answer"; exit 1; }
	echo "guest says: $s"
	ss -ltn | grep ":$REDUCE_PORT " | tee -a "$TRASH/listening"
	ss -ltn | grep ":$REDUCE_PORT " | grep -v "127.0.0.1:$REDUCE_PORT " && { echo "listens beyond loopback"; exit 1; }
	test "$s" = blocked
	EOF
	"$REDUCE" --app ./probe.conf --tests ./probe.sh --only-rootfs --accel tcg --max-candidates 1 \
		--baseline-runs 1 --verify-runs 1 --out "$TRASH/isolated" 2>err; rc=$?; tail -3 err
	test $rc = 0 && grep -q "127.0.0.1:" listening && ! grep -q "GET" listener.log &&
	echo "network outbound" >>probe.conf &&
	expect_error 1 "fails its tests" "$REDUCE" --app ./probe.conf --tests ./probe.sh --only-rootfs \
		--accel tcg --baseline-runs 1 --out "$TRASH/outbound"; rc=$?
	kill $listener; test $rc = 0 && grep -q "guest says: reached" "$TRASH/.err" && grep -q "GET" listener.log
'
test_expect_success 'reduce cache shows the parts and sizes; --prune removes what is old and keeps the memo' '
	mkdir -p c/kernels/v3/ab c/rootfs c/memo c/kbuild/x-base c/initramfs/xz/cd &&
	echo old >c/kernels/v3/ab/old.bzImage && echo new >c/kernels/v3/ab/new.bzImage &&
	echo xz >c/initramfs/xz/cd/old.cpio.xz && echo xz >c/initramfs/xz/cd/new.cpio.xz &&
	echo tar >c/rootfs/old.tar && echo v >c/memo/app.tsv && echo cfg >c/kbuild/x-base/.config &&
	touch c/kbuild/x-base.lock &&
	mkdir -p c/history/old.git/objects/ab c/history/new.git/objects/ab &&
	echo o >c/history/old.git/objects/ab/obj && echo o >c/history/new.git/objects/ab/obj &&
	touch c/history/old.git/FETCH_HEAD c/history/new.git/FETCH_HEAD &&
	touch -d "40 days ago" c/history/old.git/FETCH_HEAD c/history/new.git/objects/ab/obj &&
	touch -d "40 days ago" c/kernels/v3/ab/old.bzImage c/rootfs/old.tar c/kbuild/x-base.lock c/memo/app.tsv \
		c/initramfs/xz/cd/old.cpio.xz &&
	REDUCE_CACHE=$TRASH/c "$REDUCE" cache >out && cat out &&
	grep -q "^cache $TRASH/c$" out && grep -q "^  kernels .* 2 files" out && grep -q "^  initramfs .* 2 files" out &&
	grep -q "^  total " out &&
	REDUCE_CACHE=$TRASH/c "$REDUCE" cache --prune 30 >out && cat out &&
	grep -q "^pruned 6 files" out &&
	! test -e c/initramfs/xz/cd/old.cpio.xz && test -e c/initramfs/xz/cd/new.cpio.xz &&
	! test -e c/history/old.git && test -e c/history/new.git/objects/ab/obj &&
	! test -e c/kernels/v3/ab/old.bzImage && test -e c/kernels/v3/ab/new.bzImage &&
	! test -e c/rootfs/old.tar && ! test -e c/kbuild/x-base && test -e c/memo/app.tsv &&
	expect_error 2 "needs a whole number of days" "$REDUCE" cache --prune soon &&
	expect_error 2 "unknown argument" "$REDUCE" cache --all
'
test_done
