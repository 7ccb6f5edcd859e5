# shellcheck shell=bash
# Helpers shared by the benchmark scripts (tests/bench/). Sourced after
# scripts/common.sh with $top set to the clone, never run.
: "${top:?set top to the clone before sourcing tests/bench/lib.sh}"

# The static crashkernel= defaults distributions reserve (x86-64), as the
# kernel's parse_crashkernel_mem() reads them: "start-[end]:size" ranges of
# System RAM, start inclusive, end exclusive.
#   debian  kdump-tools on Debian 12 and 13
#   fedora  RHEL 9 / Fedora (kexec-tools, kdump-utils)
#   ubuntu  kdump-tools on Ubuntu 24.04
# shellcheck disable=SC2034 # used by the scripts that source this
BENCH_DISTRO_DEFAULTS='{
  "debian": "512M-:192M",
  "fedora": "2G-64G:256M,64G-:512M",
  "ubuntu": "2G-4G:320M,4G-8G:384M,8G-16G:512M,16G-32G:768M,32G-64G:1024M,64G-128G:2048M,128G-:4096M"
}'

# bench_kib FILE: its size in KiB.
bench_kib() { echo $(($(stat -c %s "$1") / 1024)); }

# bench_clear_crash_dir IMAGE: remove every dump directory under /var/crash
# of an ext4 image (with debugfs, not mounted): the host check of a capture
# expects only the one it made.
bench_clear_crash_dir() {
	local img=$1 d f
	for d in $(debugfs -R 'ls -p /var/crash' "$img" 2>/dev/null |
		awk -F/ 'NF >= 6 && $6 != "." && $6 != ".." { print $6 }'); do
		for f in $(debugfs -R "ls -p /var/crash/$d" "$img" 2>/dev/null |
			awk -F/ 'NF >= 6 && $6 != "." && $6 != ".." { print $6 }'); do
			debugfs -w -R "rm /var/crash/$d/$f" "$img" >/dev/null 2>&1
		done
		debugfs -w -R "rmdir /var/crash/$d" "$img" >/dev/null 2>&1
	done
}

# bench_panic_to_end TIMINGS: seconds from the guest's "panics" note to the
# end of QEMU (the capture script's reboot after the dump was saved), from
# qemu-run.sh's timings file; nothing when either is missing.
bench_panic_to_end() {
	[ -r "$1" ] || return 0
	awk '
		# The dracut capture (t_kdump.sh KDUMP_DISK_INITRD=1) announces the
		# reboot just before it panics, instead of the panic note.
		/the guest panics after/ { for (i = 1; i <= NF; i++) if ($i == "after") p = $(i + 1) }
		/the guest announced a reboot after/ && r == "" { for (i = 1; i <= NF; i++) if ($i == "after") r = $(i + 1) }
		END { if (p == "") p = r }
		/: finished; / { for (i = 1; i <= NF; i++) if ($i == "end" && $(i + 1) == "after") e = $(i + 2) }
		END { if (p != "" && e != "") printf "%.1f\n", e - p }
	' "$1"
}

# bench_build_guest SUITE DIR LOG: what the VM harness would build for one
# suite, into DIR: sets KVER, kdir, ko, mdf, initrd (the main initrd) and
# crash_initrd (the busybox capture initrd).
bench_build_guest() {
	local suite=$1 dir=$2 blog=$3 k static
	kdir=$("$top/scripts/fetch-kernel.sh" "$suite" 2>>"$blog" | tail -n 1) ||
		die "fetching the $suite kernel failed (log: $blog)"
	KVER=''
	# shellcheck source=/dev/null
	. "$kdir/info"
	ko=''
	for k in ${LAZY_CMA_KO:-}; do
		[ "$(modinfo -F vermagic "$k" 2>/dev/null | cut -d' ' -f1)" != "$KVER" ] || ko=$k
	done
	if [ -z "$ko" ]; then
		ko=$("$top/scripts/build-module.sh" "$suite" "$dir/module" 2>>"$blog" | grep '/lazy_cma\.ko$' | tail -n 1) ||
			die "building lazy_cma.ko for $KVER failed (log: $blog)"
	fi
	static=$dir/static
	make -C "$top/lazy_kdump" O="$static" STATIC=1 >>"$blog" 2>&1 ||
		die "building the static userspace failed (log: $blog)"
	mdf=$("$top/scripts/fetch-makedumpfile.sh" 2>>"$blog") || die "fetching makedumpfile failed (log: $blog)"
	initrd=$dir/initrd.cpio.gz
	# shellcheck disable=SC2034 # for the caller
	crash_initrd=$dir/crash-initrd.cpio.gz
	PATH=$(dirname "$mdf"):$PATH "$top/tests/vm/mkinitrd.sh" -k "$ko" -C "$top/tests/vm/lazy-kdump.conf" "$kdir" "$initrd" \
		"$static/lazy-cma" "$static/lazy-kdump" "$top/dracut/lazy-kdump-capture.sh" "$top/dracut/lazy-kdump-prune.sh" >>"$blog" 2>&1 ||
		die "building the initrds failed (log: $blog)"
}

# bench_memory_jq: the jq program that turns memory.sh's captures (an
# array on input) and its --arg/--argjson values into the result object.
bench_memory_jq() {
	cat <<'JQ'
def bytes: capture("^(?<n>[0-9]+)(?<u>[KMGT]?)$") |
	(.n | tonumber) * {"": 1, "K": 1024, "M": 1048576, "G": 1073741824, "T": 1099511627776}[.u];
def crashkernel($ram): [split(",")[] |
	capture("^(?<s>[0-9]+[KMGT]?)-(?<e>[0-9]*[KMGT]?):(?<z>[0-9]+[KMGT]?)$") |
	select($ram >= (.s | bytes) and (.e == "" or $ram < (.e | bytes)))][0] |
	if . == null then 0 else .z | bytes end;
def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
. as $c |
($ram | tonumber? // null) as $ramb |
($min | tonumber? // null) as $minb |
($est.total // null) as $auto |
{
  suite: $suite, kernel: $kver, guest_memory: $mem, quick: $quick,
  confirm: $confirm, step_mib: $step, seconds: $seconds,
  capture_initrd: $kind, capture_initrd_bytes: $initrd_bytes,
  system_ram_bytes: $ramb,
  auto_bytes: $auto,
  auto_captures: {ok: ([$c[] | select(.size == "auto" and .ok)] | length),
                  runs: ([$c[] | select(.size == "auto")] | length)},
  min_bytes: $minb,
  largest_failed_bytes: ($failed | tonumber? // null),
  hard_minimum_bytes: ($est.hard_minimum // null),
  ratio_auto_to_min: (if $auto and $minb then ($auto / $minb * 1000 | round / 1000) else null end),
  distro_defaults: (if $ramb then ($distros | to_entries | map({key, value: {spec: .value,
      bytes: (.value | crashkernel($ramb))}}) | from_entries) else null end),
  estimate_terms: (if $est then [$est.terms[] | {name, bytes}] else null end),
  implied_runtime_bytes: (if $est and $minb then
      $minb - ([$est.terms[] | select(.name != "kernel-runtime" and .name != "margin") | .bytes] | add)
      else null end),
  table_runtime_bytes: (if $est then [$est.terms[] | select(.name == "kernel-runtime") | .bytes][0] else null end),
  load_seconds_median: ([$c[] | select(.ok) | .load_seconds | select(. != null)] | median),
  panic_to_saved_seconds_median: ([$c[] | select(.ok) | .panic_to_saved_seconds | select(. != null)] | median),
  captures: $c
}
JQ
}

# The smallest-size search of memory.sh (its --help states the method),
# here so that tests/unit/test-bench-search.sh can run it against a fake
# capture. The caller provides capture SUITE_DIR SIZE TRY MEM (0 when the
# vmcore was captured; sets why) and the globals confirm, step, suite,
# auto_mib, lo and hi; tries must be declared with declare -A tries.
#
# passes SUITE_DIR SIZE MEM [N]: N (default CONFIRM) more captures of SIZE
# in a row; the first failure fails it. Tries are numbered per size.
# shellcheck disable=SC2154 # why: set by the caller's capture
passes() {
	local count=${4:-$confirm} t k
	for ((k = 1; k <= count; k++)); do
		t=$((${tries[$2]:-0} + 1))
		tries[$2]=$t
		if capture "$1" "$2" "$t" "$3"; then
			echo "  $suite $3 $2 capture $t: ok"
		else
			echo "  $suite $3 $2 capture $t: FAILED ($why)"
			return 1
		fi
	done
}

# search SUITE_DIR MEM GUESS...: from lo (fails) and hi (the auto size,
# auto_mib, which passed at least once), the smallest size that passes
# CONFIRM captures with one step less failing; sets lo and hi (MiB).
# GUESSes outside (lo, hi) are skipped. When that smallest size is the auto
# size itself, its captures (key "auto") are topped up to CONFIRM; if one
# of those fails, no size passed CONFIRM times: status 1, hi empty.
# shellcheck disable=SC2154 # step, auto_mib: the caller's globals
search() {
	local d=$1 mem=$2 g mid below
	local -a passed=()
	shift 2
	probe() {
		if passes "$d" "${1}M" "$mem" 1; then
			hi=$1
			passed+=("$1")
		else
			lo=$1
		fi
	}
	for g in "$@"; do
		if [ "$g" -le "$lo" ] || [ "$g" -ge "$hi" ]; then
			continue
		fi
		probe "$g"
		below=$((g - step))
		if [ "$hi" = "$g" ] && [ "$below" -gt "$lo" ]; then
			probe "$below"
		fi
	done
	while :; do
		while [ $((hi - lo)) -gt "$step" ]; do
			mid=$(((lo + hi) / 2 / step * step))
			[ "$mid" -gt "$lo" ] || mid=$((lo + step))
			probe "$mid"
		done
		if [ "$hi" = "$auto_mib" ]; then
			passes "$d" auto "$mem" $((confirm - ${tries[auto]:-0})) && return 0
			hi=''
			return 1
		fi
		passes "$d" "${hi}M" "$mem" $((confirm - ${tries[${hi}M]:-0})) && return 0
		# hi failed its confirmation: the next larger size that passed.
		lo=$hi
		hi=$auto_mib
		for g in "${passed[@]}"; do
			[ "$g" -le "$lo" ] || [ "$g" -ge "$hi" ] || hi=$g
		done
	done
}

# bench_estimate_of DIR: sets est (the guest's `lazy-kdump estimate --json`,
# one line) and ram (System RAM in bytes) from the first auto-N.out in DIR
# whose "# bench-estimate:" line is a whole JSON object with its terms;
# status 1 when none is.
# shellcheck disable=SC2034 # est, ram: the caller's globals
bench_estimate_of() {
	local f e
	for f in "$1"/auto-*.out; do
		[ -f "$f" ] || continue
		e=$(sed -n 's/^# bench-estimate: //p' "$f" | head -n 1)
		if [ -n "$e" ] && jq -e 'type == "object" and (.terms | type) == "array" and (.total | type) == "number"' <<<"$e" >/dev/null 2>&1; then
			est=$e
			ram=$(sed -n 's/^# bench-system-ram: //p' "$f" | head -n 1)
			return 0
		fi
	done
	return 1
}

# bench_estimate_line DIR: what the first auto capture printed instead, for
# the message (its first 120 characters, or "none").
bench_estimate_line() {
	local e
	e=$(sed -n 's/^# bench-estimate: //p' "$1/auto-1.out" 2>/dev/null | head -n 1 | cut -c1-120)
	printf '%s' "${e:-none}"
}
