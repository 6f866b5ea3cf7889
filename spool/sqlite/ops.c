/* spool/sqlite/ops.c: the SQLite backend's operations table. */
#include "spool/sqlite/internal.h"

int sqlite_txn(struct spool *sp, bool write, spool_txn_fn fn, void *ctx,
	       struct spool_err *err)
{
	return spool_txn(sp, write ? TXN_WRITE : TXN_READ, fn, ctx, err);
}

const struct spool_ops spool_sqlite_ops = {
	.name = "sqlite",
	.shared = false,
	.schema_version = SQLITE_SCHEMA_VERSION,
	.close = sqlite_close,
	.txn = sqlite_txn,
	.set_sync = sqlite_set_sync,
	.crontab_put = spool_crontab_put,
	.crontab_tombstone = sqlite_crontab_tombstone,
	.crontab_read = sqlite_crontab_read,
	.crontab_changes = sqlite_crontab_changes,
	.crontab_owners = sqlite_crontab_owners,
	.crontab_generation = sqlite_crontab_generation,
	.crontab_generation_of = sqlite_crontab_generation_of,
	.at_lock_ids = NULL,   /* every write transaction holds the one write lock */
	.at_usage = sqlite_at_usage,
	.at_insert = spool_at_insert,
	.at_last_id = sqlite_at_last_id,
	.at_read = spool_at_read,
	.at_list = sqlite_at_list,
	.at_state_of = spool_at_state_of,
	.at_delete = sqlite_at_delete,
	.at_claim = sqlite_at_claim,
	.at_claim_due = sqlite_at_claim_due,
	.at_set_running = sqlite_at_set_running,
	.at_recover = sqlite_at_recover,
	.at_next_run = sqlite_at_next_run,
	.import_lock = NULL,   /* likewise */
	.run_insert = spool_run_insert,
	.run_end = spool_run_end,
	.history_query = sqlite_history_query,
	.history_recover = sqlite_history_recover,
	.history_prune_age = sqlite_history_prune_age,
	.history_rank = sqlite_history_rank,
	.history_delete = sqlite_history_delete,
	.state_get = sqlite_state_get,
	.state_put = sqlite_state_put,
	.state_delete = sqlite_state_delete,
	.state_list = sqlite_state_list,
	.meta_get = spool_meta_read,
	.meta_set = spool_meta_write,
	.reserve_make = sqlite_reserve_make,
	.reserve_release = sqlite_reserve_release,
	.reserve_present = sqlite_reserve_present,
	.compact = sqlite_compact,
	.compact_enable = sqlite_compact_enable,
	.run_claim = sqlite_run_claim,
	.node_beat = sqlite_node_beat,
	.node_leave = sqlite_node_leave,
	.node_reap = sqlite_node_reap,
	.watch_start = sqlite_watch_start,
	.watch_drain = sqlite_watch_drain,
};
