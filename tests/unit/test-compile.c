/* Where compilations run (compile.c): what the environment asks for is
 * read and checked, says make what ccache and distcc need, and counts
 * come back from ccache's own counters and distcc's log. */
#define _GNU_SOURCE
#include "compile.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int from_env(const char *remote, const char *hosts, struct compilers *c, struct strbuf *err)
{
	if (remote)
		setenv("REDUCE_CCACHE_REMOTE", remote, 1);
	else
		unsetenv("REDUCE_CCACHE_REMOTE");
	if (hosts)
		setenv("REDUCE_DISTCC_HOSTS", hosts, 1);
	else
		unsetenv("REDUCE_DISTCC_HOSTS");
	sb_release(err);
	return compilers_from_env(c, err);
}

static int has(const struct strvec *env, const char *entry)
{
	return sv_has(env, entry);
}

static int has_prefix(const struct strvec *env, const char *prefix)
{
	for (size_t i = 0; i < env->n; i++)
		if (!strncmp(env->v[i], prefix, strlen(prefix)))
			return 1;
	return 0;
}

int main(void)
{
	struct compilers c;
	struct strbuf err = STRBUF_INIT;
	/* distcc is on this machine's PATH only if installed: the tests of
	 * host lists need it there, so a directory with a fake one goes first. */
	char dir[] = "/tmp/test-compile.XXXXXX";
	REQUIRE(mkdtemp(dir), "a scratch directory");
	char *fake = xasprintf("%s/distcc", dir);
	REQUIRE(write_file_atomic(fake, "#!/bin/sh\n", 10) == 0 && chmod(fake, 0755) == 0, "a fake distcc");
	char *path = xasprintf("%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin");
	char *saved_path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);

	CHECK(from_env(NULL, NULL, &c, &err) == 0 && !c.remote && !c.distcc_hosts, "nothing asked: ccache alone");
	CHECK(compilers_jobs(&c, 2) == 2, "and make -j as many as the processors");
	struct strvec env = STRVEC_INIT;
	compilers_env(&c, "/c/ccache", "/c/distcc", "/c/d.log", &env);
	CHECK(has(&env, "CCACHE_DIR=/c/ccache") && has(&env, "CCACHE_DEPEND=1") &&
	      !has_prefix(&env, "CCACHE_REMOTE_STORAGE=") && !has_prefix(&env, "CCACHE_PREFIX="),
	      "the local directory, depend mode, no remote, no prefix");
	sv_clear(&env);

	CHECK(from_env("redis://10.0.0.5:6379", NULL, &c, &err) == 0 && c.remote, "a redis URL");
	compilers_env(&c, "/c/ccache", "/c/distcc", "/c/d.log", &env);
	CHECK(has(&env, "CCACHE_REMOTE_STORAGE=redis://10.0.0.5:6379") && !has(&env, "CCACHE_DEPEND=1"),
	      "passed to ccache as its remote storage, in direct mode (depend mode's keys collide there)");
	sv_clear(&env);
	CHECK(from_env("http://cache.example/ccache", NULL, &c, &err) == 0, "an http URL");
	CHECK(from_env("ftp://cache.example/", NULL, &c, &err) < 0 && strstr(err.buf, "REDUCE_CCACHE_REMOTE"),
	      "an ftp URL: refused, named");
	CHECK(from_env("redis://a:1 redis://b:2", NULL, &c, &err) < 0, "two URLs: refused");
	CHECK(from_env("redis://a:1|read-only", NULL, &c, &err) == 0, "a URL with a ccache attribute");

	CHECK(from_env(NULL, "h1/8 h2:3633/4,lzo localhost h3", &c, &err) == 0 && c.distcc_hosts_n == 4 &&
	      c.distcc_slots == 8 + 4 + 2 + 4, "hosts, their /N, localhost's 2 and the others' 4 by default");
	CHECK(compilers_jobs(&c, 2) == 18, "make -j the hosts' total");
	CHECK(from_env(NULL, "--randomize h1/1", &c, &err) == 0 && c.distcc_hosts_n == 1 &&
	      compilers_jobs(&c, 2) == 2, "an option is no host; fewer slots than processors: the processors");
	compilers_env(&c, "/c/ccache", "/c/distcc", "/c/d.log", &env);
	CHECK(has(&env, "CCACHE_PREFIX=distcc") && has(&env, "DISTCC_HOSTS=--randomize h1/1") &&
	      has(&env, "DISTCC_DIR=/c/distcc") && has(&env, "DISTCC_FALLBACK=1") &&
	      has(&env, "DISTCC_LOG=/c/d.log"),
	      "ccache hands its misses to distcc, which falls back to compiling here");
	sv_clear(&env);
	CHECK(from_env(NULL, "h1/0", &c, &err) < 0 && strstr(err.buf, "h1/0"), "/0: refused, named");
	CHECK(from_env(NULL, "h1/x", &c, &err) < 0, "/x: refused");
	CHECK(from_env(NULL, "h1/4x", &c, &err) < 0, "/4x: refused");
	CHECK(from_env(NULL, "--randomize", &c, &err) < 0 && strstr(err.buf, "no host"), "no host: refused");
	setenv("PATH", dir, 1);
	unlink(fake);
	CHECK(from_env(NULL, "h1/4", &c, &err) < 0 && strstr(err.buf, "distcc is not installed"),
	      "distcc asked for and not installed: refused");
	setenv("PATH", saved_path, 1);

	/* The counters: ccache's of an empty directory, then a miss and a
	 * hit of a real compilation. */
	char *ccdir = xasprintf("%s/ccache", dir);
	struct compile_counts before, after, sum = { 0 };
	if (access("/usr/bin/ccache", X_OK) == 0) {
		CHECK(compile_counts_read(ccdir, &before) == 0 && before.compiled == 0 && before.local_hits == 0,
		      "an empty cache directory counts nothing");
		char *src = xasprintf("%s/a.c", dir);
		write_file_atomic(src, "#include <stddef.h>\nint f(void) { return 1; }\n", 46);
		char *cmd = xasprintf("cd %s && CCACHE_DIR=%s CCACHE_DEPEND=1 ccache gcc -Wp,-MMD,.a.o.d -c a.c -o a.o "
				      "&& CCACHE_DIR=%s CCACHE_DEPEND=1 ccache gcc -Wp,-MMD,.a.o.d -c a.c -o a.o",
				      dir, ccdir, ccdir);
		CHECK(system(cmd) == 0, "two compilations of one file");
		CHECK(compile_counts_read(ccdir, &after) == 0, "counted again");
		compile_counts_add_delta(&sum, &before, &after);
		CHECK(sum.compiled == 1 && sum.local_hits == 1 && sum.remote_hits == 0,
		      "one compiled, one served by the local directory (got %lld, %lld)", sum.compiled,
		      sum.local_hits);
		compile_counts_add_delta(&sum, &after, &after);
		CHECK(sum.compiled == 1, "adding no change adds nothing");
		free(src);
		free(cmd);
	} else {
		printf("# ccache not installed: its counters not checked\n");
	}

	char *log = xasprintf("%s/distcc.log", dir);
	const char *text = "distcc[11] compile from kernel/fork.c to kernel/fork.o\n"
			   "distcc[11] cpp kernel/fork.c on localhost completed ok\n"
			   "distcc[11] compile kernel/fork.c on 10.0.0.6:3632/8 completed ok\n"
			   "distcc[12] compile kernel/exit.c on build2/8 completed ok\n"
			   "distcc[13] (dcc_build_somewhere) Warning: failed to distribute, running locally instead\n"
			   "distcc[13] compile mm/mmap.c on localhost completed ok\n"
			   "distcc[14] ERROR: compile mm/slab.c on build2/8 failed\n";
	write_file_atomic(log, text, strlen(text));
	long long dist = -1, here = -1;
	compile_distcc_counts(log, &dist, &here);
	CHECK(dist == 2 && here == 1, "distcc's log: two jobs compiled by hosts, one here; its "
	      "preprocessing and a failed job are not compilations (got %lld, %lld)", dist, here);
	compile_distcc_counts("/nonexistent/distcc.log", &dist, &here);
	CHECK(dist == 0 && here == 0, "no log: none");
	struct strbuf json = STRBUF_INIT;
	from_env("redis://secret@10.0.0.5:6379", "h1/8 h2/8", &c, &err);
	struct compile_counts counts = { .local_hits = 4, .compiled = 1, .distributed = 2 };
	compile_json(&c, &counts, 1500, &json);
	CHECK(strstr(json.buf, "\"seconds\": 1.5") && strstr(json.buf, "\"compiled\": 1") &&
	      strstr(json.buf, "\"distributed\": 2") &&
	      strstr(json.buf, "\"ccache_remote\": true") && strstr(json.buf, "\"distcc_hosts\": 2") &&
	      strstr(json.buf, "\"distcc_slots\": 16"), "compile.json: seconds, counts, what was asked for");
	CHECK(!strstr(json.buf, "10.0.0.5") && !strstr(json.buf, "secret") && !strstr(json.buf, "h1"),
	      "and never the URL, its password or the host names (reports travel)");
	sb_release(&json);
	sb_release(&err);
	char *rm = xasprintf("rm -rf %s", dir);
	system(rm);
	free(rm);
	free(log);
	free(ccdir);
	free(fake);
	free(path);
	free(saved_path);
	UNIT_EXIT();
}
