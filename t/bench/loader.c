/*
 * loader: the limit for the store's schema, the yardstick uoms-upsert is
 * measured against (t/bench/run.sh). No validation, no lookups, no
 * output: one transaction, prepared statements, and each line parsed by
 * SQLite's own JSON functions. It fills what uoms-upsert fills for a new
 * order: the order with its line's digest (SHA-256, the first 16 bytes,
 * in the orders_line_hash index), its items, its event, the channel's
 * word (a blob of the size uoms writes) and a kept record (the line
 * itself, of about the record's size), so that the store it leaves can
 * answer a re-run as uoms' does. The store must exist (make it with
 * `uoms-upsert -d STORE < /dev/null` so the schema and pragmas are the
 * real ones).
 *
 * With --bare, the orders, items and events alone (no digest, word or
 * kept record): what this yardstick was before those tables existed.
 *
 * With --raw, the machine's limit: no schema at all, each line kept whole
 * in a table of (channel, external_order_id, json) the loader makes, the
 * key drawn out by json_extract; the same transaction and settings.
 *
 * With --skip, the floor of an unchanged re-run on this schema: each line
 * hashed as uoms-upsert hashes it (SHA-256, its first 16 bytes), looked up
 * in the store's orders_line_hash index, and the record kept for it
 * (order_renderings) printed; no checks (is the order at the version the
 * line made, deleted, is the record kept at that version), no parse, no
 * write, one read transaction. A line not found prints nothing.
 *
 *	usage: loader [--raw | --skip | --bare] STORE < lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "digest.h"
#include "ingest.h"

#define J(m) "json_extract(?1, '$." m "')"

/*
 * An order's columns and their values, drawn from the line (?1); customer,
 * shipping and driver are objects: json_extract gives their text. The
 * digest's columns come after them where the line's digest (?3) is kept.
 */
#define ORDER_INTO \
    "INSERT INTO orders (channel, external_order_id, order_no, kind," \
    " workflow, status, version, department, warehouse, customer, shipping," \
    " eta, driver, placed_at, channel_updated_at, depart_time," \
    " complete_time, total_amount, currency, created_at, updated_at"
#define ORDER_VALUES \
    " SELECT " J("channel") ", " J("external_order_id") ", " J("order_no") \
    ", coalesce(" J("kind") ", 'delivery'), 'dispatch', 'WAITING', 1, " \
    J("department") ", " J("warehouse") ", " J("customer") ", " \
    J("shipping") ", " J("eta") ", " J("driver") ", " J("placed_at") ", " \
    J("channel_updated_at") ", " J("depart_time") ", " J("complete_time") \
    ", " J("total_amount") ", " J("currency") ", ?2, ?2"

static const char sql_order[] = ORDER_INTO ")" ORDER_VALUES;

/* The same with the line's digest and the version it made. */
static const char sql_order_hashed[] = ORDER_INTO ", line_hash, line_version)"
    ORDER_VALUES ", ?3, 1";

/* The channel's word: uoms keeps 168 bytes of digests for these lines. */
static const char sql_word[] =
    "INSERT INTO channel_words (order_id, channel_updated_at, said)"
    " VALUES (?2, json_extract(?1, '$.channel_updated_at'),"
    " randomblob(168))";

static const char sql_kept[] =
    "INSERT INTO order_renderings (order_id, version, rendering)"
    " VALUES (?2, 1, ?1)";

static const char sql_items[] =
    "INSERT INTO order_items (order_id, external_item_id, seq, sku, name,"
    " quantity, unit_price)"
    " SELECT ?2, json_extract(value, '$.external_item_id'), key,"
    " json_extract(value, '$.sku'), json_extract(value, '$.name'),"
    " json_extract(value, '$.quantity'), json_extract(value, '$.unit_price')"
    " FROM json_each(?1, '$.items')";

static const char sql_event[] =
    "INSERT INTO events (order_id, type, from_state, to_state, actor, at,"
    " version, details) VALUES (?1, 'created', NULL, 'WAITING', 'loader',"
    " ?2, 1, NULL)";

/* --raw: the natural key, unique as in every store of orders. */
static const char sql_raw_table[] =
    "CREATE TABLE IF NOT EXISTS lines (channel TEXT NOT NULL,"
    " external_order_id TEXT NOT NULL, json TEXT NOT NULL,"
    " UNIQUE (channel, external_order_id))";

static const char sql_raw[] =
    "INSERT INTO lines (channel, external_order_id, json)"
    " SELECT " J("channel") ", " J("external_order_id") ", ?1";

/* --skip: the index probe, then the kept record by its order's rowid. */
static const char sql_skip[] =
    "SELECT r.rendering FROM orders o, order_renderings r"
    " WHERE o.line_hash = ?1 AND r.order_id = o.id";

static sqlite3 *db;

static void
die(const char *what)
{
	fprintf(stderr, "loader: %s: %s\n", what, sqlite3_errmsg(db));
	exit(3);
}

static sqlite3_stmt *
prepare(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		die("prepare");
	return st;
}

static void
usage(void)
{
	fputs("usage: loader [--raw | --skip | --bare] STORE < lines\n",
	    stderr);
	exit(2);
}

/* The first UOMS_LINE_HASH bytes of a line's SHA-256, as uoms-upsert
 * keeps them (lib/digest.c's, libcrypto fetched once). */
static const unsigned char *
line_digest(const char *line, size_t len)
{
	static unsigned char md[UOMS_SHA256_LEN];

	uoms_sha256(line, len, md);
	return md;
}

/* --skip: prints the record kept for each line seen before. */
static long long
skip(sqlite3_stmt *st)
{
	static char out[1 << 16];
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long long count = 0;

	setvbuf(stdout, out, _IOFBF, sizeof out);
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		sqlite3_bind_blob(st, 1, line_digest(line, len),
		    UOMS_LINE_HASH, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			fwrite(sqlite3_column_text(st, 0), 1,
			    sqlite3_column_bytes(st, 0), stdout);
			putchar('\n');
			count++;
		}
		sqlite3_reset(st);
	}
	free(line);
	if (fflush(stdout) != 0)
		die("stdout");
	return count;
}

static void
run(sqlite3_stmt *st, const char *what)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(what);
	sqlite3_reset(st);
}

int
main(int argc, char **argv)
{
	sqlite3_stmt *order = NULL, *items = NULL, *event = NULL;
	sqlite3_stmt *word = NULL, *kept = NULL;
	struct stat sb;
	char now[32], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long long id, count = 0;
	time_t t = time(NULL);
	int raw = 0, skipping = 0, bare = 0, flags = SQLITE_OPEN_READWRITE;

	if (argc == 3 && strcmp(argv[1], "--raw") == 0) {
		raw = 1;
		flags |= SQLITE_OPEN_CREATE;
		argv++, argc--;
	} else if (argc == 3 && strcmp(argv[1], "--skip") == 0) {
		skipping = 1;
		argv++, argc--;
	} else if (argc == 3 && strcmp(argv[1], "--bare") == 0) {
		bare = 1;
		argv++, argc--;
	}
	if (argc != 2 || argv[1][0] == '-')
		usage();
	if (!raw && stat(argv[1], &sb) < 0) {
		perror(argv[1]);
		return 3;
	}
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (sqlite3_open_v2(argv[1], &db, flags, NULL) != SQLITE_OK)
		die(argv[1]);
	if (skipping) {
		/* uoms-upsert's page cache (lib/store.c), a read transaction. */
		if (sqlite3_exec(db, "PRAGMA cache_size = -16384; BEGIN",
		    NULL, NULL, NULL) != SQLITE_OK)
			die("begin");
		order = prepare(sql_skip);
		count = skip(order);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die("commit");
		sqlite3_finalize(order);
		sqlite3_close(db);
		fprintf(stderr, "loader: %lld orders\n", count);
		return 0;
	}
	/* The settings uoms-upsert runs with (lib/store.c's pragmas). */
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;"
	    "PRAGMA wal_autocheckpoint = 65536;"
	    "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		die("begin");
	if (raw) {
		if (sqlite3_exec(db, sql_raw_table, NULL, NULL, NULL) !=
		    SQLITE_OK)
			die("lines");
		order = prepare(sql_raw);
	} else {
		order = prepare(bare ? sql_order : sql_order_hashed);
		items = prepare(sql_items);
		if (!bare) {
			word = prepare(sql_word);
			kept = prepare(sql_kept);
		}
		event = prepare(sql_event);
		sqlite3_bind_text(order, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(event, 2, now, -1, SQLITE_STATIC);
	}

	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		sqlite3_bind_text(order, 1, line, len, SQLITE_STATIC);
		if (!raw && !bare)
			sqlite3_bind_blob(order, 3, line_digest(line, len),
			    UOMS_LINE_HASH, SQLITE_STATIC);
		if (raw) {
			run(order, "lines");
			count++;
			continue;
		}
		run(order, "orders");
		id = sqlite3_last_insert_rowid(db);
		sqlite3_bind_text(items, 1, line, len, SQLITE_STATIC);
		sqlite3_bind_int64(items, 2, id);
		run(items, "order_items");
		sqlite3_bind_int64(event, 1, id);
		run(event, "events");
		if (!bare) {
			sqlite3_bind_text(word, 1, line, len, SQLITE_STATIC);
			sqlite3_bind_int64(word, 2, id);
			run(word, "channel_words");
			sqlite3_bind_text(kept, 1, line, len, SQLITE_STATIC);
			sqlite3_bind_int64(kept, 2, id);
			run(kept, "order_renderings");
		}
		count++;
	}
	if (ferror(stdin)) {
		perror("loader: stdin");
		return 3;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("commit");
	sqlite3_finalize(order);
	sqlite3_finalize(items);
	sqlite3_finalize(event);
	sqlite3_finalize(word);
	sqlite3_finalize(kept);
	sqlite3_close(db);
	free(line);
	fprintf(stderr, "loader: %lld orders\n", count);
	return 0;
}
