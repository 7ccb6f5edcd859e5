#!/usr/bin/env bash
# Register the installed module source with DKMS and build it for every
# installed kernel that has its headers, or take it out of DKMS again.
# Run by `make install` / `make uninstall` when DESTDIR is empty.
#
# Usage: scripts/dkms-register.sh add NAME VERSION
#        scripts/dkms-register.sh remove NAME
# Environment: DKMS=no skips everything; DKMS=yes makes a missing dkms an
# error; DKMS=auto (default) only says that dkms is missing.
#
# add: other versions of NAME are removed from DKMS first (one version is
# installed at a time); the source must already be in /usr/src/NAME-VERSION.
# Kernels are the directories in /lib/modules with a build link (headers),
# not `uname -r`: in a chroot or an image being prepared the running kernel
# is the host's. dkms.conf says AUTOINSTALL=yes, so DKMS's own kernel hooks
# build the module for every kernel installed later.
set -euo pipefail

log() { printf 'dkms-register: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mode=${DKMS:-auto}
[ "$mode" != no ] || exit 0
if ! command -v dkms >/dev/null; then
	[ "$mode" != yes ] || die "dkms is not installed; install it (apt-get install dkms) or use DKMS=no"
	log "dkms is not installed: the module source is in /usr/src but nothing builds it; install dkms and run 'make install' again"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "DKMS needs root: run 'make install' as root, or DKMS=no"

# versions NAME: the versions of NAME that DKMS knows, one a line.
versions() {
	dkms status -m "$1" 2>/dev/null | sed -n "s|^$1/\([^,: ]*\).*|\1|p" | sort -u
}

case ${1-}:${2-} in
add:?*)
	name=$2 ver=${3:?usage: $0 add NAME VERSION}
	[ -f "/usr/src/$name-$ver/dkms.conf" ] || die "no /usr/src/$name-$ver/dkms.conf: install the source first"
	for v in $(versions "$name"); do
		log "removing $name $v from DKMS"
		dkms remove -m "$name" -v "$v" --all >/dev/null || die "'dkms remove -m $name -v $v --all' failed"
	done
	dkms add -m "$name" -v "$ver" >/dev/null || die "'dkms add -m $name -v $ver' failed"
	built=0 failed=''
	for d in /lib/modules/*/; do
		kver=$(basename "$d")
		[ -e "$d/build" ] || continue
		log "building $name $ver for $kver"
		if dkms install -m "$name" -v "$ver" -k "$kver" >/dev/null; then
			built=$((built + 1))
		else
			failed="$failed $kver"
		fi
	done
	[ -z "$failed" ] || die "DKMS could not build $name $ver for:$failed (see /var/lib/dkms/$name/$ver/build/make.log)"
	[ "$built" -gt 0 ] || log "no kernel with headers in /lib/modules: install linux-headers-\$(uname -r); DKMS builds $name then"
	;;
remove:?*)
	name=$2
	for v in $(versions "$name"); do
		dkms remove -m "$name" -v "$v" --all >/dev/null || die "'dkms remove -m $name -v $v --all' failed"
	done
	;;
*) die "usage: $0 add NAME VERSION | remove NAME" ;;
esac
