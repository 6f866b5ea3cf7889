/* crond/run/orphans.h: reaping the children crond did not start.
 *
 * When crond is PID 1 of its namespace (a container's first process) or a
 * child subreaper, the kernel makes it the parent of every process orphaned
 * below it: what a job left behind (`(sleep 60 &)`), and with PAM each
 * job's session keeper (crond/session.h). Nothing else waits for those, so
 * each would stay a zombie, holding a pid, for as long as crond runs. The
 * supervisor, which starts and reaps every child crond has, calls
 * orphans_reap at each turn of its loop while orphans_come_here is true.
 */
#ifndef CROND_ORPHANS_H
#define CROND_ORPHANS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whether orphaned processes are given to this process: it is PID 1 of
 * its PID namespace, or a child subreaper (PR_SET_CHILD_SUBREAPER). */
bool orphans_come_here(void);

/* Reaps exited children that KNOWN does not claim, at most MAX, and
 * returns how many. KNOWN(CTX, PID) is true for a child whose wait status
 * its owner will take (a running job). waitid can look only at the first
 * exited child without reaping it, so this stops at the first one KNOWN
 * claims: the ones after it are reaped at a later call, once its owner has
 * reaped it (the supervisor does so in the same turn). */
size_t orphans_reap(bool (*known)(void *ctx, pid_t pid), void *ctx, size_t max);

#endif
