#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/report.awk on made-up guest results: the kfrag target (split
# arms in every run where held and the baseline fail) holds, misses, or is
# not measured; split counts as ours, never as a baseline; the table names
# split's cell; the JSON parses.
#
# Usage: test-bench-report.sh REPORT_AWK
set -euo pipefail

awkf=$(realpath "${1:?usage: test-bench-report.sh REPORT_AWK}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	echo "# $2" | sed '2,$s/^/# /'
}
# expect DESC PATTERN TEXT: TEXT has a line matching the ERE PATTERN.
expect() {
	if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "$3"; fi
}

# bench LINES...: a kfrag group's results, "ALLOC:RUN:OK" per measurement.
bench() {
	echo "GROUP bench-2g-kfrag"
	echo "# BENCHINFO kver=6.12.0-test mem_mb=2048 zones_mib=DMA:15,DMA32:2032 auto_bytes=109051904 runs=3"
	local m a r o
	for m in "$@"; do
		IFS=: read -r a r o <<<"$m"
		echo "# BENCH scen=${SCEN:-kfrag} size=auto alloc=$a run=$r bytes=109051904 ok=$o ns=$((r * 1000000000 + ${#a})) attempts=3 kns=1000$(
			[ "$o" = 0 ] || [ "$a" = seedall ] || echo " avail_drop_kb=$((${#a} * 20480 + r * 1024)) reserved_bytes=$((${#a} * 20 * 1048576))")"
	done
}
report() {
	awk -f "$awkf" -v suite=trixie -v mode=full -v qemu_s=60 \
		-v json="$tmp/r.json" -v md="$tmp/r.md" "$tmp/in"
}

bench ours:1:0 split:1:1 seedall:1:0 ours:2:0 split:2:1 seedall:2:0 ours:3:0 split:3:1 seedall:3:0 >"$tmp/in"
out=$(report)
expect "split 3/3, held 0/3, the seed 0/3: the kfrag target holds" \
	'^TARGET 2G-kfrag split arms in every run where held and the seed fail: HOLDS \(split 3/3, held 0/3, seed with all zones 0/3\)$' "$out"
expect "split is not a baseline: no miss where split succeeded and held did not" \
	'^TARGET success in every case where the seed succeeds: HOLDS \(ours succeeded in all 0 paired runs' "$out"
expect "the table names split's cell" \
	'^\| 2G-kfrag \| auto \| split \(lazy-kdump load --working-memory split\) \| .* \| 3/3 \|' "$(cat "$tmp/r.md")"
if jq -e '([.targets[] | select(.name | startswith("2G-kfrag"))][0]
	| .holds == true and .split_ok == 3 and .held_ok == 0 and .seedall_ok == 0)
	and ([.cells[] | select(.allocator == "split")][0] | .ratio_vs_ours == null)' \
	"$tmp/r.json" >"$tmp/err" 2>&1; then
	pass "report.json: the target's counts, split without a ratio"
else
	fail "report.json: the target's counts, split without a ratio" "$(cat "$tmp/err")"
fi

SCEN=idle bench ours:1:1 split:1:1 ours:2:1 split:2:1 ours:3:1 split:3:0 >"$tmp/in"
expect "MemAvailable drop: medians of the successes, held and split side by side, with what they reserve" \
	'^INFO 2G-idle MemAvailable drop when armed at auto: held 82\.0 MiB \(reserved 80\.0 MiB; median of 3\), split 101\.5 MiB \(reserved 100\.0 MiB; median of 2\)$' "$(report)"

bench ours:1:0 split:1:1 seedall:1:0 ours:2:0 split:2:0 seedall:2:0 >"$tmp/in"
out=$(report)
expect "split failed once: MISSED, with the counts" \
	'^TARGET 2G-kfrag split arms in every run where held and the seed fail: MISSED \(split 1/2, held 0/2, seed with all zones 0/2\)$' "$out"
if grep -q "MemAvailable drop" <<<"$out"; then
	fail "no MemAvailable drop reported for a case other than idle" "$out"
else
	pass "no MemAvailable drop reported for a case other than idle"
fi

bench ours:1:1 split:1:1 >"$tmp/in"
expect "held armed too (the guest was not fragmented for it): MISSED; no baseline run: said so" \
	'^TARGET 2G-kfrag split arms .*: MISSED \(split 1/1, held 1/1, seed with all zones not run\)$' "$(report)"

bench ours:1:0 seedall:1:0 >"$tmp/in"
expect "no split run: NOT MEASURED" \
	'^TARGET 2G-kfrag split arms .*: NOT MEASURED' "$(report)"

printf 'GROUP bench-2g-kfrag\nnot ok - lazy-kdump estimate gives the split sizes\n' >"$tmp/in"
expect "the kfrag guest gave no measurement: NOT MEASURED, not silence" \
	'^TARGET kfrag split arms .*: NOT MEASURED \(the guest bench-2g-kfrag gave no measurements\)$' "$(report)"

echo "1..$n"
