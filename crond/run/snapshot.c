/* crond/run/snapshot.c: shared, reference-counted crontabs (see snapshot.h).
 *
 * The name, owner and the "NAME=VALUE" forms of the assignments are put in
 * the crontab's own arena while the snapshot is still private to the timer
 * thread; after snapshot_new returns nothing allocates from it again, so
 * the arena (not thread-safe) is only ever read by two threads.
 */
#include "crond/run/snapshot.h"

#include <stdlib.h>
#include <string.h>

static const char *keep(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Builds the "NAME=VALUE" array (strings in the arena); false on
 * allocation failure. */
static bool build_env(struct snapshot *snap)
{
	const struct crontab *tab = &snap->tab;
	const char **env = calloc(tab->n_env + 1, sizeof(*env));
	if (!env)
		return false;
	snap->env = env;
	for (size_t i = 0; i < tab->n_env; i++) {
		const struct crontab_assignment *a = &tab->env[i];
		size_t nl = strlen(a->name), vl = strlen(a->value);
		char *s = arena_alloc(&snap->tab.strings, nl + vl + 2);
		if (!s)
			return false;
		memcpy(s, a->name, nl);
		s[nl] = '=';
		memcpy(s + nl + 1, a->value, vl + 1);
		env[i] = s;
	}
	return true;
}

static const char *const var_names[SNAP_VARS] = {
	[SNAP_SHELL] = "SHELL", [SNAP_MAILTO] = "MAILTO", [SNAP_MAILFROM] = "MAILFROM",
};

/* Fills snap->last in one pass over the assignments; false on allocation
 * failure. */
static bool index_vars(struct snapshot *snap)
{
	size_t n = snap->tab.n_env;
	snap->last = calloc(n + 1, sizeof(*snap->last));
	if (!snap->last)
		return false;
	for (size_t k = 1; k <= n; k++) {
		memcpy(snap->last[k], snap->last[k - 1], sizeof(snap->last[k]));
		for (int v = 0; v < SNAP_VARS; v++)
			if (strcmp(snap->tab.env[k - 1].name, var_names[v]) == 0)
				snap->last[k][v] = (uint32_t)k;
	}
	return true;
}

const char *snapshot_getenv(const struct snapshot *snap, const struct crontab_entry *entry,
                            enum snapshot_var v)
{
	uint32_t i = entry->env_count <= snap->tab.n_env ? snap->last[entry->env_count][v] : 0;
	return i ? snap->tab.env[i - 1].value : NULL;
}

/* The fate of N entries, none cancelled, with one reference (the
 * snapshot's); NULL on allocation failure. */
static struct snapshot_fate *fate_new(size_t n)
{
	struct snapshot_fate *fate = malloc(sizeof(*fate) + n * sizeof(fate->cancelled[0]));
	if (!fate)
		return NULL;
	atomic_init(&fate->refs, 1);
	atomic_init(&fate->final, false);
	fate->n = n;
	for (size_t i = 0; i < n; i++)
		atomic_init(&fate->cancelled[i], 0);
	return fate;
}

static void snapshot_free(struct snapshot *snap)
{
	free(snap->last);
	free(snap->env);
	if (snap->fate) {
		/* Release: the flags set before are visible to whoever sees
		 * this (snapshot_fate_final's acquire). */
		atomic_store_explicit(&snap->fate->final, true, memory_order_release);
		snapshot_fate_unref(snap->fate);
	}
	crontab_free(&snap->tab);
	free(snap);
}

struct snapshot *snapshot_new(const char *name, enum source_kind kind, const char *owner,
                              struct crontab *tab)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	if (!snap) {
		crontab_free(tab);
		return NULL;
	}
	snap->tab = *tab;
	*tab = (struct crontab){ 0 };
	atomic_init(&snap->refs, 1);
	atomic_init(&snap->runs, 0);
	snap->kind = kind;
	snap->name = keep(&snap->tab.strings, name);
	snap->owner = keep(&snap->tab.strings, owner);
	size_t ne = snap->tab.n_entries;
	snap->fate = fate_new(ne);
	if (!snap->name || (owner && !snap->owner) || !snap->fate || !build_env(snap) ||
	    !index_vars(snap)) {
		snapshot_free(snap);
		return NULL;
	}
	return snap;
}

struct snapshot *snapshot_ref(struct snapshot *snap)
{
	atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
	return snap;
}

void snapshot_unref(struct snapshot *snap)
{
	if (!snap)
		return;
	/* Release so this thread's reads happen before the free; acquire so
	 * the thread that frees sees everyone's. (acq_rel on the decrement
	 * rather than release plus an acquire fence: ThreadSanitizer does not
	 * model fences and took the free for a race.) */
	if (atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel) != 1)
		return;
	snapshot_free(snap);
}

struct snapshot *snapshot_ref_run(struct snapshot *snap)
{
	atomic_fetch_add_explicit(&snap->runs, 1, memory_order_relaxed);
	return snapshot_ref(snap);
}

void snapshot_unref_run(struct snapshot *snap)
{
	if (!snap)
		return;
	/* Release: pairs with snapshot_in_runs' acquire. */
	atomic_fetch_sub_explicit(&snap->runs, 1, memory_order_release);
	snapshot_unref(snap);
}

bool snapshot_in_runs(const struct snapshot *snap)
{
	/* Acquire: when the runs are gone, their reads happened before. */
	return atomic_load_explicit(&snap->runs, memory_order_acquire) > 0;
}

void snapshot_cancel_entry(struct snapshot *snap, size_t i)
{
	if (i < snap->fate->n)
		atomic_store_explicit(&snap->fate->cancelled[i], 1, memory_order_release);
}

void snapshot_cancel_all(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->fate->n; i++)
		atomic_store_explicit(&snap->fate->cancelled[i], 1, memory_order_release);
}

bool snapshot_cancelled(const struct snapshot *snap, size_t i)
{
	return snapshot_fate_cancelled(snap->fate, i);
}

struct snapshot_fate *snapshot_fate_ref(struct snapshot_fate *fate)
{
	atomic_fetch_add_explicit(&fate->refs, 1, memory_order_relaxed);
	return fate;
}

void snapshot_fate_unref(struct snapshot_fate *fate)
{
	if (fate && atomic_fetch_sub_explicit(&fate->refs, 1, memory_order_acq_rel) == 1)
		free(fate);
}

bool snapshot_fate_cancelled(const struct snapshot_fate *fate, size_t i)
{
	return i >= fate->n || atomic_load_explicit(&fate->cancelled[i], memory_order_acquire) != 0;
}

bool snapshot_fate_final(const struct snapshot_fate *fate)
{
	return atomic_load_explicit(&fate->final, memory_order_acquire);
}

size_t snapshot_bytes(const struct snapshot *snap)
{
	const struct crontab *t = &snap->tab;
	return sizeof(*snap) + t->strings.total + t->n_env * (sizeof(*t->env) + sizeof(*snap->env)) +
	       sizeof(*snap->fate) +
	       t->n_entries * (sizeof(*t->entries) + sizeof(snap->fate->cancelled[0])) +
	       t->n_options * sizeof(*t->options) + (t->n_env + 1) * sizeof(*snap->last);
}
