/* What rootfs/init reads of /init.conf, shared with the host that writes
 * it: reducer/initconf.c refuses what would not fit, and the unit tests
 * run the very splitting the guest does. Standard C only: it is built into
 * the static init. */
#ifndef REDUCE_INIT_CMD_H
#define REDUCE_INIT_CMD_H

#define INIT_CONF_MAX 65536     /* bytes of /init.conf read */
#define INIT_MAX_ARGS 256       /* arguments of cmd */
#define INIT_MAX_ENV 255        /* env lines (PATH comes first, beside them) */

/* cmd's syntax, a subset of the shell's: arguments are separated by
 * blanks; '...' quotes everything up to the next quote, and outside
 * quotes a backslash takes the next character as it is. Splits s in
 * place (each argument is never longer than its quoted form) into at
 * most max arguments, argv[max] being room for the NULL after them;
 * returns how many. */
static inline int init_split_cmd(char *s, char **argv, int max)
{
	int argc = 0;
	char *out = s;
	while (argc < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		argv[argc++] = out;
		while (*s && *s != ' ') {
			if (*s == '\'') {
				for (s++; *s && *s != '\''; )
					*out++ = *s++;
				if (*s)
					s++;
			} else if (*s == '\\' && s[1]) {
				*out++ = s[1];
				s += 2;
			} else {
				*out++ = *s++;
			}
		}
		if (*s)
			s++;
		*out++ = '\0';
	}
	argv[argc] = 0;
	return argc;
}

#endif
