#include "verdict.h"

#include <string.h>

const char *const verdict_names[V_COUNT] = {
	"pass", "build", "boot", "timeout", "test", "host", "nochange", "abort",
};

enum verdict verdict_parse(const char *name)
{
	for (int v = 0; v < V_COUNT; v++)
		if (!strcmp(name, verdict_names[v]))
			return v;
	return V_COUNT;
}
