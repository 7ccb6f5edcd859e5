#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Memory hot-added after arming is in the dump. Arm with lazy-kdump,
# hot-add a 512 MiB DIMM (onlined movable), run the udev handler for each
# new block as udev would (this guest has no udev): where the kernel does
# not update the loaded crash kernel itself (6.1; 6.12 and 7.x do and say
# so in /sys/devices/system/memory/crash_hotplug) it re-arms. Then panic:
# crash_kdump_hotplug.sh checks that /proc/vmcore's ELF header covers the
# DIMM and captures; host/check_kdump.sh reads the dump.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk
command -v lazy-kdump-memhp.sh >/dev/null || {
	not_ok "the udev handler (systemd/lazy-kdump-memhp.sh) is in the guest"
	exit 1
}
hp=/sys/devices/system/memory/crash_hotplug
diag "crash_hotplug: $(cat "$hp" 2>/dev/null || echo absent)"
# shellcheck disable=SC2086 # an option and its value
kd_run lazy-kdump load ${KDUMP_SIZE:+--size $KDUMP_SIZE}
is "$KD_RC" 0 "lazy-kdump load exits 0" || exit 1
kd_is_armed "armed before the hot-plug" || exit 1

hotplug_dimm 512M || exit 1
bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
lo='' hi=''
for b in $HOTPLUG_BLOCKS; do
	n=${b#memory}
	s=$((n * bs)) e=$(((n + 1) * bs))
	if [ -z "$lo" ] || [ "$s" -lt "$lo" ]; then lo=$s; fi
	if [ -z "$hi" ] || [ "$e" -gt "$hi" ]; then hi=$e; fi
done
diag "the DIMM: $(printf '%#x-%#x' "$lo" "$hi") (blocks $HOTPLUG_BLOCKS)"
for b in $HOTPLUG_BLOCKS; do
	ACTION=online DEVPATH=/devices/system/memory/$b LAZY_KDUMP=lazy-kdump \
		lazy-kdump-memhp.sh >/dev/null 2>>/tmp/memhp.log || not_ok "memhp for $b exited $?"
done
if [ "$(cat "$hp" 2>/dev/null)" = 1 ]; then
	is "$(cat /tmp/memhp.log)" "" "the kernel updates the crash kernel itself: the handler did nothing"
else
	case $(cat /tmp/memhp.log) in
	*"memory online"*"re-arming (lazy-kdump reload)"*) ok "the kernel does not update the crash kernel: the handler re-armed" ;;
	*) not_ok "the kernel does not update the crash kernel: the handler re-armed ($(cat /tmp/memhp.log))" ;;
	esac
fi
kd_is_armed "armed after the hot-plug" || exit 1

# The range for the crash kernel's half, on the dump disk.
mkdir -p /mnt/d
check "mount the dump disk" mount /dev/vda /mnt/d || exit 1
echo "$lo $hi" >/mnt/d/hotplug-range
umount /mnt/d
crash_now
