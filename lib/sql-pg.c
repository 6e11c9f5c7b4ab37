/*
 * The text of every named statement (sql.h) on PostgreSQL: parameters
 * are $N, numbered as db.h binds them; a parameter whose type nothing
 * else in the statement gives is cast. Booleans stored as integers are
 * compared with 0. JSON a record carries is written as compact as
 * SQLite's json_object() writes it, member by member, so both engines
 * give the same bytes. A statement still NULL here is one the modules
 * of this build run on SQLite only.
 */
#include "sql.h"
#include "record.h"

#define ORDER_COLUMNS "channel, external_order_id, order_no, kind, workflow," \
	" status, department, warehouse, customer, shipping, eta, driver," \
	" placed_at, channel_updated_at, depart_time, complete_time," \
	" total_amount, currency, shipment"

#define PRODUCT_COLUMNS "channel, sku, name, category, price, cost," \
	" currency, stock"

/* A member of a compact JSON object: "name": value or null. */
#define MEMBER(first, name) "'" first "\"" name "\":' || coalesce(to_json(" \
	name ")::text, 'null')"
#define PRODUCT_JSON "(" MEMBER("{", "channel") " || " MEMBER(",", "sku") \
	" || " MEMBER(",", "name") " || " MEMBER(",", "category") " || " \
	MEMBER(",", "price") " || " MEMBER(",", "cost") " || " \
	MEMBER(",", "currency") " || " MEMBER(",", "stock") " || " \
	MEMBER(",", "version") " || " MEMBER(",", "created_at") " || " \
	MEMBER(",", "updated_at") " || '}')"
/* record: the order's record as last printed, when printed at the
 * version it is at now (lib/record.h); NULL else. */
#define KEPT_RENDERING "(SELECT r.rendering FROM order_renderings r" \
	" WHERE r.order_id = orders.id AND r.version = orders.version)"

/* stock: the catalog's listing (SQL_PRODUCT_LIST, lib/stock.h), and an item's units
 * wanted (its quantity less those cancelled). */
#define STOCK_RESERVED "CASE WHEN stock IS NULL THEN NULL ELSE reserved END"
#define STOCK_JSON "(" MEMBER("{", "channel") " || " MEMBER(",", "sku") \
	" || " MEMBER(",", "name") " || " MEMBER(",", "category") " || " \
	MEMBER(",", "price") " || " MEMBER(",", "cost") " || " \
	MEMBER(",", "currency") " || " MEMBER(",", "stock") " || " \
	" ',\"reserved\":' || coalesce(to_json(" STOCK_RESERVED ")::text," \
	" 'null') || ',\"available\":' ||" \
	" coalesce(to_json(stock - reserved)::text, 'null') || " \
	MEMBER(",", "version") " || " MEMBER(",", "created_at") " || " \
	MEMBER(",", "updated_at") " || '}')"
#define STOCK_WANT "greatest(i.quantity - coalesce((uoms_jsonb(i.extra)" \
	" ->> 'cancelled_quantity')::bigint, 0), 0)"
#define COST_JSON "(" MEMBER("{", "channel") " || " MEMBER(",", "sku") \
	" || " MEMBER(",", "valid_from") " || " MEMBER(",", "cost") " || '}')"

#define CHANNEL_COLUMNS "name, kind, base_url, workflow, enabled, settings," \
	" created_at, updated_at"
/* The names of the rows of x as a compact JSON array, as SQLite's
 * json_group_array() writes it. */
#define JSON_NAMES "coalesce('[' || string_agg(to_json(x.name)::text, ','" \
	" ORDER BY x.name) || ']', '[]')"

/* A member of a compact JSON object whose value is any expression. */
#define JM(first, key, expr) "'" first "\"" key "\":' || coalesce(to_json(" \
	expr ")::text, 'null')"

/*
 * edit: json_set of one member of an order's object, as SQLite writes
 * it: the members kept in their order and bytes, the one named replaced
 * in place or appended last; anything but an object counts as {}.
 */
#define EDIT_OBJ(obj) "(CASE json_typeof(" obj "::json) WHEN 'object'" \
	" THEN " obj "::json ELSE '{}'::json END)"
#define EDIT_MEMBER(obj, m) "UPDATE orders SET " obj " = (SELECT '{' ||" \
	" string_agg(to_json(k)::text || ':' || v, ',' ORDER BY n) || '}'" \
	" FROM (SELECT e.key AS k, CASE WHEN e.key = '" m "'" \
	" THEN coalesce(to_json($2::text)::text, 'null')" \
	" ELSE e.value::text END AS v, e.n" \
	" FROM json_each(" EDIT_OBJ(obj) ")" \
	" WITH ORDINALITY AS e(key, value, n)" \
	" UNION ALL SELECT '" m "'," \
	" coalesce(to_json($2::text)::text, 'null')," \
	" 9223372036854775807 WHERE NOT " EDIT_OBJ(obj) "::jsonb ? '" m "')" \
	" AS m) WHERE id = $1"

/* events: details are the JSON object the tools wrote (compact), {} for
 * none. */
#define EVENT_JSON "SELECT " JM("{", "id", "id") " || " \
	JM(",", "order_id", "order_id") " || " JM(",", "type", "type") \
	" || " JM(",", "from", "from_state") " || " JM(",", "to", "to_state") \
	" || " JM(",", "actor", "actor") " || " JM(",", "at", "at") " || " \
	JM(",", "version", "version") " || ',\"details\":' ||" \
	" coalesce(details, '{}') || '}', id FROM events WHERE id > $1"

/* The JSON object of a lock event's details. */
#define LOCK_DETAILS JM("{", "lock_type", "type") " || " \
	JM(",", "owner", "owner") " || " JM(",", "expires_at", "expires_at") \
	" || '}'"

/* A hold and a lock as their lists print them (hold.h, lock.h). */
#define HOLD_JSON "SELECT " JM("{", "id", "id") " || " \
	JM(",", "order_id", "order_id") " || " JM(",", "reason", "reason") \
	" || " JM(",", "note", "note") " || " JM(",", "state", "state") \
	" || " JM(",", "placed_by", "placed_by") " || " \
	JM(",", "placed_at", "placed_at") " || " \
	JM(",", "operator", "operator") " || " \
	JM(",", "operator_note", "operator_note") " || " \
	JM(",", "updated_at", "updated_at") " || '}' FROM holds"
#define LOCK_JSON "SELECT " JM("{", "order_id", "order_id") " || " \
	JM(",", "lock_type", "type") " || " JM(",", "owner", "owner") \
	" || " JM(",", "acquired_at", "acquired_at") " || " \
	JM(",", "expires_at", "expires_at") " || '}' FROM locks"

const char *const uoms_sql_pg[SQL_COUNT] = {
	/* A row either way: for a new order its id to be, no id at all
	 * (the INSERT then waits for nothing: uoms_ingest_order). */
	[SQL_ORDER_FIND] = "SELECT id, version, " ORDER_COLUMNS ", extra,"
	    " line_hash, line_version, CASE WHEN id IS NULL THEN"
	    " nextval(pg_get_serial_sequence('orders', 'id')) END,"
	    " deleted_at, " KEPT_RENDERING " FROM (SELECT) AS one"
	    " LEFT JOIN orders"
	    " ON channel = $1 AND external_order_id = $2",
	/*
	 * $1 is a JSON array of [line, channel, external_order_id]: each
	 * line whose order is not stored, the first of its key, and its id
	 * to be, taken in the lines' order (the sorted rows are numbered
	 * after the sort: OFFSET 0 keeps the subquery whole).
	 */
	[SQL_ORDER_AHEAD] = "SELECT i,"
	    " nextval(pg_get_serial_sequence('orders', 'id'))"
	    " FROM (SELECT (k.v->>0)::int AS i, o.id, row_number() OVER"
	    " (PARTITION BY k.v->>1, k.v->>2 ORDER BY (k.v->>0)::int) AS n"
	    " FROM json_array_elements($1::json) AS k(v) LEFT JOIN orders o"
	    " ON o.channel = k.v->>1 AND o.external_order_id = k.v->>2"
	    " ORDER BY 1 OFFSET 0) AS f WHERE id IS NULL AND n = 1",
	[SQL_ORDER_SAME_LINE] = "SELECT id, " KEPT_RENDERING " FROM orders"
	    " WHERE line_hash = $1 AND line_version = version"
	    " AND deleted_at IS NULL",
	/* The same for a batch: $1 is the lines' digests end to end, 16
	 * bytes each; line i's is the i-th (0-based). A line found with no
	 * record kept is looked up as any other. */
	[SQL_ORDER_SAME_LINES] = "SELECT k.i, o.id, r.rendering"
	    " FROM generate_series(0, length($1::bytea) / 16 - 1) AS k(i)"
	    " JOIN orders o"
	    " ON o.line_hash = substring($1::bytea FROM k.i * 16 + 1 FOR 16)"
	    " AND o.line_version = o.version AND o.deleted_at IS NULL"
	    " JOIN order_renderings r ON r.order_id = o.id"
	    " AND r.version = o.version",
	[SQL_ORDER_INSERT] = "INSERT INTO orders (" ORDER_COLUMNS ", extra,"
	    " version, created_at, updated_at, line_hash, line_version)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
	    " $14, $15, $16, $17, $18, $19, $20, 1, $21, $21, $22,"
	    " CASE WHEN $22::bytea IS NOT NULL THEN 1 END) RETURNING id",
	[SQL_ORDER_INSERT_AS] = "INSERT INTO orders (id, " ORDER_COLUMNS ","
	    " extra, version, created_at, updated_at, line_hash, line_version)"
	    " VALUES ($23, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
	    " $13, $14, $15, $16, $17, $18, $19, $20, 1, $21, $21, $22,"
	    " CASE WHEN $22::bytea IS NOT NULL THEN 1 END)",
	[SQL_ORDER_UPDATE] = "UPDATE orders SET order_no = $3, kind = $4,"
	    " workflow = $5, status = $6, department = $7, warehouse = $8,"
	    " customer = $9, shipping = $10, eta = $11, driver = $12,"
	    " placed_at = $13, channel_updated_at = $14, depart_time = $15,"
	    " complete_time = $16, total_amount = $17, currency = $18,"
	    " shipment = $19, extra = $20, version = version + 1,"
	    " updated_at = $21, line_hash = $23,"
	    " line_version = CASE WHEN $23::bytea IS NOT NULL"
	    " THEN version + 1 END"
	    " WHERE id = $22 RETURNING version",
	[SQL_ORDER_WORD] = "SELECT channel_updated_at, said"
	    " FROM channel_words WHERE order_id = $1",
	[SQL_ORDER_WORD_SAVE] = "INSERT INTO channel_words (order_id,"
	    " channel_updated_at, said) VALUES ($1, $2, $3)"
	    " ON CONFLICT (order_id) DO UPDATE SET"
	    " channel_updated_at = excluded.channel_updated_at,"
	    " said = excluded.said",
	[SQL_ORDER_DRIFT_HELD] = "SELECT EXISTS (SELECT 1 FROM channel_drifts"
	    " WHERE order_id = $1 AND status = $2)",
	[SQL_ORDER_DRIFT_NOTE] = "INSERT INTO channel_drifts (order_id,"
	    " status, held_at) VALUES ($1, $2, $3)",
	[SQL_ITEMS_FIND] = "SELECT external_item_id, sku, name, quantity,"
	    " unit_price, extra FROM order_items WHERE order_id = $1"
	    " ORDER BY seq",
	/* A record's items with their seq, sorted by the reader (record.c). */
	[SQL_ITEMS_UNSORTED] = "SELECT external_item_id, sku, name, quantity,"
	    " unit_price, extra, seq FROM order_items WHERE order_id = $1",
	[SQL_ITEMS_DELETE] = "DELETE FROM order_items WHERE order_id = $1",
	[SQL_ITEM_INSERT] = "INSERT INTO order_items (order_id, seq,"
	    " external_item_id, sku, name, quantity, unit_price, extra)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	[SQL_EVENT_INSERT] = "INSERT INTO events (order_id, type, from_state,"
	    " to_state, actor, at, version, details) VALUES ($1, $2, $3, $4,"
	    " $5, $6, $7, $8)",
	/* The order alone in SQL_RECORD's layout, its items read by
	 * SQL_ITEMS_UNSORTED: on a local store (record.c) the join's sort by
	 * seq carried every wide column of the order through a b-tree. */
	[SQL_RECORD_ALONE] = "SELECT " UOMS_RECORD_COLUMNS ", NULL, NULL,"
	    " NULL, NULL, NULL, NULL, o.deleted_at FROM orders o"
	    " WHERE o.id = $1",
	[SQL_RECORD] = "SELECT " UOMS_RECORD_COLUMNS ", i.external_item_id,"
	    " i.sku, i.name, i.quantity, i.unit_price, i.extra, o.deleted_at"
	    " FROM orders o LEFT JOIN order_items i ON i.order_id = o.id"
	    " WHERE o.id = $1"
	    " ORDER BY i.seq",
	[SQL_HOLDS_OPEN] = "SELECT id, reason, note, state, placed_by,"
	    " placed_at FROM holds WHERE order_id = $1 AND state <> 'resolved'"
	    " ORDER BY id",
	[SQL_RAW_INSERT] = "INSERT INTO raw_payloads (order_id, received_at,"
	    " payload) VALUES ($1, $2, $3)",
	[SQL_PRODUCT_FIND] = "SELECT " PRODUCT_COLUMNS ", extra, version"
	    " FROM products WHERE channel = $1 AND sku = $2",
	[SQL_PRODUCT_INSERT] = "INSERT INTO products (" PRODUCT_COLUMNS ","
	    " extra, version, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
	[SQL_PRODUCT_UPDATE] = "UPDATE products SET name = $3, category = $4,"
	    " price = $5, cost = $6, currency = $7, stock = $8, extra = $9,"
	    " version = version + 1, updated_at = $10"
	    " WHERE channel = $1 AND sku = $2 RETURNING version",
	[SQL_PRODUCT_RECORD] = "SELECT " PRODUCT_JSON ", extra FROM products"
	    " WHERE channel = $1 AND sku = $2",
	[SQL_PRODUCT_COST_PUT] = "INSERT INTO product_costs (channel, sku,"
	    " valid_from, cost) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (channel, sku, valid_from) DO UPDATE"
	    " SET cost = excluded.cost"
	    " WHERE product_costs.cost <> excluded.cost",
	[SQL_PRODUCT_COST_NOW] = "SELECT cost FROM product_costs"
	    " WHERE channel = $1 AND sku = $2"
	    " ORDER BY valid_from::timestamptz DESC, valid_from DESC LIMIT 1",
	[SQL_PRODUCT_LIST] = "SELECT " STOCK_JSON ", extra, channel, sku,"
	    " name, category, price, cost, currency, stock, " STOCK_RESERVED ","
	    " stock - reserved, version, created_at, updated_at FROM products"
	    " WHERE ($1::text IS NULL OR channel = $1)"
	    " AND ($2::text IS NULL OR sku = $2)"
	    " ORDER BY channel, sku",
	[SQL_PRODUCT_COST_LIST] = "SELECT " COST_JSON ", NULL,"
	    " channel, sku, valid_from, cost FROM product_costs"
	    " WHERE ($1::text IS NULL OR channel = $1)"
	    " AND ($2::text IS NULL OR sku = $2)"
	    " ORDER BY channel, sku, valid_from::timestamptz, valid_from",
	[SQL_STORE_REJECT] = "INSERT INTO rejects (tool, at, code, message,"
	    " line) VALUES ($1, $2, $3, $4, $5)",
	/* change */
	[SQL_CHANGE_TARGET_BY_ID] = "SELECT id, version, status, workflow,"
	    " order_no, deleted_at FROM orders WHERE id = $1",
	/* $1 is a JSON array of ids: one index scan for them all. */
	/* With each order's open holds and live locks (as of $2): checked
	 * with no round trip each. */
	[SQL_CHANGE_TARGET_AHEAD] = "SELECT o.id, o.version, o.status,"
	    " o.workflow, o.order_no, o.deleted_at, h.n, h.r,"
	    " (SELECT count(*) FROM locks WHERE order_id = o.id"
	    " AND expires_at > $2) FROM orders o"
	    " CROSS JOIN LATERAL (SELECT count(*) AS n, min(reason) AS r"
	    " FROM holds WHERE order_id = o.id AND state <> 'resolved') h"
	    " WHERE o.id = ANY (ARRAY(SELECT"
	    " json_array_elements_text($1::json)::bigint))",
	[SQL_CHANGE_TARGET_BY_KEY] = "SELECT id, version, status, workflow,"
	    " order_no, deleted_at FROM orders WHERE channel = $1 AND"
	    " external_order_id = $2",
	/* A deleted order's number is free: only its id finds it. */
	[SQL_CHANGE_TARGET_BY_NO] = "SELECT id, version, status, workflow,"
	    " order_no, deleted_at FROM orders WHERE order_no = $1"
	    " AND deleted_at IS NULL LIMIT 2",
	[SQL_CHANGE_ANY_LOCK] = "SELECT EXISTS (SELECT 1 FROM locks"
	    " WHERE expires_at > $1)",
	[SQL_CHANGE_ANY_HOLD] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved' AND $1::text IS NOT NULL)",
	[SQL_CHANGE_HOLDS] = "SELECT count(*), min(reason) FROM holds"
	    " WHERE order_id = $1 AND state <> 'resolved'",
	[SQL_DELETE_ORDER] = "UPDATE orders SET deleted_at = $2 WHERE id = $1",
	[SQL_CHANGE_BUMP] = "UPDATE orders SET version = $2,"
	    " updated_at = $3 WHERE id = $1",
	/* query */
	[SQL_QUERY_ANY_HOLD] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved')",
	/* idem */
	[SQL_IDEM_FIND] = "SELECT fingerprint, result FROM idempotency"
	    " WHERE actor = $1 AND key = $2 AND order_id = $3"
	    " AND expires_at > $4",
	[SQL_IDEM_PUT] = "INSERT INTO idempotency (actor, key, order_id,"
	    " fingerprint, result, created_at, expires_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
	    " ON CONFLICT (actor, key, order_id) DO UPDATE SET"
	    " fingerprint = excluded.fingerprint, result = excluded.result,"
	    " created_at = excluded.created_at,"
	    " expires_at = excluded.expires_at",
	[SQL_IDEM_EXPIRE] = "DELETE FROM idempotency WHERE expires_at <= $1",
	/* ingest */
	[SQL_INGEST_ORDER_HELD_ON_HOLD] =
	    "SELECT EXISTS (SELECT 1 FROM holds h"
	    " WHERE h.order_id = $1 AND h.state <> 'resolved'"
	    " AND NOT ($2::text IS NOT NULL AND EXISTS (SELECT 1"
	    " FROM channel_holds c WHERE c.hold_id = h.id AND c.present <> 0"
	    " AND c.key NOT IN (SELECT jsonb_array_elements_text($2::jsonb)))))"
	    " OR ($2::text IS NOT NULL AND EXISTS (SELECT 1"
	    " FROM jsonb_array_elements_text($2::jsonb) AS j(value)"
	    " WHERE NOT EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.order_id = $1 AND c.key = j.value)))",
	[SQL_INGEST_CHANNEL_STAMPS] = "UPDATE orders SET"
	    " depart_time = coalesce($2, depart_time),"
	    " complete_time = coalesce($3, complete_time) WHERE id = $1",
	[SQL_INGEST_DRIFT_HOLD] = "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at) VALUES ($1, 'other', $2,"
	    " $3, $4, 'open', $4)",
	[SQL_INGEST_CHOLD_EVENT_BUMP] =
	    "UPDATE orders SET version = version + 1,"
	    " updated_at = $2 WHERE id = $1 RETURNING version",
	[SQL_INGEST_CHOLD_PLACE_HOLD] =
	    "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at) VALUES ($1, 'other', $2,"
	    " $3, $4, 'open', $4) RETURNING id",
	[SQL_INGEST_CHOLD_PLACE_KEEP] =
	    "INSERT INTO channel_holds (order_id, key,"
	    " hold_id, present) VALUES ($1, $2, $3, 1)",
	[SQL_INGEST_CHOLD_NEWS] =
	    "SELECT EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.order_id = $1 AND c.present <> 0"
	    " AND c.key NOT IN (SELECT jsonb_array_elements_text($2::jsonb)))"
	    " OR EXISTS (SELECT 1 FROM jsonb_array_elements_text($2::jsonb)"
	    " AS j(value) WHERE NOT EXISTS (SELECT 1 FROM channel_holds c"
	    " WHERE c.order_id = $1 AND c.key = j.value AND c.present <> 0))",
	[SQL_INGEST_CHANNEL_HOLDS_SEEN] = "SELECT present FROM channel_holds"
	    " WHERE order_id = $1 AND key = $2",
	[SQL_INGEST_CHANNEL_HOLDS_BACK] =
	    "UPDATE channel_holds SET present = 1"
	    " WHERE order_id = $1 AND key = $2",
	[SQL_INGEST_CHANNEL_HOLDS_LISTED] = "SELECT c.key, c.hold_id, h.state"
	    " FROM channel_holds c JOIN holds h ON h.id = c.hold_id"
	    " WHERE c.order_id = $1 AND c.present <> 0 ORDER BY c.key",
	[SQL_INGEST_CHANNEL_HOLDS_GONE] =
	    "UPDATE channel_holds SET present = 0"
	    " WHERE order_id = $1 AND key = $2",
	[SQL_INGEST_CHANNEL_HOLDS_RESOLVE] =
	    "UPDATE holds SET state = 'resolved',"
	    " operator = $2, operator_note = $3, updated_at = $4"
	    " WHERE id = $1 AND state <> 'resolved'",
	/* channel */
	[SQL_CHANNEL_GET] = "SELECT " CHANNEL_COLUMNS " FROM channels"
	    " WHERE name = $1",
	[SQL_CHANNEL_LIST] = "SELECT " CHANNEL_COLUMNS " FROM channels"
	    " WHERE $1 = 0 OR enabled <> 0 ORDER BY name",
	[SQL_CHANNEL_INSERT] = "INSERT INTO channels (name, kind, base_url,"
	    " workflow, enabled, settings, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
	    " ON CONFLICT (name) DO NOTHING RETURNING name",
	[SQL_CHANNEL_UPDATE] = "UPDATE channels SET kind = $2,"
	    " base_url = $3, workflow = $4, enabled = $5, settings = $6,"
	    " updated_at = $7 WHERE name = $1",
	[SQL_CHANNEL_ENABLE] = "UPDATE channels SET enabled = $2,"
	    " updated_at = $3 WHERE name = $1 AND enabled <> $2",
	[SQL_CHANNEL_ORDERS] = "SELECT count(*) FROM orders"
	    " WHERE channel = $1",
	[SQL_CHANNEL_SECRETS_DELETE] = "DELETE FROM channel_secrets"
	    " WHERE channel = $1",
	[SQL_CHANNEL_DELETE] = "DELETE FROM channels"
	    " WHERE name = $1",
	[SQL_CHANNEL_WATERMARK_DELETE] = "DELETE FROM channel_watermarks"
	    " WHERE channel = $1",
	/* Settings are kept as compact JSON text: printed as they are. */
	[SQL_CHANNEL_LINES] = "SELECT " MEMBER("{", "name") " || "
	    MEMBER(",", "kind") " || " MEMBER(",", "base_url") " || "
	    MEMBER(",", "workflow") " || ',\"enabled\":' ||"
	    " CASE WHEN c.enabled <> 0 THEN 'true' ELSE 'false' END ||"
	    " ',\"settings\":' || c.settings || ',\"secrets\":' ||"
	    " (SELECT " JSON_NAMES " FROM channel_secrets x"
	    " WHERE x.channel = c.name AND (x.expires_at IS NULL"
	    " OR x.expires_at > $2)) || " MEMBER(",", "created_at") " || "
	    MEMBER(",", "updated_at") " || '}'"
	    " FROM channels c WHERE $1::text IS NULL OR c.name = $1"
	    " ORDER BY c.name",
	[SQL_CHANNEL_SECRET_WRITE] =
	    "INSERT INTO channel_secrets (channel, name,"
	    " key_id, nonce, ciphertext, tag, expires_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
	    " ON CONFLICT (channel, name) DO UPDATE SET"
	    " key_id = excluded.key_id, nonce = excluded.nonce,"
	    " ciphertext = excluded.ciphertext, tag = excluded.tag,"
	    " expires_at = excluded.expires_at,"
	    " updated_at = excluded.updated_at",
	[SQL_CHANNEL_SECRET_OTHER_KEY] = "SELECT key_id FROM channel_secrets"
	    " WHERE key_id <> $1 LIMIT 1",
	[SQL_CHANNEL_EXISTS] = "SELECT count(*) FROM channels"
	    " WHERE name = $1",
	[SQL_CHANNEL_SECRET_GET] = "SELECT key_id, nonce, ciphertext, tag,"
	    " expires_at IS NOT NULL AND expires_at <= $3"
	    " FROM channel_secrets WHERE channel = $1 AND name = $2",
	[SQL_CHANNEL_SECRET_NAMES] = "SELECT " JSON_NAMES
	    " FROM channel_secrets x WHERE x.channel = $1"
	    " AND (x.expires_at IS NULL OR x.expires_at > $2)",
	[SQL_CHANNEL_SECRETS_ALL] = "SELECT channel, name FROM"
	    " channel_secrets ORDER BY channel, name",
	[SQL_CHANNEL_SECRET_SEALED] = "SELECT key_id, nonce, ciphertext, tag,"
	    " expires_at FROM channel_secrets WHERE channel = $1 AND name = $2",
	[SQL_CHANNEL_HIGH_WATER] =
	    "SELECT max(channel_updated_at) FROM orders"
	    " WHERE channel = $1"
	    " AND ($2::text IS NULL OR channel_updated_at <= $2)",
	[SQL_CHANNEL_AHEAD] = "SELECT external_order_id,"
	    " channel_updated_at FROM orders WHERE channel = $1"
	    " AND channel_updated_at > $2 ORDER BY channel_updated_at DESC",
	/* A deleted order is not asked after again (lib/delete.h). */
	[SQL_CHANNEL_OPEN_BEFORE] = "SELECT external_order_id FROM orders"
	    " WHERE channel = $1 AND placed_at < $2 AND deleted_at IS NULL"
	    " AND strpos($3, chr(10) || coalesce(extra::jsonb"
	    " ->> 'channel_status', '') || chr(10)) = 0"
	    " ORDER BY placed_at, id LIMIT $4",
	[SQL_CHANNEL_WATERMARK_GET] = "SELECT read_to FROM channel_watermarks"
	    " WHERE channel = $1",
	[SQL_CHANNEL_WATERMARK_SET] =
	    "INSERT INTO channel_watermarks (channel,"
	    " read_to, updated_at) VALUES ($1, $2, $3) ON CONFLICT (channel)"
	    " DO UPDATE SET read_to = $2, updated_at = $3",
	/* push */
	[SQL_PUSH_TARGET] = "SELECT channel, external_order_id,"
	    " workflow, status, version, (shipment::jsonb ->> 'carrier'),"
	    " (shipment::jsonb ->> 'tracking_number') FROM orders"
	    " WHERE id = $1",
	[SQL_PUSH_SHIPPED] = "SELECT 1 FROM events WHERE order_id"
	    " = $1 AND type = 'status' AND to_state = $2 LIMIT 1",
	/* A claim older than an hour is no run's at work: its pid may
	 * have been reused by another process since. */
	[SQL_PUSH_STATE] = "SELECT state, pid, claimed_at >"
	    " to_char(now() AT TIME ZONE 'UTC' - interval '3600 seconds',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM pushes WHERE order_id = $1 AND what = $2",
	[SQL_PUSH_CLAIM] = "INSERT INTO pushes (order_id, what,"
	    " channel, state, attempts, pid, claimed_at) VALUES ($1, $2, $3,"
	    " 'sending', 1, $4, $5) ON CONFLICT (order_id, what) DO UPDATE"
	    " SET state = 'sending', attempts = pushes.attempts + 1, pid = $4,"
	    " claimed_at = $5, done_at = NULL",
	[SQL_PUSH_RECORD] = "UPDATE pushes SET state = $3, answer = $4,"
	    " pid = NULL, done_at = $5 WHERE order_id = $1 AND what = $2",
	/* report */
	/* The snapshot of SQLite's read transaction; read only, so it
	 * never waits for, nor fails on, a writer. */
	[SQL_REPORT_BEGIN] = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
	[SQL_REPORT_END] = "COMMIT",
	[SQL_REPORT_PLACED_SPAN] = "SELECT (SELECT"
	    " min(placed_at) FROM orders), (SELECT max(placed_at)"
	    " FROM orders)",
	[SQL_REPORT_COST_HISTORY] = "SELECT valid_from, cost FROM product_costs"
	    " WHERE sku = $2 AND channel = coalesce((SELECT h.channel"
	    " FROM product_costs h WHERE h.channel = $1 AND h.sku = $2"
	    " LIMIT 1), '') ORDER BY rtrim(valid_from, 'Z')",
	[SQL_REPORT_CATALOG_COST] = "SELECT cost FROM products WHERE sku = $2"
	    " AND channel IN ($1, '') ORDER BY channel = '' LIMIT 1",
	[SQL_REPORT_CATALOG_NAME] = "SELECT name FROM products WHERE sku = $2"
	    " AND channel IN ($1, '') AND name IS NOT NULL"
	    " ORDER BY channel = '' LIMIT 1",
	/* unixepoch(): trunc, as it cuts a fraction off. */
	[SQL_REPORT_HOLDS_PLACED] = "SELECT trunc(extract(epoch FROM"
	    " h.placed_at::timestamptz))::bigint, h.state"
	    " FROM holds h WHERE h.placed_at >= $1 AND h.placed_at < $2",
	[SQL_REPORT_REJECTS_AT] = "SELECT trunc(extract(epoch FROM"
	    " r.at::timestamptz))::bigint FROM rejects r"
	    " WHERE r.at >= $1 AND r.at < $2",

	/* run */
	[SQL_RUN_SAVEPOINT] = "SAVEPOINT line",
	[SQL_RUN_UNDO] = "ROLLBACK TO line",
	[SQL_RUN_RELEASE] = "RELEASE line",
	/* status */
	[SQL_STATUS_ENTER] = "UPDATE orders SET status = $2,"
	    " depart_time = CASE $3::int WHEN 1 THEN $5::text WHEN 0 THEN NULL"
	    " ELSE depart_time END,"
	    " complete_time = CASE $4::int WHEN 1 THEN $5::text"
	    " WHEN 0 THEN NULL ELSE complete_time END,"
	    " version = coalesce($6::bigint, version),"
	    " updated_at = CASE WHEN $6::bigint IS NULL THEN updated_at"
	    " ELSE $5::text END WHERE id = $1",
	/* edit */
	[SQL_EDIT_ETA] = "UPDATE orders SET eta = $2 WHERE id = $1",
	[SQL_EDIT_DEPARTMENT] = "UPDATE orders SET department = $2"
	    " WHERE id = $1",
	[SQL_EDIT_WAREHOUSE] = "UPDATE orders SET warehouse = $2 WHERE id = $1",
	[SQL_EDIT_KIND] = "UPDATE orders SET kind = $2 WHERE id = $1",
	[SQL_EDIT_CUSTOMER_NAME] = EDIT_MEMBER("customer", "name"),
	[SQL_EDIT_CUSTOMER_PHONE] = EDIT_MEMBER("customer", "phone"),
	[SQL_EDIT_SHIPPING_ADDRESS] = EDIT_MEMBER("shipping", "address"),
	[SQL_EDIT_SHIPPING_POSTAL_CODE] = EDIT_MEMBER("shipping",
	    "postal_code"),
	[SQL_EDIT_SHIPPING_ZONE] = EDIT_MEMBER("shipping", "zone"),
	[SQL_EDIT_SHIPMENT_CARRIER] = EDIT_MEMBER("shipment", "carrier"),
	[SQL_EDIT_SHIPMENT_TRACKING_NUMBER] = EDIT_MEMBER("shipment",
	    "tracking_number"),
	[SQL_EDIT_FIELDS] = "SELECT eta, department, warehouse, kind,"
	    " customer::jsonb ->> 'name', customer::jsonb ->> 'phone',"
	    " shipping::jsonb ->> 'address',"
	    " shipping::jsonb ->> 'postal_code',"
	    " shipping::jsonb ->> 'zone',"
	    " shipment::jsonb ->> 'carrier',"
	    " shipment::jsonb ->> 'tracking_number'"
	    " FROM orders WHERE id = $1",
	/* events */
	[SQL_EVENTS_AFTER] = EVENT_JSON " ORDER BY id",
	[SQL_EVENTS_ORDER] = EVENT_JSON " AND order_id = $2 ORDER BY id",
	[SQL_EVENTS_TYPE] = EVENT_JSON " AND type = $3 ORDER BY id",
	[SQL_EVENTS_ORDER_TYPE] = EVENT_JSON " AND order_id = $2"
	    " AND type = $3 ORDER BY id",
	/* assign */
	[SQL_ASSIGN_DRIVER] = "SELECT driver, driver::jsonb ->> 'name',"
	    " driver::jsonb ->> 'phone' FROM orders WHERE id = $1",
	[SQL_ASSIGN_SET] = "UPDATE orders SET driver = $2 WHERE id = $1",
	/* remark */
	[SQL_REMARK_ADD] = "INSERT INTO remarks (order_id, author,"
	    " created_at) VALUES ($1, $2, $3) RETURNING id",
	[SQL_REMARK_AUTHOR] = "SELECT r.author, (SELECT max(revision)"
	    " FROM remark_revisions WHERE remark_id = r.id) FROM remarks r"
	    " WHERE r.id = $1 AND r.order_id = $2",
	[SQL_REMARK_REVISION] = "INSERT INTO remark_revisions"
	    " (remark_id, revision, text, author, at)"
	    " VALUES ($1, $2, $3, $4, $5)",
	[SQL_REMARK_ORDER] = "SELECT order_id FROM remarks WHERE id = $1",
	[SQL_REMARK_LATEST] = "SELECT " JM("{", "id", "r.id") " || "
	    JM(",", "order_id", "r.order_id") " || " JM(",", "text", "v.text")
	    " || " JM(",", "author", "r.author") " || "
	    JM(",", "created_at", "r.created_at") " || "
	    JM(",", "updated_at", "v.at") " || "
	    JM(",", "revision", "v.revision") " || '}' FROM remarks r"
	    " JOIN remark_revisions v ON v.remark_id = r.id"
	    " AND v.revision = (SELECT max(revision) FROM remark_revisions"
	    " WHERE remark_id = r.id)"
	    " WHERE r.order_id = $1 ORDER BY r.id",
	[SQL_REMARK_HISTORY] = "SELECT " JM("{", "remark_id", "v.remark_id")
	    " || " JM(",", "revision", "v.revision") " || "
	    JM(",", "text", "v.text") " || " JM(",", "author", "v.author")
	    " || " JM(",", "at", "v.at") " || '}' FROM remarks r"
	    " JOIN remark_revisions v ON v.remark_id = r.id"
	    " WHERE r.order_id = $1 ORDER BY v.remark_id, v.revision",
	/* hold */
	[SQL_HOLD_PLACE] = "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, 'open', $5) RETURNING id",
	[SQL_HOLD_STATE] = "SELECT state FROM holds"
	    " WHERE id = $1 AND order_id = $2",
	[SQL_HOLD_ADMINS] = "SELECT h.id, h.reason, h.placed_by,"
	    " coalesce(u.role, '') FROM holds h"
	    " LEFT JOIN users u ON u.name = h.placed_by"
	    " WHERE h.order_id = $1 AND ($2::bigint IS NULL OR h.id = $2)"
	    " AND (h.state = 'open' OR ($3::int <> 0"
	    " AND h.state = 'acknowledged'))"
	    " AND (h.reason = 'fraud_suspected' OR u.role = 'admin')"
	    " ORDER BY h.id LIMIT 1",
	[SQL_HOLD_STEP] = "UPDATE holds SET state = $2, operator = $3,"
	    " operator_note = $4, updated_at = $5"
	    " WHERE order_id = $1 AND ($7::bigint IS NULL OR id = $7)"
	    " AND (state = 'open' OR ($6::int <> 0"
	    " AND state = 'acknowledged')) RETURNING id",
	[SQL_HOLD_LIST] = HOLD_JSON " WHERE $1::text IS NULL OR state = $1"
	    " ORDER BY placed_at DESC, id DESC",
	[SQL_HOLD_LIST_ORDER] = HOLD_JSON " WHERE order_id = $2"
	    " AND ($1::text IS NULL OR state = $1)"
	    " ORDER BY placed_at DESC, id DESC",
	/* user */
	[SQL_USER_ACTOR] = "SELECT role, department, disabled FROM users"
	    " WHERE name = $1",
	/* The details the tool wrote (a compact object without user, or
	 * NULL) with the user's name last, as json_set appends it. */
	[SQL_USER_EVENT] = "INSERT INTO events (type, actor, at, details)"
	    " VALUES ($1, $2, $3, CASE WHEN $5::text IS NULL OR $5 = '{}'"
	    " THEN '{' ELSE left($5, -1) || ',' END || '\"user\":' ||"
	    " coalesce(to_json($4::text)::text, 'null') || '}')",
	[SQL_USER_ADD] = "INSERT INTO users (name, role, department,"
	    " password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4,"
	    " $5, $5)",
	[SQL_USER_PASSWD] = "UPDATE users SET password_hash = $2,"
	    " updated_at = $3 WHERE name = $1",
	[SQL_USER_SET] = "UPDATE users SET role = coalesce($2, role),"
	    " department = CASE WHEN $3::text IS NULL THEN department"
	    " ELSE nullif($3, '') END, updated_at = $4 WHERE name = $1",
	[SQL_USER_DISABLE] = "UPDATE users SET disabled = 1,"
	    " updated_at = $2 WHERE name = $1",
	[SQL_USER_VERIFY] = "SELECT password_hash FROM users"
	    " WHERE name = $1 AND disabled = 0 AND password_hash IS NOT NULL",
	[SQL_USER_LIST] = "SELECT " JM("{", "name", "name") " || "
	    JM(",", "role", "role") " || " JM(",", "department", "department")
	    " || ',\"password_set\":' || CASE WHEN password_hash IS NULL"
	    " THEN 'false' ELSE 'true' END || ',\"disabled\":' ||"
	    " CASE WHEN disabled <> 0 THEN 'true' ELSE 'false' END || "
	    JM(",", "created_at", "created_at") " || "
	    JM(",", "updated_at", "updated_at") " || '}' FROM users"
	    " WHERE $1::text IS NULL OR name = $1 ORDER BY name",
	[SQL_USER_ADMINS] = "SELECT count(*) FROM users"
	    " WHERE role = 'admin' AND disabled = 0",
	/* session */
	[SQL_SESSION_PUT] = "INSERT INTO refresh_tokens (hash, family,"
	    " username, used, expires_at, created_at)"
	    " VALUES ($1, $2, $3, 0, $4, $5)",
	[SQL_SESSION_GET] = "SELECT family, username, used, expires_at"
	    " FROM refresh_tokens WHERE hash = $1",
	/* Only an unused token: of two requests with the same one, the
	 * second changes nothing and is taken for a reuse. */
	[SQL_SESSION_USE] = "UPDATE refresh_tokens SET used = 1"
	    " WHERE hash = $1 AND used = 0",
	[SQL_SESSION_REVOKE] = "UPDATE refresh_tokens SET used = 1"
	    " WHERE family = $1",
	[SQL_SESSION_EXPIRE] = "DELETE FROM refresh_tokens"
	    " WHERE expires_at <= $1",
	[SQL_SESSION_FAILURES] = "SELECT count(*), min(at) FROM login_failures"
	    " WHERE kind = $1 AND subject = $2 AND at > $3",
	[SQL_SESSION_FAIL] = "INSERT INTO login_failures (kind, subject, at)"
	    " VALUES ($1, $2, $3)",
	[SQL_SESSION_CLEAR] = "DELETE FROM login_failures"
	    " WHERE kind = 'user' AND subject = $1",
	[SQL_SESSION_FORGET] = "DELETE FROM login_failures WHERE at <= $1",
	/* lock */
	[SQL_LOCK_CONFLICT] = "SELECT owner, type, expires_at FROM locks"
	    " WHERE order_id = $1 AND owner <> $2 AND expires_at > $3"
	    " AND (type = $4 OR type = 'EDIT' OR ($5::int <> 0"
	    " AND $4 = 'EDIT')) ORDER BY type = 'EDIT' DESC LIMIT 1",
	[SQL_LOCK_EVENT] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) VALUES ($1, $2, $3, $4, "
	    JM("{", "lock_type", "$5::text") " || "
	    JM(",", "expires_at", "$6::text") " || '}')",
	[SQL_LOCK_ACQUIRE] = "INSERT INTO locks (order_id, type, owner,"
	    " acquired_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
	    " ON CONFLICT (order_id, type) DO UPDATE SET owner = $3,"
	    " acquired_at = CASE WHEN locks.owner = $3"
	    " THEN locks.acquired_at ELSE $4 END, expires_at = $5",
	[SQL_LOCK_EXPIRES] = "SELECT expires_at FROM locks"
	    " WHERE order_id = $1 AND type = $2 AND owner = $3",
	[SQL_LOCK_RENEW] = "UPDATE locks SET expires_at = $4"
	    " WHERE order_id = $1 AND type = $2 AND owner = $3"
	    " AND expires_at > $5",
	[SQL_LOCK_BREAK_EVENT] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) SELECT order_id, 'lock_broken', $3, $4, "
	    LOCK_DETAILS " FROM locks WHERE order_id = $1 AND type = $2"
	    " AND owner = $5",
	[SQL_LOCK_DELETE] = "DELETE FROM locks WHERE order_id = $1"
	    " AND type = $2 AND owner = $3",
	[SQL_LOCK_LIVE_OWNER] = "SELECT owner FROM locks WHERE order_id = $1"
	    " AND type = $2 AND expires_at > $3",
	[SQL_LOCK_OWNER_BREAK] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) SELECT order_id, 'lock_broken', $2, $3, "
	    LOCK_DETAILS " FROM locks WHERE owner = $1 AND expires_at > $4"
	    " ORDER BY order_id, type",
	[SQL_LOCK_OWNER_DELETE] = "DELETE FROM locks WHERE owner = $1",
	[SQL_LOCK_LIST] = LOCK_JSON " WHERE expires_at > $1"
	    " AND ($3::int <> 0 OR owner = $2) ORDER BY order_id, type",
	[SQL_LOCK_LIST_ORDER] = LOCK_JSON " WHERE order_id = $2"
	    " AND expires_at > $1 ORDER BY type",
	[SQL_LOCK_CLEANUP] = "DELETE FROM locks WHERE expires_at <= $1",
	/* notify */
	[SQL_NOTIFY_TARGET_ADD] = "INSERT INTO notify_targets (name, origin,"
	    " key_id, nonce, ciphertext, tag, created_at, updated_at) VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (name) DO NOTHING",
	[SQL_NOTIFY_TARGET_GET] = "SELECT key_id, nonce, ciphertext, tag"
	    " FROM notify_targets WHERE name = $1",
	[SQL_NOTIFY_TARGET_LIST] = "SELECT name, origin, created_at"
	    " FROM notify_targets ORDER BY name",
	[SQL_NOTIFY_TARGET_REMOVE] = "DELETE FROM notify_targets"
	    " WHERE name = $1",
	/* A key already sent, or being sent, is not claimed again (no
	 * row comes back); one whose sending failed is. */
	[SQL_NOTIFY_CLAIM] = "INSERT INTO notify_log (target, key, state,"
	    " attempts, pid, created_at, updated_at) VALUES ($1, $2,"
	    " 'sending', 0, $3, $4, $4) ON CONFLICT (target, key) DO UPDATE"
	    " SET state = 'sending', pid = $3, last_error = NULL,"
	    " updated_at = $4 WHERE notify_log.state = 'failed'"
	    " RETURNING id, attempts",
	[SQL_NOTIFY_STATE] = "SELECT state, attempts FROM notify_log"
	    " WHERE target = $1 AND key = $2",
	[SQL_NOTIFY_RECORD] = "UPDATE notify_log SET state = $2,"
	    " attempts = $3, status = $4, last_error = $5,"
	    " pid = CASE WHEN $2 IN ('sent', 'failed') THEN NULL ELSE pid END,"
	    " updated_at = $6 WHERE id = $1",
	/* set-based status pipeline (issue 11 j, issue 14 item 1) */
	/* The records of a batch's orders, read back at once (change.h,
	 * uoms_change_later): SQL_RECORD's rows, by order. */
	[SQL_RECORDS] = "SELECT " UOMS_RECORD_COLUMNS ", i.external_item_id,"
	    " i.sku, i.name, i.quantity, i.unit_price, i.extra, o.deleted_at"
	    " FROM orders o LEFT JOIN order_items i ON i.order_id = o.id"
	    " WHERE o.id = ANY (ARRAY(SELECT"
	    " json_array_elements_text($1::json)::bigint))"
	    " ORDER BY o.id, i.seq",
	/* A batch's staged status changes (change.h): SQL_STATUS_ENTER's
	 * parameters as objects {i: id, s: to, d: depart, c: complete,
	 * a: now, v: version}, each parsed once. */
	[SQL_CHANGE_STAGED_MOVES] = "UPDATE orders o SET status = m.s,"
	    " depart_time = CASE m.d WHEN 1 THEN m.a WHEN 0 THEN NULL"
	    " ELSE o.depart_time END,"
	    " complete_time = CASE m.c WHEN 1 THEN m.a WHEN 0 THEN NULL"
	    " ELSE o.complete_time END,"
	    " version = m.v, updated_at = m.a"
	    " FROM json_to_recordset($1::json) AS m(i bigint, s text, d int,"
	    " c int, a text, v bigint) WHERE o.id = m.i",
	/* Their events, in line order: SQL_EVENT_INSERT's parameters as
	 * objects {i: order_id, t: type, f: from, o: to, u: actor, a: at,
	 * v: version, d: details}. */
	[SQL_CHANGE_STAGED_EVENTS] = "INSERT INTO events (order_id, type,"
	    " from_state, to_state, actor, at, version, details)"
	    " SELECT m.i, m.t, m.f, m.o, m.u, m.a, m.v, m.d"
	    " FROM ROWS FROM (json_to_recordset($1::json) AS (i bigint,"
	    " t text, f text, o text, u text, a text, v bigint, d text))"
	    " WITH ORDINALITY AS m(i, t, f, o, u, a, v, d, n) ORDER BY m.n",
	/* alerts (issue 13 item 5) */
	[SQL_ALERT_FIRING] = "SELECT id, subject, state FROM alerts"
	    " WHERE name = $1 AND state <> 'resolved' ORDER BY id",
	/* Not again while one is open or acknowledged: the partial unique
	 * index refuses it and no row comes back. */
	[SQL_ALERT_OPEN] = "INSERT INTO alerts (name, subject, figure, state,"
	    " value, threshold, opened_at) VALUES ($1, $2, $3, 'open', $4, $5,"
	    " $6) ON CONFLICT DO NOTHING RETURNING id",
	[SQL_ALERT_VALUE] = "UPDATE alerts SET value = $2 WHERE id = $1",
	[SQL_ALERT_RESOLVE] = "UPDATE alerts SET state = 'resolved',"
	    " value = $2, resolved_at = $3 WHERE id = $1"
	    " AND state <> 'resolved'",
	[SQL_ALERT_ACK] = "UPDATE alerts SET state = 'acknowledged',"
	    " acknowledged_by = $2, acknowledged_at = $3, note = $4"
	    " WHERE id = $1 AND state = 'open'",
	[SQL_ALERT_GET] = "SELECT id, name, subject, figure, state, value,"
	    " threshold, opened_at, acknowledged_by, acknowledged_at, note,"
	    " resolved_at FROM alerts WHERE id = $1",
	[SQL_ALERT_LIST] = "SELECT id, name, subject, figure, state, value,"
	    " threshold, opened_at, acknowledged_by, acknowledged_at, note,"
	    " resolved_at FROM alerts"
	    " WHERE $1::text IS NULL OR state = $1 ORDER BY id",
	/* A fetch that failed keeps the time of the last that did not. */
	[SQL_ALERT_FETCH_MARK] = "INSERT INTO channel_fetches (channel,"
	    " ok_at, failed_at, auth_failed, updated_at) VALUES ($1,"
	    " CASE WHEN $2::int <> 0 THEN $4::text END,"
	    " CASE WHEN $2::int = 0 THEN $4::text END,"
	    " $3, $4) ON CONFLICT (channel) DO UPDATE SET"
	    " ok_at = coalesce(excluded.ok_at, channel_fetches.ok_at),"
	    " failed_at = coalesce(excluded.failed_at,"
	    " channel_fetches.failed_at), auth_failed = excluded.auth_failed,"
	    " updated_at = excluded.updated_at",
	/* A channel never fetched counts from when it was registered. */
	[SQL_ALERT_FETCHES] = "SELECT c.name, trunc(extract(epoch FROM"
	    " coalesce(f.ok_at, c.created_at)::timestamptz))::bigint,"
	    " coalesce(f.auth_failed, 0) FROM channels c"
	    " LEFT JOIN channel_fetches f ON f.channel = c.name"
	    " WHERE c.enabled <> 0 ORDER BY c.name",
	[SQL_ALERT_HELD] = "SELECT count(DISTINCT h.order_id) FROM holds h"
	    " JOIN orders o ON o.id = h.order_id WHERE h.state <> 'resolved'"
	    " AND h.placed_at < $1 AND o.deleted_at IS NULL",
	/* Alerts firing at some time of the range: opened before its end,
	 * not resolved before its start. */
	[SQL_REPORT_ALERTS] = "SELECT trunc(extract(epoch FROM"
	    " opened_at::timestamptz))::bigint, trunc(extract(epoch FROM"
	    " resolved_at::timestamptz))::bigint FROM alerts"
	    " WHERE opened_at < $2"
	    " AND (resolved_at IS NULL OR resolved_at >= $1)",
	/* stock (issue 13, item 2): lib/stock.h. */
	/* An order's units wanted per tracked product: the channel's own
	 * product when it has a stock, else the shared one's with a stock;
	 * cancelled units are not wanted. Ordered, so that two writers
	 * would take their rows in one order. */
	[SQL_STOCK_WANTED] = "SELECT p.channel, p.sku, sum(" STOCK_WANT ")::bigint,"
	    " p.stock - p.reserved, o.status, o.workflow"
	    " FROM order_items i JOIN orders o ON o.id = i.order_id"
	    " JOIN products p ON p.sku = i.sku AND p.stock IS NOT NULL"
	    " AND p.channel = CASE WHEN EXISTS (SELECT 1 FROM products c"
	    " WHERE c.channel = o.channel AND c.sku = i.sku"
	    " AND c.stock IS NOT NULL) THEN o.channel ELSE '' END"
	    " WHERE i.order_id = $1 GROUP BY p.channel, p.sku, p.stock,"
	    " p.reserved, o.status, o.workflow"
	    " HAVING sum(" STOCK_WANT ") > 0 ORDER BY p.channel, p.sku",
	/* Takes $3 units only when there are: no read, then write. */
	[SQL_STOCK_TAKE] = "UPDATE products SET reserved = reserved + $3"
	    " WHERE channel = $1 AND sku = $2 AND stock IS NOT NULL"
	    " AND stock - reserved >= $3 RETURNING stock - reserved",
	[SQL_STOCK_GIVE_BACK] = "UPDATE products SET reserved = reserved - $3"
	    " WHERE channel = $1 AND sku = $2",
	[SQL_STOCK_RESERVE] = "INSERT INTO stock_reservations (order_id,"
	    " channel, sku, quantity, state, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, 'reserved', $5, $5)",
	/* An order's reservations held, with the units its items want now. */
	[SQL_STOCK_RESERVED] = "SELECT r.channel, r.sku, r.quantity,"
	    " coalesce((SELECT sum(" STOCK_WANT ")::bigint FROM order_items i"
	    " WHERE i.order_id = r.order_id AND i.sku = r.sku), 0)"
	    " FROM stock_reservations r WHERE r.order_id = $1"
	    " AND r.state = 'reserved' ORDER BY r.channel, r.sku",
	[SQL_STOCK_SET] = "UPDATE stock_reservations SET quantity = $4,"
	    " state = $5, updated_at = $6"
	    " WHERE order_id = $1 AND channel = $2 AND sku = $3",
	/* Every reservation the order holds, given back or taken out of
	 * stock, in one write each (no read: a status change's writes go
	 * unawaited on PostgreSQL); then marked. */
	[SQL_STOCK_RELEASE_ALL] = "UPDATE products SET reserved = reserved -"
	    " (SELECT r.quantity FROM stock_reservations r"
	    " WHERE r.order_id = $1 AND r.state = 'reserved'"
	    " AND r.channel = products.channel AND r.sku = products.sku)"
	    " WHERE (channel, sku) IN (SELECT channel, sku"
	    " FROM stock_reservations WHERE order_id = $1"
	    " AND state = 'reserved')",
	[SQL_STOCK_CONSUME_ALL] = "UPDATE products SET"
	    " stock = stock - (SELECT r.quantity FROM stock_reservations r"
	    " WHERE r.order_id = $1 AND r.state = 'reserved'"
	    " AND r.channel = products.channel AND r.sku = products.sku),"
	    " reserved = reserved - (SELECT r.quantity FROM"
	    " stock_reservations r WHERE r.order_id = $1"
	    " AND r.state = 'reserved' AND r.channel = products.channel"
	    " AND r.sku = products.sku)"
	    " WHERE (channel, sku) IN (SELECT channel, sku"
	    " FROM stock_reservations WHERE order_id = $1"
	    " AND state = 'reserved')",
	[SQL_STOCK_MARK_ALL] = "UPDATE stock_reservations SET state = $2,"
	    " updated_at = $3 WHERE order_id = $1 AND state = 'reserved'",
	/* The catalog's listing with what is reserved and available. */
	/* intake rules (lib/rules.c): orders to one phone or address
	 * since $2, by the expressions migration 15 indexes. */
	[SQL_RULES_SAME_PHONE] = "SELECT count(*) FROM orders"
	    " WHERE (uoms_jsonb(customer) ->> 'phone') = $1"
	    " AND created_at >= $2",
	[SQL_RULES_SAME_ADDRESS] = "SELECT count(*) FROM orders"
	    " WHERE lower(btrim(uoms_jsonb(shipping) ->> 'address'))"
	    " = lower(btrim($1)) AND created_at >= $2",
	/* a record kept as last printed (issue 14 item 2, lib/record.h) */
	[SQL_RENDERING_PUT] = "INSERT INTO order_renderings (order_id,"
	    " version, rendering) VALUES ($1, $2, $3) ON CONFLICT (order_id)"
	    " DO UPDATE SET version = excluded.version,"
	    " rendering = excluded.rendering",
	/* issue 14, fresh ingest: is any product tracked? (lib/stock.c) */
	[SQL_STOCK_ANY] = "SELECT EXISTS (SELECT 1 FROM products"
	    " WHERE stock IS NOT NULL)",
	/* What SQL_RULES_SAME_* count by, made when first asked (lib/rules.c;
	 * migration 20 dropped them): through uoms_jsonb, text jsonb refuses
	 * is left out of the index, not refused. */
	[SQL_RULES_INDEX_PHONE] = "CREATE INDEX IF NOT EXISTS"
	    " orders_rules_phone ON orders"
	    " ((uoms_jsonb(customer) ->> 'phone'), created_at)",
	[SQL_RULES_INDEX_ADDRESS] = "CREATE INDEX IF NOT EXISTS"
	    " orders_rules_address ON orders"
	    " ((lower(btrim(uoms_jsonb(shipping) ->> 'address'))), created_at)",
	/* Asked first: CREATE INDEX IF NOT EXISTS takes a share lock on
	 * orders even when there is nothing to make, and waits for a
	 * vacuum of it. */
	[SQL_RULES_INDEXED] = "SELECT (to_regclass('orders_rules_phone')"
	    " IS NOT NULL)::int + (to_regclass('orders_rules_address')"
	    " IS NOT NULL)::int",
	/* a move that settles no reservation (lib/stock.c): the catalog is
	 * small; the reservations, one or more an order, are not. */
	[SQL_STOCK_ANY_RESERVED] = "SELECT EXISTS (SELECT 1 FROM products"
	    " WHERE reserved > 0)",
};
