#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The crash kernel short of memory, over two boots on one disk
# (tests/vm/short.sh, which gives the guest /dev/vda, the ext4 file system
# labelled lazydisk, and SHORT_PHASE and SHORT_SIZE on the command line):
#   SHORT_PHASE=first  lazy-kdump load --size SHORT_SIZE (below what the
#                      crash kernel needs, above the hard minimum: load
#                      warns and arms), panic; crash_kdump_short.sh runs the
#                      capture, if the crash kernel gets that far
#   SHORT_PHASE=after  the next boot: lazy-kdump load (auto) says what the
#                      last panic left: the crash kernel short of memory, or
#                      no dump at all; status repeats it
# lazy-kdump reads DUMP_TARGET as the disk's mount point here (the crash
# initrd's copy names it LABEL=lazydisk:/var/crash: the same file system)
# and keeps its arming marker on the disk (LAZY_KDUMP_STATEDIR), as
# /var/lib/lazy-kdump would be on a real system.
# Not in tests/vm/groups: tests/vm/short.sh runs it.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require
[ -b /dev/vda ] || skip_all "no /dev/vda: tests/vm/short.sh gives the guest its disk"
mnt=/mnt/lazydisk
mkdir -p "$mnt"
check "mount the disk (the dump target and /var/lib/lazy-kdump)" mount -t ext4 /dev/vda "$mnt" || exit 1
mkdir -p "$mnt/var/crash" "$mnt/var-lib-lazy-kdump"
sed "s|^DUMP_TARGET=.*|DUMP_TARGET=$mnt/var/crash|" /etc/lazy-kdump.conf >/tmp/short.conf
export LAZY_KDUMP_CONFIG=/tmp/short.conf LAZY_KDUMP_STATEDIR=$mnt/var-lib-lazy-kdump
hostname lazy-short
diag "boot id $(cat /proc/sys/kernel/random/boot_id), phase ${SHORT_PHASE:-?}"

case ${SHORT_PHASE:-} in
first)
	kd_run lazy-kdump load --size "${SHORT_SIZE:?}" --append "lazy_kdump.host=lazy-short"
	is "$KD_RC" 0 "lazy-kdump load --size $SHORT_SIZE arms (below the estimate, above the hard minimum)" ||
		{ diag "$KD_OUT"; exit 1; }
	case $KD_OUT in
	*"is below the estimate"*) ok "... and warns that $SHORT_SIZE is below the estimate" ;;
	*) not_ok "... and warns that $SHORT_SIZE is below the estimate" ; diag "$KD_OUT" ;;
	esac
	check "the arming marker is on the disk" grep -q "^boot_id=$(cat /proc/sys/kernel/random/boot_id)\$" \
		"$LAZY_KDUMP_STATEDIR/armed"
	sync
	umount "$mnt"
	diag "panic at epoch $(date +%s)"
	kd_mark "panic"
	crash_now
	;;
after)
	kd_run lazy-kdump load --append "lazy_kdump.host=lazy-short"
	is "$KD_RC" 0 "the next boot: lazy-kdump load (auto) arms" || diag "$KD_OUT"
	diag "$KD_OUT"
	case $KD_OUT in
	*"The last panic found the crash kernel short of memory ($mnt/var/crash/lazy-short-"*"raise SIZE"*"(or use auto)."*)
		ok "load says: the last panic found the crash kernel short of memory (its status); raise SIZE (or use auto)"
		diag "short-verdict: short-of-memory"
		;;
	*"The previous boot, armed since "*" ended without a clean shutdown and left no dump in $mnt/var/crash: if it panicked, the capture wrote nothing"*"raise SIZE (or use auto)."*)
		ok "load says: the previous boot ended armed, uncleanly, and left no dump; raise SIZE (or use auto)"
		diag "short-verdict: no-dump"
		;;
	*) not_ok "load says what the last panic left (short of memory, or no dump)" ;;
	esac
	kd_run lazy-kdump status
	case $KD_OUT in
	*"previous boot  The "*) ok "status repeats the verdict on the previous boot" ;;
	*) not_ok "status repeats the verdict on the previous boot"; diag "$KD_OUT" ;;
	esac
	kd_run lazy-kdump unload
	is "$KD_RC" 0 "unload (a clean shutdown) disarms"
	check "... and removes the arming marker" test ! -e "$LAZY_KDUMP_STATEDIR/armed"
	umount "$mnt"
	;;
*) not_ok "SHORT_PHASE=${SHORT_PHASE:-} is neither first nor after" ;;
esac
