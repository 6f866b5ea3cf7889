/* crond/control/runclient.c: the frames of a manual run's client (see runclient.h). */
#include "crond/control/runclient.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/clock.h"
#include "crond/log.h"
#include "lib/proto.h"

struct run_client *runclient_new(int fd, const char *asker, uint32_t line, atomic_uint *count,
                                 atomic_uint *asker_slot)
{
	struct run_client *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->line = line;
	c->count = count;
	c->asker_slot = asker_slot;
	snprintf(c->asker, sizeof(c->asker), "%s", asker);
	return c;
}

void runclient_gone(struct run_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->gone = true;
	c->len = c->off = 0;
}

/* Appends frame B (freed) to the queue; false when it cannot (no memory,
 * or OUTPUT and the queue is full). */
static bool queue(struct run_client *c, struct proto_buf *b, bool output)
{
	bool ok = false;
	if (c->gone || b->failed != PROTO_OK || b->data == NULL)
		goto out;
	if (output && c->len - c->off + b->len > RUNCLIENT_PENDING_MAX)
		goto out;
	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len + b->len > c->cap) {
		size_t ncap = c->cap ? c->cap : 4096;
		while (ncap < c->len + b->len)
			ncap *= 2;
		uint8_t *n = realloc(c->buf, ncap);
		if (n == NULL)
			goto out;
		c->buf = n;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, b->data, b->len);
	c->len += b->len;
	ok = true;
out:
	proto_buf_free(b);
	return ok;
}

static void last_frame(struct run_client *c, struct proto_buf *b)
{
	if (c->ended) {
		proto_buf_free(b);
		return;
	}
	c->ended = true;
	c->linger_until_mono = clock_mono_ns() + RUNCLIENT_LINGER_NS;
	if (!queue(c, b, false))
		runclient_gone(c);   /* it would never learn how the run ended */
}

void runclient_error(struct run_client *c, enum msg_error code, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct proto_buf b = { 0 };
	(void)proto_buf_init(&b, MSG_ERROR);
	(void)proto_buf_add_u32(&b, TAG_ERROR_CODE, code);
	(void)proto_buf_add_str(&b, TAG_ERROR_TEXT, text);
	last_frame(c, &b);
}

void runclient_state(struct run_client *c, enum msg_run_state st, int pid)
{
	if (c->ended)
		return;
	struct proto_buf b = { 0 };
	(void)proto_buf_init(&b, MSG_RUN_STATE);
	(void)proto_buf_add_u32(&b, TAG_RUN_STATE, st);
	if (st == RUN_STATE_STARTED)
		(void)proto_buf_add_u32(&b, TAG_PID, (uint32_t)pid);
	if (!queue(c, &b, false))
		runclient_gone(c);
	runclient_flush(c);
}

void runclient_output(struct run_client *c, const void *data, size_t len)
{
	const char *p = data;
	if (c->gone || c->ended)
		return;
	while (len > 0) {
		size_t n = len < RUNCLIENT_CHUNK ? len : RUNCLIENT_CHUNK;
		struct proto_buf b = { 0 };
		(void)proto_buf_init(&b, MSG_RUN_OUTPUT);
		(void)proto_buf_add_bytes(&b, TAG_RUN_DATA, p, n);
		if (!queue(c, &b, true)) {
			c->dropped += len;   /* the rest of this read: no holes in mid-frame */
			break;
		}
		p += n;
		len -= n;
	}
	runclient_flush(c);
}

bool runclient_wants_output(const struct run_client *c)
{
	return c != NULL && !c->gone && !c->ended && runclient_pending(c) < RUNCLIENT_PENDING_MAX;
}

void runclient_skipped(struct run_client *c, size_t len)
{
	if (!c->gone && !c->ended)
		c->dropped += len;
}

void runclient_end(struct run_client *c, int wstatus, uint32_t flags, const char *msg)
{
	struct proto_buf b = { 0 };
	(void)proto_buf_init(&b, MSG_RUN_END);
	bool sig = WIFSIGNALED(wstatus);
	(void)proto_buf_add_u32(&b, TAG_STATUS, sig ? 0 : (uint32_t)WEXITSTATUS(wstatus));
	(void)proto_buf_add_u32(&b, TAG_SIGNAL, sig ? (uint32_t)WTERMSIG(wstatus) : 0);
	(void)proto_buf_add_u32(&b, TAG_FLAGS, flags);
	(void)proto_buf_add_i64(&b, TAG_RUN_DROPPED, (int64_t)c->dropped);
	if (msg != NULL && msg[0] != '\0')
		(void)proto_buf_add_str(&b, TAG_ERROR_TEXT, msg);
	last_frame(c, &b);
}

void runclient_flush(struct run_client *c)
{
	while (!c->gone && c->off < c->len) {
		ssize_t w = send(c->fd, c->buf + c->off, c->len - c->off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			/* A run refused before it started, whose client cannot take
			 * even that one frame, never read what it had asked before:
			 * it does not hold a slot for RUNCLIENT_LINGER_NS (one user
			 * filled the slots not kept for root so: a review's finding) */
			if (c->ended && !c->started)
				runclient_gone(c);
			return;
		}
		if (w <= 0) {
			runclient_gone(c);
			return;
		}
		c->off += (size_t)w;
	}
	c->off = c->len = 0;
}

size_t runclient_pending(const struct run_client *c)
{
	return c->len - c->off;
}

bool runclient_done(const struct run_client *c, int64_t mono)
{
	return c->ended && (c->gone || runclient_pending(c) == 0 || mono >= c->linger_until_mono);
}

void runclient_free(struct run_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	if (c->asker_slot != NULL)   /* first: a place for each client counted */
		atomic_store(c->asker_slot, 0);
	if (c->count != NULL)
		atomic_fetch_sub(c->count, 1);
	free(c->buf);
	free(c);
}

/* ------------------------------------------------ the supervisor's set */

void runclients_adopt(struct run_clients *set, struct run_client *c)
{
	c->adopted = true;
	c->id = ++set->last_id & 0x3fffffffu;
	c->next = set->head;
	set->head = c;
	runclient_flush(c);
}

size_t runclients_of_user(const struct run_clients *set, const char *user)
{
	size_t n = 0;
	/* A client whose run ended but who has not read it all yet still
	 * holds one of the RUNCLIENT_MAX slots: it counts. */
	for (const struct run_client *c = set->head; c; c = c->next)
		n += (!c->ended || (!c->gone && runclient_pending(c) > 0)) &&
		     strcmp(c->user, user) == 0;
	return n;
}

static void watch(struct run_clients *set, struct run_client *c)
{
	if (c->gone)
		return;
	uint32_t want = runclient_pending(c) ? EPOLLOUT : 0;
	if (c->registered && want == c->watched)
		return;
	struct epoll_event ev = { .events = want, .data.u64 = set->tag | c->id };
	if (epoll_ctl(set->ep, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		log_msg(LOG_ERR, "epoll_ctl (crontab --run client): %s", strerror(errno));
		runclient_gone(c);
		return;
	}
	c->registered = true;
	c->watched = want;
}

static void forget(struct run_clients *set, struct run_client *c)
{
	if (c->registered && !c->gone)
		(void)epoll_ctl(set->ep, EPOLL_CTL_DEL, c->fd, NULL);
	runclient_free(c);
}

void runclients_step(struct run_clients *set, int64_t mono)
{
	for (struct run_client **p = &set->head; *p;) {
		struct run_client *c = *p;
		if (!c->started && !c->ended && !c->told_waiting) {
			c->told_waiting = true;
			runclient_state(c, RUN_STATE_WAITING, 0);
		}
		runclient_flush(c);
		if (runclient_done(c, mono)) {
			*p = c->next;
			forget(set, c);
			continue;
		}
		watch(set, c);
		p = &c->next;
	}
}

void runclients_event(struct run_clients *set, uint64_t tag, uint32_t events)
{
	for (struct run_client *c = set->head; c; c = c->next) {
		if ((set->tag | c->id) != tag || c->gone)
			continue;
		if (events & (EPOLLHUP | EPOLLERR)) {
			(void)epoll_ctl(set->ep, EPOLL_CTL_DEL, c->fd, NULL);
			runclient_gone(c);
		} else {
			runclient_flush(c);
		}
		return;
	}
}

int64_t runclients_next_deadline(const struct run_clients *set, int64_t next)
{
	for (const struct run_client *c = set->head; c; c = c->next)
		if (c->ended && !c->gone && runclient_pending(c) && c->linger_until_mono < next)
			next = c->linger_until_mono;
	return next;
}

void runclients_free(struct run_clients *set)
{
	while (set->head) {
		struct run_client *next = set->head->next;
		forget(set, set->head);
		set->head = next;
	}
}
