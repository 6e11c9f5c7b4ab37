# uoms: one plain GNU Makefile, no configure step.
# make | make deps | make demo | make check | make bench | make soak
# make install PREFIX=/usr/local DESTDIR=   SAN=1 for an ASan/UBSan build.

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/uoms
# where bash-completion's loader looks for a command's completion by its
# name (/usr/local/share is on its XDG_DATA_DIRS path too)
COMPDIR ?= $(PREFIX)/share/bash-completion/completions

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = sqlite3 jansson yaml-0.1 libcrypto libxcrypt libcurl libmicrohttpd
# libpq's headers only: the PostgreSQL engine loads it when a store is
# first opened there (lib/store-pg.c), so SQLite users don't pay for it.
PKGS_DL  = libpq

ifeq ($(SAN),1)
O       ?= build-san
override CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
else
O       ?= build
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(PKGS_DL) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
PKG_LIBS_DL := $(shell pkg-config --libs $(PKGS_DL) 2>/dev/null)
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP \
	-Ilib -DUOMS_VERSION='"$(VERSION)"' -DUOMS_DATADIR='"$(DATADIR)"' \
	$(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm
# Each tool loads only the libraries it uses (libcurl only for fetching;
# libcrypto, whose relocation alone was 3 of a one-shot uoms-status's 7
# million instructions, only where it seals or signs: lib/digest.c loads
# it for a hash when first asked): start-up time is part of what shell
# loops pay per call. Not under the sanitizers: their runtime defines
# crypt_r, so --as-needed would drop libcrypt and leave the interceptor
# nothing to call.
ifneq ($(SAN),1)
override LDFLAGS += -Wl,--as-needed
endif

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
CMD_SRC  := $(wildcard cmd/*.c)
TOOLS    := $(CMD_SRC:cmd/%.c=$(O)/bin/%)
UNIT_SRC := $(wildcard t/unit/*.c)
UNITS    := $(UNIT_SRC:t/unit/%.c=$(O)/t/%)
BENCH_SRC:= $(wildcard t/bench/*.c)
BENCHES  := $(BENCH_SRC:t/bench/%.c=$(O)/t/%)
# The tests' own helper programs (t/tools/): quicker to start than the
# psql and python3 they replace in t/helper.bash.
TTOOL_SRC:= $(wildcard t/tools/*.c)
TTOOLS   := $(TTOOL_SRC:t/tools/%.c=$(O)/t/%)

# Debian packages the build, the tests and the benchmarks need.
DEPS_BUILD = gcc make pkg-config libsqlite3-dev libjansson-dev libyaml-dev libssl-dev \
	libcrypt-dev libcurl4-openssl-dev libpq-dev libmicrohttpd-dev
DEPS_TEST  = bats sqlite3 postgresql python3 perl tzdata man-db time openssl curl strace
DEPS_BENCH = sqlite-utils curl wrk python3-fastapi uvicorn python3-uvloop python3-httptools
# The dashboard's test (t/6009): a headless browser, and Hangul glyphs
# for its screenshots.
DEPS_TEST += chromium fonts-noto-cjk

.PHONY: all deps deps-bench demo check bench soak install clean
all: $(TOOLS) $(UNITS) $(BENCHES) $(TTOOLS)

# A failed command leaves no half-written target behind to look new.
.DELETE_ON_ERROR:

# The archive is made anew, not updated: a source file removed or renamed
# (lib/report.c split into lib/report-*.c) must not leave its old object,
# and its symbols, in the archive.
$(O)/lib/libuoms.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Static pattern rules, not chained implicit ones: an object reached only
# through a chain of pattern rules is intermediate to make, deleted after
# the link, and so rebuilt, with every program relinked, by the next make
# (t/0009-build.bats checks that a second make does nothing).
$(TOOLS): $(O)/bin/%: $(O)/cmd/%.o $(O)/lib/libuoms.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(UNITS): $(O)/t/%: $(O)/t/unit/%.o $(O)/lib/libuoms.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCHES): $(O)/t/%: $(O)/t/bench/%.o $(O)/lib/libuoms.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(TTOOLS): $(O)/t/%: $(O)/t/tools/%.o $(O)/lib/libuoms.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(PKG_LIBS_DL)

# Installs only what is missing; does nothing (and needs no network) when all is there.
deps:
	@sh t/deps.sh $(DEPS_BUILD) $(DEPS_TEST)

deps-bench:
	@sh t/deps.sh $(DEPS_BUILD) $(DEPS_TEST) $(DEPS_BENCH)

demo: deps
	@$(MAKE) --no-print-directory all
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/$(O)/t:$$PATH" sh t/demo.sh

# Every test on SQLite, then the files t/pg-files lists on a PostgreSQL
# t/check.sh starts and stops, in one prove run, longest first (t/check-
# times); PG=0 skips PostgreSQL. CHECK_JOBS files at once (prove -j):
# four on two cores, as the run waits for servers and timeouts too
# (2026-12-07, on the 2-core machine: 589 s at -j3, 519 s at -j4).
PG ?= 1
CHECK_JOBS ?= 4
check: deps
	@$(MAKE) --no-print-directory all
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/$(O)/t:$$PATH" UOMS_SRC="$(CURDIR)" \
		CHECK_JOBS=$(CHECK_JOBS) sh t/check.sh $(O) $(PG) $(UNITS)

# Every table of t/bench/ (run.sh, in bash for its clock): 100 000 and
# 1 000 000 orders; BENCH_ARGS=--quick for 20 000, BENCH_ARGS="--size N"
# for SQLite's tables alone at N (and 10 N).
bench: deps-bench
	@$(MAKE) --no-print-directory all
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/$(O)/t:$$PATH" bash t/bench/run.sh $(BENCH_ARGS)

# Mixed traffic from SOAK_WORKERS processes for SOAK_SECONDS, then the
# invariants (t/soak.sh); t/9006-soak.bats is the short one in make check.
# Then the long versions of make check's other long tests, on SQLite:
# the crash tests with a larger upsert killed (SOAK_CRASH_ORDERS) and
# more kills (SOAK_CRASH_KILLS), and every fuzz target FUZZ_SECONDS
# (what make fuzz does; make check gives each a second).
SOAK_SECONDS ?= 1800
SOAK_WORKERS ?= 8
SOAK_CRASH_ORDERS ?= 100000
SOAK_CRASH_KILLS ?= 30
soak: deps fuzz-build
	@$(MAKE) --no-print-directory all
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/$(O)/t:$$PATH" SOAK_SECONDS=$(SOAK_SECONDS) \
		SOAK_WORKERS=$(SOAK_WORKERS) bash t/soak.sh
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/$(O)/t:$$PATH" UOMS_SRC="$(CURDIR)" \
		UOMS_CRASH_ORDERS=$(SOAK_CRASH_ORDERS) UOMS_CRASH_KILLS=$(SOAK_CRASH_KILLS) \
		prove -e t/prove-exec t/9002-crash.bats t/9005-crash-kill.bats
	@if [ -d $(FUZZ_O)/fuzz ]; then sh t/fuzz/run.sh fuzz $(FUZZ_O) $(FUZZ_SECONDS); fi

# One completion file completes every tool; each other tool's name is a
# link to it, so the loader finds it by whichever name is typed.
install: $(TOOLS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)
	for p in man/*.[157]; do s=$${p##*.}; install -m 644 $$p $(DESTDIR)$(MANDIR)/man$$s; done
	cp -R share/uoms/. $(DESTDIR)$(DATADIR)
	install -m 644 share/bash-completion/completions/uoms $(DESTDIR)$(COMPDIR)/uoms
	for t in $(filter-out uoms,$(TOOLS:$(O)/bin/%=%)); do \
		ln -sf uoms $(DESTDIR)$(COMPDIR)/$$t; done

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=$(O)/%.d) $(UNIT_SRC:%.c=$(O)/%.d) $(BENCH_SRC:%.c=$(O)/%.d) $(TTOOL_SRC:%.c=$(O)/%.d)

# Fuzzing (t/fuzz/, see t/fuzz/run.sh): libFuzzer targets over the
# library, built with clang under ASan and UBSan into build-fuzz/.
# `make fuzz FUZZ_SECONDS=N` runs each target N seconds on its seed
# corpus (new inputs go to build-fuzz/corpus/, crashes to
# build-fuzz/crashes/); `make check` runs each for a few seconds and
# replays every regression case in t/fuzz/crashes/.
DEPS_FUZZ    = clang libclang-rt-14-dev llvm
DEPS_TEST   += $(DEPS_FUZZ)
FUZZ_CC     ?= clang
FUZZ_O      ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  = -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-std=c11 -D_GNU_SOURCE -Wall -Wextra -MMD -MP -Ilib -It/fuzz \
	-DUOMS_VERSION='"$(VERSION)"' -DUOMS_DATADIR='"$(DATADIR)"' $(PKG_CFLAGS)
FUZZ_SRC     := $(wildcard t/fuzz/fuzz-*.c)
FUZZ_TARGETS := $(FUZZ_SRC:t/fuzz/%.c=$(FUZZ_O)/fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_O)/%.o)

.PHONY: fuzz fuzz-build deps-fuzz clean-fuzz
$(FUZZ_O)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_O)/lib/libuoms.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_TARGETS): $(FUZZ_O)/fuzz/%: t/fuzz/%.c $(FUZZ_O)/lib/libuoms.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_O)/lib/libuoms.a $(PKG_LIBS) -lm

# Builds the targets when clang can make libFuzzer programs here; else
# says why and builds nothing (t/0008-fuzz.bats then skips, saying why).
fuzz-build:
	@if sh t/fuzz/run.sh probe $(FUZZ_CC) $(FUZZ_O); then \
		$(MAKE) --no-print-directory $(FUZZ_TARGETS); fi

deps-fuzz:
	@sh t/deps.sh $(DEPS_BUILD) $(DEPS_FUZZ)

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	@sh t/fuzz/run.sh fuzz $(FUZZ_O) $(FUZZ_SECONDS)

check: fuzz-build

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_O)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=%.d)
