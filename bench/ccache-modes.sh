#!/usr/bin/env bash
# How much does a costly kernel candidate cost under each ccache mode?
#
# A costly option (FUTEX, SYSVIPC...) is mentioned by a third or more of the
# kernel's objects, so Kbuild recompiles all of those when it flips. In
# depend mode (what reducer/kbuild.c uses) ccache hashes each object's
# source and headers: autoconf.h changed, so every one is a miss. In
# preprocessor mode ccache hashes the preprocessed output, so an object
# whose output the option does not change would be a hit, at the price of
# running the preprocessor on each object first (docs/results.md has the
# figures).
#
# For each mode, from an empty ccache and build directory: build the
# microvm base, turn the option off and build, turn it back on and build.
# Prints one line per mode and build with wall seconds and ccache's hits
# and misses. About 4 minutes per mode for the base and 4 more per option
# on 2 cores.
#
# usage: bench/ccache-modes.sh [--modes "depend preprocessor"] [--results FILE] [OPTION...]
#
# --results FILE also writes the figures as a table into section
# "ccache-modes" of FILE (docs/results.md), with the date, machine, commit
# and ccache version; see bench/results-lib.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=ccache-modes.sh
. "$ROOT/bench/results-lib.sh"
RESULTS=
modes="depend preprocessor"
while [ $# -gt 0 ]; do
	case $1 in
	--modes)
		[ $# -ge 2 ] || { echo "ccache-modes.sh: --modes needs a value" >&2; exit 2; }
		modes=$2
		shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "ccache-modes.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
cd "$ROOT"
root=$PWD
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(FUTEX)
for o in "${options[@]}"; do
	case $o in ''|*[!A-Z0-9_]*) echo "ccache-modes.sh: '$o' is not a Kconfig option name (write FUTEX, not CONFIG_FUTEX=y)" >&2; exit 2 ;; esac
	case $o in CONFIG_*) echo "ccache-modes.sh: write ${o#CONFIG_}, not $o" >&2; exit 2 ;; esac
done
for m in $modes; do
	case $m in depend|preprocessor) ;; *) echo "ccache-modes.sh: unknown mode '$m'" >&2; exit 2 ;; esac
done
for t in ccache gcc make; do
	command -v $t >/dev/null || { echo "ccache-modes.sh: $t not found: run 'make deps'" >&2; exit 2; }
done

cache=${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}
src=$cache/linux-source-6.1
work=$(mktemp -d "${TMPDIR:-/tmp}/ccache-modes.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ ! -f "$src/Makefile" ]; then
	tarball=/usr/src/linux-source-6.1.tar.xz
	[ -f $tarball ] || { echo "ccache-modes.sh: $tarball not found: run 'make deps'" >&2; exit 2; }
	echo "unpacking $tarball" >&2
	tar -xf $tarball -C "$work"
	src=$work/linux-source-6.1
fi

# A misspelt option would only be added to .config as unset, and the bench
# would time two builds that change nothing.
for o in "${options[@]}"; do
	grep -rqs --include='Kconfig*' -e "^config $o\$" -e "^menuconfig $o\$" "$src" ||
		{ echo "ccache-modes.sh: no Kconfig option $o in $src" >&2; exit 2; }
done

# The same build identity and make line as reducer/kbuild.c.
kmake() {
	local mode=$1
	shift
	local extra=(CCACHE_DEPEND=1)
	# Compiling the preprocessed output (no second preprocessor run) makes a
	# miss cost what it costs in depend mode, plus one preprocessor run.
	[ "$mode" = preprocessor ] && extra=(CCACHE_NOCPP2=1)
	env KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026" KBUILD_BUILD_USER=reduce \
		KBUILD_BUILD_HOST=reduce KBUILD_BUILD_VERSION=1 LC_ALL=C CCACHE_MAXSIZE=5G \
		CCACHE_DIR="$work/ccache-$mode" "${extra[@]}" \
		make -C "$src" O="$work/build-$mode" -j"$(nproc)" "CC=ccache gcc" "$@" \
		>>"$work/log-$mode" 2>&1 || { echo "ccache-modes.sh: make $* failed in $mode mode, last lines:" >&2
			tail -20 "$work/log-$mode" >&2; exit 1; }
}

build() {
	local mode=$1 what=$2 t0 t1 hits misses
	CCACHE_DIR="$work/ccache-$mode" ccache -z >/dev/null
	t0=$(date +%s.%N)
	kmake "$mode" bzImage
	t1=$(date +%s.%N)
	# Machine-readable counters: hits are counted apart as direct and
	# preprocessed, and a mode can have both.
	read -r hits misses < <(CCACHE_DIR="$work/ccache-$mode" ccache --print-stats |
		awk -F'\t' '$1=="direct_cache_hit"||$1=="preprocessed_cache_hit"{h+=$2}
			$1=="cache_miss"{m=$2} END{print h+0, m+0}')
	seconds=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
	size=$(stat -c %s "$work/build-$mode/arch/x86/boot/bzImage")
	printf 'mode=%-12s build=%-14s seconds=%6.1f hits=%d misses=%d bzImage=%d\n' \
		"$mode" "$what" "$seconds" "$hits" "$misses" "$size"
	printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$what" "$seconds" "$misses" "$size" >>"$work/rows"
}

setopt() {
	local mode=$1 opt=$2 val=$3
	"$src/scripts/config" --file "$work/build-$mode/.config" --"$val" "$opt"
	kmake "$mode" olddefconfig
}

ccache_version=$(ccache --version | head -1 | awk '{print $3}')
echo "$(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, ccache $ccache_version"
for mode in $modes; do
	mkdir -p "$work/build-$mode"
	kmake "$mode" tinyconfig
	cat "$root/kernel-configs/microvm.config" >>"$work/build-$mode/.config"
	kmake "$mode" olddefconfig
	build "$mode" base
	for opt in "${options[@]}"; do
		grep -q "^CONFIG_$opt=y" "$work/build-$mode/.config" ||
			{ echo "ccache-modes.sh: $opt is not on in the microvm base, so it cannot be turned off" >&2; exit 2; }
		setopt "$mode" "$opt" disable
		build "$mode" "$opt=n"
		setopt "$mode" "$opt" enable
		build "$mode" "$opt=y"
	done
done
[ -n "$RESULTS" ] || exit 0

# One row per build, two columns (seconds, misses) per mode.
{
	echo "Measured $(results_where), ccache $ccache_version: \`bench/ccache-modes.sh --modes \"$modes\" ${options[*]}\`."
	echo "Each mode from an empty ccache and build directory: the microvm base, then each option off and back on (the revert)."
	echo
	awk -F'\t' -v modes="$modes" '
		{ if (!($2 in seen)) { seen[$2] = 1; order[++nb] = $2 }
		  secs[$2, $1] = $3; miss[$2, $1] = $4
		  # Both modes should build the same image; a difference shows.
		  if (!index(" " img[$2] " ", " " $5 " ")) img[$2] = img[$2] (img[$2] == "" ? "" : " / ") $5 }
		END {
			nm = split(modes, ms, " ")
			h = "| build |"; r = "|---|"
			for (j = 1; j <= nm; j++) { h = h " " ms[j] " s | " ms[j] " misses |"; r = r "---:|---:|" }
			print h " bzImage bytes |"; print r "---:|"
			for (i = 1; i <= nb; i++) {
				b = order[i]; line = "| " b (b ~ /=y$/ ? " (revert)" : "") " |"
				for (j = 1; j <= nm; j++) line = line " " secs[b, ms[j]] " | " miss[b, ms[j]] " |"
				print line " " img[b] " |"
			}
		}' "$work/rows"
} >"$work/section"
results_write ccache-modes "ccache modes (bench/ccache-modes.sh)" "$work/section"
