#!/bin/sh
# Installs from Debian's packages what reduce needs and is missing.
# Quick when everything is there, so every make target can call it.
set -e
quiet=
[ "$1" = "--quiet" ] && quiet=1

need=
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in qemu-system-x86 linux-source-6.1 busybox-static debootstrap libgit2-dev \
           python3-kconfiglib ccache build-essential flex bison bc libelf-dev libssl-dev \
           cpio xz-utils curl musl-tools redis-tools python3; do
	have_pkg "$pkg" || need="$need $pkg"
done
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
