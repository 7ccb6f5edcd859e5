#!/usr/bin/env bash
# Allocation benchmark: time to arm and success under fragmentation, our
# allocator (lazy_cma.ko, `lazy-kdump load`) against the seed project's
# strategy re-implemented as a baseline (tests/bench/seed, never shipped),
# in QEMU TCG guests of each Debian kernel.
#
# Usage: tests/bench/alloc.sh [--quick | --extended] [--runs N] SUITE...
#   SUITE     bookworm (6.1), trixie (6.12), trixie-backports (7.x)
#   --quick   the smoke test: groups bench-quick (page-cache-full guest,
#             256M and auto, 1 run) and bench-quick-kfrag (the guest
#             fragmented for kdump, 1 run)
#   --extended
#             (make bench-extended) also the baseline with all zones
#             ("seedall") on the fragmented and page-cache-full guests, and
#             the 3 GiB guest (no ZONE_NORMAL): 6 more minutes
#   --runs N  runs per scenario and size (default: the table's, 5)
#   --groups G1,G2
#             only these groups of the table (e.g. bench-2g-kfrag), in
#             full mode
#
# For each suite: builds lazy_cma.ko and the baseline lazy_cma_seed.ko
# (scripts/build-module.sh, W=1 clean, into build/bench/SUITE/), the guest
# programs frag and benchalloc (make -C tests/bench, build/bench/bin/), then
# runs the groups of tests/bench/groups through tests/vm/run.sh -f (so the
# QEMU lock, time limits and the retry of a hung boot apply), and writes
#   build/bench/alloc-SUITE.json   every run, per-cell medians, ratios, targets
#   build/bench/alloc-SUITE.md     the table (a Markdown fragment)
# (alloc-quick-SUITE.json and .md with --quick: a smoke test leaves the full
# results alone; alloc-groups-SUITE.* with --groups)
# and prints the TARGET lines. Guest logs: build/bench/vm-results/KVER/GROUP/.
# What is measured and how: tests/bench/guest/t_bench_alloc.sh,
# tests/bench/report.awk, tests/bench/frag.c, tests/bench/README.md.
#
# Exit status: 0 when every suite produced measurements (a missed target is
# reported, not an error), 1 when a build, a guest or the parsing failed,
# 2 on a bad command line.
#
# Environment: LAZY_KDUMP_CACHE (scripts/common.sh), LAZY_VM_RETRIES,
# LAZY_VM_BOOT_TIMEOUT (tests/vm/run.sh), LAZY_VM_CPU (the guests' CPU
# model; default qemu64, tests/vm/qemu-run.sh says why).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

quick=0 runs='' extended=0 only=''
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--extended) extended=1 ;;
	--groups)
		only=${2-}
		[[ $only =~ ^[a-z0-9-]+(,[a-z0-9-]+)*$ ]] || die "--groups needs a comma-separated list of group names"
		shift
		;;
	--runs)
		runs=${2-}
		[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number"
		shift
		;;
	--runs=*)
		runs=${1#--runs=}
		[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number"
		;;
	-h | --help) usage 0 ;;
	-*) usage 2 >&2 ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage 2 >&2
for s in "$@"; do
	series_of_suite "$s" >/dev/null || die "unknown suite '$s' (use bookworm, trixie or trixie-backports)"
done

out=$top/build/bench
mkdir -p "$out/logs"
: "${LAZY_VM_CPU:=qemu64}"
export LAZY_VM_CPU
if [ -n "$only" ]; then
	for g in ${only//,/ }; do
		grep -q "^${g}[[:space:]]*|" "$here/groups" || die "--groups: no group '$g' in ${here#"$top"/}/groups"
	done
	mode=full groups=$only prefix=alloc-groups
elif [ "$quick" = 1 ]; then
	mode=quick groups=bench-quick,bench-quick-kfrag prefix=alloc-quick
elif [ "$extended" = 1 ]; then
	mode=full groups=bench-6g-x,bench-6g-pcfull-x,bench-2g-kfrag,bench-3g prefix=alloc
else
	mode=full groups=bench-6g,bench-6g-pcfull,bench-2g-kfrag prefix=alloc
fi

# The group table, with benchruns= replaced and the time limits scaled
# when --runs is given.
table=$here/groups
if [ -n "$runs" ]; then
	table=$out/groups.runs$runs
	awk -F'|' -v runs="$runs" 'BEGIN { OFS = "|" }
		/^[[:space:]]*(#|$)/ { print; next }
		{
			old = 0
			if (match($5, /benchruns=[0-9]+/))
				old = substr($5, RSTART + 10, RLENGTH - 10) + 0
			if (old > 0) {
				sub(/benchruns=[0-9]+/, "benchruns=" runs, $5)
				if (runs > old)
					$2 = " " int(($2 + 0) * runs / old) " "
			}
			print
		}' "$here/groups" >"$table"
fi

start=$SECONDS
status=0 total_qemu=0
log "building the guest programs (make -C tests/bench)"
make -C "$here" O="$out/bin" >"$out/logs/make.log" 2>&1 ||
	die "make -C tests/bench failed (log: $out/logs/make.log)"

for suite in "$@"; do
	t0=$SECONDS
	d=$out/$suite
	mkdir -p "$d"
	log "$suite: building lazy_cma.ko and the baseline lazy_cma_seed.ko"
	if ! ours=$("$top/scripts/build-module.sh" "$suite" "$d" 2>"$d/build-ours.log" | grep '/lazy_cma\.ko$'); then
		log "$suite: building lazy_cma.ko failed (log: $d/build-ours.log)"
		status=1
		continue
	fi
	if ! seed=$(MODULE_SRC=$here/seed "$top/scripts/build-module.sh" "$suite" "$d" 2>"$d/build-seed.log" |
		grep '/lazy_cma_seed\.ko$'); then
		log "$suite: building lazy_cma_seed.ko failed (log: $d/build-seed.log)"
		status=1
		continue
	fi

	log "$suite: running $groups (tests/vm/run.sh -f ${table#"$top"/}; TAP in $out/logs/run-$mode-$suite.tap)"
	rc=0
	LAZY_CMA_KO=$ours \
		LAZY_VM_BINS="build/vm-static/lazy-cma build/vm-static/lazy-kdump build/bench/bin/benchalloc build/bench/bin/frag" \
		LAZY_VM_EXTRA="$seed:/lazy/bench/lazy_cma_seed.ko $here/guest/t_bench_alloc.sh:/lazy/tests/t_bench_alloc.sh" \
		LAZY_VM_RESULTS=$out/vm-results \
		"$top/tests/vm/run.sh" -f "$table" -g "$groups" "$suite" >"$out/logs/run-$mode-$suite.tap" 2>&1 || rc=$?
	grep -E '^not ok|^# [0-9]+ passed' "$out/logs/run-$mode-$suite.tap" | sed "s/^/$suite: /" >&2 || true
	[ "$rc" = 0 ] || status=1
	kver=$(sed -n "s/^# $suite: kernel \([^ ]*\) .*/\1/p" "$out/logs/run-$mode-$suite.tap" | head -n 1)
	if [ -z "$kver" ]; then
		log "$suite: no kernel version in $out/logs/run-$mode-$suite.tap"
		status=1
		continue
	fi

	inputs=()
	qemu_s=0
	for g in ${groups//,/ }; do
		f=$out/vm-results/$kver/$g/results.tap
		[ -f "$f" ] && inputs+=("$g" "$f")
		# Time in QEMU, every attempt (time waiting for the lock aside).
		q=$(sed -n 's/.*QEMU ran \([0-9]*\)\.[0-9] s$/\1/p' "$out/vm-results/$kver/$g/timings" 2>/dev/null |
			awk '{ s += $1 } END { print s + 0 }')
		qemu_s=$((qemu_s + q))
	done
	total_qemu=$((total_qemu + qemu_s))
	if ! {
		for ((i = 0; i < ${#inputs[@]}; i += 2)); do
			echo "GROUP ${inputs[i]}"
			cat "${inputs[i + 1]}"
		done
	} | awk -v suite="$suite" -v mode="$mode" -v qemu_s="$qemu_s" -v json="$out/$prefix-$suite.json" \
		-v md="$out/$prefix-$suite.md" -f "$here/report.awk" | sed "s/^/$suite: /"; then
		log "$suite: the report failed"
		status=1
		continue
	fi
	grep -q '"allocator"' "$out/$prefix-$suite.json" || {
		log "$suite: no measurements"
		status=1
	}
	log "$suite: $out/$prefix-$suite.json, $out/$prefix-$suite.md ($((SECONDS - t0)) s, of which $qemu_s s in QEMU)"
done
log "$mode mode, $*: $((SECONDS - start)) s, of which $total_qemu s in QEMU guests (the rest: builds, and waiting for other guests on the QEMU lock)"
exit "$status"
