/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility shims, force-included into every source file so that the
 * .c files read like mainline code of the newest kernel we support.
 *
 * Features are detected from the kernel headers by Kbuild (LCMA_HAVE_*)
 * or from macros the headers define; never from version numbers alone.
 * Supported: Debian's 6.1, 6.12 and 7.x kernels on x86-64.
 *
 * Everything here is a macro and this file includes nothing: it is read
 * before each file's pr_fmt and includes, and expands where it is used.
 */
#ifndef LAZY_CMA_COMPAT_H
#define LAZY_CMA_COMPAT_H

/*
 * alloc_contig_range() took a migratetype up to 6.x and takes acr_flags_t
 * since 7.0 (ACR_FLAGS_NONE for an ordinary, non-CMA request).
 */
#ifdef LCMA_HAVE_ACR_FLAGS
#define lcma_alloc_contig_range(start, end, gfp) \
	alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp)
#else
#define lcma_alloc_contig_range(start, end, gfp) \
	alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp)
#endif

/* Non-LRU movable pages: __PageMovable() became page_has_movable_ops(). */
#ifdef LCMA_HAVE_PAGE_HAS_MOVABLE_OPS
#define lcma_page_movable_ops(page) page_has_movable_ops(page)
#else
#define lcma_page_movable_ops(page) __PageMovable(page)
#endif

/* The largest buddy order: MAX_ORDER (exclusive) became MAX_PAGE_ORDER. */
#ifdef LCMA_HAVE_MAX_PAGE_ORDER
#define LCMA_MAX_BUDDY_ORDER	MAX_PAGE_ORDER
#else
#define LCMA_MAX_BUDDY_ORDER	(MAX_ORDER - 1)
#endif

/* Zones by kind, whatever this configuration numbers them. */
#ifdef CONFIG_ZONE_DMA
#define lcma_zone_is_dma(t)	((t) == ZONE_DMA)
#else
#define lcma_zone_is_dma(t)	false
#endif
#ifdef CONFIG_ZONE_DMA32
#define lcma_zone_is_dma32(t)	((t) == ZONE_DMA32)
#else
#define lcma_zone_is_dma32(t)	false
#endif

/*
 * The first argument register at a function's entry, for the kprobe that
 * keeps crash_shrink_memory() away from our pages (crash.c).
 */
#if defined(CONFIG_X86_64)
#define lcma_regs_set_arg1(regs, v)	((regs)->di = (v))
#else
#error "lazy_cma supports x86-64 only"
#endif

#endif /* LAZY_CMA_COMPAT_H */
