#!/bin/sh
# What "failures imply failures" (reducer/failures.c) would have saved in
# runs made without it, read from their candidates.tsv: a kernel candidate
# whose removed options include all those of an earlier candidate that
# failed to boot or pass the tests (both counted from the run's start) is
# answered without a build. Prints, per run, each such candidate, then
#   run=<dir> kernel_candidates=<n> implied=<n> saved_s=<build+trial s> passed_in_fact=<n>
# passed_in_fact counts implied candidates whose real verdict was a pass:
# the cases where the rule's assumption (removing more never helps) was
# wrong on that run, which would have cost reduction.
#
#   bench/implied-replay.sh RUN_DIR...
set -eu
case ${1:-} in
-h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') echo "implied-replay.sh: no run directory given (see --help)" >&2; exit 2 ;;
-*) echo "implied-replay.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac
for d in "$@"; do
	if [ ! -f "$d/candidates.tsv" ]; then
		echo "implied-replay.sh: $d is not a run directory (no candidates.tsv)" >&2
		exit 2
	fi
done
exec /usr/bin/python3 - "$@" <<'PY'
import sys
for d in sys.argv[1:]:
    removed, fails = set(), []
    n = implied = wrong = 0
    saved = 0.0
    for line in open(d + "/candidates.tsv"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 7 or f[1] != "kernel":
            continue
        n += 1
        verdict, source = f[2], f[3]
        what = set(f[7].split()) if len(f) > 7 else set()
        # The options of each line are those it turned off from the state
        # then current, which only shrinks: add up the accepted ones.
        cand = removed | what
        by = next((k for s, k in fails if s <= cand), None)
        if by is not None and source == "run":
            implied += 1
            saved += float(f[4]) + float(f[5])
            wrong += verdict == "pass"
            print("%s: candidate %s (%s, %s s) implied by candidate %s" % (d, f[0], verdict, f[4], by))
        if verdict == "pass":
            removed |= what
            # As reducer/failures.c does: a pass inside a failure (flaky,
            # or removing more helped) makes that failure imply nothing.
            fails = [(s, k) for s, k in fails if not s <= cand]
        elif verdict in ("boot", "test"):
            fails.append((cand, f[0]))
    print("run=%s kernel_candidates=%d implied=%d saved_s=%.0f passed_in_fact=%d" % (d, n, implied, saved, wrong))
PY
