#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The service's helper scripts on the host, installed by `make install`
# into a temporary prefix, with a fake systemctl that answers from files
# and logs what it was asked:
#   no-other-kdump  steps aside for an active or enabled kdump-tools or
#                   kdump-utils, not for kdump-tools with USE_KDUMP=0
#   rearm           reloads lazy-kdump.service only when it is active and
#                   the config, kernel or initrd changed after arming
#   memhp           re-arms on memory hot-plug only where the kernel does not
#                   update a loaded crash kernel (crash_hotplug), only when
#                   lazy-kdump armed it: a queued reload under systemd,
#                   lazy-kdump reload without
#   kernel-hook     does nothing when the service is not enabled; builds
#                   nothing in a chroot; removes a kernel's initrd
# The full-system test runs them for real (tests/full/).
#
# Usage: test-service-scripts.sh TOP
set -euo pipefail

top=$(realpath "${1:?usage: test-service-scripts.sh TOP}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do printf '#   %s\n' "$l"; done
}
expect() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc" "failed: $*" "stderr: $(tr '\n' '|' <"$tmp/err" 2>/dev/null)" "systemctl: $(tr '\n' '|' <"$tmp/calls" 2>/dev/null)"; fi
}

p=$tmp/prefix
if ! make -s -C "$top" install DESTDIR= PREFIX="$p" SYSCONFDIR="$tmp/etc" \
	UNITDIR="$p/units" DRACUTDIR="$p/dracut" KERNELINSTALLDIR="$p/kernel-install" \
	UDEVRULESDIR="$p/udev" STATEDIR="$tmp/statedir" \
	DKMSSRCDIR="$p/src" DKMS=no O="$tmp/build" >"$tmp/make.log" 2>&1; then
	fail "make install into a temporary prefix" "$(tail -n 5 "$tmp/make.log" | tr '\n' '|')"
	echo "1..$n"
	exit 0
fi
lib=$p/lib/lazy-kdump

# The fake systemctl: $tmp/sd/UNIT.active and UNIT.enabled hold the answers.
mkdir -p "$tmp/bin" "$tmp/sd"
cat >"$tmp/bin/systemctl" <<'FAKE'
#!/bin/sh
echo "$*" >>"$FAKE_SD/../calls"
q=''
[ "$1" = -q ] && q=1 && shift
case $1 in
show) [ "$2" = -P ] && cat "$FAKE_SD/$4.active" 2>/dev/null || echo inactive ;;
is-enabled)
	e=$(cat "$FAKE_SD/$2.enabled" 2>/dev/null || echo disabled)
	[ -n "$q" ] || echo "$e"
	[ "$e" = enabled ]
	;;
reload) exit 0 ;;
*) exit 0 ;;
esac
FAKE
chmod +x "$tmp/bin/systemctl"
run() { env PATH="$tmp/bin:$PATH" FAKE_SD="$tmp/sd" "$@" 2>"$tmp/err"; }
reset() { rm -f "$tmp/sd"/* "$tmp/calls"; }

# no-other-kdump
reset
expect "no-other-kdump: no other kdump service -> 0" run "$lib/no-other-kdump"
echo active >"$tmp/sd/kdump.service.active"
expect "no-other-kdump: kdump.service (kdump-utils) active -> 1" \
	bash -c "! env PATH='$tmp/bin:$PATH' FAKE_SD='$tmp/sd' '$lib/no-other-kdump' 2>'$tmp/err'"
expect "... saying what to do" grep -q 'kdump.service is active: not arming.*systemctl disable --now kdump.service' "$tmp/err"
reset
echo enabled >"$tmp/sd/kdump-tools.service.enabled"
expect "no-other-kdump: kdump-tools.service enabled (starts later at boot) -> 1" \
	bash -c "! env PATH='$tmp/bin:$PATH' FAKE_SD='$tmp/sd' '$lib/no-other-kdump' 2>'$tmp/err'"
echo 'USE_KDUMP=0' >"$tmp/kdump-tools"
expect "no-other-kdump: kdump-tools enabled with USE_KDUMP=0 -> 0" \
	run env LAZY_KDUMP_TOOLS_DEFAULT="$tmp/kdump-tools" "$lib/no-other-kdump"
echo 'USE_KDUMP=1' >"$tmp/kdump-tools"
expect "no-other-kdump: kdump-tools enabled with USE_KDUMP=1 -> 1" \
	bash -c "! env PATH='$tmp/bin:$PATH' FAKE_SD='$tmp/sd' LAZY_KDUMP_TOOLS_DEFAULT='$tmp/kdump-tools' '$lib/no-other-kdump' 2>'$tmp/err'"

# rearm, as if systemd ran (LAZY_KDUMP_SYSTEMD_RUNDIR).
mkdir -p "$tmp/state" "$tmp/sdrun"
touch -d '2020-01-01' "$tmp/kernel" "$tmp/initrd"
printf 'INITRD=%s\n' "$tmp/initrd" >"$tmp/etc/lazy-kdump.conf"
touch -d '2020-01-01' "$tmp/etc/lazy-kdump.conf"
# armed_at a few seconds ahead: the files' ctimes (which touch cannot set)
# are now, and a change in the arming's second counts as a change.
printf 'armed=1\narmed_at=%s\nkernel=%s\ninitrd=%s\n' "$(($(date +%s) + 5))" "$tmp/kernel" "$tmp/initrd" >"$tmp/state/state"
rearm() {
	run env LAZY_KDUMP_STATE_DIR="$tmp/state" LAZY_KDUMP_CONFIG="$tmp/etc/lazy-kdump.conf" \
		LAZY_KDUMP_SYSTEMD_RUNDIR="$1" "$lib/rearm"
}
reset
rearm "$tmp/none"
expect "rearm: no running systemd -> systemctl is not asked" test ! -e "$tmp/calls"
reset
rearm "$tmp/sdrun"
expect "rearm: service inactive -> no reload" bash -c "[ -e '$tmp/calls' ] && ! grep -q '^reload' '$tmp/calls'"
echo active >"$tmp/sd/lazy-kdump.service.active"
reset
echo active >"$tmp/sd/lazy-kdump.service.active"
rearm "$tmp/sdrun"
expect "rearm: active, nothing changed since arming -> no reload" bash -c "! grep -q '^reload' '$tmp/calls'"
# The config changed before arming, the initrd after it. File times are
# set, not taken from the clock (file times come from a coarse clock that
# can lag date(1) by a few milliseconds); armed_at is ahead of the ctimes.
armed=$(($(date +%s) + 5))
touch -d "@$((armed - 1))" "$tmp/etc/lazy-kdump.conf"
printf 'armed=1\narmed_at=%s\nkernel=%s\ninitrd=%s\n' "$armed" "$tmp/kernel" "$tmp/initrd" >"$tmp/state/state"
touch -d "@$((armed + 10))" "$tmp/initrd"
reset
echo active >"$tmp/sd/lazy-kdump.service.active"
rearm "$tmp/sdrun"
expect "rearm: the initrd changed after arming -> reload" grep -qx 'reload lazy-kdump.service' "$tmp/calls"
expect "... saying why" grep -q "$tmp/initrd changed after kdump was armed: re-arming" "$tmp/err"
# A change in the arming's own second (armed_at is when the arming began,
# in whole seconds): it may have come after the files were read.
touch -d "@$((armed - 1))" "$tmp/initrd"
touch -d "@$armed" "$tmp/etc/lazy-kdump.conf"
reset
echo active >"$tmp/sd/lazy-kdump.service.active"
rearm "$tmp/sdrun"
expect "rearm: the config changed in the arming's second -> reload" grep -qx 'reload lazy-kdump.service' "$tmp/calls"
expect "... saying why" grep -q "$tmp/etc/lazy-kdump.conf changed after kdump was armed: re-arming" "$tmp/err"
touch -d "@$((armed - 1))" "$tmp/etc/lazy-kdump.conf"
reset
echo reloading >"$tmp/sd/lazy-kdump.service.active"
rearm "$tmp/sdrun"
expect "rearm: while the service reloads -> nothing (that run picks the change up)" bash -c "! grep -q '^reload' '$tmp/calls'"

# memhp, with a fake /sys and a fake lazy-kdump that logs its arguments.
fs=$tmp/sys
mkdir -p "$fs/devices/system/memory" "$fs/kernel" "$tmp/hpstate"
printf '#!/bin/sh\necho "lazy-kdump $*" >>"%s"\n' "$tmp/calls" >"$tmp/bin/lazy-kdump"
chmod +x "$tmp/bin/lazy-kdump"
memhp() {
	run env LAZY_KDUMP_SYSFS="$fs" LAZY_KDUMP_STATE_DIR="$tmp/hpstate" \
		LAZY_KDUMP="$tmp/bin/lazy-kdump" LAZY_KDUMP_SYSTEMD_RUNDIR="$1" \
		ACTION=online DEVPATH=/devices/system/memory/memory40 "$lib/memhp"
}
echo 1 >"$fs/kernel/kexec_crash_loaded"
echo armed=1 >"$tmp/hpstate/state"
echo 1 >"$fs/devices/system/memory/crash_hotplug"
reset
echo active >"$tmp/sd/lazy-kdump.service.active"
memhp "$tmp/sdrun"
expect "memhp: the kernel updates the crash kernel itself (crash_hotplug 1) -> nothing" test ! -e "$tmp/calls"
echo 0 >"$fs/devices/system/memory/crash_hotplug"
reset
echo active >"$tmp/sd/lazy-kdump.service.active"
memhp "$tmp/sdrun"
expect "memhp: crash_hotplug 0, armed, systemd -> a queued reload" grep -qx -- '--no-block reload lazy-kdump.service' "$tmp/calls"
expect "... saying why" grep -q 'memory online (memory40) and this kernel does not update the loaded crash kernel: re-arming' "$tmp/err"
rm "$fs/devices/system/memory/crash_hotplug"
reset
memhp "$tmp/none"
expect "memhp: no crash_hotplug (6.1), armed, no systemd -> lazy-kdump reload" grep -qx 'lazy-kdump reload' "$tmp/calls"
reset
echo inactive >"$tmp/sd/lazy-kdump.service.active"
memhp "$tmp/sdrun"
expect "memhp: service inactive -> no reload" bash -c "! grep -q 'reload' '$tmp/calls'"
echo 0 >"$fs/kernel/kexec_crash_loaded"
reset
memhp "$tmp/none"
expect "memhp: nothing loaded -> nothing" test ! -e "$tmp/calls"
echo 1 >"$fs/kernel/kexec_crash_loaded"
rm "$tmp/hpstate/state"
reset
memhp "$tmp/none"
expect "memhp: loaded, but not by lazy-kdump (no state) -> nothing" test ! -e "$tmp/calls"

# kernel-hook
reset
expect "kernel-hook add: service not enabled -> nothing built" run "$lib/kernel-hook" add 9.9.9-test
expect "... only is-enabled was asked" test "$(cat "$tmp/calls")" = "-q is-enabled lazy-kdump.service"
echo enabled >"$tmp/sd/lazy-kdump.service.enabled"
if [ ! -d /run/systemd/system ]; then
	run "$lib/kernel-hook" add 9.9.9-test || true
	expect "kernel-hook add: no running systemd (a chroot, an image) -> says it builds at boot" \
		grep -q 'the capture initrd of 9.9.9-test is built when 9.9.9-test boots' "$tmp/err"
fi
mkdir -p "$tmp/statedir"
: >"$tmp/statedir/initrd-9.9.9-test.img"
: >"$tmp/statedir/initrd-9.9.9-test.img.stack"
: >"$tmp/statedir/initrd-9.9.8-test.img"
run "$lib/kernel-hook" remove 9.9.9-test
expect "kernel-hook remove: that kernel's capture initrd and its stack record go, no other" bash -c \
	"[ ! -e '$tmp/statedir/initrd-9.9.9-test.img' ] && [ ! -e '$tmp/statedir/initrd-9.9.9-test.img.stack' ] && [ -e '$tmp/statedir/initrd-9.9.8-test.img' ]"
expect "kernel-hook: a bad action is refused" bash -c "! env PATH='$tmp/bin:$PATH' FAKE_SD='$tmp/sd' '$lib/kernel-hook' frobnicate 1 2>/dev/null"
expect "postinst.d hook runs kernel-hook add" grep -q "kernel-hook add \"\$1\"" "$tmp/etc/kernel/postinst.d/lazy-kdump"
# shellcheck disable=SC2016 # the literal text of the plugin
expect "kernel-install plugin passes add/remove KVER" grep -q 'kernel-hook "$1" "$2"' "$p/kernel-install/60-lazy-kdump.install"

# raw-save: a dump the installed capture script wrote onto a raw device (a
# file stands for it: LAZY_KDUMP_RAW_FILE) is saved as files in
# RAW_SAVE_DIR, once; KEEP_DUMPS applies there; a capture cut short and a
# failing makedumpfile -R are reported. The fake makedumpfile: --dump-dmesg
# writes the panic line, -F writes "FLAT" + the vmcore + "END", -R copies
# its stdin without the NULs after the stream (FAKE_MDF=rfail: fails).
mkdir -p "$tmp/mdf"
cat >"$tmp/mdf/makedumpfile" <<'EOF'
#!/bin/sh
case $1 in
--dump-dmesg) echo "Kernel panic - not syncing: sysrq triggered crash" >"$3" ;;
-R)
	[ "${FAKE_MDF:-}" != rfail ] || { echo "write_and_check_space: No space left on device" >&2; exit 1; }
	tr -d '\000' >"$2"
	;;
*)
	for a; do src=$a; done
	printf FLAT; cat "$src"; printf END
	;;
esac
EOF
chmod +x "$tmp/mdf/makedumpfile"
printf 'ELF fake vmcore\n' >"$tmp/vmcore"
echo 'lazy_kdump.host=db02' >"$tmp/cmdline"
printf 'DUMP_TARGET=raw:/dev/disk/by-partlabel/crashdump\nRAW_SAVE_DIR=%s\nKEEP_DUMPS=2\nMIN_FREE=0%%\n' "$tmp/rawsave" >"$tmp/raw.conf"
capdir=$p/dracut/99lazy-kdump
# raw_capture FILE: the capture script's raw dump onto FILE.
raw_capture() {
	"$p/sbin/lazy-kdump" --config "$tmp/raw.conf" config --capture >"$tmp/raw-capture.conf"
	rm -rf "$tmp/rawrun"
	env PATH="$tmp/mdf:$PATH" LAZY_KDUMP_CONF="$tmp/raw-capture.conf" LAZY_KDUMP_VMCORE="$tmp/vmcore" \
		LAZY_KDUMP_CMDLINE="$tmp/cmdline" LAZY_KDUMP_RAW_FILE="$1" LAZY_KDUMP_FINAL=none \
		LAZY_KDUMP_RUNDIR="$tmp/rawrun" LAZY_KDUMP_KMSG=0 LAZY_KDUMP_MNT="$tmp/nomnt" \
		sh "$capdir/lazy-kdump-capture.sh" >"$tmp/capture.out" 2>&1 || { cat "$tmp/capture.out" >"$tmp/err"; return 1; }
}
fails() { ! "$@"; }
# rawsave FILE [ENV...]: raw-save with FILE as the device.
rawsave() {
	local f=$1
	shift
	env PATH="$tmp/mdf:$PATH" LAZY_KDUMP_CONFIG="$tmp/raw.conf" LAZY_KDUMP_RAW_FILE="$f" "$@" \
		"$lib/raw-save" 2>"$tmp/err"
}
truncate -s 20M "$tmp/rawdev"
expect "raw-save: nothing on the device -> exit 0, nothing saved" rawsave "$tmp/rawdev"
expect "... and nothing created" test ! -e "$tmp/rawsave"
expect "raw-save: without a raw DUMP_TARGET -> exit 0, quiet" bash -c \
	"env LAZY_KDUMP_CONFIG='$tmp/etc/lazy-kdump.conf' '$lib/raw-save' 2>'$tmp/err' && [ ! -s '$tmp/err' ]"
mkdir -p "$tmp/rawsave/old-2020-01-01-00:00:00" "$tmp/rawsave/old-2020-01-02-00:00:00"
touch "$tmp/rawsave/old-2020-01-01-00:00:00/vmcore" "$tmp/rawsave/old-2020-01-02-00:00:00/vmcore"
expect "raw-save: the capture script writes a raw dump (exit 0)" raw_capture "$tmp/rawdev"
expect "raw-save: after that capture -> exit 0" rawsave "$tmp/rawdev"
rd=$(find "$tmp/rawsave" -mindepth 1 -maxdepth 1 -name 'db02-*' | head -n 1)
expect "raw-save: one dump directory HOST-DATE in RAW_SAVE_DIR, said on stderr" bash -c \
	"[ -n '$rd' ] && grep -q 'was on the raw device $tmp/rawdev: saved in $rd' '$tmp/err'"
{
	printf FLAT
	cat "$tmp/vmcore"
	printf END
} >"$tmp/flat"
expect "raw-save: vmcore is makedumpfile -R of the stream from 16 MiB" cmp -s "$tmp/flat" "$rd/vmcore"
expect "raw-save: dmesg.txt and the capture's log, with raw-save's line" bash -c \
	"grep -q 'sysrq triggered crash' '$rd/dmesg.txt' && grep -q 'status (saved): in the header of the raw device' '$rd/lazy-kdump.log' && grep -q 'raw-save. saved from' '$rd/lazy-kdump.log'"
expect "raw-save: status result=saved, dir=raw:DEVICE, raw=DUMP_TARGET" bash -c \
	"grep -qx result=saved '$rd/status' && grep -qx 'dir=raw:/dev/disk/by-partlabel/crashdump' '$rd/status' && grep -qx 'raw=raw:/dev/disk/by-partlabel/crashdump' '$rd/status'"
expect "raw-save: KEEP_DUMPS=2 applied to RAW_SAVE_DIR before saving (the oldest went)" bash -c \
	"[ ! -e '$tmp/rawsave/old-2020-01-01-00:00:00' ] && [ -e '$tmp/rawsave/old-2020-01-02-00:00:00' ]"
expect "raw-save: the device's header records where it was saved" bash -c \
	"head -c 4096 '$tmp/rawdev' | tr -d '\\000' | grep -qx 'saved=$rd'"
rm -f "${rd:-$tmp/none}/vmcore"
expect "raw-save: a second run saves nothing again" rawsave "$tmp/rawdev"
expect "... (no vmcore written again)" test ! -e "$rd/vmcore"
# A file that cannot be written (dmesg.txt is a directory in the way, as
# a full RAW_SAVE_DIR would fail it): exit 1, the device not marked; then
# saved once the way is clear.
rm -rf "$tmp/rawsave"
raw_capture "$tmp/rawdev" || true
stamp=$(head -c 4096 "$tmp/rawdev" | tr -d '\000' | sed -n 's/^stamp=//p')
mkdir -p "$tmp/rawsave/db02-$stamp/dmesg.txt"
expect "raw-save: dmesg.txt cannot be written -> exit 1" fails rawsave "$tmp/rawdev"
expect "... said, and the device not marked saved" bash -c \
	"grep -q 'could not be saved whole' '$tmp/err' && ! head -c 4096 '$tmp/rawdev' | tr -d '\\000' | grep -q '^saved='"
rmdir "$tmp/rawsave/db02-$stamp/dmesg.txt"
expect "... and the next run saves it" rawsave "$tmp/rawdev"
expect "... whole" bash -c "grep -q 'sysrq triggered crash' '$tmp/rawsave/db02-$stamp/dmesg.txt' && head -c 4096 '$tmp/rawdev' | tr -d '\\000' | grep -q '^saved='"
# A capture cut short: the header still says state=writing.
rm -rf "$tmp/rawsave"
raw_capture "$tmp/rawdev" || true
head -c 4096 "$tmp/rawdev" | tr -d '\000' | sed 's/^state=complete$/state=writing/' >"$tmp/hdr"
dd if="$tmp/hdr" of="$tmp/rawdev" bs=4096 count=1 conv=sync,notrunc 2>/dev/null
expect "raw-save: a capture cut short -> exit 0" rawsave "$tmp/rawdev"
rd=$(find "$tmp/rawsave" -mindepth 1 -maxdepth 1 -name 'db02-*' | head -n 1)
expect "raw-save: ... saved as result=incomplete with the dmesg.txt it wrote, no vmcore" bash -c \
	"grep -qx result=incomplete '$rd/status' && grep -q 'cut short' '$rd/status' && [ -s '$rd/dmesg.txt' ] && [ ! -e '$rd/vmcore' ]"
# makedumpfile -R fails (RAW_SAVE_DIR full): exit 1, said, tried again next time.
rm -rf "$tmp/rawsave"
raw_capture "$tmp/rawdev" || true
expect "raw-save: makedumpfile -R fails -> exit 1" fails rawsave "$tmp/rawdev" FAKE_MDF=rfail
rd=$(find "$tmp/rawsave" -mindepth 1 -maxdepth 1 -name 'db02-*' | head -n 1)
expect "raw-save: ... status result=save-failed with makedumpfile's message and what to do; no vmcore" bash -c \
	"grep -qx result=save-failed '$rd/status' && grep -q 'reason=.*makedumpfile -R could not write it.*No space left on device.*free space there' '$rd/status' && [ ! -e '$rd/vmcore' ] && [ ! -e '$rd/vmcore.incomplete' ]"
expect "raw-save: ... the device is not marked saved: the next run saves it" rawsave "$tmp/rawdev"
expect "... result=saved, vmcore there" bash -c "grep -qx result=saved '$rd/status' && [ -s '$rd/vmcore' ]"

echo "1..$n"
