// SPDX-License-Identifier: GPL-2.0
/*
 * The lcma wrapper without the device: a fake ioctl checks what each
 * function sends and answers as the ABI header says the module does; the
 * real ioctl(2) runs against files that are not the device (ENOTTY).
 *
 * argv[1]: path of lazy_cma.h, whose documented errors every hint must
 * cover.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "lcma.h"
#include "tap.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

/* A fake module: the state it keeps and what it was last sent. */
struct fake {
	unsigned int calls;
	unsigned long last_cmd;
	int fail;			/* answer every call with this -errno */

	struct lazy_cma_allocation_data alloc;
	struct lazy_cma_resize_data resize;
	__u64 free_arg;
	struct lazy_cma_crash_bind bind;
	struct lazy_cma_crash_unbind unbind;
	struct lazy_cma_list list_in;	/* the last LIST request */
	bool list_bad_request;		/* any request broke the rules */

	/* How many buffers LIST reports at each call (the last repeats). */
	unsigned int list_counts[32];
	unsigned int n_list_counts;
	bool no_nul;			/* names without a terminating NUL */
};

static void fake_fill_entry(struct lazy_cma_range *e, unsigned int i,
			    bool no_nul)
{
	memset(e, 0, sizeof(*e));
	e->phys_addr = UINT64_C(0x100000000) + (uint64_t)i * 0x200000;
	e->len = 0x200000;
	e->node = (__s32)(i % 2);
	e->zone = LAZY_CMA_ZONE_NORMAL;
	if (no_nul)
		memset(e->name, 'n', sizeof(e->name));
	else
		snprintf(e->name, sizeof(e->name), "buf%u", i);
}

static int fake_list(struct fake *f, struct lazy_cma_list *l)
{
	unsigned int idx = f->calls - 1, n, i;
	unsigned char *out = (unsigned char *)(uintptr_t)l->entries;

	f->list_in = *l;
	if (l->flags || l->reserved || l->entry_size < LAZY_CMA_RANGE_SIZE_V1 ||
	    l->entry_size > 4096 || l->count > 65536) {
		f->list_bad_request = true;
		return -EINVAL;
	}
	if (idx >= f->n_list_counts)
		idx = f->n_list_counts - 1;
	n = f->list_counts[idx];
	for (i = 0; i < n && i < l->count; i++) {
		struct lazy_cma_range e;

		fake_fill_entry(&e, i, f->no_nul);
		/* Writes every byte of the caller's room: ASan checks it. */
		memset(out + (size_t)i * l->entry_size, 0, l->entry_size);
		memcpy(out + (size_t)i * l->entry_size, &e, sizeof(e));
	}
	l->count = n;
	return 0;
}

static int fake_ioctl(struct lcma *h, unsigned long cmd, void *arg)
{
	struct fake *f = h->userdata;

	f->calls++;
	f->last_cmd = cmd;
	if (f->fail)
		return f->fail;

	switch (cmd) {
	case LAZY_CMA_IOCTL_ALLOC:
		f->alloc = *(struct lazy_cma_allocation_data *)arg;
		((struct lazy_cma_allocation_data *)arg)->phys_addr =
			UINT64_C(0x140000000);
		return 0;
	case LAZY_CMA_IOCTL_RESIZE: {
		struct lazy_cma_resize_data *d = arg;

		f->resize = *d;
		d->phys_addr += 0x40000000;	/* it moved */
		d->len = (d->len + 4095) & ~UINT64_C(4095);
		return 0;
	}
	case LAZY_CMA_IOCTL_FREE:
		f->free_arg = *(__u64 *)arg;
		return 0;
	case LAZY_CMA_IOCTL_LIST:
		return fake_list(f, arg);
	case LAZY_CMA_IOCTL_CRASH_BIND:
		f->bind = *(struct lazy_cma_crash_bind *)arg;
		return 0;
	case LAZY_CMA_IOCTL_CRASH_UNBIND:
		f->unbind = *(struct lazy_cma_crash_unbind *)arg;
		return 0;
	default:
		return -ENOTTY;
	}
}

static void fake_init(struct lcma *h, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	memset(&f->alloc, 0xa5, sizeof(f->alloc));	/* not what is sent */
	h->fd = -1;
	h->ioctl = fake_ioctl;
	h->userdata = f;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return false;
	return true;
}

static void test_alloc(void)
{
	char name63[LAZY_CMA_NAME_MAX], name64[LAZY_CMA_NAME_MAX + 1];
	struct lcma h;
	struct fake f;
	uint64_t phys;
	int r;

	fake_init(&h, &f);
	phys = SENTINEL;
	r = lcma_alloc(&h, 256 << 20, 1, LAZY_CMA_ALLOC_BELOW_4G, "crash",
		       &phys);
	ok(r == 0 && phys == UINT64_C(0x140000000), "alloc returns the address");
	is_u64(f.last_cmd, LAZY_CMA_IOCTL_ALLOC, "alloc issues ALLOC");
	ok(f.alloc.len == 256 << 20 && f.alloc.node == 1 &&
	   f.alloc.flags == LAZY_CMA_ALLOC_BELOW_4G,
	   "alloc sends len, node and flags");
	ok(!strcmp(f.alloc.name, "crash") &&
	   all_zero(f.alloc.name + 5, sizeof(f.alloc.name) - 5),
	   "alloc sends the name, zero-padded");

	fake_init(&h, &f);
	r = lcma_alloc(&h, 4096, -1, 0, NULL, &phys);
	ok(r == 0 && f.alloc.node == -1 && f.alloc.flags == 0 &&
	   all_zero(f.alloc.name, sizeof(f.alloc.name)),
	   "alloc without node, flags or name sends -1, 0 and an empty name");

	memset(name63, 'a', sizeof(name63) - 1);
	name63[sizeof(name63) - 1] = '\0';
	fake_init(&h, &f);
	r = lcma_alloc(&h, 4096, -1, 0, name63, &phys);
	ok(r == 0 && !memcmp(f.alloc.name, name63, sizeof(name63)),
	   "a 63-character name is sent whole, NUL included");

	memset(name64, 'a', sizeof(name64) - 1);
	name64[sizeof(name64) - 1] = '\0';
	fake_init(&h, &f);
	phys = SENTINEL;
	r = lcma_alloc(&h, 4096, -1, 0, name64, &phys);
	ok(r == -ENAMETOOLONG && f.calls == 0 && phys == SENTINEL,
	   "a 64-character name: -ENAMETOOLONG, no ioctl, address untouched");

	fake_init(&h, &f);
	r = lcma_alloc(&h, 4096, -1, 0, "tab\there", &phys);
	ok(r == -EINVAL && f.calls == 0 && phys == SENTINEL,
	   "a name with a control character: -EINVAL, no ioctl");
	r = lcma_alloc(&h, 4096, -1, 0, "caf\xc3\xa9", &phys);
	ok(r == -EINVAL && f.calls == 0, "a non-ASCII name: -EINVAL, no ioctl");

	fake_init(&h, &f);
	f.fail = -ENODEV;
	r = lcma_alloc(&h, 4096, 7, 0, NULL, &phys);
	ok(r == -ENODEV && phys == SENTINEL,
	   "a failed alloc returns the errno and leaves the address");
}

static void test_name_check(void)
{
	static const struct {
		const char *name;
		int ret;
	} cases[] = {
		{ NULL, 0 }, { "", 0 }, { "crashkernel", 0 },
		{ " ~!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}", 0 },
		{ "a\x1f", -EINVAL }, { "a\x7f", -EINVAL },
		{ "\n", -EINVAL }, { "\xff", -EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		is_int(lcma_name_check(cases[i].name), cases[i].ret,
		       "lcma_name_check(case %zu)", i);
}

static void test_resize_free_bind(void)
{
	uint64_t phys, len;
	struct lcma h;
	struct fake f;
	int r;

	fake_init(&h, &f);
	phys = UINT64_C(0x100000000);
	len = 1000;
	r = lcma_resize(&h, &phys, &len);
	ok(r == 0 && f.last_cmd == LAZY_CMA_IOCTL_RESIZE &&
	   f.resize.phys_addr == UINT64_C(0x100000000) && f.resize.len == 1000,
	   "resize sends address and length");
	ok(phys == UINT64_C(0x140000000) && len == 4096,
	   "resize returns the new address and length");

	fake_init(&h, &f);
	f.fail = -EBUSY;
	phys = UINT64_C(0x100000000);
	len = 1000;
	r = lcma_resize(&h, &phys, &len);
	ok(r == -EBUSY && phys == UINT64_C(0x100000000) && len == 1000,
	   "a failed resize leaves address and length");

	fake_init(&h, &f);
	r = lcma_free(&h, UINT64_C(0x123400000));
	ok(r == 0 && f.last_cmd == LAZY_CMA_IOCTL_FREE &&
	   f.free_arg == UINT64_C(0x123400000), "free sends the address");
	f.fail = -ENOENT;
	is_int(lcma_free(&h, 1), -ENOENT, "free returns the errno");

	fake_init(&h, &f);
	memset(&f.bind, 0xa5, sizeof(f.bind));
	r = lcma_crash_bind(&h, UINT64_C(0x40000000),
			    UINT64_C(0xffffffff82a1c100), LAZY_CMA_CRASH_LOW);
	ok(r == 0 && f.last_cmd == LAZY_CMA_IOCTL_CRASH_BIND &&
	   f.bind.phys_addr == UINT64_C(0x40000000) &&
	   f.bind.res_addr == UINT64_C(0xffffffff82a1c100) &&
	   f.bind.flags == LAZY_CMA_CRASH_LOW && f.bind.reserved == 0,
	   "crash_bind sends address, resource, flags and a zero reserved");

	fake_init(&h, &f);
	memset(&f.unbind, 0xa5, sizeof(f.unbind));
	r = lcma_crash_unbind(&h, UINT64_C(0x40000000));
	ok(r == 0 && f.last_cmd == LAZY_CMA_IOCTL_CRASH_UNBIND &&
	   f.unbind.phys_addr == UINT64_C(0x40000000) && f.unbind.flags == 0 &&
	   f.unbind.reserved == 0,
	   "crash_unbind sends the address and zero flags and reserved");
	f.fail = -EBUSY;
	is_int(lcma_crash_unbind(&h, 1), -EBUSY, "crash_unbind returns the errno");
	f.fail = -EEXIST;
	is_int(lcma_crash_bind(&h, 1, 2, 0), -EEXIST,
	       "crash_bind returns the errno");
}

/* Run lcma_list() against @counts; check the result is @want entries. */
static void list_case(const char *what, const unsigned int *counts,
		      unsigned int n_counts, int want_ret,
		      unsigned int want_calls)
{
	struct lazy_cma_range *a = (void *)&a;	/* a sentinel pointer */
	size_t n = 12345, i;
	bool good = true;
	struct lcma h;
	struct fake f;
	int r;

	fake_init(&h, &f);
	memcpy(f.list_counts, counts, n_counts * sizeof(*counts));
	f.n_list_counts = n_counts;
	r = lcma_list(&h, &a, &n);

	if (want_ret < 0) {
		if (!ok(r == want_ret && a == (void *)&a && n == 12345 &&
			f.calls == want_calls,
			"list %s: %d after %u calls, results untouched", what,
			want_ret, want_calls))
			diag("  got %d after %u calls", r, f.calls);
		return;
	}
	for (i = 0; r == 0 && i < n; i++) {
		struct lazy_cma_range e;

		fake_fill_entry(&e, (unsigned int)i, false);
		good &= !memcmp(&a[i], &e, sizeof(e));
	}
	if (!ok(r == 0 && n == counts[f.calls - 1 < n_counts ? f.calls - 1 :
				      n_counts - 1] &&
		good && f.calls == want_calls && (n ? a != NULL : a == NULL),
		"list %s: %zu entries in %u calls", what, n, f.calls))
		diag("  got r=%d n=%zu calls=%u good=%d", r, n, f.calls, good);
	ok(!f.list_bad_request && f.list_in.entry_size == sizeof(*a),
	   "list %s: requests follow the ABI, entry_size %zu", what,
	   sizeof(*a));
	if (r == 0 && n && a != (void *)&a)
		free(a);
}

static void test_list(void)
{
	static const unsigned int none[] = { 0 };
	static const unsigned int three[] = { 3 };
	static const unsigned int sixteen[] = { 16 };
	static const unsigned int forty[] = { 40 };
	static const unsigned int grow_once[] = { 20, 30 };
	static const unsigned int shrink[] = { 40, 2 };
	static const unsigned int huge[] = { 65537 };
	static const unsigned int max[] = { 65536 };
	struct lazy_cma_range *a = NULL;
	size_t n = 0, i;
	struct lcma h;
	struct fake f;
	bool terminated = true;
	int r;

	list_case("none", none, 1, 0, 1);
	list_case("three", three, 1, 0, 1);
	list_case("sixteen, the initial room", sixteen, 1, 0, 1);
	list_case("forty", forty, 1, 0, 2);
	list_case("growing between calls", grow_once, 2, 0, 3);
	list_case("shrinking between calls", shrink, 2, 0, 2);
	list_case("65536 buffers", max, 1, 0, 2);
	list_case("more than 65536 buffers", huge, 1, -EOVERFLOW, 1);

	/* Each answer is just more than the room the last request had. */
	{
		static unsigned int steps[LCMA_LIST_MAX_TRIES + 1];
		size_t room = 16;

		for (i = 0; i < ARRAY_SIZE(steps); i++) {
			steps[i] = (unsigned int)room + 1;
			room = steps[i] + steps[i] / 4 + 4;
		}
		list_case("racing a busy allocator", steps, ARRAY_SIZE(steps),
			  -EAGAIN, LCMA_LIST_MAX_TRIES);
	}

	fake_init(&h, &f);
	f.fail = -EPERM;
	a = (void *)&a;
	n = 99;
	r = lcma_list(&h, &a, &n);
	ok(r == -EPERM && a == (void *)&a && n == 99,
	   "list returns the ioctl's errno and leaves the results");

	fake_init(&h, &f);
	f.list_counts[0] = 3;
	f.n_list_counts = 1;
	f.no_nul = true;
	r = lcma_list(&h, &a, &n);
	for (i = 0; r == 0 && i < n; i++)
		terminated &= a[i].name[LAZY_CMA_NAME_MAX - 1] == '\0' &&
			      strlen(a[i].name) == LAZY_CMA_NAME_MAX - 1;
	ok(r == 0 && n == 3 && terminated,
	   "list NUL-terminates names the kernel did not");
	if (r == 0)
		free(a);
}

static void test_real_ioctl(void)
{
	char path[] = "/tmp/test-lcma.XXXXXX";
	struct lazy_cma_range *a = (void *)&a;
	uint64_t phys = SENTINEL, len = 4096;
	struct lcma h = { .fd = -42 };
	size_t n = 7;
	int fd, r;

	r = lcma_open(&h, "/nonexistent/lazy_cma");
	ok(r == -ENOENT && h.fd == -42, "open of a missing device: -ENOENT");
	r = lcma_open(&h, "/");
	ok(r == -EISDIR && h.fd == -42, "open of a directory: -EISDIR");

	fd = mkstemp(path);
	if (fd < 0) {
		skip("mkstemp failed", "ioctl on a regular file");
		return;
	}
	close(fd);
	r = lcma_open(&h, path);
	ok(r == 0 && h.fd >= 0, "a regular file opens");
	if (r == 0) {
		is_int(lcma_list(&h, &a, &n), -ENOTTY, "list on a file: -ENOTTY");
		ok(a == (void *)&a && n == 7, "... results untouched");
		is_int(lcma_alloc(&h, 4096, -1, 0, NULL, &phys), -ENOTTY,
		       "alloc on a file: -ENOTTY");
		is_u64(phys, SENTINEL, "... address untouched");
		phys = 0x1000;
		is_int(lcma_resize(&h, &phys, &len), -ENOTTY,
		       "resize on a file: -ENOTTY");
		ok(phys == 0x1000 && len == 4096, "... address and length untouched");
		is_int(lcma_free(&h, 0x1000), -ENOTTY, "free on a file: -ENOTTY");
		is_int(lcma_crash_bind(&h, 0x1000, 1, 0), -ENOTTY,
		       "crash_bind on a file: -ENOTTY");
		is_int(lcma_crash_unbind(&h, 0x1000), -ENOTTY,
		       "crash_unbind on a file: -ENOTTY");
		lcma_close(&h);
		is_int(h.fd, -1, "close resets the descriptor");
		lcma_close(&h);
	}
	unlink(path);

	r = lcma_open(&h, "/dev/null");
	ok(r == 0, "/dev/null opens");
	if (r == 0) {
		is_int(lcma_free(&h, 0x1000), -ENOTTY, "free on /dev/null: -ENOTTY");
		lcma_close(&h);
	}
}

/*
 * The errno names the header documents for one ioctl: the "%EXXX" in the
 * kernel-doc comment that ends with "define LAZY_CMA_IOCTL_<cmd>".
 */
static int documented_errnos(const char *header, const char *cmd,
			     char names[][16], int max)
{
	char key[64];
	const char *start, *end, *p;
	int n = 0;

	snprintf(key, sizeof(key), "define LAZY_CMA_IOCTL_%s -", cmd);
	start = strstr(header, key);
	if (!start)
		return -1;
	end = strstr(start, "*/");
	if (!end)
		return -1;
	for (p = start; (p = strstr(p, "%E")) && p < end; p++) {
		size_t len = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

		if (n < max && len < 16) {
			memcpy(names[n], p + 1, len);
			names[n][len] = '\0';
			n++;
		}
	}
	return n;
}

static int errno_value(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} table[] = {
		{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR },
		{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
		{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV },
		{ "EINVAL", EINVAL }, { "ENOTTY", ENOTTY }, { "ENOSPC", ENOSPC },
		{ "ERANGE", ERANGE }, { "EAGAIN", EAGAIN }, { "ENOSYS", ENOSYS },
		{ "EOPNOTSUPP", EOPNOTSUPP }, { "EOVERFLOW", EOVERFLOW },
		{ "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "ENOTSUPP", 524 },
		{ "ENOLCK", ENOLCK },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].name, name))
			return table[i].value;
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = calloc(1, (size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void test_hints(const char *header_path)
{
	static const struct {
		const char *cmd;
		enum lcma_op op;
	} ops[] = {
		{ "ALLOC", LCMA_OP_ALLOC }, { "RESIZE", LCMA_OP_RESIZE },
		{ "FREE", LCMA_OP_FREE }, { "LIST", LCMA_OP_LIST },
		{ "CRASH_BIND", LCMA_OP_CRASH_BIND },
		{ "CRASH_UNBIND", LCMA_OP_CRASH_UNBIND },
		{ "KEXEC_LOCK", LCMA_OP_KEXEC_LOCK },
	};
	char names[32][16];
	char *header = read_file(header_path);
	size_t i;
	int n, j;

	if (!header) {
		ok(0, "read %s", header_path);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		n = documented_errnos(header, ops[i].cmd, names, 32);
		ok(n >= 3, "%s documents its errors (%d found)", ops[i].cmd, n);
		for (j = 0; j < n; j++) {
			int e = errno_value(names[j]);
			const char *hint = lcma_error_hint(ops[i].op, -e);

			ok(e && hint && hint[strlen(hint) - 1] == '.',
			   "%s: documented %s has a hint", ops[i].cmd,
			   names[j]);
			ok(hint == lcma_error_hint(ops[i].op, e),
			   "%s: %s and -%s give the same hint", ops[i].cmd,
			   names[j], names[j]);
		}
	}
	free(header);

	ok(lcma_error_hint(LCMA_OP_OPEN, -ENOENT) &&
	   strstr(lcma_error_hint(LCMA_OP_OPEN, -ENOENT), "modprobe lazy_cma"),
	   "open -ENOENT says to load the module");
	ok(lcma_error_hint(LCMA_OP_OPEN, -EACCES) &&
	   strstr(lcma_error_hint(LCMA_OP_OPEN, -EACCES), "CAP_SYS_ADMIN"),
	   "open -EACCES says it needs CAP_SYS_ADMIN");
	ok(!lcma_error_hint(LCMA_OP_FREE, -EXDEV),
	   "an undocumented errno has no hint");
	ok(lcma_error_hint(LCMA_OP_FREE, -EBUSY) !=
		   lcma_error_hint(LCMA_OP_CRASH_UNBIND, -EBUSY),
	   "EBUSY means different things for free and unbind");
}

static void test_names(void)
{
	static const struct {
		uint32_t flags;
		const char *want;
	} flags[] = {
		{ 0, "-" },
		{ LAZY_CMA_RANGE_CRASH, "crash" },
		{ LAZY_CMA_RANGE_CRASH_LOW, "crash-low" },
		{ LAZY_CMA_RANGE_CRASH | LAZY_CMA_RANGE_CRASH_LOADED,
		  "crash,loaded" },
		{ LAZY_CMA_RANGE_MAPPED, "mapped" },
		{ 0xf, "crash,crash-low,loaded,mapped" },
		{ 0x30, "0x30" },
		{ 0x11, "crash,0x10" },
		{ 0xffffffff, "crash,crash-low,loaded,mapped,0xfffffff0" },
	};
	static const struct {
		uint32_t zone;
		const char *want;
	} zones[] = {
		{ LAZY_CMA_ZONE_DMA, "DMA" }, { LAZY_CMA_ZONE_DMA32, "DMA32" },
		{ LAZY_CMA_ZONE_NORMAL, "Normal" },
		{ LAZY_CMA_ZONE_MOVABLE, "Movable" },
		{ LAZY_CMA_ZONE_OTHER, "other" }, { 4, "other" },
		{ 0xffffffff, "other" },
	};
	char buf[64];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		n = lcma_range_flags_format(flags[i].flags, buf, sizeof(buf));
		if (!ok(!strcmp(buf, flags[i].want) &&
			n == (int)strlen(flags[i].want),
			"flags %#x -> \"%s\"", flags[i].flags, flags[i].want))
			diag("  got \"%s\" (%d)", buf, n);
	}
	memset(buf, 'x', sizeof(buf));
	n = lcma_range_flags_format(0xf, buf, 8);
	ok(n == 29 && !strcmp(buf, "crash,c") && buf[8] == 'x',
	   "flags truncate like snprintf");
	n = lcma_range_flags_format(0xf, NULL, 0);
	is_int(n, 29, "flags with size 0 only measure");

	for (i = 0; i < ARRAY_SIZE(zones); i++)
		is_str(lcma_zone_name(zones[i].zone), zones[i].want,
		       "zone %u", zones[i].zone);
}

int main(int argc, char **argv)
{
	test_alloc();
	test_name_check();
	test_resize_free_bind();
	test_list();
	test_real_ioctl();
	test_hints(argc > 1 ? argv[1] : "../../module/uapi/lazy_cma.h");
	test_names();
	return tap_done();
}
