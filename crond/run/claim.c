/* crond/run/claim.c: claiming scheduled runs in a cluster (see claim.h). */
#include "crond/run/claim.h"

#include <stdio.h>
#include <stdlib.h>

bool claim_needed(const struct run_request *r)
{
	if (r->kind != DUE_CRON || r->manual || !r->snap || r->snap->kind != SOURCE_USER)
		return false;
	const struct crontab *tab = &r->snap->tab;
	if (r->entry_index >= tab->n_entries)
		return false;
	const struct crontab_entry *e = &tab->entries[r->entry_index];
	if (e->sched.flags & SCHED_REBOOT)
		return false;
	return !tab->options[e->options].all_nodes;
}

int claim_runs(struct spool *sp, struct run_request *const *reqs, const uid_t *uids, size_t n,
               int64_t now_ns, enum claim_verdict *verdicts, struct spool_err *err)
{
	for (size_t i = 0; i < n; i++)
		verdicts[i] = CLAIM_FAILED;
	struct spool_run *runs = calloc(n, sizeof(*runs));
	int64_t *ids = calloc(n, sizeof(*ids));
	bool *won = calloc(n, sizeof(*won));
	int rc = -1;
	err->unknown = false;
	if (!sp) {
		err->code = SPOOL_IO;
		snprintf(err->msg, sizeof(err->msg), "no spool connection");
		goto out;
	}
	if (!runs || !ids || !won || n > CLAIM_BATCH_MAX) {
		err->code = SPOOL_NOMEM;
		snprintf(err->msg, sizeof(err->msg), n > CLAIM_BATCH_MAX ? "too many runs to claim"
		                                                         : "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct run_request *r = reqs[i];
		if (!r->claim_unknown)
			r->claim_start_ms = now_ns / 1000000;
		runs[i] = (struct spool_run){
			.kind = SPOOL_RUN_CRON, .owner = r->user, .uid = uids[i],
			.entry_key = r->entry_key, .command = r->command,
			.scheduled_ms = r->scheduled * 1000, .start_ms = r->claim_start_ms,
			.exit_code = -1, .flags = r->catchup ? SPOOL_RUN_CATCHUP : 0,
		};
	}
	if (spool_run_claim(sp, runs, n, ids, won, err) != SPOOL_OK) {
		bool unknown = err->code == SPOOL_IO && err->unknown;
		if (unknown || err->code == SPOOL_BUSY)
			for (size_t i = 0; i < n; i++) {
				verdicts[i] = CLAIM_AGAIN;
				reqs[i]->claim_unknown |= unknown;
			}
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		verdicts[i] = won[i] ? CLAIM_WON : CLAIM_LOST;
		reqs[i]->claim_id = won[i] ? ids[i] : 0;
	}
	rc = 0;
out:
	free(runs);
	free(ids);
	free(won);
	return rc;
}
