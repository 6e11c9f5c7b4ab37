/*
 * store: what uoms_db_fail says for each cause (a full disk forced
 * with max_page_count, SUM() out of range), the mark and mode of a new
 * store, that a foreign file is refused unchanged, and that a second
 * store opened in a process with one open (uoms-serve's threads) loses
 * none of the first one's writes. Prints TAP.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_priv.h"

#include "tap.h"

static char dir[] = "/tmp/uoms-unit-store.XXXXXX";

static void
path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* How many rows table probe of db has, as another program (sqlite3(1))
 * reads it; -1 when it can't be read. */
static long
probe_rows(const char *db)
{
	char cmd[600];
	FILE *p;
	long n = -1;

	snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'SELECT count(*) FROM probe' "
	    "2>/dev/null", db);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fscanf(p, "%ld", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/*
 * Two stores open in one process, the second opened after the first
 * wrote: closing any descriptor of the file drops every POSIX lock the
 * process holds on it (SQLite's included), so if opening the second
 * read the file's header with open() and close(), another program's
 * connection would find the store unused, checkpoint and delete the WAL
 * under the first store, and the first store's later commits would go
 * to a deleted file: lost.
 */
static void
second_store(const char *db)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *s1, *s2;
	char why[512];

	s1 = uoms_store_open(db, UOMS_STORE_UPDATE, &cfg, why, sizeof why);
	if (!ok(s1 != NULL, "a store opens (%s)", s1 ? "" : why))
		return;
	sqlite3_exec(s1->db, "CREATE TABLE probe (x);"
	    " INSERT INTO probe VALUES (1)", NULL, NULL, NULL);
	s2 = uoms_store_open(db, UOMS_STORE_UPDATE, &cfg, why, sizeof why);
	ok(s2 != NULL, "a second one opens in the same process (%s)",
	    s2 ? "" : why);
	ok(probe_rows(db) == 1, "another program reads the first's write");
	sqlite3_exec(s1->db, "INSERT INTO probe VALUES (2)", NULL, NULL, NULL);
	ok(probe_rows(db) == 2, "and the first's next write too");
	uoms_store_close(s2);
	uoms_store_close(s1);
	ok(probe_rows(db) == 2, "which stays once both are closed");
}

int
main(void)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	struct stat sb;
	char why[512], db[256], other[256];
	struct uoms_stmt *st;
	FILE *fp;
	int rc;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! can't make a temporary folder\n");
		return 1;
	}
	umask(022);
	path_of(db, sizeof db, "uoms.db");
	s = uoms_store_open(db, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	if (!ok(s != NULL, "a new store opens (%s)", s ? "" : why))
		return 1;
	rc = stat(db, &sb);
	ok(rc == 0 && (sb.st_mode & 0777) == 0600,
	    "made 0600 under umask 022 (%o)", sb.st_mode & 0777);
	st = uoms_db_prepare(s, "PRAGMA application_id");
	ok(st != NULL && uoms_db_step(st) == UOMS_DB_ROW &&
	    uoms_db_int(st, 0) == UOMS_STORE_APPLICATION_ID,
	    "it carries the mark 0x%x", UOMS_STORE_APPLICATION_ID);
	uoms_db_free(st);

	/* SUM() past 64 bits: SQLite stops with "integer overflow". */
	st = uoms_db_prepare(s, "SELECT sum(v) FROM (SELECT 9223372036854775807"
	    " AS v UNION ALL SELECT 1)");
	rc = uoms_db_lines(s, st, &out, "adding up", &e);
	uoms_db_free(st);
	ok(rc == UOMS_INTERNAL, "a SUM() out of range fails");
	is(e.msg, "out of range: a sum beyond 64 bits while adding up",
	    "and says so");

	/* A full disk, as SQLite sees one: no page left under the limit. */
	sqlite3_exec(s->db, "CREATE TABLE filler (b BLOB);"
	    " PRAGMA max_page_count = 60", NULL, NULL, NULL);
	st = uoms_db_prepare(s, "INSERT INTO filler VALUES (zeroblob(4000))");
	rc = UOMS_OK;
	for (int i = 0; i < 1000 && rc == UOMS_OK; i++)
		rc = uoms_db_exec(s, st, "adding a filler", &e);
	uoms_db_free(st);
	ok(rc == UOMS_INTERNAL, "the disk fills");
	is(e.msg, "disk full: no space left for the store while adding a "
	    "filler (rolled back: nothing of it is stored)",
	    "a full disk says disk full, no code");
	uoms_store_close(s);

	/* Another program's database: refused, unchanged. */
	path_of(other, sizeof other, "other.db");
	{
		sqlite3 *o;

		sqlite3_open(other, &o);
		sqlite3_exec(o, "CREATE TABLE t (x)", NULL, NULL, NULL);
		sqlite3_close(o);
	}
	stat(other, &sb);
	s = uoms_store_open(other, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	ok(s == NULL && strstr(why, "is not a uoms store") != NULL,
	    "another program's database is refused: %s", why);
	{
		struct stat sb2;

		ok(stat(other, &sb2) == 0 && sb2.st_size == sb.st_size &&
		    sb2.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
		    sb2.st_mtim.tv_nsec == sb.st_mtim.tv_nsec,
		    "and left as it was");
	}
	if ((fp = fopen(other, "w")) != NULL)
		fclose(fp);
	s = uoms_store_open(other, UOMS_STORE_READ, &cfg, why, sizeof why);
	ok(s == NULL && strstr(why, "is an empty file") != NULL,
	    "a 0-byte file is refused: %s", why);

	second_store(db);

	uoms_buf_free(&out);
	unlink(other);
	unlink(db);
	rmdir(dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
