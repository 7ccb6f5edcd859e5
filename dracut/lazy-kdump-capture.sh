#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lazy-kdump-capture.sh - save the panicked kernel's memory, then reboot.
#
# Runs in the crash kernel's initrd, after the panic: lazy-kdump loaded that
# kernel and this initrd into the memory it reserved, and the panic started
# them. Plain POSIX sh: busybox sh in small initrds, bash under dracut.
#
#   1. mount the dump target (waiting for its device, with a time limit)
#   2. retention: old dumps beyond KEEP_DUMPS go, more while less than
#      MIN_FREE is free, and no file may grow into MIN_FREE
#      (lazy-kdump-prune.sh, next to this script or in /usr/lib/lazy-kdump)
#   3. create DIR = PATH/<host>-<YYYY-mm-dd-HH:MM:SS>/ on it
#   4. DIR/dmesg.txt      makedumpfile --dump-dmesg /proc/vmcore (first: it
#                         is small and is kept whatever happens next)
#   5. DIR/vmcore         $CORE_COLLECTOR /proc/vmcore DIR/vmcore.incomplete,
#                         renamed to vmcore only when the collector succeeded
#   6. DIR/lazy-kdump.log what happened, in words (with the collector's
#                         output when it failed), and DIR/status (key=value,
#                         for programs: see write_status)
#   7. KDUMP_POST hooks (KDUMP_PRE ones ran after step 3), then the final
#      action: reboot (default), poweroff, halt or shell
# Nothing waits without a time limit: a missing device, a failing mount or a
# failing collector are reported and the final action still runs.
#
# Failures:
#   no dump target     the message on the console (and in the kernel log);
#                      the status goes to PATH or the target's root when
#                      they are writable, and always to /run/lazy-kdump
#   ENOSPC             dmesg.txt stays; the partial vmcore.incomplete is
#                      removed (it cannot be read and it holds the space
#                      the log needs); status result=no-space
#   MIN_FREE reached   the same (the collector gets EFBIG from the file
#                      size limit the retention step set)
#   collector failed   dmesg.txt stays; vmcore.incomplete is kept under that
#                      name for inspection; status result=collector-failed
#
# Settings: /etc/lazy-kdump-capture.conf, the normalised copy of lazy-kdump's
# configuration that 'lazy-kdump config --capture' writes into the initrd
# (lazy-kdump parsed and checked it when the initrd was built; this script
# parses nothing else). Its first line is "# lazy-kdump-capture-conf 1",
# then KEY=VALUE lines, the value verbatim to the end of the line. Without
# the file, or with another first line, the defaults are used and that is
# said and recorded (status config=missing or foreign). Keys:
#   DUMP_TARGET     where to write, one of
#                     [DEVICE:]PATH   PATH (absolute) inside the file system
#                                     on DEVICE: /dev/NAME, UUID=..., LABEL=...,
#                                     PARTUUID=... or PARTLABEL=...
#                     PATH            without DEVICE: PATH on the file system
#                                     the command line's root= names (the
#                                     crash kernel inherits the panicked
#                                     kernel's root=)
#                     raw:DEVICE      DEVICE itself (/dev/NAME, PARTUUID=...
#                                     or PARTLABEL=...), no file system:
#                                     see "a raw dump device" below
#                     ssh://[USER@]HOST[:PORT]/PATH  a dump server: DIR is
#                                     PATH/HOST-DATE there, the dump goes
#                                     as vmcore.flat (makedumpfile -F,
#                                     streamed, renamed from
#                                     vmcore.flat.incomplete when complete)
#                                     after dmesg.txt; see "a dump server"
#                     nfs://HOST:/PATH  PATH exported by HOST, mounted
#                                     (NFS_OPTIONS); then as a file system
#                   default /var/crash. Whoever builds the initrd writes the
#                   device form for a /var/crash that is not on the root
#                   file system, e.g. DUMP_TARGET=UUID=1234-...:/crash when
#                   /var is its own file system.
#   CORE_COLLECTOR  default "makedumpfile -l -d 31"; run as
#                   $CORE_COLLECTOR /proc/vmcore DIR/vmcore.incomplete
#   FINAL_ACTION    reboot (default), poweroff, halt or shell
#   FAILURE_ACTION  when DUMP_TARGET cannot be reached (result no-target):
#                   final (default: FINAL_ACTION), dump-local (the dump
#                   goes to /var/crash on the root file system, root= of
#                   the command line, instead; then FINAL_ACTION), reboot,
#                   poweroff, halt or shell
#   KEEP_DUMPS, MIN_FREE  read by lazy-kdump-prune.sh (see there)
#   KDUMP_PRE       executables (absolute paths, separated by blanks) run in
#                   order once the dump directory exists, before the dump,
#                   as HOOK DIR (DIR as the crash kernel sees it, under the
#                   mount point)
#   KDUMP_POST      the same after the dump (also when it failed, or when
#                   the dump target could not be reached: DIR is then
#                   empty), as HOOK DIR RESULT
#                   Both with LAZY_KDUMP_DUMP_DIR and LAZY_KDUMP_RESULT in
#                   their environment, stdin /dev/null, their output in
#                   lazy-kdump.log; a hook that fails, hangs or is missing
#                   is reported (status hooks=failed) and the capture goes
#                   on: a hook never costs the dump.
#   HOOK_TIMEOUT    seconds each hook may run (default 60); then it is
#                   sent SIGTERM, and SIGKILL 5 s later
#
# Kernel command line words (the crash kernel's /proc/cmdline):
#   lazy_kdump.host=NAME    the panicked machine's host name, for DIR (the
#                           first kernel adds it; else /etc/hostname of the
#                           initrd, else the crash kernel's own, else
#                           "localhost")
#   lazy_kdump.wait=SECS    how long to wait for the dump device (default 60)
#   lazy_kdump.timeout=SECS limit for the core collector (default none)
#   root=, rootfstype=, rootflags=  the dump device when DUMP_TARGET has none
#
# Environment (for tests on a host; the defaults are the real paths):
#   LAZY_KDUMP_CONF      the settings (/etc/lazy-kdump-capture.conf)
#   LAZY_KDUMP_DEVICE    what the dump device must be (/etc/lazy-kdump-device,
#                        written when building for a target on multipath,
#                        LVM, LUKS or MD RAID: "kind=dm" or "kind=md"; and
#                        "root_kind=" the same for the root file system,
#                        for FAILURE_ACTION=dump-local)
#   LAZY_KDUMP_SYSBLOCK  /sys/class/block (tests)
#   LAZY_KDUMP_VMCORE    the dump source (/proc/vmcore)
#   LAZY_KDUMP_CMDLINE   command line file (/proc/cmdline)
#   LAZY_KDUMP_MNT       mount point of the target (/run/lazy-kdump/target)
#   LAZY_KDUMP_NOMOUNT=1 the target is a directory already there: DEVICE is
#                        ignored and PATH is taken under LAZY_KDUMP_MNT
#   LAZY_KDUMP_NODRIVERS=1 load no drivers (modprobe) while waiting for a
#                        device (tests on a host)
#   LAZY_KDUMP_RAW_FILE  with DUMP_TARGET=raw:DEVICE: write to this file
#                        instead of waiting for DEVICE
#   LAZY_KDUMP_NETCONF   how to reach a dump server or an iSCSI portal
#                        (/etc/lazy-kdump-net; see net_up);
#                        LAZY_KDUMP_NONET=1: the network is up already
#                        (tests on a host)
#   LAZY_KDUMP_ISCSI     the iSCSI sessions the dump target is on
#                        (/etc/lazy-kdump-iscsi; see iscsi_up)
#   LAZY_KDUMP_KNOWN_HOSTS  the ssh server's host key
#                        (/etc/lazy-kdump/ssh/known_hosts)
#   LAZY_KDUMP_FINAL     overrides FINAL_ACTION; "none" returns instead
#   LAZY_KDUMP_RUNDIR    scratch directory in memory (/run/lazy-kdump, else
#                        $TMPDIR/lazy-kdump)
#   LAZY_KDUMP_KMSG=0    messages to stderr, not to /dev/kmsg
#   LAZY_KDUMP_PRUNE     the retention script (first: next to this script,
#                        then /usr/lib/lazy-kdump/lazy-kdump-prune.sh)
#
# Exit status (when the final action returns, or is "none"): 0 vmcore saved,
# 1 capture failed, 2 not a crash kernel (no /proc/vmcore: nothing is done,
# and no final action runs, so that running it by mistake is harmless).
# shellcheck shell=sh

# The standard directories after the caller's: a dracut or busybox initrd may
# start with a short PATH.
PATH=${PATH:+$PATH:}/usr/sbin:/usr/bin:/sbin:/bin
export PATH

conf=${LAZY_KDUMP_CONF:-/etc/lazy-kdump-capture.conf}
# dm or md: the dump device must be a device-mapper device or an MD array;
# a disk that shows the same file system (a multipath path, a RAID 1
# member with its superblock at the end) is not it.
dev_kind=$(sed -n 's/^kind=//p' "${LAZY_KDUMP_DEVICE:-/etc/lazy-kdump-device}" 2>/dev/null) || dev_kind=''
# The same for the root file system (FAILURE_ACTION=dump-local).
root_kind=$(sed -n 's/^root_kind=//p' "${LAZY_KDUMP_DEVICE:-/etc/lazy-kdump-device}" 2>/dev/null) || root_kind=''
vmcore=${LAZY_KDUMP_VMCORE:-/proc/vmcore}
cmdline_file=${LAZY_KDUMP_CMDLINE:-/proc/cmdline}
mnt=${LAZY_KDUMP_MNT:-/run/lazy-kdump/target}

dump_target=/var/crash
core_collector='makedumpfile -l -d 31'
final_action=reboot
wait_s=60
collector_timeout=0
host=''
config=missing
memory=ok
kdump_pre=''
kdump_post=''
hook_timeout=60
hooks=none
failure_action=final
# FAILURE_ACTION=dump-local: where on the root file system the dump goes.
local_dir=/var/crash
fallback=none
fallback_from=''
fallback_why=''

# A dump server (DUMP_TARGET=ssh:// or nfs://): its parts as lazy-kdump
# took the URL apart (NET_* in the settings), and how the crash kernel
# reaches it (/etc/lazy-kdump-net, net_up).
net_kind='' net_host='' net_path='' net_user=root net_port=22
ssh_key=/etc/lazy-kdump/ssh/id_ed25519
ssh_known_hosts=${LAZY_KDUMP_KNOWN_HOSTS:-/etc/lazy-kdump/ssh/known_hosts}
nfs_options=nolock
net_conf=${LAZY_KDUMP_NETCONF:-/etc/lazy-kdump-net}
# A dump target on iSCSI: the sessions to log in to (iscsi_up).
iscsi_conf=${LAZY_KDUMP_ISCSI:-/etc/lazy-kdump-iscsi}
iscsi_done=0
ssh_dir=''

mounted=0
dump_dir=''
result=failed
reason=''
dmesg_state=missing
vmcore_state=missing

# --- messages ---------------------------------------------------------------

# The scratch directory in memory: our log, the collector's output, a copy
# of the status. /tmp when /run is not writable; without either, nothing is
# kept in memory (the dump itself does not need it).
rundir=''
for d in "${LAZY_KDUMP_RUNDIR:-/run/lazy-kdump}" "${TMPDIR:-/tmp}/lazy-kdump"; do
	if mkdir -p "$d" 2>/dev/null && printf '' >"$d/capture.log" 2>/dev/null; then
		rundir=$d
		break
	fi
done
runlog=${rundir:+$rundir/capture.log}
runlog=${runlog:-/dev/null}
kmsg=${LAZY_KDUMP_KMSG:-1}
[ -w /dev/kmsg ] || kmsg=0

# say TEXT: one line to the console (through the kernel log when we may
# write it: it carries timestamps and reaches the console and the journal)
# and to the run log.
say() {
	if [ "$kmsg" = 1 ] && printf '<5>lazy-kdump-capture: %s\n' "$*" >/dev/kmsg 2>/dev/null; then
		:
	else
		printf 'lazy-kdump-capture: %s\n' "$*" >&2
	fi
	printf '%s [%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S' 2>/dev/null)" \
		"$(cut -d' ' -f1 /proc/uptime 2>/dev/null)" "$*" >>"$runlog" 2>/dev/null
	return 0
}

# limited SECS CMD...: CMD, killed after SECS seconds when timeout(1) exists
# (0: no limit).
limited() {
	l_secs=$1
	shift
	if [ "$l_secs" -gt 0 ] 2>/dev/null && command -v timeout >/dev/null 2>&1; then
		timeout "$l_secs" "$@"
	else
		"$@"
	fi
}

# --- settings ---------------------------------------------------------------

# read_config: the settings from $conf; config= ok, missing or foreign.
read_config() {
	if [ ! -r "$conf" ]; then
		say "no readable $conf in this initrd: using the defaults; rebuild the capture initrd (lazy-kdump's mkinitrd --force)"
		return 0
	fi
	IFS= read -r rc_line <"$conf" || rc_line=''
	if [ "$rc_line" != "# lazy-kdump-capture-conf 1" ]; then
		config=foreign
		say "$conf was not written by 'lazy-kdump config --capture' (its first line is not '# lazy-kdump-capture-conf 1'): using the defaults; rebuild the capture initrd (lazy-kdump's mkinitrd --force)"
		return 0
	fi
	config=ok
	while IFS= read -r rc_line || [ -n "$rc_line" ]; do
		case $rc_line in '#'* | '') continue ;; esac
		rc_val=${rc_line#*=}
		[ -n "$rc_val" ] || continue
		case ${rc_line%%=*} in
		DUMP_TARGET) dump_target=$rc_val ;;
		CORE_COLLECTOR) core_collector=$rc_val ;;
		FINAL_ACTION) final_action=$rc_val ;;
		FAILURE_ACTION) failure_action=$rc_val ;;
		KDUMP_PRE) kdump_pre=$rc_val ;;
		KDUMP_POST) kdump_post=$rc_val ;;
		NET_KIND) net_kind=$rc_val ;;
		NET_HOST) net_host=$rc_val ;;
		NET_PATH) net_path=$rc_val ;;
		NET_USER) net_user=$rc_val ;;
		NET_PORT) net_port=$rc_val ;;
		SSH_KEY) ssh_key=$rc_val ;;
		NFS_OPTIONS) nfs_options=$rc_val ;;
		HOOK_TIMEOUT)
			case $rc_val in
			*[!0-9]*) say "HOOK_TIMEOUT=$rc_val is not a number of seconds: $hook_timeout s" ;;
			*) hook_timeout=$rc_val ;;
			esac
			;;
		esac
	done <"$conf"
}

# cmdline_value NAME: the value of the last NAME=VALUE word on the command
# line (our own words never hold blanks).
cmdline_value() {
	cv_out=''
	# shellcheck disable=SC2013 # words, not lines
	for cv_w in $(cat "$cmdline_file" 2>/dev/null); do
		case $cv_w in
		"$1"=*) cv_out=${cv_w#*=} ;;
		esac
	done
	printf '%s' "$cv_out"
}

read_cmdline() {
	v=$(cmdline_value lazy_kdump.wait)
	case $v in
	'') ;;
	*[!0-9]*) say "lazy_kdump.wait=$v is not a number of seconds: waiting $wait_s s" ;;
	*) wait_s=$v ;;
	esac
	v=$(cmdline_value lazy_kdump.timeout)
	case $v in
	'') ;;
	*[!0-9]*) say "lazy_kdump.timeout=$v is not a number of seconds: no limit" ;;
	*) collector_timeout=$v ;;
	esac
	host=$(cmdline_value lazy_kdump.host)
	if [ -z "$host" ] && [ -s /etc/hostname ]; then
		host=$(head -n 1 /etc/hostname)
	fi
	if [ -z "$host" ]; then
		host=$(uname -n 2>/dev/null)
		case $host in '(none)' | localhost | '') host=localhost ;; esac
	fi
	# One path component of safe characters.
	host=$(printf '%s' "$host" | tr -c 'A-Za-z0-9._-' '_')
	case $failure_action in
	final | dump-local | reboot | poweroff | halt | shell) ;;
	*)
		say "FAILURE_ACTION=$failure_action is not final, dump-local, reboot, poweroff, halt or shell: final"
		failure_action=final
		;;
	esac
	[ -n "${LAZY_KDUMP_FINAL:-}" ] && final_action=$LAZY_KDUMP_FINAL
	case $final_action in
	reboot | poweroff | halt | shell | none) ;;
	*)
		say "FINAL_ACTION=$final_action is not reboot, poweroff, halt or shell: rebooting"
		final_action=reboot
		;;
	esac
}

# --- the dump target --------------------------------------------------------

# resolve_device SPEC: the device node SPEC names, when it is there now.
resolve_device() {
	rd_spec=$1
	case $rd_spec in
	/dev/*)
		[ -b "$rd_spec" ] && printf '%s' "$rd_spec" && return 0
		return 1
		;;
	UUID=* | LABEL=* | PARTUUID=* | PARTLABEL=*)
		rd_key=${rd_spec%%=*}
		rd_val=${rd_spec#*=}
		rd_val=${rd_val#\"}
		rd_val=${rd_val%\"}
		case $rd_key in
		UUID) rd_link=/dev/disk/by-uuid/$rd_val ;;
		LABEL) rd_link=/dev/disk/by-label/$rd_val ;;
		PARTUUID) rd_link=/dev/disk/by-partuuid/$rd_val ;;
		*) rd_link=/dev/disk/by-partlabel/$rd_val ;;
		esac
		if [ -b "$rd_link" ]; then
			printf '%s' "$rd_link"
			return 0
		fi
		rd_dev=$(findfs "$rd_key=$rd_val" 2>/dev/null) ||
			rd_dev=$(blkid -l -o device -t "$rd_key=$rd_val" 2>/dev/null) || return 1
		[ -b "$rd_dev" ] || return 1
		printf '%s' "$rd_dev"
		return 0
		;;
	esac
	return 1
}

# Drivers a dump device may need; each one that is missing or built in is
# skipped quietly (udev loads the right ones under dracut anyway).
load_drivers() {
	[ "${LAZY_KDUMP_NODRIVERS:-0}" != 1 ] || return 0
	for ld_m in virtio_pci virtio_blk virtio_scsi sd_mod nvme ahci ata_piix \
		ext4 xfs btrfs; do
		modprobe -q "$ld_m" >/dev/null 2>&1 || true
	done
}

# device_kind DEV: dm (a device-mapper device), md (an MD array, or a
# partition of one) or disk.
device_kind() {
	dk_sys=${LAZY_KDUMP_SYSBLOCK:-/sys/class/block}
	dk_real=$(readlink -f "$1" 2>/dev/null) || dk_real=$1
	dk_real=${dk_real##*/}
	if [ -d "$dk_sys/$dk_real/dm" ]; then
		echo dm
	elif [ -d "$dk_sys/$dk_real/md" ]; then
		echo md
	elif [ -e "$dk_sys/$dk_real/partition" ] &&
		[ -d "$(readlink -f "$dk_sys/$dk_real" 2>/dev/null)/../md" ]; then
		echo md
	else
		echo disk
	fi
}
kind_name() {
	case $1 in
	dm) echo "device-mapper device (multipath map, LVM volume or LUKS volume)" ;;
	*) echo "MD RAID array" ;;
	esac
}

# wait_device DEVICE_SPEC: wait up to $wait_s seconds for the device (of
# $dev_kind, when set); sets mt_dev. Returns 1 with $reason.
wait_device() {
	mt_spec=$1
	say "waiting up to $wait_s s for the dump device $mt_spec"
	load_drivers
	mt_start=$(cut -d. -f1 /proc/uptime)
	mt_dev=''
	mt_said=''
	while :; do
		if mt_dev=$(resolve_device "$mt_spec"); then
			mt_k=$(device_kind "$mt_dev")
			case $dev_kind in
			dm | md) [ "$mt_k" = "$dev_kind" ] && break ;;
			*) break ;;
			esac
			if [ -z "$mt_said" ]; then
				say "$mt_spec is $(readlink -f "$mt_dev" 2>/dev/null || echo "$mt_dev") for now, not the $(kind_name "$dev_kind") it is on (a path or member of it): waiting for that"
				mt_said=1
			fi
		fi
		mt_now=$(cut -d. -f1 /proc/uptime)
		if [ $((mt_now - mt_start)) -ge "$wait_s" ]; then
			if [ -n "$mt_said" ]; then
				reason="the dump device $mt_spec did not appear as the $(kind_name "$dev_kind") it is on within $wait_s s (only $mt_dev, a path or member of it)"
			else
				reason="the dump device $mt_spec did not appear within $wait_s s"
			fi
			return 1
		fi
		sleep 0.5
	done
	return 0
}

# mount_target DEVICE_SPEC FSTYPE OPTIONS: wait for the device
# (wait_device), mount it read-write on $mnt.
mount_target() {
	mt_type=$2 mt_opts=$3
	wait_device "$1" || return 1
	mkdir -p "$mnt" || {
		reason="cannot create the mount point $mnt"
		return 1
	}
	mt_args=''
	[ -z "$mt_type" ] || mt_args="-t $mt_type"
	# Word splitting of $mt_args is wanted: "-t TYPE" or nothing.
	# shellcheck disable=SC2086
	if ! mt_err=$(limited 60 mount $mt_args -o "rw${mt_opts:+,$mt_opts}" "$mt_dev" "$mnt" 2>&1); then
		reason="cannot mount $mt_dev ($mt_spec) on $mnt: $mt_err"
		return 1
	fi
	mounted=1
	# The device behind a /dev/disk/by-* link, and a device-mapper
	# device's name (a multipath map, a volume): what was really mounted.
	mt_real=$(readlink -f "$mt_dev" 2>/dev/null) || mt_real=''
	[ "$mt_real" != "$mt_dev" ] || mt_real=''
	mt_dm=${mt_real:-$mt_dev}
	mt_dm=$(cat "/sys/class/block/${mt_dm##*/}/dm/name" 2>/dev/null) || mt_dm=''
	say "mounted $mt_dev ($mt_spec${mt_real:+, $mt_real}${mt_dm:+, device-mapper name $mt_dm}) on $mnt"
	return 0
}

# setup_target: mount what DUMP_TARGET names; sets target_path (the
# directory on the mounted file system). Returns 1 with $reason.
setup_target() {
	case $dump_target in
	ssh://* | nfs://*)
		if [ -z "$net_kind" ] || [ -z "$net_host" ] || [ -z "$net_path" ]; then
			reason="DUMP_TARGET=$dump_target: the settings lack its parts (NET_KIND, NET_HOST, NET_PATH): rebuild the capture initrd (lazy-kdump mkinitrd --force)"
			return 1
		fi
		net_alias=$(sed -n 's/^alias=//p' "$net_conf" 2>/dev/null)
		net_alias=${net_alias:-$net_host}
		net_up || return 1
		target_path=''
		if [ "$net_kind" = ssh ]; then
			if [ -z "$rundir" ]; then
				reason="no writable /run or /tmp in the crash kernel: a dump sent over ssh keeps its log and dmesg.txt there until they are sent"
				return 1
			fi
			ssh_setup
			return
		fi
		if [ "${LAZY_KDUMP_NOMOUNT:-0}" = 1 ]; then
			say "LAZY_KDUMP_NOMOUNT=1: writing under $mnt without mounting"
			return 0
		fi
		nfs_setup
		return
		;;
	raw:*)
		raw_spec=${dump_target#raw:}
		case $raw_spec in
		/dev/* | PARTUUID=* | PARTLABEL=*) ;;
		*)
			reason="DUMP_TARGET=$dump_target: raw:DEVICE takes /dev/NAME, PARTUUID=... or PARTLABEL=..."
			return 1
			;;
		esac
		if [ -z "$rundir" ]; then
			reason="no writable /run or /tmp in the crash kernel: a raw dump keeps its log and dmesg.txt there until they are written to the device"
			return 1
		fi
		if [ -n "${LAZY_KDUMP_RAW_FILE:-}" ]; then
			raw_dev=$LAZY_KDUMP_RAW_FILE
			say "LAZY_KDUMP_RAW_FILE: writing to $raw_dev instead of $raw_spec"
		else
			iscsi_up || return 1
			wait_device "$raw_spec" || return 1
			raw_dev=$mt_dev
			# Never over a file system or a partition table: that is
			# not the dump device (a kernel name that now names another
			# disk). A device that held a dump before starts with our
			# header; util-linux's blkid knows the rest.
			if [ "$(head -c 16 "$raw_dev" 2>/dev/null)" != "lazy-kdump-raw 1" ] &&
				blkid -V 2>&1 | grep -q util-linux; then
				rw_sig=$(blkid -p -o value -s TYPE "$raw_dev" 2>/dev/null)
				[ -n "$rw_sig" ] || rw_sig=$(blkid -p -o value -s PTTYPE "$raw_dev" 2>/dev/null)
				if [ -n "$rw_sig" ]; then
					reason="the raw dump device $raw_spec ($raw_dev) holds a $rw_sig signature: not writing over it (arming refuses such a device: is this another disk than the one armed?)"
					raw_dev=''
					return 1
				fi
			fi
		fi
		target_path=''
		return 0
		;;
	/*:/* | [A-Z]*=*:/*)
		st_dev=${dump_target%:/*}
		target_path=/${dump_target##*:/}
		;;
	/*)
		st_dev=''
		target_path=$dump_target
		;;
	*)
		reason="DUMP_TARGET=$dump_target is neither PATH nor DEVICE:PATH (e.g. /var/crash or UUID=...:/var/crash)"
		return 1
		;;
	esac
	iscsi_up || return 1
	if [ "${LAZY_KDUMP_NOMOUNT:-0}" = 1 ]; then
		say "LAZY_KDUMP_NOMOUNT=1: writing under $mnt without mounting"
		return 0
	fi
	st_type='' st_opts=''
	if [ -z "$st_dev" ]; then
		st_dev=$(cmdline_value root)
		if [ -z "$st_dev" ]; then
			reason="DUMP_TARGET=$dump_target names no device and the command line has no root=: set DUMP_TARGET=DEVICE:PATH"
			return 1
		fi
		st_type=$(cmdline_value rootfstype)
		# The root file system's options, without a read-only flag.
		st_opts=$(cmdline_value rootflags | tr ',' '\n' | grep -v -x -e ro -e rw | tr '\n' ',')
		st_opts=${st_opts%,}
	fi
	mount_target "$st_dev" "$st_type" "$st_opts"
}

# --- a dump server ----------------------------------------------------------

# net_up: bring up the interface that reaches the dump server (or the
# iSCSI portal), as /etc/lazy-kdump-net says (written when the initrd was built from the
# route the running system used; one key=value a line):
#   ifname   the interface's name then (for messages)
#   mac      its MAC address: the interface is found by it
#   driver   its driver module
#   method   static (address, gateway), dhcp (IPv4: busybox udhcpc) or
#            auto6 (IPv6 by router advertisements: the kernel's own SLAAC)
#   address  ADDR/PREFIX (static; IPv4 or IPv6)
#   gateway  the router to the server, empty on the same link
#   server   the server's address (NET_HOST), or the iSCSI portal's
# The family is the server's: IPv6 when its address has a colon.
# Returns 1 with $reason.
net_up() {
	[ "${LAZY_KDUMP_NONET:-0}" != 1 ] || return 0
	# (The unit tests' fakes, LAZY_KDUMP_IP and LAZY_KDUMP_BUSYBOX: busybox
	# sh would run its own ip applet before one found in PATH.)
	nu_sys=${LAZY_KDUMP_SYSNET:-/sys/class/net} nu_ipcmd=${LAZY_KDUMP_IP:-ip}
	if [ ! -r "$net_conf" ]; then
		reason="no $net_conf in this initrd: it cannot reach the dump server or iSCSI portal ${net_host:-of the dump target} (rebuild it: lazy-kdump mkinitrd --force)"
		return 1
	fi
	nu_server=${net_host:-$(sed -n 's/^server=//p' "$net_conf")}
	nu_mac=$(sed -n 's/^mac=//p' "$net_conf")
	nu_name=$(sed -n 's/^ifname=//p' "$net_conf")
	nu_drv=$(sed -n 's/^driver=//p' "$net_conf")
	nu_method=$(sed -n 's/^method=//p' "$net_conf")
	nu_addr=$(sed -n 's/^address=//p' "$net_conf")
	nu_gw=$(sed -n 's/^gateway=//p' "$net_conf")
	[ -z "$nu_drv" ] || modprobe -q "$nu_drv" >/dev/null 2>&1
	say "waiting up to $wait_s s for the network interface $nu_mac ($nu_name on the running system)"
	nu_start=$(cut -d. -f1 /proc/uptime)
	nu_if=''
	while [ -z "$nu_if" ]; do
		for nu_d in "$nu_sys"/*; do
			[ "$(cat "$nu_d/address" 2>/dev/null)" = "$nu_mac" ] || continue
			nu_if=${nu_d##*/}
			break
		done
		[ -z "$nu_if" ] || break
		if [ $(($(cut -d. -f1 /proc/uptime) - nu_start)) -ge "$wait_s" ]; then
			reason="the network interface $nu_mac ($nu_name on the running system, driver ${nu_drv:-unknown}) did not appear within $wait_s s"
			return 1
		fi
		sleep 0.5
	done
	if ! nu_err=$("$nu_ipcmd" link set dev "$nu_if" up 2>&1); then
		reason="cannot bring up the network interface $nu_if: $nu_err"
		return 1
	fi
	nu_fam=4 nu_dad=''
	case $nu_server in *:*) nu_fam=6 nu_dad=nodad ;; esac
	case $nu_method in
	auto6)
		# The kernel configures the address from the router's
		# advertisements once the link is up; usable when no longer
		# tentative (duplicate address detection done).
		say "waiting up to $wait_s s for an IPv6 address by router advertisements (SLAAC) on $nu_if"
		while ! "$nu_ipcmd" -o -6 addr show dev "$nu_if" scope global 2>/dev/null | grep -v tentative | grep -q ' inet6 '; do
			if [ $(($(cut -d. -f1 /proc/uptime) - nu_start)) -ge "$wait_s" ]; then
				reason="no IPv6 address by router advertisements (SLAAC) on $nu_if within $wait_s s: does a router on its link advertise a prefix?"
				return 1
			fi
			sleep 0.5
		done
		;;
	dhcp)
		say "asking for an address by DHCP on $nu_if"
		nu_err=$(limited "$wait_s" "${LAZY_KDUMP_BUSYBOX:-busybox}" udhcpc -i "$nu_if" -f -q -n -t 20 -T 3 \
			-s /usr/lib/lazy-kdump/lazy-kdump-udhcpc.sh 2>&1)
		if ! "$nu_ipcmd" -o -4 addr show dev "$nu_if" 2>/dev/null | grep -q ' inet '; then
			reason="no DHCP lease on $nu_if within $wait_s s: $(printf '%s' "$nu_err" | tail -n 2 | tr '\n' ' ')"
			return 1
		fi
		# The lease's router is the default route; a server the running
		# system reached through another router (a static route) gets
		# that route too. Already there ("File exists"): fine.
		if [ -n "$nu_gw" ] && ! nu_err=$("$nu_ipcmd" route add "$nu_server" via "$nu_gw" dev "$nu_if" 2>&1); then
			case $nu_err in
			*'File exists'*) ;;
			*) say "warning: cannot route to $nu_server via $nu_gw on $nu_if ($nu_err); trying the lease's routes" ;;
			esac
		fi
		;;
	*)
		# IPv6: nodad, the address is this machine's own and in use at
		# once (duplicate detection would hold it tentative for a while).
		# shellcheck disable=SC2086 # $nu_dad: nodad or nothing
		if ! nu_err=$("$nu_ipcmd" addr add "$nu_addr" dev "$nu_if" $nu_dad 2>&1); then
			reason="cannot give $nu_if the address $nu_addr: $nu_err"
			return 1
		fi
		if [ -n "$nu_gw" ] && ! nu_err=$("$nu_ipcmd" route add "$nu_server" via "$nu_gw" dev "$nu_if" 2>&1); then
			reason="cannot route to $nu_server via $nu_gw on $nu_if: $nu_err"
			return 1
		fi
		;;
	esac
	say "network: $nu_if up, $("$nu_ipcmd" -o "-$nu_fam" addr show dev "$nu_if" scope global 2>/dev/null | awk '{ print $4 }' | head -n 1)${nu_gw:+, via $nu_gw} (${nu_method:-static})"
	return 0
}

# --- iSCSI ------------------------------------------------------------------

# iscsi_up: log in to the iSCSI sessions the dump target is on, once, as
# /etc/lazy-kdump-iscsi says (written when the initrd was built from the
# running system's sessions: key=value lines, each session from its
# target= line: target, portal, port, tpgt, initiator, and username,
# password, username_in, password_in for CHAP), after bringing up the
# network card that reaches their portals (net_up). No file: nothing to
# do. Returns 1 with $reason.
iscsi_up() {
	[ -r "$iscsi_conf" ] || return 0
	[ "$iscsi_done" = 0 ] || return 0
	iscsi_done=1
	net_up || return 1
	[ "${LAZY_KDUMP_NODRIVERS:-0}" = 1 ] || modprobe -q iscsi_tcp >/dev/null 2>&1
	iu_target=''
	while IFS= read -r iu_line || [ -n "$iu_line" ]; do
		iu_key=${iu_line%%=*} iu_val=${iu_line#*=}
		case $iu_key in
		target)
			if [ -n "$iu_target" ]; then iscsi_login || return 1; fi
			iu_target=$iu_val iu_portal='' iu_port=3260 iu_tpgt=1 iu_init=''
			iu_user='' iu_pass='' iu_user_in='' iu_pass_in=''
			;;
		portal) iu_portal=$iu_val ;;
		port) iu_port=$iu_val ;;
		tpgt) iu_tpgt=$iu_val ;;
		initiator) iu_init=$iu_val ;;
		username) iu_user=$iu_val ;;
		password) iu_pass=$iu_val ;;
		username_in) iu_user_in=$iu_val ;;
		password_in) iu_pass_in=$iu_val ;;
		esac
	done <"$iscsi_conf"
	if [ -z "$iu_target" ]; then
		reason="$iscsi_conf names no iSCSI target (rebuild the initrd: lazy-kdump mkinitrd --force)"
		return 1
	fi
	iscsi_login
}

# iscsi_login: one session of iscsi_up with iscsistart, tried again until
# lazy_kdump.wait= runs out (the target may be slow to answer). The secrets
# are never logged. Returns 1 with $reason.
iscsi_login() {
	say "iSCSI: logging in to $iu_target at $iu_portal:$iu_port (initiator $iu_init${iu_user:+, CHAP as $iu_user})"
	set -- -i "$iu_init" -t "$iu_target" -g "$iu_tpgt" -a "$iu_portal" -p "$iu_port"
	[ -z "$iu_user" ] || set -- "$@" -u "$iu_user" -w "$iu_pass"
	[ -z "$iu_user_in" ] || set -- "$@" -U "$iu_user_in" -W "$iu_pass_in"
	il_start=$(cut -d. -f1 /proc/uptime)
	while ! il_err=$(limited 60 iscsistart "$@" 2>&1); do
		if [ $(($(cut -d. -f1 /proc/uptime) - il_start)) -ge "$wait_s" ]; then
			reason="cannot log in to the iSCSI target $iu_target at $iu_portal:$iu_port within $wait_s s: $(printf '%s' "$il_err" | tail -n 2 | tr '\n' ' ')"
			return 1
		fi
		sleep 2
	done
	say "iSCSI: logged in to $iu_target"
	return 0
}

# ssh_run CMD...: CMD run by the dump server's shell, as NET_USER with
# SSH_KEY; the server's key must be the one known when arming.
ssh_run() {
	ssh -F /dev/null -i "$ssh_key" -p "$net_port" -o BatchMode=yes \
		-o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$ssh_known_hosts" \
		-o HostKeyAlias="$net_alias" -o LogLevel=ERROR \
		"$net_user@$net_host" "$@"
}

# ssh_setup: the dump server answers and PATH is a writable directory
# there (made when missing), retried until $wait_s s passed. Returns 1
# with $reason.
ssh_setup() {
	su_start=$(cut -d. -f1 /proc/uptime)
	while :; do
		if su_err=$(ssh_run "mkdir -p '$net_path' && test -w '$net_path'" 2>&1 </dev/null); then
			return 0
		fi
		# Refused: waiting does not help.
		case $su_err in
		*'Permission denied'* | *'verification failed'* | *'REMOTE HOST IDENTIFICATION'* | *'No such file'* | *'not accessible'*)
			reason="the dump server refused: $net_user@$net_host:$net_port with $ssh_key: $(printf '%s' "$su_err" | tail -n 2 | tr '\n' ' ')"
			return 1
			;;
		esac
		if [ $(($(cut -d. -f1 /proc/uptime) - su_start)) -ge "$wait_s" ]; then
			reason="the dump server $net_user@$net_host:$net_port did not answer within $wait_s s, or $net_path is not a writable directory there: $(printf '%s' "$su_err" | tail -n 2 | tr '\n' ' ')"
			return 1
		fi
		sleep 2
	done
}

# ssh_retention: KEEP_DUMPS among this host's dumps in PATH on the server
# (others' dumps are never touched), then how much room MIN_FREE leaves
# there (ssh_limit, bytes; empty: unknown or no limit). The file size
# limit of a local target cannot be set on the server: the stream is cut
# at ssh_limit instead.
ssh_limit=''
ssh_retention() {
	sr_keep=$(sed -n 's/^KEEP_DUMPS=//p' "$conf" 2>/dev/null)
	sr_free=$(sed -n 's/^MIN_FREE=//p' "$conf" 2>/dev/null)
	[ "$config" = ok ] || { sr_keep=3 sr_free=5%; }
	case $sr_keep in '' | *[!0-9]*) sr_keep=3 ;; esac
	case $sr_free in '' | *[!0-9%]* | %*) sr_free=5% ;; esac
	if [ "$sr_keep" -gt 0 ]; then
		# Dump directories sort by their date: oldest first.
		sr_old=$(ssh_run "cd '$net_path' && ls -d $host-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-* 2>/dev/null" </dev/null |
			grep -E "^$host-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9:]{8}(-[0-9]+)?\$" | sort)
		sr_n=$(printf '%s\n' "$sr_old" | grep -c .)
		sr_drop=$((sr_n - sr_keep + 1))
		if [ "$sr_drop" -gt 0 ]; then
			for sr_d in $(printf '%s\n' "$sr_old" | head -n "$sr_drop"); do
				if ssh_run "rm -rf '$net_path/$sr_d'" </dev/null; then
					say "KEEP_DUMPS=$sr_keep: removed the old dump $net_path/$sr_d on the dump server"
				else
					say "KEEP_DUMPS=$sr_keep: cannot remove the old dump $net_path/$sr_d on the dump server"
				fi
			done
		fi
	fi
	# df -Pk: total and available KiB of PATH's file system.
	sr_df=$(ssh_run "df -Pk '$net_path'" </dev/null | awk 'NR == 2 { print $2, $4 }')
	if [ -n "$sr_df" ]; then
		sr_total=${sr_df% *} sr_avail=${sr_df#* }
		case $sr_free in
		*%) sr_keepfree=$((sr_total * ${sr_free%\%} / 100)) ;;
		*) sr_keepfree=$((sr_free / 1024)) ;;
		esac
		ssh_limit=$(((sr_avail - sr_keepfree) * 1024))
		[ "$ssh_limit" -gt 1048576 ] || ssh_limit=1048576
		say "the dump server has $((sr_avail / 1024)) MiB free in $net_path; MIN_FREE=$sr_free leaves room for a dump of $((ssh_limit / 1048576)) MiB"
	fi
	retention=applied
}

# ssh_put LOCAL NAME: LOCAL copied to DIR/NAME on the server.
ssh_put() {
	ssh_run "cat > '$ssh_dir/$2'" <"$1" 2>>"$runlog"
}

# nfs_setup: mount PATH of the NFS server on $mnt, retried until $wait_s s
# passed. Returns 1 with $reason.
nfs_setup() {
	case $net_host in *:*) ns_src="[$net_host]:$net_path" ;; *) ns_src="$net_host:$net_path" ;; esac
	mkdir -p "$mnt" || {
		reason="cannot create the mount point $mnt"
		return 1
	}
	modprobe -q nfs >/dev/null 2>&1
	ns_start=$(cut -d. -f1 /proc/uptime)
	while :; do
		if ns_err=$(limited 60 mount -t nfs -o "$nfs_options" "$ns_src" "$mnt" 2>&1); then
			mounted=1
			say "mounted $ns_src (NFS, $nfs_options) on $mnt"
			return 0
		fi
		case $ns_err in
		*'access denied'* | *'No such file'* | *'Permission denied'* | *'Protocol not supported'*)
			reason="the NFS server refused to mount $ns_src: $ns_err"
			return 1
			;;
		esac
		if [ $(($(cut -d. -f1 /proc/uptime) - ns_start)) -ge "$wait_s" ]; then
			reason="cannot mount $ns_src within $wait_s s: $ns_err"
			return 1
		fi
		sleep 2
	done
}

# --- a raw dump device ---------------------------------------------------------

# DUMP_TARGET=raw:DEVICE: the dump goes onto DEVICE itself, which holds no
# file system; the next boot saves it as files (lazy-kdump's raw-save):
#   [0, 4 KiB)       the header: "lazy-kdump-raw 1", then key=value lines
#                    (state=writing|complete, stamp, the offsets and sizes
#                    below, and once complete the status lines of
#                    write_status), NUL-padded
#   [64 KiB, 8 MiB)  dmesg.txt (dmesg_offset, dmesg_bytes)
#   [8 MiB, 16 MiB)  lazy-kdump.log (log_offset, log_bytes), written last
#   [16 MiB, end)    the vmcore in makedumpfile's flattened format
#                    (vmcore_offset; vmcore_bytes when dd says how many,
#                    busybox's does not; makedumpfile -R turns it back into
#                    a vmcore, reading up to the stream's end marker)
# A capture cut short leaves state=writing: the next boot reports it as
# incomplete, with the dmesg.txt already written.
raw_dev=''
raw_spec=''
raw_dmesg_off=65536
raw_log_off=8388608
raw_stream_off=16777216
raw_dmesg_bytes=0
raw_log_bytes=0
raw_vmcore_bytes=0

# raw_put FILE OFFSET MAX: the first MAX bytes of FILE at byte OFFSET (a
# multiple of 4096) of the raw device; prints how many.
raw_put() {
	rp_n=$(wc -c <"$1" 2>/dev/null) || rp_n=0
	[ "$rp_n" -le "$3" ] || rp_n=$3
	head -c "$rp_n" "$1" 2>/dev/null |
		dd of="$raw_dev" bs=4096 seek=$(($2 / 4096)) conv=notrunc 2>/dev/null || rp_n=0
	printf '%s' "$rp_n"
}

# raw_header STATE [STATUS]: the header with STATE and the status lines
# (3.5 KiB at most: the next boot adds a "saved=DIR" line within the 4 KiB).
raw_header() {
	rh_f=$rundir/raw-header
	{
		echo "lazy-kdump-raw 1"
		echo "state=$1"
		echo "stamp=$stamp"
		echo "host=$host"
		echo "dmesg_offset=$raw_dmesg_off"
		echo "dmesg_bytes=$raw_dmesg_bytes"
		echo "log_offset=$raw_log_off"
		echo "log_bytes=$raw_log_bytes"
		echo "vmcore_offset=$raw_stream_off"
		echo "vmcore_bytes=$raw_vmcore_bytes"
		[ -z "${2-}" ] || printf '%s\n' "$2"
	} | head -c 3584 >"$rh_f"
	dd if="$rh_f" of="$raw_dev" bs=4096 count=1 conv=sync,notrunc 2>/dev/null &&
		sync
}

# --- retention ----------------------------------------------------------------

# apply_retention DIR: KEEP_DUMPS and MIN_FREE on DIR (lazy-kdump-prune.sh:
# old dumps removed, then a file size limit that keeps MIN_FREE free).
# Never fails the capture: without the script it says so and goes on.
retention=missing
apply_retention() {
	ar_f=''
	for ar_c in "${LAZY_KDUMP_PRUNE:-}" "${0%/*}/lazy-kdump-prune.sh" \
		/usr/lib/lazy-kdump/lazy-kdump-prune.sh; do
		if [ -n "$ar_c" ] && [ -r "$ar_c" ]; then
			ar_f=$ar_c
			break
		fi
	done
	if [ -z "$ar_f" ]; then
		say "no lazy-kdump-prune.sh in this initrd: KEEP_DUMPS and MIN_FREE are not applied (rebuild the capture initrd: lazy-kdump mkinitrd)"
		return 0
	fi
	# Without our settings file, the defaults (KEEP_DUMPS=3, MIN_FREE=5%).
	if [ "$config" = ok ]; then ar_conf=$conf; else ar_conf=/dev/null; fi
	# shellcheck source-path=SCRIPTDIR source=lazy-kdump-prune.sh
	. "$ar_f" && lazy_kdump_prune "$1" "$ar_conf" && retention=applied
	return 0
}

# --- hooks ------------------------------------------------------------------

# run_hooks WHEN LIST DIR [RESULT]: each executable of LIST (blank-separated)
# in order, as HOOK DIR [RESULT], for at most $hook_timeout s each, its
# output in the log. Sets hooks (ok, or failed when any failed); never
# fails.
run_hooks() {
	rh_when=$1 rh_list=$2 rh_dir=$3 rh_n=$#
	rh_res=${4-}
	rh_log=${rundir:+$rundir/hook.log}
	rh_log=${rh_log:-/dev/null}
	rh_tmo=''
	if ! command -v timeout >/dev/null 2>&1; then
		[ -z "$rh_list" ] || say "no timeout(1) in this initrd: the hooks run without HOOK_TIMEOUT"
	elif timeout --version >/dev/null 2>&1; then
		rh_tmo="-k 5 $hook_timeout" # coreutils: SIGKILL 5 s after SIGTERM
	else
		rh_tmo=$hook_timeout # busybox's timeout may lack -k
	fi
	set -f
	for rh_h in $rh_list; do
		if [ ! -f "$rh_h" ] || [ ! -x "$rh_h" ]; then
			hooks=failed
			say "the $rh_when hook $rh_h is not an executable file in this initrd: skipped (rebuild the capture initrd: lazy-kdump's mkinitrd --force)"
			continue
		fi
		set -- "$rh_h" "$rh_dir"
		[ "$rh_n" -lt 4 ] || set -- "$@" "$rh_res"
		say "running the $rh_when hook $*"
		rh_t0=$(date +%s)
		# $rh_tmo: "timeout [-k 5] SECS" words, or nothing.
		# shellcheck disable=SC2086
		LAZY_KDUMP_DUMP_DIR=$rh_dir LAZY_KDUMP_RESULT=$rh_res \
			${rh_tmo:+timeout $rh_tmo} "$@" </dev/null >"$rh_log" 2>&1
		rh_rc=$?
		{
			echo "--- $rh_when hook $rh_h: exit status $rh_rc"
			tail -n 50 "$rh_log"
		} >>"$runlog" 2>/dev/null
		rh_s=$(($(date +%s) - rh_t0))
		if [ "$rh_rc" -eq 0 ]; then
			[ "$hooks" = failed ] || hooks=ok
			say "the $rh_when hook $rh_h succeeded in $rh_s s"
		elif [ -n "$rh_tmo" ] && { [ "$rh_rc" -eq 124 ] || [ "$rh_rc" -eq 137 ] || [ "$rh_rc" -eq 143 ]; }; then
			# 124: coreutils' timeout; 137 after -k's SIGKILL; 143:
			# busybox's, whose SIGTERM ends the hook.
			hooks=failed
			say "the $rh_when hook $rh_h did not finish within HOOK_TIMEOUT=$hook_timeout s and was killed; the capture goes on"
		else
			hooks=failed
			say "the $rh_when hook $rh_h failed (exit status $rh_rc) after $rh_s s; the capture goes on"
		fi
	done
	set +f
	return 0
}

# conclude: the KDUMP_POST hooks (DIR RESULT), the status, the final action.
conclude() {
	run_hooks post "$kdump_post" "$dump_dir" "$result"
	write_status
	finish
}

# --- the dump ---------------------------------------------------------------

# write_status: DIR/status, key=value lines for programs (tests, tools):
#   result   saved | no-space | short-of-memory | collector-failed |
#            no-target
#   reason   one sentence when result is not "saved" (or memory=short)
#   vmcore   saved | removed | incomplete | missing
#   dmesg    saved | failed | missing
#   retention applied | missing (KEEP_DUMPS and MIN_FREE)
#   hooks    none | ok | failed (KDUMP_PRE and KDUMP_POST)
#   fallback none | dump-local (FAILURE_ACTION=dump-local saved it on the
#            root file system: target= names the DUMP_TARGET out of reach,
#            reason says why) | failed (that fallback failed too)
#   config   ok | missing | foreign (the settings file; see above)
#   memory   ok | short: the crash kernel ran out of memory during the
#            dump (the OOM killer acted, or the collector could not
#            allocate); with result=saved the retry with less memory
#            worked
#   crash_mem_mib  the crash kernel's MemTotal
#   host, dir (on the target), collector, started and finished (seconds
#   since the epoch, the crash kernel's clock), uptime (the crash kernel's)
# and DIR/lazy-kdump.log, the messages. Without a dump directory they go to
# the target path or the target's root as lazy-kdump-failed-HOST-DATE.status
# and .log, whichever is writable; a copy of the status always goes to
# $LAZY_KDUMP_RUNDIR/status (memory: for FINAL_ACTION=shell).
write_status() {
	# One line of text: command output in a reason may carry control
	# characters (ssh ends its messages in "\r"), which make the journal
	# keep a line as binary.
	reason=$(printf '%s' "$reason" | tr '\t\r\n' '   ' | tr -d '\000-\037\177')
	if [ -n "$raw_dev" ]; then
		ws_dir=raw:$raw_spec
	elif [ -n "$ssh_dir" ]; then
		ws_dir=$ssh_dir
	else
		ws_dir=${dump_dir#"$mnt"}
	fi
	ws_text="result=$result
reason=$reason
vmcore=$vmcore_state
dmesg=$dmesg_state
retention=$retention
hooks=$hooks
fallback=$fallback${fallback_from:+
target=$fallback_from}
config=$config
memory=$memory
crash_mem_mib=$(crash_mem)
host=$host
dir=$ws_dir
collector=$core_collector
started=$started
finished=$(date +%s)
uptime=$(cut -d' ' -f1 /proc/uptime)"
	[ -z "$rundir" ] || printf '%s\n' "$ws_text" >"$rundir/status" 2>/dev/null
	if [ -n "$raw_dev" ]; then
		# The log last (this line is in it), then the header: complete.
		say "status ($result): in the header of the raw device $raw_dev"
		raw_log_bytes=$(raw_put "$runlog" "$raw_log_off" $((raw_stream_off - raw_log_off)))
		if raw_header complete "$ws_text"; then
			return 0
		fi
		say "cannot write the header of the raw device $raw_dev${rundir:+; see $rundir/status}"
		return 1
	fi
	if [ -n "$ssh_dir" ]; then
		# The log, then the status: a status on the server means the
		# capture ended.
		if ssh_put "$runlog" lazy-kdump.log && printf '%s\n' "$ws_text" >"$rundir/status.send" &&
			ssh_put "$rundir/status.send" status; then
			say "status ($result): $ssh_dir/status on the dump server $net_host"
			return 0
		fi
		say "status ($result): cannot send it to the dump server $net_host${rundir:+; see $rundir/status}"
		return 1
	fi
	if [ -n "$dump_dir" ]; then
		set -- "$dump_dir/status"
	elif [ "$mounted" = 1 ] || [ "${LAZY_KDUMP_NOMOUNT:-0}" = 1 ]; then
		set -- "$mnt$target_path/lazy-kdump-failed-$host-$stamp.status" \
			"$mnt/lazy-kdump-failed-$host-$stamp.status"
	else
		set --
	fi
	for ws_f in "$@"; do
		[ -d "${ws_f%/*}" ] || continue
		if printf '%s\n' "$ws_text" >"$ws_f" 2>/dev/null; then
			case $ws_f in
			*/status) ws_l=${ws_f%/status}/lazy-kdump.log ;;
			*) ws_l=${ws_f%.status}.log ;;
			esac
			say "status ($result): ${ws_f#"$mnt"} on the dump target"
			cp "$runlog" "$ws_l" 2>/dev/null
			sync
			return 0
		fi
	done
	say "status ($result): nowhere to write it on the dump target${rundir:+; see $rundir/status}"
	return 1
}

# unique_dir BASE: BASE, or BASE-2, BASE-3, ... when it exists.
unique_dir() {
	ud_d=$1 ud_n=1
	while [ -e "$ud_d" ]; do
		ud_n=$((ud_n + 1))
		ud_d=$1-$ud_n
	done
	printf '%s' "$ud_d"
}

# no_space DIR: the file system of DIR has (almost) no room left.
no_space() {
	ns_avail=$(df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
	[ -n "$ns_avail" ] && [ "$ns_avail" -lt 64 ]
}

save_dmesg() {
	if ! command -v makedumpfile >/dev/null 2>&1; then
		dmesg_state=failed
		say "no makedumpfile in this initrd: no dmesg.txt"
		return 1
	fi
	if sd_out=$(makedumpfile --dump-dmesg "$vmcore" "$dump_dir/dmesg.txt" 2>&1); then
		dmesg_state=saved
		sync
		say "saved the panicked kernel's log: ${dump_dir#"$mnt"}/dmesg.txt ($(wc -c <"$dump_dir/dmesg.txt") bytes)"
		return 0
	fi
	dmesg_state=failed
	say "makedumpfile --dump-dmesg failed: $(printf '%s' "$sd_out" | tail -n 3 | tr '\n' ' ')"
	printf '%s\n' "$sd_out" >>"$runlog" 2>/dev/null
	return 1
}

# oom_kills: the kernel's count of OOM kills so far (0 when unknown).
oom_kills() {
	ok_n=$(sed -n 's/^oom_kill //p' "${LAZY_KDUMP_VMSTAT:-/proc/vmstat}" 2>/dev/null)
	printf '%s' "${ok_n:-0}"
}

# crash_mem: the crash kernel's MemTotal, in MiB.
crash_mem() {
	cm_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' "${LAZY_KDUMP_MEMINFO:-/proc/meminfo}" 2>/dev/null)
	printf '%s' "$((${cm_kb:-0} / 1024))"
}

# run_collector ARGS...: $core_collector ARGS... $vmcore $sv_part once, its
# output in $sv_log; sets sv_rc and sv_oom (1: the OOM killer acted while
# it ran, or it said it could not allocate memory).
run_collector() {
	rcl_before=$(oom_kills)
	# CORE_COLLECTOR is a command and its options: split on blanks, no globs.
	set -f
	if [ -n "$ssh_dir" ]; then
		# makedumpfile's flattened format on stdout, into
		# vmcore.flat.incomplete on the server (head -c: MIN_FREE);
		# each side's exit status through a file.
		rm -f "$rundir/collector.rc"
		rcl_cat='cat'
		[ -z "$ssh_limit" ] || rcl_cat="head -c $ssh_limit"
		# shellcheck disable=SC2086
		{
			limited "$collector_timeout" $core_collector -F "$@" "$vmcore" 2>"$sv_log"
			echo $? >"$rundir/collector.rc"
		} | ssh_run "$rcl_cat > '$ssh_dir/vmcore.flat.incomplete' && echo \$(wc -c < '$ssh_dir/vmcore.flat.incomplete') bytes" \
			>"$rundir/ssh.out" 2>"$rundir/ssh.log"
		rcl_ssh=$?
		sv_rc=$(cat "$rundir/collector.rc" 2>/dev/null) || sv_rc=1
		case $sv_rc in '' | *[!0-9]*) sv_rc=1 ;; esac
		cat "$rundir/ssh.log" >>"$sv_log" 2>/dev/null
		ssh_bytes=$(sed -n 's/^\([0-9][0-9]*\) bytes.*/\1/p' "$rundir/ssh.out" | tail -n 1)
		if [ "$rcl_ssh" -ne 0 ] && [ "$sv_rc" -eq 0 ]; then
			sv_rc=1
		fi
	elif [ -n "$raw_dev" ]; then
		# makedumpfile's flattened format on stdout, written from
		# vmcore_offset on; its exit status through a file (no pipefail
		# in POSIX sh), dd's messages after its own.
		rm -f "$rundir/collector.rc"
		# shellcheck disable=SC2086
		{
			limited "$collector_timeout" $core_collector -F "$@" "$vmcore" 2>"$sv_log"
			echo $? >"$rundir/collector.rc"
		} | dd of="$raw_dev" bs=1048576 seek=$((raw_stream_off / 1048576)) conv=notrunc 2>"$rundir/dd.log"
		rcl_dd=$?
		sv_rc=$(cat "$rundir/collector.rc" 2>/dev/null) || sv_rc=1
		case $sv_rc in '' | *[!0-9]*) sv_rc=1 ;; esac
		cat "$rundir/dd.log" >>"$sv_log" 2>/dev/null
		raw_vmcore_bytes=$(sed -n 's/^\([0-9][0-9]*\) bytes.*/\1/p' "$rundir/dd.log" | tail -n 1)
		raw_vmcore_bytes=${raw_vmcore_bytes:-0}
		if [ "$rcl_dd" -ne 0 ] && [ "$sv_rc" -eq 0 ]; then
			sv_rc=1
		fi
		sync
	else
		# shellcheck disable=SC2086
		limited "$collector_timeout" $core_collector "$@" "$vmcore" "$sv_part" >"$sv_log" 2>&1
		sv_rc=$?
	fi
	set +f
	sv_oom=0
	if [ "$sv_rc" -ne 0 ]; then
		if [ "$(oom_kills)" -gt "$rcl_before" ] ||
			grep -q -i -e 'Cannot allocate memory' -e "Can't allocate memory" \
				-e 'Out of memory' "$sv_log" 2>/dev/null; then
			sv_oom=1
		fi
	fi
	# Progress lines end in carriage returns: keep the last state of each.
	{
		echo "--- $core_collector${1:+ $*}: exit status $sv_rc"
		tr '\r' '\n' <"$sv_log" | grep -v '^[[:space:]]*$' | tail -n 20
	} >>"$runlog" 2>/dev/null
}

save_vmcore() {
	sv_part=$dump_dir/vmcore.incomplete
	sv_log=${rundir:+$rundir/collector.log}
	sv_log=${sv_log:-/dev/null}
	if [ -n "$raw_dev" ]; then
		sv_part=$raw_dev
		say "saving the dump: $core_collector -F $vmcore | dd of=$raw_dev (from byte $raw_stream_off)"
	elif [ -n "$ssh_dir" ]; then
		sv_part=''
		say "saving the dump: $core_collector -F $vmcore | ssh $net_user@$net_host $ssh_dir/vmcore.flat.incomplete"
	else
		say "saving the dump: $core_collector $vmcore ${sv_part#"$mnt"}"
	fi
	sv_t0=$(date +%s)
	run_collector
	# What a retry can fix. "Text file busy": the exec raced the unpacking
	# of the initramfs (seen in a crash kernel just big enough); wait and
	# try again, up to 3 times.
	sv_try=1
	while [ "$sv_rc" -eq 126 ] && [ "$sv_try" -le 3 ] &&
		grep -q 'Text file busy' "$sv_log" 2>/dev/null; do
		say "$core_collector could not be started (Text file busy): retrying in 1 s ($sv_try of 3)"
		sleep 1
		sv_try=$((sv_try + 1))
		run_collector
	done
	# Out of memory: once more with the page cache dropped and, for
	# makedumpfile, a small cyclic buffer (4 MiB of bitmaps at a time).
	if [ "$sv_oom" = 1 ]; then
		memory=short
		say "the crash kernel ran out of memory while $core_collector ran ($(crash_mem) MiB in the crash kernel): retrying once with less memory"
		[ -n "$raw_dev" ] || [ -n "$ssh_dir" ] || rm -f "$sv_part"
		sync
		echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
		case " $core_collector " in
		*" --cyclic-buffer"*) run_collector ;;
		*makedumpfile*) run_collector --cyclic-buffer 4096 ;;
		*) run_collector ;;
		esac
		[ "$sv_rc" -ne 0 ] || say "the retry with less memory saved the dump; the crash region is still too small for the first try: raise SIZE (or use SIZE=auto)"
	fi
	if [ -n "$raw_dev" ]; then
		save_vmcore_raw
		return
	fi
	if [ -n "$ssh_dir" ]; then
		save_vmcore_ssh
		return
	fi
	if [ "$sv_rc" -eq 0 ] && [ -s "$sv_part" ] && mv "$sv_part" "$dump_dir/vmcore"; then
		sync
		vmcore_state=saved result=saved
		[ "$memory" = ok ] || saved_short
		say "saved ${dump_dir#"$mnt"}/vmcore ($(wc -c <"$dump_dir/vmcore") bytes in $(($(date +%s) - sv_t0)) s)"
		return 0
	fi
	if [ "$sv_rc" -eq 0 ]; then
		reason="$core_collector exited 0 but $sv_part is empty or cannot be renamed"
	elif grep -q 'No space left on device' "$sv_log" 2>/dev/null || no_space "$dump_dir"; then
		result=no-space
		rm -f "$sv_part"
		sync
		vmcore_state=removed
		reason="the dump target is full: $core_collector failed (exit status $sv_rc) and the partial dump was removed; free space on it or point DUMP_TARGET elsewhere"
		say "$reason"
		return 1
	elif grep -q 'File too large' "$sv_log" 2>/dev/null; then
		# The size limit of the retention step: MIN_FREE would be crossed.
		result=no-space
		rm -f "$sv_part"
		sync
		vmcore_state=removed
		reason="the dump target is full: the dump would leave less than MIN_FREE free on it, so $core_collector stopped at that limit (exit status $sv_rc) and the partial dump was removed; free space on it, lower MIN_FREE or point DUMP_TARGET elsewhere"
		say "$reason"
		return 1
	elif [ "$memory" = short ]; then
		result=short-of-memory
		reason="the crash kernel ran out of memory ($(crash_mem) MiB in it): $core_collector failed twice (exit status $sv_rc), the second time with less memory; raise SIZE in lazy-kdump.conf (or use SIZE=auto), then systemctl reload lazy-kdump"
	elif [ "$sv_rc" -eq 124 ] && [ "$collector_timeout" -gt 0 ]; then
		reason="$core_collector did not finish within lazy_kdump.timeout=$collector_timeout s"
	else
		reason="$core_collector failed (exit status $sv_rc): $(tr '\r' '\n' <"$sv_log" | grep -v '^[[:space:]]*$' | tail -n 2 | tr '\n' ' ')"
		reason=${reason%"${reason##*[![:space:]]}"}
	fi
	[ "$result" = short-of-memory ] || result=collector-failed
	if [ -e "$sv_part" ]; then
		vmcore_state=incomplete
		reason="$reason; the partial dump stays as ${sv_part#"$mnt"}"
	fi
	say "$reason"
	return 1
}

# save_vmcore_raw: save_vmcore's outcome for a raw device.
save_vmcore_raw() {
	if [ "$sv_rc" -eq 0 ]; then
		vmcore_state=saved result=saved
		[ "$memory" = ok ] || saved_short
		say "saved the dump on $raw_dev (flattened$([ "$raw_vmcore_bytes" = 0 ] || echo ", $raw_vmcore_bytes bytes"), in $(($(date +%s) - sv_t0)) s): the next boot saves it as a vmcore"
		return 0
	fi
	vmcore_state=incomplete
	if grep -q -e 'No space left on device' "$sv_log" 2>/dev/null; then
		result=no-space
		reason="the raw dump device $raw_dev is full: the dump did not fit after its first $raw_stream_off bytes ($core_collector, exit status $sv_rc); give DUMP_TARGET=raw: a larger device, or filter more (makedumpfile -d 31)"
	else
		stream_failed "$core_collector -F | dd of=$raw_dev"
	fi
	say "$reason"
	return 1
}

# saved_short: the reason of a dump that only a retry with less memory saved.
saved_short() {
	reason="the crash kernel ran out of memory ($(crash_mem) MiB in it) and only a retry with less memory saved the dump: raise SIZE in lazy-kdump.conf (or use SIZE=auto), then systemctl reload lazy-kdump"
}

# stream_failed PIPELINE: result and reason of a streamed dump (raw, ssh)
# that failed for another reason than room.
stream_failed() {
	if [ "$memory" = short ]; then
		result=short-of-memory
		reason="the crash kernel ran out of memory ($(crash_mem) MiB in it): $core_collector failed twice (exit status $sv_rc), the second time with less memory; raise SIZE in lazy-kdump.conf (or use SIZE=auto), then systemctl reload lazy-kdump"
	elif [ "$sv_rc" -eq 124 ] && [ "$collector_timeout" -gt 0 ]; then
		result=collector-failed
		reason="$core_collector did not finish within lazy_kdump.timeout=$collector_timeout s"
	else
		result=collector-failed
		# The collector's last words, not dd's record counts after them.
		reason="$1 failed (exit status $sv_rc): $(tr '\r' '\n' <"$sv_log" | grep -v -e '^[[:space:]]*$' -e 'records in$' -e 'records out$' -e 'bytes .* copied' | tail -n 2 | tr '\n' ' ')"
		reason=${reason%"${reason##*[![:space:]]}"}
	fi
}

# save_vmcore_ssh: save_vmcore's outcome for a dump server over ssh: the
# stream is renamed vmcore.flat only when complete.
ssh_bytes=''
save_vmcore_ssh() {
	if [ "$sv_rc" -eq 0 ] && ssh_run "mv '$ssh_dir/vmcore.flat.incomplete' '$ssh_dir/vmcore.flat'" </dev/null 2>>"$sv_log"; then
		vmcore_state=saved result=saved
		[ "$memory" = ok ] || saved_short
		say "saved $ssh_dir/vmcore.flat on the dump server $net_host (${ssh_bytes:-?} bytes in $(($(date +%s) - sv_t0)) s; makedumpfile -R vmcore < vmcore.flat makes it a vmcore)"
		return 0
	fi
	vmcore_state=incomplete
	if [ -n "$ssh_limit" ] && [ "${ssh_bytes:-0}" -ge "$ssh_limit" ]; then
		result=no-space
		reason="the dump server is full: the dump would leave less than MIN_FREE free in $net_path, so it was cut at $ssh_limit bytes; the partial dump stays as $ssh_dir/vmcore.flat.incomplete; free space there, lower MIN_FREE or filter more"
	elif grep -q 'No space left on device' "$sv_log" 2>/dev/null; then
		result=no-space
		reason="the dump server's file system is full ($net_path): $core_collector -F | ssh failed (exit status $sv_rc); the partial dump stays as $ssh_dir/vmcore.flat.incomplete"
	else
		stream_failed "$core_collector -F | ssh $net_user@$net_host"
	fi
	say "$reason"
	return 1
}

# --- the end ----------------------------------------------------------------

finish() {
	if [ "$mounted" = 1 ]; then
		sync
		limited 30 umount "$mnt" 2>/dev/null || say "cannot unmount $mnt (the final action goes on)"
	fi
	case $final_action in
	none)
		say "final action: none (LAZY_KDUMP_FINAL=none): returning"
		return 0
		;;
	shell)
		say "final action: shell ('exit' reboots)"
		sh -i </dev/console >/dev/console 2>&1 || true
		final_action=reboot
		;;
	esac
	say "final action: $final_action"
	sync
	"$final_action" -f 2>/dev/null
	# Still here: ask the kernel directly.
	sleep 5
	case $final_action in
	reboot) echo b >/proc/sysrq-trigger ;;
	*) echo o >/proc/sysrq-trigger ;;
	esac 2>/dev/null
	sleep 30
}

started=$(date +%s)
stamp=$(date +%Y-%m-%d-%H:%M:%S)
if [ ! -e "$vmcore" ]; then
	say "no $vmcore: this is not a crash kernel; nothing to capture"
	exit 2
fi
read_config
read_cmdline
say "capturing the dump of host $host to $dump_target (collector: $core_collector; then $final_action)"

# unreachable: the dump target cannot be reached ($reason, result
# no-target): FAILURE_ACTION. dump-local tries the root file system's
# /var/crash (once: capture_on_target exits); otherwise, or when that
# fails too, the status, and the failure action or FINAL_ACTION.
unreachable() {
	if [ "$fallback" = dump-local ]; then
		fallback=failed
		reason="$fallback_why; FAILURE_ACTION=dump-local could not reach the root file system either: $reason"
	fi
	say "cannot reach the dump target: $reason"
	if [ "$failure_action" = dump-local ] && [ "$fallback" = none ]; then
		fallback_local && capture_on_target
	fi
	case $failure_action in
	final | dump-local) ;;
	*)
		say "FAILURE_ACTION=$failure_action: $failure_action instead of FINAL_ACTION=$final_action"
		[ -n "${LAZY_KDUMP_FINAL:-}" ] || final_action=$failure_action
		;;
	esac
	conclude
	exit 1
}

# fallback_local: FAILURE_ACTION=dump-local: the root file system (root= of
# the command line) and its /var/crash become the target. Returns 1 with
# $reason when that is the target already or cannot be mounted either.
fallback_local() {
	fl_why=$reason
	case $dump_target in
	/*:/* | [A-Z]*=*:/* | raw:* | ssh://* | nfs://*) ;;
	*)
		reason="$fl_why (FAILURE_ACTION=dump-local: the dump target is on the root file system already)"
		return 1
		;;
	esac
	if [ "$mounted" = 1 ]; then
		limited 30 umount "$mnt" 2>/dev/null || say "cannot unmount $mnt"
		mounted=0
	fi
	say "FAILURE_ACTION=dump-local: saving the dump on the root file system instead, in $local_dir"
	fallback=dump-local
	fallback_from=$dump_target
	fallback_why=$fl_why
	dump_target=$local_dir raw_dev='' raw_spec='' dump_dir='' dev_kind=$root_kind
	ssh_dir='' net_kind=
	result=failed reason='' retention=missing
	if ! setup_target; then
		result=no-target
		reason="$fl_why; FAILURE_ACTION=dump-local could not reach the root file system either: $reason"
		fallback=failed
		return 1
	fi
	return 0
}

# dump_and_conclude: the dump (a raw device, a dump server over ssh), then
# the end: KDUMP_POST, the status, the final action. Exits.
dump_and_conclude() {
	save_vmcore
	ct_status=$?
	if [ "$ct_status" -eq 0 ] && [ "$dmesg_state" != saved ]; then
		reason="the vmcore was saved but not the kernel log (dmesg.txt)"
	fi
	conclude
	exit "$ct_status"
}

# capture_on_target: the capture onto the target setup_target reached.
# Exits with the capture's status.
capture_on_target() {
	if [ -n "$raw_dev" ]; then
		# Everything but the dump stays in memory until it is written to
		# the device: dmesg.txt, the log, what the hooks see.
		retention=deferred
		dump_dir=$rundir/raw/$host-$stamp
		mkdir -p "$dump_dir"
		say "raw dump device $raw_dev (raw:$raw_spec): KEEP_DUMPS and MIN_FREE apply where the next boot saves it"
		raw_header writing || say "cannot write the header of the raw device $raw_dev"
		run_hooks pre "$kdump_pre" "$dump_dir"
		if save_dmesg; then
			raw_dmesg_bytes=$(raw_put "$dump_dir/dmesg.txt" "$raw_dmesg_off" $((raw_log_off - raw_dmesg_off)))
			raw_header writing
		fi
		dump_and_conclude
	fi
	if [ "$net_kind" = ssh ]; then
		# Everything but the dump is made here first, then sent:
		# dmesg.txt before the dump, the log and the status last.
		ssh_retention
		ssh_dir=$(ssh_run "d='$net_path/$host-$stamp'; n=1; while [ -e \"\$d\" ]; do n=\$((n + 1)); d='$net_path/$host-$stamp'-\$n; done; mkdir \"\$d\" && echo \"\$d\"" </dev/null 2>>"$runlog") || ssh_dir=''
		if [ -z "$ssh_dir" ]; then
			result=no-target
			reason="cannot create a directory in $net_path on the dump server $net_host"
			unreachable
		fi
		dump_dir=$rundir/ssh/$host-$stamp
		mkdir -p "$dump_dir"
		say "dump directory: $ssh_dir on the dump server $net_user@$net_host"
		run_hooks pre "$kdump_pre" "$dump_dir"
		if save_dmesg && ! ssh_put "$dump_dir/dmesg.txt" dmesg.txt; then
			dmesg_state=failed
			say "cannot send dmesg.txt to the dump server"
		fi
		dump_and_conclude
	fi
	# (A target at the file system's root, DEVICE:/, has no "//" in its paths.)
	base=$mnt${target_path%/}
	if ! mkdir -p "$base" 2>/dev/null; then
		result=no-target
		reason="cannot create $target_path on the dump target (read-only or full?)"
		unreachable
	fi
	apply_retention "$base"
	dump_dir=$(unique_dir "$base/$host-$stamp")
	if ! mkdir "$dump_dir" 2>/dev/null; then
		dump_dir=''
		result=no-target
		if no_space "$base"; then
			reason="the dump target is full: cannot create a directory in $target_path"
		else
			reason="cannot create a directory in $target_path on the dump target"
		fi
		unreachable
	fi
	say "dump directory: ${dump_dir#"$mnt"} on the dump target"
	run_hooks pre "$kdump_pre" "$dump_dir"

	save_dmesg
	save_vmcore
	ct_status=$?
	if [ "$ct_status" -eq 0 ] && [ "$dmesg_state" != saved ]; then
		reason="the vmcore was saved but not the kernel log (dmesg.txt)"
	fi
	if [ "$fallback" = dump-local ]; then
		fb_note="the dump target $fallback_from was out of reach ($fallback_why): saved on the root file system instead (FAILURE_ACTION=dump-local)"
		reason=${reason:+$reason; }$fb_note
		say "$fb_note"
	fi
	conclude
	exit "$ct_status"
}

target_path=''
if ! setup_target; then
	result=no-target
	unreachable
fi
capture_on_target
