/* lib/proto_server.c: non-blocking protocol I/O for crond's control thread
 * (see proto_server.h for the DESIGN and the caller's duties).
 *
 * The reader takes the header in and checks it before allocating anything:
 * a client announcing 4 GiB costs 12 bytes of reading and an error. Then the
 * payload buffer grows with the bytes that actually arrive (doubling from
 * PROTO_READER_CHUNK up to the announced length, never beyond it), so a
 * client that announces 4 MiB and sends 10 bytes holds 64 KiB, not 4 MiB.
 * The reader never reads past the message it is assembling, so it needs no
 * buffer for leftover bytes.
 */
#include "lib/proto_server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* First allocation for a payload; it doubles as bytes arrive. */
#define PROTO_READER_CHUNK (64 * 1024)

/* ------------------------------------------------------------ reading */

enum rd_result { RD_DATA, RD_EOF, RD_AGAIN, RD_FAIL };

/* One non-blocking read of up to LEN bytes into P; *GOT counts them. */
static enum rd_result read_some(int fd, uint8_t *p, size_t len, size_t *got,
				struct proto_error *err)
{
	for (;;) {
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
		if (n > 0) {
			*got = (size_t)n;
			return RD_DATA;
		}
		if (n == 0 || errno == ECONNRESET)
			return RD_EOF;
		if (errno == EAGAIN)             /* == EWOULDBLOCK on Linux */
			return RD_AGAIN;
		if (errno != EINTR) {
			proto_error_sys(err, PROTO_E_IO, errno, "cannot read from the client");
			return RD_FAIL;
		}
	}
}

void proto_reader_init(struct proto_reader *r, uint32_t max_payload)
{
	memset(r, 0, sizeof *r);
	r->max_payload = max_payload > PROTO_MAX_PAYLOAD ? PROTO_MAX_PAYLOAD : max_payload;
	r->failed = PROTO_OK;
}

void proto_reader_free(struct proto_reader *r)
{
	free(r->payload);
	r->payload = NULL;
	r->hdr_have = 0;
	r->have = 0;
	r->cap = 0;
}

bool proto_reader_in_message(const struct proto_reader *r)
{
	return r->failed == PROTO_OK && r->hdr_have > 0;
}

uint16_t proto_reader_peer_version(const struct proto_reader *r)
{
	return r->h.version;
}

bool proto_error_wants_reply(enum proto_code code)
{
	return code == PROTO_E_BAD_MAGIC || code == PROTO_E_VERSION ||
	       code == PROTO_E_TOO_LARGE || code == PROTO_E_MALFORMED;
}

static enum proto_rd reader_fail(struct proto_reader *r, enum proto_code code)
{
	r->failed = code;
	free(r->payload);
	r->payload = NULL;
	r->cap = 0;
	return PROTO_RD_ERROR;
}

/* The header is complete: check it. */
static enum proto_code accept_header(struct proto_reader *r, struct proto_error *err)
{
	proto_header_decode(r->hdr, &r->h);
	if (r->h.magic != PROTO_MAGIC)
		return proto_error_set(err, PROTO_E_BAD_MAGIC,
				       "not a crond protocol request (bad magic 0x%08x)",
				       (unsigned)r->h.magic);
	if (r->h.version != PROTO_VERSION)
		return proto_error_set(err, PROTO_E_VERSION,
				       "crond speaks protocol version %u, client speaks %u",
				       (unsigned)PROTO_VERSION, (unsigned)r->h.version);
	if (r->h.len > r->max_payload)
		return proto_error_set(err, PROTO_E_TOO_LARGE,
				       "request too large (%u bytes, limit %u)",
				       (unsigned)r->h.len, (unsigned)r->max_payload);
	r->have = 0;
	r->cap = 0;
	return PROTO_OK;
}

/* The first bytes already differ from the magic: say what they were. */
static enum proto_code bad_prefix(const struct proto_reader *r, struct proto_error *err)
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * 4 + 1];
	size_t n = r->hdr_have < 4 ? r->hdr_have : 4;
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[r->hdr[i] >> 4];
		hex[2 * i + 1] = digits[r->hdr[i] & 0xf];
	}
	hex[2 * n] = '\0';
	return proto_error_set(err, PROTO_E_BAD_MAGIC,
			       "not a crond protocol request (bad magic: first bytes 0x%s)", hex);
}

/* Read header bytes until the header is complete and accepted (OK), or
 * the socket is drained (*RD = NEED_MORE), or an error (*RD = ERROR). */
static bool read_header(struct proto_reader *r, int fd, enum proto_rd *rd,
			struct proto_error *err)
{
	while (r->hdr_have < PROTO_HEADER_SIZE) {
		size_t got = 0;
		switch (read_some(fd, r->hdr + r->hdr_have, PROTO_HEADER_SIZE - r->hdr_have,
				  &got, err)) {
		case RD_AGAIN:
			*rd = PROTO_RD_NEED_MORE;
			return false;
		case RD_FAIL:
			*rd = reader_fail(r, PROTO_E_IO);
			return false;
		case RD_EOF:
			if (r->hdr_have == 0)
				proto_error_set(err, PROTO_E_EOF, "client closed the connection");
			else
				proto_error_set(err, PROTO_E_TRUNCATED,
						"client closed the connection in the middle of a request header (%zu of %d bytes)",
						r->hdr_have, PROTO_HEADER_SIZE);
			*rd = reader_fail(r, r->hdr_have == 0 ? PROTO_E_EOF : PROTO_E_TRUNCATED);
			return false;
		case RD_DATA:
			break;
		}
		r->hdr_have += got;
		enum proto_code rc = PROTO_OK;
		if (!proto_magic_prefix_ok(r->hdr, r->hdr_have))
			rc = bad_prefix(r, err);
		else if (r->hdr_have == PROTO_HEADER_SIZE)
			rc = accept_header(r, err);
		if (rc != PROTO_OK) {
			*rd = reader_fail(r, rc);
			return false;
		}
	}
	return true;
}

/* Room for more payload: grow the buffer (never past the announced length)
 * when it is full. */
static enum proto_code payload_room(struct proto_reader *r, struct proto_error *err)
{
	if (r->have < r->cap)
		return PROTO_OK;
	size_t cap = r->cap == 0 ? PROTO_READER_CHUNK : r->cap * 2;
	if (cap > r->h.len)
		cap = r->h.len;
	uint8_t *p = realloc(r->payload, cap);
	if (p == NULL)
		return proto_error_set(err, PROTO_E_NOMEM,
				       "out of memory for a %u-byte request", (unsigned)r->h.len);
	r->payload = p;
	r->cap = cap;
	return PROTO_OK;
}

/* Read payload bytes until the payload is complete (true) or not (*RD). */
static bool read_payload(struct proto_reader *r, int fd, enum proto_rd *rd,
			 struct proto_error *err)
{
	while (r->have < r->h.len) {
		size_t got = 0;
		if (payload_room(r, err) != PROTO_OK) {
			*rd = reader_fail(r, PROTO_E_NOMEM);
			return false;
		}
		switch (read_some(fd, r->payload + r->have, r->cap - r->have, &got, err)) {
		case RD_AGAIN:
			*rd = PROTO_RD_NEED_MORE;
			return false;
		case RD_FAIL:
			*rd = reader_fail(r, PROTO_E_IO);
			return false;
		case RD_EOF:
			proto_error_set(err, PROTO_E_TRUNCATED,
					"client closed the connection in the middle of a request (%zu of %u bytes)",
					r->have, (unsigned)r->h.len);
			*rd = reader_fail(r, PROTO_E_TRUNCATED);
			return false;
		case RD_DATA:
			r->have += got;
			break;
		}
	}
	return true;
}

enum proto_rd proto_reader_feed(struct proto_reader *r, int fd, struct proto_msg *out,
				struct proto_error *err)
{
	enum proto_rd rd = PROTO_RD_ERROR;
	if (r->failed != PROTO_OK) {
		proto_error_set(err, r->failed, "the connection already failed (%s)",
				proto_code_name(r->failed));
		return PROTO_RD_ERROR;
	}
	if (!read_header(r, fd, &rd, err) || !read_payload(r, fd, &rd, err))
		return rd;
	enum proto_code rc = proto_payload_validate(r->payload, r->h.len, err);
	if (rc != PROTO_OK)
		return reader_fail(r, rc);
	*out = (struct proto_msg){ .version = r->h.version, .type = r->h.type,
				   .len = r->h.len, .payload = r->payload, .owned = r->payload };
	r->payload = NULL;                           /* now the caller's */
	r->hdr_have = 0;
	r->have = 0;
	r->cap = 0;
	return PROTO_RD_COMPLETE;
}

/* ------------------------------------------------------------ writing */

void proto_writer_init(struct proto_writer *w)
{
	memset(w, 0, sizeof *w);
}

void proto_writer_free(struct proto_writer *w)
{
	free(w->data);
	memset(w, 0, sizeof *w);
}

size_t proto_writer_pending(const struct proto_writer *w)
{
	return w->len - w->off;
}

/* Append a copy of P[0..N) after what is pending (the caller checked the
 * PROTO_WRITER_MAX bound). Sent bytes are dropped first. */
static enum proto_code writer_append(struct proto_writer *w, const uint8_t *p, size_t n,
				     struct proto_error *err)
{
	if (w->off > 0) {
		memmove(w->data, w->data + w->off, w->len - w->off);
		w->len -= w->off;
		w->off = 0;
	}
	if (w->cap - w->len < n) {
		size_t cap = w->len + n;
		if (cap < w->cap * 2)
			cap = w->cap * 2 < PROTO_WRITER_MAX ? w->cap * 2 : PROTO_WRITER_MAX;
		uint8_t *d = realloc(w->data, cap);
		if (d == NULL)
			return proto_error_set(err, PROTO_E_NOMEM,
					       "out of memory queueing a %zu-byte reply", n);
		w->data = d;
		w->cap = cap;
	}
	memcpy(w->data + w->len, p, n);
	w->len += n;
	return PROTO_OK;
}

enum proto_code proto_writer_queue(struct proto_writer *w, struct proto_buf *b,
				   struct proto_error *err)
{
	enum proto_code rc = PROTO_OK;
	size_t pending = proto_writer_pending(w);
	if (b->failed != PROTO_OK)
		rc = proto_error_set(err, b->failed,
				     "cannot queue a reply that could not be built (%s)",
				     proto_code_name(b->failed));
	else if (b->data == NULL || b->len < PROTO_HEADER_SIZE)
		rc = proto_error_set(err, PROTO_E_INVALID, "no reply to queue");
	else if (b->len > PROTO_WRITER_MAX - pending)
		rc = proto_error_set(err, PROTO_E_TOO_LARGE,
				     "too much output pending for the client (%zu + %zu bytes)",
				     pending, b->len);
	else if (pending == 0) {
		free(w->data);                       /* take the frame, no copy */
		w->data = b->data;
		w->cap = b->cap;
		w->len = b->len;
		w->off = 0;
		b->data = NULL;
	} else
		rc = writer_append(w, b->data, b->len, err);
	proto_buf_free(b);
	return rc;
}

enum proto_wr proto_writer_flush(struct proto_writer *w, int fd, struct proto_error *err)
{
	while (w->off < w->len) {
		ssize_t n = send(fd, w->data + w->off, w->len - w->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			w->off += (size_t)n;
			continue;
		}
		if (n == 0 || errno == EAGAIN)
			return PROTO_WR_AGAIN;
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			proto_error_set(err, PROTO_E_EOF,
					"client closed the connection before reading the reply");
		else
			proto_error_sys(err, PROTO_E_IO, errno, "cannot write to the client");
		return PROTO_WR_ERROR;
	}
	/* All sent: give the memory back, an idle client should cost nothing. */
	proto_writer_free(w);
	return PROTO_WR_DONE;
}
