#!/bin/bash
# tests/tools/gen-at-table.sh: the expected answers for the at time parser,
# taken from Debian's at 3.2.5 itself.
#
#   tests/tools/gen-at-table.sh [--out FILE] [--seed N] [--random N] [--unseen]
#                               [--left-out FILE]
#
# Runs Debian's /usr/bin/at under libfaketime for every case (a time zone, a
# fixed "now", a time specification) and writes one line per case:
#
#   TZ <TAB> NOW <TAB> EXPECTED <TAB> SPEC [<TAB> # debian=RESULT RULE]
#
# NOW is seconds since the epoch. SPEC is the words given to at, joined by
# single spaces ("-t ARG" for the POSIX form). EXPECTED is what
# at_timespec_parse() (or _posix) must return: an epoch, ERROR, or PAST
# (refused as in the past). It is Debian's answer, except where a documented
# deliberate difference (atq/TIMESPEC-DIFFERENCES.md) applies: then the rule
# is named (D1..D9) and EXPECTED comes from an independent oracle (an error,
# plain arithmetic, or Debian's own answer with TZ=UTC). Cases whose answer
# one of the DST differences could change and that have no such oracle are
# left out (counted on stderr; --left-out FILE lists them with Debian's
# answer), never guessed.
#
# Default: the fixed corpus (every construct at many "now" instants, month
# and year ends, leap day, DST days in New York, Berlin and Lord Howe, far
# future, invalid input) plus --random N (default 1000) random cases from
# --seed (default 1), written to tests/data/at_timespec_table.txt.
# --unseen: only the random cases, over more zones, for a fresh check:
#   tests/tools/gen-at-table.sh --unseen --seed 7 --random 2000 --out /tmp/u.txt
#   AT_TIMESPEC_TABLE=/tmp/u.txt build/tests/test_at_timespec
#
# Needs: root (to mount a private spool), Debian's at, libfaketime, unshare,
# zdump. Debian's at is run from a copy without its set-uid bit (so that
# LD_PRELOAD works), inside a private mount namespace with a tmpfs over
# /var/spool/cron/atjobs: the jobs it queues vanish with the namespace and the
# machine's real spool is never touched.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SELF=$ROOT/tests/tools/gen-at-table.sh
SPOOL=/var/spool/cron/atjobs
FAKELIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
MAIN_ZONES=(UTC America/New_York Europe/Berlin Australia/Lord_Howe)
EXTRA_ZONES=(Europe/Dublin Pacific/Chatham Asia/Kolkata America/Sao_Paulo)

die() { echo "gen-at-table: $*" >&2; exit 1; }

# ------------------------------------------------------------ small helpers

is_leap() { (( ($1 % 4 == 0 && $1 % 100 != 0) || $1 % 400 == 0 )); }

dim() {   # year month -> days in month
	case $2 in
	2) if is_leap "$1"; then echo 29; else echo 28; fi ;;
	4|6|9|11) echo 30 ;;
	*) echo 31 ;;
	esac
}

# Debian's year digits: YY 00-69 -> 20YY, 70-99 -> 19YY; four digits literal
# (literal is D1; Debian maps 0000-1900 to 1900-3800, which the d1 flag
# covers).
year_of() {   # digits-string -> year
	local v=$((10#$1))
	if (( ${#1} > 2 )); then echo "$v"
	elif (( v < 70 )); then echo $((2000 + v))
	else echo $((1900 + v)); fi
}

# Flags every spec gets from its text: utc, incr (an increment), dec (a
# decrement), mh (an increment in minutes or hours), day (an increment or a
# relative date in days or weeks; dayop: a relative date), inc=SECONDS (the
# size of either), arith=SIGN:N:SECS ("now +- N minutes/hours", "next
# minute/hour": an exact oracle exists), big (a count beyond 2^31-1: D8),
# huge=+|- (months/years beyond the year 9999: D8).
auto_flags() {
	local s=${1,,} f="" n unit secs=0
	[[ $s == *utc* ]] && f+=",utc"
	if [[ $s =~ (^|[^0-9])([+-])\ *([0-9]+)\ *(minutes|minute|min|hours|hour|days|day|weeks|week|months|month|years|year)($|[^a-z]) ]]; then
		local sign=${BASH_REMATCH[2]} digits=${BASH_REMATCH[3]}
		unit=${BASH_REMATCH[4]}
		digits=$(echo "$digits" | sed 's/^0*//'); digits=${digits:-0}
		f+=",incr"
		[[ $sign == - ]] && f+=",dec"
		if (( ${#digits} > 10 )) || (( 10#$digits > 2147483647 )); then
			f+=",big"
		else
			n=$((10#$digits))
			case $unit in
			min*) secs=60; f+=",mh" ;;
			hour*) secs=3600; f+=",mh" ;;
			day*) secs=86400; f+=",day" ;;
			week*) secs=604800; f+=",day" ;;
			month*) (( n >= 120000 )) && f+=",huge=$sign" ;;
			year*) (( n >= 10000 )) && f+=",huge=$sign" ;;
			esac
			f+=",inc=$((n * secs))"
			if [[ $s =~ ^now\ *([+-])\ *0*([0-9]+)\ *(minutes|minute|min|hours|hour)$ ]]; then
				f+=",arith=$sign:$n:$secs"
			fi
		fi
	fi
	if [[ $s =~ next\ *(minutes|minute|min|hours|hour)($|[^a-z]) ]]; then
		f+=",mh"
		[[ $s =~ ^next\ *(minutes|minute|min)$ ]] && f+=",arith=+:1:60"
		[[ $s =~ ^next\ *(hours|hour)$ ]] && f+=",arith=+:1:3600"
	fi
	if [[ $s =~ next\ *(days|day|weeks|week) || $s == *tomorrow* ]] \
	   || [[ $s =~ (^|[^a-z])(sun|mon|tue|wed|thu|fri|sat)(day|sday|nesday|rsday|urday)?($|[^a-z]) ]]; then
		f+=",day,dayop"
	fi
	echo "${f#,}"
}

# ------------------------------------------------------------ the fixed corpus
#
# Lines: SPEC [<TAB> FLAGS]. Hand flags name the deliberate difference that
# decides our answer whatever Debian says: d2 (a day the month does not
# have: error), d3 (minute 60, 24:MM: error), d9 (non-ASCII: error), d1 (a
# literal four-digit year before 1901: past); md=M-D marks a named month and
# day without a year, for which D2 decides with "now".

core_specs() { cat <<'EOF'
now
noon
midnight
teatime
NOW
TeaTime
0:00
00:00
0:30
9:30
09:30
11:59
12:00
12:01
13:00
16:00
23:59
24:00
0000
0930
1200
1201
2359
2400
9am
9pm
12am
12pm
0am
0pm
11pm
10 am
9:30am
9:30pm
12:30am
0:30am
00:30pm
11:59pm
10h30
10'30
10,30
10.30
noon utc
midnight utc
10:30 utc
10am utc
23:59 UTC
today
tomorrow
noon today
11am today
noon tomorrow
teatime tomorrow
midnight tomorrow
9am tomorrow
23:59 tomorrow
sunday
monday
saturday
fri
next monday
next saturday
teatime friday
9am next monday
next minute
next hour
next day
next week
next month
next year
noon next week
jan 1	md=1-1
jan 31	md=1-31
feb 28	md=2-28
feb 29	md=2-29
feb 30	d2
mar 1	md=3-1
mar 7	md=3-7
apr 30	md=4-30
apr 31	d2
jun 30	md=6-30
jul 31	md=7-31
dec 31	md=12-31
31 jul	md=7-31
10am jul 31	md=7-31
9:30pm dec 24	md=12-24
jul 31 2027
jul 31, 2027
feb 29 2028
7/31/27
12/31/2026
31.07.27
29.02.2028
2027-07-31
2028-02-29
073127
12312027
now + 1 minute
now + 30 minutes
now + 1 hour
now + 2 hours
now + 24 hours
now + 1 day
now + 3 days
now + 1 week
now + 1 month
now + 13 months
now + 1 year
now + 100 years
noon + 1 day
teatime + 2 hours
10am + 1 hour
11pm + 2 hours
4pm + 3 days
noon tomorrow + 1 week
jan 31 + 1 month	md=1-31
noon jan 31 2027 + 1 month
noon 2028-02-29 + 1 year
noon - 1 day
now - 1 hour
EOF
}

broad_specs() { cat <<'EOF'
Noon
MIDNIGHT
0:01
1:05
12:30
16:01
0001
1559
9 am
9 pm
09am
10AM
10Pm
1am
12:30pm
2h30
10H30
1030 utc
0:00 utc
12:00 utc tomorrow
noon utc + 1 day
tuesday
wednesday
thursday
sun
mon
tue
wed
thu
sat
next sunday
next friday
teatime sat
noon next month
9am next year
january 1	md=1-1
February 28	md=2-28
march 8	md=3-8
april 30	md=4-30
may 15	md=5-15
june 1	md=6-1
july 4	md=7-4
aug 31	md=8-31
august 31	md=8-31
sep 30	md=9-30
september 30	md=9-30
sep 31	d2
oct 31	md=10-31
october 31	md=10-31
nov 1	md=11-1
november 30	md=11-30
nov 31	d2
dec 24	md=12-24
December 25	md=12-25
JUL 31	md=7-31
jan 1 2027
jan 1 2040
jan 1 2100
jan 19 2038
mar 1 2038
dec 31 2099
jul 31 27
jul 31 70
jul 31 99
jul 31 1969
jul 31 1900	d1
jul 31 0069	d1
jul 31 1000	d1
feb 29 2027	d2
feb 29 2100	d2
feb 29 2000
feb 29 2400
jul 31,2027
jul 31 , 2027
jul 1, 2027
jul 1,2027
jul 21,2027
1 jan	md=1-1
4 jul 27
29 feb 2028
30 feb 2028	d2
31 apr 2027	d2
31 jul 2027
7/31/26
07/31/2026
12/31/26
1/1/27
2/29/28
2/29/27	d2
2/30/28	d2
4/31/27	d2
7/31/2100
7/31/1900	d1
31.07.26
31.07.2026
1.1.27
29.02.27	d2
31.04.27	d2
24.12.2026
01.01.2040
2026-07-31
26-07-31
2026-7-1
2027-02-29	d2
2100-01-01
2026-03-07
2026-03-08
2026-03-06
2040-02-29
2038-01-19
1900-01-01	d1
0026-07-31	d1
073126
07312026
7312026
73126
123126
010127
01012027
022928
02292028
022927	d2
02302028	d2
07002026	d2
01011900	d1
1010202	d1
11111111	d1
12345
10am 31 jul	md=7-31
1030 12/25/26
16:00 24.12.26
noon 2026-12-25
midnight jan 1	md=1-1
10am jul 31 2027
0:00 jan 1 2027
10am 7/31/26
noon 073126
11am mar 7	md=3-7
1pm mar 7	md=3-7
teatime mar 7 2026
12:00 2026-03-07
13:00 utc 31.07.26
noon 2027-01-01 utc
now + 1 min
now + 5 minutes
now + 59 minutes
now + 60 minutes
now + 90 minutes
now + 25 hours
now + 48 hours
now + 1440 minutes
now + 10080 minutes
now + 525600 minutes
now + 100000 minutes
now + 2 days
now + 2 weeks
now + 2 months
now + 11 months
now + 12 months
now + 2 years
now + 10 years
now + 1000 years
now + 7000 years
now + 8000 years
now + 0 minutes
now - 0 minutes
now - 1 minute
now - 1 day
now - 1 month
now + 2147483647 minutes
now + 2147483648 minutes
now + 4294967296 minutes
now + 99999999999 minutes
now + 3000000 days
now + 2147483647 months
now + 20000 years
now - 20000 years
now+1hour
now +2 hours
now+ 2 hours
now + 2hours
now+2 hours
NOW + 2 HOURS
now + 2 hour
now + 1 hours
now + 3 Days
now + 1 weeks
now + 1 months
now + 1 years
now + 002 hours
midnight + 1 minute
9am + 1 week
23:00 + 2 hours
11:59pm + 1 minute
10am + 25 hours
noon - 1 hour
teatime - 1 day
11am - 1 hour
tomorrow + 1 hour
tomorrow - 1 day
teatime tomorrow + 30 minutes
teatime tomorrow - 1 hour
next week + 1 day
next week - 1 day
noon jan 31 + 1 month	md=1-31
noon jan 30 2028 + 1 month
noon feb 29 2028 + 1 year
jul 31 - 1 month	md=7-31
noon dec 31 + 1 day	md=12-31
noon dec 31 2026 + 1 day
2026-12-31 + 1 week
friday + 1 week
monday + 2 days
10am jul 31 + 1 day	md=7-31
10am 2026-07-31 + 1 month
noon 7/31/26 + 1 year
dec 31 + 1 month	md=12-31
tomorrow - 2 days
next month - 1 week
teatimetomorrow
midnighttomorrow
10amtomorrow
noon+1day
jul31	md=7-31
31jul	md=7-31
10am31jul	md=7-31
nextweek
nowtomorrow
2027

foo
x
now foo
noon noon
now tomorrow
tomorrow noon
jul 31 noon
jul 31 10am
25:00
24:01	d3
24:30	d3
12:60	d3
1260	d3
2460	d3
9960
99:00
29:30
39:30
13am
13pm
24am
0930am
930
930am
009am
9
24
123:45
1:5
10:30:00
now +
now + 1
now + hour
+ 1 hour
now + 1 hour 2
now + 1 hour foo
now + 1 mins
now + 1 hr
now + 1 sec
now + 1 fortnight
now plus 1 hour
now + 1 hour + 1 hour
now + 1 month - 1 week
next
next next week
next 2 weeks
nextt week
yesterday
tonight
sept 1
thurs
tues
juni 1
novem 1
mondays
nowx
noonday
utc
noon gmt
noon utc utc
10:30 est
jul
jul 32
jul 0
dec 1,
dec,1
31 jul, 2027
7/31
7/31/
7/31/2
7//31/26
13/1/27
0/1/27
1/0/27
1/32/27
2026-07
2026/07/31
31-07-2026
1.1
1.1.2
32.07.26
1.13.27
2026-13-01
2026-12-32
2026-00-10
123456
99999999
13312026
00312026
07322026
123456789
:
,
+
-
/
a.m.
EOF
printf 'now\xff\td9\n'
printf 'noon \xc3\xa9t\xc3\xa9\td9\n'
}

# Specs for the DST days: times in and around the skipped and repeated
# hours, relative days across the change, increments over it.
dst_specs() { cat <<'EOF'
now
1:00am
1:30am
1:45am
1:59am
2:00am
2:15am
2:30am
2:45am
3:00am
3:30am
0:59
1:30am tomorrow
2:15am tomorrow
2:30am tomorrow
2:45am tomorrow
3am tomorrow
1am tomorrow
noon tomorrow
teatime tomorrow
tomorrow
sunday
next sunday
next day
next week
now + 1 day
now + 1 week
now + 1 month
now + 30 minutes
now + 1 hour
now + 2 hours
now + 24 hours
now + 90 minutes
next hour
next minute
now - 1 hour
1:30am + 1 hour
noon + 1 day
teatime - 1 day
2:30am mar 8	md=3-8
1:30am nov 1	md=11-1
2:30am mar 29	md=3-29
2:30am oct 25	md=10-25
2:15am oct 4	md=10-4
1:45am apr 5	md=4-5
2:30am 2026-03-08
1:30am 2026-11-01
2:30am 2026-03-29
2:30am 2026-10-25
1:30am mar 8 2027
1:30am nov 7 2027
2:30am mar 14 2027
2:30 utc tomorrow
noon utc tomorrow
1:30 utc
EOF
}

posix_args() { cat <<'EOF'
202603081200
2603081200
03081200
03081200.30
03081200.59
03081200.60
03071200
03061200
13011200
02301200
02291200
2802291200
0308120
030812000
03082400
03081260
03080000
6803081200
7003081200
9903081200
210003081200
999912312359
abc
03081200x
03-81200
11010130
03080230
10250230
03290230
04050145
10040215
202611010130
203801190314
204002291200
EOF
}

# Local wall times "now" takes, converted in each zone: times of day around
# noon and midnight, month ends, year end, a leap day, 2038, the far future.
GENERIC_NOWS=("2026-03-07 12:00:30" "2026-03-07 00:00:00" "2026-03-07 23:59:59"
	"2026-01-31 10:00:00" "2026-06-15 16:00:00" "2026-12-31 23:30:00"
	"2027-02-28 21:30:00" "2028-02-29 12:00:00" "2038-01-19 03:14:07"
	"2040-07-01 06:00:00")
FEW_NOWS=("2026-03-07 12:00:30" "2026-12-31 23:30:00" "2028-02-29 12:00:00")
POSIX_NOWS=("2026-03-07 12:00:30" "2026-01-10 12:00:00" "2026-07-10 12:00:00"
	"2028-01-01 00:00:00")
declare -A DST_NOWS=(
	[America/New_York]="2026-03-07 12:00:30|2026-03-08 00:30:00|2026-03-08 01:30:00|2026-03-08 01:59:30|2026-03-08 03:00:00|2026-03-08 03:30:00|2026-10-31 12:00:00|2026-11-01 00:30:00|2026-11-01 01:30:00 EDT|2026-11-01 01:30:00 EST|2026-11-01 02:30:00|2026-01-10 12:00:00|2026-07-10 12:00:00"
	[Europe/Berlin]="2026-03-28 12:00:30|2026-03-29 01:30:00|2026-03-29 03:30:00|2026-10-24 12:00:30|2026-10-25 01:30:00|2026-10-25 02:30:00 CEST|2026-10-25 02:30:00 CET|2026-10-25 03:30:00|2026-01-10 12:00:00|2026-07-10 12:00:00"
	[Australia/Lord_Howe]="2026-04-04 12:00:00|2026-04-05 01:40:00 +11|2026-04-05 01:40:00 +1030|2026-04-05 02:30:00|2026-10-03 12:00:00|2026-10-04 01:50:00|2026-10-04 02:40:00|2026-01-10 12:00:00|2026-07-10 12:00:00"
)

epoch_of() { TZ=$1 date -d "$2" +%s; }

# Emits "TZ<TAB>NOW<TAB>SPEC<TAB>FLAGS" for every spec line of stdin.
cross() {   # zone now [prefix]
	local spec flags
	while IFS=$'\t' read -r spec flags || [ -n "$spec" ]; do
		printf '%s\t%s\t%s%s\t%s\n' "$1" "$2" "${3:-}" "$spec" \
			"$(auto_flags "$spec"),${flags:-}"
	done
}

fixed_cases() {
	local z n w
	for z in "${MAIN_ZONES[@]}"; do
		local nows=("${GENERIC_NOWS[@]}")
		[ "$z" = Australia/Lord_Howe ] && nows=("${FEW_NOWS[@]}")
		for w in "${nows[@]}"; do
			n=$(epoch_of "$z" "$w"); core_specs | cross "$z" "$n"
		done
		for w in "${POSIX_NOWS[@]}"; do
			n=$(epoch_of "$z" "$w"); posix_args | cross "$z" "$n" "-t "
		done
	done
	for w in "${FEW_NOWS[@]:0:2}"; do
		n=$(epoch_of UTC "$w"); broad_specs | cross UTC "$n"
	done
	n=$(epoch_of America/New_York "${FEW_NOWS[2]}"); broad_specs | cross America/New_York "$n"
	for z in "${!DST_NOWS[@]}"; do
		IFS='|' read -ra ws <<< "${DST_NOWS[$z]}"
		for w in "${ws[@]}"; do
			n=$(epoch_of "$z" "$w"); dst_specs | cross "$z" "$n"
		done
	done
}

source "$ROOT/tests/tools/at_gen_random.sh"
source "$ROOT/tests/tools/at_gen_run.sh"

# ------------------------------------------------------------ main

main() {
	local out=$ROOT/tests/data/at_timespec_table.txt seed=1 nrandom=1000 unseen=0
	local leftout=/dev/null
	while [ $# -gt 0 ]; do
		case $1 in
		--out) out=$2; shift 2 ;;
		--seed) seed=$2; shift 2 ;;
		--random) nrandom=$2; shift 2 ;;
		--unseen) unseen=1; shift ;;
		--left-out) leftout=$2; shift 2 ;;
		--inner) run_inner "$2"; exit 0 ;;
		*) die "unknown argument $1 (see the comment at the top)" ;;
		esac
	done
	[ "$(id -u)" = 0 ] || die "must run as root (it mounts a private spool)"
	[ -x /usr/bin/at ] || die "Debian's at is not installed (apt-get install at)"
	[ -e "$FAKELIB" ] || die "libfaketime is not installed (apt-get install faketime)"
	command -v unshare >/dev/null && command -v zdump >/dev/null \
		|| die "needs unshare and zdump"
	/usr/bin/at -V 2>&1 | grep -q 'version 3.2.5' \
		|| echo "gen-at-table: warning: this is not at 3.2.5" >&2

	WORK=$(mktemp -d /tmp/gen-at-table.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	trap 'exit 1' INT TERM HUP
	local work=$WORK
	cp /usr/bin/at "$work/at"
	chmod 0755 "$work/at"       # no set-uid bit: LD_PRELOAD must apply
	local zones=("${MAIN_ZONES[@]}")
	(( unseen )) && zones+=("${EXTRA_ZONES[@]}")
	transitions "${zones[@]}" > "$work/transitions"
	{
		(( unseen )) || fixed_cases
		random_cases "$seed" "$nrandom" "$work/transitions" "${zones[@]}"
	} > "$work/cases"
	echo "gen-at-table: $(wc -l < "$work/cases") cases; running Debian's at" >&2
	unshare -m bash "$SELF" --inner "$work"
	mkdir -p "$(dirname "$out")"
	postprocess "$work" "$seed" "$unseen" "$leftout" > "$out.tmp"
	mv "$out.tmp" "$out"
	echo "gen-at-table: wrote $out" >&2
}

main "$@"
