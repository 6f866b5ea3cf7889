/* crond/run/fairq.c: fair sharing of job slots (see fairq.h).
 *
 * Users with anything waiting or running sit in a ring; the cursor names
 * the user served next, so a user served moves to the back of the round.
 * Finding a user is a scan of the ring (users with work right now, not
 * every user of the machine) comparing hashes first. Coalescing looks the
 * key up in one index of every waiting key (struct fairq_keys).
 */
#include "crond/run/fairq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fnv.h"

/* ---- the index of waiting keys ---- */

static size_t key_slot_of(const struct fairq_keys *k, const struct fairq_user *u, uint64_t h)
{
	uint64_t x = h ^ ((uint64_t)(uintptr_t)u * 0x9e3779b97f4a7c15ull);
	x ^= x >> 29;
	return (size_t)x & (k->cap - 1);
}

static bool key_matches(const struct fairq_node *n, const struct fairq_user *u, const char *key,
                        uint64_t h)
{
	return n->owner == u && n->key_hash == h && strcmp(n->key, key) == 0;
}

static struct fairq_node *keys_find(const struct fairq_keys *k, const struct fairq_user *u,
                                    const char *key, uint64_t h)
{
	if (k->cap == 0)
		return NULL;
	for (size_t i = key_slot_of(k, u, h);; i = (i + 1) & (k->cap - 1)) {
		struct fairq_node *n = k->slot[i];
		if (!n)
			return NULL;
		if (key_matches(n, u, key, h))
			return n;
	}
}

static void keys_put(struct fairq_keys *k, struct fairq_node *node)
{
	size_t i = key_slot_of(k, node->owner, node->key_hash);
	while (k->slot[i])
		i = (i + 1) & (k->cap - 1);
	k->slot[i] = node;
	k->used++;
}

/* Room for one more key (the table at most half full); -1 when out of memory. */
static int keys_reserve(struct fairq_keys *k)
{
	if ((k->used + 1) * 2 <= k->cap)
		return 0;
	size_t cap = k->cap ? k->cap * 2 : 64;
	struct fairq_node **slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	struct fairq_keys grown = { slot, cap, 0 };
	for (size_t i = 0; i < k->cap; i++)
		if (k->slot[i])
			keys_put(&grown, k->slot[i]);
	free(k->slot);
	*k = grown;
	return 0;
}

/* Removes NODE (which must be in the index), shifting back the nodes after
 * it in its run so that every lookup still finds them. */
static void keys_del(struct fairq_keys *k, const struct fairq_node *node)
{
	size_t mask = k->cap - 1, i = key_slot_of(k, node->owner, node->key_hash);
	while (k->slot[i] != node)
		i = (i + 1) & mask;
	k->slot[i] = NULL;
	k->used--;
	for (size_t j = (i + 1) & mask; k->slot[j]; j = (j + 1) & mask) {
		size_t home = key_slot_of(k, k->slot[j]->owner, k->slot[j]->key_hash);
		/* J's node may move to the hole at I unless its home lies
		 * cyclically in (I, J] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			k->slot[i] = k->slot[j];
			k->slot[j] = NULL;
			i = j;
		}
	}
}

/* NODE stops waiting: out of the index (while its owner is still set).
 * An index left empty after a burst is given back. */
static void unindex(struct fairq *q, const struct fairq_node *node)
{
	if (!node->key)
		return;
	keys_del(&q->keys, node);
	if (q->keys.used == 0 && q->keys.cap > 64) {
		free(q->keys.slot);
		q->keys = (struct fairq_keys){ 0 };
	}
}

static struct fairq_user *user_new(enum fairq_class cls, const char *name)
{
	size_t len = strlen(name);
	struct fairq_user *u = calloc(1, sizeof(*u) + len + 1);
	if (!u)
		return NULL;
	u->cls = cls;
	u->hash = fnv1a_str(name);
	memcpy(u->name, name, len + 1);
	return u;
}

int fairq_init(struct fairq *q, const struct fairq_limits *lim)
{
	*q = (struct fairq){ 0 };
	q->system = user_new(FAIRQ_SYSTEM, "*system*");
	if (!q->system)
		return -1;
	fairq_set_limits(q, lim);
	return 0;
}

void fairq_free(struct fairq *q)
{
	while (q->cursor) {
		struct fairq_user *u = q->cursor;
		q->cursor = u->next == u ? NULL : u->next;
		u->prev->next = u->next;
		u->next->prev = u->prev;
		free(u);
	}
	free(q->system);
	free(q->keys.slot);
	*q = (struct fairq){ 0 };
}

void fairq_limits_from_config(const struct config *cfg, struct fairq_limits *out)
{
	uint32_t max = cfg->max_jobs ? cfg->max_jobs : 1;
	uint32_t reserved = cfg->reserved_jobs ? cfg->reserved_jobs : max / 8;
	if (reserved < 1)
		reserved = 1;
	if (reserved > max - 1)
		reserved = max - 1;   /* users keep one slot (none reserved if max is 1) */
	uint32_t user_slots = max - reserved;
	uint32_t per_user = cfg->max_jobs_per_user ? cfg->max_jobs_per_user : user_slots / 4;
	if (per_user < 1)
		per_user = 1;
	if (per_user > user_slots)
		per_user = user_slots;
	*out = (struct fairq_limits){
		.max_jobs = max,
		.reserved = reserved,
		.per_user = per_user,
		.waiting_per_user = cfg->max_waiting_per_user ? cfg->max_waiting_per_user : 1,
		.max_waiting = cfg->max_waiting ? cfg->max_waiting : 1,
	};
}

void fairq_set_limits(struct fairq *q, const struct fairq_limits *lim)
{
	q->lim = *lim;
	if (q->lim.max_jobs < 1)
		q->lim.max_jobs = 1;
	if (q->lim.reserved >= q->lim.max_jobs)
		q->lim.reserved = q->lim.max_jobs - 1;
	if (q->lim.per_user < 1)
		q->lim.per_user = 1;
	if (q->lim.waiting_per_user < 1)
		q->lim.waiting_per_user = 1;
	if (q->lim.max_waiting < 1)
		q->lim.max_waiting = 1;
}

static struct fairq_user *find_user(const struct fairq *q, const char *name, uint64_t h)
{
	struct fairq_user *u = q->cursor;
	for (size_t i = 0; u && i < q->n_users; i++, u = u->next)
		if (u->hash == h && strcmp(u->name, name) == 0)
			return u;
	return NULL;
}

/* The user-class record of NAME, added to the ring (behind the cursor: a
 * newcomer is served after everyone already waiting in this round). */
static struct fairq_user *get_user(struct fairq *q, const char *name)
{
	uint64_t h = fnv1a_str(name);
	struct fairq_user *u = find_user(q, name, h);
	if (u)
		return u;
	u = user_new(FAIRQ_USER, name);
	if (!u)
		return NULL;
	if (!q->cursor) {
		u->prev = u->next = u;
		q->cursor = u;
	} else {
		u->next = q->cursor;
		u->prev = q->cursor->prev;
		u->prev->next = u;
		q->cursor->prev = u;
	}
	q->n_users++;
	return u;
}

/* Forgets U once it has nothing waiting or running. */
static void maybe_drop_user(struct fairq *q, struct fairq_user *u)
{
	if (u->cls == FAIRQ_SYSTEM || u->n_waiting || u->running)
		return;
	if (u->next == u) {
		q->cursor = NULL;
	} else {
		if (q->cursor == u)
			q->cursor = u->next;
		u->prev->next = u->next;
		u->next->prev = u->prev;
	}
	q->n_users--;
	free(u);
}

enum fairq_verdict fairq_push(struct fairq *q, struct fairq_node *node, const char *user,
                              enum fairq_class cls, const char *key)
{
	struct fairq_user *u = cls == FAIRQ_SYSTEM ? q->system : get_user(q, user);
	if (!u)
		return FAIRQ_NOMEM;
	uint64_t h = key ? fnv1a_str(key) : 0;
	size_t limit = q->lim.max_waiting;
	if (cls == FAIRQ_USER)
		limit -= limit / FAIRQ_SYSTEM_WAIT_DIV;
	enum fairq_verdict v = FAIRQ_QUEUED;
	if (key && keys_find(&q->keys, u, key, h))
		v = FAIRQ_COALESCED;
	else if (cls == FAIRQ_USER && u->n_waiting >= q->lim.waiting_per_user)
		v = FAIRQ_USER_FULL;
	else if (q->waiting >= limit)
		v = FAIRQ_FULL;
	else if (key && keys_reserve(&q->keys) < 0)
		v = FAIRQ_NOMEM;
	if (v != FAIRQ_QUEUED) {
		maybe_drop_user(q, u);
		return v;
	}
	*node = (struct fairq_node){ .owner = u, .key = key, .key_hash = h, .waiting = true };
	if (key)
		keys_put(&q->keys, node);
	if (u->tail)
		u->tail->next = node;
	else
		u->head = node;
	u->tail = node;
	u->n_waiting++;
	q->waiting++;
	return FAIRQ_QUEUED;
}

static struct fairq_node *take_head(struct fairq *q, struct fairq_user *u)
{
	struct fairq_node *n = u->head;
	unindex(q, n);
	u->head = n->next;
	if (!u->head)
		u->tail = NULL;
	u->n_waiting--;
	q->waiting--;
	n->next = NULL;
	n->waiting = false;
	n->holds_slot = true;
	u->running++;
	q->running++;
	if (u->cls == FAIRQ_USER)
		q->user_running++;
	return n;
}

struct fairq_node *fairq_pop(struct fairq *q)
{
	if (q->running >= q->lim.max_jobs)
		return NULL;
	if (q->system->head)
		return take_head(q, q->system);
	if (q->user_running >= q->lim.max_jobs - q->lim.reserved)
		return NULL;
	struct fairq_user *u = q->cursor;
	for (size_t i = 0; u && i < q->n_users; i++, u = u->next) {
		if (u->head && u->running < q->lim.per_user) {
			q->cursor = u->next;
			return take_head(q, u);
		}
	}
	return NULL;
}

void fairq_release(struct fairq *q, struct fairq_node *node)
{
	if (!node->holds_slot)
		return;
	struct fairq_user *u = node->owner;
	node->holds_slot = false;
	node->owner = NULL;
	u->running--;
	q->running--;
	if (u->cls == FAIRQ_USER)
		q->user_running--;
	maybe_drop_user(q, u);
}

/* Moves U's waiting nodes that PRED accepts onto *TAIL. */
static void take_from(struct fairq *q, struct fairq_user *u,
                      bool (*pred)(const struct fairq_node *, void *), void *ctx,
                      struct fairq_node ***tail)
{
	struct fairq_node **p = &u->head, *last = NULL;
	while (*p) {
		struct fairq_node *n = *p;
		if (pred && !pred(n, ctx)) {
			last = n;
			p = &n->next;
			continue;
		}
		unindex(q, n);
		*p = n->next;
		n->next = NULL;
		n->waiting = false;
		n->owner = NULL;
		u->n_waiting--;
		q->waiting--;
		**tail = n;
		*tail = &n->next;
	}
	u->tail = last;
}

struct fairq_node *fairq_take_if(struct fairq *q, bool (*pred)(const struct fairq_node *n,
                                                                void *ctx),
                                 void *ctx)
{
	struct fairq_node *list = NULL, **tail = &list;
	take_from(q, q->system, pred, ctx, &tail);
	size_t n = q->n_users;
	struct fairq_user *u = q->cursor;
	for (size_t i = 0; i < n && u; i++) {
		struct fairq_user *next = u->next;
		take_from(q, u, pred, ctx, &tail);
		maybe_drop_user(q, u);   /* may change the cursor; NEXT stays valid */
		u = next;
	}
	return list;
}

size_t fairq_waiting(const struct fairq *q)
{
	return q->waiting;
}

size_t fairq_running(const struct fairq *q)
{
	return q->running;
}

static const struct fairq_user *lookup(const struct fairq *q, const char *user,
                                       enum fairq_class cls)
{
	return cls == FAIRQ_SYSTEM ? q->system : find_user(q, user, fnv1a_str(user));
}

size_t fairq_user_running(const struct fairq *q, const char *user, enum fairq_class cls)
{
	const struct fairq_user *u = lookup(q, user, cls);
	return u ? u->running : 0;
}

size_t fairq_user_waiting(const struct fairq *q, const char *user, enum fairq_class cls)
{
	const struct fairq_user *u = lookup(q, user, cls);
	return u ? u->n_waiting : 0;
}

#define CHECK(cond, ...)                               \
	do {                                           \
		if (!(cond)) {                         \
			snprintf(why, len, __VA_ARGS__); \
			return false;                  \
		}                                      \
	} while (0)

/* Checks U's waiting list; adds its keyed nodes to *KEYED. */
static bool check_user(const struct fairq *q, const struct fairq_user *u, size_t *keyed,
                       char *why, size_t len)
{
	size_t n = 0;
	const struct fairq_node *last = NULL;
	for (const struct fairq_node *a = u->head; a; a = a->next, n++) {
		CHECK(a->owner == u && a->waiting && !a->holds_slot, "%s: node state", u->name);
		/* The index finds one node per key: a key waiting twice
		 * fails here for the second node. */
		if (a->key) {
			CHECK(keys_find(&q->keys, u, a->key, a->key_hash) == a,
			      "%s: key %s waits twice or is not in the index", u->name, a->key);
			(*keyed)++;
		}
		last = a;
	}
	CHECK(n == u->n_waiting, "%s: %zu waiting, counted %zu", u->name, u->n_waiting, n);
	CHECK(u->tail == last, "%s: tail", u->name);
	return true;
}

bool fairq_check(const struct fairq *q, char *why, size_t len)
{
	size_t keyed = 0;
	if (!check_user(q, q->system, &keyed, why, len))
		return false;
	size_t waiting = q->system->n_waiting, running = q->system->running, user_running = 0, n = 0;
	const struct fairq_user *u = q->cursor;
	for (; u && n < q->n_users + 1; u = u->next) {
		CHECK(u->next->prev == u && u->prev->next == u, "ring links at %s", u->name);
		CHECK(u->cls == FAIRQ_USER, "%s: class", u->name);
		CHECK(u->n_waiting || u->running, "%s: idle user kept", u->name);
		if (!check_user(q, u, &keyed, why, len))
			return false;
		waiting += u->n_waiting;
		user_running += u->running;
		n++;
		if (u->next == q->cursor)
			break;
	}
	CHECK(n == q->n_users, "%zu users in the ring, counted %zu", q->n_users, n);
	CHECK(keyed == q->keys.used, "%zu keys in the index, %zu keyed nodes waiting", q->keys.used,
	      keyed);
	CHECK(waiting == q->waiting, "%zu waiting, counted %zu", q->waiting, waiting);
	CHECK(user_running == q->user_running, "%zu user slots, counted %zu", q->user_running,
	      user_running);
	CHECK(running + user_running == q->running, "%zu slots, counted %zu", q->running,
	      running + user_running);
	CHECK(q->waiting <= q->lim.max_waiting || q->lim.max_waiting == 0, "over max_waiting");
	return true;
}

const char *fairq_verdict_name(enum fairq_verdict v)
{
	switch (v) {
	case FAIRQ_QUEUED: return "queued";
	case FAIRQ_COALESCED: return "coalesced";
	case FAIRQ_USER_FULL: return "queue full";
	case FAIRQ_FULL: return "queue full";
	case FAIRQ_NOMEM: return "out of memory";
	}
	return "?";
}
