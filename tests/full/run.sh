#!/usr/bin/env bash
# The full-system test: lazy-kdump installed like a distribution service
# on a real Debian system with systemd and dracut, booted under QEMU TCG
# without crashkernel=. TAP on stdout; exit status 1 when anything failed.
#
# Usage: tests/full/run.sh [SUITE...]      (default trixie; bookworm runs
#                                           steps 1-3 and 5; SUITE-stack
#                                           runs the storage-stack test
#                                           on SUITE's image instead,
#                                           SUITE-mpath its multipath
#                                           part alone)
#
# For each suite:
#   1. `make install` in a chroot of a copy of the cached root image
#      (tests/full/build-image.sh; prepare.sh install): what it installed,
#      DKMS's build; the configuration edited; `make uninstall` leaves
#      nothing but the edited configuration.
#   2. The Debian packages of this tree (build/deb/SUITE, make deb; built
#      here when missing or older than their sources) and of a higher
#      version (VERSION+lazytest1,
#      scripts/build-deb.sh --version), `apt-get install` of the first in a
#      chroot of another copy (prepare.sh pkginstall): DKMS builds the
#      module, the package enables the service; the file list is taken.
#   3. Run A, one QEMU guest that reboots on its own (guest/step.sh): armed
#      at boot, disable/enable --now, (trixie) a config edit re-arms, the
#      higher version installed with apt on the running system (re-armed,
#      configuration kept), the metrics file following each step; reboot,
#      armed with the new module; lazy-kdump test --yes panics, the crash
#      kernel boots the dracut-built capture initrd, runs the KDUMP_PRE
#      and KDUMP_POST hooks around the dump, saves it, reboots; the dump is complete; (bookworm) apt-get remove (disarmed,
#      configuration kept) and purge; power off. The host then reads
#      dmesg.txt and the vmcore from the disk image (debugfs) and checks
#      the panic with makedumpfile --dump-dmesg.
#   4. (trixie) the trixie-backports kernel installed from the host
#      (prepare.sh newkernel), /var/crash on a small file system of its own
#      that is almost full; run B: booted on the new kernel, armed with it
#      (DKMS built the module), panic (root= of the crash kernel a device
#      that never appears, the pre hook 100 s: systemd's 90 s wait for it
#      fails into emergency mode during the capture, which must go on):
#      dmesg.txt saved, no vmcore, rebooted; remove and purge; power off.
#   5. The system's file list after the purge is the one before the
#      install (PKG_IGNORE below: what the system changes by itself).
# SUITE-stack (stack_run below): the packages installed with apt, a first
# run builds the root file system on LVM on LUKS2 on MD RAID 1 over two
# more disks, the second boots from those alone: arming refuses until
# LUKS_KEY_FILE is given (and refuses bad keys), then a panic's dump goes
# through RAID, LUKS and LVM onto the root (guest/step.sh stackbuild,
# stackboot, stackpanicked; the host cannot read that disk: the guest
# checks the dump with makedumpfile); then, with LAZY_FULL_STACK_MPATH=1,
# in the same run, a dump target on multipath (two SCSI paths to one
# disk), armed, panic, the dump on it (mpathsetup's steps, mpathpanicked).
# SUITE-mpath (mpath_run): only that multipath part, on SUITE's plain image.
# SUITE-net (net_run): dumps to a dump-server guest over ssh and NFS.
# Kernel command line: root=/dev/vda ro console=ttyS0 panic=-1, no
# crashkernel=. Results: build/full-results/SUITE/ (console logs, ttyS1 logs
# with host timestamps, metrics).
#
# Environment:
#   LAZY_FULL_RESULTS   results directory (default build/full-results)
#   LAZY_FULL_TIMEOUT   seconds a run may take (default 1800)
#   LAZY_FULL_NET_TIMEOUT  seconds SUITE-net's client guest may take
#                       (default 3000)
#   LAZY_FULL_STACK_MPATH  1: SUITE-stack runs the multipath steps too
#                       (default 0: SUITE-mpath runs them)
#   LAZY_FULL_STALL     seconds without output (console or ttyS1) before a guest
#                       counts as hung (default 300); a hung guest is
#                       restarted once on the same disk (it resumes its
#                       phase)
#   LAZY_KDUMP_CACHE    download/build cache (default /var/cache/lazy-kdump)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

case ${1-} in -h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie)
results=${LAZY_FULL_RESULTS:-$top/build/full-results}
# Run A of full/trixie takes 900-1000 s (first boot 215-340 s, DKMS in the
# guest twice); with four guests on 2 cores it ran past 1200 s and was
# killed in the middle of dpkg (2026-12-07). A hang is caught by the stall
# limit; this one only bounds a run that keeps printing.
limit=${LAZY_FULL_TIMEOUT:-1800}
stall=${LAZY_FULL_STALL:-300}
mkdir -p "$results"
results=$(cd "$results" && pwd)

total=0 failed=0
emit() {
	local where=$1 line=$2 verdict rest
	case $line in
	"not ok"*) verdict="not ok" rest=${line#not ok} ;;
	"ok"*) verdict=ok rest=${line#ok} ;;
	*)
		echo "$line"
		return 0
		;;
	esac
	rest=$(sed -E 's/^ *[0-9]*//; s/^ *- ?//' <<<"$rest")
	total=$((total + 1))
	[ "$verdict" = ok ] || failed=$((failed + 1))
	echo "$verdict $total - $where: $rest"
}
# emit_all WHERE < LINES
emit_all() {
	local l
	while IFS= read -r l; do emit "$1" "$l"; done
}

qpid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { [ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# now: seconds since the epoch, with tenths.
now() { date +%s.%1N; }

# stamp_new FILE STAMPED: append FILE's lines not yet in STAMPED, each with
# the current time in front (polled: the resolution is the poll interval).
stamp_new() {
	local have n
	[ -e "$1" ] || return 0
	have=0
	[ ! -e "$2" ] || have=$(wc -l <"$2")
	n=$(wc -l <"$1")
	[ "$n" -gt "$have" ] || return 0
	sed -n "$((have + 1)),${n}p" "$1" | tr -d '\r' |
		awk -v t="$(now)" '{ print t " " $0 }' >>"$2"
}

# qemu_run DIR NAME KERNEL INITRD APPEND [QEMU ARGS...]: boot the disk image
# DIR/disk.img until the guest powers off. Sets run_ok (1: powered off after
# "LAZYTEST END") and run_why.
qemu_run() {
	local dir=$1 name=$2 kernel=$3 initrd=$4 append=$5
	shift 5
	local out=$dir/$name attempt start last size lastsize rc
	mkdir -p "$out"
	run_ok=0 run_why=''
	exec {lock_fd}>"$LAZY_KDUMP_CACHE/qemu.lock"
	if [ "${qemu_locked:-0}" = 1 ]; then
		: # net_run holds the lock for its pair of guests
	elif ! flock -n "$lock_fd"; then
		echo "# $name: waiting for another QEMU guest to finish"
		flock "$lock_fd"
	fi
	start=$(date +%s)
	: >"$out/ttyS1.ts"
	: >"$out/console.ts"
	for attempt in 1 2; do
		[ "$attempt" = 1 ] || echo "# $name: restarting the guest on the same disk (attempt $attempt): $run_why"
		qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
			-display none -monitor none -nodefaults \
			-kernel "$kernel" -initrd "$initrd" -append "$append" \
			-drive "file=$dir/disk.img,format=raw,if=virtio" \
			-serial "file:$out/console.$attempt.log" -serial "file:$out/ttyS1.$attempt.log" \
			"$@" >"$out/qemu.$attempt.log" 2>&1 &
		qpid=$!
		last=$(date +%s) lastsize=-1
		while kill -0 "$qpid" 2>/dev/null; do
			sleep 1
			stamp_new "$out/ttyS1.$attempt.log" "$out/ttyS1.$attempt.ts"
			stamp_new "$out/console.$attempt.log" "$out/console.$attempt.ts"
			size=$(cat "$out/console.$attempt.log" "$out/ttyS1.$attempt.log" 2>/dev/null | wc -c)
			if [ "$size" != "$lastsize" ]; then
				lastsize=$size last=$(date +%s)
			fi
			if [ $(($(date +%s) - start)) -gt "$limit" ]; then
				run_why="over the time limit of $limit s"
				kill -9 "$qpid" 2>/dev/null || true
			elif [ $(($(date +%s) - last)) -gt "$stall" ]; then
				run_why="no console output for $stall s (hung)"
				kill -9 "$qpid" 2>/dev/null || true
			fi
		done
		rc=0
		wait "$qpid" || rc=$?
		qpid=''
		stamp_new "$out/ttyS1.$attempt.log" "$out/ttyS1.$attempt.ts"
		stamp_new "$out/console.$attempt.log" "$out/console.$attempt.ts"
		cat "$out/ttyS1.$attempt.ts" >>"$out/ttyS1.ts"
		cat "$out/console.$attempt.ts" >>"$out/console.ts"
		if grep -q 'LAZYTEST END' "$out/ttyS1.$attempt.log" 2>/dev/null; then
			run_ok=1
			break
		fi
		[ -n "$run_why" ] || run_why="QEMU exited (status $rc) before LAZYTEST END: $(head -c 300 "$out/qemu.$attempt.log" | tr '\n' ' ')"
		case $run_why in *"time limit"*) break ;; esac
	done
	exec {lock_fd}>&-
	echo "# $name: QEMU ran $(($(date +%s) - start)) s"
}

# report_run WHERE OUT: the guest's TAP, metrics and timings of a run.
report_run() {
	local where=$1 out=$2
	# Not in a pipeline: emit counts in this shell.
	emit_all "$where" < <(sed -E 's/^[0-9.]+ //' "$out/ttyS1.ts" |
		grep -E '^(ok|not ok)( |$)|^# ' | grep -v '^# alive')
	# Host-side timings from the stamps: each panic -> the next boot's
	# first step (the first panic's figure keeps the metric's name).
	awk '
		/LAZYTEST PANIC/ { p = $1 }
		/LAZYTEST BEGIN/ && p {
			n++
			suffix = ""
			if (n > 1)
				suffix = "-" n
			printf "# metric panic-to-rebooted-seconds%s %.0f\n", suffix, $1 - p
			p = 0
		}
	' "$out/ttyS1.ts"
	# systemd's complaints about our units, in the system or the capture
	# initrd (those are seen nowhere else).
	local bad
	bad=$(sed -E 's/^[0-9.]+ //' "$out/console.ts" | grep -E 'lazy-(kdump|test)[a-z-]*\.(service|path):[0-9]+: ' | sort -u | head -n 5 || true)
	if [ -z "$bad" ]; then
		emit "$where" "ok - systemd accepted every line of the lazy-kdump units (system and capture initrd)"
	else
		emit "$where" "not ok - systemd accepted every line of the lazy-kdump units (system and capture initrd)"
		printf '%s\n' "$bad" | sed 's/^/#   /'
	fi
	if [ "$run_ok" = 1 ]; then
		emit "$where" "ok - the guest ran every phase and powered off"
	else
		emit "$where" "not ok - the guest did not finish: $run_why (console: $out/console.ts)"
		tail -n 25 "$out/console.ts" | sed 's/^/#   /'
	fi
}

# debugfs_get IMAGE PATH DEST: copy a file out of an ext4 image.
debugfs_get() { debugfs -R "dump -p $2 $3" "$1" >/dev/null 2>&1 && [ -e "$3" ]; }
# debugfs_ls IMAGE DIR: the names in DIR.
debugfs_ls() { debugfs -R "ls -p $2" "$1" 2>/dev/null | awk -F/ 'NF > 5 && $6 != "." && $6 != ".." { print $6 }'; }

echo "TAP version 13"
makedumpfile=$("$top/scripts/fetch-makedumpfile.sh" 2>/dev/null) || makedumpfile=$(command -v makedumpfile)

# Differences between the file lists before the install and after the purge
# that the system makes by itself are ignored (as piuparts does): dpkg's and
# apt's databases and caches, logs, systemd's and ucf's state, the
# dynamic linker's cache, depmod's output, the test's own files, and
# /var/crash, where the dumps are data that stays (as with kdump-tools).
# Files left that dpkg lists for a package still installed (the kernel the
# test installed) are not the packages' either, nor what that kernel's
# install changed (test-changes.list, trixie's run B). systemd-update-done
# stamps /etc/.updated and /var/.updated after /usr changed. /tmp is on
# the root file system in Debian 12 (a tmpfs in 13). in-image.sh's
# policy-rc.d was there while before.list was taken.
PKG_IGNORE='^/var/(lib/(dpkg|apt|systemd|ucf)|cache|log|tmp|crash)(/|$)|^/tmp(/|$)|^/etc/ld\.so\.cache$|^/(usr/)?lib/modules/[^/]+/modules\.[a-z.]+$|^/var/lib/lazy-test(/|$)|^/(etc|var)/\.updated$|^/usr/sbin/policy-rc\.d$'

# ensure_debs SUITE WORK: sets debs, the directory of this tree's packages
# for SUITE (make deb), built again when missing or older than a tracked
# source file (always outside a git checkout).
ensure_debs() {
	local newest_src
	debs=$top/build/deb/$1
	newest_src=$(cd "$top" && git ls-files -z debian lazy_kdump module dracut systemd man Makefile VERSION 2>/dev/null |
		xargs -0 -r stat -c %Y 2>/dev/null | sort -n | tail -n 1)
	if ! ls "$debs/lazy-kdump_${version}_amd64.deb" >/dev/null 2>&1 || [ -z "$newest_src" ] ||
		[ "$newest_src" -gt "$(stat -c %Y "$debs/lazy-kdump_${version}_amd64.deb")" ]; then
		"$top/scripts/build-deb.sh" "$1" >"$2/build-deb.log" 2>&1 || true
	fi
}

# emergency_check WHERE CONSOLE [ROOT]: the pre hook (guest/hook) sent the
# capture initrd into emergency mode during the capture, and its
# emergency.service (lazy-kdump-emergency.sh) waited for the capture
# instead of rebooting (the guest checks the dump and the hooks); or the
# initrd has no emergency mode at all (dracut-ng's systemd-initrd installs
# no emergency.service: the hook's systemctl says so in lazy-kdump.log,
# which the guest prints). With ROOT, also that the crash kernel gave up
# waiting for its root=, a device that never appears (4c617a79-...,
# ellipsized on systemd 257's console), in the middle of the capture
# (prepare.sh newkernel).
emergency_check() {
	local where=$1 console=$2
	if [ -n "${3:-}" ]; then
		if grep -Eq 'Timed out waiting for device.*(4c617a79|617a79-6b64|6e6f6e65f00d)' "$console"; then
			emit "$where" "ok - the crash kernel gave up waiting for root= during the capture"
		else
			emit "$where" "not ok - the crash kernel gave up waiting for root= during the capture (no 'Timed out waiting for device' in $console)"
		fi
	fi
	if grep -q 'lazy-kdump: the capture initrd failed to reach one of its targets (emergency mode) while the capture runs; waiting' "$console"; then
		emit "$where" "ok - emergency mode during the capture: emergency.service waited for the capture"
	elif grep -q 'Failed to start emergency.target: Unit emergency.service not found' "$console"; then
		emit "$where" "ok - this capture initrd has no emergency mode (no emergency.service), so none can cut the capture short"
	else
		emit "$where" "not ok - emergency mode during the capture: emergency.service waited for the capture (console: $console)"
	fi
}

# mpath_args IMG: QEMU options for two SCSI paths to IMG (one serial, one
# WWN: the same disk seen twice), for multipath; sets mpath.
mpath_args() {
	mpath=(-device "virtio-scsi-pci,id=mpscsi")
	for i in 0 1; do
		mpath+=(-drive "file=$1,format=raw,if=none,id=mpath$i,file.locking=off"
			-device "scsi-hd,drive=mpath$i,bus=mpscsi.0,serial=LAZYMPATH01,wwn=0x5000c500a1b2c3d4")
	done
}

# stack_install SUITE WORK WHERE PHASE: WORK/disk.img, a copy of SUITE's
# root image with the packages and the storage tools installed, first
# phase PHASE (prepare.sh stackinstall); sets kver. Returns 1 (said in
# TAP) when that failed.
stack_install() {
	local suite=$1 work=$2 where=$3 phase=$4 img
	if ! img=$("$here/build-image.sh" "$suite" 2>"$work/build-image.log"); then
		emit "$where" "not ok - the $suite root image could not be built (log: $work/build-image.log)"
		return 1
	fi
	ensure_debs "$suite" "$work"
	if ! ls "$debs/lazy-kdump_${version}_amd64.deb" >/dev/null 2>&1; then
		emit "$where" "not ok - the $suite packages $version could not be built (log: $work/build-deb.log)"
		return 1
	fi
	cp --sparse=always "$img" "$work/disk.img"
	"$here/in-image.sh" -b "$LAZY_KDUMP_CACHE/full/debs/$suite:/var/cache/apt/archives" "$work/disk.img" -- \
		"$here/prepare.sh" stackinstall "$work" "$debs" "$phase" >"$work/prepare.out" 2>"$work/prepare.log" || true
	emit_all "$where" < <(grep -E '^(ok|not ok)' "$work/prepare.out")
	kver=$(sed -n 's/^kver //p' "$work/prepare.out")
	if [ -z "$kver" ]; then
		emit "$where" "not ok - installing the packages in the image failed (log: $work/prepare.log)"
		tail -n 15 "$work/prepare.log" | sed 's/^/#   /'
		rm -f "$work/disk.img"
		return 1
	fi
}

# mpath_run SUITE WORK WHERE: (SUITE-mpath) the packages installed with apt,
# one run: a dump target on multipath (two SCSI paths to one disk), armed,
# panic, the dump checked in the guest (guest/step.sh mpathsetup,
# mpathpanicked). bookworm-stack runs the same steps after its own.
mpath_run() {
	local suite=$1 work=$2 where=$3 kver
	stack_install "$suite" "$work" "$where" mpathsetup || return 0
	truncate -s 512M "$work/mpath.img"
	mpath_args "$work/mpath.img"
	# A raw dump disk (DUMP_TARGET=raw:, step.sh's rawpanicked): this run
	# only, not bookworm-stack's multipath steps (make check's time). In a
	# high PCI slot: probed after the root disk, which stays /dev/vda.
	rm -f "$work/raw.img"
	truncate -s 256M "$work/raw.img"
	qemu_run "$work" mpath "$work/boot/vmlinuz-$kver" "$work/boot/initrd.img-$kver" \
		"root=/dev/vda ro console=ttyS0 panic=-1" "${mpath[@]}" \
		-drive "file=$work/raw.img,format=raw,if=none,id=rawd" \
		-device "virtio-blk-pci,drive=rawd,serial=LAZYRAW01,addr=0x10"
	report_run "$where" "$work/mpath"
	emergency_check "$where" "$work/mpath/console.ts"
	rm -f "$work/disk.img" "$work/mpath.img" "$work/raw.img"
}

# net_run SUITE WORK WHERE: (SUITE-net) two guests on one QEMU link whose
# only host end is a socket on 127.0.0.1 (-netdev socket): a dump server
# (a copy of SUITE's image with sshd, an NFS server and a DHCP server:
# prepare.sh netserver) and the system under test (the packages installed
# with apt, its address by DHCP: prepare.sh stackinstall ... netsetup),
# which arms with ssh:// (lazy-kdump propagate), nfs:// (NFSv3 through a
# router, then NFSv4 over IPv6 by router advertisements), a disk of the
# server's iSCSI target and an unreachable server, panics each time and
# checks the dumps (guest/step.sh netsetup, sshpanicked, nfspanicked,
# v6panicked, iscsipanicked, fallbackpanicked).
# The server runs under the same QEMU lock, with 1 CPU and 768 MiB.
net_run() {
	local suite=$1 work=$2 where=$3 kver skver port spid img i
	# Six boots, five panics and six capture initrd builds in one guest:
	# 1024-1198 s measured for four boots with other guests beside it, too
	# close to the 1200 s LAZY_FULL_TIMEOUT had then (qemu_run reads limit).
	local limit=${LAZY_FULL_NET_TIMEOUT:-3000}
	stack_install "$suite" "$work" "$where" netsetup || return 0
	img=$("$here/build-image.sh" "$suite" 2>>"$work/build-image.log") || return 0
	mkdir -p "$work/server"
	cp --sparse=always "$img" "$work/server/disk.img"
	"$here/in-image.sh" -b "$LAZY_KDUMP_CACHE/full/debs/$suite:/var/cache/apt/archives" "$work/server/disk.img" -- \
		"$here/prepare.sh" netserver "$work/server" >"$work/server/prepare.out" 2>"$work/server/prepare.log" || true
	emit_all "$where" < <(grep -E '^(ok|not ok)' "$work/server/prepare.out")
	skver=$(sed -n 's/^kver //p' "$work/server/prepare.out")
	if [ -z "$skver" ]; then
		emit "$where" "not ok - the dump server image could not be made (log: $work/server/prepare.log)"
		rm -f "$work/disk.img" "$work/server/disk.img"
		return 0
	fi
	exec {net_lock}>"$LAZY_KDUMP_CACHE/qemu.lock"
	if ! flock -n "$net_lock"; then
		echo "# net: waiting for another QEMU guest to finish"
		flock "$net_lock"
	fi
	# A free port on 127.0.0.1 for the link.
	for ((i = 0; i < 50; i++)); do
		port=$((20000 + RANDOM % 20000))
		# Nothing listens there (a connection fails).
		! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	done
	qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 768M \
		-display none -monitor none -nodefaults \
		-kernel "$work/server/boot/vmlinuz-$skver" -initrd "$work/server/boot/initrd.img-$skver" \
		-append "root=/dev/vda ro console=ttyS0 panic=-1" \
		-drive "file=$work/server/disk.img,format=raw,if=virtio" \
		-serial "file:$work/server/console.log" -serial "file:$work/server/ttyS1.log" \
		-netdev "socket,id=n0,listen=127.0.0.1:$port" \
		-device "virtio-net-pci,netdev=n0,mac=52:54:00:77:00:01,addr=0x5" \
		>"$work/server/qemu.log" 2>&1 &
	spid=$!
	for ((i = 0; i < 600; i++)); do
		grep -q 'LAZYSERVER READY' "$work/server/ttyS1.log" 2>/dev/null && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 1
	done
	if grep -q 'LAZYSERVER READY' "$work/server/ttyS1.log" 2>/dev/null; then
		emit "$where" "ok - the dump server booted: sshd, NFS, iSCSI and DHCP up ($i s)"
		qemu_locked=1 qemu_run "$work" net "$work/boot/vmlinuz-$kver" "$work/boot/initrd.img-$kver" \
			"root=/dev/vda ro console=ttyS0 panic=-1" \
			-netdev "socket,id=n0,connect=127.0.0.1:$port" \
			-device "virtio-net-pci,netdev=n0,mac=52:54:00:77:00:02,addr=0x5"
		report_run "$where" "$work/net"
	else
		emit "$where" "not ok - the dump server booted: sshd, NFS, iSCSI and DHCP up (console: $work/server/console.log)"
		tail -n 15 "$work/server/console.log" | sed 's/^/#   /'
	fi
	# The client powers the server off at its end (ssh poweroff).
	for ((i = 0; i < 60; i++)); do kill -0 "$spid" 2>/dev/null || break; sleep 1; done
	kill -9 "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	exec {net_lock}>&-
	rm -f "$work/disk.img" "$work/server/disk.img"
}

# stack_run SUITE WORK WHERE: the storage-stack test (SUITE-stack): the
# packages installed with apt, then run S1 (guest/step.sh stackbuild)
# builds the root file system on LVM on LUKS on MD RAID 1 over two more
# disks and hands its kernel and boot initrd back on a scratch disk (a
# tar); run S2 boots from the two RAID disks alone, arms once the LUKS
# key is given, panics; the dump must come back through the stack; then,
# with LAZY_FULL_STACK_MPATH=1, in the same run, the multipath steps (as
# mpath_run).
stack_run() {
	local suite=$1 work=$2 where=$3 kver
	stack_install "$suite" "$work" "$where" stackbuild || return 0
	truncate -s 3G "$work/raid-a.img" "$work/raid-b.img"
	truncate -s 256M "$work/boot.img"
	qemu_run "$work" stack-build "$work/boot/vmlinuz-$kver" "$work/boot/initrd.img-$kver" \
		"root=/dev/vda ro console=ttyS0 panic=-1" \
		-drive "file=$work/raid-a.img,format=raw,if=virtio" -drive "file=$work/raid-b.img,format=raw,if=virtio" \
		-drive "file=$work/boot.img,format=raw,if=virtio"
	report_run "$where" "$work/stack-build"
	mkdir -p "$work/stack-boot-files"
	if ! tar -xf "$work/boot.img" -C "$work/stack-boot-files" "vmlinuz-$kver" "initrd.img-$kver" 2>"$work/tar.log"; then
		emit "$where" "not ok - the guest handed back the kernel and boot initrd of the stacked root ($(head -c 200 "$work/tar.log"))"
		rm -f "$work/disk.img" "$work/raid-a.img" "$work/raid-b.img" "$work/boot.img"
		return 0
	fi
	rm -f "$work/disk.img" "$work/boot.img"
	# qemu_run boots DIR/disk.img as vda: the first RAID disk.
	mv "$work/raid-a.img" "$work/disk.img"
	# With LAZY_FULL_STACK_MPATH=1, two SCSI paths to one more disk: after
	# the stack's own panic, a dump target on multipath (step.sh
	# mpathsetup's steps; SUITE-mpath runs them on the plain image).
	mpath=()
	if [ "${LAZY_FULL_STACK_MPATH:-0}" = 1 ]; then
		truncate -s 512M "$work/mpath.img"
		mpath_args "$work/mpath.img"
	fi
	qemu_run "$work" stack-boot "$work/stack-boot-files/vmlinuz-$kver" "$work/stack-boot-files/initrd.img-$kver" \
		"root=/dev/mapper/lazyvg-root ro console=ttyS0 panic=-1" \
		-drive "file=$work/raid-b.img,format=raw,if=virtio" "${mpath[@]}"
	report_run "$where" "$work/stack-boot"
	# Only the multipath steps install the hook that sends the capture
	# initrd into emergency mode (step.sh mpath_arm).
	if [ "${LAZY_FULL_STACK_MPATH:-0}" = 1 ]; then
		emergency_check "$where" "$work/stack-boot/console.ts"
	fi
	rm -f "$work/disk.img" "$work/raid-b.img" "$work/mpath.img"
}

version=$(cat "$top/VERSION")
next=$version+lazytest1
for suite in "${suites[@]}"; do
	work=$results/$suite
	rm -rf "$work"
	mkdir -p "$work"
	where="full/$suite"
	t0=$SECONDS
	case $suite in
	*-stack)
		stack_run "${suite%-stack}" "$work" "$where"
		echo "# $where: $((SECONDS - t0)) s in all"
		continue
		;;
	*-mpath)
		mpath_run "${suite%-mpath}" "$work" "$where"
		echo "# $where: $((SECONDS - t0)) s in all"
		continue
		;;
	*-net)
		net_run "${suite%-net}" "$work" "$where"
		echo "# $where: $((SECONDS - t0)) s in all"
		continue
		;;
	esac
	if ! img=$("$here/build-image.sh" "$suite" 2>"$work/build-image.log"); then
		emit "$where" "not ok - the $suite root image could not be built (log: $work/build-image.log)"
		tail -n 10 "$work/build-image.log" | sed 's/^/#   /'
		continue
	fi
	echo "# image: $img (ready after $((SECONDS - t0)) s)"
	cache="$LAZY_KDUMP_CACHE/full/debs/$suite:/var/cache/apt/archives"

	# 1. make install and make uninstall in a chroot of a scratch copy.
	cp --sparse=always "$img" "$work/scratch.img"
	"$here/in-image.sh" -b "$cache" "$work/scratch.img" -- \
		"$here/prepare.sh" install "$top" "$work/make-install" >"$work/install.out" 2>"$work/install.log" || true
	emit_all "$where/make" < <(grep -E '^(ok|not ok)' "$work/install.out")
	"$here/in-image.sh" "$work/scratch.img" -- "$here/prepare.sh" editconf >/dev/null 2>&1 || true
	"$here/in-image.sh" "$work/scratch.img" -- "$here/prepare.sh" uninstall \
		>"$work/uninstall.out" 2>"$work/uninstall.log" || true
	emit_all "$where/make" < <(grep -E '^(ok|not ok)' "$work/uninstall.out")
	rm -f "$work/scratch.img"

	# 2. The packages: this version (make deb) and a higher one to upgrade to.
	ensure_debs "$suite" "$work"
	LAZY_DEB_OUT=$work/next "$top/scripts/build-deb.sh" --no-lintian --version "$next" "$suite" \
		>"$work/build-deb-next.log" 2>&1 || true
	if ! ls "$debs/lazy-kdump_${version}_amd64.deb" "$work/next/$suite/lazy-kdump_${next}_amd64.deb" >/dev/null 2>&1; then
		emit "$where" "not ok - the $suite packages $version and $next could not be built (logs: $work/build-deb*.log)"
		continue
	fi
	flags=()
	if [ "$suite" = trixie ]; then flags=(config-edit then-newkernel); fi
	cp --sparse=always "$img" "$work/disk.img"
	"$here/in-image.sh" -b "$cache" "$work/disk.img" -- \
		"$here/prepare.sh" pkginstall "$work" "$debs" "$work/next/$suite" "${flags[@]}" \
		>"$work/prepare.out" 2>"$work/prepare.log" || true
	emit_all "$where" < <(grep -E '^(ok|not ok)' "$work/prepare.out")
	kver=$(sed -n 's/^kver //p' "$work/prepare.out")
	if [ -z "$kver" ]; then
		emit "$where" "not ok - installing the packages in the image failed (log: $work/prepare.log)"
		tail -n 15 "$work/prepare.log" | sed 's/^/#   /'
		continue
	fi

	# 3. Run A: armed at boot, upgraded, rebooted, panicked, captured.
	qemu_run "$work" run-a "$work/boot/vmlinuz-$kver" "$work/boot/initrd.img-$kver" \
		"root=/dev/vda ro console=ttyS0 panic=-1"
	report_run "$where" "$work/run-a"

	# From the disk image: the dump is complete and shows the panic.
	dump=$(debugfs_ls "$work/disk.img" /var/crash | grep -E -- '-20[0-9]{2}-' | sort | tail -n 1 || true)
	mkdir -p "$work/dump"
	if [ -n "$dump" ] &&
		debugfs_get "$work/disk.img" "/var/crash/$dump/vmcore" "$work/dump/vmcore" &&
		debugfs_get "$work/disk.img" "/var/crash/$dump/dmesg.txt" "$work/dump/dmesg.txt"; then
		emit "$where" "ok - the host finds /var/crash/$dump/vmcore and dmesg.txt in the disk image"
		if "$makedumpfile" --dump-dmesg "$work/dump/vmcore" "$work/dump/vmcore-dmesg.txt" >"$work/dump/makedumpfile.log" 2>&1 &&
			grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$work/dump/vmcore-dmesg.txt"; then
			emit "$where" "ok - makedumpfile --dump-dmesg on the host shows the panic in the vmcore"
		else
			emit "$where" "not ok - makedumpfile --dump-dmesg on the host shows the panic in the vmcore (log: $work/dump/makedumpfile.log)"
		fi
		echo "# vmcore: $(stat -c %s "$work/dump/vmcore") bytes"
	else
		emit "$where" "not ok - the host finds /var/crash/<dump>/vmcore and dmesg.txt in the disk image (found '${dump:-nothing}')"
	fi
	rm -f "$work/dump/vmcore"

	# 4. Run B (trixie: the second kernel comes from trixie-backports).
	if [ "$suite" = trixie ]; then
		truncate -s 64M "$work/crash.img"
		mkfs.ext4 -q -L lazycrash -m 0 "$work/crash.img"
		# shellcheck disable=SC2016 # expanded by that sh
		"$here/in-image.sh" "$work/crash.img" -- sh -c \
			'avail=$(df -Pk "$ROOT" | awk "NR == 2 { print \$4 }"); fallocate -l $(((avail - 1024) * 1024)) "$ROOT/filler"; df -h "$ROOT"' \
			>"$work/crash-fill.log" 2>&1 || true
		uuid=$(blkid -o value -s UUID "$work/crash.img")
		"$here/in-image.sh" "$work/disk.img" -- "$here/prepare.sh" filelist >"$work/newkernel-before.list" 2>/dev/null || true
		"$here/in-image.sh" -b "$cache" "$work/disk.img" -- \
			"$here/prepare.sh" newkernel "$work" "$uuid" >"$work/prepare-b.out" 2>"$work/prepare-b.log" || true
		"$here/in-image.sh" "$work/disk.img" -- "$here/prepare.sh" filelist >"$work/newkernel-after.list" 2>/dev/null || true
		# What the test's own kernel install changed (the new kernel, its
		# headers' linux-libc-dev) is not the packages' to undo; what
		# lazy-kdump's DKMS and hooks made for it still is.
		LC_ALL=C comm -3 "$work/newkernel-before.list" "$work/newkernel-after.list" | tr -d '\t' |
			grep -Eiv 'lazy|dkms' >"$work/test-changes.list" || true
		emit_all "$where" < <(grep -E '^(ok|not ok)' "$work/prepare-b.out")
		kver2=$(sed -n 's/^kver //p' "$work/prepare-b.out")
		if [ -z "$kver2" ]; then
			emit "$where" "not ok - installing the second kernel failed (log: $work/prepare-b.log)"
			tail -n 15 "$work/prepare-b.log" | sed 's/^/#   /'
		else
			qemu_run "$work" run-b "$work/boot/vmlinuz-$kver2" "$work/boot/initrd.img-$kver2" \
				"root=/dev/vda ro console=ttyS0 panic=-1 lazytest.kver=$kver2" \
				-drive "file=$work/crash.img,format=raw,if=virtio"
			report_run "$where" "$work/run-b"
			dump=$(debugfs_ls "$work/crash.img" / | grep -E -- '-20[0-9]{2}-' | sort | tail -n 1 || true)
			if [ -n "$dump" ] && debugfs_get "$work/crash.img" "/$dump/dmesg.txt" "$work/dump/full-dmesg.txt" &&
				grep -q 'sysrq triggered crash' "$work/dump/full-dmesg.txt"; then
				emit "$where" "ok - the host finds dmesg.txt with the panic on the full file system"
			else
				emit "$where" "not ok - the host finds dmesg.txt with the panic on the full file system (found '${dump:-nothing}')"
			fi
			emergency_check "$where" "$work/run-b/console.ts" root
		fi
	fi

	# 5. After the purge (the guest's last step): nothing of the packages.
	if debugfs_get "$work/disk.img" /var/lib/lazy-test/after.list "$work/after.list" &&
		debugfs_get "$work/disk.img" /var/lib/lazy-test/owned.list "$work/owned.list"; then
		[ -e "$work/test-changes.list" ] || : >"$work/test-changes.list"
		left=$(LC_ALL=C comm -13 "$work/before.list" "$work/after.list" | grep -Ev "$PKG_IGNORE" |
			LC_ALL=C comm -23 - "$work/owned.list" | grep -vxFf "$work/test-changes.list" || true)
		gone=$(LC_ALL=C comm -23 "$work/before.list" "$work/after.list" | grep -Ev "$PKG_IGNORE" |
			grep -vxFf "$work/test-changes.list" || true)
		if [ -z "$left$gone" ]; then
			emit "$where" "ok - after the purge the system's files are those before the install ($(wc -l <"$work/after.list") compared)"
		else
			emit "$where" "not ok - after the purge the system's files are those before the install"
			printf '%s\n' "$left" | sed '/^$/d; s/^/#   left: /' | head -n 20
			printf '%s\n' "$gone" | sed '/^$/d; s/^/#   gone: /' | head -n 20
		fi
	else
		emit "$where" "not ok - the guest wrote its file lists after the purge"
	fi
	rm -f "$work/disk.img" "$work/crash.img"
	echo "# $where: $((SECONDS - t0)) s in all"
done

echo "1..$total"
echo "# full-system tests: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
