/* spool/pg/open.c: opening a PostgreSQL spool, connecting and reconnecting
 * with back-off, closing.
 *
 * The URI is parsed by libpq (PQconninfoParse) and turned into a conninfo
 * string of keyword='value' pairs, to which crond adds what the URI leaves
 * out: timeouts (a node must not hang on a dead network) and an
 * application name (so an administrator sees crond in pg_stat_activity).
 * The spool's path, which every message starts with and the daemon logs,
 * is the URI with any password cut out.
 *
 * The open flags mean for a database what they mean for a file:
 * SPOOL_CREATE creates the schema in an empty database (without it, an
 * empty database is SPOOL_NOT_FOUND, as a missing file is); SPOOL_CHECK
 * runs a cheap sanity query (the counters are there); SPOOL_READONLY
 * refuses writes with SPOOL_PERMISSION before they reach the server, and
 * makes the session read-only as well.
 *
 * Connection loss. Any call may find the connection broken; it fails with
 * SPOOL_IO ("database unreachable") and drops the connection. The next
 * call connects again, but no sooner than the back-off allows (0.1 s,
 * doubling to 30 s, back to 0.1 s after a success), so a node whose
 * database is down does not hammer it, and each such call fails at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool/pg/internal.h"

#define BACKOFF_FIRST_NS (100LL * 1000 * 1000)
#define BACKOFF_MAX_NS (30LL * 1000 * 1000 * 1000)

/* What the URI does not say, crond sets: a node must notice a dead server
 * or network within seconds, not after TCP's quarter of an hour of
 * retransmissions, and an administrator should see who is connected. (The
 * TCP settings are ignored on a Unix socket.) */
static const struct {
	const char *keyword, *value;
} defaults[] = {
	{ "connect_timeout", "10" },
	{ "keepalives_idle", "10" },
	{ "keepalives_interval", "5" },
	{ "keepalives_count", "3" },
	{ "tcp_user_timeout", "30000" },
	{ "fallback_application_name", "crond" },
};
/* Session settings: writers wait this long for a lock before SPOOL_BUSY
 * (txn.c retries within the same 20 s budget). */
#define SESSION_SETUP "SET lock_timeout = '20s'"

static int64_t mono_ns(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);   /* cannot fail for CLOCK_MONOTONIC */
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Notices (e.g. "relation already exists, skipping") are not errors and
 * must never reach stderr: the spool prints nothing. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---------------------------------------------------------------- the URI */

/* A growing string: false once out of memory. */
struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t len)
{
	if (b->failed)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 256 : b->cap;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *n = realloc(b->s, cap);
		if (n == NULL) {
			b->failed = true;
			return;
		}
		b->s = n;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* keyword='value', quoting as libpq's conninfo syntax wants. */
static void put_pair(struct buf *b, const char *key, const char *val)
{
	if (b->len > 0)
		puts_(b, " ");
	puts_(b, key);
	puts_(b, "='");
	for (const char *p = val; *p != '\0'; p++) {
		if (*p == '\'' || *p == '\\')
			puts_(b, "\\");
		put(b, p, 1);
	}
	puts_(b, "'");
}

/* The passwords a URI holds: spans of it (user info, password= values). */
#define SECRETS_MAX 8
struct secrets {
	const char *at[SECRETS_MAX];
	size_t len[SECRETS_MAX];
	int n;
};

static void add_secret(struct secrets *s, const char *at, size_t len)
{
	if (len > 0 && s->n < SECRETS_MAX) {
		s->at[s->n] = at;
		s->len[s->n] = len;
		s->n++;
	}
}

/* Replaces each password of S in LINE by "***" (libpq's messages about a
 * malformed URI quote the URI, or the token it choked on). */
static void scrub(char *line, size_t size, const struct secrets *s)
{
	for (int i = 0; i < s->n; i++) {
		char *from = line, *hit;
		while ((hit = memmem(from, strlen(from), s->at[i], s->len[i])) != NULL) {
			size_t head = (size_t)(hit - line);
			if (head + 4 > size)
				break;
			size_t tail = strlen(hit + s->len[i]);
			if (head + 3 + tail >= size)
				tail = size - head - 4;
			memmove(hit + 3, hit + s->len[i], tail);
			memcpy(hit, "***", 3);
			hit[3 + tail] = '\0';
			from = hit + 3;   /* the stars may hold the password ("*") */
		}
	}
}

/* The conninfo string for URI into *OUT (malloc'd): 0, or SPOOL_INVALID
 * with libpq's reason, without the passwords of SECRETS. */
static int make_conninfo(const char *uri, const char *shown,
			 const struct secrets *secrets, char **out,
			 struct spool_err *err)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(uri, &why);
	if (opts == NULL) {
		char line[256];
		snprintf(line, sizeof line, "%s", why != NULL ? why : "out of memory");
		line[strcspn(line, "\n")] = '\0';
		scrub(line, sizeof line, secrets);
		if (why != NULL)
			PQfreemem(why);
		return spool_seterr(err, why != NULL ? SPOOL_INVALID : SPOOL_NOMEM,
				    "%s: invalid PostgreSQL connection URI: %s", shown, line);
	}
	struct buf b = { 0 };
	bool given[sizeof defaults / sizeof *defaults] = { false };
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		put_pair(&b, o->keyword, o->val);
		for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
			given[i] = given[i] || strcmp(o->keyword, defaults[i].keyword) == 0;
	}
	PQconninfoFree(opts);
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
		if (!given[i])
			put_pair(&b, defaults[i].keyword, defaults[i].value);
	if (b.failed || b.s == NULL) {
		free(b.s);
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", shown);
	}
	*out = b.s;
	return SPOOL_OK;
}

/* URI with any password removed, malloc'd: the user info's ":password"
 * and any password= query parameter, whose spans go to *SECRETS. NULL
 * when out of memory. */
static char *hide_password(const char *uri, struct secrets *secrets)
{
	secrets->n = 0;
	struct buf b = { 0 };
	const char *scheme = strstr(uri, "://");
	const char *auth = scheme != NULL ? scheme + 3 : uri;
	size_t alen = strcspn(auth, "/?");
	const char *at = NULL;
	for (const char *p = auth; p < auth + alen; p++)
		if (*p == '@')
			at = p;   /* the last '@': a user name may not hold one unescaped */
	put(&b, uri, (size_t)(auth - uri));
	if (at != NULL) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon != NULL)
			add_secret(secrets, colon + 1, (size_t)(at - colon - 1));
		put(&b, auth, (size_t)((colon != NULL ? colon : at) - auth));
		put(&b, at, (size_t)(auth + alen - at));
	} else {
		put(&b, auth, alen);
	}
	const char *rest = auth + alen;
	size_t plen = strcspn(rest, "?");
	put(&b, rest, plen);
	const char *q = rest + plen;
	if (*q == '?') {
		q++;
		bool first = true;
		while (*q != '\0') {
			size_t len = strcspn(q, "&");
			if (len >= 9 && strncmp(q, "password=", 9) == 0) {
				add_secret(secrets, q + 9, len - 9);
			} else {
				puts_(&b, first ? "?" : "&");
				put(&b, q, len);
				first = false;
			}
			q += len;
			if (*q == '&')
				q++;
		}
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s != NULL ? b.s : strdup("");
}

/* ---------------------------------------------------------------- connecting */

void pg_disconnect(struct spool *sp)
{
	struct spool_pg *c = pg(sp);
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
	pg_stmts_free(sp);   /* they lived on that connection */
}

/* The first line of MSG (may be NULL) into BUF, or WHAT when it is empty. */
static void first_line(const char *msg, const char *what, char *buf, size_t size)
{
	snprintf(buf, size, "%s", msg != NULL ? msg : "");
	buf[strcspn(buf, "\n")] = '\0';
	if (buf[0] == '\0')
		snprintf(buf, size, "%s", what);
}

int pg_new_conn(struct spool *sp, PGconn **out, struct spool_err *err)
{
	char line[SPOOL_ERR_MSG_MAX / 2];
	*out = NULL;
	PGconn *conn = PQconnectdb(pg(sp)->conninfo);
	if (conn == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "%s: out of memory", sp->path);
	if (PQstatus(conn) != CONNECTION_OK) {
		first_line(PQerrorMessage(conn), "cannot connect", line, sizeof line);
		PQfinish(conn);
		return spool_seterr(err, SPOOL_IO, "%s: database unreachable: %s",
				    sp->path, line);
	}
	(void)PQsetNoticeProcessor(conn, quiet_notice, NULL);   /* returns the old one */
	PGresult *r = PQexec(conn, (sp->flags & SPOOL_READONLY)
			     ? SESSION_SETUP "; SET default_transaction_read_only = on"
			     : SESSION_SETUP);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
		first_line(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(conn),
			   "no answer", line, sizeof line);
		PQclear(r);
		PQfinish(conn);
		return spool_seterr(err, SPOOL_IO, "%s: set up the session: %s",
				    sp->path, line);
	}
	PQclear(r);
	*out = conn;
	return SPOOL_OK;
}

int pg_connected(struct spool *sp, struct spool_err *err)
{
	struct spool_pg *c = pg(sp);
	if (c->conn != NULL && PQstatus(c->conn) == CONNECTION_OK)
		return SPOOL_OK;
	pg_disconnect(sp);
	int64_t now = mono_ns();
	if (now < c->retry_at_ns)
		return spool_seterr(err, SPOOL_IO, "%s: database unreachable: next"
				    " attempt to connect in %lld ms", sp->path,
				    (long long)((c->retry_at_ns - now + 999999) / 1000000));
	int code = pg_new_conn(sp, &c->conn, err);
	if (code == SPOOL_OK) {
		c->backoff_ns = BACKOFF_FIRST_NS;
		c->retry_at_ns = 0;
		return SPOOL_OK;
	}
	c->retry_at_ns = mono_ns() + c->backoff_ns;
	c->backoff_ns = c->backoff_ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : c->backoff_ns * 2;
	return code;
}

/* ---------------------------------------------------------------- open, close */

static int sanity_txn(struct spool *sp, void *ctx, struct spool_err *err)
{
	(void)ctx;
	PGresult *r = NULL;
	int code = pg_query(sp, "SELECT count(*) FROM counter"
			    " WHERE name IN ('generation', 'at_job')", NULL, &r,
			    "check", err);
	if (code != SPOOL_OK)
		return code;
	if (PQntuples(r) != 1 || pg_int(r, 0, 0) != 2)
		code = spool_seterr(err, SPOOL_CORRUPT, "%s: check failed: the"
				    " counters are missing", sp->path);
	PQclear(r);
	return code;
}

int spool_pg_open(const char *uri, int flags, struct spool **out,
		  struct spool_err *err)
{
	*out = NULL;
	struct secrets secrets;
	char *shown = hide_password(uri, &secrets);
	if (shown == NULL)
		return spool_seterr(err, SPOOL_NOMEM, "PostgreSQL spool: out of memory");
	int code = pg_libpq_load(err);
	if (code != SPOOL_OK) {
		char msg[SPOOL_ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", err != NULL ? err->msg : "");
		code = spool_seterr(err, code, "%s: %s", shown, msg);
		free(shown);
		return code;
	}
	struct spool_pg *c = calloc(1, sizeof *c);
	if (c == NULL) {
		free(shown);
		return spool_seterr(err, SPOOL_NOMEM, "PostgreSQL spool: out of memory");
	}
	struct spool *sp = &c->base;
	sp->ops = &spool_pg_ops;
	sp->path = shown;
	sp->flags = flags;
	c->backoff_ns = BACKOFF_FIRST_NS;
	code = make_conninfo(uri, shown, &secrets, &c->conninfo, err);
	if (code == SPOOL_OK)
		code = pg_connected(sp, err);
	if (code == SPOOL_OK)
		code = pg_schema_upgrade(sp, err);
	if (code == SPOOL_OK && (flags & SPOOL_CHECK)) {
		code = pg_txn(sp, PG_READ, sanity_txn, NULL, err);
		sp->checked = true;
	}
	if (code != SPOOL_OK) {
		pg_close(sp);
		return code;
	}
	*out = sp;
	return SPOOL_OK;
}

void pg_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	pg_disconnect(sp);
	if (pg(sp)->watch != NULL)
		PQfinish(pg(sp)->watch);
	free(pg(sp)->conninfo);
	free(sp->path);
	free(pg(sp));
}
