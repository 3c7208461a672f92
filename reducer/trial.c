#include "trial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (1024 * 1024)
#define HOST_TRIES 3
/* Two looks at a large tree under TCG take a few seconds. */
#define OBSERVE_WAIT_MS 30000

int trial_memory_mb(const struct trial *t, const struct boot_image *b)
{
	if (t->exact_memory)
		return t->vm->memory_mb;
	/* The unpacked files take a little more than their bytes (inodes,
	 * dentries, page rounding): an eighth more; and twice that, as the
	 * tmpfs holding them is capped at half the memory. */
	long long files = b->unpacked + b->unpacked / 8;
	long long need = b->bytes + 2 * files;
	if (need < 0)
		need = 0;
	return t->vm->memory_mb + (int)((need + MiB - 1) / MiB);
}

void trial_key(const struct trial *t, const struct boot_image *b, char out[41])
{
	struct vm_config c = *t->vm;
	struct strbuf s = STRBUF_INIT;
	c.memory_mb = trial_memory_mb(t, b);
	vm_describe(&c, &s);
	sb_addf(&s, "tests %s\n", t->tests_hash ? t->tests_hash : "");
	if (t->kernel_source)
		sb_addf(&s, "kernel-source %s\n", t->kernel_source);
	content_hash(s.buf, s.len, out);
	sb_release(&s);
}

/* A guest whose console could not be written, or a test that could not
 * write its files, fails for the host's reason, whatever it looked like. */
static enum verdict full_disk(const struct trial *t, const struct vm_config *c,
			      struct trial_result *r)
{
	if (r->v != V_PASS && r->v != V_ABORT && (disk_full(t->test_log) || disk_full(c->console_log))) {
		r->v = V_HOST;
		snprintf(r->why, sizeof(r->why), "no space left on %s while writing %s",
			 mount_of(c->console_log), c->console_log);
	}
	return r->v;
}

/* A guest out of memory: the profile's memory, or what a search trial
 * adds to it, is too small; never the candidate's verdict. */
static void memory_fault(const struct trial *t, const struct boot_image *b, enum vm_memory how,
			 const char *said, struct trial_result *r)
{
	char mem[80];
	int profile = t->vm->memory_mb;
	if (r->memory_mb == profile)
		snprintf(mem, sizeof(mem), "%d MiB", r->memory_mb);
	else
		snprintf(mem, sizeof(mem), "%d MiB (the profile's %d and %d to unpack the image)",
			 r->memory_mb, profile, r->memory_mb - profile);
	r->v = V_HOST;
	r->memory_fault = how;
	if (how == VM_MEMORY_UNPACK)
		snprintf(r->why, sizeof(r->why), "guest memory %s is too small to unpack a %lld MiB "
			 "initramfs (the console says: %.200s)", mem, (b->unpacked + MiB - 1) / MiB, said);
	else
		snprintf(r->why, sizeof(r->why), "guest memory %s is too small for the app "
			 "(the console says: %.200s)", mem, said);
}

/* Tests that failed on a guest that ran out of memory while they ran
 * (the OOM killer took the app) failed for the memory's sake. */
static void memory_after_tests(const struct trial *t, const struct vm_config *c,
			       const struct boot_image *b, struct trial_result *r)
{
	struct strbuf con = STRBUF_INIT;
	enum vm_memory how;
	char said[200];
	if ((r->v == V_TEST || r->v == V_TIMEOUT) && read_file(c->console_log, &con) == 0 && con.buf &&
	    vm_console_verdict(con.buf, &how, said, sizeof(said)) == V_HOST)
		memory_fault(t, b, how, said, r);
	sb_release(&con);
}

static enum verdict trial_once(struct trial *t, const struct boot_image *b, struct trial_result *r)
{
	struct vm vm;
	struct vm_config c = *t->vm;
	c.kernel = b->kernel;
	c.initrd = b->initrd;
	c.memory_mb = trial_memory_mb(t, b);
	memset(r, 0, sizeof(*r));
	r->memory_mb = c.memory_mb;
	t->boots++;
	r->v = vm_boot(&c, &vm, t->boot_timeout_ms);
	r->ms_to_init = vm.ms_to_init;
	r->ms_to_ready = vm.ms_to_ready;
	r->guest_ms_at_init = vm.guest_ms_at_init;
	if (vm.memory_fault)
		memory_fault(t, b, vm.memory_fault, vm.said, r);
	else if (r->v != V_PASS)
		snprintf(r->why, sizeof(r->why), "%s", vm.why);
	if (r->v != V_PASS)
		return full_disk(t, &c, r);

	/* The test-script contract (README): the guest is reachable through
	 * these variables; exit status 0 means pass. */
	struct strvec env = STRVEC_INIT;
	sv_push(&env, "REDUCE_HOST=127.0.0.1");
	sv_pushf(&env, "REDUCE_APP=%s", t->app);
	sv_pushf(&env, "REDUCE_CONSOLE=%s", t->vm->console_log);
	sv_push(&env, "REDUCE_GUEST_IP=10.0.2.15");
	if (t->vm->nports)
		sv_pushf(&env, "REDUCE_PORT=%d", vm.host_ports[0]);
	for (int i = 0; i < t->vm->nports; i++)
		sv_pushf(&env, "REDUCE_PORT_%d=%d", t->vm->guest_ports[i], vm.host_ports[i]);

	const char *argv[] = { t->tests, NULL };
	unlink(t->test_log);
	struct child_process cp = { .argv = argv, .env = (const char *const *)env.v,
				    .out_path = t->test_log, .timeout_ms = t->test_timeout_ms };
	int st = child_run(&cp);
	int orphans = child_reap_orphans();
	/* QEMU killed under the tests' feet fails them through no fault of
	 * the candidate's. */
	enum verdict qemu = vm_check(&c, &vm);
	/* A look at the tree under way when the tests ended may have missed
	 * their last reads; the one after it has not. */
	if (t->observe && st == 0 && qemu == V_PASS && !interrupted)
		r->observed = vm_await_marker(&c, &vm, "reduce-init: scanned", 2, OBSERVE_WAIT_MS) == 0;
	vm_stop(&vm);
	sv_clear(&env);
	if (orphans)
		warning("the test script left %d process%s running outside its process group; killed",
			orphans, orphans == 1 ? "" : "es");
	if (interrupted) {
		r->v = V_ABORT;
	} else if (qemu == V_HOST) {
		r->v = V_HOST;
		snprintf(r->why, sizeof(r->why), "%s, while the tests ran", vm.why);
	} else if (st == CHILD_SPAWN_FAILED) {
		r->v = V_HOST;
		snprintf(r->why, sizeof(r->why), "cannot start the test script %s", t->tests);
	} else if (cp.signaled) {
		r->v = V_HOST;
		snprintf(r->why, sizeof(r->why), "the test script was killed by signal %d (not by reduce)",
			 cp.signaled);
	} else if (st == CHILD_TIMEOUT) {
		r->v = V_TIMEOUT;
		snprintf(r->why, sizeof(r->why), "the test script ran over %d s", t->test_timeout_ms / 1000);
	} else if (st != 0) {
		r->v = V_TEST;
		snprintf(r->why, sizeof(r->why), "the test script exited with status %d", st);
	}
	memory_after_tests(t, &c, b, r);
	return full_disk(t, &c, r);
}

enum verdict trial_run(struct trial *t, const struct boot_image *b, struct trial_result *r)
{
	for (int i = 1;; i++) {
		enum verdict v = trial_once(t, b, r);
		if (v != V_HOST || i == HOST_TRIES || r->memory_fault)
			return v;
		warning("harness fault, not the candidate's (%s); trying again (%d of %d)", r->why,
			i + 1, HOST_TRIES);
	}
}
