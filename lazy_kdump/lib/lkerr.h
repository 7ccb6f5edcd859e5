/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lkerr - the detail of a failure, for the layer that prints.
 *
 * Library functions return a negative errno; when an errno alone cannot
 * say what was wrong (a file that is not a bzImage, a config line that
 * does not parse), they also fill a struct lk_error with one sentence
 * fragment such as "no 'HdrS' magic at offset 0x202: not a bzImage".
 * The caller adds what it was doing and what to do. Nothing here prints.
 */
#ifndef LAZY_KDUMP_LKERR_H
#define LAZY_KDUMP_LKERR_H

#define LK_ERROR_MAX	512

struct lk_error {
	char msg[LK_ERROR_MAX];
};

/*
 * lk_error_set - format a detail into @e (which may be NULL) and return
 * @err, so that "return lk_error_set(e, -EINVAL, ...);" reads naturally.
 */
int lk_error_set(struct lk_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* lk_error_clear - empty @e (which may be NULL). */
void lk_error_clear(struct lk_error *e);

#endif /* LAZY_KDUMP_LKERR_H */
