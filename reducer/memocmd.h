#ifndef REDUCE_MEMOCMD_H
#define REDUCE_MEMOCMD_H

/* reduce memo export APP [FILE] | reduce memo import APP FILE. */
int cmd_memo(int argc, char **argv);

#endif
