/*
 * serve-auth: the bearer check of uoms-serve (serve.h's
 * uoms_serve_authenticate) on a token given, so that it can be tried
 * without a connection (t/unit/serve-auth).
 */
#ifndef UOMS_SERVE_AUTH_H
#define UOMS_SERVE_AUTH_H

#include "serve.h"

/*
 * Checks token (NULL: none was sent) at time now for a route that needs
 * need: 0 with rq->actor (reloaded from rq->store), rq->authed and
 * rq->token_exp filled, or -1 with 401 (no token, a token refused, a
 * user disabled or gone) or 403 (a user on an admin route) in rs.
 */
int uoms_serve_auth_token(struct uoms_req *rq, struct uoms_resp *rs,
    enum uoms_route_auth need, const char *token, long long now);

/*
 * After a route ran on a GET that uoms_serve_auth_token let through with
 * the user this thread read last (rq->recheck): 0 when the answer stands
 * (no commit reached the store between that read and the route's own, or
 * the user read again is the same), -1 when the user changed (disabled,
 * removed, another role or department): the core then drops the answer
 * and checks the token again, as on a first request.
 */
int uoms_serve_auth_recheck(struct uoms_req *rq);

#endif
