#!/bin/sh
# The Kconfig helper on the real Linux 6.1 tree: which options a user can
# turn off, and what turning them off forces off too.
. "$(dirname "$0")/test-lib.sh"
# The kernel source is the shared cache's (KERNEL_SOURCE unpacks it there
# once if it is not yet).
SRC="$TEST_CACHE/$KERNEL_SOURCE"
HELPER="$ROOT/reducer/kconfig_helper.py"
test_prereq_alias KTREE KERNEL_SOURCE,KBUILD_TOOLS,KCONFIGLIB,PYTHON3

test_expect_success KTREE 'the helper parses Linux 6.1 (modules attribute bridged) and lists a tree' '
	mkdir -p kb && make -s -C "$SRC" O="$TRASH/kb" tinyconfig >/dev/null 2>&1 &&
	cat "$ROOT/kernel-configs/microvm.config" >>kb/.config &&
	make -s -C "$SRC" O="$TRASH/kb" olddefconfig >/dev/null 2>&1 &&
	printf "tree\nquit\n" | /usr/bin/python3 "$HELPER" "$SRC" kb/.config >tree &&
	head -1 tree | grep -qx ready &&
	tail -1 tree | grep -qx end &&
	n=$(grep -c "^node [0-9]* [-0-9]* 0 " tree) &&
	echo "$n candidates" && test "$n" -gt 100
'
test_expect_success KTREE 'selected symbols and symbols without a prompt are not candidates' '
	! grep -q " 0 [0-9]* X86_64$" tree &&
	! grep -q " 0 [0-9]* CC_IS_GCC$" tree &&
	grep -q " 0 [0-9]* INET$" tree && grep -q " 0 [0-9]* PACKET$" tree
'
test_expect_success KTREE 'turning INET off forces IPv6 off; the hash tells configs apart' '
	printf "resolve %s\nresolve %s INET\nresolve %s INET\nquit\n" \
		"$TRASH/base.config" "$TRASH/noinet.config" "$TRASH/noinet2.config" |
		/usr/bin/python3 "$HELPER" "$SRC" kb/.config >out &&
	grep -q "^CONFIG_IPV6=y" base.config &&
	grep -q "^# CONFIG_INET is not set" noinet.config &&
	! grep -q "^CONFIG_IPV6=y" noinet.config &&
	h0=$(sed -n 2p out | cut -d" " -f3) && h1=$(sed -n 3p out | cut -d" " -f3) &&
	h2=$(sed -n 4p out | cut -d" " -f3) &&
	test "$h0" != "$h1" && test "$h1" = "$h2" &&
	e0=$(sed -n 2p out | cut -d" " -f2) && e1=$(sed -n 3p out | cut -d" " -f2) &&
	test "$e1" -lt "$((e0 - 1))" && ! test -e noinet.config.old
'
test_expect_success KTREE 'an unknown symbol is an error answer, not a crash' '
	printf "resolve %s NO_SUCH_SYMBOL\nresolve %s\nquit\n" "$TRASH/x" "$TRASH/y" |
		/usr/bin/python3 "$HELPER" "$SRC" kb/.config >out2 &&
	sed -n 2p out2 | grep -q "^error unknown symbol NO_SUCH_SYMBOL" &&
	sed -n 3p out2 | grep -q "^ok "
'
test_done
