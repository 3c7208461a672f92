#ifndef REDUCE_TRIAL_H
#define REDUCE_TRIAL_H

#include "vm.h"

/* A trial: boot an image, wait until the app is ready, run the test
 * script against it on the host, tear the VM down whatever happens. */
struct trial {
	const struct vm_config *vm;
	const char *tests;      /* the test script */
	const char *app;
	const char *test_log;   /* the script's stdout and stderr */
	int boot_timeout_ms;
	int test_timeout_ms;
};

struct trial_result {
	enum verdict v;
	long ms_to_init, ms_to_ready;
	int test_status;
	char why[320];
};

enum verdict trial_run(const struct trial *t, struct trial_result *r);

#endif
