/* tests/fuzz/fuzz_proto.c: libFuzzer target for the wire protocol decoder.
 *
 * Decodes arbitrary bytes as frames, one after another, walks every field
 * with every typed getter, and reads nested rows: what the daemon's control
 * thread does with a client's bytes. Run with `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct proto_msg *m, int depth)
{
	struct proto_iter it;
	struct proto_field f;
	proto_iter_init_all(&it, m);
	while (proto_iter_next(&it, &f)) {
		uint32_t u;
		int64_t i;
		bool b;
		char buf[64], *s = NULL;
		(void)proto_field_u32(&f, &u, NULL);
		(void)proto_field_i64(&f, &i, NULL);
		(void)proto_field_bool(&f, &b, NULL);
		(void)proto_field_strcpy(&f, buf, sizeof(buf), NULL);
		if (proto_field_strdup(&f, &s, NULL) == PROTO_OK)
			free(s);
		struct proto_msg view;
		if (depth < 3 && proto_field_nested(&f, &view, NULL) == PROTO_OK)
			walk(&view, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		struct proto_msg m;
		size_t used = 0;
		if (proto_decode(data + off, size - off, PROTO_MAX_PAYLOAD, &m, &used, NULL) != PROTO_OK)
			break;
		walk(&m, 0);
		char text[300];
		(void)proto_fatal_text(m.payload, m.len, text, sizeof(text));
		proto_msg_free(&m);
		off += used;
	}
	return 0;
}
