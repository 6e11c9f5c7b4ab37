/*
 * ingest: insert or update orders by natural key (products: catalog.h). An
 * unchanged record writes nothing; a changed one is written with its
 * version bumped once and one event naming what changed, in the caller's
 * transaction.
 */
#ifndef UOMS_INGEST_H
#define UOMS_INGEST_H

#include "buf.h"
#include "order.h"
#include "store.h"

/* The length of a line's digest (uoms_ingest_hash). */
#define UOMS_LINE_HASH 16

enum uoms_ingest_result {
	UOMS_CREATED,
	UOMS_UPDATED,
	UOMS_UNCHANGED,
	/* Updated, but the line's status was not applied: the workflow,
	 * a hold or a lock did not allow the move (see uoms-fetch(1)). */
	UOMS_DRIFTED
};

/*
 * Stores o (borrowed) inside the open transaction. *result says what
 * happened and *id is the order's id; the stored record is appended to
 * record when it is not NULL. Returns UOMS_OK; or a refusal
 * (invalid, version_conflict with e->current_version), always decided
 * before the first write, so a refused line leaves the transaction as it
 * was and its neighbours stand; or busy/internal, after which the caller
 * must roll the transaction back.
 *
 * A line is the channel's word, merged three ways (uoms(7), channel
 * sync): against what the order's channel said last, kept per order
 * apart from the record, so only the members the channel changed since
 * are applied, a status is followed only when the channel's changed, a
 * drift holds the order once per channel status, and a line older (by
 * channel_updated_at) than the last word changes nothing.
 *
 * a (borrowed, may be NULL) is who runs the upsert: a registered user
 * who is not an admin nor the line's channel:NAME takes the order no
 * further than uoms-status would let them (refused: invalid_transition,
 * forbidden, on_hold, locked), and a status event names them ("by").
 */
struct uoms_actor;
enum uoms_code uoms_ingest_order(struct uoms_store *s,
    const struct uoms_order *o, const struct uoms_actor *a,
    enum uoms_ingest_result *result, long long *id, struct uoms_buf *record,
    struct uoms_error *e);

/*
 * A look-ahead: the orders of the next lines of a batch, asked of a
 * server's store (uoms_db_remote) in one round trip, so that a new one
 * needs none of its own (the lines' writes go unawaited, uoms_db_later).
 * It learns which of them are new, each with its id to be, for the open
 * transaction alone (uoms_db_tx): a later transaction asks again. The
 * caller owns it (zeroed to begin with, uoms_ingest_ahead_free to end).
 */
struct uoms_ingest_ahead {
	long long tx;		/* the transaction asked in, 0: none */
	int n, cap, good;	/* lines; those from 0 on it holds for */
	struct uoms_buf keys;	/* per line: channel, NUL, id, NUL */
	size_t *key;		/* line i's offset in keys, -1: none */
	long long *id;		/* line i's id to be when new, or 0 */
	/* The lines already applied, to orders unchanged since (asked by
	 * uoms_ingest_ahead_same in the same transaction). */
	long long same_tx;
	int same_n, same_cap;
	unsigned char (*hash)[UOMS_LINE_HASH];	/* line i's digest */
	long long *same_id;	/* line i's order when unchanged, or 0 */
	size_t *same_at;	/* its record's offset in records */
	struct uoms_buf records;
};

/* Forgets the lines asked about: a new look-ahead begins. */
void uoms_ingest_ahead_clear(struct uoms_ingest_ahead *ah);
/* Adds the next line's order (borrowed for the call), NULL for a line
 * that is none (refused when parsed). -1 when out of memory. */
int uoms_ingest_ahead_add(struct uoms_ingest_ahead *ah,
    const struct uoms_order *o);
/*
 * Asks the store about the lines added, in the open transaction, at
 * once; on SQLite nothing (each lookup is local). UOMS_OK, or the
 * store's failure (the transaction then fails with it, as a step's).
 */
enum uoms_code uoms_ingest_ahead_ask(struct uoms_store *s,
    struct uoms_ingest_ahead *ah, struct uoms_error *e);
/*
 * As uoms_ingest_order for the order of line at (0-based, in the order
 * added; -1 for none): a line the look-ahead found new is stored without
 * a lookup of its own, when o is the order it was asked about and the
 * transaction the one it asked in. Otherwise, and from then on for the
 * lines after it, as uoms_ingest_order.
 */
enum uoms_code uoms_ingest_order_ahead(struct uoms_store *s,
    struct uoms_ingest_ahead *ah, int at, const struct uoms_order *o,
    const struct uoms_actor *a, enum uoms_ingest_result *result,
    long long *id, struct uoms_buf *record, struct uoms_error *e);
void uoms_ingest_ahead_free(struct uoms_ingest_ahead *ah);
/*
 * Before the lines' orders are added: asks a server's store, in one round
 * trip, which of the next n lines (their digests, uoms_ingest_hash) were
 * the last applied to orders unchanged since, with the records kept for
 * them; on SQLite nothing (each line's own lookup is local). A line found
 * so needs no parse: uoms_ingest_ahead_unchanged answers it.
 */
enum uoms_code uoms_ingest_ahead_same(struct uoms_store *s,
    struct uoms_ingest_ahead *ah, char *const *lines, const size_t *lens,
    int n, struct uoms_error *e);
/* Line at's (0-based) digest was found unchanged in this transaction:
 * 1 with its order's id and kept record added to record, else 0 (-1:
 * out of memory). */
int uoms_ingest_ahead_unchanged(struct uoms_store *s,
    struct uoms_ingest_ahead *ah, int at, const unsigned char *hash,
    long long *id, struct uoms_buf *record);
/* Line at wrote order id: a later line found unchanged with it is not. */
void uoms_ingest_ahead_wrote(struct uoms_ingest_ahead *ah, int at,
    long long id);

/* A digest of a raw input line (SHA-256, first 16 bytes). */
void uoms_ingest_hash(const char *line, size_t len,
    unsigned char hash[UOMS_LINE_HASH]);

/*
 * Was this exact line the last one applied to an order that has not
 * changed since? Then it would change nothing: *same is set, *id is the
 * order and its record is appended to record: the one kept as last
 * printed (lib/record.h), else read back and kept. Costs a lookup, no
 * parse.
 * On a server's store (uoms_db_remote) *same is 0 at once: the lookup
 * goes with uoms_ingest_order's own (a round trip less a new order),
 * which then tells it as UOMS_UNCHANGED.
 */
enum uoms_code uoms_ingest_same_line(struct uoms_store *s,
    const unsigned char hash[UOMS_LINE_HASH], int *same, long long *id,
    struct uoms_buf *record, struct uoms_error *e);

/* Keeps the raw line received for order id (--keep-raw). */
enum uoms_code uoms_ingest_raw(struct uoms_store *s, long long id,
    const char *line, size_t len, struct uoms_error *e);

#endif
