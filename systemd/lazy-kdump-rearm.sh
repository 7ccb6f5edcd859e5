#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rearm - reload lazy-kdump.service when what it armed with changed: the
# configuration, the crash kernel or the capture initrd is newer than the
# arming, or the initrd is stale (mkinitrd --check). Nothing happens when
# the service is not active, or while it is starting or reloading (that
# run picks the change up). Run by lazy-kdump-rearm.service (path unit)
# and the kernel hooks.
#
# Usage: @LIBEXECDIR@/rearm
# Environment: LAZY_KDUMP_CONFIG, LAZY_KDUMP_STATE_DIR (as lazy-kdump);
# LAZY_KDUMP_SYSTEMD_RUNDIR (/run/systemd/system: systemd runs; tests).
set -euo pipefail

prog=lazy-kdump-rearm
conf=${LAZY_KDUMP_CONFIG:-@SYSCONFDIR@/lazy-kdump.conf}
state=${LAZY_KDUMP_STATE_DIR:-/run/lazy-kdump}/state
unit=lazy-kdump.service

say() { printf '%s: %s\n' "$prog" "$*" >&2; }

[ -d "${LAZY_KDUMP_SYSTEMD_RUNDIR:-/run/systemd/system}" ] || exit 0
st=$(systemctl show -P ActiveState "$unit" 2>/dev/null) || st=''
[ "$st" = active ] || exit 0
[ -r "$state" ] || exit 0

# state_value KEY: a key=value of lazy-kdump's state file.
state_value() { sed -n "s/^$1=//p" "$state" | head -n 1; }

armed_at=$(state_value armed_at)
[ -n "$armed_at" ] || armed_at=0
reason=''
for f in "$conf" "$(state_value kernel)" "$(state_value initrd)"; do
	[ -e "$f" ] || continue
	read -r m c < <(stat -L -c '%Y %Z' "$f")
	# armed_at is when the arming began, before it read anything, in whole
	# seconds: a change in that same second may have come after the read,
	# so it counts (one reload too many is cheap; a missed one is not).
	if [ "$m" -ge "$armed_at" ] || [ "$c" -ge "$armed_at" ]; then
		reason="$f changed after kdump was armed"
		break
	fi
done
if [ -z "$reason" ] && ! @LIBEXECDIR@/mkinitrd --check 2>/dev/null; then
	reason="the capture initrd is stale"
fi
[ -n "$reason" ] || exit 0
say "$reason: re-arming ($unit reload)"
exec systemctl reload "$unit"
