#ifndef REDUCE_UTIL_H
#define REDUCE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in README.md and --help. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* the run failed: baseline fails, build broken... */
	EXIT_USAGE = 2,     /* bad command line or bad input file */
	EXIT_INTERRUPT = 130,
};

extern const char *progname;

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Dies for a failed write of path with errno's reason: on a full disk,
 * "no space left on MOUNT (FSTYPE) while writing PATH", which names what
 * to clean up; otherwise "cannot write PATH: REASON". */
void die_writing(const char *path) __attribute__((noreturn));
/* Whether the file system holding path has (almost) no space left: a
 * child that failed to write there (xz, make, QEMU's console) does not
 * say so in a way we can read. */
int disk_full(const char *path);
/* The mount point and file system type holding path (or its nearest
 * existing parent), e.g. "/tmp (tmpfs)". Static storage. */
const char *mount_of(const char *path);
/* Registered function run by die() before exiting, so that a fatal error
 * still kills QEMU and removes half-written output. */
void set_die_cleanup(void (*fn)(void));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable string; always NUL-terminated. */
struct strbuf {
	char *buf;
	size_t len, alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
/* For qsort() and bsearch() over an array of strings. */
int strptr_cmp(const void *a, const void *b);
/* Whether `line` is one whole line of `text`. */
int has_line(const char *text, const char *line);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_release(struct strbuf *sb);

/* A growable array of strings. */
struct strvec {
	char **v;
	size_t n, alloc;
};
#define STRVEC_INIT { NULL, 0, 0 }
void sv_push(struct strvec *sv, const char *s);
/* Sets of strings: pushes s only if it is not there yet. */
int sv_has(const struct strvec *sv, const char *s);
void sv_push_unique(struct strvec *sv, const char *s);
void sv_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_clear(struct strvec *sv);
/* The strings of sorted a that sorted b lacks, in order: one merge walk. */
void sv_sorted_minus(const struct strvec *a, const struct strvec *b, struct strvec *out);

int read_file(const char *path, struct strbuf *out);
/* The last `lines` lines of a file (a failed child's log), appended to out. */
void tail_file(const char *path, int lines, struct strbuf *out);
/* Write via a temporary file and rename(), so that a crash or Ctrl-C never
 * leaves a half-written file behind. */
int write_file_atomic(const char *path, const char *data, size_t len);
int copy_file(const char *src, const char *dst);
/* The same, on disk before it is renamed into place: for caches that
 * every later run trusts. */
int copy_file_durable(const char *src, const char *dst);
int mkdir_p(const char *path);
int rm_rf(const char *path);
int file_exists(const char *path);
int is_executable(const char *path);
long long file_size(const char *path);

uint64_t now_ms(void);
/* 40 hex digits of the git blob id of the data: a content hash that other
 * tools can reproduce with `git hash-object`. */
void content_hash(const void *data, size_t len, char out[41]);
/* A fast 64-bit hash (FNV-1a) for in-memory lookups, not for names on disk. */
uint64_t fnv1a64(const void *data, size_t len);
int file_hash(const char *path, char out[41]);

/* The directory for caches shared by runs: $REDUCE_CACHE, else
 * $XDG_CACHE_HOME/reduce, else ~/.cache/reduce. */
const char *cache_dir(void);

#endif
