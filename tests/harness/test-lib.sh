# Shell test library in the style of git's t/test-lib.sh.
#   test_expect_success 'what it checks' 'commands'
# Each test runs in a subshell with `set -e`-like && chains; its output goes
# to a log that is shown only when it fails. Results print as "ok - ..." and
# "not ok - ..."; tests/run-all.sh counts them.
set -u
TEST_DIRECTORY=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$TEST_DIRECTORY/.." && pwd)
REDUCE="$ROOT/reducer/reduce"
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/reduce-test.XXXXXX")
# The user's cache, which the real-run tests share (t0008 damages its
# build directory on purpose, to test the repair).
MAIN_CACHE=${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}
export ROOT REDUCE TRASH
test_failures=0
trap 'rm -rf "$TRASH"' EXIT

test_expect_success() {
	desc=$1
	body=$2
	log="$TRASH/.log"
	if (cd "$TRASH" && eval "$body") >"$log" 2>&1; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		sed 's/^/#   /' "$log" | tail -40
		test_failures=$((test_failures + 1))
	fi
}

# Runs a command that must fail with the given exit code and print a
# one-line error on stderr that contains the given text.
expect_error() {
	expect_exit "$@" &&
	{ grep -q "^reduce: error: " "$TRASH/.err" || { echo "no 'reduce: error:' line"; return 1; }; }
}

# The same without the "reduce: error:" check, for other programs; leaves
# stdout and stderr in $TRASH/.out and $TRASH/.err.
expect_exit() {
	code=$1
	text=$2
	shift 2
	set +e
	"$@" >"$TRASH/.out" 2>"$TRASH/.err"
	got=$?
	set -e
	cat "$TRASH/.err"
	[ "$got" = "$code" ] || { echo "exit $got, expected $code"; return 1; }
	grep -q -- "$text" "$TRASH/.err" || { echo "stderr lacks: $text"; return 1; }
}

# Makes $TRASH/cache, a cache with the user's kernel source, builds,
# kernel images, ccache and rootfs but a memo of its own, so that every
# verdict of the run under test comes from a real build and boot.
cache_with_fresh_memo() {
	cache_linking "$TRASH/cache" linux-source-6.1 kbuild kernels ccache rootfs
}

# Makes the cache directory $1 with links to the named parts of the
# user's cache.
cache_linking() {
	dir=$1
	shift
	mkdir "$dir" &&
	for d in "$@"; do
		if test -e "$MAIN_CACHE/$d"; then ln -s "$MAIN_CACHE/$d" "$dir/$d"; fi
	done
}

# A free TCP port on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

no_qemu_left() {
	! pgrep -f "qemu-system-x86_64.*$1" >/dev/null
}

test_done() {
	exit $((test_failures > 0))
}
