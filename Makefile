# reduce: see README.md. `make` builds (no root, installs nothing),
# `make deps` installs what is missing, `make check` tests, `make demo` runs.
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11
LDLIBS = -lgit2 -ljansson -larchive -lcrypto

# Every reducer/*.c but main.c is a module the tests and benches link.
OBJS = $(patsubst %.c,%.o,$(filter-out reducer/main.c,$(wildcard reducer/*.c)))
# The one list of unit tests: a tests/unit/test-NAME.c is one.
UNIT_TESTS = $(patsubst %.c,%,$(wildcard tests/unit/test-*.c))
HARNESS_TESTS = $(wildcard tests/harness/t[0-9]*.sh)

# The init goes into every image: static, and small when musl is there.
# Looked up when the init is built: make check and make demo install the
# packages first and then build in a second make, so that on a fresh
# machine musl-gcc is there by then (an init built with glibc's gcc is 18
# times larger and gives a different image hash than every later build).
INIT_CC = $(shell command -v musl-gcc 2>/dev/null || echo $(CC))

# A build stops at once, in one line, when a package it needs is missing;
# it never installs (that needs root: make deps). Not for the targets
# that install first or build nothing.
ifneq ($(filter-out deps check demo clean,$(or $(MAKECMDGOALS),all)),)
MISSING := $(shell rootfs/install-deps.sh --check build)
ifneq ($(MISSING),)
$(error missing Debian packages: $(MISSING); run 'make deps' as root)
endif
endif

.PHONY: all deps check demo bench clean
all: reducer/reduce rootfs/init rootfs/init-observe $(UNIT_TESTS) bench/search-sim

reducer/reduce: reducer/main.o $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

reducer/%.o: reducer/%.c reducer/*.h rootfs/init-cmd.h
	$(CC) $(CFLAGS) -c -o $@ $<

rootfs/init: rootfs/init.c rootfs/init-cmd.h
	$(INIT_CC) -static -Os -s -Wall -o $@ $<

# The observing boot's init: the same, with the walks of the tree.
rootfs/init-observe: rootfs/init.c rootfs/init-cmd.h
	$(INIT_CC) -static -Os -s -Wall -DREDUCE_OBSERVE -o $@ $<

tests/unit/test-%: tests/unit/test-%.c $(wildcard tests/unit/*.h) $(OBJS)
	$(CC) $(CFLAGS) -Ireducer -o $@ $< $(OBJS) $(LDLIBS)

# Installs from Debian's packages whatever is missing; quick when all is there.
deps:
	rootfs/install-deps.sh

# Install first, then build in a make of its own (see INIT_CC), then act.
check:
	@rootfs/install-deps.sh --quiet
	$(MAKE) all
	tests/run-all.sh $(UNIT_TESTS) $(HARNESS_TESTS)

demo:
	@rootfs/install-deps.sh --quiet
	$(MAKE) all
	reducer/reduce --app busybox-httpd --tests tests/busybox-httpd.sh

# Also the binaries of unit tests whose source is gone (renamed or removed).
clean:
	rm -f reducer/*.o reducer/reduce rootfs/init rootfs/init-observe bench/search-sim \
		$(filter-out %.c %.h,$(wildcard tests/unit/test-*))

bench/search-sim: bench/search-sim.c $(OBJS)
	$(CC) $(CFLAGS) -Ireducer -o $@ $< $(OBJS) $(LDLIBS)

bench: all bench/search-sim
	bench/search-sim.sh
