/* The cpio writer and the rootfs tree: archives that the real cpio tool
 * reads back, kept paths that survive their directory's removal. */
#include "cpio.h"
#include "initramfs.h"
#include "xz.h"
#include "rootfs.h"
#include "tree.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/reduce-test-cpio-XXXXXX";


static int find(const struct rootfs *rf, const char *rel)
{
	for (int i = 0; i < rf->n; i++)
		if (!strcmp(rf->path[i], rel))
			return i;
	return -1;
}

static int run_sh(const char *cmd, struct strbuf *out)
{
	FILE *f = popen(cmd, "r");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(out, buf, n);
	return pclose(f);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	put_in(dir, "init", "#!init\n");
	put_in(dir, "init.conf", "cmd /bin/app\n");
	put_in(dir, "bin/app", "APP");
	put_in(dir, "etc/passwd", "root:x:0:0::/:/bin/sh\n");
	put_in(dir, "etc/keep.d/kept", "K");
	put_in(dir, "usr/share/doc/readme", "doc doc doc");
	char *link = xasprintf("%s/bin/sh", dir);
	if (symlink("app", link) < 0)
		return 1;
	char *empty = xasprintf("%s/var/empty", dir);
	mkdir_p(empty);

	struct profile p;
	memset(&p, 0, sizeof(p));
	sv_push(&p.keep, "/etc/keep.d");
	struct rootfs rf;
	/* The image made bin/app setuid; the staged copy is not. */
	struct strvec setid = STRVEC_INIT;
	sv_push(&setid, "4000 bin/app");
	sv_push(&setid, "2000 not/staged");
	sv_push(&setid, "4000 etc/keep.d/kept");
	sv_push(&setid, "0000 etc/keep.d/kept");
	CHECK(rootfs_scan(dir, &p, &setid, &rf) == 0, "a staged tree scans");
	CHECK(rf.n == 15, "all 15 entries are listed (%d)", rf.n);
	int usr = find(&rf, "usr"), doc = find(&rf, "usr/share/doc/readme");
	CHECK(usr >= 0 && doc >= 0 && usr < doc, "a directory comes before its contents");
	CHECK(rf.node[find(&rf, "init")] < 0 && rf.node[find(&rf, "init.conf")] < 0,
	      "/init and /init.conf are not removable");
	CHECK(rf.node[find(&rf, "etc/keep.d/kept")] < 0, "a kept directory's contents are not removable");
	int etc = find(&rf, "etc");
	CHECK(rf.node[etc] >= 0 && rf.tgroup[rf.node[etc]], "the parent of a kept path is a group node");
	CHECK(rf.tweight[rf.node[usr]] > rf.tweight[rf.node[find(&rf, "var")]],
	      "subtree weight counts bytes below a directory");

	/* Remove /etc and /usr: /etc stays for its kept child. */
	unsigned char *removed = xcalloc(rf.nnodes, 1), *incl = xmalloc(rf.n);
	removed[rf.node[etc]] = 1;
	removed[rf.node[find(&rf, "etc/passwd")]] = 1;
	removed[rf.node[usr]] = 1;
	for (int i = 0; i < rf.n; i++)
		if (rf.node[i] >= 0 && !strncmp(rf.path[i], "usr/", 4))
			removed[rf.node[i]] = 1;
	rootfs_included(&rf, removed, incl);
	CHECK(incl[etc] && !incl[find(&rf, "etc/passwd")], "a removed directory stays for a kept child");
	CHECK(!incl[usr] && !incl[doc], "a removed subtree is gone");
	struct strbuf man = STRBUF_INIT;
	rootfs_manifest(&rf, incl, &man);
	CHECK(strstr(man.buf, "/etc/keep.d/kept\n") && !strstr(man.buf, "/usr"), "the manifest lists what is in");

	struct strbuf cpio = STRBUF_INIT;
	CHECK(cpio_build(&rf, incl, &cpio) == 0, "the archive builds");
	CHECK(!memcmp(cpio.buf, "070701", 6) && cpio.len % 4 == 0, "newc magic and 4-byte alignment");
	char *arch = xasprintf("%s.cpio", dir);
	write_file_atomic(arch, cpio.buf, cpio.len);
	struct strbuf list = STRBUF_INIT;
	char *cmd = xasprintf("cpio -it --quiet < %s", arch);
	CHECK(run_sh(cmd, &list) == 0, "the real cpio tool reads the archive");
	CHECK(strstr(list.buf, "bin/sh\n") && strstr(list.buf, "var/empty\n") &&
	      strstr(list.buf, "etc/keep.d/kept\n") && !strstr(list.buf, "usr"),
	      "it lists the included entries and not the removed ones");
	struct strbuf verbose = STRBUF_INIT;
	char *cmd2 = xasprintf("cpio -itv --quiet < %s | grep ' bin/sh -> app'", arch);
	CHECK(run_sh(cmd2, &verbose) == 0, "symlinks keep their targets");
	char *cmd_setid = xasprintf("cpio -itv --quiet < %s | grep -q '^-rwSr--r-- .* bin/app$' && "
			       "cpio -itv --quiet < %s | grep -q '^-rw-r--r-- .* etc/keep.d/kept$'", arch, arch);
	CHECK(run_sh(cmd_setid, &verbose) == 0,
	      "the image's setuid bit is in the archive, on its file only; a path's last record holds");
	struct strbuf again = STRBUF_INIT;
	cpio_build(&rf, incl, &again);
	CHECK(again.len == cpio.len && !memcmp(again.buf, cpio.buf, cpio.len), "the same tree gives the same bytes");

	char *xz = xasprintf("%s.cpio.xz", dir);
	CHECK(xz_write(&cpio, xz, "6", 0) == 0, "xz compression runs");
	struct strbuf info = STRBUF_INIT;
	char *cmd3 = xasprintf("xz --robot --list %s | grep -q CRC32 && xz -dc %s | cmp - %s", xz, xz, arch);
	CHECK(run_sh(cmd3, &info) == 0, "the initramfs uses the CRC32 check the kernel can verify");
	CHECK(xz_write(&cpio, xz, "6", 1) == 0, "xz compression with the x86 filter runs");
	char *cmd4 = xasprintf("xz --robot --list -vv %s | grep -q x86 && xz -dc %s | cmp - %s", xz, xz, arch);
	CHECK(run_sh(cmd4, &info) == 0, "the x86 filter is in the stream, which decodes to the archive");
	/* The kernel allocates the declared dictionary while it unpacks:
	 * the small archive's is at most the next power of two above it
	 * (4 KiB at least), not preset 9e's 64 MiB. */
	CHECK(xz_write(&cpio, xz, "9e", 1) == 0, "xz -9e compression runs");
	size_t want = 4096;
	while (want < cpio.len)
		want <<= 1;
	char *cmd5 = xasprintf("xz --robot --list -vv %s | awk -F'\t' '$1 == \"block\" { print $NF }' | "
			       "grep -q -- '--lzma2=dict=%zuKiB$' && xz -dc %s | cmp - %s", xz, want / 1024,
			       xz, arch);
	CHECK(run_sh(cmd5, &info) == 0, "the dictionary is as large as the archive, not the preset's "
	      "(%zu KiB for %zu bytes)", want / 1024, cpio.len);
	/* A larger archive's is 1 MiB, which the guest decodes in about as
	 * much memory (xz's figure). */
	struct strbuf big = STRBUF_INIT;
	for (unsigned i = 0; big.len < 3u << 20; i++)
		sb_addf(&big, "%u %u\n", i, i * 2654435761u);
	char *bigxz = xasprintf("%s.big.xz", dir);
	char *cmd6 = xasprintf("xz --robot --list -vv %s | awk -F'\t' '"
			       "$1 == \"block\" { n++; if ($NF != \"--lzma2=dict=1MiB\") d = d $NF } "
			       "$1 == \"summary\" { m = $2 } END { if (!n || d || m > 1.25 * 1048576) "
			       "{ print d, m > \"/dev/stderr\"; exit 1 } }'", bigxz);
	CHECK(xz_write(&big, bigxz, "9e", 0) == 0 && run_sh(cmd6, &info) == 0,
	      "a 3 MiB archive's dictionary is 1 MiB, not 4 MiB, and it decodes in 1.25 MiB");

	/* The xz image is kept in the cache by the image's hash and xz's
	 * version and options: the second write of the same tree takes it
	 * from there (a cache file replaced by another whole xz stream shows
	 * it was read); one xz finds broken, or empty, is written again; a
	 * fresh write never reads it. */
	char *cache = xasprintf("%s.cache", dir);
	setenv("REDUCE_CACHE", cache, 1);
	struct initramfs im;
	REQUIRE(initramfs_pack(&im, &rf, incl, 1, 0) == 0, "the image packs");
	char *first = xasprintf("%s.first.xz", dir), *second = xasprintf("%s.second.xz", dir);
	struct strbuf kept = STRBUF_INIT;
	char *find = xasprintf("find %s/initramfs/xz -name '*.cpio.xz' | tr -d '\\n'", cache);
	CHECK(initramfs_write(&im, first) == 0 && run_sh(find, &kept) == 0 && kept.len &&
	      file_size(kept.buf) == file_size(first), "an xz image is kept in the cache");
	char *plant = xasprintf("printf marker | xz --check=crc32 >%s", kept.buf);
	char *is_marker = xasprintf("xz -dc %s | grep -qx marker", second);
	CHECK(run_sh(plant, &info) == 0 && initramfs_write(&im, second) == 0 && run_sh(is_marker, &info) == 0,
	      "the next write of the same image takes it from the cache");
	char *same = xasprintf("cmp -s %s %s && cmp -s %s %s", first, second, first, kept.buf);
	char *fresh = xasprintf("cmp -s %s %s && ! cmp -s %s %s", first, second, first, kept.buf);
	im.fresh = 1;
	CHECK(initramfs_write(&im, second) == 0 && run_sh(fresh, &info) == 0,
	      "a fresh write compresses it here, and leaves the cache as it is");
	im.fresh = 0;
	write_file_atomic(kept.buf, "not xz at all", 13);
	CHECK(initramfs_write(&im, second) == 0 && run_sh(same, &info) == 0,
	      "a cache file xz finds broken is not taken: the image is compressed and kept again");
	write_file_atomic(kept.buf, "", 0);
	CHECK(initramfs_write(&im, second) == 0 && run_sh(same, &info) == 0,
	      "nor is an empty one");
	struct initramfs x86;
	REQUIRE(initramfs_pack(&x86, &rf, incl, 1, 1) == 0, "the image packs with the x86 filter");
	struct strbuf d1 = STRBUF_INIT, d2 = STRBUF_INIT;
	xz_describe(1000, "9e", 0, &d1);
	xz_describe(100000, "9e", 1, &d2);
	CHECK(strcmp(x86.hash, im.hash) && strstr(d1.buf, "xz") && strstr(d2.buf, "--x86") &&
	      strcmp(d1.buf, d2.buf), "the filter and the dictionary size are part of what names it");
	initramfs_release(&im);
	initramfs_release(&x86);

	char *rm = xasprintf("rm -rf %s %s %s %s %s %s %s", dir, arch, xz, bigxz, cache, first, second);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
