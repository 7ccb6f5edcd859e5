// SPDX-License-Identifier: GPL-2.0
/*
 * load / unload / resize / reload against a simulated kernel, with a failure
 * injected at every step: afterwards nothing may stay reserved, bound or
 * loaded unless the outcome lists it as a leftover.
 */
#include <errno.h>
#include <stdlib.h>

#include "arm.h"
#include "tap.h"

#define CRASHK		0xffffffff83000000ULL
#define CRASHK_LOW	0xffffffff83000100ULL
#define KLOCK		0xffffffff83100080ULL
#define MAXB		8

struct sbuf {
	bool used;
	uint64_t addr, len;
	char name[LAZY_CMA_NAME_MAX];
	bool bound, bound_low;
};

struct fault {
	const char *op;		/* NULL: by call index */
	unsigned int nth;	/* the nth call of @op (1-based) */
	int err;
};

struct sim {
	struct sbuf b[MAXB];
	bool module, loaded, verify_lies, high_none, resize_moves,
	     resize_fails, kexec_lock;
	uint64_t low_max;	/* largest window below 4 GiB; 0: any */
	uint64_t resize_largest;	/* the window resize_fails reports */
	/* LAZY_CMA_IOCTL_ALLOC_REPORT: set by the last -ENOMEM; 0: none */
	uint64_t report_largest;
	uint64_t boot_time, min_load, next_low, next_high;
	unsigned int calls, fail_at;
	int fail_err;
	struct fault f[2];
	unsigned int seen[2];
	char log[2048];
	const char *bad_kernel;	/* kexec_load of it: -ENOEXEC */
	char kernel[64];	/* the kernel loaded */
};

static void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	s->next_low = 0x40000000;
	s->next_high = 0x100000000ULL;
}

/* Count the call; return the injected error, if any. */
static int hit(struct sim *s, const char *op)
{
	unsigned int i;

	s->calls++;
	if (strlen(s->log) + strlen(op) + 2 < sizeof(s->log)) {
		strcat(s->log, op);
		strcat(s->log, " ");
	}
	if (s->fail_at && s->calls == s->fail_at)
		return s->fail_err;
	for (i = 0; i < 2; i++)
		if (s->f[i].op && strcmp(s->f[i].op, op) == 0 &&
		    ++s->seen[i] == s->f[i].nth)
			return s->f[i].err;
	return 0;
}

static struct sbuf *find(struct sim *s, uint64_t a)
{
	int i;

	for (i = 0; i < MAXB; i++)
		if (s->b[i].used && s->b[i].addr == a)
			return &s->b[i];
	return NULL;
}

static struct sbuf *bound_main(struct sim *s)
{
	int i;

	for (i = 0; i < MAXB; i++)
		if (s->b[i].used && s->b[i].bound)
			return &s->b[i];
	return NULL;
}

static struct sbuf *bound_low(struct sim *s)
{
	int i;

	for (i = 0; i < MAXB; i++)
		if (s->b[i].used && s->b[i].bound_low)
			return &s->b[i];
	return NULL;
}

static bool low_bound(struct sim *s)
{
	int i;

	for (i = 0; i < MAXB; i++)
		if (s->b[i].used && s->b[i].bound_low)
			return true;
	return false;
}

static unsigned int nbufs(struct sim *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAXB; i++)
		n += s->b[i].used;
	return n;
}

static int s_crash_loaded(void *u, bool *ret)
{
	struct sim *s = u;
	int r = hit(s, "crash_loaded");

	if (r)
		return r;
	*ret = s->loaded && !s->verify_lies;
	return 0;
}

static int s_crash_size(void *u, uint64_t *ret)
{
	struct sim *s = u;
	struct sbuf *m = bound_main(s);
	int r = hit(s, "crash_size");

	if (r)
		return r;
	*ret = s->boot_time ? s->boot_time : m ? m->len : 0;
	return 0;
}

static int s_device_open(void *u, bool load)
{
	struct sim *s = u;
	int r = hit(s, load ? "device_open_load" : "device_open");

	if (r)
		return r;
	if (!s->module && !load)
		return -ENOENT;
	s->module = true;
	return 0;
}

static int s_symbol(void *u, const char *name, uint64_t *ret)
{
	struct sim *s = u;
	int r = hit(s, "symbol");

	if (r)
		return r;
	if (strcmp(name, ARM_SYM_KEXEC_LOCK) == 0)
		*ret = KLOCK;
	else
		*ret = strcmp(name, ARM_SYM_CRASHK) == 0 ? CRASHK : CRASHK_LOW;
	return 0;
}

static int s_alloc(void *u, uint64_t len, int node, uint32_t flags,
		   const char *name, uint64_t *ret)
{
	struct sim *s = u;
	int r = hit(s, "alloc"), i;

	(void)node;
	if (r)
		return r;
	if ((flags & LAZY_CMA_ALLOC_BELOW_4G) && s->low_max && len > s->low_max) {
		s->report_largest = s->low_max;
		return -ENOMEM;
	}
	if ((flags & LAZY_CMA_ALLOC_ABOVE_4G) && s->high_none)
		return -EINVAL;
	for (i = 0; i < MAXB && s->b[i].used; i++)
		;
	if (i == MAXB)
		return -ENOMEM;
	s->b[i].used = true;
	s->b[i].len = len;
	s->b[i].bound = s->b[i].bound_low = false;
	snprintf(s->b[i].name, sizeof(s->b[i].name), "%s", name);
	if (flags & LAZY_CMA_ALLOC_ABOVE_4G) {
		s->b[i].addr = s->next_high;
		s->next_high += 1ULL << 30;
	} else {
		s->b[i].addr = s->next_low;
		s->next_low += 512ULL << 20;
	}
	*ret = s->b[i].addr;
	return 0;
}

static int s_resize(void *u, uint64_t *phys, uint64_t *len)
{
	struct sim *s = u;
	struct sbuf *b = find(s, *phys);
	int r = hit(s, "resize");

	if (r)
		return r;
	if (!b)
		return -ENOENT;
	if (s->loaded && (b->bound || b->bound_low))
		return -EBUSY;
	if (s->resize_fails && *len > b->len) {
		s->report_largest = s->resize_largest;
		return -ENOMEM;
	}
	if (s->resize_moves && *len > b->len) {
		b->addr = s->next_high;
		s->next_high += 1ULL << 30;
	}
	b->len = *len;
	*phys = b->addr;
	return 0;
}

static int s_free(void *u, uint64_t phys)
{
	struct sim *s = u;
	struct sbuf *b = find(s, phys);
	int r = hit(s, "free");

	if (r)
		return r;
	if (!b)
		return -ENOENT;
	if (b->bound || b->bound_low)
		return -EBUSY;
	b->used = false;
	return 0;
}

static int s_bind(void *u, uint64_t phys, uint64_t res, uint32_t flags)
{
	struct sim *s = u;
	struct sbuf *b = find(s, phys);
	bool low = flags & LAZY_CMA_CRASH_LOW;
	int r = hit(s, "bind");

	if (r)
		return r;
	if (!b)
		return -ENOENT;
	if (res != (low ? CRASHK_LOW : CRASHK))
		return -EINVAL;
	/* The module binds only once it knows the kexec lock. */
	if (!s->kexec_lock)
		return -ENOLCK;
	if (s->boot_time || (low ? low_bound(s) : bound_main(s) != NULL))
		return -EEXIST;
	if (b->bound || b->bound_low)
		return -EBUSY;
	if (low && b->addr >= 1ULL << 32)
		return -EINVAL;
	if (low)
		b->bound_low = true;
	else
		b->bound = true;
	return 0;
}

static int s_unbind(void *u, uint64_t phys)
{
	struct sim *s = u;
	struct sbuf *b = find(s, phys);
	int r = hit(s, "unbind");

	if (r)
		return r;
	if (!b)
		return -ENOENT;
	if (!b->bound && !b->bound_low)
		return -EINVAL;
	if (s->loaded)
		return -EBUSY;
	b->bound = b->bound_low = false;
	return 0;
}

static int s_list(void *u, struct lazy_cma_range **ret, size_t *n)
{
	struct sim *s = u;
	struct lazy_cma_range *a;
	int r = hit(s, "list"), i;
	size_t k = 0;

	if (r)
		return r;
	a = calloc(MAXB, sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (i = 0; i < MAXB; i++) {
		if (!s->b[i].used)
			continue;
		a[k].phys_addr = s->b[i].addr;
		a[k].len = s->b[i].len;
		snprintf(a[k].name, sizeof(a[k].name), "%s", s->b[i].name);
		a[k].flags = (s->b[i].bound ? LAZY_CMA_RANGE_CRASH : 0) |
			     (s->b[i].bound_low ? LAZY_CMA_RANGE_CRASH_LOW : 0) |
			     (s->b[i].bound && s->loaded ? LAZY_CMA_RANGE_CRASH_LOADED : 0);
		k++;
	}
	*ret = a;
	*n = k;
	return 0;
}

static int s_kexec_load(void *u, const char *k, const char *i, const char *c)
{
	struct sim *s = u;
	struct sbuf *m = bound_main(s);
	uint64_t size = s->boot_time ? s->boot_time : m ? m->len : 0;
	int r = hit(s, "kexec_load");

	(void)i;
	(void)c;
	if (r)
		return r;
	if (size == 0 || size < s->min_load)
		return -EADDRNOTAVAIL;
	if (s->bad_kernel && strcmp(k, s->bad_kernel) == 0)
		return -ENOEXEC;
	s->loaded = true;
	snprintf(s->kernel, sizeof(s->kernel), "%s", k);
	return 0;
}

static int s_kexec_unload(void *u)
{
	struct sim *s = u;
	int r = hit(s, "kexec_unload");

	if (r)
		return r;
	s->loaded = false;
	return 0;
}

static int s_kexec_lock(void *u, uint64_t addr)
{
	struct sim *s = u;
	int r = hit(s, "kexec_lock");

	if (r)
		return r;
	if (addr != KLOCK)
		return -EINVAL;
	s->kexec_lock = true;
	return 0;
}

/* Not counted by hit(): it only reads, and never fails a step. */
static int s_largest_window(void *u, uint64_t *ret)
{
	struct sim *s = u;

	if (!s->report_largest)
		return -ENODATA;
	*ret = s->report_largest;
	return 0;
}

static const struct arm_ops ops = {
	s_crash_loaded, s_crash_size, s_device_open, s_symbol, s_alloc,
	s_resize, s_free, s_bind, s_unbind, s_list, s_kexec_load,
	s_kexec_unload, s_kexec_lock, s_largest_window,
};

static const struct arm_request rq_low = {
	"/boot/vmlinuz", "/initrd.img", "root=/dev/vda nr_cpus=1",
	96ULL << 20, 256ULL << 20, -1, false, false, 0, 0
};

static bool clean(struct sim *s)
{
	return nbufs(s) == 0 && !bound_main(s) && !low_bound(s) && !s->loaded;
}

static void to_state(const struct arm_outcome *o, struct lk_state *st)
{
	state_init(st);
	st->armed = o->loaded;
	st->boot_time = o->boot_time;
	st->kernel = (char *)"/boot/vmlinuz";
	st->initrd = (char *)"/initrd.img";
	st->cmdline = (char *)"root=/dev/vda";
	st->main_addr = o->main_addr;
	st->main_len = o->main_len;
	st->low_addr = o->low_addr;
	st->low_len = o->low_len;
	st->high = o->high;
	st->split = o->split;
}

/* Fail every call of a successful load in turn. */
static void sweep(const char *what, const struct arm_request *rq,
		  uint64_t low_max)
{
	struct arm_outcome out;
	unsigned int n, k, bad = 0;
	struct sim s;
	int r;

	sim_init(&s);
	s.low_max = low_max;
	r = arm_load(&ops, &s, rq, &out);
	ok(r == 0 && out.loaded && s.loaded, "%s: loads (%s)", what, s.log);
	n = s.calls;
	for (k = 1; k <= n; k++) {
		sim_init(&s);
		s.low_max = low_max;
		s.fail_at = k;
		s.fail_err = -EIO;
		r = arm_load(&ops, &s, rq, &out);
		if (r >= 0 || out.step == ARM_STEP_NONE || !clean(&s) ||
		    out.n_leftovers || out.loaded || out.main_addr) {
			bad++;
			diag("%s: failing call %u of %u: r=%d step=%s bufs=%u loaded=%d leftovers=%u; calls: %s",
			     what, k, n, r, arm_step_name(out.step), nbufs(&s),
			     s.loaded, out.n_leftovers, s.log);
		}
	}
	ok(bad == 0, "%s: a failure at each of the %u steps fails the load and undoes everything",
	   what, n);
}

static void load_cases(void)
{
	struct arm_request rq_high = rq_low, rq_big = rq_low;
	struct arm_outcome out;
	struct sim s;
	int r, i;

	rq_high.high = true;
	rq_big.size = 512ULL << 20;
	sweep("placement low", &rq_low, 0);
	sweep("placement high", &rq_high, 0);
	/* 512 MiB does not fit below 4 GiB, the 256 MiB companion does. */
	sweep("no low window, fallback high", &rq_big, 300ULL << 20);

	sim_init(&s);
	r = arm_load(&ops, &s, &rq_high, &out);
	ok(r == 0 && out.high && out.low_len == rq_high.low_size && low_bound(&s) &&
	   out.main_addr >= 1ULL << 32 && out.low_addr < 1ULL << 32,
	   "high: main above 4 GiB, low companion bound below");

	sim_init(&s);
	s.low_max = 300ULL << 20;
	r = arm_load(&ops, &s, &rq_big, &out);
	ok(r == 0 && out.fell_back_high && out.low_err == -ENOMEM && out.high &&
	   low_bound(&s), "low without a window: falls back to high with a companion");

	sim_init(&s);
	s.low_max = 1ULL << 20;
	s.high_none = true;
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == -ENOMEM && out.step == ARM_STEP_ALLOC && clean(&s),
	   "no window anywhere: -ENOMEM at the allocation, nothing held");
	ok(out.largest_window == 1ULL << 20,
	   "... and the module's largest window is in the outcome");

	sim_init(&s);
	s.loaded = true;
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == -EALREADY && out.step == ARM_STEP_ALREADY_LOADED && nbufs(&s) == 0,
	   "already loaded: -EALREADY, nothing reserved");

	sim_init(&s);
	s.boot_time = 128ULL << 20;
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == 0 && out.boot_time && out.boot_time_size == 128ULL << 20 &&
	   s.loaded && nbufs(&s) == 0,
	   "boot-time reservation large enough: loaded into it, nothing reserved");

	sim_init(&s);
	s.boot_time = 64ULL << 20;
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == -ENOSPC && out.step == ARM_STEP_BOOT_TIME && !s.loaded &&
	   out.boot_time_size == 64ULL << 20 && nbufs(&s) == 0,
	   "boot-time reservation too small: -ENOSPC with its size, nothing done");

	/* Stale buffers of an interrupted run. */
	sim_init(&s);
	s.module = true;
	for (i = 0; i < 2; i++) {
		s.b[i].used = true;
		s.b[i].addr = 0x20000000ULL * (uint64_t)(i + 1);
		s.b[i].len = 64ULL << 20;
		strcpy(s.b[i].name, i ? ARM_NAME_LOW : ARM_NAME);
	}
	s.b[0].bound = true;
	s.b[2].used = true;
	s.b[2].addr = 0x70000000;
	strcpy(s.b[2].name, "someone-else");
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == 0 && out.stale_freed == 2 && nbufs(&s) == 2 && find(&s, 0x70000000),
	   "stale own buffers are freed first, others' are left alone");

	/* Two faults: the load fails and so does an undo step. */
	sim_init(&s);
	s.f[0] = (struct fault){ "kexec_load", 1, -EKEYREJECTED };
	s.f[1] = (struct fault){ "unbind", 1, -EBUSY };
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == -EKEYREJECTED && out.step == ARM_STEP_KEXEC_LOAD,
	   "kexec_load rejected: that error and step");
	ok(out.n_leftovers == 2 && out.leftover[0].step == ARM_STEP_UNBIND &&
	   out.leftover[1].step == ARM_STEP_FREE &&
	   out.leftover[0].addr == out.main_addr && find(&s, out.main_addr),
	   "a failing undo is reported as leftovers, and they are what the kernel still holds");

	sim_init(&s);
	s.verify_lies = true;
	r = arm_load(&ops, &s, &rq_low, &out);
	ok(r == -EIO && out.step == ARM_STEP_VERIFY && clean(&s),
	   "kexec_crash_loaded not 1 after loading: unloaded and undone");
}

/* WORKING_MEMORY=split: a core for the images, the working memory apart. */
static const struct arm_request rq_split = {
	"/boot/vmlinuz", "/initrd.img", "root=/dev/vda nr_cpus=1",
	70ULL << 20, 256ULL << 20, -1, false, true, 40ULL << 20, 0
};

static void split_cases(void)
{
	struct arm_request rq_held = rq_low, rq_big = rq_split;
	struct arm_outcome out, o2;
	struct lk_state st;
	struct sbuf *w;
	struct sim s;
	int r;

	sweep("split", &rq_split, 0);
	/* No window of 70 + 40 MiB below 4 GiB, two of 80 MiB. */
	sweep("split, the core and the working memory in two windows", &rq_split, 80ULL << 20);

	sim_init(&s);
	r = arm_load(&ops, &s, &rq_split, &out);
	w = bound_low(&s);
	ok(r == 0 && out.split && !out.high && out.main_len == 70ULL << 20 &&
	   bound_main(&s) && bound_main(&s)->len == 70ULL << 20 &&
	   w && w->len == 40ULL << 20 && strcmp(w->name, ARM_NAME_WORK) == 0 &&
	   out.low_addr == w->addr && out.low_len == 40ULL << 20,
	   "split: the core bound as crashk_res, the working memory (" ARM_NAME_WORK ") as crashk_low_res");

	/* Fragmented: no 110 MiB window below 4 GiB and nothing above. */
	rq_held.size = 110ULL << 20;
	sim_init(&s);
	s.low_max = 80ULL << 20;
	s.high_none = true;
	r = arm_load(&ops, &s, &rq_held, &out);
	ok(r == -ENOMEM && out.step == ARM_STEP_ALLOC && clean(&s),
	   "fragmented, held: no window of the whole size, refused, nothing held");
	sim_init(&s);
	s.low_max = 80ULL << 20;
	s.high_none = true;
	r = arm_load(&ops, &s, &rq_split, &out);
	ok(r == 0 && out.loaded && out.split && low_bound(&s),
	   "fragmented, split: armed in two smaller windows");

	/* The core falls back high: the working memory is the crash kernel's
	 * only low memory, at least the low companion's size. */
	rq_big.size = 512ULL << 20;
	sim_init(&s);
	s.low_max = 300ULL << 20;
	r = arm_load(&ops, &s, &rq_big, &out);
	w = bound_low(&s);
	ok(r == 0 && out.split && out.high && out.fell_back_high &&
	   w && w->len == 256ULL << 20 && out.low_len == 256ULL << 20 &&
	   strcmp(w->name, ARM_NAME_WORK) == 0,
	   "split, the core high: the working memory grows to the low companion's 256 MiB");

	/* Unload frees both. */
	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	r = arm_unload(&ops, &s, &st, &o2);
	ok(r == 0 && clean(&s) && o2.freed_bytes == 110ULL << 20,
	   "split: unload unbinds and frees the core and the working memory");

	/* Resize both; the working memory's failure takes the core back. */
	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	r = arm_resize(&ops, &s, &st, 72ULL << 20, 64ULL << 20, &o2);
	ok(r == 0 && o2.loaded && s.loaded && bound_main(&s)->len == 72ULL << 20 &&
	   bound_low(&s)->len == 64ULL << 20 && o2.main_len == 72ULL << 20 &&
	   o2.low_len == 64ULL << 20 && o2.split,
	   "split: resize changes the core and the working memory, loaded again");

	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	s.log[0] = '\0';
	r = arm_resize(&ops, &s, &st, 70ULL << 20, 40ULL << 20, &o2);
	ok(r == 0 && o2.unchanged && !strstr(s.log, "kexec_unload"),
	   "split: the same sizes: nothing to do");

	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	r = arm_resize(&ops, &s, &st, 70ULL << 20, 48ULL << 20, &o2);
	ok(r == 0 && bound_main(&s)->len == 70ULL << 20 && bound_low(&s)->len == 48ULL << 20,
	   "split: only the working memory grows");

	/* The working memory grows first: its failure needs no undo. */
	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "resize", 1, -ENOMEM };
	s.log[0] = '\0';
	r = arm_resize(&ops, &s, &st, 72ULL << 20, 64ULL << 20, &o2);
	ok(r == -ENOMEM && o2.step == ARM_STEP_RESIZE_WORK && o2.rearmed_previous &&
	   s.loaded && bound_main(&s)->len == 70ULL << 20 &&
	   bound_low(&s)->len == 40ULL << 20 && o2.main_len == 70ULL << 20 &&
	   o2.low_len == 40ULL << 20 && strstr(s.log, "resize kexec_load") != NULL,
	   "split: the working memory cannot grow: nothing else changed, armed as before (%s)", s.log);
	ok(strcmp(arm_step_name(o2.step), "resize the working memory") == 0,
	   "... and the step is named for the working memory");

	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "resize", 2, -ENOMEM };
	r = arm_resize(&ops, &s, &st, 72ULL << 20, 64ULL << 20, &o2);
	ok(r == -ENOMEM && o2.step == ARM_STEP_RESIZE && o2.rearmed_previous &&
	   s.loaded && bound_main(&s)->len == 70ULL << 20 &&
	   bound_low(&s)->len == 40ULL << 20 && o2.low_len == 40ULL << 20,
	   "split: the working memory grew, the region cannot: the working memory back, armed as before");

	/* The new load fails; giving the working memory back fails too:
	 * the previous kernel needs only the region, so it is armed again. */
	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "kexec_load", 1, -ENOEXEC };
	s.f[1] = (struct fault){ "resize", 3, -ENOMEM };
	r = arm_resize(&ops, &s, &st, 72ULL << 20, 32ULL << 20, &o2);
	ok(r == -ENOEXEC && o2.rearmed_previous && !o2.disarmed && s.loaded &&
	   bound_main(&s)->len == 70ULL << 20 && bound_low(&s)->len == 32ULL << 20 &&
	   o2.low_len == 32ULL << 20,
	   "split: the working memory cannot be given back its size: still armed, the outcome has its size now");

	/* The new load fails, everything goes back and is armed again. */
	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "kexec_load", 1, -ENOEXEC };
	r = arm_resize(&ops, &s, &st, 72ULL << 20, 32ULL << 20, &o2);
	ok(r == -ENOEXEC && o2.rearmed_previous && s.loaded &&
	   bound_main(&s)->len == 70ULL << 20 && bound_low(&s)->len == 40ULL << 20,
	   "split: the new sizes do not load: both back, armed as before");

	sim_init(&s);
	arm_load(&ops, &s, &rq_split, &out);
	to_state(&out, &st);
	s.min_load = 200ULL << 20;
	r = arm_resize(&ops, &s, &st, 72ULL << 20, 64ULL << 20, &o2);
	ok(r == -EADDRNOTAVAIL && o2.step == ARM_STEP_RELOAD && o2.rearmed_previous == false &&
	   o2.disarmed && bound_main(&s)->len == 70ULL << 20 &&
	   bound_low(&s)->len == 40ULL << 20,
	   "split: the new sizes do not load: both back (and, as the sim loads nothing this small, DISARMED reported)");
}

static void unload_cases(void)
{
	struct arm_outcome out, o2;
	struct lk_state st;
	struct sim s;
	int r;

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	r = arm_unload(&ops, &s, &st, &o2);
	ok(r == 0 && clean(&s) && o2.freed_bytes == rq_low.size,
	   "unload: unloaded, unbound, freed");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	r = arm_unload(&ops, &s, NULL, &o2);
	ok(r == 0 && clean(&s), "unload without a state file: found through the module");

	sim_init(&s);
	s.boot_time = 256ULL << 20;
	s.loaded = true;
	r = arm_unload(&ops, &s, NULL, &o2);
	ok(r == 0 && o2.not_ours && s.loaded,
	   "a crash kernel lazy-kdump did not load is left alone");

	sim_init(&s);
	s.boot_time = 256ULL << 20;
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	r = arm_unload(&ops, &s, &st, &o2);
	ok(r == 0 && o2.boot_time && !s.loaded && s.boot_time,
	   "boot-time: unloaded, the reservation stays the kernel's");

	sim_init(&s);
	r = arm_unload(&ops, &s, NULL, &o2);
	ok(r == 0 && !s.module, "nothing armed, module not loaded: nothing to do, module not loaded");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "kexec_unload", 1, -EBUSY };
	r = arm_unload(&ops, &s, &st, &o2);
	ok(r == -EBUSY && o2.step == ARM_STEP_KEXEC_UNLOAD && s.loaded &&
	   nbufs(&s) == 1, "unload fails: still armed, nothing freed");
}

static void resize_cases(void)
{
	struct arm_outcome out, o2;
	struct lk_state st;
	struct sim s;
	int r;

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	r = arm_resize(&ops, &s, &st, 160ULL << 20, 0, &o2);
	ok(r == 0 && o2.loaded && s.loaded && o2.main_len == 160ULL << 20 &&
	   bound_main(&s)->len == 160ULL << 20 && o2.old_len == 96ULL << 20,
	   "grow: resized and loaded again");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.resize_moves = true;
	r = arm_resize(&ops, &s, &st, 160ULL << 20, 0, &o2);
	ok(r == 0 && o2.main_addr != st.main_addr && o2.main_addr == bound_main(&s)->addr,
	   "grow by moving: the new address is reported");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.resize_fails = true;
	s.resize_largest = 200ULL << 20;
	r = arm_resize(&ops, &s, &st, 1ULL << 30, 0, &o2);
	ok(r == -ENOMEM && o2.step == ARM_STEP_RESIZE && o2.rearmed_previous &&
	   s.loaded && bound_main(&s)->len == 96ULL << 20 && o2.main_len == 96ULL << 20,
	   "growing fails: still armed with the previous size");
	ok(o2.largest_window == 200ULL << 20,
	   "... and the module's largest window is in the outcome");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.min_load = 80ULL << 20;
	r = arm_resize(&ops, &s, &st, 64ULL << 20, 0, &o2);
	ok(r == -EADDRNOTAVAIL && o2.step == ARM_STEP_RELOAD && o2.rearmed_previous &&
	   s.loaded && bound_main(&s)->len == 96ULL << 20,
	   "too small to load: resized back and armed with the previous size");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "kexec_load", 1, -ENOEXEC };
	s.f[1] = (struct fault){ "resize", 1, -ENOMEM };
	r = arm_resize(&ops, &s, &st, 160ULL << 20, 0, &o2);
	ok(r == -ENOMEM && o2.disarmed && !o2.loaded && !s.loaded &&
	   o2.reload_err == -ENOEXEC && nbufs(&s) == 1,
	   "growing fails and so does re-arming: DISARMED is reported, the reservation kept");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "kexec_unload", 1, -EIO };
	r = arm_resize(&ops, &s, &st, 160ULL << 20, 0, &o2);
	ok(r == -EIO && o2.step == ARM_STEP_KEXEC_UNLOAD && s.loaded &&
	   bound_main(&s)->len == 96ULL << 20 && !o2.disarmed,
	   "unloading fails: nothing changed, still armed");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.log[0] = '\0';
	r = arm_resize(&ops, &s, &st, 96ULL << 20, 0, &o2);
	ok(r == 0 && o2.unchanged && s.loaded && !strstr(s.log, "kexec_unload"),
	   "same size: nothing to do, never unloaded");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.loaded = false;
	st.armed = false;
	r = arm_resize(&ops, &s, &st, 96ULL << 20, 0, &o2);
	ok(r == 0 && o2.unchanged && o2.loaded && s.loaded,
	   "same size but nothing loaded (an earlier re-arm failed): loaded again");

	sim_init(&s);
	s.boot_time = 256ULL << 20;
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	r = arm_resize(&ops, &s, &st, 300ULL << 20, 0, &o2);
	ok(r == -EOPNOTSUPP && o2.step == ARM_STEP_NOT_SUPPORTED && s.loaded,
	   "boot-time reservation: resize refused, still armed");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	st.main_addr += 0x1000;
	r = arm_resize(&ops, &s, &st, 160ULL << 20, 0, &o2);
	ok(r == -ENOENT && o2.step == ARM_STEP_NOT_FOUND && s.loaded,
	   "recorded buffer gone: refused, still armed");
}

static void reload_cases(void)
{
	struct arm_request rq = rq_low;
	struct arm_outcome out, o2;
	struct lk_state st;
	struct sim s;
	int r;

	rq.kernel = "/boot/vmlinuz-new";
	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == 0 && o2.loaded && s.loaded && strcmp(s.kernel, rq.kernel) == 0 &&
	   o2.main_addr == st.main_addr && bound_main(&s)->len == 96ULL << 20,
	   "reload: the new kernel is loaded into the same region");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	rq.size = 128ULL << 20;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == 0 && s.loaded && bound_main(&s)->len == 128ULL << 20 &&
	   o2.main_len == 128ULL << 20 && o2.old_len == 96ULL << 20,
	   "reload with another size: the region is resized, the new kernel loaded");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.bad_kernel = rq.kernel;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -ENOEXEC && o2.step == ARM_STEP_RELOAD && o2.rearmed_previous &&
	   s.loaded && strcmp(s.kernel, st.kernel) == 0 &&
	   bound_main(&s)->len == 96ULL << 20 && o2.main_len == 96ULL << 20,
	   "new kernel refused: resized back, the previous kernel loaded again");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.resize_fails = true;
	rq.size = 1ULL << 30;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -ENOMEM && o2.step == ARM_STEP_RESIZE && o2.rearmed_previous &&
	   s.loaded && strcmp(s.kernel, st.kernel) == 0,
	   "no room for the new size: the previous kernel loaded again");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	rq.size = 128ULL << 20;
	s.bad_kernel = rq.kernel;
	s.f[0] = (struct fault){ "kexec_load", 2, -EIO };
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -ENOEXEC && o2.disarmed && !s.loaded && !o2.loaded &&
	   o2.reload_err == -EIO && nbufs(&s) == 1 &&
	   bound_main(&s)->len == 96ULL << 20,
	   "new kernel refused and the previous one too: DISARMED, region kept at its old size");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.f[0] = (struct fault){ "kexec_unload", 1, -EIO };
	rq.size = 96ULL << 20;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -EIO && o2.step == ARM_STEP_KEXEC_UNLOAD && s.loaded &&
	   strcmp(s.kernel, st.kernel) == 0 && !o2.disarmed,
	   "unloading fails: nothing changed, still armed with the previous kernel");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	s.loaded = false;
	st.armed = false;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == 0 && s.loaded && strcmp(s.kernel, rq.kernel) == 0,
	   "held but not loaded (an earlier re-arm failed): the new kernel is loaded");

	sim_init(&s);
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	st.main_addr += 0x1000;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -ENOENT && o2.step == ARM_STEP_NOT_FOUND && s.loaded &&
	   strcmp(s.kernel, "/boot/vmlinuz") == 0,
	   "recorded buffer gone: refused, still armed as before");

	sim_init(&s);
	s.boot_time = 256ULL << 20;
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == 0 && o2.boot_time && s.loaded && strcmp(s.kernel, rq.kernel) == 0 &&
	   nbufs(&s) == 0, "boot-time reservation: the new kernel is loaded into it");

	sim_init(&s);
	s.boot_time = 256ULL << 20;
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	rq.size = 300ULL << 20;
	s.log[0] = '\0';
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -ENOSPC && o2.step == ARM_STEP_BOOT_TIME && s.loaded &&
	   strcmp(s.kernel, "/boot/vmlinuz") == 0 && !strstr(s.log, "kexec_unload"),
	   "boot-time reservation too small for the new files: nothing changed");

	sim_init(&s);
	s.boot_time = 256ULL << 20;
	arm_load(&ops, &s, &rq_low, &out);
	to_state(&out, &st);
	rq.size = 96ULL << 20;
	s.bad_kernel = rq.kernel;
	r = arm_reload(&ops, &s, &st, &rq, &o2);
	ok(r == -ENOEXEC && o2.rearmed_previous && s.loaded &&
	   strcmp(s.kernel, st.kernel) == 0,
	   "boot-time reservation, new kernel refused: the previous one loaded again");
}

int main(void)
{
	load_cases();
	split_cases();
	unload_cases();
	resize_cases();
	reload_cases();
	return tap_done();
}
