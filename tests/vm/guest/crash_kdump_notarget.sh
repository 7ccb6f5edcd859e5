#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash phase of t_kdump_notarget.sh: the capture initrd's config names a
# dump device that does not exist; the capture script must give up after
# lazy_kdump.wait seconds and still reboot. host/check_kdump_notarget.sh
# reads the console and the (untouched) disk.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

check "the capture settings appended to the capture initrd override the built-in ones" \
	grep -q '^DUMP_TARGET=LABEL=nosuchdisk:' /etc/lazy-kdump-capture.conf
kd_capture
exit 1
