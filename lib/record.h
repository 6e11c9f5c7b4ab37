/*
 * record: an order's stored record read back (SPEC 3.1), written by the
 * same uoms_order_json() that writes new orders, so the bytes match
 * whichever way a record is made.
 */
#ifndef UOMS_RECORD_H
#define UOMS_RECORD_H

#include "buf.h"
#include "err.h"
#include "store.h"

struct uoms_stmt;

/* The columns a record is read from, in uoms_record_from_row's order. */
#define UOMS_RECORD_COLUMNS "o.id, o.version, o.channel, o.external_order_id,"\
	" o.order_no, o.kind, o.workflow, o.status, o.department, o.warehouse,"\
	" o.customer, o.shipping, o.eta, o.driver, o.placed_at,"\
	" o.channel_updated_at, o.depart_time, o.complete_time, o.total_amount,"\
	" o.currency, o.shipment, o.extra, o.created_at, o.updated_at"
#define UOMS_RECORD_NCOLUMNS 24

/*
 * Appends the record of the order in st's current row, whose first
 * columns are UOMS_RECORD_COLUMNS; its items and holds are read too.
 */
enum uoms_code uoms_record_from_row(struct uoms_store *s,
    struct uoms_stmt *st, struct uoms_buf *out, struct uoms_error *e);

/*
 * The items of a page of orders, read by one statement alongside the
 * orders' (on PostgreSQL a round trip for the page, not one an order):
 * its rows are UOMS_RECORD_ITEM_COLUMNS, ordered by order id descending
 * as the orders are, then by seq. at is -1 before its first step.
 */
#define UOMS_RECORD_ITEM_COLUMNS "i.order_id, i.external_item_id, i.sku,"\
	" i.name, i.quantity, i.unit_price, i.extra"
struct uoms_record_items {
	struct uoms_stmt *st;	/* borrowed */
	int at;			/* its last step (enum uoms_db_step), or -1 */
};

/* As uoms_record_from_row, the order's items taken from ri (rows of
 * orders not in the page, written meanwhile, are passed over). */
enum uoms_code uoms_record_from_page(struct uoms_store *s,
    struct uoms_stmt *st, struct uoms_record_items *ri, struct uoms_buf *out,
    struct uoms_error *e);

/*
 * Appends the stored record of order id (SPEC 3.1) to out, as one line of
 * JSON without its newline. UOMS_NOT_FOUND when there is no such order.
 */
enum uoms_code uoms_order_record(struct uoms_store *s, long long id,
    struct uoms_buf *out, struct uoms_error *e);

/*
 * As uoms_order_record, and what a caller decides on before it answers
 * with the record (an ETag, a department's right to see it), without
 * parsing the record back: the order's version and its department
 * (NULL for none; borrowed from the store's scratch until its next
 * record read), and whether it was deleted (a deleted order's record
 * is still read: the change that deleted it prints it). With out NULL
 * only head is read: whether the order is there and whose it is.
 */
struct uoms_record_head {
	long long version;
	const char *department;
	int deleted;		/* deleted (delete.h): in no normal view */
};
enum uoms_code uoms_order_record_head(struct uoms_store *s, long long id,
    struct uoms_buf *out, struct uoms_record_head *head,
    struct uoms_error *e);

/*
 * A record kept as last printed (issue 14 item 2): the same line again,
 * to an order unchanged since, prints it instead of rebuilding it. It is
 * printed only while the order is at the version it was kept at
 * (SQL_ORDER_FIND's and SQL_ORDER_SAME_LINE's last column), so every
 * write that changes what a record shows bumps the version: the order's
 * columns, its items and its holds (lib/change.c, the ingest's update,
 * uoms_hold_place). A write that did not would have the old record
 * printed: it must bump, or store no rendering.
 *
 * A record is kept whenever upsert prints one it has in hand: a created
 * line's echo, a record read back after a change or for a line that
 * changes nothing. Kept only at a second sighting instead, the fresh
 * ingest was no faster (the same time by the clock; 11% fewer bytes
 * written, the store 47% smaller) and the first re-run paid for every
 * write. Nothing depends on a record being kept: none kept at the
 * order's version, it is rebuilt (and kept).
 *
 * uoms_record_keep keeps rec (n bytes, a whole record of order id at
 * version) in the open transaction; the write may go unawaited, in a
 * window the caller opened (uoms_db_later). UOMS_INTERNAL when the
 * store fails.
 */
enum uoms_code uoms_record_keep(struct uoms_store *s, long long id,
    long long version, const char *rec, size_t n, struct uoms_error *e);

/*
 * As uoms_order_record, and what it appends is kept (uoms_record_keep)
 * at the version it shows.
 */
enum uoms_code uoms_order_record_kept(struct uoms_store *s, long long id,
    struct uoms_buf *out, struct uoms_error *e);

/*
 * The records of several orders at once (on PostgreSQL one round trip):
 * ids is a JSON array of their ids. For each order there, in the order
 * of the ids' values, fn is given its id and its record (borrowed for
 * the call; fn returns -1 when out of memory). The orders are ones the
 * caller knows no hold is open on: their records are read with none (a
 * hold's rows are another statement's; uoms_order_record reads them).
 */
enum uoms_code uoms_order_records(struct uoms_store *s, const char *ids,
    size_t len, int (*fn)(void *, long long, const char *, size_t),
    void *arg, struct uoms_error *e);

#endif
