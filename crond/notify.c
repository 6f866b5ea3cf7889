/* crond/notify.c: sd_notify for the service manager (see notify.h).
 *
 * The protocol is one datagram: the state text, sent to the Unix socket
 * named by $NOTIFY_SOCKET, a path or, when it begins with '@', a name in
 * the abstract namespace (the '@' becomes a NUL byte and the address ends
 * with the name). systemd identifies the sender by the datagram's
 * credentials, which the kernel attaches. crond does this itself instead
 * of linking libsystemd, whose loading (six more libraries, their
 * relocations) was a quarter of crond's start-up.
 */
#include "crond/notify.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "crond/log.h"
#include "lib/timefmt.h"

bool notify_wanted(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	return s != NULL && s[0] != '\0';
}

/* Sends STATE to the socket named NAME: 0, or an errno value. */
static int notify_send(const char *name, const char *state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len < 2 || len >= sizeof(addr.sun_path))
		return EINVAL;
	memcpy(addr.sun_path, name, len);
	if (name[0] == '@')
		addr.sun_path[0] = '\0';   /* abstract: the address is exactly the name */
	else
		len++;                      /* a path: with its NUL */
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	size_t n = strlen(state);
	ssize_t sent = sendto(fd, state, n, MSG_NOSIGNAL, (const struct sockaddr *)&addr, alen);
	int e = sent < 0 ? errno : (size_t)sent != n ? EMSGSIZE : 0;
	if (close(fd) < 0 && e == 0)
		e = errno;
	return e;
}

void notify_state(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	if (name == NULL || name[0] == '\0')
		return;
	int e = notify_send(name, state);
	if (e != 0)
		log_msg(LOG_DEBUG, "sd_notify(%s) to %s: %s", state, name, strerror(e));
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void notify_status_text(struct crond *c, char *buf, size_t len)
{
	size_t tabs = atomic_load(&c->crontabs), at = atomic_load(&c->at_jobs);
	size_t running = atomic_load(&c->jobs_running);
	long long due = atomic_load(&c->next_due);
	char next[TIMEFMT_RFC3339_LEN] = "none";
	if (due != INT64_MAX)
		timefmt_rfc3339(c->local_zone, (int64_t)due, next, sizeof(next));
	/* A cluster node that claims nothing says so first. */
	char trouble[96] = "";
	if (atomic_load(&c->spool_down))
		snprintf(trouble, sizeof(trouble), "SPOOL DOWN, claiming nothing; ");
	else if (atomic_load(&c->claims_refused))
		snprintf(trouble, sizeof(trouble), "CLOCK SKEW %+lld ms, claiming nothing; ",
		         (long long)atomic_load(&c->clock_skew_ms));
	snprintf(buf, len, "%s%zu crontab%s, %zu at job%s, %zu running, next run %s", trouble, tabs,
	         plural(tabs), at, plural(at), running, next);
}

void notify_status_update(struct crond *c, char *last)
{
	if (!notify_wanted())
		return;
	char text[NOTIFY_STATUS_MAX], msg[NOTIFY_STATUS_MAX + 8];
	notify_status_text(c, text, sizeof(text));
	if (strcmp(text, last) == 0)
		return;
	snprintf(last, NOTIFY_STATUS_MAX, "%s", text);
	snprintf(msg, sizeof(msg), "STATUS=%s", text);
	notify_state(msg);
}
