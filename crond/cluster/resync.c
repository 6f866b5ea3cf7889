/* crond/cluster/resync.c: applying other nodes' changes idempotently (see resync.h). */
#include "crond/cluster/resync.h"

#include <stdlib.h>
#include <string.h>

struct resync_owner {
	char *name;
	int64_t generation;   /* the last change applied */
};

void resync_init(struct resync *r)
{
	memset(r, 0, sizeof(*r));
	idmap_init(&r->recent);
}

void resync_free(struct resync *r)
{
	for (size_t i = 0; i < r->n_owners; i++)
		free(r->owners[i].name);
	free(r->owners);
	idmap_free(&r->recent);
	memset(r, 0, sizeof(*r));
}

/* Where OWNER is, or would be inserted, in the sorted array. */
static size_t owner_pos(const struct resync *r, const char *owner, bool *found)
{
	size_t lo = 0, hi = r->n_owners;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->owners[mid].name, owner);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

bool resync_crontab_fresh(struct resync *r, const char *owner, int64_t generation)
{
	if (generation == 0)
		return true;
	bool found;
	size_t i = owner_pos(r, owner, &found);
	if (found) {
		if (generation <= r->owners[i].generation)
			return false;
		r->owners[i].generation = generation;
		return true;
	}
	if (r->n_owners == r->cap_owners) {
		size_t ncap = r->cap_owners ? r->cap_owners * 2 : 16;
		struct resync_owner *n = realloc(r->owners, ncap * sizeof(*n));
		if (!n)
			return true;
		r->owners = n;
		r->cap_owners = ncap;
	}
	char *name = strdup(owner);
	if (!name)
		return true;
	memmove(&r->owners[i + 1], &r->owners[i], (r->n_owners - i) * sizeof(*r->owners));
	r->owners[i] = (struct resync_owner){ name, generation };
	r->n_owners++;
	return true;
}

void resync_at_mark(struct resync *r)
{
	idmap_free(&r->recent);
	idmap_init(&r->recent);
	r->marked = true;
}

void resync_at_added(struct resync *r, int64_t id)
{
	/* Out of memory: the job may be disarmed by this resync; the next one
	 * (or the notification of its own submission) arms it again. */
	if (r->marked)
		(void)idmap_put(&r->recent, id, 0);
}

int resync_at_apply(struct resync *r, struct scheduler *s, const struct resync_at *list,
                    size_t n, size_t *added, size_t *removed)
{
	*added = *removed = 0;
	struct idmap listed;
	idmap_init(&listed);
	int64_t *armed = NULL;
	size_t n_armed = 0;
	int rc = -1;
	for (size_t i = 0; i < n; i++)
		if (idmap_put(&listed, list[i].id, 0) < 0)
			goto out;
	if (scheduler_at_ids(s, &armed, &n_armed) < 0)
		goto out;
	uint32_t unused;
	for (size_t i = 0; i < n_armed; i++) {
		if (idmap_get(&listed, armed[i], &unused) || idmap_get(&r->recent, armed[i], &unused))
			continue;
		scheduler_remove_at(s, armed[i]);
		(*removed)++;
	}
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (scheduler_has_at(s, list[i].id))
			continue;
		if (scheduler_add_at(s, list[i].id, list[i].queue, list[i].uid, list[i].run_at) < 0)
			rc = -1;
		else
			(*added)++;
	}
out:
	free(armed);
	idmap_free(&listed);
	idmap_free(&r->recent);
	idmap_init(&r->recent);
	r->marked = false;
	return rc;
}
