/* tests/unit/test_runclient.c: the frames crontab --run gets: in order,
 * never blocking the writer, output dropped and counted when the reader is
 * slow while the last frame still arrives, and a reader that leaves is
 * noticed without SIGPIPE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crond/control/runclient.h"
#include "lib/proto_client.h"

/* A client on one end of a socket pair; *PEER is the other end. */
static struct run_client *pair(int *peer, atomic_uint *count)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	*peer = sv[1];
	if (count)
		atomic_fetch_add(count, 1);
	struct run_client *c = runclient_new(sv[0], "alice", 3, count, NULL);
	assert_non_null(c);
	return c;
}

static void recv_msg(int fd, struct proto_msg *m)
{
	struct proto_error err = { 0 };
	if (proto_client_recv(fd, m, PROTO_MAX_PAYLOAD, 2000, &err) != PROTO_OK)
		fail_msg("recv: %s", err.msg);
}

static void test_frames_arrive_in_order(void **state)
{
	(void)state;
	int peer;
	atomic_uint count = 0;
	struct run_client *c = pair(&peer, &count);
	runclient_state(c, RUN_STATE_STARTED, 42);
	runclient_output(c, "hello\n", 6);
	runclient_end(c, 3 << 8, RUNF_MANUAL, NULL);
	runclient_flush(c);
	assert_int_equal(runclient_pending(c), 0);
	assert_true(runclient_done(c, 0));
	struct proto_msg m;
	uint32_t v;
	recv_msg(peer, &m);
	assert_int_equal(m.type, MSG_RUN_STATE);
	assert_int_equal(proto_get_u32(&m, TAG_PID, &v, NULL), PROTO_OK);
	assert_int_equal(v, 42);
	proto_msg_free(&m);
	recv_msg(peer, &m);
	assert_int_equal(m.type, MSG_RUN_OUTPUT);
	const uint8_t *data;
	size_t n;
	assert_int_equal(proto_get_bytes(&m, TAG_RUN_DATA, &data, &n, NULL), PROTO_OK);
	assert_memory_equal(data, "hello\n", 6);
	proto_msg_free(&m);
	recv_msg(peer, &m);
	assert_int_equal(m.type, MSG_RUN_END);
	assert_int_equal(proto_get_u32(&m, TAG_STATUS, &v, NULL), PROTO_OK);
	assert_int_equal(v, 3);
	assert_int_equal(proto_get_u32(&m, TAG_FLAGS, &v, NULL), PROTO_OK);
	assert_int_equal(v, RUNF_MANUAL);
	proto_msg_free(&m);
	runclient_free(c);
	assert_int_equal(atomic_load(&count), 0);
	close(peer);
}

/* 8 MiB written to a reader that reads nothing: the writer never blocks,
 * at most the socket buffer plus RUNCLIENT_PENDING_MAX is held, the rest
 * is counted, and the end frame (with the count) still comes. */
static void test_slow_reader_loses_output_not_the_end(void **state)
{
	(void)state;
	int peer;
	struct run_client *c = pair(&peer, NULL);
	c->started = true;   /* output comes from a run that started */
	static char chunk[65536];
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 128; i++)
		runclient_output(c, chunk, sizeof(chunk));
	assert_true(runclient_pending(c) <= RUNCLIENT_PENDING_MAX);
	assert_true(c->dropped > 0);
	assert_false(c->gone);
	uint64_t dropped = c->dropped;
	runclient_end(c, 0, 0, NULL);
	assert_true(runclient_pending(c) > 0);
	/* Read everything; the last frame says how much was dropped. */
	uint64_t got = 0;
	for (;;) {
		runclient_flush(c);
		struct proto_msg m;
		recv_msg(peer, &m);
		if (m.type == MSG_RUN_END) {
			int64_t d = -1;
			assert_int_equal(proto_get_i64(&m, TAG_RUN_DROPPED, &d, NULL), PROTO_OK);
			assert_int_equal((uint64_t)d, dropped);
			proto_msg_free(&m);
			break;
		}
		const uint8_t *data;
		size_t n;
		assert_int_equal(proto_get_bytes(&m, TAG_RUN_DATA, &data, &n, NULL), PROTO_OK);
		got += n;
		proto_msg_free(&m);
	}
	assert_int_equal(got + dropped, 128u * sizeof(chunk));
	runclient_free(c);
	close(peer);
}

static void test_a_reader_that_left_is_gone_without_sigpipe(void **state)
{
	(void)state;
	int peer;
	struct run_client *c = pair(&peer, NULL);
	close(peer);
	runclient_output(c, "late\n", 5);   /* SIGPIPE would end the test */
	assert_true(c->gone);
	assert_int_equal(c->fd, -1);
	runclient_end(c, 0, 0, NULL);
	assert_true(runclient_done(c, 0));
	runclient_free(c);
}

/* An error queued by another thread is only sent by runclient_flush. */
static void test_error_is_queued_then_sent(void **state)
{
	(void)state;
	int peer;
	struct run_client *c = pair(&peer, NULL);
	runclient_error(c, MSGE_NOT_FOUND, "line %u is not an entry", 9u);
	assert_true(runclient_pending(c) > 0);
	assert_false(runclient_done(c, 0));
	runclient_flush(c);
	assert_true(runclient_done(c, 0));
	struct proto_msg m;
	recv_msg(peer, &m);
	assert_int_equal(m.type, MSG_ERROR);
	struct proto_field f;
	assert_int_equal(proto_find(&m, TAG_ERROR_TEXT, &f, NULL), PROTO_OK);
	assert_int_equal(f.len, strlen("line 9 is not an entry"));
	assert_memory_equal(f.data, "line 9 is not an entry", f.len);
	proto_msg_free(&m);
	runclient_free(c);
	close(peer);
}

/* A refused run whose client has not read what it asked before (its
 * socket full) is closed at once, not held for RUNCLIENT_LINGER_NS with
 * one of the slots: one user could fill them all so (a review's finding).
 * A run that started keeps its linger. */
static void test_a_refusal_nobody_reads_holds_no_slot(void **state)
{
	(void)state;
	for (int started = 0; started < 2; started++) {
		int peer;
		atomic_uint count = 0;
		struct run_client *c = pair(&peer, &count);
		static char fill[4096];
		while (send(c->fd, fill, sizeof(fill), MSG_DONTWAIT) > 0)
			;   /* as replies the client never read */
		c->started = started;
		runclient_error(c, MSGE_NOT_FOUND, "line %u is not an entry", 9u);
		runclient_flush(c);
		assert_int_equal(c->gone, !started);
		assert_int_equal(runclient_done(c, 0), !started);
		runclient_free(c);
		assert_int_equal(atomic_load(&count), 0);
		close(peer);
	}
}

/* The supervisor's set: a run not started is told it waits, once; a
 * client that hangs up is forgotten at its end; the count drops to 0. */
static void test_set_tells_waiting_once_and_forgets_clients(void **state)
{
	(void)state;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	struct run_clients set = { .ep = ep, .tag = 1ULL << 62 };
	atomic_uint count = 0;
	int peer_a, peer_b;
	struct run_client *a = pair(&peer_a, &count);
	struct run_client *b = pair(&peer_b, &count);
	snprintf(a->user, sizeof(a->user), "alice");
	snprintf(b->user, sizeof(b->user), "alice");
	runclients_adopt(&set, a);
	runclients_adopt(&set, b);
	assert_int_equal(runclients_of_user(&set, "alice"), 2);
	assert_int_equal(runclients_of_user(&set, "bob"), 0);
	runclients_step(&set, 0);
	runclients_step(&set, 0);
	struct proto_msg m;
	uint32_t st = 0;
	recv_msg(peer_a, &m);
	assert_int_equal(m.type, MSG_RUN_STATE);
	assert_int_equal(proto_get_u32(&m, TAG_RUN_STATE, &st, NULL), PROTO_OK);
	assert_int_equal(st, RUN_STATE_WAITING);
	proto_msg_free(&m);
	char byte;
	assert_int_equal(recv(peer_a, &byte, 1, MSG_DONTWAIT), -1);   /* told once */
	/* b's reader hangs up: epoll says so with no event asked for. */
	close(peer_b);
	struct epoll_event ev;
	assert_int_equal(epoll_wait(ep, &ev, 1, 1000), 1);
	assert_int_equal(ev.data.u64, set.tag | b->id);
	runclients_event(&set, ev.data.u64, ev.events);
	assert_true(b->gone);
	runclient_end(b, 0, 0, NULL);
	runclients_step(&set, 0);
	assert_int_equal(atomic_load(&count), 1);   /* b freed */
	assert_int_equal(runclients_of_user(&set, "alice"), 1);
	/* a ends: its last frame goes out, and it is freed. */
	runclient_end(a, 0, 0, NULL);
	runclients_step(&set, 0);
	assert_int_equal(atomic_load(&count), 0);   /* the end frame went out */
	assert_int_equal(runclients_next_deadline(&set, 123), 123);
	runclients_free(&set);
	close(peer_a);
	close(ep);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_arrive_in_order),
		cmocka_unit_test(test_slow_reader_loses_output_not_the_end),
		cmocka_unit_test(test_a_reader_that_left_is_gone_without_sigpipe),
		cmocka_unit_test(test_error_is_queued_then_sent),
		cmocka_unit_test(test_a_refusal_nobody_reads_holds_no_slot),
		cmocka_unit_test(test_set_tells_waiting_once_and_forgets_clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
