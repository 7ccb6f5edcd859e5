#!/usr/bin/env bash
# The debug-kernel tier (make check-debug): the VM test groups under a 6.12
# kernel built from Debian's source with KASAN, KFENCE, lockdep, DEBUG_VM,
# DEBUG_LIST, DEBUG_OBJECTS and DEBUG_ATOMIC_SLEEP; fails on any report.
# With -k (make check-kcsan): the same with the data-race detector KCSAN
# instead of KASAN (scripts/build-debug-kernel.sh --kcsan); a race counts
# when one of its two stacks passes through lazy_cma (a race inside the
# kernel alone is listed, not counted: tests/vm/guest/dmesg-bad.awk,
# tests/vm/detector-reports.awk).
#
# Usage: tests/vm/check-debug.sh [-k] [-g GROUP,...]
#   -k         the KCSAN kernel (suite kcsan) instead of the KASAN one
#              (suite debug)
#   -g GROUPS  the groups to run (default: $LAZY_DEBUG_GROUPS, else the
#              module and kdump groups listed below)
#
# 1. scripts/build-debug-kernel.sh: builds the kernel once (cached).
# 2. The detector self-test: tests/vm/run.sh -g debug-selftest SUITE. Its
#    guest provokes KASAN (-k: KCSAN, with the kernel's kcsan_test),
#    DEBUG_LIST and KFENCE reports with lkdtm; the
#    guest's own dmesg check (tests/vm/guest/init) must fail the test for
#    them and the console scan below must find them. Otherwise the tier
#    could not see a report, and it stops here.
# 3. tests/vm/run.sh -g GROUPS SUITE, with the timeouts multiplied
#    (LAZY_VM_TIMEOUT_FACTOR), a longer boot limit, kasan_multi_shot (every
#    KASAN report, not only the first) and a larger crash region for
#    t_crash.sh (the crash kernel is this kernel: KASAN shadow, lockdep).
# 4. Every console log of those guests (main and crash kernel, retried
#    attempts too) is scanned for detector reports; each report goes to
#    build/vm-results/KVER/detector-reports.txt with its log's path, and any
#    report fails the tier, whether the guest's dmesg check saw it or not
#    (a report while booting or in the crash kernel only makes a note there).
#
# TAP on stdout (run.sh's streams, then this script's own lines); exit
# status 1 when anything failed.
#
# Environment:
#   LAZY_DEBUG_GROUPS       default groups (see -g)
#   LAZY_VM_TIMEOUT_FACTOR  group timeout multiplier (default 4)
#   LAZY_VM_BOOT_TIMEOUT    seconds until /init must report (default 150)
#   LAZY_VM_APPEND          kernel command line words for every guest
#                           (default: kasan_multi_shot no5lvl
#                           LAZY_CRASH_SIZE=384M KDUMP_SIZE=384M:
#                           lazy-kdump's auto size is calibrated on Debian's
#                           kernels; this one's crash kernel, with KASAN's
#                           shadow and lockdep, did not boot in the 94M it
#                           gives. no5lvl, which the crash kernel inherits:
#                           with 5-level paging (TCG's -cpu max has LA57)
#                           6.12's generic KASAN takes its shadow bounds from
#                           pgtable_l5_enabled(), i.e. X86_FEATURE_LA57,
#                           which identify_cpu() clears and detects again
#                           at boot; an interrupt in that window, as a crash
#                           kernel gets from the devices the panicked kernel
#                           left running, makes KASAN report every access
#                           to the direct map as "wild-memory-access" and
#                           the kernel never reaches init)
#   LAZY_VM_RESULTS, LAZY_KDUMP_CACHE: see tests/vm/run.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

groups=${LAZY_DEBUG_GROUPS:-module,module-numa,module-high,module-cxl,module-sweep,module-fuzz,kdump,kdump-errors,kdump-high,kdump-hotplug}
suite=debug
while getopts g:kh opt; do
	case $opt in
	g) groups=$OPTARG ;;
	k) suite=kcsan ;;
	h) usage 0 ;;
	*) usage 2 >&2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage 2 >&2

export LAZY_VM_TIMEOUT_FACTOR=${LAZY_VM_TIMEOUT_FACTOR:-4}
export LAZY_VM_BOOT_TIMEOUT=${LAZY_VM_BOOT_TIMEOUT:-150}
export LAZY_VM_APPEND=${LAZY_VM_APPEND-kasan_multi_shot no5lvl LAZY_CRASH_SIZE=384M KDUMP_SIZE=384M}
# lkdtm for the self-test; the rest is built in (mkinitrd.sh notes it).
# kcsan_test (KUnit) provokes the self-test's data race on the KCSAN kernel;
# shipped, not loaded at boot (+): loading it runs its suite.
if [ "$suite" = kcsan ]; then
	export LAZY_VM_MODULES=${LAZY_VM_MODULES-virtio_pci virtio_blk ext4 lkdtm +kcsan_test}
else
	export LAZY_VM_MODULES=${LAZY_VM_MODULES-virtio_pci virtio_blk ext4 lkdtm}
fi
results=${LAZY_VM_RESULTS:-$top/build/vm-results}
mkdir -p "$results"
results=$(cd "$results" && pwd)
export LAZY_VM_RESULTS=$results

# Detector reports: the first line of each. KASAN, KCSAN, KFENCE and most
# lockdep reports start with "BUG:" or "WARNING:" (WARN() and DEBUG_OBJECTS'
# ODEBUG and DEBUG_LIST's corruption messages print one too); the rest are
# named. A superset of the pattern of the guest's dmesg check
# (tests/vm/guest/dmesg-bad.awk).
report_re='BUG:|WARNING:|KASAN:|KFENCE:|ODEBUG:|list_(add|del) corruption|Oops|general protection fault|kernel BUG at|Bad page state|INFO: trying to register non-static key|turning off the locking correctness validator|UBSAN:|refcount_t:|INFO: task .* blocked|soft lockup|rcu: INFO:|RCU stall'

# reports LOG: the detector reports of LOG (detector-reports.awk): a report
# of a kernel that had not loaded lazy_cma yet is marked with $pre_tag, a
# KCSAN race that no stack of lazy_cma takes part in with $race_tag; both
# are listed but do not fail the tier.
pre_tag='[before lazy_cma]'
race_tag='[race without lazy_cma]'
reports() {
	awk -v f="$1" -v re="$report_re" -v tag="$pre_tag" -v rtag="$race_tag" \
		-f "$here/detector-reports.awk" "$1"
}

failed=0
t0=$SECONDS
build=("$top/scripts/build-debug-kernel.sh")
[ "$suite" = debug ] || build+=(--kcsan)
kdir=$("${build[@]}" | tail -n 1) || die "the $suite kernel did not build"
KVER=''
# shellcheck source=/dev/null
. "$kdir/info"
echo "# debug kernel $KVER ($kdir), ready after $((SECONDS - t0)) s"

# 2. The self-test: its guest must fail with the reports, and the scan must
# find them.
t0=$SECONDS
self=$("$here/run.sh" -g debug-selftest "$suite" 2>&1) || true
cp "$results/$suite.tap" "$results/$suite-selftest.tap" 2>/dev/null || true
printf '%s\n' "$self" | sed 's/^/# selftest: /'
self_log=$results/$KVER/debug-selftest/console.log
proof=1
if ! grep -q 'not ok .*t_debug_selftest: kernel warning or oops in dmesg' <<<"$self"; then
	echo "not ok - the guest's dmesg check did not fail t_debug_selftest on the provoked reports"
	proof=0
fi
# Whole output first: grep -q quitting early would make the pipeline fail
# (SIGPIPE under pipefail).
self_reports=''
[ ! -r "$self_log" ] || self_reports=$(reports "$self_log")
det=KASAN first='BUG: KASAN: slab-use-after-free'
[ "$suite" = debug ] || det=KCSAN first='BUG: KCSAN: data-race in test_kernel_'
for p in "$first" 'list_add corruption' 'BUG: KFENCE: use-after-free'; do
	if grep '^/' <<<"$self_reports" | grep -vF ": $pre_tag " | grep -qF "$p"; then
		echo "ok - the console scan finds '$p' in the self-test's log (after lazy_cma was loaded)"
	else
		echo "not ok - the console scan does not find '$p' in $self_log"
		proof=0
	fi
done
# kcsan_test's race is the kernel's own: listed, not counted against
# lazy_cma (a race of lazy_cma's would be: tests/unit/test-detector-scan.sh).
if [ "$suite" = kcsan ]; then
	if grep '^/' <<<"$self_reports" | grep -F "$first" | grep -qF ": $race_tag "; then
		echo "ok - the console scan lists kcsan_test's race as one without lazy_cma (not counted)"
	else
		echo "not ok - the console scan counted kcsan_test's race as lazy_cma's"
		proof=0
	fi
fi
if [ "$(grep -c '^ok .*debug-selftest: \(KASAN\|KCSAN\|DEBUG_LIST\|KFENCE\) reports' <<<"$self")" -ne 3 ]; then
	echo "not ok - the self-test guest did not see all three reports (see above)"
	proof=0
fi
echo "# debug-selftest: $((SECONDS - t0)) s"
if [ "$proof" = 0 ]; then
	echo "not ok - the debug tier cannot show that it sees detector reports; not running the groups"
	exit 1
fi
echo "ok - detector reports fail a test: $det, DEBUG_LIST and KFENCE provoked, seen by the guest's dmesg check and by the console scan"

# 3. The groups.
run_rc=0
"$top/tests/vm/run.sh" -g "$groups" "$suite" || run_rc=$?
[ "$run_rc" = 0 ] || failed=1

# 4. The console scan.
out=$results/$KVER/detector-reports.txt
: >"$out"
for g in ${groups//,/ }; do
	for log in "$results/$KVER/$g"/console.log "$results/$KVER/$g"/attempt*-console.log; do
		[ -r "$log" ] || continue
		r=$(reports "$log")
		if [ -z "$r" ]; then
			echo "ok - $suite/$g: no detector report in ${log#"$results/"}"
			continue
		fi
		printf '%s\n\n' "$r" >>"$out"
		heads=$(grep '^/' <<<"$r")
		pre=$(grep -cF ": $pre_tag " <<<"$heads" || true)
		races=$(grep -cF ": $race_tag " <<<"$heads" || true)
		ours=$(($(grep -c . <<<"$heads") - pre - races))
		if [ "$pre" -gt 0 ]; then
			echo "# note: $suite/$g: $pre report(s) in ${log#"$results/"} while the kernel booted, before lazy_cma was loaded (not the module's; in $out)"
		fi
		if [ "$races" -gt 0 ]; then
			echo "# note: $suite/$g: $races KCSAN race(s) in ${log#"$results/"} with no lazy_cma frame in either stack (the kernel's own; in $out)"
		fi
		if [ "$ours" -eq 0 ]; then
			echo "ok - $suite/$g: no detector report of lazy_cma's in ${log#"$results/"}"
			continue
		fi
		failed=1
		echo "not ok - $suite/$g: $ours detector report(s) in $log (all: $out)"
		grep -vF -e ": $pre_tag " -e ": $race_tag " <<<"$heads" | head -n 10 | sed "s|^$results/|#   |"
	done
done
[ -s "$out" ] || rm -f "$out"
if [ "$failed" = 0 ]; then
	echo "# $suite tier: passed (groups: $groups)"
else
	echo "# $suite tier: FAILED (groups: $groups; run.sh exit $run_rc${out:+; reports: $out})"
fi
[ "$failed" = 0 ]
