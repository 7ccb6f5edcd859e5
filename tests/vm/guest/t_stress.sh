#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# /dev/lazy_cma under concurrency (tests/vm/stress_test.c): worker processes
# allocate, resize, list, map and free their own buffers and attack each
# other's; then open/ioctl/close loops race against delete_module and
# finit_module of /lazy/lazy_cma.ko. stress_test prints the TAP lines
# itself; this script fails when either run failed.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

ko=/lazy/lazy_cma.ko
if [ ! -d /sys/module/lazy_cma ]; then
	[ -f "$ko" ] ||
		skip_all "no lazy_cma.ko in this initrd (module not built for $(uname -r))"
	check "insmod $ko" insmod "$ko" || exit 1
fi
if [ ! -x /lazy/bin/stress_test ]; then
	not_ok "/lazy/bin/stress_test is in the initrd (make -C tests/vm)"
	exit 1
fi

rc=0
/lazy/bin/stress_test || rc=1
# Four processes asking for the same 2 MiB windows at once (concurrent
# alloc_contig_range() calls on the same pageblocks).
/lazy/bin/stress_test --window-race -n 4 -r 150 || rc=1
if [ -f "$ko" ]; then
	/lazy/bin/stress_test --unload-race "$ko" || rc=1
else
	skip "unload race" "no $ko to re-insert the module from"
fi
exit "$rc"
