#!/bin/sh
# Real reductions, one after the other on this machine, each from cold
# state: its own verdict memo, kernel image cache, ccache and build
# directory, so that no run profits from another. Only the unpacked kernel
# source and the debootstrap archives are shared (neither is search work).
# Prints one line per run and a table, then the targets.
#
#   bench/real-runs.sh [--only NAME[,NAME...]] [--max-candidates N] [--dir DIR]
#                      [--into STAMP] [--results FILE]
#
# Runs: busybox-linear, busybox-hier (busybox-httpd from the microvm base),
# nginx-hier (nginx from the microvm base), nginx-hint (the same with
# busybox-hier's result as --hint; its caches are cold all the same),
# busybox-defconfig-hier.
# --max-candidates bounds each search phase (a smoke run: its figures say
# nothing about the targets and the table says "no" under "complete").
# --into STAMP adds the runs to DIR/STAMP, an earlier invocation's directory
# (each run still cold), and prints the table of all its runs; a run that
# already has a report there is not run again. Long rows can so be made one
# at a time. A run stopped with Ctrl-C keeps its caches; the same --into
# STAMP --only NAME resumes it from its verdict memo, and the table adds
# the wall time, builds and boots of every invocation. The memo is also
# copied next to the run's figures (memo.tsv): it is small and can be kept
# (committed) where the caches cannot, so that a run longer than one
# sitting resumes after its caches are gone, on another machine of the
# same kind; it then rebuilds what it needs from cold caches, but no
# verdict twice. Each invocation of a run adds a line to its "measured"
# file (date, machine, commit), so that a row made in parts says where
# each part ran.
# --results FILE also writes the table, the targets and where the time
# went into FILE (docs/results.md), in a section named after the runs of
# the table ("real-runs:busybox-hier,busybox-linear"), with the date,
# machine and commit; a later table of the same runs replaces it. See
# bench/results-lib.sh. A smoke run (--max-candidates) writes no results.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=real-runs.sh
. "$ROOT/bench/results-lib.sh"
ONLY=all
MAX=
INTO=
RESULTS=
DIR="$ROOT/reports/bench"
# The command as the results show it: what was measured, not where to.
CMD=bench/real-runs.sh
while [ $# -gt 0 ]; do
	case $1 in
	--only) ONLY=${2:?--only needs a list}; CMD="$CMD $1 $2"; shift 2 ;;
	--max-candidates) MAX=${2:?--max-candidates needs a number}; CMD="$CMD $1 $2"; shift 2 ;;
	--dir) DIR=${2:?--dir needs a directory}; shift 2 ;;
	--into) INTO=${2:?--into needs a directory name}; CMD="$CMD $1 $2"; shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "real-runs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case $MAX in *[!0-9]*) echo "real-runs.sh: --max-candidates wants a number, not '$MAX'" >&2; exit 2 ;; esac
if [ -n "$MAX" ] && [ -n "$RESULTS" ]; then
	echo "real-runs.sh: --results records complete runs only, not a smoke run with --max-candidates" >&2
	exit 2
fi

MAIN_CACHE=${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}
case $INTO in */*|.|..) echo "real-runs.sh: --into wants a directory name under $DIR, not '$INTO'" >&2; exit 2 ;; esac
if [ -n "$INTO" ] && [ ! -d "$DIR/$INTO" ]; then
	echo "real-runs.sh: --into $INTO: no such directory $DIR/$INTO" >&2; exit 2
fi
ALL="busybox-linear:busybox-httpd:linear:microvm
busybox-hier:busybox-httpd:hier:microvm
nginx-hier:nginx:hier:microvm
nginx-hint:nginx:hier:microvm:busybox-hier
busybox-defconfig-hier:busybox-httpd:hier:defconfig"
NAMES=$(echo "$ALL" | sed 's/:.*//' | tr '\n' ' ')
NAMES=${NAMES% }
for n in $(echo "$ONLY" | tr ',' ' '); do
	case " all $NAMES " in
	*" $n "*) ;;
	*) echo "real-runs.sh: --only: no run named '$n' (runs: $NAMES)" >&2; exit 2 ;;
	esac
done
make -C "$ROOT" -s all
# Tests of this script's bookkeeping put a simulated reduce here.
REDUCE_BIN=${REDUCE_BIN:-$ROOT/reducer/reduce}
STAMP=${INTO:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$DIR/$STAMP"

# Makes sure the shared parts exist once, outside any timed run.
"$ROOT/rootfs/install-deps.sh"

for spec in $ALL; do
	name=${spec%%:*}; rest=${spec#*:}
	app=${rest%%:*}; rest=${rest#*:}
	strategy=${rest%%:*}; rest=${rest#*:}
	base=${rest%%:*}; from=${rest#"$base"}; from=${from#:}
	case ",$ONLY," in ,all,|*",$name,"*) ;; *) continue ;; esac
	if [ -f "$DIR/$STAMP/$name/run/report.json" ]; then
		echo "real-runs: $name kept: $DIR/$STAMP/$name has its report already" >&2
		continue
	fi
	hint=
	if [ -n "$from" ]; then
		hint="$DIR/$STAMP/$from/run"
		if [ ! -f "$hint/report.json" ]; then
			echo "real-runs: $name skipped: it starts from $from's result, which this run lacks" >&2
			continue
		fi
	fi
	cache="$DIR/$STAMP/$name/cache"
	out="$DIR/$STAMP/$name/run"
	mkdir -p "$cache"
	for shared in linux-source-6.1 rootfs; do
		if [ -e "$MAIN_CACHE/$shared" ]; then ln -sfn "$MAIN_CACHE/$shared" "$cache/$shared"; fi
	done
	stopped="$DIR/$STAMP/$name/stopped"
	memo="$cache/memo/$app.tsv"
	kept="its verdicts and build caches are kept"
	if [ -f "$DIR/$STAMP/$name/memo.tsv" ] && [ ! -f "$memo" ]; then
		mkdir -p "$cache/memo"
		cp "$DIR/$STAMP/$name/memo.tsv" "$memo"
		echo "real-runs: $name: its caches are gone; $(wc -l <"$memo") verdicts taken from $DIR/$STAMP/$name/memo.tsv" >&2
		kept="its verdicts are kept, its build caches are cold,"
	fi
	results_where >>"$DIR/$STAMP/$name/measured"
	echo >>"$DIR/$STAMP/$name/measured"
	if [ -f "$stopped" ]; then
		echo "real-runs: $name ($app, $strategy, $base base) resumed: $kept from $(wc -l <"$stopped") stopped invocation(s) ..." >&2
	else
		echo "real-runs: $name ($app, $strategy, $base base) ..." >&2
	fi
	# Ctrl-C reaches reduce, which stops cleanly and says what it spent;
	# this shell waits for that line instead of dying first.
	trap 'true' INT TERM
	set +e
	REDUCE_CACHE=$cache "$REDUCE_BIN" --app "$app" --tests "$ROOT/tests/$app.sh" \
		--strategy "$strategy" --kernel-base "$base" ${MAX:+--max-candidates "$MAX"} ${hint:+--hint "$hint"} \
		--out "$out" -q 2>"$DIR/$STAMP/$name/stderr"
	rc=$?
	set -e
	trap - INT TERM
	cat "$DIR/$STAMP/$name/stderr" >&2
	if [ $rc = 130 ]; then
		# A stopped run keeps its caches, so that a later invocation
		# (--into STAMP --only NAME) goes on from the memo; the table
		# then adds what each invocation spent.
		sed -n 's/.*interrupted after \([0-9]*\) s, \([0-9]*\) builds, \([0-9]*\) boots, \([0-9]*\) candidates.*/\1 \2 \3 \4/p' \
			"$DIR/$STAMP/$name/stderr" >>"$stopped"
		if [ -f "$memo" ]; then cp "$memo" "$DIR/$STAMP/$name/memo.tsv"; fi
		if [ -f "$out.stopped-candidates.tsv" ]; then
			mv "$out.stopped-candidates.tsv" "$DIR/$STAMP/$name/stopped-$(wc -l <"$stopped")-candidates.tsv"
		fi
		echo "real-runs: $name stopped; resume it with: bench/real-runs.sh --into $STAMP --only $name" >&2
		exit 130
	fi
	[ $rc = 0 ] || echo "real-runs: $name ended with exit status $rc" >&2
	# The caches are what made the run cold; they are not results.
	rm -rf "$cache"
done

section=$(mktemp -d)
trap 'rm -rf "$section"' EXIT
/usr/bin/python3 - "$DIR/$STAMP" "$ROOT" "$section" "$(results_where)" "$CMD" <<'PY'
import json, os, sys, datetime
top, root, section, where, cmd = sys.argv[1:6]
notes, target_lines = [], []
def note(line):
    print(line)
    notes.append(line)
def target(line):
    print(line)
    target_lines.append(line)
runs = {}
stopped = {}   # name -> [wall s, builds, boots, candidates, invocations] of stopped invocations
for name in sorted(os.listdir(top)):
    p = os.path.join(top, name, "run", "report.json")
    if os.path.exists(p):
        runs[name] = json.load(open(p))
    sp = os.path.join(top, name, "stopped")
    if os.path.exists(sp):
        rows = [list(map(int, l.split())) for l in open(sp) if l.strip()]
        stopped[name] = [sum(r[i] for r in rows) for i in range(4)] + [len(rows)]
# A run resumed from the memo is one search paid for in several
# invocations: its figures are the sums.
for name, r in runs.items():
    if name in stopped:
        s = stopped[name]
        r["wall_seconds"] += s[0]; r["builds"] += s[1]; r["boots"] += s[2]
        r["candidates"]["tested"] += s[3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print("date=%s machine=%s cores=%d" % (datetime.datetime.utcnow().date(), cpu.replace(" ", "_"), os.cpu_count()))
rows = []
for name, r in runs.items():
    c = r["candidates"]
    complete = not c["stopped_early"]
    line = ("run=%s app=%s base=%s strategy=%s accel=%s builds=%d boots=%d candidates=%d wall_s=%d "
            "kernel_bytes=%d options=%d verified=%s complete=%s") % (
        name, r["app"], r["kernel_base"], r["strategy"], r["accel"], r["builds"], r["boots"],
        c["tested"], r["wall_seconds"], r["kernel"]["image_bytes"]["after"],
        r["kernel"]["options_enabled"]["after"], str(r["verified"]).lower(), str(complete).lower())
    print(line)
    rows.append("| %s | %s | %s | %s | %d | %d | %d | %d → %d | %d → %d | %s |" % (
        name, r["kernel_base"], r["strategy"], r["accel"], r["builds"], r["boots"], r["wall_seconds"],
        r["kernel"]["image_bytes"]["before"], r["kernel"]["image_bytes"]["after"],
        r["kernel"]["options_enabled"]["before"],
        r["kernel"]["options_enabled"]["after"], "yes" if complete else "no"))
for name, s in stopped.items():
    if name in runs:
        continue
    print("run=%s builds=%d boots=%d candidates=%d wall_s=%d complete=false stopped=%d" % (
        name, s[1], s[2], s[3], s[0], s[4]))
    rows.append("| %s | | | | %d | %d | %d | | | no (stopped) |" % (name, s[1], s[2], s[0]))
header = ["| run | base | strategy | accel | builds | boots | wall s | kernel bytes | kernel options | complete |",
          "|---|---|---|---|---:|---:|---:|---:|---|---|"]
print()
for row in header + rows:
    print(row)
for name, s in sorted(stopped.items()):
    if name in runs:
        note("%s: its figures add %d stopped invocation(s) before the last, which resumed from the memo (%d s, %d builds, %d boots)"
              % (name, s[4], s[0], s[1], s[2]))
    else:
        note("%s: stopped %d time(s), not finished; resume with --into %s --only %s"
              % (name, s[4], os.path.basename(top), name))
# Where each finished run's time went (the last invocation's, for a
# resumed run): what to shorten next.
for name, r in runs.items():
    if "seconds" in r:
        sec = r["seconds"]
        note("%s: %s" % (name, ", ".join("%s %d s" % (k.replace("_", " "), round(v)) for k, v in sec.items())))
print()
def done(n):
    return n in runs and not runs[n]["candidates"]["stopped_early"]
if done("busybox-linear") and done("busybox-hier"):
    l, h = runs["busybox-linear"], runs["busybox-hier"]
    kb = lambda r: r["kernel"]["image_bytes"]["after"]
    target("target hier_builds<=linear/4: %d vs %d: %s" % (h["builds"], l["builds"], "met" if 4 * h["builds"] <= l["builds"] else "NOT met"))
    target("target hier_wall<=linear/3: %d vs %d s: %s" % (h["wall_seconds"], l["wall_seconds"], "met" if 3 * h["wall_seconds"] <= l["wall_seconds"] else "NOT met"))
    target("target hier_kernel<=1.05*linear: %d vs %d B: %s" % (kb(h), kb(l), "met" if kb(h) <= 1.05 * kb(l) else "NOT met"))
if done("nginx-hier"):
    w = runs["nginx-hier"]["wall_seconds"]
    target("target nginx_wall<=1800s: %d s: %s" % (w, "met" if w <= 1800 else "NOT met"))
if done("nginx-hint"):
    w = runs["nginx-hint"]["wall_seconds"]
    target("nginx with busybox-hier's result as --hint: %d s (%s the 30-minute target)" % (w, "within" if w <= 1800 else "NOT within"))
if done("busybox-defconfig-hier"):
    w = runs["busybox-defconfig-hier"]["wall_seconds"]
    target("target defconfig_wall<=5400s: %d s: %s" % (w, "met" if w <= 5400 else "NOT met"))
# A row made in parts, or elsewhere than this invocation: where each part ran.
when, _, here = where.partition(" on ")
for name in sorted(set(runs) | set(stopped)):
    mp = os.path.join(top, name, "measured")
    parts = [l.strip() for l in open(mp) if l.strip()] if os.path.exists(mp) else []
    if len(parts) > 1 or (parts and parts[0].partition(" on ")[2] != here):
        notes.append("%s: measured in %d invocation(s): %s" % (name, len(parts), "; ".join(parts)))
if runs or stopped:
    names = sorted(set(runs) | set(stopped))
    rel = os.path.relpath(top, root)
    body = ["Measured %s: `%s`%s." % (where, cmd,
            "" if rel.startswith("..") else ", runs in `%s`" % rel), ""]
    body += header + rows
    if notes or target_lines:
        body += [""] + ["- %s" % l for l in notes + target_lines]
    open(os.path.join(section, "name"), "w").write("real-runs:" + ",".join(names))
    open(os.path.join(section, "title"), "w").write("Real reductions: %s (bench/real-runs.sh)" % ", ".join(names))
    open(os.path.join(section, "body"), "w").write("\n".join(body) + "\n")
PY
if [ -n "$RESULTS" ] && [ -f "$section/name" ]; then
	results_write "$(cat "$section/name")" "$(cat "$section/title")" "$section/body"
fi
