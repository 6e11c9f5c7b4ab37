/*
 * serve-orders: the orders routes of uoms-serve (api.md "Orders"): the
 * list with uoms-query's filters, cursor pages and side-loaded items,
 * holds, remarks and events; one order with its ETag; and its changes
 * (fields, status, workflow actions, drivers), each the tools' own
 * change put through serve-change.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "delete.h"
#include "edit.h"
#include "events.h"
#include "idem.h"
#include "query.h"
#include "record.h"
#include "remark.h"
#include "rfc3339.h"
#include "serve-change_priv.h"
#include "status.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 500
/* Orders in one POST /orders/assign: one transaction holds them all. */
#define ASSIGN_MAX 500

/* What include= may side-load, in the order "included" lists them. */
enum { INC_ITEMS, INC_HOLDS, INC_REMARKS, INC_EVENTS, INC_COUNT };
static const char *const inc_name[INC_COUNT] = {
	"items", "holds", "remarks", "events"
};

struct included {
	int want[INC_COUNT];
	struct uoms_buf list[INC_COUNT];	/* JSON values joined by ',' */
};

/* include=a,b: which kinds; -1 with 400 answered for an unknown one. */
static int
include_arg(struct uoms_req *rq, struct uoms_resp *rs, struct included *inc)
{
	const char *p = uoms_req_arg(rq, "include");
	size_t n;
	int k;

	memset(inc, 0, sizeof *inc);
	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		for (k = 0; k < INC_COUNT; k++)
			if (strlen(inc_name[k]) == n &&
			    strncmp(p, inc_name[k], n) == 0)
				break;
		if (k == INC_COUNT && n > 0) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "include: '%.*s' "
			    "is not items, holds, remarks or events",
			    (int)(n > 64 ? 64 : n), p);
			return -1;
		}
		if (k < INC_COUNT)
			inc->want[k] = 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static void
include_free(struct included *inc)
{
	for (int k = 0; k < INC_COUNT; k++)
		uoms_buf_free(&inc->list[k]);
}

/* Appends one JSON value to the list of kind k. */
static void
include_add(struct included *inc, int k, const char *v, size_t n)
{
	if (inc->list[k].n > 0)
		uoms_buf_str(&inc->list[k], ",");
	uoms_buf_add(&inc->list[k], v, n);
}

/* Appends ,"included":{...} (the kinds asked for) to out. */
static void
include_write(struct included *inc, struct uoms_buf *out)
{
	int first = 1;

	uoms_buf_str(out, ",\"included\":{");
	for (int k = 0; k < INC_COUNT; k++) {
		if (!inc->want[k])
			continue;
		uoms_buf_printf(out, "%s\"%s\":[", first ? "" : ",",
		    inc_name[k]);
		if (inc->list[k].n > 0)
			uoms_buf_add(out, inc->list[k].p, inc->list[k].n);
		uoms_buf_str(out, "]");
		first = 0;
	}
	uoms_buf_str(out, "}");
}

/* A jansson value as compact UTF-8 JSON appended to out. */
static void
dump(json_t *v, struct uoms_buf *out)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s != NULL)
		uoms_buf_str(out, s);
	free(s);
}

/*
 * Side-loads the items and holds of record o (each given its order_id)
 * and its remarks and events from the store, as inc asks.
 */
static enum uoms_code
include_order(struct uoms_store *s, long long id, json_t *o,
    struct included *inc, struct uoms_error *e)
{
	struct uoms_buf b = { 0 };
	enum uoms_code code = UOMS_OK;

	for (int k = INC_ITEMS; k <= INC_HOLDS; k++) {
		json_t *a = json_object_get(o, inc_name[k]), *v;
		size_t i;

		if (!inc->want[k])
			continue;
		json_array_foreach(a, i, v) {
			uoms_buf_clear(&b);
			if (json_is_object(v))
				json_object_set_new(v, "order_id",
				    json_integer(id));
			dump(v, &b);
			include_add(inc, k, b.p, b.n);
		}
	}
	if (inc->want[INC_REMARKS]) {
		uoms_buf_clear(&b);
		if ((code = uoms_remark_list(s, id, 0, &b, e)) != UOMS_OK)
			goto out;
		/* One line each: the lines joined by commas. */
		while (b.n > 0 && b.p[b.n - 1] == '\n')
			b.p[--b.n] = '\0';
		for (size_t i = 0; i < b.n; i++)
			if (b.p[i] == '\n')
				b.p[i] = ',';
		if (b.n > 0)
			include_add(inc, INC_REMARKS, b.p, b.n);
	}
	if (inc->want[INC_EVENTS]) {
		struct uoms_events_filter f = { .order_id = id };
		struct uoms_events_cursor *c = uoms_events_open(s, &f, e);
		int rc;

		if (c == NULL) {
			code = e->code;
			goto out;
		}
		uoms_buf_clear(&b);
		while ((rc = uoms_events_next(c, &b, e)) > 0) {
			include_add(inc, INC_EVENTS, b.p, b.n);
			uoms_buf_clear(&b);
		}
		uoms_events_close(c);
		if (rc < 0)
			code = e->code;
	}
out:
	uoms_buf_free(&b);
	return code;
}

/* A positive whole number of at most 18 digits, or -1. */
static long long
number(const char *p)
{
	if (p == NULL || *p < '1' || *p > '9' || strspn(p, "0123456789") !=
	    strlen(p) || strlen(p) > 18)
		return -1;
	return strtoll(p, NULL, 10);
}

/* The query parameters of GET /orders into q (statuses into the
 * caller's states, a copy of the argument). -1 with 400 answered. */
static int
list_args(struct uoms_req *rq, struct uoms_resp *rs, struct uoms_query *q,
    char **states)
{
	static const struct {
		const char *name;
		size_t off;
	} times[] = {
		{ "placed_from", offsetof(struct uoms_query, placed_from) },
		{ "placed_to", offsetof(struct uoms_query, placed_to) },
		{ "eta_from", offsetof(struct uoms_query, eta_from) },
		{ "eta_to", offsetof(struct uoms_query, eta_to) },
	};
	const char *v;
	size_t n = 0;

	q->on_hold = -1;
	q->order_no = uoms_req_arg(rq, "order_no");
	q->channel = uoms_req_arg(rq, "channel");
	q->department = uoms_req_arg(rq, "department");
	if ((v = uoms_req_arg(rq, "status")) != NULL) {
		if ((*states = strdup(v)) == NULL ||
		    (q->statuses = calloc(strlen(v) / 2 + 2,
		    sizeof *q->statuses)) == NULL) {
			uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
			return -1;
		}
		for (char *sv, *s = strtok_r(*states, ",", &sv); s != NULL;
		    s = strtok_r(NULL, ",", &sv))
			q->statuses[n++] = s;
		if (n == 0) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "status: no "
			    "state named");
			return -1;
		}
	}
	if ((v = uoms_req_arg(rq, "on_hold")) != NULL) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "on_hold: "
			    "true or false");
			return -1;
		}
		q->on_hold = strcmp(v, "true") == 0;
	}
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		if ((v = uoms_req_arg(rq, times[i].name)) != NULL &&
		    uoms_time_normalize(v, strlen(v),
		    (char *)q + times[i].off, 1) < 0) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "%s: not an RFC "
			    "3339 time or a date YYYY-MM-DD", times[i].name);
			return -1;
		}
	q->limit = LIMIT_DEFAULT;
	if ((v = uoms_req_arg(rq, "limit")) != NULL &&
	    ((q->limit = number(v)) < 1 || q->limit > LIMIT_MAX)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "limit: a number from 1 "
		    "to %d", LIMIT_MAX);
		return -1;
	}
	/* The cursor is the id the last page ended at: opaque to clients,
	 * and stable while orders are added (they come before it). */
	if ((v = uoms_req_arg(rq, "cursor")) != NULL && *v != '\0' &&
	    (q->before_id = number(v)) < 1) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "cursor: not one this "
		    "server gave");
		return -1;
	}
	return 0;
}

/*
 * Appends one listed order: its record without items and holds (those
 * side-loaded when asked for).
 */
static enum uoms_code
list_one(struct uoms_store *s, const char *rec, size_t len,
    struct included *inc, struct uoms_buf *out, struct uoms_error *e)
{
	json_t *o = json_loadb(rec, len, 0, NULL);
	enum uoms_code code;

	if (o == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "a stored record is not "
		    "JSON");
	code = include_order(s, json_integer_value(json_object_get(o, "id")),
	    o, inc, e);
	json_object_del(o, "items");
	json_object_del(o, "holds");
	dump(o, out);
	json_decref(o);
	return code;
}

static void
orders_list(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_query q = { 0 };
	struct included inc;
	struct uoms_buf out = { 0 }, rec = { 0 };
	struct uoms_error e = { 0 };
	struct uoms_cursor *c = NULL;
	char *states = NULL;
	long long n = 0, last = 0;
	int rc = 0;

	if (include_arg(rq, rs, &inc) < 0 ||
	    list_args(rq, rs, &q, &states) < 0)
		goto out;
	uoms_buf_str(&out, "{\"orders\":[");
	/* A user sees their own department's orders only. */
	if (rq->actor.role != UOMS_ROLE_ADMIN) {
		if (rq->actor.department[0] == '\0' || (q.department != NULL &&
		    strcmp(q.department, rq->actor.department) != 0))
			goto done;
		q.department = rq->actor.department;
	}
	q.flat = 1;
	q.limit++;	/* one more: is there a next page? */
	if ((c = uoms_query_open(rq->store, &q, &e)) == NULL)
		goto fail;
	while (n < q.limit - 1 && (rc = uoms_query_next(c, &rec, &e)) > 0) {
		if (n++ > 0)
			uoms_buf_str(&out, ",");
		last = strtoll(uoms_query_text(c, UOMS_Q_ID), NULL, 10);
		if (list_one(rq->store, rec.p, rec.n, &inc, &out, &e) !=
		    UOMS_OK)
			goto fail;
		uoms_buf_clear(&rec);
	}
	if (rc >= 0 && n == q.limit - 1)
		rc = uoms_query_next(c, NULL, &e);
	if (rc < 0)
		goto fail;
done:
	uoms_buf_str(&out, "],\"next_cursor\":");
	if (rc > 0)
		uoms_buf_printf(&out, "\"%lld\"", last);
	else
		uoms_buf_str(&out, "null");
	include_write(&inc, &out);
	uoms_buf_str(&out, "}");
	uoms_resp_json(rs, 200, out.p, out.n);
	goto out;
fail:
	uoms_serve_refuse(rs, 0, &e, 0);
out:
	if (c != NULL)
		uoms_query_close(c);
	free(q.statuses);
	free(states);
	include_free(&inc);
	uoms_buf_free(&out);
	uoms_buf_free(&rec);
}

/*
 * Whether If-None-Match value h names etag (RFC 9110 13.1.2: weak
 * comparison, so W/ is ignored; "*" matches any current order).
 */
static int
none_match(const char *h, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = h, *q;

	p += strspn(p, " \t");
	if (*p == '*')
		return 1;
	for (;;) {
		p += strspn(p, " \t,");
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return 0;
		if ((size_t)(q + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = q + 1;
	}
}

/*
 * Order id's record into out and its ETag when the actor may see it, as
 * uoms_serve_order_read and uoms_serve_etag make them (the same bytes,
 * the same refusals) but on the hot path: the record's statements are
 * prepared once per thread's store (uoms_serve_order_read prepares its
 * query's SQL each time, a third of a GET's time), and the ETag is
 * written from the version read, not from the record parsed back.
 */
static enum uoms_code
record_read(struct uoms_req *rq, long long id, struct uoms_buf *out,
    char etag[UOMS_ETAG_SIZE], struct uoms_error *e)
{
	struct uoms_record_head head;
	size_t mark = out->n;
	enum uoms_code code;

	code = uoms_order_record_head(rq->store, id, out, &head, e);
	if (code == UOMS_NOT_FOUND || (code == UOMS_OK && head.deleted)) {
		out->n = mark;
		return uoms_fail(e, UOMS_NOT_FOUND, "no such order");
	}
	if (code != UOMS_OK)
		return code;
	if (!uoms_serve_dept_ok(&rq->actor, head.department)) {
		out->n = mark;
		return uoms_fail(e, UOMS_FORBIDDEN, "order %lld is not of "
		    "department '%s'", id, rq->actor.department);
	}
	snprintf(etag, UOMS_ETAG_SIZE, "\"%lld-v%lld\"", id, head.version);
	return UOMS_OK;
}

static void
order_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	long long id = uoms_serve_id_param(rq, rs, 0);
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };
	struct included inc;
	char etag[UOMS_ETAG_SIZE];
	const char *h = uoms_req_header(rq, "If-None-Match");
	int any;
	json_t *o;

	if (id < 0 || include_arg(rq, rs, &inc) < 0)
		return;
	if (record_read(rq, id, &out, etag, &e) != UOMS_OK) {
		uoms_serve_refuse(rs, 0, &e, 0);
		goto out;
	}
	uoms_resp_header(rs, "ETag", etag);
	if (h != NULL && none_match(h, etag)) {
		uoms_resp_json(rs, 304, "", 0);
		goto out;
	}
	any = 0;
	for (int k = 0; k < INC_COUNT; k++)
		any |= inc.want[k];
	if (any) {
		/* The record's bytes stay as uoms-query prints them:
		 * "included" goes in before its closing brace. */
		o = json_loadb(out.p, out.n, 0, NULL);
		if (include_order(rq->store, id, o, &inc, &e) != UOMS_OK) {
			json_decref(o);
			uoms_serve_refuse(rs, 0, &e, 0);
			goto out;
		}
		json_decref(o);
		if (out.n > 0 && out.p[out.n - 1] == '}')
			out.n--;
		include_write(&inc, &out);
		uoms_buf_str(&out, "}");
	}
	uoms_resp_json(rs, 200, out.p, out.n);
out:
	include_free(&inc);
	uoms_buf_free(&out);
}

/* The body's "force" (false when absent); -1 with 400 when not a
 * boolean. */
static int
force_of(json_t *body, struct uoms_resp *rs)
{
	json_t *v = json_object_get(body, "force");

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "force: true or false");
		return -1;
	}
	return json_is_true(v);
}

/* The body's string member name (NULL when absent); -1 with 400 when
 * it is there but not a string. */
static int
string_of(json_t *body, const char *name, const char **out,
    struct uoms_resp *rs)
{
	json_t *v = json_object_get(body, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "%s: a string", name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* Sets one edited field from a JSON value: text, or null to clear. */
static int
edit_field(struct uoms_edit_req *req, const char *field, json_t *v,
    struct uoms_resp *rs)
{
	char why[256];

	if (!json_is_string(v) && !json_is_null(v)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "%s: a string or null",
		    field);
		return -1;
	}
	if (uoms_edit_set(req, field, json_is_null(v) ? "" :
	    json_string_value(v), why, sizeof why) < 0) {
		uoms_resp_fail(rs, 422, UOMS_INVALID, "%s", why);
		return -1;
	}
	return 0;
}

/*
 * PATCH /orders/{id}: the fields uoms-edit --set takes, by their --set
 * names ("customer.phone") or nested ({"customer":{"phone":...}}).
 */
static void
order_patch(struct uoms_req *rq, struct uoms_resp *rs)
{
	long long id = uoms_serve_id_param(rq, rs, 0);
	struct uoms_edit_req req = { 0 };
	struct uoms_change c;
	char names[UOMS_EDIT_COUNT * 2][64];
	json_t *body, *v, *sv;
	const char *k, *sk;
	int force, n = 0, bad = 0;

	if (id < 0 || (body = uoms_req_object(rq, rs)) == NULL)
		return;
	if ((force = force_of(body, rs)) < 0)
		goto out;
	json_object_foreach(body, k, v) {
		if (strcmp(k, "version") == 0 || strcmp(k, "force") == 0)
			continue;
		if (!json_is_object(v)) {
			if (edit_field(&req, k, v, rs) < 0)
				goto out;
			n++;
			continue;
		}
		json_object_foreach(v, sk, sv) {
			if (n >= UOMS_EDIT_COUNT * 2 || strlen(k) + strlen(sk)
			    + 2 > sizeof names[0]) {
				bad = 1;
				break;
			}
			memcpy(names[n], k, strlen(k));
			names[n][strlen(k)] = '.';
			memcpy(names[n] + strlen(k) + 1, sk, strlen(sk) + 1);
			if (edit_field(&req, names[n], sv, rs) < 0)
				goto out;
			n++;
		}
		if (bad) {
			uoms_resp_fail(rs, 422, UOMS_INVALID, "'%.60s' is not "
			    "a field that may be edited", k);
			goto out;
		}
	}
	if (n == 0) {
		uoms_resp_fail(rs, 422, UOMS_INVALID, "nothing to change: "
		    "name a field");
		goto out;
	}
	uoms_edit_change(&c, &req);
	uoms_serve_change(rq, rs, id, body, &c, force);
	uoms_edit_free(&req);
out:
	json_decref(body);
}

/*
 * A move to a state the order's workflow does not have is a bad request
 * over HTTP (422 invalid), where uoms-status calls every refused move
 * invalid_transition: 409 is kept for a move the workflow forbids from
 * where the order is. Then the move is uoms-status's own.
 */
struct move {
	const struct uoms_status_req *req;
	struct uoms_change inner;
};

static enum uoms_code
move_apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	struct move *m = arg;
	const struct uoms_workflow *wf;
	char why[256];

	if (m->req->to != NULL &&
	    (wf = uoms_workflow_get(t->workflow, why, sizeof why)) != NULL &&
	    uoms_workflow_state(wf, m->req->to) == NULL)
		return uoms_fail(e, UOMS_INVALID, "workflow %s has no state "
		    "'%s'", wf->name, m->req->to);
	return m->inner.apply(s, a, t, force, m->inner.arg, ev, e);
}

/* POST /orders/{id}/status and /actions/{name}: a move of the workflow. */
static void
move(struct uoms_req *rq, struct uoms_resp *rs, const char *action)
{
	long long id = uoms_serve_id_param(rq, rs, 0);
	struct uoms_status_req req = { .action = action };
	struct uoms_buf request = { 0 };
	struct uoms_change c;
	struct move m = { .req = &req };
	json_t *body = NULL;
	int force;

	if (id < 0)
		return;
	/* An action needs no body; a move to a state names it. */
	if ((action == NULL || rq->body_len > 0) &&
	    (body = uoms_req_object(rq, rs)) == NULL)
		return;
	if ((force = force_of(body, rs)) < 0 ||
	    string_of(body, "note", &req.note, rs) < 0 ||
	    (action == NULL && string_of(body, "to", &req.to, rs) < 0))
		goto out;
	if (action == NULL && (req.to == NULL || *req.to == '\0')) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "to: the state to move "
		    "to is missing");
		goto out;
	}
	uoms_status_change(&m.inner, &req, &request);
	c = m.inner;
	c.apply = move_apply;
	c.arg = &m;
	uoms_serve_change(rq, rs, id, body, &c, force);
	uoms_buf_free(&request);
out:
	json_decref(body);
}

static void
order_status(struct uoms_req *rq, struct uoms_resp *rs)
{
	move(rq, rs, NULL);
}

static void
order_action(struct uoms_req *rq, struct uoms_resp *rs)
{
	const char *name = rq->param[1];

	if (name == NULL || *name == '\0') {
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no such action");
		return;
	}
	move(rq, rs, name);
}

/* The orders of POST /orders/assign into t (n of them); -1 with 400. */
static int
assign_orders(json_t *a, struct uoms_serve_target *t, size_t *n,
    struct uoms_resp *rs)
{
	json_t *o, *id, *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > ASSIGN_MAX) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "orders: a list of 1 to "
		    "%d {\"id\",\"version\"}", ASSIGN_MAX);
		return -1;
	}
	json_array_foreach(a, i, o) {
		id = json_object_get(o, "id");
		v = json_object_get(o, "version");
		if (!json_is_integer(id) || json_integer_value(id) < 1 ||
		    (v != NULL && (!json_is_integer(v) ||
		    json_integer_value(v) < 1))) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "orders[%zu]: "
			    "{\"id\":N,\"version\":V} with positive whole "
			    "numbers", i);
			return -1;
		}
		t[i].id = json_integer_value(id);
		t[i].version = v != NULL ? json_integer_value(v) : -1;
		for (size_t j = 0; j < i; j++)
			if (t[j].id == t[i].id) {
				uoms_resp_fail(rs, 400, UOMS_INVALID, "orders: "
				    "order %lld is named twice", t[i].id);
				return -1;
			}
	}
	*n = i;
	return 0;
}

/* POST /orders/assign: a driver for many orders, all or nothing. */
static void
orders_assign(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_assign_req req = { 0 };
	struct uoms_serve_target *t = NULL;
	struct uoms_change c;
	json_t *body, *driver, *un;
	size_t n = 0;
	int force;

	if ((body = uoms_req_object(rq, rs)) == NULL)
		return;
	driver = json_object_get(body, "driver");
	un = json_object_get(body, "unassign");
	if ((force = force_of(body, rs)) < 0)
		goto out;
	if ((t = calloc(ASSIGN_MAX, sizeof *t)) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	if (assign_orders(json_object_get(body, "orders"), t, &n, rs) < 0)
		goto out;
	if (un != NULL && !json_is_boolean(un)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "unassign: true or "
		    "false");
		goto out;
	}
	if ((driver != NULL) == json_is_true(un)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "give one of driver and "
		    "\"unassign\":true");
		goto out;
	}
	if (driver != NULL && (!json_is_object(driver) ||
	    string_of(driver, "name", &req.name, rs) < 0 ||
	    string_of(driver, "phone", &req.phone, rs) < 0 ||
	    req.name == NULL)) {
		if (rs->status == 0)
			uoms_resp_fail(rs, 400, UOMS_INVALID, "driver: "
			    "{\"name\",\"phone\"?}");
		goto out;
	}
	uoms_assign_change(&c, &req);
	uoms_serve_change_many(rq, rs, t, n, &c, force);
	uoms_assign_free(&req);
out:
	free(t);
	json_decref(body);
}

const struct uoms_route uoms_serve_routes_orders[] = {
	{ "GET", "/orders", UOMS_AUTH_USER, orders_list,
	    "List orders (uoms-query's filters), newest first, by pages" },
	{ "POST", "/orders/assign", UOMS_AUTH_USER, orders_assign,
	    "Assign a driver to many orders (or unassign), all or nothing" },
	{ "GET", "/orders/{id}", UOMS_AUTH_USER, order_get,
	    "One order's record, with its ETag" },
	{ "PATCH", "/orders/{id}", UOMS_AUTH_USER, order_patch,
	    "Edit an order's fields (uoms-edit --set)" },
	{ "POST", "/orders/{id}/status", UOMS_AUTH_USER, order_status,
	    "Move an order to a state of its workflow" },
	{ "POST", "/orders/{id}/actions/{name}", UOMS_AUTH_USER, order_action,
	    "Take a workflow action on an order" },
	{ NULL }
};

/*
 * A retried DELETE: the order it deleted is gone from every view, so
 * uoms_serve_change would answer 404; the key that deleted it answers
 * 204 again (Idempotent-Replayed). 1 when answered here, 0 to go on.
 */
static int
delete_replay(struct uoms_req *rq, struct uoms_resp *rs, long long id)
{
	struct uoms_ref ref = { .id = id, .version = -1 };
	struct uoms_error e = { 0 };
	struct uoms_buf kept = { 0 };
	struct uoms_target t;
	char key[UOMS_IDEM_KEY_MAX + 1];
	const char *k;
	enum uoms_code code;
	int replayed = 0;

	if (uoms_serve_idem_key(rq, rs, key, sizeof key, &k) < 0)
		return 1;
	if (k == NULL ||
	    uoms_change_target_any(rq->store, &ref, &t, &e) != UOMS_OK ||
	    t.deleted_at[0] == '\0')
		return 0;
	code = uoms_idem_check(rq->store, rq->actor.name, key, id, "delete",
	    &replayed, &kept, &e);
	uoms_buf_free(&kept);
	if (code != UOMS_OK) {
		uoms_serve_refuse(rs, 0, &e, 0);
		return 1;
	}
	if (!replayed)
		return 0;
	uoms_resp_json(rs, 204, "", 0);
	uoms_resp_header(rs, "Idempotent-Replayed", "true");
	return 1;
}

/*
 * DELETE /orders/{id} (admin): uoms-edit --delete, soft (lib/delete.h),
 * under the same preconditions as every change: If-Match (412), the
 * body's "version" (409) unless "force", an EDIT lock (423), the
 * Idempotency-Key. The body is optional; 204 without one.
 */
static void
order_delete(struct uoms_req *rq, struct uoms_resp *rs)
{
	long long id = uoms_serve_id_param(rq, rs, 0);
	struct uoms_change c;
	json_t *body = NULL;
	int force = 0;

	if (id < 0 || delete_replay(rq, rs, id))
		return;
	if (rq->body_len > 0 && ((body = uoms_req_object(rq, rs)) == NULL ||
	    (force = force_of(body, rs)) < 0))
		goto out;
	uoms_delete_change(&c);
	uoms_serve_change(rq, rs, id, body, &c, force);
	if (rs->status == 200)
		uoms_resp_json(rs, 204, "", 0);
out:
	json_decref(body);
}

/* Apart from the order routes above, to be merged on its own. */
const struct uoms_route uoms_serve_routes_delete[] = {
	{ "DELETE", "/orders/{id}", UOMS_AUTH_ADMIN, order_delete,
	    "Delete an order (admin; soft: its events stay), 204" },
	{ NULL }
};
