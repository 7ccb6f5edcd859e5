#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# A boot-time crashkernel= reservation (the group boots with
# crashkernel=256M): lazy-kdump uses it when it is large enough, refuses a
# size it cannot hold with a message that says what to do, cannot resize it,
# and unload only unloads (the reservation stays, as the kernel made it).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require
grep -q 'crashkernel=256M' /proc/cmdline || skip_all "the group must boot with crashkernel=256M"
boot=$(cat /sys/kernel/kexec_crash_size)
is "$boot" $((256 << 20)) "the kernel reserved 256M at boot"
kd_run lazy-kdump status
is "$KD_RC" 3 "status exits 3: reserved but not armed"

kd_refused "--size 512M does not fit the 256M reservation: says so and how to fix it" \
	"boot-time crashkernel=" "256M" "crashkernel=512M" "without crashkernel=" -- lazy-kdump load --size 512M
is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "nothing loaded after the refusal"

kd_run lazy-kdump load
is "$KD_RC" 0 "load (auto) into the boot-time reservation exits 0" || { diag "$KD_OUT"; exit 1; }
diag "$KD_OUT"
kd_run lazy-kdump status
is "$KD_RC" 0 "status exits 0: armed"
case $KD_OUT in
*boot-time*) ok "status says the boot-time reservation is used" ;;
*) not_ok "status says the boot-time reservation is used"; diag "$KD_OUT" ;;
esac
is "$(kd_status_json boot_time_reservation)" true "status --json: boot_time_reservation true"
is "$(cat /sys/kernel/kexec_crash_loaded)" 1 "kexec_crash_loaded is 1"
is "$(cat /sys/kernel/kexec_crash_size)" "$boot" "the reservation is unchanged"
if [ -e /dev/lazy_cma ]; then
	is "$(lazy-cma list --json | grep -c '"name"')" 0 "no lazy_cma buffer was taken"
else
	ok "no lazy_cma buffer was taken (the module was not even loaded)"
fi
kd_refused "resize of a boot-time reservation: refused, says to change crashkernel= and reboot" \
	"boot-time" "reboot" -- lazy-kdump resize 300M
is "$(cat /sys/kernel/kexec_crash_loaded)" 1 "still loaded after the refused resize"

kd_run lazy-kdump unload
is "$KD_RC" 0 "unload exits 0" || diag "$KD_OUT"
is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "unload: kexec_crash_loaded 0"
is "$(cat /sys/kernel/kexec_crash_size)" "$boot" "unload: the boot-time reservation stays"
kd_run lazy-kdump status
is "$KD_RC" 3 "status exits 3 after unload"
