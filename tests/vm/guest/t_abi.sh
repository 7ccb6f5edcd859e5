#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The /dev/lazy_cma ABI, one documented errno or behaviour per case
# (tests/vm/abi_test.c): command encoding, ALLOC/RESIZE/FREE/LIST/CRASH_BIND/
# CRASH_UNBIND input errors, mmap rules, EPERM/EACCES for an unprivileged
# user, and nothing left behind (LIST, /proc/iomem, nr_free_pages).
# abi_test prints the TAP lines itself; this script exits with its status.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

if [ ! -d /sys/module/lazy_cma ]; then
	[ -f /lazy/lazy_cma.ko ] ||
		skip_all "no lazy_cma.ko in this initrd (module not built for $(uname -r))"
	check "insmod /lazy/lazy_cma.ko" insmod /lazy/lazy_cma.ko || exit 1
fi
if [ ! -x /lazy/bin/abi_test ]; then
	not_ok "/lazy/bin/abi_test is in the initrd (make -C tests/vm)"
	exit 1
fi
/lazy/bin/abi_test
