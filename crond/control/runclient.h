/* crond/control/runclient.h: the client of a manual run (crontab --run): the
 * stream of frames crond writes back on that client's connection.
 *
 * DESIGN: the control thread accepts the request and hands a duplicate of
 * the client's socket (non-blocking, close-on-exec) over in a run_client;
 * it travels with the request through the timer thread (which finds the
 * entry, or queues an error) to the supervisor thread, which from then on
 * is the only one to touch it: it queues frames (lib/proto_msgs.h,
 * MSG_RUN_STATE, MSG_RUN_OUTPUT, MSG_RUN_END or MSG_ERROR) and sends them
 * without ever blocking. The job never waits for the client: output frames
 * past RUNCLIENT_PENDING_MAX queued bytes are dropped and counted (the count
 * is in the last frame); the few state and end frames are always queued. A
 * client that goes away (an error on send, a hang-up) is closed and
 * forgotten; its job runs on and is recorded as usual. After the last frame
 * the client gets RUNCLIENT_LINGER_NS to read what is left, then it is
 * closed; but a run refused before it started is closed at once when its
 * client cannot take the refusal (it reads nothing: a slot would be held
 * for nothing). One owner at a time, no lock.
 */
#ifndef CROND_RUNCLIENT_H
#define CROND_RUNCLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/proto_msgs.h"
#include "spool/spool.h"

#define RUNCLIENT_PENDING_MAX (256u * 1024)         /* queued output frame bytes */
#define RUNCLIENT_CHUNK (64u * 1024)                /* output bytes per frame */
#define RUNCLIENT_LINGER_NS (10LL * 1000000000)     /* to read the rest after the end */
#define RUNCLIENT_MAX 64                            /* clients in the daemon at once */
#define RUNCLIENT_PER_USER 4                        /* of which one user's runs */
#define RUNCLIENT_ROOT_KEPT 8                       /* of which only root may take
                                                       (users colluding by 14
                                                       would hold the rest) */

struct run_client {
	struct run_client *next;      /* the supervisor's list */
	int fd;                       /* the client's socket, or -1 once gone */
	uint32_t id;                  /* the supervisor's epoll handle */
	uint32_t watched;             /* epoll events registered (supervisor) */
	bool registered;              /* in the supervisor's epoll set */
	bool adopted;                 /* the supervisor owns it (not the request) */
	bool started, told_waiting;
	bool ended;                   /* the last frame is queued */
	bool gone;                    /* the client closed or failed */
	char asker[SPOOL_NAME_MAX + 1];
	char user[SPOOL_NAME_MAX + 1];  /* whose run (set by the timer) */
	uint32_t line;
	uint8_t *buf;                 /* queued frames: buf[off..len) */
	size_t len, off, cap;
	uint64_t dropped;             /* output bytes not queued */
	int64_t linger_until_mono;    /* once ended: give up then */
	atomic_uint *count;           /* crond's count of clients, or NULL */
	atomic_uint *asker_slot;      /* the asker's place in crond's run_askers,
	                                 or NULL */
};

/* A client on FD (taken over) asking, as ASKER, for LINE. COUNT, if not
 * NULL, was incremented by the caller and is decremented by runclient_free,
 * which also frees ASKER_SLOT (set to 0) if not NULL.
 * NULL on allocation failure (FD is then still the caller's). */
struct run_client *runclient_new(int fd, const char *asker, uint32_t line, atomic_uint *count,
                                 atomic_uint *asker_slot);

/* Queues MSG_ERROR (CODE, the text) as the last frame. The last frame is
 * only queued, never sent here (runclient_flush sends it): any thread may
 * call this before the supervisor owns C. */
void runclient_error(struct run_client *c, enum msg_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Queues MSG_RUN_STATE (PID when started). */
void runclient_state(struct run_client *c, enum msg_run_state st, int pid);

/* Queues DATA as MSG_RUN_OUTPUT frames, dropping (and counting) what does
 * not fit, then sends what it can. */
void runclient_output(struct run_client *c, const void *data, size_t len);

/* Whether output queued for C now could reach it: C is not NULL, not gone,
 * has not ended, and has room in its queue. When false, a job's output
 * past its cap need not be read for C (job.c drops it unread). */
bool runclient_wants_output(const struct run_client *c);

/* Counts LEN output bytes C will not see, dropped without being queued
 * (as runclient_output counts what does not fit). */
void runclient_skipped(struct run_client *c, size_t len);

/* Queues MSG_RUN_END as the last frame: WSTATUS (a wait status), FLAGS
 * (RUNF_*), MSG (why it did not start, or NULL). */
void runclient_end(struct run_client *c, int wstatus, uint32_t flags, const char *msg);

/* Sends what is queued, never blocking; on an error other than "try
 * later" the client is gone (closed, queue dropped). */
void runclient_flush(struct run_client *c);

/* The client hung up: closes it. */
void runclient_gone(struct run_client *c);

/* Bytes queued and not yet sent. */
size_t runclient_pending(const struct run_client *c);

/* Whether the supervisor may free it: the last frame is queued and sent
 * (or the client is gone, or MONO passed the linger deadline). */
bool runclient_done(const struct run_client *c, int64_t mono);

/* Closes the socket and frees C; NULL is fine. */
void runclient_free(struct run_client *c);

/* ------------------------------------------------ the supervisor's set */

/* Every client the supervisor holds, watched in its epoll set EP under the
 * epoll tags TAG | id (TAG has a bit no job tag has). */
struct run_clients {
	struct run_client *head;
	uint32_t last_id;
	int ep;
	uint64_t tag;
};

/* Takes C over (C->adopted): it stays in SET until runclients_step finds
 * it done. Sends what it holds. */
void runclients_adopt(struct run_clients *set, struct run_client *c);

/* USER's clients whose run has not ended (waiting or running), or has
 * but who have not read all of it yet. */
size_t runclients_of_user(const struct run_clients *set, const char *user);

/* Once per supervisor loop: tells runs not started yet that they wait for
 * a slot, sends what is queued, frees the clients that are done and
 * watches the others (EPOLLOUT only while frames wait; a hang-up is
 * reported anyway). */
void runclients_step(struct run_clients *set, int64_t mono);

/* The epoll set reported EVENTS for TAG: sends, or forgets a client that
 * hung up. */
void runclients_event(struct run_clients *set, uint64_t tag, uint32_t events);

/* The earlier of NEXT and the first linger deadline (monotonic ns). */
int64_t runclients_next_deadline(const struct run_clients *set, int64_t next);

/* Frees every client (the supervisor is leaving). */
void runclients_free(struct run_clients *set);

#endif
