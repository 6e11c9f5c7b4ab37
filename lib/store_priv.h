/*
 * The store's own files only (store.c, migrate.c, and the modules not yet
 * moved onto db.h): the SQLite handle and the statement cache. A module
 * that includes this names the engine; new code uses db.h.
 */
#ifndef UOMS_STORE_PRIV_H
#define UOMS_STORE_PRIV_H

#include <sqlite3.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "order.h"
#include "record.h"
#include "sql.h"
#include "store.h"

struct uoms_pg;
struct uoms_pg_stmt;

#define UOMS_SQL_CACHE 128

/* A statement of the SQLite engine. */
/* A statement: SQLite's (lite) or PostgreSQL's (pg), as its store is. */
struct uoms_stmt {
	struct uoms_store *s;
	sqlite3_stmt *lite;
	struct uoms_pg_stmt *pg;
};

struct uoms_store {
	sqlite3 *db;			/* NULL on PostgreSQL */
	struct uoms_pg *pg;		/* NULL on SQLite (store-pg.c) */
	char pg_why[160];		/* a failure before PostgreSQL was asked */
	struct uoms_stmt named[SQL_COUNT];	/* prepared when first asked */
	struct {
		const char *sql;	/* a static string: its address is the key */
		sqlite3_stmt *st;
	} cache[UOMS_SQL_CACHE];
	const char *actor;
	const char *workflow;
	/* Facts that hold for a whole write transaction (nobody else can
	 * write while we hold it): -1 unknown, 0 none, 1 some. */
	int tx_any_locks, tx_any_holds;
	struct uoms_scratch scratch;
};

/* The cached statement, reset and unbound; NULL when it can't prepare. */
sqlite3_stmt *uoms_store_stmt(struct uoms_store *s, enum uoms_sql which);

/*
 * The statement for sql (a string literal: cached by its address),
 * prepared once, reset and unbound; NULL when it can't prepare.
 */
sqlite3_stmt *uoms_store_sql(struct uoms_store *s, const char *sql);

/*
 * Steps st to its end, appending column 0 of each row and a newline to
 * out; resets st. doing names the work in a failure.
 */
enum uoms_code uoms_store_lines(struct uoms_store *s, sqlite3_stmt *st,
    struct uoms_buf *out, const char *doing, struct uoms_error *e);

/* Fills e from the connection's last error: busy, or internal. */
enum uoms_code uoms_store_fail(struct uoms_store *s, struct uoms_error *e,
    const char *doing);

/* A stored column as a value, borrowed from the statement's row. */
struct uoms_val uoms_column_val(sqlite3_stmt *st, int col);
/* Binds v (copied) to parameter col of st; absent and null bind NULL. */
void uoms_bind_val(sqlite3_stmt *st, int col, const struct uoms_val *v);

int uoms_migration_count(void);
const char *uoms_migration_sql(int n);

#endif
