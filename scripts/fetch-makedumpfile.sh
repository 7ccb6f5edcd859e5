#!/usr/bin/env bash
# Fetch a newer makedumpfile than bookworm's into the cache and print the
# path of its binary.
#
# Usage: scripts/fetch-makedumpfile.sh [SUITE]
#   SUITE  the Debian suite to take it from (default trixie)
#
# Why: bookworm's makedumpfile 1.7.2 predates the 6.12 and 7.x kernels' memory
# layout; trixie's 1.7.6 reads their dumps and runs on bookworm's libraries
# (libdw, libelf, liblzo2, libzstd, zlib, libc). The VM test initrds, the
# host-side checks of captured dumps and `make demo` use this binary.
#
# The package is fetched with the private apt state of scripts/common.sh
# (nothing in the system's apt configuration changes), unpacked under
# $LAZY_KDUMP_CACHE/tools/makedumpfile-VERSION/ and reused from there.
# The binary is checked to start (`makedumpfile -v`) before it is printed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

suite=${1:-trixie}
[ $# -le 1 ] || die "usage: $0 [SUITE]"

mkdir -p "$LAZY_KDUMP_CACHE/tools"
# Shares fetch-kernel.sh's lock: both use the private apt state.
exec 9>"$LAZY_KDUMP_CACHE/.fetch.lock"
flock 9

# runs BIN: the binary starts on this host.
runs() { "$1" -v >/dev/null 2>&1; }

# A version unpacked before is enough when the lists cannot be refreshed.
apt_private_update 1440
ver=$(suite_version makedumpfile "$suite")
if [ -z "$ver" ]; then
	old=$(find "$LAZY_KDUMP_CACHE/tools" -maxdepth 4 -path '*/makedumpfile-*/usr/bin/makedumpfile' | sort -V | tail -n 1)
	if [ -z "$old" ] || ! runs "$old"; then
		die "makedumpfile not found in $suite (package lists: $LAZY_KDUMP_CACHE/apt) and none cached"
	fi
	log "warning: cannot resolve makedumpfile in $suite; using the cached $old"
	echo "$old"
	exit 0
fi
dir=$LAZY_KDUMP_CACHE/tools/makedumpfile-${ver#*:}
bin=$dir/usr/bin/makedumpfile
if [ -x "$bin" ] && runs "$bin"; then
	echo "$bin"
	exit 0
fi

debs=$LAZY_KDUMP_CACHE/debs
mkdir -p "$debs"
f=$(find "$debs" -maxdepth 1 -name "makedumpfile_${ver//:/%3a}_amd64.deb" -print | head -n 1)
if [ -z "$f" ]; then
	log "downloading makedumpfile $ver ($suite)"
	(cd "$debs" && apt_private apt-get -q download "makedumpfile=$ver" >/dev/null) ||
		die "could not download makedumpfile=$ver from the Debian archive"
	f=$(find "$debs" -maxdepth 1 -name "makedumpfile_${ver//:/%3a}_amd64.deb" -print | head -n 1)
	[ -n "$f" ] || die "apt-get download makedumpfile=$ver left no .deb in $debs"
fi
tmp=$(mktemp -d "$LAZY_KDUMP_CACHE/tools/.makedumpfile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$f" "$tmp" || die "cannot unpack $f"
[ -x "$tmp/usr/bin/makedumpfile" ] || die "$f holds no usr/bin/makedumpfile"
if ! out=$("$tmp/usr/bin/makedumpfile" -v 2>&1); then
	die "makedumpfile $ver from $suite does not run on this host: $(head -n 3 <<<"$out" | tr '\n' ' ')(try another SUITE)"
fi
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$bin"
