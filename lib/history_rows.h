/* lib/history_rows.h: a spool history record (spool/spool.h) as a row of
 * MSG_HISTORY's reply reports it (lib/proto_msgs.h).
 *
 * crond fills its TAG_ROW fields with these, and crontab's direct path to
 * the spool (crond not running) reports the same values, so a run reads the
 * same whichever way it was fetched. Pure functions of the record.
 */
#ifndef CROND_LIB_HISTORY_ROWS_H
#define CROND_LIB_HISTORY_ROWS_H

#include <stdint.h>

#include "spool/spool.h"

/* TAG_FLAGS: the RUNF_* flags for R's SPOOL_RUN_* flags (bits with no
 * RUNF_* counterpart are dropped), plus RUNF_NO_STATUS when R has ended
 * with neither an exit status nor a signal. A running record
 * (SPOOL_RUN_RUNNING) is told by its end_ms of 0 (TAG_END). */
uint32_t history_row_flags(const struct spool_run *r);

/* TAG_STATUS: R's exit code, or 0 when it has none (exit_code -1: it was
 * signalled or never ran, and the flags say which; the status is unsigned). */
uint32_t history_row_status(const struct spool_run *r);

/* TAG_SIGNAL: the signal that ended R, or 0. */
uint32_t history_row_signal(const struct spool_run *r);

#endif
