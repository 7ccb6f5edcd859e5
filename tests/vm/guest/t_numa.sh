#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Two NUMA nodes (the CXL/PMEM case: memory picked by node): an allocation
# asked of a node lands in that node; an absent node is refused. The guest
# is booted with crashkernel=, so binding must refuse to touch the kernel's
# own reservation, whose shrinking stays the kernel's business.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

require_module
[ -d /sys/devices/system/node/node1 ] || skip_all "this guest has one NUMA node"
for n in 1 0; do
	addr=$(lazy-cma alloc 128M --node "$n" --name "t-node$n") || { not_ok "allocate 128M on node $n"; continue; }
	is "$(node_of_addr "$addr")" "$n" "node $n: the buffer at $addr lies in node $n's memory"
	is "$(node_of_addr $((addr + (128 << 20) - 1)))" "$n" "node $n: its last byte too"
	is "$(lcma_json "t-node$n" node)" "$n" "node $n: list shows node $n"
	check "node $n: free" lazy-cma free "$addr"
done
absent=2
while [ -d "/sys/devices/system/node/node$absent" ]; do absent=$((absent + 1)); done
expect_fail "an absent node ($absent) is refused" ENODEV lazy-cma alloc 16M --node "$absent"
expect_fail "lazy-cma refuses a negative node number" - lazy-cma alloc 16M --node -2

grep -q 'crashkernel=' /proc/cmdline || skip_all "booted without crashkernel="
boot=$(iomem_ranges "Crash kernel")
check "the kernel has a boot-time crash region ($boot)" test -n "$boot"
addr=$(lazy-cma alloc 64M --below-4g --name t-boot) || not_ok "allocate 64M"
expect_fail "binding is refused when crashkernel= reserved memory at boot" EEXIST lazy-cma bind "$addr"
is "$(iomem_ranges "Crash kernel")" "$boot" "the boot-time crash region is untouched"
check "free" lazy-cma free "$addr"
old=$(cat /sys/kernel/kexec_crash_size)
check "the kernel's own kexec_crash_size shrink still works (lazy_cma does not guard it)" \
	sh -c "echo $((old / 2)) > /sys/kernel/kexec_crash_size"
cmp_ok "$(cat /sys/kernel/kexec_crash_size)" -lt "$old" "kexec_crash_size shrank"
