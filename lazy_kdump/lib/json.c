// SPDX-License-Identifier: GPL-2.0
/*
 * json - JSON string literals.
 */

#include "json.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
}

/* Length of the valid UTF-8 sequence at @s, or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;	/* continuation byte, overlong lead, > U+10FFFF */

	/* The second byte's range excludes overlongs and surrogates. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;

	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t json_escape(char *buf, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	struct out o = { buf, size, 0 };
	const unsigned char *s = (const unsigned char *)src;

	if (!src) {
		put(&o, "null", 4);
		goto out;
	}

	put(&o, "\"", 1);
	while (*s) {
		size_t n = utf8_len(s);

		if (n == 0) {
			put(&o, "\\ufffd", 6);
			s++;
			continue;
		}
		if (n > 1) {
			put(&o, (const char *)s, n);
			s += n;
			continue;
		}
		switch (*s) {
		case '"':
			put(&o, "\\\"", 2);
			break;
		case '\\':
			put(&o, "\\\\", 2);
			break;
		case '\b':
			put(&o, "\\b", 2);
			break;
		case '\f':
			put(&o, "\\f", 2);
			break;
		case '\n':
			put(&o, "\\n", 2);
			break;
		case '\r':
			put(&o, "\\r", 2);
			break;
		case '\t':
			put(&o, "\\t", 2);
			break;
		default:
			if (*s < 0x20) {
				char u[6] = { '\\', 'u', '0', '0',
					      hex[*s >> 4], hex[*s & 0xf] };

				put(&o, u, sizeof(u));
			} else {
				put(&o, (const char *)s, 1);
			}
		}
		s++;
	}
	put(&o, "\"", 1);
out:
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}
