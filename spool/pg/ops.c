/* spool/pg/ops.c: the PostgreSQL backend's operations table. */
#include "spool/pg/internal.h"
#include "spool/pg/runs.h"

int pg_txn_op(struct spool *sp, bool write, spool_txn_fn fn, void *ctx,
	      struct spool_err *err)
{
	return pg_txn(sp, write ? PG_WRITE : PG_READ, fn, ctx, err);
}

const struct spool_ops spool_pg_ops = {
	.name = "postgresql",
	.shared = true,
	.schema_version = PG_SCHEMA_VERSION,
	.close = pg_close,
	.txn = pg_txn_op,
	.crontab_put = pg_crontab_put,
	.crontab_tombstone = pg_crontab_tombstone,
	.crontab_read = pg_crontab_read,
	.crontab_changes = pg_crontab_changes,
	.crontab_generation = pg_crontab_generation,
	.crontab_generation_of = pg_crontab_generation_of,
	.at_lock_ids = pg_at_lock_ids,
	.at_usage = pg_at_usage,
	.at_insert = pg_at_insert,
	.at_last_id = pg_at_last_id,
	.at_read = pg_at_read,
	.at_list = pg_at_list,
	.at_state_of = pg_at_state_of,
	.at_delete = pg_at_delete,
	.at_claim = pg_at_claim,
	.at_claim_due = pg_at_claim_due,
	.at_set_running = pg_at_set_running,
	.at_recover = pg_at_recover,
	.at_next_run = pg_at_next_run,
	.import_lock = pg_import_lock,
	.run_insert = pg_run_insert_own,
	.run_end = pg_run_end,
	.history_query = pg_history_query,
	.history_recover = pg_history_recover,
	.history_prune_age = pg_history_prune_age,
	.history_rank = pg_history_rank,
	.history_delete = pg_history_delete,
	.state_get = pg_state_get,
	.state_put = pg_state_put,
	.state_delete = pg_state_delete,
	.state_list = pg_state_list,
	.meta_get = pg_meta_read,
	.meta_set = pg_meta_write,
	.reserve_make = pg_reserve_make,
	.reserve_release = pg_reserve_release,
	.reserve_present = pg_reserve_present,
	.run_claim = pg_run_claim,
	.node_beat = pg_node_beat,
	.node_leave = pg_node_leave,
	.node_reap = pg_node_reap,
	.watch_start = pg_watch_start,
	.watch_drain = pg_watch_drain,
};
