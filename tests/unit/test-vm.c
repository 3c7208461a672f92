/* What a guest's serial console says of its boot (vm_console_verdict()):
 * the lines are the Linux 6.1 kernel's and init's, most of them copied
 * from real boots of the harness (the rest from the kernel's format
 * strings). A guest out of memory is never a verdict on the candidate,
 * whatever follows on the console. */
#include "unit.h"
#include "vm.h"

#include <string.h>

static enum vm_memory how;
static char said[200];

static enum verdict told(const char *console)
{
	return vm_console_verdict(console, &how, said, sizeof(said));
}

int main(void)
{
	/* A final nginx image (xz, 131 MiB unpacked) at 96 MiB. */
	CHECK(told("Initramfs unpacking failed: XZ decompressor ran out of memory\n"
		   "Kernel panic - not syncing: No working init found.  Try passing init= option to "
		   "kernel. See Linux Documentation/admin-guide/init.rst for guidance.\n"
		   "CPU: 0 PID: 1 Comm: swapper Not tainted 6.1.192 #1 \n") == V_HOST &&
	      how == VM_MEMORY_UNPACK &&
	      !strcmp(said, "Initramfs unpacking failed: XZ decompressor ran out of memory"),
	      "xz out of memory while unpacking: a memory fault, not the panic after it");
	CHECK(told("Initramfs unpacking failed: write error\n"
		   "reduce-init: started\nreduce-init: app exited 1\n") == V_HOST &&
	      how == VM_MEMORY_UNPACK && !strcmp(said, "Initramfs unpacking failed: write error"),
	      "a tmpfs too small for the files: a memory fault, not the app's exit after it");
	/* A busybox app reading /dev/zero at 48 MiB. */
	const char *oom_kill =
		"reduce-init: started\n"
		"Out of memory: Killed process 20 (busybox) total-vm:39532kB, anon-rss:37452kB, "
		"file-rss:4kB, shmem-rss:1344kB, UID:0 pgtables:112kB oom_score_adj:0\n"
		"reduce-init: app exited 137\n";
	CHECK(told(oom_kill) == V_HOST && how == VM_MEMORY_RUN &&
	      !strncmp(said, "Out of memory: Killed process 20 (busybox) total-vm:39532kB", 58) &&
	      !strchr(said, '\n'),
	      "the OOM killer took the app: a memory fault, said in the kernel's one line");
	CHECK(told("reduce-init: started\nreduce-init: ready\n"
		   "Out of memory: Killed process 61 (nginx) total-vm:9000kB, anon-rss:5000kB, "
		   "file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:60kB oom_score_adj:0\n"
		   "reduce-init: app exited 137\n") == V_HOST && how == VM_MEMORY_RUN,
	      "the OOM killer after ready (the tests then fail): a memory fault");
	CHECK(told("Out of memory (oom_kill_allocating_task): Killed process 7 (a) total-vm:1kB\n") ==
	      V_HOST && how == VM_MEMORY_RUN, "oom_kill_allocating_task's kill: a memory fault");
	CHECK(told("Out of memory and no killable processes...\n"
		   "Kernel panic - not syncing: System is deadlocked on memory\n") == V_HOST &&
	      how == VM_MEMORY_RUN && !strcmp(said, "Out of memory and no killable processes..."),
	      "nothing left to kill (without quiet): a memory fault");
	CHECK(told("reduce-init: started\n"
		   "Kernel panic - not syncing: System is deadlocked on memory\n") == V_HOST &&
	      how == VM_MEMORY_RUN &&
	      !strcmp(said, "Kernel panic - not syncing: System is deadlocked on memory"),
	      "deadlocked on memory (the pr_warn before it is hidden by quiet): a memory fault");
	CHECK(told("Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled\n") ==
	      V_HOST && how == VM_MEMORY_RUN, "panic_on_oom: a memory fault");
	CHECK(told("Kernel panic - not syncing: can't allocate buffers\n") == V_HOST &&
	      how == VM_MEMORY_UNPACK, "no buffers to unpack the initramfs: a memory fault");
	CHECK(told("Failed to execute /init (error -12)\n"
		   "Kernel panic - not syncing: No working init found.\n") == V_HOST &&
	      how == VM_MEMORY_RUN, "no memory to start init (ENOMEM): a memory fault");

	CHECK(told("Initramfs unpacking failed: invalid magic at start of compressed archive\n"
		   "Kernel panic - not syncing: No working init found.  Try passing init= option\n") ==
	      V_BOOT && how == VM_MEMORY_OK &&
	      !strcmp(said, "Kernel panic - not syncing: No working init found.  Try passing init= option"),
	      "an image the kernel cannot decode is the candidate's: a panic, a boot verdict");
	CHECK(told("Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n") ==
	      V_BOOT && how == VM_MEMORY_OK, "another panic is a boot verdict, said in its line");
	CHECK(told("reduce-init: started\nreduce-init: app exited 1\n") == V_BOOT && how == VM_MEMORY_OK,
	      "the app exited before it was ready: a boot verdict");
	CHECK(told("reduce-init: started\nreduce-init: ready\n") == V_PASS && how == VM_MEMORY_OK,
	      "init says the app is ready: a pass");
	CHECK(told("") == V_COUNT && told("reduce-init: started\n") == V_COUNT &&
	      told("Out of mem") == V_COUNT,
	      "a console that says nothing yet, or half a line, decides nothing");
	CHECK(told("reduce-init: started\nKernel panic - not syncing: System is deadlocked on mem") ==
	      V_COUNT && told("reduce-init: started\nKernel panic - not syncing: System is deadlocked "
			      "on memory\n") == V_HOST,
	      "half a panic line is no boot verdict yet: its end may say the memory ran out");

	char why[256];
	told(oom_kill);
	vm_console_why(96, how, said, why, sizeof(why));
	CHECK(!strncmp(why, "guest memory 96 MiB is too small for the app (the console says: Out of "
		       "memory: Killed process 20", 87), "the why names the guest memory");
	told("reduce-init: started\nreduce-init: app exited 1\n");
	vm_console_why(96, how, said, why, sizeof(why));
	CHECK(!strcmp(why, "the app exited before it was ready"), "a verdict's why is the console's word");

	CHECK(vm_guest_ms_at_init("reduce-init: started at 1.460064\n") == 1460 &&
	      vm_guest_ms_at_init("reduce-init: started\n") == -1 &&
	      vm_guest_ms_at_init("reduce-init: started at x\n") == -1,
	      "init's uptime at its start is read in ms; an older init's line gives none");

	/* The machines: each its device and kernel form, and pc's memo key
	 * text as it was before there were machines, so that the verdicts
	 * of earlier pc runs still replay. */
	enum vm_machine m;
	CHECK(vm_machine_parse("pc", &m) == 0 && m == VM_PC && vm_machine_parse("microvm", &m) == 0 &&
	      m == VM_MICROVM && vm_machine_parse("q35", &m) < 0 && vm_machine_parse("", &m) < 0,
	      "pc and microvm are machines, q35 is not");
	int port = 80;
	struct vm_config c = { .machine = VM_PC, .kernel = "bzImage", .initrd = "initramfs.cpio.xz",
			       .accel = "tcg", .memory_mb = 64, .guest_ports = &port, .nports = 1 };
	struct strbuf pc = STRBUF_INIT, mv = STRBUF_INIT, d = STRBUF_INIT;
	vm_command_line(&c, &pc);
	c.machine = VM_MICROVM;
	c.kernel = vm_kernel_file(VM_MICROVM);
	vm_command_line(&c, &mv);
	CHECK(strstr(pc.buf, " -M pc ") && strstr(pc.buf, "virtio-net-pci,netdev=n0,romfile=") &&
	      strstr(pc.buf, " -kernel bzImage ") && strstr(pc.buf, " -m 64 ") &&
	      strstr(pc.buf, "hostfwd=tcp:127.0.0.1:8080-:80"),
	      "pc: SeaBIOS's machine, virtio-net over PCI without its option ROM, the bzImage");
	CHECK(strstr(mv.buf, " -M 'microvm,pit=on,pic=on,rtc=on,acpi=off' ") &&
	      strstr(mv.buf, "'virtio-net-device,netdev=n0'") && !strstr(mv.buf, "pci") &&
	      strstr(mv.buf, " -kernel vmlinux "),
	      "microvm: the legacy timers on for TCG, virtio-mmio, no PCI, the vmlinux");
	c.machine = VM_PC;
	vm_describe(&c, &d);
	const char *nl = strchr(d.buf, '\n');
	CHECK(!strncmp(d.buf, "qemu ", 5) && nl &&
	      !strcmp(nl + 1, "machine pc\naccel tcg\nmemory 64\ncmdline console=ttyS0 quiet panic=-1\n"
		      "net user,id=n0,restrict=on\n"),
	      "pc's part of the memo key is the text it was before there were machines");
	d.len = 0;
	c.machine = VM_MICROVM;
	vm_describe(&c, &d);
	CHECK(strstr(d.buf, "\nmachine microvm,pit=on,pic=on,rtc=on,acpi=off\n") != NULL,
	      "microvm's verdicts have a key of their own");
	sb_release(&pc);
	sb_release(&mv);
	sb_release(&d);
	UNIT_EXIT();
}
