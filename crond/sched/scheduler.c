/* crond/sched/scheduler.c: the schedule (see scheduler.h).
 *
 * DESIGN: timer thread only; no locks. Three tables: sources (an array of
 * pointers with stable indexes, holes reused), slots (what each heap id
 * means: an entry of a source, or an at job) and the heap itself. An at
 * job's slot is found from its id through an idmap. Zones named by CRON_TZ
 * are loaded once and kept for the scheduler's life.
 */
#include "crond/sched/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/sched/heap.h"
#include "crond/run/idmap.h"
#include "lib/fnv.h"
#include "lib/nextrun.h"

enum slot_kind { SLOT_FREE, SLOT_CRON, SLOT_AT };

struct slot {
	uint8_t kind;
	char queue;          /* SLOT_AT */
	uint32_t source;     /* SLOT_CRON: index in sources; SLOT_FREE: next free */
	uint32_t entry;      /* SLOT_CRON */
	uint32_t at_uid;     /* SLOT_AT: the owner (in padding: the slot stays 24 bytes) */
	int64_t at_id;       /* SLOT_AT */
};

_Static_assert(sizeof(struct slot) <= 24, "a slot per entry: keep it small");

/* A CRON_TZ zone loaded once for every source that names it, freed when
 * the last such source goes (a user installing crontab after crontab with
 * new zone names used to leave every one loaded for good, each lookup
 * comparing against all of them). */
struct zone_entry {
	struct zone_entry *next;     /* hash chain */
	uint64_t hash;
	size_t refs;                 /* options blocks of sources that use it */
	struct tz *zone;
	char name[];
};

#define ZONE_BUCKETS 256

struct scheduler {
	const struct tz *local;
	double random_factor;
	struct sched_source **sources;
	size_t n_sources, cap_sources;
	struct slot *slots;
	size_t n_slots, cap_slots;
	uint32_t free_slot;          /* head of the free list, or UINT32_MAX */
	struct heap heap;
	struct idmap at_slots;       /* at job id -> slot */
	struct zone_entry *zones[ZONE_BUCKETS];
	size_t n_entries;
	uint8_t secret[CRONTAB_SECRET_LEN];   /* for the '~' picks; zeros until set */
	uint64_t cancelled;          /* entries cancelled by replace or remove */
	uint64_t dropped;            /* entries let go by replace or remove */
};

#define NO_SLOT UINT32_MAX

static uint64_t entry_hash(const struct crontab_entry *e);

/* A missed run older than this is not caught up (beyond any Vixie rule). */
#define MAX_CATCHUP_NORMAL (6 * 60)
#define MAX_CATCHUP_FORWARD (181 * 60)

struct scheduler *scheduler_new(const struct tz *local, double random_factor)
{
	struct scheduler *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->local = local;
	s->random_factor = random_factor < 0 || random_factor >= 1 ? 0 : random_factor;
	s->free_slot = NO_SLOT;
	heap_init(&s->heap);
	idmap_init(&s->at_slots);
	return s;
}

static void zone_release(struct scheduler *s, struct zone_entry *z)
{
	if (!z || --z->refs > 0)
		return;
	struct zone_entry **p = &s->zones[z->hash % ZONE_BUCKETS];
	while (*p != z)
		p = &(*p)->next;
	*p = z->next;
	tz_free(z->zone);
	free(z);
}

static void source_free(struct scheduler *s, struct sched_source *src)
{
	if (!src)
		return;
	if (src->zone_refs)
		for (size_t b = 0; b < src->n_zone_refs; b++)
			zone_release(s, src->zone_refs[b]);
	free(src->zone_refs);
	snapshot_unref(src->snap);
	for (size_t i = 0; i < src->n_retired; i++)
		snapshot_unref(src->retired[i]);
	free(src->zones);
	free(src->delays);
	free(src->scheduled);
	free(src->slots);
	free(src);
}

void scheduler_set_secret(struct scheduler *s, const uint8_t secret[CRONTAB_SECRET_LEN])
{
	memcpy(s->secret, secret, CRONTAB_SECRET_LEN);
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_sources; i++)
		source_free(s, s->sources[i]);
	free(s->sources);
	free(s->slots);
	heap_free(&s->heap);
	idmap_free(&s->at_slots);
	free(s);
}

/* Zone NAME, loaded now or shared, with one more reference; NULL with ERR. */
static struct zone_entry *zone_acquire(struct scheduler *s, const char *name, char *err,
                                       size_t errlen)
{
	uint64_t h = fnv1a_str(name);
	for (struct zone_entry *z = s->zones[h % ZONE_BUCKETS]; z; z = z->next)
		if (z->hash == h && strcmp(z->name, name) == 0) {
			z->refs++;
			return z;
		}
	size_t len = strlen(name);
	struct zone_entry *z = malloc(sizeof(*z) + len + 1);
	char zerr[256];
	struct tz *tz = z ? tz_load(name, zerr, sizeof(zerr)) : NULL;
	if (!tz) {
		snprintf(err, errlen, "CRON_TZ: %s", z ? zerr : "out of memory");
		free(z);
		return NULL;
	}
	memcpy(z->name, name, len + 1);
	z->hash = h;
	z->refs = 1;
	z->zone = tz;
	z->next = s->zones[h % ZONE_BUCKETS];
	s->zones[h % ZONE_BUCKETS] = z;
	return z;
}

/* Reserves N more slots so taking them cannot fail. */
static int reserve_slots(struct scheduler *s, size_t n)
{
	size_t free_count = 0;
	for (uint32_t i = s->free_slot; i != NO_SLOT && free_count < n; i = s->slots[i].source)
		free_count++;
	size_t need = s->n_slots + (n > free_count ? n - free_count : 0);
	if (need > s->cap_slots) {
		size_t ncap = s->cap_slots ? s->cap_slots : 256;
		while (ncap < need)
			ncap *= 2;
		struct slot *ns = realloc(s->slots, ncap * sizeof(*ns));
		if (!ns)
			return -1;
		s->slots = ns;
		s->cap_slots = ncap;
	}
	return heap_reserve(&s->heap, need, s->heap.count + n);
}

static uint32_t take_slot(struct scheduler *s)
{
	uint32_t id = s->free_slot;
	if (id != NO_SLOT) {
		s->free_slot = s->slots[id].source;
		return id;
	}
	return (uint32_t)s->n_slots++;
}

static void release_slot(struct scheduler *s, uint32_t id)
{
	heap_remove(&s->heap, id);
	s->slots[id] = (struct slot){ .kind = SLOT_FREE, .source = s->free_slot };
	s->free_slot = id;
}

static const struct tz *entry_zone(const struct sched_source *src, const struct crontab_entry *e)
{
	return src->zones[e->options];
}

/* Entry I of SRC's next run strictly after AFTER, or INT64_MAX: the dear
 * part of planning (nextrun.h), which touches nothing but its arguments. */
static int64_t next_run(const struct sched_source *src, size_t i, int64_t after)
{
	const struct crontab_entry *e = &src->tab->entries[i];
	int64_t next;
	return nextrun_after(&e->sched, entry_zone(src, e), after, &next) ? next : INT64_MAX;
}

/* Puts entry I of SRC in the heap at SRC->scheduled[I] (plus its block's
 * RANDOM_DELAY offset), or out of it when that is INT64_MAX. */
static void arm_planned(struct scheduler *s, struct sched_source *src, size_t i)
{
	uint32_t slot = src->slots[i];
	if (src->scheduled[i] == INT64_MAX) {
		heap_remove(&s->heap, slot);
		return;
	}
	/* Cannot fail: room was reserved when the slot was taken. */
	(void)heap_set(&s->heap, slot,
	               src->scheduled[i] + src->delays[src->tab->entries[i].options]);
}

/* Arms entry I of SRC at its next run strictly after AFTER. */
static void arm(struct scheduler *s, struct sched_source *src, size_t i, int64_t after)
{
	if (src->slots[i] == NO_SLOT)
		return;
	src->scheduled[i] = next_run(src, i, after);
	arm_planned(s, src, i);
}

static size_t find_source(const struct scheduler *s, const char *name)
{
	for (size_t i = 0; i < s->n_sources; i++)
		if (s->sources[i] && strcmp(s->sources[i]->name, name) == 0)
			return i;
	return SIZE_MAX;
}

static void drop_source(struct scheduler *s, size_t idx)
{
	struct sched_source *src = s->sources[idx];
	for (size_t i = 0; i < src->tab->n_entries; i++)
		if (src->slots[i] != NO_SLOT)
			release_slot(s, src->slots[i]);
	s->n_entries -= src->tab->n_entries;
	s->dropped += src->tab->n_entries;
	source_free(s, src);
	s->sources[idx] = NULL;
}

/* Builds the per-block and per-entry arrays of a new source. */
static struct sched_source *build_source(struct scheduler *s, const char *name,
                                         enum source_kind kind, const char *owner,
                                         struct crontab *tab, char *err, size_t errlen)
{
	struct sched_source *src = calloc(1, sizeof(*src));
	size_t nb = tab->n_options ? tab->n_options : 1, ne = tab->n_entries;
	if (!src)
		goto oom;
	/* The '~' picks: the same for this crontab name and content at every
	 * load, as `crontab --next` computes them (lib/crontab.h). */
	crontab_resolve_random(tab, crontab_random_seed(s->secret, name));
	src->snap = snapshot_new(name, kind, owner, tab);
	if (!src->snap)
		goto oom;
	src->tab = &src->snap->tab;
	src->name = src->snap->name;
	src->owner = src->snap->owner;
	src->kind = kind;
	src->zones = calloc(nb, sizeof(*src->zones));
	src->zone_refs = calloc(nb, sizeof(*src->zone_refs));
	src->n_zone_refs = nb;
	src->delays = calloc(nb, sizeof(*src->delays));
	src->scheduled = calloc(ne ? ne : 1, sizeof(*src->scheduled));
	src->slots = calloc(ne ? ne : 1, sizeof(*src->slots));
	if (!src->zones || !src->zone_refs || !src->delays || !src->scheduled || !src->slots)
		goto oom;
	for (size_t b = 0; b < src->tab->n_options; b++) {
		const struct crontab_options *o = &src->tab->options[b];
		src->zones[b] = s->local;
		if (o->tz) {
			src->zone_refs[b] = zone_acquire(s, o->tz, err, errlen);
			if (!src->zone_refs[b]) {
				source_free(s, src);
				return NULL;
			}
			src->zones[b] = src->zone_refs[b]->zone;
		}
		src->delays[b] = (uint32_t)(s->random_factor * o->random_delay * 60.0);
	}
	if (!src->tab->n_options)
		src->zones[0] = s->local;
	return src;
oom:
	if (src)
		source_free(s, src);
	else
		crontab_free(tab);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

static int add_source_pointer(struct scheduler *s, struct sched_source *src, size_t *idx)
{
	for (size_t i = 0; i < s->n_sources; i++) {
		if (!s->sources[i]) {
			s->sources[i] = src;
			*idx = i;
			return 0;
		}
	}
	if (s->n_sources == s->cap_sources) {
		size_t ncap = s->cap_sources ? s->cap_sources * 2 : 16;
		struct sched_source **n = realloc(s->sources, ncap * sizeof(*n));
		if (!n)
			return -1;
		s->sources = n;
		s->cap_sources = ncap;
	}
	*idx = s->n_sources;
	s->sources[s->n_sources++] = src;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Cancels the entries of OLD that NEW (same name) does not have, by entry
 * key: their waiting runs must not start. An entry whose key is unchanged
 * keeps its waiting run (editing one line of a crontab must not cancel the
 * others). Without memory for the comparison, every entry is cancelled:
 * losing a waiting run is better than running a removed command. */
static void cancel_replaced(struct scheduler *s, struct sched_source *old,
                            const struct sched_source *new)
{
	size_t n = new->tab->n_entries;
	uint64_t *keys = malloc((n ? n : 1) * sizeof(*keys));
	for (size_t i = 0; keys && i < n; i++)
		keys[i] = entry_hash(&new->tab->entries[i]);
	if (keys)
		qsort(keys, n, sizeof(*keys), cmp_u64);
	for (size_t i = 0; i < old->tab->n_entries; i++) {
		uint64_t h = entry_hash(&old->tab->entries[i]);
		if (!keys || !bsearch(&h, keys, n, sizeof(*keys), cmp_u64)) {
			snapshot_cancel_entry(old->snap, i);
			s->cancelled++;
		}
	}
	free(keys);
}

/* Hands OLD's replaced snapshots, and OLD's own while runs hold it, to NEW
 * (SCHED_RETIRED_MAX at most: the runs of the oldest are cancelled). Those
 * no run holds any more are let go. */
/* Lets go of the snapshots of V[0..N) that no run holds, keeping the others
 * at the front in order; returns how many are kept. */
static size_t keep_in_runs(struct snapshot **v, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (snapshot_in_runs(v[i]))
			v[kept++] = v[i];
		else
			snapshot_unref(v[i]);
	}
	return kept;
}

static void retire(struct scheduler *s, struct sched_source *old, struct sched_source *new)
{
	size_t kept = keep_in_runs(old->retired, old->n_retired);
	for (size_t i = 0; i < kept; i++)
		new->retired[new->n_retired++] = old->retired[i];
	old->n_retired = 0;
	if (!snapshot_in_runs(old->snap))
		return;   /* source_free lets it go */
	if (new->n_retired == SCHED_RETIRED_MAX) {
		struct snapshot *oldest = new->retired[0];
		snapshot_cancel_all(oldest);
		s->cancelled += oldest->tab.n_entries;
		snapshot_unref(oldest);
		memmove(new->retired, new->retired + 1, --new->n_retired * sizeof(*new->retired));
	}
	new->retired[new->n_retired++] = old->snap;
	old->snap = NULL;
}

/* A source being planned (scheduler.h): built, not yet in the schedule.
 * Its slots[i] say only whether entry I gets a slot (NO_SLOT: it can never
 * run) until the commit takes them; scheduled[0..DONE) are planned. */
struct sched_plan {
	struct sched_source *src;
	size_t done;
	int64_t now;
};

static int plan_begin(struct scheduler *s, struct sched_plan *p, const char *name,
                      enum source_kind kind, const char *owner, struct crontab *tab,
                      int64_t now, char *err, size_t errlen)
{
	*p = (struct sched_plan){ .now = now };
	p->src = build_source(s, name, kind, owner, tab, err, errlen);
	return p->src ? 0 : -1;
}

static bool plan_step(struct sched_plan *p, size_t max)
{
	struct sched_source *src = p->src;
	size_t n = src->tab->n_entries, end = max < n - p->done ? p->done + max : n;
	for (size_t i = p->done; i < end; i++) {
		bool runs = schedule_can_run(&src->tab->entries[i].sched);
		src->slots[i] = runs ? 0 : NO_SLOT;
		src->scheduled[i] = runs ? next_run(src, i, p->now) : INT64_MAX;
	}
	p->done = end;
	return end == n;
}

static int plan_commit(struct scheduler *s, struct sched_plan *p, char *err, size_t errlen)
{
	while (!plan_step(p, SIZE_MAX))
		;
	struct sched_source *src = p->src;
	p->src = NULL;
	size_t old = find_source(s, src->name), idx;
	if (reserve_slots(s, src->tab->n_entries) < 0 || add_source_pointer(s, src, &idx) < 0) {
		source_free(s, src);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (old != SIZE_MAX) {
		cancel_replaced(s, s->sources[old], src);
		retire(s, s->sources[old], src);
		drop_source(s, old);
	}
	for (size_t i = 0; i < src->tab->n_entries; i++) {
		if (src->slots[i] == NO_SLOT)
			continue;
		uint32_t slot = take_slot(s);
		s->slots[slot] = (struct slot){ .kind = SLOT_CRON, .source = (uint32_t)idx,
			                        .entry = (uint32_t)i };
		src->slots[i] = slot;
		arm_planned(s, src, i);
	}
	s->n_entries += src->tab->n_entries;
	return 0;
}

int scheduler_set_source(struct scheduler *s, const char *name, enum source_kind kind,
                         const char *owner, struct crontab *tab, int64_t now, char *err,
                         size_t errlen)
{
	struct sched_plan p;
	if (plan_begin(s, &p, name, kind, owner, tab, now, err, errlen) < 0)
		return -1;
	return plan_commit(s, &p, err, errlen);
}

struct sched_plan *scheduler_plan_begin(struct scheduler *s, const char *name,
                                        enum source_kind kind, const char *owner,
                                        struct crontab *tab, int64_t now, char *err,
                                        size_t errlen)
{
	struct sched_plan *p = malloc(sizeof(*p));
	if (!p) {
		crontab_free(tab);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (plan_begin(s, p, name, kind, owner, tab, now, err, errlen) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

bool scheduler_plan_step(struct sched_plan *p, size_t max)
{
	return plan_step(p, max);
}

int scheduler_plan_commit(struct scheduler *s, struct sched_plan *p, char *err, size_t errlen)
{
	int rc = plan_commit(s, p, err, errlen);
	free(p);
	return rc;
}

void scheduler_plan_abandon(struct scheduler *s, struct sched_plan *p)
{
	if (!p)
		return;
	source_free(s, p->src);
	free(p);
}

bool scheduler_remove_source(struct scheduler *s, const char *name)
{
	size_t idx = find_source(s, name);
	if (idx == SIZE_MAX)
		return false;
	struct sched_source *src = s->sources[idx];
	snapshot_cancel_all(src->snap);
	s->cancelled += src->tab->n_entries;
	for (size_t i = 0; i < src->n_retired; i++) {
		snapshot_cancel_all(src->retired[i]);
		s->cancelled += src->retired[i]->tab.n_entries;
	}
	drop_source(s, idx);
	return true;
}

const struct sched_source *scheduler_find_source(const struct scheduler *s, const char *name)
{
	size_t idx = find_source(s, name);
	return idx == SIZE_MAX ? NULL : s->sources[idx];
}

int scheduler_add_at(struct scheduler *s, int64_t id, char queue, uint32_t uid, int64_t run_at)
{
	uint32_t slot;
	if (!idmap_get(&s->at_slots, id, &slot)) {
		if (reserve_slots(s, 1) < 0)
			return -1;
		slot = take_slot(s);
		if (idmap_put(&s->at_slots, id, slot) < 0) {
			release_slot(s, slot);
			return -1;
		}
	}
	s->slots[slot] = (struct slot){ .kind = SLOT_AT, .queue = queue, .at_uid = uid, .at_id = id };
	return heap_set(&s->heap, slot, run_at);
}

bool scheduler_has_at(const struct scheduler *s, int64_t id)
{
	uint32_t slot;
	return idmap_get(&s->at_slots, id, &slot);
}

int scheduler_at_ids(const struct scheduler *s, int64_t **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (s->at_slots.count == 0)
		return 0;
	int64_t *v = malloc(s->at_slots.count * sizeof(*v));
	if (!v)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < s->at_slots.cap && k < s->at_slots.count; i++)
		if (s->at_slots.cells[i].used)
			v[k++] = s->at_slots.cells[i].key;
	*out = v;
	*n = k;
	return 0;
}

bool scheduler_remove_at(struct scheduler *s, int64_t id)
{
	uint32_t slot;
	if (!idmap_get(&s->at_slots, id, &slot))
		return false;
	idmap_del(&s->at_slots, id);
	release_slot(s, slot);
	return true;
}

size_t scheduler_zone_count(const struct scheduler *s)
{
	size_t n = 0;
	for (size_t b = 0; b < ZONE_BUCKETS; b++)
		for (const struct zone_entry *z = s->zones[b]; z; z = z->next)
			n++;
	return n;
}

int64_t scheduler_next_due(const struct scheduler *s)
{
	struct heap_node n;
	return heap_peek(&s->heap, &n) ? n.key : INT64_MAX;
}

static void emit_cron(const struct sched_source *src, size_t i, int64_t scheduled, bool catchup,
                      due_fn emit, void *ctx)
{
	struct due d = { .kind = DUE_CRON, .scheduled = scheduled, .source = src,
		         .entry = &src->tab->entries[i], .entry_index = i, .catchup = catchup };
	emit(ctx, &d);
}

/* Re-arms from NOW every entry (ALL) or only the wildcard ones. */
static void rebase(struct scheduler *s, int64_t now, bool all)
{
	for (size_t k = 0; k < s->n_sources; k++) {
		struct sched_source *src = s->sources[k];
		if (!src)
			continue;
		for (size_t i = 0; i < src->tab->n_entries; i++)
			if (all || schedule_is_wildcard(&src->tab->entries[i].sched))
				arm(s, src, i, now);
	}
}

/* One due cron entry: run it (or not) per the rule for KIND, then re-arm. */
static void run_entry(struct scheduler *s, struct sched_source *src, size_t i, int64_t now,
                      enum jump_kind kind, due_fn emit, void *ctx)
{
	const struct crontab_entry *e = &src->tab->entries[i];
	int64_t when = src->scheduled[i];
	bool wildcard = schedule_is_wildcard(&e->sched);
	int64_t max_late = kind == JUMP_FORWARD ? MAX_CATCHUP_FORWARD : MAX_CATCHUP_NORMAL;
	if (kind == JUMP_FORWARD && wildcard) {
		/* Missed wildcard runs are dropped; it runs once if the current
		 * minute is one of its minutes. */
		int64_t minute = now - (now % 60 + 60) % 60, t;
		if (nextrun_after(&e->sched, entry_zone(src, e), minute - 1, &t) && t == minute)
			emit_cron(src, i, t, false, emit, ctx);
		arm(s, src, i, now);
		return;
	}
	/* Late against its due time, RANDOM_DELAY's offset included: against
	 * the bare scheduled time every delay past max_late (a factor over
	 * 0.13 of RANDOM_DELAY=45) skipped every run. */
	if (now - (when + src->delays[e->options]) > max_late) {
		arm(s, src, i, now);  /* too old to be a missed minute: skip ahead */
		return;
	}
	emit_cron(src, i, when, false, emit, ctx);
	arm(s, src, i, when);
}

void scheduler_run_due(struct scheduler *s, int64_t now, enum jump_kind kind, due_fn emit,
                       void *ctx)
{
	if (kind == JUMP_RESET)
		rebase(s, now, true);
	else if (kind == JUMP_BACKWARD)
		rebase(s, now, false);
	struct heap_node n;
	while (heap_peek(&s->heap, &n) && n.key <= now) {
		struct slot *sl = &s->slots[n.id];
		if (sl->kind == SLOT_AT) {
			struct due d = { .kind = DUE_AT, .scheduled = n.key, .at_id = sl->at_id,
				         .queue = sl->queue, .at_uid = sl->at_uid };
			idmap_del(&s->at_slots, sl->at_id);
			release_slot(s, n.id);
			emit(ctx, &d);
			continue;
		}
		struct sched_source *src = s->sources[sl->source];
		size_t entry = sl->entry;
		/* FORWARD wildcard handling re-arms after NOW; everything else
		 * re-arms after the run it emitted, so every missed run is seen. */
		run_entry(s, src, entry, now, kind == JUMP_RESET ? JUMP_NONE : kind, emit, ctx);
	}
}

void scheduler_run_reboot(struct scheduler *s, int64_t now, due_fn emit, void *ctx)
{
	for (size_t k = 0; k < s->n_sources; k++) {
		const struct sched_source *src = s->sources[k];
		if (!src)
			continue;
		for (size_t i = 0; i < src->tab->n_entries; i++)
			if (src->tab->entries[i].sched.flags & SCHED_REBOOT)
				emit_cron(src, i, now, false, emit, ctx);
	}
}

/* The latest run of entry I in (LAST, NOW], or 0. By bisection: the
 * first run after an instant never moves back as the instant moves on, so
 * about 40 searches find it, where stepping from run to run took one per
 * missed run (a week of an every-minute entry: 10,080; 10,000 such
 * CRON_CATCHUP entries held crond's start for seconds). */
static int64_t latest_missed(const struct sched_source *src, size_t i, int64_t last, int64_t now)
{
	const struct crontab_entry *e = &src->tab->entries[i];
	const struct tz *z = entry_zone(src, e);
	int64_t next;
	if (last >= now || !nextrun_after(&e->sched, z, last, &next) || next > now)
		return 0;
	/* the first run after LO is at most NOW; the first after HI is later */
	int64_t lo = last, hi = now;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (nextrun_after(&e->sched, z, mid, &next) && next <= now)
			lo = mid;
		else
			hi = mid;
	}
	return nextrun_after(&e->sched, z, lo, &next) ? next : 0;
}

void scheduler_run_catchup(struct scheduler *s, int64_t now,
                           int64_t (*last_scheduled)(void *ctx, const char *key),
                           due_fn emit, void *ctx)
{
	for (size_t k = 0; k < s->n_sources; k++) {
		const struct sched_source *src = s->sources[k];
		if (!src)
			continue;
		for (size_t i = 0; i < src->tab->n_entries; i++) {
			const struct crontab_entry *e = &src->tab->entries[i];
			if (!src->tab->options[e->options].catchup || (e->sched.flags & SCHED_REBOOT))
				continue;
			char key[SCHEDULER_KEY_MAX];
			scheduler_entry_key(src, e, key, sizeof(key));
			int64_t last = last_scheduled(ctx, key);
			int64_t missed = last > 0 ? latest_missed(src, i, last, now) : 0;
			if (missed)
				emit_cron(src, i, missed, true, emit, ctx);
		}
	}
}

/* The hash part of an entry's key (scheduler_entry_key): what the entry
 * is, and for the second and later of equal entries, which one (the first
 * keeps the key it had before twins were told apart). */
static uint64_t entry_hash(const struct crontab_entry *e)
{
	uint64_t h = crontab_entry_identity(e);
	if (e->twin)
		h = fnv1a(h, &e->twin, sizeof(e->twin));
	return h;
}

void scheduler_entry_key(const struct sched_source *src, const struct crontab_entry *e,
                         char *buf, size_t len)
{
	snprintf(buf, len, "%s:%016llx", src->name, (unsigned long long)entry_hash(e));
}

void scheduler_stats(const struct scheduler *s, struct scheduler_stats *out)
{
	size_t sources = 0;
	for (size_t i = 0; i < s->n_sources; i++)
		sources += s->sources[i] != NULL;
	out->sources = sources;
	out->entries = s->n_entries;
	out->at_jobs = s->at_slots.count;
	out->next_due = scheduler_next_due(s);
	out->cancelled = s->cancelled;
	out->dropped = s->dropped;
	size_t retired = 0;
	for (size_t i = 0; i < s->n_sources; i++)
		retired += s->sources[i] ? s->sources[i]->n_retired : 0;
	out->retired = retired;
}

size_t scheduler_release_retired(struct scheduler *s)
{
	size_t let_go = 0;
	for (size_t i = 0; i < s->n_sources; i++) {
		struct sched_source *src = s->sources[i];
		if (!src)
			continue;
		size_t kept = keep_in_runs(src->retired, src->n_retired);
		let_go += src->n_retired - kept;
		src->n_retired = kept;
	}
	return let_go;
}
