#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# One cycle of the soak (tests/soak/vm.sh) on a guest booted without
# crashkernel=: lazy-kdump load with the auto size, armed, the memory after
# arming, panic; crash_soak.sh runs the capture script onto /dev/vda (the
# soak's disk, kept from one cycle to the next) and reboots, which ends
# QEMU; the host checks the dump and boots the next cycle on the same disk.
# SOAK_NOPANIC=1 (kernel command line): the boot after the last capture,
# armed again, no panic.
# Not in tests/vm/groups: make soak runs it, make check does not.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

KD_DISK_HINT="tests/soak/vm.sh gives the guest its disk" kd_require_disk

hostname lazy-soak
diag "crash host name: $(hostname)"
kd_run lazy-kdump status
is "$KD_RC" 3 "not armed before lazy-kdump load (status exits 3)"
t0=$(cut -d' ' -f1 /proc/uptime)
kd_run lazy-kdump load --append "lazy_kdump.host=$(hostname)"
t1=$(cut -d' ' -f1 /proc/uptime)
if [ "$KD_RC" -eq 0 ]; then
	ok "lazy-kdump load (auto size) exits 0"
else
	not_ok "lazy-kdump load (auto size) exits 0"
	diag "exit status $KD_RC" "$KD_OUT"
	exit 1
fi
kd_is_armed "armed: status, kexec_crash_loaded 1, the region in iomem and kexec_crash_size" || exit 1
info="up_armed_s=$t1 load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
info="$info crash_size=$(cat /sys/kernel/kexec_crash_size) region_len=$(kd_status_json region_len)"
info="$info mem_total_kb=$(meminfo MemTotal) mem_avail_kb=$(meminfo MemAvailable) mem_free_kb=$(meminfo MemFree)"
diag "soak-info: $info"
[ "${SOAK_NOPANIC:-0}" != 1 ] || exit 0
diag "panic at epoch $(date +%s)"
kd_mark "panic"
crash_now
