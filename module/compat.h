/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility shims, so that the .c files read like mainline code of the
 * newest kernel we support. Supported: Debian's 6.1, 6.12 and 7.x kernels
 * on x86-64.
 *
 * Every feature is detected from what the kernel headers define (a macro
 * of the newer API), never from version numbers and never by grepping the
 * headers: if a guess were wrong, the build fails instead of passing a
 * wrong argument. lcma.h includes this file after the kernel headers.
 */
#ifndef LAZY_CMA_COMPAT_H
#define LAZY_CMA_COMPAT_H

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>

/*
 * alloc_contig_range() took a migratetype up to 6.x and takes acr_flags_t
 * since 7.0 (ACR_FLAGS_NONE for an ordinary, non-CMA request; a macro).
 */
#ifdef ACR_FLAGS_NONE
#define lcma_alloc_contig_range(start, end, gfp) \
	alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp)
#else
#define lcma_alloc_contig_range(start, end, gfp) \
	alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp)
#endif

/*
 * Non-LRU movable pages: __PageMovable(), which tested the
 * PAGE_MAPPING_MOVABLE bit of page->mapping, became page_has_movable_ops()
 * when that bit went away (6.17).
 */
#ifdef PAGE_MAPPING_MOVABLE
#define lcma_page_movable_ops(page) __PageMovable(page)
#else
#define lcma_page_movable_ops(page) page_has_movable_ops(page)
#endif

/* The largest buddy order: MAX_ORDER (exclusive) became MAX_PAGE_ORDER. */
#ifdef MAX_PAGE_ORDER
#define LCMA_MAX_BUDDY_ORDER	MAX_PAGE_ORDER
#else
#define LCMA_MAX_BUDDY_ORDER	(MAX_ORDER - 1)
#endif

/* Zones by kind, whatever this configuration numbers them. */
static inline bool lcma_zone_is_dma(enum zone_type t)
{
#ifdef CONFIG_ZONE_DMA
	return t == ZONE_DMA;
#else
	return false;
#endif
}

static inline bool lcma_zone_is_dma32(enum zone_type t)
{
#ifdef CONFIG_ZONE_DMA32
	return t == ZONE_DMA32;
#else
	return false;
#endif
}

/*
 * What a write to /sys/kernel/kexec_crash_size compares with: since 6.5
 * (the kernels that have <linux/crash_reserve.h> among ours) the sizes of
 * crashk_res and crashk_low_res together, the new size rounded up to a
 * page first; before, crashk_res alone, unrounded.
 *
 * The name is quoted, which finds the same kernel header: checkpatch reads
 * <...> in an #if as comparisons. sparse 0.6.4 does not know __has_include
 * (an error there would silence all its warnings): it checks the code of
 * the older kernels.
 */
#if defined(__has_include)
#if __has_include("linux/crash_reserve.h")
#define LCMA_HAVE_CRASH_RESERVE_H
#endif
#elif !defined(__CHECKER__)
#error "lazy_cma needs a compiler with __has_include"
#endif

#ifdef LCMA_HAVE_CRASH_RESERVE_H
#define LCMA_SHRINK_COUNTS_LOW	1
#define lcma_shrink_round(size)	PAGE_ALIGN(size)
#else
#define LCMA_SHRINK_COUNTS_LOW	0
#define lcma_shrink_round(size)	(size)
#endif

/*
 * The first argument register at a function's entry, for the kprobe that
 * keeps crash_shrink_memory() away from our pages (crash.c).
 */
#if defined(CONFIG_X86_64)
#define lcma_regs_arg1(regs)		((regs)->di)
#define lcma_regs_set_arg1(regs, v)	((regs)->di = (v))
#else
#error "lazy_cma supports x86-64 only"
#endif

#endif /* LAZY_CMA_COMPAT_H */
