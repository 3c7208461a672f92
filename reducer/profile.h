#ifndef REDUCE_PROFILE_H
#define REDUCE_PROFILE_H

#include "util.h"

#define PROFILE_MAX_PORTS 8
/* The least guest memory a profile may give, and where the search for the
 * least memory an image runs in (min_memory_mib) starts: a Linux 6.1
 * x86-64 guest does not boot in less. */
#define PROFILE_MIN_MEMORY_MB 8

/* An app profile: one text file in profiles/, format in README.md. */
struct profile {
	char *name;
	char *path;
	char *description;
	char *rootfs;           /* "busybox", "debian", "tar", "dir", "oci" or "docker-archive" */
	char *rootfs_src;       /* for the others: the archive, directory, PATH[:TAG] or FILE[:TAG] */
	char *user;             /* NAME, UID, NAME:GROUP or UID:GID the app runs as; NULL: root */
	struct strvec packages; /* Debian packages, for rootfs debian */
	struct strvec files;    /* "GUESTPATH\0CONTENT" pairs, flattened */
	struct strvec keep;     /* guest paths never removed */
	struct strvec env;
	char *cmd;
	char *workdir;          /* NULL: the image's, or / */
	int ports[PROFILE_MAX_PORTS];
	int nports;
	int memory_mb;
	/* network outbound: the guest may open connections to the host and
	 * beyond; by default (isolated) it reaches nothing, and only the
	 * forwarded ports reach it. */
	int outbound;
};

/* A profile with every default: the busybox base, 128 MiB. */
void profile_init(struct profile *p, const char *name, const char *path);
/* Parses a profile file; on error returns -1 with a one-line message
 * naming the file and line in `err`. */
int profile_parse(const char *path, const char *name, struct profile *p, struct strbuf *err);
/* Finds profiles/<app>.conf (or takes `app` as a path if it has a '/'). */
char *profile_path(const char *root, const char *app);
/* Letters, digits, '-', '_' and '.': a name that is safe in a file name. */
int valid_app_name(const char *s);
/* The app's name for an --app (a name, or a profile's path): the file's
 * name without .conf. */
char *profile_name(const char *app);
void profile_list(const char *root, struct strbuf *out);

/* Whether the rootfs is a container image (oci, docker-archive), whose
 * config gives the defaults. */
int profile_is_image(const struct profile *p);

#endif
