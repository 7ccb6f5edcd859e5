#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The guest half of `make demo` (scripts/demo.sh), not a test group: arm
# kdump with lazy-kdump on a machine booted without crashkernel=, show what
# it holds against Debian's static default, panic. "# demo: TEXT" lines are
# the narration scripts/demo.sh prints, "# demo| TEXT" command output;
# ok/not ok lines are what it checks. crash_demo.sh is the crash half.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

say() { echo "# demo: $*"; }
show() { printf '%s\n' "$@" | sed 's/^/# demo|     /'; }

kd_require
hostname demo-guest
ram_mib=$((LAZY_MEM_MB + 0))
say "Debian $(uname -r) is up with ${ram_mib} MiB of RAM and no crashkernel= on its command line:"
show "$(cat /proc/cmdline)"
say "memory reserved for a crash kernel now: $(cat /sys/kernel/kexec_crash_size) bytes"
say "arming kdump: lazy-kdump load (size computed from the crash kernel and initrd)"
t0=$(cut -d' ' -f1 /proc/uptime)
kd_run lazy-kdump load --append "lazy_kdump.host=$(hostname)"
t1=$(cut -d' ' -f1 /proc/uptime)
show "$KD_OUT"
if [ "$KD_RC" -ne 0 ]; then
	not_ok "lazy-kdump load exits 0 (exit status $KD_RC)"
	exit 1
fi
ok "lazy-kdump load"
say "armed in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; lazy-kdump status:"
kd_run lazy-kdump status
show "$KD_OUT"
is "$KD_RC" 0 "status: armed (exit status 0)"

# Debian's kdump-tools: crashkernel=512M-:192M (192 MiB from 512 MiB of RAM).
held=$(($(cat /sys/kernel/kexec_crash_size) >> 20))
static=0
[ "$ram_mib" -lt 512 ] || static=192
say "memory held: ${held} MiB; Debian's kdump-tools default (crashkernel=512M-:192M) holds ${static} MiB on this ${ram_mib} MiB machine, from boot, whether it needs it or not"
[ "$static" -eq 0 ] || say "lazy-kdump holds $((held * 100 / static))% of that, $((static - held)) MiB less, and only since it was armed"
say "panicking the kernel: echo c > /proc/sysrq-trigger"
diag "panic at epoch $(date +%s)"
crash_now
