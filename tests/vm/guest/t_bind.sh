#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Crash-kernel binding without crashkernel=: bind a buffer as crashk_res,
# the distribution's kexec -s -p loads into it, everything that would pull
# the pages from under a loaded crash kernel is refused, writes to
# /sys/kernel/kexec_crash_size never free our pages, a bound buffer can
# be resized while nothing is loaded, and unbinding restores the kernel's
# state exactly.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

require_module
grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
size=$((192 << 20))
is "$(cat /sys/kernel/kexec_crash_size)" 0 "no crash region before binding"
cat /proc/iomem >/tmp/iomem.before
addr=$(lazy-cma alloc 192M --below-4g --name t-crash) || { not_ok "allocate 192M below 4 GiB"; exit 1; }
cmp_ok "$((addr + size))" -le $((1 << 32)) "--below-4g lands below 4 GiB"
cat /proc/iomem >/tmp/iomem.alloc

check "bind it as the crash kernel region" lazy-cma bind "$addr" || exit 1
diag "$ grep -B1 -A1 'Crash kernel' /proc/iomem" "$(grep -B1 -A1 'Crash kernel' /proc/iomem)"
iomem_range_is "Crash kernel" "$addr" "$size" "/proc/iomem shows 'Crash kernel' at exactly the buffer"
iomem_range_is t-crash "$addr" "$size" "the buffer's own name stays visible under it"
is "$(cat /sys/kernel/kexec_crash_size)" "$size" "/sys/kernel/kexec_crash_size reports its size"
is "$(lcma_json t-crash crash)" true "list shows it bound"
expect_fail "binding it twice is refused" EBUSY lazy-cma bind "$addr"

# kexec_crash_size: shrinking must not hand our pages to the page allocator.
free0=$(free_kb)
if echo 0 >/sys/kernel/kexec_crash_size 2>/dev/null; then
	not_ok "a write to kexec_crash_size is refused while lazy_cma owns the region"
else
	ok "a write to kexec_crash_size is refused while lazy_cma owns the region"
fi
echo $((64 << 20)) >/sys/kernel/kexec_crash_size 2>/dev/null || :
is "$(cat /sys/kernel/kexec_crash_size)" "$size" "kexec_crash_size is unchanged"
check "writing the current size to kexec_crash_size succeeds (a no-op)" \
	sh -c "echo $size >/sys/kernel/kexec_crash_size"
is "$(cat /sys/kernel/kexec_crash_size)" "$size" "... and changes nothing"
iomem_range_is "Crash kernel" "$addr" "$size" "the crash region is unchanged in /proc/iomem"
cmp_ok $(($(free_kb) - free0)) -lt "$(free_slack_kb)" "no page of the region went back to the page allocator"

load_crash_kernel || exit 1
is "$(cat /sys/kernel/kexec_crash_loaded)" 1 "/sys/kernel/kexec_crash_loaded is 1"
is "$(lcma_json t-crash loaded)" true "list shows a crash kernel loaded into it"
expect_fail "free is refused while a crash kernel is loaded" EBUSY lazy-cma free "$addr"
expect_fail "resize is refused while a crash kernel is loaded" EBUSY lazy-cma resize "$addr" 256M
expect_fail "unbind is refused while a crash kernel is loaded" EBUSY lazy-cma unbind "$addr"
expect_fail "module unload is refused while bound" - rmmod lazy_cma
if echo 0 >/sys/kernel/kexec_crash_size 2>/dev/null; then
	not_ok "kexec_crash_size cannot be written while loaded"
else
	ok "kexec_crash_size cannot be written while loaded"
fi
iomem_range_is "Crash kernel" "$addr" "$size" "the crash region is intact after all that"

check "unload the crash kernel (kexec -p -u)" kexec -p -u
is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "kexec_crash_loaded is 0 again"
expect_fail "free is refused while bound" EBUSY lazy-cma free "$addr"
check "unbind" lazy-cma unbind "$addr"
if cmp -s /tmp/iomem.alloc /proc/iomem; then
	ok "/proc/iomem is exactly as before the bind"
else
	not_ok "/proc/iomem is exactly as before the bind"
	diag "$(diff /tmp/iomem.alloc /proc/iomem 2>&1 | head -n 20)"
fi
is "$(cat /sys/kernel/kexec_crash_size)" 0 "kexec_crash_size is 0 again"
expect_fail "unbinding twice is refused" EINVAL lazy-cma unbind "$addr"

# A bound buffer follows a resize while no crash kernel is loaded.
check "bind again" lazy-cma bind "$addr"
new=$(lazy-cma resize "$addr" 256M) || not_ok "grow the bound buffer to 256M"
iomem_range_is "Crash kernel" "$new" $((256 << 20)) "the crash region follows the grow"
is "$(cat /sys/kernel/kexec_crash_size)" $((256 << 20)) "kexec_crash_size follows the grow"
addr=$new
new=$(lazy-cma resize "$addr" 192M) || not_ok "shrink the bound buffer back to 192M"
is "$new" "$addr" "shrinking keeps the address"
iomem_range_is "Crash kernel" "$addr" "$size" "the crash region follows the shrink"
is "$(cat /sys/kernel/kexec_crash_size)" "$size" "kexec_crash_size follows the shrink"
check "unbind after the resizes" lazy-cma unbind "$addr"
is "$(iomem_ranges 'Crash kernel')" "" "no 'Crash kernel' left in /proc/iomem"
check "free" lazy-cma free "$addr"
if cmp -s /tmp/iomem.before /proc/iomem; then
	ok "/proc/iomem is exactly as before the allocation"
else
	not_ok "/proc/iomem is exactly as before the allocation"
	diag "$(diff /tmp/iomem.before /proc/iomem 2>&1 | head -n 20)"
fi

# Kprobes switched off in debugfs: the kprobe cannot refuse a shrink, but
# bound pages are reserved memory like a crashkernel= region's, so the
# kernel's own shrink frees only what it takes, and the module follows.
kp=/sys/kernel/debug/kprobes/enabled
if [ -w "$kp" ]; then
	addr=$(lazy-cma alloc 64M --below-4g --name t-kprobe) || not_ok "allocate 64M"
	check "bind it" lazy-cma bind "$addr"
	free0=$(free_kb)
	echo 0 >"$kp"
	check "with kprobes off, the kernel shrinks the region to 32M" \
		sh -c "echo $((32 << 20)) >/sys/kernel/kexec_crash_size"
	echo 1 >"$kp"
	is "$(cat /sys/kernel/kexec_crash_size)" $((32 << 20)) "kexec_crash_size says 32M"
	freed=$(($(free_kb) - free0))
	cmp_ok "$freed" -ge $((32 * 1024 - $(free_slack_kb))) "about 32 MiB went back to the page allocator ($freed kB)"
	cmp_ok "$freed" -le $((32 * 1024 + $(free_slack_kb))) "... and no more"
	is "$(lcma_json t-kprobe len)" $((32 << 20)) "list shows the buffer shrunk to 32M"
	iomem_range_is t-kprobe "$addr" $((32 << 20)) "/proc/iomem names 32M"
	echo 0 >"$kp"
	check "with kprobes off, the kernel takes the rest" \
		sh -c "echo 0 >/sys/kernel/kexec_crash_size"
	echo 1 >"$kp"
	is "$(lcma_json t-kprobe len)" "" "the buffer is gone from the list"
	is "$(iomem_ranges t-kprobe)" "" "... and from /proc/iomem"
	is "$(iomem_ranges 'Crash kernel')" "" "no 'Crash kernel' left"
	freed=$(($(free_kb) - free0))
	cmp_ok "$freed" -ge $((64 * 1024 - $(free_slack_kb))) "all 64 MiB went back ($freed kB)"
	check "module unload works: the binding was dropped" rmmod lazy_cma
	check "load the module again" insmod /lazy/lazy_cma.ko
else
	skip "kprobes switched off" "no writable $kp (debugfs)"
fi

# Bound, nothing loaded: the module stays pinned; after unbinding it unloads.
addr=$(lazy-cma alloc 128M --below-4g --name t-pin) || not_ok "allocate 128M"
check "bind it" lazy-cma bind "$addr"
expect_fail "module unload is refused while a buffer is bound" - rmmod lazy_cma
check "unbind" lazy-cma unbind "$addr"
check "module unload works once nothing is bound" rmmod lazy_cma
is "$(iomem_ranges t-pin)" "" "unloading freed the buffer"
check "load the module again" insmod /lazy/lazy_cma.ko
