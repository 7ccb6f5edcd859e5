# shellcheck shell=dash
# TAP helpers for the guest test scripts (busybox sh). Source it:
#     . /lazy/tests/tap.sh
# A test script prints TAP lines WITHOUT numbers on stdout (the host numbers
# them); stdout is the results port, stderr goes to the console log. Print
# only TAP ("ok - ...", "not ok - ...", "# ...") on stdout: anything else
# shows up as a "# guest:" note on the host.
#
# Environment from /init: LAZY_TEST (t_NAME or crash_NAME), LAZY_GROUP,
# LAZY_TESTS, LAZY_PHASE (main|crash), LAZY_MEM_MB (the -m of the guest).
#
#   ok DESC / not_ok DESC          one result
#   skip DESC REASON               "ok - DESC # SKIP REASON"
#   skip_all REASON                skip the whole script (exit 0)
#   diag TEXT...                   "# TEXT" (every line of TEXT)
#   check DESC CMD [ARGS...]       ok when CMD succeeds; its output as diag
#   is GOT WANT DESC               string equality
#   cmp_ok A OP B DESC             integer test, OP one of -eq -ne -lt -le -gt -ge
#   expect_fail DESC ERR CMD...    ok when CMD fails and reports ERR
#                                  (EINVAL, ENOMEM, ..., "-" for any error)
#   meminfo FIELD                  /proc/meminfo value in kB
#   zone_pages ZONE FIELD [NODE]   sum of a /proc/zoneinfo field (present,
#                                  managed, spanned, nr_free_pages) of a zone
#   iomem_has REGEX                /proc/iomem has a line matching REGEX
#   iomem_ranges NAME              "START END" (hex, no 0x) of every iomem
#                                  entry named exactly NAME, any depth
#   size_bytes SIZE                "512M", "1G", "4096" -> bytes
#   require_module                 insmod /lazy/lazy_cma.ko or skip_all
#   hotplug_dimm SIZE [NODE]       ask the host to plug a DIMM, online the new
#                                  blocks as movable; sets HOTPLUG_BLOCKS
#   host_request CMD...            "LAZYTEST HOST CMD..." (see qemu-run.sh)
#   load_crash_kernel              kexec -s -p this kernel + crash initrd
#                                  ($CRASH_APPEND: more crash cmdline words)
#   crash_now                      announce, flush, echo c > sysrq-trigger
#   allow_kernel_warnings          new dmesg warnings do not fail this script
#
# Every helper returns non-zero on failure so scripts can stop early:
#     check "load module" insmod /lazy/lazy_cma.ko || exit 1

LAZY_FAILED=0
: "${LAZY_GROUP:=unnamed}" "${LAZY_TESTS:=}" "${LAZY_PHASE:=main}" "${LAZY_MEM_MB:=}"
: "${LAZY_TEST:=${0##*/}}"

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

ok() {
	echo "ok - $*"
}

not_ok() {
	echo "not ok - $*"
	LAZY_FAILED=$((LAZY_FAILED + 1))
	return 1
}

skip() {
	echo "ok - $1 # SKIP ${2:-no reason given}"
}

skip_all() {
	echo "ok - $LAZY_TEST # SKIP $*"
	exit 0
}

check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "command: $*" "exit status: $rc"
	[ -z "$out" ] || diag "$out"
	return 1
}

is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
		return 0
	fi
	not_ok "$3"
	diag "got:      '$1'" "expected: '$2'"
	return 1
}

cmp_ok() {
	local a=$1 op=$2 b=$3 desc=$4
	case $a in '' | *[!0-9-]*) not_ok "$desc"; diag "not a number: '$a'"; return 1 ;; esac
	case $b in '' | *[!0-9-]*) not_ok "$desc"; diag "not a number: '$b'"; return 1 ;; esac
	case $op in
	-eq | -ne | -lt | -le | -gt | -ge) ;;
	*) not_ok "$desc"; diag "cmp_ok: unknown operator '$op'"; return 1 ;;
	esac
	if test "$a" "$op" "$b"; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "failed: $a $op $b"
	return 1
}

# The message strerror() gives for an errno name (glibc and musl agree on
# these), so a tool's "Failed to ...: Invalid argument" matches EINVAL.
errno_text() {
	case $1 in
	EPERM) echo "Operation not permitted" ;;
	ENOENT) echo "No such file or directory" ;;
	ESRCH) echo "No such process" ;;
	EINTR) echo "Interrupted system call" ;;
	EIO) echo "Input/output error" ;;
	ENXIO) echo "No such device or address" ;;
	E2BIG) echo "Argument list too long" ;;
	EBADF) echo "Bad file descriptor" ;;
	EAGAIN) echo "Resource temporarily unavailable" ;;
	ENOMEM) echo "Cannot allocate memory" ;;
	EACCES) echo "Permission denied" ;;
	EFAULT) echo "Bad address" ;;
	EBUSY) echo "Device or resource busy" ;;
	EEXIST) echo "File exists" ;;
	ENODEV) echo "No such device" ;;
	EINVAL) echo "Invalid argument" ;;
	ENOSPC) echo "No space left on device" ;;
	ERANGE) echo "Numerical result out of range" ;;
	ENOTTY) echo "Inappropriate ioctl for device" ;;
	EOVERFLOW) echo "Value too large for defined data type" ;;
	EOPNOTSUPP | ENOTSUP) echo "Operation not supported" ;;
	ENOSYS) echo "Function not implemented" ;;
	ENOEXEC) echo "Exec format error" ;;
	EKEYREJECTED) echo "Key was rejected by service" ;;
	*) echo "$1" ;;
	esac
}

# expect_fail DESC ERR CMD...: CMD must exit non-zero and, unless ERR is "-",
# print ERR (the name, e.g. EINVAL) or its strerror text on stdout/stderr.
expect_fail() {
	local desc=$1 err=$2 out rc text
	shift 2
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		not_ok "$desc"
		diag "command succeeded but should have failed${err:+ with $err}: $*"
		[ -z "$out" ] || diag "$out"
		return 1
	fi
	if [ "$err" = - ]; then
		ok "$desc"
		return 0
	fi
	text=$(errno_text "$err")
	case $out in
	*"$err"* | *"$text"*)
		ok "$desc"
		return 0
		;;
	esac
	not_ok "$desc"
	diag "command: $*" "exit status: $rc, but no '$err' ($text) in its output:"
	[ -z "$out" ] || diag "$out"
	return 1
}

meminfo() {
	awk -v f="$1:" '$1 == f { print $2; found = 1 } END { exit !found }' /proc/meminfo
}

# zone_pages ZONE FIELD [NODE]: FIELD of ZONE summed over nodes (or of NODE).
# FIELD: present, managed, spanned, nr_free_pages, ...
zone_pages() {
	awk -v zone="$1" -v field="$2" -v node="${3:-}" '
		$1 == "Node" { sub(",", "", $2); n = $2; z = $4; next }
		z == zone && (node == "" || node == n) && ($1 == field || $1 == "pages" && $2 == field) {
			sum += ($1 == "pages") ? $3 : $2; found = 1
		}
		END { if (found) print sum; else print 0 }' /proc/zoneinfo
}

iomem_has() {
	grep -Eq "$1" /proc/iomem
}

iomem_ranges() {
	# Without /proc/iomem's zero padding ("0d600000" is d600000), as
	# printf %x writes them: a region below 256 MiB compares equal too.
	awk -v name="$1" '{
		line = $0; sub(/^ */, "", line)
		split(line, a, " : ")
		if (a[2] == name) {
			split(a[1], r, "-")
			sub(/^0+/, "", r[1]); if (r[1] == "") r[1] = "0"
			sub(/^0+/, "", r[2]); if (r[2] == "") r[2] = "0"
			print r[1], r[2]
		}
	}' /proc/iomem
}

size_bytes() {
	local n=${1%[KkMmGgTt]}
	case $1 in
	*[Kk]) echo $((n << 10)) ;;
	*[Mm]) echo $((n << 20)) ;;
	*[Gg]) echo $((n << 30)) ;;
	*[Tt]) echo $((n << 40)) ;;
	*) echo "$n" ;;
	esac
}

require_module() {
	[ -f /lazy/lazy_cma.ko ] || skip_all "no lazy_cma.ko in this initrd (module not built for $(uname -r))"
	[ -e /dev/lazy_cma ] && return 0
	check "insmod /lazy/lazy_cma.ko" insmod /lazy/lazy_cma.ko || exit 1
}

host_request() {
	echo "LAZYTEST HOST $*"
}

# mem_blocks: names of the memory blocks in sysfs, one line.
mem_blocks() {
	local b list=
	for b in /sys/devices/system/memory/memory[0-9]*; do
		[ -e "$b" ] && list="$list ${b##*/}"
	done
	echo "${list# }"
}

# hotplug_dimm SIZE [NODE] [TIMEOUT_S]: the host adds a pc-dimm of SIZE
# (needs "-m SIZE,slots=N,maxmem=M" in the group's QEMU args); the new memory
# blocks are onlined as ZONE_MOVABLE. Sets HOTPLUG_BLOCKS to their names.
hotplug_dimm() {
	local size=$1 node=${2:-} tmo=${3:-60} mem=/sys/devices/system/memory
	local bs want before b new waited=0
	HOTPLUG_BLOCKS=
	if ! bs=$(cat "$mem/block_size_bytes"); then
		not_ok "hotplug: read $mem/block_size_bytes"
		return 1
	fi
	want=$(($(size_bytes "$size") / 0x$bs))
	# Kernels built with auto-online would online the blocks into the
	# normal zone before we could pick movable.
	if [ -w "$mem/auto_online_blocks" ]; then
		echo offline >"$mem/auto_online_blocks"
	fi
	before=" $(mem_blocks) "
	host_request hotplug-dimm "$size" ${node:+"$node"}
	while :; do
		new=
		for b in $(mem_blocks); do
			case $before in *" $b "*) ;; *) new="$new $b" ;; esac
		done
		[ "$(echo "$new" | wc -w)" -lt "$want" ] || break
		if [ "$waited" -ge "$tmo" ]; then
			not_ok "hotplug: $want new memory block(s) of $size within ${tmo}s (saw$new)"
			return 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
	HOTPLUG_BLOCKS=${new# }
	# Online lowest address first: movable must sit above the normal zone.
	for b in $(echo "$HOTPLUG_BLOCKS" | tr ' ' '\n' | sort -t y -k 2 -n); do
		[ "$(cat "$mem/$b/state")" = online ] && continue
		if ! echo online_movable >"$mem/$b/state"; then
			not_ok "hotplug: online_movable $mem/$b"
			return 1
		fi
	done
	diag "hot-plugged $size after ${waited}s: blocks $HOTPLUG_BLOCKS online as movable"
	return 0
}

# The command line of a crash kernel that runs this test's crash_NAME.sh.
# Words of this kernel's command line that the crash kernel must share
# (tests/vm/check-debug.sh boots with no5lvl and kasan_multi_shot: a crash
# kernel without no5lvl trips 6.12's KASAN in identify_cpu) are carried over,
# as lazy-kdump carries /proc/cmdline over.
crash_cmdline() {
	local w words carry=''
	read -r words </proc/cmdline
	for w in $words; do
		case $w in no5lvl | kasan_multi_shot | LAZY_CRASH_SIZE=*) carry="$carry $w" ;; esac
	done
	echo "console=ttyS0 panic=-1 lazyphase=crash lazygroup=$LAZY_GROUP lazytests=$LAZY_TESTS lazycrash=${LAZY_TEST#t_} lazymem=$LAZY_MEM_MB nr_cpus=1 irqpoll reset_devices$carry${CRASH_APPEND:+ $CRASH_APPEND}"
}

# load_crash_kernel: load /lazy/vmlinuz with the crash initrd
# into the crash kernel region (needs crashk_res: crashkernel= or our module).
load_crash_kernel() {
	check "kexec -s -p /lazy/vmlinuz (crash kernel loaded)" \
		kexec -s -p /lazy/vmlinuz --initrd=/lazy/crash-initrd.cpio.gz \
		--append="$(crash_cmdline)"
}

allow_kernel_warnings() {
	: >/tmp/lazy-allow-warnings
}

# crash_now: tell /init and the host that a panic is expected, make sure
# every line so far has left the UART, then panic. Never returns normally.
crash_now() {
	: >/tmp/lazy-expect-crash
	echo "LAZYTEST EXPECT-CRASH"
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	sync
	echo c >/proc/sysrq-trigger
	sleep 10
	rm -f /tmp/lazy-expect-crash
	not_ok "echo c > /proc/sysrq-trigger did not crash the kernel"
	exit 1
}
