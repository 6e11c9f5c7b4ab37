/*
 * db.h on each engine: a statement is SQLite's (lite) or PostgreSQL's
 * (pg, store-pg.c), as its store is. The text of a named statement is
 * the engine's table's (sql-sqlite.c, sql-pg.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"
#include "store_priv.h"

/* A PostgreSQL statement without its text yet says so, not "". */
static struct uoms_stmt *
no_text(struct uoms_store *s, enum uoms_sql which)
{
	snprintf(s->pg_why, sizeof s->pg_why, "statement %d has no "
	    "PostgreSQL text in this build", (int)which);
	return NULL;
}

/*
 * UOMS_EXPLAIN set: each SQLite statement, as it is prepared, has its
 * plan written to standard error, a line per step, "uoms-explain: PLAN
 * <- SQL" (t/0015 asserts no full scan where an index is meant, on the
 * tools' own statements, not copies of them). Unset, a getenv per
 * preparation: a named statement is prepared once per store.
 */
static void
explain(struct uoms_store *s, const char *sql)
{
	const char *v = getenv("UOMS_EXPLAIN");
	sqlite3_stmt *st;
	char *q;

	if (v == NULL || *v == '\0')
		return;
	if ((q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql)) == NULL)
		return;
	if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(stderr, "uoms-explain: %s <- %s\n",
			    (const char *)sqlite3_column_text(st, 3), sql);
	sqlite3_finalize(st);
	sqlite3_free(q);
}

struct uoms_stmt *
uoms_db_stmt(struct uoms_store *s, enum uoms_sql which)
{
	struct uoms_stmt *st = &s->named[which];

	if (s->pg != NULL) {
		if (uoms_sql_pg[which] == NULL)
			return no_text(s, which);
		s->pg_why[0] = '\0';
		st->s = s;
		st->pg = uoms_pg_stmt(s->pg, which, uoms_sql_pg[which]);
		return st->pg != NULL ? st : NULL;
	}
	if (st->lite != NULL) {
		sqlite3_reset(st->lite);
		sqlite3_clear_bindings(st->lite);
		return st;
	}
	if (sqlite3_prepare_v3(s->db, uoms_sql_sqlite[which], -1,
	    SQLITE_PREPARE_PERSISTENT, &st->lite, NULL) != SQLITE_OK)
		return NULL;
	explain(s, uoms_sql_sqlite[which]);
	st->s = s;
	return st;
}

struct uoms_stmt *
uoms_db_prepare(struct uoms_store *s, const char *sql)
{
	struct uoms_stmt *st = calloc(1, sizeof *st);

	if (st == NULL)
		return NULL;
	st->s = s;
	if (s->pg != NULL) {
		if ((st->pg = uoms_pg_prepare(s->pg, sql)) == NULL) {
			free(st);
			return NULL;
		}
		return st;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st->lite, NULL) != SQLITE_OK) {
		sqlite3_finalize(st->lite);
		free(st);
		return NULL;
	}
	explain(s, sql);
	return st;
}

void
uoms_db_free(struct uoms_stmt *st)
{
	if (st == NULL)
		return;
	if (st->pg != NULL)
		uoms_pg_free(st->pg);
	else
		sqlite3_finalize(st->lite);
	free(st);
}

struct uoms_stmt *
uoms_db_own(struct uoms_store *s, enum uoms_sql which)
{
	const char *text = s->pg != NULL ? uoms_sql_pg[which] :
	    uoms_sql_sqlite[which];

	return text != NULL ? uoms_db_prepare(s, text) : no_text(s, which);
}

void
uoms_db_param(struct uoms_store *s, struct uoms_buf *sql, int n)
{
	uoms_buf_printf(sql, s->pg != NULL ? "$%d" : "?%d", n);
}

void
uoms_db_json_member(struct uoms_store *s, struct uoms_buf *sql,
    const char *col, const char *member)
{
	if (s->pg != NULL)
		uoms_buf_printf(sql, "(%s::jsonb ->> '%s')", col, member);
	else
		uoms_buf_printf(sql, "json_extract(%s, '$.%s')", col, member);
}

/*
 * A prefix as an index range, not a pattern: GLOB ?1 || '*' read every
 * order on SQLite, and made '*', '?' and '[' in the prefix wildcards;
 * on PostgreSQL the same range, plain comparisons its planner takes to
 * the index in any release. The range may be wider than the prefix (hi
 * drops a non-ASCII tail, uoms_db_prefix_end), so the exact test
 * follows it, on the few rows the range reads. Both engines compare
 * text byte by byte (PostgreSQL's columns are COLLATE "C" since its
 * step 11), so the range is the same on each and orders_order_no
 * serves it.
 */
void
uoms_db_prefix_match(struct uoms_store *s, struct uoms_buf *sql,
    const char *col, int lo, int hi)
{
	if (s->pg != NULL) {
		uoms_buf_printf(sql, "%s >= $%d", col, lo);
		if (hi > 0)
			uoms_buf_printf(sql, " AND %s < $%d", col, hi);
		uoms_buf_printf(sql, " AND starts_with(%s, $%d)", col, lo);
		return;
	}
	uoms_buf_printf(sql, "%s >= ?%d", col, lo);
	if (hi > 0)
		uoms_buf_printf(sql, " AND %s < ?%d", col, hi);
	uoms_buf_printf(sql, " AND instr(%s, ?%d) = 1", col, lo);
}

char *
uoms_db_prefix_end(const char *prefix)
{
	char *hi = strdup(prefix);
	size_t n;

	if (hi == NULL)
		return NULL;
	/*
	 * The prefix with its last byte incremented: every text that starts
	 * with the prefix sorts before it, byte by byte. A last byte past
	 * ASCII is dropped first (0xFF has no next; an incremented UTF-8
	 * byte would not be UTF-8, which PostgreSQL refuses as text): the
	 * bound is then wider than the prefix, never narrower.
	 */
	n = strlen(hi);
	while (n > 0 && (unsigned char)hi[n - 1] >= 0x7f)
		n--;
	if (n > 0)
		hi[n - 1]++;
	hi[n] = '\0';
	return hi;
}

void
uoms_db_epoch(struct uoms_store *s, struct uoms_buf *sql, const char *expr)
{
	/* trunc, as unixepoch() cuts a fraction off (not floor). */
	if (s->pg != NULL)
		uoms_buf_printf(sql, "trunc(extract(epoch FROM (%s)::timestamptz))"
		    "::bigint", expr);
	else
		uoms_buf_printf(sql, "unixepoch(%s)", expr);
}

void
uoms_db_json_member_lax(struct uoms_store *s, struct uoms_buf *sql,
    const char *col, const char *member)
{
	/*
	 * PostgreSQL 15 has no json_valid(): uoms_jsonb() (migration 10) is
	 * NULL where the cast would fail, a broken object too, as SQLite's
	 * json_valid() passes it over.
	 */
	if (s->pg != NULL) {
		uoms_buf_printf(sql, "(uoms_jsonb(%s) ->> '%s')", col, member);
		return;
	}
	uoms_buf_printf(sql, "CASE WHEN json_valid(%s) THEN ", col);
	uoms_db_json_member(s, sql, col, member);
	uoms_buf_str(sql, " END");
}

void
uoms_db_no_index(struct uoms_store *s, struct uoms_buf *sql, const char *col)
{
	uoms_buf_printf(sql, s->pg != NULL ? "%s" : "+%s", col);
}

void
uoms_db_bind_int(struct uoms_stmt *st, int i, long long v)
{
	if (st->pg != NULL)
		uoms_pg_bind_int(st->pg, i, v);
	else
		sqlite3_bind_int64(st->lite, i, v);
}

void
uoms_db_bind_real(struct uoms_stmt *st, int i, double v)
{
	if (st->pg != NULL) {
		char num[40];
		int n = snprintf(num, sizeof num, "%.17g", v);

		uoms_pg_bind(st->pg, i, num, (size_t)n, 1, 0);
	} else
		sqlite3_bind_double(st->lite, i, v);
}

void
uoms_db_bind_text(struct uoms_stmt *st, int i, const char *v)
{
	if (st->pg != NULL)
		uoms_pg_bind(st->pg, i, v, v != NULL ? strlen(v) : 0, 0, 0);
	else
		sqlite3_bind_text(st->lite, i, v, -1, SQLITE_STATIC);
}

void
uoms_db_bind_textn(struct uoms_stmt *st, int i, const char *v, size_t n)
{
	/* PostgreSQL takes text up to its NUL: a length cut is copied. */
	if (st->pg != NULL)
		uoms_pg_bind(st->pg, i, v, n, 1, 0);
	else
		sqlite3_bind_text64(st->lite, i, v, n, SQLITE_STATIC,
		    SQLITE_UTF8);
}

void
uoms_db_bind_copy(struct uoms_stmt *st, int i, const char *v)
{
	if (st->pg != NULL)
		uoms_pg_bind(st->pg, i, v, v != NULL ? strlen(v) : 0, 1, 0);
	else
		sqlite3_bind_text(st->lite, i, v, -1, SQLITE_TRANSIENT);
}

void
uoms_db_bind_blob(struct uoms_stmt *st, int i, const void *p, size_t n)
{
	if (st->pg != NULL)
		uoms_pg_bind(st->pg, i, p, n, 0, 1);
	else
		sqlite3_bind_blob64(st->lite, i, p, n, SQLITE_STATIC);
}

void
uoms_db_bind_null(struct uoms_stmt *st, int i)
{
	if (st->pg != NULL)
		uoms_pg_bind(st->pg, i, NULL, 0, 0, 0);
	else
		sqlite3_bind_null(st->lite, i);
}

void
uoms_db_bind_val(struct uoms_stmt *st, int i, const struct uoms_val *v)
{
	switch (v->type) {
	case UOMS_V_TEXT:
		if (st->pg != NULL)
			uoms_pg_bind(st->pg, i, v->s, v->n, 1, 0);
		else
			sqlite3_bind_text(st->lite, i, v->s, v->n,
			    SQLITE_TRANSIENT);
		break;
	case UOMS_V_INT:
		uoms_db_bind_int(st, i, v->i);
		break;
	default:
		uoms_db_bind_null(st, i);
	}
}

enum uoms_db_step
uoms_db_step(struct uoms_stmt *st)
{
	if (st->pg != NULL) {
		int r = uoms_pg_step(st->pg);

		return r > 0 ? UOMS_DB_ROW : r == 0 ? UOMS_DB_DONE :
		    UOMS_DB_ERROR;
	}
	switch (sqlite3_step(st->lite)) {
	case SQLITE_ROW:
		return UOMS_DB_ROW;
	case SQLITE_DONE:
		return UOMS_DB_DONE;
	}
	return UOMS_DB_ERROR;
}

int
uoms_db_is_null(struct uoms_stmt *st, int col)
{
	if (st->pg != NULL)
		return uoms_pg_is_null(st->pg, col);
	return sqlite3_column_type(st->lite, col) == SQLITE_NULL;
}

long long
uoms_db_int(struct uoms_stmt *st, int col)
{
	const char *t;

	if (st->pg == NULL)
		return sqlite3_column_int64(st->lite, col);
	/* A boolean (EXISTS, a comparison) reads as 1 or 0, as in SQLite. */
	t = uoms_pg_text(st->pg, col);
	return t == NULL ? 0 : t[0] == 't' ? 1 : t[0] == 'f' ? 0 :
	    strtoll(t, NULL, 10);
}

double
uoms_db_real(struct uoms_stmt *st, int col)
{
	const char *t;

	if (st->pg == NULL)
		return sqlite3_column_double(st->lite, col);
	t = uoms_pg_text(st->pg, col);
	return t != NULL ? strtod(t, NULL) : 0;
}

const char *
uoms_db_text(struct uoms_stmt *st, int col)
{
	if (st->pg != NULL)
		return uoms_pg_text(st->pg, col);
	return (const char *)sqlite3_column_text(st->lite, col);
}

const void *
uoms_db_blob(struct uoms_stmt *st, int col)
{
	size_t n;

	if (st->pg != NULL)
		return uoms_pg_blob(st->pg, col, &n);
	return sqlite3_column_blob(st->lite, col);
}

size_t
uoms_db_bytes(struct uoms_stmt *st, int col)
{
	if (st->pg != NULL)
		return uoms_pg_bytes(st->pg, col);
	return (size_t)sqlite3_column_bytes(st->lite, col);
}

struct uoms_val
uoms_db_val(struct uoms_stmt *st, int col)
{
	struct uoms_val v = { .type = UOMS_V_NULL };

	if (st->pg == NULL)
		return uoms_column_val(st->lite, col);
	if (uoms_pg_is_null(st->pg, col))
		return v;
	if (uoms_pg_is_int(st->pg, col)) {
		v.type = UOMS_V_INT;
		v.i = uoms_db_int(st, col);
	} else {
		v.type = UOMS_V_TEXT;
		v.s = uoms_pg_text(st->pg, col);
		v.n = uoms_pg_bytes(st->pg, col);
	}
	return v;
}

enum uoms_db_type
uoms_db_type(struct uoms_stmt *st, int col)
{
	if (st->pg != NULL) {
		if (uoms_pg_is_null(st->pg, col))
			return UOMS_DB_NULL;
		switch (uoms_pg_type(st->pg, col)) {
		case 'i': return UOMS_DB_INT;
		case 'r': return UOMS_DB_REAL;
		case 'b': return UOMS_DB_BLOB;
		}
		return UOMS_DB_TEXT;
	}
	switch (sqlite3_column_type(st->lite, col)) {
	case SQLITE_INTEGER: return UOMS_DB_INT;
	case SQLITE_FLOAT: return UOMS_DB_REAL;
	case SQLITE_TEXT: return UOMS_DB_TEXT;
	case SQLITE_BLOB: return UOMS_DB_BLOB;
	}
	return UOMS_DB_NULL;
}

int
uoms_db_columns(struct uoms_stmt *st)
{
	if (st->pg != NULL)
		return uoms_pg_columns(st->pg);
	return sqlite3_column_count(st->lite);
}

const char *
uoms_db_column_name(struct uoms_stmt *st, int col)
{
	if (st->pg != NULL)
		return uoms_pg_column_name(st->pg, col);
	return sqlite3_column_name(st->lite, col);
}

static const char *const tables[] = {
	"orders", "order_items", "products", "product_costs", "events",
	"holds", "raw_payloads", "users", "locks", "idempotency", "remarks",
	"remark_revisions", "channels", "channel_secrets", "rejects",
	"channel_watermarks", "channel_words", "channel_drifts",
	"channel_holds", "pushes", "refresh_tokens", "login_failures",
	"notify_targets", "notify_log", "alerts", "channel_fetches",
	"stock_reservations", "order_renderings",
	NULL
};

const char *const *
uoms_store_tables(void)
{
	return tables;
}

enum uoms_code
uoms_db_ids_follow(struct uoms_store *s, const char *table,
    struct uoms_error *e)
{
	struct uoms_buf sql = { 0 };
	struct uoms_stmt *st;
	enum uoms_code code;

	static const char *const with_ids[] = { "orders", "events", "holds",
	    "raw_payloads", "remarks", "rejects", NULL };
	int i = 0;

	while (with_ids[i] != NULL && strcmp(with_ids[i], table) != 0)
		i++;
	/* SQLite gives the largest rowid + 1 by itself. */
	if (s->pg == NULL || with_ids[i] == NULL)
		return UOMS_OK;
	uoms_buf_printf(&sql, "SELECT setval(pg_get_serial_sequence('%s',"
	    " 'id'), coalesce(max(id), 0) + 1, false) FROM %s", table, table);
	st = uoms_db_prepare(s, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return uoms_db_fail(s, e, "setting where ids go on");
	code = uoms_db_exec(s, st, "setting where ids go on", e);
	uoms_db_free(st);
	return code;
}

void
uoms_db_done(struct uoms_stmt *st)
{
	if (st->pg != NULL)
		uoms_pg_done(st->pg);
	else
		sqlite3_reset(st->lite);
}

enum uoms_code
uoms_db_exec(struct uoms_store *s, struct uoms_stmt *st, const char *doing,
    struct uoms_error *e)
{
	enum uoms_db_step r;

	while ((r = uoms_db_step(st)) == UOMS_DB_ROW)
		;
	if (r == UOMS_DB_ERROR) {
		enum uoms_code code = uoms_db_fail(s, e, doing);

		uoms_db_done(st);
		return code;
	}
	uoms_db_done(st);
	return UOMS_OK;
}

enum uoms_code
uoms_db_lines(struct uoms_store *s, struct uoms_stmt *st, struct uoms_buf *out,
    const char *doing, struct uoms_error *e)
{
	enum uoms_db_step r;

	while ((r = uoms_db_step(st)) == UOMS_DB_ROW) {
		uoms_buf_add(out, uoms_db_text(st, 0), uoms_db_bytes(st, 0));
		uoms_buf_add(out, "\n", 1);
	}
	if (r == UOMS_DB_ERROR) {
		enum uoms_code code = uoms_db_fail(s, e, doing);

		uoms_db_done(st);
		return code;
	}
	uoms_db_done(st);
	return UOMS_OK;
}

long long
uoms_db_changes(struct uoms_store *s)
{
	if (s->pg != NULL)
		return uoms_pg_changes(s->pg);
	return sqlite3_changes64(s->db);
}

void
uoms_db_later(struct uoms_store *s)
{
	if (s->pg != NULL)
		uoms_pg_later(s->pg);
}

int
uoms_db_flush(struct uoms_store *s, enum uoms_sql *which)
{
	int n = -1, rc = s->pg != NULL ? uoms_pg_flush(s->pg, &n) : 0;

	*which = n >= 0 && n < SQL_COUNT ? (enum uoms_sql)n : SQL_COUNT;
	return rc;
}

int
uoms_db_remote(struct uoms_store *s)
{
	return s->pg != NULL;
}

long long
uoms_db_tx(struct uoms_store *s)
{
	return s->pg != NULL ? uoms_pg_xid(s->pg) : 0;
}

void
uoms_db_defer(struct uoms_store *s, long tag)
{
	if (s->pg != NULL)
		uoms_pg_defer(s->pg, tag);
}

long
uoms_db_late(struct uoms_store *s)
{
	return s->pg != NULL ? uoms_pg_late(s->pg) : 0;
}

int
uoms_db_refused(struct uoms_store *s)
{
	/* SQLSTATE class 23: integrity constraint violation. */
	if (s->pg != NULL)
		return strncmp(uoms_pg_sqlstate(s->pg), "23", 2) == 0;
	return (sqlite3_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT;
}

const char *
uoms_store_actor(const struct uoms_store *s)
{
	return s->actor;
}

const char *
uoms_store_workflow(const struct uoms_store *s)
{
	return s->workflow;
}

int
uoms_db_retryable(struct uoms_store *s)
{
	return s->pg != NULL && uoms_pg_retryable(s->pg);
}

/*
 * PostgreSQL may give up on a transaction that did nothing wrong (a
 * serialization failure, a deadlock) or lose its connection under it:
 * rolled back, it is run again whole, as lib/run.c runs a batch again,
 * while the store says a new try may pass (uoms_db_retryable), at most
 * TX_RETRIES times. Never twice stored: a COMMIT whose answer was lost
 * is asked about first (uoms_store_commit), and one that may have been
 * stored is not retryable. A BEGIN that fails is not tried again: it
 * has already made a lost connection again if it could.
 */
#define TX_RETRIES 5

static enum uoms_code
transact_once(struct uoms_store *s, enum uoms_code (*fn)(struct uoms_store *s,
    void *arg, struct uoms_error *e), void *arg, struct uoms_error *e)
{
	enum uoms_code code;

	if ((code = fn(s, arg, e)) != UOMS_OK) {
		uoms_store_rollback(s);
		return code;
	}
	return uoms_store_commit(s, e);
}

enum uoms_code
uoms_db_transact(struct uoms_store *s, enum uoms_code (*fn)(
    struct uoms_store *s, void *arg, struct uoms_error *e), void *arg,
    struct uoms_error *e)
{
	enum uoms_code code;

	for (int retries = 0; ; retries++) {
		if ((code = uoms_store_begin(s, e)) != UOMS_OK)
			return code;
		code = transact_once(s, fn, arg, e);
		/* A refusal is fn's answer, whatever failed before it. */
		if ((code != UOMS_BUSY && code != UOMS_INTERNAL) ||
		    retries == TX_RETRIES || !uoms_db_retryable(s))
			return code;
		memset(e, 0, sizeof *e);
	}
}

int
uoms_db_wait_events(struct uoms_store *s, int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };

	/* SQLite has no way to be told: a look every 150 ms. */
	if (s->pg != NULL)
		return uoms_pg_wait(s->pg, "uoms_events", fd, 5000);
	if (poll(&p, 1, 150) < 0)
		return errno == EINTR ? 0 : -1;
	return (p.revents & (POLLERR | POLLHUP)) != 0;
}

int
uoms_store_in_tx(struct uoms_store *s)
{
	if (s->pg != NULL)
		return uoms_pg_in_tx(s->pg);
	return !sqlite3_get_autocommit(s->db);
}

int *
uoms_store_any_locks(struct uoms_store *s)
{
	return &s->tx_any_locks;
}

void
uoms_store_hold_placed(struct uoms_store *s)
{
	s->tx_any_holds = 1;
}

int *
uoms_store_any_holds(struct uoms_store *s)
{
	return &s->tx_any_holds;
}

int *
uoms_store_any_stock(struct uoms_store *s)
{
	return &s->tx_any_stock;
}

int *
uoms_store_any_reserved(struct uoms_store *s)
{
	return &s->tx_any_reserved;
}

int *
uoms_store_rules_indexed(struct uoms_store *s)
{
	return &s->tx_rules_indexed;
}

struct uoms_scratch *
uoms_store_scratch(struct uoms_store *s)
{
	return &s->scratch;
}
