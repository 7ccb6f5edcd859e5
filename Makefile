# lazy-kdump top-level Makefile.
#
#   make                 build the module (for KDIR) and the userspace tools
#   make module KDIR=DIR build module/lazy_cma.ko against a prepared kernel tree
#   make tools           build the userspace commands only
#   make check           every test: host unit tests, then VM tests on the
#                        newest Debian 6.1, 6.12 and 7.x kernels under QEMU
#   make check-unit      host unit tests only
#   make check-vm        VM tests only (SUITES="bookworm trixie trixie-backports")

KDIR ?= /lib/modules/$(shell uname -r)/build
SUITES ?= bookworm trixie trixie-backports
export SUITES

# Kbuild variables passed through to the module build when given.
KBUILD_PASS := $(foreach v,CC LD HOSTCC LLVM W C CF KBUILD_VERBOSE V,$(if $(filter command line environment,$(origin $(v))),$(v)=$($(v))))

.PHONY: all module tools check check-unit check-vm clean deps

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module $(KBUILD_PASS) modules

tools:
	$(MAKE) -C lazy_kdump

deps:
	scripts/install-deps.sh

check: deps
	tests/run-all.sh

check-unit: tools
	$(MAKE) -C tests/unit check

check-vm: deps tools
	tests/vm/run.sh $(SUITES)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean 2>/dev/null
	$(MAKE) -C lazy_kdump clean
	$(MAKE) -C tests/unit clean
	rm -rf build
