/*
 * session: refresh tokens rotate, a reused one revokes its family (the
 * newest token too), an expired one is refused, only the owner's logout
 * revokes; failed logins throttle per user and per address and leave
 * the window. Only hashes reach the store. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "session.h"
#include "store.h"
#include "tap.h"

#define NOW 1800000000LL

static char dir[] = "/tmp/uoms-unit-session.XXXXXX";
static struct uoms_store *s;

static enum uoms_session_state
use(const char *token, long long now, char *user, char *family)
{
	enum uoms_session_state state = UOMS_SESSION_UNKNOWN;
	struct uoms_error e = { 0 };
	char u[128], f[UOMS_SESSION_FAMILY_SIZE];

	if (uoms_session_use(s, token, now, user ? user : u, 128,
	    family ? family : f, &state, &e) != UOMS_OK)
		printf("# use: %s\n", e.msg);
	return state;
}

static long long
count(const char *sql)
{
	struct uoms_stmt *st = uoms_db_prepare(s, sql);
	long long n = -1;

	if (st != NULL && uoms_db_step(st) == UOMS_DB_ROW)
		n = uoms_db_int(st, 0);
	uoms_db_free(st);
	return n;
}

static void
tokens(void)
{
	char t1[UOMS_SESSION_TOKEN_SIZE], t2[UOMS_SESSION_TOKEN_SIZE],
	    t3[UOMS_SESSION_TOKEN_SIZE], other[UOMS_SESSION_TOKEN_SIZE];
	char user[128], fam1[UOMS_SESSION_FAMILY_SIZE],
	    fam2[UOMS_SESSION_FAMILY_SIZE];
	struct uoms_error e = { 0 };
	struct uoms_stmt *st;
	int revoked, clear = 0;

	ok(uoms_session_issue(s, "ann", NULL, NOW, 60, t1, &e) == UOMS_OK &&
	    strlen(t1) == 43, "a token of 43 characters (%s)", e.msg);
	ok(use(t1, NOW, user, fam1) == UOMS_SESSION_OK, "it is live");
	is(user, "ann", "its user");
	ok(use(t1, NOW, NULL, NULL) == UOMS_SESSION_REUSED,
	    "used twice: reused");
	ok(uoms_session_issue(s, "ann", NULL, NOW, 60, t1, &e) == UOMS_OK,
	    "a second login");
	ok(use(t1, NOW, NULL, fam1) == UOMS_SESSION_OK, "used");
	ok(uoms_session_issue(s, "ann", fam1, NOW, 60, t2, &e) == UOMS_OK,
	    "the next of the family");
	ok(use(t2, NOW, NULL, fam2) == UOMS_SESSION_OK &&
	    strcmp(fam1, fam2) == 0, "the next is live, same family");
	uoms_session_issue(s, "ann", fam1, NOW, 60, t3, &e);
	ok(use(t1, NOW, NULL, NULL) == UOMS_SESSION_REUSED,
	    "the first again: reused");
	ok(use(t3, NOW, NULL, NULL) == UOMS_SESSION_REUSED,
	    "and the newest of its family is revoked with it");
	ok(use("no-such-token", NOW, NULL, NULL) == UOMS_SESSION_UNKNOWN,
	    "an unknown token");
	uoms_session_issue(s, "ann", NULL, NOW, 60, t1, &e);
	ok(use(t1, NOW + 60, NULL, NULL) == UOMS_SESSION_EXPIRED,
	    "expired at its time");
	uoms_session_issue(s, "ann", NULL, NOW, 60, t1, &e);
	uoms_session_issue(s, "bob", NULL, NOW, 60, other, &e);
	ok(uoms_session_revoke(s, t1, "bob", &revoked, &e) == UOMS_OK &&
	    !revoked, "bob can't revoke ann's session");
	ok(use(t1, NOW, NULL, NULL) == UOMS_SESSION_OK, "it stays live");
	uoms_session_issue(s, "ann", NULL, NOW, 60, t1, &e);
	ok(uoms_session_revoke(s, t1, "ann", &revoked, &e) == UOMS_OK &&
	    revoked, "ann's logout revokes it");
	ok(use(t1, NOW, NULL, NULL) == UOMS_SESSION_REUSED,
	    "a revoked token is refused");
	ok(use(other, NOW, NULL, NULL) == UOMS_SESSION_OK,
	    "bob's session is another family");
	/* No token in the clear: the store has 64 hex digits for each. */
	st = uoms_db_prepare(s, "SELECT hash FROM refresh_tokens");
	while (st != NULL && uoms_db_step(st) == UOMS_DB_ROW) {
		const char *h = uoms_db_text(st, 0);

		if (strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64 &&
		    strcmp(h, t1) != 0 && strcmp(h, other) != 0)
			clear++;
		else
			clear = -1000;
	}
	uoms_db_free(st);
	ok(clear > 0, "only hashes are kept (%d)", clear);
	ok(uoms_session_succeeded(s, "nobody", NOW + 61, &e) == UOMS_OK &&
	    count("SELECT count(*) FROM refresh_tokens") == 0,
	    "expired tokens are forgotten");
}

static long long
throttled(const char *user, const char *addr, long long now)
{
	struct uoms_error e = { 0 };
	long long retry = -1;

	if (uoms_session_throttled(s, user, addr, now, 900, 5, 20, &retry,
	    &e) != UOMS_OK)
		printf("# throttled: %s\n", e.msg);
	return retry;
}

static void
throttle(void)
{
	struct uoms_error e = { 0 };
	char name[32];

	for (int i = 0; i < 4; i++)
		uoms_session_failed(s, "ann", "10.0.0.1", NOW + i, 900, &e);
	ok(throttled("ann", "10.0.0.1", NOW + 4) == 0, "4 failures: not yet");
	uoms_session_failed(s, "ann", "10.0.0.1", NOW + 4, 900, &e);
	ok(throttled("ann", "10.0.0.1", NOW + 5) == 895,
	    "5 failures: wait until the first leaves the window");
	ok(throttled("ann", "10.0.0.2", NOW + 5) == 895,
	    "from any address");
	ok(throttled("bob", "10.0.0.1", NOW + 5) == 0,
	    "another user from the address: not yet");
	ok(throttled("ann", "10.0.0.1", NOW + 900) == 0,
	    "the first failure left the window");
	ok(uoms_session_succeeded(s, "ann", NOW, &e) == UOMS_OK &&
	    throttled("ann", "10.0.0.1", NOW + 5) == 0,
	    "a success clears the user's failures");
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "guess%d", i);
		uoms_session_failed(s, name, "10.0.0.9", NOW + 10, 900, &e);
	}
	ok(throttled("carl", "10.0.0.9", NOW + 10) == 900,
	    "20 failures from an address: any name waits");
	ok(throttled("carl", "10.0.0.8", NOW + 10) == 0,
	    "another address does not");
	ok(uoms_session_failed(s, "x", "y", NOW + 2000, 900, &e) == UOMS_OK &&
	    count("SELECT count(*) FROM login_failures") == 2,
	    "failures past the window are forgotten");
}

int
main(void)
{
	struct uoms_config cfg = { 0 };
	char why[512], db[256];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! can't make a temporary folder\n");
		return 1;
	}
	snprintf(db, sizeof db, "%s/uoms.db", dir);
	s = uoms_store_open(db, UOMS_STORE_WRITE, &cfg, why, sizeof why);
	if (!ok(s != NULL, "a new store opens (%s)", s ? "" : why))
		return 1;
	tokens();
	throttle();
	uoms_store_close(s);
	snprintf(why, sizeof why, "rm -rf '%s'", dir);
	if (system(why) != 0)
		printf("# can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
