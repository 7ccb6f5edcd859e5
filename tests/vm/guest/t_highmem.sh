#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# A guest with memory above 4 GiB (ZONE_NORMAL) and a DIMM hot-plugged and
# onlined movable (ZONE_MOVABLE, the CXL case): zone preference, placement
# flags, and a crash region placed high with a low companion.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

require_module
four=$((1 << 32))
[ "$(zone_pages Normal present)" -gt 0 ] || skip_all "no memory above 4 GiB"

addr=$(lazy-cma alloc 512M --name t-any) || not_ok "allocate 512M"
cmp_ok "$((addr))" -ge "$four" "without flags, ZONE_NORMAL above 4 GiB is preferred to DMA32"
is "$(lcma_json t-any zone)" Normal "list shows ZONE_NORMAL"
lazy-cma free "$addr"
addr=$(lazy-cma alloc 512M --below-4g --name t-low) || not_ok "allocate 512M --below-4g"
cmp_ok "$((addr + (512 << 20)))" -le "$four" "--below-4g lands below 4 GiB"
is "$(lcma_json t-low zone)" DMA32 "in ZONE_DMA32"
lazy-cma free "$addr"
addr=$(lazy-cma alloc 512M --above-4g --name t-high) || not_ok "allocate 512M --above-4g"
cmp_ok "$((addr))" -ge "$four" "--above-4g lands above 4 GiB"
expect_fail "binding a buffer above 4 GiB as crashk_low_res is refused" EINVAL lazy-cma bind "$addr" --low
lazy-cma free "$addr"
expect_fail "lazy-cma refuses both placement flags" - lazy-cma alloc 16M --below-4g --above-4g

# A crash region placed high with its low companion, as crashkernel=X,high.
hi=$(lazy-cma alloc 192M --above-4g --name t-crash-high) || not_ok "allocate 192M above 4 GiB"
lo=$(lazy-cma alloc 64M --below-4g --name t-crash-low) || not_ok "allocate 64M below 4 GiB"
check "bind the high buffer as crashk_res" lazy-cma bind "$hi"
check "bind the low buffer as crashk_low_res" lazy-cma bind "$lo" --low
is "$(iomem_ranges 'Crash kernel' | wc -l)" 2 "/proc/iomem shows two 'Crash kernel' regions"
is "$(lcma_json t-crash-low crash_low)" true "list shows the low binding"
if load_crash_kernel; then
	is "$(cat /sys/kernel/kexec_crash_loaded)" 1 "a crash kernel loads into a high region with a low companion"
	check "unload it" kexec -p -u
fi
check "unbind the low buffer" lazy-cma unbind "$lo"
check "unbind the high buffer" lazy-cma unbind "$hi"
is "$(iomem_ranges 'Crash kernel')" "" "no 'Crash kernel' left in /proc/iomem"
lazy-cma free "$hi"
lazy-cma free "$lo"

# Hot-plugged memory onlined movable: buffers are long-lived and unmovable,
# so they stay out of ZONE_MOVABLE while a kernel zone can take them, and
# the DIMM's blocks can still be offlined (hot-unplug, virtio-mem).
hotplug_dimm 1G || exit 1
cmp_ok "$(zone_pages Movable present)" -gt 0 "the hot-plugged DIMM forms a ZONE_MOVABLE"
addr=$(lazy-cma alloc 256M --name t-movable) || not_ok "allocate 256M with a movable zone present"
zone=$(lcma_json t-movable zone)
case $zone in
Normal | DMA32) ok "without flags, a kernel zone takes the buffer ($zone), not ZONE_MOVABLE" ;;
*) not_ok "without flags, a kernel zone takes the buffer, not ZONE_MOVABLE (got $zone)" ;;
esac
blk=$(($(printf '%d' "$addr") / 0x$(cat /sys/devices/system/memory/block_size_bytes)))
case " $HOTPLUG_BLOCKS " in
*" memory$blk "*) not_ok "the buffer lies outside the hot-plugged DIMM (block memory$blk, DIMM: $HOTPLUG_BLOCKS)" ;;
*) ok "the buffer lies outside the hot-plugged DIMM" ;;
esac
off=0
for b in $HOTPLUG_BLOCKS; do
	timeout 60 sh -c "echo offline >/sys/devices/system/memory/$b/state" && off=$((off + 1))
done
is "$off" "$(echo "$HOTPLUG_BLOCKS" | wc -w)" "every block of the DIMM offlines while the buffer exists elsewhere"
for b in $HOTPLUG_BLOCKS; do
	echo online_movable >"/sys/devices/system/memory/$b/state" || not_ok "online_movable $b again"
done
check "free" lazy-cma free "$addr"
