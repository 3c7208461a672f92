#!/bin/sh
# Runs tests and prints the closing line "N passed, N failed, N skipped".
#   tests/run-all.sh [TEST...]
# A TEST is a unit test binary (tests/unit/test-NAME, built by make from
# tests/unit/test-NAME.c) or a harness script (tests/harness/tNNNN-*.sh).
# Without arguments: the unit test of every tests/unit/test-*.c, then every
# harness script (make check passes the Makefile's lists).
#
# Each test prints TAP lines: "ok [N] - what" (passed), "not ok [N] - what"
# (failed), "ok [N] - what # SKIP why" (skipped: a part it needs is
# missing). A file that exits non-zero without a "not ok" line (a crash, a
# broken setup) counts as one failure; so does a unit test that is not
# built. After all files: each file's counts and seconds, and the slowest
# tests (from the "# N s: what" comments a harness test prints when it
# took 10 s or more). Exit 0 only if nothing failed and something passed.
cd "$(dirname "$0")/.." || exit 1
if [ $# = 0 ]; then
	for c in tests/unit/test-*.c; do
		set -- "$@" "${c%.c}"
	done
	set -- "$@" tests/harness/t[0-9]*.sh
fi
out=$(mktemp)
one=$(mktemp)
unitcache=$(mktemp -d)
times=$(mktemp)
trap 'rm -rf "$out" "$one" "$one.rc" "$unitcache" "$times"' EXIT
start=$(date +%s)
summary=
for t in "$@"; do
	echo "# $t"
	t0=$(date +%s)
	if [ "${t%.sh}" = "$t" ] && ! [ -x "$t" ]; then
		echo "not ok - $t is not built (run make)" | tee "$one"
		rc=1
	else
		# Shown as it comes; the status is the test's, not tee's.
		# A unit test gets a cache of its own, should it reach for one.
		{ if [ "${t%.sh}" != "$t" ]; then sh "$t"; else REDUCE_CACHE="$unitcache" "$t"; fi
		  echo $? >"$one.rc"; } 2>&1 | tee "$one"
		rc=$(cat "$one.rc")
	fi
	s=$(($(date +%s) - t0))
	p=$(grep -E "^ok( [0-9]+)? - " "$one" | grep -vc "# SKIP")
	k=$(grep -E "^ok( [0-9]+)? - " "$one" | grep -c "# SKIP")
	f=$(grep -cE "^not ok( [0-9]+)? - " "$one")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $t exited with status $rc and no failed test" | tee -a "$one"
		f=1
	fi
	cat "$one" >>"$out"
	sed -n "s|^# \([0-9][0-9]*\) s: |\1 s  ${t##*/}: |p" "$one" >>"$times"
	summary="$summary$(printf '#   %-36s %3d passed, %d failed, %d skipped, %5d s' "$t" "$p" "$f" "$k" "$s")
"
done
passed=$(grep -E "^ok( [0-9]+)? - " "$out" | grep -vc "# SKIP")
skipped=$(grep -E "^ok( [0-9]+)? - " "$out" | grep -c "# SKIP")
failed=$(grep -cE "^not ok( [0-9]+)? - " "$out")
echo "# per file:"
printf '%s' "$summary"
if [ -s "$times" ]; then
	echo "# slowest tests:"
	sort -rn "$times" | head -n 12 | sed 's/^/#   /'
fi
echo "# $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
