#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` / `make uninstall` into a DESTDIR: every file in its place
# with the version and paths substituted, a changed config kept, nothing
# left behind; the man pages render cleanly and document every verb, option
# and configuration key the commands know; the shell pieces are clean.
# (DKMS and systemd are not touched with a DESTDIR; the full-system test
# covers them: tests/full/.)
#
# Usage: test-install.sh TOP
set -euo pipefail

top=$(realpath "${1:?usage: test-install.sh TOP}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
version=$(cat "$top/VERSION")

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do printf '#   %s\n' "$l"; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
expect() {
	local desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then pass "$desc"; else fail "$desc" "failed: $*" "$(tail -n 5 "$tmp/out" | tr '\n' '|')"; fi
}

mk() { make -s -C "$top" DESTDIR="$dest" PREFIX=/usr UNITDIR=/usr/lib/systemd/system \
	UDEVRULESDIR=/usr/lib/udev/rules.d \
	O="$tmp/build" "$@"; }

expect "make install DESTDIR=... PREFIX=/usr succeeds" mk install

files="usr/sbin/lazy-kdump usr/sbin/lazy-cma usr/lib/lazy-kdump/mkinitrd
usr/lib/lazy-kdump/rearm usr/lib/lazy-kdump/no-other-kdump usr/lib/lazy-kdump/kernel-hook
usr/lib/systemd/system/lazy-kdump.service usr/lib/systemd/system/lazy-kdump-rearm.path
usr/lib/systemd/system/lazy-kdump-rearm.service usr/lib/systemd/system/lazy-kdump-raw-save.service
usr/lib/lazy-kdump/memhp usr/lib/lazy-kdump/raw-save usr/lib/lazy-kdump/propagate usr/lib/udev/rules.d/98-lazy-kdump.rules
usr/lib/dracut/modules.d/99lazy-kdump/module-setup.sh
usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-lib.sh
usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-capture.sh
usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-capture.service
usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-emergency.sh
usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-udhcpc.sh
usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-prune.sh
etc/kernel/postinst.d/lazy-kdump etc/kernel/postrm.d/lazy-kdump
usr/lib/kernel/install.d/60-lazy-kdump.install
usr/share/man/man8/lazy-kdump.8 usr/share/man/man8/lazy-cma.8 usr/share/man/man5/lazy-kdump.conf.5
etc/lazy-kdump.conf usr/src/lazy-cma-$version/dkms.conf usr/src/lazy-cma-$version/Kbuild
usr/src/lazy-cma-$version/VERSION usr/src/lazy-cma-$version/uapi/lazy_cma.h"
missing=''
for f in $files; do [ -e "$dest/$f" ] || missing="$missing $f"; done
expect "every file is installed${missing:+ (missing:$missing)}" test -z "$missing"

notexec=''
for f in usr/sbin/lazy-kdump usr/lib/lazy-kdump/mkinitrd usr/lib/lazy-kdump/rearm \
	usr/lib/lazy-kdump/no-other-kdump usr/lib/lazy-kdump/kernel-hook \
	usr/lib/lazy-kdump/memhp usr/lib/lazy-kdump/raw-save usr/lib/lazy-kdump/propagate \
	usr/lib/dracut/modules.d/99lazy-kdump/module-setup.sh \
	usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-capture.sh \
	etc/kernel/postinst.d/lazy-kdump usr/lib/kernel/install.d/60-lazy-kdump.install; do
	[ -x "$dest/$f" ] || notexec="$notexec $f"
done
expect "commands, scripts and hooks are executable${notexec:+ (not:$notexec)}" test -z "$notexec"

left=$(grep -rlE '@(VERSION|SBINDIR|LIBEXECDIR|SYSCONFDIR|DRACUTMODDIR|STATEDIR|UNITDIR)@' "$dest" 2>/dev/null | sed "s|^$dest/||" | tr '\n' ' ' || true)
expect "no @PLACEHOLDER@ is left in installed files${left:+ ($left)}" test -z "$left"
expect "the service runs the installed paths" grep -qx 'ExecStart=/usr/sbin/lazy-kdump load' \
	"$dest/usr/lib/systemd/system/lazy-kdump.service"
expect "the hooks call the installed kernel-hook" grep -q '/usr/lib/lazy-kdump/kernel-hook' \
	"$dest/etc/kernel/postinst.d/lazy-kdump"
expect "the udev rule runs the installed memhp on memory online/offline" grep -qx \
	'SUBSYSTEM=="memory", ACTION=="online|offline", RUN+="/usr/lib/lazy-kdump/memhp"' \
	"$dest/usr/lib/udev/rules.d/98-lazy-kdump.rules"

expect "dkms.conf says PACKAGE_VERSION=\"$version\"" grep -qx "PACKAGE_VERSION=\"$version\"" \
	"$dest/usr/src/lazy-cma-$version/dkms.conf"
expect "dkms.conf builds lazy_cma with AUTOINSTALL" grep -qx 'AUTOINSTALL="yes"' \
	"$dest/usr/src/lazy-cma-$version/dkms.conf"
expect "lazy-kdump --version says $version" test "$("$dest/usr/sbin/lazy-kdump" --version)" = "lazy-kdump $version"
expect "lazy-cma --version says $version" bash -c "'$dest/usr/sbin/lazy-cma' --version | grep -q ' $version\$'"
expect "the module takes its version from VERSION (MODULE_VERSION(LCMA_VERSION))" \
	grep -q 'MODULE_VERSION(LCMA_VERSION)' "$dest/usr/src/lazy-cma-$version/main.c"

for s in usr/lib/lazy-kdump/mkinitrd usr/lib/lazy-kdump/rearm usr/lib/lazy-kdump/no-other-kdump \
	usr/lib/lazy-kdump/kernel-hook usr/lib/dracut/modules.d/99lazy-kdump/module-setup.sh; do
	expect "bash -n $s" bash -n "$dest/$s"
done
for s in etc/kernel/postinst.d/lazy-kdump etc/kernel/postrm.d/lazy-kdump \
	usr/lib/kernel/install.d/60-lazy-kdump.install usr/lib/dracut/modules.d/99lazy-kdump/lazy-kdump-prune.sh; do
	expect "sh -n $s" sh -n "$dest/$s"
done
if command -v shellcheck >/dev/null; then
	if (cd "$top" && shellcheck -x dracut/*.sh dracut/99lazy-kdump/*.sh systemd/*.sh kernel/*.sh \
		kernel/postinst kernel/postrm kernel/60-lazy-kdump.install scripts/dkms-register.sh \
		tests/full/*.sh tests/full/guest/step.sh) >"$tmp/sc" 2>&1; then
		pass "shellcheck: install, dracut, systemd, kernel hook and full-test scripts"
	else
		fail "shellcheck: install, dracut, systemd, kernel hook and full-test scripts" "$(head -n 20 "$tmp/sc" | tr '\n' '|')"
	fi
else
	skip "shellcheck of the install scripts" "shellcheck is not installed"
fi

# Man pages: render without warnings; document what --help lists.
for m in man8/lazy-kdump.8 man8/lazy-cma.8 man5/lazy-kdump.conf.5; do
	if command -v groff >/dev/null; then
		w=$(LC_ALL=C.UTF-8 groff -man -ww -z "$dest/usr/share/man/$m" 2>&1)
		expect "groff -man -ww renders $m without warnings${w:+: $w}" test -z "$w"
	else
		skip "groff -man -ww renders $m" "groff is not installed"
	fi
done
# words_in_help CMD: verbs and --options the command's help pages list.
words_in_help() {
	local cmd=$1 v
	"$cmd" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p; s/^  \([a-z][a-z]*\)$/\1/p' | sort -u >"$tmp/verbs"
	{
		"$cmd" --help
		while read -r v; do "$cmd" "$v" --help; done <"$tmp/verbs"
	} | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u >"$tmp/options"
	cat "$tmp/verbs" "$tmp/options"
}
# man_text PAGE: the page as text, hyphens plain.
man_text() { LC_ALL=C.UTF-8 groff -man -Tutf8 "$1" 2>/dev/null | sed 's/.\x08//g; s/‐/-/g; s/−/-/g'; }
if command -v groff >/dev/null; then
	for c in lazy-kdump lazy-cma; do
		man_text "$dest/usr/share/man/man8/$c.8" >"$tmp/$c.txt"
		undoc='' words=0
		for w in $(words_in_help "$dest/usr/sbin/$c"); do
			words=$((words + 1))
			grep -q -- "$w" "$tmp/$c.txt" || undoc="$undoc $w"
		done
		expect "$c(8) documents the $words verbs and options of $c --help${undoc:+ (missing:$undoc)}" \
			test "$words" -gt 5 -a -z "$undoc"
	done
	man_text "$dest/usr/share/man/man5/lazy-kdump.conf.5" >"$tmp/conf.txt"
	keys=$(sed -n 's/.*"\(KERNEL, INITRD[A-Z_, ]*\)".*/\1/p' "$top/lazy_kdump/lib/config.c" | tr -d ',')
	undoc=''
	for k in $keys; do grep -q "$k=" "$tmp/conf.txt" || undoc="$undoc $k"; done
	expect "lazy-kdump.conf(5) documents every key lazy-kdump knows ($(echo "$keys" | wc -w) keys)${undoc:+ (missing:$undoc)}" \
		bash -c "[ -n '$keys' ] && [ -z '$undoc' ]"
else
	skip "man pages document --help" "groff is not installed"
fi

# The config: kept when changed, removed when not.
echo 'SIZE=256M' >>"$dest/etc/lazy-kdump.conf"
expect "a second make install succeeds" mk install
expect "... and keeps the changed /etc/lazy-kdump.conf" grep -qx 'SIZE=256M' "$dest/etc/lazy-kdump.conf"
expect "make uninstall succeeds" mk uninstall
rest=$(cd "$dest" && find . -not -type d | sed 's|^\./||' | tr '\n' ' ')
expect "uninstall removes everything but the changed config${rest:+ (left: $rest)}" \
	test "$rest" = "etc/lazy-kdump.conf "
cp "$top/lazy_kdump/lazy-kdump.conf" "$dest/etc/lazy-kdump.conf"
expect "make uninstall with the default config" mk uninstall
expect "... removes it" test ! -e "$dest/etc/lazy-kdump.conf"

echo "1..$n"
