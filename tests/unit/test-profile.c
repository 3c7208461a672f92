/* Profile parsing, including the bad inputs a user can write. */
#include "profile.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/reduce-test-profile-XXXXXX";

static int parse(const char *text, struct profile *p, struct strbuf *err)
{
	char *path = xasprintf("%s/app.conf", dir);
	write_file_atomic(path, text, strlen(text));
	err->len = 0;
	if (err->buf)
		err->buf[0] = '\0';
	int r = profile_parse(path, "app", p, err);
	free(path);
	return r;
}

int main(void)
{
	struct profile p;
	struct strbuf err = STRBUF_INIT;
	if (!mkdtemp(dir))
		return 1;

	CHECK(parse("# comment\n\ndescription A web server\nrootfs busybox\n"
		    "cmd /bin/busybox httpd -f -p 80\nport 80\nport 443\nmemory 256\n"
		    "keep /etc/passwd\nenv HOME=/root\nfile /www/index.html <p>hi</p>\\n\n", &p, &err) == 0,
	      "a valid profile parses%s%s", err.len ? ": " : "", err.len ? err.buf : "");
	CHECK(!strcmp(p.cmd, "/bin/busybox httpd -f -p 80"), "cmd is kept whole");
	CHECK(p.nports == 2 && p.ports[0] == 80 && p.ports[1] == 443, "ports are read in order");
	CHECK(p.memory_mb == 256, "memory is read");
	CHECK(p.keep.n == 1 && !strcmp(p.keep.v[0], "/etc/passwd"), "keep paths are read");
	CHECK(p.files.n == 2 && !strcmp(p.files.v[1], "<p>hi</p>\n"), "file content unescapes \\n");
	CHECK(p.env.n == 1 && !strcmp(p.env.v[0], "HOME=/root"), "env is read");

	CHECK(parse("cmd /bin/x\nbogus 1\n", &p, &err) < 0 && strstr(err.buf, "app.conf:2: unknown key 'bogus'"),
	      "an unknown key is reported with its line number (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nport 99999\n", &p, &err) < 0 && strstr(err.buf, ":2: port must be"),
	      "a port out of range is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nport\n", &p, &err) < 0 && strstr(err.buf, ":2: 'port' needs a value"),
	      "a key without a value is an error (%s)", err.buf);
	CHECK(parse("port 80\n", &p, &err) < 0 && strstr(err.buf, "no 'cmd' line"),
	      "a profile without cmd is an error (%s)", err.buf);
	CHECK(parse("cmd bin/x\n", &p, &err) < 0 && strstr(err.buf, ":1: cmd must start with an absolute path"),
	      "a relative cmd is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x \"a b\"\n", &p, &err) < 0 && strstr(err.buf, "quote an argument with '...'"),
	      "double quotes in cmd are refused, pointing to single ones (%s)", err.buf);
	CHECK(parse("cmd /bin/sh -c 'echo \"$A\" b' it\\'s\n", &p, &err) == 0,
	      "a double quote inside single quotes is an ordinary character (%s)", err.buf);
	CHECK(parse("cmd /bin/x\tb\n", &p, &err) < 0 && strstr(err.buf, "not with \" or tabs"),
	      "a tab outside quotes is refused (%s)", err.buf);
	CHECK(parse("cmd /bin/sh -c 'echo a  b' it\\'s ''\n", &p, &err) == 0 &&
	      !strcmp(p.cmd, "/bin/sh -c 'echo a  b' it\\'s ''"), "single quotes and a backslash are kept for init (%s)",
	      err.buf);
	CHECK(parse("cmd /bin/x 'open\n", &p, &err) < 0 && strstr(err.buf, ":1: cmd has a ' that is not closed"),
	      "a quote left open is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x a\\\n", &p, &err) < 0 && strstr(err.buf, "ends in a backslash"),
	      "a trailing backslash is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/'x y'\n", &p, &err) < 0 && strstr(err.buf, "program name cannot be quoted"),
	      "a quoted program name is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nenv GREETING=hello  world\n", &p, &err) == 0 && p.env.n == 1 &&
	      !strcmp(p.env.v[0], "GREETING=hello  world"), "an env value may hold blanks (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nenv A B=c\n", &p, &err) < 0 && strstr(err.buf, "a NAME without blanks"),
	      "an env name with a blank is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x\n", &p, &err) == 0 && !p.workdir, "no workdir line leaves it to the image");
	CHECK(parse("cmd /bin/x\nrootfs alpine\n", &p, &err) < 0 && strstr(err.buf, ":2: rootfs must be"),
	      "an unknown rootfs base is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nrootfs debian\n", &p, &err) < 0 && strstr(err.buf, "needs a 'packages' line"),
	      "rootfs debian without packages is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x\npackages ngin$x\n", &p, &err) < 0 && strstr(err.buf, "not a Debian package name"),
	      "a malformed package name is an error (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nkeep /init\n", &p, &err) < 0 && strstr(err.buf, ":2: keep needs"),
	      "keep may not name /init (%s)", err.buf);
	CHECK(parse("cmd /bin/x\nmemory lots\n", &p, &err) < 0 && strstr(err.buf, ":2: memory must be"),
	      "a non-numeric memory is an error (%s)", err.buf);

	char *path = profile_path("/repo", "nginx");
	CHECK(!strcmp(path, "/repo/profiles/nginx.conf"), "an app name maps to profiles/NAME.conf");
	CHECK(profile_path("/repo", "a b") == NULL, "an app name with a space is refused");
	CHECK(!strcmp(profile_path("/repo", "./my.conf"), "./my.conf"), "a path is taken as it is");
	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd)) {
	}
	UNIT_EXIT();
}
