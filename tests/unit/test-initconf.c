/* init.conf's cmd line: what the host writes (initconf.c) is what the
 * guest's init reads (rootfs/init-cmd.h, the same code init runs). */
#include "initconf.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

/* Quotes args, checks the line, splits it as init does: the same list? */
static int round_trip(const char *const *args, int n)
{
	struct strbuf line = STRBUF_INIT;
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(&line, " ");
		initconf_quote(&line, args[i]);
	}
	const char *why = initconf_check_cmd(line.buf);
	char *argv[INIT_MAX_ARGS + 1];
	int argc = why ? -1 : init_split_cmd(line.buf, argv, INIT_MAX_ARGS);
	int same = argc == n;
	for (int i = 0; same && i < n; i++)
		same = !strcmp(argv[i], args[i]);
	if (!same)
		printf("# %s: %d arguments back\n", why ? why : "split", argc);
	sb_release(&line);
	return same;
}

static int splits(const char *cmd, int want)
{
	char buf[1024], *argv[INIT_MAX_ARGS + 1];
	snprintf(buf, sizeof(buf), "%s", cmd);
	return init_split_cmd(buf, argv, INIT_MAX_ARGS) == want;
}

int main(void)
{
	const char *shell[] = { "/bin/sh", "-c", "echo \"$GREETING, it's $0\" >x && exec app", "me too" };
	CHECK(round_trip(shell, 4), "a shell line with quotes, a dollar and blanks comes back as it was");
	const char *odd[] = { "/bin/x", "", "'", "''", "\\", "a\\b", " lead", "trail ", "two  blanks", "tab\there",
			      "it's", "\"", "\\'" };
	CHECK(round_trip(odd, 13), "empty, quote-only, backslash, blank-edged and tab-holding arguments come back");
	const char *plain[] = { "/usr/sbin/nginx", "-g", "daemon off;" };
	struct strbuf line = STRBUF_INIT;
	initconf_quote(&line, "-g");
	CHECK(!strcmp(line.buf, "-g"), "a plain argument is written as it is");
	CHECK(round_trip(plain, 3), "an nginx command line comes back");

	CHECK(splits("/bin/a  b   c", 3), "runs of blanks separate once");
	CHECK(splits("/bin/a 'b c'd\\ e", 2), "quoted, unquoted and escaped parts join into one argument");
	CHECK(initconf_check_cmd("/bin/a \"b c\"") && strstr(initconf_check_cmd("/bin/a \"b c\""), "not with \""),
	      "a double quote outside '...' is refused");
	CHECK(initconf_check_cmd("/bin/a 'b\"c'") == NULL, "inside '...' it is an ordinary character");
	CHECK(initconf_check_cmd("/bin/a\tb") != NULL, "a tab outside '...' is refused");
	CHECK(initconf_check_cmd("/bin/a 'b") && strstr(initconf_check_cmd("/bin/a 'b"), "not closed"),
	      "a quote left open is refused");
	CHECK(initconf_check_cmd("/bin/a b\\") && strstr(initconf_check_cmd("/bin/a b\\"), "backslash"),
	      "a trailing backslash is refused");
	CHECK(initconf_check_cmd("/bin/a 'b\nc'") && strstr(initconf_check_cmd("/bin/a 'b\nc'"), "newline"),
	      "a newline, even quoted, is refused");

	struct strbuf many = STRBUF_INIT;
	sb_adds(&many, "/bin/a");
	for (int i = 1; i < INIT_MAX_ARGS; i++)
		sb_adds(&many, " x");
	CHECK(initconf_check_cmd(many.buf) == NULL, "%d arguments are taken", INIT_MAX_ARGS);
	sb_adds(&many, " x");
	CHECK(initconf_check_cmd(many.buf) && strstr(initconf_check_cmd(many.buf), "more than the 256 arguments"),
	      "one more is refused: init would drop it (%s)", initconf_check_cmd(many.buf));
	char *argv[INIT_MAX_ARGS + 1];
	CHECK(init_split_cmd(many.buf, argv, INIT_MAX_ARGS) == INIT_MAX_ARGS && !argv[INIT_MAX_ARGS],
	      "init itself stops at its limit, NULL after the last");
	sb_release(&many);
	sb_release(&line);
	UNIT_EXIT();
}
