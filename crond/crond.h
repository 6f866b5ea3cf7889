/* crond/crond.h: the daemon's one state struct.
 *
 * DESIGN: main() fills the first group before any thread starts; after that
 * it is read-only. The configuration can change on SIGHUP: the signal thread
 * replaces `cfg` under cfg_lock and bumps cfg_gen; other threads copy it
 * (crond_config_copy) when they see cfg_gen change, and never read `cfg`
 * without the lock. Threads talk only through the mailboxes (crond/mailbox.h):
 *   timer_box    -> timer thread      (struct timer_msg, crond/sched/timer.h)
 *   super_box    -> supervisor thread (struct super_msg, crond/run/supervisor.h)
 *   control_box  -> control thread    (stop requests)
 * The counters are atomics written by their owning thread and read by the
 * SIGUSR1 status line.
 *
 * Clusters (a shared spool, spool_is_shared): every spool connection the
 * daemon opens acts for `node` (crond_spool_open). The cluster thread
 * (crond/cluster/cluster.h) alone writes claims_refused, clock_skew_ms and
 * spool_down; the supervisor reads claims_refused before each claim batch,
 * the signal thread all three for the sd_notify status.
 */
#ifndef CROND_CROND_H
#define CROND_CROND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "crond/clock.h"
#include "crond/mailbox.h"
#include "lib/config.h"
#include "lib/tz.h"
#include "spool/spool.h"

#define CROND_HOSTNAME_MAX 256

struct cluster;
struct scheduler;
struct syscron;

struct crond {
	/* Set by main before the threads start; read-only afterwards. */
	const char *config_path;        /* --config, or NULL */
	bool foreground;                /* -n */
	struct crond_clock clock;
	struct tz *local_zone;          /* the daemon's zone ($TZ or /etc/localtime) */
	char hostname[CROND_HOSTNAME_MAX];
	double random_factor;           /* RANDOM_DELAY scale, fixed per run */
	char boot_id[64];               /* /proc/sys/kernel/random/boot_id */
	uint8_t random_secret[16];      /* the spool's secret for '~' picks (startup_load) */
	char node[SPOOL_NODE_MAX + 1];  /* this node's name: crond.conf's node, or the host name */
	bool spool_shared;              /* the spool is shared by several nodes (startup) */
	int64_t loaded_generation;      /* the last crontab change startup loaded */
	uint64_t job_nofile;            /* RLIMIT_NOFILE's soft limit as crond was
	                                   started, which its jobs get back; crond
	                                   raised its own to the hard limit */

	/* Configuration: see the DESIGN note. */
	pthread_mutex_t cfg_lock;
	struct config cfg;
	atomic_uint cfg_gen;

	struct mailbox timer_box;
	struct mailbox super_box;
	struct mailbox control_box;

	/* Status, for SIGUSR1. */
	atomic_size_t jobs_running;     /* written by the supervisor */
	atomic_size_t jobs_queued;      /* written by the supervisor */
	atomic_size_t entries;          /* written by the timer */
	atomic_size_t crontabs;         /* written by the timer: crontab sources */
	atomic_size_t at_jobs;          /* written by the timer */
	atomic_llong next_due;          /* written by the timer: seconds, or INT64_MAX */
	atomic_bool stopping;
	atomic_uint run_clients;        /* crontab --run clients held (control
	                                   thread adds, their last owner drops:
	                                   crond/control/runclient.h) */
#define CROND_RUN_ASKERS 64             /* >= RUNCLIENT_MAX */
	atomic_uint run_askers[CROND_RUN_ASKERS];   /* whose they are: uid + 1
	                                   each, 0 free (the control thread takes
	                                   one, the client's last owner frees it),
	                                   so a user's count is known when it asks */
	/* Cluster state, written by the cluster thread only (see DESIGN). */
	atomic_bool claims_refused;     /* clock skew over max_clock_skew: claim nothing */
	atomic_llong clock_skew_ms;     /* this node's clock minus the database's */
	atomic_bool spool_down;         /* the shared spool cannot be reached */

	/* Owned by main; the scheduler and the system-crontab watcher move to
	 * the timer thread when it starts (main keeps `sched_keep` to free the
	 * scheduler after joining it). */
	struct scheduler *sched;
	struct scheduler *sched_keep;
	struct syscron *syscron;
	int pidfile_fd;
	int listen_fd;                  /* the control socket, or -1 */
	bool listen_passed;             /* ... passed by systemd (crond/control/listenfd.h) */
	pthread_t timer_thread, super_thread, control_thread, signal_thread;
	struct cluster *cluster;        /* main: the cluster thread's, or NULL */
};

/* Copies the current configuration into OUT (under cfg_lock); returns the
 * generation it copied. */
unsigned crond_config_copy(struct crond *c, struct config *out);

/* Sets C->node from CFG (its node key, else the host name). 0, or -1 with
 * ERR when the host name is not a valid node name (then node = is needed). */
int crond_set_node(struct crond *c, const struct config *cfg, char *err, size_t errlen);

/* Opens a spool connection (spool_open with FLAGS) acting for C's node (if
 * C->node is set: main sets it before opening anything; else the spool's
 * default, the host name): every connection the daemon opens goes through
 * here. As spool_open. */
int crond_spool_open(const struct crond *c, const char *path, int flags, struct spool **out,
                     struct spool_err *err);

#endif
