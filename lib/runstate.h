/* lib/runstate.h: how a run from the history ended, in one word.
 *
 * `crontab --status` counts failures with it, and every --json output
 * names a run's state with it, so "failed" means the same everywhere:
 * exited non-zero, killed by a signal, timed out or could not be started.
 * Pure functions of a history row (lib/proto_msgs.h).
 */
#ifndef CROND_LIB_RUNSTATE_H
#define CROND_LIB_RUNSTATE_H

#include <stdint.h>

enum run_state {
	RUN_OK,             /* exited 0 */
	RUN_FAILED,         /* non-zero exit, signal, timed out, failed to start */
	RUN_RUNNING,        /* started, not ended (TAG_END 0) */
	RUN_INTERRUPTED,    /* cut off by crond's stop or crash: no status */
	RUN_NOT_STARTED,    /* skipped, queue full, coalesced, cancelled, refused
	                       by a quota, or held back by a node's clock skew */
};

/* The state of a run with RUNF_* FLAGS, END_MS (0: running), exit STATUS
 * and SIGNAL (0: exited). */
enum run_state run_state(uint32_t flags, int64_t end_ms, uint32_t status, uint32_t signal);

/* "ok", "failed", "running", "interrupted", "not-started". */
const char *run_state_name(enum run_state s);

#endif
