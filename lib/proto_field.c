/* lib/proto_field.c: reading fields out of a payload (see proto.h).
 *
 * Every read is bounds-checked here, even though receivers validate whole
 * payloads first: a field function given an unvalidated message stops at
 * the first bad field rather than reading past the end.
 */
#include "lib/proto.h"

#include <stdlib.h>
#include <string.h>

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The field at OFF in PAYLOAD[0..LEN): true and *F filled if it fits. */
static bool field_at(const uint8_t *payload, size_t len, size_t off, struct proto_field *f)
{
	if (off > len || len - off < PROTO_FIELD_HEADER_SIZE)
		return false;
	const uint8_t *p = payload + off;
	uint32_t flen = get_be32(p + 2);
	if (len - off - PROTO_FIELD_HEADER_SIZE < flen)
		return false;
	f->tag = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	f->len = flen;
	f->data = p + PROTO_FIELD_HEADER_SIZE;
	return true;
}

enum proto_code proto_payload_validate(const uint8_t *payload, size_t len,
				       struct proto_error *err)
{
	size_t off = 0;
	while (off < len) {
		struct proto_field f;
		if (len - off < PROTO_FIELD_HEADER_SIZE)
			return proto_error_set(err, PROTO_E_MALFORMED,
					       "malformed message: %zu stray bytes after the last field at offset %zu",
					       len - off, off);
		if (!field_at(payload, len, off, &f))
			return proto_error_set(err, PROTO_E_MALFORMED,
					       "malformed message: field at offset %zu (tag %u, %u bytes) runs past the end (%zu bytes)",
					       off, (unsigned)(payload[off] << 8 | payload[off + 1]),
					       (unsigned)get_be32(payload + off + 2), len);
		off += PROTO_FIELD_HEADER_SIZE + (size_t)f.len;
	}
	return PROTO_OK;
}

/* ------------------------------------------------------------ iteration */

void proto_iter_init(struct proto_iter *it, const struct proto_msg *m, uint16_t tag)
{
	it->payload = m->payload;
	it->len = m->payload == NULL ? 0 : m->len;
	it->off = 0;
	it->tag = tag;
	it->any_tag = false;
}

void proto_iter_init_all(struct proto_iter *it, const struct proto_msg *m)
{
	proto_iter_init(it, m, 0);
	it->any_tag = true;
}

bool proto_iter_next(struct proto_iter *it, struct proto_field *f)
{
	struct proto_field cur;
	while (field_at(it->payload, it->len, it->off, &cur)) {
		it->off += PROTO_FIELD_HEADER_SIZE + (size_t)cur.len;
		if (it->any_tag || cur.tag == it->tag) {
			*f = cur;
			return true;
		}
	}
	it->off = it->len;                           /* stay at the end */
	return false;
}

size_t proto_count(const struct proto_msg *m, uint16_t tag)
{
	struct proto_iter it;
	struct proto_field f;
	size_t n = 0;
	proto_iter_init(&it, m, tag);
	while (proto_iter_next(&it, &f))
		n++;
	return n;
}

enum proto_code proto_find(const struct proto_msg *m, uint16_t tag,
			   struct proto_field *f, struct proto_error *err)
{
	struct proto_iter it;
	proto_iter_init(&it, m, tag);
	if (proto_iter_next(&it, f))
		return PROTO_OK;
	return proto_error_set(err, PROTO_E_MISSING, "missing field %u", (unsigned)tag);
}

/* ------------------------------------------------------------ typed fields */

static enum proto_code want_len(const struct proto_field *f, uint32_t len, const char *type,
				struct proto_error *err)
{
	if (f->len == len)
		return PROTO_OK;
	return proto_error_set(err, PROTO_E_BAD_FIELD,
			       "field %u: %s must be %u bytes, not %u",
			       (unsigned)f->tag, type, (unsigned)len, (unsigned)f->len);
}

enum proto_code proto_field_u32(const struct proto_field *f, uint32_t *out,
				struct proto_error *err)
{
	enum proto_code rc = want_len(f, 4, "a u32", err);
	if (rc == PROTO_OK)
		*out = get_be32(f->data);
	return rc;
}

enum proto_code proto_field_i64(const struct proto_field *f, int64_t *out,
				struct proto_error *err)
{
	enum proto_code rc = want_len(f, 8, "an i64", err);
	if (rc != PROTO_OK)
		return rc;
	uint64_t u = (uint64_t)get_be32(f->data) << 32 | get_be32(f->data + 4);
	/* Undo two's complement without an implementation-defined conversion. */
	*out = u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
	return PROTO_OK;
}

enum proto_code proto_field_bool(const struct proto_field *f, bool *out,
				 struct proto_error *err)
{
	enum proto_code rc = want_len(f, 1, "a bool", err);
	if (rc != PROTO_OK)
		return rc;
	if (f->data[0] > 1)
		return proto_error_set(err, PROTO_E_BAD_FIELD,
				       "field %u: a bool must be 0 or 1, not %u",
				       (unsigned)f->tag, (unsigned)f->data[0]);
	*out = f->data[0] == 1;
	return PROTO_OK;
}

static enum proto_code check_no_nul(const struct proto_field *f, struct proto_error *err)
{
	if (f->len == 0)
		return PROTO_OK;
	const uint8_t *nul = memchr(f->data, 0, f->len);
	if (nul == NULL)
		return PROTO_OK;
	return proto_error_set(err, PROTO_E_BAD_FIELD,
			       "field %u: string contains a NUL byte at offset %zu",
			       (unsigned)f->tag, (size_t)(nul - f->data));
}

enum proto_code proto_field_strdup(const struct proto_field *f, char **out,
				   struct proto_error *err)
{
	enum proto_code rc = check_no_nul(f, err);
	if (rc != PROTO_OK)
		return rc;
	char *s = malloc((size_t)f->len + 1);
	if (s == NULL)
		return proto_error_set(err, PROTO_E_NOMEM,
				       "field %u: out of memory for a %u-byte string",
				       (unsigned)f->tag, (unsigned)f->len);
	if (f->len > 0)
		memcpy(s, f->data, f->len);
	s[f->len] = '\0';
	*out = s;
	return PROTO_OK;
}

enum proto_code proto_field_strcpy(const struct proto_field *f, char *dst, size_t size,
				   struct proto_error *err)
{
	enum proto_code rc = check_no_nul(f, err);
	if (rc != PROTO_OK)
		return rc;
	if (size == 0 || f->len > size - 1)
		return proto_error_set(err, PROTO_E_BAD_FIELD,
				       "field %u: string of %u bytes is too long (limit %zu)",
				       (unsigned)f->tag, (unsigned)f->len,
				       size == 0 ? (size_t)0 : size - 1);
	if (f->len > 0)
		memcpy(dst, f->data, f->len);
	dst[f->len] = '\0';
	return PROTO_OK;
}

/* ------------------------------------------------------------ find and read */

enum proto_code proto_get_u32(const struct proto_msg *m, uint16_t tag, uint32_t *out,
			      struct proto_error *err)
{
	struct proto_field f;
	enum proto_code rc = proto_find(m, tag, &f, err);
	return rc != PROTO_OK ? rc : proto_field_u32(&f, out, err);
}

enum proto_code proto_get_i64(const struct proto_msg *m, uint16_t tag, int64_t *out,
			      struct proto_error *err)
{
	struct proto_field f;
	enum proto_code rc = proto_find(m, tag, &f, err);
	return rc != PROTO_OK ? rc : proto_field_i64(&f, out, err);
}

enum proto_code proto_get_bool(const struct proto_msg *m, uint16_t tag, bool *out,
			       struct proto_error *err)
{
	struct proto_field f;
	enum proto_code rc = proto_find(m, tag, &f, err);
	return rc != PROTO_OK ? rc : proto_field_bool(&f, out, err);
}

enum proto_code proto_get_bytes(const struct proto_msg *m, uint16_t tag,
				const uint8_t **data, size_t *len, struct proto_error *err)
{
	struct proto_field f;
	enum proto_code rc = proto_find(m, tag, &f, err);
	if (rc != PROTO_OK)
		return rc;
	*data = f.data;
	*len = f.len;
	return PROTO_OK;
}

enum proto_code proto_get_bytes_copy(const struct proto_msg *m, uint16_t tag, char **out,
				     size_t *len)
{
	*out = NULL;
	struct proto_field f;
	enum proto_code rc = proto_find(m, tag, &f, NULL);
	if (rc != PROTO_OK)
		return rc;
	char *s = malloc(f.len + 1);
	if (!s)
		return PROTO_E_NOMEM;
	if (f.len)
		memcpy(s, f.data, f.len);
	s[f.len] = '\0';
	if (len)
		*len = f.len;
	*out = s;
	return PROTO_OK;
}

enum proto_code proto_get_str(const struct proto_msg *m, uint16_t tag, char **out,
			      struct proto_error *err)
{
	struct proto_field f;
	enum proto_code rc = proto_find(m, tag, &f, err);
	return rc != PROTO_OK ? rc : proto_field_strdup(&f, out, err);
}

/* ------------------------------------------------------------ nested records */

enum proto_code proto_field_nested(const struct proto_field *f, struct proto_msg *view,
				   struct proto_error *err)
{
	struct proto_error inner;
	if (proto_payload_validate(f->data, f->len, &inner) != PROTO_OK)
		return proto_error_set(err, PROTO_E_MALFORMED, "field %u: %s",
				       (unsigned)f->tag, inner.msg);
	*view = (struct proto_msg){
		.version = PROTO_VERSION, .type = 0, .len = f->len,
		.payload = f->len > 0 ? f->data : NULL, .owned = NULL,
	};
	return PROTO_OK;
}

/* ------------------------------------------------------------ fatal text */

bool proto_fatal_text(const uint8_t *payload, size_t len, char *dst, size_t size)
{
	struct proto_iter it = {
		.payload = payload, .len = payload == NULL ? 0 : len,
		.off = 0, .tag = PROTO_FATAL_TAG_TEXT, .any_tag = false,
	};
	struct proto_field f;
	if (size == 0 || !proto_iter_next(&it, &f) || f.len == 0)
		return false;
	size_t n = f.len < size - 1 ? f.len : size - 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = f.data[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[n] = '\0';
	return true;
}
