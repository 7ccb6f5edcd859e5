#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_raw.sh: the capture writes onto /dev/vda itself
# (DUMP_TARGET=raw:/dev/vda); host/check_kdump_raw.sh reads it.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

check "the capture settings have DUMP_TARGET=raw:/dev/vda" \
	grep -qx 'DUMP_TARGET=raw:/dev/vda' /etc/lazy-kdump-capture.conf
kd_capture
exit 1
