#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lazy-cma command line: usage errors (exit 2), help (exit 0),
# operational failures (exit 1) and their messages, write errors on stdout,
# and, with fake-lazy-cma.so preloaded, every verb end to end. TAP output.
#
# Usage: test-cli.sh LAZY_CMA FAKE_SO FIXTURES
#
# "[[ cond ]] && pass ... || fail ...": pass never fails, so this is an if.
# shellcheck disable=SC2015

set -euo pipefail
shopt -s extglob

LAZY_CMA=$(realpath "${1:?usage: test-cli.sh LAZY_CMA FAKE_SO FIXTURES}")
FAKE_SO=$(realpath "${2:?missing FAKE_SO}")
FIXTURES=$(realpath "${3:?missing FIXTURES}")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
out=
err=
rc=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@" "exit status: $rc" "stdout: $out" "stderr: $err"; do
		printf '#   %s\n' "$line"
	done
}

# run CMD...: run it, keep stdout, stderr and the exit status.
run() {
	set +e
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# expect DESCRIPTION RC STDERR_PATTERN [STDOUT_PATTERN]: check the last run.
# Patterns are bash globs matched against the whole text ("\\[" for a
# literal "["); "" means empty.
expect() {
	local what=$1 want_rc=$2 err_pat=$3 out_pat=${4-}
	# shellcheck disable=SC2053 # the patterns are globs on purpose
	if [[ $rc != "$want_rc" ]]; then
		fail "$what" "want exit status $want_rc"
	elif [[ $err != $err_pat ]]; then
		fail "$what" "stderr does not match: $err_pat"
	elif [[ $out != $out_pat ]]; then
		fail "$what" "stdout does not match: $out_pat"
	else
		pass "$what"
	fi
}

lc() { run "$LAZY_CMA" "$@"; }

# --- Usage errors: exit 2, a message and a pointer to --help on stderr.
usage_case() {
	local pattern=$1
	shift
	lc "$@"
	expect "usage error: lazy-cma $*" 2 "lazy-cma: $pattern*Try 'lazy-cma*--help' for more information."
}

usage_case "Missing verb."
usage_case "Unknown verb 'frobnicate'." frobnicate
usage_case "Unknown option '--bogus'." --bogus list
usage_case "Unknown option '-x'." -x
usage_case "Option '--device' needs an argument." --device
usage_case "Too few arguments: lazy-cma alloc SIZE" alloc
usage_case "Too many arguments" alloc 1G 2G
usage_case "Invalid size '12Q'" alloc 12Q
usage_case "Invalid size ''" alloc ''
usage_case "Invalid size '0': must not be 0." alloc 0
usage_case "Invalid size '1.5'" alloc 1.5
usage_case "Invalid size '0x1G'" alloc 0x1G
usage_case "Size '99999999999999999999' is too large." alloc 99999999999999999999
usage_case "Size '16E' is too large." alloc 16E
usage_case "Invalid node 'x'" alloc 1G --node x
usage_case "Invalid node '-1'" alloc 1G --node -1
usage_case "Option '--node' needs an argument." alloc 1G --node
usage_case "--below-4g and --above-4g exclude each other." alloc 1G --below-4g --above-4g
usage_case "Name '$(printf 'a%.0s' {1..64})' is too long: at most 63 characters." \
	alloc 1G --name "$(printf 'a%.0s' {1..64})"
usage_case "Invalid name: only printable ASCII" alloc 1G --name $'a\tb'
usage_case "Option '--json' does not apply to 'alloc'." alloc 1G --json
usage_case "Option '--low' does not apply to 'free'." free 0x1000 --low
usage_case "Too few arguments: lazy-cma free ADDR" free
usage_case "Invalid address 'zz'" free zz
usage_case "Invalid address '0x'" free 0x
usage_case "Invalid address '1G'" free 1G
usage_case "Address '0x10000000000000000' does not fit in 64 bits." free 0x10000000000000000
usage_case "Too few arguments: lazy-cma resize ADDR SIZE" resize 0x1000
usage_case "Invalid size '12Q'" resize 0x1000 12Q
usage_case "Invalid address 'q'" resize q 1G
usage_case "Too many arguments: lazy-cma list" list extra
usage_case "Unknown option '--bogus'." list --bogus
usage_case "Too few arguments: lazy-cma bind ADDR" bind
usage_case "Too many arguments: lazy-cma unbind ADDR" unbind 1 2

lc alloc 12Q
expect "usage errors print nothing on stdout" 2 "*" ""

# --- Help and version: stdout, exit 0, nothing on stderr.
lc --help
expect "--help" 0 "" "Usage: lazy-cma \\[--device PATH\\] VERB*Exit status:*2  invalid command line*"
lc -h
expect "-h" 0 "" "Usage: lazy-cma*"
for verb in alloc resize free list bind unbind; do
	lc "$verb" --help
	expect "$verb --help" 0 "" "Usage: lazy-cma \\[--device PATH\\] $verb *"
	lc --help
	[[ $out == *"  $verb "* ]] && pass "--help lists $verb" || fail "--help lists $verb"
done
lc alloc -h 12Q
expect "a verb's --help wins over bad arguments" 0 "" "Usage: lazy-cma*alloc*"
lc --version
expect "--version" 0 "" "lazy-cma (lazy-kdump) *"

# --- Write errors on stdout are failures (util-linux close_stdout).
for args in --help --version "list --help"; do
	# shellcheck disable=SC2086 # split the verb from its option
	run "$LAZY_CMA" $args
	set +e
	# shellcheck disable=SC2086
	"$LAZY_CMA" $args >/dev/full 2>"$tmp/err"
	rc=$?
	set -e
	err=$(cat "$tmp/err")
	out=
	expect "lazy-cma $args >/dev/full fails" 1 "lazy-cma: Failed to write to stdout: No space left on device."
done

# --- No device, or not the device.
lc --device /nonexistent/lazy_cma list
expect "missing device: module not loaded" 1 \
	"lazy-cma: Failed to open /nonexistent/lazy_cma: No such file or directory. lazy_cma.ko is not loaded: run 'modprobe lazy_cma'."
lc list --device /nonexistent/lazy_cma
expect "--device after the verb" 1 "lazy-cma: Failed to open /nonexistent/lazy_cma: *modprobe lazy_cma*"
lc --device / list
expect "a directory as device" 1 "lazy-cma: Failed to open /: Is a directory."

notdev="/dev/null is not the lazy_cma device, or its lazy_cma.ko is older than this tool: load the matching module."
export LAZY_CMA_KALLSYMS="$FIXTURES/kallsyms-crash"
lc --device /dev/null list
expect "list on /dev/null" 1 "lazy-cma: Failed to list the buffers of /dev/null: Inappropriate ioctl for device. $notdev"
lc --device /dev/null alloc 256M --node 1
expect "alloc on /dev/null" 1 "lazy-cma: Failed to allocate 256M on node 1: Inappropriate ioctl for device. $notdev"
lc --device /dev/null resize 0x100000000 1536M
expect "resize on /dev/null" 1 "lazy-cma: Failed to resize the buffer at 0x100000000 to 1.5G: Inappropriate ioctl for device. $notdev"
lc --device /dev/null free 0x100000000
expect "free on /dev/null" 1 "lazy-cma: Failed to free the buffer at 0x100000000: Inappropriate ioctl for device. $notdev"
lc --device /dev/null bind 0x100000000
expect "bind on /dev/null: the kexec lock is given first" 1 "lazy-cma: Failed to give lazy_cma the kernel's kexec lock (__kexec_lock at 0xffffffff83000080): Inappropriate ioctl for device. $notdev"
lc --device /dev/null unbind 0x100000000
expect "unbind on /dev/null" 1 "lazy-cma: Failed to unbind the buffer at 0x100000000 from the crash-kernel region: Inappropriate ioctl for device. $notdev"

# --- kallsyms problems, before any ioctl.
LAZY_CMA_KALLSYMS="$FIXTURES/kallsyms-hidden" lc --device /dev/null bind 0x1000
expect "hidden kallsyms" 1 "lazy-cma: */kallsyms-hidden shows the address of crashk_res as 0: kptr_restrict hides kernel addresses; run as root with kernel.kptr_restrict<=1."
LAZY_CMA_KALLSYMS="$FIXTURES/kallsyms-nocrash" lc --device /dev/null bind 0x1000
expect "no crashk_res" 1 "lazy-cma: crashk_res is not in */kallsyms-nocrash: the running kernel has no crash dump support*"
LAZY_CMA_KALLSYMS="$FIXTURES/kallsyms-nocrash" lc --device /dev/null bind --low 0x1000
expect "no crashk_low_res" 1 "lazy-cma: crashk_low_res is not in *"
LAZY_CMA_KALLSYMS="$tmp/none" lc --device /dev/null bind 0x1000
expect "no kallsyms file" 1 "lazy-cma: $tmp/none does not exist, so the address of crashk_res is unknown*"
LAZY_CMA_KALLSYMS="$FIXTURES/kallsyms-dup" lc --device /dev/null bind --low 0x1000
expect "ambiguous symbol" 1 "*several symbols named crashk_low_res*"
LAZY_CMA_KALLSYMS="$FIXTURES/kallsyms-hidden" lc --device /nonexistent bind 0x1000
expect "bind reports the missing module first" 1 "*modprobe lazy_cma*"

# --- Not root: the device exists but cannot be opened.
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$LAZY_CMA"; then
	install -m 0600 /dev/null "$tmp/rootonly"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$LAZY_CMA" --device "$tmp/rootonly" list
	expect "unprivileged open: needs root" 1 "lazy-cma: Failed to open $tmp/rootonly: Permission denied. This needs root (CAP_SYS_ADMIN)."
else
	n=$((n + 1))
	echo "ok $n - unprivileged open: needs root # SKIP needs root, setpriv and a binary user 65534 can run"
fi

# --- End to end against the fake module.
dev="$tmp/fake-dev"
: >"$dev"
export FAKE_LAZY_CMA="$dev"
FAKE_LAZY_CMA_CRASHK_RES=$(awk '$2 == "D" && $3 == "crashk_res" && NF == 3 { print "0x" $1 }' "$LAZY_CMA_KALLSYMS")
FAKE_LAZY_CMA_CRASHK_LOW_RES=$(awk '$2 == "D" && $3 == "crashk_low_res" && NF == 3 { print "0x" $1 }' "$LAZY_CMA_KALLSYMS")
FAKE_LAZY_CMA_KEXEC_LOCK=$(awk '$2 == "B" && $3 == "__kexec_lock" && NF == 3 { print "0x" $1 }' "$LAZY_CMA_KALLSYMS")
export FAKE_LAZY_CMA_CRASHK_RES FAKE_LAZY_CMA_CRASHK_LOW_RES FAKE_LAZY_CMA_KEXEC_LOCK
fk() { run env LD_PRELOAD="$FAKE_SO" "$LAZY_CMA" --device "$dev" "$@"; }

# A statically linked lazy-cma (make STATIC=1) cannot be faked.
why_not=
if ! command -v jq >/dev/null; then
	why_not="needs jq"
else
	fk list
	[[ $rc == 0 ]] || why_not="lazy-cma ignores LD_PRELOAD (statically linked?)"
fi
if [[ -n $why_not ]]; then
	n=$((n + 1))
	echo "ok $n - end-to-end tests with the fake module # SKIP $why_not"
	echo "1..$n"
	[[ $failed == 0 ]]
	exit
fi

# list --json | the one value of key $2 in the object whose phys_addr is $1
json_field() {
	jq -r --arg a "$1" ".[] | select(.phys_addr == \$a) | .$2" <<<"$out"
}
# The table row (whitespace squeezed) of the buffer at $1.
table_row() { awk -v a="$1" '$1 == a { $1 = $1; print }' <<<"$out"; }

fk list
expect "an empty list is just the header" 0 "" "START*END*SIZE*NODE*ZONE*FLAGS*ATTEMPTS*TIME*NAME"
[[ $(awk '{ $1 = $1; print }' <<<"$out") == "START END SIZE NODE ZONE FLAGS ATTEMPTS TIME NAME" ]] &&
	pass "the header has the documented columns" || fail "the header has the documented columns"
fk list --json
expect "an empty JSON list" 0 "" "\\[\\]"

fk alloc 256M
expect "alloc prints an address alone" 0 "" "0x+([0-9a-f])"
a1=$out
fk alloc 96M --below-4g --name crashkernel
expect "alloc --below-4g --name" 0 "" "0x+([0-9a-f])"
a2=$out
(( a2 + 96 * 1024 * 1024 <= 0x100000000 )) && pass "--below-4g lands below 4 GiB" ||
	fail "--below-4g lands below 4 GiB" "got $a2"
fk alloc 1G --node 1 --above-4g
expect "alloc --node 1 --above-4g" 0 "" "0x+([0-9a-f])"
a3=$out
[[ $a1 != "$a2" && $a2 != "$a3" && $a1 != "$a3" ]] && pass "three different addresses" ||
	fail "three different addresses" "$a1 $a2 $a3"

fk list
expect "list" 0 "" "START*"
[[ $(wc -l <<<"$out") == 4 ]] && pass "list: header and three rows" || fail "list: header and three rows"
a2_end=$(printf '0x%x' $((a2 + 96 * 1024 * 1024 - 1)))
row=$(table_row "$a2")
[[ $row == "$a2 $a2_end 96M 0 DMA32 - 1 1.5ms crashkernel" ]] && pass "list row of the named buffer" ||
	fail "list row of the named buffer" "row: $row"
row=$(table_row "$a1")
[[ $row == "$a1 "*" 256M 0 Normal - 1 "*" lazy_cma" ]] && pass "an unnamed buffer is lazy_cma" ||
	fail "an unnamed buffer is lazy_cma" "row: $row"
row=$(table_row "$a3")
[[ $row == "$a3 "*" 1G 1 Normal - "* ]] && pass "list shows node 1" || fail "list shows node 1" "row: $row"
sorted=$(awk 'NR > 1 { print $1 }' <<<"$out" | while read -r a; do printf '%d\n' "$a"; done)
[[ $sorted == "$(sort -n <<<"$sorted")" ]] && pass "list is ordered by address" || fail "list is ordered by address"

fk list --json
expect "list --json" 0 "" "\\[*\\]"
if jq -e . <<<"$out" >/dev/null 2>&1; then pass "list --json is valid JSON"; else fail "list --json is valid JSON"; fi
keys=$(jq -c '[.[] | keys] | unique' <<<"$out")
[[ $keys == '[["alloc_attempts","alloc_ns","crash","crash_low","end","len","loaded","map_count","mapped","name","node","phys_addr","zone"]]' ]] &&
	pass "every JSON object has exactly the documented keys" || fail "every JSON object has exactly the documented keys" "$keys"
types=$(jq -c '[.[] | [.phys_addr, .end, .len, .node, .zone, .crash, .crash_low, .loaded, .mapped, .map_count, .alloc_ns, .alloc_attempts, .name] | map(type)] | unique' <<<"$out")
[[ $types == '[["string","string","number","number","string","boolean","boolean","boolean","boolean","number","number","number","string"]]' ]] &&
	pass "JSON value types" || fail "JSON value types" "$types"
[[ $(json_field "$a2" len) == $((96 * 1024 * 1024)) && $(json_field "$a2" end) == "$a2_end" &&
	$(json_field "$a2" zone) == DMA32 && $(json_field "$a2" name) == crashkernel &&
	$(json_field "$a2" alloc_ns) == 1500000 && $(json_field "$a3" node) == 1 ]] &&
	pass "JSON values of the buffers" || fail "JSON values of the buffers"

fk resize "$a1" 512M
expect "resize prints the address" 0 "" "0x+([0-9a-f])"
a1=$out
fk list --json
[[ $(json_field "$a1" len) == $((512 * 1024 * 1024)) ]] && pass "resize took effect" || fail "resize took effect"
fk resize "$a1" 0
expect "resize to 0 is a usage error" 2 "*must not be 0*"

fk bind "$a2"
expect "bind" 0 "" ""
fk list
row=$(table_row "$a2")
[[ $row == *" 96M 0 DMA32 crash 1 "* ]] && pass "list shows crash" || fail "list shows crash" "row: $row"
fk list --json
[[ $(json_field "$a2" crash) == true && $(json_field "$a2" crash_low) == false ]] &&
	pass "JSON crash true" || fail "JSON crash true"

fk free "$a2"
expect "free of a bound buffer" 1 "lazy-cma: Failed to free the buffer at $a2: Device or resource busy. The buffer is bound as the crash-kernel region (unbind it first with 'lazy-cma unbind'), is mapped, or is being resized."
fk bind "$a1"
expect "a second crash region" 1 "lazy-cma: Failed to bind the buffer at $a1 as the crash-kernel region (crashk_res at $FAKE_LAZY_CMA_CRASHK_RES): File exists. The kernel already has a crash-kernel region*"
fk bind "$a2"
expect "bind twice" 1 "*File exists*"
fk bind "$a3" --low
expect "bind --low above 4 GiB" 1 "*Invalid argument. *a low binding was asked for a buffer that does not lie below 4 GiB."
fk alloc 64M --below-4g --name crash-low
a4=$out
fk bind --low "$a4"
expect "bind --low" 0 "" ""
fk list
row=$(table_row "$a4")
[[ $row == *" crash-low 1 "*" crash-low" ]] && pass "list shows crash-low" || fail "list shows crash-low" "row: $row"
FAKE_LAZY_CMA_CRASHK_RES=0x1 fk bind "$a1"
expect "a resource address the module refuses" 1 "*Invalid argument. The module rejected the crash resource address*"

fk unbind "$a1"
expect "unbind of an unbound buffer" 1 "lazy-cma: Failed to unbind the buffer at $a1 from the crash-kernel region: Invalid argument. The buffer is not bound*"
fk unbind "$a2"
expect "unbind" 0 "" ""
fk unbind "$a4"
expect "unbind low" 0 "" ""

fk free 0x12345000
expect "free of no buffer" 1 "lazy-cma: Failed to free the buffer at 0x12345000: No such file or directory. No buffer starts at that address; see 'lazy-cma list'."
fk alloc 256M --node 5
expect "alloc on a missing node" 1 "lazy-cma: Failed to allocate 256M on node 5: No such device. Is node 5 online, and does it have memory? See 'lazy-cma list' and /sys/devices/system/node/."
fk alloc 3G --below-4g
expect "alloc too large for the zone: the largest window, from ALLOC_REPORT" 1 "lazy-cma: Failed to allocate 3G below 4 GiB: Cannot allocate memory. No free physically contiguous window that large was found; the largest usable one was *M (2 attempt(s)). Ask for at most that*compact_memory*"

# Forced errors: every documented errno gets its hint.
forced() {
	local what=$1 fail=$2 pattern=$3
	shift 3
	FAKE_LAZY_CMA_FAIL=$fail fk "$@"
	expect "$what" 1 "$pattern"
}
forced "alloc EPERM" ALLOC:EPERM "*: Operation not permitted. This needs root (CAP_SYS_ADMIN)." alloc 1G
forced "list EACCES" LIST:EACCES "*: Permission denied. This needs root (CAP_SYS_ADMIN)." list
forced "list EINVAL" LIST:EINVAL "*: Invalid argument. The module rejected the request*" list
forced "alloc EINTR" ALLOC:EINTR "*Interrupted system call. A fatal signal interrupted the page migration; try again." alloc 1G
forced "alloc EINVAL" ALLOC:EINVAL "*: Invalid argument. The size is 0 or larger than*" alloc 1G
forced "alloc ENODEV without --node" ALLOC:ENODEV "lazy-cma: Failed to allocate 1G: No such device. The NUMA node is not online*" alloc 1G
forced "resize ENOMEM" RESIZE:ENOMEM "lazy-cma: Failed to resize the buffer at $a1 to 2G: Cannot allocate memory. The buffer cannot grow in place*" resize "$a1" 2G
FAKE_LAZY_CMA_LARGEST=$((64 << 20)) forced "alloc ENOMEM: the report's largest window" ALLOC:ENOMEM \
	"lazy-cma: Failed to allocate 1G: Cannot allocate memory. No free physically contiguous window that large was found; the largest usable one was 64M (2 attempt(s)). Ask for at most that*" alloc 1G
FAKE_LAZY_CMA_LARGEST=$((130 << 20)) forced "resize ENOMEM: the report's largest window" RESIZE:ENOMEM \
	"lazy-cma: Failed to resize the buffer at $a1 to 2G: Cannot allocate memory. No free physically contiguous window that large was found; the largest usable one was 130M*" resize "$a1" 2G
forced "alloc ENOMEM, no window size in the report: the generic hint" ALLOC:ENOMEM "*Cannot allocate memory. No free physically contiguous window that large was found (memory too full or fragmented)*" alloc 1G
forced "resize EBUSY" RESIZE:EBUSY "*Device or resource busy. A crash kernel is loaded into the buffer (unload it with 'kexec -p -u')*" resize "$a1" 2G
forced "bind EOPNOTSUPP" CRASH_BIND:EOPNOTSUPP "*Operation not supported. This kernel lacks what binding needs (kexec support, or kprobes on crash_shrink_memory())." bind "$a1"
forced "bind EBUSY" CRASH_BIND:EBUSY "*Device or resource busy. The buffer is already bound, is mapped, or is being resized; or a crash kernel is already loaded*; or a kexec load or unload*is in progress: try again when it has finished." bind "$a1"
forced "bind --low uses crashk_low_res" CRASH_BIND:EBUSY "lazy-cma: Failed to bind the buffer at $a1 as the low crash-kernel region (crashk_low_res at $FAKE_LAZY_CMA_CRASHK_LOW_RES)*" bind "$a1" --low
forced "bind ENOLCK" CRASH_BIND:ENOLCK "*No locks available. The module does not know where the kernel's kexec lock is*" bind "$a1"
forced "kexec lock EINVAL" KEXEC_LOCK:EINVAL "lazy-cma: Failed to give lazy_cma the kernel's kexec lock (__kexec_lock at $FAKE_LAZY_CMA_KEXEC_LOCK): Invalid argument. The module rejected the address of __kexec_lock*" bind "$a1"
forced "unbind EBUSY" CRASH_UNBIND:EBUSY "*Device or resource busy. A crash kernel is loaded (unload it first with 'kexec -p -u')*" unbind "$a1"
forced "free EFAULT" FREE:EFAULT "*Bad address. The module could not access the request: this is a bug, please report it." free "$a1"

# alloc whose address cannot be written frees the buffer again.
fk list --json
before=$(jq length <<<"$out")
set +e
env LD_PRELOAD="$FAKE_SO" "$LAZY_CMA" --device "$dev" alloc 2M >/dev/full 2>"$tmp/err"
rc=$?
set -e
err=$(cat "$tmp/err")
out=
expect "alloc >/dev/full fails" 1 "lazy-cma: Failed to write the address of the new buffer to stdout: No space left on device. The buffer was freed again."
fk list --json
[[ $(jq length <<<"$out") == "$before" ]] && pass "... and leaves no buffer behind" || fail "... and leaves no buffer behind"

# More buffers than lcma_list's first guess.
for _ in $(seq 40); do
	fk alloc 2M --name many
	[[ $rc == 0 ]] || break
done
fk list
expect "list of many buffers" 0 "" "START*"
[[ $(grep -c ' many$' <<<"$out") == 40 ]] && pass "list shows all 40 small buffers" ||
	fail "list shows all 40 small buffers" "$(grep -c ' many$' <<<"$out")"

# Free everything: back to empty.
fk list --json
for a in $(jq -r '.[].phys_addr' <<<"$out"); do
	fk free "$a"
	[[ $rc == 0 ]] || break
done
expect "free" 0 "" ""
fk list --json
expect "everything freed" 0 "" "\\[\\]"

echo "1..$n"
[[ $failed == 0 ]]
