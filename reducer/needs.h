#ifndef REDUCE_NEEDS_H
#define REDUCE_NEEDS_H

#include "util.h"
#include "machine.h"

/* Kernel options an image is seen to need before any kernel is built.
 * What the image's files show are predictions for the search
 * (search_tree.predicted): it still tests each one; a right guess saves the
 * group tests that a needed option would fail, a wrong one costs one test.
 * What the harness's own guest uses is known, not guessed
 * (search_tree.required): no test could pass without it. */

/* What one file of the image shows, if it is an x86-64 ELF program or
 * library: 64BIT and BINFMT_ELF, and the options without which the C
 * library functions it imports fail (setuid: MULTIUSER, epoll_wait: EPOLL,
 * pthread_once: FUTEX...); from a library only those any use of it
 * reaches (locks, sockets, an event loop), not optional features. Option names without CONFIG_, added to `opts`
 * once each. Returns 1 for an ELF file, 0 for another, -1 if unreadable. */
int needs_of_file(const char *host_path, struct strvec *opts);

/* What a machine's devices and kernel entry need (vm.h): --machine
 * checks a kernel base for them. */
void needs_of_machine(enum vm_machine m, struct strvec *opts);

/* What the harness's guest itself uses on machine m (vm.c's devices,
 * init.c, the initramfs the kernel phase boots, compressed with xz's x86
 * filter if xz_x86): without any of these no boot reaches the tests. */
void needs_of_harness(enum vm_machine m, int xz_x86, struct strvec *opts);

#endif
