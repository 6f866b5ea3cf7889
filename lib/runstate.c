/* lib/runstate.c: a run's state in one word (see runstate.h). */
#include "lib/runstate.h"

#include "lib/proto_msgs.h"

enum run_state run_state(uint32_t flags, int64_t end_ms, uint32_t status, uint32_t signal)
{
	if (flags & (RUNF_SKIPPED | RUNF_QUEUE_FULL | RUNF_COALESCED | RUNF_CANCELLED |
	             RUNF_REFUSED_QUOTA | RUNF_CLOCK_SKEW | RUNF_CLAIM_LATE))
		return RUN_NOT_STARTED;
	if (flags & (RUNF_START_FAILED | RUNF_TIMED_OUT))
		return RUN_FAILED;
	if (flags & RUNF_INTERRUPTED)
		return RUN_INTERRUPTED;
	if (end_ms == 0)
		return RUN_RUNNING;
	if (flags & RUNF_NO_STATUS)
		return RUN_INTERRUPTED;
	return signal != 0 || status != 0 ? RUN_FAILED : RUN_OK;
}

const char *run_state_name(enum run_state s)
{
	switch (s) {
	case RUN_OK: return "ok";
	case RUN_FAILED: return "failed";
	case RUN_RUNNING: return "running";
	case RUN_INTERRUPTED: return "interrupted";
	case RUN_NOT_STARTED: return "not-started";
	}
	return "unknown";
}
