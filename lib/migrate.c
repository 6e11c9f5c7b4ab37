/*
 * The schema, as numbered migrations applied in order. A store records
 * the number it is at in PRAGMA user_version; a store at a higher number
 * than this build knows is refused rather than misread.
 */
#include <stddef.h>

#include "store_priv.h"

static const char *const migrations[] = {
	/* 1: orders, items, products, events, holds, raw payloads. */
	"CREATE TABLE orders ("
	" id INTEGER PRIMARY KEY,"
	" channel TEXT NOT NULL,"
	" external_order_id TEXT NOT NULL,"
	" order_no TEXT,"
	" kind TEXT NOT NULL,"
	" workflow TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" department TEXT,"
	" warehouse TEXT,"
	" customer TEXT,"		/* JSON object, kept as received */
	" shipping TEXT,"		/* JSON object */
	" eta TEXT,"
	" driver TEXT,"			/* JSON object */
	" placed_at TEXT,"
	" channel_updated_at TEXT,"
	" depart_time TEXT,"
	" complete_time TEXT,"
	" total_amount INTEGER,"
	" currency TEXT,"
	" extra TEXT,"			/* JSON object: members we don't know */
	/* The input line last applied and the version it made: the same
	 * line again, with no change since, is known unchanged unparsed. */
	" line_hash BLOB,"
	" line_version INTEGER,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" UNIQUE (channel, external_order_id));"
	"CREATE INDEX orders_status ON orders (status);"
	"CREATE INDEX orders_order_no ON orders (order_no);"
	"CREATE INDEX orders_placed_at ON orders (placed_at);"
	"CREATE INDEX orders_department ON orders (department, status);"
	"CREATE INDEX orders_line_hash ON orders (line_hash);"
	"CREATE TABLE order_items ("
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" external_item_id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" sku TEXT,"
	" name TEXT,"
	" quantity INTEGER NOT NULL,"
	" unit_price INTEGER,"
	" extra TEXT,"
	" PRIMARY KEY (order_id, external_item_id)) WITHOUT ROWID;"
	"CREATE TABLE products ("
	" sku TEXT PRIMARY KEY,"
	" name TEXT,"
	" category TEXT,"
	" price INTEGER,"
	" cost INTEGER,"
	" stock INTEGER,"
	" extra TEXT,"
	" version INTEGER NOT NULL,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY,"	/* the offset uoms-events reads from */
	" order_id INTEGER REFERENCES orders (id),"
	" type TEXT NOT NULL,"
	" from_state TEXT,"
	" to_state TEXT,"
	" actor TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" version INTEGER,"
	" details TEXT);"		/* JSON object */
	"CREATE INDEX events_order ON events (order_id, id);"
	"CREATE TABLE holds ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" reason TEXT NOT NULL,"
	" note TEXT,"
	" placed_by TEXT NOT NULL,"
	" placed_at TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'open',"
	" operator TEXT,"
	" operator_note TEXT,"
	" updated_at TEXT NOT NULL);"
	"CREATE INDEX holds_open ON holds (order_id) WHERE state <> 'resolved';"
	"CREATE TABLE raw_payloads ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER REFERENCES orders (id),"
	" received_at TEXT NOT NULL,"
	" payload TEXT NOT NULL);"
	"CREATE INDEX raw_payloads_order ON raw_payloads (order_id);",

	/* 2: users and roles, locks, idempotency keys, remarks. */
	"CREATE TABLE users ("
	" name TEXT PRIMARY KEY,"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'user')),"
	" department TEXT,"
	" password_hash TEXT,"		/* bcrypt, never the password */
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE locks ("
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" type TEXT NOT NULL CHECK (type IN ('EDIT', 'STATUS', 'ASSIGN',"
	" 'REMARK')),"
	" owner TEXT NOT NULL,"
	" acquired_at TEXT NOT NULL,"
	" expires_at TEXT NOT NULL,"
	" PRIMARY KEY (order_id, type));"
	"CREATE INDEX locks_expires ON locks (expires_at);"
	"CREATE TABLE idempotency ("
	" actor TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" order_id INTEGER NOT NULL,"
	" fingerprint TEXT NOT NULL,"
	" result TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" expires_at TEXT NOT NULL,"
	" PRIMARY KEY (actor, key, order_id));"
	"CREATE INDEX idempotency_expires ON idempotency (expires_at);"
	"CREATE TABLE remarks ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" author TEXT NOT NULL,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX remarks_order ON remarks (order_id);"
	"CREATE TABLE remark_revisions ("
	" remark_id INTEGER NOT NULL REFERENCES remarks (id),"
	" revision INTEGER NOT NULL,"
	" text TEXT NOT NULL,"
	" author TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" PRIMARY KEY (remark_id, revision));",

	/* 3: channels and their encrypted secrets; refused lines, counted. */
	"CREATE TABLE channels ("
	" name TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" base_url TEXT,"
	" workflow TEXT,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" settings TEXT NOT NULL DEFAULT '{}',"	/* JSON object, no secrets */
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE channel_secrets ("
	" channel TEXT NOT NULL REFERENCES channels (name),"
	" name TEXT NOT NULL,"
	" key_id TEXT NOT NULL,"		/* which key sealed it */
	" nonce BLOB NOT NULL,"
	" ciphertext BLOB NOT NULL,"		/* AES-256-GCM, never clear */
	" tag BLOB NOT NULL,"
	" expires_at TEXT,"			/* for cached tokens */
	" updated_at TEXT NOT NULL,"
	" PRIMARY KEY (channel, name));"
	"CREATE TABLE rejects ("
	" id INTEGER PRIMARY KEY,"
	" tool TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" code TEXT NOT NULL,"
	" message TEXT,"
	" line INTEGER);"
	"CREATE INDEX rejects_at ON rejects (at);",

	/* 4: how far each channel's orders were fetched with every page
	 * read (uoms-fetch(1)): a fetch that stops half-way leaves it, so
	 * the next one starts early enough to read what was missed. */
	"CREATE TABLE channel_watermarks ("
	" channel TEXT PRIMARY KEY,"
	" read_to TEXT NOT NULL,"		/* RFC 3339 UTC */
	" updated_at TEXT NOT NULL);",

	/* 5: the catalog per channel (channel '' holds what every channel
	 * shares), with each product's currency, and what a product cost
	 * from when: profit takes the cost at the time of the sale, so a
	 * cost raised today never rewrites last month's profit. */
	"CREATE TABLE catalog ("
	" channel TEXT NOT NULL DEFAULT '',"
	" sku TEXT NOT NULL,"
	" name TEXT,"
	" category TEXT,"
	" price INTEGER,"
	" cost INTEGER,"
	" currency TEXT,"
	" stock INTEGER,"
	" extra TEXT,"
	" version INTEGER NOT NULL,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" PRIMARY KEY (channel, sku));"
	"INSERT INTO catalog (channel, sku, name, category, price, cost, stock,"
	" extra, version, created_at, updated_at) SELECT '', sku, name,"
	" category, price, cost, stock, extra, version, created_at, updated_at"
	" FROM products;"
	"CREATE TABLE product_costs ("
	" channel TEXT NOT NULL,"
	" sku TEXT NOT NULL,"
	" valid_from TEXT NOT NULL,"		/* RFC 3339 UTC */
	" cost INTEGER NOT NULL,"
	" PRIMARY KEY (channel, sku, valid_from));"
	"INSERT INTO product_costs (channel, sku, valid_from, cost)"
	" SELECT '', sku, created_at, cost FROM products"
	" WHERE cost IS NOT NULL;"
	"DROP TABLE products;"
	"ALTER TABLE catalog RENAME TO products;",

	/* 6: channel sync (uoms(7)): what each order's channel said last,
	 * apart from the order's record, so a line is merged against it and
	 * only what the channel changed since is applied; and which channel
	 * statuses already held an order, so a resolved drift stays so.
	 * The drift holds placed before are counted as held. */
	"CREATE TABLE channel_words ("
	" order_id INTEGER PRIMARY KEY REFERENCES orders (id),"
	" channel_updated_at TEXT,"		/* the newest the channel gave */
	/* 8 bytes of SHA-256 per member it gave (lib/ingest.c), 0 for
	 * one it never did: it is only compared, never shown. */
	" said BLOB NOT NULL);"
	"CREATE TABLE channel_drifts ("
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" status TEXT NOT NULL,"		/* the channel's, not held again */
	" held_at TEXT NOT NULL,"
	" PRIMARY KEY (order_id, status)) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO channel_drifts (order_id, status, held_at)"
	" SELECT order_id, substr(note, 33, instr(note, ', the store has ')"
	" - 33), placed_at FROM holds WHERE reason = 'other'"
	" AND note LIKE 'channel drift: the channel says %, the store has %';",

	/* 7: the shipment (carrier and tracking number) an order left
	 * with; and the channel's open requests that hold an order
	 * (channel_holds of its lines, uoms(7)): each key once per order,
	 * with the hold it placed, and whether the channel's last line
	 * still has it (present) so that its end resolves the hold once.
	 * A key is never dropped: a request whose hold an operator
	 * resolved does not hold the order again. */
	"ALTER TABLE orders ADD COLUMN shipment TEXT;"	/* JSON object */
	"CREATE TABLE channel_holds ("
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" key TEXT NOT NULL,"
	" hold_id INTEGER NOT NULL REFERENCES holds (id),"
	" present INTEGER NOT NULL,"
	" PRIMARY KEY (order_id, key)) WITHOUT ROWID;",

	/* 8: what uoms-push told each order's channel (uoms-push(1)): one
	 * row per order and push, claimed (sending) in its own committed
	 * transaction before the request, so a rerun or a second process
	 * never sends it again; a row left sending is a push that may or
	 * may not have reached the channel, for a person to check. */
	"CREATE TABLE pushes ("
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" what TEXT NOT NULL,"			/* ack, ship */
	" channel TEXT NOT NULL,"
	" state TEXT NOT NULL,"			/* sending, sent, refused */
	" answer TEXT,"				/* JSON: the channel's */
	" attempts INTEGER NOT NULL,"
	" pid INTEGER,"				/* the claimer, while sending */
	" claimed_at TEXT NOT NULL,"
	" done_at TEXT,"
	" PRIMARY KEY (order_id, what)) WITHOUT ROWID;",

	/* 9: uoms-serve's sessions (lib/session.c): each refresh token by
	 * its SHA-256 only (the token itself is never stored), in the
	 * family of the login it came from, so a used one shown again
	 * revokes them all; and the failed logins of the last window,
	 * per user and per client address, counted here so that every
	 * server on the store throttles alike. Times in seconds since 1970.
	 * It may run again over itself (a store's number set back by hand,
	 * t/1009). */
	"CREATE TABLE IF NOT EXISTS refresh_tokens ("
	" hash TEXT PRIMARY KEY,"		/* hex SHA-256 of the token */
	" family TEXT NOT NULL,"
	" username TEXT NOT NULL,"
	" used INTEGER NOT NULL,"		/* 1: rotated, revoked */
	" expires_at INTEGER NOT NULL,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS refresh_tokens_family"
	" ON refresh_tokens (family);"
	"CREATE TABLE IF NOT EXISTS login_failures ("
	" kind TEXT NOT NULL,"			/* user, address */
	" subject TEXT NOT NULL,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS login_failures_subject ON login_failures"
	" (kind, subject, at);",

	/* 10: an admin's delete (lib/delete.c) is soft: the order stays,
	 * for its events refer to it and the log keeps every change, and
	 * deleted_at (RFC 3339 UTC) hides it from every normal view. */
	"ALTER TABLE orders ADD COLUMN deleted_at TEXT;",

	/* 11: uoms-notify(1): the webhook targets by name, each URL sealed
	 * as channel secrets are (its path is the hook's token), with its
	 * origin in clear for listings; and the delivery log, one row per
	 * line sent, claimed (sending) and committed before the request, so
	 * that the same key (target, key) is never sent twice, by this run
	 * or another at the same time. A line sent without a key has a
	 * NULL key: rows, never conflicts. It may run again over itself. */
	"CREATE TABLE IF NOT EXISTS notify_targets ("
	" name TEXT PRIMARY KEY,"
	" origin TEXT NOT NULL,"		/* scheme://host[:port] */
	" key_id TEXT NOT NULL,"		/* which key sealed it */
	" nonce BLOB NOT NULL,"
	" ciphertext BLOB NOT NULL,"		/* AES-256-GCM, never clear */
	" tag BLOB NOT NULL,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS notify_log ("
	" id INTEGER PRIMARY KEY,"
	" target TEXT NOT NULL,"		/* a name, or url:ORIGIN#HASH */
	" key TEXT,"
	" state TEXT NOT NULL,"		/* sending, retrying, sent, failed */
	" attempts INTEGER NOT NULL,"
	" status INTEGER,"			/* the last HTTP status */
	" last_error TEXT,"
	" pid INTEGER,"			/* the sender, while sending */
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS notify_log_key"
	" ON notify_log (target, key);",

	/*
	 * 12 (issue 14, no scans): indexes that queries needed and had not
	 * (t/0015 finds them). It may run again over itself.
	 * holds_order: the holds of an order whatever their state (uoms-hold
	 * ack and resolve), and the check of orders' children that an
	 * upsert's conflict update makes for each line (foreign keys);
	 * holds_open covers only the open ones. orders_eta: uoms-query
	 * --eta-from and --eta-to. orders_deleted: uoms-query --deleted, the
	 * few deleted orders, newest first. holds_placed_at: the holds a
	 * report's range placed (uoms-report metrics).
	 */
	"CREATE INDEX IF NOT EXISTS holds_order ON holds (order_id);"
	"CREATE INDEX IF NOT EXISTS orders_eta ON orders (eta);"
	"CREATE INDEX IF NOT EXISTS orders_deleted ON orders (id)"
	" WHERE deleted_at IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS holds_placed_at ON holds (placed_at);",

	/* 13: uoms-alert(1)'s alerts, one row per time an alert fired: at
	 * most one not resolved per (name, subject), which the unique
	 * index keeps even when two checks run at once; and what the last
	 * fetch of each channel did (uoms-fetch writes it), for the alerts
	 * on a channel's collection. It may run again over itself. */
	"CREATE TABLE IF NOT EXISTS alerts ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" subject TEXT NOT NULL DEFAULT '',"	/* a channel, or '' */
	" figure TEXT NOT NULL,"
	" state TEXT NOT NULL,"		/* open, acknowledged, resolved */
	/* Numbers as their text ("33.3"): a REAL reads "3.0" here and
	 * "3" on PostgreSQL, and uoms-copy compares the two. */
	" value TEXT,"				/* the figure, last seen */
	" threshold TEXT NOT NULL,"
	" opened_at TEXT NOT NULL,"
	" acknowledged_by TEXT,"
	" acknowledged_at TEXT,"
	" note TEXT,"
	" resolved_at TEXT);"
	"CREATE UNIQUE INDEX IF NOT EXISTS alerts_firing ON alerts"
	" (name, subject) WHERE state <> 'resolved';"
	"CREATE TABLE IF NOT EXISTS channel_fetches ("
	" channel TEXT PRIMARY KEY,"
	" ok_at TEXT,"			/* the last fetch read to the end */
	" failed_at TEXT,"
	" auth_failed INTEGER NOT NULL DEFAULT 0,"	/* the last one did */
	" updated_at TEXT NOT NULL);",
	/* 14 (issue 13, stock): what the orders hold of each product's
	 * stock (lib/stock.h): products.reserved is the sum of its
	 * reservations still 'reserved', so available (stock - reserved) is
	 * one row's; each order's reservation per product moves once from
	 * reserved to released or consumed. */
	"ALTER TABLE products ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE IF NOT EXISTS stock_reservations ("
	" order_id INTEGER NOT NULL REFERENCES orders (id),"
	" channel TEXT NOT NULL,"		/* the product's: '' shared */
	" sku TEXT NOT NULL,"
	" quantity INTEGER NOT NULL,"
	" state TEXT NOT NULL,"		/* reserved, released, consumed */
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" PRIMARY KEY (order_id, channel, sku));",
	/* 15 (intake rules, issue 13): more than N orders to one phone or
	 * one address within a window (lib/rules.c) count by these. Text
	 * that is not JSON (a store edited by hand) is NULL here, not a
	 * write refused. */
	"CREATE INDEX IF NOT EXISTS orders_rules_phone ON orders"
	" ((CASE WHEN json_valid(customer)"
	" THEN json_extract(customer, '$.phone') END), created_at);"
	"CREATE INDEX IF NOT EXISTS orders_rules_address ON orders"
	" (lower(trim(CASE WHEN json_valid(shipping)"
	" THEN json_extract(shipping, '$.address') END)), created_at);",
	/*
	 * 16 (issue 14 item 2, the unchanged path): each order's record as
	 * last printed and the version it showed, printed again for the
	 * same line at that version instead of being rebuilt (lib/record.h).
	 * A table of its own, not columns of orders: the orders' rows, which
	 * queries and reports scan, stay as small as they were. No foreign
	 * key: an order is never removed (deletion marks it), and a kept
	 * record is only ever read through its order.
	 */
	"CREATE TABLE IF NOT EXISTS order_renderings ("
	" order_id INTEGER PRIMARY KEY,"
	" version INTEGER NOT NULL,"
	" rendering TEXT NOT NULL);",
	/* 17 (issue 14, a fresh ingest): step 15's indexes go. Each new
	 * order paid for two random-key entries, a JSON expression each, in every store: at
	 * 100 000 fresh orders a third of the CPU and half the bytes
	 * written, for a query only a repeat rule asks. lib/rules.c makes
	 * them when such a rule first counts (SQL_RULES_INDEX_*). */
	"DROP INDEX IF EXISTS orders_rules_phone;"
	"DROP INDEX IF EXISTS orders_rules_address;",
	/* 18 (issue 14, lookups that don't scan): uoms-query --channel and
	 * --department (and uoms-serve's department scope) list the newest
	 * first: an index on the column alone keeps its orders in id order
	 * (the rowid follows each key), so LIMIT stops early. By (channel,
	 * external_order_id) or (department, status) every order of the
	 * channel or department was read and sorted: 9 and 8 times the time
	 * at 1 000 000 orders as at 100 000. */
	"DROP INDEX IF EXISTS orders_department;"
	"CREATE INDEX orders_department ON orders (department);"
	"CREATE INDEX IF NOT EXISTS orders_channel ON orders (channel);",
};

int
uoms_migration_count(void)
{
	return sizeof migrations / sizeof migrations[0];
}

const char *
uoms_migration_sql(int n)
{
	return n >= 1 && n <= uoms_migration_count() ? migrations[n - 1] : NULL;
}
