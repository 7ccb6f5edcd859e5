#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# A locked-down kernel (lockdown=integrity, as under Secure Boot) loads only
# crash kernels signed by a key it trusts: lazy-kdump must fail with a
# message about lockdown and signatures, and undo its reservation. Lockdown
# cannot be lifted: this test runs last in a group of its own.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
lock=/sys/kernel/security/lockdown
[ -e "$lock" ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
[ -e "$lock" ] || skip_all "no $lock (kernel without the lockdown LSM)"
case $(cat "$lock") in
*"[none]"*) ;;
*) skip_all "already locked down: $(cat "$lock")" ;;
esac

# The module must be in before lockdown: it is not signed.
check "modprobe lazy_cma before locking down" modprobe lazy_cma || exit 1
kd_make_unsigned /lazy/vmlinuz /tmp/vmlinuz-unsigned || { not_ok "make an unsigned copy of the kernel"; exit 1; }
# The unsigned copy is a good kernel: without lockdown it loads.
kd_run lazy-kdump load --kernel /tmp/vmlinuz-unsigned
is "$KD_RC" 0 "without lockdown the unsigned kernel loads" || diag "$KD_OUT"
kd_run lazy-kdump unload
is "$KD_RC" 0 "unload it" || diag "$KD_OUT"

echo integrity >"$lock"
case $(cat "$lock") in
*"[integrity]"*) ok "locked down: $(cat "$lock")" ;;
*) not_ok "locked down (echo integrity > $lock)"; diag "$(cat "$lock")"; exit 1 ;;
esac
kd_refused "locked down, unsigned crash kernel: load fails, says lockdown needs a signed kernel, and that it undid everything" \
	"locked down" "signed" "undone" -- lazy-kdump load --kernel /tmp/vmlinuz-unsigned
kd_nothing_left "locked down: nothing reserved or loaded"

# Debian's signed image: trusted only through the UEFI db (platform keyring),
# which a QEMU guest without Secure Boot does not have. Not asserted.
kd_run lazy-kdump load
diag "locked down, Debian's signed $(uname -r) image: exit $KD_RC" "$KD_OUT"
[ "$KD_RC" -ne 0 ] || lazy-kdump unload >/dev/null 2>&1
kd_nothing_left "locked down: nothing left after trying the signed image either"
