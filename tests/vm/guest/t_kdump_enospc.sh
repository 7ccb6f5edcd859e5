#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The dump target fills up: leave about 1 MiB free on /dev/vda (room for
# dmesg.txt, not for the vmcore), arm and panic. crash_kdump_enospc.sh runs
# the capture; host/check_kdump_enospc.sh checks the outcome. The target is
# given the other way here: DUMP_TARGET=/var/crash (no device) in a config
# appended to the capture initrd, and root=/dev/vda on the crash command
# line, as a crash kernel inherits the root= of the machine.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk

check "mount /dev/vda" mount -t ext4 /dev/vda /mnt || exit 1
mkdir -p /mnt/var/crash
dd if=/dev/zero of=/mnt/fill bs=1M 2>/dev/null
sync
size=$(stat -c %s /mnt/fill)
truncate -s $((size - (1 << 20))) /mnt/fill
sync
avail=$(df -Pk /mnt | awk 'NR == 2 { print $4 }')
cmp_ok "$avail" -lt 2048 "less than 2 MiB left on the target ($avail kB)"
check "unmount /dev/vda" umount /mnt || exit 1

check "build a capture initrd with DUMP_TARGET=/var/crash" \
	kd_capture_initrd /tmp/capture-root.img "DUMP_TARGET=/var/crash" || exit 1
kd_run lazy-kdump load --initrd /tmp/capture-root.img --append "root=/dev/vda rootfstype=ext4"
is "$KD_RC" 0 "load with that initrd and root=/dev/vda exits 0" || { diag "$KD_OUT"; exit 1; }
kd_is_armed "armed" || exit 1
crash_now
