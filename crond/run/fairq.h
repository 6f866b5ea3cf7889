/* crond/run/fairq.h: the runs waiting for a job slot, and which one gets the
 * next slot.
 *
 * DESIGN: supervisor thread only; no lock. Pure logic (no clock, no I/O),
 * so tests drive it directly. Nodes are embedded in the caller's structs
 * (struct run_request): queueing a run allocates nothing but, now and then,
 * a larger index of the waiting keys; a small record is allocated per user
 * while that user has runs waiting or holding slots.
 *
 * Policy (docs/ARCHITECTURE.md, "Fair slots", and crond(8), LIMITS):
 *   - two classes: SYSTEM (system crontabs and root's own runs, trusted) and
 *     USER (everyone else, one queue per user);
 *   - `max_jobs` slots in all; `reserved` of them only the system class may
 *     take, so users together hold at most max_jobs - reserved;
 *   - one user holds at most `per_user` slots at once;
 *   - when a slot frees, a waiting system run takes it first; otherwise the
 *     users with runs waiting and below their share are served round-robin,
 *     one run each per round, oldest run first within a user;
 *   - waiting is bounded: one waiting run per key (a later run of an entry
 *     still waiting is coalesced into it, as cron would), `waiting_per_user`
 *     runs per user, and `max_waiting` in all, of which users together may
 *     fill all but an eighth (FAIRQ_SYSTEM_WAIT_DIV), kept for the system.
 * A user's run therefore starts as soon as it is due unless that user is at
 * its share, or the user slots are all held, which takes at least
 * (max_jobs - reserved) / per_user users at their share at the same time.
 */
#ifndef CROND_FAIRQ_H
#define CROND_FAIRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/config.h"

#define FAIRQ_SYSTEM_WAIT_DIV 8   /* the last 1/8 of max_waiting is the system's */

enum fairq_class { FAIRQ_USER, FAIRQ_SYSTEM };

struct fairq_limits {
	uint32_t max_jobs;          /* slots in all (>= 1) */
	uint32_t reserved;          /* slots only the system class may take (< max_jobs) */
	uint32_t per_user;          /* slots one user may hold at once (>= 1) */
	uint32_t waiting_per_user;  /* runs one user may have waiting (>= 1) */
	uint32_t max_waiting;       /* runs waiting in all (>= 1) */
};

struct fairq_user;

/* Embedded in the caller's struct; every field is private to fairq. */
struct fairq_node {
	struct fairq_node *next;
	struct fairq_user *owner;   /* while waiting or holding a slot */
	const char *key;            /* coalescing key, or NULL */
	uint64_t key_hash;
	bool waiting, holds_slot;
};

/* The outcome of fairq_push. */
enum fairq_verdict {
	FAIRQ_QUEUED,      /* waiting for a slot */
	FAIRQ_COALESCED,   /* refused: a run with the same key is already waiting */
	FAIRQ_USER_FULL,   /* refused: the user has waiting_per_user runs waiting */
	FAIRQ_FULL,        /* refused: max_waiting runs are waiting */
	FAIRQ_NOMEM,       /* refused: no memory for the user's record */
};

struct fairq_user {
	struct fairq_user *prev, *next;   /* ring of user-class users */
	enum fairq_class cls;
	uint64_t hash;
	struct fairq_node *head, *tail;   /* waiting, oldest first */
	size_t n_waiting, running;
	char name[];
};

/* The waiting nodes that have a key, by (owner, key): open addressing with
 * linear probing, at most half full, so that coalescing costs one lookup
 * however many runs wait (a burst of 10,000 due at once made the scan of
 * the waiting list quadratic: 10^8 comparisons before the last was queued). */
struct fairq_keys {
	struct fairq_node **slot;
	size_t cap, used;                 /* cap: 0 or a power of two */
};

struct fairq {
	struct fairq_limits lim;
	struct fairq_keys keys;
	struct fairq_user *cursor;        /* the next user to serve; NULL: no user */
	size_t n_users;
	struct fairq_user *system;        /* the system class's one queue */
	size_t waiting, running, user_running;
};

/* An empty queue under LIM (see fairq_limits_check). 0, or -1 on allocation
 * failure. */
int fairq_init(struct fairq *q, const struct fairq_limits *lim);

/* Frees the per-user records. Nodes still queued are forgotten, not freed:
 * take them first (fairq_take_if). */
void fairq_free(struct fairq *q);

/* The limits a configuration asks for, "auto" values (0) resolved:
 *   reserved = reserved_jobs, or max_jobs / 8 (at least 1);
 *   per_user = max_jobs_per_user, or (max_jobs - reserved) / 4 (at least 1);
 * both clamped so that users keep one slot and, with max_jobs >= 2, the
 * system keeps one. */
void fairq_limits_from_config(const struct config *cfg, struct fairq_limits *out);

/* New limits for the next decisions; runs already holding slots keep them. */
void fairq_set_limits(struct fairq *q, const struct fairq_limits *lim);

/* Queues NODE for USER (copied) of class CLS, coalescing on KEY (not copied:
 * it must live as long as the node; NULL: never coalesced). Returns
 * FAIRQ_QUEUED, or why NODE was refused (it is then still the caller's). */
enum fairq_verdict fairq_push(struct fairq *q, struct fairq_node *node, const char *user,
                              enum fairq_class cls, const char *key);

/* The waiting node that takes the next free slot (it then holds the slot
 * until fairq_release), or NULL when no waiting node may start now. */
struct fairq_node *fairq_pop(struct fairq *q);

/* NODE's slot is free again (its job ended, or it did not start after
 * all). Does nothing for a node that holds no slot. */
void fairq_release(struct fairq *q, struct fairq_node *node);

/* Removes every waiting node that PRED accepts (all of them when PRED is
 * NULL) and returns them linked through ->next, oldest first per user. */
struct fairq_node *fairq_take_if(struct fairq *q, bool (*pred)(const struct fairq_node *n,
                                                                void *ctx),
                                 void *ctx);

/* Runs waiting, and slots held. */
size_t fairq_waiting(const struct fairq *q);
size_t fairq_running(const struct fairq *q);
/* Slots held and runs waiting for USER of class CLS (0 if unknown). */
size_t fairq_user_running(const struct fairq *q, const char *user, enum fairq_class cls);
size_t fairq_user_waiting(const struct fairq *q, const char *user, enum fairq_class cls);

/* Checks every internal invariant (counts, rings, one waiting node per key);
 * false with WHY filled on the first that fails. For tests. */
bool fairq_check(const struct fairq *q, char *why, size_t len);

/* A short name for a refusal, for log lines and history. */
const char *fairq_verdict_name(enum fairq_verdict v);

#endif
