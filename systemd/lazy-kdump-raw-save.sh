#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# raw-save - save the dump a crash kernel wrote onto the raw device of
# DUMP_TARGET=raw:DEVICE as files: RAW_SAVE_DIR/HOST-YYYY-mm-dd-HH:MM:SS/
# with vmcore (makedumpfile -R of the flattened stream), dmesg.txt,
# lazy-kdump.log and status, as a capture to a file system leaves them.
# Then `lazy-kdump status`, `lazy-kdump dumps`, the metrics and the next
# boot's verdict see it like any other dump.
#
# Usage: @LIBEXECDIR@/raw-save
#
# Run by lazy-kdump-raw-save.service before lazy-kdump.service arms, at
# every boot:
# nothing to do (exit 0, quiet) unless DUMP_TARGET is raw:DEVICE and DEVICE
# holds a dump not saved yet (the layout is in lazy-kdump-capture.sh).
# Before saving, KEEP_DUMPS and MIN_FREE are applied to RAW_SAVE_DIR
# (lazy-kdump-prune.sh; a vmcore that would cross MIN_FREE stops there).
# Once saved, the device's header records where ("saved=DIR"), so the dump
# is saved once; a later panic overwrites it. A capture cut short
# (state=writing) is saved as what it left (dmesg.txt when it got that far)
# with result=incomplete. One line to the journal says what was saved.
#
# Environment: LAZY_KDUMP_CONFIG (as lazy-kdump), LAZY_KDUMP (the
# lazy-kdump command, default @SBINDIR@/lazy-kdump), LAZY_KDUMP_PRUNE (the
# retention script, default @DRACUTMODDIR@/lazy-kdump-prune.sh),
# LAZY_KDUMP_RAW_FILE (tests: a regular file instead of the device),
# LAZY_KDUMP_STATEDIR (@STATEDIR@: raw-target, the device as the capture
# initrd was built to name it).
#
# Exit status: 0 saved, or nothing to save; 1 a dump is on the device and
# could not be saved (the device keeps it: the next boot tries again), or
# the device did not appear within LKD_MPATH_WAIT seconds (default 60);
# 2 invalid command line.
# lazy-kdump-lib.sh sets the lkd_* variables.
# shellcheck disable=SC2154
set -uo pipefail

prog=lazy-kdump-raw-save
conf=${LAZY_KDUMP_CONFIG:-@SYSCONFDIR@/lazy-kdump.conf}
moddir=@DRACUTMODDIR@

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() {
	say "$*"
	exit 1
}
case ${1-} in
'') ;;
-h | --help)
	sed -n '4,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
*)
	say "unknown argument '$1' (usage: raw-save)"
	exit 2
	;;
esac

[ -r "$moddir/lazy-kdump-lib.sh" ] || die "the dracut module is missing ($moddir): reinstall lazy-kdump ('make install')"
# shellcheck source-path=SCRIPTDIR source=../dracut/99lazy-kdump/lazy-kdump-lib.sh
. "$moddir/lazy-kdump-lib.sh"
lkd_conf_load "$conf" || die "$lkd_error"
target=$(lkd_conf_get DUMP_TARGET)
case $target in
raw:*) spec=${target#raw:} ;;
*) exit 0 ;;
esac
# The device as the capture initrd names it (mkinitrd: a kernel name such
# as /dev/sdb becomes its /dev/disk/by-id/ link).
armed=$(cat "${LAZY_KDUMP_STATEDIR:-@STATEDIR@}/raw-target" 2>/dev/null) || armed=''
case $armed in raw:?*) spec=${armed#raw:} ;; esac
save=$(lkd_conf_get RAW_SAVE_DIR)
save=${save:-/var/crash}
if [ -n "${LAZY_KDUMP_RAW_FILE:-}" ]; then
	# Tests: a regular file stands for the device.
	dev=$LAZY_KDUMP_RAW_FILE
else
	# Early at boot: the device may come late (udev), or lead to one path
	# of a multipath disk until multipathd has made the map.
	udevadm settle --timeout=30 >/dev/null 2>&1 || true
	wait=${LKD_MPATH_WAIT:-60} t0=$SECONDS
	while :; do
		rc=0
		LKD_MPATH_WAIT=$((wait - (SECONDS - t0))) lkd_find_device "$spec" || rc=$?
		dev=$lkd_dev
		[ "$rc" != 0 ] || break
		if [ "$rc" = 2 ] || [ $((SECONDS - t0)) -ge "$wait" ]; then
			say "DUMP_TARGET=$target: no block device $spec on this machine${dev:+ but $dev, one path of a multipath disk,} after $wait s: cannot look for a dump on it"
			exit 1
		fi
		sleep 1
	done
fi

# The header: "lazy-kdump-raw 1", then key=value lines.
header=$(dd if="$dev" bs=4096 count=1 2>/dev/null | tr -d '\000') ||
	die "cannot read the header of $dev (DUMP_TARGET=$target)"
[ "${header%%$'\n'*}" = "lazy-kdump-raw 1" ] || exit 0
# hv KEY: the value of KEY= in the header (the first one).
hv() { sed -n "s/^$1=//p" <<<"$header" | head -n 1; }
if [ -n "$(hv saved)" ]; then
	exit 0
fi
num() { case $1 in '' | *[!0-9]*) echo 0 ;; *) echo "$1" ;; esac; }
state=$(hv state)
host=$(hv host | tr -d '\n' | tr -c 'A-Za-z0-9._-' '_')
host=${host:-localhost}
stamp=$(hv stamp)
case $stamp in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]) ;;
*) die "the header of $dev names no valid time of the dump (stamp=$stamp): not saving it" ;;
esac
dmesg_off=$(num "$(hv dmesg_offset)") dmesg_bytes=$(num "$(hv dmesg_bytes)")
log_off=$(num "$(hv log_offset)") log_bytes=$(num "$(hv log_bytes)")
vmcore_off=$(num "$(hv vmcore_offset)")
result=$(hv result)

mkdir -p "$save" || die "cannot create RAW_SAVE_DIR=$save for the dump on $dev"
# KEEP_DUMPS and MIN_FREE, as a capture applies them (and the size limit
# that keeps MIN_FREE free, for makedumpfile -R below).
prune=${LAZY_KDUMP_PRUNE:-$moddir/lazy-kdump-prune.sh}
capconf=$(mktemp) || die "cannot create a temporary file"
trap 'rm -f "$capconf"' EXIT
if [ -r "$prune" ] && "${LAZY_KDUMP:-@SBINDIR@/lazy-kdump}" config --capture >"$capconf" 2>/dev/null; then
	# shellcheck source-path=SCRIPTDIR source=../dracut/lazy-kdump-prune.sh
	. "$prune"
	lazy_kdump_prune "$save" "$capconf"
else
	say "warning: KEEP_DUMPS and MIN_FREE not applied to $save (no $prune, or lazy-kdump config failed)"
fi

dir=$save/$host-$stamp
if [ -e "$dir/vmcore" ] && [ -s "$dir/status" ]; then
	say "the dump on $dev is already in $dir"
else
	mkdir -p "$dir" || die "cannot create $dir for the dump on $dev"
	rm -f "$dir/vmcore.incomplete"
	# extract OFFSET BYTES FILE: BYTES of the device from OFFSET.
	extract() {
		[ "$2" -gt 0 ] || return 1
		dd if="$dev" iflag=skip_bytes,count_bytes skip="$1" count="$2" bs=65536 of="$3" 2>/dev/null
	}
	# Every file must be written whole, or the device keeps the dump
	# unmarked for the next boot (RAW_SAVE_DIR full: the vmcore is not the
	# only thing that may not fit).
	files_ok=1
	if [ "$dmesg_bytes" -gt 0 ]; then
		if ! extract "$dmesg_off" "$dmesg_bytes" "$dir/dmesg.txt" ||
			[ "$(stat -c %s "$dir/dmesg.txt" 2>/dev/null)" != "$dmesg_bytes" ]; then
			files_ok=0
			say "cannot write $dir/dmesg.txt ($dmesg_bytes bytes) from $dev"
		fi
	else
		rm -f "$dir/dmesg.txt"
	fi
	if [ "$log_bytes" -gt 0 ]; then
		extract "$log_off" "$log_bytes" "$dir/lazy-kdump.log" || files_ok=0
	else
		: >"$dir/lazy-kdump.log" || files_ok=0
	fi
	status=$(sed '1d; /^state=/d; /^stamp=/d; /^[a-z]*_offset=/d; /^[a-z]*_bytes=/d' <<<"$header")
	if [ "$state" != complete ]; then
		result=incomplete
		status="result=incomplete
reason=the capture was cut short before it finished writing to $dev (the crash kernel hung, was reset or lost power)$( [ -e "$dir/dmesg.txt" ] && echo '; dmesg.txt was saved')
vmcore=incomplete
dmesg=$([ -e "$dir/dmesg.txt" ] && echo saved || echo missing)
host=$host"
	elif [ "$result" = saved ]; then
		t0=$SECONDS
		errf=$dir/.raw-save.err
		# makedumpfile -R stops at the stream's end: dd then gets SIGPIPE.
		dd if="$dev" iflag=skip_bytes skip="$vmcore_off" bs=1048576 2>/dev/null |
			makedumpfile -R "$dir/vmcore.incomplete" >/dev/null 2>"$errf"
		rc=${PIPESTATUS[1]}
		err=$(tr '\r' '\n' <"$errf" | grep -v '^[[:space:]]*$' | tail -n 2 | tr '\n' ' ')
		rm -f "$errf"
		if [ "$rc" = 0 ] && [ -s "$dir/vmcore.incomplete" ] && mv "$dir/vmcore.incomplete" "$dir/vmcore"; then
			say "saved the flattened dump of $dev as $dir/vmcore ($(stat -c %s "$dir/vmcore") bytes in $((SECONDS - t0)) s)"
		else
			rm -f "$dir/vmcore.incomplete"
			status=$(sed '/^result=/d; /^reason=/d; /^vmcore=/d' <<<"$status")
			status="result=save-failed
reason=the crash kernel saved the dump on $dev, but makedumpfile -R could not write it to $dir (exit status $rc: $err); free space there (or lower MIN_FREE) and run $0 again: the dump stays on $dev until the next panic
vmcore=missing
$status"
			result='save-failed'
		fi
	fi
	printf '%s\nraw=%s\nsaved_at=%s\n' "$status" "$target" "$(date +%s)" >"$dir/status" || files_ok=0
	printf '%s [raw-save] saved from %s to %s: result=%s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$dev" "$dir" "$result" >>"$dir/lazy-kdump.log" || files_ok=0
	sync
	if [ "$result" = save-failed ]; then
		say "the dump of $host at $stamp on $dev could not be saved: $(sed -n 's/^reason=//p' "$dir/status")"
		exit 1
	fi
	if [ "$files_ok" != 1 ]; then
		# No status: the next run saves it all again.
		rm -f "$dir/status"
		say "the dump of $host at $stamp on $dev could not be saved whole in $dir (full?): it stays on $dev, unmarked, for the next boot; free space there and run $0 again"
		exit 1
	fi
fi
# The header records where it went: saved once.
printf '%s\nsaved=%s\n' "$header" "$dir" | head -c 4096 |
	dd of="$dev" bs=4096 count=1 conv=sync,notrunc 2>/dev/null ||
	die "saved $dir, but cannot mark the dump on $dev as saved (it would be saved again at the next boot)"
sync
say "the dump of $host at $stamp (${result:-unknown}) was on the raw device $dev: saved in $dir"
exit 0
