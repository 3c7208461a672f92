#!/bin/sh
# Builds the static server's container image, an OCI image layout, with
# Debian's tools (musl-gcc, umoci): nothing comes from a registry.
#
# usage: examples/static-server/image.sh DIR [TAG]    (TAG: v1)
#
# The image holds /server (static, musl), an /etc/passwd and /etc/group
# for its user, and what a build folder brings along (a README, the
# source); its config runs `/server 8080` as nobody, port 8080 exposed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 DIR [TAG]" >&2; exit 2; }
out=$1 tag=${2:-v1}
[ ! -e "$out" ] || { echo "image.sh: $out exists" >&2; exit 2; }
for t in musl-gcc umoci; do
	command -v $t >/dev/null || { echo "image.sh: $t not found: run 'make deps'" >&2; exit 2; }
done
# umoci keeps owners only as root; a user's unpack maps them (and its
# repack reads the mapping from the bundle).
rootless=
[ "$(id -u)" = 0 ] || rootless=--rootless
work=$(mktemp -d "${TMPDIR:-/tmp}/static-server.XXXXXX")
# Made beside DIR and renamed into place: DIR is a whole image or absent.
img=$out.tmp.$$
trap 'rm -rf "$work" "$img"' EXIT
umoci init --layout "$img"
umoci new --image "$img:$tag"
umoci unpack $rootless --image "$img:$tag" "$work/bundle"
r=$work/bundle/rootfs
mkdir -p "$r/etc" "$r/usr/share/doc/server" "$r/src"
musl-gcc -static -Os -s -o "$r/server" "$here/server.c"
printf 'root:x:0:0::/:/server\nnobody:x:65534:65534::/:/server\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
cp "$here/server.c" "$r/src/"
echo "The example server of reduce: GET / answers a page." >"$r/usr/share/doc/server/README"
umoci repack --image "$img:$tag" "$work/bundle"
umoci config --image "$img:$tag" --config.entrypoint /server --config.cmd 8080 \
	--config.exposedports 8080/tcp --config.user nobody --config.workingdir /
mv "$img" "$out"
