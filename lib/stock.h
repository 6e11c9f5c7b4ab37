/*
 * stock: catalog stock that can't be sold twice (issue 13, item 2). An
 * order first stored reserves, in the same transaction, what its items
 * want of each tracked product (a product with a stock: the channel's
 * own, else the shared catalog's), all of it or nothing: when one
 * product is short the order reserves nothing and is held once,
 * stock_shortage. A reservation is released when the order enters a
 * cancelled state or its items' cancelled units grow, and consumed (the
 * stock goes down with it) when the order ships, and released when an
 * admin deletes the order; each once, for the reservation's state moves
 * from reserved only. Available is stock less what is reserved
 * (products.reserved), as uoms-catalog lists it.
 */
#ifndef UOMS_STOCK_H
#define UOMS_STOCK_H

#include "store.h"
#include "workflow.h"

/*
 * Reserves what order order_id (just stored, its items written) wants,
 * inside the open transaction; an order stored in a cancelled or shipped
 * state reserves nothing. Each product is taken by one conditional
 * write (never a read, then a write), so that of two writers racing for
 * the last unit one gets it. When a product is short, what was taken is
 * given back and an open stock_shortage hold is placed (uoms_hold_place)
 * whose note names the sku, the units wanted and those available; *held
 * is then set. Whether any product is tracked is asked once a write
 * transaction (uoms_store_any_stock): a store that tracks nothing asks
 * nothing more of an order. UOMS_OK, or the store's failure (roll back).
 */
enum uoms_code uoms_stock_reserve(struct uoms_store *s, long long order_id,
    int *held, struct uoms_error *e);

/*
 * After order_id's items were replaced: each reservation it holds that
 * its items now want fewer units of (cancelled_quantity grew, or an item
 * went) gives the difference back; one wanting none is released. More
 * units wanted reserve nothing more. UOMS_OK, or the store's failure.
 */
enum uoms_code uoms_stock_items(struct uoms_store *s, long long order_id,
    struct uoms_error *e);

/*
 * Order order_id enters state of workflow wf: a cancelled state releases
 * what it holds, a shipped one (ships: true, or after it) consumes it;
 * any other does nothing and asks nothing of the store. Writes only, so
 * a status change's writes may still go unawaited (uoms_db_later).
 * UOMS_OK, or the store's failure.
 */
enum uoms_code uoms_stock_enter(struct uoms_store *s, long long order_id,
    const struct uoms_workflow *wf, const char *state, struct uoms_error *e);

/*
 * Gives back what order order_id holds, whatever its state: an admin
 * deleted it (lib/delete.h), and a deleted order ships nothing. Writes
 * only. UOMS_OK, or the store's failure.
 */
enum uoms_code uoms_stock_release(struct uoms_store *s, long long order_id,
    struct uoms_error *e);

#endif
