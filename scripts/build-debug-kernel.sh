#!/usr/bin/env bash
# Build a small 6.12 kernel with the kernel's bug detectors (KASAN, KFENCE,
# lockdep, DEBUG_VM, DEBUG_LIST, DEBUG_OBJECTS, DEBUG_ATOMIC_SLEEP) from
# Debian's own kernel source, for the debug-kernel tier of the VM tests
# (tests/vm/run.sh debug, make check-debug); with --kcsan, the same kernel
# with the data-race detector KCSAN instead of KASAN (the two exclude each
# other), release suffix -lazykcsan (tests/vm/run.sh kcsan, make
# check-kcsan).
#
# Usage: scripts/build-debug-kernel.sh [--kcsan] [--config-only]
#   --kcsan        KCSAN instead of KASAN (and tracepoints and KUnit, which
#                  the kernel's own KCSAN test module, kcsan_test, needs:
#                  the tier's self-test provokes a data race with it)
#   --config-only  configure and check the configuration, do not build
#
# The source is Debian trixie's linux-source-6.12
# (scripts/fetch-kernel-source.sh trixie), never written to: the build runs
# out of the tree (make O=). The configuration is x86_64_defconfig +
# kvm_guest.config + the fragment below (what the VM test rig, the module
# and lazy-kdump need, and the detectors); every option of the fragment is
# checked in the final .config and a missing one fails the build. Built with
# the host's gcc.
#
# Prints the kernel directory, laid out like scripts/fetch-kernel.sh's so
# that tests/vm/run.sh, mkinitrd.sh, qemu-run.sh and build-module.sh --kdir
# take it as they take a Debian kernel:
#   info      KVER, SUITE=debug (kcsan), VERSION, VMLINUZ, MODDIR, HEADERS
#   root/boot/vmlinuz-KVER, root/lib/modules/KVER (modules_install, depmod),
#   root/usr/src/linux-headers-KVER -> build/ (the O= tree, modules_prepare'd)
#   build.log, config-fragment
# The directory is $LAZY_KDUMP_CACHE/kernels/debug-SOURCEVERSION-HASH (kcsan-...
# with --kcsan), HASH
# taken over the fragment and the compiler's version: a second run with the
# same source, fragment and compiler reuses it without building.
#
# Environment:
#   LAZY_DEBUG_JOBS   make -j (default: nproc)
#   LAZY_KDUMP_CACHE, DEBIAN_MIRROR: see scripts/common.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

config_only=0 flavour=debug
for arg in "$@"; do
	case $arg in
	--config-only) config_only=1 ;;
	--kcsan) flavour=kcsan ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*) die "unknown argument '$arg' (usage: $0 [--kcsan] [--config-only])" ;;
	esac
done

# The fragment: NAME=VALUE a line (y, a number or a quoted string). Every
# line must hold in the final .config. Comments say what needs the option.
FRAGMENT='
# Name the kernel: vermagic, results directory (build/vm-results/KVER).
CONFIG_LOCALVERSION="-lazydebug"
CONFIG_LOCALVERSION_AUTO=n
# No debug info: a third of the build time, and nothing here reads it
# (stack traces use kallsyms, makedumpfile -d 31 uses VMCOREINFO).
CONFIG_DEBUG_INFO_NONE=y
# Small: no hardware the guests do not have and no subsystem that neither
# the rig nor the module uses (no network at all, no cgroups, no tracing):
# the build shares 2 cores with the guests of other runs.
CONFIG_NET=n
CONFIG_DRM=n
CONFIG_SOUND=n
CONFIG_USB_SUPPORT=n
CONFIG_AGP=n
CONFIG_ATA=n
CONFIG_SCSI=n
CONFIG_MD=n
CONFIG_PCCARD=n
CONFIG_HID=n
CONFIG_I2C=n
CONFIG_WATCHDOG=n
CONFIG_EFI=n
CONFIG_IOMMU_SUPPORT=n
CONFIG_X86_MCE=n
CONFIG_SUSPEND=n
CONFIG_HIBERNATION=n
CONFIG_CGROUPS=n
CONFIG_BPF_SYSCALL=n
CONFIG_AUDIT=n
CONFIG_FTRACE=n
CONFIG_PROFILING=n
CONFIG_QUOTA=n
CONFIG_AUTOFS_FS=n
CONFIG_ISO9660_FS=n
CONFIG_VFAT_FS=n
CONFIG_MSDOS_FS=n
CONFIG_SECURITY_SELINUX=n
# The module: kexec_file_load on crash, kprobes, kallsyms, alloc_contig_range.
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_KALLSYMS=y
CONFIG_KALLSYMS_ALL=y
CONFIG_KPROBES=y
CONFIG_KEXEC=y
CONFIG_KEXEC_FILE=y
CONFIG_CRASH_DUMP=y
CONFIG_PROC_VMCORE=y
CONFIG_RELOCATABLE=y
CONFIG_MIGRATION=y
CONFIG_COMPACTION=y
CONFIG_MEMORY_ISOLATION=y
CONFIG_CONTIG_ALLOC=y
CONFIG_SPARSEMEM_VMEMMAP=y
# Hot-plugged DIMMs onlined movable (module, module-high, hotplug groups).
CONFIG_MEMORY_HOTPLUG=y
CONFIG_MEMORY_HOTREMOVE=y
CONFIG_ACPI_HOTPLUG_MEMORY=y
# Two-node guests (-numa).
CONFIG_NUMA=y
CONFIG_X86_64_ACPI_NUMA=y
# The guest /init: devtmpfs, tmpfs, debugfs, sysrq-c, a gzip initrd.
CONFIG_DEVTMPFS=y
CONFIG_TMPFS=y
CONFIG_DEBUG_FS=y
CONFIG_MAGIC_SYSRQ=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_PROC_FS=y
CONFIG_SYSFS=y
# Consoles and disks: two 8250 UARTs, virtio-blk on PCI, ext4 (dump target).
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_EXT4_FS=y
# kdump-lockdown: lockdown=integrity on the command line.
CONFIG_SECURITY=y
CONFIG_SECURITY_LOCKDOWN_LSM=y
# The detectors.
CONFIG_DEBUG_KERNEL=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_KFENCE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_VM=y
CONFIG_DEBUG_LIST=y
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_FREE=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_DEBUG_OBJECTS_WORK=y
CONFIG_DEBUG_OBJECTS_RCU_HEAD=y
CONFIG_DEBUG_OBJECTS_PERCPU_COUNTER=y
CONFIG_DEBUG_OBJECTS_ENABLE_DEFAULT=1
# A self-test of the detectors (debug-selftest group): lkdtm provokes a
# KASAN report on demand.
CONFIG_LKDTM=m
'

# The KCSAN kernel: the same fragment with KASAN's lines out and these in.
# KCSAN_KUNIT_TEST (kcsan_test.ko) needs KUnit and tracepoints (it reads
# its own reports through the console tracepoint): ftrace is on for them.
KCSAN_FRAGMENT='
# KCSAN: sampled watchpoints on every plain access of instrumented code
# (the kernel and lazy_cma.ko); a self-test at boot; reports of races on
# values that changed only (the default), each report once per 3 s.
CONFIG_KCSAN=y
CONFIG_KCSAN_SELFTEST=y
CONFIG_KCSAN_EARLY_ENABLE=y
CONFIG_KUNIT=y
CONFIG_KCSAN_KUNIT_TEST=m
CONFIG_FTRACE=y
'
if [ "$flavour" = kcsan ]; then
	FRAGMENT=$(sed -e 's/^CONFIG_LOCALVERSION="-lazydebug"$/CONFIG_LOCALVERSION="-lazykcsan"/' \
		-e '/^CONFIG_KASAN/d; /^CONFIG_FTRACE=n$/d' <<<"$FRAGMENT")$KCSAN_FRAGMENT
fi
suffix=-lazy$flavour

# fragment_lines: the fragment without comments and blank lines.
fragment_lines() {
	sed '/^#/d; /^$/d' <<<"$FRAGMENT"
}

# apply_fragment CONFIG: set every option of the fragment with scripts/config.
apply_fragment() {
	local conf=$1 name val
	local -a args=()
	while IFS='=' read -r name val; do
		name=${name#CONFIG_}
		case $val in
		y) args+=(--enable "$name") ;;
		n) args+=(--disable "$name") ;;
		m) args+=(--module "$name") ;;
		\"*\") args+=(--set-str "$name" "${val:1:${#val}-2}") ;;
		*) args+=(--set-val "$name" "$val") ;;
		esac
	done < <(fragment_lines)
	"$src/scripts/config" --file "$conf" "${args[@]}"
}

# check_fragment CONFIG: every option of the fragment has its value in
# CONFIG (=n: "is not set"); lists the ones that do not and fails.
check_fragment() {
	local conf=$1 name val bad=0
	while IFS='=' read -r name val; do
		if [ "$val" = n ]; then
			# Off, or absent (its dependencies are off too).
			grep -qE "^$name=" "$conf" || continue
			log "$name should be off, .config has: $(grep -E "^$name=" "$conf" || echo '(nothing)')"
		else
			grep -qxF "$name=$val" "$conf" && continue
			log "$name=$val requested, .config has: $(grep -E "^(# )?${name}[= ]" "$conf" || echo '(nothing: unknown or unmet dependency)')"
		fi
		bad=$((bad + 1))
	done < <(fragment_lines)
	[ "$bad" -eq 0 ] || die "$bad option(s) of the fragment did not survive olddefconfig (see above)"
}

src=$("$here/fetch-kernel-source.sh" trixie | tail -n 1) ||
	die "could not fetch Debian's kernel source (scripts/fetch-kernel-source.sh trixie)"
[ -f "$src/Makefile" ] || die "'$src' is not a kernel source tree"
# .../linux-source-6.12_6.12.118-1/linux-source-6.12
srcver=$(basename "$(dirname "$src")")
srcver=${srcver#linux-source-*_}
command -v gcc >/dev/null || die "gcc is not installed; run scripts/install-deps.sh"
for c in flex bison bc make; do
	command -v "$c" >/dev/null || die "$c is not installed; run scripts/install-deps.sh"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev is not installed; run scripts/install-deps.sh"
[ -e /usr/include/openssl/ssl.h ] || die "libssl-dev is not installed; run scripts/install-deps.sh"

hash=$({ echo "$FRAGMENT"; gcc --version | head -n 1; } | sha256sum | cut -c1-12)
kdir=$LAZY_KDUMP_CACHE/kernels/$flavour-$srcver-$hash
mkdir -p "$LAZY_KDUMP_CACHE/kernels"
# One build per directory at a time; a finished one is reused as it is.
exec 8>"$kdir.lock"
flock 8
if [ -r "$kdir/info" ] && [ "$config_only" = 0 ]; then
	log "reusing $kdir"
	echo "$kdir"
	exit 0
fi

# Not atomic by rename: the O= tree must be built where it stays (its
# generated files name it absolutely). info is written last and marks a
# finished build.
rm -rf "$kdir"
obj=$kdir/build
mkdir -p "$obj"
printf '%s\n' "$FRAGMENT" >"$kdir/config-fragment"
jobs=${LAZY_DEBUG_JOBS:-$(nproc)}
mk() {
	make -C "$src" O="$obj" -j"$jobs" LANG=C LC_ALL=C "$@"
}
start=$SECONDS
log "configuring $srcver in $obj (x86_64_defconfig + kvm_guest.config + fragment)"
{
	mk x86_64_defconfig
	mk kvm_guest.config
	apply_fragment "$obj/.config"
	mk olddefconfig
} >"$kdir/build.log" 2>&1 || die "configuration failed (log: $kdir/build.log)"
check_fragment "$obj/.config"
log "configured: every option of the fragment is set"
if [ "$config_only" = 1 ]; then
	echo "$kdir"
	exit 0
fi

log "building with $(gcc --version | head -n 1), -j$jobs (log: $kdir/build.log)"
mk bzImage modules >>"$kdir/build.log" 2>&1 ||
	{ tail -n 30 "$kdir/build.log" >&2; die "the kernel build failed (log: $kdir/build.log)"; }
# After the build: kernelrelease reads CONFIG_LOCALVERSION from auto.conf.
kver=$(mk -s kernelrelease 2>>"$kdir/build.log") || die "make kernelrelease failed (log: $kdir/build.log)"
case $kver in *"$suffix") ;; *) die "kernel release '$kver' lacks $suffix" ;; esac
root=$kdir/root
mkdir -p "$root/boot" "$root/usr/src"
cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
cp "$obj/.config" "$root/boot/config-$kver"
cp "$obj/System.map" "$root/boot/System.map-$kver"
mk INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 DEPMOD=/bin/true modules_install >>"$kdir/build.log" 2>&1 ||
	die "modules_install failed (log: $kdir/build.log)"
depmod -b "$root" "$kver" || die "depmod failed for $kver"
ln -sfn "$obj" "$root/usr/src/linux-headers-$kver"
ln -sfn "$obj" "$root/lib/modules/$kver/build"
detector=CONFIG_KASAN
[ "$flavour" = debug ] || detector=CONFIG_KCSAN
grep -qx "$detector=y" "$obj/.config" || die "the built .config lost $detector"

cat >"$kdir/info.tmp" <<INFO
KVER='$kver'
SUITE='$flavour'
VERSION='$srcver'
VMLINUZ='boot/vmlinuz-$kver'
MODDIR='lib/modules/$kver'
HEADERS='usr/src/linux-headers-$kver'
INFO
mv "$kdir/info.tmp" "$kdir/info"
log "built $kver in $((SECONDS - start)) s: $kdir"
echo "$kdir"
