/* lib/peercred.c: SO_PEERCRED (see peercred.h). */
#include "lib/peercred.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* Copy A then B into MSG[0..SIZE), cut to fit. */
static void set_msg(char *msg, size_t size, const char *a, const char *b)
{
	size_t n = 0;
	if (size == 0)
		return;
	for (const char *s = a; *s != '\0' && n + 1 < size; s++)
		msg[n++] = *s;
	for (const char *s = b; *s != '\0' && n + 1 < size; s++)
		msg[n++] = *s;
	msg[n] = '\0';
}

int peercred_get(int fd, struct peercred *out, char *msg, size_t size)
{
	struct ucred uc;
	socklen_t len = sizeof uc;
	memset(&uc, 0, sizeof uc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0) {
		int e = errno;
		char buf[128];
		/* GNU strerror_r: thread-safe, returns BUF or a static string. */
		set_msg(msg, size, "cannot read peer credentials: ", strerror_r(e, buf, sizeof buf));
		errno = e;
		return -1;
	}
	if (len != sizeof uc || uc.uid == (uid_t)-1 || uc.gid == (gid_t)-1) {
		set_msg(msg, size, "the peer's credentials are unknown", "");
		errno = EINVAL;
		return -1;
	}
	out->pid = uc.pid;
	out->uid = uc.uid;
	out->gid = uc.gid;
	return 0;
}
