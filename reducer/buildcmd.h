#ifndef REDUCE_BUILDCMD_H
#define REDUCE_BUILDCMD_H

/* reduce build --out DIR [--kernel-base B] [--machine M] [--config F]. */
int cmd_build(int argc, char **argv, const char *root);

#endif
