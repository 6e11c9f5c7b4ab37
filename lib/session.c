/*
 * session: refresh tokens and failed logins in the store (session.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "db.h"
#include "jwt.h"
#include "rfc3339.h"
#include "session.h"

/* The hex SHA-256 of a token: what the store keeps instead of it. */
static int
token_hash(const char *token, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	if (EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL) != 1
	    || n != sizeof md)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* n random bytes as base64url into out (size bytes). */
static int
random_text(size_t n, char *out, size_t size)
{
	unsigned char r[32];
	struct uoms_buf b = { 0 };
	int rc = -1;

	if (n > sizeof r || RAND_bytes(r, (int)n) != 1)
		return -1;
	if (uoms_b64url_encode(r, n, &b) == 0 && b.n < size) {
		memcpy(out, b.p, b.n + 1);
		rc = 0;
	}
	OPENSSL_cleanse(r, sizeof r);
	uoms_buf_free(&b);
	return rc;
}

enum uoms_code
uoms_session_issue(struct uoms_store *s, const char *user, const char *family,
    long long now, long long ttl, char token[UOMS_SESSION_TOKEN_SIZE],
    struct uoms_error *e)
{
	char fam[UOMS_SESSION_FAMILY_SIZE], hex[65], at[40];
	struct uoms_stmt *st;

	token[0] = '\0';
	if (family == NULL || *family == '\0') {
		if (random_text(16, fam, sizeof fam) < 0)
			return uoms_fail(e, UOMS_INTERNAL, "no random bytes");
		family = fam;
	}
	if (random_text(32, token, UOMS_SESSION_TOKEN_SIZE) < 0 ||
	    token_hash(token, hex) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "no random bytes");
	if ((st = uoms_db_stmt(s, SQL_SESSION_PUT)) == NULL)
		return uoms_db_fail(s, e, "keeping a refresh token");
	uoms_time_now(at);
	uoms_db_bind_text(st, 1, hex);
	uoms_db_bind_text(st, 2, family);
	uoms_db_bind_text(st, 3, user);
	uoms_db_bind_int(st, 4, now + ttl);
	uoms_db_bind_text(st, 5, at);
	return uoms_db_exec(s, st, "keeping a refresh token", e);
}

enum uoms_code
uoms_session_revoke_family(struct uoms_store *s, const char *family, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_SESSION_REVOKE);

	if (st == NULL)
		return uoms_db_fail(s, e, "revoking refresh tokens");
	uoms_db_bind_text(st, 1, family);
	return uoms_db_exec(s, st, "revoking refresh tokens", e);
}

/* The row of token: 1 found (family, user, used, expires), 0 not. */
static int
find(struct uoms_store *s, const char *token, char *family, char *user,
    size_t usersize, int *used, long long *expires, struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_db_step rc;
	char hex[65];

	if (token_hash(token, hex) < 0) {
		uoms_fail(e, UOMS_INTERNAL, "hashing a token");
		return -1;
	}
	if ((st = uoms_db_stmt(s, SQL_SESSION_GET)) == NULL) {
		uoms_db_fail(s, e, "reading refresh tokens");
		return -1;
	}
	uoms_db_bind_text(st, 1, hex);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW) {
		snprintf(family, UOMS_SESSION_FAMILY_SIZE, "%s",
		    uoms_db_text(st, 0));
		snprintf(user, usersize, "%s", uoms_db_text(st, 1));
		*used = uoms_db_int(st, 2) != 0;
		*expires = uoms_db_int(st, 3);
	}
	uoms_db_done(st);
	if (rc == UOMS_DB_ERROR) {
		uoms_db_fail(s, e, "reading refresh tokens");
		return -1;
	}
	return rc == UOMS_DB_ROW;
}

enum uoms_code
uoms_session_use(struct uoms_store *s, const char *token, long long now,
    char *user, size_t usersize, char family[UOMS_SESSION_FAMILY_SIZE],
    enum uoms_session_state *state, struct uoms_error *e)
{
	struct uoms_stmt *st;
	long long expires;
	enum uoms_code code;
	int used, found;
	char hex[65];

	*state = UOMS_SESSION_UNKNOWN;
	user[0] = family[0] = '\0';
	if ((found = find(s, token, family, user, usersize, &used, &expires,
	    e)) < 0)
		return e->code;
	if (!found)
		return UOMS_OK;
	if (!used && expires <= now) {
		*state = UOMS_SESSION_EXPIRED;
		return UOMS_OK;
	}
	if (!used) {
		if (token_hash(token, hex) < 0 ||
		    (st = uoms_db_stmt(s, SQL_SESSION_USE)) == NULL)
			return uoms_db_fail(s, e, "using a refresh token");
		uoms_db_bind_text(st, 1, hex);
		if ((code = uoms_db_exec(s, st, "using a refresh token", e)) !=
		    UOMS_OK)
			return code;
		/* Another request used it first: that is a reuse too. */
		if (uoms_db_changes(s) == 1) {
			*state = UOMS_SESSION_OK;
			return UOMS_OK;
		}
	}
	*state = UOMS_SESSION_REUSED;
	return uoms_session_revoke_family(s, family, e);
}

enum uoms_code
uoms_session_revoke(struct uoms_store *s, const char *token, const char *user,
    int *revoked, struct uoms_error *e)
{
	char family[UOMS_SESSION_FAMILY_SIZE], owner[128];
	long long expires;
	enum uoms_code code;
	int used, found;

	*revoked = 0;
	if ((found = find(s, token, family, owner, sizeof owner, &used,
	    &expires, e)) < 0)
		return e->code;
	if (!found || strcmp(owner, user) != 0)
		return UOMS_OK;
	if ((code = uoms_session_revoke_family(s, family, e)) == UOMS_OK)
		*revoked = 1;
	return code;
}

/* How many failures of kind/subject are within window, and when the
 * oldest of them was. */
static enum uoms_code
failures(struct uoms_store *s, const char *kind, const char *subject,
    long long now, long long window, long long *n, long long *oldest,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_SESSION_FAILURES);
	enum uoms_db_step rc;

	*n = *oldest = 0;
	if (st == NULL)
		return uoms_db_fail(s, e, "counting failed logins");
	uoms_db_bind_text(st, 1, kind);
	uoms_db_bind_text(st, 2, subject);
	uoms_db_bind_int(st, 3, now - window);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW) {
		*n = uoms_db_int(st, 0);
		*oldest = uoms_db_int(st, 1);
	}
	uoms_db_done(st);
	if (rc == UOMS_DB_ERROR)
		return uoms_db_fail(s, e, "counting failed logins");
	return UOMS_OK;
}

enum uoms_code
uoms_session_throttled(struct uoms_store *s, const char *user,
    const char *addr, long long now, long long window, int max_user,
    int max_addr, long long *retry_after, struct uoms_error *e)
{
	long long n, oldest, wait = 0;
	enum uoms_code code;
	int over = 0;

	*retry_after = 0;
	if ((code = failures(s, "user", user, now, window, &n, &oldest, e)) !=
	    UOMS_OK)
		return code;
	if (n >= max_user) {
		over = 1;
		wait = oldest + window - now;
	}
	if ((code = failures(s, "address", addr, now, window, &n, &oldest,
	    e)) != UOMS_OK)
		return code;
	if (n >= max_addr) {
		over = 1;
		if (oldest + window - now > wait)
			wait = oldest + window - now;
	}
	/* Throttled at all is at least a second's wait. */
	if (over)
		*retry_after = wait < 1 ? 1 : wait;
	return UOMS_OK;
}

enum uoms_code
uoms_session_failed(struct uoms_store *s, const char *user, const char *addr,
    long long now, long long window, struct uoms_error *e)
{
	static const char *const kinds[] = { "user", "address" };
	const char *subjects[] = { user, addr };
	struct uoms_stmt *st;
	enum uoms_code code;

	if ((st = uoms_db_stmt(s, SQL_SESSION_FORGET)) == NULL)
		return uoms_db_fail(s, e, "forgetting failed logins");
	uoms_db_bind_int(st, 1, now - window);
	if ((code = uoms_db_exec(s, st, "forgetting failed logins", e)) !=
	    UOMS_OK)
		return code;
	for (int i = 0; i < 2; i++) {
		if ((st = uoms_db_stmt(s, SQL_SESSION_FAIL)) == NULL)
			return uoms_db_fail(s, e, "counting a failed login");
		uoms_db_bind_text(st, 1, kinds[i]);
		uoms_db_bind_text(st, 2, subjects[i]);
		uoms_db_bind_int(st, 3, now);
		if ((code = uoms_db_exec(s, st, "counting a failed login",
		    e)) != UOMS_OK)
			return code;
	}
	return UOMS_OK;
}

enum uoms_code
uoms_session_succeeded(struct uoms_store *s, const char *user, long long now,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code;

	if ((st = uoms_db_stmt(s, SQL_SESSION_CLEAR)) == NULL)
		return uoms_db_fail(s, e, "forgetting failed logins");
	uoms_db_bind_text(st, 1, user);
	if ((code = uoms_db_exec(s, st, "forgetting failed logins", e)) !=
	    UOMS_OK)
		return code;
	if ((st = uoms_db_stmt(s, SQL_SESSION_EXPIRE)) == NULL)
		return uoms_db_fail(s, e, "forgetting refresh tokens");
	uoms_db_bind_int(st, 1, now);
	return uoms_db_exec(s, st, "forgetting refresh tokens", e);
}
