#!/usr/bin/env bash
# Build the out-of-tree module against a kernel, W=1 clean.
#
# Usage:
#   scripts/build-module.sh SUITE [OUTDIR]
#       SUITE: bookworm (6.1), trixie (6.12) or trixie-backports (7.x).
#       Fetches the suite's newest kernel (scripts/fetch-kernel.sh) and builds
#       against its headers in the trixie build chroot
#       (scripts/build-chroot.sh), with the compiler named by the kernel's
#       CONFIG_CC_VERSION_TEXT.
#   scripts/build-module.sh --kdir DIR [OUTDIR]
#       Builds on this host against the prepared kernel build tree DIR
#       (make -C DIR M=... W=1 modules).
#
# The modules built (*.ko) and the build log (build.log) go to OUTDIR,
# default build/KVER in this clone; the .ko paths are printed on stdout, one a
# line, and nothing else is. Fails when the build fails, when it prints any
# warning (the project builds W=1 clean), or when a module's vermagic does not
# name the kernel.
#
# Environment:
#   MODULE_SRC  module source directory (default: module/ of this clone). It
#               is copied, without build artifacts, to a scratch directory:
#               the source tree is never written to.
#   MODULE_MAKE_ARGS  more kbuild arguments, words, e.g. "C=2 CHECK=sparse"
#               (scripts/check-static.sh); a checker's messages count as
#               warnings too. In the chroot, C= needs its CHECK program
#               (default sparse) there.
#   LAZY_KDUMP_CACHE, DEBIAN_MIRROR: see scripts/common.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"
repo=$(cd "$here/.." && pwd)
: "${MODULE_SRC:=$repo/module}"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

# config_value FILE NAME: the value of NAME in a kernel config file, quotes
# removed (auto.conf quotes strings before 5.18, .config always does).
config_value() {
	sed -n "s/^$2=//p" "$1" | head -n 1 | sed 's/^"\(.*\)"$/\1/'
}

# kernel_config DIR: the kernel configuration of a build tree or headers dir.
kernel_config() {
	local c
	for c in "$1/include/config/auto.conf" "$1/.config"; do
		[ -f "$c" ] && { echo "$c"; return 0; }
	done
	return 1
}

# stage_source DEST: copy $MODULE_SRC to DEST, leaving out build artifacts
# (stale objects or .cmd files from another kernel would break the build).
# Symbolic links are followed (-h): a module may share headers with module/
# through links (tests/bench/seed does), which would dangle in DEST.
stage_source() {
	[ -d "$MODULE_SRC" ] || die "module source directory '$MODULE_SRC' does not exist; set MODULE_SRC to the module's directory"
	[ -e "$MODULE_SRC/Kbuild" ] || [ -e "$MODULE_SRC/Makefile" ] ||
		die "no Kbuild or Makefile in '$MODULE_SRC': not a module source directory (set MODULE_SRC)"
	mkdir -p "$1"
	tar -C "$MODULE_SRC" -chf - \
		--exclude=.git --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.cmd' --exclude='*.a' --exclude='*.d' \
		--exclude='*.order' --exclude=Module.symvers --exclude=.tmp_versions \
		--exclude='*.tap' --exclude='*.log' . |
		tar -C "$1" -xf - ||
		die "could not copy the module source from '$MODULE_SRC' to $1"
}

# pahole_number VERSION-STRING: "v1.30" -> 130, as the kernel's
# scripts/pahole-version.sh computes it.
pahole_number() {
	sed -n 's/^v\{0,1\}\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1\2/p' | head -n 1
}

# btf_args CONF PAHOLE-NUMBER: print make arguments that turn module BTF off
# when the kernel wants it but the pahole at hand is missing or is not the
# version the kernel was configured with.
btf_args() {
	local conf=$1 have=$2 want
	[ "$(config_value "$conf" CONFIG_DEBUG_INFO_BTF_MODULES)" = y ] || return 0
	want=$(config_value "$conf" CONFIG_PAHOLE_VERSION)
	if [ -z "$have" ]; then
		log "note: no pahole: building without module BTF"
		echo "CONFIG_DEBUG_INFO_BTF_MODULES="
	elif [ -n "$want" ] && [ "$have" != "$want" ]; then
		log "note: pahole $have differs from the kernel's $want: building without module BTF"
		echo "CONFIG_DEBUG_INFO_BTF_MODULES="
	fi
}

# chroot_build CHROOT KROOT KVER SRC OUT LOG MAKE-ARGS...
# Runs in a private mount namespace (unshare): everything mounted here goes
# away with the process, even when it is killed. Mounts the kernel's
# /usr/src/* and /usr/lib/linux-kbuild-* read-only at the same paths in the
# chroot (its Makefiles name them absolutely; 7.x's also sets KBUILD_OUTPUT),
# builds SRC in a tmpfs, and copies the .ko files to OUT.
chroot_build() {
	set -euo pipefail
	local root=$1 kroot=$2 kver=$3 src=$4 out=$5 logf=$6 d rel rc=0
	shift 6
	mount -t tmpfs -o mode=1777 lazy-kdump-tmp "$root/tmp"
	mount -t tmpfs -o mode=755 lazy-kdump-build "$root/build"
	# The chroot's /usr/src is empty: a tmpfs over it takes the mount points
	# and the symlinks without writing to the chroot.
	mount -t tmpfs -o mode=755 lazy-kdump-src "$root/usr/src"
	mount -t proc lazy-kdump-proc "$root/proc"
	for d in "$kroot"/usr/src/* "$kroot"/usr/lib/linux-kbuild-*; do
		[ -e "$d" ] || continue
		rel=${d#"$kroot"}
		if [ -L "$d" ]; then
			case $rel in /usr/src/*) cp -P "$d" "$root$rel" ;; esac
		elif [ -d "$d" ]; then
			mkdir -p "$root$rel"
			mount --bind "$d" "$root$rel"
			mount -o remount,bind,ro "$root$rel"
		fi
	done
	[ -e "$root/usr/src/linux-headers-$kver/Makefile" ] ||
		die "no /usr/src/linux-headers-$kver/Makefile in the kernel's files under $kroot; delete that kernel directory and fetch it again"
	mkdir "$root/build/module"
	cp -a "$src/." "$root/build/module/"
	chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/usr/sbin \
		HOME=/tmp LANG=C LC_ALL=C TERM=dumb \
		make -C "/usr/src/linux-headers-$kver" M=/build/module "$@" \
		>"$logf" 2>&1 || rc=$?
	find "$root/build/module" -name '*.ko' -exec cp {} "$out/" \;
	return "$rc"
}

# show_log BUILDDIR: copy stdin to stderr with the scratch build directory
# BUILDDIR (named absolutely, or relatively as 7.x does) replaced by
# $MODULE_SRC, so that messages point at the real source.
show_log() {
	local line
	while IFS= read -r line; do
		line=${line//"$1"\//"$MODULE_SRC"/}
		case $line in
		/* | ' '* | make* | *'[M]'*) ;;
		*) [ ! -e "$MODULE_SRC/${line%%:*}" ] || line=$MODULE_SRC/$line ;;
		esac
		printf '%s\n' "$line" >&2
	done
}

# check_log LOG WHAT BUILDDIR: fail on a build log that holds any warning.
check_log() {
	local n
	n=$(grep -ci 'warning:' "$1" || true)
	[ "$n" -gt 0 ] || return 0
	log "the build for $2 printed $n warning(s); the project builds W=1 clean:"
	grep -i 'warning:' "$1" | show_log "$3"
	return 1
}

# modinfo_cmd: kmod's modinfo, also when /sbin is not on PATH.
modinfo_cmd() {
	local m
	for m in "$(command -v modinfo || true)" /usr/sbin/modinfo /sbin/modinfo; do
		[ -n "$m" ] && [ -x "$m" ] && { echo "$m"; return 0; }
	done
	return 1
}

# install_modules FROM KVER OUTDIR: check vermagic, copy the .ko files and
# the log to OUTDIR, print their paths.
install_modules() {
	local from=$1 kver=$2 outdir=$3 ko name vm modinfo
	local -a kos=()
	for ko in "$from"/*.ko; do
		[ -e "$ko" ] && kos+=("$ko")
	done
	[ ${#kos[@]} -gt 0 ] || die "the build for $kver produced no .ko (log: $outdir/build.log)"
	modinfo=$(modinfo_cmd) || die "modinfo (kmod) is not installed; run scripts/install-deps.sh"
	for ko in "${kos[@]}"; do
		vm=$("$modinfo" -F vermagic "$ko") || die "modinfo cannot read $ko"
		[ "${vm%% *}" = "$kver" ] ||
			die "${ko##*/} has vermagic '$vm', not for kernel $kver; the wrong headers were used"
	done
	for ko in "${kos[@]}"; do
		name=${ko##*/}
		cp "$ko" "$outdir/.$name.tmp"
		mv "$outdir/.$name.tmp" "$outdir/$name"
	done
	for ko in "${kos[@]}"; do
		echo "$outdir/${ko##*/}"
	done
}

# checker_of ARGS...: the program a C=1/C=2 build runs (CHECK=, default
# sparse); nothing without C=.
checker_of() {
	local a c='' checker=sparse
	for a in "$@"; do
		case $a in
		C=1 | C=2) c=1 ;;
		C=*) c='' ;;
		CHECK=*) checker=${a#CHECK=} ;;
		esac
	done
	[ -z "$c" ] || echo "${checker%% *}"
}

# save_log LOG OUTDIR
save_log() {
	cp "$1" "$2/.build.log.tmp" && mv "$2/.build.log.tmp" "$2/build.log"
}

build_suite() {
	local suite=$1 outdir=$2 kdir chroot hdir conf cc pahole lockf checker rc=0
	local KVER='' HEADERS=''
	local -a margs
	series_of_suite "$suite" >/dev/null ||
		die "unknown suite '$suite' (use bookworm, trixie or trixie-backports)"
	[ "$(id -u)" = 0 ] || die "building in the chroot needs root (mount, chroot); run $0 as root or use --kdir"
	kdir=$("$here/fetch-kernel.sh" "$suite" | tail -n 1) ||
		die "could not fetch the $suite kernel"
	[ -f "$kdir/info" ] || die "fetch-kernel.sh gave '$kdir', which has no info file"
	# shellcheck source=/dev/null
	. "$kdir/info"
	{ [ -n "$KVER" ] && [ -n "$HEADERS" ]; } || die "$kdir/info lacks KVER or HEADERS; delete $kdir and run again"
	hdir=$kdir/root/$HEADERS
	[ -n "$outdir" ] || outdir=$repo/build/$KVER
	conf=$(kernel_config "$hdir") || die "no kernel configuration in $hdir; delete $kdir and run again"

	# The compiler the kernel was built with, e.g. "gcc-12 (Debian ...) 12.2.0"
	# or "x86_64-linux-gnu-gcc-14 (Debian ...) 14.2.0".
	cc=$(config_value "$conf" CONFIG_CC_VERSION_TEXT)
	cc=${cc%% *}
	case $cc in
	*gcc*) [[ $cc =~ ^[A-Za-z0-9_.+-]+$ ]] || die "cannot use compiler name '$cc' from CONFIG_CC_VERSION_TEXT of $KVER" ;;
	'') die "no CONFIG_CC_VERSION_TEXT in $conf" ;;
	*) die "$KVER was built with '$cc', not gcc; this script supports gcc-built kernels only" ;;
	esac

	chroot=$("$here/build-chroot.sh" | tail -n 1) || die "could not create the build chroot"
	# Hold the chroot against a concurrent rebuild (build-chroot.sh takes
	# this lock exclusively before replacing it).
	lockf=$(dirname "$chroot")/.$(basename "$chroot").lock
	exec 8>>"$lockf"
	flock -s 8
	[ -f "$chroot/etc/lazy-kdump-chroot" ] || die "the build chroot $chroot vanished; run again"
	chroot "$chroot" /bin/sh -c "command -v $cc >/dev/null" ||
		die "$KVER was built with $cc, which the build chroot lacks; add its package to CHROOT_PACKAGES in scripts/build-chroot.sh"
	pahole=$(chroot "$chroot" /bin/sh -c 'pahole --version 2>/dev/null' | pahole_number || true)
	checker=$(checker_of "${extra[@]}")
	if [ -n "$checker" ]; then
		[[ $checker =~ ^[A-Za-z0-9_./+-]+$ ]] || die "cannot use CHECK program name '$checker'"
		chroot "$chroot" /bin/sh -c "command -v $checker >/dev/null" ||
			die "the build chroot has no $checker (for C=); add its package to CHROOT_PACKAGES in scripts/build-chroot.sh"
	fi

	margs=(-j"$(nproc)" W=1 CC="$cc")
	mapfile -t -O ${#margs[@]} margs < <(btf_args "$conf" "$pahole")
	margs+=("${extra[@]}" modules)

	stage_source "$work/src"
	mkdir -p "$work/out" "$outdir"
	log "building ${MODULE_SRC} for $KVER with $cc in $chroot"
	export -f chroot_build log die
	unshare --mount --propagation private -- \
		bash -c 'chroot_build "$@"' build-module.sh \
		"$chroot" "$kdir/root" "$KVER" "$work/src" "$work/out" "$work/build.log" \
		"${margs[@]}" || rc=$?
	exec 8>&-
	finish "$rc" "$KVER" "$outdir" /build/module
}

build_kdir() {
	local dir=$1 outdir=$2 kver conf pahole rc=0
	local -a margs
	[ -f "$dir/Makefile" ] || die "'$dir' has no Makefile: not a prepared kernel build tree"
	dir=$(cd "$dir" && pwd)
	# UTS_RELEASE is what vermagic carries; Debian's headers override
	# KERNELRELEASE, so kernel.release ("6.1.192") would not match.
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$dir/include/generated/utsrelease.h" 2>/dev/null || true)
	[ -n "$kver" ] || die "no UTS_RELEASE in $dir/include/generated/utsrelease.h; run 'make modules_prepare' in $dir first"
	conf=$(kernel_config "$dir") || die "no kernel configuration in $dir; run 'make modules_prepare' in it first"
	[ -n "$outdir" ] || outdir=$repo/build/$kver
	pahole=$( (pahole --version 2>/dev/null || true) | pahole_number)

	margs=(-j"$(nproc)" W=1)
	mapfile -t -O ${#margs[@]} margs < <(btf_args "$conf" "$pahole")
	margs+=("${extra[@]}" modules)

	stage_source "$work/src"
	mkdir -p "$work/out" "$outdir"
	log "building ${MODULE_SRC} for $kver against $dir"
	# English messages ("warning:") and ASCII quotes. The kernel's Makefile
	# unexports LC_ALL, so the other locale variables must be C as well.
	env LANGUAGE= LANG=C LC_ALL=C LC_CTYPE=C LC_MESSAGES=C \
		make -C "$dir" M="$work/src" "${margs[@]}" >"$work/build.log" 2>&1 || rc=$?
	find "$work/src" -name '*.ko' -exec cp {} "$work/out/" \;
	finish "$rc" "$kver" "$outdir" "$work/src"
}

# finish RC KVER OUTDIR BUILDDIR: save the log, judge it, install the modules.
finish() {
	local rc=$1 kver=$2 outdir=$3 builddir=$4
	save_log "$work/build.log" "$outdir"
	if [ "$rc" != 0 ]; then
		show_log "$builddir" <"$work/build.log"
		die "the module build for $kver failed (exit $rc; log: $outdir/build.log)"
	fi
	check_log "$work/build.log" "$kver" "$builddir" ||
		die "the module build for $kver has warnings (log: $outdir/build.log); fix them"
	install_modules "$work/out" "$kver" "$outdir"
	log "built for $kver in $((SECONDS - start)) s"
}

start=$SECONDS
case ${1-} in
-h | --help)
	usage
	exit 0
	;;
--kdir)
	{ [ $# -ge 2 ] && [ $# -le 3 ]; } || die "usage: $0 --kdir DIR [OUTDIR]"
	mode=kdir
	;;
'' | -*) die "usage: $0 SUITE [OUTDIR] | --kdir DIR [OUTDIR] (see --help)" ;;
*)
	[ $# -le 2 ] || die "usage: $0 SUITE [OUTDIR]"
	mode=suite
	;;
esac

read -r -a extra <<<"${MODULE_MAKE_ARGS-}"
work=$(mktemp -d "${TMPDIR:-/tmp}/lazy-kdump-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
: >"$work/build.log"
if [ "$mode" = kdir ]; then
	build_kdir "$2" "${3-}"
else
	build_suite "$1" "${2-}"
fi
