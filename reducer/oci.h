#ifndef REDUCE_OCI_H
#define REDUCE_OCI_H

#include "util.h"

#define OCI_MAX_PORTS 8

/* A container image in an OCI image layout (a directory as skopeo,
 * buildah and umoci write it: oci-layout, index.json, blobs/sha256/),
 * the one a tag names. Every blob read is checked against its digest;
 * the layout is untrusted input. */
struct oci_image {
	char *layout;
	char *tag;              /* the ref.name it was found by, or NULL */
	char digest[72];        /* the manifest's: sha256:HEX */
	struct strvec layers;   /* the layers' blob files, bottom first */
	/* The defaults its config gives. */
	char *cmd;              /* Entrypoint then Cmd, blank-separated; NULL if neither */
	struct strvec env;      /* NAME=VALUE */
	char *workdir;
	char *user;             /* as written: "uid[:gid]" or names; NULL */
	int ports[OCI_MAX_PORTS];
	int nports;
};

/* Reads the layout's index, the manifest `tag` names (or its only one),
 * and the image config. -1 with a one-line reason naming the file. */
int oci_open(const char *layout, const char *tag, struct oci_image *img, struct strbuf *err);
/* Applies the layers in order into dir (which exists), with whiteouts. */
int oci_unpack(const struct oci_image *img, const char *dir, struct strbuf *err);
void oci_release(struct oci_image *img);
/* "PATH[:TAG]" split: the tag is after the last ':' that follows the last
 * '/'. Returns the path (allocated); *tag is allocated or NULL. */
char *oci_split(const char *spec, char **tag);

#endif
