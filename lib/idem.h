/*
 * idem: idempotency keys (SPEC 5). A key, scoped to its actor and the
 * order it touched, is stored with the request's fingerprint and the
 * result in the same transaction as the change it made, so a retry finds
 * either nothing (the change did not happen) or the whole result.
 */
#ifndef UOMS_IDEM_H
#define UOMS_IDEM_H

#include "buf.h"
#include "store.h"

#define UOMS_IDEM_KEY_MAX 255
#define UOMS_IDEM_TTL_DEFAULT (24 * 3600)

/* NULL when key is acceptable, else why not (static text). */
const char *uoms_idem_key_problem(const char *key);

/*
 * Looks for the key. New (or expired): *replayed = 0. The same request
 * ran before: *replayed = 1 and its result appended to result. Another
 * request under this key: idempotency_mismatch.
 */
enum uoms_code uoms_idem_check(struct uoms_store *s, const char *actor,
    const char *key, long long order_id, const char *request, int *replayed,
    struct uoms_buf *result, struct uoms_error *e);

/* Stores the key with the request and its result, for ttl seconds. */
enum uoms_code uoms_idem_store(struct uoms_store *s, const char *actor,
    const char *key, long long order_id, const char *request,
    const char *result, size_t len, long long ttl, struct uoms_error *e);

#endif
