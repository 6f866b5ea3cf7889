/* tests/unit/test_json_out.c: the --json building blocks (lib/json_out.c):
 * times as RFC 3339 and epoch, bytes that are not UTF-8, flags, a run's
 * fields and state, and the document written by jansson. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_out.h"
#include "lib/proto_msgs.h"
#include "lib/runstate.h"
#include "tests/unit/support/tz_check.h"

/* OBJ written compactly with sorted keys, into a new string. */
static char *dump(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	return s;
}

static void test_time_is_rfc3339_and_epoch_or_both_null(void **state)
{
	(void)state;
	struct tz *ny = must_load("America/New_York");
	json_t *o = json_object();
	assert_int_equal(json_out_set_time(o, "next_run", ny, 1772953200, true), 0);
	assert_int_equal(json_out_set_time(o, "last", ny, 0, false), 0);
	char *s = dump(o);
	assert_string_equal(s, "{\"last\":null,\"last_epoch\":null,"
	                       "\"next_run\":\"2026-03-08T03:00:00-04:00\","
	                       "\"next_run_epoch\":1772953200}");
	free(s);
	json_decref(o);
	tz_free(ny);
}

static void test_bytes_that_are_not_utf8_become_replacement_characters(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len;
		const char *out;        /* as JSON, ensure_ascii */
	} cases[] = {
		{ "plain", 5, "\"plain\"" },
		{ "caf\xc3\xa9", 5, "\"caf\\u00E9\"" },
		{ "caf\xe9", 4, "\"caf\\uFFFD\"" },
		{ "\xff\xfe", 2, "\"\\uFFFD\\uFFFD\"" },
		{ "\xe2\x82", 2, "\"\\uFFFD\\uFFFD\"" },                 /* cut sequence */
		{ "\xc0\xaf", 2, "\"\\uFFFD\\uFFFD\"" },                 /* overlong '/' */
		{ "\xed\xa0\x80", 3, "\"\\uFFFD\\uFFFD\\uFFFD\"" },     /* surrogate */
		{ "\xf0\x9f\x98\x80", 4, "\"\\uD83D\\uDE00\"" },
		{ "a\0b\x1b", 4, "\"a\\u0000b\\u001B\"" },
		{ "", 0, "\"\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = json_out_bytes(cases[i].in, cases[i].len);
		assert_non_null(v);
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
		assert_non_null(s);
		assert_string_equal(s, cases[i].out);
		free(s);
		json_decref(v);
	}
}

static void test_flags_are_words(void **state)
{
	(void)state;
	json_t *a = json_out_flags(RUNF_TIMED_OUT | RUNF_CATCHUP | RUNF_NO_STATUS);
	char *s = dump(a);
	assert_string_equal(s, "[\"timed-out\",\"catch-up\"]");
	free(s);
	json_decref(a);
	a = json_out_flags(0);
	s = dump(a);
	assert_string_equal(s, "[]");
	free(s);
	json_decref(a);
}

static void test_run_fields_by_state(void **state)
{
	(void)state;
	struct tz *utc = must_load("UTC");
	static const struct {
		struct json_run r;
		const char *want;
	} cases[] = {
		{ { 1767225600, 1767225600250, 1767225601500, 0, 0, 0 },
		  "{\"duration_ms\":1250,\"end\":\"2026-01-01T00:00:01+00:00\","
		  "\"end_epoch\":1767225601,\"exit_status\":0,\"flags\":[],"
		  "\"scheduled\":\"2026-01-01T00:00:00+00:00\",\"scheduled_epoch\":1767225600,"
		  "\"signal\":null,\"start\":\"2026-01-01T00:00:00+00:00\","
		  "\"start_epoch\":1767225600,\"state\":\"ok\"}" },
		{ { 0, 1767225600000, 0, 0, 0, 0 },
		  "{\"duration_ms\":null,\"end\":null,\"end_epoch\":null,\"exit_status\":null,"
		  "\"flags\":[],\"scheduled\":null,\"scheduled_epoch\":null,\"signal\":null,"
		  "\"start\":\"2026-01-01T00:00:00+00:00\",\"start_epoch\":1767225600,"
		  "\"state\":\"running\"}" },
		{ { 1767225600, 1767225600000, 1767225630000, 0, 9, RUNF_TIMED_OUT },
		  "{\"duration_ms\":30000,\"end\":\"2026-01-01T00:00:30+00:00\","
		  "\"end_epoch\":1767225630,\"exit_status\":null,\"flags\":[\"timed-out\"],"
		  "\"scheduled\":\"2026-01-01T00:00:00+00:00\",\"scheduled_epoch\":1767225600,"
		  "\"signal\":9,\"start\":\"2026-01-01T00:00:00+00:00\","
		  "\"start_epoch\":1767225600,\"state\":\"failed\"}" },
		/* a failed start ran nothing: no duration, no exit status */
		{ { 1767225600, 1767225600000, 1767225600001, 0, 0, RUNF_START_FAILED | RUNF_NO_STATUS },
		  "{\"duration_ms\":null,\"end\":\"2026-01-01T00:00:00+00:00\","
		  "\"end_epoch\":1767225600,\"exit_status\":null,"
		  "\"flags\":[\"failed-to-start\"],"
		  "\"scheduled\":\"2026-01-01T00:00:00+00:00\",\"scheduled_epoch\":1767225600,"
		  "\"signal\":null,\"start\":\"2026-01-01T00:00:00+00:00\","
		  "\"start_epoch\":1767225600,\"state\":\"failed\"}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *o = json_object();
		assert_int_equal(json_out_run_fields(o, &cases[i].r, utc), 0);
		char *s = dump(o);
		assert_string_equal(s, cases[i].want);
		free(s);
		json_decref(o);
	}
	tz_free(utc);
}

static void test_states(void **state)
{
	(void)state;
	assert_int_equal(run_state(0, 5, 0, 0), RUN_OK);
	assert_int_equal(run_state(0, 5, 1, 0), RUN_FAILED);
	assert_int_equal(run_state(0, 5, 0, 15), RUN_FAILED);
	assert_int_equal(run_state(0, 0, 0, 0), RUN_RUNNING);
	assert_int_equal(run_state(RUNF_INTERRUPTED | RUNF_NO_STATUS, 5, 0, 0), RUN_INTERRUPTED);
	assert_int_equal(run_state(RUNF_START_FAILED | RUNF_NO_STATUS, 5, 0, 0), RUN_FAILED);
	assert_int_equal(run_state(RUNF_SKIPPED | RUNF_NO_STATUS, 5, 0, 0), RUN_NOT_STARTED);
	assert_int_equal(run_state(RUNF_CANCELLED | RUNF_NO_STATUS, 5, 0, 0), RUN_NOT_STARTED);
	/* refused by a quota, or not run for a node's clock: not interrupted */
	assert_int_equal(run_state(RUNF_REFUSED_QUOTA | RUNF_NO_STATUS, 5, 0, 0), RUN_NOT_STARTED);
	assert_int_equal(run_state(RUNF_CLOCK_SKEW | RUNF_NO_STATUS, 5, 0, 0), RUN_NOT_STARTED);
	assert_int_equal(run_state(RUNF_CLAIM_LATE | RUNF_NO_STATUS, 5, 0, 0), RUN_NOT_STARTED);
	assert_string_equal(run_state_name(RUN_NOT_STARTED), "not-started");
	assert_string_equal(run_state_name(RUN_INTERRUPTED), "interrupted");
}

static void test_print_writes_one_document_and_a_newline(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	json_t *o = json_pack("{s:s, s:[i]}", "schema", "x/1", "v", 1);
	assert_int_equal(json_out_print(o, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "{\n  \"schema\": \"x/1\",\n  \"v\": [\n    1\n  ]\n}\n");
	free(buf);
	/* a failed build (NULL) is reported, not printed */
	assert_int_equal(json_out_print(NULL, stdout), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_is_rfc3339_and_epoch_or_both_null),
		cmocka_unit_test(test_bytes_that_are_not_utf8_become_replacement_characters),
		cmocka_unit_test(test_flags_are_words),
		cmocka_unit_test(test_run_fields_by_state),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_print_writes_one_document_and_a_newline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
