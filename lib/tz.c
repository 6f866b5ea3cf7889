/* lib/tz.c: time zones from TZif files and POSIX TZ strings (see tz.h).
 *
 * A zone is a table of transitions read from a TZif file (RFC 8536) and,
 * from the last transition on, the POSIX rule of the file's footer
 * (lib/tz_rule.c). Before the first transition time type 0 applies, as RFC
 * 8536 says. A zone given by a rule string alone has no table: the rule
 * applies at every instant.
 *
 * For tz_span_at the table is also kept as "spans": the instants at which
 * the offset really changes, with transitions that change only the
 * abbreviation or DST flag merged away. The last transition's offset is
 * taken from the rule there, so the last span runs on into the rule's range
 * until the rule's first offset change after it (precomputed). Lookups are
 * branch-free binary searches of the table, or the rule's O(1) bucket
 * lookup; nothing is cached or mutated after load.
 *
 * Leap-second records are skipped: instants are POSIX time. (The "right/"
 * zones, whose transition times count leap seconds, are thus off by the
 * accumulated leap seconds; nothing here uses them.)
 */
#include "lib/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/tz_rule.h"

#define TZ_FILE_MAX (1024 * 1024)            /* larger TZif files are refused */
#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_LOCALTIME "/etc/localtime"
#define TZIF_HEADER_LEN 44
#define TZIF_MAX_TYPES 256                   /* a type index is one byte */
#define TZ_FOOTER_MAX 255                    /* longest accepted footer string */
/* RFC 8536 3.2: utoff SHOULD be in [-89999, 93599]; we insist, so that
 * tz_from_wall knows how far from a wall time its instants can lie. */
#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599

struct tz_type {
	int32_t utoff;
	bool isdst;
	uint32_t abbr;    /* index into chars */
};

struct tz {
	char *name;
	size_t ntrans;
	int64_t *trans;          /* strictly increasing */
	uint8_t *trans_type;     /* type index of each transition */
	size_t ntypes;           /* 0 for a zone given by a rule string */
	struct tz_type *types;
	char *chars;             /* NUL-terminated abbreviations */
	size_t nspans;           /* offset-change spans of the table */
	int64_t *span_start;     /* span_start[0] == INT64_MIN */
	int32_t *span_off;
	bool has_rule;
	struct tz_rule rule;
	int64_t rule_from;       /* the rule governs instants >= rule_from */
	int64_t rule_first_change; /* first rule offset change after rule_from */
};

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

/* ------------------------------------------------------------ TZif data */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t get64(const uint8_t *p)
{
	return (int64_t)((uint64_t)get32(p) << 32 | get32(p + 4));
}

static int read_header(const uint8_t *p, size_t len, uint8_t *version,
                       struct tzif_counts *c, char *why, size_t whylen)
{
	if (len < TZIF_HEADER_LEN || memcmp(p, "TZif", 4) != 0) {
		tz_errf(why, whylen, len < TZIF_HEADER_LEN && len >= 4 && memcmp(p, "TZif", 4) == 0
		        ? "truncated TZif header" : "not a TZif file (bad magic)");
		return -1;
	}
	*version = p[4];
	if (*version != 0 && (*version < '2' || *version > '4')) {
		tz_errf(why, whylen, "unsupported TZif version 0x%02x", *version);
		return -1;
	}
	c->isut = get32(p + 20);
	c->isstd = get32(p + 24);
	c->leap = get32(p + 28);
	c->time = get32(p + 32);
	c->type = get32(p + 36);
	c->chars = get32(p + 40);
	if (c->type == 0 || c->type > TZIF_MAX_TYPES || c->chars == 0 ||
	    (c->isut != 0 && c->isut != c->type) || (c->isstd != 0 && c->isstd != c->type)) {
		tz_errf(why, whylen, "inconsistent TZif header counts");
		return -1;
	}
	return 0;
}

/* Bytes of a data block whose times are TSIZE bytes wide. */
static uint64_t block_size(const struct tzif_counts *c, unsigned tsize)
{
	return (uint64_t)c->time * (tsize + 1) + (uint64_t)c->type * 6 + c->chars +
	       (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int parse_types(const uint8_t *info, const struct tzif_counts *c, struct tz *z,
                       char *why, size_t whylen)
{
	for (uint32_t i = 0; i < c->type; i++, info += 6) {
		int32_t utoff = (int32_t)get32(info);
		if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX || info[4] > 1 || info[5] >= c->chars) {
			tz_errf(why, whylen, "bad local time type %u (offset %d, isdst %u, index %u)",
			        i, utoff, info[4], info[5]);
			return -1;
		}
		z->types[i] = (struct tz_type){ utoff, info[4] == 1, info[5] };
	}
	return 0;
}

/* Reads one data block (the version 1 block when TSIZE is 4, else the
 * version 2+ block) into Z, checking every index and the ordering. */
static int parse_block(const uint8_t *p, const struct tzif_counts *c, unsigned tsize,
                       struct tz *z, char *why, size_t whylen)
{
	const uint8_t *idx = p + (size_t)c->time * tsize;
	const uint8_t *info = idx + c->time;
	const uint8_t *chars = info + (size_t)c->type * 6;
	const uint8_t *ind = chars + c->chars + (size_t)c->leap * (tsize + 4);

	z->ntrans = c->time;
	z->ntypes = c->type;
	z->trans = malloc((c->time + 1) * sizeof *z->trans);
	z->trans_type = malloc(c->time + 1);
	z->types = malloc(c->type * sizeof *z->types);
	z->chars = malloc(c->chars);
	if (z->trans == NULL || z->trans_type == NULL || z->types == NULL || z->chars == NULL) {
		tz_errf(why, whylen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < c->time; i++) {
		const uint8_t *tp = p + (size_t)i * tsize;
		z->trans[i] = tsize == 8 ? get64(tp) : (int32_t)get32(tp);
		z->trans_type[i] = idx[i];
		if (i > 0 && z->trans[i] <= z->trans[i - 1]) {
			tz_errf(why, whylen, "transition times not increasing at transition %u", i);
			return -1;
		}
		if (idx[i] >= c->type) {
			tz_errf(why, whylen, "transition %u has type %u of %u", i, idx[i], c->type);
			return -1;
		}
	}
	if (parse_types(info, c, z, why, whylen) < 0)
		return -1;
	if (chars[c->chars - 1] != '\0') {
		tz_errf(why, whylen, "abbreviations not NUL-terminated");
		return -1;
	}
	memcpy(z->chars, chars, c->chars);
	/* Leap-second records are skipped; the UT/standard indicators only
	 * matter for POSIX-style rules without a footer, so just check them. */
	for (uint32_t i = 0; i < c->isstd + c->isut; i++) {
		if (ind[i] > 1) {
			tz_errf(why, whylen, "bad standard/UT indicator");
			return -1;
		}
	}
	return 0;
}

/* The footer "\n<rule>\n", which must end the file. */
static int parse_footer(const uint8_t *p, size_t len, struct tz *z, char *why, size_t whylen)
{
	char rule[TZ_FOOTER_MAX + 1], rerr[160];
	const uint8_t *nl = len >= 2 && p[0] == '\n' ? memchr(p + 1, '\n', len - 1) : NULL;
	if (nl == NULL) {
		tz_errf(why, whylen, "missing or truncated footer");
		return -1;
	}
	size_t n = (size_t)(nl - p) - 1;
	if (nl != p + len - 1) {
		tz_errf(why, whylen, "trailing data after the footer");
		return -1;
	}
	if (n > TZ_FOOTER_MAX || memchr(p + 1, '\0', n) != NULL) {
		tz_errf(why, whylen, "bad footer TZ string");
		return -1;
	}
	if (n == 0)
		return 0;   /* no rule: the last transition's type stays */
	memcpy(rule, p + 1, n);
	rule[n] = '\0';
	if (tz_rule_parse(rule, &z->rule, rerr, sizeof rerr) < 0) {
		tz_errf(why, whylen, "bad footer TZ string '%s': %s", rule, rerr);
		return -1;
	}
	z->has_rule = true;
	return 0;
}

static int parse_tzif(const uint8_t *buf, size_t len, struct tz *z, char *why, size_t whylen)
{
	struct tzif_counts c;
	uint8_t version, version2;
	if (read_header(buf, len, &version, &c, why, whylen) < 0)
		return -1;
	size_t pos = TZIF_HEADER_LEN;
	uint64_t size = block_size(&c, 4);
	if (size > len - pos) {
		tz_errf(why, whylen, "truncated TZif data");
		return -1;
	}
	if (version == 0) {
		if (size != len - pos) {
			tz_errf(why, whylen, "trailing data after the TZif data");
			return -1;
		}
		return parse_block(buf + pos, &c, 4, z, why, whylen);
	}
	pos += (size_t)size;   /* skip the 32-bit data: version 2+ repeats it */
	if (read_header(buf + pos, len - pos, &version2, &c, why, whylen) < 0)
		return -1;
	if (version2 != version) {
		tz_errf(why, whylen, "TZif headers disagree on the version");
		return -1;
	}
	pos += TZIF_HEADER_LEN;
	size = block_size(&c, 8);
	if (size > len - pos) {
		tz_errf(why, whylen, "truncated TZif data");
		return -1;
	}
	if (parse_block(buf + pos, &c, 8, z, why, whylen) < 0)
		return -1;
	pos += (size_t)size;
	return parse_footer(buf + pos, len - pos, z, why, whylen);
}

/* ------------------------------------------------------------ building */

static void zone_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->trans_type);
	free(z->types);
	free(z->chars);
	free(z->span_start);
	free(z->span_off);
	tz_rule_free(&z->rule);
	free(z);
}

void tz_free(struct tz *zone)
{
	zone_free(zone);
}

static struct tz *zone_new(const char *name, char *err, size_t errlen)
{
	struct tz *z = calloc(1, sizeof *z);
	if (z != NULL && (z->name = strdup(name)) == NULL) {
		free(z);
		z = NULL;
	}
	if (z == NULL)
		tz_errf(err, errlen, "out of memory");
	return z;
}

/* Derives the spans and the rule's range once the data is in. */
static int zone_finish(struct tz *z)
{
	z->rule_from = z->has_rule && z->ntrans > 0 ? z->trans[z->ntrans - 1] : INT64_MIN;
	z->rule_first_change = INT64_MAX;
	if (z->has_rule) {
		int64_t prev;
		tz_rule_offset_changes(&z->rule, z->rule_from, &prev, &z->rule_first_change);
	}
	if (z->ntypes == 0)
		return 0;
	z->span_start = malloc((z->ntrans + 1) * sizeof *z->span_start);
	z->span_off = malloc((z->ntrans + 1) * sizeof *z->span_off);
	if (z->span_start == NULL || z->span_off == NULL)
		return -1;
	size_t k = 0;
	z->span_start[0] = INT64_MIN;
	z->span_off[0] = z->types[0].utoff;
	for (size_t i = 0; i < z->ntrans; i++) {
		int32_t off = z->types[z->trans_type[i]].utoff;
		if (z->has_rule && i == z->ntrans - 1)
			off = tz_rule_offset(&z->rule, z->trans[i]);
		if (off != z->span_off[k]) {
			k++;
			z->span_start[k] = z->trans[i];
			z->span_off[k] = off;
		}
	}
	z->nspans = k + 1;
	return 0;
}

/* ------------------------------------------------------------ loading */

/* Reads and parses the TZif file PATH into a zone called NAME. Returns 0,
 * 1 when there is no such file, or -1 with a message in ERR. */
static int load_file(const char *path, const char *name, struct tz **out,
                     char *err, size_t errlen)
{
	char why[200];
	struct stat st;
	/* O_NONBLOCK: a FIFO must not hang the open; regular files ignore it.
	 * No O_NOFOLLOW: /etc/localtime and many zone names are symlinks. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		tz_errf(err, errlen, "%s: %m", path);
		return -1;
	}
	uint8_t *buf = NULL;
	size_t got = 0, cap = 0;
	if (fstat(fd, &st) < 0) {
		tz_errf(why, sizeof why, "%m");
	} else if (!S_ISREG(st.st_mode)) {
		tz_errf(why, sizeof why, "not a regular file");
	} else if (st.st_size > TZ_FILE_MAX) {
		tz_errf(why, sizeof why, "larger than %d bytes", TZ_FILE_MAX);
	} else if ((buf = malloc(cap = (size_t)st.st_size + 1)) == NULL) {
		tz_errf(why, sizeof why, "out of memory");
	} else {
		why[0] = '\0';
		while (got < cap) {
			ssize_t r = read(fd, buf + got, cap - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				tz_errf(why, sizeof why, "%m");
				break;
			}
			if (r == 0)
				break;
			got += (size_t)r;
		}
		if (why[0] == '\0' && got == cap)
			tz_errf(why, sizeof why, "file grew while being read");
	}
	close(fd);   /* read-only: nothing to lose */
	struct tz *z = buf == NULL || why[0] != '\0' ? NULL : zone_new(name, err, errlen);
	if (z != NULL && (parse_tzif(buf, got, z, why, sizeof why) < 0 || zone_finish(z) < 0)) {
		if (why[0] == '\0')
			tz_errf(why, sizeof why, "out of memory");
		zone_free(z);
		z = NULL;
	}
	free(buf);
	if (z == NULL && why[0] != '\0')
		tz_errf(err, errlen, "%s: %s", path, why);
	*out = z;
	return z == NULL ? -1 : 0;
}

/* A zone from a POSIX rule string alone. */
static struct tz *load_rule(const char *rule, const char *name, char *why, size_t whylen)
{
	struct tz *z = zone_new(name, why, whylen);
	if (z == NULL)
		return NULL;
	if (tz_rule_parse(rule, &z->rule, why, whylen) < 0) {
		zone_free(z);
		return NULL;
	}
	z->has_rule = true;
	if (zone_finish(z) < 0) {   /* cannot fail without a table; still checked */
		zone_free(z);
		tz_errf(why, whylen, "out of memory");
		return NULL;
	}
	return z;
}

/* Why NAME (without a leading ':') may not be used as a file name, or NULL.
 * ABSOLUTE_OK: any absolute path is allowed (for $TZ, which is trusted). */
static const char *bad_path(const char *name, bool absolute_ok)
{
	if (name[0] == '\0')
		return "empty name";
	if (name[0] == '/') {
		if (!absolute_ok && strcmp(name, TZ_LOCALTIME) != 0)
			return "absolute paths other than " TZ_LOCALTIME " are refused";
		name++;
	}
	for (const char *p = name;;) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return "empty path component";
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "'..' path component";
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* DIR/NAME into PATH, or -1 if it does not fit. */
static int join_path(char path[PATH_MAX], const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	if (dl + 1 + nl + 1 > PATH_MAX)
		return -1;
	memcpy(path, dir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, nl + 1);
	return 0;
}

static bool is_builtin_utc(const char *name)
{
	return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0;
}

/* A zone by name, ":name", absolute path (see bad_path) or rule string. */
static struct tz *load_spec(const char *spec, bool trusted, char *err, size_t errlen)
{
	char path[PATH_MAX], why[160];
	struct tz *z = NULL;
	size_t len = strlen(spec);
	if (len > TZ_NAME_MAX) {
		tz_errf(err, errlen, "time zone name too long (%zu bytes, at most %d)", len, TZ_NAME_MAX);
		return NULL;
	}
	bool colon = spec[0] == ':';
	const char *file = spec + colon;
	const char *bad = bad_path(file, trusted);
	if (bad != NULL) {
		tz_errf(err, errlen, "bad time zone name '%s': %s", spec, bad);
		return NULL;
	}
	const char *dir = getenv("TZDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = TZ_DEFAULT_DIR;
	if (file[0] == '/')
		memcpy(path, file, strlen(file) + 1);
	else if (join_path(path, dir, file) < 0) {
		tz_errf(err, errlen, "time zone path too long for '%s'", spec);
		return NULL;
	}
	int rc = load_file(path, spec, &z, err, errlen);
	if (rc <= 0)
		return z;
	if (!colon && is_builtin_utc(file))
		return load_rule("UTC0", spec, err, errlen);
	if (!colon && strpbrk(spec, "0123456789") != NULL) {
		z = load_rule(spec, spec, why, sizeof why);
		if (z == NULL)
			tz_errf(err, errlen, "unknown time zone '%s' (no such file in %s; "
			        "as a TZ rule string: %s)", spec, dir, why);
		return z;
	}
	tz_errf(err, errlen, "unknown time zone '%s'", spec);
	return NULL;
}

/* The local zone: $TZ, else /etc/localtime, else UTC. */
static struct tz *load_local(char *err, size_t errlen)
{
	const char *env = getenv("TZ");
	struct tz *z = NULL;
	if (env != NULL && env[0] != '\0') {
		char copy[TZ_NAME_MAX + 2];   /* the environment may change later */
		size_t len = strnlen(env, TZ_NAME_MAX + 1);
		memcpy(copy, env, len);
		copy[len] = '\0';
		return load_spec(copy, true, err, errlen);
	}
	int rc = load_file(TZ_LOCALTIME, TZ_LOCALTIME, &z, err, errlen);
	if (rc == 1)
		return load_rule("UTC0", "UTC", err, errlen);
	return z;
}

struct tz *tz_load(const char *name, char *err, size_t errlen)
{
	if (name == NULL || name[0] == '\0')
		return load_local(err, errlen);
	return load_spec(name, false, err, errlen);
}

const char *tz_name(const struct tz *zone)
{
	return zone->name;
}

/* ------------------------------------------------------------ queries */

/* Number of elements of the increasing array A[0..N-1] at or before T.
 * Branch-free (the compiler makes the step a conditional move), as the
 * branches of a plain binary search are unpredictable. */
static size_t count_upto(const int64_t *a, size_t n, int64_t t)
{
	if (n == 0)
		return 0;
	const int64_t *base = a;
	while (n > 1) {
		size_t half = n / 2;
		base = base[half] <= t ? base + half : base;
		n -= half;
	}
	return (size_t)(base - a) + (*base <= t);
}

/* Index of the table span containing T (span 0 starts at INT64_MIN). */
static size_t span_index(const struct tz *z, int64_t t)
{
	return count_upto(z->span_start, z->nspans, t) - 1;
}

static bool in_rule(const struct tz *z, int64_t t)
{
	return z->has_rule && t >= z->rule_from;
}

int32_t tz_offset_at(const struct tz *zone, int64_t t)
{
	if (in_rule(zone, t))
		return tz_rule_offset(&zone->rule, t);
	return zone->span_off[span_index(zone, t)];
}

int64_t tz_to_wall(const struct tz *zone, int64_t t)
{
	return tz_sat_add(t, tz_offset_at(zone, t));
}

void tz_info_at(const struct tz *zone, int64_t t, int32_t *offset, bool *isdst,
                char *abbr, size_t abbrlen)
{
	const char *name;
	bool dst;
	int32_t off;
	if (in_rule(zone, t)) {
		dst = tz_rule_isdst(&zone->rule, t);
		off = dst ? zone->rule.dst_off : zone->rule.std_off;
		name = dst ? zone->rule.dst_abbr : zone->rule.std_abbr;
	} else {
		size_t i = count_upto(zone->trans, zone->ntrans, t);
		const struct tz_type *ty = &zone->types[i == 0 ? 0 : zone->trans_type[i - 1]];
		dst = ty->isdst;
		off = ty->utoff;
		name = zone->chars + ty->abbr;
	}
	if (offset != NULL)
		*offset = off;
	if (isdst != NULL)
		*isdst = dst;
	if (abbr != NULL && abbrlen > 0) {
		size_t n = strnlen(name, abbrlen - 1);
		memcpy(abbr, name, n);
		abbr[n] = '\0';
	}
}

static void table_span(const struct tz *z, int64_t t, struct tz_span *out)
{
	size_t k = span_index(z, t);
	out->start = z->span_start[k];
	out->offset = z->span_off[k];
	out->prev_offset = k > 0 ? z->span_off[k - 1] : out->offset;
	if (k + 1 < z->nspans) {
		out->end = z->span_start[k + 1];
		out->next_offset = z->span_off[k + 1];
	} else if (z->has_rule) {   /* runs on into the rule's range */
		out->end = z->rule_first_change;
		out->next_offset = out->offset == z->rule.std_off ? z->rule.dst_off : z->rule.std_off;
	} else {
		out->end = INT64_MAX;
	}
}

static void rule_span(const struct tz *z, int64_t t, struct tz_span *out)
{
	const struct tz_rule *r = &z->rule;
	int64_t prev, next;
	out->offset = tz_rule_offset_changes(r, t, &prev, &next);
	int32_t other = out->offset == r->std_off ? r->dst_off : r->std_off;
	out->end = next;
	out->next_offset = other;
	if (prev != INT64_MIN && prev > z->rule_from) {
		out->start = prev;
		out->prev_offset = other;
	} else if (z->nspans > 0) {   /* began in the table (same offset there) */
		size_t k = z->nspans - 1;
		out->start = z->span_start[k];
		out->prev_offset = k > 0 ? z->span_off[k - 1] : out->offset;
	} else {
		out->start = INT64_MIN;
	}
}

void tz_span_at(const struct tz *zone, int64_t t, struct tz_span *out)
{
	if (in_rule(zone, t))
		rule_span(zone, t, out);
	else
		table_span(zone, t, out);
	if (out->start == INT64_MIN)
		out->prev_offset = out->offset;
	if (out->end == INT64_MAX)
		out->next_offset = out->offset;
}

int tz_from_wall(const struct tz *zone, int64_t wall, int64_t out[2], int64_t *gap_end)
{
	/* Every instant with this wall time lies in [lo, hi]. */
	int64_t lo = tz_sat_add(wall, -TZ_UTOFF_MAX), hi = tz_sat_add(wall, -TZ_UTOFF_MIN);
	int64_t gap = 0;
	bool in_gap = false;
	int n = 0;
	struct tz_span s;
	tz_span_at(zone, lo, &s);
	for (;;) {
		int64_t t = tz_sat_add(wall, -(int64_t)s.offset);
		if (t >= s.start && (t < s.end || s.end == INT64_MAX) && n < 2)
			out[n++] = t;
		if (s.end == INT64_MAX || s.end > hi)
			break;
		/* Clocks jumping forward at s.end skip [end + offset, end + next). */
		if (!in_gap && wall >= tz_sat_add(s.end, s.offset) &&
		    wall < tz_sat_add(s.end, s.next_offset)) {
			in_gap = true;
			gap = s.end;
		}
		tz_span_at(zone, s.end, &s);
	}
	if (n == 0 && gap_end != NULL)   /* no gap found: only at the int64 ends */
		*gap_end = in_gap ? gap : tz_sat_add(wall, -tz_offset_at(zone, wall));
	return n;
}
