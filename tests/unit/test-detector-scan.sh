#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug tiers' two readers of kernel logs, on a made-up log
# (fixtures/detector/console.log: a report while booting, a KCSAN race of
# the kernel's own, a KCSAN race with a lazy_cma frame, a WARNING, and a
# crash kernel's KFENCE report):
#   tests/vm/detector-reports.awk  the console scan of check-debug.sh
#   tests/vm/guest/dmesg-bad.awk   the guest's dmesg check (/init), also
#                                  under busybox awk when it is installed
#                                  (the guests' awk may be busybox's)
#
# Usage: test-detector-scan.sh TOP
set -euo pipefail

top=$(realpath "${1:?usage: test-detector-scan.sh TOP}")
fix=$top/tests/unit/fixtures/detector
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	sed 's/^/# /' "$2"
}
# same NAME GOT WANT: the two files are equal.
same() {
	if diff -u "$3" "$2" >"$tmp/diff"; then pass "$1"; else fail "$1" "$tmp/diff"; fi
}

re='BUG:|WARNING:|KFENCE:'
awk -v f=LOG -v re="$re" -v tag='[before lazy_cma]' -v rtag='[race without lazy_cma]' \
	-f "$top/tests/vm/detector-reports.awk" "$fix/console.log" >"$tmp/scan"
grep '^LOG' "$tmp/scan" >"$tmp/heads" || true
same "console scan: each report once, tagged before lazy_cma, as a race without lazy_cma, or not at all" \
	"$tmp/heads" "$fix/console.expected"
# The lazy_cma race's body: both stacks, up to its closing line of "=".
sed -n '/^LOG:24:/,/^LOG:34:/p' "$tmp/scan" | sed '1d;$d' >"$tmp/body"
if [ "$(wc -l <"$tmp/body")" = 9 ] && grep -q 'lcma_ioctl+0x10/0x20 \[lazy_cma\]' "$tmp/body" &&
	tail -n 1 "$tmp/body" | grep -q '======'; then
	pass "console scan: a KCSAN report's body is its two stacks, to its closing line"
else
	fail "console scan: a KCSAN report's body is its two stacks, to its closing line" "$tmp/body"
fi
# CRLF logs (the serial console) read the same.
sed 's/$/\r/' "$fix/console.log" >"$tmp/crlf.log"
awk -v f=LOG -v re="$re" -v tag='[before lazy_cma]' -v rtag='[race without lazy_cma]' \
	-f "$top/tests/vm/detector-reports.awk" "$tmp/crlf.log" | grep '^LOG' >"$tmp/heads-crlf" || true
same "console scan: a log with CRLF line ends gives the same reports" "$tmp/heads-crlf" "$fix/console.expected"

# The guest's check reads one kernel's dmesg: the first kernel's part.
sed -n '1,/Kernel panic/p' "$fix/console.log" >"$tmp/dmesg"
awks=(awk)
command -v busybox >/dev/null && busybox awk 'BEGIN { exit 0 }' 2>/dev/null && awks+=("busybox awk")
for a in "${awks[@]}"; do
	# shellcheck disable=SC2086 # "busybox awk" is two words
	$a -v t0=5 -f "$top/tests/vm/guest/dmesg-bad.awk" "$tmp/dmesg" >"$tmp/bad"
	same "dmesg check ($a): after t0, the lazy_cma race and the WARNING; not the kernel's own race" \
		"$tmp/bad" "$fix/dmesg-after-5.expected"
	# shellcheck disable=SC2086
	$a -v t0=0 -f "$top/tests/vm/guest/dmesg-bad.awk" "$tmp/dmesg" >"$tmp/bad0"
	if [ "$(wc -l <"$tmp/bad0")" = 2 ] && ! grep -q 'boot_a\|kernel_a' "$tmp/bad0"; then
		pass "dmesg check ($a): from boot, still no race without a lazy_cma frame"
	else
		fail "dmesg check ($a): from boot, still no race without a lazy_cma frame" "$tmp/bad0"
	fi
	# A race report cut off before its closing line still counts when ours.
	head -n 32 "$tmp/dmesg" >"$tmp/cut"
	# shellcheck disable=SC2086
	$a -v t0=0 -f "$top/tests/vm/guest/dmesg-bad.awk" "$tmp/cut" >"$tmp/badcut"
	if grep -q 'lcma_ioctl' "$tmp/badcut"; then
		pass "dmesg check ($a): a lazy_cma race cut off before its end counts"
	else
		fail "dmesg check ($a): a lazy_cma race cut off before its end counts" "$tmp/badcut"
	fi
done
echo "1..$n"
