#define _GNU_SOURCE
#include "oci.h"
#include "initconf.h"
#include "unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REF_NAME "org.opencontainers.image.ref.name"
#define MAX_JSON (16 << 20)

char *oci_split(const char *spec, char **tag)
{
	const char *slash = strrchr(spec, '/');
	const char *colon = strrchr(slash ? slash : spec, ':');
	*tag = colon && colon[1] ? xstrdup(colon + 1) : NULL;
	char *path = colon ? xstrndup(spec, colon - spec) : xstrdup(spec);
	/* "build/img/" is "build/img": its name is the directory's. */
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	return path;
}

/* The blob file of a digest, which must be sha256:<64 hex>: anything
 * else could name a path outside blobs/. */
static char *blob_path(const char *layout, const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) || strlen(digest) != 71 ||
	    strspn(digest + 7, "0123456789abcdef") != 64)
		return NULL;
	return xasprintf("%s/blobs/sha256/%s", layout, digest + 7);
}

static void hex32(const unsigned char md[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* A layout's file opened for reading only if it is a regular file: a
 * fifo or device planted in a crafted layout would block or never end.
 * Nonblocking, so that even the open of a fifo returns. */
static int open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int sha256_file(const char *path, char out[65])
{
	int fd = open_regular(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	int bad = ferror(f);
	fclose(f);
	unsigned char md[32];
	unsigned len = 0;
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	hex32(md, out);
	return bad ? -1 : 0;
}

/* A blob that exists and has the digest that names it. */
static char *checked_blob(const char *layout, const char *digest, struct strbuf *err)
{
	char *path = blob_path(layout, digest);
	char got[65];
	if (!path) {
		sb_addf(err, "%s: '%s' is not a sha256 digest", layout, digest ? digest : "(none)");
		return NULL;
	}
	if (sha256_file(path, got) < 0) {
		sb_addf(err, "%s: blob %s: %s", layout, digest,
			errno == EINVAL ? "not a regular file" : strerror(errno ? errno : EIO));
		free(path);
		return NULL;
	}
	if (strcmp(got, digest + 7)) {
		sb_addf(err, "%s: blob %s is corrupt (its content hashes to sha256:%s)", layout, digest, got);
		free(path);
		return NULL;
	}
	return path;
}

static json_t *load_json(const char *path, const char *what, struct strbuf *err)
{
	json_error_t je;
	/* An index, manifest or config is a few KiB: a huge one is a bad
	 * image (or a layer named as a config), not one to read whole. */
	long long size = file_size(path);
	if (size > MAX_JSON) {
		sb_addf(err, "%s: not %s (%lld bytes, more than %d MiB)", path, what, size, MAX_JSON >> 20);
		return NULL;
	}
	int fd = open_regular(path);
	if (fd < 0) {
		sb_addf(err, "%s: %s", path, errno == EINVAL ? "not a regular file" : strerror(errno));
		return NULL;
	}
	json_t *j = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!j || !json_is_object(j)) {
		sb_addf(err, "%s: not %s (%s)", path, what, j ? "not a JSON object" : je.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *load_blob(const char *layout, const char *digest, const char *what, struct strbuf *err)
{
	char *p = checked_blob(layout, digest, err);
	json_t *j = p ? load_json(p, what, err) : NULL;
	free(p);
	return j;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int is_index(const char *media)
{
	return media && (!strcmp(media, "application/vnd.oci.image.index.v1+json") ||
			 !strcmp(media, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

/* In a nested index (a multi-platform image), the linux/amd64 entry. */
static json_t *amd64_entry(json_t *manifests)
{
	size_t i;
	json_t *m;
	json_array_foreach(manifests, i, m) {
		json_t *p = json_object_get(m, "platform");
		if (!p || (str(p, "architecture") && !strcmp(str(p, "architecture"), "amd64") &&
			   (!str(p, "os") || !strcmp(str(p, "os"), "linux"))))
			return m;
	}
	return NULL;
}

/* Entrypoint and Cmd as one command line in init's syntax (initconf.h).
 * What init.conf cannot carry (a newline) or the tree cannot be searched
 * for (a program name that needs quoting) is not an error here: only if
 * the command is used (apply_image), since a profile's cmd line wins. */
static void join_args(struct strbuf *out, json_t *arr, const char *field, char **why)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *a = json_string_value(v);
		if (!a || *why)
			continue;
		if (strchr(a, '\n'))
			*why = xasprintf("the image's %s has an argument with a newline, which init cannot pass", field);
		else if (!out->len && !initconf_plain(a))
			*why = xasprintf("the image's command '%s' is not a plain program name", a);
		else {
			if (out->len)
				sb_adds(out, " ");
			initconf_quote(out, a);
		}
	}
}

/* The defaults an image config (OCI's, or Docker's, which has the same
 * fields) gives; c is consumed. */
static int parse_config(struct oci_image *img, json_t *c, struct strbuf *err)
{
	const char *arch = str(c, "architecture"), *os = str(c, "os");
	int rc = -1;
	if (!arch || strcmp(arch, "amd64") || (os && strcmp(os, "linux"))) {
		sb_addf(err, "%s: the image is for %s/%s, not linux/amd64", img->layout, os ? os : "?",
			arch ? arch : "?");
		goto out;
	}
	json_t *cfg = json_object_get(c, "config");
	struct strbuf cmd = STRBUF_INIT;
	join_args(&cmd, json_object_get(cfg, "Entrypoint"), "Entrypoint", &img->cmd_error);
	join_args(&cmd, json_object_get(cfg, "Cmd"), "Cmd", &img->cmd_error);
	if (img->cmd_error)
		sb_release(&cmd);
	img->cmd = cmd.buf;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cfg, "Env"), i, v)
		if (json_is_string(v) && strchr(json_string_value(v), '='))
			sv_push(&img->env, json_string_value(v));
	if (str(cfg, "WorkingDir") && *str(cfg, "WorkingDir"))
		img->workdir = xstrdup(str(cfg, "WorkingDir"));
	if (str(cfg, "User") && *str(cfg, "User"))
		img->user = xstrdup(str(cfg, "User"));
	const char *port;
	json_t *pv;
	json_object_foreach(json_object_get(cfg, "ExposedPorts"), port, pv) {
		int n = atoi(port);
		(void)pv;
		if (n > 0 && n < 65536 && img->nports < OCI_MAX_PORTS && !strstr(port, "/udp"))
			img->ports[img->nports++] = n;
	}
	rc = 0;
out:
	json_decref(c);
	return rc;
}

static int read_config(struct oci_image *img, const char *digest, struct strbuf *err)
{
	json_t *c = load_blob(img->layout, digest, "an image config", err);
	return c ? parse_config(img, c, err) : -1;
}

/* A member name from manifest.json: relative, and not climbing out. */
static int plain_member(const char *m)
{
	if (!m || !*m || m[0] == '/')
		return 0;
	for (const char *p = m; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return 0;
	return 1;
}

static json_t *member_json(const char *file, const char *member, const char *what,
			   struct strbuf *data, struct strbuf *err)
{
	if (archive_read_member(file, member, MAX_JSON, data, err) < 0)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(data->buf ? data->buf : "", data->len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		sb_addf(err, "%s: %s: not %s (%s)", file, member, what, je.text);
	return j;
}

int oci_open_docker_archive(const char *file, const char *tag, struct oci_image *img,
			    struct strbuf *err)
{
	memset(img, 0, sizeof(*img));
	img->layout = xstrdup(file);
	img->archive = xstrdup(file);
	img->tag = tag ? xstrdup(tag) : NULL;
	struct strbuf data = STRBUF_INIT, cdata = STRBUF_INIT, tags = STRBUF_INIT;
	json_t *man = NULL, *pick = NULL, *m, *c = NULL;
	int rc = -1;
	size_t i, j;
	if (!(man = member_json(file, "manifest.json", "a docker-archive manifest", &data, err))) {
		if (strstr(err->buf, "no member manifest.json")) {
			err->len = 0;
			sb_addf(err, "%s is not a docker-archive (no manifest.json in it)", file);
		}
		goto out;
	}
	if (!json_is_array(man)) {
		sb_addf(err, "%s: manifest.json: not a docker-archive manifest (not a list)", file);
		goto out;
	}
	json_array_foreach(man, i, m) {
		json_t *t;
		int hit = !tag && json_array_size(man) == 1;
		json_array_foreach(json_object_get(m, "RepoTags"), j, t) {
			const char *rt = json_string_value(t);
			if (!rt)
				continue;
			sb_addf(&tags, "%s%s", tags.len ? ", " : "", rt);
			const char *colon = strrchr(rt, ':');
			if (tag && (!strcmp(rt, tag) || (colon && !strcmp(colon + 1, tag))))
				hit = 1;
		}
		if (hit && !pick)
			pick = m;
	}
	if (!pick) {
		if (tag)
			sb_addf(err, "%s: no image tagged '%s' (tags: %s)", file, tag, tags.len ? tags.buf : "none");
		else
			sb_addf(err, "%s holds %zu images: name one with :TAG (tags: %s)", file,
				json_array_size(man), tags.len ? tags.buf : "none");
		goto out;
	}
	const char *config = str(pick, "Config");
	if (!plain_member(config)) {
		sb_addf(err, "%s: manifest.json: no Config, or one outside the archive", file);
		goto out;
	}
	if (!(c = member_json(file, config, "an image config", &cdata, err)))
		goto out;
	if (!json_is_object(c)) {
		sb_addf(err, "%s: %s: not an image config (not a JSON object)", file, config);
		goto out;
	}
	/* Docker names an image by its config's digest (the image ID). */
	unsigned char md[32];
	unsigned len = 0;
	char hex[65];
	EVP_Digest(cdata.buf, cdata.len, md, &len, EVP_sha256(), NULL);
	hex32(md, hex);
	snprintf(img->digest, sizeof(img->digest), "sha256:%s", hex);
	json_t *cc = c;
	c = NULL;
	if (parse_config(img, cc, err) < 0)
		goto out;
	struct strvec members = STRVEC_INIT;
	if (archive_list_members(file, &members, err) < 0)
		goto out;
	json_array_foreach(json_object_get(pick, "Layers"), i, m) {
		const char *l = json_string_value(m);
		if (!plain_member(l)) {
			sb_addf(err, "%s: manifest.json: a layer outside the archive (%s)", file, l ? l : "?");
			sv_clear(&members);
			goto out;
		}
		if (!sv_has(&members, l)) {
			sb_addf(err, "%s: manifest.json names the layer %s, which the archive lacks", file, l);
			sv_clear(&members);
			goto out;
		}
		sv_push(&img->layers, l);
	}
	sv_clear(&members);
	rc = 0;
out:
	json_decref(man);
	json_decref(c);
	sb_release(&data);
	sb_release(&cdata);
	sb_release(&tags);
	return rc;
}

char *oci_docker_split(const char *spec, char **tag)
{
	struct stat st;
	*tag = NULL;
	/* FILE, or FILE:TAG where TAG may be REPO:TAG itself: the first ':'
	 * after the file's directory, unless the whole is a file. */
	if (stat(spec, &st) == 0)
		return xstrdup(spec);
	const char *slash = strrchr(spec, '/');
	const char *colon = strchr(slash ? slash : spec, ':');
	if (!colon || !colon[1])
		return xstrdup(spec);
	*tag = xstrdup(colon + 1);
	return xstrndup(spec, colon - spec);
}

int oci_open_kind(const char *kind, const char *src, struct oci_image *img, char **path,
		  struct strbuf *err)
{
	char *tag;
	int docker = !strcmp(kind, "docker-archive");
	*path = docker ? oci_docker_split(src, &tag) : oci_split(src, &tag);
	int rc = docker ? oci_open_docker_archive(*path, tag, img, err) : oci_open(*path, tag, img, err);
	free(tag);
	return rc;
}

int oci_open(const char *layout, const char *tag, struct oci_image *img, struct strbuf *err)
{
	memset(img, 0, sizeof(*img));
	img->layout = xstrdup(layout);
	img->tag = tag ? xstrdup(tag) : NULL;
	char *marker = xasprintf("%s/oci-layout", layout), *ipath = xasprintf("%s/index.json", layout);
	json_t *index = NULL, *manifest = NULL, *nested = NULL;
	int rc = -1;
	json_t *ml = load_json(marker, "an OCI image layout", err);
	if (!ml) {
		err->len = 0;
		sb_addf(err, "%s is not an OCI image layout (no oci-layout file)", layout);
		goto out;
	}
	json_decref(ml);
	if (!(index = load_json(ipath, "an OCI image index", err)))
		goto out;
	json_t *manifests = json_object_get(index, "manifests"), *pick = NULL, *m;
	size_t i, n = json_array_size(manifests);
	struct strbuf tags = STRBUF_INIT;
	json_array_foreach(manifests, i, m) {
		const char *ref = str(json_object_get(m, "annotations"), REF_NAME);
		if (ref)
			sb_addf(&tags, "%s%s", tags.len ? ", " : "", ref);
		if (tag ? ref && !strcmp(ref, tag) : n == 1)
			pick = m;
	}
	if (!pick) {
		if (tag)
			sb_addf(err, "%s: no image tagged '%s' (tags: %s)", ipath, tag, tags.len ? tags.buf : "none");
		else
			sb_addf(err, "%s holds %zu images: name one with :TAG (tags: %s)", ipath, n,
				tags.len ? tags.buf : "none");
		sb_release(&tags);
		goto out;
	}
	sb_release(&tags);
	const char *digest = str(pick, "digest");
	if (is_index(str(pick, "mediaType"))) {
		if (!(nested = load_blob(layout, digest, "an image index", err)))
			goto out;
		if (!(pick = amd64_entry(json_object_get(nested, "manifests")))) {
			sb_addf(err, "%s: the image has no linux/amd64 variant", layout);
			goto out;
		}
		digest = str(pick, "digest");
	}
	if (!(manifest = load_blob(layout, digest, "an image manifest", err)))
		goto out;
	snprintf(img->digest, sizeof(img->digest), "%s", digest);
	if (read_config(img, str(json_object_get(manifest, "config"), "digest"), err) < 0)
		goto out;
	json_array_foreach(json_object_get(manifest, "layers"), i, m) {
		char *p = checked_blob(layout, str(m, "digest"), err);
		if (!p)
			goto out;
		sv_push(&img->layers, p);
		free(p);
	}
	rc = 0;
out:
	json_decref(index);
	json_decref(nested);
	json_decref(manifest);
	free(marker);
	free(ipath);
	return rc;
}

int oci_unpack(const struct oci_image *img, const char *dir, struct unpack_stats *st, struct strbuf *err)
{
	/* One count for all layers: the limits bound the image, not each
	 * layer (many layers just under the limit would fill the disk). */
	for (size_t i = 0; i < img->layers.n; i++)
		if ((img->archive ? archive_unpack_member(img->archive, img->layers.v[i], dir, 1, 0, st, err)
				  : archive_unpack(img->layers.v[i], dir, 1, 0, st, err)) < 0)
			return -1;
	return 0;
}

void oci_release(struct oci_image *img)
{
	free(img->layout);
	free(img->archive);
	free(img->tag);
	free(img->cmd);
	free(img->cmd_error);
	free(img->workdir);
	free(img->user);
	sv_clear(&img->layers);
	sv_clear(&img->env);
	memset(img, 0, sizeof(*img));
}
