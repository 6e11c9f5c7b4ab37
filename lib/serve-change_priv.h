/*
 * serve-change_priv: what serve-change.c shares with the other route
 * modules beyond serve.h: one change over many orders (all or nothing,
 * POST /orders/assign), the ETag of a record, the department check and
 * an order read as uoms-query prints it.
 */
#ifndef UOMS_SERVE_CHANGE_PRIV_H
#define UOMS_SERVE_CHANGE_PRIV_H

#include "serve.h"

/* "\"<id>-v<version>\"" and its NUL fit in this. */
#define UOMS_ETAG_SIZE 48

/* One order of a change: its id and the version the client read (-1:
 * none given, else the change is refused with 409 when it moved). */
struct uoms_serve_target {
	long long id;
	long long version;
};

/*
 * Runs c on the n orders of t in one write transaction, as
 * uoms_serve_change does for one: every order is checked and changed in
 * turn, and the first refusal answers (its status, with "order_id" in
 * the error object) and nothing is stored. Answers 200
 * {"orders":[RECORD...]} in t's order. If-Match is not read (each
 * order carries its version); with --require-if-match an order without
 * one is 428.
 */
void uoms_serve_change_many(struct uoms_req *rq, struct uoms_resp *rs,
    const struct uoms_serve_target *t, size_t n, const struct uoms_change *c,
    int force);

/*
 * The Idempotency-Key header: a bare token or a quoted string (the
 * IETF draft writes it as a structured-field string), into key (size
 * bytes). *out NULL when there is none; -1 with 400 answered when it
 * is not a key.
 */
int uoms_serve_idem_key(struct uoms_req *rq, struct uoms_resp *rs,
    char *key, size_t size, const char **out);

/*
 * The strong ETag of a record (one JSON object, len bytes) into etag:
 * "\"<id>-v<version>\"". -1 when the record has no id or version.
 */
int uoms_serve_etag(const char *record, size_t len, char etag[UOMS_ETAG_SIZE]);

/*
 * Whether actor a may see an order of department dept (NULL or "": none):
 * an admin sees every order, a user those of their own department (a
 * user of no department sees none).
 */
int uoms_serve_dept_ok(const struct uoms_actor *a, const char *dept);

/*
 * Appends order id's record, as uoms-query prints it, to out when the
 * request's actor may see it: UOMS_OK, else not_found or forbidden (e
 * filled; nothing answered).
 */
enum uoms_code uoms_serve_order_read(struct uoms_req *rq, long long id,
    struct uoms_buf *out, struct uoms_error *e);

/*
 * Answers e (uoms_resp_error: status 0 is the code's own), with
 * "order_id" added to the error object when order_id > 0; busy counts
 * for /metrics and carries Retry-After: 1.
 */
void uoms_serve_refuse(struct uoms_resp *rs, int status, struct uoms_error *e,
    long long order_id);

#endif
