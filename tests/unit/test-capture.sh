#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The capture script (dracut/lazy-kdump-capture.sh) on the host, under every
# shell it must run in (busybox sh, dash, bash): the KDUMP_PRE and KDUMP_POST
# hooks (order, arguments, failing, missing and hanging ones), its settings
# file (the
# normalised copy of lazy-kdump config --capture; missing or foreign ones),
# the dump directory and its files, and each failure path, with a fake
# makedumpfile and the target given as a directory (LAZY_KDUMP_NOMOUNT=1,
# no mount, no final action). With LAZY_KDUMP, the settings of a
# configuration written with every syntax it allows go through
# 'lazy-kdump config --capture' into the script. The VM tests run it for
# real in a crash kernel.
#
# Usage: test-capture.sh CAPTURE_SCRIPT [LAZY_KDUMP]
set -euo pipefail

script=$(realpath "${1:?usage: test-capture.sh CAPTURE_SCRIPT [LAZY_KDUMP]}")
emergency_script=$(dirname "$script")/99lazy-kdump/lazy-kdump-emergency.sh
lazy_kdump=${2:-}
tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do printf '#   %s\n' "$l"; done
}
# expect DESC COND...: pass when the test command COND succeeds.
expect() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc" "failed: $*" "log: $(tail -n 5 "$case_dir/run/capture.log" 2>/dev/null | tr '\n' '|')"; fi
}

# holds CONDITION: expect's test command for a compound condition (a list
# with &&), evaluated here, as one.
holds() { eval "$1"; }

# The fake makedumpfile: FAKE_MDF says how it behaves.
#   ok        dmesg and dump written
#   fail      the dump fails half-way
#   enospc    the dump fails half-way with ENOSPC
#   nodmesg   --dump-dmesg fails, the dump works
#   oom       the OOM killer ends every dump (counted in FAKE_VMSTAT)
#   oomonce   the OOM killer ends the first dump; the retry works
#   enomem    every dump fails: "Can't allocate memory"
#   txtbsy    the first exec fails with "Text file busy" (exit 126)
mkdir -p "$tmp/bin"
# The fake iscsistart: logs its arguments; FAKE_ISCSI=fail: CHAP refused.
cat >"$tmp/bin/iscsistart" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_ISCSI_LOG"
if [ "${FAKE_ISCSI:-}" = fail ]; then
	echo "iscsistart: initiator reported error (24 - iSCSI login failed due to authorization failure)" >&2
	exit 24
fi
echo "iscsistart: Logged into target $4"
EOF
chmod +x "$tmp/bin/iscsistart"
cat >"$tmp/bin/makedumpfile" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_MDF_LOG"
if [ "$1" = --dump-dmesg ]; then
	[ "$FAKE_MDF" = nodmesg ] && { echo "dump_dmesg: Can't find the log buffer" >&2; exit 1; }
	echo "[   42.000000] Kernel panic - not syncing: sysrq triggered crash" >"$3"
	exit 0
fi
# -F (a raw target): the flattened stream on stdout, as "FLAT" + the
# vmcore + "END" (makedumpfile -R of the fake below turns it back).
flat=0
for a; do [ "$a" = -F ] && flat=1; done
if [ "$flat" = 1 ]; then
	for a; do src=$a; done
	case $FAKE_MDF in
	fail) printf 'FLAT'; head -c 4 "$src"; echo "readpage_elf: Can't read the dump memory(/proc/vmcore)." >&2; exit 1 ;;
	enospc) printf 'FLAT'; echo "dd: error writing '/dev/vdb': No space left on device" >&2; exit 1 ;;
	esac
	printf 'FLAT'; cat "$src"; printf 'END'
	exit 0
fi
for a; do src=$out; out=$a; done
# The *once modes fail the first dump only (a retry works).
calls=$(grep -vc -- '^--dump-dmesg' "$FAKE_MDF_LOG")
case $FAKE_MDF:$calls in
oom:* | oomonce:1)
	# The OOM killer: the kernel counts it, the process dies of SIGKILL.
	n=$(sed -n 's/^oom_kill //p' "$FAKE_VMSTAT")
	printf 'oom_kill %s\n' $((n + 1)) >"$FAKE_VMSTAT"
	head -c 10 "$src" >"$out"
	kill -9 $$ ;;
enomem:*) head -c 10 "$src" >"$out"; echo "create_2nd_bitmap: Can't allocate memory for the bitmap." >&2; exit 1 ;;
txtbsy:1) echo "/usr/bin/makedumpfile: Text file busy" >&2; exit 126 ;;
oomonce:* | txtbsy:*) FAKE_MDF=ok ;;
esac
case $FAKE_MDF in
ok | nodmesg)
	# A write error (EFBIG under the retention's size limit) as makedumpfile
	# reports it.
	err=$(cat "$src" 2>&1 >"$out") || { echo "write_buffer: Can't write the dump file($out). ${err##*: }" >&2; exit 1; }
	printf 'Copying data  : [ 50.0 %%]\rCopying data  : [100.0 %%]\n' ;;
fail) head -c 10 "$src" >"$out"; echo "readpage_elf: Can't read the dump memory(/proc/vmcore)." >&2; echo "makedumpfile Failed." >&2; exit 1 ;;
enospc) head -c 10 "$src" >"$out"; echo "write_buffer: Can't write the dump file($out). No space left on device" >&2; exit 1 ;;
esac
EOF
chmod +x "$tmp/bin/makedumpfile"

# The fake ssh: the options up to USER@HOST are logged (FAKE_SSH_LOG), then
# the "remote" command runs here, in sh, with stdin and stdout passed
# through: NET_PATH is a directory of this test. FAKE_SSH says how the
# server behaves: ok, down (connection refused), refused (the key).
cat >"$tmp/bin/ssh" <<'EOF'
#!/bin/sh
opts=''
while [ $# -gt 0 ]; do
	case $1 in
	-F | -i | -p | -o) opts="$opts $1 $2"; shift 2 ;;
	*@*) dest=$1; shift; break ;;
	*) opts="$opts $1"; shift ;;
	esac
done
echo "$dest$opts :: $*" >>"$FAKE_SSH_LOG"
case ${FAKE_SSH:-ok} in
down) printf 'ssh: connect to host %s port 22: Connection refused\r\n' "${dest#*@}" >&2; exit 255 ;;
refused) echo "$dest: Permission denied (publickey)." >&2; exit 255 ;;
esac
exec sh -c "$*"
EOF
chmod +x "$tmp/bin/ssh"
printf 'ELF fake vmcore\n' >"$tmp/vmcore"
printf 'MemTotal:          98304 kB\nMemFree:           20000 kB\n' >"$tmp/meminfo"

# The hooks: each appends "NAME ARGS (env ...) vmcore: yes|no" to
# DIR/hooks.txt (to $HOOK_SPILL without a DIR) and prints a line.
mkdir -p "$tmp/hooks"
export HOOK_SPILL=$tmp/hooks/spill.txt
for hk in pre post fail; do
	cat >"$tmp/hooks/$hk" <<EOF
#!/bin/sh
echo "$hk hook output"
v=no; [ -e "\$1/vmcore" ] && v=yes
[ "$hk" = fail ] && exit 3
if [ "$hk" = pre ]; then env=\$LAZY_KDUMP_DUMP_DIR; else env=\$LAZY_KDUMP_RESULT; fi
out=\$HOOK_SPILL; [ -n "\$1" ] && out=\$1/hooks.txt
echo "$hk \$* (env \$env) vmcore: \$v" >>"\$out"
EOF
done
printf '#!/bin/sh\nexec sleep 30\n' >"$tmp/hooks/hang"
chmod +x "$tmp/hooks/pre" "$tmp/hooks/post" "$tmp/hooks/fail" "$tmp/hooks/hang"

# The fake ip (LAZY_KDUMP_IP: busybox sh would run its own applet before
# one in PATH, on this host's network): logs its arguments; 'addr show'
# prints FAKE_IP_ADDR. A made-up /sys/class/net (LAZY_KDUMP_SYSNET) with
# one card, lkdtest0, a name no real card has.
cat >"$tmp/bin/ip" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_IP_LOG"
case "$*" in
*"addr show"*) [ -z "${FAKE_IP_ADDR:-}" ] || printf '%s\n' "$FAKE_IP_ADDR" ;;
esac
exit 0
EOF
chmod +x "$tmp/bin/ip"
# The fake busybox (LAZY_KDUMP_BUSYBOX): udhcpc logs its arguments, nothing
# else runs.
cat >"$tmp/bin/fake-busybox" <<'EOF'
#!/bin/sh
echo "busybox $*" >>"$FAKE_IP_LOG"
[ "$1" = udhcpc ]
EOF
chmod +x "$tmp/bin/fake-busybox"
mkdir -p "$tmp/sysnet/lkdtest0"
echo 52:54:00:aa:bb:cc >"$tmp/sysnet/lkdtest0/address"

shells=()
for s in "busybox sh" dash bash; do
	command -v "${s%% *}" >/dev/null && shells+=("$s")
done

# capture SHELL CASE SETTINGS CMDLINE FAKE_MDF [VMCORE]: run the script
# with SETTINGS as its settings file (after the line lazy-kdump config
# --capture starts it with; $raw_settings=1: SETTINGS as they are;
# $no_settings=1: no file); sets case_dir, rc.
capture() {
	local sh=$1 name=$2 conf=$3 cmdline=$4 mdf=$5 vmcore=${6:-$tmp/vmcore}
	case_dir=$tmp/${sh// /-}-$name
	mkdir -p "$case_dir/target" "$case_dir/run"
	if [ "${raw_settings:-0}" = 1 ]; then
		printf '%s\n' "$conf" >"$case_dir/lazy-kdump.conf"
	elif [ "${no_settings:-0}" != 1 ]; then
		printf '# lazy-kdump-capture-conf 1\n%s\n' "$conf" >"$case_dir/lazy-kdump.conf"
	fi
	printf '%s\n' "$cmdline" >"$case_dir/cmdline"
	printf 'nr_free_pages 100\noom_kill 7\n' >"$case_dir/vmstat"
	rc=0
	# shellcheck disable=SC2086 # "busybox sh"
	env PATH="$tmp/bin:$PATH" FAKE_MDF="$mdf" FAKE_MDF_LOG="$case_dir/mdf.log" \
		LAZY_KDUMP_CONF="$case_dir/lazy-kdump.conf" LAZY_KDUMP_VMCORE="$vmcore" \
		LAZY_KDUMP_CMDLINE="$case_dir/cmdline" LAZY_KDUMP_MNT="$case_dir/target" \
		LAZY_KDUMP_NOMOUNT="${nomount:-1}" LAZY_KDUMP_NODRIVERS=1 LAZY_KDUMP_FINAL=none \
		LAZY_KDUMP_VMSTAT="$case_dir/vmstat" FAKE_VMSTAT="$case_dir/vmstat" \
		FAKE_SSH_LOG="$case_dir/ssh.log" LAZY_KDUMP_NONET="${nonet:-1}" \
		LAZY_KDUMP_NETCONF="${net_file:-$case_dir/no-net}" LAZY_KDUMP_SYSNET="$tmp/sysnet" \
		FAKE_IP_LOG="$case_dir/ip.log" LAZY_KDUMP_IP="$tmp/bin/ip" LAZY_KDUMP_BUSYBOX="$tmp/bin/fake-busybox" \
		LAZY_KDUMP_ISCSI="${iscsi_file:-$case_dir/no-iscsi}" FAKE_ISCSI_LOG="$case_dir/iscsi.log" \
		LAZY_KDUMP_MEMINFO="$tmp/meminfo" \
		LAZY_KDUMP_RUNDIR="${LAZY_KDUMP_RUNDIR:-$case_dir/run}" TMPDIR="${TMPDIR:-$tmp}" \
		LAZY_KDUMP_KMSG=0 $sh "${cap_script:-$script}" >"$case_dir/out" 2>&1 || rc=$?
}

# The one dump directory under DIR (empty when none or several).
one_dir() {
	local dirs=("$1"/*/)
	[ ${#dirs[@]} -eq 1 ] && [ -d "${dirs[0]}" ] && echo "${dirs[0]%/}"
}
status_of() { sed -n "s/^$2=//p" "$1/status" 2>/dev/null; }

for sh in "${shells[@]}"; do
	# A complete capture; CORE_COLLECTOR with blanks, verbatim.
	conf="# a comment line
DUMP_TARGET=/var/crash
CORE_COLLECTOR=makedumpfile -l -d 31 --message-level 7
FINAL_ACTION=poweroff
KEEP_DUMPS=3
MIN_FREE=5%"
	capture "$sh" ok "$conf" "root=/dev/vda lazy_kdump.host=web01 ro" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	expect "$sh: a complete capture exits 0" [ "$rc" -eq 0 ]
	expect "$sh: the directory is <host>-<date>" \
		grep -Eq '/web01-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$' <<<"$d"
	expect "$sh: vmcore holds the dump" cmp -s "$tmp/vmcore" "$d/vmcore"
	expect "$sh: no vmcore.incomplete left" [ ! -e "$d/vmcore.incomplete" ]
	expect "$sh: dmesg.txt has the panic line" grep -q 'sysrq triggered crash' "$d/dmesg.txt"
	expect "$sh: status says saved" [ "$(status_of "$d" result)" = saved ]
	expect "$sh: status names the host" [ "$(status_of "$d" host)" = web01 ]
	expect "$sh: status config=ok" [ "$(status_of "$d" config)" = ok ]
	expect "$sh: the collector got its options from the value" \
		grep -qx -- "-l -d 31 --message-level 7 $tmp/vmcore $d/vmcore.incomplete" "$case_dir/mdf.log"
	expect "$sh: dmesg was saved before the dump" \
		[ "$(head -n 1 "$case_dir/mdf.log" | cut -d' ' -f1)" = --dump-dmesg ]
	expect "$sh: lazy-kdump.log tells the story" grep -q 'saved .*/vmcore' "$d/lazy-kdump.log"

	# DEVICE:PATH with the device ignored (no mount here); the collector fails.
	capture "$sh" fail "DUMP_TARGET=UUID=0a1b-2c3d:/dumps" "" fail
	d=$(one_dir "$case_dir/target/dumps" || true)
	expect "$sh: a failing collector exits 1" [ "$rc" -eq 1 ]
	expect "$sh: DEVICE:PATH writes under PATH; the host name falls back to uname -n" \
		grep -q "/dumps/$(printf %s "$(uname -n)" | tr -c 'A-Za-z0-9._-' _)-" <<<"$d"
	expect "$sh: failed collector: dmesg.txt kept" grep -q 'sysrq triggered crash' "$d/dmesg.txt"
	expect "$sh: failed collector: no vmcore" [ ! -e "$d/vmcore" ]
	expect "$sh: failed collector: the partial dump stays marked incomplete" [ -s "$d/vmcore.incomplete" ]
	expect "$sh: failed collector: status says so, with its message" \
		grep -q "reason=.*exit status 1.*makedumpfile Failed" "$d/status"
	expect "$sh: failed collector: status result" [ "$(status_of "$d" result)" = collector-failed ]

	# ENOSPC.
	capture "$sh" enospc "" "" enospc
	d=$(one_dir "$case_dir/target/var/crash" || true)
	expect "$sh: ENOSPC exits 1" [ "$rc" -eq 1 ]
	expect "$sh: ENOSPC: dmesg.txt kept" [ -s "$d/dmesg.txt" ]
	expect "$sh: ENOSPC: the partial dump is removed" [ ! -e "$d/vmcore.incomplete" ] && [ ! -e "$d/vmcore" ]
	expect "$sh: ENOSPC: status result no-space, says what to do" \
		grep -q 'reason=the dump target is full.*free space' "$d/status"
	expect "$sh: ENOSPC: vmcore=removed" [ "$(status_of "$d" vmcore)" = removed ]

	# dmesg fails, the dump works.
	capture "$sh" nodmesg "" "" nodmesg
	d=$(one_dir "$case_dir/target/var/crash" || true)
	expect "$sh: no dmesg: the vmcore is still saved" [ "$rc" -eq 0 ] && [ -s "$d/vmcore" ]
	expect "$sh: no dmesg: status dmesg=failed" [ "$(status_of "$d" dmesg)" = failed ]

	# No settings file: the defaults, said and recorded.
	no_settings=1 capture "$sh" nosettings "" "lazy_kdump.host=h" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: without a settings file: saved to /var/crash, status config=missing, said" \
		holds '[ "$rc" -eq 0 ] && [ "$(status_of "$d" config)" = missing ] &&
		grep -q '\''no readable .*: using the defaults; rebuild the capture initrd'\'' "$case_dir/out"'

	# A settings file lazy-kdump did not write (the raw configuration, as
	# initrds before the normalised copy had it): not parsed, the defaults.
	raw_settings=1 capture "$sh" foreign "DUMP_TARGET='/elsewhere'
CORE_COLLECTOR=\"makedumpfile -c\"" "lazy_kdump.host=h" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: a foreign settings file: the defaults (/var/crash), status config=foreign, said" \
		holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" config)" = foreign ] &&
		[ ! -e "$case_dir/target/elsewhere" ] &&
		grep -q "was not written by '\''lazy-kdump config --capture'\''" "$case_dir/out"'
	expect "$sh: a foreign settings file: the default collector" \
		grep -qx -- "-l -d 31 $tmp/vmcore $d/vmcore.incomplete" "$case_dir/mdf.log"

	# Through lazy-kdump: every syntax of lazy-kdump.conf, normalised by
	# lazy-kdump config --capture, reaches the script as meant.
	if [ -n "$lazy_kdump" ]; then
		printf '%s\n' "# the administrator's file" \
			"KERNEL = /boot/vmlinuz-x   # lazy-kdump's key, not the capture's" \
			"DUMP_TARGET = '/dumps'   # quoted, with a comment" \
			'CORE_COLLECTOR="makedumpfile -l -d 17 --message-level 7"' \
			'FINAL_ACTION=poweroff' 'KEEP_DUMPS = 2' 'MIN_FREE=1M' >"$tmp/admin.conf"
		if "$lazy_kdump" --config "$tmp/admin.conf" config --capture >"$tmp/capture.conf"; then
			raw_settings=1 capture "$sh" e2e "$(cat "$tmp/capture.conf")" "lazy_kdump.host=h" ok
			d=$(one_dir "$case_dir/target/dumps" || true)
			# shellcheck disable=SC2016 # holds evaluates it here
			expect "$sh: lazy-kdump config --capture -> capture: saved under /dumps, config=ok" \
				holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" config)" = ok ]'
			expect "$sh: ... the collector's options as double-quoted in lazy-kdump.conf" \
				grep -qx -- "-l -d 17 --message-level 7 $tmp/vmcore $d/vmcore.incomplete" "$case_dir/mdf.log"
			expect "$sh: ... MIN_FREE=1M taken, in bytes (the log)" \
				grep -q 'MIN_FREE=1048576 (1 MiB)' "$d/lazy-kdump.log"
		else
			fail "$sh: lazy-kdump config --capture of a valid file failed"
		fi
	fi

	# The crash kernel short of memory: one retry with less memory.
	capture "$sh" oom "" "lazy_kdump.host=h" oom
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: OOM-killed twice: exit 1, result short-of-memory, memory=short, crash_mem_mib" \
		holds '[ "$rc" -eq 1 ] && [ "$(status_of "$d" result)" = short-of-memory ] &&
		[ "$(status_of "$d" memory)" = short ] && [ "$(status_of "$d" crash_mem_mib)" = 96 ]'
	expect "$sh: OOM-killed: the reason says raise SIZE (or auto)" \
		grep -q '^reason=the crash kernel ran out of memory (96 MiB in it).*raise SIZE in lazy-kdump.conf (or use SIZE=auto)' "$d/status"
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: OOM-killed: the retry ran with --cyclic-buffer 4096" \
		holds '[ "$(grep -vc -- '\''^--dump-dmesg'\'' "$case_dir/mdf.log")" = 2 ] &&
		grep -q -- '\''^-l -d 31 --cyclic-buffer 4096 '\'' "$case_dir/mdf.log"'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: OOM-killed: said on the console, dmesg.txt kept" \
		holds 'grep -q '\''ran out of memory while makedumpfile -l -d 31 ran (96 MiB'\'' "$case_dir/out" && [ -s "$d/dmesg.txt" ]'

	capture "$sh" oomonce "" "lazy_kdump.host=h" oomonce
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: OOM-killed once: the retry saves the dump, memory=short and a reason" \
		holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" result)" = saved ] &&
		[ "$(status_of "$d" memory)" = short ] && grep -q '\''^reason=.*only a retry with less memory saved the dump: raise SIZE'\'' "$d/status"'

	capture "$sh" enomem "CORE_COLLECTOR=makedumpfile -c --cyclic-buffer 1024" "lazy_kdump.host=h" enomem
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: the collector cannot allocate: short-of-memory; a given --cyclic-buffer is kept" \
		holds '[ "$rc" -eq 1 ] && [ "$(status_of "$d" result)" = short-of-memory ] &&
		[ "$(grep -c -- '\''--cyclic-buffer'\'' "$case_dir/mdf.log")" = 2 ] &&
		! grep -q -- '\''--cyclic-buffer 4096'\'' "$case_dir/mdf.log"'

	capture "$sh" txtbsy "" "lazy_kdump.host=h" txtbsy
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: Text file busy: retried after a second, saved, memory=ok" \
		holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" memory)" = ok ] &&
		grep -q '\''could not be started (Text file busy): retrying in 1 s (1 of 3)'\'' "$case_dir/out"'

	capture "$sh" fail2 "" "" fail
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: an ordinary failure is not taken for memory: memory=ok, one try" \
		holds '[ "$(status_of "$d" memory)" = ok ] && [ "$(status_of "$d" result)" = collector-failed ] &&
		[ "$(grep -vc -- '\''^--dump-dmesg'\'' "$case_dir/mdf.log")" = 1 ]'

	# Not a crash kernel: nothing happens.
	capture "$sh" novmcore "" "" ok "$tmp/no-such-vmcore"
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: without a vmcore it exits 2 and writes nothing" \
		holds '[ "$rc" -eq 2 ] && [ -z "$(ls -A "$case_dir/target")" ]'

	# A DUMP_TARGET that is not a path.
	capture "$sh" badtarget "DUMP_TARGET=var/crash" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: a relative DUMP_TARGET is refused with the syntax" \
		holds '[ "$rc" -eq 1 ] && grep -q '\''neither PATH nor DEVICE:PATH'\'' "$case_dir/out"'
	expect "$sh: ... and the status is kept in memory" grep -q '^result=no-target' "$case_dir/run/status"

	# Two captures in the same second do not share a directory.
	capture "$sh" twice "" "lazy_kdump.host=h" ok
	mkdir -p "$case_dir/target/var/crash/h-$(date +%Y-%m-%d-%H:%M:%S)"
	capture "$sh" twice "" "lazy_kdump.host=h" ok
	expect "$sh: an existing directory is not reused" \
		[ "$(find "$case_dir/target/var/crash" -name vmcore | wc -l)" -ge 2 ]

	# No writable scratch directory (/run and $TMPDIR unusable): the dump is
	# still saved. A redirection error must not end the script (it would in
	# dash and busybox sh on a special built-in such as ':').
	printf x >"$tmp/afile"
	LAZY_KDUMP_RUNDIR=$tmp/afile/run TMPDIR=$tmp/afile capture "$sh" norun "" "" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: without a scratch directory the dump is still saved" \
		holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" result)" = saved ]'

	# A host name with a slash cannot escape the dump path.
	capture "$sh" slash "" "lazy_kdump.host=../x/y" ok
	expect "$sh: the host name is one path component" \
		[ -n "$(find "$case_dir/target/var/crash" -mindepth 1 -maxdepth 1 -name '.._x_y-*')" ]

	# Retention through a real capture: KEEP_DUMPS=2 keeps the newest old
	# dump and the new one; what is not a dump is never touched.
	rdir=$tmp/${sh// /-}-keep/target/var/crash
	mkdir -p "$rdir/notes"
	for day in 01 02 03; do
		mkdir -p "$rdir/h-2020-01-$day-00:00:00"
		echo old >"$rdir/h-2020-01-$day-00:00:00/vmcore"
	done
	capture "$sh" keep "KEEP_DUMPS=2
MIN_FREE=0" "lazy_kdump.host=h" ok
	expect "$sh: KEEP_DUMPS=2: the capture succeeds" [ "$rc" -eq 0 ]
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: KEEP_DUMPS=2: the two oldest dumps are removed" \
		holds '[ ! -e "$rdir/h-2020-01-01-00:00:00" ] && [ ! -e "$rdir/h-2020-01-02-00:00:00" ]'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: KEEP_DUMPS=2: the newest old dump and the new one stay, other directories too" \
		holds '[ -e "$rdir/h-2020-01-03-00:00:00/vmcore" ] && [ -d "$rdir/notes" ] &&
		[ "$(find "$rdir" -mindepth 2 -maxdepth 2 -name vmcore | wc -l)" -eq 2 ]'
	d=$(find "$rdir" -mindepth 1 -maxdepth 1 -name "h-$(date +%Y)-*" | head -n 1)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: KEEP_DUMPS=2: status retention=applied, the log names what went" \
		holds '[ "$(status_of "$d" retention)" = applied ] &&
		grep -q '\''removed the old dump h-2020-01-01-00:00:00 (KEEP_DUMPS=2)'\'' "$d/lazy-kdump.log"'

	# MIN_FREE: a dump that would cross it stops at the size limit; old
	# dumps go first, the newest old one stays.
	head -c $((3 << 20)) /dev/zero >"$tmp/vmcore-3m"
	rdir=$tmp/${sh// /-}-minfree/target/var/crash
	for day in 01 02; do
		mkdir -p "$rdir/h-2020-01-$day-00:00:00"
		echo old >"$rdir/h-2020-01-$day-00:00:00/vmcore"
	done
	capture "$sh" minfree "MIN_FREE=100%
KEEP_DUMPS=0" "lazy_kdump.host=h" ok "$tmp/vmcore-3m"
	d=$(find "$rdir" -mindepth 1 -maxdepth 1 -name "h-$(date +%Y)-*" | head -n 1)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: MIN_FREE reached: exit 1, result no-space, says MIN_FREE" \
		holds '[ "$rc" -eq 1 ] && [ "$(status_of "$d" result)" = no-space ] &&
		grep -q '\''^reason=the dump target is full: the dump would leave less than MIN_FREE free'\'' "$d/status"'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: MIN_FREE reached: the partial dump is removed, dmesg.txt kept" \
		holds '[ ! -e "$d/vmcore.incomplete" ] && [ ! -e "$d/vmcore" ] && [ -s "$d/dmesg.txt" ]'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: MIN_FREE reached: the oldest dump removed, the newest old one kept" \
		holds '[ ! -e "$rdir/h-2020-01-01-00:00:00" ] && [ -e "$rdir/h-2020-01-02-00:00:00/vmcore" ]'

	# No retention script in the initrd: said, recorded, the dump saved.
	if [ ! -e /usr/lib/lazy-kdump/lazy-kdump-prune.sh ]; then
		mkdir -p "$tmp/alone"
		cp "$script" "$tmp/alone/lazy-kdump-capture.sh"
		cap_script=$tmp/alone/lazy-kdump-capture.sh capture "$sh" noprune "KEEP_DUMPS=1" "" ok
		d=$(one_dir "$case_dir/target/var/crash" || true)
		# shellcheck disable=SC2016 # holds evaluates it here
		expect "$sh: without lazy-kdump-prune.sh: saved, status retention=missing, said" \
			holds '[ "$rc" -eq 0 ] && [ "$(status_of "$d" retention)" = missing ] &&
			grep -q '\''KEEP_DUMPS and MIN_FREE are not applied'\'' "$case_dir/out"'
	fi

	# KDUMP_PRE and KDUMP_POST: in order, with the dump directory (and the
	# result); a failing, hanging or missing hook never costs the dump.
	h=$tmp/hooks
	capture "$sh" hooks "KDUMP_PRE=$h/pre $h/fail $h/missing
KDUMP_POST=$h/hang $h/post
HOOK_TIMEOUT=1" "lazy_kdump.host=h" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: hooks: the dump is saved whatever the hooks do" \
		holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" result)" = saved ]'
	expect "$sh: hooks: pre ran before the dump with DIR, post after it with DIR and the result, in order" \
		[ "$(cat "$d/hooks.txt" 2>/dev/null)" = "pre $d (env $d) vmcore: no
post $d saved (env saved) vmcore: yes" ]
	expect "$sh: hooks: status hooks=failed" [ "$(status_of "$d" hooks)" = failed ]
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: hooks: the failing, missing and hanging hooks are named in the log, with the output" \
		holds 'grep -q "the pre hook $h/fail failed (exit status 3)" "$d/lazy-kdump.log" &&
		grep -q "the pre hook $h/missing is not an executable file" "$d/lazy-kdump.log" &&
		grep -q "the post hook $h/hang did not finish within HOOK_TIMEOUT=1 s and was killed" "$d/lazy-kdump.log" &&
		grep -q '\''^pre hook output$'\'' "$d/lazy-kdump.log" && grep -q '\''^fail hook output$'\'' "$d/lazy-kdump.log"'
	capture "$sh" hooksok "KDUMP_PRE=$h/pre
KDUMP_POST=$h/post" "lazy_kdump.host=h" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: hooks that succeed: status hooks=ok" \
		holds '[ "$rc" -eq 0 ] && [ "$(status_of "$d" hooks)" = ok ] && [ "$(wc -l <"$d/hooks.txt")" = 2 ]'
	capture "$sh" nohooks "" "lazy_kdump.host=h" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	expect "$sh: no hooks: status hooks=none" [ "$(status_of "$d" hooks)" = none ]
	# The dump target unreachable: KDUMP_POST still runs (to alert), with
	# an empty DIR and the result.
	rm -f "$HOOK_SPILL"
	capture "$sh" hooksnotarget "DUMP_TARGET=var/crash
KDUMP_POST=$h/post" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: hooks: an unreachable target still runs KDUMP_POST with DIR '' and result no-target" \
		holds '[ "$rc" -eq 1 ] && grep -qx "post  no-target (env no-target) vmcore: no" "$HOOK_SPILL"'

	# The emergency.service of the capture initrd (lazy-kdump-emergency.sh):
	# it waits while the capture runs, then reboots; it reboots at once
	# when the capture is not running. systemctl and sleep are stubs: the
	# states lazy-kdump-capture.service goes through, one per call
	# (busybox sh sleeps with its own applet: 2 s each).
	emergency() {
		local states=$1
		case_dir=$tmp/emergency-${sh// /-}-$2
		mkdir -p "$case_dir/bin"
		# shellcheck disable=SC2086 # one state a line
		printf '%s\n' $states >"$case_dir/states" # one state a line
		cat >"$case_dir/bin/systemctl" <<'STUB'
#!/bin/sh
d=${0%/bin/*}
if [ "$1 $2 $3 $4" = "show -P ActiveState lazy-kdump-capture.service" ]; then
	head -n 1 "$d/states"
	[ "$(wc -l <"$d/states")" -gt 1 ] && sed -i 1d "$d/states"
	echo show >>"$d/calls"
	exit 0
fi
echo "$*" >>"$d/calls"
STUB
		printf '#!/bin/sh\necho "sleep $*" >>"%s/calls"\n' "$case_dir" >"$case_dir/bin/sleep"
		chmod +x "$case_dir/bin/systemctl" "$case_dir/bin/sleep"
		# shellcheck disable=SC2086 # "busybox sh"
		PATH=$case_dir/bin:$PATH $sh "$emergency_script" >"$case_dir/out" 2>&1
	}
	emergency "activating activating activating inactive" running
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: emergency while the capture runs: waits for it, then reboots" \
		holds '[ "$(grep -c '\''^show$'\'' "$case_dir/calls")" = 4 ] && [ "$(tail -n 1 "$case_dir/calls")" = "--force reboot" ] &&
		grep -q '\''while the capture runs; waiting for the capture'\'' "$case_dir/out" &&
		grep -q '\''the capture ended (inactive) without its final action; rebooting'\'' "$case_dir/out"'
	emergency "inactive" never
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: emergency before the capture ran: reboots at once" \
		holds '[ "$(grep -c '\''^show$'\'' "$case_dir/calls")" = 1 ] && [ "$(tail -n 1 "$case_dir/calls")" = "--force reboot" ] &&
		grep -q '\''failed before the capture ran (lazy-kdump-capture.service: inactive)'\'' "$case_dir/out"'
	emergency "deactivating failed" ended
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: emergency while the capture stops: waits, then reboots" \
		holds '[ "$(grep -c '\''^show$'\'' "$case_dir/calls")" = 2 ] && [ "$(tail -n 1 "$case_dir/calls")" = "--force reboot" ]'


	# holds CONDITION: CONDITION (shell, evaluated here) holds.
	# FAILURE_ACTION: the target's directory cannot be made (a file is in
	# the way: result no-target).
	block() { mkdir -p "$tmp/${sh// /-}-$1/target" && for b in "${@:2}"; do mkdir -p "$(dirname "$tmp/${sh// /-}-$1/target/$b")" && : >"$tmp/${sh// /-}-$1/target/$b"; done; }
	block fallback dumps
	capture "$sh" fallback "DUMP_TARGET=UUID=0a1b-2c3d:/dumps
FAILURE_ACTION=dump-local" "lazy_kdump.host=h" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: FAILURE_ACTION=dump-local: the target out of reach, the dump is saved in /var/crash of the root file system (exit 0)" \
		holds '[ "$rc" -eq 0 ] && [ -s "$d/vmcore" ] && [ "$(status_of "$d" result)" = saved ]'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ... its status says fallback=dump-local, the target and why" \
		holds '[ "$(status_of "$d" fallback)|$(status_of "$d" target)" = "dump-local|UUID=0a1b-2c3d:/dumps" ] && grep -q '"'"'^reason=the dump target UUID=0a1b-2c3d:/dumps was out of reach (cannot create /dumps on the dump target.*): saved on the root file system instead (FAILURE_ACTION=dump-local)'"'"' "$d/status"'
	block fbroot dumps
	capture "$sh" fbroot "DUMP_TARGET=/dumps
FAILURE_ACTION=dump-local" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: FAILURE_ACTION=dump-local with the target on the root file system already: exit 1, said" \
		holds '[ "$rc" -eq 1 ] && grep -q '"'"'on the root file system already'"'"' "$case_dir/run/status"'
	block fbboth dumps var
	capture "$sh" fbboth "DUMP_TARGET=LABEL=x:/dumps
FAILURE_ACTION=dump-local" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: FAILURE_ACTION=dump-local failing too: exit 1, fallback=failed, both reasons" \
		holds '[ "$rc" -eq 1 ] && grep -qx '"'"'fallback=failed'"'"' "$case_dir/run/status" && grep -q '"'"'^reason=cannot create /dumps.*; FAILURE_ACTION=dump-local could not reach the root file system either: cannot create /var/crash'"'"' "$case_dir/run/status"'
	# A raw device that never appears, and root= neither (no mount here:
	# the devices are simply missing): result stays no-target.
	nomount=0 capture "$sh" fbmissing "DUMP_TARGET=raw:/dev/lazy-missing
FAILURE_ACTION=dump-local" "root=/dev/lazy-missing-root lazy_kdump.wait=0" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: FAILURE_ACTION=dump-local, neither the raw device nor root= there: result=no-target, fallback=failed" \
		holds '[ "$rc" -eq 1 ] && grep -qx result=no-target "$case_dir/run/status" && grep -qx fallback=failed "$case_dir/run/status" && grep -q "^reason=the dump device /dev/lazy-missing did not appear within 0 s; FAILURE_ACTION=dump-local could not reach the root file system either: the dump device /dev/lazy-missing-root did not appear" "$case_dir/run/status"'
	block fapower dumps
	capture "$sh" fapower "DUMP_TARGET=LABEL=x:/dumps
FAILURE_ACTION=poweroff" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: FAILURE_ACTION=poweroff: that action instead of FINAL_ACTION, fallback=none" \
		holds '[ "$rc" -eq 1 ] && grep -q '"'"'FAILURE_ACTION=poweroff: poweroff instead of FINAL_ACTION'"'"' "$case_dir/run/capture.log" && grep -qx '"'"'fallback=none'"'"' "$case_dir/run/status"'
	capture "$sh" fareached "FAILURE_ACTION=poweroff" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: FAILURE_ACTION does nothing when the target is reached" \
		holds '[ "$rc" -eq 0 ] && ! grep -q '"'"'FAILURE_ACTION'"'"' "$case_dir/run/capture.log"'
	# DUMP_TARGET=raw:DEVICE (a file stands for the device): the header,
	# dmesg.txt and the log at their offsets, the flattened dump from
	# 16 MiB; nothing written under the mount point.
	for m in ok enospc; do
		rm -f "$tmp/raw-$m"
		truncate -s 20M "$tmp/raw-$m"
		LAZY_KDUMP_RAW_FILE=$tmp/raw-$m capture "$sh" "raw-$m" "DUMP_TARGET=raw:/dev/disk/by-partlabel/crashdump
CORE_COLLECTOR=makedumpfile -l -d 31" "lazy_kdump.host=db02" "$m"
		hdr=$(head -c 4096 "$tmp/raw-$m" | tr -d '\000')
		hv() { sed -n "s/^$1=//p" <<<"$hdr" | head -n 1; }
		if [ "$m" = ok ]; then
			expect "$sh: raw: a complete capture exits 0" [ "$rc" -eq 0 ]
			expect "$sh: raw: the header starts with its magic, state=complete, result=saved" \
				[ "$(head -n 1 <<<"$hdr")|$(hv state)|$(hv result)" = "lazy-kdump-raw 1|complete|saved" ]
			expect "$sh: raw: the collector ran with -F and no output file" \
				grep -qx -- "-l -d 31 -F $tmp/vmcore" "$case_dir/mdf.log"
			{ printf FLAT; cat "$tmp/vmcore"; printf END; } >"$tmp/flat"
			expect "$sh: raw: the flattened dump starts at 16 MiB" \
				cmp -s "$tmp/flat" <(tail -c +16777217 "$tmp/raw-$m" | head -c "$(wc -c <"$tmp/flat")")
			want=$(wc -c <"$tmp/flat")
			[ "$sh" != "busybox sh" ] || want=0
			expect "$sh: raw: vmcore_bytes is what dd wrote (0 where dd does not say: busybox)" \
				[ "$(hv vmcore_bytes)" = "$want" ]
			expect "$sh: raw: dmesg.txt at dmesg_offset, dmesg_bytes long" \
				grep -q 'sysrq triggered crash' <(tail -c +$(($(hv dmesg_offset) + 1)) "$tmp/raw-$m" | head -c "$(hv dmesg_bytes)")
			expect "$sh: raw: the log at log_offset ends with the status line" \
				grep -q 'status (saved): in the header of the raw device' <(tail -c +$(($(hv log_offset) + 1)) "$tmp/raw-$m" | head -c "$(hv log_bytes)")
			# shellcheck disable=SC2016 # holds evaluates it here
			expect "$sh: raw: the header names the host, the dump time and dir=raw:DEVICE" \
				holds '[ "$(hv host)|$(hv dir)" = "db02|raw:/dev/disk/by-partlabel/crashdump" ] && grep -Eq '\''^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}$'\'' <<<"$(hv stamp)"'
			expect "$sh: raw: retention=deferred (applied where the next boot saves it)" [ "$(hv retention)" = deferred ]
			expect "$sh: raw: nothing written under the mount point" [ -z "$(ls -A "$case_dir/target")" ]
			cp "$tmp/raw-$m" "$tmp/raw-saved-${sh// /-}"
		else
			# shellcheck disable=SC2016 # holds evaluates it here
			expect "$sh: raw: a device too small: exit 1, result=no-space, says what to do" \
				holds '[ "$rc" -eq 1 ] && [ "$(hv result)|$(hv vmcore)" = "no-space|incomplete" ] && grep -q '\''reason=the raw dump device .* is full.*larger device'\'' <<<"$hdr"'
		fi
	done
	# A raw target the collector cannot write to: not makedumpfile.
	truncate -s 20M "$tmp/raw-cp"
	LAZY_KDUMP_RAW_FILE=$tmp/raw-cp capture "$sh" raw-fail "DUMP_TARGET=raw:/dev/vdb" "" fail
	hdr=$(head -c 4096 "$tmp/raw-cp" | tr -d '\000')
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: raw: a failing collector: exit 1, result=collector-failed with its message, dmesg kept" \
		holds '[ "$rc" -eq 1 ] && grep -qx '\''result=collector-failed'\'' <<<"$hdr" && grep -q "reason=.*Can'\''t read the dump memory" <<<"$hdr" && grep -qx '\''dmesg=saved'\'' <<<"$hdr"'

	# DUMP_TARGET=ssh:// (the fake ssh runs the server's commands here,
	# in $case_dir/server): dmesg.txt, vmcore.flat renamed when complete,
	# the log and the status there; KEEP_DUMPS among this host's dumps.
	srv=$tmp/${sh// /-}-ssh-server
	mkdir -p "$srv"
	for old in web01-2020-01-01-00:00:00 web01-2021-01-01-00:00:00 web01-2022-01-01-00:00:00 db01-2019-01-01-00:00:00; do
		mkdir -p "$srv/$old"
	done
	sshconf="DUMP_TARGET=ssh://kdump@dumps:2222$srv
KEEP_DUMPS=2
NET_KIND=ssh
NET_HOST=192.0.2.7
NET_PATH=$srv
NET_USER=kdump
NET_PORT=2222
SSH_KEY=/etc/lazy-kdump/ssh/k"
	capture "$sh" ssh "$sshconf" "lazy_kdump.host=web01" ok
	d=$(find "$srv" -maxdepth 1 -name 'web01-202[3-9]*' -printf '%f\n' | sort | head -n 1)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: a complete capture exits 0, result=saved in the status on the server" \
		holds '[ "$rc" -eq 0 ] && [ -n "$d" ] && grep -qx result=saved "$srv/$d/status"'
	{ printf FLAT; cat "$tmp/vmcore"; printf END; } >"$tmp/flat"
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: vmcore.flat on the server is makedumpfile -F's stream, no .incomplete left" \
		holds 'cmp -s "$tmp/flat" "$srv/$d/vmcore.flat" && [ ! -e "$srv/$d/vmcore.flat.incomplete" ]'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: dmesg.txt and lazy-kdump.log on the server" \
		holds 'grep -q '\''sysrq triggered crash'\'' "$srv/$d/dmesg.txt" && grep -q '\''saved .*/vmcore.flat on the dump server 192.0.2.7'\'' "$srv/$d/lazy-kdump.log"'
	expect "$sh: ssh: dmesg.txt was sent before the dump started" \
		[ "$(grep -n 'dmesg.txt' "$case_dir/ssh.log" | head -n 1 | cut -d: -f1)" -lt "$(grep -n 'vmcore.flat.incomplete' "$case_dir/ssh.log" | head -n 1 | cut -d: -f1)" ]
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: as kdump@192.0.2.7, port 2222, SSH_KEY, the known host key only, under its name" \
		holds 'grep -q "^kdump@192.0.2.7 .*-i /etc/lazy-kdump/ssh/k -p 2222 .*-o StrictHostKeyChecking=yes .*-o HostKeyAlias=192.0.2.7" "$case_dir/ssh.log"'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: KEEP_DUMPS=2: the oldest two of this host's dumps removed, another host's kept" \
		holds '[ "$(find "$srv" -maxdepth 1 -name '\''web01-*'\'' -printf '\''%f\n'\'' | sort | tr '\''\n'\'' '\'' '\'')" = "web01-2022-01-01-00:00:00 $d " ] && [ -d "$srv/db01-2019-01-01-00:00:00" ]'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: the status says dir= on the server and retention=applied" \
		holds 'grep -qx "dir=$srv/$d" "$srv/$d/status" && grep -qx retention=applied "$srv/$d/status"'
	# A dump that does not finish: the partial stream keeps its name.
	capture "$sh" ssh-fail "$sshconf" "lazy_kdump.host=web01" fail
	d=$(find "$srv" -maxdepth 1 -name 'web01-202[3-9]*' -printf '%f\n' | sort | tail -n 1)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: a failing collector: exit 1, collector-failed, vmcore.flat.incomplete stays, no vmcore.flat" \
		holds '[ "$rc" -eq 1 ] && grep -qx result=collector-failed "$srv/$d/status" && [ -e "$srv/$d/vmcore.flat.incomplete" ] && [ ! -e "$srv/$d/vmcore.flat" ]'
	# MIN_FREE: the stream is cut where it would be crossed.
	head -c 3000000 /dev/zero >"$tmp/bigcore"
	capture "$sh" ssh-full "${sshconf/KEEP_DUMPS=2/KEEP_DUMPS=0
MIN_FREE=99%}" "lazy_kdump.host=big" ok "$tmp/bigcore"
	d=$(find "$srv" -maxdepth 1 -name 'big-20*' -printf '%f\n' | sort | head -n 1)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: MIN_FREE would be crossed: the stream cut at 1 MiB, result=no-space" \
		holds '[ "$rc" -eq 1 ] && grep -qx result=no-space "$srv/$d/status" && [ "$(wc -c <"$srv/$d/vmcore.flat.incomplete")" -eq 1048576 ]'
	# The server does not answer: after lazy_kdump.wait, FAILURE_ACTION.
	FAKE_SSH=down capture "$sh" ssh-down "$sshconf
FAILURE_ACTION=dump-local" "lazy_kdump.host=web01 lazy_kdump.wait=2" ok
	d=$(one_dir "$case_dir/target/var/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: ssh's \\r in the reason does not reach the status" \
		holds '[ -n "$d" ] && ! grep -q "$(printf "\r")" "$d/status"'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: the server down: FAILURE_ACTION=dump-local saved it in /var/crash, saying why" \
		holds '[ "$rc" -eq 0 ] && [ -n "$d" ] && grep -qx fallback=dump-local "$d/status" && grep -qx "target=ssh://kdump@dumps:2222$srv" "$d/status" && grep -q '\''^reason=.*the dump server kdump@192.0.2.7:2222 did not answer within 2 s'\'' "$d/status"'
	FAKE_SSH=refused capture "$sh" ssh-refused "$sshconf" "lazy_kdump.host=web01 lazy_kdump.wait=30" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: the key refused: no-target at once (no waiting), saying so" \
		holds '[ "$rc" -eq 1 ] && grep -qx result=no-target "$case_dir/run/status" && grep -q '\''^reason=the dump server refused: kdump@192.0.2.7:2222'\'' "$case_dir/run/status" && [ "$(grep -c . "$case_dir/ssh.log")" -eq 1 ]'
	capture "$sh" ssh-noparts "DUMP_TARGET=ssh://h/x" "" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: ssh: settings without the target's parts: no-target, rebuild the initrd" \
		holds '[ "$rc" -eq 1 ] && grep -q '\''^reason=DUMP_TARGET=ssh://h/x: the settings lack its parts.*mkinitrd --force'\'' "$case_dir/run/status"'
	# nfs:// (LAZY_KDUMP_NOMOUNT: the export is the mount point here).
	capture "$sh" nfs "DUMP_TARGET=nfs://dumps:/export/crash
NET_KIND=nfs
NET_HOST=192.0.2.7
NET_PATH=/export/crash
NFS_OPTIONS=nolock" "lazy_kdump.host=web01" ok
	d=$(one_dir "$case_dir/target" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: nfs: the dump at the export's top, as on a file system" \
		holds '[ "$rc" -eq 0 ] && [ -n "$d" ] && cmp -s "$tmp/vmcore" "$d/vmcore" && grep -qx result=saved "$d/status"'

	# net_up, as /etc/lazy-kdump-net says (the fake ip and sysnet):
	# the card found by its MAC address, a static IPv4 address and the
	# route through a gateway; IPv6 static (nodad) and by router
	# advertisements (auto6: waits for an address that is not
	# tentative); a card that never appears.
	nfsconf="DUMP_TARGET=nfs://dumps:/export/crash
NET_KIND=nfs
NET_PATH=/export/crash
NFS_OPTIONS=vers=3,nolock"
	netrec() { printf 'ifname=ens3\nmac=%s\ndriver=\nmethod=%s\naddress=%s\ngateway=%s\nserver=%s\nalias=dumps\n' "$@" >"$tmp/net.rec"; }
	netrec 52:54:00:aa:bb:cc static 203.0.113.50/24 203.0.113.1 198.51.100.9
	FAKE_IP_ADDR="2: lkdtest0    inet 203.0.113.50/24 scope global lkdtest0" nonet=0 net_file=$tmp/net.rec \
		capture "$sh" net4gw "$nfsconf
NET_HOST=198.51.100.9" "lazy_kdump.host=web01" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: static IPv4 through a gateway: the card up, its address, the route to the server" \
		holds '[ "$rc" -eq 0 ] && grep -qx "link set dev lkdtest0 up" "$case_dir/ip.log" && grep -qx "addr add 203.0.113.50/24 dev lkdtest0" "$case_dir/ip.log" && grep -qx "route add 198.51.100.9 via 203.0.113.1 dev lkdtest0" "$case_dir/ip.log" && grep -q "network: lkdtest0 up, 203.0.113.50/24, via 203.0.113.1 (static)" "$case_dir/out"'
	netrec 52:54:00:aa:bb:cc dhcp "" 203.0.113.1 198.51.100.9
	FAKE_IP_ADDR="2: lkdtest0    inet 203.0.113.77/24 scope global dynamic lkdtest0" nonet=0 net_file=$tmp/net.rec \
		capture "$sh" net4dhcpgw "$nfsconf
NET_HOST=198.51.100.9" "lazy_kdump.host=web01" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: DHCP, the server behind a router: udhcpc on the card, then the route through that router" \
		holds '[ "$rc" -eq 0 ] && grep -q "^busybox udhcpc -i lkdtest0 " "$case_dir/ip.log" && grep -qx "route add 198.51.100.9 via 203.0.113.1 dev lkdtest0" "$case_dir/ip.log" && grep -q "network: lkdtest0 up, 203.0.113.77/24, via 203.0.113.1 (dhcp)" "$case_dir/out"'
	netrec 52:54:00:aa:bb:cc dhcp "" "" 203.0.113.9
	FAKE_IP_ADDR="2: lkdtest0    inet 203.0.113.77/24 scope global dynamic lkdtest0" nonet=0 net_file=$tmp/net.rec \
		capture "$sh" net4dhcp "$nfsconf
NET_HOST=203.0.113.9" "lazy_kdump.host=web01" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: DHCP, the server on the link: no route added" \
		holds '[ "$rc" -eq 0 ] && grep -q "^busybox udhcpc" "$case_dir/ip.log" && ! grep -q "route add" "$case_dir/ip.log"'
	netrec 52:54:00:aa:bb:cc static fd77::50/64 fe80::1 fd78::1
	FAKE_IP_ADDR="2: lkdtest0    inet6 fd77::50/64 scope global" nonet=0 net_file=$tmp/net.rec \
		capture "$sh" net6static "$nfsconf
NET_HOST=fd78::1" "lazy_kdump.host=web01" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: static IPv6: the address without duplicate detection (nodad), the route via a link-local router" \
		holds '[ "$rc" -eq 0 ] && grep -qx "addr add fd77::50/64 dev lkdtest0 nodad" "$case_dir/ip.log" && grep -qx "route add fd78::1 via fe80::1 dev lkdtest0" "$case_dir/ip.log" && grep -q "^-o -6 addr show dev lkdtest0 scope global" "$case_dir/ip.log" && grep -q "network: lkdtest0 up, fd77::50/64, via fe80::1 (static)" "$case_dir/out"'
	netrec 52:54:00:aa:bb:cc auto6 "" "" fd77::1
	FAKE_IP_ADDR="2: lkdtest0    inet6 fd77::5054:ff:feaa:bbcc/64 scope global dynamic mngtmpaddr" nonet=0 net_file=$tmp/net.rec \
		capture "$sh" net6auto "$nfsconf
NET_HOST=fd77::1" "lazy_kdump.host=web01" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: IPv6 by router advertisements (auto6): no address given, the kernel's one waited for" \
		holds '[ "$rc" -eq 0 ] && ! grep -q "addr add" "$case_dir/ip.log" && grep -q "network: lkdtest0 up, fd77::5054:ff:feaa:bbcc/64 (auto6)" "$case_dir/out"'
	FAKE_IP_ADDR="2: lkdtest0    inet6 fd77::5054:ff:feaa:bbcc/64 scope global tentative dynamic" nonet=0 net_file=$tmp/net.rec \
		capture "$sh" net6none "$nfsconf
NET_HOST=fd77::1" "lazy_kdump.host=web01 lazy_kdump.wait=2" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: auto6 with only a tentative address until lazy_kdump.wait: no-target, saying why" \
		holds '[ "$rc" -eq 1 ] && grep -qx result=no-target "$case_dir/run/status" && grep -q "^reason=no IPv6 address by router advertisements (SLAAC) on lkdtest0 within 2 s" "$case_dir/run/status"'
	netrec 52:54:00:00:00:99 static 203.0.113.50/24 "" 192.0.2.7
	nonet=0 net_file=$tmp/net.rec capture "$sh" netnocard "$nfsconf
NET_HOST=192.0.2.7" "lazy_kdump.host=web01 lazy_kdump.wait=1" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: net: the card never appears: no-target, naming its MAC address and name" \
		holds '[ "$rc" -eq 1 ] && grep -q "^reason=the network interface 52:54:00:00:00:99 (ens3 on the running system, driver unknown) did not appear within 1 s" "$case_dir/run/status"'

	# A dump target on iSCSI: iscsistart logs in to each session of
	# /etc/lazy-kdump-iscsi (CHAP for the second) before the device is
	# looked for; the secrets never reach the log.
	printf 'target=iqn.2026-12.test:a\nportal=192.0.2.9\nport=3260\ntpgt=1\ninitiator=iqn.1993-08.org.debian:01:host\ntarget=iqn.2026-12.test:b\nportal=192.0.2.9\nport=3261\ntpgt=2\ninitiator=iqn.1993-08.org.debian:01:host\nusername=lazy\npassword=s3cret-pw\n' >"$tmp/iscsi.conf"
	iscsi_file=$tmp/iscsi.conf capture "$sh" iscsi "DUMP_TARGET=UUID=0a0b:/crash" "lazy_kdump.host=web01" ok
	d=$(one_dir "$case_dir/target/crash" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: iscsi: logged in to both sessions, in order, CHAP for the second, then the dump" \
		holds '[ "$rc" -eq 0 ] && [ -n "$d" ] && grep -qx result=saved "$d/status" && [ "$(sed -n 1p "$case_dir/iscsi.log")" = "-i iqn.1993-08.org.debian:01:host -t iqn.2026-12.test:a -g 1 -a 192.0.2.9 -p 3260" ] && [ "$(sed -n 2p "$case_dir/iscsi.log")" = "-i iqn.1993-08.org.debian:01:host -t iqn.2026-12.test:b -g 2 -a 192.0.2.9 -p 3261 -u lazy -w s3cret-pw" ]'
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: iscsi: the log names the sessions, not the CHAP secret" \
		holds 'grep -q "iSCSI: logged in to iqn.2026-12.test:b" "$d/lazy-kdump.log" && ! grep -rq s3cret-pw "$d" "$case_dir/out"'
	# A target at its file system's root (UUID=...:/): no "//" in the
	# dump's path.
	capture "$sh" fsroot "DUMP_TARGET=UUID=0a0b:/" "lazy_kdump.host=web01" ok
	d=$(one_dir "$case_dir/target" || true)
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: a target at the file system's root: the dump at its top, no // in the log" \
		holds '[ "$rc" -eq 0 ] && [ -n "$d" ] && grep -qx result=saved "$d/status" && grep -q "dump directory: /web01-" "$d/lazy-kdump.log" && ! grep -q "//web01-" "$d/lazy-kdump.log"'
	FAKE_ISCSI=fail iscsi_file=$tmp/iscsi.conf capture "$sh" iscsi-fail "DUMP_TARGET=UUID=0a0b:/crash" "lazy_kdump.host=web01 lazy_kdump.wait=2" ok
	# shellcheck disable=SC2016 # holds evaluates it here
	expect "$sh: iscsi: a login refused until lazy_kdump.wait: no-target, with iscsistart's reason" \
		holds '[ "$rc" -eq 1 ] && grep -qx result=no-target "$case_dir/run/status" && grep -q "^reason=cannot log in to the iSCSI target iqn.2026-12.test:a at 192.0.2.9:3260 within 2 s: iscsistart: initiator reported error (24 - iSCSI login failed due to authorization failure)" "$case_dir/run/status"'

done

echo "1..$n"
