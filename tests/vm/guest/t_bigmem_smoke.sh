#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness smoke test: a guest with more than 4 GiB has ZONE_NORMAL and RAM
# above 4 GiB in /proc/iomem.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

cmp_ok "$(zone_pages Normal present)" -gt 0 "/proc/zoneinfo: Normal zone is populated"
high=0
for r in $(iomem_ranges "System RAM" | awk '{ print $2 }'); do
	[ $((0x$r)) -ge $((0x100000000)) ] && high=$((high + 1))
done
cmp_ok "$high" -ge 1 "/proc/iomem has System RAM above 0x100000000"
iomem_ranges "System RAM" | sed 's/^/System RAM /' | while read -r l; do diag "$l"; done
