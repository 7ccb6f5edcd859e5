/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state - what lazy-kdump armed, in STATE_DIR/state (default
 * /run/lazy-kdump/state: gone after a reboot, like the reservation), and
 * the lock STATE_DIR/lock that serialises lazy-kdump invocations.
 *
 * The file is "key=value" lines (values never contain a newline), written
 * atomically (a temporary file, fsync, rename, fsync of the directory);
 * unknown keys are ignored when reading, so that later versions can add
 * some. Keys: version, armed (0/1), source (lazy-kdump or boot-time),
 * armed_at (seconds since the epoch: when the arming invocation started,
 * before it read its inputs), kernel, initrd, cmdline, size, size_auto
 * (0/1), node, placement (low/high), main_addr, main_len, low_addr,
 * low_len (addresses in hex, lengths in bytes; 0 = none).
 */
#ifndef LAZY_KDUMP_STATE_H
#define LAZY_KDUMP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "lkerr.h"

#define STATE_DEFAULT_DIR	"/run/lazy-kdump"
#define STATE_FILE		"state"
#define STATE_LOCK		"lock"
#define STATE_VERSION		1

struct lk_state {
	bool armed;		/* a crash kernel was loaded by lazy-kdump */
	bool boot_time;		/* into a crashkernel= reservation */
	int64_t armed_at;
	char *kernel;
	char *initrd;
	char *cmdline;
	uint64_t size;		/* what was asked for */
	bool size_auto;
	int node;
	bool high;		/* placement high */
	uint64_t main_addr, main_len;
	uint64_t low_addr, low_len;	/* split: the working memory */
	bool split;		/* WORKING_MEMORY=split */
};

void state_init(struct lk_state *s);
void state_free(struct lk_state *s);

/*
 * state_parse - the state in @text
 *
 * Return: 0, -ENOMEM, or -EINVAL (a line without '=', a number that does
 * not parse, an unknown version) with a detail in @e.
 */
int state_parse(const char *text, struct lk_state *ret, struct lk_error *e);

/*
 * state_read - state_parse() of DIR/state
 *
 * Return: 0, -ENOENT when there is none, another -errno, or
 * state_parse()'s.
 */
int state_read(const char *dir, struct lk_state *ret, struct lk_error *e);

/*
 * state_write - write DIR/state atomically, creating DIR (0755) if needed
 *
 * Return: 0, -EINVAL (a value with a newline), or -errno.
 */
int state_write(const char *dir, const struct lk_state *s);

/* state_remove - remove DIR/state; 0 also when there was none. */
int state_remove(const char *dir);

/*
 * state_lock - take DIR/lock (flock, exclusive), creating DIR if needed
 * @wait: block until it is free; otherwise -EWOULDBLOCK when it is held
 * @ret_fd: the lock's descriptor: closing it releases the lock
 *
 * Return: 0 or -errno.
 */
int state_lock(const char *dir, bool wait, int *ret_fd);

#endif /* LAZY_KDUMP_STATE_H */
