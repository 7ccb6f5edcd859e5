#!/usr/bin/env bash
# Host-side check of a lazy-kdump capture: read the guest's ext4 disk image
# without mounting it (debugfs), extract what the capture script wrote and
# read the vmcore with makedumpfile. TAP lines without numbers on stdout.
#
# Usage: tests/vm/host/check_kdump.sh OUTDIR [EXPECT]
#   OUTDIR  the group's results directory (disk.img, console.log, results.tap)
#   EXPECT  saved (default): vmcore and dmesg.txt, status result=saved, the
#           panic line in the vmcore's log
#           no-space: dmesg.txt only, no vmcore (partial or not), status
#           result=no-space
#           no-target: nothing on the disk under /var/crash; the console
#           says the dump target is missing and the final action ran
# Environment (from qemu-run.sh): LAZY_VM_DISK (default OUTDIR/disk.img),
# LAZY_VM_MAKEDUMPFILE (default: makedumpfile on PATH).
# When the guest test was t_kdump: the status --json (before arming and
# armed) and estimate --json it printed, read with jq (schema 1, every key).
# Files left in OUTDIR: vmcore, dmesg.txt, status, lazy-kdump.log (copies
# from the disk) and vmcore-dmesg.txt (the host's makedumpfile's reading).
set -euo pipefail

out=${1:?usage: check_kdump.sh OUTDIR [saved|no-space|no-target]}
expect=${2:-saved}
disk=${LAZY_VM_DISK:-$out/disk.img}
mdf=${LAZY_VM_MAKEDUMPFILE:-$(command -v makedumpfile || true)}
panic_line='Kernel panic - not syncing: sysrq triggered crash'

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# A guest test that skipped (no lazy-kdump or module built) left nothing.
if skipped=$(tr -d '\r' <"$out/results.tap" 2>/dev/null | grep -m 1 -E '^ok - t_kdump[a-z_]* # SKIP'); then
	echo "ok - host: check of the dump # SKIP the guest test skipped: ${skipped#*# SKIP }"
	exit 0
fi
[ -f "$disk" ] || {
	not_ok "host: the guest's disk image $disk exists"
	exit 0
}
command -v debugfs >/dev/null || {
	not_ok "host: debugfs is installed (apt-get install e2fsprogs)"
	exit 0
}

# dfs CMD: a debugfs request on the image, read-only; its banner dropped.
dfs() { debugfs -R "$1" "$disk" 2>/dev/null; }
# ls_names DIR: the names in DIR of the image, one a line, without . and ..
ls_names() {
	dfs "ls -p $1" | awk -F/ 'NF >= 6 && $6 != "." && $6 != ".." { print $6 }'
}
# size_of PATH: the size in bytes of a file of the image.
size_of() {
	dfs "stat $1" | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n 1
}
# console_has REGEX: the guest's console log (ttyS0) has a matching line.
console_has() { tr -d '\r' <"$out/console.log" | grep -Eq -- "$1"; }

# t_kdump's status --json and estimate --json, as the guest printed them:
# schema 1, every key in every state (null where unknown), read with jq.
status_keys='["armed","armed_at","boot_time_reservation","by_lazy_kdump","cmdline","initrd","kernel","kexec_crash_loaded","kexec_crash_size","last_dump","low_region","previous_boot","region","schema_version","size","size_auto","state","working_memory"]'
estimate_keys='["cmdline","hard_minimum","initrd","kernel","kernel_release","low_companion","runtime_fallback","runtime_provisional","runtime_series","schema_version","split_region","split_working_memory","sum","terms","total"]'
# tap_json PREFIX: the JSON after "# PREFIX: " in the guest's TAP.
tap_json() { tr -d '\r' <"$out/results.tap" | sed -n "s/^# $1: //p" | head -n 1; }
if tr -d '\r' <"$out/results.tap" | grep -q ' - status exits 3 before load (not armed)$'; then
	if ! command -v jq >/dev/null; then
		not_ok "host: jq is installed to read status --json (apt-get install jq)"
	else
		j_not=$(tap_json 'status-json not-armed')
		j_arm=$(tap_json 'status-json armed')
		j_est=$(tap_json 'bench-estimate')
		if jq -e --argjson k "$status_keys" 'keys == $k and .schema_version == 1 and
			.state == "not-armed" and .armed == false and .kexec_crash_loaded == false and
			.region == null and .size == null and .kernel == null and .armed_at == null' \
			<<<"$j_not" >/dev/null 2>&1; then
			ok "host: status --json before arming: schema 1, every key, state not-armed, nulls"
		else
			not_ok "host: status --json before arming: schema 1, every key, state not-armed, nulls"
			diag "got: ${j_not:-nothing}"
		fi
		if jq -e --argjson k "$status_keys" 'keys == $k and .schema_version == 1 and
			.state == "armed" and .armed and .kexec_crash_loaded and .by_lazy_kdump and
			.region.len > 0 and (.region.node | type) == "number" and
			.kexec_crash_size >= .region.len and (.kernel | type) == "string" and
			.armed_at > 0' <<<"$j_arm" >/dev/null 2>&1; then
			ok "host: status --json when armed: schema 1, every key, state armed, the region"
		else
			not_ok "host: status --json when armed: schema 1, every key, state armed, the region"
			diag "got: ${j_arm:-nothing}"
		fi
		if jq -e --argjson k "$estimate_keys" 'keys == $k and .schema_version == 1 and
			([.terms[].bytes] | add) == .sum and .total >= .sum' <<<"$j_est" >/dev/null 2>&1; then
			ok "host: estimate --json: schema 1, every key, the terms add up"
		else
			not_ok "host: estimate --json: schema 1, every key, the terms add up"
			diag "got: ${j_est:-nothing}"
		fi
	fi
fi

dirs=$(ls_names /var/crash || true)
if [ "$expect" = no-target ]; then
	if [ -z "$dirs" ]; then
		ok "host: nothing was written under /var/crash of the disk (the target was not there)"
	else
		not_ok "host: nothing was written under /var/crash of the disk"
		diag "found: $dirs"
	fi
	if console_has 'lazy-kdump-capture: cannot reach the dump target: the dump device .* did not appear within'; then
		ok "host: the console says the dump device did not appear, and the time waited"
	else
		not_ok "host: the console says the dump device did not appear"
		diag "$(tr -d '\r' <"$out/console.log" | grep 'lazy-kdump-capture' | tail -n 5)"
	fi
	if console_has 'lazy-kdump-capture: final action: reboot'; then
		ok "host: the final action (reboot) ran after the failure"
	else
		not_ok "host: the final action (reboot) ran after the failure"
	fi
	exit 0
fi

n=$(printf '%s\n' "$dirs" | grep -c . || true)
if [ "$n" -ne 1 ]; then
	not_ok "host: one dump directory under /var/crash (found $n)"
	diag "$(dfs 'ls -l /var/crash')"
	exit 0
fi
dir=/var/crash/$dirs
if [[ $dirs =~ ^[A-Za-z0-9._-]+-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]; then
	ok "host: the dump directory is HOST-YYYY-mm-dd-HH:MM:SS ($dirs)"
else
	not_ok "host: the dump directory is HOST-YYYY-mm-dd-HH:MM:SS (got '$dirs')"
fi
host=$(sed -n 's/^# crash host name: //p' "$out/results.tap" 2>/dev/null | tr -d '\r' | tail -n 1)
[ -z "$host" ] || case $dirs in
"$host"-*) ok "host: named after the panicked guest's host name $host" ;;
*) not_ok "host: named after the panicked guest's host name $host (got $dirs)" ;;
esac
files=$(ls_names "$dir" | sort | tr '\n' ' ')
diag "$dir: $files"

for f in status lazy-kdump.log dmesg.txt vmcore; do
	rm -f "${out:?}/$f"
done
dfs "dump $dir/status $out/status" >/dev/null
dfs "dump $dir/lazy-kdump.log $out/lazy-kdump.log" >/dev/null
dfs "dump $dir/dmesg.txt $out/dmesg.txt" >/dev/null
result=$(sed -n 's/^result=//p' "$out/status" 2>/dev/null)

if [ -s "$out/dmesg.txt" ] && grep -qF "$panic_line" "$out/dmesg.txt"; then
	ok "host: dmesg.txt holds the panic line"
else
	not_ok "host: dmesg.txt holds the panic line '$panic_line'"
	diag "dmesg.txt: $(wc -c <"$out/dmesg.txt" 2>/dev/null || echo missing) bytes"
fi
if [ -s "$out/lazy-kdump.log" ]; then
	ok "host: lazy-kdump.log describes the capture"
else
	not_ok "host: lazy-kdump.log describes the capture"
fi

# The retention step (KEEP_DUMPS, MIN_FREE) ran in the crash kernel.
if grep -qx 'retention=applied' "$out/status" 2>/dev/null &&
	grep -q 'free-space guard: .* MiB available, MIN_FREE=' "$out/lazy-kdump.log"; then
	ok "host: status says retention=applied, the log has the free-space guard"
else
	not_ok "host: status says retention=applied, the log has the free-space guard"
	diag "$(grep '^retention=' "$out/status" 2>/dev/null || echo 'no retention= in the status')"
fi

if [ "$expect" = no-space ]; then
	if [ "$result" = no-space ]; then
		ok "host: status says result=no-space"
	else
		not_ok "host: status says result=no-space (got '${result:-no status}')"
		diag "$(cat "$out/status" 2>/dev/null)"
	fi
	if grep -q '^reason=the dump target is full.*free space' "$out/status" 2>/dev/null; then
		ok "host: status says the target is full and what to do"
	else
		not_ok "host: status says the target is full and what to do"
	fi
	case " $files " in
	*" vmcore "* | *" vmcore.incomplete "*) not_ok "host: no vmcore, partial or not, is left (files: $files)" ;;
	*) ok "host: no vmcore, partial or not, is left" ;;
	esac
	exit 0
fi

if [ "$result" = saved ]; then
	ok "host: status says result=saved"
else
	not_ok "host: status says result=saved (got '${result:-no status}')"
	diag "$(cat "$out/status" 2>/dev/null)" "$(tail -n 20 "$out/lazy-kdump.log" 2>/dev/null)"
fi
case " $files " in
*" vmcore.incomplete "*) not_ok "host: no vmcore.incomplete is left" ;;
*) ok "host: no vmcore.incomplete is left" ;;
esac
case " $files " in
*" vmcore "*) ok "host: vmcore is there ($(size_of "$dir/vmcore") bytes)" ;;
*)
	not_ok "host: vmcore is there"
	exit 0
	;;
esac
dfs "dump $dir/vmcore $out/vmcore" >/dev/null
if [ "$(stat -c %s "$out/vmcore" 2>/dev/null || echo 0)" = "$(size_of "$dir/vmcore")" ]; then
	ok "host: extracted the vmcore with debugfs ($out/vmcore)"
else
	not_ok "host: extracted the vmcore with debugfs"
	exit 0
fi
if [ -z "$mdf" ]; then
	not_ok "host: makedumpfile is installed (apt-get install makedumpfile)"
	exit 0
fi
rm -f "$out/vmcore-dmesg.txt"
if "$mdf" --dump-dmesg "$out/vmcore" "$out/vmcore-dmesg.txt" >"$out/makedumpfile.log" 2>&1 &&
	grep -qF "$panic_line" "$out/vmcore-dmesg.txt"; then
	ok "host: makedumpfile --dump-dmesg of the vmcore shows the panic line ($("$mdf" -v 2>&1 | head -n 1 | sed 's/ (.*//'))"
else
	not_ok "host: makedumpfile --dump-dmesg of the vmcore shows '$panic_line'"
	diag "$mdf: $(tail -n 5 "$out/makedumpfile.log")"
fi

# A pattern the guest put in a kernel allocation (kd_memory_pattern: a
# dentry's name, in slab) is in the dump: refiltered without compression
# (makedumpfile cannot write ELF from a compressed dump), then searched.
token=$(tr -d '\r' <"$out/results.tap" | sed -n 's/^# kernel-memory token: \([0-9a-f]*\)$/\1/p' | tail -n 1)
if [ -n "$token" ]; then
	rm -f "$out/vmcore.plain"
	if "$mdf" -d 31 "$out/vmcore" "$out/vmcore.plain" >>"$out/makedumpfile.log" 2>&1 &&
		grep -qaF "lkdpat-$token-endpat" "$out/vmcore.plain"; then
		ok "host: the vmcore holds the pattern the guest put in a kernel allocation (a dentry name in slab)"
	else
		not_ok "host: the vmcore holds the pattern the guest put in a kernel allocation (lkdpat-$token-endpat)"
		diag "$mdf: $(tail -n 3 "$out/makedumpfile.log")"
	fi
	rm -f "$out/vmcore.plain"
fi

# Timings (notes, never asserted): the crash kernel's clock and the
# panicked kernel's are both the RTC, in seconds.
panic_at=$(sed -n 's/^# panic at epoch \([0-9]*\)$/\1/p' "$out/results.tap" 2>/dev/null | tail -n 1)
finished=$(sed -n 's/^finished=//p' "$out/status" 2>/dev/null)
saved_ts=$(tr -d '\r' <"$out/console.log" | sed -n 's/^\[ *\([0-9.]*\)\] lazy-kdump-capture: saved .*vmcore .*/\1/p' | tail -n 1)
load_s=$(sed -n 's/^# load took \([0-9.]*\) s.*/\1/p' "$out/results.tap" 2>/dev/null | tail -n 1)
echo "# timing: load ${load_s:-?} s; panic to dump saved: $([ -n "$panic_at" ] && [ -n "$finished" ] && echo "$((finished - panic_at)) s (RTC)" || echo "?"), crash kernel uptime at 'saved' ${saved_ts:-?} s"
