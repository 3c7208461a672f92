#ifndef REDUCE_INITCONF_H
#define REDUCE_INITCONF_H

#include "util.h"
#include "../rootfs/init-cmd.h"

/* The syntax of init.conf's cmd line as rootfs/init splits it, on the
 * host: arguments separated by blanks, '...' quoting everything up to the
 * next quote, and outside quotes a backslash taking the next character as
 * it is. Nothing is expanded. */

/* Whether `arg` is written as it is: not empty, no blank, quote or
 * backslash. */
int initconf_plain(const char *arg);

/* Appends `arg` as one argument init reads back unchanged: as it is when
 * it needs no quoting, else in single quotes (a quote in it as '\''). */
void initconf_quote(struct strbuf *out, const char *arg);

/* NULL when init splits `cmd` as a shell would and into at most
 * INIT_MAX_ARGS arguments; else why not, in words for a profile error. A
 * double quote or a tab outside '...' is refused: a shell would read them
 * otherwise, init does not. */
const char *initconf_check_cmd(const char *cmd);

#endif
