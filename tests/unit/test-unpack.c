/* Unpacking untrusted archives: what may not be written outside the
 * staging directory is not, device nodes are skipped, sizes are bounded,
 * corrupt archives fail with the file's name, and OCI layers' whiteouts
 * remove what the layers below left. The archives are made here with
 * libarchive's writer, so they can hold what no tar command would write. */
#include "unpack.h"
#include "unit.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct ent {
	const char *name;
	unsigned type;          /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR; 0: a hard link */
	const char *data;       /* contents, or the link's target */
	int mode;
};

static void make_tar(const char *path, const struct ent *es, int n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	REQUIRE(archive_write_open_filename(a, path) == ARCHIVE_OK, "cannot write %s", path);
	for (int i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, es[i].name);
		archive_entry_set_perm(e, es[i].mode ? es[i].mode : 0644);
		archive_entry_set_uid(e, !strcmp(es[i].name, "etc//conf") ? 33 : 0);
		archive_entry_set_gid(e, !strcmp(es[i].name, "etc//conf") ? 34 : 0);
		if (!es[i].type) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, es[i].data);
		} else {
			archive_entry_set_filetype(e, es[i].type);
		}
		if (es[i].type == AE_IFLNK)
			archive_entry_set_symlink(e, es[i].data);
		if (es[i].type == AE_IFREG)
			archive_entry_set_size(e, strlen(es[i].data));
		if (es[i].type == AE_IFCHR)
			archive_entry_set_rdev(e, makedev(1, 3));
		archive_write_header(a, e);
		if (es[i].type == AE_IFREG)
			archive_write_data(a, es[i].data, strlen(es[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

/* An archive whose members are the given files' bytes (a docker-archive's
 * shape: layers as tars inside the tar). */
static void make_outer(const char *path, const char *const *names, const char *const *files, int n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	REQUIRE(archive_write_open_filename(a, path) == ARCHIVE_OK, "cannot write %s", path);
	for (int i = 0; i < n; i++) {
		struct strbuf data = STRBUF_INIT;
		REQUIRE(read_file(files[i], &data) == 0, "cannot read %s", files[i]);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, data.len);
		archive_write_header(a, e);
		archive_write_data(a, data.buf, data.len);
		archive_entry_free(e);
		sb_release(&data);
	}
	archive_write_close(a);
	archive_write_free(a);
}

/* A pax archive with an empty "f" and a hard link "h" to it that carries
 * n bytes of data, which libarchive's disk writer writes into f. Its writer zeroes a hard link's size, so "h" is written as a
 * regular file and its ustar header patched into a hard link. */
static void make_hardlink_with_data(const char *path, size_t n)
{
	char *data = xmalloc(n);
	memset(data, 'H', n);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax(a);
	REQUIRE(archive_write_open_filename(a, path) == ARCHIVE_OK, "cannot write %s", path);
	for (int i = 0; i < 2; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, i ? "h" : "f");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, i ? n : 0);
		/* A pax extended header: with one, the reader keeps a hard
		 * link's size. */
		archive_entry_xattr_add_entry(e, "user.x", "1", 1);
		archive_write_header(a, e);
		if (i)
			archive_write_data(a, data, n);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	free(data);
	struct strbuf t = STRBUF_INIT;
	REQUIRE(read_file(path, &t) == 0, "cannot read %s", path);
	int patched = 0;
	for (size_t off = 0; off + 512 <= t.len; off += 512) {
		unsigned char *h = (unsigned char *)t.buf + off;
		if (!strcmp((char *)h, "h") && h[156] == '0' && !memcmp(h + 257, "ustar", 5)) {
			h[156] = '1';
			strcpy((char *)h + 157, "f");
			memset(h + 148, ' ', 8);
			unsigned sum = 0;
			for (int i = 0; i < 512; i++)
				sum += h[i];
			snprintf((char *)h + 148, 8, "%06o", sum);
			h[155] = ' ';
			patched = 1;
		}
	}
	REQUIRE(patched && write_file_atomic(path, t.buf, t.len) == 0, "patching %s", path);
	sb_release(&t);
}

static char *tmp;

static char *fresh(const char *name)
{
	char *d = xasprintf("%s/%s", tmp, name);
	rm_rf(d);
	mkdir_p(d);
	return d;
}

static int unpack(const char *tar, const char *dir, int layer, long long max, struct unpack_stats *st,
		  struct strbuf *err)
{
	err->len = 0;
	if (err->buf)
		err->buf[0] = '\0';
	memset(st, 0, sizeof(*st));
	return archive_unpack(tar, dir, layer, max, st, err);
}

/* The bits the last record of rel gives; -1: none. */
static int setid_of(const struct unpack_stats *st, const char *rel)
{
	int bits = -1;
	for (size_t i = 0; i < st->setid.n; i++)
		if (!strcmp(strchr(st->setid.v[i], ' ') + 1, rel))
			bits = (int)strtol(st->setid.v[i], NULL, 8);
	return bits;
}

static int exists(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	struct stat st;
	int ok = lstat(p, &st) == 0;
	free(p);
	return ok;
}

int main(void)
{
	char t[] = "/tmp/reduce-test-archive-XXXXXX";
	REQUIRE(mkdtemp(t), "mkdtemp");
	tmp = t;
	struct unpack_stats st;
	struct strbuf err = STRBUF_INIT;
	char *tar = xasprintf("%s/a.tar", tmp);

	const struct ent good[] = {
		{ "./usr/", AE_IFDIR, "", 0755 }, { "usr/bin/app", AE_IFREG, "#!/bin/sh\n", 04755 },
		{ "usr/bin/link", AE_IFLNK, "app", 0777 }, { "usr/bin/hard", 0, "usr/bin/app", 0 },
		{ "dev/null", AE_IFCHR, "", 0666 }, { "etc//conf", AE_IFREG, "x=1\n", 0600 },
	};
	make_tar(tar, good, 6);
	char *d = fresh("good");
	CHECK(unpack(tar, d, 0, 0, &st, &err) == 0, "an ordinary archive unpacks (%s)", err.len ? err.buf : "");
	char *app = xasprintf("%s/usr/bin/app", d), *hard = xasprintf("%s/usr/bin/hard", d);
	struct stat sa, sh;
	CHECK(stat(app, &sa) == 0 && (sa.st_mode & 07777) == 0755,
	      "modes are kept, less setuid and setgid (%o)", sa.st_mode & 07777);
	CHECK(setid_of(&st, "usr/bin/app") == 04000 && setid_of(&st, "etc/conf") == 0,
	      "the setuid bit is recorded for the image instead, and what came after without it (%s)",
	      st.setid.n ? st.setid.v[0] : "nothing");
	/* A layer above that writes the file again without it clears it. */
	const struct ent plain_again[] = { { "usr/bin/app", AE_IFREG, "#!/bin/sh\n", 0755 },
					   { "usr/bin/other", AE_IFREG, "", 02755 } };
	char *tar_up = xasprintf("%s/c.tar", tmp);
	make_tar(tar_up, plain_again, 2);
	CHECK(archive_unpack(tar_up, d, 1, 0, &st, &err) == 0 && setid_of(&st, "usr/bin/app") == 0 &&
	      setid_of(&st, "usr/bin/other") == 02000,
	      "a file written again by a layer above has only that layer's bits (%o)", setid_of(&st, "usr/bin/app"));
	free(tar_up);
	/* A setgid directory emptied away (an opaque parent), then made again only as the parent
	 * of a later entry: libarchive's new directory has no bits. */
	const struct ent mail[] = { { "var/mail/", AE_IFDIR, "", 02775 } };
	const struct ent again[] = { { "var/.wh..wh..opq", AE_IFREG, "", 0 }, { "var/mail/x", AE_IFREG, "x", 0 } };
	char *tm = xasprintf("%s/m1.tar", tmp), *tm2 = xasprintf("%s/m2.tar", tmp);
	make_tar(tm, mail, 1);
	make_tar(tm2, again, 2);
	char *dm = fresh("mail");
	struct unpack_stats sm = { 0 };
	CHECK(archive_unpack(tm, dm, 1, 0, &sm, &err) == 0 && setid_of(&sm, "var/mail") == 02000 &&
	      archive_unpack(tm2, dm, 1, 0, &sm, &err) == 0 && exists(dm, "var/mail/x") &&
	      setid_of(&sm, "var/mail") == 0,
	      "a directory whited out and made again on the way to a file has no bits (%o)", setid_of(&sm, "var/mail"));
	sv_clear(&sm.setid);
	free(tm);
	free(tm2);
	CHECK(stat(hard, &sh) == 0 && sh.st_ino == sa.st_ino, "a hard link inside is a hard link");
	CHECK(exists(d, "usr/bin/link") && exists(d, "etc/conf"), "symlinks and cleaned paths are written");
	CHECK(!exists(d, "dev/null") && st.skipped == 1, "a device node is skipped, not made");
	if (geteuid() == 0) {
		char *conf = xasprintf("%s/etc/conf", d);
		struct stat sc;
		CHECK(stat(conf, &sc) == 0 && sc.st_uid == 33 && sc.st_gid == 34,
		      "as root, owners are kept by number (%d:%d)", (int)sc.st_uid, (int)sc.st_gid);
		free(conf);
	}

	const struct ent dotdot[] = { { "ok", AE_IFREG, "1", 0 }, { "a/../../evil", AE_IFREG, "x", 0 } };
	make_tar(tar, dotdot, 2);
	d = fresh("dotdot");
	CHECK(unpack(tar, d, 0, 0, &st, &err) < 0 && strstr(err.buf, "a/../../evil: a path outside") &&
	      strstr(err.buf, tar) && !exists(tmp, "evil"), "a path with .. is refused (%s)", err.buf);

	const struct ent absolute[] = { { "/tmp/reduce-abs-evil", AE_IFREG, "x", 0 } };
	make_tar(tar, absolute, 1);
	d = fresh("abs");
	CHECK(unpack(tar, d, 0, 0, &st, &err) < 0 && strstr(err.buf, "a path outside") &&
	      access("/tmp/reduce-abs-evil", F_OK) < 0, "an absolute path is refused");

	/* Through a symlink, an entry goes where a chroot into the tree
	 * would put it: an absolute target from the tree's top, ".." no
	 * higher than it. */
	char *outside = fresh("outside");
	const struct ent through[] = { { "s", AE_IFLNK, outside, 0777 }, { "s/planted", AE_IFREG, "x", 0 },
				       { "up", AE_IFLNK, "../../../..", 0777 }, { "up/uplanted", AE_IFREG, "x", 0 } };
	make_tar(tar, through, 4);
	d = fresh("through");
	char *inside = xasprintf("%s/planted", outside + 1);
	CHECK(unpack(tar, d, 0, 0, &st, &err) == 0 && !exists(outside, "planted") && exists(d, inside) &&
	      !exists(tmp, "uplanted") && exists(d, "uplanted"),
	      "a file through a symlink out of the tree lands inside it, as in a chroot (%s)", err.buf);
	free(inside);

	const struct ent merged[] = { { "usr/bin/", AE_IFDIR, "", 0755 }, { "bin", AE_IFLNK, "usr/bin", 0777 },
				      { "lib64", AE_IFLNK, "/usr/lib64", 0777 }, { "bin/foo", AE_IFREG, "f", 0755 },
				      { "lib64/ld.so", AE_IFREG, "l", 0755 }, { "bin/hard", 0, "bin/foo", 0 } };
	make_tar(tar, merged, 6);
	d = fresh("merged");
	char *foo = xasprintf("%s/usr/bin/foo", d), *hfoo = xasprintf("%s/usr/bin/hard", d),
	     *bin = xasprintf("%s/bin", d);
	struct stat sf, shf, sbin;
	CHECK(unpack(tar, d, 0, 0, &st, &err) == 0 && stat(foo, &sf) == 0 && lstat(bin, &sbin) == 0 &&
	      S_ISLNK(sbin.st_mode) && exists(d, "usr/lib64/ld.so") && stat(hfoo, &shf) == 0 &&
	      shf.st_ino == sf.st_ino,
	      "through a merged /usr's links (bin -> usr/bin, lib64 -> /usr/lib64), files and hard links "
	      "land in usr, the links stay links (%s)", err.len ? err.buf : "");
	free(foo);
	free(hfoo);
	free(bin);

	const struct ent nested[] = { { "a/", AE_IFDIR, "", 0755 }, { "a/b", AE_IFLNK, "/c", 0777 },
				      { "a/b/f", AE_IFREG, "f", 0 } };
	make_tar(tar, nested, 3);
	d = fresh("nested");
	CHECK(unpack(tar, d, 0, 0, &st, &err) == 0 && exists(d, "c/f") && !exists(d, "a/c"),
	      "an absolute link below the top starts again from the top (%s)", err.len ? err.buf : "");

	const struct ent loop[] = { { "l1", AE_IFLNK, "l2", 0777 }, { "l2", AE_IFLNK, "l1/x", 0777 },
				    { "l1/y", AE_IFREG, "x", 0 } };
	make_tar(tar, loop, 3);
	d = fresh("loop");
	CHECK(unpack(tar, d, 0, 0, &st, &err) < 0 && strstr(err.buf, "l1/y: ") &&
	      strstr(err.buf, "too many levels of symlinks"), "a loop of symlinks is refused (%s)", err.buf);
	const struct ent notdir[] = { { "f", AE_IFREG, "x", 0 }, { "f/y", AE_IFREG, "x", 0 } };
	make_tar(tar, notdir, 2);
	d = fresh("notdir");
	CHECK(unpack(tar, d, 0, 0, &st, &err) < 0 && strstr(err.buf, "f/y: f: not a directory"),
	      "a file below a file is refused (%s)", err.buf);

	const struct ent hardout[] = { { "h", 0, "../../etc/passwd", 0 } };
	make_tar(tar, hardout, 1);
	d = fresh("hardout");
	CHECK(unpack(tar, d, 0, 0, &st, &err) < 0 && strstr(err.buf, "h: a hard link to ../../etc/passwd"),
	      "a hard link to a path outside is refused (%s)", err.buf);

	const struct ent big[] = { { "big", AE_IFREG, "0123456789012345678901234567890123456789", 0 } };
	make_tar(tar, big, 1);
	d = fresh("big");
	CHECK(unpack(tar, d, 0, 16, &st, &err) < 0 && strstr(err.buf, "unpacks to more than 16 bytes"),
	      "what an archive unpacks to is bounded (%s)", err.buf);
	make_hardlink_with_data(tar, 1000);
	d = fresh("hardlink-data");
	CHECK(unpack(tar, d, 0, 100, &st, &err) < 0 && strstr(err.buf, "unpacks to more than 100 bytes"),
	      "a hard link's data counts against the bound (%s)", err.len ? err.buf : "");
	/* Two archives of 10 bytes each with one count, as an image's
	 * layers are: the bound is on both together. */
	const struct ent ten[] = { { "ten", AE_IFREG, "0123456789", 0 } };
	make_tar(tar, ten, 1);
	d = fresh("two-layers-big");
	memset(&st, 0, sizeof(st));
	err.len = 0;
	int first = archive_unpack(tar, d, 1, 16, &st, &err);
	CHECK(first == 0 && archive_unpack(tar, d, 1, 16, &st, &err) < 0 &&
	      strstr(err.buf, "unpacks to more than 16 bytes in all"),
	      "archives unpacked with one count are bounded together (%s)", err.len ? err.buf : "");

	make_tar(tar, good, 6);
	struct stat ts;
	stat(tar, &ts);
	REQUIRE(truncate(tar, 700) == 0 && ts.st_size > 700, "truncate");
	d = fresh("cut");
	CHECK(unpack(tar, d, 0, 0, &st, &err) < 0 && strstr(err.buf, tar),
	      "a truncated archive fails, naming the file (%s)", err.buf);
	char *junk = xasprintf("%s/junk.tar", tmp);
	write_file_atomic(junk, "this is not an archive at all\n", 30);
	d = fresh("junk");
	CHECK(unpack(junk, d, 0, 0, &st, &err) < 0 && strstr(err.buf, junk),
	      "a file that is no archive fails, naming it (%s)", err.buf);

	const struct ent lower[] = { { "d/a", AE_IFREG, "a", 0 }, { "d/b", AE_IFREG, "b", 0 },
				     { "e/x", AE_IFREG, "x", 0 }, { "keep", AE_IFREG, "k", 0 } };
	const struct ent upper[] = { { "e/y", AE_IFREG, "y", 0 }, { "d/.wh.a", AE_IFREG, "", 0 },
				     { "e/.wh..wh..opq", AE_IFREG, "", 0 }, { ".wh.ghost", AE_IFREG, "", 0 } };
	char *tar2 = xasprintf("%s/b.tar", tmp);
	make_tar(tar, lower, 4);
	make_tar(tar2, upper, 4);
	d = fresh("layers");
	/* What reduce says of the whiteout of a missing file, caught. */
	char *said = xasprintf("%s/stderr", tmp);
	fflush(stderr);
	int saved = dup(2), fd = open(said, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	CHECK(unpack(tar, d, 1, 0, &st, &err) == 0 && unpack(tar2, d, 1, 0, &st, &err) == 0,
	      "two layers unpack (%s)", err.len ? err.buf : "");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct strbuf warned = STRBUF_INIT;
	read_file(said, &warned);
	CHECK(warned.buf && strstr(warned.buf, "reduce: warning: ") &&
	      strstr(warned.buf, "b.tar: .wh.ghost: a whiteout of ghost, which no lower layer has\n"),
	      "the whiteout of a file no layer has is a warning naming layer and entry, and unpacking goes on (%s)",
	      warned.buf ? warned.buf : "nothing said");
	sb_release(&warned);
	free(said);
	CHECK(!exists(d, "d/a") && exists(d, "d/b") && exists(d, "keep"),
	      "a whiteout removes its file from the layer below, and only it");
	CHECK(!exists(d, "e/x") && exists(d, "e/y"),
	      "an opaque directory drops the lower layers' entries, keeps its own (listed before the marker)");
	CHECK(!exists(d, "d/.wh.a") && !exists(d, "e/.wh..wh..opq") && st.whiteouts == 2 &&
	      st.missing_whiteouts == 1, "whiteouts are not written; one of a missing file is counted");
	d = fresh("nolayer");
	CHECK(unpack(tar2, d, 0, 0, &st, &err) == 0 && exists(d, "d/.wh.a"),
	      "outside a layer, .wh. files are ordinary files");
	const struct ent mlower[] = { { "usr/bin/old", AE_IFREG, "o", 0 }, { "usr/bin/kept", AE_IFREG, "k", 0 },
				      { "bin", AE_IFLNK, "usr/bin", 0777 } };
	const struct ent mupper[] = { { "bin/.wh.old", AE_IFREG, "", 0 }, { "bin/new", AE_IFREG, "n", 0 } };
	char *ml = xasprintf("%s/ml.tar", tmp), *mu = xasprintf("%s/mu.tar", tmp);
	make_tar(ml, mlower, 3);
	make_tar(mu, mupper, 2);
	d = fresh("merged-layers");
	CHECK(unpack(ml, d, 1, 0, &st, &err) == 0 && unpack(mu, d, 1, 0, &st, &err) == 0 &&
	      !exists(d, "usr/bin/old") && exists(d, "usr/bin/kept") && exists(d, "usr/bin/new") &&
	      st.whiteouts == 1, "a layer's whiteout and file through bin -> usr/bin act in usr/bin (%s)",
	      err.len ? err.buf : "");
	/* A lower layer's link to a place outside: an upper layer's whiteout
	 * through it removes nothing there. */
	char *victims = fresh("victims");
	char *victim = xasprintf("%s/victim", victims);
	REQUIRE(write_file_atomic(victim, "v", 1) == 0, "writing %s", victim);
	const struct ent xlower[] = { { "x", AE_IFLNK, victims, 0777 } };
	const struct ent xupper[] = { { "x/.wh.victim", AE_IFREG, "", 0 } };
	make_tar(ml, xlower, 1);
	make_tar(mu, xupper, 1);
	d = fresh("whiteout-out");
	CHECK(unpack(ml, d, 1, 0, &st, &err) == 0 && unpack(mu, d, 1, 0, &st, &err) == 0 &&
	      file_exists(victim) && st.missing_whiteouts == 1,
	      "a whiteout through a link out of the tree removes nothing outside (%s)", err.len ? err.buf : "");
	/* ".wh.." names the directory above: the staging directory's parent. */
	const char *dots[] = { ".wh...", "sub/.wh...", ".wh.", "sub/.wh.." };
	for (int i = 0; i < 4; i++) {
		const struct ent dotwh[] = { { "sub/", AE_IFDIR, "", 0755 }, { dots[i], AE_IFREG, "", 0 } };
		make_tar(mu, dotwh, 2);
		d = fresh("whiteout-dots");
		char *stage = xasprintf("%s/stage", d), *beside = xasprintf("%s/beside", d);
		mkdir_p(stage);
		REQUIRE(write_file_atomic(beside, "b", 1) == 0, "writing %s", beside);
		CHECK(unpack(mu, stage, 1, 0, &st, &err) < 0 && strstr(err.buf, "a whiteout of no file") &&
		      file_exists(beside) && file_exists(stage),
		      "a whiteout %s is refused and removes nothing (%s)", dots[i], err.len ? err.buf : "");
		free(stage);
		free(beside);
	}
	free(victim);
	free(ml);
	free(mu);

	/* A docker-archive's layers are read in place, as members. */
	const struct ent evil[] = { { "ok", AE_IFREG, "fine", 0 }, { "../outside-member", AE_IFREG, "x", 0 } };
	char *tar3 = xasprintf("%s/evil.tar", tmp), *man = xasprintf("%s/manifest.json", tmp);
	make_tar(tar3, evil, 2);
	REQUIRE(write_file_atomic(man, "[{\"Layers\": []}]", 16) == 0, "writing %s", man);
	const char *names[] = { "manifest.json", "l1/layer.tar", "l2/layer.tar", "l3/layer.tar" };
	const char *files[] = { man, tar, tar2, tar3 };
	char *outer = xasprintf("%s/outer.tar", tmp);
	make_outer(outer, names, files, 4);
	d = fresh("members");
	err.len = 0;
	memset(&st, 0, sizeof(st));
	CHECK(archive_unpack_member(outer, "l1/layer.tar", d, 1, 0, &st, &err) == 0 &&
	      archive_unpack_member(outer, "l2/layer.tar", d, 1, 0, &st, &err) == 0 &&
	      !exists(d, "d/a") && exists(d, "d/b") && !exists(d, "e/x") && exists(d, "e/y") &&
	      st.whiteouts == 2, "layers inside a tar unpack as the same layers do as files (%s)",
	      err.len ? err.buf : "");
	struct strbuf got = STRBUF_INIT;
	err.len = 0;
	CHECK(archive_read_member(outer, "manifest.json", 1024, &got, &err) == 0 &&
	      got.len == 16 && !memcmp(got.buf, "[{\"Layers\": []}]", 16), "a member is read whole");
	got.len = 0;
	err.len = 0;
	CHECK(archive_read_member(outer, "manifest.json", 10, &got, &err) < 0 && strstr(err.buf, "more than 10"),
	      "a member over the bound is refused, not read (%s)", err.len ? err.buf : "");
	err.len = 0;
	CHECK(archive_unpack_member(outer, "l9/layer.tar", d, 1, 0, &st, &err) < 0 &&
	      strstr(err.buf, "no member l9/layer.tar"), "a member that is not there is named (%s)",
	      err.len ? err.buf : "");
	err.len = 0;
	d = fresh("evil-member");
	char *outside2 = xasprintf("%s/outside-member", tmp);
	CHECK(archive_unpack_member(outer, "l3/layer.tar", d, 1, 0, &st, &err) < 0 && !file_exists(outside2) &&
	      strstr(err.buf, "outer.tar:l3/layer.tar: ../outside-member"),
	      "a member's entry climbing out is refused as a file's is, named FILE:MEMBER (%s)",
	      err.len ? err.buf : "");
	struct strvec members = STRVEC_INIT;
	CHECK(archive_list_members(outer, &members, &err) == 0 && members.n == 4 &&
	      sv_has(&members, "l2/layer.tar"), "the members are listed by the names the functions take");
	sv_clear(&members);
	sb_release(&got);

	char *rm = xasprintf("rm -rf %s", tmp);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
