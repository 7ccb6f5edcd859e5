#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The errors users will hit, each on its own, on a guest booted without
# crashkernel=: module missing, not root, /proc/kallsyms hidden, crash
# kernel or initrd missing or corrupt, size too small for the images, more
# than the machine has, more than the free memory, already armed. Each must
# exit 1 with a message that says what to do, and leave nothing reserved or
# half-loaded. Then unload: the memory comes back. (Lockdown and a
# boot-time crashkernel= have groups of their own.)
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
kd_nothing_left "nothing armed at boot" || exit 1

# --- module missing: modprobe lazy_cma fails ---
ko=/lib/modules/$(uname -r)/extra/lazy_cma.ko
if [ -e /dev/lazy_cma ]; then
	skip "module missing" "lazy_cma is loaded already"
elif [ ! -f "$ko" ]; then
	skip "module missing" "no $ko in this initrd"
else
	mv "$ko" /tmp/lazy_cma.ko.away
	kd_refused "module missing: load fails, says modprobe failed and to install the module" \
		"modprobe lazy_cma" "install the module" -- lazy-kdump load
	if [ -e /dev/lazy_cma ]; then not_ok "module missing: no /dev/lazy_cma appeared"; else ok "module missing: no /dev/lazy_cma appeared"; fi
	kd_nothing_left "module missing: nothing reserved or loaded"
	mv /tmp/lazy_cma.ko.away "$ko"
fi

# --- not root ---
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >>/etc/group
is "$(su -s /bin/sh nobody -c 'id -u' 2>&1)" 65534 "su runs commands as uid 65534"
kd_refused "not root: load fails and says to run it as root" \
	"must run as root" -- su -s /bin/sh nobody -c "PATH=$PATH lazy-kdump load"
kd_refused "not root: unload fails the same way" \
	"must run as root" -- su -s /bin/sh nobody -c "PATH=$PATH lazy-kdump unload"
kd_nothing_left "not root: nothing reserved or loaded"

# --- /proc/kallsyms hidden ---
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
kd_refused "kptr_restrict=2: load fails, says kallsyms hides addresses and how to fix it" \
	"kptr_restrict" "sysctl kernel.kptr_restrict=1" -- lazy-kdump load
echo "$kptr" >/proc/sys/kernel/kptr_restrict
kd_nothing_left "kptr_restrict=2: nothing reserved or loaded"
check "lazy-kdump loaded lazy_cma itself (modprobe): /dev/lazy_cma exists" test -e /dev/lazy_cma

# --- crash kernel or initrd missing or corrupt ---
head -c 1000000 /lazy/vmlinuz >/tmp/vmlinuz.truncated
head -c 100000 /lazy/crash-initrd.cpio.gz >/tmp/initrd.truncated
dd if=/dev/urandom of=/tmp/initrd.garbage bs=1024 count=256 2>/dev/null
kd_refused "kernel missing: named, with the option to fix" \
	/no/such/vmlinuz "--kernel" -- lazy-kdump load --kernel /no/such/vmlinuz
kd_refused "kernel not a bzImage: named and said" \
	/lazy/tests/tap.sh "not a bzImage" -- lazy-kdump load --kernel /lazy/tests/tap.sh
kd_refused "kernel truncated: named and said" \
	/tmp/vmlinuz.truncated "truncated" -- lazy-kdump load --kernel /tmp/vmlinuz.truncated
kd_refused "initrd missing: named, with the option to fix" \
	/no/such/initrd.img "--initrd" -- lazy-kdump load --initrd /no/such/initrd.img
kd_refused "initrd truncated: named and said" \
	/tmp/initrd.truncated "truncated" -- lazy-kdump load --initrd /tmp/initrd.truncated
kd_refused "initrd not an initramfs: named, with the option to fix" \
	/tmp/initrd.garbage "--initrd" -- lazy-kdump load --initrd /tmp/initrd.garbage
kd_nothing_left "bad images: nothing reserved or loaded"

# --- size too small for the images ---
hard=$(kd_estimate_json hard_minimum)
auto=$(kd_estimate_json total)
cmp_ok "${hard:-0}" -gt $((16 << 20)) "the hard minimum ($hard bytes) is above 16M"
kd_refused "--size 16M: refused, naming the hard minimum ($((hard >> 20))M) and the auto size ($((auto >> 20))M)" \
	"cannot hold" "at least --size $((hard >> 20))M" "auto' ($((auto >> 20))M)" -- lazy-kdump load --size 16M
kd_nothing_left "--size 16M: nothing reserved or loaded"

# --- more than the machine has ---
kd_refused "--size 3G (more than this 2 GiB machine has): says the size is too large" \
	"larger than all memory" -- lazy-kdump load --size 3G
kd_nothing_left "--size 3G: nothing reserved or loaded"

# --- not enough free memory: most of it taken by tmpfs files (shmem that
# cannot be reclaimed without swap), then ask for more than is left ---
free0=$(free_kb)
hog=$((free0 / 1024 - 256))
mkdir -p /tmp/hog
mount -t tmpfs -o size="$((hog + 16))m" hog /tmp/hog
dd if=/dev/zero of=/tmp/hog/fill bs=1M count="$hog" 2>/dev/null
left=$(($(free_kb) / 1024))
diag "took $(($(stat -c %s /tmp/hog/fill) >> 20)) MiB with a tmpfs file: ${left} MiB free"
want=$((left + 128))
kd_refused "--size ${want}M with ${left} MiB free: says no contiguous memory, how to compact or ask for less" \
	"no contiguous" "compact" "--size" -- lazy-kdump load --size "${want}M"
kd_nothing_left "--size ${want}M: nothing reserved or loaded"
umount /tmp/hog
cmp_ok "$(free_kb)" -ge $((free0 - $(free_slack_kb))) "MemFree is back after the failed load and the hog ($free0 kB before)"

# --- already armed, then unload gives everything back ---
cat /proc/iomem >/tmp/iomem.before
free0=$(free_kb)
kd_run lazy-kdump load
is "$KD_RC" 0 "load (auto) exits 0" || { diag "$KD_OUT"; exit 1; }
kd_is_armed "armed at the auto size" "$auto" || exit 1
cmp_ok $((free0 - $(free_kb))) -ge $((auto / 1024 - $(free_slack_kb))) "MemFree dropped by about the $((auto >> 20))M held"
kd_refused "already armed: load says so and points to resize and unload" \
	"already armed" "resize" "unload" -- lazy-kdump load
kd_is_armed "already armed: still armed as before" "$auto"
kd_run lazy-kdump unload
is "$KD_RC" 0 "unload exits 0" || diag "$KD_OUT"
diag "$KD_OUT"
kd_nothing_left "unload: status 3, kexec_crash_loaded 0, no reservation left"
if cmp -s /tmp/iomem.before /proc/iomem; then
	ok "unload: /proc/iomem is as before load"
else
	not_ok "unload: /proc/iomem is as before load"
	diag "$(diff /tmp/iomem.before /proc/iomem 2>&1 | head -n 20)"
fi
cmp_ok "$(free_kb)" -ge $((free0 - $(free_slack_kb))) "unload: MemFree is back ($free0 kB before load)"
kd_run lazy-kdump unload
is "$KD_RC" 0 "unload when not armed exits 0 (nothing to do)"
