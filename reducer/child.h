#ifndef REDUCE_CHILD_H
#define REDUCE_CHILD_H

#include <sys/types.h>

/* The run-command API: every child (make, QEMU, test scripts, the Kconfig
 * helper) runs in its own process group so that a timeout or Ctrl-C can kill
 * it together with everything it started. */

#define CHILD_TIMEOUT (-2)
#define CHILD_SPAWN_FAILED (-3)

struct child_process {
	const char *const *argv;
	const char *dir;            /* chdir here first, or NULL */
	const char *const *env;     /* extra NAME=VALUE entries, or NULL */
	const char *const *unset;   /* names taken out of the environment, or NULL */
	const char *out_path;       /* stdout+stderr appended here; NULL: /dev/null */
	int inherit_stderr;         /* stderr goes to ours instead */
	int pipe_stdio;             /* child_start: give us in/out pipes */
	int timeout_ms;             /* 0: none */

	pid_t pid;
	int signaled;               /* child_finish: the signal that killed it, not ours */
	int in;                     /* we write the child's stdin here */
	int out;                    /* we read the child's stdout here */
};

/* -1 if it could not be started: fork, pipe, chdir or exec failed. */
int child_start(struct child_process *cp);
/* Waits for the child until its timeout (counted from now) and kills its
 * process group if it is exceeded. Returns the exit status, 128+signal,
 * or CHILD_TIMEOUT. */
int child_finish(struct child_process *cp, int timeout_ms);
int child_run(struct child_process *cp);
/* Runs cp (its out_path is set here) and returns the first line it
 * printed, e.g. a tool's version; NULL if it failed or printed nothing. */
char *child_first_line(struct child_process *cp);
void child_kill(struct child_process *cp);
/* After the caller reaped the child itself: kills what it left in its
 * group and stops tracking it. */
void child_forget(struct child_process *cp);

/* Set by SIGINT/SIGTERM: the run should stop at the next safe point. */
extern volatile int interrupted;
/* Installs handlers that kill every live child's process group at once. */
void child_install_signal_handlers(void);
void child_kill_all(void);
/* After child_kill_all(): waits (up to timeout_ms) until they are gone,
 * so that what they were writing is no longer written. */
void child_wait_all(int timeout_ms);
/* Kills and reaps every child of ours that we did not start: what a
 * finished test script left behind outside its process group, which
 * came to us as the subreaper. Returns how many. */
int child_reap_orphans(void);

#endif
