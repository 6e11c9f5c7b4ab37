#include <crypt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "lock.h"
#include "rfc3339.h"
#include "user.h"

int
uoms_user_password_cost(struct uoms_error *e)
{
	const char *v = getenv("UOMS_PASSWORD_COST");
	char *end;
	long cost;

	if (v == NULL || *v == '\0')
		return 12;
	cost = strtol(v, &end, 10);
	if (*end != '\0' || cost < 4 || cost > 31) {
		uoms_fail(e, UOMS_INVALID, "UOMS_PASSWORD_COST '%s' is not a "
		    "bcrypt cost from 4 to 31", v);
		return -1;
	}
	return (int)cost;
}

/* bcrypt with a fresh salt from the system's random source. */
static enum uoms_code
hash_password(const char *password, char *out, size_t outlen,
    struct uoms_error *e)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;
	const char *h;
	int cost;

	if (strlen(password) > 72)
		return uoms_fail(e, UOMS_INVALID, "password is longer than 72 "
		    "bytes (bcrypt's limit)");
	if (*password == '\0')
		return uoms_fail(e, UOMS_INVALID, "password is empty");
	if ((cost = uoms_user_password_cost(e)) < 0)
		return UOMS_INVALID;
	if (crypt_gensalt_rn("$2b$", cost, NULL, 0, salt, sizeof salt) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "can't make a salt");
	memset(&data, 0, sizeof data);
	h = crypt_r(password, salt, &data);
	if (h == NULL || h[0] == '*' || strlen(h) >= outlen)
		return uoms_fail(e, UOMS_INTERNAL, "can't hash the password");
	snprintf(out, outlen, "%s", h);
	OPENSSL_cleanse(&data, sizeof data);
	return UOMS_OK;
}

static enum uoms_code
user_event(struct uoms_store *s, const char *type, const char *name,
    const char *details, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_EVENT);
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "appending an event");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, type);
	uoms_db_bind_text(st, 2, uoms_store_actor(s));
	/* Copied: the statement may outlive now. */
	uoms_db_bind_copy(st, 3, now);
	uoms_db_bind_text(st, 4, name);
	uoms_db_bind_text(st, 5, details);
	return uoms_db_exec(s, st, "appending an event", e);
}

static enum uoms_code
run(struct uoms_store *s, struct uoms_stmt *st, const char *name,
    struct uoms_error *e, const char *doing)
{
	enum uoms_db_step rc = uoms_db_step(st);

	if (rc == UOMS_DB_ERROR && uoms_db_refused(s))
		return uoms_fail(e, UOMS_INVALID, "user '%s' exists already",
		    name);
	if (rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, doing);
	if (uoms_db_changes(s) == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "no user '%s'", name);
	return UOMS_OK;
}

enum uoms_code
uoms_user_add(struct uoms_store *s, const char *name, enum uoms_role role,
    const char *department, const char *password, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_ADD);
	char hash[128] = "", now[24], details[64];
	enum uoms_code code;

	if (st == NULL)
		return uoms_db_fail(s, e, "adding a user");
	if (*name == '\0' || strlen(name) > 100 || strchr(name, ':') != NULL)
		return uoms_fail(e, UOMS_INVALID, "user name '%.100s' is empty, "
		    "too long or holds ':'", name);
	if (password != NULL &&
	    (code = hash_password(password, hash, sizeof hash, e)) != UOMS_OK)
		return code;
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, name);
	uoms_db_bind_text(st, 2, uoms_role_name(role));
	if (department != NULL && *department != '\0')
		uoms_db_bind_text(st, 3, department);
	if (*hash != '\0')
		uoms_db_bind_text(st, 4, hash);
	uoms_db_bind_text(st, 5, now);
	if ((code = run(s, st, name, e, "adding a user")) != UOMS_OK)
		return code;
	snprintf(details, sizeof details, "{\"role\":\"%s\"}",
	    uoms_role_name(role));
	return user_event(s, "user_added", name, details, e);
}

enum uoms_code
uoms_user_passwd(struct uoms_store *s, const char *name, const char *password,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_PASSWD);
	char hash[128], now[24];
	enum uoms_code code;

	if (st == NULL)
		return uoms_db_fail(s, e, "setting a password");
	if ((code = hash_password(password, hash, sizeof hash, e)) != UOMS_OK)
		return code;
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, name);
	uoms_db_bind_text(st, 2, hash);
	uoms_db_bind_text(st, 3, now);
	if ((code = run(s, st, name, e, "setting a password")) != UOMS_OK)
		return code;
	return user_event(s, "user_password", name, NULL, e);
}

enum uoms_code
uoms_user_set(struct uoms_store *s, const char *name, int role,
    const char *department, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_SET);
	char now[24];
	enum uoms_code code;

	if (st == NULL)
		return uoms_db_fail(s, e, "changing a user");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, name);
	if (role >= 0)
		uoms_db_bind_text(st, 2, uoms_role_name(role));
	if (department != NULL)
		uoms_db_bind_text(st, 3, department);
	uoms_db_bind_text(st, 4, now);
	if ((code = run(s, st, name, e, "changing a user")) != UOMS_OK)
		return code;
	return user_event(s, "user_changed", name, NULL, e);
}

enum uoms_code
uoms_user_disable(struct uoms_store *s, const char *name,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_DISABLE);
	char now[24];
	enum uoms_code code;

	if (st == NULL)
		return uoms_db_fail(s, e, "disabling a user");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, name);
	uoms_db_bind_text(st, 2, now);
	if ((code = run(s, st, name, e, "disabling a user")) != UOMS_OK)
		return code;
	/* Someone who has left must not keep orders locked for a TTL. */
	if ((code = uoms_lock_release_owner(s, name, NULL, e)) != UOMS_OK)
		return code;
	return user_event(s, "user_disabled", name, NULL, e);
}

enum uoms_code
uoms_user_verify(struct uoms_store *s, const char *name, const char *password,
    int *ok, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_VERIFY);
	struct crypt_data data;
	const char *stored, *h;
	enum uoms_db_step rc;

	*ok = 0;
	if (st == NULL)
		return uoms_db_fail(s, e, "reading users");
	uoms_db_bind_text(st, 1, name);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW) {
		stored = uoms_db_text(st, 0);
		memset(&data, 0, sizeof data);
		h = crypt_r(password, stored, &data);
		*ok = h != NULL && strlen(h) == strlen(stored) &&
		    CRYPTO_memcmp(h, stored, strlen(stored)) == 0;
		OPENSSL_cleanse(&data, sizeof data);
	}
	uoms_db_done(st);
	if (rc == UOMS_DB_ERROR)
		return uoms_db_fail(s, e, "reading users");
	return UOMS_OK;
}

enum uoms_code
uoms_user_list(struct uoms_store *s, const char *name, struct uoms_buf *out,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_LIST);

	if (st == NULL)
		return uoms_db_fail(s, e, "listing users");
	uoms_db_bind_text(st, 1, name);
	return uoms_db_lines(s, st, out, "listing users", e);
}
