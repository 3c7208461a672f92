#!/bin/sh
# Benchmark: the search strategies on the real Kconfig tree of the
# defconfig base (x86_64_defconfig + kvm_guest.config) with a simulated
# oracle (bench/search-sim.c), for 10%, 30% and 60% of the items needed.
# No kernel is built and no VM booted: it takes seconds. It counts the
# oracle calls (one build and boot each, for real) and the costly flips
# (calls that flip a costly option: a near-full rebuild each, for real).
# Prints one line per strategy and needed-fraction.
#
#   bench/search-sim.sh [--results FILE]
#
# --results FILE also writes the figures as a table into section
# "search-sim" of FILE (docs/results.md), with the date, machine and
# commit; see bench/results-lib.sh. Needs bench/search-sim (make) and the
# unpacked kernel source (any reduction or make check unpacks it).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=search-sim.sh
. "$ROOT/bench/results-lib.sh"
RESULTS=
results_only_args "$@"
SRC="${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}/linux-source-6.1"
[ -f "$SRC/Makefile" ] || { echo "$ME: kernel source not unpacked yet: run reducer/reduce once or make check" >&2; exit 1; }
[ -x "$ROOT/bench/search-sim" ] || { echo "$ME: bench/search-sim is not built: run make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$SRC" O="$tmp/kb" x86_64_defconfig kvm_guest.config >/dev/null 2>&1
printf "tree\nquit\n" | /usr/bin/python3 "$ROOT/reducer/kconfig_helper.py" "$SRC" "$tmp/kb/.config" >"$tmp/tree"
where=$(results_where)
for pct in 10 30 60; do
	"$ROOT/bench/search-sim" "$tmp/tree" "$pct" 1 >>"$tmp/out"
done
cat "$tmp/out"
[ -n "$RESULTS" ] || exit 0

# One row per strategy, one column per needed-fraction: "calls / flips".
{
	echo "Measured $where: \`bench/search-sim.sh\`."
	echo
	awk '
		/^# tree:/ { split($0, w, /[ ,]+/); tree = w[3] " nodes, " w[5] " items, " w[9] " either-of-two pairs"
			pct = w[7]; sub(/%/, "", pct); pcts[++np] = pct; next }
		/^strategy=/ {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			s = f["strategy"]
			if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
			cell[s, pct] = f["oracle_calls"] " / " f["costly_flips"] (f["minimal"] == "yes" ? "" : " (not 1-minimal)")
			if (f["minimal"] != "yes") notmin = 1
		}
		END {
			print "Tree: the defconfig base'"'"'s Kconfig menu tree, " tree "; seed 1. " \
				"Each cell: oracle calls / costly flips. " \
				(notmin ? "Results marked otherwise are not 1-minimal." : "Every result is 1-minimal.")
			print ""
			h = "| strategy |"; r = "|---|"
			for (j = 1; j <= np; j++) { h = h " " pcts[j] "% needed |"; r = r "---:|" }
			print h; print r
			for (i = 1; i <= ns; i++) {
				line = "| " order[i] " |"
				for (j = 1; j <= np; j++) line = line " " cell[order[i], pcts[j]] " |"
				print line
			}
		}' "$tmp/out"
} >"$tmp/section"
results_write search-sim "Search simulation (bench/search-sim.sh)" "$tmp/section"
