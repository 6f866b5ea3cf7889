/* crond/main.c: the daemon's start-up and shut-down.
 *
 *   crond [-n|-f] [-x] [-d] [--config FILE] [--test-clock EPOCH[:SPEED]]
 *   crond --import-debian [ROOT] [--config FILE]   (crond/import/import_debian.h)
 *
 * DESIGN: main reads the configuration, daemonizes (unless -n), takes the
 * singleton lock, blocks every signal, opens the spool, loads the schedule,
 * opens the control socket, starts the supervisor, timer, control and
 * signal threads (and, on a shared spool, the cluster thread: crond/cluster/cluster.h),
 * then waits for the signal thread to see SIGTERM/SIGINT
 * and stops the threads in order: control (no new requests), cluster, timer (no new
 * runs), supervisor (running jobs get SIGTERM, then SIGKILL after the grace
 * period; every outcome recorded), and then the node leaves the cluster
 * (cluster_leave). Exit status: 0 clean stop (or -x with no
 * error), 1 failure to start or errors found by -x, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "crond/clock.h"
#include "crond/cluster/cluster.h"
#include "crond/control/control.h"
#include "crond/crond.h"
#include "crond/daemonize.h"
#include "crond/import/import_debian.h"
#include "crond/log.h"
#include "crond/notify.h"
#include "crond/pidfile.h"
#include "crond/sched/scheduler.h"
#include "crond/signals.h"
#include "crond/sched/startup.h"
#include "crond/run/runner.h"
#include "crond/run/supervisor.h"
#include "crond/sched/syscron.h"
#include "crond/sched/timer.h"
#include "spool/spool.h"

struct options {
	bool foreground, check, debug, import;
	const char *config;
	const char *import_root;
	const char *test_clock;
};

static const char usage_text[] =
	"usage: crond [-n] [-x] [-d] [--config FILE] [--test-clock EPOCH[:SPEED]]\n"
	"       crond --import-debian [ROOT] [--config FILE]\n"
	"  -n, -f, --foreground  stay in the foreground (log to stderr)\n"
	"  -x             check the configuration and the system crontabs, then exit\n"
	"  -d             log debug lines too\n"
	"  --config FILE  read FILE instead of $CROND_CONF or /etc/crond.conf\n"
	"  --test-clock   run on a test clock starting at EPOCH, SPEED times real time\n"
	"  --import-debian [ROOT]  import the crontabs and at jobs of Debian's cron\n"
	"                 and at, or of cronie, from ROOT/var/spool (default /),\n"
	"                 report, exit\n"
	"  -V, --version  show the version\n"
	"  -h, --help     show this help\n";

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test-clock", required_argument, NULL, 't' },
		{ "import-debian", no_argument, NULL, 'I' },
		{ "foreground", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "nfxdVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': case 'f': o->foreground = true; break;
		case 'x': o->check = true; break;
		case 'd': o->debug = true; break;
		case 'c': o->config = optarg; break;
		case 't': {
			struct crond_clock check;   /* a usage error, found before -x */
			if (clock_init_test(&check, optarg) < 0) {
				fprintf(stderr, "crond: --test-clock: expected EPOCH[:SPEED], not '%s'\n",
				        optarg);
				return -1;
			}
			o->test_clock = optarg;
			break;
		}
		case 'I': o->import = true; break;
		case 'V': printf("crond %s\n", CROND_VERSION); exit(0);
		case 'h': fputs(usage_text, stdout); exit(0);
		default:
			fprintf(stderr, "crond: unknown or incomplete option '%s'\n%s", argv[optind - 1],
			        usage_text);
			return -1;
		}
	}
	if (o->import && optind < argc)
		o->import_root = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "crond: unexpected argument '%s'\n%s", argv[optind], usage_text);
		return -1;
	}
	return 0;
}

/* Descriptors 0-2 must be open, or the first files we open would take
 * their place. */
static void sanitize_stdio(void)
{
	for (int i = 0; i < 3; i++) {
		if (fcntl(i, F_GETFD) < 0) {
			int fd = open("/dev/null", O_RDWR);
			if (fd > 2)
				close(fd);
		}
	}
}

static int load_config(const struct options *o, struct config *cfg)
{
	struct diag_list diags = { 0 };
	int rc = config_load(o->config, cfg, &diags);
	bool named;
	const char *path = config_choose_path(o->config, &named);
	for (size_t i = 0; i < diags.count; i++) {
		char line[DIAG_MSG_MAX + CONFIG_PATH_MAX + 16];
		diag_format(&diags.items[i], path, line, sizeof(line));
		fprintf(stderr, "crond: %s\n", line);
	}
	diag_list_clear(&diags);
	return rc;
}

/* pam = yes needs root, the helper and the service file: say so before
 * any job fails for it. Returns 0, or -1 with ERR. */
static int check_pam(const struct config *cfg, char *err, size_t errlen)
{
	if (!cfg->pam)
		return 0;
	char service[CONFIG_PATH_MAX + 16];
	snprintf(service, sizeof(service), "/etc/pam.d/%s", cfg->pam_service);
	if (geteuid() != 0)
		snprintf(err, errlen, "pam = yes needs crond to run as root: every job will fail");
	else if (access(cfg->session_helper, X_OK) < 0)
		snprintf(err, errlen, "pam = yes: session_helper %s: %s", cfg->session_helper,
		         strerror(errno));
	else if (access(service, R_OK) < 0)
		snprintf(err, errlen, "pam = yes: PAM service %s: %s (pam_service = %s)", service,
		         strerror(errno), cfg->pam_service);
	else
		return 0;
	return -1;
}

static double random_factor(void)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)getpid() * 2654435761u;
	return (double)r / 4294967296.0;
}

#define CROND_NOFILE_MAX (1u << 20)   /* the kernel's default fs.nr_open */

/* Raises the soft descriptor limit to the hard one: the running jobs,
 * sendmail processes and clients crond's limits allow need more than the
 * usual 1024. The jobs get the soft limit back (runner.h); returns it. */
static uint64_t raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return RUNNER_NOFILE_KEEP;
	uint64_t soft = rl.rlim_cur, want = rl.rlim_max;
	if (want > CROND_NOFILE_MAX)
		want = CROND_NOFILE_MAX;   /* past fs.nr_open, setrlimit fails */
	if (soft >= want)
		return RUNNER_NOFILE_KEEP;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return RUNNER_NOFILE_KEEP;
	return soft;
}

/* Logs a warning when the descriptor limit is below what CFG's limits may
 * take: per job its output pipe, pidfd and start report, per sendmail two,
 * each control connection one, and a margin for the spool and the rest. */
static void check_fd_limit(const struct config *cfg)
{
	struct rlimit rl;
	uint64_t need = (uint64_t)cfg->max_jobs * 5 + CONTROL_MAX_CONNS + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need)
		log_msg(LOG_WARNING, "the descriptor limit (%llu) is below the %llu that max_jobs = "
		        "%u may need with its sendmail processes and clients: raise its hard "
		        "limit (LimitNOFILE= in the systemd unit, ulimit -Hn) or lower max_jobs",
		        (unsigned long long)rl.rlim_cur, (unsigned long long)need,
		        (unsigned)cfg->max_jobs);
}

static int init_state(struct crond *c, const struct options *o, const struct config *cfg,
                      char *err, size_t errlen)
{
	c->config_path = o->config;
	c->foreground = o->foreground;
	c->cfg = *cfg;
	c->pidfile_fd = c->listen_fd = -1;
	c->job_nofile = raise_fd_limit();
	atomic_store(&c->next_due, INT64_MAX);
	if (o->test_clock ? clock_init_test(&c->clock, o->test_clock) < 0
	                  : (clock_init_real(&c->clock), 0)) {
		snprintf(err, errlen, "--test-clock: expected EPOCH[:SPEED], not '%s'", o->test_clock);
		return -1;
	}
	log_use_clock(&c->clock);   /* log stamps and history from one clock */
	char zerr[256];
	c->local_zone = tz_load(NULL, zerr, sizeof(zerr));
	if (!c->local_zone) {
		snprintf(err, errlen, "local time zone: %s", zerr);
		return -1;
	}
	if (gethostname(c->hostname, sizeof(c->hostname)) < 0)
		snprintf(c->hostname, sizeof(c->hostname), "localhost");
	c->hostname[sizeof(c->hostname) - 1] = '\0';
	if (crond_set_node(c, cfg, err, errlen) < 0)
		return -1;
	c->random_factor = random_factor();
	if (pthread_mutex_init(&c->cfg_lock, NULL) != 0) {
		snprintf(err, errlen, "pthread_mutex_init failed");
		return -1;
	}
	return 0;
}

/* After daemonizing (which closes every inherited descriptor). */
static int init_mailboxes(struct crond *c, char *err, size_t errlen)
{
	if (mailbox_init(&c->timer_box) < 0 || mailbox_init(&c->super_box) < 0 ||
	    mailbox_init(&c->control_box) < 0) {
		snprintf(err, errlen, "cannot set up the threads' mailboxes: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A spool made before compaction came is rewritten once, here, before any
 * job runs (recorder.h gives free pages back), when it is at most
 * COMPACT_ENABLE_MAX_BYTES (about a second) and there is room for the
 * copy. Else it works as before, and the next start tries again. */
#define COMPACT_ENABLE_MAX_BYTES (64ULL * 1024 * 1024)

static void enable_compaction(struct spool *sp)
{
	struct spool_err e;
	bool rewritten;
	int64_t t0 = clock_mono_ns();
	int code = spool_compact_enable(sp, COMPACT_ENABLE_MAX_BYTES, &rewritten, &e);
	if (code != SPOOL_OK)
		log_msg(code == SPOOL_CONFLICT ? LOG_NOTICE : LOG_WARNING, "spool %s: not made able"
		        " to give free space back (tried again at the next start): %s",
		        spool_path(sp), e.msg);
	else if (rewritten)
		log_msg(LOG_INFO, "spool %s: rewritten once so that it gives free space back"
		        " (VACUUM, %lld ms)", spool_path(sp),
		        (long long)((clock_mono_ns() - t0) / 1000000));
}

/* Everything from the lock to running threads. */
static int start(struct crond *c, struct spool **sp, char *err, size_t errlen)
{
	pid_t other;
	c->pidfile_fd = pidfile_acquire(c->cfg.pidfile, &other, err, errlen);
	if (c->pidfile_fd < 0)
		return -1;
	struct spool_err e;
	if (crond_spool_open(c, c->cfg.spool, SPOOL_CREATE | SPOOL_CHECK, sp, &e) != SPOOL_OK) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	c->spool_shared = spool_is_shared(*sp);
	log_msg(LOG_INFO, "spool %s: %s", spool_path(*sp),
	        spool_checked(*sp) ? "checked" : "unchanged since the last clean stop, not checked again");
	enable_compaction(*sp);
	if (startup_load(c, *sp, err, errlen) < 0 || control_open(c, err, errlen) < 0)
		return -1;
	c->sched_keep = c->sched;
	/* First the cluster thread: its first heartbeat checks the clock
	 * before the supervisor claims anything (catch-up runs are queued). */
	if (c->spool_shared && cluster_start(c) < 0) {
		snprintf(err, errlen, "cannot start the cluster thread (see the log)");
		control_close(c);
		return -1;
	}
	if (supervisor_start(c) < 0) {
		snprintf(err, errlen, "cannot start the supervisor thread (see the log)");
		control_close(c);
		cluster_leave(c);
		return -1;
	}
	if (timer_start(c) < 0) {
		snprintf(err, errlen, "cannot start the timer thread (see the log)");
		control_close(c);
		cluster_stop(c);
		supervisor_stop(c);
		cluster_leave(c);
		return -1;
	}
	/* Main has no more use for its connection: the control thread takes
	 * it over rather than set up one of its own (start-up time). */
	struct spool *handed = *sp;
	*sp = NULL;
	bool control_up = control_start_with(c, handed) == 0;
	if (!control_up || signals_start(c) < 0) {
		snprintf(err, errlen, "cannot start the daemon's threads (see the log)");
		if (control_up)
			control_stop(c);
		else
			control_close(c);
		cluster_stop(c);
		timer_post(c, TIMER_STOP);
		pthread_join(c->timer_thread, NULL);
		supervisor_stop(c);
		cluster_leave(c);
		return -1;
	}
	return 0;
}

static void shut_down(struct crond *c, struct spool *sp)
{
	control_stop(c);
	cluster_stop(c);   /* before the timer: it posts to the timer's mailbox */
	timer_post(c, TIMER_STOP);
	pthread_join(c->timer_thread, NULL);
	supervisor_stop(c);
	cluster_leave(c);   /* every run recorded: the others need not reap it */
	scheduler_free(c->sched_keep);
	spool_close(sp);
	/* Every connection is closed now: the next start need not check a
	 * file that stays as it is (spool_mark_clean). */
	struct spool_err e;
	if (spool_mark_clean(c->cfg.spool, &e) != SPOOL_OK)
		log_msg(LOG_WARNING, "the next start will check the whole spool: %s", e.msg);
	log_msg(LOG_NOTICE, "(*system*) STOPPED (pid %d)", (int)getpid());
	pidfile_release(c->cfg.pidfile, c->pidfile_fd);
	tz_free(c->local_zone);
	log_close();
}

int main(int argc, char **argv)
{
	sanitize_stdio();
	struct options o = { 0 };
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	static struct config cfg;
	if (load_config(&o, &cfg) < 0)
		return 1;
	char perr[CONFIG_PATH_MAX * 2 + 64];
	int pam_ok = check_pam(&cfg, perr, sizeof(perr));
	if (o.check) {
		if (pam_ok < 0)
			fprintf(stderr, "crond: %s\n", perr);
		return syscron_check(&cfg) > 0 || pam_ok < 0 ? 1 : 0;
	}
	if (o.import) {
		log_open(cfg.log, false);
		int status = import_debian_run(&cfg, o.import_root, (int64_t)time(NULL));
		log_close();
		return status;
	}
	static struct crond c;
	char err[1024];
	if (init_state(&c, &o, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "crond: %s\n", err);
		return 1;
	}
	int report = -1;
	if (!o.foreground && (report = daemonize(err, sizeof(err))) < 0) {
		fprintf(stderr, "crond: %s\n", err);
		return 1;
	}
	log_open(c.cfg.log, o.foreground);
	log_set_debug(o.debug);
	/* Read before the threads start: afterwards c.cfg belongs to cfg_lock. */
	char source[CONFIG_PATH_MAX];
	snprintf(source, sizeof(source), "%s", c.cfg.source[0] ? c.cfg.source : "default configuration");
	struct spool *sp = NULL;
	if (init_mailboxes(&c, err, sizeof(err)) < 0 || signals_block_all() < 0 ||
	    start(&c, &sp, err, sizeof(err)) < 0) {
		if (o.foreground)
			fprintf(stderr, "crond: %s\n", err);
		else
			log_msg(LOG_ERR, "not started: %s", err);
		daemonize_report(report, err);
		spool_close(sp);
		return 1;
	}
	check_fd_limit(&cfg);   /* main's copy: c.cfg belongs to cfg_lock now */
	log_msg(LOG_NOTICE, "(*system*) START (pid %d, crond %s, %s%s)", (int)getpid(),
	        CROND_VERSION, source, c.clock.fake ? ", test clock" : "");
	if (pam_ok < 0)   /* not fatal: the jobs' FAIL lines will repeat it */
		log_msg(LOG_ERR, "%s", perr);
	daemonize_report(report, NULL);
	notify_state("READY=1");   /* the socket is served (crond/notify.h) */
	signals_wait_for_stop(&c);
	shut_down(&c, sp);
	return 0;
}
