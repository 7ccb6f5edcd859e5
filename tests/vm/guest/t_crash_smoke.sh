#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness smoke test of the crash path, without our module: with
# crashkernel= on the command line, load this kernel as crash kernel and
# panic; crash_crash_smoke.sh checks the crash kernel sees /proc/vmcore.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

grep -q 'crashkernel=' /proc/cmdline || skip_all "needs crashkernel= on the kernel command line"
check "/proc/iomem has a Crash kernel region" iomem_has ': Crash kernel$' || exit 1
cmp_ok "$(cat /sys/kernel/kexec_crash_size)" -gt 0 "/sys/kernel/kexec_crash_size is non-zero"
is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "no crash kernel loaded yet"
load_crash_kernel || exit 1
is "$(cat /sys/kernel/kexec_crash_loaded)" 1 "/sys/kernel/kexec_crash_loaded is 1" || exit 1
crash_now
