#!/usr/bin/env python3
# tests/tools/debian-cron/gen.py: random entries for run-debian.sh.
#
#   gen.py KIND SEED N > ENTRIES
#
# KIND mh: minute and hour fields (lists, ranges, steps), the rest '*';
# day: the day fields, months and their names in mixed case, 0 and 7 as
# Sunday, both day fields restricted, the 29th-31st weighted; dst: minutes
# and hours around 00:00-04:00 for DST windows. Lines "KINDSEED_I<TAB>SCHEDULE".
import random, sys
kind, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = random.Random(seed)
MON = ['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']
DOW = ['sun','mon','tue','wed','thu','fri','sat']
def case(s):
    return R.choice([s, s.upper(), s.capitalize(), s[0] + s[1:].upper()])
def elem(lo, hi, names=None, star=True, dow=False):
    k = R.random()
    def val(v):
        if names and R.random() < 0.5:
            return case(names[(v - lo) % len(names)] if not dow else names[v % 7])
        return str(v)
    span = hi - lo + 1
    if k < 0.12 and star: return '*'
    if k < 0.25 and star: return '*/' + str(R.randint(1, span if not dow else 7))
    if dow: span = 7
    if k < 0.55:
        return val(R.randint(lo, hi))
    a = R.randint(lo, hi); b = R.randint(a, hi)
    if dow and R.random() < 0.2: b = 7
    r = val(a) + '-' + (val(b) if b != 7 else R.choice(['7']))
    if k < 0.8: return r
    return r + '/' + str(R.randint(1, span))
def field(lo, hi, names=None, dow=False, maxn=3, pstar=0.0):
    if R.random() < pstar: return '*'
    m = R.randint(1, maxn)
    els = [elem(lo, hi, names, star=(m == 1), dow=dow) for _ in range(m)]
    return ','.join(els)
out = []
if kind == 'mh':
    for i in range(n):
        mi = field(0, 59, maxn=4)
        hr = field(0, 23, maxn=3)
        out.append(f'{mi} {hr} * * *')
elif kind == 'day':
    for i in range(n):
        mi = R.choice(['0', '1', '2', '59', '0,1', '*/2', '0-2', '1,59'])
        hr = R.choice(['0', '0', '23', '0,23', '*', '*/23', '22-23', '*/12'])
        p = R.random()
        dom = field(1, 31, maxn=3, pstar=0.25)
        if R.random() < 0.35: dom = R.choice(['29', '30', '31', '28-31', '29,30', '31', '1', '*/2', '*/3', '2-31/2', '1,31', '30-31'])
        mon = field(1, 12, MON, maxn=2, pstar=0.5)
        dw = field(0, 7, DOW, dow=True, maxn=2, pstar=0.4)
        if dw.startswith('*') and R.random() < 0.3: dw = R.choice(['*/2', '*/3', '*/5'])
        out.append(f'{mi} {hr} {dom} {mon} {dw}')
elif kind == 'dst':
    for i in range(n):
        mi = R.choice(['0', '15', '30', '45', '*/15', '0-45/15', '15,45', '0,30', '*/30', '*', '*/10', '45', '5-59/20'])
        hr = R.choice(['0', '1', '2', '3', '1-3', '0-4', '*', '*/2', '1,2', '2-3', '1-2', '*/3', '0-3/3', '2'])
        out.append(f'{mi} {hr} * * *')
for i, s in enumerate(out):
    print(f'{kind}{seed}_{i}\t{s}')
