#define _GNU_SOURCE
#include "rootfs.h"
#include "oci.h"
#include "unpack.h"
#include "debian.h"
#include "child.h"
#include "initconf.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes gpath into the tree at dir, where a chroot into dir would put
 * it: an image's tree is untrusted, and a symlink among gpath's
 * directories must not lead the write out of it. What is written (and the
 * directories made for it) has no setuid or setgid bits, whatever the
 * image had there: "0000 PATH" records go to setid (if given) once it
 * holds any. */
static int write_guest_file(const char *dir, const char *gpath, const char *data, mode_t mode,
			    struct strvec *setid)
{
	char *bad = NULL;
	struct strvec made = STRVEC_INIT;
	char *rel = unpack_resolve(dir, gpath + 1, &made, &bad);
	if (!rel) {
		free(bad);
		errno = ELOOP;
		return -1;
	}
	char *full = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(full, '/');
	*slash = '\0';
	int ret = mkdir_p(full);
	*slash = '/';
	if (!ret)
		ret = write_file_atomic(full, data, strlen(data));
	if (!ret)
		ret = chmod(full, mode);
	if (setid && setid->n) {
		for (size_t i = 0; i < made.n; i++)
			sv_pushf(setid, "0000 %s", made.v[i]);
		sv_pushf(setid, "0000 %s", rel);
	}
	sv_clear(&made);
	free(full);
	free(rel);
	return ret;
}

/* The BusyBox base: the static busybox binary with every applet linked, as
 * a BusyBox-based distribution installs it, plus the files any Unix tool
 * expects. The reducer strips what the app does not use. */
static int stage_busybox(const char *dir, struct strbuf *err)
{
	const char *busybox = getenv("REDUCE_BUSYBOX") ? getenv("REDUCE_BUSYBOX") : "/bin/busybox";
	char *bin = xasprintf("%s/bin", dir), *dst = xasprintf("%s/bin/busybox", dir);
	char *list = xasprintf("%s.applets", dir);
	int ret = -1;
	struct strbuf sb = STRBUF_INIT;
	if (!is_executable(busybox)) {
		sb_addf(err, "%s not found: install busybox-static (make deps)", busybox);
		goto out;
	}
	if (mkdir_p(bin) < 0 || copy_file(busybox, dst) < 0 || chmod(dst, 0755) < 0) {
		sb_addf(err, "cannot copy %s into %s: %s", busybox, dir, strerror(errno));
		goto out;
	}
	const char *argv[] = { busybox, "--list-full", NULL };
	struct child_process cp = { .argv = argv, .out_path = list, .timeout_ms = 10000 };
	unlink(list);
	if (child_run(&cp) != 0 || read_file(list, &sb) < 0) {
		sb_addf(err, "%s --list-full failed", busybox);
		goto out;
	}
	for (char *line = strtok(sb.buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strcmp(line, "bin/busybox") || strchr(line, ' ') || strstr(line, ".."))
			continue;
		char *link = xasprintf("%s/%s", dir, line);
		char *parent = xstrdup(link);
		*strrchr(parent, '/') = '\0';
		mkdir_p(parent);
		if (symlink("/bin/busybox", link) < 0 && errno != EEXIST) {
			sb_addf(err, "cannot create %s: %s", link, strerror(errno));
			free(link);
			free(parent);
			goto out;
		}
		free(link);
		free(parent);
	}
	if (write_guest_file(dir, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644, NULL) ||
	    write_guest_file(dir, "/etc/group", "root:x:0:\n", 0644, NULL) ||
	    write_guest_file(dir, "/etc/hostname", "reduce\n", 0644, NULL)) {
		sb_addf(err, "cannot write /etc in %s", dir);
		goto out;
	}
	ret = 0;
out:
	unlink(list);
	sb_release(&sb);
	free(bin);
	free(dst);
	free(list);
	return ret;
}

/* An unpacking's setuid/setgid record, appended to `setid`. */
static void take_setid(struct strvec *setid, struct unpack_stats *st)
{
	for (size_t i = 0; i < st->setid.n; i++)
		sv_push(setid, st->setid.v[i]);
	sv_clear(&st->setid);
}

/* The user's own tree: an archive (untrusted: see unpack.h) or a
 * directory, which is packed as an archive first so that the same rules
 * apply to it (nothing it links to outside comes in). */
static int stage_given(const struct profile *p, const char *dir, struct strvec *setid, struct strbuf *err)
{
	struct unpack_stats st = { 0 };
	const char *file = p->rootfs_src;
	char *packed = NULL;
	if (!strcmp(p->rootfs, "dir")) {
		packed = xasprintf("%s.tar", dir);
		const char *argv[] = { "tar", "-C", p->rootfs_src, "-cf", packed, ".", NULL };
		struct child_process cp = { .argv = argv, .inherit_stderr = 1, .timeout_ms = 3600000 };
		if (child_run(&cp) != 0) {
			sb_addf(err, "cannot read the directory %s", p->rootfs_src);
			unlink(packed);
			free(packed);
			return -1;
		}
		file = packed;
	}
	int rc = archive_unpack(file, dir, 0, 0, &st, err);
	if (packed) {
		unlink(packed);
		free(packed);
	}
	if (rc == 0 && st.skipped)
		info("rootfs: %ld device nodes, fifos or sockets of %s left out", st.skipped, p->rootfs_src);
	take_setid(setid, &st);
	return rc;
}

/* A command named without a path, as images' Entrypoints often are,
 * found along the app's PATH in the staged tree (init runs it with
 * execve, which searches nothing). */
static void resolve_cmd(struct profile *p, const char *dir)
{
	size_t n = strcspn(p->cmd, " ");
	if (memchr(p->cmd, '/', n))
		return;
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; i < p->env.n; i++)
		if (!strncmp(p->env.v[i], "PATH=", 5))
			path = p->env.v[i] + 5;
	for (const char *d = path; *d; d += strcspn(d, ":"), d += *d == ':') {
		int dl = (int)strcspn(d, ":");
		char *cand = xasprintf("%s%.*s/%.*s", dir, dl, d, (int)n, p->cmd);
		struct stat st;
		if (dl && d[0] == '/' && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			char *cmd = xasprintf("%.*s/%s", dl, d, p->cmd);
			free(p->cmd);
			p->cmd = cmd;
			free(cand);
			return;
		}
		free(cand);
	}
}

/* NAME or UID, from the tree's passwd or group file: -1 if unknown. A
 * number is taken as it is; `group` gets the primary group of the user
 * found by name or number. */
static long lookup_id(const char *dir, const char *file, const char *name, long *group)
{
	char *end;
	long id = strtol(name, &end, 10);
	int numeric = *name && !*end;
	char *path = xasprintf("%s/etc/%s", dir, file);
	struct strbuf sb = STRBUF_INIT;
	long found = -1;
	if (read_file(path, &sb) == 0)
		for (char *l = strtok(sb.buf, "\n"); l && found < 0; l = strtok(NULL, "\n")) {
			char *f[4] = { l, NULL, NULL, NULL };
			for (int i = 1; i < 4 && f[i - 1]; i++)
				f[i] = strchr(f[i - 1], ':') ? strchr(f[i - 1], ':') + 1 : NULL;
			if (!f[2] || (numeric ? atol(f[2]) != id || !isdigit((unsigned char)*f[2])
					      : strncmp(l, name, strlen(name)) || l[strlen(name)] != ':'))
				continue;
			found = atol(f[2]);
			if (group && f[3])
				*group = atol(f[3]);
		}
	free(path);
	sb_release(&sb);
	return numeric ? id : found;
}

/* "user UID GID" for init, from the profile's or the image's user. */
static int user_line(const struct profile *p, const char *dir, struct strbuf *conf, struct strbuf *err)
{
	if (!p->user)
		return 0;
	char *u = xstrdup(p->user), *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	long gid = -1;
	long uid = lookup_id(dir, "passwd", u, &gid);
	if (g)
		gid = lookup_id(dir, "group", g, NULL);
	else if (gid < 0 && uid >= 0)
		gid = 0; /* a uid passwd does not list: group 0, as container runtimes do */
	int rc = 0;
	if (uid < 0 || gid < 0) {
		sb_addf(err, "%s: user %s: no such %s in the image's /etc/%s", p->path, p->user,
			uid < 0 ? "user" : "group", uid < 0 ? "passwd" : "group");
		rc = -1;
	} else {
		sb_addf(conf, "user %ld %ld\n", uid, gid);
	}
	free(u);
	return rc;
}

int rootfs_stage(struct profile *p, const char *root, const char *dir, const char *init_bin,
		 struct strvec *setid, struct strbuf *err)
{
	if (rm_rf(dir) < 0 || mkdir_p(dir) < 0) {
		sb_addf(err, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!strcmp(p->rootfs, "busybox")) {
		if (stage_busybox(dir, err) < 0)
			return -1;
	} else if (!strcmp(p->rootfs, "tar") || !strcmp(p->rootfs, "dir")) {
		if (stage_given(p, dir, setid, err) < 0)
			return ROOTFS_BAD_INPUT;
	} else if (profile_is_image(p)) {
		char *path;
		struct oci_image img;
		struct unpack_stats st = { 0 };
		int rc = oci_open_kind(p->rootfs, p->rootfs_src, &img, &path, err);
		if (rc == 0)
			rc = oci_unpack(&img, dir, &st, err);
		take_setid(setid, &st);
		oci_release(&img);
		free(path);
		if (rc < 0)
			return ROOTFS_BAD_INPUT;
		resolve_cmd(p, dir);
	} else if (debian_stage(root, &p->packages, dir, err) < 0) {
		return -1;
	}
	/* What reduce writes itself replaces what the image had there, and
	 * the image's bits with it: /init is never setuid. */
	for (size_t i = 0; i + 1 < p->files.n; i += 2)
		if (write_guest_file(dir, p->files.v[i], p->files.v[i + 1], 0644, setid) < 0) {
			sb_addf(err, "cannot write %s into %s: %s", p->files.v[i], dir, strerror(errno));
			return -1;
		}
	if (setid->n) {
		sv_push(setid, "0000 init");
		sv_push(setid, "0000 init.conf");
	}

	struct strbuf conf = STRBUF_INIT;
	sb_addf(&conf, "cmd %s\nworkdir %s\n", p->cmd, p->workdir ? p->workdir : "/");
	if (user_line(p, dir, &conf, err) < 0) {
		sb_release(&conf);
		return ROOTFS_BAD_INPUT;
	}
	for (int i = 0; i < p->nports; i++)
		sb_addf(&conf, "port %d\n", p->ports[i]);
	for (size_t i = 0; i < p->env.n; i++)
		sb_addf(&conf, "env %s\n", p->env.v[i]);
	/* What init would cut short (an image's settings are not bounded
	 * by a profile's syntax) is refused, never passed on truncated. */
	const char *why = initconf_check_cmd(p->cmd);
	if (why || p->env.n > INIT_MAX_ENV || conf.len >= INIT_CONF_MAX) {
		if (why)
			sb_addf(err, "%s: %s", p->path, why);
		else if (p->env.n > INIT_MAX_ENV)
			sb_addf(err, "%s: %zu env settings, more than the %d init takes", p->path, p->env.n,
				INIT_MAX_ENV);
		else
			sb_addf(err, "%s: the app's settings take %zu bytes, more than the %d init reads", p->path,
				conf.len, INIT_CONF_MAX - 1);
		sb_release(&conf);
		return ROOTFS_BAD_INPUT;
	}
	int ret = write_guest_file(dir, "/init.conf", conf.buf, 0644, NULL);
	sb_release(&conf);
	char *init_dst = xasprintf("%s/init", dir);
	if (ret < 0 || copy_file(init_bin, init_dst) < 0 || chmod(init_dst, 0755) < 0) {
		sb_addf(err, "cannot install %s as /init: %s", init_bin, strerror(errno));
		free(init_dst);
		return -1;
	}
	free(init_dst);
	char *app = xasprintf("%s%.*s", dir, (int)strcspn(p->cmd, " "), p->cmd);
	struct stat st;
	if (lstat(app, &st) < 0) {
		sb_addf(err, "%s: the app's command %.*s does not exist in the root filesystem",
			p->path, (int)strcspn(p->cmd, " "), p->cmd);
		free(app);
		return ROOTFS_BAD_INPUT;
	}
	free(app);
	return 0;
}

static struct strvec scan_paths;
static size_t scan_prefix;

static int scan_one(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	if (strlen(fpath) > scan_prefix)
		sv_push(&scan_paths, fpath + scan_prefix + 1);
	return 0;
}

static int is_kept(const struct profile *p, const char *rel)
{
	if (!strcmp(rel, "init") || !strcmp(rel, "init.conf"))
		return 1;
	for (size_t i = 0; i < p->keep.n; i++) {
		const char *k = p->keep.v[i] + 1;
		size_t len = strlen(k);
		if (!strncmp(rel, k, len) && (rel[len] == '\0' || rel[len] == '/'))
			return 1;
	}
	return 0;
}

int rootfs_scan(const char *dir, const struct profile *p, const struct strvec *setid, struct rootfs *rf)
{
	memset(rf, 0, sizeof(*rf));
	rf->root = xstrdup(dir);
	scan_prefix = strlen(dir);
	sv_clear(&scan_paths);
	if (nftw(dir, scan_one, 32, FTW_PHYS) < 0)
		return error("cannot scan %s: %s", dir, strerror(errno));

	int n = scan_paths.n;
	char **pairs = scan_paths.v;
	qsort(pairs, n, sizeof(char *), strptr_cmp);
	rf->n = n;
	rf->path = xmalloc(n * sizeof(char *));
	rf->parent = xmalloc(n * sizeof(int));
	rf->bytes = xmalloc(n * sizeof(long));
	rf->node = xmalloc(n * sizeof(int));
	rf->setid = xcalloc(n ? n : 1, sizeof(unsigned));
	/* In order: the last record of a path holds. */
	for (size_t j = 0; setid && j < setid->n; j++) {
		char *path = strchr(setid->v[j], ' ') + 1;
		char **hit = bsearch(&path, pairs, n, sizeof(char *), strptr_cmp);
		if (hit)
			rf->setid[hit - pairs] = (unsigned)strtoul(setid->v[j], NULL, 8) & 06000;
	}
	for (int i = 0; i < n; i++) {
		rf->path[i] = xstrdup(pairs[i]);
		struct stat st;
		char *full = xasprintf("%s/%s", dir, rf->path[i]);
		rf->bytes[i] = lstat(full, &st) == 0 && !S_ISDIR(st.st_mode) ? (long)st.st_size : 0;
		free(full);
		rf->parent[i] = -1;
		char *slash = strrchr(rf->path[i], '/');
		if (slash) {
			*slash = '\0';
			char **hit = bsearch(&rf->path[i], pairs, n, sizeof(char *), strptr_cmp);
			*slash = '/';
			if (hit)
				rf->parent[i] = hit - pairs;
		}
	}
	sv_clear(&scan_paths);

	/* Removable entries become tree nodes; ancestors of kept entries are
	 * grouping nodes that are never removed as items themselves. */
	unsigned char *anc = xcalloc(n, 1);
	for (int i = 0; i < n; i++)
		if (is_kept(p, rf->path[i]))
			for (int a = rf->parent[i]; a >= 0; a = rf->parent[a])
				anc[a] = 1;
	rf->tparent = xmalloc(n * sizeof(int));
	rf->tweight = xcalloc(n, sizeof(long));
	rf->tgroup = xcalloc(n, 1);
	rf->entry = xmalloc(n * sizeof(int));
	for (int i = 0; i < n; i++) {
		rf->node[i] = -1;
		if (is_kept(p, rf->path[i]))
			continue;
		int k = rf->nnodes++;
		rf->node[i] = k;
		rf->entry[k] = i;
		rf->tparent[k] = rf->parent[i] >= 0 ? rf->node[rf->parent[i]] : -1;
		rf->tgroup[k] = anc[i];
	}
	/* Entries come parents first, so summing backwards gives subtree sizes. */
	for (int k = rf->nnodes - 1; k >= 0; k--) {
		rf->tweight[k] += rf->bytes[rf->entry[k]] + 1;
		if (rf->tparent[k] >= 0)
			rf->tweight[rf->tparent[k]] += rf->tweight[k];
	}
	free(anc);
	return 0;
}

struct search_tree rootfs_tree(const struct rootfs *rf)
{
	struct search_tree t = { .n = rf->nnodes, .parent = rf->tparent, .weight = rf->tweight,
				 .group = rf->tgroup };
	return t;
}

void rootfs_included(const struct rootfs *rf, const unsigned char *removed, unsigned char *incl)
{
	for (int i = 0; i < rf->n; i++)
		incl[i] = rf->node[i] < 0 || !removed || !removed[rf->node[i]];
	for (int i = rf->n - 1; i >= 0; i--)
		if (incl[i] && rf->parent[i] >= 0)
			incl[rf->parent[i]] = 1;
}

void rootfs_manifest(const struct rootfs *rf, const unsigned char *incl, struct strbuf *out)
{
	for (int i = 0; i < rf->n; i++)
		if (incl[i])
			sb_addf(out, "/%s\n", rf->path[i]);
}

int rootfs_count(const struct rootfs *rf, const unsigned char *incl)
{
	int c = 0;
	for (int i = 0; i < rf->n; i++)
		c += incl[i];
	return c;
}
