/* lib/history_cursor.c: MSG_HISTORY's cursor (see history_cursor.h). */
#include "lib/history_cursor.h"

#include "lib/proto_msgs.h"

enum proto_code history_cursor_add(struct proto_buf *b, const struct history_cursor *c)
{
	struct proto_buf inner;
	enum proto_code rc = proto_buf_init(&inner, 0);
	if (rc == PROTO_OK)
		rc = proto_buf_add_i64(&inner, TAG_START, c->start_ms);
	if (rc == PROTO_OK)
		rc = proto_buf_add_i64(&inner, TAG_RUN_ID, c->id);
	if (rc == PROTO_OK)
		rc = proto_buf_add_nested(b, TAG_HISTORY_BEFORE, &inner);
	proto_buf_free(&inner);
	return rc;
}

enum proto_code history_cursor_get(const struct proto_msg *m, struct history_cursor *out)
{
	struct proto_field f;
	struct proto_msg inner;
	struct history_cursor c;
	enum proto_code rc = proto_find(m, TAG_HISTORY_BEFORE, &f, NULL);
	if (rc != PROTO_OK)
		return rc;
	if (proto_field_nested(&f, &inner, NULL) != PROTO_OK ||
	    proto_get_i64(&inner, TAG_START, &c.start_ms, NULL) != PROTO_OK ||
	    proto_get_i64(&inner, TAG_RUN_ID, &c.id, NULL) != PROTO_OK ||
	    c.start_ms < 0 || c.id < 1)
		return PROTO_E_BAD_FIELD;
	*out = c;
	return PROTO_OK;
}

bool history_cursor_older(const struct history_cursor *a, const struct history_cursor *b)
{
	return a->start_ms < b->start_ms || (a->start_ms == b->start_ms && a->id < b->id);
}
