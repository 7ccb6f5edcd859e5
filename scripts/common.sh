# shellcheck shell=bash
# Shared helpers for the test rig. Sourced, never run.
#
# Everything downloaded or built for tests lives under $LAZY_KDUMP_CACHE
# (default /var/cache/lazy-kdump), outside the clone. Nothing here writes to
# the system's apt configuration: Debian packages are resolved through a
# private sources list and private package lists under the cache.

: "${LAZY_KDUMP_CACHE:=/var/cache/lazy-kdump}"
: "${DEBIAN_MIRROR:=http://deb.debian.org/debian}"
: "${DEBIAN_SECURITY_MIRROR:=http://deb.debian.org/debian-security}"
export LAZY_KDUMP_CACHE

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The apt options that point apt-get/apt-cache at the private state.
apt_private_opts() {
	local d="$LAZY_KDUMP_CACHE/apt"
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$d/sources.list" \
		-o "Dir::Etc::SourceParts=/dev/null" \
		-o "Dir::State::Lists=$d/lists" \
		-o "Dir::Cache=$d/cache" \
		-o "Dir::State::status=$d/status" \
		-o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" \
		-o "APT::Get::AllowUnauthenticated=0"
}

# apt_private CMD ARGS...: run apt-get/apt-cache against the private state.
apt_private() {
	local cmd=$1
	shift
	local -a opts
	mapfile -t opts < <(apt_private_opts)
	"$cmd" "${opts[@]}" "$@"
}

# Refresh the private package lists at most every $1 minutes (default 360).
# A failed refresh with usable old lists is only a warning: the cache keeps
# working offline.
apt_private_update() {
	local max_age=${1:-360} d="$LAZY_KDUMP_CACHE/apt" stamp new
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	[ -e "$d/status" ] || : >"$d/status"
	# A private temporary name: parallel callers must not rename each other's.
	new=$(mktemp "$d/sources.list.XXXXXX")
	cat >"$new" <<-SRC
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR bookworm main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_SECURITY_MIRROR bookworm-security main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR trixie main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_SECURITY_MIRROR trixie-security main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR trixie-backports main
	SRC
	chmod 644 "$new"
	mv "$new" "$d/sources.list"
	stamp="$d/lists/.updated"
	if [ -e "$stamp" ] && [ -z "$(find "$stamp" -mmin +"$max_age")" ]; then
		return 0
	fi
	if apt_private apt-get -q update >"$d/update.log" 2>&1; then
		touch "$stamp"
	elif [ -e "$stamp" ]; then
		log "warning: could not refresh Debian package lists (see $d/update.log); using the cached ones"
	else
		cat "$d/update.log" >&2
		die "could not download Debian package lists from $DEBIAN_MIRROR; check network access to the Debian archive"
	fi
}

# suite_version PKG SUITE: newest version of PKG in SUITE (bookworm includes
# bookworm-security, trixie includes trixie-security).
suite_version() {
	local pkg=$1 suite=$2
	apt_private apt-cache madison "$pkg" 2>/dev/null |
		awk -F' [|] ' -v s="$suite" '{
			split($3, a, " "); sub(/\/.*/, "", a[2])
			t = a[2]
			if (t == s || (s != "trixie-backports" && t == s "-security")) print $2
		}' | sort -V | tail -n 1 | tr -d ' '
}

# pkg_depends PKG VER: the Depends field, one alternative-free name a line.
pkg_depends() {
	apt_private apt-cache show "$1=$2" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
		sed 's/^ *//; s/ .*//; s/|.*//' | sed '/^$/d'
}

# Directory names by suite.
series_of_suite() {
	case $1 in
	bookworm) echo 6.1 ;;
	trixie) echo 6.12 ;;
	trixie-backports) echo 7.x ;;
	*) return 1 ;;
	esac
}
