// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a buffer as the kernel's crash-kernel region.
 *
 * kexec_file_load(KEXEC_FILE_ON_CRASH) places the crash kernel inside
 * crashk_res (and its below-4-GiB companion crashk_low_res): it reads their
 * start and end, and looks for System RAM resources with the crash-kernel
 * descriptor in that range of the iomem tree. Without crashkernel= at boot
 * both are empty and not in the tree. Binding fills one in with a buffer's
 * range and inserts it, which is all kexec needs; unbinding takes it out
 * and empties it again.
 *
 * Neither resource is exported. Userspace reads its address from
 * /proc/kallsyms and passes it in; nothing here ever calls through a
 * looked-up address (with IBT that would fault). Before writing to the
 * address we check that it is exactly that symbol (sprint_symbol() gives
 * "crashk_res+0x0/<size>") and that the resource there is the kernel's
 * untouched crash resource: name, flags, descriptor, empty range, not
 * linked into any tree. Anything else is refused.
 *
 * The kernel serialises kexec_file_load(), kexec_load(), the crash path
 * and writes to kexec_crash_size with its kexec lock (__kexec_lock, an
 * atomic taken with a cmpxchg; not exported). A load copies segments into
 * the region for a second or more before kexec_crash_loaded() turns true,
 * so "is anything loaded?" alone cannot protect the pages: binding,
 * unbinding and every change of a bound buffer's range take that lock
 * too (trylock, as the kernel's own users do: a load in progress makes
 * them fail with -EBUSY, and they make a concurrent load fail with
 * -EBUSY). Userspace gives its address once (LAZY_CMA_IOCTL_KEXEC_LOCK),
 * checked like the crash resources'. crashk_res's fields are written only
 * with that lock held and while the resource is out of the iomem tree:
 * every reader either holds the lock or walks the tree.
 *
 * Writing a smaller size to /sys/kernel/kexec_crash_size makes
 * crash_shrink_memory() hand the tail of crashk_res to
 * free_reserved_page(). Two defences keep that from freeing pages twice:
 *  - a kprobe on crash_shrink_memory() replaces a size that would shrink
 *    a bound region by one it refuses with -EINVAL (the current size is
 *    passed through: writing it is a no-op). The kprobe is armed when the
 *    module loads, and only when the kernel has no boot-time crash region
 *    (whose shrinking stays the kernel's business; binding is then
 *    refused anyway);
 *  - kprobes can be switched off in debugfs, so a bound buffer's pages
 *    are also made what a crashkernel= region's are: PageReserved and not
 *    counted as managed memory. The kernel's shrink then frees exactly
 *    the pages it takes, correctly, and the module follows it
 *    (lcma_crash_kept()) the next time it looks at the buffer.
 *
 * A bound buffer holds a module reference, so the module cannot go away
 * while the kernel's resources point at its pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/ioport.h>
#include <linux/kallsyms.h>
#include <linux/kexec.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/set_memory.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "lcma.h"

#define LCMA_CRASH_NAME		"Crash kernel"
#define LCMA_CRASH_FLAGS	(IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY)
/* A size crash_shrink_memory() refuses, even once rounded up to a page. */
#define LCMA_SHRINK_REFUSE	(LONG_MAX & PAGE_MASK)

/* Set at init: the kernel reserved a crash region at boot (crashkernel=). */
static bool lcma_boot_reserved;
/* Set at init: crash_shrink_memory() is guarded; binding is allowed. */
static bool lcma_guard_armed;
/* The kernel's kexec lock, once userspace has named it; lcma_lock. */
static atomic_t *lcma_kexec_lock;
/* lcma_crash_begin() took the kexec lock; lcma_lock. */
static bool lcma_kexec_held;
/* The buffers bound as crashk_res [0] and crashk_low_res [1]; lcma_lock. */
static struct lcma_buffer *lcma_bound[2];
/*
 * How many buffers are bound, and the pages of each kind of binding: read
 * locklessly by the kprobe (a stale value costs at most a wrong errno;
 * the pages are safe either way, see above).
 */
static atomic_t lcma_nr_bound = ATOMIC_INIT(0);
static atomic_long_t lcma_bound_pages[2];

/* The size crash_shrink_memory() compares a new size with. */
static unsigned long lcma_crash_bytes(void)
{
	unsigned long pages = atomic_long_read(&lcma_bound_pages[0]);

	if (LCMA_SHRINK_COUNTS_LOW)
		pages += atomic_long_read(&lcma_bound_pages[1]);
	return pages << PAGE_SHIFT;
}

static int lcma_shrink_pre(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long size = lcma_regs_arg1(regs);

	/* The current size: the kernel answers 0 and changes nothing. */
	if (size <= LCMA_SHRINK_REFUSE &&
	    lcma_shrink_round(size) == lcma_crash_bytes())
		return 0;
	lcma_regs_set_arg1(regs, LCMA_SHRINK_REFUSE);
	if (atomic_read(&lcma_nr_bound))
		pr_notice_ratelimited("refused to shrink the crash kernel region: lazy_cma owns it (use 'lazy-kdump resize')\n");
	return 0;
}

static struct kprobe lcma_shrink_kp = {
	.symbol_name = "crash_shrink_memory",
	.pre_handler = lcma_shrink_pre,
};

static int lcma_note_crash_res(struct resource *res, void *arg)
{
	*(struct resource *)arg = *res;
	return 1;
}

int lcma_crash_init(void)
{
	struct resource found = { };
	int ret;

	walk_iomem_res_desc(IORES_DESC_CRASH_KERNEL, LCMA_CRASH_FLAGS, 0, -1,
			    &found, lcma_note_crash_res);
	if (found.end) {
		lcma_boot_reserved = true;
		pr_info("the kernel has a crash kernel region from boot (crashkernel=) at %pa-%pa; crash binding disabled\n",
			&found.start, &found.end);
		return 0;
	}
	ret = register_kprobe(&lcma_shrink_kp);
	if (ret) {
		pr_warn("cannot guard crash_shrink_memory() with a kprobe (%d); crash binding disabled\n",
			ret);
		return 0;
	}
	lcma_guard_armed = true;
	return 0;
}

void lcma_crash_exit(void)
{
	/* A binding holds a module reference: none can be left here. */
	WARN_ON_ONCE(lcma_bound[0] || lcma_bound[1]);
	if (lcma_guard_armed)
		unregister_kprobe(&lcma_shrink_kp);
}

/*
 * Is @addr exactly the start of the kernel symbol @sym, of at least
 * @min_size bytes? sprint_symbol() names it "sym+0x0/0xsize".
 */
static bool lcma_is_symbol(unsigned long addr, const char *sym,
			   size_t min_size)
{
	char where[KSYM_SYMBOL_LEN];
	size_t len = strlen(sym);
	unsigned long size;

	if (!addr)
		return false;
	sprint_symbol(where, addr);
	if (strncmp(where, sym, len) || strncmp(where + len, "+0x0/", 5) ||
	    kstrtoul(where + len + 5, 16, &size) || size < min_size) {
		pr_err_ratelimited("%#lx is not %s (it is %s)\n", addr, sym,
				   where);
		return false;
	}
	return true;
}

/*
 * Check that @addr is the crash resource @sym and is untouched, and
 * return it. -EINVAL: not that symbol or not the expected resource;
 * -EEXIST: already in use (boot-time reservation or a binding).
 */
static int lcma_crash_target(unsigned long addr, const char *sym,
			     struct resource **out)
{
	char name[sizeof(LCMA_CRASH_NAME)];
	struct resource r;

	if (!lcma_is_symbol(addr, sym, sizeof(struct resource)))
		return -EINVAL;
	if (copy_from_kernel_nofault(&r, (void *)addr, sizeof(r)) || !r.name ||
	    copy_from_kernel_nofault(name, r.name, sizeof(name)) ||
	    memcmp(name, LCMA_CRASH_NAME, sizeof(name)) ||
	    r.flags != LCMA_CRASH_FLAGS || r.desc != IORES_DESC_CRASH_KERNEL) {
		pr_err_ratelimited("%s at %#lx is not the kernel's crash resource; refusing to touch it\n",
				   sym, addr);
		return -EINVAL;
	}
	if (r.start || r.end || r.parent || r.sibling || r.child) {
		pr_err_ratelimited("%s is already in use at %pa-%pa (crashkernel= at boot, or already bound)\n",
				   sym, &r.start, &r.end);
		return -EEXIST;
	}
	*out = (struct resource *)addr;
	return 0;
}

/**
 * lcma_kexec_lock_set() - learn where the kernel's kexec lock is
 * @addr: the address of __kexec_lock, from /proc/kallsyms.
 *
 * Context: lcma_lock held.
 * Return: 0, or -EINVAL if @addr is not that lock.
 */
int lcma_kexec_lock_set(unsigned long addr)
{
	int v;

	lockdep_assert_held(&lcma_lock);
	if (!lcma_is_symbol(addr, "__kexec_lock", sizeof(atomic_t)))
		return -EINVAL;
	/* Free (0) or held (1): anything else is not the lock. */
	if (copy_from_kernel_nofault(&v, (void *)addr, sizeof(v)) ||
	    (v != 0 && v != 1))
		return -EINVAL;
	lcma_kexec_lock = (atomic_t *)addr;
	return 0;
}

/*
 * Take the kexec lock as kexec_trylock() does. Only from process context,
 * with lcma_lock held; held briefly, since a panic that finds it taken
 * cannot start the crash kernel.
 */
static bool lcma_kexec_trylock(void)
{
	int old = 0;

	lockdep_assert_held(&lcma_lock);
	if (WARN_ON_ONCE(lcma_kexec_held || !lcma_kexec_lock))
		return false;
	if (!atomic_try_cmpxchg_acquire(lcma_kexec_lock, &old, 1))
		return false;
	lcma_kexec_held = true;
	return true;
}

static void lcma_kexec_unlock(void)
{
	lockdep_assert_held(&lcma_lock);
	lcma_kexec_held = false;
	atomic_set_release(lcma_kexec_lock, 0);
}

/*
 * Bound pages are reserved memory, as a crashkernel= region's are (see
 * the top of this file); @reserve false makes them ordinary allocated
 * pages again.
 */
static void lcma_reserve_pages(unsigned long pfn, unsigned long nr,
			       bool reserve)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);

		if (reserve)
			SetPageReserved(page);
		else
			ClearPageReserved(page);
	}
	adjust_managed_page_count(pfn_to_page(pfn),
				  reserve ? -(long)nr : (long)nr);
}

/*
 * Point the kernel's crash resource at @buf's range and insert it.
 * Context: lcma_lock and the kexec lock held (or, at bind, the resource
 * was checked to be untouched and the kexec lock is held).
 */
void lcma_crash_attach(struct lcma_buffer *buf)
{
	struct resource *res = buf->crash_res;

	lockdep_assert_held(&lcma_lock);
	WARN_ON_ONCE(!lcma_kexec_held);
	res->start = PFN_PHYS(buf->pfn);
	res->end = PFN_PHYS(lcma_buf_end(buf)) - 1;
	/*
	 * Our own entry covers exactly this range, so nothing can conflict;
	 * if it did anyway, leave the kernel without a crash region (kexec
	 * then refuses to load) rather than with one it cannot find.
	 */
	if (insert_resource(&iomem_resource, res)) {
		pr_err("cannot register %s at %pa-%pa as the crash kernel region\n",
		       buf->name, &res->start, &res->end);
		res->start = 0;
		res->end = 0;
		return;
	}
	lcma_reserve_pages(buf->pfn, buf->nr_pages, true);
	atomic_long_set(&lcma_bound_pages[buf->crash_low], buf->nr_pages);
}

/*
 * Take the kernel's crash resource out of the tree and empty it; @buf's
 * pages become ordinary allocated pages again. Context as attach.
 */
void lcma_crash_detach(struct lcma_buffer *buf)
{
	struct resource *res = buf->crash_res;

	lockdep_assert_held(&lcma_lock);
	WARN_ON_ONCE(!lcma_kexec_held);
	if (res->parent) {
		remove_resource(res);
		lcma_reserve_pages(buf->pfn, buf->nr_pages, false);
	}
	atomic_long_set(&lcma_bound_pages[buf->crash_low], 0);
	/* Back to the state the kernel defined it with. */
	res->start = 0;
	res->end = 0;
	res->parent = NULL;
	res->sibling = NULL;
	res->child = NULL;
}

/* Forget @buf's binding: it is not bound any more, whatever the reason. */
static void lcma_crash_drop(struct lcma_buffer *buf)
{
	lcma_bound[buf->crash_low] = NULL;
	buf->crash_res = NULL;
	atomic_dec(&lcma_nr_bound);
	module_put(THIS_MODULE);
}

/*
 * How many pages of bound @buf the kernel still has as its crash region:
 * fewer than @buf's when a write to kexec_crash_size got past the kprobe
 * (kprobes switched off) and crash_shrink_memory() gave the tail back
 * with free_reserved_page(). 0: it took everything and released the
 * resource; the binding is then forgotten here (the pages are the
 * kernel's again, nothing of ours points at them).
 * Context: lcma_lock and the kexec lock held.
 */
static unsigned long lcma_crash_kept(struct lcma_buffer *buf)
{
	struct resource *res = buf->crash_res;
	phys_addr_t start = PFN_PHYS(buf->pfn);
	unsigned long kept = 0;

	if (res->start == start && res->end == PFN_PHYS(lcma_buf_end(buf)) - 1)
		return buf->nr_pages;
	/* 6.1 leaves end = start - 1 when it shrinks to 0; later kernels 0. */
	if (res->parent && res->start == start && res->end > start)
		kept = PHYS_PFN(res->end + 1) - buf->pfn;
	if (WARN_ON_ONCE(kept > buf->nr_pages))
		kept = buf->nr_pages;
	pr_warn("the kernel shrank the crash kernel region %s from %lu to %lu MiB (a write to kexec_crash_size while kprobes were switched off); following it\n",
		buf->name, buf->nr_pages >> (20 - PAGE_SHIFT),
		kept >> (20 - PAGE_SHIFT));
	atomic_long_set(&lcma_bound_pages[buf->crash_low], kept);
	if (!kept) {
		res->start = 0;
		res->end = 0;
		res->parent = NULL;
		res->sibling = NULL;
		res->child = NULL;
		lcma_crash_drop(buf);
	}
	return kept;
}

/**
 * lcma_crash_begin() - start changing a buffer that may be bound
 * @buf: the buffer; lcma_lock held, not busy.
 *
 * For a bound buffer: take the kexec lock, so that no kexec load, unload
 * or kexec_crash_size write runs until lcma_crash_end(), and follow what
 * the kernel may have done to the region meanwhile (lcma_crash_kept()).
 * For an unbound buffer nothing is needed.
 *
 * Return: 0 (call lcma_crash_end() when done); -EBUSY if a kexec load,
 * unload or kexec_crash_size write is in progress; -ENOENT if the kernel
 * took the whole buffer (@buf is freed: do not touch it again).
 */
int lcma_crash_begin(struct lcma_buffer *buf)
{
	unsigned long kept;

	lockdep_assert_held(&lcma_lock);
	if (!buf->crash_res)
		return 0;
	if (!lcma_kexec_trylock()) {
		pr_info_ratelimited("%s: a kexec load or unload is in progress; try again\n",
				    buf->name);
		return -EBUSY;
	}
	kept = lcma_crash_kept(buf);
	if (kept != buf->nr_pages) {
		lcma_buffer_shrunk(buf, kept);
		if (!kept) {
			lcma_kexec_unlock();
			return -ENOENT;
		}
	}
	return 0;
}

/* lcma_crash_end() - the end of what lcma_crash_begin() started. */
void lcma_crash_end(void)
{
	if (lcma_kexec_held)
		lcma_kexec_unlock();
}

/**
 * lcma_crash_sync() - follow the kernel's shrinks of every bound buffer
 *
 * For listing: takes the kexec lock only if it is free.
 * Context: lcma_lock held.
 */
void lcma_crash_sync(void)
{
	int i;

	lockdep_assert_held(&lcma_lock);
	if (!atomic_read(&lcma_nr_bound) || !lcma_kexec_trylock())
		return;
	for (i = 0; i < ARRAY_SIZE(lcma_bound); i++) {
		struct lcma_buffer *buf = lcma_bound[i];
		unsigned long kept;

		if (!buf)
			continue;
		kept = lcma_crash_kept(buf);
		if (kept != buf->nr_pages)
			lcma_buffer_shrunk(buf, kept);
	}
	lcma_kexec_unlock();
}

bool lcma_crash_loaded(const struct lcma_buffer *buf)
{
	return buf->crash_res && kexec_crash_loaded();
}

/**
 * lcma_crash_scrub() - undo what kexec did to pages of a crash region
 * @pfn: first page frame.
 * @nr: pages.
 *
 * With host memory encryption (SME), kexec made the crash image's control
 * pages decrypted in the direct map (arch_kexec_post_alloc_pages()) and
 * nothing makes them encrypted again when the image is unloaded. Pages
 * leaving a crash region get their encryption back before anything else
 * uses them. A no-op elsewhere.
 */
void lcma_crash_scrub(unsigned long pfn, unsigned long nr)
{
	int ret;

	if (!cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT))
		return;
	ret = set_memory_encrypted((unsigned long)pfn_to_kaddr(pfn), nr);
	if (ret)
		pr_err("cannot make %lu pages at pfn %#lx encrypted again: %d\n",
		       nr, pfn, ret);
}

/**
 * lcma_crash_bind() - bind @buf as crashk_res or crashk_low_res
 * @buf: the buffer; lcma_lock held, not busy, not mapped.
 * @res_addr: the address of the kernel's resource, from /proc/kallsyms.
 * @low: bind as crashk_low_res.
 *
 * Return: 0, or -EOPNOTSUPP, -ENOLCK, -EBUSY, -EINVAL, -EEXIST as
 * documented for LAZY_CMA_IOCTL_CRASH_BIND.
 */
int lcma_crash_bind(struct lcma_buffer *buf, unsigned long res_addr,
		    bool low)
{
	const char *sym = low ? "crashk_low_res" : "crashk_res";
	phys_addr_t end = PFN_PHYS(lcma_buf_end(buf)) - 1;
	struct resource *res;
	int ret;

	lockdep_assert_held(&lcma_lock);
	if (buf->crash_res)
		return -EBUSY;
	if (low && end >= SZ_4G) {
		pr_err_ratelimited("%s must lie below 4 GiB; buffer %s ends at %pa\n",
				   sym, buf->name, &end);
		return -EINVAL;
	}
	ret = lcma_crash_target(res_addr, sym, &res);
	if (ret)
		return ret;
	if (lcma_boot_reserved) {
		pr_err_ratelimited("the kernel reserved a crash kernel region at boot (crashkernel=); not binding %s\n",
				   buf->name);
		return -EEXIST;
	}
	if (!lcma_guard_armed) {
		pr_err_ratelimited("crash binding is disabled on this kernel (see the message at module load)\n");
		return -EOPNOTSUPP;
	}
	if (!lcma_kexec_lock) {
		pr_err_ratelimited("not binding %s: the kexec lock's address is unknown (LAZY_CMA_IOCTL_KEXEC_LOCK; 'lazy-cma bind' gives it)\n",
				   buf->name);
		return -ENOLCK;
	}
	if (WARN_ON_ONCE(lcma_bound[low]))
		return -EEXIST;
	if (!lcma_kexec_trylock()) {
		pr_info_ratelimited("not binding %s: a kexec load or unload is in progress; try again\n",
				    buf->name);
		return -EBUSY;
	}
	/* An image loaded without us (kexec_load() of a fixed address). */
	if (kexec_crash_loaded()) {
		lcma_kexec_unlock();
		pr_err_ratelimited("not binding %s: a crash kernel is already loaded; unload it first\n",
				   buf->name);
		return -EBUSY;
	}

	buf->crash_res = res;
	buf->crash_low = low;
	lcma_crash_attach(buf);
	if (!res->end) {
		lcma_kexec_unlock();
		buf->crash_res = NULL;
		return -EBUSY;
	}
	lcma_kexec_unlock();
	lcma_bound[low] = buf;
	atomic_inc(&lcma_nr_bound);
	__module_get(THIS_MODULE);
	/* The crash kernel may write anywhere in it. */
	buf->exposed_pages = buf->nr_pages;
	pr_info_ratelimited("bound %s (%lu MiB at %pa-%pa) as %s\n", buf->name,
			    buf->nr_pages >> (20 - PAGE_SHIFT), &res->start,
			    &res->end, sym);
	return 0;
}

/**
 * lcma_crash_unbind() - give the crash-kernel region back to the kernel
 * @buf: a buffer; lcma_lock held, not busy.
 *
 * The caller wipes the pages afterwards (lcma_crash_scrub(), then zero).
 *
 * Return: 0; -EINVAL if @buf is not bound; -EBUSY while a crash kernel is
 * loaded or a kexec load, unload or kexec_crash_size write is in
 * progress; -ENOENT if the kernel took the whole buffer (@buf is gone).
 */
int lcma_crash_unbind(struct lcma_buffer *buf)
{
	int ret;

	lockdep_assert_held(&lcma_lock);
	if (!buf->crash_res)
		return -EINVAL;
	ret = lcma_crash_begin(buf);
	if (ret)
		return ret;
	if (kexec_crash_loaded()) {
		lcma_crash_end();
		pr_err_ratelimited("cannot unbind %s: a crash kernel is loaded into it; unload it first\n",
				   buf->name);
		return -EBUSY;
	}
	lcma_crash_detach(buf);
	lcma_crash_end();
	lcma_crash_drop(buf);
	pr_info_ratelimited("unbound %s\n", buf->name);
	return 0;
}
