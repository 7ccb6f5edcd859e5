#!/usr/bin/env bash
# Run every test: the host unit tests, the fast static checkers on the
# module, the VM tests on $SUITES (tests/vm/run.sh, then tests/vm/short.sh),
# the Debian packages (make deb), the full-system test on $FULL_SUITES, and
# (BENCH=quick) the benchmarks' smoke run. Each part's time is printed
# after it ("# ===== NAME: N s"), the whole run's at the end.
#
# Usage: tests/run-all.sh
# Environment:
#   SUITES       Debian suites for the VM tests and the bench smoke run
#                (default "bookworm trixie trixie-backports"; empty: none)
#   FULL_SUITES  suites of the full-system test (default "trixie
#                bookworm-stack"; SUITE-stack: the dump target on LVM on
#                LUKS on MD RAID 1; SUITE-net, make check-net: dumps sent
#                to a dump-server guest over ssh and NFS; empty: none)
#   DEB_SUITES   the Debian packages to build (scripts/build-deb.sh; default
#                "bookworm trixie"; empty: none)
#   BENCH        "quick": also the benchmarks' smoke run (tests/bench/run.sh
#                --quick, about 20 minutes; make bench-quick); empty
#                (default): none, make check stays within CI's time
#   STATIC       "fast" (default): scripts/check-static.sh checkpatch sparse
#                (sparse on $SUITES); empty: none. make check-static runs
#                all the static checkers.
#   and what tests/vm/run.sh reads (LAZY_VM_GROUPS, LAZY_CMA_KO, ...).
#
# Both parts print TAP; the last line counts the results of both:
#   N passed, N failed, N skipped
# ("ok ... # SKIP" counts as skipped, not passed). A part that fails without
# saying which test failed counts as one failure. Exit status 1 when anything
# failed.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suites=${SUITES-bookworm trixie trixie-backports}
full_suites=${FULL_SUITES-trixie bookworm-stack}
deb_suites=${DEB_SUITES-bookworm trixie}
bench=${BENCH-}
static=${STATIC-fast}

log=$(mktemp "${TMPDIR:-/tmp}/lazy-run-all.XXXXXX")
trap 'rm -f "$log"' EXIT

# part NAME CMD...: run a part, show its output, keep it for the count; a
# failing part with no "not ok" line of its own gets one.
part() {
	local name=$1 rc=0 before start=$SECONDS
	shift
	echo "# ===== $name: $*"
	before=$(grep -c '^not ok' "$log" || true)
	"$@" 2>&1 | tee -a "$log" || rc=$?
	echo "# ===== $name: $((SECONDS - start)) s, exit status $rc"
	if [ "$rc" -ne 0 ] && [ "$(grep -c '^not ok' "$log" || true)" -eq "$before" ]; then
		echo "not ok - $name: '$*' exited $rc" | tee -a "$log"
	fi
}

if [ -f "$top/tests/unit/Makefile" ]; then
	# V=1: tests/unit/run-tests.sh shows every TAP line, not only its summary.
	part "host unit tests" env V=1 make -s -C "$top/tests/unit" check
else
	echo "ok - host unit tests # SKIP tests/unit/Makefile missing" | tee -a "$log"
fi

# checkpatch and sparse take a few minutes; W=1 is in every VM test's
# module build, coccicheck (slow) only in make check-static.
if [ "$static" = fast ]; then
	part "static checks" env SUITES="$suites" "$top/scripts/check-static.sh" checkpatch sparse
else
	echo "ok - static checks # SKIP STATIC='$static'" | tee -a "$log"
fi

# The full-system images take minutes to build from an empty cache
# (debootstrap and apt: mostly downloads and unpacking, 2.5 and 4 minutes
# in CI): build them now, in the background at the lowest priority, while
# the VM tests keep the CPUs busy. The full-system test then finds them
# ready (build-image.sh's lock makes it wait for one still being built)
# and builds one that failed here itself, reporting its error.
image_pid=''
if [ -n "$full_suites" ] && [ -n "$suites" ]; then
	(
		# shellcheck disable=SC2086 # the suites are words
		for s in $(printf '%s\n' $full_suites | sed 's/-stack$//; s/-mpath$//; s/-net$//' | awk '!seen[$0]++'); do
			nice -n 19 "$top/tests/full/build-image.sh" "$s" >/dev/null 2>&1 || true
		done
	) &
	image_pid=$!
	trap 'rm -f "$log"; [ -z "$image_pid" ] || kill "$image_pid" 2>/dev/null || true' EXIT
fi

if [ -n "$suites" ]; then
	# shellcheck disable=SC2086 # the suites are words
	part "VM tests" "$top/tests/vm/run.sh" $suites
	# Two boots per kernel on one disk: armed below the minimum, the next
	# boot's verdict (tests/vm/short.sh).
	# shellcheck disable=SC2086 # the suites are words
	part "VM tests: kdump short of memory" "$top/tests/vm/short.sh" $suites
else
	echo "ok - VM tests # SKIP SUITES is empty" | tee -a "$log"
fi

# The Debian packages (make deb): built and checked with lintian; the
# full-system test then installs them with apt.
if [ -n "$deb_suites" ]; then
	# shellcheck disable=SC2086 # the suites are words
	part "Debian packages" "$top/scripts/build-deb.sh" $deb_suites
else
	echo "ok - Debian packages # SKIP DEB_SUITES is empty" | tee -a "$log"
fi

if [ -n "$full_suites" ]; then
	# shellcheck disable=SC2086 # the suites are words
	part "full-system tests" "$top/tests/full/run.sh" $full_suites
else
	echo "ok - full-system tests # SKIP FULL_SUITES is empty" | tee -a "$log"
fi

# The smoke run keeps the benchmarks from rotting; its TARGET lines are
# not measurements and not asserted. A part that produced no results fails.
if [ "$bench" = quick ] && [ -n "$suites" ]; then
	# shellcheck disable=SC2086 # the suites are words
	part "bench smoke run" "$top/tests/bench/run.sh" --quick $suites
else
	echo "ok - bench smoke run # SKIP not asked for (BENCH=quick or make bench-quick runs it; SUITES='$suites')" | tee -a "$log"
fi

# Count TAP results: "ok"/"not ok" at the start of a line, with or without
# a number; indented lines (subtests) are summarised by their parent line.
read -r passed failed skipped < <(awk '
	/^not ok([ \t]|$)/ { f++; next }
	/^ok([ \t]|$)/ { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++; else p++ }
	END { printf "%d %d %d\n", p, f, s }' "$log")
echo "# make check: $SECONDS s in all"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
