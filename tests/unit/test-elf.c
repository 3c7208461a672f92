/* The ELF closure against real Debian binaries of this host, checked
 * against what the dynamic loader itself reports (ld.so --list). */
#include "elf.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct strvec out = STRVEC_INIT;
	struct strbuf err = STRBUF_INIT;

	CHECK(elf_closure("", "/usr/bin/curl", &out, &err) == 0, "the closure of /usr/bin/curl resolves%s%s",
	      err.len ? ": " : "", err.len ? err.buf : "");
	CHECK(sv_has(&out, "/usr/bin/curl"), "it holds the program");
	CHECK(!sv_has(&out, "/etc/ld.so.cache"), "not ld.so's cache: every library is in a directory ld.so knows");
	CHECK(sv_has(&out, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") || sv_has(&out, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
	      "it holds the interpreter");
	/* Debian 12 merges /usr: /lib64 -> usr/lib64, whose loader is a link
	 * to /lib/x86_64-linux-gnu/..., and /lib -> usr/lib. Every link on
	 * the way is part of what the image needs. */
	CHECK(sv_has(&out, "/lib64") && sv_has(&out, "/usr/lib64/ld-linux-x86-64.so.2") && sv_has(&out, "/lib"),
	      "it holds every symlink on the PT_INTERP path (/lib64, its loader link, /lib)");

	/* The loader's own answer, by soname: every library it loads must be
	 * in the closure under some path. */
	FILE *f = popen("/lib64/ld-linux-x86-64.so.2 --list /usr/bin/curl | awk '/=>/ {print $3}'", "r");
	char line[512];
	int all = 1, count = 0;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		count++;
		const char *base = strrchr(line, '/') + 1;
		int seen = 0;
		for (size_t i = 0; i < out.n; i++) {
			const char *b = strrchr(out.v[i], '/') + 1;
			if (!strcmp(b, base))
				seen = 1;
		}
		if (!seen) {
			printf("# missing %s\n", line);
			all = 0;
		}
	}
	if (f)
		pclose(f);
	CHECK(count > 10 && all, "every library ld.so loads for curl is in the closure (%d)", count);

	struct strvec s2 = STRVEC_INIT;
	err.len = 0;
	CHECK(elf_closure("", "/bin/busybox", &s2, &err) == 0 && s2.n == 2 &&
	      sv_has(&s2, "/bin") && sv_has(&s2, "/usr/bin/busybox"),
	      "a static binary's closure is itself and the /bin link (%zu)", s2.n);
	err.len = 0;
	CHECK(elf_closure("", "/no/such/program", &s2, &err) < 0 && strstr(err.buf, "not found"),
	      "a missing program is an error (%s)", err.buf);

	/* A fake root: a binary whose needed library is absent. */
	char dir[] = "/tmp/reduce-test-elf-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char *cmd = xasprintf("mkdir -p %s/usr/bin %s/lib64 && cp /usr/bin/curl %s/usr/bin/ && "
			      "cp /lib64/ld-linux-x86-64.so.2 %s/lib64/", dir, dir, dir, dir);
	CHECK(system(cmd) == 0, "fake root prepared");
	struct strvec s3 = STRVEC_INIT;
	err.len = 0;
	CHECK(elf_closure(dir, "/usr/bin/curl", &s3, &err) < 0 && strstr(err.buf, "needs libcurl"),
	      "a missing library names the library (%s)", err.buf);

	/* A script: its interpreter and the interpreter's closure come with
	 * it, "#!/usr/bin/env NAME" finding NAME along the PATH. A library in
	 * a directory only the image's ld.so.conf names is found there. */
	char *cmd2 = xasprintf("mkdir -p %s/app %s/opt/mylib %s/etc/ld.so.conf.d %s/usr/lib/x86_64-linux-gnu && "
			       "printf '#!/usr/bin/env curl\\necho\\n' >%s/app/run && "
			       "printf '#! /usr/bin/curl -s\\n' >%s/app/run2 && "
			       "cp /bin/busybox %s/usr/bin/env && "
			       "for l in $(/lib64/ld-linux-x86-64.so.2 --list /usr/bin/curl | awk '/=>/ {print $3}'); do "
			       "cp $l %s/opt/mylib/; done && "
			       "echo 'include /etc/ld.so.conf.d/*.conf' >%s/etc/ld.so.conf && "
			       "echo '/opt/mylib # the image own' >%s/etc/ld.so.conf.d/my.conf && "
			       ": >%s/etc/ld.so.cache",
			       dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir);
	CHECK(system(cmd2) == 0, "script and ld.so.conf root prepared");
	struct strvec s4 = STRVEC_INIT;
	err.len = 0;
	CHECK(elf_closure(dir, "/app/run", &s4, &err) == 0 && sv_has(&s4, "/app/run") &&
	      sv_has(&s4, "/usr/bin/env") && sv_has(&s4, "/usr/bin/curl") &&
	      sv_has(&s4, "/opt/mylib/libcurl.so.4") && sv_has(&s4, "/etc/ld.so.cache"),
	      "a script brings its interpreter (found through env) and its libraries, from the "
	      "directory ld.so.conf includes, and the cache ld.so finds them by (%s)", err.len ? err.buf : "");
	struct strvec s5 = STRVEC_INIT;
	err.len = 0;
	CHECK(elf_closure(dir, "/app/run2", &s5, &err) == 0 && sv_has(&s5, "/usr/bin/curl"),
	      "a #! line with a blank and an argument names its interpreter (%s)", err.len ? err.buf : "");

	/* An Alpine-like tree: a program linked against musl, its loader at
	 * /lib/ld-musl-x86_64.so.1, and its library in a directory that only
	 * the tree's /etc/ld-musl-x86_64.path names. */
	if (system("command -v musl-gcc >/dev/null") == 0) {
		char *cmd3 = xasprintf("mkdir -p %s/m/lib %s/m/opt/greet %s/m/app %s/m/etc && cd %s/m && "
				       "printf 'const char *greet(void) { return \"hi\"; }\\n' >g.c && "
				       "printf 'const char *greet(void); int main(void) { return !greet(); }\\n' >h.c && "
				       "musl-gcc -shared -fPIC -o opt/greet/libgreet.so g.c && "
				       "musl-gcc -o app/hello h.c -Lopt/greet -lgreet && "
				       "cp /lib/ld-musl-x86_64.so.1 lib/ && echo /opt/greet >etc/ld-musl-x86_64.path",
				       dir, dir, dir, dir, dir);
		CHECK(system(cmd3) == 0, "musl root prepared");
		char *mroot = xasprintf("%s/m", dir);
		struct strvec s6 = STRVEC_INIT;
		err.len = 0;
		CHECK(elf_closure(mroot, "/app/hello", &s6, &err) == 0 && sv_has(&s6, "/app/hello") &&
		      sv_has(&s6, "/lib/ld-musl-x86_64.so.1") && sv_has(&s6, "/opt/greet/libgreet.so") &&
		      sv_has(&s6, "/etc/ld-musl-x86_64.path"),
		      "a musl program brings musl's loader and the library its path file names, and the "
		      "file (%s)", err.len ? err.buf : "");
		free(mroot);
		free(cmd3);
	} else {
		printf("ok - # SKIP musl-gcc not found: package musl-tools\n");
	}
	char *rm = xasprintf("rm -rf %s", dir);
	if (system(rm)) {
	}
	UNIT_EXIT();
}
