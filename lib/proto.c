/* lib/proto.c: protocol errors, frame header, building and decoding frames
 * (see proto.h). Reading fields out of a payload is in proto_field.c.
 */
#include "lib/proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Smallest allocation for a new frame: most requests fit without regrowing. */
#define PROTO_BUF_INITIAL 256

/* ------------------------------------------------------------ errors */

static void error_vset(struct proto_error *err, enum proto_code code, int errnum,
		       const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void error_vset(struct proto_error *err, enum proto_code code, int errnum,
		       const char *fmt, va_list ap)
{
	err->code = code;
	err->sys_errno = errnum;
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	if (n < 0)
		snprintf(err->msg, sizeof err->msg, "%s", proto_code_name(code));
}

/* Append S to the string in DST[0..SIZE), cutting it to fit. */
static void append(char *dst, size_t size, const char *s)
{
	size_t used = strnlen(dst, size);
	while (*s != '\0' && used + 1 < size)
		dst[used++] = *s++;
	if (used < size)
		dst[used] = '\0';
}

enum proto_code proto_error_set(struct proto_error *err, enum proto_code code,
				const char *fmt, ...)
{
	if (err == NULL)
		return code;
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

enum proto_code proto_error_sys(struct proto_error *err, enum proto_code code,
				int errnum, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, errnum, fmt, ap);
	va_end(ap);
	/* GNU strerror_r (we build with _GNU_SOURCE): thread-safe, returns
	 * either BUF or a static string. */
	char buf[128];
	const char *text = strerror_r(errnum, buf, sizeof buf);
	append(err->msg, sizeof err->msg, ": ");
	append(err->msg, sizeof err->msg, text);
	return code;
}

const char *proto_code_name(enum proto_code code)
{
	switch (code) {
	case PROTO_OK:          return "ok";
	case PROTO_E_INVALID:   return "invalid argument";
	case PROTO_E_NOMEM:     return "out of memory";
	case PROTO_E_TOO_LARGE: return "too large";
	case PROTO_E_BAD_MAGIC: return "bad magic";
	case PROTO_E_VERSION:   return "version mismatch";
	case PROTO_E_MALFORMED: return "malformed";
	case PROTO_E_TRUNCATED: return "truncated";
	case PROTO_E_MISSING:   return "missing field";
	case PROTO_E_BAD_FIELD: return "bad field";
	case PROTO_E_EOF:       return "end of file";
	case PROTO_E_TIMEOUT:   return "timeout";
	case PROTO_E_IO:        return "i/o error";
	case PROTO_E_NO_DAEMON: return "no daemon";
	case PROTO_E_REFUSED:   return "connection refused";
	case PROTO_E_PERM:      return "permission denied";
	case PROTO_E_REMOTE:    return "remote error";
	}
	return "unknown error";
}

/* ------------------------------------------------------------ byte order */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------------ header */

void proto_header_encode(const struct proto_header *h, uint8_t out[PROTO_HEADER_SIZE])
{
	put_be32(out, h->magic);
	put_be16(out + 4, h->version);
	put_be16(out + 6, h->type);
	put_be32(out + 8, h->len);
}

void proto_header_decode(const uint8_t in[PROTO_HEADER_SIZE], struct proto_header *h)
{
	h->magic = get_be32(in);
	h->version = get_be16(in + 4);
	h->type = get_be16(in + 6);
	h->len = get_be32(in + 8);
}

bool proto_magic_prefix_ok(const uint8_t *p, size_t n)
{
	static const uint8_t magic[4] = { 0x43, 0x52, 0x4E, 0x44 };
	return memcmp(p, magic, n < 4 ? n : 4) == 0;
}

enum proto_code proto_header_check(const struct proto_header *h, uint32_t max_payload,
				   struct proto_error *err)
{
	if (max_payload > PROTO_MAX_PAYLOAD)
		max_payload = PROTO_MAX_PAYLOAD;
	if (h->magic != PROTO_MAGIC)
		return proto_error_set(err, PROTO_E_BAD_MAGIC,
				       "not a crond protocol message (bad magic 0x%08x)",
				       (unsigned)h->magic);
	if (h->version != PROTO_VERSION)
		return proto_error_set(err, PROTO_E_VERSION,
				       "protocol version mismatch: peer speaks version %u, we speak %u",
				       (unsigned)h->version, (unsigned)PROTO_VERSION);
	if (h->len > max_payload)
		return proto_error_set(err, PROTO_E_TOO_LARGE,
				       "message too large (%u bytes, limit %u)",
				       (unsigned)h->len, (unsigned)max_payload);
	return PROTO_OK;
}

/* ------------------------------------------------------------ building */

enum proto_code proto_buf_init(struct proto_buf *b, uint16_t type)
{
	b->data = malloc(PROTO_BUF_INITIAL);
	b->len = 0;
	b->cap = 0;
	b->failed = PROTO_OK;
	if (b->data == NULL) {
		b->failed = PROTO_E_NOMEM;
		return PROTO_E_NOMEM;
	}
	b->cap = PROTO_BUF_INITIAL;
	struct proto_header h = {
		.magic = PROTO_MAGIC, .version = PROTO_VERSION, .type = type, .len = 0,
	};
	proto_header_encode(&h, b->data);
	b->len = PROTO_HEADER_SIZE;
	return PROTO_OK;
}

void proto_buf_free(struct proto_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Make room for NEED more bytes; the caller has checked the payload limit,
 * so the capacity never needs to pass PROTO_MAX_FRAME. */
static enum proto_code buf_reserve(struct proto_buf *b, size_t need)
{
	if (b->cap - b->len >= need)
		return PROTO_OK;
	size_t cap = b->cap;
	while (cap - b->len < need)
		cap = cap > PROTO_MAX_FRAME / 2 ? PROTO_MAX_FRAME : cap * 2;
	uint8_t *p = realloc(b->data, cap);
	if (p == NULL)
		return PROTO_E_NOMEM;
	b->data = p;
	b->cap = cap;
	return PROTO_OK;
}

enum proto_code proto_buf_add_bytes(struct proto_buf *b, uint16_t tag,
				    const void *data, size_t len)
{
	if (b->failed != PROTO_OK)
		return b->failed;
	if (b->data == NULL || (data == NULL && len > 0))
		return b->failed = PROTO_E_INVALID;
	size_t payload = b->len - PROTO_HEADER_SIZE;
	if (len > PROTO_MAX_PAYLOAD - payload ||
	    PROTO_FIELD_HEADER_SIZE > PROTO_MAX_PAYLOAD - payload - len)
		return b->failed = PROTO_E_TOO_LARGE;
	if (buf_reserve(b, PROTO_FIELD_HEADER_SIZE + len) != PROTO_OK)
		return b->failed = PROTO_E_NOMEM;
	uint8_t *p = b->data + b->len;
	put_be16(p, tag);
	put_be32(p + 2, (uint32_t)len);
	if (len > 0)
		memcpy(p + PROTO_FIELD_HEADER_SIZE, data, len);
	b->len += PROTO_FIELD_HEADER_SIZE + len;
	put_be32(b->data + 8, (uint32_t)(b->len - PROTO_HEADER_SIZE));
	return PROTO_OK;
}

enum proto_code proto_buf_add_str(struct proto_buf *b, uint16_t tag, const char *s)
{
	if (s == NULL) {
		if (b->failed == PROTO_OK)
			b->failed = PROTO_E_INVALID;
		return b->failed;
	}
	return proto_buf_add_bytes(b, tag, s, strlen(s));
}

enum proto_code proto_buf_add_u32(struct proto_buf *b, uint16_t tag, uint32_t v)
{
	uint8_t p[4];
	put_be32(p, v);
	return proto_buf_add_bytes(b, tag, p, sizeof p);
}

enum proto_code proto_buf_add_i64(struct proto_buf *b, uint16_t tag, int64_t v)
{
	uint64_t u = (uint64_t)v;                    /* two's complement, by C17 6.3.1.3 */
	uint8_t p[8];
	put_be32(p, (uint32_t)(u >> 32));
	put_be32(p + 4, (uint32_t)u);
	return proto_buf_add_bytes(b, tag, p, sizeof p);
}

enum proto_code proto_buf_add_bool(struct proto_buf *b, uint16_t tag, bool v)
{
	uint8_t p = v ? 1 : 0;
	return proto_buf_add_bytes(b, tag, &p, 1);
}

enum proto_code proto_buf_add_nested(struct proto_buf *b, uint16_t tag,
				     const struct proto_buf *inner)
{
	if (b->failed != PROTO_OK)
		return b->failed;
	if (inner->failed != PROTO_OK || inner->data == NULL || inner->len < PROTO_HEADER_SIZE)
		return b->failed = inner->failed != PROTO_OK ? inner->failed : PROTO_E_INVALID;
	return proto_buf_add_bytes(b, tag, inner->data + PROTO_HEADER_SIZE,
				   inner->len - PROTO_HEADER_SIZE);
}

enum proto_code proto_build_fatal(struct proto_buf *b, const char *text)
{
	enum proto_code rc = proto_buf_init(b, PROTO_TYPE_FATAL);
	if (rc != PROTO_OK)
		return rc;
	size_t n = text == NULL ? 0 : strnlen(text, PROTO_FATAL_MAX_TEXT);
	return proto_buf_add_bytes(b, PROTO_FATAL_TAG_TEXT, n > 0 ? text : "", n);
}

enum proto_code proto_build_version_error(struct proto_buf *b, uint16_t client_version)
{
	char text[PROTO_FATAL_MAX_TEXT + 1];
	snprintf(text, sizeof text, "crond speaks protocol version %u, client speaks %u",
		 (unsigned)PROTO_VERSION, (unsigned)client_version);
	return proto_build_fatal(b, text);
}

/* ------------------------------------------------------------ decoding */

void proto_msg_free(struct proto_msg *m)
{
	free(m->owned);
	m->owned = NULL;
	m->payload = NULL;
	m->len = 0;
}

enum proto_code proto_decode(const uint8_t *buf, size_t len, uint32_t max_payload,
			     struct proto_msg *out, size_t *used, struct proto_error *err)
{
	if (len < PROTO_HEADER_SIZE) {
		if (!proto_magic_prefix_ok(buf, len))
			return proto_error_set(err, PROTO_E_BAD_MAGIC,
					       "not a crond protocol message (bad magic)");
		return proto_error_set(err, PROTO_E_TRUNCATED,
				       "truncated header (%zu of %d bytes)",
				       len, PROTO_HEADER_SIZE);
	}
	struct proto_header h;
	proto_header_decode(buf, &h);
	enum proto_code rc = proto_header_check(&h, max_payload, err);
	if (rc != PROTO_OK)
		return rc;
	if (len - PROTO_HEADER_SIZE < h.len)
		return proto_error_set(err, PROTO_E_TRUNCATED,
				       "truncated payload (%zu of %u bytes)",
				       len - PROTO_HEADER_SIZE, (unsigned)h.len);
	const uint8_t *payload = buf + PROTO_HEADER_SIZE;
	rc = proto_payload_validate(payload, h.len, err);
	if (rc != PROTO_OK)
		return rc;
	uint8_t *copy = NULL;
	if (h.len > 0) {
		copy = malloc(h.len);
		if (copy == NULL)
			return proto_error_set(err, PROTO_E_NOMEM,
					       "out of memory for a %u-byte message",
					       (unsigned)h.len);
		memcpy(copy, payload, h.len);
	}
	out->version = h.version;
	out->type = h.type;
	out->len = h.len;
	out->payload = copy;
	out->owned = copy;
	if (used != NULL)
		*used = PROTO_HEADER_SIZE + (size_t)h.len;
	return PROTO_OK;
}
