#ifndef REDUCE_RUNDIFF_H
#define REDUCE_RUNDIFF_H

#include "util.h"

/* The number at a dotted key path ("kernel.image_bytes.after") of a
 * report.json as report_json() writes it; -1 in *ok when it is missing.
 * Only our own report format is read, so a JSON parser is not needed. */
long long report_number(const char *json, const char *path, int *ok);

/* Lines present in `a` and not in `b` (both newline-separated), sorted. */
void lines_only_in(const char *a, const char *b, struct strvec *out);

/* The set options of a .config ("CONFIG_X=value" lines), sorted. */
void config_set_options(const char *config, struct strvec *out);

/* reduce diff RUN_A RUN_B: what changed between two run directories.
 * Exit 0 when both images hold the same options and files, 1 when they
 * differ, 2 on bad input. */
int cmd_diff(int argc, char **argv);

#endif
