#ifndef REDUCE_TRIAL_H
#define REDUCE_TRIAL_H

#include "vm.h"

/* A trial: boot an image, wait until the app is ready, run the test
 * script against it on the host, tear the VM down whatever happens. */
struct trial {
	const struct vm_config *vm; /* the machine; kernel and initrd come per trial */
	const char *tests;      /* the test script */
	const char *app;
	const char *test_log;   /* the script's stdout and stderr */
	int boot_timeout_ms;
	int test_timeout_ms;
	int boots;              /* trials so far, for the report */
};

struct trial_result {
	enum verdict v;
	long ms_to_init, ms_to_ready;
	int test_status;
	char why[320];
};

/* Boots kernel + initrd on t's machine and runs the tests against it. */
enum verdict trial_run(struct trial *t, const char *kernel, const char *initrd,
		       struct trial_result *r);

#endif
