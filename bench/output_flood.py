# bench/output_flood.py: the job of bench/output_flood.sh and of
# tests/whole/hardening_output_flood.sh, one that keeps its output pipe full:
#
#   python3 output_flood.py FILE WRITERS SECONDS
#
# Makes standard output's pipe 1 MiB (F_SETPIPE_SZ, when it may), forks
# WRITERS processes that splice FILE (1 MiB, in the page cache: almost no
# cost to them) into it without end for SECONDS, says "started" on standard
# error, and waits.
import fcntl
import os
import signal
import sys

path, writers, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    fcntl.fcntl(1, 1031, 1 << 20)   # F_SETPIPE_SZ
except OSError:
    pass
for _ in range(writers):
    if os.fork() == 0:
        signal.alarm(seconds)
        src = os.open(path, os.O_RDONLY)
        while True:
            try:
                os.splice(src, 1, 1 << 20, offset_src=0)
            except OSError:
                os.write(1, b"x" * 65536)
print("started", file=sys.stderr, flush=True)
os.wait()
