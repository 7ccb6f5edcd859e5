/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lastdump - what the last panic left, for the next boot.
 *
 * The capture initrd writes a "status" file (key=value lines, see
 * dracut/lazy-kdump-capture.sh) into each dump directory
 * DUMP_TARGET/HOST-YYYY-mm-dd-HH:MM:SS[-N]/, or, when it could not create
 * one, DUMP_TARGET/lazy-kdump-failed-HOST-DATE.status. lastdump_find()
 * reads the newest of them.
 *
 * A capture that could not write anything leaves no status. For that case
 * lazy-kdump keeps a marker while kdump is armed, VARDIR/armed (VARDIR is
 * /var/lib/lazy-kdump: it survives a reboot): the boot's id
 * (/proc/sys/kernel/random/boot_id) and when it was armed. 'unload' (the
 * service's stop, at every clean shutdown) removes it. A marker of another
 * boot, found by the next 'load', means that boot ended while armed
 * without a clean shutdown: a panic (its dump, or its status, is then
 * newer than the marker), or a reset, power loss or a capture that wrote
 * nothing. 'load' records its verdict in VARDIR/previous-boot for
 * 'status'.
 */
#ifndef LAZY_KDUMP_LASTDUMP_H
#define LAZY_KDUMP_LASTDUMP_H

#include <stdbool.h>
#include <stdint.h>

#define LASTDUMP_DEFAULT_VARDIR	"/var/lib/lazy-kdump"
#define LASTDUMP_MARKER		"armed"
#define LASTDUMP_PREVIOUS	"previous-boot"
/* Written by 'lazy-kdump test' just before it panics the machine. */
#define LASTDUMP_TEST_MARKER	"test-panic"

struct lk_lastdump {
	bool found;
	char path[4096];	/* the dump directory, or the .status file */
	char result[32];	/* saved, no-space, short-of-memory, ...;
				 * incomplete: a dump directory without a
				 * status file */
	char memory[16];	/* ok, short, or "" (an older capture) */
	char reason[1024];
	int64_t finished;	/* seconds since the epoch; 0: unknown */
	int64_t vmcore_bytes;	/* the size of PATH/vmcore; -1: none */
};

/*
 * lastdump_find - the newest capture status in @dir
 *
 * Newest by its "finished" key (the file's mtime when it has none; a dump
 * directory without a status file counts, by its mtime, as "incomplete"),
 * then by path.
 *
 * Return: 0 (@ld->found says whether there was one; a missing @dir is
 * none), or -errno when @dir cannot be read.
 */
int lastdump_find(const char *dir, struct lk_lastdump *ld);

/*
 * lastdump_list - every capture status in @dir, oldest first (by
 * "finished", then by path), into a malloc()ed array @list of @n (NULL
 * and 0 when there is none; a missing @dir has none)
 *
 * Return: 0, -ENOMEM, or -errno when @dir cannot be read.
 */
int lastdump_list(const char *dir, struct lk_lastdump **list, size_t *n);

/* lastdump_short_of_memory - the capture found the crash kernel short. */
bool lastdump_short_of_memory(const struct lk_lastdump *ld);

struct lk_marker {
	char boot_id[64];
	int64_t armed_at;
};

/*
 * marker_write - VARDIR/NAME (LASTDUMP_MARKER or LASTDUMP_TEST_MARKER) for
 * this boot, atomically (creating VARDIR)
 * marker_read - it; -ENOENT when there is none, -EINVAL when it is not one
 * marker_remove - remove it; 0 also when there was none
 *
 * Return: 0 or -errno.
 */
int marker_write(const char *vardir, const char *name,
		 const struct lk_marker *m);
int marker_read(const char *vardir, const char *name, struct lk_marker *m);
int marker_remove(const char *vardir, const char *name);

/*
 * previous_write - VARDIR/previous-boot: the verdict @text (one line) on
 * the boot before the boot @boot_id; previous_read - it, when it was
 * written in the boot @boot_id (-ESTALE when in another one).
 *
 * Return: 0 or -errno (-ENOENT: none).
 */
int previous_write(const char *vardir, const char *boot_id, const char *text);
int previous_read(const char *vardir, const char *boot_id, char *buf,
		  size_t size);

#endif /* LAZY_KDUMP_LASTDUMP_H */
