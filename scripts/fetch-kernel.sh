#!/usr/bin/env bash
# Fetch the newest Debian amd64 kernel of a suite (image, modules, headers,
# kbuild) into the cache, without touching the system's apt configuration.
#
# Usage: scripts/fetch-kernel.sh SUITE
#   SUITE: bookworm (6.1), trixie (6.12) or trixie-backports (7.x)
# Prints the kernel's directory, which holds:
#   info      shell variables KVER, SUITE, VERSION, VMLINUZ, MODDIR, HEADERS
#   root/     the packages unpacked (root/usr/src/linux-headers-KVER, ...)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || die "usage: $0 bookworm|trixie|trixie-backports"
suite=$1
series_of_suite "$suite" >/dev/null || die "unknown suite '$suite' (use bookworm, trixie or trixie-backports)"

# One fetch at a time: parallel runs race on the private apt state and on
# the downloads.
mkdir -p "$LAZY_KDUMP_CACHE"
exec 9>"$LAZY_KDUMP_CACHE/.fetch.lock"
flock 9

apt_private_update 360
ver=$(suite_version linux-image-amd64 "$suite")
[ -n "$ver" ] || die "no linux-image-amd64 found in $suite"
image=$(pkg_depends linux-image-amd64 "$ver" | grep -E '^linux-image-[0-9]' | head -n 1)
kver=${image#linux-image-}
[ -n "$kver" ] || die "cannot resolve the kernel package of linux-image-amd64 $ver"

kdir=$LAZY_KDUMP_CACHE/kernels/$kver
if [ -e "$kdir/info" ]; then
	mkdir -p "$LAZY_KDUMP_CACHE/kernels/by-suite"
	ln -sfn "../$kver" "$LAZY_KDUMP_CACHE/kernels/by-suite/$suite"
	echo "$kdir"
	exit 0
fi

# The package set: the image and the headers with their per-version
# dependencies (7.x splits the image into binary, modules and base).
pkgs=("$image" "linux-headers-$kver")
for p in "$image" "linux-headers-$kver"; do
	while read -r dep; do
		case $dep in
		linux-binary-* | linux-modules-* | linux-base-[0-9]* | \
			linux-headers-*-common* | linux-kbuild-*) pkgs+=("$dep") ;;
		esac
	done < <(pkg_depends "$p" "$ver")
done

debs=$LAZY_KDUMP_CACHE/debs
mkdir -p "$debs"
mkdir -p "$LAZY_KDUMP_CACHE/kernels"
tmp=$(mktemp -d "$LAZY_KDUMP_CACHE/kernels/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for p in "${pkgs[@]}"; do
	pv=$(suite_version "$p" "$suite")
	[ -n "$pv" ] || die "package $p not found in $suite"
	f=$(find "$debs" -maxdepth 1 -name "${p}_*" -print | grep -F "_${pv//:/%3a}_" | head -n 1 || true)
	if [ -z "$f" ]; then
		log "downloading $p $pv"
		(cd "$debs" && apt_private apt-get -q download "$p=$pv" >/dev/null) ||
			die "could not download $p=$pv from the Debian archive"
		f=$(find "$debs" -maxdepth 1 -name "${p}_*" -newer "$tmp" -print | head -n 1)
		[ -n "$f" ] || f=$(find "$debs" -maxdepth 1 -name "${p}_*" -print | sort -V | tail -n 1)
	fi
	dpkg-deb -x "$f" "$tmp/root"
done

vmlinuz=
for c in "boot/vmlinuz-$kver" "usr/lib/modules/$kver/vmlinuz" "lib/modules/$kver/vmlinuz"; do
	[ -e "$tmp/root/$c" ] && { vmlinuz=$c; break; }
done
[ -n "$vmlinuz" ] || die "no vmlinuz in the packages of $kver"
moddir=
for c in "lib/modules/$kver" "usr/lib/modules/$kver"; do
	[ -d "$tmp/root/$c/kernel" ] && { moddir=$c; break; }
done
[ -n "$moddir" ] || die "no modules directory in the packages of $kver"
depmod -b "$tmp/root" "$kver" 2>/dev/null ||
	depmod -b "$tmp/root/usr" "$kver" ||
	die "depmod failed for $kver"

cat >"$tmp/info" <<INFO
KVER='$kver'
SUITE='$suite'
VERSION='$ver'
VMLINUZ='$vmlinuz'
MODDIR='$moddir'
HEADERS='usr/src/linux-headers-$kver'
INFO
rm -rf "$kdir"
mv "$tmp" "$kdir"
trap - EXIT
mkdir -p "$LAZY_KDUMP_CACHE/kernels/by-suite"
ln -sfn "../$kver" "$LAZY_KDUMP_CACHE/kernels/by-suite/$suite"
echo "$kdir"
