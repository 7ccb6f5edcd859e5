#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# lazy-kdump end to end on a guest booted without crashkernel=: load with
# the auto size (kernel and initrd from /etc/lazy-kdump.conf), status, resize
# up and down (armed after each), panic. crash_kdump.sh runs the capture
# script in the crash kernel onto /dev/vda (a fresh ext4 file system from
# qemu-run.sh -d), which reboots; host/check_kdump.sh reads the dump.
#
# Environment (tests/bench/memory.sh): KDUMP_SIZE=N[M] loads with
# --size N instead of auto (the resizes end back at N: make check-debug);
# KDUMP_NORESIZE=1 skips the resizes;
# KDUMP_DISK_INITRD=1: /dev/vda is a full Debian system's root file system
# (tests/full) and the capture initrd is the one its lazy-kdump built with
# dracut (/var/lib/lazy-kdump/initrd-KVER.img), which then runs in the crash
# kernel instead of crash_kdump.sh (dumping to that root's /var/crash).
# shellcheck source=tap.sh
. /lazy/tests/tap.sh
# shellcheck source=lcma.sh
. /lazy/tests/lcma.sh
# shellcheck source=kdump.sh
. /lazy/tests/kdump.sh

kd_require_disk

hostname lazy-e2e
diag "crash host name: $(hostname)"
files_opt='' root_word=''
if [ "${KDUMP_DISK_INITRD:-0}" = 1 ]; then
	mkdir -p /mnt/sys
	check "mount the full system's root file system /dev/vda" mount -t ext4 /dev/vda /mnt/sys || exit 1
	img=/mnt/sys/var/lib/lazy-kdump/initrd-$(uname -r).img
	check "the full system's capture initrd $img is there" cp "$img" /tmp/capture-initrd.img || exit 1
	# One dump directory after the capture: remove older ones.
	rm -rf /mnt/sys/var/crash/*
	# From the host (KDUMP_ROOT_UUID): busybox's blkid may not print it.
	uuid=${KDUMP_ROOT_UUID:-$(blkid /dev/vda | sed -n 's/.* UUID="\([^"]*\)".*/\1/p')}
	[ -n "$uuid" ] || {
		not_ok "the UUID of the full system's root file system /dev/vda is known (set KDUMP_ROOT_UUID)"
		exit 1
	}
	umount /mnt/sys
	files_opt="--initrd /tmp/capture-initrd.img"
	root_word="root=UUID=$uuid ro "
	diag "capture initrd: $img (dracut), root=UUID=$uuid"
fi
kd_run lazy-kdump status
is "$KD_RC" 3 "status exits 3 before load (not armed)"
# For host/check_kdump.sh, which reads them with jq: status --json before
# and after arming, every key in both (schema_version 1).
diag "status-json not-armed: $(lazy-kdump status --json 2>/dev/null | tr -d '\n')"
# shellcheck disable=SC2086 # options and their values
est_json=$(lazy-kdump estimate $files_opt --json 2>/dev/null)
auto=$(printf '%s\n' "$est_json" | sed -n 's/^ *"total": \([0-9]*\),\{0,1\}$/\1/p')
cmp_ok "${auto:-0}" -gt 0 "estimate --json gives a total ($auto bytes)"
# shellcheck disable=SC2086
diag "$(lazy-kdump estimate $files_opt 2>&1)"
# For tests/bench/memory.sh: the estimate's terms, and System RAM as the
# kernel's crashkernel= ranges see it (memblock: every System RAM range).
# (host/check_kdump.sh reads it with jq too.)
diag "bench-estimate: $(printf '%s' "$est_json" | tr -d '\n')"
diag "bench-system-ram: $(iomem_ranges 'System RAM' | awk '{ s += ("0x" $2) - ("0x" $1) + 1 } END { printf "%.0f", s }')"

size_opt=''
[ -z "${KDUMP_SIZE:-}" ] || size_opt="--size $KDUMP_SIZE"
kd_mark "load start"
t0=$(cut -d' ' -f1 /proc/uptime)
# The host name goes on the crash command line for the capture's directory.
# shellcheck disable=SC2086 # $size_opt is an option and its value
kd_run lazy-kdump load $size_opt $files_opt --append "${root_word}lazy_kdump.host=$(hostname)"
t1=$(cut -d' ' -f1 /proc/uptime)
kd_mark "load end"
if [ "$KD_RC" -eq 0 ]; then
	ok "lazy-kdump load${size_opt:+ $size_opt} (auto size from the files) exits 0"
	diag "$KD_OUT"
else
	not_ok "lazy-kdump load${size_opt:+ $size_opt} exits 0"
	diag "exit status $KD_RC" "$KD_OUT"
	exit 1
fi
diag "load took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (guest uptime $t0 -> $t1)"
if [ -n "${KDUMP_SIZE:-}" ]; then
	want=$(size_bytes "$KDUMP_SIZE")
else
	want=$auto
fi
kd_is_armed "armed: status 0, kexec_crash_loaded 1, crash region of $want bytes in iomem" "$want" || exit 1
is "$(kd_status_json size_auto)" "$([ -n "${KDUMP_SIZE:-}" ] && echo false || echo true)" "status --json records how the size was chosen"
is "$(lcma_json lazy-kdump crash)" true "lazy-cma lists the lazy-kdump buffer, bound"
diag "status-json armed: $(lazy-kdump status --json 2>/dev/null | tr -d '\n')"

if [ "${KDUMP_NORESIZE:-0}" != 1 ]; then
	base=$(kd_status_json region_len)
	up=$((base + (64 << 20)))
	kd_run lazy-kdump resize "$((up >> 20))M"
	is "$KD_RC" 0 "resize +64M to $((up >> 20))M exits 0"
	diag "$KD_OUT"
	kd_is_armed "still armed after growing, region $((up >> 20))M" "$up"
	down=$((base - (8 << 20)))
	kd_run lazy-kdump resize "$((down >> 20))M"
	is "$KD_RC" 0 "resize down to $((down >> 20))M exits 0"
	diag "$KD_OUT"
	kd_is_armed "still armed after shrinking, region $((down >> 20))M" "$down"
	kd_run lazy-kdump resize auto
	is "$KD_RC" 0 "resize auto (back to the estimate) exits 0"
	diag "$KD_OUT"
	kd_is_armed "still armed at the auto size" "$auto" || exit 1
	if [ -n "${KDUMP_SIZE:-}" ]; then
		# The size asked for (the debug kernel's crash kernel needs more
		# than the auto size, which is calibrated on Debian's kernels).
		kd_run lazy-kdump resize "$KDUMP_SIZE"
		is "$KD_RC" 0 "resize back to KDUMP_SIZE=$KDUMP_SIZE exits 0"
		diag "$KD_OUT"
		kd_is_armed "still armed at $KDUMP_SIZE" "$(size_bytes "$KDUMP_SIZE")" || exit 1
	fi

	# reload: a configuration change goes into the region held.
	# (With KDUMP_SIZE, SIZE= too: reload sizes from the configuration.)
	{
		cat /etc/lazy-kdump.conf
		echo 'CMDLINE_APPEND="irqpoll nr_cpus=1 reset_devices lazy_kdump.reloaded=1"'
		[ -z "${KDUMP_SIZE:-}" ] || echo "SIZE=$KDUMP_SIZE"
	} >/tmp/reload.conf
	addr=$(kd_status_json region_addr)
	kd_run env LAZY_KDUMP_CONFIG=/tmp/reload.conf lazy-kdump reload --append "lazy_kdump.host=$(hostname)"
	is "$KD_RC" 0 "reload with an edited configuration exits 0"
	diag "$KD_OUT"
	kd_is_armed "still armed after reload" || exit 1
	is "$(kd_status_json region_addr)" "$addr" "reload kept the region where it was"
	case $(kd_status_json cmdline) in
	*lazy_kdump.reloaded=1*) ok "status shows the reloaded command line" ;;
	*) not_ok "status shows the reloaded command line" ;;
	esac
	kd_refused "reload with a kernel that is not a bzImage: refused, nothing changed" \
		"not a bzImage" "nothing was changed" -- env LAZY_KDUMP_CONFIG=/tmp/reload.conf lazy-kdump reload --kernel /lazy/tests/tap.sh
	kd_is_armed "still armed with the reloaded files" || exit 1
fi

diag "panic at epoch $(date +%s)"
kd_memory_pattern
kd_mark "panic"
if [ "${KDUMP_DISK_INITRD:-0}" = 1 ]; then
	# No /init of ours in the crash kernel: the dracut capture reboots, and
	# QEMU's exit (-no-reboot) ends the group; the host check reads the dump.
	echo "LAZYTEST EXPECT-REBOOT"
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	sync
	echo c >/proc/sysrq-trigger
	sleep 10
	not_ok "echo c > /proc/sysrq-trigger did not crash the kernel"
	exit 1
fi
crash_now
