#!/usr/bin/env bash
# Make sure every host tool the test rig needs is installed (Debian 12).
#
# Usage: scripts/install-deps.sh [--check] [--static]
#   --check   only report what is missing (exit 1 if anything is)
#   --static  also what only `make check-static` needs (STATIC_DEPS)
#
# Each need is checked by its command (or, for packages without one, by
# dpkg-query). Only when something is missing does this run `apt-get update`
# once and `apt-get install --no-install-recommends` of the missing
# packages. Not root: prints the apt-get command to run (on stdout) and
# exits 1.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

# The rig's host needs: Debian package, then a command that proves it is
# installed ("-": ask dpkg instead). Append here; keep python3 out unless
# something cannot do without it (the metrics test parses lazy-kdump's
# Prometheus file with the reference client's parser: /usr/bin/python3
# and python3-prometheus-client).
DEPS='
qemu-system-x86         qemu-system-x86_64
qemu-utils              qemu-img
busybox-static          -
cpio                    cpio
zstd                    zstd
xz-utils                xz
kexec-tools             kexec
makedumpfile            makedumpfile
debootstrap             debootstrap
debian-archive-keyring  -
util-linux              unshare
kmod                    depmod
e2fsprogs               mkfs.ext4
dwarves                 pahole
gcc                     gcc
make                    make
libc6-dev               -
file                    file
jq                      jq
clang                   clang
zlib1g-dev              -
liblzma-dev             -
libzstd-dev             -
liblz4-dev              -
libbz2-dev              -
lz4                     lz4
bzip2                   bzip2
groff-base              groff
perl                    -
flex                    flex
bison                   bison
bc                      bc
libelf-dev              -
libssl-dev              -
dpkg-dev                dpkg-buildpackage
debhelper               dh
dh-dkms                 dh_dkms
lintian                 lintian
pkg-config              pkg-config
python3-prometheus-client -
'
# Only for `make check-static` (coccicheck; its rules with OCaml scripts
# need the OCaml compiler), kept out of DEPS: some 300 MB that `make check`
# does not use.
STATIC_DEPS='
coccinelle              spatch
ocaml-nox               ocamlopt
'

check_only=0
for arg in "$@"; do
	case $arg in
	--check) check_only=1 ;;
	--static) DEPS+=$STATIC_DEPS ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*) die "unknown argument '$arg' (usage: $0 [--check] [--static])" ;;
	esac
done

command -v dpkg-query >/dev/null ||
	die "dpkg-query not found: this script supports Debian only; install the packages listed in $0 by hand"

# have_cmd CMD: CMD is installed, also when /sbin is not on PATH.
have_cmd() {
	command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

pkg_installed() {
	# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# missing_packages: the packages of DEPS whose need is not met, one a line.
missing_packages() {
	local pkg cmd
	while read -r pkg cmd; do
		[ -n "$pkg" ] || continue
		if [ "$cmd" != - ] && have_cmd "$cmd"; then
			continue
		fi
		pkg_installed "$pkg" || echo "$pkg"
	done <<<"$DEPS"
}

mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -eq 0 ]; then
	log "all host dependencies are installed"
	exit 0
fi
install_cmd="apt-get install -y --no-install-recommends ${missing[*]}"
log "missing: ${missing[*]}"
if [ "$check_only" = 1 ]; then
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	log "not root: run this as root, then run $0 again:"
	echo "apt-get update && $install_cmd"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update || die "apt-get update failed; check /etc/apt/sources.list* and network access to the Debian archive"
apt-get install -y --no-install-recommends "${missing[@]}" ||
	die "'$install_cmd' failed; see apt-get's messages above"

mapfile -t missing < <(missing_packages)
[ ${#missing[@]} -eq 0 ] ||
	die "still missing after apt-get install: ${missing[*]}; install them by hand"
log "installed: all host dependencies are now present"
