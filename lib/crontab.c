/* lib/crontab.c: parsing whole crontab texts (see crontab.h).
 *
 * The parser walks the text line by line, records every error it finds with
 * its line and column and keeps going, so one run of `crontab -T` shows all
 * the mistakes. Entries, assignments and option blocks grow in arrays;
 * strings go to the crontab's arena.
 */
#include "lib/crontab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/crontab_assign.h"
#include "lib/fnv.h"
#include "lib/mailaddr.h"
#include "lib/siphash.h"
#include "lib/safetext.h"
#include "lib/tz.h"

struct parser {
	struct crontab *tab;
	struct diag_list *diags;
	enum crontab_format format;
	size_t cap_entries, cap_env, cap_options, cap_skipped;
	size_t n_entry_lines, n_env_lines;  /* including refused ones */
	bool has_nul;                       /* the text holds a NUL somewhere */
	bool stored;                        /* crontab_parse_stored: in force already */
	bool oom;
};

static bool grow(void **arr, size_t *cap, size_t need, size_t elem);

/* A stored crontab's entry at LINENO is skipped (crontab_parse_stored),
 * for WHY (a static text). */
static void skipped(struct parser *p, int lineno, const char *why)
{
	if (!p->stored)
		return;
	struct crontab *t = p->tab;
	if (!grow((void **)&t->skipped, &p->cap_skipped, t->n_skipped + 1, sizeof(*t->skipped))) {
		p->oom = true;
		return;
	}
	t->skipped[t->n_skipped++] = (struct crontab_skip){ lineno, why };
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*arr, ncap * elem);
	if (!n)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Copies the command part and the input part, as Vixie cron and Debian
 * do (checked against Debian's cron 3.0pl1):
 *  - the command runs up to the first '%' not escaped by a backslash; in
 *    the command a backslash escapes the character after it, and "\%"
 *    and "\\" lose their escaping backslash (so the shell gets '%' and a
 *    single '\', and "a\\%b" ends the command after "a\"); any other
 *    backslash stays (measured with Debian's cron: `'a\\b'` reaches the
 *    program as a\b; cronie keeps both backslashes);
 *  - in the input, '%' becomes a newline and "\%" a '%'; any other
 *    backslash stays;
 *  - input that is not empty and does not end with a newline gets one, so
 *    "cmd%a%b" feeds "a\nb\n", "cmd%" feeds nothing and "cmd%%" one newline.
 * *INPUT is NULL when there is no unescaped '%'. */
static int split_command(struct parser *p, const char *raw, size_t len,
                         const char **command, const char **input)
{
	char *cmd = arena_alloc(&p->tab->strings, len + 1);
	if (!cmd)
		return -1;
	size_t i = 0, n = 0;
	bool has_input = false;
	/* The next '\\' and '%' at or after I (NULL: none left), each looked
	 * for again only once I has passed it, so a line of many escapes is
	 * still read once. */
	const char *bs = memchr(raw, '\\', len), *pc = memchr(raw, '%', len);
	for (; i < len; i++) {
		/* Up to the next '\\' or '%' is copied as one piece: most
		 * commands have neither. */
		if (bs && bs < raw + i)
			bs = memchr(raw + i, '\\', len - i);
		if (pc && pc < raw + i)
			pc = memchr(raw + i, '%', len - i);
		size_t plain = bs && (!pc || bs < pc) ? (size_t)(bs - raw) : pc ? (size_t)(pc - raw) : len;
		memcpy(cmd + n, raw + i, plain - i);
		n += plain - i;
		if ((i = plain) == len)
			break;
		if (raw[i] == '\\' && i + 1 < len) {
			if (raw[i + 1] != '%' && raw[i + 1] != '\\')
				cmd[n++] = '\\';
			cmd[n++] = raw[++i];
		} else if (raw[i] == '%') {
			has_input = true;
			i++;
			break;
		} else {
			cmd[n++] = raw[i];
		}
	}
	cmd[n] = '\0';
	*command = cmd;
	*input = NULL;
	if (!has_input)
		return 0;
	char *in = arena_alloc(&p->tab->strings, len - i + 2);
	if (!in)
		return -1;
	size_t m = 0;
	for (; i < len; i++) {
		if (raw[i] == '\\' && i + 1 < len && raw[i + 1] == '%') {
			in[m++] = '%';
			i++;
		} else {
			in[m++] = raw[i] == '%' ? '\n' : raw[i];
		}
	}
	if (m > 0 && in[m - 1] != '\n')
		in[m++] = '\n';
	in[m] = '\0';
	*input = in;
	return 0;
}

/* A leading '-' ("do not log this entry's runs"), as Vixie cron and cronie
 * read it: directly before the first time field. Sets *START to the offset
 * of the time fields; -1 with the error recorded. */
static int no_log_prefix(struct parser *p, const char *line, size_t len, int lineno,
                         struct crontab_entry *e, size_t *start)
{
	size_t i = 0;
	while (i < len && blank(line[i]))
		i++;
	*start = i;
	if (i == len || line[i] != '-')
		return 0;
	if (p->format == CRONTAB_USER) {
		diag_add(p->diags, lineno, (int)i + 1, false,
		         "a leading '-' (do not log this entry's runs) is allowed only in root's "
		         "crontab and the system crontabs: it would hide the runs from the "
		         "administrator");
		return -1;
	}
	if (i + 1 == len || blank(line[i + 1])) {
		diag_add(p->diags, lineno, (int)i + 2, false,
		         "the '-' that turns off logging must be followed directly by the first "
		         "time field, as in -*/5 * * * * command");
		return -1;
	}
	if (p->format == CRONTAB_ROOT && line[i + 1] >= '1' && line[i + 1] <= '9')
		diag_add(p->diags, lineno, (int)i + 1, true,
		         "'-%c' reads as '-' (do not log this entry's runs, as in cronie) and a "
		         "minute field starting %c, not a negative minute; Debian's crontab "
		         "refuses the line in root's crontab", line[i + 1], line[i + 1]);
	e->no_log = true;
	*start = i + 1;
	return 0;
}

/* Warns about the first control character in the command at LINE[FROM..LEN)
 * (a tab is fine; a byte outside UTF-8 that is no control is left alone):
 * a terminal would obey it, so logs and history show it escaped. */
/* The length of the printable ASCII (0x20-0x7E) at S[0..N), eight bytes at
 * a time: a command is mostly that, and each entry's is checked at load. */
static size_t printable_prefix(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		uint64_t del = x ^ (0x7F * ones);   /* a zero byte where there was DEL */
		if ((x | ((x - 0x20 * ones) & ~x) | ((del - ones) & ~del)) & highs)
			break;   /* a byte >= 0x80, < 0x20 or 0x7F among these eight */
	}
	while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
		i++;
	return i;
}

static void warn_control(struct parser *p, const char *line, size_t from, size_t len, int lineno)
{
	for (size_t i = from; i < len;) {
		size_t took;
		i += printable_prefix(line + i, len - i);
		if (i == len)
			break;
		unsigned char c = (unsigned char)line[i];
		if (c == '\t') {
			i++;
			continue;
		}
		if (!safetext_is_kept(line + i, len - i, &took) && c != '\t' &&
		    !(took == 1 && c >= 0xA0)) {
			char shown[SAFETEXT_CHAR_MAX];
			safetext_char(line + i, len - i, shown);
			diag_add(p->diags, lineno, (int)i + 1, true,
			         "control character %s in the command (logs and history show it "
			         "escaped)", shown);
			return;
		}
		i += took;
	}
}

/* cronie's "-n" before the command, at LINE[*I] (see crontab.h): read,
 * and *I moved past it and the blanks after it. A command that starts with
 * another '-' is left alone, with a warning. -1 with the error recorded. */
static int entry_options(struct parser *p, const char *line, size_t len, int lineno,
                         struct crontab_entry *e, size_t *i)
{
	while (*i + 2 < len && line[*i] == '-' && line[*i + 1] == 'n' && blank(line[*i + 2])) {
		if (e->mail_failure_only) {
			diag_add(p->diags, lineno, (int)*i + 1, false,
			         "-n given twice (it mails a run's output only when the run fails)");
			return -1;
		}
		e->mail_failure_only = true;
		*i += 2;
		while (*i < len && blank(line[*i]))
			(*i)++;
	}
	if (*i < len && line[*i] == '-') {
		size_t w = *i;
		while (w < len && !blank(line[w]))
			w++;
		size_t shown = printable_prefix(line + *i, w - *i < 40 ? w - *i : 40);
		diag_add(p->diags, lineno, (int)*i + 1, true,
		         "the command starts with '-': /bin/sh takes '%.*s' for its options and "
		         "refuses it, so every run will fail (cronie's one option, -n, is read; "
		         "cronie refuses any other)", (int)shown, line + *i);
	}
	return 0;
}

static void parse_entry(struct parser *p, const char *line, size_t len, int lineno)
{
	struct crontab_entry e = { 0 };
	size_t start = 0, end = 0, errcol = 0;
	char msg[DIAG_MSG_MAX];
	if (no_log_prefix(p, line, len, lineno, &e, &start) < 0)
		return;
	if (schedule_parse(line + start, len - start, &e.sched, &end, &errcol, msg,
	                   sizeof(msg)) < 0) {
		diag_add(p->diags, lineno, (int)(start + errcol) + 1, false, "%s", msg);
		return;
	}
	size_t i = start + end;
	while (i < len && blank(line[i]))
		i++;
	if (p->format == CRONTAB_SYSTEM) {
		size_t u = i;
		while (i < len && !blank(line[i]))
			i++;
		if (i == u) {
			diag_add(p->diags, lineno, (int)u + 1, false,
			         "missing user name (a system crontab entry has a user field after the "
			         "time fields)");
			return;
		}
		if (line[u] == '*') {
			skipped(p, lineno, "its user field is '*' (a sixth time field?)");
			diag_add(p->diags, lineno, (int)u + 1, p->stored,
			         "bad user name '%.*s': a sixth time field? (an entry has five)%s",
			         (int)(i - u), line + u, p->stored ? "; the entry is skipped" : "");
			return;
		}
		e.user = arena_strndup(&p->tab->strings, line + u, i - u);
		while (i < len && blank(line[i]))
			i++;
	}
	if (entry_options(p, line, len, lineno, &e, &i) < 0)
		return;
	if (i == len || line[i] == '%') {
		diag_add(p->diags, lineno, (int)i + 1, false, "missing command after the %s",
		         e.mail_failure_only ? "-n"
		         : p->format == CRONTAB_SYSTEM ? "user name" : "time fields");
		return;
	}
	/* Debian's cron refuses this too: the '*' is almost always a sixth
	 * time field (seconds, or a slip), and the shell would run whatever
	 * file the glob finds first in the home directory. A crontab already
	 * in force loses only this entry (crontab_parse_stored). */
	if (line[i] == '*') {
		skipped(p, lineno, "its command starts with '*' (a sixth time field?)");
		diag_add(p->diags, lineno, (int)i + 1, p->stored,
		         "bad command: it starts with '*', a sixth time field? (an entry has five; "
		         "a command that is a glob can start with ./*)%s",
		         p->stored ? "; the entry is skipped" : "");
		return;
	}
	if (++p->n_entry_lines > CRONTAB_MAX_ENTRIES) {
		if (p->n_entry_lines == CRONTAB_MAX_ENTRIES + 1)
			diag_add(p->diags, lineno, 0, false,
			         "more than %d entries: the crontab is refused", CRONTAB_MAX_ENTRIES);
		return;
	}
	if (split_command(p, line + i, len - i, &e.command, &e.input) < 0 ||
	    (p->format == CRONTAB_SYSTEM && !e.user) ||
	    !grow((void **)&p->tab->entries, &p->cap_entries, p->tab->n_entries + 1,
	          sizeof(e))) {
		p->oom = true;
		return;
	}
	struct schedule widest;
	schedule_widen(&e.sched, &widest);
	if (!(e.sched.flags & SCHED_REBOOT) && !schedule_can_run(&widest))
		diag_add(p->diags, lineno, 1, true,
		         "this entry can never run: none of the months it selects has any of "
		         "the days of the month it selects");
	if (e.sched.flags & SCHED_WDAY_TO_SUNDAY)
		diag_add(p->diags, lineno, (int)start + 1, true,
		         "a day-of-week range ending on Sunday written 0 or sun (such as fri-sun) "
		         "runs Friday to Sunday here and in cronie, but never in Debian's cron "
		         "(Sunday is 0 there, so the range is reversed); write fri-7 or fri,sat,sun "
		         "to say the same to both");
	warn_control(p, line, i, len, lineno);
	e.line = (uint32_t)lineno;
	e.env_count = (uint32_t)p->tab->n_env;
	e.options = (uint32_t)(p->tab->n_options - 1);
	p->tab->entries[p->tab->n_entries++] = e;
}

/* MAILTO and MAILFROM hold addresses crond will hand to sendmail: one it
 * would refuse (lib/mailaddr.h) is said now, as a warning (the line is
 * valid shell, and cron's MAILTO has always been free text). */
static void check_mail_address(struct parser *p, const struct crontab_assignment *a,
                               int lineno, size_t value_col)
{
	char msg[DIAG_MSG_MAX];
	if (strcmp(a->name, "MAILTO") == 0 && a->value[0] != '\0' &&
	    mailaddr_check_list("MAILTO", a->value, NULL, NULL, msg, sizeof(msg)) < 0)
		diag_add(p->diags, lineno, (int)value_col + 1, true,
		         "%s: crond will not mail the output of the entries below", msg);
	/* Debian's cron sends such mail from its default sender: so does
	 * crond (crond/run/mail.c). */
	else if (strcmp(a->name, "MAILFROM") == 0 &&
	         mailaddr_check_sender("MAILFROM", a->value, msg, sizeof(msg)) < 0)
		diag_add(p->diags, lineno, (int)value_col + 1, true,
		         "%s: crond will mail the output of the entries below from "
		         "root (Cron Daemon)", msg);
}

static void parse_assignment(struct parser *p, const char *line, size_t len, int lineno)
{
	char *scratch = malloc(len + 2);
	if (!scratch) {
		p->oom = true;
		return;
	}
	const char *name, *value;
	size_t value_col = 0, errcol = 0;
	char msg[DIAG_MSG_MAX];
	if (assign_split(line, len, scratch, &name, &value, &value_col, &errcol, msg,
	                 sizeof(msg)) < 0) {
		diag_add(p->diags, lineno, (int)errcol + 1, false, "%s", msg);
		goto out;
	}
	if (++p->n_env_lines > CRONTAB_MAX_ENV) {
		if (p->n_env_lines == CRONTAB_MAX_ENV + 1)
			diag_add(p->diags, lineno, 0, false,
			         "more than %d assignments: the crontab is refused", CRONTAB_MAX_ENV);
		goto out;
	}
	struct crontab *t = p->tab;
	struct crontab_assignment a = {
		.name = arena_strndup(&t->strings, name, strlen(name)),
		.value = arena_strndup(&t->strings, value, strlen(value)),
		.line = (uint32_t)lineno,
		.col = (uint32_t)value_col + 1,
	};
	if (!a.name || !a.value || !grow((void **)&t->env, &p->cap_env, t->n_env + 1, sizeof(a)) ||
	    !grow((void **)&t->options, &p->cap_options, t->n_options + 1, sizeof(*t->options))) {
		p->oom = true;
		goto out;
	}
	struct crontab_options opts = t->options[t->n_options - 1];
	int rc = assign_apply_option(a.name, a.value, &opts, msg, sizeof(msg));
	if (rc < 0)
		diag_add(p->diags, lineno, (int)value_col + 1, false, "%s", msg);
	else if (rc > 0)
		t->options[t->n_options++] = opts;
	else
		check_mail_address(p, &a, lineno, value_col);
	t->env[t->n_env++] = a;
out:
	free(scratch);
}

static void parse_line(struct parser *p, const char *line, size_t len, int lineno)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (p->has_nul && memchr(line, '\0', len)) {
		diag_add(p->diags, lineno, (int)((const char *)memchr(line, '\0', len) - line) + 1,
		         false, "NUL byte in the line (a crontab is text, not a binary file)");
		return;
	}
	size_t i = 0;
	while (i < len && blank(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return;   /* a comment of any length, as Debian's cron reads it */
	if (len > CRONTAB_MAX_LINE) {
		diag_add(p->diags, lineno, 0, false, "line is %zu bytes long, over the limit of %d",
		         len, CRONTAB_MAX_LINE);
		return;
	}
	if (assign_line_is_assignment(line, len)) {
		parse_assignment(p, line, len, lineno);
		return;
	}
	unsigned char c = (unsigned char)line[i];
	if ((c >= '0' && c <= '9') || c == '*' || c == '@' || c == '-' || c == ',' || c == '~') {
		parse_entry(p, line, len, lineno);
		return;
	}
	diag_add(p->diags, lineno, (int)i + 1, false,
	         "expected an entry (five time fields or an @keyword, then the command) or an "
	         "assignment NAME=VALUE");
}

enum crontab_format crontab_user_format(uid_t uid)
{
	return uid == 0 ? CRONTAB_ROOT : CRONTAB_USER;
}

uint64_t crontab_entry_identity(const struct crontab_entry *e)
{
	const struct schedule *sc = &e->sched;
	uint64_t h = FNV1A_BASIS;
	h = fnv1a(h, &sc->minutes, sizeof(sc->minutes));
	h = fnv1a(h, &sc->hours, sizeof(sc->hours));
	h = fnv1a(h, &sc->mdays, sizeof(sc->mdays));
	h = fnv1a(h, &sc->months, sizeof(sc->months));
	h = fnv1a(h, &sc->wdays, sizeof(sc->wdays));
	uint8_t flags = sc->flags & (uint8_t)~SCHED_WDAY_TO_SUNDAY;   /* a note only */
	h = fnv1a(h, &flags, sizeof(flags));
	for (unsigned k = 0; k < sc->n_random; k++) {
		const struct schedule_random *r = &sc->random[k];
		uint8_t spec[4] = { r->field, r->lo, r->hi, r->step };
		h = fnv1a(h, spec, sizeof(spec));
	}
	const char *user = e->user ? e->user : "";
	h = fnv1a(h, user, strlen(user) + 1);
	h = fnv1a(h, e->command, strlen(e->command) + 1);
	if (e->input)
		h = fnv1a(h, e->input, strlen(e->input));
	return h;
}

/* Whether A and B are the same entry: what crontab_entry_identity covers
 * (an input left out and an empty one alike, as it hashes them). */
static bool same_entry(const struct crontab_entry *a, const struct crontab_entry *b)
{
	const struct schedule *x = &a->sched, *y = &b->sched;
	const uint8_t note = (uint8_t)~SCHED_WDAY_TO_SUNDAY;
	if (x->minutes != y->minutes || x->hours != y->hours || x->mdays != y->mdays ||
	    x->months != y->months || x->wdays != y->wdays ||
	    (x->flags & note) != (y->flags & note) || x->n_random != y->n_random)
		return false;
	for (unsigned k = 0; k < x->n_random; k++) {
		const struct schedule_random *r = &x->random[k], *q = &y->random[k];
		if (r->field != q->field || r->lo != q->lo || r->hi != q->hi || r->step != q->step)
			return false;
	}
	return strcmp(a->user ? a->user : "", b->user ? b->user : "") == 0 &&
	       strcmp(a->command, b->command) == 0 &&
	       strcmp(a->input ? a->input : "", b->input ? b->input : "") == 0;
}

/* Mixes string S into H eight bytes at a time (faster than FNV-1a's byte at
 * a time; only to find candidates, so it need not be FNV). */
static uint64_t mix_words(uint64_t h, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15u;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	if (n)
		memcpy(&w, s, n);
	h = (h ^ w ^ (uint64_t)n << 56) * 0xC2B2AE3D27D4EB4Fu;
	return h ^ (h >> 32);
}

/* SipHash of string S (NULL: empty) under KEY. */
static uint64_t sip_str(const uint8_t key[SIPHASH_KEY_LEN], const char *s)
{
	return s ? siphash24(key, s, strlen(s)) : 0;
}

/* The SipHash under KEY of what same_entry compares of E's schedule. */
static uint64_t sip_schedule(const uint8_t key[SIPHASH_KEY_LEN], const struct schedule *sc)
{
	const uint8_t note = (uint8_t)~SCHED_WDAY_TO_SUNDAY;
	uint8_t b[32 + 4 * SCHEDULE_MAX_RANDOM];
	size_t n = 0;
	memcpy(b + n, &sc->minutes, 8), n += 8;
	memcpy(b + n, &sc->hours, 4), n += 4;
	memcpy(b + n, &sc->mdays, 4), n += 4;
	memcpy(b + n, &sc->months, 2), n += 2;
	b[n++] = sc->wdays;
	b[n++] = sc->flags & note;
	b[n++] = sc->n_random;
	for (unsigned k = 0; k < sc->n_random && k < SCHEDULE_MAX_RANDOM; k++) {
		const struct schedule_random *r = &sc->random[k];
		b[n++] = r->field;
		b[n++] = r->lo;
		b[n++] = r->hi;
		b[n++] = r->step;
	}
	return siphash24(key, b, n);
}

/* A hash of what same_entry compares, to find the candidates: unkeyed
 * (KEY NULL) and fast, or keyed with KEY, every field of it through
 * SipHash, so that nobody can make entries collide (the schedule left
 * unkeyed beside keyed strings let a reviewer choose 9,800 schedules that
 * fell in one slot under any key). */
static uint32_t bucket_hash(const struct crontab_entry *e, const uint8_t *key)
{
	const struct schedule *sc = &e->sched;
	uint64_t h;
	if (!key) {
		h = sc->minutes * 0x9E3779B97F4A7C15u;
		h ^= ((uint64_t)sc->hours << 32 | sc->mdays) * 0xC2B2AE3D27D4EB4Fu;
		h ^= ((uint64_t)sc->months << 16 | sc->wdays) * 0x165667B19E3779F9u;
		h = mix_words(mix_words(mix_words(h, e->command), e->user), e->input);
	} else {
		/* each part keyed, then mixed: no part can cancel another */
		h = sip_schedule(key, sc);
		h = h * 0x9E3779B97F4A7C15u ^ sip_str(key, e->command);
		h = h * 0xC2B2AE3D27D4EB4Fu ^ sip_str(key, e->user);
		h = h * 0x165667B19E3779F9u ^
		    sip_str(key, e->input && e->input[0] ? e->input : NULL);
	}
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t crontab_twin_hash(const struct crontab_entry *e)
{
	return bucket_hash(e, NULL);
}

/* Longest run of the table that the unkeyed hash may probe for an entry.
 * With the table at most half full a run is a few slots, and at most a few
 * dozen among 200,000 entries; a crontab's writer can choose commands that
 * all fall in one run (10,000 of them made each install, check or status of
 * that crontab cost 0.4 s of comparisons), and is then counted again with
 * the keyed hash. */
#define TWIN_PROBE_MAX 128

/* One pass of count_twins over LATEST (CAP slots, zeroed) with bucket_hash
 * under KEY (NULL: unkeyed); false, with the twins left half counted, when
 * an unkeyed probe passes TWIN_PROBE_MAX. */
static bool twin_pass(struct crontab *tab, uint32_t *latest, size_t cap, const uint8_t *key)
{
	for (size_t i = 0; i < tab->n_entries; i++) {
		struct crontab_entry *e = &tab->entries[i];
		size_t k = bucket_hash(e, key) & (cap - 1), probes = 0;
		while (latest[k] && !same_entry(&tab->entries[latest[k] - 1], e)) {
			if (!key && ++probes > TWIN_PROBE_MAX)
				return false;
			k = (k + 1) & (cap - 1);
		}
		if (latest[k])
			e->twin = tab->entries[latest[k] - 1].twin + 1;
		latest[k] = (uint32_t)i + 1;
	}
	return true;
}

/* Numbers the entries that are the same as one above them (twin), in one
 * pass over an open-addressed table of each kind's latest entry (a sort of
 * their FNV identities cost a start-up with 200,000 entries 20 %: the
 * table is of 32-bit indexes, small enough to be reused from the heap).
 * The fast unkeyed hash first; keyed SipHash (a key from getrandom) if
 * that meets a probe too long (SipHash for every crontab cost a start-up
 * with 200,000 entries about 15 %). False when out of memory. */
static bool count_twins(struct crontab *tab)
{
	size_t n = tab->n_entries;
	if (n < 2)
		return true;
	size_t cap = 4;
	while (cap < 2 * n)
		cap *= 2;
	uint32_t *latest = calloc(cap, sizeof(*latest));   /* index + 1; 0: empty */
	if (!latest)
		return false;
	if (!twin_pass(tab, latest, cap, NULL)) {
		tab->twins_keyed = true;
		uint8_t key[SIPHASH_KEY_LEN];
		if (getrandom(key, sizeof(key), GRND_NONBLOCK) != (ssize_t)sizeof(key))
			memset(key, 0x5a, sizeof(key));   /* still unlike the unkeyed hash */
		memset(latest, 0, cap * sizeof(*latest));
		for (size_t i = 0; i < n; i++)
			tab->entries[i].twin = 0;
		(void)twin_pass(tab, latest, cap, key);
	}
	free(latest);
	return true;
}

/* How many entries TEXT (LEN bytes) can hold at most: its lines that are
 * neither empty nor a comment, and no more than CRONTAB_MAX_ENTRIES. The
 * entries are allocated once at this size (for 10,000 entries, growing them
 * by doubling copied 1.1 MB and faulted the copies in: 7 % of a start-up
 * with 100,000 entries in cron.d). */
static size_t entry_lines_bound(const char *text, size_t len)
{
	size_t n = 0;
	for (size_t pos = 0; pos < len && n < CRONTAB_MAX_ENTRIES;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t i = pos;
		while (i < end && blank(text[i]))
			i++;
		if (i < end && text[i] != '#')
			n++;
		pos = end + 1;
	}
	return n;
}

static int parse_text(const char *text, size_t len, enum crontab_format format, bool stored,
                      struct crontab *out, struct diag_list *diags)
{
	*out = (struct crontab){ 0 };
	size_t errors_before = diags->errors;
	if (len > CRONTAB_MAX_BYTES) {
		diag_add(diags, 0, 0, false, "crontab is %zu bytes, over the limit of %d bytes (1 MiB)",
		         len, CRONTAB_MAX_BYTES);
		return -1;
	}
	struct parser p = { .tab = out, .diags = diags, .format = format,
		            .has_nul = memchr(text, '\0', len) != NULL, .stored = stored };
	if (!grow((void **)&out->options, &p.cap_options, 1, sizeof(*out->options))) {
		diag_add(diags, 0, 0, false, "out of memory");
		return -1;
	}
	out->options[out->n_options++] = (struct crontab_options){ 0 };
	size_t bound = entry_lines_bound(text, len);
	if (bound > 16) {   /* below, grow's first step allocates as much */
		out->entries = malloc(bound * sizeof(*out->entries));
		p.cap_entries = out->entries ? bound : 0;
		p.oom = !out->entries;
	}
	int lineno = 0;
	for (size_t pos = 0; pos < len && !p.oom;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		parse_line(&p, text + pos, end - pos, ++lineno);
		pos = end + 1;
	}
	if (!p.oom && !count_twins(out))
		p.oom = true;
	if (p.oom)
		diag_add(diags, 0, 0, false, "out of memory while parsing");
	if (p.oom || diags->errors > errors_before) {
		crontab_free(out);
		return -1;
	}
	return 0;
}

int crontab_parse(const char *text, size_t len, enum crontab_format format,
                  struct crontab *out, struct diag_list *diags)
{
	return parse_text(text, len, format, false, out, diags);
}

int crontab_parse_stored(const char *text, size_t len, enum crontab_format format,
                         struct crontab *out, struct diag_list *diags)
{
	return parse_text(text, len, format, true, out, diags);
}

bool crontab_skipped_note(const struct crontab *tab, char *buf, size_t len)
{
	if (tab->n_skipped == 0)
		return false;
	snprintf(buf, len, "%zu entr%s skipped, crontab refuses %s (line %d: %s)", tab->n_skipped,
	         tab->n_skipped == 1 ? "y" : "ies", tab->n_skipped == 1 ? "it" : "them",
	         tab->skipped[0].line, tab->skipped[0].why);
	return true;
}

const char *crontab_skipped_why(const struct crontab *tab, int line)
{
	for (size_t i = 0; i < tab->n_skipped; i++)
		if (tab->skipped[i].line == line)
			return tab->skipped[i].why;
	return NULL;
}

uint64_t crontab_random_seed(const uint8_t secret[CRONTAB_SECRET_LEN], const char *name)
{
	return siphash24(secret, name, strlen(name));
}

/* Appends LEN bytes to BUF (of CAP) at *N; false when they do not fit. */
static bool put(uint8_t *buf, size_t cap, size_t *n, const void *data, size_t len)
{
	if (len > cap - *n)
		return false;
	memcpy(buf + *n, data, len);
	*n += len;
	return true;
}

/* The seed of entry E: SipHash under the crontab's SEED of what the entry
 * is (fields as parsed, the '~' ranges, user, command, input). */
static uint64_t entry_seed(uint64_t seed, const struct crontab_entry *e)
{
	uint8_t key[SIPHASH_KEY_LEN] = { 0 };
	for (int i = 0; i < 8; i++)
		key[i] = (uint8_t)(seed >> (8 * i));
	const struct schedule *s = &e->sched;
	uint8_t buf[CRONTAB_MAX_LINE + 128];
	size_t n = 0;
	const char *user = e->user ? e->user : "";
	const char *input = e->input ? e->input : "";
	bool ok = put(buf, sizeof(buf), &n, &s->minutes, sizeof(s->minutes)) &&
	          put(buf, sizeof(buf), &n, &s->hours, sizeof(s->hours)) &&
	          put(buf, sizeof(buf), &n, &s->mdays, sizeof(s->mdays)) &&
	          put(buf, sizeof(buf), &n, &s->months, sizeof(s->months)) &&
	          put(buf, sizeof(buf), &n, &s->wdays, sizeof(s->wdays));
	for (unsigned k = 0; ok && k < s->n_random; k++) {
		const struct schedule_random *r = &s->random[k];
		uint8_t spec[4] = { r->field, r->lo, r->hi, r->step };
		ok = put(buf, sizeof(buf), &n, spec, sizeof(spec));
	}
	/* User, command and input come from one line of at most
	 * CRONTAB_MAX_LINE bytes (unescaping only shortens them), so they fit;
	 * were they not to, the hash would cover what fits: still the same
	 * at every load. */
	ok = ok && put(buf, sizeof(buf), &n, user, strlen(user) + 1) &&
	     put(buf, sizeof(buf), &n, e->command, strlen(e->command) + 1) &&
	     put(buf, sizeof(buf), &n, input, strlen(input));
	(void)ok;
	return siphash24(key, buf, n);
}

void crontab_resolve_random(struct crontab *tab, uint64_t seed)
{
	for (size_t i = 0; i < tab->n_entries; i++) {
		struct crontab_entry *e = &tab->entries[i];
		if (e->sched.n_random > 0)
			schedule_resolve(&e->sched, entry_seed(seed, e));
	}
}

void crontab_free(struct crontab *tab)
{
	free(tab->env);
	free(tab->entries);
	free(tab->options);
	free(tab->skipped);
	arena_free(&tab->strings);
	*tab = (struct crontab){ 0 };
}

const char *crontab_getenv(const struct crontab *tab, const struct crontab_entry *entry,
                           const char *name)
{
	for (size_t i = entry->env_count; i > 0; i--) {
		if (strcmp(tab->env[i - 1].name, name) == 0)
			return tab->env[i - 1].value;
	}
	return NULL;
}

/* Whether CRON_TZ's value at env[I] was set earlier in TAB. */
static bool zone_named_before(const struct crontab *tab, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(tab->env[k].name, "CRON_TZ") == 0 &&
		    strcmp(tab->env[k].value, tab->env[i].value) == 0)
			return true;
	return false;
}

size_t crontab_check_zones(const struct crontab *tab, struct diag_list *diags)
{
	size_t errors = 0, distinct = 0;
	for (size_t i = 0; i < tab->n_env; i++) {
		const struct crontab_assignment *a = &tab->env[i];
		if (strcmp(a->name, "CRON_TZ") != 0 || a->value[0] == '\0')
			continue;
		if (zone_named_before(tab, i))
			continue;   /* loaded and counted already */
		if (++distinct > CRONTAB_MAX_ZONES) {
			diag_add(diags, (int)a->line, (int)a->col, false,
			         "CRON_TZ: more than %d different zones in one crontab", CRONTAB_MAX_ZONES);
			errors++;
			break;
		}
		char err[256];
		struct tz *z = tz_load(a->value, err, sizeof(err));
		if (!z) {
			diag_add(diags, (int)a->line, (int)a->col, false, "CRON_TZ: %s", err);
			errors++;
		}
		tz_free(z);
	}
	return errors;
}
