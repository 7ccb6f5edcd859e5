#!/usr/bin/env bash
# Fetch and unpack Debian's kernel source (the linux-source-SERIES package,
# Debian's patches applied) of a suite into the cache, without touching the
# system's apt configuration. Used by the debug-kernel tier and the static
# checkers (checkpatch.pl comes with the kernel tree).
#
# Usage: scripts/fetch-kernel-source.sh SUITE
#   SUITE: bookworm (6.1), trixie (6.12) or trixie-backports (7.x)
# Prints the unpacked tree's directory,
# $LAZY_KDUMP_CACHE/kernel-source/linux-source-SERIES_VERSION/linux-source-SERIES.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || die "usage: $0 bookworm|trixie|trixie-backports"
suite=$1
series_of_suite "$suite" >/dev/null || die "unknown suite '$suite' (use bookworm, trixie or trixie-backports)"

mkdir -p "$LAZY_KDUMP_CACHE"
exec 9>"$LAZY_KDUMP_CACHE/.fetch.lock"
flock 9

apt_private_update 360
# The source package of the suite's kernel: linux-image-amd64 names the
# image, whose series (6.1, 6.12, 7.3) names linux-source-SERIES.
ver=$(suite_version linux-image-amd64 "$suite")
[ -n "$ver" ] || die "no linux-image-amd64 found in $suite"
image=$(pkg_depends linux-image-amd64 "$ver" | grep -E '^linux-image-[0-9]' | head -n 1)
series=$(echo "${image#linux-image-}" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
pkg=linux-source-$series
pv=$(suite_version "$pkg" "$suite")
[ -n "$pv" ] || die "package $pkg not found in $suite"

dir=$LAZY_KDUMP_CACHE/kernel-source/${pkg}_$pv
tree=$dir/$pkg
if [ -e "$dir/.done" ]; then
	echo "$tree"
	exit 0
fi
debs=$LAZY_KDUMP_CACHE/debs
mkdir -p "$debs" "$LAZY_KDUMP_CACHE/kernel-source"
f=$(find "$debs" -maxdepth 1 -name "${pkg}_${pv//:/%3a}_*.deb" -print | head -n 1)
if [ -z "$f" ]; then
	log "downloading $pkg $pv"
	(cd "$debs" && apt_private apt-get -q download "$pkg=$pv" >/dev/null) ||
		die "could not download $pkg=$pv from the Debian archive"
	f=$(find "$debs" -maxdepth 1 -name "${pkg}_${pv//:/%3a}_*.deb" -print | head -n 1)
	[ -n "$f" ] || die "the download of $pkg=$pv left no .deb in $debs"
fi
tmp=$(mktemp -d "$LAZY_KDUMP_CACHE/kernel-source/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$f" "$tmp/deb"
tarball=$(find "$tmp/deb/usr/src" -maxdepth 1 -name "$pkg.tar.*" -print | head -n 1)
[ -n "$tarball" ] || die "no $pkg.tar.* in $f"
log "unpacking $tarball"
tar -C "$tmp" -xf "$tarball"
[ -d "$tmp/$pkg" ] || die "$tarball did not unpack to $pkg/"
rm -rf "$tmp/deb" "$dir"
mv "$tmp" "$dir"
trap - EXIT
: >"$dir/.done"
echo "$tree"
