// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator: find a window of free or movable pages and take it with
 * alloc_contig_range().
 *
 * alloc_contig_range() is expensive when it fails: it isolates pageblocks,
 * drains per-cpu lists, migrates whatever it can and only then meets the
 * page it cannot move. Trying it at every pageblock in turn (what a naive
 * allocator does) makes a full or fragmented machine pay that price many
 * times. So every candidate window is screened first, from struct page
 * alone and without taking any lock:
 *
 *  - a pageblock that is offline, a hole, in another zone, or holds a
 *    reserved page or a page that is neither free nor movable (slab, page
 *    tables, kernel allocations) cannot be part of any window;
 *  - every other pageblock costs the number of pages that would have to be
 *    migrated or reclaimed (free buddy blocks are skipped whole).
 *
 * Windows of whole pageblocks are then ranked by that cost, and only the
 * cheapest few that do not overlap are tried. Buffers are long-lived and
 * unmovable, so they go in kernel zones: ZONE_NORMAL, then ZONE_DMA32
 * (never ZONE_DMA), so that memory devices need stays free as long as
 * possible. ZONE_MOVABLE promises the memory-hotplug code that every page
 * in it can move: has_unmovable_pages() does not even look, so offlining
 * a block holding a buffer would retry migration forever (and has been
 * seen to end in "Bad page state"). It is used only when the request's
 * node and placement have no kernel zone at all (a CXL or hot-added node
 * onlined movable).
 *
 * The screen is a heuristic on racy data: alloc_contig_range() stays the
 * only judge, and its failure just moves on to the next window. Its one
 * blind spot is time: under reclaim, page cache is off the LRU for a
 * moment (isolated by kswapd, or waiting in a per-cpu LRU batch), looks
 * unmovable, and the few screened windows can all fail. So before
 * answering -ENOMEM the allocator sweeps: every window offset of every
 * eligible zone, pageblock by pageblock as a naive allocator would, but
 * in order of cost with pages that looked unmovable counted heavily
 * rather than excluded. Only holes, other zones and reserved pages rule a
 * window out there. A request that can be met is met; one that cannot
 * costs a full sweep, bounded by the sweep_ms parameter (30 s; 0 turns the
 * sweep off) and interrupted by a fatal signal.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmstat.h>

#include "lcma.h"

#define LCMA_GFP		(GFP_KERNEL | __GFP_NOWARN)
#define LCMA_BAD_BLOCK		U32_MAX
/* Windows tried per zone, and alloc_contig_range() calls per request. */
#define LCMA_WINDOWS_PER_ZONE	8
#define LCMA_MAX_ATTEMPTS	24
#define LCMA_NR_RANKS		3
#define LCMA_PASSES		2
#define LCMA_4G_PFN		((unsigned long)(SZ_4G >> PAGE_SHIFT))

static unsigned int sweep_ms = 30000;
module_param(sweep_ms, uint, 0644);
MODULE_PARM_DESC(sweep_ms,
		 "Milliseconds an allocation may spend sweeping every window before it fails with ENOMEM; 0: no sweep (default 30000)");

struct lcma_window {
	unsigned long pfn;
	unsigned long cost;
};

/*
 * One alloc_contig_range() of this module at a time, as mm/cma.c's
 * cma_mutex does for CMA: when a call finds a pageblock of its range
 * already isolated by another call, alloc_contig_range() (6.12's
 * mm/page_alloc.c) undoes the isolation of its whole range, the other
 * call's pageblock included, and that call then goes on with a pageblock
 * the page allocator may use again (a VM_BUG_ON in
 * isolate_single_pageblock() on DEBUG_VM kernels: make check-debug's
 * stress test, two 2 MiB allocations on the same window). Allocations of
 * this module ask for the same cheapest windows, so they would meet there.
 * Other callers of alloc_contig_range() (CMA, gigantic huge pages,
 * virtio-mem) do not take this lock.
 */
static DEFINE_MUTEX(lcma_contig_lock);

/* alloc_contig_range() of [start, end), serialised; -EINTR when killed. */
static int lcma_contig_alloc(unsigned long start, unsigned long end)
{
	int ret;

	if (mutex_lock_killable(&lcma_contig_lock))
		return -EINTR;
	ret = lcma_alloc_contig_range(start, end, LCMA_GFP);
	mutex_unlock(&lcma_contig_lock);
	return ret;
}

#define LCMA_RANK_MOVABLE	2

/*
 * Preference of a zone type: 0 is tried first; -1 is never used;
 * LCMA_RANK_MOVABLE only when lcma_movable_allowed().
 */
static int lcma_zone_rank(enum zone_type t)
{
	if (t == ZONE_NORMAL)
		return 0;
	if (lcma_zone_is_dma32(t))
		return 1;
	if (t == ZONE_MOVABLE)
		return LCMA_RANK_MOVABLE;
	return -1;
}

static void lcma_pfn_bounds(const struct lcma_placement *place,
			    unsigned long *lo, unsigned long *hi)
{
	*lo = 0;
	*hi = ULONG_MAX;
	if (place->flags & LAZY_CMA_ALLOC_BELOW_4G)
		*hi = LCMA_4G_PFN;
	if (place->flags & LAZY_CMA_ALLOC_ABOVE_4G)
		*lo = LCMA_4G_PFN;
}

static bool lcma_node_wanted(const struct lcma_placement *place, int nid)
{
	return place->node == NUMA_NO_NODE || place->node == nid;
}

/*
 * May a request with @place use ZONE_MOVABLE? Only when its nodes have no
 * populated kernel zone (of a usable rank) within its address bounds.
 */
static bool lcma_movable_allowed(const struct lcma_placement *place)
{
	unsigned long lo, hi;
	int nid, z;

	lcma_pfn_bounds(place, &lo, &hi);
	for_each_node_state(nid, N_MEMORY) {
		if (!lcma_node_wanted(place, nid))
			continue;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];
			int rank = lcma_zone_rank(z);

			if (rank < 0 || rank == LCMA_RANK_MOVABLE ||
			    !populated_zone(zone))
				continue;
			if (min(zone_end_pfn(zone), hi) >
			    max(zone->zone_start_pfn, lo))
				return false;
		}
	}
	return true;
}

/* Is a zone of @rank usable for this request? */
static bool lcma_rank_usable(int rank, bool movable_ok)
{
	return rank >= 0 && (rank != LCMA_RANK_MOVABLE || movable_ok);
}

/**
 * lcma_sweep_str() - how far an allocation went, for its log line
 * @st: the allocation's statistics.
 *
 * Return: a constant string.
 */
const char *lcma_sweep_str(const struct lcma_alloc_stats *st)
{
	if (st->interrupted)
		return st->swept ? "sweep interrupted by a fatal signal" :
				   "interrupted by a fatal signal";
	if (st->sweep_cut)
		return "sweep cut short by sweep_ms";
	if (st->swept)
		return "screened windows and a full sweep";
	if (!READ_ONCE(sweep_ms))
		return "screened windows; sweep off: sweep_ms=0";
	return "screened windows";
}

const char *lcma_zone_name(u32 zone)
{
	switch (zone) {
	case LAZY_CMA_ZONE_DMA:
		return "DMA";
	case LAZY_CMA_ZONE_DMA32:
		return "DMA32";
	case LAZY_CMA_ZONE_NORMAL:
		return "Normal";
	case LAZY_CMA_ZONE_MOVABLE:
		return "Movable";
	default:
		return "other";
	}
}

void lcma_describe_pfn(unsigned long pfn, int *nid, u32 *zone)
{
	struct page *page = pfn_to_page(pfn);
	enum zone_type t = page_zonenum(page);

	*nid = page_to_nid(page);
	if (lcma_zone_is_dma(t))
		*zone = LAZY_CMA_ZONE_DMA;
	else if (lcma_zone_is_dma32(t))
		*zone = LAZY_CMA_ZONE_DMA32;
	else if (t == ZONE_NORMAL)
		*zone = LAZY_CMA_ZONE_NORMAL;
	else if (t == ZONE_MOVABLE)
		*zone = LAZY_CMA_ZONE_MOVABLE;
	else
		*zone = LAZY_CMA_ZONE_OTHER;
}

/**
 * lcma_check_request() - refuse what cannot succeed before any work
 * @nr_pages: length asked for.
 * @place: placement asked for.
 *
 * Return: 0; -ENODEV if the node is not online with memory; -EINVAL if
 * @nr_pages is more than all memory of the eligible zones; -ENOMEM if it
 * is more than the free and reclaimable memory of the eligible nodes.
 */
int lcma_check_request(unsigned long nr_pages,
		       const struct lcma_placement *place)
{
	unsigned long lo, hi, total = 0, avail = 0;
	bool movable_ok;
	int nid, z;

	if (place->node != NUMA_NO_NODE &&
	    (place->node < 0 || place->node >= MAX_NUMNODES ||
	     !node_state(place->node, N_MEMORY)))
		return -ENODEV;

	movable_ok = lcma_movable_allowed(place);
	lcma_pfn_bounds(place, &lo, &hi);
	for_each_node_state(nid, N_MEMORY) {
		if (!lcma_node_wanted(place, nid))
			continue;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];
			unsigned long s, e;

			if (!populated_zone(zone))
				continue;
			avail += zone_page_state(zone, NR_FREE_PAGES) +
				 zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
				 zone_page_state(zone, NR_ZONE_ACTIVE_FILE);
			if (!lcma_rank_usable(lcma_zone_rank(z), movable_ok))
				continue;
			s = max(zone->zone_start_pfn, lo);
			e = min(zone_end_pfn(zone), hi);
			if (e > s)
				total += min(e - s, zone_managed_pages(zone));
		}
	}
	if (nr_pages > total)
		return -EINVAL;
	if (nr_pages > avail)
		return -ENOMEM;
	return 0;
}

/*
 * Cost of the pages [pfn, end) of @zone: how many would have to move, or
 * LCMA_BAD_BLOCK if one cannot. @free_until carries a free buddy block
 * that reaches past the previous range. @lenient (the sweep): a page that
 * looks unmovable but may only be off the LRU for a moment costs
 * pageblock_nr_pages instead of ruling the range out.
 */
static u32 lcma_range_cost(struct zone *zone, unsigned long pfn,
			   unsigned long end, unsigned long *free_until,
			   bool lenient)
{
	struct page *page;
	u32 cost = 0;

	page = pfn_to_online_page(pfn);
	if (!page || page_zone(page) != zone)
		return LCMA_BAD_BLOCK;
	page = pfn_to_online_page(end - 1);
	if (!page || page_zone(page) != zone)
		return LCMA_BAD_BLOCK;

	while (pfn < end) {
		if (pfn < *free_until) {
			pfn = *free_until;
			continue;
		}
		page = pfn_to_page(pfn);
		if (PageBuddy(page)) {
			unsigned long order = READ_ONCE(page->private);

			/* Racy read: a torn order only skips one page. */
			if (order > LCMA_MAX_BUDDY_ORDER)
				order = 0;
			*free_until = pfn + (1UL << order);
			continue;
		}
		if (PageReserved(page))
			return LCMA_BAD_BLOCK;
		/* A free page on a per-cpu list, or one being freed. */
		if (!page_count(page)) {
			pfn++;
			continue;
		}
		if (!PageLRU(page) && !lcma_page_movable_ops(page)) {
			if (!lenient)
				return LCMA_BAD_BLOCK;
			cost += pageblock_nr_pages;
		} else {
			cost++;
		}
		pfn++;
	}
	return cost;
}

/*
 * Can [pfn, pfn + nr) be named in /proc/iomem? Not when it straddles the
 * edge of another entry, e.g. the "System RAM" that crash_shrink_memory()
 * hands back out of a boot-time crash region, or a hot-plugged block.
 * Screening does not look at the resource tree: this is checked on the
 * pages once they are ours.
 */
static bool lcma_iomem_fits(unsigned long pfn, unsigned long nr)
{
	struct resource probe = {
		.name = LAZY_CMA_DEFAULT_NAME,
		.start = PFN_PHYS(pfn),
		.end = PFN_PHYS(pfn + nr) - 1,
		.flags = IORESOURCE_MEM | IORESOURCE_BUSY,
	};

	if (insert_resource(&iomem_resource, &probe))
		return false;
	remove_resource(&probe);
	return true;
}

static int lcma_window_cmp(const void *a, const void *b)
{
	const struct lcma_window *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	/* Equal cost: higher addresses first, away from early allocations. */
	if (x->pfn != y->pfn)
		return x->pfn > y->pfn ? -1 : 1;
	return 0;
}

/*
 * Every window of @nr_pages (whole pageblocks) of @zone within [lo, hi)
 * that holds no excluded pageblock, cheapest first: returns how many and
 * sets *@winp (kvfree() it), or -ENOMEM. @lenient as lcma_range_cost().
 */
static long lcma_zone_windows(struct zone *zone, unsigned long lo,
			      unsigned long hi, unsigned long nr_pages,
			      bool lenient, struct lcma_window **winp,
			      unsigned long *largest)
{
	unsigned long pb = pageblock_nr_pages;
	unsigned long start = ALIGN(max(zone->zone_start_pfn, lo), pb);
	unsigned long end = ALIGN_DOWN(min(zone_end_pfn(zone), hi), pb);
	unsigned long nblocks, wblocks, nwin = 0, b, run = 0, bad = 0;
	unsigned long sum = 0, free_until = 0;
	struct lcma_window *win = NULL;
	u32 *cost;

	*winp = NULL;
	if (end <= start)
		return 0;
	nblocks = (end - start) / pb;
	wblocks = DIV_ROUND_UP(nr_pages, pb);

	cost = kvmalloc_array(nblocks, sizeof(*cost), GFP_KERNEL);
	if (!cost)
		return -ENOMEM;
	for (b = 0; b < nblocks; b++) {
		unsigned long pfn = start + b * pb;

		cost[b] = lcma_range_cost(zone, pfn, pfn + pb, &free_until,
					  lenient);
		run = cost[b] == LCMA_BAD_BLOCK ? 0 : run + 1;
		*largest = max(*largest, run * pb);
		if (!(b % 64))
			cond_resched();
	}
	if (nblocks < wblocks)
		goto out;

	win = kvmalloc_array(nblocks - wblocks + 1, sizeof(*win), GFP_KERNEL);
	if (!win) {
		kvfree(cost);
		return -ENOMEM;
	}
	/* Slide a window of wblocks pageblocks over the zone. */
	for (b = 0; b < nblocks; b++) {
		if (cost[b] == LCMA_BAD_BLOCK)
			bad++;
		else
			sum += cost[b];
		if (b >= wblocks) {
			if (cost[b - wblocks] == LCMA_BAD_BLOCK)
				bad--;
			else
				sum -= cost[b - wblocks];
		}
		if (b + 1 >= wblocks && !bad) {
			win[nwin].pfn = start + (b + 1 - wblocks) * pb;
			win[nwin].cost = sum;
			nwin++;
		}
	}
	sort(win, nwin, sizeof(*win), lcma_window_cmp, NULL);
out:
	kvfree(cost);
	*winp = win;
	return nwin;
}

/*
 * Screen @zone for windows of @nr_pages within [lo, hi). Writes at most
 * @max non-overlapping windows to @out, cheapest first, and returns how
 * many, or -ENOMEM.
 */
static int lcma_screen_zone(struct zone *zone, unsigned long lo,
			    unsigned long hi, unsigned long nr_pages,
			    struct lcma_window *out, int max,
			    unsigned long *largest)
{
	unsigned long span = ALIGN(nr_pages, pageblock_nr_pages);
	struct lcma_window *win;
	long nwin, b;
	int n = 0, i;

	nwin = lcma_zone_windows(zone, lo, hi, nr_pages, false, &win, largest);
	if (nwin < 0)
		return nwin;
	for (b = 0; b < nwin && n < max; b++) {
		bool overlaps = false;

		for (i = 0; i < n; i++) {
			unsigned long d = win[b].pfn > out[i].pfn ?
					  win[b].pfn - out[i].pfn :
					  out[i].pfn - win[b].pfn;

			if (d < span) {
				overlaps = true;
				break;
			}
		}
		if (!overlaps)
			out[n++] = win[b];
	}
	kvfree(win);
	return n;
}

/*
 * Take [pfn, pfn + nr_pages) if alloc_contig_range() can and /proc/iomem
 * can name it. Return: 0, -EINTR, or another -errno (try elsewhere).
 */
static int lcma_try_window(unsigned long pfn, unsigned long nr_pages,
			   unsigned long cost, struct lcma_alloc_stats *stats)
{
	int ret;

	if (fatal_signal_pending(current))
		return -EINTR;
	stats->attempts++;
	ret = lcma_contig_alloc(pfn, pfn + nr_pages);
	if (!ret && !lcma_iomem_fits(pfn, nr_pages)) {
		free_contig_range(pfn, nr_pages);
		ret = -EBUSY;
	}
	if (ret && ret != -EINTR)
		pr_debug("window %#lx+%lu (cost %lu) failed: %d\n", pfn,
			 nr_pages, cost, ret);
	return ret;
}

/*
 * Screen the zones of @rank on the wanted nodes and try their cheapest
 * windows. Return: 0 with *@pfn set, -ENOMEM, -EINTR.
 */
static int lcma_try_rank(int rank, unsigned long nr_pages,
			 const struct lcma_placement *place, unsigned long lo,
			 unsigned long hi, struct lcma_window *cand, int cap,
			 unsigned long *pfn, struct lcma_alloc_stats *stats)
{
	int nid, z, i, n = 0, ret;

	for_each_node_state(nid, N_MEMORY) {
		if (!lcma_node_wanted(place, nid))
			continue;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];
			int got;

			if (lcma_zone_rank(z) != rank || !populated_zone(zone) ||
			    n + LCMA_WINDOWS_PER_ZONE > cap)
				continue;
			got = lcma_screen_zone(zone, lo, hi, nr_pages, cand + n,
					       LCMA_WINDOWS_PER_ZONE,
					       &stats->largest);
			if (got < 0)
				return got;
			n += got;
		}
	}
	stats->windows += n;
	sort(cand, n, sizeof(*cand), lcma_window_cmp, NULL);

	for (i = 0; i < n && stats->attempts < LCMA_MAX_ATTEMPTS; i++) {
		ret = lcma_try_window(cand[i].pfn, nr_pages, cand[i].cost, stats);
		if (!ret)
			*pfn = cand[i].pfn;
		if (!ret || ret == -EINTR)
			return ret;
	}
	return -ENOMEM;
}

/*
 * The last resort: every window of every zone of @rank on the wanted
 * nodes, leniently screened, cheapest first, until ktime_get_ns() passes
 * @deadline. Return: 0 with *@pfn set, -ENOMEM, -ETIME, -EINTR.
 */
static int lcma_sweep_rank(int rank, unsigned long nr_pages,
			   const struct lcma_placement *place, unsigned long lo,
			   unsigned long hi, u64 deadline, unsigned long *pfn,
			   struct lcma_alloc_stats *stats)
{
	int nid, z, ret;

	for_each_node_state(nid, N_MEMORY) {
		if (!lcma_node_wanted(place, nid))
			continue;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];
			/* Not a measure of usable memory: keep the screen's. */
			unsigned long lenient_largest = 0;
			struct lcma_window *win;
			long nwin, i;

			if (lcma_zone_rank(z) != rank || !populated_zone(zone))
				continue;
			nwin = lcma_zone_windows(zone, lo, hi, nr_pages, true,
						 &win, &lenient_largest);
			if (nwin < 0)
				return nwin;
			stats->windows += nwin;
			ret = -ENOMEM;
			for (i = 0; i < nwin; i++) {
				if (ktime_get_ns() > deadline) {
					ret = -ETIME;
					break;
				}
				ret = lcma_try_window(win[i].pfn, nr_pages,
						      win[i].cost, stats);
				if (!ret)
					*pfn = win[i].pfn;
				if (!ret || ret == -EINTR)
					break;
				cond_resched();
			}
			kvfree(win);
			if (!ret || ret == -EINTR || ret == -ETIME)
				return ret;
		}
	}
	return -ENOMEM;
}

/**
 * lcma_alloc_window() - allocate @nr_pages contiguous pages
 * @nr_pages: length in pages.
 * @place: node and placement constraints.
 * @pfn: out: the first page frame on success.
 * @stats: out: attempts, windows screened, time, largest usable window,
 *	whether the sweep ran and whether sweep_ms cut it short.
 *
 * The cheapest screened windows first (two passes); when all fail, the
 * sweep of every window offset, within sweep_ms.
 *
 * Return: 0, -ENOMEM when no window could be taken, -EINTR on a fatal
 * signal.
 */
int lcma_alloc_window(unsigned long nr_pages,
		      const struct lcma_placement *place, unsigned long *pfn,
		      struct lcma_alloc_stats *stats)
{
	u64 t0 = ktime_get_ns(), deadline;
	struct lcma_window *cand;
	unsigned long lo, hi;
	int rank, pass, cap, ret = -ENOMEM;
	bool movable_ok;
	unsigned int ms;

	memset(stats, 0, sizeof(*stats));
	lcma_pfn_bounds(place, &lo, &hi);
	/* One zone of each rank per node; nodes may come online meanwhile. */
	cap = num_node_state(N_MEMORY) * LCMA_WINDOWS_PER_ZONE;
	cand = kmalloc_array(cap, sizeof(*cand), GFP_KERNEL);
	if (!cand)
		return -ENOMEM;

	/*
	 * A second pass screens again: concurrent allocations screen the same
	 * cheapest windows, and those that lost a window to another one find
	 * the memory as it is now.
	 */
	movable_ok = lcma_movable_allowed(place);
	for (pass = 0; pass < LCMA_PASSES; pass++) {
		if (pass && (!stats->attempts ||
			     stats->attempts >= LCMA_MAX_ATTEMPTS))
			break;
		for (rank = 0; rank < LCMA_NR_RANKS; rank++) {
			if (!lcma_rank_usable(rank, movable_ok))
				continue;
			ret = lcma_try_rank(rank, nr_pages, place, lo, hi, cand,
					    cap, pfn, stats);
			if (ret != -ENOMEM)
				goto out;
		}
	}
	ms = READ_ONCE(sweep_ms);
	deadline = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;
	for (rank = 0; ms && rank < LCMA_NR_RANKS; rank++) {
		if (!lcma_rank_usable(rank, movable_ok))
			continue;
		stats->swept = true;
		ret = lcma_sweep_rank(rank, nr_pages, place, lo, hi, deadline,
				      pfn, stats);
		if (ret == -ETIME) {
			stats->sweep_cut = true;
			ret = -ENOMEM;
		}
		if (ret != -ENOMEM || stats->sweep_cut)
			break;
	}
out:
	kfree(cand);
	stats->interrupted = ret == -EINTR;
	stats->ns = ktime_get_ns() - t0;
	return ret;
}

/**
 * lcma_screen_largest() - the largest usable window, without allocating
 * @place: the placement constraints of a request.
 * @stats: out: ->largest (pages), as the allocator's screening sees it.
 *
 * For a request refused before any attempt (lcma_check_request() said
 * -ENOMEM): what could have been asked for instead.
 */
void lcma_screen_largest(const struct lcma_placement *place,
			 struct lcma_alloc_stats *stats)
{
	unsigned long lo, hi;
	bool movable_ok = lcma_movable_allowed(place);
	u64 t0 = ktime_get_ns();
	int nid, z;

	lcma_pfn_bounds(place, &lo, &hi);
	for_each_node_state(nid, N_MEMORY) {
		if (!lcma_node_wanted(place, nid))
			continue;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];
			struct lcma_window *win;

			if (!lcma_rank_usable(lcma_zone_rank(z), movable_ok) ||
			    !populated_zone(zone))
				continue;
			/* A length no zone holds: costs and runs only. */
			if (lcma_zone_windows(zone, lo, hi, ULONG_MAX / 2, false,
					      &win, &stats->largest) >= 0)
				kvfree(win);
		}
	}
	stats->ns += ktime_get_ns() - t0;
}

/**
 * lcma_grow_in_place() - take the pages right after a buffer
 * @pfn: the buffer's first page frame.
 * @nr_pages: its length.
 * @new_nr_pages: the length wanted.
 * @place: the buffer's placement constraints.
 *
 * Return: 0 if [pfn + nr_pages, pfn + new_nr_pages) is now ours; -ENOSPC
 * if it leaves the zone or the placement; -EBUSY if it holds a hole or
 * pages that cannot move, or straddles another /proc/iomem entry; another
 * -errno from alloc_contig_range().
 */
int lcma_grow_in_place(unsigned long pfn, unsigned long nr_pages,
		       unsigned long new_nr_pages,
		       const struct lcma_placement *place)
{
	unsigned long ext = pfn + nr_pages, end = pfn + new_nr_pages;
	unsigned long lo, hi, p, free_until = 0;
	struct zone *zone = page_zone(pfn_to_page(pfn));
	int ret;

	lcma_pfn_bounds(place, &lo, &hi);
	if (end > hi || end > zone_end_pfn(zone))
		return -ENOSPC;
	/* Every pageblock of the extension must be online and in our zone. */
	for (p = ext; p < end; p = ALIGN(p + 1, pageblock_nr_pages)) {
		unsigned long e = min(end, ALIGN(p + 1, pageblock_nr_pages));

		if (lcma_range_cost(zone, p, e, &free_until, false) ==
		    LCMA_BAD_BLOCK)
			return -EBUSY;
	}
	ret = lcma_contig_alloc(ext, end);
	if (!ret && !lcma_iomem_fits(ext, end - ext)) {
		free_contig_range(ext, end - ext);
		ret = -EBUSY;
	}
	return ret;
}
