#!/usr/bin/env bash
# Find by bisection the smallest crash reservation that still captures a
# complete vmcore, and compare it with lazy-kdump's auto size. A measuring
# tool, not a test: make check does not run it (about 10 minutes a suite).
#
# Usage: tests/vm/bisect-crash-size.sh SUITE
#   SUITE  bookworm (6.1), trixie (6.12) or trixie-backports (7.x)
#
# Each point is the end-to-end guest of the "kdump" group (t_kdump.sh without
# the resizes, tests/vm/groups) booted with KDUMP_SIZE=<N>M: `lazy-kdump load
# --size N`, panic, the busybox crash initrd of tests/vm/mkinitrd.sh runs the
# capture script onto a fresh ext4 disk, and host/check_kdump.sh must find a
# complete vmcore whose log has the panic line. A size passes when CONFIRM
# captures in a row pass (the first failure fails it). The search runs in
# steps of 2 MiB (lazy_cma's alignment) between lazy-kdump's hard minimum
# (the images alone; nothing smaller can be loaded) and the auto size, which
# must pass first.
#
# Environment:
#   CONFIRM          captures per size (default 3)
#   BISECT_AUTO=MiB  the auto size, already known to capture: not tried again
#   BISECT_RANGE="LO HI"  resume: LO MiB known to fail, HI MiB to capture
#   LAZY_CMA_KO      lazy_cma.ko file(s) to use (default: build-module.sh's)
#   LAZY_KDUMP_CACHE see scripts/common.sh
# Output: one line per capture, then
#   SUITE KVER: auto A MiB, smallest that captured B MiB (CONFIRM=n), ...
# Logs: build/bisect/SUITE/<N>M-<try>/ (console.log, results.tap, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

[ $# -eq 1 ] || die "usage: $0 bookworm|trixie|trixie-backports"
suite=$1
series_of_suite "$suite" >/dev/null || die "unknown suite '$suite'"
confirm=${CONFIRM:-3}
[[ $confirm =~ ^[1-9][0-9]*$ ]] || die "CONFIRM=$confirm: a number of captures, 1 or more"
out=$top/build/bisect/$suite
mkdir -p "$out"
blog=$out/build.log
: >"$blog"

# The pieces run.sh would build: kernel, module, static userspace,
# makedumpfile, initrds.
kdir=$("$top/scripts/fetch-kernel.sh" "$suite" 2>>"$blog" | tail -n 1) ||
	die "fetching the $suite kernel failed (log: $blog)"
KVER=''
# shellcheck source=/dev/null
. "$kdir/info"
ko=''
for k in ${LAZY_CMA_KO:-}; do
	[ "$(modinfo -F vermagic "$k" 2>/dev/null | cut -d' ' -f1)" != "$KVER" ] || ko=$k
done
if [ -z "$ko" ]; then
	ko=$("$top/scripts/build-module.sh" "$suite" "$out/module" 2>>"$blog" | grep '/lazy_cma\.ko$' | tail -n 1) ||
		die "building lazy_cma.ko for $KVER failed (log: $blog)"
fi
static=$out/static
make -C "$top/lazy_kdump" O="$static" STATIC=1 >>"$blog" 2>&1 ||
	die "building the static userspace failed (log: $blog)"
mdf=$("$top/scripts/fetch-makedumpfile.sh" 2>>"$blog") || die "fetching makedumpfile failed (log: $blog)"
initrd=$out/initrd.cpio.gz
PATH=$(dirname "$mdf"):$PATH "$here/mkinitrd.sh" -k "$ko" -C "$here/lazy-kdump.conf" "$kdir" "$initrd" \
	"$static/lazy-cma" "$static/lazy-kdump" "$top/dracut/lazy-kdump-capture.sh" >>"$blog" 2>&1 ||
	die "building the initrds failed (log: $blog)"

# The hard minimum, from the same files as in the guest (the other terms
# depend on the guest: the auto size comes from the guest's own estimate).
hard=$("$static/lazy-kdump" estimate --kernel "$kdir/root/$VMLINUZ" \
	--initrd "$(dirname "$initrd")/crash-$(basename "$initrd")" --json 2>>"$blog" |
	sed -n 's/^ *"hard_minimum": \([0-9]*\),\{0,1\}$/\1/p')
[ -n "$hard" ] || die "lazy-kdump estimate on the host gave no hard minimum (log: $blog)"
hard_mib=$(((hard + (1 << 20) - 1) >> 20))

# capture SIZE TRY: one guest; 0 when the vmcore was captured and read.
# SIZE "auto" loads with the auto size. Sets auto_bytes, why.
auto_bytes='' why=''
capture() {
	local size=$1 try=$2 o words='KDUMP_NORESIZE=1' rc=0
	o=$out/$size-$try
	[ "$size" = auto ] || words="$words KDUMP_SIZE=$size"
	LAZY_VM_MAKEDUMPFILE=$mdf "$here/qemu-run.sh" -t 300 -r 1 -d 512M \
		-c "$here/host/check_kdump.sh" -o "$o" -a "$words" \
		"$kdir" "$initrd" kdump kdump -- -m 2G >"$o.out" 2>&1 || rc=$?
	rm -f "$o/disk.img" "$o/vmcore"
	if [ "$size" = auto ] && [ -z "$auto_bytes" ]; then
		auto_bytes=$(sed -n 's/.*estimate --json gives a total (\([0-9]*\) bytes).*/\1/p' "$o.out" | head -n 1)
	fi
	why=''
	if [ "$rc" -ne 0 ] || grep -q '^not ok' "$o.out"; then
		# The crash kernel's own panic (the first one is the sysrq crash).
		why=$(tr -d '\r' <"$o/console.log" 2>/dev/null |
			grep -a -oE 'Kernel panic - not syncing: .*' |
			grep -v 'sysrq triggered crash' | head -n 1 || true)
		[ -n "$why" ] || why=$(grep -m 1 '^not ok' "$o.out" | cut -c1-120)
		return 1
	fi
	return 0
}

# passes SIZE: CONFIRM captures in a row.
passes() {
	local t
	for ((t = 1; t <= confirm; t++)); do
		if capture "$1" "$t"; then
			echo "  $1 capture $t/$confirm: ok"
		else
			echo "  $1 capture $t/$confirm: FAILED (${why:-see $out/$1-$t.out})"
			return 1
		fi
	done
	return 0
}

echo "# $suite: kernel $KVER, 2 GiB guest, busybox capture initrd ($(du -k "$(dirname "$initrd")/crash-$(basename "$initrd")" | cut -f1) KiB), CONFIRM=$confirm; logs in $out"
if [ -n "${BISECT_AUTO:-}" ]; then
	auto_mib=$BISECT_AUTO
	echo "# auto size ${auto_mib} MiB (BISECT_AUTO: not tried again); hard minimum ${hard_mib} MiB"
else
	passes auto || die "the auto size does not capture on $KVER: nothing to bisect (logs: $out/auto-*)"
	[ -n "$auto_bytes" ] || die "no auto size in $out/auto-1.out"
	auto_mib=$((auto_bytes >> 20))
	echo "# auto size ${auto_mib} MiB captures; hard minimum ${hard_mib} MiB"
fi

# Invariant: hi passes (CONFIRM times), lo fails (or cannot be loaded).
lo=$(((hard_mib - 1) / 2 * 2)) hi=$auto_mib
if [ -n "${BISECT_RANGE:-}" ]; then
	read -r lo hi <<<"$BISECT_RANGE"
	[[ $lo =~ ^[0-9]+$ && $hi =~ ^[0-9]+$ && $lo -lt $hi ]] || die "BISECT_RANGE='$BISECT_RANGE': want \"LO HI\" in MiB, LO < HI"
	echo "# resuming between ${lo} MiB (fails) and ${hi} MiB (captures)"
fi
while [ $((hi - lo)) -gt 2 ]; do
	mid=$(((lo + hi) / 2))
	mid=$((mid - mid % 2))
	[ "$mid" -gt "$lo" ] || mid=$((lo + 2))
	if passes "${mid}M"; then hi=$mid; else lo=$mid; fi
done
echo "$suite $KVER: auto ${auto_mib} MiB, smallest that captured ${hi} MiB (CONFIRM=$confirm; ${lo} MiB failed or cannot load), auto - smallest = $((auto_mib - hi)) MiB, hard minimum ${hard_mib} MiB"
