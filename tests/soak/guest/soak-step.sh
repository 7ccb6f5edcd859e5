#!/bin/bash
# The soak's guest side (tests/soak/full.sh), run at the end of every boot
# by lazy-soak.service. One QEMU process: the guest panics, lazy-kdump's
# crash kernel saves the dump and reboots, lazy-kdump.service arms kdump
# again at boot, and this step runs again, until CYCLES panics were made.
# On ttyS1 (TAP lines without numbers, and for the host):
#   SOAK BOOT cycle=C attempt=A     this boot started the step (C panics so far)
#   SOAK UP C                       kdump is armed (again) after panic C
#   SOAK INFO after=C key=value...  what is armed, memory, boot timings
#   SOAK DUMP cycle=C ok=0|1 ...    the dump of panic C, checked here and
#                                   hard-linked to /var/lib/lazy-soak/dumps/cycle-C
#                                   (the host reads it from the disk image
#                                   at the end: the retention may remove
#                                   the dump directory itself)
#   SOAK PANIC C+1 guest_time=T     about to panic
#   SOAK END cycles=C               done (or why=...): power off
# The same lines go to the console (/dev/console, as "lazy-soak: ..."), so
# that the host can order them with the kernel's and the capture's lines.
# State in /var/lib/lazy-soak: cycles (wanted), keep (KEEP_DUMPS), cycle
# (panics so far), last-dump (the newest dump directory seen), attempt (the
# QEMU attempt of the last boot: lazysoak.attempt= on the command line),
# redone (a cycle made again after QEMU was restarted).
set -u
dir=/var/lib/lazy-soak
tty=/dev/ttyS1
cycles=$(cat "$dir/cycles")
keep=$(cat "$dir/keep")
cycle=$(cat "$dir/cycle" 2>/dev/null || echo 0)
last=$(cat "$dir/last-dump" 2>/dev/null || true)
panic_line='Kernel panic - not syncing: sysrq triggered crash'
attempt=$(sed -n 's/.*lazysoak\.attempt=\([0-9]*\).*/\1/p' /proc/cmdline)
attempt=${attempt:-1}
prev_attempt=$(cat "$dir/attempt" 2>/dev/null || echo 1)
echo "$attempt" >"$dir/attempt"

out() {
	printf '%s\n' "$*" >"$tty"
	printf 'lazy-soak: %s\n' "$*" >/dev/console
}
mono() { cut -d' ' -f1 /proc/uptime; }
usecs_to_s() { awk -v us="${1:-0}" 'BEGIN { printf "%.2f", us / 1000000 }'; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
finish() {
	out "SOAK END cycles=$cycle${1:+ why=$1}"
	sync
	systemctl poweroff
	exit 0
}
# dumps: the dump directories in /var/crash (the names the capture script
# gives them, the ones the retention counts), oldest first.
dumps() {
	local d
	for d in /var/crash/*-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*; do
		[ -d "$d" ] && printf '%s\n' "${d##*/}"
	done | sed 's/^\(.*\)\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9:]\{8\}.*\)$/\2 \1\2/' | sort | cut -d' ' -f2
}
armed() {
	[ "$(cat /sys/kernel/kexec_crash_loaded 2>/dev/null)" = 1 ] && lazy-kdump status >/dev/null 2>&1
}
what() { if [ "$cycle" = 0 ]; then echo "first boot"; else echo "cycle $cycle"; fi; }

out "SOAK BOOT cycle=$cycle attempt=$attempt"
(while sleep 30; do printf '# alive %s\n' "$(mono)" >"$tty"; done) &
alive=$!
# The first boot builds the capture initrd (dracut under TCG: minutes).
limit=600
[ "$cycle" != 0 ] || limit=1500
waited=0
until armed; do
	if [ "$waited" -ge $((limit * 5)) ]; then
		out "not ok - $(what): kdump is armed after the boot (not within $limit s)"
		systemctl status --no-pager lazy-kdump.service 2>&1 | sed 's/^/#   /' >"$tty"
		kill "$alive" 2>/dev/null
		finish not-armed
	fi
	sleep 0.2
	waited=$((waited + 1))
done
out "SOAK UP $cycle"
st=$(lazy-kdump status 2>&1)
svc=$(systemctl is-active lazy-kdump.service)
case $svc:$st in
active:*"kdump: armed"*)
	out "ok - $(what): armed again by lazy-kdump.service (status armed, kexec_crash_loaded 1)" ;;
*)
	out "not ok - $(what): armed again by lazy-kdump.service (service $svc, status: $(printf '%s' "$st" | head -n 3 | tr '\n' '|'))" ;;
esac
kver=$(uname -r)
armed_us=$(systemctl show -P ActiveEnterTimestampMonotonic lazy-kdump.service)
multiuser_us=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)
region=$(sed -n 's/^main_len=//p' /run/lazy-kdump/state 2>/dev/null)
out "SOAK INFO after=$cycle kernel=$kver crash_size=$(cat /sys/kernel/kexec_crash_size)" \
	"region_len=${region:-0} mem_total_kb=$(meminfo MemTotal) mem_avail_kb=$(meminfo MemAvailable)" \
	"mem_free_kb=$(meminfo MemFree) boot_to_armed_s=$(usecs_to_s "$armed_us")" \
	"boot_to_multiuser_s=$(usecs_to_s "$multiuser_us") up_at_s=$(mono)" \
	"initrd_bytes=$(stat -c %s "/var/lib/lazy-kdump/initrd-$kver.img" 2>/dev/null || echo 0)"
[ "$cycle" != 0 ] || lazy-kdump status >&2

# The dump of the last panic.
if [ "$cycle" -gt 0 ]; then
	newest=$(dumps | tail -n 1)
	if [ -z "$newest" ] || [ "$newest" = "$last" ]; then
		if [ "$attempt" != "$prev_attempt" ] && [ "$(cat "$dir/redone" 2>/dev/null)" != "$cycle" ]; then
			# QEMU was restarted (a hung guest): the panic of this cycle
			# did not get its capture; make the cycle again, once.
			out "# cycle $cycle: no new dump after QEMU was restarted (attempt $attempt): cycle $cycle again"
			echo "$cycle" >"$dir/redone"
			cycle=$((cycle - 1))
			echo "$cycle" >"$dir/cycle"
		else
			out "not ok - cycle $cycle: the capture wrote a new dump directory in /var/crash (newest: '${newest:-none}', the last cycle's: '${last:-none}')"
			out "SOAK DUMP cycle=$cycle ok=0 why=no-new-dump count=$(dumps | wc -l) file=none bytes=0"
		fi
	else
		d=/var/crash/$newest
		why=''
		[ -s "$d/vmcore" ] || why="$why no-vmcore"
		[ ! -e "$d/vmcore.incomplete" ] || why="$why vmcore.incomplete-left"
		grep -qx 'result=saved' "$d/status" 2>/dev/null || why="$why status-not-saved"
		grep -qF "$panic_line" "$d/dmesg.txt" 2>/dev/null || why="$why no-panic-in-dmesg.txt"
		bytes=$(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)
		if [ -z "$why" ]; then
			out "ok - cycle $cycle: the dump $newest is complete (vmcore $bytes bytes, status result=saved, the panic in dmesg.txt)"
		else
			out "not ok - cycle $cycle: the dump $newest is complete ($why)"
			find "$d" -maxdepth 1 -printf '#   %f %s\n' >"$tty"
		fi
		keepdir=$dir/dumps/cycle-$cycle
		rm -rf "$keepdir"
		mkdir -p "$keepdir"
		for f in vmcore dmesg.txt status lazy-kdump.log; do
			[ ! -e "$d/$f" ] || ln "$d/$f" "$keepdir/$f"
		done
		removed=$(grep -c 'removed the old dump' "$d/lazy-kdump.log" 2>/dev/null)
		echo "$newest" >"$dir/last-dump"
		n=$(dumps | wc -l)
		if [ "$keep" = 0 ] || [ "$n" -le "$keep" ]; then
			out "ok - cycle $cycle: at most KEEP_DUMPS=$keep dumps in /var/crash ($n; the capture log says it removed ${removed:-0} old dump(s))"
		else
			out "not ok - cycle $cycle: at most KEEP_DUMPS=$keep dumps in /var/crash (found $n; the capture log says it removed ${removed:-0} old dump(s))"
		fi
		out "SOAK DUMP cycle=$cycle ok=$([ -z "$why" ] && echo 1 || echo 0)${why:+ why=${why# }} dir=$newest" \
			"count=$n removed=${removed:-0} file=$keepdir/vmcore bytes=$bytes"
	fi
	sync
fi

kill "$alive" 2>/dev/null
[ "$cycle" -lt "$cycles" ] || finish
cycle=$((cycle + 1))
echo "$cycle" >"$dir/cycle"
sync
out "SOAK PANIC $cycle guest_time=$(date +%s.%N)"
sleep 0.5
echo c >/proc/sysrq-trigger
