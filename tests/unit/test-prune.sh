#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dracut/lazy-kdump-prune.sh: retention (KEEP_DUMPS) and the free-space
# guard (MIN_FREE) on small tmpfs file systems, under every shell the
# capture may run in (dash, busybox sh, bash). Needs root for the mounts
# (a private mount namespace); skipped otherwise.
#
# Usage: test-prune.sh PRUNE_SCRIPT
set -euo pipefail

script=$(realpath "${1:?usage: test-prune.sh PRUNE_SCRIPT}")
if [ "${LAZY_PRUNE_IN_NS:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
		echo "1..0 # SKIP needs root and unshare for tmpfs mounts"
		exit 0
	fi
	exec unshare --mount --propagation private env LAZY_PRUNE_IN_NS=1 "$0" "$@"
fi

tmp=$(mktemp -d)
trap 'umount "$tmp/fs" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/fs"

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do printf '#   %s\n' "$l"; done
}
expect() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc" "failed: $*" "log: $(tr '\n' '|' <"$tmp/log" 2>/dev/null)"; fi
}

shells=()
for s in dash bash; do command -v "$s" >/dev/null && shells+=("$s"); done
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && shells+=("$b sh") && break
done

# fresh SIZE: an empty tmpfs of SIZE on $tmp/fs.
fresh() {
	umount "$tmp/fs" 2>/dev/null || true
	mount -t tmpfs -o "size=$1" tmpfs "$tmp/fs"
	mkdir -p "$tmp/fs/crash"
}
# dump NAME [KiB]: a dump directory with a vmcore of KiB.
dump() {
	mkdir -p "$tmp/fs/crash/$1"
	echo log >"$tmp/fs/crash/$1/dmesg.txt"
	head -c "$((${2:-4} * 1024))" /dev/zero >"$tmp/fs/crash/$1/vmcore"
}
# prune SHELL CONF_LINES...: run lazy_kdump_prune on $tmp/fs/crash.
prune() {
	local sh=$1
	shift
	printf '%s\n' "$@" >"$tmp/conf"
	# shellcheck disable=SC2086,SC2016 # "busybox sh" is two words; $1.. are its
	$sh -c '. "$1"; lazy_kdump_prune "$2" "$3"' sh "$script" "$tmp/fs/crash" "$tmp/conf" >"$tmp/log" 2>&1
}
left() { find "$tmp/fs/crash" -mindepth 1 -maxdepth 1 -printf "%f\n" | sort | tr "\n" " "; }

for sh in "${shells[@]}"; do
	fresh 16M
	dump hostb-2024-01-03-10:00:00
	dump hosta-2024-01-01-10:00:00
	dump hosta-2024-01-02-10:00:00
	dump hosta-2024-01-04-10:00:00
	dump hosta-2024-01-04-10:00:00-2
	mkdir "$tmp/fs/crash/notes"
	echo keep >"$tmp/fs/crash/README"
	mkdir "$tmp/fs/crash/empty-2024-01-01-09:00:00"
	expect "$sh: KEEP_DUMPS=3 runs" prune "$sh" KEEP_DUMPS=3
	expect "$sh: ... keeps the 2 newest dumps by date, and what is not a dump" \
		test "$(left)" = "README empty-2024-01-01-09:00:00 hosta-2024-01-04-10:00:00 hosta-2024-01-04-10:00:00-2 notes "
	expect "$sh: ... and says what it removed" grep -q 'removed the old dump hosta-2024-01-01-10:00:00 (KEEP_DUMPS=3)' "$tmp/log"

	fresh 16M
	for d in 01 02 03 04 05; do dump "h-2024-01-$d-10:00:00"; done
	prune "$sh" '# lazy-kdump-capture-conf 1' KEEP_DUMPS=0
	expect "$sh: KEEP_DUMPS=0 keeps every dump" test "$(left | wc -w)" = 5
	prune "$sh" "KEEP_DUMPS=1"
	expect "$sh: KEEP_DUMPS=1 removes every old dump" test "$(left)" = ""
	dump h-2024-02-01-10:00:00
	prune "$sh" "KEEP_DUMPS=lots"
	expect "$sh: KEEP_DUMPS=lots is refused with a message" grep -q 'KEEP_DUMPS=lots is not a number' "$tmp/log"

	# Free space: a 16 MiB file system, 3 dumps of 4 MiB; MIN_FREE=8M
	# leaves room for 2 of them, the newest old one stays.
	fresh 16M
	dump h-2024-01-01-10:00:00 4096
	dump h-2024-01-02-10:00:00 4096
	dump h-2024-01-03-10:00:00 4096
	prune "$sh" KEEP_DUMPS=0 MIN_FREE=8388608
	expect "$sh: MIN_FREE=8388608 (bytes, as lazy-kdump config --capture writes it) removes the oldest dumps until 8 MiB are free" \
		test "$(left)" = "h-2024-01-03-10:00:00 "
	expect "$sh: ... saying why" grep -q 'less than MIN_FREE=8388608 free' "$tmp/log"
	fresh 16M
	dump h-2024-01-01-10:00:00 12288
	prune "$sh" KEEP_DUMPS=0 MIN_FREE=50%
	expect "$sh: the newest old dump is kept even below MIN_FREE" test "$(left)" = "h-2024-01-01-10:00:00 "

	# The guard: a file written after pruning stops short of MIN_FREE.
	fresh 16M
	printf 'MIN_FREE=25%%\n' >"$tmp/conf"
	# shellcheck disable=SC2086,SC2016
	$sh -c '. "$1"; lazy_kdump_prune "$2" "$3"; head -c 16777216 /dev/zero >"$2/big"; echo "rc=$?"' \
		sh "$script" "$tmp/fs/crash" "$tmp/conf" >"$tmp/log" 2>&1 || true
	size=$(stat -c %s "$tmp/fs/crash/big" 2>/dev/null || echo 0)
	avail=$(df -Pk "$tmp/fs" | awk 'NR == 2 { print $4 }')
	expect "$sh: the guard stops a big file at 12 MiB ($((size / 1024)) KiB written)" \
		test "$size" -gt $((11 * 1048576)) -a "$size" -le $((12 * 1048576))
	expect "$sh: ... the writer fails (EFBIG, not killed) and MIN_FREE stays free ($avail KiB)" \
		bash -c "grep -q 'rc=[1-9]' '$tmp/log' && [ '$avail' -ge 4000 ]"
	expect "$sh: ... and says so" grep -q 'free-space guard: 16 MiB available, MIN_FREE=25% (4 MiB)' "$tmp/log"
	fresh 16M
	head -c $((15 * 1048576)) /dev/zero >"$tmp/fs/filler"
	# shellcheck disable=SC2086,SC2016
	$sh -c '. "$1"; lazy_kdump_prune "$2" "$3"; head -c 200000 /dev/zero >"$2/dmesg.txt"' \
		sh "$script" "$tmp/fs/crash" "$tmp/conf" >"$tmp/log" 2>&1 || true
	expect "$sh: on a full file system small files (dmesg.txt) are still written" \
		test "$(stat -c %s "$tmp/fs/crash/dmesg.txt" 2>/dev/null || echo 0)" = 200000
	prune "$sh" MIN_FREE=lots
	expect "$sh: MIN_FREE=lots is refused with a message" grep -q 'MIN_FREE=lots is neither a size nor a percentage' "$tmp/log"
done
expect "ran under ${#shells[@]} shells (${shells[*]})" test "${#shells[@]}" -ge 2
echo "1..$n"
