/* crond/control/control.h: the control thread: the Unix socket the CLIs talk to.
 *
 * One thread serves every client (crontab, at, atq, atrm...) over the
 * socket named by the configuration key `socket`: it learns each caller's
 * uid from SO_PEERCRED, answers the requests of lib/proto_msgs.h against the
 * spool, and tells the timer thread about every change (crond/sched/timer.h).
 * Nothing a client sends can crash or block the daemon or other clients:
 * requests are bounded, each connection has deadlines, the number of
 * connections is capped in all, per uid (max_conns_per_user) with slots
 * kept for root, and so are the bytes of replies waiting to be read
 * (max_reply_bytes): the limits below and in crond.conf.
 *
 * Life cycle, all called from main's thread:
 *   control_open   at start-up, before the threads: create the socket;
 *   control_start  start the thread (it takes over the socket);
 *   control_stop   stop the thread, close and unlink the socket.
 * control_close alone closes and unlinks the socket when the thread never
 * started (start-up failed half-way).
 */
#ifndef CROND_CONTROL_H
#define CROND_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/crond.h"
#include "crond/mailbox.h"

struct spool;

/* Connections served at once; more are accepted, told "too many
 * connections" (a FATAL reply) and closed at once. */
#define CONTROL_MAX_CONNS 256
/* Of those, the last ones only root may take: root always gets in while
 * the total is under CONTROL_MAX_CONNS, whatever other users hold. Each
 * other uid may hold max_conns_per_user (crond.conf); uids without a
 * passwd entry share one such allowance. */
#define CONTROL_ROOT_RESERVED 16
/* A request must arrive in full within this time of its first byte. */
#define CONTROL_REQUEST_MS 10000
/* A connection with nothing to read or write is closed after this. */
#define CONTROL_IDLE_MS 30000
/* A reply must drain within this time of being queued. */
#define CONTROL_DRAIN_MS 10000
/* How long a FATAL reply (bad request) may take to drain before the close. */
#define CONTROL_FATAL_LINGER_MS 1000
/* A missing full-disk reserve (spool.h) is made again at most this often. */
#define CONTROL_RESERVE_RETRY_MS 60000
/* Largest request payload: a 1 MiB crontab, or a 1 MiB at script with its
 * 256 KiB environment, fit with room to spare. Larger is refused from the
 * header alone. */
#define CONTROL_MAX_REQUEST (2u * 1024 * 1024)
/* Payload bytes announced by requests still arriving, all connections
 * together: past it a new large request is refused ("crond is busy"), so
 * stalled clients cannot make crond hold max_conns * CONTROL_MAX_REQUEST. */
#define CONTROL_INFLIGHT_MAX (64u * 1024 * 1024)

/* The limits above as values, so a test can shorten them. */
struct control_limits {
	uint32_t max_conns;     /* 1 - CONTROL_MAX_CONNS */
	uint32_t root_reserved; /* 0 - max_conns / 2 */
	int request_ms;
	int idle_ms;
	int drain_ms;
	int linger_ms;
	uint32_t max_request;   /* 1 - CONTROL_MAX_REQUEST */
	uint32_t inflight_max;  /* 1 - CONTROL_INFLIGHT_MAX */
	int reserve_retry_ms;   /* 1 - CONTROL_RESERVE_RETRY_MS */
};

/* Items of c->control_box. The poster keeps ownership: the item must stay
 * valid until control_stop returns (control_stop posts one from its own
 * stack). The thread never frees them. */
enum control_msg_kind {
	CONTROL_STOP,           /* leave the thread */
};

struct control_msg {
	struct mailbox_item link;
	enum control_msg_kind kind;
};

/* The production limits (the CONTROL_* constants). */
void control_default_limits(struct control_limits *out);

/* Creates the listening socket at c->cfg.socket (SOCK_CLOEXEC |
 * SOCK_NONBLOCK, mode 0666) and stores it in c->listen_fd. A stale socket
 * file at the path is removed first; anything else there (a regular file, a
 * directory, a symlink) is refused and left alone. Returns 0, or -1 with a
 * one-line message in ERR (c->listen_fd stays -1). */
int control_open(struct crond *c, char *err, size_t errlen);

/* Opens the thread's own spool connection (c->cfg.spool), then starts the
 * control thread with the production limits, or with LIMITS (tests; values
 * out of range are clamped). Needs control_open first. Returns 0, or -1
 * (logged; nothing started, the socket stays open: control_close it). */
int control_start(struct crond *c);
int control_start_limits(struct crond *c, const struct control_limits *limits);
/* As control_start, but the thread takes over SP (a connection to
 * c->cfg.spool that nobody else uses any more: main's, once start-up has
 * loaded) instead of opening one of its own; SP is the thread's in every
 * case (closed here on failure). Saves start-up a connection's set-up
 * (schema parse, WAL attach). */
int control_start_with(struct crond *c, struct spool *sp);

/* Stops the thread (posts CONTROL_STOP to c->control_box and joins it; the
 * thread closes every client connection and its spool connection), then
 * control_close. Only after control_start succeeded. */
void control_stop(struct crond *c);

/* Closes c->listen_fd (if open) and unlinks the socket file it is bound to,
 * if that is still a socket. Sets c->listen_fd to -1. */
void control_close(struct crond *c);

#endif
