#!/bin/sh
# The apps of examples/, built here with Debian's tools (musl-gcc,
# umoci: nothing from a registry) into container images and reduced from
# them with no profile: the static C server's files, and the Python
# server's from a whole debootstrap tree, each proven 1-minimal. (Their
# kernel searches are bench/examples.sh's: every costly candidate is a
# near-full build.)
. "$(dirname "$0")/test-lib.sh"
test_lazy_prereq UMOCI 'command -v umoci' 'umoci not found: package umoci'
test_lazy_prereq ROOT 'test "$(id -u)" = 0' 'debootstrap needs root'
test_shares_warm_build
EX="$ROOT/examples"

test_setup UMOCI,MUSL 'the static server built and packed as an OCI image' '
	"$EX/static-server/image.sh" "$TRASH/server-img"
'
# With the suite's REDUCE_TEST_NO_MIN_MEMORY unset: --no-min-memory alone
# skips the search for the least memory.
test_expect_success UMOCI,MUSL,BOOT 'the static server: its image reduced to the files it needs, proven, verified' '
	env -u REDUCE_TEST_NO_MIN_MEMORY "$REDUCE" --image "oci:$TRASH/server-img:v1" --tests "$EX/static-server/test.sh" --accel tcg \
		--only-rootfs --baseline-runs 1 --verify-runs 1 --no-min-memory --out "$TRASH/server-run" 2>err; rc=$?
	tail -4 err; test $rc = 0 &&
	grep -qx /server "$TRASH/server-run/rootfs.manifest" &&
	! grep -q "^/src\|^/usr/share/doc" "$TRASH/server-run/rootfs.manifest" &&
	! grep -q "min memory" err &&
	/usr/bin/python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert r[\"verified\"] and r[\"app\"] == \"server-img-v1\", (r[\"verified\"], r[\"app\"])
f=r[\"rootfs\"]
assert f[\"one_minimal\"] and f[\"files\"][\"after\"] < f[\"files\"][\"before\"], f
assert r[\"memory\"][\"min_memory_mib\"] == {\"before\": -1, \"after\": -1}, r[\"memory\"]
print(\"files\", f[\"files\"], \"total bytes\", r[\"total_bytes\"])
" "$TRASH/server-run/report.json"
'
test_expect_success UMOCI,MUSL 'image.sh: an existing output and a bad command line are refused' '
	expect_exit 2 "exists" "$EX/static-server/image.sh" "$TRASH/server-img" &&
	expect_exit 2 "usage" "$EX/static-server/image.sh"
'

# The Python image is a debootstrap of bookworm (a minute and the
# mirror): kept in the suite's cache under the hash of what makes it.
PY_KEY=$(cat "$EX/python-server/image.sh" "$EX/python-server/server.py" | sha256sum | cut -c1-16)
PY_IMG=$SUITE_CACHE/examples/python-server-$PY_KEY
test_setup UMOCI,DEBOOTSTRAP,MIRROR,ROOT 'the Python server image built (debootstrap, umoci) or taken from the suite cache' '
	if ! test -d "$PY_IMG"; then
		mkdir -p "$SUITE_CACHE/examples" && "$EX/python-server/image.sh" "$PY_IMG"
	fi &&
	ln -s "$PY_IMG" "$TRASH/python-img"
'
test_expect_success UMOCI,DEBOOTSTRAP,MIRROR,ROOT,BOOT 'the Python server: a debootstrap tree reduced to the interpreter, its libraries and the modules it imports, proven, verified' '
	"$REDUCE" --image "oci:$TRASH/python-img:v1" --tests "$EX/python-server/test.sh" --accel tcg \
		--only-rootfs --baseline-runs 1 --verify-runs 1 --no-min-memory --out "$TRASH/py-run" 2>err; rc=$?
	tail -4 err; test $rc = 0 &&
	m="$TRASH/py-run/rootfs.manifest" &&
	for f in /app/server.py /usr/bin/python3.11 /usr/lib/python3.11/socket.py /usr/lib/python3.11/encodings/utf_8.py; do
		grep -qx "$f" "$m" || { echo "$f not kept"; exit 1; }
	done &&
	! grep -q "^/usr/lib/python3.11/email\|^/usr/share/doc\|^/usr/bin/perl\|^/var/lib/dpkg" "$m" &&
	/usr/bin/python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert r[\"verified\"] and r[\"app\"] == \"python-img-v1\", (r[\"verified\"], r[\"app\"])
f=r[\"rootfs\"]
assert f[\"one_minimal\"] and f[\"files\"][\"after\"] * 20 < f[\"files\"][\"before\"], f[\"files\"]
stdlib=[l for l in open(sys.argv[2]) if l.startswith(\"/usr/lib/python3.11/\")]
print(\"files\", f[\"files\"], \"stdlib entries kept\", len(stdlib), \"total bytes\", r[\"total_bytes\"])
assert 0 < len(stdlib) < 60, len(stdlib)
" "$TRASH/py-run/report.json" "$m"
'
test_expect_success UMOCI,ROOT 'python-server/image.sh: an existing output and a bad command line are refused' '
	expect_exit 2 "exists" "$EX/python-server/image.sh" "$TRASH/python-img" &&
	expect_exit 2 "usage" "$EX/python-server/image.sh" a b c
'
test_done
