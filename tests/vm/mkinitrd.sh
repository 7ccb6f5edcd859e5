#!/usr/bin/env bash
# Build the initrds of a VM test guest for one Debian kernel.
#
# Usage: tests/vm/mkinitrd.sh [-k LAZY_CMA_KO] [-M "MODULES"] [-H "HOST_BINS"]
#                             [-C CONF] KDIR OUT.cpio.gz [BINARY...]
#   KDIR       a kernel directory from scripts/fetch-kernel.sh (info + root/)
#   OUT        the main initrd; the crash initrd is written next to it as
#              crash-<name of OUT>
#   BINARY     project binaries for /lazy/bin (static, e.g. lazy_kdump/lazy-cma);
#              a missing one is skipped with a note, a dynamic one gets its
#              shared libraries
#   -k KO      lazy_cma.ko built for this kernel -> /lazy/lazy_cma.ko and
#              /lib/modules/KVER/extra/lazy_cma.ko (for `modprobe lazy_cma`,
#              as lazy-kdump runs it); its vermagic must name KDIR's kernel
#   -C CONF    -> /etc/lazy-kdump.conf (lazy-kdump's configuration), and
#              its normalised capture copy /etc/lazy-kdump-capture.conf
#              (what the capture script reads), written by the lazy-kdump
#              among the BINARY arguments (lazy-kdump config --capture), as
#              the dracut module does; without that binary, none
#   -M MODS    kernel modules the guest's /init loads, with their dependencies
#              (default: "$LAZY_VM_MODULES", else "virtio_pci virtio_blk ext4");
#              built-in ones are noted and skipped; +NAME: shipped, not
#              loaded by /init (a test modprobes it: the kcsan tier's
#              kcsan_test, whose KUnit suite runs when it loads)
#   -H BINS    host programs copied with their shared libraries
#              (default: "$LAZY_VM_HOST_BINS", else "kexec makedumpfile");
#              kexec is required
#   $LAZY_VM_EXTRA  more files, copied as they are (mode kept, not stripped):
#              blank-separated SRC:DEST pairs, DEST absolute in the guest
#              (tests/bench/alloc.sh: a second module and its guest script)
#
# Layout inside the guest:
#   /init                       tests/vm/guest/init
#   /bin, /sbin, /usr/...       busybox and its applet links, kexec, makedumpfile
#   /lib/modules/KVER/          the modules (decompressed) with modules.dep*
#   /etc/lazy/{kver,modules}    kernel release; modules /init loads
#   /lazy/lazy_cma.ko           when -k was given (also in /lib/modules)
#   /etc/lazy-kdump.conf        when -C was given
#   /etc/lazy-kdump-capture.conf  its capture copy (-C and a lazy-kdump)
#   /lazy/bin/                  the BINARY arguments (on PATH)
#   /lazy/tests/                tests/vm/guest/* (tap.sh, t_*.sh, crash_*.sh)
#   /lazy/vmlinuz               the kernel, to load it again as crash kernel
#   /lazy/crash-initrd.cpio.gz  the crash initrd
# The crash initrd holds all of this except the last two. The main initrd is
# the crash initrd followed by an uncompressed cpio archive holding those
# two: the kernel unpacks concatenated archives in turn.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$here/../../scripts/common.sh"

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

ko='' conf=''
modules=${LAZY_VM_MODULES-virtio_pci virtio_blk ext4}
host_bins=${LAZY_VM_HOST_BINS-kexec makedumpfile}
while getopts k:M:H:C:h opt; do
	case $opt in
	k) ko=$OPTARG ;;
	C) conf=$OPTARG ;;
	M) modules=$OPTARG ;;
	H) host_bins=$OPTARG ;;
	h) usage 0 ;;
	*) usage 1 >&2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage 1 >&2
kdir=$1 out=$2
shift 2

[ -r "$kdir/info" ] || die "$kdir/info missing: pass a kernel directory printed by scripts/fetch-kernel.sh"
KVER='' VMLINUZ='' MODDIR=''
# shellcheck source=/dev/null
. "$kdir/info"
root=$kdir/root
vmlinuz=$root/$VMLINUZ
moddir=$root/$MODDIR
[ -f "$vmlinuz" ] || die "no kernel image $vmlinuz: run scripts/fetch-kernel.sh again"
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep: run depmod -b for $KVER (scripts/fetch-kernel.sh does)"

out_dir=$(dirname "$out")
mkdir -p "$out_dir"
out=$(cd "$out_dir" && pwd)/$(basename "$out")
crash_out=$(dirname "$out")/crash-$(basename "$out")

st=$(mktemp -d "${TMPDIR:-/tmp}/lazy-initrd.XXXXXX")
trap 'rm -rf "$st"' EXIT
s=$st/root
mkdir -p "$s"/{bin,sbin,usr/bin,usr/sbin,lib64,proc,sys,dev,tmp,run,etc/lazy,root,mnt,var/crash} \
	"$s/lib/modules/$KVER" "$s/lazy/bin" "$s/lazy/tests"

# copy_with_libs FILE DESTDIR: FILE into DESTDIR, its shared libraries (and
# the dynamic loader) at their own paths.
copy_with_libs() {
	local f=$1 dest=$2 lib
	install -m 755 "$f" "$s$dest/"
	# Debug info only costs crash-kernel memory here.
	strip "$s$dest/${f##*/}" 2>/dev/null || true
	ldd "$f" >/dev/null 2>&1 || return 0 # static
	while read -r lib; do
		[ -e "$s$lib" ] && continue
		mkdir -p "$s$(dirname "$lib")"
		cp -L "$lib" "$s$lib"
	done < <(ldd "$f" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
}

# busybox and its applets.
busybox=$(command -v busybox) || die "busybox not found: apt-get install busybox-static"
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is dynamically linked: install busybox-static"
install -m 755 "$busybox" "$s/bin/busybox"
while read -r applet; do
	[ -e "$s/$applet" ] || [ -L "$s/$applet" ] || ln -s /bin/busybox "$s/$applet"
done < <("$busybox" --list-full)

# Host programs with their libraries.
for b in $host_bins; do
	p=$(command -v "$b") || {
		[ "$b" = kexec ] && die "kexec not found: apt-get install kexec-tools"
		log "note: host program $b not found; the guest will not have it"
		continue
	}
	copy_with_libs "$p" /usr/sbin
done

# Kernel modules, decompressed (busybox modprobe reads plain .ko files).
# modprobe -d wants the directory that holds lib/modules.
case $MODDIR in
usr/lib/modules/*) mp_root=$root/usr ;;
*) mp_root=$root ;;
esac
is_builtin() {
	local n=${1//-/_}
	sed 's/.*\///; s/\.ko$//; s/-/_/g' "$moddir/modules.builtin" | grep -qx "$n"
}
: >"$s/etc/lazy/modules"
for m in $modules; do
	autoload=1
	case $m in +*) m=${m#+} autoload=0 ;; esac
	if is_builtin "$m"; then
		log "note: $m is built into $KVER"
		continue
	fi
	deps=$(modprobe -d "$mp_root" -S "$KVER" --show-depends "$m" 2>&1) ||
		die "module $m not found for $KVER: $deps"
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		rel=${path#*/lib/modules/"$KVER"/}
		rel=${rel%.xz}
		rel=${rel%.zst}
		rel=${rel%.gz}
		dest=$s/lib/modules/$KVER/$rel
		[ -e "$dest" ] && continue
		mkdir -p "$(dirname "$dest")"
		case $path in
		*.ko.xz) xz -dc "$path" >"$dest" ;;
		*.ko.zst) zstd -qdc "$path" >"$dest" ;;
		*.ko.gz) gzip -dc "$path" >"$dest" ;;
		*) cp "$path" "$dest" ;;
		esac
	done <<<"$deps"
	[ "$autoload" = 0 ] || echo "$m" >>"$s/etc/lazy/modules"
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -e "$moddir/$f" ] && cp "$moddir/$f" "$s/lib/modules/$KVER/"
done
if [ -n "$ko" ]; then
	[ -f "$ko" ] || die "$ko does not exist: build the module for $KVER first"
	vermagic=$(modinfo -F vermagic "$ko") || die "modinfo cannot read $ko"
	[ "${vermagic%% *}" = "$KVER" ] ||
		die "$ko is built for '${vermagic%% *}', not $KVER: build it against this kernel's headers"
	install -D -m 644 "$ko" "$s/lib/modules/$KVER/extra/lazy_cma.ko"
fi
depmod -b "$s" "$KVER" || die "depmod failed on the initrd's modules for $KVER"
echo "$KVER" >"$s/etc/lazy/kver"

# The payload.
[ -z "$ko" ] || install -m 644 "$ko" "$s/lazy/lazy_cma.ko"
if [ -n "$conf" ]; then
	[ -f "$conf" ] || die "no config file $conf"
	install -m 644 "$conf" "$s/etc/lazy-kdump.conf"
	lk=''
	for b in "$@"; do
		[ "$(basename "$b")" != lazy-kdump ] || [ ! -x "$b" ] || lk=$b
	done
	if [ -n "$lk" ]; then
		"$lk" --config "$conf" config --capture >"$s/etc/lazy-kdump-capture.conf" ||
			die "$lk config --capture refused $conf"
	else
		log "note: no lazy-kdump among the binaries: no /etc/lazy-kdump-capture.conf (the capture uses its defaults)"
	fi
fi
for b in "$@"; do
	if [ ! -f "$b" ]; then
		log "note: $b not built; the guest will not have it"
		continue
	fi
	ldd "$b" >/dev/null 2>&1 && log "note: $b is dynamically linked; copying its libraries too"
	copy_with_libs "$b" /lazy/bin
done
for f in "$here"/guest/*; do
	[ "$(basename "$f")" = init ] && continue
	install -m 755 "$f" "$s/lazy/tests/"
done
for x in ${LAZY_VM_EXTRA:-}; do
	if [ ! -f "${x%%:*}" ] || [[ $x != *:/* ]]; then
		die "LAZY_VM_EXTRA: '$x' is not SRC:/DEST with SRC a file"
	fi
	install -D -m "$(stat -c %a "${x%%:*}")" "${x%%:*}" "$s${x#*:}"
done
install -m 755 "$here/guest/init" "$s/init"
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$s/dev/console" c 5 1
	mknod -m 666 "$s/dev/null" c 1 3
fi

# mkcpio DIR: newc archive of DIR on stdout, owned by root, stable order.
mkcpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet)
}

# Crash initrd: gzip, padded to 4 bytes so that an uncompressed archive can
# follow it (the kernel skips zero padding between archives).
tmp_crash=$(mktemp "$crash_out.XXXXXX") tmp_out=$(mktemp "$out.XXXXXX")
trap 'rm -rf "$st" "$tmp_crash" "$tmp_out"' EXIT
mkcpio "$s" | gzip -n -6 >"$tmp_crash"
truncate -s %4 "$tmp_crash"

# Main initrd: the crash initrd, then an uncompressed archive with the
# kernel (already compressed) and the crash initrd itself.
x=$st/extra
mkdir -p "$x/lazy"
cp "$vmlinuz" "$x/lazy/vmlinuz"
cp "$tmp_crash" "$x/lazy/crash-initrd.cpio.gz"
{
	cat "$tmp_crash"
	mkcpio "$x"
} >"$tmp_out"
chmod 644 "$tmp_crash" "$tmp_out"
mv "$tmp_crash" "$crash_out"
mv "$tmp_out" "$out"
log "$KVER: $(basename "$out") $(du -k "$out" | cut -f1) KiB, $(basename "$crash_out") $(du -k "$crash_out" | cut -f1) KiB (unpacked $(du -sk "$s" | cut -f1) KiB)"
echo "$out"
