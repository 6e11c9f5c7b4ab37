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

/* record: the order's record as last printed, when printed at the
 * version it is at now (lib/record.h); NULL else. */
#define KEPT_RENDERING "(SELECT r.rendering FROM order_renderings r" \
	" WHERE r.order_id = orders.id AND r.version = orders.version)"

/* stock: an untracked product (no stock) reserves nothing, null. */
#define STOCK_RESERVED "CASE WHEN stock IS NULL THEN NULL ELSE reserved END"

/* edit: one member of an order's object set, the others kept. */
#define EDIT_MEMBER(obj, m) "UPDATE orders SET " obj " = json_set(CASE" \
	" json_type(" obj ") WHEN 'object' THEN " obj " ELSE '{}' END," \
	" '$." m "', ?2) WHERE id = ?1"

/* events: the rowid range scan (or events_order for one order) keeps
 * each poll as cheap as the events it finds. */
#define EVENT_JSON "SELECT json_object('id', id, 'order_id', order_id," \
	" 'type', type, 'from', from_state, 'to', to_state, 'actor', actor," \
	" 'at', at, 'version', version, 'details', CASE" \
	" WHEN details IS NULL THEN json_object()" \
	" WHEN json_valid(details) THEN json(details)" \
	" ELSE json_quote(details) END), id FROM events WHERE id > ?1"
#define CHANNEL_COLUMNS "name, kind, base_url, workflow, enabled, settings," \
	" created_at, updated_at"

/* A hold and a lock as their lists print them (hold.h, lock.h). */
#define HOLD_JSON "SELECT json_object('id', id, 'order_id', order_id," \
	" 'reason', reason, 'note', note, 'state', state, 'placed_by'," \
	" placed_by, 'placed_at', placed_at, 'operator', operator," \
	" 'operator_note', operator_note, 'updated_at', updated_at)" \
	" FROM holds"
#define LOCK_JSON "SELECT json_object('order_id', order_id, 'lock_type'," \
	" type, 'owner', owner, 'acquired_at', acquired_at, 'expires_at'," \
	" expires_at) FROM locks"

const char *const uoms_sql_sqlite[SQL_COUNT] = {
	/* deleted_at where PostgreSQL's has it, after its id to be. */
	[SQL_ORDER_FIND] = "SELECT id, version, " ORDER_COLUMNS ", extra,"
	    " line_hash, line_version, NULL, deleted_at, " KEPT_RENDERING
	    " FROM orders WHERE channel = ?1 AND external_order_id = ?2",
	/* Not asked on SQLite, where each lookup is local (ingest.h):
	 * the lines whose order is new, without an id to be. */
	[SQL_ORDER_AHEAD] = "SELECT json_extract(k.value, '$[0]'), NULL"
	    " FROM json_each(?1) AS k WHERE NOT EXISTS (SELECT 1 FROM orders"
	    " WHERE channel = json_extract(k.value, '$[1]')"
	    " AND external_order_id = json_extract(k.value, '$[2]'))",
	/* A join, not KEPT_RENDERING's subquery: no subprogram run a line. */
	[SQL_ORDER_SAME_LINE] = "SELECT o.id, r.rendering FROM orders o"
	    " LEFT JOIN order_renderings r ON r.order_id = o.id"
	    " AND r.version = o.version"
	    " WHERE o.line_hash = ?1 AND o.line_version = o.version"
	    " AND o.deleted_at IS NULL",
	/* The same for a batch (?1: the digests end to end, 16 bytes each),
	 * asked of a server alone (uoms_ingest_ahead_same): each line's own
	 * lookup is local here. */
	[SQL_ORDER_SAME_LINES] = "WITH RECURSIVE k(i) AS (SELECT 0"
	    " UNION ALL SELECT i + 1 FROM k WHERE i + 1 < length(?1) / 16)"
	    " SELECT k.i, o.id, r.rendering FROM k JOIN orders o"
	    " ON o.line_hash = substr(?1, k.i * 16 + 1, 16)"
	    " AND o.line_version = o.version AND o.deleted_at IS NULL"
	    " JOIN order_renderings r ON r.order_id = o.id"
	    " AND r.version = o.version",
	[SQL_ORDER_INSERT] = "INSERT INTO orders (" ORDER_COLUMNS ", extra,"
	    " version, created_at, updated_at, line_hash, line_version)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, 1, ?21, ?21, ?22,"
	    " CASE WHEN ?22 IS NOT NULL THEN 1 END) RETURNING id",
	[SQL_ORDER_INSERT_AS] = "INSERT INTO orders (id, " ORDER_COLUMNS ","
	    " extra, version, created_at, updated_at, line_hash, line_version)"
	    " VALUES (?23, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 1, ?21, ?21, ?22,"
	    " CASE WHEN ?22 IS NOT NULL THEN 1 END)",
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
	/* A record's items with their seq, sorted by the reader (record.c). */
	[SQL_ITEMS_UNSORTED] = "SELECT external_item_id, sku, name, quantity,"
	    " unit_price, extra, seq FROM order_items WHERE order_id = ?1",
	[SQL_ITEMS_DELETE] = "DELETE FROM order_items WHERE order_id = ?1",
	[SQL_ITEM_INSERT] = "INSERT INTO order_items (order_id, seq,"
	    " external_item_id, sku, name, quantity, unit_price, extra)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQL_EVENT_INSERT] = "INSERT INTO events (order_id, type, from_state,"
	    " to_state, actor, at, version, details) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8)",
	/* The order alone in SQL_RECORD's layout, its items read by
	 * SQL_ITEMS_UNSORTED: on a local store (record.c) the join's sort by
	 * seq carried every wide column of the order through a b-tree. */
	[SQL_RECORD_ALONE] = "SELECT " UOMS_RECORD_COLUMNS ", NULL, NULL,"
	    " NULL, NULL, NULL, NULL, o.deleted_at FROM orders o"
	    " WHERE o.id = ?1",
	[SQL_RECORD] = "SELECT " UOMS_RECORD_COLUMNS ", i.external_item_id,"
	    " i.sku, i.name, i.quantity, i.unit_price, i.extra, o.deleted_at"
	    " FROM orders o LEFT JOIN order_items i ON i.order_id = o.id"
	    " WHERE o.id = ?1"
	    " ORDER BY i.seq",
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
	/* ?1 NULL: every channel; ?2 NULL: every sku. With what orders
	 * reserve of it and what is left (lib/stock.h). */
	[SQL_PRODUCT_LIST] = "SELECT json_object('channel', channel, 'sku',"
	    " sku, 'name', name, 'category', category, 'price', price,"
	    " 'cost', cost, 'currency', currency, 'stock', stock,"
	    " 'reserved', " STOCK_RESERVED ", 'available', stock - reserved,"
	    " 'version', version, 'created_at', created_at,"
	    " 'updated_at', updated_at), extra, channel, sku,"
	    " name, category, price, cost, currency, stock, " STOCK_RESERVED ","
	    " stock - reserved, version, created_at, updated_at FROM products"
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
	    " order_no, deleted_at FROM orders WHERE id = ?1",
	/* Not asked on SQLite, where each lookup is local (change.h). */
	/* With each order's open holds and live locks (as of ?2): checked
	 * with no round trip each. */
	[SQL_CHANGE_TARGET_AHEAD] = "SELECT id, version, status, workflow,"
	    " order_no, deleted_at, (SELECT count(*) FROM holds h"
	    " WHERE h.order_id = orders.id AND h.state <> 'resolved'),"
	    " (SELECT min(reason) FROM holds h WHERE h.order_id = orders.id"
	    " AND h.state <> 'resolved'), (SELECT count(*) FROM locks l"
	    " WHERE l.order_id = orders.id AND l.expires_at > ?2) FROM orders WHERE id IN (SELECT value"
	    " FROM json_each(?1))",
	[SQL_CHANGE_TARGET_BY_KEY] = "SELECT id, version, status, workflow,"
	    " order_no, deleted_at FROM orders WHERE channel = ?1 AND"
	    " external_order_id = ?2",
	/* A deleted order's number is free: only its id finds it. */
	[SQL_CHANGE_TARGET_BY_NO] = "SELECT id, version, status, workflow,"
	    " order_no, deleted_at FROM orders WHERE order_no = ?1"
	    " AND deleted_at IS NULL LIMIT 2",
	[SQL_CHANGE_ANY_LOCK] = "SELECT EXISTS (SELECT 1 FROM locks"
	    " WHERE expires_at > ?1)",
	[SQL_CHANGE_ANY_HOLD] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved' AND ?1 IS NOT NULL)",
	[SQL_CHANGE_HOLDS] = "SELECT count(*), min(reason) FROM holds"
	    " WHERE order_id = ?1 AND state <> 'resolved'",
	[SQL_DELETE_ORDER] = "UPDATE orders SET deleted_at = ?2 WHERE id = ?1",
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
	/* run */
	[SQL_RUN_SAVEPOINT] = "SAVEPOINT line",
	[SQL_RUN_UNDO] = "ROLLBACK TO line",
	[SQL_RUN_RELEASE] = "RELEASE line",
	/* status */
	[SQL_STATUS_ENTER] = "UPDATE orders SET status = ?2,"
	    " depart_time = CASE ?3 WHEN 1 THEN ?5 WHEN 0 THEN NULL"
	    " ELSE depart_time END,"
	    " complete_time = CASE ?4 WHEN 1 THEN ?5 WHEN 0 THEN NULL"
	    " ELSE complete_time END,"
	    " version = coalesce(?6, version),"
	    " updated_at = CASE WHEN ?6 IS NULL THEN updated_at ELSE ?5 END"
	    " WHERE id = ?1",
	/* edit: a member of the customer, shipping or shipment object is set
	 * with json_set, so the members it does not name (known or not)
	 * stay. */
	[SQL_EDIT_ETA] = "UPDATE orders SET eta = ?2 WHERE id = ?1",
	[SQL_EDIT_DEPARTMENT] = "UPDATE orders SET department = ?2"
	    " WHERE id = ?1",
	[SQL_EDIT_WAREHOUSE] = "UPDATE orders SET warehouse = ?2 WHERE id = ?1",
	[SQL_EDIT_KIND] = "UPDATE orders SET kind = ?2 WHERE id = ?1",
	[SQL_EDIT_CUSTOMER_NAME] = EDIT_MEMBER("customer", "name"),
	[SQL_EDIT_CUSTOMER_PHONE] = EDIT_MEMBER("customer", "phone"),
	[SQL_EDIT_SHIPPING_ADDRESS] = EDIT_MEMBER("shipping", "address"),
	[SQL_EDIT_SHIPPING_POSTAL_CODE] = EDIT_MEMBER("shipping",
	    "postal_code"),
	[SQL_EDIT_SHIPPING_ZONE] = EDIT_MEMBER("shipping", "zone"),
	[SQL_EDIT_SHIPMENT_CARRIER] = EDIT_MEMBER("shipment", "carrier"),
	[SQL_EDIT_SHIPMENT_TRACKING_NUMBER] = EDIT_MEMBER("shipment",
	    "tracking_number"),
	/* The fields in the order of enum uoms_edit_field. */
	[SQL_EDIT_FIELDS] = "SELECT eta, department, warehouse, kind,"
	    " json_extract(customer, '$.name'),"
	    " json_extract(customer, '$.phone'),"
	    " json_extract(shipping, '$.address'),"
	    " json_extract(shipping, '$.postal_code'),"
	    " json_extract(shipping, '$.zone'),"
	    " json_extract(shipment, '$.carrier'),"
	    " json_extract(shipment, '$.tracking_number')"
	    " FROM orders WHERE id = ?1",
	/* events: ?2 an order, ?3 a type. */
	[SQL_EVENTS_AFTER] = EVENT_JSON " ORDER BY id",
	[SQL_EVENTS_ORDER] = EVENT_JSON " AND order_id = ?2 ORDER BY id",
	[SQL_EVENTS_TYPE] = EVENT_JSON " AND type = ?3 ORDER BY id",
	[SQL_EVENTS_ORDER_TYPE] = EVENT_JSON " AND order_id = ?2"
	    " AND type = ?3 ORDER BY id",
	/* assign */
	[SQL_ASSIGN_DRIVER] = "SELECT json(driver),"
	    " json_extract(driver, '$.name'), json_extract(driver, '$.phone')"
	    " FROM orders WHERE id = ?1",
	[SQL_ASSIGN_SET] = "UPDATE orders SET driver = ?2 WHERE id = ?1",
	/* remark */
	[SQL_REMARK_ADD] = "INSERT INTO remarks (order_id, author,"
	    " created_at) VALUES (?1, ?2, ?3) RETURNING id",
	/* Who wrote it, and its last revision. */
	[SQL_REMARK_AUTHOR] = "SELECT r.author, (SELECT max(revision)"
	    " FROM remark_revisions WHERE remark_id = r.id) FROM remarks r"
	    " WHERE r.id = ?1 AND r.order_id = ?2",
	[SQL_REMARK_REVISION] = "INSERT INTO remark_revisions"
	    " (remark_id, revision, text, author, at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQL_REMARK_ORDER] = "SELECT order_id FROM remarks WHERE id = ?1",
	[SQL_REMARK_LATEST] = "SELECT json_object('id', r.id,"
	    " 'order_id', r.order_id, 'text', v.text, 'author', r.author,"
	    " 'created_at', r.created_at, 'updated_at', v.at,"
	    " 'revision', v.revision) FROM remarks r"
	    " JOIN remark_revisions v ON v.remark_id = r.id"
	    " AND v.revision = (SELECT max(revision) FROM remark_revisions"
	    " WHERE remark_id = r.id)"
	    " WHERE r.order_id = ?1 ORDER BY r.id",
	[SQL_REMARK_HISTORY] = "SELECT json_object('remark_id', v.remark_id,"
	    " 'revision', v.revision, 'text', v.text, 'author', v.author,"
	    " 'at', v.at) FROM remarks r"
	    " JOIN remark_revisions v ON v.remark_id = r.id"
	    " WHERE r.order_id = ?1 ORDER BY v.remark_id, v.revision",
	/* hold */
	[SQL_HOLD_PLACE] = "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?5) RETURNING id",
	[SQL_HOLD_STATE] = "SELECT state FROM holds"
	    " WHERE id = ?1 AND order_id = ?2",
	/* The first hold the step (?2 one hold, NULL all; ?3 resolving)
	 * would touch that is the admins' own: fraud_suspected, or placed
	 * by an admin. */
	[SQL_HOLD_ADMINS] = "SELECT h.id, h.reason, h.placed_by,"
	    " coalesce(u.role, '') FROM holds h"
	    " LEFT JOIN users u ON u.name = h.placed_by"
	    " WHERE h.order_id = ?1 AND (?2 IS NULL OR h.id = ?2)"
	    " AND (h.state = 'open' OR (?3 AND h.state = 'acknowledged'))"
	    " AND (h.reason = 'fraud_suspected' OR u.role = 'admin')"
	    " ORDER BY h.id LIMIT 1",
	/* ack: open holds; resolve (?6): acknowledged ones too. */
	[SQL_HOLD_STEP] = "UPDATE holds SET state = ?2, operator = ?3,"
	    " operator_note = ?4, updated_at = ?5"
	    " WHERE order_id = ?1 AND (?7 IS NULL OR id = ?7)"
	    " AND (state = 'open' OR (?6 AND state = 'acknowledged'))"
	    " RETURNING id",
	[SQL_HOLD_LIST] = HOLD_JSON
	    " WHERE ?1 IS NULL OR state = ?1 ORDER BY placed_at DESC, id DESC",
	[SQL_HOLD_LIST_ORDER] = HOLD_JSON " WHERE order_id = ?2"
	    " AND (?1 IS NULL OR state = ?1) ORDER BY placed_at DESC, id DESC",
	/* user: the department only when it is text, NULL otherwise. */
	[SQL_USER_ACTOR] = "SELECT role, CASE WHEN typeof(department) = 'text'"
	    " THEN department END, disabled FROM users WHERE name = ?1",
	[SQL_USER_EVENT] = "INSERT INTO events (type, actor, at,"
	    " details) VALUES (?1, ?2, ?3, json_set(coalesce(?5, '{}'),"
	    " '$.user', ?4))",
	[SQL_USER_ADD] = "INSERT INTO users (name, role, department,"
	    " password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?5)",
	[SQL_USER_PASSWD] = "UPDATE users SET password_hash = ?2,"
	    " updated_at = ?3 WHERE name = ?1",
	[SQL_USER_SET] = "UPDATE users SET role = coalesce(?2, role),"
	    " department = CASE WHEN ?3 IS NULL THEN department"
	    " ELSE nullif(?3, '') END, updated_at = ?4 WHERE name = ?1",
	[SQL_USER_DISABLE] = "UPDATE users SET disabled = 1,"
	    " updated_at = ?2 WHERE name = ?1",
	[SQL_USER_VERIFY] = "SELECT password_hash FROM users"
	    " WHERE name = ?1 AND disabled = 0 AND password_hash IS NOT NULL",
	[SQL_USER_LIST] = "SELECT json_object('name', name, 'role',"
	    " role, 'department', department, 'password_set',"
	    " json(CASE WHEN password_hash IS NULL THEN 'false' ELSE 'true'"
	    " END), 'disabled', json(CASE WHEN disabled THEN 'true' ELSE"
	    " 'false' END), 'created_at', created_at, 'updated_at',"
	    " updated_at) FROM users WHERE ?1 IS NULL OR name = ?1"
	    " ORDER BY name",
	[SQL_USER_ADMINS] = "SELECT count(*) FROM users"
	    " WHERE role = 'admin' AND disabled = 0",
	/* session */
	[SQL_SESSION_PUT] = "INSERT INTO refresh_tokens (hash, family,"
	    " username, used, expires_at, created_at)"
	    " VALUES (?1, ?2, ?3, 0, ?4, ?5)",
	[SQL_SESSION_GET] = "SELECT family, username, used, expires_at"
	    " FROM refresh_tokens WHERE hash = ?1",
	/* Only an unused token: of two requests with the same one, the
	 * second changes nothing and is taken for a reuse. */
	[SQL_SESSION_USE] = "UPDATE refresh_tokens SET used = 1"
	    " WHERE hash = ?1 AND used = 0",
	[SQL_SESSION_REVOKE] = "UPDATE refresh_tokens SET used = 1"
	    " WHERE family = ?1",
	[SQL_SESSION_EXPIRE] = "DELETE FROM refresh_tokens"
	    " WHERE expires_at <= ?1",
	[SQL_SESSION_FAILURES] = "SELECT count(*), min(at) FROM login_failures"
	    " WHERE kind = ?1 AND subject = ?2 AND at > ?3",
	[SQL_SESSION_FAIL] = "INSERT INTO login_failures (kind, subject, at)"
	    " VALUES (?1, ?2, ?3)",
	[SQL_SESSION_CLEAR] = "DELETE FROM login_failures"
	    " WHERE kind = 'user' AND subject = ?1",
	[SQL_SESSION_FORGET] = "DELETE FROM login_failures WHERE at <= ?1",
	/* lock */
	/* A change of type T meets T or EDIT; taking EDIT meets any type. */
	[SQL_LOCK_CONFLICT] = "SELECT owner, type, expires_at FROM locks"
	    " WHERE order_id = ?1 AND owner <> ?2 AND expires_at > ?3"
	    " AND (type = ?4 OR type = 'EDIT' OR (?5 AND ?4 = 'EDIT'))"
	    " ORDER BY type = 'EDIT' DESC LIMIT 1",
	[SQL_LOCK_EVENT] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) VALUES (?1, ?2, ?3, ?4, json_object('lock_type',"
	    " ?5, 'expires_at', ?6))",
	/* Replaces an expired lock of another owner, or the owner's own. */
	[SQL_LOCK_ACQUIRE] = "INSERT INTO locks (order_id, type, owner,"
	    " acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (order_id, type) DO UPDATE SET owner = ?3,"
	    " acquired_at = CASE WHEN owner = ?3 THEN acquired_at ELSE ?4 END,"
	    " expires_at = ?5",
	[SQL_LOCK_EXPIRES] = "SELECT expires_at FROM locks"
	    " WHERE order_id = ?1 AND type = ?2 AND owner = ?3",
	[SQL_LOCK_RENEW] = "UPDATE locks SET expires_at = ?4"
	    " WHERE order_id = ?1 AND type = ?2 AND owner = ?3"
	    " AND expires_at > ?5",
	[SQL_LOCK_BREAK_EVENT] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) SELECT order_id, 'lock_broken', ?3, ?4,"
	    " json_object('lock_type', type, 'owner', owner, 'expires_at',"
	    " expires_at) FROM locks WHERE order_id = ?1 AND type = ?2"
	    " AND owner = ?5",
	[SQL_LOCK_DELETE] = "DELETE FROM locks WHERE order_id = ?1"
	    " AND type = ?2 AND owner = ?3",
	[SQL_LOCK_LIVE_OWNER] = "SELECT owner FROM locks WHERE order_id = ?1"
	    " AND type = ?2 AND expires_at > ?3",
	/* Expired locks are gone already: only live ones are logged. */
	[SQL_LOCK_OWNER_BREAK] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) SELECT order_id, 'lock_broken', ?2, ?3,"
	    " json_object('lock_type', type, 'owner', owner, 'expires_at',"
	    " expires_at) FROM locks WHERE owner = ?1 AND expires_at > ?4"
	    " ORDER BY order_id, type",
	[SQL_LOCK_OWNER_DELETE] = "DELETE FROM locks WHERE owner = ?1",
	[SQL_LOCK_LIST] = LOCK_JSON " WHERE expires_at > ?1"
	    " AND (?3 OR owner = ?2) ORDER BY order_id, type",
	[SQL_LOCK_LIST_ORDER] = LOCK_JSON " WHERE order_id = ?2"
	    " AND expires_at > ?1 ORDER BY type",
	[SQL_LOCK_CLEANUP] = "DELETE FROM locks WHERE expires_at <= ?1",
	/* channel */
	[SQL_CHANNEL_GET] = "SELECT " CHANNEL_COLUMNS " FROM channels"
	    " WHERE name = ?1",
	[SQL_CHANNEL_LIST] = "SELECT " CHANNEL_COLUMNS " FROM channels"
	    " WHERE ?1 = 0 OR enabled ORDER BY name",
	/* A name taken gives no row rather than a constraint error. */
	[SQL_CHANNEL_INSERT] = "INSERT INTO channels (name, kind, base_url,"
	    " workflow, enabled, settings, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	    " ON CONFLICT (name) DO NOTHING RETURNING name",
	[SQL_CHANNEL_UPDATE] = "UPDATE channels SET kind = ?2,"
	    " base_url = ?3, workflow = ?4, enabled = ?5, settings = ?6,"
	    " updated_at = ?7 WHERE name = ?1",
	[SQL_CHANNEL_ENABLE] = "UPDATE channels SET enabled = ?2,"
	    " updated_at = ?3 WHERE name = ?1 AND enabled <> ?2",
	[SQL_CHANNEL_ORDERS] = "SELECT count(*) FROM orders"
	    " WHERE channel = ?1",
	[SQL_CHANNEL_SECRETS_DELETE] = "DELETE FROM channel_secrets"
	    " WHERE channel = ?1",
	[SQL_CHANNEL_DELETE] = "DELETE FROM channels"
	    " WHERE name = ?1",
	[SQL_CHANNEL_WATERMARK_DELETE] = "DELETE FROM channel_watermarks"
	    " WHERE channel = ?1",
	[SQL_CHANNEL_LINES] = "SELECT json_object('name', c.name, 'kind',"
	    " c.kind, 'base_url', c.base_url, 'workflow', c.workflow,"
	    " 'enabled', json(CASE WHEN c.enabled THEN 'true' ELSE 'false'"
	    " END), 'settings', json(c.settings), 'secrets',"
	    " (SELECT json_group_array(x.name) FROM (SELECT name"
	    " FROM channel_secrets WHERE channel = c.name AND (expires_at"
	    " IS NULL OR expires_at > ?2) ORDER BY name) x),"
	    " 'created_at', c.created_at, 'updated_at', c.updated_at)"
	    " FROM channels c WHERE ?1 IS NULL OR c.name = ?1 ORDER BY c.name",
	[SQL_CHANNEL_SECRET_WRITE] =
	    "INSERT INTO channel_secrets (channel, name,"
	    " key_id, nonce, ciphertext, tag, expires_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (channel, name) DO UPDATE SET"
	    " key_id = excluded.key_id, nonce = excluded.nonce,"
	    " ciphertext = excluded.ciphertext, tag = excluded.tag,"
	    " expires_at = excluded.expires_at,"
	    " updated_at = excluded.updated_at",
	[SQL_CHANNEL_SECRET_OTHER_KEY] = "SELECT key_id FROM channel_secrets"
	    " WHERE key_id <> ?1 LIMIT 1",
	[SQL_CHANNEL_EXISTS] = "SELECT count(*) FROM channels"
	    " WHERE name = ?1",
	[SQL_CHANNEL_SECRET_GET] = "SELECT key_id, nonce, ciphertext, tag,"
	    " expires_at IS NOT NULL AND expires_at <= ?3"
	    " FROM channel_secrets WHERE channel = ?1 AND name = ?2",
	[SQL_CHANNEL_SECRET_NAMES] = "SELECT json_group_array(name) FROM"
	    " (SELECT name FROM channel_secrets WHERE channel = ?1"
	    " AND (expires_at IS NULL OR expires_at > ?2) ORDER BY name)",
	[SQL_CHANNEL_SECRETS_ALL] = "SELECT channel, name FROM"
	    " channel_secrets ORDER BY channel, name",
	[SQL_CHANNEL_SECRET_SEALED] = "SELECT key_id, nonce, ciphertext, tag,"
	    " expires_at FROM channel_secrets WHERE channel = ?1 AND name = ?2",
	[SQL_CHANNEL_HIGH_WATER] =
	    "SELECT max(channel_updated_at) FROM orders"
	    " WHERE channel = ?1 AND (?2 IS NULL OR channel_updated_at <= ?2)",
	[SQL_CHANNEL_AHEAD] = "SELECT external_order_id,"
	    " channel_updated_at FROM orders WHERE channel = ?1"
	    " AND channel_updated_at > ?2 ORDER BY channel_updated_at DESC",
	/* A deleted order is not asked after again (lib/delete.h). */
	[SQL_CHANNEL_OPEN_BEFORE] = "SELECT external_order_id FROM orders"
	    " WHERE channel = ?1 AND placed_at < ?2 AND deleted_at IS NULL"
	    " AND instr(?3, char(10) || coalesce(json_extract(extra,"
	    " '$.channel_status'), '') || char(10)) = 0"
	    " ORDER BY placed_at, id LIMIT ?4",
	[SQL_CHANNEL_WATERMARK_GET] = "SELECT read_to FROM channel_watermarks"
	    " WHERE channel = ?1",
	[SQL_CHANNEL_WATERMARK_SET] =
	    "INSERT INTO channel_watermarks (channel,"
	    " read_to, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (channel)"
	    " DO UPDATE SET read_to = ?2, updated_at = ?3",
	/* push */
	[SQL_PUSH_TARGET] = "SELECT channel, external_order_id,"
	    " workflow, status, version, json_extract(shipment, '$.carrier'),"
	    " json_extract(shipment, '$.tracking_number') FROM orders"
	    " WHERE id = ?1",
	[SQL_PUSH_SHIPPED] = "SELECT 1 FROM events WHERE order_id"
	    " = ?1 AND type = 'status' AND to_state = ?2 LIMIT 1",
	/* A claim older than an hour is no run's at work: its pid may
	 * have been reused by another process since. */
	[SQL_PUSH_STATE] = "SELECT state, pid, claimed_at >"
	    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3600 seconds')"
	    " FROM pushes WHERE order_id = ?1 AND what = ?2",
	[SQL_PUSH_CLAIM] = "INSERT INTO pushes (order_id, what,"
	    " channel, state, attempts, pid, claimed_at) VALUES (?1, ?2, ?3,"
	    " 'sending', 1, ?4, ?5) ON CONFLICT (order_id, what) DO UPDATE"
	    " SET state = 'sending', attempts = attempts + 1, pid = ?4,"
	    " claimed_at = ?5, done_at = NULL",
	[SQL_PUSH_RECORD] = "UPDATE pushes SET state = ?3, answer = ?4,"
	    " pid = NULL, done_at = ?5 WHERE order_id = ?1 AND what = ?2",
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
	/* notify */
	[SQL_NOTIFY_TARGET_ADD] = "INSERT INTO notify_targets (name, origin,"
	    " key_id, nonce, ciphertext, tag, created_at, updated_at) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (name) DO NOTHING",
	[SQL_NOTIFY_TARGET_GET] = "SELECT key_id, nonce, ciphertext, tag"
	    " FROM notify_targets WHERE name = ?1",
	[SQL_NOTIFY_TARGET_LIST] = "SELECT name, origin, created_at"
	    " FROM notify_targets ORDER BY name",
	[SQL_NOTIFY_TARGET_REMOVE] = "DELETE FROM notify_targets"
	    " WHERE name = ?1",
	/* A key already sent, or being sent, is not claimed again (no
	 * row comes back); one whose sending failed is. */
	[SQL_NOTIFY_CLAIM] = "INSERT INTO notify_log (target, key, state,"
	    " attempts, pid, created_at, updated_at) VALUES (?1, ?2,"
	    " 'sending', 0, ?3, ?4, ?4) ON CONFLICT (target, key) DO UPDATE"
	    " SET state = 'sending', pid = ?3, last_error = NULL,"
	    " updated_at = ?4 WHERE notify_log.state = 'failed'"
	    " RETURNING id, attempts",
	[SQL_NOTIFY_STATE] = "SELECT state, attempts FROM notify_log"
	    " WHERE target = ?1 AND key = ?2",
	[SQL_NOTIFY_RECORD] = "UPDATE notify_log SET state = ?2,"
	    " attempts = ?3, status = ?4, last_error = ?5,"
	    " pid = CASE WHEN ?2 IN ('sent', 'failed') THEN NULL ELSE pid END,"
	    " updated_at = ?6 WHERE id = ?1",
	/* set-based status pipeline (issue 11 j, issue 14 item 1) */
	/* Not asked on SQLite, where each record is read when made. */
	[SQL_RECORDS] = "SELECT " UOMS_RECORD_COLUMNS ", i.external_item_id,"
	    " i.sku, i.name, i.quantity, i.unit_price, i.extra, o.deleted_at"
	    " FROM orders o LEFT JOIN order_items i ON i.order_id = o.id"
	    " WHERE o.id IN (SELECT value FROM json_each(?1))"
	    " ORDER BY o.id, i.seq",
	[SQL_CHANGE_STAGED_MOVES] = "UPDATE orders SET status = m.value->>'s',"
	    " depart_time = CASE m.value->>'d' WHEN 1 THEN m.value->>'a'"
	    " WHEN 0 THEN NULL ELSE depart_time END,"
	    " complete_time = CASE m.value->>'c' WHEN 1 THEN m.value->>'a'"
	    " WHEN 0 THEN NULL ELSE complete_time END,"
	    " version = m.value->>'v', updated_at = m.value->>'a'"
	    " FROM json_each(?1) AS m WHERE orders.id = m.value->>'i'",
	[SQL_CHANGE_STAGED_EVENTS] = "INSERT INTO events (order_id, type,"
	    " from_state, to_state, actor, at, version, details)"
	    " SELECT value->>'i', value->>'t', value->>'f', value->>'o',"
	    " value->>'u', value->>'a', value->>'v', value->>'d'"
	    " FROM json_each(?1) ORDER BY key",
	/* alerts (issue 13 item 5) */
	[SQL_ALERT_FIRING] = "SELECT id, subject, state FROM alerts"
	    " WHERE name = ?1 AND state <> 'resolved' ORDER BY id",
	/* Not again while one is open or acknowledged: the partial unique
	 * index refuses it and no row comes back. */
	[SQL_ALERT_OPEN] = "INSERT INTO alerts (name, subject, figure, state,"
	    " value, threshold, opened_at) VALUES (?1, ?2, ?3, 'open', ?4, ?5,"
	    " ?6) ON CONFLICT DO NOTHING RETURNING id",
	[SQL_ALERT_VALUE] = "UPDATE alerts SET value = ?2 WHERE id = ?1",
	[SQL_ALERT_RESOLVE] = "UPDATE alerts SET state = 'resolved',"
	    " value = ?2, resolved_at = ?3 WHERE id = ?1"
	    " AND state <> 'resolved'",
	[SQL_ALERT_ACK] = "UPDATE alerts SET state = 'acknowledged',"
	    " acknowledged_by = ?2, acknowledged_at = ?3, note = ?4"
	    " WHERE id = ?1 AND state = 'open'",
	[SQL_ALERT_GET] = "SELECT id, name, subject, figure, state, value,"
	    " threshold, opened_at, acknowledged_by, acknowledged_at, note,"
	    " resolved_at FROM alerts WHERE id = ?1",
	[SQL_ALERT_LIST] = "SELECT id, name, subject, figure, state, value,"
	    " threshold, opened_at, acknowledged_by, acknowledged_at, note,"
	    " resolved_at FROM alerts"
	    " WHERE ?1 IS NULL OR state = ?1 ORDER BY id",
	/* A fetch that failed keeps the time of the last that did not. */
	[SQL_ALERT_FETCH_MARK] = "INSERT INTO channel_fetches (channel,"
	    " ok_at, failed_at, auth_failed, updated_at) VALUES (?1,"
	    " CASE WHEN ?2 <> 0 THEN ?4 END, CASE WHEN ?2 = 0 THEN ?4 END,"
	    " ?3, ?4) ON CONFLICT (channel) DO UPDATE SET"
	    " ok_at = coalesce(excluded.ok_at, channel_fetches.ok_at),"
	    " failed_at = coalesce(excluded.failed_at,"
	    " channel_fetches.failed_at), auth_failed = excluded.auth_failed,"
	    " updated_at = excluded.updated_at",
	/* A channel never fetched counts from when it was registered. */
	[SQL_ALERT_FETCHES] = "SELECT c.name, unixepoch(coalesce(f.ok_at,"
	    " c.created_at)), coalesce(f.auth_failed, 0) FROM channels c"
	    " LEFT JOIN channel_fetches f ON f.channel = c.name"
	    " WHERE c.enabled <> 0 ORDER BY c.name",
	[SQL_ALERT_HELD] = "SELECT count(DISTINCT h.order_id) FROM holds h"
	    " JOIN orders o ON o.id = h.order_id WHERE h.state <> 'resolved'"
	    " AND h.placed_at < ?1 AND o.deleted_at IS NULL",
	/* Alerts firing at some time of the range: opened before its end,
	 * not resolved before its start. */
	[SQL_REPORT_ALERTS] = "SELECT unixepoch(opened_at),"
	    " unixepoch(resolved_at) FROM alerts WHERE opened_at < ?2"
	    " AND (resolved_at IS NULL OR resolved_at >= ?1)",
	/* stock (issue 13, item 2): lib/stock.h. */
	/* An order's units wanted per tracked product: the channel's own
	 * product when it has a stock, else the shared one's with a stock;
	 * cancelled units are not wanted. Ordered, so that two writers
	 * would take their rows in one order. */
	[SQL_STOCK_WANTED] = "SELECT p.channel, p.sku, sum(max(i.quantity -"
	    " coalesce(json_extract(i.extra, '$.cancelled_quantity'), 0), 0)),"
	    " p.stock - p.reserved, o.status, o.workflow"
	    " FROM order_items i JOIN orders o ON o.id = i.order_id"
	    " JOIN products p ON p.sku = i.sku AND p.stock IS NOT NULL"
	    " AND p.channel = CASE WHEN EXISTS (SELECT 1 FROM products c"
	    " WHERE c.channel = o.channel AND c.sku = i.sku"
	    " AND c.stock IS NOT NULL) THEN o.channel ELSE '' END"
	    " WHERE i.order_id = ?1 GROUP BY p.channel, p.sku, p.stock,"
	    " p.reserved, o.status, o.workflow"
	    " HAVING sum(max(i.quantity - coalesce(json_extract(i.extra,"
	    " '$.cancelled_quantity'), 0), 0)) > 0 ORDER BY p.channel, p.sku",
	/* Takes ?3 units only when there are: no read, then write. */
	[SQL_STOCK_TAKE] = "UPDATE products SET reserved = reserved + ?3"
	    " WHERE channel = ?1 AND sku = ?2 AND stock IS NOT NULL"
	    " AND stock - reserved >= ?3 RETURNING stock - reserved",
	[SQL_STOCK_GIVE_BACK] = "UPDATE products SET reserved = reserved - ?3"
	    " WHERE channel = ?1 AND sku = ?2",
	[SQL_STOCK_RESERVE] = "INSERT INTO stock_reservations (order_id,"
	    " channel, sku, quantity, state, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, 'reserved', ?5, ?5)",
	/* An order's reservations held, with the units its items want now. */
	[SQL_STOCK_RESERVED] = "SELECT r.channel, r.sku, r.quantity,"
	    " coalesce((SELECT sum(max(i.quantity - coalesce(json_extract("
	    "i.extra, '$.cancelled_quantity'), 0), 0)) FROM order_items i"
	    " WHERE i.order_id = r.order_id AND i.sku = r.sku), 0)"
	    " FROM stock_reservations r WHERE r.order_id = ?1"
	    " AND r.state = 'reserved' ORDER BY r.channel, r.sku",
	[SQL_STOCK_SET] = "UPDATE stock_reservations SET quantity = ?4,"
	    " state = ?5, updated_at = ?6"
	    " WHERE order_id = ?1 AND channel = ?2 AND sku = ?3",
	/* Every reservation the order holds, given back or taken out of
	 * stock, in one write each (no read: a status change's writes go
	 * unawaited on PostgreSQL); then marked. */
	[SQL_STOCK_RELEASE_ALL] = "UPDATE products SET reserved = reserved -"
	    " (SELECT r.quantity FROM stock_reservations r"
	    " WHERE r.order_id = ?1 AND r.state = 'reserved'"
	    " AND r.channel = products.channel AND r.sku = products.sku)"
	    " WHERE (channel, sku) IN (SELECT channel, sku"
	    " FROM stock_reservations WHERE order_id = ?1"
	    " AND state = 'reserved')",
	[SQL_STOCK_CONSUME_ALL] = "UPDATE products SET"
	    " stock = stock - (SELECT r.quantity FROM stock_reservations r"
	    " WHERE r.order_id = ?1 AND r.state = 'reserved'"
	    " AND r.channel = products.channel AND r.sku = products.sku),"
	    " reserved = reserved - (SELECT r.quantity FROM"
	    " stock_reservations r WHERE r.order_id = ?1"
	    " AND r.state = 'reserved' AND r.channel = products.channel"
	    " AND r.sku = products.sku)"
	    " WHERE (channel, sku) IN (SELECT channel, sku"
	    " FROM stock_reservations WHERE order_id = ?1"
	    " AND state = 'reserved')",
	[SQL_STOCK_MARK_ALL] = "UPDATE stock_reservations SET state = ?2,"
	    " updated_at = ?3 WHERE order_id = ?1 AND state = 'reserved'",
	/* intake rules (lib/rules.c): orders to one phone or address
	 * since ?2, by the expressions migration 12 indexes. */
	[SQL_RULES_SAME_PHONE] = "SELECT count(*) FROM orders"
	    " WHERE (CASE WHEN json_valid(customer)"
	    " THEN json_extract(customer, '$.phone') END) = ?1"
	    " AND created_at >= ?2",
	[SQL_RULES_SAME_ADDRESS] = "SELECT count(*) FROM orders"
	    " WHERE lower(trim(CASE WHEN json_valid(shipping)"
	    " THEN json_extract(shipping, '$.address') END))"
	    " = lower(trim(?1)) AND created_at >= ?2",
	/* a record kept as last printed (issue 14 item 2, lib/record.h) */
	[SQL_RENDERING_PUT] = "INSERT INTO order_renderings (order_id,"
	    " version, rendering) VALUES (?1, ?2, ?3) ON CONFLICT (order_id)"
	    " DO UPDATE SET version = excluded.version,"
	    " rendering = excluded.rendering",
	/* issue 14, fresh ingest: is any product tracked? (lib/stock.c) */
	[SQL_STOCK_ANY] = "SELECT EXISTS (SELECT 1 FROM products"
	    " WHERE stock IS NOT NULL)",
	/* What SQL_RULES_SAME_* count by, made when first asked (lib/rules.c;
	 * migration 17 dropped them from every store): text that is not
	 * JSON (a store edited by hand) is NULL here, not a write refused. */
	[SQL_RULES_INDEX_PHONE] = "CREATE INDEX IF NOT EXISTS"
	    " orders_rules_phone ON orders ((CASE WHEN json_valid(customer)"
	    " THEN json_extract(customer, '$.phone') END), created_at)",
	[SQL_RULES_INDEX_ADDRESS] = "CREATE INDEX IF NOT EXISTS"
	    " orders_rules_address ON orders (lower(trim(CASE WHEN"
	    " json_valid(shipping) THEN json_extract(shipping, '$.address')"
	    " END)), created_at)",
	[SQL_RULES_INDEXED] = "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'index'"
	    " AND name IN ('orders_rules_phone', 'orders_rules_address')",
	/* a move that settles no reservation (lib/stock.c): the catalog is
	 * small; the reservations, one or more an order, are not. */
	[SQL_STOCK_ANY_RESERVED] = "SELECT EXISTS (SELECT 1 FROM products"
	    " WHERE reserved > 0)",
};
