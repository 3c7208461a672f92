#!/bin/sh
# The examples/ apps reduced from their container images, for each machine:
#
#   static-server   examples/static-server: a static C server (musl, umoci);
#                   reduced in full (kernel and files, least memory).
#                   Target: the whole image (the kernel the machine boots
#                   + initramfs) under 1.5 MB.
#   python-server   examples/python-server: a Python server in a
#                   debootstrap tree with python3-minimal (needs root);
#                   its files reduced (--only-rootfs), least memory.
#                   Target: the final cpio at most 10% of the image's
#                   file bytes.
#
# Prints, for each: the image's files and bytes (its layers unpacked), the
# files left (for Python, how many of the standard library's files), the
# initramfs and kernel bytes, the share of the image's bytes left, the
# least memory and whether the target is met.
#
#   usage: bench/examples.sh [--examples "static-server python-server"]
#                            [--machines "pc microvm"] [--dir DIR] [--results FILE]
#
# --examples, --machines: which (default all of each).
# --dir: where images and run directories go (default
# reports/bench/examples-<UTC time>); images and runs already there are
# kept, so a stopped benchmark goes on.
# --results FILE: also writes the table into FILE (docs/results.md), in
# the section examples (see bench/results-lib.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=examples.sh
. "$ROOT/bench/results-lib.sh"
EXAMPLES="static-server python-server"
MACHINES="pc microvm"
DIR=
RESULTS=
while [ $# -gt 0 ]; do
	case $1 in
	--examples)
		[ $# -ge 2 ] || { echo "$ME: --examples needs static-server, python-server or both" >&2; exit 2; }
		for e in $2; do
			case $e in static-server|python-server) ;; *) echo "$ME: unknown example '$e'" >&2; exit 2 ;; esac
		done
		EXAMPLES=$2; shift 2 ;;
	--machines)
		[ $# -ge 2 ] || { echo "$ME: --machines needs pc, microvm or both" >&2; exit 2; }
		for m in $2; do
			case $m in pc|microvm) ;; *) echo "$ME: unknown machine '$m'" >&2; exit 2 ;; esac
		done
		MACHINES=$2; shift 2 ;;
	--dir) [ $# -ge 2 ] || { echo "$ME: --dir needs a directory" >&2; exit 2; }; DIR=$2; shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,27s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case " $EXAMPLES " in
*" python-server "*) [ "$(id -u)" = 0 ] || { echo "$ME: python-server needs root (debootstrap)" >&2; exit 2; } ;;
esac
DIR=${DIR:-$ROOT/reports/bench/examples-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$DIR"
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless

rows=$DIR/rows
: >"$rows"
met=yes
for e in $EXAMPLES; do
	[ -d "$DIR/$e.img" ] || "$ROOT/examples/$e/image.sh" "$DIR/$e.img"
	# The image's own files and bytes: its layers, unpacked.
	rm -rf "$DIR/unpacked"
	umoci unpack $rootless --image "$DIR/$e.img:v1" "$DIR/unpacked" >/dev/null
	img_files=$(find "$DIR/unpacked/rootfs" -mindepth 1 | wc -l)
	img_bytes=$(find "$DIR/unpacked/rootfs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	# Python's standard library: its regular files, as paths in the image.
	stdlib=$DIR/$e.stdlib
	(cd "$DIR/unpacked/rootfs" && find usr/lib/python3.11 -type f 2>/dev/null | sed 's|^|/|') >"$stdlib"
	rm -rf "$DIR/unpacked"
	only=
	[ "$e" = python-server ] && only=--only-rootfs
	for m in $MACHINES; do
		run=$DIR/$e-$m
		if [ ! -f "$run/report.json" ]; then
			echo "$e-$m: reducing ..."
			rm -rf "$run"
			"$ROOT/reducer/reduce" --image "oci:$DIR/$e.img:v1" $only \
				--tests "$ROOT/examples/$e/test.sh" --machine "$m" --out "$run" --quiet \
				2>"$run.log" || { echo "$ME: $e-$m failed; see $run.log" >&2; exit 1; }
		fi
		/usr/bin/python3 - "$run" "$e" "$m" "$img_files" "$img_bytes" "$stdlib" >>"$rows" <<'EOF'
import json, sys
run, e, m, files, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
stdlib = set(l.rstrip("\n") for l in open(sys.argv[6]))
r = json.load(open(run + "/report.json"))
k = r["kernel"]["vmlinux_bytes" if m == "microvm" else "image_bytes"]["after"]
i = r["initramfs"]["bytes"]
total = r["total_bytes"]["after"]
raw = r["initramfs"]["uncompressed_bytes"]["after"]
share = 100.0 * raw / size if size else 0
if e == "python-server":
    kept = sum(1 for l in open(run + "/rootfs.manifest") if l.rstrip("\n") in stdlib)
    kept, met = "(%d of %d stdlib files)" % (kept, len(stdlib)), share <= 10.0
else:
    kept, met = "", total < 1500000
print("| %s | %s | %d | %s | %d %s | %s | %s | %s | %s | %.1f%% | %s | %s of %s | %s |" % (
    e, m, files, format(size, ","), r["rootfs"]["files"]["after"], kept, format(i["before"], ","),
    format(i["after"], ","), format(k, ","), format(total, ","), share,
    r["memory"]["min_memory_mib"]["after"], r["verify"]["passed"], r["verify"]["runs"],
    "yes" if met else "no"))
EOF
		tail -1 "$rows" | grep -q '| yes |$' || met=no
	done
done
body=$DIR/body
{
	echo "Measured $(results_where), by \`bench/examples.sh\`: each example's image reduced (static-server: kernel and files; python-server: its files, on the base kernel), hier, least memory searched."
	echo
	echo '| app | machine | image files | image bytes | files after | initramfs bytes before | after | kernel bytes | total bytes | cpio / image | least MiB | verified | target met |'
	echo '|---|---|---|---|---|---|---|---|---|---|---|---|---|'
	cat "$rows"
	echo
	echo "kernel bytes: the form the machine boots (bzImage for pc, the stripped vmlinux for microvm); total: that plus the initramfs (xz). cpio / image: the final uncompressed cpio against the image's file bytes. Targets: static-server's total under 1.5 MB; python-server's cpio / image at most 10%."
} >"$body"
cat "$body"
[ -z "$RESULTS" ] || results_write examples "The examples reduced from their images" "$body"
[ "$met" = yes ]
