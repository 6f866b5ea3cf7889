/* crond/sched/timer.h: the timer thread: sleeps until the next run, wakes the
 * supervisor with what is due.
 *
 * DESIGN: the timer thread owns the scheduler (crond/sched/scheduler.h) and the
 * inotify watch on the system crontabs. It sleeps in poll() on a timerfd
 * armed at the earliest due instant (CLOCK_REALTIME, absolute, with
 * TFD_TIMER_CANCEL_ON_SET so a clock change wakes it at once), its mailbox's
 * eventfd and the inotify descriptor. Nothing wakes it while nothing is due.
 * Other threads change the schedule only by posting struct timer_msg.
 */
#ifndef CROND_TIMER_H
#define CROND_TIMER_H

#include <stdint.h>

#include "crond/crond.h"
#include "crond/cluster/resync.h"
#include "lib/crontab.h"

enum timer_msg_kind {
	TIMER_SET_CRONTAB,      /* owner's crontab changed: tab holds it */
	TIMER_REMOVE_CRONTAB,   /* owner's crontab was removed */
	TIMER_AT_ADD,           /* at job queued (or to retry later) */
	TIMER_AT_REMOVE,        /* at job removed */
	TIMER_RELOAD,           /* SIGHUP: re-read the system crontabs */
	TIMER_STATUS,           /* SIGUSR1: log a status line */
	TIMER_STOP,             /* leave the thread */
	TIMER_RUN,              /* crontab --run: run source's entry at line now */
	TIMER_AT_MARK,          /* cluster: about to list the waiting at jobs */
	TIMER_AT_SYNC,          /* cluster: these are the waiting at jobs */
};

struct run_client;

struct timer_msg {
	struct mailbox_item link;
	enum timer_msg_kind kind;
	char *owner;             /* TIMER_SET_CRONTAB, TIMER_REMOVE_CRONTAB */
	struct crontab tab;      /* TIMER_SET_CRONTAB: moved in */
	int64_t generation;      /* TIMER_SET_CRONTAB, TIMER_REMOVE_CRONTAB: the
	                            change's spool generation, or 0 (crond/cluster/resync.h) */
	bool by_root;            /* TIMER_SET_CRONTAB, TIMER_REMOVE_CRONTAB: root
	                            asked for it: never held, and what its owner
	                            had held goes (crond/sched/timer_hold.h) */
	struct resync_at *at_list; /* TIMER_AT_SYNC: moved in */
	size_t n_at;
	int64_t at_id;           /* TIMER_AT_* */
	uint32_t at_uid;         /* TIMER_AT_ADD: the job's owner */
	char queue;              /* TIMER_AT_ADD */
	int64_t run_at;          /* TIMER_AT_ADD */
	char *source;            /* TIMER_RUN: "user:NAME" or a system crontab's path */
	uint32_t line;           /* TIMER_RUN */
	struct run_client *client; /* TIMER_RUN: moved in (freed with the message
	                              unless passed on) */
};

/* Posting helpers: any thread. They never fail (an allocation failure is
 * logged and the message is dropped: the next reload repairs the schedule). */
/* GENERATION: the change's spool generation (a repeat or an older change
 * than the last applied for OWNER is ignored: crond/cluster/resync.h), or 0.
 * BY_ROOT: root asked for it here (struct timer_msg). */
void timer_post_crontab(struct crond *c, const char *owner, struct crontab *tab,
                        int64_t generation, bool by_root);
void timer_post_remove_crontab(struct crond *c, const char *owner, int64_t generation,
                               bool by_root);
void timer_post_at_add(struct crond *c, int64_t id, char queue, uint32_t uid, int64_t run_at);
void timer_post_at_remove(struct crond *c, int64_t id);
void timer_post(struct crond *c, enum timer_msg_kind kind);
/* Cluster: the N waiting at jobs LIST (moved in, freed with free()), after
 * a TIMER_AT_MARK posted before LIST was read (crond/cluster/resync.h). */
void timer_post_at_sync(struct crond *c, struct resync_at *list, size_t n);
/* crontab --run: the timer finds entry LINE of SOURCE and hands a manual
 * run (crond/run/runreq.h) to the supervisor, or CLIENT's error. CLIENT is
 * moved in (freed, which closes it, if the message cannot be built). */
void timer_post_run(struct crond *c, const char *source, uint32_t line,
                    struct run_client *client);

/* Starts the timer thread, which takes over c->sched and c->syscron (both
 * loaded by main; set to NULL here on success). 0 or -1 (logged; then main
 * still owns them). The thread frees its own state when it stops; main
 * joins it and then frees the scheduler it kept a pointer to. */
int timer_start(struct crond *c);

#endif
