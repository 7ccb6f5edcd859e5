#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# The allocator's last resort, the sweep (module/alloc.c), in ZONE_DMA32 of
# a 5 GiB guest booted with nokaslr: the kernel image sits low, and the
# kernel's own allocations go to ZONE_NORMAL, so DMA32 holds little else.
# One vCPU: 7.3 with nokaslr and two vCPUs under TCG oopsed at boot
# ("Oops: int3" in sched_clock_cpu, text patching) in 2 of 3 boots.
# A 64 MiB buffer pinned in the middle of DMA32 leaves no window of the
# size asked for below 4 GiB, although enough memory is free. The screened
# windows are none; the sweep tries every window offset and fails each on
# the pinned buffer. Checked: ENOMEM and its log line with sweep_ms=0 (no
# sweep), the default (a full sweep: every candidate window attempted),
# sweep_ms=1 (cut short), lazy-cma killed while allocating (nothing left
# behind), and that the same size succeeds once the pin is gone (so the
# refusals were real).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh

param=/sys/module/lazy_cma/parameters/sweep_ms
require_module
is "$(cat "$param")" 30000 "sweep_ms defaults to 30000 (30 s)"

# The pin: a buffer below a large one that is then freed, so free memory
# lies on both sides of it.
top=$(lazy-cma alloc 1G --below-4g --name t-top) || { not_ok "allocate 1G below 4 GiB"; exit 1; }
pin=$(lazy-cma alloc 64M --below-4g --name t-pin) || { not_ok "allocate the 64M pin below 4 GiB"; exit 1; }
check "free the 1G buffer above the pin" lazy-cma free "$top"
pin_n=$((pin))
zs='' ze=''
while IFS= read -r l; do
	case $l in " "*) continue ;; *" : System RAM") ;; *) continue ;; esac
	r=${l%% *}
	s=$((0x${r%-*}))
	e=$((0x${r#*-} + 1))
	if [ "$s" -le "$pin_n" ] && [ "$pin_n" -lt "$e" ]; then
		zs=$s ze=$e
	fi
done </proc/iomem
[ -n "$zs" ] || { not_ok "find the System RAM range holding the pin"; exit 1; }
[ "$zs" -ge $((16 << 20)) ] || zs=$((16 << 20))
below=$(((pin_n - zs) >> 20))
above=$((((ze - pin_n) >> 20) - 64))
want=$((below > above ? below : above))
want=$(((want + 128) / 2 * 2))
diag "System RAM $(printf '%#x-%#x' "$zs" "$ze"), pin at $pin:" \
	"$below MiB below it, $above MiB above it; asking for $want MiB"
free=$(($(free_kb) >> 10))
if [ "$want" -ge $((free - 64)) ]; then
	skip_all "$want MiB is not free ($free MiB is): the pin is not in the middle"
fi

# alloc_fails NAME: lazy-cma alloc WANT fails with ENOMEM; sets line to the
# module's log line about NAME, attempts and windows to its counts.
alloc_fails() {
	local out rc=0
	out=$(lazy-cma alloc "${want}M" --below-4g --name "$1" 2>&1) || rc=$?
	line=$(dmesg | grep "no contiguous $want MiB for $1:" | tail -n 1)
	attempts=$(echo "$line" | sed -n 's/.*: \([0-9]*\) attempt(s) over.*/\1/p')
	windows=$(echo "$line" | sed -n 's/.* over \([0-9]*\) candidate window.*/\1/p')
	if [ "$rc" -ne 0 ] && [ -n "$line" ] && ! lcma_present "$1"; then
		return 0
	fi
	diag "exit $rc: $out" "log: $line"
	return 1
}

echo 0 >"$param"
if alloc_fails t-nosweep; then
	ok "sweep_ms=0: $want MiB refused (ENOMEM) without a sweep"
	diag "$line"
	is "$attempts" 0 "sweep_ms=0: no alloc_contig_range() attempt (no screened window)"
	case $line in *"sweep off: sweep_ms=0"*) ok "sweep_ms=0: the log says the sweep is off" ;;
	*) not_ok "sweep_ms=0: the log says the sweep is off" ;; esac
else
	not_ok "sweep_ms=0: $want MiB refused (ENOMEM) without a sweep"
fi

echo 30000 >"$param"
if alloc_fails t-sweep; then
	ok "sweep_ms=30000: $want MiB refused (ENOMEM) after a sweep"
	diag "$line"
	full=$attempts
	cmp_ok "$attempts" -gt 1 "the sweep attempted windows the screen had ruled out"
	is "$attempts" "$windows" "every candidate window was attempted once"
	case $line in *"a full sweep"*) ok "the log says it swept every window" ;;
	*) not_ok "the log says it swept every window" ;; esac
else
	not_ok "sweep_ms=30000: $want MiB refused (ENOMEM) after a sweep"
	full=0
fi

echo 1 >"$param"
if alloc_fails t-cut; then
	ok "sweep_ms=1: $want MiB refused (ENOMEM)"
	diag "$line"
	cmp_ok "$attempts" -lt "$full" "sweep_ms=1 cut the sweep short ($attempts of $full attempts)"
	case $line in *"cut short by sweep_ms"*) ok "the log says sweep_ms cut it short" ;;
	*) not_ok "the log says sweep_ms cut it short" ;; esac
else
	not_ok "sweep_ms=1: $want MiB refused (ENOMEM)"
fi
echo 30000 >"$param"

# lazy-cma killed while it allocates: the sweep stops and nothing is left
# behind. (Each attempt fails at once on the pin, so the whole sweep may be
# over before the signal lands: then that check is skipped.)
base=$(free_kb)
lazy-cma alloc "${want}M" --below-4g --name t-kill >/dev/null 2>&1 &
kpid=$!
sleep 0.1
kill -9 "$kpid" 2>/dev/null || true
wait "$kpid" 2>/dev/null || true
line=$(dmesg | grep "no contiguous $want MiB for t-kill:" | tail -n 1)
diag "after SIGKILL: $line"
case $line in
*"sweep interrupted by a fatal signal"*)
	ok "SIGKILL stopped the sweep, and the log says so"
	;;
*"a full sweep"*)
	skip "SIGKILL stopped the sweep, and the log says so" "the sweep was over before the signal"
	;;
*)
	not_ok "SIGKILL stopped the sweep, and the log says so"
	;;
esac
if lcma_present t-kill; then not_ok "SIGKILL while allocating leaves no buffer"; else ok "SIGKILL while allocating leaves no buffer"; fi
is "$(iomem_ranges t-kill)" "" "... and nothing in /proc/iomem"
cmp_ok $((base - $(free_kb))) -le "$(free_slack_kb)" "... and MemFree is back"

check "free the pin" lazy-cma free "$pin"
if addr=$(lazy-cma alloc "${want}M" --below-4g --name t-after); then
	ok "without the pin, $want MiB is allocated (the refusals were real)"
	check "free it" lazy-cma free "$addr"
else
	not_ok "without the pin, $want MiB is allocated (the refusals were real)"
fi
