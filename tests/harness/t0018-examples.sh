#!/bin/sh
# The apps of examples/, built here with Debian's tools (musl-gcc,
# umoci: nothing from a registry) into container images and reduced from
# them with no profile: the static C server's files, proven 1-minimal.
# (Its kernel search is bench/examples.sh's: a static program predicts
# no option, and every costly candidate is a near-full build.)
. "$(dirname "$0")/test-lib.sh"
test_lazy_prereq UMOCI 'command -v umoci' 'umoci not found: package umoci'
test_shares_warm_build
EX="$ROOT/examples"

test_setup UMOCI,MUSL 'the static server built and packed as an OCI image' '
	"$EX/static-server/image.sh" "$TRASH/server-img"
'
test_expect_success UMOCI,MUSL,BOOT 'the static server: its image reduced to the files it needs, proven, verified' '
	"$REDUCE" --image "oci:$TRASH/server-img:v1" --tests "$EX/static-server/test.sh" --accel tcg \
		--only-rootfs --baseline-runs 1 --verify-runs 1 --no-min-memory --out "$TRASH/server-run" 2>err; rc=$?
	tail -4 err; test $rc = 0 &&
	grep -qx /server "$TRASH/server-run/rootfs.manifest" &&
	! grep -q "^/src\|^/usr/share/doc" "$TRASH/server-run/rootfs.manifest" &&
	/usr/bin/python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert r[\"verified\"] and r[\"app\"] == \"server-img-v1\", (r[\"verified\"], r[\"app\"])
f=r[\"rootfs\"]
assert f[\"one_minimal\"] and f[\"files\"][\"after\"] < f[\"files\"][\"before\"], f
print(\"files\", f[\"files\"], \"total bytes\", r[\"total_bytes\"])
" "$TRASH/server-run/report.json"
'
test_expect_success UMOCI,MUSL 'image.sh: an existing output and a bad command line are refused' '
	expect_exit 2 "exists" "$EX/static-server/image.sh" "$TRASH/server-img" &&
	expect_exit 2 "usage" "$EX/static-server/image.sh"
'
test_done
