#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/lib.sh's smallest-size search (memory.sh), against a fake
# capture whose outcome is a rule: a size passes when it is at least the
# true minimum, except for the flaky tries named. Checks the minimum found,
# that it captured CONFIRM times in a row with one step less failing, and
# how many captures it took.
#
# Usage: test-bench-search.sh BENCH_LIB
# shellcheck disable=SC2034 # why, suite, confirm, step, top: read by lib.sh
set -euo pipefail

lib=$(realpath "${1:?usage: test-bench-search.sh BENCH_LIB}")
top=$(cd "$(dirname "$lib")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../bench/lib.sh
. "$lib"

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	echo "# $2"
}

# The fake: TRUE_MIN in MiB; FLAKY "SIZE:TRY ..." fail although large
# enough. Records every capture in $log.
declare -A tries=()
TRUE_MIN=0 FLAKY='' ncap=0 log=''
capture() {
	local size=${2%M}
	ncap=$((ncap + 1))
	log="$log $2/$3"
	why=''
	[ "$size" != auto ] || size=$auto_mib
	case " $FLAKY " in *" $size:$3 "*)
		why='flaky'
		return 1
		;;
	esac
	if [ "$size" -lt "$TRUE_MIN" ]; then
		why='too small'
		return 1
	fi
}

# run NAME TRUE_MIN FLAKY LO EXPECT_HI EXPECT_CAPTURES GUESS...: with
# AUTO_RUNS captures at auto first. EXPECT_HI "none": the search must fail.
AUTO_RUNS=3
run() {
	local name=$1 expect_hi=$5 expect_caps=$6 key rc
	TRUE_MIN=$2 FLAKY=$3 lo=$4
	shift 6
	tries=() ncap=0 log='' confirm=3 step=2 suite=test auto_mib=114 hi=114
	passes d auto 2G "$AUTO_RUNS" >/dev/null
	rc=0
	search d 2G "$@" >/dev/null || rc=$?
	if [ "$expect_hi" = none ]; then
		if [ "$rc" = 1 ] && [ -z "$hi" ] && [ "$ncap" = "$expect_caps" ]; then
			pass "$name: no minimum, $ncap captures"
		else
			fail "$name" "got status $rc hi=$hi ncap=$ncap; want status 1, no hi, ncap=$expect_caps; captures:$log"
		fi
		return
	fi
	key=${hi}M
	[ "$hi" != "$auto_mib" ] || key=auto
	if [ "$hi" = "$expect_hi" ] && [ "$lo" = $((expect_hi - step)) ] &&
		[ "${tries[$key]:-0}" -ge "$confirm" ] && [ "$ncap" = "$expect_caps" ]; then
		pass "$name: minimum ${hi}M, confirmed ${tries[$key]}x, $((hi - step))M failed, $ncap captures"
	else
		fail "$name" "got hi=$hi lo=$lo ncap=$ncap (tries of hi: ${tries[$key]:-0}); want hi=$expect_hi ncap=$expect_caps; captures:$log"
	fi
}

# auto x3; the guess passes; one step below fails; 2 more at the guess.
run "prediction right" 104 '' 68 104 7 0 104
# The smaller guest's minimum first, its failure as lo: 3 + 1 + 2.
run "previous guest's minimum" 104 '' 102 104 6 104 106
# The prediction too high: bisection below it.
run "prediction too high" 97 '' 68 98 11 0 104
# The prediction too low: bisection above it.
run "prediction too low" 112 '' 68 112 9 0 104
# Nothing below auto passes: auto is the minimum, already confirmed.
run "auto is the minimum" 114 '' 68 114 7 0 104
# No guess: plain bisection from the hard minimum; 90 passes once on the
# way and is confirmed last.
run "no guess" 90 '' 68 90 10
# A flaky failure while confirming the guess: it becomes lo, and the
# search goes on above it, confirming again.
run "confirmation fails once" 104 '104:2' 68 106 10 0 104
# Guesses outside (lo, hi) are skipped.
run "guesses out of range" 104 '' 68 104 9 200 50

# make bench's default: one capture at auto; the minimum still captured
# CONFIRM times.
AUTO_RUNS=1
# auto x1; the guess passes; one step below fails; 2 more at the guess.
run "auto once, prediction right" 104 '' 68 104 5 0 104
# auto x1, nothing below it passes: auto gets its 2 more captures.
run "auto once and the minimum" 114 '' 68 114 7 0 104
# auto x1 is the minimum and fails its second capture: no size passed 3
# times.
run "auto once, flaky at its confirmation" 114 '114:2' 68 none 6 0 104
# The 8 GiB guest after the 2 GiB one: the previous minimum passes, its
# failure is lo; 1 + 1 + 2.
run "auto once, previous guest's minimum" 104 '' 102 104 4 104 106

# bench_estimate_of: the first auto-N.out whose estimate line is whole.
ed=$(mktemp -d)
trap 'rm -rf "$ed"' EXIT
whole='{"kernel": "/lazy/vmlinuz", "terms": [{"name": "margin", "bytes": 8}], "total": 119537664, "hard_minimum": 1}'
printf '%s\n' 'ok 1 - load' "# bench-estimate: ${whole:0:40}" >"$ed/auto-1.out"
printf '%s\n' "# bench-estimate: $whole" '# bench-system-ram: 2147016704' >"$ed/auto-2.out"
est='' ram=''
if bench_estimate_of "$ed" && [ "$(jq -r .total <<<"$est")" = 119537664 ] && [ "$ram" = 2147016704 ]; then
	pass "bench_estimate_of skips a cut estimate line and takes the next capture's"
else
	fail "bench_estimate_of skips a cut estimate line and takes the next capture's" "est '$est' ram '$ram'"
fi
rm -f "$ed/auto-2.out"
printf '%s\n' '# bench-estimate: ' >"$ed/auto-2.out"
est='' ram=''
if ! bench_estimate_of "$ed" && [ -z "$est" ] && [ "$(bench_estimate_line "$ed")" = "${whole:0:40}" ]; then
	pass "bench_estimate_of fails when no capture printed a whole estimate"
else
	fail "bench_estimate_of fails when no capture printed a whole estimate" "est '$est'"
fi
echo "1..$n"
