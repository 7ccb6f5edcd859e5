#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness smoke test of memory hot-plug: the host plugs a 1 GiB DIMM through
# the QEMU monitor, the guest onlines it as movable: ZONE_MOVABLE appears.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

[ -d /sys/devices/system/memory ] || skip_all "no memory hot-plug support in this kernel"
is "$(zone_pages Movable present)" 0 "no Movable zone before hot-plug"
before_kb=$(meminfo MemTotal)
hotplug_dimm 1G || exit 1
ok "1 GiB DIMM hot-plugged and onlined as movable"
present=$(zone_pages Movable present)
cmp_ok "$present" -eq $((1 << 30 >> 12)) "Movable zone has 1 GiB present ($present pages)"
cmp_ok "$(zone_pages Movable managed)" -gt 0 "Movable zone has managed pages"
after_kb=$(meminfo MemTotal)
cmp_ok $((after_kb - before_kb)) -eq $((1 << 20)) "MemTotal grew by 1 GiB ($before_kb -> $after_kb kB)"
