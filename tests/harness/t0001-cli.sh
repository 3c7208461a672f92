#!/bin/sh
# The command line and bad inputs that are caught before any build or boot.
. "$(dirname "$0")/test-lib.sh"

test_expect_success '--help documents every flag and the exit codes' '
	"$REDUCE" --help >help &&
	for f in --app --tests --kernel-base --strategy --max-candidates --only-kernel \
		 --only-rootfs --out --hint --accel --test-timeout --boot-timeout --verify-runs; do
		grep -q -- "$f" help || { echo "missing $f"; exit 1; }
	done &&
	grep -q "Exit status" help
'
test_expect_success 'no arguments: usage error' '
	expect_error 2 "--app is required" "$REDUCE"
'
test_expect_success 'unknown option' '
	expect_error 2 "unknown option" "$REDUCE" --frobnicate
'
test_expect_success 'unknown app names the available ones' '
	expect_error 2 "unknown app .no-such-app.*available: busybox-httpd" \
		"$REDUCE" --app no-such-app --tests "$ROOT/tests/busybox-httpd.sh"
'
test_expect_success 'missing test script' '
	expect_error 2 "test script /nonexistent.sh does not exist" \
		"$REDUCE" --app busybox-httpd --tests /nonexistent.sh
'
test_expect_success 'non-executable test script' '
	echo "exit 0" >plain.sh &&
	expect_error 2 "not an executable file" "$REDUCE" --app busybox-httpd --tests plain.sh
'
test_expect_success 'kernel base file that does not exist' '
	expect_error 2 "kernel base .*no.config. is neither" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --kernel-base ./no.config
'
test_expect_success 'a --hint that is not a run directory' '
	expect_error 2 "hint /nonexistent is not a run directory" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --hint /nonexistent
'
test_expect_success 'unknown strategy' '
	expect_error 2 "unknown strategy .fast" "$REDUCE" --app busybox-httpd --tests x --strategy fast
'
test_expect_success 'bad --max-candidates' '
	expect_error 2 "max-candidates needs a whole number" "$REDUCE" --app a --tests t --max-candidates -3
'
test_expect_success '--only-kernel with --only-rootfs' '
	expect_error 2 "exclude each other" "$REDUCE" --app a --tests t --only-kernel --only-rootfs
'
test_expect_success 'a profile with a syntax error names file and line' '
	printf "cmd /bin/busybox\nport eighty\n" >bad.conf &&
	expect_error 2 "bad.conf:2: port must be a number" \
		"$REDUCE" --app ./bad.conf --tests "$ROOT/tests/busybox-httpd.sh"
'
test_expect_success BUSYBOX 'a profile whose command is not in the rootfs' '
	printf "cmd /usr/sbin/nginx\nport 80\n" >nocmd.conf &&
	expect_error 1 "/usr/sbin/nginx does not exist in the root filesystem" \
		"$REDUCE" --app ./nocmd.conf --tests "$ROOT/tests/busybox-httpd.sh" --out "$TRASH/nocmd" &&
	! test -e "$TRASH/nocmd" && ! test -e "$TRASH/nocmd.partial"
'
test_expect_success 'an existing output directory is refused' '
	mkdir -p taken &&
	expect_error 2 "already exists" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --out "$TRASH/taken"
'
test_done
