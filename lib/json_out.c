/* lib/json_out.c: --json documents through jansson (see json_out.h). */
#include "lib/json_out.h"

#include <stdlib.h>
#include <string.h>

#include "lib/proto_msgs.h"
#include "lib/runfmt.h"
#include "lib/runstate.h"
#include "lib/timefmt.h"

/* Sets KEY on OBJ to V (taken); false when V is NULL or it cannot be set. */
static bool set(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0;
}

int json_out_set_time(json_t *obj, const char *name, const struct tz *zone, int64_t t,
                      bool have)
{
	char key[64];
	snprintf(key, sizeof(key), "%s_epoch", name);
	if (!have)
		return set(obj, name, json_null()) && set(obj, key, json_null()) ? 0 : -1;
	char buf[TIMEFMT_RFC3339_LEN];
	timefmt_rfc3339(zone, t, buf, sizeof(buf));
	return set(obj, name, json_string(buf)) && set(obj, key, json_integer(t)) ? 0 : -1;
}

/* Length of the valid UTF-8 sequence at P (N bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t min, c;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2; min = 0x80; c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3; min = 0x800; c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4; min = 0x10000; c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

json_t *json_out_bytes(const void *s, size_t n)
{
	const unsigned char *p = s;
	/* At worst every byte becomes U+FFFD's three bytes. */
	char *buf = malloc(n * 3 + 1);
	if (!buf)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);
		if (len == 0) {
			memcpy(buf + k, "\xEF\xBF\xBD", 3);
			k += 3;
			i++;
			continue;
		}
		memcpy(buf + k, p + i, len);
		k += len;
		i += len;
	}
	json_t *v = json_stringn(buf, k);
	free(buf);
	return v;
}

json_t *json_out_flags(uint32_t flags)
{
	char words[256];
	json_t *a = json_array();
	if (!a)
		return NULL;
	runfmt_flags(flags, words, sizeof(words));
	if (strcmp(words, "-") == 0)
		return a;
	for (char *save = NULL, *w = strtok_r(words, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (json_array_append_new(a, json_string(w)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Floor division of milliseconds to seconds (times before 1970 too). */
static int64_t seconds(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

int json_out_run_fields(json_t *obj, const struct json_run *r, const struct tz *zone)
{
	enum run_state st = run_state(r->flags, r->end_ms, r->status, r->signal);
	/* A start that failed ran nothing: no duration either. */
	bool ended = r->end_ms != 0 && st != RUN_NOT_STARTED && !(r->flags & RUNF_START_FAILED);
	bool has_status = ended && st != RUN_INTERRUPTED && r->signal == 0 &&
	                  !(r->flags & RUNF_NO_STATUS);
	bool ok = json_out_set_time(obj, "scheduled", zone, r->scheduled, r->scheduled > 0) == 0 &&
	          json_out_set_time(obj, "start", zone, seconds(r->start_ms), true) == 0 &&
	          json_out_set_time(obj, "end", zone, seconds(r->end_ms), r->end_ms != 0) == 0 &&
	          set(obj, "duration_ms", ended ? json_integer(r->end_ms - r->start_ms)
	                                        : json_null()) &&
	          set(obj, "state", json_string(run_state_name(st))) &&
	          set(obj, "exit_status", has_status ? json_integer(r->status) : json_null()) &&
	          set(obj, "signal", r->signal ? json_integer(r->signal) : json_null()) &&
	          set(obj, "flags", json_out_flags(r->flags));
	return ok ? 0 : -1;
}

int json_out_print(json_t *root, FILE *f)
{
	if (!root)
		return -1;
	/* ASCII only: jansson escapes only the C0 controls, and a user's
	 * command or output may hold the UTF-8 ones (U+009B is a CSI to
	 * xterm) or reordering marks, shown raw on whoever's terminal reads
	 * it (a review's finding); \uNNNN is the same JSON to a parser. */
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(root);
	if (rc != 0 || fputc('\n', f) == EOF || fflush(f) != 0)
		return -1;
	return 0;
}
