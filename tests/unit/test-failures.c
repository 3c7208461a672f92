/* Failures that imply later kernel verdicts: a config holding only
 * settings of a failed one fails, in the same context, for boot and test
 * failures only. */
#include "config.h"
#include "failures.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static struct config *parse(const char *text)
{
	struct config *c = xcalloc(1, sizeof(*c));
	config_parse(text, c);
	return c;
}

static struct lineset set_of(const struct config *c)
{
	struct lineset s;
	lineset_of_config(&s, c);
	return s;
}

int main(void)
{
	struct config *full = parse("#\n# Automatically generated\n#\nCONFIG_NET=y\n"
				    "CONFIG_VIRTIO=y\nCONFIG_VIRTIO_NET=y\nCONFIG_LOG_BUF_SHIFT=17\n"
				    "# CONFIG_PRINTK is not set\n");
	struct config *no_vnet = parse("CONFIG_NET=y\nCONFIG_VIRTIO=y\n"
				       "CONFIG_LOG_BUF_SHIFT=17\n# CONFIG_VIRTIO_NET is not set\n");
	struct config *no_virtio = parse("CONFIG_LOG_BUF_SHIFT=17\nCONFIG_NET=y\n");
	struct config *other_value = parse("CONFIG_NET=y\nCONFIG_LOG_BUF_SHIFT=14\n");
	struct config *empty = parse("# nothing set\n");

	struct lineset s_full = set_of(full), s_no_vnet = set_of(no_vnet), s_no_virtio = set_of(no_virtio);
	struct lineset s_other = set_of(other_value), s_empty = set_of(empty);
	CHECK(s_full.n == 4, "only the CONFIG_ settings count (%d)", s_full.n);
	CHECK(lineset_subset(&s_no_virtio, &s_no_vnet) && lineset_subset(&s_no_vnet, &s_full),
	      "fewer settings are a subset");
	CHECK(!lineset_subset(&s_full, &s_no_vnet), "more settings are not");
	CHECK(!lineset_subset(&s_other, &s_no_vnet), "another value of a setting is not");
	CHECK(lineset_subset(&s_empty, &s_full) && lineset_subset(&s_full, &s_full),
	      "the empty set and the set itself are subsets");

	struct failures fs = { 0 };
	CHECK(!failures_implying(&fs, no_virtio, "ctx"), "nothing is implied before a failure");
	struct config *no_vnet2 = parse("CONFIG_NET=y\nCONFIG_VIRTIO=y\nCONFIG_LOG_BUF_SHIFT=17\n");
	failures_add(&fs, no_vnet2, "ctx", 7, V_TEST);
	CHECK(fs.n == 1, "a test failure is recorded");
	const struct failure *f = failures_implying(&fs, no_virtio, "ctx");
	CHECK(f && f->cand == 7 && f->v == V_TEST,
	      "turning off more than a failed config did fails the same way");
	CHECK(!failures_implying(&fs, full, "ctx"), "a config with more settings is not implied");
	CHECK(!failures_implying(&fs, other_value, "ctx"), "a config with another value is not implied");
	CHECK(!failures_implying(&fs, no_virtio, "ctx2"),
	      "a failure with another initramfs or test script implies nothing");

	struct config *more = parse("CONFIG_NET=y\nCONFIG_VIRTIO=y\nCONFIG_LOG_BUF_SHIFT=17\nCONFIG_X=y\n");
	failures_add(&fs, more, "ctx", 8, V_BOOT);
	failures_passed(&fs, no_virtio, "ctx2");
	CHECK(fs.n == 2, "a pass in another context forgets nothing");
	failures_passed(&fs, no_virtio, "ctx");
	CHECK(fs.n == 0 && !failures_implying(&fs, empty, "ctx"),
	      "a pass inside failed configs forgets them (flaky, or removing more helped)");
	struct config *again = parse("CONFIG_NET=y\n");
	failures_add(&fs, again, "ctx", 9, V_TEST);
	failures_passed(&fs, full, "ctx");
	CHECK(fs.n == 1, "a pass of a config with more settings forgets nothing");

	struct config *one = parse("CONFIG_NET=y\n");
	struct failures fs2 = { 0 };
	failures_add(&fs2, one, "ctx", 1, V_BUILD);
	failures_add(&fs2, one, "ctx", 2, V_TIMEOUT);
	CHECK(fs2.n == 0 && !failures_implying(&fs2, empty, "ctx"),
	      "build failures and timeouts imply nothing (turning off more can fix a build; "
	      "a timeout may not happen again)");
	failures_release(&fs);
	failures_release(&fs2);
	struct lineset *sets[] = { &s_full, &s_no_vnet, &s_no_virtio, &s_other, &s_empty };
	for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++)
		lineset_release(sets[i]);
	struct config *cs[] = { full, no_vnet, no_virtio, other_value, empty, no_vnet2, more, again, one };
	for (size_t i = 0; i < sizeof(cs) / sizeof(*cs); i++) {
		config_release(cs[i]);
		free(cs[i]);
	}
	UNIT_EXIT();
}
