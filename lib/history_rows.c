/* lib/history_rows.c: spool history records as MSG_HISTORY rows (see
 * history_rows.h). */
#include "lib/history_rows.h"

#include "lib/proto_msgs.h"

uint32_t history_row_flags(const struct spool_run *r)
{
	unsigned f = r->flags;
	uint32_t out = 0;
	if (f & SPOOL_RUN_SKIPPED) out |= RUNF_SKIPPED;
	if (f & SPOOL_RUN_TIMED_OUT) out |= RUNF_TIMED_OUT;
	if (f & SPOOL_RUN_INTERRUPTED) out |= RUNF_INTERRUPTED;
	if (f & SPOOL_RUN_FAILED_START) out |= RUNF_START_FAILED;
	if (f & SPOOL_RUN_TRUNCATED) out |= RUNF_TRUNCATED;
	if (f & SPOOL_RUN_CATCHUP) out |= RUNF_CATCHUP;
	if (f & SPOOL_RUN_QUEUE_FULL) out |= RUNF_QUEUE_FULL;
	if (f & SPOOL_RUN_COALESCED) out |= RUNF_COALESCED;
	if (f & SPOOL_RUN_CANCELLED) out |= RUNF_CANCELLED;
	if (f & SPOOL_RUN_MANUAL) out |= RUNF_MANUAL;
	if (f & SPOOL_RUN_REFUSED_QUOTA) out |= RUNF_REFUSED_QUOTA;
	if (f & SPOOL_RUN_NODE_LOST) out |= RUNF_NODE_LOST;
	if (f & SPOOL_RUN_CLOCK_SKEW) out |= RUNF_CLOCK_SKEW;
	if (f & SPOOL_RUN_CLAIM_LATE) out |= RUNF_CLAIM_LATE;
	/* A running record has no status yet, and will: its END of 0 says so. */
	if (r->exit_code < 0 && r->signal <= 0 && !(f & SPOOL_RUN_RUNNING)) out |= RUNF_NO_STATUS;
	return out;
}

uint32_t history_row_status(const struct spool_run *r)
{
	return r->exit_code >= 0 ? (uint32_t)r->exit_code : 0;
}

uint32_t history_row_signal(const struct spool_run *r)
{
	return r->signal > 0 ? (uint32_t)r->signal : 0;
}
