#!/usr/bin/env bash
# What a shared compile cache and distcc save a runner that starts empty.
#
# Builds the microvm base (reduce build, as a reduction's baseline builds
# it) in runners that are cache directories with nothing but the kernel
# source, with a redis-server and a distccd of its own on loopback ports
# standing in for remote ones:
#   a  nothing shared (ccache's local directory alone, depend mode)
#   f  the first runner with the remote: compiles and fills it (direct mode)
#   b  a second runner with the remote already filled by f
#   c  distcc to the local distccd (the compilations leave the make)
# Prints seconds, local and remote hits and compilations for each, and
# checks that the four bzImages are byte-identical. About 20 minutes on
# 2 cores (three cold builds).
#
# usage: bench/shared-build.sh [--machine pc|microvm] [--results FILE]
#
# --results FILE also writes the table into section "shared-build" of
# FILE (docs/results.md), with the date, machine and commit; see
# bench/results-lib.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ME=shared-build.sh
. "$ROOT/bench/results-lib.sh"
RESULTS=
machine=pc
while [ $# -gt 0 ]; do
	case $1 in
	--machine)
		[ $# -ge 2 ] || { echo "$ME: --machine needs pc or microvm" >&2; exit 2; }
		case $2 in pc|microvm) machine=$2 ;; *) echo "$ME: unknown machine '$2'" >&2; exit 2 ;; esac
		shift 2 ;;
	--results) [ $# -ge 2 ] || results_file ''; results_file "$2"; shift 2 ;;
	-h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$ME: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
for t in redis-server redis-cli distcc distccd ccache; do
	command -v $t >/dev/null || { echo "$ME: $t not found: run 'make deps'" >&2; exit 2; }
done
reduce=$ROOT/reducer/reduce
[ -x "$reduce" ] || { echo "$ME: $reduce is not built: run make" >&2; exit 2; }
cache=${REDUCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reduce}
src=$cache/linux-source-6.1
[ -f "$src/Makefile" ] || { echo "$ME: no kernel source in $cache: run make demo or make check first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/shared-build.XXXXXX")
mkdir -m 1777 "$work/daemons"
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rp=$(port) dp=$(port)
cleanup() {
	for p in "$work"/daemons/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
redis-server --port "$rp" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
	--pidfile "$work/daemons/redis.pid" --logfile "$work/daemons/redis.log" --dir "$work/daemons"
distccd --daemon --no-detach --log-stderr --allow 127.0.0.1 --listen 127.0.0.1 -p "$dp" --jobs "$(nproc)" \
	</dev/null >/dev/null 2>"$work/daemons/distccd.log" &
echo $! >"$work/daemons/distccd.pid"
listening='import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)'
up=
for _ in $(seq 20); do
	redis-cli -p "$rp" ping 2>/dev/null | grep -q PONG && /usr/bin/python3 -c "$listening" "$dp" 2>/dev/null &&
		{ up=1; break; }
	sleep 0.5
done
[ -n "$up" ] || { echo "$ME: redis-server or distccd did not start (see $work/daemons)" >&2; exit 1; }

num() { sed -n "s/.*\"$2\": \\([0-9.]*\\).*/\\1/p" "$1"; }
rows=$work/rows
: >"$rows"
# build NAME WHAT [VAR=VALUE...]: one runner's build of the base, in a
# cache at the same path each time (as CI runners of one set-up have:
# ccache hashes the build directory's path for what Kbuild compiles
# with -g), moved aside after.
build() {
	name=$1 what=$2
	shift 2
	mkdir "$work/runner"
	ln -s "$(readlink -f "$src")" "$work/runner/linux-source-6.1"
	echo "$ME: $name: $what" >&2
	env -u REDUCE_CCACHE_REMOTE -u REDUCE_DISTCC_HOSTS "$@" REDUCE_CACHE="$work/runner" "$reduce" build \
		--machine "$machine" --out "$work/$name-out" >&2
	mv "$work/runner" "$work/$name"
	j=$work/$name-out/compile.json
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$what" "$(num "$j" seconds)" \
		"$(num "$j" local_cache_hits)" "$(num "$j" remote_cache_hits)" "$(num "$j" compiled)" >>"$rows"
}
remote=REDUCE_CCACHE_REMOTE=redis://127.0.0.1:$rp
build a "nothing shared"
build f "first runner, fills the remote" "$remote"
build b "second runner, remote filled by f" "$remote"
build c "distcc to a local distccd (/$(nproc))" "REDUCE_DISTCC_HOSTS=127.0.0.1:$dp/$(nproc)"
distributed=$(grep -c COMPILE_OK "$work/daemons/distccd.log" || true)
same=yes
for n in f b c; do cmp -s "$work/a-out/bzImage" "$work/$n-out/bzImage" || same="no ($n differs)"; done
sa=$(num "$work/a-out/compile.json" seconds) sb=$(num "$work/b-out/compile.json" seconds)
ratio=$(awk -v a="$sa" -v b="$sb" 'BEGIN { printf "%.2f", b / a }')

body=$work/body
{
	echo "Measured $(results_where), $(ccache --version | head -1), distcc $(distcc --version | awk 'NR==1 { print $2 }'), by \`bench/shared-build.sh --machine $machine\`: the microvm base (machine $machine) built by \`reduce build\` in runners whose caches hold only the kernel source; a redis-server and a distccd on loopback ports stand in for remote ones."
	echo
	echo '| runner | set-up | build s | local hits | remote hits | compiled |'
	echo '|---|---|---|---|---|---|'
	cat "$rows"
	echo
	echo "distccd compiled $distributed of c's compilations. bzImages byte-identical: $same. (b) took $ratio of (a)'s seconds (target: at most 0.25)."
} >"$body"
cat "$body"
[ -z "$RESULTS" ] || results_write shared-build "A shared compile cache and distcc" "$body"
[ "$same" = yes ]
