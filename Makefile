# lazy-kdump top-level Makefile.
#
#   make                 build the module (for KDIR) and the userspace tools
#   make module KDIR=DIR build module/lazy_cma.ko against a prepared kernel tree
#   make tools           build the userspace commands only
#   make check           host unit tests, checkpatch and sparse on the
#                        module, VM tests on the newest Debian 6.1, 6.12
#                        and 7.x kernels under QEMU, the Debian packages,
#                        the full-system tests (BENCH=quick: also the bench
#                        smoke run)
#   make check-unit      host unit tests only
#   make check-static    the static checkers on module/ (scripts/check-static.sh):
#                        checkpatch --strict, sparse (C=2) and W=1 builds for
#                        each kernel of SUITES, coccicheck (slow: not in
#                        make check); CHECKERS="checkpatch sparse w1 coccicheck"
#   make check-vm        VM tests only (SUITES="bookworm trixie trixie-backports")
#   make check-short     kdump armed below the minimum, over two boots per
#                        kernel: the next boot's verdict (tests/vm/short.sh;
#                        part of make check)
#   make check-debug     the debug-kernel tier: Debian's 6.12 source built
#                        with KASAN, KFENCE, lockdep, DEBUG_VM/LIST/OBJECTS
#                        (scripts/build-debug-kernel.sh, cached: the first
#                        build is long, over an hour on 2 busy cores),
#                        then the module and
#                        kdump VM groups under it; fails on any detector
#                        report in a guest's kernel log (tests/vm/check-debug.sh;
#                        DEBUG_GROUPS="module,kdump" picks groups)
#   make check-kcsan     the same tier with the data-race detector KCSAN
#                        instead of KASAN (build-debug-kernel.sh --kcsan);
#                        a race counts when a stack of it is in lazy_cma
#   make check-full      the full-system test: a Debian 13 image with systemd
#                        and dracut, `make install` in it, kdump armed by the
#                        service, panic, dump, reboot; also on Debian 12,
#                        and Debian 12 with the root on LVM on LUKS on
#                        MD RAID 1 (FULL_SUITES="trixie
#                        bookworm-stack", the default, as make check),
#                        plus the plain Debian 12 run, the multipath and
#                        raw-disk run and the dump-server run
#                        (FULL_EXTRA_SUITES="bookworm bookworm-mpath
#                        bookworm-net")
#   make check-net       only the dump-server run: dumps sent to a second
#                        guest over ssh and NFS (tests/full/run.sh
#                        bookworm-net, about 30 minutes)
#   make bench           the benchmarks (tests/bench/run.sh): memory held,
#                        time to arm under fragmentation, capture time;
#                        report in build/bench/report.md
#   make bench-extended  the same and the comparisons beyond the targets
#                        (kdump-tools with our compression, the seed
#                        baseline with all zones, 3 captures at auto)
#   make bench-quick     their smoke run (make check BENCH=quick includes it)
#   make fuzz            the long fuzz run: tests/vm/fuzz_test.c, 4 processes
#                        x 25,000 random operations on each kernel of SUITES
#                        (make check runs 4 x 300 in the module-fuzz group)
#   make soak            the long soak (tests/soak/run.sh): 20 consecutive
#                        panic -> capture -> reboot -> armed again cycles on
#                        the full-system guest, 5 on the busybox guest of
#                        each kernel of SUITES (KEEP_DUMPS=3 checked); cycle
#                        times in build/soak/results.txt
#   make deb             the Debian packages lazy-kdump and lazy-cma-dkms for
#                        Debian 12 (built on this host) and 13 (in the trixie
#                        build chroot), checked with lintian, into
#                        build/deb/SUITE/ (scripts/build-deb.sh; DEB_SUITES=
#                        "bookworm trixie"); part of make check
#   make install         commands, man pages, default config, systemd units,
#                        dracut module, kernel hooks and the module source
#                        for DKMS (registered and built when DESTDIR is empty)
#   make uninstall       remove all of it (a changed config file is kept)
#
# Install locations (override on the command line, e.g. PREFIX=/usr):
#   DESTDIR PREFIX=/usr/local SBINDIR=PREFIX/sbin LIBEXECDIR=PREFIX/lib/lazy-kdump
#   MANDIR=PREFIX/share/man SYSCONFDIR=/etc UNITDIR (systemd's
#   systemdsystemunitdir) UDEVRULESDIR (udev's rules.d) DRACUTDIR (dracut's
#   modules.d) KERNELINSTALLDIR
#   (/usr/lib/kernel/install.d) DKMSSRCDIR=/usr/src; DKMS=no skips DKMS.
#   The locations systemd, udev, dracut, the kernel hooks and DKMS read do not
#   follow PREFIX: those programs look nowhere else.

KDIR ?= /lib/modules/$(shell uname -r)/build
SUITES ?= bookworm trixie trixie-backports
export SUITES
FULL_SUITES ?= trixie bookworm-stack
export FULL_SUITES
# check-full adds what make check leaves out for CI's time (CI gives make
# check 90 minutes: with bookworm-net in it, it ran out; with the plain
# bookworm run beside trixie and bookworm-stack it took 81 minutes, over
# the 75 it should stay within). bookworm-stack installs the Debian 12
# packages with apt and captures on Debian 12 too.
FULL_EXTRA_SUITES ?= bookworm bookworm-mpath bookworm-net

# The one version of everything: the commands' --version, the DKMS package,
# the module's MODULE_VERSION, the man pages.
VERSION := $(shell cat $(CURDIR)/VERSION)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/lib/lazy-kdump
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# Where this system's systemd and dracut look (pkg-config when their .pc
# files are installed; Debian 12 says /lib/systemd/system, 13 /usr/lib/...).
ifeq ($(origin UNITDIR),undefined)
UNITDIR := $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || \
	{ if [ -L /lib ] || [ ! -d /lib/systemd/system ]; then echo /usr/lib/systemd/system; \
	else echo /lib/systemd/system; fi; })
endif
ifeq ($(origin DRACUTDIR),undefined)
DRACUTDIR := $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null || \
	echo /usr/lib/dracut/modules.d)
endif
ifeq ($(origin UDEVRULESDIR),undefined)
UDEVRULESDIR := $(shell d=$$(pkg-config --variable=udevdir udev 2>/dev/null) && [ -n "$$d" ] && \
	echo "$$d/rules.d" || { if [ -L /lib ] || [ ! -d /lib/udev/rules.d ]; then \
	echo /usr/lib/udev/rules.d; else echo /lib/udev/rules.d; fi; })
endif
KERNELINSTALLDIR ?= /usr/lib/kernel/install.d
DKMSSRCDIR ?= /usr/src
DKMS ?= auto
STATEDIR := /var/lib/lazy-kdump
# O=DIR builds the commands under DIR (lazy_kdump/Makefile's O=).
O ?=
TOOLS_OUT := $(if $(O),$(patsubst %/,%,$(abspath $(O)))/,lazy_kdump/)

# Kbuild variables passed through to the module build when given.
KBUILD_PASS := $(foreach v,CC LD HOSTCC LLVM W C CF KBUILD_VERBOSE V,$(if $(filter command line environment,$(origin $(v))),$(v)=$($(v))))

.PHONY: all module tools check check-unit check-static check-vm check-short check-debug check-kcsan check-full check-net \
	clean deps install uninstall demo bench bench-extended bench-quick fuzz soak deb

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module $(KBUILD_PASS) modules

tools:
	$(MAKE) -C lazy_kdump VERSION=$(VERSION) PREFIX=$(PREFIX) LIBEXECDIR=$(LIBEXECDIR) \
		$(if $(O),O=$(abspath $(O)))

deps:
	scripts/install-deps.sh

check: deps
	tests/run-all.sh

demo: deps tools
	scripts/demo.sh

check-unit: tools
	$(MAKE) -C tests/unit check

CHECKERS ?= checkpatch sparse w1 coccicheck
check-static:
	scripts/install-deps.sh --static
	scripts/check-static.sh $(CHECKERS)

check-vm: deps tools
	tests/vm/run.sh $(SUITES)

check-short: deps tools
	tests/vm/short.sh $(SUITES)

check-debug: deps
	tests/vm/check-debug.sh $(if $(DEBUG_GROUPS),-g $(DEBUG_GROUPS))

check-kcsan: deps
	tests/vm/check-debug.sh -k $(if $(DEBUG_GROUPS),-g $(DEBUG_GROUPS))

check-full: deps
	tests/full/run.sh $(FULL_SUITES) $(FULL_EXTRA_SUITES)

check-net: deps
	tests/full/run.sh bookworm-net

bench: deps
	tests/bench/run.sh $(SUITES)

bench-extended: deps
	tests/bench/run.sh --extended $(SUITES)

bench-quick: deps
	tests/bench/run.sh --quick $(SUITES)

fuzz: deps tools
	tests/vm/run.sh -f tests/vm/groups-fuzz $(SUITES)

soak: deps
	tests/soak/run.sh $(SUITES)

DEB_SUITES ?= bookworm trixie
deb: deps
	scripts/build-deb.sh $(DEB_SUITES)

# ---- install ---------------------------------------------------------------

MODSRC := $(DESTDIR)$(DKMSSRCDIR)/lazy-cma-$(VERSION)
DRACUTMOD := $(DRACUTDIR)/99lazy-kdump
# @NAME@ in the sources that name installed paths.
SUBST = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@DRACUTMODDIR@|$(DRACUTMOD)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
	-e 's|@UNITDIR@|$(UNITDIR)|g'
# install_subst MODE SOURCE TARGET
install_subst = $(SUBST) <$(2) >$(DESTDIR)$(3).tmp && chmod $(1) $(DESTDIR)$(3).tmp && \
	mv -f $(DESTDIR)$(3).tmp $(DESTDIR)$(3)
LIBEXEC_SCRIPTS := mkinitrd:dracut/lazy-kdump-mkinitrd.sh \
	propagate:dracut/lazy-kdump-propagate.sh \
	rearm:systemd/lazy-kdump-rearm.sh \
	no-other-kdump:systemd/lazy-kdump-no-other-kdump.sh \
	memhp:systemd/lazy-kdump-memhp.sh \
	raw-save:systemd/lazy-kdump-raw-save.sh \
	kernel-hook:kernel/lazy-kdump-kernel-hook.sh
UNITS := lazy-kdump.service lazy-kdump-rearm.path lazy-kdump-rearm.service \
	lazy-kdump-raw-save.service
MAN8 := lazy-kdump.8 lazy-cma.8
MAN5 := lazy-kdump.conf.5
MODULE_FILES := Kbuild Makefile $(notdir $(wildcard module/*.c module/*.h))
# Only when installing into this system: DKMS and systemd act on it.
LIVE := $(if $(DESTDIR),,yes)

install: tools
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DRACUTMOD) \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d \
		$(DESTDIR)$(KERNELINSTALLDIR) $(MODSRC)/uapi $(DESTDIR)$(STATEDIR) \
		$(DESTDIR)$(UDEVRULESDIR)
	install -m 0755 $(TOOLS_OUT)lazy-kdump $(TOOLS_OUT)lazy-cma $(DESTDIR)$(SBINDIR)/
	$(foreach s,$(LIBEXEC_SCRIPTS),$(call install_subst,0755,$(word 2,$(subst :, ,$(s))),$(LIBEXECDIR)/$(word 1,$(subst :, ,$(s)))) && ) true
	$(foreach u,$(UNITS),$(call install_subst,0644,systemd/$(u).in,$(UNITDIR)/$(u)) && ) true
	$(call install_subst,0644,systemd/98-lazy-kdump.rules.in,$(UDEVRULESDIR)/98-lazy-kdump.rules)
	$(call install_subst,0755,dracut/99lazy-kdump/module-setup.sh,$(DRACUTMOD)/module-setup.sh)
	$(call install_subst,0644,dracut/99lazy-kdump/lazy-kdump-lib.sh,$(DRACUTMOD)/lazy-kdump-lib.sh)
	install -m 0644 dracut/99lazy-kdump/lazy-kdump-capture.service $(DESTDIR)$(DRACUTMOD)/
	install -m 0755 dracut/99lazy-kdump/lazy-kdump-emergency.sh $(DESTDIR)$(DRACUTMOD)/
	install -m 0755 dracut/99lazy-kdump/lazy-kdump-udhcpc.sh $(DESTDIR)$(DRACUTMOD)/
	install -m 0755 dracut/lazy-kdump-capture.sh $(DESTDIR)$(DRACUTMOD)/
	# Sourced by the capture script, not run: not executable.
	install -m 0644 dracut/lazy-kdump-prune.sh $(DESTDIR)$(DRACUTMOD)/
	$(call install_subst,0755,kernel/postinst,$(SYSCONFDIR)/kernel/postinst.d/lazy-kdump)
	$(call install_subst,0755,kernel/postrm,$(SYSCONFDIR)/kernel/postrm.d/lazy-kdump)
	$(call install_subst,0755,kernel/60-lazy-kdump.install,$(KERNELINSTALLDIR)/60-lazy-kdump.install)
	$(foreach m,$(MAN8),$(call install_subst,0644,man/$(m),$(MANDIR)/man8/$(m)) && ) true
	$(foreach m,$(MAN5),$(call install_subst,0644,man/$(m),$(MANDIR)/man5/$(m)) && ) true
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/lazy-kdump.conf ]; then \
		echo "Kept the existing $(DESTDIR)$(SYSCONFDIR)/lazy-kdump.conf (the default is in lazy_kdump/lazy-kdump.conf)."; \
	else install -m 0644 lazy_kdump/lazy-kdump.conf $(DESTDIR)$(SYSCONFDIR)/lazy-kdump.conf; fi
	install -m 0644 $(addprefix module/,$(MODULE_FILES)) VERSION $(MODSRC)/
	install -m 0644 module/uapi/lazy_cma.h $(MODSRC)/uapi/
	sed 's|^PACKAGE_VERSION=.*|PACKAGE_VERSION="$(VERSION)"|' module/dkms.conf >$(MODSRC)/dkms.conf
ifeq ($(LIVE),yes)
	@DKMS=$(DKMS) scripts/dkms-register.sh add lazy-cma $(VERSION)
	@if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
endif

uninstall:
ifeq ($(LIVE),yes)
	@if command -v systemctl >/dev/null && [ -e $(UNITDIR)/lazy-kdump.service ]; then \
		if [ -d /run/systemd/system ]; then \
			systemctl disable --now lazy-kdump-rearm.path lazy-kdump.service || exit 1; \
		else systemctl disable lazy-kdump-rearm.path lazy-kdump.service || exit 1; fi; fi
	@DKMS=$(DKMS) scripts/dkms-register.sh remove lazy-cma
endif
	rm -f $(DESTDIR)$(SBINDIR)/lazy-kdump $(DESTDIR)$(SBINDIR)/lazy-cma
	rm -f $(foreach s,$(LIBEXEC_SCRIPTS),$(DESTDIR)$(LIBEXECDIR)/$(word 1,$(subst :, ,$(s))))
	rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null || true
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(UDEVRULESDIR)/98-lazy-kdump.rules
	rm -rf $(DESTDIR)$(DRACUTMOD)
	rm -f $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/lazy-kdump \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d/lazy-kdump \
		$(DESTDIR)$(KERNELINSTALLDIR)/60-lazy-kdump.install
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(MAN8)) $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(MAN5))
	rmdir $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 2>/dev/null || true
	rm -rf $(DESTDIR)$(DKMSSRCDIR)/lazy-cma-*
	rm -f $(DESTDIR)$(STATEDIR)/initrd-*.img $(DESTDIR)$(STATEDIR)/initrd-*.img.tmp.* \
		$(DESTDIR)$(STATEDIR)/initrd-*.img.stack \
		$(DESTDIR)$(STATEDIR)/armed $(DESTDIR)$(STATEDIR)/previous-boot \
		$(DESTDIR)$(STATEDIR)/raw-target
	rmdir $(DESTDIR)$(STATEDIR) 2>/dev/null || true
	rm -f $(DESTDIR)/var/lib/prometheus/node-exporter/lazy-kdump.prom
	@c=$(DESTDIR)$(SYSCONFDIR)/lazy-kdump.conf; \
	if [ -e "$$c" ] && ! cmp -s "$$c" lazy_kdump/lazy-kdump.conf; then \
		echo "Kept $$c: it differs from the default (remove it by hand if it is no longer wanted)."; \
	else rm -f "$$c"; fi
ifeq ($(LIVE),yes)
	@if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
endif

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean 2>/dev/null
	$(MAKE) -C lazy_kdump clean
	$(MAKE) -C tests/unit clean
	rm -rf build
