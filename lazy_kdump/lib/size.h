/* SPDX-License-Identifier: GPL-2.0 */
/*
 * size - parse and format sizes, physical addresses, node numbers and
 * durations for the command line.
 *
 * All units are binary: K = 1024, M = 1024^2, G, T, P, E. The suffixes
 * "K", "KiB" and "KB" mean the same (so do "M", "MiB", "MB", ...), letters
 * are case-insensitive, and "B" alone means bytes. This follows what the
 * kernel's memparse() and crashkernel= accept, not SI units.
 */
#ifndef LAZY_KDUMP_SIZE_H
#define LAZY_KDUMP_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any size_format() or duration_format() result. */
#define SIZE_FORMAT_MAX		32

/*
 * size_parse - a size in bytes
 *
 * Accepted: decimal digits (leading zeros do not mean octal) with an
 * optional fraction and an optional unit: "4096", "512K", "256M",
 * "256MiB", "256MB", "1.5G", "2T", "4096B"; or "0x" followed by hex
 * digits, without a unit: "0x10000000". "0" parses as 0; rejecting it is
 * the caller's business.
 *
 * A fraction must come out as whole bytes ("1.5" and "0.1K" are invalid)
 * and may have at most 18 significant digits.
 *
 * Return: 0 with *@ret set, -EINVAL for anything else (empty, signs,
 * spaces, unknown units, a unit after hex digits), -ERANGE when the value
 * does not fit in 64 bits.
 */
int size_parse(const char *s, uint64_t *ret);

/*
 * size_format - a size for humans, exact, and accepted back by size_parse()
 *
 * The largest unit in which the value is a whole number of quarter units
 * is used, with up to two decimals: 268435456 -> "256M", 100663296 ->
 * "96M", 1610612736 -> "1.5G", 1342177280 -> "1.25G", (1G + 4K) ->
 * "1048580K". Below 1K, and for sizes that are no whole number of quarter
 * kilobytes, the plain number of bytes: 0 -> "0", 1025 -> "1025".
 *
 * Return: like snprintf(), the length of the whole result; @buf is
 * NUL-terminated when @size > 0. SIZE_FORMAT_MAX is always enough.
 */
int size_format(uint64_t v, char *buf, size_t size);

/*
 * addr_parse - a physical address: "0x" or "0X" followed by hex digits, or
 * decimal digits. No units, no signs, no spaces.
 *
 * Return: 0 with *@ret set, -EINVAL, or -ERANGE (above 64 bits).
 */
int addr_parse(const char *s, uint64_t *ret);

/*
 * node_parse - a NUMA node number: decimal, 0 to INT_MAX.
 *
 * Return: 0 with *@ret set, -EINVAL, or -ERANGE.
 */
int node_parse(const char *s, int *ret);

/*
 * duration_format - nanoseconds for humans, truncated (not rounded):
 * "850ns", "12.3us", "45.6ms", "1.50s", "2min05s".
 *
 * Return: like snprintf(); SIZE_FORMAT_MAX is always enough.
 */
int duration_format(uint64_t ns, char *buf, size_t size);

#endif /* LAZY_KDUMP_SIZE_H */
