/*
 * sql: the names of the statements the library runs (db.h). Each engine
 * has the text of every one in its own table (sql-sqlite.c): a statement
 * is added here and in every table at once.
 */
#ifndef UOMS_SQL_H
#define UOMS_SQL_H

enum uoms_sql {
	SQL_ORDER_FIND,
	SQL_ORDER_SAME_LINE,
	SQL_ORDER_INSERT,
	SQL_ORDER_UPDATE,
	SQL_ORDER_WORD,
	SQL_ORDER_WORD_SAVE,
	SQL_ORDER_DRIFT_HELD,
	SQL_ORDER_DRIFT_NOTE,
	SQL_ITEMS_FIND,
	SQL_ITEMS_DELETE,
	SQL_ITEM_INSERT,
	SQL_EVENT_INSERT,
	SQL_RECORD,
	SQL_HOLDS_JSON,
	SQL_RAW_INSERT,
	SQL_PRODUCT_FIND,
	SQL_PRODUCT_INSERT,
	SQL_PRODUCT_UPDATE,
	SQL_PRODUCT_RECORD,
	SQL_PRODUCT_COST_PUT,
	SQL_PRODUCT_COST_NOW,
	SQL_PRODUCT_LIST,
	SQL_PRODUCT_COST_LIST,
	SQL_IDEM_FIND,
	SQL_IDEM_PUT,
	SQL_IDEM_EXPIRE,
	/* run */
	SQL_RUN_SAVEPOINT,
	SQL_RUN_UNDO,
	SQL_RUN_RELEASE,
	/* status */
	SQL_STATUS_ENTER,
	SQL_COUNT
};

/* The text of statement which on SQLite. */
extern const char *const uoms_sql_sqlite[SQL_COUNT];

#endif
