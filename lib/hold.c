#include <stdio.h>
#include <string.h>

#include "db.h"
#include "hold.h"
#include "line.h"
#include "rfc3339.h"

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

/*
 * Inserts an open hold on order_id, placed by actor at now: the row both
 * uoms-hold set and a hold placed during ingest write. Returns its id
 * through *id; invalid when reason is not one of SPEC's.
 */
static enum uoms_code
insert_hold(struct uoms_store *s, long long order_id, const char *reason,
    const char *note, const char *actor, const char *now, long long *id,
    struct uoms_error *e)
{
	struct uoms_stmt *st;

	if (reason == NULL || !uoms_hold_reason_valid(reason))
		return uoms_fail(e, UOMS_INVALID, "no hold reason '%s'",
		    reason ? reason : "");
	if ((st = uoms_db_stmt(s, SQL_HOLD_PLACE)) == NULL)
		return uoms_db_fail(s, e, "placing a hold");
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, reason);
	if (note != NULL)
		uoms_db_bind_text(st, 3, note);
	uoms_db_bind_text(st, 4, actor);
	uoms_db_bind_text(st, 5, now);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "placing a hold");
	}
	*id = uoms_db_int(st, 0);
	uoms_db_done(st);
	uoms_store_hold_placed(s);
	return UOMS_OK;
}

static enum uoms_code
place(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, const struct uoms_hold_req *req,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	enum uoms_code code;
	long long id;
	char now[24];

	uoms_time_now(now);
	if ((code = insert_hold(s, t->id, req->reason, req->note, a->name, now,
	    &id, e)) != UOMS_OK)
		return code;
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_HOLD_STATE);
	enum uoms_code code = UOMS_OK;
	const char *state;
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, req->hold_id);
	uoms_db_bind_int(st, 2, t->id);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no hold %lld on it",
		    req->hold_id);
	else if (rc != UOMS_DB_ROW)
		code = uoms_db_fail(s, e, "reading holds");
	else {
		state = uoms_db_text(st, 0);
		if (strcmp(state, "resolved") == 0 ||
		    (req->verb == UOMS_HOLD_ACK &&
		    strcmp(state, "acknowledged") == 0))
			code = uoms_fail(e, UOMS_INVALID, "hold %lld is %s "
			    "already", req->hold_id, state);
	}
	uoms_db_done(st);
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
	static const char *const verbs[] = { "set", "acknowledge", "resolve" };
	struct uoms_stmt *st;
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc;

	if (a->role == UOMS_ROLE_ADMIN)
		return UOMS_OK;
	if ((st = uoms_db_stmt(s, SQL_HOLD_ADMINS)) == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, t->id);
	if (!req->all)
		uoms_db_bind_int(st, 2, req->hold_id);
	uoms_db_bind_int(st, 3, req->verb == UOMS_HOLD_RESOLVE);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW && strcmp(uoms_db_text(st, 1),
	    "fraud_suspected") == 0)
		code = uoms_fail(e, UOMS_FORBIDDEN, "hold %lld is "
		    "fraud_suspected: only an admin may %s it; '%s' is a user",
		    uoms_db_int(st, 0), verbs[req->verb], a->name);
	else if (rc == UOMS_DB_ROW)
		code = uoms_fail(e, UOMS_FORBIDDEN, "hold %lld was placed by "
		    "admin '%s': only an admin may %s it; '%s' is a user",
		    uoms_db_int(st, 0), uoms_db_text(st, 2), verbs[req->verb],
		    a->name);
	else if (rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "reading holds");
	uoms_db_done(st);
	return code;
}

static enum uoms_code
step(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, const struct uoms_hold_req *req,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	int resolve = req->verb == UOMS_HOLD_RESOLVE;
	struct uoms_stmt *st;
	enum uoms_code code;
	enum uoms_db_step rc;
	char now[24];
	int n = 0;

	if (!req->all && (code = check_named(s, t, req, e)) != UOMS_OK)
		return code;
	if ((code = check_admin(s, a, t, req, e)) != UOMS_OK)
		return code;
	/* ack: open holds; resolve: acknowledged ones too. */
	if ((st = uoms_db_stmt(s, SQL_HOLD_STEP)) == NULL)
		return uoms_db_fail(s, e, "changing holds");
	uoms_time_now(now);
	uoms_db_bind_int(st, 1, t->id);
	uoms_db_bind_text(st, 2, resolve ? "resolved" : "acknowledged");
	uoms_db_bind_text(st, 3, a->name);
	if (req->note != NULL)
		uoms_db_bind_text(st, 4, req->note);
	uoms_db_bind_text(st, 5, now);
	uoms_db_bind_int(st, 6, resolve);
	if (!req->all)
		uoms_db_bind_int(st, 7, req->hold_id);
	ev->type = resolve ? "hold_resolved" : "hold_acknowledged";
	uoms_buf_str(&ev->details, "{\"hold_ids\":[");
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		uoms_buf_printf(&ev->details, "%s%lld", n++ ? "," : "",
		    uoms_db_int(st, 0));
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "changing holds");
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
	return uoms_hold_list_order(s, 0, state, out, e);
}

enum uoms_code
uoms_hold_list_order(struct uoms_store *s, long long order_id,
    const char *state, struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, order_id > 0 ?
	    SQL_HOLD_LIST_ORDER : SQL_HOLD_LIST);
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading holds");
	if (state != NULL)
		uoms_db_bind_text(st, 1, state);
	if (order_id > 0)
		uoms_db_bind_int(st, 2, order_id);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		if (uoms_buf_add(out, uoms_db_text(st, 0),
		    uoms_db_bytes(st, 0)) < 0 ||
		    uoms_buf_add(out, "\n", 1) < 0) {
			uoms_db_done(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "reading holds");
	return UOMS_OK;
}

enum uoms_code
uoms_hold_place(struct uoms_store *s, long long order_id, const char *reason,
    const char *note, const char *actor, struct uoms_error *e)
{
	struct uoms_stmt *st;
	struct uoms_buf d = { 0 };
	enum uoms_code code;
	long long id, version;
	char now[24];

	if (actor == NULL && (actor = uoms_store_actor(s)) == NULL)
		actor = "uoms";
	uoms_time_now(now);
	if ((code = insert_hold(s, order_id, reason, note, actor, now, &id,
	    e)) != UOMS_OK)
		return code;
	/* The one version of the change, as uoms-hold set bumps it. */
	if ((st = uoms_db_stmt(s, SQL_INGEST_CHOLD_EVENT_BUMP)) == NULL)
		return uoms_db_fail(s, e, "placing a hold");
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, now);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "placing a hold");
	}
	version = uoms_db_int(st, 0);
	uoms_db_done(st);
	uoms_buf_printf(&d, "{\"hold_id\":%lld,\"reason\":", id);
	uoms_buf_json_string(&d, reason, strlen(reason));
	uoms_buf_str(&d, ",");
	note_member(&d, note);
	uoms_buf_str(&d, "}");
	code = d.p == NULL ? uoms_fail(e, UOMS_INTERNAL, "out of memory") :
	    uoms_event_append_as(s, actor, order_id, "hold_placed", NULL, NULL,
	    version, d.p, now, e);
	uoms_buf_free(&d);
	return code;
}
