#define _GNU_SOURCE
#include "vm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Under KVM, QEMU's microvm leaves out the legacy PIT and PIC (kvmclock
 * stands in); under TCG there is no kvmclock, and without them the kernel
 * finds nothing to calibrate its timer with and hangs: they stay on. The
 * virtio-mmio devices reach the kernel on its command line
 * (auto-kernel-cmdline, VIRTIO_MMIO_CMDLINE_DEVICES), not through ACPI. */
static const struct {
	const char *name, *qemu_machine, *net_device, *kernel_file, *boot_args;
} machines[] = {
	[VM_PC] = { "pc", "pc", "virtio-net-pci,netdev=n0,romfile=", "bzImage",
		    "console=ttyS0 quiet panic=-1" },
	[VM_MICROVM] = { "microvm", "microvm,pit=on,pic=on,rtc=on,acpi=off",
			 "virtio-net-device,netdev=n0", "vmlinux",
			 "console=ttyS0 quiet panic=-1" },
};

int vm_machine_parse(const char *name, enum vm_machine *m)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(*machines); i++)
		if (!strcmp(name, machines[i].name)) {
			*m = (enum vm_machine)i;
			return 0;
		}
	return -1;
}

const char *vm_machine_name(enum vm_machine m)
{
	return machines[m].name;
}

const char *vm_kernel_file(enum vm_machine m)
{
	return machines[m].kernel_file;
}

const char *vm_boot_args(enum vm_machine m)
{
	return machines[m].boot_args;
}

/* The guest is untrusted code: restrict=on cuts it off from the host and
 * beyond, but for the forwarded ports (which listen on 127.0.0.1 only),
 * unless the profile says the app needs to reach out. */
static const char *net_options(const struct vm_config *c)
{
	return c->outbound ? "user,id=n0" : "user,id=n0,restrict=on";
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	close(s);
	return ntohs(a.sin_port);
}

/* Fault injection for the tests (as git's GIT_TEST_* variables):
 * REDUCE_TEST_STEAL_PORT=N,M,... makes the Nth, Mth... QEMU start of this
 * process find its forwarded port taken, as when another program binds it
 * between our check and QEMU's bind. Returns the socket holding it. */
static int steal_port(int port)
{
	static int starts;
	const char *list = getenv("REDUCE_TEST_STEAL_PORT");
	starts++;
	if (!list || port < 0)
		return -1;
	int hit = 0;
	for (char *p = (char *)list, *end; *p; p = end + strspn(end, ",")) {
		hit |= strtol(p, &end, 10) == starts;
		if (end == p)
			break;
	}
	if (!hit)
		return -1;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (s >= 0 && (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0)) {
		close(s);
		s = -1;
	}
	return s;
}

static void build_argv(const struct vm_config *c, const int *host_ports, int for_user,
		       struct strvec *av)
{
	sv_push(av, "qemu-system-x86_64");
	sv_push(av, "-M");
	sv_push(av, machines[c->machine].qemu_machine);
	sv_push(av, "-accel");
	sv_push(av, c->accel);
	sv_push(av, "-m");
	sv_pushf(av, "%d", c->memory_mb);
	sv_push(av, "-smp");
	sv_push(av, "1");
	/* No default devices: no VGA or floppy to initialise. */
	sv_push(av, "-nodefaults");
	sv_push(av, "-no-user-config");
	sv_push(av, "-display");
	sv_push(av, "none");
	sv_push(av, "-no-reboot");
	sv_push(av, "-kernel");
	sv_push(av, c->kernel);
	sv_push(av, "-initrd");
	sv_push(av, c->initrd);
	sv_push(av, "-append");
	sv_push(av, machines[c->machine].boot_args);
	sv_push(av, "-serial");
	if (for_user)
		sv_push(av, "stdio");
	else
		sv_pushf(av, "file:%s", c->console_log);
	struct strbuf net = STRBUF_INIT;
	sb_adds(&net, net_options(c));
	for (int i = 0; i < c->nports; i++)
		sb_addf(&net, ",hostfwd=tcp:127.0.0.1:%d-:%d", host_ports[i], c->guest_ports[i]);
	sv_push(av, "-netdev");
	sv_push(av, net.buf);
	sb_release(&net);
	sv_push(av, "-device");
	/* romfile= skips the iPXE option ROM that SeaBIOS would run first. */
	sv_push(av, machines[c->machine].net_device);
}

void vm_command_line(const struct vm_config *c, struct strbuf *out)
{
	struct strvec av = STRVEC_INIT;
	int ports[VM_MAX_PORTS];
	for (int i = 0; i < c->nports; i++)
		ports[i] = c->guest_ports[i] < 1024 ? c->guest_ports[i] + 8000 : c->guest_ports[i];
	build_argv(c, ports, 1, &av);
	for (size_t i = 0; i < av.n; i++) {
		if (i)
			sb_adds(out, " ");
		if (strpbrk(av.v[i], " =,'\"$")) {
			sb_adds(out, "'");
			sb_adds(out, av.v[i]);
			sb_adds(out, "'");
		} else {
			sb_adds(out, av.v[i]);
		}
	}
	sv_clear(&av);
}

/* QEMU ends by itself with status 0 when the guest powers off or, with
 * -no-reboot, reboots (a panic with panic=-1): the guest's doing. Any
 * other end is QEMU's or the host's: it could not bind a forwarded port,
 * could not open a file, or was killed by someone other than us. */
static enum verdict qemu_exit(const struct vm_config *c, int status, enum vm_memory *memory,
			      char *why, size_t n)
{
	*memory = VM_MEMORY_OK;
	if (interrupted)
		return V_ABORT;
	struct strbuf log = STRBUF_INIT;
	read_file(c->qemu_log, &log);
	/* hw/i386/x86.c: the initrd does not fit below the guest's memory
	 * top. QEMU's refusal, but the memory's fault, not the host's. */
	if (log.buf && strstr(log.buf, "initrd is too large")) {
		*memory = VM_MEMORY_UNPACK;
		snprintf(why, n, "guest memory %d MiB is too small to load the initramfs (QEMU: initrd is "
			 "too large)", c->memory_mb);
		sb_release(&log);
		return V_HOST;
	}
	/* QEMU ends with status 0 on SIGTERM or SIGHUP too, and says so. */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    !(log.buf && strstr(log.buf, "terminating on signal"))) {
		sb_release(&log);
		snprintf(why, n, "QEMU exited before the app was ready");
		return V_BOOT;
	}
	char *last = log.buf ? log.buf : "";
	size_t len = log.len;
	while (len && log.buf[len - 1] == '\n')
		log.buf[--len] = '\0';
	if (len && strrchr(last, '\n'))
		last = strrchr(last, '\n') + 1;
	if (WIFSIGNALED(status))
		snprintf(why, n, "QEMU was killed by signal %d (not by reduce)", WTERMSIG(status));
	else if (WEXITSTATUS(status) == 0)
		snprintf(why, n, "QEMU was stopped by a signal (not by reduce): %.160s", last);
	else
		snprintf(why, n, "QEMU failed with status %d%s%.200s", WEXITSTATUS(status),
			 *last ? ": " : "", last);
	sb_release(&log);
	return V_HOST;
}

/* The kernel's words (Linux 6.1) for a guest out of memory, matched
 * before anything else on the console: a guest out of memory goes on to
 * panic ("No working init found" after its initramfs did not unpack), or
 * loses its app, and neither is the candidate's doing. Under "quiet" the
 * console shows messages of KERN_ERR and above: pr_warn lines are here in
 * case a command line shows them. */
static const struct {
	const char *text;
	enum vm_memory how;
} out_of_memory[] = {
	/* init/initramfs.c: the unpacked files do not fit in the tmpfs (or
	 * ramfs) they go to; lib/decompress_unxz.c: no memory for the
	 * decoder's dictionary. (Other unpacking errors, such as a format
	 * the kernel cannot decode, are the candidate's.) */
	{ "Initramfs unpacking failed: write error", VM_MEMORY_UNPACK },
	{ "Initramfs unpacking failed: XZ decompressor ran out of memory", VM_MEMORY_UNPACK },
	/* init/initramfs.c: panic_show_mem("can't allocate ...") */
	{ "Kernel panic - not syncing: can't allocate", VM_MEMORY_UNPACK },
	/* mm/oom_kill.c: the OOM killer killed a process (the app, as a
	 * rule), found none to kill, or panicked (panic_on_oom); init/main.c:
	 * no memory to start init (-ENOMEM). */
	{ "Out of memory: Killed process", VM_MEMORY_RUN },
	{ "Out of memory (oom_kill_allocating_task): Killed process", VM_MEMORY_RUN },
	{ "Out of memory and no killable processes", VM_MEMORY_RUN },
	{ "Kernel panic - not syncing: System is deadlocked on memory", VM_MEMORY_RUN },
	{ "Kernel panic - not syncing: Out of memory", VM_MEMORY_RUN },
	{ "Failed to execute /init (error -12)", VM_MEMORY_RUN },
};

/* Where the console says text, once the line that says it has ended:
 * the console is read while it is written, and half a line can say more
 * than it will ("Kernel panic - not syncing: " is not yet a verdict when
 * the rest is "System is deadlocked on memory"). */
static const char *says(const char *console, const char *text)
{
	const char *p = strstr(console, text);
	return p && strchr(p, '\n') ? p : NULL;
}

/* The console's line at p, without its end, for the user. */
static void line_at(const char *console, const char *p, char *out, size_t n)
{
	while (p > console && p[-1] != '\n')
		p--;
	size_t len = strcspn(p, "\r\n");
	snprintf(out, n, "%.*s", (int)len, p);
}

long vm_guest_ms_at_init(const char *line)
{
	static const char at[] = "reduce-init: started at ";
	if (strncmp(line, at, sizeof(at) - 1))
		return -1;
	char *end;
	double s = strtod(line + sizeof(at) - 1, &end);
	return end > line + sizeof(at) - 1 && s >= 0 && s < 86400 ? (long)(s * 1000 + 0.5) : -1;
}

enum verdict vm_console_verdict(const char *console, enum vm_memory *memory, char *said, size_t n)
{
	const char *p;
	*memory = VM_MEMORY_OK;
	for (size_t i = 0; i < sizeof(out_of_memory) / sizeof(out_of_memory[0]); i++)
		if ((p = says(console, out_of_memory[i].text))) {
			*memory = out_of_memory[i].how;
			line_at(console, p, said, n);
			return V_HOST;
		}
	if (says(console, "reduce-init: ready")) {
		snprintf(said, n, "the app is ready");
		return V_PASS;
	}
	if (says(console, "reduce-init: app exited")) {
		snprintf(said, n, "the app exited before it was ready");
		return V_BOOT;
	}
	if ((p = says(console, "Kernel panic"))) {
		line_at(console, p, said, n);
		return V_BOOT;
	}
	return V_COUNT;
}

void vm_console_why(int memory_mb, enum vm_memory memory, const char *said, char *why, size_t n)
{
	if (memory)
		snprintf(why, n, "guest memory %d MiB is too small %s (the console says: %.160s)", memory_mb,
			 memory == VM_MEMORY_UNPACK ? "to unpack the initramfs" : "for the app", said);
	else
		snprintf(why, n, "%s", said);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

enum verdict vm_boot(const struct vm_config *c, struct vm *vm, int timeout_ms)
{
	struct strvec av = STRVEC_INIT;
	memset(vm, 0, sizeof(*vm));
	vm->ms_to_init = vm->ms_to_ready = vm->guest_ms_at_init = -1;
	for (int i = 0; i < c->nports && i < VM_MAX_PORTS; i++)
		if ((vm->host_ports[i] = free_port()) < 0) {
			snprintf(vm->why, sizeof(vm->why), "no free port on 127.0.0.1: %s", strerror(errno));
			return V_HOST;
		}
	build_argv(c, vm->host_ports, 0, &av);
	unlink(c->console_log);
	unlink(c->qemu_log);
	vm->cp.argv = (const char *const *)av.v;
	vm->cp.out_path = c->qemu_log;
	vm->t_start = now_ms();
	int thief = steal_port(c->nports ? vm->host_ports[0] : -1);
	int started = child_start(&vm->cp);
	sv_clear(&av);
	if (started < 0) {
		if (thief >= 0)
			close(thief);
		snprintf(vm->why, sizeof(vm->why), "cannot start qemu-system-x86_64: %s", strerror(errno));
		return V_HOST;
	}

	/* QEMU writes the serial console to a file, so a guest that prints a
	 * lot never blocks on us; we follow the file for init's markers. */
	struct strbuf con = STRBUF_INIT;
	int fd = -1;
	enum verdict v = V_TIMEOUT;
	uint64_t deadline = vm->t_start + timeout_ms;
	for (;;) {
		if (interrupted) {
			v = V_ABORT;
			break;
		}
		/* Whether QEMU has ended is asked before the console is read:
		 * then all it wrote is there to read. */
		int status, exited = waitpid(vm->cp.pid, &status, WNOHANG) == vm->cp.pid;
		if (fd < 0)
			fd = open(c->console_log, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			char buf[4096];
			ssize_t n;
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				sb_add(&con, buf, n);
		}
		/* The console of a guest that ended has said all it will. */
		if (exited)
			sb_adds(&con, "\n");
		uint64_t t = now_ms();
		const char *st;
		if (con.buf && vm->ms_to_init < 0 && (st = says(con.buf, "reduce-init: started"))) {
			vm->ms_to_init = t - vm->t_start;
			vm->guest_ms_at_init = vm_guest_ms_at_init(st);
		}
		enum verdict told = con.buf ? vm_console_verdict(con.buf, &vm->memory_fault, vm->said,
								 sizeof(vm->said)) : V_COUNT;
		if (exited) {
			child_forget(&vm->cp);
			enum vm_memory qm;
			v = qemu_exit(c, status, &qm, vm->why, sizeof(vm->why));
			/* Only an end that was the guest's lets its console
			 * speak: QEMU killed from outside is the host's. */
			if (v != V_BOOT || told == V_COUNT) {
				vm->memory_fault = qm;
				if (qm)
					snprintf(vm->said, sizeof(vm->said), "nothing: QEMU refused to "
						 "start, initrd too large for the memory");
				break;
			}
		}
		if (told != V_COUNT) {
			v = told;
			if (v == V_PASS)
				vm->ms_to_ready = t - vm->t_start;
			else
				vm_console_why(c->memory_mb, vm->memory_fault, vm->said, vm->why,
					       sizeof(vm->why));
			break;
		}
		if (t >= deadline) {
			snprintf(vm->why, sizeof(vm->why), "%s within %d ms",
				 vm->ms_to_init < 0 ? "init did not start" : "the app was not ready",
				 timeout_ms);
			break;
		}
		sleep_ms(5);
	}
	if (fd >= 0)
		close(fd);
	if (thief >= 0)
		close(thief);
	sb_release(&con);
	if (v != V_PASS)
		vm_stop(vm);
	return v;
}

enum verdict vm_check(const struct vm_config *c, struct vm *vm)
{
	int status;
	if (vm->cp.pid <= 0 || waitpid(vm->cp.pid, &status, WNOHANG) != vm->cp.pid)
		return V_PASS;
	child_forget(&vm->cp);
	enum vm_memory qm;
	return qemu_exit(c, status, &qm, vm->why, sizeof(vm->why));
}

/* The guest's console may hold any bytes, NULs too. */
static int count_lines_starting(const char *text, size_t len, const char *marker)
{
	int n = 0;
	size_t m = strlen(marker);
	const char *end = text + len, *nl;
	for (const char *p = text; p < end && (nl = memchr(p, '\n', end - p)); p = nl + 1)
		n += (size_t)(nl - p) >= m && !memcmp(p, marker, m);
	return n;
}

int vm_await_marker(const struct vm_config *c, struct vm *vm, const char *marker, int more,
		    int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	int want = -1;
	for (;;) {
		struct strbuf con = STRBUF_INIT;
		read_file(c->console_log, &con);
		int n = con.buf ? count_lines_starting(con.buf, con.len, marker) : 0;
		sb_release(&con);
		if (want < 0)
			want = n + more;
		if (n >= want)
			return 0;
		/* Whether QEMU ended, without reaping it: vm_stop() and
		 * vm_check() still own it. */
		siginfo_t si = { 0 };
		if (interrupted || now_ms() >= deadline || vm->cp.pid <= 0 ||
		    waitid(P_PID, vm->cp.pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid)
			return -1;
		sleep_ms(50);
	}
}

const char *vm_qemu_version(void)
{
	static char *version;
	if (version)
		return version;
	/* Its first line, e.g. "QEMU emulator version 7.2.x (Debian ...)". */
	const char *argv[] = { "qemu-system-x86_64", "--version", NULL };
	struct child_process cp = { .argv = argv, .timeout_ms = 20000 };
	version = child_first_line(&cp);
	if (!version)
		die("cannot run qemu-system-x86_64 --version: the memo's verdicts name QEMU's version");
	return version;
}

void vm_describe(const struct vm_config *c, struct strbuf *out)
{
	sb_addf(out, "qemu %s\nmachine %s\naccel %s\nmemory %d\ncmdline %s\nnet %s\n",
		vm_qemu_version(), machines[c->machine].qemu_machine, c->accel, c->memory_mb,
		machines[c->machine].boot_args, net_options(c));
}

void vm_stop(struct vm *vm)
{
	child_kill(&vm->cp);
}

int vm_kvm_works(const struct vm_config *c)
{
	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return 0;
	struct strbuf boot_id = STRBUF_INIT;
	char *cache = NULL;
	if (read_file("/proc/sys/kernel/random/boot_id", &boot_id) == 0 && boot_id.len > 8) {
		boot_id.buf[strcspn(boot_id.buf, "\n")] = '\0';
		cache = xasprintf("%s/kvm-probe.%s", cache_dir(), boot_id.buf);
		struct strbuf ans = STRBUF_INIT;
		if (read_file(cache, &ans) == 0 && ans.len) {
			int ok = ans.buf[0] == '1';
			sb_release(&ans);
			sb_release(&boot_id);
			free(cache);
			return ok;
		}
		sb_release(&ans);
	}
	sb_release(&boot_id);
	/* /dev/kvm can exist while guests hang (nested virtualisation without
	 * vmx/svm): only a real boot tells. */
	struct vm_config kc = *c;
	struct vm vm;
	kc.accel = "kvm";
	enum verdict v = vm_boot(&kc, &vm, 20000);
	int ok = v == V_PASS;
	if (ok)
		vm_stop(&vm);
	/* Only a probe that ran its course tells: one cut short by Ctrl-C or
	 * a host fault must not stand for the rest of the host's boot. */
	if (cache && (v == V_PASS || v == V_BOOT || v == V_TIMEOUT))
		write_file_atomic(cache, ok ? "1\n" : "0\n", 2);
	free(cache);
	return ok;
}
