/* Kernel options predicted from what a real program imports: programs
 * compiled here, dynamic and static, and a file that is no ELF. */
#include "elf.h"
#include "needs.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char prog[] =
	"#include <pthread.h>\n#include <sys/epoll.h>\n#include <sys/eventfd.h>\n#include <sys/socket.h>\n"
	"#include <unistd.h>\n"
	"static pthread_once_t once = PTHREAD_ONCE_INIT;\nstatic void f(void) {}\n"
	"int main(int argc, char **argv) {\n"
	"  int sv[2];\n"
	"  if (argc > 5) { pthread_once(&once, f); setuid(1); socketpair(AF_UNIX, SOCK_STREAM, 0, sv);\n"
	"    return epoll_create1(0) + eventfd(0, 0); }\n"
	"  return 0; }\n";

int main(void)
{
	char dir[] = "/tmp/reduce-test-needs.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char *src = xasprintf("%s/p.c", dir), *dyn = xasprintf("%s/dyn", dir),
	     *stat_ = xasprintf("%s/static", dir), *lib = xasprintf("%s/lib.so", dir);
	write_file_atomic(src, prog, strlen(prog));
	char *cmd = xasprintf("cc -O0 -o %s %s -lpthread && cc -static -O0 -o %s %s -lpthread && "
			      "cc -O0 -shared -fPIC -o %s %s -lpthread", dyn, src, stat_, src, lib, src);
	CHECK(system(cmd) == 0, "the test programs compile");

	struct strvec o = STRVEC_INIT;
	CHECK(needs_of_file(dyn, &o) == 1, "a dynamic program is an ELF file");
	CHECK(sv_has(&o, "64BIT") && sv_has(&o, "BINFMT_ELF"), "an x86-64 program needs 64BIT and BINFMT_ELF");
	CHECK(sv_has(&o, "EPOLL") && sv_has(&o, "EVENTFD") && sv_has(&o, "MULTIUSER") && sv_has(&o, "FUTEX"),
	      "epoll_create1, eventfd, setuid and pthread_once predict EPOLL, EVENTFD, MULTIUSER, FUTEX");
	CHECK(sv_has(&o, "NET") && sv_has(&o, "UNIX"), "socketpair predicts NET and UNIX");
	CHECK(!sv_has(&o, "SYSVIPC") && !sv_has(&o, "INET") && !sv_has(&o, "TIMERFD"),
	      "nothing it does not import (SYSVIPC, INET, TIMERFD)");
	size_t n = o.n;
	needs_of_file(dyn, &o);
	CHECK(o.n == n, "each option is listed once");
	sv_clear(&o);

	/* The same code as a library: only what any use of it reaches. */
	CHECK(needs_of_file(lib, &o) == 1 && sv_has(&o, "FUTEX") && sv_has(&o, "EPOLL") &&
	      sv_has(&o, "NET") && sv_has(&o, "UNIX"),
	      "a library's locks, event loop and sockets predict FUTEX, EPOLL, NET, UNIX");
	CHECK(!sv_has(&o, "MULTIUSER") && !sv_has(&o, "EVENTFD"),
	      "a library's setuid and eventfd predict nothing: features a program may never call");
	sv_clear(&o);

	CHECK(needs_of_file(stat_, &o) == 1 && o.n == 2 && sv_has(&o, "64BIT"),
	      "a static program shows only its class (64BIT, BINFMT_ELF): it imports nothing");
	sv_clear(&o);
	CHECK(needs_of_file(src, &o) == 0 && o.n == 0, "a C source file is no ELF file and predicts nothing");
	char *missing = xasprintf("%s/missing", dir);
	CHECK(needs_of_file(missing, &o) == -1, "a missing file is an error");

	/* A real Debian program: curl opens sockets, through libcurl. */
	struct strvec closure = STRVEC_INIT;
	struct strbuf err = STRBUF_INIT;
	int all_elf = elf_closure("", "/usr/bin/curl", &closure, &err) == 0;
	for (size_t i = 0; i < closure.n; i++) {
		struct stat st;
		if (!lstat(closure.v[i], &st) && S_ISREG(st.st_mode))
			all_elf &= needs_of_file(closure.v[i], &o) == 1;
	}
	CHECK(all_elf && sv_has(&o, "NET") && sv_has(&o, "FUTEX"),
	      "curl's ELF closure imports socket and pthread locks: NET, FUTEX");
	sv_clear(&o);
	sv_clear(&closure);
	sb_release(&err);

	needs_of_harness(VM_PC, 0, &o);
	CHECK(sv_has(&o, "VIRTIO_NET") && sv_has(&o, "SERIAL_8250_CONSOLE") && sv_has(&o, "RD_XZ") &&
	      !sv_has(&o, "XZ_DEC_X86"), "the harness needs its NIC, its console and the xz initramfs");
	sv_clear(&o);
	needs_of_harness(VM_PC, 1, &o);
	CHECK(sv_has(&o, "XZ_DEC_X86"), "and xz's x86 filter when the initramfs uses it");
	struct strvec mv = STRVEC_INIT;
	needs_of_harness(VM_MICROVM, 0, &mv);
	CHECK(sv_has(&o, "VIRTIO_PCI") && !sv_has(&o, "VIRTIO_MMIO") && sv_has(&mv, "VIRTIO_MMIO") &&
	      sv_has(&mv, "VIRTIO_MMIO_CMDLINE_DEVICES") && sv_has(&mv, "PVH") &&
	      !sv_has(&mv, "PCI") && !sv_has(&mv, "VIRTIO_PCI") && sv_has(&mv, "VIRTIO_NET"),
	      "each machine its own bus: virtio-pci on pc; virtio-mmio, PVH and no PCI on microvm");
	sv_clear(&mv);
	/* The harness's needs are kept untested, so they must cover what
	 * its own init shows: the real rootfs/init, static x86-64. */
	struct strvec init_needs = STRVEC_INIT;
	int init_elf = needs_of_file("rootfs/init", &init_needs);
	int covered = init_elf == 1 && init_needs.n > 0;
	for (size_t i = 0; covered && i < init_needs.n; i++)
		covered = sv_has(&o, init_needs.v[i]);
	CHECK(covered, "the harness needs cover what its init (rootfs/init) shows: 64BIT, BINFMT_ELF");
	sv_clear(&init_needs);
	sv_clear(&o);

	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	UNIT_EXIT();
}
