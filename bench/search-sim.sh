#!/bin/sh
# Benchmark: the search strategies on the real Kconfig tree of the
# defconfig base (x86_64_defconfig + kvm_guest.config) with a simulated
# oracle. Prints one line per strategy and needed-fraction.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}/linux-source-6.1"
[ -f "$SRC/Makefile" ] || { echo "search-sim: kernel source not unpacked yet: run reducer/reduce once or make check" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$SRC" O="$tmp/kb" x86_64_defconfig kvm_guest.config >/dev/null 2>&1
printf "tree\nquit\n" | /usr/bin/python3 "$ROOT/reducer/kconfig_helper.py" "$SRC" "$tmp/kb/.config" >"$tmp/tree"
for pct in 10 30 60; do
	"$ROOT/bench/search-sim" "$tmp/tree" "$pct" 1
done
