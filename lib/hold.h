/*
 * hold: holds on orders (SPEC 6). A hold is its own record on an order:
 * a reason, a note, who placed it and when, and an ops state, open ->
 * acknowledged -> resolved, with the operator who moved it last and
 * their note. While any hold of an order is not resolved, the order's
 * status does not move (uoms_change_order refuses with on_hold).
 * Placing, acknowledging and resolving are changes for
 * uoms_change_order(): guarded by the EDIT lock, not blocked by holds,
 * each bumps the order's version once with one event, "hold_placed",
 * "hold_acknowledged" or "hold_resolved".
 */
#ifndef UOMS_HOLD_H
#define UOMS_HOLD_H

#include "buf.h"
#include "change.h"

enum uoms_hold_verb {
	UOMS_HOLD_SET,
	UOMS_HOLD_ACK,
	UOMS_HOLD_RESOLVE
};

struct uoms_hold_req {
	enum uoms_hold_verb verb;
	const char *reason;	/* set: one of uoms_hold_reason_valid's */
	const char *note;	/* or NULL */
	long long hold_id;	/* ack, resolve: the hold; 0 with all */
	int all;		/* ack, resolve: every hold it applies to */
};

/* Whether reason is one of stock_shortage, missing_info,
 * fraud_suspected, address_invalid, awaiting_payment, other. */
int uoms_hold_reason_valid(const char *reason);

/* Whether state is open, acknowledged or resolved. */
int uoms_hold_state_valid(const char *state);

/*
 * Fills c to do what req says to each order (req is borrowed). The
 * request text for idempotency is kept in request. set inserts an open
 * hold placed by the actor. ack moves open holds to acknowledged,
 * resolve open or acknowledged ones to resolved, setting operator (the
 * actor), operator_note (req->note) and updated_at: the hold req->hold_id
 * (not_found when it is not on the order; invalid when it is in that
 * state already, or resolved), or with req->all every hold of the order
 * the step applies to (invalid when there is none). Only an admin may
 * ack or resolve a hold of reason fraud_suspected, or one an admin (a
 * user whose role is admin now) placed: anyone else is refused with
 * forbidden, the whole order when --all would touch such a hold.
 */
void uoms_hold_change(struct uoms_change *c, struct uoms_hold_req *req,
    struct uoms_buf *request);

/*
 * Places an open hold of reason (one of uoms_hold_reason_valid's) with
 * note (or NULL) on order order_id, placed by actor (NULL: the store's
 * actor), from inside the caller's open transaction, as uoms-hold set
 * does: the order's version bumped once and one "hold_placed" event. No
 * lock or role is checked: the caller (ingest's stock, intake rules)
 * decided. UOMS_OK, or the store's failure (roll back).
 */
enum uoms_code uoms_hold_place(struct uoms_store *s, long long order_id,
    const char *reason, const char *note, const char *actor,
    struct uoms_error *e);

/*
 * Appends to out one JSON line ('\n'-terminated) per hold, newest first,
 * only those in state when it is not NULL: {"id","order_id","reason",
 * "note","state","placed_by","placed_at","operator","operator_note",
 * "updated_at"}.
 */
enum uoms_code uoms_hold_list(struct uoms_store *s, const char *state,
    struct uoms_buf *out, struct uoms_error *e);
/* The same, order_id's holds only (all of them when it is 0). */
enum uoms_code uoms_hold_list_order(struct uoms_store *s, long long order_id,
    const char *state, struct uoms_buf *out, struct uoms_error *e);

/*
 * Places an open hold on order_id inside the caller's open transaction,
 * as uoms-hold set does (one version, one "hold_placed" event), by actor
 * (borrowed): for what the tools decide themselves, such as intake
 * rules (lib/rules.h), where no person asks and no lock stands in the
 * way. UOMS_OK, or invalid (no such reason), or the store's failure,
 * after which the caller rolls the transaction back.
 */
enum uoms_code uoms_hold_place(struct uoms_store *s, long long order_id,
    const char *reason, const char *note, const char *actor,
    struct uoms_error *e);

#endif
