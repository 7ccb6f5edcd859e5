#!/usr/bin/env bash
# Self-test of the VM harness: the failure paths must be reported, not lost.
#
# Usage: tests/vm/selftest.sh [SUITE]     (default trixie: its kernel boots fastest)
#
# Boots about ten guests (about 90 s): an early hang that a retry cures, a
# hang that does not go away, a group time limit, a script that exits
# non-zero / prints junk / asks the host for nonsense, a missing script,
# kernel backtraces in dmesg, a panic with no crash kernel, and run.sh's
# numbering and plan. Prints TAP; exit status 1 when a check failed.
# Results under build/vm-results/selftest/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

suite=${1:-trixie}
kdir=$("$top/scripts/fetch-kernel.sh" "$suite" | tail -n 1)
KVER=''
# shellcheck source=/dev/null
. "$kdir/info"
out=$top/build/vm-results/selftest
rm -rf "$out"
mkdir -p "$out"
initrd=$out/initrd.cpio.gz
"$here/mkinitrd.sh" "$kdir" "$initrd" >"$out/mkinitrd.log" 2>&1 ||
	die "mkinitrd.sh failed: see $out/mkinitrd.log"

n=0 failed=0
t_ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
t_not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}
# has CASE DESC REGEX: the case's output has a line matching REGEX.
has() {
	if grep -Eq -- "$3" "$out/$1.out"; then t_ok "$1: $2"; else
		t_not_ok "$1: $2"
		echo "#   no line matches: $3 (output: $out/$1.out)"
	fi
}
hasnt() {
	if ! grep -Eq -- "$3" "$out/$1.out"; then t_ok "$1: $2"; else
		t_not_ok "$1: $2"
		grep -E -- "$3" "$out/$1.out" | head -n 3 | sed 's/^/#   unexpected: /'
	fi
}
status_is() {
	if [ "${rc[$1]}" = "$2" ]; then t_ok "$1: exit status $2"; else
		t_not_ok "$1: exit status $2"
		echo "#   got ${rc[$1]}"
	fi
}
file_ok() {
	if [ -s "$3" ]; then t_ok "$1: $2"; else t_not_ok "$1: $2 ($3 missing or empty)"; fi
}

declare -A rc
# run CASE [ENV=VAL...] -- QEMU-RUN ARGS: one qemu-run.sh, output in CASE.out.
run() {
	local name=$1 r=0
	shift
	local -a envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	env "${envs[@]}" "$here/qemu-run.sh" -o "$out/$name" "$@" >"$out/$name.out" 2>&1 || r=$?
	rc[$name]=$r
}

echo "TAP version 13"
echo "# harness self-test on $KVER"

run retry LAZY_VM_INJECT=stall-first -- -b 20 -r 1 "$kdir" "$initrd" retry smoke -- -m 1G
status_is retry 0
has retry "an early hang is retried" 'attempt 1 did not finish \(no LAZYTEST BEGIN within 20s \(boot hang\?\)\); retrying'
has retry "the second attempt's results are reported" '^ok - guest runs the kernel the initrd was built for$'
hasnt retry "no failure after a successful retry" '^not ok'
if [ -e "$out/retry/attempt1-console.log" ]; then t_ok "retry: the hung attempt's console log is kept"; else
	t_not_ok "retry: the hung attempt's console log is kept (no $out/retry/attempt1-console.log)"
fi

run hang LAZY_VM_INJECT=stall -- -b 3 -r 1 "$kdir" "$initrd" hang smoke -- -m 1G
status_is hang 1
has hang "a guest that never boots is a failure naming its console log" \
	"^not ok - hang: guest did not finish: no LAZYTEST BEGIN within 3s \(boot hang\?\) \(console log: $out/hang/console.log\)$"
has hang "it was tried twice" '^# hang attempt 2: did not finish'

run timeout -- -t 3 -r 0 "$kdir" "$initrd" timeout smoke -- -m 1G
status_is timeout 1
has timeout "a group over its time limit is a failure" '^not ok - timeout: guest did not finish: timed out after 3s'
file_ok timeout "the console log of a timed-out guest is kept" "$out/timeout/console.log"
has timeout "the end of the console log is shown" '^#   console: '

run script -- -r 0 "$kdir" "$initrd" script harness_exit,nonexistent,harness_warn -- -m 1G
status_is script 1
hasnt script "the guest finished" 'did not finish'
has script "TAP of a script that later fails arrives" '^ok - harness_exit: this line reaches the host$'
has script "a non-zero exit is a failure" '^not ok - t_harness_exit exited 3$'
has script "an unknown host request is a failure" "^not ok - host: unknown request 'LAZYTEST HOST no-such-request'$"
has script "non-TAP output is shown as a note" '^# guest: this is not TAP$'
has script "a missing script is a failure" '^not ok - t_nonexistent: no such test script'
has script "backtraces in dmesg are a failure" '^not ok - t_harness_warn: kernel warning or oops in dmesg$'
has script "the offending dmesg lines are shown" '^#   .*Call Trace:'

run nocrash -- -r 0 "$kdir" "$initrd" nocrash harness_nocrash -- -m 1G
status_is nocrash 1
has nocrash "lines before a panic arrive" '^ok - harness_nocrash: no crash kernel loaded$'
has nocrash "a panic without crash kernel is a failure" \
	'^not ok - nocrash: guest did not finish: QEMU exited \(status 0\) after EXPECT-CRASH without a crash kernel boot'

# run.sh: numbering across groups, plan, per-suite file, exit status.
cat >"$out/groups" <<'EOF'
# two groups: one passes, one fails
pass | 60 | numa_smoke | -m 2G -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,memdev=m0 -numa node,nodeid=1,memdev=m1 | |
fail | 60 | harness_exit | -m 512M
skipped | 60 | smoke | -m 1G | | no-such-suite
EOF
r=0
LAZY_CMA_KO=/nonexistent LAZY_VM_RESULTS=$out/run LAZY_VM_RETRIES=0 \
	"$here/run.sh" -f "$out/groups" "$suite" >"$out/run.out" 2>&1 || r=$?
rc[run]=$r
status_is run 1
has run "TAP version line" '^TAP version 13$'
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out/run.out")
count=$(grep -cE '^(not )?ok [0-9]+ ' "$out/run.out" || true)
numbers=$(grep -E '^(not )?ok [0-9]+ ' "$out/run.out" | sed -E 's/^(not )?ok ([0-9]+) .*/\2/' | tr '\n' ' ')
if [ -n "$plan" ] && [ "$plan" = "$count" ] && [ "$numbers" = "$(seq -s ' ' 1 "$count") " ]; then
	t_ok "run: results numbered 1..$count, plan 1..$plan"
else
	t_not_ok "run: results numbered 1..N with plan 1..N"
	echo "#   plan '$plan', $count results, numbers: $numbers"
fi
has run "results carry suite/group" "^ok [0-9]+ - $suite/pass: node1 exists$"
has run "a failing group's results are numbered too" "^not ok [0-9]+ - $suite/fail: t_harness_exit exited 3$"
hasnt run "a group limited to other suites does not run" "$suite/skipped"
file_ok run "per-suite TAP file" "$out/run/$suite.tap"
if [ -s "$out/run/$suite.tap" ] && [ "$(tail -n 1 "$out/run/$suite.tap")" = "1..$(grep -cE '^(not )?ok [0-9]+ ' "$out/run/$suite.tap")" ]; then
	t_ok "run: per-suite file ends with its plan"
else
	t_not_ok "run: per-suite file ends with its plan"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
