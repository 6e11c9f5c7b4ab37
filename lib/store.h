/*
 * store: the shared order store. Opening creates a missing store (for
 * tools that write) and migrates an older one, refuses a missing store to
 * tools that only read, and refuses a store from a newer uoms. Every write
 * runs in a transaction begun IMMEDIATE, so two writers never both read
 * and then both write: the second waits (busy_timeout) for the first.
 * Tools see only this interface; SQL lives behind it.
 */
#ifndef UOMS_STORE_H
#define UOMS_STORE_H

#include "config.h"
#include "err.h"

struct uoms_store;

enum uoms_store_mode {
	UOMS_STORE_READ,	/* the store must exist; opened read-only */
	UOMS_STORE_UPDATE,	/* the store must exist; opened to write */
	UOMS_STORE_WRITE	/* create it when missing */
};

/*
 * The mark of a uoms store, in the SQLite header's application_id:
 * "uoms" in ASCII. A file without it (and without the uoms schema of a
 * store made before the mark, which a writer then marks) is refused and
 * left as it is: another program's database is never written into.
 */
#define UOMS_STORE_APPLICATION_ID 0x756f6d73

/*
 * Opens the store at path with settings from cfg (busy_timeout,
 * synchronous, store_mode). A missing store is created (WRITE) atomically,
 * its files mode store_mode (default 0600). A file that is not a uoms
 * store (empty, not SQLite, another program's SQLite) is refused
 * untouched. READ opens read-only, so a store the user may only read can
 * be read. Returns the store (close it with uoms_store_close), or NULL
 * with why filled (a cannot-run condition).
 */
struct uoms_store *uoms_store_open(const char *path, enum uoms_store_mode mode,
    const struct uoms_config *cfg, char *why, size_t whylen);
void uoms_store_close(struct uoms_store *s);

/*
 * What a cache of rows read from s may go by (uoms-serve's user check):
 * the data version of its SQLite file, which changes with every commit
 * that reaches the file from any connection or process, this one
 * included, as this connection sees it at the start of each of its read
 * transactions; and a count of the pages read through s, which grows
 * only inside a transaction. 0 with both filled, or -1 on PostgreSQL,
 * which offers no such version: read the rows again there.
 */
int uoms_store_data_version(struct uoms_store *s, unsigned int *version,
    long long *reads);

/* The actor events are recorded under (borrowed until close). */
void uoms_store_set_actor(struct uoms_store *s, const char *actor);
/* The default workflow for new orders (borrowed). */
void uoms_store_set_workflow(struct uoms_store *s, const char *workflow);

/* BEGIN IMMEDIATE; UOMS_BUSY when the store stayed locked past the timeout. */
enum uoms_code uoms_store_begin(struct uoms_store *s, struct uoms_error *e);
enum uoms_code uoms_store_commit(struct uoms_store *s, struct uoms_error *e);
void uoms_store_rollback(struct uoms_store *s);
/*
 * A read transaction (SQLite's deferred BEGIN): the statements until its
 * uoms_store_commit see one snapshot and take no write lock, so other
 * writers go on. Not to write in: end it, then uoms_store_begin. On a
 * server the same as uoms_store_begin.
 */
enum uoms_code uoms_store_begin_read(struct uoms_store *s,
    struct uoms_error *e);

/*
 * Counts a refused line in the store, for the metrics report: the tool,
 * the code, the message and the line number (0 for an argument). Joins
 * the open transaction if there is one. Best effort: a store that can't
 * take it does not stop the tool (the refusal is on stderr already).
 */
void uoms_store_note_reject(struct uoms_store *s, const char *tool,
    enum uoms_code code, const char *msg, long line);

/* 1 when db names a file (SQLite's), 0 when it is a server's URL
 * (postgresql://...). */
int uoms_store_is_file(const char *db);
/* The schema version this build writes. */
int uoms_store_schema_version(void);

#endif
