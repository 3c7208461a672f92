#!/bin/sh
# Two releases of one app in a row, as a CI job makes them: the first from
# cold caches, the second as a fresh runner would, with an empty cache and
# the release history as the only state. Only the unpacked kernel source
# and the rootfs archives (debootstrap's, not search work) are kept for
# either; each has its own empty ccache, build directory, image cache and
# memo. Prints builds, boots, replayed verdicts and wall seconds of each,
# whether the two images are byte-identical, and the targets.
#
#   usage: bench/release.sh [--app APP] [--dir DIR] [--results FILE]
#
# --app: the profile (default nginx; its tests are tests/APP.sh).
# --dir: where the caches, the history and the run directories go
# (default reports/bench/release-<UTC time>).
# --results FILE: also writes the table into FILE (docs/results.md), in
# the section release:APP (see bench/results-lib.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=release.sh
. "$ROOT/bench/results-lib.sh"
APP=nginx
DIR=
RESULTS=
while [ $# -gt 0 ]; do
	case $1 in
	--app) [ $# -ge 2 ] || { echo "$ME: --app needs a profile" >&2; exit 2; }; APP=$2; shift 2 ;;
	--dir) [ $# -ge 2 ] || { echo "$ME: --dir needs a directory" >&2; exit 2; }; DIR=$2; shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
test -f "$ROOT/profiles/$APP.conf" || { echo "$ME: no profile profiles/$APP.conf" >&2; exit 2; }
test -x "$ROOT/tests/$APP.sh" || { echo "$ME: no test script tests/$APP.sh" >&2; exit 2; }
USER_CACHE=${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}
test -f "$USER_CACHE/linux-source-6.1/Makefile" ||
	{ echo "$ME: the kernel source is not unpacked in $USER_CACHE: run reduce once first" >&2; exit 2; }
DIR=${DIR:-$ROOT/reports/bench/release-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$DIR"
HIST=$DIR/history.git

# release N: release version N from a cache holding only the kept parts.
release() {
	cache=$DIR/cache$1
	rm -rf "$cache" && mkdir -p "$cache"
	ln -s "$USER_CACHE/linux-source-6.1" "$cache/linux-source-6.1"
	test -d "$USER_CACHE/rootfs" && ln -s "$USER_CACHE/rootfs" "$cache/rootfs"
	t0=$(date +%s)
	REDUCE_CACHE=$cache "$ROOT/reducer/reduce" release --app "$APP" --tests "$ROOT/tests/$APP.sh" \
		--version "$1" --history "$HIST" --out "$DIR/r$1" --quiet >"$DIR/r$1.diff" 2>"$DIR/r$1.log" ||
		{ echo "$ME: release $1 failed; see $DIR/r$1.log" >&2; tail -5 "$DIR/r$1.log" >&2; exit 1; }
	echo $(($(date +%s) - t0)) >"$DIR/r$1.wall"
	# The caches are what a CI runner throws away; the run and history stay.
	rm -rf "$cache"
}
field() {
	/usr/bin/python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'): d=d[k]
print(d)" "$DIR/r$1/report.json" "$2"
}

for n in 1 2; do
	if [ -s "$DIR/r$n.wall" ]; then echo "release $n: done earlier in $DIR"; continue; fi
	echo "release $n of $APP into $HIST ..."
	release $n
	echo "release $n: $(cat "$DIR/r$n.wall") s"
done

body=$DIR/table.md
{
	echo "Measured $(results_where): \`bench/release.sh --app $APP\`."
	echo
	echo "| release | cache | builds | boots | replayed | wall s | kernel B | initramfs B |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	for n in 1 2; do
		what=$([ $n = 1 ] && echo "cold" || echo "empty, history only")
		echo "| $n | $what | $(field $n builds) | $(field $n boots) | $(field $n replayed) |" \
			"$(cat "$DIR/r$n.wall") | $(field $n kernel.image_bytes.after) | $(field $n initramfs.bytes.after) |"
	done
	same=no
	cmp -s "$DIR/r1/bzImage" "$DIR/r2/bzImage" &&
		cmp -s "$DIR/r1/initramfs.cpio.xz" "$DIR/r2/initramfs.cpio.xz" && same=yes
	echo
	echo "- images byte-identical: $same"
	b2=$(field 2 builds) w1=$(cat "$DIR/r1.wall") w2=$(cat "$DIR/r2.wall")
	verdict() { if [ "$1" = 1 ]; then echo met; else echo "NOT met"; fi; }
	echo "- target release 2 builds <= 2: $b2: $(verdict $([ "$b2" -le 2 ] && echo 1))"
	echo "- target release 2 wall <= 1/3 of release 1's ($w1 s / 3 = $((w1 / 3)) s): $w2 s:" \
		"$(verdict $([ $((w2 * 3)) -le "$w1" ] && echo 1))"
	echo "- target identical images: $(verdict $([ $same = yes ] && echo 1))"
} >"$body"
cat "$body"
if [ -n "$RESULTS" ]; then
	results_write "release:$APP" "Two releases in a row: $APP (bench/release.sh)" "$body"
	echo "written to $RESULTS"
fi
