# shellcheck shell=dash
# Helpers for the lazy-kdump guest tests; source after tap.sh and lcma.sh.
#
#   kd_require                  skip_all unless lazy-kdump, the capture script
#                               and lazy_cma.ko are in this initrd
#   kd_run CMD...               run CMD; KD_OUT (stdout+stderr), KD_RC
#   kd_status_json FIELD        a number, string or boolean of
#                               `lazy-kdump status --json` (region fields:
#                               region_addr, region_len, region_high;
#                               of the low companion: low_addr, low_len)
#   kd_estimate_json FIELD      a number of `lazy-kdump estimate --json`
#   kd_is_armed DESC [SIZE]     status exits 0 and says armed, kexec_crash_loaded
#                               is 1, kexec_crash_size (+ the companion on
#                               6.12+) and the iomem "Crash
#                               kernel" range match the recorded region (of
#                               SIZE bytes when given); with a low companion
#                               (placement high) iomem has its range too
#   kd_refused DESC PHRASE... CMD...
#                               CMD exits 1 and its message holds every
#                               PHRASE (fixed strings, any case); PHRASEs end
#                               at the argument "--"
#   kd_no_own_buffers DESC      none of lazy-kdump's buffers (lazy-kdump,
#                               -low, -work) is listed by lazy-cma
#   kd_nothing_left DESC        nothing reserved or loaded: status exits 3,
#                               kexec_crash_loaded 0, kexec_crash_size 0, no
#                               "Crash kernel" in /proc/iomem, no lazy_cma
#                               buffer (when the module is loaded)
#   kd_make_unsigned IN OUT     a copy of the bzImage IN without its PE
#                               signature (the security directory entry
#                               zeroed: an unsigned kernel that still boots)
#   kd_capture_initrd OUT CONF  the crash initrd with CONF appended as
#                               /etc/lazy-kdump.conf and its capture copy
#                               (lazy-kdump config --capture) as
#                               /etc/lazy-kdump-capture.conf (a second cpio
#                               archive)
#   kd_mark TEXT                TEXT in the kernel log (console timestamps)
#   kd_memory_pattern           a known pattern in a kernel allocation (a
#                               dentry's external name: slab), announced in
#                               the TAP as its token only ("# kernel-memory
#                               token: T"; the pattern is lkdpat-T-endpat,
#                               so the console's copy is not it):
#                               host/check_kdump.sh finds it in the vmcore
#   kd_capture                  (crash phase) check the crash kernel, announce
#                               LAZYTEST EXPECT-REBOOT and run the capture
#                               script, whose final action ends the guest

KD_OUT='' KD_RC=0

kd_require() {
	command -v lazy-kdump >/dev/null || skip_all "no lazy-kdump in this initrd (not built)"
	[ -f /lazy/lazy_cma.ko ] || skip_all "no lazy_cma.ko in this initrd (module not built for $(uname -r))"
	command -v lazy-kdump-capture.sh >/dev/null || skip_all "no capture script in this initrd"
}

# kd_require_disk: kd_require, a guest booted without crashkernel= and the
# group's disk (/dev/vda: disk=SIZE in tests/vm/groups; KD_DISK_HINT says
# where else it comes from), or skip_all.
kd_require_disk() {
	kd_require
	grep -q 'crashkernel=' /proc/cmdline && skip_all "booted with crashkernel="
	[ -b /dev/vda ] || skip_all "no /dev/vda: ${KD_DISK_HINT:-the group needs disk=SIZE in tests/vm/groups}"
}

kd_run() {
	KD_OUT=$("$@" 2>&1)
	KD_RC=$?
}

kd_status_json() {
	local j
	j=$(lazy-kdump status --json 2>/dev/null)
	case $1 in
	region_addr) echo "$j" | sed -n 's/.*"region": {"addr": "\([^"]*\)".*/\1/p' ;;
	region_len) echo "$j" | sed -n 's/.*"region": {[^}]*"len": \([0-9]*\).*/\1/p' ;;
	region_high) echo "$j" | sed -n 's/.*"region": {[^}]*"high": \([a-z]*\).*/\1/p' ;;
	low_addr) echo "$j" | sed -n 's/.*"low_region": {"addr": "\([^"]*\)".*/\1/p' ;;
	low_len) echo "$j" | sed -n 's/.*"low_region": {[^}]*"len": \([0-9]*\).*/\1/p' ;;
	*) echo "$j" | sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n 1 ;;
	esac
}

kd_estimate_json() {
	lazy-kdump estimate --json 2>/dev/null |
		sed -n "s/^ *\"$1\": \([0-9]*\),\{0,1\}$/\1/p" | head -n 1
}

kd_is_armed() {
	local desc=$1 size=${2:-} len addr low_len low_addr want cs bad=''
	kd_run lazy-kdump status
	[ "$KD_RC" -eq 0 ] || bad="status exited $KD_RC"
	case $KD_OUT in *"kdump: armed"*) ;; *) bad="$bad; status does not say 'kdump: armed'" ;; esac
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || bad="$bad; kexec_crash_loaded is not 1"
	len=$(kd_status_json region_len)
	addr=$(kd_status_json region_addr)
	low_len=$(kd_status_json low_len)
	low_addr=$(kd_status_json low_addr)
	if [ -z "$len" ] || [ -z "$addr" ]; then
		bad="$bad; status --json has no region"
	else
		[ -z "$size" ] || [ "$len" = "$size" ] || bad="$bad; region is $len bytes, not $size"
		# With a low companion 6.1 reports crashk_res alone, later
		# kernels crashk_res + crashk_low_res.
		cs=$(cat /sys/kernel/kexec_crash_size)
		[ "$cs" = "$len" ] || { [ -n "$low_len" ] && [ "$cs" = $((len + low_len)) ]; } ||
			bad="$bad; kexec_crash_size $cs != region $len${low_len:+ (+ low companion $low_len)}"
		# iomem lists by address: the low companion (or split working
		# memory), when any, wherever it lies.
		want=$(printf '%x %x\n' "$((addr))" "$((addr + len - 1))")
		[ -z "$low_len" ] ||
			want=$(printf '%s\n%x %x\n' "$want" "$((low_addr))" "$((low_addr + low_len - 1))")
		want=$(printf '%s\n' "$want" | awk 'NF { printf "%016s %s\n", $1, $2 }' | LC_ALL=C sort |
			awk '{ sub(/^ */, "", $1); printf "%s %s ", $1, $2 }')
		[ "$(iomem_ranges 'Crash kernel' | tr '\n' ' ')" = "$want" ] ||
			bad="$bad; /proc/iomem 'Crash kernel' is '$(iomem_ranges 'Crash kernel' | tr '\n' ' ')', not '$want' (region $addr+$len${low_len:+, low companion $low_addr+$low_len})"
	fi
	if [ -z "$bad" ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "${bad#; }" "$KD_OUT"
	return 1
}

kd_refused() {
	local desc=$1 phrases='' p missing=''
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		phrases="$phrases
$1"
		shift
	done
	[ "${1:-}" = -- ] && shift
	kd_run "$@"
	if [ "$KD_RC" -ne 1 ]; then
		not_ok "$desc"
		diag "command: $*" "exit status $KD_RC, expected 1" "$KD_OUT"
		return 1
	fi
	# Each phrase on its own line of $phrases.
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		printf '%s' "$KD_OUT" | tr '\n' ' ' | grep -qiF -- "$p" || missing="$missing '$p'"
	done <<EOF
$phrases
EOF
	if [ -n "$missing" ]; then
		not_ok "$desc"
		diag "command: $*" "the message lacks:$missing" "$KD_OUT"
		return 1
	fi
	ok "$desc"
	diag "$KD_OUT"
	return 0
}

kd_no_own_buffers() {
	local b
	for b in lazy-kdump lazy-kdump-low lazy-kdump-work; do
		if lcma_present "$b"; then
			not_ok "$1: no buffer '$b' is left"
			diag "$(lazy-cma list)"
		else
			ok "$1: no buffer '$b' is left"
		fi
	done
}

kd_nothing_left() {
	local desc=$1 bad='' n
	kd_run lazy-kdump status
	[ "$KD_RC" -eq 3 ] || bad="status exited $KD_RC, not 3"
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 0 ] || bad="$bad; kexec_crash_loaded is 1"
	[ "$(cat /sys/kernel/kexec_crash_size)" = 0 ] || bad="$bad; kexec_crash_size is $(cat /sys/kernel/kexec_crash_size)"
	[ -z "$(iomem_ranges 'Crash kernel')" ] || bad="$bad; /proc/iomem has 'Crash kernel' $(iomem_ranges 'Crash kernel' | tr '\n' ' ')"
	if [ -e /dev/lazy_cma ]; then
		n=$(lazy-cma list --json | grep -c '"name"')
		[ "$n" -eq 0 ] || bad="$bad; lazy-cma lists $n buffer(s)"
	fi
	if [ -z "$bad" ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "${bad#; }" "$KD_OUT"
	[ ! -e /dev/lazy_cma ] || diag "$(lazy-cma list)"
	return 1
}

kd_make_unsigned() {
	local in=$1 out=$2 pe magic
	cp "$in" "$out" || return 1
	pe=$(od -An -tu4 -j 60 -N 4 "$in" | tr -d ' ')
	magic=$(od -An -tx2 -j $((pe + 24)) -N 2 "$in" | tr -d ' ')
	if [ "$magic" != 020b ]; then
		diag "$in: no PE32+ optional header at $((pe + 24)) (magic '$magic')"
		return 1
	fi
	# PE32+ data directory 4 (certificate table): optional header + 144.
	dd if=/dev/zero of="$out" bs=1 seek=$((pe + 24 + 144)) count=8 conv=notrunc 2>/dev/null
}

kd_capture_initrd() {
	local out=$1 conf=$2 d=/tmp/kd-overlay
	rm -rf "$d"
	mkdir -p "$d/etc"
	printf '%s\n' "$conf" >"$d/etc/lazy-kdump.conf"
	# The capture's settings, as the dracut module writes them.
	lazy-kdump --config "$d/etc/lazy-kdump.conf" config --capture \
		>"$d/etc/lazy-kdump-capture.conf" || return 1
	cp /lazy/crash-initrd.cpio.gz "$out" || return 1
	(cd "$d" && find etc | cpio -o -H newc 2>/dev/null) >>"$out"
}

kd_memory_pattern() {
	local t
	t=$(od -An -tx1 -N 16 /dev/urandom | tr -d ' \n')
	mkdir -p /tmp/kd-pattern
	# 77 characters: longer than any inline dentry name.
	touch "/tmp/kd-pattern/lkdpat-$t-endpat-$t"
	echo "# kernel-memory token: $t"
}

kd_mark() {
	echo "lazy-test: $*" >/dev/kmsg
}

kd_capture() {
	local rc
	is "$LAZY_PHASE" crash "the crash kernel runs its init in the crash phase (elfcorehdr= on its command line)"
	check "/proc/vmcore exists" test -e /proc/vmcore || return 1
	check "the capture script is in the crash initrd" command -v lazy-kdump-capture.sh || return 1
	check "the capture's settings, written by lazy-kdump config --capture, are in the crash initrd" \
		grep -qx '# lazy-kdump-capture-conf 1' /etc/lazy-kdump-capture.conf
	diag "crash kernel: MemTotal $(meminfo MemTotal) kB, command line: $(cat /proc/cmdline)"
	diag "capture starts at crash-kernel uptime $(cut -d' ' -f1 /proc/uptime) s"
	echo "LAZYTEST EXPECT-REBOOT"
	# Everything so far must leave the UART before the reboot.
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	lazy-kdump-capture.sh </dev/null >/dev/console 2>&1
	rc=$?
	not_ok "the capture script returned (exit status $rc) instead of running its final action"
	return 1
}
