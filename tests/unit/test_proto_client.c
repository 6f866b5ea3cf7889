/* tests/unit/test_proto_client.c: blocking client I/O (lib/proto_client.h),
 * against real sockets in a private directory and against a server thread
 * that follows the duties in lib/proto_server.h.
 *
 * THREADED TEST: the call tests run a server thread next to the client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/proto.h"
#include "lib/proto_client.h"
#include "lib/proto_server.h"

#define PATH_SIZE 108

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (fx == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/proto-client-test.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)     /* a SIGPIPE would kill the test */
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	int rc = system(cmd);
	free(fx);
	return rc == 0 ? 0 : -1;
}

static void path_in(const struct fixture *fx, const char *name, char path[PATH_SIZE])
{
	int n = snprintf(path, PATH_SIZE, "%s/%s", fx->dir, name);
	assert_true(n > 0 && n < PATH_SIZE);
}

/* A Unix socket bound at PATH; listening with BACKLOG unless it is < 0. */
static int bind_at(const char *path, int backlog)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	if (backlog >= 0)
		assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
			 0);
}

static void send_bytes(int fd, const void *p, size_t n)
{
	if (n > 0)
		assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* ------------------------------------------------------------ connect */

static void test_connect_errors_name_the_socket_and_the_likely_cause(void **state)
{
	struct fixture *fx = *state;
	char missing[PATH_SIZE], nodir[PATH_SIZE], file[PATH_SIZE], unlistened[PATH_SIZE];
	char stale[PATH_SIZE], msg[PROTO_ERRMSG_SIZE + PATH_SIZE];
	path_in(fx, "missing.sock", missing);
	path_in(fx, "nodir/crond.sock", nodir);
	path_in(fx, "regular-file", file);
	path_in(fx, "unlistened.sock", unlistened);
	path_in(fx, "stale.sock", stale);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	int bound = bind_at(unlistened, -1);
	assert_int_equal(close(bind_at(stale, 5)), 0);   /* a daemon that died */

	const struct { const char *rule; const char *path; enum proto_code want; } cases[] = {
		{ "no socket at the path", missing, PROTO_E_NO_DAEMON },
		{ "no directory for the path", nodir, PROTO_E_NO_DAEMON },
		{ "a regular file at the path", file, PROTO_E_REFUSED },
		{ "a socket nobody listens on", unlistened, PROTO_E_REFUSED },
		{ "the socket of a dead daemon", stale, PROTO_E_REFUSED },
		{ "a directory at the path", fx->dir, PROTO_E_REFUSED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct proto_error err;
		int fd = -1;
		enum proto_code got = proto_client_connect(cases[i].path, 1000, &fd, &err);
		if (got != cases[i].want)
			fail_msg("%s: got %s (%s)", cases[i].rule, proto_code_name(got), err.msg);
		if (cases[i].want == PROTO_E_NO_DAEMON)
			snprintf(msg, sizeof msg, "crond is not running (no socket at %s)",
				 cases[i].path);
		else
			snprintf(msg, sizeof msg, "connection refused at %s (crond not running?)",
				 cases[i].path);
		assert_string_equal(err.msg, msg);
		assert_int_equal(fd, -1);
	}
	assert_int_equal(close(bound), 0);
}

/* Run in a child: connect to PATH as an unprivileged user; exit 0 if the
 * result is PERM with the documented message. */
static void connect_as_nobody(const char *path)
{
	if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
			       setuid(65534) != 0))
		_exit(10);
	struct proto_error err;
	char want[PROTO_ERRMSG_SIZE];
	int fd = -1;
	if (proto_client_connect(path, 1000, &fd, &err) != PROTO_E_PERM)
		_exit(11);
	snprintf(want, sizeof want, "permission denied connecting to %s", path);
	_exit(strcmp(err.msg, want) == 0 ? 0 : 12);
}

static void test_connect_without_permission_says_permission_denied(void **state)
{
	struct fixture *fx = *state;
	char sub[PATH_SIZE], path[PATH_SIZE];
	path_in(fx, "private", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	path_in(fx, "private/crond.sock", path);
	int lfd = bind_at(path, 5);
	if (geteuid() != 0)
		assert_int_equal(chmod(sub, 0), 0);      /* we are not root: lock ourselves out */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		connect_as_nobody(path);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(sub, 0700), 0);
	assert_int_equal(close(lfd), 0);
}

static void test_connect_times_out_when_crond_does_not_accept(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_SIZE], want[PROTO_ERRMSG_SIZE];
	path_in(fx, "busy.sock", path);
	int lfd = bind_at(path, 0);                   /* a queue that fills at once */
	int fds[8];
	int n = 0;
	struct proto_error err;
	int64_t t0 = 0, elapsed = 0;
	for (; n < 8; n++) {
		t0 = now_ms();
		if (proto_client_connect(path, 200, &fds[n], &err) != PROTO_OK)
			break;
	}
	elapsed = now_ms() - t0;
	assert_true(n < 8);
	assert_int_equal(err.code, PROTO_E_TIMEOUT);
	snprintf(want, sizeof want, "crond did not accept the connection at %s within 200 ms",
		 path);
	assert_string_equal(err.msg, want);
	assert_true(elapsed >= 150 && elapsed < 3000);
	for (int i = 0; i < n; i++)
		assert_int_equal(close(fds[i]), 0);
	assert_int_equal(close(lfd), 0);
}

static void test_connect_refuses_an_unusable_path(void **state)
{
	(void)state;
	char longpath[200];
	struct proto_error err;
	int fd = -1;
	memset(longpath, 'x', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	assert_int_equal(proto_client_connect(longpath, 100, &fd, &err), PROTO_E_INVALID);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(proto_client_connect("", 100, &fd, &err), PROTO_E_INVALID);
	assert_int_equal(proto_client_connect(NULL, 100, &fd, &err), PROTO_E_INVALID);
	assert_int_equal(fd, -1);
}

static void test_connected_socket_is_close_on_exec(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_SIZE];
	path_in(fx, "cloexec.sock", path);
	int lfd = bind_at(path, 5);
	int fd = -1;
	assert_int_equal(proto_client_connect(path, 1000, &fd, NULL), PROTO_OK);
	int flags = fcntl(fd, F_GETFD);
	assert_true(flags >= 0 && (flags & FD_CLOEXEC));
	struct timeval tv;
	socklen_t len = sizeof tv;
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len), 0);
	assert_true(tv.tv_sec == 0 && tv.tv_usec == 0);     /* connect timeout undone */
	assert_int_equal(close(fd), 0);
	assert_int_equal(close(lfd), 0);
}

/* ------------------------------------------------------------ round trip */

static void test_request_and_reply_round_trip_through_a_listening_socket(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_SIZE];
	path_in(fx, "crond.sock", path);
	int lfd = bind_at(path, 5);
	int cfd = -1;
	struct proto_error err;
	assert_int_equal(proto_client_connect(path, 1000, &cfd, &err), PROTO_OK);
	int sfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(sfd >= 0);

	struct proto_buf req, rep;
	assert_int_equal(proto_buf_init(&req, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&req, 1, "* * * * * true\n"), PROTO_OK);
	assert_int_equal(proto_client_send(cfd, &req, 1000, &err), PROTO_OK);

	struct proto_reader r;
	struct proto_msg m, reply;
	proto_reader_init(&r, PROTO_MAX_PAYLOAD);
	assert_int_equal(proto_reader_feed(&r, sfd, &m, &err), PROTO_RD_COMPLETE);
	char *text = NULL;
	assert_int_equal(proto_get_str(&m, 1, &text, &err), PROTO_OK);
	assert_string_equal(text, "* * * * * true\n");
	free(text);
	proto_msg_free(&m);

	struct proto_writer w;
	proto_writer_init(&w);
	assert_int_equal(proto_buf_init(&rep, 2), PROTO_OK);
	assert_int_equal(proto_buf_add_bool(&rep, 1, true), PROTO_OK);
	assert_int_equal(proto_writer_queue(&w, &rep, &err), PROTO_OK);
	assert_int_equal(proto_writer_flush(&w, sfd, &err), PROTO_WR_DONE);
	assert_int_equal(proto_client_recv(cfd, &reply, PROTO_MAX_PAYLOAD, 1000, &err), PROTO_OK);
	bool ok = false;
	assert_int_equal(reply.type, 2);
	assert_int_equal(proto_get_bool(&reply, 1, &ok, &err), PROTO_OK);
	assert_true(ok);
	proto_msg_free(&reply);

	proto_buf_free(&req);
	proto_reader_free(&r);
	proto_writer_free(&w);
	assert_int_equal(close(sfd), 0);
	assert_int_equal(close(cfd), 0);
	assert_int_equal(close(lfd), 0);
}

/* ------------------------------------------------------------ receive errors */

struct recv_case {
	const char *rule;
	uint8_t bytes[64];
	size_t len;
	bool close_after;
	enum proto_code want;
	const char *msg;                             /* NULL: not checked */
};

#define HDR(ver, type, len) 'C', 'R', 'N', 'D', 0, ver, (uint8_t)((type) >> 8), \
	(uint8_t)(type), 0, (uint8_t)((len) >> 16), (uint8_t)((len) >> 8), (uint8_t)(len)

static const struct recv_case recv_cases[] = {
	{ "crond closes without a word", { 0 }, 0, true, PROTO_E_EOF,
	  "crond closed the connection without replying; what was asked may have been done: "
	  "look before asking again" },
	{ "crond closes inside the header", { 'C', 'R', 'N', 'D', 0 }, 5, true,
	  PROTO_E_TRUNCATED, "crond closed the connection in the middle of its reply" },
	{ "crond closes inside the payload", { HDR(1, 2, 10), 0, 1, 0 }, 15, true,
	  PROTO_E_TRUNCATED, "crond closed the connection in the middle of its reply" },
	{ "the peer is not crond", { 'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1' },
	  12, false, PROTO_E_BAD_MAGIC, "the peer is not crond (bad magic 0x47455420)" },
	{ "a reply over the limit is refused from its header", { HDR(1, 2, 1025) }, 12, false,
	  PROTO_E_TOO_LARGE, "crond's reply is too large (1025 bytes, limit 1024)" },
	{ "another version without explanation", { HDR(2, 5, 0) }, 12, false,
	  PROTO_E_VERSION, "crond speaks protocol version 2, client speaks 1" },
	{ "another version explained by crond",
	  { HDR(2, 0xffff, 13), 0, 1, 0, 0, 0, 7, 'u', 'p', 'g', 'r', 'a', 'd', 'e' }, 25, true,
	  PROTO_E_VERSION, "upgrade" },
	{ "another version with an unreadable explanation",
	  { HDR(2, 0xffff, 2000) }, 12, true,
	  PROTO_E_VERSION, "crond speaks protocol version 2, client speaks 1" },
	{ "crond refuses the request", { HDR(1, 0xffff, 9), 0, 1, 0, 0, 0, 3, 'n', 'o', '\n' },
	  21, true, PROTO_E_REMOTE, "no?" },
	{ "a malformed reply", { HDR(1, 2, 7), 0, 1, 0, 0, 0, 9, 'x' }, 19, false,
	  PROTO_E_MALFORMED, NULL },
};

static void test_recv_reports_what_went_wrong(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof recv_cases / sizeof recv_cases[0]; i++) {
		const struct recv_case *c = &recv_cases[i];
		int sv[2];
		struct proto_msg m = { 0 };
		struct proto_error err;
		make_pair(sv);
		send_bytes(sv[0], c->bytes, c->len);
		if (c->close_after) {
			assert_int_equal(close(sv[0]), 0);
			sv[0] = -1;
		}
		enum proto_code got = proto_client_recv(sv[1], &m, 1024, 2000, &err);
		if (got != c->want)
			fail_msg("%s: got %s (%s)", c->rule, proto_code_name(got), err.msg);
		if (c->msg != NULL)
			assert_string_equal(err.msg, c->msg);
		assert_null(m.payload);
		if (sv[0] >= 0)
			assert_int_equal(close(sv[0]), 0);
		assert_int_equal(close(sv[1]), 0);
	}
}

static void test_recv_times_out_when_crond_stays_silent(void **state)
{
	(void)state;
	static const uint8_t half[] = { 'C', 'R', 'N', 'D', 0, 1 };
	for (int partial = 0; partial < 2; partial++) {
		int sv[2];
		struct proto_msg m;
		struct proto_error err;
		make_pair(sv);
		if (partial)
			send_bytes(sv[0], half, sizeof half);   /* then nothing */
		int64_t t0 = now_ms();
		assert_int_equal(proto_client_recv(sv[1], &m, 1024, 150, &err), PROTO_E_TIMEOUT);
		int64_t elapsed = now_ms() - t0;
		assert_true(elapsed >= 140 && elapsed < 2000);
		assert_string_equal(err.msg, "timed out after 150 ms waiting for crond's reply; what "
		                    "was asked may have been done: look before asking again");
		assert_int_equal(close(sv[0]), 0);
		assert_int_equal(close(sv[1]), 0);
	}
}

static void test_recv_reads_exactly_one_message_per_call(void **state)
{
	(void)state;
	int sv[2];
	struct proto_buf a, b;
	struct proto_msg m;
	uint32_t v = 0;
	make_pair(sv);
	assert_int_equal(proto_buf_init(&a, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&a, 1, 111), PROTO_OK);
	assert_int_equal(proto_buf_init(&b, 2), PROTO_OK);
	assert_int_equal(proto_buf_add_u32(&b, 1, 222), PROTO_OK);
	send_bytes(sv[0], a.data, a.len);
	send_bytes(sv[0], b.data, b.len);
	assert_int_equal(proto_client_recv(sv[1], &m, 1024, 1000, NULL), PROTO_OK);
	assert_int_equal(m.type, 1);
	assert_int_equal(proto_get_u32(&m, 1, &v, NULL), PROTO_OK);
	assert_int_equal(v, 111);
	proto_msg_free(&m);
	assert_int_equal(proto_client_recv(sv[1], &m, 1024, 1000, NULL), PROTO_OK);
	assert_int_equal(m.type, 2);
	assert_int_equal(proto_get_u32(&m, 1, &v, NULL), PROTO_OK);
	assert_int_equal(v, 222);
	proto_msg_free(&m);
	proto_buf_free(&a);
	proto_buf_free(&b);
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
}

/* ------------------------------------------------------------ send errors */

static void test_send_to_a_closed_connection_is_eof_without_sigpipe(void **state)
{
	(void)state;
	int sv[2];
	struct proto_buf b;
	struct proto_error err;
	make_pair(sv);
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_client_send(sv[1], &b, 1000, &err), PROTO_E_EOF);
	assert_string_equal(err.msg, "crond closed the connection before the request was sent");
	proto_buf_free(&b);
	assert_int_equal(close(sv[1]), 0);
}

static void test_send_times_out_when_crond_does_not_read(void **state)
{
	(void)state;
	int sv[2];
	int small = 8192;
	struct proto_buf b;
	struct proto_error err;
	make_pair(sv);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	uint8_t *big = calloc(1, 1u << 20);
	assert_non_null(big);
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_bytes(&b, 1, big, 1u << 20), PROTO_OK);
	int64_t t0 = now_ms();
	assert_int_equal(proto_client_send(sv[1], &b, 100, &err), PROTO_E_TIMEOUT);
	assert_true(now_ms() - t0 >= 90);
	assert_string_equal(err.msg, "timed out after 100 ms sending the request to crond");
	free(big);
	proto_buf_free(&b);
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
}

static void test_send_refuses_a_request_that_failed_to_build(void **state)
{
	(void)state;
	struct proto_buf b;
	struct proto_error err;
	assert_int_equal(proto_buf_init(&b, 1), PROTO_OK);
	assert_int_equal(proto_buf_add_str(&b, 1, NULL), PROTO_E_INVALID);
	assert_int_equal(proto_client_send(-1, &b, 100, &err), PROTO_E_INVALID);
	assert_non_null(strstr(err.msg, "could not be built"));
	proto_buf_free(&b);
}

/* ------------------------------------------------------------ call, threaded */

/* A one-connection server doing what proto_server.h asks of crond: echo
 * each request's payload back (type + 1); on a protocol error, send the
 * FATAL reply, then close. */
struct server {
	int fd;
	uint32_t max;
	struct proto_error err;                      /* why it stopped */
};

static bool flush_all(struct proto_writer *w, int fd)
{
	struct proto_error err;
	enum proto_wr wr;
	while ((wr = proto_writer_flush(w, fd, &err)) == PROTO_WR_AGAIN) {
		struct pollfd p = { fd, POLLOUT, 0 };
		if (poll(&p, 1, 5000) != 1)
			return false;
	}
	return wr == PROTO_WR_DONE;
}

static bool echo(struct proto_writer *w, int fd, struct proto_msg *m)
{
	struct proto_buf b;
	bool ok = proto_buf_init(&b, (uint16_t)(m->type + 1)) == PROTO_OK &&
		  proto_buf_add_bytes(&b, 1, m->payload, m->len) == PROTO_OK &&
		  proto_writer_queue(w, &b, NULL) == PROTO_OK && flush_all(w, fd);
	proto_buf_free(&b);
	proto_msg_free(m);
	return ok;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	struct proto_reader r;
	struct proto_writer w;
	proto_reader_init(&r, s->max);
	proto_writer_init(&w);
	for (;;) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		struct proto_msg m;
		if (poll(&p, 1, 5000) != 1) {
			proto_error_set(&s->err, PROTO_E_TIMEOUT, "server gave up");
			break;
		}
		enum proto_rd rd = proto_reader_feed(&r, s->fd, &m, &s->err);
		if (rd == PROTO_RD_ERROR || (rd == PROTO_RD_COMPLETE && !echo(&w, s->fd, &m)))
			break;
	}
	struct proto_buf fatal;
	if (proto_error_wants_reply(s->err.code) &&
	    proto_build_fatal(&fatal, s->err.msg) == PROTO_OK &&
	    proto_writer_queue(&w, &fatal, NULL) == PROTO_OK)
		(void)flush_all(&w, s->fd);
	proto_reader_free(&r);
	proto_writer_free(&w);
	(void)close(s->fd);
	return NULL;
}

/* Call a server thread with a request of PAYLOAD bytes at VERSION. */
static enum proto_code call_server(uint16_t version, size_t payload, uint32_t max,
				   struct proto_msg *reply, struct proto_error *err,
				   struct server *s)
{
	int sv[2];
	pthread_t t;
	make_pair(sv);
	s->fd = sv[0];
	s->max = max;
	memset(&s->err, 0, sizeof s->err);
	assert_int_equal(pthread_create(&t, NULL, serve, s), 0);
	struct proto_buf b;
	uint8_t *data = calloc(1, payload + 1);
	assert_non_null(data);
	assert_int_equal(proto_buf_init(&b, 10), PROTO_OK);
	assert_int_equal(proto_buf_add_bytes(&b, 1, data, payload), PROTO_OK);
	b.data[5] = (uint8_t)version;                /* pretend to be another client */
	enum proto_code rc = proto_client_call(sv[1], &b, reply, PROTO_MAX_PAYLOAD, 5000, err);
	assert_int_equal(close(sv[1]), 0);          /* the server sees EOF and stops */
	assert_int_equal(pthread_join(t, NULL), 0);
	proto_buf_free(&b);
	free(data);
	return rc;
}

static void test_call_gets_the_reply(void **state)
{
	(void)state;
	struct server s;
	struct proto_msg reply;
	struct proto_error err;
	assert_int_equal(call_server(PROTO_VERSION, 300000, PROTO_MAX_PAYLOAD, &reply, &err, &s),
			 PROTO_OK);
	assert_int_equal(reply.type, 11);
	assert_int_equal(reply.len, PROTO_FIELD_HEADER_SIZE * 2 + 300000);
	proto_msg_free(&reply);
	assert_int_equal(s.err.code, PROTO_E_EOF);          /* we hung up, cleanly */
}

/* crond refuses a request from its header and closes while the client is
 * still sending: the client reports crond's reason, not "broken pipe". */
static void test_call_reports_why_crond_refused_the_request(void **state)
{
	(void)state;
	static const struct { const char *rule; uint16_t version; size_t payload; uint32_t max;
			      enum proto_code want; const char *msg; } cases[] = {
		{ "too large, refused while still sending", PROTO_VERSION, 2u << 20, 1024,
		  PROTO_E_REMOTE, "request too large (2097158 bytes, limit 1024)" },
		{ "too large, refused after it was sent", PROTO_VERSION, 2000, 1024,
		  PROTO_E_REMOTE, "request too large (2006 bytes, limit 1024)" },
		{ "other version, refused while still sending", 2, 2u << 20, PROTO_MAX_PAYLOAD,
		  PROTO_E_REMOTE, "crond speaks protocol version 1, client speaks 2" },
		{ "other version, refused after it was sent", 2, 10, PROTO_MAX_PAYLOAD,
		  PROTO_E_REMOTE, "crond speaks protocol version 1, client speaks 2" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct server s;
		struct proto_msg reply = { 0 };
		struct proto_error err;
		enum proto_code rc = call_server(cases[i].version, cases[i].payload, cases[i].max,
						 &reply, &err, &s);
		if (rc != cases[i].want)
			fail_msg("%s: got %s (%s)", cases[i].rule, proto_code_name(rc), err.msg);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(reply.payload);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_errors_name_the_socket_and_the_likely_cause),
		cmocka_unit_test(test_connect_without_permission_says_permission_denied),
		cmocka_unit_test(test_connect_times_out_when_crond_does_not_accept),
		cmocka_unit_test(test_connect_refuses_an_unusable_path),
		cmocka_unit_test(test_connected_socket_is_close_on_exec),
		cmocka_unit_test(test_request_and_reply_round_trip_through_a_listening_socket),
		cmocka_unit_test(test_recv_reports_what_went_wrong),
		cmocka_unit_test(test_recv_times_out_when_crond_stays_silent),
		cmocka_unit_test(test_recv_reads_exactly_one_message_per_call),
		cmocka_unit_test(test_send_to_a_closed_connection_is_eof_without_sigpipe),
		cmocka_unit_test(test_send_times_out_when_crond_does_not_read),
		cmocka_unit_test(test_send_refuses_a_request_that_failed_to_build),
		cmocka_unit_test(test_call_gets_the_reply),
		cmocka_unit_test(test_call_reports_why_crond_refused_the_request),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
