#define _GNU_SOURCE
#include "debian.h"
#include "child.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

static char *value_of(const char *text, const char *key)
{
	size_t len = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, len)) {
			const char *v = l + len;
			while (*v == ' ' || *v == '"')
				v++;
			size_t n = strcspn(v, "\"\n");
			return strndup(v, n);
		}
	return NULL;
}

/* The first URI of a deb822 .sources stanza whose Suites has `release`. */
static char *mirror_from_sources(const char *text, const char *release)
{
	char *copy = xstrdup(text), *found = NULL;
	for (char *st = copy; st && !found;) {
		char *next = strstr(st, "\n\n");
		if (next)
			*next = '\0';
		char *suites = value_of(st, "Suites:"), *uris = value_of(st, "URIs:");
		char *types = value_of(st, "Types:");
		if (suites && uris && types && strstr(types, "deb")) {
			for (char *s = strtok(suites, " "); s; s = strtok(NULL, " "))
				if (!strcmp(s, release)) {
					found = xstrdup(strtok(uris, " "));
					break;
				}
		}
		free(suites);
		free(uris);
		free(types);
		st = next ? next + 2 : NULL;
	}
	free(copy);
	return found;
}

/* One-line style: "deb [opts] URL release components". */
static char *mirror_from_list(const char *text, const char *release)
{
	char *copy = xstrdup(text), *found = NULL;
	for (char *l = strtok(copy, "\n"); l && !found; l = strtok(NULL, "\n")) {
		char *w[8];
		int n = 0;
		for (char *t = strtok_r(l, " \t", &l); t && n < 8; t = strtok_r(NULL, " \t", &l))
			if (t[0] != '[' && !strchr(t, ']'))
				w[n++] = t;
		if (n >= 3 && !strcmp(w[0], "deb") && !strcmp(w[2], release))
			found = xstrdup(w[1]);
	}
	free(copy);
	return found;
}

int debian_release(char **release, char **mirror, struct strbuf *err)
{
	struct strbuf os = STRBUF_INIT;
	*release = *mirror = NULL;
	if (read_file("/etc/os-release", &os) == 0)
		*release = value_of(os.buf, "VERSION_CODENAME=");
	sb_release(&os);
	if (!*release || !**release) {
		sb_addf(err, "cannot tell this machine's Debian release from /etc/os-release");
		return -1;
	}
	struct strbuf text = STRBUF_INIT;
	if (read_file("/etc/apt/sources.list", &text) == 0)
		*mirror = mirror_from_list(text.buf, *release);
	DIR *d = opendir("/etc/apt/sources.list.d");
	struct dirent *e;
	while (!*mirror && d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *p = xasprintf("/etc/apt/sources.list.d/%s", e->d_name);
		sb_release(&text);
		if (read_file(p, &text) == 0) {
			if (len > 8 && !strcmp(e->d_name + len - 8, ".sources"))
				*mirror = mirror_from_sources(text.buf, *release);
			else if (len > 5 && !strcmp(e->d_name + len - 5, ".list"))
				*mirror = mirror_from_list(text.buf, *release);
		}
		free(p);
	}
	if (d)
		closedir(d);
	sb_release(&text);
	if (!*mirror) {
		sb_addf(err, "no Debian mirror for %s in this machine's apt sources", *release);
		return -1;
	}
	return 0;
}

int debian_stage(const char *root, const struct strvec *packages, const char *dir,
		 struct strbuf *err)
{
	char *release, *mirror;
	if (debian_release(&release, &mirror, err) < 0)
		return -1;
	/* The cache key: release, mirror and the sorted package list. */
	char **sorted = xmalloc((packages->n + 1) * sizeof(char *));
	memcpy(sorted, packages->v, packages->n * sizeof(char *));
	qsort(sorted, packages->n, sizeof(char *), strptr_cmp);
	struct strbuf key = STRBUF_INIT;
	sb_addf(&key, "%s %s", release, mirror);
	for (size_t i = 0; i < packages->n; i++)
		sb_addf(&key, " %s", sorted[i]);
	free(sorted);
	char hash[41];
	content_hash(key.buf, key.len, hash);
	char *cdir = xasprintf("%s/rootfs", cache_dir());
	mkdir_p(cdir);
	char *tar = xasprintf("%s/%s-%.12s.tar", cdir, release, hash);
	int ret = -1;
	if (!file_exists(tar)) {
		info("building the Debian %s root filesystem with debootstrap (once; about a minute)",
		     release);
		char *script = xasprintf("%s/rootfs/debian-rootfs.sh", root);
		struct strvec argv = STRVEC_INIT;
		sv_push(&argv, script);
		sv_push(&argv, tar);
		sv_push(&argv, release);
		sv_push(&argv, mirror);
		for (size_t i = 0; i < packages->n; i++)
			sv_push(&argv, packages->v[i]);
		char *log = xasprintf("%s.log", tar);
		unlink(log);
		struct child_process cp = { .argv = (const char *const *)argv.v, .out_path = log,
					    .timeout_ms = 1800 * 1000 };
		int st = child_run(&cp);
		sv_clear(&argv);
		free(script);
		if (st != 0) {
			struct strbuf msg = STRBUF_INIT;
			read_file(log, &msg);
			while (msg.len && msg.buf[msg.len - 1] == '\n')
				msg.buf[--msg.len] = '\0';
			for (char *c = msg.buf; c && *c; c++)
				if (*c == '\n')
					*c = ' ';
			sb_addf(err, "debootstrap of %s failed%s%s", key.buf,
				msg.len ? ": " : "", msg.len ? msg.buf : "");
			sb_release(&msg);
			free(log);
			goto out;
		}
		free(log);
	}
	/* Its time says when a run last used it (reduce cache --prune). */
	utimensat(AT_FDCWD, tar, NULL, 0);
	const char *argv[] = { "tar", "--numeric-owner", "-xf", tar, "-C", dir, NULL };
	struct child_process cp = { .argv = argv, .inherit_stderr = 1, .timeout_ms = 600 * 1000 };
	if (child_run(&cp) != 0) {
		sb_addf(err, "cannot unpack %s", tar);
		goto out;
	}
	ret = 0;
out:
	sb_release(&key);
	free(cdir);
	free(tar);
	free(release);
	free(mirror);
	return ret;
}
