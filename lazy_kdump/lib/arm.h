/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm - arm, disarm, resize and reload kdump: the order of the steps and the undo
 * of every step when a later one fails.
 *
 * Every effect on the system goes through struct arm_ops, so that host
 * tests can run these sequences against a simulated kernel and make any
 * step fail. lazy-kdump's real ops call lib/lcma.c, read /sys and call
 * kexec_file_load(2). Nothing here prints: struct arm_outcome says what
 * happened, which step failed, and what could not be undone.
 *
 * Reservations are lazy_cma buffers named ARM_NAME (the crash region,
 * bound as crashk_res) and ARM_NAME_LOW (its below-4-GiB companion when
 * the region is placed high, bound as crashk_low_res) or, with split
 * working memory, ARM_NAME_WORK (the crash kernel's working memory, below
 * 4 GiB, bound as crashk_low_res: the crash kernel gets it as RAM and the
 * kernel leaves it out of the dump, as for crashkernel=,low).
 */
#ifndef LAZY_KDUMP_ARM_H
#define LAZY_KDUMP_ARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lazy_cma.h"
#include "state.h"

#define ARM_NAME		"lazy-kdump"
#define ARM_NAME_LOW		"lazy-kdump-low"
#define ARM_NAME_WORK		"lazy-kdump-work"
#define ARM_SYM_CRASHK		"crashk_res"
#define ARM_SYM_CRASHK_LOW	"crashk_low_res"
#define ARM_SYM_KEXEC_LOCK	"__kexec_lock"

/* Every op returns 0 or a negative errno. */
struct arm_ops {
	/* /sys/kernel/kexec_crash_loaded */
	int (*crash_loaded)(void *u, bool *ret);
	/* /sys/kernel/kexec_crash_size: the crash region the kernel has */
	int (*crash_size)(void *u, uint64_t *ret);
	/*
	 * Open /dev/lazy_cma (once; later calls return 0). With @load, load
	 * lazy_cma.ko when the device is missing; without, -ENOENT then.
	 */
	int (*device_open)(void *u, bool load);
	/* The kernel address of a data symbol (/proc/kallsyms). */
	int (*symbol)(void *u, const char *name, uint64_t *ret);
	int (*alloc)(void *u, uint64_t len, int node, uint32_t flags,
		     const char *name, uint64_t *ret_phys);
	int (*resize)(void *u, uint64_t *phys, uint64_t *len);
	int (*free)(void *u, uint64_t phys);
	int (*bind)(void *u, uint64_t phys, uint64_t res_addr, uint32_t flags);
	int (*unbind)(void *u, uint64_t phys);
	/* *ret is malloc()ed (free() it), NULL when there are none. */
	int (*list)(void *u, struct lazy_cma_range **ret, size_t *ret_n);
	/* kexec_file_load(KEXEC_FILE_ON_CRASH) */
	int (*kexec_load)(void *u, const char *kernel, const char *initrd,
			  const char *cmdline);
	/* kexec_file_load(KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH) */
	int (*kexec_unload)(void *u);
	/* LAZY_CMA_IOCTL_KEXEC_LOCK: where the kernel's kexec lock is */
	int (*kexec_lock)(void *u, uint64_t addr);
	/*
	 * LAZY_CMA_IOCTL_ALLOC_REPORT after an ALLOC or RESIZE failed with
	 * -ENOMEM: the largest usable window in bytes (0: unknown). May be
	 * NULL.
	 */
	int (*largest_window)(void *u, uint64_t *ret);
};

enum arm_step {
	ARM_STEP_NONE,
	ARM_STEP_CHECK_LOADED,	/* reading kexec_crash_loaded */
	ARM_STEP_ALREADY_LOADED,/* a crash kernel is loaded already */
	ARM_STEP_CRASH_SIZE,	/* reading kexec_crash_size */
	ARM_STEP_BOOT_TIME,	/* the boot-time reservation is too small */
	ARM_STEP_DEVICE,	/* opening /dev/lazy_cma (loading the module) */
	ARM_STEP_LIST,		/* listing the buffers */
	ARM_STEP_NOT_FOUND,	/* resize: the recorded buffer is gone */
	ARM_STEP_SYMBOL,	/* crashk_res in /proc/kallsyms */
	ARM_STEP_SYMBOL_LOW,	/* crashk_low_res in /proc/kallsyms */
	ARM_STEP_SYMBOL_LOCK,	/* __kexec_lock in /proc/kallsyms */
	ARM_STEP_KEXEC_LOCK,	/* giving the module the kexec lock */
	ARM_STEP_ALLOC,
	ARM_STEP_BIND,
	ARM_STEP_ALLOC_LOW,
	ARM_STEP_BIND_LOW,
	ARM_STEP_KEXEC_LOAD,
	ARM_STEP_VERIFY,	/* kexec_crash_loaded is not 1 after loading */
	ARM_STEP_KEXEC_UNLOAD,
	ARM_STEP_UNBIND,
	ARM_STEP_FREE,
	ARM_STEP_RESIZE,
	ARM_STEP_RESIZE_WORK,	/* split: resizing the working memory */
	ARM_STEP_RELOAD,	/* resize, reload: loading into the region */
	ARM_STEP_NOT_SUPPORTED,	/* resize of a boot-time reservation */
};

/* "allocate the crash region", ... for messages. */
const char *arm_step_name(enum arm_step s);

struct arm_request {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	uint64_t size;		/* the crash region */
	uint64_t low_size;	/* its low companion when placed high */
	int node;		/* -1: any */
	bool high;		/* placement high */
	/*
	 * Split working memory: @size is the core (the images), @work_size
	 * the second range (below 4 GiB; at least @low_size when the core
	 * lies high).
	 */
	bool split;
	uint64_t work_size;
	/*
	 * What the files need as one region (held: @size); a boot-time
	 * reservation must hold it. 0: @size (+ @work_size).
	 */
	uint64_t total;
};

/* @rq's total: what a boot-time reservation must hold. */
static inline uint64_t arm_request_total(const struct arm_request *rq)
{
	return rq->total ? rq->total :
	       rq->size + (rq->split ? rq->work_size : 0);
}

#define ARM_MAX_LEFTOVERS	4

/* An undo step that failed: something is still held. */
struct arm_leftover {
	enum arm_step step;	/* ARM_STEP_KEXEC_UNLOAD, _UNBIND or _FREE */
	int err;
	uint64_t addr;		/* the buffer, for unbind and free */
};

struct arm_outcome {
	enum arm_step step;	/* the step that failed; ARM_STEP_NONE */
	int err;		/* its -errno */

	/* What is held and armed after the call. */
	uint64_t main_addr, main_len;
	uint64_t low_addr, low_len;
	bool loaded;		/* a crash kernel is loaded */
	bool high;		/* the region lies above 4 GiB */
	bool split;		/* low_* is the working memory (ARM_NAME_WORK) */
	bool fell_back_high;	/* low had no window (low_err): went high */
	int low_err;
	/*
	 * After -ENOMEM of ALLOC, ALLOC_LOW or RESIZE: the largest usable
	 * window the module found for that request, in bytes; 0: unknown.
	 */
	uint64_t largest_window;

	bool boot_time;		/* a crashkernel= reservation was found */
	uint64_t boot_time_size;

	unsigned int stale_freed;	/* load: own buffers left over, freed */
	uint64_t freed_bytes;		/* unload */
	bool not_ours;		/* unload: a crash kernel lazy-kdump did not
				 * load is loaded, and was left alone */

	unsigned int n_leftovers;
	struct arm_leftover leftover[ARM_MAX_LEFTOVERS];

	/* resize, reload */
	uint64_t old_len;
	bool unchanged;		/* the size was already that */
	bool rearmed_previous;	/* failed, but armed again as before */
	bool disarmed;		/* failed, and nothing is loaded now */
	int reload_err;		/* why re-arming failed, when disarmed */
};

/*
 * arm_load - reserve, bind and load
 *
 * 1. A loaded crash kernel: -EALREADY (ARM_STEP_ALREADY_LOADED).
 * 2. Buffers named ARM_NAME/ARM_NAME_LOW/ARM_NAME_WORK left from an earlier failed run
 *    (nothing is loaded) are unbound and freed (stale_freed).
 * 3. A crash region the kernel already has (kexec_crash_size > 0: a
 *    boot-time crashkernel=) is used as it is when it is at least
 *    @rq->size (boot_time set); otherwise -ENOSPC (ARM_STEP_BOOT_TIME).
 * 4. Otherwise: open the device (loading the module), look up crashk_res
 *    (and crashk_low_res), allocate @rq->size below 4 GiB (placement low;
 *    when no window is found, fall back to high) or above (high), bind it,
 *    for high also allocate and bind a @rq->low_size companion below
 *    4 GiB (@rq->split: the working memory instead, @rq->work_size, at
 *    least @rq->low_size when the region lies high), then kexec_file_load
 *    and check kexec_crash_loaded.
 * On a failure after the allocation every step done is undone in reverse
 * (unload, unbind, free); undo steps that fail are in leftover[].
 *
 * Return: 0 or the failed step's -errno.
 */
int arm_load(const struct arm_ops *ops, void *u, const struct arm_request *rq,
	     struct arm_outcome *out);

/*
 * arm_unload - unload the crash kernel lazy-kdump loaded (@st says so, or
 * one of its buffers is loaded), then unbind and free every ARM_NAME and
 * ARM_NAME_LOW and ARM_NAME_WORK buffer. A boot-time reservation (@st->boot_time) is only
 * unloaded. A crash kernel loaded by someone else is left alone
 * (not_ours). @st may be NULL.
 *
 * Return: 0 or the first failure's -errno (the others are attempted).
 */
int arm_unload(const struct arm_ops *ops, void *u, const struct lk_state *st,
	       struct arm_outcome *out);

/*
 * arm_resize - unload, resize the crash region in place or moved (the
 * module keeps the binding), load again
 * @st: what is armed (kernel, initrd, command line, main_addr/main_len)
 * @new_work: with split working memory (@st->split), the working memory's
 *	new size (0: as it is); it is resized after the region and, on a
 *	failure, back with it
 *
 * When the resize fails the region is unchanged and the previous kernel is
 * loaded again (rearmed_previous); when loading into the new size fails
 * the region is resized back and loaded again (rearmed_previous). When
 * even that fails, disarmed is set. main_addr/main_len say what is held.
 * At the same size nothing is done (unchanged), except loading the kernel
 * when nothing is loaded (an earlier re-arm failed).
 *
 * Return: 0, or the -errno of the resize or of the load into the new size.
 */
int arm_resize(const struct arm_ops *ops, void *u, const struct lk_state *st,
	       uint64_t new_len, uint64_t new_work, struct arm_outcome *out);

/*
 * arm_reload - arm again with other files (a new kernel, initrd or command
 * line, e.g. after a configuration change) in the region already held:
 * unload, resize the region to @rq->size when that differs, load @rq's
 * kernel, initrd and command line. @rq's node, placement and low_size are
 * not used: the region stays where it is.
 * @st: what is armed now
 *
 * When the new files cannot be loaded, the region is resized back and
 * @st's files are loaded again (rearmed_previous); when even that fails,
 * disarmed is set. With a boot-time reservation (@st->boot_time) the new
 * files must fit in it (else -ENOSPC, ARM_STEP_BOOT_TIME, nothing
 * changed). main_addr/main_len say what is held afterwards.
 *
 * Return: 0, or the -errno of the step that failed.
 */
int arm_reload(const struct arm_ops *ops, void *u, const struct lk_state *st,
	       const struct arm_request *rq, struct arm_outcome *out);

#endif /* LAZY_KDUMP_ARM_H */
