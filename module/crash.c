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
 * Writing a smaller size to /sys/kernel/kexec_crash_size makes
 * crash_shrink_memory() hand the tail of crashk_res to
 * free_reserved_page(): on our pages, which the page allocator already
 * counts as allocated, that would be a double free. A kprobe on
 * crash_shrink_memory() replaces its argument by a size it refuses with
 * -EINVAL. The kprobe is armed when the module loads, before any binding
 * can exist, and only when the kernel has no boot-time crash region (whose
 * shrinking stays the kernel's business; binding is then refused anyway),
 * so there is no window in which a shrink could see our range unguarded.
 * With no crash region at all the kernel's shrink is a no-op, so refusing
 * it changes nothing else.
 *
 * A bound buffer holds a module reference, so the module cannot go away
 * while the kernel's resources point at its pages.
 *
 * Limitation: the module cannot take the kernel's kexec lock, so callers
 * must not unbind concurrently with a kexec_file_load() into the same
 * region (lazy-kdump serializes its own operations).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioport.h>
#include <linux/kallsyms.h>
#include <linux/kexec.h>
#include <linux/kprobes.h>
#include <linux/module.h>
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
/* The buffers bound as crashk_res [0] and crashk_low_res [1]; lcma_lock. */
static struct lcma_buffer *lcma_bound[2];
/* How many buffers are bound; read locklessly by the kprobe. */
static atomic_t lcma_nr_bound = ATOMIC_INIT(0);

static int lcma_shrink_pre(struct kprobe *kp, struct pt_regs *regs)
{
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
 * Check that @addr is the crash resource @sym and is untouched, and
 * return it. -EINVAL: not that symbol or not the expected resource;
 * -EEXIST: already in use (boot-time reservation or a binding).
 */
static int lcma_crash_target(unsigned long addr, const char *sym,
			     struct resource **out)
{
	char where[KSYM_SYMBOL_LEN], name[sizeof(LCMA_CRASH_NAME)];
	size_t len = strlen(sym);
	unsigned long size;
	struct resource r;

	if (!addr)
		return -EINVAL;
	sprint_symbol(where, addr);
	if (strncmp(where, sym, len) || strncmp(where + len, "+0x0/", 5) ||
	    kstrtoul(where + len + 5, 16, &size) ||
	    size < sizeof(struct resource)) {
		pr_err("%#lx is not %s (it is %s)\n", addr, sym, where);
		return -EINVAL;
	}
	if (copy_from_kernel_nofault(&r, (void *)addr, sizeof(r)) || !r.name ||
	    copy_from_kernel_nofault(name, r.name, sizeof(name)) ||
	    memcmp(name, LCMA_CRASH_NAME, sizeof(name)) ||
	    r.flags != LCMA_CRASH_FLAGS || r.desc != IORES_DESC_CRASH_KERNEL) {
		pr_err("%s at %#lx is not the kernel's crash resource; refusing to touch it\n",
		       sym, addr);
		return -EINVAL;
	}
	if (r.start || r.end || r.parent || r.sibling || r.child) {
		pr_err("%s is already in use at %pa-%pa (crashkernel= at boot, or already bound)\n",
		       sym, &r.start, &r.end);
		return -EEXIST;
	}
	*out = (struct resource *)addr;
	return 0;
}

void lcma_crash_attach(struct lcma_buffer *buf)
{
	struct resource *res = buf->crash_res;

	res->start = PFN_PHYS(buf->pfn);
	res->end = PFN_PHYS(buf->pfn + buf->nr_pages) - 1;
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
	}
}

void lcma_crash_detach(struct lcma_buffer *buf)
{
	struct resource *res = buf->crash_res;

	if (res->parent)
		remove_resource(res);
	/* Back to the state the kernel defined it with. */
	res->start = 0;
	res->end = 0;
	res->parent = NULL;
	res->sibling = NULL;
	res->child = NULL;
}

bool lcma_crash_loaded(const struct lcma_buffer *buf)
{
	return buf->crash_res && kexec_crash_loaded();
}

/**
 * lcma_crash_bind() - bind @buf as crashk_res or crashk_low_res
 * @buf: the buffer; lcma_lock held, not busy, not mapped.
 * @res_addr: the address of the kernel's resource, from /proc/kallsyms.
 * @low: bind as crashk_low_res.
 *
 * Return: 0, or -EOPNOTSUPP, -EBUSY, -EINVAL, -EEXIST as documented for
 * LAZY_CMA_IOCTL_CRASH_BIND.
 */
int lcma_crash_bind(struct lcma_buffer *buf, unsigned long res_addr,
		    bool low)
{
	const char *sym = low ? "crashk_low_res" : "crashk_res";
	phys_addr_t end = PFN_PHYS(buf->pfn + buf->nr_pages) - 1;
	struct resource *res;
	int ret;

	lockdep_assert_held(&lcma_lock);
	if (buf->crash_res)
		return -EBUSY;
	if (low && end >= SZ_4G) {
		pr_err("%s must lie below 4 GiB; buffer %s ends at %pa\n", sym,
		       buf->name, &end);
		return -EINVAL;
	}
	ret = lcma_crash_target(res_addr, sym, &res);
	if (ret)
		return ret;
	if (lcma_boot_reserved) {
		pr_err("the kernel reserved a crash kernel region at boot (crashkernel=); not binding %s\n",
		       buf->name);
		return -EEXIST;
	}
	if (!lcma_guard_armed) {
		pr_err("crash binding is disabled on this kernel (see the message at module load)\n");
		return -EOPNOTSUPP;
	}
	if (WARN_ON_ONCE(lcma_bound[low]))
		return -EEXIST;

	buf->crash_res = res;
	buf->crash_low = low;
	lcma_crash_attach(buf);
	if (!res->end) {
		buf->crash_res = NULL;
		return -EBUSY;
	}
	lcma_bound[low] = buf;
	atomic_inc(&lcma_nr_bound);
	__module_get(THIS_MODULE);
	pr_info("bound %s (%lu MiB at %pa-%pa) as %s\n", buf->name,
		buf->nr_pages >> (20 - PAGE_SHIFT), &res->start, &res->end,
		sym);
	return 0;
}

/**
 * lcma_crash_unbind() - give the crash-kernel region back to the kernel
 * @buf: a bound buffer; lcma_lock held.
 *
 * Return: 0; -EINVAL if @buf is not bound; -EBUSY while a crash kernel is
 * loaded.
 */
int lcma_crash_unbind(struct lcma_buffer *buf)
{
	lockdep_assert_held(&lcma_lock);
	if (!buf->crash_res)
		return -EINVAL;
	if (kexec_crash_loaded()) {
		pr_err("cannot unbind %s: a crash kernel is loaded into it; unload it first\n",
		       buf->name);
		return -EBUSY;
	}
	lcma_crash_detach(buf);
	lcma_bound[buf->crash_low] = NULL;
	buf->crash_res = NULL;
	atomic_dec(&lcma_nr_bound);
	module_put(THIS_MODULE);
	pr_info("unbound %s\n", buf->name);
	return 0;
}
