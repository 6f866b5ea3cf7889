/* lib/proto_client.c: blocking protocol I/O for the CLIs (see proto_client.h).
 *
 * One deadline per call, on the monotonic clock: a wall-clock step (which
 * crond itself must survive) cannot make a CLI wait forever or give up early.
 * Reads take exactly the bytes of one frame, header first, so nothing of a
 * following message is ever consumed, and nothing is allocated before the
 * header has passed its checks.
 */
#include "lib/proto_client.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ deadlines */

/* Deadlines are monotonic milliseconds; NO_DEADLINE waits forever. */
#define NO_DEADLINE INT64_MIN

static bool mono_ms(int64_t *now)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return false;
	*now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return true;
}

static int64_t deadline_after(int timeout_ms)
{
	int64_t now;
	if (timeout_ms < 0)
		return NO_DEADLINE;
	if (!mono_ms(&now))
		return 0;                            /* no clock: fail closed, time out */
	return now + timeout_ms;
}

/* Milliseconds left before DEADLINE, for poll: -1 forever, 0 when passed. */
static int remaining_ms(int64_t deadline)
{
	int64_t now;
	if (deadline == NO_DEADLINE)
		return -1;
	if (!mono_ms(&now) || now >= deadline)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

/* Wait until FD is ready for EVENTS: OK, TIMEOUT (no message), or IO. */
static enum proto_code wait_fd(int fd, short events, int64_t deadline,
			       struct proto_error *err)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
		int left = remaining_ms(deadline);
		if (left == 0)
			return PROTO_E_TIMEOUT;
		int rc = poll(&p, 1, left);
		if (rc > 0)
			return PROTO_OK;     /* ready, or an error the next call reports */
		if (rc == 0)
			return PROTO_E_TIMEOUT;
		if (errno != EINTR)
			return proto_error_sys(err, PROTO_E_IO, errno, "poll on the crond socket");
	}
}

/* ------------------------------------------------------------ connect */

/* Bound a blocking connect by DEADLINE: for a Unix socket, connect only
 * waits when the listen queue is full, and that wait obeys SO_SNDTIMEO
 * (poll cannot tell when an unconnected socket could connect). */
static int set_send_timeout(int fd, int64_t deadline)
{
	struct timeval tv = { 0, 0 };                /* 0: no timeout */
	if (deadline != NO_DEADLINE) {
		int left = remaining_ms(deadline);
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		if (left == 0)
			tv.tv_usec = 1;              /* 0 would mean forever */
	}
	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static enum proto_code connect_error(int e, const char *path, int timeout_ms,
				     struct proto_error *err)
{
	switch (e) {
	case ENOENT:
		return proto_error_set(err, PROTO_E_NO_DAEMON,
				       "crond is not running (no socket at %s)", path);
	case ECONNREFUSED:
		return proto_error_set(err, PROTO_E_REFUSED,
				       "connection refused at %s (crond not running?)", path);
	case EACCES:
	case EPERM:
		return proto_error_set(err, PROTO_E_PERM,
				       "permission denied connecting to %s", path);
	case EAGAIN:
	case EINPROGRESS:
	case ETIMEDOUT:
		return proto_error_set(err, PROTO_E_TIMEOUT,
				       "crond did not accept the connection at %s within %d ms",
				       path, timeout_ms);
	default:
		return proto_error_sys(err, PROTO_E_IO, e, "cannot connect to %s", path);
	}
}

static enum proto_code connect_until(int fd, const struct sockaddr_un *sun, socklen_t len,
				     const char *path, int64_t deadline, int timeout_ms,
				     struct proto_error *err)
{
	for (;;) {
		if (set_send_timeout(fd, deadline) != 0)
			return proto_error_sys(err, PROTO_E_IO, errno,
					       "cannot set a timeout on a socket for %s", path);
		if (connect(fd, (const struct sockaddr *)sun, len) == 0)
			break;
		int e = errno;
		if (e == EISCONN)
			break;
		if (e != EINTR)
			return connect_error(e, path, timeout_ms, err);
		if (remaining_ms(deadline) == 0)
			return connect_error(ETIMEDOUT, path, timeout_ms, err);
	}
	if (set_send_timeout(fd, NO_DEADLINE) != 0)
		return proto_error_sys(err, PROTO_E_IO, errno,
				       "cannot clear the timeout on the socket for %s", path);
	return PROTO_OK;
}

enum proto_code proto_client_connect(const char *path, int timeout_ms, int *fdp,
				     struct proto_error *err)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	size_t n = path == NULL ? 0 : strlen(path);
	if (n == 0)
		return proto_error_set(err, PROTO_E_INVALID, "empty crond socket path");
	if (n >= sizeof sun.sun_path)
		return proto_error_set(err, PROTO_E_INVALID,
				       "crond socket path too long (%zu bytes, limit %zu): %s",
				       n, sizeof sun.sun_path - 1, path);
	memcpy(sun.sun_path, path, n + 1);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);

	int64_t deadline = deadline_after(timeout_ms);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return proto_error_sys(err, PROTO_E_IO, errno, "cannot create a Unix socket");
	enum proto_code rc = connect_until(fd, &sun, len, path, deadline, timeout_ms, err);
	if (rc != PROTO_OK) {
		(void)close(fd);             /* never connected: nothing to lose */
		return rc;
	}
	*fdp = fd;
	return PROTO_OK;
}

/* ------------------------------------------------------------ send */

static enum proto_code send_until(int fd, const struct proto_buf *b, int64_t deadline,
				  int timeout_ms, struct proto_error *err)
{
	if (b->failed != PROTO_OK)
		return proto_error_set(err, b->failed,
				       "cannot send a request that could not be built (%s)",
				       proto_code_name(b->failed));
	if (b->data == NULL || b->len < PROTO_HEADER_SIZE)
		return proto_error_set(err, PROTO_E_INVALID, "no request to send");
	size_t off = 0;
	while (off < b->len) {
		ssize_t n = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		int e = n < 0 ? errno : EAGAIN;
		if (e == EINTR)
			continue;
		if (e == EPIPE || e == ECONNRESET)
			return proto_error_set(err, PROTO_E_EOF,
					       "crond closed the connection before the request was sent");
		if (e != EAGAIN)         /* == EWOULDBLOCK on Linux */
			return proto_error_sys(err, PROTO_E_IO, e, "cannot send to crond");
		enum proto_code rc = wait_fd(fd, POLLOUT, deadline, err);
		if (rc == PROTO_E_TIMEOUT)
			return proto_error_set(err, rc,
					       "timed out after %d ms sending the request to crond",
					       timeout_ms);
		if (rc != PROTO_OK)
			return rc;
	}
	return PROTO_OK;
}

enum proto_code proto_client_send(int fd, const struct proto_buf *b, int timeout_ms,
				  struct proto_error *err)
{
	return send_until(fd, b, deadline_after(timeout_ms), timeout_ms, err);
}

/* ------------------------------------------------------------ receive */

/* Read exactly LEN bytes into P; *GOT counts them. OK; EOF (connection
 * closed, *GOT tells where); TIMEOUT (no message); IO. */
static enum proto_code recv_exact(int fd, uint8_t *p, size_t len, size_t *got,
				  int64_t deadline, struct proto_error *err)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = recv(fd, p + *got, len - *got, MSG_DONTWAIT);
		if (n > 0) {
			*got += (size_t)n;
			continue;
		}
		if (n == 0 || errno == ECONNRESET)
			return PROTO_E_EOF;
		int e = errno;
		if (e == EINTR)
			continue;
		if (e != EAGAIN)         /* == EWOULDBLOCK on Linux */
			return proto_error_sys(err, PROTO_E_IO, e, "cannot receive from crond");
		enum proto_code rc = wait_fd(fd, POLLIN, deadline, err);
		if (rc != PROTO_OK)
			return rc;
	}
	return PROTO_OK;
}

/* What a user should know when no answer came: crond may have done what
 * was asked before it stopped (a killed crond had queued the job in a
 * third of such cases), so asking again blindly may do it twice. */
#define MAY_BE_DONE "; what was asked may have been done: look before asking again"

/* Give RC from recv_exact its user-facing message. */
static enum proto_code recv_failure(enum proto_code rc, bool started, int timeout_ms,
				    struct proto_error *err)
{
	if (rc == PROTO_E_TIMEOUT)
		return proto_error_set(err, rc, "timed out after %d ms waiting for crond's reply"
				       MAY_BE_DONE, timeout_ms);
	if (rc == PROTO_E_EOF && !started)
		return proto_error_set(err, rc, "crond closed the connection without replying"
				       MAY_BE_DONE);
	if (rc == PROTO_E_EOF)
		return proto_error_set(err, PROTO_E_TRUNCATED,
				       "crond closed the connection in the middle of its reply");
	return rc;
}

/* A frame from another protocol version: read it only if it is a FATAL
 * message small enough to be one (crond explaining the mismatch). */
static enum proto_code recv_other_version(int fd, const struct proto_header *h,
					  int64_t deadline, struct proto_error *err)
{
	uint8_t payload[PROTO_FATAL_MAX_PAYLOAD];
	char text[PROTO_ERRMSG_SIZE];
	size_t got;
	if (h->type == PROTO_TYPE_FATAL && h->len <= sizeof payload &&
	    recv_exact(fd, payload, h->len, &got, deadline, NULL) == PROTO_OK &&
	    proto_fatal_text(payload, h->len, text, sizeof text))
		return proto_error_set(err, PROTO_E_VERSION, "%s", text);
	return proto_error_set(err, PROTO_E_VERSION,
			       "crond speaks protocol version %u, client speaks %u",
			       (unsigned)h->version, (unsigned)PROTO_VERSION);
}

/* Check a reply's header: OK to read its payload, or why not. */
static enum proto_code check_reply_header(int fd, const struct proto_header *h,
					  uint32_t max_payload, int64_t deadline,
					  struct proto_error *err)
{
	if (max_payload > PROTO_MAX_PAYLOAD)
		max_payload = PROTO_MAX_PAYLOAD;
	if (h->magic != PROTO_MAGIC)
		return proto_error_set(err, PROTO_E_BAD_MAGIC,
				       "the peer is not crond (bad magic 0x%08x)",
				       (unsigned)h->magic);
	if (h->version != PROTO_VERSION)
		return recv_other_version(fd, h, deadline, err);
	if (h->len > max_payload)
		return proto_error_set(err, PROTO_E_TOO_LARGE,
				       "crond's reply is too large (%u bytes, limit %u)",
				       (unsigned)h->len, (unsigned)max_payload);
	return PROTO_OK;
}

static enum proto_code recv_until(int fd, struct proto_msg *out, uint32_t max_payload,
				  int64_t deadline, int timeout_ms, struct proto_error *err)
{
	uint8_t hdr[PROTO_HEADER_SIZE];
	struct proto_header h;
	size_t got;
	enum proto_code rc = recv_exact(fd, hdr, sizeof hdr, &got, deadline, err);
	if (rc != PROTO_OK)
		return recv_failure(rc, got > 0, timeout_ms, err);
	proto_header_decode(hdr, &h);
	rc = check_reply_header(fd, &h, max_payload, deadline, err);
	if (rc != PROTO_OK)
		return rc;

	uint8_t *payload = NULL;
	if (h.len > 0 && (payload = malloc(h.len)) == NULL)
		return proto_error_set(err, PROTO_E_NOMEM,
				       "out of memory for a %u-byte reply", (unsigned)h.len);
	rc = recv_exact(fd, payload, h.len, &got, deadline, err);
	if (rc != PROTO_OK)
		rc = recv_failure(rc, true, timeout_ms, err);
	else if (h.type == PROTO_TYPE_FATAL) {
		char text[PROTO_ERRMSG_SIZE];
		if (!proto_fatal_text(payload, h.len, text, sizeof text))
			strcpy(text, "crond refused the request");
		rc = proto_error_set(err, PROTO_E_REMOTE, "%s", text);
	} else
		rc = proto_payload_validate(payload, h.len, err);
	if (rc != PROTO_OK) {
		free(payload);
		return rc;
	}
	*out = (struct proto_msg){ .version = h.version, .type = h.type,
				   .len = h.len, .payload = payload, .owned = payload };
	return PROTO_OK;
}

enum proto_code proto_client_recv(int fd, struct proto_msg *out, uint32_t max_payload,
				  int timeout_ms, struct proto_error *err)
{
	return recv_until(fd, out, max_payload, deadline_after(timeout_ms), timeout_ms, err);
}

/* ------------------------------------------------------------ call */

enum proto_code proto_client_call(int fd, const struct proto_buf *req,
				  struct proto_msg *reply, uint32_t max_payload,
				  int timeout_ms, struct proto_error *err)
{
	int64_t deadline = deadline_after(timeout_ms);
	enum proto_code rc = send_until(fd, req, deadline, timeout_ms, err);
	if (rc == PROTO_E_EOF) {
		/* crond stopped reading: it says why before closing, and what it
		 * wrote is still queued for us even though the socket is shut. */
		struct proto_error why;
		struct proto_msg m = { 0 };
		enum proto_code r2 = recv_until(fd, &m, max_payload, deadline, timeout_ms, &why);
		if (r2 == PROTO_OK)
			proto_msg_free(&m);
		if (r2 == PROTO_E_REMOTE || r2 == PROTO_E_VERSION) {
			if (err != NULL)
				*err = why;
			return r2;
		}
		return rc;
	}
	if (rc != PROTO_OK)
		return rc;
	return recv_until(fd, reply, max_payload, deadline, timeout_ms, err);
}
