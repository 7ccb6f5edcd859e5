#!/usr/bin/env bash
# make soak: many consecutive panic -> capture -> reboot -> armed again
# cycles, a long tier of its own (make check does not run it).
#
# Usage: tests/soak/run.sh [SUITE...]   (default bookworm trixie trixie-backports)
#        tests/soak/run.sh --report       only write results.txt again from
#                                         the parts' kept output
#
# Parts, each its own script with --help:
#   1. full.sh  SOAK_FULL_CYCLES (default 20) cycles on the full-system
#               Debian guest of SOAK_FULL_SUITE (default trixie): systemd,
#               dracut, `make install`, lazy-kdump.service arming kdump at
#               every boot without crashkernel=; the crash kernel's reboot
#               boots the system again in the same QEMU process
#   2. vm.sh    SOAK_VM_CYCLES (default 5) cycles on the busybox VM guest of
#               each SUITE's kernel, one QEMU process a cycle on one disk
# Both with KEEP_DUMPS=SOAK_KEEP (default 3). Every cycle: armed again after
# the reboot, the dump complete and read on the host by makedumpfile
# --dump-dmesg with the panic line, at most KEEP_DUMPS dumps, the crash
# region and MemTotal the same, MemAvailable after arming within noise.
# SOAK_PARTS="full vm" (default) picks the parts.
#
# Output: both parts' TAP (kept in build/soak/full.tap and vm.tap), then
# "N passed, N failed, N skipped";
# build/soak/results.txt holds the distributions of the cycle times
# (min / median / max, per phase) of every part, also printed. Exit status
# 1 when anything failed. Time on a 2-CPU host shared with two other TCG
# guests and a kernel build (2026-12-05): the full system's first boot
# about 8 minutes (it builds the capture initrd), then 4-6 minutes a cycle
# (about 2 hours for 20); plus waits for the QEMU lock. On an idle 2-CPU
# host (2026-12-06): 40 minutes in all, 65-147 s a full-system cycle.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$top/tests/soak
report=0
case ${1-} in
-h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
--report)
	report=1
	shift
	;;
esac
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie trixie-backports)
parts=${SOAK_PARTS-full vm}
keep=${SOAK_KEEP:-3}
results=${LAZY_SOAK_RESULTS:-$top/build/soak}
export LAZY_SOAK_RESULTS=$results
mkdir -p "$results"

# part NAME FILE CMD...: run a part, show its output and keep it in FILE
# (build/soak/NAME.tap) for the count; a failing part with no "not ok" line
# of its own gets one.
part() {
	local name=$1 tap=$2 rc=0
	shift 2
	echo "# ===== $name: $*"
	"$@" 2>&1 | tee "$tap" || rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$tap"; then
		echo "not ok - $name: '$*' exited $rc" | tee -a "$tap"
	fi
}

start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$SECONDS
if [ "$report" = 0 ]; then
	rm -f "$results"/full-*/summary.txt "$results"/vm-*/summary.txt
fi
if [ "$report" = 0 ] && [[ " $parts " == *" full "* ]]; then
	part "soak, full system" "$results/full.tap" "$here/full.sh" --cycles "${SOAK_FULL_CYCLES:-20}" --keep "$keep" "${SOAK_FULL_SUITE:-trixie}"
fi
if [ "$report" = 0 ] && [[ " $parts " == *" vm "* ]]; then
	part "soak, busybox guests" "$results/vm.tap" "$here/vm.sh" --cycles "${SOAK_VM_CYCLES:-5}" --keep "$keep" "${suites[@]}"
fi

taps=()
for p in $parts; do
	[ ! -e "$results/$p.tap" ] || taps+=("$results/$p.tap")
done
[ ${#taps[@]} -gt 0 ] || taps=(/dev/null)
read -r passed failed skipped < <(awk '
	/^not ok([ \t]|$)/ { f++; next }
	/^ok([ \t]|$)/ { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++; else p++ }
	END { printf "%d %d %d\n", p, f, s }' "${taps[@]}")
{
	if [ "$report" = 0 ]; then
		echo "make soak, $start, $((SECONDS - t0)) s: $passed passed, $failed failed, $skipped skipped"
	else
		echo "make soak (from the kept output of $(date -u -r "${taps[0]}" +%Y-%m-%dT%H:%M:%SZ)): $passed passed, $failed failed, $skipped skipped"
	fi
	for f in "$results"/full-*/summary.txt "$results"/vm-*/summary.txt; do
		[ -e "$f" ] || continue
		echo
		cat "$f"
	done
	if [ "$failed" -gt 0 ]; then
		echo
		echo "failed:"
		grep -h '^not ok' "${taps[@]}" | sed 's/^/  /'
	fi
} >"$results/results.txt"
echo "# ===== results ($results/results.txt)"
sed 's/^/# /' "$results/results.txt"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
