#!/bin/sh
# An app from a tree of the user's own: `rootfs tar FILE` (any tar,
# compressed or not) and `rootfs dir PATH`, unpacked by the rules for
# untrusted archives (tests/unit/test-unpack.c holds the crafted ones),
# then reduced and booted like any other.
. "$(dirname "$0")/test-lib.sh"
test_shares_warm_build
TESTS="$ROOT/tests/busybox-httpd.sh"
PAGE='file /www/index.html <!DOCTYPE html>\n<html><body><h1>reduce: hello from busybox httpd</h1></body></html>\n'

# A tree with a static busybox and nothing else of BusyBox's making.
test_setup BUSYBOX 'a tree of the user: a static busybox, an /etc and a manual' '
	mkdir -p tree/bin tree/etc tree/usr/share/doc &&
	cp "${REDUCE_BUSYBOX:-/bin/busybox}" tree/bin/busybox &&
	echo "root:x:0:0:root:/:/bin/sh" >tree/etc/passwd &&
	echo "a manual nobody reads" >tree/usr/share/doc/README &&
	tar -C tree -czf tree.tar.gz . &&
	printf "rootfs tar tree.tar.gz\ncmd /bin/busybox httpd -f -p 80 -h /www\nport 80\nmemory 128\n%s\n" "$PAGE" >tar-app.conf &&
	printf "rootfs dir tree\ncmd /bin/busybox httpd -f -p 80 -h /www\nport 80\nmemory 128\n%s\n" "$PAGE" >dir-app.conf
'
test_expect_success BOOT 'rootfs tar: the tree unpacks, boots, passes its tests and loses what it does not need' '
	"$REDUCE" --app "$TRASH/tar-app.conf" --tests "$TESTS" --only-rootfs --accel tcg \
		--baseline-runs 1 --verify-runs 1 --out "$TRASH/tar-run" 2>err; rc=$?
	tail -5 err; test $rc = 0 &&
	grep -q "root filesystem: [0-9]* files from the tar base" err &&
	grep -qx /bin/busybox "$TRASH/tar-run/rootfs.manifest" &&
	! grep -q "/usr/share/doc/README" "$TRASH/tar-run/rootfs.manifest"
'
# The tar run's verdicts are lent to the dir run (the memo's keys name the
# images, not the app): where the dir's tree stages as the tar's did, its
# candidates are the same images, and are replayed, not booted again; its
# baseline, negative control and verification still boot.
test_expect_success BOOT 'rootfs dir: the same tree from a directory gives the same image' '
	"$REDUCE" memo export tar-app "$TRASH/tar.memo" &&
	"$REDUCE" memo import dir-app "$TRASH/tar.memo" &&
	"$REDUCE" --app "$TRASH/dir-app.conf" --tests "$TESTS" --only-rootfs --accel tcg \
		--baseline-runs 1 --verify-runs 1 --out "$TRASH/dir-run" 2>err; rc=$?
	tail -3 err; test $rc = 0 &&
	cmp "$TRASH/tar-run/initramfs.cpio.xz" "$TRASH/dir-run/initramfs.cpio.xz" &&
	grep -q "\"replayed\": [1-9]" "$TRASH/dir-run/report.json"
'
test_expect_success 'bad own trees: a missing file, a directory given as tar, a corrupt archive' '
	printf "rootfs tar nothere.tar\ncmd /bin/busybox\n" >a.conf &&
	expect_error 2 "a.conf:1: rootfs tar nothere.tar: No such file or directory" \
		"$REDUCE" --app "$TRASH/a.conf" --tests "$TESTS" &&
	printf "rootfs tar tree\ncmd /bin/busybox\n" >b.conf &&
	expect_error 2 "b.conf:1: rootfs tar tree: not a file" "$REDUCE" --app "$TRASH/b.conf" --tests "$TESTS" &&
	printf "rootfs dir\ncmd /bin/busybox\n" >c.conf &&
	expect_error 2 "c.conf:1: rootfs dir needs a path" "$REDUCE" --app "$TRASH/c.conf" --tests "$TESTS" &&
	head -c 3000 tree.tar.gz >cut.tar.gz &&
	printf "rootfs tar cut.tar.gz\ncmd /bin/busybox httpd -f -p 80 -h /www\nport 80\n" >d.conf &&
	expect_error 2 "cut.tar.gz: .*" "$REDUCE" --app "$TRASH/d.conf" --tests "$TESTS" --out "$TRASH/d-run" &&
	! test -e "$TRASH/d-run" && ! test -e "$TRASH/d-run.partial"
'
test_done
