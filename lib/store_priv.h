/*
 * The store's own files only (store.c, db.c, migrate.c, sql-sqlite.c):
 * the engine handles behind db.h. A module that includes this names the
 * engine; every other module uses db.h.
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
	const char *actor;
	const char *workflow;
	/* Facts that hold for a whole write transaction (nobody else can
	 * write while we hold it): -1 unknown, 0 none, 1 some. */
	int tx_any_locks, tx_any_holds;
	int tx_any_stock;		/* a tracked product (lib/stock.c) */
	int tx_any_reserved;		/* a unit reserved (lib/stock.c) */
	int tx_rules_indexed;		/* the rules' indexes (lib/rules.c) */
	struct uoms_scratch scratch;
};

/* A stored column as a value, borrowed from the statement's row. */
struct uoms_val uoms_column_val(sqlite3_stmt *st, int col);

int uoms_migration_count(void);
const char *uoms_migration_sql(int n);

#endif
