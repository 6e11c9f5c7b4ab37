#include <crypt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "lock.h"
#include "rfc3339.h"
#include "store_priv.h"
#include "user.h"

int
uoms_role_parse(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return UOMS_ROLE_ADMIN;
	if (strcmp(s, "user") == 0)
		return UOMS_ROLE_USER;
	return -1;
}

const char *
uoms_role_name(enum uoms_role r)
{
	return r == UOMS_ROLE_ADMIN ? "admin" : "user";
}

enum uoms_code
uoms_actor_load(struct uoms_store *s, const char *name, struct uoms_actor *a,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT role, department, disabled FROM users"
	    " WHERE name = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	if (st == NULL)
		return uoms_store_fail(s, e, "reading users");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		a->registered = 1;
		a->role = uoms_role_parse((const char *)sqlite3_column_text(st,
		    0)) == UOMS_ROLE_ADMIN ? UOMS_ROLE_ADMIN : UOMS_ROLE_USER;
		if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
			snprintf(a->department, sizeof a->department, "%s",
			    sqlite3_column_text(st, 1));
		if (sqlite3_column_int(st, 2)) {
			sqlite3_reset(st);
			return uoms_fail(e, UOMS_FORBIDDEN, "user '%s' is "
			    "disabled", name);
		}
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "reading users");
	}
	sqlite3_reset(st);
	return UOMS_OK;
}

/* bcrypt with a fresh salt from the system's random source. */
static enum uoms_code
hash_password(const char *password, char *out, size_t outlen,
    struct uoms_error *e)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;
	const char *h;

	if (strlen(password) > 72)
		return uoms_fail(e, UOMS_INVALID, "password is longer than 72 "
		    "bytes (bcrypt's limit)");
	if (*password == '\0')
		return uoms_fail(e, UOMS_INVALID, "password is empty");
	if (crypt_gensalt_rn("$2b$", 12, NULL, 0, salt, sizeof salt) == NULL)
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
	static const char sql[] = "INSERT INTO events (type, actor, at,"
	    " details) VALUES (?1, ?2, ?3, json_set(coalesce(?5, '{}'),"
	    " '$.user', ?4))";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[24];

	if (st == NULL)
		return uoms_store_fail(s, e, "appending an event");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, details, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "appending an event");
	return UOMS_OK;
}

static enum uoms_code
run(struct uoms_store *s, sqlite3_stmt *st, const char *name,
    struct uoms_error *e, const char *doing)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_CONSTRAINT)
		return uoms_fail(e, UOMS_INVALID, "user '%s' exists already",
		    name);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, doing);
	if (sqlite3_changes(s->db) == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "no user '%s'", name);
	return UOMS_OK;
}

enum uoms_code
uoms_user_add(struct uoms_store *s, const char *name, enum uoms_role role,
    const char *department, const char *password, struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO users (name, role, department,"
	    " password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?5)";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char hash[128] = "", now[24], details[64];
	enum uoms_code code;

	if (st == NULL)
		return uoms_store_fail(s, e, "adding a user");
	if (*name == '\0' || strlen(name) > 100 || strchr(name, ':') != NULL)
		return uoms_fail(e, UOMS_INVALID, "user name '%.100s' is empty, "
		    "too long or holds ':'", name);
	if (password != NULL &&
	    (code = hash_password(password, hash, sizeof hash, e)) != UOMS_OK)
		return code;
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uoms_role_name(role), -1, SQLITE_STATIC);
	if (department != NULL && *department != '\0')
		sqlite3_bind_text(st, 3, department, -1, SQLITE_STATIC);
	if (*hash != '\0')
		sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
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
	static const char sql[] = "UPDATE users SET password_hash = ?2,"
	    " updated_at = ?3 WHERE name = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char hash[128], now[24];
	enum uoms_code code;

	if (st == NULL)
		return uoms_store_fail(s, e, "setting a password");
	if ((code = hash_password(password, hash, sizeof hash, e)) != UOMS_OK)
		return code;
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if ((code = run(s, st, name, e, "setting a password")) != UOMS_OK)
		return code;
	return user_event(s, "user_password", name, NULL, e);
}

enum uoms_code
uoms_user_set(struct uoms_store *s, const char *name, int role,
    const char *department, struct uoms_error *e)
{
	static const char sql[] = "UPDATE users SET role = coalesce(?2, role),"
	    " department = CASE WHEN ?3 IS NULL THEN department"
	    " ELSE nullif(?3, '') END, updated_at = ?4 WHERE name = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[24];
	enum uoms_code code;

	if (st == NULL)
		return uoms_store_fail(s, e, "changing a user");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (role >= 0)
		sqlite3_bind_text(st, 2, uoms_role_name(role), -1,
		    SQLITE_STATIC);
	if (department != NULL)
		sqlite3_bind_text(st, 3, department, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if ((code = run(s, st, name, e, "changing a user")) != UOMS_OK)
		return code;
	return user_event(s, "user_changed", name, NULL, e);
}

enum uoms_code
uoms_user_disable(struct uoms_store *s, const char *name,
    struct uoms_error *e)
{
	static const char sql[] = "UPDATE users SET disabled = 1,"
	    " updated_at = ?2 WHERE name = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[24];
	enum uoms_code code;

	if (st == NULL)
		return uoms_store_fail(s, e, "disabling a user");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
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
	static const char sql[] = "SELECT password_hash FROM users"
	    " WHERE name = ?1 AND disabled = 0 AND password_hash IS NOT NULL";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	struct crypt_data data;
	const char *stored, *h;
	int rc;

	*ok = 0;
	if (st == NULL)
		return uoms_store_fail(s, e, "reading users");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		stored = (const char *)sqlite3_column_text(st, 0);
		memset(&data, 0, sizeof data);
		h = crypt_r(password, stored, &data);
		*ok = h != NULL && strlen(h) == strlen(stored) &&
		    CRYPTO_memcmp(h, stored, strlen(stored)) == 0;
		OPENSSL_cleanse(&data, sizeof data);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "reading users");
	return UOMS_OK;
}

enum uoms_code
uoms_user_list(struct uoms_store *s, const char *name, struct uoms_buf *out,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT json_object('name', name, 'role',"
	    " role, 'department', department, 'password_set',"
	    " json(CASE WHEN password_hash IS NULL THEN 'false' ELSE 'true'"
	    " END), 'disabled', json(CASE WHEN disabled THEN 'true' ELSE"
	    " 'false' END), 'created_at', created_at, 'updated_at',"
	    " updated_at) FROM users WHERE ?1 IS NULL OR name = ?1"
	    " ORDER BY name";
	sqlite3_stmt *st = uoms_store_sql(s, sql);

	if (st == NULL)
		return uoms_store_fail(s, e, "listing users");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return uoms_store_lines(s, st, out, "listing users", e);
}

enum uoms_code
uoms_user_admins(struct uoms_store *s, long long *n, struct uoms_error *e)
{
	static const char sql[] = "SELECT count(*) FROM users"
	    " WHERE role = 'admin' AND disabled = 0";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "counting admins");
	rc = sqlite3_step(st);
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? UOMS_OK : uoms_store_fail(s, e,
	    "counting admins");
}
