#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-hook - what lazy-kdump does when a kernel is installed or removed.
# Called by /etc/kernel/postinst.d/lazy-kdump and postrm.d/lazy-kdump
# (Debian's kernel hooks) and by /usr/lib/kernel/install.d/60-lazy-kdump.install
# (kernel-install); both may run for one kernel: the second finds the work
# done.
#
# Usage: @LIBEXECDIR@/kernel-hook add|remove KVER
#   add     when lazy-kdump.service is enabled: build the capture initrd of
#           KVER now, so that its first boot arms at once; when KVER is the
#           running kernel (reinstalled or upgraded in place), re-arm.
#           In a chroot, or without a running systemd, nothing is built:
#           dracut would see the wrong machine, and the service builds it
#           on the first boot of KVER.
#   remove  delete KVER's capture initrd.
# A failure is reported but never fails the kernel's installation.
set -euo pipefail

prog=lazy-kdump-kernel-hook
statedir=@STATEDIR@

say() { printf '%s: %s\n' "$prog" "$*" >&2; }

[ $# -ge 2 ] || {
	say "usage: $0 add|remove KVER"
	exit 2
}
action=$1 kver=$2

case $action in
remove)
	rm -f "$statedir/initrd-$kver.img" "$statedir/initrd-$kver.img.stack"
	exit 0
	;;
add) ;;
*)
	say "unknown action '$action' (add or remove)"
	exit 2
	;;
esac

# systemctl is-enabled works offline too (a chroot, an image).
if ! systemctl -q is-enabled lazy-kdump.service 2>/dev/null; then
	exit 0
fi
if systemd-detect-virt -q --chroot 2>/dev/null || [ ! -d /run/systemd/system ]; then
	say "not the running system (a chroot?): the capture initrd of $kver is built when $kver boots"
	exit 0
fi
if ! @LIBEXECDIR@/mkinitrd --kver "$kver"; then
	say "could not build the capture initrd of $kver; lazy-kdump.service tries again when $kver boots"
	exit 0
fi
if [ "$kver" = "$(uname -r)" ]; then
	@LIBEXECDIR@/rearm || say "could not re-arm kdump; run 'systemctl reload lazy-kdump'"
fi
exit 0
