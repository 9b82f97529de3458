# dcictl - build, test, demo. See README.md.
#
# Layout drives the build: every core/*.c goes into libdcicore.a, every
# tui/*.c but tui/main.c into libdcitui.a, tests/sim/*.c makes dcisim, and
# every tests/{unit,integration,e2e}/test_*.c is one test program (linked
# with tests/support/*.c and, for e2e, tests/e2e/*.c that are not test_*).

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=

PKG_CORE := libxml-2.0 libcurl libconfig sqlite3 libcrypto
PKG_TUI  := ncursesw
PKG_SIM  := libmicrohttpd
PKG_TEST := cmocka vterm

pkgcflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkglibs   = $(shell pkg-config --libs $(1) 2>/dev/null)

OPT      ?= -O2
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS   ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) -pthread -MMD -MP -fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif
INC      := -Icore -Itui -Itests/support

CORE_SRC := $(wildcard core/*.c)
TUI_SRC  := $(filter-out tui/main.c,$(wildcard tui/*.c))
SIM_SRC  := $(wildcard tests/sim/*.c)
SUP_SRC  := $(wildcard tests/support/*.c)
E2E_LIB  := $(filter-out tests/e2e/test_%.c,$(wildcard tests/e2e/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
INT_SRC  := $(wildcard tests/integration/test_*.c)
E2E_SRC  := $(wildcard tests/e2e/test_*.c)
BENCH_SRC:= $(wildcard tests/bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCORE  := $(BUILD)/libdcicore.a
LIBTUI   := $(BUILD)/libdcitui.a
DCICTL   := $(BUILD)/dcictl
DCISIM   := $(BUILD)/dcisim
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
INT_BIN  := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(INT_SRC))
E2E_BIN  := $(patsubst tests/e2e/%.c,$(BUILD)/tests/%,$(E2E_SRC))
BENCH_BIN:= $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TEST_BIN := $(UNIT_BIN) $(INT_BIN) $(E2E_BIN)

LIBS_CORE := $(call pkglibs,$(PKG_CORE)) -lm
LIBS_TUI  := $(call pkglibs,$(PKG_TUI))
LIBS_TEST := $(call pkglibs,$(PKG_TEST)) -lutil
ALL_CFLAGS = $(INC) $(call pkgcflags,$(PKG_CORE) $(PKG_TUI) $(PKG_SIM) $(PKG_TEST)) $(CFLAGS)

.PHONY: all deps demo check check-asan check-valgrind test-build bench fuzz install clean format

all: $(DCICTL) $(DCISIM) $(LIBCORE)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCORE): $(call obj,$(CORE_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBTUI): $(call obj,$(TUI_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(DCICTL): $(call obj,tui/main.c) $(LIBTUI) $(LIBCORE)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LIBS_TUI) $(LIBS_CORE)

$(DCISIM): $(call obj,$(SIM_SRC))
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(call pkglibs,$(PKG_SIM) libxml-2.0) -lm

TEST_DEPS := $(call obj,$(SUP_SRC)) $(LIBTUI) $(LIBCORE)
TEST_LINK  = $(CC) $(LDFLAGS) -pthread -o $@ $^ $(LIBS_TEST) $(LIBS_TUI) $(LIBS_CORE)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(TEST_LINK)
$(BUILD)/tests/%: $(BUILD)/obj/tests/integration/%.o $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(TEST_LINK)
$(BUILD)/tests/%: $(BUILD)/obj/tests/e2e/%.o $(call obj,$(E2E_LIB)) $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(TEST_LINK)
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(TEST_LINK)

deps:
	@sh tests/tools/deps.sh

test-build: all $(TEST_BIN)

# Runs every test program; the last line is "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory test-build
	@sh tests/tools/run-tests.sh $(BUILD)

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT=-O1 test-build
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		DCITEST_SAN=1 sh tests/tools/run-tests.sh build-asan

# The integration tests (core against dcisim over HTTP) under valgrind: any
# definite or indirect leak, or any memory error, fails the program.
VG_TESTS ?= $(notdir $(INT_BIN))
check-valgrind: deps
	@$(MAKE) --no-print-directory test-build
	@DCITEST_ONLY="$(VG_TESTS)" DCITEST_TIMEOUT=900 \
		DCITEST_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99" \
		sh tests/tools/run-tests.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/tools/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh tests/tools/bench.sh $(BUILD)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 30
fuzz: deps
	@sh tests/tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_SRC)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/dcictl/themes $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(DCICTL) $(DESTDIR)$(PREFIX)/bin/dcictl
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/dcictl/themes/
	install -m 644 doc/dcictl.1 $(DESTDIR)$(PREFIX)/share/man/man1/dcictl.1

format:
	clang-format -i core/*.[ch] tui/*.[ch] tests/*/*.[ch]

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
