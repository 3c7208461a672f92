#!/bin/sh
# Real kernel build and QEMU boots: a baseline that fails its tests and a
# test script that hangs are refused with a clear error, no report and no
# QEMU left behind.
. "$(dirname "$0")/test-lib.sh"
# Its baseline build (when the image cache lacks it) warms the build
# directory the later files' kernel searches use.
test_shares_warm_build

# make installs musl-tools before it builds the init, so the init in every
# image is musl's, never glibc's (a fresh machine's first make built it
# before musl was there).
test_expect_success MUSL 'the init that goes into every image is the musl build' '
	command -v musl-gcc &&
	! grep -q "GLIBC" "$ROOT/rootfs/init" &&
	test $(wc -c <"$ROOT/rootfs/init") -lt 200000
'
test_expect_success BOOT 'a baseline that fails its tests is refused, showing the test output' '
	printf "#!/bin/sh\necho \"expected 200, got 503 from \$REDUCE_HOST:\$REDUCE_PORT\"\nexit 1\n" >fails.sh &&
	chmod +x fails.sh &&
	expect_error 1 "baseline image fails its tests" \
		"$REDUCE" --app busybox-httpd --tests ./fails.sh --out "$TRASH/failed" &&
	grep -q "expected 200, got 503 from 127.0.0.1:[0-9]" "$TRASH/.err" &&
	! test -e "$TRASH/failed" && ! test -e "$TRASH/failed.partial" &&
	no_qemu_left "$TRASH/failed"
'
# The script notes its process group, so that the check for what is left
# of it looks at its own processes only.
test_expect_success BOOT 'a hanging test script is killed at --test-timeout' '
	cat >hangs.sh <<-EOF && chmod +x hangs.sh &&
	#!/bin/sh
	ps -o pgid= -p \$\$ | tr -d " " >>"$TRASH/hangs.pgid"
	sleep 600
	EOF
	start=$(date +%s) &&
	expect_error 1 "ran over 3 s" \
		timeout 600 "$REDUCE" --app busybox-httpd --tests ./hangs.sh --test-timeout 3 --out "$TRASH/hang" &&
	end=$(date +%s) && echo "took $((end - start)) s" && test $((end - start)) -lt 300 &&
	test -s hangs.pgid && cat hangs.pgid && ours=$(ps -o pgid= -p $$ | tr -d " ") &&
	for pgid in $(cat hangs.pgid); do
		test "$pgid" != "$ours" || { echo "the script ran in our process group"; exit 1; }
		left=$(live_in_group "$pgid" | tr "\n" " ")
		test -z "$left" || { echo "left of the script:"; ps -o pid,stat,args -p "$left"; exit 1; }
	done &&
	! test -e "$TRASH/hang.partial" && no_qemu_left "$TRASH/hang"
'
test_expect_success BOOT 'tests that pass without the app are refused (negative control)' '
	printf "#!/bin/sh\nexit 0\n" >always.sh && chmod +x always.sh &&
	expect_error 2 "tests pass on an image without the app (negative control)" \
		"$REDUCE" --app busybox-httpd --tests ./always.sh --baseline-runs 1 --out "$TRASH/always" &&
	! test -e "$TRASH/always" && ! test -e "$TRASH/always.partial" && no_qemu_left "$TRASH/always"
'
test_expect_success BOOT 'the test script gets the documented environment' '
	printf "#!/bin/sh\ntest -n \"\$REDUCE_PORT\" && test -n \"\$REDUCE_PORT_80\" && test \"\$REDUCE_PORT\" = \"\$REDUCE_PORT_80\" && test \"\$REDUCE_APP\" = busybox-httpd && grep -q \"reduce-init: ready\" \"\$REDUCE_CONSOLE\" && curl -sf \"http://\$REDUCE_HOST:\$REDUCE_PORT/\" >/dev/null\n" >env.sh &&
	chmod +x env.sh &&
	"$REDUCE" --app busybox-httpd --tests ./env.sh --only-rootfs --max-candidates 1 --baseline-runs 1 \
		--verify-runs 1 --out "$TRASH/env" -q 2>err && grep -q "\"verified\": true" "$TRASH/env/report.json"
'
test_done
