/* lib/proto_server.h: non-blocking protocol I/O for crond's control thread.
 *
 * DESIGN: one thread (the control thread) serves every client from one
 * poll/epoll loop. Each connection owns one struct proto_reader and one
 * struct proto_writer; nothing here is shared, locked or global, so the
 * thread never blocks on a client, and a client costs at most about twice
 * the bytes it has actually sent of a message whose header passed the checks
 * (never more than the reader's limit), plus its pending replies (at most
 * PROTO_WRITER_MAX).
 *
 * What the caller (the control thread) must do:
 *   - accept4(..., SOCK_NONBLOCK | SOCK_CLOEXEC), then peercred_get() (lib/
 *     peercred.h) to learn who is calling; cap the number of connections.
 *   - When the socket is readable, call proto_reader_feed() until it returns
 *     NEED_MORE (with edge-triggered epoll that is a must; with poll, once
 *     per wakeup is enough). Each COMPLETE hands over one message; the reader
 *     never reads past the end of a message, so pipelined requests stay in
 *     the socket until asked for.
 *   - Back-pressure: while a connection's writer has output pending, do not
 *     read its next request (stop polling POLLIN); poll POLLOUT and call
 *     proto_writer_flush() until DONE.
 *   - On ERROR: log ERR's message. If proto_error_wants_reply(code), queue
 *     proto_build_fatal(ERR.msg) (the message is written for the client),
 *     stop reading, flush it for a short while, then close; otherwise close
 *     at once.
 *   - Deadlines are the caller's: close a connection that stays in the middle
 *     of a message too long (proto_reader_in_message()), that stays idle too
 *     long, or whose pending output does not drain in time. NEED_MORE and
 *     AGAIN never block, so a stalled client only holds its own slot.
 */
#ifndef CROND_LIB_PROTO_SERVER_H
#define CROND_LIB_PROTO_SERVER_H

#include "lib/proto.h"

/* Most output a connection may have waiting: a full reply and a fatal one. */
#define PROTO_WRITER_MAX (2 * (size_t)PROTO_MAX_FRAME)

/* ------------------------------------------------------------ reading */

enum proto_rd {
	PROTO_RD_NEED_MORE,      /* no whole message yet; the socket is drained */
	PROTO_RD_COMPLETE,       /* *OUT holds one validated message */
	PROTO_RD_ERROR,          /* ERR says why; the connection is done */
};

struct proto_reader {
	uint8_t hdr[PROTO_HEADER_SIZE];
	size_t hdr_have;                     /* header bytes received */
	struct proto_header h;               /* valid once the header is complete */
	uint8_t *payload;                    /* owned; allocated after the checks */
	size_t have;                         /* payload bytes received */
	size_t cap;                          /* bytes allocated, <= h.len */
	uint32_t max_payload;
	enum proto_code failed;              /* sticky once ERROR was returned */
};

/* Start reading messages of at most MAX_PAYLOAD bytes (clamped to
 * PROTO_MAX_PAYLOAD). Allocates nothing. */
void proto_reader_init(struct proto_reader *r, uint32_t max_payload);
/* Free a partial message; R may be re-initialised. */
void proto_reader_free(struct proto_reader *r);

/* Read what non-blocking FD has, up to the end of the current message.
 * COMPLETE: *OUT (caller frees with proto_msg_free) holds the message and
 * the reader is ready for the next one. ERROR, with ERR:
 *   EOF        the client closed the connection between messages (normal)
 *   TRUNCATED  it closed in the middle of a message
 *   BAD_MAGIC  "not a crond protocol request (bad magic ...)", as soon as
 *              the first bytes differ from the magic
 *   VERSION    "crond speaks protocol version X, client speaks Y" (the
 *              payload is not read; proto_reader_peer_version() gives Y)
 *   TOO_LARGE  "request too large (N bytes, limit M)", from the header
 *              alone: the payload is neither read nor allocated
 *   MALFORMED  the payload's fields do not fit exactly
 *   NOMEM, IO.
 * After ERROR, further calls return ERROR with the same code. Never blocks
 * (every read uses MSG_DONTWAIT, whatever FD's mode); allocates nothing
 * before the header passed its checks, then grows with the bytes received,
 * never past the announced length. */
enum proto_rd proto_reader_feed(struct proto_reader *r, int fd, struct proto_msg *out,
				struct proto_error *err);

/* True if part of a message has arrived but not all of it (for the caller's
 * "stalled in the middle of a request" deadline). */
bool proto_reader_in_message(const struct proto_reader *r);
/* The version in the last complete header (what the client speaks). */
uint16_t proto_reader_peer_version(const struct proto_reader *r);

/* True for the errors a client should be told about before the connection
 * is closed (BAD_MAGIC, VERSION, TOO_LARGE, MALFORMED). */
bool proto_error_wants_reply(enum proto_code code);

/* ------------------------------------------------------------ writing */

enum proto_wr {
	PROTO_WR_DONE,           /* nothing left to send */
	PROTO_WR_AGAIN,          /* the socket is full: wait for POLLOUT */
	PROTO_WR_ERROR,          /* ERR says why; close the connection */
};

struct proto_writer {
	uint8_t *data;                       /* owned */
	size_t off;                          /* bytes already sent */
	size_t len;                          /* bytes queued */
	size_t cap;
};

void proto_writer_init(struct proto_writer *w);
void proto_writer_free(struct proto_writer *w);

/* Queue the frame built in B; B is consumed in every case (freed, its
 * frame moved or copied). Refused with B's sticky error if building failed,
 * TOO_LARGE if more than PROTO_WRITER_MAX would be pending, NOMEM. */
enum proto_code proto_writer_queue(struct proto_writer *w, struct proto_buf *b,
				   struct proto_error *err);

/* Send as much as FD takes without blocking (MSG_NOSIGNAL: a vanished
 * client is an error, not a SIGPIPE). ERROR with EOF if the client closed
 * the connection, IO otherwise. */
enum proto_wr proto_writer_flush(struct proto_writer *w, int fd, struct proto_error *err);

/* Bytes queued and not yet sent. */
size_t proto_writer_pending(const struct proto_writer *w);

#endif
