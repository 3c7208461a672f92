/* .config handling: counting enabled options and the Kconfig helper's
 * answers (when the kernel source is unpacked). */
#include "kconfig.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char path[] = "/tmp/reduce-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_C=m\nCONFIG_D=\"y\"\n"
			   "CONFIG_E=0x10\nCONFIG_F=y\n";
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "config written");
	CHECK(config_count_enabled(path) == 3, "=y and =m lines count, strings and numbers do not (%d)",
	      config_count_enabled(path));
	CHECK(config_count_enabled("/nonexistent/config") == -1, "a missing file is an error");
	CHECK(config_enabled(path, "CONFIG_B") && config_enabled(path, "CONFIG_F") &&
	      !config_enabled(path, "CONFIG_A") && !config_enabled(path, "CONFIG_D"),
	      "config_enabled finds =y symbols (inside and on the last line) and not others");
	unlink(path);
	UNIT_EXIT();
}
