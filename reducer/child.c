#define _GNU_SOURCE
#include "child.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile int interrupted;

#define MAX_CHILDREN 16
static volatile pid_t live[MAX_CHILDREN];

static void track(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (!live[i]) {
			live[i] = pid;
			return;
		}
	/* An untracked child would outlive Ctrl-C, and be taken for an
	 * orphan to kill. */
	kill(-pid, SIGKILL);
	die("more than %d children at once", MAX_CHILDREN);
}

static void untrack(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (live[i] == pid)
			live[i] = 0;
}

void child_kill_all(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (live[i] > 0)
			kill(-live[i], SIGKILL);
}

void child_wait_all(int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	for (int i = 0; i < MAX_CHILDREN; i++) {
		while (live[i] > 0 && waitpid(live[i], NULL, WNOHANG) == 0 && now_ms() < deadline) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		live[i] = 0;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	child_kill_all();
}

void child_install_signal_handlers(void)
{
	/* A test script may start something that leaves its process group
	 * (setsid) and outlives it. As a subreaper we inherit such orphans,
	 * and child_reap_orphans() can find and kill them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Closes what of the pipes is open, keeping errno. */
static void close_pipes(const int *a, const int *b, const int *c)
{
	int saved = errno;
	int fds[] = { a[0], a[1], b[0], b[1], c[0], c[1] };
	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	errno = saved;
}

int child_start(struct child_process *cp)
{
	int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
	cp->signaled = 0;
	if ((cp->pipe_stdio && (pipe2(in_pipe, O_CLOEXEC) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0)) ||
	    pipe2(err_pipe, O_CLOEXEC) < 0) {
		close_pipes(in_pipe, out_pipe, err_pipe);
		return error("pipe: %s", strerror(errno));
	}

	pid_t pid = fork();
	if (pid < 0) {
		close_pipes(in_pipe, out_pipe, err_pipe);
		return error("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		/* Even a SIGKILLed driver must not leave QEMU running. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		int out = -1;
		if (cp->out_path)
			out = open(cp->out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		else
			out = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (cp->pipe_stdio) {
			dup2(in_pipe[0], 0);
			dup2(out_pipe[1], 1);
		} else {
			int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
			dup2(devnull, 0);
			dup2(out, 1);
		}
		if (!cp->inherit_stderr)
			dup2(out, 2);
		/* What failed before the program ran is ours, not the
		 * program's: the parent learns it through err_pipe, which exec
		 * closes when it works. */
		int e = 0;
		if (cp->dir && chdir(cp->dir) < 0) {
			e = errno;
			fprintf(stderr, "%s: cannot chdir to %s: %s\n", progname, cp->dir, strerror(errno));
		} else {
			for (const char *const *v = cp->unset; v && *v; v++)
				unsetenv(*v);
			for (const char *const *v = cp->env; v && *v; v++)
				putenv((char *)*v);
			execvp(cp->argv[0], (char *const *)cp->argv);
			e = errno;
			fprintf(stderr, "%s: cannot run %s: %s\n", progname, cp->argv[0], strerror(errno));
		}
		if (write(err_pipe[1], &e, sizeof(e)) < 0) {
		}
		_exit(127);
	}
	close(err_pipe[1]);
	int child_errno;
	ssize_t got;
	while ((got = read(err_pipe[0], &child_errno, sizeof(child_errno))) < 0 && errno == EINTR)
		;
	close(err_pipe[0]);
	if (got == sizeof(child_errno)) {
		waitpid(pid, NULL, 0);
		int none[2] = { -1, -1 };
		close_pipes(in_pipe, out_pipe, none);
		errno = child_errno;
		return error("cannot run %s: %s", cp->argv[0], strerror(errno));
	}
	/* Set in both processes so that there is no window in which a kill of
	 * the group would miss the child. */
	setpgid(pid, pid);
	cp->pid = pid;
	track(pid);
	if (cp->pipe_stdio) {
		close(in_pipe[0]);
		close(out_pipe[1]);
		cp->in = in_pipe[1];
		cp->out = out_pipe[0];
	}
	return 0;
}

char *child_first_line(struct child_process *cp)
{
	char path[] = "/tmp/reduce-output-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return NULL;
	close(fd);
	cp->out_path = path;
	struct strbuf out = STRBUF_INIT;
	char *line = NULL;
	if (child_run(cp) == 0 && read_file(path, &out) == 0 && out.len)
		line = xstrndup(out.buf, strcspn(out.buf, "\n"));
	unlink(path);
	sb_release(&out);
	return line;
}

void child_kill(struct child_process *cp)
{
	if (cp->pid > 0) {
		kill(-cp->pid, SIGKILL);
		waitpid(cp->pid, NULL, 0);
		untrack(cp->pid);
		cp->pid = 0;
	}
}

void child_forget(struct child_process *cp)
{
	if (cp->pid > 0) {
		kill(-cp->pid, SIGKILL);
		untrack(cp->pid);
		cp->pid = 0;
	}
}

static int tracked(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (live[i] == pid)
			return 1;
	return 0;
}

int child_reap_orphans(void)
{
	int killed = 0;
	pid_t self = getpid();
	/* Killing one may orphan its own children to us: go until none. */
	for (int round = 0; round < 20; round++) {
		int found = 0;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char *end;
			long pid = strtol(e->d_name, &end, 10);
			if (*end || pid <= 0 || tracked(pid))
				continue;
			char path[64], buf[512];
			snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = '\0';
			/* "pid (comm) state ppid ...": comm may hold spaces and
			 * parentheses, so the fields after it start at the last ')'. */
			char *rp = strrchr(buf, ')');
			char state;
			long ppid;
			if (!rp || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2 || ppid != self)
				continue;
			/* A zombie is dead already (a member of the test's own group,
			 * killed with it): reaped, not counted. */
			if (state != 'Z') {
				kill(pid, SIGKILL);
				found++;
			}
			waitpid(pid, NULL, WNOHANG);
		}
		if (d)
			closedir(d);
		killed += found;
		/* One more look after a moment: a parent we just killed may
		 * not have gone yet, and its children come to us when it has. */
		if (!found && round > 0)
			break;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return killed;
}

int child_finish(struct child_process *cp, int timeout_ms)
{
	uint64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int status;
	for (;;) {
		pid_t r = waitpid(cp->pid, &status, WNOHANG);
		if (r == cp->pid)
			break;
		if (r < 0 && errno != EINTR) {
			untrack(cp->pid);
			return error("waitpid: %s", strerror(errno));
		}
		if (deadline && now_ms() >= deadline) {
			child_kill(cp);
			return CHILD_TIMEOUT;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	/* The child may have left grandchildren behind in its group. */
	child_forget(cp);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* Not by us: our kills end in CHILD_TIMEOUT or an interrupt. */
	cp->signaled = WTERMSIG(status);
	return 128 + WTERMSIG(status);
}

int child_run(struct child_process *cp)
{
	if (child_start(cp) < 0)
		return CHILD_SPAWN_FAILED;
	return child_finish(cp, cp->timeout_ms);
}
