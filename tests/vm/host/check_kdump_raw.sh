#!/usr/bin/env bash
# Host check of the kdump-raw group: the guest's disk image is the raw dump
# device (DUMP_TARGET=raw:/dev/vda). Its header must say the capture saved
# the dump; then the real raw-save (installed into a temporary prefix, run
# as lazy-kdump.service runs it at the next boot, on a copy of the image)
# must turn it into RAW_SAVE_DIR/HOST-DATE/ with a vmcore that the host's
# makedumpfile reads, its panic in the log. TAP lines without numbers.
#
# Usage: tests/vm/host/check_kdump_raw.sh OUTDIR
# Environment: LAZY_VM_DISK (default OUTDIR/disk.img), LAZY_VM_MAKEDUMPFILE.
# Left in OUTDIR: raw-header.txt, raw-save.log, saved/HOST-DATE/.
set -euo pipefail

out=${1:?usage: check_kdump_raw.sh OUTDIR}
disk=${LAZY_VM_DISK:-$out/disk.img}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mdf=${LAZY_VM_MAKEDUMPFILE:-$(command -v makedumpfile || true)}
panic_line='Kernel panic - not syncing: sysrq triggered crash'

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }

if skipped=$(tr -d '\r' <"$out/results.tap" 2>/dev/null | grep -m 1 -E '^ok - t_kdump_raw # SKIP'); then
	echo "ok - host: check of the raw dump # SKIP the guest test skipped: ${skipped#*# SKIP }"
	exit 0
fi
[ -f "$disk" ] || {
	not_ok "host: the guest's disk image $disk exists"
	exit 0
}
head -c 4096 "$disk" | tr -d '\000' >"$out/raw-header.txt"
hv() { sed -n "s/^$1=//p" "$out/raw-header.txt" | head -n 1; }
if [ "$(head -n 1 "$out/raw-header.txt")|$(hv state)|$(hv result)" = "lazy-kdump-raw 1|complete|saved" ]; then
	ok "host: the raw device's header: complete, result=saved (the capture wrote the dump onto the disk)"
else
	not_ok "host: the raw device's header: complete, result=saved"
	diag "$(head -n 20 "$out/raw-header.txt")"
	exit 0
fi
if [ "$(hv dir)" = raw:/dev/vda ] && [ "$(hv retention)" = deferred ]; then
	ok "host: ... dir=raw:/dev/vda, retention=deferred"
else
	not_ok "host: ... dir=raw:/dev/vda, retention=deferred (got dir=$(hv dir) retention=$(hv retention))"
fi
[ -n "$mdf" ] || {
	not_ok "host: makedumpfile is installed (apt-get install makedumpfile)"
	exit 0
}

# The real raw-save, from a temporary install, on a copy of the image.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/prefix
if ! make -s -C "$top" install DESTDIR= PREFIX="$p" SYSCONFDIR="$tmp/etc" \
	UNITDIR="$p/units" DRACUTDIR="$p/dracut" KERNELINSTALLDIR="$p/kernel-install" \
	UDEVRULESDIR="$p/udev" STATEDIR="$tmp/statedir" DKMSSRCDIR="$p/src" DKMS=no \
	O="$tmp/build" >"$tmp/make.log" 2>&1; then
	not_ok "host: make install into a temporary prefix (for raw-save)"
	diag "$(tail -n 5 "$tmp/make.log")"
	exit 0
fi
cp --sparse=always "$disk" "$tmp/raw.img"
rm -rf "${out:?}/saved"
printf 'DUMP_TARGET=raw:/dev/vda\nRAW_SAVE_DIR=%s\n' "$out/saved" >"$tmp/lazy-kdump.conf"
if env PATH="$(dirname "$mdf"):$PATH" LAZY_KDUMP_CONFIG="$tmp/lazy-kdump.conf" \
	LAZY_KDUMP_RAW_FILE="$tmp/raw.img" "$p/lib/lazy-kdump/raw-save" 2>"$out/raw-save.log"; then
	ok "host: raw-save exits 0 ($(tail -n 1 "$out/raw-save.log"))"
else
	not_ok "host: raw-save exits 0"
	diag "$(cat "$out/raw-save.log")"
fi
d=$(find "$out/saved" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1)
if [[ ${d##*/} =~ ^[A-Za-z0-9._-]+-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]; then
	ok "host: raw-save made RAW_SAVE_DIR/HOST-YYYY-mm-dd-HH:MM:SS (${d##*/})"
else
	not_ok "host: raw-save made RAW_SAVE_DIR/HOST-YYYY-mm-dd-HH:MM:SS (got '${d##*/}')"
	exit 0
fi
if grep -qx result=saved "$d/status" && grep -qx raw=raw:/dev/vda "$d/status" &&
	grep -qF "$panic_line" "$d/dmesg.txt" && grep -q 'status (saved): in the header of the raw device' "$d/lazy-kdump.log"; then
	ok "host: ... with status result=saved, dmesg.txt holding the panic, the crash kernel's log"
else
	not_ok "host: ... with status result=saved, dmesg.txt holding the panic, the crash kernel's log"
	diag "$(cat "$d/status" 2>/dev/null)"
fi
if [ -s "$d/vmcore" ] && "$mdf" --dump-dmesg "$d/vmcore" "$out/vmcore-dmesg.txt" >"$out/makedumpfile.log" 2>&1 &&
	grep -qF "$panic_line" "$out/vmcore-dmesg.txt"; then
	ok "host: makedumpfile --dump-dmesg of the saved vmcore shows the panic line ($(stat -c %s "$d/vmcore") bytes)"
else
	not_ok "host: makedumpfile --dump-dmesg of the saved vmcore shows '$panic_line'"
	diag "$(tail -n 5 "$out/makedumpfile.log" 2>/dev/null)"
fi
echo "# metric raw-vmcore-bytes $(stat -c %s "$d/vmcore" 2>/dev/null || echo 0)"
if head -c 4096 "$tmp/raw.img" | tr -d '\000' | grep -qx "saved=$d"; then
	ok "host: the device's header now records where the dump was saved"
else
	not_ok "host: the device's header now records where the dump was saved"
fi
