#ifndef REDUCE_ELF_H
#define REDUCE_ELF_H

#include "util.h"

/* The ELF closure of a program inside a root filesystem: the program, its
 * interpreter (PT_INTERP) and every DT_NEEDED library, recursively, each
 * resolved the way the dynamic loader does (DT_RPATH, DT_RUNPATH, then the
 * default directories), with every symlink on the way. Paths are guest
 * paths ("/usr/lib/..."), added to `out` once each. Returns -1 with a
 * message if the program is missing or a needed library cannot be found. */
int elf_closure(const char *root, const char *guest_path, struct strvec *out, struct strbuf *err);

/* Whether the host file is an x86-64 ELF file (1) or not (0), and the
 * names of the dynamic symbols it imports (undefined in its .dynsym: the
 * C library functions it calls), added to `imports` once each. A static
 * program imports nothing. *program (if not NULL) says whether it is a
 * program (ET_EXEC, or with an interpreter) rather than a library.
 * -1 if the file cannot be read. */
int elf_imports(const char *host, struct strvec *imports, int *program);

#endif
