/* crond/signals.h: the signal thread.
 *
 * DESIGN: main blocks every signal before creating any thread, so every
 * thread inherits the full mask and no signal handler exists anywhere. One
 * thread waits with sigwait(2) and turns signals into events:
 *   SIGHUP          re-read the configuration (a bad one is logged and the
 *                   old one kept), reopen the log, reload the system
 *                   crontabs (via the timer's mailbox);
 *   SIGTERM, SIGINT stop: the thread returns, and main shuts down;
 *   SIGUSR1         ask the timer to log a status line.
 */
#ifndef CROND_SIGNALS_H
#define CROND_SIGNALS_H

#include "crond/crond.h"

/* Blocks every signal in the calling thread (do it before any thread
 * starts) and ignores SIGPIPE. 0 or -1. */
int signals_block_all(void);

/* Starts the signal thread. 0 or -1 (logged). */
int signals_start(struct crond *c);

/* Waits until the signal thread has seen SIGTERM or SIGINT. */
void signals_wait_for_stop(struct crond *c);

#endif
