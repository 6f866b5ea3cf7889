/* crond/control/control_conn.h: the control thread's state and its connections
 * (internal to crond/control*.c; see the DESIGN note in control.c).
 *
 * Everything here runs on the control thread only.
 */
#ifndef CROND_CONTROL_CONN_H
#define CROND_CONTROL_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "crond/control/control.h"
#include "crond/control/control_handlers.h"

/* epoll tokens of the two fixed descriptors; a connection's token is
 * (generation << 32 | slot), generations never reaching UINT32_MAX. */
#define CONTROL_TOKEN_LISTEN UINT64_MAX
#define CONTROL_TOKEN_BOX (UINT64_MAX - 1)
/* Connections accepted per wakeup, so a flood of connects cannot starve
 * the clients already connected. */
#define CONTROL_ACCEPT_BATCH 64
/* The listening socket's backlog: the connections the kernel holds for
 * crond to accept, in order. With SOMAXCONN (4096) one user's flood of
 * connects kept thousands ahead of root's, which waited behind them for
 * seconds (a review's finding); a client finding it full waits in its
 * connect (CLIENT_CONNECT_TIMEOUT_MS) for room instead. */
#define CONTROL_BACKLOG 64
/* When accept fails for lack of descriptors or memory, stop listening for
 * this long instead of spinning on a socket that stays readable. */
#define CONTROL_ACCEPT_PAUSE_MS 100
#define CONTROL_REPLY_SHARE 4   /* one uid's replies: max_reply_bytes / this */
#define CONTROL_INFLIGHT_SHARE 4   /* one uid's requests still arriving:
                                      inflight_max / this */

struct conn;

/* Callers whose passwd entry is kept, and for how long: a flood of
 * connections from one user (each one a look-up, a read of /etc/passwd
 * with the files service) held root's request behind thousands in the
 * kernel's queue for seconds (a review's finding). A renamed or removed
 * user is seen at most that late. */
#define CONTROL_ID_CACHE 8
#define CONTROL_ID_CACHE_MS 1000

struct control {
	struct crond *c;
	struct control_ctx ctx;           /* spool connection, config copy */
	struct control_limits lim;
	int ep;                           /* epoll */
	struct conn **conns;              /* lim.max_conns slots, NULL = free */
	uint32_t n_conns;
	uint32_t gen;                     /* last connection generation */
	bool stop;                        /* CONTROL_STOP seen */
	int64_t accept_resume_ms;         /* accepting paused until; 0 = not */
	uint64_t inflight;                /* payload announced by requests
	                                     still arriving (<= inflight_max) */
	uint64_t reply_bytes;             /* output queued and not yet sent,
	                                     all connections */
	uint64_t turns;                   /* connection events served so far */
	struct {                          /* the last callers' passwd entries */
		int64_t ms;               /* when looked up; 0 = none */
		int rc;                   /* control_user_by_uid's: 0 or 1 */
		struct control_user user;
	} ids[CONTROL_ID_CACHE];
	unsigned ids_next;                /* the one to replace next */
};

/* The longest a loop pass goes on serving users' connections once one has
 * been served: the events left wait for the next pass (epoll reports them
 * again), so the listener and root's connections, which come first in
 * every pass, never wait behind more than one user's expensive request. */
#define CONTROL_PASS_BUDGET_MS 10

/* The listening socket is readable: accept what waits (at most
 * CONTROL_ACCEPT_BATCH). Returns whether one of them is root's. */
bool control_accept(struct control *ctl);

/* epoll reported EVENTS for the connection with TOKEN (ignored when that
 * connection is gone). */
void control_conn_event(struct control *ctl, uint64_t token, uint32_t events);

/* The order in which a loop pass serves the event with TOKEN, lowest
 * first: 0 for the listener, the box and root's connections (and a
 * connection gone), otherwise when its owner's last request was read (or
 * it was accepted), so that the user who waited longest goes first, and a
 * user's many connections count as one. */
uint64_t control_conn_turn(const struct control *ctl, uint64_t token);

/* Writes the requests kept in this loop pass (the at batch: one
 * transaction) and answers them. Called once per pass, after its events
 * and before the deadlines, so a kept request waits for no other event. */
void control_conns_answer_kept(struct control *ctl);

/* Closes the connections past a deadline; resumes accepting after a pause. */
void control_expire(struct control *ctl);

/* The earliest deadline (monotonic ms), or INT64_MAX when there is none. */
int64_t control_next_deadline(const struct control *ctl);

/* Closes every connection (the thread is stopping). */
void control_conns_close_all(struct control *ctl);

#endif
