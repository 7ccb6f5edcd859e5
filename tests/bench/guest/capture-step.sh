#!/bin/bash
# The capture benchmark's guest side (tests/bench/capture.sh), run at the
# end of every boot by capture-bench.service. One QEMU process per tool:
# the guest panics, the tool's crash kernel saves the dump and reboots, and
# this step runs again, until enough dumps were saved. On ttyS1 (the host
# stamps every line as it arrives):
#   BENCH BOOT panics=P good=G      this boot started the step
#   BENCH UP P                      kdump is armed again after panic P
#                                   (P = 0: the first boot)
#   BENCH INFO key=value...         what is armed (sizes, boot timings)
#   BENCH DUMP run=P ok=0|1 ...     the dump of panic P, checked here and
#                                   moved to /var/crash/bench-run-P
#   BENCH PANIC P+1 guest_time=T    about to panic (T: this kernel's clock)
#   BENCH END good=G panics=P       enough dumps: power off
# State in /var/lib/lazy-bench: variant (lazy-kdump or kdump-tools), runs
# (dumps wanted), max-panics, panics and good (counters).
set -u
dir=/var/lib/lazy-bench
tty=/dev/ttyS1
variant=$(cat "$dir/variant")
want=$(cat "$dir/runs")
maxp=$(cat "$dir/max-panics")
panics=$(cat "$dir/panics" 2>/dev/null || echo 0)
good=$(cat "$dir/good" 2>/dev/null || echo 0)

out() {
	printf '%s\n' "$*" >"$tty"
	printf 'capture-bench: %s\n' "$*" >&2
}
mono() { cut -d' ' -f1 /proc/uptime; }
# usecs_to_s US: microseconds (systemd's monotonic stamps) in seconds.
usecs_to_s() { awk -v us="${1:-0}" 'BEGIN { printf "%.2f", us / 1000000 }'; }

case $variant in
lazy-kdump) svc=lazy-kdump.service ;;
kdump-tools) svc=kdump-tools.service ;;
*)
	out "BENCH END good=0 panics=$panics why=unknown-variant-$variant"
	systemctl poweroff
	exit 0
	;;
esac

# armed: the tool says kdump is armed, and the kernel agrees.
armed() {
	[ "$(cat /sys/kernel/kexec_crash_loaded 2>/dev/null)" = 1 ] || return 1
	case $variant in
	lazy-kdump) lazy-kdump status >/dev/null 2>&1 ;;
	kdump-tools) kdump-config status 2>/dev/null | grep -q 'ready to kdump' ;;
	esac
}

out "BENCH BOOT panics=$panics good=$good"
(while sleep 30; do printf '# alive %s\n' "$(mono)" >"$tty"; done) &
alive=$!
waited=0
until armed; do
	if [ "$waited" -ge 9000 ]; then
		out "BENCH END good=$good panics=$panics why=not-armed-after-15-minutes"
		systemctl status --no-pager "$svc" >&2
		systemctl poweroff
		exit 0
	fi
	sleep 0.1
	waited=$((waited + 1))
done
out "BENCH UP $panics"

kver=$(uname -r)
case $variant in
lazy-kdump) initrd=/var/lib/lazy-kdump/initrd-$kver.img ;;
kdump-tools) initrd=/var/lib/kdump/initrd.img-$kver ;;
esac
armed_us=$(systemctl show -P ActiveEnterTimestampMonotonic "$svc")
userspace_us=$(systemctl show -P UserspaceTimestampMonotonic)
multiuser_us=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)
out "BENCH INFO after=$panics kernel=$kver crash_bytes=$(cat /sys/kernel/kexec_crash_size)" \
	"initrd_bytes=$(stat -L -c %s "$initrd" 2>/dev/null || echo 0)" \
	"boot_to_armed_s=$(usecs_to_s "$armed_us") boot_to_userspace_s=$(usecs_to_s "$userspace_us")" \
	"boot_to_multiuser_s=$(usecs_to_s "$multiuser_us") up_at_s=$(mono)"
if [ "$panics" = 0 ]; then
	case $variant in
	lazy-kdump) lazy-kdump status >&2 ;;
	kdump-tools) kdump-config show >&2 ;;
	esac
fi

# The dump of the previous panic, once.
if [ "$panics" -gt 0 ] && [ ! -e "$dir/recorded-$panics" ]; then
	d=$(find /var/crash -mindepth 1 -maxdepth 1 -type d ! -name 'bench-run-*' -printf '%T@ %p\n' 2>/dev/null |
		sort -n | tail -n 1 | cut -d' ' -f2-)
	ok=1 why='' core='' dmesg=''
	if [ -z "$d" ]; then
		ok=0 why=no-dump-directory
	else
		case $variant in
		lazy-kdump)
			core=$d/vmcore dmesg=$d/dmesg.txt
			[ ! -e "$d/vmcore.incomplete" ] || { ok=0 why=vmcore.incomplete-left; }
			grep -qx 'result=saved' "$d/status" 2>/dev/null || { ok=0 why=status-not-saved; }
			;;
		kdump-tools)
			core=$(find "$d" -maxdepth 1 -name 'dump.*' | head -n 1)
			dmesg=$(find "$d" -maxdepth 1 -name 'dmesg.*' | head -n 1)
			[ ! -e "$d/dump-incomplete" ] || { ok=0 why=dump-incomplete-left; }
			;;
		esac
		if [ -z "$core" ] || [ ! -s "$core" ]; then ok=0 why=no-vmcore; fi
		grep -q 'sysrq triggered crash' "$dmesg" 2>/dev/null || { ok=0 why=no-panic-in-dmesg; }
	fi
	if [ -n "$d" ]; then
		mv "$d" "/var/crash/bench-run-$panics"
		core=${core:+/var/crash/bench-run-$panics/${core##*/}}
	fi
	out "BENCH DUMP run=$panics ok=$ok${why:+ why=$why} orig=${d##*/} file=${core:-none}" \
		"bytes=$(stat -c %s "$core" 2>/dev/null || echo 0)" \
		"mtime=$(stat -c %.9Y "$core" 2>/dev/null || echo 0)"
	good=$((good + ok))
	echo "$good" >"$dir/good"
	: >"$dir/recorded-$panics"
	sync
fi

kill "$alive" 2>/dev/null
if [ "$good" -ge "$want" ] || [ "$panics" -ge "$maxp" ]; then
	out "BENCH END good=$good panics=$panics"
	sync
	systemctl poweroff
	exit 0
fi
panics=$((panics + 1))
echo "$panics" >"$dir/panics"
sync
out "BENCH PANIC $panics guest_time=$(date +%s.%N)"
# Let that line leave the UART first (the host times the panic from the
# console, not from this line).
sleep 0.5
echo c >/proc/sysrq-trigger
