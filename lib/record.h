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

/*
 * Appends the stored record of order id (SPEC 3.1) to out, as one line of
 * JSON without its newline. UOMS_NOT_FOUND when there is no such order.
 */
enum uoms_code uoms_order_record(struct uoms_store *s, long long id,
    struct uoms_buf *out, struct uoms_error *e);

#endif
