#include "trial.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum verdict trial_run(struct trial *t, const char *kernel, const char *initrd,
		       struct trial_result *r)
{
	struct vm vm;
	struct vm_config c = *t->vm;
	c.kernel = kernel;
	c.initrd = initrd;
	memset(r, 0, sizeof(*r));
	t->boots++;
	r->v = vm_boot(&c, &vm, t->boot_timeout_ms);
	r->ms_to_init = vm.ms_to_init;
	r->ms_to_ready = vm.ms_to_ready;
	if (r->v != V_PASS) {
		snprintf(r->why, sizeof(r->why), "%s", vm.why);
		return r->v;
	}

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
	vm_stop(&vm);
	sv_clear(&env);
	r->test_status = st;
	if (interrupted) {
		r->v = V_ABORT;
	} else if (st == CHILD_TIMEOUT) {
		r->v = V_TIMEOUT;
		snprintf(r->why, sizeof(r->why), "the test script ran over %d s", t->test_timeout_ms / 1000);
	} else if (st != 0) {
		r->v = V_TEST;
		snprintf(r->why, sizeof(r->why), "the test script exited with status %d", st);
	}
	return r->v;
}
