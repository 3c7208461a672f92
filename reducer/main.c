/*
 * reduce: find the smallest Linux kernel and initramfs that still pass an
 * app's tests when booted under QEMU.
 */
#define _GNU_SOURCE
#include "buildcmd.h"
#include "cache.h"
#include "compile.h"
#include "memocmd.h"
#include "pipeline.h"
#include "release.h"
#include "rundiff.h"
#include "child.h"
#include "util.h"
#include "vm.h"

#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
"usage: reduce --app APP --tests SCRIPT [options]\n"
"       reduce release --app APP --tests SCRIPT --version V [--history REPO] [options]\n"
"       reduce release --check APP@VERSION [--history REPO]\n"
"       reduce log [--app APP] [--history REPO]\n"
"       reduce diff [--history REPO] RUN_A RUN_B (a run directory or APP@VERSION)\n"
"       reduce cache [--prune DAYS]\n"
"       reduce memo export|import APP [FILE]\n"
"       reduce build --out DIR [--kernel-base BASE] [--machine M] [--config FILE]\n"
"\n"
"Finds the smallest kernel + initramfs that still pass SCRIPT when booted\n"
"under QEMU, and writes them with a report to a run directory.\n"
"\n"
"  --app APP             app profile: profiles/APP.conf, or a path to a profile\n"
"  --image oci:DIR[:TAG] reduce a container image (an OCI image layout, or\n"
"                        docker-archive:FILE[:TAG] as docker save writes it) with\n"
"                        no profile: its config gives the command, env, user, ports\n"
"  --tests SCRIPT        executable test script run on the host against the VM\n"
"  --kernel-base BASE    microvm (default: tinyconfig + kernel-configs/microvm.config),\n"
"                        defconfig (x86_64_defconfig + kvm_guest.config), or a .config file\n"
"  --strategy S          hier (default: hierarchical delta debugging) or linear\n"
"                        (one option or file at a time)\n"
"  --max-candidates N    test at most N candidates in each of the kernel and rootfs\n"
"                        searches (a quick run; the result is then not minimal)\n"
"  --hint DIR            a previous run directory (e.g. reports/APP/latest, or another\n"
"                        app's): the options its kernel config lacks, and for this\n"
"                        app's runs the files its list lacks, are tried first, all\n"
"                        at once and then in halves; the search goes on from what\n"
"                        passed (the result is 1-minimal either way, only sooner)\n"
"  --only-kernel         reduce the kernel only\n"
"  --only-rootfs         reduce the root filesystem only\n"
"  --out DIR             run directory (default reports/APP/<UTC time>, and\n"
"                        reports/APP/latest points at it)\n"
"  --machine M           pc (default: SeaBIOS, virtio-pci, bzImage) or microvm (QEMU's\n"
"                        microvm: virtio-mmio, no PCI, a PVH vmlinux, as Firecracker\n"
"                        boots it); the kernel is reduced for that machine\n"
"  --accel A             auto (default: KVM if a probe boot works, else TCG), kvm, tcg\n"
"  --test-timeout SEC    longest a test script may run (default 60)\n"
"  --boot-timeout SEC    longest the baseline or the final image may take from QEMU\n"
"                        start to app ready\n"
"                        (default 120; candidates get twice the baseline's time + 5 s)\n"
"  --verify-runs N       boots of the final image that must all pass (default 3)\n"
"  --no-min-memory       skip the search for the least guest memory the final image\n"
"                        (and the baseline) pass their tests in (min_memory_mib)\n"
"  --baseline-runs N     trials of the baseline that must agree before any search\n"
"                        (default 3; tests that pass only sometimes stop the run)\n"
"  -q, --quiet           no per-candidate progress lines\n"
"  -h, --help            this text\n"
"\n"
"Test scripts get REDUCE_HOST, REDUCE_PORT (first port), REDUCE_PORT_<guest port>,\n"
"REDUCE_GUEST_IP, REDUCE_APP and REDUCE_CONSOLE, and exit 0 for pass.\n"
"\n"
"'reduce release' makes the result the app's next release in a git history\n"
"(see 'reduce release --help'); 'reduce log' lists the releases;\n"
"'reduce diff' compares two runs or releases (see 'reduce diff --help');\n"
"'reduce cache' shows and prunes the cache (see 'reduce cache --help');\n"
"'reduce memo' exports and imports an app's verdicts (see 'reduce memo --help');\n"
"'reduce build' builds one kernel as a reduction does, e.g. to fill a shared\n"
"compile cache (see 'reduce build --help').\n"
"\n"
"Kernel builds go through ccache; REDUCE_CCACHE_REMOTE=URL shares its objects\n"
"with other machines (ccache remote storage: redis://HOST:PORT, http://HOST/PATH)\n"
"and REDUCE_DISTCC_HOSTS=\"HOST/N ...\" compiles through distcc on those hosts.\n"
"\n"
"Exit status: 0 a verified image was written; 1 the run failed (baseline\n"
"fails its tests, kernel does not build, final image not verified);\n"
"2 bad command line or bad input; 130 interrupted.\n";

static const char release_usage[] =
"usage: reduce release --app APP --tests SCRIPT --version V [--history REPO]\n"
"                      [--force] [--max-growth PCT] [reduce's options]\n"
"       reduce release --check APP@VERSION [--history REPO]\n"
"\n"
"Reduces APP as reduce does, going on from its last release in the history\n"
"(that release is the --hint, and its verdicts join the memo), and commits\n"
"the verified result as the next release: a commit on branch APP, tagged\n"
"APP/V. Prints the Markdown diff against the previous release (and appends\n"
"it to $GITHUB_STEP_SUMMARY when that is set).\n"
"\n"
"  --version V           the app's version being released (a git tag name)\n"
"  --history REPO        a directory (default reports/history.git, created bare\n"
"                        on first use) or a URL: fetched first, pushed after\n"
"  --force               release a version that is already released again\n"
"  --max-growth PCT      release nothing if the image (kernel + initramfs) grew\n"
"                        by more than PCT percent since the previous release\n"
"  --check APP@VERSION   build a release again from its profile, kernel.config\n"
"                        and rootfs.manifest (the image relinked, never taken\n"
"                        from the image cache) and compare the bytes\n"
"\n"
"Exit status: 0 released (--check: the rebuild is byte-identical); 1 the run\n"
"failed or is not verified, or the history cannot be read or written (--check:\n"
"the rebuild differs, and says how); 2 bad command line or input, or the\n"
"version is already released; 3 grew more than --max-growth; 4 the push was\n"
"refused or failed (someone released meanwhile?), or only the branch went and\n"
"not the tag (it says so); the run directory is kept; 130 interrupted. Nothing\n"
"is committed unless the exit status is 0 (or 4 saying the branch went).\n";

static int parse_count(const char *flag, const char *s, int lo)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > 1000000)
		die_usage("%s needs a whole number of at least %d, not '%s'", flag, lo, s);
	return (int)v;
}

/* The repository holds profiles/, rootfs/ and kernel-configs/ next to
 * reducer/, wherever the binary is run from. */
static char *repo_root(void)
{
	const char *env = getenv("REDUCE_ROOT");
	if (env && *env)
		return xstrdup(env);
	char *exe = realpath("/proc/self/exe", NULL);
	if (!exe)
		die("cannot find my own path");
	char *dir = xstrdup(dirname(dirname(exe)));
	free(exe);
	return dir;
}

static double parse_percent(const char *flag, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || v < 0 || v > 1e6)
		die_usage("%s needs a percentage of at least 0, not '%s'", flag, s);
	return v;
}

/* The reduction's command line, and with ro (reduce release) the
 * release's flags too. */
static void parse_options(int argc, char **argv, struct options *o, struct release_options *ro)
{
	static const struct option longopts[] = {
		{ "app", required_argument, NULL, 'a' },
		{ "image", required_argument, NULL, 'I' },
		{ "tests", required_argument, NULL, 't' },
		{ "kernel-base", required_argument, NULL, 'k' },
		{ "strategy", required_argument, NULL, 's' },
		{ "max-candidates", required_argument, NULL, 'm' },
		{ "hint", required_argument, NULL, 'H' },
		{ "only-kernel", no_argument, NULL, 'K' },
		{ "only-rootfs", no_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'o' },
		{ "accel", required_argument, NULL, 'A' },
		{ "machine", required_argument, NULL, 'M' },
		{ "no-min-memory", no_argument, NULL, 'L' },
		{ "test-timeout", required_argument, NULL, 'T' },
		{ "verify-runs", required_argument, NULL, 'V' },
		{ "boot-timeout", required_argument, NULL, 'B' },
		{ "baseline-runs", required_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", required_argument, NULL, 'W' },
		{ "history", required_argument, NULL, 'Y' },
		{ "force", no_argument, NULL, 'F' },
		{ "max-growth", required_argument, NULL, 'G' },
		{ "check", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	opterr = 0;
	int c, li = -1;
	while ((c = getopt_long(argc, argv, ":hq", longopts, &li)) != -1) {
		if (!ro && strchr("WYFGC", c))
			die_usage("--%s is an option of reduce release (see reduce release --help)",
				  longopts[li].name);
		switch (c) {
		case 'a': o->app = optarg; break;
		case 'I': o->image = optarg; break;
		case 't': o->tests = optarg; break;
		case 'k': o->kernel_base = optarg; break;
		case 's':
			if (parse_strategy(optarg, &o->strategy) < 0)
				die_usage("unknown strategy '%s' (hier or linear)", optarg);
			break;
		case 'm': o->max_candidates = parse_count("--max-candidates", optarg, 1); break;
		case 'H': o->hint = optarg; break;
		case 'K': o->only_kernel = 1; break;
		case 'R': o->only_rootfs = 1; break;
		case 'o': o->out = optarg; break;
		case 'A':
			if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") && strcmp(optarg, "tcg"))
				die_usage("unknown accelerator '%s' (auto, kvm or tcg)", optarg);
			o->accel = optarg;
			break;
		case 'M':
			if (vm_machine_parse(optarg, &o->machine) < 0)
				die_usage("unknown machine '%s' (%s)", optarg, VM_MACHINES);
			break;
		case 'L': o->no_min_memory = 1; break;
		case 'T': o->test_timeout_s = parse_count("--test-timeout", optarg, 1); break;
		case 'B': o->boot_timeout_s = parse_count("--boot-timeout", optarg, 1); break;
		case 'V': o->verify_runs = parse_count("--verify-runs", optarg, 1); break;
		case 'N': o->baseline_runs = parse_count("--baseline-runs", optarg, 1); break;
		case 'q': o->quiet = 1; break;
		case 'W': ro->version = optarg; break;
		case 'Y': ro->history = optarg; break;
		case 'F': ro->force = 1; break;
		case 'G': ro->max_growth = parse_percent("--max-growth", optarg); break;
		case 'C': ro->check = optarg; break;
		case 'h': fputs(ro ? release_usage : usage_text, stdout); exit(0);
		case ':': die_usage("%s needs a value (see --help)", argv[optind - 1]);
		default: die_usage("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
	if (ro && ro->check) {
		if (o->app || o->tests || ro->version || ro->force || ro->max_growth >= 0 || o->out ||
		    o->hint)
			die_usage("--check takes only --history: the release names the rest");
		return;
	}
	if (!o->app && !o->image)
		die_usage("--app (or --image) is required (see --help)");
	if (ro && !o->app)
		die_usage("reduce release needs --app: a release is of a profile (one with "
			  "'rootfs oci PATH[:TAG]' for an image)");
	if (o->app && o->image)
		die_usage("--image is for a reduction without a profile; a profile names its image with "
			  "'rootfs oci PATH[:TAG]'");
	if (!o->tests)
		die_usage("--tests is required (see --help)");
	if (ro && !ro->version)
		die_usage("--version is required: the version of %s being released (see reduce release "
			  "--help)", o->app);
	if (o->only_kernel && o->only_rootfs)
		die_usage("--only-kernel and --only-rootfs exclude each other");
}

static int cache_command(int argc, char **argv, const char *root)
{
	return cmd_cache(argc, argv);
}

static int memo_command(int argc, char **argv, const char *root)
{
	return cmd_memo(argc, argv);
}

/* Subcommands other than the reduction itself and the release. */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, const char *root);
} commands[] = {
	{ "diff", cmd_diff },
	{ "build", cmd_build },
	{ "cache", cache_command },
	{ "log", cmd_log },
	{ "memo", memo_command },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1, repo_root());
	struct options o = { .kernel_base = "microvm", .accel = "auto",
			     .strategy = STRAT_HIER, .test_timeout_s = 60, .boot_timeout_s = 120,
			     .verify_runs = 3, .baseline_runs = 3 };
	struct release_options ro = { .max_growth = -1 };
	int release = argc > 1 && !strcmp(argv[1], "release");
	if (release)
		parse_options(argc - 1, argv + 1, &o, &ro);
	else
		parse_options(argc, argv, &o, NULL);

	static struct compilers cc;
	struct strbuf err = STRBUF_INIT;
	if (compilers_from_env(&cc, &err) < 0)
		die_usage("%s", err.buf);
	o.compilers = &cc;
	ro.compilers = &cc;

	child_install_signal_handlers();
	char *root = repo_root();
	if (release && ro.check)
		return release_check(&ro, root);
	if (release)
		return release_run(&o, &ro, root);
	return reduce_run(&o, root, NULL);
}
