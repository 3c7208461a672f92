#!/bin/sh
# reduce itself killed with SIGKILL during a kernel build and during a
# boot, then the same command run again: it finishes with the kernel
# config and the file list of an uninterrupted run, and the killed run
# leaves no make or QEMU behind. A kill loses at most the candidate in
# flight; the rerun does not build the base again to count what each
# option recompiles.
. "$(dirname "$0")/test-lib.sh"
# Its runs share the suite's warm build directory, but for the one killed
# mid-build: that one builds, is killed and repairs its directory (as a
# user's next run would) in a copy of it, so the suite's is neither cut
# nor moved off the config it holds.
test_shares_warm_build
TESTS="$ROOT/tests/busybox-httpd.sh"

ARGS="--app busybox-httpd --tests $TESTS --only-kernel --accel tcg --baseline-runs 1 --verify-runs 1"
# run CACHE --out DIR: the command, with the cache it uses. (In the
# background it is spelled out: $! must be reduce's own pid.)
run() {
	_cache=$1
	shift
	env REDUCE_CACHE="$_cache" "$REDUCE" $ARGS "$@"
}

# The same kernel options and the same files as the reference run.
same_result() {
	grep "=y$" "$TRASH/ref/kernel.config" | sort >ref.y &&
	grep "=y$" "$1/kernel.config" | sort >got.y &&
	cmp ref.y got.y && cmp "$TRASH/ref/rootfs.manifest" "$1/rootfs.manifest"
}

# Waits until the running reduce ($1) has a child matching pgrep's
# arguments $2...; prints its pid.
child_of() {
	_parent=$1
	shift
	for _i in $(seq 1 6000); do
		_c=$(pgrep -P "$_parent" "$@" | head -n 1)
		if test -n "$_c"; then echo "$_c"; return 0; fi
		kill -0 "$_parent" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

gone() {
	for _i in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	echo "process $1 is still running"
	return 1
}

test_setup KERNEL_SEARCH 'an uninterrupted run to compare with' '
	run "$REDUCE_CACHE" --out "$TRASH/ref"
'
# A cache of its own for the image cache, so that its kernels are built.
test_expect_success KERNEL_SEARCH 'SIGKILL during a kernel build, then the same command: the same result' '
	cache_linking "$TRASH/c2" linux-source-6.1 ccache rootfs &&
	test_copy_warm_build microvm-base "$TRASH/c2" &&
	{ env REDUCE_CACHE="$TRASH/c2" "$REDUCE" $ARGS --out "$TRASH/b" 2>err & pid=$!; } &&
	for i in $(seq 1 6000); do grep -q "options kept untested" err && break; sleep 0.1; done &&
	mk=$(child_of $pid -f "^make .* bzImage$") && sleep 2 && kill -0 $mk &&
	kill -9 $pid; wait $pid; rc=$?; cat err; test $rc = 137 &&
	gone $mk && test -e "$TRASH/b.partial" &&
	run "$TRASH/c2" --out "$TRASH/b" 2>err2; rc=$?; cat err2; test $rc = 0 &&
	grep -q "an earlier make was cut short; removed the [0-9]* files it wrote" err2 &&
	same_result "$TRASH/b" && ! test -e "$TRASH/b.partial" &&
	# The killed run counted what each option recompiles on the base; the
	# rerun reads that back instead of making the base again.
	grep -q "making the base config in .* to count what each option touches" err &&
	! grep -q "making the base config" err2 &&
	grep "options are each named by a third or more" err >counted &&
	grep "options are each named by a third or more" err2 | cmp - counted
'
test_expect_success KERNEL_SEARCH 'SIGKILL during a candidate boot, then the same command: the same result' '
	cache_linking "$TRASH/c3" linux-source-6.1 kbuild ccache rootfs &&
	ln -s "$(readlink -f "$TRASH/c2/kernels")" "$TRASH/c3/kernels" &&
	{ env REDUCE_CACHE="$TRASH/c3" "$REDUCE" $ARGS --out "$TRASH/c" 2>err & pid=$!; } &&
	q=$(child_of $pid -f "qemu-system-x86_64.*candidate.bzImage") &&
	kill -9 $pid; wait $pid; rc=$?; cat err; test $rc = 137 &&
	gone $q &&
	run "$TRASH/c3" --out "$TRASH/c" 2>err2; rc=$?; cat err2; test $rc = 0 &&
	same_result "$TRASH/c"
'
test_done
