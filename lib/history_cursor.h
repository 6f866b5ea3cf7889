/* lib/history_cursor.h: MSG_HISTORY's cursor (TAG_HISTORY_BEFORE,
 * lib/proto_msgs.h), so a history longer than one reply is read in pages.
 *
 * The history is ordered newest first by (start time, then record id); a
 * cursor names one place in that order, and a request carrying it gets only
 * the runs strictly older. A reply cut short (TAG_COUNT) carries the cursor
 * to ask the rest with: the last record crond dealt with, sent or skipped
 * by the kind filter, so the next page neither repeats nor misses a run.
 * On the wire: a nested payload of TAG_START (i64 ms, >= 0) and TAG_RUN_ID
 * (i64, >= 1). Pure functions.
 */
#ifndef CROND_LIB_HISTORY_CURSOR_H
#define CROND_LIB_HISTORY_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/proto.h"

struct history_cursor {
	int64_t start_ms;
	int64_t id;
};

/* Appends C to B as TAG_HISTORY_BEFORE. */
enum proto_code history_cursor_add(struct proto_buf *b, const struct history_cursor *c);

/* TAG_HISTORY_BEFORE of M into *OUT: PROTO_OK, PROTO_E_MISSING, or
 * PROTO_E_BAD_FIELD (not a nested payload, TAG_START or TAG_RUN_ID missing
 * or not an i64, a start time below 0, an id below 1; *OUT untouched). */
enum proto_code history_cursor_get(const struct proto_msg *m, struct history_cursor *out);

/* Whether A comes strictly after (is older than) B in the history's order. */
bool history_cursor_older(const struct history_cursor *a, const struct history_cursor *b);

#endif
