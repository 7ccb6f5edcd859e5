#!/usr/bin/env bash
# make bench: every benchmark in one run, and one report.
#
# Usage: tests/bench/run.sh [--quick | --extended] [SUITE...]
#                            (default: bookworm trixie trixie-backports)
#   --quick     the smoke run make check includes: every part on the path
#               it measures, with one run each; its figures are not
#               measurements
#   --extended  make bench-extended: also the comparisons beyond what the
#               targets are judged on (25 minutes more): kdump-tools with
#               lazy-kdump's compression (capture.sh --with-lzo), 3
#               captures at the auto size instead of 1 (memory.sh
#               --auto-runs 3), the seed baseline with all zones and the
#               3 GiB guest (alloc.sh --extended)
#
# Parts (each its own script, each with --help):
#   1. capture.sh  panic -> dump saved -> back up on the full-system Debian
#                  13 guest: lazy-kdump against Debian's kdump-tools
#   2. memory.sh   memory held: the smallest crash region that still
#                  captures (bisection), the auto size, the distributions'
#                  static defaults; 2 GiB and 8 GiB guests, the busybox
#                  capture initrd and the dracut one (part 1's image)
#   3. alloc.sh    time to arm and success under fragmentation: lazy_cma
#                  against the seed project's strategy (tests/bench/seed,
#                  a labelled baseline, never shipped)
# A part that fails is reported and the others still run.
#
# Output: build/bench/report.md (the tables, the machine, the date, the
# kernels, every TARGET line) and build/bench/report.json (the parts'
# JSON files together). Exit status 1 when a part failed to produce its
# results (a missed target is reported, not an error).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

quick=() cap_args=() mem_args=() alloc_args=() mode=default
case ${1-} in
--quick)
	quick=(--quick) cap_args=(--quick) mem_args=(--quick) alloc_args=(--quick) mode=quick
	shift
	;;
--extended)
	cap_args=(--with-lzo) mem_args=(--auto-runs 3) alloc_args=(--extended) mode=extended
	shift
	;;
-h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
-*)
	echo "usage: $0 [--quick | --extended] [SUITE...]" >&2
	exit 2
	;;
esac
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie trixie-backports)
out=$top/build/bench
mkdir -p "$out"
# This run's results only: stale files of an earlier run would be reported.
rm -f "$out"/memory-*.json "$out"/alloc-*.json "$out"/alloc-*.md \
	"$out"/capture.json "$out"/capture.md "$out"/report.md "$out"/report.json

failed=0
t0=$SECONDS
# part NAME CMD...: run a part with its output on stdout and in a log.
part() {
	local name=$1 start=$SECONDS rc=0
	shift
	echo "# ===== bench $name: $*"
	"$@" 2>&1 | tee "$out/$name.log" || rc=$?
	echo "# bench $name: $((SECONDS - start)) s, exit status $rc"
	if [ "$rc" -ne 0 ]; then
		failed=1
		echo "not ok - bench $name: '$*' exited $rc (log: $out/$name.log)"
	else
		echo "ok - bench $name"
	fi
}

# capture.sh first: it builds the full-system image whose dracut capture
# initrd memory.sh measures too.
part capture "$here/capture.sh" "${cap_args[@]}"
part memory "$here/memory.sh" "${mem_args[@]}" "${suites[@]}"
part alloc "$here/alloc.sh" "${alloc_args[@]}" "${suites[@]}"

# The report.
shopt -s nullglob
mem=("$out"/memory-*.json)
# This run's allocation results only: alloc-quick-SUITE.* in quick mode,
# alloc-SUITE.* otherwise (not alloc.sh --groups' alloc-groups-SUITE.*).
alloc_md=() alloc_json=()
[ "$mode" = quick ] && ap=alloc-quick- || ap=alloc-
for s in "${suites[@]}"; do
	[ ! -f "$out/$ap$s.md" ] || alloc_md+=("$out/$ap$s.md")
	[ ! -f "$out/$ap$s.json" ] || alloc_json+=("$out/$ap$s.json")
done
cap=("$out"/capture.json)
{
	echo "# lazy-kdump benchmarks"
	echo
	case $mode in
	quick) m=' (--quick: a smoke run, not measurements)' ;;
	extended) m=' (--extended)' ;;
	*) m='' ;;
	esac
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC')$m,"
	echo "$(nproc) CPUs, QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{ print $4 }') TCG, guest CPU model ${LAZY_VM_CPU:-qemu64 (capture, allocation) and max (memory)} (no KVM: absolute"
	echo "times are 10-50x slower than hardware; compare the ratios), in $((SECONDS - t0)) s."
	echo
	echo "## Memory held from production"
	echo
	if [ ${#mem[@]} -gt 0 ]; then
		"$here/memory-report.sh" "${mem[@]}"
	else
		echo "(no results: see $out/memory.log)"
	fi
	echo
	echo "## Time to arm and success under fragmentation"
	echo
	if [ ${#alloc_md[@]} -gt 0 ]; then
		cat "${alloc_md[@]}"
	else
		echo "(no results: see $out/alloc.log)"
	fi
	echo
	echo "## Capture time"
	echo
	if [ -e "$out/capture.md" ]; then
		cat "$out/capture.md"
	else
		echo "(no results: see $out/capture.log)"
	fi
} >"$out/report.md"
jq -n --arg date "$(date -u +%FT%TZ)" --argjson quick "$([ ${#quick[@]} -eq 0 ] && echo false || echo true)" --arg mode "$mode" \
	--slurpfile memory <(cat /dev/null "${mem[@]}") \
	--slurpfile alloc <(cat /dev/null "${alloc_json[@]}") \
	--slurpfile capture <(cat /dev/null "${cap[@]}") \
	'{date: $date, quick: $quick, mode: $mode, memory: $memory, alloc: $alloc, capture: ($capture[0] // null)}' >"$out/report.json"

echo "# ===== bench report: $out/report.md"
grep '^TARGET' "$out/report.md" || true
echo "# bench: $((SECONDS - t0)) s in all"
exit "$failed"
