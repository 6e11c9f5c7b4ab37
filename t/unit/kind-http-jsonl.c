/*
 * kind http-jsonl and next links: RFC 3986 section 5.4's examples
 * resolved by uoms_url_next, links refused unless http(s) on the
 * channel's origin (another host or port, https down to http, file:,
 * other schemes), origins compared as RFC 6454 says, and the kind's
 * take() and line() on canned answers: lines emitted, the next request
 * where the Link said, a foreign Link failing the page; its push
 * requests and how it reads their answers. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kind.h"

extern const struct uoms_kind uoms_kind_http_jsonl;

#include "tap.h"

/* RFC 3986 5.4.1 and 5.4.2, against http://a/b/c/d;p?q: what each
 * reference resolves to (the fragment dropped: it is never sent). */
static const char *const rfc[][2] = {
	{ "g", "http://a/b/c/g" },
	{ "./g", "http://a/b/c/g" },
	{ "g/", "http://a/b/c/g/" },
	{ "/g", "http://a/g" },
	{ "?y", "http://a/b/c/d;p?y" },
	{ "g?y", "http://a/b/c/g?y" },
	{ "#s", "http://a/b/c/d;p?q" },
	{ "g#s", "http://a/b/c/g" },
	{ "g?y#s", "http://a/b/c/g?y" },
	{ ";x", "http://a/b/c/;x" },
	{ "g;x", "http://a/b/c/g;x" },
	{ ".", "http://a/b/c/" },
	{ "./", "http://a/b/c/" },
	{ "..", "http://a/b/" },
	{ "../", "http://a/b/" },
	{ "../g", "http://a/b/g" },
	{ "../..", "http://a/" },
	{ "../../", "http://a/" },
	{ "../../g", "http://a/g" },
	{ "../../../g", "http://a/g" },
	{ "../../../../g", "http://a/g" },
	{ "/./g", "http://a/g" },
	{ "/../g", "http://a/g" },
	{ "g.", "http://a/b/c/g." },
	{ "..g", "http://a/b/c/..g" },
	{ "./../g", "http://a/b/g" },
	{ "g/./h", "http://a/b/c/g/h" },
	{ "g/../h", "http://a/b/c/h" },
	{ "http://a/b/c/g", "http://a/b/c/g" },
	{ "HTTP://A:80/x", "http://A:80/x" },
	{ "", "http://a/b/c/d;p?q" },
	{ "//a/x", "http://a/x" },
};

/* Links that must not be followed from http://a/b/c/d;p?q (channel
 * http://a/b), and the start of why. */
static const char *const refused[][2] = {
	{ "g:h", "its next link 'g:h' is not " },
	{ "file:///etc/passwd", "its next link 'file:///etc/passwd' is not "
	    "http or https" },
	{ "ftp://a/x", "its next link 'ftp://a/x' is not http or https" },
	{ "//g", "its next link is on another origin (http://g), not the "
	    "channel's (http://a)" },
	{ "//a:8080/x", "its next link is on another origin (http://a:8080)" },
	{ "https://a/x", "its next link is on another origin (https://a)" },
	{ "http://a.evil/x", "its next link is on another origin "
	    "(http://a.evil)" },
	{ "http://a@b/x", "its next link is on another origin (http://b)" },
};

static void
test_resolve(void)
{
	struct uoms_buf out = { 0 };
	char why[300];
	size_t i;

	for (i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
		char what[200];

		why[0] = '\0';
		snprintf(what, sizeof what, "'%s' resolves as RFC 3986 says",
		    rfc[i][0]);
		if (uoms_url_next("http://a/b", "http://a/b/c/d;p?q", rfc[i][0],
		    strlen(rfc[i][0]), &out, why, sizeof why) < 0) {
			ok(0, "%s", what);
			printf("#   refused: %s\n", why);
			continue;
		}
		is(out.p, rfc[i][1], what);
	}
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		int rc;

		why[0] = '\0';
		rc = uoms_url_next("http://a/b", "http://a/b/c/d;p?q",
		    refused[i][0], strlen(refused[i][0]), &out, why,
		    sizeof why);
		ok(rc < 0 && strncmp(why, refused[i][1],
		    strlen(refused[i][1])) == 0, "'%s' is refused", refused[i][0]);
		if (rc == 0 || strncmp(why, refused[i][1],
		    strlen(refused[i][1])) != 0)
			printf("#   got: %d %s\n", rc, rc < 0 ? why : out.p);
	}
	/* From https, an http link is a downgrade even to the same host. */
	ok(uoms_url_next("https://a/", "https://a/o?page=1", "http://a/o?page=2",
	    17, &out, why, sizeof why) < 0, "https down to http is refused");
	/* The default port is the same origin, written or not. */
	ok(uoms_url_next("https://a/", "https://a/o", "https://a:443/o?page=2",
	    22, &out, why, sizeof why) == 0, "https://a:443 is https://a");
	/* Only n bytes of the reference are read. */
	ok(uoms_url_next("http://a/", "http://a/o", "p2>; rel=next", 2, &out,
	    why, sizeof why) == 0 && strcmp(out.p, "http://a/p2") == 0,
	    "the reference is n bytes long");
	uoms_buf_free(&out);
}

static void
test_origin(void)
{
	char o[300];

	ok(uoms_url_origin("HTTPS://Shop.Example:443/x?y", o, sizeof o) == 0,
	    "an origin");
	is(o, "https://shop.example", "scheme and host lower-cased, default "
	    "port left out");
	uoms_url_origin("http://127.0.0.1:8080/orders", o, sizeof o);
	is(o, "http://127.0.0.1:8080", "another port is kept");
	ok(uoms_url_origin("not a url", o, sizeof o) < 0 && o[0] == '\0',
	    "no origin in what is not a URL");
}

/* A fetch context over an http-jsonl channel; records emitted in out. */
struct fixture {
	struct uoms_fetch_ctx ctx;
	struct uoms_channel ch;
	json_t *out;
};

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	(void)ctx;
	if (strcmp(name, "token") == 0)
		return "tok-Unit-1";
	snprintf(why, whylen, "secret %s is not set", name);
	return NULL;
}

static void
fx_emit(struct uoms_fetch_ctx *ctx, json_t *record)
{
	json_array_append(((struct fixture *)ctx)->out, record);
}

static void
fx_init(struct fixture *f, const char *base_url)
{
	memset(f, 0, sizeof *f);
	f->ch.name = "inhouse";
	f->ch.kind = "http-jsonl";
	f->ch.base_url = (char *)base_url;
	f->ch.enabled = 1;
	f->ch.settings = json_object();
	f->ctx.channel = &f->ch;
	f->ctx.since = "2026-11-21T00:00:00Z";
	f->ctx.until = "2026-11-22T00:00:00Z";
	f->ctx.secret = fx_secret;
	f->ctx.emit = fx_emit;
	f->out = json_array();
}

static void
fx_free(struct fixture *f)
{
	uoms_kind_http_jsonl.done(&f->ctx);
	json_decref(f->ch.settings);
	json_decref(f->out);
}

static int
fx_take(struct fixture *f, const char *headers, const char *body, char *why,
    size_t whylen)
{
	struct uoms_http_resp r = { 200, body, strlen(body), headers,
	    strlen(headers) };

	why[0] = '\0';
	return uoms_kind_http_jsonl.take(&f->ctx, &r, why, whylen);
}

static void
test_kind(void)
{
	struct uoms_http_req req = { 0 };
	struct fixture f;
	char why[600];

	fx_init(&f, "http://orders.example/api/orders");
	ok(uoms_kind_http_jsonl.next(&f.ctx, &req, why, sizeof why) ==
	    UOMS_KIND_REQUEST, "the first request");
	is(req.url.p, "http://orders.example/api/orders?since=2026-11-21T00%3A"
	    "00%3A00Z&page=1", "first page: since and page=1");
	ok(fx_take(&f, "HTTP/1.1 200 OK\r\nLink: <p2?after=x>; rel=\"next\"\r\n",
	    "{\"external_order_id\":\"1\"}\n\r\n{\"external_order_id\":\"2\"}",
	    why, sizeof why) == 0, "a page taken whole");
	ok(json_array_size(f.out) == 2, "its two lines emitted, the blank one "
	    "skipped");
	is(json_string_value(json_object_get(json_array_get(f.out, 0),
	    "channel")), "inhouse", "channel set to the channel's name");
	uoms_http_req_free(&req);
	ok(uoms_kind_http_jsonl.next(&f.ctx, &req, why, sizeof why) ==
	    UOMS_KIND_REQUEST, "the second request");
	is(req.url.p, "http://orders.example/api/p2?after=x", "where the "
	    "relative Link pointed, resolved against the page");
	/* Lines one by one, as the engine streams them. */
	ok(uoms_kind_http_jsonl.line(&f.ctx, "{\"external_order_id\":\"3\"}\r",
	    26, why, sizeof why) == 0 && json_array_size(f.out) == 3,
	    "a line handed over alone (its CR dropped)");
	ok(uoms_kind_http_jsonl.line(&f.ctx, "[1]", 3, why, sizeof why) < 0,
	    "a line that is not an object is refused");
	is(why, "not a JSON object", "saying so, without a line number");
	ok(fx_take(&f, "HTTP/1.1 200 OK\r\nLink: <https://evil.example/?t="
	    "tok-Unit-1>; rel=\"next\"\r\n", "", why, sizeof why) < 0,
	    "a Link to another origin fails the page");
	is(why, "page 2: its next link is on another origin "
	    "(https://evil.example), not the channel's "
	    "(http://orders.example): not followed", "naming both origins");
	uoms_http_req_free(&req);
	ok(uoms_kind_http_jsonl.next(&f.ctx, &req, why, sizeof why) ==
	    UOMS_KIND_DONE, "and nothing more is asked");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "http://orders.example/o");
	uoms_kind_http_jsonl.next(&f.ctx, &req, why, sizeof why);
	ok(fx_take(&f, "HTTP/1.1 200 OK\r\nLink: <file:///etc/passwd>; "
	    "rel=\"next\"\r\n", "", why, sizeof why) < 0, "a file: Link fails "
	    "the page");
	is(why, "page 1: its next link 'file:///etc/passwd' is not http or "
	    "https: not followed", "saying why");
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* Push mode: the request uoms-push(1) documents, and answers read. */
static void
test_push(void)
{
	struct uoms_push_item ack = { 7, "E7", "ack", NULL, NULL, NULL };
	struct uoms_push_item ship = { 7, "E7", "ship", "cj", "6400", NULL };
	struct uoms_http_req req = { 0 };
	struct uoms_buf answer = { 0 };
	struct uoms_http_resp r = { 0 };
	struct fixture f;
	char why[300] = "";

	fx_init(&f, "http://orders.example");
	ok(uoms_kind_http_jsonl.push(&f.ctx, &ack, &req, &answer, why,
	    sizeof why) == 0, "an ack is a request");
	is(req.method, "POST", "a POST");
	is(req.url.p, "http://orders.example/push", "to base_url/push");
	is(req.body.p, "{\"external_order_id\":\"E7\",\"push\":\"ack\"}",
	    "an ack's body");
	ok(req.nheaders == 3 && req.secret_header[2] &&
	    strcmp(req.headers[2], "Authorization: Bearer tok-Unit-1") == 0,
	    "the token, a secret header");
	uoms_http_req_free(&req);
	json_object_set_new(f.ch.settings, "push_path", json_string("/api/"
	    "ship"));
	ok(uoms_kind_http_jsonl.push(&f.ctx, &ship, &req, &answer, why,
	    sizeof why) == 0, "a shipment is a request");
	is(req.url.p, "http://orders.example/api/ship", "to push_path");
	is(req.body.p, "{\"external_order_id\":\"E7\",\"push\":\"ship\","
	    "\"carrier\":\"cj\",\"carrier_code\":\"cj\","
	    "\"tracking_number\":\"6400\"}", "a shipment's body");
	uoms_http_req_free(&req);
	r.status = 201;
	r.body = "{\"ok\":true}";
	r.len = strlen(r.body);
	ok(uoms_kind_http_jsonl.pushed(&f.ctx, &r, &answer, why,
	    sizeof why) == 1, "a 201 accepts it");
	is(answer.p, "{\"ok\":true}", "its body the answer");
	uoms_buf_clear(&answer);
	r.status = 409;
	r.body = "{\"message\":\"already shipped\"}";
	r.len = strlen(r.body);
	ok(uoms_kind_http_jsonl.pushed(&f.ctx, &r, &answer, why,
	    sizeof why) == 0, "a 409 refuses it");
	is(why, "HTTP 409: already shipped", "with the channel's message");
	r.status = 503;
	ok(uoms_kind_http_jsonl.pushed(&f.ctx, &r, &answer, why,
	    sizeof why) < 0, "a 503 is the engine's (retried)");
	r.status = 401;
	ok(uoms_kind_http_jsonl.pushed(&f.ctx, &r, &answer, why,
	    sizeof why) < 0, "a 401 is the engine's (authentication)");
	ok(uoms_kind_http_jsonl.wants_ack(&f.ch), "an ack by default");
	json_object_set_new(f.ch.settings, "push_ack", json_false());
	ok(!uoms_kind_http_jsonl.wants_ack(&f.ch), "none with push_ack: false");
	json_object_set_new(f.ch.settings, "push_ack", json_string("false"));
	ok(!uoms_kind_http_jsonl.wants_ack(&f.ch), "nor with \"false\"");
	uoms_buf_free(&answer);
	fx_free(&f);
}

int
main(void)
{
	test_resolve();
	test_origin();
	test_kind();
	test_push();
	printf("1..%d\n", tests);
	return failed != 0;
}
