#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

const char *progname = "reduce";
static void (*die_cleanup)(void);

void set_die_cleanup(void (*fn)(void))
{
	die_cleanup = fn;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", progname, prefix, msg);
}

static void __attribute__((noreturn)) die_with(int code, const char *fmt, va_list ap)
{
	/* Cleanup first: it may end the process as interrupted, and then
	 * the error that the interrupt caused is not worth reporting. */
	if (die_cleanup) {
		void (*fn)(void) = die_cleanup;
		die_cleanup = NULL;
		fn();
	}
	vreport("error: ", fmt, ap);
	exit(code);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	die_with(EXIT_FAIL, fmt, ap);
}

void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	die_with(EXIT_USAGE, fmt, ap);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

const char *mount_of(const char *path)
{
	static char out[512];
	struct stat st;
	char *p = xstrdup(path);
	/* The nearest parent that exists: the file itself may not. */
	while (stat(p, &st) < 0 && strrchr(p, '/') && strrchr(p, '/') != p)
		*strrchr(p, '/') = '\0';
	if (stat(p, &st) < 0)
		st.st_dev = 0;
	free(p);
	snprintf(out, sizeof(out), "the device of %s", path);
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the
	 * third field is the device, the fifth the mount point; after the
	 * lone "-", the type. The last match wins (mounts stack). */
	while (f && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		char mnt[400], type[64];
		const char *dash = strstr(line, " - ");
		if (sscanf(line, "%*s %*s %u:%u %*s %399s", &maj, &min, mnt) == 3 && dash &&
		    sscanf(dash + 3, "%63s", type) == 1 && makedev(maj, min) == st.st_dev)
			snprintf(out, sizeof(out), "%s (%s)", mnt, type);
	}
	if (f)
		fclose(f);
	return out;
}

int disk_full(const char *path)
{
	struct statvfs vfs;
	char *p = xstrdup(path);
	while (statvfs(p, &vfs) < 0 && strrchr(p, '/') && strrchr(p, '/') != p)
		*strrchr(p, '/') = '\0';
	int ret = statvfs(p, &vfs) == 0 && (unsigned long long)vfs.f_bavail * vfs.f_frsize < 1024 * 1024;
	free(p);
	return ret;
}

void die_writing(const char *path)
{
	if (errno == ENOSPC || errno == EDQUOT)
		die("no space left on %s while writing %s", mount_of(path), path);
	die("cannot write %s: %s", path, strerror(errno));
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die("out of memory");
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->alloc) {
		sb->alloc = (sb->len + n + 1) * 2;
		sb->buf = xrealloc(sb->buf, sb->alloc);
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_adds(sb, s);
	free(s);
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

int sv_has(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void sv_sorted_minus(const struct strvec *a, const struct strvec *b, struct strvec *out)
{
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && strcmp(b->v[j], a->v[i]) < 0)
			j++;
		if (j == b->n || strcmp(b->v[j], a->v[i]))
			sv_push(out, a->v[i]);
	}
}

void sv_push_unique(struct strvec *sv, const char *s)
{
	if (!sv_has(sv, s))
		sv_push(sv, s);
}

void sv_push(struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = (sv->n + 2) * 2;
		sv->v = xrealloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void sv_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sv_push(sv, s);
	free(s);
}

void sv_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

int read_file(const char *path, struct strbuf *out)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_add(out, buf, n);
	close(fd);
	if (!out->buf)
		sb_add(out, "", 0);
	return n < 0 ? -1 : 0;
}

static int write_atomic(const char *path, const char *data, size_t len, int durable);

int write_file_atomic(const char *path, const char *data, size_t len)
{
	return write_atomic(path, data, len, 0);
}

static int write_atomic(const char *path, const char *data, size_t len, int durable)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			unlink(tmp);
			free(tmp);
			errno = saved;
			return -1;
		}
		data += n;
		len -= n;
	}
	int synced = !durable || fsync(fd) == 0;
	int saved_sync = errno;
	if (close(fd) < 0 || !synced || rename(tmp, path) < 0) {
		if (!synced)
			errno = saved_sync;
		int saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	return 0;
}

int copy_file(const char *src, const char *dst)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_file(src, &sb);
	if (!ret)
		ret = write_file_atomic(dst, sb.buf, sb.len);
	sb_release(&sb);
	return ret;
}

int copy_file_durable(const char *src, const char *dst)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_file(src, &sb);
	if (!ret)
		ret = write_atomic(dst, sb.buf, sb.len, 1);
	sb_release(&sb);
	return ret;
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int ret = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return ret;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void content_hash(const void *data, size_t len, char out[41])
{
	git_oid oid;
	git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB);
	git_oid_tostr(out, 41, &oid);
}

uint64_t fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int file_hash(const char *path, char out[41])
{
	struct strbuf sb = STRBUF_INIT;
	if (read_file(path, &sb) < 0)
		return -1;
	content_hash(sb.buf, sb.len, out);
	sb_release(&sb);
	return 0;
}

const char *cache_dir(void)
{
	static char *dir;
	const char *e;
	if (dir)
		return dir;
	if ((e = getenv("REDUCE_CACHE")) && *e)
		dir = xstrdup(e);
	else if ((e = getenv("XDG_CACHE_HOME")) && *e)
		dir = xasprintf("%s/reduce", e);
	else
		dir = xasprintf("%s/.cache/reduce", getenv("HOME") ? getenv("HOME") : "/tmp");
	if (mkdir_p(dir) < 0)
		die("cannot create cache directory %s", dir);
	return dir;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		die("out of memory");
	return p;
}

int strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

void tail_file(const char *path, int lines, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	if (read_file(path, &sb) < 0 || !sb.len) {
		sb_release(&sb);
		return;
	}
	int seen = 0;
	char *p = sb.buf + sb.len;
	while (p > sb.buf && seen <= lines)
		if (*--p == '\n')
			seen++;
	sb_adds(out, p == sb.buf ? p : p + 1);
	sb_release(&sb);
}
