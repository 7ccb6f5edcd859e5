# shellcheck shell=dash
# kfrag.sh: a guest fragmented for kdump, shared by t_kdump_split.sh and
# the allocation benchmark's kfrag scenario (tests/bench/guest/
# t_bench_alloc.sh). Sourced after tap.sh (diag, meminfo), with lazy-cma
# in PATH.
#
# kfrag_setup CORE WORK HELD leaves no free window of HELD bytes (the held
# auto size) but two smaller ones, one for CORE (the split crash region)
# and one for WORK (its working memory):
#   - 4M buffers ("t-frag") until MemAvailable is down to 300 MiB (taking
#     all of it brings the OOM killer), sorted by address;
#   - two runs of contiguous buffers are planned, 2a+1 buffers for CORE and
#     2b+1 for WORK, each bounded by held buffers, each as long as it can
#     be with the 4M fragments on its sides still below HELD: the kernel's
#     own allocations may take a pageblock or two of a window before
#     arming (the bench saw 6.12's 72M window for a 66M region cut to 62M
#     when the runs were of 8M buffers and as short as they could be);
#   - every other buffer outside them is given back (4M holes between held
#     ones); caches are dropped and memory compacted; blockers of HELD
#     ("t-block") take every window of that size left elsewhere;
#   - the runs are given back whole, then eight buffers away from them (the
#     kernel's next unmovable allocations fall back to the largest free
#     blocks most recently freed: the windows; 6.1 once lost 20M of an
#     88M one so); a last round of blockers takes a window of HELD that
#     appeared meanwhile.
# A held buffer lies right next to each end of a run, so a window is the
# run alone; its size plus 4M on each side (the margin kf_run_max keeps)
# stays below HELD. Return status 0, or 1 with a diag saying why (no run
# of contiguous buffers long enough).
# KF_PLAN says what was planned ("72M at buffer 1, 40M at buffer 13"),
# KF_LARGER the larger window with its fragments (MiB).
#
# kfrag_release gives back every buffer kfrag_setup still holds.
#
# State: /tmp/kfrag.* (one fragmented state at a time).

KF_MIB=1048576
# The buffers' size, in MiB.
KF_UNIT=4

# kf_find_run K: the first index i (odd) where buffers i-1 .. i+K are
# contiguous (the run i .. i+K-1 and the two held buffers that bound it),
# not touching the indexes in /tmp/kfrag.used.
kf_find_run() {
	awk -v k="$1" -v s=$((KF_UNIT * KF_MIB)) '
		FILENAME == "/tmp/kfrag.used" { used[$1] = 1; next }
		{ addr[$1] = $2 + 0; n = $1 + 1 }
		END {
			for (i = 1; i + k < n; i += 2) {
				good = 1
				for (j = i - 1; j <= i + k; j++) if (used[j]) good = 0
				for (j = i - 1; j < i + k && good; j++) if (addr[j + 1] != addr[j] + s) good = 0
				if (good) { print i; exit }
			}
		}' /tmp/kfrag.used /tmp/kfrag.sorted
}

# kf_run_len SIZE: buffers a run of 2m+1 covers, the smallest odd count of
# KF_UNIT.
kf_run_len() {
	local n=$((($1 + KF_UNIT * KF_MIB - 1) / (KF_UNIT * KF_MIB)))
	[ $((n % 2)) = 1 ] || n=$((n + 1))
	echo "$n"
}

# kf_run_max HELD: the largest odd count of KF_UNIT that, with a fragment
# below KF_UNIT on each side, stays below HELD.
kf_run_max() {
	local n=$(((($1 / KF_MIB) - 2 * KF_UNIT - 1) / KF_UNIT))
	[ $((n % 2)) = 1 ] || n=$((n - 1))
	echo "$n"
}

# kf_plan MIN MAX: the first index of a run of the longest odd count from
# MAX down to MIN that is free to use; sets kf_len to its count.
kf_plan() {
	local k=$2 i
	while [ "$k" -ge "$1" ]; do
		i=$(kf_find_run "$k")
		if [ -n "$i" ]; then
			kf_len=$k
			echo "$i"
			return 0
		fi
		k=$((k - 2))
	done
	return 1
}

# kf_in_run I: buffer I is in one of the two runs.
kf_in_run() {
	{ [ "$1" -ge "$kf_rc" ] && [ "$1" -lt $((kf_rc + kf_kc)) ]; } ||
		{ [ "$1" -ge "$kf_rw" ] && [ "$1" -lt $((kf_rw + kf_kw)) ]; }
}

# kf_free I ADDR: give filler I back and remember it.
kf_free() {
	lazy-cma free "$2" && echo "$1" >>/tmp/kfrag.freed
}

# kf_blockers HELD TRIES: blockers of HELD bytes until TRIES attempts in a
# row fail; prints how many were taken. One failure does not prove there
# is no window left: screening rules out a pageblock with a page off the
# LRU for a moment (just faulted in, in a per-CPU batch) or a reclaimable
# slab page, and the sweep may be cut short by sweep_ms before it reaches
# that window. CI once saw the held load take a window at 68M that the
# blocker before it had missed (trixie, 2026-12-07).
kf_blockers() {
	local fails=0 n=0 a
	while [ "$fails" -lt "$2" ]; do
		if a=$(lazy-cma alloc "$(($1 / KF_MIB))M" --name t-block 2>/tmp/kfrag.block.err); then
			echo "$a" >>/tmp/kfrag.blockers
			n=$((n + 1))
			fails=0
		else
			fails=$((fails + 1))
			sleep 1
		fi
	done
	echo "$n"
}

kfrag_setup() {
	local core=$1 work=$2 held=$3 a i nf nb freed max
	: >/tmp/kfrag.fill
	: >/tmp/kfrag.used
	: >/tmp/kfrag.freed
	: >/tmp/kfrag.blockers
	: >/tmp/kfrag.sacrificed
	while [ "$(meminfo MemAvailable)" -gt $((300 * 1024)) ] &&
		a=$(lazy-cma alloc "${KF_UNIT}M" --name t-frag 2>/dev/null); do
		echo "$a" >>/tmp/kfrag.fill
	done
	nf=$(grep -c . /tmp/kfrag.fill)
	diag "kfrag: filled with $nf buffers of ${KF_UNIT}M; MemAvailable $(meminfo MemAvailable) kB"
	# "index address(decimal) address(hex)", by address.
	while read -r a; do echo "$((a)) $a"; done </tmp/kfrag.fill | sort -n |
		awk '{ printf "%d %s %s\n", NR - 1, $1, $2 }' >/tmp/kfrag.sorted
	max=$(kf_run_max "$held")
	kf_kc=$(kf_run_len "$core")
	kf_kw=$(kf_run_len "$work")
	kf_rc='' kf_rw=''
	# kf_plan runs in a subshell: its count comes back through a file.
	if kf_rc=$(kf_plan "$kf_kc" "$max" && echo "$kf_len" >/tmp/kfrag.len); then
		kf_kc=$(cat /tmp/kfrag.len)
		seq $((kf_rc - 1)) $((kf_rc + kf_kc)) >>/tmp/kfrag.used
		if kf_rw=$(kf_plan "$kf_kw" "$max" && echo "$kf_len" >/tmp/kfrag.len); then
			kf_kw=$(cat /tmp/kfrag.len)
		fi
	fi
	if [ -z "$kf_rc" ] || [ -z "$kf_rw" ]; then
		diag "kfrag: no run of $kf_kc and $kf_kw (up to $max) contiguous ${KF_UNIT}M buffers among the $nf"
		diag "$(head -n 40 /tmp/kfrag.sorted)"
		kf_rc=-1000 kf_rw=-1000
		return 1
	fi
	seq $((kf_rw - 1)) $((kf_rw + kf_kw)) >>/tmp/kfrag.used
	# shellcheck disable=SC2034 # read by the scripts that source this file
	KF_PLAN="$((kf_kc * KF_UNIT))M at buffer $kf_rc, $((kf_kw * KF_UNIT))M at buffer $kf_rw"
	# shellcheck disable=SC2034 # read by the scripts that source this file
	KF_LARGER=$(((kf_kc > kf_kw ? kf_kc : kf_kw) * KF_UNIT + 2 * KF_UNIT))
	# Every other buffer given back, the runs' kept for now (memory the
	# kernel gets back is soon used by it, unmovably too: the windows are
	# opened only just before arming).
	while read -r i _ a; do
		if [ $((i % 2)) = 1 ] && ! kf_in_run "$i"; then kf_free "$i" "$a"; fi
	done </tmp/kfrag.sorted
	# Page cache and reclaimable slab dropped, pending LRU batches drained
	# and movable pages compacted away from the free memory the fill left:
	# what could hide a window of HELD from the blockers.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	[ ! -w /proc/sys/vm/compact_memory ] || echo 1 >/proc/sys/vm/compact_memory
	nb=$(kf_blockers "$held" 2)
	diag "kfrag: every other filler given back; $nb blocker(s) of $((held / KF_MIB))M took the windows left ($(cat /tmp/kfrag.block.err)); MemAvailable $(meminfo MemAvailable) kB"
	# Open the runs: all their buffers given back.
	freed=0
	while read -r i _ a; do
		if kf_in_run "$i"; then kf_free "$i" "$a" && freed=$((freed + 1)); fi
	done </tmp/kfrag.sorted
	# Eight more buffers away from the runs, given back last, take what the
	# kernel allocates next: every other held one (4k), each a 12M hole
	# between held buffers (side by side, eight would open a 68M window).
	sort -rn /tmp/kfrag.sorted | while read -r i _ a; do
		[ $((i % 4)) = 0 ] || continue
		kf_in_run "$i" || kf_in_run $((i - 1)) || kf_in_run $((i + 1)) && continue
		[ "$(grep -c . /tmp/kfrag.sacrificed)" -lt 8 ] || break
		kf_free "$i" "$a" && echo "$i" >>/tmp/kfrag.sacrificed
	done
	diag "kfrag: opened the two windows ($freed buffers given back, then $(grep -c . /tmp/kfrag.sacrificed) away from them); MemAvailable $(meminfo MemAvailable) kB"
	# The two windows, with the fragments beside them, are smaller than a
	# blocker.
	nb=$(kf_blockers "$held" 1)
	diag "kfrag: $nb more blocker(s) just before arming"
	return 0
}

kfrag_release() {
	local i a
	[ -f /tmp/kfrag.sorted ] || return 0
	while read -r i _ a; do
		grep -qx "$i" /tmp/kfrag.freed || kf_free "$i" "$a"
	done </tmp/kfrag.sorted
	while read -r a; do lazy-cma free "$a"; done </tmp/kfrag.blockers
	rm -f /tmp/kfrag.sorted /tmp/kfrag.blockers
}
