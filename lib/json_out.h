/* lib/json_out.h: the --json output of crontab and atq, built with jansson.
 *
 * Every document is built as jansson values and written by jansson, never
 * by hand, so it is valid JSON whatever the commands and outputs hold.
 * Conventions shared by every schema (documented in crontab(1) and at(1)):
 *   - an instant is two fields: NAME, RFC 3339 with the UTC offset in the
 *     zone shown ("2026-03-08T03:00:00-04:00"), and NAME_epoch, seconds
 *     since the epoch; both null when there is none;
 *   - durations are integers in milliseconds, NAME_ms;
 *   - text that came from users (commands, output) is any bytes: sequences
 *     that are not UTF-8 become U+FFFD, so the document is always UTF-8;
 *   - a run's state is one word (lib/runstate.h), its flags a list of the
 *     words crontab --history prints.
 * Only the CLIs link this (with -ljansson); crond does not.
 */
#ifndef CROND_LIB_JSON_OUT_H
#define CROND_LIB_JSON_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/tz.h"

/* Sets NAME and NAME_epoch on OBJ for instant T in ZONE, or both null when
 * !HAVE. Returns 0, or -1 when out of memory. */
int json_out_set_time(json_t *obj, const char *name, const struct tz *zone, int64_t t,
                      bool have);

/* A JSON string of N bytes of S, invalid UTF-8 replaced by U+FFFD (NULs
 * are kept, as \u0000). NULL when out of memory. */
json_t *json_out_bytes(const void *s, size_t n);

/* The RUNF_* FLAGS as an array of words ("timed-out", "catch-up", ...). */
json_t *json_out_flags(uint32_t flags);

/* One run from the history, as every schema shows it. */
struct json_run {
	int64_t scheduled;              /* seconds; 0: none */
	int64_t start_ms, end_ms;       /* end 0: running */
	uint32_t status, signal, flags; /* as in lib/proto_msgs.h */
};

/* Adds to OBJ: scheduled, start, end (each with _epoch), duration_ms,
 * state, exit_status, signal (null when they do not apply) and flags.
 * Returns 0, or -1 when out of memory. */
int json_out_run_fields(json_t *obj, const struct json_run *r, const struct tz *zone);

/* Writes ROOT (taken: released here) to F, indented, with a final newline,
 * and flushes. Returns 0, or -1 (out of memory or a write error). */
int json_out_print(json_t *root, FILE *f);

#endif
