#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# lazy-kdump's placement on a guest with memory above 4 GiB: --placement
# high puts the crash region above 4 GiB with a low companion bound as
# crashk_low_res; with placement low (the default) and no window below
# 4 GiB it falls back to high on its own, and when not even the companion
# fits below 4 GiB it refuses and undoes everything. The last arming (the
# fallback) is panicked: crash_kdump_high.sh captures onto /dev/vda from a
# crash kernel running above 4 GiB, host/check_kdump.sh reads the dump.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk
four=$((1 << 32))
[ "$(iomem_ranges 'System RAM' | awk -v f="$four" '{ if (("0x" $2) + 0 >= f) n++ } END { print n + 0 }')" -gt 0 ] ||
	skip_all "no memory above 4 GiB (the group needs -m 5G or more)"

hostname lazy-high
diag "crash host name: $(hostname)"
low_want=$(kd_estimate_json low_companion)
cmp_ok "${low_want:-0}" -ge $((256 << 20)) "estimate --json gives the low companion (${low_want} bytes, at least 256 MiB like the kernel's ,low default)"

# --- placement high, asked for ---
kd_run lazy-kdump load --placement high --append "lazy_kdump.host=$(hostname)"
is "$KD_RC" 0 "lazy-kdump load --placement high exits 0" || diag "$KD_OUT"
diag "$KD_OUT"
kd_is_armed "armed high: iomem has the region and its low companion"
is "$(kd_status_json region_high)" true "status --json says the region is high"
addr=$(kd_status_json region_addr)
cmp_ok "$((addr))" -ge "$four" "the crash region lies above 4 GiB ($addr)"
laddr=$(kd_status_json low_addr)
llen=$(kd_status_json low_len)
is "$llen" "$low_want" "the low companion has the estimated size"
cmp_ok "$((laddr + llen))" -le "$four" "the low companion lies below 4 GiB ($laddr)"
is "$(lcma_json lazy-kdump-low crash_low)" true "lazy-cma lists the companion bound as crashk_low_res"
kd_run lazy-kdump status
case $KD_OUT in
*"low companion"*) ok "status shows the low companion" ;;
*) not_ok "status shows the low companion" && diag "$KD_OUT" ;;
esac
check "lazy-kdump unload" lazy-kdump unload
kd_nothing_left "after unload: nothing reserved or loaded, companion included"

# --- no window below 4 GiB: fill it with buffers of our own ---
# 320M buffers until none fits, then 32M ones: nothing of 256M or more is
# left free below 4 GiB.
fill=''
nfill=0
for s in 320M 32M; do
	while a=$(lazy-cma alloc "$s" --below-4g --name "t-fill-$s-$nfill" 2>/dev/null); do
		fill="$fill $a:$s"
		nfill=$((nfill + 1))
	done
done
diag "filled below 4 GiB with $nfill buffers; MemFree $(meminfo MemFree) kB"
big=512M
kd_refused "load --size $big with no room below 4 GiB even for the companion: says so, suggests compaction" \
	"low companion" "below 4 GiB" "compact" -- lazy-kdump load --size "$big"
# The fillers stay: only lazy-kdump's own buffers must be gone.
kd_run lazy-kdump status
is "$KD_RC" 3 "after the refusal: status exits 3 (not armed)"
is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "after the refusal: no crash kernel loaded"
is "$(iomem_ranges 'Crash kernel')" "" "after the refusal: no 'Crash kernel' in /proc/iomem"
kd_no_own_buffers "after the refusal"

# Free one 320M buffer: room for the companion, not for a 512M region.
hole=''
for f in $fill; do
	case $f in *:320M)
		hole=${f%%:*}
		break
		;;
	esac
done
if [ -z "$hole" ]; then
	not_ok "a 320M filler buffer below 4 GiB exists to free"
else
	check "free one 320M filler buffer at $hole" lazy-cma free "$hole"
	fill=$(echo "$fill" | tr ' ' '\n' | grep -v "^$hole:" | tr '\n' ' ')
fi
kd_run lazy-kdump load --size "$big" --append "lazy_kdump.host=$(hostname)"
is "$KD_RC" 0 "load --size $big (placement low) with no $big window below 4 GiB exits 0" || diag "$KD_OUT"
diag "$KD_OUT"
case $KD_OUT in
*"placed above 4 GiB"*"low companion"*) ok "load says it fell back above 4 GiB with a low companion" ;;
*) not_ok "load says it fell back above 4 GiB with a low companion" ;;
esac
kd_is_armed "armed after the fallback: region high, companion in the hole" "$(size_bytes "$big")" || exit 1
cmp_ok "$(($(kd_status_json region_addr)))" -ge "$four" "the fallen-back region lies above 4 GiB"
laddr=$(kd_status_json low_addr)
llen=$(kd_status_json low_len)
cmp_ok "$((laddr))" -ge "$((hole))" "the companion lies in the freed hole ($laddr)"
cmp_ok "$((laddr + llen))" -le $((hole + (320 << 20))) "... and ends inside it"

# The fillers hold stale data the dump would carry: give them back.
for f in $fill; do lazy-cma free "${f%%:*}" || not_ok "free filler ${f%%:*}"; done
diag "panic at epoch $(date +%s)"
kd_mark "panic"
crash_now
