/* crond/run/supervisor_slots.c: the supervisor's running jobs, each in a
 * slot, and the epoll tags that name them (supervisor_internal.h).
 *
 * Runs only in the supervisor thread (DESIGN in crond/run/supervisor.h).
 */
#include "crond/run/supervisor_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/clock.h"
#include "crond/log.h"

static uint64_t tag(const struct job *j, enum job_fd which)
{
	return (uint64_t)j->slot << 32 | (uint64_t)(j->gen & GEN_MASK) << 2 | (uint64_t)which;
}

static void watch(struct super *s, int fd, uint64_t t)
{
	if (fd < 0)
		return;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = t };
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		log_msg(LOG_ERR, "epoll_ctl: %s", strerror(errno));
}

/* The pipe size pause_output gives a job: JOB_DISCARD_BUDGET, or less
 * where the administrator lowered fs.pipe-max-size, which F_SETPIPE_SZ
 * would not hold a root process to (CAP_SYS_RESOURCE); 0 when it cannot
 * be read. Read at each first pause: rare, and a change applies at once.
 * A pipe is only ever enlarged to it, never shrunk. */
static int pipe_size_allowed(void)
{
	int fd = open("/proc/sys/fs/pipe-max-size", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[24];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0'))
		return 0;
	return v < JOB_DISCARD_BUDGET ? (int)v : JOB_DISCARD_BUDGET;
}

/* J's pipe is not watched until J->drain_at_mono, set from what the drain
 * that dropped bytes cost the supervisor (COST, its CPU time: on a busy
 * machine the drain's wall time would include waiting for a CPU, and pause
 * a job for nothing): the pause is JOB_DISCARD_SHARE times that, and at
 * least JOB_DISCARD_PAUSE_NS. A drain wakes every process waiting to write
 * to the pipe, so its cost is the job's to choose (its number of writers):
 * the pause keeps the drains of one job under 1 / (JOB_DISCARD_SHARE + 1)
 * of the supervisor's time, whatever they cost. */
static void pause_output(struct super *s, struct job *j, int64_t cost)
{
	if (!j->out_paused) {
		/* The first time: a pipe of JOB_DISCARD_BUDGET, so that a job
		 * with much to say still goes at 512 MiB/s (a 64 KiB pipe drained
		 * every 2 ms: 32). Not fatal: the pipe stays as it was. */
		j->out_paused = true;
		int size = pipe_size_allowed();
		if (size > fcntl(j->proc.out_fd, F_GETPIPE_SZ))   /* never smaller */
			(void)fcntl(j->proc.out_fd, F_SETPIPE_SZ, size);
	}
	int64_t pause = cost * JOB_DISCARD_SHARE;
	if (pause < JOB_DISCARD_PAUSE_NS)
		pause = JOB_DISCARD_PAUSE_NS;
	if (pause > JOB_DISCARD_PAUSE_MAX_NS)
		pause = JOB_DISCARD_PAUSE_MAX_NS;
	j->drain_at_mono = clock_mono_ns() + pause;
	if (j->drain_watched) {
		struct epoll_event ev = { .events = 0, .data.u64 = tag(j, JOB_FD_OUT) };
		if (epoll_ctl(s->ep, EPOLL_CTL_MOD, j->proc.out_fd, &ev) < 0) {
			log_msg(LOG_ERR, "epoll_ctl: %s", strerror(errno));
			j->drain_at_mono = 0;   /* still watched: taken at every pass */
			return;
		}
		j->drain_watched = false;
	}
}

void super_take_output(struct super *s, struct job *j)
{
	int64_t t0 = clock_thread_cpu_ns();
	bool dropped = job_read_output(j, s->cfg.output_cap, s->kit.discard);
	j->drain_at_mono = 0;
	if (dropped && j->proc.out_fd >= 0) {
		pause_output(s, j, clock_thread_cpu_ns() - t0);
		return;
	}
	if (!j->drain_watched && j->proc.out_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag(j, JOB_FD_OUT) };
		if (epoll_ctl(s->ep, EPOLL_CTL_MOD, j->proc.out_fd, &ev) < 0) {
			/* Unwatched, it is taken only at its deadline: keep one. */
			log_msg(LOG_ERR, "epoll_ctl: %s", strerror(errno));
			j->drain_at_mono = clock_mono_ns() + JOB_DISCARD_PAUSE_NS;
			return;
		}
		j->drain_watched = true;
	}
}

/* Gives J a slot; false (logged) on allocation failure. */
static bool take_slot(struct super *s, struct job *j)
{
	uint32_t slot;
	if (s->n_free) {
		slot = s->free_slots[--s->n_free];
	} else {
		if (s->n_slots == s->cap_slots) {
			size_t ncap = s->cap_slots ? s->cap_slots * 2 : 64;
			struct job **ns = realloc(s->slots, ncap * sizeof(*ns));
			if (ns)
				s->slots = ns;
			uint32_t *ng = ns ? realloc(s->gens, ncap * sizeof(*ng)) : NULL;
			if (ng)
				s->gens = ng;
			uint32_t *nf = ng ? realloc(s->free_slots, ncap * sizeof(*nf)) : NULL;
			if (nf)
				s->free_slots = nf;
			/* The heap's room for every slot now, so that setting a
			 * deadline never fails later (super_settle_touched). */
			if (!nf || heap_reserve(&s->deadlines, ncap, ncap) < 0) {
				log_msg(LOG_ERR, "out of memory tracking a job");
				return false;
			}
			s->cap_slots = ncap;
		}
		slot = (uint32_t)s->n_slots++;
		s->gens[slot] = 0;
	}
	s->slots[slot] = j;
	j->slot = slot;
	j->gen = s->gens[slot];
	return true;
}

void super_release_slot(struct super *s, struct job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		s->running = j->next;
	if (j->next)
		j->next->prev = j->prev;
	j->next = j->prev = NULL;
	if (j->reap_polled) {
		j->reap_polled = false;
		s->n_reap_polled--;
	}
	heap_remove(&s->deadlines, j->slot);
	s->slots[j->slot] = NULL;
	s->gens[j->slot] = (s->gens[j->slot] + 1) & GEN_MASK;
	s->free_slots[s->n_free++] = j->slot;   /* room: one for each slot */
}

void super_touch(struct super *s, struct job *j)
{
	if (j->touched)
		return;
	j->touched = true;
	j->touched_next = s->touched;
	s->touched = j;
}

struct job *super_settle_touched(struct super *s)
{
	struct job *done = NULL;
	while (s->touched) {
		struct job *j = s->touched;
		s->touched = j->touched_next;
		j->touched = false;
		j->touched_next = NULL;
		if (job_done(j)) {
			super_release_slot(s, j);
			j->touched_next = done;
			done = j;
			continue;
		}
		int64_t next = job_next_deadline(j);
		if (next)
			(void)heap_set(&s->deadlines, j->slot, next);   /* room reserved */
		else
			heap_remove(&s->deadlines, j->slot);
	}
	return done;
}

struct job *super_tagged_job(const struct super *s, uint64_t t, enum job_fd *which)
{
	uint32_t slot = (uint32_t)(t >> 32);
	if (slot >= s->n_slots || !s->slots[slot] || s->gens[slot] != ((t >> 2) & GEN_MASK))
		return NULL;
	*which = (enum job_fd)(t & 3);
	return s->slots[slot];
}

bool super_adopt(struct super *s, struct job *j)
{
	if (!take_slot(s, j)) {
		/* Cannot watch it, so it cannot be reaped later: stop it now. */
		runner_signal(&j->proc, SIGKILL);
		waitpid(j->proc.pid, NULL, 0);
		super_give_back(s, j->req);
		job_free(j);
		return false;
	}
	watch(s, j->proc.out_fd, tag(j, JOB_FD_OUT));
	j->drain_watched = true;
	if (j->proc.err_fd >= 0)
		watch(s, j->proc.err_fd, tag(j, JOB_FD_ERR));
	else
		super_check_started(s, j);   /* known already (runner.h) */
	watch(s, j->proc.pidfd, tag(j, JOB_FD_PID));
	j->prev = NULL;
	j->next = s->running;
	if (s->running)
		s->running->prev = j;
	s->running = j;
	if (j->proc.pidfd < 0 && !j->exited) {
		j->reap_polled = true;
		s->n_reap_polled++;
	}
	super_touch(s, j);
	if (j->kind != JOB_MAIL)
		s->n_jobs++;
	return true;
}
