/* crond/observe/metrics_series.h: one entry's series, shared by metrics.c (which
 * keeps them) and metrics_text.c (which writes them). Supervisor thread
 * only, like the rest of crond/observe/metrics.h. */
#ifndef CROND_METRICS_SERIES_H
#define CROND_METRICS_SERIES_H

#include "crond/observe/metrics.h"

struct metrics_series {
	struct metrics_series *next;     /* hash chain */
	uint64_t hash;
	struct snapshot_fate *fate;      /* its crontab's entries' fate (one
	                                    reference), or NULL: detached */
	size_t entry_index;
	int64_t last_run_mono;
	char user[METRICS_LABEL_MAX + 1];
	char source[METRICS_SOURCE_MAX + 1];
	char command[METRICS_LABEL_MAX + 1];
	char entry[17];                  /* the key's hash part */
	uint32_t line;                   /* as of the last run */
	uint32_t owner;                  /* 1 + its index in metrics.owners, or 0:
	                                    root's or a system crontab's */
	bool have_last;                  /* a run started: the last_* below are known */
	double last_start_s, last_duration_s;
	int last_exit;
	uint64_t runs[METRICS_N_OUTCOMES];
	char key[];                      /* the entry key */
};

#endif
