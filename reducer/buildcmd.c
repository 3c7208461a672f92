#define _GNU_SOURCE
/* reduce build: one kernel built as a reduction builds it (the same
 * identity, ccache, REDUCE_CCACHE_REMOTE and REDUCE_DISTCC_HOSTS), never
 * taken from the image cache. What it is for: filling a shared compile
 * cache before the runners start, and seeing what a build costs. */
#include "buildcmd.h"
#include "child.h"
#include "compile.h"
#include "kbuild.h"
#include "vm.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char build_usage[] =
"usage: reduce build --out DIR [--kernel-base BASE] [--machine M] [--config FILE]\n"
"\n"
"Builds a kernel the way a reduction builds its candidates, into DIR:\n"
"bzImage, vmlinux (stripped, PVH), kernel.config, compile.json (where the\n"
"compilations ran) and build.log. It compiles what the build directory\n"
"lacks, through ccache, and never takes the image from reduce's image\n"
"cache: run it on one machine to fill a shared compile cache\n"
"(REDUCE_CCACHE_REMOTE) for the others.\n"
"\n"
"  --out DIR             the directory to write (must not exist)\n"
"  --kernel-base BASE    microvm (default), defconfig or a .config file, with\n"
"                        the machine's options as a reduction starts from it\n"
"  --machine M           pc (default) or microvm\n"
"  --config FILE         build this .config as it is (after olddefconfig)\n"
"                        instead of a base\n"
"\n"
"Environment: REDUCE_CCACHE_REMOTE=URL (ccache remote storage: redis://HOST:PORT,\n"
"http://HOST/PATH), REDUCE_DISTCC_HOSTS=\"HOST/N ...\" (compile through distcc),\n"
"REDUCE_CACHE (the cache directory).\n"
"\n"
"Exit status: 0 built; 1 the kernel does not build or the host failed;\n"
"2 bad command line or input; 130 interrupted.\n";

static char *tmp_out;
static struct kbuild *open_kb;

/* On any way out but success (an error, Ctrl-C): DIR's temporary twin
 * goes, and a build directory made for this build alone with it. */
static void remove_partial(void)
{
	if (open_kb)
		kbuild_close(open_kb);
	open_kb = NULL;
	if (tmp_out)
		rm_rf(tmp_out);
	if (interrupted)
		exit(EXIT_INTERRUPT);
}

int cmd_build(int argc, char **argv, const char *root)
{
	const char *out = NULL, *base = "microvm", *config = NULL;
	enum vm_machine machine = VM_PC;
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "kernel-base", required_argument, NULL, 'k' },
		{ "machine", required_argument, NULL, 'M' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'k': base = optarg; break;
		case 'c': config = optarg; break;
		case 'M':
			if (vm_machine_parse(optarg, &machine) < 0)
				die_usage("unknown machine '%s' (%s)", optarg, VM_MACHINES);
			break;
		case 'h': fputs(build_usage, stdout); return 0;
		default: die_usage("see reduce build --help");
		}
	}
	if (optind < argc)
		die_usage("reduce build takes no argument '%s' (see reduce build --help)", argv[optind]);
	if (!out)
		die_usage("reduce build needs --out DIR");
	/* "dir/" would make the temporary twin a directory inside DIR. */
	char *outdir = xstrdup(out);
	for (size_t n = strlen(outdir); n > 1 && outdir[n - 1] == '/'; n--)
		outdir[n - 1] = '\0';
	out = outdir;
	if (file_exists(out))
		die_usage("%s exists: reduce build writes a new directory", out);
	if (config && !file_exists(config))
		die_usage("cannot read --config %s", config);
	if (!config && !kbuild_base_is_named(base) && !file_exists(base))
		die_usage("kernel base '%s' is neither microvm, defconfig nor a readable file", base);
	struct compilers cc;
	struct strbuf err = STRBUF_INIT;
	if (compilers_from_env(&cc, &err) < 0)
		die_usage("%s", err.buf);

	child_install_signal_handlers();
	/* Written beside DIR and renamed into place: DIR holds a whole
	 * build or does not exist. */
	tmp_out = xasprintf("%s.tmp-%ld", out, (long)getpid());
	if (mkdir_p(tmp_out) < 0)
		die("cannot create %s: %s", tmp_out, strerror(errno));
	set_die_cleanup(remove_partial);
	char *srctree = NULL;
	if (kernel_source(&srctree, &err) < 0)
		die("%s", err.buf);
	char *log = xasprintf("%s/build.log", tmp_out);
	struct kbuild kb;
	char *kname = kbuild_base_dir_name(config ? config : base,
					   machine == VM_PC ? NULL : vm_machine_name(machine));
	if (kbuild_open(&kb, srctree, kname, log, &cc) < 0)
		die("cannot set up a kernel build directory");
	open_kb = &kb;
	char *cfg = xasprintf("%s/kernel.config", tmp_out);
	if (config) {
		if (copy_file(config, cfg) < 0)
			die("cannot copy %s: %s", config, strerror(errno));
	} else {
		char *fragments[] = { xasprintf("%s/kernel-configs/microvm.config", root),
				      xasprintf("%s/kernel-configs/machine-%s.config", root,
						vm_machine_name(machine)), NULL };
		if (kbuild_base_config(&kb, base, (const char *const *)fragments, cfg, &err) < 0) {
			/* A reason of its own is the base's (not a .config); a
			 * make that failed says why in the log. */
			if (err.len)
				die_usage("%s", err.buf);
			tail_file(log, 15, &err);
			die("the kernel base does not resolve:\n%s", err.buf ? err.buf : "");
		}
		free(fragments[0]);
		free(fragments[1]);
	}
	info("building %s into %s (build directory %s, make -j%d)", config ? config : base, out,
	     kb.builddir, kb.jobs);
	int st = kbuild_build(&kb, cfg, 3600 * 1000);
	if (interrupted)
		remove_partial();
	if (st == KBUILD_HOST_FAULT)
		die("the kernel could not be built: %s", kb.fault);
	if (st != 0) {
		struct strbuf t = STRBUF_INIT;
		tail_file(log, 15, &t);
		die("the kernel does not build%s:\n%s", st == CHILD_TIMEOUT ? " (timed out)" : "",
		    t.len ? t.buf : "");
	}
	char *built_cfg = xasprintf("%s/.config", kb.builddir);
	if (copy_file(built_cfg, cfg) < 0)
		die_writing(cfg);
	char *unwritten = kbuild_copy_images(&kb, tmp_out);
	if (unwritten)
		die_writing(unwritten);
	struct strbuf json = STRBUF_INIT;
	compile_json(&cc, &kb.counts, kb.build_ms, &json);
	sb_adds(&json, "\n");
	char *jpath = xasprintf("%s/compile.json", tmp_out);
	if (write_file_atomic(jpath, json.buf, json.len) < 0)
		die_writing(jpath);
	if (interrupted)
		remove_partial();
	open_kb = NULL;
	kbuild_close(&kb);
	if (rename(tmp_out, out) < 0)
		die("cannot rename %s to %s: %s", tmp_out, out, strerror(errno));
	set_die_cleanup(NULL);
	const struct compile_counts *n = &kb.counts;
	printf("built in %.0f s: %lld local cache hits, %lld remote cache hits, %lld compiled",
	       kb.build_ms / 1000.0, n->local_hits, n->remote_hits, n->compiled);
	if (cc.distcc_hosts)
		printf(" (through distcc: %lld by its hosts, %lld here)", n->distributed, n->fell_back);
	printf("\n");
	free(jpath);
	free(built_cfg);
	free(cfg);
	free(log);
	free(srctree);
	free(kname);
	free(outdir);
	sb_release(&json);
	sb_release(&err);
	return 0;
}
