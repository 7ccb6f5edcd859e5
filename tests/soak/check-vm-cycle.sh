#!/usr/bin/env bash
# Host-side check of one busybox soak cycle (tests/soak/vm.sh, run by
# tests/vm/qemu-run.sh -c after the guest ended): the capture wrote a new
# dump directory on the soak's disk, complete, whose vmcore makedumpfile
# --dump-dmesg reads with the panic line, and /var/crash holds at most
# KEEP_DUMPS dump directories. TAP lines without numbers on stdout, and
#   # soak-dump: dir=NAME count=N bytes=B saved_uptime=T
# for vm.sh.
#
# Usage: tests/soak/check-vm-cycle.sh OUTDIR
# Environment: LAZY_VM_DISK (the soak's disk image), LAZY_VM_MAKEDUMPFILE,
# SOAK_KEEP (KEEP_DUMPS), SOAK_CYCLE (this cycle's number), SOAK_PREV (the
# newest dump directory before this cycle, empty before the first).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

out=${1:?usage: check-vm-cycle.sh OUTDIR}
disk=${LAZY_VM_DISK:?set LAZY_VM_DISK to the soak disk image}
mdf=${LAZY_VM_MAKEDUMPFILE:-$(command -v makedumpfile || true)}
keep=${SOAK_KEEP:-3}
k=${SOAK_CYCLE:-?}
prev=${SOAK_PREV:-}

# The guest test skipped (nothing built): nothing to check.
if skipped=$(tr -d '\r' <"$out/results.tap" 2>/dev/null | grep -m 1 -E '^ok - t_soak # SKIP'); then
	echo "ok - host: cycle $k: the dump # SKIP the guest test skipped: ${skipped#*# SKIP }"
	exit 0
fi

# The dump directories as the capture names them, oldest first.
dirs=$(debugfs -R 'ls -p /var/crash' "$disk" 2>/dev/null |
	awk -F/ 'NF >= 6 && $6 ~ /-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/ { print $6 }' |
	sed 's/^\(.*\)\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9:]\{8\}.*\)$/\2 \1\2/' | sort | cut -d' ' -f2)
n=$(printf '%s\n' "$dirs" | grep -c . || true)
newest=$(printf '%s\n' "$dirs" | tail -n 1)
if [ -z "$newest" ] || [ "$newest" = "$prev" ]; then
	echo "not ok - host: cycle $k: the capture wrote a new dump directory (newest '${newest:-none}', the last cycle's '${prev:-none}')"
	echo "# soak-dump: dir=none count=$n bytes=0 saved_uptime=-"
	exit 0
fi
echo "ok - host: cycle $k: the capture wrote a new dump directory /var/crash/$newest"
d=/var/crash/$newest
files=$(debugfs -R "ls -p $d" "$disk" 2>/dev/null | awk -F/ 'NF >= 6 && $6 != "." && $6 != ".." { print $6 }' | sort | tr '\n' ' ')
rm -f "$out/status" "$out/dmesg.txt"
debugfs -R "dump $d/status $out/status" "$disk" >/dev/null 2>&1 || true
debugfs -R "dump $d/dmesg.txt $out/dmesg.txt" "$disk" >/dev/null 2>&1 || true
why=''
grep -qx 'result=saved' "$out/status" 2>/dev/null || why="$why status says '$(sed -n 's/^result=//p' "$out/status" 2>/dev/null)', not result=saved;"
grep -qF "$SOAK_PANIC_LINE" "$out/dmesg.txt" 2>/dev/null || why="$why no panic line in dmesg.txt;"
case " $files " in *" vmcore.incomplete "*) why="$why vmcore.incomplete left;" ;; esac
if [ -z "$why" ]; then
	echo "ok - host: cycle $k: the dump is complete (status result=saved, the panic in dmesg.txt, no vmcore.incomplete)"
else
	echo "not ok - host: cycle $k: the dump is complete:${why%;} (files: $files)"
fi
bytes=0
if [ -z "$mdf" ]; then
	echo "not ok - host: cycle $k: makedumpfile is installed"
elif why=$(soak_read_vmcore "$disk" "$d/vmcore" "$out" "$mdf"); then
	bytes=$(stat -c %s "$out/vmcore")
	echo "ok - host: cycle $k: makedumpfile --dump-dmesg on the host shows the panic in the vmcore ($bytes bytes)"
else
	echo "not ok - host: cycle $k: makedumpfile --dump-dmesg on the host shows the panic in the vmcore: $why"
fi
rm -f "$out/vmcore"
if [ "$keep" = 0 ] || [ "$n" -le "$keep" ]; then
	echo "ok - host: cycle $k: at most KEEP_DUMPS=$keep dump directories in /var/crash ($n)"
else
	echo "not ok - host: cycle $k: at most KEEP_DUMPS=$keep dump directories in /var/crash (found $n: $(printf '%s\n' "$dirs" | tr '\n' ' '))"
fi
saved=$(tr -d '\r' <"$out/console.log" | sed -n 's/^\[ *\([0-9.]*\)\] lazy-kdump-capture: saved .*vmcore .*/\1/p' | tail -n 1)
echo "# soak-dump: dir=$newest count=$n bytes=$bytes saved_uptime=${saved:--}"
