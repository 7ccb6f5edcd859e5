#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_short.sh: a crash kernel in a region below what it
# needs. If it gets this far, the capture runs as the capture initrd would
# run it; what it writes (or not) is for the next boot to report.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

diag "short-crash: MemTotal $(meminfo MemTotal) kB, MemFree $(meminfo MemFree) kB"
kd_capture
exit 1
