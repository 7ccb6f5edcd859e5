// SPDX-License-Identifier: GPL-2.0
/*
 * lazy_cma - runtime physically contiguous memory, without cma= or
 * crashkernel= at boot.
 *
 * This file is the character device /dev/lazy_cma: the ioctls of
 * uapi/lazy_cma.h, mmap, and the life of a buffer. The allocator is in
 * alloc.c, the crash-kernel binding in crash.c.
 *
 * A buffer lives on lcma_buffers from allocation to free. Long operations
 * (allocation, growing) run without lcma_lock: an allocation is not on the
 * list until it is complete, and a buffer being resized is marked busy so
 * that free, resize, bind, unbind and mmap of it fail with -EBUSY until
 * the resize is done.
 *
 * Every ioctl takes lcma_lock killably (-EINTR). Pages that may hold data
 * (see lcma_buffer::exposed_pages) are zeroed, outside lcma_lock, before
 * they go back to the page allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "lcma.h"

/* The module's one lock: the buffer list, the buffers and the crash binding. */
DEFINE_MUTEX(lcma_lock);
/* Every buffer, sorted by pfn; lcma_lock. */
static LIST_HEAD(lcma_buffers);
static unsigned int lcma_nr_buffers;

#define LCMA_LIST_MAX_COUNT	65536
#define LCMA_LIST_MAX_ENTRY	4096

static_assert(sizeof(struct lazy_cma_range) == LAZY_CMA_RANGE_SIZE_V1);

static unsigned long lcma_mib(unsigned long pages)
{
	return pages >> (20 - PAGE_SHIFT);
}

static struct lcma_buffer *lcma_find(u64 phys)
{
	struct lcma_buffer *buf;

	lockdep_assert_held(&lcma_lock);
	if (phys & ~PAGE_MASK)
		return NULL;
	list_for_each_entry(buf, &lcma_buffers, node)
		if (PFN_PHYS(buf->pfn) == phys)
			return buf;
	return NULL;
}

static void lcma_list_insert(struct lcma_buffer *new)
{
	struct lcma_buffer *buf;

	lockdep_assert_held(&lcma_lock);
	list_for_each_entry(buf, &lcma_buffers, node)
		if (buf->pfn > new->pfn)
			break;
	list_add_tail(&new->node, &buf->node);
}

static void lcma_res_set(struct lcma_buffer *buf)
{
	buf->res.start = PFN_PHYS(buf->pfn);
	buf->res.end = PFN_PHYS(buf->pfn + buf->nr_pages) - 1;
	buf->res.parent = NULL;
	buf->res.sibling = NULL;
	buf->res.child = NULL;
}

/* Take @buf's name out of /proc/iomem, if it is there. */
static void lcma_res_remove(struct lcma_buffer *buf)
{
	if (buf->res.parent)
		remove_resource(&buf->res);
}

/*
 * Give @buf a new range and move its /proc/iomem entries (ours, and the
 * kernel's crash resource when bound) along.
 */
static void lcma_set_range(struct lcma_buffer *buf, unsigned long pfn,
			   unsigned long nr_pages)
{
	lockdep_assert_held(&lcma_lock);
	if (buf->crash_res)
		lcma_crash_detach(buf);
	lcma_res_remove(buf);
	buf->pfn = pfn;
	buf->nr_pages = nr_pages;
	lcma_res_set(buf);
	/* The allocator checked that the range fits; only a race can fail. */
	if (insert_resource(&iomem_resource, &buf->res))
		pr_warn("cannot name %s at %pa-%pa in /proc/iomem\n", buf->name,
			&buf->res.start, &buf->res.end);
	if (buf->crash_res)
		lcma_crash_attach(buf);
	lcma_describe_pfn(pfn, &buf->nid, &buf->zone);
	list_del(&buf->node);
	lcma_list_insert(buf);
}

static int lcma_check_name(const char *name)
{
	size_t len = strnlen(name, LAZY_CMA_NAME_MAX), i;

	if (len == LAZY_CMA_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 ||
		    (unsigned char)name[i] > 0x7e)
			return -EINVAL;
	return 0;
}

/* Zero [from, to) of @pfn's pages; they have never been seen by users. */
static void lcma_zero_pages(unsigned long pfn, unsigned long from,
			    unsigned long to)
{
	unsigned long i;

	for (i = from; i < to; i++) {
		clear_highpage(pfn_to_page(pfn + i));
		if (!(i % 1024))
			cond_resched();
	}
}

static void lcma_copy_pages(unsigned long dst, unsigned long src,
			    unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		copy_highpage(pfn_to_page(dst + i), pfn_to_page(src + i));
		if (!(i % 1024))
			cond_resched();
	}
}

static int lcma_lock_killable(void)
{
	return mutex_lock_killable(&lcma_lock) ? -EINTR : 0;
}

/*
 * Give @nr pages at @pfn back to the page allocator. Nothing can reach
 * them any more: they are off every buffer, out of /proc/iomem, unmapped
 * and not a crash region. The first @exposed may hold data and are zeroed
 * first; @was_crash: they were part of a crash region, which kexec may
 * have changed (lcma_crash_scrub()).
 */
static void lcma_give_back(unsigned long pfn, unsigned long nr,
			   unsigned long exposed, bool was_crash)
{
	if (!nr)
		return;
	if (was_crash)
		lcma_crash_scrub(pfn, nr);
	lcma_zero_pages(pfn, 0, min(exposed, nr));
	free_contig_range(pfn, nr);
}

static void lcma_buffer_release(struct lcma_buffer *buf)
{
	lcma_give_back(buf->pfn, buf->nr_pages, buf->exposed_pages, false);
	pr_info_ratelimited("freed %s: %lu MiB at %pa\n", buf->name,
			    lcma_mib(buf->nr_pages), &buf->res.start);
	kfree(buf);
}

/**
 * lcma_buffer_shrunk() - the kernel gave back the tail of a bound buffer
 * @buf: the buffer; lcma_lock held.
 * @kept: the pages it still has; 0: all were taken, and @buf is freed.
 *
 * crash_shrink_memory() already freed the pages it took (they were
 * reserved, see crash.c): only the bookkeeping follows.
 */
void lcma_buffer_shrunk(struct lcma_buffer *buf, unsigned long kept)
{
	lockdep_assert_held(&lcma_lock);
	buf->exposed_pages = min(buf->exposed_pages, kept);
	lcma_res_remove(buf);
	if (!kept) {
		list_del(&buf->node);
		lcma_nr_buffers--;
		pr_warn("%s is gone: the kernel took all of its pages\n",
			buf->name);
		kfree(buf);
		return;
	}
	buf->nr_pages = kept;
	lcma_res_set(buf);
	if (insert_resource(&iomem_resource, &buf->res))
		pr_warn("cannot name %s at %pa-%pa in /proc/iomem\n",
			buf->name, &buf->res.start, &buf->res.end);
}

/**
 * struct lcma_file - what one open file of /dev/lazy_cma keeps
 * @lock: protects the rest.
 * @have_report: @report holds an outcome.
 * @report: the last ALLOC or RESIZE on this file that succeeded or failed
 *	with -ENOMEM or -EINTR (LAZY_CMA_IOCTL_ALLOC_REPORT).
 */
struct lcma_file {
	spinlock_t lock;	/* protects have_report and report */
	bool have_report;
	struct lazy_cma_alloc_report report;
};

/*
 * Record the outcome @ret of an ALLOC or RESIZE (@op) of @nr pages whose
 * allocator statistics are @st; other errors leave the report alone.
 */
static void lcma_report(struct lcma_file *lf, u32 op, long ret,
			unsigned long nr, const struct lcma_alloc_stats *st)
{
	struct lazy_cma_alloc_report r = { };

	if (ret && ret != -ENOMEM && ret != -EINTR)
		return;
	r.op = op;
	r.error = ret;
	r.attempts = st->attempts;
	r.windows = st->windows;
	r.sweep = (st->swept ? LAZY_CMA_REPORT_SWEPT : 0) |
		  (st->sweep_cut ? LAZY_CMA_REPORT_SWEEP_CUT : 0) |
		  (st->interrupted ? LAZY_CMA_REPORT_INTERRUPTED : 0);
	r.len = PFN_PHYS((u64)nr);
	r.largest = PFN_PHYS((u64)st->largest);
	r.ns = st->ns;
	spin_lock(&lf->lock);
	lf->report = r;
	lf->have_report = true;
	spin_unlock(&lf->lock);
}

/* ALLOC; *@nr is set once the arguments are valid. */
static long lcma_alloc(void __user *argp, struct lcma_alloc_stats *stp,
		       unsigned long *nrp)
{
	struct lazy_cma_allocation_data a;
	struct lcma_alloc_stats st = { };
	struct lcma_placement place;
	struct lcma_buffer *buf;
	unsigned long nr, pfn;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (!a.len || a.len > ULONG_MAX - PAGE_SIZE)
		return -EINVAL;
	if ((a.flags & ~LAZY_CMA_ALLOC_VALID_FLAGS) ||
	    (a.flags & LAZY_CMA_ALLOC_VALID_FLAGS) == LAZY_CMA_ALLOC_VALID_FLAGS)
		return -EINVAL;
	if (a.node < -1)
		return -EINVAL;
	ret = lcma_check_name(a.name);
	if (ret)
		return ret;

	nr = PAGE_ALIGN(a.len) >> PAGE_SHIFT;
	place.node = a.node < 0 ? NUMA_NO_NODE : a.node;
	place.flags = a.flags;
	ret = lcma_check_request(nr, &place);
	if (!ret || ret == -ENOMEM)
		*nrp = nr;
	if (ret == -ENOMEM) {
		lcma_screen_largest(&place, stp);
		pr_info_ratelimited("cannot allocate %lu MiB: not that much memory is free or reclaimable; largest usable window %lu MiB\n",
				    lcma_mib(nr), lcma_mib(stp->largest));
	}
	if (ret)
		return ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	strscpy(buf->name, a.name[0] ? a.name : LAZY_CMA_DEFAULT_NAME,
		sizeof(buf->name));
	ret = lcma_alloc_window(nr, &place, &pfn, &st);
	*stp = st;
	if (ret) {
		pr_info_ratelimited("no contiguous %lu MiB for %s: %u attempt(s) over %u candidate window(s) in %llu ms (%s); largest usable window %lu MiB\n",
				    lcma_mib(nr), buf->name, st.attempts,
				    st.windows, div_u64(st.ns, NSEC_PER_MSEC),
				    lcma_sweep_str(&st), lcma_mib(st.largest));
		kfree(buf);
		return ret;
	}
	buf->pfn = pfn;
	buf->nr_pages = nr;
	buf->place = place;
	buf->alloc_ns = st.ns;
	buf->alloc_attempts = st.attempts;
	atomic_set(&buf->map_count, 0);
	lcma_describe_pfn(pfn, &buf->nid, &buf->zone);
	buf->res.name = buf->name;
	buf->res.flags = IORESOURCE_MEM | IORESOURCE_BUSY;
	buf->res.desc = IORES_DESC_NONE;
	lcma_res_set(buf);

	/* A fatal signal now would waste the work: wait uninterruptibly. */
	mutex_lock(&lcma_lock);
	ret = insert_resource(&iomem_resource, &buf->res);
	if (!ret) {
		lcma_list_insert(buf);
		lcma_nr_buffers++;
	}
	mutex_unlock(&lcma_lock);
	if (ret) {
		pr_err_ratelimited("cannot register %s at %pa in /proc/iomem\n",
				   buf->name, &buf->res.start);
		free_contig_range(pfn, nr);
		kfree(buf);
		return -EBUSY;
	}
	pr_info_ratelimited("allocated %s: %lu MiB at %pa on node %d (%s) in %llu us, %u attempt(s), %u candidate window(s)\n",
			    buf->name, lcma_mib(nr), &buf->res.start, buf->nid,
			    lcma_zone_name(buf->zone),
			    div_u64(st.ns, NSEC_PER_USEC), st.attempts,
			    st.windows);
	if (buf->zone == LAZY_CMA_ZONE_MOVABLE)
		pr_notice_ratelimited("%s lies in ZONE_MOVABLE (the request had no kernel zone): its memory blocks cannot be offlined until it is freed\n",
				      buf->name);

	a.phys_addr = PFN_PHYS(pfn);
	if (copy_to_user(argp, &a, sizeof(a))) {
		/* Nobody learnt the address: take the buffer back if we can. */
		mutex_lock(&lcma_lock);
		if (lcma_find(a.phys_addr) == buf && !buf->busy &&
		    !buf->crash_res && !atomic_read(&buf->map_count)) {
			list_del(&buf->node);
			lcma_nr_buffers--;
			lcma_res_remove(buf);
		} else {
			buf = NULL;
		}
		mutex_unlock(&lcma_lock);
		if (buf)
			lcma_buffer_release(buf);
		return -EFAULT;
	}
	return 0;
}

static long lcma_ioctl_alloc(struct lcma_file *lf, void __user *argp)
{
	struct lcma_alloc_stats st = { };
	unsigned long nr = 0;
	long ret;

	ret = lcma_alloc(argp, &st, &nr);
	if (nr)
		lcma_report(lf, LAZY_CMA_REPORT_ALLOC, ret, nr, &st);
	return ret;
}

static long lcma_ioctl_free(void __user *argp)
{
	struct lcma_buffer *buf;
	u64 phys;
	int ret = 0;

	if (copy_from_user(&phys, argp, sizeof(phys)))
		return -EFAULT;
	ret = lcma_lock_killable();
	if (ret)
		return ret;
	buf = lcma_find(phys);
	if (!buf) {
		ret = -ENOENT;
	} else if (buf->busy || buf->crash_res ||
		   atomic_read(&buf->map_count)) {
		ret = -EBUSY;
	} else {
		list_del(&buf->node);
		lcma_nr_buffers--;
		lcma_res_remove(buf);
	}
	mutex_unlock(&lcma_lock);
	/* Off the list and out of /proc/iomem: nothing can reach it now. */
	if (!ret)
		lcma_buffer_release(buf);
	return ret;
}

/* RESIZE; *@nrp is set once the arguments are valid. */
static long lcma_resize(void __user *argp, struct lcma_alloc_stats *stp,
			unsigned long *nrp)
{
	unsigned long pfn, nr, new_pfn = 0, new_nr, copy = 0;
	unsigned long free_pfn = 0, free_nr = 0, free_exposed = 0;
	struct lazy_cma_resize_data r;
	struct lcma_alloc_stats st = { };
	struct lcma_placement place;
	struct lcma_buffer *buf;
	bool mapped, was_crash = false, in_place = false;
	u64 t0;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (!r.len || r.len > ULONG_MAX - PAGE_SIZE)
		return -EINVAL;
	/*
	 * The result cannot be taken back once the buffer has moved: make
	 * sure it can be written before anything changes.
	 */
	if (copy_to_user(argp, &r, sizeof(r)))
		return -EFAULT;
	new_nr = PAGE_ALIGN(r.len) >> PAGE_SHIFT;
	*nrp = new_nr;

	ret = lcma_lock_killable();
	if (ret)
		return ret;
	buf = lcma_find(r.phys_addr);
	if (!buf) {
		ret = -ENOENT;
		goto unlock;
	}
	if (buf->busy) {
		ret = -EBUSY;
		goto unlock;
	}
	/* Bound: hold the kexec lock while the range may change. */
	ret = lcma_crash_begin(buf);
	if (ret)
		goto unlock;
	if (lcma_crash_loaded(buf)) {
		ret = -EBUSY;
		goto end;
	}
	mapped = atomic_read(&buf->map_count) > 0;
	was_crash = !!buf->crash_res;
	pfn = buf->pfn;
	nr = buf->nr_pages;
	place = buf->place;
	/* crashk_low_res must stay below 4 GiB wherever the buffer goes. */
	if (buf->crash_res && buf->crash_low)
		place.flags |= LAZY_CMA_ALLOC_BELOW_4G;
	if (new_nr == nr)
		goto done;
	if (new_nr < nr) {
		if (mapped) {
			ret = -EBUSY;
			goto end;
		}
		lcma_set_range(buf, pfn, new_nr);
		free_pfn = pfn + new_nr;
		free_nr = nr - new_nr;
		if (buf->exposed_pages > new_nr)
			free_exposed = buf->exposed_pages - new_nr;
		buf->exposed_pages = min(buf->exposed_pages, new_nr);
		pr_info_ratelimited("shrank %s to %lu MiB at %pa\n", buf->name,
				    lcma_mib(new_nr), &buf->res.start);
		goto done;
	}
	ret = lcma_check_request(new_nr, &place);
	if (ret == -EINVAL || ret == -ENODEV)
		goto end;
	/* Growing takes long: neither lock is held meanwhile. */
	lcma_crash_end();
	buf->busy = true;
	mutex_unlock(&lcma_lock);

	t0 = ktime_get_ns();
	ret = lcma_grow_in_place(pfn, nr, new_nr, &place);
	st.attempts = 1;
	if (!ret) {
		in_place = true;
		new_pfn = pfn;
	} else if (ret == -EINTR) {
		/* Fatal signal: give up. */
	} else if (mapped) {
		ret = -EBUSY;
	} else {
		ret = lcma_alloc_window(new_nr, &place, &new_pfn, &st);
		st.attempts++;
		/* A crash region holds nothing worth copying while unloaded. */
		copy = was_crash ? 0 : min(buf->exposed_pages, nr);
		if (!ret)
			lcma_copy_pages(new_pfn, pfn, copy);
	}
	st.ns = ktime_get_ns() - t0;

	/* busy must be cleared: not killable. */
	mutex_lock(&lcma_lock);
	buf->busy = false;
	if (ret) {
		pr_info_ratelimited("cannot grow %s to %lu MiB: %d (%u attempt(s), %s; largest usable window %lu MiB)\n",
				    buf->name, lcma_mib(new_nr), ret,
				    st.attempts, lcma_sweep_str(&st),
				    lcma_mib(st.largest));
		goto unlock;
	}
	/* New pages we may have to give back, unused. */
	if (in_place) {
		free_pfn = pfn + nr;
		free_nr = new_nr - nr;
	} else {
		free_pfn = new_pfn;
		free_nr = new_nr;
		free_exposed = copy;
	}
	ret = lcma_crash_begin(buf);
	if (ret == -ENOENT)
		goto unlock;	/* the kernel took the old pages: buf is gone */
	if (ret)
		goto unlock;
	/*
	 * A crash kernel was loaded meanwhile, or the kernel shrank the
	 * region (lcma_crash_begin() followed it): the old range stays.
	 */
	if (lcma_crash_loaded(buf) || buf->nr_pages != nr ||
	    !!buf->crash_res != was_crash) {
		ret = -EBUSY;
		goto end;
	}
	if (!in_place) {
		free_pfn = pfn;
		free_nr = nr;
		free_exposed = was_crash ? nr : buf->exposed_pages;
	} else {
		free_nr = 0;
	}
	lcma_set_range(buf, new_pfn, new_nr);
	buf->alloc_ns = st.ns;
	buf->alloc_attempts = st.attempts;
	pr_info_ratelimited("grew %s to %lu MiB at %pa %s in %llu us, %u attempt(s)\n",
			    buf->name, lcma_mib(new_nr), &buf->res.start,
			    in_place ? "in place" : "by moving it",
			    div_u64(st.ns, NSEC_PER_USEC), st.attempts);
done:
	r.phys_addr = PFN_PHYS(buf->pfn);
	r.len = PFN_PHYS(buf->nr_pages);
end:
	lcma_crash_end();
unlock:
	mutex_unlock(&lcma_lock);
	lcma_give_back(free_pfn, free_nr, free_exposed, was_crash && !ret);
	*stp = st;
	if (!ret && copy_to_user(argp, &r, sizeof(r)))
		return -EFAULT;
	return ret;
}

static long lcma_ioctl_resize(struct lcma_file *lf, void __user *argp)
{
	struct lcma_alloc_stats st = { };
	unsigned long nr = 0;
	long ret;

	ret = lcma_resize(argp, &st, &nr);
	if (nr)
		lcma_report(lf, LAZY_CMA_REPORT_RESIZE, ret, nr, &st);
	return ret;
}

static long lcma_ioctl_alloc_report(struct lcma_file *lf, void __user *argp)
{
	struct lazy_cma_alloc_report r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags)
		return -EINVAL;
	spin_lock(&lf->lock);
	if (!lf->have_report) {
		spin_unlock(&lf->lock);
		return -ENODATA;
	}
	r = lf->report;
	spin_unlock(&lf->lock);
	return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
}

static void lcma_fill_range(struct lazy_cma_range *e,
			    const struct lcma_buffer *buf)
{
	memset(e, 0, sizeof(*e));
	e->phys_addr = PFN_PHYS(buf->pfn);
	e->len = PFN_PHYS(buf->nr_pages);
	e->node = buf->nid;
	e->zone = buf->zone;
	if (buf->crash_res)
		e->flags |= buf->crash_low ? LAZY_CMA_RANGE_CRASH_LOW :
					     LAZY_CMA_RANGE_CRASH;
	if (lcma_crash_loaded(buf))
		e->flags |= LAZY_CMA_RANGE_CRASH_LOADED;
	e->map_count = atomic_read(&buf->map_count);
	if (e->map_count)
		e->flags |= LAZY_CMA_RANGE_MAPPED;
	e->alloc_ns = buf->alloc_ns;
	e->alloc_attempts = buf->alloc_attempts;
	strscpy(e->name, buf->name, sizeof(e->name));
}

static long lcma_ioctl_list(void __user *argp)
{
	struct lazy_cma_range *ents = NULL;
	struct lcma_buffer *buf;
	struct lazy_cma_list l;
	char __user *uents;
	unsigned int n = 0, i, room;
	int ret = 0;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (l.flags || l.reserved || l.entry_size < LAZY_CMA_RANGE_SIZE_V1 ||
	    l.entry_size > LCMA_LIST_MAX_ENTRY ||
	    l.count > LCMA_LIST_MAX_COUNT)
		return -EINVAL;

retry:
	room = min(l.count, READ_ONCE(lcma_nr_buffers));
	if (room) {
		ents = kvcalloc(room, sizeof(*ents), GFP_KERNEL);
		if (!ents)
			return -ENOMEM;
	}
	ret = lcma_lock_killable();
	if (ret) {
		kvfree(ents);
		return ret;
	}
	/* Show what the kernel left of bound buffers. */
	lcma_crash_sync();
	/*
	 * Buffers allocated since the count was read must be written too
	 * when the caller has room for them: it is told how many exist.
	 */
	if (min(l.count, lcma_nr_buffers) > room) {
		mutex_unlock(&lcma_lock);
		kvfree(ents);
		ents = NULL;
		goto retry;
	}
	list_for_each_entry(buf, &lcma_buffers, node) {
		if (n == room)
			break;
		lcma_fill_range(&ents[n++], buf);
	}
	l.count = lcma_nr_buffers;
	mutex_unlock(&lcma_lock);

	uents = u64_to_user_ptr(l.entries);
	for (i = 0; i < n; i++) {
		char __user *dst = uents + (size_t)i * l.entry_size;

		if (copy_to_user(dst, &ents[i], sizeof(ents[i])) ||
		    clear_user(dst + sizeof(ents[i]),
			       l.entry_size - sizeof(ents[i]))) {
			ret = -EFAULT;
			goto out;
		}
	}
	if (copy_to_user(argp, &l, sizeof(l)))
		ret = -EFAULT;
out:
	kvfree(ents);
	return ret;
}

static long lcma_ioctl_crash_bind(void __user *argp)
{
	struct lazy_cma_crash_bind b;
	struct lcma_buffer *buf;
	int ret;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if ((b.flags & ~LAZY_CMA_CRASH_VALID_FLAGS) || b.reserved)
		return -EINVAL;
	ret = lcma_lock_killable();
	if (ret)
		return ret;
	buf = lcma_find(b.phys_addr);
	if (!buf)
		ret = -ENOENT;
	else if (buf->busy || atomic_read(&buf->map_count))
		ret = -EBUSY;
	else
		ret = lcma_crash_bind(buf, b.res_addr,
				      b.flags & LAZY_CMA_CRASH_LOW);
	mutex_unlock(&lcma_lock);
	return ret;
}

static long lcma_ioctl_crash_unbind(void __user *argp)
{
	struct lazy_cma_crash_unbind u;
	struct lcma_buffer *buf;
	unsigned long nr = 0;
	int ret;

	if (copy_from_user(&u, argp, sizeof(u)))
		return -EFAULT;
	if (u.flags || u.reserved)
		return -EINVAL;
	ret = lcma_lock_killable();
	if (ret)
		return ret;
	buf = lcma_find(u.phys_addr);
	if (!buf) {
		ret = -ENOENT;
	} else if (buf->busy) {
		ret = -EBUSY;
	} else {
		ret = lcma_crash_unbind(buf);
		if (!ret) {
			/* Wiped below, outside the lock. */
			nr = buf->exposed_pages;
			buf->exposed_pages = 0;
			buf->busy = true;
		}
	}
	mutex_unlock(&lcma_lock);
	if (ret)
		return ret;
	/*
	 * What the crash kernel's images held (on 7.x possibly dm-crypt
	 * keys) must not be readable through a later mapping, nor survive
	 * in pages given back. busy keeps the buffer where it is meanwhile.
	 */
	lcma_crash_scrub(buf->pfn, buf->nr_pages);
	lcma_zero_pages(buf->pfn, 0, nr);
	mutex_lock(&lcma_lock);
	buf->busy = false;
	mutex_unlock(&lcma_lock);
	return 0;
}

static long lcma_ioctl_kexec_lock(void __user *argp)
{
	struct lazy_cma_kexec_lock k;
	int ret;

	if (copy_from_user(&k, argp, sizeof(k)))
		return -EFAULT;
	if (k.flags || k.reserved)
		return -EINVAL;
	ret = lcma_lock_killable();
	if (ret)
		return ret;
	ret = lcma_kexec_lock_set(k.addr);
	mutex_unlock(&lcma_lock);
	return ret;
}

static long lcma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	/* Only whole commands: type, number, size and direction. */
	switch (cmd) {
	case LAZY_CMA_IOCTL_ALLOC:
	case LAZY_CMA_IOCTL_RESIZE:
	case LAZY_CMA_IOCTL_FREE:
	case LAZY_CMA_IOCTL_LIST:
	case LAZY_CMA_IOCTL_CRASH_BIND:
	case LAZY_CMA_IOCTL_CRASH_UNBIND:
	case LAZY_CMA_IOCTL_KEXEC_LOCK:
	case LAZY_CMA_IOCTL_ALLOC_REPORT:
		break;
	default:
		return -ENOTTY;
	}
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* What touches the kexec machinery needs what kexec_load(2) needs. */
	if ((cmd == LAZY_CMA_IOCTL_CRASH_BIND ||
	     cmd == LAZY_CMA_IOCTL_CRASH_UNBIND ||
	     cmd == LAZY_CMA_IOCTL_KEXEC_LOCK) && !capable(CAP_SYS_BOOT))
		return -EPERM;

	switch (cmd) {
	case LAZY_CMA_IOCTL_ALLOC:
		return lcma_ioctl_alloc(file->private_data, argp);
	case LAZY_CMA_IOCTL_RESIZE:
		return lcma_ioctl_resize(file->private_data, argp);
	case LAZY_CMA_IOCTL_ALLOC_REPORT:
		return lcma_ioctl_alloc_report(file->private_data, argp);
	case LAZY_CMA_IOCTL_FREE:
		return lcma_ioctl_free(argp);
	case LAZY_CMA_IOCTL_LIST:
		return lcma_ioctl_list(argp);
	case LAZY_CMA_IOCTL_CRASH_BIND:
		return lcma_ioctl_crash_bind(argp);
	case LAZY_CMA_IOCTL_CRASH_UNBIND:
		return lcma_ioctl_crash_unbind(argp);
	default:
		return lcma_ioctl_kexec_lock(argp);
	}
}

static void lcma_vm_open(struct vm_area_struct *vma)
{
	struct lcma_buffer *buf = vma->vm_private_data;

	atomic_inc(&buf->map_count);
}

static void lcma_vm_close(struct vm_area_struct *vma)
{
	struct lcma_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->map_count);
}

static const struct vm_operations_struct lcma_vm_ops = {
	.open = lcma_vm_open,
	.close = lcma_vm_close,
};

/*
 * Map a whole buffer or its head: the offset is the buffer's physical
 * address. The mapping pins the buffer (free, move, shrink and bind fail
 * with -EBUSY) until the last VMA is gone; the VMAs hold the file and so
 * the module.
 */
static int lcma_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long pages = vma_pages(vma), from;
	struct lcma_buffer *buf;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = lcma_lock_killable();
	if (ret)
		return ret;
	buf = lcma_find(PFN_PHYS((u64)vma->vm_pgoff));
	if (!buf || pages > buf->nr_pages) {
		ret = -EINVAL;
		goto unlock;
	}
	if (buf->busy || buf->crash_res) {
		ret = -EBUSY;
		goto unlock;
	}
	if (buf->exposed_pages < buf->nr_pages) {
		/*
		 * Zero what was never seen, outside the lock (a large buffer
		 * takes a while); busy keeps the buffer as it is meanwhile.
		 */
		from = buf->exposed_pages;
		buf->busy = true;
		mutex_unlock(&lcma_lock);
		lcma_zero_pages(buf->pfn, from, buf->nr_pages);
		mutex_lock(&lcma_lock);
		buf->busy = false;
		buf->exposed_pages = buf->nr_pages;
	}
	ret = remap_pfn_range(vma, vma->vm_start, buf->pfn,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	if (!ret) {
		vma->vm_private_data = buf;
		vma->vm_ops = &lcma_vm_ops;
		atomic_inc(&buf->map_count);
	}
unlock:
	mutex_unlock(&lcma_lock);
	return ret;
}

static int lcma_open(struct inode *inode, struct file *file)
{
	struct lcma_file *lf = kzalloc(sizeof(*lf), GFP_KERNEL);

	if (!lf)
		return -ENOMEM;
	spin_lock_init(&lf->lock);
	/* misc_open() had put the miscdevice here; nothing uses it. */
	file->private_data = lf;
	return 0;
}

static int lcma_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations lcma_fops = {
	.owner = THIS_MODULE,
	.open = lcma_open,
	.release = lcma_release,
	.unlocked_ioctl = lcma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = lcma_mmap,
};

static struct miscdevice lcma_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lazy_cma",
	.fops = &lcma_fops,
	.mode = 0600,
};

static int __init lcma_init(void)
{
	int ret;

	ret = lcma_crash_init();
	if (ret)
		return ret;
	ret = misc_register(&lcma_misc);
	if (ret) {
		pr_err("cannot register /dev/lazy_cma: %d\n", ret);
		goto err_crash;
	}
	return 0;

err_crash:
	lcma_crash_exit();
	return ret;
}

static void __exit lcma_exit(void)
{
	struct lcma_buffer *buf, *tmp;

	misc_deregister(&lcma_misc);
	/*
	 * No file is open (each holds the module) and no buffer is bound
	 * (each binding holds the module): every buffer is ours to free.
	 */
	mutex_lock(&lcma_lock);
	list_for_each_entry_safe(buf, tmp, &lcma_buffers, node) {
		list_del(&buf->node);
		lcma_res_remove(buf);
		lcma_buffer_release(buf);
	}
	lcma_nr_buffers = 0;
	mutex_unlock(&lcma_lock);
	lcma_crash_exit();
}

module_init(lcma_init);
module_exit(lcma_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Runtime physically contiguous memory without cma= or crashkernel=");
MODULE_VERSION(LCMA_VERSION);
