#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The crash half of `make demo`: the crash kernel lazy-kdump loaded is up;
# narrate, then run the capture script (it reboots, which ends QEMU).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

echo "# demo: the crash kernel booted from the reserved memory ($(meminfo MemTotal) kB usable) after the panic; /proc/vmcore is the dead kernel's memory"
echo "# demo: capturing: makedumpfile -l -d 31 /proc/vmcore to /var/crash on the guest's disk, then reboot"
kd_capture
exit 1
