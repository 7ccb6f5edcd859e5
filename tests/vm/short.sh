#!/usr/bin/env bash
# kdump armed below the minimum, on the busybox VM guests: the message at
# capture and at the next boot (lazy-kdump.conf(5), README "A crash kernel
# short of memory"). Two QEMU boots per kernel on one disk:
#   1. t_kdump_short.sh SHORT_PHASE=first: lazy-kdump load --size SIZE (below
#      the smallest size that captures, above lazy-kdump's hard minimum),
#      panic. The crash kernel then either runs the capture, whose
#      makedumpfile runs out of memory (status memory=short, the message on
#      the console), or dies before the capture can write anything (the
#      kernel's own "Out of memory" / "deadlocked on memory" on the console).
#      Either is checked here from the console and the disk; a crash kernel
#      that captured normally at SIZE fails the test (SIZE is not below the
#      minimum: lower it).
#   2. SHORT_PHASE=after: the next boot's lazy-kdump load says what the last
#      panic left, matching what happened: "short of memory" or "no dump".
# TAP on stdout; exit status 1 when anything failed.
#
# Usage: tests/vm/short.sh [SUITE...]   (default: bookworm trixie trixie-backports)
# Environment: LAZY_SHORT_SIZE_<suite> (e.g. LAZY_SHORT_SIZE_trixie=72M:
# the size armed; defaults below), LAZY_VM_RESULTS (build/vm-results),
# LAZY_CMA_KO, LAZY_VM_MAKEDUMPFILE, LAZY_KDUMP_CACHE (as tests/vm/run.sh).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie trixie-backports)
command -v debugfs >/dev/null || die "debugfs is not installed; run scripts/install-deps.sh"
results=${LAZY_VM_RESULTS:-$top/build/vm-results}
mkdir -p "$results"
results=$(cd "$results" && pwd)

total=0 failed=0
emit() {
	local verdict=$1 where=$2 text=$3
	total=$((total + 1))
	[ "$verdict" = ok ] || failed=$((failed + 1))
	echo "$verdict $total - $where: $text"
}
fail_log() {
	emit "not ok" "$1" "$2 (log: $3)"
	tail -n 10 "$3" | sed 's/^/#   /'
}

echo "TAP version 13"
logs=$results/logs
mkdir -p "$logs"
static=build/vm-static
make -C "$top/lazy_kdump" STATIC=1 O="$top/$static" >"$logs/short-make.log" 2>&1 ||
	{ fail_log short "build lazy_kdump (STATIC=1)" "$logs/short-make.log"; echo "1..$total"; exit 1; }
bins=("$top/$static/lazy-cma" "$top/$static/lazy-kdump" "$top/dracut/lazy-kdump-capture.sh" "$top/dracut/lazy-kdump-prune.sh")
if [ -z "${LAZY_VM_MAKEDUMPFILE:-}" ]; then
	LAZY_VM_MAKEDUMPFILE=$("$top/scripts/fetch-makedumpfile.sh" 2>"$logs/short-makedumpfile.log") ||
		LAZY_VM_MAKEDUMPFILE=$(command -v makedumpfile || true)
fi
export LAZY_VM_MAKEDUMPFILE
mdf_path=$PATH
[ -z "$LAZY_VM_MAKEDUMPFILE" ] || mdf_path=$(dirname "$LAZY_VM_MAKEDUMPFILE"):$PATH

# guest_lines FILE: the guest's TAP lines of a qemu-run.sh output.
guest_lines() { grep -E '^(ok|not ok)( |$)' "$1" || true; }

for suite in "${suites[@]}"; do
	where="kdump-short/$suite"
	if ! kdir=$("$top/scripts/fetch-kernel.sh" "$suite" 2>"$logs/fetch-$suite.log" | tail -n 1) ||
		[ ! -r "$kdir/info" ]; then
		fail_log "$where" "fetch the $suite kernel" "$logs/fetch-$suite.log"
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
	fi
	if [ -z "$ko" ]; then
		fail_log "$where" "lazy_cma.ko for $KVER" "$logs/module-$suite.log"
		continue
	fi
	# Below the smallest size that captured (KERNEL-FACTS: 6.12 80-88M,
	# 6.1 and 7.x 96M with this initrd), above the hard minimum (~64M).
	var=LAZY_SHORT_SIZE_${suite//-/_}
	case $suite in
	trixie) size=${!var:-72M} ;;
	*) size=${!var:-80M} ;;
	esac
	work=$results/$KVER/kdump-short
	rm -rf "$work"
	mkdir -p "$work"
	initrd=$work/initrd.cpio.gz
	if ! PATH=$mdf_path "$here/mkinitrd.sh" -k "$ko" -C "$here/lazy-kdump.conf" \
		"$kdir" "$initrd" "${bins[@]}" >"$logs/short-initrd-$suite.log" 2>&1; then
		fail_log "$where" "build the initrds for $KVER" "$logs/short-initrd-$suite.log"
		continue
	fi
	disk=$work/disk.img
	truncate -s 512M "$disk"
	mkfs.ext4 -F -q -L lazydisk "$disk"

	# Boot 1: arm at $size, panic. qemu-run.sh does not retry (the crash
	# kernel is expected to die before its /init, which it counts as a
	# hang); a main kernel that hung before its /init (about 1 boot in 25
	# under TCG) is booted once more here.
	o1=$work/first
	for attempt in 1 2; do
		"$here/qemu-run.sh" -t 240 -b 60 -r 0 -a "SHORT_PHASE=first SHORT_SIZE=$size" -o "$o1" \
			"$kdir" "$initrd" kdump-short kdump_short -- -m 2G \
			-drive "file=$disk,if=virtio,format=raw" </dev/null >"$o1.out" 2>&1 || true
		grep -q '^LAZYTEST BEGIN kdump-short' "$o1/results.tap" 2>/dev/null && break
		echo "# $where: first boot, attempt $attempt: the main kernel did not reach its /init; booting again"
	done
	main_ok=1
	while IFS= read -r l; do
		case $l in
		"ok"*) emit ok "$where" "first boot: ${l#ok - }" ;;
		"not ok"*)
			emit "not ok" "$where" "first boot: ${l#not ok - }"
			main_ok=0
			;;
		esac
	done < <(guest_lines "$o1.out" | grep -v -e 'guest did not finish' -e '^ok - t_kdump_short: no kernel warning' || true)
	if ! grep -q 'EXPECT-CRASH' "$o1/results.tap" 2>/dev/null && ! grep -q 'the guest panics after' "$o1.out"; then
		emit "not ok" "$where" "first boot: armed at $size and panicked (see $o1)"
		continue
	fi
	# What the crash kernel did.
	con=$o1/console.log
	newest=$(debugfs -R 'ls -p /var/crash' "$disk" 2>/dev/null | awk -F/ '$6 ~ /^lazy-short-/ { print $6 }' | sort | tail -n 1)
	status=''
	[ -z "$newest" ] || status=$(debugfs -R "cat /var/crash/$newest/status" "$disk" 2>/dev/null)
	echo "# $where: crash kernel at $size: $(grep -m 1 -o 'short-crash: MemTotal [0-9]* kB' "$con" || echo 'no /init reached')"
	if [ -n "$status" ]; then
		echo "# $where: capture status: $(tr '\n' ' ' <<<"$status")"
		if grep -qx 'memory=short' <<<"$status"; then
			emit ok "$where" "the capture ran out of memory and recorded it (status memory=short, $(grep '^result=' <<<"$status"))"
			happened=short
		else
			emit "not ok" "$where" "at $size the capture was not short of memory ($(grep '^result=' <<<"$status")): lower LAZY_SHORT_SIZE_${suite//-/_}"
			happened=other
		fi
		if grep -q 'lazy-kdump-capture: the crash kernel ran out of memory' "$con"; then
			emit ok "$where" "the capture said so on the console"
		else
			emit "not ok" "$where" "the capture said so on the console"
		fi
	elif grep -q -E 'Out of memory|deadlocked on memory|Kernel panic' <(sed -n '/EXPECT-CRASH\|Kernel panic - not syncing: sysrq/,$p' "$con"); then
		emit ok "$where" "the crash kernel died before the capture wrote anything: $(grep -m 1 -o -E 'Out of memory[^[:cntrl:]]*|System is deadlocked on memory|Kernel panic - not syncing: [^[:cntrl:]]*' <(sed -n '/sysrq triggered crash/,$p' "$con" | tail -n +2) | head -n 1)"
		happened=none
	else
		emit "not ok" "$where" "the crash kernel neither captured nor said why (console: $con)"
		happened=unknown
	fi

	# Boot 2: the next boot reports it.
	o2=$work/after
	"$here/qemu-run.sh" -t 240 -b 60 -r 1 -a "SHORT_PHASE=after" -o "$o2" \
		"$kdir" "$initrd" kdump-short kdump_short -- -m 2G \
		-drive "file=$disk,if=virtio,format=raw" </dev/null >"$o2.out" 2>&1 || true
	while IFS= read -r l; do
		case $l in
		"ok"*) emit ok "$where" "next boot: ${l#ok - }" ;;
		"not ok"*) emit "not ok" "$where" "next boot: ${l#not ok - }" ;;
		esac
	done < <(guest_lines "$o2.out")
	verdict=$(grep -m 1 -o 'short-verdict: [a-z-]*' "$o2/results.tap" 2>/dev/null | cut -d' ' -f2)
	case $happened:$verdict in
	short:short-of-memory | none:no-dump)
		emit ok "$where" "the next boot's verdict ($verdict) matches what the crash kernel did ($happened)"
		;;
	*) emit "not ok" "$where" "the next boot's verdict (${verdict:-none}) matches what the crash kernel did ($happened)" ;;
	esac
	[ "$main_ok" = 1 ] || true
done

echo "1..$total"
echo "# kdump-short: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
