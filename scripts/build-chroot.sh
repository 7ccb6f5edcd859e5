#!/usr/bin/env bash
# Create, once, the Debian trixie chroot in which out-of-tree modules are
# built for every kernel series the tests use (6.1, 6.12, 7.x).
#
# Usage: scripts/build-chroot.sh [--rebuild]
# Prints the chroot's directory ($LAZY_KDUMP_CACHE/chroot/trixie).
#
# Why a chroot: 6.12 and 7.x were built with gcc-14 (bookworm has only
# gcc-12, which rejects their flags) and 7.x's prebuilt kbuild tools need
# glibc >= 2.38. Trixie has gcc-12 and gcc-14 and a new enough glibc, so one
# chroot serves every series. The system's apt configuration is not touched:
# debootstrap fetches straight from $DEBIAN_MIRROR into the chroot.
#
# The chroot is built in a temporary directory and renamed into place with a
# stamp (/etc/lazy-kdump-chroot) recording what it was built with; an
# interrupted run leaves only a temporary directory, removed by the next run.
# A chroot whose stamp differs from the current package list is rebuilt.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

CHROOT_SUITE=trixie
# Everything the module build needs inside the chroot. Append here.
#   gcc-12       6.1 was built with it (CONFIG_CC_VERSION_TEXT "gcc-12 ...")
#   gcc-14       6.12 and 7.x ("x86_64-linux-gnu-gcc-14 ...")
#   gcc          plain `gcc` for anything that runs $(HOSTCC)
#   pahole       BTF for modules; linux-kbuild-6.12+ depends on it
#   libelf1t64 libssl3t64 zlib1g   run-time libraries of linux-kbuild-*
#   dpkg         the headers' .kernelvariables run `dpkg --print-architecture`
#   perl         W=1 runs scripts/kernel-doc (perl, with Pod::Usage) on 6.1 and
#                6.12; 7.x's kernel-doc is python but skipped for M= builds
#   sparse       the C=2 builds of scripts/check-static.sh (CHECK=sparse)
CHROOT_PACKAGES=(
	gcc-12 gcc-14 gcc make libc6-dev
	libelf1t64 libssl3t64 zlib1g pahole
	bc kmod dpkg perl sparse
)
# Installed afterwards with apt-get in the chroot (debootstrap's own
# ordering fails to configure lintian's perl dependencies):
#   build-essential debhelper dh-dkms lintian pkg-config systemd-dev *-dev
#                the Debian 13 packages (scripts/build-deb.sh trixie): their
#                build dependencies (debian/control) and lintian
CHROOT_APT_PACKAGES=(
	build-essential debhelper dh-dkms lintian pkg-config systemd-dev
	zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev
)
CHROOT_FORMAT=1
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

rebuild=0
case ${1-} in
'') ;;
--rebuild) rebuild=1 ;;
-h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
*) die "unknown argument '$1' (usage: $0 [--rebuild])" ;;
esac

base=$LAZY_KDUMP_CACHE/chroot
dir=$base/$CHROOT_SUITE
stamp_rel=etc/lazy-kdump-chroot
want_stamp=$(printf 'format=%s\nsuite=%s\npackages=%s\napt-packages=%s\n' \
	"$CHROOT_FORMAT" "$CHROOT_SUITE" "${CHROOT_PACKAGES[*]}" "${CHROOT_APT_PACKAGES[*]}")

stamp_ok() {
	[ -f "$dir/$stamp_rel" ] && [ "$(cat "$dir/$stamp_rel")" = "$want_stamp" ]
}

# Fast path: nothing to do, no lock needed.
if [ "$rebuild" = 0 ] && stamp_ok; then
	echo "$dir"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "creating the build chroot needs root (debootstrap, chroot); run $0 as root"
command -v debootstrap >/dev/null || die "debootstrap is not installed; run scripts/install-deps.sh"
command -v unshare >/dev/null || die "unshare (util-linux) is not installed; run scripts/install-deps.sh"
[ -r "$KEYRING" ] || die "no Debian archive keyring at $KEYRING; install debian-archive-keyring"

mkdir -p "$base" "$LAZY_KDUMP_CACHE/debootstrap/$CHROOT_SUITE"
exec 9>"$base/.$CHROOT_SUITE.lock"
flock -x 9

# mounted_under DIR: true when something is mounted at or below DIR.
mounted_under() {
	local d
	d=$(realpath -m "$1")
	awk -v d="$d" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# remove_tree DIR: delete a leftover tree, refusing if anything is mounted in it.
remove_tree() {
	[ -e "$1" ] || return 0
	if mounted_under "$1"; then
		die "$1 has file systems mounted in it; unmount them (see /proc/self/mountinfo) and run $0 again"
	fi
	rm -rf --one-file-system "$1"
}

# Another run may have finished the job while this one waited for the lock.
if [ "$rebuild" = 0 ] && stamp_ok; then
	echo "$dir"
	exit 0
fi

# Leftovers of interrupted runs.
for d in "$base/.$CHROOT_SUITE".tmp.* "$base/.$CHROOT_SUITE".old.*; do
	[ -e "$d" ] || continue
	log "removing leftover $d"
	remove_tree "$d"
done

tmp=$(mktemp -d "$base/.$CHROOT_SUITE.tmp.XXXXXX")
trap 'remove_tree "$tmp"' EXIT
chmod 755 "$tmp"
logf=$base/$CHROOT_SUITE.log
include=$(
	IFS=,
	echo "${CHROOT_PACKAGES[*]}"
)
log "creating the $CHROOT_SUITE build chroot from $DEBIAN_MIRROR (log: $logf)"
start=$SECONDS
# A private mount namespace: whatever debootstrap mounts in the target (proc,
# sys) goes away with it, even when it is killed.
if ! unshare --mount --propagation private -- \
	debootstrap --variant=minbase --merged-usr --components=main \
	--keyring="$KEYRING" \
	--cache-dir="$LAZY_KDUMP_CACHE/debootstrap/$CHROOT_SUITE" \
	--include="$include" \
	"$CHROOT_SUITE" "$tmp" "$DEBIAN_MIRROR" >"$logf" 2>&1; then
	tail -n 30 "$logf" >&2
	die "debootstrap of $CHROOT_SUITE from $DEBIAN_MIRROR failed (full log: $logf); check access to the Debian archive"
fi

# shellcheck disable=SC2016 # expanded by that bash
if ! unshare --mount --propagation private -- bash -c '
	set -e
	root=$1
	shift
	mount -t proc lazy-kdump-proc "$root/proc"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	chroot "$root" /usr/bin/env -i PATH=/usr/bin:/usr/sbin:/bin:/sbin LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive apt-get -q update
	chroot "$root" /usr/bin/env -i PATH=/usr/bin:/usr/sbin:/bin:/sbin LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends install "$@"
	chroot "$root" apt-get clean
	' build-chroot.sh "$tmp" "${CHROOT_APT_PACKAGES[@]}" >>"$logf" 2>&1; then
	tail -n 30 "$logf" >&2
	die "installing ${CHROOT_APT_PACKAGES[*]} in the new $CHROOT_SUITE chroot failed (full log: $logf); check access to the Debian archive"
fi

# Check that the tools the module build calls are there.
for tool in gcc-12 x86_64-linux-gnu-gcc-14 gcc make pahole bc dpkg sparse \
	dpkg-buildpackage dh dh_dkms lintian pkg-config; do
	chroot "$tmp" /bin/sh -c "command -v $tool >/dev/null" ||
		die "the new $CHROOT_SUITE chroot has no '$tool'; fix CHROOT_PACKAGES in $0"
done

# The downloaded packages stay in the debootstrap cache, not in the chroot.
rm -f "$tmp"/var/cache/apt/archives/*.deb
rm -rf "$tmp"/var/lib/apt/lists/*
mkdir -p "$tmp/build"
printf '%s\n' "$want_stamp" >"$tmp/$stamp_rel"

if [ -e "$dir" ]; then
	old=$(mktemp -u "$base/.$CHROOT_SUITE.old.XXXXXX")
	mv "$dir" "$old"
	mv "$tmp" "$dir"
	trap - EXIT
	remove_tree "$old"
else
	mv "$tmp" "$dir"
	trap - EXIT
fi
log "created $dir in $((SECONDS - start)) s"
echo "$dir"
