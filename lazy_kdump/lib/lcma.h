/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lcma - the one wrapper around the /dev/lazy_cma ioctls, shared by
 * lazy-cma and lazy-kdump.
 *
 * Every function returns 0 or a negative errno and leaves its
 * out-parameters untouched on failure. Nothing here prints.
 *
 * The ioctls are issued through lcma::ioctl, which lcma_open() points at
 * ioctl(2). Unit tests point it at a fake kernel instead.
 */
#ifndef LAZY_KDUMP_LCMA_H
#define LAZY_KDUMP_LCMA_H

#include <stddef.h>
#include <stdint.h>

#include "lazy_cma.h"

#define LCMA_DEFAULT_DEVICE	"/dev/lazy_cma"

/* lcma_list() gives up after this many rounds of "the list grew again". */
#define LCMA_LIST_MAX_TRIES	16
/* The kernel refuses room for more entries than this (-EINVAL). */
#define LCMA_LIST_MAX_COUNT	65536U

struct lcma {
	int fd;
	/* Issue @cmd on @h->fd; returns 0 or -errno. */
	int (*ioctl)(struct lcma *h, unsigned long cmd, void *arg);
	/* For the fake ioctl of tests; unused by the real one. */
	void *userdata;
};

/* What failed, for lcma_error_hint(). */
enum lcma_op {
	LCMA_OP_OPEN,
	LCMA_OP_ALLOC,
	LCMA_OP_RESIZE,
	LCMA_OP_FREE,
	LCMA_OP_LIST,
	LCMA_OP_CRASH_BIND,
	LCMA_OP_CRASH_UNBIND,
	LCMA_OP_KEXEC_LOCK,
};

/*
 * lcma_open - open the lazy_cma device read-write, close-on-exec
 * @h: filled in on success
 * @path: device node; NULL means LCMA_DEFAULT_DEVICE
 *
 * Return: 0, or -errno of open(2) (-ENOENT: module not loaded).
 */
int lcma_open(struct lcma *h, const char *path);

/* lcma_close - close @h's descriptor (if any); safe to call twice. */
void lcma_close(struct lcma *h);

/*
 * lcma_name_check - check a buffer name as LAZY_CMA_IOCTL_ALLOC wants it
 *
 * Return: 0 (NULL and "" are fine), -ENAMETOOLONG when it has
 * LAZY_CMA_NAME_MAX or more characters, -EINVAL when a character is not
 * printable ASCII (0x20-0x7e).
 */
int lcma_name_check(const char *name);

/*
 * lcma_alloc - LAZY_CMA_IOCTL_ALLOC
 * @len: bytes, not 0 (the kernel rounds up to pages)
 * @node: NUMA node, or -1 for any
 * @flags: LAZY_CMA_ALLOC_* flags
 * @name: /proc/iomem name, or NULL/"" for LAZY_CMA_DEFAULT_NAME; checked
 *	with lcma_name_check() before the ioctl
 * @ret_phys: the buffer's physical address
 */
int lcma_alloc(struct lcma *h, uint64_t len, int node, uint32_t flags,
	       const char *name, uint64_t *ret_phys);

/*
 * lcma_resize - LAZY_CMA_IOCTL_RESIZE
 * @phys: in: the buffer; out: its (possibly new) address
 * @len: in: the new length; out: the length the kernel set
 *
 * Both are written only on success.
 */
int lcma_resize(struct lcma *h, uint64_t *phys, uint64_t *len);

/* lcma_free - LAZY_CMA_IOCTL_FREE of the buffer at @phys. */
int lcma_free(struct lcma *h, uint64_t phys);

/*
 * lcma_list - LAZY_CMA_IOCTL_LIST into a new array
 * @ret: the entries, ordered by address, malloc()ed (free() them); NULL
 *	when there are none
 * @ret_count: how many
 *
 * Asks again with a larger array while buffers appear between calls, at
 * most LCMA_LIST_MAX_TRIES times (then -EAGAIN). Every name is
 * NUL-terminated on return.
 *
 * Return: 0, -ENOMEM, -EAGAIN, -EOVERFLOW (more than LCMA_LIST_MAX_COUNT
 * buffers), or the ioctl's -errno.
 */
int lcma_list(struct lcma *h, struct lazy_cma_range **ret, size_t *ret_count);

/*
 * lcma_crash_bind - LAZY_CMA_IOCTL_CRASH_BIND
 * @phys: the buffer
 * @res_addr: kernel address of crashk_res (crashk_low_res with
 *	LAZY_CMA_CRASH_LOW), e.g. from kallsyms_lookup()
 * @flags: LAZY_CMA_CRASH_* flags
 */
int lcma_crash_bind(struct lcma *h, uint64_t phys, uint64_t res_addr,
		    uint32_t flags);

/*
 * lcma_kexec_lock - LAZY_CMA_IOCTL_KEXEC_LOCK: tell the module where the
 * kernel's kexec lock is (@addr of LCMA_SYM_KEXEC_LOCK, e.g. from
 * kallsyms_lookup()); needed once before the first bind.
 */
int lcma_kexec_lock(struct lcma *h, uint64_t addr);

/* The kernel symbol LAZY_CMA_IOCTL_KEXEC_LOCK wants. */
#define LCMA_SYM_KEXEC_LOCK	"__kexec_lock"

/* lcma_crash_unbind - LAZY_CMA_IOCTL_CRASH_UNBIND of the buffer at @phys. */
int lcma_crash_unbind(struct lcma *h, uint64_t phys);

/*
 * lcma_alloc_report - LAZY_CMA_IOCTL_ALLOC_REPORT: how the last ALLOC or
 * RESIZE on @h that succeeded or failed with ENOMEM or EINTR went
 * (after -ENOMEM: its ->largest is the largest usable window, in bytes)
 *
 * Return: 0, -ENODATA (none on @h yet), -ENOTTY (a module older than
 * the report), or the ioctl's other -errno.
 */
int lcma_alloc_report(struct lcma *h, struct lazy_cma_alloc_report *ret);

/*
 * lcma_error_hint - what to do about @err (a positive or negative errno)
 * returned by @op, per the ABI header's documented errors
 *
 * Return: one sentence ending in '.', or NULL when there is nothing more
 * useful to say than strerror(). Callers with more context (a node
 * number, an address) may prefer their own wording.
 */
const char *lcma_error_hint(enum lcma_op op, int err);

/*
 * lcma_zone_name - "DMA", "DMA32", "Normal", "Movable" or "other" for a
 * LAZY_CMA_ZONE_* value (anything unknown is "other").
 */
const char *lcma_zone_name(uint32_t zone);

/*
 * lcma_range_flags_format - LAZY_CMA_RANGE_* flags as "crash,loaded",
 * "crash-low", "mapped", ... in bit order; unknown bits as one hex number
 * ("crash,0x30"); no flags as "-".
 *
 * Return: like snprintf(): the length of the full string; @buf holds a
 * NUL-terminated, possibly truncated copy when @size > 0.
 */
int lcma_range_flags_format(uint32_t flags, char *buf, size_t size);

#endif /* LAZY_KDUMP_LCMA_H */
