#!/usr/bin/env python3
# tests/tools/debian-cron/compare.py: Debian's runs against crond's.
#
#   compare.py OUTDIR ZONE SPEED REAL_SECONDS [SKIP_MINUTES=2] [END_MARGIN_S=90]
#
# For each entry of OUTDIR/entries (as run-debian.sh took them), compares
# the minutes Debian's cron ran it (OUTDIR/log) with what crond's
# `crontab --next --from --tz` says for the same window and zone (crond's
# --next is what its daemon does, DST included: checked against crond
# itself under --test-clock). The window starts SKIP_MINUTES after
# Debian's start (it runs only minutes after it started) and ends
# END_MARGIN_S before its stop. A run logged late (a loaded machine at a
# high SPEED) matches an unmatched minute up to TOL seconds (environment,
# default 100) before it. Prints JSON: how many entries agree, and for each
# one that does not, the minutes only Debian or only crond ran; minutes
# where Debian ran an entry more than once are listed apart (after a
# skipped DST hour Debian runs a fixed-time entry once for each of its
# times in the gap, crond once: a documented difference, crontab(5)).
# CRONTAB (environment): crond's crontab program (default: build/bin's).
import sys, subprocess, collections, datetime, zoneinfo, json, os
out, zone, speed, real = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
skip = int(sys.argv[5]) if len(sys.argv) > 5 else 2
margin = int(sys.argv[6]) if len(sys.argv) > 6 else 90
CT = os.environ.get('CRONTAB', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            '../../../build/bin/crontab'))
tz = zoneinfo.ZoneInfo(zone)
entries = []
for line in open(os.path.join(out, 'entries')):
    line = line.rstrip('\n')
    if not line: continue
    i, s = line.split('\t', 1); entries.append((i, s))
deb = collections.defaultdict(list); start = None; late = []
for line in open(os.path.join(out, 'log')):
    p = line.split()
    if p[0] == 'start': start = int(p[1]); continue
    deb[p[0]].append(int(p[1]))
m0 = (start // 60) * 60 + 60 * skip
m1 = ((start + int((real - 1) * speed) - margin) // 60) * 60
def fmt(e): return datetime.datetime.fromtimestamp(e, tz).strftime('%Y-%m-%dT%H:%M%z')
res = {'zone': zone, 'window': [fmt(m0), fmt(m1)], 'agree': 0, 'disagree': []}
TOL = int(os.environ.get('TOL', '100'))
frm = datetime.datetime.fromtimestamp(m0 - 180, tz).strftime('%Y-%m-%dT%H:%M')
n = int((m1 - m0) / 60) + 8
for i, s in entries:
    dts = sorted(t for t in deb.get(i, []) if m0 - 120 <= t < m1 + TOL)
    r = subprocess.run([CT, '--next', str(min(n, 100000)), '--from', frm, '--tz', zone] + s.split(),
                       capture_output=True, text=True, env=dict(os.environ, TZ=zone))
    cs = []
    for l in r.stdout.split():
        e = int(datetime.datetime.fromisoformat(l).timestamp())
        if m0 - 120 <= e < m1 + TOL: cs.append(e)
    err = r.stderr.strip() if r.returncode != 0 else ''
    matched = {}; donly = []; dup = collections.Counter()
    used = set(); csset = set(cs); rest = []
    for t in dts:                      # pass 1: a run in its own minute
        f = (t // 60) * 60
        if f in csset and f not in used: used.add(f); matched[f] = t
        else: rest.append(t)
    for t in rest:                     # pass 2: a late run (up to TOL s) of a minute not yet matched
        cand = [c for c in cs if c <= t < c + TOL and c not in used]
        if cand:
            c = cand[-1]; used.add(c); matched[c] = t
            late.append((i, fmt(c), t - c))
        else:
            prev = [c for c in cs if c <= t < c + TOL]
            if prev: dup[prev[-1]] += 1
            elif m0 <= t < m1 + 60: donly.append(t)
    conly = [c for c in cs if c not in used and m0 <= c <= m1]
    if err and 'never' in err and not dts: err = ''
    if not donly and not conly and not err:
        res['agree'] += 1
        if dup: res.setdefault('agree_but_debian_multi', []).append((i, s, {fmt(k): v + 1 for k, v in dup.items()}))
    else:
        res['disagree'].append({'id': i, 'sched': s,
            'debian_only': [datetime.datetime.fromtimestamp(k, tz).strftime('%Y-%m-%dT%H:%M:%S%z') for k in donly],
            'crond_only': [fmt(k) for k in conly],
            'debian_multi': {fmt(k): v + 1 for k, v in dup.items()},
            'debian_n': len(dts), 'crond_n': len(cs), 'crond_err': err})
late.sort(key=lambda x: -x[2]); res['late'] = late[:10]; res['n_late'] = len(late)
json.dump(res, sys.stdout, indent=1); print()
