#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness smoke test: a guest with two NUMA nodes sees both, each with memory.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

nodes=/sys/devices/system/node
check "node0 exists" test -d "$nodes/node0"
check "node1 exists" test -d "$nodes/node1" || exit 0
for n in 0 1; do
	kb=$(awk '$3 == "MemTotal:" { print $4 }' "$nodes/node$n/meminfo")
	cmp_ok "${kb:-0}" -gt $((512 * 1024)) "node$n has more than 512 MiB (MemTotal $kb kB)"
	cmp_ok "$(zone_pages DMA32 present "$n")$(zone_pages Normal present "$n")" -gt 0 \
		"node$n has a populated zone in /proc/zoneinfo"
done
