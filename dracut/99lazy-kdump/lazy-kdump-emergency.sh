#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In lazy-kdump's capture initrd: what emergency.service (and
# dracut-emergency.service) run instead of a shell (module-setup.sh's
# drop-ins; FINAL_ACTION=shell keeps the shell).
#
# The initrd's own boot can fail into emergency.target while the capture
# runs (a unit an initrd target needs fails; the root= of the crash
# command line that never appears, when root is on a stack the capture
# initrd does not assemble, times out after 90 s, though systemd 257 did
# not go into emergency mode for that). Rebooting then would cut the dump
# short. So: wait while lazy-kdump-capture.service is still running (it
# ends with the final action itself), and reboot only when it is not
# running (it never started, or it ended without its final action).
unit=lazy-kdump-capture.service

state() {
	systemctl show -P ActiveState "$unit" 2>/dev/null
}
running() {
	[ "$1" = activating ] || [ "$1" = deactivating ]
}

s=$(state)
if running "$s"; then
	echo "lazy-kdump: the capture initrd failed to reach one of its targets (emergency mode) while the capture runs; waiting for the capture, which ends with its final action"
	while running "$s"; do
		sleep 2
		s=$(state)
	done
	echo "lazy-kdump: the capture ended (${s:-state unknown}) without its final action; rebooting"
else
	echo "lazy-kdump: the capture initrd failed before the capture ran (lazy-kdump-capture.service: ${s:-state unknown}); rebooting"
fi
exec systemctl --force reboot
