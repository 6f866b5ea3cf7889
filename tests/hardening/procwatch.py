#!/usr/bin/env python3
"""tests/hardening/procwatch.py: watch a daemon's children and memory.

    procwatch.py PID STATE [INTERVAL]

Every INTERVAL seconds (default 0.1) counts PID's children that are running
(not zombies) and those that are zombies, and reads PID's VmRSS and VmHWM.
After every sample it rewrites STATE (atomically) as "key value" lines:

    samples N        samples taken
    running N        running children in the last sample
    max_running N    most running children in any sample
    zombies N        zombie children in the last sample
    vmrss_kib N      VmRSS in the last sample
    vmhwm_kib N      VmHWM (the kernel's peak of VmRSS) in the last sample

It stops when PID is gone or when STATE.stop exists. The load tests read
STATE to check that max_jobs holds and that memory stays bounded.
"""
import os
import sys
import time


def children(pid):
    running = zombies = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[1]) != pid:
            continue
        if fields[0] == b"Z":
            zombies += 1
        else:
            running += 1
    return running, zombies


def memory(pid):
    got = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                got[key] = int(value.split()[0])
    return got.get("VmRSS", 0), got.get("VmHWM", 0)


def main():
    pid, state = int(sys.argv[1]), sys.argv[2]
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    samples = max_running = 0
    while not os.path.exists(state + ".stop"):
        try:
            rss, hwm = memory(pid)
        except OSError:
            break
        running, zombies = children(pid)
        samples += 1
        max_running = max(max_running, running)
        tmp = state + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"samples {samples}\nrunning {running}\nmax_running {max_running}\n"
                    f"zombies {zombies}\nvmrss_kib {rss}\nvmhwm_kib {hwm}\n")
        os.replace(tmp, state)
        time.sleep(interval)


if __name__ == "__main__":
    main()
