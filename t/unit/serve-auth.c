/*
 * serve-auth: the bearer check without a connection: a user on an admin
 * route is 403, an admin passes; the role and department come from the
 * store, not from the token; a disabled or unknown user, a token of
 * another key, an expired one and none at all are 401 with the
 * challenge. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "serve-auth.h"
#include "tap.h"

#define NOW 1800000000LL

static char dir[] = "/tmp/uoms-unit-serve-auth.XXXXXX";
static struct uoms_serve_opts opts;
static struct uoms_store *s;

static void
resp_free(struct uoms_resp *rs)
{
	for (int i = 0; i < rs->nheaders; i++) {
		free(rs->header_name[i]);
		free(rs->header_value[i]);
	}
	uoms_buf_free(&rs->body);
	memset(rs, 0, sizeof *rs);
}

/* A token for sub claiming role, valid from now for ttl, under key. */
static char *
token(const char *sub, const char *role, long long ttl, const char *key)
{
	struct uoms_buf b = { 0 };
	json_t *c = json_pack("{s:s,s:s,s:I,s:I,s:I}", "sub", sub, "role",
	    role, "iat", NOW, "nbf", NOW, "exp", NOW + ttl);

	if (key != NULL)
		uoms_jwt_sign((const unsigned char *)key, strlen(key), c, &b);
	else
		uoms_jwt_sign(opts.jwt_key, opts.jwt_key_len, c, &b);
	json_decref(c);
	return b.p;
}

/* The status of checking t for a route needing need (0: passed), with
 * rq's actor filled; the answer's WWW-Authenticate into chal. */
static int
check(const char *t, enum uoms_route_auth need, struct uoms_req *rq,
    char *chal, size_t chalsize)
{
	struct uoms_resp rs = { 0 };
	int status;

	memset(rq, 0, sizeof *rq);
	rq->opts = &opts;
	rq->store = s;
	status = uoms_serve_auth_token(rq, &rs, need, t, NOW) == 0 ? 0 :
	    rs.status;
	snprintf(chal, chalsize, "%s", "");
	for (int i = 0; i < rs.nheaders; i++)
		if (strcmp(rs.header_name[i], "WWW-Authenticate") == 0)
			snprintf(chal, chalsize, "%s", rs.header_value[i]);
	if (status == 401 && (rs.body.p == NULL ||
	    strstr(rs.body.p, "\"unauthorized\"") == NULL))
		status = -401;
	resp_free(&rs);
	return status;
}

int
main(void)
{
	struct uoms_config cfg = { 0 };
	struct uoms_error e = { 0 };
	struct uoms_req rq;
	char why[512], db[256], chal[64];
	char *t;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! can't make a temporary folder\n");
		return 1;
	}
	snprintf(db, sizeof db, "%s/uoms.db", dir);
	s = uoms_store_open(db, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	if (!ok(s != NULL, "a new store opens (%s)", s ? "" : why))
		return 1;
	opts.jwt_key_len = 40;
	memcpy(opts.jwt_key, "unit-key-0123456789abcdef0123456789abcde", 40);
	ok(uoms_user_add(s, "root", UOMS_ROLE_ADMIN, NULL, "pw-root", &e) ==
	    UOMS_OK && uoms_user_add(s, "ann", UOMS_ROLE_USER, "east",
	    "pw-ann", &e) == UOMS_OK, "users (%s)", e.msg);

	t = token("ann", "admin", 60, NULL);
	ok(check(t, UOMS_AUTH_ADMIN, &rq, chal, sizeof chal) == 403,
	    "a user on an admin route: 403, whatever the token claims");
	ok(check(t, UOMS_AUTH_USER, &rq, chal, sizeof chal) == 0 &&
	    rq.authed && rq.actor.role == UOMS_ROLE_USER &&
	    strcmp(rq.actor.department, "east") == 0 &&
	    rq.token_exp == NOW + 60,
	    "on a user's route: in, as the store has ann");
	free(t);
	t = token("root", "user", 60, NULL);
	ok(check(t, UOMS_AUTH_ADMIN, &rq, chal, sizeof chal) == 0 &&
	    rq.actor.role == UOMS_ROLE_ADMIN && strcmp(rq.actor.name,
	    "root") == 0, "an admin on an admin route: in");
	free(t);
	ok(check(NULL, UOMS_AUTH_USER, &rq, chal, sizeof chal) == 401 &&
	    strcmp(chal, "Bearer") == 0, "no token: 401, Bearer");
	ok(check(NULL, UOMS_AUTH_NONE, &rq, chal, sizeof chal) == 0 &&
	    !rq.authed, "no token on an open route: passes, not signed in");
	t = token("ann", "user", 60, "another-key-0123456789abcdef0123456789");
	ok(check(t, UOMS_AUTH_USER, &rq, chal, sizeof chal) == 401 &&
	    strncmp(chal, "Bearer ", 7) == 0,
	    "another key's token: 401 (%s)", chal);
	free(t);
	t = token("ann", "user", 0, NULL);
	ok(check(t, UOMS_AUTH_USER, &rq, chal, sizeof chal) == 401,
	    "expired: 401");
	free(t);
	t = token("ghost", "admin", 60, NULL);
	ok(check(t, UOMS_AUTH_ADMIN, &rq, chal, sizeof chal) == 401,
	    "a user the store doesn't have: 401");
	free(t);
	t = token("ann", "user", 60, NULL);
	ok(uoms_user_disable(s, "ann", &e) == UOMS_OK &&
	    check(t, UOMS_AUTH_USER, &rq, chal, sizeof chal) == 401,
	    "the same token once ann is disabled: 401");
	free(t);

	uoms_store_close(s);
	snprintf(why, sizeof why, "rm -rf '%s'", dir);
	if (system(why) != 0)
		printf("# can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
