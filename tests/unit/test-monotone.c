/* Failures that imply later kernel verdicts: a config holding only
 * settings of a failed one fails, in the same context, for boot and test
 * failures only. */
#include "monotone.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/reduce-test-monotone-XXXXXX";

static struct lineset config(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct lineset s;
	if (write_file_atomic(p, text, strlen(text)) < 0 || lineset_read_config(&s, p) < 0)
		exit(1);
	free(p);
	return s;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	struct lineset full = config("full", "#\n# Automatically generated\n#\nCONFIG_NET=y\n"
				     "CONFIG_VIRTIO=y\nCONFIG_VIRTIO_NET=y\nCONFIG_LOG_BUF_SHIFT=17\n"
				     "# CONFIG_PRINTK is not set\n");
	struct lineset no_vnet = config("no_vnet", "CONFIG_NET=y\nCONFIG_VIRTIO=y\n"
					"CONFIG_LOG_BUF_SHIFT=17\n# CONFIG_VIRTIO_NET is not set\n");
	struct lineset no_virtio = config("no_virtio", "CONFIG_LOG_BUF_SHIFT=17\nCONFIG_NET=y\n");
	struct lineset other_value = config("other", "CONFIG_NET=y\nCONFIG_LOG_BUF_SHIFT=14\n");
	struct lineset empty = config("empty", "# nothing set\n");

	CHECK(full.n == 4, "only the CONFIG_ settings count (%d)", full.n);
	CHECK(lineset_subset(&no_virtio, &no_vnet) && lineset_subset(&no_vnet, &full),
	      "fewer settings are a subset");
	CHECK(!lineset_subset(&full, &no_vnet), "more settings are not");
	CHECK(!lineset_subset(&other_value, &no_vnet), "another value of a setting is not");
	CHECK(lineset_subset(&empty, &full) && lineset_subset(&full, &full),
	      "the empty set and the set itself are subsets");

	struct failures fs = { 0 };
	CHECK(!failures_implying(&fs, &no_virtio, "ctx"), "nothing is implied before a failure");
	struct lineset copy = config("no_vnet2", "CONFIG_NET=y\nCONFIG_VIRTIO=y\nCONFIG_LOG_BUF_SHIFT=17\n");
	failures_add(&fs, &copy, "ctx", 7, V_TEST);
	CHECK(copy.h == NULL && fs.n == 1, "the failure takes the set over");
	const struct failure *f = failures_implying(&fs, &no_virtio, "ctx");
	CHECK(f && f->cand == 7 && f->v == V_TEST,
	      "turning off more than a failed config did fails the same way");
	CHECK(!failures_implying(&fs, &full, "ctx"), "a config with more settings is not implied");
	CHECK(!failures_implying(&fs, &other_value, "ctx"), "a config with another value is not implied");
	CHECK(!failures_implying(&fs, &no_virtio, "ctx2"),
	      "a failure with another initramfs or test script implies nothing");

	struct lineset more = config("more", "CONFIG_NET=y\nCONFIG_VIRTIO=y\nCONFIG_LOG_BUF_SHIFT=17\n"
				     "CONFIG_X=y\n");
	failures_add(&fs, &more, "ctx", 8, V_BOOT);
	failures_passed(&fs, &no_virtio, "ctx2");
	CHECK(fs.n == 2, "a pass in another context forgets nothing");
	failures_passed(&fs, &no_virtio, "ctx");
	CHECK(fs.n == 0 && !failures_implying(&fs, &empty, "ctx"),
	      "a pass inside failed configs forgets them (flaky, or removing more helped)");
	struct lineset again = config("again", "CONFIG_NET=y\n");
	failures_add(&fs, &again, "ctx", 9, V_TEST);
	failures_passed(&fs, &full, "ctx");
	CHECK(fs.n == 1, "a pass of a config with more settings forgets nothing");

	struct lineset b = config("b", "CONFIG_NET=y\n"), t = config("t", "CONFIG_NET=y\n");
	struct failures fs2 = { 0 };
	failures_add(&fs2, &b, "ctx", 1, V_BUILD);
	failures_add(&fs2, &t, "ctx", 2, V_TIMEOUT);
	CHECK(fs2.n == 0 && !failures_implying(&fs2, &empty, "ctx"),
	      "build failures and timeouts imply nothing (turning off more can fix a build; "
	      "a timeout may not happen again)");
	failures_release(&fs);
	failures_release(&fs2);
	lineset_release(&full);
	lineset_release(&no_vnet);
	lineset_release(&no_virtio);
	lineset_release(&other_value);
	lineset_release(&empty);
	char *rm = xasprintf("rm -rf %s", dir);
	CHECK(system(rm) == 0, "the scratch directory is removed");
	free(rm);
	UNIT_EXIT();
}
