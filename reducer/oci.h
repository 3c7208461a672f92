#ifndef REDUCE_OCI_H
#define REDUCE_OCI_H

#include "unpack.h"
#include "util.h"

#define OCI_MAX_PORTS 8

/* A container image in an OCI image layout (a directory as skopeo,
 * buildah and umoci write it: oci-layout, index.json, blobs/sha256/),
 * the one a tag names. Every blob read is checked against its digest;
 * the layout is untrusted input. */
struct oci_image {
	char *layout;           /* the layout directory, or the docker-archive file */
	char *archive;          /* a docker-archive's file: its layers are members of it */
	char *tag;              /* the ref.name (or RepoTag) it was found by, or NULL */
	char digest[72];        /* the manifest's: sha256:HEX */
	struct strvec layers;   /* the layers' blob files, bottom first */
	/* The defaults its config gives. */
	char *cmd;              /* Entrypoint then Cmd in init's syntax (initconf.h); NULL if neither */
	char *cmd_error;        /* why they cannot be the command, if so (cmd is NULL) */
	struct strvec env;      /* NAME=VALUE */
	char *workdir;
	char *user;             /* as written: "uid[:gid]" or names; NULL */
	int ports[OCI_MAX_PORTS];
	int nports;
};

/* Reads the layout's index, the manifest `tag` names (or its only one),
 * and the image config. -1 with a one-line reason naming the file. */
int oci_open(const char *layout, const char *tag, struct oci_image *img, struct strbuf *err);
/* A `docker save` / `podman save` archive: manifest.json, the image
 * config and the layers, members of one tar (read in place, not written
 * out first). tag picks a RepoTags entry, whole ("app:v1") or after its
 * ':' ("v1"); without one the archive must hold one image. The digest is
 * the config's (Docker's image ID). */
int oci_open_docker_archive(const char *file, const char *tag, struct oci_image *img,
			    struct strbuf *err);
/* kind "oci" (PATH[:TAG]) or "docker-archive" (FILE[:TAG]): opens either;
 * *path gets the layout or file (allocated). */
int oci_open_kind(const char *kind, const char *src, struct oci_image *img, char **path,
		  struct strbuf *err);
/* "FILE[:TAG]" split at the first ':' after the file's directory, unless
 * the whole names a file. */
char *oci_docker_split(const char *spec, char **tag);
/* Applies the layers in order into dir (which exists), with whiteouts;
 * unpack.h's limits bound the layers together, counted in `st` (zeroed
 * by the caller), which also gets the setuid/setgid record. */
int oci_unpack(const struct oci_image *img, const char *dir, struct unpack_stats *st, struct strbuf *err);
void oci_release(struct oci_image *img);
/* "PATH[:TAG]" split: the tag is after the last ':' that follows the last
 * '/'. Returns the path (allocated); *tag is allocated or NULL. */
char *oci_split(const char *spec, char **tag);

#endif
