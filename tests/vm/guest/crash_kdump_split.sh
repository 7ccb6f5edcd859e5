#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_split.sh: a crash kernel whose working memory is
# the second range (crashk_low_res) captures onto /dev/vda; the capture
# script's final action ends the guest, host/check_kdump.sh reads the dump.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_capture
exit 1
