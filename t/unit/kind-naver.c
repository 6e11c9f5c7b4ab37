/*
 * kind naver: the known-answer client_secret_sign, the token request and
 * its caching, the change list (spans of 24 hours, more/moreSequence
 * paging), the product order lookups and queries (at most 300 ids), the
 * mapping of canned answers onto records (every field, every status,
 * every workflow, the order status from its product orders), broken
 * answers, and uoms-push's confirm and dispatch (bodies, batches, the
 * token, how answers are read). Prints TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <crypt.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "carrier.h"
#include "kind-naver.h"
#include "kind.h"
#include "order.h"
#include "rfc3339.h"

extern const struct uoms_kind uoms_kind_naver;

#include "tap.h"

#define SECRET "$2a$04$abcdefghijklmnopqrstuu"

/*
 * client_secret_sign computed here, not by the code under test: bcrypt of
 * "client_id_timestamp" with the secret as salt, in base64. A request
 * signed at the clock's time has no literal to compare with; this is the
 * next best thing. The fixed vectors in test_sign() were computed with
 * python3 (crypt, base64) when the tests were written.
 */
static const char *
ref_sign(const char *id, const char *ts, const char *secret, char *out,
    size_t outlen)
{
	struct crypt_data cd;
	char pw[256];
	const char *h;

	memset(&cd, 0, sizeof cd);
	snprintf(pw, sizeof pw, "%s_%s", id, ts);
	h = crypt_r(pw, secret, &cd);
	if (h == NULL || *h == '*' || outlen < 4 * (strlen(h) + 2) / 3 + 1)
		return "(bcrypt failed)";
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)h,
	    (int)strlen(h));
	return out;
}

struct fixture {
	struct uoms_fetch_ctx ctx;	/* first: the callbacks cast back */
	struct uoms_channel ch;
	const char *id, *secret;
	char token[256], expires[64];
	int kept;
	json_t *out;
	struct uoms_http_req req;
	char why[256];
};

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct fixture *f = (struct fixture *)ctx;
	const char *v = strcmp(name, "client_id") == 0 ? f->id :
	    strcmp(name, "client_secret") == 0 ? f->secret :
	    strcmp(name, "token") == 0 && f->token[0] != '\0' ? f->token :
	    NULL;

	if (v == NULL)
		snprintf(why, whylen, "secret '%s' is not set", name);
	return v;
}

static void
fx_keep(struct uoms_fetch_ctx *ctx, const char *name, const char *value,
    const char *expires)
{
	struct fixture *f = (struct fixture *)ctx;

	if (strcmp(name, "token") == 0) {
		snprintf(f->token, sizeof f->token, "%s", value);
		snprintf(f->expires, sizeof f->expires, "%s", expires);
		f->kept++;
	}
}

static void
fx_emit(struct uoms_fetch_ctx *ctx, json_t *rec)
{
	json_array_append(((struct fixture *)ctx)->out, rec);
}

static void
fx_init(struct fixture *f, const char *workflow, const char *since,
    const char *until, const char *token)
{
	memset(f, 0, sizeof *f);
	f->ch.name = "smartstore";
	f->ch.kind = "naver";
	f->ch.base_url = "http://127.0.0.1:9/";
	f->ch.workflow = (char *)workflow;
	f->ch.enabled = 1;
	f->ch.settings = json_object();
	f->id = "aaaabbbbcccc";
	f->secret = SECRET;
	if (token != NULL)
		snprintf(f->token, sizeof f->token, "%s", token);
	f->ctx.channel = &f->ch;
	f->ctx.since = since;
	f->ctx.until = until;
	f->ctx.secret = fx_secret;
	f->ctx.keep_secret = fx_keep;
	f->ctx.emit = fx_emit;
	f->out = json_array();
}

static void
fx_free(struct fixture *f)
{
	uoms_kind_naver.done(&f->ctx);
	uoms_http_req_free(&f->req);
	json_decref(f->ch.settings);
	json_decref(f->out);
}

static enum uoms_kind_step
fx_next(struct fixture *f)
{
	uoms_http_req_free(&f->req);
	f->why[0] = '\0';
	return uoms_kind_naver.next(&f->ctx, &f->req, f->why, sizeof f->why);
}

static int
fx_take_status(struct fixture *f, long status, const char *body)
{
	struct uoms_http_resp r = { .status = status, .body = body,
	    .len = strlen(body), .headers = "", .headers_len = 0 };

	f->why[0] = '\0';
	return uoms_kind_naver.take(&f->ctx, &r, f->why, sizeof f->why);
}

static int
fx_take(struct fixture *f, const char *body)
{
	return fx_take_status(f, 200, body);
}

static const char *
header(struct fixture *f, const char *name, int *secret)
{
	size_t n = strlen(name);

	for (int i = 0; i < f->req.nheaders; i++)
		if (strncmp(f->req.headers[i], name, n) == 0 &&
		    f->req.headers[i][n] == ':') {
			if (secret != NULL)
				*secret = f->req.secret_header[i];
			return f->req.headers[i] + n + 2;
		}
	return NULL;
}

/* The value of parameter name in a query or form (decoded), into out. */
static const char *
param(const char *q, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), k = 0;
	const char *p = strchr(q, '?') != NULL ? strchr(q, '?') + 1 : q;

	out[0] = '\0';
	for (; p != NULL && *p != '\0'; p = strchr(p, '&') ? strchr(p, '&') +
	    1 : NULL) {
		if (strncmp(p, name, n) != 0 || p[n] != '=')
			continue;
		for (p += n + 1; *p != '\0' && *p != '&' && k + 1 < outlen;
		    p++) {
			unsigned int c;

			if (*p == '%' && sscanf(p + 1, "%2x", &c) == 1) {
				out[k++] = (char)c;
				p += 2;
			} else
				out[k++] = *p == '+' ? ' ' : *p;
		}
		out[k] = '\0';
		break;
	}
	return out;
}

static int
valid(json_t *rec, char *msg, size_t msglen)
{
	static struct uoms_parser *p;
	struct uoms_order o;
	struct uoms_error e = { 0 };
	char *s = json_dumps(rec, JSON_COMPACT);
	int rc;

	if (p == NULL)
		p = uoms_parser_new();
	rc = uoms_order_parse(p, s, strlen(s), &o, &e) == UOMS_OK;
	snprintf(msg, msglen, "%.200s", rc ? "" : e.msg);
	free(s);
	return rc;
}

/* A product order as the query answers it, with extra productOrder
 * members (JSON text without braces, or ""). */
static void
po(struct uoms_buf *b, const char *oid, const char *pid,
    const char *status, const char *extra)
{
	uoms_buf_printf(b, "{\"order\":{\"orderId\":\"%s\",\"orderDate\":"
	    "\"2026-05-13T09:00:00.000+09:00\",\"ordererName\":\"김*수\","
	    "\"ordererTel\":\"010-1111-2222\",\"paymentDate\":"
	    "\"2026-05-13T09:01:30.500+09:00\"},\"productOrder\":{"
	    "\"productOrderId\":\"%s\",\"productOrderStatus\":\"%s\","
	    "\"quantity\":1,\"unitPrice\":1000,\"totalPaymentAmount\":1000"
	    "%s%s}}",
	    oid, pid, status, *extra != '\0' ? "," : "", extra);
}

static void
test_sign(void)
{
	char out[128], why[256];

	ok(uoms_naver_sign("aaaabbbbcccc", "1643956077762", SECRET, out,
	    sizeof out, why, sizeof why) == 0, "sign: computes");
	is(out, "JDJhJDA0JGFiY2RlZmdoaWprbG1ub3BxcnN0dXVmRGpyRUdMM0JqdmVGNVRI"
	    "bk0uVGRMRkVNZWNxTXFP", "sign: the known answer of the issue");
	uoms_naver_sign("aaaabbbbcccc", "1643956077763", SECRET, out,
	    sizeof out, why, sizeof why);
	is(out, "JDJhJDA0JGFiY2RlZmdoaWprbG1ub3BxcnN0dXVuT2s5ZW5tbUtxZm1ZVy52"
	    "a2dyVkFmVTA3THdGcmVX", "sign: the timestamp is signed (python3 "
	    "crypt)");
	ok(uoms_naver_sign("aaaabbbbcccc", "1", "plain-secret", out,
	    sizeof out, why, sizeof why) < 0 && strstr(why, "bcrypt") != NULL
	    && strstr(why, "plain-secret") == NULL, "sign: a secret that is "
	    "no bcrypt salt is refused, not shown (%s)", why);
	ok(uoms_naver_sign("aaaabbbbcccc", "1", "$2a$04$short", out,
	    sizeof out, why, sizeof why) < 0, "sign: a short salt is refused "
	    "(%s)", why);
	ok(uoms_naver_sign("aaaabbbbcccc", "1643956077762", SECRET, out, 40,
	    why, sizeof why) < 0, "sign: a short buffer is refused");
}

static const char token_answer[] = "{\"access_token\":\"tok-abc\","
    "\"expires_in\":10800,\"token_type\":\"Bearer\"}";

static void
test_token(void)
{
	struct fixture f;
	char v[256], sign[128], soon[32], later[32];
	int secret = 0;

	fx_init(&f, NULL, "2026-05-13T01:02:03Z", "2026-05-13T05:00:00Z",
	    NULL);
	ok(fx_next(&f) == UOMS_KIND_REQUEST, "token: asked first");
	is(f.req.method, "POST", "token: POST");
	is(f.req.url.p, "http://127.0.0.1:9/external/v1/oauth2/token",
	    "token: URL under /external");
	is(header(&f, "Content-Type", NULL),
	    "application/x-www-form-urlencoded", "token: a form");
	is(param(f.req.body.p, "client_id", v, sizeof v), "aaaabbbbcccc",
	    "token: client_id");
	is(param(f.req.body.p, "grant_type", v, sizeof v),
	    "client_credentials", "token: grant_type");
	is(param(f.req.body.p, "type", v, sizeof v), "SELF", "token: type");
	param(f.req.body.p, "timestamp", v, sizeof v);
	long long ts = atoll(v), now = (long long)time(NULL) * 1000;
	ok(strlen(v) == 13 && ts > now - 60000 && ts <= now + 60000,
	    "token: timestamp is now in ms (%s)", v);
	ref_sign("aaaabbbbcccc", v, SECRET, sign, sizeof sign);
	is(param(f.req.body.p, "client_secret_sign", v, sizeof v), sign,
	    "token: client_secret_sign signs client_id_timestamp");
	ok(strstr(f.req.url.p, "abcdefghijklmnopqrstuu") == NULL,
	    "token: no secret in the URL");
	ok(fx_take(&f, token_answer) == 0, "token: the answer is taken");
	ok(f.kept == 1 && strcmp(f.token, "tok-abc") == 0, "token: kept "
	    "sealed for the next fetch");
	uoms_time_after(3 * 3600 - 600 - 5, soon);
	uoms_time_after(3 * 3600 - 600 + 5, later);
	ok(strcmp(f.expires, soon) >= 0 && strcmp(f.expires, later) <= 0,
	    "token: kept until 10 minutes before its 3 hours (%s)", f.expires);
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strcmp(f.req.method, "GET") ==
	    0 && strstr(f.req.url.p, "/last-changed-statuses?") != NULL,
	    "token: then the changes");
	is(header(&f, "Authorization", &secret), "Bearer tok-abc",
	    "token: used as a bearer");
	ok(secret, "token: the Authorization header is marked secret");
	fx_free(&f);

	/* A kept token is reused: no token request. */
	fx_init(&f, NULL, "2026-05-13T01:02:03Z", "2026-05-13T05:00:00Z",
	    "tok-kept");
	fx_next(&f);
	ok(strcmp(f.req.method, "GET") == 0 && strstr(f.req.url.p,
	    "/last-changed-statuses?") != NULL, "token: a kept token is "
	    "reused");
	is(header(&f, "Authorization", NULL), "Bearer tok-kept",
	    "token: the kept one");
	fx_free(&f);

	/* A string expires_in; a short life is not kept. */
	fx_init(&f, NULL, NULL, NULL, NULL);
	fx_next(&f);
	fx_take(&f, "{\"access_token\":\"t2\",\"expires_in\":\"10800\"}");
	ok(f.kept == 1, "token: expires_in as a string");
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, NULL);
	fx_next(&f);
	fx_take(&f, "{\"access_token\":\"t3\",\"expires_in\":60}");
	ok(f.kept == 0 && fx_next(&f) == UOMS_KIND_REQUEST &&
	    strcmp(header(&f, "Authorization", NULL), "Bearer t3") == 0,
	    "token: a token about to die is used, not kept");
	fx_free(&f);

	/* Wrong or missing secrets. */
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.secret = NULL;
	ok(fx_next(&f) == UOMS_KIND_FAIL && strstr(f.why, "client_secret") !=
	    NULL, "token: no client_secret fails (%s)", f.why);
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.secret = "not-bcrypt";
	ok(fx_next(&f) == UOMS_KIND_FAIL && strstr(f.why, "not-bcrypt") ==
	    NULL, "token: a client_secret bcrypt refuses fails, unshown (%s)",
	    f.why);
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.ctx.products = 1;
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strstr(f.req.url.p,
	    "/oauth2/token") != NULL, "token: --products asks a token first "
	    "(%s)", f.why);
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.ch.base_url = "http://api.commerce.naver.com";
	ok(fx_next(&f) == UOMS_KIND_FAIL && strstr(f.why, "not https") != NULL,
	    "token: a plain http base is refused (%s)", f.why);
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.ch.base_url = "https://api.commerce.naver.com/external/";
	fx_next(&f);
	is(f.req.url.p, "https://api.commerce.naver.com/external/v1/oauth2/"
	    "token", "token: a base ending in /external is taken as it is");
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.ch.base_url = NULL;
	fx_next(&f);
	is(f.req.url.p, "https://api.commerce.naver.com/external/v1/oauth2/"
	    "token", "token: the default base");
	fx_free(&f);
	fx_init(&f, NULL, "soon", NULL, NULL);
	ok(fx_next(&f) == UOMS_KIND_FAIL && strstr(f.why, "soon") != NULL,
	    "token: a bad since fails (%s)", f.why);
	fx_free(&f);
}

static void
test_paging(void)
{
	struct fixture f;
	struct uoms_buf b = { 0 };
	char v[256];

	/* 50 hours: three spans of 24 hours (less a millisecond). */
	fx_init(&f, NULL, "2026-05-13T01:02:03Z", "2026-05-15T03:02:03Z",
	    "tok");
	fx_next(&f);
	is(param(f.req.url.p, "lastChangedFrom", v, sizeof v),
	    "2026-05-13T10:02:03.000+09:00", "paging: from since, in KST");
	is(param(f.req.url.p, "lastChangedTo", v, sizeof v),
	    "2026-05-14T10:02:02.999+09:00", "paging: to 24 hours later");
	ok(strstr(f.req.url.p, "lastChangedFrom=2026-05-13T10%3A02%3A03.000%2B"
	    "09%3A00&") != NULL, "paging: the time is percent-encoded");
	ok(strstr(f.req.url.p, "moreSequence") == NULL, "paging: no "
	    "moreSequence at first");

	/* A full answer with more: the same span goes on from moreFrom. */
	ok(fx_take(&f, "{\"timestamp\":\"2026-05-15T12:00:00.000+09:00\","
	    "\"traceId\":\"t\",\"data\":{\"count\":2,\"lastChangeStatuses\":["
	    "{\"orderId\":\"2026051300001\",\"productOrderId\":\"9001\","
	    "\"lastChangedDate\":\"2026-05-13T11:00:00.000+09:00\","
	    "\"productOrderStatus\":\"PAYED\"},"
	    "{\"orderId\":\"2026051300001\",\"productOrderId\":\"9002\","
	    "\"lastChangedDate\":\"2026-05-13T11:00:05.000+09:00\","
	    "\"productOrderStatus\":\"PAYED\"}],"
	    "\"more\":{\"moreFrom\":\"2026-05-13T12:00:00.000+09:00\","
	    "\"moreSequence\":\"0000042\"}}}") == 0, "paging: a page with "
	    "more is taken");
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strcmp(f.req.url.p,
	    "http://127.0.0.1:9/external/v1/pay-order/seller/orders/"
	    "2026051300001/product-order-ids") == 0, "paging: then the "
	    "product orders of the order that changed, once");
	ok(fx_take(&f, "{\"timestamp\":\"x\",\"traceId\":\"t\",\"data\":["
	    "\"9001\",\"9002\",\"9003\"]}") == 0, "paging: its product order "
	    "ids are taken");
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strcmp(f.req.method, "POST") ==
	    0 && strstr(f.req.url.p, "/v1/pay-order/seller/product-orders/"
	    "query") != NULL, "paging: then the query");
	is(f.req.body.p, "{\"productOrderIds\":[\"9001\",\"9002\",\"9003\"]}",
	    "paging: of all three, the unchanged one too");
	is(header(&f, "Content-Type", NULL), "application/json",
	    "paging: a JSON body");
	uoms_buf_str(&b, "{\"timestamp\":\"x\",\"traceId\":\"t\",\"data\":[");
	po(&b, "2026051300001", "9001", "PAYED", "");
	uoms_buf_str(&b, ",");
	po(&b, "2026051300001", "9002", "PAYED", "");
	uoms_buf_str(&b, "]}");
	ok(fx_take(&f, b.p) == 0 && json_array_size(f.out) == 0,
	    "paging: an order short of a product order waits");
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strstr(f.req.url.p,
	    "last-changed-statuses") != NULL && json_array_size(f.out) == 1,
	    "paging: after the last query it goes out with what came");
	is(param(f.req.url.p, "lastChangedFrom", v, sizeof v),
	    "2026-05-13T12:00:00.000+09:00", "paging: from moreFrom");
	is(param(f.req.url.p, "moreSequence", v, sizeof v), "0000042",
	    "paging: with moreSequence");
	is(param(f.req.url.p, "lastChangedTo", v, sizeof v),
	    "2026-05-14T10:02:02.999+09:00", "paging: in the same span");

	/* The order again, not newer than emitted: skipped. */
	ok(fx_take(&f, "{\"data\":{\"count\":1,\"lastChangeStatuses\":[{"
	    "\"orderId\":\"2026051300001\",\"productOrderId\":\"9002\","
	    "\"lastChangedDate\":\"2026-05-13T11:00:05.000+09:00\"}]}}") == 0,
	    "paging: the last page of a span");
	fx_next(&f);
	ok(strstr(f.req.url.p, "last-changed-statuses") != NULL,
	    "paging: an order no newer than emitted is not asked again");
	is(param(f.req.url.p, "lastChangedFrom", v, sizeof v),
	    "2026-05-14T10:02:03.000+09:00", "paging: the second span starts "
	    "where the first ended");
	ok(strstr(f.req.url.p, "moreSequence") == NULL, "paging: without "
	    "moreSequence");

	/* Newer than emitted: asked again. An empty 204 is no change. */
	fx_take(&f, "{\"data\":{\"count\":1,\"lastChangeStatuses\":[{"
	    "\"orderId\":\"2026051300001\",\"productOrderId\":\"9003\","
	    "\"lastChangedDate\":\"2026-05-14T11:00:00.000+09:00\"}]}}");
	fx_next(&f);
	ok(strstr(f.req.url.p, "/orders/2026051300001/product-order-ids") !=
	    NULL, "paging: an order newer than emitted is asked again");
	fx_take(&f, "{\"data\":[\"9003\"]}");
	fx_next(&f);
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "{\"data\":[");
	po(&b, "2026051300001", "9003", "DELIVERING", "");
	uoms_buf_str(&b, "]}");
	fx_take(&f, b.p);
	ok(json_array_size(f.out) == 2, "paging: and emitted again");
	is(json_string_value(json_object_get(json_array_get(f.out, 1),
	    "channel_updated_at")), "2026-05-14T02:00:00Z",
	    "paging: with its newer change time");
	fx_next(&f);
	is(param(f.req.url.p, "lastChangedTo", v, sizeof v),
	    "2026-05-15T12:02:03.000+09:00", "paging: the last span ends at "
	    "until");
	ok(fx_take_status(&f, 204, "") == 0, "paging: 204 without a body is "
	    "no change");
	ok(fx_next(&f) == UOMS_KIND_DONE, "paging: done after the last span");
	fx_free(&f);

	/* An answer without data is no change. */
	fx_init(&f, NULL, "2026-05-13T01:00:00Z", "2026-05-13T02:00:00Z",
	    "tok");
	fx_next(&f);
	ok(fx_take(&f, "{\"timestamp\":\"x\",\"traceId\":\"t\"}") == 0 &&
	    fx_next(&f) == UOMS_KIND_DONE && json_array_size(f.out) == 0,
	    "paging: an answer without data is no change");
	fx_free(&f);

	/* 301 product orders: a query of 300, then one of 1. */
	fx_init(&f, NULL, "2026-05-13T01:00:00Z", "2026-05-13T02:00:00Z",
	    "tok");
	fx_next(&f);
	fx_take(&f, "{\"data\":{\"lastChangeStatuses\":[{\"orderId\":\"77\","
	    "\"productOrderId\":\"1\",\"lastChangedDate\":"
	    "\"2026-05-13T10:30:00.000+09:00\"}]}}");
	fx_next(&f);
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "{\"data\":[");
	for (int i = 1; i <= 301; i++)
		uoms_buf_printf(&b, "%s\"%d\"", i > 1 ? "," : "", i);
	uoms_buf_str(&b, "]}");
	fx_take(&f, b.p);
	fx_next(&f);
	json_t *body = json_loads(f.req.body.p, 0, NULL);
	ok(json_array_size(json_object_get(body, "productOrderIds")) == 300,
	    "paging: at most 300 ids a query");
	json_decref(body);
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "{\"data\":[");
	for (int i = 1; i <= 300; i++) {
		char pid[16];

		snprintf(pid, sizeof pid, "%d", i);
		if (i > 1)
			uoms_buf_str(&b, ",");
		po(&b, "77", pid, "PAYED", "");
	}
	uoms_buf_str(&b, "]}");
	fx_take(&f, b.p);
	ok(json_array_size(f.out) == 0, "paging: 300 of 301 is not the order");
	fx_next(&f);
	is(f.req.body.p, "{\"productOrderIds\":[\"301\"]}", "paging: the "
	    "rest in a second query");
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "{\"data\":[");
	po(&b, "77", "301", "PAYED", "");
	uoms_buf_str(&b, "]}");
	fx_take(&f, b.p);
	ok(json_array_size(f.out) == 1 && json_array_size(json_object_get(
	    json_array_get(f.out, 0), "items")) == 301, "paging: one record "
	    "of 301 items");
	ok(fx_next(&f) == UOMS_KIND_DONE, "paging: done");
	fx_free(&f);
	uoms_buf_free(&b);
}

static const char full_info[] =
    "{\"order\":{\"orderId\":\"2026051312345678\","
    "\"orderDate\":\"2026-05-13T09:00:00.000+09:00\",\"ordererId\":\"abc***\","
    "\"ordererName\":\"김*수\",\"ordererTel\":\"01011112222\","
    "\"paymentDate\":\"2026-05-13T09:01:30.500+09:00\","
    "\"paymentMeans\":\"신용카드\",\"generalPaymentAmount\":24000},"
    "\"productOrder\":{\"productOrderId\":\"2026051399990002\","
    "\"productOrderStatus\":\"DELIVERING\",\"placeOrderStatus\":\"OK\","
    "\"productId\":\"5000001\",\"productName\":\"사과 3kg\","
    "\"productOption\":\"크기: 대\",\"optionManageCode\":\"APL-3-L\","
    "\"sellerProductCode\":\"APL-3\",\"quantity\":2,\"unitPrice\":10000,"
    "\"optionPrice\":1000,\"totalPaymentAmount\":21000,"
    "\"deliveryFeeAmount\":3000,"
    "\"shippingAddress\":{\"addressType\":\"DOMESTIC\",\"baseAddress\":"
    "\"서울특별시 강남구 테헤란로 1\",\"detailedAddress\":\"101동 202호\","
    "\"name\":\"이*희\",\"tel1\":\"010-3333-4444\",\"zipCode\":\"06236\","
    "\"isRoadNameAddress\":true},\"shippingMemo\":\"부재 시 경비실\"},"
    "\"delivery\":{\"deliveryCompany\":\"CJGLS\",\"trackingNumber\":"
    "\"612345678901\",\"deliveryMethod\":\"DELIVERY\",\"deliveryStatus\":"
    "\"DELIVERING\",\"sendDate\":\"2026-05-14T08:00:00.000+09:00\"}}";

static const char cancel_info[] =
    "{\"order\":{\"orderId\":\"2026051312345678\"},"
    "\"productOrder\":{\"productOrderId\":\"2026051399990001\","
    "\"productOrderStatus\":\"CANCELED\",\"productName\":\"배 1kg\","
    "\"sellerProductCode\":\"PEAR-1\",\"quantity\":1,\"unitPrice\":3000,"
    "\"totalPaymentAmount\":3000,\"claimType\":\"CANCEL\","
    "\"claimStatus\":\"CANCEL_DONE\",\"claimId\":\"C-1\","
    "\"shippingAddress\":{\"zipCode\":\"99999\"}}}";

static const char full_want[] =
    "{\"channel\":\"smartstore\",\"external_order_id\":\"2026051312345678\","
    "\"channel_order_no\":\"2026051312345678\",\"workflow\":\"fulfillment\","
    "\"status\":\"shipped\",\"channel_status\":\"DELIVERING\","
    "\"customer\":{\"name\":\"김*수\",\"phone_raw\":\"01011112222\","
    "\"orderer_id\":\"abc***\"},"
    "\"shipping\":{\"postal_code\":\"06236\",\"address\":\"서울특별시 강남구 "
    "테헤란로 1 101동 202호\",\"name\":\"이*희\",\"phone\":\"010-3333-4444\","
    "\"memo\":\"부재 시 경비실\"},"
    "\"placed_at\":\"2026-05-13T00:00:00Z\",\"paid_at\":"
    "\"2026-05-13T00:01:30Z\",\"channel_updated_at\":\"2026-05-13T23:00:00Z\","
    "\"payment_means\":\"신용카드\",\"depart_time\":\"2026-05-13T23:00:00Z\","
    "\"items\":[{\"external_item_id\":\"2026051399990001\",\"sku\":\"PEAR-1\","
    "\"name\":\"배 1kg\",\"quantity\":1,\"cancelled_quantity\":1,"
    "\"unit_price\":3000,"
    "\"channel_status\":\"CANCELED\",\"claim\":{\"type\":\"CANCEL\","
    "\"status\":\"CANCEL_DONE\",\"id\":\"C-1\"}},"
    "{\"external_item_id\":\"2026051399990002\",\"sku\":\"APL-3-L\","
    "\"name\":\"사과 3kg\",\"quantity\":2,\"unit_price\":11000,"
    "\"option\":\"크기: 대\",\"product_id\":\"5000001\","
    "\"channel_status\":\"DELIVERING\",\"place_order_status\":\"OK\","
    "\"delivery\":{\"company\":\"CJGLS\",\"tracking_number\":\"612345678901\","
    "\"status\":\"DELIVERING\",\"shipped_at\":\"2026-05-13T23:00:00Z\"}}],"
    "\"total_amount\":21000,\"shipping_fee\":3000,\"currency\":\"KRW\","
    "\"channel_holds\":[]}";

/* Runs one whole fetch of one order whose product orders are infos (a
 * JSON array text) and returns the record (a new reference). */
static json_t *
one_order(const char *workflow, const char *oid, const char *pids,
    const char *infos)
{
	struct fixture f;
	struct uoms_buf b = { 0 };
	json_t *rec;

	fx_init(&f, workflow, "2026-05-13T01:00:00Z", "2026-05-13T02:00:00Z",
	    "tok");
	fx_next(&f);
	uoms_buf_printf(&b, "{\"data\":{\"lastChangeStatuses\":[{\"orderId\":"
	    "\"%s\",\"productOrderId\":\"x\",\"lastChangedDate\":"
	    "\"2026-05-14T08:00:00.000+09:00\"}]}}", oid);
	fx_take(&f, b.p);
	fx_next(&f);
	uoms_buf_clear(&b);
	uoms_buf_printf(&b, "{\"data\":%s}", pids);
	fx_take(&f, b.p);
	fx_next(&f);
	uoms_buf_clear(&b);
	uoms_buf_printf(&b, "{\"timestamp\":\"x\",\"traceId\":\"y\","
	    "\"data\":%s}", infos);
	if (fx_take(&f, b.p) < 0)
		printf("# %s\n", f.why);
	fx_next(&f);
	rec = json_incref(json_array_get(f.out, 0));
	fx_free(&f);
	uoms_buf_free(&b);
	return rec;
}

static void
test_mapping(void)
{
	static const char *const raw[] = { "PAYMENT_WAITING", "PAYED",
	    "DELIVERING", "DELIVERED", "PURCHASE_DECIDED", "EXCHANGED",
	    "CANCELED", "RETURNED", "CANCELED_BY_NOPAYMENT" };
	static const struct {
		const char *workflow;
		const char *want[9];
	} table[] = {
		{ NULL, { "WAITING", "WAITING", "IN_PROGRESS", "COMPLETE",
		    "COMPLETE", "COMPLETE", "CANCEL", "ISSUE", "CANCEL" } },
		{ "dispatch", { "WAITING", "WAITING", "IN_PROGRESS",
		    "COMPLETE", "COMPLETE", "COMPLETE", "CANCEL", "ISSUE",
		    "CANCEL" } },
		{ "fulfillment", { "created", "paid", "shipped", "delivered",
		    "delivered", "delivered", "cancelled", "returned",
		    "cancelled" } },
		{ "food-delivery", { "pending_payment", "pending_acceptance",
		    "in_transit", "delivered", "delivered", "delivered",
		    "cancelled", "cancelled", "cancelled" } },
		{ "my-own", { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		    NULL } },
	};
	/* Mixed product orders: the order's status. */
	static const struct {
		const char *a, *b, *want;
	} mixed[] = {
		{ "PAYED", "DELIVERED", "PAYED" },
		{ "DELIVERING", "PURCHASE_DECIDED", "DELIVERING" },
		{ "CANCELED", "DELIVERED", "DELIVERED" },
		{ "RETURNED", "PAYMENT_WAITING", "PAYMENT_WAITING" },
		{ "CANCELED", "RETURNED", "RETURNED" },
		{ "CANCELED_BY_NOPAYMENT", "CANCELED", "CANCELED" },
		{ "CANCELED_BY_NOPAYMENT", "SOMETHING_NEW",
		    "CANCELED_BY_NOPAYMENT" },
	};
	struct uoms_buf b = { 0 };
	char msg[256];
	json_t *rec, *want;

	uoms_buf_printf(&b, "[%s,%s]", full_info, cancel_info);
	rec = one_order("fulfillment", "2026051312345678",
	    "[\"2026051399990002\",\"2026051399990001\"]", b.p);
	want = json_loads(full_want, 0, NULL);
	if (!ok(rec != NULL && want != NULL && json_equal(rec, want),
	    "mapping: every field as the table says")) {
		char *s = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);

		printf("#   got: %s\n", s);
		free(s);
	}
	ok(valid(rec, msg, sizeof msg), "mapping: the record passes upsert's "
	    "validation %s", msg);
	json_decref(want);
	json_decref(rec);

	for (size_t w = 0; w < sizeof table / sizeof table[0]; w++)
		for (int s = 0; s < 9; s++) {
			uoms_buf_clear(&b);
			uoms_buf_str(&b, "[");
			po(&b, "1001", "1", raw[s], "");
			uoms_buf_str(&b, "]");
			rec = one_order(table[w].workflow, "1001", "[\"1\"]",
			    b.p);
			snprintf(msg, sizeof msg, "mapping: %s under %s is %s",
			    raw[s], table[w].workflow ? table[w].workflow :
			    "no workflow (dispatch)", table[w].want[s] ?
			    table[w].want[s] : "no status");
			is(json_string_value(json_object_get(rec, "status")),
			    table[w].want[s], msg);
			is(json_string_value(json_object_get(rec,
			    "channel_status")), raw[s], "mapping: "
			    "channel_status kept raw");
			is(json_string_value(json_object_get(rec, "order_no")),
			    "1001", "mapping: a short orderId is the order_no");
			ok(valid(rec, msg, sizeof msg), "mapping: valid %s",
			    msg);
			json_decref(rec);
		}

	for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++) {
		uoms_buf_clear(&b);
		uoms_buf_str(&b, "[");
		po(&b, "1002", "1", mixed[i].a, "");
		uoms_buf_str(&b, ",");
		po(&b, "1002", "2", mixed[i].b, "");
		uoms_buf_str(&b, "]");
		rec = one_order(NULL, "1002", "[\"1\",\"2\"]", b.p);
		snprintf(msg, sizeof msg, "mapping: %s and %s make %s",
		    mixed[i].a, mixed[i].b, mixed[i].want);
		is(json_string_value(json_object_get(rec, "channel_status")),
		    mixed[i].want, msg);
		json_decref(rec);
	}

	/* The total leaves out what was cancelled or returned. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	po(&b, "1003", "1", "PAYED", "");
	uoms_buf_str(&b, ",");
	po(&b, "1003", "2", "CANCELED", "");
	uoms_buf_str(&b, "]");
	rec = one_order(NULL, "1003", "[\"1\",\"2\"]", b.p);
	ok(json_integer_value(json_object_get(rec, "total_amount")) == 1000,
	    "mapping: a cancelled product order adds nothing to the total");
	json_decref(rec);
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	po(&b, "1004", "1", "RETURNED", "");
	uoms_buf_str(&b, "]");
	rec = one_order(NULL, "1004", "[\"1\"]", b.p);
	ok(json_is_integer(json_object_get(rec, "total_amount")) &&
	    json_integer_value(json_object_get(rec, "total_amount")) == 0,
	    "mapping: an order closed whole totals 0");
	json_decref(rec);

	/* Naver ids are 16 digits: too long for an order_no. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	po(&b, "2026051312345678", "1", "PAYED", "\"quantity\":0");
	uoms_buf_str(&b, "]");
	rec = one_order(NULL, "2026051312345678", "[]", b.p);
	ok(json_object_get(rec, "order_no") == NULL &&
	    json_object_get(rec, "channel_order_no") != NULL,
	    "mapping: a 16-digit orderId is channel_order_no");
	ok(json_integer_value(json_object_get(json_array_get(json_object_get(
	    rec, "items"), 0), "quantity")) == 1, "mapping: a quantity of 0 "
	    "is 1 (the store wants it positive)");
	ok(valid(rec, msg, sizeof msg), "mapping: valid %s", msg);
	json_decref(rec);
	uoms_buf_free(&b);
}

/* Every product order of the fake server's data maps to valid records. */
static void
test_data_file(void)
{
	const char *src = getenv("UOMS_SRC");
	char path[1024], msg[256];
	json_t *data, *orders, *v;
	const char *key;
	size_t n = 0;
	int bad = 0;

	snprintf(path, sizeof path, "%s/t/data/kind-naver.json",
	    src != NULL ? src : ".");
	if ((data = json_load_file(path, 0, NULL)) == NULL) {
		printf("ok %d # skip no %s\n", ++tests, path);
		return;
	}
	orders = json_object();
	for (size_t i = 0; i < json_array_size(json_object_get(data,
	    "productOrders")); i++) {
		json_t *info = json_array_get(json_object_get(data,
		    "productOrders"), i);
		const char *oid = json_string_value(json_object_get(
		    json_object_get(info, "order"), "orderId"));

		if (json_object_get(orders, oid) == NULL)
			json_object_set_new(orders, oid, json_array());
		json_array_append(json_object_get(orders, oid), info);
	}
	json_object_foreach(orders, key, v) {
		json_t *pids = json_array();
		char *ps, *is_;
		json_t *rec;

		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append(pids, json_object_get(json_object_get(
			    json_array_get(v, i), "productOrder"),
			    "productOrderId"));
		ps = json_dumps(pids, JSON_COMPACT);
		is_ = json_dumps(v, JSON_COMPACT);
		rec = one_order("fulfillment", key, ps, is_);
		if (rec == NULL || !valid(rec, msg, sizeof msg)) {
			printf("# order %s: %s\n", key, rec ? msg : "none");
			bad++;
		}
		n++;
		json_decref(rec);
		json_decref(pids);
		free(ps);
		free(is_);
	}
	ok(n > 0 && bad == 0, "data file: %zu orders, all valid records", n);
	json_decref(orders);
	json_decref(data);
}

static void
test_broken(void)
{
	static const struct {
		int phase;	/* 0 token, 1 list, 2 ids, 3 query */
		const char *body, *why;
	} cases[] = {
		{ 0, "", "not JSON" },
		{ 0, "{\"access_token\":\"abc", "truncated" },
		{ 0, "{\"code\":\"GW.AUTHN\",\"message\":\"no\"}",
		    "code 'GW.AUTHN': 'no'" },
		{ 0, "{\"token_type\":\"Bearer\"}", "no 'access_token'" },
		{ 0, "{\"access_token\":\"\"}", "empty access_token" },
		{ 1, "{\"data\":{\"lastChangeStatuses\":[", "truncated" },
		{ 1, "{\"code\":\"GW.RATE_LIMIT\",\"message\":\"slow down\"}",
		    "code 'GW.RATE_LIMIT'" },
		{ 1, "{\"data\":{\"lastChangeStatuses\":{}}}", "not an array" },
		{ 1, "[]", "not a JSON object" },
		{ 1, "{\"data\":{\"lastChangeStatuses\":[{\"orderId\":"
		    "\"1\"}]}}",
		    "no orderId or productOrderId" },
		{ 1, "{\"data\":{\"lastChangeStatuses\":[],\"more\":{"
		    "\"moreFrom\":\"2026-05-13T10:00:00.000+09:00\"}}}",
		    "no changes but more" },
		{ 2, "[1,2", "not JSON" },
		{ 2, "{\"traceId\":\"t\"}", "no 'data'" },
		{ 3, "{\"data\":{}}", "no data array" },
		{ 3, "{\"data\":[{\"order\":{}}]}", "no orderId" },
		{ 3, "]", "not JSON" },
	};
	struct fixture f;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int phase = cases[i].phase;

		fx_init(&f, NULL, "2026-05-13T01:00:00Z",
		    "2026-05-13T02:00:00Z", phase == 0 ? NULL : "tok");
		fx_next(&f);
		if (phase >= 2) {
			fx_take(&f, "{\"data\":{\"lastChangeStatuses\":[{"
			    "\"orderId\":\"5\",\"productOrderId\":\"6\"}]}}");
			fx_next(&f);
		}
		if (phase >= 3) {
			fx_take(&f, "{\"data\":[\"6\"]}");
			fx_next(&f);
		}
		ok(fx_take(&f, cases[i].body) < 0 && strstr(f.why,
		    cases[i].why) != NULL, "broken: '%.30s' fails: %s",
		    cases[i].body, f.why);
		ok(strstr(f.why, "abcdefghijklmnopqrstuu") == NULL,
		    "broken: no secret in why");
		fx_free(&f);
	}
}

static int
pvalid(json_t *rec)
{
	static struct uoms_parser *p;
	struct uoms_product o;
	struct uoms_error e = { 0 };
	char *s = json_dumps(rec, JSON_COMPACT);
	int rc;

	if (p == NULL)
		p = uoms_parser_new();
	rc = uoms_product_parse(p, s, strlen(s), &o, &e) == UOMS_OK;
	if (!rc)
		printf("#   %s\n", e.msg);
	free(s);
	return rc;
}

static void
test_products(void)
{
	struct fixture f;
	json_t *body, *exp;
	int secret = 0;
	const char *h;

	fx_init(&f, NULL, NULL, NULL, "tok-kept");
	f.ctx.products = 1;
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strcmp(f.req.method, "POST") ==
	    0, "products: a kept token: the search first (%s)", f.why);
	is(f.req.url.p, "http://127.0.0.1:9/external/v1/products/search",
	    "products: the search URL");
	h = header(&f, "Authorization", &secret);
	ok(h != NULL && strcmp(h, "Bearer tok-kept") == 0 && secret,
	    "products: the bearer token, masked");
	body = json_loadb(f.req.body.p, f.req.body.n, 0, NULL);
	ok(json_integer_value(json_object_get(body, "page")) == 1 &&
	    json_integer_value(json_object_get(body, "size")) == 100 &&
	    strcmp(json_string_value(json_object_get(body, "orderType")),
	    "MOD_DATE") == 0, "products: page 1 of 100, by MOD_DATE: %.*s",
	    (int)f.req.body.n, f.req.body.p);
	json_decref(body);
	ok(fx_take(&f, "{\"contents\":[{\"originProductNo\":500,"
	    "\"channelProducts\":["
	    "{\"originProductNo\":500,\"channelProductNo\":600,\"name\":\"귤\","
	    "\"sellerManagementCode\":\"TNG-5\",\"salePrice\":23000,"
	    "\"discountedPrice\":21000,\"stockQuantity\":40,\"statusType\":"
	    "\"SALE\",\"channelServiceType\":\"STOREFARM\","
	    "\"wholeCategoryName\":\"식품>과일\"},"
	    "{\"originProductNo\":500,\"channelProductNo\":601,\"name\":\"귤\","
	    "\"sellerManagementCode\":\"TNG-5\",\"salePrice\":23000,"
	    "\"channelServiceType\":\"WINDOW\"}]},"
	    "{\"originProductNo\":501,\"channelProducts\":["
	    "{\"channelProductNo\":602,\"name\":\"불고기\",\"salePrice\":29900,"
	    "\"stockQuantity\":0}]}],"
	    "\"page\":1,\"size\":100,\"totalElements\":3,\"totalPages\":2,"
	    "\"first\":true,\"last\":false}") == 0, "products: page 1 taken "
	    "(%s)", f.why);
	exp = json_loads("["
	    "{\"sku\":\"TNG-5\",\"name\":\"귤\",\"category\":\"식품>과일\","
	    "\"price\":23000,\"stock\":40,\"channel\":\"smartstore\","
	    "\"channel_product_id\":\"600\",\"origin_product_id\":\"500\","
	    "\"channel_status\":\"SALE\",\"channel_service\":\"STOREFARM\","
	    "\"discounted_price\":21000,\"currency\":\"KRW\"},"
	    "{\"sku\":\"602\",\"name\":\"불고기\",\"price\":29900,\"stock\":0,"
	    "\"channel\":\"smartstore\",\"channel_product_id\":\"602\","
	    "\"origin_product_id\":\"501\",\"currency\":\"KRW\"}]", 0, NULL);
	if (!ok(exp != NULL && json_equal(f.out, exp), "products: one line "
	    "per channel product, sku sellerManagementCode else "
	    "channelProductNo, a sku seen twice once")) {
		char *g = json_dumps(f.out, JSON_COMPACT);

		printf("#   got: %s\n", g);
		free(g);
	}
	json_decref(exp);
	for (size_t i = 0; i < json_array_size(f.out); i++)
		ok(pvalid(json_array_get(f.out, i)), "products: line %zu "
		    "passes upsert --products", i);
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strstr(f.req.body.p,
	    "\"page\":2") != NULL, "products: then page 2");
	ok(fx_take(&f, "{\"contents\":[],\"page\":2,\"totalPages\":2,"
	    "\"last\":true}") == 0, "products: the last page taken");
	ok(fx_next(&f) == UOMS_KIND_DONE, "products: done after the last "
	    "page");
	fx_free(&f);

	/* No kept token: the token first, then the search. */
	fx_init(&f, NULL, NULL, NULL, NULL);
	f.ctx.products = 1;
	fx_next(&f);
	ok(fx_take(&f, token_answer) == 0 && fx_next(&f) == UOMS_KIND_REQUEST
	    && strstr(f.req.url.p, "/v1/products/search") != NULL,
	    "products: the token, then the search");
	ok(fx_take(&f, "{\"code\":\"GW.RATE_LIMIT\",\"message\":\"slow\"}") <
	    0 && strstr(f.why, "GW.RATE_LIMIT") != NULL, "products: an "
	    "error envelope fails: %s", f.why);
	ok(fx_take(&f, "{\"contents\":{}}") < 0 && strstr(f.why,
	    "contents") != NULL, "products: contents not an array fails: %s",
	    f.why);
	ok(fx_take(&f, "{\"contents\":[]}") == 0 && fx_next(&f) ==
	    UOMS_KIND_DONE, "products: an empty page ends it");
	fx_free(&f);
}

/* The channel_holds of an order of the product orders infos (JSON array
 * text, all of order 2026051300000001), as compact JSON, into out. */
static const char *
holds_of(const char *infos, char *out, size_t outlen)
{
	json_t *rec = one_order(NULL, "2026051300000001",
	    "[\"2026051399990001\",\"2026051399990002\",\"2026051399990003\"]",
	    infos);
	char *s = rec != NULL ? json_dumps(json_object_get(rec,
	    "channel_holds"), JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	snprintf(out, outlen, "%s", s != NULL ? s : "(none)");
	free(s);
	json_decref(rec);
	return out;
}

static void
test_claims(void)
{
	struct uoms_buf b = { 0 };
	char got[1024], msg[256];
	json_t *rec;

	/* A cancel asked, a return being collected, a rejected exchange. */
	uoms_buf_str(&b, "[");
	po(&b, "2026051300000001", "2026051399990001", "PAYED",
	    "\"productName\":\"Pear\",\"claimType\":\"CANCEL\","
	    "\"claimStatus\":\"CANCEL_REQUEST\",\"claimId\":\"C-1\"");
	uoms_buf_str(&b, ",");
	po(&b, "2026051300000001", "2026051399990002", "DELIVERED",
	    "\"claimType\":\"RETURN\",\"claimStatus\":\"COLLECTING\"");
	uoms_buf_str(&b, ",");
	po(&b, "2026051300000001", "2026051399990003", "DELIVERED",
	    "\"claimType\":\"EXCHANGE\",\"claimStatus\":\"EXCHANGE_REJECT\","
	    "\"claimId\":\"X-3\"");
	uoms_buf_str(&b, "]");
	is(holds_of(b.p, got, sizeof got), "[{\"key\":\"naver:claim:CANCEL:C-1\","
	    "\"note\":\"Naver cancel request C-1 (CANCEL_REQUEST) on product "
	    "order 2026051399990001 Pear\"},{\"key\":\"naver:claim:RETURN:po:"
	    "2026051399990002\",\"note\":\"Naver return request without an id "
	    "(COLLECTING) on product order 2026051399990002\"}]",
	    "claims: an open cancel and return hold, a rejected exchange not");

	/* The reason from the claim's own member; one key once. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[{\"order\":{\"orderId\":\"2026051300000001\"},"
	    "\"productOrder\":{\"productOrderId\":\"2026051399990001\","
	    "\"productOrderStatus\":\"DELIVERED\",\"quantity\":1,"
	    "\"claimType\":\"EXCHANGE\",\"claimStatus\":\"EXCHANGE_REQUEST\","
	    "\"claimId\":\"E-1\"},\"exchange\":{\"exchangeReason\":"
	    "\"WRONG_DELIVERY\"}},{\"order\":{\"orderId\":\"2026051300000001\"},"
	    "\"productOrder\":{\"productOrderId\":\"2026051399990002\","
	    "\"productOrderStatus\":\"DELIVERED\",\"quantity\":1,"
	    "\"claimType\":\"EXCHANGE\",\"claimStatus\":\"EXCHANGE_REQUEST\","
	    "\"claimId\":\"E-1\"}}]");
	is(holds_of(b.p, got, sizeof got), "[{\"key\":\"naver:claim:EXCHANGE:"
	    "E-1\",\"note\":\"Naver exchange request E-1 (EXCHANGE_REQUEST) on "
	    "product order 2026051399990001: WRONG_DELIVERY\"}]",
	    "claims: the reason named; a claim of two product orders holds once");

	/* Done, rejected, without a status, of a type not known: no hold,
	 * and [] says so. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	po(&b, "2026051300000001", "2026051399990001", "CANCELED",
	    "\"claimType\":\"CANCEL\",\"claimStatus\":\"CANCEL_DONE\"");
	uoms_buf_str(&b, ",");
	po(&b, "2026051300000001", "2026051399990002", "DELIVERED",
	    "\"claimType\":\"RETURN\"");
	uoms_buf_str(&b, ",");
	po(&b, "2026051300000001", "2026051399990003", "DELIVERED",
	    "\"claimType\":\"PURCHASE_DECISION_HOLDBACK\",\"claimStatus\":"
	    "\"PURCHASE_DECISION_HOLDBACK\"");
	uoms_buf_str(&b, "]");
	is(holds_of(b.p, got, sizeof got), "[]", "claims: none open is []");

	/* A long product name: the note stays within 500 bytes, whole
	 * characters. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	{
		struct uoms_buf name = { 0 };

		uoms_buf_str(&name, "\"productName\":\"");
		for (int i = 0; i < 300; i++)
			uoms_buf_str(&name, "배");
		uoms_buf_str(&name, "\",\"claimType\":\"ADMIN_CANCEL\","
		    "\"claimStatus\":\"ADMIN_CANCELING\",\"claimId\":\"A-1\"");
		po(&b, "2026051300000001", "2026051399990001", "PAYED",
		    name.p);
		uoms_buf_free(&name);
	}
	uoms_buf_str(&b, "]");
	rec = one_order(NULL, "2026051300000001", "[\"2026051399990001\"]",
	    b.p);
	{
		const char *note = json_string_value(json_object_get(
		    json_array_get(json_object_get(rec, "channel_holds"), 0),
		    "note"));

		ok(note != NULL && strlen(note) <= 500 && strncmp(note,
		    "Naver cancel by Naver A-1 (ADMIN_CANCELING)", 43) == 0 &&
		    strcmp(note + strlen(note) - 3, "배") == 0,
		    "claims: a long name is cut at a character (%zu bytes)",
		    note != NULL ? strlen(note) : 0);
	}
	ok(valid(rec, msg, sizeof msg), "claims: the record passes upsert's "
	    "validation %s", msg);
	json_decref(rec);

	/* A return done on a whole order: the shipping went back, less
	 * the return shipping charged; a partial one gives none. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[{\"order\":{\"orderId\":\"2026051300000001\"},"
	    "\"productOrder\":{\"productOrderId\":\"2026051399990001\","
	    "\"productOrderStatus\":\"RETURNED\",\"quantity\":2,"
	    "\"unitPrice\":5000,\"totalPaymentAmount\":10000,"
	    "\"deliveryFeeAmount\":3000,\"claimType\":\"RETURN\","
	    "\"claimStatus\":\"RETURN_DONE\",\"claimId\":\"R-1\"},"
	    "\"return\":{\"claimDeliveryFeeDemandAmount\":1000}}]");
	rec = one_order(NULL, "2026051300000001", "[\"2026051399990001\"]",
	    b.p);
	ok(json_integer_value(json_object_get(rec, "refunded_amount")) ==
	    2000 && json_integer_value(json_object_get(json_array_get(
	    json_object_get(rec, "items"), 0), "cancelled_quantity")) == 2,
	    "claims: a done return cancels its units and refunds the shipping "
	    "less the return shipping");
	ok(valid(rec, msg, sizeof msg), "claims: valid %s", msg);
	json_decref(rec);
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	po(&b, "2026051300000001", "2026051399990001", "RETURNED",
	    "\"deliveryFeeAmount\":3000,\"claimType\":\"RETURN\","
	    "\"claimStatus\":\"RETURN_DONE\"");
	uoms_buf_str(&b, ",");
	po(&b, "2026051300000001", "2026051399990002", "DELIVERED", "");
	uoms_buf_str(&b, "]");
	rec = one_order(NULL, "2026051300000001",
	    "[\"2026051399990001\",\"2026051399990002\"]", b.p);
	ok(rec != NULL && json_object_get(rec, "refunded_amount") == NULL,
	    "claims: a return of part of an order refunds no shipping");
	json_decref(rec);
	/* Never paid: nothing went back. */
	uoms_buf_clear(&b);
	uoms_buf_str(&b, "[");
	po(&b, "2026051300000001", "2026051399990001",
	    "CANCELED_BY_NOPAYMENT", "\"deliveryFeeAmount\":3000");
	uoms_buf_str(&b, "]");
	rec = one_order(NULL, "2026051300000001", "[\"2026051399990001\"]",
	    b.p);
	ok(rec != NULL && json_object_get(rec, "refunded_amount") == NULL,
	    "claims: an order never paid refunds nothing");
	json_decref(rec);
	uoms_buf_free(&b);
}

/* An answer that is not 2xx to the kind's refused(). */
static enum uoms_kind_refusal
fx_refused(struct fixture *f, long status, const char *headers,
    const char *body)
{
	struct uoms_http_resp r = { .status = status, .body = body,
	    .len = strlen(body), .headers = headers,
	    .headers_len = strlen(headers) };

	f->why[0] = '\0';
	return uoms_kind_naver.refused(&f->ctx, &r, f->why, sizeof f->why);
}

static void
test_refused(void)
{
	static const char authn[] = "{\"code\":\"GW.AUTHN\",\"message\":"
	    "\"x\"}";
	struct fixture f;
	char url[512];
	struct uoms_http_resp r = { .status = 200, .body = "", .len = 0 };

	/* A kept token refused: dropped, a new one, the same request. */
	fx_init(&f, NULL, "2026-05-13T01:02:03Z", "2026-05-13T05:00:00Z",
	    "tok-dead");
	fx_next(&f);
	snprintf(url, sizeof url, "%s", f.req.url.p);
	ok(!f.req.again, "401: a first request is no re-ask");
	ok(fx_refused(&f, 401, "", authn) == UOMS_REFUSAL_NEXT,
	    "401: taken by the kind");
	{
		char now[40];

		uoms_time_now(now);
		ok(f.kept == 1 && strcmp(f.token, "tok-dead") == 0 &&
		    f.expires[0] != '\0' && strcmp(f.expires, now) <= 0,
		    "401: the kept token is dropped (kept expired: %s)",
		    f.expires);
	}
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strstr(f.req.url.p,
	    "/oauth2/token") != NULL, "401: a new token is asked for, not the "
	    "kept one");
	ok(fx_take(&f, "{\"access_token\":\"tok-new\",\"expires_in\":"
	    "10800}") == 0, "401: the new token taken");
	ok(fx_next(&f) == UOMS_KIND_REQUEST && strcmp(f.req.url.p, url) == 0 &&
	    f.req.again, "401: the same request again, marked as a re-ask");
	is(header(&f, "Authorization", NULL), "Bearer tok-new",
	    "401: with the new token");
	ok(fx_refused(&f, 401, "", authn) == UOMS_REFUSAL_FAIL &&
	    strcmp(f.why, "authentication failed (HTTP 401 GW.AUTHN) with a "
	    "token issued just now") == 0, "401: a second one fails (%s)",
	    f.why);
	fx_free(&f);

	/* The token request refused: the engine's rule. */
	fx_init(&f, NULL, NULL, NULL, NULL);
	fx_next(&f);
	ok(fx_refused(&f, 401, "", authn) == UOMS_REFUSAL_ENGINE,
	    "401: to the token request, the engine's");
	ok(fx_refused(&f, 500, "", "") == UOMS_REFUSAL_ENGINE,
	    "500: the engine's");
	fx_free(&f);

	/* The catalog asks the same page again. */
	fx_init(&f, NULL, NULL, NULL, "tok-dead");
	f.ctx.products = 1;
	fx_next(&f);
	snprintf(url, sizeof url, "%s", f.req.body.p);
	fx_refused(&f, 401, "", authn);
	fx_next(&f);
	fx_take(&f, "{\"access_token\":\"tok-new\",\"expires_in\":10800}");
	fx_next(&f);
	is(f.req.body.p, url, "401: --products asks the same page again");
	fx_free(&f);

	/* 429: one refill of the bucket, or as long as it says; too long
	 * fails. */
	fx_init(&f, NULL, NULL, NULL, "tok");
	fx_next(&f);
	ok(fx_refused(&f, 429, "GNCP-GW-RateLimit-Replenish-Rate: 4\r\n"
	    "GNCP-GW-RateLimit-Burst-Capacity: 4\r\n"
	    "GNCP-GW-RateLimit-Remaining: 0\r\n", "{\"code\":\"GW.RATE_LIMIT\"}")
	    == UOMS_REFUSAL_RETRY && f.ctx.pause == 0.25 && strcmp(f.why,
	    "rate limited (HTTP 429 GW.RATE_LIMIT)") == 0,
	    "429: retried after one refill (%g s, %s)", f.ctx.pause, f.why);
	ok(fx_refused(&f, 429, "Retry-After: 600\r\n", "") ==
	    UOMS_REFUSAL_FAIL && strstr(f.why, "try again later") != NULL,
	    "429: a wait too long fails (%s)", f.why);

	/* The pace: none while the bucket holds, a refill when empty. */
	r.headers = "GNCP-GW-RateLimit-Replenish-Rate: 2\r\n"
	    "GNCP-GW-RateLimit-Remaining: 3\r\n";
	r.headers_len = strlen(r.headers);
	r.body = "{\"data\":{}}";
	r.len = strlen(r.body);
	f.ctx.pause = -1;
	uoms_kind_naver.take(&f.ctx, &r, f.why, sizeof f.why);
	ok(f.ctx.pause == 0, "pace: none while the bucket holds (%g)",
	    f.ctx.pause);
	fx_next(&f);
	r.headers = "GNCP-GW-RateLimit-Replenish-Rate: 2\r\n"
	    "GNCP-GW-RateLimit-Remaining: 0\r\n";
	r.headers_len = strlen(r.headers);
	uoms_kind_naver.take(&f.ctx, &r, f.why, sizeof f.why);
	ok(f.ctx.pause == 0.5, "pace: a refill when it is empty (%g)",
	    f.ctx.pause);
	fx_free(&f);
}

/* uoms-push: a record's product orders as a confirm or a dispatch. */

static const char push_record[] = "{\"external_order_id\":"
    "\"2026120610000001\",\"items\":["
    "{\"external_item_id\":\"2026120699000101\",\"quantity\":2,"
    "\"channel_status\":\"PAYED\",\"place_order_status\":\"NOT_YET\"},"
    "{\"external_item_id\":\"2026120699000102\",\"quantity\":1,"
    "\"channel_status\":\"PAYED\",\"place_order_status\":\"OK\"},"
    "{\"external_item_id\":\"2026120699000103\",\"quantity\":1,"
    "\"channel_status\":\"CANCELED\",\"cancelled_quantity\":1},"
    "{\"external_item_id\":\"2026120699000104\",\"quantity\":2,"
    "\"channel_status\":\"PAYED\",\"cancelled_quantity\":2},"
    "{\"external_item_id\":\"2026120699000105\",\"quantity\":1,"
    "\"channel_status\":\"DELIVERING\"}]}";

static int
fx_push(struct fixture *f, const struct uoms_push_item *it,
    struct uoms_buf *answer)
{
	uoms_http_req_free(&f->req);
	f->why[0] = '\0';
	uoms_buf_clear(answer);
	return uoms_kind_naver.push(&f->ctx, it, &f->req, answer, f->why,
	    sizeof f->why);
}

static int
fx_pushed(struct fixture *f, long status, const char *body,
    struct uoms_buf *answer)
{
	struct uoms_http_resp r = { .status = status, .body = body,
	    .len = strlen(body), .headers = "", .headers_len = 0 };

	f->why[0] = '\0';
	uoms_buf_clear(answer);
	return uoms_kind_naver.pushed(&f->ctx, &r, answer, f->why,
	    sizeof f->why);
}

/* A dispatch body, members sorted, without its dispatchDates (now). */
static char *
canon_nodate(const char *s)
{
	json_t *j = json_loads(s != NULL ? s : "", 0, NULL);
	json_t *list = json_object_get(j, "dispatchProductOrders");
	char *t;

	for (size_t i = 0; i < json_array_size(list); i++)
		json_object_del(json_array_get(list, i), "dispatchDate");
	t = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return t != NULL ? t : strdup("(not JSON)");
}

static void
test_push(void)
{
	struct fixture f;
	struct uoms_buf answer = { 0 };
	json_t *rec = json_loads(push_record, 0, NULL), *big;
	struct uoms_push_item ack = { 1, "2026120610000001", "ack", NULL, NULL,
	    rec };
	struct uoms_push_item ship = { 1, "2026120610000001", "ship", "cj",
	    "640012345678", rec };
	char path[4096], *t, date[40];
	const char *src = getenv("UOMS_SRC");
	time_t now = time(NULL) + 9 * 3600;
	struct tm tm;

	snprintf(path, sizeof path, "%s/share/uoms/carriers.tsv",
	    src != NULL && *src != '\0' ? src : ".");
	uoms_carrier_file(path);
	ok(uoms_kind_naver.wants_ack(NULL), "push: naver takes an ack");

	/* ack with a kept token: the product orders neither confirmed,
	 * dispatched nor closed */
	fx_init(&f, NULL, NULL, NULL, "tok-kept");
	ok(fx_push(&f, &ack, &answer) == 0, "push: ack is a request (%s)",
	    f.why);
	is(f.req.method, "POST", "push: ack is a POST");
	is(f.req.url.p, "http://127.0.0.1:9/external/v1/pay-order/seller/"
	    "product-orders/confirm", "push: ack to .../confirm");
	is(f.req.body.p, "{\"productOrderIds\":[\"2026120699000101\"]}",
	    "push: ack's body, confirmed, closed and dispatched left out");
	is(header(&f, "Authorization", NULL), "Bearer tok-kept",
	    "push: ack with the kept token");
	ok(fx_pushed(&f, 200, "{\"timestamp\":"
	    "\"2026-12-06T10:00:00.000+09:00\",\"traceId\":\"t\",\"data\":{"
	    "\"successProductOrderInfos\":[{\"productOrderId\":"
	    "\"2026120699000101\",\"isReceiverAddressChanged\":false}],"
	    "\"failProductOrderInfos\":[]}}", &answer) == 1,
	    "push: ack accepted (%s)", f.why);
	is(answer.p, "{\"successProductOrderIds\":[\"2026120699000101\"],"
	    "\"failProductOrderInfos\":[]}", "push: ack's answer");
	fx_free(&f);

	/* ship, no token kept: the token first, then the dispatch */
	fx_init(&f, NULL, NULL, NULL, NULL);
	ok(fx_push(&f, &ship, &answer) == 0 && strstr(f.req.url.p,
	    "/oauth2/token") != NULL, "push: a token first when none is kept");
	ok(fx_pushed(&f, 200, "{\"access_token\":\"tok-new\",\"expires_in\":"
	    "10800}", &answer) == UOMS_PUSHED_MORE && f.kept == 1,
	    "push: the token taken and kept (%s)", f.why);
	ok(fx_push(&f, &ship, &answer) == 0, "push: then the dispatch (%s)",
	    f.why);
	is(f.req.url.p, "http://127.0.0.1:9/external/v1/pay-order/seller/"
	    "product-orders/dispatch", "push: ship to .../dispatch");
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:", &tm);
	t = strstr(f.req.body.p != NULL ? f.req.body.p : "",
	    "\"dispatchDate\":\"");
	ok(t != NULL && strncmp(t + 16, date, strlen(date)) == 0 &&
	    strlen(t) >= 16 + 29 && t[16 + 19] == '.' && strncmp(t + 16 + 23,
	    "+09:00\"", 7) == 0, "push: dispatchDate is now in KST with "
	    "milliseconds (%.40s)", t != NULL ? t : "(none)");
	t = canon_nodate(f.req.body.p);
	is(t, "{\"dispatchProductOrders\":[{\"deliveryCompanyCode\":\"CJGLS\","
	    "\"deliveryMethod\":\"DELIVERY\",\"productOrderId\":"
	    "\"2026120699000101\",\"trackingNumber\":\"640012345678\"},{"
	    "\"deliveryCompanyCode\":\"CJGLS\",\"deliveryMethod\":\"DELIVERY\","
	    "\"productOrderId\":\"2026120699000102\",\"trackingNumber\":"
	    "\"640012345678\"}]}", "push: ship's body, the confirmed one too");
	free(t);
	is(header(&f, "Authorization", NULL), "Bearer tok-new",
	    "push: ship with the new token");
	/* a per-item failure: refused, naming it and what went through */
	ok(fx_pushed(&f, 200, "{\"traceId\":\"t\",\"data\":{"
	    "\"successProductOrderIds\":[\"2026120699000101\"],"
	    "\"failProductOrderInfos\":[{\"productOrderId\":"
	    "\"2026120699000102\",\"code\":\"104119\",\"message\":"
	    "\"택배사 코드 확인\"}]}}", &answer) == 0,
	    "push: a product order failed refuses the push");
	is(f.why, "product order 2026120699000102 failed: 104119 택배사 코드 "
	    "확인; done all the same: 2026120699000101",
	    "push: the failure named, with what went through");
	ok(answer.p != NULL && strstr(answer.p, "\"failProductOrderInfos\":[{"
	    "\"productOrderId\":\"2026120699000102\"") != NULL,
	    "push: the answer says it too (%s)", answer.p);
	fx_free(&f);

	/* a whole request refused: Naver's envelope; 5xx, 429, 403: the
	 * engine's; a 401 re-issues the token once */
	fx_init(&f, NULL, NULL, NULL, "tok-dead");
	fx_push(&f, &ship, &answer);
	ok(fx_pushed(&f, 400, "{\"code\":\"104133\",\"message\":\"요청이 "
	    "올바르지 않습니다.\",\"traceId\":\"t\",\"invalidInputs\":[{\"name\":"
	    "\"dispatchProductOrders[0].dispatchDate\",\"type\":\"Pattern\","
	    "\"message\":\"형식\"}]}", &answer) == 0, "push: 400 refused");
	is(f.why, "HTTP 400 104133: 요청이 올바르지 않습니다. "
	    "(dispatchProductOrders[0].dispatchDate: 형식)",
	    "push: 400's message and invalidInputs");
	ok(answer.p != NULL && strstr(answer.p, "\"code\":\"104133\"") != NULL,
	    "push: 400's body is the answer");
	ok(fx_pushed(&f, 500, "{}", &answer) == -1, "push: 500 the engine's");
	ok(fx_pushed(&f, 503, "", &answer) == -1, "push: 503 the engine's");
	ok(fx_pushed(&f, 429, "{\"code\":\"GW.RATE_LIMIT\"}", &answer) == -1,
	    "push: 429 the engine's");
	ok(fx_pushed(&f, 403, "{}", &answer) == -1, "push: 403 the engine's");
	ok(fx_pushed(&f, 200, "{\"data\":{}}", &answer) == -1,
	    "push: a 2xx without the lists is not understood");
	ok(fx_pushed(&f, 200, "{\"data\":{\"successProductOrderIds\":[",
	    &answer) == -1, "push: a truncated 2xx is not understood");
	ok(fx_pushed(&f, 401, "{\"code\":\"GW.AUTHN\"}", &answer) ==
	    UOMS_PUSHED_MORE && f.kept == 1 && strcmp(f.token, "tok-dead") == 0,
	    "push: 401 drops the token (kept expired) and goes on");
	ok(fx_push(&f, &ship, &answer) == 0 && strstr(f.req.url.p,
	    "/oauth2/token") != NULL && f.req.again, "push: a new token asked");
	ok(fx_pushed(&f, 200, "{\"access_token\":\"tok-new\",\"expires_in\":"
	    "10800}", &answer) == UOMS_PUSHED_MORE,
	    "push: the new token taken");
	ok(fx_push(&f, &ship, &answer) == 0 && strstr(f.req.url.p,
	    "/dispatch") != NULL && f.req.again,
	    "push: the same dispatch again, marked as a re-ask");
	is(header(&f, "Authorization", NULL), "Bearer tok-new",
	    "push: with the new token");
	ok(fx_pushed(&f, 401, "{\"code\":\"GW.AUTHN\"}", &answer) == -1,
	    "push: a second 401 is the engine's (authentication failed)");
	fx_free(&f);

	/* a carrier with no naver code; nothing left to tell */
	fx_init(&f, NULL, NULL, NULL, "tok");
	ship.carrier = "nosuch";
	ok(fx_push(&f, &ship, &answer) == -1 && strstr(f.why,
	    "carrier 'nosuch' has no naver deliveryCompanyCode") != NULL,
	    "push: an unknown carrier can't be pushed (%s)", f.why);
	ship.carrier = "cj";
	fx_free(&f);
	fx_init(&f, NULL, NULL, NULL, "tok");
	json_array_remove(json_object_get(rec, "items"), 0);
	ok(fx_push(&f, &ack, &answer) == 1 && strstr(answer.p,
	    "nothing to confirm") != NULL, "push: nothing to confirm is taken "
	    "without a request (%s)", answer.p);
	fx_free(&f);

	/* an order of 31 product orders: two requests, 30 then 1 */
	big = json_pack("{s:s, s:[]}", "external_order_id", "2026120610000009",
	    "items");
	for (int i = 0; i < 31; i++) {
		char id[32];

		snprintf(id, sizeof id, "20261206990009%02d", i);
		json_array_append_new(json_object_get(big, "items"), json_pack(
		    "{s:s, s:i, s:s}", "external_item_id", id, "quantity", 1,
		    "channel_status", "PAYED"));
	}
	ack.record = big;
	fx_init(&f, NULL, NULL, NULL, "tok");
	fx_push(&f, &ack, &answer);
	ok(f.req.body.p != NULL && strstr(f.req.body.p, "2026120699000929") !=
	    NULL && strstr(f.req.body.p, "2026120699000930") == NULL,
	    "push: 30 product orders a request");
	ok(fx_pushed(&f, 200, "{\"data\":{\"successProductOrderIds\":[\"a\"],"
	    "\"failProductOrderInfos\":[]}}", &answer) == UOMS_PUSHED_MORE,
	    "push: more to send");
	fx_push(&f, &ack, &answer);
	is(f.req.body.p, "{\"productOrderIds\":[\"2026120699000930\"]}",
	    "push: then the 31st");
	ok(fx_pushed(&f, 200, "{\"data\":{\"successProductOrderIds\":[\"b\"],"
	    "\"failProductOrderInfos\":[]}}", &answer) == 1 &&
	    strcmp(answer.p, "{\"successProductOrderIds\":[\"a\",\"b\"],"
	    "\"failProductOrderInfos\":[]}") == 0,
	    "push: accepted, both answers in one (%s)", answer.p);
	fx_free(&f);

	json_decref(big);
	json_decref(rec);
	uoms_buf_free(&answer);
	uoms_carrier_file(NULL);
}

int
main(void)
{
	test_sign();
	test_token();
	test_paging();
	test_mapping();
	test_data_file();
	test_broken();
	test_products();
	test_claims();
	test_refused();
	test_push();
	printf("1..%d\n", tests);
	return failed != 0;
}
