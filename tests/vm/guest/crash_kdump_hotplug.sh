#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_hotplug.sh: the panicked kernel's memory as the
# dump describes it (/proc/vmcore's PT_LOAD headers) covers the DIMM
# hot-added after arming; then capture as crash_kdump.sh does.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

mkdir -p /mnt/d
if mount -o ro /dev/vda /mnt/d && read -r lo hi </mnt/d/hotplug-range; then
	umount /mnt/d
	covered=0
	elfcore_ranges >/tmp/ranges || not_ok "elfcore_ranges /proc/vmcore"
	while read -r s e; do
		if [ "$((s))" -le "$lo" ] && [ "$((e))" -ge "$hi" ]; then
			covered=1
		fi
	done </tmp/ranges
	diag "/proc/vmcore PT_LOAD ranges: $(tr '\n' ' ' </tmp/ranges)"
	is "$covered" 1 "the dump's ELF header covers the DIMM hot-added after arming ($(printf '%#x-%#x' "$lo" "$hi"))"
else
	not_ok "read the DIMM's range from the dump disk"
fi
kd_capture
exit 1
