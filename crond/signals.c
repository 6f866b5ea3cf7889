/* crond/signals.c: the signal thread (see signals.h). */
#include "crond/signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "crond/log.h"
#include "crond/notify.h"
#include "crond/sched/timer.h"

int signals_block_all(void)
{
	sigset_t all;
	sigfillset(&all);
	if (pthread_sigmask(SIG_BLOCK, &all, NULL) != 0)
		return -1;
	/* A write to a closed pipe must be an error, not a (pending) signal.
	 * Jobs get SIG_DFL back before exec (crond/run/runner.c). */
	struct sigaction sa = { .sa_handler = SIG_IGN };
	return sigaction(SIGPIPE, &sa, NULL);
}

static void reload(struct crond *c)
{
	struct config cfg;
	struct diag_list diags = { 0 };
	bool kept = false;
	if (config_load(c->config_path, &cfg, &diags) < 0) {
		kept = true;
		for (size_t i = 0; i < diags.count; i++) {
			char line[DIAG_MSG_MAX + 1100];
			diag_format(&diags.items[i], cfg.source[0] ? cfg.source : "crond.conf", line,
			            sizeof(line));
			log_msg(LOG_ERR, "%s", line);
		}
		log_msg(LOG_ERR, "configuration not reloaded: keeping the previous one");
		diag_list_clear(&diags);
	} else {
		pthread_mutex_lock(&c->cfg_lock);
		bool restart = strcmp(cfg.pidfile, c->cfg.pidfile) || strcmp(cfg.socket, c->cfg.socket) ||
		               strcmp(cfg.spool, c->cfg.spool);
		/* These are bound at start-up; changing them needs a restart. */
		memcpy(cfg.pidfile, c->cfg.pidfile, sizeof(cfg.pidfile));
		memcpy(cfg.socket, c->cfg.socket, sizeof(cfg.socket));
		memcpy(cfg.spool, c->cfg.spool, sizeof(cfg.spool));
		c->cfg = cfg;
		atomic_fetch_add(&c->cfg_gen, 1);
		pthread_mutex_unlock(&c->cfg_lock);
		if (restart)
			log_msg(LOG_WARNING, "pidfile, socket and spool changes take effect at the next start");
		log_open(cfg.log, c->foreground);
	}
	/* The system crontabs are read again either way (at the paths of
	 * the configuration in force). */
	log_msg(LOG_INFO, "(*system*) RELOAD (%s)",
	        kept ? "system crontabs; configuration kept" : "configuration, system crontabs");
	timer_post(c, TIMER_RELOAD);
}

static void *signal_main(void *arg)
{
	struct crond *c = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	/* Under systemd the status line (crond/notify.h) is looked at between
	 * signals, every NOTIFY_STATUS_SECONDS; otherwise this thread only
	 * ever wakes for a signal. */
	bool notify = notify_wanted();
	char status[NOTIFY_STATUS_MAX] = "";
	const struct timespec every = { NOTIFY_STATUS_SECONDS, 0 };
	for (;;) {
		int sig = notify ? sigtimedwait(&set, NULL, &every) : 0;
		if (notify && sig < 0) {
			if (errno == EAGAIN)
				notify_status_update(c, status);
			else if (errno != EINTR)
				log_msg(LOG_ERR, "sigtimedwait: %s", strerror(errno));
			continue;
		}
		int rc = notify ? 0 : sigwait(&set, &sig);
		if (rc != 0) {
			log_msg(LOG_ERR, "sigwait: %s", strerror(rc));
			continue;
		}
		if (sig == SIGHUP) {
			notify_state("RELOADING=1");
			reload(c);
			notify_state("READY=1");
		} else if (sig == SIGUSR1) {
			timer_post(c, TIMER_STATUS);
		} else {
			notify_state("STOPPING=1");
			log_msg(LOG_NOTICE, "(*system*) STOP (%s)", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			atomic_store(&c->stopping, true);
			return NULL;
		}
	}
}

int signals_start(struct crond *c)
{
	int rc = pthread_create(&c->signal_thread, NULL, signal_main, c);
	if (rc != 0) {
		log_msg(LOG_ERR, "cannot start the signal thread: %s", strerror(rc));
		return -1;
	}
	return 0;
}

void signals_wait_for_stop(struct crond *c)
{
	pthread_join(c->signal_thread, NULL);
}
