// SPDX-License-Identifier: GPL-2.0
/*
 * Pin the ABI of lazy_cma.h: struct sizes, member offsets and sizes,
 * command numbers (whole value and decoded), constants; and that the
 * seed project's ioctls are unchanged.
 */
#include <stddef.h>
#include <linux/ioctl.h>

#include "lazy_cma.h"
#include "tap.h"
#include "uapi-layout.h"

#define TEST_SIZE(s, size) \
	is_int(sizeof(struct s), size, "sizeof(struct %s) == %d", #s, size);
#define TEST_MEMBER(s, m, off, size) \
	is_int(offsetof(struct s, m), off, "offsetof(struct %s, %s) == %d", \
	       #s, #m, off); \
	is_int(sizeof(((struct s *)0)->m), size, \
	       "sizeof(struct %s.%s) == %d", #s, #m, size);
#define TEST_COMMAND(cmd, value, nr, dir, size) \
	is_u64(cmd, value, "%s == %#x", #cmd, value); \
	is_int(_IOC_TYPE(cmd), 'H', "_IOC_TYPE(%s) == 'H'", #cmd); \
	is_int(_IOC_NR(cmd), nr, "_IOC_NR(%s) == %d", #cmd, nr); \
	is_int(_IOC_DIR(cmd), \
	       ((dir) & 1 ? _IOC_WRITE : 0) | ((dir) & 2 ? _IOC_READ : 0), \
	       "_IOC_DIR(%s) is %s", #cmd, (dir) == 3 ? "_IOWR" : "_IOW"); \
	is_int(_IOC_SIZE(cmd), size, "_IOC_SIZE(%s) == %d", #cmd, size);
#define TEST_CONSTANT(name, value) \
	is_int(name, value, "%s == %d", #name, value);
#define LIST_COMMAND(cmd, value, nr, dir, size) cmd,

/* The seed project's structs, as its lazy_cma_tool declared them. */
struct seed_allocation_data {
	__u64 len;
	__u64 phys_addr;
	__s32 node;
	__u32 pad;
	char name[64];
};

struct seed_resize_data {
	__u64 phys_addr;
	__u64 len;
};

static void test_seed(void)
{
	is_u64(LAZY_CMA_IOCTL_ALLOC,
	       _IOWR('H', 0x0, struct seed_allocation_data),
	       "ALLOC is the seed's _IOWR('H', 0, 88-byte struct)");
	is_u64(LAZY_CMA_IOCTL_RESIZE, _IOWR('H', 0x1, struct seed_resize_data),
	       "RESIZE is the seed's _IOWR('H', 1, 16-byte struct)");
	is_u64(LAZY_CMA_IOCTL_FREE, _IOW('H', 0x2, __u64),
	       "FREE is the seed's _IOW('H', 2, __u64)");
	is_int(offsetof(struct lazy_cma_allocation_data, flags),
	       offsetof(struct seed_allocation_data, pad),
	       "flags sits where the seed's pad was");
	is_int(offsetof(struct lazy_cma_allocation_data, name),
	       offsetof(struct seed_allocation_data, name),
	       "name sits where the seed's name was");
}

static void test_derived(void)
{
	static const unsigned long cmds[] = { UAPI_COMMANDS(LIST_COMMAND) };
	size_t i, j;
	int dup = 0;

	is_int(LAZY_CMA_RANGE_SIZE_V1, sizeof(struct lazy_cma_range),
	       "LAZY_CMA_RANGE_SIZE_V1 == sizeof(struct lazy_cma_range)");
	is_int(_IOC_SIZE(LAZY_CMA_IOCTL_ALLOC),
	       sizeof(struct lazy_cma_allocation_data),
	       "ALLOC carries a whole struct lazy_cma_allocation_data");
	is_int(_IOC_SIZE(LAZY_CMA_IOCTL_RESIZE),
	       sizeof(struct lazy_cma_resize_data),
	       "RESIZE carries a whole struct lazy_cma_resize_data");
	is_int(_IOC_SIZE(LAZY_CMA_IOCTL_LIST), sizeof(struct lazy_cma_list),
	       "LIST carries a whole struct lazy_cma_list");
	is_int(_IOC_SIZE(LAZY_CMA_IOCTL_CRASH_BIND),
	       sizeof(struct lazy_cma_crash_bind),
	       "CRASH_BIND carries a whole struct lazy_cma_crash_bind");
	is_int(_IOC_SIZE(LAZY_CMA_IOCTL_CRASH_UNBIND),
	       sizeof(struct lazy_cma_crash_unbind),
	       "CRASH_UNBIND carries a whole struct lazy_cma_crash_unbind");
	is_int(LAZY_CMA_ALLOC_VALID_FLAGS,
	       LAZY_CMA_ALLOC_BELOW_4G | LAZY_CMA_ALLOC_ABOVE_4G,
	       "LAZY_CMA_ALLOC_VALID_FLAGS is exactly the defined flags");
	is_int(sizeof(LAZY_CMA_DEFAULT_NAME), 9, "default name \"lazy_cma\"");
	ok(sizeof(LAZY_CMA_DEFAULT_NAME) <= LAZY_CMA_NAME_MAX,
	   "the default name fits LAZY_CMA_NAME_MAX");

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		for (j = i + 1; j < ARRAY_SIZE(cmds); j++)
			dup += cmds[i] == cmds[j];
	is_int(dup, 0, "all %zu command values differ", ARRAY_SIZE(cmds));

	/* 8-byte alignment wherever a struct holds an __aligned_u64. */
	is_int(_Alignof(struct lazy_cma_range), 8, "struct lazy_cma_range is 8-aligned");
	is_int(_Alignof(struct lazy_cma_list), 8, "struct lazy_cma_list is 8-aligned");
	is_int(_Alignof(struct lazy_cma_crash_bind), 8,
	       "struct lazy_cma_crash_bind is 8-aligned");
	is_int(_Alignof(struct lazy_cma_crash_unbind), 8,
	       "struct lazy_cma_crash_unbind is 8-aligned");
}

int main(void)
{
	UAPI_SIZES(TEST_SIZE)
	UAPI_MEMBERS(TEST_MEMBER)
	UAPI_COMMANDS(TEST_COMMAND)
	UAPI_CONSTANTS(TEST_CONSTANT)
	test_seed();
	test_derived();
	return tap_done();
}
