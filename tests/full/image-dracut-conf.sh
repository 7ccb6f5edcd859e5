#!/usr/bin/env bash
# Switch the image's test-only dracut settings on or off.
#
# Usage: tests/full/image-dracut-conf.sh on|off ROOT
#
# dracut run in a chroot on the host sees the host's hardware, not the
# guest's: while packages are installed in the image from the host (a kernel,
# whose hooks build its boot initrd), the boot initrd must be generic
# (hostonly off) with the guest's drivers named. The booted guest runs with
# Debian's own dracut settings: lazy-kdump's capture initrd is built there,
# hostonly, as on a real machine.
set -euo pipefail
conf=etc/dracut.conf.d/90-lazy-test-chroot.conf
case ${1-}:${2-} in
on:?*)
	mkdir -p "$2/etc/dracut.conf.d"
	cat >"$2/$conf" <<-'CONF'
	# Written by lazy-kdump's tests/full while installing from the host.
	hostonly="no"
	add_drivers+=" virtio_pci virtio_blk virtio_console ext4 "
	CONF
	;;
off:?*) rm -f "$2/$conf" ;;
*)
	echo "usage: $0 on|off ROOT" >&2
	exit 2
	;;
esac
