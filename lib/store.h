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
	UOMS_STORE_READ,	/* the store must exist */
	UOMS_STORE_WRITE	/* create it when missing */
};

/*
 * Opens the store at path with settings from cfg (busy_timeout,
 * synchronous). Returns the store (close it with uoms_store_close), or
 * NULL with why filled.
 */
struct uoms_store *uoms_store_open(const char *path, enum uoms_store_mode mode,
    const struct uoms_config *cfg, char *why, size_t whylen);
void uoms_store_close(struct uoms_store *s);

/* The actor events are recorded under (borrowed until close). */
void uoms_store_set_actor(struct uoms_store *s, const char *actor);
/* The default workflow for new orders (borrowed). */
void uoms_store_set_workflow(struct uoms_store *s, const char *workflow);

/* BEGIN IMMEDIATE; UOMS_BUSY when the store stayed locked past the timeout. */
enum uoms_code uoms_store_begin(struct uoms_store *s, struct uoms_error *e);
enum uoms_code uoms_store_commit(struct uoms_store *s, struct uoms_error *e);
void uoms_store_rollback(struct uoms_store *s);

/*
 * Counts a refused line in the store, for the metrics report: the tool,
 * the code, the message and the line number (0 for an argument). Joins
 * the open transaction if there is one. Best effort: a store that can't
 * take it does not stop the tool (the refusal is on stderr already).
 */
void uoms_store_note_reject(struct uoms_store *s, const char *tool,
    enum uoms_code code, const char *msg, long line);

/* The schema version this build writes. */
int uoms_store_schema_version(void);

#endif
