/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lazy_cma internals shared by main.c (device and ioctls), alloc.c (the
 * contiguous allocator) and crash.c (the crash-kernel binding).
 */
#ifndef LAZY_CMA_LCMA_H
#define LAZY_CMA_LCMA_H

#include <linux/atomic.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "compat.h"
#include "lazy_cma.h"

/**
 * struct lcma_placement - where a buffer may live
 * @node: NUMA node, or NUMA_NO_NODE for any.
 * @flags: LAZY_CMA_ALLOC_* placement flags.
 */
struct lcma_placement {
	int node;
	u32 flags;
};

/**
 * struct lcma_alloc_stats - what one allocation cost
 * @attempts: alloc_contig_range() calls.
 * @windows: candidate windows that passed screening.
 * @largest: the largest window (pages) that screening found usable, for
 *	error messages.
 * @ns: total time.
 * @swept: the screened windows failed and every window was swept.
 * @sweep_cut: the sweep stopped at the sweep_ms limit.
 * @interrupted: a fatal signal stopped the allocation.
 */
struct lcma_alloc_stats {
	u32 attempts;
	u32 windows;
	unsigned long largest;
	u64 ns;
	bool swept;
	bool sweep_cut;
	bool interrupted;
};

/**
 * struct lcma_buffer - one contiguous buffer
 * @node: entry in lcma_buffers, sorted by @pfn.
 * @pfn: first page frame.
 * @nr_pages: length in pages.
 * @place: placement asked for at allocation; kept when the buffer moves.
 * @nid: NUMA node the pages are on.
 * @zone: LAZY_CMA_ZONE_* of the zone the pages are in.
 * @name: /proc/iomem name.
 * @res: our /proc/iomem entry; its name points to @name.
 * @crash_res: the kernel's crashk_res or crashk_low_res while bound.
 * @crash_low: @crash_res is crashk_low_res.
 * @busy: a resize, or the zeroing before a first mapping or after an
 *	unbind, is in progress with lcma_lock dropped.
 * @map_count: live mappings (vm_ops open/close; atomic because fork and
 *	VMA splits call open without lcma_lock).
 * @exposed_pages: pages from the start that may hold data: a process's,
 *	through a mapping, or a crash kernel's while bound (then all of
 *	them). The rest are zero or were never seen: they are zeroed before
 *	the first mapping. Only exposed pages are copied when the buffer
 *	moves, and zeroed before they go back to the page allocator.
 * @alloc_ns: time the allocation or last resize took.
 * @alloc_attempts: alloc_contig_range() calls it took.
 *
 * Everything but @map_count is protected by lcma_lock.
 */
struct lcma_buffer {
	struct list_head node;
	unsigned long pfn;
	unsigned long nr_pages;
	struct lcma_placement place;
	int nid;
	u32 zone;
	char name[LAZY_CMA_NAME_MAX];
	struct resource res;
	struct resource *crash_res;
	bool crash_low;
	bool busy;
	atomic_t map_count;
	unsigned long exposed_pages;
	u64 alloc_ns;
	u32 alloc_attempts;
};

extern struct mutex lcma_lock;

/* The first page frame after @buf. */
static inline unsigned long lcma_buf_end(const struct lcma_buffer *buf)
{
	return buf->pfn + buf->nr_pages;
}

/* main.c */
void lcma_buffer_shrunk(struct lcma_buffer *buf, unsigned long kept);

/* alloc.c */
int lcma_check_request(unsigned long nr_pages,
		       const struct lcma_placement *place);
int lcma_alloc_window(unsigned long nr_pages,
		      const struct lcma_placement *place, unsigned long *pfn,
		      struct lcma_alloc_stats *stats);
void lcma_screen_largest(const struct lcma_placement *place,
			 struct lcma_alloc_stats *stats);
int lcma_grow_in_place(unsigned long pfn, unsigned long nr_pages,
		       unsigned long new_nr_pages,
		       const struct lcma_placement *place);
void lcma_describe_pfn(unsigned long pfn, int *nid, u32 *zone);
const char *lcma_zone_name(u32 zone);
const char *lcma_sweep_str(const struct lcma_alloc_stats *st);

/* crash.c */
int lcma_crash_init(void);
void lcma_crash_exit(void);
int lcma_kexec_lock_set(unsigned long addr);
int lcma_crash_begin(struct lcma_buffer *buf);
void lcma_crash_end(void);
void lcma_crash_sync(void);
int lcma_crash_bind(struct lcma_buffer *buf, unsigned long res_addr,
		    bool low);
int lcma_crash_unbind(struct lcma_buffer *buf);
bool lcma_crash_loaded(const struct lcma_buffer *buf);
void lcma_crash_detach(struct lcma_buffer *buf);
void lcma_crash_attach(struct lcma_buffer *buf);
void lcma_crash_scrub(unsigned long pfn, unsigned long nr);

#endif /* LAZY_CMA_LCMA_H */
