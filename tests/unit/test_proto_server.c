/* tests/unit/test_proto_server.c: non-blocking reader and writer
 * (lib/proto_server.h), driven over socketpairs in one thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/proto.h"
#include "lib/proto_server.h"
#include "tests/unit/support/rng.h"

/* ------------------------------------------------------------ helpers */

/* sv[0] is the server's end, sv[1] the client's; both non-blocking. */
static void make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
			 0);
}

static void close_pair(int sv[2])
{
	if (sv[0] >= 0)
		assert_int_equal(close(sv[0]), 0);
	if (sv[1] >= 0)
		assert_int_equal(close(sv[1]), 0);
}

/* Send all of P[0..N) (it must fit in the socket buffer soon). */
static void send_bytes(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			assert_int_equal(poll(&pfd, 1, 5000), 1);
			continue;
		}
		assert_true(w > 0);
		b += w;
		n -= (size_t)w;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A message of TYPE with a few fields and a BLOB-byte patterned field. */
static void build_sample(struct proto_buf *b, uint16_t type, size_t blob)
{
	assert_int_equal(proto_buf_init(b, type), PROTO_OK);
	assert_int_equal(proto_buf_add_str(b, 1, "alice"), PROTO_OK);
	assert_int_equal(proto_buf_add_i64(b, 2, -5), PROTO_OK);
	uint8_t *p = malloc(blob + 1);
	assert_non_null(p);
	for (size_t i = 0; i < blob; i++)
		p[i] = (uint8_t)(i * 31 + type);
	assert_int_equal(proto_buf_add_bytes(b, 3, p, blob), PROTO_OK);
	free(p);
}

/* M is the message framed in B. */
static void assert_msg_is(const struct proto_msg *m, const struct proto_buf *b)
{
	struct proto_header h;
	proto_header_decode(b->data, &h);
	assert_int_equal(m->type, h.type);
	assert_int_equal(m->version, h.version);
	assert_int_equal(m->len, b->len - PROTO_HEADER_SIZE);
	if (m->len > 0)
		assert_memory_equal(m->payload, b->data + PROTO_HEADER_SIZE, m->len);
	else
		assert_null(m->payload);
}

/* Feeds R what FD has (proto_reader_feed), M and ERR cleared first. */
static enum proto_rd feed(struct proto_reader *r, int fd, struct proto_msg *m,
			  struct proto_error *err)
{
	memset(m, 0, sizeof *m);
	memset(err, 0, sizeof *err);
	return proto_reader_feed(r, fd, m, err);
}

static size_t bytes_waiting(int fd)
{
	int n = -1;
	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	return (size_t)n;
}

static size_t header_bytes(uint8_t *p, uint16_t version, uint16_t type, uint32_t len)
{
	struct proto_header h = { PROTO_MAGIC, version, type, len };
	proto_header_encode(&h, p);
	return PROTO_HEADER_SIZE;
}

/* A socketpair with a reader on the server's end, and what feeding it gave:
 * what every reader test starts from. */
struct rig {
	int sv[2];                  /* as make_pair: sv[1] is the client's end */
	struct proto_reader r;
	struct proto_msg m;
	struct proto_error err;
};

static void rig_open(struct rig *g, uint32_t limit)
{
	make_pair(g->sv);
	proto_reader_init(&g->r, limit);
}

/* Feeds the reader from the server's end once, into G->m and G->err. */
static enum proto_rd rig_feed(struct rig *g)
{
	return feed(&g->r, g->sv[0], &g->m, &g->err);
}

static void rig_close(struct rig *g)
{
	proto_reader_free(&g->r);
	close_pair(g->sv);
}

/* Feeding G fails with CODE (and the text MSG, unless NULL): an error the
 * server answers before it closes. */
static void expect_refused(struct rig *g, enum proto_code code, const char *msg)
{
	assert_int_equal(rig_feed(g), PROTO_RD_ERROR);
	assert_int_equal(g->err.code, code);
	if (msg != NULL)
		assert_string_equal(g->err.msg, msg);
	assert_true(proto_error_wants_reply(g->err.code));
}

/* ------------------------------------------------------------ reader */

static void test_reader_assembles_a_message_fed_one_byte_at_a_time(void **state)
{
	(void)state;
	struct rig g;
	struct proto_buf b;
	rig_open(&g, PROTO_MAX_PAYLOAD);
	build_sample(&b, 9, 100);
	for (size_t i = 0; i < b.len; i++) {
		send_bytes(g.sv[1], b.data + i, 1);
		enum proto_rd rd = rig_feed(&g);
		if (i + 1 < b.len) {
			assert_int_equal(rd, PROTO_RD_NEED_MORE);
			assert_true(proto_reader_in_message(&g.r));
		} else {
			assert_int_equal(rd, PROTO_RD_COMPLETE);
			assert_false(proto_reader_in_message(&g.r));
		}
	}
	assert_msg_is(&g.m, &b);
	proto_msg_free(&g.m);
	assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);
	proto_buf_free(&b);
	rig_close(&g);
}

/* Random messages, back to back, sent in random chunks: each arrives whole,
 * in order, exactly once. */
static void test_reader_assembles_messages_sent_in_random_chunks(void **state)
{
	(void)state;
	uint64_t seed = 0x2545f4914f6cdd1du;
	for (int round = 0; round < 40; round++) {
		enum { N = 6 };
		struct proto_buf b[N];
		struct rig g;
		size_t total = 0;
		rig_open(&g, PROTO_MAX_PAYLOAD);
		for (int i = 0; i < N; i++) {
			size_t blob = rng_next(&seed) % 3 == 0 ? 0 : rng_next(&seed) % 20000;
			build_sample(&b[i], (uint16_t)(i + 1), blob);
			total += b[i].len;
		}
		uint8_t *stream = malloc(total);
		assert_non_null(stream);
		for (size_t i = 0, off = 0; i < N; off += b[i].len, i++)
			memcpy(stream + off, b[i].data, b[i].len);

		int got = 0;
		for (size_t off = 0; off < total;) {
			size_t chunk = 1 + rng_next(&seed) % 4096;
			if (chunk > total - off)
				chunk = total - off;
			send_bytes(g.sv[1], stream + off, chunk);
			off += chunk;
			enum proto_rd rd;
			while ((rd = rig_feed(&g)) == PROTO_RD_COMPLETE) {
				assert_true(got < N);
				assert_msg_is(&g.m, &b[got++]);
				proto_msg_free(&g.m);
			}
			assert_int_equal(rd, PROTO_RD_NEED_MORE);
		}
		assert_int_equal(got, N);
		assert_false(proto_reader_in_message(&g.r));
		for (int i = 0; i < N; i++)
			proto_buf_free(&b[i]);
		free(stream);
		rig_close(&g);
	}
}

static void test_reader_never_reads_past_the_end_of_a_message(void **state)
{
	(void)state;
	struct rig g;
	struct proto_buf a, c;
	rig_open(&g, PROTO_MAX_PAYLOAD);
	build_sample(&a, 1, 10);
	build_sample(&c, 2, 20);
	send_bytes(g.sv[1], a.data, a.len);
	send_bytes(g.sv[1], c.data, c.len);
	assert_int_equal(rig_feed(&g), PROTO_RD_COMPLETE);
	assert_msg_is(&g.m, &a);
	proto_msg_free(&g.m);
	assert_int_equal(bytes_waiting(g.sv[0]), c.len);   /* the next one untouched */
	assert_int_equal(rig_feed(&g), PROTO_RD_COMPLETE);
	assert_msg_is(&g.m, &c);
	proto_msg_free(&g.m);
	assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);
	proto_buf_free(&a);
	proto_buf_free(&c);
	rig_close(&g);
}

static void test_stalled_peer_leaves_reader_waiting_without_blocking(void **state)
{
	(void)state;
	struct rig g;
	struct proto_buf b;
	rig_open(&g, PROTO_MAX_PAYLOAD);
	build_sample(&b, 4, 50);
	assert_false(proto_reader_in_message(&g.r));
	send_bytes(g.sv[1], b.data, PROTO_HEADER_SIZE / 2);     /* half a header */
	int64_t t0 = now_ms();
	for (int i = 0; i < 100; i++)
		assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);
	assert_true(now_ms() - t0 < 500);
	assert_true(proto_reader_in_message(&g.r));
	send_bytes(g.sv[1], b.data + PROTO_HEADER_SIZE / 2, PROTO_HEADER_SIZE);  /* + 6 more */
	assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);                    /* mid-payload */
	assert_true(proto_reader_in_message(&g.r));
	send_bytes(g.sv[1], b.data + PROTO_HEADER_SIZE + PROTO_HEADER_SIZE / 2,
		   b.len - PROTO_HEADER_SIZE - PROTO_HEADER_SIZE / 2);
	assert_int_equal(rig_feed(&g), PROTO_RD_COMPLETE);
	assert_msg_is(&g.m, &b);
	proto_msg_free(&g.m);
	proto_buf_free(&b);
	rig_close(&g);
}

static void test_reader_completes_an_empty_payload(void **state)
{
	(void)state;
	struct rig g;
	struct proto_buf b;
	rig_open(&g, 0);                             /* a limit of 0 still allows it */
	assert_int_equal(proto_buf_init(&b, 12), PROTO_OK);
	send_bytes(g.sv[1], b.data, b.len);
	assert_int_equal(rig_feed(&g), PROTO_RD_COMPLETE);
	assert_int_equal(g.m.type, 12);
	assert_int_equal(g.m.len, 0);
	assert_null(g.m.payload);
	proto_buf_free(&b);
	rig_close(&g);
}

/* Oversized announcements are refused from the 12 header bytes alone: the
 * payload is neither read nor allocated. */
static void test_oversized_request_is_refused_from_the_header_alone(void **state)
{
	(void)state;
	static const struct { uint32_t limit, announced; const char *msg; } cases[] = {
		{ 1024, 1025, "request too large (1025 bytes, limit 1024)" },
		{ PROTO_MAX_PAYLOAD, PROTO_MAX_PAYLOAD + 1,
		  "request too large (4194305 bytes, limit 4194304)" },
		{ UINT32_MAX, PROTO_MAX_PAYLOAD + 1,
		  "request too large (4194305 bytes, limit 4194304)" },
		{ PROTO_MAX_PAYLOAD, UINT32_MAX,
		  "request too large (4294967295 bytes, limit 4194304)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rig g;
		uint8_t p[PROTO_HEADER_SIZE + 100];
		rig_open(&g, cases[i].limit);
		header_bytes(p, PROTO_VERSION, 1, cases[i].announced);
		memset(p + PROTO_HEADER_SIZE, 0, 100);
		send_bytes(g.sv[1], p, sizeof p);
		expect_refused(&g, PROTO_E_TOO_LARGE, cases[i].msg);
		assert_null(g.r.payload);                        /* nothing allocated */
		assert_int_equal(bytes_waiting(g.sv[0]), 100);   /* nothing more read */
		rig_close(&g);
	}
}

static void test_request_of_exactly_the_limit_is_accepted(void **state)
{
	(void)state;
	struct rig g;
	uint8_t p[PROTO_HEADER_SIZE];
	rig_open(&g, 1024);
	send_bytes(g.sv[1], p, header_bytes(p, PROTO_VERSION, 1, 1024));
	assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);
	assert_true(proto_reader_in_message(&g.r));
	rig_close(&g);                               /* frees the partial payload */
}

/* A client that announces a big request and sends little holds little:
 * the buffer grows with what arrives, never past what was announced. */
static void test_reader_memory_follows_the_bytes_received(void **state)
{
	(void)state;
	struct rig g;
	struct proto_buf b;
	rig_open(&g, PROTO_MAX_PAYLOAD);
	build_sample(&b, 3, PROTO_MAX_PAYLOAD - 100);
	send_bytes(g.sv[1], b.data, PROTO_HEADER_SIZE + 10);
	assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);
	assert_true(g.r.cap > 0 && g.r.cap <= 64 * 1024);
	size_t off = PROTO_HEADER_SIZE + 10;
	enum proto_rd rd = PROTO_RD_NEED_MORE;
	while (off < b.len) {
		size_t n = b.len - off < 100000 ? b.len - off : 100000;
		send_bytes(g.sv[1], b.data + off, n);
		off += n;
		rd = rig_feed(&g);
		if (off < b.len) {
			assert_int_equal(rd, PROTO_RD_NEED_MORE);
			assert_true(g.r.cap <= 2 * (g.r.have + 64 * 1024));
			assert_true(g.r.cap <= b.len - PROTO_HEADER_SIZE);
		}
	}
	assert_int_equal(rd, PROTO_RD_COMPLETE);
	assert_msg_is(&g.m, &b);
	proto_msg_free(&g.m);

	uint8_t small[PROTO_HEADER_SIZE + 3];              /* a short one: exact size */
	header_bytes(small, PROTO_VERSION, 1, 100);
	send_bytes(g.sv[1], small, sizeof small);
	assert_int_equal(rig_feed(&g), PROTO_RD_NEED_MORE);
	assert_int_equal(g.r.cap, 100);
	proto_buf_free(&b);
	rig_close(&g);
}

static void test_bad_magic_is_refused_from_the_first_bytes(void **state)
{
	(void)state;
	static const struct { const char *bytes; size_t len; const char *msg; } cases[] = {
		{ "G", 1, "not a crond protocol request (bad magic: first bytes 0x47)" },
		{ "GET / HTTP/1.0\r\n\r\n", 18,
		  "not a crond protocol request (bad magic: first bytes 0x47455420)" },
		{ "CRNX", 4, "not a crond protocol request (bad magic: first bytes 0x43524e58)" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0", 12,
		  "not a crond protocol request (bad magic: first bytes 0x00000000)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rig g;
		rig_open(&g, PROTO_MAX_PAYLOAD);
		send_bytes(g.sv[1], cases[i].bytes, cases[i].len);
		expect_refused(&g, PROTO_E_BAD_MAGIC, cases[i].msg);
		rig_close(&g);
	}
}

/* Another version: the payload is not read, and the answer is the FATAL
 * frame every version can read. */
static void test_other_version_gets_the_version_error_reply(void **state)
{
	(void)state;
	struct rig g;
	uint8_t p[PROTO_HEADER_SIZE + 20] = { 0 };
	struct proto_writer w;
	struct proto_buf reply;
	rig_open(&g, PROTO_MAX_PAYLOAD);
	header_bytes(p, 2, 1, 20);
	send_bytes(g.sv[1], p, sizeof p);
	expect_refused(&g, PROTO_E_VERSION, "crond speaks protocol version 1, client speaks 2");
	assert_int_equal(proto_reader_peer_version(&g.r), 2);
	assert_null(g.r.payload);

	proto_writer_init(&w);
	assert_int_equal(proto_build_fatal(&reply, g.err.msg), PROTO_OK);
	assert_int_equal(proto_writer_queue(&w, &reply, &g.err), PROTO_OK);
	assert_int_equal(proto_writer_flush(&w, g.sv[0], &g.err), PROTO_WR_DONE);
	uint8_t in[512];
	char text[PROTO_ERRMSG_SIZE];
	ssize_t n = recv(g.sv[1], in, sizeof in, 0);
	assert_true(n > PROTO_HEADER_SIZE);
	assert_int_equal(proto_decode(in, (size_t)n, PROTO_MAX_PAYLOAD, &g.m, NULL, NULL), PROTO_OK);
	assert_int_equal(g.m.type, PROTO_TYPE_FATAL);
	assert_true(proto_fatal_text(g.m.payload, g.m.len, text, sizeof text));
	assert_string_equal(text, "crond speaks protocol version 1, client speaks 2");
	proto_msg_free(&g.m);
	proto_writer_free(&w);
	rig_close(&g);
}

static void test_reader_refuses_a_malformed_payload(void **state)
{
	(void)state;
	struct rig g;
	uint8_t p[PROTO_HEADER_SIZE + 8];
	static const uint8_t payload[8] = { 0, 1, 0, 0, 0, 5, 'a', 'b' };  /* 5 > 2 */
	rig_open(&g, PROTO_MAX_PAYLOAD);
	header_bytes(p, PROTO_VERSION, 1, sizeof payload);
	memcpy(p + PROTO_HEADER_SIZE, payload, sizeof payload);
	send_bytes(g.sv[1], p, sizeof p);
	expect_refused(&g, PROTO_E_MALFORMED, NULL);
	assert_null(g.r.payload);
	/* Errors stick. */
	assert_int_equal(rig_feed(&g), PROTO_RD_ERROR);
	assert_int_equal(g.err.code, PROTO_E_MALFORMED);
	assert_false(proto_reader_in_message(&g.r));
	rig_close(&g);
}

static void test_peer_closing_is_eof_between_messages_and_truncated_inside(void **state)
{
	(void)state;
	struct proto_buf b;
	build_sample(&b, 1, 30);
	static const struct { const char *rule; size_t sent; enum proto_code want; } cases[] = {
		{ "nothing sent: a normal close", 0, PROTO_E_EOF },
		{ "a whole message then close: a normal close after it", SIZE_MAX, PROTO_E_EOF },
		{ "half a header", 5, PROTO_E_TRUNCATED },
		{ "header only", PROTO_HEADER_SIZE, PROTO_E_TRUNCATED },
		{ "part of the payload", PROTO_HEADER_SIZE + 7, PROTO_E_TRUNCATED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rig g;
		rig_open(&g, PROTO_MAX_PAYLOAD);
		size_t n = cases[i].sent == SIZE_MAX ? b.len : cases[i].sent;
		if (n > 0)
			send_bytes(g.sv[1], b.data, n);
		assert_int_equal(close(g.sv[1]), 0);
		g.sv[1] = -1;
		enum proto_rd rd = rig_feed(&g);
		if (n == b.len) {
			assert_int_equal(rd, PROTO_RD_COMPLETE);
			proto_msg_free(&g.m);
			rd = rig_feed(&g);
		}
		assert_int_equal(rd, PROTO_RD_ERROR);
		if (g.err.code != cases[i].want)
			fail_msg("%s: got %s (%s)", cases[i].rule, proto_code_name(g.err.code),
				 g.err.msg);
		assert_false(proto_error_wants_reply(g.err.code));
		rig_close(&g);
	}
	proto_buf_free(&b);
}

/* ------------------------------------------------------------ writer */

/* A large reply to a client that reads a little at a time: flush never
 * blocks, says AGAIN while the socket is full, and delivers every byte. */
static void test_writer_flushes_a_large_reply_to_a_slow_reader(void **state)
{
	(void)state;
	int sv[2];
	int small = 8192;
	struct proto_buf b;
	struct proto_writer w;
	struct proto_error err;
	uint64_t seed = 12345;
	make_pair(sv);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
	build_sample(&b, 7, 3u << 20);
	size_t total = b.len;
	uint8_t *copy = malloc(total), *got = malloc(total);
	assert_non_null(copy);
	assert_non_null(got);
	memcpy(copy, b.data, total);

	proto_writer_init(&w);
	assert_int_equal(proto_writer_queue(&w, &b, &err), PROTO_OK);
	assert_null(b.data);                                 /* consumed */
	assert_int_equal(proto_writer_pending(&w), total);
	size_t have = 0;
	int agains = 0;
	enum proto_wr wr;
	while ((wr = proto_writer_flush(&w, sv[0], &err)) == PROTO_WR_AGAIN) {
		agains++;
		int64_t t0 = now_ms();
		size_t want = 1 + rng_next(&seed) % 6000;
		ssize_t n = recv(sv[1], got + have, want, MSG_DONTWAIT);
		assert_true(n > 0);
		have += (size_t)n;
		assert_true(now_ms() - t0 < 1000);
	}
	assert_int_equal(wr, PROTO_WR_DONE);
	assert_true(agains > 10);
	assert_int_equal(proto_writer_pending(&w), 0);
	assert_null(w.data);                                 /* memory given back */
	while (have < total) {
		ssize_t n = recv(sv[1], got + have, total - have, MSG_DONTWAIT);
		assert_true(n > 0);
		have += (size_t)n;
	}
	assert_memory_equal(got, copy, total);
	free(copy);
	free(got);
	proto_writer_free(&w);
	close_pair(sv);
}

static void test_writer_sends_queued_replies_in_order(void **state)
{
	(void)state;
	int sv[2];
	int small = 8192;
	struct proto_buf a, c, d, ref[3];
	struct proto_writer w;
	struct proto_error err;
	make_pair(sv);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	build_sample(&a, 1, 200000);
	build_sample(&c, 2, 5);
	build_sample(&d, 3, 70000);
	build_sample(&ref[0], 1, 200000);
	build_sample(&ref[1], 2, 5);
	build_sample(&ref[2], 3, 70000);
	proto_writer_init(&w);
	assert_int_equal(proto_writer_queue(&w, &a, &err), PROTO_OK);
	assert_int_equal(proto_writer_flush(&w, sv[0], &err), PROTO_WR_AGAIN);
	assert_int_equal(proto_writer_queue(&w, &c, &err), PROTO_OK);   /* behind a partial */
	assert_int_equal(proto_writer_queue(&w, &d, &err), PROTO_OK);

	struct proto_reader r;
	proto_reader_init(&r, PROTO_MAX_PAYLOAD);
	int got = 0;
	while (got < 3) {
		enum proto_wr wr = proto_writer_flush(&w, sv[0], &err);
		assert_int_not_equal(wr, PROTO_WR_ERROR);
		struct proto_msg m;
		enum proto_rd rd;
		while ((rd = feed(&r, sv[1], &m, &err)) == PROTO_RD_COMPLETE) {
			assert_msg_is(&m, &ref[got++]);
			proto_msg_free(&m);
		}
		assert_int_equal(rd, PROTO_RD_NEED_MORE);
	}
	assert_int_equal(proto_writer_pending(&w), 0);
	for (int i = 0; i < 3; i++)
		proto_buf_free(&ref[i]);
	proto_reader_free(&r);
	proto_writer_free(&w);
	close_pair(sv);
}

static void test_writer_reports_a_vanished_client_without_sigpipe(void **state)
{
	(void)state;
	int sv[2];
	struct proto_buf b;
	struct proto_writer w;
	struct proto_error err;
	assert_true(signal(SIGPIPE, SIG_DFL) != SIG_ERR);    /* a SIGPIPE would kill us */
	make_pair(sv);
	assert_int_equal(close(sv[1]), 0);
	sv[1] = -1;
	build_sample(&b, 1, 10);
	proto_writer_init(&w);
	assert_int_equal(proto_writer_queue(&w, &b, &err), PROTO_OK);
	assert_int_equal(proto_writer_flush(&w, sv[0], &err), PROTO_WR_ERROR);
	assert_int_equal(err.code, PROTO_E_EOF);
	assert_string_equal(err.msg, "client closed the connection before reading the reply");
	proto_writer_free(&w);
	close_pair(sv);
}

static void test_writer_bounds_the_output_pending_per_client(void **state)
{
	(void)state;
	struct proto_writer w;
	struct proto_error err;
	struct proto_buf b;
	proto_writer_init(&w);
	for (int i = 0; i < 3; i++) {
		build_sample(&b, 1, PROTO_MAX_PAYLOAD - 100);
		enum proto_code rc = proto_writer_queue(&w, &b, &err);
		assert_int_equal(rc, i < 2 ? PROTO_OK : PROTO_E_TOO_LARGE);
		assert_null(b.data);                     /* consumed either way */
	}
	assert_true(proto_writer_pending(&w) <= PROTO_WRITER_MAX);
	proto_writer_free(&w);
}

static void test_writer_refuses_a_reply_that_failed_to_build(void **state)
{
	(void)state;
	struct proto_writer w;
	struct proto_error err;
	struct proto_buf b;
	proto_writer_init(&w);
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 1, NULL), PROTO_E_INVALID);
	assert_int_equal(proto_writer_queue(&w, &b, &err), PROTO_E_INVALID);
	assert_null(b.data);
	assert_int_equal(proto_writer_pending(&w), 0);
	assert_int_equal(proto_writer_flush(&w, -1, &err), PROTO_WR_DONE);  /* nothing to do */
	proto_writer_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_assembles_a_message_fed_one_byte_at_a_time),
		cmocka_unit_test(test_reader_assembles_messages_sent_in_random_chunks),
		cmocka_unit_test(test_reader_never_reads_past_the_end_of_a_message),
		cmocka_unit_test(test_stalled_peer_leaves_reader_waiting_without_blocking),
		cmocka_unit_test(test_reader_completes_an_empty_payload),
		cmocka_unit_test(test_oversized_request_is_refused_from_the_header_alone),
		cmocka_unit_test(test_request_of_exactly_the_limit_is_accepted),
		cmocka_unit_test(test_reader_memory_follows_the_bytes_received),
		cmocka_unit_test(test_bad_magic_is_refused_from_the_first_bytes),
		cmocka_unit_test(test_other_version_gets_the_version_error_reply),
		cmocka_unit_test(test_reader_refuses_a_malformed_payload),
		cmocka_unit_test(test_peer_closing_is_eof_between_messages_and_truncated_inside),
		cmocka_unit_test(test_writer_flushes_a_large_reply_to_a_slow_reader),
		cmocka_unit_test(test_writer_sends_queued_replies_in_order),
		cmocka_unit_test(test_writer_reports_a_vanished_client_without_sigpipe),
		cmocka_unit_test(test_writer_bounds_the_output_pending_per_client),
		cmocka_unit_test(test_writer_refuses_a_reply_that_failed_to_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
