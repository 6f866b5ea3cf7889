#!/usr/bin/env python3
"""bench/reaper_run.py: runs a program as a child subreaper's child and
says what CPU it and everything under it used, orphans included.

    reaper_run.py OUT PROGRAM [ARG...]

Makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), so that every
process orphaned below PROGRAM (with crond's pam = yes, each job's
session keeper, which crond-session double-forks for init to reap) comes
to it instead of init. Runs PROGRAM, passes SIGTERM and SIGINT on to it,
and once it has exited waits for every orphan still running, then writes
to OUT one line: PROGRAM's exit status and the user+system CPU seconds of
all its children (RUSAGE_CHILDREN: PROGRAM, whatever it reaped, and the
orphans). Exits with PROGRAM's status.
"""
import ctypes
import os
import resource
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: reaper_run.py OUT PROGRAM [ARG...]\n")
        return 2
    out, argv = sys.argv[1], sys.argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.stderr.write("reaper_run: prctl: %s\n" % os.strerror(ctypes.get_errno()))
        return 1
    pid = os.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, f: os.kill(pid, s))
    status = None
    while True:
        try:
            got, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if got == pid:
            status = st
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = os.waitstatus_to_exitcode(status) if status is not None else 1
    with open(out, "w") as f:
        f.write("%d %.6f\n" % (code, ru.ru_utime + ru.ru_stime))
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
