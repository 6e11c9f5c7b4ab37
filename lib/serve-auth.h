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

#endif
