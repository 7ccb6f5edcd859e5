// SPDX-License-Identifier: GPL-2.0
/*
 * estimate - the crash reservation the crash kernel and initrd need.
 */
#include <stdio.h>
#include <string.h>

#include "estimate.h"

#define PAGE		4096ULL
#define ELF64_EHDR	64ULL
#define ELF64_PHDR	56ULL

/*
 * The kernel-runtime table. One place, one row per kernel series.
 *
 * Measured by tests/bench/memory.sh: in the reference guest (2 GiB, 2 CPUs,
 * QEMU TCG, booted without crashkernel=, the busybox capture initrd of
 * tests/vm) the smallest reservation that captured a complete vmcore 3
 * times in a row, bisected in 2 MiB steps (2 MiB less failed: the crash
 * kernel deadlocked on memory or makedumpfile was killed). The runtime
 * term of a row is that minimum minus every other term of this estimate
 * evaluated for the reference guest, so that an estimate for it is the
 * measured minimum plus the margin: 19.1 MiB (6.1), 9.4 MiB (6.12) and
 * 18.1 MiB (7.x), what the crash kernel itself allocates with nr_cpus=1
 * (page tables, slab, per-CPU areas, the swiotlb it still sets up) beyond
 * its image and the initrd.
 */
static const struct estimate_runtime_ref runtime_table[] = {
	{ "6.1", 6, 1, 104 * MiB, 66682880, 5451776, 14511104, false, false,
	  "6.1.0-57-amd64, 2026-12-02" },
	{ "6.12", 6, 12, 88 * MiB, 58646528, 5513216, 14971904, true, false,
	  "6.12.118+deb13-amd64, 2026-12-02" },
	{ "7", 7, -1, 104 * MiB, 65331200, 5689344, 15677440, true, false,
	  "7.3.4+deb13-amd64, 2026-12-02" },
};

#define N_RUNTIME (sizeof(runtime_table) / sizeof(runtime_table[0]))

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

uint64_t estimate_align(uint64_t v)
{
	return round_up(v, ESTIMATE_ALIGN);
}

const struct estimate_runtime_ref *estimate_runtime_table(unsigned int *n)
{
	*n = N_RUNTIME;
	return runtime_table;
}

uint64_t estimate_elfcorehdr(uint64_t sysfs_size, unsigned int cpus,
			     unsigned int ram_ranges)
{
	if (sysfs_size)
		return round_up(ELF64_EHDR + sysfs_size, PAGE);
	return round_up(ELF64_EHDR + ((uint64_t)cpus + 2 + ram_ranges) *
			ELF64_PHDR, PAGE);
}

static uint64_t segments_bytes(uint64_t elfcorehdr, uint64_t cmdline_len)
{
	return ESTIMATE_PURGATORY +
	       round_up(ESTIMATE_BOOT_PARAMS + cmdline_len + 1, PAGE) +
	       elfcorehdr;
}

/* Each of makedumpfile's two bitmap buffers: 2 bits a page, at most 4 MiB. */
static uint64_t mdf_bitmap(uint64_t ram_end)
{
	uint64_t b = ram_end / PAGE * 2 / 8;

	return b < ESTIMATE_MDF_BITMAP_MAX ? b : ESTIMATE_MDF_BITMAP_MAX;
}

static uint64_t kernel_bytes(uint32_t init_size, uint32_t align)
{
	uint64_t slack = align > ESTIMATE_ALIGN ? align - ESTIMATE_ALIGN : 0;

	return round_up(init_size, PAGE) + slack;
}

uint64_t estimate_runtime_bytes(const struct estimate_runtime_ref *ref)
{
	uint64_t hdr, others;

	hdr = ref->crash_hotplug ?
	      estimate_elfcorehdr((2 + ESTIMATE_REF_NR_CPUS +
				   ESTIMATE_REF_MAX_RANGES) * ELF64_PHDR, 0, 0) :
	      estimate_elfcorehdr(0, ESTIMATE_REF_CPUS, ESTIMATE_REF_RANGES);
	others = kernel_bytes((uint32_t)ref->init_size, ESTIMATE_ALIGN) +
		 ref->initrd_file + ref->initrd_unpacked +
		 segments_bytes(hdr, ESTIMATE_REF_CMDLINE) +
		 2 * mdf_bitmap(ESTIMATE_REF_RAM) + ESTIMATE_MDF_RESIDENT;
	return ref->measured_min > others ? ref->measured_min - others : 0;
}

const struct estimate_runtime_ref *
estimate_runtime_lookup(unsigned int major, unsigned int minor,
			bool *fallback)
{
	const struct estimate_runtime_ref *best = NULL;
	size_t i;

	*fallback = false;
	for (i = 0; i < N_RUNTIME; i++)
		if (runtime_table[i].major == major &&
		    runtime_table[i].minor == (int)minor)
			return &runtime_table[i];
	for (i = 0; i < N_RUNTIME; i++)
		if (runtime_table[i].major == major &&
		    runtime_table[i].minor < 0)
			return &runtime_table[i];
	*fallback = true;
	for (i = 0; i < N_RUNTIME; i++)
		if (!best || estimate_runtime_bytes(&runtime_table[i]) >
			     estimate_runtime_bytes(best))
			best = &runtime_table[i];
	return best;
}

uint64_t estimate_low_size(uint64_t swiotlb_bytes)
{
	uint64_t low = swiotlb_bytes + 8 * MiB;

	if (low < 256 * MiB)
		low = 256 * MiB;
	return estimate_align(low);
}

/* "55.9 MiB" */
static const char *mib(uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%llu.%llu MiB", (unsigned long long)(v / MiB),
		 (unsigned long long)(v % MiB * 10 / MiB));
	return buf;
}

static void set(struct estimate_term *t, const char *name, uint64_t bytes)
{
	t->name = name;
	t->bytes = bytes;
	t->how[0] = '\0';
}

void estimate_compute(const struct estimate_input *in, struct estimate *ret)
{
	const struct bzimage_info *k = in->kernel;
	const struct initrd_info *rd = in->initrd;
	char a[32], b[32], c[32], d[32];
	struct estimate_term *t = ret->term;
	uint64_t hdr, bitmap, slack, sum = 0;
	unsigned int i, n;
	size_t len;

	memset(ret, 0, sizeof(*ret));

	slack = k->kernel_alignment > ESTIMATE_ALIGN ?
		k->kernel_alignment - ESTIMATE_ALIGN : 0;
	set(&t[EST_KERNEL], "kernel",
	    kernel_bytes(k->init_size, k->kernel_alignment));
	snprintf(t[EST_KERNEL].how, sizeof(t[EST_KERNEL].how),
		 "bzImage init_size %s (setup header 0x260, boot protocol %u.%02u) for kernel %s; kernel_alignment %s: %s",
		 mib(k->init_size, a, sizeof(a)), k->protocol >> 8,
		 k->protocol & 0xff, k->release[0] ? k->release : "(no version)",
		 mib(k->kernel_alignment, b, sizeof(b)),
		 slack ? "slack added above the 2 MiB alignment of the buffer" :
			 "no slack (the buffer is 2 MiB aligned)");

	set(&t[EST_INITRD], "initrd", round_up(rd->file_size, PAGE));
	snprintf(t[EST_INITRD].how, sizeof(t[EST_INITRD].how),
		 "the initrd as loaded: its file size, %llu bytes",
		 (unsigned long long)rd->file_size);

	set(&t[EST_INITRD_UNPACKED], "initrd-unpacked", rd->tmpfs_bytes);
	len = (size_t)snprintf(t[EST_INITRD_UNPACKED].how,
			       sizeof(t[EST_INITRD_UNPACKED].how),
			       "unpacked into tmpfs: %llu entries, %llu files with %s of data, in pages, + %d bytes per entry; from",
			       (unsigned long long)rd->entries,
			       (unsigned long long)rd->files,
			       mib(rd->data_bytes, a, sizeof(a)),
			       INITRD_ENTRY_OVERHEAD);
	n = rd->n_segments < INITRD_MAX_SEGMENTS ? rd->n_segments :
						   INITRD_MAX_SEGMENTS;
	for (i = 0; i < n && len < sizeof(t[0].how); i++) {
		const struct initrd_segment *s = &rd->seg[i];

		if (strcmp(s->format, "cpio") == 0)
			len += (size_t)snprintf(t[EST_INITRD_UNPACKED].how + len,
						sizeof(t[0].how) - len,
						"%s cpio %s", i ? "," : "",
						mib(s->out_bytes, a, sizeof(a)));
		else
			len += (size_t)snprintf(t[EST_INITRD_UNPACKED].how + len,
						sizeof(t[0].how) - len,
						"%s %s %s -> %s", i ? "," : "",
						s->format,
						mib(s->in_bytes, a, sizeof(a)),
						mib(s->out_bytes, b, sizeof(b)));
	}
	if (rd->n_segments > n && len < sizeof(t[0].how))
		snprintf(t[EST_INITRD_UNPACKED].how + len,
			 sizeof(t[0].how) - len, ", ... (%u segments)",
			 rd->n_segments);

	hdr = estimate_elfcorehdr(in->elfcorehdr_size, in->possible_cpus,
				  in->ram_ranges);
	set(&t[EST_SEGMENTS], "segments",
	    segments_bytes(hdr, in->cmdline_len));
	snprintf(t[EST_SEGMENTS].how, sizeof(t[EST_SEGMENTS].how),
		 "purgatory %d KiB (bound) + boot parameters and a %llu-byte command line %llu KiB + ELF core header %llu KiB (%s)",
		 ESTIMATE_PURGATORY / 1024, (unsigned long long)in->cmdline_len,
		 (unsigned long long)(round_up(ESTIMATE_BOOT_PARAMS +
					       in->cmdline_len + 1, PAGE) / 1024),
		 (unsigned long long)(hdr / 1024),
		 in->elfcorehdr_size ?
		 "the running kernel's crash_elfcorehdr_size" :
		 "one program header per possible CPU and System RAM range");

	ret->runtime_ref = estimate_runtime_lookup(k->major, k->minor,
						   &ret->runtime_fallback);
	set(&t[EST_RUNTIME], "kernel-runtime",
	    estimate_runtime_bytes(ret->runtime_ref));
	snprintf(t[EST_RUNTIME].how, sizeof(t[EST_RUNTIME].how),
		 "%s row \"%s\" of the kernel-runtime table%s: %s smallest reservation that captured, minus the other terms, in the reference guest (%s; %s)",
		 ret->runtime_fallback ? "no row for this series; the largest," :
					 "the",
		 ret->runtime_ref->series,
		 ret->runtime_ref->provisional ? " (PROVISIONAL, to be re-measured)" : "",
		 mib(ret->runtime_ref->measured_min, a, sizeof(a)),
		 "2 GiB RAM, 2 CPUs, busybox capture initrd, nr_cpus=1",
		 ret->runtime_ref->measured_on);

	bitmap = mdf_bitmap(in->ram_end);
	set(&t[EST_MAKEDUMPFILE], "makedumpfile",
	    2 * bitmap + ESTIMATE_MDF_RESIDENT);
	snprintf(t[EST_MAKEDUMPFILE].how, sizeof(t[EST_MAKEDUMPFILE].how),
		 "2 cyclic bitmap buffers of %s each (2 bits per page up to %s, from %s; capped at 4 MiB each, calculate_cyclic_buffer_size()) + %s resident",
		 mib(bitmap, a, sizeof(a)), mib(in->ram_end, b, sizeof(b)),
		 in->ram_source ? in->ram_source : "?",
		 mib(ESTIMATE_MDF_RESIDENT, c, sizeof(c)));

	for (i = 0; i < EST_MARGIN; i++)
		sum += t[i].bytes;
	set(&t[EST_MARGIN], "margin",
	    sum * ESTIMATE_MARGIN_PCT / 100 + ESTIMATE_MARGIN_FIXED);
	snprintf(t[EST_MARGIN].how, sizeof(t[EST_MARGIN].how),
		 "%d%% of the %s above + %s", ESTIMATE_MARGIN_PCT,
		 mib(sum, d, sizeof(d)), mib(ESTIMATE_MARGIN_FIXED, c, sizeof(c)));
	sum += t[EST_MARGIN].bytes;

	ret->sum = sum;
	ret->total = estimate_align(sum);
	ret->hard_min = estimate_align(t[EST_KERNEL].bytes + t[EST_INITRD].bytes +
				       t[EST_SEGMENTS].bytes);
	ret->core = ret->hard_min + ESTIMATE_CORE_SLACK;
	ret->work = estimate_align(t[EST_INITRD_UNPACKED].bytes +
				   t[EST_RUNTIME].bytes +
				   t[EST_MAKEDUMPFILE].bytes +
				   t[EST_MARGIN].bytes);
}
