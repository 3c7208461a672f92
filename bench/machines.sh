#!/bin/sh
# The machines compared on one machine in one run: each app reduced for
# -M pc and for -M microvm (the microvm run hinted by the pc one), then
# booted in turns, RUNS times each:
#
#   pc + bzImage      the pc run's image, as its run_command boots it
#   pc + bzImage (P)  the pc run's files with its kernel config plus
#   pc + vmlinux (P)  CONFIG_PVH (the pc search removes it: a bzImage boot
#                     does not need it), the same kernel as a bzImage and
#                     entered through PVH as a vmlinux
#   microvm + vmlinux the microvm run's image, as its run_command boots it
#
# Each boot is timed from QEMU's start to init's "reduce-init: ready",
# every image at its profile's memory,
# split as the report splits it (init's "started at" gives the guest's
# uptime). Prints the medians, each run's least memory and verification,
# and the targets: microvm + vmlinux ready in at most 60% of pc + bzImage's
# time; nginx in at most 20 MiB, busybox-httpd in at most 12 MiB; every
# final image verified 3 of 3.
#
#   usage: bench/machines.sh [--apps "A B"] [--runs N] [--dir DIR] [--results FILE]
#
# --apps: profiles (default "busybox-httpd nginx"; tests are tests/APP.sh).
# --runs: boots of each image (default 5).
# --dir: where the run directories go (default reports/bench/machines-<UTC
# time>); runs already there are kept, so a stopped benchmark goes on.
# --results FILE: also writes the table into FILE (docs/results.md), in
# the section machines (see bench/results-lib.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=machines.sh
. "$ROOT/bench/results-lib.sh"
APPS="busybox-httpd nginx"
RUNS=5
DIR=
RESULTS=
while [ $# -gt 0 ]; do
	case $1 in
	--apps) [ $# -ge 2 ] || { echo "$ME: --apps needs profiles" >&2; exit 2; }; APPS=$2; shift 2 ;;
	--runs)
		[ $# -ge 2 ] && [ "$2" -ge 1 ] 2>/dev/null ||
			{ echo "$ME: --runs needs a whole number of at least 1" >&2; exit 2; }
		RUNS=$2; shift 2 ;;
	--dir) [ $# -ge 2 ] || { echo "$ME: --dir needs a directory" >&2; exit 2; }; DIR=$2; shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,29s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for app in $APPS; do
	test -f "$ROOT/profiles/$app.conf" || { echo "$ME: no profile profiles/$app.conf" >&2; exit 2; }
	test -x "$ROOT/tests/$app.sh" || { echo "$ME: no test script tests/$app.sh" >&2; exit 2; }
done
DIR=${DIR:-$ROOT/reports/bench/machines-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$DIR"

# reduce_into NAME ARGS...: a run into $DIR/NAME unless it is there.
reduce_into() {
	name=$1
	shift
	if [ -f "$DIR/$name/report.json" ]; then
		echo "$name: done earlier in $DIR"
		return
	fi
	echo "$name: reducing ..."
	rm -rf "$DIR/$name"
	"$ROOT/reducer/reduce" "$@" --out "$DIR/$name" --quiet 2>"$DIR/$name.log" ||
		{ echo "$ME: $name failed; see $DIR/$name.log" >&2; tail -5 "$DIR/$name.log" >&2; exit 1; }
	echo "$name: $(tail -2 "$DIR/$name.log" | head -1 | sed 's/^reduce: //')"
}

for app in $APPS; do
	t="$ROOT/tests/$app.sh"
	reduce_into "$app-pc" --app "$app" --tests "$t" --machine pc
	reduce_into "$app-microvm" --app "$app" --tests "$t" --machine microvm --hint "$DIR/$app-pc"
	# PVH is under HYPERVISOR_GUEST, which the pc search removes too.
	sed '/^# CONFIG_PVH is not set$/d; /^# CONFIG_HYPERVISOR_GUEST is not set$/d' \
		"$DIR/$app-pc/kernel.config" >"$DIR/$app-pvh.config"
	printf 'CONFIG_HYPERVISOR_GUEST=y\nCONFIG_PVH=y\n' >>"$DIR/$app-pvh.config"
	if [ -f "$DIR/$app-pvh/kernel.config" ] && ! grep -q '^CONFIG_PVH=y$' "$DIR/$app-pvh/kernel.config"; then
		rm -rf "$DIR/$app-pvh"
	fi
	# The pc run's files (its list, tried first, is the one candidate)
	# with that kernel: no search, one build.
	reduce_into "$app-pvh" --app "$app" --tests "$t" --machine pc --kernel-base "$DIR/$app-pvh.config" \
		--only-rootfs --hint "$DIR/$app-pc" --max-candidates 1 --baseline-runs 1 --no-min-memory
	grep -q '^CONFIG_PVH=y$' "$DIR/$app-pvh/kernel.config" ||
		{ echo "$ME: $app-pvh: its kernel config has no CONFIG_PVH" >&2; exit 1; }
done

# boot.py RUNDIR KERNEL RUNS: boots RUNDIR's run_command with -kernel
# KERNEL, RUNS times; prints "ready loader kernel init" medians in ms.
cat >"$DIR/boot.py" <<'PY'
import json, os, re, shlex, signal, statistics, subprocess, sys, time
run, kernel, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rep = json.load(open(run + "/report.json"))
argv = shlex.split(rep["run_command"])
argv[argv.index("-kernel") + 1] = kernel
# Every image at its profile's memory: run_command has the least, where
# it was found, and a guest's memory changes how long its kernel takes.
argv[argv.index("-m") + 1] = str(rep["memory"]["profile_mib"])
argv[argv.index("-serial") + 1] = "file:" + run + "/bench-console.log"
# No forwarded port is needed to see init's markers.
argv = [a if not a.startswith("user,") else re.sub(r",hostfwd=[^,]*", "", a) for a in argv]
got = []
for i in range(runs):
    log = run + "/bench-console.log"
    if os.path.exists(log):
        os.unlink(log)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    init = ready = guest = None
    while time.monotonic() - t0 < 120 and p.poll() is None:
        text = open(log, errors="replace").read() if os.path.exists(log) else ""
        m = re.search(r"reduce-init: started at ([0-9.]+)\n", text)
        if m and init is None:
            init, guest = time.monotonic(), float(m.group(1))
        if "reduce-init: ready\n" in text:
            ready = time.monotonic()
            break
        time.sleep(0.002)
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    if ready is None or init is None:
        sys.exit("%s: %s did not get ready (see %s)" % (run, kernel, log))
    ms = lambda t: (t - t0) * 1000
    kern = min(guest * 1000, ms(init))
    got.append((ms(ready), ms(init) - kern, kern, ms(ready) - ms(init)))
print(" ".join("%.0f" % statistics.median(g[k] for g in got) for k in range(4)))
PY

field() {
	/usr/bin/python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'): d=d[k]
print(d)" "$DIR/$1/report.json" "$2"
}

body=$DIR/table.md
targets=$DIR/targets.md
: >"$targets"
verdict() { if [ "${1-}" = 1 ]; then echo met; else echo "NOT met"; fi; }
{
	echo "Measured $(results_where): \`bench/machines.sh --runs $RUNS\`, medians of $RUNS boots each,"
	echo "from QEMU's start to init's ready marker, the images booted in turns."
	echo
	echo "| app | machine + kernel | kernel B | ms to ready | firmware+loader | kernel | init to ready | least memory MiB (baseline) | verified |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
	for app in $APPS; do
		echo "$app: booting the images $RUNS times each ..." >&2
		# In turns, so that a noisy minute of the machine spreads over all.
		for v in pc pvh-bz pvh-vm microvm; do : >"$DIR/$app-$v.times"; done
		i=0
		while [ $i -lt "$RUNS" ]; do
			/usr/bin/python3 "$DIR/boot.py" "$DIR/$app-pc" bzImage 1 >>"$DIR/$app-pc.times"
			/usr/bin/python3 "$DIR/boot.py" "$DIR/$app-pvh" bzImage 1 >>"$DIR/$app-pvh-bz.times"
			/usr/bin/python3 "$DIR/boot.py" "$DIR/$app-pvh" vmlinux 1 >>"$DIR/$app-pvh-vm.times"
			/usr/bin/python3 "$DIR/boot.py" "$DIR/$app-microvm" vmlinux 1 >>"$DIR/$app-microvm.times"
			i=$((i + 1))
		done
		med() { sort -n -k"$2" "$DIR/$app-$1.times" | awk -v k="$2" -v n="$RUNS" 'NR == int((n + 1) / 2) { print $k }'; }
		row() { # variant run kernel-file label memory verified
			echo "| $app | $4 | $(stat -c %s "$DIR/$2/$3") | $(med "$1" 1) | $(med "$1" 2) | $(med "$1" 3) | $(med "$1" 4) | $5 | $6 |"
		}
		mem() { echo "$(field "$1" memory.min_memory_mib.after) ($(field "$1" memory.min_memory_mib.before))"; }
		ver() { echo "$(field "$1" verify.passed) of $(field "$1" verify.runs)"; }
		row pc "$app-pc" bzImage "pc + bzImage" "$(mem "$app-pc")" "$(ver "$app-pc")"
		row pvh-bz "$app-pvh" bzImage "pc + bzImage (P)" "-" "$(ver "$app-pvh")"
		row pvh-vm "$app-pvh" vmlinux "pc + vmlinux (P)" "-" "$(ver "$app-pvh")"
		row microvm "$app-microvm" vmlinux "microvm + vmlinux" "$(mem "$app-microvm")" "$(ver "$app-microvm")"
		pc=$(med pc 1) mv=$(med microvm 1)
		echo "- $app: microvm + vmlinux ready in at most 60% of pc + bzImage's time: $mv ms of $pc ms:" \
			"$(verdict $([ $((mv * 100)) -le $((pc * 60)) ] && echo 1))" >>"$targets"
		limit=$([ "$app" = nginx ] && echo 20 || echo 12)
		for m in pc microvm; do
			got=$(field "$app-$m" memory.min_memory_mib.after)
			echo "- $app ($m): runs its tests in at most $limit MiB: $got MiB:" \
				"$(verdict $([ "$got" -gt 0 ] && [ "$got" -le "$limit" ] && echo 1))" >>"$targets"
			echo "- $app ($m): verified 3 of 3: $(ver "$app-$m"):" \
				"$(verdict $([ "$(field "$app-$m" verify.passed)" = 3 ] && echo 1))" >>"$targets"
			echo "- $app ($m) guest memory when ready at the profile's memory: $(field "$app-$m" memory.guest_meminfo)" >>"$targets"
		done
	done
	echo
	echo "(P): the pc run's files with its kernel config plus CONFIG_PVH, one kernel in both forms."
	echo
	cat "$targets"
} >"$body"
cat "$body"
if [ -n "$RESULTS" ]; then
	results_write "machines" "Machines: pc and microvm, bzImage and vmlinux (bench/machines.sh)" "$body"
	echo "written to $RESULTS"
fi
