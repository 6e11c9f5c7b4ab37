#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "order.h"
#include "rfc3339.h"
#include "store_pg.h"
#include "store_priv.h"


/* The same for PostgreSQL, by the failure's SQLSTATE. */
static enum uoms_code
pg_fail(struct uoms_store *s, struct uoms_error *e, const char *doing)
{
	const char *state = uoms_pg_sqlstate(s->pg);
	const char *msg = s->pg_why[0] ? s->pg_why : uoms_pg_error(s->pg);

	/* 40001 serialization, 40P01 deadlock, 55P03 lock timeout. */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return uoms_fail(e, UOMS_BUSY, "store busy past the timeout "
		    "while %s", doing);
	if (strcmp(state, "53100") == 0)
		return uoms_fail(e, UOMS_INTERNAL, "disk full: no space left "
		    "for the store while %s (rolled back: nothing of it is "
		    "stored)", doing);
	if (strcmp(state, "08007") == 0)
		return uoms_fail(e, UOMS_INTERNAL, "the store's answer was "
		    "lost while %s: %s", doing, msg);
	/* 57P01-03: the server shut down or restarted under us. */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
		return uoms_fail(e, UOMS_INTERNAL, "lost the connection to the "
		    "store while %s: %s", doing, msg);
	if (strcmp(state, "22003") == 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of range: a sum beyond "
		    "64 bits while %s", doing);
	if (strcmp(state, "53200") == 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory while %s",
		    doing);
	return uoms_fail(e, UOMS_INTERNAL, "store: %s: %s", doing, msg);
}

enum uoms_code
uoms_db_fail(struct uoms_store *s, struct uoms_error *e, const char *doing)
{
	if (s->pg != NULL)
		return pg_fail(s, e, doing);
	int code = sqlite3_errcode(s->db) & 0xff;
	const char *msg = sqlite3_errmsg(s->db);

	/* Each cause in words: a full disk is not a bug in uoms, and the
	 * one who reads the message must know what to fix. */
	/* ENOSPC found by the i/o layer (writing the -shm, say) is a full
	 * disk as well. */
	if ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) &&
	    sqlite3_system_errno(s->db) == ENOSPC)
		code = SQLITE_FULL;
	switch (code) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return uoms_fail(e, UOMS_BUSY, "store busy past the timeout "
		    "while %s", doing);
	case SQLITE_FULL:
		return uoms_fail(e, UOMS_INTERNAL, "disk full: no space left "
		    "for the store while %s (rolled back: nothing of it is "
		    "stored)", doing);
	case SQLITE_READONLY:
		return uoms_fail(e, UOMS_INTERNAL, "read-only: the store can't "
		    "be written while %s: %s", doing, msg);
	case SQLITE_IOERR:
		return uoms_fail(e, UOMS_INTERNAL, "i/o error on the store "
		    "while %s: %s", doing, strerror(sqlite3_system_errno(
		    s->db)));
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return uoms_fail(e, UOMS_INTERNAL, "damaged store: found while "
		    "%s: %s", doing, msg);
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return uoms_fail(e, UOMS_INTERNAL, "can't open the store's "
		    "files while %s: %s", doing, strerror(
		    sqlite3_system_errno(s->db)));
	case SQLITE_NOMEM:
		return uoms_fail(e, UOMS_INTERNAL, "out of memory while %s",
		    doing);
	}
	/* SQLite's SUM() stops with this rather than wrap. */
	if (code == SQLITE_ERROR && strcmp(msg, "integer overflow") == 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of range: a sum beyond "
		    "64 bits while %s", doing);
	return uoms_fail(e, UOMS_INTERNAL, "store: %s: %s", doing, msg);
}

struct uoms_val
uoms_column_val(sqlite3_stmt *st, int col)
{
	struct uoms_val v = { .type = UOMS_V_NULL };

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		v.type = UOMS_V_INT;
		v.i = sqlite3_column_int64(st, col);
		break;
	case SQLITE_TEXT:
		v.type = UOMS_V_TEXT;
		v.s = (const char *)sqlite3_column_text(st, col);
		v.n = sqlite3_column_bytes(st, col);
		break;
	}
	return v;
}

enum uoms_code
uoms_event_append(struct uoms_store *s, long long id, const char *type,
    const char *from, const char *to, long long version, const char *details,
    const char *now, struct uoms_error *e)
{
	return uoms_event_append_as(s, s->actor, id, type, from, to, version,
	    details, now, e);
}

enum uoms_code
uoms_event_append_as(struct uoms_store *s, const char *actor, long long id,
    const char *type, const char *from, const char *to, long long version,
    const char *details, const char *now, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_EVENT_INSERT);

	if (st == NULL)
		return uoms_db_fail(s, e, "appending an event");
	if (id > 0)
		uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, type);
	uoms_db_bind_text(st, 3, from);
	uoms_db_bind_text(st, 4, to);
	uoms_db_bind_text(st, 5, actor);
	uoms_db_bind_text(st, 6, now);
	if (version > 0)
		uoms_db_bind_int(st, 7, version);
	uoms_db_bind_text(st, 8, details);
	return uoms_db_exec(s, st, "appending an event", e);
}

void
uoms_store_note_reject(struct uoms_store *s, const char *tool,
    enum uoms_code code, const char *msg, long line)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_STORE_REJECT);
	char now[24];

	if (st == NULL)
		return;
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, tool);
	uoms_db_bind_text(st, 2, now);
	uoms_db_bind_text(st, 3, uoms_code_name(code));
	uoms_db_bind_text(st, 4, msg);
	if (line > 0)
		uoms_db_bind_int(st, 5, line);
	uoms_db_step(st);
	uoms_db_done(st);
}

int
uoms_store_is_file(const char *db)
{
	return !uoms_pg_is_url(db);
}

int
uoms_store_schema_version(void)
{
	return uoms_migration_count();
}

static int
exec(struct uoms_store *s, const char *sql)
{
	if (s->pg != NULL)
		return uoms_pg_exec(s->pg, sql);
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* An integer pragma (user_version, application_id); -1 when unread. */
static long long
pragma_int(struct uoms_store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
user_version(struct uoms_store *s)
{
	return (int)pragma_int(s, "PRAGMA user_version");
}

/* why from the connection's error, for a failure to open or set up. */
static void
open_why(struct uoms_store *s, const char *path, const char *doing,
    char *why, size_t whylen)
{
	struct uoms_error e = { 0 };

	uoms_db_fail(s, &e, doing);
	snprintf(why, whylen, "store '%s': %s", path, e.msg);
}

/* Applies the migrations the store lacks and sets its mark, in one
 * IMMEDIATE transaction so that two tools opening a new store at once
 * migrate it once. A store made before the mark (application_id 0 with
 * the uoms schema, as uoms_store_open has checked) gets it here. */
static int
migrate(struct uoms_store *s, const char *path, char *why, size_t whylen)
{
	int have = user_version(s), want = uoms_migration_count();
	char sql[64];

	if (have == want && pragma_int(s, "PRAGMA application_id") ==
	    UOMS_STORE_APPLICATION_ID)
		return 0;
	if (have > want) {
		snprintf(why, whylen, "store '%s' is at schema %d, newer than "
		    "this uoms %s knows (%d): upgrade uoms", path, have,
		    UOMS_VERSION, want);
		return -1;
	}
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		goto fail;
	have = user_version(s);
	for (int n = have + 1; n <= want && have >= 0; n++) {
		if (exec(s, uoms_migration_sql(n)) < 0) {
			snprintf(why, whylen, "store '%s': migration %d: %s",
			    path, n, sqlite3_errmsg(s->db));
			exec(s, "ROLLBACK");
			return -1;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", want);
	if (have > want || exec(s, sql) < 0)
		goto fail;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d",
	    UOMS_STORE_APPLICATION_ID);
	if (exec(s, sql) < 0 || exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	open_why(s, path, "migrating it", why, whylen);
	exec(s, "ROLLBACK");
	return -1;
}

/*
 * SQLite's own busy handler sleeps up to 100 ms at a time once a wait
 * has lasted a few tries, so a writer that finds the store busy may sleep
 * long after it was freed: under many writers (uoms-serve's threads) that
 * sleep was the tail of every POST's latency. This one looks again every
 * 0.1 ms at first, then every millisecond, until timeout ms of sleeps
 * have passed (counted as SQLite counts its own, by the sleeps).
 *
 * Installing it sets SQLite's own busy timeout to 0, which nothing needs
 * here: SQLite reads that number only in its own handler and for PRAGMA
 * busy_timeout (no uoms code asks), and, built with
 * SQLITE_ENABLE_SETLK_TIMEOUT (Debian's is not), to block on locks
 * instead of polling, where 0 means polling through this handler. The
 * waits that do not go through a busy handler at all are the same with
 * either: a reader's retries for a WAL index that another connection is
 * changing (walTryBeginRead sleeps on its own, up to some 10 s, then
 * SQLITE_PROTOCOL) and the checkpoint of the last connection to close,
 * which is PASSIVE and never waits.
 */
static int
busy_wait(void *arg, int count)
{
	long long timeout_us = (long long)(intptr_t)arg * 1000;
	long long slept, us;

	if (count < 4) {
		us = 100LL << count;
		slept = 100LL * ((1LL << count) - 1);
	} else {
		us = 1000;
		slept = 1500 + 1000LL * (count - 4);
	}
	if (slept >= timeout_us)
		return 0;
	if (us > timeout_us - slept)
		us = timeout_us - slept;
	usleep((useconds_t)us);
	return 1;
}

/* sqlite3_busy_timeout, with busy_wait's finer looks. */
static void
busy_timeout(sqlite3 *db, int ms)
{
	sqlite3_busy_handler(db, busy_wait, (void *)(intptr_t)ms);
}

static int
pragmas(struct uoms_store *s, const struct uoms_config *cfg, int readonly,
    const char *path, char *why, size_t whylen)
{
	int bad = 0;
	long long timeout = uoms_config_num(cfg, "busy_timeout", 30000, &bad);
	const char *sync = uoms_config_get(cfg, "synchronous", "normal");
	char sql[64];

	if (bad) {
		snprintf(why, whylen, "config: busy_timeout must be "
		    "milliseconds");
		return -1;
	}
	if (strcmp(sync, "normal") != 0 && strcmp(sync, "full") != 0) {
		snprintf(why, whylen, "config: synchronous must be normal or "
		    "full, not '%s'", sync);
		return -1;
	}
	busy_timeout(s->db, (int)timeout);
	/* A batch's index pages stay in memory until commit: 16 MiB. */
	exec(s, "PRAGMA cache_size = -16384");
	if (readonly)
		return 0;	/* the journal mode is the writers' to set */
	snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", sync);
	/* WAL: readers never block the writer nor each other. */
	/*
	 * The WAL is copied into the store when it passes 256 MiB (65 536
	 * pages), not SQLite's 4 MiB, and when the last connection closes:
	 * a commit of a batch is larger than 4 MiB, so each one was copied
	 * at once, a page changed by 20 batches written to the store 20
	 * times. Ingesting 100 000 orders into a store of 1 000 000 wrote
	 * 933 MB to the store and synced 61 times; now 449 MB and 13 (into
	 * an empty store 292 and 61, now 209 and 7); the WAL's own writes
	 * are the same.
	 *
	 * A write inside a transaction that may abort (a foreign key, an
	 * upsert) keeps the pages it changes in a statement journal, which
	 * SQLite spills to a file in /var/tmp past 64 KiB: an insert into
	 * orders touches more than that, so a fresh ingest of 100 000
	 * orders wrote 4.4 GB there in 2.1 million writes, 15 times what
	 * it wrote to the store. In memory, a statement's journal is its
	 * own few pages; temporary tables of a writer's queries go there
	 * too.
	 */
	if (exec(s, "PRAGMA journal_mode = WAL") < 0 || exec(s, sql) < 0 ||
	    exec(s, "PRAGMA temp_store = MEMORY") < 0 ||
	    exec(s, "PRAGMA wal_autocheckpoint = 65536") < 0 ||
	    exec(s, "PRAGMA foreign_keys = ON") < 0) {
		open_why(s, path, "setting it up", why, whylen);
		return -1;
	}
	return 0;
}

/* Switches the store to WAL; -1 when it stays in another mode. */
static int
journal_wal(struct uoms_store *s)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

/*
 * The mode new store files get: store_mode in the configuration (octal,
 * "0640"), else 0600, whatever the umask: the store holds customers'
 * names, phones and addresses. -1 with why filled when it is not a mode.
 */
static int
store_file_mode(const struct uoms_config *cfg, mode_t *mode, char *why,
    size_t whylen)
{
	const char *v = uoms_config_get(cfg, "store_mode", NULL);
	unsigned long m = 0;

	*mode = 0600;
	if (v == NULL)
		return 0;
	if (*v == '\0' || strlen(v) > 4 || strspn(v, "01234567") !=
	    strlen(v) || ((m = strtoul(v, NULL, 8)) & 0600) != 0600) {
		snprintf(why, whylen, "config: store_mode must be an octal "
		    "file mode that lets the owner read and write, such as "
		    "0640, not '%s'", v);
		return -1;
	}
	*mode = (mode_t)m;
	return 0;
}

static void
unlink_files(const char *path)
{
	char side[PATH_MAX + 8];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-journal", path);
	unlink(side);
}

/*
 * Creates a new store at path atomically: the schema is written to a
 * temporary file beside it, which then takes the name only if nobody
 * took it meanwhile (RENAME_NOREPLACE, or link). So a store is never seen
 * half made, and a creation that fails (a full disk) leaves nothing
 * behind, not a 0-byte file another tool would take for a store. Returns
 * 0 when path now holds a store (ours or a racing tool's), -1 with why.
 */
static int
create(const char *path, const struct uoms_config *cfg, char *why,
    size_t whylen)
{
	struct uoms_store tmp = { 0 };
	char name[PATH_MAX], side[PATH_MAX + 8];
	mode_t mode;
	int fd, rc = -1;

	why[0] = '\0';
	if (store_file_mode(cfg, &mode, why, whylen) < 0)
		return -1;
	if (snprintf(name, sizeof name, "%s.new-XXXXXX", path) >=
	    (int)sizeof name) {
		snprintf(why, whylen, "store '%s': the path is too long", path);
		return -1;
	}
	if ((fd = mkstemp(name)) < 0) {
		snprintf(why, whylen, "can't create store '%s': %s", path,
		    errno == ENOSPC ? "disk full" : strerror(errno));
		return -1;
	}
	/* The mode as configured, not as the umask would cut it; SQLite
	 * gives the -wal and -shm files the mode of the store. */
	if (fchmod(fd, mode) < 0) {
		snprintf(why, whylen, "can't create store '%s': %s", path,
		    strerror(errno));
		close(fd);
		unlink(name);
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(name, &tmp.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		open_why(&tmp, path, "creating it", why, whylen);
		goto out;
	}
	sqlite3_extended_result_codes(tmp.db, 0);
	/*
	 * The schema goes in with a rollback journal and synchronous FULL:
	 * at COMMIT it is in the file itself, on disk, or the COMMIT fails.
	 * (In WAL mode it would sit in the -wal until a checkpoint at close,
	 * which may fail on a full disk without a word, and the file renamed
	 * without its -wal would be half a store.) Then the file is switched
	 * to WAL, a change of two bytes of its header.
	 */
	busy_timeout(tmp.db, 30000);
	if (exec(&tmp, "PRAGMA synchronous = FULL") < 0 ||
	    migrate(&tmp, path, why, whylen) < 0)
		goto fail_db;
	if (journal_wal(&tmp) < 0)
		goto fail_db;
	if (sqlite3_close(tmp.db) != SQLITE_OK) {
		tmp.db = NULL;	/* still open: leave it, report */
		goto fail_db;
	}
	tmp.db = NULL;
	snprintf(side, sizeof side, "%s-wal", name);
	if (access(side, F_OK) == 0) {
		snprintf(why, whylen, "can't create store '%s': its -wal was "
		    "not emptied at close (disk full?)", path);
		goto out;
	}
	if (renameat2(AT_FDCWD, name, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
		snprintf(side, sizeof side, "%s-shm", name);
		unlink(side);
		return 0;
	}
	if (errno == EEXIST)
		rc = 0;	/* another tool made it first: use theirs */
	else if (link(name, path) == 0 || errno == EEXIST)
		rc = 0;
	else
		snprintf(why, whylen, "can't create store '%s': %s", path,
		    errno == ENOSPC ? "disk full" : strerror(errno));
	goto out;
fail_db:
	if (tmp.db != NULL && why[0] == '\0')
		open_why(&tmp, path, "creating it", why, whylen);
	else if (why[0] == '\0')
		snprintf(why, whylen, "can't create store '%s'", path);
out:
	sqlite3_close(tmp.db);
	unlink_files(name);
	return rc;
}

/*
 * A store in WAL mode is read through its -shm file, which a reader
 * creates when there is none. In a folder the reader may not write there
 * is none to create; but then no writer of ours is at work either (a
 * writer makes the -wal beside the store, and there is none): nothing can
 * change under the reader, and SQLite may read the file as immutable.
 */
static int
no_writer_possible(const char *path)
{
	char dir[PATH_MAX], side[PATH_MAX + 8];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + 1,
		    path);
	snprintf(side, sizeof side, "%s-wal", path);
	return access(dir, W_OK) < 0 && access(side, F_OK) < 0;
}

/* Whether path may have a hot rollback journal: a -journal beside it,
 * or one we can't tell is not there. */
static int
hot_journal_possible(const char *path)
{
	char side[PATH_MAX + 16];

	snprintf(side, sizeof side, "%s-journal", path);
	return access(side, F_OK) == 0 || errno != ENOENT;
}

/* Opens path read-only and immutable, as a URI: "file:" and the path with
 * the characters a URI gives a meaning escaped. */
static int
open_immutable(struct uoms_store *s, const char *path)
{
	struct uoms_buf uri = { 0 };
	int rc;

	uoms_buf_str(&uri, "file:");
	for (const char *p = path; *p != '\0'; p++)
		if (*p == '%' || *p == '?' || *p == '#')
			uoms_buf_printf(&uri, "%%%02X", (unsigned char)*p);
		else
			uoms_buf_add(&uri, p, 1);
	uoms_buf_str(&uri, "?immutable=1");
	if (uri.p == NULL)
		return SQLITE_NOMEM;
	rc = sqlite3_open_v2(uri.p, &s->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
	uoms_buf_free(&uri);
	if (rc == SQLITE_OK)
		sqlite3_extended_result_codes(s->db, 0);
	return rc;
}

/*
 * Whether the file at path is a uoms store, without changing a byte of
 * it: the SQLite header, then the mark (application_id) or, for a
 * store made before the mark, the uoms schema, through a read-only
 * connection (which sees what is still in the WAL, and never
 * checkpoints into another program's file). Leaves s->db open read-only
 * on success; -1 with why filled and s->db closed else.
 *
 * A writer (*rw 1) asks through the read-write connection it will keep,
 * with its checkpoint at close turned off until the file is known to be
 * a store: a second connection, opened and closed before the writer's,
 * was a fifth of the system calls of a one-shot uoms-status (the -wal
 * and -shm opened and set up twice). Reading changes no byte through
 * either, but for a hot rollback journal, which a read-write connection
 * would play back into the file: with a -journal beside it the file is
 * read through the read-only one. *rw is 0 on return when s->db is not
 * the writer's connection (read-only, or immutable).
 *
 * The header is read through that connection's own file, never through
 * an open() and close() of ours: closing any descriptor of the file
 * drops every POSIX lock this process holds on it (fcntl(2)), so in a
 * process with other connections to the store (uoms-serve's workers)
 * the next tool to close its connection took itself for the last one
 * and deleted the WAL from under them: their writes then went to a
 * deleted file and they saw no one else's.
 */
static int
identify(struct uoms_store *s, const char *path, const struct stat *sb,
    int *rw, char *why, size_t whylen)
{
	static const char legacy_sql[] = "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'table' AND name IN ('orders', 'order_items',"
	    " 'events', 'channels', 'rejects')";
	unsigned char h[100];
	sqlite3_file *f = NULL;
	long long app;

	if (sb->st_size == 0) {
		snprintf(why, whylen, "'%s' is an empty file, not a uoms "
		    "store", path);
		return -1;
	}
	/*
	 * The header is read through the descriptor SQLite opened, never
	 * one of ours: closing any descriptor of the file drops every POSIX
	 * lock this process holds on it, those of the connections already
	 * open included (uoms-serve opens one per thread), and another
	 * process would then take itself for the last and delete the WAL
	 * under them. access() opens nothing. SQLite reads no page before a
	 * statement, so a file of another program is left as it is.
	 */
	if (access(path, R_OK) < 0) {
		snprintf(why, whylen, "can't open store '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (*rw && hot_journal_possible(path))
		*rw = 0;
	if (sqlite3_open_v2(path, &s->db, (*rw ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		open_why(s, path, "opening it", why, whylen);
		goto fail;
	}
	if (*rw && sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
	    1, NULL) != SQLITE_OK) {
		open_why(s, path, "opening it", why, whylen);
		goto fail;
	}
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER,
	    &f) != SQLITE_OK || f == NULL || f->pMethods == NULL ||
	    f->pMethods->xRead(f, h, sizeof h, 0) != SQLITE_OK ||
	    memcmp(h, "SQLite format 3", 16) != 0) {
		snprintf(why, whylen, "'%s' is not a uoms store: not an SQLite "
		    "database", path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 0);
	busy_timeout(s->db, 30000);
	app = pragma_int(s, "PRAGMA application_id");
	if (app < 0 && (sqlite3_errcode(s->db) == SQLITE_READONLY ||
	    sqlite3_errcode(s->db) == SQLITE_CANTOPEN) &&
	    no_writer_possible(path)) {
		sqlite3_close(s->db);
		*rw = 0;
		if (open_immutable(s, path) != SQLITE_OK) {
			open_why(s, path, "opening it", why, whylen);
			goto fail;
		}
		app = pragma_int(s, "PRAGMA application_id");
	}
	if (app == UOMS_STORE_APPLICATION_ID ||
	    (app == 0 && user_version(s) >= 1 && pragma_int(s, legacy_sql) ==
	    5)) {
		/* A store: the writer's close checkpoints it again. */
		if (*rw && sqlite3_db_config(s->db,
		    SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL) != SQLITE_OK) {
			open_why(s, path, "opening it", why, whylen);
			goto fail;
		}
		return 0;
	}
	if (app < 0 || sqlite3_errcode(s->db) != SQLITE_OK) {
		open_why(s, path, "reading its header", why, whylen);
		goto fail;
	}
	snprintf(why, whylen, "'%s' is not a uoms store: an SQLite database "
	    "of another program (application_id 0x%llx, not 0x%x)", path, app,
	    UOMS_STORE_APPLICATION_ID);
fail:
	sqlite3_close(s->db);
	s->db = NULL;
	return -1;
}

/* A store on PostgreSQL: the URL is libpq's (store-pg.c). */
/*
 * A store not yet asked anything: whether any lock or hold exists is
 * unknown (-1), not "none" (0). A connection that read a record before
 * its first transaction or listing (a uoms-serve worker's first GET of
 * an order) left an order's holds out of it.
 */
static struct uoms_store *
store_new(char *why, size_t whylen)
{
	struct uoms_store *s;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	s->actor = "unknown";
	s->workflow = "dispatch";
	s->tx_any_locks = s->tx_any_holds = s->tx_any_stock = -1;
	s->tx_any_reserved = -1;
	s->tx_rules_indexed = 0;
	return s;
}

static struct uoms_store *
open_pg(const char *url, enum uoms_store_mode mode,
    const struct uoms_config *cfg, char *why, size_t whylen)
{
	struct uoms_store *s;
	int bad = 0;
	long long timeout = uoms_config_num(cfg, "busy_timeout", 30000, &bad);

	if (bad) {
		snprintf(why, whylen, "config: busy_timeout must be "
		    "milliseconds");
		return NULL;
	}
	if ((s = store_new(why, whylen)) == NULL)
		return NULL;
	if ((s->pg = uoms_pg_open(url, mode != UOMS_STORE_READ, timeout, why,
	    whylen)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * SQLite's process-wide settings, once, before its first connection
 * (sqlite3_config refuses them after sqlite3_initialize). Memory
 * statistics off: they take a global mutex at every allocation, 8% of
 * a fresh ingest (issue 14), for counters uoms never reads.
 */
static void
lite_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct uoms_store *
uoms_store_open(const char *path, enum uoms_store_mode mode,
    const struct uoms_config *cfg, char *why, size_t whylen)
{
	static pthread_once_t lite_once = PTHREAD_ONCE_INIT;
	struct uoms_store *s;
	struct stat sb;
	int uv, rw;

	if (uoms_pg_is_url(path))
		return open_pg(path, mode, cfg, why, whylen);
	pthread_once(&lite_once, lite_config);
	if (stat(path, &sb) < 0) {
		if (mode != UOMS_STORE_WRITE || errno != ENOENT) {
			snprintf(why, whylen, "no store at '%s': %s", path,
			    strerror(errno));
			return NULL;
		}
		if (create(path, cfg, why, whylen) < 0 ||
		    stat(path, &sb) < 0)
			return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "store '%s' is not a file", path);
		return NULL;
	}
	if ((s = store_new(why, whylen)) == NULL)
		return NULL;
	rw = mode == UOMS_STORE_WRITE;
	if (identify(s, path, &sb, &rw, why, whylen) < 0)
		goto fail;
	/* A reader keeps its read-only connection: it can read a store it
	 * may not write, and can never write into one by mistake. */
	uv = user_version(s);
	if (mode == UOMS_STORE_READ && uv == uoms_migration_count())
		return pragmas(s, cfg, 1, path, why, whylen) < 0 ? (
		    uoms_store_close(s), NULL) : s;
	if (uv > uoms_migration_count()) {
		snprintf(why, whylen, "store '%s' is at schema %d, newer than "
		    "this uoms %s knows (%d): upgrade uoms", path, uv,
		    UOMS_VERSION, uoms_migration_count());
		goto fail;
	}
	if (!rw) {
		sqlite3_close(s->db);
		if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			open_why(s, path, "opening it to write", why, whylen);
			goto fail;
		}
		sqlite3_extended_result_codes(s->db, 0);
	}
	if (pragmas(s, cfg, 0, path, why, whylen) < 0 ||
	    migrate(s, path, why, whylen) < 0)
		goto fail;
	return s;
fail:
	uoms_store_close(s);
	return NULL;
}

void
uoms_store_close(struct uoms_store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < SQL_COUNT; i++)
		sqlite3_finalize(s->named[i].lite);
	uoms_pg_close(s->pg);
	uoms_arena_free(&s->scratch.arena);
	free(s->scratch.items);
	sqlite3_close(s->db);
	free(s);
}

int
uoms_store_data_version(struct uoms_store *s, unsigned int *version,
    long long *reads)
{
	int hit, miss, high;

	if (s->pg != NULL || s->db == NULL)
		return -1;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_DATA_VERSION,
	    version) != SQLITE_OK ||
	    sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_HIT, &hit, &high,
	    0) != SQLITE_OK ||
	    sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_MISS, &miss, &high,
	    0) != SQLITE_OK)
		return -1;
	*reads = (long long)hit + miss;
	return 0;
}

void
uoms_store_set_actor(struct uoms_store *s, const char *actor)
{
	s->actor = actor;
}

void
uoms_store_set_workflow(struct uoms_store *s, const char *workflow)
{
	s->workflow = workflow;
}

enum uoms_code
uoms_store_begin(struct uoms_store *s, struct uoms_error *e)
{
	if (s->pg != NULL ? uoms_pg_begin(s->pg) < 0 :
	    exec(s, "BEGIN IMMEDIATE") < 0)
		return uoms_db_fail(s, e, "beginning a transaction");
	s->tx_any_locks = s->tx_any_holds = s->tx_any_stock = -1;
	s->tx_any_reserved = -1;
	s->tx_rules_indexed = 0;
	return UOMS_OK;
}

enum uoms_code
uoms_store_begin_read(struct uoms_store *s, struct uoms_error *e)
{
	if (s->pg != NULL)
		return uoms_store_begin(s, e);
	if (exec(s, "BEGIN") < 0)
		return uoms_db_fail(s, e, "beginning a read transaction");
	return UOMS_OK;
}

enum uoms_code
uoms_store_commit(struct uoms_store *s, struct uoms_error *e)
{
	if (s->pg != NULL ? uoms_pg_commit(s->pg) < 0 : exec(s, "COMMIT") < 0) {
		enum uoms_code rc = uoms_db_fail(s, e, "committing");

		uoms_store_rollback(s);
		return rc;
	}
	return UOMS_OK;
}

void
uoms_store_rollback(struct uoms_store *s)
{
	if (s->pg != NULL)
		uoms_pg_rollback(s->pg);
	else if (uoms_store_in_tx(s))
		exec(s, "ROLLBACK");
}
