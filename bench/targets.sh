#!/bin/sh
# Prints the size and boot-time figures of the latest run of each app
# against the size targets (nginx 4.5 MB, redis 4 MB of kernel and
# initramfs). It measures nothing itself: it reads the report.json of
# reports/<app>/latest, the run directory each app's last reduction
# without --out wrote on this machine.
#
#   bench/targets.sh [--results FILE]
#
# --results FILE also writes one row per app into section "targets" of
# FILE (docs/results.md), with the date, machine and commit, and the UTC
# start time of each run read; see bench/results-lib.sh.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=targets.sh
. "$ROOT/bench/results-lib.sh"
RESULTS=
results_only_args "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$ROOT" "$tmp/table" <<'PY'
import json, os, sys
root, table = sys.argv[1], sys.argv[2]
targets = {"nginx": 4_500_000, "redis": 4_000_000}
rows = []
reports = os.path.join(root, "reports")
for app in sorted(os.listdir(reports)):
    path = os.path.join(reports, app, "latest", "report.json")
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    k, i, b = r["kernel"], r["initramfs"], r["boot"]
    total = k["image_bytes"]["after"] + i["bytes"]["after"]
    run = os.path.basename(os.path.realpath(os.path.join(reports, app, "latest")))
    rows.append((app, run, r, total))
    t = targets.get(app)
    verdict = "" if t is None else (" target<=%d %s" % (t, "met" if total <= t else "NOT met"))
    print("app=%s run=%s phases=%s kernel_base=%s strategy=%s accel=%s kernel_bytes=%d initramfs_bytes=%d total_bytes=%d "
          "ms_to_ready_before=%d ms_to_ready_after=%d verified=%s stopped_early=%s%s" % (
          app, run, r.get("phases", "rootfs+kernel"), r["kernel_base"], r["strategy"], r["accel"], k["image_bytes"]["after"],
          i["bytes"]["after"], total, b["ms_to_ready"]["before"], b["ms_to_ready"]["after"],
          str(r["verified"]).lower(), str(r["candidates"]["stopped_early"]).lower(), verdict))
if not rows:
    print("no reports yet: run reducer/reduce first")
    sys.exit(0)
out = ["| app | run | phases | kernel bytes | initramfs bytes | total bytes | target | boot ms to ready "
       "| kernel options | rootfs files | verified | complete |",
       "|---|---|---|---:|---:|---:|---|---|---|---|---|---|"]
for app, run, r, total in rows:
    k, i, f, b = r["kernel"], r["initramfs"], r["rootfs"], r["boot"]
    t = targets.get(app)
    out.append("| %s | %s | %s | %d | %d | %d | %s | %d → %d | %d → %d | %d → %d | %s | %s |" % (
        app, run, r.get("phases", "rootfs+kernel"), k["image_bytes"]["after"], i["bytes"]["after"], total,
        "" if t is None else "≤ %d: %s" % (t, "met" if total <= t else "NOT met"),
        b["ms_to_ready"]["before"], b["ms_to_ready"]["after"],
        k["options_enabled"]["before"], k["options_enabled"]["after"],
        f["files"]["before"], f["files"]["after"], "yes" if r["verified"] else "no",
        "no (stopped early)" if r["candidates"]["stopped_early"] else "yes"))
open(table, "w").write("\n".join(out) + "\n")
PY
[ -n "$RESULTS" ] || exit 0
# No run read is no figure: the section keeps what it had.
[ -s "$tmp/table" ] || { echo "$ME: no runs to write; $RESULTS left as it was" >&2; exit 0; }
{
	echo "Read $(results_where): \`bench/targets.sh\`, from each app's latest run on that machine (the run column is its UTC start time)."
	echo
	cat "$tmp/table"
} >"$tmp/section"
results_write targets "Image sizes (bench/targets.sh)" "$tmp/section"
