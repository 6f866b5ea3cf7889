/* lib/proto_client.h: blocking protocol I/O for the CLIs (crontab, at...).
 *
 * A CLI connects, sends one request, reads one reply. Every call has a
 * deadline (TIMEOUT_MS for the whole call, measured on the monotonic clock;
 * a negative TIMEOUT_MS waits forever), retries on EINTR, and never raises
 * SIGPIPE (MSG_NOSIGNAL). Calls use MSG_DONTWAIT and poll, so the socket's
 * own blocking mode does not matter. Messages in ERR are worded for a user
 * and name crond and the socket path; print them as "crontab: MSG".
 */
#ifndef CROND_LIB_PROTO_CLIENT_H
#define CROND_LIB_PROTO_CLIENT_H

#include "lib/proto.h"

/* Connect to the Unix stream socket at PATH; *FD gets a close-on-exec
 * descriptor. Errors, with their messages:
 *   NO_DAEMON  "crond is not running (no socket at PATH)"
 *   REFUSED    "connection refused at PATH (crond not running?)"
 *              (also when PATH is not a socket)
 *   PERM       "permission denied connecting to PATH"
 *   TIMEOUT    "crond did not accept the connection at PATH within N ms"
 *              (its listen queue stayed full)
 *   INVALID    the path is empty or too long for a Unix socket address
 *   IO         anything else, with strerror. */
enum proto_code proto_client_connect(const char *path, int timeout_ms, int *fd,
				     struct proto_error *err);

/* Send the frame in B (refused with B's sticky error if building failed).
 * EOF if crond has closed the connection (it may have sent a FATAL reply
 * first: proto_client_call reads it), TIMEOUT, IO. */
enum proto_code proto_client_send(int fd, const struct proto_buf *b, int timeout_ms,
				  struct proto_error *err);

/* Receive one message of at most MAX_PAYLOAD bytes into OUT (caller frees
 * with proto_msg_free); reads exactly one frame and no byte beyond it.
 * The payload is validated. Errors:
 *   TIMEOUT    "timed out after N ms waiting for crond's reply"
 *   EOF        crond closed the connection before replying
 *   TRUNCATED  crond closed the connection in the middle of the reply
 *   TOO_LARGE  the header announces more than MAX_PAYLOAD (nothing allocated)
 *   BAD_MAGIC  the peer is not crond
 *   VERSION    "crond speaks protocol version X, client speaks Y"
 *              (crond's own text when it sent a FATAL reply)
 *   REMOTE     crond sent a FATAL reply: its text
 *   MALFORMED, NOMEM, IO. */
enum proto_code proto_client_recv(int fd, struct proto_msg *out, uint32_t max_payload,
				  int timeout_ms, struct proto_error *err);

/* Send REQ and receive the reply, both within TIMEOUT_MS. If crond closes
 * the connection while the request is still being sent (it refused the
 * request early, e.g. too large), its FATAL reply is read and reported. */
enum proto_code proto_client_call(int fd, const struct proto_buf *req,
				  struct proto_msg *reply, uint32_t max_payload,
				  int timeout_ms, struct proto_error *err);

#endif
