#include "profile.h"
#include "initconf.h"
#include "oci.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* "\n" and "\\" escapes let a one-line `file` entry carry a whole file. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 2), *o = out;
	for (; *s; s++) {
		if (*s == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else if (*s == '\\' && s[1] == '\\') {
			*o++ = '\\';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int valid_guest_path(const char *s)
{
	return s[0] == '/' && !strstr(s, "/../") && strcmp(s, "/") &&
	       !strstr(s, "//") && s[strlen(s) - 1] != '/' &&
	       strcmp(s, "/init") && strcmp(s, "/init.conf");
}

#define FAIL(...) do { \
	sb_addf(err, "%s:%d: ", path, lineno); \
	sb_addf(err, __VA_ARGS__); \
	goto fail; \
} while (0)

void profile_init(struct profile *p, const char *name, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->path = xstrdup(path);
	p->rootfs = xstrdup("busybox");
	p->memory_mb = 128;
}

int profile_is_image(const struct profile *p)
{
	return p->rootfs && (!strcmp(p->rootfs, "oci") || !strcmp(p->rootfs, "docker-archive"));
}

int profile_parse(const char *path, const char *name, struct profile *p, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int lineno = 0;
	profile_init(p, name, path);
	if (read_file(path, &text) < 0) {
		sb_addf(err, "cannot read profile %s", path);
		return -1;
	}
	char *save = NULL;
	for (char *line = text.buf; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		while (isspace((unsigned char)*line))
			line++;
		if (!*line || *line == '#')
			continue;
		char *val = line;
		while (*val && !isspace((unsigned char)*val))
			val++;
		if (*val)
			*val++ = '\0';
		while (isspace((unsigned char)*val))
			val++;
		for (char *e = val + strlen(val); e > val && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		const char *key = line;
		if (!*val)
			FAIL("'%s' needs a value", key);

		if (!strcmp(key, "description")) {
			free(p->description);
			p->description = xstrdup(val);
		} else if (!strcmp(key, "rootfs")) {
			size_t kind = strcspn(val, " \t");
			const char *src = val + kind + strspn(val + kind, " \t");
			int docker = kind == 14 && !strncmp(val, "docker-archive", 14);
			int takes_src = (kind == 3 && !strncmp(val, "tar", 3)) ||
					(kind == 3 && !strncmp(val, "dir", 3)) ||
					(kind == 3 && !strncmp(val, "oci", 3)) || docker;
			if (!takes_src && strcmp(val, "busybox") && strcmp(val, "debian"))
				FAIL("rootfs must be 'busybox', 'debian', 'tar FILE', 'dir PATH', "
				     "'oci PATH[:TAG]' or 'docker-archive FILE[:TAG]', not '%s'", val);
			if (takes_src && !*src)
				FAIL("rootfs %.*s needs a path", (int)kind, val);
			free(p->rootfs);
			free(p->rootfs_src);
			p->rootfs = xstrndup(val, kind);
			p->rootfs_src = NULL;
			if (takes_src) {
				/* Relative to the profile, wherever reduce runs. */
				char *pdir = xstrdup(path);
				char *slash = strrchr(pdir, '/');
				if (slash)
					*slash = '\0';
				p->rootfs_src = src[0] == '/' || !slash ? xstrdup(src) : xasprintf("%s/%s", pdir, src);
				free(pdir);
				struct stat st;
				int want_dir = (val[0] == 'd' && !docker) || val[0] == 'o';
				/* An image's tag is checked when the image is read. */
				char *tag = NULL, *on_disk = val[0] == 'o' ? oci_split(p->rootfs_src, &tag) :
					docker ? oci_docker_split(p->rootfs_src, &tag) : xstrdup(p->rootfs_src);
				free(tag);
				int missing = stat(on_disk, &st) < 0;
				free(on_disk);
				if (missing)
					FAIL("rootfs %.*s %s: %s", (int)kind, val, src, strerror(errno));
				if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
					FAIL("rootfs %.*s %s: not a %s", (int)kind, val, src,
					     want_dir ? "directory" : "file");
			}
		} else if (!strcmp(key, "packages")) {
			for (char *tok = strtok(val, " \t"); tok; tok = strtok(NULL, " \t")) {
				for (const char *c = tok; *c; c++)
					if (!isalnum((unsigned char)*c) && !strchr("+-.", *c))
						FAIL("'%s' is not a Debian package name", tok);
				sv_push(&p->packages, tok);
			}
		} else if (!strcmp(key, "cmd")) {
			if (val[0] != '/')
				FAIL("cmd must start with an absolute path, not '%s'", val);
			if (strcspn(val, "'\\\"") < strcspn(val, " "))
				FAIL("cmd's program name cannot be quoted or escaped");
			const char *why = initconf_check_cmd(val);
			if (why)
				FAIL("%s", why);
			free(p->cmd);
			p->cmd = xstrdup(val);
		} else if (!strcmp(key, "port")) {
			int port;
			if (parse_int(val, 1, 65535, &port) < 0)
				FAIL("port must be a number from 1 to 65535, not '%s'", val);
			if (p->nports == PROFILE_MAX_PORTS)
				FAIL("at most %d ports", PROFILE_MAX_PORTS);
			p->ports[p->nports++] = port;
		} else if (!strcmp(key, "memory")) {
			if (parse_int(val, PROFILE_MIN_MEMORY_MB, 65536, &p->memory_mb) < 0)
				FAIL("memory must be MiB from %d to 65536, not '%s'", PROFILE_MIN_MEMORY_MB,
				     val);
		} else if (!strcmp(key, "network")) {
			if (strcmp(val, "isolated") && strcmp(val, "outbound"))
				FAIL("network must be isolated or outbound, not '%s'", val);
			p->outbound = !strcmp(val, "outbound");
		} else if (!strcmp(key, "keep")) {
			if (!valid_guest_path(val))
				FAIL("keep needs an absolute guest path, not '%s'", val);
			sv_push(&p->keep, val);
		} else if (!strcmp(key, "env")) {
			if (!strchr(val, '=') || val[0] == '=' || strcspn(val, " \t") < strcspn(val, "="))
				FAIL("env needs NAME=VALUE, a NAME without blanks, not '%s'", val);
			sv_push(&p->env, val);
		} else if (!strcmp(key, "user")) {
			for (const char *c = val; *c; c++)
				if (!isalnum((unsigned char)*c) && !strchr("_.-:", *c))
					FAIL("user must be NAME, UID, NAME:GROUP or UID:GID, not '%s'", val);
			free(p->user);
			p->user = xstrdup(val);
		} else if (!strcmp(key, "workdir")) {
			if (val[0] != '/')
				FAIL("workdir must be an absolute path");
			free(p->workdir);
			p->workdir = xstrdup(val);
		} else if (!strcmp(key, "file")) {
			char *content = val;
			while (*content && !isspace((unsigned char)*content))
				content++;
			if (*content)
				*content++ = '\0';
			if (!valid_guest_path(val))
				FAIL("file needs an absolute guest path, not '%s'", val);
			char *data = unescape(content);
			sv_push(&p->files, val);
			sv_push(&p->files, data);
			free(data);
		} else {
			FAIL("unknown key '%s'", key);
		}
	}
	lineno = 0;
	/* An image's config may say it instead (reduce_run applies it). */
	if (!p->cmd && !profile_is_image(p)) {
		sb_addf(err, "%s: no 'cmd' line: the profile must say how to start the app", path);
		goto fail_nolines;
	}
	if (!strcmp(p->rootfs, "debian") && !p->packages.n) {
		sb_addf(err, "%s: rootfs debian needs a 'packages' line", path);
		goto fail_nolines;
	}
	sb_release(&text);
	return 0;
fail:
fail_nolines:
	sb_release(&text);
	return -1;
}

int valid_app_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

char *profile_path(const char *root, const char *app)
{
	if (strchr(app, '/'))
		return xstrdup(app);
	if (!valid_app_name(app))
		return NULL;
	return xasprintf("%s/profiles/%s.conf", root, app);
}

char *profile_name(const char *app)
{
	const char *base = strrchr(app, '/') ? strrchr(app, '/') + 1 : app;
	char *name = xstrdup(base);
	if (strstr(name, ".conf"))
		*strstr(name, ".conf") = '\0';
	return name;
}

void profile_list(const char *root, struct strbuf *out)
{
	char *dir = xasprintf("%s/profiles", root);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		if (len > 5 && !strcmp(ents[i]->d_name + len - 5, ".conf")) {
			if (out->len)
				sb_adds(out, ", ");
			sb_add(out, ents[i]->d_name, len - 5);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	free(dir);
}
