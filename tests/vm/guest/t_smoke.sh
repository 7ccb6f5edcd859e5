#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness smoke test: the guest is the kernel and machine the host asked for,
# and the initrd's tools run.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

is "$(uname -r)" "$(cat /etc/lazy/kver)" "guest runs the kernel the initrd was built for"
check "/proc/iomem has System RAM" iomem_has ': System RAM$'
cmp_ok "$(zone_pages DMA32 present)" -gt 0 "/proc/zoneinfo: DMA32 zone is populated"

total_kb=$(meminfo MemTotal)
if [ -n "$LAZY_MEM_MB" ]; then
	want_kb=$((LAZY_MEM_MB * 1024))
	cmp_ok "$total_kb" -le "$want_kb" "MemTotal ($total_kb kB) is at most -m ($LAZY_MEM_MB MiB)"
	cmp_ok "$total_kb" -ge $((want_kb * 9 / 10)) "MemTotal ($total_kb kB) is within 10% of -m ($LAZY_MEM_MB MiB)"
else
	skip "MemTotal matches -m" "no lazymem= on the kernel command line"
fi

while read -r m; do
	check "modprobe $m (initrd ships the module and its dependencies)" modprobe "$m" &&
		check "module $m is loaded" test -d "/sys/module/$(echo "$m" | tr - _)"
done </etc/lazy/modules

check "kexec runs (shared libraries complete)" kexec --version
if command -v makedumpfile >/dev/null; then
	check "makedumpfile runs (shared libraries complete)" makedumpfile -v
else
	skip "makedumpfile runs" "not in this initrd"
fi
check "crash initrd and vmlinuz are in /lazy" test -s /lazy/vmlinuz -a -s /lazy/crash-initrd.cpio.gz
