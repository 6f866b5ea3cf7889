# crond: one Makefile for the whole project, readable top to bottom.
#
#   make              build every program into build/bin/
#   make test         separate ASan+UBSan build in build/asan/, then every test
#   make tsan         ThreadSanitizer build in build/tsan/, the threaded tests
#   make hardening    the hardening suite (docs/SECURITY.md), load tests included
#   make cluster-test the cluster tests (docs/CLUSTER.md), the slow one included
#   make valgrind     build/valgrind/, whole-program tests under memcheck
#   make run          a private crond in the foreground under ./run/
#   make fuzz         libFuzzer targets (clang, ASan+UBSan), FUZZ_SECONDS each
#   make bench        benchmarks, side by side with the anchors
#   make install      the package's files under DESTDIR/PREFIX/SYSCONFDIR
#   make uninstall    removes them (configuration only while unchanged)
#   make deb          the Debian package, into build/ (make test-deb installs it
#                     into a throwaway root and runs it)
#   make man-lint     every man page through mandoc -Tlint and groff -wall
#   make clean
#
#   V=1               show full command lines
#   SANITIZE=...      e.g. address,undefined (what `make test` uses)
#   BUILD=dir         where objects and programs go (default build)
#   SQLITE_STATIC=0   link crond and crontab with the shared libsqlite3
#                     (default: the static archive when there is one)
#   JANSSON_STATIC=0  link the CLIs with the shared libjansson (the same)
#   AT_STATIC=0       link at with the shared C library (default: at is a
#                     static PIE when libc.a and libjansson.a are there and
#                     SANITIZE is not set)
#   FORK_JOBS=1       crond forks every job instead of starting root's in its
#                     own memory (valgrind cannot follow that clone; make
#                     valgrind and bench/callgrind.sh's builds set it)
#
# Layout: lib/ (shared code) -> libcommon.a, spool/ -> libspool.a, crond/,
# crontab-cli/ and atq/ each give a library of everything but main.c plus one
# program. Unit tests (tests/unit/test_*.c) link every library, so any module
# can be tested without its program.

.DEFAULT_GOAL := all
SHELL := /bin/bash
.DELETE_ON_ERROR:
# Objects of the test programs are intermediate files: keep them.
.SECONDARY:

VERSION  := 0.1.0
BUILD    ?= build
CC       := $(if $(filter default,$(origin CC)),cc,$(CC))
SANITIZE ?=
FORK_JOBS ?= 0
OPT      ?= -O2
PREFIX   ?= /usr/local
DESTDIR  ?=

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wold-style-definition -Wvla -Wpointer-arith \
        -Wcast-qual -Wwrite-strings -Wundef -Wnull-dereference \
        -Wimplicit-fallthrough -Wmissing-include-dirs
# gcc only. (-Wformat-truncation=2 is left at -Wall's level 1: level 2 warns
# even where the return value is checked, so it would only teach us to
# silence it.)
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),)
  WARN += -Wformat-overflow=2 -Wduplicated-cond \
          -Wlogical-op
endif

CPPFLAGS := -I. -I/usr/include/postgresql -D_GNU_SOURCE -DCROND_VERSION='"$(VERSION)"' \
            -DCONFIG_SESSION_HELPER='"$(PREFIX)/lib/crond/crond-session"'
CFLAGS   := -std=c17 $(OPT) -g -pipe $(WARN) -fno-strict-aliasing \
            -D_FORTIFY_SOURCE=2 -fstack-protector-strong
# Full RELRO: the GOT is bound at load and then read-only, as in Debian's
# own cron and at (crond runs as root). It cost nothing measurable: crond
# calls most of its imports during its start anyway (ARCHITECTURE.md).
LDFLAGS  := -Wl,-z,relro,-z,now
LDLIBS   := -lsqlite3 -lpthread -lm

ifneq ($(SANITIZE),)
  CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=$(SANITIZE)
  ifneq ($(findstring thread,$(SANITIZE)),)
    CFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS))
  endif
endif

# ---------------------------------------------------------------- sources
LIB_SRCS     := $(wildcard lib/*.c)
SPOOL_SRCS   := $(wildcard spool/*.c spool/sqlite/*.c spool/pg/*.c)
CROND_SRCS   := $(filter-out crond/main.c,$(wildcard crond/*.c $(foreach d,control run sched cluster import observe,crond/$(d)/*.c)))
CRONTAB_SRCS := $(filter-out crontab-cli/main.c,$(wildcard crontab-cli/*.c))
AT_SRCS      := $(filter-out atq/main.c,$(wildcard atq/*.c))
# crond-session, the PAM session helper (crond/session.h): its own program,
# the only program linked with libpam.
SESSION_SRCS := $(wildcard crond/session/*.c)
UNIT_SRCS    := $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT := $(wildcard tests/unit/support/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCOMMON  := $(BUILD)/lib/libcommon.a
LIBSPOOL   := $(BUILD)/lib/libspool.a
LIBCROND   := $(BUILD)/lib/libcrond.a
LIBCRONTAB := $(BUILD)/lib/libcrontabcli.a
LIBAT      := $(BUILD)/lib/libat.a
ALL_LIBS   := $(LIBCROND) $(LIBCRONTAB) $(LIBAT) $(LIBSPOOL) $(LIBCOMMON)

BIN := $(BUILD)/bin
PROGRAMS := $(if $(wildcard crond/main.c),$(BIN)/crond) \
            $(if $(wildcard crontab-cli/main.c),$(BIN)/crontab) \
            $(if $(wildcard atq/main.c),$(BIN)/at $(BIN)/atq $(BIN)/atrm $(BIN)/batch) \
            $(if $(SESSION_SRCS),$(BIN)/crond-session)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

ALL_OBJS := $(call obj,$(LIB_SRCS) $(SPOOL_SRCS) $(CROND_SRCS) $(CRONTAB_SRCS) \
              $(AT_SRCS) $(SESSION_SRCS) $(UNIT_SRCS) $(UNIT_SUPPORT) \
              $(wildcard crond/main.c crontab-cli/main.c atq/main.c))

# ---------------------------------------------------------------- build
.PHONY: all
all: deps $(PROGRAMS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The job runner's child side runs in crond's memory on a borrowed stack
# (like posix_spawn) and may make no call into libc: no sanitizer
# instrumentation, no stack protector (its canary is read from the calling
# thread's TLS and its failure path locks and allocates), and no loops the
# compiler turns into strlen or memcpy calls. CHILD_SYMBOLS checks what the
# two objects still import, whenever crond is linked.
CHILD_CFLAGS := -fno-sanitize=all -fno-stack-protector -fno-tree-loop-distribute-patterns
CHILD_OBJS   := $(call obj,crond/run/runner_child.c lib/plaincmd_exec.c)
CHILD_ALLOWED := plaincmd_exec
$(CHILD_OBJS): CFLAGS += $(CHILD_CFLAGS)
$(CHILD_OBJS): Makefile   # (their flags are set here)
$(BUILD)/obj/child_symbols.ok: $(CHILD_OBJS)
	$(Q)bad=$$(nm -u $(CHILD_OBJS) | awk '$$1 == "U" { print $$2 }' | sort -u | \
	  grep -vxF $(addprefix -e ,$(CHILD_ALLOWED))); \
	if [ -n "$$bad" ]; then \
	  echo "the job runner's child code calls into libc: $$bad" >&2; exit 1; fi; \
	touch $@
# FORK_JOBS changes only the runner; a stamp holding its value, rewritten
# when it changes, rebuilds the runner when a build directory is reused.
FORK_STAMP := $(BUILD)/obj/fork_jobs
$(shell mkdir -p $(BUILD)/obj; [ "$$(cat $(FORK_STAMP) 2>/dev/null)" = "$(FORK_JOBS)" ] || \
  echo "$(FORK_JOBS)" >$(FORK_STAMP))
$(BUILD)/obj/crond/run/runner.o: $(FORK_STAMP)
$(BUILD)/obj/crond/run/runner.o: CPPFLAGS += $(if $(filter 1,$(FORK_JOBS)),-DCROND_FORK_JOBS)

$(LIBCOMMON):  $(call obj,$(LIB_SRCS))
$(LIBSPOOL):   $(call obj,$(SPOOL_SRCS))
$(LIBCROND):   $(call obj,$(CROND_SRCS))
$(LIBCRONTAB): $(call obj,$(CRONTAB_SRCS))
$(LIBAT):      $(call obj,$(AT_SRCS))
$(ALL_LIBS):
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)/crond: $(call obj,crond/main.c) $(LIBCROND) $(LIBSPOOL) $(LIBCOMMON) \
  | $(BUILD)/obj/child_symbols.ok
# No libsystemd linked: crond loads it only when systemd runs it
# (crond/sdlib.h; docs/ARCHITECTURE.md says why).
# SQLite is linked into crond and crontab statically when its archive is
# there (SQLITE_STATIC=0 for the shared library): the loader's relocation
# of libsqlite3.so (1,238 PLT slots bound at load, BIND_NOW) was a quarter
# of crond's start-up, and 0.5 ms of every `crontab -l` (5.8 ms against
# 6.3 ms, medians of 300 interleaved), which opens the spool only when
# crond is not running. The same for jansson in the CLIs (JANSSON_STATIC=0
# for the shared library): loading it cost each `at` 0.2 ms (6.1 ms
# against 6.3 ms), although only --json uses it. The Debian package links
# both shared (debian/rules), so that Debian's security updates reach them.
# The archives are looked for when a program is linked, not when make reads
# this file: on a fresh machine `deps` installs them first in the same run
# (the link lines below are deferred, `=`, and make's own directory cache,
# which $(wildcard) reads, would still say they are not there).
static_lib = $(shell f=$$($(CC) -print-file-name=lib$(1).a 2>/dev/null); [ -e "$$f" ] && echo "$$f")
comma := ,
link_lib = $(if $(filter 1,$(2)),-Wl$(comma)-Bstatic -l$(1) -Wl$(comma)-Bdynamic,-l$(1))
SQLITE_STATIC ?= $(if $(call static_lib,sqlite3),1,0)
JANSSON_STATIC ?= $(if $(call static_lib,jansson),1,0)
$(BIN)/crond: LDLIBS = $(call link_lib,sqlite3,$(SQLITE_STATIC)) -lpthread -lm
$(BIN)/crontab: $(call obj,crontab-cli/main.c) $(LIBCRONTAB) $(LIBSPOOL) $(LIBCOMMON)
$(BIN)/at: $(call obj,atq/main.c) $(LIBAT) $(LIBSPOOL) $(LIBCOMMON)
# Only the CLIs write --json (lib/json_out.c), so only they link jansson;
# at needs no SQLite.
$(BIN)/crontab: LDLIBS = $(call link_lib,sqlite3,$(SQLITE_STATIC)) \
  $(call link_lib,jansson,$(JANSSON_STATIC)) -lpthread -lm
# at is linked whole (static PIE, so still at a random address) unless
# AT_STATIC=0: every job queued through it pays the start of a program,
# and on a VM where a page fault or a system call is dear the dynamic
# loader was a third of it (docs/ARCHITECTURE.md, "at's start"). It looks
# no user up, so glibc's NSS, which would load shared modules, is not in
# it. The sanitizers cannot link statically, nor can Valgrind's memcheck
# watch a static malloc: those builds link it as before.
# (-static-pie is in LDLIBS, not LDFLAGS, so that `make LDFLAGS=...`
# keeps it: the driver reads it wherever it stands.)
AT_STATIC ?= $(if $(SANITIZE),0,$(if $(and $(call static_lib,c),$(call static_lib,jansson)),1,0))
$(BIN)/at: LDLIBS = $(if $(filter 1,$(AT_STATIC)),-static-pie -ljansson -lpthread,\
  $(call link_lib,jansson,$(JANSSON_STATIC)) -lpthread)
$(BIN)/crond $(BIN)/crontab $(BIN)/at:
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/crond-session: $(call obj,$(SESSION_SRCS) lib/failtext.c lib/plaincmd.c lib/plaincmd_exec.c)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lpam

$(BIN)/atq $(BIN)/atrm $(BIN)/batch: $(BIN)/at
	$(Q)ln -sf at $@

# The unit tests link libpq: the spool tests' fixture makes and drops a
# PostgreSQL database per test (tests/unit/support/spool_fixture.c). The
# programs themselves never link it (spool/pg/libpq.c loads it on first use).
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(call obj,$(UNIT_SUPPORT)) $(ALL_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(call obj,$(UNIT_SUPPORT)) $(ALL_LIBS) $(LDLIBS) -ljansson -lcmocka -lpq

-include $(ALL_OBJS:.o=.d)

# ---------------------------------------------------------------- dependencies
# Installs what the build (deps) and the tests (test-deps) need on Debian,
# once; silent when all is present.
APT_PACKAGES := libsqlite3-dev libcmocka-dev libjansson-dev pkg-config tzdata libpam0g-dev libsystemd-dev libpq-dev
TEST_APT_PACKAGES := python3 procps util-linux bash-completion mandoc groff-base sqlite3
# PostgreSQL's server, for the PostgreSQL spool's tests: tests/run starts a
# private one (tests/tools/pg-private) and never uses the system's. On
# install, Debian's package makes a cluster "main" (port 5432, its socket in
# /run/postgresql) and asks invoke-rc.d to start it: in a container without
# an init (no /sbin/init) or with a policy-rc.d that says no, as Docker's
# images have, invoke-rc.d declines and the install still succeeds; where it
# does start, it runs beside the tests' server without touching it.
TEST_APT_PACKAGES += postgresql
# make bench: the anchors (Debian's cron and at) and gnuplot for the curves
BENCH_APT_PACKAGES := cron at gnuplot-nox
define apt_ensure
	$(Q)if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=""; \
	  for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' \
	      || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" != 0 ]; then \
	      echo "make: missing packages:$$missing (run make as root or apt-get install them)" >&2; \
	      exit 1; \
	    fi; \
	    echo "make: installing$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q $$missing >/dev/null 2>&1 \
	      || { apt-get update -q >/dev/null && apt-get install -y -q $$missing >/dev/null; } \
	      || { echo "make: apt-get could not install$$missing" >&2; exit 1; }; \
	  fi; \
	fi
endef
.PHONY: deps test-deps bench-deps
bench-deps:
	$(call apt_ensure,$(BENCH_APT_PACKAGES))
deps:
	$(call apt_ensure,$(APT_PACKAGES))
test-deps:
	$(call apt_ensure,$(TEST_APT_PACKAGES))

# ---------------------------------------------------------------- tests
.PHONY: test check unit-tests tsan
# The builds use every core (JOBS); the tests then run without -j, so no
# make they start inherits a jobserver.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# The at that `make` builds and installs is static (AT_STATIC), which no
# sanitized build can be: make test also builds that one, unsanitized, and
# tests/whole/at_static.sh drives it against the sanitized crond.
STATIC_AT := build/static-at/bin/at
test: deps test-deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/asan SANITIZE=address,undefined \
	  all unit-tests
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/static-at $(STATIC_AT)
	$(Q)CROND_TEST_STATIC_AT=$(abspath $(STATIC_AT)) \
	  $(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined check

unit-tests: $(UNIT_TESTS)

check: all unit-tests
	$(Q)tests/run --build $(BUILD)

# ThreadSanitizer makes crond several times slower than AddressSanitizer:
# with a third lane beside it, cluster_exactly_once's 200 runs a test
# minute no longer fitted in the minute, so this run keeps two.
tsan: deps test-deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/tsan SANITIZE=thread OPT=-O1 \
	  all unit-tests
	$(Q)TEST_LANES=$${TEST_LANES:-2} tests/run --build build/tsan --threaded

# ---------------------------------------------------------------- man pages
# Every man page lints clean, with mandoc (-Tlint, style messages included)
# and with groff -wall: any message fails (tests/whole/man_lint.sh runs it).
.PHONY: man-lint
man-lint:
	$(call apt_ensure,mandoc groff-base)
	$(Q)out=$$(mandoc -Tlint $(wildcard man/*.[158]) 2>&1; \
	  for m in $(wildcard man/*.[158]); do groff -wall -man -Tutf8 -z $$m 2>&1 | sed "s|^|$$m: groff: |"; done); \
	  if [ -n "$$out" ]; then echo "$$out" >&2; echo "make: man pages do not lint clean" >&2; exit 1; fi

# The hardening suite (docs/SECURITY.md): the ASan+UBSan build of `make test`,
# then every tests/whole/hardening_*.sh, the slow load tests
# (hardening_load_*.sh, run only here) included; each test prints what it
# measured ("figure:" lines) under its PASS/FAIL line. The fast part also
# runs in `make test`. The daemon under test is the ASan one; the CLI
# flood's clients are the plain build in build/bin (LOAD_BIN), since ASan's
# start-up cost would cap the calls a second far below the target. The two
# load tests take about 2.5 minutes on two cores (each waits for real minute
# boundaries of a test clock), the other hardening tests seconds each; the
# total is printed at the end.
.PHONY: hardening valgrind
hardening: deps test-deps
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined all unit-tests
	$(Q)$(MAKE) --no-print-directory BUILD=build SANITIZE= all
	$(Q)start=$$(date +%s); \
	LOAD_BIN=$(CURDIR)/build/bin TEST_TIMEOUT=$${TEST_TIMEOUT:-900} \
	  tests/run --build build/asan --load --whole-only --only hardening_; rc=$$?; \
	echo "make hardening: $$(( $$(date +%s) - start )) s"; exit $$rc

# The cluster tests (docs/CLUSTER.md): every tests/whole/cluster_*.sh on
# the ASan+UBSan build, with the slow one that only runs here
# (cluster_load_minutes: 200 entries on three nodes over three real
# minutes, about 4 minutes). tests/run starts the private PostgreSQL.
.PHONY: cluster-test
cluster-test: deps test-deps
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined all
	$(Q)TEST_TIMEOUT=$${TEST_TIMEOUT:-600} tests/run --build build/asan --load --whole-only --only cluster_

# Every whole-program test once with every program (crond and the CLIs)
# under Valgrind memcheck: an unsanitized -O1 build in build/valgrind/, and
# build/valgrind/memcheck/bin/, one wrapper per program that execs valgrind
# on the real one (tests/hardening/valgrind_bin.sh, valgrind_exec.c). Any
# invalid access or leak (definite, indirect or possible) is listed from the
# logs in build/valgrind/memcheck/logs/; those findings decide the exit
# status. Tests that give crond a few seconds or a
# fast test clock can fail under Valgrind's slowness: they are listed, not
# counted (see valgrind_bin.sh). About 5-10 minutes. The build forks every
# job (FORK_JOBS=1): Valgrind runs a clone(CLONE_VM | CLONE_VFORK) as a fork
# but stops the program at the clone that starts root's jobs in crond's
# memory without waiting (Valgrind 3.19: "Unsupported clone() flags"). It does not
# know pidfd_open, so under it the supervisor takes its no-pidfd path
# (a warning in the logs, not a finding). ONLY=PATTERN runs some tests.
VALGRIND_BUILD := build/valgrind
valgrind: deps test-deps
	$(call apt_ensure,valgrind)
	$(Q)$(MAKE) --no-print-directory BUILD=$(VALGRIND_BUILD) SANITIZE= OPT=-O1 FORK_JOBS=1 AT_STATIC=0 all
	$(Q)tests/hardening/valgrind_bin.sh $(VALGRIND_BUILD)/bin $(VALGRIND_BUILD)/memcheck
	$(Q)start=$$(date +%s); \
	TEST_LANES=1 TEST_TIMEOUT=$${TEST_TIMEOUT:-600} tests/run --build $(VALGRIND_BUILD)/memcheck \
	  --whole-only $(if $(ONLY),--only $(ONLY)) | tee $(VALGRIND_BUILD)/memcheck/run.log; \
	tests/hardening/valgrind_bin.sh --report $(VALGRIND_BUILD)/memcheck \
	  $(VALGRIND_BUILD)/memcheck/run.log; rc=$$?; \
	echo "make valgrind: $$(( $$(date +%s) - start )) s"; exit $$rc

# ---------------------------------------------------------------- run, fuzz, bench
.PHONY: run fuzz bench
run: all
	$(Q)etc/make-run.sh $(BIN)

# Each target is tests/fuzz/fuzz_NAME.c linked with lib/ (and, for the at
# time parser, atq/timespec*.c); its seed corpus is tests/fuzz/corpus/fuzz_NAME/
# (copied, so what libFuzzer finds stays in build/fuzz/). FUZZ=NAMES picks
# targets (e.g. FUZZ="fuzz_config fuzz_timespec"); a crash stops the run and
# leaves crash-* in the current directory: make it a unit test and fix it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ ?= $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(addprefix $(FUZZ_BUILD)/,$(FUZZ))
FUZZ_EXTRA_fuzz_timespec := $(wildcard atq/timespec*.c)
# The fuzz targets build lib/ from source: without json_out.c, which only
# the CLIs link (with jansson).
FUZZ_LIB_SRCS := $(filter-out lib/json_out.c,$(LIB_SRCS))
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRCS) $(wildcard atq/timespec*.c atq/*.h lib/*.h)
	@mkdir -p $(@D)
	$(Q)clang $(CPPFLAGS) -std=c17 -O1 -g -Wall -Wextra -Werror \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $< $(FUZZ_LIB_SRCS) $(FUZZ_EXTRA_$(notdir $@)) -lm
fuzz: deps
	$(Q)command -v clang >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang >/dev/null; }
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	$(Q)for t in $(FUZZ_TARGETS); do \
	  name=$$(basename $$t); mkdir -p $(FUZZ_BUILD)/corpus-$$name; \
	  cp -n tests/fuzz/corpus/$$name/* $(FUZZ_BUILD)/corpus-$$name/ 2>/dev/null; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $(FUZZ_BUILD)/corpus-$$name 2>$(FUZZ_BUILD)/$$name.log \
	    || { tail -n 40 $(FUZZ_BUILD)/$$name.log; exit 1; }; \
	  printf '  %-16s %s executions in %s s, corpus %s inputs\n' $$name \
	    "$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/$$name.log)" \
	    $(FUZZ_SECONDS) "$$(ls $(FUZZ_BUILD)/corpus-$$name | wc -l)"; \
	done

# QUICK=1: the smoke test, which also compares its ratios with the last
# committed results (docs/bench/data) and fails on any 20 % worse.
bench: all bench-deps
	$(Q)$(MAKE) --no-print-directory -C bench BIN=$(abspath $(BIN)) BUILD=$(abspath $(BUILD))/bench \
	  RESULTS=$(abspath docs/bench/data) PLOTS=$(abspath docs/bench)

# ---------------------------------------------------------------- install
# `make install` puts the same files as the Debian package (make deb) under
# DESTDIR: programs and man pages under PREFIX, configuration under
# SYSCONFDIR (the programs read /etc/crond.conf unless told otherwise), the
# systemd unit under UNITDIR and the SysV script under INITDIR (either left
# out when set empty). An existing crond.conf or crontab is never
# overwritten; `make uninstall` removes them only while they are unchanged.
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
INITDIR    ?= $(SYSCONFDIR)/init.d
DOCDIR     ?= $(PREFIX)/share/doc/crond
MANDIR     ?= $(PREFIX)/share/man
CRON_DIRS  := cron.d cron.hourly cron.daily cron.weekly cron.monthly cron.yearly
CONF_FILES := crond.conf crontab pam.d/crond
LIBEXECDIR ?= $(PREFIX)/lib/crond
MAN_PAGES  := $(wildcard man/*.[158])
MAN_LINKS  := $(if $(wildcard man/at.1),atq.1 atrm.1 batch.1)
D          := $(DESTDIR)
# The unit and the script name the installed crond.
fix_paths  := sed -e 's|/usr/local/sbin/crond|$(PREFIX)/sbin/crond|g'

.PHONY: install uninstall
install: $(if $(NO_BUILD),,all)
	install -d $(D)$(PREFIX)/sbin $(D)$(PREFIX)/bin $(D)$(MANDIR)/man1 \
	  $(D)$(MANDIR)/man5 $(D)$(MANDIR)/man8 $(D)$(SYSCONFDIR) $(D)$(SYSCONFDIR)/pam.d \
	  $(D)$(DOCDIR)/examples
	$(if $(wildcard crond/main.c),install -m 0755 $(BIN)/crond $(D)$(PREFIX)/sbin/crond)
	$(if $(wildcard crontab-cli/main.c),install -m 0755 $(BIN)/crontab $(D)$(PREFIX)/bin/crontab)
	$(if $(wildcard atq/main.c),install -m 0755 $(BIN)/at $(D)$(PREFIX)/bin/at)
	$(if $(SESSION_SRCS),install -d $(D)$(LIBEXECDIR) && install -m 0755 $(BIN)/crond-session $(D)$(LIBEXECDIR)/crond-session)
	$(if $(wildcard atq/main.c),for n in atq atrm batch; do ln -sfn at $(D)$(PREFIX)/bin/$$n; done)
	for m in $(MAN_PAGES); do install -m 0644 $$m $(D)$(MANDIR)/man$${m##*.}/; done
	for m in $(MAN_LINKS); do ln -sfn at.1 $(D)$(MANDIR)/man1/$$m; done
	for f in $(CONF_FILES); do \
	  if [ -e $(D)$(SYSCONFDIR)/$$f ]; then echo "make: keeping $(D)$(SYSCONFDIR)/$$f"; \
	  else install -m 0644 etc/$$f $(D)$(SYSCONFDIR)/$$f; fi; done
	for d in $(CRON_DIRS); do install -d -m 0755 $(D)$(SYSCONFDIR)/$$d && \
	  install -m 0644 etc/$$d/.placeholder $(D)$(SYSCONFDIR)/$$d/.placeholder; done
	$(if $(UNITDIR),install -d $(D)$(UNITDIR) && $(fix_paths) etc/crond.service >$(D)$(UNITDIR)/crond.service && chmod 0644 $(D)$(UNITDIR)/crond.service)
	$(if $(UNITDIR),install -m 0644 etc/crond.socket $(D)$(UNITDIR)/crond.socket)
	$(if $(INITDIR),install -d $(D)$(INITDIR) && $(fix_paths) etc/crond.init >$(D)$(INITDIR)/crond && chmod 0755 $(D)$(INITDIR)/crond)
	install -m 0644 README.md $(D)$(DOCDIR)/README.md
	install -m 0644 etc/*.sample $(D)$(DOCDIR)/examples/

uninstall:
	rm -f $(D)$(PREFIX)/sbin/crond $(addprefix $(D)$(PREFIX)/bin/,crontab at atq atrm batch)
	rm -f $(D)$(LIBEXECDIR)/crond-session
	rmdir $(D)$(LIBEXECDIR) 2>/dev/null || true
	rm -f $(foreach m,$(MAN_PAGES),$(D)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -f $(addprefix $(D)$(MANDIR)/man1/,$(MAN_LINKS))
	for f in $(CONF_FILES); do \
	  if cmp -s etc/$$f $(D)$(SYSCONFDIR)/$$f; then rm -f $(D)$(SYSCONFDIR)/$$f; \
	  elif [ -e $(D)$(SYSCONFDIR)/$$f ]; then echo "make: keeping $(D)$(SYSCONFDIR)/$$f (changed)"; fi; done
	for d in $(CRON_DIRS); do rm -f $(D)$(SYSCONFDIR)/$$d/.placeholder; \
	  rmdir $(D)$(SYSCONFDIR)/$$d 2>/dev/null || true; done
	$(if $(UNITDIR),rm -f $(D)$(UNITDIR)/crond.service $(D)$(UNITDIR)/crond.socket)
	$(if $(INITDIR),rm -f $(D)$(INITDIR)/crond)
	rm -f $(D)$(DOCDIR)/README.md $(addprefix $(D)$(DOCDIR)/examples/,$(notdir $(wildcard etc/*.sample)))
	rmdir $(D)$(DOCDIR)/examples $(D)$(DOCDIR) 2>/dev/null || true

# ---------------------------------------------------------------- Debian package
# make deb: dpkg-buildpackage -b on a copy of the tree in build/deb/ (so
# nothing lands beside the checkout), then lintian; the .deb is copied to
# build/. make test-deb installs it into a throwaway Debian root (see
# tests/deb/test-deb.sh).
DEB_APT_PACKAGES := debhelper dpkg-dev fakeroot lintian
TEST_DEB_APT_PACKAGES := debootstrap
DEB_WORK := build/deb
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_FILE = build/crond_$(VERSION)_$(DEB_ARCH).deb

.PHONY: deb test-deb
deb: deps
	$(call apt_ensure,$(DEB_APT_PACKAGES))
	$(Q)rm -rf $(DEB_WORK) && mkdir -p $(DEB_WORK)/crond-$(VERSION)
	$(Q)tar --exclude=./build --exclude=./run --exclude=./.git -cf - . \
	  | tar -xf - -C $(DEB_WORK)/crond-$(VERSION)
	$(Q)cd $(DEB_WORK)/crond-$(VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 \
	  || { tail -n 30 ../build.log; echo "make: dpkg-buildpackage failed (log: $(DEB_WORK)/build.log)" >&2; exit 1; }
	$(Q)cp $(DEB_WORK)/crond_$(VERSION)_$(DEB_ARCH).deb build/
	$(Q)lintian --fail-on error --info $(DEB_WORK)/crond_$(VERSION)_$(DEB_ARCH).changes
	@echo "make: built $(DEB_FILE)"

test-deb: deb
	$(call apt_ensure,$(TEST_DEB_APT_PACKAGES))
	$(Q)tests/deb/test-deb.sh $(DEB_FILE)

.PHONY: clean
clean:
	rm -rf build run

# ---------------------------------------------------------------- completions
# bash completions, where Debian's bash-completion looks them up by command
# name (atq, atrm and batch share at's file); part of install and uninstall.
# bash-completion itself ships /usr/share/bash-completion/completions/crontab
# (for Debian's cron), so with PREFIX=/usr ours goes to the directory it
# sources at start-up instead, which takes precedence over that file and
# does not collide with it in dpkg.
COMPLETIONS_DIR  := $(PREFIX)/share/bash-completion/completions
COMPLETIONS      := at crond
COMPLETION_LINKS := atq atrm batch
ifeq ($(PREFIX),/usr)
CRONTAB_COMPLETION := /etc/bash_completion.d/crond-crontab
else
CRONTAB_COMPLETION := $(COMPLETIONS_DIR)/crontab
endif
.PHONY: install-completions uninstall-completions
install: install-completions
uninstall: uninstall-completions
install-completions:
	install -d $(DESTDIR)$(COMPLETIONS_DIR) $(DESTDIR)$(dir $(CRONTAB_COMPLETION))
	install -m 0644 $(addprefix etc/bash-completion/,$(COMPLETIONS)) $(DESTDIR)$(COMPLETIONS_DIR)/
	install -m 0644 etc/bash-completion/crontab $(DESTDIR)$(CRONTAB_COMPLETION)
	for n in $(COMPLETION_LINKS); do ln -sfn at $(DESTDIR)$(COMPLETIONS_DIR)/$$n; done
uninstall-completions:
	rm -f $(addprefix $(DESTDIR)$(COMPLETIONS_DIR)/,$(COMPLETIONS) $(COMPLETION_LINKS)) \
	  $(DESTDIR)$(CRONTAB_COMPLETION)
