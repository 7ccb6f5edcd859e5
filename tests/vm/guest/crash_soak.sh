#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_soak.sh: run the capture script as the capture initrd
# would; its final action (reboot) ends QEMU (-no-reboot).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_capture
exit 1
