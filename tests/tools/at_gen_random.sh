# tests/tools/at_gen_random.sh: random cases for gen-at-table.sh (sourced).
#
# random_cases SEED N TRANSITIONS ZONE... prints N lines
# "TZ<TAB>NOW<TAB>SPEC<TAB>FLAGS": a random zone, a random "now" (often within
# days or hours of one of the zone's DST changes), and a random specification
# assembled from the grammar's parts, carrying the hand flags its parts imply
# (d1, d2, d3, md=M-D, as in the fixed corpus). A few are mutated into likely
# garbage (flag mut): those are kept only when Debian rejects them, since a
# mutation can land on any rule. bash's RANDOM seeded with SEED makes the
# batch reproducible.

# transitions ZONE...: "ZONE EPOCH ODD" for each change of UTC offset or DST
# flag from 2020 to 2110. ODD=1 when Debian's one-hour DST correction is not
# the real change (Lord Howe's half hour, Dublin's negative DST).
transitions() {
	local z
	for z in "$@"; do
		zdump -v -c 2020,2111 "$z" | awk -v z="$z" '
			/NULL/ || !/ isdst=/ { next }
			{ split($(NF-1), a, "="); split($NF, b, "=")
			  if (++k % 2 == 1) { d0 = a[2]; o0 = b[2]; next }
			  odd = (a[2] != d0) && (b[2] - o0 != 3600 * (a[2] - d0))
			  printf "%s %s %s %s UTC|%s|%d\n", $3, $4, $5, $6, z, odd }'
	done | while IFS='|' read -r when zone odd; do
		printf '%s %s %s\n' "$zone" "$(date -d "$when" +%s)" "$odd"
	done
}

R=0
rnd() { R=$((RANDOM % $1)); }
pick() { local -n _arr=$1; PICK=${_arr[RANDOM % ${#_arr[@]}]}; }

MONTHS=(jan feb mar apr may jun jul aug sep oct nov dec)
LONGMONTHS=(january february march april may june july august september october november december)
DAYS=(sun mon tue wed thu fri sat sunday monday tuesday wednesday thursday friday saturday)
UNITS=(min minute minutes hour hours day days week weeks month months year years)
JUNK=(foo x + - , / 25:00 noon tomorrow now next utc am 7 2026 jul :)

# A random clock: T and its flags TF.
rand_time() {
	local h m sep
	TF=""
	rnd 100
	if (( R < 30 )); then
		h=$((RANDOM % 24)) m=$((RANDOM % 60))
		rnd 100; (( R < 4 )) && m=60
		rnd 100; (( R < 4 )) && h=$((24 + RANDOM % 6))
		seps=(: : : h . , "'"); pick seps; sep=$PICK
		printf -v T '%d%s%02d' "$h" "$sep" "$m"
		rnd 2; (( R )) && printf -v T '%02d%s%02d' "$h" "$sep" "$m"
		if (( h <= 12 )); then
			rnd 3; (( R == 0 )) && { ampm=(am pm " am" " pm" AM); pick ampm; T+=$PICK; }
		fi
	elif (( R < 45 )); then
		h=$((RANDOM % 24)) m=$((RANDOM % 60))
		rnd 100; (( R < 5 )) && m=60
		rnd 100; (( R < 3 )) && h=24
		printf -v T '%02d%02d' "$h" "$m"
	elif (( R < 65 )); then
		h=$((1 + RANDOM % 12)) m=0
		rnd 100; (( R < 5 )) && h=$((RANDOM % 2 ? 0 : 13))
		ampm=(am pm " am" " pm" PM); pick ampm; T="$h$PICK"
	else
		words=(noon midnight teatime Noon); pick words; T=$PICK; h=0 m=0
	fi
	if (( m == 60 || (h == 24 && m > 0) )); then TF="d3"; fi
	rnd 100; (( R < 12 )) && T+=" utc"
	return 0
}

# A random year for a dated form: YEAR (as typed) and its value Y.
rand_year() {
	rnd 100
	# (RANDOM is read here, never inside $(...): a subshell reseeds it)
	if (( R < 45 )); then printf -v YEAR '%02d' $((26 + RANDOM % 20))
	elif (( R < 90 )); then YEAR=$((2026 + RANDOM % 20))
	elif (( R < 94 )); then YEAR=2100
	elif (( R < 97 )); then printf -v YEAR '%02d' $((RANDOM % 100))
	else years=(1900 0069 1850 1999 2000 0026); pick years; YEAR=$PICK; fi
	Y=$(year_of "$YEAR")
}

# Month MO (1-12) and a day DA, usually one the month has.
rand_month_day() {
	MO=$((1 + RANDOM % 12))
	rnd 100
	if (( R < 85 )); then DA=$((1 + RANDOM % $(dim "${Y:-2027}" "$MO")))
	else DA=$((1 + RANDOM % 31)); fi
}

# Flags of a dated form with year Y as typed in YEAR. (No February 29 in a
# year before 1901: Debian checks it in the year it maps to, D1's year.)
dated_flags() {
	if (( ${#YEAR} > 2 && 10#$YEAR <= 1900 && MO == 2 && DA == 29 )); then DA=28; fi
	if (( DA > $(dim "$Y" "$MO") )); then DF="d2"
	elif (( ${#YEAR} > 2 && 10#$YEAR <= 1900 )); then DF="d1"
	else DF=""; fi
}

# A random date: D and its flags DF.
rand_date() {
	local mname form
	DF=""; Y=""
	rnd 100; form=$R
	if (( form < 35 )); then                       # named month
		rnd 2; if (( R )); then rand_year; else Y=""; YEAR=""; fi
		rand_month_day
		if [ -n "$YEAR" ]; then dated_flags; else DF="md=$MO-$DA"; fi
		rnd 3; if (( R )); then mname=${MONTHS[MO-1]}; else mname=${LONGMONTHS[MO-1]}; fi
		rnd 5; (( R == 0 )) && mname=${mname^^}
		rnd 4
		if (( R == 0 )); then D="$DA $mname"; [ -n "$YEAR" ] && D+=" $YEAR"
		else
			D="$mname $DA"
			if [ -n "$YEAR" ]; then rnd 3; if (( R == 0 )); then D+=", $YEAR"; else D+=" $YEAR"; fi; fi
		fi
		if [ -z "$YEAR" ] && (( DA > 29 && MO == 2 || DA > 30 && (MO == 4 || MO == 6 || MO == 9 || MO == 11) )); then DF="d2"; fi
		return 0
	fi
	if (( form < 65 )); then
		rand_year; rand_month_day; dated_flags
		rnd 4
		case $R in
		0) printf -v D '%d/%d/%s' "$MO" "$DA" "$YEAR" ;;
		1) printf -v D '%d.%02d.%s' "$DA" "$MO" "$YEAR" ;;
		2) printf -v D '%s-%02d-%02d' "$YEAR" "$MO" "$DA" ;;
		3) if (( MO < 10 )); then printf -v D '%d%02d%s' "$MO" "$DA" "$YEAR"
		   else printf -v D '%02d%02d%s' "$MO" "$DA" "$YEAR"; fi ;;
		esac
		return 0
	fi
	if (( form < 80 )); then pick DAYS; D=$PICK; rnd 4; (( R == 0 )) && D="next $D"
	elif (( form < 87 )); then D=tomorrow
	elif (( form < 91 )); then D=today
	else units=(minute hour day week month year); pick units; D="next $PICK"; fi
	return 0
}

# A random increment: I (with a leading space) and flags IF.
rand_inc() {
	local n sign="+" sp1=" " sp2=" "
	IF=""
	rnd 100; (( R < 8 )) && sign="-"
	rnd 100
	if (( R < 60 )); then n=$((1 + RANDOM % 10))
	elif (( R < 85 )); then n=$((11 + RANDOM % 190))
	elif (( R < 96 )); then n=$((201 + (RANDOM * 32768 + RANDOM) % 100000))
	else huge=(2147483647 2147483648 4294967296 99999999999 1000000 20000); pick huge; n=$PICK; fi
	rnd 4; (( R == 0 )) && sp1=""
	rnd 4; (( R == 0 )) && sp2=""
	pick UNITS
	I=" $sign$sp1$n$sp2$PICK"
}

# One random spec: SPEC and FLAGS (hand flags; auto flags are added later).
rand_spec() {
	local parts=() flags=()
	rnd 100
	if (( R < 12 )); then
		parts=(now); rand_inc; parts+=("${I# }"); (( RANDOM % 8 )) || parts=(now)
	else
		local has_time=0
		if (( R < 57 )); then rand_time; parts+=("$T"); flags+=("$TF"); has_time=1; fi
		if (( ! has_time )) || (( RANDOM % 2 )); then rand_date; parts+=("$D"); flags+=("$DF"); fi
		if (( RANDOM % 10 < 3 )) && [[ " ${flags[*]} " != *d1* ]]; then rand_inc; parts+=("${I# }"); fi
	fi
	SPEC="${parts[*]}"
	FLAGS=$(IFS=,; echo "${flags[*]}")
	rnd 100
	if (( R < 8 )); then mutate; fi
	return 0
}

# Garbage: insert, drop, or replace one word.
mutate() {
	local -a w
	read -ra w <<< "$SPEC"
	local n=${#w[@]} i
	i=$((RANDOM % (n + 1)))
	pick JUNK
	case $((RANDOM % 3)) in
	0) w=("${w[@]:0:i}" "$PICK" "${w[@]:i}") ;;
	1) (( n > 1 )) && unset "w[$((i % n))]" ;;
	2) w[$((i % n))]=$PICK ;;
	esac
	SPEC="${w[*]}"
	FLAGS="mut"
}

# A random "now" for ZONE: anywhere in 2025-2045, or near one of its changes.
rand_now() {   # zone -> NOW
	local -a ts
	read -ra ts <<< "${TRANS[$1]:-}"
	local r30=$(( (RANDOM << 15) | RANDOM ))
	if (( ${#ts[@]} == 0 )) || (( RANDOM % 100 < 50 )); then
		NOW=$(( 1735689600 + r30 % 662256000 ))
		return 0
	fi
	local t=${ts[RANDOM % ${#ts[@]}]}
	if (( RANDOM % 3 == 0 )); then NOW=$(( t - 7200 + r30 % 14400 ))
	else NOW=$(( t - 259200 + r30 % 518400 )); fi
}

declare -A TRANS
random_cases() {   # seed n transitions zone...
	local seed=$1 n=$2 tfile=$3; shift 3
	local zones=("$@") z t odd i
	while read -r z t odd; do
		(( t >= 1735689600 && t < 2397945600 )) && TRANS[$z]+=" $t"
	done < "$tfile"
	RANDOM=$seed
	for (( i = 0; i < n; i++ )); do
		z=${zones[RANDOM % ${#zones[@]}]}
		rand_now "$z"
		rand_spec
		printf '%s\t%s\t%s\t%s\n' "$z" "$NOW" "$SPEC" "$(auto_flags "$SPEC"),$FLAGS"
	done
}
