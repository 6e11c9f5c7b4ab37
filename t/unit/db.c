/*
 * db: every named statement has its text on each engine and prepares on
 * a fresh store (a typo in a statement no test runs fails here), and the
 * statement interface binds, steps and reads what it promises, on SQLite
 * and on a PostgreSQL this test starts with t/pg.sh ($UOMS_TEST_PG names
 * one already running instead). Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"

#include "pgserver.h"
#include "tap.h"

static char dir[] = "/tmp/uoms-unit-db.XXXXXX";

/* Every statement the engine has text for prepares on a fresh store. */
static void
named(struct uoms_store *s, const char *engine, const char *const *text)
{
	int missing = 0, broken = 0;

	for (int i = 0; i < SQL_COUNT; i++) {
		if (text[i] == NULL)
			missing++;
		else if (uoms_db_stmt(s, i) == NULL) {
			printf("# statement %d does not prepare: %s\n", i,
			    text[i]);
			broken++;
		}
	}
	/* PostgreSQL's table fills as the modules move onto db.h. */
	if (text == uoms_sql_sqlite)
		ok(missing == 0, "%s: every named statement has its text",
		    engine);
	else
		printf("# %s: %d of %d statements have no text yet\n", engine,
		    missing, SQL_COUNT);
	ok(broken == 0, "%s: every statement with text prepares on a fresh "
	    "store", engine);
}

/* uoms_store_tables names every table of the schema (a copy would miss
 * one a migration added and the list forgot). */
static void
tables(struct uoms_store *s, const char *engine, const char *sql)
{
	const char *const *t = uoms_store_tables();
	struct uoms_stmt *st = uoms_db_prepare(s, sql);
	int n = 0, found = 0, listed = 0;

	while (st != NULL && uoms_db_step(st) == UOMS_DB_ROW) {
		const char *name = uoms_db_text(st, 0);
		int i = 0;

		n++;
		while (t[i] != NULL && strcmp(t[i], name) != 0)
			i++;
		if (t[i] != NULL)
			found++;
		else
			printf("# %s: table %s is not in uoms_store_tables\n",
			    engine, name);
	}
	uoms_db_free(st);
	while (t[listed] != NULL)
		listed++;
	ok(n > 0 && found == n && listed == n, "%s: the copy's table list is "
	    "the schema's (%d of %d, %d listed)", engine, found, n, listed);
}

/* SELECT ?1, ?2, ... ?n as the engine writes parameters, each cast to
 * its type (PostgreSQL can't infer a bare parameter's). */
static void
select_params(struct uoms_store *s, struct uoms_buf *sql)
{
	static const char *const types[] = { "bigint", "text", "text",
	    "text", "float8", "bytea" };
	uoms_buf_str(sql, "SELECT ");
	for (int i = 0; i < 6; i++) {
		size_t mark;

		uoms_buf_str(sql, i ? ", " : "");
		mark = sql->n;
		uoms_db_param(s, sql, i + 1);
		if (sql->p[mark] == '$')
			uoms_buf_printf(sql, "::%s", types[i]);
	}
}

static void
interface(struct uoms_store *s, const char *engine)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 }, sql = { 0 };
	struct uoms_stmt *st;
	struct uoms_val v;
	char copy[8] = "copied";

	select_params(s, &sql);
	st = uoms_db_prepare(s, sql.p);
	if (!ok(st != NULL, "%s: a statement built at run time prepares (%s)",
	    engine, sql.p))
		return;
	uoms_db_bind_int(st, 1, 9007199254740993LL);
	uoms_db_bind_textn(st, 2, "abcdef", 3);
	uoms_db_bind_null(st, 3);
	uoms_db_bind_copy(st, 4, copy);
	memset(copy, 'x', sizeof copy - 1);
	uoms_db_bind_real(st, 5, 0.25);
	uoms_db_bind_blob(st, 6, "\0\1\2", 3);
	ok(uoms_db_step(st) == UOMS_DB_ROW, "%s: it gives a row", engine);
	ok(uoms_db_int(st, 0) == 9007199254740993LL,
	    "%s: a 64-bit integer comes back whole", engine);
	ok(uoms_db_text(st, 1) != NULL && strcmp(uoms_db_text(st, 1), "abc")
	    == 0, "%s: text bound with a length is cut there", engine);
	ok(uoms_db_bytes(st, 1) == 3, "%s: its length in bytes", engine);
	ok(uoms_db_is_null(st, 2) && uoms_db_text(st, 2) == NULL,
	    "%s: null reads as null", engine);
	ok(uoms_db_text(st, 3) != NULL && strcmp(uoms_db_text(st, 3),
	    "copied") == 0, "%s: a copied bind outlives its text", engine);
	ok(uoms_db_real(st, 4) == 0.25, "%s: a real comes back", engine);
	ok(uoms_db_bytes(st, 5) == 3 && memcmp(uoms_db_blob(st, 5),
	    "\0\1\2", 3) == 0, "%s: bytes come back whole, zeros and all",
	    engine);
	v = uoms_db_val(st, 0);
	ok(v.type == UOMS_V_INT && v.i == 9007199254740993LL,
	    "%s: an integer column as a value", engine);
	v = uoms_db_val(st, 1);
	ok(v.type == UOMS_V_TEXT && v.n == 3, "%s: a text column as a value",
	    engine);
	v = uoms_db_val(st, 2);
	ok(v.type == UOMS_V_NULL, "%s: a null column as a value", engine);
	ok(uoms_db_step(st) == UOMS_DB_DONE, "%s: and then no more", engine);
	uoms_db_free(st);

	/* Named statements, through a transaction. */
	ok(uoms_store_begin(s, &e) == UOMS_OK, "%s: a transaction begins",
	    engine);
	ok(uoms_store_in_tx(s), "%s: and is open", engine);
	st = uoms_db_stmt(s, SQL_IDEM_PUT);
	uoms_db_bind_text(st, 1, "alice");
	uoms_db_bind_text(st, 2, "k1");
	uoms_db_bind_int(st, 3, 0);
	uoms_db_bind_text(st, 4, "fp");
	uoms_db_bind_text(st, 5, "{}");
	uoms_db_bind_text(st, 6, "2026-01-01T00:00:00Z");
	uoms_db_bind_text(st, 7, "2999-01-01T00:00:00Z");
	ok(uoms_db_exec(s, st, "storing", &e) == UOMS_OK,
	    "%s: a named statement runs (%s)", engine, e.msg);
	ok(uoms_db_changes(s) == 1, "%s: and changed one row", engine);
	ok(uoms_store_commit(s, &e) == UOMS_OK, "%s: it commits", engine);
	ok(!uoms_store_in_tx(s), "%s: and the transaction is over", engine);
	st = uoms_db_stmt(s, SQL_IDEM_FIND);
	uoms_db_bind_text(st, 1, "alice");
	uoms_db_bind_text(st, 2, "k1");
	uoms_db_bind_int(st, 3, 0);
	uoms_db_bind_text(st, 4, "2026-06-01T00:00:00Z");
	ok(uoms_db_lines(s, st, &out, "reading", &e) == UOMS_OK &&
	    out.p != NULL && strcmp(out.p, "fp\n") == 0,
	    "%s: lines reads column 0 of each row", engine);
	/* Asked again, a named statement comes back unbound. */
	st = uoms_db_stmt(s, SQL_IDEM_FIND);
	ok(uoms_db_step(st) == UOMS_DB_DONE, "%s: a named statement is "
	    "handed out unbound", engine);
	uoms_db_done(st);

	/* A failure says what was being done. */
	st = uoms_db_prepare(s, "SELECT sum(v) FROM (SELECT "
	    "9223372036854775807 AS v UNION ALL SELECT 1) AS t");
	ok(st != NULL && uoms_db_step(st) == UOMS_DB_ROW ? 1 :
	    uoms_db_fail(s, &e, "adding up") == UOMS_INTERNAL &&
	    strstr(e.msg, "adding up") != NULL, "%s: a sum past 64 bits fails "
	    "or is exact (%s)", engine, e.msg);
	uoms_db_free(st);
	ok(!uoms_db_refused(s), "%s: an overflow is not a refused value",
	    engine);

	/* A value the store refuses is told apart from its failures. */
	st = uoms_db_prepare(s, "CREATE TEMP TABLE r (x INTEGER NOT NULL)");
	ok(uoms_db_exec(s, st, "making a table", &e) == UOMS_OK,
	    "%s: a table to refuse values", engine);
	uoms_db_free(st);
	st = uoms_db_prepare(s, "INSERT INTO r VALUES (NULL)");
	ok(uoms_db_exec(s, st, "storing", &e) == UOMS_INTERNAL &&
	    uoms_db_refused(s), "%s: a NOT NULL broken is a refused value",
	    engine);
	uoms_db_free(st);

	/* A statement of one's own runs beside the shared one. */
	{
		struct uoms_stmt *own = uoms_db_own(s, SQL_IDEM_FIND);

		if (!ok(own != NULL, "%s: a named statement of one's own",
		    engine))
			return;
		uoms_db_bind_text(own, 1, "alice");
		uoms_db_bind_text(own, 2, "k1");
		uoms_db_bind_int(own, 3, 0);
		uoms_db_bind_text(own, 4, "2026-06-01T00:00:00Z");
		st = uoms_db_stmt(s, SQL_IDEM_FIND);
		ok(st != own && uoms_db_step(own) == UOMS_DB_ROW &&
		    uoms_db_step(st) == UOMS_DB_DONE &&
		    strcmp(uoms_db_text(own, 0), "fp") == 0,
		    "%s: it keeps its bindings and row while the shared one "
		    "runs", engine);
		uoms_db_done(st);
		uoms_db_done(own);
		ok(uoms_db_step(own) == UOMS_DB_ROW, "%s: done, it runs again "
		    "as bound", engine);
		uoms_db_free(own);
	}

	uoms_buf_free(&out);
	uoms_buf_free(&sql);
}

/* The expressions db.h writes for each engine (the report's). */
static void
expressions(struct uoms_store *s, const char *engine)
{
	struct uoms_buf sql = { 0 };
	struct uoms_stmt *st;

	/* Columns, not constants: PostgreSQL folds a constant cast before
	 * a CASE could pass it over. */
	uoms_buf_str(&sql, "WITH v (t, a, b, c) AS MATERIALIZED (SELECT 'x',"
	    " '{\"a\": 5}', 'not json', '[1]') SELECT ");
	uoms_db_epoch(s, &sql, "'2025-03-09T06:59:59.999Z'");
	uoms_buf_str(&sql, ", ");
	uoms_db_epoch(s, &sql, "NULL");
	uoms_buf_str(&sql, ", ");
	uoms_db_json_member_lax(s, &sql, "v.a", "a");
	uoms_buf_str(&sql, ", ");
	uoms_db_json_member_lax(s, &sql, "v.b", "a");
	uoms_buf_str(&sql, ", ");
	uoms_db_json_member_lax(s, &sql, "v.c", "a");
	uoms_buf_str(&sql, " FROM v WHERE ");
	uoms_db_no_index(s, &sql, "v.t");
	uoms_buf_str(&sql, " = 'x'");
	st = uoms_db_prepare(s, sql.p);
	if (ok(st != NULL && uoms_db_step(st) == UOMS_DB_ROW,
	    "%s: the expressions prepare and give a row (%s)", engine,
	    sql.p)) {
		ok(uoms_db_int(st, 0) == 1741503599,
		    "%s: epoch seconds of a time, the fraction cut off", engine);
		ok(uoms_db_is_null(st, 1), "%s: epoch of null is null", engine);
		ok(uoms_db_int(st, 2) == 5, "%s: a JSON member", engine);
		ok(uoms_db_is_null(st, 3) && uoms_db_is_null(st, 4),
		    "%s: a member of text that is not an object is null",
		    engine);
	}
	uoms_db_free(st);
	uoms_buf_free(&sql);
}

int
main(void)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *s;
	char why[512], db[300], url[600], cmd[900];
	const char *pg;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! can't make a temporary folder\n");
		return 1;
	}
	snprintf(db, sizeof db, "%s/uoms.db", dir);
	s = uoms_store_open(db, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	if (!ok(s != NULL, "sqlite: a new store opens (%s)", s ? "" : why))
		return 1;
	named(s, "sqlite", uoms_sql_sqlite);
	interface(s, "sqlite");
	expressions(s, "sqlite");
	tables(s, "sqlite", "SELECT name FROM sqlite_master WHERE type ="
	    " 'table' AND name NOT LIKE 'sqlite_%'");
	uoms_store_close(s);

	if ((pg = pg_server_start(url, sizeof url)) == NULL)
		printf("ok %d # skip no PostgreSQL server on this machine\n",
		    ++tests);
	else {
		s = uoms_store_open(pg, UOMS_STORE_WRITE, &cfg, why,
		    sizeof why);
		if (ok(s != NULL, "postgresql: a new store opens (%s)",
		    s ? "" : why)) {
			named(s, "postgresql", uoms_sql_pg);
			interface(s, "postgresql");
			expressions(s, "postgresql");
			tables(s, "postgresql", "SELECT tablename FROM"
			    " pg_tables WHERE schemaname = current_schema()"
			    " AND tablename <> 'uoms_schema'");
			uoms_store_close(s);
		}
		s = uoms_store_open(pg, UOMS_STORE_READ, &cfg, why,
		    sizeof why);
		ok(s != NULL, "postgresql: it opens again to read (%s)",
		    s ? "" : why);
		uoms_store_close(s);
	}
	pg_server_stop();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
