/*
 * serve-parts: an order's remarks, locks, holds and push over HTTP
 * (api.md), each route doing what uoms-remark, uoms-lock, uoms-hold or
 * uoms-push does, through the same library calls. A change that bumps
 * the order's version (a remark, a hold) goes through uoms_serve_change,
 * so If-Match, "version", Idempotency-Key and departments are as for
 * every mutation; a lock, which bumps nothing, is taken, renewed or
 * released in a write transaction of its own; a push commits its claim
 * and its record itself (push.h) and holds no transaction while the
 * channel answers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "fetch.h"
#include "hold.h"
#include "lock.h"
#include "push.h"
#include "remark.h"
#include "serve.h"

/*
 * One push at a time in this process: the fetch engine sets libcurl's
 * and jansson's global allocators on each run, which two threads must
 * not do at once, and two pushes of one order from one process would
 * find each other's claim (same pid) and call it uncertain.
 */
static pthread_mutex_t push_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Answers j (stolen) with status. */
static void
answer(struct uoms_resp *rs, int status, json_t *j)
{
	uoms_resp_json_doc(rs, status, j, JSON_PRESERVE_ORDER);
}

/*
 * The JSON lines in b as an array (a new reference); NULL when a line is
 * not JSON.
 */
static json_t *
lines_array(const struct uoms_buf *b)
{
	const char *p = b->p, *end = b->p + b->n, *nl;
	json_t *a = json_array(), *v;

	while (a != NULL && p != NULL && p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl > p) {
			if ((v = json_loadb(p, nl - p, 0, NULL)) == NULL) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, v);
		}
		p = nl + 1;
	}
	return a;
}

/* Answers {name:[the lines of b]}. */
static void
answer_lines(struct uoms_resp *rs, const char *name,
    const struct uoms_buf *b)
{
	json_t *a = lines_array(b);

	if (a == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "can't read the %s",
		    name);
	else
		answer(rs, 200, json_pack("{s:o}", name, a));
}

/* The request's body as an object; none is {} when optional. NULL with
 * the 400 answered. */
static json_t *
body(struct uoms_req *rq, struct uoms_resp *rs, int optional)
{
	if (optional && rq->body_len == 0)
		return json_object();
	return uoms_req_object(rq, rs);
}

/*
 * Member name of o as a string into *out (NULL when absent or null).
 * Returns 0, or -1 with 422 answered when it is required and missing or
 * is not a string.
 */
static int
string_member(struct uoms_resp *rs, json_t *o, const char *name,
    int required, const char **out)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	if ((v == NULL || json_is_null(v)) && !required)
		return 0;
	if (v == NULL || json_is_null(v)) {
		uoms_resp_fail(rs, 422, UOMS_INVALID, "'%s' is missing", name);
		return -1;
	}
	if (!json_is_string(v)) {
		uoms_resp_fail(rs, 422, UOMS_INVALID, "'%s' must be a string",
		    name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* The order of path parameter 0, when rq's actor may see it; -1 with
 * 404 or 403 answered. */
static long long
visible_order(struct uoms_req *rq, struct uoms_resp *rs)
{
	long long id = uoms_serve_id_param(rq, rs, 0);

	if (id < 0 || uoms_serve_order_visible(rq, rs, id) < 0)
		return -1;
	return id;
}

/* Whether query parameter name is "true" (or "1"). */
static int
flag(const struct uoms_req *rq, const char *name)
{
	const char *v = uoms_req_arg(rq, name);

	return v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* -- remarks -------------------------------------------------------- */

/* GET /orders/{id}/remarks[?history=true] */
static void
remarks_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	long long id;

	if ((id = visible_order(rq, rs)) < 0)
		return;
	if (uoms_remark_list(rq->store, id, flag(rq, "history"), &out, &e) !=
	    UOMS_OK)
		uoms_resp_error(rs, 0, &e);
	else
		answer_lines(rs, "remarks", &out);
	uoms_buf_free(&out);
}

/*
 * Once serve_change has answered 200 with the order's record, answers
 * the remark instead, with status: remark rid, or (rid 0: an add, maybe
 * replayed, when the change's own id is not known) the newest remark by
 * the actor with that text. The ETag and replay headers stay.
 */
static void
remark_answer(struct uoms_req *rq, struct uoms_resp *rs, long long order_id,
    long long rid, const char *text, int status)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	json_t *a, *v, *found = NULL;
	size_t i;

	if (rs->status != 200)
		return;
	if (uoms_remark_list(rq->store, order_id, 0, &out, &e) != UOMS_OK ||
	    (a = lines_array(&out)) == NULL) {
		uoms_buf_free(&out);
		rs->status = status;
		return;
	}
	json_array_foreach(a, i, v) {
		if (rid > 0 ? json_integer_value(json_object_get(v, "id")) ==
		    rid : strcmp(json_string_value(json_object_get(v,
		    "author")) ?: "", rq->actor.name) == 0 &&
		    strcmp(json_string_value(json_object_get(v, "text")) ?: "",
		    text) == 0)
			found = v;
	}
	if (found != NULL)
		answer(rs, status, json_incref(found));
	else
		rs->status = status;
	json_decref(a);
	uoms_buf_free(&out);
}

/* Adds (rid 0) or edits remark rid of order id with the body's text. */
static void
remark_change(struct uoms_req *rq, struct uoms_resp *rs, long long id,
    long long rid)
{
	struct uoms_remark_req req = { .remark_id = rid };
	struct uoms_change c;
	const char *why;
	char *request;
	json_t *b;

	if ((b = body(rq, rs, 0)) == NULL)
		return;
	if (string_member(rs, b, "text", 1, &req.text) < 0)
		goto out;
	if ((why = uoms_remark_text_problem(req.text)) != NULL) {
		uoms_resp_fail(rs, 422, UOMS_INVALID, "text: %s", why);
		goto out;
	}
	if ((request = malloc(UOMS_REMARK_REQUEST_MAX)) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	uoms_remark_change(&c, &req, request, UOMS_REMARK_REQUEST_MAX);
	uoms_serve_change(rq, rs, id, b, &c, 0);
	remark_answer(rq, rs, id, rid > 0 ? rid : req.done_id, req.text,
	    rid > 0 ? 200 : 201);
	free(request);
out:
	json_decref(b);
}

/* POST /orders/{id}/remarks {"text"} */
static void
remark_add(struct uoms_req *rq, struct uoms_resp *rs)
{
	long long id = uoms_serve_id_param(rq, rs, 0);

	if (id > 0)
		remark_change(rq, rs, id, 0);
}

/* PATCH /remarks/{rid} {"text"} */
static void
remark_edit(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_error e = { 0 };
	long long rid, id;

	if ((rid = uoms_serve_id_param(rq, rs, 0)) < 0)
		return;
	if (uoms_remark_order(rq->store, rid, &id, &e) != UOMS_OK)
		uoms_resp_error(rs, 0, &e);
	else
		remark_change(rq, rs, id, rid);
}

/* -- locks ---------------------------------------------------------- */

enum lock_verb { LOCK_ACQUIRE, LOCK_RENEW, LOCK_RELEASE };

struct lock_job {
	enum lock_verb verb;
	long long id, ttl;
	enum uoms_lock_type type;
	const char *owner;
	int force;
	char expires[UOMS_TIME_MS_SIZE];
};

static enum uoms_code
lock_step(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct lock_job *j = arg;

	switch (j->verb) {
	case LOCK_ACQUIRE:
		return uoms_lock_acquire(s, j->id, j->type, j->owner, j->ttl,
		    j->expires, e);
	case LOCK_RENEW:
		return uoms_lock_renew(s, j->id, j->type, j->owner, j->ttl,
		    j->expires, e);
	case LOCK_RELEASE:
		return uoms_lock_release(s, j->id, j->type, j->owner,
		    j->force, e);
	}
	return uoms_fail(e, UOMS_INTERNAL, "no such lock step");
}

/* Runs j in a write transaction (uoms_serve_tx: a broken lock's
 * lock_broken event names who broke it) and answers: 204 for a release,
 * else the lock with status. */
static void
lock_run(struct uoms_req *rq, struct uoms_resp *rs, struct lock_job *j,
    int status)
{
	struct uoms_error e = { 0 };
	enum uoms_code code;

	j->owner = rq->actor.name;
	code = uoms_serve_tx(rq, NULL, lock_step, j, &e);
	if (code != UOMS_OK)
		uoms_resp_error(rs, 0, &e);
	else if (j->verb == LOCK_RELEASE) {
		uoms_buf_clear(&rs->body);
		rs->status = 204;
	} else
		answer(rs, status, json_pack("{s:I, s:s, s:s, s:s}",
		    "order_id", (json_int_t)j->id, "type",
		    uoms_lock_name(j->type), "owner", j->owner, "expires_at",
		    j->expires));
}

/* The lock type s names (any case) into *t; -1 with 422 answered. */
static int
lock_type(struct uoms_resp *rs, const char *s, enum uoms_lock_type *t)
{
	char up[16];
	size_t i;
	int n;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof up; i++)
		up[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i];
	up[i] = '\0';
	if (s[i] != '\0' || (n = uoms_lock_parse(up)) < 0) {
		uoms_resp_fail(rs, 422, UOMS_INVALID, "type: '%.40s' is not "
		    "EDIT, STATUS, ASSIGN or REMARK", s);
		return -1;
	}
	*t = n;
	return 0;
}

/* The body's "ttl" (else the configuration's lock_ttl) into j; -1 with
 * 422 answered when it is not a whole number of seconds in range. */
static int
lock_ttl(struct uoms_req *rq, struct uoms_resp *rs, json_t *b,
    struct lock_job *j)
{
	json_t *v = json_object_get(b, "ttl");
	int bad = 0;

	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > UOMS_LOCK_TTL_MAX) {
			uoms_resp_fail(rs, 422, UOMS_INVALID, "ttl: a whole "
			    "number of seconds from 1 to %d", UOMS_LOCK_TTL_MAX);
			return -1;
		}
		j->ttl = json_integer_value(v);
		return 0;
	}
	j->ttl = uoms_config_num(rq->opts->config, "lock_ttl",
	    UOMS_LOCK_TTL_DEFAULT, &bad);
	if (bad || j->ttl < 1 || j->ttl > UOMS_LOCK_TTL_MAX)
		j->ttl = UOMS_LOCK_TTL_DEFAULT;
	return 0;
}

/* Names each lock's type "type" (lock_list says "lock_type"), as the
 * answers of POST and PUT do. */
static void
locks_shape(json_t *locks)
{
	json_t *v;
	size_t i;

	json_array_foreach(locks, i, v) {
		json_object_set(v, "type", json_object_get(v, "lock_type"));
		json_object_del(v, "lock_type");
	}
}

/* GET /orders/{id}/locks */
static void
locks_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	long long id;
	json_t *a;

	if ((id = visible_order(rq, rs)) < 0)
		return;
	if (uoms_lock_list_order(rq->store, id, &out, &e) != UOMS_OK)
		uoms_resp_error(rs, 0, &e);
	else if ((a = lines_array(&out)) == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "can't read the locks");
	else {
		locks_shape(a);
		answer(rs, 200, json_pack("{s:o}", "locks", a));
	}
	uoms_buf_free(&out);
}

/* Drops from locks (an array of lock_list's objects) those on orders
 * rq's actor may not see. */
static void
locks_visible(struct uoms_req *rq, json_t *locks)
{
	struct uoms_resp scratch;
	json_t *v;
	size_t i;

	for (i = 0; i < json_array_size(locks); ) {
		v = json_array_get(locks, i);
		if (rq->actor.role == UOMS_ROLE_ADMIN) {
			i++;
			continue;
		}
		memset(&scratch, 0, sizeof scratch);
		if (uoms_serve_order_visible(rq, &scratch,
		    json_integer_value(json_object_get(v, "order_id"))) == 0)
			i++;
		else
			json_array_remove(locks, i);
		uoms_buf_free(&scratch.body);
		for (int h = 0; h < scratch.nheaders; h++) {
			free(scratch.header_name[h]);
			free(scratch.header_value[h]);
		}
	}
}

/* GET /locks[?mine=true]: every live lock on orders the actor sees. */
static void
locks_all(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	json_t *a;

	if (uoms_lock_list(rq->store, rq->actor.name, !flag(rq, "mine"), &out,
	    &e) != UOMS_OK)
		uoms_resp_error(rs, 0, &e);
	else if ((a = lines_array(&out)) == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "can't read the locks");
	else {
		locks_visible(rq, a);
		locks_shape(a);
		answer(rs, 200, json_pack("{s:o}", "locks", a));
	}
	uoms_buf_free(&out);
}

/* POST /orders/{id}/locks {"type","ttl"?} */
static void
lock_post(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct lock_job j = { .verb = LOCK_ACQUIRE };
	const char *type;
	json_t *b;

	if ((j.id = visible_order(rq, rs)) < 0 ||
	    (b = body(rq, rs, 0)) == NULL)
		return;
	if (string_member(rs, b, "type", 1, &type) == 0 &&
	    lock_type(rs, type, &j.type) == 0 &&
	    lock_ttl(rq, rs, b, &j) == 0)
		lock_run(rq, rs, &j, 201);
	json_decref(b);
}

/* PUT /orders/{id}/locks/{type} {"ttl"?}: renews the actor's lock. */
static void
lock_put(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct lock_job j = { .verb = LOCK_RENEW };
	json_t *b;

	if ((j.id = visible_order(rq, rs)) < 0 ||
	    lock_type(rs, rq->param[1], &j.type) < 0 ||
	    (b = body(rq, rs, 1)) == NULL)
		return;
	if (lock_ttl(rq, rs, b, &j) == 0)
		lock_run(rq, rs, &j, 200);
	json_decref(b);
}

/* DELETE /orders/{id}/locks/{type}[?force=true]: releases the actor's
 * lock; an admin's force breaks anyone's. */
static void
lock_delete(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct lock_job j = { .verb = LOCK_RELEASE };

	if ((j.id = visible_order(rq, rs)) < 0 ||
	    lock_type(rs, rq->param[1], &j.type) < 0)
		return;
	if ((j.force = flag(rq, "force")) && rq->actor.role != UOMS_ROLE_ADMIN)
		uoms_resp_fail(rs, 403, UOMS_FORBIDDEN, "force needs the "
		    "admin role; '%s' is a user", rq->actor.name);
	else
		lock_run(rq, rs, &j, 204);
}

/* -- holds ---------------------------------------------------------- */

/* GET /orders/{id}/holds[?state=S] */
static void
holds_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	const char *state = uoms_req_arg(rq, "state");
	long long id;

	if ((id = visible_order(rq, rs)) < 0)
		return;
	if (state != NULL && !uoms_hold_state_valid(state))
		uoms_resp_fail(rs, 422, UOMS_INVALID, "state: '%.40s' is not "
		    "open, acknowledged or resolved", state);
	else if (uoms_hold_list_order(rq->store, id, state, &out, &e) !=
	    UOMS_OK)
		uoms_resp_error(rs, 0, &e);
	else
		answer_lines(rs, "holds", &out);
	uoms_buf_free(&out);
}

/* Runs req on order id with the body's note, through serve_change. */
static void
hold_change(struct uoms_req *rq, struct uoms_resp *rs, long long id,
    struct uoms_hold_req *req, json_t *b)
{
	struct uoms_buf request = { 0 };
	struct uoms_change c;

	if (string_member(rs, b, "note", 0, &req->note) < 0)
		return;
	uoms_hold_change(&c, req, &request);
	uoms_serve_change(rq, rs, id, b, &c, 0);
	uoms_buf_free(&request);
}

/* POST /orders/{id}/holds {"reason","note"?} -> 201 the order's record */
static void
hold_post(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_hold_req req = { .verb = UOMS_HOLD_SET };
	long long id;
	json_t *b;

	if ((id = uoms_serve_id_param(rq, rs, 0)) < 0 ||
	    (b = body(rq, rs, 0)) == NULL)
		return;
	if (string_member(rs, b, "reason", 1, &req.reason) < 0)
		;
	else if (!uoms_hold_reason_valid(req.reason))
		uoms_resp_fail(rs, 422, UOMS_INVALID, "reason: '%.40s' is not "
		    "stock_shortage, missing_info, fraud_suspected, "
		    "address_invalid, awaiting_payment or other", req.reason);
	else {
		hold_change(rq, rs, id, &req, b);
		if (rs->status == 200)
			rs->status = 201;
	}
	json_decref(b);
}

/* POST /orders/{id}/holds/{hold_id}/ack or /resolve {"note"?} */
static void
hold_step(struct uoms_req *rq, struct uoms_resp *rs, enum uoms_hold_verb v)
{
	struct uoms_hold_req req = { .verb = v };
	long long id;
	json_t *b;

	if ((id = uoms_serve_id_param(rq, rs, 0)) < 0 ||
	    (req.hold_id = uoms_serve_id_param(rq, rs, 1)) < 0 ||
	    (b = body(rq, rs, 1)) == NULL)
		return;
	hold_change(rq, rs, id, &req, b);
	json_decref(b);
}

static void
hold_ack(struct uoms_req *rq, struct uoms_resp *rs)
{
	hold_step(rq, rs, UOMS_HOLD_ACK);
}

static void
hold_resolve(struct uoms_req *rq, struct uoms_resp *rs)
{
	hold_step(rq, rs, UOMS_HOLD_RESOLVE);
}

/* -- push ----------------------------------------------------------- */

/*
 * POST /orders/{id}/push: what the order's channel is owed, told once
 * (push.h). 200 {"pushes":[uoms-push's lines]} ([] when nothing is
 * owed, or it was told before); a refusal answers its error, with the
 * pushes made before it in the error's "pushes".
 */
static void
push(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_fetch_opts fo;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	enum uoms_code code;
	json_t *a, *err;
	const char *actor;
	char why[300];
	long long id;

	if ((id = visible_order(rq, rs)) < 0)
		return;
	if (uoms_fetch_opts_config(&fo, rq->opts->config, why,
	    sizeof why) < 0) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "config: %s", why);
		return;
	}
	/* The pushed events name who asked. */
	actor = uoms_store_actor(rq->store);
	uoms_store_set_actor(rq->store, rq->actor.name);
	pthread_mutex_lock(&push_mutex);
	code = uoms_push_order(rq->store, &fo, id, &out, &e);
	pthread_mutex_unlock(&push_mutex);
	uoms_store_set_actor(rq->store, actor);
	if ((a = lines_array(&out)) == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "can't read the pushes");
	else if (code == UOMS_OK)
		answer(rs, 200, json_pack("{s:o}", "pushes", a));
	else {
		uoms_resp_error(rs, 0, &e);
		if (json_array_size(a) > 0 && (err = json_loadb(rs->body.p,
		    rs->body.n, 0, NULL)) != NULL) {
			json_object_set(json_object_get(err, "error"),
			    "pushes", a);
			answer(rs, rs->status, err);
		}
		json_decref(a);
	}
	uoms_buf_free(&out);
}

const struct uoms_route uoms_serve_routes_parts[] = {
	{ "GET", "/orders/{id}/remarks", UOMS_AUTH_USER, remarks_get,
	    "An order's remarks, oldest first (?history=true: revisions)" },
	{ "POST", "/orders/{id}/remarks", UOMS_AUTH_USER, remark_add,
	    "Adds a remark to an order" },
	{ "PATCH", "/remarks/{rid}", UOMS_AUTH_USER, remark_edit,
	    "Edits a remark (a new revision; its author or an admin)" },
	{ "GET", "/orders/{id}/locks", UOMS_AUTH_USER, locks_get,
	    "The live locks on an order" },
	{ "POST", "/orders/{id}/locks", UOMS_AUTH_USER, lock_post,
	    "Takes (or extends) a lock on an order" },
	{ "PUT", "/orders/{id}/locks/{type}", UOMS_AUTH_USER, lock_put,
	    "Renews one's lock" },
	{ "DELETE", "/orders/{id}/locks/{type}", UOMS_AUTH_USER, lock_delete,
	    "Releases one's lock (admin ?force=true: anyone's)" },
	{ "GET", "/locks", UOMS_AUTH_USER, locks_all,
	    "Every live lock (?mine=true: one's own)" },
	{ "GET", "/orders/{id}/holds", UOMS_AUTH_USER, holds_get,
	    "An order's holds, newest first" },
	{ "POST", "/orders/{id}/holds", UOMS_AUTH_USER, hold_post,
	    "Puts an order on hold" },
	{ "POST", "/orders/{id}/holds/{hold_id}/ack", UOMS_AUTH_USER,
	    hold_ack, "Acknowledges a hold" },
	{ "POST", "/orders/{id}/holds/{hold_id}/resolve", UOMS_AUTH_USER,
	    hold_resolve, "Resolves a hold" },
	{ "POST", "/orders/{id}/push", UOMS_AUTH_USER, push,
	    "Tells the order's channel what it is owed, once" },
	{ NULL, NULL, UOMS_AUTH_NONE, NULL, NULL }
};
