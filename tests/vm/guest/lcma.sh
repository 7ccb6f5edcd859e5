# shellcheck shell=dash
# Helpers for the lazy_cma guest tests; source after tap.sh.
#
#   lcma_json NAME FIELD     a field of the buffer NAME from `lazy-cma list --json`
#   lcma_present NAME        the buffer NAME is listed
#   iomem_range_is NAME ADDR SIZE DESC
#                            /proc/iomem has NAME at exactly [ADDR, ADDR+SIZE)
#   node_of_addr ADDR        the NUMA node of the memory block holding ADDR
#   free_kb                  MemFree plus the per-cpu free lists, in kB, page
#                            and slab caches dropped first
#   free_slack_kb            what MemFree may differ by for reasons of its
#                            own (per-cpu free lists, slab): 16 MiB + 2%

lcma_json() {
	lazy-cma list --json | grep -F "\"name\": \"$1\"" | head -n 1 |
		sed -n "s/.*\"$2\": \"\{0,1\}\([^\",}]*\)\"\{0,1\}[,}].*/\1/p"
}

lcma_present() {
	lazy-cma list --json | grep -qF "\"name\": \"$1\""
}

iomem_range_is() {
	local name=$1 addr=$2 size=$3 desc=$4 want got
	want=$(printf '%x %x' "$((addr))" "$((addr + size - 1))")
	got=$(iomem_ranges "$name" | tr '\n' ' ' | sed 's/ *$//')
	is "$got" "$want" "$desc"
}

node_of_addr() {
	local bs blk n
	bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
	blk=$(($1 / bs))
	for n in /sys/devices/system/memory/memory"$blk"/node*; do
		[ -e "$n" ] && { echo "${n##*node}"; return 0; }
	done
	echo "?"
}

free_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	# Pages on the per-cpu free lists are free but not in MemFree.
	echo $(($(meminfo MemFree) + $(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)))
}

free_slack_kb() {
	echo $((16384 + $(meminfo MemTotal) / 50))
}
