#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The debug kernel's detectors fire and the rig sees them (debug-selftest
# group, debug and kcsan suites only): lkdtm provokes a KASAN use-after-free
# (on the kcsan kernel, the kernel's own KCSAN test, kcsan_test, provokes a
# data race instead), a DEBUG_LIST corruption and a KFENCE use-after-free,
# and the reports must be in dmesg. This test does NOT call allow_kernel_warnings: /init must add
# "not ok - t_debug_selftest: kernel warning or oops in dmesg", and
# tests/vm/check-debug.sh requires that line (and finds the reports in the
# console log) as the proof that a detector report fails a test.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

case $(uname -r) in
*-lazydebug) kcsan=0 ;;
*-lazykcsan) kcsan=1 ;;
*) skip_all "not a debug kernel (scripts/build-debug-kernel.sh)" ;;
esac
provoke=/sys/kernel/debug/provoke-crash/DIRECT
# lazy_cma first: the console scan passes over reports of a kernel that
# had not loaded it yet (booting), so these must come after it.
lsmod | grep -q '^lazy_cma ' || check "insmod lazy_cma.ko (the reports come after it)" insmod /lazy/lazy_cma.ko
check "modprobe lkdtm" modprobe lkdtm || exit 1
check "lkdtm's $provoke exists" test -w "$provoke" || exit 1
check "lockdep is on (/proc/lockdep_stats)" test -r /proc/lockdep_stats
is "$(sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats)" 1 "lockdep has found nothing before the test (debug_locks: 1)"
check "KFENCE is on (/sys/kernel/debug/kfence/stats)" grep -q 'enabled: 1' /sys/kernel/debug/kfence/stats

# provoke TYPE PATTERN WHAT: trigger lkdtm's TYPE, expect PATTERN in dmesg.
provoke() {
	echo "$1" >"$provoke" 2>/dev/null
	if dmesg | grep -q "$2"; then
		ok "$3: dmesg has '$2'"
	else
		not_ok "$3: dmesg has '$2'"
		dmesg | tail -n 20 | sed 's/^/#   /'
	fi
}
if [ "$kcsan" = 1 ]; then
	# KUnit runs a module's suites when it loads; only test_basic (a
	# plain write racing a plain read, each case a few seconds).
	check "KCSAN is on (/sys/kernel/debug/kcsan)" grep -q 'enabled: 1' /sys/kernel/debug/kcsan
	check "KCSAN's boot self-test passed" sh -c "dmesg | grep -q 'kcsan: selftest: .* passed'"
	# No newline: a charp parameter keeps it, and the glob would then
	# match nothing.
	printf 'kcsan.test_basic' >/sys/module/kunit/parameters/filter_glob
	modprobe kcsan_test >/tmp/kcsan_test.out 2>&1
	if dmesg | grep -q 'BUG: KCSAN: data-race in test_kernel_'; then
		ok "KCSAN reports kcsan_test's test_basic race: dmesg has 'BUG: KCSAN: data-race in test_kernel_'"
	else
		not_ok "KCSAN reports kcsan_test's test_basic race: dmesg has 'BUG: KCSAN: data-race in test_kernel_'"
		dmesg | tail -n 20 | sed 's/^/#   /'
	fi
else
	provoke READ_AFTER_FREE 'BUG: KASAN: slab-use-after-free' "KASAN reports lkdtm READ_AFTER_FREE"
fi
provoke CORRUPT_LIST_ADD 'list_add corruption' "DEBUG_LIST reports lkdtm CORRUPT_LIST_ADD"
provoke KFENCE_READ_AFTER_FREE 'BUG: KFENCE: use-after-free' "KFENCE reports lkdtm KFENCE_READ_AFTER_FREE"
exit 0
