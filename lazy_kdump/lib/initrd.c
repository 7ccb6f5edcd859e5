// SPDX-License-Identifier: GPL-2.0
/*
 * initrd - how much memory an initramfs takes once the kernel unpacked it.
 *
 * The walk follows the rules of init/initramfs.c (unpack_to_rootfs(),
 * flush_buffer(), do_reset()): at the top level zero bytes are skipped, a
 * '0' at a 4-byte aligned offset starts an uncompressed archive, anything
 * else must be the magic of a compressed segment; a decompressed segment
 * holds archives separated by zeros and must end after a trailer.
 * Decompressed data is streamed through a small state machine, never kept.
 */
#define ZLIB_CONST
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lz4.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "initrd.h"

#define CPIO_HEADER_SIZE	110
/* The kernel's legacy lz4 frames hold at most 8 MiB each. */
#define LZ4_LEGACY_MAGIC	0x184c2102U
#define LZ4_LEGACY_CHUNK	(8U << 20)
#define OUT_SIZE		LZ4_LEGACY_CHUNK

#define S_TYPE_MASK	0170000U
#define S_TYPE_REG	0100000U
#define S_TYPE_LNK	0120000U

enum cpio_state {
	CPIO_RESET,	/* between archives: zeros, or a '0' for the next */
	CPIO_HEADER,	/* collecting the 110-byte header */
	CPIO_NAME,	/* collecting the name */
	CPIO_SKIP,	/* name padding, data, data padding */
};

struct cpio {
	struct initrd_info *info;
	struct lk_error *e;
	bool compressed;	/* inside a decompressed segment */
	const char *format;	/* of that segment */
	uint64_t seg_off;	/* its offset in the file */
	uint64_t off;		/* offset in the stream (the file at top level) */
	enum cpio_state st;
	enum cpio_state after_skip;
	uint64_t entry_off;
	uint8_t hdr[CPIO_HEADER_SIZE];
	size_t hdr_len;
	char name[INITRD_NAME_MAX];
	size_t name_len, namesize;
	uint64_t left;
	uint32_t mode;
	uint64_t filesize;
};

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* "at offset 0x1234" or "at offset 0x1234 of the gzip data at 0x400". */
static const char *where(const struct cpio *c, uint64_t off, char *buf,
			 size_t size)
{
	if (c->compressed)
		snprintf(buf, size, "at offset 0x%llx of the %s data at file offset 0x%llx",
			 (unsigned long long)off, c->format,
			 (unsigned long long)c->seg_off);
	else
		snprintf(buf, size, "at file offset 0x%llx",
			 (unsigned long long)off);
	return buf;
}

static int hex8(const uint8_t *p, uint32_t *ret)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		uint8_t ch = p[i];
		uint32_t d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10u;
		else if (ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10u;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*ret = v;
	return 0;
}

static int parse_header(struct cpio *c)
{
	static const char *const field[] = {
		"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
		"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize",
		"check"
	};
	uint32_t v[13];
	char w[128];
	int i;

	if (memcmp(c->hdr, "070701", 6) != 0 &&
	    memcmp(c->hdr, "070702", 6) != 0) {
		if (memcmp(c->hdr, "070707", 6) == 0)
			return lk_error_set(c->e, -EINVAL,
					    "old portable (odc) cpio header %s: the kernel reads only the newc format (cpio -H newc)",
					    where(c, c->entry_off, w, sizeof(w)));
		return lk_error_set(c->e, -EINVAL,
				    "no cpio magic %s (found %02x %02x %02x %02x %02x %02x): corrupt or not an initramfs",
				    where(c, c->entry_off, w, sizeof(w)),
				    c->hdr[0], c->hdr[1], c->hdr[2], c->hdr[3],
				    c->hdr[4], c->hdr[5]);
	}
	for (i = 0; i < 13; i++)
		if (hex8(c->hdr + 6 + 8 * i, &v[i]) < 0)
			return lk_error_set(c->e, -EINVAL,
					    "cpio header %s: field %s is not hexadecimal",
					    where(c, c->entry_off, w, sizeof(w)),
					    field[i]);
	c->mode = v[1];
	c->filesize = v[6];
	c->namesize = v[11];
	if (c->namesize == 0 || c->namesize > INITRD_NAME_MAX)
		return lk_error_set(c->e, -EINVAL,
				    "cpio header %s: name size %zu is not between 1 and %d",
				    where(c, c->entry_off, w, sizeof(w)),
				    c->namesize, INITRD_NAME_MAX);
	return 0;
}

/* The name is complete: account for the entry; set up the skip. */
static int entry_done(struct cpio *c)
{
	struct initrd_info *in = c->info;
	uint64_t pad;
	char w[128];
	bool trailer;

	if (c->name[c->namesize - 1] != '\0')
		return lk_error_set(c->e, -EINVAL,
				    "cpio entry %s: its name is not NUL-terminated",
				    where(c, c->entry_off, w, sizeof(w)));
	trailer = strcmp(c->name, "TRAILER!!!") == 0;
	if (trailer) {
		in->archives++;
	} else {
		in->entries++;
		in->tmpfs_bytes += INITRD_ENTRY_OVERHEAD;
		switch (c->mode & S_TYPE_MASK) {
		case S_TYPE_REG:
			in->files++;
			in->data_bytes += c->filesize;
			in->tmpfs_bytes += round_up(c->filesize,
						    INITRD_PAGE_SIZE);
			break;
		case S_TYPE_LNK:
			if (c->filesize >= INITRD_SHORT_SYMLINK)
				in->tmpfs_bytes += INITRD_PAGE_SIZE;
			break;
		default:
			break;
		}
	}
	pad = round_up(c->off, 4) - c->off;
	c->left = pad + round_up(c->filesize, 4);
	c->after_skip = trailer ? CPIO_RESET : CPIO_HEADER;
	c->st = CPIO_SKIP;
	c->hdr_len = 0;
	if (!trailer)
		c->entry_off = c->off + c->left;
	return 0;
}

/*
 * Feed @len bytes of the stream. Return 0 when all were used, 1 when
 * (at the top level only) a byte that starts something else was met
 * between archives (*@used says where), or a negative errno.
 */
static int cpio_feed(struct cpio *c, const uint8_t *p, size_t len,
		     size_t *used)
{
	char w[128];
	size_t i = 0, n;
	int r;

	while (i < len) {
		switch (c->st) {
		case CPIO_RESET:
			if (p[i] == 0) {
				i++;
				c->off++;
				break;
			}
			if (p[i] == '0') {
				if (c->off & 3)
					return lk_error_set(c->e, -EINVAL,
							    "broken padding: a cpio archive starts %s, not on a 4-byte boundary",
							    where(c, c->off, w, sizeof(w)));
				c->st = CPIO_HEADER;
				c->hdr_len = 0;
				c->entry_off = c->off;
				break;
			}
			if (!c->compressed) {
				*used = i;
				return 1;
			}
			return lk_error_set(c->e, -EINVAL,
					    "junk (byte 0x%02x) after a cpio archive %s",
					    p[i], where(c, c->off, w, sizeof(w)));
		case CPIO_HEADER:
			n = CPIO_HEADER_SIZE - c->hdr_len;
			if (n > len - i)
				n = len - i;
			memcpy(c->hdr + c->hdr_len, p + i, n);
			c->hdr_len += n;
			i += n;
			c->off += n;
			if (c->hdr_len < CPIO_HEADER_SIZE)
				break;
			r = parse_header(c);
			if (r < 0)
				return r;
			c->name_len = 0;
			c->st = CPIO_NAME;
			break;
		case CPIO_NAME:
			n = c->namesize - c->name_len;
			if (n > len - i)
				n = len - i;
			memcpy(c->name + c->name_len, p + i, n);
			c->name_len += n;
			i += n;
			c->off += n;
			if (c->name_len < c->namesize)
				break;
			r = entry_done(c);
			if (r < 0)
				return r;
			if (c->left == 0)
				c->st = c->after_skip;
			break;
		case CPIO_SKIP:
			n = len - i;
			if (n > c->left)
				n = (size_t)c->left;
			c->left -= n;
			i += n;
			c->off += n;
			if (c->left == 0)
				c->st = c->after_skip;
			break;
		}
	}
	*used = len;
	return 0;
}

static int feed_out(struct cpio *c, const uint8_t *p, size_t n)
{
	size_t used;
	int r;

	r = cpio_feed(c, p, n, &used);
	return r < 0 ? r : 0;	/* a compressed stream never returns 1 */
}

static int truncated(struct cpio *c)
{
	return lk_error_set(c->e, -EINVAL,
			    "the %s data at file offset 0x%llx is truncated",
			    c->format, (unsigned long long)c->seg_off);
}

static int corrupt(struct cpio *c, const char *why)
{
	return lk_error_set(c->e, -EINVAL,
			    "the %s data at file offset 0x%llx is corrupt (%s)",
			    c->format, (unsigned long long)c->seg_off, why);
}

static int un_gzip(const uint8_t *in, size_t len, size_t *consumed,
		   struct cpio *c, uint8_t *out)
{
	size_t fed = 0;
	z_stream s;
	int r = 0, zr;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	for (;;) {
		size_t produced;

		if (s.avail_in == 0 && fed < len) {
			size_t n = len - fed > UINT_MAX ? UINT_MAX : len - fed;

			s.next_in = in + fed;
			s.avail_in = (uInt)n;
			fed += n;
		}
		s.next_out = out;
		s.avail_out = OUT_SIZE;
		zr = inflate(&s, Z_NO_FLUSH);
		produced = OUT_SIZE - s.avail_out;
		if (produced) {
			r = feed_out(c, out, produced);
			if (r < 0)
				break;
		}
		if (zr == Z_STREAM_END) {
			*consumed = fed - s.avail_in;
			break;
		}
		if (zr == Z_MEM_ERROR) {
			r = -ENOMEM;
			break;
		}
		if (zr == Z_BUF_ERROR || (zr == Z_OK && produced == 0 &&
					  s.avail_in == 0 && fed == len)) {
			if (s.avail_in == 0 && fed == len) {
				r = truncated(c);
				break;
			}
			continue;
		}
		if (zr != Z_OK) {
			r = corrupt(c, s.msg ? s.msg : "inflate failed");
			break;
		}
	}
	inflateEnd(&s);
	return r;
}

static int un_lzma(const uint8_t *in, size_t len, size_t *consumed,
		   struct cpio *c, uint8_t *out, bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r = 0;

	lr = xz ? lzma_stream_decoder(&s, UINT64_MAX, 0) :
		  lzma_alone_decoder(&s, UINT64_MAX);
	if (lr != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		size_t produced;

		s.next_out = out;
		s.avail_out = OUT_SIZE;
		lr = lzma_code(&s, LZMA_RUN);
		produced = OUT_SIZE - s.avail_out;
		if (produced) {
			r = feed_out(c, out, produced);
			if (r < 0)
				break;
		}
		if (lr == LZMA_STREAM_END) {
			*consumed = (size_t)s.total_in;
			break;
		}
		if (lr == LZMA_OK)
			continue;
		if (lr == LZMA_BUF_ERROR)
			r = truncated(c);
		else if (lr == LZMA_MEM_ERROR)
			r = -ENOMEM;
		else
			r = corrupt(c, lr == LZMA_FORMAT_ERROR ? "bad header" :
				       lr == LZMA_OPTIONS_ERROR ? "unsupported options" :
				       "data error");
		break;
	}
	lzma_end(&s);
	return r;
}

static bool zstd_magic(const uint8_t *p, size_t len)
{
	uint32_t m;

	if (len < 4)
		return false;
	m = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	return m == 0xfd2fb528U || (m & 0xfffffff0U) == 0x184d2a50U;
}

/* Consecutive frames are one segment, as zstd and the kernel see them. */
static int un_zstd(const uint8_t *in, size_t len, size_t *consumed,
		   struct cpio *c, uint8_t *out)
{
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_DStream *d;
	int r = 0;

	d = ZSTD_createDStream();
	if (!d)
		return -ENOMEM;
	ZSTD_initDStream(d);
	for (;;) {
		ZSTD_outBuffer ob = { out, OUT_SIZE, 0 };
		size_t zr;

		zr = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(zr)) {
			r = corrupt(c, ZSTD_getErrorName(zr));
			break;
		}
		if (ob.pos) {
			r = feed_out(c, out, ob.pos);
			if (r < 0)
				break;
		}
		if (zr == 0) {
			if (zstd_magic(in + ib.pos, len - ib.pos)) {
				ZSTD_initDStream(d);
				continue;
			}
			*consumed = ib.pos;
			break;
		}
		if (ib.pos == ib.size && ob.pos < ob.size) {
			r = truncated(c);
			break;
		}
	}
	ZSTD_freeDStream(d);
	return r;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * The legacy lz4 format has no end marker: the kernel reads blocks until
 * its input ends. A block size of 0 or one no block can have ends the
 * segment here, so that zero padding or a following segment is handled
 * by the top level.
 */
static int un_lz4(const uint8_t *in, size_t len, size_t *consumed,
		  struct cpio *c, uint8_t *out)
{
	size_t pos = 4;
	int r;

	while (len - pos >= 4) {
		uint32_t n = le32(in + pos);
		int got;

		if (n == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (n == 0 || n > (uint32_t)LZ4_compressBound(LZ4_LEGACY_CHUNK))
			break;
		if (n > len - pos - 4)
			return truncated(c);
		got = LZ4_decompress_safe((const char *)in + pos + 4,
					  (char *)out, (int)n,
					  (int)LZ4_LEGACY_CHUNK);
		if (got < 0)
			return corrupt(c, "bad block");
		r = feed_out(c, out, (size_t)got);
		if (r < 0)
			return r;
		pos += 4 + (size_t)n;
	}
	*consumed = pos;
	return 0;
}

static int un_bzip2(const uint8_t *in, size_t len, size_t *consumed,
		    struct cpio *c, uint8_t *out)
{
	size_t fed = 0;
	bz_stream s;
	int r = 0, br;

	memset(&s, 0, sizeof(s));
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return -ENOMEM;
	for (;;) {
		size_t produced;

		if (s.avail_in == 0 && fed < len) {
			size_t n = len - fed > UINT_MAX ? UINT_MAX : len - fed;

			s.next_in = (char *)(uintptr_t)(in + fed);
			s.avail_in = (unsigned int)n;
			fed += n;
		}
		s.next_out = (char *)out;
		s.avail_out = OUT_SIZE;
		br = BZ2_bzDecompress(&s);
		produced = OUT_SIZE - s.avail_out;
		if (produced) {
			r = feed_out(c, out, produced);
			if (r < 0)
				break;
		}
		if (br == BZ_STREAM_END) {
			*consumed = fed - s.avail_in;
			break;
		}
		if (br == BZ_MEM_ERROR) {
			r = -ENOMEM;
			break;
		}
		if (br != BZ_OK) {
			r = corrupt(c, "data error");
			break;
		}
		if (produced == 0 && s.avail_in == 0 && fed == len) {
			r = truncated(c);
			break;
		}
	}
	BZ2_bzDecompressEnd(&s);
	return r;
}

enum fmt { F_NONE, F_GZIP, F_BZIP2, F_LZMA, F_XZ, F_LZ4, F_ZSTD, F_LZO };

static const char *const fmt_name[] = {
	[F_NONE] = "cpio", [F_GZIP] = "gzip", [F_BZIP2] = "bzip2",
	[F_LZMA] = "lzma", [F_XZ] = "xz", [F_LZ4] = "lz4", [F_ZSTD] = "zstd",
	[F_LZO] = "lzo",
};

/* The magics of lib/decompress.c. */
static enum fmt detect(const uint8_t *p, size_t len)
{
	static const struct {
		uint8_t magic[6];
		size_t n;
		enum fmt f;
	} m[] = {
		{ { 0x1f, 0x8b }, 2, F_GZIP },
		{ { 0x1f, 0x9e }, 2, F_GZIP },
		{ { 'B', 'Z', 'h' }, 3, F_BZIP2 },
		{ { 0x5d, 0x00, 0x00 }, 3, F_LZMA },
		{ { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, F_XZ },
		{ { 0x02, 0x21, 0x4c, 0x18 }, 4, F_LZ4 },
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, F_ZSTD },
		{ { 0x89, 'L', 'Z', 'O', 0x00 }, 5, F_LZO },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (len >= m[i].n && memcmp(p, m[i].magic, m[i].n) == 0)
			return m[i].f;
	return F_NONE;
}

static void add_segment(struct initrd_info *in, uint64_t off, uint64_t in_b,
			uint64_t out_b, const char *format)
{
	if (in->n_segments < INITRD_MAX_SEGMENTS) {
		struct initrd_segment *s = &in->seg[in->n_segments];

		s->offset = off;
		s->in_bytes = in_b;
		s->out_bytes = out_b;
		s->format = format;
	}
	in->n_segments++;
}

int initrd_analyze_buffer(const void *buf, size_t len,
			  struct initrd_info *ret, struct lk_error *e)
{
	const uint8_t *b = buf;
	struct initrd_info info;
	uint8_t *out = NULL;
	size_t pos = 0;
	int r = 0;

	memset(&info, 0, sizeof(info));
	info.file_size = len;

	while (pos < len) {
		struct cpio c;
		size_t used = 0;
		enum fmt f;

		if (b[pos] == 0) {
			pos++;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.info = &info;
		c.e = e;
		c.st = CPIO_RESET;
		c.seg_off = pos;

		if (b[pos] == '0' && !(pos & 3)) {
			c.format = "cpio";
			c.off = pos;
			r = cpio_feed(&c, b + pos, len - pos, &used);
			if (r < 0)
				goto out;
			if (c.st != CPIO_RESET) {
				r = lk_error_set(e, -EINVAL,
						 "truncated: the file ends inside the cpio archive that starts at offset 0x%llx",
						 (unsigned long long)pos);
				goto out;
			}
			add_segment(&info, pos, used, used, "cpio");
			pos += used;
			continue;
		}

		f = detect(b + pos, len - pos);
		if (f == F_NONE || f == F_LZO) {
			uint8_t m[4] = { 0 };

			memcpy(m, b + pos, len - pos < 4 ? len - pos : 4);
			if (f == F_LZO)
				r = lk_error_set(e, -ENOTSUP,
						 "LZO-compressed data at offset 0x%llx: lazy-kdump cannot read LZO to size it; rebuild the initrd with zstd, xz or gzip, or give the size by hand",
						 (unsigned long long)pos);
			else
				r = lk_error_set(e, -ENOTSUP,
						 "unknown data at offset 0x%llx: magic bytes %02x %02x %02x %02x are neither a newc cpio archive nor gzip, bzip2, lzma, xz, lz4 or zstd data",
						 (unsigned long long)pos, m[0], m[1],
						 m[2], m[3]);
			goto out;
		}
		if (!out) {
			out = malloc(OUT_SIZE);
			if (!out) {
				r = -ENOMEM;
				goto out;
			}
		}
		c.compressed = true;
		c.format = fmt_name[f];
		switch (f) {
		case F_GZIP:
			r = un_gzip(b + pos, len - pos, &used, &c, out);
			break;
		case F_BZIP2:
			r = un_bzip2(b + pos, len - pos, &used, &c, out);
			break;
		case F_LZMA:
			r = un_lzma(b + pos, len - pos, &used, &c, out, false);
			break;
		case F_XZ:
			r = un_lzma(b + pos, len - pos, &used, &c, out, true);
			break;
		case F_LZ4:
			r = un_lz4(b + pos, len - pos, &used, &c, out);
			break;
		case F_ZSTD:
			r = un_zstd(b + pos, len - pos, &used, &c, out);
			break;
		default:
			r = -EINVAL;
			break;
		}
		if (r < 0)
			goto out;
		if (c.st != CPIO_RESET) {
			r = lk_error_set(e, -EINVAL,
					 "the %s data at offset 0x%llx ends inside a cpio archive (no TRAILER!!! entry): truncated or not an initramfs",
					 c.format, (unsigned long long)pos);
			goto out;
		}
		add_segment(&info, pos, used, c.off, c.format);
		pos += used;
	}

	if (info.archives == 0) {
		r = lk_error_set(e, -EINVAL,
				 len ? "no cpio archive in it (only zero bytes)" :
				       "it is empty");
		goto out;
	}
	*ret = info;
	r = 0;
out:
	free(out);
	return r;
}

int initrd_analyze(const char *path, struct initrd_info *ret,
		   struct lk_error *e)
{
	struct stat st;
	void *map;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return lk_error_set(e, -EINVAL, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return lk_error_set(e, -EINVAL, "it is empty");
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	r = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	r = initrd_analyze_buffer(map, (size_t)st.st_size, ret, e);
	munmap(map, (size_t)st.st_size);
	return r;
}
