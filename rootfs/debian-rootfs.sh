#!/bin/sh
# Builds a Debian root filesystem with debootstrap (minbase plus the given
# packages) and writes it as a tar archive, atomically.
# usage: debian-rootfs.sh OUT.tar RELEASE MIRROR PACKAGE...
set -eu
[ $# -ge 4 ] || { echo "usage: $0 OUT.tar RELEASE MIRROR PACKAGE..." >&2; exit 2; }
out=$1 release=$2 mirror=$3
shift 3
tmp=$(mktemp -d "${out}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pkgs=$(echo "$@" | tr ' ' ',')
if ! debootstrap --variant=minbase --include="$pkgs" "$release" "$tmp/root" "$mirror" >"$tmp/log" 2>&1; then
	# debootstrap names unknown packages on a line starting with E:
	grep -E "^E:|Couldn't find" "$tmp/log" | head -3 >&2 || tail -3 "$tmp/log" >&2
	exit 1
fi
# The package caches and lists are not part of any app.
rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*
tar --numeric-owner -C "$tmp/root" -cf "$tmp/out.tar" .
mv "$tmp/out.tar" "$out"
