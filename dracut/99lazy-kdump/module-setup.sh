#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dracut module "lazy-kdump": the capture initrd of lazy-kdump(8). It runs
# in the crash kernel that lazy-kdump loaded: a systemd initrd whose one job
# is lazy-kdump-capture.service (the capture script: mount the dump target,
# makedumpfile, dmesg.txt, then the final action).
#
# Built by @LIBEXECDIR@/mkinitrd, hostonly:
#   dracut --hostonly --hostonly-mode strict -m lazy-kdump --add-device DEV \
#          [--add "lvm mdraid crypt"] ...
# Never part of an ordinary boot initrd: check() returns 255 (only when
# asked for), and the capture unit's ConditionPathExists=/proc/vmcore makes
# it a no-op outside a crash kernel anyway.
#
# Environment (set by mkinitrd; computed here when dracut is run by hand):
#   LAZY_KDUMP_CONFIG        the configuration (@SYSCONFDIR@/lazy-kdump.conf),
#                            read through 'lazy-kdump config' and put in the
#                            initrd as /etc/lazy-kdump-capture.conf (the
#                            normalised copy of 'config --capture')
#   LAZY_KDUMP_DUMP_TARGET   DUMP_TARGET as the crash kernel must see it
#   LAZY_KDUMP_LUKS          the LUKS volumes under it, "NAME UUID SLOT" a
#                            line (lazy-kdump-lib.sh's lkd_target_luks)
#   LAZY_KDUMP_DEVICE_KIND   dm or md: the device the capture mounts must be
#                            a device-mapper device or an MD array
#                            (lkd_target_kind); written to
#                            /etc/lazy-kdump-device for the capture
#   LAZY_KDUMP_ROOT_KIND     the same for the root file system
#                            (FAILURE_ACTION=dump-local; root_kind=)
#   LAZY_KDUMP_STACK_CMDLINE rd.md.uuid= and rd.lvm.lv= of the arrays and
#                            volumes under it (lkd_target_cmdline)
#   LAZY_KDUMP_NET           for a dump server (ssh://, nfs://) or an iSCSI
#                            portal: how the crash kernel reaches it
#                            (lkd_net_record), written to
#                            /etc/lazy-kdump-net
#   LAZY_KDUMP_ISCSI         the iSCSI sessions under the dump target
#                            (lkd_target_iscsi), written to
#                            /etc/lazy-kdump-iscsi (mode 0600: CHAP)
#   LAZY_KDUMP               the lazy-kdump command (@SBINDIR@/lazy-kdump)
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
	local target final kind net iscsi

	# shellcheck source=lazy-kdump-lib.sh
	. "$moddir/lazy-kdump-lib.sh"

	inst_simple "$moddir/lazy-kdump-capture.sh" /usr/lib/lazy-kdump/lazy-kdump-capture.sh
	inst_simple "$moddir/lazy-kdump-prune.sh" /usr/lib/lazy-kdump/lazy-kdump-prune.sh
	inst_simple "$moddir/lazy-kdump-capture.service" \
		"$systemdsystemunitdir/lazy-kdump-capture.service"
	# What the capture script runs (reboot/poweroff/halt: systemctl's).
	inst_multiple makedumpfile mount umount df awk sed grep tr cut head dd \
		tail wc date sleep mkdir mv rm cp sync cat uname sort ls
	inst_multiple -o blkid findfs timeout modprobe prlimit reboot poweroff \
		halt stat readlink

	# The configuration as the capture reads it: lazy-kdump checks it and
	# writes the normalised copy (lazy-kdump config --capture), with
	# DUMP_TARGET as the crash kernel must see it (a dump target on another
	# file system than / gets its UUID). The shell scripts of the initrd
	# read only that copy; lazy-kdump.conf itself is not in the initrd.
	if ! lkd_conf_load "$conf"; then
		dfatal "lazy-kdump: $lkd_error"
		return 1
	fi
	# KDUMP_PRE and KDUMP_POST: each hook at its own path, with what
	# dracut-install resolves for it (an ELF's libraries, a script's
	# interpreter); anything else a hook runs must be added by the
	# administrator (dracut's install_items). A hook that is not there
	# fails the build: arming fails, not the capture after a panic.
	local hook hooks
	read -r -a hooks <<<"$(lkd_conf_get KDUMP_PRE) $(lkd_conf_get KDUMP_POST)"
	for hook in "${hooks[@]}"; do
		if [ ! -f "$hook" ] || [ ! -x "$hook" ]; then
			dfatal "lazy-kdump: the hook $hook (KDUMP_PRE or KDUMP_POST in $conf) is not an executable file"
			return 1
		fi
		if ! inst "$hook"; then
			dfatal "lazy-kdump: cannot install the hook $hook (KDUMP_PRE or KDUMP_POST in $conf) into the capture initrd"
			return 1
		fi
	done
	target=${LAZY_KDUMP_DUMP_TARGET:-}
	luks=${LAZY_KDUMP_LUKS:-}
	stack=${LAZY_KDUMP_STACK_CMDLINE:-}
	kind=${LAZY_KDUMP_DEVICE_KIND:-}
	net=${LAZY_KDUMP_NET:-}
	iscsi=${LAZY_KDUMP_ISCSI:-}
	if [ -z "$target" ]; then
		if lkd_resolve_target "$(lkd_conf_get DUMP_TARGET)"; then
			target=$lkd_target_spec
			luks=$lkd_target_luks
			stack=$lkd_target_cmdline
			kind=$lkd_target_kind
			net=$lkd_net_record
			iscsi=$lkd_target_iscsi
		else
			dfatal "lazy-kdump: $lkd_error"
			return 1
		fi
	fi
	# What dracut's mdraid and lvm modules assemble (they assemble nothing
	# unless told: rd.auto is off).
	if [ -n "$stack" ]; then
		mkdir -p "$initdir/etc/cmdline.d"
		printf '%s\n' "$stack" >"$initdir/etc/cmdline.d/90lazy-kdump-stack.conf"
	fi
	# A dump target on LUKS: the crash kernel opens each volume with
	# LUKS_KEY_FILE, copied here (mode 0600), from the key slot checked
	# when arming (key-slot=: no other slot's PBKDF runs), never asking
	# (headless=true: a key that stopped working fails the capture after
	# lazy_kdump.wait= instead of waiting at a prompt nobody sees). This
	# crypttab replaces the one dracut's crypt module copied: only the dump
	# target's volumes, opened only this way.
	if [ -n "$luks" ]; then
		local key name uuid slot
		key=$(lkd_conf_get LUKS_KEY_FILE)
		if ! inst_simple "$key" "$key"; then
			dfatal "lazy-kdump: cannot copy LUKS_KEY_FILE=$key into the capture initrd"
			return 1
		fi
		chmod 0600 "$initdir$key"
		mkdir -p "$initdir/etc"
		while read -r name uuid slot; do
			[ -n "$name" ] || continue
			printf '%s UUID=%s %s luks,key-slot=%s,headless=true\n' "$name" "$uuid" "$key" "$slot"
		done <<<"$luks" >"$initdir/etc/crypttab"
	fi
	# What the device the capture mounts must be: a device-mapper device
	# (multipath, LVM, LUKS) or an MD array, never a path or a member that
	# shows the same file system (lazy-kdump-capture.sh waits for it).
	# root_kind: the same for the root file system, where
	# FAILURE_ACTION=dump-local falls back (LAZY_KDUMP_ROOT_KIND).
	{
		case $kind in dm | md) printf 'kind=%s\n' "$kind" ;; esac
		case ${LAZY_KDUMP_ROOT_KIND:-} in dm | md) printf 'root_kind=%s\n' "$LAZY_KDUMP_ROOT_KIND" ;; esac
	} >"$initdir/etc/lazy-kdump-device"
	[ -s "$initdir/etc/lazy-kdump-device" ] || rm -f "$initdir/etc/lazy-kdump-device"
	# A dump target on multipath: Debian's multipath-tools keeps its path
	# checkers and prioritizers (dlopen()ed plugins) in /lib/multipath,
	# outside dracut's multiarch library directories, so dracut's
	# multipath module (059) leaves them out; multipathd then fails in the
	# initrd, no map is made and the capture would mount one of the paths.
	# Its udev rules have other names there too (56-dm-mpath.rules,
	# 60-multipath.rules): without them the paths are not marked as
	# multipath members and nothing waits for the map.
	if dracut_module_included multipath; then
		local mpdir
		for mpdir in /lib/multipath /usr/lib/multipath /lib64/multipath /usr/lib64/multipath; do
			[ ! -d "$mpdir" ] || inst_multiple -o "$mpdir"/*.so
		done
		inst_rules 56-dm-mpath.rules 60-multipath.rules 60-kpartx.rules 68-del-part-nodes.rules 95-kpartx.rules
		# multipathd mlockall()s itself (MCL_FUTURE: every thread stack
		# and malloc arena it maps is populated and pinned): in the crash
		# kernel's few MiB that got the capture OOM-killed (bookworm,
		# multipath-tools 0.9.4). Without CAP_IPC_LOCK the call fails,
		# which multipathd ignores, and its memory stays reclaimable.
		mkdir -p "$initdir/$systemdsystemunitdir/multipathd.service.d"
		printf '[Service]\nCapabilityBoundingSet=~CAP_IPC_LOCK\nLimitMEMLOCK=0\n' \
			>"$initdir/$systemdsystemunitdir/multipathd.service.d/90-lazy-kdump.conf"
	fi
	# A dump server: the network card's driver, ip, and what reaches the
	# server (/etc/lazy-kdump-net, the capture's net_up); busybox's
	# udhcpc when the running system got the address by DHCP; for ssh
	# the client, SSH_KEY and the server's known host key; for NFS
	# mount.nfs and the NFS client modules. Nothing else of the network
	# (hostonly: no other interface, no DNS).
	# An iSCSI disk under the dump target: the same network, and
	# iscsistart with the sessions (/etc/lazy-kdump-iscsi: the capture's
	# iscsi_up logs in to each), the iSCSI initiator modules.
	local netneed=''
	case $target in ssh://* | nfs://*) netneed=1 ;; esac
	if [ -n "$iscsi" ]; then
		netneed=1
		inst_multiple iscsistart
		hostonly='' instmods iscsi_tcp sd_mod
		mkdir -p "$initdir/etc"
		(umask 077 && printf '%s\n' "$iscsi" >"$initdir/etc/lazy-kdump-iscsi")
		chmod 0600 "$initdir/etc/lazy-kdump-iscsi"
	fi
	if [ -n "$netneed" ]; then
		local drv method
		if [ -z "$net" ]; then
			dfatal "lazy-kdump: DUMP_TARGET=$target: nothing says how to reach the server or the iSCSI portal (LAZY_KDUMP_NET): build the capture initrd with lazy-kdump's mkinitrd"
			return 1
		fi
		mkdir -p "$initdir/etc"
		printf '%s\n' "$net" >"$initdir/etc/lazy-kdump-net"
		drv=$(sed -n 's/^driver=//p' <<<"$net")
		method=$(sed -n 's/^method=//p' <<<"$net")
		[ -z "$drv" ] || hostonly='' instmods "$drv"
		inst_multiple ip
		if [ "$method" = dhcp ]; then
			inst_multiple busybox
			inst_simple "$moddir/lazy-kdump-udhcpc.sh" /usr/lib/lazy-kdump/lazy-kdump-udhcpc.sh
		fi
	fi
	case $target in
	ssh://*)
		local key kh=/etc/lazy-kdump/ssh/known_hosts
		key=$(lkd_conf_get SSH_KEY)
		inst_multiple ssh
		if ! inst_simple "$key" "$key" || ! inst_simple "$kh" "$kh"; then
			dfatal "lazy-kdump: cannot copy SSH_KEY=$key and $kh into the capture initrd (lazy-kdump propagate makes them)"
			return 1
		fi
		chmod 0600 "$initdir$key"
		;;
	nfs://*)
		inst_multiple mount.nfs
		# NFSv3's portmapper queries need the protocol, service and RPC
		# program names (netbase) besides libtirpc's /etc/netconfig.
		inst_multiple -o /etc/netconfig /etc/protocols /etc/services /etc/rpc
		hostonly='' instmods nfs nfsv3 nfsv4 sunrpc
		;;
	esac
	mkdir -p "$initdir/etc"
	if ! lkd_config "$conf" --capture --dump-target "$target"; then
		dfatal "lazy-kdump: $lkd_error"
		return 1
	fi
	printf '%s\n' "$lkd_out" >"$initdir/etc/lazy-kdump-capture.conf"

	# A failure of the initrd must not leave the machine in an emergency
	# shell, nor cut a running capture short: lazy-kdump-emergency.sh
	# waits for the capture, then reboots (unless FINAL_ACTION=shell).
	# (emergency.target can come in the middle of a long dump: a unit an
	# initrd target needs fails.)
	final=$(lkd_conf_get FINAL_ACTION)
	if [ "$final" != shell ]; then
		local unit
		inst_simple "$moddir/lazy-kdump-emergency.sh" /usr/lib/lazy-kdump/lazy-kdump-emergency.sh
		mkdir -p "$initdir/etc/cmdline.d"
		echo "rd.emergency=reboot" >"$initdir/etc/cmdline.d/90lazy-kdump.conf"
		for unit in emergency.service dracut-emergency.service; do
			mkdir -p "$initdir/$systemdsystemunitdir/$unit.d"
			printf '[Service]\nExecStart=\nExecStart=-/usr/lib/lazy-kdump/lazy-kdump-emergency.sh\nTimeoutStartSec=infinity\n' \
				>"$initdir/$systemdsystemunitdir/$unit.d/90-lazy-kdump.conf"
		done
	fi

	$SYSTEMCTL -q --root "$initdir" enable lazy-kdump-capture.service
}
