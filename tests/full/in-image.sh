#!/usr/bin/env bash
# Run a command with a disk image's file system mounted, in a private mount
# namespace: whatever is mounted goes away with the command, even when it is
# killed, and the loop device is released with it.
#
# Usage: tests/full/in-image.sh [-b HOSTDIR:DIR]... IMAGE -- COMMAND [ARGS...]
#   IMAGE     an ext4 file system image without a partition table
#   -b H:D    bind-mount the host directory H on D inside the image (created
#             when missing), e.g. a package cache on /var/cache/apt/archives
#
# COMMAND runs on the host with ROOT=<mount point> in its environment; it
# uses `chroot "$ROOT" ...` itself. When the image holds a system (it has
# /usr/bin), proc, sysfs, /dev, /dev/pts and tmpfs on /run and /tmp are
# mounted in it, /etc/resolv.conf is the host's (for apt) and
# /usr/sbin/policy-rc.d forbids starting services, removed afterwards.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$(dirname "$0")/../../scripts/common.sh"

if [ "${LAZY_FULL_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "needs root (loop mounts, chroot)"
	exec unshare --mount --propagation private -- \
		env LAZY_FULL_IN_NS=1 "$0" "$@"
fi

binds=()
while getopts b: opt; do
	case $opt in
	b) binds+=("$OPTARG") ;;
	*) die "usage: $0 [-b HOSTDIR:DIR]... IMAGE -- COMMAND [ARGS...]" ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ] || [ "$2" != -- ]; then
	die "usage: $0 [-b HOSTDIR:DIR]... IMAGE -- COMMAND [ARGS...]"
fi
image=$1
shift 2
[ -f "$image" ] || die "no image $image"

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/lazy-full-root.XXXXXX")
export ROOT
# The namespace's mounts vanish with it, but later only: unmount now, so
# that the image is complete when this script returns.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	umount -R "$ROOT" 2>/dev/null || umount -R -l "$ROOT" 2>/dev/null || true
	rmdir "$ROOT" 2>/dev/null || true
}
trap cleanup EXIT
mount -o loop "$image" "$ROOT" || die "cannot loop-mount $image"

policy=''
if [ -d "$ROOT/usr/bin" ]; then
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs sys "$ROOT/sys"
	mount --bind /dev "$ROOT/dev"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
	mount -t tmpfs -o mode=0755 tmpfs "$ROOT/run"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
	if [ -e /etc/resolv.conf ]; then
		[ -e "$ROOT/etc/resolv.conf" ] || : >"$ROOT/etc/resolv.conf"
		[ -L "$ROOT/etc/resolv.conf" ] || mount --bind /etc/resolv.conf "$ROOT/etc/resolv.conf"
	fi
	if [ ! -e "$ROOT/usr/sbin/policy-rc.d" ]; then
		policy=$ROOT/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
	fi
fi
for b in "${binds[@]}"; do
	mkdir -p "${b%%:*}" "$ROOT/${b#*:}"
	mount --bind "${b%%:*}" "$ROOT/${b#*:}"
done

rc=0
"$@" || rc=$?
[ -z "$policy" ] || rm -f "$policy"
sync
exit "$rc"
