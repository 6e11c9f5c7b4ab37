/*
 * catalog: the products of each channel, keyed by (channel, sku); the
 * channel '' is the catalog every channel shares. A product keeps what
 * it cost from when (its cost history), so that profit takes the cost at
 * the time of the sale: a cost raised today never rewrites last month's
 * profit. Like ingest, an unchanged product writes nothing; a changed one
 * is written with its version bumped once and one event, in the caller's
 * transaction.
 */
#ifndef UOMS_CATALOG_H
#define UOMS_CATALOG_H

#include "buf.h"
#include "ingest.h"
#include "order.h"
#include "store.h"

/* A cost_from may run ahead of our clock by this much (another clock). */
#define UOMS_CATALOG_SKEW 300

/*
 * Stores product p (borrowed) inside the open transaction; *result says
 * what happened. A cost the product did not have (a new product, a changed
 * cost) adds a row to its history valid from now, or from p's cost_from;
 * the product's cost is then the cost of its latest row, so a cost dated
 * back before the latest one joins the history and leaves today's cost as
 * it was. Returns UOMS_OK; or UOMS_INVALID (cost_from without a cost, or
 * in the future beyond UOMS_CATALOG_SKEW), decided before the first
 * write; or busy/internal, after which the caller must roll back.
 */
enum uoms_code uoms_catalog_put(struct uoms_store *s,
    const struct uoms_product *p, enum uoms_ingest_result *result,
    struct uoms_error *e);

/*
 * Appends the stored record of product (channel, sku) to out: one line of
 * JSON without its newline, its unknown members last. channel NULL is the
 * shared catalog. UOMS_NOT_FOUND when there is no such product.
 */
enum uoms_code uoms_catalog_record(struct uoms_store *s, const char *channel,
    const char *sku, struct uoms_buf *out, struct uoms_error *e);

/* What uoms_catalog_list prints: the products, or their cost rows. */
enum uoms_catalog_list { UOMS_CATALOG_PRODUCTS, UOMS_CATALOG_COSTS };

/* The columns of a listing's rows, NULL-terminated. Static. */
const char *const *uoms_catalog_columns(enum uoms_catalog_list what);

/*
 * A product's listing has what orders reserve of its stock ("reserved")
 * and what is left ("available": stock - reserved), both null when it has
 * no stock (not tracked: lib/stock.h).
 *
 * Calls row for each product (or cost row) of channel (NULL: every
 * channel; "" the shared catalog) and sku (NULL: every sku), ordered by
 * channel, sku (and valid_from). row gets the record as one line of JSON
 * (n bytes, no newline) and the texts of uoms_catalog_columns (NULL for
 * null), all borrowed for the call; a nonzero return stops the listing
 * and is returned. Returns 0, or -1 with e filled when the store failed.
 */
int uoms_catalog_list(struct uoms_store *s, enum uoms_catalog_list what,
    const char *channel, const char *sku,
    int (*row)(void *arg, const char *json, size_t n,
    const char *const *cols), void *arg, struct uoms_error *e);

#endif
