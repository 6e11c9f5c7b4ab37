/*
 * store-shared: a process with several connections to one store (as
 * uoms-serve's workers are) keeps them working while other processes
 * come and go: opening another store in it must not drop the locks the
 * first one holds, or the next process to close its own connection
 * takes itself for the last, checkpoints and deletes the WAL that this
 * process's connections still write to. Prints TAP.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "store.h"

#include "tap.h"

extern char **environ;

static char dir[] = "/tmp/uoms-unit-store-shared.XXXXXX";

/* What the query sql counts through s, -1 when it can't be read. */
static long long
count(struct uoms_store *s, const char *sql)
{
	struct uoms_stmt *st = uoms_db_prepare(s, sql);
	long long n = -1;

	if (st != NULL && uoms_db_step(st) == UOMS_DB_ROW)
		n = uoms_db_int(st, 0);
	uoms_db_free(st);
	return n;
}

/* Runs the sqlite3 program on db with sql: its exit status, or -1 when
 * it can't be run. */
static int
sqlite3_run(const char *db, const char *sql)
{
	char *argv[] = { "sqlite3", (char *)db, (char *)sql, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	/* Its answer is not TAP. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "sqlite3", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

int
main(void)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *a, *b;
	char why[512], db[256], wal[300];
	int rc;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! can't make a temporary folder\n");
		return 1;
	}
	snprintf(db, sizeof db, "%s/uoms.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", db);
	a = uoms_store_open(db, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	if (!ok(a != NULL, "a store made")) {
		printf("# %s\n", why);
		printf("1..%d\n", tests);
		return 1;
	}
	b = uoms_store_open(db, UOMS_STORE_UPDATE, &cfg, why, sizeof why);
	ok(b != NULL, "a second connection in the same process");
	rc = sqlite3_run(db, "SELECT count(*) FROM events");
	if (rc < 0) {
		printf("ok %d # skip no sqlite3 program to be another process\n",
		    ++tests);
		printf("ok %d # skip no sqlite3 program\n", ++tests);
	} else {
		ok(access(wal, F_OK) == 0, "another process closing its "
		    "connection leaves the WAL in place");
		/* What another process writes now, this one sees. */
		rc = sqlite3_run(db, "CREATE TABLE unit_probe (x);"
		    " INSERT INTO unit_probe VALUES (1), (2)");
		ok(rc == 0 && count(a, "SELECT count(*) FROM unit_probe") == 2,
		    "a connection of this process sees another's write");
	}
	uoms_store_close(a);
	uoms_store_close(b);
	snprintf(why, sizeof why, "rm -rf '%s'", dir);
	if (system(why) != 0)
		printf("# can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
