/* lib/crontab.h: the crontab language, whole texts.
 *
 * One parser serves every program: `crontab -T` and install, the daemon's
 * loading of user and system crontabs, and previews. A text is a sequence of
 * lines, each blank, a comment ('#' first), an assignment NAME=VALUE, or an
 * entry: five time fields (or an @keyword), in the system format a user
 * name, then the command. See crontab(5) for the full language.
 *
 * Assignments apply to the entries below them. The extensions RANDOM_DELAY,
 * CRON_TIMEOUT, CRON_OVERLAP, CRON_CATCHUP, CRON_MAIL, CRON_NODES and the zone CRON_TZ are resolved
 * per entry into `struct crontab_options` at parse time; their values are
 * checked here (CRON_TZ only for form: crontab_check_zones loads the zones).
 *
 * An entry may start with '-' (Vixie and cronie: "do not log this entry's
 * runs": no CMD and END lines) only in root's crontab and the system
 * crontabs, as it hides activity from the administrator; in any other
 * user's crontab it is an error.
 *
 * cronie's one per-entry option, "-n" and a blank before the command (mail
 * a run's output only when it fails), is read as cronie reads it: it sets
 * mail_failure_only and is not part of the command; twice is an error. Any
 * other command starting with '-' is kept, as Debian's cron keeps it, with
 * a warning: /bin/sh takes it for options and refuses it at every run.
 *
 * Abuse limits: past any of them the whole crontab is refused.
 */
#ifndef CROND_LIB_CRONTAB_H
#define CROND_LIB_CRONTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/arena.h"
#include "lib/diag.h"
#include "lib/schedule.h"

#define CRONTAB_MAX_BYTES (1024 * 1024)  /* whole text */
#define CRONTAB_MAX_LINE 8192            /* one line, without its newline */
#define CRONTAB_MAX_ENTRIES 10000
#define CRONTAB_MAX_ENV 1000             /* assignment lines */
#define CRONTAB_MAX_ZONES 32             /* different CRON_TZ values */
#define CRONTAB_MAX_RANDOM_DELAY 1440    /* RANDOM_DELAY, minutes */
#define CRONTAB_MAX_TIMEOUT (7 * 86400)  /* CRON_TIMEOUT, seconds */

enum crontab_format {
	CRONTAB_USER,    /* fields, command */
	CRONTAB_SYSTEM,  /* fields, user, command (/etc/crontab, /etc/cron.d) */
	CRONTAB_ROOT,    /* root's own crontab: the user format, with root's rights */
};

/* The format of the crontab of the user with uid UID: CRONTAB_ROOT for
 * uid 0, else CRONTAB_USER. */
enum crontab_format crontab_user_format(uid_t uid);

/* Extension settings in force for an entry. */
struct crontab_options {
	const char *tz;         /* CRON_TZ, or NULL for the daemon's zone */
	uint32_t random_delay;  /* RANDOM_DELAY: up to this many minutes late */
	uint32_t timeout;       /* CRON_TIMEOUT in seconds; 0 = none */
	bool overlap_skip;      /* CRON_OVERLAP=skip */
	bool catchup;           /* CRON_CATCHUP=yes */
	bool all_nodes;         /* CRON_NODES=all: every cluster node runs it
	                           (not claimed); one (default): claimed once */
	uint8_t mail;           /* CRON_MAIL (enum cron_mail, lib/cronmail.h);
	                           CRON_MAIL_UNSET: crond.conf's cron_mail */
};

struct crontab_assignment {
	const char *name;
	const char *value;      /* quotes removed */
	uint32_t line;
	uint32_t col;           /* the value's column (1-based) */
};

struct crontab_entry {
	struct schedule sched;
	uint32_t line;
	uint32_t env_count;     /* the first env_count assignments apply */
	uint32_t options;       /* index into crontab.options */
	const char *user;       /* system format: the user field; else NULL */
	const char *command;    /* up to the first unescaped '%', "\%" made '%' */
	const char *input;      /* text after it, % made newlines, ending in one; or NULL */
	bool no_log;            /* written with a leading '-': log no CMD/END lines */
	bool mail_failure_only; /* cronie's "-n" before the command: mailed only
	                           when a run fails (as CRON_MAIL=failure, unless
	                           mail is off for it) */
	uint32_t twin;          /* how many entries above it in the crontab are
	                           the same (crontab_entry_identity): 0 for the
	                           first. Part of the entry's key, so that each
	                           of two equal lines runs, as in Debian's cron
	                           (crond/sched/scheduler.h) */
};

struct crontab {
	struct crontab_assignment *env;
	size_t n_env;
	struct crontab_entry *entries;
	size_t n_entries;
	struct crontab_options *options;
	size_t n_options;
	struct crontab_skip {   /* crontab_parse_stored: the entries it */
		int line;       /* skipped, in order, and why (a static */
		const char *why;  /* text) */
	} *skipped;
	size_t n_skipped;
	bool twins_keyed;       /* the twins (crontab_entry.twin) were counted
	                         * with a keyed hash: the entries made the fast
	                         * one's probes too long (written to collide) */
	struct arena strings;   /* every string above lives here */
};

/* Parses TEXT (LEN bytes; need not be NUL-terminated; CRLF line ends and a
 * missing final newline are fine) into OUT. Every error is appended to DIAGS,
 * not just the first; warnings too (an entry that can never run). Returns 0
 * when there is no error (OUT then owns its memory: crontab_free), -1 when
 * there is at least one (OUT is left empty). */
int crontab_parse(const char *text, size_t len, enum crontab_format format,
                  struct crontab *out, struct diag_list *diags);

/* As crontab_parse, for a crontab already in force: one in the spool, which
 * crontab_parse let in when it was installed, or a system crontab file as
 * crond loads it. A line that only a newer rule refuses (a command, or a
 * system crontab's user field, starting with '*') is a warning here and
 * its entry is skipped, so that an upgrade of crond never stops the other
 * entries of a crontab; crontab(1) and crontab -T still refuse it. */
int crontab_parse_stored(const char *text, size_t len, enum crontab_format format,
                         struct crontab *out, struct diag_list *diags);

/* When crontab_parse_stored skipped entries of TAB: writes "N entries
 * skipped (line L: <why>)" into BUF and returns true, for the daemon's log
 * and the CLIs' views; else false. */
bool crontab_skipped_note(const struct crontab *tab, char *buf, size_t len);

/* Why crontab_parse_stored skipped the entry on LINE of TAB, or NULL when
 * it did not. */
const char *crontab_skipped_why(const struct crontab *tab, int line);

/* '~' values. A crontab's picks come from a 64-bit seed, derived from a
 * secret kept once per spool (crond makes it at its first start) and the
 * crontab's name ("user:NAME", or a system crontab's path), so they differ
 * between users and between machines but not between restarts. Each entry's
 * picks then come from that seed and the entry's own content (time fields,
 * user, command, input): they change only when the line does. */
#define CRONTAB_SECRET_LEN 16
#define CRONTAB_SECRET_META "random_secret"   /* its name in the spool (spool_secret) */

/* The seed of crontab NAME under SECRET (a keyed hash: knowing a seed tells
 * nothing of the secret or of other crontabs' seeds). */
uint64_t crontab_random_seed(const uint8_t secret[CRONTAB_SECRET_LEN], const char *name);

/* Gives every '~' element of TAB its value from SEED (schedule_resolve). */
void crontab_resolve_random(struct crontab *tab, uint64_t seed);

/* What entry E is, as a 64-bit FNV-1a hash: its schedule as parsed (with
 * the '~' ranges and their picks, when resolved), user, command and input;
 * not its line, options or the assignments above it. Pure. */
uint64_t crontab_entry_identity(const struct crontab_entry *e);

/* The fast, unkeyed hash the parser first finds twins with (equal entries
 * have equal hashes); exposed so that the tests can write a crontab whose
 * entries collide in it. Pure. */
uint32_t crontab_twin_hash(const struct crontab_entry *e);

/* Frees everything OUT owns and leaves it empty. */
void crontab_free(struct crontab *tab);

/* The value of NAME as ENTRY sees it (the last assignment above it), or NULL. */
const char *crontab_getenv(const struct crontab *tab, const struct crontab_entry *entry,
                           const char *name);

/* Loads every CRON_TZ zone the crontab names and reports unknown ones as
 * errors at their assignment line (lib/tz.h), and the first value past
 * CRONTAB_MAX_ZONES different ones (each is a zone crond keeps loaded).
 * Returns the number of errors. */
size_t crontab_check_zones(const struct crontab *tab, struct diag_list *diags);

/* Warns (DIAGS, at the entry's line) of each entry with a CRON_TZ that has
 * no run after NOW in its zone: every time it names falls in the zone's
 * skipped hours (a wildcard entry in a gap; the daemon accepts it and it
 * never runs). For the CLIs, which pay for it: up to about 20 us an entry
 * (lib/nextrun.h), not for the daemon. Returns how many were warned of. */
size_t crontab_check_never(const struct crontab *tab, int64_t now, struct diag_list *diags);

#endif
