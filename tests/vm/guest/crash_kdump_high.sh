#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_high.sh: a crash kernel running from a region above
# 4 GiB (its low companion below) captures onto /dev/vda; the capture
# script's final action ends the guest, host/check_kdump.sh reads the dump.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_capture
exit 1
