#!/bin/sh
# Ctrl-C in the middle of a run: exit 130, QEMU killed, no half-written
# run directory; what was tried is kept beside it.
. "$(dirname "$0")/test-lib.sh"
# A rootfs-only run: it finds the base (and the Kconfig tools) made in the
# suite's warm build.
test_shares_warm_build

test_expect_success BOOT 'SIGINT during the search stops cleanly' '
	"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --only-rootfs \
		--strategy linear --baseline-runs 1 --out "$TRASH/intr" 2>err & pid=$! &&
	for i in $(seq 1 600); do grep -q "\[rootfs\] candidate 2" err && break; sleep 0.5; done &&
	grep -q "\[rootfs\] candidate 2" err &&
	kill -INT $pid; wait $pid; rc=$?; cat err; echo "exit $rc" &&
	test $rc = 130 && grep -q "interrupted after [0-9]* s, [0-9]* builds, [0-9]* boots, [0-9]* candidates" err &&
	n=$(sed -n "s/.*boots, \([0-9]*\) candidates.*/\1/p" err) && test "$n" -ge 2 &&
	sleep 1 && no_qemu_left "$TRASH/intr" &&
	! test -e "$TRASH/intr" && ! test -e "$TRASH/intr.partial"
'
test_expect_success BOOT 'the log of the candidates tried outlives the stopped run' '
	log="$TRASH/intr.stopped-candidates.tsv" &&
	grep -q "; candidates tried: $log$" err &&
	head -n 1 "$log" | grep -q "^n	phase	verdict	source" &&
	test $(grep -c "	rootfs	" "$log") -ge 2
'
test_done
