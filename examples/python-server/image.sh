#!/bin/sh
# Builds the Python server's container image, an OCI image layout, with
# Debian's tools (debootstrap, umoci): nothing comes from a registry.
#
# usage: examples/python-server/image.sh DIR [TAG]    (TAG: v1; needs root)
#
# The image is a debootstrap minbase tree of bookworm with python3-minimal
# (the downloaded packages and apt's lists taken out, as reduce's own
# Debian trees are) and /app/server.py. Its config runs `python3 /app/server.py 8000` as nobody
# in /app, port 8000 exposed. The mirror is the one this machine's apt
# sources name for bookworm (rootfs/debian-mirror.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 DIR [TAG]" >&2; exit 2; }
out=$1 tag=${2:-v1}
[ ! -e "$out" ] || { echo "image.sh: $out exists" >&2; exit 2; }
for t in debootstrap umoci; do
	command -v $t >/dev/null || { echo "image.sh: $t not found: run 'make deps'" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "image.sh: debootstrap needs root" >&2; exit 2; }
mirror=$("$here/../../rootfs/debian-mirror.sh" bookworm) ||
	{ echo "image.sh: no Debian mirror for bookworm in this machine's apt sources" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/python-server.XXXXXX")
# Made beside DIR and renamed into place: DIR is a whole image or absent.
img=$out.tmp.$$
trap 'rm -rf "$work" "$img"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
umoci init --layout "$img"
umoci new --image "$img:$tag"
umoci unpack --image "$img:$tag" "$work/bundle"
r=$work/bundle/rootfs
if ! debootstrap --variant=minbase --include=python3-minimal bookworm "$r" "$mirror" >"$work/log" 2>&1; then
	grep -E "^E:" "$work/log" | head -3 >&2 || tail -3 "$work/log" >&2
	echo "image.sh: debootstrap failed" >&2
	exit 1
fi
rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*
mkdir -p "$r/app"
cp "$here/server.py" "$r/app/"
umoci repack --image "$img:$tag" "$work/bundle"
umoci config --image "$img:$tag" --config.entrypoint /usr/bin/python3 \
	--config.entrypoint /app/server.py --config.cmd 8000 \
	--config.exposedports 8000/tcp --config.user nobody --config.workingdir /app
mv "$img" "$out"
