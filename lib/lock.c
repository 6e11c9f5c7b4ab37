#include <stdio.h>
#include <string.h>

#include "db.h"
#include "lock.h"
#include "rfc3339.h"

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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_CONFLICT);
	char now[UOMS_TIME_MS_SIZE];
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "checking locks");
	uoms_lock_now(now);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, actor);
	uoms_db_bind_copy(st, 3, now);
	uoms_db_bind_text(st, 4, names[type]);
	uoms_db_bind_int(st, 5, taking);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW) {
		struct uoms_buf d = { 0 };
		const char *owner = uoms_db_text(st, 0);

		uoms_fail(e, UOMS_LOCKED, "%s lock held by '%s' until %s",
		    uoms_db_text(st, 1), owner, uoms_db_text(st, 2));
		uoms_buf_str(&d, "\"owner\":");
		uoms_buf_json_string(&d, owner, strlen(owner));
		uoms_buf_printf(&d, ",\"lock_type\":\"%s\",\"expires_at\":"
		    "\"%s\"", uoms_db_text(st, 1), uoms_db_text(st, 2));
		snprintf(e->detail, sizeof e->detail, "%s", d.p);
		uoms_buf_free(&d);
		uoms_db_done(st);
		return UOMS_LOCKED;
	}
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "checking locks");
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_EVENT);
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "appending an event");
	uoms_time_now(now);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, type);
	uoms_db_bind_text(st, 3, uoms_store_actor(s));
	uoms_db_bind_copy(st, 4, now);
	uoms_db_bind_text(st, 5, names[t]);
	uoms_db_bind_text(st, 6, expires);
	return uoms_db_exec(s, st, "appending an event", e);
}

enum uoms_code
uoms_lock_acquire(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, long long ttl,
    char *expires, struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code;
	char now[UOMS_TIME_MS_SIZE];

	if ((code = conflict(s, order_id, type, owner, 1, e)) != UOMS_OK)
		return code;
	if ((st = uoms_db_stmt(s, SQL_LOCK_ACQUIRE)) == NULL)
		return uoms_db_fail(s, e, "taking a lock");
	now_and_expiry(ttl, now, expires);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_text(st, 3, owner);
	uoms_db_bind_text(st, 4, now);
	uoms_db_bind_text(st, 5, expires);
	if (uoms_db_exec(s, st, "taking a lock", e) != UOMS_OK)
		return e->code;
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_EXPIRES);
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "renewing a lock");
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_text(st, 3, owner);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		uoms_fail(e, UOMS_NOT_FOUND, "%s lock of '%s' expired at %s",
		    names[type], owner, uoms_db_text(st, 0));
	else
		uoms_fail(e, UOMS_NOT_FOUND, "'%s' holds no %s lock", owner,
		    names[type]);
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW && rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "renewing a lock");
	return UOMS_NOT_FOUND;
}

enum uoms_code
uoms_lock_renew(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, long long ttl,
    char *expires, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_RENEW);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_db_fail(s, e, "renewing a lock");
	now_and_expiry(ttl, now, expires);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_text(st, 3, owner);
	uoms_db_bind_text(st, 4, expires);
	uoms_db_bind_text(st, 5, now);
	if (uoms_db_exec(s, st, "renewing a lock", e) != UOMS_OK)
		return e->code;
	if (uoms_db_changes(s) == 0)
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_BREAK_EVENT);
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "breaking a lock");
	uoms_time_now(now);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_text(st, 3, uoms_store_actor(s));
	uoms_db_bind_copy(st, 4, now);
	uoms_db_bind_text(st, 5, owner);
	if (uoms_db_exec(s, st, "breaking a lock", e) != UOMS_OK)
		return e->code;
	if ((st = uoms_db_stmt(s, SQL_LOCK_DELETE)) == NULL)
		return uoms_db_fail(s, e, "breaking a lock");
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_text(st, 3, owner);
	return uoms_db_exec(s, st, "breaking a lock", e);
}

/* The owner of the live lock of type on the order into owner (>= 128
 * bytes); not_found when there is none. */
static enum uoms_code
live_owner(struct uoms_store *s, long long order_id, enum uoms_lock_type type,
    char *owner, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_LIVE_OWNER);
	char now[UOMS_TIME_MS_SIZE];
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "releasing a lock");
	uoms_lock_now(now);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_copy(st, 3, now);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		snprintf(owner, 128, "%s", uoms_db_text(st, 0));
	uoms_db_done(st);
	if (rc == UOMS_DB_DONE)
		return uoms_fail(e, UOMS_NOT_FOUND, "no one holds a %s lock",
		    names[type]);
	if (rc != UOMS_DB_ROW)
		return uoms_db_fail(s, e, "releasing a lock");
	return UOMS_OK;
}

enum uoms_code
uoms_lock_release(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, int force,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	char holder[128];
	enum uoms_code code;

	if (force) {
		if ((code = live_owner(s, order_id, type, holder, e)) !=
		    UOMS_OK)
			return code;
		if (strcmp(holder, owner) != 0)
			return break_lock(s, order_id, type, holder, e);
	}
	if ((st = uoms_db_stmt(s, SQL_LOCK_DELETE)) == NULL)
		return uoms_db_fail(s, e, "releasing a lock");
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, names[type]);
	uoms_db_bind_text(st, 3, owner);
	if (uoms_db_exec(s, st, "releasing a lock", e) != UOMS_OK)
		return e->code;
	if (uoms_db_changes(s) == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "'%s' holds no %s lock",
		    owner, names[type]);
	return lock_event(s, order_id, "lock_released", type, NULL, e);
}

enum uoms_code
uoms_lock_release_owner(struct uoms_store *s, const char *owner,
    long long *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_OWNER_BREAK);
	char now[24], lnow[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_db_fail(s, e, "releasing locks");
	uoms_time_now(now);
	uoms_lock_now(lnow);
	uoms_db_bind_text(st, 1, owner);
	uoms_db_bind_text(st, 2, uoms_store_actor(s));
	uoms_db_bind_copy(st, 3, now);
	uoms_db_bind_copy(st, 4, lnow);
	if (uoms_db_exec(s, st, "releasing locks", e) != UOMS_OK)
		return e->code;
	if (n != NULL)
		*n = uoms_db_changes(s);
	if ((st = uoms_db_stmt(s, SQL_LOCK_OWNER_DELETE)) == NULL)
		return uoms_db_fail(s, e, "releasing locks");
	uoms_db_bind_text(st, 1, owner);
	return uoms_db_exec(s, st, "releasing locks", e);
}

enum uoms_code
uoms_lock_list(struct uoms_store *s, const char *owner, int all,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_LIST);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_db_fail(s, e, "listing locks");
	uoms_lock_now(now);
	uoms_db_bind_text(st, 1, now);
	uoms_db_bind_text(st, 2, owner);
	uoms_db_bind_int(st, 3, all);
	return uoms_db_lines(s, st, out, "listing locks", e);
}

enum uoms_code
uoms_lock_list_order(struct uoms_store *s, long long order_id,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_LIST_ORDER);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_db_fail(s, e, "listing locks");
	uoms_lock_now(now);
	uoms_db_bind_text(st, 1, now);
	uoms_db_bind_int(st, 2, order_id);
	return uoms_db_lines(s, st, out, "listing locks", e);
}

enum uoms_code
uoms_lock_cleanup(struct uoms_store *s, long long *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_LOCK_CLEANUP);
	char now[UOMS_TIME_MS_SIZE];

	if (st == NULL)
		return uoms_db_fail(s, e, "cleaning up locks");
	uoms_lock_now(now);
	uoms_db_bind_text(st, 1, now);
	if (uoms_db_exec(s, st, "cleaning up locks", e) != UOMS_OK)
		return e->code;
	*n = uoms_db_changes(s);
	return UOMS_OK;
}
