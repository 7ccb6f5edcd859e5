#!/usr/bin/env bash
# Capture time: panic -> vmcore saved -> system back up and armed, on the
# full-system Debian 13 guest, lazy-kdump against Debian's kdump-tools.
#
# Usage: tests/bench/capture.sh [--quick] [--runs N] [--with-lzo]
#        tests/bench/capture.sh --report [--with-lzo]
#   --runs N    saved dumps wanted per tool (default 5; at most N+2 panics);
#               5 took 17 minutes for the two default guests (plus waits
#               for the QEMU lock), 26 minutes with --with-lzo
#   --quick     --runs 1: a smoke run of the whole path (7 minutes plus
#               waits for the QEMU lock); its figures are marked quick and
#               are not a measurement
#   --with-lzo  a third guest: kdump-tools with lazy-kdump's compression
#               (make bench-extended); tells the collectors' defaults
#               apart from the rest of the path
#   --report    only write the JSON and Markdown again from the logs the
#               last run kept in build/bench/capture/
#
# Working copies of the cached trixie image (tests/full/build-image.sh)
# under build/bench/capture/:
#   lazy-kdump       `make install` as tests/full/prepare.sh install does
#                    it, lazy-kdump.service enabled; booted without
#                    crashkernel= (CORE_COLLECTOR default
#                    "makedumpfile -l -d 31": LZO)
#   kdump-tools      Debian's kdump-tools and initramfs-tools-core installed
#                    from the archive in a chroot (debs cached in
#                    $LAZY_KDUMP_CACHE/full/debs/trixie), USE_KDUMP=1,
#                    booted with the crashkernel= its package sets for GRUB
#                    (/etc/default/grub.d/kdump-tools.cfg: 512M-:192M, i.e.
#                    192M on this 2 GiB guest); it builds its crash initrd on
#                    its first boot. MAKEDUMP_ARGS untouched: the file's
#                    comment says "-c -d 31", kdump-config runs
#                    "makedumpfile -F -c -d 31" (zlib, flattened, to cat)
#   kdump-tools-lzo  (--with-lzo) the same with MAKEDUMP_ARGS="-l -d 31"
#                    (run as "-l -d 31 -F"): lazy-kdump's compression, so
#                    that the difference of the collectors' defaults can be
#                    told apart from the rest of the path
# The target is judged against kdump-tools as installed (the first ratio);
# the same-compression ratio, when measured, is reported beside it.
# Each copy is booted once, in ONE QEMU process (TCG, -cpu $LAZY_VM_CPU
# (default qemu64: tests/vm/qemu-run.sh says why), 2 GiB, -smp 2, the
# guest reboots by itself), in the order above, each under the flock
# $LAZY_KDUMP_CACHE/qemu.lock. tests/bench/guest/capture-step.sh
# runs after every boot: waits until kdump is armed, says "BENCH UP" on
# ttyS1, checks and moves away the previous dump, says "BENCH PANIC" and
# panics, until N dumps were saved; then powers off.
#
# Timings, all from one clock (the host's): every line of both serial
# ports is stamped with $EPOCHREALTIME when tail -F, polling every 0.2 s,
# hands it over (+-0.2 s per interval).
#   panic          the panicking kernel's "Kernel panic - not syncing:
#                  sysrq triggered crash" on the console (the Nth one is
#                  run N: ttyS1's "BENCH PANIC" line can arrive after it)
#   saved          the tool's own line after the vmcore got its final name:
#                  lazy-kdump "lazy-kdump-capture: saved .../vmcore (" (after
#                  its sync), kdump-tools "saved vmcore in" (before its sync)
#   crash reboot   the crash kernel's "reboot: Restarting system"
#   up             "BENCH UP": systemd reached multi-user.target and kdump is
#                  armed again (the tool's status and kexec_crash_loaded)
# Cross-check from the guest's clocks: the vmcore's mtime (crash kernel,
# set from the RTC at its boot: +-1 s) minus the panicking kernel's time
# just before the panic. Every dump is also read back on the host (debugfs,
# makedumpfile -R for kdump-tools' flattened file, --dump-dmesg must show
# the panic).
#
# Output: build/bench/capture.json, build/bench/capture.md; logs and
# stamped serial output in build/bench/capture/<tool>/.
# Environment: LAZY_KDUMP_CACHE, LAZY_VM_CPU (default qemu64),
# LAZY_BENCH_STALL (seconds without guest output before a guest counts as
# hung and is restarted on the same disk, default 240), LAZY_BENCH_TIMEOUT
# (seconds per tool, default 900 + 300 per panic).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
full=$top/tests/full
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

TOOLS=(lazy-kdump kdump-tools)
# The guest's tool, and MAKEDUMP_ARGS for kdump-tools.
declare -A KIND=([lazy-kdump]=lazy-kdump [kdump-tools]=kdump-tools [kdump-tools-lzo]=kdump-tools)
declare -A KDARGS=([kdump-tools-lzo]="-l -d 31")
SUITE=trixie
TARGET_FACTOR=0.5

# --- inside a mounted image (re-entered through tests/full/in-image.sh) -----
in_root() {
	chroot "$ROOT" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
newest_kver() {
	find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1
}
# bench_unit TOOL RUNS MAXP: the step unit and its state.
bench_unit() {
	install -D -m 0755 "$here/guest/capture-step.sh" "$ROOT/usr/local/lib/lazy-bench/capture-step.sh"
	install -D -m 0644 "$here/guest/capture-bench.service" "$ROOT/etc/systemd/system/capture-bench.service"
	in_root systemctl enable capture-bench.service >&2
	rm -rf "$ROOT/var/lib/lazy-bench"
	mkdir -p "$ROOT/var/lib/lazy-bench"
	echo "$1" >"$ROOT/var/lib/lazy-bench/variant"
	echo "$2" >"$ROOT/var/lib/lazy-bench/runs"
	echo "$3" >"$ROOT/var/lib/lazy-bench/max-panics"
	# Nothing older in /var/crash than this benchmark's dumps.
	find "$ROOT/var/crash" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + 2>/dev/null || true
}
copy_boot() {
	mkdir -p "$2/boot"
	cp "$ROOT/boot/vmlinuz-$1" "$ROOT/boot/initrd.img-$1" "$2/boot/"
}

if [ "${1-}" = --stage ]; then
	: "${ROOT:?run through tests/full/in-image.sh}"
	stage=$2 out=$3 runs=$4 maxp=$5 kdargs=${6-}
	case $stage in
	lazy-kdump)
		# As tests/full/prepare.sh installs it, then our step.
		"$full/prepare.sh" install "$top" "$out"
		in_root systemctl enable lazy-kdump.service >&2
		bench_unit lazy-kdump "$runs" "$maxp"
		# As lazy-kdump reads /etc/lazy-kdump.conf (defaults filled in).
		c=$(in_root lazy-kdump config | sed -n 's/^CORE_COLLECTOR=//p')
		echo "collector ${c:-unknown}"
		echo "collector_source lazy-kdump config (/etc/lazy-kdump.conf with its defaults)"
		;;
	kdump-tools)
		"$full/image-dracut-conf.sh" on "$ROOT"
		rc=0
		in_root apt-get -q -y install kdump-tools initramfs-tools-core >&2 || rc=$?
		"$full/image-dracut-conf.sh" off "$ROOT"
		[ "$rc" = 0 ] || die "apt-get install kdump-tools initramfs-tools-core failed (exit $rc)"
		def=$ROOT/etc/default/kdump-tools
		if ! grep -q '^USE_KDUMP=1' "$def"; then
			sed -i 's/^#*[[:space:]]*USE_KDUMP=.*/USE_KDUMP=1/' "$def"
		fi
		if [ -n "$kdargs" ]; then
			printf '# Set by tests/bench/capture.sh (lazy-kdump'"'"'s compression)\nMAKEDUMP_ARGS="%s"\n' "$kdargs" >>"$def"
		fi
		in_root systemctl enable kdump-tools.service >&2
		[ "$(in_root systemctl is-enabled kdump-tools.service)" = enabled ] ||
			die "kdump-tools.service is not enabled after its installation"
		bench_unit kdump-tools "$runs" "$maxp"
		kver=$(newest_kver)
		copy_boot "$kver" "$out"
		echo "kver $kver"
		ck=$(sed -n 's/.*crashkernel=\([^ "]*\).*/\1/p' "$ROOT/etc/default/grub.d/kdump-tools.cfg" 2>/dev/null | head -n 1)
		echo "crashkernel ${ck:-512M-:192M}"
		# kdump-config's own default, and whether the configuration sets it.
		c=$(sed -n 's/^[[:space:]]*MAKEDUMP_ARGS=//p' "$def" | tail -n 1 | tr -d "\"'")
		# shellcheck disable=SC2016 # a literal ${ in kdump-config
		d=$(sed -n 's/^MAKEDUMP_ARGS=\${MAKEDUMP_ARGS:="\(.*\)"}$/\1/p' "$ROOT/usr/sbin/kdump-config" | head -n 1)
		if [ -n "$c" ]; then
			case " $c " in *" -F "*) ;; *) c="$c -F" ;; esac
			echo "collector makedumpfile $c"
			echo "collector_source MAKEDUMP_ARGS=\"${c% -F}\" in /etc/default/kdump-tools (kdump-config adds -F: flattened, piped to cat)"
		else
			echo "collector makedumpfile ${d:--F -c -d 31}"
			echo "collector_source the default (MAKEDUMP_ARGS unset in /etc/default/kdump-tools; the file's comment says \"-c -d 31\", kdump-config runs \"${d:--F -c -d 31}\" piped to cat)"
		fi
		# shellcheck disable=SC2016 # dpkg-query's format
		echo "version $(in_root dpkg-query -W -f '${Version}' kdump-tools)"
		;;
	*) die "unknown stage $stage" ;;
	esac
	exit 0
fi

# --- the host ---------------------------------------------------------------
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}
quick=0 runs=5 report=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--runs)
		runs=${2:?--runs needs a number}
		shift
		;;
	--with-lzo) TOOLS=(lazy-kdump kdump-tools kdump-tools-lzo) ;;
	--report) report=1 ;;
	-h | --help) usage 0 ;;
	*) usage 2 >&2 ;;
	esac
	shift
done
[ "$quick" = 0 ] || runs=1
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs $runs: a number of runs, 1 or more"
maxp=$((runs + 2))
[ "$(id -u)" = 0 ] || die "needs root (loop mounts, chroot); run $0 as root"
for c in qemu-system-x86_64 jq debugfs flock tail; do
	command -v "$c" >/dev/null || die "$c is not installed; run scripts/install-deps.sh (jq: apt-get install jq)"
done
stall=${LAZY_BENCH_STALL:-240}
# The benchmark's guest CPU model (tests/vm/qemu-run.sh says why qemu64).
: "${LAZY_VM_CPU:=qemu64}"
export LAZY_VM_CPU
limit=${LAZY_BENCH_TIMEOUT:-$((900 + 300 * maxp))}

out=$top/build/bench
work=$out/capture
mkdir -p "$work"
t_all=$SECONDS
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# --- one QEMU process per tool ----------------------------------------------
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

# cpu_sample ATTEMPT PID: "ATTEMPT TOTAL BUSY STEAL PROC" in clock ticks:
# all CPUs' time, their busy and stolen time (/proc/stat), PID's own.
cpu_sample() {
	local q
	q=$(awk '{ print $14 + $15 }' "/proc/$2/stat" 2>/dev/null) || return 0
	[ -n "$q" ] || return 0
	awk -v a="$1" -v q="$q" '/^cpu / { print a, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $2 + $3 + $4 + $7 + $8 + $9, $9, q }' /proc/stat
}

# boot_tool TOOL APPEND: the guest of TOOL until it powers off after
# "BENCH END" (restarted on the same disk when it hangs). Sets run_ok,
# run_why, lock_wait, qemu_s, restarts, and cpu (JSON: the host's CPUs
# QEMU, everything else and the hypervisor's steal used on average while
# the guest ran).
boot_tool() {
	local t=$1 append=$2 d=$work/$1 attempt s size last lastsize rc lock_fd tl
	run_ok=0 run_why='' restarts=0
	: >"$d/console.ts"
	: >"$d/ttyS1.ts"
	: >"$d/host.ts"
	: >"$d/cpu.samples"
	exec {lock_fd}>"$LAZY_KDUMP_CACHE/qemu.lock"
	s=$SECONDS
	if ! flock -n "$lock_fd"; then
		log "$t: waiting for another QEMU guest to finish"
		flock "$lock_fd"
	fi
	lock_wait=$((SECONDS - s))
	s=$SECONDS
	echo "$(now) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$d/host.ts"
	for attempt in 1 2 3; do
		if [ "$attempt" -gt 1 ]; then
			restarts=$((restarts + 1))
			log "$t: restarting the guest on the same disk (attempt $attempt): $run_why"
			echo "$(now) HOST RESTART $run_why" >>"$d/host.ts"
			run_why=''
		fi
		qemu-system-x86_64 -accel tcg -cpu "$LAZY_VM_CPU" -smp 2 -m 2G \
			-display none -monitor none -nodefaults \
			-kernel "$d/boot/vmlinuz-${kver[$t]}" -initrd "$d/boot/initrd.img-${kver[$t]}" \
			-append "$append" \
			-drive "file=$d/disk.img,format=raw,if=virtio" \
			-serial "file:$d/console.$attempt.log" -serial "file:$d/ttyS1.$attempt.log" \
			>"$d/qemu.$attempt.log" 2>&1 &
		qpid=$!
		stamp "$d/console.$attempt.log" "$qpid" >>"$d/console.ts" &
		stampers=($!)
		stamp "$d/ttyS1.$attempt.log" "$qpid" >>"$d/ttyS1.ts" &
		stampers+=($!)
		last=$SECONDS lastsize=-1
		tl=0
		while kill -0 "$qpid" 2>/dev/null; do
			sleep 1
			size=$(cat "$d/console.$attempt.log" "$d/ttyS1.$attempt.log" 2>/dev/null | wc -c)
			if [ "$size" != "$lastsize" ]; then
				lastsize=$size last=$SECONDS
			fi
			tl=$((tl + 1))
			[ $((tl % 5)) != 1 ] || cpu_sample "$attempt" "$qpid" >>"$d/cpu.samples"
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
		if grep -q 'BENCH END' "$d/ttyS1.$attempt.log" 2>/dev/null; then
			run_ok=1
			break
		fi
		[ -n "$run_why" ] || run_why="QEMU exited (status $rc) before BENCH END: $(head -c 300 "$d/qemu.$attempt.log" | tr '\n' ' ')"
		case $run_why in *"time limit"*) break ;; esac
	done
	echo "$(now) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$d/host.ts"
	qemu_s=$((SECONDS - s))
	exec {lock_fd}>&-
	# Per attempt, from its first to its last sample.
	cpu=$(awk -v n="$(nproc)" '
		!($1 in f) { f[$1] = 1; t0[$1] = $2; b0[$1] = $3; s0[$1] = $4; q0[$1] = $5 }
		{ t1[$1] = $2; b1[$1] = $3; s1[$1] = $4; q1[$1] = $5 }
		END {
			for (a in f) { T += t1[a] - t0[a]; B += b1[a] - b0[a]; S += s1[a] - s0[a]; Q += q1[a] - q0[a] }
			if (T <= 0) { print "null"; exit }
			printf "{\"qemu\": %.2f, \"other\": %.2f, \"steal\": %.2f, \"cpus\": %d}\n", Q / T * n, (B - Q) / T * n, S / T * n, n
		}' "$d/cpu.samples")
	log "$t: QEMU ran $qemu_s s ($restarts restart(s)); $(grep -c 'BENCH PANIC' "$d/ttyS1.ts" || true) panic(s); host CPUs used: $cpu"
}

# timeline TOOL: per run, one JSON object from the stamped serial output;
# then one for the first boot. Run N is the Nth "sysrq triggered crash"
# panic on the console.
timeline() {
	local t=$1 d=$work/$1
	{
		sed 's/^\([0-9.]*\) /\1 C /' "$d/console.ts"
		sed 's/^\([0-9.]*\) /\1 S /' "$d/ttyS1.ts"
		sed 's/^\([0-9.]*\) /\1 H /' "$d/host.ts"
	} | sort -s -n -k1,1 | awk -v kind="${KIND[$t]}" '
		function num(x) { return x == "" ? "null" : x }
		function diff(a, b) { return (a == "" || b == "") ? "null" : sprintf("%.3f", a - b) }
		function field(name,    i) {
			for (i = 4; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2)
			return ""
		}
		$2 == "S" && $3 == "BENCH" && $4 == "PANIC" { gt[$5] = field("guest_time"); if ($5 + 0 > n) n = $5 + 0; next }
		$2 == "S" && $3 == "BENCH" && $4 == "UP" { if ($5 + 0 > 0 && u[$5 + 0] == "") u[$5 + 0] = $1; next }
		$2 == "S" && $3 == "BENCH" && $4 == "INFO" {
			k = field("after") + 0
			armed[k] = field("boot_to_armed_s"); mu[k] = field("boot_to_multiuser_s")
			crash[k] = field("crash_bytes"); initrd[k] = field("initrd_bytes"); next
		}
		$2 == "S" && $3 == "BENCH" && $4 == "DUMP" {
			k = field("run") + 0; ok[k] = field("ok"); why[k] = field("why"); file[k] = field("file")
			bytes[k] = field("bytes"); mt[k] = field("mtime"); next
		}
		$2 == "H" && $3 == "HOST" && $4 == "RESTART" {
			if (cur > 0 && u[cur] == "") dist_up[cur] = 1
			if (cur > 0 && s[cur] == "") dist_saved[cur] = 1
			next
		}
		$2 != "C" { next }
		/Kernel panic - not syncing: sysrq triggered crash/ { cur++; p[cur] = $1; if (cur > n) n = cur; next }
		cur == 0 { next }
		kind == "lazy-kdump" && /lazy-kdump-capture: saving the dump:/ { if (m[cur] == "") m[cur] = $1; next }
		kind == "kdump-tools" && /running makedumpfile / && !/--dump-dmesg/ { if (m[cur] == "") m[cur] = $1; next }
		kind == "lazy-kdump" && /lazy-kdump-capture: saved .*\/vmcore \(/ { if (s[cur] == "") s[cur] = $1; next }
		kind == "kdump-tools" && /saved vmcore in / { if (s[cur] == "") s[cur] = $1; next }
		/reboot: Restarting system/ { if (r[cur] == "") r[cur] = $1; next }
		END {
			for (k = 1; k <= n; k++) {
				mts = (mt[k] != "" && mt[k] != "0" && gt[k] != "") ? sprintf("%.3f", mt[k] - gt[k]) : "null"
				printf "{\"run\":%d,\"panic_to_saved\":%s,\"panic_to_collector_start\":%s,\"collector_seconds\":%s,", \
					k, dist_saved[k] ? "null" : diff(s[k], p[k]), diff(m[k], p[k]), diff(s[k], m[k])
				printf "\"panic_to_crash_reboot\":%s,\"panic_to_up\":%s,\"mtime_panic_to_saved\":%s,", \
					dist_saved[k] ? "null" : diff(r[k], p[k]), dist_up[k] ? "null" : diff(u[k], p[k]), mts
				printf "\"guest_boot_to_armed\":%s,\"guest_boot_to_multiuser\":%s,\"crash_bytes\":%s,\"initrd_bytes\":%s,", \
					num(armed[k]), num(mu[k]), num(crash[k]), num(initrd[k])
				printf "\"guest_dump_ok\":%s,\"guest_why\":%s,\"file\":%s,\"vmcore_bytes\":%s,\"restart\":%s}\n", \
					ok[k] == "1" ? "true" : "false", why[k] == "" ? "null" : "\"" why[k] "\"", \
					file[k] == "" ? "null" : "\"" file[k] "\"", num(bytes[k]), (dist_up[k] || dist_saved[k]) ? "true" : "false"
			}
			printf "{\"first_boot\":true,\"guest_boot_to_armed\":%s,\"guest_boot_to_multiuser\":%s,\"crash_bytes\":%s,\"initrd_bytes\":%s}\n", \
				num(armed[0]), num(mu[0]), num(crash[0]), num(initrd[0])
		}'
}

# host_check TOOL: each run's dump read back from the disk image. Lines
# "RUN ok -" or "RUN fail WHY".
host_check() {
	local t=$1 d=$work/$1 k f tmp
	tmp=$d/dump
	mkdir -p "$tmp"
	jq -r 'select(.run) | "\(.run) \(.file // "none")"' "$d/runs.jsonl" | while read -r k f; do
		rm -f "$tmp"/*
		if [ "$f" = none ]; then
			echo "$k fail no-vmcore-in-the-guest"
			continue
		fi
		if ! debugfs -R "dump -p $f $tmp/vmcore" "$d/disk.img" >/dev/null 2>&1 || [ ! -s "$tmp/vmcore" ]; then
			echo "$k fail debugfs-cannot-read-$f"
			continue
		fi
		# kdump-tools writes makedumpfile's flattened format (-F).
		if [ "$(head -c 12 "$tmp/vmcore" | tr -d '\0')" = makedumpfile ]; then
			if ! "$mdf" -R "$tmp/vmcore.r" <"$tmp/vmcore" >"$tmp/rearrange.log" 2>&1; then
				echo "$k fail makedumpfile-R-failed"
				continue
			fi
			mv "$tmp/vmcore.r" "$tmp/vmcore"
		fi
		if "$mdf" --dump-dmesg "$tmp/vmcore" "$tmp/dmesg.txt" >"$tmp/dmesg.log" 2>&1 &&
			grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$tmp/dmesg.txt"; then
			echo "$k ok -"
		else
			echo "$k fail makedumpfile-dump-dmesg-shows-no-panic"
		fi
	done
	rm -rf "$tmp"
}


if [ "$report" = 1 ]; then
	[ -s "$work/run.json" ] || die "no kept run in $work (run $0 first)"
	mapfile -t TOOLS < <(jq -r '.tools[]' "$work/run.json")
	for t in "${TOOLS[@]}"; do timeline "$t" >"$work/$t/runs.jsonl"; done
fi
if [ "$report" = 0 ]; then
	log "capture benchmark: ${TOOLS[*]}, $runs run(s) each$([ "$quick" = 1 ] && echo ' (quick)')"

	img=$("$full/build-image.sh" "$SUITE" 2>"$work/build-image.log") ||
		die "the $SUITE image could not be built (log: $work/build-image.log)"
	mdf=$("$top/scripts/fetch-makedumpfile.sh" 2>>"$work/build-image.log") || mdf=$(command -v makedumpfile) ||
		die "no makedumpfile for the host-side checks"
	debs="$LAZY_KDUMP_CACHE/full/debs/$SUITE"
	mkdir -p "$debs"

	# --- prepare the images ---------------------------------------------------
	t_prep=$SECONDS
	declare -A kver
	for t in "${TOOLS[@]}"; do
		d=$work/$t
		rm -rf "$d"
		mkdir -p "$d"
		cp --sparse=always "$img" "$d/disk.img"
		s=$SECONDS
		if ! "$full/in-image.sh" -b "$debs:/var/cache/apt/archives" "$d/disk.img" -- \
			"$0" --stage "${KIND[$t]}" "$d" "$runs" "$maxp" "${KDARGS[$t]:-}" >"$d/prepare.out" 2>"$d/prepare.log" ||
			grep -q '^not ok' "$d/prepare.out"; then
			grep '^not ok' "$d/prepare.out" >&2 || true
			tail -n 20 "$d/prepare.log" >&2
			die "preparing the $t image failed (log: $d/prepare.log)"
		fi
		kver[$t]=$(sed -n 's/^kver //p' "$d/prepare.out" | tail -n 1)
		[ -n "${kver[$t]}" ] || die "preparing the $t image printed no kernel version (log: $d/prepare.log)"
		log "$t: image prepared in $((SECONDS - s)) s (kernel ${kver[$t]}; collector: $(sed -n 's/^collector //p' "$d/prepare.out"))"
	done
	prep_s=$((SECONDS - t_prep))
	for t in "${TOOLS[@]}"; do
		d=$work/$t
		append="root=/dev/vda ro console=ttyS0 panic=-1"
		[ "${KIND[$t]}" != kdump-tools ] || append="$append crashkernel=$(sed -n 's/^crashkernel //p' "$d/prepare.out")"
		boot_tool "$t" "$append"
		jq -n --arg append "$append" --argjson lock_wait "$lock_wait" --argjson seconds "$qemu_s" \
			--argjson restarts "$restarts" --argjson cpu "$cpu" \
			--argjson finished "$([ "$run_ok" = 1 ] && echo true || echo false)" --arg why "$run_why" \
			'{append: $append, seconds: $seconds, lock_wait_seconds: $lock_wait, restarts: $restarts,
			  host_cpus_used: $cpu, finished: $finished, why: (if $why == "" then null else $why end)}' >"$d/qemu.json"
		timeline "$t" >"$d/runs.jsonl"
		host_check "$t" >"$d/host-check.txt"
		rm -f "$d"/console.[0-9].log "$d"/ttyS1.[0-9].log
	done
	total_s=$((SECONDS - t_all))
	jq -n --arg started "$started" --argjson quick "$([ "$quick" = 1 ] && echo true || echo false)" \
		--argjson runs "$runs" --argjson prep "$prep_s" --argjson total "$total_s" \
		--argjson nproc "$(nproc)" --arg tools "${TOOLS[*]}" --arg cpu "$LAZY_VM_CPU" \
		'{started: $started, quick: $quick, runs: $runs, prepare_seconds: $prep, total_seconds: $total,
		  nproc: $nproc, cpu: $cpu, tools: ($tools | split(" "))}' >"$work/run.json"
fi

# --- results (from the files kept in build/bench/capture/) -----------------
tools_json=$(for t in "${TOOLS[@]}"; do
	d=$work/$t
	p() { sed -n "s/^$1 //p" "$d/prepare.out" | tail -n 1; }
	v=$(p version)
	[ "${KIND[$t]}" != lazy-kdump ] || v=$(cat "$top/VERSION")
	jq -n --arg tool "$t" --arg kind "${KIND[$t]}" --arg version "$v" --arg kernel "$(p kver)" \
		--arg collector "$(p collector)" --arg collector_source "$(p collector_source)" \
		--arg crashkernel "$(p crashkernel)" --slurpfile qemu "$d/qemu.json" \
		--slurpfile lines "$d/runs.jsonl" \
		--rawfile host "$d/host-check.txt" '
		def median: sort | if length == 0 then null
			elif length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def stats: map(select(. != null)) | {median: median, min: min, max: max, n: length};
		($host | split("\n") | map(select(length > 0) | split(" ") | {key: .[0], value: {ok: (.[1] == "ok"), why: .[2]}}) | from_entries) as $h |
		[$lines[] | select(.run) | . + {host_dump_ok: ($h[.run | tostring].ok // false),
			host_why: (($h[.run | tostring].why // "not checked") | if . == "-" then null else . end)} |
			. + {ok: (.guest_dump_ok and .host_dump_ok and .panic_to_saved != null and .panic_to_up != null)}] as $runs |
		[$runs[] | select(.ok)] as $good |
		($lines | map(select(.first_boot)) | .[0]) as $first |
		{tool: $tool, kind: $kind, version: $version, kernel: $kernel, kernel_cmdline: $qemu[0].append,
		 crashkernel: (if $crashkernel == "" then null else $crashkernel end),
		 collector: $collector, collector_source: $collector_source,
		 crash_bytes: ([$runs[].crash_bytes | select(. != null)] | last // $first.crash_bytes),
		 capture_initrd_bytes: ([$runs[].initrd_bytes | select(. != null)] | last // $first.initrd_bytes),
		 runs_ok: ($good | length), runs_total: ($runs | length),
		 panic_to_saved: ($good | map(.panic_to_saved) | stats),
		 panic_to_up: ($good | map(.panic_to_up) | stats),
		 panic_to_crash_reboot: ($good | map(.panic_to_crash_reboot) | stats),
		 panic_to_collector_start: ($good | map(.panic_to_collector_start) | stats),
		 collector_seconds: ($good | map(.collector_seconds) | stats),
		 mtime_panic_to_saved: ($good | map(.mtime_panic_to_saved) | stats),
		 guest_boot_to_armed: ($good | map(.guest_boot_to_armed) | stats),
		 vmcore_bytes: ($good | map(.vmcore_bytes) | stats),
		 first_boot: $first,
		 qemu: ($qemu[0] | del(.append)),
		 runs: $runs}'
done | jq -s .)

jq -n --argjson tools "$tools_json" --slurpfile run "$work/run.json" \
	--argjson factor "$TARGET_FACTOR" --arg suite "$SUITE" '
	($tools | map({key: .tool, value: .}) | from_entries) as $t |
	$run[0] as $r | ($r.tools | join(" ")) as $order |
	def ratio($other; $m): if ($t["lazy-kdump"][$m].median and $t[$other][$m].median)
		then ($t["lazy-kdump"][$m].median / $t[$other][$m].median * 1000 | round / 1000) else null end;
	def median: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	# Run N of lazy-kdump against run N of the other (the vmcore grows with
	# every warm reboot, for every tool: equal N, equal history).
	def paired($other; $m): [$t["lazy-kdump"].runs[] as $a | $t[$other].runs[] |
		select(.run == $a.run and .ok and $a.ok) | $a[$m] / .[$m] * 1000 | round / 1000] |
		{values: ., median: median};
	def ratios($other): if $t[$other] then {panic_to_saved: ratio($other; "panic_to_saved"),
		panic_to_crash_reboot: ratio($other; "panic_to_crash_reboot"), panic_to_up: ratio($other; "panic_to_up"),
		paired_panic_to_saved: paired($other; "panic_to_saved"), paired_panic_to_up: paired($other; "panic_to_up")}
		else null end;
	def verdict($r): if $r == null then null else $r <= $factor end;
	{benchmark: "capture", started: $r.started, quick: $r.quick, runs_wanted: $r.runs, suite: $suite,
	 guest: {memory: "2G", smp: 2, accel: "tcg", cpu: $r.cpu, image: "tests/full/build-image.sh trixie"},
	 host: {nproc: $r.nproc},
	 dump_level: 31,
	 order: ("one QEMU process per tool, in this order, in this invocation: " + $order),
	 clock: "host: serial lines stamped on arrival",
	 ratio: {"kdump-tools": ratios("kdump-tools"), "kdump-tools-lzo": ratios("kdump-tools-lzo")},
	 target: {metric: "panic_to_saved", factor: $factor,
		against: "kdump-tools as installed (its default MAKEDUMP_ARGS)",
		ratio: ratio("kdump-tools"; "panic_to_saved"), holds: verdict(ratio("kdump-tools"; "panic_to_saved")),
		same_compression: (if $t["kdump-tools-lzo"] then {ratio: ratio("kdump-tools-lzo"; "panic_to_saved"),
			holds: verdict(ratio("kdump-tools-lzo"; "panic_to_saved"))} else null end)},
	 seconds: {prepare: $r.prepare_seconds, total: $r.total_seconds},
	 tools: $tools}' >"$out/capture.json"

# The Markdown report, from the JSON.
jq -r '
	def s: if . == null then "-" else (. * 10 | round / 10 | tostring) + " s" end;
	def mib: if . == null then "-" else (. / 1048576 * 10 | round / 10 | tostring) + " MiB" end;
	def rng: if .median == null then "-" elif .n == 1 then (.median | s) else "\(.median | s) (\(.min | s) – \(.max | s))" end;
	def x: if . == null then "-" else (. | tostring) + "x" end;
	def tname: {"lazy-kdump": "lazy-kdump", "kdump-tools": "kdump-tools (as installed)",
		"kdump-tools-lzo": "kdump-tools, `-l -d 31`"}[.];
	def verdict($name; $r; $f; $lazy; $other):
		if $r == null then "TARGET \($name): NOT MEASURED (a tool has no successful run)"
		elif $r <= $f then "TARGET \($name): HOLDS (\($r)x)"
		else "TARGET \($name): MISSED by \((($r - $f) * 1000 | round) / 1000)x (\($r)x measured; lazy-kdump'"'"'s median panic → saved would have to be \($other * $f * 10 | round / 10) s or less, it is \($lazy * 10 | round / 10) s)" end;
	(.tools | map({key: .tool, value: .}) | from_entries) as $t |
	(.tools | map(.tool)) as $names |
	($t["lazy-kdump"]) as $l |
	(.target.factor) as $f |
	def row($title; f): "| \($title) | " + ([$names[] as $n | $t[$n] | f] | join(" | ")) + " |";
	def rrow($title; $m): "| \($title) | " + ([$names[] as $n | if $n == "lazy-kdump" then "1x" else (.ratio[$n][$m] | x) end] | join(" | ")) + " |";
	"# Capture time: lazy-kdump vs. kdump-tools",
	"",
	"Debian 13 full-system guest (\(.tools[0].kernel)), QEMU TCG (`-cpu \(.guest.cpu // "max")`), 2 GiB, 2 vCPUs, on a \(.host.nproc)-CPU host; \(.runs_wanted) run(s) per tool\(if .quick then " (**--quick: one run each, a smoke test, not a measurement**)" else "" end); started \(.started).",
	"All dump with makedumpfile `-d 31`. Times: median (min – max) over the runs that succeeded, from host-side stamps of the serial lines (one clock). Ratios: lazy-kdump'"'"'s median / the other'"'"'s median, same invocation.",
	"",
	(if .target.ratio == null then verdict("capture time <= \($f) x kdump-tools"; null; $f; null; null)
	 else verdict("capture time <= \($f) x kdump-tools"; .target.ratio; $f; $l.panic_to_saved.median; $t["kdump-tools"].panic_to_saved.median) end),
	(if .target.same_compression == null then empty
	 elif .target.same_compression.ratio == null then verdict("(same compression, kdump-tools with -l -d 31)"; null; $f; null; null)
	 else verdict("(same compression, kdump-tools with -l -d 31)"; .target.same_compression.ratio; $f; $l.panic_to_saved.median; $t["kdump-tools-lzo"].panic_to_saved.median) end),
	"",
	"| | " + ([$names[] | tname] | join(" | ")) + " |",
	"| --- |" + ([$names[] | " --- |"] | join("")),
	row("**panic → vmcore saved**"; .panic_to_saved | rng),
	rrow("**ratio lazy-kdump / this**"; "panic_to_saved"),
	"| paired ratio: lazy-kdump run N / this run N, median (each) | " + ([$names[] as $n | if $n == "lazy-kdump" then "1x" else (.ratio[$n].paired_panic_to_saved | "\(.median | x) (\(.values | map(tostring) | join(", ")))") end] | join(" | ")) + " |",
	row("panic → crash kernel reboots"; .panic_to_crash_reboot | rng),
	rrow("ratio"; "panic_to_crash_reboot"),
	row("panic → back up and armed"; .panic_to_up | rng),
	rrow("ratio"; "panic_to_up"),
	row("of which panic → collector starts"; .panic_to_collector_start | rng),
	row("of which the collector runs (start → saved)"; .collector_seconds | rng),
	row("cross-check: vmcore mtime − panic (guest clocks, ±1 s)"; .mtime_panic_to_saved | rng),
	row("runs ok / total"; "\(.runs_ok) / \(.runs_total)"),
	row("vmcore bytes (median)"; .vmcore_bytes.median // "-" | tostring),
	row("collector"; "`\(.collector)`"),
	row("capture initrd"; (.capture_initrd_bytes | mib) + (if .kind == "lazy-kdump" then " (dracut; the capture runs in it)" else " (initramfs-tools; mounts the root file system, whose systemd runs the capture)" end)),
	row("crash kernel memory held"; (.crash_bytes | mib) + (if .crashkernel then " (`crashkernel=\(.crashkernel)` at boot)" else " (reserved at run time)" end)),
	row("guest boot → armed (guest clock)"; .guest_boot_to_armed | rng),
	row("first boot → armed (builds the capture initrd)"; .first_boot.guest_boot_to_armed | if . == null then "-" else s end),
	row("QEMU wall time / restarts"; "\(.qemu.seconds) s / \(.qemu.restarts)"),
	row("host CPUs used meanwhile: QEMU / everything else / stolen"; .qemu.host_cpus_used | if . == null then "-" else "\(.qemu) / \(.other) / \(.steal) of \(.cpus)" end),
	(.tools[] | select((.qemu.host_cpus_used.other // 0) > 0.2) |
	 "", "Note: while \(.tool) ran, other work on the host used \(.qemu.host_cpus_used.other) of its \(.qemu.host_cpus_used.cpus) CPUs (QEMU got \(.qemu.host_cpus_used.qemu)): \(.tool)'"'"'s times are inflated by that and the ratios are less reliable than the spread suggests."),
	"",
	"Collectors: lazy-kdump: \($l.collector_source). kdump-tools: \($t["kdump-tools"].collector_source).\(if $t["kdump-tools-lzo"] then " kdump-tools-lzo: \($t["kdump-tools-lzo"].collector_source)." else "" end)",
	"",
	"## Runs",
	"",
	"| tool | run | panic → saved | panic → crash reboot | panic → up | collector | mtime check | vmcore bytes | ok |",
	"| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
	(.tools[] | .tool as $tool | .runs[] |
	 "| \($tool) | \(.run) | \(.panic_to_saved | s) | \(.panic_to_crash_reboot | s) | \(.panic_to_up | s) | \(.collector_seconds | s) | \(.mtime_panic_to_saved | s) | \(.vmcore_bytes // "-") | \(if .ok then "ok" else "FAILED: " + ([.guest_why, .host_why, (if .restart then "guest restarted" else null end)] | map(select(. != null)) | join(", ")) end) |"),
	"",
	"Method: \(.order) (the ratios are of medians). The guest reboots by itself after every capture; tests/bench/guest/capture-step.sh panics again once kdump is armed. panic = the panicking kernel'"'"'s `Kernel panic - not syncing: sysrq triggered crash` on the console; saved = the tool'"'"'s own line once the vmcore has its final name (lazy-kdump prints it after its sync, kdump-tools before its sync); up = multi-user.target reached and the tool reports kdump armed. Every dump was checked in the guest (complete, its dmesg shows the panic) and read back on the host (debugfs, then makedumpfile --dump-dmesg shows the panic). Only one QEMU guest runs on the host at a time (flock); the CPU row says what else the host did meanwhile (from /proc/stat and QEMU'"'"'s own CPU time).",
	"Stamps: each serial line gets the host time when tail(1), polling every 0.2 s, hands it over: ±0.2 s per interval. The vmcore grows with every warm reboot of the guest, for every tool (\([.tools[] | "\(.tool) run 1 → \(.runs | length): \(.runs[0].vmcore_bytes // "-") → \(.runs[-1].vmcore_bytes // "-") bytes"] | join("; "))); QEMU'"'"'s reset keeps the RAM, and what makedumpfile -d 31 keeps of it grows (cause not pinned down); the paired ratio compares runs with the same history.",
	"Prepare \(.seconds.prepare) s; whole benchmark \(.seconds.total) s (of which waiting for other engineers'"'"' QEMU guests: \([.tools[].qemu.lock_wait_seconds] | add) s)."
' "$out/capture.json" >"$out/capture.md"

cat "$out/capture.md"
log "wrote $out/capture.json and $out/capture.md in $((SECONDS - t_all)) s"
