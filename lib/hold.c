#include <stdio.h>
#include <string.h>

#include "hold.h"
#include "line.h"
#include "rfc3339.h"
#include "store_priv.h"

static const char *const reasons[] = {
	"stock_shortage", "missing_info", "fraud_suspected",
	"address_invalid", "awaiting_payment", "other"
};

static const char *const states[] = { "open", "acknowledged", "resolved" };

static int
one_of(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

int
uoms_hold_reason_valid(const char *reason)
{
	return one_of(reason, reasons, sizeof reasons / sizeof *reasons);
}

int
uoms_hold_state_valid(const char *state)
{
	return one_of(state, states, sizeof states / sizeof *states);
}

static void
note_member(struct uoms_buf *b, const char *note)
{
	uoms_buf_str(b, "\"note\":");
	if (note == NULL)
		uoms_buf_str(b, "null");
	else
		uoms_buf_json_string(b, note, strlen(note));
}

static enum uoms_code
place(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, const struct uoms_hold_req *req,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO holds (order_id, reason, note,"
	    " placed_by, placed_at, state, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?5) RETURNING id";
	sqlite3_stmt *st;
	long long id;
	char now[24];

	if (req->reason == NULL || !uoms_hold_reason_valid(req->reason))
		return uoms_fail(e, UOMS_INVALID, "no hold reason '%s'",
		    req->reason ? req->reason : "");
	if ((st = uoms_store_sql(s, sql)) == NULL)
		return uoms_store_fail(s, e, "placing a hold");
	uoms_time_now(now);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, req->reason, -1, SQLITE_STATIC);
	if (req->note != NULL)
		sqlite3_bind_text(st, 3, req->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "placing a hold");
	}
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	s->tx_any_holds = 1;
	ev->type = "hold_placed";
	uoms_buf_printf(&ev->details, "{\"hold_id\":%lld,\"reason\":\"%s\",",
	    id, req->reason);
	note_member(&ev->details, req->note);
	uoms_buf_str(&ev->details, "}");
	return UOMS_OK;
}

/* The named hold must be on the order and in a state the step leaves. */
static enum uoms_code
check_named(struct uoms_store *s, const struct uoms_target *t,
    const struct uoms_hold_req *req, struct uoms_error *e)
{
	static const char sql[] = "SELECT state FROM holds"
	    " WHERE id = ?1 AND order_id = ?2";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	enum uoms_code code = UOMS_OK;
	const char *state;
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading holds");
	sqlite3_bind_int64(st, 1, req->hold_id);
	sqlite3_bind_int64(st, 2, t->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no hold %lld on it",
		    req->hold_id);
	else if (rc != SQLITE_ROW)
		code = uoms_store_fail(s, e, "reading holds");
	else {
		state = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(state, "resolved") == 0 ||
		    (req->verb == UOMS_HOLD_ACK &&
		    strcmp(state, "acknowledged") == 0))
			code = uoms_fail(e, UOMS_INVALID, "hold %lld is %s "
			    "already", req->hold_id, state);
	}
	sqlite3_reset(st);
	return code;
}

/*
 * A hold of fraud_suspected, or one an admin placed, is the admins' to
 * acknowledge or resolve: a plain user, or anyone not registered, must not
 * wave off a suspicion or overrule an admin. Refuses (forbidden) when the
 * step would touch such a hold and a is not an admin.
 */
static enum uoms_code
check_admin(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, const struct uoms_hold_req *req,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT h.id, h.reason, h.placed_by,"
	    " coalesce(u.role, '') FROM holds h"
	    " LEFT JOIN users u ON u.name = h.placed_by"
	    " WHERE h.order_id = ?1 AND (?2 IS NULL OR h.id = ?2)"
	    " AND (h.state = 'open' OR (?3 AND h.state = 'acknowledged'))"
	    " AND (h.reason = 'fraud_suspected' OR u.role = 'admin')"
	    " ORDER BY h.id LIMIT 1";
	static const char *const verbs[] = { "set", "acknowledge", "resolve" };
	sqlite3_stmt *st;
	enum uoms_code code = UOMS_OK;
	int rc;

	if (a->role == UOMS_ROLE_ADMIN)
		return UOMS_OK;
	if ((st = uoms_store_sql(s, sql)) == NULL)
		return uoms_store_fail(s, e, "reading holds");
	sqlite3_bind_int64(st, 1, t->id);
	if (!req->all)
		sqlite3_bind_int64(st, 2, req->hold_id);
	sqlite3_bind_int(st, 3, req->verb == UOMS_HOLD_RESOLVE);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st,
	    1), "fraud_suspected") == 0)
		code = uoms_fail(e, UOMS_FORBIDDEN, "hold %lld is "
		    "fraud_suspected: only an admin may %s it; '%s' is a user",
		    (long long)sqlite3_column_int64(st, 0), verbs[req->verb],
		    a->name);
	else if (rc == SQLITE_ROW)
		code = uoms_fail(e, UOMS_FORBIDDEN, "hold %lld was placed by "
		    "admin '%s': only an admin may %s it; '%s' is a user",
		    (long long)sqlite3_column_int64(st, 0),
		    sqlite3_column_text(st, 2), verbs[req->verb], a->name);
	else if (rc != SQLITE_DONE)
		code = uoms_store_fail(s, e, "reading holds");
	sqlite3_reset(st);
	return code;
}

static enum uoms_code
step(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, const struct uoms_hold_req *req,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	/* ack: open holds; resolve (?6): acknowledged ones too. */
	static const char sql[] = "UPDATE holds SET state = ?2, operator = ?3,"
	    " operator_note = ?4, updated_at = ?5"
	    " WHERE order_id = ?1 AND (?7 IS NULL OR id = ?7)"
	    " AND (state = 'open' OR (?6 AND state = 'acknowledged'))"
	    " RETURNING id";
	int resolve = req->verb == UOMS_HOLD_RESOLVE;
	sqlite3_stmt *st;
	enum uoms_code code;
	char now[24];
	int rc, n = 0;

	if (!req->all && (code = check_named(s, t, req, e)) != UOMS_OK)
		return code;
	if ((code = check_admin(s, a, t, req, e)) != UOMS_OK)
		return code;
	if ((st = uoms_store_sql(s, sql)) == NULL)
		return uoms_store_fail(s, e, "changing holds");
	uoms_time_now(now);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, resolve ? "resolved" : "acknowledged", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->name, -1, SQLITE_STATIC);
	if (req->note != NULL)
		sqlite3_bind_text(st, 4, req->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, resolve);
	if (!req->all)
		sqlite3_bind_int64(st, 7, req->hold_id);
	ev->type = resolve ? "hold_resolved" : "hold_acknowledged";
	uoms_buf_str(&ev->details, "{\"hold_ids\":[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		uoms_buf_printf(&ev->details, "%s%lld", n++ ? "," : "",
		    (long long)sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "changing holds");
	/* Nothing matched: nothing was written, so this still refuses. */
	if (n == 0)
		return uoms_fail(e, UOMS_INVALID, "no %s hold to %s",
		    resolve ? "unresolved" : "open",
		    resolve ? "resolve" : "acknowledge");
	uoms_buf_str(&ev->details, "],");
	note_member(&ev->details, req->note);
	uoms_buf_str(&ev->details, "}");
	return UOMS_OK;
}

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	const struct uoms_hold_req *req = arg;

	(void)force;
	if (req->note != NULL && !uoms_utf8_valid(req->note,
	    strlen(req->note)))
		return uoms_fail(e, UOMS_INVALID, "note is not valid UTF-8");
	if (req->verb == UOMS_HOLD_SET)
		return place(s, a, t, req, ev, e);
	return step(s, a, t, req, ev, e);
}

void
uoms_hold_change(struct uoms_change *c, struct uoms_hold_req *req,
    struct uoms_buf *request)
{
	static const char *const verbs[] = { "set", "ack", "resolve" };

	memset(c, 0, sizeof *c);
	c->lock = UOMS_LOCK_EDIT;
	c->holds_block = 0;
	c->apply = apply;
	c->arg = req;
	/* Whole, never cut: two notes differing late are two requests. */
	uoms_buf_clear(request);
	uoms_buf_printf(request, "hold %s reason=%s hold=%lld all=%d note=%s",
	    verbs[req->verb], req->reason ? req->reason : "", req->hold_id,
	    req->all, req->note ? req->note : "");
	c->request = request->p;
}

enum uoms_code
uoms_hold_list(struct uoms_store *s, const char *state, struct uoms_buf *out,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT json_object('id', id,"
	    " 'order_id', order_id, 'reason', reason, 'note', note,"
	    " 'state', state, 'placed_by', placed_by, 'placed_at', placed_at,"
	    " 'operator', operator, 'operator_note', operator_note,"
	    " 'updated_at', updated_at) FROM holds"
	    " WHERE ?1 IS NULL OR state = ?1 ORDER BY placed_at DESC, id DESC";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading holds");
	if (state != NULL)
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (uoms_buf_add(out, sqlite3_column_text(st, 0),
		    sqlite3_column_bytes(st, 0)) < 0 ||
		    uoms_buf_add(out, "\n", 1) < 0) {
			sqlite3_reset(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "reading holds");
	return UOMS_OK;
}
