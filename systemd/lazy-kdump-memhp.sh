#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memhp - re-arm kdump when memory comes or goes, on kernels that do not
# update a loaded crash kernel themselves. The crash kernel's ELF core
# header lists the memory of the moment it was loaded: memory onlined later
# would be missing from a dump, memory offlined later would be read from
# where nothing is. Kernels with CONFIG_CRASH_HOTPLUG (Debian's 6.12 and
# 7.x) rebuild the header on every memory and CPU hotplug event and say so
# in /sys/devices/system/memory/crash_hotplug (1); on the others (Debian's
# 6.1) lazy-kdump reloads the crash kernel, which builds a new header.
# Nothing happens when lazy-kdump did not arm kdump.
#
# Run by udev (98-lazy-kdump.rules) for every memory block that goes online
# or offline. With systemd, it queues a reload of lazy-kdump.service
# (systemd merges the reload jobs of a burst of blocks into one) and
# returns at once; without, it runs `lazy-kdump reload` itself.
#
# Usage: @LIBEXECDIR@/memhp
# Environment: LAZY_KDUMP_STATE_DIR (as lazy-kdump), LAZY_KDUMP_SYSFS
# (default /sys), LAZY_KDUMP (the lazy-kdump command, default
# @SBINDIR@/lazy-kdump), LAZY_KDUMP_SYSTEMD_RUNDIR (/run/systemd/system:
# systemd runs); ACTION and DEVPATH from udev, for the log.
set -eu

prog=lazy-kdump-memhp
sys=${LAZY_KDUMP_SYSFS:-/sys}
state=${LAZY_KDUMP_STATE_DIR:-/run/lazy-kdump}/state
unit=lazy-kdump.service

say() { printf '%s: %s\n' "$prog" "$*" >&2; }

hp=$sys/devices/system/memory/crash_hotplug
if [ -r "$hp" ] && [ "$(cat "$hp")" = 1 ]; then
	exit 0
fi
[ "$(cat "$sys/kernel/kexec_crash_loaded" 2>/dev/null)" = 1 ] || exit 0
[ -r "$state" ] || exit 0
what="memory ${ACTION:-change}${DEVPATH:+ (${DEVPATH##*/})}"
if [ -d "${LAZY_KDUMP_SYSTEMD_RUNDIR:-/run/systemd/system}" ]; then
	st=$(systemctl show -P ActiveState "$unit" 2>/dev/null) || st=''
	[ "$st" = active ] || exit 0
	say "$what and this kernel does not update the loaded crash kernel: re-arming ($unit reload)"
	exec systemctl --no-block reload "$unit"
fi
say "$what and this kernel does not update the loaded crash kernel: re-arming (lazy-kdump reload)"
exec "${LAZY_KDUMP:-@SBINDIR@/lazy-kdump}" reload
