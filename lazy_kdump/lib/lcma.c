// SPDX-License-Identifier: GPL-2.0
/*
 * lcma - the one wrapper around the /dev/lazy_cma ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lcma.h"

static int lcma_real_ioctl(struct lcma *h, unsigned long cmd, void *arg)
{
	if (ioctl(h->fd, cmd, arg) < 0)
		return errno > 0 ? -errno : -EIO;
	return 0;
}

int lcma_open(struct lcma *h, const char *path)
{
	int fd;

	fd = open(path ? path : LCMA_DEFAULT_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno > 0 ? -errno : -EIO;

	h->fd = fd;
	h->ioctl = lcma_real_ioctl;
	h->userdata = NULL;
	return 0;
}

void lcma_close(struct lcma *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

int lcma_name_check(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; name[i]; i++) {
		if (i >= LAZY_CMA_NAME_MAX - 1)
			return -ENAMETOOLONG;
		if (name[i] < 0x20 || name[i] > 0x7e)
			return -EINVAL;
	}
	return 0;
}

int lcma_alloc(struct lcma *h, uint64_t len, int node, uint32_t flags,
	       const char *name, uint64_t *ret_phys)
{
	struct lazy_cma_allocation_data d;
	int r;

	r = lcma_name_check(name);
	if (r < 0)
		return r;

	memset(&d, 0, sizeof(d));
	d.len = len;
	d.node = node;
	d.flags = flags;
	if (name)
		memcpy(d.name, name, strlen(name));	/* checked: fits, NUL stays */

	r = h->ioctl(h, LAZY_CMA_IOCTL_ALLOC, &d);
	if (r < 0)
		return r;

	*ret_phys = d.phys_addr;
	return 0;
}

int lcma_resize(struct lcma *h, uint64_t *phys, uint64_t *len)
{
	struct lazy_cma_resize_data d;
	int r;

	memset(&d, 0, sizeof(d));
	d.phys_addr = *phys;
	d.len = *len;

	r = h->ioctl(h, LAZY_CMA_IOCTL_RESIZE, &d);
	if (r < 0)
		return r;

	*phys = d.phys_addr;
	*len = d.len;
	return 0;
}

int lcma_free(struct lcma *h, uint64_t phys)
{
	__u64 arg = phys;

	return h->ioctl(h, LAZY_CMA_IOCTL_FREE, &arg);
}

int lcma_list(struct lcma *h, struct lazy_cma_range **ret, size_t *ret_count)
{
	struct lazy_cma_range *a = NULL;
	size_t room = 16;
	unsigned int tries;
	int r;

	for (tries = 0; tries < LCMA_LIST_MAX_TRIES; tries++) {
		struct lazy_cma_list l;
		size_t i;

		free(a);
		a = calloc(room, sizeof(*a));
		if (!a)
			return -ENOMEM;

		memset(&l, 0, sizeof(l));
		l.entry_size = sizeof(*a);
		l.count = (__u32)room;
		l.entries = (__u64)(uintptr_t)a;

		r = h->ioctl(h, LAZY_CMA_IOCTL_LIST, &l);
		if (r < 0)
			goto fail;

		if (l.count > LCMA_LIST_MAX_COUNT) {
			r = -EOVERFLOW;
			goto fail;
		}
		if (l.count > room) {
			/* Buffers appeared: leave room for a few more. */
			room = (size_t)l.count + l.count / 4 + 4;
			if (room > LCMA_LIST_MAX_COUNT)
				room = LCMA_LIST_MAX_COUNT;
			continue;
		}

		for (i = 0; i < l.count; i++)
			a[i].name[LAZY_CMA_NAME_MAX - 1] = '\0';
		if (l.count == 0) {
			free(a);
			a = NULL;
		}
		*ret = a;
		*ret_count = l.count;
		return 0;
	}
	r = -EAGAIN;
fail:
	free(a);
	return r;
}

int lcma_crash_bind(struct lcma *h, uint64_t phys, uint64_t res_addr,
		    uint32_t flags)
{
	struct lazy_cma_crash_bind d;

	memset(&d, 0, sizeof(d));
	d.phys_addr = phys;
	d.res_addr = res_addr;
	d.flags = flags;
	return h->ioctl(h, LAZY_CMA_IOCTL_CRASH_BIND, &d);
}

int lcma_kexec_lock(struct lcma *h, uint64_t addr)
{
	struct lazy_cma_kexec_lock d;

	memset(&d, 0, sizeof(d));
	d.addr = addr;
	return h->ioctl(h, LAZY_CMA_IOCTL_KEXEC_LOCK, &d);
}

int lcma_crash_unbind(struct lcma *h, uint64_t phys)
{
	struct lazy_cma_crash_unbind d;

	memset(&d, 0, sizeof(d));
	d.phys_addr = phys;
	return h->ioctl(h, LAZY_CMA_IOCTL_CRASH_UNBIND, &d);
}

int lcma_alloc_report(struct lcma *h, struct lazy_cma_alloc_report *ret)
{
	struct lazy_cma_alloc_report d;
	int r;

	memset(&d, 0, sizeof(d));
	r = h->ioctl(h, LAZY_CMA_IOCTL_ALLOC_REPORT, &d);
	if (r == 0)
		*ret = d;
	return r;
}

#define HINT_NOT_LOADED "lazy_cma.ko is not loaded: run 'modprobe lazy_cma'."
#define HINT_ROOT "This needs root (CAP_SYS_ADMIN)."
#define HINT_NO_BUFFER "No buffer starts at that address; see 'lazy-cma list'."
#define HINT_SIGNAL "A fatal signal interrupted the page migration; try again."
#define HINT_WAIT_SIGNAL "A fatal signal arrived while waiting for another lazy_cma operation to finish; try again."
#define HINT_KEXEC_BUSY "a kexec load or unload (or a write to /sys/kernel/kexec_crash_size) is in progress: try again when it has finished"

const char *lcma_error_hint(enum lcma_op op, int err)
{
	if (err < 0)
		err = -err;

	if (op == LCMA_OP_OPEN) {
		switch (err) {
		case ENOENT:
		case ENXIO:
		case ENODEV:
			return HINT_NOT_LOADED;
		case EACCES:
		case EPERM:
			return HINT_ROOT;
		default:
			return NULL;
		}
	}

	/* The general rules of the ABI, common to every ioctl. */
	switch (err) {
	case EPERM:
	case EACCES:
		return HINT_ROOT;
	case ENOTTY:
		return "The device does not understand this request: it is not the lazy_cma device, or its lazy_cma.ko is older than this tool (load the matching module).";
	case EFAULT:
		return "The module could not access the request: this is a bug, please report it.";
	default:
		break;
	}

	switch (op) {
	case LCMA_OP_ALLOC:
		switch (err) {
		case EINVAL:
			return "The size is 0 or larger than all memory of the eligible zones, or the module rejected the flags, node or name.";
		case ENODEV:
			return "The NUMA node is not online or has no memory; see /sys/devices/system/node/.";
		case ENOMEM:
			return "No free physically contiguous window that large was found (memory too full or fragmented): free memory, compact it with 'echo 1 > /proc/sys/vm/compact_memory', or ask for less.";
		case EINTR:
			return HINT_SIGNAL;
		}
		break;
	case LCMA_OP_RESIZE:
		switch (err) {
		case EINVAL:
			return "The new size is 0 or larger than all memory of the eligible zones.";
		case ENOENT:
			return HINT_NO_BUFFER;
		case EBUSY:
			return "A crash kernel is loaded into the buffer (unload it with 'kexec -p -u'), or " HINT_KEXEC_BUSY ", or the buffer is mapped and would have to move or shrink, or another operation on it is in progress.";
		case ENOMEM:
			return "The buffer cannot grow in place and no free window of the new size was found: free memory, compact it with 'echo 1 > /proc/sys/vm/compact_memory', or ask for less.";
		case EINTR:
			return HINT_SIGNAL;
		}
		break;
	case LCMA_OP_FREE:
		switch (err) {
		case ENOENT:
			return HINT_NO_BUFFER;
		case EBUSY:
			return "The buffer is bound as the crash-kernel region (unbind it first with 'lazy-cma unbind'), is mapped, or is being resized.";
		case EINTR:
			return HINT_WAIT_SIGNAL;
		}
		break;
	case LCMA_OP_LIST:
		switch (err) {
		case EINVAL:
			return "The module rejected the request: it does not match this tool; load the matching lazy_cma.ko.";
		}
		break;
	case LCMA_OP_CRASH_BIND:
		switch (err) {
		case EINVAL:
			return "The module rejected the crash resource address (not crashk_res/crashk_low_res as /proc/kallsyms shows it, or that resource is not the kernel's untouched one), or a low binding was asked for a buffer that does not lie below 4 GiB.";
		case ENOENT:
			return HINT_NO_BUFFER;
		case EEXIST:
			return "The kernel already has a crash-kernel region of that kind (booted with crashkernel=, or another buffer is bound); see /proc/iomem and 'lazy-cma list'.";
		case EBUSY:
			return "The buffer is already bound, is mapped, or is being resized; or a crash kernel is already loaded (unload it with 'kexec -p -u'); or " HINT_KEXEC_BUSY ".";
		case ENOLCK:
			return "The module does not know where the kernel's kexec lock is: give it with LAZY_CMA_IOCTL_KEXEC_LOCK first (lazy-cma bind and lazy-kdump do).";
		case EOPNOTSUPP:
			return "This kernel lacks what binding needs (kexec support, or kprobes on crash_shrink_memory()).";
		case EINTR:
			return HINT_WAIT_SIGNAL;
		}
		break;
	case LCMA_OP_CRASH_UNBIND:
		switch (err) {
		case EINVAL:
			return "The buffer is not bound as a crash-kernel region; see 'lazy-cma list'.";
		case ENOENT:
			return HINT_NO_BUFFER;
		case EBUSY:
			return "A crash kernel is loaded (unload it first with 'kexec -p -u'), or " HINT_KEXEC_BUSY ", or the buffer is being resized.";
		case EINTR:
			return HINT_WAIT_SIGNAL;
		}
		break;
	case LCMA_OP_KEXEC_LOCK:
		switch (err) {
		case EINVAL:
			return "The module rejected the address of __kexec_lock: it is not that symbol as /proc/kallsyms shows it (a kernel whose kexec lock is not __kexec_lock is not supported).";
		}
		break;
	case LCMA_OP_OPEN:
		break;
	}
	return NULL;
}

const char *lcma_zone_name(uint32_t zone)
{
	switch (zone) {
	case LAZY_CMA_ZONE_DMA:
		return "DMA";
	case LAZY_CMA_ZONE_DMA32:
		return "DMA32";
	case LAZY_CMA_ZONE_NORMAL:
		return "Normal";
	case LAZY_CMA_ZONE_MOVABLE:
		return "Movable";
	default:
		return "other";
	}
}

int lcma_range_flags_format(uint32_t flags, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ LAZY_CMA_RANGE_CRASH, "crash" },
		{ LAZY_CMA_RANGE_CRASH_LOW, "crash-low" },
		{ LAZY_CMA_RANGE_CRASH_LOADED, "loaded" },
		{ LAZY_CMA_RANGE_MAPPED, "mapped" },
	};
	uint32_t known = 0;
	size_t len = 0, i;
	int n;

	if (size > 0)
		buf[0] = '\0';

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		known |= names[i].bit;
		if (!(flags & names[i].bit))
			continue;
		n = snprintf(len < size ? buf + len : NULL,
			     len < size ? size - len : 0, "%s%s",
			     len ? "," : "", names[i].name);
		if (n < 0)
			return n;
		len += (size_t)n;
	}
	if (flags & ~known) {
		n = snprintf(len < size ? buf + len : NULL,
			     len < size ? size - len : 0, "%s0x%x",
			     len ? "," : "", (unsigned int)(flags & ~known));
		if (n < 0)
			return n;
		len += (size_t)n;
	}
	if (len == 0) {
		n = snprintf(buf, size, "-");
		if (n < 0)
			return n;
		len = (size_t)n;
	}
	return (int)len;
}
