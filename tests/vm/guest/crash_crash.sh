#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_crash.sh: the crash kernel booted from lazy_cma's
# buffer and the panicked kernel's memory is readable as /proc/vmcore.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

is "$LAZY_PHASE" crash "the crash kernel reached its init (lazyphase=crash)"
check "/proc/vmcore exists" test -e /proc/vmcore || exit 0
is "$(head -c 4 /proc/vmcore | tail -c 3)" ELF "/proc/vmcore starts with an ELF header"
# The region is t_crash.sh's LAZY_CRASH_SIZE (192M; the debug tiers give
# 384M, passed on in the crash kernel's command line): never the whole
# memory of the guest.
limit=$((256 << 10))
case ${LAZY_CRASH_SIZE:-} in
*M) [ $(((${LAZY_CRASH_SIZE%M} + 16) << 10)) -le "$limit" ] || limit=$(((${LAZY_CRASH_SIZE%M} + 16) << 10)) ;;
esac
cmp_ok "$(meminfo MemTotal)" -lt "$limit" "the crash kernel runs in the reserved region only (MemTotal $(meminfo MemTotal) kB < $limit kB)"
if command -v makedumpfile >/dev/null; then
	makedumpfile --dump-dmesg /proc/vmcore /tmp/old-dmesg >/tmp/mdf.log 2>&1
	check "makedumpfile reads the panicked kernel's log from the dump" \
		grep -q 'sysrq triggered crash' /tmp/old-dmesg || diag "$(tail -n 5 /tmp/mdf.log)"
else
	skip "the panicked kernel's log in the dump" "no makedumpfile in the crash initrd"
fi
