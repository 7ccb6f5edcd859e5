#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The dump target is missing: the capture initrd (the crash initrd plus an
# appended archive with its own /etc/lazy-kdump.conf) names a device that
# does not exist. The capture must give up after lazy_kdump.wait seconds,
# say so and reboot; host/check_kdump_notarget.sh checks.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="

check "build a capture initrd with DUMP_TARGET=LABEL=nosuchdisk:/var/crash" \
	kd_capture_initrd /tmp/capture-notarget.img "DUMP_TARGET=LABEL=nosuchdisk:/var/crash
FINAL_ACTION=reboot" || exit 1
kd_run lazy-kdump load --initrd /tmp/capture-notarget.img --append "lazy_kdump.wait=3"
is "$KD_RC" 0 "load with that initrd exits 0" || { diag "$KD_OUT"; exit 1; }
kd_is_armed "armed" || exit 1
crash_now
