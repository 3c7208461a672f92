#!/bin/sh
# A make killed mid-way (Ctrl-C, a timeout, a crash) can leave a truncated
# .cmd file in the shared kernel build directory, on which every later make
# stops: each kernel candidate would then be a false "build" verdict. Here a
# real .cmd file is cut as fixdep leaves it, with the stamp of a make in
# progress beside it; the next run must repair the directory and build the
# base. The directory damaged is this file's own: a copy of the suite's
# warm build (built by the files before it), or built here when there is
# none.
. "$(dirname "$0")/test-lib.sh"
B="$TEST_CACHE/kbuild/microvm-base"
# A kernels cache of its own: with the base's image and its option counts
# not found there, the run makes the base in the damaged directory.
rm "$TEST_CACHE/kernels" && mkdir "$TEST_CACHE/kernels"
CMD="$B/init/.main.o.cmd"

# An --only-kernel run (stderr in err) stopped with SIGINT once its kernel
# search begins, that is once it has made the base in its build directory,
# or once it gives up.
run_to_kernel_search() {
	: >err &&
	"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --only-kernel \
		--baseline-runs 1 --verify-runs 1 --out "$TRASH/$1" 2>err & pid=$! &&
	for i in $(seq 1 1800); do
		grep -q "options are each named\|base build failed\|^reduce: error" err && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.5
	done &&
	kill -INT $pid; wait $pid; cat err
}

test_setup KERNEL_SEARCH 'a built kernel build directory of its own' '
	if test -f "$SUITE_KBUILD/microvm-base/init/.main.o.cmd"; then
		test_copy_warm_build microvm-base
	else
		run_to_kernel_search setup &&
		grep -q "options are each named by a third or more" err
	fi &&
	test -f "$CMD" && ! test -L "$TEST_CACHE/kbuild" &&
	case $(readlink -f "$B") in "$TRASH"/*) ;; *) false ;; esac
'
test_expect_success KERNEL_SEARCH 'the next run repairs a build directory a cut make left behind' '
	test -f "$CMD" &&
	: >"$B/.reduce-make-in-progress" && sleep 0.1 &&
	head -c 300 "$CMD" >cut && cat cut >"$CMD" &&
	! grep -q "^\$(deps_init/main.o):" "$CMD" &&
	run_to_kernel_search k &&
	grep -q "kernel build directory $B: an earlier make was cut short; removed the [1-9][0-9]* files it wrote" err &&
	grep -q "options are each named by a third or more" err &&
	! grep -q "base build failed" err &&
	grep -q "^\$(deps_init/main.o):" "$CMD"
'
test_done
