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
} gates[] = {
	{ "setuid", "MULTIUSER" }, { "setgid", "MULTIUSER" },
	{ "seteuid", "MULTIUSER" }, { "setegid", "MULTIUSER" },
	{ "setreuid", "MULTIUSER" }, { "setregid", "MULTIUSER" },
	{ "setresuid", "MULTIUSER" }, { "setresgid", "MULTIUSER" },
	{ "getresuid", "MULTIUSER" }, { "getresgid", "MULTIUSER" },
	{ "setfsuid", "MULTIUSER" }, { "setfsgid", "MULTIUSER" },
	{ "setgroups", "MULTIUSER" }, { "getgroups", "MULTIUSER" },
	{ "initgroups", "MULTIUSER" }, { "capget", "MULTIUSER" }, { "capset", "MULTIUSER" },

	{ "pthread_once", "FUTEX" }, { "pthread_join", "FUTEX" },
	{ "pthread_mutex_lock", "FUTEX" }, { "pthread_mutex_timedlock", "FUTEX" },
	{ "pthread_cond_wait", "FUTEX" }, { "pthread_cond_timedwait", "FUTEX" },
	{ "pthread_cond_signal", "FUTEX" }, { "pthread_cond_broadcast", "FUTEX" },
	{ "pthread_rwlock_rdlock", "FUTEX" }, { "pthread_rwlock_wrlock", "FUTEX" },
	{ "pthread_barrier_wait", "FUTEX" },
	{ "sem_wait", "FUTEX" }, { "sem_timedwait", "FUTEX" }, { "sem_post", "FUTEX" },

	{ "epoll_create", "EPOLL" }, { "epoll_create1", "EPOLL" },
	{ "epoll_ctl", "EPOLL" }, { "epoll_wait", "EPOLL" }, { "epoll_pwait", "EPOLL" },
	{ "eventfd", "EVENTFD" }, { "eventfd_read", "EVENTFD" }, { "eventfd_write", "EVENTFD" },
	{ "signalfd", "SIGNALFD" },
	{ "timerfd_create", "TIMERFD" }, { "timerfd_settime", "TIMERFD" },
	{ "inotify_init", "INOTIFY_USER" }, { "inotify_init1", "INOTIFY_USER" },
	{ "inotify_add_watch", "INOTIFY_USER" },
	{ "fanotify_init", "FANOTIFY" },
	{ "io_uring_setup", "IO_URING" },
	{ "timer_create", "POSIX_TIMERS" }, { "timer_settime", "POSIX_TIMERS" },
	{ "shmget", "SYSVIPC" }, { "semget", "SYSVIPC" }, { "msgget", "SYSVIPC" },
	{ "mq_open", "POSIX_MQUEUE" },
	{ "flock", "FILE_LOCKING" },
	{ "name_to_handle_at", "FHANDLE" }, { "open_by_handle_at", "FHANDLE" },
	{ "process_vm_readv", "CROSS_MEMORY_ATTACH" }, { "process_vm_writev", "CROSS_MEMORY_ATTACH" },
	{ "membarrier", "MEMBARRIER" },
	{ "socket", "NET" },
	/* Linux makes socket pairs of Unix sockets only (nginx's channels
	 * between master and workers are such pairs). */
	{ "socketpair", "NET" }, { "socketpair", "UNIX" },
};

int needs_of_file(const char *host_path, struct strvec *opts)
{
	struct strvec imports = STRVEC_INIT;
	int ret = elf_imports(host_path, &imports);
	if (ret == 1) {
		sv_push_unique(opts, "64BIT");
		sv_push_unique(opts, "BINFMT_ELF");
		for (size_t i = 0; i < imports.n; i++)
			for (size_t k = 0; k < sizeof(gates) / sizeof(gates[0]); k++)
				if (!strcmp(imports.v[i], gates[k].func))
					sv_push_unique(opts, gates[k].option);
	}
	sv_clear(&imports);
	return ret;
}

void needs_of_harness(int xz_x86, struct strvec *opts)
{
	static const char *const harness[] = {
		/* init.c is a static x86-64 ELF program in every image */
		"64BIT", "BINFMT_ELF",
		/* -kernel/-initrd, and the kernel phase's initramfs is xz */
		"BLK_DEV_INITRD", "RD_XZ",
		/* console=ttyS0: init's messages are how a boot is judged */
		"TTY", "SERIAL_8250", "SERIAL_8250_CONSOLE",
		/* virtio-net-pci, and init's 10.0.2.15 over which the tests
		 * reach the app */
		"PCI", "VIRTIO_MENU", "VIRTIO_PCI", "VIRTIO_NET", "NETDEVICES", "NET_CORE",
		"NET", "INET",
		NULL
	};
	for (int i = 0; harness[i]; i++)
		sv_push_unique(opts, harness[i]);
	if (xz_x86)
		sv_push_unique(opts, "XZ_DEC_X86");
}
