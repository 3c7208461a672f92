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
test_expect_success 'ccache-modes.sh: an option the kernel does not have' '
	bench_error 2 "no Kconfig option NO_SUCH_OPTION" "$CM" FUTEX NO_SUCH_OPTION
'
test_expect_success 'real-runs.sh: unknown argument, bad --max-candidates, bad --into' '
	ls "$ROOT/reports" >before &&
	bench_error 2 "unknown argument .--fast." "$RR" --fast &&
	bench_error 2 "wants a number, not .ten." "$RR" --max-candidates ten &&
	bench_error 2 "wants a directory name" "$RR" --into ../elsewhere &&
	bench_error 2 "no such directory" "$RR" --dir "$TRASH" --into 20990101-000000 &&
	ls "$ROOT/reports" >after &&
	cmp before after
'
test_done
