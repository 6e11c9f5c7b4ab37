#include <stdio.h>
#include <string.h>

#include "lock.h"
#include "rfc3339.h"
#include "store_priv.h"

static const char *const names[UOMS_LOCK_COUNT] = {
	"EDIT", "STATUS", "ASSIGN", "REMARK"
};

int
uoms_lock_parse(const char *s)
{
	for (int i = 0; i < UOMS_LOCK_COUNT; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *
uoms_lock_name(enum uoms_lock_type t)
{
	return names[t];
}

/*
 * The live lock of another owner that conflicts with type: the same type
 * or EDIT; for EDIT any type. Expired locks never match.
 */
static enum uoms_code
conflict(struct uoms_store *s, long long order_id, enum uoms_lock_type type,
    const char *actor, int taking, struct uoms_error *e)
{
	/* A change of type T meets T or EDIT; taking EDIT meets any type. */
	static const char sql[] = "SELECT owner, type, expires_at FROM locks"
	    " WHERE order_id = ?1 AND owner <> ?2 AND expires_at > ?3"
	    " AND (type = ?4 OR type = 'EDIT' OR (?5 AND ?4 = 'EDIT'))"
	    " ORDER BY type = 'EDIT' DESC LIMIT 1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[UOMS_TIME_MS_SIZE];
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "checking locks");
	uoms_lock_now(now);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, taking);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct uoms_buf d = { 0 };
		const char *owner = (const char *)sqlite3_column_text(st, 0);

		uoms_fail(e, UOMS_LOCKED, "%s lock held by '%s' until %s",
		    sqlite3_column_text(st, 1), owner,
		    sqlite3_column_text(st, 2));
		uoms_buf_str(&d, "\"owner\":");
		uoms_buf_json_string(&d, owner, strlen(owner));
		uoms_buf_printf(&d, ",\"lock_type\":\"%s\",\"expires_at\":"
		    "\"%s\"", sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2));
		snprintf(e->detail, sizeof e->detail, "%s", d.p);
		uoms_buf_free(&d);
		sqlite3_reset(st);
		return UOMS_LOCKED;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "checking locks");
	return UOMS_OK;
}

enum uoms_code
uoms_lock_check(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *actor, struct uoms_error *e)
{
	return conflict(s, order_id, type, actor, 0, e);
}

void
uoms_lock_now(char *out)
{
	uoms_time_ms(uoms_time_lock_clock(), out);
}

/*
 * Now, and when a lock taken now for ttl seconds ends: exactly ttl
 * seconds later, from one reading of the clock. Lock times are kept to
 * the millisecond, so a lock lives its TTL, neither a second less (whole
 * seconds cut short) nor a second more (whole seconds rounded up).
 */
static void
now_and_expiry(long long ttl, char *now, char *expires)
{
	long long ms = uoms_time_lock_clock();

	uoms_time_ms(ms, now);
	uoms_time_ms(ms + ttl * 1000, expires);
}

static enum uoms_code
lock_event(struct uoms_store *s, long long order_id, const char *type,
    enum uoms_lock_type t, const char *expires, struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) VALUES (?1, ?2, ?3, ?4, json_object('lock_type',"
	    " ?5, 'expires_at', ?6))";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[24];

	if (st == NULL)
		return uoms_store_fail(s, e, "appending an event");
	uoms_time_now(now);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, names[t], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, expires, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "appending an event");
	return UOMS_OK;
}

enum uoms_code
uoms_lock_acquire(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, long long ttl,
    char *expires, struct uoms_error *e)
{
	/* Replaces an expired lock of another owner, or the owner's own. */
	static const char sql[] = "INSERT INTO locks (order_id, type, owner,"
	    " acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (order_id, type) DO UPDATE SET owner = ?3,"
	    " acquired_at = CASE WHEN owner = ?3 THEN acquired_at ELSE ?4 END,"
	    " expires_at = ?5";
	sqlite3_stmt *st;
	enum uoms_code code;
	char now[UOMS_TIME_MS_SIZE];

	if ((code = conflict(s, order_id, type, owner, 1, e)) != UOMS_OK)
		return code;
	if ((st = uoms_store_sql(s, sql)) == NULL)
		return uoms_store_fail(s, e, "taking a lock");
	now_and_expiry(ttl, now, expires);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, expires, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "taking a lock");
	return lock_event(s, order_id, "lock_acquired", type, expires, e);
}

/*
 * Why owner's lock was not renewed: it expired (and is gone: another actor
 * may have changed the order since, so it is not silently taken again), or
 * owner never held it, or it was released.
 */
static enum uoms_code
not_renewed(struct uoms_store *s, long long order_id, enum uoms_lock_type type,
    const char *owner, struct uoms_error *e)
{
	static const char sql[] = "SELECT expires_at FROM locks"
	    " WHERE order_id = ?1 AND type = ?2 AND owner = ?3";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "renewing a lock");
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		uoms_fail(e, UOMS_NOT_FOUND, "%s lock of '%s' expired at %s",
		    names[type], owner, sqlite3_column_text(st, 0));
	else
		uoms_fail(e, UOMS_NOT_FOUND, "'%s' holds no %s lock", owner,
		    names[type]);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "renewing a lock");
	return UOMS_NOT_FOUND;
}

enum uoms_code
uoms_lock_renew(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, long long ttl,
    char *expires, struct uoms_error *e)
{
	static const char sql[] = "UPDATE locks SET expires_at = ?4"
	    " WHERE order_id = ?1 AND type = ?2 AND owner = ?3"
	    " AND expires_at > ?5";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_store_fail(s, e, "renewing a lock");
	now_and_expiry(ttl, now, expires);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, expires, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "renewing a lock");
	if (sqlite3_changes(s->db) == 0)
		return not_renewed(s, order_id, type, owner, e);
	return UOMS_OK;
}

/*
 * Breaks another owner's live lock (its owner in owner, >= 128 bytes):
 * deletes it and appends lock_broken, whose actor is the one breaking it
 * and whose details name the owner, so the log says who broke whose.
 */
static enum uoms_code
break_lock(struct uoms_store *s, long long order_id, enum uoms_lock_type type,
    const char *owner, struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) SELECT order_id, 'lock_broken', ?3, ?4,"
	    " json_object('lock_type', type, 'owner', owner, 'expires_at',"
	    " expires_at) FROM locks WHERE order_id = ?1 AND type = ?2"
	    " AND owner = ?5";
	static const char del[] = "DELETE FROM locks WHERE order_id = ?1"
	    " AND type = ?2 AND owner = ?3";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[24];

	if (st == NULL)
		return uoms_store_fail(s, e, "breaking a lock");
	uoms_time_now(now);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "breaking a lock");
	if ((st = uoms_store_sql(s, del)) == NULL)
		return uoms_store_fail(s, e, "breaking a lock");
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "breaking a lock");
	return UOMS_OK;
}

/* The owner of the live lock of type on the order into owner (>= 128
 * bytes); not_found when there is none. */
static enum uoms_code
live_owner(struct uoms_store *s, long long order_id, enum uoms_lock_type type,
    char *owner, struct uoms_error *e)
{
	static const char sql[] = "SELECT owner FROM locks WHERE order_id = ?1"
	    " AND type = ?2 AND expires_at > ?3";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[UOMS_TIME_MS_SIZE];
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "releasing a lock");
	uoms_lock_now(now);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(owner, 128, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return uoms_fail(e, UOMS_NOT_FOUND, "no one holds a %s lock",
		    names[type]);
	if (rc != SQLITE_ROW)
		return uoms_store_fail(s, e, "releasing a lock");
	return UOMS_OK;
}

enum uoms_code
uoms_lock_release(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, int force,
    struct uoms_error *e)
{
	static const char sql[] = "DELETE FROM locks WHERE order_id = ?1"
	    " AND type = ?2 AND owner = ?3";
	sqlite3_stmt *st;
	char holder[128];
	enum uoms_code code;

	if (force) {
		if ((code = live_owner(s, order_id, type, holder, e)) !=
		    UOMS_OK)
			return code;
		if (strcmp(holder, owner) != 0)
			return break_lock(s, order_id, type, holder, e);
	}
	if ((st = uoms_store_sql(s, sql)) == NULL)
		return uoms_store_fail(s, e, "releasing a lock");
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, names[type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "releasing a lock");
	if (sqlite3_changes(s->db) == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "'%s' holds no %s lock",
		    owner, names[type]);
	return lock_event(s, order_id, "lock_released", type, NULL, e);
}

enum uoms_code
uoms_lock_release_owner(struct uoms_store *s, const char *owner,
    long long *n, struct uoms_error *e)
{
	/* Expired locks are gone already: only live ones are logged. */
	static const char sql[] = "INSERT INTO events (order_id, type, actor,"
	    " at, details) SELECT order_id, 'lock_broken', ?2, ?3,"
	    " json_object('lock_type', type, 'owner', owner, 'expires_at',"
	    " expires_at) FROM locks WHERE owner = ?1 AND expires_at > ?4"
	    " ORDER BY order_id, type";
	static const char del[] = "DELETE FROM locks WHERE owner = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[24], lnow[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_store_fail(s, e, "releasing locks");
	uoms_time_now(now);
	uoms_lock_now(lnow);
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, lnow, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "releasing locks");
	if (n != NULL)
		*n = sqlite3_changes(s->db);
	if ((st = uoms_store_sql(s, del)) == NULL)
		return uoms_store_fail(s, e, "releasing locks");
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "releasing locks");
	return UOMS_OK;
}

enum uoms_code
uoms_lock_list(struct uoms_store *s, const char *owner, int all,
    struct uoms_buf *out, struct uoms_error *e)
{
	static const char sql[] = "SELECT json_object('order_id', order_id,"
	    " 'lock_type', type, 'owner', owner, 'acquired_at', acquired_at,"
	    " 'expires_at', expires_at) FROM locks WHERE expires_at > ?1"
	    " AND (?3 OR owner = ?2) ORDER BY order_id, type";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_store_fail(s, e, "listing locks");
	uoms_lock_now(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, all);
	return uoms_store_lines(s, st, out, "listing locks", e);
}

enum uoms_code
uoms_lock_cleanup(struct uoms_store *s, long long *n, struct uoms_error *e)
{
	static const char sql[] = "DELETE FROM locks WHERE expires_at <= ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_store_fail(s, e, "cleaning up locks");
	uoms_lock_now(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "cleaning up locks");
	*n = sqlite3_changes(s->db);
	return UOMS_OK;
}
