#!/bin/sh
# Runs every test (C unit tests, then the shell harness tests) and prints
# the closing line "N passed, N failed". Exit 0 only if none failed.
cd "$(dirname "$0")/.." || exit 1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s)
for t in tests/unit/test-search tests/unit/test-cpio tests/unit/test-profile \
	 tests/unit/test-report tests/unit/test-config tests/unit/test-memo tests/unit/test-monotone tests/unit/test-elf tests/unit/test-needs tests/harness/t[0-9]*.sh; do
	echo "# $t"
	case "$t" in
	*.sh) sh "$t" ;;
	*) "$t" ;;
	esac 2>&1 | tee -a "$out"
done
passed=$(grep -c "^ok - " "$out")
failed=$(grep -c "^not ok - " "$out")
echo "# $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
