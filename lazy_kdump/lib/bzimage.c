// SPDX-License-Identifier: GPL-2.0
/*
 * bzimage - read the x86 boot protocol setup header of a bzImage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzimage.h"

/* The setup code is at most 64 sectors; the version string lies in it. */
#define BZ_READ_MAX	(65 * 512)

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	       (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	return (uint64_t)get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

/* "6.12.117+deb13-amd64" -> 6, 12. */
static void parse_release(const char *s, unsigned int *major,
			  unsigned int *minor)
{
	unsigned int a = 0, b = 0;
	const char *p = s;

	*major = *minor = 0;
	if (*p < '0' || *p > '9')
		return;
	while (*p >= '0' && *p <= '9' && a < 10000)
		a = a * 10 + (unsigned int)(*p++ - '0');
	if (*p != '.')
		return;
	p++;
	if (*p < '0' || *p > '9')
		return;
	while (*p >= '0' && *p <= '9' && b < 10000)
		b = b * 10 + (unsigned int)(*p++ - '0');
	*major = a;
	*minor = b;
}

/* Copy the NUL-terminated version string at @off, if it is all there. */
static void read_version(const uint8_t *b, size_t len, size_t off,
			 struct bzimage_info *ret)
{
	size_t i, n;

	ret->version[0] = ret->release[0] = '\0';
	if (off >= len)
		return;
	for (n = 0; off + n < len && b[off + n]; n++)
		if (b[off + n] < 0x20 || b[off + n] > 0x7e)
			return;		/* not a version string */
	if (off + n >= len || n == 0)
		return;
	if (n >= sizeof(ret->version))
		n = sizeof(ret->version) - 1;
	memcpy(ret->version, b + off, n);
	ret->version[n] = '\0';
	for (i = 0; i < n && i + 1 < sizeof(ret->release) &&
		    ret->version[i] != ' '; i++)
		ret->release[i] = ret->version[i];
	ret->release[i] = '\0';
	parse_release(ret->release, &ret->major, &ret->minor);
}

int bzimage_parse(const void *buf, size_t len, uint64_t file_size,
		  struct bzimage_info *ret, struct lk_error *e)
{
	const uint8_t *b = buf;
	struct bzimage_info info;
	unsigned int sects;
	uint16_t kv;

	memset(&info, 0, sizeof(info));
	if (len < BZ_HEADER_END)
		return lk_error_set(e, -EINVAL,
				    "truncated: %zu bytes, shorter than the %d bytes of a bzImage setup header",
				    len, BZ_HEADER_END);
	if (memcmp(b + BZ_OFF_HEADER, "HdrS", 4) != 0)
		return lk_error_set(e, -EINVAL,
				    "no \"HdrS\" magic at offset 0x%x (found %02x %02x %02x %02x): not a bzImage kernel",
				    BZ_OFF_HEADER, b[BZ_OFF_HEADER],
				    b[BZ_OFF_HEADER + 1], b[BZ_OFF_HEADER + 2],
				    b[BZ_OFF_HEADER + 3]);
	if (get16(b, BZ_OFF_BOOT_FLAG) != 0xaa55)
		return lk_error_set(e, -EINVAL,
				    "no 0xaa55 boot flag at offset 0x%x: not a bzImage kernel",
				    BZ_OFF_BOOT_FLAG);

	info.file_size = file_size;
	info.protocol = get16(b, BZ_OFF_VERSION);
	if (info.protocol < BZ_MIN_PROTOCOL)
		return lk_error_set(e, -EINVAL,
				    "boot protocol %u.%02u is older than 2.12, which kexec_file_load needs (a kernel before 3.8?)",
				    info.protocol >> 8, info.protocol & 0xff);

	sects = b[BZ_OFF_SETUP_SECTS];
	if (sects == 0)
		sects = 4;
	info.setup_size = ((uint64_t)sects + 1) * 512;
	info.payload_size = (uint64_t)get32(b, BZ_OFF_SYSSIZE) * 16;
	info.loadflags = b[BZ_OFF_LOADFLAGS];
	info.kernel_alignment = get32(b, BZ_OFF_KERNEL_ALIGN);
	info.xloadflags = get16(b, BZ_OFF_XLOADFLAGS);
	info.cmdline_size = get32(b, BZ_OFF_CMDLINE_SIZE);
	info.pref_address = get64(b, BZ_OFF_PREF_ADDRESS);
	info.init_size = get32(b, BZ_OFF_INIT_SIZE);

	if (!(info.loadflags & BZ_LOADED_HIGH))
		return lk_error_set(e, -EINVAL,
				    "loadflags 0x%02x lack LOADED_HIGH: not a bzImage (a zImage?)",
				    info.loadflags);
	if (!b[BZ_OFF_RELOCATABLE])
		return lk_error_set(e, -EINVAL,
				    "not relocatable (relocatable_kernel is 0): a crash kernel must run where the reservation is");
	if ((info.xloadflags & (BZ_XLF_KERNEL_64 | BZ_XLF_ABOVE_4G)) !=
	    (BZ_XLF_KERNEL_64 | BZ_XLF_ABOVE_4G))
		return lk_error_set(e, -EINVAL,
				    "xloadflags 0x%04x lack the 64-bit entry point or loading above 4 GiB: not an x86-64 kernel",
				    info.xloadflags);
	if (info.init_size == 0)
		return lk_error_set(e, -EINVAL,
				    "init_size at offset 0x%x is 0", BZ_OFF_INIT_SIZE);
	if (info.kernel_alignment == 0 ||
	    (info.kernel_alignment & (info.kernel_alignment - 1)))
		return lk_error_set(e, -EINVAL,
				    "kernel_alignment 0x%x at offset 0x%x is not a power of two",
				    info.kernel_alignment, BZ_OFF_KERNEL_ALIGN);
	if (file_size < info.setup_size + info.payload_size)
		return lk_error_set(e, -EINVAL,
				    "truncated: %llu bytes, but its header says %llu (%llu of setup code and %llu of kernel)",
				    (unsigned long long)file_size,
				    (unsigned long long)(info.setup_size +
							 info.payload_size),
				    (unsigned long long)info.setup_size,
				    (unsigned long long)info.payload_size);

	kv = get16(b, BZ_OFF_KERNEL_VERSION);
	if (kv)
		read_version(b, len, (size_t)kv + 0x200, &info);

	*ret = info;
	return 0;
}

int bzimage_read(const char *path, struct bzimage_info *ret,
		 struct lk_error *e)
{
	uint8_t buf[BZ_READ_MAX];	/* 32.5 KiB */
	struct stat st;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = lk_error_set(e, -EINVAL, "not a regular file");
		goto out;
	}
	while (got < sizeof(buf)) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	r = bzimage_parse(buf, got, (uint64_t)st.st_size, ret, e);
out:
	close(fd);
	return r;
}
