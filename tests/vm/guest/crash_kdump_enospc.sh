#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_enospc.sh: the dump target is almost full; run the
# capture script. host/check_kdump_enospc.sh checks that dmesg.txt stayed,
# the partial vmcore went and the status says why.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

check "the appended capture settings have DUMP_TARGET=/var/crash (the device is root=)" \
	grep -qx 'DUMP_TARGET=/var/crash' /etc/lazy-kdump-capture.conf
kd_capture
exit 1
