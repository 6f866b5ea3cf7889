/* lib/proto.h: the client/daemon wire protocol: framing and fields.
 *
 * Every CLI and crond's control thread speak this over a Unix stream socket.
 * This header is the generic layer: frames, fields, errors. The catalogue of
 * message types and field tags lives in its own header; blocking client I/O
 * is in lib/proto_client.h, non-blocking server I/O in lib/proto_server.h.
 *
 * Frame (all integers big-endian):
 *
 *   offset 0  u32 magic    0x43524E44 ("CRND")
 *          4  u16 version  PROTO_VERSION
 *          6  u16 type     message type (catalogue), 0xFFFF = PROTO_TYPE_FATAL
 *          8  u32 length   payload bytes that follow, at most the receiver's
 *                          limit (never more than PROTO_MAX_PAYLOAD)
 *         12  payload
 *
 * Payload: zero or more fields, back to back, nothing else:
 *
 *   u16 tag, u32 length, LENGTH bytes
 *
 * A tag may repeat (lists: environment strings, result rows); order is kept.
 * Field encodings: u32 = 4 bytes, i64 = 8 bytes two's complement, bool = 1
 * byte 0 or 1, string = its bytes without a terminating NUL, bytes = as is.
 * An empty payload is valid (a request with no arguments).
 *
 * Compatibility rules, frozen forever so that any two versions can at least
 * explain themselves to each other: the 12-byte header layout, the field
 * layout, and the PROTO_TYPE_FATAL message (one string field, tag
 * PROTO_FATAL_TAG_TEXT). A receiver that sees another version answers (server)
 * or reports (client) "crond speaks protocol version X, client speaks Y";
 * a PROTO_TYPE_FATAL message is read whatever its version.
 *
 * Errors: functions return an enum proto_code (PROTO_OK = 0) and, when ERR is
 * not NULL, fill it with the code and a one-line message (no newline, no
 * program name prefix). Nothing here prints, and nothing keeps global state:
 * every function is thread-safe on distinct objects.
 */
#ifndef CROND_LIB_PROTO_H
#define CROND_LIB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC 0x43524E44u              /* "CRND" */
#define PROTO_VERSION 1
#define PROTO_HEADER_SIZE 12
#define PROTO_FIELD_HEADER_SIZE 6
/* Largest payload anyone sends or accepts. A crontab is at most 1 MiB and an
 * at job's script is bounded likewise; 4 MiB leaves room for the rest. */
#define PROTO_MAX_PAYLOAD (4u * 1024 * 1024)
#define PROTO_MAX_FRAME (PROTO_HEADER_SIZE + PROTO_MAX_PAYLOAD)

/* The fatal-error message: "I am closing this connection, here is why". */
#define PROTO_TYPE_FATAL 0xFFFF
#define PROTO_FATAL_TAG_TEXT 1
#define PROTO_FATAL_MAX_TEXT 255             /* bytes of text, longer is cut */
/* A FATAL frame from another version is read only if its payload is at most
 * this big; anything bigger cannot be one we can read. */
#define PROTO_FATAL_MAX_PAYLOAD (PROTO_FIELD_HEADER_SIZE + PROTO_FATAL_MAX_TEXT)

#define PROTO_ERRMSG_SIZE 256

enum proto_code {
	PROTO_OK = 0,
	PROTO_E_INVALID,     /* bad argument from the caller (e.g. path too long) */
	PROTO_E_NOMEM,       /* an allocation failed */
	PROTO_E_TOO_LARGE,   /* payload over the limit (announced or being built) */
	PROTO_E_BAD_MAGIC,   /* the peer does not speak this protocol */
	PROTO_E_VERSION,     /* the peer speaks another protocol version */
	PROTO_E_MALFORMED,   /* fields do not fit the payload exactly */
	PROTO_E_TRUNCATED,   /* the data or the connection ended inside a message */
	PROTO_E_MISSING,     /* no field with the requested tag */
	PROTO_E_BAD_FIELD,   /* a field has the wrong length or content for its type */
	PROTO_E_EOF,         /* the peer closed the connection between messages */
	PROTO_E_TIMEOUT,     /* the deadline passed */
	PROTO_E_IO,          /* a system call failed: see sys_errno */
	PROTO_E_NO_DAEMON,   /* no socket at the path: crond is not running */
	PROTO_E_REFUSED,     /* nothing listens on the socket */
	PROTO_E_PERM,        /* not allowed to reach the socket */
	PROTO_E_REMOTE,      /* the peer sent PROTO_TYPE_FATAL: its text is in msg */
};

struct proto_error {
	enum proto_code code;
	int sys_errno;                       /* errno for PROTO_E_IO and the like */
	char msg[PROTO_ERRMSG_SIZE];         /* one line */
};

/* Fill ERR (if not NULL) with CODE and a formatted message; returns CODE. */
enum proto_code proto_error_set(struct proto_error *err, enum proto_code code,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, appending ": <strerror(ERRNUM)>" and recording ERRNUM. */
enum proto_code proto_error_sys(struct proto_error *err, enum proto_code code,
				int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A short constant name for CODE ("too large", "version"...), for logs. */
const char *proto_code_name(enum proto_code code);

/* ------------------------------------------------------------ header */

struct proto_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;
};

void proto_header_encode(const struct proto_header *h, uint8_t out[PROTO_HEADER_SIZE]);
void proto_header_decode(const uint8_t in[PROTO_HEADER_SIZE], struct proto_header *h);
/* True if the N (0..4) bytes at P can start a frame: a peer that sends
 * garbage is refused before it sends a whole header. */
bool proto_magic_prefix_ok(const uint8_t *p, size_t n);
/* Check magic, then version, then length against MAX_PAYLOAD (clamped to
 * PROTO_MAX_PAYLOAD): BAD_MAGIC, VERSION or TOO_LARGE, with a neutral message. */
enum proto_code proto_header_check(const struct proto_header *h, uint32_t max_payload,
				   struct proto_error *err);

/* ------------------------------------------------------------ building */

/* A frame being built: header then payload, always a complete frame (the
 * header's length is kept current), ready to send as DATA[0..LEN).
 * The first failure is sticky: later appends return it and change nothing,
 * and senders refuse the buffer, so a caller may check once at the end. */
struct proto_buf {
	uint8_t *data;                       /* owned */
	size_t len;                          /* frame bytes: header + payload */
	size_t cap;
	enum proto_code failed;              /* PROTO_OK or the first failure */
};

/* Start a frame of TYPE at PROTO_VERSION with an empty payload (allocates). */
enum proto_code proto_buf_init(struct proto_buf *b, uint16_t type);
/* Free the frame; B may be re-initialised. Safe on a zeroed or freed buffer. */
void proto_buf_free(struct proto_buf *b);

/* Append one field. TOO_LARGE if the payload would pass PROTO_MAX_PAYLOAD,
 * NOMEM, INVALID for a NULL pointer (LEN 0 with a NULL pointer is fine). */
enum proto_code proto_buf_add_bytes(struct proto_buf *b, uint16_t tag,
				    const void *data, size_t len);
enum proto_code proto_buf_add_str(struct proto_buf *b, uint16_t tag, const char *s);
enum proto_code proto_buf_add_u32(struct proto_buf *b, uint16_t tag, uint32_t v);
enum proto_code proto_buf_add_i64(struct proto_buf *b, uint16_t tag, int64_t v);
enum proto_code proto_buf_add_bool(struct proto_buf *b, uint16_t tag, bool v);

/* Append INNER's payload (its fields, without its header; its type is
 * ignored) as one field: a record for proto_field_nested. INNER's own
 * failure, if any, becomes B's. INNER is left as it was. */
enum proto_code proto_buf_add_nested(struct proto_buf *b, uint16_t tag,
				     const struct proto_buf *inner);

/* Build a PROTO_TYPE_FATAL frame carrying TEXT (cut at PROTO_FATAL_MAX_TEXT
 * bytes). Servers send it just before closing a connection. */
enum proto_code proto_build_fatal(struct proto_buf *b, const char *text);
/* The FATAL frame for a client speaking CLIENT_VERSION:
 * "crond speaks protocol version 1, client speaks CLIENT_VERSION". */
enum proto_code proto_build_version_error(struct proto_buf *b, uint16_t client_version);

/* ------------------------------------------------------------ reading */

/* A received message, or a view of a nested payload (proto_field_nested).
 * Receivers validate the payload before handing it out, so the field
 * functions below see well-formed fields. */
struct proto_msg {
	uint16_t version;
	uint16_t type;
	uint32_t len;                        /* payload bytes */
	const uint8_t *payload;              /* NULL when LEN is 0 */
	uint8_t *owned;                      /* what proto_msg_free frees: the
					        payload of a received message;
					        NULL for a view */
};

/* Free what M owns (nothing for a view) and empty it. */
void proto_msg_free(struct proto_msg *m);

/* Decode the one frame at the start of BUF[0..LEN) into OUT (payload copied
 * and validated); *USED (if not NULL) = frame size. TRUNCATED if BUF holds
 * less than a whole frame; BAD_MAGIC, VERSION, TOO_LARGE (over MAX_PAYLOAD)
 * from the header alone, before allocating; MALFORMED, NOMEM. */
enum proto_code proto_decode(const uint8_t *buf, size_t len, uint32_t max_payload,
			     struct proto_msg *out, size_t *used, struct proto_error *err);

/* OK if PAYLOAD[0..LEN) is a sequence of whole fields with nothing after
 * the last; else MALFORMED naming the offset of the bad field. */
enum proto_code proto_payload_validate(const uint8_t *payload, size_t len,
				       struct proto_error *err);

struct proto_field {
	uint16_t tag;
	uint32_t len;
	const uint8_t *data;                 /* points into the message */
};

/* Iteration over the fields of a message, in order: all of them, or only
 * those with one tag (a repeated field is a list). Stops at the end or at
 * the first malformed field (never on a validated message). The message
 * must outlive the iterator and the fields it returns. */
struct proto_iter {
	const uint8_t *payload;
	size_t len;
	size_t off;
	uint16_t tag;
	bool any_tag;
};

void proto_iter_init(struct proto_iter *it, const struct proto_msg *m, uint16_t tag);
void proto_iter_init_all(struct proto_iter *it, const struct proto_msg *m);
bool proto_iter_next(struct proto_iter *it, struct proto_field *f);
/* Number of fields with TAG (to size an array before iterating). */
size_t proto_count(const struct proto_msg *m, uint16_t tag);

/* The first field with TAG, or MISSING. */
enum proto_code proto_find(const struct proto_msg *m, uint16_t tag,
			   struct proto_field *f, struct proto_error *err);

/* Typed reads of one field: BAD_FIELD if its length (or a bool's value)
 * does not match the type. */
enum proto_code proto_field_u32(const struct proto_field *f, uint32_t *out,
				struct proto_error *err);
enum proto_code proto_field_i64(const struct proto_field *f, int64_t *out,
				struct proto_error *err);
enum proto_code proto_field_bool(const struct proto_field *f, bool *out,
				 struct proto_error *err);
/* A C string: BAD_FIELD if the bytes contain a NUL. _strdup allocates
 * (caller frees; NOMEM); _strcpy copies into DST[0..SIZE) and is BAD_FIELD
 * if the string does not fit with its terminator. */
enum proto_code proto_field_strdup(const struct proto_field *f, char **out,
				   struct proto_error *err);
enum proto_code proto_field_strcpy(const struct proto_field *f, char *dst, size_t size,
				   struct proto_error *err);

/* Find the first field with TAG and read it: MISSING, or as above. Outputs
 * are written only on success. _bytes gives a view into the message. */
enum proto_code proto_get_u32(const struct proto_msg *m, uint16_t tag, uint32_t *out,
			      struct proto_error *err);
enum proto_code proto_get_i64(const struct proto_msg *m, uint16_t tag, int64_t *out,
			      struct proto_error *err);
enum proto_code proto_get_bool(const struct proto_msg *m, uint16_t tag, bool *out,
			       struct proto_error *err);
enum proto_code proto_get_bytes(const struct proto_msg *m, uint16_t tag,
				const uint8_t **data, size_t *len, struct proto_error *err);
enum proto_code proto_get_str(const struct proto_msg *m, uint16_t tag, char **out,
			      struct proto_error *err);
/* TAG's bytes (which may hold NULs) as a new NUL-terminated copy in *OUT,
 * their count in *LEN (may be NULL). MISSING without the field, NOMEM
 * (*OUT NULL either way). */
enum proto_code proto_get_bytes_copy(const struct proto_msg *m, uint16_t tag, char **out,
				     size_t *len);

/* Records inside a message (rows of a listing): a field whose bytes are
 * themselves a payload of fields. _nested validates F's bytes as a payload
 * (MALFORMED otherwise) and makes *VIEW a read-only message over them
 * (type 0, nothing owned: VIEW lives as long as F's message). */
enum proto_code proto_field_nested(const struct proto_field *f, struct proto_msg *view,
				   struct proto_error *err);

/* The text of a PROTO_TYPE_FATAL payload, made printable (control bytes
 * become '?') and cut to fit DST[0..SIZE). False if there is no readable text. */
bool proto_fatal_text(const uint8_t *payload, size_t len, char *dst, size_t size);

#endif
