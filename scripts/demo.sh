#!/usr/bin/env bash
# make demo: the whole promise of lazy-kdump in one command.
#
# Boots a Debian kernel in QEMU (TCG, 2 GiB, no crashkernel=), arms kdump
# there with `lazy-kdump load`, shows `lazy-kdump status` and the memory held
# against Debian's static default, panics the guest, lets the crash kernel
# capture the dump onto the guest's disk and reboot, then reads the dump on
# this machine: the tail of the dead kernel's log from the vmcore, and where
# the files are.
#
# Usage: scripts/demo.sh        (make demo runs scripts/install-deps.sh and
#                                builds the tools first)
# Environment:
#   DEMO_SUITE        Debian kernel to boot: trixie (6.12, default: boots
#                     fastest), bookworm (6.1) or trixie-backports (7.x)
#   LAZY_KDUMP_CACHE  download and build cache (default /var/cache/lazy-kdump);
#                     an empty cache works, the first run just takes longer
# Output: one line per step on the terminal; everything else in
# build/demo/demo.log (builds) and build/demo/console.log (the guest's
# console). Results: build/demo/vmcore, build/demo/dmesg.txt,
# build/demo/disk.img (the guest's ext4 disk, /var/crash/...).
# Exit status 0 when the dump was captured and read back, 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

suite=${DEMO_SUITE:-trixie}
out=$top/build/demo
log=$out/demo.log
mkdir -p "$out"
: >"$log"
t_start=$SECONDS

bold='' dim='' red='' green='' plain=''
if [ -t 1 ]; then
	bold=$'\e[1m' dim=$'\e[2m' red=$'\e[31m' green=$'\e[32m' plain=$'\e[0m'
fi
host() { printf '%s[host]%s  %s\n' "$bold" "$plain" "$*"; }
guest() { printf '%s[guest]%s %s\n' "$bold" "$plain" "$*"; }
detail() { printf '%s%s%s\n' "$dim" "$*" "$plain"; }
fail() {
	printf '%s[demo]   FAILED: %s%s\n' "$red" "$*" "$plain" >&2
	exit 1
}
# run WHAT CMD...: CMD with its output in the log; on failure, say WHAT
# failed and show the end of the log.
run() {
	local what=$1
	shift
	echo "### $what: $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		tail -n 15 "$log" | sed 's/^/    /' >&2
		fail "$what (full log: $log)"
	fi
}

[ "$(id -u)" = 0 ] || fail "run as root: building the module uses a chroot, and the cache is in $LAZY_KDUMP_CACHE"
series=$(series_of_suite "$suite") || fail "DEMO_SUITE=$suite: use trixie, bookworm or trixie-backports"

host "lazy-kdump demo: Debian $suite (Linux $series) in QEMU without KVM; build log: $log"

host "fetching the Debian $suite kernel into $LAZY_KDUMP_CACHE (downloaded once)"
run "fetch the $suite kernel (scripts/fetch-kernel.sh)" "$here/fetch-kernel.sh" "$suite"
kdir=$("$here/fetch-kernel.sh" "$suite" 2>>"$log" | tail -n 1)
KVER=''
# shellcheck source=/dev/null
. "$kdir/info"

# The module: rebuilt only when its sources changed.
ko=$out/module/lazy_cma.ko
if [ -f "$ko" ] && [ -z "$(find "$top/module" -newer "$ko" -type f -print -quit)" ] &&
	[ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$KVER" ]; then
	host "lazy_cma.ko for $KVER is up to date ($ko)"
else
	[ -d "$LAZY_KDUMP_CACHE/chroot" ] ||
		host "first run: creating the trixie build chroot in the cache (a few minutes, once)"
	host "building lazy_cma.ko for $KVER (scripts/build-module.sh)"
	run "build lazy_cma.ko (scripts/build-module.sh $suite)" "$here/build-module.sh" "$suite" "$out/module"
fi

host "building lazy-kdump and lazy-cma, static, for the guest (make -C lazy_kdump O=build/demo/static STATIC=1)"
run "build the static userspace" make -C "$top/lazy_kdump" O="$out/static" STATIC=1

mdf=$("$here/fetch-makedumpfile.sh" 2>>"$log") ||
	fail "fetching makedumpfile (scripts/fetch-makedumpfile.sh; log: $log)"
host "makedumpfile for the guest and for reading the dump here: $mdf"

host "building the guest's initrd: busybox, lazy-kdump, the capture script, makedumpfile, /etc/lazy-kdump.conf"
run "build the initrd (tests/vm/mkinitrd.sh)" env PATH="$(dirname "$mdf"):$PATH" \
	"$top/tests/vm/mkinitrd.sh" -k "$ko" -C "$top/tests/vm/lazy-kdump.conf" "$kdir" \
	"$out/initrd.cpio.gz" "$out/static/lazy-cma" "$out/static/lazy-kdump" \
	"$top/dracut/lazy-kdump-capture.sh" "$top/dracut/lazy-kdump-prune.sh"

host "booting Debian $KVER: qemu-system-x86_64 -accel tcg -m 2G, kernel command line without crashkernel=, a fresh 512 MiB ext4 disk"
host "(the guest's console goes to $out/console.log)"
# qemu-run.sh boots the guest (one retry when an early boot hangs), makes
# the disk, and runs the host check when the guest is done; its results
# file fills as the guest writes, so the narration is live.
results=$out/results.tap
rm -f "$results" "$out/vmcore" "$out/dmesg.txt" "$out/vmcore-dmesg.txt"
LAZY_VM_MAKEDUMPFILE=$mdf "$top/tests/vm/qemu-run.sh" -t 300 -d 512M \
	-c "$top/tests/vm/host/check_kdump.sh" -o "$out" \
	"$kdir" "$out/initrd.cpio.gz" demo demo -- -m 2G >"$out/qemu-run.out" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null || true' EXIT

# Follow the results port; print the guest's narration as it comes.
seen=0 t_panic='' t_crash=''
narrate() {
	local lines l n=0
	[ -f "$results" ] || return 0
	mapfile -t lines < <(tr -d '\r' <"$results")
	# A retry starts the file again.
	[ "${#lines[@]}" -ge "$seen" ] || seen=0
	for l in "${lines[@]}"; do
		n=$((n + 1))
		[ "$n" -gt "$seen" ] || continue
		case $l in
		"# demo: "*) guest "${l#\# demo: }" ;;
		"# demo| "*) detail "${l#\# demo| }" ;;
		"# panic at epoch"*) t_panic=$SECONDS ;;
		"LAZYTEST BEGIN demo crash"*) t_crash=$SECONDS ;;
		"not ok"*) printf '%s[guest]%s %s%s%s\n' "$bold" "$plain" "$red" "$l" "$plain" ;;
		esac
	done
	seen=$n
}
said_wait=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$said_wait" = 0 ] && grep -q 'waiting for another QEMU guest' "$out/qemu-run.out" 2>/dev/null; then
		host "another QEMU guest is running on this machine (tests?); waiting for it to finish first"
		said_wait=1
	fi
	narrate
	sleep 0.3
done
narrate
rc=0
wait "$qpid" || rc=$?
trap - EXIT
[ -z "$t_panic" ] || [ -z "$t_crash" ] ||
	host "the crash kernel was up $((t_crash - t_panic)) s after the panic; the capture rebooted the guest $((SECONDS - t_crash)) s later (QEMU exits on reboot)"

if grep -q '^not ok' "$out/qemu-run.out" || [ "$rc" -ne 0 ]; then
	grep '^not ok' "$out/qemu-run.out" | sed 's/^/    /' >&2 || true
	fail "the guest run failed (console: $out/console.log, results: $results, harness: $out/qemu-run.out)"
fi

host "reading the dump from the guest's disk image without mounting it (debugfs), then makedumpfile --dump-dmesg on the vmcore:"
dir=$(sed -n 's/^ok - host: the dump directory is .* (\(.*\))$/\1/p' "$out/qemu-run.out" | head -n 1)
[ -s "$out/vmcore-dmesg.txt" ] || fail "no log read from the vmcore (see $out/qemu-run.out and $out/makedumpfile.log)"
# The tail of the log, from the panic on (the first lines of the oops).
grep -v '^[[:space:]]*$' "$out/vmcore-dmesg.txt" |
	awk '/sysrq: Trigger a crash/ { on = 1 } on && n < 12 { print; n++ } END { if (!on) exit 1 }' |
	sed 's/^/    /' || tail -n 12 "$out/vmcore-dmesg.txt" | sed 's/^/    /'
printf '%s[demo]%s   %sdone in %d s%s: the panicked kernel'\''s memory was saved by a crash kernel armed at run time.\n' \
	"$bold" "$plain" "$green" $((SECONDS - t_start)) "$plain"
echo "         vmcore:    $out/vmcore ($(du -h "$out/vmcore" | cut -f1), read it with crash(8) or makedumpfile)"
echo "         its log:   $out/dmesg.txt (saved by the capture), $out/vmcore-dmesg.txt (read here)"
echo "         disk:      $out/disk.img (ext4; the dump is in /var/crash/${dir:-...})"
echo "         console:   $out/console.log"
