# reduce: see README.md. `make` builds, `make check` tests, `make demo` runs.
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11
LDLIBS = -lgit2 -ljansson

OBJS = $(filter-out reducer/main.o,$(patsubst %.c,%.o,$(wildcard reducer/*.c)))
UNIT_TESTS = $(patsubst %.c,%,$(wildcard tests/unit/test-*.c))

# The init goes into every image: static, and small when musl is there.
# Looked up when the init is built, after deps-quiet: on a fresh machine
# musl-gcc appears only then, and an init built before it would be glibc's
# (18 times larger, and a different image hash than every later build).
INIT_CC = $(shell command -v musl-gcc 2>/dev/null || echo $(CC))

.PHONY: all deps deps-quiet check demo bench clean
all: deps-quiet reducer/reduce rootfs/init $(UNIT_TESTS) bench/search-sim

reducer/reduce: reducer/main.o $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

reducer/%.o: reducer/%.c reducer/*.h
	$(CC) $(CFLAGS) -c -o $@ $<

rootfs/init: rootfs/init.c | deps-quiet
	$(INIT_CC) -static -Os -s -Wall -o $@ $<

tests/unit/test-%: tests/unit/test-%.c tests/unit/unit.h $(OBJS)
	$(CC) $(CFLAGS) -Ireducer -o $@ $< $(OBJS) $(LDLIBS)

# Installs from Debian's packages whatever is missing; quick when all is there.
deps:
	rootfs/install-deps.sh

deps-quiet:
	@rootfs/install-deps.sh --quiet

check: all
	tests/run-all.sh

demo: all
	reducer/reduce --app busybox-httpd --tests tests/busybox-httpd.sh

clean:
	rm -f reducer/*.o reducer/reduce rootfs/init bench/search-sim $(UNIT_TESTS)

bench/search-sim: bench/search-sim.c $(OBJS)
	$(CC) $(CFLAGS) -Ireducer -o $@ $< $(OBJS) $(LDLIBS)

bench: all bench/search-sim
	bench/search-sim.sh
