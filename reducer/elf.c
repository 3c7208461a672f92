#define _GNU_SOURCE
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

/* Debian's multiarch directories first, as in its ld.so.conf. */
static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib", "/usr/local/lib", NULL
};

/* Normalises an absolute guest path: removes "." and "..", double slashes. */
static char *normalize(const char *path)
{
	char *out = xmalloc(strlen(path) + 2), *o = out;
	const char *p = path;
	*o = '\0';
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t len = end - p;
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');
			if (slash)
				*slash = '\0';
		} else {
			*o = '\0';
			o = out + strlen(out);
			*o++ = '/';
			memcpy(o, p, len);
			o += len;
			*o = '\0';
		}
		p = end;
	}
	if (!*out)
		strcpy(out, "/");
	return out;
}

/* Follows symlinks of a guest path inside root, adding every link and each
 * directory link on the way; returns the final guest path or NULL. */
static char *resolve(const char *root, const char *gpath, struct strvec *out)
{
	char *cur = normalize(gpath);
	for (int hops = 0; hops < 40; hops++) {
		/* Walk the components: a symlinked directory (Debian's /lib ->
		 * usr/lib with merged /usr) must be resolved too. */
		char *prefix = xstrdup(cur);
		int changed = 0;
		for (char *s = prefix + 1;; s++) {
			if (*s != '/' && *s != '\0')
				continue;
			char save = *s;
			*s = '\0';
			char *host = xasprintf("%s%s", root, prefix);
			struct stat st;
			if (lstat(host, &st) < 0) {
				free(host);
				free(prefix);
				free(cur);
				return NULL;
			}
			if (S_ISLNK(st.st_mode)) {
				char target[PATH_MAX];
				ssize_t n = readlink(host, target, sizeof(target) - 1);
				free(host);
				if (n < 0) {
					free(prefix);
					free(cur);
					return NULL;
				}
				target[n] = '\0';
				sv_push_unique(out, prefix);
				char *dir = xstrdup(prefix);
				*strrchr(dir, '/') = '\0';
				char *joined = target[0] == '/' ?
					xasprintf("%s%s%s", target, save ? "/" : "", save ? s + 1 : "") :
					xasprintf("%s/%s%s%s", dir, target, save ? "/" : "", save ? s + 1 : "");
				free(dir);
				free(cur);
				cur = normalize(joined);
				free(joined);
				changed = 1;
				break;
			}
			free(host);
			*s = save;
			if (!save)
				break;
		}
		free(prefix);
		if (!changed)
			return cur;
	}
	free(cur);
	return NULL;
}

/* The header of a little-endian 64-bit ELF file, or NULL for any other
 * file: the only kind these images run. */
static const Elf64_Ehdr *elf64_header(const struct strbuf *sb)
{
	const unsigned char *d = (const unsigned char *)sb->buf;
	if (sb->len < sizeof(Elf64_Ehdr) || memcmp(d, ELFMAG, SELFMAG) ||
	    d[EI_CLASS] != ELFCLASS64 || d[EI_DATA] != ELFDATA2LSB)
		return NULL;
	return (const Elf64_Ehdr *)d;
}

struct elf_info {
	char *interp;
	struct strvec needed;
	struct strvec paths;    /* DT_RPATH and DT_RUNPATH entries */
	int is_elf;
};

static int read_elf(const char *host, struct elf_info *info)
{
	struct strbuf sb = STRBUF_INIT;
	memset(info, 0, sizeof(*info));
	if (read_file(host, &sb) < 0)
		return -1;
	const unsigned char *d = (const unsigned char *)sb.buf;
	const Elf64_Ehdr *eh = elf64_header(&sb);
	if (!eh) {
		sb_release(&sb);
		return 0;
	}
	info->is_elf = 1;
	if (eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > sb.len) {
		sb_release(&sb);
		return 0;
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(d + eh->e_phoff);
	const Elf64_Phdr *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && ph[i].p_offset + ph[i].p_filesz <= sb.len)
			info->interp = strndup((const char *)d + ph[i].p_offset, ph[i].p_filesz);
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
	}
	if (!dyn || dyn->p_offset + dyn->p_filesz > sb.len) {
		sb_release(&sb);
		return 0;
	}
	const Elf64_Dyn *dy = (const Elf64_Dyn *)(d + dyn->p_offset);
	size_t ndyn = dyn->p_filesz / sizeof(Elf64_Dyn);
	Elf64_Addr strtab = 0;
	for (size_t i = 0; i < ndyn && dy[i].d_tag != DT_NULL; i++)
		if (dy[i].d_tag == DT_STRTAB)
			strtab = dy[i].d_un.d_ptr;
	/* DT_STRTAB is an address: find the loaded segment holding it. */
	size_t stroff = 0;
	int found = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && strtab >= ph[i].p_vaddr &&
		    strtab < ph[i].p_vaddr + ph[i].p_filesz) {
			stroff = strtab - ph[i].p_vaddr + ph[i].p_offset;
			found = 1;
		}
	if (!found) {
		sb_release(&sb);
		return 0;
	}
	for (size_t i = 0; i < ndyn && dy[i].d_tag != DT_NULL; i++) {
		size_t off = stroff + dy[i].d_un.d_val;
		if (off >= sb.len)
			continue;
		const char *str = (const char *)d + off;
		if (!memchr(str, '\0', sb.len - off))
			continue;
		if (dy[i].d_tag == DT_NEEDED) {
			sv_push(&info->needed, str);
		} else if (dy[i].d_tag == DT_RPATH || dy[i].d_tag == DT_RUNPATH) {
			char *copy = xstrdup(str);
			for (char *t = strtok(copy, ":"); t; t = strtok(NULL, ":"))
				sv_push(&info->paths, t);
			free(copy);
		}
	}
	sb_release(&sb);
	return 0;
}

/* The image's own library directories, before the defaults: glibc's
 * /etc/ld.so.conf (with its include lines) and musl's
 * /etc/ld-musl-x86_64.path. */
static struct strvec conf_dirs;

static void read_ld_conf(const char *root, const char *gpath, int depth)
{
	char *host = xasprintf("%s%s", root, gpath);
	struct strbuf sb = STRBUF_INIT;
	char *save = NULL;
	if (depth < 4 && read_file(host, &sb) == 0 && sb.buf)
		for (char *l = strtok_r(sb.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			l += strspn(l, " \t");
			l[strcspn(l, "#")] = '\0';
			if (!strncmp(l, "include", 7) && (l[7] == ' ' || l[7] == '\t')) {
				/* Only DIR + "/" + "*.conf" patterns, as Debian's are. */
				char *pat = l + 8 + strspn(l + 8, " \t");
				pat[strcspn(pat, " \t")] = '\0';
				char *star = strstr(pat, "/*.conf");
				if (pat[0] != '/' || !star || star[7])
					continue;
				char *dir = xasprintf("%s%.*s", root, (int)(star - pat), pat);
				struct dirent **ents;
				int n = scandir(dir, &ents, NULL, alphasort);
				for (int i = 0; i < n; i++) {
					size_t len = strlen(ents[i]->d_name);
					if (len > 5 && !strcmp(ents[i]->d_name + len - 5, ".conf")) {
						char *inc = xasprintf("%.*s/%s", (int)(star - pat), pat, ents[i]->d_name);
						read_ld_conf(root, inc, depth + 1);
						free(inc);
					}
					free(ents[i]);
				}
				if (n >= 0)
					free(ents);
				free(dir);
				continue;
			}
			/* Directories, one or more a line (musl's file: colons). */
			char *dsave = NULL;
			for (char *d = strtok_r(l, ": \t", &dsave); d; d = strtok_r(NULL, ": \t", &dsave))
				if (d[0] == '/')
					sv_push_unique(&conf_dirs, d);
		}
	free(host);
	sb_release(&sb);
}

/* A script's interpreter from its "#!" line, or NULL if the file is no
 * script. For "/usr/bin/env NAME", *then is NAME along the default PATH,
 * which env runs. */
static char *script_interpreter(const char *root, const char *host, char **then)
{
	*then = NULL;
	char line[256] = "";
	FILE *f = fopen(host, "r");
	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	if (strncmp(line, "#!", 2))
		return NULL;
	char *p = line + 2 + strspn(line + 2, " \t");
	p[strcspn(p, "\r\n")] = '\0';
	char *arg = p + strcspn(p, " \t");
	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	arg[strcspn(arg, " \t")] = '\0';
	if (p[0] != '/')
		return NULL;
	const char *slash = strrchr(p, '/');
	if (strcmp(slash + 1, "env") || !*arg || strchr(arg, '/') || arg[0] == '-')
		return xstrdup(p);
	static const char *const path[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					    "/usr/bin", "/sbin", "/bin", NULL };
	for (int i = 0; path[i]; i++) {
		char *cand = xasprintf("%s%s/%s", root, path[i], arg);
		int ok = access(cand, F_OK) == 0;
		free(cand);
		if (ok) {
			*then = xasprintf("%s/%s", path[i], arg);
			break;
		}
	}
	return xstrdup(p);
}

/* A library found only in a directory the tree's loader configuration
 * names, by each loader: it must read that file at run time. Indexed by
 * whether musl loads it. */
static int found_by_conf[2];

static int is_default_dir(const char *d)
{
	for (int i = 0; default_dirs[i]; i++)
		if (!strcmp(d, default_dirs[i]))
			return 1;
	return 0;
}

/* musl's loader is its libc: it answers a needed libc, libpthread,
 * librt, libm, libdl, libutil or libxnet ("libc.so",
 * "libc.musl-x86_64.so.1") itself, without looking for a file. */
static int musl_builtin(const char *lib)
{
	static const char *const own[] = { "c", "pthread", "rt", "m", "dl", "util", "xnet", NULL };
	if (strncmp(lib, "lib", 3))
		return 0;
	size_t n = strcspn(lib + 3, ".");
	for (int i = 0; own[i]; i++)
		if (strlen(own[i]) == n && !strncmp(lib + 3, own[i], n))
			return 1;
	return 0;
}

/* gpath and what it needs, into out. `musl`: the program that loads it
 * (a library's) is musl's; a program's own PT_INTERP says for it. */
static int walk(const char *root, const char *gpath, int musl, struct strvec *out,
		struct strvec *done, struct strbuf *err)
{
	char *real = resolve(root, gpath, out);
	if (!real) {
		sb_addf(err, "%s not found in the root filesystem", gpath);
		return -1;
	}
	/* Walked once for each loader: what a library needs is read
	 * differently when musl loads it. */
	char *key = xasprintf("%d%s", musl, real);
	int seen = sv_has(done, key);
	if (!seen)
		sv_push(done, key);
	free(key);
	if (seen) {
		free(real);
		return 0;
	}
	sv_push_unique(out, real);
	char *host = xasprintf("%s%s", root, real);
	/* A script brings its interpreter, and the interpreter its closure. */
	char *then;
	char *interp = script_interpreter(root, host, &then);
	if (interp) {
		int r = walk(root, interp, 0, out, done, err);
		if (r == 0 && then)
			r = walk(root, then, 0, out, done, err);
		if (r < 0)
			sb_addf(err, " (the interpreter of %s)", real);
		free(interp);
		free(then);
		free(host);
		free(real);
		return r;
	}
	struct elf_info info;
	int ret = read_elf(host, &info);
	free(host);
	if (ret < 0) {
		sb_addf(err, "cannot read %s", real);
		free(real);
		return -1;
	}
	if (info.interp && walk(root, info.interp, 0, out, done, err) < 0)
		ret = -1;
	if (info.interp)
		musl = !strncmp(strrchr(info.interp, '/') ? strrchr(info.interp, '/') + 1 : info.interp,
				"ld-musl-", 8);
	char *origin = xstrdup(real);
	*strrchr(origin, '/') = '\0';
	for (size_t i = 0; i < info.needed.n && !ret; i++) {
		const char *lib = info.needed.v[i];
		char *found = NULL;
		if (musl && musl_builtin(lib))
			continue;
		if (strchr(lib, '/')) {
			found = xstrdup(lib);
		} else {
			struct strvec dirs = STRVEC_INIT;
			for (size_t j = 0; j < info.paths.n; j++) {
				const char *p = info.paths.v[j];
				if (!strncmp(p, "$ORIGIN", 7))
					sv_pushf(&dirs, "%s%s", origin, p + 7);
				else
					sv_push(&dirs, p);
			}
			for (size_t j = 0; j < conf_dirs.n; j++)
				sv_push(&dirs, conf_dirs.v[j]);
			for (int j = 0; default_dirs[j]; j++)
				sv_push(&dirs, default_dirs[j]);
			for (size_t j = 0; j < dirs.n && !found; j++) {
				char *cand = xasprintf("%s/%s", dirs.v[j], lib);
				struct strvec tmp = STRVEC_INIT;
				char *r = resolve(root, cand, &tmp);
				sv_clear(&tmp);
				if (r) {
					found = cand;
					free(r);
					if (j >= info.paths.n && j < info.paths.n + conf_dirs.n &&
					    !is_default_dir(dirs.v[j]))
						found_by_conf[musl] = 1;
				} else {
					free(cand);
				}
			}
			sv_clear(&dirs);
		}
		if (!found) {
			sb_addf(err, "%s needs %s, which is not in the root filesystem", real, lib);
			ret = -1;
		} else {
			ret = walk(root, found, musl, out, done, err);
			free(found);
		}
	}
	free(origin);
	free(info.interp);
	sv_clear(&info.needed);
	sv_clear(&info.paths);
	free(real);
	return ret;
}

int elf_closure(const char *root, const char *guest_path, struct strvec *out, struct strbuf *err)
{
	struct strvec done = STRVEC_INIT;
	sv_clear(&conf_dirs);
	read_ld_conf(root, "/etc/ld.so.conf", 0);
	read_ld_conf(root, "/etc/ld-musl-x86_64.path", 0);
	found_by_conf[0] = found_by_conf[1] = 0;
	int ret = walk(root, guest_path, 0, out, &done, err);
	/* What each loader reads to find such a library: glibc's cache
	 * (built from ld.so.conf), musl's path file. */
	static const char *const conf[2] = { "/etc/ld.so.cache", "/etc/ld-musl-x86_64.path" };
	for (int m = 0; m < 2 && ret == 0; m++) {
		struct strvec links = STRVEC_INIT;
		char *real = found_by_conf[m] ? resolve(root, conf[m], &links) : NULL;
		if (real) {
			for (size_t i = 0; i < links.n; i++)
				sv_push_unique(out, links.v[i]);
			sv_push_unique(out, real);
		}
		free(real);
		sv_clear(&links);
	}
	sv_clear(&done);
	return ret;
}

int elf_imports(const char *host, struct strvec *imports, int *program)
{
	struct strbuf sb = STRBUF_INIT;
	if (program)
		*program = 0;
	if (read_file(host, &sb) < 0)
		return -1;
	const unsigned char *d = (const unsigned char *)sb.buf;
	int ret = 0;
	const Elf64_Ehdr *eh = elf64_header(&sb);
	if (!eh || eh->e_machine != EM_X86_64)
		goto out;
	ret = 1;
	if (program) {
		*program = eh->e_type == ET_EXEC;
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(d + eh->e_phoff);
		if (eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) <= sb.len)
			for (int i = 0; i < eh->e_phnum; i++)
				*program |= ph[i].p_type == PT_INTERP;
	}
	if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > sb.len)
		goto out;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(d + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset + sh[i].sh_size > sb.len)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if (str->sh_offset + str->sh_size > sb.len)
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(d + sh[i].sh_offset);
		size_t nsym = sh[i].sh_size / sizeof(Elf64_Sym);
		for (size_t k = 1; k < nsym; k++) {
			int bind = ELF64_ST_BIND(sym[k].st_info);
			if (sym[k].st_shndx != SHN_UNDEF || sym[k].st_name >= str->sh_size ||
			    (bind != STB_GLOBAL && bind != STB_WEAK))
				continue;
			const char *name = (const char *)d + str->sh_offset + sym[k].st_name;
			if (*name && memchr(name, '\0', str->sh_size - sym[k].st_name))
				sv_push_unique(imports, name);
		}
	}
out:
	sb_release(&sb);
	return ret;
}
