/*
 * serve-change: the one way a route of uoms-serve changes orders. The
 * HTTP preconditions (If-Match, --require-if-match, Idempotency-Key) are
 * decided here, and the change itself is the tools' own: the route's
 * struct uoms_change run through uoms_change_order(), so an order moved
 * over HTTP and one moved with uoms-status get the same checks, the same
 * version bump and the same event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "db.h"
#include "idem.h"
#include "record.h"
#include "serve-change_priv.h"

int
uoms_serve_dept_ok(const struct uoms_actor *a, const char *dept)
{
	if (a->role == UOMS_ROLE_ADMIN)
		return 1;
	/* A user of no department is no department's: it sees nothing. */
	return a->department[0] != '\0' && dept != NULL &&
	    strcmp(a->department, dept) == 0;
}

/*
 * Reads order id's record (when out is not NULL; exactly as uoms-query
 * prints it) and checks the actor may see it. The record's statements
 * are prepared once per store (uoms_order_record_head): through the
 * query module its SQL was built and prepared on every call, a third
 * of a status move's time in uoms-serve.
 */
static enum uoms_code
visible(struct uoms_store *s, const struct uoms_actor *a, long long id,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_record_head head;
	size_t mark = out != NULL ? out->n : 0;
	enum uoms_code code;

	code = uoms_order_record_head(s, id, out, &head, e);
	if (code == UOMS_NOT_FOUND || (code == UOMS_OK && head.deleted))
		code = uoms_fail(e, UOMS_NOT_FOUND, "no such order");
	else if (code == UOMS_OK && !uoms_serve_dept_ok(a, head.department))
		code = uoms_fail(e, UOMS_FORBIDDEN, "order %lld is not of "
		    "department '%s'", id, a->department);
	if (code != UOMS_OK && out != NULL)
		out->n = mark;
	return code;
}

enum uoms_code
uoms_serve_order_read(struct uoms_req *rq, long long id,
    struct uoms_buf *out, struct uoms_error *e)
{
	return visible(rq->store, &rq->actor, id, out, e);
}

int
uoms_serve_order_visible(struct uoms_req *rq, struct uoms_resp *rs,
    long long id)
{
	struct uoms_error e = { 0 };

	if (visible(rq->store, &rq->actor, id, NULL, &e) == UOMS_OK)
		return 0;
	uoms_serve_refuse(rs, 0, &e, 0);
	return -1;
}

long long
uoms_serve_id_param(struct uoms_req *rq, struct uoms_resp *rs, int n)
{
	const char *p = n >= 0 && n < UOMS_ROUTE_PARAMS ? rq->param[n] : NULL;
	char *end;
	long long id;

	/* Digits only, no sign, no spaces, no leading zero: one spelling
	 * per order, as the ETag writes it. */
	if (p != NULL && *p >= '1' && *p <= '9' && strspn(p, "0123456789") ==
	    strlen(p) && strlen(p) < 19) {
		id = strtoll(p, &end, 10);
		if (*end == '\0' && id > 0)
			return id;
	}
	uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no such order");
	return -1;
}

/*
 * A whole number at p (no sign, at most 18 digits) followed by ',' or
 * '}'; -1 when there is none.
 */
static long long
number_at(const char *p, const char *end)
{
	long long v = 0;
	int n = 0;

	for (; p < end && *p >= '0' && *p <= '9' && n < 18; p++, n++)
		v = v * 10 + (*p - '0');
	return n > 0 && p < end && (*p == ',' || *p == '}') ? v : -1;
}

/*
 * The id and version of a record as uoms_order_json writes it, read
 * without parsing it: {"id":N, then text members, then "version":V
 * before any nested object or array. Anything else (-1) is parsed.
 * "version": can't be inside a text value (its quotes are escaped), so
 * the first one before a '{' or '[' is the record's own.
 */
static int
etag_scan(const char *record, size_t len, long long *id, long long *version)
{
	static const char key[] = "\"version\":";
	const char *end = record + len, *p;

	if (len < 7 || memcmp(record, "{\"id\":", 6) != 0 ||
	    (*id = number_at(record + 6, end)) < 0)
		return -1;
	for (p = record + 6; p + sizeof key - 1 < end; p++) {
		if (*p == '{' || *p == '[')
			return -1;
		if (*p == '"' && memcmp(p, key, sizeof key - 1) == 0)
			return (*version = number_at(p + sizeof key - 1,
			    end)) < 0 ? -1 : 0;
	}
	return -1;
}

int
uoms_serve_etag(const char *record, size_t len, char etag[UOMS_ETAG_SIZE])
{
	long long fid, fversion;
	json_t *o, *id, *v;
	int rc = -1;

	/* The hot path: parsing a whole record back for two numbers was a
	 * seventh of a status move's time. */
	if (etag_scan(record, len, &fid, &fversion) == 0) {
		snprintf(etag, UOMS_ETAG_SIZE, "\"%lld-v%lld\"", fid,
		    fversion);
		return 0;
	}
	o = json_loadb(record, len, 0, NULL);
	id = json_object_get(o, "id");
	v = json_object_get(o, "version");
	if (json_is_integer(id) && json_is_integer(v)) {
		snprintf(etag, UOMS_ETAG_SIZE, "\"%lld-v%lld\"",
		    (long long)json_integer_value(id),
		    (long long)json_integer_value(v));
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/*
 * Whether the If-Match field value h matches etag (RFC 9110 13.1.1):
 * "*" matches any current representation; else a comma-separated list
 * of entity tags compared strongly, so a weak tag (W/"...") never
 * matches. Anything that is not a list of tags matches nothing.
 */
static int
if_match(const char *h, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = h, *q;

	p += strspn(p, " \t");
	if (*p == '*') {
		q = p + 1 + strspn(p + 1, " \t");
		return *q == '\0';
	}
	for (;;) {
		int weak = 0;

		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		if (p[0] == 'W' && p[1] == '/') {
			weak = 1;
			p += 2;
		}
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return 0;
		if (!weak && (size_t)(q + 1 - p) == elen &&
		    memcmp(p, etag, elen) == 0)
			return 1;
		p = q + 1 + strspn(q + 1, " \t");
		if (*p != ',' && *p != '\0')
			return 0;
	}
}

int
uoms_serve_idem_key(struct uoms_req *rq, struct uoms_resp *rs, char *key, size_t size,
    const char **out)
{
	const char *h = uoms_req_header(rq, "Idempotency-Key");
	const char *problem;
	size_t n;

	*out = NULL;
	if (h == NULL)
		return 0;
	n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n >= size) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "Idempotency-Key is "
		    "longer than %d characters", UOMS_IDEM_KEY_MAX);
		return -1;
	}
	memcpy(key, h, n);
	key[n] = '\0';
	if ((problem = uoms_idem_key_problem(key)) != NULL) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "Idempotency-Key: %s",
		    problem);
		return -1;
	}
	*out = key;
	return 0;
}

/* What one run of the transaction needs and makes. */
struct work {
	struct uoms_req *rq;
	const struct uoms_serve_target *t;
	size_t n;
	const struct uoms_change *c;
	int force;
	const char *ifm;		/* If-Match, or NULL */
	const char *key;		/* Idempotency-Key, or NULL */
	long long ttl;
	struct uoms_buf out;		/* the answer's body */
	int replayed;			/* every order's result was kept */
	long long failed_id;		/* the order that refused */
	int stale;			/* If-Match refused it: 412 */
};

/* One order of w, inside the transaction: the record appended to out. */
static enum uoms_code
one(struct work *w, const struct uoms_serve_target *t, int *replayed,
    struct uoms_error *e)
{
	struct uoms_store *s = w->rq->store;
	const struct uoms_actor *a = &w->rq->actor;
	struct uoms_ref ref = { .id = t->id, .version = t->version };
	struct uoms_target cur;
	char etag[UOMS_ETAG_SIZE];
	enum uoms_code code;
	size_t mark = w->out.n;

	*replayed = 0;
	if ((code = visible(s, a, t->id, NULL, e)) != UOMS_OK ||
	    (code = uoms_change_target(s, &ref, &cur, e)) != UOMS_OK)
		return code;
	/*
	 * A retry is answered before If-Match is weighed: the first try
	 * moved the version its If-Match named, and its client must still
	 * get that try's answer, not 412.
	 */
	if (w->key != NULL && ((code = uoms_idem_check(s, a->name, w->key,
	    cur.id, w->c->request, replayed, &w->out, e)) != UOMS_OK ||
	    *replayed))
		return code;
	w->out.n = mark;
	snprintf(etag, sizeof etag, "\"%lld-v%lld\"", cur.id, cur.version);
	if (w->ifm != NULL && !if_match(w->ifm, etag)) {
		uoms_fail(e, UOMS_VERSION_CONFLICT, "If-Match does not match "
		    "the order's ETag %s", etag);
		e->current_version = cur.version;
		snprintf(e->detail, sizeof e->detail, "\"current_version\":"
		    "%lld", cur.version);
		w->stale = 1;
		return UOMS_VERSION_CONFLICT;
	}
	return uoms_change_order(s, a, &ref, w->force, w->key, w->ttl, w->c,
	    &w->out, replayed, e);
}

/* Every order of w in the open transaction; the answer's body in out. */
static enum uoms_code
all(struct work *w, int many, struct uoms_error *e)
{
	enum uoms_code code;
	int replayed, replays = 0;

	uoms_buf_clear(&w->out);
	if (many)
		uoms_buf_str(&w->out, "{\"orders\":[");
	for (size_t i = 0; i < w->n; i++) {
		if (i > 0)
			uoms_buf_str(&w->out, ",");
		if ((code = one(w, &w->t[i], &replayed, e)) != UOMS_OK) {
			w->failed_id = w->t[i].id;
			return code;
		}
		replays += replayed;
	}
	if (many)
		uoms_buf_str(&w->out, "]}");
	w->replayed = replays > 0 && (size_t)replays == w->n;
	return UOMS_OK;
}

void
uoms_serve_refuse(struct uoms_resp *rs, int status, struct uoms_error *e,
    long long order_id)
{
	size_t n = strlen(e->detail);

	if (order_id > 0 && n + 32 < sizeof e->detail)
		snprintf(e->detail + n, sizeof e->detail - n,
		    "%s\"order_id\":%lld", n > 0 ? "," : "", order_id);
	if (e->code == UOMS_BUSY)
		uoms_serve_count_busy();
	uoms_resp_error(rs, status, e);
	if (e->code == UOMS_BUSY)
		uoms_resp_header(rs, "Retry-After", "1");
}

struct work_tx {
	struct work *w;
	int many;
};

/* all() as uoms_serve_tx's fn: w's output starts afresh at each try. */
static enum uoms_code
all_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct work_tx *x = arg;

	(void)s;
	x->w->failed_id = 0;
	x->w->stale = 0;
	return all(x->w, x->many, e);
}

/*
 * Runs w in one write transaction, redone whole when PostgreSQL gave
 * up on it (uoms_serve_tx), and answers.
 */
static void
run(struct work *w, struct uoms_resp *rs, int many)
{
	struct work_tx x = { w, many };
	struct uoms_error e = { 0 };
	enum uoms_code code;
	char etag[UOMS_ETAG_SIZE];

	code = uoms_serve_tx(w->rq, NULL, all_tx, &x, &e);
	if (code != UOMS_OK) {
		/* If-Match's mismatch is 412, the body's version 409. */
		uoms_serve_refuse(rs, w->stale ? 412 : 0, &e,
		    many ? w->failed_id : 0);
		return;
	}
	uoms_resp_json(rs, 200, w->out.p, w->out.n);
	if (!many && uoms_serve_etag(w->out.p, w->out.n, etag) == 0)
		uoms_resp_header(rs, "ETag", etag);
	if (w->replayed)
		uoms_resp_header(rs, "Idempotent-Replayed", "true");
}

/* The idempotency keys' lifetime (uoms.yaml idempotency_ttl), or -1. */
static long long
ttl(struct uoms_req *rq)
{
	int bad = 0;
	long long v = uoms_config_num(rq->opts->config, "idempotency_ttl",
	    UOMS_IDEM_TTL_DEFAULT, &bad);

	return bad || v < 1 ? UOMS_IDEM_TTL_DEFAULT : v;
}

static void
start(struct work *w, struct uoms_req *rq, const struct uoms_serve_target *t,
    size_t n, const struct uoms_change *c, int force)
{
	memset(w, 0, sizeof *w);
	w->rq = rq;
	w->t = t;
	w->n = n;
	w->c = c;
	w->force = force;
	w->ttl = ttl(rq);
}

void
uoms_serve_change_many(struct uoms_req *rq, struct uoms_resp *rs,
    const struct uoms_serve_target *t, size_t n, const struct uoms_change *c,
    int force)
{
	struct work w;
	char key[UOMS_IDEM_KEY_MAX + 1];

	start(&w, rq, t, n, c, force);
	for (size_t i = 0; rq->opts->require_if_match && i < n; i++)
		if (t[i].version < 0) {
			uoms_resp_fail(rs, 428, UOMS_PRECONDITION_REQUIRED,
			    "order %lld has no version: this server wants "
			    "one with every change", t[i].id);
			return;
		}
	if (uoms_serve_idem_key(rq, rs, key, sizeof key, &w.key) < 0)
		return;
	run(&w, rs, 1);
	uoms_buf_free(&w.out);
}

void
uoms_serve_change(struct uoms_req *rq, struct uoms_resp *rs, long long id,
    json_t *body, const struct uoms_change *c, int force)
{
	struct uoms_serve_target t = { .id = id, .version = -1 };
	json_t *v = body != NULL ? json_object_get(body, "version") : NULL;
	struct work w;
	char key[UOMS_IDEM_KEY_MAX + 1];

	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "version must "
			    "be a positive whole number");
			return;
		}
		t.version = json_integer_value(v);
	}
	start(&w, rq, &t, 1, c, force);
	w.ifm = uoms_req_header(rq, "If-Match");
	if (w.ifm == NULL && rq->opts->require_if_match) {
		uoms_resp_fail(rs, 428, UOMS_PRECONDITION_REQUIRED, "this "
		    "server wants If-Match: \"%lld-v<version>\" with every "
		    "change", id);
		return;
	}
	if (uoms_serve_idem_key(rq, rs, key, sizeof key, &w.key) < 0)
		return;
	run(&w, rs, 0);
	uoms_buf_free(&w.out);
}
