#!/usr/bin/env bash
# Run the VM test groups on Debian kernels under QEMU TCG; TAP on stdout.
#
# Usage: tests/vm/run.sh [-g GROUP,...] [-f GROUPS_FILE] SUITE...
#   SUITE      bookworm (6.1), trixie (6.12), trixie-backports (7.x), or
#              debug: Debian's 6.12 source built with the bug detectors
#              (scripts/build-debug-kernel.sh; make check-debug), or
#              kcsan: the same with KCSAN instead of KASAN
#              (build-debug-kernel.sh --kcsan; make check-kcsan)
#   -g GROUPS  run only these groups (default: $LAZY_VM_GROUPS, else all)
#   -f FILE    the group table (default tests/vm/groups; format in that file)
#
# First the userspace, once: "make -C lazy_kdump STATIC=1 O=build/vm-static"
# and "make -C tests/vm STATIC=1" (static binaries for /lazy/bin), and a
# makedumpfile new enough for every kernel (scripts/fetch-makedumpfile.sh:
# trixie's, for the guests and for the host checks). Then for each suite:
# the kernel (scripts/fetch-kernel.sh), lazy_cma.ko (scripts/build-module.sh
# SUITE, which prints the .ko paths), the initrds (tests/vm/mkinitrd.sh, with
# tests/vm/lazy-kdump.conf as /etc/lazy-kdump.conf), and every group of the
# table, one guest each (tests/vm/qemu-run.sh).
#
# Output: one TAP stream numbered across all suites, "SUITE/GROUP: " before
# each description, the plan at the end; build/vm-results/SUITE.tap holds
# each suite's own stream. Exit status 1 when anything failed.
#
# Environment:
#   LAZY_CMA_KO          lazy_cma.ko file(s), blank-separated: the one built for
#                        a suite's kernel is used instead of build-module.sh;
#                        a suite none of them fits runs without the module
#   LAZY_VM_BINS         project binaries for /lazy/bin, relative to the repo
#                        (default: lazy-cma and lazy-kdump from
#                        build/vm-static/, dracut/lazy-kdump-capture.sh,
#                        systemd/lazy-kdump-memhp.sh and
#                        every executable in tests/vm/build/, where
#                        tests/vm/Makefile puts them)
#   LAZY_VM_MAKEDUMPFILE makedumpfile for the guests and the host checks
#                        (default: scripts/fetch-makedumpfile.sh's; the
#                        host's when that fails)
#   LAZY_VM_RESULTS      results directory (default build/vm-results)
#   LAZY_VM_RETRIES      attempts after the first for an unfinished guest (1)
#   LAZY_VM_BOOT_TIMEOUT seconds until /init must report (45)
#   LAZY_VM_TIMEOUT_FACTOR  multiplies every group's timeout (1; the debug
#                        kernel's detectors make TCG guests slower)
#   LAZY_VM_APPEND       kernel command line words added to every group's
#                        (KEY=VALUE words reach the tests as variables)
#   LAZY_KDUMP_CACHE     download/build cache (default /var/cache/lazy-kdump)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$top/scripts/common.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

only=${LAZY_VM_GROUPS:-}
table=$here/groups
while getopts g:f:h opt; do
	case $opt in
	g) only=$OPTARG ;;
	f) table=$OPTARG ;;
	h) usage 0 ;;
	*) usage 2 >&2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage 2 >&2
[ -r "$table" ] || die "cannot read the group table $table"
only=${only//,/ }

results=${LAZY_VM_RESULTS:-$top/build/vm-results}
mkdir -p "$results"
results=$(cd "$results" && pwd)
retries=${LAZY_VM_RETRIES:-1}
boot_timeout=${LAZY_VM_BOOT_TIMEOUT:-45}
timeout_factor=${LAZY_VM_TIMEOUT_FACTOR:-1}
[[ $timeout_factor =~ ^[1-9][0-9]*$ ]] || die "LAZY_VM_TIMEOUT_FACTOR must be a whole number >= 1, not '$timeout_factor'"

trim() {
	local v=$1
	v=${v#"${v%%[![:space:]]*}"}
	v=${v%"${v##*[![:space:]]}"}
	printf '%s' "$v"
}

total=0 failed=0
suite_n=0 suite_tap=''

# emit SUITE_GROUP LINE: number a TAP result line into the run's stream and
# the suite's file; pass notes through.
emit() {
	local where=$1 line=$2 verdict rest
	case $line in
	"not ok"*) verdict="not ok" rest=${line#not ok} ;;
	"ok"*) verdict=ok rest=${line#ok} ;;
	*)
		echo "$line"
		[ -z "$suite_tap" ] || echo "$line" >>"$suite_tap"
		return 0
		;;
	esac
	# Drop a number the line may have, and the dash.
	rest=$(sed -E 's/^ *[0-9]*//; s/^ *- ?//' <<<"$rest")
	total=$((total + 1))
	[ "$verdict" = ok ] || failed=$((failed + 1))
	echo "$verdict $total - ${where:+$where: }$rest"
	if [ -n "$suite_tap" ]; then
		suite_n=$((suite_n + 1))
		echo "$verdict $suite_n - ${where:+$where: }$rest" >>"$suite_tap"
	fi
}

# fail_step WHERE WHAT LOG: a build step failed; show the end of its log.
fail_step() {
	emit "$1" "not ok - $2 (log: $3)"
	while IFS= read -r l; do
		emit "$1" "#   $l"
	done < <(tail -n 10 "$3")
}

echo "TAP version 13"

# The userspace, once: static binaries for the guests.
logs=$results/logs
mkdir -p "$logs"
# lazy_kdump is built out of the tree (O=): others may build in it.
static=build/vm-static
for d in lazy_kdump tests/vm; do
	[ -f "$top/$d/Makefile" ] || {
		emit "" "# note: $d/Makefile missing: nothing to build there"
		continue
	}
	o=()
	[ "$d" != lazy_kdump ] || o=("O=$top/$static")
	if make -C "$top/$d" STATIC=1 "${o[@]}" >"$logs/make-${d//\//-}.log" 2>&1; then
		emit "" "ok - build $d (make -C $d STATIC=1${o:+ ${o[*]}})"
	else
		fail_step "" "build $d (make -C $d STATIC=1${o:+ ${o[*]}})" "$logs/make-${d//\//-}.log"
	fi
done
if [ -n "${LAZY_VM_BINS+set}" ]; then
	bins=$LAZY_VM_BINS
else
	bins="$static/lazy-cma $static/lazy-kdump dracut/lazy-kdump-capture.sh dracut/lazy-kdump-prune.sh systemd/lazy-kdump-memhp.sh"
	for f in "$here"/build/*; do
		[ -f "$f" ] && [ -x "$f" ] && bins="$bins tests/vm/build/${f##*/}"
	done
fi
bin_paths=()
for b in $bins; do
	bin_paths+=("$top/$b")
	[ -f "$top/$b" ] || emit "" "# note: $b not built: the guests will not have it"
done

# makedumpfile: bookworm's 1.7.2 cannot read every kernel's dumps.
if [ -z "${LAZY_VM_MAKEDUMPFILE:-}" ]; then
	if LAZY_VM_MAKEDUMPFILE=$("$top/scripts/fetch-makedumpfile.sh" 2>"$logs/fetch-makedumpfile.log"); then
		emit "" "# makedumpfile for the guests and host checks: $LAZY_VM_MAKEDUMPFILE"
	else
		LAZY_VM_MAKEDUMPFILE=$(command -v makedumpfile || true)
		emit "" "# note: scripts/fetch-makedumpfile.sh failed (log: $logs/fetch-makedumpfile.log); using ${LAZY_VM_MAKEDUMPFILE:-no makedumpfile}"
	fi
fi
export LAZY_VM_MAKEDUMPFILE
mdf_path=$PATH
[ -z "$LAZY_VM_MAKEDUMPFILE" ] || mdf_path=$(dirname "$LAZY_VM_MAKEDUMPFILE"):$PATH

for suite in "$@"; do
	suite_tap=$results/$suite.tap suite_n=0
	echo "TAP version 13" >"$suite_tap"
	emit "" "# ===== suite $suite"
	t_suite=$SECONDS

	# The debug and kcsan suites build their kernel instead of fetching one.
	case $suite in
	debug) kget=("$top/scripts/build-debug-kernel.sh") ;;
	kcsan) kget=("$top/scripts/build-debug-kernel.sh" --kcsan) ;;
	*) kget=("$top/scripts/fetch-kernel.sh" "$suite") ;;
	esac
	if ! kdir=$("${kget[@]}" 2>"$logs/fetch-$suite.log" | tail -n 1) ||
		[ ! -r "$kdir/info" ]; then
		fail_step "$suite" "fetch the $suite kernel (${kget[*]#"$top/"})" "$logs/fetch-$suite.log"
		echo "1..$suite_n" >>"$suite_tap"
		continue
	fi
	KVER='' HEADERS=''
	# shellcheck source=/dev/null
	. "$kdir/info"
	emit "" "# $suite: kernel $KVER ($kdir)"

	# The module for this kernel.
	ko=''
	if [ -n "${LAZY_CMA_KO:-}" ]; then
		for k in $LAZY_CMA_KO; do
			v=$(modinfo -F vermagic "$k" 2>/dev/null || true)
			[ "${v%% *}" != "$KVER" ] || ko=$k
		done
		[ -n "$ko" ] || emit "$suite" "# note: no file in LAZY_CMA_KO is built for $KVER: tests that need lazy_cma.ko skip"
	elif [ -x "$top/scripts/build-module.sh" ]; then
		# The debug kernel's own build tree (host gcc), else the suite's
		# headers in the build chroot.
		mbuild=("$top/scripts/build-module.sh" "$suite")
		case $suite in debug | kcsan) mbuild=("$top/scripts/build-module.sh" --kdir "$kdir/root/$HEADERS") ;; esac
		if out=$("${mbuild[@]}" 2>"$logs/module-$suite.log") &&
			ko=$(grep -E '/lazy_cma\.ko$' <<<"$out" | tail -n 1) && [ -f "$ko" ]; then
			emit "$suite" "ok - build lazy_cma.ko for $KVER"
		else
			ko=''
			fail_step "$suite" "build lazy_cma.ko for $KVER (${mbuild[*]#"$top/"})" "$logs/module-$suite.log"
		fi
	else
		emit "$suite" "# note: scripts/build-module.sh missing: no lazy_cma.ko; tests that need it skip"
	fi

	initrd=$results/$KVER/initrd.cpio.gz
	if ! PATH=$mdf_path "$here/mkinitrd.sh" ${ko:+-k "$ko"} -C "$here/lazy-kdump.conf" \
		"$kdir" "$initrd" "${bin_paths[@]}" >"$logs/initrd-$suite.log" 2>&1; then
		fail_step "$suite" "build the initrds for $KVER (tests/vm/mkinitrd.sh)" "$logs/initrd-$suite.log"
		echo "1..$suite_n" >>"$suite_tap"
		continue
	fi
	while IFS= read -r l; do
		emit "" "# $suite: initrd ${l#*: }"
	done < <(grep -h 'note:' "$logs/initrd-$suite.log" || true)

	ran=0
	while IFS='|' read -r name tmo tests qargs cmdline suites hostopts _ <&4; do
		name=$(trim "$name")
		case $name in '' | '#'*) continue ;; esac
		tmo=$(trim "$tmo") tests=$(trim "$tests") cmdline=$(trim "${cmdline:-}")
		suites=$(trim "${suites:-}")
		# Host options: disk=SIZE, check=NAME (tests/vm/host/check_NAME.sh).
		hargs=()
		for h in $(trim "${hostopts:-}"); do
			case $h in
			disk=*) hargs+=(-d "${h#disk=}") ;;
			check=*) hargs+=(-c "$here/host/check_${h#check=}.sh") ;;
			*) emit "$suite/$name" "not ok - unknown host option '$h' in $table (use disk=SIZE, check=NAME)" ;;
			esac
		done
		if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then
			continue
		fi
		if [ -n "$suites" ] && [[ " $suites " != *" $suite "* ]]; then
			continue
		fi
		ran=$((ran + 1))
		read -ra qa <<<"$qargs"
		t0=$SECONDS
		while IFS= read -r l; do
			emit "$suite/$name" "$l"
		done < <("$here/qemu-run.sh" -t $((${tmo:-120} * timeout_factor)) -b "$boot_timeout" -r "$retries" \
			-a "$cmdline${LAZY_VM_APPEND:+ $LAZY_VM_APPEND}" -o "$results/$KVER/$name" "${hargs[@]}" \
			"$kdir" "$initrd" "$name" "${tests// /}" -- "${qa[@]}" </dev/null || true)
		emit "" "# $suite/$name: $((SECONDS - t0)) s"
	done 4<"$table"
	[ "$ran" -gt 0 ] || emit "$suite" "not ok - no group of $table matches '${only:-all}' for $suite"
	emit "" "# $suite: $((SECONDS - t_suite)) s"
	echo "1..$suite_n" >>"$suite_tap"
done
suite_tap=''

echo "1..$total"
echo "# $((total - failed)) passed, $failed failed (results: $results)"
[ "$failed" -eq 0 ]
