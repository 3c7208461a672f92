#include "initconf.h"

#include <stdio.h>
#include <string.h>

int initconf_plain(const char *arg)
{
	return *arg && !strpbrk(arg, " \t'\"\\");
}

void initconf_quote(struct strbuf *out, const char *arg)
{
	if (initconf_plain(arg)) {
		sb_adds(out, arg);
		return;
	}
	sb_adds(out, "'");
	for (const char *c = arg; *c; c++) {
		size_t n = strcspn(c, "'");
		sb_add(out, c, n);
		c += n;
		if (!*c)
			break;
		sb_adds(out, "'\\''");
	}
	sb_adds(out, "'");
}

const char *initconf_check_cmd(const char *cmd)
{
	static char too_many[64];
	int argc = 0;
	if (strchr(cmd, '\n'))
		return "cmd holds a newline, which init.conf cannot carry";
	for (const char *s = cmd; *s;) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (++argc > INIT_MAX_ARGS) {
			snprintf(too_many, sizeof(too_many), "cmd has more than the %d arguments init takes",
				 INIT_MAX_ARGS);
			return too_many;
		}
		for (; *s && *s != ' '; s++) {
			if (*s == '"' || *s == '\t' || *s == '\n')
				return "cmd is split on spaces; quote an argument with '...', not with \" or tabs";
			if (*s == '\\') {
				if (!*++s)
					return "cmd ends in a backslash";
			} else if (*s == '\'' && !(s = strchr(s + 1, '\''))) {
				return "cmd has a ' that is not closed";
			}
		}
	}
	return NULL;
}
