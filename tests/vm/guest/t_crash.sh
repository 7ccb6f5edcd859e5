#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The whole promise on a guest booted without crashkernel=: allocate below
# 4 GiB, bind, load the crash kernel with the distribution's kexec -s -p,
# panic. crash_crash.sh runs in the crash kernel.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

require_module
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
size=${LAZY_CRASH_SIZE:-192M}
addr=$(lazy-cma alloc "$size" --below-4g --name t-panic) || { not_ok "allocate $size"; exit 1; }
check "bind $size at $addr as the crash kernel region" lazy-cma bind "$addr" || exit 1
load_crash_kernel || exit 1
is "$(cat /sys/kernel/kexec_crash_loaded)" 1 "/sys/kernel/kexec_crash_loaded is 1" || exit 1
diag "crash region: $(iomem_ranges 'Crash kernel')"
crash_now
