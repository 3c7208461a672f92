#ifndef REDUCE_COMPILE_H
#define REDUCE_COMPILE_H

#include "util.h"

/* Where a kernel build's compilations run. ccache is always in front of
 * gcc, with a local cache directory; it may also read and write a remote
 * storage that other machines share (REDUCE_CCACHE_REMOTE), and hand its
 * misses to distcc (REDUCE_DISTCC_HOSTS). Neither changes an object's
 * bytes, so neither is part of any image's or verdict's key. */
struct compilers {
	const char *remote;       /* ccache remote_storage URL, or NULL */
	const char *distcc_hosts; /* a DISTCC_HOSTS list, or NULL */
	int distcc_hosts_n;       /* how many hosts it names */
	int distcc_slots;         /* the sum of their /N (distcc's default where none:
				   * 4, and 2 for localhost) */
};

/* Reads REDUCE_CCACHE_REMOTE and REDUCE_DISTCC_HOSTS. -1 with a one-line
 * reason in err for a URL ccache cannot use, a host list with a bad /N,
 * or distcc asked for and not installed. */
int compilers_from_env(struct compilers *c, struct strbuf *err);
/* make's -j: the local processors, or the distcc hosts' slots if more. */
int compilers_jobs(const struct compilers *c, int local_jobs);
/* The NAME=VALUE entries the make's environment gets (CCACHE_DIR and the
 * rest), pushed onto env; `state_dir` (made if missing) holds distcc's
 * host state, and distcc writes what it did with each job to `distcc_log`. */
void compilers_env(const struct compilers *c, const char *ccache_dir, const char *state_dir,
		   const char *distcc_log, struct strvec *env);

/* What the compilations of one or more builds did, from ccache's counters
 * (of its directory, so a concurrent build on the same cache counts too)
 * and distcc's log (DISTCC_LOG) of each build. */
struct compile_counts {
	long long local_hits;     /* served from the local cache directory */
	long long remote_hits;    /* served from the remote storage */
	long long compiled;       /* misses: compiled (through distcc if it is on) */
	/* Every job distcc ran, the compilations ccache does not cache too
	 * (so these can add up to more than `compiled`): */
	long long distributed;    /* compiled by a distcc host */
	long long fell_back;      /* compiled here: no host took them, or distcc
				   * keeps their kind here */
	long long remote_errors;  /* remote storage errors and timeouts */
};

/* The JSON object report.json and reduce build's compile.json hold:
 * counts, seconds, and what was asked for (never the remote's URL or the
 * host names: reports travel). */
void compile_json(const struct compilers *c, const struct compile_counts *n, long long ms,
		  struct strbuf *out);
/* The counters of the cache directory now: -1 if ccache cannot say. */
int compile_counts_read(const char *ccache_dir, struct compile_counts *out);
/* after - before into *sum (added to what it holds). */
void compile_counts_add_delta(struct compile_counts *sum, const struct compile_counts *before,
			      const struct compile_counts *after);
/* What distcc did, from the log compilers_env() named: jobs compiled
 * by a host into *distributed, and here into *here. */
void compile_distcc_counts(const char *log, long long *distributed, long long *here);

#endif
