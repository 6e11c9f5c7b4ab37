/*
 * db: the statements the domain modules run on the store, whatever its
 * engine. A module names a statement (enum uoms_sql, sql.h), binds its
 * parameters by number (1-based, as the SQL numbers them), steps it and
 * reads the row's columns (0-based). The text of every named statement
 * lives in one table per engine (sql-sqlite.c), so only the store's own
 * files name the engine; a module never sees an engine handle.
 *
 * Text bound with uoms_db_bind_text is borrowed: it must live until the
 * use ends (uoms_db_done); uoms_db_bind_copy copies it. A column read is
 * borrowed until the next step or uoms_db_done. A named statement is prepared once per store and handed
 * out reset and unbound: a module ends its use with uoms_db_done (or by
 * stepping it to its end), never frees it.
 */
#ifndef UOMS_DB_H
#define UOMS_DB_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "order.h"
#include "sql.h"
#include "store.h"

struct uoms_stmt;

enum uoms_db_step {
	UOMS_DB_ERROR = -1,	/* uoms_db_fail says why */
	UOMS_DB_DONE = 0,	/* no (more) rows: the statement ran */
	UOMS_DB_ROW = 1		/* a row to read */
};

/* Named statement which, ready to bind; NULL when it can't prepare. */
struct uoms_stmt *uoms_db_stmt(struct uoms_store *s, enum uoms_sql which);

void uoms_db_bind_int(struct uoms_stmt *st, int i, long long v);
void uoms_db_bind_real(struct uoms_stmt *st, int i, double v);
/* NULL binds SQL NULL. Borrowed until uoms_db_done. */
void uoms_db_bind_text(struct uoms_stmt *st, int i, const char *v);
void uoms_db_bind_textn(struct uoms_stmt *st, int i, const char *v,
    size_t n);
/* The same, copied: v may go before the statement runs. */
void uoms_db_bind_copy(struct uoms_stmt *st, int i, const char *v);
void uoms_db_bind_null(struct uoms_stmt *st, int i);
/* Bytes (a digest, a sealed secret), borrowed until uoms_db_done. */
void uoms_db_bind_blob(struct uoms_stmt *st, int i, const void *p, size_t n);
/* Absent and null values bind NULL; text is copied. */
void uoms_db_bind_val(struct uoms_stmt *st, int i, const struct uoms_val *v);

enum uoms_db_step uoms_db_step(struct uoms_stmt *st);

int uoms_db_is_null(struct uoms_stmt *st, int col);
long long uoms_db_int(struct uoms_stmt *st, int col);
double uoms_db_real(struct uoms_stmt *st, int col);
/* NULL for SQL NULL. */
const char *uoms_db_text(struct uoms_stmt *st, int col);
/* Bytes of a blob column, NULL for NULL (or empty). */
const void *uoms_db_blob(struct uoms_stmt *st, int col);
/* The length in bytes of a text or blob column (0 for NULL). */
size_t uoms_db_bytes(struct uoms_stmt *st, int col);
/* The column as a value: text, integer, or null. */
struct uoms_val uoms_db_val(struct uoms_stmt *st, int col);

/* What a column holds in the current row. */
enum uoms_db_type {
	UOMS_DB_NULL, UOMS_DB_INT, UOMS_DB_REAL, UOMS_DB_TEXT, UOMS_DB_BLOB
};
enum uoms_db_type uoms_db_type(struct uoms_stmt *st, int col);
/* The statement's columns and their names (after its first step). */
int uoms_db_columns(struct uoms_stmt *st);
const char *uoms_db_column_name(struct uoms_stmt *st, int col);

/* Ends a use of st: rows not read are dropped, the statement is kept. */
void uoms_db_done(struct uoms_stmt *st);

/*
 * Runs st (bound) to its end and ends the use: UOMS_OK, or the store's
 * failure with doing in its message.
 */
enum uoms_code uoms_db_exec(struct uoms_store *s, struct uoms_stmt *st,
    const char *doing, struct uoms_error *e);
/*
 * Steps st to its end, appending column 0 of each row and a newline to
 * out; ends the use. doing names the work in a failure.
 */
enum uoms_code uoms_db_lines(struct uoms_store *s, struct uoms_stmt *st,
    struct uoms_buf *out, const char *doing, struct uoms_error *e);

/*
 * A window in which the store may send writes without waiting for each
 * (PostgreSQL's pipeline mode: a round trip for the lot, not one each):
 * from uoms_db_later on, an INSERT, UPDATE or DELETE without RETURNING
 * stepped inside a transaction says UOMS_DB_DONE at once, its changes
 * unknown, and its failure is uoms_db_flush's, which waits for them and
 * closes the window, even when a statement whose rows are read (which
 * waits for those before it, on PostgreSQL in the same round trip) came
 * upon it first and failed with it. On SQLite every step runs at once. A window is
 * closed by the same function that opened it.
 */
void uoms_db_later(struct uoms_store *s);
/* 0, or -1 with which the statement that failed (SQL_COUNT: none
 * named), for uoms_db_fail with what it was doing. */
int uoms_db_flush(struct uoms_store *s, enum uoms_sql *which);
/*
 * A batch of inputs may leave each input's window unawaited: tag (not 0)
 * names the input whose writes are sent from now on, 0 ends it (each
 * window awaited at its flush again). A write that then fails shows at
 * a later statement, a later input's or the commit, which fail with it;
 * uoms_db_late says which input's it was (0: none, the failure is that
 * statement's own). Nothing is deferred on SQLite.
 */
void uoms_db_defer(struct uoms_store *s, long tag);
long uoms_db_late(struct uoms_store *s);

/* Whether each statement that waits costs a round trip to a server
 * (PostgreSQL): a lookup then is better asked with another. */
int uoms_db_remote(struct uoms_store *s);

/*
 * The open transaction, as a number no other transaction of the store
 * has had (PostgreSQL's transaction id): what a lookup learnt holds for
 * that one alone, as another writer may come between two. 0 outside a
 * transaction, and always on SQLite (no lookup is asked ahead there).
 */
long long uoms_db_tx(struct uoms_store *s);

/* Rows the last INSERT, UPDATE or DELETE changed. */
long long uoms_db_changes(struct uoms_store *s);

/*
 * Whether the store's last failure refused a value (a NOT NULL, CHECK or
 * UNIQUE constraint): the input is at fault, not the store.
 */
int uoms_db_refused(struct uoms_store *s);

/* Fills e from the store's last error (busy, full disk, ...): doing says
 * what was being done. */
enum uoms_code uoms_db_fail(struct uoms_store *s, struct uoms_error *e,
    const char *doing);

/*
 * Text built at run time (a query's filters, a report's grouping):
 * prepared for one use, freed with uoms_db_free. Parameters are written
 * with uoms_db_param so the text suits the engine. NULL when it can't
 * prepare.
 */
struct uoms_stmt *uoms_db_prepare(struct uoms_store *s, const char *sql);
void uoms_db_free(struct uoms_stmt *st);
/*
 * Named statement which, prepared for one use alone: a cursor that stays
 * open while the store runs other statements (the same one, even) takes
 * its own. Freed with uoms_db_free; NULL when it can't prepare.
 */
struct uoms_stmt *uoms_db_own(struct uoms_store *s, enum uoms_sql which);
/* Appends the placeholder of parameter n (1-based) to sql. */
void uoms_db_param(struct uoms_store *s, struct uoms_buf *sql, int n);
/* Appends the engine's expression for member (a plain name) of JSON
 * column col, as text or number: NULL when absent. */
void uoms_db_json_member(struct uoms_store *s, struct uoms_buf *sql,
    const char *col, const char *member);
/* Appends a condition true when col starts with the text of parameter
 * lo (case-sensitive, every character literal), as a range of col's
 * index: col >= lo, and col < hi when hi > 0 (parameter hi: the bound
 * uoms_db_prefix_end makes of lo). */
void uoms_db_prefix_match(struct uoms_store *s, struct uoms_buf *sql,
    const char *col, int lo, int hi);
/* The exclusive upper bound of the texts that start with prefix, in a
 * new string (free it), "" when there is none (every text after prefix
 * starts with it); NULL when out of memory. */
char *uoms_db_prefix_end(const char *prefix);
/* Appends the engine's expression for the Unix seconds (an integer, the
 * fraction cut off) of the stored UTC time in expr: NULL stays NULL. */
void uoms_db_epoch(struct uoms_store *s, struct uoms_buf *sql,
    const char *expr);
/* As uoms_db_json_member, and NULL as well where col's text is not a
 * JSON object (a store edited by hand): never an error that stops a
 * read of every row. */
void uoms_db_json_member_lax(struct uoms_store *s, struct uoms_buf *sql,
    const char *col, const char *member);
/* Appends col as an operand the engine finds no index for (SQLite's
 * unary +): for a condition where a scan reads less than the index. */
void uoms_db_no_index(struct uoms_store *s, struct uoms_buf *sql,
    const char *col);

/*
 * Appends an event (SPEC 4) by the store's actor at now; order_id 0 for
 * none; from, to and details (a JSON object) may be NULL.
 */
enum uoms_code uoms_event_append(struct uoms_store *s, long long order_id,
    const char *type, const char *from, const char *to, long long version,
    const char *details, const char *now, struct uoms_error *e);
/* The same by another actor than the store's (e.g. "channel:coupang"). */
enum uoms_code uoms_event_append_as(struct uoms_store *s, const char *actor,
    long long order_id, const char *type, const char *from, const char *to,
    long long version, const char *details, const char *now,
    struct uoms_error *e);

/*
 * Whether the transaction that just failed may be run again whole (after
 * uoms_store_rollback, from uoms_store_begin on): PostgreSQL's
 * serialization failures and deadlocks, and a lost connection whose
 * transaction surely was not stored. 0 on SQLite, whose busy_timeout
 * has already waited.
 */
int uoms_db_retryable(struct uoms_store *s);

/*
 * Runs fn in one transaction of s: begins it, runs fn, commits when fn
 * returns UOMS_OK and rolls back when it does not, so a refusal leaves
 * the store as it was. A transaction the store gave up on and that may
 * be run again (uoms_db_retryable) is rolled back and run again, fn
 * with it, up to 5 times more; one whose COMMIT may have been stored is
 * not. So fn may run more than once: each run must start from what arg
 * held before the first (what it appends to a buffer, it clears first).
 * Returns fn's code, or that of a begin or commit that failed, with e
 * filled.
 */
enum uoms_code uoms_db_transact(struct uoms_store *s,
    enum uoms_code (*fn)(struct uoms_store *s, void *arg,
    struct uoms_error *e), void *arg, struct uoms_error *e);

/*
 * Waits until events may have been added to the log or fd hangs up (1).
 * On PostgreSQL a notification wakes it (5 s at most, in case one
 * is missed), on SQLite 150 ms pass: 0 either way, -1 when it can't wait.
 */
int uoms_db_wait_events(struct uoms_store *s, int fd);

/* Nonzero inside a transaction (uoms_store_begin). */
int uoms_store_in_tx(struct uoms_store *s);

/*
 * The store's tables, parents before children (a copy fills them in
 * this order), NULL-terminated. Static.
 */
const char *const *uoms_store_tables(void);
/* After rows were written with their ids (a copy): ids given from now
 * on follow the largest in table's id column (if it has one). */
enum uoms_code uoms_db_ids_follow(struct uoms_store *s, const char *table,
    struct uoms_error *e);

/* The actor events are recorded under (store.h sets it). */
const char *uoms_store_actor(const struct uoms_store *s);
/* The default workflow of new orders (store.h sets it). */
const char *uoms_store_workflow(const struct uoms_store *s);

/*
 * Facts that hold for the whole of the open write transaction (nobody
 * else writes while it is open), kept to skip reads: -1 unknown, 0 none,
 * 1 some. uoms_store_begin makes them all unknown. any_stock: whether a
 * product has a stock (is tracked, lib/stock.h); a product written in
 * the transaction makes it unknown again (lib/catalog.c). any_reserved:
 * whether a unit is reserved (a product's reserved above 0), so that a
 * move that ships or cancels an order settles its reservations.
 */
int *uoms_store_any_locks(struct uoms_store *s);
int *uoms_store_any_holds(struct uoms_store *s);
int *uoms_store_any_stock(struct uoms_store *s);
int *uoms_store_any_reserved(struct uoms_store *s);
/* Whether the open transaction made sure of the intake rules' indexes
 * (lib/rules.c): 0 until it did; uoms_store_begin makes it 0. */
int *uoms_store_rules_indexed(struct uoms_store *s);

/* Scratch for reading records back (record.c): the items of one order. */
struct uoms_scratch {
	struct uoms_arena arena;
	struct uoms_item *items;
	int items_cap;
};
struct uoms_scratch *uoms_store_scratch(struct uoms_store *s);

/*
 * A hold was placed in the open write transaction. The store remembers,
 * per transaction, whether any hold exists (none spares each change a
 * look-up): from now on it knows there are some.
 */
void uoms_store_hold_placed(struct uoms_store *s);

#endif
