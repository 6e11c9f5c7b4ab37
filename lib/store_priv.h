/* Inside the library only: the SQLite handle and the statement cache. */
#ifndef UOMS_STORE_PRIV_H
#define UOMS_STORE_PRIV_H

#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "store.h"

/* Every statement the library runs, prepared once per store. */
enum uoms_sql {
	SQL_ORDER_FIND,
	SQL_ORDER_SAME_LINE,
	SQL_ORDER_LINE,
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

#define UOMS_SQL_CACHE 64

struct uoms_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQL_COUNT];
	struct {
		const char *sql;	/* a static string: its address is the key */
		sqlite3_stmt *st;
	} cache[UOMS_SQL_CACHE];
	const char *actor;
	const char *workflow;
};

/* The cached statement, reset and unbound; NULL when it can't prepare. */
sqlite3_stmt *uoms_store_stmt(struct uoms_store *s, enum uoms_sql which);

/*
 * The statement for sql (a string literal: cached by its address),
 * prepared once, reset and unbound; NULL when it can't prepare.
 */
sqlite3_stmt *uoms_store_sql(struct uoms_store *s, const char *sql);

/*
 * Appends an event (SPEC 4) by the store's actor at now; order_id 0 for
 * none; from, to and details (a JSON object) may be NULL.
 */
enum uoms_code uoms_event_append(struct uoms_store *s, long long order_id,
    const char *type, const char *from, const char *to, long long version,
    const char *details, const char *now, struct uoms_error *e);

/* Fills e from the connection's last error: busy, or internal. */
enum uoms_code uoms_store_fail(struct uoms_store *s, struct uoms_error *e,
    const char *doing);

/* Items come out in the order they came in; their unknown members follow
 * the known ones, as the order's do. */
#define ITEMS_JSON "(SELECT json_group_array(json(CASE WHEN x IS NULL" \
	" THEN j ELSE substr(j, 1, length(j) - 1) || ',' || substr(x, 2) END))" \
	" FROM (SELECT json_object('external_item_id', external_item_id," \
	" 'sku', sku, 'name', name, 'quantity', quantity," \
	" 'unit_price', unit_price) AS j, extra AS x FROM order_items" \
	" WHERE order_id = o.id ORDER BY seq))"

#define HOLDS_JSON "(SELECT json_group_array(json_object('id', h.id," \
	" 'reason', h.reason, 'note', h.note, 'state', h.state," \
	" 'placed_by', h.placed_by, 'placed_at', h.placed_at))" \
	" FROM holds h WHERE h.order_id = o.id AND h.state <> 'resolved')"

/* The order record of SPEC 3.1 and its unknown members, over "orders o". */
#define UOMS_RECORD_COLUMNS "json_object('id', o.id, 'channel', o.channel,"\
	    " 'external_order_id', o.external_order_id, 'order_no', o.order_no,"\
	    " 'kind', o.kind, 'workflow', o.workflow, 'status', o.status,"\
	    " 'version', o.version, 'department', o.department,"\
	    " 'warehouse', o.warehouse, 'customer', json(o.customer),"\
	    " 'shipping', json(o.shipping), 'eta', o.eta,"\
	    " 'driver', json(o.driver), 'placed_at', o.placed_at,"\
	    " 'channel_updated_at', o.channel_updated_at,"\
	    " 'depart_time', o.depart_time, 'complete_time', o.complete_time,"\
	    " 'total_amount', o.total_amount, 'currency', o.currency,"\
	    " 'items', " ITEMS_JSON ", 'holds', " HOLDS_JSON ","\
	    " 'created_at', o.created_at, 'updated_at', o.updated_at),"\
	    " o.extra"

/* Appends the record in columns col (json) and col + 1 (extra) of st. */
int uoms_record_add(struct uoms_buf *out, sqlite3_stmt *st, int col);

int uoms_migration_count(void);
const char *uoms_migration_sql(int n);

#endif
