#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_crash_smoke.sh: we are the crash kernel; the dump of the
# panicked kernel is readable.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

is "$LAZY_PHASE" crash "running in the crash kernel (lazyphase=crash)"
check "/proc/vmcore exists" test -e /proc/vmcore || exit 0
size=$(stat -c %s /proc/vmcore)
cmp_ok "$size" -gt 0 "/proc/vmcore is not empty ($size bytes)"
is "$(head -c 4 /proc/vmcore | tail -c 3)" ELF "/proc/vmcore starts with an ELF header"
if command -v makedumpfile >/dev/null; then
	makedumpfile --dump-dmesg /proc/vmcore /tmp/old-dmesg >/tmp/mdf.log 2>&1
	check "the panicked kernel's log in the dump says why it crashed" \
		grep -q 'sysrq triggered crash' /tmp/old-dmesg || diag "$(tail -n 5 /tmp/mdf.log)"
else
	skip "log of the panicked kernel" "no makedumpfile in the initrd"
fi
