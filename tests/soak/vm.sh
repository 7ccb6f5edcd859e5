#!/usr/bin/env bash
# The soak on the busybox VM guests: CYCLES consecutive boot -> lazy-kdump
# load -> panic -> capture -> reboot cycles on each kernel, on one disk
# kept from cycle to cycle, then one more boot that arms again. TAP on
# stdout; exit status 1 when anything failed.
#
# Usage: tests/soak/vm.sh [--cycles N] [--keep N] [SUITE...]
#   --cycles N  panics per kernel (default 5)
#   --keep N    KEEP_DUMPS in the guests' /etc/lazy-kdump.conf (default 3)
#   SUITE       bookworm (6.1), trixie (6.12), trixie-backports (7.x);
#               default all three
#
# The guests are the VM tests' (tests/vm/README.md): the static userspace
# (make -C lazy_kdump STATIC=1 O=build/vm-static), lazy_cma.ko
# (scripts/build-module.sh SUITE, or LAZY_CMA_KO), the initrds of
# tests/vm/mkinitrd.sh with tests/vm/lazy-kdump.conf plus KEEP_DUMPS=N.
# A cycle is one QEMU process (tests/vm/qemu-run.sh: 2 GiB, -no-reboot, a
# time limit, one retry of a guest that hangs): /init runs t_soak.sh
# (lazy-kdump load with the auto size, armed, memory after arming, panic);
# the crash kernel runs crash_soak.sh, i.e. the capture script, which saves
# the dump to the disk (/dev/vda, an ext4 file system labelled lazydisk
# made once per kernel) and reboots, which ends QEMU. The host then checks
# that cycle (tests/soak/check-vm-cycle.sh: a new dump directory, complete,
# its vmcore read by makedumpfile --dump-dmesg with the panic line, at most
# KEEP_DUMPS dump directories), and boots the next cycle on the same disk.
# After the last cycle one more boot arms again without a panic
# (SOAK_NOPANIC=1). At the end: the crash region the same in every boot,
# MemTotal the same (+- 1 MiB), MemAvailable after arming within 5 % of MemTotal of
# the median.
#
# Timings per cycle, from qemu-run.sh's host-clock notes (+-0.2 s) and the
# guests' uptimes:
#   boot -> armed    the guest's uptime when lazy-kdump load returned
#   panic -> saved   host: "EXPECT-CRASH" to the crash kernel's /init, plus
#                    the crash kernel's uptime from its /init to the
#                    capture's "saved .../vmcore"
#   saved -> up      saved to the end of QEMU (the capture's reboot), plus
#                    the next boot's QEMU start to armed (the host's check
#                    and QEMU's restart in between are not counted)
#   cycle            panic -> saved + saved -> up
#   QEMU run         the cycle's QEMU process, start to exit
# A cycle that needed a retry is left out of the distribution.
#
# Output: build/soak/vm-KVER/ (cycle-N/: each cycle's qemu-run.sh results;
# cycles.tsv; summary.txt), the summaries also as "# " lines.
# Environment: LAZY_KDUMP_CACHE, LAZY_SOAK_RESULTS (default build/soak),
# LAZY_CMA_KO (as tests/vm/run.sh), LAZY_VM_MAKEDUMPFILE, LAZY_VM_RETRIES
# (default 1), LAZY_VM_BOOT_TIMEOUT (default 45), LAZY_SOAK_VM_TIMEOUT
# (seconds one cycle may take, default 300).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
vm=$top/tests/vm
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}
cycles=5 keep=3
while [ $# -gt 0 ]; do
	case $1 in
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
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie trixie-backports)
[[ $cycles =~ ^[1-9][0-9]*$ ]] || die "--cycles $cycles: a number of cycles, 1 or more"
[[ $keep =~ ^[0-9]+$ ]] || die "--keep $keep: a number of dumps"
command -v debugfs >/dev/null || die "debugfs is not installed; run scripts/install-deps.sh"
results=${LAZY_SOAK_RESULTS:-$top/build/soak}
mkdir -p "$results"
results=$(cd "$results" && pwd)
retries=${LAZY_VM_RETRIES:-1}
boot_timeout=${LAZY_VM_BOOT_TIMEOUT:-45}
cycle_timeout=${LAZY_SOAK_VM_TIMEOUT:-300}

total=0 failed=0
# emit WHERE LINE: number a TAP line; pass notes through.
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
fail_log() {
	emit "$1" "not ok - $2 (log: $3)"
	tail -n 10 "$3" | sed 's/^/#   /'
}

# cycle_row FILE: what qemu-run.sh printed for one cycle, as the fields
#   X Z Uc Um B T Q armed crash_size region_len mem_total mem_avail dir count bytes retried
# ("-" for what is missing): X the panic (EXPECT-CRASH), Z the crash
# kernel's BEGIN, B the main BEGIN, Q the QEMU run, on the host's clock
# since QEMU started; Uc, Um the crash and main /init's uptimes, T the
# crash kernel's uptime at "saved", armed the main kernel's at armed.
cycle_row() {
	awk '
		function after(    i) { for (i = 1; i <= NF; i++) if ($i == "after") return $(i + 1); return "" }
		function val(name,    i) { for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2); return "" }
		function v(x) { return x == "" ? "-" : x }
		/did not finish .*retrying/ { retried = 1 }
		/the guest panics after/ { X = after() }
		/: BEGIN soak crash after/ { Z = after() }
		/: BEGIN soak after/ { B = after() }
		/: finished; / { for (i = 1; i <= NF; i++) if ($i == "ran") Q = $(i + 1) }
		/^# soak: kernel .*\/init \(crash\) at uptime/ { for (i = 1; i <= NF; i++) if ($i == "uptime") Uc = $(i + 1) }
		/^# soak: kernel .*\/init \(main\) at uptime/ { for (i = 1; i <= NF; i++) if ($i == "uptime") Um = $(i + 1) }
		/^# soak-info: / { A = val("up_armed_s"); CS = val("crash_size"); RL = val("region_len"); MT = val("mem_total_kb"); MA = val("mem_avail_kb") }
		/^# soak-dump: / { D = val("dir"); N = val("count"); BY = val("bytes"); T = val("saved_uptime") }
		END {
			print v(X), v(Z), v(Uc), v(Um), v(B), v(T), v(Q), v(A), v(CS), v(RL), v(MT), v(MA), v(D), v(N), v(BY), retried + 0
		}' "$1"
}

echo "TAP version 13"
logs=$results/vm-logs
mkdir -p "$logs"
static=build/vm-static
if make -C "$top/lazy_kdump" STATIC=1 O="$top/$static" >"$logs/make-lazy_kdump.log" 2>&1; then
	emit "soak-vm" "ok - build lazy_kdump (make -C lazy_kdump STATIC=1 O=$static)"
else
	fail_log "soak-vm" "build lazy_kdump (make -C lazy_kdump STATIC=1 O=$static)" "$logs/make-lazy_kdump.log"
fi
bins=("$top/$static/lazy-cma" "$top/$static/lazy-kdump" "$top/dracut/lazy-kdump-capture.sh" "$top/dracut/lazy-kdump-prune.sh")
if [ -z "${LAZY_VM_MAKEDUMPFILE:-}" ]; then
	LAZY_VM_MAKEDUMPFILE=$("$top/scripts/fetch-makedumpfile.sh" 2>"$logs/fetch-makedumpfile.log") ||
		LAZY_VM_MAKEDUMPFILE=$(command -v makedumpfile || true)
fi
export LAZY_VM_MAKEDUMPFILE
mdf_path=$PATH
[ -z "$LAZY_VM_MAKEDUMPFILE" ] || mdf_path=$(dirname "$LAZY_VM_MAKEDUMPFILE"):$PATH
summaries=()

for suite in "${suites[@]}"; do
	where="soak-vm/$suite"
	t_suite=$SECONDS
	if ! kdir=$("$top/scripts/fetch-kernel.sh" "$suite" 2>"$logs/fetch-$suite.log" | tail -n 1) ||
		[ ! -r "$kdir/info" ]; then
		fail_log "$where" "fetch the $suite kernel (scripts/fetch-kernel.sh $suite)" "$logs/fetch-$suite.log"
		continue
	fi
	KVER=''
	# shellcheck source=/dev/null
	. "$kdir/info"
	ko=''
	if [ -n "${LAZY_CMA_KO:-}" ]; then
		for k in $LAZY_CMA_KO; do
			v=$(modinfo -F vermagic "$k" 2>/dev/null || true)
			[ "${v%% *}" != "$KVER" ] || ko=$k
		done
	elif out=$("$top/scripts/build-module.sh" "$suite" 2>"$logs/module-$suite.log") &&
		ko=$(grep -E '/lazy_cma\.ko$' <<<"$out" | tail -n 1) && [ -f "$ko" ]; then
		:
	else
		ko=''
	fi
	if [ -z "$ko" ]; then
		fail_log "$where" "lazy_cma.ko for $KVER (scripts/build-module.sh $suite or LAZY_CMA_KO)" "$logs/module-$suite.log"
		continue
	fi
	emit "$where" "ok - lazy_cma.ko for $KVER: $ko"

	work=$results/vm-$KVER
	rm -rf "$work"
	mkdir -p "$work"
	{
		cat "$vm/lazy-kdump.conf"
		printf '\n# tests/soak/vm.sh: the retention under test.\nKEEP_DUMPS=%s\n' "$keep"
	} >"$work/lazy-kdump.conf"
	initrd=$work/initrd.cpio.gz
	if ! PATH=$mdf_path "$vm/mkinitrd.sh" -k "$ko" -C "$work/lazy-kdump.conf" \
		"$kdir" "$initrd" "${bins[@]}" >"$logs/initrd-$suite.log" 2>&1; then
		fail_log "$where" "build the initrds for $KVER (tests/vm/mkinitrd.sh)" "$logs/initrd-$suite.log"
		continue
	fi
	truncate -s 1G "$work/disk.img"
	mkfs.ext4 -F -q -L lazydisk "$work/disk.img"
	echo "# $where: kernel $KVER, $cycles cycles on $work/disk.img, KEEP_DUMPS=$keep"

	prev=''
	: >"$work/rows"
	for ((i = 1; i <= cycles + 1; i++)); do
		o=$work/cycle-$i
		a='' c=(-c "$here/check-vm-cycle.sh")
		if [ "$i" -gt "$cycles" ]; then
			a="SOAK_NOPANIC=1" c=()
		fi
		SOAK_KEEP=$keep SOAK_CYCLE=$i SOAK_PREV=$prev LAZY_VM_DISK=$work/disk.img \
			"$vm/qemu-run.sh" -t "$cycle_timeout" -b "$boot_timeout" -r "$retries" -a "$a" -o "$o" \
			"${c[@]}" "$kdir" "$initrd" soak soak -- -m 2G \
			-drive "file=$work/disk.img,if=virtio,format=raw" </dev/null >"$o.out" 2>&1 || true
		if [ "$i" -le "$cycles" ]; then
			label="cycle $i"
		else
			label="after the last cycle"
		fi
		while IFS= read -r l; do
			case $l in
			"ok"* | "not ok"*)
				l=$(sed -E 's/^(not ok|ok) - host: cycle [0-9]+: /\1 - host: /' <<<"$l")
				emit "$where" "$(sed -E "s/^(not ok|ok) - /\1 - $label: /" <<<"$l")"
				;;
			"# soak attempt "*": finished"* | "# soak attempt "*": did not finish"* | "# soak: attempt"*)
				echo "# $where: $label: ${l#\# }"
				;;
			esac
		done <"$o.out"
		row=$(cycle_row "$o.out")
		echo "$i $row" >>"$work/rows"
		d=$(awk '{ print $14 }' <<<"$i $row")
		[ "$d" = - ] || [ "$d" = none ] || prev=$d
	done

	# Per cycle: the crash region and the memory, against the first boot.
	read -r ref_cs ref_rl ref_mt < <(awk 'NR == 1 { print $10, $11, $12 }' "$work/rows")
	med_ma=$(awk '$13 ~ /^[0-9]+$/ { print $13 }' "$work/rows" | sort -n | awk '{ v[n++] = $1 } END { print n ? v[int((n - 1) / 2)] : 0 }')
	[[ $ref_mt =~ ^[0-9]+$ ]] || ref_mt=0
	tol_kb=$((ref_mt * 5 / 100))
	while read -r i cs rl mt ma; do
		label="cycle $i"
		[ "$i" -le "$cycles" ] || label="after the last cycle"
		if [ "$cs" = - ]; then
			emit "$where" "not ok - $label: the crash region and memory after arming: not reported (not armed)"
			continue
		fi
		if [ "$cs" = "$ref_cs" ] && [ "$rl" = "$ref_rl" ]; then
			emit "$where" "ok - $label: the crash region is the first boot's (kexec_crash_size $cs, lazy-kdump's region $rl bytes)"
		else
			emit "$where" "not ok - $label: the crash region is the first boot's (kexec_crash_size $cs, region $rl; first boot $ref_cs, $ref_rl)"
		fi
		if [ "$mt" -ge $((ref_mt - 1024)) ] && [ "$mt" -le $((ref_mt + 1024)) ] && [ "$ma" -ge $((med_ma - tol_kb)) ] && [ "$ma" -le $((med_ma + tol_kb)) ]; then
			emit "$where" "ok - $label: memory after arming: MemTotal $mt kB (the first boot's $ref_mt +- 1024), MemAvailable $ma kB (median $med_ma +- $tol_kb)"
		else
			emit "$where" "not ok - $label: memory after arming: MemTotal $mt kB (first boot $ref_mt), MemAvailable $ma kB (median $med_ma +- $tol_kb)"
		fi
	done < <(awk '{ print $1, $10, $11, $12, $13 }' "$work/rows")

	# One row a cycle: the phases (seconds), then what was checked.
	awk -v n="$cycles" '
		function num(x) { return x ~ /^[0-9.]+$/ }
		{
			i = $1; X[i] = $2; Z[i] = $3; Uc[i] = $4; Um[i] = $5; B[i] = $6; T[i] = $7; Q[i] = $8; A[i] = $9
			cs[i] = $10; ma[i] = $13; dir[i] = $14; cnt[i] = $15; by[i] = $16; re[i] = $17
		}
		END {
			print "cycle\tboot_to_armed\tpanic_to_saved\tsaved_to_up\tpanic_to_up\tqemu_run\tretried\tcrash_size\tmem_avail_kb\tdumps\tdir\tbytes"
			for (i = 1; i <= n; i++) {
				ps = (num(X[i]) && num(Z[i]) && num(T[i]) && num(Uc[i])) ? sprintf("%.1f", Z[i] - X[i] + T[i] - Uc[i]) : "-"
				up = "-"
				if (ps != "-" && num(Q[i]) && num(B[i + 1]) && num(A[i + 1]) && num(Um[i + 1]))
					up = sprintf("%.1f", Q[i] - (Z[i] + T[i] - Uc[i]) + B[i + 1] + A[i + 1] - Um[i + 1])
				cy = (ps != "-" && up != "-") ? sprintf("%.1f", ps + up) : "-"
				printf "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", i, A[i], ps, up, cy, Q[i],
					re[i] || re[i + 1], cs[i], ma[i], cnt[i], dir[i], by[i]
			}
		}' "$work/rows" >"$work/cycles.tsv"
	col() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } $7 == 0 { print $k }' "$work/cycles.tsv"; }
	{
		echo "soak, busybox guest ($suite, kernel $KVER): $cycles cycles, KEEP_DUMPS=$keep, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		col panic_to_up | soak_stats "cycle (panic -> up)" s
		col boot_to_armed | soak_stats "boot -> armed (guest)" s
		col panic_to_saved | soak_stats "panic -> saved" s
		col saved_to_up | soak_stats "saved -> up, armed" s
		col qemu_run | soak_stats "QEMU run of a cycle" s
		col bytes | awk '$1 > 0 { print $1 / 1048576 }' | soak_stats "vmcore size (saved)" MiB
		echo "crash region: $(awk '{ print $10 }' "$work/rows" | sort -u | tr '\n' ' ')bytes (kexec_crash_size over all boots)"
		echo "dumps in /var/crash after each cycle: $(awk -F'\t' 'NR > 1 { print $10 }' "$work/cycles.tsv" | tr '\n' ' ')(KEEP_DUMPS=$keep)"
	} >"$work/summary.txt"
	sed 's/^/# /' "$work/summary.txt"
	summaries+=("$work/summary.txt")
	echo "# $where: $((SECONDS - t_suite)) s in all; results in $work"
done

echo "1..$total"
echo "# soak, busybox guests: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
