/* crond/cluster/cluster.c: the cluster thread (see cluster.h). */
#include "crond/cluster/cluster.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "crond/log.h"
#include "crond/notify.h"
#include "crond/run/runreq.h"
#include "crond/sched/timer.h"
#include "lib/crontab.h"

#define NS 1000000000LL
#define MS 1000000LL
#define CHANGES_BATCH 256

struct cluster {
	struct crond *c;
	struct spool *sp;
	struct config cfg;
	unsigned cfg_gen;
	pthread_t thread;
	int stop_fd;                /* eventfd: main asks the thread to go quiet or end */
	int ack_fd;                 /* eventfd (blocking): the thread has gone quiet */
	atomic_bool ending;         /* set by cluster_leave before it wakes the thread */
	int watch_fd;               /* the spool's watch, or -1 */
	int64_t generation;         /* the last crontab change seen */
	int64_t next_beat, next_resync, next_retry;   /* monotonic ns */
	int64_t backoff_ms;
	int64_t down_since;         /* monotonic ns, while down */
	bool down;
	bool refused;               /* claims refused for clock skew */
	bool quiet;                 /* the thread's: stopping, it only beats (and reaps) */
	bool quieted;               /* main's: cluster_stop has returned */
};

bool cluster_skew_ok(int64_t skew_ms, uint32_t max_skew_s)
{
	int64_t bound = (int64_t)max_skew_s * 1000;
	return skew_ms <= bound && skew_ms >= -bound;
}

int64_t cluster_beat_ms(uint32_t node_timeout_s)
{
	int64_t ms = (int64_t)node_timeout_s * 1000 / 5;
	return ms < CLUSTER_BEAT_MIN_MS ? CLUSTER_BEAT_MIN_MS : ms;
}

int64_t cluster_backoff_ms(int64_t prev_ms)
{
	if (prev_ms <= 0)
		return CLUSTER_BACKOFF_MIN_MS;
	return prev_ms * 2 > CLUSTER_BACKOFF_MAX_MS ? CLUSTER_BACKOFF_MAX_MS : prev_ms * 2;
}

/* Tells systemd at once (the signal thread repeats it every few seconds). */
static void send_status(struct cluster *k)
{
	if (!notify_wanted())
		return;
	char text[NOTIFY_STATUS_MAX], msg[NOTIFY_STATUS_MAX + 8];
	notify_status_text(k->c, text, sizeof(text));
	snprintf(msg, sizeof(msg), "STATUS=%s", text);
	notify_state(msg);
}

/* A spool call failed: the database is taken to be down until a heartbeat
 * answers again. */
static void went_down(struct cluster *k, const struct spool_err *e)
{
	int64_t mono = clock_mono_ns();
	if (!k->down) {
		log_msg(LOG_ERR, "(crond) SPOOL_DOWN (node %s: %s; claiming nothing, retrying)",
		        k->c->node, e->msg);
		k->down = true;
		k->down_since = mono;
		k->backoff_ms = 0;
		atomic_store(&k->c->spool_down, true);
		send_status(k);
	}
	k->watch_fd = -1;   /* lost with the connection: started again when up */
	k->backoff_ms = cluster_backoff_ms(k->backoff_ms);
	k->next_retry = mono + k->backoff_ms * MS;
}

/* Parses OWNER's crontab as installed and hands it to the timer. */
static void post_crontab(struct cluster *k, const struct spool_crontab *ct)
{
	if (ct->removed) {
		timer_post_remove_crontab(k->c, ct->owner, ct->generation, false);
		return;
	}
	struct crontab tab;
	struct diag_list diags = { 0 };
	if (crontab_parse_stored(ct->text, ct->len, crontab_user_format(ct->uid), &tab, &diags) < 0) {
		log_msg(LOG_ERR, "(%s) crontab in the spool does not parse (line %d: %s); not changed",
		        ct->owner, diags.count ? diags.items[0].line : 0,
		        diags.count ? diags.items[0].msg : "?");
		diag_list_clear(&diags);
		return;
	}
	char note[DIAG_MSG_MAX + 64];
	if (crontab_skipped_note(&tab, note, sizeof(note)))
		log_msg(LOG_WARNING, "(%s) crontab in the spool: %s", ct->owner, note);
	diag_list_clear(&diags);
	timer_post_crontab(k->c, ct->owner, &tab, ct->generation, false);   /* moves TAB */
}

static int sync_crontabs(struct cluster *k, struct spool_err *e)
{
	for (;;) {
		struct spool_crontab *v;
		size_t n;
		if (spool_crontab_changes(k->sp, k->generation, CHANGES_BATCH, &v, &n, e) != SPOOL_OK)
			return -1;
		if (n == 0)
			return 0;
		for (size_t i = 0; i < n; i++) {
			log_msg(LOG_DEBUG, "(%s) RESYNC (crontab %s, generation %lld)", v[i].owner,
			        v[i].removed ? "removed" : "installed", (long long)v[i].generation);
			post_crontab(k, &v[i]);
			k->generation = v[i].generation;
		}
		spool_crontabs_free(v, n);
	}
}

static int sync_at_jobs(struct cluster *k, struct spool_err *e)
{
	timer_post(k->c, TIMER_AT_MARK);   /* before the list is read (resync.h) */
	struct spool_at_filter all = { .all_owners = true };
	struct spool_at_summary *v;
	size_t n;
	if (spool_at_list(k->sp, &all, &v, &n, e) != SPOOL_OK)
		return -1;
	struct resync_at *list = malloc((n ? n : 1) * sizeof(*list));
	if (!list) {
		free(v);
		log_msg(LOG_ERR, "out of memory: at jobs not resynced (the next resync retries)");
		return 0;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].state == SPOOL_AT_WAITING)
			list[m++] = (struct resync_at){ v[i].id, v[i].queue, v[i].run_at,
			                                (uint32_t)v[i].uid };
	free(v);
	timer_post_at_sync(k->c, list, m);   /* moves LIST */
	return 0;
}

/* Crontabs changed since the last generation seen, and the waiting at jobs. */
static void resync(struct cluster *k)
{
	struct spool_err e;
	k->next_resync = clock_mono_ns() + (int64_t)k->cfg.cluster_resync * NS;
	if (sync_crontabs(k, &e) < 0 || sync_at_jobs(k, &e) < 0)
		went_down(k, &e);
}

static void check_skew(struct cluster *k, int64_t skew_ms)
{
	bool ok = cluster_skew_ok(skew_ms, k->cfg.max_clock_skew);
	atomic_store(&k->c->clock_skew_ms, skew_ms);
	if (ok == !k->refused)
		return;
	k->refused = !ok;
	atomic_store(&k->c->claims_refused, k->refused);
	if (k->refused)
		log_msg(LOG_ERR, "(crond) CLOCK_SKEW node %s differs from the database by %lld ms, "
		        "more than max_clock_skew %us: claiming nothing", k->c->node,
		        (long long)skew_ms, k->cfg.max_clock_skew);
	else
		log_msg(LOG_NOTICE, "(crond) CLOCK_SKEW node %s is back within max_clock_skew %us of "
		        "the database (%+lld ms): claiming again", k->c->node, k->cfg.max_clock_skew,
		        (long long)skew_ms);
	send_status(k);
}

static void reap(struct cluster *k)
{
	char **lost;
	size_t n;
	struct spool_err e;
	if (spool_node_reap(k->sp, (int64_t)k->cfg.node_timeout * 1000, &lost, &n, &e) !=
	    SPOOL_OK) {
		went_down(k, &e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		log_msg(LOG_WARNING, "(crond) NODE_LOST node %s: its running jobs recorded interrupted",
		        lost[i]);
		free(lost[i]);
	}
	free(lost);
}

/* The heartbeat; false when the spool did not answer. */
static bool beat(struct cluster *k)
{
	struct spool_err e;
	int64_t before = clock_now_ns(&k->c->clock), db_ms = 0;
	int rc = spool_node_beat(k->sp, before / MS, &db_ms, &e);
	int64_t after = clock_now_ns(&k->c->clock);
	k->next_beat = clock_mono_ns() + cluster_beat_ms(k->cfg.node_timeout) * MS;
	if (rc != SPOOL_OK) {
		went_down(k, &e);
		return false;
	}
	/* The database read its clock between BEFORE and AFTER. */
	check_skew(k, (before + (after - before) / 2) / MS - db_ms);
	return true;
}

static void start_watch(struct cluster *k)
{
	struct spool_err e;
	int fd;
	if (spool_watch_start(k->sp, &fd, &e) != SPOOL_OK) {
		went_down(k, &e);
		return;
	}
	k->watch_fd = fd;
}

/* Down: one heartbeat as a probe; back up, everything is resynced. */
static void retry(struct cluster *k)
{
	if (!beat(k))
		return;
	int64_t secs = (clock_mono_ns() - k->down_since) / NS;
	k->down = false;
	atomic_store(&k->c->spool_down, false);
	log_msg(LOG_NOTICE, "(crond) SPOOL_UP (node %s: the spool answers again after %llds; "
	        "%s)", k->c->node, (long long)secs, k->quiet ? "stopping" : "resyncing");
	send_status(k);
	if (k->quiet)
		return;   /* the heartbeat is all a stopping node still does */
	/* Wake the supervisor: it claims again the runs it kept (CRON_CATCHUP). */
	struct run_request *wake = runreq_sweep();
	if (wake)
		mailbox_post(&k->c->super_box, &wake->link);
	start_watch(k);
	if (!k->down)
		resync(k);
	if (!k->down)
		reap(k);
}

static void on_watch(struct cluster *k)
{
	bool changed = false;
	struct spool_err e;
	if (spool_watch_drain(k->sp, &changed, &e) != SPOOL_OK) {
		went_down(k, &e);
		return;
	}
	if (changed && !k->quiet)
		resync(k);
}

/* Milliseconds until the next thing to do (poll's timeout). */
static int next_wait_ms(const struct cluster *k)
{
	int64_t wake = k->down ? k->next_retry
	               : k->quiet || k->next_beat < k->next_resync ? k->next_beat : k->next_resync;
	int64_t d = (wake - clock_mono_ns() + MS - 1) / MS;
	return d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
}

/* Main stops the timer next: from now on nothing is posted to it, nor to
 * the supervisor; the heartbeat goes on, so a node that waits out
 * stop_grace for its jobs is not taken for lost. Main waits for the ack. */
static void go_quiet(struct cluster *k)
{
	if (k->quiet)
		return;
	k->quiet = true;
	uint64_t one = 1;
	if (write(k->ack_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_msg(LOG_ERR, "cluster: cannot answer the stop: %s", strerror(errno));
}

static void *cluster_main(void *arg)
{
	struct cluster *k = arg;
	if (!k->down)
		start_watch(k);
	if (!k->down) {
		resync(k);   /* what changed between start-up's load and now */
		if (!k->down)
			reap(k);
	}
	for (;;) {
		if (atomic_load(&k->c->cfg_gen) != k->cfg_gen)
			k->cfg_gen = crond_config_copy(k->c, &k->cfg);
		struct pollfd p[2] = {
			{ .fd = k->stop_fd, .events = POLLIN },
			{ .fd = k->watch_fd, .events = POLLIN },
		};
		int n = poll(p, k->watch_fd >= 0 ? 2 : 1, next_wait_ms(k));
		if (n < 0 && errno != EINTR)
			log_msg(LOG_ERR, "cluster: poll: %s", strerror(errno));
		if (n > 0 && (p[0].revents & POLLIN)) {
			uint64_t v;
			if (read(k->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				log_msg(LOG_ERR, "cluster: read eventfd: %s", strerror(errno));
			if (atomic_load(&k->ending))
				break;
			go_quiet(k);
		}
		if (n > 0 && k->watch_fd >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP)))
			on_watch(k);
		int64_t mono = clock_mono_ns();
		if (k->down) {
			if (mono >= k->next_retry)
				retry(k);
			continue;
		}
		if (mono >= k->next_beat && beat(k))
			reap(k);
		if (!k->down && !k->quiet && mono >= k->next_resync)
			resync(k);
	}
	return NULL;
}

static void cluster_free(struct cluster *k)
{
	if (!k)
		return;
	spool_close(k->sp);
	if (k->stop_fd >= 0)
		close(k->stop_fd);
	if (k->ack_fd >= 0)
		close(k->ack_fd);
	free(k);
}

int cluster_start(struct crond *c)
{
	struct cluster *k = calloc(1, sizeof(*k));
	if (!k) {
		log_msg(LOG_ERR, "out of memory starting the cluster thread");
		return -1;
	}
	k->c = c;
	k->watch_fd = -1;
	k->cfg_gen = crond_config_copy(c, &k->cfg);
	k->generation = c->loaded_generation;
	atomic_init(&k->ending, false);
	k->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	k->ack_fd = eventfd(0, EFD_CLOEXEC);
	struct spool_err e;
	if (k->stop_fd < 0 || k->ack_fd < 0) {
		log_msg(LOG_ERR, "cannot start the cluster thread: eventfd: %s", strerror(errno));
		cluster_free(k);
		return -1;
	}
	if (crond_spool_open(c, k->cfg.spool, 0, &k->sp, &e) != SPOOL_OK) {
		log_msg(LOG_ERR, "cannot start the cluster thread: %s", e.msg);
		cluster_free(k);
		return -1;
	}
	log_msg(LOG_INFO, "(crond) CLUSTER (node %s on a shared spool: node_timeout %us, "
	        "max_clock_skew %us, cluster_resync %us, cluster_spread %ums)", c->node,
	        k->cfg.node_timeout, k->cfg.max_clock_skew, k->cfg.cluster_resync,
	        k->cfg.cluster_spread);
	/* The first heartbeat, here: no run is claimed before the clock is
	 * checked (main starts the supervisor after this). */
	(void)beat(k);
	int rc = pthread_create(&k->thread, NULL, cluster_main, k);
	if (rc != 0) {
		log_msg(LOG_ERR, "cannot start the cluster thread: %s", strerror(rc));
		cluster_free(k);
		return -1;
	}
	c->cluster = k;
	return 0;
}

static bool wake_thread(struct cluster *k)
{
	uint64_t one = 1;
	if (write(k->stop_fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		return true;
	log_msg(LOG_ERR, "cluster: cannot wake the thread to stop: %s", strerror(errno));
	return false;
}

void cluster_stop(struct crond *c)
{
	struct cluster *k = c->cluster;
	if (!k || k->quieted)
		return;
	k->quieted = true;
	if (!wake_thread(k))
		return;
	uint64_t v;
	while (read(k->ack_fd, &v, sizeof(v)) < 0) {
		if (errno != EINTR) {
			log_msg(LOG_ERR, "cluster: waiting for the thread to stop: %s", strerror(errno));
			return;
		}
	}
}

void cluster_leave(struct crond *c)
{
	struct cluster *k = c->cluster;
	if (!k)
		return;
	cluster_stop(c);
	atomic_store(&k->ending, true);
	if (!wake_thread(k))
		return;   /* it still uses its connection: the others reap this node */
	pthread_join(k->thread, NULL);
	struct spool_err e;
	int rc = spool_node_leave(k->sp, &e);
	if (rc == SPOOL_OK)
		log_msg(LOG_NOTICE, "(crond) NODE_LEAVE (node %s left the cluster)", c->node);
	else if (rc == SPOOL_CONFLICT)
		log_msg(LOG_WARNING, "(crond) NODE_LEAVE node %s did not leave the cluster: %s",
		        c->node, e.msg);
	else
		log_msg(LOG_ERR, "(crond) NODE_LEAVE node %s could not leave the cluster: %s "
		        "(the others take it for lost after node_timeout)", c->node, e.msg);
	cluster_free(k);
	c->cluster = NULL;
}
