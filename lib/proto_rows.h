/* lib/proto_rows.h: listing replies built as rows (TAG_ROW,
 * lib/proto_msgs.h) within a size budget.
 *
 * A listing (crontab history, at jobs) can hold more rows than fit in one
 * reply: rows are added while they fit, and the caller stops at the first
 * one that does not.
 */
#ifndef CROND_LIB_PROTO_ROWS_H
#define CROND_LIB_PROTO_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/proto.h"

/* Adds ROW (built with proto_buf_init(ROW, 0)) to REPLY as one TAG_ROW
 * field, unless ROW failed to build or REPLY's length plus ROW's and a
 * field header would pass BUDGET bytes: returns false, REPLY untouched,
 * then. Frees ROW either way. */
bool proto_rows_add(struct proto_buf *reply, struct proto_buf *row, size_t budget);

#endif
