#ifndef REDUCE_VM_H
#define REDUCE_VM_H

#include "child.h"
#include "machine.h"
#include "util.h"
#include "verdict.h"

#define VM_MAX_PORTS 8


/* One QEMU guest: serial console to a file, user-mode networking with the
 * guest's ports forwarded to free ports on 127.0.0.1. */
struct vm_config {
	enum vm_machine machine;
	const char *kernel;     /* a bzImage, or a vmlinux (any machine boots one) */
	const char *initrd;
	const char *accel;      /* "kvm" or "tcg" */
	int memory_mb;
	int outbound;           /* the guest may connect out (else restrict=on) */
	const int *guest_ports;
	int nports;
	const char *console_log;
	const char *qemu_log;
};

/* "pc" or "microvm" to a machine: 0, or -1 for another name. */
int vm_machine_parse(const char *name, enum vm_machine *m);
const char *vm_machine_name(enum vm_machine m);
/* The kernel's file in a run directory for a machine: what it boots. */
const char *vm_kernel_file(enum vm_machine m);
/* The kernel command line a machine's guests boot with. */
const char *vm_boot_args(enum vm_machine m);

/* Whether a guest ran out of memory, as its console tells. */
enum vm_memory {
	VM_MEMORY_OK = 0,
	VM_MEMORY_UNPACK,       /* unpacking its initramfs */
	VM_MEMORY_RUN,          /* after: the OOM killer, or a panic for want of memory */
};

struct vm {
	struct child_process cp;
	int host_ports[VM_MAX_PORTS];
	uint64_t t_start;
	long ms_to_init, ms_to_ready;
	/* The guest's uptime as init saw it when it started (the kernel's
	 * clock, that of printk's timestamps), -1 when it did not say. */
	long guest_ms_at_init;
	char why[256];          /* why a boot failed, for the user */
	char said[200];         /* the console line that decided it, if one did */
	enum vm_memory memory_fault; /* V_HOST: the guest ran out of memory */
};

/* Starts the guest and waits until init reports the app ready. Returns
 * V_PASS with the VM running, or with it torn down V_BOOT or V_TIMEOUT
 * (the guest's failure) or V_HOST (the harness's: see verdict.h). */
enum verdict vm_boot(const struct vm_config *c, struct vm *vm, int timeout_ms);
void vm_stop(struct vm *vm);
/* What the serial console so far says of a boot: V_PASS once init says
 * the app is ready; V_BOOT when the app exited before, or the kernel
 * panicked; V_HOST when the guest ran out of memory, *memory saying
 * when (never a verdict on the candidate: the profile's memory is too
 * small, or the memory a search trial adds); V_COUNT while it says
 * nothing yet. Running out of memory is looked for first, anywhere on
 * the console: a guest out of memory goes on to panic or to lose its
 * app, and after the tests to fail them. said gets the deciding line. */
enum verdict vm_console_verdict(const char *console, enum vm_memory *memory, char *said, size_t n);
/* The guest's uptime in ms that init's "reduce-init: started at S" line
 * (at `line`) gives, -1 if it gives none. */
long vm_guest_ms_at_init(const char *line);
/* A boot's why from what the console said: with the guest's memory when
 * it ran out of it. */
void vm_console_why(int memory_mb, enum vm_memory memory, const char *said, char *why, size_t n);
/* While the tests run: V_PASS if QEMU still runs or ended as a guest
 * ends (powered off), else V_HOST with why (killed from outside, failed). */
enum verdict vm_check(const struct vm_config *c, struct vm *vm);
/* While the guest runs: waits until the console holds `more` lines
 * starting with `marker` beyond those it holds now, or until timeout_ms.
 * 0 when they came; -1 on the timeout or when QEMU ended. */
int vm_await_marker(const struct vm_config *c, struct vm *vm, const char *marker, int more,
		    int timeout_ms);
/* What of the machine decides a verdict besides the image: QEMU's
 * version, the machine type, accelerator, memory, kernel command line and
 * network, one "key value" per line, for the memo's key. */
void vm_describe(const struct vm_config *c, struct strbuf *out);
const char *vm_qemu_version(void);
/* The command that boots the image by hand, shell-quoted, with the serial
 * console on stdio and each guest port P forwarded from host port P+8000
 * (P itself above 1023). */
void vm_command_line(const struct vm_config *c, struct strbuf *out);
/* Whether KVM runs a guest here: boots the given image once under KVM with
 * a short timeout. The answer is cached for the host's current boot. */
int vm_kvm_works(const struct vm_config *c);

#endif
