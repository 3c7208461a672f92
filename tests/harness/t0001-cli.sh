#!/bin/sh
# The command line and bad inputs that are caught before any build or boot.
. "$(dirname "$0")/test-lib.sh"

test_expect_success '--help documents every flag and the exit codes' '
	"$REDUCE" --help >help &&
	for f in --app --tests --kernel-base --strategy --max-candidates --only-kernel \
		 --only-rootfs --out --hint --accel --test-timeout --boot-timeout --verify-runs \
		 --machine --no-min-memory; do
		grep -q -- "$f" help || { echo "missing $f"; exit 1; }
	done &&
	grep -q "Exit status" help
'
test_expect_success 'no arguments: usage error' '
	expect_error 2 "--app (or --image) is required" "$REDUCE"
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
test_expect_success 'unknown machine names the known ones' '
	expect_error 2 "unknown machine .q35. (pc, microvm)" "$REDUCE" --app a --tests t --machine q35
'
test_expect_success 'a profile memory below the least a guest boots in' '
	printf "cmd /bin/busybox httpd -f\nport 80\nmemory 7\n" >small.conf &&
	expect_error 2 "small.conf:3: memory must be MiB from 8 to 65536, not .7." \
		"$REDUCE" --app ./small.conf --tests "$ROOT/tests/busybox-httpd.sh"
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
	expect_error 2 "/usr/sbin/nginx does not exist in the root filesystem" \
		"$REDUCE" --app ./nocmd.conf --tests "$ROOT/tests/busybox-httpd.sh" --out "$TRASH/nocmd" &&
	! test -e "$TRASH/nocmd" && ! test -e "$TRASH/nocmd.partial"
'
test_expect_success 'a kernel base that lacks what the machine needs is refused, naming what' '
	printf "CONFIG_PVH=y\nCONFIG_PCI=y\nCONFIG_VIRTIO_PCI=y\n" >no-mmio.config &&
	expect_error 2 "kernel base no-mmio.config lacks what --machine microvm needs: CONFIG_VIRTIO_MMIO, CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES$" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --machine microvm \
		--kernel-base no-mmio.config --out "$TRASH/no-mmio" &&
	! test -e "$TRASH/no-mmio" && ! test -e "$TRASH/no-mmio.partial" &&
	echo CONFIG_PVH=y >no-pci.config &&
	expect_error 2 "kernel base no-pci.config lacks what --machine pc needs: CONFIG_PCI, CONFIG_VIRTIO_PCI$" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --kernel-base no-pci.config
'
test_expect_success 'an existing output directory is refused' '
	mkdir -p taken &&
	expect_error 2 "already exists" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --out "$TRASH/taken"
'
test_expect_success 'reduce memo: verdicts exported, imported on another machine, known ones kept' '
	a=0123456789abcdef0123456789abcdef01234567 b=89abcdef0123456789abcdef0123456789abcdef &&
	printf "%s\tpass\njunk line\n%s\tboot\n%s\thost\n" $b $a 0000000000000000000000000000000000000000 >in.tsv &&
	REDUCE_CACHE="$TRASH/m1" "$REDUCE" memo import myapp in.tsv 2>err && cat err &&
	grep -q "imported 2 verdicts of myapp that were new here" err &&
	REDUCE_CACHE="$TRASH/m1" "$REDUCE" memo export myapp >out 2>err &&
	printf "%s\tboot\n%s\tpass\n" $a $b | cmp - out &&
	REDUCE_CACHE="$TRASH/m1" "$REDUCE" memo import myapp out 2>err &&
	grep -q "imported 0 verdicts" err &&
	REDUCE_CACHE="$TRASH/m1" "$REDUCE" memo export myapp "$TRASH/exported.tsv" 2>/dev/null &&
	cmp out "$TRASH/exported.tsv" &&
	REDUCE_CACHE="$TRASH/m2" "$REDUCE" memo export otherapp >empty 2>/dev/null && ! test -s empty
'
test_expect_success 'reduce memo: bad command lines' '
	expect_error 2 "memo needs export or import" "$REDUCE" memo &&
	expect_error 2 "usage: reduce memo import APP FILE" "$REDUCE" memo import myapp &&
	expect_error 2 "is not an app name" "$REDUCE" memo export ../etc &&
	expect_error 2 "cannot read $TRASH/none.tsv" "$REDUCE" memo import myapp "$TRASH/none.tsv"
'
test_done
