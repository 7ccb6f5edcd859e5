#!/usr/bin/env bash
# Build the Debian packages lazy-kdump and lazy-cma-dkms from this tree with
# dpkg-buildpackage (binary only, unsigned) and check them with lintian, for
# Debian 12 (bookworm) and Debian 13 (trixie). TAP on stdout.
#
# Usage: scripts/build-deb.sh [--version V] [--no-lintian] [SUITE...]
#   SUITE          bookworm and/or trixie (default: both). Debian 12 builds
#                  on the host, which must be Debian 12; Debian 13 builds in
#                  the trixie build chroot (scripts/build-chroot.sh).
#   --version V    build V instead of the tree's VERSION: a copy of the tree
#                  gets VERSION=V and a changelog entry for V on top (the
#                  full-system test builds a higher version to upgrade to)
#   --no-lintian   skip lintian (a test build whose lintian run is make deb's)
#
# Output: build/deb/SUITE/ (LAZY_DEB_OUT=DIR for another directory): the
# .deb files, .changes, .buildinfo, build.log and lintian.log. lintian runs at
# its default level with --fail-on error,warning: any error or warning
# fails; overrides live in debian/*.lintian-overrides, each with a comment.
# The unit tests are not run in the package build here (DEB_BUILD_OPTIONS
# nocheck): make check runs them; `dpkg-buildpackage` by hand runs them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

version=''
lintian=1
suites=()
while [ $# -gt 0 ]; do
	case $1 in
	--version)
		[ $# -ge 2 ] || die "--version needs a value"
		version=$2
		shift 2
		;;
	--no-lintian)
		lintian=0
		shift
		;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	bookworm | trixie)
		suites+=("$1")
		shift
		;;
	*) die "unknown argument '$1' (usage: $0 [--version V] [--no-lintian] [bookworm] [trixie])" ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
if [ -n "$version" ] && ! [[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	die "'$version' is not a native Debian version (digits first, then letters, digits, . + ~)"
fi
out_base=${LAZY_DEB_OUT:-$top/build/deb}
mkdir -p "$out_base"
out_base=$(cd "$out_base" && pwd)

n=0 failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
nok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}

# stage DIR: the tree's files as they are now (committed or not, not
# build/) in DIR/lazy-kdump-VERSION, with --version applied.
stage() {
	local dir=$1 v src
	v=${version:-$(cat "$top/VERSION")}
	src=$dir/lazy-kdump-$v
	rm -rf "$dir"
	mkdir -p "$src"
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) |
			tar -xf - -C "$src"
	else
		(cd "$top" && tar -cf - --exclude=./build --exclude=./.git .) | tar -xf - -C "$src"
	fi
	if [ -n "$version" ]; then
		echo "$version" >"$src/VERSION"
		{
			printf 'lazy-kdump (%s) unstable; urgency=medium\n\n' "$version"
			printf '  * Built by scripts/build-deb.sh --version %s from the tree of\n' "$version"
			printf '    %s (a test build, not a release).\n\n' "$(head -n 1 "$top/debian/changelog" | sed 's/^lazy-kdump (\([^)]*\)).*/\1/')"
			printf ' -- %s  %s\n\n' "$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$top/debian/changelog" | head -n 1)" "$(date -R)"
			cat "$top/debian/changelog"
		} >"$src/debian/changelog.new"
		mv "$src/debian/changelog.new" "$src/debian/changelog"
	fi
	echo "$src"
}

# collect SUITE SRCPARENT: move the products to the output directory.
collect() {
	local suite=$1 parent=$2 out=$out_base/$1
	mkdir -p "$out"
	rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
	mv "$parent"/*.deb "$parent"/*.changes "$parent"/*.buildinfo "$out/" 2>/dev/null || true
}

host_codename() { sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null; }

# The commands run for a build, on the host or in the chroot:
#   build: dpkg-buildpackage -b -us -uc, then lintian on the .changes.
# shellcheck disable=SC2016 # expanded by the bash -c that runs them
BUILD_CMD='set -e; cd "$1"; DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc >"$2/build.log" 2>&1'
# shellcheck disable=SC2016
LINTIAN_CMD='cd "$1"; lintian --fail-on error,warning --info --display-info --pedantic *.changes >"$2/lintian.log" 2>&1'

# report SUITE RC-BUILD RC-LINTIAN
report() {
	local suite=$1 brc=$2 lrc=$3 out=$out_base/$1 d
	if [ "$brc" = 0 ] && ls "$out"/lazy-kdump_*.deb "$out"/lazy-cma-dkms_*.deb >/dev/null 2>&1; then
		ok "deb/$suite: dpkg-buildpackage built $(cd "$out" && echo ./*.deb | sed 's|\./||g')"
	else
		nok "deb/$suite: dpkg-buildpackage built lazy-kdump and lazy-cma-dkms (log: $out/build.log)"
		tail -n 20 "$out/build.log" 2>/dev/null | sed 's/^/#   /'
		return 0
	fi
	# E: and W: lines fail; I:, P: (pedantic), X: and N: are shown only.
	if [ "$lintian" = 0 ]; then
		:
	elif [ "$lrc" = 0 ] && ! grep -Eq '^[EW]: ' "$out/lintian.log"; then
		ok "deb/$suite: lintian reports no error and no warning ($(grep -c '^[IPX]: ' "$out/lintian.log" || true) info/pedantic notes in lintian.log)"
	else
		nok "deb/$suite: lintian reports no error and no warning (lintian exit $lrc, log: $out/lintian.log)"
		grep -E '^[EW]: ' "$out/lintian.log" | head -n 20 | sed 's/^/#   /'
	fi
	# Maintainer scripts parse (debhelper splices its parts into ours).
	local bad='' tmp s
	tmp=$(mktemp -d)
	for d in "$out"/*.deb; do
		echo "# $(basename "$d"): $(stat -c %s "$d") bytes"
		rm -rf "${tmp:?}"/*
		dpkg-deb -e "$d" "$tmp"
		for s in preinst postinst prerm postrm; do
			[ ! -e "$tmp/$s" ] || sh -n "$tmp/$s" 2>/dev/null || bad="$bad $(basename "$d"):$s"
		done
	done
	rm -rf "$tmp"
	if [ -z "$bad" ]; then
		ok "deb/$suite: every maintainer script passes sh -n"
	else
		nok "deb/$suite: every maintainer script passes sh -n (not:$bad)"
	fi
}

echo "TAP version 13"
for suite in "${suites[@]}"; do
	out=$out_base/$suite
	mkdir -p "$out"
	rm -f "$out/build.log" "$out/lintian.log"
	case $suite in
	bookworm)
		if [ "$(host_codename)" != bookworm ]; then
			nok "deb/bookworm: the Debian 12 packages are built on a Debian 12 host (this is '$(host_codename)')"
			continue
		fi
		for tool in dpkg-buildpackage dh dh_dkms lintian pkg-config; do
			command -v "$tool" >/dev/null || die "no $tool on this host; run scripts/install-deps.sh"
		done
		work=$out_base/.src-bookworm
		src=$(stage "$work")
		brc=0 lrc=0
		bash -c "$BUILD_CMD" build "$src" "$out" || brc=$?
		collect bookworm "$work"
		if [ "$brc" = 0 ] && [ "$lintian" = 1 ]; then bash -c "$LINTIAN_CMD" lintian "$out" "$out" || lrc=$?; fi
		rm -rf "$work"
		report bookworm "$brc" "$lrc"
		;;
	trixie)
		[ "$(id -u)" = 0 ] || die "building in the trixie chroot needs root (mount, chroot)"
		chroot=$("$here/build-chroot.sh" | tail -n 1) || die "could not create the build chroot"
		lockf=$(dirname "$chroot")/.$(basename "$chroot").lock
		exec 8>>"$lockf"
		flock -s 8
		work=$out_base/.src-trixie
		src=$(stage "$work")
		brc=0 lrc=0
		# The work directory is bind-mounted on the chroot's /build/deb in a
		# private mount namespace; the products land in it.
		# shellcheck disable=SC2016 # expanded by that bash
		unshare --mount --propagation private -- bash -c '
			set -e
			root=$1 work=$2 src=$3 build=$4 lint=$5 lintian=$6
			mount -t tmpfs -o mode=1777 lazy-kdump-tmp "$root/tmp"
			mount -t proc lazy-kdump-proc "$root/proc"
			mkdir -p "$root/build/deb"
			mount --bind "$work" "$root/build/deb"
			inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin \
				HOME=/tmp LANG=C.UTF-8 TERM=dumb bash -c "$@"; }
			brc=0
			inroot "$build" build "/build/deb/${src##*/}" /build/deb || brc=$?
			echo "$brc" >"$work/.brc"
			if [ "$brc" = 0 ] && [ "$lintian" = 1 ]; then
				inroot "$lint" lintian /build/deb /build/deb || echo $? >"$work/.lrc"
			fi
		' build-deb.sh "$chroot" "$work" "$src" "$BUILD_CMD" "$LINTIAN_CMD" "$lintian" || brc=$?
		exec 8>&-
		[ ! -f "$work/.brc" ] || brc=$(cat "$work/.brc")
		[ ! -f "$work/.lrc" ] || lrc=$(cat "$work/.lrc")
		mv "$work/build.log" "$out/build.log" 2>/dev/null || true
		mv "$work/lintian.log" "$out/lintian.log" 2>/dev/null || true
		collect trixie "$work"
		if [ "$brc" = 0 ] && [ "$lintian" = 1 ] && [ ! -f "$out/lintian.log" ]; then lrc=1; fi
		rm -rf "$work"
		report trixie "$brc" "$lrc"
		;;
	esac
done
echo "1..$n"
[ "$failed" = 0 ]
