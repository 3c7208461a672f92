#define _GNU_SOURCE
#include "kconfig.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A helper that hangs must not hang the run: each answer has this long.
 * (Loading the x86 tree takes seconds; a resolve, milliseconds.) */
#define ANSWER_MS (300 * 1000)

/* The helper's next line, without its newline, valid until the next call;
 * NULL if it died or did not answer in time (kc->timed_out). */
static char *read_reply(struct kconfig *kc)
{
	uint64_t deadline = now_ms() + ANSWER_MS;
	if (kc->rpos) {
		memmove(kc->rbuf.buf, kc->rbuf.buf + kc->rpos, kc->rbuf.len - kc->rpos);
		kc->rbuf.len -= kc->rpos;
		kc->rpos = 0;
	}
	for (size_t seen = 0;;) {
		char *nl = kc->rbuf.len > seen ? memchr(kc->rbuf.buf + seen, '\n', kc->rbuf.len - seen) : NULL;
		if (nl) {
			*nl = '\0';
			kc->rpos = nl - kc->rbuf.buf + 1;
			return kc->rbuf.buf;
		}
		seen = kc->rbuf.len;
		uint64_t now = now_ms();
		struct pollfd p = { .fd = kc->cp.out, .events = POLLIN };
		int r = now < deadline ? poll(&p, 1, (int)(deadline - now)) : 0;
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r == 0)
			kc->timed_out = 1;
		if (r <= 0)
			return NULL;
		char buf[4096];
		ssize_t n = read(kc->cp.out, buf, sizeof(buf));
		if (n <= 0)
			return NULL;
		sb_add(&kc->rbuf, buf, n);
	}
}

static const char *no_answer(const struct kconfig *kc)
{
	return kc->timed_out ? "did not answer within 300 s" : "died";
}

int kconfig_start(struct kconfig *kc, const char *helper, const char *srctree,
		  const char *base_config, const char *log_path)
{
	memset(kc, 0, sizeof(*kc));
	kc->base = xstrdup(base_config);
	static const char *argv[5];
	argv[0] = "/usr/bin/python3";
	argv[1] = helper;
	argv[2] = srctree;
	argv[3] = base_config;
	argv[4] = NULL;
	kc->cp.argv = argv;
	kc->cp.pipe_stdio = 1;
	kc->cp.out_path = log_path;
	if (child_start(&kc->cp) < 0)
		return error("cannot start the Kconfig helper");
	kc->in = fdopen(kc->cp.in, "w");
	char *r = read_reply(kc);
	if (!r || strncmp(r, "ready", 5))
		return error("Kconfig helper failed to start: %s (see %s)",
			     r ? r : no_answer(kc), log_path);

	fprintf(kc->in, "tree\n");
	fflush(kc->in);
	int alloc = 0;
	while ((r = read_reply(kc)) && strcmp(r, "end")) {
		int id, parent, group, off = 0;
		long weight;
		if (sscanf(r, "node %d %d %d %ld %n", &id, &parent, &group, &weight, &off) < 4 ||
		    id != kc->n)
			return error("Kconfig helper: bad tree line '%s'", r);
		if (kc->n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			kc->parent = xrealloc(kc->parent, alloc * sizeof(int));
			kc->weight = xrealloc(kc->weight, alloc * sizeof(long));
			kc->group = xrealloc(kc->group, alloc);
			kc->name = xrealloc(kc->name, alloc * sizeof(char *));
		}
		kc->parent[kc->n] = parent;
		kc->weight[kc->n] = weight;
		kc->group[kc->n] = group;
		kc->name[kc->n] = xstrdup(r + off);
		kc->n++;
	}
	if (!r)
		return error("Kconfig helper %s while listing the menu tree (see %s)", no_answer(kc),
			     log_path);
	return 0;
}

int kconfig_resolve(struct kconfig *kc, const char *out, char *const *syms, int nsyms)
{
	fprintf(kc->in, "resolve %s", out);
	for (int i = 0; i < nsyms; i++)
		fprintf(kc->in, " %s", syms[i]);
	fprintf(kc->in, "\n");
	fflush(kc->in);
	char *r = read_reply(kc);
	if (!r)
		return error("Kconfig helper %s", no_answer(kc));
	if (strncmp(r, "ok ", 3))
		return error("Kconfig helper: %s", r);
	return 0;
}

struct search_tree kconfig_tree(const struct kconfig *kc)
{
	struct search_tree t = { .n = kc->n, .parent = kc->parent, .weight = kc->weight,
				 .group = kc->group };
	return t;
}

void kconfig_stop(struct kconfig *kc)
{
	if (kc->in) {
		fprintf(kc->in, "quit\n");
		fclose(kc->in);
		kc->in = NULL;
	}
	if (kc->cp.pid)
		child_finish(&kc->cp, 2000);
	if (kc->cp.out > 0) {
		close(kc->cp.out);
		kc->cp.out = -1;
	}
	sb_release(&kc->rbuf);
}
