#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dracut module "lazy-kdump": the capture initrd of lazy-kdump(8). It runs
# in the crash kernel that lazy-kdump loaded: a systemd initrd whose one job
# is lazy-kdump-capture.service (the capture script: mount the dump target,
# makedumpfile, dmesg.txt, then the final action).
#
# Built by @LIBEXECDIR@/mkinitrd, hostonly:
#   dracut --hostonly --hostonly-mode strict -m lazy-kdump --add-device DEV ...
# Never part of an ordinary boot initrd: check() returns 255 (only when
# asked for), and the capture unit's ConditionPathExists=/proc/vmcore makes
# it a no-op outside a crash kernel anyway.
#
# Environment (set by mkinitrd; computed here when dracut is run by hand):
#   LAZY_KDUMP_CONFIG        the configuration (@SYSCONFDIR@/lazy-kdump.conf)
#   LAZY_KDUMP_DUMP_TARGET   DUMP_TARGET as the crash kernel must see it
#
# dracut provides moddir, initdir, systemdsystemunitdir, SYSTEMCTL and the
# inst_* functions; lazy-kdump-lib.sh sets lkd_*.
# shellcheck disable=SC2154
# shellcheck source-path=SCRIPTDIR

# called by dracut
check() {
	require_binaries makedumpfile || return 1
	return 255
}

# called by dracut
depends() {
	# systemd-initrd: initrd.target, udev, journald; kernel-modules: the
	# hostonly drivers of the root and dump devices; udev-rules: the
	# /dev/disk/by-* names the dump target may use.
	echo systemd-initrd kernel-modules udev-rules base
	return 0
}

# called by dracut
install() {
	local conf=${LAZY_KDUMP_CONFIG:-@SYSCONFDIR@/lazy-kdump.conf}
	local target final

	# shellcheck source=lazy-kdump-lib.sh
	. "$moddir/lazy-kdump-lib.sh"

	inst_simple "$moddir/lazy-kdump-capture.sh" /usr/lib/lazy-kdump/lazy-kdump-capture.sh
	inst_simple "$moddir/lazy-kdump-prune.sh" /usr/lib/lazy-kdump/lazy-kdump-prune.sh
	inst_simple "$moddir/lazy-kdump-capture.service" \
		"$systemdsystemunitdir/lazy-kdump-capture.service"
	# What the capture script runs (reboot/poweroff/halt: systemctl's).
	inst_multiple makedumpfile mount umount df awk sed grep tr cut head \
		tail wc date sleep mkdir mv rm cp sync cat uname sort ls
	inst_multiple -o blkid findfs timeout modprobe prlimit reboot poweroff \
		halt stat

	# The configuration, with DUMP_TARGET as the crash kernel must see it:
	# a dump target on another file system than / gets its UUID.
	target=${LAZY_KDUMP_DUMP_TARGET:-}
	if [ -z "$target" ]; then
		target=$(lkd_conf_get "$conf" DUMP_TARGET)
		if lkd_resolve_target "${target:-/var/crash}"; then
			target=$lkd_target_spec
		else
			dfatal "lazy-kdump: $lkd_error"
			return 1
		fi
	fi
	mkdir -p "$initdir/etc"
	{
		printf '# %s as lazy-kdump mkinitrd found it, for the capture.\n' "$conf"
		if [ -r "$conf" ]; then
			grep -v '^[[:space:]]*DUMP_TARGET[[:space:]]*=' "$conf"
		fi
		printf 'DUMP_TARGET=%s\n' "$target"
	} >"$initdir/etc/lazy-kdump.conf"

	# A failure before the capture runs must not leave the machine in an
	# emergency shell: reboot instead (unless FINAL_ACTION=shell).
	final=$(lkd_conf_get "$conf" FINAL_ACTION)
	if [ "$final" != shell ]; then
		mkdir -p "$initdir/etc/cmdline.d"
		echo "rd.emergency=reboot" >"$initdir/etc/cmdline.d/90lazy-kdump.conf"
		mkdir -p "$initdir/$systemdsystemunitdir/emergency.service.d"
		printf '[Service]\nExecStart=\nExecStart=-/usr/bin/systemctl --force reboot\n' \
			>"$initdir/$systemdsystemunitdir/emergency.service.d/90-lazy-kdump.conf"
	fi

	$SYSTEMCTL -q --root "$initdir" enable lazy-kdump-capture.service
}
