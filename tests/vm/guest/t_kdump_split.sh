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
# shellcheck source=kfrag.sh
. /lazy/tests/kfrag.sh

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
# (kfrag.sh says how.)
if ! kfrag_setup "$core" "$work" "$total"; then
	not_ok "two runs of contiguous 4M buffers for the crash region's and the working memory's windows"
	exit 1
fi
ok "windows planned: $KF_PLAN (held total $((total / mib))M)"
# kfrag.sh sizes the windows so that the larger, with a fragment on each
# side, stays below the held size; the refusal's largest window (below)
# is what shows the guest has none of that size.
diag "the larger window with its fragments: at most ${KF_LARGER}M"

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
kfrag_release
n=$(lazy-cma list --json | grep -c -e '"name": "t-frag"' -e '"name": "t-block"')
is "$n" 0 "the fillers and blockers are given back"
kd_memory_pattern
diag "panic at epoch $(date +%s)"
kd_mark "panic"
crash_now
