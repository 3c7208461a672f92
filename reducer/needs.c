#include "needs.h"
#include "elf.h"

#include <string.h>

/* C library functions whose system calls a Kconfig option compiles out
 * (kernel/sys_ni.c's COND_SYSCALLs and the files those options build).
 * Only what a failing call would break: glibc's pthread_once and its
 * locks abort ("The futex facility returned an unexpected error code")
 * when futex is missing, so they mean FUTEX. */
static const struct {
	const char *func, *option;
	/* A library's import counts too: it is reached by any use of the
	 * library (its locks and once-initialisations, its sockets, the
	 * event loop it is). Other imports of a library are features it
	 * offers that a program may never call (libcrypto imports shmget
	 * for a secure heap nginx never sets up), and a wrong prediction
	 * costs a kernel build of its own. */
	int from_library;
} gates[] = {
	{ "setuid", "MULTIUSER", 0 }, { "setgid", "MULTIUSER", 0 },
	{ "seteuid", "MULTIUSER", 0 }, { "setegid", "MULTIUSER", 0 },
	{ "setreuid", "MULTIUSER", 0 }, { "setregid", "MULTIUSER", 0 },
	{ "setresuid", "MULTIUSER", 0 }, { "setresgid", "MULTIUSER", 0 },
	{ "getresuid", "MULTIUSER", 0 }, { "getresgid", "MULTIUSER", 0 },
	{ "setfsuid", "MULTIUSER", 0 }, { "setfsgid", "MULTIUSER", 0 },
	{ "setgroups", "MULTIUSER", 0 }, { "getgroups", "MULTIUSER", 0 },
	{ "initgroups", "MULTIUSER", 0 }, { "capget", "MULTIUSER", 0 }, { "capset", "MULTIUSER", 0 },

	{ "pthread_once", "FUTEX", 1 }, { "pthread_join", "FUTEX", 1 },
	{ "pthread_mutex_lock", "FUTEX", 1 }, { "pthread_mutex_timedlock", "FUTEX", 1 },
	{ "pthread_cond_wait", "FUTEX", 1 }, { "pthread_cond_timedwait", "FUTEX", 1 },
	{ "pthread_cond_signal", "FUTEX", 1 }, { "pthread_cond_broadcast", "FUTEX", 1 },
	{ "pthread_rwlock_rdlock", "FUTEX", 1 }, { "pthread_rwlock_wrlock", "FUTEX", 1 },
	{ "pthread_barrier_wait", "FUTEX", 1 },
	{ "sem_wait", "FUTEX", 1 }, { "sem_timedwait", "FUTEX", 1 }, { "sem_post", "FUTEX", 1 },

	{ "epoll_create", "EPOLL", 1 }, { "epoll_create1", "EPOLL", 1 },
	{ "epoll_ctl", "EPOLL", 1 }, { "epoll_wait", "EPOLL", 1 }, { "epoll_pwait", "EPOLL", 1 },
	{ "eventfd", "EVENTFD", 0 }, { "eventfd_read", "EVENTFD", 0 }, { "eventfd_write", "EVENTFD", 0 },
	{ "signalfd", "SIGNALFD", 0 },
	{ "timerfd_create", "TIMERFD", 0 }, { "timerfd_settime", "TIMERFD", 0 },
	{ "inotify_init", "INOTIFY_USER", 0 }, { "inotify_init1", "INOTIFY_USER", 0 },
	{ "inotify_add_watch", "INOTIFY_USER", 0 },
	{ "fanotify_init", "FANOTIFY", 0 },
	{ "io_uring_setup", "IO_URING", 0 },
	{ "timer_create", "POSIX_TIMERS", 0 }, { "timer_settime", "POSIX_TIMERS", 0 },
	{ "shmget", "SYSVIPC", 0 }, { "semget", "SYSVIPC", 0 }, { "msgget", "SYSVIPC", 0 },
	{ "mq_open", "POSIX_MQUEUE", 0 },
	{ "flock", "FILE_LOCKING", 0 },
	{ "name_to_handle_at", "FHANDLE", 0 }, { "open_by_handle_at", "FHANDLE", 0 },
	{ "process_vm_readv", "CROSS_MEMORY_ATTACH", 0 }, { "process_vm_writev", "CROSS_MEMORY_ATTACH", 0 },
	{ "membarrier", "MEMBARRIER", 0 },
	{ "socket", "NET", 1 },
	/* Linux makes socket pairs of Unix sockets only (nginx's channels
	 * between master and workers are such pairs). */
	{ "socketpair", "NET", 1 }, { "socketpair", "UNIX", 1 },
};

int needs_of_file(const char *host_path, struct strvec *opts)
{
	struct strvec imports = STRVEC_INIT;
	int program;
	int ret = elf_imports(host_path, &imports, &program);
	if (ret == 1) {
		sv_push_unique(opts, "64BIT");
		sv_push_unique(opts, "BINFMT_ELF");
		for (size_t i = 0; i < imports.n; i++)
			for (size_t k = 0; k < sizeof(gates) / sizeof(gates[0]); k++)
				if (!strcmp(imports.v[i], gates[k].func) &&
				    (program || gates[k].from_library))
					sv_push_unique(opts, gates[k].option);
	}
	sv_clear(&imports);
	return ret;
}

void needs_of_machine(enum vm_machine m, struct strvec *opts)
{
	static const char *const pc[] = {
		/* virtio-net-pci */
		"PCI", "VIRTIO_PCI", NULL
	};
	static const char *const microvm[] = {
		/* virtio-net-device on the MMIO bus QEMU names on the kernel's
		 * command line; the kernel entered as a PVH vmlinux */
		"VIRTIO_MMIO", "VIRTIO_MMIO_CMDLINE_DEVICES", "PVH", NULL
	};
	const char *const *list = m == VM_MICROVM ? microvm : pc;
	for (int i = 0; list[i]; i++)
		sv_push_unique(opts, list[i]);
}

void needs_of_harness(enum vm_machine m, int xz_x86, struct strvec *opts)
{
	static const char *const harness[] = {
		/* init.c is a static x86-64 ELF program in every image */
		"64BIT", "BINFMT_ELF",
		/* -kernel/-initrd, and the kernel phase's initramfs is xz */
		"BLK_DEV_INITRD", "RD_XZ",
		/* console=ttyS0: init's messages are how a boot is judged */
		"TTY", "SERIAL_8250", "SERIAL_8250_CONSOLE",
		/* a virtio network device, and init's 10.0.2.15 over which the
		 * tests reach the app */
		"VIRTIO_MENU", "VIRTIO_NET", "NETDEVICES", "NET_CORE", "NET", "INET",
		NULL
	};
	needs_of_machine(m, opts);
	for (int i = 0; harness[i]; i++)
		sv_push_unique(opts, harness[i]);
	if (xz_x86)
		sv_push_unique(opts, "XZ_DEC_X86");
}
