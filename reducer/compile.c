#define _GNU_SOURCE
/* Where a kernel build's compilations run: ccache's local directory, its
 * remote storage, distcc. The engines are ccache's and distcc's; this file
 * only says to them what the user asked for, and reads back what they did. */
#include "compile.h"
#include "child.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The schemes ccache 4.7 (Debian 12) has storage backends for. */
static const char *const remote_schemes[] = { "redis://", "redis+unix:", "http://", "file:", NULL };

static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	char *copy = xstrdup(path), *save = NULL;
	int found = 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", prog);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

/* One DISTCC_HOSTS entry's job limit: HOST[:PORT][/LIMIT][,OPTIONS], where
 * the default is four a host and two for localhost (distcc(1)). 0 for a
 * malformed /LIMIT; -1 for an entry that is not a host (--randomize,
 * --localslots=N, +zeroconf). */
static int host_slots(const char *h)
{
	if (h[0] == '-' || h[0] == '+')
		return -1;
	size_t len = strcspn(h, ",");
	const char *slash = memchr(h, '/', len);
	if (!slash) {
		size_t name = strcspn(h, ":,");
		return name == 9 && !strncmp(h, "localhost", 9) ? 2 : 4;
	}
	const char *d = slash + 1;
	int n = 0, digits = 0;
	for (; isdigit((unsigned char)*d) && n < 10000; d++, digits++)
		n = n * 10 + (*d - '0');
	/* An old-style HOST/LIMIT:PORT has the port after the limit. */
	if (!digits || n <= 0 || n >= 10000 || (*d && *d != ',' && *d != ':'))
		return 0;
	return n;
}

int compilers_from_env(struct compilers *c, struct strbuf *err)
{
	memset(c, 0, sizeof(*c));
	const char *remote = getenv("REDUCE_CCACHE_REMOTE");
	if (remote && *remote) {
		int known = 0;
		for (int i = 0; remote_schemes[i]; i++)
			known |= !strncmp(remote, remote_schemes[i], strlen(remote_schemes[i]));
		/* A URL with blanks would be read as two storages by ccache
		 * ("URL|read-only" is one, with an attribute). */
		if (!known || strpbrk(remote, " \t\n")) {
			sb_addf(err, "REDUCE_CCACHE_REMOTE is not a URL ccache can store to (redis://HOST:PORT, "
				     "redis+unix:PATH, http://HOST/PATH or file:DIR)");
			return -1;
		}
		c->remote = remote;
	}
	const char *hosts = getenv("REDUCE_DISTCC_HOSTS");
	if (hosts && *hosts) {
		char *copy = xstrdup(hosts), *save = NULL;
		for (char *h = strtok_r(copy, " \t\n", &save); h; h = strtok_r(NULL, " \t\n", &save)) {
			int n = host_slots(h);
			if (n == 0) {
				sb_addf(err, "REDUCE_DISTCC_HOSTS: '%s' is not HOST[:PORT][/JOBS] with JOBS "
					     "a number from 1 to 9999", h);
				free(copy);
				return -1;
			}
			if (n > 0) {
				c->distcc_hosts_n++;
				c->distcc_slots += n;
			}
		}
		free(copy);
		if (!c->distcc_hosts_n) {
			sb_addf(err, "REDUCE_DISTCC_HOSTS names no host");
			return -1;
		}
		if (!on_path("distcc")) {
			sb_addf(err, "REDUCE_DISTCC_HOSTS is set but distcc is not installed "
				     "(Debian package distcc)");
			return -1;
		}
		c->distcc_hosts = hosts;
	}
	return 0;
}

int compilers_jobs(const struct compilers *c, int local_jobs)
{
	return c && c->distcc_hosts && c->distcc_slots > local_jobs ? c->distcc_slots : local_jobs;
}

void compilers_env(const struct compilers *c, const char *ccache_dir, const char *state_dir,
		   const char *distcc_log, struct strvec *env)
{
	sv_pushf(env, "CCACHE_DIR=%s", ccache_dir);
	/* Depend mode hashes the headers Kbuild's -MMD lists instead of
	 * running the preprocessor once more on every miss: a cold build of
	 * the microvm base took 267 s instead of 366 s, with the same bzImage.
	 * Preprocessor mode would turn a costly option's flip into hits only
	 * where the preprocessed output stays the same, and for FUTEX or
	 * SYSVIPC it does not (task_struct has fields under both):
	 * bench/ccache-modes.sh measured the same ~1,030 misses a flip and a
	 * base 21% slower than depend mode. But ccache 4.7 (Debian 12) names a
	 * depend-mode result with its manifest's key, and a remote storage,
	 * which has keys and no file suffixes, keeps one of the two: the other
	 * machine reads a manifest where it wants a result ("Unknown result
	 * format version") and compiles. With a remote, direct mode then, the
	 * one whose hits travel. */
	if (c && c->remote)
		sv_pushf(env, "CCACHE_REMOTE_STORAGE=%s", c->remote);
	else
		sv_push(env, "CCACHE_DEPEND=1");
	if (c && c->distcc_hosts) {
		sv_push(env, "CCACHE_PREFIX=distcc");
		sv_pushf(env, "DISTCC_HOSTS=%s", c->distcc_hosts);
		/* distcc keeps its lock and backoff files there, not in $HOME,
		 * and does not make the directory itself. */
		mkdir_p(state_dir);
		sv_pushf(env, "DISTCC_DIR=%s", state_dir);
		/* Its log has a line for each job, naming where it compiled; on
		 * stderr it would say only where it could not send one. */
		sv_pushf(env, "DISTCC_LOG=%s", distcc_log);
		/* A host that does not answer: compile here (distcc's default,
		 * said so that a user's DISTCC_FALLBACK=0 cannot fail the build). */
		sv_push(env, "DISTCC_FALLBACK=1");
	}
}

void compile_json(const struct compilers *c, const struct compile_counts *n, long long ms,
		  struct strbuf *out)
{
	sb_addf(out, "{\"seconds\": %.1f, \"local_cache_hits\": %lld, \"remote_cache_hits\": %lld, "
		"\"compiled\": %lld, \"distributed\": %lld, \"distcc_fell_back\": %lld, "
		"\"remote_errors\": %lld, "
		"\"ccache_remote\": %s, \"distcc_hosts\": %d, \"distcc_slots\": %d}",
		ms / 1000.0, n->local_hits, n->remote_hits, n->compiled, n->distributed, n->fell_back,
		n->remote_errors,
		c && c->remote ? "true" : "false", c && c->distcc_hosts ? c->distcc_hosts_n : 0,
		c && c->distcc_hosts ? c->distcc_slots : 0);
}

static long long stat_of(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == '\t' || p[n] == ' '))
			return atoll(p + n + 1);
	return 0;
}

int compile_counts_read(const char *ccache_dir, struct compile_counts *out)
{
	memset(out, 0, sizeof(*out));
	char *tmp = xasprintf("%s/.stats.%ld", ccache_dir, (long)getpid());
	char *dir = xasprintf("CCACHE_DIR=%s", ccache_dir);
	const char *argv[] = { "ccache", "--print-stats", NULL };
	const char *env[] = { dir, NULL };
	unlink(tmp);
	mkdir_p(ccache_dir);
	struct child_process cp = { .argv = argv, .env = env, .out_path = tmp, .timeout_ms = 30000 };
	struct strbuf text = STRBUF_INIT;
	int st = child_run(&cp);
	if (st == 0)
		st = read_file(tmp, &text) < 0 ? -1 : 0;
	unlink(tmp);
	free(tmp);
	free(dir);
	if (st != 0) {
		sb_release(&text);
		return -1;
	}
	/* ccache counts a hit once whichever storage served it, and says
	 * which in the storage counters. */
	out->remote_hits = stat_of(text.buf, "remote_storage_hit");
	out->local_hits = stat_of(text.buf, "direct_cache_hit") + stat_of(text.buf, "preprocessed_cache_hit") -
			  out->remote_hits;
	out->compiled = stat_of(text.buf, "cache_miss");
	out->remote_errors = stat_of(text.buf, "remote_storage_error") +
			     stat_of(text.buf, "remote_storage_timeout");
	sb_release(&text);
	return 0;
}

void compile_counts_add_delta(struct compile_counts *sum, const struct compile_counts *before,
			      const struct compile_counts *after)
{
	sum->local_hits += after->local_hits - before->local_hits;
	sum->remote_hits += after->remote_hits - before->remote_hits;
	sum->compiled += after->compiled - before->compiled;
	sum->distributed += after->distributed - before->distributed;
	sum->fell_back += after->fell_back - before->fell_back;
	sum->remote_errors += after->remote_errors - before->remote_errors;
}

void compile_distcc_counts(const char *log, long long *distributed, long long *here)
{
	*distributed = *here = 0;
	struct strbuf text = STRBUF_INIT;
	if (read_file(log, &text) < 0)
		return;
	/* "distcc[PID] compile FILE on HOST[:PORT][/N] completed ok", where
	 * HOST is "localhost" for a job compiled here ("cpp FILE on localhost"
	 * lines are its preprocessing, not a compilation). */
	for (char *p = text.buf; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *c = strstr(p, "] compile ");
		char *on = c ? strstr(c, " on ") : NULL;
		size_t len = strlen(p);
		if (on && len > 13 && !strcmp(p + len - 13, " completed ok")) {
			if (!strncmp(on + 4, "localhost ", 10))
				(*here)++;
			else
				(*distributed)++;
		}
		p = nl ? nl + 1 : NULL;
	}
	sb_release(&text);
}
