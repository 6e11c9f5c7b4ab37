/*
 * The text of every named statement (sql.h) on SQLite. Parameters are
 * ?N, numbered as db.h binds them.
 */
#include "sql.h"
#include "store_priv.h"

#define ORDER_COLUMNS "channel, external_order_id, order_no, kind, workflow," \
	" status, department, warehouse, customer, shipping, eta, driver," \
	" placed_at, channel_updated_at, depart_time, complete_time," \
	" total_amount, currency, shipment"

#define PRODUCT_COLUMNS "channel, sku, name, category, price, cost," \
	" currency, stock"
#define PRODUCT_JSON "json_object('channel', channel, 'sku', sku," \
	" 'name', name, 'category', category, 'price', price, 'cost', cost," \
	" 'currency', currency, 'stock', stock, 'version', version," \
	" 'created_at', created_at, 'updated_at', updated_at)"

const char *const uoms_sql_sqlite[SQL_COUNT] = {
	[SQL_ORDER_FIND] = "SELECT id, version, " ORDER_COLUMNS ", extra"
	    " FROM orders WHERE channel = ?1 AND external_order_id = ?2",
	[SQL_ORDER_SAME_LINE] = "SELECT id FROM orders"
	    " WHERE line_hash = ?1 AND line_version = version",
	[SQL_ORDER_INSERT] = "INSERT INTO orders (" ORDER_COLUMNS ", extra,"
	    " version, created_at, updated_at, line_hash, line_version)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, 1, ?21, ?21, ?22,"
	    " CASE WHEN ?22 IS NOT NULL THEN 1 END) RETURNING id",
	[SQL_ORDER_UPDATE] = "UPDATE orders SET order_no = ?3, kind = ?4,"
	    " workflow = ?5, status = ?6, department = ?7, warehouse = ?8,"
	    " customer = ?9, shipping = ?10, eta = ?11, driver = ?12,"
	    " placed_at = ?13, channel_updated_at = ?14, depart_time = ?15,"
	    " complete_time = ?16, total_amount = ?17, currency = ?18,"
	    " shipment = ?19, extra = ?20, version = version + 1,"
	    " updated_at = ?21, line_hash = ?23,"
	    " line_version = CASE WHEN ?23 IS NOT NULL THEN version + 1 END"
	    " WHERE id = ?22 RETURNING version",
	[SQL_ORDER_WORD] = "SELECT channel_updated_at, said"
	    " FROM channel_words WHERE order_id = ?1",
	[SQL_ORDER_WORD_SAVE] = "INSERT INTO channel_words (order_id,"
	    " channel_updated_at, said) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (order_id) DO UPDATE SET"
	    " channel_updated_at = excluded.channel_updated_at,"
	    " said = excluded.said",
	[SQL_ORDER_DRIFT_HELD] = "SELECT EXISTS (SELECT 1 FROM channel_drifts"
	    " WHERE order_id = ?1 AND status = ?2)",
	[SQL_ORDER_DRIFT_NOTE] = "INSERT INTO channel_drifts (order_id,"
	    " status, held_at) VALUES (?1, ?2, ?3)",
	[SQL_ITEMS_FIND] = "SELECT external_item_id, sku, name, quantity,"
	    " unit_price, extra FROM order_items WHERE order_id = ?1"
	    " ORDER BY seq",
	[SQL_ITEMS_DELETE] = "DELETE FROM order_items WHERE order_id = ?1",
	[SQL_ITEM_INSERT] = "INSERT INTO order_items (order_id, seq,"
	    " external_item_id, sku, name, quantity, unit_price, extra)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQL_EVENT_INSERT] = "INSERT INTO events (order_id, type, from_state,"
	    " to_state, actor, at, version, details) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8)",
	[SQL_RECORD] = "SELECT " UOMS_RECORD_COLUMNS " FROM orders o"
	    " WHERE o.id = ?1",
	[SQL_HOLDS_OPEN] = "SELECT id, reason, note, state, placed_by,"
	    " placed_at FROM holds WHERE order_id = ?1 AND state <> 'resolved'"
	    " ORDER BY id",
	[SQL_RAW_INSERT] = "INSERT INTO raw_payloads (order_id, received_at,"
	    " payload) VALUES (?1, ?2, ?3)",
	[SQL_PRODUCT_FIND] = "SELECT " PRODUCT_COLUMNS ", extra, version"
	    " FROM products WHERE channel = ?1 AND sku = ?2",
	[SQL_PRODUCT_INSERT] = "INSERT INTO products (" PRODUCT_COLUMNS ","
	    " extra, version, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?10)",
	[SQL_PRODUCT_UPDATE] = "UPDATE products SET name = ?3, category = ?4,"
	    " price = ?5, cost = ?6, currency = ?7, stock = ?8, extra = ?9,"
	    " version = version + 1, updated_at = ?10"
	    " WHERE channel = ?1 AND sku = ?2 RETURNING version",
	[SQL_PRODUCT_RECORD] = "SELECT " PRODUCT_JSON ", extra FROM products"
	    " WHERE channel = ?1 AND sku = ?2",
	/* A cost dated again at the same time replaces that row's cost. */
	[SQL_PRODUCT_COST_PUT] = "INSERT INTO product_costs (channel, sku,"
	    " valid_from, cost) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (channel, sku, valid_from) DO UPDATE"
	    " SET cost = excluded.cost WHERE cost <> excluded.cost",
	/* The cost now: the row valid from the latest time. Times of both
	 * forms (with and without decimals) are compared as times. */
	[SQL_PRODUCT_COST_NOW] = "SELECT cost FROM product_costs"
	    " WHERE channel = ?1 AND sku = ?2"
	    " ORDER BY julianday(valid_from) DESC, valid_from DESC LIMIT 1",
	/* ?1 NULL: every channel; ?2 NULL: every sku. */
	[SQL_PRODUCT_LIST] = "SELECT " PRODUCT_JSON ", extra, channel, sku,"
	    " name, category, price, cost, currency, stock, version,"
	    " created_at, updated_at FROM products"
	    " WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR sku = ?2)"
	    " ORDER BY channel, sku",
	[SQL_PRODUCT_COST_LIST] = "SELECT json_object('channel', channel,"
	    " 'sku', sku, 'valid_from', valid_from, 'cost', cost), NULL,"
	    " channel, sku, valid_from, cost FROM product_costs"
	    " WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR sku = ?2)"
	    " ORDER BY channel, sku, julianday(valid_from), valid_from",
	[SQL_STORE_REJECT] = "INSERT INTO rejects (tool, at, code, message,"
	    " line) VALUES (?1, ?2, ?3, ?4, ?5)",
	/* change */
	[SQL_CHANGE_TARGET_BY_ID] = "SELECT id, version, status, workflow,"
	    " order_no FROM orders WHERE id = ?1",
	[SQL_CHANGE_TARGET_BY_KEY] = "SELECT id, version, status, workflow,"
	    " order_no FROM orders WHERE channel = ?1 AND"
	    " external_order_id = ?2",
	[SQL_CHANGE_TARGET_BY_NO] = "SELECT id, version, status, workflow,"
	    " order_no FROM orders WHERE order_no = ?1 LIMIT 2",
	[SQL_CHANGE_ANY_LOCK] = "SELECT EXISTS (SELECT 1 FROM locks"
	    " WHERE expires_at > ?1)",
	[SQL_CHANGE_ANY_HOLD] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved' AND ?1 IS NOT NULL)",
	[SQL_CHANGE_HOLDS] = "SELECT count(*), min(reason) FROM holds"
	    " WHERE order_id = ?1 AND state <> 'resolved'",
	[SQL_CHANGE_BUMP] = "UPDATE orders SET version = ?2,"
	    " updated_at = ?3 WHERE id = ?1",
	/* query */
	[SQL_QUERY_ANY_HOLD] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved')",
	/* idem */
	[SQL_IDEM_FIND] = "SELECT fingerprint, result FROM idempotency"
	    " WHERE actor = ?1 AND key = ?2 AND order_id = ?3"
	    " AND expires_at > ?4",
	/* An expired key of the same name is replaced, not kept beside. */
	[SQL_IDEM_PUT] = "INSERT OR REPLACE INTO idempotency (actor,"
	    " key, order_id, fingerprint, result, created_at, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQL_IDEM_EXPIRE] = "DELETE FROM idempotency WHERE expires_at <= ?1",
	/* ingest */
	[SQL_INGEST_ORDER_HELD_ON_HOLD] =
	    "SELECT EXISTS (SELECT 1 FROM holds h"
	    " WHERE h.order_id = ?1 AND h.state <> 'resolved'"
	    " AND NOT (?2 IS NOT NULL AND EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.hold_id = h.id AND c.present"
	    " AND c.key NOT IN (SELECT value FROM json_each(?2)))))"
	    " OR (?2 IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(?2) j"
	    " WHERE NOT EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.order_id = ?1 AND c.key = j.value)))",
	[SQL_INGEST_CHANNEL_STAMPS] = "UPDATE orders SET"
	    " depart_time = coalesce(?2, depart_time),"
	    " complete_time = coalesce(?3, complete_time) WHERE id = ?1",
	[SQL_INGEST_DRIFT_HOLD] = "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at) VALUES (?1, 'other', ?2,"
	    " ?3, ?4, 'open', ?4)",
	[SQL_INGEST_CHOLD_EVENT_BUMP] =
	    "UPDATE orders SET version = version + 1,"
	    " updated_at = ?2 WHERE id = ?1 RETURNING version",
	[SQL_INGEST_CHOLD_PLACE_HOLD] =
	    "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at) VALUES (?1, 'other', ?2,"
	    " ?3, ?4, 'open', ?4) RETURNING id",
	[SQL_INGEST_CHOLD_PLACE_KEEP] =
	    "INSERT INTO channel_holds (order_id, key,"
	    " hold_id, present) VALUES (?1, ?2, ?3, 1)",
	[SQL_INGEST_CHOLD_NEWS] =
	    "SELECT EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.order_id = ?1 AND c.present"
	    " AND c.key NOT IN (SELECT value FROM json_each(?2)))"
	    " OR EXISTS (SELECT 1 FROM json_each(?2) j"
	    " WHERE NOT EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.order_id = ?1 AND c.key = j.value AND c.present))",
	[SQL_INGEST_CHANNEL_HOLDS_SEEN] = "SELECT present FROM channel_holds"
	    " WHERE order_id = ?1 AND key = ?2",
	[SQL_INGEST_CHANNEL_HOLDS_BACK] =
	    "UPDATE channel_holds SET present = 1"
	    " WHERE order_id = ?1 AND key = ?2",
	[SQL_INGEST_CHANNEL_HOLDS_LISTED] = "SELECT c.key, c.hold_id, h.state"
	    " FROM channel_holds c JOIN holds h ON h.id = c.hold_id"
	    " WHERE c.order_id = ?1 AND c.present ORDER BY c.key",
	[SQL_INGEST_CHANNEL_HOLDS_GONE] =
	    "UPDATE channel_holds SET present = 0"
	    " WHERE order_id = ?1 AND key = ?2",
	[SQL_INGEST_CHANNEL_HOLDS_RESOLVE] =
	    "UPDATE holds SET state = 'resolved',"
	    " operator = ?2, operator_note = ?3, updated_at = ?4"
	    " WHERE id = ?1 AND state <> 'resolved'",
	/* report */
	/*
	 * One read transaction: every query of a report sees the same
	 * snapshot, so its figures add up even while writers commit. In
	 * WAL mode a reader holds no lock a writer waits for.
	 */
	[SQL_REPORT_BEGIN] = "BEGIN",
	[SQL_REPORT_END] = "COMMIT",
	/* Two subqueries: each is one step down the index, where min and
	 * max together would read all of it. */
	[SQL_REPORT_PLACED_SPAN] = "SELECT (SELECT"
	    " min(placed_at) FROM orders), (SELECT max(placed_at)"
	    " FROM orders)",
	/* The cost history of (channel ?1, sku ?2), else of ('', sku). */
	[SQL_REPORT_COST_HISTORY] = "SELECT valid_from, cost FROM product_costs"
	    " WHERE sku = ?2 AND channel = coalesce((SELECT h.channel"
	    " FROM product_costs h WHERE h.channel = ?1 AND h.sku = ?2"
	    " LIMIT 1), '') ORDER BY rtrim(valid_from, 'Z')",
	[SQL_REPORT_CATALOG_COST] = "SELECT cost FROM products WHERE sku = ?2"
	    " AND channel IN (?1, '') ORDER BY channel = '' LIMIT 1",
	[SQL_REPORT_CATALOG_NAME] = "SELECT name FROM products WHERE sku = ?2"
	    " AND channel IN (?1, '') AND name IS NOT NULL"
	    " ORDER BY channel = '' LIMIT 1",
	/* Holds and refused lines between ?1 and ?2, by Unix second. */
	[SQL_REPORT_HOLDS_PLACED] = "SELECT unixepoch(h.placed_at), h.state"
	    " FROM holds h WHERE h.placed_at >= ?1 AND h.placed_at < ?2",
	[SQL_REPORT_REJECTS_AT] = "SELECT unixepoch(r.at) FROM rejects r"
	    " WHERE r.at >= ?1 AND r.at < ?2",
};
