#!/usr/bin/env bash
# The full-system test: lazy-kdump installed like a distribution service
# on a real Debian system with systemd and dracut, booted under QEMU TCG
# without crashkernel=. TAP on stdout; exit status 1 when anything failed.
#
# Usage: tests/full/run.sh [SUITE...]      (default trixie; bookworm runs
#                                           steps 1-3 and 5)
#
# For each suite:
#   1. the cached root image (tests/full/build-image.sh), copied
#   2. `make install` in it, in a chroot (tests/full/prepare.sh install);
#      the test step unit (tests/full/guest/) is enabled
#   3. run A, one QEMU guest that reboots on its own: enable --now, armed,
#      a config edit re-arms; reboot, armed again by itself; panic, the
#      crash kernel boots the dracut-built capture initrd, saves the dump,
#      reboots; the dump is complete; power off. The host then reads
#      dmesg.txt and the vmcore from the disk image (debugfs) and checks
#      the panic with makedumpfile --dump-dmesg.
#   4. (trixie) the trixie-backports kernel installed from the host
#      (prepare.sh newkernel), /var/crash on a small file system of its own
#      that is almost full; run B: booted on the new kernel, armed with it
#      (DKMS built the module), panic: dmesg.txt saved, no vmcore, rebooted.
#   5. (trixie) `make uninstall` in the image leaves nothing behind.
# Kernel command line: root=/dev/vda ro console=ttyS0 panic=-1, no
# crashkernel=. Results: build/full-results/SUITE/ (console logs, ttyS1 logs
# with host timestamps, metrics).
#
# Environment:
#   LAZY_FULL_RESULTS   results directory (default build/full-results)
#   LAZY_FULL_TIMEOUT   seconds a run may take (default 1200)
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
limit=${LAZY_FULL_TIMEOUT:-1200}
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
	if ! flock -n "$lock_fd"; then
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
	# Host-side timings from the stamps: panic -> dump saved -> rebooted.
	awk '
		/LAZYTEST PANIC/ { p = $1 }
		/LAZYTEST BEGIN/ && p && !b { b = $1 }
		END { if (p && b) printf "# metric panic-to-rebooted-seconds %.0f\n", b - p }
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

for suite in "${suites[@]}"; do
	work=$results/$suite
	rm -rf "$work"
	mkdir -p "$work"
	where="full/$suite"
	t0=$SECONDS
	if ! img=$("$here/build-image.sh" "$suite" 2>"$work/build-image.log"); then
		emit "$where" "not ok - the $suite root image could not be built (log: $work/build-image.log)"
		tail -n 10 "$work/build-image.log" | sed 's/^/#   /'
		continue
	fi
	echo "# image: $img (ready after $((SECONDS - t0)) s)"
	cp --sparse=always "$img" "$work/disk.img"
	debs="$LAZY_KDUMP_CACHE/full/debs/$suite:/var/cache/apt/archives"
	"$here/in-image.sh" -b "$debs" "$work/disk.img" -- \
		"$here/prepare.sh" install "$top" "$work" >"$work/prepare.out" 2>"$work/prepare.log" || true
	emit_all "$where" < <(grep -E '^(ok|not ok)' "$work/prepare.out")
	kver=$(sed -n 's/^kver //p' "$work/prepare.out")
	if [ -z "$kver" ]; then
		emit "$where" "not ok - preparing the image failed (log: $work/prepare.log)"
		tail -n 15 "$work/prepare.log" | sed 's/^/#   /'
		continue
	fi

	# Run A: enable, reboot, panic, capture, reboot, check.
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

	# Run B (trixie: the second kernel comes from trixie-backports).
	if [ "$suite" = trixie ]; then
		# Run B: a second kernel, and a full /var/crash.
		truncate -s 64M "$work/crash.img"
		mkfs.ext4 -q -L lazycrash -m 0 "$work/crash.img"
		# shellcheck disable=SC2016 # expanded by that sh
		"$here/in-image.sh" "$work/crash.img" -- sh -c \
			'avail=$(df -Pk "$ROOT" | awk "NR == 2 { print \$4 }"); fallocate -l $(((avail - 1024) * 1024)) "$ROOT/filler"; df -h "$ROOT"' \
			>"$work/crash-fill.log" 2>&1 || true
		uuid=$(blkid -o value -s UUID "$work/crash.img")
		"$here/in-image.sh" -b "$debs" "$work/disk.img" -- \
			"$here/prepare.sh" newkernel "$work" "$uuid" >"$work/prepare-b.out" 2>"$work/prepare-b.log" || true
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
		fi
	fi
	"$here/in-image.sh" "$work/disk.img" -- "$here/prepare.sh" uninstall \
		>"$work/uninstall.out" 2>"$work/uninstall.log" || true
	emit_all "$where" < <(grep -E '^(ok|not ok)' "$work/uninstall.out")
	echo "# $where: $((SECONDS - t0)) s in all"
done

echo "1..$total"
echo "# full-system tests: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
