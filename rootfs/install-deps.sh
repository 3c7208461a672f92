#!/bin/sh
# Installs from Debian's packages what reduce needs and is missing.
# Quick when everything is there, so make check and make demo call it.
#   install-deps.sh            install what is missing (needs root)
#   install-deps.sh --quiet    the same, silent when nothing is missing
#   install-deps.sh --check [build]
#                              install nothing: print the missing packages
#                              (all of them, or those `make` needs to build)
#                              on one line and exit 1; exit 0 if none
set -e

# What `make` needs to build reduce, its init (musl's: glibc's is 18 times
# larger and gives another image hash) and the tests.
BUILD="build-essential libgit2-dev libjansson-dev libarchive-dev libssl-dev musl-tools"
# What reduce and make check need when they run.
RUN="qemu-system-x86 linux-source-6.1 busybox-static debootstrap python3-kconfiglib ccache
     flex bison bc libelf-dev libssl-dev cpio xz-utils curl redis-tools python3 git umoci
     redis-server distcc"

mode=install quiet=
case ${1-} in
--quiet) quiet=1 ;;
--check) mode=check ;;
'') ;;
*) echo "usage: $0 [--quiet | --check [build]]" >&2; exit 2 ;;
esac
pkgs="$BUILD $RUN"
[ "$mode" = check ] && [ "${2-}" = build ] && pkgs=$BUILD

# One dpkg-query for all: it prints the installed ones, and errors (on
# stderr) for packages it has never heard of.
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
	sed -n 's/ install ok installed$//p') || true
# shellcheck disable=SC2086
installed=" "$(echo $installed)" "
need=
for pkg in $pkgs; do
	case $installed in
	*" $pkg "*) ;;
	*) need="$need $pkg" ;;
	esac
done

if [ "$mode" = check ]; then
	[ -z "$need" ] && exit 0
	echo "${need# }"
	exit 1
fi
if [ -z "$need" ]; then
	[ -n "$quiet" ] || echo "install-deps: everything is installed"
	exit 0
fi
echo "install-deps: installing$need"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install$need (run as root or with sudo)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $need
