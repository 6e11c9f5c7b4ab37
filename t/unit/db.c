/*
 * db: every named statement has its text on each engine and prepares on
 * a fresh store (a typo in a statement no test runs fails here), and the
 * statement interface binds, steps and reads what it promises. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"

#include "tap.h"

static char dir[] = "/tmp/uoms-unit-db.XXXXXX";

int
main(void)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 }, sql = { 0 };
	struct uoms_stmt *st;
	struct uoms_val v;
	char why[512], db[300];
	int missing = 0, broken = 0;
	char copy[8] = "copied";

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! can't make a temporary folder\n");
		return 1;
	}
	snprintf(db, sizeof db, "%s/uoms.db", dir);
	s = uoms_store_open(db, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	if (!ok(s != NULL, "a new store opens (%s)", s ? "" : why))
		return 1;
	for (int i = 0; i < SQL_COUNT; i++) {
		if (uoms_sql_sqlite[i] == NULL) {
			printf("# statement %d has no SQLite text\n", i);
			missing++;
		} else if (uoms_db_stmt(s, i) == NULL) {
			printf("# statement %d does not prepare: %s\n", i,
			    uoms_sql_sqlite[i]);
			broken++;
		}
	}
	ok(missing == 0, "every named statement has its SQLite text");
	ok(broken == 0, "every named statement prepares on a fresh store");

	/* Built at run time: parameters as the engine writes them. */
	uoms_buf_str(&sql, "SELECT ");
	uoms_db_param(s, &sql, 1);
	uoms_buf_str(&sql, ", ");
	uoms_db_param(s, &sql, 2);
	uoms_buf_str(&sql, ", ");
	uoms_db_param(s, &sql, 3);
	uoms_buf_str(&sql, ", ");
	uoms_db_param(s, &sql, 4);
	uoms_buf_str(&sql, ", ");
	uoms_db_param(s, &sql, 5);
	uoms_buf_str(&sql, ", ");
	uoms_db_param(s, &sql, 6);
	st = uoms_db_prepare(s, sql.p);
	if (!ok(st != NULL, "a statement built at run time prepares"))
		return 1;
	uoms_db_bind_int(st, 1, 9007199254740993LL);
	uoms_db_bind_textn(st, 2, "abcdef", 3);
	uoms_db_bind_null(st, 3);
	uoms_db_bind_copy(st, 4, copy);
	memset(copy, 'x', sizeof copy - 1);
	uoms_db_bind_real(st, 5, 0.25);
	uoms_db_bind_blob(st, 6, "\0\1\2", 3);
	ok(uoms_db_step(st) == UOMS_DB_ROW, "it gives a row");
	ok(uoms_db_int(st, 0) == 9007199254740993LL,
	    "a 64-bit integer comes back whole");
	is(uoms_db_text(st, 1), "abc", "text bound with a length is cut there");
	ok(uoms_db_bytes(st, 1) == 3, "its length in bytes");
	ok(uoms_db_is_null(st, 2) && uoms_db_text(st, 2) == NULL,
	    "null reads as null");
	is(uoms_db_text(st, 3), "copied", "a copied bind outlives its text");
	ok(uoms_db_real(st, 4) == 0.25, "a real comes back");
	ok(uoms_db_bytes(st, 5) == 3 && memcmp(uoms_db_blob(st, 5),
	    "\0\1\2", 3) == 0, "bytes come back whole, zeros and all");
	v = uoms_db_val(st, 1);
	ok(v.type == UOMS_V_TEXT && v.n == 3, "a text column as a value");
	v = uoms_db_val(st, 2);
	ok(v.type == UOMS_V_NULL, "a null column as a value");
	ok(uoms_db_step(st) == UOMS_DB_DONE, "and then no more");
	uoms_db_free(st);

	/* Named statements, through a transaction. */
	ok(uoms_store_begin(s, &e) == UOMS_OK, "a transaction begins");
	st = uoms_db_stmt(s, SQL_IDEM_PUT);
	uoms_db_bind_text(st, 1, "alice");
	uoms_db_bind_text(st, 2, "k1");
	uoms_db_bind_int(st, 3, 0);
	uoms_db_bind_text(st, 4, "fp");
	uoms_db_bind_text(st, 5, "{}");
	uoms_db_bind_text(st, 6, "2026-01-01T00:00:00Z");
	uoms_db_bind_text(st, 7, "2999-01-01T00:00:00Z");
	ok(uoms_db_exec(s, st, "storing", &e) == UOMS_OK,
	    "a named statement runs");
	ok(uoms_db_changes(s) == 1, "and changed one row");
	ok(uoms_store_commit(s, &e) == UOMS_OK, "it commits");
	st = uoms_db_stmt(s, SQL_IDEM_FIND);
	uoms_db_bind_text(st, 1, "alice");
	uoms_db_bind_text(st, 2, "k1");
	uoms_db_bind_int(st, 3, 0);
	uoms_db_bind_text(st, 4, "2026-06-01T00:00:00Z");
	ok(uoms_db_lines(s, st, &out, "reading", &e) == UOMS_OK &&
	    out.p != NULL && strcmp(out.p, "fp\n") == 0,
	    "lines reads column 0 of each row");
	/* Asked again, a named statement comes back unbound. */
	st = uoms_db_stmt(s, SQL_IDEM_FIND);
	ok(uoms_db_step(st) == UOMS_DB_DONE, "a named statement is handed "
	    "out unbound");
	uoms_db_done(st);

	/* A failure says what was being done. */
	st = uoms_db_prepare(s, "SELECT sum(v) FROM (SELECT "
	    "9223372036854775807 AS v UNION ALL SELECT 1)");
	ok(uoms_db_exec(s, st, "adding up", &e) == UOMS_INTERNAL &&
	    strstr(e.msg, "adding up") != NULL, "a failure names the work "
	    "(%s)", e.msg);
	uoms_db_free(st);
	ok(!uoms_db_refused(s), "an overflow is not a refused value");

	/* A value the store refuses is told apart from its failures. */
	st = uoms_db_prepare(s, "CREATE TEMP TABLE r (x INTEGER NOT NULL)");
	ok(uoms_db_exec(s, st, "making a table", &e) == UOMS_OK,
	    "a table to refuse values");
	uoms_db_free(st);
	st = uoms_db_prepare(s, "INSERT INTO r VALUES (NULL)");
	ok(uoms_db_exec(s, st, "storing", &e) == UOMS_INTERNAL &&
	    uoms_db_refused(s), "a NOT NULL broken is a refused value");
	uoms_db_free(st);

	/* A statement of one's own runs beside the shared one. */
	{
		struct uoms_stmt *own = uoms_db_own(s, SQL_IDEM_FIND);

		if (!ok(own != NULL, "a named statement of one's own"))
			return 1;
		uoms_db_bind_text(own, 1, "alice");
		uoms_db_bind_text(own, 2, "k1");
		uoms_db_bind_int(own, 3, 0);
		uoms_db_bind_text(own, 4, "2026-06-01T00:00:00Z");
		st = uoms_db_stmt(s, SQL_IDEM_FIND);
		ok(st != own && uoms_db_step(own) == UOMS_DB_ROW &&
		    uoms_db_step(st) == UOMS_DB_DONE &&
		    strcmp(uoms_db_text(own, 0), "fp") == 0,
		    "it keeps its bindings and row while the shared one runs");
		uoms_db_done(st);
		uoms_db_done(own);
		ok(uoms_db_step(own) == UOMS_DB_ROW, "done, it runs again as "
		    "bound");
		uoms_db_free(own);
	}

	uoms_buf_free(&out);
	uoms_buf_free(&sql);
	uoms_store_close(s);
	snprintf(why, sizeof why, "rm -rf %s", dir);
	if (system(why) != 0)
		printf("# can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
