/*
 * serve_admin_priv: what serve-admin.c and serve-tools.c share, the
 * admin and tool routes of uoms-serve (one table, serve-admin.c's).
 */
#ifndef UOMS_SERVE_ADMIN_PRIV_H
#define UOMS_SERVE_ADMIN_PRIV_H

#include "buf.h"
#include "err.h"
#include "serve.h"

/* Answers code (not UOMS_OK) with e as a library refusal. */
void uoms_serve_admin_refuse(struct uoms_resp *rs, enum uoms_code code,
    struct uoms_error *e);
/* Sets status and the JSON body out (moved into the response: out is
 * freed). */
void uoms_serve_admin_answer(struct uoms_resp *rs, int status,
    struct uoms_buf *out);
/* Appends {"KEY":[LINE,LINE...]} for the n bytes of JSON lines in lines
 * (empty lines skipped). */
void uoms_serve_admin_lines(struct uoms_buf *out, const char *key,
    const char *lines, size_t n);

/* serve-tools.c: GET /reports/{name}, GET /metrics, GET /openapi.json. */
void uoms_serve_report_get(struct uoms_req *rq, struct uoms_resp *rs);
void uoms_serve_metrics_get(struct uoms_req *rq, struct uoms_resp *rs);
void uoms_serve_openapi_get(struct uoms_req *rq, struct uoms_resp *rs);

#endif
