#include "candlog.h"

int candlog_open(struct candlog *l, const char *path)
{
	l->n = 0;
	l->build_ms = l->trial_ms = 0;
	l->f = fopen(path, "we");
	if (!l->f)
		return -1;
	fputs("n\tphase\tverdict\tsource\tbuild_s\ttrial_s\tcount\tremoved\tmemory_mb\n", l->f);
	return 0;
}

void candlog_add(struct candlog *l, enum verdict v, const char *source, uint64_t build_ms,
		 uint64_t trial_ms, const struct strvec *what, int memory_mb)
{
	l->build_ms += build_ms;
	l->trial_ms += trial_ms;
	l->n++;
	if (!l->f)
		return;
	fprintf(l->f, "%d\t%s\t%s\t%s\t%.1f\t%.1f\t%zu\t", l->n, l->phase, verdict_names[v], source,
		build_ms / 1000.0, trial_ms / 1000.0, what->n);
	for (size_t i = 0; i < what->n; i++)
		fprintf(l->f, "%s%s", i ? " " : "", what->v[i]);
	fprintf(l->f, "\t%d\n", memory_mb);
	fflush(l->f);
}

void candlog_flush(struct candlog *l)
{
	if (l->f)
		fflush(l->f);
}

void candlog_close(struct candlog *l)
{
	if (l->f)
		fclose(l->f);
	l->f = NULL;
}
