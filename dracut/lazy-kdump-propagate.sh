#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# propagate - set up the ssh dump target DUMP_TARGET=ssh://[USER@]HOST[:PORT]/PATH
# names, as kdumpctl propagate does: run by 'lazy-kdump propagate'.
#
# Usage: @LIBEXECDIR@/propagate [--yes]
#   1. SSH_KEY (default /etc/lazy-kdump/ssh/id_ed25519) is made when missing
#      (ed25519, no passphrase: nobody types one after a panic; mode 0600
#      in a 0700 directory).
#   2. The server's host key is recorded in /etc/lazy-kdump/ssh/known_hosts
#      under HOST as written in DUMP_TARGET (the capture checks it, strictly)
#      when it is not there yet: read with ssh-keyscan, its fingerprint
#      shown, and kept only when confirmed ('yes' at the terminal, or --yes).
#   3. The public key is installed on the server with ssh-copy-id (it asks
#      for USER's password there when the server needs one), unless the key
#      logs in already.
#   4. The check arming does: the key logs in, PATH is a writable directory
#      there (made when missing).
#
# Environment: LAZY_KDUMP_CONFIG (as lazy-kdump), LAZY_KDUMP (the lazy-kdump
# command), LKD_KNOWN_HOSTS (the known_hosts file; tests).
#
# Exit status: 0 the target works; 1 failed (said why); 2 invalid command
# line.
# lazy-kdump-lib.sh sets the lkd_* variables.
# shellcheck disable=SC2154
set -euo pipefail

prog=lazy-kdump-propagate
conf=${LAZY_KDUMP_CONFIG:-@SYSCONFDIR@/lazy-kdump.conf}
moddir=@DRACUTMODDIR@
kh=${LKD_KNOWN_HOSTS:-/etc/lazy-kdump/ssh/known_hosts}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() {
	say "$*"
	exit 1
}
yes=0
for a; do
	case $a in
	--yes) yes=1 ;;
	-h | --help)
		sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*)
		say "unknown argument '$a'"
		exit 2
		;;
	esac
done

[ -r "$moddir/lazy-kdump-lib.sh" ] || die "the dracut module is missing ($moddir): reinstall lazy-kdump ('make install')"
# shellcheck source-path=SCRIPTDIR source=99lazy-kdump/lazy-kdump-lib.sh
. "$moddir/lazy-kdump-lib.sh"

lkd_conf_load "$conf" || die "$lkd_error"
target=$(lkd_conf_get DUMP_TARGET)
case $target in
ssh://*) ;;
*) die "DUMP_TARGET=$target in $conf is not an ssh:// target: propagate sets up ssh://[USER@]HOST[:PORT]/PATH (set DUMP_TARGET first)" ;;
esac
for cmd in ssh ssh-keygen ssh-keyscan ssh-copy-id; do
	command -v "$cmd" >/dev/null || die "$cmd is missing: install openssh-client"
done
lkd_resolve_net "$target" || die "$lkd_error"
key=$(lkd_net_part SSH_KEY)
dest=$lkd_net_user@$lkd_net_addr

# 1. The key.
if [ ! -e "$key" ]; then
	mkdir -p "$(dirname "$key")" && chmod 0700 "$(dirname "$key")"
	ssh-keygen -q -t ed25519 -N '' -C "lazy-kdump@$(uname -n)" -f "$key" ||
		die "ssh-keygen could not make $key"
	say "made the key $key (ed25519, no passphrase)"
fi
ssh-keygen -y -P '' -f "$key" >/dev/null 2>&1 ||
	die "SSH_KEY=$key is not a private key usable without a passphrase: remove it and run propagate again, or set SSH_KEY to another one"
[ -r "$key.pub" ] || ssh-keygen -y -P '' -f "$key" >"$key.pub"

# 2. The server's host key, under the name DUMP_TARGET uses.
if ! ssh-keygen -F "$lkd_net_host" -f "$kh" >/dev/null 2>&1; then
	scan=$(ssh-keyscan -T 10 -p "$lkd_net_port" "$lkd_net_addr" 2>/dev/null | grep -v '^#' || true)
	[ -n "$scan" ] || die "ssh-keyscan got no host key from $lkd_net_addr port $lkd_net_port: is sshd running there and reachable?"
	scan=$(awk -v h="$lkd_net_host" '{ $1 = h; print }' <<<"$scan")
	say "the host keys of $lkd_net_host ($lkd_net_addr port $lkd_net_port):"
	ssh-keygen -l -f - <<<"$scan" >&2
	if [ "$yes" != 1 ]; then
		[ -t 0 ] || die "not recording the host keys of $lkd_net_host without confirmation: check the fingerprints above, then run with --yes"
		printf 'Record these as the keys of %s? Type yes: ' "$lkd_net_host" >&2
		read -r answer || answer=''
		[ "$answer" = yes ] || die "not recorded: nothing was done"
	fi
	mkdir -p "$(dirname "$kh")"
	printf '%s\n' "$scan" >>"$kh"
	chmod 0644 "$kh"
	say "recorded the host keys of $lkd_net_host in $kh"
fi

# 3. The public key on the server.
if lkd_ssh_run "$key" true >/dev/null 2>&1; then
	say "$key already logs in to $dest"
else
	copy=(ssh-copy-id -i "$key.pub" -p "$lkd_net_port" -o "UserKnownHostsFile=$kh"
		-o StrictHostKeyChecking=yes -o "HostKeyAlias=$lkd_net_host" "$dest")
	say "installing $key.pub for $lkd_net_user on $lkd_net_host (${copy[*]})"
	# ssh-copy-id keeps its temporary files in ~/.ssh, which root may not
	# have: a HOME of its own, removed afterwards (root's is not touched).
	home=$(mktemp -d) || die "cannot create a temporary directory"
	mkdir -m 0700 "$home/.ssh"
	rc=0
	HOME=$home "${copy[@]}" >&2 || rc=$?
	rm -rf "$home"
	[ "$rc" -eq 0 ] || die "ssh-copy-id failed to install $key.pub on $dest: see its messages above"
fi

# 4. What arming checks.
lkd_check_ssh "$key" || die "$lkd_error"
[ -z "$lkd_warning" ] || die "$lkd_warning"
say "ok: $key logs in to $dest (port $lkd_net_port) and $lkd_net_path is writable there; arm with 'systemctl reload lazy-kdump'"
