/* lib/safetext.c: escaping users' text for terminals and logs (see
 * safetext.h). */
#include "lib/safetext.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point of the valid UTF-8 sequence at S (N bytes) into *CP and
 * its length, or 0 when S does not start one (overlong forms, surrogates
 * and code points past U+10FFFF are not valid). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
		: s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0xFF >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Code points past ASCII that are shown escaped. */
static bool unsafe_code_point(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
	       (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

bool safetext_is_kept(const void *s, size_t n, size_t *len)
{
	const unsigned char *p = s;
	uint32_t cp = 0;
	size_t l = utf8_decode(p, n, &cp);
	*len = l ? l : 1;
	if (l == 0)
		return false;
	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7F;
	return !unsafe_code_point(cp);
}

size_t safetext_char(const void *s, size_t n, char out[SAFETEXT_CHAR_MAX])
{
	static const char named[] = "abtnvfr";   /* escapes of 7 to 13 */
	const unsigned char *p = s;
	size_t len;
	if (safetext_is_kept(p, n, &len)) {
		memcpy(out, p, len);
		out[len] = '\0';
		return len;
	}
	uint32_t cp = 0;
	if (utf8_decode(p, n, &cp) > 1)
		snprintf(out, SAFETEXT_CHAR_MAX, "\\u%04x", (unsigned)cp);
	else if (p[0] >= 7 && p[0] <= 13)
		snprintf(out, SAFETEXT_CHAR_MAX, "\\%c", named[p[0] - 7]);
	else if (p[0] == 27)
		snprintf(out, SAFETEXT_CHAR_MAX, "\\e");
	else
		snprintf(out, SAFETEXT_CHAR_MAX, "\\x%02x", (unsigned)p[0]);
	return len;
}

size_t safetext_escape(const void *s, size_t len, char *buf, size_t size)
{
	const unsigned char *p = s;
	size_t used = 0;
	for (size_t i = 0; i < len;) {
		/* Printable ASCII is kept as it is: a fast path for most of the
		 * text (each run's command goes through here, twice). */
		size_t plain = i;
		while (plain < len && p[plain] >= 0x20 && p[plain] < 0x7F)
			plain++;
		if (plain > i) {
			size_t n = plain - i;
			if (used + n >= size)
				n = size - 1 - used;
			memcpy(buf + used, p + i, n);
			used += n;
			if (i + n < plain)
				break;   /* BUF is full */
			i = plain;
			continue;
		}
		char c[SAFETEXT_CHAR_MAX];
		size_t took = safetext_char(p + i, len - i, c);
		size_t clen = strlen(c);
		if (used + clen >= size)
			break;
		memcpy(buf + used, c, clen);
		used += clen;
		i += took;
	}
	buf[used] = '\0';
	return used;
}

int safetext_fputs(const void *s, size_t len, FILE *out)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < len;) {
		char c[SAFETEXT_CHAR_MAX];
		i += safetext_char(p + i, len - i, c);
		if (fputs(c, out) == EOF)
			return -1;
	}
	return 0;
}

int safetext_fputs_lines(const void *s, size_t len, FILE *out)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < len;) {
		if (p[i] == '\n' || p[i] == '\t') {
			if (fputc(p[i++], out) == EOF)
				return -1;
			continue;
		}
		char c[SAFETEXT_CHAR_MAX];
		i += safetext_char(p + i, len - i, c);
		if (fputs(c, out) == EOF)
			return -1;
	}
	return 0;
}

size_t safetext_find_unsafe(const void *s, size_t len)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < len;) {
		size_t l;
		if (!safetext_is_kept(p + i, len - i, &l))
			return i;
		i += l;
	}
	return len;
}
