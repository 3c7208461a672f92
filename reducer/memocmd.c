#define _GNU_SOURCE
/* reduce memo export|import: an app's verdicts carried between machines
 * that share no release history (the history carries them where there is
 * one). */
#include "memocmd.h"
#include "memo.h"
#include "profile.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char memo_usage[] =
"usage: reduce memo export APP [FILE]\n"
"       reduce memo import APP FILE\n"
"\n"
"export writes the verdicts this machine's runs of APP have learned to FILE\n"
"(or stdout), one KEY<TAB>VERDICT line per key, sorted. import adds those of\n"
"FILE whose keys this machine does not know; lines that are not verdicts are\n"
"skipped. A verdict is replayed only where everything it was made under\n"
"matches (config, initramfs, tests, kernel source, QEMU's version,\n"
"accelerator, memory).\n"
"\n"
"Exit status: 0 done; 1 the memo cannot be read or written; 2 bad command\n"
"line or unreadable FILE.\n";

int cmd_memo(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(memo_usage, stdout);
		return 0;
	}
	int export = argc >= 2 && !strcmp(argv[1], "export");
	int import = argc >= 2 && !strcmp(argv[1], "import");
	if (!export && !import)
		die_usage("memo needs export or import (see reduce memo --help)");
	if (argc < 3 || (export && argc > 4) || (import && argc != 4))
		die_usage("usage: reduce memo %s APP %s", argv[1], export ? "[FILE]" : "FILE");
	const char *app = argv[2];
	if (!valid_app_name(app))
		die_usage("'%s' is not an app name (letters, digits, '-', '_', '.')", app);
	if (export) {
		struct strbuf out = STRBUF_INIT;
		int n = memo_export(app, &out);
		const char *file = argc == 4 ? argv[3] : "-";
		if (!strcmp(file, "-")) {
			if ((out.len && fwrite(out.buf, 1, out.len, stdout) != out.len) || fflush(stdout))
				die("cannot write to stdout");
		} else if (write_file_atomic(file, out.buf ? out.buf : "", out.len) < 0) {
			die_writing(file);
		}
		info("exported %d verdicts of %s", n, app);
		sb_release(&out);
		return 0;
	}
	struct strbuf in = STRBUF_INIT;
	if (read_file(argv[3], &in) < 0)
		die_usage("cannot read %s: %s", argv[3], strerror(errno));
	int added = 0;
	if (memo_merge(app, in.buf ? in.buf : "", &added) < 0)
		die("cannot write the memo of %s: %s", app, strerror(errno));
	info("imported %d verdicts of %s that were new here", added, app);
	sb_release(&in);
	return 0;
}
