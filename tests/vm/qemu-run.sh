#!/usr/bin/env bash
# Run one VM test group in a QEMU TCG guest; print its TAP lines, unnumbered.
#
# Usage: tests/vm/qemu-run.sh [options] KDIR INITRD GROUP TESTS [-- QEMU_ARGS...]
#   KDIR       kernel directory from scripts/fetch-kernel.sh
#   INITRD     main initrd from tests/vm/mkinitrd.sh (built for KDIR)
#   GROUP      group name (results directory, markers)
#   TESTS      comma-separated test names: the guest runs /lazy/tests/t_NAME.sh
#   QEMU_ARGS  machine options: -m, -numa, -object, ... (default -m 1G)
# Options:
#   -a WORDS   more kernel command line words
#   -t SECS    time limit of one attempt (default 120)
#   -b SECS    boot limit: "LAZYTEST BEGIN" must arrive this soon after QEMU
#              starts, and again after "LAZYTEST EXPECT-CRASH" (default 45)
#   -r N       attempts after the first when the guest does not finish (default 1)
#   -o DIR     results directory (default build/vm-results/KVER/GROUP)
#   -d SIZE    a fresh ext4 file system of SIZE (512M, 1G) for every attempt:
#              OUTDIR/disk.img, the guest's first virtio disk (/dev/vda)
#   -c SCRIPT  host-side check, run after the guest finished:
#              SCRIPT OUTDIR prints TAP lines (unnumbered) about what the
#              guest left behind (OUTDIR/disk.img, OUTDIR/console.log);
#              environment LAZY_VM_KDIR, LAZY_VM_GROUP, LAZY_VM_DISK
#   -I         interactive: console on this terminal, a shell after the tests,
#              no time limit, no retry
#
# Output: "# ..." notes, the guest's TAP lines ("ok - ...", "not ok - ..."),
# and "not ok - GROUP: guest did not finish (...)" when no attempt reached
# "LAZYTEST END". Exit status 0 when every line is ok, 1 otherwise.
# The results directory keeps console.log (ttyS0), results.tap (ttyS1),
# monitor.log and timings; a failed attempt's logs are kept as attemptN-*.
#
# "LAZYTEST EXPECT-REBOOT" from the guest: the guest is about to reboot on
# its own (e.g. the final action of a crash capture); with -no-reboot QEMU
# then exits, and that exit ends the attempt as "finished", like END.
#
# Requests from the guest ("LAZYTEST HOST ..." on ttyS1), sent to the QEMU
# human monitor over a FIFO pair:
#   hotplug-dimm SIZE [NODE]  object_add memory-backend-ram + device_add pc-dimm
#                             (the guest needs -m SIZE,slots=N,maxmem=MAX)
#   hmp COMMAND...            any monitor command, as is
#
# Guests run one at a time: a lock in $LAZY_KDUMP_CACHE serialises them.
# LAZY_VM_CPU: the guest CPU model (default max; the capture and allocation
# benchmarks use qemu64, QEMU's default model, which TCG runs ~15 % faster:
# no AVX, MPX, PKU or XSAVE state to emulate).
# LAZY_VM_INJECT=stall|stall-first (for selftest.sh) starts every / the first
# attempt with stopped CPUs, as an early boot hang would look.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$here/../../scripts/common.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

append='' timeout_s=120 boot_s=45 retries=1 outdir='' interactive=0 disk_size='' check=''
while getopts a:t:b:r:o:d:c:Ih opt; do
	case $opt in
	a) append=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	b) boot_s=$OPTARG ;;
	r) retries=$OPTARG ;;
	o) outdir=$OPTARG ;;
	d) disk_size=$OPTARG ;;
	c) check=$OPTARG ;;
	I) interactive=1 ;;
	h) usage 0 ;;
	*) usage 2 >&2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 4 ] || usage 2 >&2
kdir=$1 initrd=$2 group=$3 tests=$4
shift 4
[ "${1:-}" != -- ] || shift
qemu_args=("$@")
for n in "$timeout_s" "$boot_s" "$retries"; do
	[[ $n =~ ^[0-9]+$ ]] || die "not a whole number: '$n'"
done
[[ $group =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad group name '$group': use letters, digits, . _ -"
[[ $tests =~ ^[A-Za-z0-9_,-]+$ ]] || die "bad test list '$tests': names separated by commas"

[ -r "$kdir/info" ] || die "$kdir/info missing: pass a directory printed by scripts/fetch-kernel.sh"
KVER='' VMLINUZ=''
# shellcheck source=/dev/null
. "$kdir/info"
kernel=$kdir/root/$VMLINUZ
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "no initrd $initrd: build it with tests/vm/mkinitrd.sh"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
if [ -n "$disk_size" ]; then
	[[ $disk_size =~ ^[0-9]+[KMG]?$ ]] || die "bad disk size '$disk_size': use a size like 512M"
	command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 not found: apt-get install e2fsprogs"
fi
[ -z "$check" ] || [ -x "$check" ] || die "host check $check is not an executable file"

: "${outdir:=$here/../../build/vm-results/$KVER/$group}"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# mem_mib SPEC: the boot memory of "-m SPEC" in MiB (QEMU's default unit).
mem_mib() {
	local v=${1%%,*}
	v=${v#size=}
	case $v in
	*[Gg]) echo $((${v%[Gg]} * 1024)) ;;
	*[Mm]) echo "${v%[Mm]}" ;;
	*[Tt]) echo $((${v%[Tt]} * 1024 * 1024)) ;;
	*[!0-9]*) echo '' ;;
	*) echo "$v" ;;
	esac
}
mem=''
for ((i = 0; i < ${#qemu_args[@]}; i++)); do
	[ "${qemu_args[i]}" = -m ] && mem=$(mem_mib "${qemu_args[i + 1]:-}")
done
if ! printf '%s\n' "${qemu_args[@]}" | grep -qx -- -m; then
	qemu_args=(-m 1G "${qemu_args[@]}")
	mem=1024
fi
cmdline="console=ttyS0 panic=-1 lazygroup=$group lazytests=$tests${mem:+ lazymem=$mem}${append:+ $append}"

# now_ms: wall clock in milliseconds.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}
secs() { printf '%d.%01d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
secs_or_never() { if [ -n "$1" ]; then echo "$(secs "$1") s"; else echo never; fi; }

tap=()     # TAP lines of the current attempt
notes=()   # host notes of the current attempt
mon_fd=''  # write end of the monitor FIFO
dimms=0

# send_monitor CMD: one line to the QEMU monitor, errors noted.
send_monitor() {
	local before after
	before=$(stat -c %s "$outdir/monitor.log" 2>/dev/null || echo 0)
	printf '%s\n' "$1" >&"$mon_fd"
	sleep 0.5
	after=$(tail -c +$((before + 1)) "$outdir/monitor.log" 2>/dev/null | tr -d '\r' | grep -i 'error' || true)
	if [ -n "$after" ]; then
		tap+=("# host: monitor command '$1' failed: $after")
	else
		tap+=("# host: monitor: $1")
	fi
}

# host_request WORDS...: a "LAZYTEST HOST" request of the guest.
host_request() {
	local cmd=${1:-} size node
	case $cmd in
	hotplug-dimm)
		size=${2:-} node=${3:-}
		if ! [[ $size =~ ^[0-9]+[KMGT]?$ ]] || ! [[ $node =~ ^[0-9]*$ ]]; then
			tap+=("not ok - host: bad request 'hotplug-dimm $size $node' (want SIZE like 1G, optional NODE number)")
			return
		fi
		dimms=$((dimms + 1))
		send_monitor "object_add memory-backend-ram,id=lazymem$dimms,size=$size"
		send_monitor "device_add pc-dimm,id=lazydimm$dimms,memdev=lazymem$dimms${node:+,node=$node}"
		;;
	hmp)
		shift
		send_monitor "$*"
		;;
	*) tap+=("not ok - host: unknown request 'LAZYTEST HOST $*'") ;;
	esac
}

# One attempt. Sets: finished (1 when LAZYTEST END came), reason, tap[], notes[].
run_attempt() {
	local n=$1 results=$outdir/results.tap mon_r start now line
	local done_lines=0 begin_ms='' end_ms='' wait_since expect_crash=0 begins=0
	local expect_reboot=0
	local -a lines args
	tap=() notes=() finished=0 reason='' dimms=0
	rm -f "$outdir"/{console.log,results.tap,monitor.log,monitor.in,monitor.out,disk.img}
	mkfifo "$outdir/monitor.in" "$outdir/monitor.out"
	exec {mon_fd}<>"$outdir/monitor.in" {mon_r}<>"$outdir/monitor.out"
	cat <&"$mon_r" >"$outdir/monitor.log" &
	cat_pid=$!
	# shellcheck disable=SC2054 # commas inside QEMU option values
	args=(-accel tcg -cpu "${LAZY_VM_CPU:-max}" -smp 2 -nodefaults -display none -no-reboot
		-chardev "pipe,id=lazymon,path=$outdir/monitor" -mon chardev=lazymon,mode=readline
		-kernel "$kernel" -initrd "$initrd")
	# Harness self-test (selftest.sh): a guest whose CPUs never start looks
	# like an early boot hang.
	case ${LAZY_VM_INJECT:-}:$n in
	stall:* | stall-first:1) args+=(-S) ;;
	esac
	# A fresh file system for every attempt: a retry must not see the
	# last attempt's files.
	if [ -n "$disk_size" ]; then
		truncate -s "$disk_size" "$outdir/disk.img"
		mkfs.ext4 -F -q -L lazydisk "$outdir/disk.img"
		# shellcheck disable=SC2054 # commas inside a QEMU option value
		args+=(-drive "file=$outdir/disk.img,if=virtio,format=raw")
	fi
	if [ "$interactive" = 1 ]; then
		qemu-system-x86_64 "${args[@]}" -serial mon:stdio -serial "file:$results" \
			-append "$cmdline lazyshell=1" "${qemu_args[@]}" || true
		kill "$cat_pid" 2>/dev/null || true
		exec {mon_fd}>&- {mon_r}<&-
		mapfile -t tap < <(grep -v '^LAZYTEST ' "$results" | tr -d '\r')
		grep -q '^LAZYTEST END' "$results" && finished=1
		return 0
	fi
	start=$(now_ms)
	wait_since=$start
	qemu-system-x86_64 "${args[@]}" -serial "file:$outdir/console.log" -serial "file:$results" \
		-append "$cmdline" "${qemu_args[@]}" </dev/null >"$outdir/qemu.log" 2>&1 &
	qpid=$!
	local alive=1 killed=''
	while :; do
		kill -0 "$qpid" 2>/dev/null || alive=0
		if [ -s "$results" ]; then
			mapfile -t lines <"$results"
			# The last line may still be on its way.
			local complete=${#lines[@]}
			[ -z "$(tail -c 1 "$results")" ] || complete=$((complete - 1))
			while [ "$done_lines" -lt "$complete" ]; do
				line=${lines[done_lines]%$'\r'}
				done_lines=$((done_lines + 1))
				now=$(now_ms)
				case $line in
				"LAZYTEST BEGIN "*)
					begins=$((begins + 1))
					[ -n "$begin_ms" ] || begin_ms=$((now - start))
					notes+=("$group attempt $n: ${line#LAZYTEST } after $(secs $((now - start))) s")
					wait_since=''
					;;
				"LAZYTEST END"*)
					end_ms=$((now - start))
					finished=1
					;;
				"LAZYTEST EXPECT-CRASH"*)
					expect_crash=1
					wait_since=$now
					notes+=("$group attempt $n: the guest panics after $(secs $((now - start))) s")
					;;
				"LAZYTEST EXPECT-REBOOT"*)
					expect_reboot=1
					notes+=("$group attempt $n: the guest announced a reboot after $(secs $((now - start))) s")
					;;
				"LAZYTEST HOST "*)
					local -a words
					read -ra words <<<"${line#LAZYTEST HOST }"
					host_request "${words[@]}"
					;;
				"ok "* | "ok" | "not ok"* | "#"*) tap+=("$line") ;;
				"") ;;
				*) tap+=("# guest: $line") ;;
				esac
			done
		fi
		[ "$alive" = 1 ] || break
		now=$(now_ms)
		if [ -n "$end_ms" ]; then
			if [ $((now - start - end_ms)) -gt 15000 ]; then
				killed="guest did not power off after LAZYTEST END"
			fi
		elif [ -n "$wait_since" ] && [ $((now - wait_since)) -gt $((boot_s * 1000)) ]; then
			if [ "$expect_crash" = 1 ]; then
				killed="no crash kernel: no LAZYTEST BEGIN within ${boot_s}s of EXPECT-CRASH"
			else
				killed="no LAZYTEST BEGIN within ${boot_s}s (boot hang?)"
			fi
		elif [ $((now - start)) -gt $((timeout_s * 1000)) ]; then
			killed="timed out after ${timeout_s}s"
		fi
		if [ -n "$killed" ]; then
			kill "$qpid" 2>/dev/null || true
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				kill -0 "$qpid" 2>/dev/null || break
				sleep 0.5
			done
			kill -9 "$qpid" 2>/dev/null || true
			alive=0
			continue # read what is left, then stop
		fi
		sleep 0.2
	done
	local rc=0
	wait "$qpid" || rc=$?
	now=$(now_ms)
	kill "$cat_pid" 2>/dev/null || true
	wait "$cat_pid" 2>/dev/null || true
	qpid='' cat_pid=''
	exec {mon_fd}>&- {mon_r}<&-
	rm -f "$outdir/monitor.in" "$outdir/monitor.out"
	if [ "$finished" = 0 ] && [ "$expect_reboot" = 1 ] && [ -z "$killed" ] && [ "$rc" = 0 ]; then
		# -no-reboot: the announced reboot ends QEMU; that is the end.
		finished=1 end_ms=$((now - start))
	fi
	if [ "$finished" = 1 ]; then
		[ -z "$killed" ] || notes+=("$group attempt $n: $killed; killed QEMU")
	elif [ -n "$killed" ]; then
		reason=$killed
	elif [ "$expect_crash" = 1 ] && [ "$begins" -lt 2 ]; then
		reason="QEMU exited (status $rc) after EXPECT-CRASH without a crash kernel boot"
	else
		reason="QEMU exited (status $rc) before LAZYTEST END"
		[ ! -s "$outdir/qemu.log" ] || reason="$reason: $(head -c 300 "$outdir/qemu.log" | tr '\n' ' ')"
	fi
	notes+=("$group attempt $n: $( ((finished)) && echo finished || echo "did not finish ($reason)"); init after $(secs_or_never "$begin_ms"), end after $(secs_or_never "$end_ms"), QEMU ran $(secs $((now - start))) s")
	printf '%s\n' "${notes[@]}" >>"$outdir/timings"
	return 0
}

# Our children, killed when we are: QEMU and the monitor reader.
qpid='' cat_pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null || true
	[ -z "$cat_pid" ] || kill "$cat_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One guest at a time on this machine.
lock=$LAZY_KDUMP_CACHE/qemu.lock
mkdir -p "$LAZY_KDUMP_CACHE"
exec {lock_fd}>"$lock"
if ! flock -n "$lock_fd"; then
	echo "# $group: waiting for another QEMU guest to finish ($lock)"
	flock "$lock_fd"
fi

: >"$outdir/timings"
rm -f "$outdir"/attempt*-*
attempts=$((retries + 1))
[ "$interactive" = 0 ] || attempts=1
for ((a = 1; a <= attempts; a++)); do
	run_attempt "$a"
	[ "$finished" = 0 ] || break
	if [ "$a" -lt "$attempts" ]; then
		for f in console.log results.tap monitor.log qemu.log; do
			[ ! -e "$outdir/$f" ] || mv "$outdir/$f" "$outdir/attempt$a-$f"
		done
		echo "# $group: attempt $a did not finish ($reason); retrying (console log: $outdir/attempt$a-console.log)"
	fi
done
exec {lock_fd}>&-

# The host-side check of what the guest left behind.
if [ "$finished" = 1 ] && [ -n "$check" ]; then
	# The check reads our scratch disk, or the caller's (LAZY_VM_DISK).
	check_disk=${LAZY_VM_DISK:-}
	[ -z "$disk_size" ] || check_disk=$outdir/disk.img
	check_out=$(LAZY_VM_KDIR=$kdir LAZY_VM_GROUP=$group \
		LAZY_VM_DISK=$check_disk "$check" "$outdir" 2>"$outdir/check.log") &&
		check_rc=0 || check_rc=$?
	while IFS= read -r l; do
		case $l in
		"ok "* | "ok" | "not ok"* | "#"*) tap+=("$l") ;;
		"") ;;
		*) tap+=("# host check: $l") ;;
		esac
	done <<<"$check_out"
	[ "$check_rc" = 0 ] || tap+=("not ok - $group: host check ${check##*/} exited $check_rc (log: $outdir/check.log)")
fi

for l in "${notes[@]}"; do echo "# $l"; done
status=0
for l in "${tap[@]}"; do
	echo "$l"
	case $l in "not ok"*) status=1 ;; esac
done
if [ "$finished" = 0 ]; then
	echo "not ok - $group: guest did not finish: $reason (console log: $outdir/console.log)"
	# Why it stopped, when the kernel said so, then how the log ends.
	grep -a -m 3 -E 'Kernel panic|BUG:|Oops:|general protection fault' "$outdir/console.log" 2>/dev/null |
		tr -d '\r' | sed 's/^/#   console: /' || true
	echo "#   console: ..."
	tail -n 12 "$outdir/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/#   console: /' || true
	status=1
fi
exit "$status"
