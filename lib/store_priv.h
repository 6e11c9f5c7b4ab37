/* Inside the library only: the SQLite handle and the statement cache. */
#ifndef UOMS_STORE_PRIV_H
#define UOMS_STORE_PRIV_H

#include <sqlite3.h>

#include "err.h"
#include "store.h"

/* Every statement the library runs, prepared once per store. */
enum uoms_sql {
	SQL_ORDER_FIND,
	SQL_ORDER_INSERT,
	SQL_ORDER_UPDATE,
	SQL_ITEMS_FIND,
	SQL_ITEMS_DELETE,
	SQL_ITEM_INSERT,
	SQL_EVENT_INSERT,
	SQL_RECORD,
	SQL_RAW_INSERT,
	SQL_PRODUCT_FIND,
	SQL_PRODUCT_INSERT,
	SQL_PRODUCT_UPDATE,
	SQL_PRODUCT_RECORD,
	SQL_COUNT
};

struct uoms_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQL_COUNT];
	const char *actor;
	const char *workflow;
	int savepoints;
};

/* The cached statement, reset and unbound; NULL when it can't prepare. */
sqlite3_stmt *uoms_store_stmt(struct uoms_store *s, enum uoms_sql which);

/* Fills e from the connection's last error: busy, or internal. */
enum uoms_code uoms_store_fail(struct uoms_store *s, struct uoms_error *e,
    const char *doing);

int uoms_migration_count(void);
const char *uoms_migration_sql(int n);

#endif
