/* atq/shquote.c: sh words from arbitrary bytes (see shquote.h). */
#include "atq/shquote.h"

#include <string.h>

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool shquote_needed(const char *s, size_t len)
{
	if (len == 0)
		return true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\0' || (!is_alnum(c) && strchr("_@%+=:,./-", c) == NULL))
			return true;
	}
	return false;
}

int shquote_write(FILE *out, const char *s, size_t len)
{
	if (!shquote_needed(s, len))
		return fwrite(s, 1, len, out) == len ? 0 : -1;
	if (putc('\'', out) == EOF)
		return -1;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\'')
			continue;
		/* End the quoted run, write the quote escaped, start a new run. */
		if (fwrite(s + start, 1, i - start, out) != i - start || fputs("'\\''", out) == EOF)
			return -1;
		start = i + 1;
	}
	if (fwrite(s + start, 1, len - start, out) != len - start || putc('\'', out) == EOF)
		return -1;
	return 0;
}

bool shquote_is_name(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}
