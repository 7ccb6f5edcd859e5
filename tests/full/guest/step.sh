#!/bin/bash
# One step of the full-system test, run at the end of every boot by
# lazy-test.service. The phase to run is in /var/lib/lazy-test/phase (the
# host writes the first one); each phase reports TAP on ttyS1 between
#   LAZYTEST BEGIN <phase>  ...  LAZYTEST END <phase> | REBOOT | PANIC
# and leaves the next phase for the next boot:
#   enable       systemctl enable --now lazy-kdump; armed; a config edit
#                re-arms by itself; reboot                       -> rearm
#   rearm        armed again by itself after the reboot; panic   -> panicked
#   panicked     the dump of that panic is complete, armed again; poweroff
#   newkernel    (another kernel installed from the host) armed with it and
#                DKMS's module; /var/crash is a small full file system of its
#                own; panic                                      -> fullpanicked
#   fullpanicked dmesg.txt saved, no vmcore, rebooted; poweroff
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
finish() {
	out "LAZYTEST $1 $phase"
	sleep 1
	case $1 in
	END) systemctl poweroff ;;
	REBOOT) systemctl reboot ;;
	PANIC) echo c >/proc/sysrq-trigger ;;
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

out "LAZYTEST BEGIN $phase"
# A heartbeat on ttyS1 while a step is slow (dracut under TCG): the host
# takes a guest that prints nothing for minutes as hung.
(while sleep 30; do printf '# alive %s\n' "$(mono)" >"$tty"; done) &
out "# kernel $(uname -r), up $(mono) s"
case $phase in
enable)
	kver=$(uname -r)
	img=/var/lib/lazy-kdump/initrd-$kver.img
	# shellcheck disable=SC2016 # expanded by that bash
	check "systemd-analyze verify of the installed units is clean" \
		bash -c 'o=$(systemd-analyze verify --man=no /usr/lib/systemd/system/lazy-kdump.service /usr/lib/systemd/system/lazy-kdump-rearm.path /usr/lib/systemd/system/lazy-kdump-rearm.service 2>&1); rc=$?; echo "$o"; [ $rc = 0 ] && [ -z "$o" ]'
	check "the lazy_cma module was built by DKMS for $kver" \
		bash -c "modinfo -n lazy_cma | grep -q '/updates/dkms/'"
	check "lazy-kdump is not armed before it is enabled" \
		bash -c '! lazy-kdump status >/dev/null 2>&1'
	t0=$(mono)
	check "systemctl enable --now lazy-kdump" systemctl enable --now lazy-kdump.service
	metric enable-now-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	armed_checks
	check "the capture initrd $img was built" test -s "$img"
	metric capture-initrd-bytes "$(stat -c %s "$img" 2>/dev/null || echo 0)"
	lsinitrd "$img" >/tmp/lsinitrd.txt 2>&1
	metric capture-initrd-unpacked-bytes "$(awk '$1 ~ /^-/ { s += $5 } END { print s + 0 }' /tmp/lsinitrd.txt)"
	check "the capture initrd holds makedumpfile, the capture script and unit" \
		bash -c "for f in usr/bin/makedumpfile usr/lib/lazy-kdump/lazy-kdump-capture.sh lazy-kdump-capture.service etc/lazy-kdump-capture.conf; do grep -q \"\$f\" /tmp/lsinitrd.txt || { echo \"no \$f\"; exit 1; }; done"
	check "the capture's settings are lazy-kdump config --capture's copy, not lazy-kdump.conf" bash -c \
		"lsinitrd -f etc/lazy-kdump-capture.conf '$img' | head -n 1 | grep -qx '# lazy-kdump-capture-conf 1' && ! grep -q ' etc/lazy-kdump.conf\$' /tmp/lsinitrd.txt"
	check "the capture unit is enabled in the initrd" \
		grep -q 'initrd.target.wants/lazy-kdump-capture.service' /tmp/lsinitrd.txt
	check "status --json names the capture initrd" \
		bash -c "lazy-kdump status --json | grep -q '\"initrd\": \"$img\"'"
	lazy-kdump status >&2
	lazy-kdump estimate >&2
	metric crash-region-bytes "$(state_value main_len)"

	# A config edit re-arms by itself (lazy-kdump-rearm.path).
	before=$(state_value armed_at)
	before_img=$(stat -c %Y "$img" 2>/dev/null || echo 0)
	sleep 1.1
	t0=$(mono)
	printf '# edited by the full-system test\nSIZE=auto\n' >>/etc/lazy-kdump.conf
	for _ in $(seq 1 300); do
		now=$(state_value armed_at)
		if [ -n "$now" ] && [ "$now" != "$before" ] &&
			[ "$(systemctl is-active lazy-kdump.service)" = active ]; then
			break
		fi
		sleep 1
	done
	check "editing lazy-kdump.conf re-armed kdump (armed_at $before -> $(state_value armed_at))" \
		bash -c "[ -n '$(state_value armed_at)' ] && [ '$(state_value armed_at)' != '$before' ]"
	metric config-rearm-seconds "$(awk -v a="$t0" -v b="$(mono)" 'BEGIN { printf "%.1f", b - a }')"
	check "... after rebuilding the stale capture initrd" \
		bash -c "[ \$(stat -c %Y '$img') -gt $before_img ]"
	armed_checks
	journalctl -b -u lazy-kdump.service -u lazy-kdump-rearm.service --no-pager >&2
	next rearm
	finish REBOOT
	;;
rearm)
	armed_checks
	enter=$(systemctl show -P ActiveEnterTimestampMonotonic lazy-kdump.service)
	metric boot-to-armed-seconds "$(secs_since_boot "$enter")"
	metric userspace-to-armed-seconds "$(secs_since_boot $((enter - $(systemctl show -P UserspaceTimestampMonotonic))))"
	check "lazy-kdump.service ran before basic.target" bash -c \
		"[ $enter -le \$(systemctl show -P ActiveEnterTimestampMonotonic basic.target) ]"
	check "this boot did not rebuild the capture initrd" bash -c \
		"! journalctl -b -u lazy-kdump.service | grep -q 'building /var/lib'"
	check "after a clean reboot: the arming marker is this boot's, no verdict on the previous boot" bash -c \
		"grep -qx \"boot_id=\$(cat /proc/sys/kernel/random/boot_id)\" /var/lib/lazy-kdump/armed && ! lazy-kdump status | grep -q 'previous boot'"
	next panicked
	out "# panicking"
	finish PANIC
	;;
panicked)
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
		"lazy-kdump status | grep -qF 'last dump      $d: saved' && lazy-kdump status | grep -qF 'previous boot  The previous boot panicked'"
	cat "$d/lazy-kdump.log" >&2 2>/dev/null
	armed_checks
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
	check "the retention step ran (status retention=applied)" grep -qx 'retention=applied' "$d/status"
	check "the service's journal names the dump and its result" bash -c \
		"journalctl -b -u lazy-kdump.service | grep -qF 'The previous boot panicked; its capture: $d, result no-space: the dump target is full'"
	cat "$d/lazy-kdump.log" >&2 2>/dev/null
	armed_checks
	next finished
	finish END
	;;
*)
	nok "unknown phase '$phase'"
	finish END
	;;
esac
