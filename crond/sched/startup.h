/* crond/sched/startup.h: loading everything before the threads start.
 *
 * Runs in main, single-threaded, with main's spool connection. Builds the
 * scheduler from the spool (every user crontab and waiting at job) and the
 * system crontabs; finishes at jobs that a crash interrupted (recorded as
 * interrupted, never run twice); queues the @reboot entries when this is
 * the first start since the machine booted (the boot id is kept in the
 * spool, so restarting crond does not rerun them); queues one catch-up run
 * of each CRON_CATCHUP=yes entry that missed runs while crond was down.
 * Runs it queues go to the supervisor's mailbox, read once it starts.
 */
#ifndef CROND_STARTUP_H
#define CROND_STARTUP_H

#include "crond/crond.h"
#include "spool/spool.h"

/* 0, or -1 with ERR (the daemon cannot start). Problems with single
 * crontabs or jobs are logged and skipped, never fatal. */
int startup_load(struct crond *c, struct spool *sp, char *err, size_t errlen);

#endif
