#!/usr/bin/env python3
"""tests/hardening/started_at.py: when a process started, on the boot clock.

    started_at.py PID    prints seconds since boot, e.g. 8496.25

The start time in /proc/PID/stat, in the units of /proc/uptime (10 ms). The
load tests use it to place crond's test clock, which starts when crond does
and runs on the monotonic clock, and compare it with jobs that stamp their
start with `cat /proc/uptime`: both on the same clock, so a step or a slew
of the real-time clock cannot distort the figure.
"""
import os
import sys

pid = int(sys.argv[1])
with open(f"/proc/{pid}/stat", "rb") as f:
    stat = f.read()
ticks = int(stat[stat.rindex(b")") + 2:].split()[19])
print(f"{ticks / os.sysconf('SC_CLK_TCK'):.2f}")
