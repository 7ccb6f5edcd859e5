#!/usr/bin/env bash
# Host-side steps of the full-system test, run in the mounted image by
# tests/full/in-image.sh (ROOT is the image's root). TAP lines (without
# numbers) on stdout; the details of each step on stderr.
#
# Usage: prepare.sh install TOP OUT
#          copy the clone's files into the image, `make install` there in a
#          chroot (DESTDIR empty: DKMS builds for the image's kernel, not
#          the host's), check what it installed; copy the kernel and boot
#          initrd to OUT/boot/ (the benchmarks and the soak boot it with
#          their own step units)
#        prepare.sh newkernel OUT CRASH_UUID
#          install the trixie-backports kernel and headers (DKMS builds the
#          module for it through its hooks), mount the file system
#          CRASH_UUID on /var/crash, the crash kernel's root= a device
#          that never appears and a slow pre hook, phase "newkernel";
#          copy its kernel and
#          boot initrd to OUT/boot/; print "kver KVER"
#        prepare.sh pkginstall OUT DEBS NEXT [FLAG...]
#          the package route: the packages in NEXT (a higher version) copied
#          to /root/lazy-next, the test step unit installed, first phase
#          "pkgfirstboot", FLAGs (config-edit, then-newkernel: see
#          guest/step.sh) set, the file list of the system written to
#          OUT/before.list; then `apt-get install` of the lazy-kdump and
#          lazy-cma-dkms packages in DEBS (DKMS builds the module for the
#          image's kernel); without config-edit the configuration is edited
#          here; copy the kernel and boot initrd to OUT/boot/; print
#          "kver KVER"
#        prepare.sh stackinstall OUT DEBS [PHASE]
#          the storage-stack route: mdadm, lvm2, cryptsetup,
#          multipath-tools and kpartx and the packages in DEBS installed
#          with apt, lazy-kdump.service disabled (step.sh enables it where
#          it wants it), the test step unit installed, first phase PHASE
#          (default "stackbuild"); copy the kernel and boot initrd to
#          OUT/boot/; print "kver KVER"
#        prepare.sh editconf
#          append the test's edit to /etc/lazy-kdump.conf
#        prepare.sh filelist
#          the system's file list (as before.list) on stdout
#        prepare.sh uninstall
#          `make uninstall` in the chroot: nothing of lazy-kdump is left but
#          the configuration the test edited, DKMS forgets the module
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${ROOT:?run through tests/full/in-image.sh}"

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
# check_installed PATH...: "installed PATH" for each PATH in the image
# (a PATH may be a glob: the module may be compressed).
check_installed() {
	local f
	for f; do
		# shellcheck disable=SC2086 # a glob
		if ls $ROOT$f >/dev/null 2>&1; then ok "installed $f"; else nok "installed $f"; fi
	done
}
in_root() { chroot "$ROOT" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# newest_kver: the newest kernel release in the image's /boot.
newest_kver() {
	find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1
}

# copy_boot KVER OUT: the image's kernel and boot initrd, for QEMU.
copy_boot() {
	mkdir -p "$2/boot"
	cp "$ROOT/boot/vmlinuz-$1" "$2/boot/vmlinuz-$1"
	cp "$ROOT/boot/initrd.img-$1" "$2/boot/initrd.img-$1"
}

case ${1-} in
install)
	top=$2 out=$3
	src=/usr/local/src/lazy-kdump
	rm -rf "${ROOT:?}$src"
	mkdir -p "$ROOT$src"
	# The clone's files as they are now, committed or not (not build/).
	(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) |
		tar -xf - -C "$ROOT$src"
	kver=$(newest_kver)
	start=$SECONDS
	if in_root make -C "$src" install >&2; then
		ok "make install in a Debian chroot ($((SECONDS - start)) s)"
	else
		nok "make install in a Debian chroot"
		exit 1
	fi
	check_installed /usr/local/sbin/lazy-kdump /usr/local/sbin/lazy-cma \
		/usr/local/lib/lazy-kdump/mkinitrd /usr/lib/systemd/system/lazy-kdump.service \
		/usr/lib/dracut/modules.d/99lazy-kdump/module-setup.sh \
		/etc/kernel/postinst.d/lazy-kdump /etc/lazy-kdump.conf \
		/usr/local/share/man/man8/lazy-kdump.8 "/lib/modules/$kver/updates/dkms/lazy_cma.ko*"
	if in_root dkms status -m lazy-cma | grep -q "$kver.*installed"; then
		ok "DKMS lists lazy-cma as installed for $kver"
	else
		nok "DKMS lists lazy-cma as installed for $kver"
	fi
	v=$(cat "$top/VERSION")
	if [ "$(in_root lazy-kdump --version)" = "lazy-kdump $v" ] &&
		in_root modinfo -k "$kver" -F version lazy_cma | grep -qx "$v"; then
		ok "lazy-kdump --version and the module's version are $v"
	else
		nok "lazy-kdump --version and the module's version are $v"
	fi
	copy_boot "$kver" "$out"
	echo "kver $kver"
	;;
newkernel)
	out=$2 uuid=$3
	before=$(newest_kver)
	"$here/image-dracut-conf.sh" on "$ROOT"
	start=$SECONDS
	rc=0
	in_root apt-get -q -y -t trixie-backports install linux-image-amd64 linux-headers-amd64 >&2 || rc=$?
	"$here/image-dracut-conf.sh" off "$ROOT"
	kver=$(newest_kver)
	if [ "$rc" = 0 ] && [ "$kver" != "$before" ]; then
		ok "installed the trixie-backports kernel $kver in the image ($((SECONDS - start)) s)"
	else
		nok "installed the trixie-backports kernel in the image (apt-get exit $rc, newest kernel $kver)"
		exit 1
	fi
	if ls "$ROOT/lib/modules/$kver/updates/dkms/"lazy_cma.ko* >/dev/null 2>&1; then
		ok "DKMS built lazy_cma for $kver when it was installed"
	else
		nok "DKMS built lazy_cma for $kver when it was installed"
	fi
	if [ ! -e "$ROOT/var/lib/lazy-kdump/initrd-$kver.img" ]; then
		ok "the kernel hook built no capture initrd in a chroot"
	else
		nok "the kernel hook built no capture initrd in a chroot"
	fi
	printf 'UUID=%s\t/var/crash\text4\tdefaults\t0\t2\n' "$uuid" >>"$ROOT/etc/fstab"
	# The crash kernel's root= names a device that never appears (as when
	# root is on LVM and the dump target on a plain disk: the capture
	# initrd assembles only the target), and the pre hook takes 100 s
	# (guest/hook): systemd gives up on root= after 90 s, in the middle of
	# the capture, and the capture must still end with its dump.
	append=$(sed -n 's/^#CMDLINE_APPEND="\(.*\)"$/\1/p' "$ROOT/etc/lazy-kdump.conf")
	printf 'CMDLINE_APPEND="%s root=UUID=%s lazytest.slowhook"\nHOOK_TIMEOUT=150\n' \
		"$append" 4c617a79-6b64-4d70-8000-6e6f6e65f00d >>"$ROOT/etc/lazy-kdump.conf"
	echo newkernel >"$ROOT/var/lib/lazy-test/phase"
	copy_boot "$kver" "$out"
	echo "kver $kver"
	;;
filelist)
	in_root sh -c 'find / -xdev -path /var/lib/lazy-test -prune -o -print | LC_ALL=C sort'
	;;
editconf)
	# The same edit as step.sh's EDIT (config-edit does it in the guest).
	printf '# edited by the full-system test\nKEEP_DUMPS=4\nKDUMP_PRE=%s\nKDUMP_POST=%s\n' \
		/usr/local/lib/lazy-test/hook /usr/local/lib/lazy-test/hook >>"$ROOT/etc/lazy-kdump.conf"
	;;
pkginstall)
	out=$2 debs=$3 next=$4
	shift 4
	kver=$(newest_kver)
	old=$(cd "$debs" && echo lazy-kdump_*_amd64.deb | sed 's/^lazy-kdump_\(.*\)_amd64\.deb$/\1/')
	new=$(cd "$next" && echo lazy-kdump_*_amd64.deb | sed 's/^lazy-kdump_\(.*\)_amd64\.deb$/\1/')
	rm -rf "$ROOT/root/lazy-next"
	mkdir -p "$ROOT/root/lazy-next"
	cp "$next"/lazy-kdump_*_amd64.deb "$next"/lazy-cma-dkms_*_all.deb "$ROOT/root/lazy-next/"
	install -D -m 0755 "$here/guest/step.sh" "$ROOT/usr/local/lib/lazy-test/step.sh"
	# The KDUMP_PRE and KDUMP_POST hook of the test's configuration edit.
	install -D -m 0755 "$here/guest/hook" "$ROOT/usr/local/lib/lazy-test/hook"
	install -D -m 0644 "$here/guest/lazy-test.service" "$ROOT/etc/systemd/system/lazy-test.service"
	in_root systemctl enable lazy-test.service >&2
	mkdir -p "$ROOT/var/lib/lazy-test"
	echo pkgfirstboot >"$ROOT/var/lib/lazy-test/phase"
	printf 'old=%s\nnew=%s\n' "$old" "$new" >"$ROOT/var/lib/lazy-test/versions"
	rm -f "$ROOT/var/lib/lazy-test/config-edit" "$ROOT/var/lib/lazy-test/then-newkernel"
	for flag in "$@"; do
		case $flag in
		config-edit | then-newkernel) : >"$ROOT/var/lib/lazy-test/$flag" ;;
		*) nok "unknown flag '$flag'"; exit 1 ;;
		esac
	done
	rm -f "$ROOT/var/lib/lazy-test/results.tap"
	# node_exporter's textfile directory, as prometheus-node-exporter
	# leaves it: lazy-kdump's metrics file goes there by default.
	mkdir -p "$ROOT/var/lib/prometheus/node-exporter"
	# What the system holds before the packages (the guest lists it again
	# after the purge; tests/full/run.sh compares).
	"$0" filelist >"$out/before.list"
	mkdir -p "$ROOT/tmp/lazy-debs"
	cp "$debs"/lazy-kdump_*_amd64.deb "$debs"/lazy-cma-dkms_*_all.deb "$ROOT/tmp/lazy-debs/"
	"$here/image-dracut-conf.sh" on "$ROOT"
	start=$SECONDS
	rc=0
	in_root apt-get -q -y install /tmp/lazy-debs/lazy-kdump_"$old"_amd64.deb \
		/tmp/lazy-debs/lazy-cma-dkms_"$old"_all.deb >&2 || rc=$?
	"$here/image-dracut-conf.sh" off "$ROOT"
	if [ "$rc" = 0 ]; then
		ok "apt-get install ./lazy-kdump_${old}_amd64.deb ./lazy-cma-dkms_${old}_all.deb in a Debian chroot ($((SECONDS - start)) s)"
	else
		nok "apt-get install ./lazy-kdump_${old}_amd64.deb ./lazy-cma-dkms_${old}_all.deb in a Debian chroot (exit $rc)"
		exit 1
	fi
	[ -e "$ROOT/var/lib/lazy-test/config-edit" ] || "$0" editconf
	unitdir=$(dirname "$(in_root dpkg -L lazy-kdump | grep '/systemd/system/lazy-kdump.service$')")
	check_installed /usr/sbin/lazy-kdump /usr/sbin/lazy-cma /usr/lib/lazy-kdump/mkinitrd "$unitdir/lazy-kdump.service" \
		/usr/lib/dracut/modules.d/99lazy-kdump/module-setup.sh /etc/kernel/postinst.d/lazy-kdump \
		/etc/lazy-kdump.conf /usr/share/man/man8/lazy-kdump.8.gz "/lib/modules/$kver/updates/dkms/lazy_cma.ko*"
	if in_root dkms status -m lazy-cma | grep -q "$old, $kver.*installed"; then
		ok "the package's DKMS hook built and installed lazy-cma $old for $kver"
	else
		nok "the package's DKMS hook built and installed lazy-cma $old for $kver"
	fi
	if [ -L "$ROOT/etc/systemd/system/sysinit.target.wants/lazy-kdump.service" ] &&
		[ -L "$ROOT/etc/systemd/system/lazy-kdump.service.wants/lazy-kdump-rearm.path" ]; then
		ok "the package enabled lazy-kdump.service and lazy-kdump-rearm.path"
	else
		nok "the package enabled lazy-kdump.service and lazy-kdump-rearm.path"
	fi
	copy_boot "$kver" "$out"
	echo "kver $kver"
	;;
stackinstall)
	out=$2 debs=$3 first=${4:-stackbuild}
	kver=$(newest_kver)
	install -D -m 0755 "$here/guest/step.sh" "$ROOT/usr/local/lib/lazy-test/step.sh"
	# The slow KDUMP_PRE hook of the multipath steps.
	install -D -m 0755 "$here/guest/hook" "$ROOT/usr/local/lib/lazy-test/hook"
	install -D -m 0644 "$here/guest/lazy-test.service" "$ROOT/etc/systemd/system/lazy-test.service"
	in_root systemctl enable lazy-test.service >&2
	mkdir -p "$ROOT/var/lib/lazy-test"
	echo "$first" >"$ROOT/var/lib/lazy-test/phase"
	rm -f "$ROOT/var/lib/lazy-test/results.tap"
	mkdir -p "$ROOT/tmp/lazy-debs"
	cp "$debs"/lazy-kdump_*_amd64.deb "$debs"/lazy-cma-dkms_*_all.deb "$ROOT/tmp/lazy-debs/"
	"$here/image-dracut-conf.sh" on "$ROOT"
	start=$SECONDS
	rc=0
	debfiles=()
	for f in "$ROOT"/tmp/lazy-debs/*.deb; do debfiles+=("${f#"$ROOT"}"); done
	if [ "$first" = netsetup ]; then
		# The dump-server run: the clients of ssh, NFS and iSCSI, and
		# busybox (udhcpc: the capture asks for its address by DHCP as
		# this system does).
		# netbase: /etc/protocols, /etc/services and /etc/rpc, which
		# NFSv3's portmapper queries need (every standard install has
		# it; the minbase image does not).
		stackpkgs=(openssh-client nfs-common open-iscsi busybox iproute2 netbase)
		mkdir -p "$ROOT/etc/systemd/network"
		# IPv4 by DHCP; IPv6 by the server's router advertisements
		# (SLAAC, fd77::/64). dumpserver6: the server's IPv6 address
		# only.
		printf '[Match]\nMACAddress=52:54:00:77:00:02\n\n[Network]\nDHCP=ipv4\nIPv6AcceptRA=yes\n' \
			>"$ROOT/etc/systemd/network/10-lazy-test.network"
		printf '192.168.77.1\tdumpserver\nfd77::1\tdumpserver6\n' >>"$ROOT/etc/hosts"
		in_root systemctl enable systemd-networkd.service >&2
	else
		stackpkgs=(mdadm lvm2 cryptsetup multipath-tools kpartx)
		# Debian 13 ships systemd-cryptsetup apart (12: part of systemd).
		if in_root apt-cache show systemd-cryptsetup >/dev/null 2>&1; then stackpkgs+=(systemd-cryptsetup); fi
	fi
	in_root apt-get -q -y install "${stackpkgs[@]}" "${debfiles[@]}" >&2 || rc=$?
	"$here/image-dracut-conf.sh" off "$ROOT"
	if [ "$rc" = 0 ]; then
		ok "apt-get install ${stackpkgs[*]} and the packages in a Debian chroot ($((SECONDS - start)) s)"
	else
		nok "apt-get install ${stackpkgs[*]} and the packages in a Debian chroot (exit $rc)"
		exit 1
	fi
	in_root systemctl disable lazy-kdump.service >&2
	copy_boot "$kver" "$out"
	echo "kver $kver"
	;;
netserver)
	# The dump server of the network run: sshd (root's password is
	# "lazytest": lazy-kdump propagate installs its key with ssh-copy-id),
	# an NFS server exporting /srv/crash, an iSCSI target (tgt: LUN 1 a
	# 256 MiB file, CHAP user lazyuser), busybox's udhcpd handing out
	# addresses, 192.168.77.1/24 on the link to the client, and behind
	# itself as a router 192.168.78.1 (the client routes 192.168.78.0/24
	# through 192.168.77.1); fd77::1/64, advertising fd77::/64 (SLAAC).
	out=$2
	kver=$(newest_kver)
	"$here/image-dracut-conf.sh" on "$ROOT"
	rc=0
	# rpcbind: NFSv3 needs the portmapper (not pulled in without
	# Recommends).
	in_root apt-get -q -y install openssh-server nfs-kernel-server rpcbind tgt busybox netbase >&2 || rc=$?
	"$here/image-dracut-conf.sh" off "$ROOT"
	if [ "$rc" = 0 ]; then
		ok "the dump server: apt-get install openssh-server nfs-kernel-server rpcbind tgt busybox netbase"
	else
		nok "the dump server: apt-get install openssh-server nfs-kernel-server rpcbind tgt busybox netbase (exit $rc)"
		exit 1
	fi
	mkdir -p "$ROOT/etc/systemd/network" "$ROOT/srv/crash/ssh" "$ROOT/srv/crash/nfs" "$ROOT/etc/ssh/sshd_config.d"
	printf '[Match]\nMACAddress=52:54:00:77:00:01\n\n[Network]\nAddress=192.168.77.1/24\nAddress=192.168.78.1/24\nAddress=fd77::1/64\nIPv6AcceptRA=no\nIPv6SendRA=yes\n\n[IPv6Prefix]\nPrefix=fd77::/64\n' \
		>"$ROOT/etc/systemd/network/10-lazy-test.network"
	in_root systemctl enable systemd-networkd.service >&2
	# root logs in with a password (lazy-kdump propagate's ssh-copy-id
	# gives it through SSH_ASKPASS) or a key; an empty password would let
	# any key "log in" (the "none" method), which proves nothing.
	printf 'PermitRootLogin yes\nPasswordAuthentication yes\nUseDNS no\n' \
		>"$ROOT/etc/ssh/sshd_config.d/lazy-test.conf"
	echo 'root:lazytest' | in_root chpasswd
	printf '/srv/crash/nfs 192.168.77.0/24(rw,sync,no_root_squash,no_subtree_check) fd77::/64(rw,sync,no_root_squash,no_subtree_check)\n' >"$ROOT/etc/exports"
	mkdir -p "$ROOT/srv/iscsi" "$ROOT/etc/tgt/conf.d"
	truncate -s 256M "$ROOT/srv/iscsi/lun1.img"
	printf '<target iqn.2026-12.test.lazy:dump>\n\tbacking-store /srv/iscsi/lun1.img\n\tincominguser lazyuser lazysecret12\n</target>\n' \
		>"$ROOT/etc/tgt/conf.d/lazy-test.conf"
	# The card's name is the kernel's choice (ens5 on bookworm): udhcpd's
	# configuration gets it at start, found by its MAC address.
	printf 'start 192.168.77.100\nend 192.168.77.150\ninterface @IF@\nlease_file /run/udhcpd.leases\noption subnet 255.255.255.0\noption lease 86400\n' \
		>"$ROOT/etc/lazy-udhcpd.conf.in"
	cat >"$ROOT/usr/local/sbin/lazy-udhcpd" <<-'SH'
	#!/bin/sh
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = 52:54:00:77:00:01 ] && i=${d##*/}
	done
	sed "s/@IF@/$i/" /etc/lazy-udhcpd.conf.in >/run/lazy-udhcpd.conf
	touch /run/udhcpd.leases
	exec busybox udhcpd -f /run/lazy-udhcpd.conf
	SH
	chmod 0755 "$ROOT/usr/local/sbin/lazy-udhcpd"
	cat >"$ROOT/etc/systemd/system/lazy-udhcpd.service" <<-UNIT
	[Unit]
	Description=DHCP server of the lazy-kdump network test
	After=systemd-networkd.service
	Wants=systemd-networkd.service
	[Service]
	ExecStart=/usr/local/sbin/lazy-udhcpd
	Restart=always
	RestartSec=2
	[Install]
	WantedBy=multi-user.target
	UNIT
	in_root systemctl enable lazy-udhcpd.service ssh.service rpcbind.service rpcbind.socket nfs-server.service tgt.service >&2
	echo dumpserver >"$ROOT/etc/hostname"
	sed -i 's/lazyvm/dumpserver/' "$ROOT/etc/hosts"
	# Tell the host on ttyS1 when the services are up (no test unit here).
	cat >"$ROOT/etc/systemd/system/lazy-server-ready.service" <<-UNIT
	[Unit]
	Description=Tell the host the dump server is up
	After=ssh.service rpcbind.service nfs-server.service lazy-udhcpd.service tgt.service
	[Service]
	Type=oneshot
	ExecStart=/bin/sh -c 'echo "LAZYSERVER READY" >/dev/ttyS1'
	[Install]
	WantedBy=multi-user.target
	UNIT
	in_root systemctl enable lazy-server-ready.service >&2
	copy_boot "$kver" "$out"
	echo "kver $kver"
	;;
uninstall)
	src=/usr/local/src/lazy-kdump
	if in_root make -C "$src" uninstall >&2; then
		ok "make uninstall in the chroot"
	else
		nok "make uninstall in the chroot"
	fi
	left=''
	for f in /usr/local/sbin/lazy-kdump /usr/local/sbin/lazy-cma /usr/local/lib/lazy-kdump \
		/usr/lib/systemd/system/lazy-kdump.service /usr/lib/systemd/system/lazy-kdump-rearm.path \
		/etc/systemd/system/sysinit.target.wants/lazy-kdump.service \
		/etc/systemd/system/lazy-kdump.service.wants /usr/lib/dracut/modules.d/99lazy-kdump \
		/etc/kernel/postinst.d/lazy-kdump /etc/kernel/postrm.d/lazy-kdump \
		/usr/lib/kernel/install.d/60-lazy-kdump.install /usr/local/share/man/man8/lazy-kdump.8 \
		/var/lib/lazy-kdump /var/lib/dkms/lazy-cma; do
		[ ! -e "$ROOT$f" ] && [ ! -L "$ROOT$f" ] || left="$left $f"
	done
	left="$left$(cd "$ROOT" && find usr/src lib/modules -name 'lazy*cma*' -printf ' /%p')"
	if [ -z "$left" ]; then ok "nothing of lazy-kdump is left"; else nok "nothing of lazy-kdump is left (left:$left)"; fi
	if [ -e "$ROOT/etc/lazy-kdump.conf" ]; then
		ok "the edited /etc/lazy-kdump.conf is kept"
	else
		nok "the edited /etc/lazy-kdump.conf is kept"
	fi
	;;
*)
	echo "usage: $0 install TOP OUT | newkernel OUT CRASH_UUID | pkginstall OUT DEBS NEXT [FLAG...] | stackinstall OUT DEBS [PHASE] | editconf | filelist | uninstall" >&2
	exit 2
	;;
esac
