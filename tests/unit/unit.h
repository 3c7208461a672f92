/* A tiny TAP-style harness: each check prints "ok - NAME" or
 * "not ok - NAME"; tests/run-all.sh counts them. */
#ifndef UNIT_H
#define UNIT_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static int unit_failed;
/* The condition is evaluated once: many have side effects. */
#define CHECK(cond, ...) do { \
	int unit_ok_ = !!(cond); \
	printf(unit_ok_ ? "ok - " : "not ok - "); \
	printf(__VA_ARGS__); \
	printf("%s\n", unit_ok_ ? "" : "  (" #cond ")"); \
	if (!unit_ok_) \
		unit_failed = 1; \
} while (0)
/* A setup step is not a test: it prints nothing when it works, and when
 * it does not, the file stops with one failing line that says so. */
#define REQUIRE(cond, ...) do { \
	if (!(cond)) { \
		printf("not ok - setup failed: "); \
		printf(__VA_ARGS__); \
		printf("  (" #cond ")\n"); \
		exit(1); \
	} \
} while (0)
#define UNIT_EXIT() return unit_failed
#endif
