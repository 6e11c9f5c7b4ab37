#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "idem.h"
#include "record.h"
#include "rfc3339.h"
#include "store_priv.h"

int
uoms_ref_from_arg(char *arg, struct uoms_ref *r, char *why, size_t whylen)
{
	char *colon = strchr(arg, ':');
	char *end;

	memset(r, 0, sizeof *r);
	r->version = -1;
	if (*arg >= '0' && *arg <= '9' && strspn(arg, "0123456789") ==
	    strlen(arg)) {
		r->id = strtoll(arg, &end, 10);
		if (r->id > 0)
			return 0;
	} else if (strncmp(arg, "no:", 3) == 0 && arg[3] != '\0') {
		r->order_no = arg + 3;
		return 0;
	} else if (colon != NULL && colon > arg && colon[1] != '\0') {
		*colon = '\0';
		r->channel = arg;
		r->external_order_id = colon + 1;
		return 0;
	}
	snprintf(why, whylen, "'%s' is not an order id, no:ORDER_NO or "
	    "CHANNEL:EXTERNAL_ID", arg);
	return -1;
}

void
uoms_ref_json(const char *arg, struct uoms_buf *out)
{
	const char *colon = strchr(arg, ':');

	uoms_buf_clear(out);
	if (*arg >= '1' && *arg <= '9' && strspn(arg, "0123456789") ==
	    strlen(arg) && strlen(arg) < 19)
		uoms_buf_printf(out, "{\"id\":%s}", arg);
	else if (strncmp(arg, "no:", 3) == 0) {
		uoms_buf_str(out, "{\"order_no\":");
		uoms_buf_json_string(out, arg + 3, strlen(arg + 3));
		uoms_buf_str(out, "}");
	} else if (colon != NULL && colon > arg) {
		uoms_buf_str(out, "{\"channel\":");
		uoms_buf_json_string(out, arg, colon - arg);
		uoms_buf_str(out, ",\"external_order_id\":");
		uoms_buf_json_string(out, colon + 1, strlen(colon + 1));
		uoms_buf_str(out, "}");
	} else {
		uoms_buf_str(out, "{\"ref\":");
		uoms_buf_json_string(out, arg, strlen(arg));
		uoms_buf_str(out, "}");
	}
}

void
uoms_ref_where(const struct uoms_ref *r, char *out, size_t outlen)
{
	if (r->id > 0)
		snprintf(out, outlen, "order %lld", r->id);
	else if (r->channel != NULL && r->external_order_id != NULL)
		snprintf(out, outlen, "order %.40s:%.60s", r->channel,
		    r->external_order_id);
	else
		snprintf(out, outlen, "order no:%.40s", r->order_no);
}

static void
copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	snprintf(dst, n, "%s", sqlite3_column_type(st, col) == SQLITE_NULL ?
	    "" : (const char *)sqlite3_column_text(st, col));
}

enum uoms_code
uoms_change_target(struct uoms_store *s, const struct uoms_ref *ref,
    struct uoms_target *t, struct uoms_error *e)
{
	static const char by_id[] = "SELECT id, version, status, workflow,"
	    " order_no FROM orders WHERE id = ?1";
	static const char by_key[] = "SELECT id, version, status, workflow,"
	    " order_no FROM orders WHERE channel = ?1 AND"
	    " external_order_id = ?2";
	static const char by_no[] = "SELECT id, version, status, workflow,"
	    " order_no FROM orders WHERE order_no = ?1 LIMIT 2";
	sqlite3_stmt *st;
	int rc;

	if (ref->id > 0) {
		st = uoms_store_sql(s, by_id);
		if (st != NULL)
			sqlite3_bind_int64(st, 1, ref->id);
	} else if (ref->channel != NULL && ref->external_order_id != NULL) {
		st = uoms_store_sql(s, by_key);
		if (st != NULL) {
			sqlite3_bind_text(st, 1, ref->channel, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(st, 2, ref->external_order_id, -1,
			    SQLITE_STATIC);
		}
	} else {
		st = uoms_store_sql(s, by_no);
		if (st != NULL)
			sqlite3_bind_text(st, 1, ref->order_no, -1,
			    SQLITE_STATIC);
	}
	if (st == NULL)
		return uoms_store_fail(s, e, "finding an order");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return uoms_fail(e, UOMS_NOT_FOUND, "no such order");
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "finding an order");
	}
	t->id = sqlite3_column_int64(st, 0);
	t->version = sqlite3_column_int64(st, 1);
	copy(t->status, sizeof t->status, st, 2);
	copy(t->workflow, sizeof t->workflow, st, 3);
	copy(t->order_no, sizeof t->order_no, st, 4);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return uoms_fail(e, UOMS_INVALID, "the order number names "
		    "several orders; use the id");
	return UOMS_OK;
}

/*
 * Is there any row at all for which the per-order check could fail? Asked
 * once per write transaction: a bulk move over thousands of orders with
 * no holds and no locks then skips two lookups per order.
 */
static int
any(struct uoms_store *s, int *known, const char *sql)
{
	sqlite3_stmt *st;
	char now[UOMS_TIME_MS_SIZE];

	if (*known >= 0)
		return *known;
	if ((st = uoms_store_sql(s, sql)) == NULL)
		return 1;
	uoms_lock_now(now);	/* lock times have milliseconds */
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	*known = sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (sqlite3_get_autocommit(s->db))
		*known = -1;	/* not in a transaction: ask every time */
	return *known != 0;
}

static enum uoms_code
check_holds(struct uoms_store *s, const struct uoms_target *t,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT count(*), min(reason) FROM holds"
	    " WHERE order_id = ?1 AND state <> 'resolved'";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	enum uoms_code code = UOMS_OK;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading holds");
	sqlite3_bind_int64(st, 1, t->id);
	if (sqlite3_step(st) != SQLITE_ROW)
		code = uoms_store_fail(s, e, "reading holds");
	else if (sqlite3_column_int(st, 0) > 0)
		code = uoms_fail(e, UOMS_ON_HOLD, "on hold (%d unresolved, e.g. "
		    "%s)", sqlite3_column_int(st, 0),
		    sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return code;
}

/* Everything that can refuse the change, before anything is written. */
static enum uoms_code
admit(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_ref *ref, int force, const struct uoms_change *c,
    const struct uoms_target *t, struct uoms_error *e)
{
	enum uoms_code code;

	if (ref->version > 0 && ref->version != t->version && !force) {
		uoms_fail(e, UOMS_VERSION_CONFLICT, "stored version is %lld, "
		    "not %lld", t->version, ref->version);
		e->current_version = t->version;
		snprintf(e->detail, sizeof e->detail, "\"current_version\":"
		    "%lld", t->version);
		return UOMS_VERSION_CONFLICT;
	}
	static const char locks[] = "SELECT EXISTS (SELECT 1 FROM locks"
	    " WHERE expires_at > ?1)";
	static const char holds[] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved' AND ?1 IS NOT NULL)";

	if (any(s, &s->tx_any_locks, locks) &&
	    (code = uoms_lock_check(s, t->id, c->lock, a->name, e)) != UOMS_OK)
		return code;
	if (c->holds_block && any(s, &s->tx_any_holds, holds) &&
	    (code = check_holds(s, t, e)) != UOMS_OK)
		return code;
	return UOMS_OK;
}

static enum uoms_code
bump(struct uoms_store *s, const struct uoms_target *t,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	/* t->version was read inside this write transaction: it is current. */
	static const char sql[] = "UPDATE orders SET version = ?2,"
	    " updated_at = ?3 WHERE id = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	long long version = t->version + 1;
	char now[24];

	if (st == NULL)
		return uoms_store_fail(s, e, "updating an order");
	uoms_time_now(now);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if (!ev->bumped && sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "updating an order");
	return uoms_event_append(s, t->id, ev->type, ev->from, ev->to, version,
	    ev->details.n > 0 ? ev->details.p : NULL, now, e);
}

enum uoms_code
uoms_change_order(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_ref *ref, int force, const char *key, long long ttl,
    const struct uoms_change *c, struct uoms_buf *record, int *replayed,
    struct uoms_error *e)
{
	struct uoms_event_desc ev = { 0 };
	struct uoms_target t;
	enum uoms_code code;
	size_t mark = record->n;
	const char *problem;

	*replayed = 0;
	if (force && a->role != UOMS_ROLE_ADMIN)
		return uoms_fail(e, UOMS_FORBIDDEN, "--force needs the admin "
		    "role; '%s' is a user", a->name);
	if (ref->idempotency_key != NULL)
		key = ref->idempotency_key;
	if (key != NULL && (problem = uoms_idem_key_problem(key)) != NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", problem);
	if ((code = uoms_change_target(s, ref, &t, e)) != UOMS_OK)
		return code;
	if (key != NULL && ((code = uoms_idem_check(s, a->name, key, t.id,
	    c->request, replayed, record, e)) != UOMS_OK || *replayed))
		return code;
	if ((code = admit(s, a, ref, force, c, &t, e)) != UOMS_OK)
		return code;
	code = c->apply(s, a, &t, force, c->arg, &ev, e);
	if (code == UOMS_OK)
		code = bump(s, &t, &ev, e);
	uoms_buf_free(&ev.details);
	if (code == UOMS_OK)
		code = uoms_order_record(s, t.id, record, e);
	if (code == UOMS_OK && key != NULL)
		code = uoms_idem_store(s, a->name, key, t.id, c->request,
		    record->p + mark, record->n - mark, ttl, e);
	return code;
}
