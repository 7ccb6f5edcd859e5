#!/usr/bin/env bash
# Run the static checkers an upstream kernel maintainer runs on the module,
# TAP on stdout.
#
# Usage: scripts/check-static.sh [CHECKER...]
#   CHECKER: checkpatch, sparse, w1 or coccicheck; default all four (what
#   `make check-static` runs). tests/run-all.sh runs "checkpatch sparse".
#
#   checkpatch  the kernel's scripts/checkpatch.pl --strict --no-tree -f on
#               every source file of the module, one TAP line a file; from
#               Debian's trixie kernel source (scripts/fetch-kernel-source.sh).
#               The report types ignored, and why: CHECKPATCH_IGNORE below.
#   sparse      a C=2 build (CHECK=sparse) for each kernel of SUITES, in the
#               build chroot (scripts/build-module.sh, MODULE_MAKE_ARGS); any
#               sparse message fails. Skipped for 7.x, whose headers refuse
#               Debian's sparse 0.6.4 (see build_check).
#   w1          the W=1 build for each kernel of SUITES (any warning fails).
#   coccicheck  the trixie kernel source's coccinelle scripts, `make
#               coccicheck MODE=report M=...` on a copy of the module; any
#               report fails. One TAP line: the rules come from one tree, and
#               they match the source, not a kernel's headers. Slow (about 3
#               minutes of CPU time, longer on a busy machine), so not part
#               of `make check`. Needs coccinelle and ocaml (two rules are
#               OCaml scripts): scripts/install-deps.sh --static.
#
# Environment:
#   SUITES      kernels of sparse and w1 (default "bookworm trixie
#               trixie-backports")
#   MODULE_SRC  the module's source directory (default module/ of this clone)
#   STATIC_OUT  where logs go (default build/static of this clone)
#   LAZY_KDUMP_CACHE, DEBIAN_MIRROR: see scripts/common.sh
# The chroot builds (sparse, w1) need root. Exit status 1 when any check
# failed; every report is printed as a TAP comment under its line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
: "${MODULE_SRC:=$repo/module}"
: "${STATIC_OUT:=$repo/build/static}"
suites=${SUITES-bookworm trixie trixie-backports}

# checkpatch types ignored, and why. Everything else is fixed in the source.
#   (all files)      nothing
#   compat.h         CAMELCASE: compat.h names the kernel's own API
#                    (__PageMovable() of 6.1 and 6.12); without the kernel
#                    tree (--no-tree) checkpatch cannot know it is not ours.
#   uapi/lazy_cma.h  BIT_MACRO: BIT() is kernel-internal (<linux/bits.h> is
#                    not part of the UAPI); this header is compiled by
#                    userspace too, so its flags are written (1U << n), as
#                    other UAPI headers do.
CHECKPATCH_IGNORE_ALL=''
# checkpatch_ignore FILE: the types ignored for FILE (relative to the module
# directory), comma-separated.
checkpatch_ignore() {
	local t=$CHECKPATCH_IGNORE_ALL
	case $1 in
	compat.h) t+=${t:+,}CAMELCASE ;;
	uapi/lazy_cma.h) t+=${t:+,}BIT_MACRO ;;
	esac
	echo "$t"
}

total_fail=0
# tap VERDICT TEXT [REPORT-FILE]: a TAP line, the reports as comments.
tap() {
	echo "$1 - $2"
	[ "$1" = ok ] || total_fail=$((total_fail + 1))
	if [ -n "${3-}" ] && [ -s "$3" ]; then
		sed 's/^/#   /' "$3"
	fi
	return 0
}

# module_files: the module's source files, relative to MODULE_SRC, one a
# line (C sources and headers, Kbuild, Makefile, dkms.conf).
module_files() {
	(cd "$MODULE_SRC" && find . -type f \( -name '*.[ch]' -o -name Kbuild \
		-o -name Makefile -o -name dkms.conf \) ! -name '*.mod.c' -print |
		sed 's|^\./||' | LC_ALL=C sort)
}

# stage DEST: copy the module source to DEST without build artifacts; the
# checkers write beside what they check, never into the clone.
stage() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -C "$MODULE_SRC" -chf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.cmd' --exclude='*.order' \
		--exclude=Module.symvers --exclude='.checkpatch-camelcase.*' . |
		tar -C "$1" -xf -
}

run_checkpatch() {
	local tree cp f n ign work start=$SECONDS
	local -a files
	if ! tree=$("$here/fetch-kernel-source.sh" trixie 2>"$out/checkpatch.err" | tail -n 1); then
		tap "not ok" "checkpatch: no kernel source (scripts/fetch-kernel-source.sh trixie failed)" "$out/checkpatch.err"
		return 0
	fi
	cp=$tree/scripts/checkpatch.pl
	[ -f "$cp" ] || { tap "not ok" "checkpatch: no $cp"; return 0; }
	perl -MTerm::ANSIColor -MEncode -MPOSIX -MGetopt::Long -e 1 2>/dev/null ||
		{ tap "not ok" "checkpatch: perl lacks modules checkpatch.pl uses; run scripts/install-deps.sh"; return 0; }
	mapfile -t files < <(module_files)
	[ ${#files[@]} -gt 0 ] || { tap "not ok" "checkpatch: no source files in $MODULE_SRC"; return 0; }
	# checkpatch.pl runs in WORK, on a copy named like the module directory
	# (reports say module/main.c): --strict seeds its CamelCase list from
	# --root's include/ (empty here; --no-tree) and from git when there is a
	# .git (GIT_DIR points nowhere), and writes that list's cache into the
	# current directory.
	work=$out/checkpatch-work
	stage "$work/$name"
	mkdir -p "$work/include"
	for f in "${files[@]}"; do
		ign=$(checkpatch_ignore "$f")
		(cd "$work" && GIT_DIR="$work/no-git" perl "$cp" --strict --no-tree \
			--root="$work" -f --terse --show-types --no-summary --color=never \
			${ign:+--ignore "$ign"} "$name/$f") >"$out/checkpatch.tmp" 2>&1 || true
		n=$(grep -c "^$name/$f:[0-9]*:" "$out/checkpatch.tmp" || true)
		if [ "$n" -eq 0 ] && ! grep -q . "$out/checkpatch.tmp"; then
			tap ok "checkpatch: $name/$f${ign:+ (ignoring $ign)}"
		else
			tap "not ok" "checkpatch: $name/$f: $n report(s)" "$out/checkpatch.tmp"
		fi
		cat "$out/checkpatch.tmp" >>"$out/checkpatch.log"
	done
	rm -f "$out/checkpatch.tmp"
	log "checkpatch: ${#files[@]} files in $((SECONDS - start)) s"
}

# module_path PATH: PATH of a build log (/build/module/F in the chroot, or
# relative, as 7.x prints it) as a path relative to the module directory;
# nothing for a path outside it (a kernel header).
module_path() {
	local p=${1#/build/module/}
	p=${p#./}
	if [ "$p" != "$1" ] || { [[ $p != /* ]] && [ -f "$MODULE_SRC/$p" ]; }; then
		echo "$p"
	fi
}

# build_check KIND SUITE MAKE-ARGS: one build of scripts/build-module.sh;
# a TAP line from the messages of its log.
build_check() {
	local kind=$1 suite=$2 args=$3 dir rc=0 line file lno msg rel n=0 start=$SECONDS
	dir=$out/$kind-$suite
	rm -rf "$dir"
	mkdir -p "$dir"
	MODULE_MAKE_ARGS=$args MODULE_SRC=$MODULE_SRC \
		"$here/build-module.sh" "$suite" "$dir" >/dev/null 2>"$dir/stderr" || rc=$?
	: >"$dir/reports"
	if [ -f "$dir/build.log" ]; then
		while IFS= read -r line; do
			[[ $line =~ ^([^:\ ]+):([0-9]+):([0-9]+:)?\ (warning|error):\ (.*)$ ]] || continue
			file=${BASH_REMATCH[1]} lno=${BASH_REMATCH[2]}
			msg="${BASH_REMATCH[4]}: ${BASH_REMATCH[5]}"
			rel=$(module_path "$file")
			echo "${rel:-$file}:$lno: $msg" >>"$dir/reports"
			n=$((n + 1))
		done <"$dir/build.log"
	fi
	log "$kind $suite: $n report(s), build exit $rc, $((SECONDS - start)) s"
	# 6.19+ (7.x) run scripts/checker-valid.sh, which Debian's headers lack,
	# and which would refuse sparse 0.6.4 anyway: it cannot parse
	# __typeof_unqual__, which their headers use under __CHECKER__ (forced
	# with KBUILD_CHECKSRC=2, it reports some 200 errors in the kernel's own
	# headers and none in ours). The kernel then builds without the checker.
	if [ "$kind" = sparse ] && [ "$n" -eq 0 ] && [ "$rc" = 0 ] &&
		grep -q 'C=[12] specified, but .* is not available or not up to date' "$dir/build.log"; then
		tap ok "$kind: $suite # SKIP the kernel refuses Debian's sparse 0.6.4 (no __typeof_unqual__; scripts/checker-valid.sh)"
		return 0
	fi
	if [ "$n" -gt 0 ]; then
		tap "not ok" "$kind: $suite: $n report(s) (log: $dir/build.log)" "$dir/reports"
	elif [ "$rc" != 0 ]; then
		tail -n 5 "$dir/stderr" >"$dir/reports"
		tap "not ok" "$kind: $suite: the build failed (exit $rc; log: $dir/build.log)" "$dir/reports"
	else
		tap ok "$kind: $suite"
	fi
}

run_builds() {
	local kind=$1 args=$2 suite
	if [ -z "$suites" ]; then
		tap ok "$kind # SKIP SUITES is empty"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		tap ok "$kind # SKIP the chroot builds need root"
		return 0
	fi
	for suite in $suites; do
		build_check "$kind" "$suite" "$args"
	done
}

run_coccicheck() {
	local tree dir rc=0 n start=$SECONDS
	if ! command -v spatch >/dev/null; then
		tap "not ok" "coccicheck: spatch is not installed; run scripts/install-deps.sh --static"
		return 0
	fi
	if ! command -v ocamlfind >/dev/null || ! command -v ocamlopt >/dev/null; then
		tap "not ok" "coccicheck: no OCaml compiler (rules with OCaml scripts need it); run scripts/install-deps.sh --static"
		return 0
	fi
	if ! tree=$("$here/fetch-kernel-source.sh" trixie 2>"$out/coccicheck.err" | tail -n 1); then
		tap "not ok" "coccicheck: no kernel source (scripts/fetch-kernel-source.sh trixie failed)" "$out/coccicheck.err"
		return 0
	fi
	# A copy: M= must not point into the clone.
	dir=$out/coccicheck-src
	stage "$dir"
	make -C "$tree" coccicheck MODE=report M="$dir" J="$(nproc)" \
		>"$out/coccicheck.log" 2>&1 || rc=$?
	# Reports name the files: "DIR/main.c:123:4-10: WARNING: ...".
	grep "^$dir/" "$out/coccicheck.log" | sed "s|^$dir/||" >"$out/coccicheck.reports" || true
	n=$(wc -l <"$out/coccicheck.reports")
	log "coccicheck: $n report(s), exit $rc, $((SECONDS - start)) s"
	if [ "$n" -gt 0 ]; then
		tap "not ok" "coccicheck: $n report(s) (log: $out/coccicheck.log)" "$out/coccicheck.reports"
	elif [ "$rc" != 0 ]; then
		grep -v '^/usr/bin/spatch\|^fatal: not a git\|files match$' "$out/coccicheck.log" |
			tail -n 5 >"$out/coccicheck.reports" || true
		tap "not ok" "coccicheck: failed (exit $rc; log: $out/coccicheck.log)" "$out/coccicheck.reports"
	else
		tap ok "coccicheck: $(grep -c '^/usr/bin/spatch' "$out/coccicheck.log" || true) rules of the trixie kernel source"
	fi
}

case ${1-} in
-h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
checkers=("$@")
[ ${#checkers[@]} -gt 0 ] || checkers=(checkpatch sparse w1 coccicheck)
for c in "${checkers[@]}"; do
	case $c in
	checkpatch | sparse | w1 | coccicheck) ;;
	*) die "unknown checker '$c' (use checkpatch, sparse, w1, coccicheck)" ;;
	esac
done
[ -d "$MODULE_SRC" ] || die "module source directory '$MODULE_SRC' does not exist"
MODULE_SRC=$(cd "$MODULE_SRC" && pwd)
name=${MODULE_SRC##*/}
out=$STATIC_OUT
mkdir -p "$out"
rm -f "$out/checkpatch.log"

echo "TAP version 13"
for c in "${checkers[@]}"; do
	case $c in
	checkpatch) run_checkpatch ;;
	# W= : this build reports sparse only; the W=1 build is its own check.
	sparse) run_builds sparse "C=2 W=" ;;
	w1) run_builds w1 "" ;;
	coccicheck) run_coccicheck ;;
	esac
done
[ "$total_fail" -eq 0 ]
