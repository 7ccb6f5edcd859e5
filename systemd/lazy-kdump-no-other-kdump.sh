#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# no-other-kdump - lazy-kdump.service's ExecCondition: exit 1 (the service
# is skipped, not failed) when another kdump service is active, or enabled
# and about to arm at boot; 0 otherwise.
#   kdump-tools.service   Debian's kdump-tools (counts unless USE_KDUMP=0
#                         in /etc/default/kdump-tools)
#   kdump.service         kdump-utils (Fedora, RHEL, also in Debian)
# Two services would load their own crash kernels into one region: the
# last one wins silently. To use lazy-kdump, disable the other service.
#
# Usage: @LIBEXECDIR@/no-other-kdump
set -euo pipefail

prog=lazy-kdump
# The unit files, for tests: LAZY_KDUMP_OTHER_UNITS="a.service b.service".
units=${LAZY_KDUMP_OTHER_UNITS:-kdump-tools.service kdump.service}
kdump_tools_default=${LAZY_KDUMP_TOOLS_DEFAULT:-/etc/default/kdump-tools}

for u in $units; do
	state=$(systemctl show -P ActiveState "$u" 2>/dev/null) || state=''
	enabled=$(systemctl is-enabled "$u" 2>/dev/null) || true
	case $state in
	active | activating | reloading) ;;
	*)
		[ "$enabled" = enabled ] || continue
		if [ "$u" = kdump-tools.service ] && [ -r "$kdump_tools_default" ] &&
			grep -Eq '^[[:space:]]*USE_KDUMP=["'"'"']?0' "$kdump_tools_default"; then
			continue
		fi
		state="enabled"
		;;
	esac
	echo "$prog: $u is $state: not arming, two kdump services would replace each other's crash kernel. To use lazy-kdump: systemctl disable --now $u; then systemctl restart lazy-kdump." >&2
	exit 1
done
exit 0
