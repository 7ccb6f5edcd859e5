#!/usr/bin/env bash
# Build, once, the Debian root file system image the full-system tests boot,
# and print its path: $LAZY_KDUMP_CACHE/full/SUITE/base.img.
#
# Usage: tests/full/build-image.sh [--rebuild] [SUITE]    (default trixie)
#
# The image: a 4 GiB sparse ext4 file system without a partition table
# (root=/dev/vda), debootstrap --variant=minbase plus systemd, udev, dbus,
# kmod, dracut, the distribution kernel with its headers, dkms and a compiler
# (for `make install` and DKMS), makedumpfile and the libraries lazy-kdump
# links with. Its apt sources name the suite, its security updates and
# trixie-backports (a second kernel for the tests); the package lists are
# fetched once here, so that later installs in the image need no update.
# Downloaded packages are kept in $LAZY_KDUMP_CACHE/full/debs/SUITE.
#
# It is built under a temporary name and renamed into place with a stamp
# (base.stamp) of what it was built from; a different stamp rebuilds it.
# About 1.5 GB of the 4 GiB are used.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/common.sh
. "$here/../../scripts/common.sh"

# What the image holds beyond minbase. Append here (the stamp changes).
BASE_PACKAGES=(systemd systemd-sysv udev dbus kmod e2fsprogs)
PACKAGES=(
	dracut linux-image-amd64 linux-headers-amd64 dkms makedumpfile
	build-essential pkg-config zlib1g-dev liblzma-dev libzstd-dev
	liblz4-dev libbz2-dev
)
IMAGE_FORMAT=1
IMAGE_SIZE=4G
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# --- inside the image (re-entered through in-image.sh) ----------------------
if [ "${1-}" = --stage ]; then
	stage=$2 suite=$3
	case $stage in
	debootstrap)
		include=$(
			IFS=,
			echo "${BASE_PACKAGES[*]}"
		)
		debootstrap --variant=minbase --merged-usr --components=main \
			--keyring="$KEYRING" \
			--cache-dir="$LAZY_KDUMP_CACHE/debootstrap/$suite" \
			--include="$include" "$suite" "$ROOT" "$DEBIAN_MIRROR"
		;;
	packages)
		cat >"$ROOT/etc/apt/sources.list" <<-SRC
		deb $DEBIAN_MIRROR $suite main
		deb $DEBIAN_SECURITY_MIRROR $suite-security main
		SRC
		if [ "$suite" = trixie ]; then
			echo "deb $DEBIAN_MIRROR trixie-backports main" >>"$ROOT/etc/apt/sources.list"
		fi
		echo 'APT::Install-Recommends "false";' >"$ROOT/etc/apt/apt.conf.d/90lazy-test"
		"$here/image-dracut-conf.sh" on "$ROOT"
		chroot "$ROOT" apt-get -q update
		DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get -q -y install "${PACKAGES[@]}"
		"$here/image-dracut-conf.sh" off "$ROOT"
		chroot "$ROOT" apt-get clean
		echo lazyvm >"$ROOT/etc/hostname"
		printf '127.0.1.1\tlazyvm\n' >>"$ROOT/etc/hosts"
		printf '/dev/vda\t/\text4\terrors=remount-ro\t0\t1\n' >"$ROOT/etc/fstab"
		chroot "$ROOT" passwd -d root >/dev/null
		chroot "$ROOT" systemctl set-default multi-user.target
		# Nothing that wakes up on its own during a test.
		for t in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
			e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer; do
			chroot "$ROOT" systemctl mask "$t" >/dev/null 2>&1 || true
		done
		ls "$ROOT"/boot/vmlinuz-* >/dev/null 2>&1 ||
			die "the image has no kernel in /boot after installing linux-image-amd64"
		;;
	*) die "unknown stage $stage" ;;
	esac
	exit 0
fi

rebuild=0
if [ "${1-}" = --rebuild ]; then
	rebuild=1
	shift
fi
case ${1-} in -h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
suite=${1:-trixie}
case $suite in bookworm | trixie) ;; *) die "unknown suite '$suite' (bookworm or trixie)" ;; esac

dir=$LAZY_KDUMP_CACHE/full/$suite
img=$dir/base.img
want_stamp=$(printf 'format=%s\nsuite=%s\nsize=%s\nbase=%s\npackages=%s\ndracut-conf=%s\n' \
	"$IMAGE_FORMAT" "$suite" "$IMAGE_SIZE" "${BASE_PACKAGES[*]}" "${PACKAGES[*]}" \
	"$(cksum <"$here/image-dracut-conf.sh")")
stamp_ok() { [ -f "$img" ] && [ "$(cat "$dir/base.stamp" 2>/dev/null)" = "$want_stamp" ]; }

if [ "$rebuild" = 0 ] && stamp_ok; then
	echo "$img"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "building the image needs root (debootstrap, loop mounts); run $0 as root"
command -v debootstrap >/dev/null || die "debootstrap is not installed; run scripts/install-deps.sh"
[ -r "$KEYRING" ] || die "no Debian archive keyring at $KEYRING; install debian-archive-keyring"
mkdir -p "$dir" "$LAZY_KDUMP_CACHE/debootstrap/$suite" "$LAZY_KDUMP_CACHE/full/debs/$suite"
exec 9>"$dir/.lock"
flock 9
if [ "$rebuild" = 0 ] && stamp_ok; then
	echo "$img"
	exit 0
fi

tmp=$dir/.base.img.tmp
logf=$dir/build.log
rm -f "$tmp"
trap 'rm -f "$tmp"' EXIT
truncate -s "$IMAGE_SIZE" "$tmp"
mkfs.ext4 -q -L lazyroot "$tmp"
start=$SECONDS
log "building the $suite image (log: $logf)"
if ! "$here/in-image.sh" "$tmp" -- "$0" --stage debootstrap "$suite" >"$logf" 2>&1 ||
	! "$here/in-image.sh" -b "$LAZY_KDUMP_CACHE/full/debs/$suite:/var/cache/apt/archives" \
		"$tmp" -- "$0" --stage packages "$suite" >>"$logf" 2>&1; then
	tail -n 30 "$logf" >&2
	die "building the $suite image failed (full log: $logf); check access to the Debian archive"
fi
e2fsck -fy "$tmp" >>"$logf" 2>&1 || [ $? -le 1 ] || die "the new image's file system is damaged (see $logf)"
mv "$tmp" "$img"
trap - EXIT
printf '%s\n' "$want_stamp" >"$dir/base.stamp"
log "built $img in $((SECONDS - start)) s ($(du -h "$img" | cut -f1) used)"
echo "$img"
