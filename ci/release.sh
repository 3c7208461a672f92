#!/bin/sh
# The release job of a CI pipeline: a verified minimal image for one
# release of an app, committed to the release history.
#
#   ci/release.sh APP VERSION [HISTORY] [-- reduce release options...]
#
# APP is a profile (profiles/APP.conf) with its tests in tests/APP.sh
# (REDUCE_TESTS overrides); VERSION is the app's version being released;
# HISTORY is the history's path or URL (default reports/history.git; a
# URL is fetched first and pushed after). REDUCE_MAX_GROWTH (percent,
# default 10) fails the job when the image grew more than that since the
# last release. On GitHub Actions the diff against the previous release
# goes to the job summary ($GITHUB_STEP_SUMMARY). The run directory (image,
# configs, reports, logs) is written to $REDUCE_ARTIFACTS/APP-VERSION
# (default artifacts/), for the job to upload; an earlier attempt's is
# replaced. REDUCE_CCACHE_REMOTE and REDUCE_DISTCC_HOSTS, when set, share
# the kernel builds' objects and spread their compilation
# (docs/many-machines.md). ci/github/release-image.yml is a GitHub
# Actions workflow that runs this on a tag push.
#
# Exit status: that of reduce release (0 released; 1 the run failed;
# 2 bad input or the version is already released; 3 grew too much;
# 4 the push was refused: run the job again), or 2 for a bad command line.
set -u
usage() {
	echo "usage: ci/release.sh APP VERSION [HISTORY] [-- reduce release options...]" >&2
	exit 2
}
test $# -ge 2 || usage
app=$1 version=$2
shift 2
history=
if test $# -gt 0 && test "$1" != "--"; then
	history=$1
	shift
fi
if test $# -gt 0; then
	test "$1" = "--" || usage
	shift
fi
# Paths the caller gave are the caller's: made absolute before the cd.
abs() {
	case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac
}
case $history in
'') history=$(cd "$(dirname "$0")/.." && pwd)/reports/history.git ;;
*://*|*@*:*) ;;
*) history=$(abs "$history") ;;
esac
tests=$(abs "${REDUCE_TESTS:-$(dirname "$0")/../tests/$app.sh}")
artifacts=$(abs "${REDUCE_ARTIFACTS:-artifacts}")
cd "$(dirname "$0")/.." || exit 2
test -x "$tests" || { echo "ci/release.sh: no executable test script $tests" >&2; exit 2; }
case $app$version in
*/*|*..*) echo "ci/release.sh: '$app' and '$version' must not hold '/' or '..'" >&2; exit 2 ;;
esac
run=$artifacts/$app-$version
mkdir -p "$artifacts" && rm -rf "$run" || exit 1

# Installs what is missing (as root, on a fresh runner), then builds.
if test "$(id -u)" = 0; then
	rootfs/install-deps.sh --quiet || exit 1
fi
make -s all || exit 1

echo "== release $app $version into $history"
reducer/reduce release --app "$app" --tests "$tests" --version "$version" \
	--history "$history" --max-growth "${REDUCE_MAX_GROWTH:-10}" --out "$run" --quiet "$@"
rc=$?
echo "== releases of $app (exit status $rc; the run directory is $run)"
reducer/reduce log --history "$history" --app "$app" || true
exit $rc
