/* tests/unit/test_control.c: crond's control thread (crond/control/control.h),
 * driven over its real socket with the real client code.
 *
 * THREADED TEST: each test starts the control thread on a private socket
 * and spool in a temporary directory, with short deadlines. Requests "as
 * another user" run in a forked child that drops to that uid, so the
 * kernel's SO_PEERCRED names it (the suite runs as root; uid 65534 is
 * nobody). The timer thread is not running: the tests take its mailbox
 * and check what the control thread posted there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crond/control/control.h"
#include "crond/control/control_handlers.h"
#include "crond/control/runclient.h"
#include "crond/crond.h"
#include "crond/log.h"
#include "crond/sched/scheduler.h"
#include "crond/sched/timer.h"
#include "lib/client.h"
#include "lib/history_cursor.h"
#include "lib/proto_client.h"
#include "lib/proto_msgs.h"
#include "spool/spool.h"

#define NOBODY 65534
#define NO_USER 54321             /* a uid with no passwd entry */
#define MAX_MSGS 64

struct fx {
	char dir[64];
	char path[256];               /* scratch for path building */
	struct crond *c;
	struct timer_msg *msgs[MAX_MSGS];
	size_t n_msgs;
	const char *want_fs;          /* mount options of a tmpfs for the spool */
	bool mounted;                 /* the spool's directory is that tmpfs */
};

/* ------------------------------------------------------------ fixture */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *in_dir(struct fx *f, const char *name)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
	return f->path;
}

static void write_file(struct fx *f, const char *name, const char *text)
{
	FILE *fp = fopen(in_dir(f, name), "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void set_path(struct fx *f, char *field, const char *name)
{
	snprintf(field, CONFIG_PATH_MAX, "%s/%s", f->dir, name);
}

static struct crond *crond_new(struct fx *f)
{
	struct crond *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	assert_int_equal(pthread_mutex_init(&c->cfg_lock, NULL), 0);
	config_defaults(&c->cfg);
	set_path(f, c->cfg.socket, "sock");
	set_path(f, c->cfg.spool, "spool/crond.db");
	set_path(f, c->cfg.cron_allow, "cron.allow");
	set_path(f, c->cfg.cron_deny, "cron.deny");
	set_path(f, c->cfg.at_allow, "at.allow");
	set_path(f, c->cfg.at_deny, "at.deny");
	assert_int_equal(mailbox_init(&c->timer_box), 0);
	assert_int_equal(mailbox_init(&c->super_box), 0);
	assert_int_equal(mailbox_init(&c->control_box), 0);
	clock_init_real(&c->clock);
	char err[256];
	c->local_zone = tz_load("UTC", err, sizeof(err));
	assert_non_null(c->local_zone);
	c->listen_fd = -1;
	return c;
}

static void free_timer_item(struct mailbox_item *it)
{
	struct timer_msg *m = (struct timer_msg *)(void *)it;
	crontab_free(&m->tab);
	free(m->owner);
	free(m);
}

static void crond_free(struct crond *c)
{
	mailbox_destroy(&c->timer_box, free_timer_item);
	mailbox_destroy(&c->super_box, NULL);
	mailbox_destroy(&c->control_box, NULL);
	tz_free(c->local_zone);
	pthread_mutex_destroy(&c->cfg_lock);
	free(c);
}

/* Starts the thread with LIM, after TWEAK (may be NULL) changed the
 * configuration, with the spool's directory on a tmpfs mounted with FS
 * (when not NULL and running as root). */
static int setup_fs(void **state, const struct control_limits *lim,
                    void (*tweak)(struct config *), const char *fs)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_control.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(chmod(f->dir, 0755), 0);   /* nobody reaches the socket */
	f->want_fs = fs;
	f->c = crond_new(f);
	if (tweak != NULL)
		tweak(&f->c->cfg);
	if (f->want_fs != NULL && geteuid() == 0) {
		assert_int_equal(mkdir(in_dir(f, "spool"), 0700), 0);
		f->mounted = mount("tmpfs", f->path, "tmpfs", MS_NOSUID | MS_NODEV,
		                   f->want_fs) == 0;
	}
	struct spool *sp;
	struct spool_err serr;
	assert_int_equal(spool_open(f->c->cfg.spool, SPOOL_CREATE, &sp, &serr), 0);
	spool_close(sp);
	char err[256];
	assert_int_equal(control_open(f->c, err, sizeof(err)), 0);
	assert_int_equal(control_start_limits(f->c, lim), 0);
	*state = f;
	return 0;
}

static int setup_cfg(void **state, const struct control_limits *lim,
                     void (*tweak)(struct config *))
{
	return setup_fs(state, lim, tweak, NULL);
}

static int setup_limits(void **state, const struct control_limits *lim)
{
	return setup_cfg(state, lim, NULL);
}

static void test_limits(struct control_limits *lim)
{
	control_default_limits(lim);
	lim->request_ms = 300;
	lim->idle_ms = 5000;
	lim->drain_ms = 500;
	lim->linger_ms = 300;
}

static int setup(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	return setup_limits(state, &lim);
}

static int setup_short_idle(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	lim.idle_ms = 300;
	return setup_limits(state, &lim);
}

/* Idle connections are dropped as late as crond allows (the flood test). */
static int setup_long_idle(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	lim.idle_ms = CONTROL_IDLE_MS;
	return setup_limits(state, &lim);
}

static int setup_small_budget(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	lim.max_request = 4096;
	lim.inflight_max = 6000;      /* one uid's share: 1500 */
	lim.request_ms = 5000;        /* the holders' partial requests wait */
	return setup_limits(state, &lim);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	control_stop(f->c);
	struct stat st;
	assert_int_equal(lstat(f->c->cfg.socket, &st), -1);  /* unlinked */
	for (size_t i = 0; i < f->n_msgs; i++)
		free_timer_item(&f->msgs[i]->link);
	crond_free(f->c);
	if (f->mounted && umount(in_dir(f, "spool")) != 0)
		umount2(f->path, MNT_DETACH);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Takes what the control thread posted to the timer since the last call. */
static void take_timer(struct fx *f)
{
	for (struct mailbox_item *it = mailbox_take_all(&f->c->timer_box); it;) {
		struct mailbox_item *next = it->next;
		assert_true(f->n_msgs < MAX_MSGS);
		f->msgs[f->n_msgs++] = (struct timer_msg *)(void *)it;
		it = next;
	}
}

static size_t count_msgs(struct fx *f, enum timer_msg_kind kind)
{
	take_timer(f);
	size_t n = 0;
	for (size_t i = 0; i < f->n_msgs; i++)
		n += f->msgs[i]->kind == kind;
	return n;
}

/* The last message of KIND (the test fails if there is none). */
static const struct timer_msg *last_msg(struct fx *f, enum timer_msg_kind kind)
{
	take_timer(f);
	for (size_t i = f->n_msgs; i > 0; i--)
		if (f->msgs[i - 1]->kind == kind)
			return f->msgs[i - 1];
	fail_msg("no timer message of kind %d", (int)kind);
	abort();                                    /* not reached */
}

/* ------------------------------------------------------------ requests */

/* What a request got back. TEXT: TAG_TEXT or the first TAG_DIAG; USER:
 * the reply's own TAG_USER; rows: each row's TAG_ERROR_CODE,
 * TAG_ERROR_TEXT, TAG_USER, TAG_QUEUE. */
struct result {
	int rc;                  /* client_call: 0 OK, -1 error reply or failure */
	uint32_t code;
	char err[512];
	char user[64];
	size_t n_diag;
	char text[2048];
	size_t text_len;
	int64_t job_id;
	uint32_t count;          /* TAG_COUNT of the reply, 0 if absent */
	size_t n_rows;
	struct {
		int64_t id, time;
		uint32_t code;
		char text[128], user[64], queue[4], state[16];
		size_t output_len;
		int64_t output_size;
	} rows[8];
};

static void copy_str(const struct proto_msg *m, uint16_t tag, char *dst, size_t size)
{
	struct proto_field fl;
	dst[0] = '\0';
	if (proto_find(m, tag, &fl, NULL) == PROTO_OK)
		snprintf(dst, size, "%.*s", (int)fl.len, (const char *)fl.data);
}

static void read_rows(const struct proto_msg *m, struct result *r)
{
	struct proto_iter it;
	struct proto_field fl;
	proto_iter_init(&it, m, TAG_ROW);
	while (proto_iter_next(&it, &fl)) {
		struct proto_msg row;
		size_t i = r->n_rows++;
		if (i >= 8 || proto_field_nested(&fl, &row, NULL) != PROTO_OK)
			continue;
		(void)proto_get_i64(&row, TAG_JOB_ID, &r->rows[i].id, NULL);
		(void)proto_get_i64(&row, TAG_TIME, &r->rows[i].time, NULL);
		(void)proto_get_u32(&row, TAG_ERROR_CODE, &r->rows[i].code, NULL);
		(void)proto_get_i64(&row, TAG_OUTPUT_SIZE, &r->rows[i].output_size, NULL);
		copy_str(&row, TAG_ERROR_TEXT, r->rows[i].text, sizeof(r->rows[i].text));
		copy_str(&row, TAG_USER, r->rows[i].user, sizeof(r->rows[i].user));
		copy_str(&row, TAG_QUEUE, r->rows[i].queue, sizeof(r->rows[i].queue));
		copy_str(&row, TAG_STATE, r->rows[i].state, sizeof(r->rows[i].state));
		const uint8_t *p;
		(void)proto_get_bytes(&row, TAG_OUTPUT, &p, &r->rows[i].output_len, NULL);
	}
}

/* Sends REQ (consumed) on a new connection; no cmocka asserts, so a forked
 * child may use it. */
static void do_call(const struct config *cfg, struct proto_buf *req, struct result *r)
{
	struct client cl;
	struct proto_msg reply = { 0 };
	int no_daemon;
	memset(r, 0, sizeof(*r));
	if (client_open(cfg, &cl, &no_daemon, r->err, sizeof(r->err)) < 0) {
		proto_buf_free(req);
		r->rc = -2;
		return;
	}
	r->rc = client_call(&cl, req, &reply, &r->code, r->err, sizeof(r->err));
	client_close(&cl);
	const uint8_t *p;
	if (proto_get_bytes(&reply, TAG_TEXT, &p, &r->text_len, NULL) == PROTO_OK)
		snprintf(r->text, sizeof(r->text), "%.*s", (int)r->text_len, (const char *)p);
	else
		copy_str(&reply, TAG_DIAG, r->text, sizeof(r->text));
	r->n_diag = proto_count(&reply, TAG_DIAG);
	(void)proto_get_i64(&reply, TAG_JOB_ID, &r->job_id, NULL);
	(void)proto_get_u32(&reply, TAG_COUNT, &r->count, NULL);
	copy_str(&reply, TAG_USER, r->user, sizeof(r->user));
	read_rows(&reply, r);
	proto_msg_free(&reply);
}

/* As root, in this process. */
static void call(struct fx *f, struct proto_buf *req, struct result *r)
{
	do_call(&f->c->cfg, req, r);
	assert_true(r->rc != -2);
}

/* As UID (group GID), from a forked child. */
static void call_as(struct fx *f, uid_t uid, gid_t gid, struct proto_buf *req,
                    struct result *r)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct result res;
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			_exit(90);
		do_call(&f->c->cfg, req, &res);
		_exit(write(p[1], &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 91);
	}
	proto_buf_free(req);
	close(p[1]);
	size_t got = 0;
	while (got < sizeof(*r)) {
		ssize_t n = read(p[0], (char *)r + got, sizeof(*r) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, sizeof(*r));
	assert_true(r->rc != -2);
}

static void nobody(struct fx *f, struct proto_buf *req, struct result *r)
{
	call_as(f, NOBODY, NOBODY, req, r);
}

static struct proto_buf req_new(uint16_t type)
{
	struct proto_buf b;
	assert_int_equal(proto_buf_init(&b, type), PROTO_OK);
	return b;
}

static struct proto_buf crontab_req(uint16_t type, const char *user, const char *text,
                                    size_t len)
{
	struct proto_buf b = req_new(type);
	if (user)
		proto_buf_add_str(&b, TAG_USER, user);
	if (text)
		proto_buf_add_bytes(&b, TAG_TEXT, text, len);
	return b;
}

static void expect_error(const struct result *r, uint32_t code, const char *text)
{
	if (r->rc != -1 || r->code != code || (text && !strstr(r->err, text)))
		fail_msg("expected error %u '%s', got rc %d code %u '%s'", code, text ? text : "",
		         r->rc, r->code, r->err);
}

static void expect_ok(const struct result *r)
{
	if (r->rc != 0)
		fail_msg("expected OK, got rc %d code %u '%s'", r->rc, r->code, r->err);
}

static void install(struct fx *f, const char *user, const char *text, struct result *r)
{
	struct proto_buf b = crontab_req(MSG_CRONTAB_INSTALL, user, text, strlen(text));
	call(f, &b, r);
}

/* An at job for ID's caller: queue Q at RUN_AT, running SCRIPT (LEN
 * bytes). */
static struct proto_buf at_req_script(const char *queue, int64_t run_at, const char *script,
                                      size_t len)
{
	struct proto_buf b = req_new(MSG_AT_SUBMIT);
	proto_buf_add_str(&b, TAG_QUEUE, queue);
	proto_buf_add_i64(&b, TAG_TIME, run_at);
	proto_buf_add_bytes(&b, TAG_SCRIPT, script, len);
	proto_buf_add_str(&b, TAG_ENV, "PATH=/usr/bin:/bin");
	proto_buf_add_str(&b, TAG_ENV, "LANG=C.UTF-8");
	proto_buf_add_str(&b, TAG_CWD, "/tmp");
	proto_buf_add_u32(&b, TAG_UMASK, 022);
	proto_buf_add_u32(&b, TAG_MAIL, MAIL_ALWAYS);
	return b;
}

static struct proto_buf at_req(const char *queue, int64_t run_at)
{
	return at_req_script(queue, run_at, "echo hi\n", 8);
}

/* ------------------------------------------------------------ raw sockets */

static int raw_connect(struct fx *f)
{
	int fd;
	struct proto_error err;
	assert_int_equal(proto_client_connect(f->c->cfg.socket, 2000, &fd, &err), PROTO_OK);
	return fd;
}

static void raw_send(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void raw_header(int fd, uint32_t magic, uint16_t version, uint16_t type, uint32_t len)
{
	uint8_t h[PROTO_HEADER_SIZE];
	struct proto_header hd = { magic, version, type, len };
	proto_header_encode(&hd, h);
	raw_send(fd, h, sizeof(h));
}

/* The next thing on FD is a FATAL reply containing TEXT, then the end. */
static void expect_fatal(int fd, const char *text)
{
	struct proto_msg m = { 0 };
	struct proto_error err = { 0 };
	enum proto_code rc = proto_client_recv(fd, &m, PROTO_MAX_PAYLOAD, 3000, &err);
	if ((rc != PROTO_E_REMOTE && rc != PROTO_E_VERSION) || !strstr(err.msg, text))
		fail_msg("expected FATAL '%s', got %s '%s'", text, proto_code_name(rc), err.msg);
	rc = proto_client_recv(fd, &m, PROTO_MAX_PAYLOAD, 3000, &err);
	assert_true(rc == PROTO_E_EOF || rc == PROTO_E_IO);
}

static void expect_ping(struct fx *f)
{
	struct proto_buf b = req_new(MSG_PING);
	struct result r;
	call(f, &b, &r);
	expect_ok(&r);
}

/* ------------------------------------------------------------ ping, crontabs */

static void test_ping_reports_version_and_pid(void **state)
{
	struct fx *f = *state;
	struct client cl;
	struct proto_msg reply;
	uint32_t code, pid = 0;
	int nd;
	char err[256];
	assert_int_equal(client_open(&f->c->cfg, &cl, &nd, err, sizeof(err)), 0);
	struct proto_buf b = req_new(MSG_PING);
	assert_int_equal(client_call(&cl, &b, &reply, &code, err, sizeof(err)), 0);
	char *version = NULL;
	assert_int_equal(proto_get_str(&reply, TAG_VERSION_TEXT, &version, NULL), PROTO_OK);
	assert_true(version[0] != '\0');
	assert_int_equal(proto_get_u32(&reply, TAG_PID, &pid, NULL), PROTO_OK);
	assert_int_equal(pid, (uint32_t)getpid());
	free(version);
	proto_msg_free(&reply);
	client_close(&cl);
}

static void test_crontab_round_trip_is_byte_for_byte(void **state)
{
	struct fx *f = *state;
	/* CRLF, a tab, no final newline: given back exactly. */
	static const char text[] = "# mine\r\nMAILTO=\"\"\n*/5 * * * *\t/bin/true\n0 1 * * * date";
	struct result r;
	install(f, NULL, text, &r);
	expect_ok(&r);
	const struct timer_msg *m = last_msg(f, TIMER_SET_CRONTAB);
	assert_string_equal(m->owner, "root");
	assert_int_equal(m->tab.n_entries, 2);

	struct proto_buf b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.text_len, strlen(text));
	assert_memory_equal(r.text, text, strlen(text));

	b = crontab_req(MSG_CRONTAB_REMOVE, NULL, NULL, 0);
	call(f, &b, &r);
	expect_ok(&r);
	m = last_msg(f, TIMER_REMOVE_CRONTAB);
	assert_string_equal(m->owner, "root");

	b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, "no crontab for root");
	b = crontab_req(MSG_CRONTAB_REMOVE, NULL, NULL, 0);
	call(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, "no crontab for root");
	assert_int_equal(count_msgs(f, TIMER_REMOVE_CRONTAB), 1);
}

/* The reply comes after the timer has the crontab, and quickly: a crontab
 * installed at hh:mm:59.75 must run at hh:mm+1. */
static void test_install_reaches_the_timer_within_milliseconds(void **state)
{
	struct fx *f = *state;
	struct result r;
	int64_t worst = 0;
	for (int i = 0; i < 5; i++) {
		int64_t start = mono_ms();
		install(f, NULL, "* * * * * /bin/true\n", &r);
		int64_t took = mono_ms() - start;
		expect_ok(&r);
		assert_int_equal(count_msgs(f, TIMER_SET_CRONTAB), (size_t)i + 1);
		worst = took > worst ? took : worst;
	}
	print_message("install round trip: worst %lld ms\n", (long long)worst);
	assert_true(worst < 200);
}

static void test_invalid_crontab_is_refused_with_one_diag_per_problem(void **state)
{
	struct fx *f = *state;
	struct result r;
	install(f, NULL, "61 * * * * /bin/true\nnot a line\n0 0 30 2 * never\n", &r);
	expect_error(&r, MSGE_INVALID, "crontab has 2 errors");
	assert_int_equal(r.n_diag, 3);                 /* 2 errors and a warning */
	assert_true(strncmp(r.text, "1:", 2) == 0);
	assert_int_equal(count_msgs(f, TIMER_SET_CRONTAB), 0);
	struct proto_buf b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, NULL);        /* nothing was stored */

	install(f, NULL, "CRON_TZ=Mars/Olympus\n* * * * * x\n", &r);
	expect_error(&r, MSGE_INVALID, "crontab has 1 error");
	assert_true(strncmp(r.text, "1:", 2) == 0);
}

static void test_warnings_come_back_with_an_accepted_crontab(void **state)
{
	struct fx *f = *state;
	struct result r;
	install(f, NULL, "* * * * * ok\n0 0 30 2 * never\n", &r);
	expect_ok(&r);
	assert_int_equal(r.n_diag, 1);
	assert_true(strncmp(r.text, "2:1:warning: ", 13) == 0);
}

static void test_root_may_name_any_existing_user(void **state)
{
	struct fx *f = *state;
	struct result r;
	install(f, "nobody", "@daily /bin/true\n", &r);
	expect_ok(&r);
	assert_string_equal(last_msg(f, TIMER_SET_CRONTAB)->owner, "nobody");
	struct proto_buf b = crontab_req(MSG_CRONTAB_GET, "nobody", NULL, 0);
	call(f, &b, &r);
	expect_ok(&r);
	assert_string_equal(r.text, "@daily /bin/true\n");
	install(f, "no-such-user-x", "@daily /bin/true\n", &r);
	expect_error(&r, MSGE_NOT_FOUND, "no such user 'no-such-user-x'");
}

static void test_a_user_acts_only_on_their_own_crontab(void **state)
{
	struct fx *f = *state;
	struct result r;
	install(f, NULL, "@daily root-only\n", &r);
	expect_ok(&r);
	static const uint16_t types[] = { MSG_CRONTAB_INSTALL, MSG_CRONTAB_GET,
	                                  MSG_CRONTAB_REMOVE, MSG_HISTORY, MSG_AT_LIST };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct proto_buf b = crontab_req(types[i], "root", "@daily evil\n", 12);
		nobody(f, &b, &r);
		expect_error(&r, MSGE_PERM, "only root may name another user");
	}
	struct proto_buf b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	nobody(f, &b, &r);                              /* their own: none */
	expect_error(&r, MSGE_NOT_FOUND, "no crontab for nobody");
	b = crontab_req(MSG_CRONTAB_INSTALL, "nobody", "@hourly mine\n", 13);
	nobody(f, &b, &r);                              /* naming oneself is fine */
	expect_ok(&r);
	b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call(f, &b, &r);                                /* root's is untouched */
	expect_ok(&r);
	assert_string_equal(r.text, "@daily root-only\n");
}

static void test_a_caller_without_a_passwd_entry_is_refused(void **state)
{
	struct fx *f = *state;
	struct result r;
	struct proto_buf b = req_new(MSG_PING);
	call_as(f, NO_USER, NO_USER, &b, &r);
	expect_ok(&r);
	b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call_as(f, NO_USER, NO_USER, &b, &r);
	expect_error(&r, MSGE_PERM, "54321 is not in the passwd file");
}

/* ------------------------------------------------------------ allow/deny */

struct access_case {
	const char *allow;            /* file content, or NULL: no file */
	const char *deny;
	bool cron_ok, at_ok;          /* may nobody use crontab, at? */
};

static const struct access_case access_cases[] = {
	{ NULL, NULL, true, false },                  /* at: only root (Debian) */
	{ "root\nnobody\n", NULL, true, true },        /* allow only, listed */
	{ "# x\ndaemon\n", NULL, false, false },       /* allow only, not listed */
	{ NULL, " nobody \n", false, false },          /* deny only, listed */
	{ NULL, "daemon\n", true, true },              /* deny only, not listed */
	{ "nobody\n", "nobody\n", true, true },        /* both: allow decides */
	{ "daemon\n", "daemon\n", false, false },      /* both, in neither */
};

static void put_access(struct fx *f, const char *prefix, const struct access_case *ac)
{
	char name[32];
	snprintf(name, sizeof(name), "%s.allow", prefix);
	unlink(in_dir(f, name));
	if (ac->allow)
		write_file(f, name, ac->allow);
	snprintf(name, sizeof(name), "%s.deny", prefix);
	unlink(in_dir(f, name));
	if (ac->deny)
		write_file(f, name, ac->deny);
}

static void test_cron_allow_and_deny_table(void **state)
{
	struct fx *f = *state;
	struct result r;
	for (size_t i = 0; i < sizeof(access_cases) / sizeof(access_cases[0]); i++) {
		const struct access_case *ac = &access_cases[i];
		put_access(f, "cron", ac);
		struct proto_buf b = crontab_req(MSG_CRONTAB_INSTALL, NULL, "@daily x\n", 9);
		nobody(f, &b, &r);
		if (ac->cron_ok)
			expect_ok(&r);
		else
			expect_error(&r, MSGE_DENIED, "you (nobody) are not allowed to use crontab");
		/* As Debian: a denied user cannot list or remove either, and root
		 * asking for them is told so. */
		b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
		nobody(f, &b, &r);
		if (ac->cron_ok)
			expect_ok(&r);
		else
			expect_error(&r, MSGE_DENIED, NULL);
		b = crontab_req(MSG_CRONTAB_REMOVE, "nobody", NULL, 0);
		call(f, &b, &r);
		if (ac->cron_ok)
			expect_ok(&r);
		else
			expect_error(&r, MSGE_DENIED, "the user nobody is not allowed to use crontab");
		install(f, NULL, "@daily root\n", &r);      /* root always may */
		expect_ok(&r);
	}
}

static void test_at_allow_and_deny_table(void **state)
{
	struct fx *f = *state;
	struct result r;
	for (size_t i = 0; i < sizeof(access_cases) / sizeof(access_cases[0]); i++) {
		const struct access_case *ac = &access_cases[i];
		put_access(f, "at", ac);
		struct proto_buf b = at_req("a", 2000000000);
		nobody(f, &b, &r);
		if (ac->at_ok)
			expect_ok(&r);
		else
			expect_error(&r, MSGE_DENIED, "you (nobody) are not allowed to use at");
		b = req_new(MSG_AT_LIST);
		nobody(f, &b, &r);
		if (ac->at_ok)
			expect_ok(&r);
		else
			expect_error(&r, MSGE_DENIED, NULL);
		b = at_req("a", 2000000000);
		call(f, &b, &r);
		expect_ok(&r);
	}
}

/* MSG_ACCESS for at with TAG_MAIL_TO (at -u USER, typed at a terminal):
 * the recipient is looked up before anyone types, in Debian's words; a
 * refused user hears the refusal first; for cron the tag means nothing. */
static void test_access_looks_the_at_mail_recipient_up(void **state)
{
	struct fx *f = *state;
	struct result r;
	static const struct { const char *kind, *mail_to; uint32_t code; const char *text; }
	cases[] = {
		{ "at", "nobody", 0, NULL },
		{ "at", "no-such-user-x", MSGE_INVALID, "Cannot find username no-such-user-x" },
		{ "at", "", MSGE_INVALID, "not a user name" },
		{ "cron", "no-such-user-x", 0, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proto_buf b = req_new(MSG_ACCESS);
		proto_buf_add_str(&b, TAG_KIND, cases[i].kind);
		proto_buf_add_str(&b, TAG_MAIL_TO, cases[i].mail_to);
		call(f, &b, &r);
		if (cases[i].code == 0)
			expect_ok(&r);
		else
			expect_error(&r, cases[i].code, cases[i].text);
	}
	struct proto_buf b = req_new(MSG_ACCESS);          /* at: only root (Debian) */
	proto_buf_add_str(&b, TAG_KIND, "at");
	proto_buf_add_str(&b, TAG_MAIL_TO, "no-such-user-x");
	nobody(f, &b, &r);
	expect_error(&r, MSGE_DENIED, "not allowed to use at");
}

/* ------------------------------------------------------------ at */

static int64_t submit(struct fx *f, const char *queue, int64_t run_at)
{
	struct proto_buf b = at_req(queue, run_at);
	struct result r;
	call(f, &b, &r);
	expect_ok(&r);
	assert_true(r.job_id > 0);
	const struct timer_msg *m = last_msg(f, TIMER_AT_ADD);
	assert_int_equal(m->at_id, r.job_id);
	assert_int_equal(m->queue, queue[0]);
	assert_int_equal(m->run_at, run_at);
	return r.job_id;
}

static struct proto_buf list_req(const char *user, const char *queue)
{
	struct proto_buf b = req_new(MSG_AT_LIST);
	if (user)
		proto_buf_add_str(&b, TAG_USER, user);
	if (queue)
		proto_buf_add_str(&b, TAG_QUEUE, queue);
	return b;
}

static void test_at_submit_list_get_and_remove(void **state)
{
	struct fx *f = *state;
	int64_t late = submit(f, "b", 2100000000);
	int64_t early = submit(f, "a", 1900000000);
	int64_t past = submit(f, "a", 1000);          /* accepted: runs at once */
	struct result r;
	struct proto_buf b = list_req(NULL, NULL);
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 3);                 /* sorted by time */
	assert_int_equal(r.rows[0].id, past);
	assert_int_equal(r.rows[1].id, early);
	assert_int_equal(r.rows[2].id, late);
	assert_string_equal(r.rows[2].queue, "b");
	assert_string_equal(r.rows[2].user, "root");
	assert_string_equal(r.rows[2].state, "waiting");
	b = list_req(NULL, "b");
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1);

	struct client cl;
	struct proto_msg reply;
	uint32_t code, umask = 0, mail = 9;
	int nd;
	char err[256];
	assert_int_equal(client_open(&f->c->cfg, &cl, &nd, err, sizeof(err)), 0);
	b = req_new(MSG_AT_GET);
	proto_buf_add_i64(&b, TAG_JOB_ID, late);
	assert_int_equal(client_call(&cl, &b, &reply, &code, err, sizeof(err)), 0);
	const uint8_t *script;
	size_t len;
	assert_int_equal(proto_get_bytes(&reply, TAG_SCRIPT, &script, &len, NULL), PROTO_OK);
	assert_memory_equal(script, "echo hi\n", 8);
	assert_int_equal(proto_count(&reply, TAG_ENV), 2);
	assert_int_equal(proto_get_u32(&reply, TAG_UMASK, &umask, NULL), PROTO_OK);
	assert_int_equal(umask, 022);
	assert_int_equal(proto_get_u32(&reply, TAG_MAIL, &mail, NULL), PROTO_OK);
	assert_int_equal(mail, MAIL_ALWAYS);
	proto_msg_free(&reply);
	client_close(&cl);

	b = req_new(MSG_AT_GET);
	proto_buf_add_i64(&b, TAG_JOB_ID, 99999);
	call(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, "cannot find jobid 99999");

	b = req_new(MSG_AT_REMOVE);
	proto_buf_add_i64(&b, TAG_JOB_ID, early);
	proto_buf_add_i64(&b, TAG_JOB_ID, 99999);
	proto_buf_add_i64(&b, TAG_JOB_ID, late);
	call(f, &b, &r);
	expect_ok(&r);                                  /* OK, the rows say which */
	assert_int_equal(r.n_rows, 3);
	assert_int_equal(r.rows[0].code, MSGE_NONE);
	assert_int_equal(r.rows[1].code, MSGE_NOT_FOUND);
	assert_string_equal(r.rows[1].text, "cannot find jobid 99999");
	assert_int_equal(r.rows[2].code, MSGE_NONE);
	assert_int_equal(count_msgs(f, TIMER_AT_REMOVE), 2);
	b = list_req(NULL, NULL);
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1);
}

static void test_at_submit_refuses_each_bad_field(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint16_t tag;
		const char *str;          /* string value, or NULL: U32 */
		uint32_t u32;
		const char *why;
	} bad[] = {
		{ TAG_QUEUE, "1", 0, "queue" },
		{ TAG_QUEUE, "ab", 0, "queue" },
		{ TAG_ENV, "1BAD=x", 0, "NAME=VALUE" },
		{ TAG_ENV, "NOEQUALS", 0, "NAME=VALUE" },
		{ TAG_ENV, "A-B=x", 0, "NAME=VALUE" },
		{ TAG_ENV, "=x", 0, "NAME=VALUE" },
		{ TAG_CWD, "relative/dir", 0, "absolute" },
		{ TAG_UMASK, NULL, 01000, "umask" },
		{ TAG_MAIL, NULL, 3, "mail" },
	};
	struct result r;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The bad field first: a reader takes the first of a tag, and
		 * every TAG_ENV is checked. */
		struct proto_buf b = req_new(MSG_AT_SUBMIT);
		if (bad[i].str)
			proto_buf_add_str(&b, bad[i].tag, bad[i].str);
		else
			proto_buf_add_u32(&b, bad[i].tag, bad[i].u32);
		struct proto_buf good = at_req("a", 2000000000);
		struct proto_msg view = { .payload = good.data + PROTO_HEADER_SIZE,
		                          .len = (uint32_t)(good.len - PROTO_HEADER_SIZE) };
		struct proto_iter it;
		struct proto_field fl;
		proto_iter_init_all(&it, &view);
		while (proto_iter_next(&it, &fl))
			proto_buf_add_bytes(&b, fl.tag, fl.data, fl.len);
		proto_buf_free(&good);
		call(f, &b, &r);
		expect_error(&r, MSGE_INVALID, bad[i].why);
	}
	struct proto_buf b = req_new(MSG_AT_SUBMIT);       /* nothing at all */
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, NULL);
	b = list_req(NULL, NULL);
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 0);                  /* nothing was queued */
	assert_int_equal(count_msgs(f, TIMER_AT_ADD), 0);
}

/* A run time is a time at can write: before 1970, past the year 9999 and
 * the int64 ends are refused (atq would show them, doing date arithmetic). */
static void test_at_submit_refuses_a_run_time_out_of_range(void **state)
{
	struct fx *f = *state;
	static const int64_t bad[] = { INT64_MIN, INT64_MIN + 1, -1, 253402300800LL + 86400,
	                               INT64_MAX };
	struct result r;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proto_buf b = at_req("a", bad[i]);
		call(f, &b, &r);
		expect_error(&r, MSGE_INVALID, "between 1970 and 9999");
	}
	assert_int_equal(count_msgs(f, TIMER_AT_ADD), 0);
	struct proto_buf b = at_req("a", 253402300799LL);   /* 9999-12-31T23:59:59Z */
	call(f, &b, &r);
	expect_ok(&r);
}

static void test_a_running_job_is_listed_in_queue_equals_and_kept(void **state)
{
	struct fx *f = *state;
	int64_t id = submit(f, "c", 1000);
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(f->c->cfg.spool, 0, &sp, &err), 0);
	assert_int_equal(spool_at_claim(sp, id, 1000, &err), 0);
	spool_close(sp);
	struct result r;
	struct proto_buf b = list_req(NULL, NULL);
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1);
	assert_string_equal(r.rows[0].queue, "=");
	assert_string_equal(r.rows[0].state, "running");
	b = req_new(MSG_AT_REMOVE);
	proto_buf_add_i64(&b, TAG_JOB_ID, id);
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.rows[0].code, MSGE_BUSY);
	assert_int_equal(count_msgs(f, TIMER_AT_REMOVE), 0);
}

static void test_a_user_sees_and_touches_only_their_own_jobs(void **state)
{
	struct fx *f = *state;
	write_file(f, "at.allow", "nobody\n");
	int64_t roots = submit(f, "a", 2000000000);
	struct result r;
	struct proto_buf b = at_req("b", 2000000100);
	nobody(f, &b, &r);
	expect_ok(&r);
	int64_t mine = r.job_id;

	b = list_req(NULL, NULL);
	nobody(f, &b, &r);
	assert_int_equal(r.n_rows, 1);
	assert_int_equal(r.rows[0].id, mine);
	assert_string_equal(r.rows[0].user, "nobody");
	b = req_new(MSG_AT_GET);
	proto_buf_add_i64(&b, TAG_JOB_ID, roots);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_PERM, "not owner");
	b = req_new(MSG_AT_REMOVE);
	proto_buf_add_i64(&b, TAG_JOB_ID, roots);
	proto_buf_add_i64(&b, TAG_JOB_ID, mine);
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.rows[0].code, MSGE_PERM);
	assert_int_equal(r.rows[1].code, MSGE_NONE);

	b = at_req("b", 2000000100);
	nobody(f, &b, &r);
	b = list_req(NULL, NULL);                         /* root: everyone's */
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 2);
	b = list_req("nobody", NULL);                     /* root: one user's */
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1);
	assert_string_equal(r.rows[0].user, "nobody");
}

/* ------------------------------------------------------------ history */

static void add_runs(struct fx *f)
{
	static char big[10000];
	memset(big, 'x', sizeof(big));
	struct spool_run runs[] = {
		{ .kind = SPOOL_RUN_CRON, .owner = "root", .uid = 0, .entry_key = "user:root:1",
		  .command = "a", .start_ms = 1000, .end_ms = 2000 },
		{ .kind = SPOOL_RUN_AT, .owner = "root", .uid = 0, .entry_key = "7",
		  .command = "b", .start_ms = 3000, .end_ms = 4000, .output = big,
		  .output_len = sizeof(big), .output_total = 123456 },
		{ .kind = SPOOL_RUN_CRON, .owner = "nobody", .uid = NOBODY,
		  .entry_key = "user:nobody:1", .command = "c", .start_ms = 5000, .end_ms = 6000,
		  .exit_code = 1 },
		{ .kind = SPOOL_RUN_CRON, .owner = "root", .uid = 0, .entry_key = "user:root:1",
		  .command = "d", .start_ms = 7000, .end_ms = 0, .exit_code = -1, .signal = 9 },
	};
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(f->c->cfg.spool, 0, &sp, &err), 0);
	assert_int_equal(spool_history_append(sp, runs, 4, &err), 0);
	spool_close(sp);
}

static struct proto_buf history_req(const char *user, uint32_t count, const char *kind)
{
	struct proto_buf b = req_new(MSG_HISTORY);
	if (user)
		proto_buf_add_str(&b, TAG_USER, user);
	if (count)
		proto_buf_add_u32(&b, TAG_COUNT, count);
	if (kind)
		proto_buf_add_str(&b, TAG_KIND, kind);
	return b;
}

static void test_history_rows_newest_first_by_user_and_kind(void **state)
{
	struct fx *f = *state;
	add_runs(f);
	struct result r;
	struct proto_buf b = history_req(NULL, 0, NULL);  /* root: everyone's */
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 4);
	assert_string_equal(r.rows[0].user, "root");
	assert_string_equal(r.rows[1].user, "nobody");
	b = history_req(NULL, 2, NULL);
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 2);
	b = history_req("root", 10, "at");                 /* heads are cut */
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1);
	assert_int_equal(r.rows[0].output_len, 4096);
	assert_int_equal(r.rows[0].output_size, 123456);
	b = history_req("nobody", 0, NULL);
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1);
	b = history_req(NULL, 0, "weekly");
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "kind");

	b = history_req(NULL, 0, NULL);                    /* nobody: their own */
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 1);
	assert_string_equal(r.rows[0].user, "nobody");
	write_file(f, "cron.deny", "nobody\n");           /* denied cron, no at */
	b = history_req(NULL, 0, NULL);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_DENIED, "crontab");
}

/* A client that looks no user up (the static at) names itself by uid:
 * root may name any uid, others only their own; the reply names the user
 * whose runs it holds. */
static void test_history_names_its_user_by_uid(void **state)
{
	struct fx *f = *state;
	add_runs(f);
	struct result r;
	struct proto_buf b = history_req(NULL, 0, NULL);
	proto_buf_add_u32(&b, TAG_UID, NOBODY);            /* root names nobody */
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 1);
	assert_string_equal(r.rows[0].user, "nobody");
	assert_string_equal(r.user, "nobody");
	b = history_req(NULL, 0, NULL);
	proto_buf_add_u32(&b, TAG_UID, 0);                 /* root names itself */
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 3);
	assert_string_equal(r.user, "root");
	b = history_req(NULL, 0, NULL);                    /* no one named: no user */
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 4);
	assert_string_equal(r.user, "");
	b = history_req(NULL, 0, NULL);
	proto_buf_add_u32(&b, TAG_UID, 3999999999u);
	call(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, "no such user with uid 3999999999");
	b = history_req("root", 0, NULL);
	proto_buf_add_u32(&b, TAG_UID, 0);
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "not both");
	b = history_req(NULL, 0, NULL);
	proto_buf_add_str(&b, TAG_UID, "0");               /* not a u32 */
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "invalid user id");

	b = history_req(NULL, 0, NULL);
	proto_buf_add_u32(&b, TAG_UID, NOBODY);            /* nobody names itself */
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 1);
	assert_string_equal(r.user, "nobody");
	b = history_req(NULL, 0, NULL);
	proto_buf_add_u32(&b, TAG_UID, 0);                 /* nobody names root */
	nobody(f, &b, &r);
	expect_error(&r, MSGE_PERM, "only root may name another user");
}

/* More runs asked than one reply carries: the reply says how many it
 * sent (TAG_COUNT), and says nothing when the history simply has fewer. */
static void test_history_cut_is_said(void **state)
{
	struct fx *f = *state;
	enum { N = 1005 };
	struct spool_run *runs = calloc(N, sizeof(*runs));
	assert_non_null(runs);
	for (int i = 0; i < N; i++)
		runs[i] = (struct spool_run){ .kind = SPOOL_RUN_CRON, .owner = "root", .uid = 0,
		                              .entry_key = "user:root:1", .command = "a",
		                              .start_ms = 1000 + i, .end_ms = 2000 + i };
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(f->c->cfg.spool, 0, &sp, &err), 0);
	assert_int_equal(spool_history_append(sp, runs, N, &err), 0);
	spool_close(sp);
	free(runs);
	struct result r;
	struct proto_buf b = history_req("root", 5000, NULL);
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 1000);
	assert_int_equal(r.count, 1000);                 /* cut: said */
	b = history_req("root", 1000, "cron");
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 1000);
	assert_int_equal(r.count, 0);                    /* as asked: nothing said */
	b = history_req("nobody", 5000, NULL);
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, 0);
	assert_int_equal(r.count, 0);                    /* fewer exist: nothing said */
	b = history_req("root", 5000, "at");
	call(f, &b, &r);
	assert_int_equal(r.n_rows, 0);
	assert_int_equal(r.count, 0);
}

/* One MSG_HISTORY page of USER's KIND runs older than CUR (NULL: the
 * newest): the ids of its rows appended to IDS (*N), each row's kind and
 * its place newest first (after *LAST) checked; returns whether the reply
 * was cut (TAG_COUNT), with its cursor in *NEXT. */
static bool history_page(struct fx *f, const char *user, uint32_t count, const char *kind,
                         const struct history_cursor *cur, int64_t *ids, size_t *n,
                         struct history_cursor *last, struct history_cursor *next)
{
	char err[256];
	struct client cl;
	struct proto_msg reply;
	uint32_t code;
	int nd;
	assert_int_equal(client_open(&f->c->cfg, &cl, &nd, err, sizeof(err)), 0);
	struct proto_buf b = history_req(user, count, kind);
	if (cur)
		assert_int_equal(history_cursor_add(&b, cur), PROTO_OK);
	assert_int_equal(client_call(&cl, &b, &reply, &code, err, sizeof(err)), 0);
	client_close(&cl);
	struct proto_iter it;
	struct proto_field fl;
	proto_iter_init(&it, &reply, TAG_ROW);
	while (proto_iter_next(&it, &fl)) {
		struct proto_msg row;
		struct history_cursor at;
		char k[8];
		assert_int_equal(proto_field_nested(&fl, &row, NULL), PROTO_OK);
		assert_int_equal(proto_get_i64(&row, TAG_START, &at.start_ms, NULL), PROTO_OK);
		assert_int_equal(proto_get_i64(&row, TAG_RUN_ID, &at.id, NULL), PROTO_OK);
		copy_str(&row, TAG_KIND, k, sizeof(k));
		assert_string_equal(k, kind);
		if (last->id != 0)
			assert_true(history_cursor_older(&at, last));
		*last = at;
		ids[(*n)++] = at.id;
	}
	uint32_t sent;
	bool cut = proto_get_u32(&reply, TAG_COUNT, &sent, NULL) == PROTO_OK;
	if (cut)
		assert_int_equal(history_cursor_get(&reply, next), PROTO_OK);
	else
		assert_int_equal(history_cursor_get(&reply, next), PROTO_E_MISSING);
	proto_msg_free(&reply);
	return cut;
}

/* A history longer than one reply, read page by page with the cursor each
 * cut reply carries: every run of the kind asked exactly once, newest
 * first, though six runs share each start time and the kind filter drops
 * half of them; a page the kind filter's scan filled with other runs
 * carries no row but a cursor past them. A malformed cursor is refused. */
static void test_history_pages_with_the_cursor(void **state)
{
	struct fx *f = *state;
	enum { N = 2500, OLD = 10, NEWER = 5000 };
	struct spool_run *runs = calloc(2 * N + OLD + NEWER, sizeof(*runs));
	assert_non_null(runs);
	size_t k = 0;
	for (int i = 0; i < N; i++)
		for (int kind = 0; kind < 2; kind++)
			runs[k++] = (struct spool_run){
				.kind = kind ? SPOOL_RUN_AT : SPOOL_RUN_CRON, .owner = "root",
				.uid = 0, .entry_key = kind ? "7" : "user:root:1", .command = "a",
				.start_ms = 100000 + i / 3, .end_ms = 200000 };
	for (int i = 0; i < OLD + NEWER; i++)   /* nobody: old cron runs, newer at runs */
		runs[k++] = (struct spool_run){
			.kind = i < OLD ? SPOOL_RUN_CRON : SPOOL_RUN_AT, .owner = "nobody",
			.uid = NOBODY, .entry_key = i < OLD ? "user:nobody:1" : "8", .command = "b",
			.start_ms = 1000 + i, .end_ms = 200000 };
	struct spool *sp;
	struct spool_err err;
	assert_int_equal(spool_open(f->c->cfg.spool, 0, &sp, &err), 0);
	assert_int_equal(spool_history_append(sp, runs, k, &err), 0);
	spool_close(sp);
	free(runs);

	int64_t *ids = calloc(N + OLD, sizeof(*ids));
	assert_non_null(ids);
	size_t n = 0, pages = 0;
	struct history_cursor last = { 0, 0 }, cur, next;
	bool more = history_page(f, "root", 5000, "cron", NULL, ids, &n, &last, &next);
	for (pages = 1; more; pages++) {
		assert_true(pages < 10);
		assert_true(pages == 1 || history_cursor_older(&next, &cur));
		cur = next;
		more = history_page(f, "root", (uint32_t)(5000 - n), "cron", &cur, ids, &n, &last,
		                    &next);
	}
	assert_int_equal(pages, 3);                      /* 1000 + 1000 + 500 */
	assert_int_equal(n, N);                          /* newest first: none twice */

	n = 0;
	last = (struct history_cursor){ 0, 0 };
	assert_true(history_page(f, "nobody", OLD, "cron", NULL, ids, &n, &last, &next));
	assert_int_equal(n, 0);                          /* the scan met only at runs */
	cur = next;
	assert_false(history_page(f, "nobody", OLD, "cron", &cur, ids, &n, &last, &next));
	assert_int_equal(n, OLD);

	struct result r;
	struct proto_buf b = history_req("root", 10, NULL);
	proto_buf_add_bytes(&b, TAG_HISTORY_BEFORE, "xyz", 3);
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "history cursor");
	b = history_req("root", 10, NULL);
	history_cursor_add(&b, &(struct history_cursor){ -1, 5 });
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "history cursor");
	b = history_req("root", 10, NULL);
	history_cursor_add(&b, &(struct history_cursor){ 100000, 0 });
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "history cursor");
	free(ids);
}

/* ------------------------------------------------------------ status */

/* MSG_STATUS keys each entry exactly as the scheduler does ('~' picks and
 * % input included), so the runs it sends with an entry are that entry's. */
static void test_status_keys_entries_as_the_scheduler_does(void **state)
{
	struct fx *f = *state;
	memset(f->c->random_secret, 0x5a, sizeof(f->c->random_secret));
	static const char text[] = "MAILTO=\"\"\n0~59 */2 * * * echo random\n"
	                           "# between\n* * * * * cat%in%put\n";
	struct result r;
	install(f, NULL, text, &r);
	expect_ok(&r);
	struct crontab tab;
	struct diag_list diags = { 0 };
	assert_int_equal(crontab_parse(text, strlen(text), CRONTAB_ROOT, &tab, &diags), 0);
	diag_list_clear(&diags);
	struct scheduler *sched = scheduler_new(f->c->local_zone, 0);
	assert_non_null(sched);
	scheduler_set_secret(sched, f->c->random_secret);
	char err[256], keys[2][SCHEDULER_KEY_MAX];
	assert_int_equal(scheduler_set_source(sched, "user:root", SOURCE_USER, "root", &tab, 0,
	                                      err, sizeof(err)), 0);
	const struct sched_source *src = scheduler_find_source(sched, "user:root");
	assert_non_null(src);
	for (size_t i = 0; i < 2; i++)
		scheduler_entry_key(src, &src->tab->entries[i], keys[i], sizeof(keys[i]));
	struct spool_run run = { .kind = SPOOL_RUN_CRON, .owner = "root", .entry_key = keys[1],
	                         .command = "cat", .scheduled_ms = 4000, .start_ms = 5000,
	                         .end_ms = 6500, .exit_code = 2 };
	struct spool *sp;
	struct spool_err serr;
	assert_int_equal(spool_open(f->c->cfg.spool, 0, &sp, &serr), 0);
	assert_int_equal(spool_history_append(sp, &run, 1, &serr), 0);
	spool_close(sp);

	struct client cl;
	struct proto_msg reply;
	uint32_t code;
	int nd;
	assert_int_equal(client_open(&f->c->cfg, &cl, &nd, err, sizeof(err)), 0);
	struct proto_buf b = req_new(MSG_STATUS);
	proto_buf_add_u32(&b, TAG_COUNT, 5);
	assert_int_equal(client_call(&cl, &b, &reply, &code, err, sizeof(err)), 0);
	client_close(&cl);
	int64_t now = 0, seed = 0;
	assert_int_equal(proto_get_i64(&reply, TAG_TIME, &now, NULL), PROTO_OK);
	assert_true(now > 1700000000);
	assert_int_equal(proto_count(&reply, TAG_ROW), 1);
	assert_int_equal(proto_count(&reply, TAG_STATUS_MORE), 0);
	struct proto_field fld;
	struct proto_msg row, ent, rrow;
	assert_int_equal(proto_find(&reply, TAG_ROW, &fld, NULL), PROTO_OK);
	assert_int_equal(proto_field_nested(&fld, &row, NULL), PROTO_OK);
	char *name = NULL;
	assert_int_equal(proto_get_str(&row, TAG_STATUS_SOURCE, &name, NULL), PROTO_OK);
	assert_string_equal(name, "user:root");
	free(name);
	assert_int_equal(proto_get_i64(&row, TAG_RANDOM_SEED, &seed, NULL), PROTO_OK);
	assert_true((uint64_t)seed == crontab_random_seed(f->c->random_secret, "user:root"));
	assert_int_equal(proto_count(&row, TAG_STATUS_ENTRY), 2);
	struct proto_iter it;
	proto_iter_init(&it, &row, TAG_STATUS_ENTRY);
	static const uint32_t lines[2] = { 2, 4 };
	for (size_t i = 0; i < 2; i++) {
		assert_true(proto_iter_next(&it, &fld));
		assert_int_equal(proto_field_nested(&fld, &ent, NULL), PROTO_OK);
		uint32_t line = 0;
		char *key = NULL;
		assert_int_equal(proto_get_u32(&ent, TAG_STATUS_LINE, &line, NULL), PROTO_OK);
		assert_int_equal(line, lines[i]);
		assert_int_equal(proto_get_str(&ent, TAG_ENTRY_KEY, &key, NULL), PROTO_OK);
		assert_string_equal(key, keys[i]);
		free(key);
		assert_int_equal(proto_count(&ent, TAG_STATUS_RUN), i);
	}
	struct proto_field rf;
	assert_int_equal(proto_find(&ent, TAG_STATUS_RUN, &rf, NULL), PROTO_OK);
	assert_int_equal(proto_field_nested(&rf, &rrow, NULL), PROTO_OK);
	int64_t start = 0, end = 0;
	uint32_t status = 0;
	assert_int_equal(proto_get_i64(&rrow, TAG_START, &start, NULL), PROTO_OK);
	assert_int_equal(proto_get_i64(&rrow, TAG_END, &end, NULL), PROTO_OK);
	assert_int_equal(proto_get_u32(&rrow, TAG_STATUS, &status, NULL), PROTO_OK);
	assert_int_equal(start, 5000);
	assert_int_equal(end, 6500);
	assert_int_equal(status, 2);
	proto_msg_free(&reply);
	scheduler_free(sched);

	/* Refusals: every crontab is root's to see; a count past the bound;
	 * a user without a crontab. */
	b = req_new(MSG_STATUS);
	proto_buf_add_u32(&b, TAG_STATUS_ALL, 1);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_PERM, "only root may see every crontab");
	b = req_new(MSG_STATUS);
	proto_buf_add_u32(&b, TAG_COUNT, 51);
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, "from 0 to 50");
	b = req_new(MSG_STATUS);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, "no crontab for nobody");
}

/* ------------------------------------------------------------ abuse */

static void test_garbage_gets_a_fatal_reply_and_others_are_served(void **state)
{
	struct fx *f = *state;
	int fd = raw_connect(f);
	raw_send(fd, "GET / HTTP/1.0\r\n\r\n", 18);
	expect_fatal(fd, "not a crond protocol request");
	close(fd);
	expect_ping(f);
}

static void test_an_oversized_request_is_refused_from_its_header(void **state)
{
	struct fx *f = *state;
	int fd = raw_connect(f);
	raw_header(fd, PROTO_MAGIC, PROTO_VERSION, MSG_CRONTAB_INSTALL, PROTO_MAX_PAYLOAD + 1);
	expect_fatal(fd, "request too large");
	close(fd);
	fd = raw_connect(f);
	raw_header(fd, PROTO_MAGIC, PROTO_VERSION, MSG_PING, UINT32_MAX);
	expect_fatal(fd, "request too large");
	close(fd);
	expect_ping(f);
}

static void test_another_protocol_version_is_told_both_versions(void **state)
{
	struct fx *f = *state;
	int fd = raw_connect(f);
	raw_header(fd, PROTO_MAGIC, PROTO_VERSION + 1, MSG_PING, 0);
	expect_fatal(fd, "crond speaks protocol version 1, client speaks 2");
	close(fd);
	expect_ping(f);
}

static void test_malformed_fields_and_unknown_types(void **state)
{
	struct fx *f = *state;
	int fd = raw_connect(f);
	raw_header(fd, PROTO_MAGIC, PROTO_VERSION, MSG_PING, 3);
	raw_send(fd, "\x00\x01\x00", 3);              /* a field cut short */
	expect_fatal(fd, "");
	close(fd);
	struct proto_buf b = req_new(999);
	struct result r;
	call(f, &b, &r);
	expect_error(&r, MSGE_UNSUPPORTED, "unknown request type 999");
	b = req_new(MSG_CRONTAB_INSTALL);                   /* no text */
	call(f, &b, &r);
	expect_error(&r, MSGE_INVALID, NULL);
}

static void test_pipelined_requests_get_one_reply_each(void **state)
{
	struct fx *f = *state;
	int fd = raw_connect(f);
	struct proto_buf b = req_new(MSG_PING);
	uint8_t two[64];
	assert_true(b.len * 2 <= sizeof(two));
	memcpy(two, b.data, b.len);
	memcpy(two + b.len, b.data, b.len);
	raw_send(fd, two, b.len * 2);
	proto_buf_free(&b);
	for (int i = 0; i < 2; i++) {
		struct proto_msg m;
		struct proto_error err;
		assert_int_equal(proto_client_recv(fd, &m, PROTO_MAX_PAYLOAD, 3000, &err), PROTO_OK);
		assert_int_equal(m.type, MSG_OK);
		proto_msg_free(&m);
	}
	close(fd);
}

/* A client stalled in the middle of a request holds only its own slot:
 * another client is answered at once, and the staller is dropped after
 * the request deadline (300 ms in these tests). */
static void test_a_stalled_client_neither_blocks_others_nor_stays(void **state)
{
	struct fx *f = *state;
	int stalled = raw_connect(f);
	int64_t start = mono_ms();
	raw_header(stalled, PROTO_MAGIC, PROTO_VERSION, MSG_CRONTAB_INSTALL, 100);
	raw_send(stalled, "\x00\x0d\x00\x00", 4);
	int64_t before = mono_ms();
	expect_ping(f);
	int64_t ping = mono_ms() - before;
	print_message("ping beside a stalled client: %lld ms\n", (long long)ping);
	assert_true(ping < 150);
	expect_fatal(stalled, "request not completed");
	int64_t dropped = mono_ms() - start;
	print_message("stalled client dropped after %lld ms\n", (long long)dropped);
	assert_true(dropped >= 280 && dropped < 2000);
	close(stalled);
}

static void test_an_idle_connection_is_closed(void **state)
{
	struct fx *f = *state;
	int fd = raw_connect(f);
	int64_t start = mono_ms();
	expect_fatal(fd, "idle");
	int64_t took = mono_ms() - start;
	assert_true(took >= 280 && took < 2000);
	close(fd);
	expect_ping(f);
}

/* A client that never reads a big reply is dropped after the drain
 * deadline, and others are served meanwhile. */
static void test_a_reply_nobody_reads_is_dropped_after_the_deadline(void **state)
{
	struct fx *f = *state;
	size_t len = 1000000;
	char *text = malloc(len + 1);
	assert_non_null(text);
	for (size_t i = 0; i < len; i += 100) {
		memset(text + i, 'x', 100);
		text[i] = '#';
		text[i + 99] = '\n';
	}
	text[len] = '\0';
	struct result r;
	install(f, NULL, text, &r);
	expect_ok(&r);
	free(text);
	int fd = raw_connect(f);
	struct proto_buf b = req_new(MSG_CRONTAB_GET);
	raw_send(fd, b.data, b.len);
	proto_buf_free(&b);
	expect_ping(f);
	struct timespec wait = { 0, 900 * 1000 * 1000 };   /* past 500 ms */
	nanosleep(&wait, NULL);
	size_t got = 0;
	char buf[65536];
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		assert_int_equal(poll(&pfd, 1, 3000), 1);
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	print_message("undrained reply cut after %zu bytes\n", got);
	assert_true(got < len);
	close(fd);
	expect_ping(f);
}

/* Large requests still arriving share one budget (6000 bytes here): one
 * that would pass it is refused as busy, small ones go on, and the budget
 * comes back when a request completes. */
static void test_connections_past_the_cap_are_refused_and_crond_survives(void **state)
{
	struct fx *f = *state;
	enum { N = 300 };
	int fds[N];
	for (int i = 0; i < N; i++)
		fds[i] = raw_connect(f);
	for (int i = CONTROL_MAX_CONNS; i < N; i++)
		expect_fatal(fds[i], "too many connections");
	for (int i = 0; i < CONTROL_MAX_CONNS; i++) {
		struct pollfd pfd = { fds[i], POLLIN, 0 };
		assert_int_equal(poll(&pfd, 1, 0), 0);   /* served: nothing to say */
	}
	for (int i = 0; i < N; i++)
		close(fds[i]);
	/* The daemon notices the closes in its own time: retry a little. */
	struct result r = { .rc = -1 };
	for (int tries = 0; tries < 50 && r.rc != 0; tries++) {
		struct proto_buf b = req_new(MSG_PING);
		do_call(&f->c->cfg, &b, &r);
		if (r.rc != 0) {
			struct timespec wait = { 0, 20 * 1000 * 1000 };
			nanosleep(&wait, NULL);
		}
	}
	expect_ok(&r);
}

/* ------------------------------------------------------------ fairness */

/* What a child holding connections as another user saw. */
struct held {
	int opened;               /* connected */
	int refused;              /* told FATAL at once (then closed) */
	int replied_ok;           /* an MSG_OK reply waits there, unread */
	int replied_busy;         /* an MSG_ERROR reply came (read) */
	char refusal[256];        /* the first FATAL's text */
	char busy[512];           /* the first MSG_ERROR's text */
};

struct holder {
	pid_t pid;                /* killed by holder_release */
};

static void holder_release(struct holder *h)
{
	int status;
	assert_int_equal(kill(h->pid, SIGKILL), 0);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
}

/* FD's first frame, if one is there: a peek at its header, then (FATAL or
 * MSG_ERROR, both small) the frame itself. No cmocka asserts (a child). */
static void classify(int fd, struct held *h)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	uint8_t hdr[PROTO_HEADER_SIZE];
	if (poll(&pfd, 1, 0) != 1 ||
	    recv(fd, hdr, sizeof(hdr), MSG_PEEK | MSG_DONTWAIT) != (ssize_t)sizeof(hdr))
		return;                                 /* nothing: held quietly */
	struct proto_header ph;
	proto_header_decode(hdr, &ph);
	if (ph.type == MSG_OK) {
		h->replied_ok++;                        /* left unread */
		return;
	}
	struct proto_msg m = { 0 };
	struct proto_error err = { 0 };
	enum proto_code rc = proto_client_recv(fd, &m, PROTO_MAX_PAYLOAD, 1000, &err);
	if (ph.type == PROTO_TYPE_FATAL) {
		if (h->refused++ == 0)
			snprintf(h->refusal, sizeof(h->refusal), "%s", err.msg);
	} else if (rc == PROTO_OK && m.type == MSG_ERROR) {
		if (h->replied_busy++ == 0)
			copy_str(&m, TAG_ERROR_TEXT, h->busy, sizeof(h->busy));
	}
	proto_msg_free(&m);
}

static void hold_child(struct fx *f, uid_t uid, gid_t gid, int n, const struct proto_buf *req,
                       int report)
{
	struct held h = { 0 };
	int *fds = calloc((size_t)n, sizeof(*fds));
	if (fds == NULL || setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		_exit(90);
	for (int i = 0; i < n; i++) {
		struct proto_error err;
		fds[i] = -1;
		if (proto_client_connect(f->c->cfg.socket, 2000, &fds[i], &err) != PROTO_OK)
			continue;
		h.opened++;
		if (req != NULL)
			(void)send(fds[i], req->data, req->len, MSG_NOSIGNAL);
	}
	struct timespec settle = { 0, 700 * 1000 * 1000 };
	nanosleep(&settle, NULL);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			classify(fds[i], &h);
	if (write(report, &h, sizeof(h)) != (ssize_t)sizeof(h))
		_exit(91);
	for (;;)
		pause();                             /* until the parent kills it */
}

/* A child as UID:GID opens N connections and, if REQ is not NULL, sends it
 * on each and never reads the replies; *OUT says what it saw. The
 * connections stay open until holder_release. */
static struct holder hold(struct fx *f, uid_t uid, gid_t gid, int n,
                          const struct proto_buf *req, struct held *out)
{
	int rep[2];
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(rep[0]);
		hold_child(f, uid, gid, n, req, rep[1]);
	}
	close(rep[1]);
	ssize_t got = read(rep[0], out, sizeof(*out));
	close(rep[0]);
	struct holder h = { pid };
	if (got != (ssize_t)sizeof(*out)) {
		holder_release(&h);
		fail_msg("the holding child failed (read %zd)", got);
	}
	return h;
}

/* A ping as root, retried while the daemon notices closed connections. */
static void expect_ping_soon(struct fx *f)
{
	struct result r = { .rc = -1 };
	for (int tries = 0; tries < 50 && r.rc != 0; tries++) {
		struct proto_buf b = req_new(MSG_PING);
		do_call(&f->c->cfg, &b, &r);
		if (r.rc != 0) {
			struct timespec wait = { 0, 20 * 1000 * 1000 };
			nanosleep(&wait, NULL);
		}
	}
	expect_ok(&r);
}

/* The attack: one uid, or any number of uids without a passwd entry, opens
 * hundreds of connections and holds them. Each gets max_conns_per_user
 * (16) slots, the rest are told why; root and other users are served. */
static void test_a_connection_flood_cannot_keep_root_or_others_out(void **state)
{
	struct fx *f = *state;
	struct held h;
	int64_t flood_start = mono_ms();
	struct holder flood = hold(f, NOBODY, NOBODY, 300, NULL, &h);
	assert_int_equal(h.opened, 300);
	assert_int_equal(h.refused, 300 - 16);
	assert_string_equal(h.refusal, "too many connections to crond from uid 65534 (16 open, "
	                    "limit max_conns_per_user = 16); close some and try again");
	struct held g;
	struct holder ghosts = hold(f, NO_USER, NO_USER, 300, NULL, &g);
	assert_int_equal(g.refused, 300 - 16);
	assert_non_null(strstr(g.refusal, "from uids without a passwd entry (16 open"));
	struct held g2;                                  /* the same allowance */
	struct holder ghosts2 = hold(f, NO_USER + 1, NO_USER + 1, 5, NULL, &g2);
	assert_int_equal(g2.refused, 5);

	int64_t start = mono_ms();
	struct result r;
	install(f, NULL, "0 3 * * * /usr/local/sbin/backup\n", &r);
	expect_ok(&r);
	struct proto_buf b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call(f, &b, &r);
	expect_ok(&r);
	int64_t took = mono_ms() - start;
	int64_t since_flood = mono_ms() - flood_start;
	print_message("root served in %lld ms (%lld ms after the flood began) while %d hostile "
	              "connections are open (%d refused)\n", (long long)took,
	              (long long)since_flood, 300 + 300 + 5, h.refused + g.refused + g2.refused);
	/* Root was served while the flood held its slots, not once they had
	 * gone: crond frees a slot held by a silent client only after idle_ms
	 * (30 s here), so a root who needed one is served no sooner than that
	 * after the flood began. The bound is that timeout, not a guess at this
	 * machine's speed: about 2 s are used of 30 (the holders' settling). */
	assert_true(since_flood < CONTROL_IDLE_MS);
	b = req_new(MSG_PING);                           /* another user, too */
	call_as(f, 1, 1, &b, &r);
	expect_ok(&r);
	holder_release(&flood);
	holder_release(&ghosts);
	holder_release(&ghosts2);
	expect_ping_soon(f);
}

static void per_user_4(struct config *cfg)
{
	cfg->max_conns_per_user = 4;
}

static int setup_few_slots(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	lim.max_conns = 8;
	lim.root_reserved = 2;
	return setup_cfg(state, &lim, per_user_4);
}

/* 8 slots, 2 kept for root, 4 per user: two users fill the 6 others (the
 * second gets only 2); root still gets the last 2, then the total cap. */
static void test_the_last_slots_are_kept_for_root(void **state)
{
	struct fx *f = *state;
	struct held a, b;
	struct holder ha = hold(f, NOBODY, NOBODY, 4, NULL, &a);
	assert_int_equal(a.refused, 0);
	struct holder hb = hold(f, 1, 1, 4, NULL, &b);
	assert_int_equal(b.refused, 2);
	assert_string_equal(b.refusal, "too many connections to crond: the last 2 of 8 are "
	                    "kept for root; try again");
	int fds[3];
	struct proto_buf ping = req_new(MSG_PING);
	for (int i = 0; i < 2; i++) {
		fds[i] = raw_connect(f);
		raw_send(fds[i], ping.data, ping.len);
		struct proto_msg m;
		struct proto_error err;
		assert_int_equal(proto_client_recv(fds[i], &m, PROTO_MAX_PAYLOAD, 3000, &err),
		                 PROTO_OK);
		assert_int_equal(m.type, MSG_OK);
		proto_msg_free(&m);
	}
	proto_buf_free(&ping);
	fds[2] = raw_connect(f);
	expect_fatal(fds[2], "too many connections to crond (limit 8)");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	holder_release(&ha);
	holder_release(&hb);
	expect_ping_soon(f);
}

static void reply_budget_1m(struct config *cfg)
{
	cfg->max_reply_bytes = 1024 * 1024;
}

static int setup_reply_budget(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	lim.drain_ms = 5000;                  /* the readers stall, not time out */
	return setup_cfg(state, &lim, reply_budget_1m);
}

/* A crontab of LEN bytes of comment lines (malloc'ed). */
static char *big_crontab(size_t len)
{
	char *text = malloc(len + 1);
	assert_non_null(text);
	for (size_t i = 0; i < len; i += 100) {
		size_t n = len - i < 100 ? len - i : 100;
		memset(text + i, 'x', n);
		text[i] = '#';
		text[i + n - 1] = '\n';
	}
	text[len] = '\0';
	return text;
}

/* The attack: clients ask for a large reply (a 250 KB crontab) and never
 * read it. Replies waiting to be read share max_reply_bytes (1 MiB here):
 * past it a large reply is refused as busy, root is still answered, and
 * the budget comes back when the non-readers go. */
/* A request's header has arrived and 10 bytes of its 4000: the rest is
 * still to come. */
static struct proto_buf partial_of(const struct proto_buf *big)
{
	struct proto_buf p = *big;
	p.len = PROTO_HEADER_SIZE + 10;
	return p;
}

static void test_requests_in_flight_share_a_memory_budget(void **state)
{
	struct fx *f = *state;
	enum { LEN = 4000 };
	char text[LEN - PROTO_FIELD_HEADER_SIZE];
	memset(text, '#', sizeof(text));
	text[sizeof(text) - 1] = '\n';
	struct proto_buf big = crontab_req(MSG_CRONTAB_INSTALL, NULL, text, sizeof(text));
	assert_int_equal(big.len, PROTO_HEADER_SIZE + LEN);
	struct proto_buf part = partial_of(&big);
	/* nobody's first large request gets in whole; the second would pass
	 * their share (a quarter of 6000) */
	struct held h;
	struct holder stall = hold(f, NOBODY, NOBODY, 2, &part, &h);
	assert_int_equal(h.opened, 2);
	assert_int_equal(h.refused, 1);
	assert_non_null(strstr(h.refusal, "busy"));
	/* another uid: past the whole budget (4000 + 4000 > 6000) */
	struct held h2;
	struct holder other = hold(f, 4242, 4242, 1, &part, &h2);
	assert_int_equal(h2.refused, 1);
	holder_release(&other);
	/* root's always gets in */
	int a = raw_connect(f);
	raw_send(a, big.data, PROTO_HEADER_SIZE + 10);
	struct pollfd pfd = { a, POLLIN, 0 };
	assert_int_equal(poll(&pfd, 1, 100), 0);
	int d = raw_connect(f);
	raw_header(d, PROTO_MAGIC, PROTO_VERSION, MSG_CRONTAB_INSTALL, 5000);
	expect_fatal(d, "request too large (5000 bytes, limit 4096)");
	close(d);
	raw_send(a, big.data + PROTO_HEADER_SIZE + 10, LEN - 10);
	struct proto_msg m;
	struct proto_error err;
	assert_int_equal(proto_client_recv(a, &m, PROTO_MAX_PAYLOAD, 3000, &err), PROTO_OK);
	assert_int_equal(m.type, MSG_OK);
	proto_msg_free(&m);
	close(a);
	holder_release(&stall);
	expect_ping_soon(f);
	other = hold(f, 4242, 4242, 1, &part, &h2);      /* the budget is back */
	assert_int_equal(h2.refused, 0);
	holder_release(&other);
	proto_buf_free(&big);
}

static void test_replies_nobody_reads_share_a_budget(void **state)
{
	struct fx *f = *state;
	char *text = big_crontab(250000);
	struct result r;
	install(f, "nobody", text, &r);
	expect_ok(&r);
	struct proto_buf get = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	struct held h;
	struct holder stall = hold(f, NOBODY, NOBODY, 10, &get, &h);
	print_message("10 stalled readers: %d replies pending, %d refused: %s\n",
	              h.replied_ok, h.replied_busy, h.busy);
	assert_int_equal(h.replied_ok + h.replied_busy, 10);
	assert_true(h.replied_ok >= 1 && h.replied_ok <= 4);
	assert_non_null(strstr(h.busy, "refused: crond is busy"));
	assert_non_null(strstr(h.busy, "max_reply_bytes = 1048576"));
	install(f, NULL, text, &r);                      /* root is answered */
	expect_ok(&r);
	struct proto_buf b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	call(f, &b, &r);
	expect_ok(&r);
	holder_release(&stall);
	expect_ping_soon(f);
	b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);  /* the budget is back */
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.text_len, 250000);
	proto_buf_free(&get);
	free(text);
}

static void reply_budget_64k(struct config *cfg)
{
	cfg->max_reply_bytes = 65536;
}

static int setup_tiny_reply_budget(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	return setup_cfg(state, &lim, reply_budget_64k);
}

/* A budget smaller than one reply still lets each reply out while no
 * other waits. */
static void test_a_reply_larger_than_the_budget_goes_out_alone(void **state)
{
	struct fx *f = *state;
	char *text = big_crontab(250000);
	struct result r;
	install(f, "nobody", text, &r);
	expect_ok(&r);
	for (int i = 0; i < 2; i++) {
		struct proto_buf b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
		nobody(f, &b, &r);
		expect_ok(&r);
		assert_int_equal(r.text_len, 250000);
	}
	free(text);
}

/* A flood of refusals is a handful of log lines: CONTROL_LOG_BURST per
 * window, then the next line says how many were held back. */
static void test_refusal_log_lines_are_rate_limited(void **state)
{
	(void)state;
	struct control_ratelimit rl = { 0 };
	unsigned held = 99;
	int64_t now = 1000000;
	for (int i = 0; i < CONTROL_LOG_BURST; i++) {
		assert_true(control_log_allowed(&rl, now + i, &held));
		assert_int_equal(held, 0);
	}
	for (int i = 0; i < 1000; i++)
		assert_false(control_log_allowed(&rl, now + 10 + i, &held));
	assert_false(control_log_allowed(&rl, now + CONTROL_LOG_WINDOW_MS - 1, &held));
	assert_true(control_log_allowed(&rl, now + CONTROL_LOG_WINDOW_MS, &held));
	assert_int_equal(held, 1001);
	assert_true(control_log_allowed(&rl, now + CONTROL_LOG_WINDOW_MS + 1, &held));
	assert_int_equal(held, 0);
}

/* The lines a client causes are limited for each user apart: one user's
 * flood holds back their own lines, never another user's. */
static void test_refusal_log_lines_are_limited_per_user(void **state)
{
	(void)state;
	struct ownerlog *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	unsigned held = 99;
	bool shared = true;
	for (int i = 0; i < CONTROL_LOG_BURST; i++) {
		assert_true(control_log_user_allowed(l, "nobody", &held, &shared));
		assert_int_equal(held, 0);
	}
	for (int i = 0; i < 1000; i++)
		assert_false(control_log_user_allowed(l, "nobody", &held, &shared));
	/* within the same window (well under CONTROL_LOG_WINDOW_MS of real time) */
	assert_true(control_log_user_allowed(l, "daemon", &held, &shared));
	assert_int_equal(held, 0);
	assert_false(shared);
	assert_true(control_log_refusal(l, "root", "connection: test"));
	assert_false(control_log_refusal(l, "nobody", "connection: test"));
	free(l);
}

/* crontab --run: users together cannot take the clients kept for root. */
static void test_the_last_run_clients_are_kept_for_root(void **state)
{
	struct fx *f = *state;
	struct result r;
	struct proto_buf b;
	atomic_store(&f->c->run_clients, RUNCLIENT_MAX - RUNCLIENT_ROOT_KEPT);
	b = req_new(MSG_RUN);
	assert_int_equal(proto_buf_add_u32(&b, TAG_RUN_LINE, 1), PROTO_OK);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_BUSY, "the last 8 are kept for root");
	atomic_store(&f->c->run_clients, RUNCLIENT_MAX);
	b = req_new(MSG_RUN);
	assert_int_equal(proto_buf_add_u32(&b, TAG_RUN_LINE, 1), PROTO_OK);
	call(f, &b, &r);
	expect_error(&r, MSGE_BUSY, "(limit 64)");
	assert_int_equal(atomic_load(&f->c->run_clients), RUNCLIENT_MAX);
	atomic_store(&f->c->run_clients, 0);
}

/* crontab --run of a system crontab's line names no user: by name or by
 * uid, the request is refused, not run as the system crontab says with
 * the user dropped. */
static void test_a_system_crontab_run_names_no_user(void **state)
{
	struct fx *f = *state;
	struct result r;
	for (int by_uid = 0; by_uid < 2; by_uid++) {
		struct proto_buf b = req_new(MSG_RUN);
		proto_buf_add_str(&b, TAG_RUN_SOURCE, "/etc/crontab");
		proto_buf_add_u32(&b, TAG_RUN_LINE, 1);
		if (by_uid)
			proto_buf_add_u32(&b, TAG_UID, NOBODY);
		else
			proto_buf_add_str(&b, TAG_USER, "nobody");
		call(f, &b, &r);
		expect_error(&r, MSGE_INVALID, "-u does not go with a system crontab");
	}
}

/* ------------------------------------------------------------ quotas */

static void small_quotas(struct config *cfg)
{
	cfg->at_jobs_per_user = 3;
	cfg->at_bytes_per_user = 8192;
	cfg->crontab_max_bytes = 1024;
}

static int setup_quotas(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	return setup_cfg(state, &lim, small_quotas);
}

static void remove_job(struct fx *f, int64_t id)
{
	struct proto_buf b = req_new(MSG_AT_REMOVE);
	proto_buf_add_i64(&b, TAG_JOB_ID, id);
	struct result r;
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.rows[0].code, MSGE_NONE);
}

static size_t count_jobs(struct fx *f, uid_t uid)
{
	struct spool *sp;
	struct spool_err err;
	struct spool_at_summary *jobs;
	size_t n;
	struct spool_at_filter filter = { .uid = uid };
	assert_int_equal(spool_open(f->c->cfg.spool, 0, &sp, &err), 0);
	assert_int_equal(spool_at_list(sp, &filter, &jobs, &n, &err), 0);
	free(jobs);
	spool_close(sp);
	return n;
}

/* The attack: fill root's spool with at jobs and a large crontab. The
 * N+1th job and an oversized crontab are refused with the limit named;
 * nothing is written; root is exempt. */
static void test_quotas_refuse_the_job_and_crontab_over_the_limit(void **state)
{
	struct fx *f = *state;
	write_file(f, "at.allow", "nobody\n");
	struct result r;
	for (int i = 0; i < 3; i++) {
		struct proto_buf b = at_req("a", 2000000000);
		nobody(f, &b, &r);
		expect_ok(&r);
	}
	struct proto_buf b = at_req("a", 2000000000);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_QUOTA, "refused: quota: you have 3 at jobs queued, limit "
	             "at_jobs_per_user = 3");
	assert_int_equal(count_jobs(f, NOBODY), 3);
	assert_int_equal(count_msgs(f, TIMER_AT_ADD), 3);
	for (int i = 0; i < 5; i++) {                    /* root is exempt */
		b = at_req("a", 2000000000);
		call(f, &b, &r);
		expect_ok(&r);
	}

	static char script[5000];                        /* bytes: 44 per small job */
	memset(script, ':', sizeof(script));
	remove_job(f, 1);
	b = at_req_script("a", 2000000000, script, sizeof(script));
	nobody(f, &b, &r);
	expect_ok(&r);                                   /* 2 x 44 + 5036 fits */
	remove_job(f, 2);
	b = at_req_script("a", 2000000000, script, sizeof(script));
	nobody(f, &b, &r);
	expect_error(&r, MSGE_QUOTA, "refused: quota: your queued at jobs hold 5080 bytes and "
	             "this one 5036 more, limit at_bytes_per_user = 8192");
	assert_int_equal(count_jobs(f, NOBODY), 2);

	char *text = big_crontab(2000);
	b = crontab_req(MSG_CRONTAB_INSTALL, NULL, text, strlen(text));
	nobody(f, &b, &r);
	expect_error(&r, MSGE_QUOTA, "refused: quota: the crontab is 2000 bytes, limit "
	             "crontab_max_bytes = 1024");
	b = crontab_req(MSG_CRONTAB_GET, NULL, NULL, 0);
	nobody(f, &b, &r);
	expect_error(&r, MSGE_NOT_FOUND, NULL);          /* nothing written */
	install(f, NULL, text, &r);                      /* root is exempt */
	expect_ok(&r);
	install(f, "nobody", text, &r);                  /* ... also for others */
	expect_ok(&r);
	free(text);
}

/* ------------------------------------------------------------ full disk */

static int setup_small_fs(void **state)
{
	struct control_limits lim;
	test_limits(&lim);
	lim.reserve_retry_ms = 200;
	return setup_fs(state, &lim, NULL, "size=4m,mode=0700");   /* the spool, both reserves */
}

static bool reserve_there(struct fx *f)
{
	char path[CONFIG_PATH_MAX + 16];
	struct stat st;
	snprintf(path, sizeof(path), "%s-reserve", f->c->cfg.spool);
	return lstat(path, &st) == 0 && st.st_size >= SPOOL_RESERVE_BYTES;
}

/* The attack: a user fills the file system that holds the spool. atrm and
 * crontab -r still work (the reserve is released and the removal retried),
 * crond keeps serving, and makes the reserve again once there is room. */
static void test_removals_work_on_a_full_file_system(void **state)
{
	struct fx *f = *state;
	if (!f->mounted) {
		print_message("skipped: needs root to mount a small tmpfs\n");
		skip();
	}
	assert_true(reserve_there(f));
	write_file(f, "at.allow", "nobody\n");
	struct result r;
	struct proto_buf b = at_req("a", 2000000000);
	nobody(f, &b, &r);
	expect_ok(&r);
	int64_t id = r.job_id;
	b = crontab_req(MSG_CRONTAB_INSTALL, NULL, "0 4 * * * true\n", 15);
	nobody(f, &b, &r);
	expect_ok(&r);
	FILE *fp = fopen(in_dir(f, "spool/filler"), "w");
	assert_non_null(fp);
	static char block[4096];
	while (fwrite(block, 1, sizeof(block), fp) == sizeof(block) && fflush(fp) == 0)
		;
	fclose(fp);
	b = at_req("a", 2000000000);                     /* full: writes fail */
	nobody(f, &b, &r);
	expect_error(&r, MSGE_INTERNAL, "disk full");

	b = req_new(MSG_AT_REMOVE);
	proto_buf_add_i64(&b, TAG_JOB_ID, id);
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.rows[0].code, MSGE_NONE);
	b = crontab_req(MSG_CRONTAB_REMOVE, NULL, NULL, 0);
	nobody(f, &b, &r);
	expect_ok(&r);
	assert_false(reserve_there(f));
	assert_int_equal(count_msgs(f, TIMER_AT_REMOVE), 1);
	assert_int_equal(count_msgs(f, TIMER_REMOVE_CRONTAB), 1);
	expect_ping(f);

	assert_int_equal(unlink(in_dir(f, "spool/filler")), 0);   /* room again */
	struct timespec wait = { 0, 300 * 1000 * 1000 };
	nanosleep(&wait, NULL);
	expect_ping(f);                                  /* a request, then a try */
	assert_true(reserve_there(f));
}

/* ------------------------------------------------------------ socket, log */

static void test_open_replaces_a_stale_socket_but_nothing_else(void **state)
{
	struct fx *f = *state;
	struct crond *c = crond_new(f);
	set_path(f, c->cfg.socket, "other.sock");
	char err[256];
	write_file(f, "other.sock", "precious\n");        /* a regular file */
	assert_int_equal(control_open(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a socket"));
	struct stat st;
	assert_int_equal(lstat(c->cfg.socket, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(unlink(c->cfg.socket), 0);

	int s = socket(AF_UNIX, SOCK_STREAM, 0);          /* a stale socket */
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	assert_true(strlen(c->cfg.socket) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, c->cfg.socket, strlen(c->cfg.socket) + 1);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(s);
	mode_t mask = umask(027);
	assert_int_equal(control_open(c, err, sizeof(err)), 0);
	assert_int_equal(umask(mask), 027);   /* the bind's umask is put back */
	assert_int_equal(lstat(c->cfg.socket, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);   /* made so, with no chmod */

	struct crond *twin = crond_new(f);                 /* a live one stays */
	set_path(f, twin->cfg.socket, "other.sock");
	assert_int_equal(control_open(twin, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "listening"));
	crond_free(twin);
	control_close(c);
	assert_int_equal(lstat(c->cfg.socket, &st), -1);
	crond_free(c);
}

/* Log lines name the event, never the crontab text or the environment. */
static void test_log_lines_are_greppable_and_keep_secrets(void **state)
{
	struct fx *f = *state;
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int logfd = open(in_dir(f, "log"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(saved >= 0 && logfd >= 0);
	assert_int_equal(dup2(logfd, STDERR_FILENO), STDERR_FILENO);
	log_open(CONFIG_LOG_STDERR, true);
	struct result r;
	install(f, NULL, "SECRET_A=1\n* * * * * echo SECRET_B\n", &r);
	struct proto_buf b = at_req("a", 2000000000);
	proto_buf_add_str(&b, TAG_ENV, "SECRET_C=x");
	call(f, &b, &r);
	int64_t id = r.job_id;
	b = req_new(MSG_AT_REMOVE);
	proto_buf_add_i64(&b, TAG_JOB_ID, id);
	call(f, &b, &r);
	b = crontab_req(MSG_CRONTAB_REMOVE, NULL, NULL, 0);
	call(f, &b, &r);
	log_close();
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	char text[4096] = "";
	ssize_t n = pread(logfd, text, sizeof(text) - 1, 0);
	close(logfd);
	assert_true(n > 0);
	text[n] = '\0';
	char want[128];
	assert_non_null(strstr(text, "(root) REPLACE (crontab, 1 entry)"));
	snprintf(want, sizeof(want), "(root) AT (job %lld queue a at 2033-05-18T03:33:20+00:00)",
	         (long long)id);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "(root) ATRM (job %lld)", (long long)id);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "(root) DELETE (crontab)"));
	assert_null(strstr(text, "SECRET"));
}

/* Group commit: at submissions that arrive while the control thread is
 * busy writing are written together in one transaction, and each is
 * answered (with its own id) only once that transaction is durable. The
 * spool's write lock is held here, so the first write waits and the other
 * submissions pile up meanwhile. */
static void test_at_submissions_arriving_together_share_one_transaction(void **state)
{
	struct fx *f = *state;
	enum { N = 6 };
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int logfd = open(in_dir(f, "log"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(saved >= 0 && logfd >= 0);
	assert_int_equal(dup2(logfd, STDERR_FILENO), STDERR_FILENO);
	log_open(CONFIG_LOG_STDERR, true);
	log_set_debug(true);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->c->cfg.spool, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	int fds[N];
	for (int i = 0; i < N; i++) {
		fds[i] = raw_connect(f);
		struct proto_buf b = at_req("a", 2000000000 + i);
		raw_send(fds[i], b.data, b.len);
		proto_buf_free(&b);
		struct timespec gap = { 0, 20 * 1000 * 1000 };
		nanosleep(&gap, NULL);
	}
	struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 200), 0);      /* nothing acknowledged yet */
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	int64_t ids[N];
	for (int i = 0; i < N; i++) {
		struct proto_msg m;
		struct proto_error err;
		assert_int_equal(proto_client_recv(fds[i], &m, PROTO_MAX_PAYLOAD, 8000, &err),
		                 PROTO_OK);
		assert_int_equal(m.type, MSG_OK);
		assert_int_equal(proto_get_i64(&m, TAG_JOB_ID, &ids[i], NULL), PROTO_OK);
		for (int k = 0; k < i; k++)
			assert_true(ids[k] != ids[i]);
		proto_msg_free(&m);
		close(fds[i]);
	}
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	log_set_debug(false);
	log_close();
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	char text[8192] = "";
	ssize_t n = pread(logfd, text, sizeof(text) - 1, 0);
	close(logfd);
	assert_true(n > 0);
	text[n] = '\0';
	/* the first waited for the lock alone or with a few; the rest shared */
	const char *line = strstr(text, "at jobs queued in one transaction");
	assert_non_null(line);
	take_timer(f);
	assert_int_equal(f->n_msgs, N);
	struct result r;
	struct proto_buf b = req_new(MSG_AT_LIST);
	call(f, &b, &r);
	expect_ok(&r);
	assert_int_equal(r.n_rows, N);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_ping_reports_version_and_pid),
		T(test_crontab_round_trip_is_byte_for_byte),
		T(test_install_reaches_the_timer_within_milliseconds),
		T(test_invalid_crontab_is_refused_with_one_diag_per_problem),
		T(test_warnings_come_back_with_an_accepted_crontab),
		T(test_root_may_name_any_existing_user),
		T(test_a_user_acts_only_on_their_own_crontab),
		T(test_a_caller_without_a_passwd_entry_is_refused),
		T(test_cron_allow_and_deny_table),
		T(test_at_allow_and_deny_table),
		T(test_access_looks_the_at_mail_recipient_up),
		T(test_at_submit_list_get_and_remove),
		T(test_at_submit_refuses_each_bad_field),
		T(test_at_submit_refuses_a_run_time_out_of_range),
		T(test_at_submissions_arriving_together_share_one_transaction),
		T(test_a_running_job_is_listed_in_queue_equals_and_kept),
		T(test_a_user_sees_and_touches_only_their_own_jobs),
		T(test_history_rows_newest_first_by_user_and_kind),
		T(test_history_names_its_user_by_uid),
		T(test_a_system_crontab_run_names_no_user),
		T(test_history_cut_is_said),
		T(test_history_pages_with_the_cursor),
		T(test_status_keys_entries_as_the_scheduler_does),
		T(test_garbage_gets_a_fatal_reply_and_others_are_served),
		T(test_an_oversized_request_is_refused_from_its_header),
		T(test_another_protocol_version_is_told_both_versions),
		T(test_malformed_fields_and_unknown_types),
		T(test_pipelined_requests_get_one_reply_each),
		T(test_a_stalled_client_neither_blocks_others_nor_stays),
		cmocka_unit_test_setup_teardown(test_an_idle_connection_is_closed,
		                                setup_short_idle, teardown),
		T(test_a_reply_nobody_reads_is_dropped_after_the_deadline),
		cmocka_unit_test_setup_teardown(test_requests_in_flight_share_a_memory_budget,
		                                setup_small_budget, teardown),
		T(test_connections_past_the_cap_are_refused_and_crond_survives),
		cmocka_unit_test_setup_teardown(test_a_connection_flood_cannot_keep_root_or_others_out,
		                                setup_long_idle, teardown),
		cmocka_unit_test_setup_teardown(test_the_last_slots_are_kept_for_root,
		                                setup_few_slots, teardown),
		cmocka_unit_test_setup_teardown(test_replies_nobody_reads_share_a_budget,
		                                setup_reply_budget, teardown),
		cmocka_unit_test_setup_teardown(test_a_reply_larger_than_the_budget_goes_out_alone,
		                                setup_tiny_reply_budget, teardown),
		cmocka_unit_test_setup_teardown(test_quotas_refuse_the_job_and_crontab_over_the_limit,
		                                setup_quotas, teardown),
		T(test_the_last_run_clients_are_kept_for_root),
		cmocka_unit_test(test_refusal_log_lines_are_rate_limited),
		cmocka_unit_test(test_refusal_log_lines_are_limited_per_user),
		cmocka_unit_test_setup_teardown(test_removals_work_on_a_full_file_system,
		                                setup_small_fs, teardown),
		T(test_open_replaces_a_stale_socket_but_nothing_else),
		T(test_log_lines_are_greppable_and_keep_secrets),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
