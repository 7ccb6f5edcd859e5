#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lazy-kdump command line: help, usage errors (exit 2), estimate on a
# synthetic bzImage and initrd, configuration errors, status exit codes
# (0 armed, 3 not), and the load/unload failure paths that stop before
# kexec_file_load, with fake-lazy-cma.so preloaded as the device. /proc
# and /sys come from a fake tree ($LAZY_KDUMP_SYSROOT). No test reaches a
# real kexec_file_load: every load here fails before it, and unload only
# runs with kexec_crash_loaded 0. TAP output.
#
# Every lazy-kdump here runs with fake-kexec.so preloaded: no test can
# reach the host's kexec_file_load.
#
# Usage: test-kdump-cli.sh LAZY_KDUMP FAKE_SO FAKE_KEXEC_SO LAZY_CMA
#
# shellcheck disable=SC2015 # "cond && pass || fail": pass never fails

set -euo pipefail

LK_BIN=$(realpath "${1:?usage: test-kdump-cli.sh LAZY_KDUMP FAKE_SO FAKE_KEXEC_SO LAZY_CMA}")
FAKE_SO=$(realpath "${2:?missing FAKE_SO}")
FAKE_KEXEC=$(realpath "${3:?missing FAKE_KEXEC_SO}")
LAZY_CMA=$(realpath "${4:?missing LAZY_CMA}")


tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT

# lazy-kdump, always with the fake kexec_file_load.
LK=$tmp/lazy-kdump
# shellcheck disable=SC2016 # expanded by the wrapper, not here
printf '#!/bin/sh\nLD_PRELOAD="${EXTRA_PRELOAD:+$EXTRA_PRELOAD }%s" exec %s "$@"\n' \
	"$FAKE_KEXEC" "$LK_BIN" >"$LK"
chmod +x "$LK"
export FAKE_KEXEC_LOG=$tmp/kexec.log

n=0
out=
err=
rc=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@" "exit status: $rc" "stdout: $out" "stderr: $err"; do
		printf '#   %s\n' "$line"
	done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

run() {
	set +e
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# expect WHAT RC STDERR_GLOB [STDOUT_GLOB]
expect() {
	local what=$1 want_rc=$2 err_pat=$3 out_pat=${4-*}
	# shellcheck disable=SC2053 # globs on purpose
	if [[ $rc != "$want_rc" ]]; then
		fail "$what" "want exit status $want_rc"
	elif [[ $err != $err_pat ]]; then
		fail "$what" "stderr does not match: $err_pat"
	elif [[ $out != $out_pat ]]; then
		fail "$what" "stdout does not match: $out_pat"
	else
		pass "$what"
	fi
}

# The keys of status --json, in every state (lazy-kdump(8)).
status_keys='["armed","armed_at","boot_time_reservation","by_lazy_kdump","cmdline","initrd","kernel","kexec_crash_loaded","kexec_crash_size","last_dump","low_region","previous_boot","region","schema_version","size","size_auto","state","working_memory"]'

# status_json WHAT STATE RC [JQ]: status --json exits RC, parses, has every
# key of schema 1, says STATE, and JQ (a jq condition) holds.
status_json() {
	local what=$1 state=$2 want_rc=$3 cond=${4:-true}
	if ! command -v jq >/dev/null; then
		skip "$what" "jq not installed"
		return
	fi
	run lk status --json
	if [[ $rc != "$want_rc" ]]; then
		fail "$what" "want exit status $want_rc"
	elif ! jq -e --argjson keys "$status_keys" --arg state "$state" \
		"keys == \$keys and .schema_version == 1 and .state == \$state and ($cond)" \
		<<<"$out" >/dev/null 2>&1; then
		fail "$what" "want state $state, every key of schema 1 and: $cond"
	else
		pass "$what"
	fi
}

# put FILE OFFSET BYTES...: write hex bytes at OFFSET.
put() {
	local f=$1 off=$2 b s=
	shift 2
	for b in "$@"; do s+="\\x$b"; done
	# shellcheck disable=SC2059 # the escapes are the point
	printf "$s" | dd of="$f" bs=1 seek="$((off))" conv=notrunc status=none
}

# A synthetic bzImage: 2.15, 64-bit, relocatable, init_size 48 MiB.
kernel=$tmp/vmlinuz
export LK_KERNEL=$kernel
head -c 65536 /dev/zero >"$kernel"
put "$kernel" 0x1f1 07
put "$kernel" 0x1f4 00 0f 00 00
put "$kernel" 0x1fe 55 aa
printf 'HdrS' | dd of="$kernel" bs=1 seek=$((0x202)) conv=notrunc status=none
put "$kernel" 0x206 0f 02
put "$kernel" 0x20e 00 04
put "$kernel" 0x211 01
put "$kernel" 0x230 00 00 20 00
put "$kernel" 0x234 01
put "$kernel" 0x236 03 00
put "$kernel" 0x238 ff 07 00 00
put "$kernel" 0x260 00 00 00 03
printf '6.12.99-test (builder) #1 SMP' | dd of="$kernel" bs=1 seek=$((0x600)) conv=notrunc status=none

# A capture initrd: a 100000-byte init, gzip-compressed.
mkdir -p "$tmp/rd"
head -c 100000 /dev/urandom >"$tmp/rd/init"
(cd "$tmp/rd" && echo init | cpio -o -H newc --quiet | gzip -n) >"$tmp/initrd.img"
printf 'garbage!' >"$tmp/garbage.img"

# The fake /proc and /sys.
root=$tmp/root
mkdir -p "$root/proc/sys/kernel" "$root/sys/kernel" "$root/sys/devices/system/cpu"
echo 'BOOT_IMAGE=/vmlinuz-6.12 root=/dev/vda ro quiet crashkernel=256M console=ttyS0 hugepages=64 -- initarg' >"$root/proc/cmdline"
printf '00001000-0009fbff : System RAM\n00100000-7ffdffff : System RAM\n' >"$root/proc/iomem"
printf 'processor\t: 0\napicid\t\t: 3\n\nprocessor\t: 1\napicid\t\t: 5\n' >"$root/proc/cpuinfo"
echo 0-1 >"$root/sys/devices/system/cpu/possible"
printf 'ffffffff82a1c000 D crashk_res\nffffffff82a1c100 D crashk_low_res\nffffffff83000080 B __kexec_lock\n' >"$root/proc/kallsyms"
echo 0 >"$root/sys/kernel/kexec_crash_loaded"
echo 0 >"$root/sys/kernel/kexec_crash_size"

export LAZY_KDUMP_SYSROOT=$root
export LAZY_KDUMP_STATE_DIR=$tmp/state
export LAZY_KDUMP_STATEDIR=$tmp/var
# Never the host's node_exporter directory: load, unload, resize and
# reload write the metrics file here (as root).
export LAZY_KDUMP_METRICS_FILE=$tmp/prom/lazy-kdump.prom
mkdir -p "$tmp/prom"
mkdir -p "$root/proc/sys/kernel/random"
echo 11111111-aaaa-4bbb-8ccc-000000000001 >"$root/proc/sys/kernel/random/boot_id"
export LAZY_KDUMP_CONFIG=
export LAZY_KDUMP_MODPROBE=$tmp/modprobe
cat >"$tmp/modprobe" <<EOS
#!/bin/sh
touch "$tmp/modprobe-ran"
exit 1
EOS
chmod +x "$tmp/modprobe"
nodev=$tmp/no-such-device
: >"$tmp/empty.conf"
lk() { "$LK" --config "$tmp/empty.conf" --device "$nodev" "$@"; }

# ---- help and usage ----
run "$LK" --help
expect "--help" 0 "" "Usage: lazy-kdump *load*unload*resize*reload*status*dumps*estimate*Exit status*3  status: kdump is not armed*"
for v in load unload resize reload status dumps estimate metrics test config; do
	run "$LK" "$v" --help
	expect "$v --help" 0 "" "Usage: lazy-kdump $v*Exit status*"
done
run "$LK" --version
expect "--version" 0 "" "lazy-kdump *"
run "$LK"
expect "no verb" 2 "lazy-kdump: Missing verb.*"
run "$LK" frobnicate
expect "unknown verb" 2 "lazy-kdump: Unknown verb 'frobnicate'.*"
run "$LK" status --kernel /x
expect "an option of another verb" 2 "*Option '--kernel' does not apply to 'status'*"
run "$LK" load --size lots
expect "bad --size" 2 "*Invalid size 'lots'*"
run "$LK" load --placement middle
expect "bad --placement" 2 "*Invalid placement 'middle'*"
run "$LK" load --node -3
expect "bad --node" 2 "*Invalid node '-3'*"
run "$LK" resize 12Q
expect "resize with a bad size" 2 "*Invalid size '12Q'*"
run "$LK" resize 1G 2G
expect "resize with two sizes" 2 "*Too many arguments*"
run "$LK" estimate --bogus
expect "unknown option" 2 "*Unknown option '--bogus'*"

# ---- estimate ----
run lk estimate --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "estimate" 0 "" "*kernel *48.0 MiB*initrd *initrd-unpacked*segments*kernel-runtime*makedumpfile*margin*total*hard minimum*low companion*"
cmd=$(sed -n 's/^Command line: *//p' <<<"$out")
[[ " $cmd " == *" nr_cpus=1 "* && " $cmd " == *" disable_cpu_apicid=3 "* &&
	" $cmd " == *" root=/dev/vda "* && " $cmd " == *" console=ttyS0 "* &&
	" $cmd " != *quiet* && " $cmd " != *crashkernel* && " $cmd " != *BOOT_IMAGE* &&
	" $cmd " != *hugepages* && " $cmd " != *initarg* && " $cmd " != *" -- "* ]] &&
	pass "estimate: the crash command line is filtered and extended" ||
	fail "estimate: the crash command line is filtered and extended" "$cmd"
[[ $out == *"unpacked into tmpfs: 1 entries, 1 files"* ]] &&
	pass "estimate: the initrd was unpacked" || fail "estimate: the initrd was unpacked"

run lk estimate --kernel "$kernel" --initrd "$tmp/initrd.img" --append "nr_cpus=2 extra_word"
cmd=$(sed -n 's/^Command line: *//p' <<<"$out")
[[ $rc == 0 && " $cmd " == *" nr_cpus=2 "* && $cmd != *"nr_cpus=1"* && $cmd == *extra_word* &&
	$cmd != *disable_cpu_apicid* ]] && pass "estimate --append overrides nr_cpus" ||
	fail "estimate --append overrides nr_cpus"

if command -v jq >/dev/null; then
	run lk estimate --kernel "$kernel" --initrd "$tmp/initrd.img" --json
	if [[ $rc == 0 ]] && jq -e '.schema_version == 1 and
	    keys == ["cmdline","hard_minimum","initrd","kernel","kernel_release","low_companion","runtime_fallback","runtime_provisional","runtime_series","schema_version","split_region","split_working_memory","sum","terms","total"] and
	    (.terms | length) == 7 and
	    ([.terms[].bytes] | add) == .sum and .total >= .sum and
	    (.total % 2097152) == 0 and .hard_minimum < .total and
	    .split_region == .hard_minimum + 2097152 and
	    .split_region + .split_working_memory >= .total and
	    .runtime_series == "6.12" and .kernel_release == "6.12.99-test"' \
	    <<<"$out" >/dev/null; then
		pass "estimate --json: schema 1, every key, terms add up"
	else
		fail "estimate --json: schema 1, every key, terms add up"
	fi
else
	skip "estimate --json: schema 1, every key, terms add up" "jq not installed"
fi

run lk estimate --kernel "$kernel" --initrd "$tmp/missing.img"
expect "estimate: missing initrd" 1 "lazy-kdump: Failed to read the capture initrd $tmp/missing.img: No such file or directory.*--initrd*"
run lk estimate --kernel "$kernel" --initrd "$tmp/garbage.img"
expect "estimate: unknown compression" 1 "lazy-kdump: The capture initrd $tmp/garbage.img is not usable: unknown data at offset 0x0: magic bytes 67 61 72 62*"
run lk estimate --kernel "$tmp/initrd.img" --initrd "$tmp/initrd.img"
expect "estimate: not a bzImage" 1 "lazy-kdump: The crash kernel $tmp/initrd.img is not usable: *not a bzImage*"
head -c 30000 "$kernel" >"$tmp/short"
run lk estimate --kernel "$tmp/short" --initrd "$tmp/initrd.img"
expect "estimate: truncated kernel" 1 "*The crash kernel $tmp/short is not usable: truncated*"

# ---- configuration ----
printf 'KERNEL=%s\nINITRD=%s\nCMDLINE_APPEND="irqpoll nr_cpus=1 from_config"\n' "$kernel" "$tmp/initrd.img" >"$tmp/good.conf"
run "$LK" --config "$tmp/good.conf" estimate
[[ $rc == 0 && $out == *from_config* && $out != *reset_devices* ]] &&
	pass "configuration: KERNEL, INITRD and CMDLINE_APPEND are used" ||
	fail "configuration: KERNEL, INITRD and CMDLINE_APPEND are used"
run env LAZY_KDUMP_CONFIG="$tmp/good.conf" "$LK" estimate --initrd "$tmp/garbage.img"
expect "configuration from the environment; options override it" 1 "*$tmp/garbage.img is not usable*"
printf '# ok\nSIZE=96M\nCOLOUR=blue\n' >"$tmp/bad.conf"
run "$LK" --config "$tmp/bad.conf" estimate
expect "configuration: unknown key with file:line" 1 "lazy-kdump: Invalid configuration: $tmp/bad.conf:3: unknown key 'COLOUR'*"
run "$LK" --config "$tmp/nope.conf" estimate
expect "configuration: an explicit missing file" 1 "lazy-kdump: Failed to read the configuration file $tmp/nope.conf: No such file or directory*"

# ---- config: the one parser, and the copies it writes ----
run "$LK" --config "$tmp/good.conf" config
expect "config: the normalised configuration, every key" 0 "" \
	"# *KERNEL=$kernel*INITRD=$tmp/initrd.img*CMDLINE_REMOVE=*CMDLINE_APPEND=irqpoll nr_cpus=1 from_config*SIZE=auto*NODE=any*PLACEMENT=low*DUMP_TARGET=/var/crash*CORE_COLLECTOR=makedumpfile -l -d 31*FINAL_ACTION=reboot*FAILURE_ACTION=final*KEEP_DUMPS=3*MIN_FREE=5%*KDUMP_PRE=*KDUMP_POST=*HOOK_TIMEOUT=60*METRICS_FILE=/var/lib/prometheus/node-exporter/lazy-kdump.prom*LUKS_KEY_FILE=*SSH_KEY=/etc/lazy-kdump/ssh/id_ed25519*NFS_OPTIONS="
[[ $(grep -c '^[A-Z_]*=' <<<"$out") == 22 ]] && pass "config: 22 keys, once each" ||
	fail "config: 22 keys, once each"
run "$LK" --config "$tmp/bad.conf" config
expect "config: an invalid file fails as load would" 1 "lazy-kdump: Invalid configuration: $tmp/bad.conf:3: unknown key 'COLOUR'*" ""
printf "DUMP_TARGET = 'LABEL=dumps:/crash' # here\nFINAL_ACTION=poweroff\nMIN_FREE=2M\nKDUMP_POST='/usr/local/sbin/a /usr/local/sbin/b'\n" >"$tmp/cap.conf"
run "$LK" --config "$tmp/cap.conf" config --capture
expect "config --capture: the magic line, then the capture's nine keys" 0 "" \
	"# lazy-kdump-capture-conf 1
*DUMP_TARGET=LABEL=dumps:/crash
CORE_COLLECTOR=makedumpfile -l -d 31
FINAL_ACTION=poweroff
FAILURE_ACTION=final
KEEP_DUMPS=3
MIN_FREE=2097152
KDUMP_PRE=
KDUMP_POST=/usr/local/sbin/a /usr/local/sbin/b
HOOK_TIMEOUT=60"
run "$LK" --config "$tmp/cap.conf" config --capture --dump-target UUID=12-ab:/var/crash
expect "config --capture --dump-target: the target as the crash kernel sees it" 0 "" \
	"*DUMP_TARGET=UUID=12-ab:/var/crash*"
run "$LK" --config "$tmp/cap.conf" config --dump-target /x
expect "config: --dump-target without --capture" 2 "*--dump-target applies only with --capture*"
run "$LK" --config "$tmp/cap.conf" config --capture --dump-target crash
expect "config: a relative --dump-target" 2 "*Invalid dump target 'crash'*"
run "$LK" --config "$tmp/cap.conf" config extra
expect "config: no arguments" 2 "*Too many arguments*"
printf 'DUMP_TARGET=var/crash\n' >"$tmp/rel.conf"
run "$LK" --config "$tmp/rel.conf" load
expect "load: a relative DUMP_TARGET is refused at arming time" 1 "*$tmp/rel.conf:1: DUMP_TARGET must be an absolute PATH, DEVICE:PATH*"

# The dracut module's and mkinitrd's reader (lazy-kdump-lib.sh) goes
# through lazy-kdump config: values as lazy-kdump means them, its errors.
lib=$(cd "$(dirname "$0")/../.." && pwd)/dracut/99lazy-kdump/lazy-kdump-lib.sh
# shellcheck disable=SC2016 # for the inner shell
libsh='. "$1"; shift; if lkd_conf_load "$1"; then printf "<%s>" "$(lkd_conf_get KERNEL)" "$(lkd_conf_get CMDLINE_APPEND)" "$(lkd_conf_get DUMP_TARGET)"; else printf "error: %s" "$lkd_error"; exit 1; fi'
run env LAZY_KDUMP="$LK" bash -c "$libsh" sh "$lib" "$tmp/good.conf"
expect "lazy-kdump-lib.sh: lkd_conf_get gives lazy-kdump's values" 0 "" \
	"<$kernel><irqpoll nr_cpus=1 from_config></var/crash>"
run env LAZY_KDUMP="$LK" bash -c "$libsh" sh "$lib" "$tmp/no-such.conf"
expect "lazy-kdump-lib.sh: a missing file is the defaults" 0 "" "<><*reset_devices*></var/crash>"
run env LAZY_KDUMP="$LK" bash -c "$libsh" sh "$lib" "$tmp/bad.conf"
expect "lazy-kdump-lib.sh: an invalid file gives lazy-kdump's message" 1 "" \
	"error: Invalid configuration: $tmp/bad.conf:3: unknown key 'COLOUR'*"
# lkd_makedumpfile_check: makedumpfile before 1.7.7 on 6.12 and later.
# shellcheck disable=SC2016 # for the inner shell
mdfsh='. "$1"; if lkd_makedumpfile_check "$2" "$3"; then echo fine; else echo "warn: $lkd_error"; fi'
for c in "6.12.118+deb13-amd64|makedumpfile: version 1.7.6 (released on 23 Oct 2024)|warn: makedumpfile 1.7.6 cannot tell free pages on kernel 6.12.118+deb13-amd64 (6.12 changed the page types; fixed in makedumpfile 1.7.7)*" \
	"7.3.4+deb13-amd64|makedumpfile: version 1.7.6 (released on 23 Oct 2024)|warn: *1.7.7*" \
	"6.1.0-57-amd64|makedumpfile: version 1.7.6 (released on 23 Oct 2024)|fine" \
	"6.1.0-57-amd64|makedumpfile: version 1.7.2 (released on 23 Nov 2022)|fine" \
	"6.12.118+deb13-amd64|makedumpfile: version 1.7.7 (released on 28 Apr 2025)|fine" \
	"6.12.118+deb13-amd64|makedumpfile: version 1.10.0|fine" \
	"6.12.118+deb13-amd64|makedumpfile: something else|fine"; do
	IFS='|' read -r kv vt want <<<"$c"
	run bash -c "$mdfsh" sh "$lib" "$kv" "$vt"
	expect "lazy-kdump-lib.sh: makedumpfile check: kernel $kv, '$vt'" 0 "" "$want"
done
run env LAZY_KDUMP="$tmp/no-such-lazy-kdump" bash -c "$libsh" sh "$lib" "$tmp/good.conf"
expect "lazy-kdump-lib.sh: without lazy-kdump it says so" 1 "" "error: cannot run $tmp/no-such-lazy-kdump*is lazy-kdump installed?"

# lkd_check_stack: the block stack under a dump device (lsblk -s and
# cryptsetup stubbed: the stack of each fake device, a LUKS volume whose
# slot 0 is argon2id with 1 GiB and slot 1 pbkdf2): LVM, MD RAID and LUKS
# are brought up by dracut's modules, LUKS with LUKS_KEY_FILE; the rest is
# refused at arming time.
mkdir -p "$tmp/stub"
cat >"$tmp/stub/lsblk" <<'EOS'
#!/bin/sh
for a; do dev=$a; done
case "$* " in
*PKNAME*)
	case $dev in /dev/sde1 | "$LKD_TEST_BLK"1) echo sde ;; /dev/sd?1 | /dev/vd?1) echo "${dev#/dev/}" | tr -d 1 ;; esac
	exit 0
	;;
esac
case $dev in
/dev/sde1 | "$LKD_TEST_BLK"1) printf 'sde1 part %s \nsde disk /dev/sde sas\n' "$dev" ;;
"$LKD_ROOT_BLK") printf 'vg-root lvm %s\nvda2 part /dev/vda2\nvda disk /dev/vda\n' "$dev" ;;
/dev/mapper/mpe-part1 | "$LKD_TEST_BLK"2) printf 'mpe-part1 part %s \nmpe mpath /dev/mapper/mpe \nsde disk /dev/sde sas\nsdf disk /dev/sdf sas\n' "$dev" ;;
/dev/vda1) printf 'vda1 part /dev/vda1\nvda disk /dev/vda\n' ;;
/dev/mapper/vg-root) printf 'vg-root lvm /dev/mapper/vg-root\nvda2 part /dev/vda2\nvda disk /dev/vda\n' ;;
/dev/md0) printf 'md0 raid1 /dev/md0\nvda1 part /dev/vda1\nvda disk /dev/vda\nvdb1 part /dev/vdb1\nvdb disk /dev/vdb\n' ;;
/dev/mapper/vg-all) printf 'vg-all lvm /dev/mapper/vg-all\ncryptroot crypt /dev/mapper/cryptroot\nmd0 raid1 /dev/md0\nvda disk /dev/vda\nvdb disk /dev/vdb\n' ;;
/dev/mapper/plain) printf 'plain crypt /dev/mapper/plain\nvdc disk /dev/vdc\n' ;;
/dev/mapper/vg-thin) printf 'vg-thin lvm /dev/mapper/vg-thin\nvg-pool-tpool lvm /dev/mapper/vg-pool-tpool\nvg-pool_tmeta lvm /dev/mapper/vg-pool_tmeta\ncryptroot crypt /dev/mapper/cryptroot\nmd0 raid1 /dev/md0\nvda disk /dev/vda\nvdb disk /dev/vdb\nvg-pool_tdata lvm /dev/mapper/vg-pool_tdata\ncryptroot crypt /dev/mapper/cryptroot\nmd0 raid1 /dev/md0\nvda disk /dev/vda\nvdb disk /dev/vdb\n' ;;
/dev/mapper/mp) printf 'mp mpath /dev/mapper/mp\nsda disk /dev/sda\nsdb disk /dev/sdb\n' ;;
/dev/mapper/vg-mp) printf 'vg-mp lvm /dev/mapper/vg-mp\nmp mpath /dev/mapper/mp\nsda disk /dev/sda\nsdb disk /dev/sdb\n' ;;
/dev/sdc1) printf 'sdc1 part /dev/sdc1 \nsdc disk /dev/sdc iscsi\n' ;;
/dev/sdd1) printf 'sdd1 part /dev/sdd1 \nsdd disk /dev/sdd sata\n' ;;
/dev/mapper/lin) printf 'lin dm /dev/mapper/lin\nvdc disk /dev/vdc\n' ;;
esac
EOS
cat >"$tmp/stub/cryptsetup" <<'EOS'
#!/bin/sh
# The LUKS volume is /dev/md0 (a key file holding "good" opens slot 1,
# "argon" slot 0); /dev/vdc is plain dm-crypt.
case $1 in
isLuks) [ "$2" = /dev/md0 ] ;;
luksUUID) echo 0f1e2d3c-aaaa-bbbb-cccc-123456789abc ;;
open)
	for a; do case $prev in --key-file) key=$a ;; esac; prev=$a; done
	case $(cat "$key") in
	good) echo "Key slot 1 unlocked."; echo "Command successful." ;;
	argon) echo "Key slot 0 unlocked."; echo "Command successful." ;;
	*) echo "No key available with this passphrase." >&2; exit 2 ;;
	esac
	;;
luksDump)
	printf 'LUKS header information\nVersion:       \t2\n\nData segments:\n  0: crypt\n\toffset: 16777216 [bytes]\n\nKeyslots:\n'
	printf '  0: luks2\n\tKey:        512 bits\n\tPBKDF:      argon2id\n\tTime cost:  4\n\tMemory:     1048576\n\tThreads:    4\n'
	printf '  1: luks2\n\tKey:        512 bits\n\tPBKDF:      pbkdf2\n\tHash:       sha256\n\tIterations: 1000\n'
	printf 'Tokens:\nDigests:\n  0: pbkdf2\n\tIterations: 1000\n'
	;;
*) exit 1 ;;
esac
EOS
cat >"$tmp/stub/lvs" <<'EOS'
#!/bin/sh
for a; do dev=$a; done
case $dev in
/dev/mapper/vg-root | "$LKD_ROOT_BLK") echo "  vg root" ;;
/dev/mapper/vg-all) echo "  lazyvg all" ;;
/dev/mapper/vg-thin) echo "  vg thin" ;;
/dev/mapper/vg-mp) echo "  vg mp" ;;
/dev/mapper/vg-pool_tmeta) echo "  vg [pool_tmeta]" ;;
*) exit 5 ;;
esac
EOS
cat >"$tmp/stub/mdadm" <<'EOS'
#!/bin/sh
[ "$1 $2 $3" = "--detail --export /dev/md0" ] || exit 1
printf 'MD_LEVEL=raid1\nMD_DEVICES=2\nMD_METADATA=1.2\nMD_UUID=0a1b2c3d:4e5f6071:8293a4b5:c6d7e8f9\nMD_NAME=lazyvm:lazyroot\n'
EOS
# multipath -c: /dev/sde (and sdf) are the paths of the multipath disk mpe.
# shellcheck disable=SC2016 # the stub's own $1 and $2
printf '#!/bin/sh\n[ "$1" != -c ] || case $2 in /dev/sde | /dev/sdf) ;; *) exit 1 ;; esac\n' >"$tmp/stub/multipath"
printf '#!/bin/sh\n' >"$tmp/stub/kpartx"
chmod +x "$tmp/stub/lsblk" "$tmp/stub/cryptsetup" "$tmp/stub/lvs" "$tmp/stub/mdadm" "$tmp/stub/multipath" "$tmp/stub/kpartx"
# The same without multipath and kpartx.
mkdir -p "$tmp/stub-nompath"
cp "$tmp/stub/lsblk" "$tmp/stub-nompath/"
# Where systemd-cryptsetup would be (this host may not have it).
mkdir -p "$tmp/sdutil"
printf '#!/bin/sh\n' >"$tmp/sdutil/systemd-cryptsetup"
chmod +x "$tmp/sdutil/systemd-cryptsetup"
printf good >"$tmp/luks.key"
printf argon >"$tmp/argon.key"
printf bad >"$tmp/bad.key"
printf good >"$tmp/open.key"
chmod 0600 "$tmp/luks.key" "$tmp/argon.key" "$tmp/bad.key"
chmod 0640 "$tmp/open.key"
for k in luks argon bad open; do echo "LUKS_KEY_FILE=$tmp/$k.key" >"$tmp/luks-$k.conf"; done
: >"$tmp/luks-none.conf"
# shellcheck disable=SC2016 # for the inner shell
stacksh='. "$1"; lkd_conf_load "$2" || { echo "config: $lkd_error"; exit 1; }; if lkd_check_stack "$3"; then printf "supported <%s> <%s> <%s>\n" "$lkd_target_dracut" "$lkd_target_cmdline" "$lkd_target_luks"; else echo "refused: $lkd_error"; fi'
for c in "none|/dev/vda1|supported <> <> <>" \
	"none|/dev/mapper/vg-root|supported <lvm> <rd.lvm.lv=vg/root> <>" \
	"none|/dev/md0|supported <mdraid> <rd.md.uuid=0a1b2c3d:4e5f6071:8293a4b5:c6d7e8f9> <>" \
	"luks|/dev/mapper/vg-all|supported <lvm mdraid crypt> <rd.lvm.lv=lazyvg/all rd.md.uuid=0a1b2c3d:4e5f6071:8293a4b5:c6d7e8f9> <cryptroot 0f1e2d3c-aaaa-bbbb-cccc-123456789abc 1
>" \
	"luks|/dev/mapper/vg-thin|supported <lvm mdraid crypt> <rd.lvm.lv=vg/thin rd.md.uuid=0a1b2c3d:4e5f6071:8293a4b5:c6d7e8f9> <cryptroot 0f1e2d3c-aaaa-bbbb-cccc-123456789abc 1
>" \
	"none|/dev/mapper/vg-all|refused: the dump target is on the LUKS volume cryptroot (/dev/md0), and the crash kernel cannot ask for a passphrase: give it a key file of its own in LUKS_KEY_FILE*cryptsetup luksAddKey --pbkdf pbkdf2 /dev/md0 /etc/lazy-kdump/luks.key*" \
	"open|/dev/mapper/vg-all|refused: LUKS_KEY_FILE=$tmp/open.key can be read by users other than its owner (mode 640), and it opens /dev/md0: chmod 0600 $tmp/open.key" \
	"bad|/dev/mapper/vg-all|refused: LUKS_KEY_FILE=$tmp/bad.key does not open the LUKS volume /dev/md0 (cryptroot): add it*cryptsetup: No key available with this passphrase.)" \
	"argon|/dev/mapper/vg-all|refused: key slot 0 of /dev/md0, which LUKS_KEY_FILE=$tmp/argon.key opens, uses argon2 with 1024 MiB of memory*--pbkdf pbkdf2*luksKillSlot /dev/md0 0)" \
	"luks|/dev/mapper/plain|refused: *dm-crypt volume plain, and /dev/vdc has no LUKS header (plain dm-crypt)*" \
	"none|/dev/mapper/mp|supported <multipath> <> <>" \
	"none|/dev/mapper/vg-mp|supported <multipath lvm> <rd.lvm.lv=vg/mp> <>" \
	"none|/dev/sdc1|refused: the dump target is on the iSCSI disk sdc, and its session cannot be found*is it logged in (iscsiadm -m session)?" \
	"none|/dev/sdd1|supported <> <> <>" \
	"none|/dev/mapper/lin|refused: *is on a dm device (lin)*" \
	"none|/dev/sde1|refused: the dump target's device /dev/sde1 is sde1, one path of a multipath disk (multipath -c says so), not the multipath map: multipathd has not made the map*multipath -ll shows the map*" \
	"none|/dev/mapper/mpe-part1|supported <multipath> <> <>"; do
	IFS='|' read -r -d '' k d want <<<"$c" || true
	want=${want%$'\n'}
	run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" LKD_SYSTEMD_UTILDIR="$tmp/sdutil" bash -c "$stacksh" sh "$lib" "$tmp/luks-$k.conf" "$d"
	expect "lazy-kdump-lib.sh: a dump device $d (LUKS_KEY_FILE: $k): ${want%%:*}" 0 "" "$want"
done
# What the capture must mount: the map, the array or the volume, never a
# path or member showing the same file system.
for c in "/dev/mapper/mp dm" "/dev/mapper/vg-root dm" "/dev/md0 md" "/dev/vda1 any"; do
	# shellcheck disable=SC2016 # for the inner shell
	run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" bash -c '. "$1"; lkd_conf_load "$2"; lkd_check_stack "$3"; echo "kind $lkd_target_kind"' \
		sh "$lib" "$tmp/luks-none.conf" "${c% *}"
	expect "lazy-kdump-lib.sh: the capture must mount a device of kind ${c#* } for ${c% *}" 0 "" "kind ${c#* }"
done
# lkd_resolve_target DEVICE:PATH while DEVICE names a path of a multipath
# disk (early at boot, before multipathd made the map): it looks DEVICE up
# again until it names the map, LKD_MPATH_WAIT seconds at most. blkid
# stubbed: the first two lookups find the path, the rest the map's
# partition (two block device nodes made here stand for them).
if mknod "$tmp/blk1" b 7 200 2>/dev/null && mknod "$tmp/blk2" b 7 201 2>/dev/null; then
	cat >"$tmp/stub/blkid" <<'EOS'
#!/bin/sh
case "$*" in
*-t\ UUID=*)
	n=$(cat "$LKD_TEST_BLK.n" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$LKD_TEST_BLK.n"
	if [ "$n" -lt 2 ] || [ -n "${LKD_TEST_NOMAP:-}" ]; then echo "${LKD_TEST_BLK}1"; else echo "${LKD_TEST_BLK}2"; fi
	;;
*-s\ TYPE*) echo ext4 ;;
*) exit 2 ;;
esac
EOS
	printf '#!/bin/sh\nexit 0\n' >"$tmp/stub/udevadm"
	chmod +x "$tmp/stub/blkid" "$tmp/stub/udevadm"
	# The multipath stub knows the paths by their lsblk names only.
	# shellcheck disable=SC2016 # for the inner shell
	resolvesh='. "$1"; lkd_conf_load "$2"; if lkd_resolve_target "UUID=0a0b:/crash"; then echo "on $lkd_target_dev <$lkd_target_dracut> kind $lkd_target_kind after $lkd_mpath_waited s"; else echo "refused: $lkd_error"; fi'
	run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" LKD_TEST_BLK="$tmp/blk" LKD_MPATH_WAIT=10 bash -c "$resolvesh" sh "$lib" "$tmp/luks-none.conf"
	expect "lazy-kdump-lib.sh: a dump device named by a multipath path is looked up again until it names the map" 0 "" \
		"on $tmp/blk2 <multipath> kind any after [1-9] s"
	rm -f "$tmp/blk.n"
	run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" LKD_TEST_BLK="$tmp/blk" LKD_TEST_NOMAP=1 LKD_MPATH_WAIT=2 bash -c "$resolvesh" sh "$lib" "$tmp/luks-none.conf"
	expect "lazy-kdump-lib.sh: ... and refused with the reason when the map does not come" 0 "" \
		"refused: the dump target's device $tmp/blk1 is sde1, one path of a multipath disk* (waited [2-4] s for the map)"
	rm -f "$tmp/stub/blkid" "$tmp/stub/udevadm"
	# lkd_add_root_stack (FAILURE_ACTION=dump-local): the target on the
	# multipath map, the root file system on LVM (findmnt stubbed: / is
	# the block node blk1, which lsblk shows as vg-root on vda2): the
	# modules and what to assemble of both, the target's kind kept.
	cat >"$tmp/stub/findmnt" <<EOS
#!/bin/sh
case "\$*" in
*"-o TARGET"*) echo / ;;
*"-o SOURCE"*) echo "$tmp/blk1" ;;
*"-o FSTYPE"*) echo ext4 ;;
*"-o UUID"*) echo 1111-root ;;
esac
EOS
	chmod +x "$tmp/stub/findmnt"
	# shellcheck disable=SC2016 # for the inner shell
	rootsh='. "$1"; lkd_conf_load "$2"; lkd_check_stack /dev/mapper/mp; lkd_target_spec=UUID=mp:/; lkd_target_dev=/dev/mapper/mp; if lkd_add_root_stack; then echo "<$lkd_target_dracut> <$lkd_target_cmdline> $lkd_target_spec $lkd_target_dev kind $lkd_target_kind root $lkd_root_kind"; else echo "refused: $lkd_error"; fi'
	run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" LKD_ROOT_BLK="$tmp/blk1" bash -c "$rootsh" sh "$lib" "$tmp/luks-none.conf"
	expect "lazy-kdump-lib.sh: dump-local adds the root file system's stack (LVM) to the target's (multipath)" 0 "" \
		"<multipath lvm> <rd.lvm.lv=vg/root> UUID=mp:/ /dev/mapper/mp kind dm root dm"
	# /var/crash on a file system of its own: the fallback dump would be
	# hidden under it after boot.
	cat >"$tmp/stub/findmnt" <<EOS
#!/bin/sh
case "\$*" in
*"-o TARGET --target /var/crash") echo /var ;;
*"-o TARGET"*) echo / ;;
*"-o SOURCE"*) echo "$tmp/blk1" ;;
*"-o FSTYPE"*) echo ext4 ;;
esac
EOS
	run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" LKD_ROOT_BLK="$tmp/blk1" bash -c "$rootsh" sh "$lib" "$tmp/luks-none.conf"
	expect "lazy-kdump-lib.sh: dump-local is refused when /var/crash is not on the root file system" 0 "" \
		"refused: /var/crash here is on the file system mounted on /var, not on the root file system*FAILURE_ACTION=dump-local needs /var/crash on the root file system*"
	rm -f "$tmp/stub/findmnt"
else
	skip "lazy-kdump-lib.sh: a dump device named by a multipath path is looked up again until it names the map" "cannot make block device nodes (not root)"
	skip "lazy-kdump-lib.sh: ... and refused with the reason when the map does not come" "cannot make block device nodes (not root)"
fi
run env PATH="$tmp/stub-nompath:/usr/bin:/bin" LAZY_KDUMP="$LK" bash -c "$stacksh" sh "$lib" "$tmp/luks-none.conf" /dev/mapper/mp
expect "lazy-kdump-lib.sh: multipath without multipath-tools is refused" 0 "" \
	"refused: the dump target's device /dev/mapper/mp is on the multipath map mp, and multipath or kpartx is missing here*apt-get install multipath-tools kpartx"
run env PATH="$tmp/stub:$PATH" LAZY_KDUMP="$LK" LKD_SYSTEMD_UTILDIR="$tmp/nothing" bash -c "$stacksh" sh "$lib" "$tmp/luks-luks.conf" /dev/mapper/vg-all
expect "lazy-kdump-lib.sh: LUKS without systemd-cryptsetup is refused" 0 "" \
	"refused: *opens with systemd-cryptsetup, and that is not installed: apt-get install systemd-cryptsetup*"
# shellcheck disable=SC2016 # for the inner shell
run env PATH="$tmp/nothing" /bin/bash -c '. "$1"; lkd_check_stack /dev/mapper/vg-all && echo "supported <$lkd_target_dracut>"' sh "$lib"
expect "lazy-kdump-lib.sh: without lsblk nothing is checked" 0 "" "supported <>"

# ---- lkd_resolve_net: a dump server, resolved as the crash kernel needs it
# (ip, getent and busybox stubbed; a fake /sys/class/net: LKD_SYSNET).
netstub=$tmp/netstub
mkdir -p "$netstub" "$tmp/sysnet/ens3/device/driver" "$tmp/sysnet/br0" "$tmp/modules/virtio_net"
echo 52:54:00:aa:bb:cc >"$tmp/sysnet/ens3/address"
ln -sfn "$tmp/modules/virtio_net" "$tmp/sysnet/ens3/device/driver/module"
# NET_ROUTE: what 'ip route get' prints; NET_FLAGS: the address's flags.
cat >"$netstub/ip" <<'EOS'
#!/bin/sh
case "$*" in
*"route get"*) [ -n "$NET_ROUTE" ] && echo "$NET_ROUTE" ;;
*"addr show dev"*) echo "${NET_ADDRLINE:-2: ens3    inet 10.1.2.3/24 brd 10.1.2.255 scope global $NET_FLAGS ens3}" ;;
esac
EOS
cat >"$netstub/getent" <<'EOS'
#!/bin/sh
[ "$2" = dumps.example.com ] && echo "198.51.100.9    STREAM dumps.example.com"
exit 0
EOS
# shellcheck disable=SC2016 # the stub's own variable
printf '#!/bin/sh\n[ -n "$NET_BUSYBOX" ] || exit 127\necho "udhcpc"\n' >"$netstub/busybox"
chmod +x "$netstub/ip" "$netstub/getent" "$netstub/busybox"
# shellcheck disable=SC2016 # for the inner shell
netsh='. "$1"; if lkd_resolve_net "$2"; then echo "spec $lkd_target_spec"; echo "$lkd_net_record"; else echo "refused: $lkd_error"; fi'
netrun() {
	run env PATH="$netstub:$PATH" LAZY_KDUMP="$LK" LKD_SYSNET="$tmp/sysnet" LKD_NET_WAIT=1 \
		NET_ROUTE="${NET_ROUTE-198.51.100.9 via 10.1.2.1 dev ens3 src 10.1.2.3 uid 0}" \
		NET_FLAGS="${NET_FLAGS-}" NET_BUSYBOX="${NET_BUSYBOX-1}" bash -c "$netsh" sh "$lib" "$1"
}
netrun ssh://kdump@dumps.example.com:2222/var/crash
expect "lazy-kdump-lib.sh: an ssh server by name: its address now, the card, the route, static" 0 "" \
	"spec ssh://kdump@198.51.100.9:2222/var/crash
ifname=ens3
mac=52:54:00:aa:bb:cc
driver=virtio_net
method=static
address=10.1.2.3/24
gateway=10.1.2.1
server=198.51.100.9
alias=dumps.example.com"
NET_FLAGS="dynamic noprefixroute" NET_ROUTE="192.0.2.5 dev ens3 src 10.1.2.3" netrun nfs://192.0.2.5:/export/crash
expect "lazy-kdump-lib.sh: an NFS server on the link, the address by DHCP: method=dhcp, no gateway" 0 "" \
	"spec nfs://192.0.2.5:/export/crash*method=dhcp*gateway=
server=192.0.2.5*"
NET_FLAGS=dynamic NET_BUSYBOX='' netrun nfs://192.0.2.5:/export/crash
expect "lazy-kdump-lib.sh: DHCP without busybox's udhcpc is refused, saying what to install" 0 "" \
	"refused: *got its address 10.1.2.3/24 by DHCP*install busybox*"
# IPv6: SLAAC (a dynamic /64) is auto6, neither address nor router
# recorded; DHCPv6 (a dynamic /128) and a link-local server are refused.
NET_ROUTE="2001:db8:5::9 from :: via fe80::1 dev ens3 proto ra src 2001:db8:1::5054:ff:feaa:bbcc metric 1024 pref medium" \
	NET_ADDRLINE="2: ens3    inet6 2001:db8:1::5054:ff:feaa:bbcc/64 scope global dynamic mngtmpaddr noprefixroute \       valid_lft 86000sec" \
	netrun 'nfs://[2001:db8:5::9]:/export/crash'
expect "lazy-kdump-lib.sh: an IPv6 server, the address by router advertisements: method=auto6, no address or router recorded" 0 "" \
	"spec nfs://[[]2001:db8:5::9]:/export/crash
ifname=ens3
mac=52:54:00:aa:bb:cc
driver=virtio_net
method=auto6
address=
gateway=
server=2001:db8:5::9
alias=2001:db8:5::9"
NET_ROUTE="2001:db8:5::9 from :: via 2001:db8:1::1 dev ens3 src 2001:db8:1::50 metric 1024 pref medium" \
	NET_ADDRLINE="2: ens3    inet6 2001:db8:1::50/64 scope global \       valid_lft forever" \
	netrun 'ssh://[2001:db8:5::9]/var/crash'
expect "lazy-kdump-lib.sh: an IPv6 server, a static address through a router: recorded as they are" 0 "" \
	"spec ssh://root@[[]2001:db8:5::9]:22/var/crash*method=static
address=2001:db8:1::50/64
gateway=2001:db8:1::1
server=2001:db8:5::9*"
NET_ROUTE="2001:db8:5::9 from :: via fe80::1 dev ens3 proto ra src 2001:db8:1::77 metric 1024 pref medium" \
	NET_ADDRLINE="2: ens3    inet6 2001:db8:1::77/128 scope global dynamic noprefixroute \       valid_lft 3000sec" \
	netrun 'nfs://[2001:db8:5::9]:/export/crash'
expect "lazy-kdump-lib.sh: an IPv6 address by DHCPv6 is refused (no DHCPv6 client in the crash kernel), saying what works" 0 "" \
	"refused: *got its address 2001:db8:1::77/128 by DHCPv6*static IPv6 address or one by router advertisements (SLAAC)*"
NET_ROUTE="2001:db8:5::9 from :: via fe80::1 dev ens3 proto ra src 2001:db8:1::77 metric 1024 pref medium" \
	NET_ADDRLINE="2: ens3    inet6 2001:db8:1::77/128 scope global dynamic noprefixroute \       valid_lft 3000sec
2: ens3    inet6 2001:db8:1::5054:ff:feaa:bbcc/64 scope global dynamic mngtmpaddr noprefixroute \       valid_lft 86000sec" \
	netrun 'nfs://[2001:db8:5::9]:/export/crash'
expect "lazy-kdump-lib.sh: a DHCPv6 address beside a SLAAC one: auto6 (the crash kernel's autoconfiguration gets the SLAAC one)" 0 "" \
	"spec nfs://[[]2001:db8:5::9]:/export/crash*method=auto6*"
netrun 'nfs://[fe80::1]:/export/crash'
expect "lazy-kdump-lib.sh: a link-local IPv6 server is refused: it names no card" 0 "" \
	"refused: *the dump server fe80::1 is an IPv6 link-local address*"
netrun ssh://nowhere.example.com/x
expect "lazy-kdump-lib.sh: a name that does not resolve is refused (no DNS in the crash kernel)" 0 "" \
	"refused: DUMP_TARGET=ssh://nowhere.example.com/x: cannot resolve the dump server nowhere.example.com*"
NET_ROUTE="local 127.0.0.1 dev lo src 127.0.0.1" netrun ssh://127.0.0.1/x
expect "lazy-kdump-lib.sh: a server that is this machine is refused" 0 "" "refused: *is this machine*"
NET_ROUTE="192.0.2.5 dev br0 src 10.1.2.3" netrun nfs://192.0.2.5:/x
expect "lazy-kdump-lib.sh: a server reached through a bridge (no card behind it) is refused" 0 "" \
	"refused: *reached through br0, which is not a network card*"
NET_ROUTE='' netrun nfs://192.0.2.5:/x
expect "lazy-kdump-lib.sh: no route: refused after LKD_NET_WAIT" 0 "" "refused: *no route to the dump server 192.0.2.5 (waited 1 s)*"
netrun 'ssh://h/a b'
expect "lazy-kdump-lib.sh: a malformed URL is refused by lazy-kdump's parser" 0 "" "refused: *Invalid dump target*"
printf 'DUMP_TARGET=ssh://192.0.2.5/x\nSSH_KEY=/root/other\nNFS_OPTIONS=vers=3\n' >"$tmp/net.conf"
# shellcheck disable=SC2016 # for the inner shell
run env PATH="$netstub:$PATH" LAZY_KDUMP="$LK" LKD_SYSNET="$tmp/sysnet" LKD_NET_WAIT=1 \
	NET_ROUTE="192.0.2.5 dev ens3 src 10.1.2.3" NET_FLAGS='' bash -c \
	'. "$1"; lkd_conf_load "$2" && lkd_resolve_net ssh://192.0.2.5/x && lkd_net_part SSH_KEY && echo && lkd_resolve_net nfs://192.0.2.5:/x && lkd_net_part NFS_OPTIONS' sh "$lib" "$tmp/net.conf"
expect "lazy-kdump-lib.sh: the dump server is checked with the configured SSH_KEY and NFS_OPTIONS" 0 "" "/root/other
nolock,vers=3"

# lkd_check_stack on an iSCSI disk (sdc of the lsblk stub): its session
# read from a made-up sysfs (LKD_SYSFS), CHAP included, the initiator name
# from the file when the session shows none, and the card that reaches the
# portal (the ip stub's route).
sys=$tmp/sysfs
mkdir -p "$sys/devices/platform/host2/session3/target2:0:0/2:0:0:1" "$sys/block/sdc" \
	"$sys/class/iscsi_session/session3" "$sys/class/iscsi_connection/connection3:0"
ln -sfn "$sys/devices/platform/host2/session3/target2:0:0/2:0:0:1" "$sys/block/sdc/device"
printf 'iqn.2026-12.test.lazy:dump\n' >"$sys/class/iscsi_session/session3/targetname"
printf '1\n' >"$sys/class/iscsi_session/session3/tpgt"
printf '(null)\n' >"$sys/class/iscsi_session/session3/initiatorname"
printf 'lazyuser\n' >"$sys/class/iscsi_session/session3/username"
printf 'lazysecret12\n' >"$sys/class/iscsi_session/session3/password"
printf '(null)\n' >"$sys/class/iscsi_session/session3/username_in"
printf '192.0.2.5\n' >"$sys/class/iscsi_connection/connection3:0/persistent_address"
printf '3260\n' >"$sys/class/iscsi_connection/connection3:0/persistent_port"
printf '## a comment\nInitiatorName=iqn.1993-08.org.debian:01:lazyvm\n' >"$tmp/initiatorname.iscsi"
# shellcheck disable=SC2016 # for the inner shell
iscsish='. "$1"; lkd_conf_load "$2"; if lkd_check_stack "$3"; then printf "supported <%s>\n%s--\n%s\n" "$lkd_target_dracut" "$lkd_target_iscsi" "$lkd_net_record"; else echo "refused: $lkd_error"; fi'
iscsirun() {
	run env PATH="$tmp/stub:$netstub:$PATH" LAZY_KDUMP="$LK" LKD_SYSFS="$sys" LKD_SYSNET="$tmp/sysnet" \
		LKD_ISCSI_INITIATOR="$tmp/initiatorname.iscsi" LKD_NET_WAIT=1 NET_FLAGS='' \
		NET_ROUTE="${NET_ROUTE-192.0.2.5 dev ens3 src 10.1.2.3 uid 0}" bash -c "$iscsish" sh "$lib" "$tmp/luks-none.conf" /dev/sdc1
}
iscsirun
expect "lazy-kdump-lib.sh: a dump device on iSCSI: its session (CHAP, the initiator from the file) and the card to the portal" 0 "" \
	"supported <>
target=iqn.2026-12.test.lazy:dump
portal=192.0.2.5
port=3260
tpgt=1
initiator=iqn.1993-08.org.debian:01:lazyvm
username=lazyuser
password=lazysecret12
--
ifname=ens3
mac=52:54:00:aa:bb:cc
driver=virtio_net
method=static
address=10.1.2.3/24
gateway=
server=192.0.2.5
alias=192.0.2.5"
NET_ROUTE='' iscsirun
expect "lazy-kdump-lib.sh: an iSCSI portal without a route is refused when arming" 0 "" \
	"refused: the dump target's device /dev/sdc1 is on iSCSI: no route to the iSCSI portal 192.0.2.5 (waited 1 s)*"
NET_ROUTE="local 192.0.2.5 dev lo src 192.0.2.5" iscsirun
expect "lazy-kdump-lib.sh: an iSCSI target on this machine is refused (the crash kernel cannot log in to it)" 0 "" \
	"refused: *the iSCSI portal 192.0.2.5 is this machine: the crash kernel cannot log in to a target on the machine that crashed"
rm "$sys/class/iscsi_connection/connection3:0/persistent_address"
iscsirun
expect "lazy-kdump-lib.sh: an iSCSI session whose portal cannot be read is refused, naming what is missing" 0 "" \
	"refused: the dump target is on the iSCSI disk sdc (session3), and its target name, portal address or initiator name cannot be read (target 'iqn.2026-12.test.lazy:dump', portal '', initiator 'iqn.1993-08.org.debian:01:lazyvm'*"

# lkd_check_nfs: a server that does not offer the version asked for is
# refused when arming; without netbase's /etc/protocols and /etc/services
# (NFSv3's portmapper queries need them) the message says to install it.
mkdir -p "$tmp/nfsstub" "$tmp/etc-none" "$tmp/etc-netbase"
: >"$tmp/etc-netbase/protocols"
: >"$tmp/etc-netbase/services"
printf '#!/bin/sh\necho "mount.nfs: Protocol not supported" >&2\nexit 32\n' >"$tmp/nfsstub/mount"
printf '#!/bin/sh\nexit 0\n' >"$tmp/nfsstub/mount.nfs"
chmod +x "$tmp/nfsstub/mount" "$tmp/nfsstub/mount.nfs"
# shellcheck disable=SC2016 # for the inner shell
nfssh='. "$1"; lkd_net_hostpart=192.0.2.5 lkd_net_path=/export; if lkd_check_nfs nolock,vers=3; then echo "ok <$lkd_warning>"; else echo "refused: $lkd_error"; fi'
run env PATH="$tmp/nfsstub:$PATH" LAZY_KDUMP="$LK" LKD_ETC="$tmp/etc-none" bash -c "$nfssh" sh "$lib"
expect "lazy-kdump-lib.sh: NFS 'Protocol not supported' without /etc/protocols: refused, naming netbase" 0 "" \
	"refused: cannot mount the NFS dump target 192.0.2.5:/export (-o nolock,vers=3): mount.nfs: Protocol not supported (there is no /etc/protocols or /etc/services, which NFSv3 needs: apt-get install netbase)"
run env PATH="$tmp/nfsstub:$PATH" LAZY_KDUMP="$LK" LKD_ETC="$tmp/etc-netbase" bash -c "$nfssh" sh "$lib"
expect "lazy-kdump-lib.sh: NFS 'Protocol not supported' with netbase: refused, the server's answer alone" 0 "" \
	"refused: cannot mount the NFS dump target 192.0.2.5:/export (-o nolock,vers=3): mount.nfs: Protocol not supported"

# lkd_fetch_dumps: this host's dumps on an ssh server (the fake ssh runs
# the server's side here), mirrored as status files and sparse stand-ins.
cat >"$netstub/ssh" <<'EOS'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in -F | -i | -p | -o) shift 2 ;; *@*) shift; break ;; *) shift ;; esac
done
exec sh -c "$*"
EOS
chmod +x "$netstub/ssh"
srvd=$tmp/srvdumps
mkdir -p "$srvd/web01-2026-01-01-00:00:00" "$srvd/web01-2026-02-01-00:00:00" "$srvd/db01-2026-01-01-00:00:00" "$srvd/web01-notadump"
printf 'result=saved\nfinished=100\n' >"$srvd/web01-2026-01-01-00:00:00/status"
head -c 5000 /dev/zero >"$srvd/web01-2026-01-01-00:00:00/vmcore.flat"
head -c 100 /dev/zero >"$srvd/web01-2026-02-01-00:00:00/vmcore.flat.incomplete"
printf 'result=saved\n' >"$srvd/db01-2026-01-01-00:00:00/status"
# shellcheck disable=SC2016 # for the inner shell
fetchsh='. "$1"; lkd_resolve_net "$2" && lkd_fetch_dumps "$3" web01 /k "" && (cd "$3" && find . -type f -printf "%P %s\n" | sort)'
run env PATH="$netstub:$PATH" LAZY_KDUMP="$LK" LKD_SYSNET="$tmp/sysnet" LKD_NET_WAIT=1 \
	NET_ROUTE="192.0.2.5 dev ens3 src 10.1.2.3" NET_FLAGS='' bash -c "$fetchsh" sh "$lib" "ssh://192.0.2.5$srvd" "$tmp/mirror"
expect "lazy-kdump-lib.sh: lkd_fetch_dumps mirrors this host's dumps on the server: status, sizes; no other host's" 0 "" \
	"web01-2026-01-01-00:00:00/status 26
web01-2026-01-01-00:00:00/vmcore.flat 5000
web01-2026-02-01-00:00:00/vmcore.flat.incomplete 100"

# ---- status ----
run lk status
expect "status: nothing armed: exit 3" 3 "" "kdump: NOT ARMED*"
status_json "status --json: not armed, every key (null where unknown)" not-armed 3 \
	'.armed == false and .kexec_crash_loaded == false and .region == null and .size == null and .size_auto == null and .kernel == null and .armed_at == null and .kexec_crash_size == 0'
mkdir -p "$tmp/state"
cat >"$tmp/state/state" <<EOS
version=1
armed=1
source=lazy-kdump
armed_at=1700000000
kernel=$kernel
initrd=$tmp/initrd.img
cmdline=root=/dev/vda nr_cpus=1
size=100663296
size_auto=1
node=-1
placement=low
main_addr=0x30000000
main_len=100663296
low_addr=0x0
low_len=0
EOS
echo 1 >"$root/sys/kernel/kexec_crash_loaded"
run lk status
expect "status: armed by lazy-kdump: exit 0" 0 "" "kdump: armed*lazy-kdump (reserved at run time)*96M at 0x30000000-0x35ffffff (below 4 GiB)*96M (auto)*$kernel*"
# shellcheck disable=SC2016 # $ENV is jq's
status_json "status --json: armed by lazy-kdump" armed 0 \
	'.armed and .kexec_crash_loaded and .by_lazy_kdump and (.boot_time_reservation | not) and .region.addr == "0x30000000" and .region.len == 100663296 and .region.node == null and (.region.high | not) and .low_region == null and .size == 100663296 and .size_auto and .kernel == $ENV.LK_KERNEL and .cmdline == "root=/dev/vda nr_cpus=1" and .armed_at == 1700000000'
echo 0 >"$root/sys/kernel/kexec_crash_loaded"
run lk status
expect "status: recorded as armed but nothing loaded: exit 3 and says so" 3 \
	"*no crash kernel is loaded now*unload*load*" "kdump: NOT ARMED*"
status_json "status --json: recorded as armed, nothing loaded" unloaded 3 \
	'(.armed | not) and .kexec_crash_loaded == false and (.by_lazy_kdump | not) and .region.len == 100663296'
sed -i 's/^armed=1$/armed=0/' "$tmp/state/state"
run lk status
expect "status: a reservation held, nothing loaded: exit 3 and says so" 3 \
	"*reservation of 96M is held but nothing is loaded*resize*unload*" "kdump: NOT ARMED*"
status_json "status --json: a reservation held, nothing loaded" held-not-loaded 3 \
	'(.armed | not) and .region.len == 100663296'
rm "$tmp/state/state"
echo 1 >"$root/sys/kernel/kexec_crash_loaded"
echo 268435456 >"$root/sys/kernel/kexec_crash_size"
run lk status
expect "status: armed by another tool: exit 0" 0 "" "kdump: armed*not lazy-kdump*256M*"
status_json "status --json: armed by another tool" armed-by-other 0 \
	'.armed and (.by_lazy_kdump | not) and .kexec_crash_size == 268435456 and .region == null and .kernel == null'
echo 0 >"$root/sys/kernel/kexec_crash_size"
mv "$root/sys/kernel/kexec_crash_loaded" "$root/sys/kernel/x"
run lk status
expect "status: no kexec support: exit 3" 3 "*no kexec crash support*" "kdump: NOT ARMED*"
status_json "status --json: no kexec support" no-kexec 3 '.kexec_crash_loaded == null and (.armed | not)'
mv "$root/sys/kernel/kexec_crash_size" "$root/sys/kernel/y"
status_json "status --json: kexec_crash_size unreadable is null" no-kexec 3 '.kexec_crash_size == null'
mv "$root/sys/kernel/y" "$root/sys/kernel/kexec_crash_size"
mv "$root/sys/kernel/x" "$root/sys/kernel/kexec_crash_loaded"
echo 0 >"$root/sys/kernel/kexec_crash_loaded"

# ---- load and unload, stopping before kexec_file_load ----
if [[ $(id -u) != 0 ]]; then
	run lk load --kernel "$kernel" --initrd "$tmp/initrd.img"
	expect "load as non-root" 1 "*must run as root*"
	echo "1..$n"
	exit 0
fi

rm -f "$tmp/modprobe-ran"
run lk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 1M
expect "load: a size below the hard minimum is refused" 1 "*A crash region of 1M cannot hold these files*at least*"
[[ ! -e $tmp/modprobe-ran ]] && pass "load: ... before anything is tried" ||
	fail "load: ... before anything is tried"

run lk load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: module missing and modprobe fails" 1 "lazy-kdump: Failed to open $nodev: No such file or directory. lazy_cma.ko is not loaded and '$tmp/modprobe lazy_cma' failed (exit status 1): install the module*"
[[ -e $tmp/modprobe-ran ]] && pass "load: modprobe lazy_cma was tried" ||
	fail "load: modprobe lazy_cma was tried"

echo 16777216 >"$root/sys/kernel/kexec_crash_size"
run lk load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: boot-time crashkernel= too small" 1 "*boot-time crashkernel= reservation of 16M, but these files need *M: boot with crashkernel=*"
echo 0 >"$root/sys/kernel/kexec_crash_size"

cp "$tmp/state/../state" /dev/null 2>/dev/null || true
mkdir -p "$tmp/state"
printf 'version=1\narmed=1\nmain_addr=0x30000000\nmain_len=100663296\n' >"$tmp/state/state"
echo 1 >"$root/sys/kernel/kexec_crash_loaded"
run lk load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: already armed" 1 "*already armed by lazy-kdump*resize*unload*"
echo 0 >"$root/sys/kernel/kexec_crash_loaded"
rm -f "$tmp/state/state"

# With the fake device.
dev=$tmp/fake-dev
: >"$dev"
export FAKE_LAZY_CMA=$dev
export FAKE_LAZY_CMA_CRASHK_RES=0xffffffff82a1c000
export FAKE_LAZY_CMA_CRASHK_LOW_RES=0xffffffff82a1c100
fk() { EXTRA_PRELOAD=$FAKE_SO "$LK" --config "$tmp/empty.conf" --device "$dev" "$@"; }
held() { [[ ! -s $dev ]]; }

cp "$root/proc/kallsyms" "$tmp/kallsyms.good"
printf '0000000000000000 D crashk_res\n0000000000000000 D crashk_low_res\n' >"$root/proc/kallsyms"
run fk load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: kallsyms hidden" 1 "*Failed to find crashk_res in /proc/kallsyms: Operation not permitted. *kptr_restrict=2*sysctl kernel.kptr_restrict=1*"
held && pass "load: kallsyms hidden: nothing reserved" || fail "load: kallsyms hidden: nothing reserved"
cp "$tmp/kallsyms.good" "$root/proc/kallsyms"

run env FAKE_LAZY_CMA_FAIL=ALLOC:ENOMEM EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: no contiguous memory" 1 "*Failed to reserve the crash region: Cannot allocate memory. No contiguous *M is free*compact_memory*--size*"
held && pass "load: no memory: nothing reserved" || fail "load: no memory: nothing reserved"
run env FAKE_LAZY_CMA_FAIL=ALLOC:ENOMEM FAKE_LAZY_CMA_LARGEST=$((40 << 20)) EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: no contiguous memory: the module's largest window (ALLOC_REPORT)" 1 "*Failed to reserve the crash region: Cannot allocate memory. No contiguous *M is free; the largest usable window was 40 MiB. *'lazy-kdump load --size 40M'*"

run env FAKE_LAZY_CMA_FAIL=CRASH_BIND:EEXIST EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: bind fails: undone" 1 "*Failed to bind the crash region as crashk_res: File exists.*Everything was undone*"
held && pass "load: bind fails: the reservation was freed" || fail "load: bind fails: the reservation was freed"

# Leftovers of an interrupted run are given back by unload.
LD_PRELOAD=$FAKE_SO "$LAZY_CMA" --device "$dev" alloc 64M --below-4g --name lazy-kdump >/dev/null
LD_PRELOAD=$FAKE_SO "$LAZY_CMA" --device "$dev" alloc 64M --name other >/dev/null
run fk unload
expect "unload: gives back lazy-kdump's buffers" 0 "" "kdump disarmed; 64M given back."
run env LD_PRELOAD="$FAKE_SO" "$LAZY_CMA" --device "$dev" list
[[ $out == *other* && $out != *lazy-kdump* ]] && pass "unload: other buffers stay" ||
	fail "unload: other buffers stay"
run lk unload
expect "unload: nothing armed" 0 "" "kdump was not armed by lazy-kdump: nothing to do."

# ---- the whole cycle on the fake device and the fake kexec_file_load ----
: >"$dev"
: >"$FAKE_KEXEC_LOG"
run fk load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: armed" 0 "" "kdump armed: *M crash region (auto).*crash region *M at 0x*(below 4 GiB)*kernel*$kernel*"
[[ $(cat "$root/sys/kernel/kexec_crash_loaded") == 1 && $(cat "$FAKE_KEXEC_LOG") == "load "*"nr_cpus=1"* ]] &&
	pass "load: kexec_file_load was called with the crash command line" ||
	fail "load: kexec_file_load was called with the crash command line" "$(cat "$FAKE_KEXEC_LOG")"
run env LD_PRELOAD="$FAKE_SO" "$LAZY_CMA" --device "$dev" list
[[ $out == *crash*lazy-kdump* ]] && pass "load: the region is bound as crashk_res" ||
	fail "load: the region is bound as crashk_res"
[[ -s $tmp/state/state ]] && grep -q '^armed=1$' "$tmp/state/state" &&
	pass "load: the state is recorded" || fail "load: the state is recorded"
run fk status
expect "status after load: armed" 0 "" "kdump: armed*lazy-kdump (reserved at run time)*(auto)*"
# A crash hotplug update of the ELF core header reads 0 for a moment.
echo 0 >"$root/sys/kernel/kexec_crash_loaded"
(
	sleep 0.3
	# Renamed into place: a reader never sees the file empty.
	echo 1 >"$root/sys/kernel/kexec_crash_loaded.new"
	mv "$root/sys/kernel/kexec_crash_loaded.new" "$root/sys/kernel/kexec_crash_loaded"
) &
run fk status
wait
expect "status: kexec_crash_loaded 0 for a moment (crash hotplug) is read again: armed" 0 "" "kdump: armed*"
run fk load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load twice: already armed" 1 "*already armed by lazy-kdump*resize*unload*"

run fk resize 128M
expect "resize 128M" 0 "" "Resized the crash region from *M to 128M*kdump armed."
run fk status
expect "status after resize: 128M" 0 "" "*crash region   128M at*"

run env FAKE_KEXEC_FAIL=8 EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" resize 160M
expect "resize: loading fails every time: DISARMED" 1 "*Failed to load the crash kernel into the crash region: Exec format error.*KDUMP IS DISARMED*"
run fk status
expect "status: disarmed but held: exit 3 with advice" 3 "*reservation of 128M is held but nothing is loaded*resize*unload*" "kdump: NOT ARMED*"
run fk resize
expect "resize at the same size re-arms" 0 "" "The crash region is already 128M: crash kernel loaded again; kdump armed."

run env FAKE_LAZY_CMA_FAIL=RESIZE:ENOMEM EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" resize 1G
expect "resize: no memory to grow: still armed with the previous size" 1 "*Failed to resize the crash region: Cannot allocate memory.*still armed with the previous size 128M*"
[[ $(cat "$root/sys/kernel/kexec_crash_loaded") == 1 ]] && pass "resize: ... and loaded" ||
	fail "resize: ... and loaded"
run env FAKE_LAZY_CMA_FAIL=RESIZE:ENOMEM FAKE_LAZY_CMA_LARGEST=$((130 << 20)) EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" resize 1G
expect "resize: no memory to grow: the module's largest window (ALLOC_REPORT)" 1 "*Failed to resize the crash region: Cannot allocate memory. The region cannot grow in place and no free window of the new size was found; the largest usable window was 130 MiB.*still armed with the previous size 128M*"

# reload: the configuration's files now, into the region held.
printf 'CMDLINE_APPEND="irqpoll nr_cpus=1 reset_devices reload_word"\n' >"$tmp/reload.conf"
: >"$FAKE_KEXEC_LOG"
run env EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/reload.conf" --device "$dev" reload --kernel "$kernel" --initrd "$tmp/initrd.img" --size 128M
expect "reload: the new command line in the same region" 0 "" "kdump re-armed: same 128M crash region at 0x*command line*reload_word*"
[[ $(cat "$FAKE_KEXEC_LOG") == unload*"load "*reload_word* ]] && grep -q 'reload_word' "$tmp/state/state" &&
	pass "reload: unloaded, loaded with the new words, recorded" ||
	fail "reload: unloaded, loaded with the new words, recorded" "$(cat "$FAKE_KEXEC_LOG")"
printf 'CMDLINE_APPEND="irqpoll nr_cpus=1 reset_devices bad_word"\n' >"$tmp/reload.conf"
run env FAKE_KEXEC_FAIL_IF=bad_word EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/reload.conf" --device "$dev" reload --kernel "$kernel" --initrd "$tmp/initrd.img" --size 160M
expect "reload: new files refused: still armed with the previous ones" 1 "*Failed to load the crash kernel into the crash region: Exec format error.*still armed with the previous crash kernel, initrd and command line*128M*"
[[ $(cat "$root/sys/kernel/kexec_crash_loaded") == 1 ]] && grep -q 'reload_word' "$tmp/state/state" &&
	! grep -q 'bad_word' "$tmp/state/state" && grep -q "^main_len=$((128 << 20))\$" "$tmp/state/state" &&
	pass "reload: ... loaded, the state keeps the previous files and size" ||
	fail "reload: ... loaded, the state keeps the previous files and size" "$(cat "$tmp/state/state")"
run env FAKE_KEXEC_FAIL_IF=_word FAKE_KEXEC_FAIL=5 EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/reload.conf" --device "$dev" reload --kernel "$kernel" --initrd "$tmp/initrd.img" --size 128M
expect "reload: new refused, previous refused too: DISARMED" 1 "*KDUMP IS DISARMED*reload*"
run fk reload --kernel "$tmp/nonexistent"
expect "reload: a missing kernel: nothing changed" 1 "*Failed to read the crash kernel*Nothing was changed*"
run fk reload --kernel "$kernel" --initrd "$tmp/initrd.img" --size 128M
expect "reload: re-arms a held but unloaded region" 0 "" "kdump re-armed: same 128M*"

run fk unload
expect "unload: disarmed" 0 "" "kdump disarmed; 128M given back."
run fk reload --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
expect "reload with nothing armed: loads" 0 "*not armed by lazy-kdump: loading it*" "kdump armed: 96M crash region (as asked).*"
run fk unload
expect "unload after reload: disarmed" 0 "" "kdump disarmed; 96M given back."
[[ $(cat "$root/sys/kernel/kexec_crash_loaded") == 0 && ! -s $dev && ! -e $tmp/state/state ]] &&
	pass "unload: unloaded, freed, state removed" || fail "unload: unloaded, freed, state removed"

run fk load --kernel "$kernel" --initrd "$tmp/initrd.img" --placement high --size 100M
expect "load --placement high" 0 "" "kdump armed: 100M crash region (as asked).*crash region*100M at 0x*(above 4 GiB)*low companion*256M at 0x*(below 4 GiB)*"
run fk unload
expect "unload: both regions given back" 0 "" "kdump disarmed; 356M given back."

# WORKING_MEMORY=split (--working-memory): the region holds the images,
# the working memory is a second buffer bound as crashk_low_res.
run fk load --kernel "$kernel" --initrd "$tmp/initrd.img" --working-memory split
expect "load --working-memory split" 0 "" "kdump armed: *M crash region for the images and *M of working memory apart (split, auto).*crash region*(below 4 GiB)*working memory*(below 4 GiB)*"
run env LD_PRELOAD="$FAKE_SO" "$LAZY_CMA" --device "$dev" list
[[ $out == *lazy-kdump-work* ]] && grep -qx 'working_memory=split' "$tmp/state/state" &&
	pass "split: the working memory is its own buffer (lazy-kdump-work), the state says split" ||
	fail "split: the working memory is its own buffer (lazy-kdump-work), the state says split" "$out"
if command -v jq >/dev/null; then
	run fk estimate --kernel "$kernel" --initrd "$tmp/initrd.img" --json
	est=$out
	run fk status --json
	jq -e --argjson e "$est" '.working_memory == "split" and .region.len == $e.split_region and
		.low_region.len == $e.split_working_memory and .size_auto' <<<"$out" >/dev/null &&
		pass "split: status --json: working_memory split, the region and working memory as estimated" ||
		fail "split: status --json: working_memory split, the region and working memory as estimated" "$out"
fi
run fk status
expect "split: status shows the working memory" 0 "" "*crash region   *M at 0x*working memory *M at 0x*"
run fk resize 200M
expect "split: resize 200M resizes the working memory, the region keeps the images' size" 0 "" "Resized the working memory from *M to *M (at 0x*); the crash region stays *M; kdump armed."
run fk resize 60M
expect "split: a total that leaves less than 16M of working memory is refused" 1 "*With split working memory, 60M leaves the crash kernel less than 16M of working memory*"
run fk unload
expect "split: unload gives back both" 0 "" "kdump disarmed; 200M given back."
held && pass "split: unload: nothing held" || fail "split: unload: nothing held"
run env FAKE_LAZY_CMA_FAIL=ALLOC:ENOMEM EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "held, no window: the message offers split with its two sizes" 1 "*No contiguous *M is free*--size*Or arm with 'lazy-kdump load --working-memory split' (WORKING_MEMORY=split): two smaller windows, *M for the images and *M of working memory below 4 GiB."
printf 'WORKING_MEMORY=split\n' >"$tmp/split.conf"
run env EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/split.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 160M
expect "WORKING_MEMORY=split in the configuration, --size 160M the total" 0 "" "kdump armed: *M crash region for the images and *M of working memory apart (split, as asked).*"
run fk unload
expect "split: unload after SIZE=160M gives back 160M" 0 "" "kdump disarmed; 160M given back."
# Split with the region above 4 GiB: the working memory is the crash
# kernel's low memory too, never below the low companion's 256M, also
# after a resize.
run fk load --kernel "$kernel" --initrd "$tmp/initrd.img" --working-memory split --placement high --size 100M
expect "split, placement high: the working memory is at least the low companion" 0 "" "kdump armed: *M crash region for the images and 256M of working memory apart (split, as asked).*(above 4 GiB)*working memory 256M at 0x*(below 4 GiB)*"
run fk resize 120M
expect "split, placement high: resize keeps the working memory at the low companion's size" 0 "" "The crash region is already *M and the working memory 256M: nothing to do; kdump stays armed."
run fk unload
expect "split, placement high: unload" 0 "" "kdump disarmed; *M given back."
run fk load --kernel "$kernel" --initrd "$tmp/initrd.img" --working-memory lend
expect "load --working-memory lend: refused" 2 "*Invalid working memory 'lend': expected held or split.*"

# The next boot: the arming marker (VARDIR/armed) of an unclean end, and
# what the last capture left in DUMP_TARGET.
vd=$tmp/var crash=$tmp/crash
mkdir -p "$crash"
printf 'DUMP_TARGET=%s\n' "$crash" >"$tmp/dump.conf"
dk() { EXTRA_PRELOAD=$FAKE_SO "$LK" --config "$tmp/dump.conf" --device "$dev" "$@"; }
newboot() { echo "11111111-aaaa-4bbb-8ccc-00000000000$1" >"$root/proc/sys/kernel/random/boot_id"; }
[[ ! -e $vd/armed ]] && pass "unload: no arming marker left" || fail "unload: no arming marker left"
run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
[[ $rc == 0 ]] && grep -qx 'boot_id=11111111-aaaa-4bbb-8ccc-000000000001' "$vd/armed" &&
	pass "load: the arming marker names this boot" || fail "load: the arming marker names this boot" "$(cat "$vd/armed" 2>&1)"
armed_at=$(sed -n 's/^armed_at=//p' "$vd/armed")
# A panic whose capture found the crash kernel short of memory, then a
# new boot (nothing armed: the reservation is gone).
mkdir -p "$crash/web-2026-01-01-00:00:00"
printf 'result=saved\nfinished=%s\n' $((armed_at - 100)) >"$crash/web-2026-01-01-00:00:00/status"
mkdir -p "$crash/web-2026-12-06-05:00:00"
printf 'result=short-of-memory\nreason=the crash kernel ran out of memory (80 MiB in it)\nmemory=short\nfinished=%s\n' $((armed_at + 60)) >"$crash/web-2026-12-06-05:00:00/status"
: >"$dev"
rm -f "$tmp/state/state"
echo 0 >"$root/sys/kernel/kexec_crash_loaded"
newboot 2
run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
expect "next boot: load says the last panic found the crash kernel short of memory" 0 \
	"lazy-kdump: The last panic found the crash kernel short of memory ($crash/web-2026-12-06-05:00:00, result short-of-memory): raise SIZE in the configuration (or use auto)." "kdump armed*"
grep -qx 'boot_id=11111111-aaaa-4bbb-8ccc-000000000002' "$vd/armed" &&
	pass "next boot: the marker is this boot's now" || fail "next boot: the marker is this boot's now"
run dk status
expect "next boot: status says it too, and shows the last dump" 0 \
	"*The last panic found the crash kernel short of memory: raise SIZE (or use auto)*" \
	"*last dump      $crash/web-2026-12-06-05:00:00: short-of-memory (*): the crash kernel ran out of memory (80 MiB in it)*previous boot  The last panic found the crash kernel short of memory*"
if command -v jq >/dev/null; then
	run dk status --json
	jq -e --arg p "$crash/web-2026-12-06-05:00:00" '.last_dump.path == $p and .last_dump.result == "short-of-memory" and
		.last_dump.memory == "short" and (.previous_boot | startswith("The last panic found"))' <<<"$out" >/dev/null &&
		pass "next boot: status --json: last_dump and previous_boot" ||
		fail "next boot: status --json: last_dump and previous_boot"
fi
# FAILURE_ACTION=dump-local: a capture that could not reach DUMP_TARGET
# saved the dump in the root file system's /var/crash ($root/var/crash
# here): status shows it when it is the newest; without dump-local it is
# not looked at.
mkdir -p "$root/var/crash/web-2026-12-06-06:00:00"
printf 'result=saved\nfallback=dump-local\ntarget=UUID=0a1b:/dumps\nreason=the dump target UUID=0a1b:/dumps was out of reach: saved on the root file system instead (FAILURE_ACTION=dump-local)\nfinished=%s\n' $((armed_at + 120)) >"$root/var/crash/web-2026-12-06-06:00:00/status"
printf 'DUMP_TARGET=%s\nFAILURE_ACTION=dump-local\n' "$crash" >"$tmp/fallback.conf"
run env EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/fallback.conf" --device "$dev" status
expect "status with FAILURE_ACTION=dump-local: the fallback dump in /var/crash of the root file system is the last dump" 0 "*" \
	"*last dump      $root/var/crash/web-2026-12-06-06:00:00: saved (*): the dump target UUID=0a1b:/dumps was out of reach: saved on the root file system instead (FAILURE_ACTION=dump-local)*"
run dk status
expect "status without dump-local: /var/crash of the root file system is not looked at" 0 "*" \
	"*last dump      $crash/web-2026-12-06-05:00:00: short-of-memory*"
rm -rf "$root/var/crash"
# dumps: every capture in DUMP_TARGET, oldest first.
printf 'vmcore bytes' >"$crash/web-2026-01-01-00:00:00/vmcore"
mkdir -p "$crash/not-a-dump"
printf 'result=saved\n' >"$crash/not-a-dump/status"
run dk dumps
expect "dumps: the captures, oldest first, with their result, vmcore size and reason" 0 "" \
	"FINISHED*RESULT*VMCORE*DUMP*saved*0.0 MiB*$crash/web-2026-01-01-00:00:00*short-of-memory*-*$crash/web-2026-12-06-05:00:00*the crash kernel ran out of memory (80 MiB in it)*2 dumps in $crash."
if command -v jq >/dev/null; then
	run dk dumps --json
	jq -e --arg c "$crash" '.schema_version == 1 and .directory == $c and .dump_target == $c and
		(.dumps | length) == 2 and .dumps[0].path == ($c + "/web-2026-01-01-00:00:00") and
		.dumps[0].vmcore_bytes == 12 and .dumps[0].memory == null and .dumps[0].reason == null and
		.dumps[1].result == "short-of-memory" and .dumps[1].memory == "short" and .dumps[1].vmcore_bytes == null and
		.dumps[0].finished < .dumps[1].finished' <<<"$out" >/dev/null &&
		pass "dumps --json: schema 1, both dumps in order, null where unknown" ||
		fail "dumps --json: schema 1, both dumps in order, null where unknown" "$out"
fi
# A dump directory without status: a capture cut short.
mkdir -p "$crash/web-2026-02-02-00:00:00"
touch -d @$((armed_at + 30)) "$crash/web-2026-02-02-00:00:00"
run dk dumps
expect "dumps: a dump directory without status is listed as incomplete, in its place" 0 "" \
	"*web-2026-01-01-00:00:00*incomplete*$crash/web-2026-02-02-00:00:00*no status file: the capture did not finish*short-of-memory*3 dumps in $crash."
# A DEVICE:PATH target is read where its device is mounted.
mkdir -p "$root/dev/disk/by-uuid" "$root/proc/self"
: >"$root/dev/vdz"
: >"$root/dev/vdy"
ln -sf ../../vdz "$root/dev/disk/by-uuid/feed-0001"
ln -sf ../../vdy "$root/dev/disk/by-uuid/feed-0002"
printf '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n51 22 254:16 / %s rw,relatime shared:9 - ext4 /dev/vdz rw\n' \
	"${crash%/*}" >"$root/proc/self/mountinfo"
printf 'DUMP_TARGET=UUID=feed-0001:/%s\n' "${crash##*/}" >"$tmp/dumpdev.conf"
run "$LK" --config "$tmp/dumpdev.conf" dumps
expect "dumps: a DEVICE:PATH target, read where the device is mounted" 0 "" "*3 dumps in $crash."
printf 'DUMP_TARGET=UUID=feed-0002:/\n' >"$tmp/dumpdev.conf"
run "$LK" --config "$tmp/dumpdev.conf" dumps
expect "dumps: a DEVICE:PATH target that is not mounted: says so" 1 \
	"lazy-kdump: Failed to list the dumps: the device of DUMP_TARGET=UUID=feed-0002:/ is not mounted here. Mount it*" ""
printf 'DUMP_TARGET=UUID=feed-0003:/\n' >"$tmp/dumpdev.conf"
run "$LK" --config "$tmp/dumpdev.conf" dumps
expect "dumps: a DEVICE:PATH target that is not there: says so" 1 \
	"lazy-kdump: Failed to list the dumps: the device of DUMP_TARGET=UUID=feed-0003:/ is not on this machine*" ""
rm -rf "$root/proc/self" "$root/dev/disk" "$root/dev/vdz" "$root/dev/vdy" "$crash/not-a-dump" "$crash/web-2026-02-02-00:00:00"
rm -f "$crash/web-2026-01-01-00:00:00/vmcore"
run dk load --kernel "$kernel" --initrd "$tmp/initrd.img"
[[ $err != *"previous boot"* && $err != *"last panic"* ]] && pass "the verdict is given once, not at every load" ||
	fail "the verdict is given once, not at every load"
# An unclean end that left nothing: said plainly.
rm -rf "${crash:?}"/*
: >"$dev"
rm -f "$tmp/state/state"
echo 0 >"$root/sys/kernel/kexec_crash_loaded"
newboot 3
run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
expect "next boot without a dump: load says the capture wrote nothing" 0 \
	"lazy-kdump: The previous boot, armed since *, ended without a clean shutdown and left no dump in $crash: if it panicked, the capture wrote nothing*raise SIZE (or use auto)." "kdump armed*"
run dk unload
[[ $rc == 0 && ! -e $vd/armed ]] && pass "unload (a clean shutdown) removes the marker" ||
	fail "unload (a clean shutdown) removes the marker"
newboot 4
run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
[[ $rc == 0 && $err != *"previous boot"* ]] && pass "after a clean shutdown, nothing is said" ||
	fail "after a clean shutdown, nothing is said"
run dk status
[[ $out != *"previous boot"* ]] && pass "status: the verdict belongs to the boot that made it" ||
	fail "status: the verdict belongs to the boot that made it"
run dk unload
# A dump server: the next boot's report, status and dumps read it through
# mkinitrd --fetch-dumps (a fake: FAKE_FETCH=up mirrors one dump of 3 MiB,
# down fails as an unreachable server does); with FAILURE_ACTION=dump-local
# a fallback dump in the root file system's /var/crash counts too.
cat >"$tmp/fake-mkinitrd" <<'EOS'
#!/bin/sh
[ "$1" = --fetch-dumps ] || exit 2
if [ "$FAKE_FETCH" != up ]; then
	echo "lazy-kdump-mkinitrd: cannot read the dumps on the dump server dumps: Connection refused" >&2
	exit 1
fi
rm -rf "$2"
mkdir -p "$2/web-2026-12-07-01:00:00"
printf 'result=saved\nfinished=%s\n' "$FAKE_FINISHED" >"$2/web-2026-12-07-01:00:00/status"
truncate -s 3145728 "$2/web-2026-12-07-01:00:00/vmcore.flat"
EOS
chmod +x "$tmp/fake-mkinitrd"
printf 'DUMP_TARGET=ssh://kdump@dumps/srv/crash\nFAILURE_ACTION=dump-local\n' >"$tmp/net-dump.conf"
fetch=down finished=0
nk() {
	env EXTRA_PRELOAD="$FAKE_SO" LAZY_KDUMP_MKINITRD="$tmp/fake-mkinitrd" FAKE_FETCH="$fetch" \
		FAKE_FINISHED="$finished" "$LK" --config "$tmp/net-dump.conf" --device "$dev" "$@"
}
# a panic: the reservation and the state are gone at the next boot
crashed() {
	: >"$dev"
	rm -f "$tmp/state/state"
	echo 0 >"$root/sys/kernel/kexec_crash_loaded"
	newboot "$1"
}
newboot 5
run nk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
armed_at=$(sed -n 's/^armed_at=//p' "$vd/armed")
crashed 6
fetch=up finished=$((armed_at + 60))
run nk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
expect "dump server: the next boot's report names the dump on the server" 0 \
	"lazy-kdump: The previous boot panicked; its capture: dumps:/srv/crash/web-2026-12-07-01:00:00, result saved." "kdump armed*"
run nk dumps
expect "dump server: dumps lists it as HOST:PATH, with the size of vmcore.flat" 0 "" \
	"*saved*3.0 MiB  dumps:/srv/crash/web-2026-12-07-01:00:00*1 dump in dumps:/srv/crash."
armed_at=$(sed -n 's/^armed_at=//p' "$vd/armed")
crashed 7
fetch=down
mkdir -p "$root/var/crash/web-2026-12-07-02:00:00"
printf 'result=saved\nfallback=dump-local\ntarget=ssh://kdump@192.0.2.5:22/srv/crash\nreason=the dump target ssh://kdump@192.0.2.5:22/srv/crash was out of reach (the dump server kdump@192.0.2.5:22 did not answer within 60 s): saved on the root file system instead (FAILURE_ACTION=dump-local)\nfinished=%s\n' \
	$((armed_at + 90)) >"$root/var/crash/web-2026-12-07-02:00:00/status"
run nk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
expect "dump server down: the report names the fallback dump in /var/crash and why" 0 \
	"*lazy-kdump: The previous boot panicked; its capture: $root/var/crash/web-2026-12-07-02:00:00, result saved: the dump target ssh://kdump@192.0.2.5:22/srv/crash was out of reach (the dump server kdump@192.0.2.5:22 did not answer within 60 s)*" "kdump armed*"
run nk dumps
expect "dump server down: dumps says it cannot read the server, and why" 1 \
	"lazy-kdump-mkinitrd: cannot read the dumps on the dump server dumps: Connection refused*lazy-kdump: Failed to list the dumps on the dump server of DUMP_TARGET=ssh://kdump@dumps/srv/crash (said above)*" ""
run nk unload
rm -rf "$root/var/crash"
newboot 1

run env FAKE_KEXEC_FAIL=129 EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: signature rejected: explained and undone" 1 "*Failed to load the crash kernel (kexec_file_load): Key was rejected by service. *signed*Everything was undone*"
[[ ! -s $dev && $(cat "$root/sys/kernel/kexec_crash_loaded") == 0 ]] &&
	pass "load: signature rejected: nothing held, nothing loaded" ||
	fail "load: signature rejected: nothing held, nothing loaded"

mkdir -p "$root/sys/kernel/security"
echo 'none [integrity] confidentiality' >"$root/sys/kernel/security/lockdown"
run env FAKE_KEXEC_FAIL=1 EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/empty.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img"
expect "load: locked down" 1 "*Operation not permitted. The kernel is locked down (lockdown=integrity*signed*"

# ---- metrics: the Prometheus file, parsed by the reference client's parser
# prom FILE: every sample of FILE as "NAME LABELS-JSON VALUE", sorted;
# fails when the text does not parse or a family lacks HELP or TYPE gauge.
prom() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    if fam.type != "gauge" or not fam.documentation:
        sys.exit("family %s: type %s, help %r" % (fam.name, fam.type, fam.documentation))
    for s in fam.samples:
        out.append("%s %s %s" % (s.name, json.dumps(s.labels, sort_keys=True), s.value))
print("\n".join(sorted(out)))
PY
}
# sample NAME [LABELS-JSON]: the value of that sample in $samples.
sample() { L=${2-} awk -v n="$1" '$1 == n && index($0, ENVIRON["L"]) { print $NF }' <<<"$samples"; }
pf=$LAZY_KDUMP_METRICS_FILE
if ! /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
	skip "metrics: parsed by prometheus_client" "/usr/bin/python3 with python3-prometheus-client is missing (scripts/install-deps.sh)"
elif [[ $(id -u) != 0 ]]; then
	skip "metrics: load, unload and failures write the file" "not root: the verbs write it only as root"
else
	rm -f "$pf"
	mkdir -p "$crash/web-2026-12-06-05:00:00"
	printf 'result=short-of-memory\nmemory=short\nfinished=%s\n' $((armed_at + 60)) >"$crash/web-2026-12-06-05:00:00/status"
	newboot 5
	run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
	if [[ $rc == 0 && -s $pf ]] && samples=$(prom "$pf"); then
		pass "metrics: load wrote $pf, which parses"
	else
		fail "metrics: load wrote $pf, which parses" "$(cat "$pf" 2>&1)"
	fi
	[[ $(stat -c %a "$pf") == 644 ]] && pass "metrics: the file is mode 0644 (node_exporter reads it)" ||
		fail "metrics: the file is mode 0644 (node_exporter reads it)" "$(stat -c %a "$pf")"
	[[ $(sample lazy_kdump_armed) == 1.0 && $(sample lazy_kdump_armed_by_lazy_kdump) == 1.0 &&
		$(sample lazy_kdump_crash_region_bytes) == "$((96 << 20)).0" && $(sample lazy_kdump_size_auto) == 0.0 &&
		$(sample lazy_kdump_info '"version": "') == 1.0 && -n $(sample lazy_kdump_armed_timestamp_seconds) ]] &&
		pass "metrics: armed, by lazy-kdump, 96 MiB, fixed size, version, armed time" ||
		fail "metrics: armed, by lazy-kdump, 96 MiB, fixed size, version, armed time" "$samples"
	[[ $(sample lazy_kdump_last_dump_info "\"path\": \"$crash/web-2026-12-06-05:00:00\", \"result\": \"short-of-memory\"") == 1.0 &&
		$(sample lazy_kdump_last_dump_short_of_memory) == 1.0 && $(sample lazy_kdump_last_dump_vmcore_bytes) == 0.0 &&
		-n $(sample lazy_kdump_last_dump_timestamp_seconds) ]] &&
		pass "metrics: the last dump, its result, short of memory, no vmcore" ||
		fail "metrics: the last dump, its result, short of memory, no vmcore" "$samples"
	run dk metrics
	[[ $rc == 0 && $out == "$(cat "$pf")" ]] && pass "metrics: the verb prints what load wrote" ||
		fail "metrics: the verb prints what load wrote" "$(cat "$pf")"
	# A newer dump with a vmcore, in a directory whose name needs escaping.
	d=$crash/'we"b\x-2026-12-07-00:00:00'
	mkdir -p "$d"
	head -c 4096 /dev/zero >"$d/vmcore"
	printf 'result=saved\nmemory=ok\nfinished=%s\n' $((armed_at + 5000)) >"$d/status"
	run dk unload
	if [[ $rc == 0 ]] && samples=$(prom "$pf") && [[ $(sample lazy_kdump_armed) == 0.0 &&
		$(sample lazy_kdump_crash_region_bytes) == 0.0 && -z $(sample lazy_kdump_armed_timestamp_seconds) ]]; then
		pass "metrics: unload rewrote the file: not armed, nothing held"
	else
		fail "metrics: unload rewrote the file: not armed, nothing held" "$samples"
	fi
	want=$(/usr/bin/python3 -c 'import json, sys; print(json.dumps({"path": sys.argv[1], "result": "saved"}, sort_keys=True))' "$d")
	[[ $(sample lazy_kdump_last_dump_info "$want") == 1.0 && $(sample lazy_kdump_last_dump_vmcore_bytes) == 4096.0 &&
		$(sample lazy_kdump_last_dump_short_of_memory) == 0.0 ]] &&
		pass "metrics: a path with \" and \\ is escaped and parses back; its vmcore's size" ||
		fail "metrics: a path with \" and \\ is escaped and parses back; its vmcore's size" "$want" "$samples"
	rm -rf "$d"
	echo 1 >"$root/sys/kernel/kexec_crash_loaded"
	echo $((256 << 20)) >"$root/sys/kernel/kexec_crash_size"
	run env FAKE_KEXEC_FAIL=8 EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/dump.conf" --device "$dev" load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
	if [[ $rc == 1 ]] && samples=$(prom "$pf") && [[ $(sample lazy_kdump_armed) == 1.0 &&
		$(sample lazy_kdump_armed_by_lazy_kdump) == 0.0 && $(sample lazy_kdump_kexec_crash_size_bytes) == "$((256 << 20)).0" ]]; then
		pass "metrics: a failed load still rewrites the file (armed by another tool, 256 MiB)"
	else
		fail "metrics: a failed load still rewrites the file (armed by another tool, 256 MiB)" "$samples"
	fi
	echo 0 >"$root/sys/kernel/kexec_crash_loaded"
	echo 0 >"$root/sys/kernel/kexec_crash_size"
fi
printf 'METRICS_FILE=none\n' >"$tmp/nometrics.conf"
run env -u LAZY_KDUMP_METRICS_FILE "$LK" --config "$tmp/nometrics.conf" metrics --write
expect "metrics --write with METRICS_FILE=none: nothing, says so" 0 "lazy-kdump: METRICS_FILE=none: no metrics file to write." ""
printf 'METRICS_FILE=%s/no-such-dir/x.prom\n' "$tmp" >"$tmp/badmetrics.conf"
run env -u LAZY_KDUMP_METRICS_FILE "$LK" --config "$tmp/badmetrics.conf" metrics --write
expect "metrics --write into a missing directory: exit 1, says what to do" 1 \
	"lazy-kdump: Failed to write the metrics file $tmp/no-such-dir/x.prom: no directory $tmp/no-such-dir: No such file or directory. Create that directory, or set METRICS_FILE=none." ""
printf 'METRICS_FILE=%s/prom/other.prom\n' "$tmp" >"$tmp/metrics.conf"
run env -u LAZY_KDUMP_METRICS_FILE "$LK" --config "$tmp/metrics.conf" metrics --write
[[ $rc == 0 && -s $tmp/prom/other.prom && ! -e $tmp/prom/other.prom.tmp ]] &&
	pass "metrics --write: METRICS_FILE from the configuration, no temporary file left" ||
	fail "metrics --write: METRICS_FILE from the configuration, no temporary file left"
run "$LK" --config "$tmp/metrics.conf" metrics --json
expect "metrics: --json does not apply" 2 "*Option '--json' does not apply to 'metrics'*"

# ---- test: the checks, the confirmation, the panic (sysrq-trigger of the
# fake tree), and what the next boot says
if [[ $(id -u) != 0 ]]; then
	skip "test: checks and panic" "not root: 'lazy-kdump test' needs root"
else
	sysrq=$root/proc/sysrq-trigger
	: >"$sysrq"
	: >"$dev"
	rm -rf "${crash:?}"/*
	echo 0 >"$root/sys/kernel/kexec_crash_size"
	rm -f "$tmp/state/state" "$vd/armed" "$vd/test-panic"
	echo 0 >"$root/sys/kernel/kexec_crash_loaded"
	newboot 6
	run dk test --yes
	expect "test: not armed: refused, nothing done" 1 "lazy-kdump: kdump is not armed: a panic now would leave no dump*"
	run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
	run dk test </dev/null
	expect "test: without --yes and no terminal: the checks, then nothing done" 1 \
		"lazy-kdump: 'lazy-kdump test' panics this machine: confirm with --yes. Nothing was done." \
		"ok: kdump is armed by lazy-kdump since *ok: the crash kernel and capture initrd are the ones loaded*ok: the dump target $crash is writable (*free)"
	[[ ! -s $sysrq && ! -e $vd/test-panic && -z $(find "$crash" -name '.lazy-kdump-test.*') ]] &&
		pass "test: ... no panic, no marker, no probe file left" || fail "test: ... no panic, no marker, no probe file left"
	touch -d '+1 hour' "$tmp/initrd.img"
	run dk test --yes
	expect "test: a capture initrd changed since arming: refused" 1 \
		"lazy-kdump: The capture initrd $tmp/initrd.img changed after kdump was armed at *: the crash kernel would run the old one. Run 'systemctl reload lazy-kdump' first.*Nothing was done*"
	touch -d '-1 hour' "$tmp/initrd.img"
	printf 'DUMP_TARGET=UUID=0000-no-such-fs:/crash\n' >"$tmp/devtarget.conf"
	run env EXTRA_PRELOAD="$FAKE_SO" "$LK" --config "$tmp/devtarget.conf" --device "$dev" test --yes
	expect "test: a dump device that is not there: refused" 1 \
		"lazy-kdump: DUMP_TARGET=UUID=0000-no-such-fs:/crash: no block device /dev/disk/by-uuid/0000-no-such-fs on this machine*Nothing was done*"
	[[ ! -s $sysrq ]] && pass "test: ... no panic" || fail "test: ... no panic"
	run dk test --yes
	expect "test --yes: the checks pass, the machine is panicked" 0 "" "ok: kdump is armed*Panicking now (sysrq c)*"
	[[ $(cat "$sysrq") == c ]] && grep -qx 'boot_id=11111111-aaaa-4bbb-8ccc-000000000006' "$vd/test-panic" &&
		pass "test --yes: 'c' written to /proc/sysrq-trigger, the test marker names this boot" ||
		fail "test --yes: 'c' written to /proc/sysrq-trigger, the test marker names this boot" "$(cat "$sysrq" "$vd/test-panic" 2>&1)"
	# The next boot finds the test's dump.
	mkdir -p "$crash/web-2026-12-08-00:00:00"
	printf 'result=saved\nmemory=ok\nfinished=%s\n' $(($(date +%s) + 10)) >"$crash/web-2026-12-08-00:00:00/status"
	: >"$dev"
	rm -f "$tmp/state/state"
	echo 0 >"$root/sys/kernel/kexec_crash_loaded"
	newboot 7
	run dk load --kernel "$kernel" --initrd "$tmp/initrd.img" --size 96M
	expect "test: the next boot says the panic was the test, and what it left" 0 \
		"lazy-kdump: 'lazy-kdump test' panicked the previous boot on purpose at *. The previous boot panicked; its capture: $crash/web-2026-12-08-00:00:00, result saved." "kdump armed*"
	[[ ! -e $vd/test-panic ]] && pass "test: ... and the test marker is gone" || fail "test: ... and the test marker is gone"
	run dk unload
fi

echo "1..$n"
