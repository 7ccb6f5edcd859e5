// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage setup headers: the cached Debian kernels (skipped when the
 * cache is empty) and synthetic headers for every error path.
 *
 * Usage: test-bzimage [KERNEL_CACHE_DIR]   (default /var/cache/lazy-kdump/kernels)
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzimage.h"
#include "tap.h"

#define IMG_SIZE	(64 * 1024)

static uint8_t img[IMG_SIZE];

static void put16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

/* A minimal valid header: 2.15, 64-bit, relocatable, version string. */
static void make_good(void)
{
	memset(img, 0, sizeof(img));
	img[BZ_OFF_SETUP_SECTS] = 7;			/* setup = 8 * 512 */
	put32(BZ_OFF_SYSSIZE, (IMG_SIZE - 8 * 512) / 16);
	put16(BZ_OFF_BOOT_FLAG, 0xaa55);
	memcpy(img + BZ_OFF_HEADER, "HdrS", 4);
	put16(BZ_OFF_VERSION, 0x020f);
	put16(BZ_OFF_KERNEL_VERSION, 0x400);		/* string at 0x600 */
	img[BZ_OFF_LOADFLAGS] = BZ_LOADED_HIGH;
	put32(BZ_OFF_KERNEL_ALIGN, 0x200000);
	img[BZ_OFF_RELOCATABLE] = 1;
	put16(BZ_OFF_XLOADFLAGS, BZ_XLF_KERNEL_64 | BZ_XLF_ABOVE_4G);
	put32(BZ_OFF_CMDLINE_SIZE, 2047);
	put32(BZ_OFF_INIT_SIZE, 0x3000000);
	strcpy((char *)img + 0x600, "6.12.117+deb13-amd64 (builder) #1 SMP");
}

struct bad_case {
	const char *what;
	void (*mutate)(void);
	size_t len;		/* bytes given; 0: all */
	const char *detail;	/* a word the detail must contain */
};

static void bad_magic(void) { memcpy(img + BZ_OFF_HEADER, "HdrZ", 4); }
static void bad_flag(void) { put16(BZ_OFF_BOOT_FLAG, 0x1234); }
static void old_proto(void) { put16(BZ_OFF_VERSION, 0x020a); }
static void not_64(void) { put16(BZ_OFF_XLOADFLAGS, BZ_XLF_ABOVE_4G); }
static void not_reloc(void) { img[BZ_OFF_RELOCATABLE] = 0; }
static void not_high(void) { img[BZ_OFF_LOADFLAGS] = 0; }
static void no_init(void) { put32(BZ_OFF_INIT_SIZE, 0); }
static void bad_align(void) { put32(BZ_OFF_KERNEL_ALIGN, 0x300000); }
static void long_kernel(void) { put32(BZ_OFF_SYSSIZE, IMG_SIZE / 16); }
static void nothing(void) { }

static const struct bad_case bad_cases[] = {
	{ "bad HdrS magic", bad_magic, 0, "HdrS" },
	{ "bad boot flag", bad_flag, 0, "0xaa55" },
	{ "protocol 2.10", old_proto, 0, "2.10" },
	{ "no 64-bit entry", not_64, 0, "64" },
	{ "not relocatable", not_reloc, 0, "relocatable" },
	{ "no LOADED_HIGH", not_high, 0, "LOADED_HIGH" },
	{ "init_size 0", no_init, 0, "init_size" },
	{ "kernel_alignment not a power of two", bad_align, 0, "power of two" },
	{ "file shorter than syssize says", long_kernel, 0, "truncated" },
	{ "truncated inside the header", nothing, 0x200, "truncated" },
	{ "empty", nothing, 1, "truncated" },
};

static void synthetic(void)
{
	struct bzimage_info info;
	struct lk_error e;
	size_t i;
	int r;

	make_good();
	memset(&info, 0x5a, sizeof(info));
	r = bzimage_parse(img, sizeof(img), sizeof(img), &info, &e);
	is_int(r, 0, "synthetic: a valid header parses");
	is_int(info.protocol, 0x020f, "synthetic: protocol 2.15");
	is_u64(info.init_size, 0x3000000, "synthetic: init_size");
	is_u64(info.setup_size, 8 * 512, "synthetic: setup size from setup_sects");
	is_u64(info.kernel_alignment, 0x200000, "synthetic: kernel_alignment");
	is_u64(info.cmdline_size, 2047, "synthetic: cmdline_size");
	is_str(info.release, "6.12.117+deb13-amd64", "synthetic: release from the version string");
	is_int(info.major, 6, "synthetic: major");
	is_int(info.minor, 12, "synthetic: minor");

	make_good();
	put16(BZ_OFF_KERNEL_VERSION, 0);
	r = bzimage_parse(img, sizeof(img), sizeof(img), &info, &e);
	ok(r == 0 && info.release[0] == '\0' && info.major == 0,
	   "synthetic: no version string: parses, series unknown");

	make_good();
	img[BZ_OFF_SETUP_SECTS] = 0;			/* means 4 */
	put32(BZ_OFF_SYSSIZE, 0);
	r = bzimage_parse(img, sizeof(img), sizeof(img), &info, &e);
	ok(r == 0 && info.setup_size == 5 * 512,
	   "synthetic: setup_sects 0 means 4");

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len;

		make_good();
		c->mutate();
		len = c->len ? c->len : sizeof(img);
		memset(&info, 0x5a, sizeof(info));
		e.msg[0] = '\0';
		r = bzimage_parse(img, len, len, &info, &e);
		is_int(r, -EINVAL, "synthetic: %s is refused", c->what);
		ok(strstr(e.msg, c->detail) != NULL,
		   "synthetic: %s: the detail names it (%s)", c->what, e.msg);
		ok(info.init_size == 0x5a5a5a5a,
		   "synthetic: %s: the result is untouched", c->what);
	}
}

static void files(void)
{
	char path[] = "/tmp/test-bzimage.XXXXXX";
	struct bzimage_info info;
	struct lk_error e;
	int fd, r;

	make_good();
	fd = mkstemp(path);
	if (fd < 0) {
		skip("mkstemp failed", "bzimage_read of a file");
		return;
	}
	ok(write(fd, img, 4096) == 4096, "wrote a truncated image");
	close(fd);
	e.msg[0] = '\0';
	r = bzimage_read(path, &info, &e);
	ok(r == -EINVAL && strstr(e.msg, "truncated"),
	   "bzimage_read: a truncated file is refused (%s)", e.msg);
	unlink(path);
	r = bzimage_read(path, &info, &e);
	is_int(r, -ENOENT, "bzimage_read: a missing file is -ENOENT");
	r = bzimage_read("/", &info, &e);
	is_int(r, -EINVAL, "bzimage_read: a directory is refused");
}

/* Every cached Debian kernel: the release in its info file must match. */
static void debian(const char *cache)
{
	char info_path[4096], line[512], img_path[4096], kver[256];
	unsigned int found = 0;
	struct dirent *d;
	DIR *dir;

	dir = opendir(cache);
	if (!dir) {
		skip("no kernel cache", "Debian kernels in %s", cache);
		return;
	}
	while ((d = readdir(dir))) {
		struct bzimage_info info;
		struct lk_error e = { "" };
		FILE *f;
		int r;

		if (d->d_name[0] == '.' || strcmp(d->d_name, "by-suite") == 0)
			continue;
		snprintf(info_path, sizeof(info_path), "%s/%s/info", cache,
			 d->d_name);
		f = fopen(info_path, "r");
		if (!f)
			continue;
		img_path[0] = kver[0] = '\0';
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "VMLINUZ='", 9) == 0)
				snprintf(img_path, sizeof(img_path), "%s/%s/root/%.*s",
					 cache, d->d_name,
					 (int)(strlen(line) - 10), line + 9);
			if (strncmp(line, "KVER='", 6) == 0)
				snprintf(kver, sizeof(kver), "%.*s",
					 (int)(strlen(line) - 7), line + 6);
		}
		fclose(f);
		if (!img_path[0] || access(img_path, R_OK) != 0)
			continue;
		found++;
		r = bzimage_read(img_path, &info, &e);
		is_int(r, 0, "%s: parses (%s)", kver, e.msg);
		if (r < 0)
			continue;
		is_str(info.release, kver, "%s: the version string names it", kver);
		ok(info.init_size > 32U << 20 && info.init_size < 128U << 20,
		   "%s: init_size %u is between 32 and 128 MiB", kver,
		   info.init_size);
		ok(info.protocol >= 0x020c, "%s: protocol %x >= 2.12", kver,
		   info.protocol);
		ok(info.major >= 6, "%s: series %u.%u", kver, info.major,
		   info.minor);
		ok(info.cmdline_size >= 2047, "%s: cmdline_size %u", kver,
		   info.cmdline_size);
	}
	closedir(dir);
	if (!found)
		skip("no cached kernel image", "Debian kernels in %s", cache);
}

int main(int argc, char **argv)
{
	synthetic();
	files();
	debian(argc > 1 ? argv[1] : "/var/cache/lazy-kdump/kernels");
	return tap_done();
}
