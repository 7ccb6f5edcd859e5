#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run TAP tests and judge them: a test fails when it exits non-zero, has
# no plan or a plan that does not match the results it printed, or prints
# any "not ok". Each test's TAP goes to OUTDIR/NAME.tap (written under a
# private name first and renamed, so that concurrent runs in a shared tree
# never judge each other's output).
#
# Usage: run-tests.sh OUTDIR "NAME COMMAND [ARGS...]"...   (V=1: show all)
set -euo pipefail

outdir=${1:?usage: run-tests.sh OUTDIR "NAME COMMAND [ARGS...]"...}
shift
mkdir -p "$outdir"

bad=0
total=0
for spec in "$@"; do
	read -r -a words <<<"$spec"
	name=${words[0]}
	tap="$outdir/$name.tap.$$"
	stderr="$outdir/$name.stderr.$$"
	set +e
	"${words[@]:1}" >"$tap" 2>"$stderr"
	rc=$?
	set -e

	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	results=$(grep -cE '^(not )?ok [0-9]+' "$tap" || true)
	failures=$(grep -cE '^not ok [0-9]+' "$tap" || true)
	skips=$(grep -cE '^ok [0-9]+ .*# SKIP' "$tap" || true)
	problem=
	if [[ $rc != 0 ]]; then
		problem="exit status $rc"
	elif [[ -z $plan || $plan == 0 ]]; then
		problem="no plan"
	elif [[ $plan != "$results" ]]; then
		problem="plan 1..$plan but $results results"
	elif [[ $failures != 0 ]]; then
		problem="$failures failed"
	fi

	if [[ ${V:-0} == 1 ]]; then
		cat "$tap"
	fi
	total=$((total + results))
	if [[ -n $problem ]]; then
		bad=$((bad + 1))
		echo "FAIL $name: $problem"
		[[ ${V:-0} == 1 ]] || grep -E -A12 '^not ok' "$tap" || true
		sed 's/^/  stderr: /' "$stderr" | head -n 40
	else
		if [[ $skips != 0 ]]; then
			echo "PASS $name: $results tests, $skips skipped"
		else
			echo "PASS $name: $results tests"
		fi
		grep -E '^ok [0-9]+ .*# SKIP' "$tap" | sed 's/^/  /' || true
	fi
	mv -f "$tap" "$outdir/$name.tap"
	mv -f "$stderr" "$outdir/$name.stderr"
done

if [[ $bad != 0 ]]; then
	echo "$bad of $# test programs FAILED"
	exit 1
fi
echo "All $# test programs passed ($total tests)."
