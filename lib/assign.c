#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "db.h"
#include "line.h"
#include "workflow.h"

/* Characters (code points) in valid UTF-8 text. */
static size_t
characters(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * The driver's name and phone. The phone goes through the order parser,
 * so it is held to the very rule (and message) uoms-upsert applies to
 * driver.phone.
 */
static enum uoms_code
check(struct uoms_assign_req *req, struct uoms_error *e)
{
	const char *n = req->name, *c;
	struct uoms_parser *p;
	struct uoms_order o;
	struct uoms_buf line = { 0 };
	enum uoms_code code;

	if (!uoms_utf8_valid(n, strlen(n)))
		return uoms_fail(e, UOMS_INVALID, "driver name is not UTF-8");
	if (n[strspn(n, " \t")] == '\0')
		return uoms_fail(e, UOMS_INVALID, "driver name is empty");
	if (characters(n) > UOMS_DRIVER_NAME_MAX)
		return uoms_fail(e, UOMS_INVALID, "driver name '%.40s...' is "
		    "longer than %d characters", n, UOMS_DRIVER_NAME_MAX);
	for (c = n; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return uoms_fail(e, UOMS_INVALID, "driver name '%.40s' "
			    "holds a control character", n);
	if (req->phone == NULL)
		return UOMS_OK;
	if (!uoms_utf8_valid(req->phone, strlen(req->phone)))
		return uoms_fail(e, UOMS_INVALID, "driver.phone is not UTF-8");
	if ((p = uoms_parser_new()) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "can't set up the JSON "
		    "parser");
	uoms_buf_str(&line, "{\"channel\":\"-\",\"external_order_id\":\"-\","
	    "\"driver\":");
	uoms_buf_add(&line, req->driver.p, req->driver.n);
	uoms_buf_str(&line, "}");
	code = line.p == NULL ? uoms_fail(e, UOMS_INTERNAL, "out of memory") :
	    uoms_order_parse(p, line.p, line.n, &o, e);
	uoms_buf_free(&line);
	uoms_parser_free(p);
	return code;
}

/* The order's driver now: its JSON text (NULL for none), name, phone. */
struct stored {
	struct uoms_buf json;
	int has, same;
};

static enum uoms_code
stored_driver(struct uoms_store *s, const struct uoms_target *t,
    const struct uoms_assign_req *req, struct stored *d, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ASSIGN_DRIVER);
	const char *name, *phone;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading the driver");
	uoms_db_bind_int(st, 1, t->id);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "reading the driver");
	}
	d->has = !uoms_db_is_null(st, 0);
	if (d->has)
		uoms_buf_str(&d->json, uoms_db_text(st, 0));
	name = uoms_db_text(st, 1);
	phone = uoms_db_text(st, 2);
	d->same = req->name != NULL && name != NULL &&
	    strcmp(name, req->name) == 0 && (phone == NULL ?
	    req->phone == NULL : req->phone != NULL &&
	    strcmp(phone, req->phone) == 0);
	uoms_db_done(st);
	return UOMS_OK;
}

/* Users assign where the workflow says; admins anywhere. */
static enum uoms_code
allowed(const struct uoms_actor *a, const struct uoms_target *t,
    const struct uoms_assign_req *req, struct uoms_error *e)
{
	const struct uoms_workflow *wf;
	const struct uoms_state *st;
	char why[300];

	if (a->role == UOMS_ROLE_ADMIN)
		return UOMS_OK;
	if ((wf = uoms_workflow_get(t->workflow, why, sizeof why)) == NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", why);
	st = uoms_workflow_state(wf, t->status);
	if (st == NULL || !st->assignable)
		return uoms_fail(e, UOMS_INVALID_TRANSITION, "driver can't be "
		    "%s in state %s", req->name != NULL ? "assigned" :
		    "unassigned", t->status);
	return UOMS_OK;
}

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	struct uoms_assign_req *req = arg;
	struct stored d = { 0 };
	enum uoms_code code;
	struct uoms_stmt *st;

	(void)force;
	if (req->bad.code != UOMS_OK) {
		*e = req->bad;
		return e->code;
	}
	if ((code = allowed(a, t, req, e)) != UOMS_OK)
		return code;
	if ((code = stored_driver(s, t, req, &d, e)) != UOMS_OK)
		goto out;
	if (req->name != NULL && d.same)
		code = uoms_fail(e, UOMS_INVALID, "already assigned to '%s'",
		    req->name);
	else if (req->name == NULL && !d.has)
		code = uoms_fail(e, UOMS_INVALID, "no driver to unassign");
	if (code != UOMS_OK)
		goto out;
	if ((st = uoms_db_stmt(s, SQL_ASSIGN_SET)) == NULL) {
		code = uoms_db_fail(s, e, "assigning a driver");
		goto out;
	}
	uoms_db_bind_int(st, 1, t->id);
	if (req->name != NULL)
		uoms_db_bind_textn(st, 2, req->driver.p, req->driver.n);
	if ((code = uoms_db_exec(s, st, "assigning a driver", e)) != UOMS_OK)
		goto out;
	ev->type = req->name != NULL ? "assigned" : "unassigned";
	uoms_buf_str(&ev->details, "{\"driver\":");
	uoms_buf_str(&ev->details, req->name != NULL ? req->driver.p : "null");
	uoms_buf_str(&ev->details, ",\"previous\":");
	uoms_buf_str(&ev->details, d.has ? d.json.p : "null");
	uoms_buf_str(&ev->details, "}");
out:
	uoms_buf_free(&d.json);
	return code;
}

void
uoms_assign_change(struct uoms_change *c, struct uoms_assign_req *req)
{
	memset(c, 0, sizeof *c);
	memset(&req->bad, 0, sizeof req->bad);
	memset(&req->driver, 0, sizeof req->driver);
	memset(&req->request, 0, sizeof req->request);
	if (req->name != NULL) {
		uoms_buf_str(&req->driver, "{\"name\":");
		uoms_buf_json_string(&req->driver, req->name,
		    strlen(req->name));
		uoms_buf_str(&req->driver, ",\"phone\":");
		if (req->phone != NULL)
			uoms_buf_json_string(&req->driver, req->phone,
			    strlen(req->phone));
		else
			uoms_buf_str(&req->driver, "null");
		uoms_buf_str(&req->driver, "}");
		check(req, &req->bad);
	}
	uoms_buf_printf(&req->request, "assign %s", req->name != NULL ?
	    req->driver.p : "null");
	c->lock = UOMS_LOCK_ASSIGN;
	c->holds_block = 0;
	c->apply = apply;
	c->arg = req;
	c->request = req->request.p != NULL ? req->request.p : "assign";
}

void
uoms_assign_free(struct uoms_assign_req *req)
{
	uoms_buf_free(&req->driver);
	uoms_buf_free(&req->request);
}
