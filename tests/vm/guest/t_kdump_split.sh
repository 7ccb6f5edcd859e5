#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# WORKING_MEMORY=split: the crash region holds only the crash kernel's
# images, its working memory is a second range bound as crashk_low_res.
# Bad values of the key are refused with nothing reserved; split arms,
# resizes and unloads; then memory is fragmented so that no window of the
# held auto size is free but two smaller ones are: held is refused with
# a message offering split, split arms in the two windows. That arming is
# panicked: crash_kdump_split.sh captures onto /dev/vda, host/check_kdump.sh
# reads the dump (the panic, and a pattern in a kernel allocation).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk
hostname lazy-split
diag "crash host name: $(hostname)"
mib=1048576
core=$(kd_estimate_json split_region)
work=$(kd_estimate_json split_working_memory)
total=$(kd_estimate_json total)
hard=$(kd_estimate_json hard_minimum)
diag "estimate: held total $((total / mib)) MiB; split: region $((core / mib)) MiB + working memory $((work / mib)) MiB"
is "$core" $((hard + 2 * mib)) "estimate --json: the split region is the hard minimum + 2 MiB"
cmp_ok "$((core + work))" -ge "$total" "estimate --json: split region + working memory hold the held total"
cmp_ok "$((core + work))" -le $((total + 4 * mib)) "estimate --json: ... within 4 MiB of it"

# --- bad values: a clear error, nothing reserved ---
kd_run lazy-kdump load --working-memory lent
is "$KD_RC" 2 "load --working-memory lent: a usage error (exit 2)"
case $KD_OUT in
*"Invalid working memory 'lent': expected held or split."*) ok "... saying what is expected" ;;
*) not_ok "... saying what is expected" && diag "$KD_OUT" ;;
esac
printf 'WORKING_MEMORY=lend\n' >/tmp/bad-wm.conf
kd_refused "WORKING_MEMORY=lend in the configuration: refused, naming the file and line" \
	"/tmp/bad-wm.conf:1" "WORKING_MEMORY must be held or split" -- \
	env LAZY_KDUMP_CONFIG=/tmp/bad-wm.conf lazy-kdump load
kd_nothing_left "after the bad values: nothing reserved or loaded"

# --- split arms, resizes, unloads ---
kd_run lazy-kdump load --working-memory split --append "lazy_kdump.host=$(hostname)"
is "$KD_RC" 0 "load --working-memory split exits 0" || diag "$KD_OUT"
diag "$KD_OUT"
kd_is_armed "split: armed, iomem has the crash region and the working memory" "$core" || exit 1
is "$(kd_status_json working_memory)" split "status --json: working_memory split"
is "$(kd_status_json low_len)" "$work" "status --json: the working memory has the estimated size"
is "$(lcma_json lazy-kdump-work crash_low)" true "lazy-cma lists lazy-kdump-work bound as crashk_low_res"
cs=$(cat /sys/kernel/kexec_crash_size)
cmp_ok "$cs" -ge "$core" "kexec_crash_size ($cs) covers the crash region"
kd_run lazy-kdump resize $(((core + work) / mib + 32))M
is "$KD_RC" 0 "split: resize to 32M more exits 0" || diag "$KD_OUT"
diag "$KD_OUT"
is "$(kd_status_json low_len)" $((work + 32 * mib)) "split: the working memory grew by 32M"
is "$(kd_status_json region_len)" "$core" "split: the crash region kept the images' size"
kd_is_armed "split: armed after the resize" "$core" || exit 1
kd_run lazy-kdump resize auto
is "$KD_RC" 0 "split: resize auto exits 0" || diag "$KD_OUT"
is "$(kd_status_json low_len)" "$work" "split: resize auto: the working memory back to the estimate"
kd_is_armed "split: armed after resize auto" "$core" || exit 1
check "split: lazy-kdump unload" lazy-kdump unload
kd_nothing_left "split: after unload nothing reserved or loaded, the working memory included"

# --- fragmented: no window of the held size, two smaller ones ---
# 8M buffers until MemAvailable is down to 300 MiB (taking all of it
# brings the OOM killer), sorted by address. Two runs of contiguous
# buffers are planned: one of 2a+1 buffers for the crash region, one of
# 2b+1 for the working memory, each bounded by held buffers. Every other
# buffer outside them is given back (8M holes between held ones), blockers
# of the held size take every window of that size left elsewhere, then
# the runs are given back whole, just before held and split try. Free
# fragments next to them are below 8M.
fill=/tmp/fillers
: >"$fill"
while [ "$(meminfo MemAvailable)" -gt $((300 * 1024)) ] &&
	a=$(lazy-cma alloc 8M --name t-frag 2>/dev/null); do
	echo "$a" >>"$fill"
done
nf=$(grep -c . "$fill")
diag "filled with $nf buffers of 8M; MemAvailable $(meminfo MemAvailable) kB"
# "index address(decimal) address(hex)", by address.
while read -r a; do echo "$((a)) $a"; done <"$fill" | sort -n |
	awk '{ printf "%d %s %s\n", NR - 1, $1, $2 }' >/tmp/fillers.sorted
# runs K: the first index i (odd) where buffers i .. i+K-1 are contiguous,
# not touching the indexes in /tmp/used (and their neighbours).
: >/tmp/used
find_run() {
	awk -v k="$1" -v s=$((8 * mib)) '
		FILENAME == "/tmp/used" { used[$1] = 1; next }
		{ addr[$1] = $2 + 0; n = $1 + 1 }
		END {
			for (i = 1; i + k - 1 < n; i += 2) {
				good = 1
				for (j = i - 1; j <= i + k; j++) if (used[j]) good = 0
				for (j = i; j < i + k - 1 && good; j++) if (addr[j + 1] != addr[j] + s) good = 0
				if (good) { print i; exit }
			}
		}' /tmp/used /tmp/fillers.sorted
}
# Buffers a run of 2m+1 covers, for SIZE: the smallest odd count of 8M.
run_len() {
	local n=$((($1 + 8 * mib - 1) / (8 * mib)))
	[ $((n % 2)) = 1 ] || n=$((n + 1))
	echo "$n"
}
kc=$(run_len "$core")
kw=$(run_len "$work")
rc=$(find_run "$kc")
if [ -z "$rc" ]; then
	not_ok "a run of $kc contiguous 8M buffers for the crash region's window"
	diag "$(head -n 40 /tmp/fillers.sorted)"
	exit 1
fi
seq $((rc - 1)) $((rc + kc)) >>/tmp/used
rw=$(find_run "$kw")
if [ -z "$rw" ]; then
	not_ok "a run of $kw contiguous 8M buffers for the working memory's window"
	exit 1
fi
seq $((rw - 1)) $((rw + kw)) >>/tmp/used
ok "windows planned: $((kc * 8))M at buffer $rc, $((kw * 8))M at buffer $rw (held total $((total / mib))M)"
cmp_ok $((kc * 8 + 2 * 8)) -lt $((total / mib)) "the larger window, with fragments on both sides, is below the held total"
# in_run I: buffer I is in one of the two runs.
in_run() {
	{ [ "$1" -ge "$rc" ] && [ "$1" -lt $((rc + kc)) ]; } ||
		{ [ "$1" -ge "$rw" ] && [ "$1" -lt $((rw + kw)) ]; }
}
# Every other buffer given back, the runs' kept for now (memory the kernel
# gets back is soon used by it, unmovably too: the windows are opened
# only just before arming).
while read -r i _ a; do
	if [ $((i % 2)) = 1 ] && ! in_run "$i"; then lazy-cma free "$a"; fi
done </tmp/fillers.sorted
# take_blockers TRIES: blockers of the held size until TRIES attempts in a
# row fail; prints how many were taken. One failure does not prove there
# is no window left: screening rules out a pageblock with a page that is
# off the LRU for a moment (just faulted in, in a per-CPU batch, or a
# reclaimable slab page), and the sweep may be cut short by sweep_ms
# before it reaches that window. CI once saw the held load take a window
# at 68M that the blocker before it had missed (trixie, 2026-12-07).
take_blockers() {
	local fails=0 n=0 a
	while [ "$fails" -lt "$1" ]; do
		if a=$(lazy-cma alloc "$((total / mib))M" --name t-block 2>/tmp/block.err); then
			echo "$a" >>/tmp/blockers
			n=$((n + 1))
			fails=0
		else
			fails=$((fails + 1))
			sleep 1
		fi
	done
	echo "$n"
}
# Page cache and reclaimable slab dropped, pending LRU batches drained and
# movable pages compacted away from the free memory the fill left: what
# could hide a window of the held size from the blockers.
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	[ ! -w /proc/sys/vm/compact_memory ] || echo 1 >/proc/sys/vm/compact_memory
}
settle
: >/tmp/blockers
nb=$(take_blockers 2)
diag "every other filler given back; $nb blocker(s) of $((total / mib))M took the windows left ($(cat /tmp/block.err)); MemAvailable $(meminfo MemAvailable) kB"
# Open the runs: all their buffers given back.
freed=0
while read -r i _ a; do
	if in_run "$i"; then lazy-cma free "$a" && freed=$((freed + 1)); fi
done </tmp/fillers.sorted
# The kernel's next unmovable allocations fall back to the largest free
# blocks most recently freed: the windows (6.1 lost 20M of its 88M one so).
# Four more buffers away from the runs, given back last, take them.
: >/tmp/sacrificed
sort -rn /tmp/fillers.sorted | while read -r i _ a; do
	[ $((i % 2)) = 0 ] || continue
	in_run "$i" || in_run $((i - 1)) || in_run $((i + 1)) && continue
	[ "$(grep -c . /tmp/sacrificed)" -lt 4 ] || break
	lazy-cma free "$a" && echo "$i" >>/tmp/sacrificed
done
diag "opened the two windows ($freed buffers given back, then $(grep -c . /tmp/sacrificed) away from them); MemAvailable $(meminfo MemAvailable) kB"
# A last round just before held tries: a window of the held size that
# appeared since (memory the kernel gave back) is taken too. The two
# windows, with the fragments beside them, are smaller than a blocker.
nb=$(take_blockers 1)
diag "$nb more blocker(s) just before held tries"

kd_refused "fragmented, held: no window of the auto size, refused; the message offers split" \
	"No contiguous" "is free" "--working-memory split" "two smaller windows" -- \
	lazy-kdump load --working-memory held
largest=$(printf '%s' "$KD_OUT" | sed -n 's/.*the largest usable window was \([0-9]*\) MiB.*/\1/p' | head -n 1)
cmp_ok "${largest:-999999}" -lt $((total / mib)) "the module's largest usable window (${largest:-?} MiB) is below the held size: the guest is fragmented for held"
cmp_ok "${largest:-0}" -ge $((core / mib)) "... and at least the crash region's $((core / mib)) MiB"
kd_no_own_buffers "after the refusal"
is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "after the refusal: no crash kernel loaded"

kd_run lazy-kdump load --working-memory split --append "lazy_kdump.host=$(hostname)"
is "$KD_RC" 0 "fragmented, split: load exits 0 (two smaller windows)" || diag "$KD_OUT"
diag "$KD_OUT"
kd_is_armed "fragmented, split: armed" "$core" || exit 1
# The two ranges need not be the planned windows: smaller free windows
# may be left beside the blockers; what counts is that none was as large
# as the held size (the refusal's largest window, above) and that split
# armed in two.
# The fillers hold stale data the dump would carry: give them back.
while read -r i _ a; do
	if [ $((i % 2)) = 0 ] && ! in_run "$i" && ! grep -qx "$i" /tmp/sacrificed; then
		lazy-cma free "$a"
	fi
done </tmp/fillers.sorted
while read -r a; do lazy-cma free "$a"; done </tmp/blockers
n=$(lazy-cma list --json | grep -c -e '"name": "t-frag"' -e '"name": "t-block"')
is "$n" 0 "the fillers and blockers are given back"
kd_memory_pattern
diag "panic at epoch $(date +%s)"
kd_mark "panic"
crash_now
