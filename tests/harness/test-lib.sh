# Shell test library in the style of git's t/test-lib.sh.
#   test_expect_success [PREREQ,...] 'what it checks' 'commands'
#   test_setup [PREREQ,...] 'what it prepares' 'commands'
# Each body runs in a subshell in $TRASH, with && chains; its output goes
# to a log that is shown only when it fails (always with -v). Results print
# in TAP's manner, which tests/run-all.sh counts:
#   ok N - what               passed
#   not ok N - what           failed
#   ok N - what # SKIP why    skipped: a prerequisite is missing
# A setup step is not a test: when it works it prints a "# setup:" comment
# only; when it fails it prints "not ok - setup: ..." and the file stops
# there (the tests after it would fail for its reason, not theirs).
#
# Options: -v (--verbose) shows every body's output as it runs; -d
# (--debug) keeps the trash directory and says where it is.
#
# The cache rule: every test file runs reduce with a cache of its own,
# $TRASH/cache (exported as REDUCE_CACHE), so it has its own verdict memo
# and never writes the user's. Into it are linked the parts that are
# content-addressed and safe to share, from SHARED_CACHE, the user's cache
# (so that make demo and make check warm each other): the unpacked kernel
# source, ccache, the kernel image cache, the Debian rootfs tars and the
# compressed initramfs images. The
# kernel build directories (kbuild) are mutable state: a file gets a
# kbuild of its own, unless it calls test_shares_warm_build, and then it
# shares the suite's warm one, SUITE_KBUILD ($SHARED_CACHE/tests/kbuild),
# which no run of the user's uses.
set -u
verbose='' debug=''
for arg in "$@"; do
	case $arg in
	-v|--verbose) verbose=1 ;;
	-d|--debug) debug=1 ;;
	*) echo "usage: $0 [-v|--verbose] [-d|--debug]" >&2; exit 2 ;;
	esac
done
TEST_DIRECTORY=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$TEST_DIRECTORY/.." && pwd)
REDUCE="$ROOT/reducer/reduce"
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/reduce-test.XXXXXX")
export ROOT REDUCE TRASH
test_count=0
test_failures=0

# --- caches -----------------------------------------------------------------

SHARED_CACHE=${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}
SUITE_CACHE=$SHARED_CACHE/tests
SUITE_KBUILD=$SUITE_CACHE/kbuild
TEST_CACHE=$TRASH/cache
KERNEL_SOURCE=linux-source-6.1
KERNEL_TARBALL=${REDUCE_KERNEL_TARBALL:-/usr/src/$KERNEL_SOURCE.tar.xz}
REDUCE_CACHE=$TEST_CACHE
export REDUCE_CACHE
# The search for the least guest memory costs a dozen boots a run: only
# the files that check it unset this.
REDUCE_TEST_NO_MIN_MEMORY=1
export REDUCE_TEST_NO_MIN_MEMORY

mkdir "$TEST_CACHE"
# test_atexit 'commands': run when the file ends, however it ends (the
# servers a file starts: redis-server, distccd).
test_atexit_cmds=:
test_atexit() {
	test_atexit_cmds="$1; $test_atexit_cmds"
}
# A signal ends the file through its EXIT trap (sh runs none when a
# signal kills it), so that what it started stops.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
if [ -n "$debug" ]; then
	trap 'eval "$test_atexit_cmds"; keep_kvm_probe; echo "# trash directory kept: $TRASH"' EXIT
else
	trap 'eval "$test_atexit_cmds"; keep_kvm_probe; rm -rf "$TRASH"' EXIT
fi
for d in ccache kernels rootfs initramfs; do
	mkdir -p "$SHARED_CACHE/$d" 2>/dev/null && ln -s "$SHARED_CACHE/$d" "$TEST_CACHE/$d"
done
# Whether KVM works is known once a boot (reduce probes it, up to 20 s,
# and notes it in its cache per boot of the machine): the answer is taken
# from the user's cache or the suite's, and a new one kept in the suite's.
for f in "$SHARED_CACHE"/kvm-probe.* "$SUITE_CACHE"/kvm-probe.*; do
	test -f "$f" && ! test -e "$TEST_CACHE/${f##*/}" && cp "$f" "$TEST_CACHE/"
done
keep_kvm_probe() {
	for f in "$TEST_CACHE"/kvm-probe.*; do
		test -f "$f" && ! test -L "$f" && mkdir -p "$SUITE_CACHE" &&
		! test -e "$SUITE_CACHE/${f##*/}" && cp "$f" "$SUITE_CACHE/"
	done
	return 0
}
# Linked only once unpacked: reduce would unpack into a dangling link's
# place, so into this test's cache (see KERNEL_SOURCE below).
if test -f "$SHARED_CACHE/$KERNEL_SOURCE/Makefile"; then
	ln -s "$SHARED_CACHE/$KERNEL_SOURCE" "$TEST_CACHE/$KERNEL_SOURCE"
fi

# Declares that this file's runs build in the suite's warm kernel build
# directories, and so build incrementally after the files before it.
test_shares_warm_build() {
	mkdir -p "$SUITE_KBUILD" &&
	ln -s "$SUITE_KBUILD" "$TEST_CACHE/kbuild"
}

# test_copy_warm_build NAME [CACHE [AS]]: copies the suite's warm build
# directory NAME (microvm-base) into the kbuild of CACHE (a cache directory;
# this file's own, $TEST_CACHE, if none is given) as AS (NAME if none), with
# its times (so Kbuild finds it built), under the lock reduce takes on it
# (so no half-made build is copied). For a run that damages its build
# directory, or that builds more than the base because its cache lacks the
# image cache: the suite's then stays as it was (t0008, t0010, t0012,
# t0013). As another base's directory (a .config file's "file-base"), it
# makes that base compile only the objects its options change (t0004).
# reduce finds the copy elsewhere than its record says and relocates it
# (reducer/relocate.c). Fails if the suite has not built it.
test_copy_warm_build() {
	_to=${2:-$TEST_CACHE}
	test -f "$SUITE_KBUILD/$1/.config" &&
	mkdir -p "$_to/kbuild" &&
	flock "$SUITE_KBUILD/$1.lock" cp -a "$SUITE_KBUILD/$1" "$_to/kbuild/${3:-$1}"
}

# test_seed_warm_build FROM TO: gives the suite's kbuild a build directory
# TO, when it has none, as a copy of its warm FROM (under FROM's lock, made
# beside and renamed), so that the first build from another base (another
# machine's "microvm-microvm-base")
# compiles only the objects its options change: on a fresh machine, with
# ccache empty, a whole build less. Kbuild goes by the .config it is
# given, so what the copy holds saves compiling and changes no result.
test_seed_warm_build() {
	test -e "$SUITE_KBUILD/$2" && return 0
	test -f "$SUITE_KBUILD/$1/.config" || return 0
	_seed="$SUITE_KBUILD/$2.seed.$$"
	# A failed copy (a full disk) or a lost race leaves TO as it was:
	# the build then only takes longer.
	flock "$SUITE_KBUILD/$1.lock" cp -a "$SUITE_KBUILD/$1" "$_seed" &&
		mv -T "$_seed" "$SUITE_KBUILD/$2" 2>/dev/null
	rm -rf "$_seed"
}

# cache_linking DIR PART...: makes the cache directory DIR with links to
# the named parts of this file's cache (what they are: shared or its own).
cache_linking() {
	dir=$1
	shift
	mkdir "$dir" &&
	for d in "$@"; do
		if test -e "$TEST_CACHE/$d"; then ln -s "$(readlink -f "$TEST_CACHE/$d")" "$dir/$d"; fi
	done
}

# The kernel source, unpacked into the shared cache once (as reduce does
# on a first run: beside it, then renamed, so a cut unpack never looks
# complete) and linked into this file's cache. Called before any test or
# setup that needs the KERNEL_SOURCE prerequisite; a failed unpack fails it.
kernel_source_ready() {
	if ! test -f "$SHARED_CACHE/$KERNEL_SOURCE/Makefile"; then
		echo "unpacking $KERNEL_TARBALL into $SHARED_CACHE (once)"
		_tmp="$SHARED_CACHE/unpack.tests.$$"
		rm -rf "$_tmp" && mkdir -p "$_tmp" &&
		tar -xf "$KERNEL_TARBALL" -C "$_tmp" &&
		{ mv -T "$_tmp/$KERNEL_SOURCE" "$SHARED_CACHE/$KERNEL_SOURCE" ||
		  test -f "$SHARED_CACHE/$KERNEL_SOURCE/Makefile"; } || { rm -rf "$_tmp"; return 1; }
		rm -rf "$_tmp"
	fi
	test -e "$TEST_CACHE/$KERNEL_SOURCE" ||
	ln -s "$SHARED_CACHE/$KERNEL_SOURCE" "$TEST_CACHE/$KERNEL_SOURCE"
}

# --- prerequisites ----------------------------------------------------------

# test_lazy_prereq NAME 'script' ['why it is missing']: NAME holds if the
# script (run once, on first use, in a subshell in $TRASH) succeeds; what
# it prints on a failure, else the third argument, is the reason a skip
# shows.
test_lazy_prereq() {
	eval "prereq_script_$1=\$2; prereq_why_$1=\${3-}"
}

# test_set_prereq NAME: NAME holds from now on.
test_set_prereq() {
	eval "prereq_state_$1=yes"
}

# test_prereq_alias NAME 'A,B,...': NAME stands for all of them.
test_prereq_alias() {
	eval "prereq_alias_$1=\$2"
}

# test_have_prereq 'A,B,!C': all hold (and C does not). Sets prereq_missing
# to the first that fails and why.
test_have_prereq() {
	prereq_missing=
	for _p in $(echo "$1" | tr ',' ' '); do
		_neg=
		case $_p in !*) _neg=1 _p=${_p#!} ;; esac
		eval "_alias=\${prereq_alias_$_p-}"
		if [ -n "$_alias" ]; then
			if [ -n "$_neg" ]; then
				echo "test-lib: !$_p: an alias cannot be negated" >&2
				exit 1
			fi
			test_have_prereq "$_alias" || return 1
			continue
		fi
		eval "_state=\${prereq_state_$_p-}"
		if [ -z "$_state" ]; then
			eval "_script=\${prereq_script_$_p-}"
			if [ -z "$_script" ]; then
				echo "test-lib: unknown prerequisite $_p" >&2
				exit 1
			fi
			if _why=$( (cd "$TRASH" && eval "$_script") 2>&1 ); then
				_state=yes
			else
				_why=$(printf '%s\n' "$_why" | tail -n 1)
				eval "_state=no; [ -n \"\$_why\" ] || _why=\${prereq_why_$_p}"
				eval "prereq_whynot_$_p=\$_why"
			fi
			eval "prereq_state_$_p=\$_state"
		fi
		if { [ "$_state" = yes ] && [ -n "$_neg" ]; } || { [ "$_state" = no ] && [ -z "$_neg" ]; }; then
			if [ -n "$_neg" ]; then
				prereq_missing="!$_p (it holds)"
			else
				eval "prereq_missing=\"\$_p (\${prereq_whynot_$_p})\""
			fi
			return 1
		fi
	done
	return 0
}

# Whether the (expanded) prerequisite list $1 names $2.
prereq_names() {
	for _q in $(echo "$1" | tr ',' ' '); do
		[ "$_q" = "$2" ] && return 0
		eval "_a=\${prereq_alias_$_q-}"
		[ -n "$_a" ] && prereq_names "$_a" "$2" && return 0
	done
	return 1
}

test_lazy_prereq QEMU 'command -v qemu-system-x86_64' \
	'qemu-system-x86_64 not found: package qemu-system-x86'
test_lazy_prereq MUSL 'command -v musl-gcc' 'musl-gcc not found: package musl-tools'
test_lazy_prereq PYTHON3 'test -x /usr/bin/python3' '/usr/bin/python3 not found: package python3'
test_lazy_prereq KCONFIGLIB '/usr/bin/python3 -c "import kconfiglib" 2>/dev/null' \
	'no python3 kconfiglib: package python3-kconfiglib'
test_lazy_prereq KERNEL_SOURCE \
	'test -f "$SHARED_CACHE/$KERNEL_SOURCE/Makefile" || test -f "$KERNEL_TARBALL"' \
	"no $KERNEL_TARBALL: package $KERNEL_SOURCE"
test_lazy_prereq KBUILD_TOOLS '
	m=
	for t in gcc make flex bison bc ccache; do command -v $t >/dev/null || m="$m $t"; done
	test -f /usr/include/gelf.h || m="$m libelf-dev"
	test -f /usr/include/openssl/ssl.h || m="$m libssl-dev"
	test -z "$m" || { echo "kernel build tools missing:$m"; false; }
'
test_lazy_prereq BUSYBOX 'test -x "${REDUCE_BUSYBOX:-/bin/busybox}"' \
	'no static busybox: package busybox-static'
test_lazy_prereq CURL 'command -v curl' 'curl not found: package curl'
test_lazy_prereq REDIS 'command -v redis-server && command -v redis-cli' \
	'redis-server not found: package redis-server'
test_lazy_prereq DISTCC 'command -v distcc && command -v distccd' 'distcc not found: package distcc'
test_lazy_prereq DEBOOTSTRAP 'command -v debootstrap' 'debootstrap not found: package debootstrap'
# The Debian mirror reduce's debootstrap uses, as reduce finds it (this
# release's in the apt sources), answering.
test_lazy_prereq MIRROR '
	release=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release) &&
	mirror=$("$ROOT/rootfs/debian-mirror.sh" "$release") ||
		{ echo "no Debian mirror for ${release:-this release} in the apt sources"; exit 1; }
	curl -sf --max-time 20 -o /dev/null "$mirror/dists/$release/Release" ||
		{ echo "the Debian mirror $mirror does not answer"; exit 1; }
'
# What any real run of reduce needs: a kernel build and QEMU boots of the
# busybox image, tested with curl.
test_prereq_alias BOOT QEMU,KERNEL_SOURCE,KBUILD_TOOLS,BUSYBOX,CURL,PYTHON3
# And a kernel search: the Kconfig helper.
test_prereq_alias KERNEL_SEARCH BOOT,KCONFIGLIB

# --- tests ------------------------------------------------------------------

# Runs body $1 in a subshell in $TRASH, its output in the log $TRASH/.log
# (and on stdout with -v); the status is the body's.
run_body() {
	log="$TRASH/.log"
	if [ -n "$verbose" ]; then
		{ (cd "$TRASH" && eval "$1"); echo $? >"$TRASH/.rc"; } 2>&1 | tee "$log"
		return "$(cat "$TRASH/.rc")"
	fi
	(cd "$TRASH" && eval "$1") >"$log" 2>&1
}

show_log() {
	sed 's/^/#   /' "$TRASH/.log" | tail -40
}

# Before a body whose prerequisites hold: what they need made ready.
prepare_prereqs() {
	if prereq_names "$1" KERNEL_SOURCE; then
		kernel_source_ready >"$TRASH/.log" 2>&1 || { echo "# unpacking the kernel source failed"; return 1; }
	fi
	return 0
}

test_expect_success() {
	run_test test "$@"
}

# A step that prepares what the tests after it use. It is no test: it
# counts neither as passed nor as skipped, and prints a comment. A setup
# that fails is a failure, and stops the file. With missing prerequisites
# it is left out (the tests that need it say so and are skipped).
test_setup() {
	run_test setup "$@"
}

# test_took T0 'what': a comment with the seconds since T0, for a test or
# setup of 10 s or more: tests/run-all.sh lists the slowest, which is
# where the suite's time budget is won or lost.
test_took() {
	_s=$(($(date +%s) - $1))
	[ "$_s" -lt 10 ] || echo "# $_s s: $2"
}

# run_test test|setup [PREREQ] 'what' 'body'
run_test() {
	_kind=$1
	shift
	_prereq=
	if [ $# = 3 ]; then
		_prereq=$1
		shift
	fi
	[ $# = 2 ] || { echo "test-lib: bad test_$_kind: $*" >&2; exit 1; }
	[ "$_kind" = setup ] || test_count=$((test_count + 1))
	if [ -n "$_prereq" ] && ! test_have_prereq "$_prereq"; then
		if [ "$_kind" = setup ]; then
			echo "# setup left out: $1 (missing $prereq_missing)"
		else
			echo "ok $test_count - $1 # SKIP missing $prereq_missing"
		fi
		return 0
	fi
	_t0=$(date +%s)
	if prepare_prereqs "$_prereq" && run_body "$2"; then
		if [ "$_kind" = setup ]; then echo "# setup: $1"; else echo "ok $test_count - $1"; fi
		test_took "$_t0" "$1"
		return 0
	fi
	if [ "$_kind" = setup ]; then
		echo "not ok - setup: $1"
		[ -n "$verbose" ] || show_log
		test_took "$_t0" "$1"
		echo "# the tests after a failed setup are not run"
		exit 1
	fi
	echo "not ok $test_count - $1"
	[ -n "$verbose" ] || show_log
	test_took "$_t0" "$1"
	test_failures=$((test_failures + 1))
}

# --- helpers ----------------------------------------------------------------

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

# A free TCP port on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# No QEMU of this file's is left whose command line names $1 (a path in
# $TRASH, so only this file's own processes can match).
no_qemu_left() {
	case $1 in "$TRASH"/*) ;; *) echo "no_qemu_left: $1 is not in $TRASH"; return 1 ;; esac
	! pgrep -f "qemu-system-x86_64.*$1" >/dev/null
}

# The live processes (zombies are dead) of process group $1, one a line.
live_in_group() {
	for _pid in $(pgrep -g "$1"); do
		_st=$(sed 's/.*) //' "/proc/$_pid/stat" 2>/dev/null | cut -c1)
		if [ -n "$_st" ] && [ "$_st" != Z ]; then echo "$_pid"; fi
	done
	return 0
}

test_done() {
	echo "1..$test_count"
	exit $((test_failures > 0))
}
