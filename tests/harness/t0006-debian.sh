#!/bin/sh
# Real applications from a Debian root filesystem: nginx booted and tested
# for real (a bounded reduction), and the bad inputs of a profile.
. "$(dirname "$0")/test-lib.sh"
# Its runs are rootfs-only or stop at the baseline: they build nothing but
# the base, and find the Kconfig tools made in the suite's warm build.
test_shares_warm_build
RUN="$TRASH/nginx"

test_expect_success BOOT,DEBOOTSTRAP,MIRROR 'nginx from debootstrap: baseline, negative control, bounded reduction, verified' '
	"$REDUCE" --app nginx --tests "$ROOT/tests/nginx.sh" --only-rootfs --max-candidates 3 \
		--baseline-runs 1 --verify-runs 1 --out "$RUN" 2>err; rc=$?; grep -v "candidate" err; test $rc = 0 &&
	grep -q "negative control: with /usr/sbin/nginx left out and nothing started, the tests fail" err &&
	grep -q "static pass: the ELF closure of /usr/sbin/nginx is [0-9]* paths" err &&
	grep -q "\"verified\": true" "$RUN/report.json"
'
test_expect_success BOOT,DEBOOTSTRAP,MIRROR 'the static pass kept the ELF closure; the guess of the observing boot took the rootfs from thousands of files to tens' '
	grep -qx /usr/sbin/nginx "$RUN/rootfs.manifest" &&
	grep -q "/libc.so.6$" "$RUN/rootfs.manifest" &&
	grep -q "/libpcre2-8.so" "$RUN/rootfs.manifest" &&
	/usr/bin/python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))[\"rootfs\"]
print(r[\"files\"], r[\"elf_closure\"])
assert r[\"files\"][\"before\"] > 3000 and r[\"files\"][\"after\"] * 20 < r[\"files\"][\"before\"]
assert 0 < r[\"files_touched\"] < 200
assert r[\"elf_closure\"] >= 10
" "$RUN/report.json"
'
test_expect_success BOOT,DEBOOTSTRAP,MIRROR 'the reduced nginx image passes the nginx tests when booted by hand' '
	port=$(free_port) &&
	cmd=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"run_command\"])" "$RUN/report.json") &&
	cmd=$(echo "$cmd" | sed "s/127.0.0.1:8080-/127.0.0.1:$port-/") &&
	(cd "$RUN" && eval "setsid $cmd" </dev/null >"$OLDPWD/console.txt" 2>&1 &) &&
	ok=; for i in $(seq 1 120); do
		if curl -s --max-time 2 "http://127.0.0.1:$port/" | grep -q "hello from nginx"; then ok=1; break; fi
		sleep 0.5
	done;
	REDUCE_HOST=127.0.0.1 REDUCE_PORT=$port "$ROOT/tests/nginx.sh"; rc=$?
	pkill -f "qemu-system-x86_64.*127.0.0.1:$port-"; test -n "$ok" && test $rc = 0
'
test_expect_success DEBOOTSTRAP,MIRROR 'a profile naming an unknown Debian package' '
	printf "rootfs debian\npackages no-such-package-xyz\ncmd /usr/bin/true\n" >badpkg.conf &&
	expect_error 1 "debootstrap of .* failed.*no-such-package-xyz" \
		"$REDUCE" --app ./badpkg.conf --tests "$ROOT/tests/nginx.sh" --out "$TRASH/badpkg" &&
	! test -e "$TRASH/badpkg.partial"
'
test_expect_success BOOT 'a port that never opens fails the baseline within --boot-timeout' '
	printf "cmd /bin/busybox httpd -f -p 80 -h /www\nport 81\nfile /www/index.html x\n" >port.conf &&
	expect_error 1 "the app was not ready within 8000 ms" \
		"$REDUCE" --app ./port.conf --tests "$ROOT/tests/busybox-httpd.sh" --boot-timeout 8 \
		--out "$TRASH/port" && no_qemu_left "$TRASH/port"
'
# A guest out of memory is not the candidate's doing: busybox's tail
# keeps a line of /dev/zero, which never ends, until the OOM killer takes
# it (the kernel says "Out of memory: Killed process"), before it is ready.
test_expect_success BOOT 'an app that outgrows the guest memory: a memory fault naming it, no verdict stored' '
	printf "cmd /bin/busybox tail /dev/zero\nport 80\nmemory 48\n" >oom.conf &&
	expect_error 1 "^reduce: error: the baseline image could not be tested: guest memory [0-9]* MiB (the profile.s 48 and [0-9]* to unpack the image) is too small for the app (the console says: Out of memory: Killed process [0-9]* (busybox) total-vm:[0-9]*kB.*); raise .memory. in the profile$" \
		"$REDUCE" --app ./oom.conf --tests "$ROOT/tests/busybox-httpd.sh" --baseline-runs 1 \
		--out "$TRASH/oom" &&
	test "$(grep -c . "$TRASH/.err")" = "$(grep -c "^reduce: [a-z]" "$TRASH/.err")" &&
	! test -e "$TRASH/oom" && ! test -e "$TRASH/oom.partial" && ! test -s "$TRASH/cache/memo/oom.tsv" &&
	no_qemu_left "$TRASH/oom"
'
test_done
