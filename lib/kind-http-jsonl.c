/*
 * The http-jsonl kind: the door for any in-house system. A GET on the
 * channel's URL answers order lines already in the SPEC 3.1 shape (JSON
 * Lines); the first page is asked with ?since=RFC3339&page=1 and the next
 * ones are wherever a Link header's rel="next" points (RFC 8288), until
 * an answer has none: resolved as RFC 3986 says against the page it came
 * with, and followed only when it is http(s) on the base URL's own origin
 * (the token goes with every request). Lines are handed over one by one
 * as they arrive (kind.h, line), so a page is never held whole. A bearer
 * token is sent when the secret "token" is set. Settings: path (appended
 * to base_url), products_path (the same for --products).
 *
 * Push (uoms-push): a POST to base_url + push_path (default "push") with
 * {"external_order_id","push":"ack"|"ship"} and, for a shipment,
 * "carrier" and "carrier_code" (the canonical id: carriers.tsv has no
 * column for a system of one's own) and "tracking_number". A 2xx answer
 * accepts it; a 4xx with a JSON "message" refuses it with that message.
 * Setting push_ack (default true): false for a system that wants only
 * shipments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch.h"
#include "json.h"
#include "kind.h"
#include "line.h"

struct member {
	const char *k, *kend, *v, *vend;	/* key with its quotes, value */
};

struct jsonl {
	int page;
	char *url;		/* the request being answered */
	char *next;		/* the next page, or NULL: done */
	struct uoms_buf link;	/* a next link resolved */
	int started;
	struct member *m;	/* the members of the line being read */
	int nm, mcap;
	struct uoms_buf name;	/* the channel's name as a JSON string */
	struct uoms_buf out;	/* a line rewritten */
};

static void
jsonl_done(struct uoms_fetch_ctx *ctx)
{
	struct jsonl *st = ctx->state;

	if (st != NULL) {
		free(st->url);
		free(st->next);
		uoms_buf_free(&st->link);
		free(st->m);
		uoms_buf_free(&st->name);
		uoms_buf_free(&st->out);
		free(st);
	}
	ctx->state = NULL;
}

/* The first page's URL: base_url, path, then since and page. */
static int
first_url(struct uoms_fetch_ctx *ctx, struct uoms_buf *url, char *why,
    size_t whylen)
{
	const struct uoms_channel *c = ctx->channel;
	const char *path = uoms_fetch_setting_str(c, ctx->products ?
	    "products_path" : "path", ctx->products ? NULL : "");

	if (c->base_url == NULL || c->base_url[0] == '\0') {
		snprintf(why, whylen, "base_url is not set");
		return -1;
	}
	if (path == NULL) {
		snprintf(why, whylen, "setting 'products_path' is not set: "
		    "no catalog to fetch");
		return -1;
	}
	uoms_buf_str(url, c->base_url);
	uoms_buf_str(url, path);
	uoms_buf_str(url, strchr(url->p, '?') != NULL ? "&" : "?");
	if (!ctx->products) {
		uoms_buf_str(url, "since=");
		uoms_url_escape(url, ctx->since);
		uoms_buf_str(url, "&");
	}
	uoms_buf_str(url, "page=1");
	return 0;
}

static enum uoms_kind_step
jsonl_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	struct jsonl *st = ctx->state;
	const char *token;
	char twhy[200];

	if (st == NULL) {
		if ((st = calloc(1, sizeof *st)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return UOMS_KIND_FAIL;
		}
		ctx->state = st;
	}
	if (!st->started) {
		if (first_url(ctx, &req->url, why, whylen) < 0)
			return UOMS_KIND_FAIL;
		st->started = 1;
	} else if (st->next == NULL) {
		return UOMS_KIND_DONE;
	} else {
		uoms_buf_str(&req->url, st->next);
	}
	free(st->url);
	st->url = strdup(req->url.p);
	st->page++;
	snprintf(req->method, sizeof req->method, "GET");
	uoms_http_req_header(req, 0, "Accept: application/jsonl, "
	    "application/x-ndjson, application/json;q=0.5");
	if ((token = ctx->secret(ctx, "token", twhy, sizeof twhy)) != NULL)
		uoms_http_req_header(req, 1, "Authorization: Bearer %s", token);
	return UOMS_KIND_REQUEST;
}

/* The target of the Link header's rel="next" as written (a reference to
 * resolve), or NULL. */
static char *
link_next(const struct uoms_http_resp *r)
{
	char *h = malloc(65536), *p, *res = NULL;

	if (h == NULL || uoms_http_header(r, "Link", h, 65536) < 0) {
		free(h);
		return NULL;
	}
	/* <url>; rel="next"; title="x", <url2>; rel=prev */
	for (p = h; res == NULL && (p = strchr(p, '<')) != NULL;) {
		char *end = strchr(p, '>'), *params, *stop;

		if (end == NULL)
			break;
		params = end + 1;
		for (stop = params; *stop != '\0' && *stop != '<'; stop++)
			;
		for (char *q = params; q < stop; q++) {
			size_t k;

			if (strncasecmp(q, "rel=", 4) != 0)
				continue;
			q += 4;
			if (*q == '"')
				q++;
			/* rel may hold several space-separated types,
			 * "next" among them more than once */
			while (q < stop && *q != '"' && *q != ';' && *q != ',') {
				k = strcspn(q, " \";,");
				if (k == 4 && strncasecmp(q, "next", 4) == 0 &&
				    res == NULL)
					res = strndup(p + 1, end - p - 1);
				q += k;
				while (*q == ' ')
					q++;
			}
			break;
		}
		p = stop;
	}
	free(h);
	return res;
}

/* uoms_json_scan's member: keeps the outermost object's members. */
static int
add_member(void *arg, const char *k, const char *kend, const char *v,
    const char *vend)
{
	struct jsonl *st = arg;

	if (st->nm == st->mcap) {
		int cap = st->mcap ? 2 * st->mcap : 32;
		struct member *n = realloc(st->m, cap * sizeof *n);

		if (n == NULL)
			return -1;
		st->m = n;
		st->mcap = cap;
	}
	st->m[st->nm++] = (struct member){ k, kend, v, vend };
	return 0;
}

static int
is_key(const struct member *m, const char *key)
{
	size_t n = strlen(key);

	return (size_t)(m->kend - m->k) == n + 2 &&
	    memcmp(m->k + 1, key, n) == 0;
}

/*
 * Checks one line and emits it: an order's channel is the channel's
 * name (the high water of the next fetch is looked up by it) and its
 * workflow, when it names none, the channel's. Returns 0, or -1 with why.
 */
static int
line(struct uoms_fetch_ctx *ctx, const char *p, size_t n, char *why,
    size_t whylen)
{
	struct jsonl *st = ctx->state;
	const char *workflow = ctx->channel->workflow;
	int i, channels = 0, same = 0, has_workflow = 0, ok;

	st->nm = 0;
	if (!uoms_utf8_valid(p, n)) {
		snprintf(why, whylen, "not valid UTF-8");
		return -1;
	}
	/* The lines are SPEC records already: checked and passed on as
	 * they are, or with the channel member rewritten, some twenty times
	 * faster than parsing them into jansson and printing them back. */
	ok = uoms_json_scan(p, n, add_member, st);
	if (ok < 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (ok == 0) {
		snprintf(why, whylen, "not JSON");
		return -1;
	}
	while (n > 0 && strchr(" \t\r\n", *p) != NULL)
		p++, n--;
	if (*p != '{') {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if (ctx->products)
		return uoms_fetch_emit_text(ctx, p, n) < 0 ? -1 : 0;
	for (i = 0; i < st->nm; i++) {
		const struct member *m = &st->m[i];

		if (is_key(m, "channel")) {
			channels++;
			same = (size_t)(m->vend - m->v) == st->name.n &&
			    memcmp(m->v, st->name.p, st->name.n) == 0;
		}
		has_workflow |= is_key(m, "workflow");
	}
	if (channels == 1 && same && (has_workflow || workflow == NULL))
		return uoms_fetch_emit_text(ctx, p, n) < 0 ? -1 : 0;
	uoms_buf_clear(&st->out);
	uoms_buf_str(&st->out, "{\"channel\":");
	uoms_buf_add(&st->out, st->name.p, st->name.n);
	for (i = 0; i < st->nm; i++) {
		if (is_key(&st->m[i], "channel"))
			continue;
		uoms_buf_add(&st->out, ",", 1);
		uoms_buf_add(&st->out, st->m[i].k, st->m[i].vend - st->m[i].k);
	}
	if (!has_workflow && workflow != NULL) {
		uoms_buf_str(&st->out, ",\"workflow\":");
		uoms_buf_json_string(&st->out, workflow, strlen(workflow));
	}
	uoms_buf_add(&st->out, "}", 1);
	return uoms_fetch_emit_text(ctx, st->out.p, st->out.n) < 0 ? -1 : 0;
}

/* kind.h, line: one line as it arrives. */
static int
jsonl_line(struct uoms_fetch_ctx *ctx, const char *p, size_t n, char *why,
    size_t whylen)
{
	struct jsonl *st = ctx->state;

	if (st == NULL) {
		snprintf(why, whylen, "an answer before any request");
		return -1;
	}
	if (st->name.n == 0)
		uoms_buf_json_string(&st->name, ctx->channel->name,
		    strlen(ctx->channel->name));
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (uoms_line_blank(p, n))
		return 0;
	return line(ctx, p, n, why, whylen);
}

/* The lines of a body given whole (under a test or a fuzzer: the engine
 * streams them through jsonl_line), then the next link. */
static int
jsonl_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct jsonl *st = ctx->state;
	const char *p = r->body, *end = r->body + r->len;
	long lineno = 0;
	char lwhy[600], *ref;

	if (st == NULL) {
		snprintf(why, whylen, "an answer before any request");
		return -1;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *stop = eol != NULL ? eol : end;

		lineno++;
		if (jsonl_line(ctx, p, stop - p, lwhy, sizeof lwhy) < 0) {
			snprintf(why, whylen, "page %d, line %ld: %s", st->page,
			    lineno, lwhy);
			return -1;
		}
		p = (eol != NULL ? eol : end) + 1;
	}
	free(st->next);
	st->next = NULL;
	if ((ref = link_next(r)) == NULL)
		return 0;
	if (uoms_url_next(ctx->channel->base_url, st->url, ref, strlen(ref),
	    &st->link, lwhy, sizeof lwhy) < 0) {
		snprintf(why, whylen, "page %d: %s", st->page, lwhy);
		free(ref);
		return -1;
	}
	free(ref);
	if ((st->next = strdup(st->link.p)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (strcmp(st->next, st->url) == 0) {
		snprintf(why, whylen, "page %d: its Link rel=\"next\" points "
		    "at itself", st->page);
		return -1;
	}
	return 0;
}

static int
jsonl_push(struct uoms_fetch_ctx *ctx, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	const struct uoms_channel *c = ctx->channel;
	const char *path = uoms_fetch_setting_str(c, "push_path", "push");
	const char *token;
	char twhy[200];
	json_t *body;
	char *text;

	(void)answer;
	if (c->base_url == NULL || c->base_url[0] == '\0') {
		snprintf(why, whylen, "base_url is not set");
		return -1;
	}
	body = json_pack("{s:s, s:s}", "external_order_id",
	    it->external_order_id, "push", it->push);
	if (body != NULL && it->carrier != NULL) {
		json_object_set_new(body, "carrier", json_string(it->carrier));
		json_object_set_new(body, "carrier_code",
		    json_string(it->carrier));
	}
	if (body != NULL && it->tracking_number != NULL)
		json_object_set_new(body, "tracking_number",
		    json_string(it->tracking_number));
	if (body == NULL || (text = json_dumps(body, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(body);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	json_decref(body);
	uoms_buf_str(&req->url, c->base_url);
	/* "push" on "http://host" is "http://host/push", not "...hostpush". */
	if (path[0] != '/' && req->url.p[req->url.n - 1] != '/')
		uoms_buf_str(&req->url, "/");
	uoms_buf_str(&req->url, path);
	snprintf(req->method, sizeof req->method, "POST");
	uoms_buf_str(&req->body, text);
	free(text);
	uoms_http_req_header(req, 0, "Content-Type: application/json");
	uoms_http_req_header(req, 0, "Accept: application/json");
	if ((token = ctx->secret(ctx, "token", twhy, sizeof twhy)) != NULL)
		uoms_http_req_header(req, 1, "Authorization: Bearer %s", token);
	return 0;
}

/* The answer as a JSON text: the body when it is JSON, else a string. */
static void
answer_text(const struct uoms_http_resp *r, struct uoms_buf *answer)
{
	json_t *j = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
	char *t;

	if (j == NULL)
		j = json_stringn(r->body, r->len < 200 ? r->len : 200);
	if (j == NULL || (t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(j);
		uoms_buf_str(answer, "null");
		return;
	}
	uoms_buf_str(answer, t);
	free(t);
	json_decref(j);
}

static int
jsonl_pushed(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	json_t *j, *m;

	(void)ctx;
	if (r->status >= 200 && r->status <= 299) {
		answer_text(r, answer);
		return 1;
	}
	if (r->status < 400 || r->status > 499 || r->status == 401 ||
	    r->status == 403 || r->status == 429)
		return -1;
	answer_text(r, answer);
	j = json_loadb(r->body, r->len, 0, NULL);
	m = json_object_get(j, "message");
	if (json_is_string(m))
		snprintf(why, whylen, "HTTP %ld: %s", r->status,
		    json_string_value(m));
	else
		snprintf(why, whylen, "HTTP %ld", r->status);
	json_decref(j);
	return 0;
}

static int
jsonl_wants_ack(const struct uoms_channel *c)
{
	json_t *v = c->settings != NULL ? json_object_get(c->settings,
	    "push_ack") : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (json_is_false(v))
		return 0;
	return s == NULL || (strcmp(s, "false") != 0 && strcmp(s, "no") != 0 &&
	    strcmp(s, "0") != 0);
}

const struct uoms_kind uoms_kind_http_jsonl = {
	.name = "http-jsonl",
	.next = jsonl_next,
	.take = jsonl_take,
	.line = jsonl_line,
	.done = jsonl_done,
	.max_rate = 0,
	.push = jsonl_push,
	.pushed = jsonl_pushed,
	.wants_ack = jsonl_wants_ack,
};
