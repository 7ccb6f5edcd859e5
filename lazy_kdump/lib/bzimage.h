/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bzimage - read the x86 boot protocol setup header of a bzImage.
 *
 * The fields and offsets are those of the kernel's
 * Documentation/arch/x86/boot.rst ("The Real-Mode Kernel Header"). The
 * checks are the ones kexec_file_load(2) makes before it loads a bzImage
 * (arch/x86/kernel/kexec-bzimage64.c, bzImage64_probe()), so an image this
 * accepts is one the kernel will not refuse for its header.
 */
#ifndef LAZY_KDUMP_BZIMAGE_H
#define LAZY_KDUMP_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "lkerr.h"

/* Offsets in the setup header. */
#define BZ_OFF_SETUP_SECTS	0x1f1	/* u8: 512-byte sectors after the boot sector; 0 means 4 */
#define BZ_OFF_SYSSIZE		0x1f4	/* u32: protected-mode code, 16-byte units */
#define BZ_OFF_BOOT_FLAG	0x1fe	/* u16: 0xaa55 */
#define BZ_OFF_HEADER		0x202	/* "HdrS" */
#define BZ_OFF_VERSION		0x206	/* u16: boot protocol, 0x20f = 2.15 */
#define BZ_OFF_KERNEL_VERSION	0x20e	/* u16: version string - 0x200 */
#define BZ_OFF_LOADFLAGS	0x211	/* u8 */
#define BZ_OFF_KERNEL_ALIGN	0x230	/* u32: physical alignment the kernel needs */
#define BZ_OFF_RELOCATABLE	0x234	/* u8 */
#define BZ_OFF_XLOADFLAGS	0x236	/* u16 (2.12+) */
#define BZ_OFF_CMDLINE_SIZE	0x238	/* u32 (2.06+): longest command line */
#define BZ_OFF_PREF_ADDRESS	0x258	/* u64 (2.10+) */
#define BZ_OFF_INIT_SIZE	0x260	/* u32 (2.10+): memory the kernel needs to boot */
#define BZ_HEADER_END		0x264	/* the header up to and including init_size */

#define BZ_LOADED_HIGH		0x01	/* loadflags: protected mode at 0x100000 */
#define BZ_XLF_KERNEL_64	0x01	/* xloadflags: 64-bit entry at +0x200 */
#define BZ_XLF_ABOVE_4G		0x02	/* xloadflags: may be loaded above 4 GiB */

/* kexec_file_load needs the 64-bit entry point: boot protocol 2.12. */
#define BZ_MIN_PROTOCOL		0x020c

struct bzimage_info {
	uint64_t file_size;
	uint64_t setup_size;		/* (setup_sects + 1) * 512 */
	uint64_t payload_size;		/* syssize * 16: the compressed kernel */
	uint16_t protocol;		/* 0x020f = 2.15 */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t kernel_alignment;
	uint32_t cmdline_size;		/* longest command line, without NUL */
	uint64_t pref_address;
	uint32_t init_size;		/* bytes from the load address to boot */
	char version[160];		/* "6.12.117+deb13-amd64 (debian-kernel@...) #1 ..." */
	char release[65];		/* its first word: "6.12.117+deb13-amd64" */
	unsigned int major, minor;	/* 6, 12; 0, 0 when there is no version */
};

/*
 * bzimage_parse - check and decode a setup header
 * @buf: the start of the image (at least BZ_HEADER_END bytes, or the whole
 *	file when it is shorter); the version string is read from it when it
 *	lies within @len
 * @file_size: the size of the whole file
 *
 * Return: 0 with *@ret filled, or -EINVAL (not a bzImage, too old, not a
 * 64-bit relocatable kernel, truncated) with a detail in @e.
 */
int bzimage_parse(const void *buf, size_t len, uint64_t file_size,
		  struct bzimage_info *ret, struct lk_error *e);

/*
 * bzimage_read - bzimage_parse() on a file
 *
 * Return: 0, the -errno of open/read (no detail), or bzimage_parse()'s.
 */
int bzimage_read(const char *path, struct bzimage_info *ret,
		 struct lk_error *e);

#endif /* LAZY_KDUMP_BZIMAGE_H */
