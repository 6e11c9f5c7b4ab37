/*
 * The store on PostgreSQL, through libpq. Statements are prepared once
 * per connection by name and run with text parameters (bytes as binary);
 * a named statement's rows are read whole when it runs, then stepped
 * through; a query of one use (a listing, a report, a copy) is read
 * through a cursor, a thousand rows at a time. Inside uoms_pg_later's
 * window, writes without rows go out in pipeline mode, unawaited.
 * Writers take one transaction-scoped advisory lock after BEGIN: the
 * library reads and then writes inside its transactions and relies on
 * no other writer coming between, as SQLite's BEGIN IMMEDIATE gives;
 * readers are never blocked (MVCC).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "store_pg.h"

/*
 * libpq is loaded when a PostgreSQL store is first opened, not linked:
 * it brings twenty libraries more, which would more than double the
 * start-up time every tool pays per call on SQLite.
 */
#define PQ_FUNCS \
	X(PQclear) \
	X(PQcmdTuples) \
	X(PQconnectdb) \
	X(PQconsumeInput) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQexecPrepared) \
	X(PQfinish) \
	X(PQflush) \
	X(PQfname) \
	X(PQfreemem) \
	X(PQftype) \
	X(PQgetisnull) \
	X(PQgetlength) \
	X(PQgetvalue) \
	X(PQnfields) \
	X(PQnotifies) \
	X(PQntuples) \
	X(PQprepare) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsetNoticeProcessor) \
	X(PQsocket) \
	X(PQstatus) \
	X(PQtransactionStatus) \
	X(PQunescapeBytea)

/*
 * Pipeline mode (libpq 14 and later): writes whose rows nobody reads are
 * sent without waiting for each (uoms_pg_later). Without it, each waits.
 */
#define PQ_PIPELINE \
	X(PQenterPipelineMode) \
	X(PQexitPipelineMode) \
	X(PQgetResult) \
	X(PQpipelineSync) \
	X(PQsendQueryParams) \
	X(PQsendQueryPrepared)

static struct {
#define X(f) __typeof__(f) *f;
	PQ_FUNCS
	PQ_PIPELINE
#undef X
} pq;

static int pq_load_once(char *why, size_t whylen);

/* Loads libpq once; -1 with why when it is not there. Under a lock:
 * uoms-serve's threads may open their first connection at once, and one
 * must not see lib set before the functions are. */
static int
pq_load(char *why, size_t whylen)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int r;

	pthread_mutex_lock(&mu);
	r = pq_load_once(why, whylen);
	pthread_mutex_unlock(&mu);
	return r;
}

static int
pq_load_once(char *why, size_t whylen)
{
	static void *lib;

	if (lib != NULL)
		return 0;
	if ((lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(why, whylen, "PostgreSQL's client library is not "
		    "installed (Debian: apt-get install libpq5): %s",
		    dlerror());
		return -1;
	}
#define X(f) if ((*(void **)&pq.f = dlsym(lib, #f)) == NULL) { \
		snprintf(why, whylen, "libpq.so.5 has no " #f); \
		dlclose(lib); \
		lib = NULL; \
		return -1; \
	}
	PQ_FUNCS
#undef X
	/* All or none: a libpq before 14 waits for every statement. */
#define X(f) *(void **)&pq.f = dlsym(lib, #f);
	PQ_PIPELINE
#undef X
#define X(f) if (pq.f == NULL) pq.PQenterPipelineMode = NULL;
	PQ_PIPELINE
#undef X
	return 0;
}

/*
 * The key of the writers' lock: the store's mark, "uoms" in ASCII, and
 * the store's schema, so that the turn is the store's, not the
 * database's: the writers of two stores in one database don't wait for
 * each other, as those of two SQLite files don't.
 */
#define WRITE_LOCK_ARGS "1970302323, hashtext(coalesce(current_schema(), ''))"
#define WRITE_LOCK "SELECT pg_advisory_xact_lock(" WRITE_LOCK_ARGS ")"
/* The same, with the transaction's id: what came of it can be asked
 * later, when the answer to its COMMIT is lost (uoms_pg_commit). */
#define WRITE_LOCK_XID "SELECT txid_current() FROM " \
	"pg_advisory_xact_lock(" WRITE_LOCK_ARGS ")"

struct uoms_pg_stmt {
	struct uoms_pg *pg;
	char name[16];			/* "" for a statement of one use */
	const char *named_text;		/* a named one's SQL (static) */
	int gen;			/* the connection it was prepared on */
	int rerun;			/* a SELECT: safe to run again */
	char *text;			/* its SQL, for one use */
	Oid *types;			/* its parameters' types, the same */
	int nparams;
	const char **vals;
	int *lens, *fmts;
	char **owned;			/* copies and numbers bound */
	PGresult *res;
	int row, nrows;
	int norows;			/* a write that returns no rows */
	int reads;			/* a query (SELECT, WITH) */
	int cursor;			/* its cursor's number, 0 for none */
	int fetched_all;		/* the cursor gave its last rows */
	int held;			/* WITH HOLD: it outlives transactions */
	long long execs;		/* the commands run when declared */
	/* The bytes read of this row, unescaped, per column: each stays
	 * until the next step, as SQLite's do. */
	unsigned char **blob;
	size_t *blob_n;
	int nblob;
};

struct uoms_pg {
	PGconn *conn;
	char err[600];
	char sqlstate[6];
	long long changes;
	struct uoms_pg_stmt *named[SQL_COUNT];
	int later;			/* writes may be sent unawaited */
	int queued;			/* sent in pipeline mode, unawaited */
	int *sent, sent_cap;		/* which each was (-1: one use) */
	long *tags;			/* the caller's input that sent each */
	long tag;			/* the input sending now (uoms_pg_defer) */
	long failed_tag;		/* whose write failed (await_with), or 0 */
	int failed;			/* which failed in the last flush */
	int cursors;			/* cursors declared so far */
	long long execs;		/* commands run (BEGIN, COMMIT...) */
	/* What it takes to connect again as the first time (reconnect). */
	char *url;
	long long busy_ms;
	int gen;			/* connections made, 1 the first */
	int listen_gen;			/* the connection LISTENing, or 0 */
	long long xid;			/* the open transaction's, or 0 */
	/* No transaction open as far as we know: what a lost connection
	 * took with it was nothing, so another may take its place. */
	int idle;
};

/* failed_tag of a write of the open window: its flush tells it, the
 * line that sent it refused in its own words (inputs' tags are
 * positive). */
#define WINDOW_FAILED (-1L)

static int await_sent(struct uoms_pg *);
static int await_with(struct uoms_pg *, struct uoms_pg_stmt *);
static void forget_blobs(struct uoms_pg_stmt *);
static void unbind(struct uoms_pg_stmt *);

static const char *const migrations[] = {
	/* 1: orders, items, products, events, holds, raw payloads. */
	"CREATE TABLE orders ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" channel TEXT NOT NULL,"
	" external_order_id TEXT NOT NULL,"
	" order_no TEXT,"
	" kind TEXT NOT NULL,"
	" workflow TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" version BIGINT NOT NULL,"
	" department TEXT,"
	" warehouse TEXT,"
	" customer TEXT,"
	" shipping TEXT,"
	" eta TEXT,"
	" driver TEXT,"
	" placed_at TEXT,"
	" channel_updated_at TEXT,"
	" depart_time TEXT,"
	" complete_time TEXT,"
	" total_amount BIGINT,"
	" currency TEXT,"
	" extra TEXT,"
	" line_hash BYTEA,"
	" line_version BIGINT,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" UNIQUE (channel, external_order_id));"
	"CREATE INDEX orders_status ON orders (status);"
	"CREATE INDEX orders_order_no ON orders (order_no);"
	"CREATE INDEX orders_placed_at ON orders (placed_at);"
	"CREATE INDEX orders_department ON orders (department, status);"
	"CREATE INDEX orders_line_hash ON orders (line_hash);"
	"CREATE TABLE order_items ("
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
	" external_item_id TEXT NOT NULL,"
	" seq BIGINT NOT NULL,"
	" sku TEXT,"
	" name TEXT,"
	" quantity BIGINT NOT NULL,"
	" unit_price BIGINT,"
	" extra TEXT,"
	" PRIMARY KEY (order_id, external_item_id));"
	"CREATE TABLE products ("
	" sku TEXT PRIMARY KEY,"
	" name TEXT,"
	" category TEXT,"
	" price BIGINT,"
	" cost BIGINT,"
	" stock BIGINT,"
	" extra TEXT,"
	" version BIGINT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE events ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT REFERENCES orders (id),"
	" type TEXT NOT NULL,"
	" from_state TEXT,"
	" to_state TEXT,"
	" actor TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" version BIGINT,"
	" details TEXT);"
	"CREATE INDEX events_order ON events (order_id, id);"
	"CREATE TABLE holds ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
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
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT REFERENCES orders (id),"
	" received_at TEXT NOT NULL,"
	" payload TEXT NOT NULL);"
	"CREATE INDEX raw_payloads_order ON raw_payloads (order_id);",

	/* 2: users and roles, locks, idempotency keys, remarks. */
	"CREATE TABLE users ("
	" name TEXT PRIMARY KEY,"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'user')),"
	" department TEXT,"
	" password_hash TEXT,"
	" disabled BIGINT NOT NULL DEFAULT 0,"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE locks ("
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
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
	" order_id BIGINT NOT NULL,"
	" fingerprint TEXT NOT NULL,"
	" result TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" expires_at TEXT NOT NULL,"
	" PRIMARY KEY (actor, key, order_id));"
	"CREATE INDEX idempotency_expires ON idempotency (expires_at);"
	"CREATE TABLE remarks ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
	" author TEXT NOT NULL,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX remarks_order ON remarks (order_id);"
	"CREATE TABLE remark_revisions ("
	" remark_id BIGINT NOT NULL REFERENCES remarks (id),"
	" revision BIGINT NOT NULL,"
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
	" enabled BIGINT NOT NULL DEFAULT 1,"
	" settings TEXT NOT NULL DEFAULT '{}',"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE channel_secrets ("
	" channel TEXT NOT NULL REFERENCES channels (name),"
	" name TEXT NOT NULL,"
	" key_id TEXT NOT NULL,"
	" nonce BYTEA NOT NULL,"
	" ciphertext BYTEA NOT NULL,"
	" tag BYTEA NOT NULL,"
	" expires_at TEXT,"
	" updated_at TEXT NOT NULL,"
	" PRIMARY KEY (channel, name));"
	"CREATE TABLE rejects ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" tool TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" code TEXT NOT NULL,"
	" message TEXT,"
	" line BIGINT);"
	"CREATE INDEX rejects_at ON rejects (at);",

	/* 4: how far each channel's orders were fetched. */
	"CREATE TABLE channel_watermarks ("
	" channel TEXT PRIMARY KEY,"
	" read_to TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);",

	/* 5: the catalog per channel, and what a product cost from when. */
	"CREATE TABLE catalog ("
	" channel TEXT NOT NULL DEFAULT '',"
	" sku TEXT NOT NULL,"
	" name TEXT,"
	" category TEXT,"
	" price BIGINT,"
	" cost BIGINT,"
	" currency TEXT,"
	" stock BIGINT,"
	" extra TEXT,"
	" version BIGINT NOT NULL,"
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
	" valid_from TEXT NOT NULL,"
	" cost BIGINT NOT NULL,"
	" PRIMARY KEY (channel, sku, valid_from));"
	"INSERT INTO product_costs (channel, sku, valid_from, cost)"
	" SELECT '', sku, created_at, cost FROM products"
	" WHERE cost IS NOT NULL;"
	"DROP TABLE products;"
	"ALTER TABLE catalog RENAME TO products;",

	/* 6: channel sync: each order's channel's last word; the channel
	 * statuses that already held an order. */
	"CREATE TABLE channel_words ("
	" order_id BIGINT PRIMARY KEY REFERENCES orders (id),"
	" channel_updated_at TEXT,"
	" said BYTEA NOT NULL);"
	"CREATE TABLE channel_drifts ("
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
	" status TEXT NOT NULL,"
	" held_at TEXT NOT NULL,"
	" PRIMARY KEY (order_id, status));"
	"INSERT INTO channel_drifts (order_id, status, held_at)"
	" SELECT order_id, substr(note, 33, strpos(note, ', the store has ')"
	" - 33), placed_at FROM holds WHERE reason = 'other'"
	" AND note LIKE 'channel drift: the channel says %, the store has %'"
	" ON CONFLICT DO NOTHING;",

	/* 7: the shipment an order left with; the channel's open requests
	 * that hold an order. */
	"ALTER TABLE orders ADD COLUMN shipment TEXT;"
	"CREATE TABLE channel_holds ("
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
	" key TEXT NOT NULL,"
	" hold_id BIGINT NOT NULL REFERENCES holds (id),"
	" present BIGINT NOT NULL,"
	" PRIMARY KEY (order_id, key));",

	/* 8: what uoms-push told each order's channel. */
	"CREATE TABLE pushes ("
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
	" what TEXT NOT NULL,"
	" channel TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" answer TEXT,"
	" attempts BIGINT NOT NULL,"
	" pid BIGINT,"
	" claimed_at TEXT NOT NULL,"
	" done_at TEXT,"
	" PRIMARY KEY (order_id, what));",

	/* 9: every statement that adds events wakes uoms-events --follow
	 * (uoms_pg_wait): a wake-up only, the log is read as before. Made
	 * to run again over itself (a schema's number set back by hand). */
	"CREATE OR REPLACE FUNCTION uoms_events_notify() RETURNS trigger"
	" LANGUAGE plpgsql AS $$BEGIN"
	" PERFORM pg_notify('uoms_events', '');"
	" RETURN NULL;"
	" END$$;"
	"DROP TRIGGER IF EXISTS events_notify ON events;"
	"CREATE TRIGGER events_notify AFTER INSERT ON events"
	" FOR EACH STATEMENT EXECUTE FUNCTION uoms_events_notify();",

	/*
	 * 10: raw payloads and extra members as jsonb, for the queries that
	 * look inside them. The columns stay text, the bytes as written:
	 * the tools print them as they are, on either engine, and jsonb
	 * would reorder the keys and drop the spaces; and uoms-copy copies
	 * every column there is, which a generated column would break. So
	 * the jsonb is in expression indexes, through uoms_jsonb(), which
	 * is NULL for text jsonb refuses (a store copied from SQLite or
	 * edited by hand may hold any text there, or a \u0000, which json
	 * takes and jsonb refuses): such a row is left out of the index
	 * instead of refusing the write.
	 * Containment (@>) on the member uses the index:
	 *   WHERE uoms_jsonb(extra) @> '{"channel_status":"CANCEL"}'
	 * Raw payloads get the function, not an index: they are an audit
	 * copy, read by order, and a GIN index over whole lines costs about
	 * 70 us a line kept (an extra member about 5), a tenth of an upsert
	 * here; uoms(7) gives the index for a team that searches them.
	 * It may run again over itself (a store set back to an older
	 * schema by hand, t/1009): nothing it makes is made twice.
	 */
	"CREATE OR REPLACE FUNCTION uoms_jsonb(t TEXT) RETURNS jsonb"
	" LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$"
	" BEGIN RETURN t::jsonb;"
	" EXCEPTION WHEN others THEN RETURN NULL; END $$;"
	"CREATE INDEX IF NOT EXISTS orders_extra ON orders"
	" USING gin (uoms_jsonb(extra) jsonb_path_ops);",

	/*
	 * 11: text compares byte by byte, as on SQLite, whatever locale the
	 * database was made with: listings, reports and cursors sort in the
	 * same order on either engine (an "en" collation puts "a" before
	 * "B", SQLite after). Every text column of the store's tables; a
	 * table a later step makes writes COLLATE "C" on its own. It may
	 * run again over itself: a column already so is left alone.
	 */
	"DO $$DECLARE t record; BEGIN"
	" FOR t IN SELECT c.relname, string_agg(format('ALTER COLUMN %I"
	" TYPE text COLLATE \"C\"', a.attname), ', ') AS alters"
	" FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
	" WHERE c.relnamespace = current_schema()::regnamespace"
	" AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
	" AND a.atttypid = 'text'::regtype"
	" AND a.attcollation <> 'pg_catalog.\"C\"'::regcollation"
	" GROUP BY c.relname"
	" LOOP EXECUTE format('ALTER TABLE %I ', t.relname) || t.alters;"
	" END LOOP; END$$;",

	/* 12: uoms-serve's sessions: refresh tokens by their SHA-256 in
	 * families, and failed logins (lib/migrate.c's step 9). It may run
	 * again over itself. */
	"CREATE TABLE IF NOT EXISTS refresh_tokens ("
	" hash TEXT COLLATE \"C\" PRIMARY KEY,"
	" family TEXT COLLATE \"C\" NOT NULL,"
	" username TEXT COLLATE \"C\" NOT NULL,"
	" used BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" created_at TEXT COLLATE \"C\" NOT NULL);"
	"CREATE INDEX IF NOT EXISTS refresh_tokens_family"
	" ON refresh_tokens (family);"
	"CREATE TABLE IF NOT EXISTS login_failures ("
	" kind TEXT COLLATE \"C\" NOT NULL,"
	" subject TEXT COLLATE \"C\" NOT NULL,"
	" at BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS login_failures_subject"
	" ON login_failures (kind, subject, at);",

	/* 13: an order's soft delete (lib/migrate.c's step 10). It may run
	 * again over itself. */
	"ALTER TABLE orders ADD COLUMN IF NOT EXISTS deleted_at"
	" TEXT COLLATE \"C\";",

	/* 14: uoms-notify's targets (URLs sealed) and delivery log
	 * (lib/migrate.c's step 11). It may run again over itself. */
	"CREATE TABLE IF NOT EXISTS notify_targets ("
	" name TEXT COLLATE \"C\" PRIMARY KEY,"
	" origin TEXT COLLATE \"C\" NOT NULL,"
	" key_id TEXT COLLATE \"C\" NOT NULL,"
	" nonce BYTEA NOT NULL,"
	" ciphertext BYTEA NOT NULL,"
	" tag BYTEA NOT NULL,"
	" created_at TEXT COLLATE \"C\" NOT NULL,"
	" updated_at TEXT COLLATE \"C\" NOT NULL);"
	"CREATE TABLE IF NOT EXISTS notify_log ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" target TEXT COLLATE \"C\" NOT NULL,"
	" key TEXT COLLATE \"C\","
	" state TEXT COLLATE \"C\" NOT NULL,"
	" attempts BIGINT NOT NULL,"
	" status BIGINT,"
	" last_error TEXT COLLATE \"C\","
	" pid BIGINT,"
	" created_at TEXT COLLATE \"C\" NOT NULL,"
	" updated_at TEXT COLLATE \"C\" NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS notify_log_key"
	" ON notify_log (target, key);",

	/* 15 (issue 14, no scans): lib/migrate.c's step 12, and why. */
	"CREATE INDEX IF NOT EXISTS holds_order ON holds (order_id);"
	"CREATE INDEX IF NOT EXISTS orders_eta ON orders (eta);"
	"CREATE INDEX IF NOT EXISTS orders_deleted ON orders (id)"
	" WHERE deleted_at IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS holds_placed_at ON holds (placed_at);",

	/* 16: uoms-alert's alerts and each channel's last fetch
	 * (lib/migrate.c's step 13). It may run again over itself. */
	"CREATE TABLE IF NOT EXISTS alerts ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL,"
	" subject TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
	" figure TEXT COLLATE \"C\" NOT NULL,"
	" state TEXT COLLATE \"C\" NOT NULL,"
	" value TEXT COLLATE \"C\","		/* a number's text */
	" threshold TEXT COLLATE \"C\" NOT NULL,"
	" opened_at TEXT COLLATE \"C\" NOT NULL,"
	" acknowledged_by TEXT COLLATE \"C\","
	" acknowledged_at TEXT COLLATE \"C\","
	" note TEXT COLLATE \"C\","
	" resolved_at TEXT COLLATE \"C\");"
	"CREATE UNIQUE INDEX IF NOT EXISTS alerts_firing ON alerts"
	" (name, subject) WHERE state <> 'resolved';"
	"CREATE TABLE IF NOT EXISTS channel_fetches ("
	" channel TEXT COLLATE \"C\" PRIMARY KEY,"
	" ok_at TEXT COLLATE \"C\","
	" failed_at TEXT COLLATE \"C\","
	" auth_failed BIGINT NOT NULL DEFAULT 0,"
	" updated_at TEXT COLLATE \"C\" NOT NULL);",
	/* 17 (issue 13, stock): reservations of stock (lib/migrate.c's
	 * step 14). It may run again over itself. */
	"ALTER TABLE products ADD COLUMN IF NOT EXISTS reserved BIGINT"
	" NOT NULL DEFAULT 0;"
	"CREATE TABLE IF NOT EXISTS stock_reservations ("
	" order_id BIGINT NOT NULL REFERENCES orders (id),"
	" channel TEXT COLLATE \"C\" NOT NULL,"
	" sku TEXT COLLATE \"C\" NOT NULL,"
	" quantity BIGINT NOT NULL,"
	" state TEXT COLLATE \"C\" NOT NULL,"
	" created_at TEXT COLLATE \"C\" NOT NULL,"
	" updated_at TEXT COLLATE \"C\" NOT NULL,"
	" PRIMARY KEY (order_id, channel, sku));",
	/* 18 (intake rules, issue 13): lib/migrate.c's step 15, through
	 * uoms_jsonb (step 10): text jsonb refuses (a lone surrogate escape,
	 * which json takes) is left out of the index, not refused. It may
	 * run again over itself. */
	"CREATE INDEX IF NOT EXISTS orders_rules_phone ON orders"
	" ((uoms_jsonb(customer) ->> 'phone'), created_at);"
	"CREATE INDEX IF NOT EXISTS orders_rules_address ON orders"
	" ((lower(btrim(uoms_jsonb(shipping) ->> 'address'))), created_at);",
	/* 19 (issue 14 item 2, the unchanged path): records as last
	 * printed (lib/migrate.c's step 16). It may run again over itself. */
	"CREATE TABLE IF NOT EXISTS order_renderings ("
	" order_id BIGINT PRIMARY KEY,"
	" version BIGINT NOT NULL,"
	" rendering TEXT NOT NULL);",
	/* 20 (issue 14, a fresh ingest): lib/migrate.c's step 17, step
	 * 18's indexes made by lib/rules.c when a repeat rule
	 * first counts. */
	"DROP INDEX IF EXISTS orders_rules_phone;"
	"DROP INDEX IF EXISTS orders_rules_address;",
	/* 21 (issue 14, lookups that don't scan): lib/migrate.c's step 18,
	 * the id beside each key (no rowid follows it here). It may run
	 * again over itself. */
	"DROP INDEX IF EXISTS orders_department;"
	"CREATE INDEX orders_department ON orders (department, id);"
	"CREATE INDEX IF NOT EXISTS orders_channel ON orders (channel, id);",
};

int
uoms_pg_migration_count(void)
{
	return sizeof migrations / sizeof migrations[0];
}

const char *
uoms_pg_migration_sql(int n)
{
	return n >= 1 && n <= uoms_pg_migration_count() ? migrations[n - 1] :
	    NULL;
}

int
uoms_pg_is_url(const char *path)
{
	return strncmp(path, "postgresql:", 11) == 0 ||
	    strncmp(path, "postgres:", 9) == 0;
}

/* The URL as it may be shown: a password in it masked. */
static void
shown_url(const char *url, char *out, size_t outlen)
{
	const char *at = strchr(url, '@'), *colon;
	const char *start = strstr(url, "://");

	start = start != NULL ? start + 3 : url;
	colon = at != NULL ? memchr(start, ':', at - start) : NULL;
	if (colon == NULL)
		snprintf(out, outlen, "%s", url);
	else
		snprintf(out, outlen, "%.*s:***%s", (int)(colon - url), url,
		    at);
}

/* Keeps the failure of res (or of the connection) for uoms_pg_error. */
static void
keep_error(struct uoms_pg *pg, const PGresult *res)
{
	/* The server's primary message alone, as SQLite's one line: the
	 * CONTEXT of a trigger's or function's error names its insides. */
	const char *primary = res != NULL ? pq.PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *msg = primary != NULL ? primary : res != NULL ?
	    pq.PQresultErrorMessage(res) : pq.PQerrorMessage(pg->conn);
	const char *state = res != NULL ? pq.PQresultErrorField(res,
	    PG_DIAG_SQLSTATE) : NULL;
	size_t n;

	snprintf(pg->err, sizeof pg->err, "%s", msg != NULL && msg[0] ? msg :
	    "lost the connection to the server");
	n = strlen(pg->err);
	while (n > 0 && (pg->err[n - 1] == '\n' || pg->err[n - 1] == ' '))
		pg->err[--n] = '\0';
	/* One line: libpq's hints come on lines of their own. */
	for (char *p = pg->err; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	/* libpq's "ERROR:  " says nothing a reader needs. */
	if (strncmp(pg->err, "ERROR:  ", 8) == 0)
		memmove(pg->err, pg->err + 8, strlen(pg->err + 8) + 1);
	snprintf(pg->sqlstate, sizeof pg->sqlstate, "%s", state != NULL ?
	    state : pq.PQstatus(pg->conn) == CONNECTION_BAD ? "08006" : "");
	/* Another failure than a write's awaited (await_sent sets it),
	 * unless it is only the transaction that write failed. */
	if (strcmp(pg->sqlstate, "25P02") != 0)
		pg->failed_tag = 0;
}

const char *
uoms_pg_error(struct uoms_pg *pg)
{
	return pg->err;
}

const char *
uoms_pg_sqlstate(struct uoms_pg *pg)
{
	return pg->sqlstate;
}

long long
uoms_pg_changes(struct uoms_pg *pg)
{
	return pg->changes;
}

int
uoms_pg_in_tx(struct uoms_pg *pg)
{
	/* A transaction on a lost connection is gone (UNKNOWN). */
	PGTransactionStatusType t = pq.PQtransactionStatus(pg->conn);

	return t != PQTRANS_IDLE && t != PQTRANS_UNKNOWN;
}

/* Notes whether a transaction is open, while the connection knows. */
static void
note_tx(struct uoms_pg *pg)
{
	PGTransactionStatusType t = pq.PQtransactionStatus(pg->conn);

	if (t != PQTRANS_UNKNOWN)
		pg->idle = t == PQTRANS_IDLE;
}

int
uoms_pg_lost(struct uoms_pg *pg)
{
	/* 57P01-03: the server shut down or restarts under us. 08007 is
	 * a loss too, but one no caller may retry (uoms_pg_retryable). */
	return pq.PQstatus(pg->conn) == CONNECTION_BAD ||
	    strncmp(pg->sqlstate, "08", 2) == 0 ||
	    strncmp(pg->sqlstate, "57P0", 4) == 0;
}

int
uoms_pg_retryable(struct uoms_pg *pg)
{
	return strcmp(pg->sqlstate, "40001") == 0 ||
	    strcmp(pg->sqlstate, "40P01") == 0 ||
	    (uoms_pg_lost(pg) && strcmp(pg->sqlstate, "08007") != 0);
}

int
uoms_pg_exec(struct uoms_pg *pg, const char *sql)
{
	PGresult *res;
	ExecStatusType st;
	int rc;

	/* Writes sent unawaited come first (a COMMIT is theirs too). */
	if (await_sent(pg) < 0)
		return -1;
	res = pq.PQexec(pg->conn, sql);
	st = pq.PQresultStatus(res);
	pg->execs++;	/* a transaction may have ended: cursors know */
	rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;

	if (rc < 0)
		keep_error(pg, res);
	pq.PQclear(res);
	note_tx(pg);
	return rc;
}

static long long query_int(struct uoms_pg *, const char *);
static int revive(struct uoms_pg *);

long long
uoms_pg_xid(struct uoms_pg *pg)
{
	return pg->xid;
}

int
uoms_pg_begin(struct uoms_pg *pg)
{
	/*
	 * Whatever was open went with a lost connection, and the caller
	 * begins anew: a connection lost since the last transaction (a
	 * server restarted meanwhile shows only now, at BEGIN) is made
	 * again here, as nothing of this transaction was sent yet.
	 */
	pg->idle = 1;
	pg->xid = 0;
	pg->failed_tag = 0;
	if (pq.PQstatus(pg->conn) == CONNECTION_BAD && revive(pg) < 0)
		return -1;
	if (uoms_pg_exec(pg, "BEGIN") < 0 && (!uoms_pg_lost(pg) ||
	    revive(pg) < 0 || uoms_pg_exec(pg, "BEGIN") < 0))
		return -1;
	if ((pg->xid = query_int(pg, WRITE_LOCK_XID)) < 0) {
		pg->xid = 0;
		uoms_pg_rollback(pg);
		return -1;
	}
	return 0;
}

void
uoms_pg_rollback(struct uoms_pg *pg)
{
	char err[sizeof pg->err], state[sizeof pg->sqlstate];

	/* The failure that made the caller roll back stays the one told. */
	memcpy(err, pg->err, sizeof err);
	memcpy(state, pg->sqlstate, sizeof state);
	/* What was sent and not yet awaited is undone with the rest, a
	 * window's failure with it: the ROLLBACK is not refused for it. */
	await_sent(pg);
	if (pg->failed_tag == WINDOW_FAILED)
		pg->failed_tag = 0;
	if (uoms_pg_in_tx(pg))
		uoms_pg_exec(pg, "ROLLBACK");
	memcpy(pg->err, err, sizeof err);
	memcpy(pg->sqlstate, state, sizeof state);
	pg->idle = 1;
	pg->xid = 0;
}

/* Sleeps ms milliseconds. */
static void
nap(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
uoms_pg_commit(struct uoms_pg *pg)
{
	long long xid = pg->xid, until;
	char sql[64];
	PGresult *res;

	pg->xid = 0;
	/*
	 * A write sent unawaited failed, and a statement that ignores its
	 * failure (a refusal's note) awaited it: COMMIT would roll back
	 * without a word. The failure stays the writer's (uoms_pg_late).
	 */
	if (await_sent(pg) < 0) {
		pg->idle = 1;
		return -1;
	}
	if (pq.PQtransactionStatus(pg->conn) == PQTRANS_INERROR) {
		snprintf(pg->err, sizeof pg->err, "the transaction failed "
		    "before its commit");
		snprintf(pg->sqlstate, sizeof pg->sqlstate, "25P02");
		pg->idle = 1;
		return -1;
	}
	if (uoms_pg_exec(pg, "COMMIT") == 0)
		return 0;
	pg->idle = 1;
	if (!uoms_pg_lost(pg) || xid <= 0)
		return -1;
	/*
	 * The answer to COMMIT was lost: the transaction may be stored or
	 * not. Running it again could apply it twice (a status moved
	 * twice, an event twice), so the server is asked, on a new
	 * connection, what came of it. "in progress" is a server still
	 * finishing it: asked again until the busy timeout.
	 */
	snprintf(sql, sizeof sql, "SELECT txid_status(%lld)", xid);
	until = now_ms() + pg->busy_ms;
	while (revive(pg) == 0) {
		const char *v;
		int done = -1;

		res = pq.PQexec(pg->conn, sql);
		if (pq.PQresultStatus(res) == PGRES_TUPLES_OK &&
		    pq.PQntuples(res) == 1) {
			v = pq.PQgetisnull(res, 0, 0) ? "aborted" :
			    pq.PQgetvalue(res, 0, 0);
			done = strcmp(v, "committed") == 0 ? 1 :
			    strcmp(v, "aborted") == 0 ? 0 : -1;
		}
		pq.PQclear(res);
		if (done == 1)
			return 0;
		if (done == 0) {
			snprintf(pg->err, sizeof pg->err, "lost the "
			    "connection while committing (nothing of the "
			    "transaction was stored)");
			snprintf(pg->sqlstate, sizeof pg->sqlstate, "08006");
			return -1;
		}
		if (now_ms() >= until)
			break;
		nap(100);
	}
	snprintf(pg->err, sizeof pg->err, "lost the connection while "
	    "committing, and whether the transaction was stored is unknown");
	/* transaction_resolution_unknown: never to be retried. */
	snprintf(pg->sqlstate, sizeof pg->sqlstate, "08007");
	return -1;
}

/* One integer a query gives, or -1 (also when it gives no row). */
static long long
query_int(struct uoms_pg *pg, const char *sql)
{
	PGresult *res;
	long long v = -1;

	if (await_sent(pg) < 0)
		return -1;
	res = pq.PQexec(pg->conn, sql);
	if (pq.PQresultStatus(res) == PGRES_TUPLES_OK && pq.PQntuples(res) == 1 &&
	    !pq.PQgetisnull(res, 0, 0))
		v = strtoll(pq.PQgetvalue(res, 0, 0), NULL, 10);
	else if (pq.PQresultStatus(res) != PGRES_TUPLES_OK)
		keep_error(pg, res);
	pq.PQclear(res);
	note_tx(pg);
	return v;
}

/* Libpq prints the server's notices on stderr; a tool's stderr is for
 * its own messages. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Brings the schema to this build's under the writers' lock, so that two
 * tools opening a new store at once migrate it once. A database with an
 * orders table and no uoms_schema is another program's: refused.
 */
static int
migrate(struct uoms_pg *pg, const char *shown, char *why, size_t whylen)
{
	int want = uoms_pg_migration_count();
	long long have;
	char sql[96];

	if (uoms_pg_exec(pg, "BEGIN") < 0 || uoms_pg_exec(pg, WRITE_LOCK) < 0)
		goto fail;
	if (query_int(pg, "SELECT count(*) FROM pg_tables WHERE schemaname ="
	    " current_schema() AND tablename = 'uoms_schema'") == 0) {
		if (query_int(pg, "SELECT count(*) FROM pg_tables WHERE"
		    " schemaname = current_schema() AND tablename ="
		    " 'orders'") != 0) {
			snprintf(why, whylen, "'%s' is not a uoms store: it "
			    "has an orders table of another program", shown);
			uoms_pg_exec(pg, "ROLLBACK");
			return -1;
		}
		if (uoms_pg_exec(pg, "CREATE TABLE uoms_schema (version"
		    " INTEGER NOT NULL); INSERT INTO uoms_schema VALUES (0)")
		    < 0)
			goto fail;
	}
	if ((have = query_int(pg, "SELECT version FROM uoms_schema")) < 0)
		goto fail;
	if (have > want) {
		snprintf(why, whylen, "store '%s' is at schema %lld, newer than "
		    "this uoms %s knows (%d): upgrade uoms", shown, have,
		    UOMS_VERSION, want);
		uoms_pg_exec(pg, "ROLLBACK");
		return -1;
	}
	for (int n = (int)have + 1; n <= want; n++)
		if (uoms_pg_exec(pg, uoms_pg_migration_sql(n)) < 0) {
			snprintf(why, whylen, "store '%s': migration %d: %s",
			    shown, n, pg->err);
			uoms_pg_exec(pg, "ROLLBACK");
			return -1;
		}
	snprintf(sql, sizeof sql, "UPDATE uoms_schema SET version = %d", want);
	if (uoms_pg_exec(pg, sql) < 0 || uoms_pg_exec(pg, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "store '%s': migrating it: %s", shown, pg->err);
	uoms_pg_exec(pg, "ROLLBACK");
	return -1;
}

/*
 * Fills a closed standard descriptor before libpq opens its socket, which
 * would otherwise take its number: a tool run with stdout closed would
 * write its lines into the connection. The stand-in is open the wrong
 * way (stdin for writing, stdout and stderr for reading), so using it
 * still fails as a closed one does (EBADF), as SQLite's descriptors do.
 */
static void
guard_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) < 0)
			return;
}

/*
 * Connects to pg->url with the session every connection of the store
 * has (the URL's own options, search_path among them, come with it):
 * the first and any made again after a loss. -1 with why.
 */
static int
session(struct uoms_pg *pg, char *why, size_t whylen)
{
	char set[64];

	guard_std_fds();
	pg->conn = pq.PQconnectdb(pg->url);
	if (pq.PQstatus(pg->conn) != CONNECTION_OK) {
		keep_error(pg, NULL);
		snprintf(why, whylen, "can't connect: %s", pg->err);
		return -1;
	}
	pq.PQsetNoticeProcessor(pg->conn, quiet, NULL);
	/* A writer waits for the one before it as long as SQLite's
	 * busy_timeout would, then fails busy. */
	snprintf(set, sizeof set, "SET lock_timeout = %lld", pg->busy_ms);
	if (uoms_pg_exec(pg, set) < 0) {
		snprintf(why, whylen, "setting it up: %s", pg->err);
		return -1;
	}
	pg->idle = 1;
	return 0;
}

/* Connects once more in place of a lost connection. */
static int
reconnect(struct uoms_pg *pg)
{
	char why[sizeof pg->err];

	pq.PQfinish(pg->conn);
	pg->conn = NULL;
	if (session(pg, why, sizeof why) < 0) {
		snprintf(pg->err, sizeof pg->err, "%s", why);
		snprintf(pg->sqlstate, sizeof pg->sqlstate, "08006");
		return -1;
	}
	/* Named statements are prepared again on it, LISTEN said again. */
	pg->gen++;
	return 0;
}

/*
 * Connects again after a lost connection, as long as the busy timeout
 * (a server restarting takes a second or so), backing off from 50 ms
 * to 1 s between tries. -1 with the last failure kept.
 */
static int
revive(struct uoms_pg *pg)
{
	long long until = now_ms() + pg->busy_ms, pause = 50;

	for (;;) {
		if (reconnect(pg) == 0)
			return 0;
		if (now_ms() + pause > until)
			return -1;
		nap(pause);
		pause = pause * 2 > 1000 ? 1000 : pause * 2;
	}
}

struct uoms_pg *
uoms_pg_open(const char *url, int writes, long long busy_ms, char *why,
    size_t whylen)
{
	struct uoms_pg *pg = calloc(1, sizeof *pg);
	char shown[512], how[sizeof pg->err + 32];
	long long have;

	shown_url(url, shown, sizeof shown);
	if (pg == NULL || (pg->url = strdup(url)) == NULL) {
		free(pg);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (pq_load(why, whylen) < 0) {
		free(pg->url);
		free(pg);
		return NULL;
	}
	pg->busy_ms = busy_ms;
	pg->gen = 1;
	if (session(pg, how, sizeof how) < 0) {
		snprintf(why, whylen, "store '%s': %s", shown, how);
		uoms_pg_close(pg);
		return NULL;
	}
	have = query_int(pg, "SELECT version FROM uoms_schema");
	if (have == uoms_pg_migration_count())
		return pg;
	if (!writes && have < 0) {
		snprintf(why, whylen, "no store at '%s': the database has no "
		    "uoms schema", shown);
		uoms_pg_close(pg);
		return NULL;
	}
	if (migrate(pg, shown, why, whylen) < 0) {
		uoms_pg_close(pg);
		return NULL;
	}
	return pg;
}

void
uoms_pg_close(struct uoms_pg *pg)
{
	if (pg == NULL)
		return;
	for (int i = 0; i < SQL_COUNT; i++)
		uoms_pg_free(pg->named[i]);
	free(pg->sent);
	free(pg->tags);
	pq.PQfinish(pg->conn);
	free(pg->url);
	free(pg);
}

/*
 * The highest $N in text: the statement's number of parameters. With
 * used, marks each $N the text names (used[N - 1]), up to max.
 */
static int
count_params(const char *text, char *used, int max)
{
	int n = 0, quoted = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		else if (!quoted && *p == '$' && p[1] >= '1' && p[1] <= '9') {
			int k = (int)strtol(p + 1, NULL, 10);

			if (k > n)
				n = k;
			if (used != NULL && k <= max)
				used[k - 1] = 1;
		}
	}
	return n;
}

/*
 * The types of a statement's parameters for PQprepare: 0 (the server's
 * to infer) for those the text names, text for the others, which the
 * server could not type at all. SQLite's statements may leave a number
 * out (an UPDATE binds the key last), so the same binding fits both.
 */
static Oid *
param_types(const char *text, int n)
{
	Oid *types = calloc(n > 0 ? n : 1, sizeof *types);
	char *used = calloc(n > 0 ? n : 1, 1);

	if (types != NULL && used != NULL) {
		count_params(text, used, n);
		for (int i = 0; i < n; i++)
			types[i] = used[i] ? 0 : 25;	/* text */
	}
	free(used);
	return types;
}

/* Whether text is a write that returns no rows: one whose result only
 * says whether it ran, which may come later (uoms_pg_later). */
static int
no_rows(const char *text)
{
	static const char *const verbs[] = { "INSERT ", "UPDATE ", "DELETE " };
	int write = 0;

	text += strspn(text, " \t\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		write |= strncasecmp(text, verbs[i], 7) == 0;
	return write && strcasestr(text, "RETURNING") == NULL;
}

/* Whether text is a query (SELECT or WITH): its rows may be many. */
static int
reads_rows(const char *text)
{
	text += strspn(text, " \t\n(");
	return strncasecmp(text, "SELECT", 6) == 0 ||
	    strncasecmp(text, "WITH", 4) == 0;
}

/* Whether text is a plain SELECT: sent again after a lost answer, it
 * changes nothing (a WITH may hold a write). */
static int
reads_only(const char *text)
{
	text += strspn(text, " \t\n(");
	return strncasecmp(text, "SELECT", 6) == 0;
}

static struct uoms_pg_stmt *
stmt_new(struct uoms_pg *pg, const char *text)
{
	struct uoms_pg_stmt *st = calloc(1, sizeof *st);
	int n = count_params(text, NULL, 0);

	if (st == NULL)
		return NULL;
	st->pg = pg;
	st->nparams = n;
	st->norows = no_rows(text);
	st->reads = reads_rows(text);
	st->rerun = reads_only(text);
	if (n > 0 && ((st->vals = calloc(n, sizeof *st->vals)) == NULL ||
	    (st->lens = calloc(n, sizeof *st->lens)) == NULL ||
	    (st->fmts = calloc(n, sizeof *st->fmts)) == NULL ||
	    (st->owned = calloc(n, sizeof *st->owned)) == NULL)) {
		uoms_pg_free(st);
		return NULL;
	}
	return st;
}

/* Prepares a named statement on the connection of now. */
static int
prepare_named(struct uoms_pg_stmt *st)
{
	struct uoms_pg *pg = st->pg;
	Oid *types = param_types(st->named_text, st->nparams);
	PGresult *res = pq.PQprepare(pg->conn, st->name, st->named_text,
	    st->nparams, types);
	int rc = pq.PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;

	free(types);
	if (rc < 0)
		keep_error(pg, res);
	else
		st->gen = pg->gen;
	pq.PQclear(res);
	return rc;
}

/*
 * Before a statement runs: a connection lost outside a transaction is
 * made again (it took nothing with it), and a named statement is
 * prepared on the connection it runs on. Inside a transaction a lost
 * connection stays lost: the statements after it must fail, not run on
 * their own on a new one.
 */
static int
ready(struct uoms_pg_stmt *st)
{
	struct uoms_pg *pg = st->pg;

	note_tx(pg);
	if (pq.PQstatus(pg->conn) == CONNECTION_BAD) {
		if (!pg->idle) {
			snprintf(pg->err, sizeof pg->err, "lost the connection "
			    "to the server");
			snprintf(pg->sqlstate, sizeof pg->sqlstate, "08006");
			return -1;
		}
		if (revive(pg) < 0)
			return -1;
	}
	if (st->name[0] != '\0' && st->gen != pg->gen)
		return prepare_named(st);
	return 0;
}

struct uoms_pg_stmt *
uoms_pg_stmt(struct uoms_pg *pg, enum uoms_sql which, const char *text)
{
	struct uoms_pg_stmt *st = pg->named[which];

	if (st != NULL) {
		uoms_pg_done(st);
		unbind(st);
		return st;
	}
	/* Preparing waits for its answer: what was sent comes first. */
	if (text == NULL || await_sent(pg) < 0 ||
	    (st = stmt_new(pg, text)) == NULL)
		return NULL;
	snprintf(st->name, sizeof st->name, "u%d", (int)which);
	st->named_text = text;
	if (pq.PQstatus(pg->conn) == CONNECTION_OK &&
	    prepare_named(st) < 0) {
		uoms_pg_free(st);
		return NULL;
	}
	return pg->named[which] = st;
}

struct uoms_pg_stmt *
uoms_pg_prepare(struct uoms_pg *pg, const char *text)
{
	struct uoms_pg_stmt *st = stmt_new(pg, text);

	/* Typed as a named statement is: a number the text leaves out
	 * (bound or not) is text, not an error. */
	if (st != NULL && ((st->text = strdup(text)) == NULL ||
	    (st->types = param_types(text, st->nparams)) == NULL)) {
		uoms_pg_free(st);
		return NULL;
	}
	return st;
}

void
uoms_pg_free(struct uoms_pg_stmt *st)
{
	if (st == NULL)
		return;
	uoms_pg_done(st);
	unbind(st);
	free(st->vals);
	free(st->lens);
	free(st->fmts);
	free(st->owned);
	free(st->text);
	free(st->types);
	free(st);
}

void
uoms_pg_bind(struct uoms_pg_stmt *st, int i, const char *v, size_t n,
    int copy, int binary)
{
	if (i < 1 || i > st->nparams)
		return;
	free(st->owned[i - 1]);
	st->owned[i - 1] = NULL;
	/* Text goes with its NUL: a copy (and a length cut) gets one. */
	if (v != NULL && copy) {
		if ((st->owned[i - 1] = malloc(n + 1)) == NULL)
			v = NULL;
		else {
			memcpy(st->owned[i - 1], v, n);
			st->owned[i - 1][n] = '\0';
			v = st->owned[i - 1];
		}
	}
	st->vals[i - 1] = v;
	st->lens[i - 1] = (int)n;
	st->fmts[i - 1] = binary;
}

void
uoms_pg_bind_int(struct uoms_pg_stmt *st, int i, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", v);

	uoms_pg_bind(st, i, num, (size_t)n, 1, 0);
}

/* Frees the bytes read of the row. */
static void
forget_blobs(struct uoms_pg_stmt *st)
{
	for (int i = 0; st->blob != NULL && i < st->nblob; i++)
		if (st->blob[i] != NULL)
			pq.PQfreemem(st->blob[i]);
	free(st->blob);
	free(st->blob_n);
	st->blob = NULL;
	st->blob_n = NULL;
	st->nblob = 0;
}

void
uoms_pg_later(struct uoms_pg *pg)
{
	pg->later = pq.PQenterPipelineMode != NULL;
}

void
uoms_pg_defer(struct uoms_pg *pg, long tag)
{
	pg->tag = tag;
}

long
uoms_pg_late(struct uoms_pg *pg)
{
	return pg->failed_tag > 0 ? pg->failed_tag : 0;
}

static int
await_sent(struct uoms_pg *pg)
{
	return await_with(pg, NULL);
}

/*
 * Waits for the results of what was sent: 0, or -1 with the first
 * failure kept. The window stays as it is. With last, the last sent is
 * last's (a statement sent with the writes before it, in the same round
 * trip), its result kept for its rows; its own failure is its own.
 * A write's failure is kept with whose it was (failed_tag): when it is
 * the open window's (uoms_pg_later, the input sending now), its flush
 * tells it, every wait failing until then (or a rollback), whether the
 * input defers or not; else the input that sent it and flushed without
 * waiting (uoms_pg_defer), for uoms_pg_late: a later input's statement
 * or the commit found it.
 */
static int
await_with(struct uoms_pg *pg, struct uoms_pg_stmt *last)
{
	PGresult *res;
	int failed = 0, n = pg->queued, at = 0;

	if (pg->failed_tag == WINDOW_FAILED)
		return -1;	/* told by the flush */
	pg->failed = -1;
	if (n == 0)
		return 0;
	pg->queued = 0;
	if (!pq.PQpipelineSync(pg->conn)) {
		keep_error(pg, NULL);
		return -1;
	}
	/*
	 * Each statement's result then a NULL, up to the sync's. The first
	 * failure is the one to tell: those after it were not run
	 * (PGRES_PIPELINE_ABORTED), as the transaction failed with it.
	 */
	for (;;) {
		if ((res = pq.PQgetResult(pg->conn)) == NULL) {
			if (pq.PQstatus(pg->conn) == CONNECTION_BAD) {
				if (!failed)
					keep_error(pg, NULL);
				return -1;
			}
			at++;	/* the end of one statement's results */
			continue;
		}
		switch (pq.PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			pq.PQclear(res);
			pq.PQexitPipelineMode(pg->conn);
			return failed ? -1 : 0;
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_PIPELINE_ABORTED:
			break;
		default:
			if (!failed) {
				keep_error(pg, res);
				pg->failed = at < n ? pg->sent[at] : -1;
				/* A write: the open window's, or a
				 * deferred one of an input before. */
				if (at < n && (last == NULL || at < n - 1))
					pg->failed_tag = pg->later &&
					    pg->tags[at] == pg->tag ?
					    WINDOW_FAILED : pg->tags[at];
			}
			failed = 1;
			break;
		}
		if (last != NULL && at == n - 1 && !failed &&
		    last->res == NULL) {
			last->res = res;
			continue;
		}
		pq.PQclear(res);
	}
}

int
uoms_pg_flush(struct uoms_pg *pg, int *which)
{
	int rc;

	pg->later = 0;
	*which = -1;
	/* A write of this window failed at a wait before (a read sent
	 * with it): the window's failure, told now. */
	if (pg->failed_tag == WINDOW_FAILED) {
		pg->failed_tag = 0;
		*which = pg->failed;
		return -1;
	}
	/* For an input of a batch, awaited with the next statement read
	 * or at the commit: uoms_pg_late then names it. Sent now, not when
	 * the next read is: the server runs them while the caller reads
	 * its next input. A failure shows at the wait. */
	if (pg->tag != 0) {
		if (pg->queued > 0)
			pq.PQflush(pg->conn);
		return 0;
	}
	rc = await_sent(pg);
	*which = pg->failed;
	return rc;
}

/* Sends st in pipeline mode, its result unread: -1 when it can't. */
static int
send_later(struct uoms_pg_stmt *st)
{
	struct uoms_pg *pg = st->pg;

	/* The window failed: nothing more is sent until its flush has told
	 * it (the transaction failed with it, its error is kept). */
	if (pg->failed_tag == WINDOW_FAILED)
		return -1;
	if (pg->queued == pg->sent_cap) {
		int cap = pg->sent_cap ? 2 * pg->sent_cap : 16;
		int *p = realloc(pg->sent, cap * sizeof *p);
		long *t = p != NULL ? realloc(pg->tags, cap * sizeof *t) : NULL;

		if (p != NULL)
			pg->sent = p;
		if (t == NULL) {
			snprintf(pg->err, sizeof pg->err, "out of memory");
			return -1;
		}
		pg->tags = t;
		pg->sent_cap = cap;
	}
	if (pg->queued == 0 && !pq.PQenterPipelineMode(pg->conn)) {
		keep_error(pg, NULL);
		return -1;
	}
	if (!(st->text != NULL ? pq.PQsendQueryParams(pg->conn, st->text,
	    st->nparams, st->types, st->vals, st->lens, st->fmts, 0) :
	    pq.PQsendQueryPrepared(pg->conn, st->name, st->nparams, st->vals,
	    st->lens, st->fmts, 0))) {
		keep_error(pg, NULL);
		return -1;
	}
	pg->tags[pg->queued] = pg->tag;
	pg->sent[pg->queued++] = st->name[0] ? atoi(st->name + 1) : -1;
	return 0;
}

/* The rows a cursor gives per FETCH: the most a big read holds. */
#define FETCH_ROWS 1000

/*
 * A query of one use (a listing, a report, a copy: the reads that may be
 * big) is read through a cursor, FETCH_ROWS rows at a time, so its rows
 * are never all in memory, and other statements may run between its
 * steps. Outside a transaction the cursor is WITH HOLD (the server keeps
 * the result, not the tool). -1 when it can't be declared.
 */
static int
open_cursor(struct uoms_pg_stmt *st)
{
	struct uoms_pg *pg = st->pg;
	int id = ++pg->cursors, rc = 0;
	size_t n = strlen(st->text) + 64;
	char *decl = malloc(n);
	PGresult *res;

	if (decl == NULL) {
		snprintf(pg->err, sizeof pg->err, "out of memory");
		return -1;
	}
	snprintf(decl, n, "DECLARE uoms_c%d NO SCROLL CURSOR%s FOR %s", id,
	    uoms_pg_in_tx(pg) ? "" : " WITH HOLD", st->text);
	res = pq.PQexecParams(pg->conn, decl, st->nparams, st->types, st->vals,
	    st->lens, st->fmts, 0);
	free(decl);
	if (pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
		keep_error(pg, res);
		rc = -1;
	} else {
		st->cursor = id;
		st->fetched_all = 0;
		st->held = !uoms_pg_in_tx(pg);
		st->execs = pg->execs;
	}
	pq.PQclear(res);
	return rc;
}

/* The cursor's next row: 1 a row, 0 no more, -1 failed. */
static int
cursor_step(struct uoms_pg_stmt *st)
{
	struct uoms_pg *pg = st->pg;
	char sql[64];

	if (st->res != NULL && st->row < st->nrows) {
		st->row++;
		return 1;
	}
	if (st->fetched_all)
		return 0;
	if (await_sent(pg) < 0)
		return -1;
	snprintf(sql, sizeof sql, "FETCH %d FROM uoms_c%d", FETCH_ROWS,
	    st->cursor);
	pq.PQclear(st->res);
	st->res = pq.PQexec(pg->conn, sql);
	st->row = st->nrows = 0;
	if (pq.PQresultStatus(st->res) != PGRES_TUPLES_OK) {
		keep_error(pg, st->res);
		pq.PQclear(st->res);
		st->res = NULL;
		st->fetched_all = 1;
		return -1;
	}
	st->nrows = pq.PQntuples(st->res);
	st->fetched_all = st->nrows < FETCH_ROWS;
	pg->changes = 0;
	if (st->nrows == 0)
		return 0;
	st->row = 1;
	return 1;
}

int
uoms_pg_step(struct uoms_pg_stmt *st)
{
	struct uoms_pg *pg = st->pg;
	ExecStatusType status;

	forget_blobs(st);
	if (st->res == NULL && pg->later && st->norows &&
	    pq.PQtransactionStatus(pg->conn) != PQTRANS_IDLE) {
		/* Its changes are not known until the flush. */
		pg->changes = -1;
		/* Prepared on a connection lost since (a server restarted
		 * between transactions): prepared again, which waits for
		 * what was sent, as pipeline mode refuses a PQprepare. */
		if (st->name[0] != '\0' && st->gen != pg->gen &&
		    (await_sent(pg) < 0 || ready(st) < 0))
			return -1;
		if (send_later(st) < 0) {
			await_sent(pg);
			return -1;
		}
		return 0;
	}
	/* A statement whose rows are read waits for those sent before. */
	if (st->cursor)
		return cursor_step(st);
	/*
	 * After writes sent unawaited (a batch's last input's, or a status
	 * move's UPDATE and event), the next statement goes with them, in
	 * the same round trip (the next line's find, the record read back
	 * after its change): only its rows are read now. A statement still
	 * to be prepared, or a read through a cursor, waits for them first.
	 */
	if (st->res == NULL && pg->queued > 0 && !(st->reads &&
	    st->text != NULL) && (st->name[0] == '\0' || st->gen == pg->gen)) {
		if (send_later(st) < 0) {
			await_sent(pg);
			return -1;
		}
		if (await_with(pg, st) < 0 || st->res == NULL) {
			pq.PQclear(st->res);
			st->res = NULL;
			return -1;
		}
		goto rows;
	}
	if (st->res == NULL && await_sent(pg) < 0)
		return -1;
	if (st->res == NULL && st->reads && st->text != NULL) {
		int again = 1;

		/* As a read below: on a connection lost since, declared
		 * again on a new one (uoms-events --follow across a
		 * server's restart). */
		if (ready(st) < 0)
			return -1;
		while (open_cursor(st) < 0)
			if (!(again-- && st->rerun && pg->idle &&
			    uoms_pg_lost(pg) && revive(pg) == 0))
				return -1;
		return cursor_step(st);
	}
	if (st->res == NULL) {
		int again = 1;

		if (ready(st) < 0)
			return -1;
run:
		st->res = st->text != NULL ? pq.PQexecParams(pg->conn, st->text,
		    st->nparams, st->types, st->vals, st->lens, st->fmts, 0) :
		    pq.PQexecPrepared(pg->conn, st->name, st->nparams, st->vals,
		    st->lens, st->fmts, 0);
		status = pq.PQresultStatus(st->res);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
			keep_error(pg, st->res);
			pq.PQclear(st->res);
			st->res = NULL;
			/* A read outside a transaction on a connection that
			 * was lost since (a server restarted): read again on
			 * a new one. A write is not sent twice: its answer
			 * lost, it may have been done. */
			if (again-- && st->rerun && pg->idle &&
			    uoms_pg_lost(pg) && revive(pg) == 0 &&
			    ready(st) == 0)
				goto run;
			return -1;
		}
rows:
		note_tx(pg);
		pg->changes = strtoll(pq.PQcmdTuples(st->res), NULL, 10);
		st->nrows = pq.PQntuples(st->res);
		st->row = 0;
	}
	if (st->row >= st->nrows)
		return 0;
	st->row++;
	return 1;
}

int
uoms_pg_is_null(struct uoms_pg_stmt *st, int col)
{
	return st->res == NULL || st->row < 1 || col >= pq.PQnfields(st->res) ||
	    pq.PQgetisnull(st->res, st->row - 1, col);
}

int
uoms_pg_is_int(struct uoms_pg_stmt *st, int col)
{
	Oid t;

	if (uoms_pg_is_null(st, col))
		return 0;
	t = pq.PQftype(st->res, col);
	return t == 20 || t == 21 || t == 23;	/* int8, int2, int4 */
}

int
uoms_pg_type(struct uoms_pg_stmt *st, int col)
{
	Oid t = pq.PQftype(st->res, col);

	if (t == 20 || t == 21 || t == 23)
		return 'i';
	if (t == 700 || t == 701 || t == 1700)	/* float4, float8, numeric */
		return 'r';
	return t == 17 ? 'b' : 't';
}

int
uoms_pg_columns(struct uoms_pg_stmt *st)
{
	return st->res != NULL ? pq.PQnfields(st->res) : 0;
}

const char *
uoms_pg_column_name(struct uoms_pg_stmt *st, int col)
{
	return st->res != NULL ? pq.PQfname(st->res, col) : NULL;
}

const char *
uoms_pg_text(struct uoms_pg_stmt *st, int col)
{
	return uoms_pg_is_null(st, col) ? NULL : pq.PQgetvalue(st->res,
	    st->row - 1, col);
}

size_t
uoms_pg_bytes(struct uoms_pg_stmt *st, int col)
{
	size_t n = 0;

	if (uoms_pg_is_null(st, col))
		return 0;
	if (pq.PQftype(st->res, col) == 17) {	/* bytea */
		uoms_pg_blob(st, col, &n);
		return n;
	}
	return (size_t)pq.PQgetlength(st->res, st->row - 1, col);
}

const void *
uoms_pg_blob(struct uoms_pg_stmt *st, int col, size_t *n)
{
	*n = 0;
	if (uoms_pg_is_null(st, col))
		return NULL;
	if (st->blob == NULL) {
		st->nblob = pq.PQnfields(st->res);
		st->blob = calloc(st->nblob, sizeof *st->blob);
		st->blob_n = calloc(st->nblob, sizeof *st->blob_n);
		if (st->blob == NULL || st->blob_n == NULL) {
			forget_blobs(st);
			return NULL;
		}
	}
	if (st->blob[col] == NULL)
		st->blob[col] = pq.PQunescapeBytea((const unsigned char *)
		    pq.PQgetvalue(st->res, st->row - 1, col), &st->blob_n[col]);
	*n = st->blob_n[col];
	return st->blob[col];
}

void
uoms_pg_done(struct uoms_pg_stmt *st)
{
	char sql[64];

	/*
	 * Closed where it is surely still open: one WITH HOLD, or one of the
	 * transaction still open (no command ran since). The end of its
	 * transaction closed any other, and a CLOSE of a cursor no longer
	 * there would fail the transaction open now.
	 */
	if (st->cursor && pq.PQtransactionStatus(st->pg->conn) !=
	    PQTRANS_INERROR && (st->held || (uoms_pg_in_tx(st->pg) &&
	    st->execs == st->pg->execs))) {
		snprintf(sql, sizeof sql, "CLOSE uoms_c%d", st->cursor);
		if (await_sent(st->pg) == 0)
			pq.PQclear(pq.PQexec(st->pg->conn, sql));
	}
	st->cursor = 0;
	pq.PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
	forget_blobs(st);
}

/* Drops what was bound: a named statement is handed out unbound. */
static void
unbind(struct uoms_pg_stmt *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->owned[i]);
		st->owned[i] = NULL;
		st->vals[i] = NULL;
		st->lens[i] = st->fmts[i] = 0;
	}
}

int
uoms_pg_wait(struct uoms_pg *pg, const char *channel, int fd, int ms)
{
	struct pollfd p[2] = {
		{ .fd = -1, .events = POLLIN },
		{ .fd = fd, .events = 0 },
	};
	PGnotify *n;
	char sql[80];
	int woken = 0;

	if (pg->listen_gen != pg->gen &&
	    pq.PQstatus(pg->conn) == CONNECTION_OK) {
		snprintf(sql, sizeof sql, "LISTEN %s", channel);
		/* What came before LISTEN woke nobody: the caller looks
		 * once more at once. */
		if (uoms_pg_exec(pg, sql) == 0) {
			pg->listen_gen = pg->gen;
			return 0;
		}
	}
	/* Notifications read with a statement's answer wait here. */
	while ((n = pq.PQnotifies(pg->conn)) != NULL) {
		pq.PQfreemem(n);
		woken = 1;
	}
	if (woken)
		return 0;
	/* Not listening (the connection lost, LISTEN failed): the timeout
	 * alone, then the caller's read makes the connection again. */
	if (pg->listen_gen == pg->gen &&
	    pq.PQstatus(pg->conn) == CONNECTION_OK)
		p[0].fd = pq.PQsocket(pg->conn);
	if (poll(p, 2, ms) < 0)
		return errno == EINTR ? 0 : -1;
	if (p[1].revents & (POLLERR | POLLHUP))
		return 1;
	/* A failure here (the server gone) is the next read's to find. */
	if (p[0].revents != 0 && pq.PQconsumeInput(pg->conn))
		while ((n = pq.PQnotifies(pg->conn)) != NULL)
			pq.PQfreemem(n);
	return 0;
}
