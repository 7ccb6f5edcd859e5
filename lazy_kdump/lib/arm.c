// SPDX-License-Identifier: GPL-2.0
/*
 * arm - arm, disarm and resize kdump, undoing what a failure leaves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"

const char *arm_step_name(enum arm_step s)
{
	switch (s) {
	case ARM_STEP_NONE:
		return "nothing";
	case ARM_STEP_CHECK_LOADED:
		return "read /sys/kernel/kexec_crash_loaded";
	case ARM_STEP_ALREADY_LOADED:
		return "check that no crash kernel is loaded";
	case ARM_STEP_CRASH_SIZE:
		return "read /sys/kernel/kexec_crash_size";
	case ARM_STEP_BOOT_TIME:
		return "use the boot-time crashkernel= reservation";
	case ARM_STEP_DEVICE:
		return "open the lazy_cma device";
	case ARM_STEP_LIST:
		return "list the lazy_cma buffers";
	case ARM_STEP_NOT_FOUND:
		return "find the crash region lazy-kdump recorded";
	case ARM_STEP_SYMBOL:
		return "find crashk_res in /proc/kallsyms";
	case ARM_STEP_SYMBOL_LOW:
		return "find crashk_low_res in /proc/kallsyms";
	case ARM_STEP_SYMBOL_LOCK:
		return "find __kexec_lock in /proc/kallsyms";
	case ARM_STEP_KEXEC_LOCK:
		return "give lazy_cma the kernel's kexec lock";
	case ARM_STEP_ALLOC:
		return "reserve the crash region";
	case ARM_STEP_BIND:
		return "bind the crash region as crashk_res";
	case ARM_STEP_ALLOC_LOW:
		return "reserve the low crash region";
	case ARM_STEP_BIND_LOW:
		return "bind the low crash region as crashk_low_res";
	case ARM_STEP_KEXEC_LOAD:
		return "load the crash kernel (kexec_file_load)";
	case ARM_STEP_VERIFY:
		return "confirm the crash kernel is loaded";
	case ARM_STEP_KEXEC_UNLOAD:
		return "unload the crash kernel";
	case ARM_STEP_UNBIND:
		return "unbind the crash region";
	case ARM_STEP_FREE:
		return "free the crash region";
	case ARM_STEP_RESIZE_WORK:
		return "resize the working memory";
	case ARM_STEP_RESIZE:
		return "resize the crash region";
	case ARM_STEP_RELOAD:
		return "load the crash kernel into the crash region";
	case ARM_STEP_NOT_SUPPORTED:
		return "resize the boot-time crashkernel= reservation";
	}
	return "?";
}

/* After -ENOMEM of an allocation: what the module says was possible. */
static void note_largest(const struct arm_ops *ops, void *u, int err,
			 struct arm_outcome *out)
{
	uint64_t largest = 0;

	if (err == -ENOMEM && ops->largest_window &&
	    ops->largest_window(u, &largest) == 0 &&
	    largest > out->largest_window)
		out->largest_window = largest;
}

static int fail(struct arm_outcome *out, enum arm_step step, int err)
{
	if (out->step == ARM_STEP_NONE) {
		out->step = step;
		out->err = err;
	}
	return err;
}

static void leftover(struct arm_outcome *out, enum arm_step step, int err,
		     uint64_t addr)
{
	if (out->n_leftovers < ARM_MAX_LEFTOVERS) {
		out->leftover[out->n_leftovers].step = step;
		out->leftover[out->n_leftovers].err = err;
		out->leftover[out->n_leftovers].addr = addr;
	}
	out->n_leftovers++;
}

static bool own_name(const struct lazy_cma_range *r)
{
	return strcmp(r->name, ARM_NAME) == 0 ||
	       strcmp(r->name, ARM_NAME_LOW) == 0 ||
	       strcmp(r->name, ARM_NAME_WORK) == 0;
}

/* Load and check that the kernel says a crash kernel is loaded. */
static int load_verified(const struct arm_ops *ops, void *u,
			 const char *kernel, const char *initrd,
			 const char *cmdline, enum arm_step *step)
{
	bool loaded = false;
	int r;

	*step = ARM_STEP_KEXEC_LOAD;
	r = ops->kexec_load(u, kernel, initrd, cmdline);
	if (r < 0)
		return r;
	*step = ARM_STEP_VERIFY;
	r = ops->crash_loaded(u, &loaded);
	if (r == 0 && !loaded)
		r = -EIO;
	return r;
}

/*
 * Unbind and free every buffer named ARM_NAME, ARM_NAME_LOW or
 * ARM_NAME_WORK. The first
 * failure is returned (and recorded); the other buffers are still tried.
 */
static int free_own(const struct arm_ops *ops, void *u,
		    struct arm_outcome *out, unsigned int *count)
{
	struct lazy_cma_range *a = NULL;
	size_t n = 0, i;
	int r, ret = 0;

	r = ops->list(u, &a, &n);
	if (r < 0)
		return fail(out, ARM_STEP_LIST, r);
	for (i = 0; i < n; i++) {
		if (!own_name(&a[i]))
			continue;
		if (a[i].flags & (LAZY_CMA_RANGE_CRASH |
				  LAZY_CMA_RANGE_CRASH_LOW)) {
			r = ops->unbind(u, a[i].phys_addr);
			if (r < 0) {
				leftover(out, ARM_STEP_UNBIND, r,
					 a[i].phys_addr);
				if (!ret)
					ret = fail(out, ARM_STEP_UNBIND, r);
				continue;
			}
		}
		r = ops->free(u, a[i].phys_addr);
		if (r < 0) {
			leftover(out, ARM_STEP_FREE, r, a[i].phys_addr);
			if (!ret)
				ret = fail(out, ARM_STEP_FREE, r);
			continue;
		}
		out->freed_bytes += a[i].len;
		if (count)
			(*count)++;
	}
	free(a);
	return ret;
}

/* What arm_load() has done so far, for the undo. */
struct progress {
	bool main_alloc, main_bound, low_alloc, low_bound, maybe_loaded;
};

static void undo(const struct arm_ops *ops, void *u, struct arm_outcome *out,
		 const struct progress *p)
{
	int r;

	if (p->maybe_loaded) {
		r = ops->kexec_unload(u);
		if (r < 0)
			leftover(out, ARM_STEP_KEXEC_UNLOAD, r, 0);
	}
	if (p->low_bound) {
		r = ops->unbind(u, out->low_addr);
		if (r < 0)
			leftover(out, ARM_STEP_UNBIND, r, out->low_addr);
	}
	if (p->low_alloc) {
		r = ops->free(u, out->low_addr);
		if (r < 0)
			leftover(out, ARM_STEP_FREE, r, out->low_addr);
		else
			out->low_addr = out->low_len = 0;
	}
	if (p->main_bound) {
		r = ops->unbind(u, out->main_addr);
		if (r < 0)
			leftover(out, ARM_STEP_UNBIND, r, out->main_addr);
	}
	if (p->main_alloc) {
		r = ops->free(u, out->main_addr);
		if (r < 0)
			leftover(out, ARM_STEP_FREE, r, out->main_addr);
		else
			out->main_addr = out->main_len = 0;
	}
	out->loaded = false;
}

static int load_boot_time(const struct arm_ops *ops, void *u,
			  const struct arm_request *rq,
			  struct arm_outcome *out, uint64_t size)
{
	enum arm_step step;
	int r;

	out->boot_time = true;
	out->boot_time_size = size;
	/* Split or not, a boot-time reservation must hold it all. */
	if (size < arm_request_total(rq))
		return fail(out, ARM_STEP_BOOT_TIME, -ENOSPC);
	r = load_verified(ops, u, rq->kernel, rq->initrd, rq->cmdline, &step);
	if (r < 0) {
		if (step == ARM_STEP_VERIFY && ops->kexec_unload(u) < 0)
			leftover(out, ARM_STEP_KEXEC_UNLOAD, r, 0);
		return fail(out, step, r);
	}
	out->loaded = true;
	return 0;
}

int arm_load(const struct arm_ops *ops, void *u, const struct arm_request *rq,
	     struct arm_outcome *out)
{
	uint64_t res = 0, res_low = 0, lock = 0, size = 0;
	struct progress p = { 0 };
	enum arm_step step;
	bool loaded = false, dev;
	int r;

	memset(out, 0, sizeof(*out));

	r = ops->crash_loaded(u, &loaded);
	if (r < 0)
		return fail(out, ARM_STEP_CHECK_LOADED, r);
	if (loaded)
		return fail(out, ARM_STEP_ALREADY_LOADED, -EALREADY);

	/* Buffers of an earlier run that failed halfway: nothing uses them. */
	r = ops->device_open(u, false);
	dev = r == 0;
	if (r < 0 && r != -ENOENT)
		return fail(out, ARM_STEP_DEVICE, r);
	if (dev) {
		r = free_own(ops, u, out, &out->stale_freed);
		if (r < 0)
			return r;
	}

	r = ops->crash_size(u, &size);
	if (r < 0)
		return fail(out, ARM_STEP_CRASH_SIZE, r);
	if (size > 0)
		return load_boot_time(ops, u, rq, out, size);

	r = ops->device_open(u, true);
	if (r < 0)
		return fail(out, ARM_STEP_DEVICE, r);
	r = ops->symbol(u, ARM_SYM_CRASHK, &res);
	if (r < 0)
		return fail(out, ARM_STEP_SYMBOL, r);
	r = ops->symbol(u, ARM_SYM_KEXEC_LOCK, &lock);
	if (r < 0)
		return fail(out, ARM_STEP_SYMBOL_LOCK, r);
	r = ops->kexec_lock(u, lock);
	if (r < 0)
		return fail(out, ARM_STEP_KEXEC_LOCK, r);
	if (rq->high || rq->split) {
		r = ops->symbol(u, ARM_SYM_CRASHK_LOW, &res_low);
		if (r < 0)
			return fail(out, ARM_STEP_SYMBOL_LOW, r);
	}

	out->high = rq->high;
	out->split = rq->split;
	r = ops->alloc(u, rq->size, rq->node,
		       rq->high ? LAZY_CMA_ALLOC_ABOVE_4G :
				  LAZY_CMA_ALLOC_BELOW_4G,
		       ARM_NAME, &out->main_addr);
	if (r == -ENOMEM && !rq->high) {
		/* No low window: the kernel's crashkernel= goes high too. */
		int low_err = r;

		note_largest(ops, u, low_err, out);
		if (ops->symbol(u, ARM_SYM_CRASHK_LOW, &res_low) < 0)
			return fail(out, ARM_STEP_ALLOC, low_err);
		r = ops->alloc(u, rq->size, rq->node, LAZY_CMA_ALLOC_ABOVE_4G,
			       ARM_NAME, &out->main_addr);
		if (r < 0) {
			/* The larger of the two attempts' windows. */
			note_largest(ops, u, r, out);
			return fail(out, ARM_STEP_ALLOC, low_err);
		}
		out->high = true;
		out->fell_back_high = true;
		out->low_err = low_err;
		r = 0;
	}
	if (r < 0) {
		note_largest(ops, u, r, out);
		return fail(out, ARM_STEP_ALLOC, r);
	}
	p.main_alloc = true;
	out->main_len = rq->size;

	r = ops->bind(u, out->main_addr, res, 0);
	if (r < 0) {
		fail(out, ARM_STEP_BIND, r);
		goto undo;
	}
	p.main_bound = true;

	if (out->high || rq->split) {
		uint64_t low_len = rq->low_size;

		/*
		 * Split: the working memory; when the region lies high it is
		 * also the crash kernel's only memory below 4 GiB (DMA,
		 * swiotlb), so never smaller than the low companion.
		 */
		if (rq->split && (!out->high || rq->work_size > low_len))
			low_len = rq->work_size;
		r = ops->alloc(u, low_len, -1, LAZY_CMA_ALLOC_BELOW_4G,
			       rq->split ? ARM_NAME_WORK : ARM_NAME_LOW,
			       &out->low_addr);
		if (r < 0) {
			note_largest(ops, u, r, out);
			fail(out, ARM_STEP_ALLOC_LOW, r);
			goto undo;
		}
		p.low_alloc = true;
		out->low_len = low_len;
		r = ops->bind(u, out->low_addr, res_low, LAZY_CMA_CRASH_LOW);
		if (r < 0) {
			fail(out, ARM_STEP_BIND_LOW, r);
			goto undo;
		}
		p.low_bound = true;
	}

	r = load_verified(ops, u, rq->kernel, rq->initrd, rq->cmdline, &step);
	if (r < 0) {
		/* A failed load leaves nothing loaded; a failed check may. */
		p.maybe_loaded = step == ARM_STEP_VERIFY;
		fail(out, step, r);
		goto undo;
	}
	out->loaded = true;
	return 0;

undo:
	undo(ops, u, out, &p);
	return out->err;
}

int arm_unload(const struct arm_ops *ops, void *u, const struct lk_state *st,
	       struct arm_outcome *out)
{
	struct lazy_cma_range *a = NULL;
	bool loaded = false, ours, dev;
	size_t n = 0, i;
	int r;

	memset(out, 0, sizeof(*out));
	r = ops->crash_loaded(u, &loaded);
	if (r < 0)
		return fail(out, ARM_STEP_CHECK_LOADED, r);

	ours = st && st->armed;
	r = ops->device_open(u, false);
	dev = r == 0;
	if (r < 0 && r != -ENOENT)
		return fail(out, ARM_STEP_DEVICE, r);
	if (dev) {
		r = ops->list(u, &a, &n);
		if (r < 0)
			return fail(out, ARM_STEP_LIST, r);
		for (i = 0; i < n; i++)
			if (own_name(&a[i]) &&
			    (a[i].flags & LAZY_CMA_RANGE_CRASH_LOADED))
				ours = true;
		free(a);
	}

	if (loaded && ours) {
		r = ops->kexec_unload(u);
		if (r < 0) {
			out->loaded = true;
			return fail(out, ARM_STEP_KEXEC_UNLOAD, r);
		}
	} else if (loaded) {
		out->not_ours = true;
		out->loaded = true;
	}
	if (st && st->boot_time) {
		out->boot_time = true;
		return 0;
	}
	if (!dev)
		return 0;
	return free_own(ops, u, out, NULL);
}

/* Load @st's kernel again after a failed resize. */
static void rearm(const struct arm_ops *ops, void *u, const struct lk_state *st,
		  struct arm_outcome *out)
{
	enum arm_step step;
	int r;

	r = load_verified(ops, u, st->kernel, st->initrd, st->cmdline, &step);
	if (r == 0) {
		out->rearmed_previous = true;
		out->loaded = true;
	} else {
		out->disarmed = true;
		out->reload_err = r;
		out->loaded = false;
	}
}

/*
 * Find the recorded region among the buffers and unload what is loaded:
 * the common start of resize and reload. Sets out's region fields from @st.
 */
static int region_begin(const struct arm_ops *ops, void *u,
			const struct lk_state *st, struct arm_outcome *out,
			bool *loaded)
{
	struct lazy_cma_range *a = NULL;
	bool found = false;
	size_t n = 0, i;
	int r;

	out->main_addr = st->main_addr;
	out->main_len = out->old_len = st->main_len;
	out->low_addr = st->low_addr;
	out->low_len = st->low_len;
	out->high = st->high;
	out->split = st->split;

	r = ops->crash_loaded(u, loaded);
	if (r < 0)
		return fail(out, ARM_STEP_CHECK_LOADED, r);
	out->loaded = *loaded;
	r = ops->device_open(u, false);
	if (r < 0)
		return fail(out, ARM_STEP_DEVICE, r);
	r = ops->list(u, &a, &n);
	if (r < 0)
		return fail(out, ARM_STEP_LIST, r);
	for (i = 0; i < n; i++)
		if (a[i].phys_addr == st->main_addr &&
		    strcmp(a[i].name, ARM_NAME) == 0 &&
		    (a[i].flags & LAZY_CMA_RANGE_CRASH))
			found = true;
	free(a);
	if (!found || !st->main_addr)
		return fail(out, ARM_STEP_NOT_FOUND, -ENOENT);
	return 0;
}

/* Unload the crash kernel when @loaded; the failure is the outcome's. */
static int unload_loaded(const struct arm_ops *ops, void *u, bool loaded,
			 struct arm_outcome *out)
{
	int r;

	if (!loaded)
		return 0;
	r = ops->kexec_unload(u);
	if (r < 0)
		return fail(out, ARM_STEP_KEXEC_UNLOAD, r);
	out->loaded = false;
	return 0;
}

/* Load @rq's files into the region as it is now (ARM_STEP_RELOAD). */
static int load_new(const struct arm_ops *ops, void *u,
		    const struct arm_request *rq, struct arm_outcome *out)
{
	enum arm_step step;
	int r;

	r = load_verified(ops, u, rq->kernel, rq->initrd, rq->cmdline, &step);
	if (r == 0) {
		out->loaded = true;
		return 0;
	}
	fail(out, ARM_STEP_RELOAD, r);
	/* A failed load leaves nothing loaded; a failed check may. */
	if (step == ARM_STEP_VERIFY)
		ops->kexec_unload(u);
	return r;
}

/*
 * Split working memory: resize it back to what @st says after a failure
 * (when it was changed). A failure here leaves it at the new size, which
 * the outcome says; the previous kernel needs only the region.
 */
static void work_back(const struct arm_ops *ops, void *u,
		      const struct lk_state *st, struct arm_outcome *out)
{
	uint64_t addr = out->low_addr, len = st->low_len;

	if (!st->split || out->low_len == st->low_len)
		return;
	if (ops->resize(u, &addr, &len) < 0)
		return;
	out->low_addr = addr;
	out->low_len = len;
}

/* Split: resize the working memory to @wlen (ARM_STEP_RESIZE_WORK). */
static int work_resize(const struct arm_ops *ops, void *u, uint64_t wlen,
		       struct arm_outcome *out)
{
	uint64_t addr = out->low_addr;
	int r;

	r = ops->resize(u, &addr, &wlen);
	if (r < 0) {
		note_largest(ops, u, r, out);
		return fail(out, ARM_STEP_RESIZE_WORK, r);
	}
	out->low_addr = addr;
	out->low_len = wlen;
	return 0;
}

/*
 * Unload (when @loaded), make the region @rq->size (and, split, the
 * working memory @rq->work_size when not 0) and load @rq's files; on
 * failure, the sizes and @st's files as they were. The working memory
 * goes first when it grows: a failed grow then needs no undo.
 */
static int region_rearm(const struct arm_ops *ops, void *u,
			const struct lk_state *st, const struct arm_request *rq,
			bool loaded, struct arm_outcome *out)
{
	uint64_t addr = st->main_addr, len = rq->size;
	uint64_t wlen = st->split ? rq->work_size : 0;
	bool work_first = wlen > st->low_len;
	int r, r2;

	r = unload_loaded(ops, u, loaded, out);
	if (r < 0)
		return r;
	if (work_first) {
		r = work_resize(ops, u, wlen, out);
		if (r < 0) {
			rearm(ops, u, st, out);
			return r;
		}
	}
	if (len != st->main_len) {
		r = ops->resize(u, &addr, &len);
		if (r < 0) {
			/* The region is unchanged: arm it again as it was. */
			note_largest(ops, u, r, out);
			fail(out, ARM_STEP_RESIZE, r);
			goto back;
		}
		out->main_addr = addr;
		out->main_len = len;
	}
	if (!work_first && wlen && wlen != st->low_len) {
		r = work_resize(ops, u, wlen, out);
		if (r < 0)
			goto back;
	}

	r = load_new(ops, u, rq, out);
	if (r == 0)
		return 0;

back:
	/* Go back to the sizes that worked. */
	work_back(ops, u, st, out);
	if (out->main_len != st->main_len) {
		len = st->main_len;
		r2 = ops->resize(u, &addr, &len);
		if (r2 < 0) {
			out->disarmed = true;
			out->reload_err = r2;
			return r;
		}
		out->main_addr = addr;
		out->main_len = len;
	}
	rearm(ops, u, st, out);
	return r;
}

int arm_resize(const struct arm_ops *ops, void *u, const struct lk_state *st,
	       uint64_t new_len, uint64_t new_work, struct arm_outcome *out)
{
	struct arm_request rq = {
		.kernel = st->kernel, .initrd = st->initrd,
		.cmdline = st->cmdline, .size = new_len,
		.split = st->split, .work_size = st->split ? new_work : 0,
	};
	enum arm_step step;
	bool loaded = false;
	int r;

	memset(out, 0, sizeof(*out));
	if (st->boot_time)
		return fail(out, ARM_STEP_NOT_SUPPORTED, -EOPNOTSUPP);
	r = region_begin(ops, u, st, out, &loaded);
	if (r < 0)
		return r;

	if (new_len == st->main_len &&
	    (!rq.split || !new_work || new_work == st->low_len)) {
		out->unchanged = true;
		if (loaded)
			return 0;
		/* Held but not loaded (an earlier re-arm failed): arm it. */
		r = load_verified(ops, u, st->kernel, st->initrd, st->cmdline,
				  &step);
		if (r < 0) {
			out->disarmed = true;
			out->reload_err = r;
			return fail(out, ARM_STEP_RELOAD, r);
		}
		out->loaded = true;
		return 0;
	}
	return region_rearm(ops, u, st, &rq, loaded, out);
}

int arm_reload(const struct arm_ops *ops, void *u, const struct lk_state *st,
	       const struct arm_request *rq, struct arm_outcome *out)
{
	bool loaded = false;
	uint64_t size = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (!st->boot_time) {
		r = region_begin(ops, u, st, out, &loaded);
		if (r < 0)
			return r;
		return region_rearm(ops, u, st, rq, loaded, out);
	}

	/* The boot-time reservation: same region, new files if they fit. */
	out->boot_time = true;
	out->main_len = out->old_len = st->main_len;
	r = ops->crash_loaded(u, &loaded);
	if (r < 0)
		return fail(out, ARM_STEP_CHECK_LOADED, r);
	out->loaded = loaded;
	r = ops->crash_size(u, &size);
	if (r < 0)
		return fail(out, ARM_STEP_CRASH_SIZE, r);
	out->boot_time_size = size;
	if (size < rq->size)
		return fail(out, ARM_STEP_BOOT_TIME, -ENOSPC);
	r = unload_loaded(ops, u, loaded, out);
	if (r < 0)
		return r;
	r = load_new(ops, u, rq, out);
	if (r < 0)
		rearm(ops, u, st, out);
	return r;
}
