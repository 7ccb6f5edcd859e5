/* SPDX-License-Identifier: GPL-2.0 */
/*
 * initrd - how much memory an initramfs takes once the kernel unpacked it.
 *
 * An initrd is what the kernel's init/initramfs.c unpacks: a sequence of
 * newc cpio archives ("070701", or "070702" with checksums), each ending
 * in a "TRAILER!!!" entry, with zero padding between them; uncompressed
 * ones first (early microcode), then compressed segments, each of which
 * decompresses to more archives. Recognised by their magic, as
 * lib/decompress.c does: gzip, bzip2, lzma, xz, lz4 (the legacy frame
 * format the kernel reads) and zstd. LZO is recognised but not read.
 *
 * The unpacked size is what tmpfs (the rootfs of an initramfs) holds:
 * every regular file's data rounded up to whole pages, long symlink
 * targets (a page each), and INITRD_ENTRY_OVERHEAD per entry for its inode
 * and dentry.
 */
#ifndef LAZY_KDUMP_INITRD_H
#define LAZY_KDUMP_INITRD_H

#include <stddef.h>
#include <stdint.h>

#include "lkerr.h"

#define INITRD_PAGE_SIZE	4096
/*
 * Slab memory of one tmpfs entry: struct shmem_inode_info with its
 * embedded struct inode (about 750 bytes on x86-64 6.x) plus a dentry
 * (192 bytes), rounded up.
 */
#define INITRD_ENTRY_OVERHEAD	1024
/* tmpfs keeps symlink targets shorter than this in the inode. */
#define INITRD_SHORT_SYMLINK	128
/* The kernel's PATH_MAX: longer names are refused. */
#define INITRD_NAME_MAX		4096

/* How many segments initrd_info records (all are counted). */
#define INITRD_MAX_SEGMENTS	16

struct initrd_segment {
	uint64_t offset;	/* in the file */
	uint64_t in_bytes;	/* bytes of the file it takes */
	uint64_t out_bytes;	/* bytes of cpio it holds */
	const char *format;	/* "cpio", "gzip", "xz", "zstd", ... */
};

struct initrd_info {
	uint64_t file_size;
	uint64_t archives;	/* cpio archives (TRAILER!!! seen) */
	uint64_t entries;	/* cpio entries, trailers excluded */
	uint64_t files;		/* regular files among them */
	uint64_t data_bytes;	/* sum of the regular files' sizes */
	uint64_t tmpfs_bytes;	/* memory once unpacked, see above */
	unsigned int n_segments;
	struct initrd_segment seg[INITRD_MAX_SEGMENTS];
};

/*
 * initrd_analyze_buffer - unpack (without writing anything) the initrd
 * image in @buf and count what it holds
 *
 * Return: 0 with *@ret filled, or -EINVAL (not a cpio archive, corrupt or
 * truncated data, junk), -ENOTSUP (LZO, or an unknown compression: the
 * detail names the magic bytes), -ENOMEM; the detail in @e says what and
 * at which offset.
 */
int initrd_analyze_buffer(const void *buf, size_t len,
			  struct initrd_info *ret, struct lk_error *e);

/*
 * initrd_analyze - initrd_analyze_buffer() on a file
 *
 * Return: as above, or the -errno of opening or mapping it (no detail).
 */
int initrd_analyze(const char *path, struct initrd_info *ret,
		   struct lk_error *e);

#endif /* LAZY_KDUMP_INITRD_H */
