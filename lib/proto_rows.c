/* lib/proto_rows.c: listing replies as rows within a budget (see
 * proto_rows.h). */
#include "lib/proto_rows.h"

#include "lib/proto_msgs.h"

bool proto_rows_add(struct proto_buf *reply, struct proto_buf *row, size_t budget)
{
	bool fits = row->failed == PROTO_OK &&
	            reply->len + row->len + PROTO_FIELD_HEADER_SIZE <= budget;
	if (fits)
		(void)proto_buf_add_nested(reply, TAG_ROW, row);
	proto_buf_free(row);
	return fits;
}
