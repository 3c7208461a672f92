#!/bin/sh
# --machine microvm: busybox-httpd reduced against QEMU's microvm machine
# (virtio-mmio, no PCI, a PVH vmlinux), its least guest memory searched;
# the image booted by hand at that memory (it serves) and at half of it
# (it does not); the vmlinux is an ELF with the PVH entry note; the
# Firecracker config carries the same figures. t0004 does the same
# reduction for -M pc.
. "$(dirname "$0")/test-lib.sh"
test_shares_warm_build
# microvm's base is pc's with its machine fragment: its build directory
# starts as a copy of pc's, and compiles what the fragment changes.
test_seed_warm_build microvm-base microvm-microvm-base
RUN="$TRASH/run"

test_expect_success KERNEL_SEARCH 'a bounded reduction for microvm, with its least memory, is verified' '
	env -u REDUCE_TEST_NO_MIN_MEMORY "$REDUCE" --app busybox-httpd \
		--tests "$ROOT/tests/busybox-httpd.sh" --machine microvm \
		--strategy linear --max-candidates 1 --baseline-runs 1 --out "$RUN" 2>err; rc=$?; cat err;
	test $rc = 0 && grep -q "\[kernel\] candidate 1" err && grep -q "min memory: final image [0-9]* MiB" err
'
test_expect_success KERNEL_SEARCH 'report.json: the machine, its boot arguments, phases and least memory' '
	/usr/bin/python3 - "$RUN" <<-PY
	import json, sys
	run = sys.argv[1]
	r = json.load(open(run + "/report.json"))
	print(json.dumps({"boot": r["boot"], "memory": r["memory"], "cmd": r["run_command"]}))
	assert r["verified"] is True and r["machine"] == "microvm"
	assert r["boot_args"].startswith("console=ttyS0")
	k = r["kernel"]
	assert {"CONFIG_VIRTIO_MMIO", "CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES", "CONFIG_PVH"} <= set(k["required"])
	assert "CONFIG_VIRTIO_PCI" not in k["required"] and "CONFIG_PCI" not in k["required"]
	cfg = open(run + "/kernel.config").read().splitlines()
	assert "CONFIG_VIRTIO_MMIO=y" in cfg and "CONFIG_PCI=y" not in cfg
	assert 0 < k["vmlinux_bytes"]["after"] <= k["vmlinux_bytes"]["before"] and k["vmlinux_pvh"] is True
	p = r["boot"]["phases_ms"]
	for w in ("before", "after"):
	    parts = [p[x][w] for x in ("firmware_loader", "kernel", "init_to_ready")]
	    assert min(parts) >= 0 and sum(parts) == r["boot"]["ms_to_ready"][w], (w, parts)
	m = r["memory"]
	assert 8 <= m["min_memory_mib"]["after"] < m["profile_mib"], m
	assert 8 <= m["min_memory_mib"]["before"] <= m["profile_mib"], m
	assert "MemTotal=" in m["guest_meminfo"]
	c = r["run_command"]
	assert " -M " in c and "microvm,pit=on,pic=on" in c and " -kernel vmlinux " in c and "virtio-net-device" in c
	assert "pci" not in c and " -m %d " % m["min_memory_mib"]["after"] in c, c
	PY
'
test_expect_success KERNEL_SEARCH 'the vmlinux is a stripped x86-64 ELF with the PVH entry note' '
	test -s "$RUN/bzImage" &&
	/usr/bin/python3 - "$RUN/vmlinux" <<-PY
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	assert d[:4] == b"\x7fELF" and d[4] == 2 and struct.unpack_from("<H", d, 18)[0] == 62
	phoff, = struct.unpack_from("<Q", d, 32)
	phentsize, phnum = struct.unpack_from("<HH", d, 54)
	shoff, = struct.unpack_from("<Q", d, 40)
	shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 58)
	types = [struct.unpack_from("<I", d, shoff + i * shentsize + 4)[0] for i in range(shnum)]
	assert 2 not in types, "a symbol table is left: not stripped"
	found = False
	for i in range(phnum):
	    typ, = struct.unpack_from("<I", d, phoff + i * phentsize)
	    off, = struct.unpack_from("<Q", d, phoff + i * phentsize + 8)
	    size, = struct.unpack_from("<Q", d, phoff + i * phentsize + 32)
	    p, end = off, off + size
	    while typ == 4 and p + 12 <= end:
	        namesz, descsz, ntype = struct.unpack_from("<III", d, p)
	        name = d[p + 12:p + 12 + namesz].rstrip(b"\0")
	        # XEN_ELFNOTE_PHYS32_ENTRY: where a PVH loader enters the kernel
	        found |= name == b"Xen" and ntype == 18
	        p += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
	assert found, "no Xen PHYS32_ENTRY note"
	PY
'
# Boots run_command by hand with its memory replaced by $1 MiB; passes if
# the page is served within $2 half-seconds.
serves_at() {
	port=$(free_port) &&
	cmd=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"run_command\"])" "$RUN/report.json") &&
	cmd=$(echo "$cmd" | sed "s/127.0.0.1:8080-/127.0.0.1:$port-/; s/ -m [0-9]* / -m $1 /") &&
	(cd "$RUN" && eval "setsid $cmd" </dev/null >"$OLDPWD/console-$1.txt" 2>&1 &) &&
	ok=; for i in $(seq 1 "$2"); do
		if curl -s --max-time 2 "http://127.0.0.1:$port/" | grep -q "reduce: hello from busybox httpd"; then ok=1; break; fi
		# A guest that died (panic=-1 ends QEMU) serves nothing later.
		pgrep -f "qemu-system-x86_64.*127.0.0.1:$port-" >/dev/null || break
		sleep 0.5
	done;
	pkill -f "qemu-system-x86_64.*127.0.0.1:$port-"
	tail -n 5 "console-$1.txt"
	test -n "$ok"
}
test_expect_success KERNEL_SEARCH 'booted by hand at its least memory, the image serves the page' '
	mib=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"memory\"][\"min_memory_mib\"][\"after\"])" "$RUN/report.json") &&
	serves_at "$mib" 120
'
test_expect_success KERNEL_SEARCH 'and at half of it, it does not: the guest never gets ready' '
	mib=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"memory\"][\"min_memory_mib\"][\"after\"])" "$RUN/report.json") &&
	! serves_at $((mib / 2)) 40 &&
	test -f "console-$((mib / 2)).txt" && ! grep -q "reduce-init: ready" "console-$((mib / 2)).txt"
'
test_expect_success KERNEL_SEARCH 'firecracker.json boots the same vmlinux and initramfs in the same memory' '
	/usr/bin/python3 - "$RUN" <<-PY
	import json, sys
	run = sys.argv[1]
	r = json.load(open(run + "/report.json"))
	f = json.load(open(run + "/firecracker.json"))
	b = f["boot-source"]
	assert b["kernel_image_path"] == "vmlinux" and b["initrd_path"] == "initramfs.cpio.xz"
	assert b["boot_args"].startswith(r["boot_args"])
	assert f["machine-config"]["mem_size_mib"] == r["memory"]["min_memory_mib"]["after"]
	PY
'
test_done
