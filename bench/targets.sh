#!/bin/sh
# Prints the size and boot-time figures of the latest run of each app
# against the targets, and writes reports/README.md with one row per app.
# It measures nothing itself: it reads reports/<app>/latest/report.json.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec /usr/bin/python3 - "$ROOT" <<'PY'
import json, os, sys, datetime
root = sys.argv[1]
targets = {"nginx": 4_500_000, "redis": 4_000_000}
rows = []
for app in sorted(os.listdir(os.path.join(root, "reports"))):
    path = os.path.join(root, "reports", app, "latest", "report.json")
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    k, i, f, b = r["kernel"], r["initramfs"], r["rootfs"], r["boot"]
    total = k["image_bytes"]["after"] + i["bytes"]["after"]
    rows.append((app, r, total))
    t = targets.get(app)
    verdict = "" if t is None else (" target<=%d %s" % (t, "met" if total <= t else "NOT met"))
    print("app=%s phases=%s kernel_base=%s strategy=%s accel=%s kernel_bytes=%d initramfs_bytes=%d total_bytes=%d "
          "ms_to_ready_before=%d ms_to_ready_after=%d verified=%s stopped_early=%s%s" % (
          app, r.get("phases", "rootfs+kernel"), r["kernel_base"], r["strategy"], r["accel"], k["image_bytes"]["after"],
          i["bytes"]["after"], total, b["ms_to_ready"]["before"], b["ms_to_ready"]["after"],
          str(r["verified"]).lower(), str(r["candidates"]["stopped_early"]).lower(), verdict))
out = ["# Reports", "",
       "Latest run of each app (`reports/<app>/latest`), written by `bench/targets.sh`.", "",
       "| app | phases | kernel bytes | initramfs bytes | total bytes | boot ms to ready (before → after) "
       "| kernel options (before → after) | rootfs files (before → after) | verified | complete |",
       "|---|---|---:|---:|---:|---|---|---|---|---|"]
for app, r, total in rows:
    k, i, f, b = r["kernel"], r["initramfs"], r["rootfs"], r["boot"]
    out.append("| %s | %s | %d | %d | %d | %d → %d | %d → %d | %d → %d | %s | %s |" % (
        app, r.get("phases", "rootfs+kernel"), k["image_bytes"]["after"], i["bytes"]["after"], total,
        b["ms_to_ready"]["before"], b["ms_to_ready"]["after"],
        k["options_enabled"]["before"], k["options_enabled"]["after"],
        f["files"]["before"], f["files"]["after"], "yes" if r["verified"] else "no",
        "no (stopped early)" if r["candidates"]["stopped_early"] else "yes"))
if not rows:
    print("no reports yet: run reducer/reduce first")
tmp = os.path.join(root, "reports", "README.md.tmp")
open(tmp, "w").write("\n".join(out) + "\n")
os.replace(tmp, os.path.join(root, "reports", "README.md"))
PY
