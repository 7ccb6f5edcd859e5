#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# FAILURE_ACTION=dump-local: DUMP_TARGET names a device that never appears
# (LABEL=lazy-nosuch:/crash); the capture waits lazy_kdump.wait=3 s, then
# saves the dump on the root file system instead (root=/dev/vda, as a crash
# kernel inherits it), in /var/crash. crash_kdump_fallback.sh runs the
# capture; host/check_kdump_fallback.sh reads the disk.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk

check "build a capture initrd with an unreachable DUMP_TARGET and FAILURE_ACTION=dump-local" \
	kd_capture_initrd /tmp/capture-fb.img "DUMP_TARGET=LABEL=lazy-nosuch:/crash
FAILURE_ACTION=dump-local" || exit 1
kd_run lazy-kdump load --initrd /tmp/capture-fb.img --append "root=/dev/vda rootfstype=ext4 lazy_kdump.wait=3"
is "$KD_RC" 0 "load with that initrd and root=/dev/vda exits 0" || { diag "$KD_OUT"; exit 1; }
kd_is_armed "armed" || exit 1
crash_now
