#!/bin/sh
# A make killed mid-way (Ctrl-C, a timeout, a crash) can leave a truncated
# .cmd file in the shared kernel build directory, on which every later make
# stops: each kernel candidate would then be a false "build" verdict. Here a
# real .cmd file is cut as fixdep leaves it, with the stamp of a make in
# progress beside it; the next run must repair the directory and build the
# base. Runs after the tests that built the baseline kernel.
. "$(dirname "$0")/test-lib.sh"
B="$MAIN_CACHE/kbuild/microvm-base"
CMD="$B/init/.main.o.cmd"

test_expect_success 'the next run repairs a build directory a cut make left behind' '
	test -f "$CMD" &&
	: >"$B/.reduce-make-in-progress" && sleep 0.1 &&
	head -c 300 "$CMD" >cut && cat cut >"$CMD" &&
	! grep -q "^\$(deps_init/main.o):" "$CMD" && : >err &&
	"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --only-kernel \
		--verify-runs 1 --out "$TRASH/k" 2>err & pid=$! &&
	for i in $(seq 1 1800); do
		grep -q "options are each named\|base build failed\|^reduce: error" err && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.5
	done &&
	kill -INT $pid; wait $pid; cat err &&
	grep -q "an earlier make was cut short; removed the [1-9][0-9]* files it wrote" err &&
	grep -q "options are each named by a third or more" err &&
	! grep -q "base build failed" err &&
	grep -q "^\$(deps_init/main.o):" "$CMD"
'
test_done
