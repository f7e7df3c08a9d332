# breakglass - keep an Entra ID tenant reachable when MFA is down
# make, make check, make install PREFIX=/usr DESTDIR=..., make clean

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
LOCALSTATEDIR ?= /var/lib
DESTDIR	?=
VERSION	= $(shell sed -n 's/.*BREAKGLASS_VERSION "\(.*\)".*/\1/p' agent/version.h)
BUILD	?= build

CC	?= cc
# The libraries' flags are asked of pkg-config when a compile first needs
# them, never when make reads this file: on a fresh machine the first
# `make demo` reads it before deps has installed pkg-config and the -dev
# packages (issue 13).  The objects wait for have-libs, which stops a build
# without them with the command that installs them, not in the compiler.
PKGS	= libcjson libconfuse libcurl ldap libcrypto
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
WARN	= -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wno-format-nonliteral
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS)
LDLIBS	= $(PKG_LIBS)

AGENT	= agent/account.c \
	  agent/agent.c \
	  agent/audit.c \
	  agent/cli/accounts.c \
	  agent/cli/cli.c \
	  agent/cli/cmd_account.c \
	  agent/cli/cmd_audit.c \
	  agent/cli/cmd_doctor.c \
	  agent/cli/doctor_tenant.c \
	  agent/cli/cmd_drill.c \
	  agent/cli/cmd_health.c \
	  agent/cli/cmd_misc.c \
	  agent/cli/cmd_report.c \
	  agent/config.c \
	  agent/config_check.c \
	  agent/config_rules.c \
	  agent/drill.c \
	  agent/event.c \
	  agent/jscan.c \
	  agent/log.c \
	  agent/match.c \
	  agent/notify/channel.c \
	  agent/notify/channel_command.c \
	  agent/notify/mail.c \
	  agent/notify/notify.c \
	  agent/notify/smtp.c \
	  agent/notify/webhook.c \
	  agent/override.c \
	  agent/policy.c \
	  agent/poll.c \
	  agent/privdrop.c \
	  agent/process.c \
	  agent/report.c \
	  agent/revoke.c \
	  agent/session.c \
	  agent/source_service_health.c \
	  agent/source_signin_failures.c \
	  agent/source_token_probe.c \
	  agent/state.c \
	  agent/statedir.c \
	  agent/sync.c \
	  agent/text.c \
	  agent/toggle.c \
	  agent/url.c \
	  agent/util.c \
	  agent/watch.c
LDAPSRC	= ldap/ad.c
GRAPH	= graph/auth.c graph/health.c graph/http.c
LIBSRC	= $(AGENT) $(LDAPSRC) $(GRAPH)
LIBOBJ	= $(LIBSRC:%.c=$(BUILD)/%.o)
MAINOBJ	= $(BUILD)/agent/cli/main.o

UNIT	= test_util test_config test_audit test_ad test_cli test_policy \
	  test_match test_graph test_mail test_text test_statedir test_notify \
	  test_state test_event test_report
UNITBIN	= $(UNIT:%=$(BUILD)/tests/%)

BIN	= $(if $(filter build,$(BUILD)),breakglass,$(BUILD)/breakglass)

.PHONY: all check check-unit check-integration check-asan check-package check-long deps \
	clean install deb demo fuzz fuzz-build fault-build bench have-libs have-test-libs \
	check-fresh

all: $(BIN)

$(BIN): $(MAINOBJ) $(BUILD)/libbreakglass.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libbreakglass.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libbreakglass.a | have-test-libs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libbreakglass.a $(LDLIBS) -lcmocka

-include $(LIBOBJ:.o=.d) $(MAINOBJ:.o=.d)

# have-libs, have-test-libs: pkg-config finds the libraries, or the build
# stops naming the missing Debian packages and the command that installs them
have = pkg-config --exists $1 2>/dev/null || { \
	PC="$1" sh packaging/install-deps.sh --explain $2 >&2; exit 1; }
have-libs:
	@$(call have,$(PKGS))
have-test-libs: have-libs
	@$(call have,cmocka,libcmocka-dev)
$(LIBOBJ) $(MAINOBJ): | have-libs

# the crash-test build: FAULT_POINT()s live (tests/faults), never shipped
fault-build:
	$(MAKE) BUILD=build-fault EXTRA_CFLAGS=-DBG_FAULT_HOOKS \
	    build-fault/breakglass

# every Debian package the build and the tests need, installed if missing
deps:
	@sh packaging/install-deps.sh

check: deps
	$(MAKE) all $(UNITBIN) fault-build $(BENCHBIN)
	FAULT_BIN=$(abspath build-fault/breakglass) BUILD=$(BUILD) \
	    BIN=$(abspath $(BIN)) tests/run.sh

check-unit: $(UNITBIN)
	BUILD=$(BUILD) tests/run.sh unit

check-integration: all fault-build
	FAULT_BIN=$(abspath build-fault/breakglass) BUILD=$(BUILD) \
	    BIN=$(abspath $(BIN)) tests/run.sh integration

# the long variants: the crash matrix 10 runs per kill point, 1000 agent
# polls under valgrind (numbers for docs/reliability.md)
check-long: deps
	$(MAKE) all fault-build
	FAULT_RUNS=10 VG_POLLS=1000 FAULT_BIN=$(abspath build-fault/breakglass) \
	    BUILD=$(BUILD) BIN=$(abspath $(BIN)) \
	    tests/run.sh integration 10-crash 85-agent-valgrind

check-asan: deps
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" \
	    build-asan/breakglass $(UNITBIN:build/%=build-asan/%)
	$(MAKE) all fault-build
	BREAKGLASS_SKIP_PACKAGE=1 BUILD=build-asan \
	    FAULT_BIN=$(abspath build-fault/breakglass) \
	    PLAIN_BIN=$(abspath breakglass) \
	    BIN=$(abspath build-asan/breakglass) tests/run.sh

# libFuzzer targets (clang), each run FUZZ_SECONDS; crashes fail the run
FUZZ	= fuzz_issues fuzz_token fuzz_config fuzz_state fuzz_audit \
	  fuzz_duration fuzz_mail
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer \
	  -fsanitize=fuzzer-no-link,address,undefined

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	    build-fuzz/libbreakglass.a
	for t in $(FUZZ); do \
	    clang -std=gnu11 -D_GNU_SOURCE $(WARN) $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer $(PKG_CFLAGS) -o build-fuzz/$$t tests/fuzz/$$t.c \
	    build-fuzz/libbreakglass.a $(LDLIBS) || exit 1; done

fuzz: deps
	$(MAKE) fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSTEMDDIR) \
	    $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d \
	    $(DESTDIR)$(PREFIX)/share/doc/breakglass
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/breakglass
	install -d -m 0700 $(DESTDIR)$(LOCALSTATEDIR)/breakglass
	install -m 0755 breakglass $(DESTDIR)$(SBINDIR)/breakglass
	install -m 0644 docs/breakglass.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 docs/breakglass.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/systemd/breakglass.service $(DESTDIR)$(SYSTEMDDIR)/
	install -m 0644 packaging/systemd/breakglass.sysusers \
	    $(DESTDIR)$(PREFIX)/lib/sysusers.d/breakglass.conf
	install -m 0644 packaging/systemd/breakglass.tmpfiles \
	    $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/breakglass.conf
	install -m 0644 README.md docs/admin-guide.md docs/ha.md \
	    $(DESTDIR)$(PREFIX)/share/doc/breakglass/
	install -d $(DESTDIR)$(PREFIX)/share/doc/breakglass/examples/keepalived
	install -m 0644 packaging/keepalived/keepalived.conf \
	    $(DESTDIR)$(PREFIX)/share/doc/breakglass/examples/keepalived/
	install -m 0755 packaging/keepalived/breakglass-notify \
	    $(DESTDIR)$(PREFIX)/share/doc/breakglass/examples/keepalived/
	test -e $(DESTDIR)$(SYSCONFDIR)/breakglass/breakglass.conf || \
	    install -m 0640 docs/breakglass.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/breakglass/breakglass.conf

# a .deb from a copy of the tree with packaging/debian as debian/
deb: deps
	rm -rf build/deb && mkdir -p build/deb/breakglass-$(VERSION)
	git ls-files -z | xargs -0 cp --parents -t build/deb/breakglass-$(VERSION)
	cp -r packaging/debian build/deb/breakglass-$(VERSION)/debian
	cd build/deb/breakglass-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls -l build/deb/*.deb

# speed and memory targets (issue 8): a markdown report, exit 1 on a miss
# built by make check too, so that they keep compiling
BENCHBIN = $(BUILD)/tests/bench-floor $(BUILD)/tests/libinit-libc \
	  $(BUILD)/tests/libinit-curl $(BUILD)/tests/libinit-ldap \
	  $(BUILD)/tests/libinit-crypto
bench: deps
	$(MAKE) all $(BENCHBIN)
	BIN=$(abspath $(BIN)) FLOOR=$(abspath $(BUILD)/tests/bench-floor) \
	    LIBINIT=$(abspath $(BUILD)/tests/libinit) sh tests/bench/bench.sh

# the libraries' memory floor without breakglass (tests/bench/floor.c)
$(BUILD)/tests/bench-floor: tests/bench/floor.c | have-libs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# one library on its own (tests/bench/libinit.c): its define and libraries
LIBINIT_libc	=
LIBINIT_curl	= -DWITH_CURL $(shell pkg-config --libs libcurl)
LIBINIT_ldap	= -DWITH_LDAP $(shell pkg-config --libs ldap)
LIBINIT_crypto	= -DWITH_CRYPTO $(shell pkg-config --libs libcrypto)
$(BUILD)/tests/libinit-%: tests/bench/libinit.c | have-libs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBINIT_$*)

check-package: deps
	sh tests/package.sh

demo: deps
	$(MAKE) all
	sh tests/demo.sh

# the README's two commands as the first ones on a fresh Debian 12 root
# (debootstrap), then the .deb installed there with apt (tests/fresh.sh)
check-fresh:
	sh tests/fresh.sh

clean:
	rm -rf build build-asan build-fuzz build-fault breakglass

# mutation testing (tests/mutants/run.sh): each mutant must fail its suites;
# slow (a build and the named suites per mutant), so not in make check
.PHONY: mutants
mutants: deps
	sh tests/mutants/run.sh $(MUTANTS)
