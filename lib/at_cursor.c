/* lib/at_cursor.c: MSG_AT_LIST's cursor (see at_cursor.h). */
#include "lib/at_cursor.h"

#include "lib/proto_msgs.h"

enum proto_code at_cursor_add(struct proto_buf *b, const struct at_cursor *c)
{
	struct proto_buf inner;
	enum proto_code rc = proto_buf_init(&inner, 0);
	if (rc == PROTO_OK)
		rc = proto_buf_add_i64(&inner, TAG_TIME, c->run_at);
	if (rc == PROTO_OK)
		rc = proto_buf_add_i64(&inner, TAG_JOB_ID, c->id);
	if (rc == PROTO_OK)
		rc = proto_buf_add_nested(b, TAG_AT_AFTER, &inner);
	proto_buf_free(&inner);
	return rc;
}

enum proto_code at_cursor_get(const struct proto_msg *m, struct at_cursor *out)
{
	struct proto_field f;
	struct proto_msg inner;
	struct at_cursor c;
	enum proto_code rc = proto_find(m, TAG_AT_AFTER, &f, NULL);
	if (rc != PROTO_OK)
		return rc;
	if (proto_field_nested(&f, &inner, NULL) != PROTO_OK ||
	    proto_get_i64(&inner, TAG_TIME, &c.run_at, NULL) != PROTO_OK ||
	    proto_get_i64(&inner, TAG_JOB_ID, &c.id, NULL) != PROTO_OK || c.id < 1)
		return PROTO_E_BAD_FIELD;
	*out = c;
	return PROTO_OK;
}
