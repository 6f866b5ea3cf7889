/* crond/control/control_conn.c: the control thread's connections: accept, read a
 * request, answer it, drain the reply, enforce the deadlines (see the
 * DESIGN note in control.c and the caller's duties in lib/proto_server.h).
 *
 * A connection is in one of three states, which decide what epoll watches
 * (level-triggered) and which deadline applies:
 *   reading   (no output pending)  EPOLLIN;  idle or mid-request deadline
 *   writing   (reply pending)      EPOLLOUT; drain deadline
 *   closing   (FATAL pending)      EPOLLOUT; linger deadline, then close
 * A request is read only in the reading state, so a client that does not
 * read its replies stops being read (back-pressure) and costs at most one
 * reply of memory; all such replies together are charged to
 * ctl->reply_bytes (from queueing until fully sent), which the request
 * handlers hold under max_reply_bytes. A new connection is identified and
 * admitted (total, root's reserve, per uid) before it takes a slot. Runs
 * on the control thread only.
 */
#include "crond/control/control_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crond/log.h"
#include "lib/peercred.h"
#include "lib/proto_server.h"

struct conn {
	int fd;
	uint32_t slot;
	uint32_t gen;
	struct control_peer peer;
	struct proto_reader rd;
	struct proto_writer wr;
	int64_t active_ms;      /* accepted, or last reply drained */
	int64_t msg_ms;         /* first byte of the request being read, or -1 */
	int64_t out_ms;         /* when the pending output was queued, or -1 */
	uint32_t reserved;      /* this request's share of ctl->inflight */
	size_t reply_charge;    /* pending output's share of ctl->reply_bytes */
	bool closing;           /* a FATAL reply is queued: no more requests */
	bool deferred;          /* its request waits in the at batch: nothing
	                           is read or sent until control_at_flush
	                           answers it, later in the same loop pass */
	uint32_t events;        /* what epoll watches now */
	uint64_t turn;          /* ctl->turns when its owner's last request
	                           was read (or it was accepted): served() */
};

static uint64_t token_of(const struct conn *k)
{
	return (uint64_t)k->gen << 32 | k->slot;
}

/* The request being read is complete or abandoned: give its share back. */
static void conn_release(struct control *ctl, struct conn *k)
{
	ctl->inflight -= k->reserved;
	k->reserved = 0;
}

/* The pending output drained or is dropped: give its share back. */
static void conn_uncharge(struct control *ctl, struct conn *k)
{
	ctl->reply_bytes -= k->reply_charge;
	k->reply_charge = 0;
}

static void conn_close(struct control *ctl, struct conn *k)
{
	conn_release(ctl, k);
	conn_uncharge(ctl, k);
	(void)epoll_ctl(ctl->ep, EPOLL_CTL_DEL, k->fd, NULL);
	close(k->fd);
	proto_reader_free(&k->rd);
	proto_writer_free(&k->wr);
	ctl->conns[k->slot] = NULL;
	ctl->n_conns--;
	free(k);
}

/* One best-effort FATAL on a socket about to be closed (never blocks). */
static void send_fatal_now(int fd, const char *text)
{
	struct proto_buf b = { 0 };
	if (proto_build_fatal(&b, text) == PROTO_OK)
		(void)send(fd, b.data, b.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	proto_buf_free(&b);
}

/* Watch what K's state needs; false if K was closed (nothing left to do,
 * or epoll refused). */
static bool conn_watch(struct control *ctl, struct conn *k)
{
	bool pending = proto_writer_pending(&k->wr) > 0;
	if (k->closing && !pending) {
		conn_close(ctl, k);
		return false;
	}
	uint32_t want = pending ? EPOLLOUT : EPOLLIN;
	if (want == k->events)
		return true;
	struct epoll_event ev = { .events = want, .data.u64 = token_of(k) };
	if (epoll_ctl(ctl->ep, EPOLL_CTL_MOD, k->fd, &ev) < 0) {
		log_msg(LOG_ERR, "control: epoll: %s", strerror(errno));
		conn_close(ctl, k);
		return false;
	}
	k->events = want;
	return true;
}

/* Sends what K has pending; false if K was closed. */
static bool conn_flush(struct control *ctl, struct conn *k, int64_t now)
{
	struct proto_error err = { 0 };
	switch (proto_writer_flush(&k->wr, k->fd, &err)) {
	case PROTO_WR_DONE:
		k->out_ms = -1;
		k->active_ms = now;
		conn_uncharge(ctl, k);
		return true;
	case PROTO_WR_AGAIN:
		return true;
	case PROTO_WR_ERROR:
		break;
	}
	log_msg(LOG_DEBUG, "control: uid %u pid %d: %s", (unsigned)k->peer.user.uid,
	        (int)k->peer.pid, err.msg);
	conn_close(ctl, k);
	return false;
}

/* Queues B (consumed) and starts sending it; false if K was closed. */
static bool conn_send(struct control *ctl, struct conn *k, struct proto_buf *b, int64_t now)
{
	struct proto_error err = { 0 };
	size_t len = b->failed == PROTO_OK ? b->len : 0;
	if (proto_writer_queue(&k->wr, b, &err) != PROTO_OK) {
		log_msg(LOG_ERR, "control: uid %u pid %d: %s", (unsigned)k->peer.user.uid,
		        (int)k->peer.pid, err.msg);
		conn_close(ctl, k);
		return false;
	}
	k->reply_charge += len;
	ctl->reply_bytes += len;
	if (k->out_ms < 0)
		k->out_ms = now;
	return conn_flush(ctl, k, now);
}

/* Tells the client TEXT in a FATAL reply, then closes once it drained (or
 * the linger deadline passed). False if K was closed already. */
static bool conn_fatal(struct control *ctl, struct conn *k, const char *text, int64_t now)
{
	struct proto_buf b = { 0 };
	(void)proto_build_fatal(&b, text);
	k->closing = true;
	return conn_send(ctl, k, &b, now);
}

/* The reader failed with ERR: close, telling the client why when it
 * should hear it. */
static bool conn_fail(struct control *ctl, struct conn *k, const struct proto_error *err,
                      int64_t now)
{
	bool reply = proto_error_wants_reply(err->code);
	conn_release(ctl, k);
	if (err->code != PROTO_E_EOF)
		control_log_user(&ctl->ctx.rl_proto, k->peer.user.name,
		                 reply ? LOG_NOTICE : LOG_INFO, "control: uid %u pid %d: %s",
		                 (unsigned)k->peer.user.uid, (int)k->peer.pid, err->msg);
	if (!reply) {
		conn_close(ctl, k);
		return false;
	}
	return conn_fatal(ctl, k, err->msg, now);
}

/* Reply bytes queued for UID's connections and not yet sent. */
static uint64_t reply_bytes_of(const struct control *ctl, uid_t uid)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++)
		if (ctl->conns[i] && ctl->conns[i]->peer.user.uid == uid)
			n += ctl->conns[i]->reply_charge;
	return n;
}

/* How large a reply UID may have now. Root may have any; anyone else what
 * is left of max_reply_bytes, and of their own share of it (a
 * CONTROL_REPLY_SHARE-th), so that one user's clients that do not read
 * cannot take every other user's replies. Anyone with nothing waiting in
 * the budget (or in their share) may have any reply: so a budget smaller
 * than one reply still lets every reply out in turn. */
static size_t reply_room(const struct control *ctl, uid_t uid)
{
	if (uid == 0)
		return SIZE_MAX;
	uint64_t cap = ctl->ctx.cfg.max_reply_bytes, share = cap / CONTROL_REPLY_SHARE;
	uint64_t all = ctl->reply_bytes, mine = all ? reply_bytes_of(ctl, uid) : 0;
	uint64_t room = UINT64_MAX;
	if (all > 0)
		room = all < cap ? cap - all : 0;
	if (mine > 0 && (mine < share ? share - mine : 0) < room)
		room = mine < share ? share - mine : 0;
	return room > SIZE_MAX ? SIZE_MAX : (size_t)room;
}

/* Answers MSG (consumed); false if K was closed. */
static bool conn_request(struct control *ctl, struct conn *k, struct proto_msg *msg)
{
	struct proto_buf reply;
	int64_t start = control_mono_ms();
	control_config_refresh(&ctl->ctx);
	size_t room = reply_room(ctl, k->peer.user.uid);
	ctl->ctx.token = token_of(k);
	ctl->ctx.conn_fd = k->fd;
	ctl->ctx.handed_off = false;
	control_handle(&ctl->ctx, &k->peer, msg, room, &reply);
	control_keep_reserve(&ctl->ctx);
	int64_t now = control_mono_ms();
	if (now - start > CONTROL_SLOW_MS)   /* a slow disk makes every request one */
		control_log_user(&ctl->ctx.rl_slow, k->peer.user.name, LOG_WARNING,
		                 "control: request type %u from uid %u took %lld ms", (unsigned)msg->type,
		                 (unsigned)k->peer.user.uid, (long long)(now - start));
	proto_msg_free(msg);
	if (ctl->ctx.handed_off) {      /* another thread answers on its copy */
		proto_buf_free(&reply);
		conn_close(ctl, k);
		return false;
	}
	k->active_ms = now;
	if (ctl->ctx.deferred) {
		k->deferred = true;                 /* control_conns_answer_kept */
		return true;
	}
	return conn_send(ctl, k, &reply, now);
}

/* control_answer_fn: the reply to K's kept request. */
static void conn_answer(void *arg, uint64_t token, struct proto_buf *reply)
{
	struct control *ctl = arg;
	uint32_t slot = (uint32_t)token;
	struct conn *k = slot < ctl->lim.max_conns ? ctl->conns[slot] : NULL;
	if (k == NULL || k->gen != (uint32_t)(token >> 32) || !k->deferred) {
		proto_buf_free(reply);
		return;
	}
	k->deferred = false;
	if (reply->data == NULL || reply->failed != PROTO_OK) {
		log_msg(LOG_ERR, "control: a kept reply to uid %u could not be built (%s)",
		        (unsigned)k->peer.user.uid, proto_code_name(reply->failed));
		control_reply_error(reply, MSGE_INTERNAL, "crond could not build the reply (%s)",
		                    proto_code_name(reply->failed));
	}
	int64_t now = control_mono_ms();
	k->active_ms = now;
	if (conn_send(ctl, k, reply, now))
		(void)conn_watch(ctl, k);
}

void control_conns_answer_kept(struct control *ctl)
{
	control_at_flush(&ctl->ctx, conn_answer, ctl);
}

/* Whether two callers share a per-user allowance: the same uid, or both
 * without a passwd entry (a range of subordinate uids is one owner's). */
static bool same_bucket(const struct control_peer *a, const struct control_peer *b)
{
	if (!a->known || !b->known)
		return a->known == b->known;
	return a->user.uid == b->user.uid;
}

/* What PEER's bucket (its uid, or every uid without a passwd entry) has
 * reserved for requests still arriving. */
static uint64_t inflight_of(const struct control *ctl, const struct control_peer *peer)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++)
		if (ctl->conns[i] && same_bucket(&ctl->conns[i]->peer, peer))
			n += ctl->conns[i]->reserved;
	return n;
}

/* Why a LEN-byte request from K's caller may not be read now (with the
 * bytes already held in *HELD), or NULL. Root's
 * always may (root holds at most the reserved slots). Anyone else's not
 * past the in-flight budget, nor past their bucket's share of it (a
 * CONTROL_INFLIGHT_SHARE-th) once they have something arriving: so
 * stalled senders of one user (or of a range of subordinate uids) cannot
 * take the budget from everyone else, and a first request of any size
 * still gets in. */
static const char *inflight_refusal(const struct control *ctl, const struct conn *k,
                                    uint32_t len, uint64_t *held)
{
	*held = ctl->inflight;
	if (k->peer.user.uid == 0)
		return NULL;
	if (ctl->inflight + len > ctl->lim.inflight_max)
		return "requests already arriving";
	uint64_t mine = ctl->inflight > 0 ? inflight_of(ctl, &k->peer) : 0;
	*held = mine;
	if (mine > 0 && mine + len > ctl->lim.inflight_max / CONTROL_INFLIGHT_SHARE)
		return "the caller's own requests already arriving";
	return NULL;
}

/* A request's header has arrived and its payload is still coming: count
 * the announced length against the in-flight budget, or refuse it. False
 * if K was closed. */
static bool conn_reserve(struct control *ctl, struct conn *k, int64_t now)
{
	if (k->reserved > 0 || k->rd.hdr_have < PROTO_HEADER_SIZE)
		return true;
	uint32_t len = k->rd.h.len;
	uint64_t held = 0;
	const char *why = inflight_refusal(ctl, k, len, &held);
	if (why != NULL) {
		control_log_user(&ctl->ctx.rl_conn, k->peer.user.name, LOG_WARNING,
		                 "control: uid %u pid %d: %u-byte request refused: %llu bytes of %s",
		                 (unsigned)k->peer.user.uid, (int)k->peer.pid, (unsigned)len,
		                 (unsigned long long)held, why);
		return conn_fatal(ctl, k, "crond is busy with other large requests; try again",
		                  now);
	}
	k->reserved = len;
	ctl->inflight += len;
	return true;
}

/* Reads what K has sent; false if K was closed. */
static bool conn_read(struct control *ctl, struct conn *k, int64_t now)
{
	struct proto_msg msg = { 0 };
	struct proto_error err = { 0 };
	switch (proto_reader_feed(&k->rd, k->fd, &msg, &err)) {
	case PROTO_RD_NEED_MORE:
		if (proto_reader_in_message(&k->rd) && k->msg_ms < 0)
			k->msg_ms = now;
		return conn_reserve(ctl, k, now);
	case PROTO_RD_COMPLETE:
		k->msg_ms = -1;
		conn_release(ctl, k);
		return conn_request(ctl, k, &msg);
	case PROTO_RD_ERROR:
		break;
	}
	return conn_fail(ctl, k, &err, now);
}

/* K's request is read (and served): K and every other connection of its
 * owner go to the back of the order (control_conn_turn), so that a user's
 * many connections take one turn between other users' requests, not one
 * each. */
static void served(struct control *ctl, struct conn *k)
{
	uint64_t turn = ++ctl->turns;
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++) {
		struct conn *o = ctl->conns[i];
		if (o != NULL && same_bucket(&o->peer, &k->peer))
			o->turn = turn;
	}
}

void control_conn_event(struct control *ctl, uint64_t token, uint32_t events)
{
	uint32_t slot = (uint32_t)token;
	if (slot >= ctl->lim.max_conns)
		return;
	struct conn *k = ctl->conns[slot];
	if (k == NULL || k->gen != (uint32_t)(token >> 32))
		return;                             /* closed earlier in this batch */
	if (k->deferred)
		return;                             /* answered at the end of the pass */
	int64_t now = control_mono_ms();
	if (proto_writer_pending(&k->wr) > 0) {
		if (!conn_flush(ctl, k, now))       /* a flush keeps its place */
			return;
	} else if (!k->closing && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		served(ctl, k);
		if (!conn_read(ctl, k, now))
			return;
	}
	(void)conn_watch(ctl, k);
}

uint64_t control_conn_turn(const struct control *ctl, uint64_t token)
{
	uint32_t slot = (uint32_t)token;
	if (slot >= ctl->lim.max_conns)
		return 0;                           /* the listener or the box */
	const struct conn *k = ctl->conns[slot];
	if (k == NULL || k->gen != (uint32_t)(token >> 32) || k->peer.user.uid == 0)
		return 0;
	return k->turn;
}

/* ------------------------------------------------------------ accept */

/* Who is calling: the kernel's uid, and its passwd entry when it has one.
 * A failed lookup (the directory service down: every connection fails so)
 * is logged through rl_conn's limit for the uid. */
static void identify(struct control *ctl, struct control_peer *peer, const struct peercred *cred,
                     int64_t now)
{
	peer->pid = cred->pid;
	peer->gid = cred->gid;
	int rc = -1;
	for (unsigned i = 0; i < CONTROL_ID_CACHE && rc < 0; i++)
		if (ctl->ids[i].ms != 0 && ctl->ids[i].user.uid == cred->uid &&
		    now - ctl->ids[i].ms < CONTROL_ID_CACHE_MS) {
			rc = ctl->ids[i].rc;
			peer->user = ctl->ids[i].user;
		}
	if (rc < 0) {
		rc = control_user_by_uid(cred->uid, &peer->user);
		if (rc >= 0) {   /* an error is looked up again */
			unsigned i = ctl->ids_next++ % CONTROL_ID_CACHE;
			ctl->ids[i].ms = now > 0 ? now : 1;
			ctl->ids[i].rc = rc;
			ctl->ids[i].user = rc == 0 ? peer->user : (struct control_user){ .uid = cred->uid };
		}
	}
	peer->known = rc == 0;
	if (rc != 0) {
		int e = errno;
		peer->user.uid = cred->uid;
		peer->user.gid = cred->gid;
		snprintf(peer->user.name, sizeof(peer->user.name), "#%u", (unsigned)cred->uid);
		if (rc < 0)
			control_log_user(&ctl->ctx.rl_conn, peer->user.name, LOG_ERR,
			                 "control: cannot look up uid %u: %s", (unsigned)cred->uid,
			                 strerror(e));
	}
}

static uint32_t bucket_count(const struct control *ctl, const struct control_peer *peer)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++)
		n += ctl->conns[i] != NULL && same_bucket(&ctl->conns[i]->peer, peer);
	return n;
}

/* Whether PEER may have a slot now: true, or false with TEXT (for the
 * client) and the refusal logged. */
static bool admit(struct control *ctl, const struct control_peer *peer, char *text,
                  size_t len)
{
	uint32_t max = ctl->lim.max_conns;
	uint32_t users_max = max - ctl->lim.root_reserved;
	uint32_t per_user = ctl->ctx.cfg.max_conns_per_user;
	const char *who = peer->user.name;
	if (ctl->n_conns >= max) {
		snprintf(text, len, "too many connections to crond (limit %u); try again",
		         (unsigned)max);
		control_log_refusal(&ctl->ctx.rl_conn, who, "connection: all %u slots taken",
		                    (unsigned)max);
		return false;
	}
	if (peer->user.uid == 0)
		return true;
	if (ctl->n_conns >= users_max) {
		snprintf(text, len, "too many connections to crond: the last %u of %u are "
		         "kept for root; try again", (unsigned)(max - users_max), (unsigned)max);
		control_log_refusal(&ctl->ctx.rl_conn, who, "connection: %u slots taken, the "
		                    "other %u are kept for root", (unsigned)users_max,
		                    (unsigned)(max - users_max));
		return false;
	}
	uint32_t mine = bucket_count(ctl, peer);
	if (mine < per_user)
		return true;
	if (peer->known)
		snprintf(text, len, "too many connections to crond from uid %u (%u open, limit "
		         "max_conns_per_user = %u); close some and try again",
		         (unsigned)peer->user.uid, (unsigned)mine, (unsigned)per_user);
	else
		snprintf(text, len, "too many connections to crond from uids without a passwd "
		         "entry (%u open, limit max_conns_per_user = %u)", (unsigned)mine,
		         (unsigned)per_user);
	control_log_refusal(&ctl->ctx.rl_conn, who, "connection: %u open%s, limit "
	                    "max_conns_per_user = %u", (unsigned)mine,
	                    peer->known ? "" : " from uids without a passwd entry",
	                    (unsigned)per_user);
	return false;
}

static uint32_t free_slot(const struct control *ctl)
{
	uint32_t i = 0;
	while (i < ctl->lim.max_conns && ctl->conns[i] != NULL)
		i++;
	return i;
}

/* Serves a new connection FD: identified first, then given a slot if the
 * limits allow, else told why and closed. Returns whether it is root's and
 * was admitted. */
static bool conn_new(struct control *ctl, int fd, int64_t now)
{
	struct peercred cred;
	char msg[256];
	if (peercred_get(fd, &cred, msg, sizeof(msg)) < 0) {
		control_log_limited(&ctl->ctx.rl_accept, LOG_WARNING, "control: %s", msg);
		send_fatal_now(fd, "crond cannot tell who you are");
		close(fd);
		return false;
	}
	struct control_peer peer = { 0 };
	identify(ctl, &peer, &cred, now);
	if (!admit(ctl, &peer, msg, sizeof(msg))) {
		send_fatal_now(fd, msg);
		close(fd);
		return false;
	}
	struct conn *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		log_msg(LOG_ERR, "control: out of memory for a connection");
		send_fatal_now(fd, "crond is out of memory");
		close(fd);
		return false;
	}
	*k = (struct conn){ .fd = fd, .slot = free_slot(ctl), .peer = peer, .active_ms = now,
	                    .msg_ms = -1, .out_ms = -1, .events = EPOLLIN,
	                    .turn = ++ctl->turns };
	ctl->gen = ctl->gen + 1 >= UINT32_MAX ? 1 : ctl->gen + 1;
	k->gen = ctl->gen;
	proto_reader_init(&k->rd, ctl->lim.max_request);
	proto_writer_init(&k->wr);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = token_of(k) };
	if (epoll_ctl(ctl->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_msg(LOG_ERR, "control: epoll: %s", strerror(errno));
		close(fd);
		free(k);
		return false;
	}
	ctl->conns[k->slot] = k;
	ctl->n_conns++;
	log_msg(LOG_DEBUG, "control: connection from uid %u pid %d", (unsigned)cred.uid,
	        (int)cred.pid);
	return k->peer.user.uid == 0;
}

static void listen_events(struct control *ctl, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = CONTROL_TOKEN_LISTEN };
	if (epoll_ctl(ctl->ep, EPOLL_CTL_MOD, ctl->c->listen_fd, &ev) < 0)
		log_msg(LOG_ERR, "control: epoll: %s", strerror(errno));
}

bool control_accept(struct control *ctl)
{
	bool root = false;
	int64_t now = control_mono_ms();
	control_config_refresh(&ctl->ctx);
	for (int i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
		int fd = accept4(ctl->c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0 && errno == EAGAIN)
			return root;
		if (fd < 0) {
			control_log_limited(&ctl->ctx.rl_accept, LOG_WARNING,
			                    "control: accept: %s (pausing %d ms)", strerror(errno),
			                    CONTROL_ACCEPT_PAUSE_MS);
			listen_events(ctl, 0);
			ctl->accept_resume_ms = now + CONTROL_ACCEPT_PAUSE_MS;
			return root;
		}
		root = conn_new(ctl, fd, now) || root;
	}
	return root;
}

/* ------------------------------------------------------------ deadlines */

static int64_t conn_deadline(const struct control *ctl, const struct conn *k)
{
	if (proto_writer_pending(&k->wr) > 0)
		return k->out_ms + (k->closing ? ctl->lim.linger_ms : ctl->lim.drain_ms);
	if (proto_reader_in_message(&k->rd) && k->msg_ms >= 0)
		return k->msg_ms + ctl->lim.request_ms;
	return k->active_ms + ctl->lim.idle_ms;
}

static void conn_expire(struct control *ctl, struct conn *k)
{
	char text[128];
	int prio = LOG_NOTICE;
	if (proto_writer_pending(&k->wr) > 0)
		snprintf(text, sizeof(text), "%s not read within %d ms",
		         k->closing ? "error reply" : "reply",
		         k->closing ? ctl->lim.linger_ms : ctl->lim.drain_ms);
	else if (proto_reader_in_message(&k->rd)) {
		snprintf(text, sizeof(text), "request not completed within %d ms",
		         ctl->lim.request_ms);
		send_fatal_now(k->fd, text);
	} else {
		snprintf(text, sizeof(text), "connection idle for %d ms", ctl->lim.idle_ms);
		send_fatal_now(k->fd, text);
		prio = LOG_DEBUG;
	}
	if (prio == LOG_DEBUG)
		log_msg(prio, "control: uid %u pid %d: %s, closing", (unsigned)k->peer.user.uid,
		        (int)k->peer.pid, text);
	else
		control_log_user(&ctl->ctx.rl_proto, k->peer.user.name, prio,
		                 "control: uid %u pid %d: %s, closing", (unsigned)k->peer.user.uid,
		                 (int)k->peer.pid, text);
	conn_close(ctl, k);
}

void control_expire(struct control *ctl)
{
	int64_t now = control_mono_ms();
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++)
		if (ctl->conns[i] != NULL && conn_deadline(ctl, ctl->conns[i]) <= now)
			conn_expire(ctl, ctl->conns[i]);
	if (ctl->accept_resume_ms != 0 && now >= ctl->accept_resume_ms) {
		ctl->accept_resume_ms = 0;
		listen_events(ctl, EPOLLIN);
	}
}

int64_t control_next_deadline(const struct control *ctl)
{
	int64_t next = ctl->accept_resume_ms != 0 ? ctl->accept_resume_ms : INT64_MAX;
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++) {
		if (ctl->conns[i] == NULL)
			continue;
		int64_t d = conn_deadline(ctl, ctl->conns[i]);
		if (d < next)
			next = d;
	}
	return next;
}

void control_conns_close_all(struct control *ctl)
{
	for (uint32_t i = 0; i < ctl->lim.max_conns; i++)
		if (ctl->conns[i] != NULL)
			conn_close(ctl, ctl->conns[i]);
}
