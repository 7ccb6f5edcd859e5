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

# t_kdump.sh reloaded with this word on the crash command line (unless
# KDUMP_NORESIZE=1, which reaches this kernel's command line too).
if [ "${KDUMP_NORESIZE:-0}" != 1 ]; then
	case $(cat /proc/cmdline) in
	*lazy_kdump.reloaded=1*) ok "the crash kernel runs with the reloaded command line" ;;
	*) not_ok "the crash kernel runs with the reloaded command line" ;;
	esac
fi
kd_capture
exit 1
