# husk — a small, fast, OCI-compatible container runtime.
#
#   make          build build/husk
#   make deps     install every build and test dependency (Debian 12, apt-get)
#   make demo     deps + build + busybox rootfs + a real container
#   make test     deps + build + unit tests (ASan/UBSan) + bats integration tests
#   make bench    husk vs runc vs crun vs a floor program

CC      ?= cc
# make V=1 shows the compiler command lines.
Q := $(if $(V),,@)
PKGS    := jansson libcap libseccomp libmnl libnftables
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS) -MMD -MP
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS  := $(sort $(wildcard runtime/*.c ns/*.c cgroup/*.c overlay/*.c net/*.c diag/*.c))
CLI_SRCS  := $(sort $(wildcard cli/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))

OBJS      := $(patsubst %.c,build/obj/%.o,$(LIB_SRCS) $(CLI_SRCS))
LIB_OBJS  := $(patsubst %.c,build/obj/%.o,$(LIB_SRCS))
UNIT_OBJS := $(patsubst %.c,build/asan/%.o,$(LIB_SRCS) $(UNIT_SRCS))
HELPERS   := $(patsubst tests/helpers/%.c,build/helpers/%,$(HELPER_SRCS))

.PHONY: all deps demo test unit integration bench clean format lint tidy rootfs helpers
all: build/husk helpers

# husk is one static PIE: jansson, libcap, libseccomp and libc are linked
# in, so no loader runs and only the libc code husk calls is mapped.  A
# dynamic libc costs each call its relocation and, through fault-around,
# most of libc's 1.4 MiB of text in RSS (peak 2.1 MiB against 1.3 MiB).
# libmnl and libnftables are dlopen()ed on first use (net/dl.c) over a libc
# of their own; glibc warns that they must come from the glibc husk was
# built with, which holds when husk is built on the host that runs it.
# Full RELRO: the GOT is read-only before the init is cloned.
HUSK_LIBS := $(shell pkg-config --static --libs jansson libcap libseccomp 2>/dev/null)
HUSK_LDFLAGS := -static-pie -Wl,-z,now -Wl,-z,relro
DLOPEN_WARNING := Using 'dlopen' in statically linked|in function .net_dl_load.:$$
build/husk: $(OBJS)
	$(Q)$(CC) $(CFLAGS) $(HUSK_LDFLAGS) -o $@ $^ $(HUSK_LIBS) 2>$@.ld-warnings; \
		rc=$$?; grep -vE "$(DLOPEN_WARNING)" $@.ld-warnings >&2; rm -f $@.ld-warnings; exit $$rc

# husk-exec: the trampoline through which the container's process is
# exec'd (CVE-2019-5736), embedded in husk by runtime/selfexe.c's .incbin.
# Freestanding and static: no libc to load inside the container.
TRAMPOLINE_ARCH := $(filter x86_64 aarch64,$(firstword $(subst -, ,$(shell $(CC) -dumpmachine))))
TRAMPOLINE_FLAGS := -std=c17 $(WARN) -Os -ffreestanding -nostdlib -static -fno-stack-protector \
	-fno-pie -no-pie -fno-asynchronous-unwind-tables -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,-z,noseparate-code -s
build/husk-exec: runtime/trampoline/husk-exec.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TRAMPOLINE_FLAGS) -o $@ $<
ifneq ($(TRAMPOLINE_ARCH),)
build/obj/runtime/selfexe.o build/asan/runtime/selfexe.o: build/husk-exec
endif

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/unit-tests: $(UNIT_OBJS)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

# Helpers may call library code: they link what they use from libhusk.a
# (plus any objects listed as their extra prerequisites).
build/libhusk.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

helpers: $(HELPERS)
build/helpers/%: tests/helpers/%.c build/libhusk.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(filter %.o,$^) build/libhusk.a $(PKG_LIBS)
# Copied into busybox rootfs copies: static, no library code.
build/helpers/hugetlb-map: tests/helpers/hugetlb-map.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -static -o $@ $<

deps:
	@tests/deps.sh

rootfs: build/rootfs/bin/busybox
build/rootfs/bin/busybox: examples/mkrootfs.sh
	examples/mkrootfs.sh build/rootfs

unit: build/unit-tests
	build/unit-tests

demo: deps
	$(MAKE) all rootfs
	examples/demo.sh

# A build failure still ends with the summary line the test run promises.
test: deps
	@$(MAKE) all rootfs build/unit-tests || \
		{ echo "# failed: build"; echo "0 passed, 1 failed"; exit 1; }
	tests/run.sh

integration: all rootfs
	bats tests/integration

bench: deps
	$(MAKE) all rootfs
	tests/bench/bench.sh

format:
	clang-format -i $(LIB_SRCS) $(CLI_SRCS) $(UNIT_SRCS) $(HELPER_SRCS) $(wildcard */*.h tests/*/*.h)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -D_GNU_SOURCE -I. $(LIB_SRCS) $(CLI_SRCS)

# clang-tidy with .clang-tidy's checks (bugprone, clang-analyzer).
tidy:
	clang-tidy --quiet $(LIB_SRCS) $(CLI_SRCS) -- -std=c17 -D_GNU_SOURCE -I. $(PKG_CFLAGS)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d)
