#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void config_parse(const char *text, struct config *c)
{
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		if ((n > 7 && !strncmp(p, "CONFIG_", 7)) || (n > 9 && !strncmp(p, "# CONFIG_", 9))) {
			char *line = xstrndup(p, n);
			sv_push(&c->lines, line);
			free(line);
		}
		p += n + (p[n] == '\n');
	}
}

int config_append(const char *path, const char *fragment)
{
	struct strbuf conf = STRBUF_INIT, frag = STRBUF_INIT;
	int ret = -1;
	if (read_file(path, &conf) == 0 && read_file(fragment, &frag) == 0) {
		if (conf.len && conf.buf[conf.len - 1] != '\n')
			sb_adds(&conf, "\n");
		sb_add(&conf, frag.buf, frag.len);
		ret = write_file_atomic(path, conf.buf, conf.len);
	}
	sb_release(&conf);
	sb_release(&frag);
	return ret;
}

int config_read(const char *path, struct config *c)
{
	struct strbuf text = STRBUF_INIT;
	if (read_file(path, &text) < 0)
		return -1;
	config_parse(text.buf, c);
	sb_release(&text);
	return 0;
}

void config_load(const char *path, struct config *c)
{
	if (config_read(path, c) < 0)
		die("cannot read %s: %s", path, strerror(errno));
}

void config_release(struct config *c)
{
	sv_clear(&c->lines);
}

void config_hash(const struct config *c, char out[41])
{
	struct strbuf sem = STRBUF_INIT;
	for (size_t i = 0; i < c->lines.n; i++) {
		sb_adds(&sem, c->lines.v[i]);
		sb_adds(&sem, "\n");
	}
	content_hash(sem.buf ? sem.buf : "", sem.len, out);
	sb_release(&sem);
}

int config_file_hash(const char *path, char out[41])
{
	struct config c = CONFIG_INIT;
	if (config_read(path, &c) < 0)
		return -1;
	config_hash(&c, out);
	config_release(&c);
	return 0;
}

static int is_setting(const char *line)
{
	return !strncmp(line, "CONFIG_", 7) && strchr(line, '=');
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

int config_count_enabled(const struct config *c)
{
	int n = 0;
	for (size_t i = 0; i < c->lines.n; i++)
		n += is_setting(c->lines.v[i]) && (ends_with(c->lines.v[i], "=y") ||
						   ends_with(c->lines.v[i], "=m"));
	return n;
}

int config_is_y(const struct config *c, const char *name)
{
	char *line = xasprintf("CONFIG_%s=y", name);
	int on = sv_has(&c->lines, line);
	free(line);
	return on;
}

void config_settings(const struct config *c, struct strvec *out)
{
	size_t first = out->n;
	for (size_t i = 0; i < c->lines.n; i++)
		if (is_setting(c->lines.v[i]))
			sv_push(out, c->lines.v[i]);
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), strptr_cmp);
}

void config_turned_off(const struct config *from, const struct config *to, struct strvec *out)
{
	struct strvec on = STRVEC_INIT;
	config_settings(to, &on);
	for (size_t i = 0; i < from->lines.n; i++) {
		const char *l = from->lines.v[i];
		if (!is_setting(l) || !ends_with(l, "=y") ||
		    bsearch(&l, on.v, on.n, sizeof(*on.v), strptr_cmp))
			continue;
		char *name = xstrndup(l, strlen(l) - 2);
		sv_push(out, name);
		free(name);
	}
	sv_clear(&on);
}

/* The index in the sorted settings v of the line that sets the option
 * `line` sets, or -1. */
static long find_option(const struct strvec *v, const char *line)
{
	size_t n = strcspn(line, "=");
	for (size_t i = 0; i < v->n; i++)
		if (strcspn(v->v[i], "=") == n && !strncmp(v->v[i], line, n))
			return (long)i;
	return -1;
}

void config_diff(const struct config *a, const struct config *b, struct strvec *only_a,
		 struct strvec *only_b, struct strvec *changed)
{
	struct strvec sa = STRVEC_INIT, sb = STRVEC_INIT, oa = STRVEC_INIT, ob = STRVEC_INIT;
	config_settings(a, &sa);
	config_settings(b, &sb);
	sv_sorted_minus(&sa, &sb, &oa);
	sv_sorted_minus(&sb, &sa, &ob);
	/* An option in both with another value is one change, not two. */
	for (size_t i = 0; i < oa.n; i++) {
		long j = find_option(&ob, oa.v[i]);
		if (j >= 0)
			sv_pushf(changed, "%s → %s", oa.v[i], strchr(ob.v[j], '=') + 1);
		else
			sv_push(only_a, oa.v[i]);
	}
	for (size_t j = 0; j < ob.n; j++)
		if (find_option(&oa, ob.v[j]) < 0)
			sv_push(only_b, ob.v[j]);
	sv_clear(&sa);
	sv_clear(&sb);
	sv_clear(&oa);
	sv_clear(&ob);
}
