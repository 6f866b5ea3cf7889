/* crond/control/control.c: the control thread's life cycle and its event loop.
 *
 * DESIGN
 * Thread: one control thread, started by control_start, serves every
 * client. It sleeps in epoll_wait on the listening socket, the control_box
 * eventfd and the client connections (level-triggered), with a timeout at
 * the earliest connection deadline; nothing wakes it while nobody talks.
 *
 * Owns (no lock needed, nobody else touches them): the epoll descriptor,
 * the connections (struct conn: socket, peer credentials, a non-blocking
 * proto_reader and proto_writer from lib/proto_server.h, deadlines), its
 * own spool connection and its copy of the configuration (refreshed when
 * c->cfg_gen moves). The listening socket is created by control_open before
 * the threads start, used only by this thread while it runs, and closed by
 * control_stop after the join.
 *
 * Talks to others: it changes the schedule only by posting to the timer
 * thread (timer_post_*, crond/sched/timer.h) after the spool write is durable.
 * Others talk to it only through c->control_box (struct control_msg):
 * control_stop posts CONTROL_STOP from its own stack and joins.
 *
 * One request at a time: a request is handled to the end (spool writes
 * included) before the next event, but for at submissions (group commit):
 * those are checked when they arrive, kept, and written together in one
 * transaction (one fsync) once the events of the loop pass are handled;
 * each is answered only then, when it is durable. A lone submission waits
 * for nothing (its pass ends with it); submissions arriving while the
 * thread writes share the next pass's write. At most CONTROL_AT_BATCH_MAX
 * wait (more are written one by one); a connection whose request waits is
 * neither read nor written until it is answered. Clients cannot stall it: reads and
 * writes never block, a connection reads its next request only once its
 * reply has drained (back-pressure), and each connection has deadlines:
 *   mid-request: the whole request within limits.request_ms of its first
 *                byte, else dropped (a stalled client holds only its slot);
 *   idle:        closed after limits.idle_ms without a request;
 *   output:      a reply must drain within limits.drain_ms, a FATAL one
 *                within limits.linger_ms.
 * Garbage, another protocol version or an oversized request (refused from
 * its header alone) gets a FATAL reply, then the connection is closed.
 * Memory: a request's buffer grows with the bytes that arrive, up to
 * limits.max_request; the payload announced by all requests still arriving
 * is capped by limits.inflight_max, and one uid's (the uids without a
 * passwd entry together) by a CONTROL_INFLIGHT_SHARE-th of it once one of
 * theirs is arriving (past either a large request is refused as "busy";
 * root's never), so stalled clients cannot pin max_conns full-size
 * buffers, nor two users the whole budget.
 * Replies waiting to be read are capped likewise (max_reply_bytes in
 * crond.conf): a reply over CONTROL_REPLY_SMALL to a request that only
 * reads is refused as "busy" when it would pass the cap, so clients that
 * never read cannot pin max_conns large replies. The request is refused
 * rather than held until there is room: holding it would keep its buffer
 * and slot for as long as the non-readers please. Root's replies always
 * go out (root holds at most the reserved slots' worth).
 * Slots: the caller is identified (SO_PEERCRED, then passwd) right after
 * accept, before it gets a slot. Past limits.max_conns everyone is told
 * "too many connections"; past max_conns - root_reserved everyone but
 * root; past max_conns_per_user connections of its uid (uids without a
 * passwd entry count as one), a caller other than root. Each refusal is a
 * FATAL reply and a close at once, and a rate-limited log line. Spool
 * writes can wait for the spool's lock (a few seconds at worst): the one
 * cost clients share.
 *
 * Full disk: removals retry once after releasing the spool's full-disk
 * reserve (spool.h); the reserve is made at start and again after
 * requests while it is missing (control_limits.c).
 */
#include "crond/control/control.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "crond/control/control_conn.h"
#include "crond/control/listenfd.h"
#include "crond/log.h"

/* ------------------------------------------------------------ socket */

void control_default_limits(struct control_limits *out)
{
	*out = (struct control_limits){
		.max_conns = CONTROL_MAX_CONNS,
		.root_reserved = CONTROL_ROOT_RESERVED,
		.request_ms = CONTROL_REQUEST_MS,
		.idle_ms = CONTROL_IDLE_MS,
		.drain_ms = CONTROL_DRAIN_MS,
		.linger_ms = CONTROL_FATAL_LINGER_MS,
		.max_request = CONTROL_MAX_REQUEST,
		.inflight_max = CONTROL_INFLIGHT_MAX,
		.reserve_retry_ms = CONTROL_RESERVE_RETRY_MS,
	};
}

/* Is a daemon accepting connections on the socket at ADDR? A socket that
 * takes connections but whose listener is gone is not: a crond killed
 * just after it started a job leaves the listening descriptor in that
 * child until the child closes crond's descriptors (runner.h), a few
 * milliseconds on a busy machine, and a crond restarted then refused to
 * start ("another daemon is listening"; a crash test's finding: 10 of 400
 * restarts within 50 ms of a kill). SO_PEERCRED names the process that
 * called listen(); only when it is known to be gone is the socket stale
 * (the caller holds the pidfile's lock: no crond of this configuration
 * runs). */
static bool socket_alive(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	int rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	bool alive = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
	if (rc == 0) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0 &&
		    kill(cred.pid, 0) < 0 && errno == ESRCH)
			alive = false;
	}
	close(fd);
	return alive;
}

/* Clears the way for bind: nothing at the path, or a stale socket (removed).
 * Anything else is refused. */
static int clear_path(const struct sockaddr_un *addr, char *err, size_t errlen)
{
	const char *path = addr->sun_path;
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; not removing it", path);
		return -1;
	}
	if (socket_alive(addr)) {
		snprintf(err, errlen, "another daemon is listening on %s", path);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale socket %s: %s", path,
		         strerror(errno));
		return -1;
	}
	return 0;
}

int control_open(struct crond *c, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	pthread_mutex_lock(&c->cfg_lock);
	size_t len = strlen(c->cfg.socket);
	bool fits = len > 0 && len < sizeof(addr.sun_path);
	if (fits)
		memcpy(addr.sun_path, c->cfg.socket, len + 1);
	pthread_mutex_unlock(&c->cfg_lock);
	c->listen_fd = -1;
	if (!fits) {
		snprintf(err, errlen, "socket path is empty or longer than %zu bytes",
		         sizeof(addr.sun_path) - 1);
		return -1;
	}
	/* Socket activation: systemd holds the socket; crond only serves it. */
	int passed = listenfd_from_systemd(addr.sun_path, err, errlen);
	if (passed != LISTENFD_NONE) {
		c->listen_fd = passed;
		c->listen_passed = passed >= 0;
		/* systemd's Backlog= (crond.socket sets it): listen again sets
		 * ours on a unit that does not; failing, it keeps the unit's */
		if (passed >= 0)
			(void)listen(passed, CONTROL_BACKLOG);
		return passed >= 0 ? 0 : -1;
	}
	if (clear_path(&addr, err, errlen) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	const char *what = "create a socket for";
	if (fd >= 0) {
		what = "bind";
		/* The socket is made 0666 (everyone may ask; SO_PEERCRED says
		 * who) by the umask of its bind, not by a chmod of its name
		 * after, which would follow a link planted there in between.
		 * Only main runs yet, so the process-wide umask is ours. */
		mode_t old_mask = umask(0111);
		int bound = bind(fd, (const struct sockaddr *)&addr, sizeof(addr));
		umask(old_mask);
		if (bound == 0) {
			what = "listen on";
			if (listen(fd, CONTROL_BACKLOG) == 0) {
				c->listen_fd = fd;
				return 0;
			}
			int e = errno;
			unlink(addr.sun_path);
			errno = e;
		}
	}
	snprintf(err, errlen, "cannot %s %s: %s", what, addr.sun_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void control_close(struct crond *c)
{
	if (c->listen_fd < 0)
		return;
	struct sockaddr_un addr = { 0 };
	socklen_t alen = sizeof(addr);
	bool named = !c->listen_passed &&   /* systemd's socket stays for the next crond */
	             getsockname(c->listen_fd, (struct sockaddr *)&addr, &alen) == 0 &&
	             alen > offsetof(struct sockaddr_un, sun_path) && addr.sun_path[0] != '\0';
	addr.sun_path[sizeof(addr.sun_path) - 1] = '\0';
	if (close(c->listen_fd) < 0)
		log_msg(LOG_WARNING, "control: closing the socket: %s", strerror(errno));
	c->listen_fd = -1;
	struct stat st;
	if (named && lstat(addr.sun_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    unlink(addr.sun_path) < 0)
		log_msg(LOG_WARNING, "control: cannot remove %s: %s", addr.sun_path,
		        strerror(errno));
}

/* ------------------------------------------------------------ thread */

static int64_t deadline_timeout(const struct control *ctl, int64_t now)
{
	int64_t next = control_next_deadline(ctl);
	if (next == INT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : next - now;
}

static void take_box(struct control *ctl)
{
	/* Items belong to their posters: read them, never free them. */
	for (struct mailbox_item *it = mailbox_take_all(&ctl->c->control_box); it != NULL;) {
		struct mailbox_item *next = it->next;
		const struct control_msg *m = (const struct control_msg *)(const void *)it;
		if (m->kind == CONTROL_STOP)
			ctl->stop = true;
		it = next;
	}
}

/* Events taken from one epoll_wait: every connection's and the two fixed
 * descriptors', so that root's are always among them (were there fewer
 * than the connections ready, root's could come a few passes later, each
 * serving a user's request). */
#define CONTROL_EVENTS_MAX (CONTROL_MAX_CONNS + 2)

struct ranked_event {
	uint64_t turn;                     /* control_conn_turn */
	struct epoll_event ev;
};

static int by_turn(const void *a, const void *b)
{
	uint64_t x = ((const struct ranked_event *)a)->turn;
	uint64_t y = ((const struct ranked_event *)b)->turn;
	return (x > y) - (x < y);
}

/* Serves one pass's events: the listener, the box and root's connections
 * first, then users' connections, the user served longest ago first, for
 * at most CONTROL_PASS_BUDGET_MS once one has been served, and none when
 * root has just connected (its request comes first in the next pass). A
 * user's expensive request (a --status of thousands of entries) then
 * delays root by itself alone, not by every request that happened to be
 * ready in the same pass; and a user whose client keeps sending cannot
 * stay ahead of the others. */
static void serve_events(struct control *ctl, const struct epoll_event *evs, int n)
{
	struct ranked_event ranked[CONTROL_EVENTS_MAX];
	for (int i = 0; i < n; i++)
		ranked[i] = (struct ranked_event){ control_conn_turn(ctl, evs[i].data.u64), evs[i] };
	qsort(ranked, (size_t)n, sizeof(ranked[0]), by_turn);
	int64_t start = control_mono_ms();
	bool served_user = false;
	bool root_came = false;   /* root connected: its request, not users', next */
	for (int i = 0; i < n; i++) {
		uint64_t token = ranked[i].ev.data.u64;
		if (token == CONTROL_TOKEN_BOX) {
			take_box(ctl);
		} else if (token == CONTROL_TOKEN_LISTEN) {
			root_came = control_accept(ctl);
		} else {
			if (ranked[i].turn != 0) {
				if (root_came ||
				    (served_user && control_mono_ms() - start >= CONTROL_PASS_BUDGET_MS))
					return;             /* the rest are reported again */
				served_user = true;
			}
			control_conn_event(ctl, token, ranked[i].ev.events);
		}
	}
}

static void *control_main(void *arg)
{
	struct control *ctl = arg;
	struct epoll_event evs[CONTROL_EVENTS_MAX];
	while (!ctl->stop) {
		int n = epoll_wait(ctl->ep, evs, CONTROL_EVENTS_MAX,
		                   (int)deadline_timeout(ctl, control_mono_ms()));
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "control: epoll_wait: %s", strerror(errno));
			struct timespec pause = { 0, 100 * 1000 * 1000 };
			nanosleep(&pause, NULL);       /* never spin on a broken poll */
		}
		if (n > 0)
			serve_events(ctl, evs, n);
		control_conns_answer_kept(ctl);
		control_expire(ctl);
	}
	control_conns_close_all(ctl);
	close(ctl->ep);
	spool_close(ctl->ctx.sp);
	control_at_batch_free(ctl->ctx.at_batch);
	free(ctl->conns);
	free(ctl);
	return NULL;
}

static int watch(int ep, int fd, uint64_t token)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = token };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void clamp_limits(struct control_limits *l)
{
	if (l->max_conns < 1 || l->max_conns > CONTROL_MAX_CONNS)
		l->max_conns = CONTROL_MAX_CONNS;
	if (l->root_reserved > l->max_conns / 2)
		l->root_reserved = l->max_conns / 2;
	if (l->request_ms < 1 || l->request_ms > CONTROL_REQUEST_MS)
		l->request_ms = CONTROL_REQUEST_MS;
	if (l->idle_ms < 1 || l->idle_ms > CONTROL_IDLE_MS)
		l->idle_ms = CONTROL_IDLE_MS;
	if (l->drain_ms < 1 || l->drain_ms > CONTROL_DRAIN_MS)
		l->drain_ms = CONTROL_DRAIN_MS;
	if (l->linger_ms < 1 || l->linger_ms > CONTROL_FATAL_LINGER_MS)
		l->linger_ms = CONTROL_FATAL_LINGER_MS;
	if (l->max_request < 1 || l->max_request > CONTROL_MAX_REQUEST)
		l->max_request = CONTROL_MAX_REQUEST;
	if (l->inflight_max < 1 || l->inflight_max > CONTROL_INFLIGHT_MAX)
		l->inflight_max = CONTROL_INFLIGHT_MAX;
	if (l->reserve_retry_ms < 1 || l->reserve_retry_ms > CONTROL_RESERVE_RETRY_MS)
		l->reserve_retry_ms = CONTROL_RESERVE_RETRY_MS;
}

/* The thread's state, with its spool connection and epoll set. */
static struct control *control_new(struct crond *c, const struct control_limits *limits,
                                   struct spool *sp)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		spool_close(sp);
		return NULL;
	}
	ctl->c = c;
	ctl->ctx.sp = sp;
	ctl->ctx.c = c;
	ctl->lim = *limits;
	clamp_limits(&ctl->lim);
	ctl->ep = -1;
	ctl->ctx.cfg_gen = crond_config_copy(c, &ctl->ctx.cfg);
	ctl->conns = calloc(ctl->lim.max_conns, sizeof(*ctl->conns));
	ctl->ctx.at_batch = control_at_batch_new();
	struct spool_err err;
	if (ctl->conns == NULL || ctl->ctx.at_batch == NULL) {
		log_msg(LOG_ERR, "control: out of memory");
	} else if (ctl->ctx.sp == NULL &&
	           crond_spool_open(c, ctl->ctx.cfg.spool, 0, &ctl->ctx.sp, &err) != SPOOL_OK) {
		log_msg(LOG_ERR, "control: cannot open the spool: %s", err.msg);
	} else if ((ctl->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	           watch(ctl->ep, c->listen_fd, CONTROL_TOKEN_LISTEN) < 0 ||
	           watch(ctl->ep, c->control_box.efd, CONTROL_TOKEN_BOX) < 0) {
		log_msg(LOG_ERR, "control: epoll: %s", strerror(errno));
	} else {
		ctl->ctx.reserve_every_ms = ctl->lim.reserve_retry_ms;
		ctl->ctx.reserve_missing = true;           /* make it now */
		control_keep_reserve(&ctl->ctx);
		return ctl;
	}
	if (ctl->ep >= 0)
		close(ctl->ep);
	spool_close(ctl->ctx.sp);
	control_at_batch_free(ctl->ctx.at_batch);
	free(ctl->conns);
	free(ctl);
	return NULL;
}

static int start_thread(struct crond *c, const struct control_limits *limits,
                        struct spool *sp)
{
	if (c->listen_fd < 0) {
		log_msg(LOG_ERR, "control: no socket (control_open first)");
		spool_close(sp);
		return -1;
	}
	struct control *ctl = control_new(c, limits, sp);
	if (ctl == NULL)
		return -1;
	int rc = pthread_create(&c->control_thread, NULL, control_main, ctl);
	if (rc != 0) {
		log_msg(LOG_ERR, "control: cannot start the thread: %s", strerror(rc));
		close(ctl->ep);
		spool_close(ctl->ctx.sp);
		control_at_batch_free(ctl->ctx.at_batch);
		free(ctl->conns);
		free(ctl);
		return -1;
	}
	return 0;
}

int control_start_limits(struct crond *c, const struct control_limits *limits)
{
	return start_thread(c, limits, NULL);
}

int control_start(struct crond *c)
{
	struct control_limits lim;
	control_default_limits(&lim);
	return start_thread(c, &lim, NULL);
}

int control_start_with(struct crond *c, struct spool *sp)
{
	struct control_limits lim;
	control_default_limits(&lim);
	return start_thread(c, &lim, sp);
}

void control_stop(struct crond *c)
{
	struct control_msg stop = { .kind = CONTROL_STOP };
	mailbox_post(&c->control_box, &stop.link);
	int rc = pthread_join(c->control_thread, NULL);
	if (rc != 0)
		log_msg(LOG_ERR, "control: cannot join the thread: %s", strerror(rc));
	/* The thread is gone: nothing may point at our stack item any more. */
	(void)mailbox_take_all(&c->control_box);
	control_close(c);
}
