/* lib/at_cursor.h: MSG_AT_LIST's cursor (TAG_AT_AFTER, lib/proto_msgs.h),
 * so a queue longer than one reply is listed in pages.
 *
 * The queue is ordered by (run time, then job id); a cursor names one place
 * in that order, and a request carrying it gets only the jobs strictly
 * after it. A reply that stops before the end carries the cursor to ask the
 * rest with: its last job's, so the next page neither repeats nor misses a
 * job still queued. On the wire: a nested payload of TAG_TIME (i64
 * seconds) and TAG_JOB_ID (i64, >= 1). Pure functions.
 */
#ifndef CROND_LIB_AT_CURSOR_H
#define CROND_LIB_AT_CURSOR_H

#include <stdint.h>

#include "lib/proto.h"

struct at_cursor {
	int64_t run_at;
	int64_t id;
};

/* Appends C to B as TAG_AT_AFTER. */
enum proto_code at_cursor_add(struct proto_buf *b, const struct at_cursor *c);

/* TAG_AT_AFTER of M into *OUT: PROTO_OK, PROTO_E_MISSING, or
 * PROTO_E_BAD_FIELD (not a nested payload, TAG_TIME or TAG_JOB_ID missing
 * or not an i64, an id below 1; *OUT untouched). */
enum proto_code at_cursor_get(const struct proto_msg *m, struct at_cursor *out);

#endif
