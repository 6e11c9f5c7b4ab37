/*
 * session: uoms-serve's refresh tokens and login throttling, in the
 * store so that every server on it agrees. A refresh token is 32 random
 * bytes shown once (base64url) and kept only as its SHA-256; it belongs
 * to a family, one per login. Using it hands out the next of the family
 * and uses it up; a used token shown again means it was stolen or
 * replayed, and the whole family is revoked. Failed logins are counted
 * per user and per client address over a window.
 */
#ifndef UOMS_SESSION_H
#define UOMS_SESSION_H

#include <stddef.h>

#include "err.h"
#include "store.h"

/* A refresh token's text, 43 characters and the NUL. */
#define UOMS_SESSION_TOKEN_SIZE 44
/* A family id's text, 22 characters and the NUL. */
#define UOMS_SESSION_FAMILY_SIZE 23

/*
 * Makes a new refresh token for user, valid until now + ttl, into token:
 * in family (a new one when family is NULL or ""). Run it in the write
 * transaction of the login or the refresh.
 */
enum uoms_code uoms_session_issue(struct uoms_store *s, const char *user,
    const char *family, long long now, long long ttl,
    char token[UOMS_SESSION_TOKEN_SIZE], struct uoms_error *e);

enum uoms_session_state {
	UOMS_SESSION_OK,	/* it was live; now used up */
	UOMS_SESSION_UNKNOWN,	/* never issued, or forgotten */
	UOMS_SESSION_EXPIRED,
	UOMS_SESSION_REUSED	/* used before: its family is revoked now */
};

/*
 * Uses up refresh token: its user into user (usersize bytes) and its
 * family into family, and *state says what it was. A reused token
 * revokes its whole family here (commit that too: the revocation is the
 * point). Run it in a write transaction.
 */
enum uoms_code uoms_session_use(struct uoms_store *s, const char *token,
    long long now, char *user, size_t usersize,
    char family[UOMS_SESSION_FAMILY_SIZE], enum uoms_session_state *state,
    struct uoms_error *e);

/* Revokes every token of family (a user that can't sign in now). */
enum uoms_code uoms_session_revoke_family(struct uoms_store *s,
    const char *family, struct uoms_error *e);

/*
 * Revokes the family of refresh token when it is user's (a token of
 * another user, or unknown, changes nothing); *revoked is 1 when it did.
 */
enum uoms_code uoms_session_revoke(struct uoms_store *s, const char *token,
    const char *user, int *revoked, struct uoms_error *e);

/*
 * Whether a login as user from addr may be tried at now: *retry_after is
 * 0 when it may, else the seconds until the oldest counted failure
 * leaves the window (max_user failures of user, or max_addr from addr,
 * within window seconds).
 */
enum uoms_code uoms_session_throttled(struct uoms_store *s, const char *user,
    const char *addr, long long now, long long window, int max_user,
    int max_addr, long long *retry_after, struct uoms_error *e);
/* Counts a failed login as user from addr at now, and forgets failures
 * older than window. */
enum uoms_code uoms_session_failed(struct uoms_store *s, const char *user,
    const char *addr, long long now, long long window,
    struct uoms_error *e);
/* A successful login: user's failures are forgotten (addr's stay), and
 * so are the refresh tokens that expired before now. */
enum uoms_code uoms_session_succeeded(struct uoms_store *s, const char *user,
    long long now, struct uoms_error *e);

#endif
