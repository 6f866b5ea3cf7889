/* spool/secret.c: a random secret kept in the meta table (see spool.h),
 * built on spool_meta_get and spool_meta_set, so every backend has it. */
#include <string.h>
#include <sys/random.h>

#include "spool/common.h"
#include "spool/spool.h"

static int from_hex(const char *hex, uint8_t *out, size_t len)
{
	if (strlen(hex) != 2 * len)
		return -1;
	for (size_t i = 0; i < 2 * len; i++) {
		char c = hex[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] | d) : d << 4);
	}
	return 0;
}

static void to_hex(const uint8_t *in, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[in[i] >> 4];
		hex[2 * i + 1] = digits[in[i] & 15];
	}
	hex[2 * len] = '\0';
}

int spool_secret(struct spool *sp, const char *name, uint8_t *out, size_t len,
		 struct spool_err *err)
{
	char hex[2 * SPOOL_SECRET_MAX + 1];
	if (len == 0 || len > SPOOL_SECRET_MAX)
		return spool_seterr(err, SPOOL_INVALID, "secret %s: %zu bytes, not 1-%d", name,
				    len, SPOOL_SECRET_MAX);
	int rc = spool_meta_get(sp, name, hex, sizeof(hex), err);
	if (rc == SPOOL_OK && from_hex(hex, out, len) == 0)
		return SPOOL_OK;
	if (rc != SPOOL_OK && rc != SPOOL_NOT_FOUND && rc != SPOOL_INVALID)
		return rc;
	/* Absent (or not a secret of this size: made anew). */
	if (getrandom(out, len, 0) != (ssize_t)len)
		return spool_seterr(err, SPOOL_IO, "secret %s: getrandom failed", name);
	to_hex(out, len, hex);
	return spool_meta_set(sp, name, hex, err);
}
