/* crond/control/control_run.c: MSG_RUN, `crontab --run LINE` (see
 * control_handlers.h and lib/proto_msgs.h).
 *
 * Runs on the control thread. It decides who may run what: a user their
 * own crontab's entries (cron.allow/deny apply), root anyone's (TAG_USER)
 * and a system crontab's (TAG_RUN_SOURCE). It does not look the entry up:
 * the schedule belongs to the timer thread, which finds the entry and
 * builds the run as it builds a scheduled one. The connection is handed
 * over as a duplicate descriptor inside a struct run_client
 * (crond/control/runclient.h): the control thread closes its own copy and never
 * writes to it again, so exactly one thread writes to the client at a time
 * (the supervisor, from then on). At most RUNCLIENT_MAX clients are held
 * in the daemon at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crond/control/control_handlers.h"
#include "crond/log.h"
#include "crond/control/runclient.h"
#include "crond/sched/timer.h"
#include "lib/source_name.h"

#define SOURCE_MAX (CONFIG_PATH_MAX + 8)

/* The source the request names: "user:NAME" (the caller, or -u) or a
 * system crontab's path (root only). False with REPLY built when refused. */
static bool run_source(struct control_ctx *ctx, const struct control_peer *peer,
                       const struct proto_msg *req, char *source, struct proto_buf *reply)
{
	struct proto_field f;
	if (proto_find(req, TAG_RUN_SOURCE, &f, NULL) == PROTO_OK) {
		if (peer->user.uid != 0) {
			control_reply_error(reply, MSGE_PERM, "only root may run a line of a system "
			                    "crontab");
			return false;
		}
		if (proto_find(req, TAG_USER, &f, NULL) == PROTO_OK ||
		    proto_find(req, TAG_UID, &f, NULL) == PROTO_OK) {
			control_reply_error(reply, MSGE_INVALID, "-u does not go with a system crontab");
			return false;
		}
		(void)proto_find(req, TAG_RUN_SOURCE, &f, NULL);
		if (proto_field_strcpy(&f, source, SOURCE_MAX, NULL) != PROTO_OK || source[0] != '/') {
			control_reply_error(reply, MSGE_INVALID, "a system crontab is named by its "
			                    "absolute path");
			return false;
		}
		return true;
	}
	struct control_user target;
	if (!control_target(peer, req, &target, NULL, reply) ||
	    !control_allowed(ctx, peer, &target, ACCESS_CRON, reply))
		return false;
	if (source_name_user(source, SOURCE_MAX, target.name) < 0) {
		control_reply_error(reply, MSGE_INVALID, "user name over %d bytes", SPOOL_NAME_MAX);
		return false;
	}
	return true;
}

_Static_assert(CROND_RUN_ASKERS >= RUNCLIENT_MAX, "a place for every run client");

/* A place in crond's run_askers for UID, which has fewer than
 * RUNCLIENT_PER_USER runs by hand going (root: any number); NULL when it
 * has that many, with *MINE how many. Only the control thread takes
 * places (clients free them from any thread), so the count cannot grow
 * between the look and the take. A user's runs were counted only when the
 * supervisor admitted them, and one user's runs, each behind the crontab
 * change before it in the timer's queue, took all 56 of the users' client
 * places meanwhile (a review). */
static atomic_uint *take_asker_place(struct crond *c, uid_t uid, unsigned *mine)
{
	unsigned want = (unsigned)uid + 1;
	atomic_uint *free_place = NULL;
	*mine = 0;
	for (size_t i = 0; i < CROND_RUN_ASKERS; i++) {
		unsigned v = atomic_load(&c->run_askers[i]);
		if (v == want)
			(*mine)++;
		else if (v == 0 && free_place == NULL)
			free_place = &c->run_askers[i];
	}
	if ((uid != 0 && *mine >= RUNCLIENT_PER_USER) || free_place == NULL)
		return NULL;
	atomic_store(free_place, want);
	return free_place;
}

void control_run(struct control_ctx *ctx, const struct control_peer *peer,
                 const struct proto_msg *req, struct proto_buf *reply)
{
	struct proto_field f;
	uint32_t line = 0;
	if (proto_find(req, TAG_RUN_LINE, &f, NULL) != PROTO_OK ||
	    proto_field_u32(&f, &line, NULL) != PROTO_OK || line == 0) {
		control_reply_error(reply, MSGE_INVALID, "a line number (1 or more) is needed");
		return;
	}
	char source[SOURCE_MAX];
	if (!run_source(ctx, peer, req, source, reply))
		return;
	atomic_uint *count = &ctx->c->run_clients;
	bool root = peer->user.uid == 0;
	unsigned limit = root ? RUNCLIENT_MAX : RUNCLIENT_MAX - RUNCLIENT_ROOT_KEPT;
	if (atomic_fetch_add(count, 1) >= limit) {
		atomic_fetch_sub(count, 1);
		if (root)
			control_reply_error(reply, MSGE_BUSY, "too many runs of crontab --run are "
			                    "going (limit %d); try again later", RUNCLIENT_MAX);
		else
			control_reply_error(reply, MSGE_BUSY, "too many runs of crontab --run are "
			                    "going (limit %d; the last %d are kept for root); try "
			                    "again later", RUNCLIENT_MAX, RUNCLIENT_ROOT_KEPT);
		return;
	}
	unsigned mine;
	atomic_uint *place = take_asker_place(ctx->c, peer->user.uid, &mine);
	if (place == NULL) {
		atomic_fetch_sub(count, 1);
		if (mine >= RUNCLIENT_PER_USER)
			control_reply_error(reply, MSGE_BUSY, "%s already has %u runs started with "
			                    "crontab --run going; wait for one to end",
			                    peer->user.name, mine);
		else
			control_reply_error(reply, MSGE_BUSY, "too many runs of crontab --run are "
			                    "going; try again later");
		return;
	}
	int fd = fcntl(ctx->conn_fd, F_DUPFD_CLOEXEC, 3);
	struct run_client *cl = fd >= 0 ? runclient_new(fd, peer->user.name, line, count, place)
	                                : NULL;
	if (cl == NULL) {
		int e = fd < 0 ? errno : ENOMEM;
		if (fd >= 0)
			close(fd);
		atomic_fetch_sub(count, 1);
		atomic_store(place, 0);
		log_msg(LOG_ERR, "control: crontab --run: %s", strerror(e));
		control_reply_error(reply, MSGE_INTERNAL, "crond cannot run it: %s", strerror(e));
		return;
	}
	timer_post_run(ctx->c, source, line, cl);
	ctx->handed_off = true;
}
