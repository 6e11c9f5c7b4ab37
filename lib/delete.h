/*
 * delete: an admin's delete of an order (SPEC 4, 5), as a change for
 * uoms_change_order(). It is soft: the order's row stays (its events
 * refer to it and the log keeps every change), marked deleted_at, and
 * from then on every normal view leaves it out and every tool that
 * takes a reference answers not_found. Like any change it bumps the
 * version and appends one event ("deleted"), honours the version,
 * EDIT locks and the idempotency key; holds do not block it.
 */
#ifndef UOMS_DELETE_H
#define UOMS_DELETE_H

#include "change.h"

/* Fills c to delete the order it is applied to; a user (not an admin)
 * is refused with forbidden before anything is written. */
void uoms_delete_change(struct uoms_change *c);

#endif
