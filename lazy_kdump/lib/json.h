/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json - the little of JSON that --json output needs: string literals.
 */
#ifndef LAZY_KDUMP_JSON_H
#define LAZY_KDUMP_JSON_H

#include <stddef.h>

/* Room for the literal of a string of @n bytes, quotes and NUL included. */
#define JSON_ESCAPE_MAX(n)	(6 * (n) + 3)

/*
 * json_escape - @src as a JSON string literal, quotes included
 *
 * '"' and '\\' are escaped, control characters become \b \f \n \r \t or
 * \u00XX, valid UTF-8 is copied unchanged, and every byte that is not
 * part of valid UTF-8 becomes \ufffd, so the result is always valid JSON.
 * NULL is written as null (no quotes).
 *
 * Return: like snprintf(), the length of the whole literal; @buf holds a
 * NUL-terminated, possibly truncated copy when @size > 0.
 */
size_t json_escape(char *buf, size_t size, const char *src);

#endif /* LAZY_KDUMP_JSON_H */
