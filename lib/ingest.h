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

/* A digest of a raw input line (SHA-256, first 16 bytes). */
#define UOMS_LINE_HASH 16
void uoms_ingest_hash(const char *line, size_t len,
    unsigned char hash[UOMS_LINE_HASH]);

/*
 * Was this exact line the last one applied to an order that has not
 * changed since? Then it would change nothing: *same is set, *id is the
 * order and its record is appended to record. Costs a lookup, no parse.
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
