#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Random operation sequences on /dev/lazy_cma from several processes,
# checked against a model (tests/vm/fuzz_test.c), with kexec loads of a
# crash kernel, memory blocks offlined and onlined, kexec_crash_size writes
# and module unload attempts mixed in. Afterwards the module unloads.
# Kernel command line words (make fuzz sets them): fuzzops=N per process
# (default 300), fuzzprocs=N (4), fuzzseed=SEED (random; printed),
# fuzzsecs=N (the run's time limit, default 1200).
# fuzz_test prints the TAP lines itself.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

require_module
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
if [ ! -x /lazy/bin/fuzz_test ]; then
	not_ok "/lazy/bin/fuzz_test is in the initrd (make -C tests/vm)"
	exit 1
fi
# shellcheck disable=SC2154 # from the kernel command line
seed=${fuzzseed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
rc=0
# shellcheck disable=SC2154
/lazy/bin/fuzz_test -s "$seed" -n "${fuzzops:-300}" -p "${fuzzprocs:-4}" \
	-t "${fuzzsecs:-1200}" -k /lazy/vmlinuz -i /lazy/crash-initrd.cpio.gz || rc=$?
[ "$rc" -eq 0 ] || diag "rerun: fuzzseed=$seed fuzzops=${fuzzops:-300} fuzzprocs=${fuzzprocs:-4}"
check "the module unloads after the run" rmmod lazy_cma
check "and loads again" insmod /lazy/lazy_cma.ko
exit "$rc"
