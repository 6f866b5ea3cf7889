/* tests/unit/test_proto.c: frames and fields (lib/proto.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/proto.h"

/* Build the frame bytes of a message with a hand-written header. */
static size_t put_header(uint8_t *p, uint32_t magic, uint16_t version, uint16_t type,
			 uint32_t len)
{
	struct proto_header h = { magic, version, type, len };
	proto_header_encode(&h, p);
	return PROTO_HEADER_SIZE;
}

/* Decode B's frame, asserting success. */
static void decode_ok(const struct proto_buf *b, struct proto_msg *m)
{
	struct proto_error err;
	size_t used = 0;
	assert_int_equal(proto_decode(b->data, b->len, PROTO_MAX_PAYLOAD, m, &used, &err),
			 PROTO_OK);
	assert_int_equal(used, b->len);
}

/* ------------------------------------------------------------ wire format */

static void test_header_is_magic_version_type_length_big_endian(void **state)
{
	(void)state;
	uint8_t p[PROTO_HEADER_SIZE];
	struct proto_header h = { PROTO_MAGIC, 1, 0x0203, 0x04050607 }, back;
	proto_header_encode(&h, p);
	static const uint8_t want[] = { 'C', 'R', 'N', 'D', 0, 1, 2, 3, 4, 5, 6, 7 };
	assert_memory_equal(p, want, sizeof want);
	proto_header_decode(p, &back);
	assert_int_equal(back.magic, PROTO_MAGIC);
	assert_int_equal(back.version, 1);
	assert_int_equal(back.type, 0x0203);
	assert_int_equal(back.len, 0x04050607);
}

static void test_built_frame_matches_the_documented_bytes(void **state)
{
	(void)state;
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 7), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 2, "hi"), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 3, 0x01020304), PROTO_OK);
	assert_int_equal(proto_buf_add_bool(&b, 4, true), PROTO_OK);
	static const uint8_t want[] = {
		'C', 'R', 'N', 'D', 0, 1, 0, 7, 0, 0, 0, 25,
		0, 2, 0, 0, 0, 2, 'h', 'i',
		0, 3, 0, 0, 0, 4, 1, 2, 3, 4,
		0, 4, 0, 0, 0, 1, 1,
	};
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(b.data, want, sizeof want);
	proto_buf_free(&b);
}

static void test_i64_is_eight_bytes_big_endian_twos_complement(void **state)
{
	(void)state;
	static const struct { int64_t v; uint8_t bytes[8]; } cases[] = {
		{ 0, { 0, 0, 0, 0, 0, 0, 0, 0 } },
		{ 1, { 0, 0, 0, 0, 0, 0, 0, 1 } },
		{ -1, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ INT64_MAX, { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ INT64_MIN, { 0x80, 0, 0, 0, 0, 0, 0, 0 } },
		{ 1700000000, { 0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00 } },
		{ -2, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct proto_buf b;
		struct proto_msg m;
		int64_t back = 42;
		assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
		assert_int_equal(proto_buf_add_i64(&b, 9, cases[i].v), PROTO_OK);
		assert_memory_equal(b.data + PROTO_HEADER_SIZE + PROTO_FIELD_HEADER_SIZE,
				    cases[i].bytes, 8);
		decode_ok(&b, &m);
		assert_int_equal(proto_get_i64(&m, 9, &back, NULL), PROTO_OK);
		assert_true(back == cases[i].v);
		proto_msg_free(&m);
		proto_buf_free(&b);
	}
}

/* ------------------------------------------------------------ round trips */

static void test_every_field_type_round_trips(void **state)
{
	(void)state;
	static const uint8_t blob[] = { 0, 1, 2, 0xff, 0 };
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 0x1234), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 1, "alice"), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 2, 4000000000u), PROTO_OK);
	assert_int_equal(proto_buf_add_i64(&b, 3, -1234567890123LL), PROTO_OK);
	assert_int_equal(proto_buf_add_bool(&b, 4, false), PROTO_OK);
	assert_int_equal(proto_buf_add_bytes(&b, 5, blob, sizeof blob), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 6, ""), PROTO_OK);
	assert_int_equal(b.failed, PROTO_OK);

	struct proto_msg m;
	decode_ok(&b, &m);
	assert_int_equal(m.type, 0x1234);
	assert_int_equal(m.version, PROTO_VERSION);
	assert_int_equal(m.len, b.len - PROTO_HEADER_SIZE);

	char *s = NULL;
	uint32_t u = 0;
	int64_t i = 0;
	bool flag = true;
	const uint8_t *data = NULL;
	size_t len = 0;
	assert_int_equal(proto_get_str(&m, 1, &s, NULL), PROTO_OK);
	assert_string_equal(s, "alice");
	free(s);
	assert_int_equal(proto_get_u32(&m, 2, &u, NULL), PROTO_OK);
	assert_int_equal(u, 4000000000u);
	assert_int_equal(proto_get_i64(&m, 3, &i, NULL), PROTO_OK);
	assert_true(i == -1234567890123LL);
	assert_int_equal(proto_get_bool(&m, 4, &flag, NULL), PROTO_OK);
	assert_false(flag);
	assert_int_equal(proto_get_bytes(&m, 5, &data, &len, NULL), PROTO_OK);
	assert_int_equal(len, sizeof blob);
	assert_memory_equal(data, blob, sizeof blob);
	assert_int_equal(proto_get_str(&m, 6, &s, NULL), PROTO_OK);
	assert_string_equal(s, "");
	free(s);
	/* A copy of bytes that hold NULs, terminated; a missing field gives
	 * MISSING and no copy. */
	assert_int_equal(proto_get_bytes_copy(&m, 5, &s, &len), PROTO_OK);
	assert_int_equal(len, sizeof blob);
	assert_memory_equal(s, blob, sizeof blob);
	assert_int_equal(s[len], '\0');
	free(s);
	assert_int_equal(proto_get_bytes_copy(&m, 99, &s, &len), PROTO_E_MISSING);
	assert_null(s);
	proto_msg_free(&m);
	proto_buf_free(&b);
}

static void test_empty_payload_is_a_valid_message_without_fields(void **state)
{
	(void)state;
	struct proto_buf b;
	struct proto_msg m;
	struct proto_field f;
	struct proto_iter it;
	assert_int_equal(proto_buf_init(&b, 3), PROTO_OK);
	assert_int_equal(b.len, PROTO_HEADER_SIZE);
	decode_ok(&b, &m);
	assert_int_equal(m.len, 0);
	assert_null(m.payload);
	proto_iter_init_all(&it, &m);
	assert_false(proto_iter_next(&it, &f));
	assert_int_equal(proto_find(&m, 1, &f, NULL), PROTO_E_MISSING);
	assert_int_equal(proto_count(&m, 1), 0);
	proto_msg_free(&m);
	proto_buf_free(&b);
}

static void test_repeated_fields_iterate_in_order_skipping_other_tags(void **state)
{
	(void)state;
	static const char *env[] = { "HOME=/root", "PATH=/bin:/usr/bin", "", "X=1" };
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 10, "cwd"), PROTO_OK);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(proto_buf_add_str(&b, 20, env[i]), PROTO_OK);
		assert_int_equal(proto_buf_add_u32(&b, 30, (uint32_t)i), PROTO_OK);
	}
	struct proto_msg m;
	decode_ok(&b, &m);
	assert_int_equal(proto_count(&m, 20), 4);
	assert_int_equal(proto_count(&m, 30), 4);
	assert_int_equal(proto_count(&m, 10), 1);
	assert_int_equal(proto_count(&m, 99), 0);

	struct proto_iter it;
	struct proto_field f;
	size_t n = 0;
	proto_iter_init(&it, &m, 20);
	while (proto_iter_next(&it, &f)) {
		char buf[64];
		assert_int_equal(f.tag, 20);
		assert_int_equal(proto_field_strcpy(&f, buf, sizeof buf, NULL), PROTO_OK);
		assert_string_equal(buf, env[n]);
		n++;
	}
	assert_int_equal(n, 4);
	assert_false(proto_iter_next(&it, &f));          /* stays at the end */

	static const uint16_t order[] = { 10, 20, 30, 20, 30, 20, 30, 20, 30 };
	n = 0;
	proto_iter_init_all(&it, &m);
	while (proto_iter_next(&it, &f))
		assert_int_equal(f.tag, order[n++]);
	assert_int_equal(n, 9);
	proto_msg_free(&m);
	proto_buf_free(&b);
}

/* Rows of a listing: each a field whose bytes are a payload of fields. */
static void test_nested_records_round_trip_as_read_only_views(void **state)
{
	(void)state;
	static const char *users[] = { "alice", "bob", "" };
	struct proto_buf b, row;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 1, 3), PROTO_OK);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(proto_buf_init(&row, 99), PROTO_OK);   /* type ignored */
		assert_int_equal(proto_buf_add_str(&row, 10, users[i]), PROTO_OK);
		assert_int_equal(proto_buf_add_i64(&row, 11, -(int64_t)i), PROTO_OK);
		assert_int_equal(proto_buf_add_nested(&b, 17, &row), PROTO_OK);
		proto_buf_free(&row);
	}
	assert_int_equal(proto_buf_init(&row, 0), PROTO_OK);        /* an empty record */
	assert_int_equal(proto_buf_add_nested(&b, 17, &row), PROTO_OK);
	proto_buf_free(&row);

	struct proto_msg m, view;
	struct proto_iter it;
	struct proto_field f;
	uint32_t n = 0;
	decode_ok(&b, &m);
	proto_iter_init(&it, &m, 17);
	while (proto_iter_next(&it, &f)) {
		assert_int_equal(proto_field_nested(&f, &view, NULL), PROTO_OK);
		assert_null(view.owned);
		if (n == 3) {
			assert_int_equal(view.len, 0);
			assert_int_equal(proto_find(&view, 10, &f, NULL), PROTO_E_MISSING);
		} else {
			char *s = NULL;
			int64_t v = 1;
			assert_int_equal(proto_get_str(&view, 10, &s, NULL), PROTO_OK);
			assert_string_equal(s, users[n]);
			free(s);
			assert_int_equal(proto_get_i64(&view, 11, &v, NULL), PROTO_OK);
			assert_true(v == -(int64_t)n);
		}
		proto_msg_free(&view);                       /* harmless on a view */
		n++;
	}
	assert_int_equal(n, 4);
	proto_msg_free(&m);
	proto_buf_free(&b);
}

static void test_malformed_nested_record_is_refused(void **state)
{
	(void)state;
	static const uint8_t bad[] = { 0, 1, 0, 0, 0, 9, 'x' };
	struct proto_field f = { 17, sizeof bad, bad };
	struct proto_msg view = { 0 };
	struct proto_error err;
	assert_int_equal(proto_field_nested(&f, &view, &err), PROTO_E_MALFORMED);
	assert_non_null(strstr(err.msg, "field 17: "));
	assert_null(view.payload);
}

static void test_nested_record_that_failed_to_build_fails_the_message(void **state)
{
	(void)state;
	struct proto_buf b, row;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_init(&row, 0), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&row, 1, NULL), PROTO_E_INVALID);
	assert_int_equal(proto_buf_add_nested(&b, 17, &row), PROTO_E_INVALID);
	assert_int_equal(b.failed, PROTO_E_INVALID);
	proto_buf_free(&row);
	proto_buf_free(&b);
}

/* ------------------------------------------------------------ malformed */

struct bad_frame {
	const char *rule;
	uint8_t bytes[40];
	size_t len;
	uint32_t max;
	enum proto_code want;
};

#define HDR(ver, len) 'C', 'R', 'N', 'D', 0, ver, 0, 1, \
	(uint8_t)((len) >> 24), (uint8_t)((len) >> 16), (uint8_t)((len) >> 8), (uint8_t)(len)

static const struct bad_frame bad_frames[] = {
	{ "nothing at all is a truncated header", { 0 }, 0, 1024, PROTO_E_TRUNCATED },
	{ "half a header is truncated", { 'C', 'R', 'N', 'D', 0, 1 }, 6, 1024,
	  PROTO_E_TRUNCATED },
	{ "a short buffer with the wrong first byte is bad magic", { 'G' }, 1, 1024,
	  PROTO_E_BAD_MAGIC },
	{ "wrong magic is refused", { 'G', 'E', 'T', ' ', 0, 1, 0, 1, 0, 0, 0, 0 }, 12, 1024,
	  PROTO_E_BAD_MAGIC },
	{ "magic in little-endian order is refused", { 'D', 'N', 'R', 'C', 0, 1, 0, 1, 0, 0, 0, 0 },
	  12, 1024, PROTO_E_BAD_MAGIC },
	{ "another version is a version error", { HDR(2, 0) }, 12, 1024, PROTO_E_VERSION },
	{ "version 0 is a version error", { HDR(0, 0) }, 12, 1024, PROTO_E_VERSION },
	{ "a payload shorter than announced is truncated", { HDR(1, 10), 0, 1, 0, 0 }, 16, 1024,
	  PROTO_E_TRUNCATED },
	{ "a length over the receiver's limit is refused from the header alone",
	  { HDR(1, 1025) }, 12, 1024, PROTO_E_TOO_LARGE },
	{ "a length over PROTO_MAX_PAYLOAD is refused whatever the caller's limit",
	  { HDR(1, PROTO_MAX_PAYLOAD + 1) }, 12, UINT32_MAX, PROTO_E_TOO_LARGE },
	{ "a 4 GiB length is refused from the header alone", { HDR(1, 0xffffffffu) }, 12,
	  PROTO_MAX_PAYLOAD, PROTO_E_TOO_LARGE },
	{ "a payload too short for a field header is malformed", { HDR(1, 3), 0, 1, 0 }, 15,
	  1024, PROTO_E_MALFORMED },
	{ "a field longer than the payload is malformed", { HDR(1, 8), 0, 1, 0, 0, 0, 3, 'a', 'b' },
	  20, 1024, PROTO_E_MALFORMED },
	{ "a field length of 4 GiB - 1 is malformed", { HDR(1, 6), 0, 1, 0xff, 0xff, 0xff, 0xff },
	  18, 1024, PROTO_E_MALFORMED },
	{ "a partial field after a good one is malformed",
	  { HDR(1, 9), 0, 1, 0, 0, 0, 1, 'x', 0, 2 }, 21, 1024, PROTO_E_MALFORMED },
	{ "one stray byte after the last field is malformed",
	  { HDR(1, 7), 0, 1, 0, 0, 0, 0, 0 }, 19, 1024, PROTO_E_MALFORMED },
};

static void test_malformed_frames_are_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_frames / sizeof bad_frames[0]; i++) {
		const struct bad_frame *c = &bad_frames[i];
		struct proto_msg m = { 0 };
		struct proto_error err;
		memset(&err, 0, sizeof err);
		enum proto_code got = proto_decode(c->bytes, c->len, c->max, &m, NULL, &err);
		if (got != c->want)
			fail_msg("%s: got %s (%s), want %s", c->rule, proto_code_name(got),
				 err.msg, proto_code_name(c->want));
		assert_int_equal(err.code, c->want);
		assert_true(strlen(err.msg) > 0);
		assert_null(strchr(err.msg, '\n'));
		assert_null(m.payload);                      /* nothing handed out */
	}
}

static void test_well_formed_frame_followed_by_more_bytes_reports_its_size(void **state)
{
	(void)state;
	uint8_t p[64];
	size_t n = put_header(p, PROTO_MAGIC, PROTO_VERSION, 5, 7);
	memcpy(p + n, "\0\1\0\0\0\1z" "CRND", 11);
	struct proto_msg m;
	size_t used = 0;
	assert_int_equal(proto_decode(p, n + 11, 1024, &m, &used, NULL), PROTO_OK);
	assert_int_equal(used, 19);
	assert_int_equal(m.type, 5);
	proto_msg_free(&m);
}

static void test_validate_names_the_offset_of_the_bad_field(void **state)
{
	(void)state;
	static const uint8_t p[] = { 0, 1, 0, 0, 0, 1, 'x', 0, 2, 0, 0, 0, 9, 'y' };
	struct proto_error err;
	assert_int_equal(proto_payload_validate(p, sizeof p, &err), PROTO_E_MALFORMED);
	assert_non_null(strstr(err.msg, "offset 7"));
	assert_non_null(strstr(err.msg, "tag 2"));
	assert_int_equal(proto_payload_validate(p, 7, &err), PROTO_OK);
	assert_int_equal(proto_payload_validate(NULL, 0, &err), PROTO_OK);
}

/* ------------------------------------------------------------ typed getters */

struct getter_case {
	const char *rule;
	char type;                                   /* u, i, b, s */
	uint8_t data[10];
	uint32_t len;
	enum proto_code want;
};

static const struct getter_case getter_cases[] = {
	{ "u32 of 4 bytes is read", 'u', { 0, 0, 1, 0 }, 4, PROTO_OK },
	{ "u32 of 3 bytes is refused", 'u', { 0, 0, 1 }, 3, PROTO_E_BAD_FIELD },
	{ "u32 of 5 bytes is refused", 'u', { 0, 0, 0, 1, 0 }, 5, PROTO_E_BAD_FIELD },
	{ "u32 of 0 bytes is refused", 'u', { 0 }, 0, PROTO_E_BAD_FIELD },
	{ "i64 of 8 bytes is read", 'i', { 0, 0, 0, 0, 0, 0, 0, 1 }, 8, PROTO_OK },
	{ "i64 of 4 bytes is refused", 'i', { 0, 0, 0, 1 }, 4, PROTO_E_BAD_FIELD },
	{ "i64 of 9 bytes is refused", 'i', { 0 }, 9, PROTO_E_BAD_FIELD },
	{ "bool 0 is read", 'b', { 0 }, 1, PROTO_OK },
	{ "bool 1 is read", 'b', { 1 }, 1, PROTO_OK },
	{ "bool 2 is refused", 'b', { 2 }, 1, PROTO_E_BAD_FIELD },
	{ "bool 0xff is refused", 'b', { 0xff }, 1, PROTO_E_BAD_FIELD },
	{ "bool of 0 bytes is refused", 'b', { 0 }, 0, PROTO_E_BAD_FIELD },
	{ "bool of 2 bytes is refused", 'b', { 0, 1 }, 2, PROTO_E_BAD_FIELD },
	{ "string without NUL is read", 's', { 'a', 'b' }, 2, PROTO_OK },
	{ "empty string is read", 's', { 0 }, 0, PROTO_OK },
	{ "string with a NUL inside is refused", 's', { 'a', 0, 'b' }, 3, PROTO_E_BAD_FIELD },
	{ "string ending in NUL is refused", 's', { 'a', 'b', 0 }, 3, PROTO_E_BAD_FIELD },
};

static enum proto_code read_as(const struct getter_case *c, struct proto_error *err)
{
	struct proto_field f = { 77, c->len, c->data };
	uint32_t u;
	int64_t i;
	bool b;
	char *s = NULL;
	char buf[16];
	enum proto_code rc = PROTO_E_INVALID, rc2;
	switch (c->type) {
	case 'u': rc = proto_field_u32(&f, &u, err); break;
	case 'i': rc = proto_field_i64(&f, &i, err); break;
	case 'b': rc = proto_field_bool(&f, &b, err); break;
	case 's':
		rc = proto_field_strdup(&f, &s, err);
		rc2 = proto_field_strcpy(&f, buf, sizeof buf, NULL);
		assert_int_equal(rc, rc2);
		if (rc == PROTO_OK) {
			assert_int_equal(strlen(s), c->len);
			assert_string_equal(s, buf);
		}
		free(s);
		break;
	default: break;
	}
	return rc;
}

static void test_typed_getters_check_length_and_content(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof getter_cases / sizeof getter_cases[0]; i++) {
		const struct getter_case *c = &getter_cases[i];
		struct proto_error err;
		memset(&err, 0, sizeof err);
		enum proto_code got = read_as(c, &err);
		if (got != c->want)
			fail_msg("%s: got %s (%s)", c->rule, proto_code_name(got), err.msg);
		if (got != PROTO_OK)
			assert_non_null(strstr(err.msg, "field 77"));
	}
}

static void test_getters_leave_outputs_alone_on_error(void **state)
{
	(void)state;
	struct proto_buf b;
	struct proto_msg m;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 1, "abc"), PROTO_OK);
	decode_ok(&b, &m);
	uint32_t u = 7;
	int64_t i = 7;
	bool flag = true;
	char *s = NULL;
	assert_int_equal(proto_get_u32(&m, 1, &u, NULL), PROTO_E_BAD_FIELD);
	assert_int_equal(proto_get_i64(&m, 1, &i, NULL), PROTO_E_BAD_FIELD);
	assert_int_equal(proto_get_bool(&m, 1, &flag, NULL), PROTO_E_BAD_FIELD);
	assert_int_equal(proto_get_str(&m, 2, &s, NULL), PROTO_E_MISSING);
	assert_int_equal(u, 7);
	assert_true(i == 7);
	assert_true(flag);
	assert_null(s);
	proto_msg_free(&m);
	proto_buf_free(&b);
}

static void test_missing_field_names_the_tag(void **state)
{
	(void)state;
	struct proto_buf b;
	struct proto_msg m;
	struct proto_error err;
	uint32_t u;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 1, 5), PROTO_OK);
	decode_ok(&b, &m);
	assert_int_equal(proto_get_u32(&m, 9, &u, &err), PROTO_E_MISSING);
	assert_int_equal(err.code, PROTO_E_MISSING);
	assert_string_equal(err.msg, "missing field 9");
	proto_msg_free(&m);
	proto_buf_free(&b);
}

static void test_first_of_repeated_fields_is_found(void **state)
{
	(void)state;
	struct proto_buf b;
	struct proto_msg m;
	uint32_t u = 0;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 1, 11), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 1, 22), PROTO_OK);
	decode_ok(&b, &m);
	assert_int_equal(proto_get_u32(&m, 1, &u, NULL), PROTO_OK);
	assert_int_equal(u, 11);
	proto_msg_free(&m);
	proto_buf_free(&b);
}

static void test_strcpy_needs_room_for_the_terminator(void **state)
{
	(void)state;
	struct proto_field f = { 3, 4, (const uint8_t *)"abcd" };
	char buf[8];
	struct proto_error err;
	assert_int_equal(proto_field_strcpy(&f, buf, 4, &err), PROTO_E_BAD_FIELD);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(proto_field_strcpy(&f, buf, 5, &err), PROTO_OK);
	assert_string_equal(buf, "abcd");
	assert_int_equal(proto_field_strcpy(&f, buf, 0, &err), PROTO_E_BAD_FIELD);
}

/* ------------------------------------------------------------ builder limits */

static void test_builder_accepts_exactly_the_maximum_payload(void **state)
{
	(void)state;
	size_t n = PROTO_MAX_PAYLOAD - PROTO_FIELD_HEADER_SIZE;
	uint8_t *big = calloc(1, n);
	assert_non_null(big);
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_bytes(&b, 1, big, n), PROTO_OK);
	assert_int_equal(b.len, PROTO_MAX_FRAME);
	/* One more field, even empty, passes the limit; the failure sticks. */
	assert_int_equal(proto_buf_add_bytes(&b, 2, NULL, 0), PROTO_E_TOO_LARGE);
	assert_int_equal(b.failed, PROTO_E_TOO_LARGE);
	assert_int_equal(proto_buf_add_u32(&b, 3, 1), PROTO_E_TOO_LARGE);
	assert_int_equal(b.len, PROTO_MAX_FRAME);     /* frame left whole */

	struct proto_msg m;
	decode_ok(&b, &m);
	assert_int_equal(m.len, PROTO_MAX_PAYLOAD);
	proto_msg_free(&m);
	proto_buf_free(&b);
	free(big);
}

static void test_builder_refuses_a_field_larger_than_the_limit(void **state)
{
	(void)state;
	struct proto_buf b;
	static const uint8_t byte = 0;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	/* The length alone is checked: no need for such a buffer to exist. */
	assert_int_equal(proto_buf_add_bytes(&b, 1, &byte, (size_t)PROTO_MAX_PAYLOAD + 1),
			 PROTO_E_TOO_LARGE);
	assert_int_equal(b.len, PROTO_HEADER_SIZE);
	proto_buf_free(&b);
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_bytes(&b, 1, &byte, SIZE_MAX), PROTO_E_TOO_LARGE);
	proto_buf_free(&b);
}

static void test_builder_refuses_null_data_and_sticks(void **state)
{
	(void)state;
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_bytes(&b, 1, NULL, 3), PROTO_E_INVALID);
	assert_int_equal(proto_buf_add_str(&b, 1, "ok"), PROTO_E_INVALID);
	proto_buf_free(&b);
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 1, NULL), PROTO_E_INVALID);
	assert_int_equal(b.failed, PROTO_E_INVALID);
	proto_buf_free(&b);
	proto_buf_free(&b);                                  /* twice is harmless */
}

static void test_builder_grows_through_many_small_fields(void **state)
{
	(void)state;
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	for (uint32_t i = 0; i < 20000; i++)
		assert_int_equal(proto_buf_add_u32(&b, 5, i), PROTO_OK);
	struct proto_msg m;
	decode_ok(&b, &m);
	assert_int_equal(proto_count(&m, 5), 20000);
	struct proto_iter it;
	struct proto_field f;
	uint32_t want = 0, got;
	proto_iter_init(&it, &m, 5);
	while (proto_iter_next(&it, &f)) {
		assert_int_equal(proto_field_u32(&f, &got, NULL), PROTO_OK);
		assert_int_equal(got, want++);
	}
	proto_msg_free(&m);
	proto_buf_free(&b);
}

/* ------------------------------------------------------------ fatal frames */

static void test_version_error_frame_says_both_versions(void **state)
{
	(void)state;
	struct proto_buf b;
	char text[PROTO_ERRMSG_SIZE];
	assert_int_equal(proto_build_version_error(&b, 2), PROTO_OK);
	assert_int_equal(b.data[6], 0xff);
	assert_int_equal(b.data[7], 0xff);
	assert_true(proto_fatal_text(b.data + PROTO_HEADER_SIZE, b.len - PROTO_HEADER_SIZE,
				     text, sizeof text));
	assert_string_equal(text, "crond speaks protocol version 1, client speaks 2");
	proto_buf_free(&b);
}

static void test_fatal_text_is_cut_and_made_printable(void **state)
{
	(void)state;
	char longtext[1000];
	memset(longtext, 'a', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	longtext[3] = '\n';
	longtext[4] = '\033';
	struct proto_buf b;
	char text[PROTO_ERRMSG_SIZE];
	assert_int_equal(proto_build_fatal(&b, longtext), PROTO_OK);
	assert_int_equal(b.len - PROTO_HEADER_SIZE, PROTO_FATAL_MAX_PAYLOAD);
	assert_true(proto_fatal_text(b.data + PROTO_HEADER_SIZE, b.len - PROTO_HEADER_SIZE,
				     text, sizeof text));
	assert_int_equal(strlen(text), PROTO_FATAL_MAX_TEXT);
	assert_memory_equal(text, "aaa??aa", 7);
	assert_true(proto_fatal_text(b.data + PROTO_HEADER_SIZE, b.len - PROTO_HEADER_SIZE,
				     text, 8));
	assert_string_equal(text, "aaa??aa");
	proto_buf_free(&b);
	assert_false(proto_fatal_text(NULL, 0, text, sizeof text));
}

/* ------------------------------------------------------------ errors */

static void test_error_messages_carry_code_and_strerror(void **state)
{
	(void)state;
	struct proto_error err;
	assert_int_equal(proto_error_sys(&err, PROTO_E_IO, ENOENT, "opening %s", "x"),
			 PROTO_E_IO);
	assert_int_equal(err.code, PROTO_E_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_string_equal(err.msg, "opening x: No such file or directory");
	assert_int_equal(proto_error_set(NULL, PROTO_E_EOF, "x"), PROTO_E_EOF);

	char longarg[600];
	memset(longarg, 'p', sizeof longarg - 1);
	longarg[sizeof longarg - 1] = '\0';
	proto_error_sys(&err, PROTO_E_IO, EACCES, "%s", longarg);
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
	for (int c = PROTO_OK; c <= PROTO_E_REMOTE; c++)
		assert_true(strlen(proto_code_name((enum proto_code)c)) > 0);
}

static void test_magic_prefix_checks_only_the_bytes_present(void **state)
{
	(void)state;
	assert_true(proto_magic_prefix_ok((const uint8_t *)"", 0));
	assert_true(proto_magic_prefix_ok((const uint8_t *)"CR", 2));
	assert_true(proto_magic_prefix_ok((const uint8_t *)"CRNDxx", 6));
	assert_false(proto_magic_prefix_ok((const uint8_t *)"X", 1));
	assert_false(proto_magic_prefix_ok((const uint8_t *)"CRNX", 4));
}

/* ------------------------------------------------------------ random input */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Walk every field of M with every getter: must stay inside the payload. */
static void touch_every_field(const struct proto_msg *m)
{
	struct proto_iter it;
	struct proto_field f;
	size_t total = 0;
	proto_iter_init_all(&it, m);
	while (proto_iter_next(&it, &f)) {
		uint32_t u;
		int64_t i;
		bool b;
		char *s = NULL;
		char buf[8];
		assert_true(f.data >= m->payload && f.data + f.len <= m->payload + m->len);
		total += PROTO_FIELD_HEADER_SIZE + f.len;
		(void)proto_field_u32(&f, &u, NULL);
		(void)proto_field_i64(&f, &i, NULL);
		(void)proto_field_bool(&f, &b, NULL);
		(void)proto_field_strcpy(&f, buf, sizeof buf, NULL);
		if (proto_field_strdup(&f, &s, NULL) == PROTO_OK)
			free(s);
	}
	assert_int_equal(total, m->len);             /* validated: fields fill it */
}

static void test_random_mutations_never_read_out_of_bounds(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, 2), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 1, "user"), PROTO_OK);
	assert_int_equal(proto_buf_add_i64(&b, 2, 99), PROTO_OK);
	assert_int_equal(proto_buf_add_bool(&b, 3, true), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 4, "ENV=1"), PROTO_OK);
	int decoded = 0, refused = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = b.len;
		uint8_t *p = malloc(len);
		assert_non_null(p);
		memcpy(p, b.data, len);
		int flips = 1 + (int)(rng_next(&seed) % 4);
		for (int k = 0; k < flips; k++)
			p[rng_next(&seed) % len] = (uint8_t)rng_next(&seed);
		if (rng_next(&seed) % 3 == 0)
			len -= rng_next(&seed) % (len - PROTO_HEADER_SIZE);
		uint8_t *exact = malloc(len);              /* ASan sees any overrun */
		assert_non_null(exact);
		memcpy(exact, p, len);
		struct proto_msg m;
		if (proto_decode(exact, len, 4096, &m, NULL, NULL) == PROTO_OK) {
			touch_every_field(&m);
			proto_msg_free(&m);
			decoded++;
		} else
			refused++;
		free(exact);
		free(p);
	}
	assert_true(decoded > 1000 && refused > 1000);   /* both paths exercised */
	proto_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_is_magic_version_type_length_big_endian),
		cmocka_unit_test(test_built_frame_matches_the_documented_bytes),
		cmocka_unit_test(test_i64_is_eight_bytes_big_endian_twos_complement),
		cmocka_unit_test(test_every_field_type_round_trips),
		cmocka_unit_test(test_empty_payload_is_a_valid_message_without_fields),
		cmocka_unit_test(test_repeated_fields_iterate_in_order_skipping_other_tags),
		cmocka_unit_test(test_nested_records_round_trip_as_read_only_views),
		cmocka_unit_test(test_malformed_nested_record_is_refused),
		cmocka_unit_test(test_nested_record_that_failed_to_build_fails_the_message),
		cmocka_unit_test(test_malformed_frames_are_refused),
		cmocka_unit_test(test_well_formed_frame_followed_by_more_bytes_reports_its_size),
		cmocka_unit_test(test_validate_names_the_offset_of_the_bad_field),
		cmocka_unit_test(test_typed_getters_check_length_and_content),
		cmocka_unit_test(test_getters_leave_outputs_alone_on_error),
		cmocka_unit_test(test_missing_field_names_the_tag),
		cmocka_unit_test(test_first_of_repeated_fields_is_found),
		cmocka_unit_test(test_strcpy_needs_room_for_the_terminator),
		cmocka_unit_test(test_builder_accepts_exactly_the_maximum_payload),
		cmocka_unit_test(test_builder_refuses_a_field_larger_than_the_limit),
		cmocka_unit_test(test_builder_refuses_null_data_and_sticks),
		cmocka_unit_test(test_builder_grows_through_many_small_fields),
		cmocka_unit_test(test_version_error_frame_says_both_versions),
		cmocka_unit_test(test_fatal_text_is_cut_and_made_printable),
		cmocka_unit_test(test_error_messages_carry_code_and_strerror),
		cmocka_unit_test(test_magic_prefix_checks_only_the_bytes_present),
		cmocka_unit_test(test_random_mutations_never_read_out_of_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
