/*
 * serve-auth: uoms-serve's sign-in (SPEC 9; the routes in api.md). An
 * access token is a short-lived HS256 JWT (jwt.h) naming the user; the
 * user is read again from the store on every request (on a GET, only
 * when the store changed since this thread last read them), so
 * disabling one shuts them out at once. A refresh token (session.h) gets the next
 * access token; logins are throttled per user and per client address.
 * No password or token reaches a log line or an answer's message.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "jwt.h"
#include "serve-auth.h"
#include "serve.h"
#include "session.h"

/* Failed logins that throttle, within the window (serve.login_window,
 * 15 minutes unless set). */
#define LOGIN_MAX_USER 5
#define LOGIN_MAX_ADDRESS 20
#define LOGIN_WINDOW 900

#define ACCESS_TTL 900
#define REFRESH_TTL (30 * 86400)

/*
 * What a login of a name that can't sign in hashes against, at the cost
 * user.c hashes with (uoms_user_password_cost): an unknown name takes as
 * long to refuse as a bad password, so the time of the answer does not
 * tell which names exist.
 */
static void
dummy_setting(char *out, size_t outlen)
{
	struct uoms_error e;
	int cost = uoms_user_password_cost(&e);

	snprintf(out, outlen, "$2b$%02d$uomsuomsuomsuomsuomsuu",
	    cost < 0 ? 12 : cost);
}

/* 401 with the reason (never a secret) and the challenge RFC 6750
 * asks for: a bare "Bearer" when there were no credentials. */
static void
unauthorized(struct uoms_resp *rs, const char *why, int invalid_token)
{
	uoms_resp_fail(rs, 401, UOMS_OK, "%s", why);
	uoms_resp_header(rs, "WWW-Authenticate", invalid_token ?
	    "Bearer error=\"invalid_token\"" : "Bearer");
}

static long long
opt_ttl(long long v, long long def)
{
	return v > 0 ? v : def;
}

static long long
login_window(const struct uoms_req *rq)
{
	long long w;
	int bad = 0;

	if (rq->opts == NULL || rq->opts->config == NULL)
		return LOGIN_WINDOW;
	w = uoms_config_num(rq->opts->config, "serve.login_window",
	    LOGIN_WINDOW, &bad);
	return bad || w <= 0 ? LOGIN_WINDOW : w;
}

/* The client's address without its port: "1.2.3.4:5678" and
 * "[::1]:5678" count as 1.2.3.4 and ::1, whatever port they come from. */
static void
client_address(const char *remote, char *out, size_t size)
{
	const char *colon;

	if (remote == NULL)
		remote = "";
	if (*remote == '[' && (colon = strchr(remote, ']')) != NULL) {
		snprintf(out, size, "%.*s", (int)(colon - remote - 1),
		    remote + 1);
		return;
	}
	colon = strchr(remote, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL)
		snprintf(out, size, "%.*s", (int)(colon - remote), remote);
	else
		snprintf(out, size, "%s", remote);
}

/* A required string member of a request body, else NULL with 400. */
static const char *
member(json_t *body, const char *name, struct uoms_resp *rs)
{
	json_t *v = json_object_get(body, name);

	if (!json_is_string(v) || *json_string_value(v) == '\0') {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "'%s' is required (a "
		    "string)", name);
		return NULL;
	}
	return json_string_value(v);
}

/* Answers the tokens of a login or a refresh: a new access token for
 * a and the refresh token given. */
static void
answer_tokens(struct uoms_req *rq, struct uoms_resp *rs,
    const struct uoms_actor *a, const char *refresh, long long now)
{
	long long ttl = opt_ttl(rq->opts->access_ttl, ACCESS_TTL);
	struct uoms_buf access = { 0 }, b = { 0 };
	json_t *claims;

	claims = json_pack("{s:s,s:s,s:o,s:I,s:I,s:I}", "sub", a->name,
	    "role", uoms_role_name(a->role), "dept", *a->department ?
	    json_string(a->department) : json_null(), "iat", now, "nbf", now,
	    "exp", now + ttl);
	if (claims == NULL || uoms_jwt_sign(rq->opts->jwt_key,
	    rq->opts->jwt_key_len, claims, &access) < 0) {
		json_decref(claims);
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "can't sign a token");
		return;
	}
	json_decref(claims);
	uoms_buf_str(&b, "{\"access_token\":");
	uoms_buf_json_string(&b, access.p, access.n);
	uoms_buf_str(&b, ",\"refresh_token\":");
	uoms_buf_json_string(&b, refresh, strlen(refresh));
	uoms_buf_printf(&b, ",\"token_type\":\"Bearer\",\"expires_in\":%lld}",
	    ttl);
	/* No cache keeps a token (RFC 6749 5.1): the core says no-store
	 * of every JSON answer. */
	uoms_resp_json(rs, 200, b.p, b.n);
	uoms_buf_free(&access);
	uoms_buf_free(&b);
}

/* A store failure: the transaction undone, the refusal answered. */
static void
store_failed(struct uoms_req *rq, struct uoms_resp *rs,
    const struct uoms_error *e)
{
	uoms_store_rollback(rq->store);
	uoms_resp_error(rs, 0, e);
}

/* Ends a login or a refresh in its open transaction: a new refresh token
 * of family (a new family when NULL) for a, committed, then both tokens
 * answered. */
static void
issue_tokens(struct uoms_req *rq, struct uoms_resp *rs,
    const struct uoms_actor *a, const char *family, long long now)
{
	char refresh[UOMS_SESSION_TOKEN_SIZE];
	struct uoms_error e = { 0 };

	if (uoms_session_issue(rq->store, a->name, family, now,
	    opt_ttl(rq->opts->refresh_ttl, REFRESH_TTL), refresh, &e) !=
	    UOMS_OK || uoms_store_commit(rq->store, &e) != UOMS_OK) {
		store_failed(rq, rs, &e);
		return;
	}
	answer_tokens(rq, rs, a, refresh, now);
	OPENSSL_cleanse(refresh, sizeof refresh);
}

/* Whether name may sign in with password: *ok. A name that can't (none
 * such, disabled, no password) costs one bcrypt all the same. */
static enum uoms_code
check_password(struct uoms_store *s, const char *name, const char *password,
    struct uoms_actor *a, int *ok, struct uoms_error *e)
{
	struct crypt_data data;
	enum uoms_code code;
	char setting[40];

	*ok = 0;
	code = uoms_actor_load(s, name, a, e);
	if (code == UOMS_OK && a->registered)
		code = uoms_user_verify(s, name, password, ok, e);
	else if (code == UOMS_OK || code == UOMS_FORBIDDEN) {
		memset(&data, 0, sizeof data);
		dummy_setting(setting, sizeof setting);
		(void)crypt_r(password, setting, &data);
		OPENSSL_cleanse(&data, sizeof data);
		code = UOMS_OK;
	}
	return code;
}

/* 429 for a login while its user or address is throttled. */
static void
too_many(struct uoms_resp *rs, long long retry)
{
	char wait[32];

	uoms_resp_fail(rs, 429, UOMS_OK, "too many failed logins: try again "
	    "later");
	snprintf(wait, sizeof wait, "%lld", retry);
	uoms_resp_header(rs, "Retry-After", wait);
}

static void
auth_login(struct uoms_req *rq, struct uoms_resp *rs)
{
	char addr[128];
	const char *name, *password;
	long long now = time(NULL), window = login_window(rq), retry;
	struct uoms_actor a;
	struct uoms_error e;
	json_t *body;
	int ok;

	if ((body = uoms_req_object(rq, rs)) == NULL)
		return;
	if ((name = member(body, "username", rs)) == NULL ||
	    (password = member(body, "password", rs)) == NULL)
		goto out;
	client_address(rq->remote, addr, sizeof addr);
	/* Before bcrypt, so that a throttled guess costs it nothing. */
	if (uoms_session_throttled(rq->store, name, addr, now, window,
	    LOGIN_MAX_USER, LOGIN_MAX_ADDRESS, &retry, &e) != UOMS_OK) {
		uoms_resp_error(rs, 0, &e);
		goto out;
	}
	if (retry > 0) {
		too_many(rs, retry);
		goto out;
	}
	/* bcrypt outside any transaction: other writers don't wait on it. */
	if (check_password(rq->store, name, password, &a, &ok, &e) !=
	    UOMS_OK) {
		uoms_resp_error(rs, 0, &e);
		goto out;
	}
	if (uoms_store_begin(rq->store, &e) != UOMS_OK) {
		uoms_resp_error(rs, 0, &e);
		goto out;
	}
	/*
	 * Again in the write transaction that counts this failure: logins
	 * checked at once all passed the check above while bcrypt ran, and
	 * writers take turns, so only here are the check and the count one
	 * step and the limit a limit.
	 */
	if (uoms_session_throttled(rq->store, name, addr, now, window,
	    LOGIN_MAX_USER, LOGIN_MAX_ADDRESS, &retry, &e) != UOMS_OK) {
		store_failed(rq, rs, &e);
		goto out;
	}
	if (retry > 0) {
		uoms_store_rollback(rq->store);
		too_many(rs, retry);
		goto out;
	}
	if (!ok) {
		if (uoms_session_failed(rq->store, name, addr, now, window,
		    &e) != UOMS_OK || uoms_store_commit(rq->store, &e) !=
		    UOMS_OK) {
			store_failed(rq, rs, &e);
			goto out;
		}
		unauthorized(rs, "bad username or password", 0);
		goto out;
	}
	if (uoms_session_succeeded(rq->store, name, now, &e) != UOMS_OK) {
		store_failed(rq, rs, &e);
		goto out;
	}
	issue_tokens(rq, rs, &a, NULL, now);
out:
	json_decref(body);
}

static void
auth_refresh(struct uoms_req *rq, struct uoms_resp *rs)
{
	char family[UOMS_SESSION_FAMILY_SIZE];
	enum uoms_session_state state;
	long long now = time(NULL);
	const char *token;
	struct uoms_actor a;
	struct uoms_error e;
	enum uoms_code code;
	char user[128];
	json_t *body;

	if ((body = uoms_req_object(rq, rs)) == NULL)
		return;
	if ((token = member(body, "refresh_token", rs)) == NULL)
		goto out;
	if (uoms_store_begin(rq->store, &e) != UOMS_OK) {
		uoms_resp_error(rs, 0, &e);
		goto out;
	}
	if (uoms_session_use(rq->store, token, now, user, sizeof user, family,
	    &state, &e) != UOMS_OK) {
		store_failed(rq, rs, &e);
		goto out;
	}
	if (state == UOMS_SESSION_UNKNOWN || state == UOMS_SESSION_EXPIRED) {
		uoms_store_rollback(rq->store);
		unauthorized(rs, state == UOMS_SESSION_EXPIRED ?
		    "refresh token expired" : "unknown refresh token", 1);
		goto out;
	}
	if (state == UOMS_SESSION_OK) {
		code = uoms_actor_load(rq->store, user, &a, &e);
		if (code != UOMS_OK && code != UOMS_FORBIDDEN) {
			store_failed(rq, rs, &e);
			goto out;
		}
		if (code == UOMS_FORBIDDEN || !a.registered) {
			/* The rest of the family goes with it. */
			if (uoms_session_revoke_family(rq->store, family,
			    &e) != UOMS_OK) {
				store_failed(rq, rs, &e);
				goto out;
			}
			state = UOMS_SESSION_UNKNOWN;
		}
	}
	if (state != UOMS_SESSION_OK) {
		/* The revocation is committed: that is its point. */
		if (uoms_store_commit(rq->store, &e) != UOMS_OK) {
			uoms_resp_error(rs, 0, &e);
			goto out;
		}
		unauthorized(rs, state == UOMS_SESSION_REUSED ? "refresh "
		    "token used before: its session is revoked" :
		    "the user can't sign in", 1);
		goto out;
	}
	issue_tokens(rq, rs, &a, family, now);
out:
	json_decref(body);
}

static void
auth_logout(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_error e;
	json_t *body = NULL, *t;
	int revoked;

	if (rq->body_len > 0) {
		if ((body = uoms_req_object(rq, rs)) == NULL)
			return;
		t = json_object_get(body, "refresh_token");
		if (t != NULL && !json_is_string(t)) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "'refresh_token' "
			    "is a string");
			goto out;
		}
		if (t != NULL) {
			if (uoms_store_begin(rq->store, &e) != UOMS_OK) {
				uoms_resp_error(rs, 0, &e);
				goto out;
			}
			if (uoms_session_revoke(rq->store,
			    json_string_value(t), rq->actor.name, &revoked,
			    &e) != UOMS_OK || uoms_store_commit(rq->store,
			    &e) != UOMS_OK) {
				store_failed(rq, rs, &e);
				goto out;
			}
		}
	}
	rs->status = 204;
out:
	json_decref(body);
}

static void
auth_check_session(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_buf b = { 0 };
	time_t exp = (time_t)rq->token_exp;
	char at[40];
	struct tm tm;

	gmtime_r(&exp, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	uoms_buf_str(&b, "{\"user\":");
	uoms_buf_json_string(&b, rq->actor.name, strlen(rq->actor.name));
	uoms_buf_printf(&b, ",\"role\":\"%s\",\"department\":",
	    uoms_role_name(rq->actor.role));
	if (*rq->actor.department)
		uoms_buf_json_string(&b, rq->actor.department,
		    strlen(rq->actor.department));
	else
		uoms_buf_str(&b, "null");
	uoms_buf_printf(&b, ",\"expires_at\":\"%s\"}", at);
	uoms_resp_json(rs, 200, b.p, b.n);
	uoms_buf_free(&b);
}

/*
 * The user this worker thread last read from its store for a GET, and
 * the store's data version then. Reading the user was a tenth of a GET
 * (a read transaction of its own); while no commit has reached the store
 * since, the row is the one read, so a GET goes on with it and the
 * version is compared after the route, whose own read transaction
 * brought it up to date (uoms_serve_auth_recheck). Per thread, as each
 * thread has its own store: nothing here is shared. Any other request
 * forgets it, so a change this thread makes itself is never missed.
 */
static _Thread_local struct {
	const struct uoms_store *store;	/* NULL: none */
	struct uoms_actor actor;
	unsigned int version;
} seen;

static int
reads_only(const struct uoms_req *rq)
{
	return rq->method != NULL && (strcmp(rq->method, "GET") == 0 ||
	    strcmp(rq->method, "HEAD") == 0);
}

/* Keeps rq->actor as the user last read, at the store's version now. */
static void
remember(const struct uoms_req *rq)
{
	long long reads;

	seen.store = NULL;
	if (reads_only(rq) && uoms_store_data_version(rq->store,
	    &seen.version, &reads) == 0) {
		seen.actor = rq->actor;
		seen.store = rq->store;
	}
}

/* 1 when the GET may go on with the user last read (rq->actor set). */
static int
recall(struct uoms_req *rq, const char *sub)
{
	unsigned int version;
	long long reads;

	if (!reads_only(rq)) {
		seen.store = NULL;
		return 0;
	}
	if (seen.store == NULL || seen.store != rq->store ||
	    strcmp(seen.actor.name, sub) != 0 ||
	    uoms_store_data_version(rq->store, &version, &reads) < 0 ||
	    version != seen.version)
		return 0;
	rq->actor = seen.actor;
	rq->recheck = 1;
	rq->recheck_reads = reads;
	return 1;
}

int
uoms_serve_auth_recheck(struct uoms_req *rq)
{
	struct uoms_actor a;
	struct uoms_error e;
	unsigned int version;
	long long reads;

	if (!rq->recheck)
		return 0;
	rq->recheck = 0;
	/*
	 * The route read the store (its pages) in a transaction of its own,
	 * begun after the request came, and no commit had reached the store
	 * since the user was read: the user it answered for is the user now.
	 */
	if (seen.store == rq->store && uoms_store_data_version(rq->store,
	    &version, &reads) == 0 && version == seen.version &&
	    reads != rq->recheck_reads)
		return 0;
	seen.store = NULL;
	if (uoms_actor_load(rq->store, rq->actor.name, &a, &e) != UOMS_OK ||
	    !a.registered || a.role != rq->actor.role ||
	    strcmp(a.department, rq->actor.department) != 0)
		return -1;
	remember(rq);
	return 0;
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *
bearer(const struct uoms_req *rq)
{
	const char *h = uoms_req_header(rq, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h != '\0' ? h : NULL;
}

int
uoms_serve_auth_token(struct uoms_req *rq, struct uoms_resp *rs,
    enum uoms_route_auth need, const char *token, long long now)
{
	const char *why, *sub;
	struct uoms_error e;
	enum uoms_code code;
	json_t *claims;
	long long exp;

	rq->authed = 0;
	rq->recheck = 0;
	if (need == UOMS_AUTH_NONE)
		return 0;
	if (token == NULL) {
		unauthorized(rs, "a bearer token is required", 0);
		return -1;
	}
	if (uoms_jwt_verify(rq->opts->jwt_key, rq->opts->jwt_key_len, token,
	    now, &claims, &why) < 0) {
		unauthorized(rs, why, 1);
		return -1;
	}
	sub = json_string_value(json_object_get(claims, "sub"));
	exp = (long long)json_number_value(json_object_get(claims, "exp"));
	if (sub == NULL || *sub == '\0' || strlen(sub) >= sizeof
	    rq->actor.name) {
		json_decref(claims);
		unauthorized(rs, "no user in the token", 1);
		return -1;
	}
	/* The user as the store has them now, not as the token says. */
	/* Never refused on the user last read: a refusal reads them again. */
	if (recall(rq, sub) && (need != UOMS_AUTH_ADMIN ||
	    rq->actor.role == UOMS_ROLE_ADMIN)) {
		json_decref(claims);
		goto known;
	}
	rq->recheck = 0;
	code = uoms_actor_load(rq->store, sub, &rq->actor, &e);
	json_decref(claims);
	if (code == UOMS_FORBIDDEN || (code == UOMS_OK &&
	    !rq->actor.registered)) {
		seen.store = NULL;
		unauthorized(rs, "the user can't sign in", 1);
		return -1;
	}
	if (code != UOMS_OK) {
		seen.store = NULL;
		uoms_resp_error(rs, 0, &e);
		return -1;
	}
	remember(rq);
known:
	if (need == UOMS_AUTH_ADMIN && rq->actor.role != UOMS_ROLE_ADMIN) {
		uoms_resp_fail(rs, 403, UOMS_FORBIDDEN, "this needs an admin");
		return -1;
	}
	rq->authed = 1;
	rq->token_exp = exp;
	return 0;
}

int
uoms_serve_authenticate(struct uoms_req *rq, struct uoms_resp *rs,
    enum uoms_route_auth need)
{
	return uoms_serve_auth_token(rq, rs, need, need == UOMS_AUTH_NONE ?
	    NULL : bearer(rq), time(NULL));
}

const struct uoms_route uoms_serve_routes_auth[] = {
	{ "POST", "/auth/login", UOMS_AUTH_NONE, auth_login,
	    "Signs in: an access token and a refresh token" },
	{ "POST", "/auth/refresh", UOMS_AUTH_NONE, auth_refresh,
	    "The next access and refresh tokens for a refresh token" },
	{ "POST", "/auth/logout", UOMS_AUTH_USER, auth_logout,
	    "Revokes the session of a refresh token" },
	{ "GET", "/auth/check-session", UOMS_AUTH_USER, auth_check_session,
	    "Who the access token is for, and until when" },
	{ NULL, NULL, 0, NULL, NULL }
};
