#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# A bound buffer never changes under a kexec load (tests/vm/kexec_race.c):
# shrink, grow and unbind racing kexec_file_load of a crash kernel into the
# buffer fail with EBUSY while the load is in flight; on a freshly loaded
# module, binding before the kexec lock is known gives ENOLCK.
# kexec_race prints the TAP lines itself.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

require_module
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
if [ ! -x /lazy/bin/kexec_race ]; then
	not_ok "/lazy/bin/kexec_race is in the initrd (make -C tests/vm)"
	exit 1
fi
# A fresh module has not been told where the kexec lock is.
fresh=
if rmmod lazy_cma 2>/dev/null; then
	check "load the module afresh" insmod /lazy/lazy_cma.ko || exit 1
	fresh=-f
else
	diag "lazy_cma could not be unloaded (in use): ENOLCK is not checked"
fi
/lazy/bin/kexec_race $fresh /lazy/vmlinuz /lazy/crash-initrd.cpio.gz
