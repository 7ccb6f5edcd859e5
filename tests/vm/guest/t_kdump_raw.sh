#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# DUMP_TARGET=raw:/dev/vda: the disk without a file system takes the dump
# itself. Its first MiB is zeroed (no ext4 signature left), a capture
# initrd is built with that target, armed, panicked; crash_kdump_raw.sh runs
# the capture; host/check_kdump_raw.sh reads the header, and the real
# raw-save (as lazy-kdump.service runs it at the next boot) turns the disk
# into RAW_SAVE_DIR/HOST-DATE/vmcore, which makedumpfile reads.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk

check "zero the first MiB of /dev/vda (no file system signature left)" \
	dd if=/dev/zero of=/dev/vda bs=1M count=1 conv=notrunc,fsync || exit 1
check "build a capture initrd with DUMP_TARGET=raw:/dev/vda" \
	kd_capture_initrd /tmp/capture-raw.img "DUMP_TARGET=raw:/dev/vda" || exit 1
diag "crash host name: $(uname -n)"
kd_run lazy-kdump load --initrd /tmp/capture-raw.img
is "$KD_RC" 0 "load with the raw-target initrd exits 0" || { diag "$KD_OUT"; exit 1; }
kd_is_armed "armed" || exit 1
crash_now
