// SPDX-License-Identifier: GPL-2.0
/*
 * Sizing: the terms add up, each term follows its inputs, the runtime
 * table is consistent with its reference guest, the low companion rule.
 */
#include "estimate.h"
#include "tap.h"

static struct bzimage_info kernel(unsigned int major, unsigned int minor,
				  uint32_t init_size, uint32_t align)
{
	struct bzimage_info k;

	memset(&k, 0, sizeof(k));
	k.protocol = 0x020f;
	k.init_size = init_size;
	k.kernel_alignment = align;
	k.major = major;
	k.minor = minor;
	snprintf(k.release, sizeof(k.release), "%u.%u.0-test", major, minor);
	return k;
}

static struct initrd_info initrd(uint64_t file, uint64_t tmpfs)
{
	struct initrd_info rd;

	memset(&rd, 0, sizeof(rd));
	rd.file_size = file;
	rd.tmpfs_bytes = tmpfs;
	rd.n_segments = 1;
	rd.seg[0].format = "zstd";
	rd.seg[0].in_bytes = file;
	rd.seg[0].out_bytes = tmpfs;
	return rd;
}

static void adds_up(void)
{
	struct bzimage_info k = kernel(6, 12, 58650624, 2 * MiB);
	struct initrd_info rd = initrd(3 * MiB + 17, 9 * MiB);
	struct estimate_input in = { &k, &rd, 600, 96ULL << 30, 100ULL << 30, 3,
				     "test", 4, 0 };
	struct estimate est;
	uint64_t sum = 0;
	unsigned int i;

	estimate_compute(&in, &est);
	for (i = 0; i < EST_N_TERMS; i++) {
		sum += est.term[i].bytes;
		ok(est.term[i].name && est.term[i].how[0],
		   "term %s has a name and says how", est.term[i].name);
	}
	is_u64(est.sum, sum, "the terms add up to the sum");
	ok(est.total >= est.sum && est.total - est.sum < ESTIMATE_ALIGN &&
	   est.total % ESTIMATE_ALIGN == 0, "the total is the sum rounded up to 2 MiB");
	is_u64(est.term[EST_KERNEL].bytes, 58650624, "kernel = init_size (page aligned, no slack at 2 MiB)");
	is_u64(est.term[EST_INITRD].bytes, 3 * MiB + 4096, "initrd = file size in pages");
	is_u64(est.term[EST_INITRD_UNPACKED].bytes, 9 * MiB, "initrd-unpacked = tmpfs bytes");
	is_u64(est.term[EST_SEGMENTS].bytes,
	       ESTIMATE_PURGATORY + 12288 + 4096,
	       "segments: purgatory + params/cmdline pages + small elfcorehdr");
	is_u64(est.term[EST_MAKEDUMPFILE].bytes,
	       2 * (4 * MiB) + ESTIMATE_MDF_RESIDENT,
	       "makedumpfile: bitmaps capped at 4 MiB each for 100 GiB");
	is_u64(est.term[EST_MARGIN].bytes,
	       (est.sum - est.term[EST_MARGIN].bytes) * 5 / 100 + 4 * MiB,
	       "margin: 5%% + 4 MiB");
	is_u64(est.hard_min,
	       estimate_align(est.term[EST_KERNEL].bytes + est.term[EST_INITRD].bytes +
			      est.term[EST_SEGMENTS].bytes),
	       "hard minimum: kernel + initrd + segments, rounded");
	ok(est.hard_min < est.total, "the hard minimum is below the estimate");
	is_u64(est.core, est.hard_min + 2 * MiB,
	       "split: the core is the hard minimum + 2 MiB of placement slack");
	is_u64(est.work,
	       estimate_align(est.term[EST_INITRD_UNPACKED].bytes + est.term[EST_RUNTIME].bytes +
			      est.term[EST_MAKEDUMPFILE].bytes + est.term[EST_MARGIN].bytes),
	       "split: the working memory is the other terms, rounded");
	ok(est.core % ESTIMATE_ALIGN == 0 && est.work % ESTIMATE_ALIGN == 0 &&
	   est.core + est.work >= est.total && est.core + est.work <= est.total + 4 * MiB,
	   "split: core + working memory is the held total, within the slack and rounding");
	ok(!est.runtime_fallback && strcmp(est.runtime_ref->series, "6.12") == 0,
	   "6.12 uses the 6.12 row");

	/* Each input moves its term. */
	{
		struct estimate e2;
		struct bzimage_info k2 = kernel(6, 12, 58650624, 16 * MiB);
		struct estimate_input in2 = in;

		in2.kernel = &k2;
		estimate_compute(&in2, &e2);
		is_u64(e2.term[EST_KERNEL].bytes, 58650624 + 14 * MiB,
		       "kernel_alignment 16 MiB adds 14 MiB of slack");
		in2 = in;
		in2.ram_end = 2ULL << 30;
		estimate_compute(&in2, &e2);
		is_u64(e2.term[EST_MAKEDUMPFILE].bytes,
		       2 * (524288 * 2 / 8) + ESTIMATE_MDF_RESIDENT,
		       "makedumpfile: 2 bits per page of 2 GiB in each of two buffers");
		in2 = in;
		in2.elfcorehdr_size = (2 + 8192 + 8192) * 56;
		estimate_compute(&in2, &e2);
		is_u64(e2.term[EST_SEGMENTS].bytes,
		       ESTIMATE_PURGATORY + 12288 + 921600,
		       "segments: the running kernel's crash_elfcorehdr_size + Ehdr, in pages");
	}
}

static void table(void)
{
	const struct estimate_runtime_ref *t, *r;
	unsigned int n, i;
	bool fb;

	t = estimate_runtime_table(&n);
	ok(n >= 3, "the table has rows for 6.1, 6.12 and 7");
	for (i = 0; i < n; i++) {
		struct bzimage_info k = kernel(t[i].major,
					       t[i].minor < 0 ? 3 : (unsigned int)t[i].minor,
					       (uint32_t)t[i].init_size, 2 * MiB);
		struct initrd_info rd = initrd(t[i].initrd_file, t[i].initrd_unpacked);
		struct estimate_input in = {
			&k, &rd, ESTIMATE_REF_CMDLINE - 1, ESTIMATE_REF_RAM,
			ESTIMATE_REF_RAM, ESTIMATE_REF_RANGES, "ref",
			ESTIMATE_REF_CPUS,
			t[i].crash_hotplug ? (2 + 8192 + 8192) * 56 : 0
		};
		struct estimate est;
		uint64_t rt = estimate_runtime_bytes(&t[i]);

		ok(rt > 4 * MiB && rt < 64 * MiB,
		   "row %s: runtime %" PRIu64 " KiB is plausible", t[i].series,
		   rt >> 10);
		estimate_compute(&in, &est);
		is_u64(est.sum - est.term[EST_MARGIN].bytes, t[i].measured_min,
		       "row %s: for its reference guest the terms give the measured minimum",
		       t[i].series);
		ok(est.total <= t[i].measured_min * 115 / 100,
		   "row %s: auto %" PRIu64 " MiB <= 1.15 x measured %" PRIu64 " MiB",
		   t[i].series, est.total >> 20, t[i].measured_min >> 20);
	}
	r = estimate_runtime_lookup(7, 9, &fb);
	ok(r && !fb && strcmp(r->series, "7") == 0, "7.9 uses the row for every 7.x");
	r = estimate_runtime_lookup(6, 1, &fb);
	ok(r && !fb && strcmp(r->series, "6.1") == 0, "6.1 exact");
	r = estimate_runtime_lookup(6, 6, &fb);
	ok(r && fb, "6.6 has no row: fallback");
	for (i = 0; i < n; i++)
		ok(estimate_runtime_bytes(r) >= estimate_runtime_bytes(&t[i]),
		   "the fallback is at least row %s", t[i].series);
	r = estimate_runtime_lookup(0, 0, &fb);
	ok(r && fb, "no version string: fallback");
}

static void low_and_elf(void)
{
	is_u64(estimate_low_size(64 * MiB), 256 * MiB, "low companion: 256 MiB for the default swiotlb");
	is_u64(estimate_low_size(512 * MiB), 520 * MiB, "low companion: swiotlb 512 MiB + 8 MiB");
	is_u64(estimate_low_size(249 * MiB), 258 * MiB, "low companion: rounded up to 2 MiB");
	is_u64(estimate_elfcorehdr(0, 4, 3), 4096, "elfcorehdr: small machine, one page");
	is_u64(estimate_elfcorehdr(0, 8192, 100), 64 + (8192 + 2 + 100) * 56 + 4096 - (64 + (8192 + 2 + 100) * 56) % 4096,
	       "elfcorehdr: 8192 CPUs");
}

int main(void)
{
	adds_up();
	table();
	low_and_elf();
	return tap_done();
}
