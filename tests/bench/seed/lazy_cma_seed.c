// SPDX-License-Identifier: GPL-2.0
/*
 * lazy_cma_seed - BENCHMARK BASELINE ONLY. Never shipped, never installed.
 *
 * A re-implementation, written for tests/bench/alloc.sh, of the allocation
 * strategy of the project lazy-kdump grew from (multikernel/lazy_cma), so
 * that our allocator (module/alloc.c) can be compared with it in the same
 * guest boot. It shares none of the seed's code; only its strategy:
 *
 *   for every online node (or the requested one), for each zone in order,
 *   walk the pageblock-aligned start pfns from the top of the zone
 *   (ALIGN_DOWN(zone_end - nr_pages, pageblock_nr_pages)) downwards and
 *   call alloc_contig_range() once per start whose first and last pfn are
 *   valid, until one call succeeds.
 *
 * Zone order: ZONE_MOVABLE, then ZONE_NORMAL, as the benchmark issue
 * describes the seed (and as an earlier seed revision did). With the
 * module parameter all_zones=Y (writable at run time) ZONE_DMA32 and
 * ZONE_DMA follow, as in the seed's current revision. No screening, no
 * ranking, no placement flags: that is the point of the baseline.
 *
 * Interface: /dev/lazy_cma_seed (0600) with LAZY_CMA_IOCTL_ALLOC and
 * LAZY_CMA_IOCTL_FREE of uapi/lazy_cma.h (flags must be 0; the buffer is
 * registered in /proc/iomem under its name, default "lazy_cma_seed").
 * Every allocation, successful or not, sets the read-only parameters
 * last_attempts (alloc_contig_range() calls), last_ns (time of the search)
 * and last_err (0 or the negative errno), and logs one line:
 *
 *   lazy_cma_seed: allocated NAME: 256 MiB at 0x... (Normal) in N us, K attempt(s)
 *   lazy_cma_seed: no contiguous 1024 MiB for NAME: K attempt(s) in N us
 *
 * Buffers are freed by LAZY_CMA_IOCTL_FREE or when the module is unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <lazy_cma.h>
#include "compat.h"

#define SEED_DEFAULT_NAME	"lazy_cma_seed"
/* The seed called alloc_contig_range() with plain GFP_KERNEL. */
#define SEED_GFP		GFP_KERNEL

static bool all_zones;
module_param(all_zones, bool, 0644);
MODULE_PARM_DESC(all_zones,
		 "N (default): ZONE_MOVABLE then ZONE_NORMAL; Y: then ZONE_DMA32 and ZONE_DMA too (the seed's current revision)");

static unsigned int last_attempts;
module_param(last_attempts, uint, 0444);
MODULE_PARM_DESC(last_attempts,
		 "alloc_contig_range() calls of the last allocation");

static unsigned long long last_ns;
module_param(last_ns, ullong, 0444);
MODULE_PARM_DESC(last_ns, "time the last allocation's search took, in ns");

static int last_err;
module_param(last_err, int, 0444);
MODULE_PARM_DESC(last_err, "0 or the negative errno of the last allocation");

struct seed_buffer {
	struct list_head node;
	unsigned long pfn;
	unsigned long nr_pages;
	struct resource res;
	char name[LAZY_CMA_NAME_MAX];
};

/* Serialises allocations and protects seed_buffers. */
static DEFINE_MUTEX(seed_lock);
static LIST_HEAD(seed_buffers);

static unsigned long seed_mib(unsigned long pages)
{
	return pages >> (20 - PAGE_SHIFT);
}

/*
 * Walk one zone top-down, one alloc_contig_range() per pageblock-aligned
 * start. Return: 0 with *@pfn set, -ENOMEM, -EINTR.
 */
static int seed_try_zone(struct zone *zone, unsigned long nr,
			 unsigned long *pfn, unsigned int *attempts)
{
	unsigned long lo = zone->zone_start_pfn, hi = zone_end_pfn(zone);
	unsigned long start;

	if (!populated_zone(zone) || hi - lo < nr)
		return -ENOMEM;

	start = ALIGN_DOWN(hi - nr, pageblock_nr_pages);
	while (start >= lo) {
		if (fatal_signal_pending(current))
			return -EINTR;
		if (pfn_valid(start) && pfn_valid(start + nr - 1)) {
			(*attempts)++;
			if (!lcma_alloc_contig_range(start, start + nr,
						     SEED_GFP)) {
				*pfn = start;
				return 0;
			}
		}
		if (start < pageblock_nr_pages)
			break;
		start -= pageblock_nr_pages;
		cond_resched();
	}
	return -ENOMEM;
}

static int seed_alloc_pages(unsigned long nr, int want_nid, unsigned long *pfn,
			    unsigned int *attempts, const char **zone_name)
{
	static const enum zone_type order[] = {
		ZONE_MOVABLE,
		ZONE_NORMAL,
#ifdef CONFIG_ZONE_DMA32
		ZONE_DMA32,
#endif
#ifdef CONFIG_ZONE_DMA
		ZONE_DMA,
#endif
	};
	unsigned int i, nzones = all_zones ? ARRAY_SIZE(order) : 2;
	int nid, ret;

	for_each_online_node(nid) {
		if (want_nid >= 0 && nid != want_nid)
			continue;
		for (i = 0; i < nzones; i++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[order[i]];

			ret = seed_try_zone(zone, nr, pfn, attempts);
			if (ret != -ENOMEM) {
				if (!ret)
					*zone_name = zone->name;
				return ret;
			}
		}
	}
	return -ENOMEM;
}

static struct seed_buffer *seed_find(u64 phys)
{
	struct seed_buffer *buf;

	lockdep_assert_held(&seed_lock);
	list_for_each_entry(buf, &seed_buffers, node)
		if (PFN_PHYS(buf->pfn) == phys)
			return buf;
	return NULL;
}

static void seed_release(struct seed_buffer *buf)
{
	if (buf->res.parent)
		remove_resource(&buf->res);
	free_contig_range(buf->pfn, buf->nr_pages);
	pr_info("freed %s: %lu MiB at %pa\n", buf->name,
		seed_mib(buf->nr_pages), &buf->res.start);
	kfree(buf);
}

static long seed_ioctl_alloc(void __user *argp)
{
	struct lazy_cma_allocation_data a;
	const char *zone_name = "?";
	unsigned int attempts = 0;
	struct seed_buffer *buf;
	unsigned long nr, pfn = 0;
	u64 t0, ns;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (!a.len || a.len > ULONG_MAX - PAGE_SIZE || a.flags || a.node < -1)
		return -EINVAL;
	if (a.node >= 0 && (a.node >= MAX_NUMNODES || !node_online(a.node)))
		return -EINVAL;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	a.name[LAZY_CMA_NAME_MAX - 1] = '\0';
	strscpy(buf->name, a.name[0] ? a.name : SEED_DEFAULT_NAME,
		sizeof(buf->name));
	nr = PAGE_ALIGN(a.len) >> PAGE_SHIFT;

	mutex_lock(&seed_lock);
	t0 = ktime_get_ns();
	ret = seed_alloc_pages(nr, a.node, &pfn, &attempts, &zone_name);
	ns = ktime_get_ns() - t0;
	last_attempts = attempts;
	last_ns = ns;
	last_err = ret;
	if (ret) {
		mutex_unlock(&seed_lock);
		pr_info("no contiguous %lu MiB for %s: %u attempt(s) in %llu us\n",
			seed_mib(nr), buf->name, attempts,
			div_u64(ns, NSEC_PER_USEC));
		kfree(buf);
		return ret;
	}
	buf->pfn = pfn;
	buf->nr_pages = nr;
	buf->res.name = buf->name;
	buf->res.start = PFN_PHYS(pfn);
	buf->res.end = PFN_PHYS(pfn + nr) - 1;
	buf->res.flags = IORESOURCE_MEM | IORESOURCE_BUSY;
	/* Like the seed: a buffer that does not fit in iomem stays unnamed. */
	if (insert_resource(&iomem_resource, &buf->res))
		pr_warn("cannot register %s at %pa in /proc/iomem\n",
			buf->name, &buf->res.start);
	list_add(&buf->node, &seed_buffers);
	mutex_unlock(&seed_lock);
	pr_info("allocated %s: %lu MiB at %pa (%s) in %llu us, %u attempt(s)\n",
		buf->name, seed_mib(nr), &buf->res.start, zone_name,
		div_u64(ns, NSEC_PER_USEC), attempts);

	a.phys_addr = PFN_PHYS(pfn);
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;	/* the buffer stays until rmmod */
	return 0;
}

static long seed_ioctl_free(void __user *argp)
{
	struct seed_buffer *buf;
	u64 phys;

	if (copy_from_user(&phys, argp, sizeof(phys)))
		return -EFAULT;
	mutex_lock(&seed_lock);
	buf = seed_find(phys);
	if (buf)
		list_del(&buf->node);
	mutex_unlock(&seed_lock);
	if (!buf)
		return -ENOENT;
	seed_release(buf);
	return 0;
}

static long seed_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case LAZY_CMA_IOCTL_ALLOC:
		return seed_ioctl_alloc(argp);
	case LAZY_CMA_IOCTL_FREE:
		return seed_ioctl_free(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations seed_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = seed_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice seed_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lazy_cma_seed",
	.fops = &seed_fops,
	.mode = 0600,
};

static int __init seed_init(void)
{
	int ret = misc_register(&seed_misc);

	if (ret)
		return ret;
	pr_info("BENCHMARK BASELINE ONLY (not lazy-kdump's allocator): /dev/lazy_cma_seed, zones %s\n",
		all_zones ? "Movable, Normal, DMA32, DMA" : "Movable, Normal");
	return 0;
}

static void __exit seed_exit(void)
{
	struct seed_buffer *buf, *tmp;

	misc_deregister(&seed_misc);
	list_for_each_entry_safe(buf, tmp, &seed_buffers, node) {
		list_del(&buf->node);
		seed_release(buf);
	}
}

module_init(seed_init);
module_exit(seed_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("BENCHMARK BASELINE ONLY, never shipped or installed: re-implementation of the seed project's allocation strategy (multikernel/lazy_cma) for tests/bench");
