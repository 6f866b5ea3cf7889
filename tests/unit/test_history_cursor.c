/* tests/unit/test_history_cursor.c: MSG_HISTORY's cursor on the wire
 * (lib/history_cursor.h): round trip, every malformed shape refused, and
 * the order it names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/history_cursor.h"
#include "lib/proto_msgs.h"

/* B's frame decoded, as crond would receive it. */
static struct proto_msg decoded(struct proto_buf *b)
{
	struct proto_msg m;
	assert_int_equal(proto_decode(b->data, b->len, PROTO_MAX_PAYLOAD, &m, NULL, NULL),
	                 PROTO_OK);
	proto_buf_free(b);
	return m;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, MSG_HISTORY), PROTO_OK);
	const struct history_cursor c = { 1767225000123LL, 42 };
	assert_int_equal(history_cursor_add(&b, &c), PROTO_OK);
	struct proto_msg m = decoded(&b);
	struct history_cursor got = { 0, 0 };
	assert_int_equal(history_cursor_get(&m, &got), PROTO_OK);
	assert_int_equal(got.start_ms, c.start_ms);
	assert_int_equal(got.id, c.id);
	proto_msg_free(&m);
	assert_int_equal(proto_buf_init(&b, MSG_HISTORY), PROTO_OK);
	m = decoded(&b);
	assert_int_equal(history_cursor_get(&m, &got), PROTO_E_MISSING);
	proto_msg_free(&m);
}

/* A cursor field of INNER's fields (or RAW bytes when INNER is NULL). */
static enum proto_code get_from(const struct proto_buf *inner, const char *raw)
{
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, MSG_HISTORY), PROTO_OK);
	if (inner)
		assert_int_equal(proto_buf_add_nested(&b, TAG_HISTORY_BEFORE, inner), PROTO_OK);
	else
		assert_int_equal(proto_buf_add_bytes(&b, TAG_HISTORY_BEFORE, raw, 3), PROTO_OK);
	struct proto_msg m = decoded(&b);
	struct history_cursor got = { 7, 7 };
	enum proto_code rc = history_cursor_get(&m, &got);
	if (rc != PROTO_OK)
		assert_true(got.start_ms == 7 && got.id == 7);   /* untouched */
	proto_msg_free(&m);
	return rc;
}

static void test_malformed_cursors_are_refused(void **state)
{
	(void)state;
	assert_int_equal(get_from(NULL, "xyz"), PROTO_E_BAD_FIELD);   /* not nested */
	struct { int64_t start; int64_t id; bool has_start, has_id, u32_id; } cases[] = {
		{ 1000, 5, true, false, false },     /* no id */
		{ 1000, 5, false, true, false },     /* no start */
		{ -1, 5, true, true, false },        /* start before 1970 */
		{ 1000, 0, true, true, false },      /* id 0 */
		{ 1000, -3, true, true, false },     /* negative id */
		{ 1000, 5, true, true, true },       /* id not an i64 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proto_buf inner;
		assert_int_equal(proto_buf_init(&inner, 0), PROTO_OK);
		if (cases[i].has_start)
			(void)proto_buf_add_i64(&inner, TAG_START, cases[i].start);
		if (cases[i].has_id && cases[i].u32_id)
			(void)proto_buf_add_u32(&inner, TAG_RUN_ID, (uint32_t)cases[i].id);
		else if (cases[i].has_id)
			(void)proto_buf_add_i64(&inner, TAG_RUN_ID, cases[i].id);
		assert_int_equal(get_from(&inner, NULL), PROTO_E_BAD_FIELD);
		proto_buf_free(&inner);
	}
	struct proto_buf ok;
	assert_int_equal(proto_buf_init(&ok, 0), PROTO_OK);
	(void)proto_buf_add_i64(&ok, TAG_START, 0);
	(void)proto_buf_add_i64(&ok, TAG_RUN_ID, 1);
	assert_int_equal(get_from(&ok, NULL), PROTO_OK);     /* the smallest valid */
	proto_buf_free(&ok);
}

static void test_older_is_start_then_id(void **state)
{
	(void)state;
	struct history_cursor a = { 100, 9 }, b = { 100, 8 }, c = { 99, 50 };
	assert_true(history_cursor_older(&b, &a));
	assert_true(history_cursor_older(&c, &b));
	assert_false(history_cursor_older(&a, &b));
	assert_false(history_cursor_older(&a, &a));
	assert_false(history_cursor_older(&a, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed_cursors_are_refused),
		cmocka_unit_test(test_older_is_start_then_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
