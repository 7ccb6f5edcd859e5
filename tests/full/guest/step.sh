#!/bin/bash
# One step of the full-system test, run at the end of every boot by
# lazy-test.service. The phase to run is in /var/lib/lazy-test/phase (the
# host writes the first one); each phase reports TAP on ttyS1 between
#   LAZYTEST BEGIN <phase>  ...  LAZYTEST END <phase> | REBOOT | PANIC
# and leaves the next phase for the next boot. The system has the Debian
# packages installed with apt from the host (tests/full/prepare.sh
# pkginstall); /var/lib/lazy-test/versions says "old=V new=V2",
# /root/lazy-next holds the V2 packages; flag files in /var/lib/lazy-test
# choose the optional steps (config-edit, then-newkernel):
#   pkgfirstboot  armed at boot by the service the package enabled; the
#                 capture initrd; systemctl disable --now / enable --now;
#                 (config-edit) a config edit re-arms by itself; apt-get
#                 install of V2 on the running system: the configuration
#                 kept, re-armed by V2, DKMS built V2; reboot   -> pkgupgraded
#   pkgupgraded   armed at boot by itself with V2's module, before
#                 basic.target, no initrd rebuilt; panic through
#                 lazy-kdump test --yes                         -> pkgpanicked
#   pkgpanicked   the dump of that panic is complete, armed again; then
#                 (then-newkernel) poweroff for the host's next step, or
#                 remove + purge (below); poweroff
#   newkernel     (another kernel installed from the host) armed with it and
#                 DKMS's module; /var/crash is a small full file system of its
#                 own; panic                                     -> fullpanicked
#   fullpanicked  dmesg.txt saved, no vmcore, rebooted; remove + purge;
#                 poweroff
#   stackbuild    (the storage-stack run: two more disks, vdb and vdc, and
#                 a scratch disk vdd) MD RAID 1 of vdb and vdc, LUKS2 on it
#                 (slot 0: argon2id, 64 MiB, the boot's key file), LVM on
#                 that, the root file system copied onto it; the boot
#                 initrd rebuilt there for it; kernel and initrd written to
#                 vdd as a tar for the host; poweroff
#   stackboot     (booted from that stack: root=/dev/mapper/lazyvg-root)
#                 the service failed at boot, saying the LUKS volume needs
#                 LUKS_KEY_FILE; a wrong, an open and an argon2 key refused
#                 by mkinitrd; the key made as lazy-kdump.conf(5) says,
#                 restart: armed; the capture initrd brings up RAID, LUKS
#                 (key slot 1, no prompt) and LVM; panic   -> stackpanicked
#   stackpanicked the dump went through the stack onto the root file
#                 system, complete; armed again at boot; the key moved to
#                 another slot makes the capture initrd stale; then, with
#                 two SCSI paths to one more disk (sda, sdb), as mpathsetup
#   mpathsetup    (two SCSI paths to one disk) multipath-tools makes a map
#                 of them, ext4 on it, DUMP_TARGET=UUID=...:/ on it; armed
#                 with dracut's multipath module in the capture initrd;
#                 panic                                        -> mpathpanicked
#   mpathpanicked the dump is on the multipath disk, complete, and the
#                 crash kernel mounted the map, not a path; armed again;
#                 mkinitrd waits for the map while the UUID names a path;
#                 with a raw disk (serial LAZYRAW01: the multipath run
#                 only) DUMP_TARGET=raw: refusals, then armed on it;
#                 panic                                         -> rawpanicked;
#                 else poweroff
#   rawpanicked   the service saved the dump from the raw disk into
#                 RAW_SAVE_DIR at boot, makedumpfile reads it; armed
#                 again; poweroff
#   netsetup      (the network run: a dump server, "dumpserver", on the
#                 one network card; this system's address by DHCP)
#                 DUMP_TARGET=ssh://: refused without a key, propagate
#                 without confirmation records nothing, propagate --yes
#                 makes the key and installs it, a key the server does not
#                 know is refused; armed: the capture initrd has ssh, the
#                 key, busybox's udhcpc and the route; lazy-kdump test
#                 --yes panics                                 -> sshpanicked
#   sshpanicked   the dump is on the server (dmesg.txt, vmcore.flat,
#                 status), makedumpfile -R reads it back; DUMP_TARGET=
#                 nfs:// (a missing export refused); NFSv3 passes arming's
#                 check; a static address from here on, the server's
#                 192.168.78.1 reached through a router; armed with
#                 NFS_OPTIONS=vers=3; panic                    -> nfspanicked
#   nfspanicked   the dump is on the NFS export, mounted with NFSv3, the
#                 crash kernel set the address and route itself; then
#                 IPv6: the server as dumpserver6 (fd77::1), this
#                 system's address by router advertisements; armed;
#                 panic                                         -> v6panicked
#   v6panicked    the dump is on the export, mounted over IPv6 (auto6);
#                 then an iSCSI disk of the server (CHAP) the target;
#                 armed; panic                               -> iscsipanicked
#   iscsipanicked at boot the initrd built for iSCSI was kept (no session
#                 yet); logged in, the dump is on the iSCSI disk; then an
#                 ssh port where nothing listens: armed with a warning,
#                 FAILURE_ACTION=dump-local; panic        -> fallbackpanicked
#   fallbackpanicked  the dump is in /var/crash, its status saying
#                 fallback=dump-local and why; the server powered off;
#                 poweroff
# remove + purge: apt-get remove disarms and keeps the configuration;
# apt-get purge leaves nothing of the packages; the file list after it
# (after.list) and dpkg's list of packaged files (owned.list) are left for
# the host to compare with the list it took before the install.
# lazy-kdump's Prometheus file ($PROM) is checked where the state changes:
# armed, disarmed, re-armed, after a dump, after remove and purge.
# Metrics: "# metric NAME VALUE" lines.
set -u
dir=/var/lib/lazy-test
phase=$(cat "$dir/phase" 2>/dev/null || echo none)
tty=/dev/ttyS1
tap=$dir/results.tap

out() {
	printf '%s\n' "$*" >"$tty"
	printf '%s\n' "$*" >>"$tap"
	printf 'lazy-test: %s\n' "$*" >&2
}
ok() { out "ok - $phase: $*"; }
nok() { out "not ok - $phase: $*"; }
# check DESCRIPTION CMD...: ok when CMD succeeds; its output on failure.
check() {
	local d=$1 o rc=0
	shift
	o=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$d"
	else
		nok "$d"
		out "#   '$*' exited $rc: $(printf '%s' "$o" | tail -n 5 | tr '\n' '|')"
	fi
	return "$rc"
}
# shellcheck disable=SC2317 # called through check
is() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }
metric() { out "# metric $1 $2"; }
next() { echo "$1" >"$dir/phase"; sync; }
# finish END | REBOOT | PANIC: say so on ttyS1, then do it; PANIC with
# $LAZYTEST_PANIC=TEST goes through lazy-kdump test --yes.
finish() {
	out "LAZYTEST $1 $phase"
	sleep 1
	case $1${LAZYTEST_PANIC:+-$LAZYTEST_PANIC} in
	PANIC-TEST) set -- TEST ;;
	esac
	case $1 in
	END) systemctl poweroff ;;
	REBOOT) systemctl reboot ;;
	PANIC) echo c >/proc/sysrq-trigger ;;
	TEST)
		# README's way: lazy-kdump test checks, then panics. Still
		# here: it refused.
		lazy-kdump test --yes >"$tty" 2>&1
		out "not ok - $phase: lazy-kdump test --yes panicked the machine (exit status $?)"
		systemctl poweroff
		;;
	esac
	exit 0
}
mono() { awk '{ print $1 }' /proc/uptime; }
secs_since_boot() { awk -v us="$1" 'BEGIN { printf "%.1f\n", us / 1000000 }'; }

armed_checks() {
	check "lazy-kdump.service is active" is "$(systemctl is-active lazy-kdump.service)" active
	check "lazy-kdump status exits 0 (armed)" lazy-kdump status
	check "/sys/kernel/kexec_crash_loaded is 1" is "$(cat /sys/kernel/kexec_crash_loaded)" 1
	check "lazy-kdump-rearm.path is active" is "$(systemctl is-active lazy-kdump-rearm.path)" active
}
state_value() { sed -n "s/^$1=//p" /run/lazy-kdump/state 2>/dev/null; }
newest_dump() {
	local d
	for d in /var/crash/*-20[0-9][0-9]-*; do
		[ -d "$d" ] && echo "$d"
	done | sort | tail -n 1
}

# wait_rearmed BEFORE: wait (up to 300 s) for an armed_at other than
# BEFORE with the service active.
wait_rearmed() {
	local now
	for _ in $(seq 1 300); do
		now=$(state_value armed_at)
		if [ -n "$now" ] && [ "$now" != "$1" ] &&
			[ "$(systemctl is-active lazy-kdump.service)" = active ]; then
			return 0
		fi
		sleep 1
	done
	return 1
}
# config_edit_rearms IMG TEXT: append TEXT (printf format) to
# lazy-kdump.conf; lazy-kdump-rearm.path re-arms after rebuilding IMG.
config_edit_rearms() {
	local img=$1 before before_img t0
	before=$(state_value armed_at)
	before_img=$(stat -c %Y "$img" 2>/dev/null || echo 0)
	sleep 1.1
	t0=$(mono)
	# shellcheck disable=SC2059 # the text is a format
	printf "$2" >>/etc/lazy-kdump.conf
	wait_rearmed "$before"
	check "editing lazy-kdump.conf re-armed kdump (armed_at $before -> $(state_value armed_at))" \
		bash -c "[ -n '$(state_value armed_at)' ] && [ '$(state_value armed_at)' != '$before' ]"
	metric config-rearm-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	check "... after rebuilding the stale capture initrd" \
		bash -c "[ \$(stat -c %Y '$img') -gt $before_img ]"
}
# dump_checks: the newest dump is complete and shows the panic; the
# service's journal and status report it. Sets d.
dump_checks() {
	d=$(newest_dump)
	out "# dump directory: $d"
	check "a dump directory was written in /var/crash" test -n "$d"
	check "vmcore is there" test -s "$d/vmcore"
	check "no vmcore.incomplete is left" test ! -e "$d/vmcore.incomplete"
	check "status says result=saved" grep -qx 'result=saved' "$d/status"
	check "the retention step ran in the dracut initrd (status retention=applied)" grep -qx 'retention=applied' "$d/status"
	check "dmesg.txt holds the panic" grep -q 'sysrq triggered crash' "$d/dmesg.txt"
	check "makedumpfile --dump-dmesg of the vmcore shows the panic" bash -c \
		"makedumpfile --dump-dmesg '$d/vmcore' /tmp/vmcore-dmesg.txt >/dev/null 2>&1; grep -q 'Kernel panic - not syncing: sysrq triggered crash' /tmp/vmcore-dmesg.txt"
	metric vmcore-bytes "$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
	check "the capture's status says memory=ok and config=ok" bash -c \
		"grep -qx 'memory=ok' '$d/status' && grep -qx 'config=ok' '$d/status'"
	check "the service's journal says what the panic left" bash -c \
		"journalctl -b -u lazy-kdump.service | grep -qF 'The previous boot panicked; its capture: $d, result saved.'"
	check "status shows the last dump and the verdict on the previous boot" bash -c \
		"lazy-kdump status | grep -qF 'last dump      $d: saved' && lazy-kdump status | grep -q '^  previous boot  .*The previous boot panicked'"
	check "lazy-kdump dumps lists it last, saved, with its vmcore's size" bash -c \
		"lazy-kdump dumps | grep -B1 -E '^\$' | head -n 1 | grep -E ' saved +[0-9]+\.[0-9] MiB  $d\$'"
	cat "$d/lazy-kdump.log" >&2 2>/dev/null
}
# The metrics file (lazy-kdump metrics), in node_exporter's textfile
# directory, which prepare.sh creates as prometheus-node-exporter would.
PROM=/var/lib/prometheus/node-exporter/lazy-kdump.prom
# prom_value NAME: the value of NAME's first sample in $PROM.
prom_value() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { print $NF; exit }' "$PROM" 2>/dev/null; }
held_bytes() { echo $(($(state_value main_len) + $(state_value low_len))); }
# The versions of the package route.
ver_old=$(sed -n 's/^old=//p' "$dir/versions" 2>/dev/null)
ver_new=$(sed -n 's/^new=//p' "$dir/versions" 2>/dev/null)
pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }
# The file list the package route compares (the test's own files aside).
file_list() { find / -xdev -path "$dir" -prune -o -print | LC_ALL=C sort; }

# mpath_arm: two SCSI paths to one disk (sda and sdb: the host's mpath.img
# twice, one serial and WWN) made one map by multipath-tools, an ext4 on
# the map the dump target; lazy-kdump (re)started arms with dracut's
# multipath module in the capture initrd; panic -> mpathpanicked.
# The network run: the dump server's name and what logs in there.
SERVER=dumpserver
SSHKEY=/etc/lazy-kdump/ssh/id_ed25519
# The server's iSCSI target (tgt, prepare.sh netserver) and its portal.
IQN=iqn.2026-12.test.lazy:dump
PORTAL=192.168.77.1
# The server's address behind a router (192.168.77.1, the server itself).
GWSERVER=192.168.78.1
# The client's network card (by its MAC address).
client_if() {
	local x
	for x in /sys/class/net/*; do
		[ "$(cat "$x/address")" = 52:54:00:77:00:02 ] && echo "${x##*/}"
	done
}
on_server() {
	ssh -F /dev/null -i "$SSHKEY" -o BatchMode=yes -o ConnectTimeout=10 \
		-o UserKnownHostsFile=/etc/lazy-kdump/ssh/known_hosts -o HostKeyAlias=$SERVER \
		root@$SERVER "$@"
}
# nfs_dump HOW SOURCE: mount the NFS export SOURCE on /mnt/nfs (HOW: for
# the description); d is the newest dump directory there; its vmcore is
# complete and holds the panic.
nfs_dump() {
	local x
	mkdir -p /mnt/nfs
	check "the export mounts here$1" mount -t nfs "$2" /mnt/nfs
	d=$(for x in /mnt/nfs/lazyvm-20*; do [ -d "$x" ] && echo "$x"; done | sort | tail -n 1)
	out "# dump directory on the NFS export: $d"
	check "vmcore is there, status says result=saved" bash -c "[ -s '$d/vmcore' ] && grep -qx 'result=saved' '$d/status'"
	check "makedumpfile --dump-dmesg of the vmcore shows the panic" bash -c \
		"makedumpfile --dump-dmesg '$d/vmcore' /tmp/vmcore-dmesg.txt >/dev/null 2>&1; grep -q 'Kernel panic - not syncing: sysrq triggered crash' /tmp/vmcore-dmesg.txt"
}
set_target() {
	sed -i '/^DUMP_TARGET=/d; /^SSH_KEY=/d; /^NFS_OPTIONS=/d; /^FAILURE_ACTION=/d; /^CMDLINE_APPEND=/d' /etc/lazy-kdump.conf
	printf '%s\n' "$@" >>/etc/lazy-kdump.conf
}
# rearm DESC: lazy-kdump restarted; armed.
rearm() {
	check "$1" bash -c "systemctl enable lazy-kdump.service && systemctl restart lazy-kdump.service"
	settle
	armed_checks
	journalctl -b -u lazy-kdump.service --no-pager -n 30 >&2
}

mpath_arm() {
	local uuid img
	# lsblk reads WWN from udev's database: settled first (a loaded host
	# once ran this before udev had filled it in).
	udevadm settle --timeout=60
	check "two SCSI paths to one disk (sda and sdb, one WWN)" bash -c \
		"w=\$(lsblk -d -n -o WWN /dev/sda) && [ -n \"\$w\" ] && [ \"\$w\" = \"\$(lsblk -d -n -o WWN /dev/sdb)\" ]"
	printf 'defaults {\n\tuser_friendly_names yes\n\tfind_multipaths yes\n}\n' >/etc/multipath.conf
	check "multipath -a records the disk's WWID" multipath -a /dev/sda
	systemctl restart multipathd.service
	multipath -r >/dev/null 2>&1
	udevadm settle
	check "multipathd made one map, mpatha, of the two paths" bash -c \
		"[ \"\$(multipath -ll mpatha | grep -c 'active ready running')\" = 2 ]"
	multipath -ll >&2
	lsblk >&2
	check "ext4 on /dev/mapper/mpatha" mkfs.ext4 -q -L lazympath /dev/mapper/mpatha
	udevadm settle
	uuid=$(blkid -o value -s UUID /dev/mapper/mpatha)
	echo "$uuid" >"$dir/mpath-uuid"
	sed -i '/^DUMP_TARGET=/d' /etc/lazy-kdump.conf
	echo "DUMP_TARGET=UUID=$uuid:/" >>/etc/lazy-kdump.conf
	# A pre hook that sends the capture initrd into emergency mode while
	# it runs (guest/hook; run.sh checks the console), and the crash
	# kernel's root= a device it never brings up (as the stacked root,
	# which this initrd does not assemble: its target is the multipath
	# disk).
	sed -i '/^CMDLINE_APPEND=/d; /^KDUMP_PRE=/d; /^HOOK_TIMEOUT=/d' /etc/lazy-kdump.conf
	printf 'CMDLINE_APPEND="%s root=UUID=4c617a79-6b64-4d70-8000-6e6f6e65f00d lazytest.quickhook"\nKDUMP_PRE=%s\nHOOK_TIMEOUT=150\n' \
		"$(sed -n 's/^#CMDLINE_APPEND="\(.*\)"$/\1/p' /etc/lazy-kdump.conf)" "$HOOK" >>/etc/lazy-kdump.conf
	t0=$(mono)
	check "lazy-kdump (re)started arms with the dump target on the multipath map" bash -c \
		"systemctl enable lazy-kdump.service && systemctl restart lazy-kdump.service"
	metric mpath-arm-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	settle
	armed_checks
	journalctl -b -u lazy-kdump.service --no-pager >&2
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	metric mpath-capture-initrd-bytes "$(stat -c %s "$img" 2>/dev/null || echo 0)"
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	check "the capture initrd has multipath, multipathd, its path checker, its udev rules, kpartx, multipath.conf, the WWIDs and dm-multipath" bash -c \
		"for f in sbin/multipath sbin/multipathd /multipath/libchecktur.so 'rules.d/60-multipath.rules' sbin/kpartx ' etc/multipath.conf' ' etc/multipath/wwids' '/dm-multipath.ko[.a-z]*' ' etc/lazy-kdump-device' 'multipathd.service.d/90-lazy-kdump.conf'; do grep -q \"\$f\\\$\" /tmp/lsinitrd.txt || { echo \"no \$f\"; exit 1; }; done"
	check "... and names the dump target by its UUID" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf '$img' | grep -qx 'DUMP_TARGET=UUID=$uuid:/'"
	if [ "$(cat /sys/kernel/kexec_crash_loaded)" != 1 ]; then
		nok "not armed: no panic"
		finish END
	fi
	next mpathpanicked
	finish PANIC
}

# The raw dump disk of the multipath run (tests/full/run.sh mpath_run).
RAWDISK=/dev/disk/by-id/virtio-LAZYRAW01
# raw_arm: DUMP_TARGET=raw:$RAWDISK: what arming refuses first (a device
# with a file system, a collector that is not makedumpfile), then armed on
# the raw disk; panic -> rawpanicked.
raw_arm() {
	local img
	sed -i '/^CMDLINE_APPEND=/d; /^KDUMP_PRE=/d; /^HOOK_TIMEOUT=/d; /^DUMP_TARGET=/d; /^RAW_SAVE_DIR=/d' /etc/lazy-kdump.conf
	printf 'DUMP_TARGET=raw:/dev/mapper/mpatha\n' >>/etc/lazy-kdump.conf
	check "a raw target holding a file system is refused when arming, saying how to erase it" bash -c \
		"! /usr/lib/lazy-kdump/mkinitrd --force 2>/tmp/mk.err; cat /tmp/mk.err; grep -q 'DUMP_TARGET=raw:/dev/mapper/mpatha: /dev/.* holds a ext4 signature (blkid -p): a raw dump would overwrite it.*wipefs -a' /tmp/mk.err"
	sed -i '/^DUMP_TARGET=/d' /etc/lazy-kdump.conf
	printf 'DUMP_TARGET=raw:%s\nCORE_COLLECTOR="cp"\n' "$RAWDISK" >>/etc/lazy-kdump.conf
	check "a raw target with a collector that is not makedumpfile is refused" bash -c \
		"! lazy-kdump config >/dev/null 2>/tmp/cfg.err; cat /tmp/cfg.err; grep -q 'CORE_COLLECTOR=cp cannot write to the raw DUMP_TARGET' /tmp/cfg.err"
	sed -i '/^CORE_COLLECTOR=/d' /etc/lazy-kdump.conf
	printf 'RAW_SAVE_DIR=/var/crash/raw\n' >>/etc/lazy-kdump.conf
	check "lazy-kdump (re)started arms with DUMP_TARGET=raw:$RAWDISK" \
		systemctl restart lazy-kdump.service
	settle
	armed_checks
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	check "the capture initrd names the raw disk and has dd" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf '$img' | grep -qx 'DUMP_TARGET=raw:$RAWDISK' && lsinitrd '$img' | grep -q 'bin/dd\$'"
	check "lazy-kdump test checks the raw disk and RAW_SAVE_DIR (no panic without --yes)" bash -c \
		"lazy-kdump test </dev/null >/tmp/test.out 2>&1; cat /tmp/test.out; grep -q 'the raw dump device .* is there and can be written' /tmp/test.out && grep -q 'RAW_SAVE_DIR /var/crash' /tmp/test.out"
	if [ "$(cat /sys/kernel/kexec_crash_loaded)" != 1 ]; then
		nok "not armed: no panic"
		finish END
	fi
	next rawpanicked
	finish PANIC
}
# raw_checks: the next boot saved the dump from the raw disk (raw-save).
raw_checks() {
	local d
	journalctl -b -u lazy-kdump-raw-save.service -u lazy-kdump.service --no-pager >&2
	check "at boot, lazy-kdump-raw-save.service saved the dump from the raw disk (its journal says where), before lazy-kdump.service armed" bash -c \
		"journalctl -b -u lazy-kdump-raw-save.service --no-pager | grep -q 'lazy-kdump-raw-save: the dump of .* (saved) was on the raw device .*: saved in /var/crash/raw/' && [ \$(systemctl show -P Result lazy-kdump-raw-save.service) = success ] && [ \$(systemctl show -P ActiveEnterTimestampMonotonic lazy-kdump-raw-save.service) -le \$(systemctl show -P InactiveExitTimestampMonotonic lazy-kdump.service) ]"
	d=$(for x in /var/crash/raw/*-20[0-9][0-9]-*; do [ -d "$x" ] && echo "$x"; done | sort | tail -n 1)
	out "# raw dump saved in: $d"
	check "RAW_SAVE_DIR has HOST-DATE with vmcore, dmesg.txt, lazy-kdump.log and status result=saved" bash -c \
		"[ -s '$d/vmcore' ] && [ -s '$d/dmesg.txt' ] && [ -s '$d/lazy-kdump.log' ] && grep -qx result=saved '$d/status' && grep -qx 'raw=raw:$RAWDISK' '$d/status'"
	check "makedumpfile --dump-dmesg of that vmcore shows the panic" bash -c \
		"makedumpfile --dump-dmesg '$d/vmcore' /tmp/raw-dmesg.txt >/dev/null 2>&1; grep -q 'Kernel panic - not syncing: sysrq triggered crash' /tmp/raw-dmesg.txt"
	metric raw-vmcore-bytes "$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
	check "the raw disk's header records where it was saved" bash -c \
		"head -c 4096 '$RAWDISK' | tr -d '\\000' | grep -qx 'saved=$d'"
	check "lazy-kdump dumps lists it (RAW_SAVE_DIR)" bash -c \
		"lazy-kdump dumps | grep -E ' saved +[0-9]+\.[0-9] MiB  $d\$'"
	check "lazy-kdump status names it as the last dump" bash -c \
		"lazy-kdump status | grep -q '$d'"
	armed_checks
	check "mkinitrd: up to date, nothing to build" env DRACUT=false /usr/lib/lazy-kdump/mkinitrd
	check "raw-save again: nothing more to save" bash -c \
		"/usr/lib/lazy-kdump/raw-save && [ \$(ls -d /var/crash/raw/*-20* | wc -l) = 1 ]"
}

# What the test appends to lazy-kdump.conf (in the guest with config-edit,
# else from the host before the first boot).
EDIT_MARK='# edited by the full-system test'
HOOK=/usr/local/lib/lazy-test/hook
EDIT="$EDIT_MARK\nKEEP_DUMPS=4\nKDUMP_PRE=$HOOK\nKDUMP_POST=$HOOK\n"
# boot_checks: lazy-kdump.service armed this boot by itself, early.
boot_checks() {
	local enter
	enter=$(systemctl show -P ActiveEnterTimestampMonotonic lazy-kdump.service)
	metric boot-to-armed-seconds "$(secs_since_boot "$enter")"
	metric userspace-to-armed-seconds "$(secs_since_boot $((enter - $(systemctl show -P UserspaceTimestampMonotonic))))"
	check "lazy-kdump.service ran before basic.target" bash -c \
		"[ $enter -le \$(systemctl show -P ActiveEnterTimestampMonotonic basic.target) ]"
}
# settle: wait (up to 300 s) until systemd has no job queued (a re-arm the
# path unit started).
settle() {
	for _ in $(seq 1 300); do
		systemctl list-jobs --no-legend 2>/dev/null | grep -qv lazy-test || return 0
		sleep 1
	done
}
# remove_purge: apt-get remove, then purge, of both packages, with checks;
# leaves after.list and owned.list in $dir.
remove_purge() {
	check "apt-get remove lazy-kdump lazy-cma-dkms" bash -c \
		"DEBIAN_FRONTEND=noninteractive apt-get -q -y remove lazy-kdump lazy-cma-dkms >/tmp/remove.log 2>&1 || { tail -n 20 /tmp/remove.log; exit 1; }"
	sed 's/^/remove: /' /tmp/remove.log >&2
	check "removed: kdump disarmed (kexec_crash_loaded 0, no Crash kernel region)" bash -c \
		"[ \"\$(cat /sys/kernel/kexec_crash_loaded)\" = 0 ] && ! grep -q 'Crash kernel' /proc/iomem"
	check "removed: the lazy_cma module is unloaded and DKMS forgot it" bash -c \
		"! grep -q '^lazy_cma ' /proc/modules && ! dkms status 2>/dev/null | grep -q lazy-cma"
	check "removed: the commands and units are gone, the configuration stays" bash -c \
		"[ ! -e /usr/sbin/lazy-kdump ] && ! systemctl cat lazy-kdump.service >/dev/null 2>&1 && grep -q '^$EDIT_MARK' /etc/lazy-kdump.conf"
	check "removed: the metrics file stays, saying not armed (a fleet sees the machine disarmed)" is \
		"$(prom_value lazy_kdump_armed)" 0
	check "removed: dpkg says config-files" is "$(dpkg-query -W -f '${Status}' lazy-kdump 2>/dev/null)" "deinstall ok config-files"
	check "apt-get purge lazy-kdump lazy-cma-dkms" bash -c \
		"DEBIAN_FRONTEND=noninteractive apt-get -q -y purge lazy-kdump lazy-cma-dkms >/tmp/purge.log 2>&1 || { tail -n 20 /tmp/purge.log; exit 1; }"
	sed 's/^/purge: /' /tmp/purge.log >&2
	check "purged: dpkg knows neither package" bash -c \
		"! dpkg-query -W lazy-kdump lazy-cma-dkms >/dev/null 2>&1"
	check "purged: no /etc/lazy-kdump.conf, /var/lib/lazy-kdump, kernel hooks, metrics file" bash -c \
		"for f in /etc/lazy-kdump.conf /var/lib/lazy-kdump /etc/kernel/postinst.d/lazy-kdump /etc/kernel/postrm.d/lazy-kdump $PROM; do [ ! -e \$f ] || { echo \$f; exit 1; }; done"
	file_list >"$dir/after.list"
	# dpkg's lists name /lib/... where merged /usr has the files.
	cat /var/lib/dpkg/info/*.list | sed -E 's#^/(lib|lib64|bin|sbin)/#/usr/\1/#' |
		LC_ALL=C sort -u >"$dir/owned.list"
	out "# the file list after purge: $(wc -l <"$dir/after.list") entries"
}

out "LAZYTEST BEGIN $phase"
# A heartbeat on ttyS1 while a step is slow (dracut under TCG): the host
# takes a guest that prints nothing for minutes as hung.
(while sleep 30; do printf '# alive %s\n' "$(mono)" >"$tty"; done) &
out "# kernel $(uname -r), up $(mono) s"
case $phase in
pkgfirstboot)
	kver=$(uname -r)
	img=/var/lib/lazy-kdump/initrd-$kver.img
	check "the package enabled lazy-kdump.service" is "$(systemctl is-enabled lazy-kdump.service)" enabled
	armed_checks
	boot_checks
	check "the metrics file says armed, with the region's size, mode 0644" is \
		"$(prom_value lazy_kdump_armed) $(prom_value lazy_kdump_crash_region_bytes) $(stat -c %a "$PROM" 2>&1)" "1 $(held_bytes) 644"
	# shellcheck disable=SC2016 # expanded by that bash
	check "systemd-analyze verify of the packaged units is clean" bash -c \
		'o=$(systemd-analyze verify --man=no $(dpkg -L lazy-kdump | grep -E "/systemd/system/[^/]+\.(service|path)$") 2>&1); rc=$?; echo "$o"; [ $rc = 0 ] && [ -z "$o" ]'
	check "lazy_cma $ver_old is DKMS's build for $kver, loaded" bash -c \
		"modinfo -n lazy_cma | grep -q '/updates/dkms/' && [ \"\$(cat /sys/module/lazy_cma/version)\" = '$ver_old' ]"
	check "lazy-kdump --version says $ver_old" is "$(lazy-kdump --version)" "lazy-kdump $ver_old"
	check "the capture initrd $img was built at boot" test -s "$img"
	metric capture-initrd-bytes "$(stat -c %s "$img" 2>/dev/null || echo 0)"
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	metric capture-initrd-unpacked-bytes "$(awk '$1 ~ /^-/ { s += $5 } END { print s + 0 }' /tmp/lsinitrd.txt)"
	check "the capture initrd holds makedumpfile, the capture script and unit" \
		bash -c "for f in usr/bin/makedumpfile usr/lib/lazy-kdump/lazy-kdump-capture.sh lazy-kdump-capture.service etc/lazy-kdump-capture.conf; do grep -q \"\$f\" /tmp/lsinitrd.txt || { echo \"no \$f\"; exit 1; }; done"
	check "the capture's settings are lazy-kdump config --capture's copy, not lazy-kdump.conf" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf '$img' | head -n 1 | grep -qx '# lazy-kdump-capture-conf 1' && ! grep -q ' etc/lazy-kdump.conf\$' /tmp/lsinitrd.txt"
	check "the capture unit is enabled in the initrd" \
		grep -q 'initrd.target.wants/lazy-kdump-capture.service' /tmp/lsinitrd.txt
	# makedumpfile before 1.7.7 finds no free page on 6.12 and later:
	# mkinitrd warns (dpkg's own version comparison decides here).
	if dpkg --compare-versions "$(uname -r)" ge 6.12 &&
		dpkg --compare-versions "$(dpkg-query -W -f '${Version}' makedumpfile | sed 's/^[0-9]*://')" lt 1.7.7; then
		check "the build warned that this makedumpfile cannot tell free pages on $(uname -r)" bash -c \
			"journalctl -b -u lazy-kdump.service | grep -q 'warning: makedumpfile [0-9.]* cannot tell free pages on kernel $(uname -r)'"
	else
		check "no makedumpfile warning for $(uname -r)" bash -c \
			"! journalctl -b -u lazy-kdump.service | grep -q 'cannot tell free pages'"
	fi
	check "status --json names the capture initrd" \
		bash -c "lazy-kdump status --json | grep -q '\"initrd\": \"$img\"'"
	lazy-kdump status >&2
	lazy-kdump estimate >&2
	metric crash-region-bytes "$(state_value main_len)"

	# README's commands on the packaged units.
	check "systemctl disable --now lazy-kdump disarms" bash -c \
		"systemctl disable --now lazy-kdump.service && [ \"\$(cat /sys/kernel/kexec_crash_loaded)\" = 0 ] && ! lazy-kdump status >/dev/null 2>&1"
	check "... and the metrics file says not armed, nothing held" is \
		"$(prom_value lazy_kdump_armed) $(prom_value lazy_kdump_crash_region_bytes)" "0 0"
	t0=$(mono)
	check "systemctl enable --now lazy-kdump arms again" systemctl enable --now lazy-kdump.service
	metric enable-now-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	armed_checks
	check "... and the metrics file says armed again" is "$(prom_value lazy_kdump_armed)" 1
	if [ -e "$dir/config-edit" ]; then
		# A config edit re-arms by itself (lazy-kdump-rearm.path).
		config_edit_rearms "$img" "$EDIT"
		armed_checks
	fi
	check "/etc/lazy-kdump.conf holds the test's edit" grep -q "^$EDIT_MARK" /etc/lazy-kdump.conf

	# The upgrade, on the running system (no network: every dependency is
	# installed already).
	before=$(state_value armed_at)
	t0=$(mono)
	check "apt-get install of the $ver_new packages (an upgrade)" bash -c \
		"DEBIAN_FRONTEND=noninteractive apt-get -q -y install /root/lazy-next/lazy-kdump_*.deb /root/lazy-next/lazy-cma-dkms_*.deb >/tmp/upgrade.log 2>&1 || { tail -n 20 /tmp/upgrade.log; exit 1; }"
	wait_rearmed "$before"
	settle
	metric upgrade-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	sed 's/^/upgrade: /' /tmp/upgrade.log >&2
	check "dpkg has lazy-kdump and lazy-cma-dkms $ver_new" bash -c \
		"[ '$(pkg_version lazy-kdump)' = '$ver_new' ] && [ '$(pkg_version lazy-cma-dkms)' = '$ver_new' ]"
	check "the edited /etc/lazy-kdump.conf was kept (no .dpkg-dist, .dpkg-new)" bash -c \
		"grep -q '^$EDIT_MARK' /etc/lazy-kdump.conf && ! ls /etc/lazy-kdump.conf.dpkg-* 2>/dev/null"
	check "lazy-kdump --version says $ver_new" is "$(lazy-kdump --version)" "lazy-kdump $ver_new"
	check "the upgrade re-armed kdump (a reload: armed_at $before -> $(state_value armed_at))" bash -c \
		"[ -n '$(state_value armed_at)' ] && [ '$(state_value armed_at)' != '$before' ]"
	check "... with a capture initrd rebuilt for $ver_new's dracut module" bash -c \
		"journalctl -b -u lazy-kdump.service -u lazy-kdump-rearm.service | grep -q '99lazy-kdump[^ ]* changed after $img was built'"
	armed_checks
	check "DKMS built lazy_cma $ver_new for $kver" is "$(modinfo -F version lazy_cma)" "$ver_new"
	check "the upgrade said that lazy_cma $ver_old stays loaded until the next boot" bash -c \
		"[ \"\$(cat /sys/module/lazy_cma/version)\" = '$ver_old' ] && grep -q 'the loaded lazy_cma module is version $ver_old; $ver_new is used from the next boot on' /tmp/upgrade.log"
	journalctl -b -u lazy-kdump.service -u lazy-kdump-rearm.service --no-pager >&2
	next pkgupgraded
	finish REBOOT
	;;
pkgupgraded)
	armed_checks
	boot_checks
	check "lazy_cma $ver_new is loaded" is "$(cat /sys/module/lazy_cma/version 2>/dev/null)" "$ver_new"
	check "this boot did not rebuild the capture initrd" bash -c \
		"! journalctl -b -u lazy-kdump.service | grep -q 'building /var/lib'"
	check "after a clean reboot: the arming marker is this boot's, no verdict on the previous boot" bash -c \
		"grep -qx \"boot_id=\$(cat /proc/sys/kernel/random/boot_id)\" /var/lib/lazy-kdump/armed && ! lazy-kdump status | grep -q 'previous boot'"
	next pkgpanicked
	out "# panicking with lazy-kdump test --yes"
	LAZYTEST_PANIC=TEST
	finish PANIC
	;;
pkgpanicked)
	dump_checks
	armed_checks
	check "the journal and status say the panic was lazy-kdump test's" bash -c \
		"journalctl -b -u lazy-kdump.service | grep -qF \"'lazy-kdump test' panicked the previous boot on purpose at\" && lazy-kdump status | grep -qF \"'lazy-kdump test' panicked the previous boot\""
	check "the metrics file names that dump, saved, with its vmcore's size" bash -c \
		"grep -qxF 'lazy_kdump_last_dump_info{result=\"saved\",path=\"$d\"} 1' $PROM && [ '$(prom_value lazy_kdump_last_dump_vmcore_bytes)' = \"\$(stat -c %s '$d/vmcore')\" ] && [ '$(prom_value lazy_kdump_armed)' = 1 ]"
	check "the capture initrd carries KEEP_DUMPS=4 and the hooks of the edited configuration" bash -c \
		"img=/var/lib/lazy-kdump/initrd-\$(uname -r).img; lsinitrd -f etc/lazy-kdump-capture.conf \$img | grep -qx 'KEEP_DUMPS=4' && lsinitrd -f etc/lazy-kdump-capture.conf \$img | grep -qx 'KDUMP_POST=$HOOK' && lsinitrd \$img | grep -q ' ${HOOK#/}\$'"
	check "the crash kernel ran KDUMP_PRE before the dump and KDUMP_POST after it (status hooks=ok)" bash -c \
		"grep -qx 'hooks=ok' '$d/status' && sed -n 1p '$d/hooks.txt' | grep -qx 'hook 1 /.*/${d##*/} vmcore: no' && sed -n 2p '$d/hooks.txt' | grep -qx 'hook 2 /.*/${d##*/} saved vmcore: yes'"
	if [ -e "$dir/then-newkernel" ]; then
		next newkernel-pending
		finish END
	fi
	remove_purge
	next finished
	finish END
	;;
newkernel)
	kver=$(uname -r)
	want=$(sed -n 's/.*lazytest.kver=\([^ ]*\).*/\1/p' /proc/cmdline)
	check "booted the newly installed kernel $want" is "$kver" "$want"
	armed_checks
	check "status --json names the new kernel" bash -c \
		"lazy-kdump status --json | grep -q 'vmlinuz-$kver'"
	check "lazy_cma is DKMS's build for $kver" bash -c \
		"modinfo -n lazy_cma | grep -q '/lib/modules/$kver/updates/dkms/'"
	check "lazy_cma is loaded" bash -c "grep -q '^lazy_cma ' /proc/modules"
	img=/var/lib/lazy-kdump/initrd-$kver.img
	check "the capture initrd of $kver was built" test -s "$img"
	metric capture-initrd-bytes-new-kernel "$(stat -c %s "$img" 2>/dev/null || echo 0)"
	check "/var/crash is a file system of its own" mountpoint -q /var/crash
	uuid=$(findmnt -n -o UUID /var/crash)
	check "the capture initrd names it by UUID" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf '$img' | grep -qx 'DUMP_TARGET=UUID=$uuid:/'"
	df -h /var/crash >&2
	out "# /var/crash: $(df -Pk /var/crash | awk 'NR == 2 { print $4 }') KiB available"
	next fullpanicked
	finish PANIC
	;;
fullpanicked)
	d=$(newest_dump)
	out "# dump directory: $d"
	check "a dump directory was written in the full /var/crash" test -n "$d"
	check "dmesg.txt holds the panic" grep -q 'sysrq triggered crash' "$d/dmesg.txt"
	check "no vmcore (it did not fit)" test ! -e "$d/vmcore"
	check "status says result=no-space" grep -qx 'result=no-space' "$d/status"
	check "the metrics file says result no-space, no vmcore" bash -c \
		"grep -qxF 'lazy_kdump_last_dump_info{result=\"no-space\",path=\"$d\"} 1' $PROM && [ '$(prom_value lazy_kdump_last_dump_vmcore_bytes)' = 0 ]"
	check "the retention step ran (status retention=applied)" grep -qx 'retention=applied' "$d/status"
	check "the slow pre hook and the post hook ran to their end (status hooks=ok)" bash -c \
		"grep -qx 'hooks=ok' '$d/status' && [ \"\$(wc -l <'$d/hooks.txt')\" = 2 ]"
	check "the service's journal names the dump and its result" bash -c \
		"journalctl -b -u lazy-kdump.service | grep -qF 'The previous boot panicked; its capture: $d, result no-space: the dump target is full'"
	cat "$d/lazy-kdump.log" >&2 2>/dev/null
	armed_checks
	remove_purge
	next finished
	finish END
	;;
stackbuild)
	# The layout of a server installed with "guided, encrypted LVM" on
	# software RAID 1: LVM on LUKS on MD RAID 1.
	kver=$(uname -r)
	check "mdadm builds a RAID 1 of vdb and vdc" mdadm --create /dev/md0 --run --level=1 \
		--raid-devices=2 --metadata=1.2 --assume-clean --homehost=lazyvm --name=lazyroot /dev/vdb /dev/vdc
	mkdir -p /etc/keys
	dd if=/dev/urandom of=/etc/keys/root.key bs=64 count=1 status=none
	chmod 0600 /etc/keys/root.key
	# Slot 0, the boot's: argon2id with 64 MiB (iterations forced: TCG
	# is slow), more than a crash kernel can give.
	check "LUKS2 on /dev/md0 (slot 0: argon2id, 64 MiB)" cryptsetup luksFormat --batch-mode --type luks2 \
		--pbkdf argon2id --pbkdf-memory 65536 --pbkdf-parallel 1 --pbkdf-force-iterations 4 \
		--key-file /etc/keys/root.key /dev/md0
	check "opened as cryptroot" cryptsetup open --key-file /etc/keys/root.key /dev/md0 cryptroot
	check "LVM: lazyvg/root on it" bash -c \
		"pvcreate -q /dev/mapper/cryptroot && vgcreate -q lazyvg /dev/mapper/cryptroot && lvcreate -q -y -n root -l 100%FREE lazyvg"
	check "ext4 on /dev/lazyvg/root, mounted on /mnt" bash -c \
		"mkfs.ext4 -q -L lazystack /dev/lazyvg/root && mkdir -p /mnt && mount /dev/lazyvg/root /mnt && mountpoint -q /mnt"
	t0=$(mono)
	# Without what the stacked system never uses (the compiler, headers,
	# docs, apt's caches, drivers of absent hardware): TCG copies through
	# dm-crypt and RAID 1 at about 10 MB/s.
	check "the root file system copied onto it" bash -c \
		"tar -C / --one-file-system -cf - --exclude=./usr/lib/gcc --exclude=./usr/src \
		--exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/locale \
		--exclude=./var/cache/apt --exclude='./usr/lib/modules/*/kernel/drivers/gpu' \
		--exclude='./usr/lib/modules/*/kernel/drivers/media' --exclude='./usr/lib/modules/*/kernel/drivers/net/wireless' \
		--exclude='./usr/lib/modules/*/kernel/drivers/infiniband' --exclude='./usr/lib/modules/*/kernel/sound' . |
		tar -C /mnt -xpf -"
	metric stack-copy-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	printf '/dev/mapper/lazyvg-root\t/\text4\terrors=remount-ro\t0\t1\n' >/mnt/etc/fstab
	printf 'cryptroot UUID=%s /etc/keys/root.key luks,key-slot=0\n' "$(cryptsetup luksUUID /dev/md0)" >/mnt/etc/crypttab
	mkdir -p /mnt/etc/mdadm
	mdadm --detail --scan >/mnt/etc/mdadm/mdadm.conf
	check "lazy-kdump.service enabled on the new root" systemctl --root=/mnt enable lazy-kdump.service
	echo stackboot >/mnt/var/lib/lazy-test/phase
	: >/mnt/var/lib/lazy-test/results.tap
	for m in dev proc sys run; do mount --bind /$m /mnt/$m; done
	t0=$(mono)
	# The boot initrd opens the root with the boot's key file (a test
	# rig's shortcut; a real one asks for a passphrase), given on dracut's
	# command line: a dracut.conf.d file would put it in the capture
	# initrd too.
	check "dracut builds the boot initrd of the new root (hostonly, in a chroot)" \
		chroot /mnt dracut --force --hostonly --no-compress --omit plymouth --add "mdraid crypt lvm" \
		--install /etc/keys/root.key "/boot/initrd.img-$kver" "$kver"
	metric stack-dracut-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	check "the boot initrd opens the root itself (crypttab, key file, mdadm, lvm)" bash -c \
		"lsinitrd /mnt/boot/initrd.img-$kver > /tmp/boot-initrd.txt; for f in ' etc/crypttab' ' etc/keys/root.key' sbin/mdadm sbin/lvm; do grep -q \"\$f\\\$\" /tmp/boot-initrd.txt || { echo \"no \$f\"; exit 1; }; done"
	check "kernel and boot initrd written to vdd for the host" \
		tar -C /mnt/boot -cf /dev/vdd "vmlinuz-$kver" "initrd.img-$kver"
	for m in run sys proc dev; do umount /mnt/$m; done
	umount /mnt
	vgchange -q -an lazyvg >/dev/null 2>&1
	cryptsetup close cryptroot
	mdadm --stop /dev/md0 >/dev/null 2>&1
	sync
	finish END
	;;
stackboot)
	rootdev=$(findmnt -n -o SOURCE /)
	check "the root file system is LVM on LUKS on MD RAID 1 ($rootdev)" is \
		"$(lsblk -s -n -r -o TYPE "$rootdev" | tr '\n' ' ')" "lvm crypt raid1 disk disk "
	luksdev=$(cryptsetup status cryptroot | sed -n 's/^ *device: *//p')
	out "# LUKS device: $luksdev"
	check "at boot lazy-kdump.service failed, saying the LUKS volume needs LUKS_KEY_FILE" bash -c \
		"[ \"\$(systemctl is-active lazy-kdump.service)\" = failed ] && journalctl -b -u lazy-kdump.service | grep -q 'the dump target is on the LUKS volume cryptroot ($luksdev), and the crash kernel cannot ask for a passphrase: give it a key file of its own in LUKS_KEY_FILE'"
	check "... and status says not armed" bash -c "lazy-kdump status >/dev/null 2>&1; [ \$? = 3 ]"
	journalctl -b -u lazy-kdump.service --no-pager >&2
	# Refusals by mkinitrd (the service's ExecStartPre), on copies of the
	# configuration.
	refused() {
		local what=$1 key=$2 want=$3 o
		cp /etc/lazy-kdump.conf /tmp/k.conf
		echo "LUKS_KEY_FILE=$key" >>/tmp/k.conf
		o=$(LAZY_KDUMP_CONFIG=/tmp/k.conf /usr/lib/lazy-kdump/mkinitrd 2>&1)
		check "arming refuses $what" bash -c "[ $? != 0 ] && grep -qF -- \"\$1\" <<<\"\$2\"" sh "$want" "$o"
	}
	refused "the boot's key (its slot is argon2id with 64 MiB)" /etc/keys/root.key \
		"key slot 0 of $luksdev, which LUKS_KEY_FILE=/etc/keys/root.key opens, uses argon2 with 64 MiB of memory"
	dd if=/dev/urandom of=/tmp/wrong.key bs=64 count=1 status=none
	chmod 0600 /tmp/wrong.key
	refused "a key that opens no slot" /tmp/wrong.key "LUKS_KEY_FILE=/tmp/wrong.key does not open the LUKS volume $luksdev (cryptroot)"
	chmod 0644 /tmp/wrong.key
	refused "a key others can read" /tmp/wrong.key "LUKS_KEY_FILE=/tmp/wrong.key can be read by users other than its owner (mode 644)"
	# As lazy-kdump.conf(5) says (the existing key given as a file here,
	# instead of typing a passphrase).
	t0=$(mono)
	check "a key file of lazy-kdump's own in a pbkdf2 slot (lazy-kdump.conf(5)'s commands)" bash -c \
		"mkdir -p -m 0700 /etc/lazy-kdump && dd if=/dev/urandom of=/etc/lazy-kdump/luks.key bs=64 count=1 status=none && chmod 0600 /etc/lazy-kdump/luks.key && cryptsetup luksAddKey --batch-mode --pbkdf pbkdf2 --key-file /etc/keys/root.key $luksdev /etc/lazy-kdump/luks.key"
	metric luks-add-key-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	echo 'LUKS_KEY_FILE=/etc/lazy-kdump/luks.key' >>/etc/lazy-kdump.conf
	t0=$(mono)
	check "systemctl restart lazy-kdump arms" systemctl restart lazy-kdump.service
	metric stack-arm-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	settle
	armed_checks
	journalctl -b -u lazy-kdump.service --no-pager >&2
	check "no warning about the key: /var/lib/lazy-kdump is on the encrypted root" bash -c \
		"! journalctl -b -u lazy-kdump.service | grep -q 'is not on an encrypted volume'"
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	metric capture-initrd-bytes "$(stat -c %s "$img" 2>/dev/null || echo 0)"
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	check "the capture initrd has mdadm, lvm, systemd-cryptsetup and the key (mode 0600)" bash -c \
		"for f in sbin/mdadm sbin/lvm /systemd-cryptsetup ' etc/lvm/lvm.conf'; do grep -q \"\$f\\\$\" /tmp/lsinitrd.txt || { echo \"no \$f\"; exit 1; }; done; grep -E '^-rw------- .* etc/lazy-kdump/luks.key\$' /tmp/lsinitrd.txt"
	check "its crypttab opens only cryptroot, with the key's slot 1, never asking" is \
		"$(lsinitrd -f etc/crypttab "$img")" \
		"cryptroot UUID=$(cryptsetup luksUUID "$luksdev") /etc/lazy-kdump/luks.key luks,key-slot=1,headless=true"
	check "the boot's key is not in the capture initrd" bash -c "! grep -q ' etc/keys/root.key\$' /tmp/lsinitrd.txt"
	if [ "$(cat /sys/kernel/kexec_crash_loaded)" != 1 ]; then
		nok "not armed: no panic"
		finish END
	fi
	next stackpanicked
	finish PANIC
	;;
stackpanicked)
	dump_checks
	check "the crash kernel mounted the root through RAID, LUKS and LVM" \
		grep -q 'mounted /dev/mapper/lazyvg-root' "$d/lazy-kdump.log"
	armed_checks
	# The capture initrd is stale when the stack changed under it, even
	# with every file as it was (DRACUT=false: only the verdict).
	luksdev=$(cryptsetup status cryptroot | sed -n 's/^ *device: *//p')
	check "mkinitrd: up to date, nothing to build" env DRACUT=false /usr/lib/lazy-kdump/mkinitrd
	check "the key moved to slot 2, its file unchanged (luksAddKey --key-slot 2, luksKillSlot 1)" bash -c \
		"cryptsetup luksAddKey --batch-mode --pbkdf pbkdf2 --key-slot 2 --key-file /etc/keys/root.key $luksdev /etc/lazy-kdump/luks.key && cryptsetup luksKillSlot --batch-mode $luksdev 1"
	check "mkinitrd: the capture initrd (crypttab key-slot=1) is stale now" bash -c \
		"DRACUT=false /usr/lib/lazy-kdump/mkinitrd 2>&1 | grep 'building .*the dump target.s block stack (multipath, arrays, volumes, LUKS key slots.*changed after'"
	# Next, with the same boot: a dump target on multipath (the host
	# gave two paths to one disk).
	if [ -b /dev/sda ]; then
		mpath_arm
	fi
	next finished
	finish END
	;;
mpathsetup)
	# (the packages installed, lazy-kdump.service disabled; two SCSI
	# paths to one more disk) the dump target on multipath.
	mpath_arm
	;;
mpathpanicked)
	uuid=$(cat "$dir/mpath-uuid")
	mkdir -p /mnt/mpath
	check "the multipath map is back at boot and mounts" bash -c \
		"udevadm settle; for _ in \$(seq 1 30); do [ -b /dev/mapper/mpatha ] && break; sleep 1; done; mount /dev/mapper/mpatha /mnt/mpath"
	d=$(for x in /mnt/mpath/*-20[0-9][0-9]-*; do [ -d "$x" ] && echo "$x"; done | sort | tail -n 1)
	out "# dump directory: $d"
	check "a dump directory was written on the multipath disk" test -n "$d"
	check "vmcore is there, status says result=saved" bash -c "[ -s '$d/vmcore' ] && grep -qx 'result=saved' '$d/status'"
	check "dmesg.txt holds the panic" grep -q 'sysrq triggered crash' "$d/dmesg.txt"
	check "makedumpfile --dump-dmesg of the vmcore shows the panic" bash -c \
		"makedumpfile --dump-dmesg '$d/vmcore' /tmp/vmcore-dmesg.txt >/dev/null 2>&1; grep -q 'Kernel panic - not syncing: sysrq triggered crash' /tmp/vmcore-dmesg.txt"
	check "the 20 s pre hook ran to its end before the dump (status hooks=ok)" bash -c \
		"grep -qx 'hooks=ok' '$d/status' && grep -Eq 'succeeded in (19|2[0-9]) s' '$d/lazy-kdump.log'"
	metric mpath-vmcore-bytes "$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
	check "the crash kernel mounted the multipath map (device-mapper name mpatha), not one of its paths" \
		grep -q "mounted /dev/disk/by-uuid/$uuid (UUID=$uuid, /dev/dm-[0-9]*, device-mapper name mpatha)" "$d/lazy-kdump.log"
	check "lazy-kdump dumps finds it where the multipath disk is mounted (DUMP_TARGET=UUID=...:/)" bash -c \
		"lazy-kdump dumps | grep -E ' saved +[0-9]+\.[0-9] MiB  $d\$'"
	cat "$d/lazy-kdump.log" >&2 2>/dev/null
	umount /mnt/mpath
	check "... and says so when it is not mounted" bash -c \
		"! lazy-kdump dumps 2>/tmp/dumps.err && grep -q 'is not mounted here' /tmp/dumps.err"
	armed_checks
	journalctl -b -u lazy-kdump.service --no-pager >&2
	check "the capture initrd kept at boot still brings up multipath (multipathd in it)" bash -c \
		"lsinitrd /var/lib/lazy-kdump/initrd-\$(uname -r).img | grep -q 'sbin/multipathd\$'"
	check "mkinitrd: up to date, nothing to build" env DRACUT=false /usr/lib/lazy-kdump/mkinitrd
	# Early at boot the file system's UUID names a path until multipathd
	# has made the map: mkinitrd waits for the map instead of building an
	# initrd without multipath. The map's paths removed from multipathd
	# (the map goes with the last), given back 8 s later.
	mpath_drop() {
		multipathd del path sda >/dev/null
		multipathd del path sdb >/dev/null
		for _ in $(seq 1 20); do [ -b /dev/mapper/mpatha ] || break; sleep 1; done
		udevadm settle
	}
	mpath_drop
	out "# without the map: UUID=$uuid is $(blkid -l -o device -t "UUID=$uuid"); multipath -c /dev/sda: $(multipath -c /dev/sda 2>&1; echo " (exit $?)")"
	check "the map is gone, the file system is seen on a path" bash -c \
		"[ ! -b /dev/mapper/mpatha ] && case \$(blkid -l -o device -t UUID=$uuid) in /dev/sd[ab]) ;; *) false ;; esac"
	(sleep 8; multipathd add path sda; multipathd add path sdb) >/dev/null 2>&1 &
	bg=$!
	check "mkinitrd waits until multipathd made the map, then finds the initrd up to date" bash -c \
		"LKD_MPATH_WAIT=120 DRACUT=false /usr/lib/lazy-kdump/mkinitrd 2>/tmp/mk.err; rc=\$?; cat /tmp/mk.err; [ \$rc = 0 ] && grep -q 'was a path of a multipath disk until multipathd made its map, /dev/[^ ]* (waited [0-9]* s)' /tmp/mk.err"
	wait "$bg"
	for _ in $(seq 1 30); do [ -b /dev/mapper/mpatha ] && break; sleep 1; done
	mpath_drop
	check "without the map mkinitrd refuses, saying the dump target is on a path, and keeps the initrd" bash -c \
		"LKD_MPATH_WAIT=3 DRACUT=false /usr/lib/lazy-kdump/mkinitrd 2>/tmp/mk.err; rc=\$?; cat /tmp/mk.err; [ \$rc = 1 ] && grep -q 'one path of a multipath disk (multipath -c says so), not the multipath map.* (waited [3-9] s for the map)' /tmp/mk.err && lsinitrd /var/lib/lazy-kdump/initrd-\$(uname -r).img | grep -q 'sbin/multipathd\$'"
	multipathd add path sda >/dev/null 2>&1
	multipathd add path sdb >/dev/null 2>&1
	check "the map is back" bash -c \
		"for _ in \$(seq 1 30); do [ -b /dev/mapper/mpatha ] && exit 0; sleep 1; done; exit 1"
	# The multipath run only: a raw dump disk (serial LAZYRAW01).
	if [ -b "$RAWDISK" ]; then
		raw_arm
	fi
	next finished
	finish END
	;;
rawpanicked)
	raw_checks
	next finished
	finish END
	;;
netsetup)
	check "this system got its address on the link to the server by DHCP" bash -c \
		"for _ in \$(seq 1 90); do ip -o -4 addr show | grep -q 'inet 192\.168\.77\.1[0-9][0-9]/24 .*dynamic' && exit 0; sleep 1; done; ip -o addr show; exit 1"
	ip -o -4 addr show >&2
	set_target "DUMP_TARGET=ssh://root@$SERVER/srv/crash/ssh"
	check "without a key, arming refuses and names lazy-kdump propagate" bash -c \
		"! /usr/lib/lazy-kdump/mkinitrd --check-target 2>/tmp/t.err; cat /tmp/t.err; grep -q \"SSH_KEY=$SSHKEY does not exist.*lazy-kdump propagate\" /tmp/t.err"
	check "lazy-kdump propagate without confirmation (no terminal) makes the key but records no host key" bash -c \
		"! lazy-kdump propagate </dev/null 2>/tmp/p.err; cat /tmp/p.err; grep -q 'not recording the host keys of $SERVER without confirmation' /tmp/p.err && [ -s $SSHKEY ] && ! [ -s /etc/lazy-kdump/ssh/known_hosts ]"
	# ssh-copy-id asks for root's password on the server: SSH_ASKPASS
	# answers, as a person would.
	printf '#!/bin/sh\necho lazytest\n' >/root/askpass
	chmod 0755 /root/askpass
	check "lazy-kdump propagate --yes records the host key, installs the key with ssh-copy-id (root's password), checks it" bash -c \
		"SSH_ASKPASS=/root/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid -w lazy-kdump propagate --yes </dev/null 2>/tmp/p.err; rc=\$?; cat /tmp/p.err; [ \$rc = 0 ] && grep -q 'installing $SSHKEY.pub for root on $SERVER' /tmp/p.err && grep -q 'ok: $SSHKEY logs in to root@192.168.77.1' /tmp/p.err"
	check "the key is private (0600) and the server's host key is recorded under its name" bash -c \
		"[ \$(stat -c %a $SSHKEY) = 600 ] && ssh-keygen -F $SERVER -f /etc/lazy-kdump/ssh/known_hosts >/dev/null"
	check "lazy-kdump propagate again: the key logs in already" bash -c \
		"lazy-kdump propagate 2>&1 </dev/null | grep -q 'already logs in'"
	ssh-keygen -q -t ed25519 -N '' -f /root/other-key
	set_target "DUMP_TARGET=ssh://root@$SERVER/srv/crash/ssh" "SSH_KEY=/root/other-key"
	check "a key the server does not accept is refused when arming" bash -c \
		"! /usr/lib/lazy-kdump/mkinitrd --check-target 2>/tmp/t.err; cat /tmp/t.err; grep -q 'refused /root/other-key' /tmp/t.err"
	set_target "DUMP_TARGET=ssh://root@$SERVER/srv/crash/ssh"
	t0=$(mono)
	rearm "armed with DUMP_TARGET=ssh://root@$SERVER/srv/crash/ssh"
	metric net-ssh-arm-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	metric net-ssh-capture-initrd-bytes "$(stat -c %s "$img" 2>/dev/null || echo 0)"
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	lsinitrd -f etc/lazy-kdump-net "$img" >/tmp/net.txt 2>&1
	cat /tmp/net.txt >&2
	check "the capture initrd has ssh, the key, the known host key, busybox and the udhcpc script" bash -c \
		"for f in bin/ssh ${SSHKEY#/} etc/lazy-kdump/ssh/known_hosts bin/busybox lazy-kdump-udhcpc.sh; do grep -q \"\$f\$\" /tmp/lsinitrd.txt || { echo \"no \$f\"; exit 1; }; done"
	check "... and how to reach the server: the card's MAC, virtio_net, DHCP" bash -c \
		"grep -qx 'mac=52:54:00:77:00:02' /tmp/net.txt && grep -qx 'driver=virtio_net' /tmp/net.txt && grep -qx 'method=dhcp' /tmp/net.txt && grep -qx 'server=192.168.77.1' /tmp/net.txt"
	check "the settings name the server by its address (no DNS in the crash kernel)" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf $img | grep -qx 'NET_HOST=192.168.77.1'"
	check "lazy-kdump test checks the server before it panics" bash -c \
		"! lazy-kdump test </dev/null >/tmp/test.out 2>&1; cat /tmp/test.out; grep -q 'ok: the dump server of ssh://root@$SERVER/srv/crash/ssh answers' /tmp/test.out"
	next sshpanicked
	LAZYTEST_PANIC=TEST finish PANIC
	;;
sshpanicked)
	d=$(on_server "ls -d /srv/crash/ssh/lazyvm-20*" 2>/dev/null | sort | tail -n 1)
	out "# dump directory on the server: $d"
	check "a dump directory on the server" test -n "$d"
	check "vmcore.flat, dmesg.txt, lazy-kdump.log and status there, no vmcore.flat.incomplete" bash -c \
		"$(declare -f on_server); SERVER=$SERVER SSHKEY=$SSHKEY; on_server 'cd $d && [ -s vmcore.flat ] && [ -s dmesg.txt ] && [ -s lazy-kdump.log ] && [ ! -e vmcore.flat.incomplete ] && grep -qx result=saved status'"
	on_server "cat $d/lazy-kdump.log" >&2
	check "dmesg.txt on the server holds the panic" bash -c \
		"$(declare -f on_server); SERVER=$SERVER SSHKEY=$SSHKEY; on_server 'cat $d/dmesg.txt' | grep -q 'sysrq triggered crash'"
	check "makedumpfile -R turns vmcore.flat back into a vmcore that shows the panic" bash -c \
		"$(declare -f on_server); SERVER=$SERVER SSHKEY=$SSHKEY; on_server 'cat $d/vmcore.flat' | makedumpfile -R /tmp/vmcore >/dev/null 2>&1 && makedumpfile --dump-dmesg /tmp/vmcore /tmp/vmcore-dmesg.txt >/dev/null 2>&1 && grep -q 'Kernel panic - not syncing: sysrq triggered crash' /tmp/vmcore-dmesg.txt"
	metric net-ssh-vmcore-bytes "$(stat -c %s /tmp/vmcore 2>/dev/null || echo 0)"
	check "the crash kernel got its address by DHCP (the log says so)" bash -c \
		"$(declare -f on_server); SERVER=$SERVER SSHKEY=$SSHKEY; on_server 'cat $d/lazy-kdump.log' | grep -q 'network: .* up, 192\.168\.77\.1[0-9][0-9]/24 (dhcp)'"
	rm -f /tmp/vmcore
	armed_checks
	journalctl -b -u lazy-kdump.service --no-pager >/tmp/j.txt 2>&1
	check "the service's report at boot names the dump on the server and its result" bash -c \
		"grep -q \"'lazy-kdump test' panicked the previous boot on purpose.*its capture: $SERVER:$d, result saved\" /tmp/j.txt || { grep -i -e 'previous boot' -e 'dump server' /tmp/j.txt; exit 1; }"
	check "lazy-kdump dumps lists it on the server, with its size" bash -c \
		"lazy-kdump dumps | tee /dev/stderr | grep -Eq ' saved +[0-9]+\.[0-9] MiB  $SERVER:$d\$'"
	# dracut goes on when lazy-kdump's module fails; mkinitrd must not
	# keep what it built (DRACUT=true: a "successful" build of nothing).
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	sum=$(cksum <"$img")
	check "an initrd dracut built without the capture is refused, the one in place kept" bash -c \
		"DRACUT=true /usr/lib/lazy-kdump/mkinitrd --force 2>/tmp/mk.err; rc=\$?; cat /tmp/mk.err; [ \$rc = 1 ] && grep -q 'dracut built a capture initrd without etc/lazy-kdump-capture.conf' /tmp/mk.err && [ \"\$(cksum <$img)\" = '$sum' ]"
	check "lazy-kdump status --json: last_dump is it" bash -c \
		"lazy-kdump status --json | grep -q '\"path\": \"$SERVER:$d\"'"
	set_target "DUMP_TARGET=nfs://$SERVER:/srv/nothere"
	check "an NFS path the server does not export is refused when arming" bash -c \
		"! /usr/lib/lazy-kdump/mkinitrd --check-target 2>/tmp/t.err; cat /tmp/t.err; grep -q 'cannot mount the NFS dump target 192.168.77.1:/srv/nothere' /tmp/t.err"
	# NFSv3 (not claimed until this passes): on failure, what mount.nfs
	# and the server's portmapper say, on the console and in the TAP.
	set_target "DUMP_TARGET=nfs://$SERVER:/srv/crash/nfs" "NFS_OPTIONS=vers=3"
	check "NFSv3 (NFS_OPTIONS=vers=3): the export mounts and root can write there (arming's check)" bash -c \
		"/usr/lib/lazy-kdump/mkinitrd --check-target && exit 0; { mkdir -p /tmp/v3; mount -v -t nfs -o vers=3,nolock $SERVER:/srv/crash/nfs /tmp/v3; umount /tmp/v3; rpcinfo -p $SERVER; lsmod | grep -E '^(nfs|lockd|sunrpc)'; } 2>&1 | tee /dev/stderr | tail -n 25; exit 1"
	# From here on a static address (the ssh phase proved DHCP): the
	# capture initrd records it and the crash kernel sets it itself; the
	# NFS server is reached at 192.168.78.1 through a router
	# (192.168.77.1, the server itself) and mounted with NFSv3.
	printf '[Match]\nMACAddress=52:54:00:77:00:02\n\n[Network]\nAddress=192.168.77.50/24\nIPv6AcceptRA=yes\n\n[Route]\nDestination=192.168.78.0/24\nGateway=192.168.77.1\n' \
		>/etc/systemd/network/10-lazy-test.network
	ifc=$(client_if)
	ip addr flush dev "$ifc"
	systemctl restart systemd-networkd
	check "this system now has the static address 192.168.77.50/24 on $ifc, no lease" bash -c \
		"for _ in \$(seq 1 60); do ip -o -4 addr show dev $ifc | grep -q 'inet 192\.168\.77\.50/24' && ! ip -o -4 addr show dev $ifc | grep -q dynamic && exit 0; sleep 1; done; ip -o addr show; exit 1"
	check "this system reaches $GWSERVER through the router 192.168.77.1" bash -c \
		"for _ in \$(seq 1 30); do ip route get $GWSERVER | grep -q ' via 192\.168\.77\.1 ' && exit 0; sleep 1; done; ip route; exit 1"
	set_target "DUMP_TARGET=nfs://$GWSERVER:/srv/crash/nfs" "NFS_OPTIONS=vers=3"
	rearm "armed with DUMP_TARGET=nfs://$GWSERVER:/srv/crash/nfs, NFS_OPTIONS=vers=3"
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	lsinitrd -f etc/lazy-kdump-net "$img" >/tmp/net.txt 2>&1
	cat /tmp/net.txt >&2
	check "the capture initrd records the static address and the router (method=static, address=192.168.77.50/24, gateway=192.168.77.1, server=$GWSERVER)" bash -c \
		"grep -qx method=static /tmp/net.txt && grep -qx address=192.168.77.50/24 /tmp/net.txt && grep -qx gateway=192.168.77.1 /tmp/net.txt && grep -qx server=$GWSERVER /tmp/net.txt"
	check "the capture initrd has mount.nfs, the NFS client (v3 too) and netbase's files" bash -c \
		"grep -q 'sbin/mount.nfs\$' /tmp/lsinitrd.txt && grep -Eq 'fs/nfs/nfsv3\.ko' /tmp/lsinitrd.txt && grep -q 'etc/rpc\$' /tmp/lsinitrd.txt && grep -q 'etc/services\$' /tmp/lsinitrd.txt && ! grep -q 'bin/ssh\$' /tmp/lsinitrd.txt"
	check "the capture's settings say vers=3" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf $img | grep -q '^NFS_OPTIONS=.*vers=3'"
	next nfspanicked
	finish PANIC
	;;
nfspanicked)
	nfs_dump "" "$GWSERVER:/srv/crash/nfs"
	check "the crash kernel mounted the export with NFSv3" grep -q "mounted $GWSERVER:/srv/crash/nfs (NFS, .*vers=3" "$d/lazy-kdump.log"
	check "the crash kernel set the static address and the route through the router itself (the log says so)" \
		grep -q 'network: .* up, 192\.168\.77\.50/24, via 192\.168\.77\.1 (static)' "$d/lazy-kdump.log"
	out "# the server's mountd table (NFSv3 mounts; the crash kernel's was never unmounted): $(on_server cat /var/lib/nfs/rmtab 2>&1 | tr '\n' ' ')"
	metric net-nfs-vmcore-bytes "$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
	cat "$d/lazy-kdump.log" >&2
	check "lazy-kdump dumps lists it on the NFS server" bash -c \
		"lazy-kdump dumps | tee /dev/stderr | grep -Eq ' saved +[0-9]+\.[0-9] MiB  $GWSERVER:/srv/crash/nfs/${d##*/}\$'"
	umount /mnt/nfs
	armed_checks
	# IPv6: the server by a name with only an IPv6 address
	# (dumpserver6, fd77::1), this system's address by router
	# advertisements (SLAAC): the crash kernel waits for its own.
	ifc=$(client_if)
	check "this system has an IPv6 address by router advertisements (fd77::/64, dynamic) on $ifc" bash -c \
		"for _ in \$(seq 1 60); do ip -o -6 addr show dev $ifc scope global | grep -q 'inet6 fd77:.* dynamic' && exit 0; sleep 1; done; ip -o addr show; exit 1"
	set_target "DUMP_TARGET=nfs://dumpserver6:/srv/crash/nfs"
	rearm "armed with DUMP_TARGET=nfs://dumpserver6:/srv/crash/nfs (IPv6, NFSv4)"
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	lsinitrd -f etc/lazy-kdump-net "$img" >/tmp/net.txt 2>&1
	cat /tmp/net.txt >&2
	check "the capture initrd records IPv6 by router advertisements (method=auto6, no address, server=fd77::1)" bash -c \
		"grep -qx method=auto6 /tmp/net.txt && grep -qx address= /tmp/net.txt && grep -qx server=fd77::1 /tmp/net.txt && grep -qx mac=52:54:00:77:00:02 /tmp/net.txt"
	check "the capture's settings name the server by its IPv6 address" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf $img | grep -qx 'NET_HOST=fd77::1'"
	next v6panicked
	finish PANIC
	;;
v6panicked)
	nfs_dump " over IPv6" '[fd77::1]:/srv/crash/nfs'
	check "the crash kernel mounted the export over IPv6" grep -q 'mounted \[fd77::1\]:/srv/crash/nfs (NFS' "$d/lazy-kdump.log"
	check "the crash kernel got its IPv6 address by router advertisements (the log says so)" \
		grep -Eq 'network: .* up, fd77:[0-9a-f:]+/64 \(auto6\)' "$d/lazy-kdump.log"
	metric net-nfs6-vmcore-bytes "$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
	cat "$d/lazy-kdump.log" >&2
	umount /mnt/nfs
	armed_checks
	# A dump target on an iSCSI disk of the server (tgt, CHAP): logged in
	# here by hand (node.startup stays manual: at boot nothing logs in
	# before lazy-kdump.service arms), ext4 on it, armed.
	check "iSCSI: the server's target is discovered and logged in to with CHAP" bash -c \
		"iscsiadm -m discovery -t sendtargets -p $PORTAL >&2 && iscsiadm -m node -T $IQN -p $PORTAL --op update -n node.session.auth.authmethod -v CHAP && iscsiadm -m node -T $IQN -p $PORTAL --op update -n node.session.auth.username -v lazyuser && iscsiadm -m node -T $IQN -p $PORTAL --op update -n node.session.auth.password -v lazysecret12 && iscsiadm -m node -T $IQN -p $PORTAL --login >&2"
	iscsi_disk=''
	for _ in $(seq 1 30); do
		udevadm settle
		iscsi_disk=$(find /dev/disk/by-path -name "*-iscsi-$IQN-lun-1" 2>/dev/null | head -n 1)
		[ -z "$iscsi_disk" ] || break
		sleep 1
	done
	lsblk -o NAME,TYPE,TRAN,SIZE >&2
	check "iSCSI: LUN 1 is a disk here (lsblk TRAN iscsi), ext4 on it" bash -c \
		"[ -n '$iscsi_disk' ] && [ \"\$(lsblk -d -n -o TRAN '$iscsi_disk')\" = iscsi ] && mkfs.ext4 -q -F -L lazyiscsi '$iscsi_disk'"
	udevadm settle
	uuid=$(blkid -o value -s UUID "$iscsi_disk" 2>/dev/null)
	echo "$uuid" >"$dir/iscsi-uuid"
	set_target "DUMP_TARGET=UUID=$uuid:/"
	rearm "armed with the dump target on the iSCSI disk"
	img=/var/lib/lazy-kdump/initrd-$(uname -r).img
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	check "the capture initrd has iscsistart, iscsi_tcp and the session (mode 0600, with CHAP), and no ssh or NFS" bash -c \
		"grep -q '/iscsistart\$' /tmp/lsinitrd.txt && grep -Eq 'iscsi_tcp\.ko' /tmp/lsinitrd.txt && grep -Eq '^-rw------- .* etc/lazy-kdump-iscsi\$' /tmp/lsinitrd.txt && lsinitrd -f etc/lazy-kdump-iscsi $img | grep -qx 'target=$IQN' && lsinitrd -f etc/lazy-kdump-iscsi $img | grep -qx 'username=lazyuser' && ! grep -q 'bin/ssh\$' /tmp/lsinitrd.txt && ! grep -q 'sbin/mount.nfs\$' /tmp/lsinitrd.txt"
	check "the stack record keeps the CHAP secret out (a hash of the sessions)" bash -c \
		"grep -q '^iscsi=[0-9a-f]\{64\}\$' $img.stack && ! grep -q lazysecret12 $img.stack"
	check "mkinitrd: up to date, nothing to build" env DRACUT=false /usr/lib/lazy-kdump/mkinitrd
	next iscsipanicked
	finish PANIC
	;;
iscsipanicked)
	uuid=$(cat "$dir/iscsi-uuid")
	# At boot the iSCSI disk was not there (nothing logged in): the
	# service kept the capture initrd built for it and armed.
	armed_checks
	journalctl -b -u lazy-kdump.service --no-pager >/tmp/j.txt 2>&1
	check "at boot, before any iSCSI login, the capture initrd built for iSCSI was kept and kdump armed" \
		grep -q 'was built for it on iSCSI, which the crash kernel logs in to itself: kept as it is' /tmp/j.txt
	check "iSCSI: logged in again here, the dump's file system mounts" bash -c \
		"iscsiadm -m node -T $IQN -p $PORTAL --login >&2; for _ in \$(seq 1 30); do udevadm settle; [ -e /dev/disk/by-uuid/$uuid ] && break; sleep 1; done; mkdir -p /mnt/iscsi && mount /dev/disk/by-uuid/$uuid /mnt/iscsi"
	d=$(for x in /mnt/iscsi/lazyvm-20*; do [ -d "$x" ] && echo "$x"; done | sort | tail -n 1)
	out "# dump directory on the iSCSI disk: $d"
	check "vmcore is there, status says result=saved" bash -c "[ -s '$d/vmcore' ] && grep -qx 'result=saved' '$d/status'"
	check "makedumpfile --dump-dmesg of the vmcore shows the panic" bash -c \
		"makedumpfile --dump-dmesg '$d/vmcore' /tmp/vmcore-dmesg.txt >/dev/null 2>&1; grep -q 'Kernel panic - not syncing: sysrq triggered crash' /tmp/vmcore-dmesg.txt"
	check "the crash kernel logged in to the target with iscsistart, then mounted the disk" bash -c \
		"grep -q 'iSCSI: logged in to $IQN' '$d/lazy-kdump.log' && grep -q 'mounted .*UUID=$uuid' '$d/lazy-kdump.log'"
	# (The vmcore holds it: the panicked kernel's session kept it.)
	check "the CHAP secret is in no log of the capture (lazy-kdump.log, status, dmesg.txt)" bash -c \
		"cd '$d' && ! grep -q lazysecret12 lazy-kdump.log status dmesg.txt"
	check "the service's report at boot says the dump target could not be looked at then (no iSCSI session yet)" \
		grep -q 'whether it left a dump is not checked: DUMP_TARGET names a device that is not on this machine now' /tmp/j.txt
	check "lazy-kdump dumps lists it once the iSCSI disk is mounted" bash -c \
		"lazy-kdump dumps | tee /dev/stderr | grep -Eq ' saved +[0-9]+\.[0-9] MiB  $d\$'"
	metric net-iscsi-vmcore-bytes "$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
	cat "$d/lazy-kdump.log" >&2
	check "with the session up again, the capture initrd is up to date (the same session, CHAP, card)" \
		env DRACUT=false /usr/lib/lazy-kdump/mkinitrd
	umount /mnt/iscsi
	iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout >&2 || true
	# Nothing listens on port 2222 of the server; the capture gives up
	# after lazy_kdump.wait=20 (60 by default).
	set_target "DUMP_TARGET=ssh://root@$SERVER:2222/srv/crash/ssh" "FAILURE_ACTION=dump-local" \
		"CMDLINE_APPEND=\"$(sed -n 's/^#CMDLINE_APPEND="\(.*\)"$/\1/p' /etc/lazy-kdump.conf) lazy_kdump.wait=20\""
	check "a server that does not answer: arming warns and arms" bash -c \
		"/usr/lib/lazy-kdump/mkinitrd --force 2>/tmp/mk.err; rc=\$?; cat /tmp/mk.err; [ \$rc = 0 ] && grep -q 'warning: the dump server $SERVER (192.168.77.1) does not answer now' /tmp/mk.err"
	rearm "armed with the unreachable ssh target and FAILURE_ACTION=dump-local"
	out "# arming marker: $(tr '\n' ' ' </var/lib/lazy-kdump/armed 2>&1)"
	next fallbackpanicked
	finish PANIC
	;;
fallbackpanicked)
	d=$(newest_dump)
	out "# dump directory: $d"
	check "the dump fell back to /var/crash: saved, fallback=dump-local, the target named" bash -c \
		"grep -qx result=saved '$d/status' && grep -qx fallback=dump-local '$d/status' && grep -qx 'target=ssh://root@192.168.77.1:2222/srv/crash/ssh' '$d/status' && [ -s '$d/vmcore' ]"
	check "... and the reason says the server did not answer (within lazy_kdump.wait=20)" grep -q 'reason=.*the dump server root@192.168.77.1:2222 did not answer within 20 s' "$d/status"
	# The verdict: in the journal (as text: ssh's \r once reached the
	# reason, and journalctl showed the line as a blob), and in status
	# (from /var/lib/lazy-kdump/previous-boot).
	out "# this boot: $(cat /proc/sys/kernel/random/boot_id); previous-boot: $(tr '\n' ' ' </var/lib/lazy-kdump/previous-boot 2>&1 | cut -c1-300)"
	check "the service's journal gives the verdict as text: the local dump and why the server was out of reach" bash -c \
		"journalctl -b -u lazy-kdump.service --no-pager | grep -q 'The previous boot panicked; its capture: $d, result saved: .*did not answer' || { journalctl -b -u lazy-kdump.service --no-pager | grep -i -e 'previous boot' -e blob; exit 1; }"
	check "lazy-kdump status gives the next boot's verdict: the local dump and why the server was out of reach" bash -c \
		"lazy-kdump status 2>&1 | tr '\n' ' ' | grep -q 'The previous boot panicked; its capture: $d, result saved: .*did not answer'"
	cat "$d/status" >&2
	on_server "systemctl poweroff" >/dev/null 2>&1 || true
	next finished
	finish END
	;;
*)
	nok "unknown phase '$phase'"
	finish END
	;;
esac
