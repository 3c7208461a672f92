#!/bin/sh
# The release job against temporary histories: two releases of
# busybox-httpd in a row (the second from an empty cache, as a fresh CI
# runner), a version released twice, growth over --max-growth, a push to
# a file:// remote and a refused one, reduce log, and release --check.
# The test reads the histories with git; reduce itself runs no git.
. "$(dirname "$0")/test-lib.sh"
test_shares_warm_build
TESTS="$ROOT/tests/busybox-httpd.sh"
HIST="$TRASH/history.git"
APP=busybox-httpd
test_lazy_prereq GIT 'command -v git' 'git not found: package git'
test_prereq_alias RELEASE KERNEL_SEARCH,GIT

release() {
	"$REDUCE" release --app $APP --tests "$TESTS" --accel tcg --quiet "$@"
}
git_h() {
	git --git-dir="$HIST" "$@"
}
figure() {
	/usr/bin/python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'): d=d[k]
print(d)" "$1/report.json" "$2"
}

test_expect_success RELEASE 'a first release: a commit on branch APP, tagged APP/VERSION, holding the run' '
	release --version 1.0 --history "$HIST" --out "$TRASH/r1" --baseline-runs 1 --verify-runs 1 \
		>out 2>err; rc=$?
	tail -3 err; cat out; test $rc = 0 &&
	grep -q "is the first release of busybox-httpd" out &&
	test "$(git_h tag -l)" = "busybox-httpd/1.0" &&
	test "$(git_h rev-parse busybox-httpd)" = "$(git_h rev-parse "busybox-httpd/1.0^{commit}")" &&
	test "$(git_h cat-file -t busybox-httpd/1.0)" = tag &&
	git_h ls-tree --name-only busybox-httpd >files &&
	printf "%s\n" bzImage candidates.tsv initramfs.cpio.xz kernel.config memo.tsv profile.conf \
		report.json report.md rootfs.manifest >want && diff want files &&
	git_h log -1 --format=%s busybox-httpd | grep -Eq "^busybox-httpd 1.0: [0-9,]+ B, ready in [0-9]+ ms$" &&
	git_h show busybox-httpd:bzImage | cmp - "$TRASH/r1/bzImage" &&
	git_h show busybox-httpd:memo.tsv | grep -Eq "^[0-9a-f]{40}	pass$"
'
test_expect_success RELEASE 'nothing machine-specific in the release: no path of this machine' '
	for f in $(cat files); do
		git_h show "busybox-httpd:$f" | grep -a -F -e "$TRASH" -e "$ROOT" -e "$SHARED_CACHE" && { echo "$f names a path"; exit 1; }
	done
	figure "$TRASH/r1" run_command | grep -q " -kernel bzImage -initrd initramfs.cpio.xz "
'
# The fresh cache builds the base and the result in a copy of the warm
# build, so that the suite's stays at what it was.
test_expect_success RELEASE 'the next release from an empty cache replays the last: 2 builds, the same bytes, the diff in the job summary' '
	cache_linking "$TRASH/fresh" "$KERNEL_SOURCE" ccache &&
	test_copy_warm_build microvm-base "$TRASH/fresh" &&
	echo "earlier step" >summary.md &&
	REDUCE_CACHE="$TRASH/fresh" GITHUB_STEP_SUMMARY="$TRASH/summary.md" \
		release --version 1.1 --history "$HIST" --out "$TRASH/r2" --baseline-runs 1 --verify-runs 1 \
		>out 2>err; rc=$?
	tail -4 err; test $rc = 0 &&
	grep -q "history: the previous release is busybox-httpd 1.0 .*; [1-9][0-9]* of its verdicts were new here" err &&
	builds=$(figure "$TRASH/r2" builds) && echo "builds: $builds" && test "$builds" -le 2 &&
	grep -q "The images hold the same kernel options and rootfs files." out &&
	grep -q "^bzImage: byte-identical.$" out && grep -q "^initramfs.cpio.xz: byte-identical.$" out &&
	{ echo "earlier step"; cat out; } | cmp - summary.md &&
	cmp "$TRASH/r1/bzImage" "$TRASH/r2/bzImage" &&
	cmp "$TRASH/r1/initramfs.cpio.xz" "$TRASH/r2/initramfs.cpio.xz" &&
	test "$(git_h rev-parse busybox-httpd^)" = "$(git_h rev-parse "busybox-httpd/1.0^{commit}")"
'
test_expect_success RELEASE 'reduce log lists both releases, newest first' '
	"$REDUCE" log --history "$HIST" >log && cat log &&
	test "$(wc -l <log)" = 3 &&
	head -1 log | grep -q "^release  *date  *kernel  *initramfs  *total  *ready_ms  *options  *files  *builds  *commit$" &&
	k=$(figure "$TRASH/r2" kernel.image_bytes.after) i=$(figure "$TRASH/r2" initramfs.bytes.after) &&
	t=$(figure "$TRASH/r2" total_bytes.after) f=$(figure "$TRASH/r2" rootfs.files.after) &&
	sed -n 2p log | grep -Eq "^busybox-httpd/1.1 +[0-9-]+ [0-9:]+ +$k +$i +$t +[0-9]+ +[0-9]+ +$f +[0-2] +[0-9a-f]{12}$" &&
	sed -n 3p log | grep -q "^busybox-httpd/1.0 " &&
	"$REDUCE" log --history "$HIST" --app busybox-httpd | cmp - log
'
test_expect_success RELEASE 'reduce diff of two releases by APP@VERSION: nothing changed, the same bytes' '
	"$REDUCE" diff --history "$HIST" busybox-httpd@1.0 busybox-httpd@1.1 >out && cat out &&
	grep -q "^A: .busybox-httpd@1.0. (busybox-httpd)" out &&
	grep -q "The images hold the same kernel options and rootfs files." out &&
	grep -q "^bzImage: byte-identical.$" out &&
	"$REDUCE" diff --history "$HIST" busybox-httpd@1.0 "$TRASH/r2" >/dev/null &&
	expect_error 2 "busybox-httpd@9.9 is neither a run directory nor a release" \
		"$REDUCE" diff --history "$HIST" busybox-httpd@1.0 busybox-httpd@9.9 &&
	! ls "$TEST_CACHE/history" | grep -q "^diff-"
'
test_expect_success RELEASE 'a version already released is refused before any work, and nothing moves' '
	tip=$(git_h rev-parse busybox-httpd) &&
	expect_error 2 "version 1.1 of busybox-httpd is already released (tag busybox-httpd/1.1" \
		release --version 1.1 --history "$HIST" --out "$TRASH/again" &&
	! test -e "$TRASH/again" && test "$(git_h rev-parse busybox-httpd)" = "$tip"
'
test_expect_success RELEASE 'growth beyond --max-growth commits nothing' '
	tip=$(git_h rev-parse busybox-httpd) &&
	expect_exit 3 "the image grew [0-9.]*% since busybox-httpd 1.1 .*more than --max-growth 5%: nothing released" \
		release --version 1.2 --history "$HIST" --out "$TRASH/grown" --only-rootfs \
		--max-growth 5 --baseline-runs 1 --verify-runs 1 &&
	test "$(git_h rev-parse busybox-httpd)" = "$tip" && ! git_h rev-parse -q --verify busybox-httpd/1.2 &&
	test -s "$TRASH/grown/report.json"
'
test_expect_success RELEASE 'bad release command lines and histories' '
	expect_error 2 "--version is required" release --history "$HIST" &&
	expect_error 2 "cannot be a version" release --version "a b" --history "$HIST" &&
	expect_error 2 "--version is an option of reduce release" "$REDUCE" --app $APP --tests "$TESTS" --version 1 &&
	mkdir notrepo && echo x >notrepo/file &&
	expect_error 1 "history .*notrepo exists and is not a git repository" \
		release --version 9 --history "$TRASH/notrepo" &&
	expect_error 2 "no release busybox-httpd 7.7 in" "$REDUCE" release --check busybox-httpd@7.7 --history "$HIST" &&
	expect_error 2 "needs APP@VERSION" "$REDUCE" release --check busybox-httpd --history "$HIST" &&
	expect_error 1 "no releases of nginx in" "$REDUCE" log --history "$HIST" --app nginx &&
	expect_error 2 "--check takes only --history" "$REDUCE" release --check busybox-httpd@1.0 --version 2 &&
	expect_error 2 "unknown app .nosuch." release --app nosuch --version 1 --history "$TRASH/newhist" &&
	! test -e "$TRASH/newhist" &&
	expect_error 1 "no history at $TRASH/newhist" "$REDUCE" log --history "$TRASH/newhist" &&
	mkdir empty && expect_error 1 "is not a git repository" "$REDUCE" log --history "$TRASH/empty" &&
	! test -e "$TRASH/empty/HEAD" &&
	expect_error 1 "cannot fetch the history from file://$TRASH/nowhere" \
		release --version 9 --history "file://$TRASH/nowhere"
'
test_expect_success RELEASE 'ci/release.sh releases to a file:// remote and pushes the commit and tag' '
	git init -q --bare remote.git &&
	REDUCE_ARTIFACTS="$TRASH/artifacts" "$ROOT/ci/release.sh" $APP 2.0 "file://$TRASH/remote.git" -- \
		--baseline-runs 1 --verify-runs 1 --accel tcg >out 2>err; rc=$?
	cat out; tail -3 err; test $rc = 0 &&
	for f in bzImage initramfs.cpio.xz kernel.config rootfs.manifest report.json report.md; do
		test -s "$TRASH/artifacts/busybox-httpd-2.0/$f" || { echo "no artifact $f"; exit 1; }
	done &&
	git --git-dir=remote.git rev-parse -q --verify "busybox-httpd/2.0^{commit}" &&
	test "$(git --git-dir=remote.git rev-parse busybox-httpd)" = "$(git --git-dir=remote.git rev-parse "busybox-httpd/2.0^{commit}")" &&
	grep -q "^busybox-httpd/2.0 " out
'
test_expect_success RELEASE 'a push refused because another runner released meanwhile keeps the run' '
	other="c=\$(git --git-dir=$TRASH/remote.git commit-tree -p busybox-httpd -m other busybox-httpd^{tree}) &&
		git --git-dir=$TRASH/remote.git update-ref refs/heads/busybox-httpd \$c" &&
	REDUCE_TEST_BEFORE_PUSH="$other" expect_exit 4 "the push to file://.* was refused .*the run is in $TRASH/r4" \
		release --version 2.1 --history "file://$TRASH/remote.git" --out "$TRASH/r4" \
		--baseline-runs 1 --verify-runs 1 &&
	test "$(grep -c "reduce: error:" "$TRASH/.err")" = 1 &&
	test -s "$TRASH/r4/bzImage" &&
	! git --git-dir=remote.git rev-parse -q --verify busybox-httpd/2.1 &&
	test "$(git --git-dir=remote.git log -1 --format=%s busybox-httpd)" = other
'
test_expect_success RELEASE 'release --check refuses a release of another kernel source, before any build' '
	git_h show busybox-httpd/1.0:report.json | sed "s/\"kernel_source\": \"[^\"]*\"/\"kernel_source\": \"5.10.1\"/" >r.json &&
	grep -q "\"kernel_source\": \"5.10.1\"" r.json &&
	blob=$(git_h hash-object -w r.json) &&
	git_h ls-tree busybox-httpd/1.0 | sed "s/[0-9a-f]\{40\}	report.json$/$blob	report.json/" >tree &&
	t=$(git_h mktree <tree) && c=$(git_h commit-tree -m old-source "$t") &&
	git_h tag busybox-httpd/old-source "$c" &&
	expect_error 2 "release busybox-httpd old-source was built from Linux 5.10.1, and this machine.s kernel source is 6.1" \
		"$REDUCE" release --check busybox-httpd@old-source --history "$HIST"
'
test_expect_success RELEASE 'release --check rebuilds a release byte for byte' '
	"$REDUCE" release --check busybox-httpd@1.0 --history "$HIST" >out 2>err; rc=$?
	cat out; tail -2 err; test $rc = 0 &&
	grep -q "^bzImage: identical" out && grep -q "^initramfs.cpio.xz: identical" out &&
	grep -q "is reproducible" out
'
test_expect_success RELEASE 'release --check says what differs when a recorded image is not what the records build' '
	blob=$(echo not-a-kernel | git_h hash-object -w --stdin) &&
	git_h ls-tree busybox-httpd/1.0 | sed "s/[0-9a-f]\{40\}	bzImage$/$blob	bzImage/" >tree &&
	t=$(git_h mktree <tree) && c=$(git_h commit-tree -m tampered "$t") &&
	git_h tag busybox-httpd/tampered "$c" &&
	expect_exit 1 "" "$REDUCE" release --check busybox-httpd@tampered --history "$HIST" &&
	cat "$TRASH/.out" &&
	grep -q "^bzImage: differs: recorded 13 B" "$TRASH/.out" &&
	grep -q "^initramfs.cpio.xz: identical" "$TRASH/.out" &&
	grep -q "does not rebuild to the same bytes" "$TRASH/.out"
'
test_done
