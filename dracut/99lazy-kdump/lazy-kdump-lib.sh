# shellcheck shell=bash
# lazy-kdump-lib.sh - shared by the dracut module (module-setup.sh) and the
# capture initrd builder (mkinitrd): the configuration (through lazy-kdump
# config) and the file system the dump goes to. Sourced, never run; names
# start with lkd_.
# The lkd_target_* variables are this file's output:
# shellcheck disable=SC2034

# The configuration has one parser, lazy-kdump's ('lazy-kdump config'):
# these functions never read lazy-kdump.conf themselves.
# $LAZY_KDUMP names the lazy-kdump command (default @SBINDIR@/lazy-kdump).

# lkd_config FILE ARGS...: lkd_out is the output of lazy-kdump --config
# FILE config ARGS...; a missing FILE means the defaults. Returns 1 with
# lkd_error (lazy-kdump's own message, saying what is wrong where).
lkd_config() {
	local file=$1 bin=${LAZY_KDUMP:-@SBINDIR@/lazy-kdump} empty='' err rc=0
	shift
	lkd_error='' lkd_out=''
	if [ ! -x "$bin" ] && ! command -v "$bin" >/dev/null 2>&1; then
		lkd_error="cannot run $bin to read $file: is lazy-kdump installed?"
		return 1
	fi
	if [ ! -e "$file" ]; then
		empty=$(mktemp) || {
			lkd_error="cannot create a temporary file"
			return 1
		}
		file=$empty
	fi
	err=$(mktemp) || {
		lkd_error="cannot create a temporary file"
		[ -z "$empty" ] || rm -f "$empty"
		return 1
	}
	lkd_out=$(LAZY_KDUMP_CONFIG='' "$bin" --config "$file" config "$@" 2>"$err") || rc=$?
	if [ "$rc" -ne 0 ]; then
		lkd_error=$(sed 's/^lazy-kdump: //' "$err")
		lkd_error=${lkd_error:-"$bin config failed (exit status $rc)"}
	fi
	rm -f "$err" ${empty:+"$empty"}
	[ "$rc" -eq 0 ]
}

# lkd_conf_load FILE: check FILE and keep its normalised form (every key,
# defaults filled in) for lkd_conf_get. Returns 1 with lkd_error.
lkd_conf_load() {
	lkd_conf_text='' lkd_conf_file=$1
	lkd_config "$1" || return 1
	lkd_conf_text=$lkd_out
}

# lkd_conf_get KEY: the value of KEY in what lkd_conf_load read (empty for
# an empty value: KERNEL and INITRD then mean the defaults).
lkd_conf_get() {
	local line
	while IFS= read -r line; do
		case $line in
		"$1="*)
			printf '%s' "${line#*=}"
			return 0
			;;
		esac
	done <<<"${lkd_conf_text:-}"
}

# The most memory a LUKS key slot's PBKDF may ask for (argon2's memory
# cost, KiB) when the crash kernel opens it: it has a few tens of MiB.
LKD_LUKS_MAX_KDF_KIB=16384

# lkd_check_stack DEV: the block devices DEV sits on (lsblk -s, DEV first,
# then depth first what each sits on) are ones the capture initrd can bring
# up: disks, partitions, multipath maps, LVM logical volumes, MD RAID arrays
# and LUKS volumes (opened with LUKS_KEY_FILE: lkd_check_luks). Sets
#   lkd_target_dracut  the dracut modules that bring the stack up in the
#                      crash kernel ("multipath lvm mdraid crypt", those
#                      needed), for
#                      mkinitrd's --add
#   lkd_target_luks    one "NAME UUID SLOT" line per LUKS volume: the
#                      device-mapper name it has here, the LUKS UUID, the
#                      key slot LUKS_KEY_FILE opens (module-setup.sh writes
#                      the capture initrd's crypttab from them)
#   lkd_target_kind    dm, md or any: what the device the capture mounts
#                      must be (module-setup.sh tells the capture)
#   lkd_target_cmdline the dracut arguments that name what to assemble
#                      (rd.md.uuid=, rd.lvm.lv=): without them dracut's
#                      mdraid and lvm modules assemble nothing (rd.auto is
#                      off); module-setup.sh puts them in the initrd's
#                      /etc/cmdline.d
#   lkd_target_iscsi   the iSCSI sessions of the disks under it
#                      (lkd_iscsi_session), which the capture logs in to
#                      with iscsistart (module-setup.sh writes them to the
#                      initrd's /etc/lazy-kdump-iscsi); with them
#                      lkd_net_record, how the crash kernel reaches the
#                      portal (lkd_net_route: one network card for all)
# Plain dm-crypt, other device-mapper layers and disks on other networks
# (NVMe over fabrics, FCoE: lsblk's TRAN) are refused:
# returns 1 with lkd_error saying so, so that arming fails with that reason
# instead of a capture that waits for a device that never appears. A
# missing lsblk checks nothing.
lkd_check_stack() {
	local dev=$1 name type path tran what='' crypt='' mods=' ' arg seen_lv=0
	lkd_target_dracut='' lkd_target_luks='' lkd_target_cmdline='' lkd_target_kind=''
	lkd_target_iscsi=''
	command -v lsblk >/dev/null 2>&1 || return 0
	while read -r name type path tran; do
		if [ -z "$lkd_target_kind" ]; then
			# The file system's own device (the first line): what the
			# capture must mount, not a path or member that shows the
			# same file system (a multipath path, a RAID 1 member with
			# its superblock at the end). A partition of a multipath map
			# (kpartx) is a device-mapper device too; a partition of an
			# array is checked through the array (the capture's
			# device_kind).
			case $type in
			mpath | lvm | crypt | dm) lkd_target_kind=dm ;;
			raid* | md) lkd_target_kind=md ;;
			*)
				case $(readlink -f "$path" 2>/dev/null) in
				/dev/dm-*) lkd_target_kind=dm ;;
				/dev/md*) lkd_target_kind=md ;;
				*) lkd_target_kind=any ;;
				esac
				;;
			esac
			# A disk or partition that is a path of a multipath disk:
			# its map is not made yet (early at boot, udev names the
			# file system by a path until multipathd has made it) or
			# the file system was mounted from a path. A capture
			# initrd built now would mount one path, without
			# multipath.
			case $type in
			disk | part)
				if lkd_mpath_path "$path"; then
					lkd_error="the dump target's device $dev is $name, one path of a multipath disk (multipath -c says so), not the multipath map: multipathd has not made the map (see systemctl status multipathd and multipath -ll), or the file system was mounted from a path; arm once multipath -ll shows the map and the file system is on it"
					return 1
				fi
				;;
			esac
		fi
		# A disk reached over the network: iSCSI the capture logs in to
		# itself (the session recorded here); the others it cannot.
		case $tran in
		iscsi)
			lkd_iscsi_session "$name" || return 1
			;;
		fcoe | tcp | rdma | nvme-tcp | nvme-rdma)
			what="the $tran disk $name, which the crash kernel could only reach over a network it does not bring up"
			break
			;;
		esac
		if [ -n "$crypt" ]; then
			# The line after a crypt device: what it opens.
			lkd_check_luks "$crypt" "$path" || return 1
			crypt=''
		fi
		arg=''
		case $type in
		disk | part | loop | rom) ;;
		lvm)
			mods="$mods lvm"
			# A thin pool's, a cache's or an LVM RAID's internal
			# volumes ([pool_tdata], -tpool, ...) follow the volume that
			# uses them: activating that one activates them.
			arg=$(lvs --noheadings -o vg_name,lv_name "$path" 2>/dev/null |
				awk 'NF == 2 && $2 !~ /^\[/ { print "rd.lvm.lv=" $1 "/" $2; exit }')
			if [ -z "$arg" ] && [ "$seen_lv" != 1 ]; then
				lkd_error="cannot name the logical volume $path (lvs --noheadings -o vg_name,lv_name $path): is lvm2 installed?"
				return 1
			fi
			seen_lv=1
			;;
		raid* | md)
			mods="$mods mdraid"
			arg=$(mdadm --detail --export "$path" 2>/dev/null | sed -n 's/^MD_UUID=/rd.md.uuid=/p' | head -n 1)
			if [ -z "$arg" ]; then
				lkd_error="cannot read the UUID of the MD RAID array $path (mdadm --detail --export $path): is mdadm installed?"
				return 1
			fi
			;;
		crypt)
			mods="$mods crypt"
			crypt=$name
			;;
		mpath)
			# dracut's multipath module brings the map up in the crash
			# kernel with this machine's multipath.conf and wwids
			# (hostonly); the paths under it are disks.
			if ! command -v multipath >/dev/null 2>&1 || ! command -v kpartx >/dev/null 2>&1; then
				lkd_error="the dump target's device $dev is on the multipath map $name, and multipath or kpartx is missing here, which the capture initrd needs to bring it up: apt-get install multipath-tools kpartx"
				return 1
			fi
			mods="$mods multipath"
			;;
		*) what="a $type device ($name)" ;;
		esac
		[ -z "$what" ] || break
		# Once each (an array under two volumes is listed twice).
		case " $lkd_target_cmdline " in
		*" $arg "*) ;;
		*) lkd_target_cmdline="$lkd_target_cmdline${lkd_target_cmdline:+${arg:+ }}$arg" ;;
		esac
	done < <(lsblk -s -n -r -o NAME,TYPE,PATH,TRAN "$dev" 2>/dev/null)
	if [ -n "$what" ]; then
		lkd_error="the dump target's device $dev is on $what: lazy-kdump's capture initrd cannot bring that up (it supports disks, partitions, iSCSI, multipath, LVM, MD RAID and LUKS); point DUMP_TARGET at a file system on one of those, e.g. DUMP_TARGET=UUID=<its UUID>:/crash"
		return 1
	fi
	# The iSCSI portals: reached through one network card, which the
	# capture brings up as the running system has it.
	if [ -n "$lkd_target_iscsi" ]; then
		local portal first_mac='' first_if='' first_record=''
		while IFS= read -r portal; do
			lkd_net_route "$portal" "$portal" "the dump target's device $dev is on iSCSI" "the iSCSI portal" "the crash kernel cannot log in to a target on the machine that crashed" || return 1
			if [ -z "$first_mac" ]; then
				first_mac=$(sed -n 's/^mac=//p' <<<"$lkd_net_record")
				first_if=$(sed -n 's/^ifname=//p' <<<"$lkd_net_record")
				first_record=$lkd_net_record
			elif [ "$(sed -n 's/^mac=//p' <<<"$lkd_net_record")" != "$first_mac" ]; then
				lkd_error="the dump target's device $dev is on iSCSI through two network cards ($first_if and $(sed -n 's/^ifname=//p' <<<"$lkd_net_record"), to the portals of its sessions): the capture initrd brings up one; log in to its portals through one card"
				return 1
			fi
		done < <(sed -n 's/^portal=//p' <<<"$lkd_target_iscsi" | sort -u)
		lkd_net_record=$first_record
	fi
	if [ -n "$crypt" ]; then
		lkd_error="lsblk shows no device under the dm-crypt volume $crypt (of $dev)"
		return 1
	fi
	local m
	for m in multipath lvm mdraid crypt; do
		case $mods in *" $m"*) lkd_target_dracut="$lkd_target_dracut${lkd_target_dracut:+ }$m" ;; esac
	done
	return 0
}

# lkd_iscsi_session DISK: the iSCSI session of DISK (a kernel name, sdX), as
# the capture's iscsistart logs in to it: appended to lkd_target_iscsi (once
# per session) as key=value lines, each session starting with target=:
#   target, portal, port, tpgt  the target's name, its portal's address
#                               and port, the portal group
#   initiator                   this machine's initiator name (the session's,
#                               else /etc/iscsi/initiatorname.iscsi)
#   username, password          CHAP, when the session used it
#   username_in, password_in    mutual CHAP, when it did
# Read from sysfs (LKD_SYSFS, default /sys). Returns 1 with lkd_error when
# the session cannot be read.
lkd_iscsi_session() {
	local disk=$1 sys=${LKD_SYSFS:-/sys} path sess sdir cdir k v rec target init addr port
	path=$(readlink -f "$sys/block/$disk/device" 2>/dev/null) || path=''
	sess=$(grep -o 'session[0-9][0-9]*' <<<"$path" | head -n 1)
	sdir=$sys/class/iscsi_session/$sess
	if [ -z "$sess" ] || [ ! -d "$sdir" ]; then
		lkd_error="the dump target is on the iSCSI disk $disk, and its session cannot be found ($sys/block/$disk/device, $sys/class/iscsi_session): is it logged in (iscsiadm -m session)?"
		return 1
	fi
	# lkd_iscsi_attr FILE: a session or connection attribute, empty for
	# none (the kernel shows an unset one as "(null)").
	lkd_iscsi_attr() {
		local a
		a=$(cat "$1" 2>/dev/null) || a=''
		[ "$a" != "(null)" ] || a=''
		printf '%s' "$a"
	}
	target=$(lkd_iscsi_attr "$sdir/targetname")
	init=$(lkd_iscsi_attr "$sdir/initiatorname")
	[ -n "$init" ] || init=$(sed -n 's/^InitiatorName=//p' "${LKD_ISCSI_INITIATOR:-/etc/iscsi/initiatorname.iscsi}" 2>/dev/null | head -n 1)
	cdir=''
	for cdir in "$sys/class/iscsi_connection/connection${sess#session}":*; do
		[ -d "$cdir" ] && break
		cdir=''
	done
	addr='' port=''
	if [ -n "$cdir" ]; then
		addr=$(lkd_iscsi_attr "$cdir/persistent_address")
		port=$(lkd_iscsi_attr "$cdir/persistent_port")
	fi
	if [ -z "$target" ] || [ -z "$addr" ] || [ -z "$init" ]; then
		lkd_error="the dump target is on the iSCSI disk $disk ($sess), and its target name, portal address or initiator name cannot be read (target '$target', portal '$addr', initiator '$init'; $sdir, ${cdir:-no connection}, /etc/iscsi/initiatorname.iscsi)"
		return 1
	fi
	rec=$(printf 'target=%s\nportal=%s\nport=%s\ntpgt=%s\ninitiator=%s' \
		"$target" "$addr" "${port:-3260}" "$(lkd_iscsi_attr "$sdir/tpgt")" "$init")
	for k in username password username_in password_in; do
		v=$(lkd_iscsi_attr "$sdir/$k")
		[ -z "$v" ] || rec=$(printf '%s\n%s=%s' "$rec" "$k" "$v")
	done
	case "
$lkd_target_iscsi" in
	*"
$rec
"*) ;;
	*) lkd_target_iscsi="$lkd_target_iscsi$rec
" ;;
	esac
	return 0
}

# lkd_mpath_path DEV: DEV, a disk or a partition of one, is a path of a
# multipath disk: multipath -c (this machine's multipath.conf and WWIDs)
# says multipathd makes a map of that disk. False without multipath.
lkd_mpath_path() {
	local disk
	command -v multipath >/dev/null 2>&1 || return 1
	disk=$(lsblk -n -d -r -o PKNAME "$1" 2>/dev/null) || disk=''
	multipath -c "${disk:+/dev/}${disk:-$1}" >/dev/null 2>&1
}

# lkd_find_device SPEC: the block device SPEC (/dev/..., or a tag blkid
# knows: UUID=, LABEL=, PARTUUID=, PARTLABEL=) names, in lkd_dev. Early at
# boot SPEC may still lead to one path of a multipath disk until multipathd
# has made the map: it is looked up again each second, LKD_MPATH_WAIT
# seconds at most (default 60); lkd_mpath_waited says how long it waited.
# Returns 1 when SPEC names no block device, 2 when it still leads to a
# path (lkd_dev is that path).
lkd_find_device() {
	local t0=$SECONDS
	lkd_mpath_waited=0
	while :; do
		case $1 in
		/dev/*) lkd_dev=$(readlink -f "$1") ;;
		*) lkd_dev=$(blkid -l -o device -t "$1" 2>/dev/null) || lkd_dev='' ;;
		esac
		if [ -z "$lkd_dev" ] || [ ! -b "$lkd_dev" ]; then
			lkd_dev=''
			return 1
		fi
		lkd_mpath_path "$lkd_dev" || return 0
		[ "$lkd_mpath_waited" -lt "${LKD_MPATH_WAIT:-60}" ] || return 2
		udevadm settle --timeout=5 >/dev/null 2>&1 || true
		sleep 1
		lkd_mpath_waited=$((SECONDS - t0))
	done
}

# lkd_check_luks NAME DEVICE: the dm-crypt volume NAME opens DEVICE; the
# crash kernel can open it without a person: DEVICE is LUKS, LUKS_KEY_FILE
# (from lkd_conf_get) is a key file only root can read that opens it
# (cryptsetup --test-passphrase), from a key slot whose PBKDF needs at most
# LKD_LUKS_MAX_KDF_KIB of memory. Appends "NAME UUID SLOT" to
# lkd_target_luks; returns 1 with lkd_error.
lkd_check_luks() {
	local name=$1 dev=$2 key mode out slot uuid kib
	# Once each (lsblk repeats a device under two branches): checked once.
	case $lkd_target_luks in
	"$name "* | *"
$name "*) return 0 ;;
	esac
	key=$(lkd_conf_get LUKS_KEY_FILE)
	local add="mkdir -p -m 0700 /etc/lazy-kdump && dd if=/dev/urandom of=/etc/lazy-kdump/luks.key bs=64 count=1 && chmod 0600 /etc/lazy-kdump/luks.key && cryptsetup luksAddKey --pbkdf pbkdf2 $dev /etc/lazy-kdump/luks.key"
	if ! command -v cryptsetup >/dev/null 2>&1; then
		lkd_error="the dump target is on the dm-crypt volume $name ($dev) but cryptsetup is not installed: install it (apt-get install cryptsetup)"
		return 1
	fi
	# The capture initrd opens it with systemd-cryptsetup (its own
	# package since Debian 13; in /usr/bin since systemd 256).
	# LKD_SYSTEMD_UTILDIR: tests.
	if [ ! -x "${LKD_SYSTEMD_UTILDIR:-/usr/lib/systemd}/systemd-cryptsetup" ] &&
		{ [ -n "${LKD_SYSTEMD_UTILDIR:-}" ] || [ ! -x /usr/bin/systemd-cryptsetup ]; }; then
		lkd_error="the dump target is on the LUKS volume $name ($dev), which the crash kernel opens with systemd-cryptsetup, and that is not installed: apt-get install systemd-cryptsetup (Debian 13; part of systemd in Debian 12)"
		return 1
	fi
	if ! cryptsetup isLuks "$dev" >/dev/null 2>&1; then
		lkd_error="the dump target is on the dm-crypt volume $name, and $dev has no LUKS header (plain dm-crypt): the crash kernel cannot open it; put the dump target on a LUKS volume or a plain file system"
		return 1
	fi
	if [ -z "$key" ]; then
		lkd_error="the dump target is on the LUKS volume $name ($dev), and the crash kernel cannot ask for a passphrase: give it a key file of its own in LUKS_KEY_FILE (lazy-kdump.conf(5)), e.g. $add, then LUKS_KEY_FILE=/etc/lazy-kdump/luks.key"
		return 1
	fi
	if [ ! -f "$key" ] || [ ! -r "$key" ]; then
		lkd_error="LUKS_KEY_FILE=$key is not a readable file (for the LUKS volume $name on $dev); create it: $add"
		return 1
	fi
	mode=$(stat -L -c %a "$key" 2>/dev/null) || mode=777
	if [ $((8#$mode & 8#077)) -ne 0 ]; then
		lkd_error="LUKS_KEY_FILE=$key can be read by users other than its owner (mode $mode), and it opens $dev: chmod 0600 $key"
		return 1
	fi
	out=$(cryptsetup open --test-passphrase --verbose --key-file "$key" "$dev" 2>&1) || {
		lkd_error="LUKS_KEY_FILE=$key does not open the LUKS volume $dev ($name): add it to a key slot with cryptsetup luksAddKey --pbkdf pbkdf2 $dev $key (cryptsetup: $(printf '%s' "$out" | tail -n 1))"
		return 1
	}
	slot=$(printf '%s\n' "$out" | sed -n 's/^Key slot \([0-9][0-9]*\) unlocked.*/\1/p' | head -n 1)
	if [ -z "$slot" ]; then
		lkd_error="cannot tell which key slot of $dev LUKS_KEY_FILE=$key opens (cryptsetup said: $(printf '%s' "$out" | tr '\n' ' '))"
		return 1
	fi
	# LUKS2 lists each key slot's PBKDF; argon2's "Memory:" is in KiB
	# (LUKS1 has pbkdf2 only).
	kib=$(cryptsetup luksDump "$dev" 2>/dev/null | awk -v s="$slot" '
		/^[A-Za-z]/ { in_ks = ($1 == "Keyslots:"); cur = ""; next }
		in_ks && /^  [0-9]+: / { cur = $1; sub(":", "", cur); next }
		in_ks && cur == s && $1 == "Memory:" { print $2; exit }')
	if [ -n "$kib" ] && [ "$kib" -gt "$LKD_LUKS_MAX_KDF_KIB" ]; then
		lkd_error="key slot $slot of $dev, which LUKS_KEY_FILE=$key opens, uses argon2 with $((kib / 1024)) MiB of memory: the crash kernel has not that much to spare. A random key file needs no memory-hard PBKDF: add it again with cryptsetup luksAddKey --pbkdf pbkdf2 $dev $key, then remove slot $slot (cryptsetup luksKillSlot $dev $slot)"
		return 1
	fi
	uuid=$(cryptsetup luksUUID "$dev" 2>/dev/null) || uuid=''
	if [ -z "$uuid" ]; then
		lkd_error="cannot read the LUKS UUID of $dev (cryptsetup luksUUID)"
		return 1
	fi
	lkd_target_luks="$lkd_target_luks$name $uuid $slot
"
	return 0
}

# lkd_on_crypt DEV: whether DEV sits on a dm-crypt volume (lsblk -s).
lkd_on_crypt() {
	[ -n "$1" ] && lsblk -s -n -r -o TYPE "$1" 2>/dev/null | grep -qx crypt
}

# The smallest raw dump device: the header and the files before the dump
# stream take LKD_RAW_STREAM_OFFSET (lazy-kdump-capture.sh's layout).
LKD_RAW_STREAM_OFFSET=$((16 << 20))
LKD_RAW_MIN_BYTES=$((64 << 20))

# lkd_resolve_raw DEVICE: DUMP_TARGET=raw:DEVICE can take a dump: DEVICE
# (/dev/..., PARTUUID= or PARTLABEL=) is a block device here, of at least
# LKD_RAW_MIN_BYTES, that nothing uses: not mounted, no swap, no holder
# (device-mapper, MD), and without a file system, partition table or other
# signature blkid knows (a dump would overwrite it: wipefs it first when
# the device is meant for dumps), and not one path of a multipath disk
# (waited for up to LKD_MPATH_WAIT seconds: early at boot). Sets
# lkd_target_dev (and what lkd_check_stack sets) and lkd_raw_spec (DEVICE,
# or for a kernel name its /dev/disk/by-id/ link or PARTUUID=); returns 1
# with lkd_error.
lkd_resolve_raw() {
	local spec=$1 dev size what holders rc=0
	case $spec in
	/dev/* | PARTUUID=* | PARTLABEL=*) lkd_find_device "$spec" || rc=$? ;;
	*) rc=1 ;;
	esac
	dev=$lkd_dev
	if [ "$rc" = 1 ]; then
		lkd_error="DUMP_TARGET=raw:$spec: no block device $spec on this machine"
		return 1
	elif [ "$rc" = 2 ]; then
		lkd_error="DUMP_TARGET=raw:$spec: $dev is one path of a multipath disk (multipath -c says so), not the multipath map: give the map (/dev/mapper/...) once multipath -ll shows it"
		return 1
	fi
	what=$(lsblk -n -r -o MOUNTPOINT "$dev" 2>/dev/null | grep -v '^$' | head -n 1) || what=''
	if [ -n "$what" ] || grep -q "^$(readlink -f "$dev") " /proc/swaps 2>/dev/null; then
		lkd_error="DUMP_TARGET=raw:$spec: $dev is in use (mounted on ${what:-swap}): a raw dump would overwrite it; give a device nothing else uses"
		return 1
	fi
	holders=$(ls "/sys/class/block/${dev##*/}/holders" 2>/dev/null) || holders=''
	if [ -n "$holders" ]; then
		lkd_error="DUMP_TARGET=raw:$spec: $dev is in use by $(echo "$holders" | tr '\n' ' ' | sed 's/ $//') (device-mapper or MD): a raw dump would overwrite it; give a device nothing else uses"
		return 1
	fi
	what=$(blkid -p -o value -s TYPE "$dev" 2>/dev/null) || what=''
	[ -n "$what" ] || what=$(blkid -p -o value -s PTTYPE "$dev" 2>/dev/null) || what=''
	if [ -n "$what" ]; then
		lkd_error="DUMP_TARGET=raw:$spec: $dev holds a $what signature (blkid -p): a raw dump would overwrite it; if the device is meant for dumps, erase it first (wipefs -a $dev)"
		return 1
	fi
	size=$(blockdev --getsize64 "$dev" 2>/dev/null) || size=0
	if [ "$size" -lt "$LKD_RAW_MIN_BYTES" ]; then
		lkd_error="DUMP_TARGET=raw:$spec: $dev has $((size >> 20)) MiB, less than the $((LKD_RAW_MIN_BYTES >> 20)) MiB a raw dump needs at least ($((LKD_RAW_STREAM_OFFSET >> 20)) MiB of header and logs, then the dump)"
		return 1
	fi
	# A kernel name (/dev/sdb, /dev/vdc1) may name another disk in the
	# crash kernel, which probes disks in its own order: the capture gets
	# the device's /dev/disk/by-id/ link (or its PARTUUID=) instead.
	lkd_raw_spec=$spec
	case $spec in
	/dev/disk/* | /dev/mapper/* | /dev/md/* | PARTUUID=* | PARTLABEL=*) ;;
	*)
		lkd_raw_spec=''
		for what in "${LKD_BYID_DIR:-/dev/disk/by-id}"/wwn-* "${LKD_BYID_DIR:-/dev/disk/by-id}"/*; do
			if [ -e "$what" ] && [ "$(readlink -f "$what")" = "$dev" ]; then
				lkd_raw_spec=$what
				break
			fi
		done
		if [ -z "$lkd_raw_spec" ]; then
			what=$(lsblk -n -d -o PARTUUID "$dev" 2>/dev/null | head -n 1) || what=''
			[ -z "$what" ] || lkd_raw_spec=PARTUUID=$what
		fi
		if [ -z "$lkd_raw_spec" ]; then
			lkd_error="DUMP_TARGET=raw:$spec: $dev has no /dev/disk/by-id/ link and no PARTUUID, and a kernel name like $spec may name another disk in the crash kernel: give a stable name (/dev/disk/by-path/..., PARTLABEL=...)"
			return 1
		fi
		;;
	esac
	lkd_target_dev=$dev
	lkd_target_fstype=''
	lkd_check_stack "$dev"
}

# lkd_add_root_stack: after lkd_resolve_target of a target that is not on
# the root file system, add what brings the root file system up in the
# crash kernel (FAILURE_ACTION=dump-local falls back to its /var/crash,
# which must be on the root file system here too):
# its dracut modules, what to assemble and its LUKS volumes are merged into
# lkd_target_dracut, lkd_target_cmdline and lkd_target_luks; the target's
# own device, spec and kind stay; lkd_root_kind is the root file system's
# kind (dm, md, any). Returns 1 with lkd_error when the root file system's
# stack cannot be brought up.
lkd_add_root_stack() {
	local t_spec=$lkd_target_spec t_dev=$lkd_target_dev t_fstype=$lkd_target_fstype
	local t_kind=$lkd_target_kind t_dracut=$lkd_target_dracut
	local t_cmdline=$lkd_target_cmdline t_luks=$lkd_target_luks t_iscsi=$lkd_target_iscsi
	local r_dracut r_cmdline r_luks m w l mnt
	# The capture mounts root= and writes to its /var/crash: a /var/crash
	# on another file system here would hide that dump after boot.
	mnt=$(findmnt -n -o TARGET --target /var/crash 2>/dev/null) || mnt=''
	if [ -n "$mnt" ] && [ "$mnt" != / ]; then
		lkd_error="/var/crash here is on the file system mounted on $mnt, not on the root file system, where the capture's fallback writes it (hidden under $mnt after boot): FAILURE_ACTION=dump-local needs /var/crash on the root file system; use FAILURE_ACTION=final (or another action)"
		return 1
	fi
	# lkd_resolve_target resets the dump server's record: kept here.
	local n_kind=$lkd_net_kind n_record=$lkd_net_record n_warning=$lkd_warning
	lkd_resolve_target / || return 1
	if [ -n "$lkd_target_iscsi" ]; then
		lkd_error="the root file system is on iSCSI: the capture initrd logs in to the dump target's iSCSI sessions only; use FAILURE_ACTION=final (or another action)"
		return 1
	fi
	lkd_net_kind=$n_kind lkd_net_record=$n_record lkd_warning=$n_warning lkd_target_iscsi=$t_iscsi
	r_dracut=$lkd_target_dracut r_cmdline=$lkd_target_cmdline r_luks=$lkd_target_luks
	lkd_root_kind=$lkd_target_kind
	lkd_target_spec=$t_spec lkd_target_dev=$t_dev lkd_target_fstype=$t_fstype
	lkd_target_kind=$t_kind lkd_target_root=0
	lkd_target_dracut='' lkd_target_cmdline=$t_cmdline lkd_target_luks=$t_luks
	for m in multipath lvm mdraid crypt; do
		case " $t_dracut $r_dracut " in
		*" $m "*) lkd_target_dracut="$lkd_target_dracut${lkd_target_dracut:+ }$m" ;;
		esac
	done
	for w in $r_cmdline; do
		case " $lkd_target_cmdline " in
		*" $w "*) ;;
		*) lkd_target_cmdline="$lkd_target_cmdline${lkd_target_cmdline:+ }$w" ;;
		esac
	done
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		case "
$lkd_target_luks" in
		*"
$l
"*) ;;
		*) lkd_target_luks="$lkd_target_luks$l
" ;;
		esac
	done <<<"$r_luks"
	return 0
}

# lkd_resolve_target TARGET: where DUMP_TARGET=TARGET writes, as the crash
# kernel must find it. Sets
#   lkd_target_spec    the DUMP_TARGET for the capture initrd: TARGET as it
#                      is when it is raw:DEVICE (lkd_resolve_raw), on the
#                      root file system (the capture
#                      mounts root= of the command line) or already names
#                      a device; UUID=<fs uuid>:<path in that fs> when it is
#                      on another file system (e.g. /var mounted apart)
#   lkd_target_dev     its block device (for dracut --add-device)
#   lkd_target_fstype  its file system type
#   lkd_target_root    1 when it is the root file system
#   lkd_target_dracut, lkd_target_luks, lkd_target_cmdline  what the
#                      block stack under it needs (lkd_check_stack)
#   lkd_error          why, when it returns 1 (also a device stack the
#                      capture cannot bring up: lkd_check_stack)
# A DEVICE that is a path of a multipath disk (the map not made yet: early
# at boot) is looked up again until it names the map (lkd_find_device);
# lkd_mpath_waited says for how many seconds (0: not at all).
# lkd_net_part KEY: the value of KEY in lkd_net_parts (lazy-kdump config
# --capture's NET_* lines for the target).
lkd_net_part() {
	local line
	while IFS= read -r line; do
		case $line in "$1="*)
			printf '%s' "${line#*=}"
			return 0
			;;
		esac
	done <<<"$lkd_net_parts"
}

# lkd_net_route ADDR ALIAS PREFIX NOUN SELF: how the crash kernel reaches
# ADDR (a dump server, an iSCSI portal; ALIAS its name as written): the
# interface, address method and route the running system uses (waiting up
# to LKD_NET_WAIT s, default 60, for a route early at boot). Sets
# lkd_net_record (the capture initrd's /etc/lazy-kdump-net: see
# lazy-kdump-capture.sh's net_up), lkd_net_driver, lkd_net_method.
# Refused, returning 1 with lkd_error "PREFIX: ..." naming ADDR as NOUN: no
# route, a route through the loopback (SELF says why that is wrong) or
# through an interface the capture initrd cannot bring up by itself
# (bridge, bond, VLAN, tunnel: no device behind it), DHCP without
# busybox's udhcpc, an IPv6 address by DHCPv6 (no client in the crash
# kernel; SLAAC is method auto6), an IPv6 link-local ADDR.
lkd_net_route() {
	local addr0=$1 alias=$2 pfx=$3 noun=$4 self=$5
	local route dev via src addr mac wait=${LKD_NET_WAIT:-60} i flags sysnet=${LKD_SYSNET:-/sys/class/net}
	case $addr0 in
	[fF][eE][89aAbB]?:*)
		lkd_error="$pfx: $noun $addr0 is an IPv6 link-local address, which names no network card: give the address it has beyond the link (global or unique local)"
		return 1
		;;
	esac
	for ((i = 0; ; i++)); do
		route=$(ip -o route get "$addr0" 2>/dev/null | head -n 1) || route=''
		if [ -n "$route" ] || [ "$i" -ge "$wait" ]; then break; fi
		sleep 1
	done
	if [ -z "$route" ]; then
		lkd_error="$pfx: no route to $noun $addr0 (waited $wait s): bring the network up first"
		return 1
	fi
	dev=$(sed -n 's/.* dev \([^ ]*\).*/\1/p' <<<"$route")
	via=$(sed -n 's/.* via \([^ ]*\).*/\1/p' <<<"$route")
	src=$(sed -n 's/.* src \([^ ]*\).*/\1/p' <<<"$route")
	if [ "$dev" = lo ] || [ -z "$dev" ]; then
		lkd_error="$pfx: $noun $addr0 is this machine: $self"
		return 1
	fi
	if [ ! -e "$sysnet/$dev/device" ]; then
		lkd_error="$pfx: $noun is reached through $dev, which is not a network card (a bridge, bond, VLAN or tunnel): the capture initrd brings up one physical interface only; give $noun an address reached through one"
		return 1
	fi
	mac=$(cat "$sysnet/$dev/address" 2>/dev/null) || mac=''
	lkd_net_driver=$(readlink -f "$sysnet/$dev/device/driver/module" 2>/dev/null) || lkd_net_driver=''
	lkd_net_driver=${lkd_net_driver##*/}
	addr='' flags=''
	read -r addr flags < <(ip -o addr show dev "$dev" 2>/dev/null |
		awk -v src="$src" '{ split($4, a, "/"); if (a[1] == src) { f = ""; for (i = 5; i <= NF; i++) f = f " " $i; print $4, f; exit } }')
	if [ -z "$addr" ]; then
		lkd_error="$pfx: cannot find the address $src on $dev that reaches $noun (ip addr show dev $dev)"
		return 1
	fi
	lkd_net_method=static
	case " $flags " in *" dynamic "*) lkd_net_method=dhcp ;; esac
	# IPv6: a dynamic address came from router advertisements (SLAAC:
	# the crash kernel's own autoconfiguration gets it again, auto6) or,
	# as a /128, from DHCPv6, which the capture initrd has no client for;
	# a card with a SLAAC address too is auto6 all the same.
	case $addr0 in
	*:*)
		if [ "$lkd_net_method" = dhcp ]; then
			case $addr in
			*/128)
				if ! ip -o -6 addr show dev "$dev" scope global 2>/dev/null |
					awk '$3 == "inet6" && $4 !~ /\/128$/ && / dynamic / { found = 1 } END { exit !found }'; then
					lkd_error="$pfx: $dev got its address $addr by DHCPv6 and the crash kernel has no DHCPv6 client: give $dev a static IPv6 address or one by router advertisements (SLAAC), or reach $noun over IPv4"
					return 1
				fi
				;;
			esac
			lkd_net_method=auto6
		fi
		;;
	esac
	if [ "$lkd_net_method" = dhcp ] && ! busybox udhcpc --help >/dev/null 2>&1 &&
		! busybox 2>/dev/null | grep -qw udhcpc; then
		lkd_error="$pfx: $dev got its address $addr by DHCP and the crash kernel would need busybox's udhcpc to do the same: install busybox (apt-get install busybox)"
		return 1
	fi
	# A DHCP lease's or a SLAAC address is not recorded: the crash
	# kernel gets its own, and a new one must not make the initrd stale.
	# Nor is the router of a SLAAC network: its advertisements name it.
	[ "$lkd_net_method" = static ] || addr=''
	[ "$lkd_net_method" != auto6 ] || via=''
	lkd_net_record=$(printf 'ifname=%s\nmac=%s\ndriver=%s\nmethod=%s\naddress=%s\ngateway=%s\nserver=%s\nalias=%s\n' \
		"$dev" "$mac" "$lkd_net_driver" "$lkd_net_method" "$addr" "$via" "$addr0" "$alias")
	return 0
}

# lkd_resolve_net URL: a dump server (ssh:// or nfs://), taken apart by
# lazy-kdump itself, resolved and checked as the crash kernel will need it:
# its address now (the crash kernel has no DNS), the interface, address
# method and route that reach it (waiting up to LKD_NET_WAIT s, default 60,
# for a route early at boot). Sets
#   lkd_target_spec  URL with the server's address for its name
#   lkd_net_record   the capture initrd's /etc/lazy-kdump-net (see
#                    lazy-kdump-capture.sh's net_up)
#   lkd_net_kind, lkd_net_host (the name as written), lkd_net_addr,
#   lkd_net_user, lkd_net_port, lkd_net_path, lkd_net_driver, lkd_net_method
# Refused, returning 1 with lkd_error: a name that does not resolve, no
# route, a route through the loopback or through an interface the capture
# initrd cannot bring up by itself (bridge, bond, VLAN, tunnel: no device
# behind it), DHCP without busybox's udhcpc.
lkd_resolve_net() {
	local t=$1 none
	none=${TMPDIR:-/tmp}/lazy-kdump-no-such-config.$$
	lkd_net_parts=''
	# SSH_KEY and NFS_OPTIONS as configured (lkd_conf_load's file).
	lkd_config "${lkd_conf_file:-$none}" --capture --dump-target "$t" || return 1
	lkd_net_parts=$(grep '^NET_\|^NFS_OPTIONS=\|^SSH_KEY=' <<<"$lkd_out")
	lkd_net_kind=$(lkd_net_part NET_KIND)
	lkd_net_host=$(lkd_net_part NET_HOST)
	lkd_net_path=$(lkd_net_part NET_PATH)
	lkd_net_user=$(lkd_net_part NET_USER)
	lkd_net_port=$(lkd_net_part NET_PORT)
	case $lkd_net_host in
	*:* | [0-9]*.[0-9]*.[0-9]*.[0-9]) lkd_net_addr=$lkd_net_host ;;
	*)
		lkd_net_addr=$(getent ahostsv4 "$lkd_net_host" 2>/dev/null | awk 'NR == 1 { print $1 }')
		[ -n "$lkd_net_addr" ] || lkd_net_addr=$(getent ahosts "$lkd_net_host" 2>/dev/null | awk 'NR == 1 { print $1 }')
		if [ -z "$lkd_net_addr" ]; then
			lkd_error="DUMP_TARGET=$t: cannot resolve the dump server $lkd_net_host (getent ahosts): the crash kernel has no DNS and uses the address it has now; fix name resolution or give its address"
			return 1
		fi
		;;
	esac
	lkd_net_route "$lkd_net_addr" "$lkd_net_host" "DUMP_TARGET=$t" "the dump server" "a dump must leave it" || return 1
	# The address as a URL or an NFS source names it ([IPv6]).
	lkd_net_hostpart=$lkd_net_addr
	case $lkd_net_hostpart in *:*) lkd_net_hostpart="[$lkd_net_hostpart]" ;; esac
	if [ "$lkd_net_kind" = ssh ]; then
		lkd_target_spec="ssh://$lkd_net_user@$lkd_net_hostpart:$lkd_net_port$lkd_net_path"
	else
		lkd_target_spec="nfs://$lkd_net_hostpart:$lkd_net_path"
	fi
	return 0
}

# lkd_ssh_opts KEY ALIAS: the options every ssh to the dump server uses
# (also the capture's): the key, the known host key under ALIAS.
lkd_ssh_opts() {
	lkd_ssh=(-F /dev/null -i "$1" -o BatchMode=yes -o ConnectTimeout=10
		-o StrictHostKeyChecking=yes -o "UserKnownHostsFile=${LKD_KNOWN_HOSTS:-/etc/lazy-kdump/ssh/known_hosts}"
		-o "HostKeyAlias=$2" -o LogLevel=ERROR)
}

# lkd_ssh_run KEY CMD: CMD run by the dump server lkd_resolve_net resolved,
# as its user, with KEY and lkd_ssh_opts' options; stdin /dev/null.
lkd_ssh_run() {
	lkd_ssh_opts "$1" "$lkd_net_host"
	ssh "${lkd_ssh[@]}" -p "$lkd_net_port" "$lkd_net_user@$lkd_net_addr" "$2" </dev/null
}

# lkd_check_ssh KEY: the ssh dump target lkd_resolve_net took apart works
# with KEY: the key is there, private and without a passphrase, the
# server's host key is known (lazy-kdump propagate), and the server lets
# us in and PATH is a writable directory there. Returns 1 with lkd_error
# when something is wrong on this side or the server refused; a server
# that does not answer now only sets lkd_warning (it may be back before
# a panic).
lkd_check_ssh() {
	local key=$1 kh=${LKD_KNOWN_HOSTS:-/etc/lazy-kdump/ssh/known_hosts} out rc=0
	lkd_warning=''
	if ! command -v ssh >/dev/null 2>&1; then
		lkd_error="DUMP_TARGET=ssh://... needs the ssh client: install openssh-client"
		return 1
	fi
	if [ ! -r "$key" ]; then
		lkd_error="SSH_KEY=$key does not exist or is not readable: run 'lazy-kdump propagate' to make it and install it on $lkd_net_host"
		return 1
	fi
	if ! ssh-keygen -y -P '' -f "$key" >/dev/null 2>&1; then
		lkd_error="SSH_KEY=$key is not a private key usable without a passphrase (ssh-keygen -y -f $key): nobody types one after a panic; make one with 'lazy-kdump propagate'"
		return 1
	fi
	if ! ssh-keygen -F "$lkd_net_host" -f "$kh" >/dev/null 2>&1; then
		lkd_error="the host key of the dump server $lkd_net_host is not in $kh: run 'lazy-kdump propagate' (it records it), or add it there under the name $lkd_net_host"
		return 1
	fi
	out=$(lkd_ssh_run "$key" "mkdir -p '$lkd_net_path' && test -w '$lkd_net_path' && df -Pk '$lkd_net_path' >/dev/null" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || return 0
	case $out in
	*'Permission denied'* | *'verification failed'* | *'IDENTIFICATION HAS CHANGED'*)
		lkd_error="the dump server $lkd_net_user@$lkd_net_host:$lkd_net_port refused $key: $(tail -n 2 <<<"$out" | tr '\n' ' ')(run 'lazy-kdump propagate')"
		return 1
		;;
	esac
	if [ "$rc" -ne 255 ]; then
		lkd_error="the dump server $lkd_net_host let $lkd_net_user in, but $lkd_net_path is not a writable directory there (or df fails): $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		return 1
	fi
	lkd_warning="the dump server $lkd_net_host ($lkd_net_addr) does not answer now: $(tail -n 1 <<<"$out"); armed anyway, a panic before it is back falls to FAILURE_ACTION"
	return 0
}

# lkd_check_nfs OPTIONS: the NFS dump target lkd_resolve_net took apart
# mounts with OPTIONS and is writable by root (root_squash would make it
# read-only for the capture). Returns 1 with lkd_error; a server that does
# not answer only sets lkd_warning.
lkd_check_nfs() {
	local opts=$1 d out rc=0 src
	lkd_warning=''
	if ! command -v mount.nfs >/dev/null 2>&1; then
		lkd_error="DUMP_TARGET=nfs://... needs mount.nfs: install nfs-common"
		return 1
	fi
	src=$lkd_net_hostpart:$lkd_net_path
	d=$(mktemp -d) || {
		lkd_error="cannot create a temporary directory"
		return 1
	}
	out=$(timeout 60 mount -t nfs -o "$opts" "$src" "$d" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		if ! out=$(touch "$d/.lazy-kdump-check" 2>&1 && rm -f "$d/.lazy-kdump-check"); then
			umount "$d" 2>/dev/null
			rmdir "$d"
			lkd_error="the NFS export $src is mounted but root cannot write there ($out): export it with no_root_squash, or make the directory writable by the squashed user"
			return 1
		fi
		umount "$d" 2>/dev/null
		rmdir "$d"
		return 0
	fi
	rmdir "$d" 2>/dev/null
	case $out in
	*'access denied'* | *'No such file'* | *'Permission denied'* | *'bad option'* | *'Invalid argument'* | *'Protocol not supported'*)
		lkd_error="cannot mount the NFS dump target $src (-o $opts): $(tail -n 1 <<<"$out")"
		# NFSv3's portmapper queries (libtirpc) need the protocol and
		# service names; without them "Protocol not supported".
		if [ ! -e "${LKD_ETC:-/etc}/protocols" ] || [ ! -e "${LKD_ETC:-/etc}/services" ]; then
			lkd_error="$lkd_error (there is no /etc/protocols or /etc/services, which NFSv3 needs: apt-get install netbase)"
		fi
		return 1
		;;
	esac
	lkd_warning="the NFS server of $src does not answer now: $(tail -n 1 <<<"$out"); armed anyway, a panic before it is back falls to FAILURE_ACTION"
	return 0
}

# lkd_fetch_dumps DIR HOST: what the dump server (lkd_resolve_net's) holds
# of HOST's dumps, mirrored into DIR (emptied first) for lazy-kdump's
# status, dumps and next-boot report, which read dump directories: each
# HOST-DATE directory with its status file and, as sparse files of the
# same sizes, its vmcore, vmcore.flat and their .incomplete forms. Over
# ssh (KEY) with one command; NFS mounted read-only for the copy
# (OPTIONS). Returns 1 with lkd_error.
lkd_fetch_dumps() {
	local dir=$1 host=$2 key=$3 opts=$4 list d rc=0 mnt='' line name bytes
	# The listing, run in the directory of the dumps: "== DIR", the
	# status lines, then "size NAME BYTES" lines.
	local lister="for d in $host-[0-9][0-9][0-9][0-9]-*; do [ -d \"\$d\" ] || continue; echo \"== \$d\"; cat \"\$d/status\" 2>/dev/null; for f in vmcore vmcore.incomplete vmcore.flat vmcore.flat.incomplete; do [ -f \"\$d/\$f\" ] && echo \"size \$f \$(wc -c < \"\$d/\$f\")\"; done; done; exit 0"
	if [ "$lkd_net_kind" = ssh ]; then
		list=$(lkd_ssh_run "$key" "cd '$lkd_net_path' 2>/dev/null || exit 0; $lister" 2>&1) || rc=$?
	else
		mnt=$(mktemp -d) || {
			lkd_error="cannot create a temporary directory"
			return 1
		}
		if list=$(timeout 60 mount -t nfs -o "ro,$opts" "$lkd_net_hostpart:$lkd_net_path" "$mnt" 2>&1); then
			list=$(cd "$mnt" && sh -c "$lister" 2>&1) || rc=$?
			umount "$mnt" 2>/dev/null
		else
			rc=1
		fi
		rmdir "$mnt" 2>/dev/null
	fi
	if [ "$rc" -ne 0 ]; then
		lkd_error="cannot read the dumps on the dump server $lkd_net_host: $(tail -n 1 <<<"$list")"
		return 1
	fi
	rm -rf "${dir:?}"
	mkdir -p "$dir" || {
		lkd_error="cannot create $dir"
		return 1
	}
	d=''
	while IFS= read -r line; do
		case $line in
		"== "*)
			d=${line#== }
			case $d in */* | .* | '') d='' ;; *) mkdir -p "$dir/$d" ;; esac
			;;
		"size "*)
			[ -n "$d" ] || continue
			read -r _ name bytes <<<"$line"
			case $name in vmcore | vmcore.incomplete | vmcore.flat | vmcore.flat.incomplete) ;; *) continue ;; esac
			case $bytes in '' | *[!0-9]*) continue ;; esac
			truncate -s "$bytes" "$dir/$d/$name"
			;;
		*=*) [ -z "$d" ] || printf '%s\n' "$line" >>"$dir/$d/status" ;;
		esac
	done <<<"$list"
	return 0
}

lkd_resolve_target() {
	local t=$1 p mnt src uuid rel devspec rc=0
	lkd_target_spec='' lkd_target_dev='' lkd_target_fstype='' lkd_target_root=0 lkd_error=''
	lkd_mpath_waited=0
	lkd_target_dracut='' lkd_target_luks='' lkd_target_cmdline='' lkd_target_kind=''
	lkd_target_iscsi='' lkd_net_kind='' lkd_net_record='' lkd_warning=''
	case $t in
	raw:*)
		lkd_resolve_raw "${t#raw:}" || return 1
		lkd_target_spec=raw:$lkd_raw_spec
		return 0
		;;
	ssh://* | nfs://*)
		lkd_resolve_net "$t" || return 1
		if [ "$lkd_net_kind" = ssh ]; then
			lkd_check_ssh "$(lkd_net_part SSH_KEY)" || return 1
		else
			lkd_check_nfs "$(lkd_net_part NFS_OPTIONS)" || return 1
		fi
		return 0
		;;
	/*:/* | [A-Z]*=*:/*)
		devspec=${t%:/*}
		# Early at boot DEVICE may still name a path of a multipath
		# disk: lkd_find_device waits for its map.
		lkd_find_device "$devspec" || rc=$?
		src=$lkd_dev
		if [ "$rc" = 1 ]; then
			lkd_error="DUMP_TARGET=$t: no block device $devspec on this machine"
			return 1
		fi
		if ! lkd_check_stack "$src"; then
			[ "$rc" != 2 ] || lkd_error="$lkd_error (waited $lkd_mpath_waited s for the map)"
			return 1
		fi
		lkd_target_spec=$t
		lkd_target_dev=$src
		lkd_target_fstype=$(blkid -o value -s TYPE "$src" 2>/dev/null) || lkd_target_fstype=''
		return 0
		;;
	/*) ;;
	*)
		lkd_error="DUMP_TARGET=$t is neither an absolute PATH nor DEVICE:PATH (e.g. /var/crash or UUID=...:/crash)"
		return 1
		;;
	esac
	# The file system holding PATH (or its nearest existing parent).
	p=$t
	while [ ! -e "$p" ]; do p=$(dirname "$p"); done
	mnt=$(findmnt -n -o TARGET --target "$p" 2>/dev/null) || mnt=''
	src=$(findmnt -n -o SOURCE --target "$p" 2>/dev/null) || src=''
	lkd_target_fstype=$(findmnt -n -o FSTYPE --target "$p" 2>/dev/null) || lkd_target_fstype=''
	src=${src%%\[*}
	if [ -z "$mnt" ] || [ -z "$src" ]; then
		lkd_error="DUMP_TARGET=$t: cannot find the file system it is on (findmnt --target $p)"
		return 1
	fi
	if [ ! -b "$src" ]; then
		lkd_error="DUMP_TARGET=$t is on $src ($lkd_target_fstype, mounted on $mnt), not on a local block device: the crash kernel cannot reach it; point DUMP_TARGET at a local disk"
		return 1
	fi
	lkd_target_dev=$(readlink -f "$src")
	lkd_check_stack "$lkd_target_dev" || return 1
	if [ "$mnt" = / ]; then
		lkd_target_spec=$t
		lkd_target_root=1
		return 0
	fi
	uuid=$(findmnt -n -o UUID --target "$p" 2>/dev/null) || uuid=''
	[ -n "$uuid" ] || uuid=$(blkid -o value -s UUID "$src" 2>/dev/null) || uuid=''
	if [ -z "$uuid" ]; then
		lkd_error="DUMP_TARGET=$t is on $src (mounted on $mnt), which has no file system UUID: give DUMP_TARGET=DEVICE:PATH"
		return 1
	fi
	rel=${t#"$mnt"}
	rel=/${rel#/}
	lkd_target_spec="UUID=$uuid:$rel"
	return 0
}

# lkd_makedumpfile_check KVER VERSION_TEXT: VERSION_TEXT is what
# `makedumpfile -v` printed ("makedumpfile: version 1.7.6 (...)").
# Returns 1 with lkd_error when that makedumpfile is known to write much
# larger dumps for kernel KVER: before 1.7.7 it does not understand 6.12's
# page types, finds no free page, and writes all free memory into the dump
# (makedumpfile issue #16, fixed in 1.7.7). Anything it cannot parse is
# not judged.
lkd_makedumpfile_check() {
	local kver=$1 text=$2 v kmaj kmin a b c
	lkd_error=''
	v=$(printf '%s\n' "$text" | sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
	[[ $kver =~ ^([0-9]+)\.([0-9]+) ]] || return 0
	kmaj=${BASH_REMATCH[1]} kmin=${BASH_REMATCH[2]}
	[[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || return 0
	a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]}
	if [ $((kmaj * 1000 + kmin)) -ge 6012 ] &&
		[ $((a * 1000000 + b * 1000 + c)) -lt 1007007 ]; then
		lkd_error="makedumpfile $v cannot tell free pages on kernel $kver (6.12 changed the page types; fixed in makedumpfile 1.7.7): every dump will also hold all free memory, so it is much larger and slower (e.g. 392 MB instead of about 40 MB for a 2 GiB machine). Install makedumpfile 1.7.7 or later (e.g. from trixie-backports) and the capture initrd is rebuilt with it"
		return 1
	fi
	return 0
}
