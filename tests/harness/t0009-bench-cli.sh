#!/bin/sh
# The benchmarks' command lines: bad input is refused at once, with one line
# naming the problem and exit 2, before any build or run directory is made
# (a benchmark that ran for an hour on a typo would be worse than none).
. "$(dirname "$0")/test-lib.sh"

# bench_error CODE TEXT CMD...: expect_exit, and the error is one line
# that starts with the script's name, with nothing on stdout.
bench_error() {
	expect_exit "$@" || return 1
	# ccache-modes.sh says so when it has to unpack the kernel source first.
	[ "$(grep -vc "^unpacking " "$TRASH/.err")" = 1 ] || { echo "not one line of error"; return 1; }
	grep -q -- "^$(basename "$3"): " "$TRASH/.err" || { echo "not named after $3"; return 1; }
	[ ! -s "$TRASH/.out" ] || { echo "stdout not empty"; return 1; }
}

CM="$ROOT/bench/ccache-modes.sh"
RR="$ROOT/bench/real-runs.sh"
IR="$ROOT/bench/implied-replay.sh"
RS="$ROOT/bench/release.sh"
SB="$ROOT/bench/shared-build.sh"
EXB="$ROOT/bench/examples.sh"

test_expect_success 'release.sh --help says what it measures and how to call it' '
	"$RS" --help >help &&
	grep -q "usage: bench/release.sh" help && grep -q "empty cache" help
'
test_expect_success 'release.sh: an app without a profile, an unknown argument, a bad --results' '
	bench_error 2 "no profile profiles/no-such-app.conf" "$RS" --app no-such-app &&
	bench_error 2 "unknown argument .--fast." "$RS" --fast &&
	bench_error 2 "no such directory" "$RS" --results "$TRASH/none/results.md"
'
test_expect_success 'shared-build.sh --help says what it measures and how to call it' '
	"$SB" --help >help &&
	grep -q "usage: bench/shared-build.sh" help && grep -q "distcc" help
'
test_expect_success 'shared-build.sh: unknown machine, unknown argument, a bad --results' '
	bench_error 2 "unknown machine .vax." "$SB" --machine vax &&
	bench_error 2 "--machine needs" "$SB" --machine &&
	bench_error 2 "unknown argument --fast" "$SB" --fast &&
	bench_error 2 "no such directory" "$SB" --results "$TRASH/none/results.md"
'
test_expect_success 'examples.sh: --help, an unknown example or machine, an unknown argument, a bad --results' '
	"$EXB" --help >help && grep -q "usage: bench/examples.sh" help && grep -q python-server help &&
	bench_error 2 "unknown example .go-server." "$EXB" --examples "static-server go-server" &&
	bench_error 2 "unknown machine .vax." "$EXB" --machines "pc vax" &&
	bench_error 2 "unknown argument" "$EXB" --fast &&
	bench_error 2 "no such directory" "$EXB" --results "$TRASH/none/results.md"
'
test_expect_success 'ccache-modes.sh --help says what it measures and how to call it' '
	"$CM" --help >help &&
	grep -q "usage: bench/ccache-modes.sh" help &&
	grep -q "preprocessor mode" help
'
test_expect_success 'ccache-modes.sh: unknown mode' '
	bench_error 2 "unknown mode .fast." "$CM" --modes fast FUTEX
'
test_expect_success 'ccache-modes.sh: --modes without a value' '
	bench_error 2 "--modes needs a value" "$CM" --modes
'
test_expect_success 'ccache-modes.sh: unknown flag' '
	bench_error 2 "unknown option -x" "$CM" -x
'
test_expect_success 'ccache-modes.sh: option written as CONFIG_ or in lower case' '
	bench_error 2 "write FUTEX, not CONFIG_FUTEX" "$CM" CONFIG_FUTEX &&
	bench_error 2 "not a Kconfig option name" "$CM" futex
'
test_expect_success KERNEL_SOURCE,KBUILD_TOOLS 'ccache-modes.sh: an option the kernel does not have' '
	bench_error 2 "no Kconfig option NO_SUCH_OPTION" "$CM" FUTEX NO_SUCH_OPTION
'
test_expect_success 'real-runs.sh: unknown argument, bad --max-candidates, bad --into, unknown run' '
	ls "$ROOT/reports" >before &&
	bench_error 2 "unknown argument .--fast." "$RR" --fast &&
	bench_error 2 "wants a number, not .ten." "$RR" --max-candidates ten &&
	bench_error 2 "wants a directory name" "$RR" --into ../elsewhere &&
	bench_error 2 "no such directory" "$RR" --dir "$TRASH" --into 20990101-000000 &&
	bench_error 2 "no run named .nginx-fast." "$RR" --dir "$TRASH" --only busybox-hier,nginx-fast &&
	! ls "$TRASH"/20* 2>/dev/null &&
	ls "$ROOT/reports" >after &&
	cmp before after
'
# A run stopped twice then finished: the table adds the stopped
# invocations to the report; a run only stopped shows as not finished.
test_expect_success 'real-runs.sh adds the invocations of a stopped and resumed run' '
	mkdir -p "$TRASH/b/s1/busybox-hier/run" "$TRASH/b/s1/nginx-hier" &&
	printf "%s\n" "{\"app\": \"busybox-httpd\", \"kernel_base\": \"microvm\", \"strategy\": \"hier\"," \
		"\"accel\": \"tcg\", \"builds\": 10, \"boots\": 20, \"wall_seconds\": 1000, \"verified\": true," \
		"\"candidates\": {\"tested\": 30, \"stopped_early\": false}," \
		"\"kernel\": {\"image_bytes\": {\"before\": 2000, \"after\": 1000}," \
		"\"options_enabled\": {\"before\": 600, \"after\": 400}}}" \
		>"$TRASH/b/s1/busybox-hier/run/report.json" &&
	printf "100 3 4 5\n200 6 7 8\n" >"$TRASH/b/s1/busybox-hier/stopped" &&
	printf "50 1 2 3\n" >"$TRASH/b/s1/nginx-hier/stopped" &&
	"$RR" --dir "$TRASH/b" --into s1 --only busybox-hier >out 2>err &&
	cat out &&
	grep -q "run=busybox-hier .*builds=19 boots=31 candidates=43 wall_s=1300 " out &&
	grep -q "^| busybox-hier | microvm | hier | tcg | 19 | 31 | 1300 |" out &&
	grep -q "^run=nginx-hier builds=1 boots=2 candidates=3 wall_s=50 complete=false stopped=1" out &&
	grep -q "^| nginx-hier | .* no (stopped) |" out &&
	grep -q "nginx-hier: stopped 1 time(s), not finished; resume with --into s1 --only nginx-hier" out &&
	grep -q "kept: .* has its report already" err
'
# A run stopped, its caches then lost (a new machine), resumed: the
# verdicts come back from memo.tsv. reduce is simulated here: what is
# tested is the script's bookkeeping, not a search.
test_expect_success 'real-runs.sh keeps the memo of a stopped run and resumes from it without the caches' '
	mkdir -p "$TRASH/m/s1" &&
	cat >"$TRASH/fake-reduce" <<-\EOF &&
	#!/bin/sh
	out= app=
	while [ $# -gt 0 ]; do
		case $1 in --out) out=$2; shift 2 ;; --app) app=$2; shift 2 ;; *) shift ;; esac
	done
	memo="$REDUCE_CACHE/memo/$app.tsv"
	if [ ! -f "$TRASH/stopped-once" ]; then
		mkdir -p "$REDUCE_CACHE/memo" && printf "k1 pass\nk2 fail\n" >"$memo"
		touch "$TRASH/stopped-once"
		echo "reduce: interrupted after 100 s, 3 builds, 4 boots, 5 candidates; the candidates tried: x" >&2
		exit 130
	fi
	grep -q "^k2 fail$" "$memo" || { echo "reduce: error: no memo" >&2; exit 1; }
	mkdir -p "$out" && cat >"$out/report.json" <<-J
	{"app": "$app", "kernel_base": "microvm", "strategy": "linear", "accel": "tcg", "builds": 7,
	 "boots": 8, "wall_seconds": 50, "verified": true, "candidates": {"tested": 9, "stopped_early": false},
	 "kernel": {"image_bytes": {"before": 2000, "after": 1000}, "options_enabled": {"before": 600, "after": 400}}}
	J
	EOF
	chmod +x "$TRASH/fake-reduce" &&
	export REDUCE_BIN="$TRASH/fake-reduce" &&
	{ "$RR" --dir "$TRASH/m" --into s1 --only busybox-linear >out 2>err; test $? = 130; } &&
	grep -q "^k2 fail$" "$TRASH/m/s1/busybox-linear/memo.tsv" &&
	rm -rf "$TRASH/m/s1/busybox-linear/cache" &&
	"$RR" --dir "$TRASH/m" --into s1 --only busybox-linear >out 2>err &&
	cat err out &&
	grep -q "busybox-linear: its caches are gone; 2 verdicts taken from .*memo.tsv" err &&
	grep -q "resumed: its verdicts are kept, its build caches are cold, from 1 stopped invocation" err &&
	grep -q "^| busybox-linear | microvm | linear | tcg | 10 | 12 | 150 |" out
'
test_expect_success 'implied-replay.sh: no run directory, not a run directory, unknown option' '
	bench_error 2 "no run directory given" "$IR" &&
	bench_error 2 "$TRASH is not a run directory" "$IR" "$TRASH" &&
	bench_error 2 "unknown option -x" "$IR" -x
'
# Candidate 2 fails without A; 3 turns off A and more (implied, and it
# did fail); 4 passes; 5 turns off A and C from the smaller state (implied,
# yet it passed: the assumption was wrong there); that pass makes 2 imply
# nothing more, so 6 is not implied.
test_expect_success 'implied-replay.sh finds the candidates an earlier failure implies' '
	mkdir run &&
	printf "n\tphase\tverdict\tsource\tbuild_s\ttrial_s\tcount\tremoved\n" >run/candidates.tsv &&
	printf "1\trootfs\tpass\trun\t0.0\t1.0\t1\t/a\n" >>run/candidates.tsv &&
	printf "2\tkernel\ttest\trun\t10.0\t12.0\t1\tCONFIG_A\n" >>run/candidates.tsv &&
	printf "3\tkernel\ttest\trun\t20.0\t12.0\t2\tCONFIG_A CONFIG_B\n" >>run/candidates.tsv &&
	printf "4\tkernel\tpass\trun\t30.0\t2.0\t1\tCONFIG_B\n" >>run/candidates.tsv &&
	printf "5\tkernel\tpass\trun\t5.0\t2.0\t2\tCONFIG_A CONFIG_C\n" >>run/candidates.tsv &&
	printf "6\tkernel\tbuild\trun\t5.0\t0.0\t1\tCONFIG_D\n" >>run/candidates.tsv &&
	"$IR" run >out && cat out &&
	grep -q "candidate 3 (test, 20.0 s) implied by candidate 2" out &&
	grep -q "candidate 5 (pass, 5.0 s) implied by candidate 2" out &&
	! grep -q "candidate 6" out &&
	grep -qx "run=run kernel_candidates=5 implied=2 saved_s=39 passed_in_fact=1" out
'
test_done
