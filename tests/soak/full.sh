#!/usr/bin/env bash
# The soak on the full system: CYCLES consecutive panic -> capture ->
# reboot -> armed again cycles on the Debian guest of the full-system test
# (systemd, dracut, `make install`, lazy-kdump.service arming kdump at boot,
# no crashkernel=). TAP on stdout; exit status 1 when anything failed.
#
# Usage: tests/soak/full.sh [--cycles N] [--keep N] [SUITE]
#        tests/soak/full.sh --report [SUITE]
#   --cycles N  panics (default 20)
#   --keep N    KEEP_DUMPS written to the image's /etc/lazy-kdump.conf
#               (default 3)
#   SUITE       trixie (default) or bookworm: the image of
#               tests/full/build-image.sh
#   --report    only the checks and figures again, from what the last run
#               kept in build/soak/full-SUITE/ (run.env, the stamped
#               serial output, disk.img)
#
# A working copy of the cached image gets `make install` as
# tests/full/prepare.sh install does it, lazy-kdump.service enabled,
# KEEP_DUMPS=N, and the soak step (tests/soak/guest/soak-step.sh, run by
# lazy-soak.service after every boot). ONE QEMU process (TCG, -cpu max,
# 2 GiB, -smp 2, without -no-reboot: the crash kernel's reboot resets the
# machine and the system boots again) under the flock
# $LAZY_KDUMP_CACHE/qemu.lock. The step waits until kdump is armed, checks
# the dump of the last panic, hard-links it under /var/lib/lazy-soak/dumps/
# (out of the retention's reach, for the host) and panics, CYCLES times;
# then it powers off. A guest that prints nothing for LAZY_SOAK_STALL
# seconds is hung: QEMU is restarted on the same disk, once per cycle (the
# step makes a cycle whose capture was lost again, once).
#
# Checked for every cycle: armed again after the reboot (the service, the
# status, kexec_crash_loaded); the dump complete (vmcore, no
# vmcore.incomplete, status result=saved, the panic in dmesg.txt); the host
# reads the vmcore from the disk image (debugfs) and makedumpfile
# --dump-dmesg shows the panic; at most KEEP_DUMPS dump directories in
# /var/crash; the crash region (kexec_crash_size and the region lazy-kdump
# holds) the same as at the first boot; MemTotal the same (+- 1 MiB) and MemAvailable
# after arming within 5 % of MemTotal of the median of all boots.
#
# Timings, from the host's clock: every console line is stamped when tail
# -F (polling every 0.2 s) hands it over. Per cycle: panic (the kernel's
# panic line), saved (the capture's "saved .../vmcore ("), crash reboot
# ("reboot: Restarting system"), up (the step's "SOAK UP": multi-user
# reached and kdump armed again); the guest's boot-to-armed
# (lazy-kdump.service's ActiveEnterTimestampMonotonic). A cycle with a QEMU
# restart is left out of the distribution.
#
# Output: build/soak/full-SUITE/ (console.ts, ttyS1.ts: stamped serial
# output; cycles.tsv: one row a cycle; summary.txt: the distribution),
# also printed as "# " lines.
# The image grows by 256 MiB a cycle (resize2fs; sparse): the hard links
# keep every vmcore on the root file system, which holds /var/crash.
# Environment: LAZY_KDUMP_CACHE, LAZY_SOAK_RESULTS (default build/soak),
# LAZY_SOAK_STALL (seconds without guest output before it counts as hung,
# default 180), LAZY_SOAK_STALL_FIRST (the same until the first boot armed:
# it builds the capture initrd, quietly; default 600), LAZY_SOAK_TIMEOUT
# (seconds for the whole run, default 900 + 420 per cycle).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
full=$top/tests/full
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

in_root() {
	chroot "$ROOT" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# --- inside the mounted image (re-entered through tests/full/in-image.sh) ---
if [ "${1-}" = --stage ]; then
	: "${ROOT:?run through tests/full/in-image.sh}"
	out=$2 cycles=$3 keep=$4
	# As tests/full/prepare.sh installs it, then the soak step.
	"$full/prepare.sh" install "$top" "$out"
	in_root systemctl enable lazy-kdump.service >&2
	install -D -m 0755 "$here/guest/soak-step.sh" "$ROOT/usr/local/lib/lazy-soak/soak-step.sh"
	install -D -m 0644 "$here/guest/lazy-soak.service" "$ROOT/etc/systemd/system/lazy-soak.service"
	in_root systemctl enable lazy-soak.service >&2
	rm -rf "$ROOT/var/lib/lazy-soak"
	mkdir -p "$ROOT/var/lib/lazy-soak"
	echo "$cycles" >"$ROOT/var/lib/lazy-soak/cycles"
	echo "$keep" >"$ROOT/var/lib/lazy-soak/keep"
	printf '# Set by tests/soak/full.sh: the retention under test.\nKEEP_DUMPS=%s\n' "$keep" >>"$ROOT/etc/lazy-kdump.conf"
	find "$ROOT/var/crash" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
	if [ "$(in_root systemctl is-enabled lazy-kdump.service)" = enabled ] &&
		[ "$(in_root systemctl is-enabled lazy-soak.service)" = enabled ]; then
		echo "ok - lazy-kdump.service and the soak step are enabled, KEEP_DUMPS=$keep"
	else
		echo "not ok - lazy-kdump.service and the soak step are enabled"
	fi
	exit 0
fi

# --- the host ---------------------------------------------------------------
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}
cycles=20 keep=3 report=0
while [ $# -gt 0 ]; do
	case $1 in
	--report) report=1 ;;
	--cycles)
		cycles=${2:?--cycles needs a number}
		shift
		;;
	--keep)
		keep=${2:?--keep needs a number}
		shift
		;;
	-h | --help) usage 0 ;;
	-*) usage 2 >&2 ;;
	*) break ;;
	esac
	shift
done
suite=${1:-trixie}
[[ $cycles =~ ^[1-9][0-9]*$ ]] || die "--cycles $cycles: a number of cycles, 1 or more"
[[ $keep =~ ^[0-9]+$ ]] || die "--keep $keep: a number of dumps"
[ "$(id -u)" = 0 ] || die "needs root (loop mounts, chroot); run $0 as root"
for c in qemu-system-x86_64 debugfs flock tail; do
	command -v "$c" >/dev/null || die "$c is not installed; run scripts/install-deps.sh"
done
stall_first=${LAZY_SOAK_STALL_FIRST:-600}
stall_up=${LAZY_SOAK_STALL:-180}
limit=${LAZY_SOAK_TIMEOUT:-$((900 + 420 * cycles))}
results=${LAZY_SOAK_RESULTS:-$top/build/soak}
work=$results/full-$suite
if [ "$report" = 0 ]; then
	rm -rf "$work"
	mkdir -p "$work"
elif [ ! -s "$work/run.env" ]; then
	die "no kept run in $work/run.env (run $0 first)"
fi
work=$(cd "$work" && pwd)
where="soak-full/$suite"

total=0 failed=0
# emit LINE: number a guest or host TAP line; pass notes through.
emit() {
	local line=$1 verdict rest
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
tap_ok() { emit "ok - $*"; }
tap_nok() { emit "not ok - $*"; }

qpid=''
stampers=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null || true
	local p
	for p in "${stampers[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stamp FILE PID >OUT: each line of FILE, as it arrives, with the host's
# time in front, until PID has exited and the rest is read.
stamp() {
	local line
	tail -n +1 -F -s 0.2 --pid="$2" "$1" 2>/dev/null | while IFS= read -r line || [ -n "$line" ]; do
		printf '%s %s\n' "$EPOCHREALTIME" "${line//$'\r'/}"
	done
}
now() { printf '%s\n' "$EPOCHREALTIME"; }

# boot APPEND: the guest until it powers off after "SOAK END"; restarted on
# the same disk when it hangs, once per cycle. Sets run_ok, run_why,
# lock_wait, qemu_s, restarts.
boot() {
	local append=$1 attempt=0 s size last lastsize rc lock_fd stall cyc=0 c
	local -A restarted=()
	run_ok=0 run_why='' restarts=0
	: >"$work/console.ts"
	: >"$work/ttyS1.ts"
	: >"$work/host.ts"
	exec {lock_fd}>"$LAZY_KDUMP_CACHE/qemu.lock"
	s=$SECONDS
	if ! flock -n "$lock_fd"; then
		echo "# $where: waiting for another QEMU guest to finish ($LAZY_KDUMP_CACHE/qemu.lock)"
		flock "$lock_fd"
	fi
	lock_wait=$((SECONDS - s))
	s=$SECONDS
	while :; do
		attempt=$((attempt + 1))
		echo "$(now) HOST START attempt=$attempt" >>"$work/host.ts"
		qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
			-display none -monitor none -nodefaults \
			-kernel "$work/boot/vmlinuz-$kver" -initrd "$work/boot/initrd.img-$kver" \
			-append "$append lazysoak.attempt=$attempt" \
			-drive "file=$work/disk.img,format=raw,if=virtio" \
			-serial "file:$work/console.$attempt.log" -serial "file:$work/ttyS1.$attempt.log" \
			>"$work/qemu.$attempt.log" 2>&1 &
		qpid=$!
		stamp "$work/console.$attempt.log" "$qpid" >>"$work/console.ts" &
		stampers=($!)
		stamp "$work/ttyS1.$attempt.log" "$qpid" >>"$work/ttyS1.ts" &
		stampers+=($!)
		last=$SECONDS lastsize=-1
		while kill -0 "$qpid" 2>/dev/null; do
			sleep 1
			size=$(cat "$work/console.$attempt.log" "$work/ttyS1.$attempt.log" 2>/dev/null | wc -c)
			if [ "$size" != "$lastsize" ]; then
				lastsize=$size last=$SECONDS
			fi
			# Until the first boot armed (it builds the capture initrd,
			# quietly), a longer stall limit.
			stall=$stall_first
			! grep -q ' SOAK UP ' "$work/ttyS1.ts" 2>/dev/null || stall=$stall_up
			if [ $((SECONDS - s)) -gt "$limit" ]; then
				run_why="over the time limit of $limit s"
				kill -9 "$qpid" 2>/dev/null || true
			elif [ $((SECONDS - last)) -gt "$stall" ]; then
				run_why="no guest output for $stall s (hung)"
				kill -9 "$qpid" 2>/dev/null || true
			fi
		done
		rc=0
		wait "$qpid" || rc=$?
		qpid=''
		wait "${stampers[@]}" 2>/dev/null || true
		stampers=()
		if grep -q '^SOAK END' "$work/ttyS1.$attempt.log" 2>/dev/null; then
			run_ok=1
			break
		fi
		[ -n "$run_why" ] || run_why="QEMU exited (status $rc) before SOAK END: $(head -c 300 "$work/qemu.$attempt.log" | tr '\n' ' ')"
		case $run_why in *"time limit"*) break ;; esac
		# The cycle it hung in: the last panic (or boot) this attempt saw.
		c=$(sed -n 's/^SOAK PANIC \([0-9]*\).*/\1/p; s/^SOAK BOOT cycle=\([0-9]*\).*/\1/p' \
			"$work/ttyS1.$attempt.log" 2>/dev/null | tail -n 1)
		cyc=${c:-$cyc}
		if [ -n "${restarted[$cyc]:-}" ]; then
			run_why="$run_why; the second time in cycle $cyc: not restarted again"
			break
		fi
		restarted[$cyc]=1
		restarts=$((restarts + 1))
		echo "$(now) HOST RESTART cycle=$cyc $run_why" >>"$work/host.ts"
		echo "# $where: restarting the guest on the same disk in cycle $cyc (attempt $((attempt + 1))): $run_why"
		run_why=''
	done
	qemu_s=$((SECONDS - s))
	exec {lock_fd}>&-
	echo "# $where: QEMU ran $qemu_s s ($restarts restart(s), $lock_wait s waiting for the QEMU lock)"
}

# timeline: one row a cycle (tab-separated, header first) from the stamped
# console, the step's lines and the host's notes.
timeline() {
	{
		sed 's/^\([0-9.]*\) /\1 C /' "$work/console.ts"
		sed 's/^\([0-9.]*\) /\1 S /' "$work/ttyS1.ts"
		sed 's/^\([0-9.]*\) /\1 H /' "$work/host.ts"
	} | sort -s -n -k1,1 | awk '
		function field(name,    i) {
			for (i = 4; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2)
			return ""
		}
		function d(a, b) { return (a == "" || b == "") ? "-" : sprintf("%.1f", a - b) }
		function v(x) { return x == "" ? "-" : x }
		# The step says it on the console too (ttyS1 has the details),
		# where the getty may have put its prompt or escapes in front.
		$2 == "C" && match($0, /lazy-soak: SOAK (PANIC|UP) [0-9]+/) {
			split(substr($0, RSTART, RLENGTH), w, " ")
			if (w[3] == "PANIC") {
				cur = w[4] + 0; if (cur > n) n = cur
				p[cur] = s[cur] = r[cur] = u[cur] = ""
			} else if (u[w[4] + 0] == "") {
				u[w[4] + 0] = $1
			}
			next
		}
		$2 == "S" && $3 == "SOAK" && $4 == "INFO" {
			k = field("after") + 0
			armed[k] = field("boot_to_armed_s"); mu[k] = field("boot_to_multiuser_s")
			cs[k] = field("crash_size"); rl[k] = field("region_len")
			mt[k] = field("mem_total_kb"); ma[k] = field("mem_avail_kb"); next
		}
		$2 == "S" && $3 == "SOAK" && $4 == "DUMP" {
			k = field("cycle") + 0; ok[k] = field("ok"); cnt[k] = field("count")
			dir[k] = field("dir"); file[k] = field("file"); bytes[k] = field("bytes"); next
		}
		$2 == "H" && $3 == "HOST" && $4 == "RESTART" { rs[cur] = 1; next }
		$2 != "C" || cur == 0 { next }
		/Kernel panic - not syncing: sysrq triggered crash/ { if (p[cur] == "") p[cur] = $1; next }
		/lazy-kdump-capture: saved .*\/vmcore \(/ { if (s[cur] == "") s[cur] = $1; next }
		/reboot: Restarting system/ { if (p[cur] != "" && r[cur] == "") r[cur] = $1; next }
		END {
			print "cycle\tpanic_to_saved\tsaved_to_up\tpanic_to_up\tup_to_up\tpanic_to_crash_reboot\tboot_to_armed\tboot_to_multiuser\trestart\tcrash_size\tregion_len\tmem_total_kb\tmem_avail_kb\tdump_ok\tdumps\tdir\tfile\tbytes"
			printf "0\t-\t-\t-\t-\t-\t%s\t%s\t0\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\n", v(armed[0]), v(mu[0]), v(cs[0]), v(rl[0]), v(mt[0]), v(ma[0])
			for (k = 1; k <= n; k++)
				printf "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k,
					d(s[k], p[k]), d(u[k], s[k]), d(u[k], p[k]), d(u[k], u[k - 1]), d(r[k], p[k]),
					v(armed[k]), v(mu[k]), rs[k] ? 1 : 0, v(cs[k]), v(rl[k]), v(mt[k]), v(ma[k]),
					v(ok[k]), v(cnt[k]), v(dir[k]), v(file[k]), v(bytes[k])
		}'
}

echo "TAP version 13"
t0=$SECONDS
mdf=$("$top/scripts/fetch-makedumpfile.sh" 2>"$work/fetch-makedumpfile.log") || mdf=$(command -v makedumpfile) ||
	die "no makedumpfile for the host-side checks"
if [ "$report" = 1 ]; then
	# What the run recorded: cycles, keep, kver, run_ok, run_why, qemu_s,
	# restarts, lock_wait.
	# shellcheck source=/dev/null
	. "$work/run.env"
	while IFS= read -r l; do emit "$l"; done < <(grep -E '^(ok|not ok)' "$work/prepare.out")
else
	if ! img=$("$full/build-image.sh" "$suite" 2>"$work/build-image.log"); then
		tap_nok "the $suite root image could not be built (log: $work/build-image.log)"
		echo "1..$total"
		exit 1
	fi
	cp --sparse=always "$img" "$work/disk.img"
	# Room for every cycle's vmcore: the step's hard links keep them all (a
	# dump of the trixie guest is about 140 MB), whatever the retention
	# removes from /var/crash. Sparse: only what is written takes space.
	truncate -s $(($(stat -c %s "$work/disk.img") / 1048576 + 256 * cycles))M "$work/disk.img"
	if ! { e2fsck -fy "$work/disk.img" && resize2fs "$work/disk.img"; } >"$work/resize.log" 2>&1; then
		tap_nok "the image grows by 256 MiB a cycle (log: $work/resize.log)"
		echo "1..$total"
		exit 1
	fi
	debs="$LAZY_KDUMP_CACHE/full/debs/$suite"
	mkdir -p "$debs"
	"$full/in-image.sh" -b "$debs:/var/cache/apt/archives" "$work/disk.img" -- \
		"$0" --stage "$work" "$cycles" "$keep" >"$work/prepare.out" 2>"$work/prepare.log" || true
	while IFS= read -r l; do emit "$l"; done < <(grep -E '^(ok|not ok)' "$work/prepare.out")
	kver=$(sed -n 's/^kver //p' "$work/prepare.out" | tail -n 1)
	if [ -z "$kver" ] || grep -q '^not ok' "$work/prepare.out"; then
		tap_nok "preparing the image failed (log: $work/prepare.log)"
		tail -n 15 "$work/prepare.log" | sed 's/^/#   /'
		echo "1..$total"
		exit 1
	fi
	echo "# $where: image prepared in $((SECONDS - t0)) s (kernel $kver); $cycles cycles, KEEP_DUMPS=$keep"

	boot "root=/dev/vda ro console=ttyS0 panic=-1"
	printf '%s=%q\n' cycles "$cycles" keep "$keep" kver "$kver" run_ok "$run_ok" run_why "$run_why" \
		qemu_s "$qemu_s" restarts "$restarts" lock_wait "$lock_wait" >"$work/run.env"
fi
# The guest's own checks.
while IFS= read -r l; do emit "$l"; done < <(sed -E 's/^[0-9.]+ //' "$work/ttyS1.ts" |
	grep -E '^(ok|not ok)( |$)|^# ' | grep -v '^# alive')
if [ "$run_ok" = 1 ]; then
	tap_ok "the guest ran every cycle and powered off"
else
	tap_nok "the guest ran every cycle and powered off: $run_why (console: $work/console.ts)"
	tail -n 25 "$work/console.ts" | sed 's/^/#   /'
fi
timeline >"$work/cycles.tsv"

# Per cycle, from the host: the vmcore, the crash region, the memory.
col() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$work/cycles.tsv"; }
median() { grep -E '^[0-9]+$' | sort -n | awk '{ v[n++] = $1 } END { if (n) print v[int((n - 1) / 2)] }'; }
ref_cs=$(col crash_size | head -n 1)
ref_rl=$(col region_len | head -n 1)
ref_mt=$(col mem_total_kb | head -n 1)
med_ma=$(col mem_avail_kb | median)
med_ma=${med_ma:-0}
case ${ref_mt:-} in "" | *[!0-9]*) ref_mt=0 ;; esac
tol_kb=$((ref_mt * 5 / 100))
done_cycles=0
while IFS=$'\t' read -r k cs rl mt ma dok file; do
	[ "$k" != 0 ] || continue
	if [ "$file" != - ] && [ "$file" != none ]; then
		if why=$(soak_read_vmcore "$work/disk.img" "$file" "$work/dump" "$mdf" </dev/null); then
			tap_ok "cycle $k: the host reads the vmcore ($(stat -c %s "$work/dump/vmcore") bytes) and makedumpfile --dump-dmesg shows the panic"
		else
			tap_nok "cycle $k: the host reads the vmcore and makedumpfile --dump-dmesg shows the panic: $why"
		fi
		rm -f "$work/dump/vmcore"
	else
		tap_nok "cycle $k: the host reads the vmcore: the guest recorded none"
	fi
	[ "$dok" != 1 ] || done_cycles=$((done_cycles + 1))
	if [ "$cs" = - ]; then
		tap_nok "cycle $k: the crash region after the reboot: not reported (the system did not come back armed)"
		continue
	fi
	if [ "$cs" = "$ref_cs" ] && [ "$rl" = "$ref_rl" ]; then
		tap_ok "cycle $k: the crash region after the reboot is the first boot's (kexec_crash_size $cs, lazy-kdump's region $rl bytes)"
	else
		tap_nok "cycle $k: the crash region after the reboot is the first boot's (kexec_crash_size $cs, region $rl; first boot $ref_cs, $ref_rl)"
	fi
	if [ "$mt" -ge $((ref_mt - 1024)) ] && [ "$mt" -le $((ref_mt + 1024)) ] && [ "$ma" -ge $((med_ma - tol_kb)) ] && [ "$ma" -le $((med_ma + tol_kb)) ]; then
		tap_ok "cycle $k: memory after arming: MemTotal $mt kB (the first boot's $ref_mt +- 1024), MemAvailable $ma kB (median $med_ma +- $tol_kb)"
	else
		tap_nok "cycle $k: memory after arming: MemTotal $mt kB (first boot $ref_mt), MemAvailable $ma kB (median $med_ma +- $tol_kb)"
	fi
done < <(awk -F'\t' 'NR > 1 { print $1 "\t" $10 "\t" $11 "\t" $12 "\t" $13 "\t" $14 "\t" $17 }' "$work/cycles.tsv")
if [ "$done_cycles" = "$cycles" ] && [ "$run_ok" = 1 ]; then
	tap_ok "$cycles of $cycles cycles: panic, complete dump, reboot, armed again"
else
	tap_nok "$cycles cycles: panic, complete dump, reboot, armed again ($done_cycles had a complete dump)"
fi

# The distribution, cycles without a QEMU restart.
{
	echo "soak, full system ($suite, kernel $kver): $cycles cycles, KEEP_DUMPS=$keep, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "QEMU ran $qemu_s s, $restarts restart(s); per cycle, host clock (console lines stamped +-0.2 s):"
	ok_rows() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } $1 > 0 && $9 == 0 { print $k }' "$work/cycles.tsv"; }
	ok_rows panic_to_up | soak_stats "cycle (panic -> up)" s
	ok_rows panic_to_saved | soak_stats "panic -> saved" s
	ok_rows saved_to_up | soak_stats "saved -> up, armed" s
	ok_rows up_to_up | soak_stats "armed -> armed" s
	ok_rows boot_to_armed | soak_stats "boot -> armed (guest)" s
	ok_rows bytes | awk '$1 > 0 { print $1 / 1048576 }' | soak_stats "vmcore size (saved)" MiB
	echo "crash region: $(col crash_size | sort -u | tr '\n' ' ')bytes (kexec_crash_size over all boots)"
	echo "MemTotal: $(col mem_total_kb | sort -u | tr '\n' ' ')kB; MemAvailable after arming: $(col mem_avail_kb | grep -E '^[0-9]+$' | sort -n | sed -n '1p;$p' | tr '\n' ' ')kB (min, max)"
	echo "dumps in /var/crash after each cycle: $(col dumps | tail -n +2 | tr '\n' ' ')(KEEP_DUMPS=$keep)"
} >"$work/summary.txt"
sed 's/^/# /' "$work/summary.txt"
rm -f "$work"/console.[0-9].log "$work"/ttyS1.[0-9].log
echo "# $where: $((SECONDS - t0)) s in all; results in $work"
echo "1..$total"
echo "# soak, full system: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
