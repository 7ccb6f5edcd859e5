#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump.sh: this is the crash kernel lazy-kdump loaded; run
# the capture script as a capture initrd would. Its final action (reboot)
# ends QEMU (-no-reboot); host/check_kdump.sh reads what it wrote.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_capture
exit 1
