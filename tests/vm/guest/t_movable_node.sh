#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# A node with only ZONE_MOVABLE (CXL memory onlined movable, as the seed
# project's users have it): asked for that node, a buffer goes there, and
# the kernel log says what it costs; asked for a node with kernel zones, it
# stays out of ZONE_MOVABLE. The group gives node 2 no memory at boot and
# hot-plugs a DIMM into it.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

require_module
# Node 2 has no memory and no CPU: the kernel brings it online with the DIMM.
hotplug_dimm 512M 2 || exit 1
case $(cat /sys/devices/system/node/has_memory) in
*2*) ok "node 2 has memory after the hot-plug" ;;
*) not_ok "node 2 has memory after the hot-plug ($(cat /sys/devices/system/node/has_memory))"; exit 1 ;;
esac
addr=$(lazy-cma alloc 64M --node 2 --name t-cxl) || { not_ok "allocate 64M on the movable-only node 2"; exit 1; }
is "$(lcma_json t-cxl zone)" Movable "a node with nothing but ZONE_MOVABLE: the buffer goes there"
is "$(lcma_json t-cxl node)" 2 "... on node 2"
if dmesg | grep -q 't-cxl lies in ZONE_MOVABLE.*cannot be offlined until it is freed'; then
	ok "the kernel log says what a buffer in ZONE_MOVABLE costs"
else
	not_ok "the kernel log says what a buffer in ZONE_MOVABLE costs"
fi
a0=$(lazy-cma alloc 64M --node 0 --name t-node0) || not_ok "allocate 64M on node 0"
case $(lcma_json t-node0 zone) in
Movable) not_ok "on node 0, which has kernel zones, the buffer stays out of ZONE_MOVABLE" ;;
*) ok "on node 0, which has kernel zones, the buffer stays out of ZONE_MOVABLE" ;;
esac
check "free the node 2 buffer" lazy-cma free "$addr"
check "free the node 0 buffer" lazy-cma free "$a0"
