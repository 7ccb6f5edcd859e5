#!/bin/sh
# shellcheck shell=dash
# The allocation benchmark's guest half (tests/bench/alloc.sh; it reaches the
# guest as /lazy/tests/t_bench_alloc.sh through LAZY_VM_EXTRA).
#
# Times our allocator (/dev/lazy_cma; `lazy-kdump load` for the size "auto")
# against the seed project's strategy re-implemented as a baseline
# (/dev/lazy_cma_seed, tests/bench/seed) in one guest boot: for every
# scenario, run and size the allocators take turns (run 1 ours first, run 2
# the next one first, ...), and the scenario's state is re-established before
# every single measurement:
#   idle     nothing running; page and slab caches dropped
#   pcfull   a virtio disk (/dev/vda) read into the page cache until MemFree
#            is at most benchcachefree % of MemTotal (benchalloc fill-cache;
#            what a measurement freed is read back in)
#   frag     frag (tests/bench/frag.c) keeps unmovable pipe buffers and page
#            tables in pageblocks scattered over memory; what a measurement
#            takes and frees was free before as well; caches dropped
#   kfrag    fragmented for kdump (tests/vm/guest/kfrag.sh, the VM group
#            kdump-split's layout): no free window of the held auto size,
#            two smaller ones, for the split crash region and its working
#            memory; set up anew for every run (a setup takes 20-40 s under
#            TCG), the allocators taking turns on it (a failed one changes
#            nothing, split gives its windows back on unload), and given
#            back after
# Each measurement prints "# BENCH key=value ..." (parsed by the host);
# allocation failures are data, not test failures.
#
# Kernel command line words (from the group table):
#   benchruns=N          runs per scenario and size (5)
#   benchscen=A,B        scenarios, in this order (idle,frag,pcfull)
#   benchsizes=A,B       sizes; "auto" is `lazy-kdump load`'s size (256M,1G,auto)
#   benchallocs=A,B      ours, seed (zones Movable, Normal), seedall (the
#                        baseline with all_zones=Y: also DMA32, DMA), split
#                        (size auto only: lazy-kdump load --working-memory
#                        split; ours at auto is held, the default)
#                        (ours,seed)
#   benchallocs_SCEN=A,B the same for one scenario (e.g. benchallocs_frag)
#   benchgap=MIB         frag's mean gap between chosen pageblocks (128)
#   benchcachefree=PCT   pcfull's MemFree target (10)
# shellcheck source=/dev/null
. /lazy/tests/tap.sh
# shellcheck source=/dev/null
. /lazy/tests/kdump.sh
# shellcheck source=/dev/null
. /lazy/tests/kfrag.sh

runs=${benchruns:-5}
scens=$(echo "${benchscen:-idle,frag,pcfull}" | tr , ' ')
sizes=$(echo "${benchsizes:-256M,1G,auto}" | tr , ' ')
# shellcheck disable=SC2034 # read through eval below
allocs=${benchallocs:-ours,seed}
gap=${benchgap:-128}
cachefree=${benchcachefree:-10}
seed_ko=/lazy/bench/lazy_cma_seed.ko
seed_par=/sys/module/lazy_cma_seed/parameters

require_module
[ -f "$seed_ko" ] || skip_all "no $seed_ko in this initrd"
check "insmod $seed_ko (BENCHMARK BASELINE ONLY)" insmod "$seed_ko" || exit 1
command -v benchalloc >/dev/null || skip_all "benchalloc is not in /lazy/bin"

zones=$(awk '$1 == "Node" { z = $4 } $1 == "present" && $2 > 0 { printf "%s%s:%d", sep, z, $2 / 256; sep = "," }' /proc/zoneinfo)
auto=$(kd_estimate_json total)
split_core=$(kd_estimate_json split_region)
split_work=$(kd_estimate_json split_working_memory)
[ -n "$auto" ] || { not_ok "lazy-kdump estimate gives the auto size"; auto=268435456; }
diag "BENCHINFO kver=$(uname -r) mem_mb=$LAZY_MEM_MB zones_mib=$zones auto_bytes=$auto runs=$runs gap_mib=$gap cachefree_pct=$cachefree"

disk=
for d in /dev/vda /dev/vdb; do [ -b "$d" ] && { disk=$d; break; }; done

drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# unmovable_blocks: Unmovable pageblocks of all zones (/proc/pagetypeinfo).
unmovable_blocks() {
	awk '/^Number of blocks type/ { for (i = 5; i <= NF; i++) if ($i == "Unmovable") c = i - 1; t = 1; next }
		t && $1 == "Node" { s += $(c + 1) } END { print s + 0 }' /proc/pagetypeinfo
}

# prepare SCEN RUN: re-establish the scenario's state before a measurement.
prepare() {
	case $1 in
	idle) drop_caches ;;
	pcfull) diag "BENCHPREP scen=pcfull run=$2 $(benchalloc fill-cache "$disk" "$cachefree")" ;;
	frag)
		drop_caches
		kill -0 "$frag_pid" 2>/dev/null || not_ok "frag is still holding its allocations (run $2)"
		diag "BENCHPREP scen=frag run=$2 unmovable_blocks=$(unmovable_blocks) free_kb=$(meminfo MemFree)"
		;;
	kfrag)
		if [ "$kfrag_run" = "$2" ]; then
			diag "BENCHPREP scen=kfrag run=$2 the run's layout again free_kb=$(meminfo MemFree)"
			return
		fi
		kfrag_run=$2
		kfrag_release
		drop_caches
		if kfrag_setup "$split_core" "$split_work" "$auto"; then
			diag "BENCHPREP scen=kfrag run=$2 windows=$(echo "$KF_PLAN" | tr ' ,' '_;') larger_mib=$KF_LARGER free_kb=$(meminfo MemFree)"
		else
			not_ok "kfrag: the fragmented layout (run $2)"
		fi
		;;
	esac
}

# reserved_bytes: what the armed kdump holds (status --json: the crash
# region and the low region or split's working memory).
reserved_bytes() {
	local r l
	r=$(kd_status_json region_len)
	l=$(kd_status_json low_len)
	echo $((${r:-0} + ${l:-0}))
}

# measure SCEN SIZE ALLOC RUN: one measurement, one BENCH line.
measure() {
	local scen=$1 size=$2 alloc=$3 run=$4 bytes out info rc ns avail0 avail1
	bytes=$size
	[ "$size" != auto ] || bytes=$auto
	case $alloc in
	ours | split)
		# (split comes here at the size auto only: the loop below skips
		# the others.)
		if [ "$size" = auto ]; then
			avail0=$(meminfo MemAvailable)
			out=$(benchalloc time lazy-kdump load --working-memory "$([ "$alloc" = split ] && echo split || echo held)" 2>/tmp/bench-load.err)
			avail1=$(meminfo MemAvailable)
			rc=$(echo "$out" | sed -n 's/^rc=\([0-9]*\) .*/\1/p')
			ns=$(echo "$out" | sed -n 's/.* ns=\([0-9]*\)$/\1/p')
			info=$(benchalloc info lazy-kdump)
			# ok, ns: the whole `lazy-kdump load`; kns: its allocation (the
			# crash region's; split's working memory is a second buffer).
			# avail_drop_kb: MemAvailable before the load minus after it,
			# what arming took from production (page cache it read counts
			# as available).
			out="ok=$([ "$rc" = 0 ] && echo 1 || echo 0) arm_rc=$rc ns=$ns $(echo "$info" | sed 's/^ok=[01] //; s/ ns=[0-9]*//')"
			[ "$rc" != 0 ] || out="$out avail_drop_kb=$((avail0 - avail1)) reserved_bytes=$(reserved_bytes)"
			[ "$rc" = 0 ] || diag "lazy-kdump load: $(tail -n 3 /tmp/bench-load.err)"
			lazy-kdump unload >/dev/null 2>&1 ||
				[ "$rc" != 0 ] || not_ok "lazy-kdump unload after run $run"
		else
			out=$(benchalloc alloc /dev/lazy_cma "$bytes" "b-$scen-$size-$run")
		fi
		;;
	seed | seedall)
		if [ "$alloc" = seed ]; then echo N; else echo Y; fi >"$seed_par/all_zones"
		out=$(benchalloc alloc /dev/lazy_cma_seed "$bytes" "b-$scen-$size-$run")
		;;
	esac
	diag "BENCH scen=$scen size=$size alloc=$alloc run=$run bytes=$bytes $out"
}

# rotate N WORDS...: the words, starting with the (N mod count)th.
rotate() {
	local n=$1 i=0 head='' tail='' w
	shift
	n=$((n % $#))
	for w in "$@"; do
		if [ "$i" -lt "$n" ]; then head="$head $w"; else tail="$tail $w"; fi
		i=$((i + 1))
	done
	echo "$tail $head"
}

frag_pid='' kfrag_run=''
for scen in $scens; do
	t0=$(cut -d. -f1 /proc/uptime)
	case $scen in
	idle) ;;
	pcfull)
		if [ -z "$disk" ]; then
			skip "pcfull" "no virtio disk to fill the page cache from"
			continue
		fi
		# Hold the disk open: 6.1 drops a block device's cache on last close.
		exec 4<"$disk"
		;;
	kfrag)
		if [ -z "$split_core" ] || [ -z "$split_work" ]; then
			not_ok "lazy-kdump estimate gives the split sizes"
			continue
		fi
		diag "BENCHPREP scen=kfrag held_bytes=$auto split_region_bytes=$split_core split_working_memory_bytes=$split_work"
		;;
	frag)
		frag -g "$gap" >/tmp/frag.log 2>&1 &
		frag_pid=$!
		i=0
		while ! grep -q '^frag: ready' /tmp/frag.log && kill -0 "$frag_pid" 2>/dev/null &&
			[ "$i" -lt 900 ]; do
			sleep 1
			i=$((i + 1))
		done
		diag "$(cat /tmp/frag.log)"
		if ! grep -q '^frag: ready' /tmp/frag.log; then
			not_ok "frag sets up the fragmented state"
			kill "$frag_pid" 2>/dev/null
			continue
		fi
		ok "frag sets up the fragmented state in ${i} s"
		;;
	*)
		not_ok "unknown scenario '$scen'"
		continue
		;;
	esac
	# The scenario's allocators: benchallocs_SCEN, else benchallocs.
	eval "sallocs=\${benchallocs_$scen:-\$allocs}"
	sallocs=$(echo "$sallocs" | tr , ' ')
	n=0
	r=1
	while [ "$r" -le "$runs" ]; do
		for size in $sizes; do
			# shellcheck disable=SC2086 # word lists
			for alloc in $(rotate $((r - 1)) $sallocs); do
				# split is a mode of lazy-kdump load: the size auto only.
				[ "$alloc" != split ] || [ "$size" = auto ] || continue
				prepare "$scen" "$r"
				measure "$scen" "$size" "$alloc" "$r"
				n=$((n + 1))
			done
		done
		r=$((r + 1))
	done
	ok "$scen: $n measurements in $(($(cut -d. -f1 /proc/uptime) - t0)) s"
	case $scen in
	pcfull)
		exec 4<&-
		drop_caches
		;;
	frag)
		kill "$frag_pid"
		wait "$frag_pid"
		frag_pid=
		drop_caches
		;;
	kfrag)
		kfrag_release
		drop_caches
		;;
	esac
done
check "rmmod lazy_cma_seed" rmmod lazy_cma_seed
