// SPDX-License-Identifier: GPL-2.0
/*
 * fake-lazy-cma.so - an LD_PRELOAD stand-in for /dev/lazy_cma, so that the
 * lazy-cma command can be tested on the host end to end.
 *
 * ioctl(2) on a descriptor of the file named by $FAKE_LAZY_CMA is answered
 * here, as lazy_cma.h documents the module's behaviour; the file holds the
 * fake's buffers (an array of struct lazy_cma_range), so state survives
 * from one command to the next. Every other ioctl goes to the real one.
 *
 * Memory of the fake machine: node 0 has DMA32 [1 GiB, 4 GiB) and Normal
 * [4 GiB, 8 GiB); node 1 has Normal [8 GiB, 12 GiB). Without placement
 * flags Normal is tried first, as the module does.
 *
 * Environment:
 *   FAKE_LAZY_CMA            the state file (the fake device)
 *   FAKE_LAZY_CMA_CRASHK_RES, FAKE_LAZY_CMA_CRASHK_LOW_RES
 *                            the only res_addr values CRASH_BIND accepts
 *   FAKE_LAZY_CMA_KEXEC_LOCK the only address KEXEC_LOCK accepts (when
 *                            set); CRASH_BIND fails with ENOLCK until the
 *                            command has given it
 *   FAKE_LAZY_CMA_FAIL=CMD:ERRNO
 *                            make command CMD (ALLOC, RESIZE, FREE, LIST,
 *                            CRASH_BIND, CRASH_UNBIND, KEXEC_LOCK,
 *                            ALLOC_REPORT) fail with ERRNO
 *   FAKE_LAZY_CMA_LARGEST    the largest window (bytes) ALLOC_REPORT gives
 *                            after an ALLOC or RESIZE forced to fail with
 *                            ENOMEM (default 0); after a real ENOMEM it is
 *                            the largest free gap of the eligible windows
 *
 * This models the documented errors, not the kernel: it is a test tool
 * for userspace only.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lazy_cma.h"

#define MAX_BUFS	4096
#define PAGE		4096ULL
#define PAGEBLOCK	(2ULL << 20)
#define GiB		(1ULL << 30)

struct window {
	uint64_t start, end;
	int node;
	uint32_t zone;
};

static const struct window windows[] = {
	{ 4 * GiB, 8 * GiB, 0, LAZY_CMA_ZONE_NORMAL },
	{ 8 * GiB, 12 * GiB, 1, LAZY_CMA_ZONE_NORMAL },
	{ 1 * GiB, 4 * GiB, 0, LAZY_CMA_ZONE_DMA32 },
};

static struct lazy_cma_range bufs[MAX_BUFS];
static unsigned int nbufs;
/*
 * The module keeps the kexec lock's address for its lifetime; this fake
 * lives one process (one command), which gives it before every bind.
 */
static bool kexec_lock_given;
/* ALLOC_REPORT: like the module's, one per open file (here: process). */
static struct lazy_cma_alloc_report report;
static bool have_report;

static int load(int fd)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size % sizeof(bufs[0]) ||
	    (size_t)st.st_size > sizeof(bufs))
		return -EIO;
	n = pread(fd, bufs, (size_t)st.st_size, 0);
	if (n != st.st_size)
		return -EIO;
	nbufs = (unsigned int)(n / (ssize_t)sizeof(bufs[0]));
	return 0;
}

static int save(int fd)
{
	size_t size = nbufs * sizeof(bufs[0]);

	if (ftruncate(fd, 0) < 0 ||
	    pwrite(fd, bufs, size, 0) != (ssize_t)size)
		return -EIO;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct lazy_cma_range *x = a, *y = b;

	return x->phys_addr < y->phys_addr ? -1 : x->phys_addr > y->phys_addr;
}

static struct lazy_cma_range *find(uint64_t phys)
{
	unsigned int i;

	for (i = 0; i < nbufs; i++)
		if (bufs[i].phys_addr == phys)
			return &bufs[i];
	return NULL;
}

static bool busy(uint64_t start, uint64_t len,
		 const struct lazy_cma_range *except)
{
	unsigned int i;

	for (i = 0; i < nbufs; i++) {
		const struct lazy_cma_range *b = &bufs[i];

		if (b != except && start < b->phys_addr + b->len &&
		    b->phys_addr < start + len)
			return true;
	}
	return false;
}

/* The lowest free pageblock-aligned window of @len in @w. */
static bool place(const struct window *w, uint64_t len,
		  const struct lazy_cma_range *except, uint64_t *ret)
{
	uint64_t s;

	for (s = w->start; s + len <= w->end; s += PAGEBLOCK) {
		if (!busy(s, len, except)) {
			*ret = s;
			return true;
		}
	}
	return false;
}

static bool eligible(const struct window *w, int node, uint32_t flags)
{
	if (node >= 0 && w->node != node)
		return false;
	if ((flags & LAZY_CMA_ALLOC_BELOW_4G) && w->end > 4 * GiB)
		return false;
	if ((flags & LAZY_CMA_ALLOC_ABOVE_4G) && w->start < 4 * GiB)
		return false;
	return true;
}

/*
 * The largest free pageblock-aligned gap of the windows @node and @flags
 * allow, @except not counted as busy.
 */
static uint64_t largest_gap(int node, uint32_t flags,
			    const struct lazy_cma_range *except)
{
	uint64_t best = 0, s, e;
	size_t i;

	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		if (!eligible(&windows[i], node, flags))
			continue;
		for (s = windows[i].start; s < windows[i].end; s = e + PAGEBLOCK) {
			while (s < windows[i].end && busy(s, PAGEBLOCK, except))
				s += PAGEBLOCK;
			for (e = s; e < windows[i].end && !busy(e, PAGEBLOCK, except);)
				e += PAGEBLOCK;
			if (e - s > best)
				best = e - s;
		}
	}
	return best;
}

static void set_report(uint32_t op, int err, uint64_t len, uint64_t largest)
{
	memset(&report, 0, sizeof(report));
	report.op = op;
	report.error = err;
	report.attempts = err ? 2 : 1;
	report.windows = 1;
	report.len = (len + PAGE - 1) & ~(PAGE - 1);
	report.largest = largest;
	report.ns = 1500000;
	have_report = true;
}

static int do_alloc(struct lazy_cma_allocation_data *d)
{
	struct lazy_cma_range *b;
	uint64_t len, start;
	size_t i, nlen;

	if (!d->len || (d->flags & ~LAZY_CMA_ALLOC_VALID_FLAGS) ||
	    (d->flags & LAZY_CMA_ALLOC_VALID_FLAGS) ==
		    LAZY_CMA_ALLOC_VALID_FLAGS || d->node < -1)
		return -EINVAL;
	nlen = strnlen(d->name, sizeof(d->name));
	if (nlen == sizeof(d->name))
		return -EINVAL;
	for (i = 0; i < nlen; i++)
		if (d->name[i] < 0x20 || d->name[i] > 0x7e)
			return -EINVAL;
	if (d->node > 1)
		return -ENODEV;
	if (d->len > 16 * GiB)
		return -EINVAL;
	if (nbufs == MAX_BUFS)
		return -ENOMEM;

	len = (d->len + PAGE - 1) & ~(PAGE - 1);
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		if (!eligible(&windows[i], d->node, d->flags) ||
		    !place(&windows[i], len, NULL, &start))
			continue;
		b = &bufs[nbufs++];
		memset(b, 0, sizeof(*b));
		b->phys_addr = start;
		b->len = len;
		b->node = windows[i].node;
		b->zone = windows[i].zone;
		b->alloc_ns = 1500000;
		b->alloc_attempts = 1;
		/* Remember the placement flags for resize. */
		b->reserved = d->flags;
		memcpy(b->name, nlen ? d->name : LAZY_CMA_DEFAULT_NAME,
		       nlen ? nlen : sizeof(LAZY_CMA_DEFAULT_NAME));
		qsort(bufs, nbufs, sizeof(bufs[0]), by_addr);
		d->phys_addr = start;
		set_report(LAZY_CMA_REPORT_ALLOC, 0, len, len);
		return 0;
	}
	set_report(LAZY_CMA_REPORT_ALLOC, -ENOMEM, len,
		   largest_gap(d->node, d->flags, NULL));
	return -ENOMEM;
}

static int do_resize(struct lazy_cma_resize_data *d)
{
	struct lazy_cma_range *b = find(d->phys_addr);
	uint64_t len, start;
	size_t i;

	if (!d->len || d->len > 16 * GiB)
		return -EINVAL;
	if (!b)
		return -ENOENT;
	if (b->flags & LAZY_CMA_RANGE_CRASH_LOADED)
		return -EBUSY;
	len = (d->len + PAGE - 1) & ~(PAGE - 1);
	start = b->phys_addr;
	if (busy(start, len, b)) {
		for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++)
			if (eligible(&windows[i], b->node, b->reserved) &&
			    place(&windows[i], len, b, &start))
				break;
		if (i == sizeof(windows) / sizeof(windows[0])) {
			set_report(LAZY_CMA_REPORT_RESIZE, -ENOMEM, len,
				   largest_gap(b->node, b->reserved, b));
			return -ENOMEM;
		}
	}
	set_report(LAZY_CMA_REPORT_RESIZE, 0, len, 0);
	b->phys_addr = start;
	b->len = len;
	b->alloc_attempts++;
	qsort(bufs, nbufs, sizeof(bufs[0]), by_addr);
	d->phys_addr = start;
	d->len = len;
	return 0;
}

static int do_free(const __u64 *phys)
{
	struct lazy_cma_range *b = find(*phys);

	if (!b)
		return -ENOENT;
	if (b->flags & (LAZY_CMA_RANGE_CRASH | LAZY_CMA_RANGE_CRASH_LOW |
			LAZY_CMA_RANGE_MAPPED))
		return -EBUSY;
	*b = bufs[--nbufs];
	qsort(bufs, nbufs, sizeof(bufs[0]), by_addr);
	return 0;
}

static int do_list(struct lazy_cma_list *l)
{
	unsigned char *out = (unsigned char *)(uintptr_t)l->entries;
	unsigned int i;

	if (l->flags || l->reserved || l->entry_size < LAZY_CMA_RANGE_SIZE_V1 ||
	    l->entry_size > 4096 || l->count > 65536)
		return -EINVAL;
	for (i = 0; i < nbufs && i < l->count; i++) {
		struct lazy_cma_range e = bufs[i];

		e.reserved = 0;
		memset(out + (size_t)i * l->entry_size, 0, l->entry_size);
		memcpy(out + (size_t)i * l->entry_size, &e, sizeof(e));
	}
	l->count = nbufs;
	return 0;
}

static uint64_t env_addr(const char *name)
{
	const char *s = getenv(name);

	return s ? strtoull(s, NULL, 0) : 0;
}

static int do_bind(const struct lazy_cma_crash_bind *d)
{
	bool low = d->flags & LAZY_CMA_CRASH_LOW;
	uint32_t kind = low ? LAZY_CMA_RANGE_CRASH_LOW : LAZY_CMA_RANGE_CRASH;
	uint64_t want = env_addr(low ? "FAKE_LAZY_CMA_CRASHK_LOW_RES" :
				       "FAKE_LAZY_CMA_CRASHK_RES");
	struct lazy_cma_range *b;
	unsigned int i;

	if ((d->flags & ~LAZY_CMA_CRASH_VALID_FLAGS) || d->reserved)
		return -EINVAL;
	if (!kexec_lock_given)
		return -ENOLCK;
	b = find(d->phys_addr);
	if (!b)
		return -ENOENT;
	if (!want || d->res_addr != want)
		return -EINVAL;
	if (low && b->phys_addr + b->len > 4 * GiB)
		return -EINVAL;
	for (i = 0; i < nbufs; i++)
		if (bufs[i].flags & kind)
			return -EEXIST;
	if (b->flags & (LAZY_CMA_RANGE_CRASH | LAZY_CMA_RANGE_CRASH_LOW |
			LAZY_CMA_RANGE_MAPPED))
		return -EBUSY;
	b->flags |= kind;
	return 0;
}

static int do_unbind(const struct lazy_cma_crash_unbind *d)
{
	struct lazy_cma_range *b;

	if (d->flags || d->reserved)
		return -EINVAL;
	b = find(d->phys_addr);
	if (!b)
		return -ENOENT;
	if (!(b->flags & (LAZY_CMA_RANGE_CRASH | LAZY_CMA_RANGE_CRASH_LOW)))
		return -EINVAL;
	if (b->flags & LAZY_CMA_RANGE_CRASH_LOADED)
		return -EBUSY;
	b->flags &= ~(LAZY_CMA_RANGE_CRASH | LAZY_CMA_RANGE_CRASH_LOW);
	return 0;
}

static int do_kexec_lock(const struct lazy_cma_kexec_lock *k)
{
	const char *want = getenv("FAKE_LAZY_CMA_KEXEC_LOCK");

	if (k->flags || k->reserved)
		return -EINVAL;
	if (want && *want && strtoull(want, NULL, 0) != k->addr)
		return -EINVAL;
	kexec_lock_given = true;
	return 0;
}

static int do_alloc_report(struct lazy_cma_alloc_report *r)
{
	if (r->flags)
		return -EINVAL;
	if (!have_report)
		return -ENODATA;
	*r = report;
	return 0;
}

static const struct {
	const char *name;
	unsigned long cmd;
} cmds[] = {
	{ "ALLOC", LAZY_CMA_IOCTL_ALLOC },
	{ "RESIZE", LAZY_CMA_IOCTL_RESIZE },
	{ "FREE", LAZY_CMA_IOCTL_FREE },
	{ "LIST", LAZY_CMA_IOCTL_LIST },
	{ "CRASH_BIND", LAZY_CMA_IOCTL_CRASH_BIND },
	{ "CRASH_UNBIND", LAZY_CMA_IOCTL_CRASH_UNBIND },
	{ "KEXEC_LOCK", LAZY_CMA_IOCTL_KEXEC_LOCK },
	{ "ALLOC_REPORT", LAZY_CMA_IOCTL_ALLOC_REPORT },
};

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EPERM", EPERM }, { "EACCES", EACCES }, { "ENOENT", ENOENT },
	{ "EINTR", EINTR }, { "ENOMEM", ENOMEM }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV },
	{ "EINVAL", EINVAL }, { "ENOTTY", ENOTTY },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ENOLCK", ENOLCK },
	{ "ENODATA", ENODATA },
};

/* The -errno $FAKE_LAZY_CMA_FAIL asks for @cmd, or 0. */
static int forced_failure(unsigned long cmd)
{
	const char *s = getenv("FAKE_LAZY_CMA_FAIL"), *colon;
	size_t i, j;

	if (!s || !(colon = strchr(s, ':')))
		return 0;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (cmds[i].cmd != cmd ||
		    strlen(cmds[i].name) != (size_t)(colon - s) ||
		    strncmp(cmds[i].name, s, (size_t)(colon - s)) != 0)
			continue;
		for (j = 0; j < sizeof(errnos) / sizeof(errnos[0]); j++)
			if (!strcmp(errnos[j].name, colon + 1))
				return -errnos[j].value;
	}
	return 0;
}

static int fake(int fd, unsigned long cmd, void *arg)
{
	int r;

	r = forced_failure(cmd);
	if ((r == -ENOMEM || r == -EINTR) && (cmd == LAZY_CMA_IOCTL_ALLOC ||
					      cmd == LAZY_CMA_IOCTL_RESIZE)) {
		const char *l = getenv("FAKE_LAZY_CMA_LARGEST");

		if (cmd == LAZY_CMA_IOCTL_ALLOC)
			set_report(LAZY_CMA_REPORT_ALLOC, r,
				   ((struct lazy_cma_allocation_data *)arg)->len,
				   l ? strtoull(l, NULL, 0) : 0);
		else
			set_report(LAZY_CMA_REPORT_RESIZE, r,
				   ((struct lazy_cma_resize_data *)arg)->len,
				   l ? strtoull(l, NULL, 0) : 0);
	}
	if (r)
		return r;
	r = load(fd);
	if (r)
		return r;

	switch (cmd) {
	case LAZY_CMA_IOCTL_ALLOC:
		r = do_alloc(arg);
		break;
	case LAZY_CMA_IOCTL_RESIZE:
		r = do_resize(arg);
		break;
	case LAZY_CMA_IOCTL_FREE:
		r = do_free(arg);
		break;
	case LAZY_CMA_IOCTL_LIST:
		return do_list(arg);
	case LAZY_CMA_IOCTL_CRASH_BIND:
		r = do_bind(arg);
		break;
	case LAZY_CMA_IOCTL_CRASH_UNBIND:
		r = do_unbind(arg);
		break;
	case LAZY_CMA_IOCTL_KEXEC_LOCK:
		return do_kexec_lock(arg);
	case LAZY_CMA_IOCTL_ALLOC_REPORT:
		return do_alloc_report(arg);
	default:
		return -ENOTTY;
	}
	return r ? r : save(fd);
}

static bool is_fake(int fd)
{
	const char *path = getenv("FAKE_LAZY_CMA");
	struct stat a, b;

	return path && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!is_fake(fd)) {
		if (!real_ioctl)
			*(void **)&real_ioctl = dlsym(RTLD_NEXT, "ioctl");
		if (!real_ioctl) {
			errno = ENOSYS;
			return -1;
		}
		return real_ioctl(fd, request, arg);
	}
	r = fake(fd, request, arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}
