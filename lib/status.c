#include <stdio.h>
#include <string.h>

#include "db.h"
#include "rfc3339.h"
#include "status.h"
#include "stock.h"
#include "workflow.h"

/* Which transition the request means from the order's state; force lets
 * an admin go to any state of the workflow without one. */
static enum uoms_code
choose(const struct uoms_workflow *wf, const struct uoms_target *t,
    const struct uoms_status_req *req, const struct uoms_actor *a,
    int force, const char **to, struct uoms_error *e)
{
	const struct uoms_transition *tr;

	if (req->to != NULL && uoms_workflow_state(wf, req->to) == NULL)
		return uoms_fail(e, UOMS_INVALID_TRANSITION, "workflow %s "
		    "has no state '%s'", wf->name, req->to);
	tr = uoms_workflow_find(wf, t->status, req->to, req->action);
	if (tr == NULL && force && req->to != NULL &&
	    strcmp(req->to, t->status) != 0) {
		*to = req->to;
		return UOMS_OK;
	}
	if (tr == NULL) {
		if (req->to != NULL)
			return uoms_fail(e, UOMS_INVALID_TRANSITION, "%s "
			    "allows no move from %s to %s", wf->name,
			    t->status, req->to);
		return uoms_fail(e, UOMS_INVALID_TRANSITION, "%s allows no "
		    "action '%s' from %s", wf->name, req->action, t->status);
	}
	if (tr->admin_only && a->role != UOMS_ROLE_ADMIN)
		return uoms_fail(e, UOMS_FORBIDDEN, "%s to %s is for admins; "
		    "'%s' is a user", t->status, tr->to, a->name);
	*to = tr->to;
	return UOMS_OK;
}

/* -1 keeps a timestamp, 1 sets it to now, 0 clears it. */
static void
stamps(const struct uoms_state *st, int *depart, int *complete)
{
	*depart = *complete = -1;
	for (int i = 0; i < st->nstamps; i++) {
		int *which = strcmp(st->stamps[i].column, "depart_time") == 0 ?
		    depart : complete;
		*which = st->stamps[i].set;
	}
}

enum uoms_code
uoms_status_enter(struct uoms_store *s, long long id,
    const struct uoms_workflow *wf, const char *to, long long version,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_STATUS_ENTER);
	enum uoms_code code;
	int depart, complete;
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "changing a status");
	stamps(uoms_workflow_state(wf, to), &depart, &complete);
	uoms_time_now(now);
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, to);
	uoms_db_bind_int(st, 3, depart);
	uoms_db_bind_int(st, 4, complete);
	uoms_db_bind_text(st, 5, now);
	if (version > 0)
		uoms_db_bind_int(st, 6, version);
	if ((code = uoms_db_exec(s, st, "changing a status", e)) != UOMS_OK)
		return code;
	/* Cancelled gives the order's stock back, shipped takes it. */
	return uoms_stock_enter(s, id, wf, to, e);
}

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	const struct uoms_status_req *req = arg;
	const struct uoms_workflow *wf;
	const char *to = NULL;
	enum uoms_code code;
	char why[300];

	if ((wf = uoms_workflow_get(t->workflow, why, sizeof why)) == NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", why);
	if ((code = choose(wf, t, req, a, force, &to, e)) != UOMS_OK)
		return code;
	/* The move and the version bump are one write of the row: staged
	 * for the batch's UPDATE when asked (change.h). */
	if (ev->stage != NULL) {
		int depart, complete;
		char now[24];

		stamps(uoms_workflow_state(wf, to), &depart, &complete);
		uoms_time_now(now);
		if (uoms_change_later_status(ev->stage, t->id, to, depart,
		    complete, now, t->version + 1) < 0)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		ev->staged = 1;
	} else if ((code = uoms_status_enter(s, t->id, wf, to,
	    t->version + 1, e)) != UOMS_OK)
		return code;
	ev->bumped = 1;
	ev->type = "status";
	ev->from = t->status;
	ev->to = to;
	uoms_buf_str(&ev->details, "{");
	if (req->action != NULL)
		uoms_buf_printf(&ev->details, "\"action\":\"%s\",", req->action);
	if (req->note != NULL) {
		uoms_buf_str(&ev->details, "\"note\":");
		uoms_buf_json_string(&ev->details, req->note,
		    strlen(req->note));
		uoms_buf_str(&ev->details, ",");
	}
	uoms_buf_printf(&ev->details, "\"forced\":%s}", force ? "true" :
	    "false");
	return UOMS_OK;
}

void
uoms_status_change(struct uoms_change *c, struct uoms_status_req *req,
    struct uoms_buf *request)
{
	memset(c, 0, sizeof *c);
	c->lock = UOMS_LOCK_STATUS;
	c->holds_block = 1;
	c->apply = apply;
	c->arg = req;
	c->later = 1;	/* apply only writes: one UPDATE */
	c->stage = 1;	/* that UPDATE as a row of a batch's */
	/* Whole, never cut: two notes differing late are two requests. */
	uoms_buf_clear(request);
	uoms_buf_printf(request, "status to=%s action=%s note=%s",
	    req->to ? req->to : "", req->action ? req->action : "",
	    req->note ? req->note : "");
	c->request = request->p;
}
