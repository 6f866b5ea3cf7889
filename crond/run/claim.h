/* crond/run/claim.h: claiming scheduled runs in a cluster, for the supervisor.
 *
 * DESIGN: supervisor thread only, with the recorder's spool connection. On
 * a shared spool (several nodes, spool_is_shared) a scheduled run of a user
 * crontab entry must be claimed before it starts: the first node to insert
 * its (entry key, scheduled instant) wins (spool_run_claim), and the claim
 * writes the run's running record in the same transaction, so the winner
 * keeps the record's id for the end (run_request.claim_id) and the recorder
 * does not begin it again. Each run first waits its spread delay
 * (claimwait.h: the nodes take turns winning); the runs the supervisor is
 * about to start in one loop are claimed in one call (one transaction, one
 * fsync). Not claimed,
 * because they belong to the node that runs them: the system crontabs
 * (/etc/crontab, /etc/cron.d), entries under CRON_NODES=all, @reboot
 * entries (each node boots on its own), manual runs (crontab --run, asked
 * of this node) and at jobs (claimed by spool_at_claim, exclusive already).
 * The SQLite spool is one machine's: nothing is claimed there (the
 * supervisor does not call this module), though claims work on it too,
 * which is how the unit tests check them.
 */
#ifndef CROND_CLAIM_H
#define CROND_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crond/run/runreq.h"
#include "spool/spool.h"

#define CLAIM_BATCH_MAX 1024   /* runs per spool_run_claim call */

/* Whether R must be claimed before it starts when the spool is shared. */
bool claim_needed(const struct run_request *r);

/* What became of one run of a batch. */
enum claim_verdict {
	CLAIM_WON,      /* start it: R->claim_id names its running record */
	CLAIM_LOST,     /* another node (or process) has it: do not start it */
	CLAIM_FAILED,   /* the spool call failed (ERR): do not start it */
	CLAIM_AGAIN,    /* not claimed yet, but the claim may still be won or
	                   may have been made (a lock held past its wait, a
	                   commit whose answer was lost): try again later, with
	                   the same start (REQS[i]->claim_start_ms) */
};

/* Claims the N (1 - CLAIM_BATCH_MAX) runs REQS as started at NOW_NS (or at
 * REQS[i]->claim_start_ms, an earlier attempt's, when set), owned by
 * UIDS[i], in one spool_run_claim call on SP; VERDICTS[i] gets each one's
 * fate and a won run's REQS[i]->claim_id its record's id. Returns 0, or -1
 * with ERR when the call failed: every verdict CLAIM_AGAIN when it may be
 * tried again (SPOOL_BUSY, or an outcome unknown: claim_start_ms is then
 * kept for the next attempt, which finds the claim if it was made), else
 * CLAIM_FAILED (nothing written), or memory ran out. */
int claim_runs(struct spool *sp, struct run_request *const *reqs, const uid_t *uids, size_t n,
               int64_t now_ns, enum claim_verdict *verdicts, struct spool_err *err);

#endif
