/*
 * The PostgreSQL engine of the store (store-pg.c), for store.c only: a
 * connection, its schema, and statements run through libpq. store.c
 * hands every db.h call on a PostgreSQL store to these.
 */
#ifndef UOMS_STORE_PG_H
#define UOMS_STORE_PG_H

#include <stddef.h>

#include "sql.h"

struct uoms_pg;
struct uoms_pg_stmt;

/* Nonzero when path names a PostgreSQL store (a postgresql:// URL). */
int uoms_pg_is_url(const char *path);

/*
 * Connects to the database at url and brings its schema to this build's
 * (migrate: a tool that writes), or checks it is there (a reader). A
 * writer waits busy_ms for another to finish before it fails.
 * NULL with why filled (the URL's password never in it).
 */
struct uoms_pg *uoms_pg_open(const char *url, int migrate, long long busy_ms,
    char *why, size_t whylen);
void uoms_pg_close(struct uoms_pg *pg);

/*
 * Begins a write transaction: one writer at a time, as on SQLite. A
 * connection lost since the last transaction is made again first (the
 * same URL and session), trying for as long as the busy timeout.
 */
int uoms_pg_begin(struct uoms_pg *pg);
/*
 * Commits; -1 when it did not. A COMMIT whose answer was lost with the
 * connection is resolved on a new one (txid_status): 0 if it was done,
 * -1 with SQLSTATE 08006 if not (the caller may run it again), -1 with
 * 08007 when nobody can tell (the caller must not).
 */
int uoms_pg_commit(struct uoms_pg *pg);
/* Rolls back what is open, keeping the failure that made the caller. */
void uoms_pg_rollback(struct uoms_pg *pg);
/* Whether the last failure lost the connection (or the server shut
 * down under it). */
int uoms_pg_lost(struct uoms_pg *pg);
/*
 * Whether a whole transaction that failed so may be run again: a
 * serialization failure, a deadlock, a lost connection whose
 * transaction surely was not stored.
 */
int uoms_pg_retryable(struct uoms_pg *pg);
/*
 * Waits at most ms for a notification on channel (LISTENed on first
 * use, and again on each new connection) or for fd to hang up (1).
 * 0 when woken or timed out, -1 when poll fails.
 */
int uoms_pg_wait(struct uoms_pg *pg, const char *channel, int fd, int ms);
/* Runs a command without rows (BEGIN, COMMIT); -1 on failure. */
int uoms_pg_exec(struct uoms_pg *pg, const char *sql);
/* Nonzero inside a transaction. */
int uoms_pg_in_tx(struct uoms_pg *pg);
/* The last failure: its words and its SQLSTATE ("" when none). */
const char *uoms_pg_error(struct uoms_pg *pg);
const char *uoms_pg_sqlstate(struct uoms_pg *pg);
/* Rows the last INSERT, UPDATE or DELETE changed. */
long long uoms_pg_changes(struct uoms_pg *pg);

/* Named statement which (text its SQL), prepared on first use. */
struct uoms_pg_stmt *uoms_pg_stmt(struct uoms_pg *pg, enum uoms_sql which,
    const char *text);
/* A statement for one use (uoms_pg_free). */
struct uoms_pg_stmt *uoms_pg_prepare(struct uoms_pg *pg, const char *text);
void uoms_pg_free(struct uoms_pg_stmt *st);

/*
 * Binds parameter i (1-based): v of n bytes, or NULL. copy: v may go
 * before the statement runs. binary: bytes (bytea), not text.
 */
void uoms_pg_bind(struct uoms_pg_stmt *st, int i, const char *v, size_t n,
    int copy, int binary);
void uoms_pg_bind_int(struct uoms_pg_stmt *st, int i, long long v);

/*
 * Until uoms_pg_flush, a write that returns no rows (INSERT, UPDATE or
 * DELETE without RETURNING) stepped inside a transaction is sent without
 * waiting for its result (libpq's pipeline mode): its step says 0 at
 * once and its failure is uoms_pg_flush's. Any other statement waits
 * for those sent before it, sent with them (one round trip) when it is
 * prepared on this connection or of one use and not read by a cursor. A
 * write of the window that such a statement finds failed fails it, and
 * every statement after, until the flush tells which it was. Without
 * pipeline mode (libpq before 14), each waits as always.
 */
void uoms_pg_later(struct uoms_pg *pg);
/* Waits for what was sent: 0, or -1 with the first failure kept and
 * which the named statement that failed (-1: none, or one of one use). */
int uoms_pg_flush(struct uoms_pg *pg, int *which);
/*
 * A batch's inputs: tag (not 0) names the input sending from now on.
 * Then uoms_pg_flush closes the window without waiting: its writes are
 * awaited with the next statement, which a read rides along with (one
 * round trip), or at the commit, and a failure among them is that
 * statement's, uoms_pg_late naming the input whose write it was (0: a
 * failure of another kind). A failure found before the input's flush is
 * still its flush's, as without a tag. 0 awaits each input's at its
 * flush again.
 */
void uoms_pg_defer(struct uoms_pg *pg, long tag);
long uoms_pg_late(struct uoms_pg *pg);

/* 1 a row, 0 no more, -1 failed (uoms_pg_error). */
int uoms_pg_step(struct uoms_pg_stmt *st);
int uoms_pg_is_null(struct uoms_pg_stmt *st, int col);
int uoms_pg_is_int(struct uoms_pg_stmt *st, int col);
/* 'i' integer, 'r' real, 'b' bytes, 't' anything else (read as text). */
int uoms_pg_type(struct uoms_pg_stmt *st, int col);
int uoms_pg_columns(struct uoms_pg_stmt *st);
const char *uoms_pg_column_name(struct uoms_pg_stmt *st, int col);
const char *uoms_pg_text(struct uoms_pg_stmt *st, int col);
size_t uoms_pg_bytes(struct uoms_pg_stmt *st, int col);
const void *uoms_pg_blob(struct uoms_pg_stmt *st, int col, size_t *n);
void uoms_pg_done(struct uoms_pg_stmt *st);

/* The number of the schema's migrations, and the text of migration n. */
int uoms_pg_migration_count(void);
const char *uoms_pg_migration_sql(int n);

#endif
