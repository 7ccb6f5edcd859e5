# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# lazy-kdump-prune.sh - keep old dumps bounded and the dump target's file
# system from filling up. Sourced by the capture script in the crash
# kernel, before it creates the new dump directory:
#
#   . /usr/lib/lazy-kdump/lazy-kdump-prune.sh && lazy_kdump_prune "$base" "$conf"
#
# lazy_kdump_prune DIR [CONF]
#   DIR   the directory the dumps go to (PATH of DUMP_TARGET, mounted)
#   CONF  the settings (default /etc/lazy-kdump-capture.conf): the
#         normalised copy 'lazy-kdump config --capture' writes, KEY=VALUE
#         lines with the value verbatim (lazy-kdump checked the values;
#         they are checked again here); keys:
#     KEEP_DUMPS=N       dumps to keep, the new one included (default 3;
#                        0 keeps all). The oldest are removed until N-1
#                        are left.
#     MIN_FREE=BYTES|N%  space to leave free on the file system (default
#                        5%; a number of bytes, a size such as 512M, or a
#                        percentage of the file system). When less is free,
#                        more old dumps are removed, oldest first (the
#                        newest one is kept).
# Then the size of any file this shell and its children write is limited
# to what is available minus MIN_FREE (at least 1 MiB, so that dmesg.txt
# and the status are still written): a dump that would fill the file
# system stops there instead. SIGXFSZ is ignored, so the collector gets
# EFBIG ("File too large") and exits with an error.
#
# A dump is a directory in DIR named HOST-YYYY-mm-dd-HH:MM:SS[-N] (as the
# capture script names them) holding vmcore, vmcore.incomplete, dmesg.txt
# or status; nothing else in DIR is touched. The age is the date in the
# name. Messages go through the capture script's say() when it is defined.
# Always returns 0: keeping old dumps is never a reason not to capture.
# Names start with lkp_ (this file shares the capture script's shell).

lkp_say() {
	if command -v say >/dev/null 2>&1; then
		say "$*"
	else
		printf 'lazy-kdump-prune: %s\n' "$*" >&2
	fi
}

# lkp_conf FILE KEY: the value of the last KEY= line of FILE.
lkp_conf() {
	[ -r "$1" ] || return 0
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

# lkp_kib SPEC TOTAL_KIB: SPEC (N%, or N with K/M/G/T, or bytes) in KiB.
lkp_kib() {
	case $1 in
	*[!0-9]%* | %*) return 1 ;;
	*%) echo $(($2 * ${1%\%} / 100)) ;;
	*[!0-9KMGTkmgtiB]* | '') return 1 ;;
	*) awk -v s="$1" 'BEGIN {
		n = s + 0; u = toupper(substr(s, length(n "") + 1, 1))
		m = (u == "K") ? 1 : (u == "M") ? 1024 : (u == "G") ? 1048576 : (u == "T") ? 1073741824 : 1 / 1024
		printf "%d\n", n * m }' ;;
	esac
}

# lkp_dumps DIR: the dump directories in DIR, oldest first, one a line.
lkp_dumps() {
	for lkp_d in "$1"/*-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*; do
		[ -d "$lkp_d" ] || continue
		[ -e "$lkp_d/vmcore" ] || [ -e "$lkp_d/vmcore.incomplete" ] ||
			[ -e "$lkp_d/dmesg.txt" ] || [ -e "$lkp_d/status" ] || continue
		lkp_n=${lkp_d##*/}
		lkp_t=$(printf '%s\n' "$lkp_n" |
			sed -n 's/.*\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\).*/\1/p')
		printf '%s %s\n' "$lkp_t" "$lkp_d"
	done | sort | cut -d' ' -f2-
}

# lkp_avail DIR: KiB available to the capture / total on DIR's file system.
lkp_avail() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'; }
lkp_total() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $2 }'; }

lkp_remove() {
	if rm -rf "$1" 2>/dev/null; then
		lkp_say "removed the old dump ${1##*/} ($2)"
	else
		lkp_say "could not remove the old dump $1"
		return 1
	fi
}

lazy_kdump_prune() {
	lkp_dir=$1
	lkp_cf=${2:-/etc/lazy-kdump-capture.conf}
	[ -d "$lkp_dir" ] || return 0
	lkp_keep=$(lkp_conf "$lkp_cf" KEEP_DUMPS)
	case ${lkp_keep:=3} in
	*[!0-9]*)
		lkp_say "KEEP_DUMPS=$lkp_keep is not a number: keeping 3"
		lkp_keep=3
		;;
	esac
	lkp_min=$(lkp_conf "$lkp_cf" MIN_FREE)
	[ -n "$lkp_min" ] || lkp_min=5%
	lkp_total_kib=$(lkp_total "$lkp_dir")
	[ -n "$lkp_total_kib" ] || lkp_total_kib=0
	if ! lkp_min_kib=$(lkp_kib "$lkp_min" "$lkp_total_kib"); then
		lkp_say "MIN_FREE=$lkp_min is neither a size nor a percentage: leaving 5% free"
		lkp_min_kib=$((lkp_total_kib * 5 / 100))
	fi

	# Retention: at most KEEP_DUMPS-1 old dumps.
	if [ "$lkp_keep" -gt 0 ]; then
		lkp_count=$(lkp_dumps "$lkp_dir" | wc -l)
		lkp_dumps "$lkp_dir" | head -n $((lkp_count - lkp_keep + 1 > 0 ? lkp_count - lkp_keep + 1 : 0)) |
			while IFS= read -r lkp_old; do
				lkp_remove "$lkp_old" "KEEP_DUMPS=$lkp_keep"
			done
	fi

	# Free space: old dumps go while less than MIN_FREE is available; the
	# newest old one stays (it may be the only copy of an earlier crash).
	while :; do
		lkp_av=$(lkp_avail "$lkp_dir")
		[ -n "$lkp_av" ] || break
		[ "$lkp_av" -lt "$lkp_min_kib" ] || break
		lkp_old=$(lkp_dumps "$lkp_dir" | head -n 1)
		if [ -z "$lkp_old" ] || [ "$(lkp_dumps "$lkp_dir" | wc -l)" -le 1 ]; then
			break
		fi
		lkp_remove "$lkp_old" "less than MIN_FREE=$lkp_min free" || break
	done

	# The guard: no file may grow past what leaves MIN_FREE.
	lkp_av=$(lkp_avail "$lkp_dir")
	[ -n "$lkp_av" ] || return 0
	lkp_budget=$((lkp_av - lkp_min_kib))
	[ "$lkp_budget" -ge 1024 ] || lkp_budget=1024
	trap '' XFSZ
	if command -v prlimit >/dev/null 2>&1 &&
		prlimit --pid $$ --fsize=$((lkp_budget * 1024)): 2>/dev/null; then
		:
	elif [ -n "${BASH_VERSION:-}" ] && ! (set -o | grep -q '^posix[[:space:]]*on'); then
		ulimit -f "$lkp_budget" 2>/dev/null || lkp_say "cannot limit the dump's size (ulimit -f)"
	else
		ulimit -f $((lkp_budget * 2)) 2>/dev/null || lkp_say "cannot limit the dump's size (ulimit -f)"
	fi
	lkp_say "free-space guard: $((lkp_av / 1024)) MiB available, MIN_FREE=$lkp_min ($((lkp_min_kib / 1024)) MiB): files written up to $((lkp_budget / 1024)) MiB"
	return 0
}
