#!/usr/bin/env python3
"""tests/tools/cluster-count.py: counts the runs of a cluster test, from the
jobs' own output and from the history, and says what is wrong.

    cluster-count.py --history FILE --runs FILE --entries N
                     [--complete-minutes] [--min-minutes K] [--spread M]
                     [--allow STATE,...]

FILE --history: `crontab --history COUNT --json` (crond.history/1).
FILE --runs: one line per run that started, written by the job itself:
"eI NODE" (entry I, the node it ran on, as `whichnode` said).

Every entry's command must name it as "eI" (the first word after "echo").
Checks:
  - no (entry, scheduled instant) has two history records (a run twice);
  - no run started more often than the history says: per entry, the
    lines in --runs equal the records that started (every state but
    not-started), so no run is lost from the history nor run unrecorded;
    a record flagged node-lost may have no line (its node died between
    the claim and the job's first command), never two;
  - every record's state is one of --allow (default: ok);
  - --complete-minutes: every scheduled minute between the first and the
    last has a record for each of the N entries (none lost silently), and
    there are at least --min-minutes of them;
  - --spread M: at least M distinct nodes ran something.
Prints "figure:" lines (per-node counts) and exits 1 with the reasons when
a check fails.
"""
import argparse
import collections
import json
import re
import sys

ENTRY = re.compile(r"\becho (e\d+)\b")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", required=True)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--entries", type=int, required=True)
    ap.add_argument("--complete-minutes", action="store_true")
    ap.add_argument("--min-minutes", type=int, default=1)
    ap.add_argument("--spread", type=int, default=0)
    ap.add_argument("--allow", default="ok")
    ap.add_argument("--label", default="runs")
    a = ap.parse_args()
    allow = set(a.allow.split(","))
    problems = []

    with open(a.history, encoding="utf-8") as f:
        hist = json.load(f)
    if hist.get("schema") != "crond.history/1":
        problems.append("history: schema %r" % hist.get("schema"))
    records = collections.Counter()
    started = collections.Counter()
    lost = collections.Counter()
    by_minute = collections.defaultdict(set)
    states = collections.Counter()
    for r in hist.get("runs", []):
        m = ENTRY.search(r.get("command") or "")
        if not m:
            continue
        e = m.group(1)
        sched = r.get("scheduled_epoch")
        records[(e, sched)] += 1
        states[r.get("state")] += 1
        if r.get("state") not in allow:
            problems.append("history: %s at %s is %s %s" % (e, sched, r.get("state"), r.get("flags")))
        if "node-lost" in (r.get("flags") or []):
            lost[e] += 1
        elif r.get("state") != "not-started":
            started[e] += 1
        by_minute[sched].add(e)
    twice = [(k, c) for k, c in records.items() if c > 1]
    for (e, sched), c in sorted(twice)[:10]:
        problems.append("history: %s scheduled at %s has %d records" % (e, sched, c))

    lines = collections.Counter()
    nodes = collections.Counter()
    with open(a.runs, encoding="utf-8") as f:
        for line in f:
            w = line.split()
            if len(w) != 2:
                problems.append("runs: malformed line %r" % line)
                continue
            lines[w[0]] += 1
            nodes[w[1]] += 1
    entries = ["e%d" % i for i in range(a.entries)]
    for e in sorted(set(lines) | set(started) | set(lost)):
        if not started[e] <= lines[e] <= started[e] + lost[e]:
            problems.append("%s: started %d times by its own output; the history has %d"
                            " started and %d node-lost" % (e, lines[e], started[e], lost[e]))
    if a.complete_minutes:
        minutes = sorted(by_minute)
        if len(minutes) < a.min_minutes:
            problems.append("only %d scheduled minutes recorded, expected at least %d"
                            % (len(minutes), a.min_minutes))
        if minutes:
            for t in range(minutes[0], minutes[-1] + 1, 60):
                missing = [e for e in entries if e not in by_minute.get(t, set())]
                if missing:
                    problems.append("minute %d: no record for %d entries (e.g. %s)"
                                    % (t, len(missing), " ".join(missing[:5])))
    if a.spread and len(nodes) < a.spread:
        problems.append("runs on %d node(s) (%s), expected at least %d"
                        % (len(nodes), dict(nodes), a.spread))
    print("figure: %s: %d records over %d scheduled minutes, states %s, per node %s"
          % (a.label, sum(records.values()), len(by_minute), dict(states),
             " ".join("%s=%d" % kv for kv in sorted(nodes.items()))))
    if problems:
        for p in problems[:30]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 30:
            print("  ... %d problems in all" % len(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
