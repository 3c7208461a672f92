#!/bin/sh
# Many machines: kernel objects shared through ccache's remote storage (a
# redis-server of this file's own on a loopback port) and compiled by
# distcc (a distccd of its own). Each "runner" is a cache directory of its
# own with nothing in it but the kernel source; every image must be the
# bytes a plain build gives.
. "$(dirname "$0")/test-lib.sh"

# runner NAME: $TRASH/runner becomes a new runner's cache, with the
# kernel source alone (the one before it is kept as NAME.before). Every
# runner has the same paths, as CI runners of one set-up have: the
# source's (the shared tree the link points at), which is in every
# compile line, and the build directory's, which ccache hashes for the
# files Kbuild compiles with -g (the real-mode setup).
runner() {
	if test -e "$TRASH/runner"; then mv "$TRASH/runner" "$TRASH/$1.before"; fi &&
	cache_linking "$TRASH/runner" linux-source-6.1
}
json_number() {
	sed -n "s/.*\"$2\": \\([0-9.]*\\).*/\\1/p" "$1"
}

test_expect_success 'REDUCE_CCACHE_REMOTE that ccache cannot store to: one-line error, exit 2' '
	REDUCE_CCACHE_REMOTE=ftp://cache.example/x expect_error 2 "REDUCE_CCACHE_REMOTE is not a URL" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" &&
	REDUCE_CCACHE_REMOTE="redis://a:1 redis://b:2" expect_error 2 "REDUCE_CCACHE_REMOTE" \
		"$REDUCE" release --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" --version 1 &&
	REDUCE_CCACHE_REMOTE=nonsense expect_error 2 "REDUCE_CCACHE_REMOTE" "$REDUCE" build --out "$TRASH/o" &&
	! test -e "$TRASH/o"
'
test_expect_success 'REDUCE_DISTCC_HOSTS with a bad job count or no host: one-line error, exit 2' '
	REDUCE_DISTCC_HOSTS="h1/4 h2/0" expect_error 2 "'"'h2/0'"' is not HOST" \
		"$REDUCE" --app busybox-httpd --tests "$ROOT/tests/busybox-httpd.sh" &&
	REDUCE_DISTCC_HOSTS="--randomize" expect_error 2 "names no host" "$REDUCE" build --out "$TRASH/o" &&
	REDUCE_DISTCC_HOSTS="h1/x" expect_error 2 "is not HOST" "$REDUCE" build --out "$TRASH/o"
'
test_expect_success 'reduce build: no --out, an --out that exists, a missing --config: exit 2' '
	expect_error 2 "needs --out" "$REDUCE" build &&
	mkdir there && expect_error 2 "there exists" "$REDUCE" build --out there &&
	expect_error 2 "cannot read --config" "$REDUCE" build --out o --config nowhere.config &&
	expect_error 2 "unknown machine" "$REDUCE" build --out o --machine vax &&
	! test -e o
'

test_atexit 'for p in "$TRASH"/daemons/*.pid; do test -f "$p" && kill "$(cat "$p")" 2>/dev/null; done'
test_setup REDIS,DISTCC,KERNEL_SOURCE,KBUILD_TOOLS 'a small config (tinyconfig), a redis-server, a distccd' '
	make -s -C "$TEST_CACHE/linux-source-6.1" O="$TRASH/tiny" tinyconfig >/dev/null &&
	cp "$TRASH/tiny/.config" tiny.config &&
	RP=$(free_port) && DP=$(free_port) && DEAD=$(free_port) &&
	echo "RP=$RP DP=$DP DEAD=$DEAD" >ports &&
	mkdir -m 1777 daemons &&
	redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
		--pidfile "$TRASH/daemons/redis.pid" --logfile "$TRASH/daemons/redis.log" --dir "$TRASH/daemons" &&
	{ distccd --daemon --no-detach --log-stderr --allow 127.0.0.1 --listen 127.0.0.1 -p "$DP" --jobs 2 \
		</dev/null >/dev/null 2>"$TRASH/daemons/distccd.log" & } &&
	echo $! >"$TRASH/daemons/distccd.pid" &&
	listening="import socket, sys; socket.create_connection((\"127.0.0.1\", int(sys.argv[1])), 2)" &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG &&
			/usr/bin/python3 -c "$listening" "$DP" 2>/dev/null && break
		sleep 0.5
	done &&
	redis-cli -p "$RP" ping | grep -q PONG &&
	/usr/bin/python3 -c "$listening" "$DP"
'
test -f "$TRASH/ports" && . "$TRASH/ports"

# The reference: what this machine's ccache (the suite's, shared) builds
# with nothing shared.
test_setup REDIS,DISTCC,KERNEL_SOURCE,KBUILD_TOOLS 'the plain build of tiny.config' '
	cache_linking "$TRASH/plain" linux-source-6.1 ccache &&
	REDUCE_CACHE="$TRASH/plain" "$REDUCE" build --config tiny.config --out plain-out
'
test_expect_success REDIS,DISTCC,KERNEL_SOURCE,KBUILD_TOOLS 'runner 1 (nothing cached): compiles through distcc, fills the remote, the same bzImage' '
	runner r1 &&
	REDUCE_CACHE="$TRASH/runner" REDUCE_CCACHE_REMOTE="redis://127.0.0.1:$RP" \
		REDUCE_DISTCC_HOSTS="127.0.0.1:$DP/2" "$REDUCE" build --config tiny.config --out r1-out >out &&
	cat out && c=$(json_number r1-out/compile.json compiled) &&
	test "$c" -gt 100 &&
	test "$(json_number r1-out/compile.json remote_cache_hits)" = 0 &&
	grep -q "\"distcc_hosts\": 1, \"distcc_slots\": 2" r1-out/compile.json &&
	ok=$(grep -c "COMPILE_OK" daemons/distccd.log) && echo "distccd compiled $ok" &&
	test "$ok" -gt 100 && test "$(json_number r1-out/compile.json distributed)" = "$ok" &&
	test "$(redis-cli -p "$RP" dbsize)" -gt 100 &&
	cmp plain-out/bzImage r1-out/bzImage && cmp plain-out/vmlinux r1-out/vmlinux
'
test_expect_success REDIS,DISTCC,KERNEL_SOURCE,KBUILD_TOOLS 'runner 2 (nothing cached): served by the remote, compiles (next to) nothing, the same bzImage' '
	runner r2 &&
	REDUCE_CACHE="$TRASH/runner" REDUCE_CCACHE_REMOTE="redis://127.0.0.1:$RP" \
		"$REDUCE" build --config tiny.config --out r2-out >out &&
	cat out && cat r2-out/compile.json &&
	c1=$(json_number r1-out/compile.json compiled) && c2=$(json_number r2-out/compile.json compiled) &&
	h2=$(json_number r2-out/compile.json remote_cache_hits) &&
	test $((c2 * 100)) -le "$c1" && test $((h2 + c2)) = "$c1" &&
	cmp plain-out/bzImage r2-out/bzImage
'
# Runner 2's build directory with a few objects gone: what Kbuild
# compiles again (those, and what a relinked vmlinux brings: the
# compressed kernel's objects) misses the (empty) local cache, and
# neither the remote nor the distcc host answers: it all compiles here.
test_expect_success REDIS,DISTCC,KERNEL_SOURCE,KBUILD_TOOLS 'nothing answers: one warning, compiled here, the same bzImage' '
	runner r3 && mkdir runner/kbuild && cp -a r3.before/kbuild/file-base runner/kbuild/ &&
	rm runner/kbuild/file-base/kernel/fork.o runner/kbuild/file-base/kernel/exit.o runner/kbuild/file-base/mm/mmap.o &&
	REDUCE_CACHE="$TRASH/runner" REDUCE_CCACHE_REMOTE="redis://127.0.0.1:$DEAD" \
		REDUCE_DISTCC_HOSTS="127.0.0.1:$DEAD/4" "$REDUCE" build --config tiny.config --out r3-out >out 2>err &&
	cat out err && cat r3-out/compile.json &&
	test "$(grep -c "warning: the ccache remote storage" err)" = 1 &&
	! grep -v "warning: the ccache remote storage" err | grep -qi "warning\|error" &&
	c=$(json_number r3-out/compile.json compiled) && test "$c" -ge 3 &&
	test "$(json_number r3-out/compile.json distcc_fell_back)" -ge "$c" &&
	test "$(json_number r3-out/compile.json distributed)" = 0 &&
	test "$(json_number r3-out/compile.json remote_errors)" -ge 1 &&
	cmp plain-out/bzImage r3-out/bzImage
'
test_done
