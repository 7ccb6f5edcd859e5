#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitrd - build lazy-kdump's capture initrd with dracut, when it is
# missing or stale.
#
# Usage: @LIBEXECDIR@/mkinitrd [--force | --check] [--kver KVER | --kernel PATH]
#   (none)       build when missing or stale (the default; quiet when up
#                to date)
#   --force      build even when up to date
#   --check      build nothing: exit 0 when up to date, 1 when missing or
#                stale (saying why)
#   --fetch-dumps DIR  build nothing: mirror this host's dumps on the dump
#                server (ssh://, nfs://) into DIR, their status files and
#                sparse stand-ins of their dumps' sizes (lazy-kdump status,
#                dumps and the next boot's report read that)
#   --check-target  build nothing: check the dump target as arming does
#                (lazy-kdump test); a dump server that does not answer
#                fails here (arming only warns); exit 0 when it is fine
#   --kver KVER  the initrd lazy-kdump will use after booting KVER
#                (@STATEDIR@/initrd-KVER.img for /boot/vmlinuz-KVER), e.g.
#                from a kernel hook. Without it: the initrd 'lazy-kdump load'
#                uses now, for the crash kernel it loads (KERNEL= or
#                /boot/vmlinuz-$(uname -r)).
#   --kernel PATH  that crash kernel instead of KERNEL= (lazy-kdump load
#                --kernel PATH); the initrd gets the modules of its release
#
# The initrd is @STATEDIR@/initrd-$(uname -r).img, lazy-kdump's default.
# With INITRD= in the configuration lazy-kdump uses that file as it is and
# this builds nothing. It is stale when older than any of: the crash
# kernel, the configuration, the dracut module (@DRACUTMODDIR@, with the
# capture script), makedumpfile, /etc/fstab, LUKS_KEY_FILE, or when the
# dump target's block stack differs from the one it was built for
# (@STATEDIR@/initrd-KVER.img.stack; not checked by --check).
#
# dracut runs hostonly (the drivers of this machine's root and dump
# devices only), with the lazy-kdump module and what it depends on, plus
# dracut's lvm, mdraid and crypt modules when the dump target sits on LVM,
# MD RAID or LUKS (lazy-kdump-lib.sh's lkd_check_stack; with
# FAILURE_ACTION=dump-local also those the root file system sits on), no early
# microcode; the new initrd replaces the old one only when complete. The
# dump target and its block stack are checked at every run that does not
# only --check, also when nothing is built.
#
# The configuration is read by 'lazy-kdump config' (an invalid one stops
# this with lazy-kdump's message); the capture initrd gets its normalised
# copy (/etc/lazy-kdump-capture.conf, lazy-kdump config --capture).
#
# Environment: LAZY_KDUMP_CONFIG (as lazy-kdump), DRACUT (the dracut
# command), LAZY_KDUMP (the lazy-kdump command, default
# @SBINDIR@/lazy-kdump), LAZY_KDUMP_STATEDIR (@STATEDIR@; tests),
# LKD_MPATH_WAIT (seconds to wait for the multipath map of a dump target
# named by a path early at boot, default 60; tests).
#
# Exit status: 0 built or up to date (--check: up to date); 1 failed
# (--check: stale or missing); 2 invalid command line.
# lazy-kdump-lib.sh sets the lkd_* variables (before the first command:
# for the whole file).
# shellcheck disable=SC2154
set -euo pipefail

prog=lazy-kdump-mkinitrd
conf=${LAZY_KDUMP_CONFIG:-@SYSCONFDIR@/lazy-kdump.conf}
statedir=${LAZY_KDUMP_STATEDIR:-@STATEDIR@}
moddir=@DRACUTMODDIR@
dracut=${DRACUT:-dracut}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() {
	say "$*"
	exit 1
}
usage() {
	sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

mode=build kver='' kernel_opt='' fetch_dir=''
while [ $# -gt 0 ]; do
	case $1 in
	--force) mode=force ;;
	--check) mode=check ;;
	--check-target) mode=target ;;
	--fetch-dumps)
		[ $# -ge 2 ] || { say "--fetch-dumps needs a directory"; usage 2 >&2; }
		mode=fetch fetch_dir=$2
		shift
		;;
	--kver)
		[ $# -ge 2 ] || { say "--kver needs a kernel release"; usage 2 >&2; }
		kver=$2
		shift
		;;
	--kver=*) kver=${1#--kver=} ;;
	--kernel)
		[ $# -ge 2 ] || { say "--kernel needs a path"; usage 2 >&2; }
		kernel_opt=$2
		shift
		;;
	--kernel=*) kernel_opt=${1#--kernel=} ;;
	-h | --help) usage 0 ;;
	*)
		say "unknown argument '$1'"
		usage 2 >&2
		;;
	esac
	shift
done

[ -r "$moddir/lazy-kdump-lib.sh" ] || die "the dracut module is missing ($moddir): reinstall lazy-kdump ('make install')"
# shellcheck source-path=SCRIPTDIR source=99lazy-kdump/lazy-kdump-lib.sh
. "$moddir/lazy-kdump-lib.sh"

# kernel_of KVER: the kernel image of that release, where Debian and
# Fedora-like systems keep it (lazy-kdump's default order).
kernel_of() {
	if [ -e "/boot/vmlinuz-$1" ] || [ ! -e "/usr/lib/modules/$1/vmlinuz" ]; then
		echo "/boot/vmlinuz-$1"
	else
		echo "/usr/lib/modules/$1/vmlinuz"
	fi
}

# bzimage_release FILE: the kernel release in a bzImage's version string
# (setup header: "HdrS" at 0x202, kernel_version at 0x20e, + 0x200).
bzimage_release() {
	local off
	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || return 1
	off=$(od -An -tu2 -j526 -N2 "$1" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	dd if="$1" bs=1 skip=$((off + 512)) count=160 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

# The configuration, checked by lazy-kdump itself.
lkd_conf_load "$conf" || die "$lkd_error"
initrd_conf=$(lkd_conf_get INITRD)
kernel_conf=$(lkd_conf_get KERNEL)
luks_key=$(lkd_conf_get LUKS_KEY_FILE)
# An ssh dump target: the key and the server's host key go into the initrd.
ssh_files=()
case $(lkd_conf_get DUMP_TARGET) in
ssh://*) ssh_files=("$(lkd_conf_get SSH_KEY)" "${LKD_KNOWN_HOSTS:-/etc/lazy-kdump/ssh/known_hosts}") ;;
esac
[ -z "$kernel_opt" ] || kernel_conf=$kernel_opt
if [ -n "$kver" ]; then
	if [ -n "$initrd_conf" ] || [ -n "$kernel_conf" ]; then
		say "KERNEL= or INITRD= is set in $conf: lazy-kdump uses those files whatever kernel runs; nothing to build for $kver"
		exit 0
	fi
	kernel=$(kernel_of "$kver")
	out=$statedir/initrd-$kver.img
else
	if [ -n "$initrd_conf" ]; then
		[ "$mode" != check ] || exit 0
		say "INITRD=$initrd_conf is set in $conf: lazy-kdump uses that file as it is; nothing to build"
		exit 0
	fi
	running=$(uname -r)
	kernel=${kernel_conf:-$(kernel_of "$running")}
	out=$statedir/initrd-$running.img
	[ -r "$kernel" ] || die "cannot read the crash kernel $kernel: install it, or set KERNEL= in $conf"
	kver=$(bzimage_release "$kernel") || kver=''
	if [ -z "$kver" ]; then
		say "cannot read the kernel release in $kernel; assuming $running"
		kver=$running
	fi
fi
[ -r "$kernel" ] || die "cannot read the kernel $kernel of $kver: is linux-image-$kver installed?"
[ -d "/usr/lib/modules/$kver" ] || [ -d "/lib/modules/$kver" ] ||
	die "no modules for $kver in /usr/lib/modules: is the kernel package of $kver installed?"

# stale_reason: why $out must be built, or nothing when it is up to date.
stale_reason() {
	local t f m c mk
	if [ ! -e "$out" ]; then
		echo "$out does not exist"
		return 0
	fi
	t=$(stat -c %Y "$out")
	mk=$(command -v makedumpfile || true)
	# For a target on multipath (the stack record says so), what dracut's
	# multipath module copies: /etc/multipath.conf, /etc/multipath/*
	# (wwids, bindings) and conf.d.
	local mp=()
	if grep -qw multipath "$out.stack" 2>/dev/null; then
		mp=(/etc/multipath.conf /etc/multipath /etc/multipath/* /etc/multipath/conf.d/*)
	fi
	for f in "$kernel" "$conf" /etc/fstab ${mk:+"$mk"} ${luks_key:+"$luks_key"} "$moddir" "$moddir"/* "${mp[@]}" "${ssh_files[@]}"; do
		[ -e "$f" ] || continue
		read -r m c < <(stat -L -c '%Y %Z' "$f")
		if [ "$m" -gt "$t" ] || [ "$c" -gt "$t" ]; then
			echo "$f changed after $out was built"
			return 0
		fi
	done
}

if [ "$mode" = fetch ]; then
	t=$(lkd_conf_get DUMP_TARGET)
	case $t in ssh://* | nfs://*) ;; *) die "DUMP_TARGET=$t is not on a dump server: nothing to fetch" ;; esac
	LKD_NET_WAIT=${LKD_NET_WAIT:-20} lkd_resolve_net "$t" || die "$lkd_error"
	# The name the capture gives its dumps: /etc/hostname (in its initrd).
	host=$(head -n 1 /etc/hostname 2>/dev/null) || host=''
	[ -n "$host" ] || host=$(uname -n)
	host=$(printf '%s' "$host" | tr -c 'A-Za-z0-9._-' '_')
	lkd_fetch_dumps "$fetch_dir" "$host" "$(lkd_net_part SSH_KEY)" "$(lkd_net_part NFS_OPTIONS)" || die "$lkd_error"
	exit 0
fi
if [ "$mode" = target ]; then
	lkd_resolve_target "$(lkd_conf_get DUMP_TARGET)" || die "$lkd_error (in $conf)"
	[ -z "$lkd_warning" ] || die "$lkd_warning"
	exit 0
fi
reason=$(stale_reason)
if [ "$mode" = check ]; then
	if [ -n "$reason" ]; then
		say "stale: $reason"
		exit 1
	fi
	exit 0
fi
# The dump target and the block stack under it are checked at every
# arming, also when the initrd is up to date: a LUKS key slot removed since
# it was built fails here, not after a crash.
# A dump target on an iSCSI disk is not there early at boot (the session
# logs in once the network is up, after lazy-kdump.service armed): the
# capture initrd built for it is kept as it is, when nothing else made it
# stale. The crash kernel logs in itself; the session is checked again
# when arming later (lazy-kdump-rearm, systemctl reload lazy-kdump).
if ! lkd_resolve_target "$(lkd_conf_get DUMP_TARGET)"; then
	case $lkd_error in
	"DUMP_TARGET="*": no block device "*)
		if [ "$mode" != force ] && grep -q '^iscsi=' "$out.stack" 2>/dev/null &&
			[ -z "$(stale_reason)" ]; then
			say "the dump target's device is not there (yet): $lkd_error; $out was built for it on iSCSI, which the crash kernel logs in to itself: kept as it is"
			exit 0
		fi
		;;
	esac
	die "$lkd_error (in $conf)"
fi
[ -z "$lkd_warning" ] || say "warning: $lkd_warning"
# A raw target: where the capture writes, as the crash kernel names it,
# for raw-save at the next boot (a kernel name may name another disk then).
case $lkd_target_spec in
raw:*)
	mkdir -p "$statedir"
	printf '%s\n' "$lkd_target_spec" >"$statedir/raw-target"
	;;
*) rm -f "$statedir/raw-target" ;;
esac
[ "$lkd_mpath_waited" = 0 ] ||
	say "the dump target $lkd_target_spec was a path of a multipath disk until multipathd made its map, $lkd_target_dev (waited ${lkd_mpath_waited} s)"
# FAILURE_ACTION=dump-local: the capture may fall back to the root file
# system, so what brings that up goes in too (its drivers always do:
# hostonly). Its stack is merged into the target's (the dracut modules,
# what to assemble, the LUKS volumes); the target's device stays the one
# the capture waits for.
lkd_root_kind=''
if [ "$(lkd_conf_get FAILURE_ACTION)" = dump-local ] && [ "$lkd_target_root" != 1 ]; then
	lkd_add_root_stack ||
		die "FAILURE_ACTION=dump-local falls back to /var/crash on the root file system, which does not work here: $lkd_error (in $conf)"
fi
# A dump target on iSCSI: the capture logs in with iscsistart.
if [ -n "$lkd_target_iscsi" ] && ! command -v iscsistart >/dev/null 2>&1; then
	die "the dump target is on iSCSI, and iscsistart, which the crash kernel logs in with, is not installed: apt-get install open-iscsi"
fi
# What the initrd was built to assemble and open (OUT.stack): a key slot
# that moved (luksKillSlot, then luksAddKey of the same file), an array or
# a volume that changed leave every file as it was, but not this.
# For a dump server or iSCSI: the interface, addresses and route that
# reach it. The iSCSI sessions by a hash (their CHAP secrets stay out of
# this file).
stack_now=$(printf '%s\n%s\n%s' "$lkd_target_cmdline" "$lkd_target_luks" "$lkd_target_dracut")
[ -z "$lkd_net_record" ] || stack_now=$(printf '%s\n%s' "$stack_now" "$lkd_net_record")
[ -z "$lkd_target_iscsi" ] ||
	stack_now=$(printf '%s\niscsi=%s' "$stack_now" "$(printf '%s' "$lkd_target_iscsi" | sha256sum | cut -d' ' -f1)")
# stack_reason: why $out does not fit the stack now, or nothing.
stack_reason() {
	[ ! -e "$out" ] || [ "$(cat "$out.stack" 2>/dev/null)" = "$stack_now" ] ||
		echo "the dump target's block stack (multipath, arrays, volumes, LUKS key slots, iSCSI sessions) or the network path to its server changed after $out was built"
}
[ -n "$reason" ] || reason=$(stack_reason)
[ "$mode" = force ] || [ -n "$reason" ] || exit 0
[ -n "$reason" ] || reason="--force"

[ "$(id -u)" = 0 ] || die "building $out needs root"
command -v "$dracut" >/dev/null || die "dracut is not installed: install it (apt-get install dracut), or give a capture initrd with INITRD= in $conf"

mkdir -p "$statedir" /run/lazy-kdump
# The lock is not in $statedir: lazy-kdump-rearm.path watches that.
exec 9>/run/lazy-kdump/mkinitrd.lock
flock 9
# Someone else may have built it while this waited.
if [ "$mode" != force ] && [ -z "$(stale_reason)" ] && [ -z "$(stack_reason)" ]; then
	exit 0
fi

# A makedumpfile too old for this kernel still captures, but writes far
# more: say so (the journal, at every build), do not refuse.
if command -v makedumpfile >/dev/null 2>&1 &&
	! lkd_makedumpfile_check "$kver" "$(makedumpfile -v 2>&1)"; then
	say "warning: $lkd_error"
fi

# The key file travels in the initrd: it is as safe as the file system
# that holds the initrd (mode 0600, but readable offline).
if [ -n "$lkd_target_luks" ] &&
	! lkd_on_crypt "$(findmnt -n -o SOURCE --target "$statedir" 2>/dev/null | sed 's/\[.*//')"; then
	say "warning: the capture initrd holds a copy of LUKS_KEY_FILE=$luks_key and $statedir is not on an encrypted volume: whoever can read that disk can open the dump target; keep $statedir on encrypted storage"
fi

tmp=$(mktemp "$out.tmp.XXXXXX")
trap 'rm -f "$tmp"' EXIT
say "building $out for $kver ($reason); dump target $lkd_target_spec${lkd_target_dev:+ on $lkd_target_dev}${lkd_net_record:+ through $(sed -n 's/^ifname=//p' <<<"$lkd_net_record")}"
start=$(date +%s)
args=(--force --quiet --hostonly --hostonly-mode strict --no-hostonly-cmdline
	--no-early-microcode -m lazy-kdump --kver "$kver")
[ "$lkd_target_root" = 1 ] || [ -z "$lkd_target_dev" ] || args+=(--add-device "$lkd_target_dev")
# What brings the target's block stack up (multipath, LVM, MD RAID, LUKS), and
# dracut-systemd, which runs those modules' udev and initqueue hooks.
# dracut-ng (102 and later, Debian 13) moved systemd-cryptsetup out of the
# crypt module into a module of its own, which -m leaves out unless named.
stack_mods=$lkd_target_dracut
if [ -n "$lkd_target_luks" ] &&
	ls -d /usr/lib/dracut/modules.d/[0-9][0-9]systemd-cryptsetup >/dev/null 2>&1; then
	stack_mods="$stack_mods systemd-cryptsetup"
fi
[ -z "$stack_mods" ] || args+=(--add "$stack_mods dracut-systemd")
if ! LAZY_KDUMP_CONFIG=$conf LAZY_KDUMP_DUMP_TARGET=$lkd_target_spec LAZY_KDUMP_LUKS=$lkd_target_luks \
	LAZY_KDUMP_STACK_CMDLINE=$lkd_target_cmdline LAZY_KDUMP_DEVICE_KIND=$lkd_target_kind \
	LAZY_KDUMP_ROOT_KIND=$lkd_root_kind LAZY_KDUMP_NET=$lkd_net_record LAZY_KDUMP_ISCSI=$lkd_target_iscsi \
	"$dracut" "${args[@]}" "$tmp"; then
	die "dracut failed to build the capture initrd for $kver (command: $dracut ${args[*]} $tmp); see its messages above"
fi
# dracut goes on when a module's install() fails: an initrd without the
# capture (its settings, its unit enabled, for a dump server the network
# record) would boot the crash kernel into nothing. Never keep one.
if command -v lsinitrd >/dev/null 2>&1; then
	listing=$(lsinitrd "$tmp" 2>/dev/null) || listing=''
	need=(' etc/lazy-kdump-capture.conf$' 'initrd.target.wants/lazy-kdump-capture.service')
	[ -z "$lkd_net_record" ] || need+=(' etc/lazy-kdump-net$')
	[ -z "$lkd_target_iscsi" ] || need+=(' etc/lazy-kdump-iscsi$' '/iscsistart$')
	for f in "${need[@]}"; do
		f2=${f# }
		grep -q -- "$f" <<<"$listing" ||
			die "dracut built a capture initrd without ${f2%\$} (lazy-kdump's dracut module failed: see its message above); nothing was changed"
	done
fi
# A LUKS target is opened by systemd-cryptsetup from the initrd's
# crypttab: without either, the capture would wait for a device that
# never appears.
if [ -n "$lkd_target_luks" ] && command -v lsinitrd >/dev/null 2>&1; then
	listing=$(lsinitrd "$tmp" 2>/dev/null) || listing=''
	# systemd 256 and later keep systemd-cryptsetup in /usr/bin.
	for f in '/systemd-cryptsetup' ' etc/crypttab' " ${luks_key#/}"; do
		grep -q -- "$f\$" <<<"$listing" ||
			die "dracut built a capture initrd without ${f# } (needed to open the LUKS volume under the dump target): is systemd-cryptsetup installed (apt-get install systemd-cryptsetup on Debian 13)?"
	done
fi
# A multipath target: multipathd must be able to run (its path checkers
# are plugins dracut may miss), or the crash kernel makes no map.
case " $lkd_target_dracut " in
*" multipath "*)
	if command -v lsinitrd >/dev/null 2>&1; then
		listing=$(lsinitrd "$tmp" 2>/dev/null) || listing=''
		if ! grep -q -- '/multipathd$' <<<"$listing" || ! grep -q -- '/libcheck[a-z_]*\.so$' <<<"$listing"; then
			die "dracut built a capture initrd without multipathd or its path checkers (libcheck*.so), which the crash kernel needs to bring up the multipath map under the dump target: is multipath-tools installed?"
		fi
	fi
	;;
esac
chmod 0600 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
if [ -n "$stack_now" ]; then
	printf '%s\n' "$stack_now" >"$out.stack"
else
	rm -f "$out.stack"
fi
say "built $out: $(($(stat -c %s "$out") / 1024)) KiB in $(($(date +%s) - start)) s"
