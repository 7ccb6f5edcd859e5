// SPDX-License-Identifier: GPL-2.0
/*
 * lkerr - the detail of a failure.
 */
#include <stdarg.h>
#include <stdio.h>

#include "lkerr.h"

int lk_error_set(struct lk_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}

void lk_error_clear(struct lk_error *e)
{
	if (e)
		e->msg[0] = '\0';
}
