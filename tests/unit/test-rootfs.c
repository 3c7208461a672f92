/* Staging a user's tree (rootfs_stage, rootfs_scan): what reduce writes
 * into an untrusted tree stays in it, and the tree's setuid and setgid
 * bits reach the image only where the tree's own files still are. */
#include "profile.h"
#include "rootfs.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[] = "/tmp/reduce-test-rootfs-XXXXXX";

static unsigned bits_of(const struct rootfs *rf, const char *path)
{
	for (int i = 0; i < rf->n; i++)
		if (!strcmp(rf->path[i], path))
			return rf->setid[i];
	return 07777;
}

int main(void)
{
	REQUIRE(mkdtemp(dir), "mkdtemp");
	/* The tree: a setuid app and a setuid /init of its own; /etc a link
	 * to an absolute path on the host. */
	char *mk = xasprintf("cd %s && mkdir -p src/bin outside && printf app >src/bin/app && "
			     "printf evil >src/init && chmod 4755 src/bin/app src/init && "
			     "ln -s %s/outside src/etc && tar -C src -cf tree.tar . && printf init >init.bin && "
			     "printf 'rootfs tar tree.tar\\ncmd /bin/app\\nfile /etc/foo hello\\n' >app.conf",
			     dir, dir);
	REQUIRE(system(mk) == 0, "the tree and the profile");
	struct profile p;
	struct strbuf err = STRBUF_INIT;
	char *conf = xasprintf("%s/app.conf", dir), *stage = xasprintf("%s/stage", dir);
	char *init_bin = xasprintf("%s/init.bin", dir);
	REQUIRE(profile_parse(conf, "app", &p, &err) == 0, "the profile parses: %s", err.buf);
	struct strvec setid = STRVEC_INIT;
	CHECK(rootfs_stage(&p, dir, stage, init_bin, &setid, &err) == 0, "the tree stages (%s)",
	      err.len ? err.buf : "");
	char *out = xasprintf("%s/outside/foo", dir), *in = xasprintf("%s%s/outside/foo", stage, dir);
	struct stat st;
	CHECK(stat(out, &st) < 0 && stat(in, &st) == 0,
	      "a profile file under a link to an absolute path lands inside the tree, as in a chroot");
	char *app = xasprintf("%s/bin/app", stage);
	CHECK(stat(app, &st) == 0 && !(st.st_mode & 06000), "the staged copy of the app is not setuid");
	struct rootfs rf;
	REQUIRE(rootfs_scan(stage, &p, &setid, &rf) == 0, "the staged tree scans");
	CHECK(bits_of(&rf, "bin/app") == 04000, "the app's setuid bit is kept for the image (%o)",
	      bits_of(&rf, "bin/app"));
	CHECK(bits_of(&rf, "init") == 0 && bits_of(&rf, "init.conf") == 0,
	      "reduce's own /init replaces the tree's, bits and all (%o)", bits_of(&rf, "init"));
	char *foo = xasprintf("%s/outside/foo", dir + 1);
	CHECK(bits_of(&rf, foo) == 0, "a profile file has no bits (%o)", bits_of(&rf, foo));
	char *rm = xasprintf("rm -rf %s", dir);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
