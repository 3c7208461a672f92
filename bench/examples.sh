#!/bin/sh
# The examples/ apps reduced from their container images, in full (kernel
# and root filesystem, the least memory searched), for each machine:
#
#   static-server   examples/static-server: a static C server, its OCI
#                   image built by examples/static-server/image.sh
#
# Prints, for each: the image's files and bytes (its layers unpacked),
# the final image's files, initramfs bytes and kernel bytes, the share of
# the image's bytes left, and the target: the static server's whole image
# (the kernel the machine boots + initramfs) under 1.5 MB.
#
#   usage: bench/examples.sh [--machines "pc microvm"] [--dir DIR] [--results FILE]
#
# --machines: pc, microvm or both (default both).
# --dir: where images and run directories go (default
# reports/bench/examples-<UTC time>); runs already there are kept, so a
# stopped benchmark goes on.
# --results FILE: also writes the table into FILE (docs/results.md), in
# the section examples (see bench/results-lib.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=examples.sh
. "$ROOT/bench/results-lib.sh"
MACHINES="pc microvm"
DIR=
RESULTS=
while [ $# -gt 0 ]; do
	case $1 in
	--machines)
		[ $# -ge 2 ] || { echo "$ME: --machines needs pc, microvm or both" >&2; exit 2; }
		for m in $2; do
			case $m in pc|microvm) ;; *) echo "$ME: unknown machine '$m'" >&2; exit 2 ;; esac
		done
		MACHINES=$2; shift 2 ;;
	--dir) [ $# -ge 2 ] || { echo "$ME: --dir needs a directory" >&2; exit 2; }; DIR=$2; shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
DIR=${DIR:-$ROOT/reports/bench/examples-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$DIR"
[ -d "$DIR/static-server.img" ] || "$ROOT/examples/static-server/image.sh" "$DIR/static-server.img"

# The image's own files and bytes: its layer, unpacked.
rm -rf "$DIR/unpacked"
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless
umoci unpack $rootless --image "$DIR/static-server.img:v1" "$DIR/unpacked" >/dev/null
img_files=$(find "$DIR/unpacked/rootfs" -mindepth 1 | wc -l)
img_bytes=$(find "$DIR/unpacked/rootfs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
rm -rf "$DIR/unpacked"

rows=$DIR/rows
: >"$rows"
met=yes
for m in $MACHINES; do
	run=$DIR/static-server-$m
	if [ ! -f "$run/report.json" ]; then
		echo "static-server-$m: reducing ..."
		rm -rf "$run"
		"$ROOT/reducer/reduce" --image "oci:$DIR/static-server.img:v1" \
			--tests "$ROOT/examples/static-server/test.sh" --machine "$m" --out "$run" --quiet \
			2>"$run.log" || { echo "$ME: static-server-$m failed; see $run.log" >&2; exit 1; }
	fi
	/usr/bin/python3 - "$run/report.json" "$m" "$img_files" "$img_bytes" >>"$rows" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
m, files, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
k = r["kernel"]["vmlinux_bytes" if m == "microvm" else "image_bytes"]["after"]
i = r["initramfs"]["bytes"]["after"]
total = r["total_bytes"]["after"]
raw = r["initramfs"]["uncompressed_bytes"]["after"]
print("| static-server | %s | %d | %s | %d | %s | %s | %s | %.1f%% | %s | %s of %s | %s |" % (
    m, files, format(size, ","), r["rootfs"]["files"]["after"], format(i, ","), format(k, ","),
    format(total, ","), 100.0 * raw / size if size else 0, r["memory"]["min_memory_mib"]["after"],
    r["verify"]["passed"], r["verify"]["runs"], "yes" if total < 1500000 else "no"))
EOF
	tail -1 "$rows" | grep -q '| yes |$' || met=no
done
body=$DIR/body
{
	echo "Measured $(results_where), by \`bench/examples.sh\`: each example's image reduced in full (kernel and files, hier, least memory searched)."
	echo
	echo '| app | machine | image files | image bytes | files after | initramfs bytes | kernel bytes | total bytes | cpio / image | least MiB | verified | under 1.5 MB |'
	echo '|---|---|---|---|---|---|---|---|---|---|---|---|'
	cat "$rows"
	echo
	echo "kernel bytes: the form the machine boots (bzImage for pc, the stripped vmlinux for microvm); total: that plus the initramfs. cpio / image: the final uncompressed cpio against the image's file bytes."
} >"$body"
cat "$body"
[ -z "$RESULTS" ] || results_write examples "The examples reduced from their images" "$body"
[ "$met" = yes ]
