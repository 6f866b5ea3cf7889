/* crond/run/orphans.c: reaping the children crond did not start (see
 * orphans.h). */
#include "crond/run/orphans.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

bool orphans_come_here(void)
{
	int subreaper = 0;
	return getpid() == 1 || (prctl(PR_GET_CHILD_SUBREAPER, &subreaper) == 0 && subreaper);
}

size_t orphans_reap(bool (*known)(void *ctx, pid_t pid), void *ctx, size_t max)
{
	size_t n = 0;
	while (n < max) {
		siginfo_t si = { 0 };
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			break;   /* no child (ECHILD), or none has exited */
		if (known(ctx, si.si_pid))
			break;
		siginfo_t gone = { 0 };
		if (waitid(P_PID, (id_t)si.si_pid, &gone, WEXITED | WNOHANG) < 0)
			break;
		n++;
	}
	return n;
}
