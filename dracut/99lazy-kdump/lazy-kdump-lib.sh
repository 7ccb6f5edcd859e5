# shellcheck shell=bash
# lazy-kdump-lib.sh - shared by the dracut module (module-setup.sh) and the
# capture initrd builder (mkinitrd): the configuration (through lazy-kdump
# config) and the file system the dump goes to. Sourced, never run; names
# start with lkd_.
# The lkd_target_* variables are this file's output:
# shellcheck disable=SC2034

# The configuration has one parser, lazy-kdump's ('lazy-kdump config'):
# these functions never read lazy-kdump.conf themselves.
# $LAZY_KDUMP names the lazy-kdump command (default @SBINDIR@/lazy-kdump).

# lkd_config FILE ARGS...: lkd_out is the output of lazy-kdump --config
# FILE config ARGS...; a missing FILE means the defaults. Returns 1 with
# lkd_error (lazy-kdump's own message, saying what is wrong where).
lkd_config() {
	local file=$1 bin=${LAZY_KDUMP:-@SBINDIR@/lazy-kdump} empty='' err rc=0
	shift
	lkd_error='' lkd_out=''
	if [ ! -x "$bin" ] && ! command -v "$bin" >/dev/null 2>&1; then
		lkd_error="cannot run $bin to read $file: is lazy-kdump installed?"
		return 1
	fi
	if [ ! -e "$file" ]; then
		empty=$(mktemp) || {
			lkd_error="cannot create a temporary file"
			return 1
		}
		file=$empty
	fi
	err=$(mktemp) || {
		lkd_error="cannot create a temporary file"
		[ -z "$empty" ] || rm -f "$empty"
		return 1
	}
	lkd_out=$(LAZY_KDUMP_CONFIG='' "$bin" --config "$file" config "$@" 2>"$err") || rc=$?
	if [ "$rc" -ne 0 ]; then
		lkd_error=$(sed 's/^lazy-kdump: //' "$err")
		lkd_error=${lkd_error:-"$bin config failed (exit status $rc)"}
	fi
	rm -f "$err" ${empty:+"$empty"}
	[ "$rc" -eq 0 ]
}

# lkd_conf_load FILE: check FILE and keep its normalised form (every key,
# defaults filled in) for lkd_conf_get. Returns 1 with lkd_error.
lkd_conf_load() {
	lkd_conf_text=''
	lkd_config "$1" || return 1
	lkd_conf_text=$lkd_out
}

# lkd_conf_get KEY: the value of KEY in what lkd_conf_load read (empty for
# an empty value: KERNEL and INITRD then mean the defaults).
lkd_conf_get() {
	local line
	while IFS= read -r line; do
		case $line in
		"$1="*)
			printf '%s' "${line#*=}"
			return 0
			;;
		esac
	done <<<"${lkd_conf_text:-}"
}

# lkd_check_stack DEV: the block devices DEV sits on (lsblk -s) are ones
# the capture initrd can bring up: disks and partitions. LVM, MD RAID,
# dm-crypt (LUKS), multipath or any other device-mapper layer are not
# supported yet: returns 1 with lkd_error saying so, so that arming fails
# with that reason instead of a capture that waits for a device that never
# appears. A missing lsblk checks nothing.
lkd_check_stack() {
	local dev=$1 name type what=''
	command -v lsblk >/dev/null 2>&1 || return 0
	while read -r name type; do
		case $type in
		disk | part | loop | rom) ;;
		lvm) what="LVM (logical volume $name)" ;;
		raid* | md) what="MD RAID ($name, $type)" ;;
		crypt) what="dm-crypt/LUKS ($name)" ;;
		mpath) what="multipath ($name)" ;;
		*) what="a $type device ($name)" ;;
		esac
		[ -z "$what" ] || break
	done < <(lsblk -s -n -r -o NAME,TYPE "$dev" 2>/dev/null)
	[ -z "$what" ] && return 0
	lkd_error="the dump target's device $dev is on $what: lazy-kdump's capture initrd cannot bring that up yet (only plain disks and partitions); point DUMP_TARGET at a file system on a plain partition, e.g. DUMP_TARGET=UUID=<its UUID>:/crash"
	return 1
}

# lkd_resolve_target TARGET: where DUMP_TARGET=TARGET writes, as the crash
# kernel must find it. Sets
#   lkd_target_spec    the DUMP_TARGET for the capture initrd: TARGET as it
#                      is when it is on the root file system (the capture
#                      mounts root= of the command line) or already names
#                      a device; UUID=<fs uuid>:<path in that fs> when it is
#                      on another file system (e.g. /var mounted apart)
#   lkd_target_dev     its block device (for dracut --add-device)
#   lkd_target_fstype  its file system type
#   lkd_target_root    1 when it is the root file system
#   lkd_error          why, when it returns 1 (also a device stack the
#                      capture cannot bring up: lkd_check_stack)
lkd_resolve_target() {
	local t=$1 p mnt src uuid rel devspec
	lkd_target_spec='' lkd_target_dev='' lkd_target_fstype='' lkd_target_root=0 lkd_error=''
	case $t in
	/*:/* | [A-Z]*=*:/*)
		devspec=${t%:/*}
		case $devspec in
		/dev/*) src=$(readlink -f "$devspec") ;;
		*) src=$(blkid -l -o device -t "$devspec" 2>/dev/null) || src='' ;;
		esac
		if [ -z "$src" ] || [ ! -b "$src" ]; then
			lkd_error="DUMP_TARGET=$t: no block device $devspec on this machine"
			return 1
		fi
		lkd_target_spec=$t
		lkd_target_dev=$src
		lkd_target_fstype=$(blkid -o value -s TYPE "$src" 2>/dev/null) || lkd_target_fstype=''
		lkd_check_stack "$src" || return 1
		return 0
		;;
	/*) ;;
	*)
		lkd_error="DUMP_TARGET=$t is neither an absolute PATH nor DEVICE:PATH (e.g. /var/crash or UUID=...:/crash)"
		return 1
		;;
	esac
	# The file system holding PATH (or its nearest existing parent).
	p=$t
	while [ ! -e "$p" ]; do p=$(dirname "$p"); done
	mnt=$(findmnt -n -o TARGET --target "$p" 2>/dev/null) || mnt=''
	src=$(findmnt -n -o SOURCE --target "$p" 2>/dev/null) || src=''
	lkd_target_fstype=$(findmnt -n -o FSTYPE --target "$p" 2>/dev/null) || lkd_target_fstype=''
	src=${src%%\[*}
	if [ -z "$mnt" ] || [ -z "$src" ]; then
		lkd_error="DUMP_TARGET=$t: cannot find the file system it is on (findmnt --target $p)"
		return 1
	fi
	if [ ! -b "$src" ]; then
		lkd_error="DUMP_TARGET=$t is on $src ($lkd_target_fstype, mounted on $mnt), not on a local block device: the crash kernel cannot reach it; point DUMP_TARGET at a local disk"
		return 1
	fi
	lkd_target_dev=$(readlink -f "$src")
	lkd_check_stack "$lkd_target_dev" || return 1
	if [ "$mnt" = / ]; then
		lkd_target_spec=$t
		lkd_target_root=1
		return 0
	fi
	uuid=$(findmnt -n -o UUID --target "$p" 2>/dev/null) || uuid=''
	[ -n "$uuid" ] || uuid=$(blkid -o value -s UUID "$src" 2>/dev/null) || uuid=''
	if [ -z "$uuid" ]; then
		lkd_error="DUMP_TARGET=$t is on $src (mounted on $mnt), which has no file system UUID: give DUMP_TARGET=DEVICE:PATH"
		return 1
	fi
	rel=${t#"$mnt"}
	rel=/${rel#/}
	lkd_target_spec="UUID=$uuid:$rel"
	return 0
}

# lkd_makedumpfile_check KVER VERSION_TEXT: VERSION_TEXT is what
# `makedumpfile -v` printed ("makedumpfile: version 1.7.6 (...)").
# Returns 1 with lkd_error when that makedumpfile is known to write much
# larger dumps for kernel KVER: before 1.7.7 it does not understand 6.12's
# page types, finds no free page, and writes all free memory into the dump
# (makedumpfile issue #16, fixed in 1.7.7). Anything it cannot parse is
# not judged.
lkd_makedumpfile_check() {
	local kver=$1 text=$2 v kmaj kmin a b c
	lkd_error=''
	v=$(printf '%s\n' "$text" | sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
	[[ $kver =~ ^([0-9]+)\.([0-9]+) ]] || return 0
	kmaj=${BASH_REMATCH[1]} kmin=${BASH_REMATCH[2]}
	[[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || return 0
	a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]}
	if [ $((kmaj * 1000 + kmin)) -ge 6012 ] &&
		[ $((a * 1000000 + b * 1000 + c)) -lt 1007007 ]; then
		lkd_error="makedumpfile $v cannot tell free pages on kernel $kver (6.12 changed the page types; fixed in makedumpfile 1.7.7): every dump will also hold all free memory, so it is much larger and slower (e.g. 392 MB instead of about 40 MB for a 2 GiB machine). Install makedumpfile 1.7.7 or later (e.g. from trixie-backports) and the capture initrd is rebuilt with it"
		return 1
	fi
	return 0
}
