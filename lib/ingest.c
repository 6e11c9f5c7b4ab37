#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "digest.h"
#include "ingest.h"
#include "line.h"
#include "lock.h"
#include "record.h"
#include "rfc3339.h"
#include "rules.h"
#include "status.h"
#include "stock.h"
#include "user.h"
#include "word.h"
#include "workflow.h"

/* Absent and null are the same inside an item: the list is replaced whole. */
static int
same_in_list(const struct uoms_val *a, const struct uoms_val *stored)
{
	if (a->type == UOMS_V_ABSENT)
		return stored->type == UOMS_V_NULL;
	return uoms_val_json_equal(a, stored);
}

static enum uoms_code
items_changed(struct uoms_store *s, long long id, const struct uoms_order *o,
    int *changed, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ITEMS_FIND);
	int n = 0, rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading items");
	*changed = 0;
	uoms_db_bind_int(st, 1, id);
	while (!*changed && (rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		const struct uoms_item *it;

		if (n >= o->nitems) {
			*changed = 1;
			break;
		}
		it = &o->items[n++];
		for (int f = 0; f < UOMS_I_COUNT && !*changed; f++) {
			struct uoms_val v = uoms_db_val(st, f);
			*changed = !same_in_list(&it->f[f], &v);
		}
		struct uoms_val x = uoms_db_val(st, UOMS_I_COUNT);
		*changed = *changed || !same_in_list(&it->extra, &x);
	}
	if (!*changed && n != o->nitems)
		*changed = 1;
	uoms_db_done(st);
	return UOMS_OK;
}

static enum uoms_code
write_items(struct uoms_store *s, long long id, const struct uoms_order *o,
    int replace, struct uoms_error *e)
{
	struct uoms_stmt *st;

	if (replace) {
		if ((st = uoms_db_stmt(s, SQL_ITEMS_DELETE)) == NULL)
			return uoms_db_fail(s, e, "replacing items");
		uoms_db_bind_int(st, 1, id);
		if (uoms_db_step(st) != UOMS_DB_DONE)
			return uoms_db_fail(s, e, "replacing items");
	}
	for (int i = 0; i < o->nitems; i++) {
		const struct uoms_item *it = &o->items[i];

		if ((st = uoms_db_stmt(s, SQL_ITEM_INSERT)) == NULL)
			return uoms_db_fail(s, e, "writing items");
		uoms_db_bind_int(st, 1, id);
		uoms_db_bind_int(st, 2, i);
		for (int f = 0; f < UOMS_I_COUNT; f++)
			uoms_db_bind_val(st, 3 + f, &it->f[f]);
		uoms_db_bind_val(st, 3 + UOMS_I_COUNT, &it->extra);
		if (uoms_db_step(st) != UOMS_DB_DONE)
			return uoms_db_fail(s, e, "writing items");
	}
	return UOMS_OK;
}

/*
 * The order's workflow must exist and its status be one of its states;
 * a missing status is the workflow's initial state.
 */
static enum uoms_code
known_state(const char *workflow, struct uoms_val *status,
    struct uoms_error *e)
{
	const struct uoms_workflow *wf;
	char why[300];

	if ((wf = uoms_workflow_get(workflow, why, sizeof why)) == NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", why);
	if (status->type != UOMS_V_TEXT)
		*status = (struct uoms_val){ UOMS_V_TEXT, wf->initial,
		    strlen(wf->initial), 0 };
	else if (uoms_workflow_state(wf, status->s) == NULL)
		return uoms_fail(e, UOMS_INVALID, "status '%.64s' is not a "
		    "state of workflow %s", status->s, wf->name);
	return UOMS_OK;
}

/* The longest way a channel status is followed along a workflow. */
#define MOVE_MAX 16

/*
 * What entering the states of path, in order, leaves of each timestamp:
 * -1 kept, 1 set, 0 cleared (the last state to name a column wins).
 */
static void
path_stamps(const struct uoms_workflow *wf, const char *const *path,
    int steps, int *depart, int *complete)
{
	*depart = *complete = -1;
	for (int i = 0; i < steps; i++) {
		const struct uoms_state *st = uoms_workflow_state(wf, path[i]);

		for (int j = 0; st != NULL && j < st->nstamps; j++)
			*(strcmp(st->stamps[j].column, "depart_time") == 0 ?
			    depart : complete) = st->stamps[j].set;
	}
}

/*
 * The time a state the channel reports is stamped with: the line's own
 * member (a kind maps the channel's shipped or delivered time there),
 * for a departure else the delivery, else when the channel last changed
 * the order; never the time of the
 * fetch, which says nothing of when the parcel left. NULL when the line
 * has neither.
 */
static const struct uoms_val *
channel_time(const struct uoms_order *o, int field)
{
	if (o->f[field].type == UOMS_V_TEXT)
		return &o->f[field];
	/* Delivered at t, it had left by t: never a departure after it. */
	if (field == UOMS_O_DEPART_TIME &&
	    o->f[UOMS_O_COMPLETE_TIME].type == UOMS_V_TEXT)
		return &o->f[UOMS_O_COMPLETE_TIME];
	if (o->f[UOMS_O_CHANNEL_UPDATED_AT].type == UOMS_V_TEXT)
		return &o->f[UOMS_O_CHANNEL_UPDATED_AT];
	return NULL;
}

/*
 * A new order stored in a later state (already shipped, delivered) gets
 * the timestamps of the states on its way there, from the channel's
 * times; a line that names them keeps its own (a null names none: a
 * delivered order without a delivery time is what is being fixed).
 */
static void
arrival_stamps(struct uoms_order *o)
{
	const struct uoms_workflow *wf;
	const char *path[MOVE_MAX];
	const struct uoms_val *t;
	char why[300];
	int n, stamp[2], field[2] = { UOMS_O_DEPART_TIME,
	    UOMS_O_COMPLETE_TIME };

	if ((wf = uoms_workflow_get(o->f[UOMS_O_WORKFLOW].s, why,
	    sizeof why)) == NULL)
		return;
	n = uoms_workflow_path(wf, wf->initial, o->f[UOMS_O_STATUS].s, 0,
	    path, MOVE_MAX);
	/* Out of reach from the start: the state's own stamps only. */
	if (n < 0) {
		path[0] = o->f[UOMS_O_STATUS].s;
		n = 1;
	}
	path_stamps(wf, path, n, &stamp[0], &stamp[1]);
	for (int i = 0; i < 2; i++)
		if (stamp[i] == 1 && o->f[field[i]].type != UOMS_V_TEXT &&
		    (t = channel_time(o, field[i])) != NULL)
			o->f[field[i]] = *t;
}

/*
 * A person (a registered user, not an admin) takes an order no further
 * than uoms-status would let them: one transition the workflow gives
 * users. NULL when a is not such a person: an admin; the channel's own
 * actor channel:NAME (a user name never holds ':'); an account of the
 * machine that is no user of the store (cron's, the demo's), which the
 * store file's permissions let in (uoms(7), trust).
 */
static const char *
person(const struct uoms_actor *a)
{
	if (a == NULL || !a->registered || a->role == UOMS_ROLE_ADMIN)
		return NULL;
	return a->name;
}

static enum uoms_code
person_step(const struct uoms_workflow *wf, const char *who,
    const char *from, const char *to, struct uoms_error *e)
{
	const struct uoms_transition *tr = uoms_workflow_find(wf, from, to,
	    NULL);

	if (tr == NULL)
		return uoms_fail(e, UOMS_INVALID_TRANSITION, "%s allows no "
		    "move from %s to %s for '%s' (a user: only the channel's "
		    "actor or an admin follows a channel's status)", wf->name,
		    from, to, who);
	if (tr->admin_only)
		return uoms_fail(e, UOMS_FORBIDDEN, "%s to %s is for admins; "
		    "'%s' is a user", from, to, who);
	return UOMS_OK;
}

/* *id is the id it is given, or 0 for the store's next. */
static enum uoms_code
insert_order(struct uoms_store *s, const struct uoms_order *in,
    const char *who, const char *now, long long *id,
    struct uoms_buf *record, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, *id > 0 ? SQL_ORDER_INSERT_AS :
	    SQL_ORDER_INSERT);
	struct uoms_order resolved = *in, *o = &resolved;
	struct uoms_val *f = o->f;
	const struct uoms_workflow *wf;
	enum uoms_code rc, code;
	char why[300];

	if (st == NULL)
		return uoms_db_fail(s, e, "adding an order");
	if (f[UOMS_O_KIND].type != UOMS_V_TEXT)
		f[UOMS_O_KIND] = (struct uoms_val){ UOMS_V_TEXT, "delivery",
		    8, 0 };
	if (f[UOMS_O_WORKFLOW].type != UOMS_V_TEXT)
		f[UOMS_O_WORKFLOW] = (struct uoms_val){ UOMS_V_TEXT,
		    uoms_store_workflow(s), strlen(uoms_store_workflow(s)), 0 };
	if ((code = known_state(f[UOMS_O_WORKFLOW].s, &f[UOMS_O_STATUS], e))
	    != UOMS_OK)
		return code;
	/* A person's new order starts where uoms-status could take it. */
	if (who != NULL && (wf = uoms_workflow_get(f[UOMS_O_WORKFLOW].s, why,
	    sizeof why)) != NULL && strcmp(f[UOMS_O_STATUS].s, wf->initial) &&
	    (code = person_step(wf, who, wf->initial, f[UOMS_O_STATUS].s, e))
	    != UOMS_OK)
		return code;
	arrival_stamps(o);
	for (int i = 0; i < UOMS_O_COUNT; i++)
		uoms_db_bind_val(st, 1 + i, &f[i]);
	uoms_db_bind_val(st, 1 + UOMS_O_COUNT, &o->extra);
	uoms_db_bind_text(st, 2 + UOMS_O_COUNT, now);
	if (o->line_hash != NULL)
		uoms_db_bind_blob(st, 3 + UOMS_O_COUNT, o->line_hash,
		    UOMS_LINE_HASH);
	if (*id > 0)
		uoms_db_bind_int(st, 4 + UOMS_O_COUNT, *id);
	if (uoms_db_step(st) != (*id > 0 ? UOMS_DB_DONE : UOMS_DB_ROW)) {
		rc = uoms_db_fail(s, e, "adding an order");
		uoms_db_done(st);
		return rc;
	}
	if (*id == 0)
		*id = uoms_db_int(st, 0);
	uoms_db_done(st);
	if ((rc = write_items(s, *id, o, 0, e)) != UOMS_OK)
		return rc;
	if ((rc = uoms_event_append(s, *id, "created", NULL, f[UOMS_O_STATUS].s, 1, NULL,
	    now, e)) != UOMS_OK)
		return rc;
	/* Built from what was just written: reading it back costs a fifth
	 * of a fresh load. */
	if (record != NULL && uoms_order_json(o, *id, 1, now, now, NULL, record) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return UOMS_OK;
}

/*
 * Compares o with the stored row (still current in st) member by member,
 * naming each changed member in changed (a JSON array), and binds the
 * merged row into the update statement up. A member changed here since
 * the channel's last word w (an operator's) and now changed by the
 * channel too takes the channel's value; the value it replaces goes in
 * replaced ("name":value,...). echo[f] is set for each member the line
 * gives as the record has it.
 */
static int
merge(struct uoms_stmt *st, const struct uoms_order *o,
    const struct uoms_word *w, struct uoms_stmt *up, struct uoms_buf *changed,
    struct uoms_buf *replaced, int *echo)
{
	int n = 0;

	for (int f = 0; f <= UOMS_O_COUNT; f++) {
		struct uoms_val stored = uoms_db_val(st, 2 + f);
		const struct uoms_val *v = f == UOMS_WORD_EXTRA ? &o->extra : &o->f[f];
		int col = 1 + f;	/* extra's is after the members' */

		/* Objects are compared as JSON, other members as values. */
		if (v->type == UOMS_V_ABSENT || uoms_val_equal(v, &stored) ||
		    (uoms_word_is_json(f) && uoms_val_json_equal(v, &stored))) {
			echo[f] = v->type != UOMS_V_ABSENT;
			uoms_db_bind_val(up, col, &stored);
			continue;
		}
		uoms_db_bind_val(up, col, v);
		uoms_buf_printf(changed, "%s\"%s\"", n++ ? "," : "[",
		    uoms_word_name(f));
		if (f == UOMS_O_STATUS || !uoms_word_said(w, f) ||
		    uoms_word_same(w, f, &stored))
			continue;
		uoms_buf_printf(replaced, "%s\"%s\":", replaced->n ? "," : "",
		    uoms_word_name(f));
		uoms_word_value(replaced, &stored, uoms_word_is_json(f));
	}
	return n;
}

/*
 * A new status from the channel (one its last word did not say) is
 * followed as a transition by "channel:NAME" when the workflow allows
 * the move and no hold or lock stands in the way. Otherwise the move is
 * not made, and *drift says to put the order on hold, once for each
 * channel status: one that held the order before does not again.
 */
struct move {
	char actor[160];
	const struct uoms_workflow *wf;
	const char *to;
	int transition, drift, drifted;
	const char *path[MOVE_MAX];	/* the states entered, to last */
	int steps;
	char note[256];
};

/*
 * Is the order held, once the line's channel_holds (keys, a JSON array
 * of them, or NULL without) are applied? A request the line ends no
 * longer holds it, one it brings does: so a channel that ends a cancel
 * request and cancels in one line moves the order, and one that asks
 * to stop a box while it reports it shipped does not.
 */
static enum uoms_code
order_held(struct uoms_store *s, long long id, const char *keys, int *held,
    struct uoms_error *e)
{
	struct uoms_stmt *st;

	if ((st = uoms_db_stmt(s, SQL_INGEST_ORDER_HELD_ON_HOLD)) == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, id);
	if (keys != NULL)
		uoms_db_bind_text(st, 2, keys);
	*held = uoms_db_step(st) == UOMS_DB_ROW && uoms_db_int(st, 0);
	uoms_db_done(st);
	return UOMS_OK;
}

static enum uoms_code
channel_move(struct uoms_store *s, long long id, const char *workflow,
    const char *from, struct uoms_order *eff, struct move *m,
    const char *who, const char *keys, struct uoms_error *e)
{
	struct uoms_error lock = { 0 };
	enum uoms_code code;
	struct uoms_stmt *st;
	char why[300];
	int held = 0;

	m->to = eff->f[UOMS_O_STATUS].s;
	snprintf(m->actor, sizeof m->actor, "channel:%s",
	    eff->f[UOMS_O_CHANNEL].s);
	if ((m->wf = uoms_workflow_get(workflow, why, sizeof why)) == NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", why);
	if ((code = order_held(s, id, keys, &held, e)) != UOMS_OK)
		return code;
	/* A person's line is their uoms-status: refused, not held. */
	if (who != NULL) {
		if (held)
			return uoms_fail(e, UOMS_ON_HOLD, "the order is on "
			    "hold");
		if ((code = uoms_lock_check(s, id, UOMS_LOCK_STATUS, who, e))
		    != UOMS_OK)
			return code;
		if ((code = person_step(m->wf, who, from, m->to, e)) !=
		    UOMS_OK)
			return code;
		m->path[0] = m->to;
		m->steps = 1;
		m->transition = 1;
		return UOMS_OK;
	}
	/* A channel may report a later state than the next one (paid, then
	 * shipped): any way forward the workflow allows users is a move. */
	m->steps = uoms_workflow_path(m->wf, from, m->to, 1, m->path,
	    MOVE_MAX);
	if (m->steps > 0 && !held && uoms_lock_check(s, id, UOMS_LOCK_STATUS,
	    m->actor, &lock) == UOMS_OK) {
		m->transition = 1;
		return UOMS_OK;
	}
	/* Not followed: nor are the times that belong to the move. */
	eff->f[UOMS_O_STATUS].type = UOMS_V_ABSENT;
	eff->f[UOMS_O_DEPART_TIME].type = UOMS_V_ABSENT;
	eff->f[UOMS_O_COMPLETE_TIME].type = UOMS_V_ABSENT;
	m->drifted = 1;
	snprintf(m->note, sizeof m->note, "channel drift: the channel says "
	    "%.64s, the store has %.64s", m->to, from);
	if ((st = uoms_db_stmt(s, SQL_ORDER_DRIFT_HELD)) == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, m->to);
	m->drift = !(uoms_db_step(st) == UOMS_DB_ROW &&
	    uoms_db_int(st, 0));
	uoms_db_done(st);
	return UOMS_OK;
}

/*
 * A status the channel moved the order to is stamped with the channel's
 * time, not with when the fetch saw it: the states entered set their
 * timestamps to now (uoms_status_enter), and those the line has a
 * channel time for are set again to it.
 */
static enum uoms_code
channel_stamps(struct uoms_store *s, long long id, const struct move *m,
    const struct uoms_order *o, struct uoms_error *e)
{
	const struct uoms_val *t;
	struct uoms_stmt *st;
	int stamp[2];

	path_stamps(m->wf, m->path, m->steps, &stamp[0], &stamp[1]);
	if ((st = uoms_db_stmt(s, SQL_INGEST_CHANNEL_STAMPS)) == NULL)
		return uoms_db_fail(s, e, "changing a status");
	/* A cached statement keeps its last bindings: both set each time. */
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_null(st, 2);
	uoms_db_bind_null(st, 3);
	if (stamp[0] == 1 && (t = channel_time(o, UOMS_O_DEPART_TIME)) != NULL)
		uoms_db_bind_val(st, 2, t);
	if (stamp[1] == 1 &&
	    (t = channel_time(o, UOMS_O_COMPLETE_TIME)) != NULL)
		uoms_db_bind_val(st, 3, t);
	if (uoms_db_step(st) != UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "changing a status");
	}
	uoms_db_done(st);
	return UOMS_OK;
}

/*
 * The drift, for an operator: an open hold that names both states, and
 * the channel status noted as having held the order.
 */
static enum uoms_code
drift_hold(struct uoms_store *s, long long id, const struct move *m,
    const char *now, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_INGEST_DRIFT_HOLD);

	if (st == NULL)
		return uoms_db_fail(s, e, "placing a hold");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, m->note);
	uoms_db_bind_text(st, 3, m->actor);
	uoms_db_bind_text(st, 4, now);
	if (uoms_db_step(st) != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "placing a hold");
	(*uoms_store_any_holds(s)) = 1;
	if ((st = uoms_db_stmt(s, SQL_ORDER_DRIFT_NOTE)) == NULL)
		return uoms_db_fail(s, e, "placing a hold");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, m->to);
	uoms_db_bind_text(st, 3, now);
	if (uoms_db_step(st) != UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "placing a hold");
	}
	uoms_db_done(st);
	return UOMS_OK;
}

/*
 * The channel's open requests (channel_holds, uoms(7)) hold the order:
 * each change to a hold is one version and one event, as uoms-hold's,
 * by the channel's actor. Returns through *n how many changed.
 */
struct chold_ctx {
	struct uoms_store *s;
	long long id;
	const char *actor, *now;
	int n;
};

static enum uoms_code
chold_event(struct chold_ctx *c, const char *type, long long hold,
    const char *key, const char *note, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(c->s, SQL_INGEST_CHOLD_EVENT_BUMP);
	struct uoms_buf d = { 0 };
	enum uoms_code code;
	long long version;

	if (st == NULL)
		return uoms_db_fail(c->s, e, "changing holds");
	uoms_db_bind_int(st, 1, c->id);
	uoms_db_bind_text(st, 2, c->now);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_db_fail(c->s, e, "changing holds");
	}
	version = uoms_db_int(st, 0);
	uoms_db_done(st);
	if (strcmp(type, "hold_placed") == 0)
		uoms_buf_printf(&d, "{\"hold_id\":%lld,\"reason\":\"other\",",
		    hold);
	else
		uoms_buf_printf(&d, "{\"hold_ids\":[%lld],", hold);
	uoms_buf_str(&d, "\"note\":");
	uoms_buf_json_string(&d, note, strlen(note));
	uoms_buf_str(&d, ",\"key\":");
	uoms_buf_json_string(&d, key, strlen(key));
	uoms_buf_str(&d, "}");
	code = d.p == NULL ? uoms_fail(e, UOMS_INTERNAL, "out of memory") :
	    uoms_event_append_as(c->s, c->actor, c->id, type, NULL, NULL,
	    version, d.p, c->now, e);
	uoms_buf_free(&d);
	c->n++;
	return code;
}

/* A request the order has not seen: an open hold, and its key kept. */
static enum uoms_code
chold_place(struct chold_ctx *c, const struct uoms_chold *h,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(c->s, SQL_INGEST_CHOLD_PLACE_HOLD);
	struct uoms_buf note = { 0 };
	enum uoms_code code;
	long long id;

	if (h->note != NULL)
		uoms_buf_str(&note, h->note);
	else
		uoms_buf_printf(&note, "the channel's request %s", h->key);
	if (st == NULL || note.p == NULL) {
		uoms_buf_free(&note);
		return uoms_db_fail(c->s, e, "placing a hold");
	}
	uoms_db_bind_int(st, 1, c->id);
	uoms_db_bind_text(st, 2, note.p);
	uoms_db_bind_text(st, 3, c->actor);
	uoms_db_bind_text(st, 4, c->now);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		uoms_buf_free(&note);
		return uoms_db_fail(c->s, e, "placing a hold");
	}
	id = uoms_db_int(st, 0);
	uoms_db_done(st);
	(*uoms_store_any_holds(c->s)) = 1;
	if ((st = uoms_db_stmt(c->s, SQL_INGEST_CHOLD_PLACE_KEEP)) == NULL) {
		uoms_buf_free(&note);
		return uoms_db_fail(c->s, e, "placing a hold");
	}
	uoms_db_bind_int(st, 1, c->id);
	uoms_db_bind_text(st, 2, h->key);
	uoms_db_bind_int(st, 3, id);
	code = uoms_db_step(st) == UOMS_DB_DONE ? UOMS_OK :
	    uoms_db_fail(c->s, e, "placing a hold");
	uoms_db_done(st);
	if (code == UOMS_OK)
		code = chold_event(c, "hold_placed", id, h->key, note.p, e);
	uoms_buf_free(&note);
	return code;
}

/* Nonzero when the line names key among its requests. */
static int
chold_listed(const struct uoms_order *o, const char *key)
{
	for (int i = 0; i < o->ncholds; i++)
		if (strcmp(o->cholds[i].key, key) == 0)
			return 1;
	return 0;
}

/* The line's request keys as one JSON array, into b. */
static void
chold_keys(const struct uoms_order *o, struct uoms_buf *b)
{
	uoms_buf_str(b, "[");
	for (int i = 0; i < o->ncholds; i++) {
		if (i > 0)
			uoms_buf_str(b, ",");
		uoms_buf_json_string(b, o->cholds[i].key,
		    strlen(o->cholds[i].key));
	}
	uoms_buf_str(b, "]");
}

/* Would channel_holds() write anything for the line's keys? */
static enum uoms_code
chold_news(struct uoms_store *s, long long id, const char *keys, int *news,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	int rc;

	*news = 0;
	if (keys == NULL)
		return UOMS_OK;
	if ((st = uoms_db_stmt(s, SQL_INGEST_CHOLD_NEWS)) == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, keys);
	rc = uoms_db_step(st);
	*news = rc == UOMS_DB_ROW && uoms_db_int(st, 0);
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW)
		return uoms_db_fail(s, e, "reading holds");
	return UOMS_OK;
}

/*
 * The requests of the line against those the order has seen: a new key
 * places a hold; a key the last line had and this one has not (the
 * request ended) resolves its hold, unless someone already did; a key
 * seen before, whatever became of its hold, never places another. A
 * line without channel_holds changes nothing.
 */
static enum uoms_code
channel_holds(struct uoms_store *s, long long id, const struct uoms_order *o,
    const char *now, int *changed, struct uoms_error *e)
{
	static const char ended[] = "the channel's request ended";
	struct chold_ctx c = { s, id, NULL, now, 0 };
	struct uoms_buf actor = { 0 }, keys = { 0 };
	enum uoms_code code = UOMS_OK;
	struct uoms_stmt *st;
	int rc, present;

	*changed = 0;
	if (!o->has_cholds)
		return UOMS_OK;
	uoms_buf_printf(&actor, "channel:%.*s", (int)o->f[UOMS_O_CHANNEL].n,
	    o->f[UOMS_O_CHANNEL].s);
	if ((c.actor = actor.p) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	/* The ended ones first: their keys, then their holds, so that the
	 * statement reading them is done before any write. */
	if ((st = uoms_db_stmt(s, SQL_INGEST_CHANNEL_HOLDS_LISTED)) == NULL) {
		code = uoms_db_fail(s, e, "reading holds");
		goto out;
	}
	uoms_db_bind_int(st, 1, id);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		const char *key = uoms_db_text(st, 0);

		if (chold_listed(o, key))
			continue;
		uoms_buf_printf(&keys, "%lld %d %s", uoms_db_int(st, 1),
		    strcmp(uoms_db_text(st, 2), "resolved") != 0, key);
		uoms_buf_add(&keys, "", 1);
	}
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE) {
		code = uoms_db_fail(s, e, "reading holds");
		goto out;
	}
	for (size_t at = 0; keys.p != NULL && at < keys.n;
	    at += strlen(keys.p + at) + 1) {
		char *key = strchr(strchr(keys.p + at, ' ') + 1, ' ') + 1;
		long long hold = strtoll(keys.p + at, NULL, 10);
		int open = strchr(keys.p + at, ' ')[1] == '1';

		if ((st = uoms_db_stmt(s, SQL_INGEST_CHANNEL_HOLDS_GONE)) ==
		    NULL) {
			code = uoms_db_fail(s, e, "changing holds");
			goto out;
		}
		uoms_db_bind_int(st, 1, id);
		uoms_db_bind_text(st, 2, key);
		rc = uoms_db_step(st);
		uoms_db_done(st);
		if (rc != UOMS_DB_DONE) {
			code = uoms_db_fail(s, e, "changing holds");
			goto out;
		}
		if (!open)
			continue;
		if ((st = uoms_db_stmt(s, SQL_INGEST_CHANNEL_HOLDS_RESOLVE)) ==
		    NULL) {
			code = uoms_db_fail(s, e, "resolving a hold");
			goto out;
		}
		uoms_db_bind_int(st, 1, hold);
		uoms_db_bind_text(st, 2, c.actor);
		uoms_db_bind_text(st, 3, ended);
		uoms_db_bind_text(st, 4, now);
		rc = uoms_db_step(st);
		uoms_db_done(st);
		if (rc != UOMS_DB_DONE) {
			code = uoms_db_fail(s, e, "resolving a hold");
			goto out;
		}
		(*uoms_store_any_holds(s)) = 1;
		if ((code = chold_event(&c, "hold_resolved", hold, key, ended,
		    e)) != UOMS_OK)
			goto out;
	}
	for (int i = 0; i < o->ncholds; i++) {
		const struct uoms_chold *h = &o->cholds[i];

		if ((st = uoms_db_stmt(s, SQL_INGEST_CHANNEL_HOLDS_SEEN)) ==
		    NULL) {
			code = uoms_db_fail(s, e, "reading holds");
			goto out;
		}
		uoms_db_bind_int(st, 1, id);
		uoms_db_bind_text(st, 2, h->key);
		rc = uoms_db_step(st);
		present = rc == UOMS_DB_ROW ? uoms_db_int(st, 0) : -1;
		uoms_db_done(st);
		if (rc != UOMS_DB_ROW && rc != UOMS_DB_DONE) {
			code = uoms_db_fail(s, e, "reading holds");
			goto out;
		}
		if (present < 0)
			code = chold_place(&c, h, e);
		else if (present == 0 && (st = uoms_db_stmt(s,
		    SQL_INGEST_CHANNEL_HOLDS_BACK)) !=
		    NULL) {
			/* Back again: noted, never held again. */
			uoms_db_bind_int(st, 1, id);
			uoms_db_bind_text(st, 2, h->key);
			rc = uoms_db_step(st);
			uoms_db_done(st);
			if (rc != UOMS_DB_DONE)
				code = uoms_db_fail(s, e, "reading holds");
		} else if (present == 0)
			code = uoms_db_fail(s, e, "reading holds");
		if (code != UOMS_OK)
			goto out;
	}
out:
	*changed = c.n;
	uoms_buf_free(&actor);
	uoms_buf_free(&keys);
	return code;
}

/*
 * One event for the line: updated, a channel's status move, or a drift.
 * A move or a drift is the channel's (actor channel:NAME); "by" names
 * whoever ran the upsert when that is someone else.
 */
static enum uoms_code
line_event(struct uoms_store *s, long long id, const struct move *m,
    const char *from, long long version, const struct uoms_buf *changed,
    const struct uoms_buf *replaced, const char *now, struct uoms_error *e)
{
	const char *actor = uoms_store_actor(s);
	struct uoms_buf d = { 0 };
	enum uoms_code code;

	uoms_buf_printf(&d, "{\"changed\":%s]", changed->n ? changed->p : "[");
	if (replaced->n)
		uoms_buf_printf(&d, ",\"replaced\":{%s}", replaced->p);
	if (m->transition && m->steps > 1) {
		uoms_buf_str(&d, ",\"via\":[");
		for (int i = 0; i < m->steps - 1; i++)
			uoms_buf_printf(&d, "%s\"%s\"", i ? "," : "", m->path[i]);
		uoms_buf_str(&d, "]");
	}
	if (m->drift) {
		uoms_buf_str(&d, ",\"channel_state\":");
		uoms_buf_json_string(&d, m->to, strlen(m->to));
		uoms_buf_str(&d, ",\"local_state\":");
		uoms_buf_json_string(&d, from, strlen(from));
	}
	if ((m->drift || m->transition) && strcmp(actor, m->actor) != 0) {
		uoms_buf_str(&d, ",\"by\":");
		uoms_buf_json_string(&d, actor, strlen(actor));
	}
	uoms_buf_str(&d, "}");
	if (m->drift)
		code = uoms_event_append_as(s, m->actor, id, "channel_drift",
		    NULL, NULL, version, d.p, now, e);
	else if (m->transition)
		code = uoms_event_append_as(s, m->actor, id, "status", from,
		    m->to, version, d.p, now, e);
	else
		code = uoms_event_append(s, id, "updated", NULL, NULL, version,
		    d.p, now, e);
	uoms_buf_free(&d);
	return code;
}

/* SQL_ORDER_FIND's last column: the record kept at the order's version
 * (lib/record.h), or NULL. */
#define FIND_KEPT	(7 + UOMS_O_COUNT)

/* Is the order found by st at version the one line_hash was applied to? */
static int
same_line(struct uoms_stmt *st, const unsigned char *line_hash,
    long long version)
{
	int col = 3 + UOMS_O_COUNT;

	return uoms_db_bytes(st, col) == UOMS_LINE_HASH &&
	    memcmp(uoms_db_blob(st, col), line_hash, UOMS_LINE_HASH) == 0 &&
	    !uoms_db_is_null(st, col + 1) &&
	    uoms_db_int(st, col + 1) == version;
}

/* What a write sent unawaited (uoms_db_later) was doing, by its
 * statement: the words it says when it waits. */
static const char *
sent_doing(enum uoms_sql which)
{
	switch (which) {
	case SQL_ITEM_INSERT:
		return "writing items";
	case SQL_EVENT_INSERT:
		return "appending an event";
	case SQL_ORDER_WORD_SAVE:
		return "keeping the channel's word";
	case SQL_RENDERING_PUT:
		return "keeping a record";
	default:
		return "adding an order";
	}
}

/*
 * The answer to a line of a deleted order, in place of its record:
 * {"id":N,"channel":C,"external_order_id":X,"deleted_at":T,
 * "skipped":"deleted"} (uoms-upsert(1)).
 */
static void
deleted_answer(struct uoms_buf *out, long long id, const struct uoms_order *o,
    const char *at)
{
	const struct uoms_val *ch = &o->f[UOMS_O_CHANNEL];
	const struct uoms_val *x = &o->f[UOMS_O_EXTERNAL_ORDER_ID];

	uoms_buf_printf(out, "{\"id\":%lld,\"channel\":", id);
	uoms_buf_json_string(out, ch->s, ch->n);
	uoms_buf_str(out, ",\"external_order_id\":");
	uoms_buf_json_string(out, x->s, x->n);
	uoms_buf_str(out, ",\"deleted_at\":");
	uoms_buf_json_string(out, at, strlen(at));
	uoms_buf_str(out, ",\"skipped\":\"deleted\"}");
}

/*
 * new_id: the id a look-ahead found o new with (not looked up), or 0.
 * o is fill's order: the line's, with what the zones table fills
 * (lib/rules.h).
 */
static enum uoms_code
ingest_one(struct uoms_store *s, const struct uoms_order *o,
    struct uoms_intake_fill *fill, const struct uoms_actor *a,
    long long new_id, enum uoms_ingest_result *result, long long *id,
    struct uoms_buf *record, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ORDER_FIND), *up = NULL;
	enum uoms_sql failed;
	struct uoms_buf changed = { 0 }, replaced = { 0 }, ibuf = { 0 };
	struct uoms_buf kbuf = { 0 };
	struct uoms_val items = { .type = UOMS_V_ABSENT };
	struct uoms_order eff = *o;
	struct uoms_word w = { 0 };
	struct move m = { 0 };
	const char *who = person(a);
	char now[24], from[64] = "", workflow[64];
	long long stored_version;
	int n, echo[UOMS_WORD_COUNT] = { 0 }, changed_items = 0, rc, cnews = 0;
	int held = 0, short_held = 0, ruled = 0, printed = 0;
	size_t record_at = record != NULL ? record->n : 0;
	const char *keys = NULL;
	enum uoms_code code = UOMS_OK;

	if (st == NULL)
		return uoms_db_fail(s, e, "finding an order");
	uoms_time_now(now);
	if (o->has_items) {
		uoms_word_items(o, &ibuf);
		if (ibuf.p == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		items = (struct uoms_val){ UOMS_V_TEXT, ibuf.p, ibuf.n, 0 };
	}
	if (o->has_cholds) {
		chold_keys(o, &kbuf);
		if ((keys = kbuf.p) == NULL) {
			uoms_buf_free(&ibuf);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
	}
	*id = new_id;
	rc = UOMS_DB_DONE;
	if (new_id == 0) {
		uoms_db_bind_val(st, 1, &o->f[UOMS_O_CHANNEL]);
		uoms_db_bind_val(st, 2, &o->f[UOMS_O_EXTERNAL_ORDER_ID]);
		rc = uoms_db_step(st);
	}
	/* On a server, a new order's row is its id to be: its INSERT then
	 * waits for nothing, sent with the rest (a round trip less). */
	if (new_id == 0 && rc == UOMS_DB_ROW && uoms_db_is_null(st, 0)) {
		*id = uoms_db_int(st, 5 + UOMS_O_COUNT);
		rc = UOMS_DB_DONE;
	}
	if (rc == UOMS_DB_DONE) {
		uoms_db_done(st);
		*result = UOMS_CREATED;
		/*
		 * Its items, event and channel's word are sent without
		 * waiting for each (on PostgreSQL): the flush tells their
		 * failure, still this line's.
		 */
		uoms_db_later(s);
		uoms_intake_department(fill);
		/* Its requests' holds are read back with it. */
		if ((code = insert_order(s, o, who, now, id, o->ncholds > 0 ?
		    NULL : record, e)) == UOMS_OK && o->ncholds == 0 &&
		    record != NULL)
			/* The record as printed, at version 1: a hold placed
			 * below bumps it, and the record is read again. */
			code = uoms_record_keep(s, *id, 1, record->p + record_at,
			    record->n - record_at, e);
		if (code == UOMS_OK)
			code = uoms_word_save(s, *id, &w, o, &items, echo, e);
		if (code == UOMS_OK)
			code = channel_holds(s, *id, o, now, &held, e);
		if (code == UOMS_OK)
			code = uoms_stock_reserve(s, *id, &short_held, e);
		/* Rules hold an order once, when it is first stored. */
		if (code == UOMS_OK)
			code = uoms_intake_check(s, *id, o, &ruled, e);
		/* A write sent unawaited fails here, even when a read sent
		 * after it came upon its failure first (the channel's holds):
		 * it is the first, told in its own words (as uoms-status). */
		if (uoms_db_flush(s, &failed) < 0)
			code = uoms_db_fail(s, e, sent_doing(failed));
		/* Held (requests, stock, rules): the record is read back,
		 * its holds with it. */
		if (code == UOMS_OK && (o->ncholds > 0 || short_held || ruled > 0)
		    && record != NULL) {
			if ((record->n = record_at) < record->cap)
				record->p[record_at] = '\0';
			code = uoms_order_record_kept(s, *id, record, e);
		}
		uoms_buf_free(&ibuf);
		uoms_buf_free(&kbuf);
		return code;
	}
	if (rc != UOMS_DB_ROW) {
		uoms_db_done(st);
		uoms_buf_free(&ibuf);
		uoms_buf_free(&kbuf);
		return uoms_db_fail(s, e, "finding an order");
	}
	*id = uoms_db_int(st, 0);
	stored_version = uoms_db_int(st, 1);
	/* An admin deleted it (lib/delete.h): the channel's line is
	 * answered, not stored, and does not bring it back. */
	if (!uoms_db_is_null(st, 6 + UOMS_O_COUNT)) {
		*result = UOMS_UNCHANGED;
		if (record != NULL)
			deleted_answer(record, *id, o,
			    uoms_db_text(st, 6 + UOMS_O_COUNT));
		uoms_db_done(st);
		uoms_buf_free(&ibuf);
		uoms_buf_free(&kbuf);
		return UOMS_OK;
	}
	/* The record kept at this version (lib/record.h), taken while the
	 * row is here: printed if the line changes nothing, else dropped. */
	if (record != NULL && !uoms_db_is_null(st, FIND_KEPT)) {
		if (uoms_buf_add(record, uoms_db_text(st, FIND_KEPT),
		    uoms_db_bytes(st, FIND_KEPT)) < 0) {
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
			goto out;
		}
		printed = 1;
	}
	/* The line last applied, to the order unchanged since (asked here
	 * on a server: uoms_ingest_same_line). */
	if (o->line_hash != NULL && same_line(st, o->line_hash,
	    stored_version)) {
		*result = UOMS_UNCHANGED;
		goto out;
	}
	snprintf(from, sizeof from, "%s",
	    uoms_db_text(st, 2 + UOMS_O_STATUS));
	snprintf(workflow, sizeof workflow, "%s",
	    uoms_db_text(st, 2 + UOMS_O_WORKFLOW));
	*result = UOMS_UNCHANGED;
	if ((code = uoms_word_load(s, *id, &w, e)) != UOMS_OK)
		goto out;
	/* Older than the channel's last word: yesterday's news. */
	if (uoms_word_stale(&w, o))
		goto out;
	if ((up = uoms_db_stmt(s, SQL_ORDER_UPDATE)) == NULL) {
		code = uoms_db_fail(s, e, "updating an order");
		goto out;
	}
	if (o->f[UOMS_O_STATUS].type == UOMS_V_TEXT ||
	    o->f[UOMS_O_WORKFLOW].type == UOMS_V_TEXT) {
		struct uoms_val status = o->f[UOMS_O_STATUS];

		if (status.type != UOMS_V_TEXT)
			status = (struct uoms_val){ UOMS_V_TEXT, from,
			    strlen(from), 0 };
		if ((code = known_state(o->f[UOMS_O_WORKFLOW].type ==
		    UOMS_V_TEXT ? o->f[UOMS_O_WORKFLOW].s : workflow, &status,
		    e)) != UOMS_OK)
			goto out;
	}
	uoms_word_since(o, &items, &w, &eff);
	/* A new status in the same workflow is a move, not a field. */
	if (eff.f[UOMS_O_STATUS].type == UOMS_V_TEXT &&
	    strcmp(eff.f[UOMS_O_STATUS].s, from) != 0 &&
	    (eff.f[UOMS_O_WORKFLOW].type != UOMS_V_TEXT ||
	    strcmp(eff.f[UOMS_O_WORKFLOW].s, workflow) == 0) &&
	    (code = channel_move(s, *id, workflow, from, &eff, &m, who, keys,
	    e)) != UOMS_OK)
		goto out;
	if ((code = chold_news(s, *id, keys, &cnews, e)) != UOMS_OK)
		goto out;
	n = merge(st, &eff, &w, up, &changed, &replaced, echo);
	uoms_db_done(st);
	if (eff.has_items) {
		if ((code = items_changed(s, *id, o, &changed_items, e)) !=
		    UOMS_OK)
			goto out;
		if (changed_items)
			uoms_buf_str(&changed, n++ ? ",\"items\"" :
			    "[\"items\"");
		echo[UOMS_WORD_ITEMS] = !changed_items;
	}
	*result = m.drift ? UOMS_DRIFTED : n == 0 && !cnews ? UOMS_UNCHANGED :
	    UOMS_UPDATED;
	/* Nothing to change here; the channel's word is kept all the same
	 * (a write no one sees: no version, no event). */
	if (n == 0 && !m.drift && !cnews) {
		if (uoms_word_news(o, &items, &w, echo))
			code = uoms_word_save(s, *id, &w, o, &items, echo, e);
		goto out;
	}
	if (o->version > 0 && o->version != stored_version) {
		code = uoms_fail(e, UOMS_VERSION_CONFLICT, "stored version is "
		    "%lld, not %lld", stored_version, o->version);
		e->current_version = stored_version;
		snprintf(e->detail, sizeof e->detail, "\"current_version\":%lld",
		    stored_version);
		goto out;
	}
	/* EDIT blocks every change, a line's too (SPEC 5). */
	if ((code = uoms_lock_check(s, *id, UOMS_LOCK_EDIT,
	    uoms_store_actor(s), e)) !=
	    UOMS_OK)
		goto out;
	/* The requests' holds first: each is a version of its own, and the
	 * line's own version, after them, is the one its hash is kept at. */
	if (cnews && (code = channel_holds(s, *id, o, now, &held, e)) !=
	    UOMS_OK)
		goto out;
	if (n == 0 && !m.drift) {
		uoms_word_news(o, &items, &w, echo);
		code = uoms_word_save(s, *id, &w, o, &items, echo, e);
		goto out;
	}
	uoms_db_bind_text(up, 2 + UOMS_O_COUNT, now);
	uoms_db_bind_int(up, 3 + UOMS_O_COUNT, *id);
	/* A line not wholly applied is not remembered as such. */
	if (o->line_hash != NULL && !m.drifted)
		uoms_db_bind_blob(up, 4 + UOMS_O_COUNT, o->line_hash,
		    UOMS_LINE_HASH);
	if (uoms_db_step(up) != UOMS_DB_ROW) {
		code = uoms_db_fail(s, e, "updating an order");
		goto out;
	}
	stored_version = uoms_db_int(up, 0);
	uoms_db_done(up);
	if (changed_items && (code = write_items(s, *id, o, 1, e)) != UOMS_OK)
		goto out;
	if (changed_items && (code = uoms_stock_items(s, *id, e)) != UOMS_OK)
		goto out;
	/* Each state on the way sets or clears its timestamps, in order. */
	for (int i = 0; m.transition && i < m.steps; i++)
		if ((code = uoms_status_enter(s, *id, m.wf, m.path[i], 0, e)) !=
		    UOMS_OK)
			goto out;
	if (m.transition && (code = channel_stamps(s, *id, &m, o, e)) !=
	    UOMS_OK)
		goto out;
	if (m.drift && (code = drift_hold(s, *id, &m, now, e)) != UOMS_OK)
		goto out;
	if ((code = line_event(s, *id, &m, from, stored_version, &changed,
	    &replaced, now, e)) != UOMS_OK)
		goto out;
	uoms_word_news(o, &items, &w, echo);
	code = uoms_word_save(s, *id, &w, o, &items, echo, e);
out:
	uoms_db_done(st);
	if (up != NULL)
		uoms_db_done(up);
	uoms_buf_free(&changed);
	uoms_buf_free(&replaced);
	uoms_buf_free(&ibuf);
	uoms_buf_free(&kbuf);
	/* Unchanged: no write here changed the record kept. */
	if (record != NULL && (code != UOMS_OK || !printed ||
	    *result != UOMS_UNCHANGED)) {
		if ((record->n = record_at) < record->cap)
			record->p[record_at] = '\0';
		if (code == UOMS_OK)
			code = uoms_order_record_kept(s, *id, record, e);
	}
	return code;
}

static enum uoms_code
ingest(struct uoms_store *s, const struct uoms_order *line,
    const struct uoms_actor *a, long long new_id,
    enum uoms_ingest_result *result, long long *id, struct uoms_buf *record,
    struct uoms_error *e)
{
	struct uoms_intake_fill fill = { 0 };
	enum uoms_code code;

	code = ingest_one(s, uoms_intake_zone(line, &fill), &fill, a, new_id,
	    result, id, record, e);
	uoms_intake_fill_free(&fill);
	return code;
}

enum uoms_code
uoms_ingest_order(struct uoms_store *s, const struct uoms_order *o,
    const struct uoms_actor *a, enum uoms_ingest_result *result,
    long long *id, struct uoms_buf *record, struct uoms_error *e)
{
	return ingest(s, o, a, 0, result, id, record, e);
}

void
uoms_ingest_ahead_clear(struct uoms_ingest_ahead *ah)
{
	ah->tx = 0;
	ah->n = ah->good = 0;
	uoms_buf_clear(&ah->keys);
}

/* The key of o as the store has it, when a look-ahead can ask for it:
 * text without a NUL (which the server's JSON can't carry). */
static int
ahead_key(const struct uoms_val *v)
{
	return v->type == UOMS_V_TEXT && v->s != NULL &&
	    memchr(v->s, '\0', v->n) == NULL &&
	    uoms_utf8_valid(v->s, v->n);
}

int
uoms_ingest_ahead_add(struct uoms_ingest_ahead *ah, const struct uoms_order *o)
{
	const struct uoms_val *c, *x;

	if (ah->n == ah->cap) {
		int cap = ah->cap ? 2 * ah->cap : 256;
		size_t *k = realloc(ah->key, cap * sizeof *k);
		long long *id = k != NULL ? realloc(ah->id, cap * sizeof *id) :
		    NULL;

		if (k != NULL)
			ah->key = k;
		if (id == NULL)
			return -1;
		ah->id = id;
		ah->cap = cap;
	}
	ah->id[ah->n] = 0;
	ah->key[ah->n] = (size_t)-1;
	if (o != NULL && ahead_key(c = &o->f[UOMS_O_CHANNEL]) &&
	    ahead_key(x = &o->f[UOMS_O_EXTERNAL_ORDER_ID])) {
		ah->key[ah->n] = ah->keys.n;
		uoms_buf_add(&ah->keys, c->s, c->n);
		uoms_buf_add(&ah->keys, "", 1);
		uoms_buf_add(&ah->keys, x->s, x->n);
		if (uoms_buf_add(&ah->keys, "", 1) < 0)
			return -1;
	}
	ah->n++;
	return 0;
}

enum uoms_code
uoms_ingest_ahead_ask(struct uoms_store *s, struct uoms_ingest_ahead *ah,
    struct uoms_error *e)
{
	struct uoms_buf json = { 0 };
	struct uoms_stmt *st;
	enum uoms_code code = UOMS_OK;
	int rc, any = 0;

	ah->tx = 0;
	ah->good = 0;
	if (!uoms_db_remote(s) || ah->keys.n == 0)
		return UOMS_OK;
	uoms_buf_str(&json, "[");
	for (int i = 0; i < ah->n; i++) {
		const char *c, *x;

		if (ah->key[i] == (size_t)-1)
			continue;
		c = ah->keys.p + ah->key[i];
		x = c + strlen(c) + 1;
		uoms_buf_printf(&json, "%s[%d,", any++ ? "," : "", i);
		uoms_buf_json_string(&json, c, strlen(c));
		uoms_buf_str(&json, ",");
		uoms_buf_json_string(&json, x, strlen(x));
		uoms_buf_str(&json, "]");
	}
	uoms_buf_str(&json, "]");
	if (json.p == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if ((st = uoms_db_stmt(s, SQL_ORDER_AHEAD)) == NULL) {
		uoms_buf_free(&json);
		return uoms_db_fail(s, e, "finding orders");
	}
	uoms_db_bind_textn(st, 1, json.p, json.n);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		long long i = uoms_db_int(st, 0);

		if (i >= 0 && i < ah->n && !uoms_db_is_null(st, 1))
			ah->id[i] = uoms_db_int(st, 1);
	}
	uoms_db_done(st);
	uoms_buf_free(&json);
	if (rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "finding orders");
	else {
		ah->tx = uoms_db_tx(s);
		ah->good = ah->n;
	}
	return code;
}

/* Is o the order line at was asked about? */
static int
ahead_same(const struct uoms_ingest_ahead *ah, int at,
    const struct uoms_order *o)
{
	const struct uoms_val *c = &o->f[UOMS_O_CHANNEL],
	    *x = &o->f[UOMS_O_EXTERNAL_ORDER_ID];
	const char *k;

	if (ah->key[at] == (size_t)-1 || c->type != UOMS_V_TEXT ||
	    x->type != UOMS_V_TEXT || c->s == NULL || x->s == NULL)
		return 0;
	k = ah->keys.p + ah->key[at];
	if (strlen(k) != c->n || memcmp(k, c->s, c->n) != 0)
		return 0;
	k += c->n + 1;
	return strlen(k) == x->n && memcmp(k, x->s, x->n) == 0;
}

enum uoms_code
uoms_ingest_order_ahead(struct uoms_store *s, struct uoms_ingest_ahead *ah,
    int at, const struct uoms_order *o, const struct uoms_actor *a,
    enum uoms_ingest_result *result, long long *id, struct uoms_buf *record,
    struct uoms_error *e)
{
	long long new_id = 0;

	/*
	 * What was asked holds in the transaction it was asked in, for the
	 * lines as they were asked: the first of a key is new until it is
	 * stored (the others look it up). A line not as it was asked may
	 * store any order: the lines after it look theirs up.
	 */
	if (at >= 0 && at < ah->good && ah->tx != 0 &&
	    ah->tx == uoms_db_tx(s)) {
		if (ahead_same(ah, at, o))
			new_id = ah->id[at];
		else
			ah->good = at;
	}
	return ingest(s, o, a, new_id, result, id, record, e);
}

void
uoms_ingest_ahead_free(struct uoms_ingest_ahead *ah)
{
	uoms_buf_free(&ah->keys);
	free(ah->key);
	free(ah->id);
	free(ah->hash);
	free(ah->same_id);
	free(ah->same_at);
	uoms_buf_free(&ah->records);
	*ah = (struct uoms_ingest_ahead){ 0 };
}

/* Room for n lines' digests and answers; -1 when out of memory. */
static int
same_room(struct uoms_ingest_ahead *ah, int n)
{
	void *h, *id, *at;

	if (n <= ah->same_cap)
		return 0;
	h = realloc(ah->hash, n * sizeof *ah->hash);
	if (h != NULL)
		ah->hash = h;
	id = realloc(ah->same_id, n * sizeof *ah->same_id);
	if (id != NULL)
		ah->same_id = id;
	at = realloc(ah->same_at, n * sizeof *ah->same_at);
	if (at != NULL)
		ah->same_at = at;
	if (h == NULL || id == NULL || at == NULL)
		return -1;
	ah->same_cap = n;
	return 0;
}

enum uoms_code
uoms_ingest_ahead_same(struct uoms_store *s, struct uoms_ingest_ahead *ah,
    char *const *lines, const size_t *lens, int n, struct uoms_error *e)
{
	struct uoms_stmt *st;
	int rc;

	ah->same_tx = 0;
	ah->same_n = 0;
	uoms_buf_clear(&ah->records);
	if (!uoms_db_remote(s) || n == 0)
		return UOMS_OK;
	if (same_room(ah, n) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++) {
		uoms_ingest_hash(lines[i], lens[i], ah->hash[i]);
		ah->same_id[i] = 0;
	}
	ah->same_n = n;
	if ((st = uoms_db_stmt(s, SQL_ORDER_SAME_LINES)) == NULL)
		return uoms_db_fail(s, e, "looking up lines");
	uoms_db_bind_blob(st, 1, ah->hash, (size_t)n * UOMS_LINE_HASH);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		long long i = uoms_db_int(st, 0);

		if (i < 0 || i >= n)
			continue;
		ah->same_id[i] = uoms_db_int(st, 1);
		ah->same_at[i] = ah->records.n;
		if (uoms_buf_add(&ah->records, uoms_db_text(st, 2),
		    uoms_db_bytes(st, 2)) < 0 ||
		    uoms_buf_add(&ah->records, "", 1) < 0) {
			rc = -1;
			break;
		}
	}
	uoms_db_done(st);
	if (rc == -1)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if (rc != UOMS_DB_DONE) {
		ah->same_n = 0;
		return uoms_db_fail(s, e, "looking up lines");
	}
	ah->same_tx = uoms_db_tx(s);
	return UOMS_OK;
}

int
uoms_ingest_ahead_unchanged(struct uoms_store *s,
    struct uoms_ingest_ahead *ah, int at, const unsigned char *hash,
    long long *id, struct uoms_buf *record)
{
	const char *r;

	/* As asked, in the transaction asked in (a redone one asks again). */
	if (at < 0 || at >= ah->same_n || ah->same_id[at] == 0 ||
	    ah->same_tx == 0 || ah->same_tx != uoms_db_tx(s) ||
	    memcmp(ah->hash[at], hash, UOMS_LINE_HASH) != 0)
		return 0;
	*id = ah->same_id[at];
	r = ah->records.p + ah->same_at[at];
	return uoms_buf_add(record, r, strlen(r)) < 0 ? -1 : 1;
}

void
uoms_ingest_ahead_wrote(struct uoms_ingest_ahead *ah, int at, long long id)
{
	for (int i = at < 0 ? 0 : at + 1; i < ah->same_n; i++)
		if (ah->same_id[i] == id)
			ah->same_id[i] = 0;
}

enum uoms_code
uoms_ingest_raw(struct uoms_store *s, long long id, const char *line,
    size_t len, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_RAW_INSERT);
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "keeping the raw line");
	uoms_time_now(now);
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, now);
	uoms_db_bind_textn(st, 3, line, len);
	if (uoms_db_step(st) != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "keeping the raw line");
	return UOMS_OK;
}

void
uoms_ingest_hash(const char *line, size_t len,
    unsigned char hash[UOMS_LINE_HASH])
{
	unsigned char md[UOMS_SHA256_LEN];

	uoms_sha256(line, len, md);
	memcpy(hash, md, UOMS_LINE_HASH);
}

enum uoms_code
uoms_ingest_same_line(struct uoms_store *s,
    const unsigned char hash[UOMS_LINE_HASH], int *same, long long *id,
    struct uoms_buf *record, struct uoms_error *e)
{
	struct uoms_stmt *st;
	int rc, printed = 0;

	*same = 0;
	if (uoms_db_remote(s))
		return UOMS_OK;
	if ((st = uoms_db_stmt(s, SQL_ORDER_SAME_LINE)) == NULL)
		return uoms_db_fail(s, e, "looking up a line");
	uoms_db_bind_blob(st, 1, hash, UOMS_LINE_HASH);
	rc = uoms_db_step(st);
	*same = rc == UOMS_DB_ROW;
	if (*same)
		*id = uoms_db_int(st, 0);
	/* As it was printed, when kept at the order's version. */
	if (*same && record != NULL && !uoms_db_is_null(st, 1))
		printed = uoms_buf_add(record, uoms_db_text(st, 1),
		    uoms_db_bytes(st, 1)) < 0 ? -1 : 1;
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW && rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "looking up a line");
	if (printed < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return *same && record != NULL && !printed ?
	    uoms_order_record_kept(s, *id, record, e) : UOMS_OK;
}
