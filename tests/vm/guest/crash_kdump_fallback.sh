#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_fallback.sh: the target never appears; the capture
# falls back to /var/crash on root=/dev/vda (host/check_kdump_fallback.sh).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

check "the capture settings have FAILURE_ACTION=dump-local" \
	grep -qx 'FAILURE_ACTION=dump-local' /etc/lazy-kdump-capture.conf
kd_capture
exit 1
