#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Allocation cost on an idle guest and on one whose page cache fills most
# of memory: every allocation must succeed; the time and the number of
# alloc_contig_range() attempts are reported (never asserted: TCG timings
# are noisy).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

require_module
# measure STATE [MAY_FAIL_FROM]: allocate 64M, 256M and 1G. On a full guest
# genuine fragmentation (buffer heads and other slab scattered among the
# cached pages) can leave no 1 GiB window: from MAY_FAIL_FROM bytes on, a
# refusal is accepted when it is the documented one (ENOMEM, fast, with
# the largest usable window in the kernel log).
measure() {
	local state=$1 may_fail=${2:-0} s addr err
	for s in 64M 256M 1G; do
		if addr=$(lazy-cma alloc "$s" --name "t-perf-$s" 2>/tmp/perf.err); then
			ok "$state: allocate $s"
			diag "perf $(uname -r) $state $s: $(lcma_json "t-perf-$s" alloc_ns) ns, $(lcma_json "t-perf-$s" alloc_attempts) attempt(s), zone $(lcma_json "t-perf-$s" zone)"
			lazy-cma free "$addr"
		elif [ "$may_fail" -gt 0 ] && [ "$(size_bytes "$s")" -ge "$may_fail" ] &&
			grep -q "$(errno_text ENOMEM)" /tmp/perf.err &&
			dmesg | grep -q "no contiguous [0-9]* MiB for t-perf-$s"; then
			err=$(dmesg | grep "no contiguous .* for t-perf-$s" | tail -n 1)
			ok "$state: $s refused with ENOMEM and the reason logged (${err##*: })"
			diag "perf $(uname -r) $state $s: no window (${err##*: })"
		else
			not_ok "$state: allocate $s"
			diag "$(cat /tmp/perf.err)"
		fi
	done
}
measure idle

disk=
for d in /dev/vda /dev/vdb; do [ -b "$d" ] && { disk=$d; break; }; done
[ -n "$disk" ] || skip_all "no virtio disk to fill the page cache from"
total=$(meminfo MemTotal)
# Hold the disk open: 6.1 drops a block device's page cache on last close.
exec 3<"$disk"
dd if="$disk" of=/dev/null bs=1M count=$((total * 85 / 100 / 1024)) 2>/dev/null
# A block device's page cache counts as Buffers, a file's as Cached.
cached=$(($(meminfo Cached) + $(meminfo Buffers)))
cmp_ok "$cached" -ge $((total * 60 / 100)) "the page cache fills most of memory (${cached} of ${total} kB)"
measure page-cache-full $((1 << 30))
