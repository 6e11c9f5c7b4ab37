/*
 * kind coupang: the known-answer signature, the requests (URL, query,
 * signed header), paging through statuses and date spans, the mapping of
 * canned order sheets onto records (every field, every status, every
 * workflow) and broken answers. Prints TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "carrier.h"
#include "kind-coupang.h"
#include "kind.h"
#include "order.h"

extern const struct uoms_kind uoms_kind_coupang;

#include "tap.h"

/*
 * The CEA signature computed here, not by the code under test: HMAC-SHA256
 * over date, method, path and query, in hex. A request signed with the
 * clock's date has no literal to compare with; this is the next best
 * thing. The fixed vectors in test_sign() were computed with python3's
 * hmac module when the tests were written.
 */
static void
ref_sign(const char *sk, const char *date, const char *method,
    const char *path, const char *query, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char msg[2048];

	snprintf(msg, sizeof msg, "%s%s%s%s", date, method, path, query);
	HMAC(EVP_sha256(), sk, (int)strlen(sk), (unsigned char *)msg,
	    strlen(msg), md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/* rec's member key, a string, or "". */
static const char *
str_or(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A fetch context over one channel, two secrets and what it emitted. */
struct fixture {
	struct uoms_fetch_ctx ctx;	/* first: the callbacks cast back */
	struct uoms_channel ch;
	const char *ak, *sk;
	json_t *out;
	/* fx_next answers the return and exchange request queries
	 * (empty) itself unless this is set: most tests are about the
	 * order sheets. */
	int requests;
};

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct fixture *f = (struct fixture *)ctx;
	const char *v = strcmp(name, "access_key") == 0 ? f->ak :
	    strcmp(name, "secret_key") == 0 ? f->sk : NULL;

	if (v == NULL)
		snprintf(why, whylen, "secret '%s' is not set", name);
	return v;
}

static void
fx_emit(struct uoms_fetch_ctx *ctx, json_t *rec)
{
	json_array_append(((struct fixture *)ctx)->out, rec);
}

static void
fx_init(struct fixture *f, const char *settings, const char *workflow,
    const char *since, const char *until)
{
	memset(f, 0, sizeof *f);
	f->ch.name = "cp-main";
	f->ch.kind = "coupang";
	f->ch.base_url = "http://127.0.0.1:9/";
	f->ch.workflow = (char *)workflow;
	f->ch.enabled = 1;
	f->ch.settings = json_loads(settings, 0, NULL);
	f->ak = "ak-0123";
	f->sk = "sk-verysecret";
	f->ctx.channel = &f->ch;
	f->ctx.since = since;
	f->ctx.until = until;
	f->ctx.secret = fx_secret;
	f->ctx.emit = fx_emit;
	f->out = json_array();
}

static void
fx_free(struct fixture *f)
{
	uoms_kind_coupang.done(&f->ctx);
	json_decref(f->ch.settings);
	json_decref(f->out);
}
/* The last step, taken before ok() reads req: argument order is free. */
static enum uoms_kind_step step;

static int
fx_take(struct fixture *f, const char *body, char *why)
{
	struct uoms_http_resp r = { .status = 200, .body = body,
	    .len = strlen(body), .headers = "", .headers_len = 0 };

	why[0] = '\0';
	return uoms_kind_coupang.take(&f->ctx, &r, why, 256);
}

static enum uoms_kind_step
fx_next(struct fixture *f, struct uoms_http_req *req, char *why)
{
	enum uoms_kind_step st;

	for (;;) {
		uoms_http_req_free(req);
		why[0] = '\0';
		st = uoms_kind_coupang.next(&f->ctx, req, why, 256);
		if (st != UOMS_KIND_REQUEST || f->requests ||
		    (strstr(req->url.p, "/returnRequests?") == NULL &&
		    strstr(req->url.p, "/exchangeRequests?") == NULL))
			return st;
		if (fx_take(f, "{\"code\":200,\"data\":[],\"nextToken\":\"\"}",
		    why) < 0)
			return UOMS_KIND_FAIL;
	}
}

/* The value of query parameter name in url, into out ("" if absent). */
static const char *
param(const char *url, const char *name, char *out, size_t outlen)
{
	const char *q = strchr(url, '?');
	size_t n = strlen(name);

	out[0] = '\0';
	while (q != NULL) {
		q++;
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			size_t k = strcspn(q + n + 1, "&");

			snprintf(out, outlen, "%.*s", (int)k, q + n + 1);
			break;
		}
		q = strchr(q, '&');
	}
	return out;
}

/* Does the emitted record pass the store's own validation? */
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

static void
test_sign(void)
{
	char sig[65];

	ok(uoms_coupang_sign("secret", "260513T010203Z", "GET",
	    "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets",
	    "createdAtFrom=2026-05-13&createdAtTo=2026-05-14&status=ACCEPT",
	    sig) == 0, "sign: computes");
	is(sig, "d27a6076b4adbaac779936ad5e56fab1a5a252ee89901da6fbc63c2c08"
	    "fceee2",
	    "sign: the known answer of the issue");
	uoms_coupang_sign("secret", "260513T010203Z", "GET",
	    "/v2/providers/openapi/apis/api/v4/vendors/A00012345/ordersheets",
	    "createdAtFrom=2026-05-13&createdAtTo=2026-05-14&status=INSTRUCT",
	    sig);
	is(sig, "bf9ab01ba209a3aeda1fba5ea776dbf99d05917aa703412e41978633825"
	    "8977c", "sign: the query is signed (python3 hmac)");
	uoms_coupang_sign("secret", "260513T010203Z", "GET",
	    "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products",
	    "vendorId=A00012345&maxPerPage=100", sig);
	is(sig, "cdbe87123a41fbddb5d9ba95f17aa8e1348e9f09e6092b0c3e355b847b"
	    "92aad6", "sign: the products path (python3 hmac)");
}

static void
test_request(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256], v[128], date[32] = "", sig[80] = "", want[65];
	const char *auth = NULL;

	fx_init(&f, "{\"vendor_id\":\"A00012345\",\"lookback_days\":0}",
	    NULL, "2026-05-13T01:02:03Z", "2026-05-14T00:00:00Z");
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST, "request: made");
	is(req.method, "GET", "request: GET");
	is(req.url.p, "http://127.0.0.1:9/v2/providers/openapi/apis/api/v4/"
	    "vendors/A00012345/ordersheets?createdAtFrom=2026-05-13&"
	    "createdAtTo=2026-05-14&maxPerPage=50&status=ACCEPT",
	    "request: URL, query in the order signed, KST dates, no "
	    "trailing slash doubled");
	for (int i = 0; i < req.nheaders; i++)
		if (strncmp(req.headers[i], "Authorization: ", 15) == 0) {
			auth = req.headers[i] + 15;
			ok(req.secret_header[i], "request: Authorization is "
			    "marked secret");
		} else
			ok(strstr(req.headers[i], f.ak) == NULL &&
			    strstr(req.headers[i], f.sk) == NULL,
			    "request: header '%s' holds no secret",
			    req.headers[i]);
	ok(auth != NULL && strncmp(auth, "CEA algorithm=HmacSHA256, "
	    "access-key=ak-0123, signed-date=", 49) == 0,
	    "request: CEA header with the access key");
	if (auth != NULL)
		sscanf(auth, "CEA algorithm=HmacSHA256, access-key=ak-0123, "
		    "signed-date=%31[^,], signature=%79s", date, sig);
	ok(strlen(date) == 14 && date[6] == 'T' && date[13] == 'Z',
	    "request: signed-date is yyMMddTHHmmssZ ('%s')", date);
	ref_sign(f.sk, date, "GET", "/v2/providers/openapi/apis/api/"
	    "v4/vendors/A00012345/ordersheets", strchr(req.url.p, '?') + 1,
	    want);
	is(sig, want, "request: signature over date, method, path, query");
	ok(strstr(req.url.p, f.sk) == NULL, "request: no secret in the URL");
	fx_free(&f);
	uoms_http_req_free(&req);

	/* A vendor id that needs escaping is escaped (and signed so). */
	fx_init(&f, "{\"vendor_id\":\"A0 1/2\",\"lookback_days\":0}", NULL,
	    "2026-05-13T01:02:03Z", "2026-05-14T00:00:00Z");
	fx_next(&f, &req, why);
	ok(strstr(req.url.p, "/vendors/A0%201%2F2/ordersheets?") != NULL,
	    "request: vendor_id is percent-encoded in the path");
	fx_free(&f);
	uoms_http_req_free(&req);

	/* A since late in the KST day: the KST date, not the UTC one. */
	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":0}", NULL,
	    "2026-05-12T15:30:00Z", "2026-05-12T16:00:00Z");
	fx_next(&f, &req, why);
	is(param(req.url.p, "createdAtFrom", v, sizeof v), "2026-05-13",
	    "request: 15:30 UTC is the next KST day");
	fx_free(&f);
	uoms_http_req_free(&req);

	/* lookback_days defaults to 7. */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, "2026-05-13T01:02:03Z",
	    "2026-05-14T00:00:00Z");
	fx_next(&f, &req, why);
	is(param(req.url.p, "createdAtFrom", v, sizeof v), "2026-05-06",
	    "request: the window starts 7 days before since");
	fx_free(&f);
	uoms_http_req_free(&req);

	/* No since: 7 days before until, then the lookback. */
	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":\"2\"}", NULL,
	    NULL, "2026-05-14T00:00:00Z");
	fx_next(&f, &req, why);
	is(param(req.url.p, "createdAtFrom", v, sizeof v), "2026-05-05",
	    "request: no since: a week back, and lookback_days as a string");
	fx_free(&f);
	uoms_http_req_free(&req);

	/* --products lists the seller products instead (test_products). */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.ctx.products = 1;
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "/marketplace/seller-products?") != NULL,
	    "request: --products lists the seller products (%s)", why);
	fx_free(&f);
	uoms_http_req_free(&req);

	/* The default base. */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.ch.base_url = NULL;
	fx_next(&f, &req, why);
	ok(strncmp(req.url.p, "https://api-gateway.coupang.com/v2/", 35) == 0,
	    "request: the default base is api-gateway.coupang.com");
	fx_free(&f);
	uoms_http_req_free(&req);
}

static void
test_config_errors(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];

	fx_init(&f, "{}", NULL, NULL, NULL);
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_FAIL, "config: no vendor_id "
	    "fails");
	is(why, "setting 'vendor_id' is not set", "config: why names it");
	fx_free(&f);

	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.sk = NULL;
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_FAIL &&
	    strstr(why, "secret_key") != NULL, "config: no secret_key fails "
	    "(%s)", why);
	fx_free(&f);

	static const char *const bases[] = { "http://api-gateway.coupang.com",
	    "http://127.0.0.1.evil.example/", "ftp://127.0.0.1/" };
	for (size_t i = 0; i < 3; i++) {
		fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
		f.ch.base_url = (char *)bases[i];
		step = fx_next(&f, &req, why);
		ok(step == UOMS_KIND_FAIL &&
		    strstr(why, "not https") != NULL, "config: base '%s' "
		    "refused (%s)", bases[i], why);
		fx_free(&f);
	}
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.ch.base_url = "http://localhost:8080";
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST, "config: plain http "
	    "to localhost is taken (tests)");
	fx_free(&f);

	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":\"x\"}", NULL,
	    NULL, NULL);
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_FAIL &&
	    strstr(why, "lookback_days") != NULL, "config: bad lookback_days "
	    "(%s)", why);
	fx_free(&f);

	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":400}", NULL,
	    NULL, NULL);
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_FAIL &&
	    strstr(why, "400") != NULL, "config: lookback_days out of range "
	    "(%s)", why);
	fx_free(&f);

	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, "yesterday", NULL);
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_FAIL &&
	    strstr(why, "yesterday") != NULL, "config: bad since (%s)", why);
	fx_free(&f);
	uoms_http_req_free(&req);
}

static void
test_paging(void)
{
	static const char *const order[] = { "ACCEPT", "INSTRUCT", "DEPARTURE",
	    "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING" };
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256], v[128];
	int n = 0, good = 1;

	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":0}", NULL,
	    "2026-05-13T01:02:03Z", "2026-05-14T00:00:00Z");
	fx_next(&f, &req, why);
	ok(fx_take(&f, "{\"code\":200,\"message\":\"OK\",\"data\":[{"
	    "\"shipmentBoxId\":1,\"orderId\":2}],\"nextToken\":\"448537989\"}",
	    why) == 0, "paging: a page with a nextToken is taken");
	fx_next(&f, &req, why);
	is(param(req.url.p, "nextToken", v, sizeof v), "448537989",
	    "paging: the next page asks nextToken");
	is(param(req.url.p, "status", v, sizeof v), "ACCEPT",
	    "paging: of the same status");
	fx_take(&f, "{\"code\":200,\"data\":[{\"shipmentBoxId\":3}],"
	    "\"nextToken\":12345}", why);
	fx_next(&f, &req, why);
	is(param(req.url.p, "nextToken", v, sizeof v), "12345",
	    "paging: a numeric nextToken is taken as text");
	/* Empty, null and absent nextToken all end a status. */
	fx_take(&f, "{\"code\":200,\"data\":[],\"nextToken\":\"\"}", why);
	fx_next(&f, &req, why);
	is(param(req.url.p, "status", v, sizeof v), "INSTRUCT",
	    "paging: an empty nextToken moves to the next status");
	is(param(req.url.p, "nextToken", v, sizeof v), "",
	    "paging: the first page of a status has no nextToken");
	fx_take(&f, "{\"code\":200,\"data\":[],\"nextToken\":null}", why);
	fx_next(&f, &req, why);
	is(param(req.url.p, "status", v, sizeof v), "DEPARTURE",
	    "paging: a null nextToken too");
	fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	fx_next(&f, &req, why);
	is(param(req.url.p, "status", v, sizeof v), "DELIVERING",
	    "paging: an absent nextToken too");
	fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	fx_next(&f, &req, why);
	fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	fx_next(&f, &req, why);
	is(param(req.url.p, "status", v, sizeof v), "NONE_TRACKING",
	    "paging: NONE_TRACKING last");
	fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_DONE, "paging: done after the "
	    "last status");
	ok(json_array_size(f.out) == 2, "paging: every order sheet emitted");
	fx_free(&f);

	/* 70 days: three spans of at most 31 days, each every status. */
	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":0}", NULL,
	    "2026-03-01T03:00:00Z", "2026-05-09T03:00:00Z");
	const char *spans[][2] = { { "2026-03-01", "2026-03-31" },
	    { "2026-04-01", "2026-05-01" }, { "2026-05-02", "2026-05-09" } };
	while (fx_next(&f, &req, why) == UOMS_KIND_REQUEST && n < 40) {
		char a[16], b[16], s[32];
		int span = n / 6;

		param(req.url.p, "createdAtFrom", a, sizeof a);
		param(req.url.p, "createdAtTo", b, sizeof b);
		param(req.url.p, "status", s, sizeof s);
		if (span > 2 || strcmp(a, spans[span][0]) != 0 ||
		    strcmp(b, spans[span][1]) != 0 ||
		    strcmp(s, order[n % 6]) != 0) {
			good = 0;
			printf("# request %d: %s..%s %s\n", n, a, b, s);
		}
		fx_take(&f, "{\"code\":200,\"data\":[],\"nextToken\":\"\"}",
		    why);
		n++;
	}
	ok(n == 18 && good, "paging: 70 days are 3 spans x 6 statuses "
	    "(%d requests)", n);
	fx_free(&f);
	uoms_http_req_free(&req);
}

/* A box with every field the mapping reads. */
static const char box_full[] =
    "{\"shipmentBoxId\":448531493,\"orderId\":22000009546234,"
    "\"orderedAt\":\"2017-10-10T10:20:16\","
    "\"orderer\":{\"name\":\"신*희\",\"email\":\"eu*****@na\","
    "\"safeNumber\":\"0503-1234-5464\"},"
    "\"paidAt\":\"2017-10-10T10:21:00\",\"status\":\"FINAL_DELIVERY\","
    "\"shippingPrice\":2500,\"remotePrice\":3000,\"remoteArea\":true,"
    "\"parcelPrintMessage\":\"문 앞\",\"splitShipping\":false,"
    "\"receiver\":{\"name\":\"신*희\",\"safeNumber\":\"010-1234-5464\","
    "\"addr1\":\"경기 오산시 가수동\",\"addr2\":\"109동 1호\","
    "\"postCode\":\"18131\"},"
    "\"orderItems\":[{\"vendorItemId\":3242596358,"
    "\"vendorItemName\":\"팬츠, 07 DARK GREY, 160호\",\"shippingCount\":2,"
    "\"salesPrice\":19900,\"orderPrice\":39800,\"discountPrice\":1000,"
    "\"externalVendorSkuCode\":\"170816368810\",\"sellerProductId\":80240831,"
    "\"sellerProductItemName\":\"07 DARK GREY 160호\",\"cancelCount\":0,"
    "\"confirmDate\":\"2017-10-25 00:10:33\",\"canceled\":false},"
    "{\"vendorItemId\":99,\"vendorItemName\":\"양말\",\"shippingCount\":0,"
    "\"salesPrice\":\"1000.00\",\"orderPrice\":\"0\",\"cancelCount\":3,"
    "\"externalVendorSkuCode\":\"\",\"canceled\":true}],"
    "\"deliveryCompanyName\":\"CJ 대한통운\",\"invoiceNumber\":\"340010913442\","
    "\"inTrasitDateTime\":\"2017-10-16 22:08:04\","
    "\"deliveredDate\":\"2017-10-17 17:17:52\",\"refer\":\"안드로이드앱\"}";

static const char box_full_want[] =
    "{\"channel\":\"cp-main\",\"external_order_id\":\"448531493\","
    "\"channel_order_id\":\"22000009546234\",\"workflow\":\"dispatch\","
    "\"status\":\"COMPLETE\",\"channel_status\":\"FINAL_DELIVERY\","
    "\"customer\":{\"name\":\"신*희\",\"phone_raw\":\"0503-1234-5464\","
    "\"email\":\"eu*****@na\"},"
    "\"shipping\":{\"postal_code\":\"18131\",\"address\":\"경기 오산시 가수동 "
    "109동 1호\",\"name\":\"신*희\",\"phone\":\"010-1234-5464\","
    "\"memo\":\"문 앞\"},"
    "\"placed_at\":\"2017-10-10T01:20:16Z\","
    "\"paid_at\":\"2017-10-10T01:21:00Z\","
    "\"depart_time\":\"2017-10-16T13:08:04Z\","
    "\"complete_time\":\"2017-10-17T08:17:52Z\","
    "\"delivery_company\":\"CJ 대한통운\",\"invoice_number\":\"340010913442\","
    "\"channel_holds\":[],"
    "\"items\":[{\"external_item_id\":\"99\",\"name\":\"양말\",\"quantity\":3,"
    "\"unit_price\":1000,\"cancelled_quantity\":3,\"canceled\":true},"
    "{\"external_item_id\":\"3242596358\",\"sku\":\"170816368810\","
    "\"name\":\"팬츠, 07 DARK GREY, 160호\",\"quantity\":2,"
    "\"unit_price\":19900,\"discount_price\":1000,"
    "\"seller_product_id\":\"80240831\",\"option\":\"07 DARK GREY 160호\"}],"
    "\"total_amount\":39800,\"shipping_fee\":5500,\"currency\":\"KRW\","
    "\"channel_updated_at\":\"2017-10-24T15:10:33Z\"}";

static void
test_mapping(void)
{
	static const char *const raw[] = { "ACCEPT", "INSTRUCT", "DEPARTURE",
	    "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING" };
	static const struct {
		const char *workflow;
		const char *want[6];
	} table[] = {
		{ NULL, { "WAITING", "WAITING", "IN_PROGRESS", "IN_PROGRESS",
		    "COMPLETE", "IN_PROGRESS" } },
		{ "dispatch", { "WAITING", "WAITING", "IN_PROGRESS",
		    "IN_PROGRESS", "COMPLETE", "IN_PROGRESS" } },
		{ "fulfillment", { "paid", "picking", "shipped", "shipped",
		    "delivered", "shipped" } },
		{ "food-delivery", { "pending_acceptance", "preparing",
		    "in_transit", "in_transit", "delivered", "in_transit" } },
		{ "my-own", { NULL, NULL, NULL, NULL, NULL, NULL } },
	};
	struct fixture f;
	struct uoms_http_req req = { 0 };
	struct uoms_buf page = { 0 };
	char why[256], msg[256];
	json_t *want, *got;

	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	fx_next(&f, &req, why);
	uoms_buf_printf(&page, "{\"code\":200,\"message\":\"OK\",\"data\":[%s],"
	    "\"nextToken\":\"\"}", box_full);
	ok(fx_take(&f, page.p, why) == 0, "mapping: the full box is taken "
	    "(%s)", why);
	got = json_array_get(f.out, 0);
	want = json_loads(box_full_want, 0, NULL);
	if (!ok(want != NULL && json_equal(got, want), "mapping: every field "
	    "as the table says")) {
		char *s = json_dumps(got, JSON_COMPACT | JSON_ENSURE_ASCII);

		printf("#   got: %s\n", s);
		free(s);
	}
	ok(valid(got, msg, sizeof msg), "mapping: the record passes upsert's "
	    "validation %s", msg);
	json_decref(want);
	fx_free(&f);

	/* Every status under every workflow; a box without a status takes
	 * the one asked for. */
	for (size_t w = 0; w < sizeof table / sizeof table[0]; w++)
		for (int s = 0; s < 6; s++) {
			fx_init(&f, "{\"vendor_id\":\"A1\"}", table[w].workflow,
			    NULL, NULL);
			fx_next(&f, &req, why);
			uoms_buf_clear(&page);
			uoms_buf_printf(&page, "{\"code\":200,\"data\":[{"
			    "\"shipmentBoxId\":7,\"status\":\"%s\"}]}", raw[s]);
			fx_take(&f, page.p, why);
			got = json_array_get(f.out, 0);
			snprintf(msg, sizeof msg, "mapping: %s under %s is "
			    "%s", raw[s], table[w].workflow ?
			    table[w].workflow : "no workflow (dispatch)",
			    table[w].want[s] ? table[w].want[s] : "no status");
			is(json_string_value(json_object_get(got, "status")),
			    table[w].want[s], msg);
			is(json_string_value(json_object_get(got,
			    "channel_status")), raw[s], "mapping: "
			    "channel_status kept raw");
			is(json_string_value(json_object_get(got,
			    "workflow")), table[w].workflow ? table[w].workflow
			    : "dispatch", "mapping: workflow");
			fx_free(&f);
		}

	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	fx_next(&f, &req, why);
	fx_take(&f, "{\"code\":200,\"data\":[{\"shipmentBoxId\":\"8\"}]}", why);
	got = json_array_get(f.out, 0);
	is(json_string_value(json_object_get(got, "channel_status")),
	    "ACCEPT", "mapping: no status: the status asked for");
	ok(valid(got, msg, sizeof msg), "mapping: a bare box is a valid "
	    "record %s", msg);
	fx_free(&f);

	/* Shapes the store refuses go to the _raw members. */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	fx_next(&f, &req, why);
	fx_take(&f, "{\"code\":200,\"data\":[{\"shipmentBoxId\":9,"
	    "\"orderer\":{\"safeNumber\":\"0503-**-5464\"},"
	    "\"receiver\":{\"postCode\":\"447-700\",\"safeNumber\":"
	    "\"02-123-4567\",\"addr2\":\"only\"}}]}", why);
	got = json_array_get(f.out, 0);
	is(json_string_value(json_object_get(json_object_get(got, "customer"),
	    "phone_raw")), "0503-**-5464", "mapping: a masked phone is "
	    "phone_raw");
	is(json_string_value(json_object_get(json_object_get(got, "shipping"),
	    "postal_code_raw")), "447-700", "mapping: an old 6-digit postcode "
	    "is postal_code_raw");
	is(json_string_value(json_object_get(json_object_get(got, "shipping"),
	    "phone")), "02-123-4567", "mapping: a Seoul number is a phone");
	is(json_string_value(json_object_get(json_object_get(got, "shipping"),
	    "address")), "only", "mapping: addr2 alone is the address");
	ok(valid(got, msg, sizeof msg), "mapping: still a valid record %s",
	    msg);
	fx_free(&f);
	uoms_buf_free(&page);
	uoms_http_req_free(&req);
}

/* Every order sheet of the fake server's data maps to a valid record. */
static void
test_data_file(void)
{
	const char *src = getenv("UOMS_SRC");
	char path[1024], why[256], msg[256];
	struct fixture f;
	struct uoms_http_req req = { 0 };
	json_t *data, *page;
	char *s;
	int bad = 0;

	snprintf(path, sizeof path, "%s/t/data/kind-coupang.json",
	    src != NULL ? src : ".");
	if ((data = json_load_file(path, 0, NULL)) == NULL) {
		printf("ok %d # skip no %s\n", ++tests, path);
		return;
	}
	fx_init(&f, "{\"vendor_id\":\"A1\"}", "fulfillment", NULL, NULL);
	fx_next(&f, &req, why);
	page = json_pack("{s:i, s:s, s:O, s:s}", "code", 200, "message", "OK",
	    "data", json_object_get(data, "ordersheets"), "nextToken", "");
	s = json_dumps(page, JSON_COMPACT);
	ok(fx_take(&f, s, why) == 0, "data file: taken (%s)", why);
	for (size_t i = 0; i < json_array_size(f.out); i++)
		if (!valid(json_array_get(f.out, i), msg, sizeof msg)) {
			printf("# record %zu: %s\n", i, msg);
			bad++;
		}
	ok(json_array_size(f.out) == json_array_size(json_object_get(data,
	    "ordersheets")) && bad == 0, "data file: %zu records, all valid",
	    json_array_size(f.out));
	free(s);
	json_decref(page);
	json_decref(data);
	fx_free(&f);
	uoms_http_req_free(&req);
}

static void
test_broken(void)
{
	static const struct {
		const char *body, *why;
	} cases[] = {
		{ "", "not JSON" },
		{ "{\"code\":200,\"data\":[{\"shipmentBoxId\":1}",
		    "truncated" },
		{ "<html>502 Bad Gateway</html>", "'<html>502 Bad Gateway" },
		{ "{\"code\":\"ERROR\",\"message\":\"Invalid vendorId\","
		    "\"data\":null}", "code 'ERROR': 'Invalid vendorId'" },
		{ "{\"code\":400,\"message\":\"createdAtFrom is invalid\"}",
		    "code '400'" },
		{ "{\"code\":200,\"message\":\"OK\"}", "no data array" },
		{ "{\"code\":200,\"data\":{}}", "no data array" },
		{ "{\"code\":200,\"data\":[{\"orderId\":1}]}",
		    "no shipmentBoxId" },
		{ "{\"code\":200,\"data\":[{\"shipmentBoxId\":1,\"orderItems\":"
		    "[{\"vendorItemName\":\"x\"}]}]}", "without vendorItemId" },
		{ "{\"code\":200,\"data\":[],\"nextToken\":\"5\"}",
		    "no rows but a nextToken" },
	};
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
		fx_next(&f, &req, why);
		ok(fx_take(&f, cases[i].body, why) < 0 &&
		    strstr(why, cases[i].why) != NULL, "broken: '%.30s' fails: "
		    "%s", cases[i].body, why);
		ok(strstr(why, f.sk) == NULL && strstr(why, f.ak) == NULL,
		    "broken: no secret in why");
		fx_free(&f);
	}
	uoms_http_req_free(&req);
}

/* Does the emitted product line pass upsert --products' validation? */
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
	struct uoms_http_req req = { 0 };
	char why[256], date[16] = "", sig[65], want[65];
	const char *P = "/v2/providers/seller_api/apis/api/v1/marketplace/"
	    "seller-products";
	json_t *exp;

	fx_init(&f, "{\"vendor_id\":\"A00012345\"}", NULL, NULL, NULL);
	f.ctx.products = 1;
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST, "products: the list "
	    "asked (%s)", why);
	is(req.url.p, "http://127.0.0.1:9/v2/providers/seller_api/apis/api/v1/"
	    "marketplace/seller-products?vendorId=A00012345&maxPerPage=100",
	    "products: the list URL");
	/* Signed over path + query, like the order sheets. */
	for (int i = 0; i < req.nheaders; i++) {
		const char *d = strstr(req.headers[i], "signed-date=");
		const char *g = strstr(req.headers[i], "signature=");

		if (d != NULL && g != NULL) {
			snprintf(date, sizeof date, "%.14s", d + 12);
			snprintf(sig, sizeof sig, "%.64s", g + 10);
			ok(req.secret_header[i], "products: Authorization "
			    "masked");
		}
	}
	ref_sign(f.sk, date, "GET", P,
	    "vendorId=A00012345&maxPerPage=100", want);
	is(sig, want, "products: the list is signed over path and query");

	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"message\":\"\",\"nextToken\":"
	    "\"7\",\"data\":[{\"sellerProductId\":5},{\"sellerProductId\":"
	    "\"6\"}]}", why) == 0, "products: page taken (%s)", why);
	ok(json_array_size(f.out) == 0, "products: a list emits nothing");
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST &&
	    strcmp(req.url.p, "http://127.0.0.1:9/v2/providers/seller_api/"
	    "apis/api/v1/marketplace/seller-products/5") == 0,
	    "products: then the first product: %s", req.url.p);
	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"data\":{\"sellerProductId\":5,"
	    "\"sellerProductName\":\"사과\",\"displayCategoryCode\":59258,"
	    "\"brand\":\"B\",\"statusName\":\"승인완료\",\"items\":["
	    "{\"vendorItemId\":11,\"itemName\":\"사과 대\",\"salePrice\":19000,"
	    "\"maximumBuyCount\":3,\"externalVendorSku\":\"APL-L\"},"
	    "{\"vendorItemId\":12,\"itemName\":\"\",\"salePrice\":\"16000.00\","
	    "\"maximumBuyCount\":0},"
	    "{\"sellerProductItemId\":13,\"itemName\":\"승인대기\","
	    "\"salePrice\":1000}]}}", why) == 0, "products: detail taken (%s)",
	    why);
	exp = json_loads("["
	    "{\"sku\":\"APL-L\",\"name\":\"사과 대\",\"category\":\"59258\","
	    "\"price\":19000,\"stock\":3,\"channel\":\"cp-main\","
	    "\"channel_product_id\":\"5\",\"vendor_item_id\":\"11\","
	    "\"product_name\":\"사과\",\"brand\":\"B\",\"channel_status\":"
	    "\"승인완료\",\"currency\":\"KRW\"},"
	    "{\"sku\":\"12\",\"name\":\"사과\",\"category\":\"59258\","
	    "\"price\":16000,\"stock\":0,\"channel\":\"cp-main\","
	    "\"channel_product_id\":\"5\",\"vendor_item_id\":\"12\","
	    "\"product_name\":\"사과\",\"brand\":\"B\",\"channel_status\":"
	    "\"승인완료\",\"currency\":\"KRW\"},"
	    "{\"sku\":\"13\",\"name\":\"승인대기\",\"category\":\"59258\","
	    "\"price\":1000,\"channel\":\"cp-main\","
	    "\"channel_product_id\":\"5\",\"product_name\":\"사과\","
	    "\"brand\":\"B\",\"channel_status\":\"승인완료\",\"currency\":"
	    "\"KRW\"}]", 0, NULL);
	if (!ok(exp != NULL && json_equal(f.out, exp), "products: one line "
	    "per item, sku externalVendorSku, else vendorItemId, else "
	    "sellerProductItemId")) {
		char *g = json_dumps(f.out, JSON_COMPACT);

		printf("#   got: %s\n", g);
		free(g);
	}
	json_decref(exp);
	for (size_t i = 0; i < json_array_size(f.out); i++)
		ok(pvalid(json_array_get(f.out, i)), "products: line %zu "
		    "passes upsert --products", i);

	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "/seller-products/6") != NULL,
	    "products: then the second product");
	/* A sku already emitted is not emitted twice. */
	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"data\":{\"sellerProductId\":6,"
	    "\"items\":[{\"vendorItemId\":21,\"externalVendorSku\":\"APL-L\","
	    "\"salePrice\":1}]}}", why) == 0 && json_array_size(f.out) == 3,
	    "products: a sku seen before is left out");
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "?vendorId=A00012345&nextToken=7&maxPerPage=100")
	    != NULL, "products: then the next page: %s", req.url.p);
	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"nextToken\":\"\",\"data\":[]}",
	    why) == 0, "products: an empty last page taken");
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_DONE, "products: done");
	fx_free(&f);

	/* Broken answers. */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why);
	ok(fx_take(&f, "{\"code\":\"ERROR\",\"message\":\"bad\"}", why) < 0 &&
	    strstr(why, "code 'ERROR'") != NULL, "products: an error envelope "
	    "fails: %s", why);
	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"data\":[{\"x\":1}]}", why) < 0
	    && strstr(why, "sellerProductId") != NULL, "products: a product "
	    "without id fails: %s", why);
	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"data\":[{\"sellerProductId\":"
	    "1}]}", why) == 0, "products: a page of one");
	fx_next(&f, &req, why);
	ok(fx_take(&f, "{\"code\":\"SUCCESS\",\"data\":null}", why) < 0 &&
	    strstr(why, "no data object") != NULL, "products: a detail "
	    "without data fails: %s", why);
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_REQUEST, "products: (retry)");
	fx_free(&f);
	fx_init(&f, "{}", NULL, NULL, NULL);
	f.ctx.products = 1;
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_FAIL && strstr(why,
	    "vendor_id") != NULL, "products: no vendor_id fails: %s", why);
	fx_free(&f);
	uoms_http_req_free(&req);
}

/* The box of line i of f.out, its member key as JSON text, into out. */
static const char *
out_member(struct fixture *f, const char *box, const char *key, char *out,
    size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(f->out); i++) {
		json_t *r = json_array_get(f->out, i);
		const char *id = json_string_value(json_object_get(r,
		    "external_order_id"));

		if (id != NULL && strcmp(id, box) == 0) {
			char *t = json_dumps(json_object_get(r, key),
			    JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);

			snprintf(out, outlen, "%s", t != NULL ? t : "");
			free(t);
		}
	}
	return out;
}

static void
test_requests(void)
{
	static const char *const walk[][2] = { { "CANCEL", "" },
	    { "RETURN", "RU" }, { "RETURN", "UC" }, { "RETURN", "PR" },
	    { "RETURN", "CC" } };
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256], v[128], c[128], got[1024];
	int good = 1;

	fx_init(&f, "{\"vendor_id\":\"A1\",\"lookback_days\":0}", NULL,
	    "2026-05-13T01:02:03Z", "2026-05-14T00:00:00Z");
	f.requests = 1;
	for (size_t i = 0; i < 5; i++) {
		fx_next(&f, &req, why);
		param(req.url.p, "cancelType", c, sizeof c);
		param(req.url.p, "status", v, sizeof v);
		if (strstr(req.url.p, "/returnRequests?") == NULL ||
		    strcmp(c, walk[i][0]) != 0 || strcmp(v, walk[i][1]) != 0) {
			good = 0;
			printf("# request %zu: %s\n", i, req.url.p);
		}
		if (i == 0)
			fx_take(&f, "{\"code\":200,\"data\":[{\"receiptId\":1,"
			    "\"receiptType\":\"CANCEL\",\"receiptStatus\":"
			    "\"RETURNS_COMPLETED\",\"returnItems\":[{"
			    "\"shipmentBoxId\":10,\"vendorItemId\":7,"
			    "\"cancelCount\":2},{\"shipmentBoxId\":11,"
			    "\"vendorItemId\":8,\"cancelCount\":1}]}],"
			    "\"nextToken\":\"\"}", why);
		else if (i == 1 || i == 2)
			/* The same ship-stop request under RU and UC. */
			fx_take(&f, "{\"code\":200,\"data\":[{\"receiptId\":2,"
			    "\"receiptType\":\"RETURN\",\"receiptStatus\":"
			    "\"RELEASE_STOP_UNCHECKED\",\"cancelReasonCategory2\":"
			    "\"단순변심\",\"returnItems\":[{\"shipmentBoxId\":12,"
			    "\"vendorItemId\":9,\"cancelCount\":1}]}]}", why);
		else
			fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	}
	ok(good, "requests: CANCEL, then RETURN by RU, UC, PR, CC");
	/* The exchange requests of the span, paged: one pending on box 12,
	 * one done on box 13, and the pending one again on page 2. */
	step = fx_next(&f, &req, why);
	ok(strstr(req.url.p, "/vendors/A1/exchangeRequests?createdAtFrom="
	    "2026-05-13&createdAtTo=2026-05-14&maxPerPage=50") != NULL &&
	    strstr(req.url.p, "status=") == NULL, "requests: then the "
	    "exchange requests of the span: %s", req.url.p);
	ok(fx_take(&f, "{\"code\":200,\"data\":[{\"exchangeId\":5,"
	    "\"exchangeStatus\":\"RECEIPT\",\"reasonCodeText\":\"색상 "
	    "변경\",\"exchangeItemDtoV1s\":[{\"originalShipmentBoxId\":12}]},"
	    "{\"exchangeId\":6,\"exchangeStatus\":\"SUCCESS\","
	    "\"exchangeItemDtoV1s\":[{\"originalShipmentBoxId\":13}]}],"
	    "\"nextToken\":\"x 1\"}", why) == 0, "requests: an exchange page "
	    "(%s)", why);
	step = fx_next(&f, &req, why);
	ok(strstr(req.url.p, "/exchangeRequests?") != NULL &&
	    strcmp(param(req.url.p, "nextToken", v, sizeof v), "x%201") == 0,
	    "requests: the next exchange page asks its nextToken: %s",
	    req.url.p);
	ok(fx_take(&f, "{\"code\":200,\"data\":[{\"exchangeId\":5,"
	    "\"exchangeStatus\":\"RECEIPT\",\"exchangeItemDtoV1s\":[{"
	    "\"originalShipmentBoxId\":12}]}],\"nextToken\":\"\"}", why) ==
	    0, "requests: the last exchange page (%s)", why);
	ok(fx_take(&f, "{\"code\":200,\"data\":[{\"exchangeStatus\":"
	    "\"RECEIPT\"}]}", why) < 0, "requests: an answer with no "
	    "request is refused (%s)", why);
	step = fx_next(&f, &req, why);
	ok(strstr(req.url.p, "/ordersheets?") != NULL &&
	    strcmp(param(req.url.p, "status", v, sizeof v), "ACCEPT") == 0,
	    "requests: then the order sheets");
	/* Box 10 listed, stale (2 shipping, 0 cancelled); box 12 too. */
	ok(fx_take(&f, "{\"code\":200,\"data\":[{\"shipmentBoxId\":10,"
	    "\"status\":\"ACCEPT\",\"orderItems\":[{\"vendorItemId\":7,"
	    "\"shippingCount\":2,\"cancelCount\":0}]},{\"shipmentBoxId\":12,"
	    "\"status\":\"INSTRUCT\",\"orderItems\":[{\"vendorItemId\":9,"
	    "\"shippingCount\":1,\"holdCountForCancel\":1}]}]}", why) == 0,
	    "requests: a page of boxes (%s)", why);
	is(out_member(&f, "10", "items", got, sizeof got),
	    "[{\"canceled\":true,\"cancelled_quantity\":2,"
	    "\"external_item_id\":\"7\",\"quantity\":2}]",
	    "requests: a done cancel the sheet does not show yet: 2 of 2, "
	    "not 4");
	is(out_member(&f, "10", "status", got, sizeof got), "\"CANCEL\"",
	    "requests: cancelled whole before shipping: the cancel state");
	is(out_member(&f, "10", "channel_status", got, sizeof got),
	    "\"CANCEL\"", "requests: channel_status CANCEL");
	is(out_member(&f, "10", "channel_holds", got, sizeof got), "[]",
	    "requests: no request under way: []");
	is(out_member(&f, "12", "channel_holds", got, sizeof got),
	    "[{\"key\":\"coupang:exchange:5\",\"note\":\"Coupang exchange "
	    "request 5 (RECEIPT): 색상 변경\"},"
	    "{\"key\":\"coupang:hold-for-cancel:9\",\"note\":\"Coupang: 1 unit "
	    "of item 9 waits for a cancel (holdCountForCancel)\"},"
	    "{\"key\":\"coupang:return:2\",\"note\":\"Coupang ship-stop "
	    "request 2: 단순변심\"}]",
	    "requests: a ship-stop request (once), an exchange under way "
	    "(once) and units waiting for a cancel hold the box, by key");
	is(out_member(&f, "12", "status", got, sizeof got), "\"WAITING\"",
	    "requests: a held box keeps its status");
	for (int i = 0; i < 6; i++) {
		fx_next(&f, &req, why);
		if (strstr(req.url.p, "/ordersheets?") == NULL)
			break;
		fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	}
	/* Box 11 was named but not listed: read on its own. */
	ok(strstr(req.url.p, "/vendors/A1/ordersheets/11") != NULL &&
	    strchr(req.url.p, '?') == NULL,
	    "requests: a box named but not listed is read by its id (%s)",
	    req.url.p);
	ok(fx_take(&f, "{\"code\":200,\"data\":{\"shipmentBoxId\":11,"
	    "\"status\":\"FINAL_DELIVERY\",\"orderItems\":[{\"vendorItemId\":8,"
	    "\"shippingCount\":1},{\"vendorItemId\":6,\"shippingCount\":1}]}}",
	    why) == 0, "requests: its answer is taken (%s)", why);
	is(out_member(&f, "11", "status", got, sizeof got), "\"COMPLETE\"",
	    "requests: returned after delivery: the status stays");
	is(out_member(&f, "11", "items", got, sizeof got),
	    "[{\"external_item_id\":\"6\",\"quantity\":1},"
	    "{\"canceled\":true,\"cancelled_quantity\":1,"
	    "\"external_item_id\":\"8\",\"quantity\":1}]",
	    "requests: its returned units are cancelled");
	/* Box 13's exchange is done: read on its own, its line says no
	 * hold, so the one it had goes. */
	fx_next(&f, &req, why);
	ok(strstr(req.url.p, "/vendors/A1/ordersheets/13") != NULL,
	    "requests: a box a done exchange names is read by its id (%s)",
	    req.url.p);
	ok(fx_take(&f, "{\"code\":200,\"data\":{\"shipmentBoxId\":13,"
	    "\"status\":\"FINAL_DELIVERY\",\"orderItems\":[{\"vendorItemId\":"
	    "5,\"shippingCount\":1}]}}", why) == 0,
	    "requests: its answer is taken (%s)", why);
	is(out_member(&f, "13", "channel_holds", got, sizeof got), "[]",
	    "requests: an exchange done: its hold goes");
	step = fx_next(&f, &req, why);
	ok(step == UOMS_KIND_DONE, "requests: then done");
	ok(json_array_size(f.out) == 4, "requests: each box once");
	fx_free(&f);
	uoms_http_req_free(&req);

	/* A request without a receiptId is an answer not understood. */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.requests = 1;
	fx_next(&f, &req, why);
	ok(fx_take(&f, "{\"code\":200,\"data\":[{\"returnItems\":[]}]}", why)
	    < 0 && strstr(why, "receiptId") != NULL,
	    "requests: one without a receiptId fails the page (%s)", why);
	fx_free(&f);
	uoms_http_req_free(&req);

	/* An exchange request without an exchangeId, likewise. */
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	f.requests = 1;
	for (int i = 0; i < 8; i++) {
		fx_next(&f, &req, why);
		if (strstr(req.url.p, "/exchangeRequests?") != NULL)
			break;
		fx_take(&f, "{\"code\":200,\"data\":[]}", why);
	}
	ok(fx_take(&f, "{\"code\":200,\"data\":[{\"exchangeStatus\":"
	    "\"RECEIPT\"}]}", why) < 0 && strstr(why, "exchangeId") != NULL,
	    "requests: an exchange without an exchangeId fails the page (%s)",
	    why);
	fx_free(&f);
	uoms_http_req_free(&req);
}

/* A 429, and a box read alone that Coupang no longer shows. */
static void
test_refused(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	struct uoms_http_resp r = { .status = 429, .body = "", .len = 0,
	    .headers = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\n\r\n" };
	char why[256] = "";

	r.headers_len = strlen(r.headers);
	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	fx_next(&f, &req, why);
	ok(uoms_kind_coupang.refused(&f.ctx, &r, why, sizeof why) == UOMS_REFUSAL_FAIL &&
	    strstr(why, "HTTP 429") != NULL &&
	    strstr(why, "fetch again after ") != NULL,
	    "refused: a 429 stops the run, saying when (%s)", why);
	r.status = 500;
	ok(uoms_kind_coupang.refused(&f.ctx, &r, why, sizeof why) == UOMS_REFUSAL_ENGINE,
	    "refused: a 500 is the engine's (retried)");
	r.status = 400;
	ok(uoms_kind_coupang.refused(&f.ctx, &r, why, sizeof why) == UOMS_REFUSAL_ENGINE,
	    "refused: a 400 to a list is the engine's (fails)");
	fx_free(&f);
	uoms_http_req_free(&req);
}

/* push: one record as the store keeps it (fetched box 100009: item
 * 70000010 cancelled whole). */
static const char push_record[] =
    "{\"external_order_id\":\"100009\",\"channel_order_id\":\"9100000000009\","
    "\"channel_status\":\"ACCEPT\",\"items\":["
    "{\"external_item_id\":\"70000009\",\"quantity\":2},"
    "{\"external_item_id\":\"70000010\",\"quantity\":1,"
    "\"cancelled_quantity\":1}]}";

/* push() of what on rec into req; its return, why in why. */
static int
fx_push(struct fixture *f, const char *what, const char *carrier,
    json_t *rec, struct uoms_http_req *req, struct uoms_buf *answer,
    char *why, size_t whylen)
{
	struct uoms_push_item it = { 1, str_or(rec, "external_order_id"),
	    what, carrier, carrier != NULL ? "640012345678" : NULL, rec };

	return uoms_kind_coupang.push(&f->ctx, &it, req, answer, why, whylen);
}

static void
test_push(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	struct uoms_buf answer = { 0 };
	json_t *rec = json_loads(push_record, 0, NULL), *body, *want;
	char why[512] = "", sig[65], date[16] = "", *auth = NULL, path[200];
	const char *src = getenv("UOMS_SRC");
	char tsv[4096];

	snprintf(tsv, sizeof tsv, "%s/share/uoms/carriers.tsv",
	    src != NULL && *src != '\0' ? src : ".");
	uoms_carrier_file(tsv);
	fx_init(&f, "{\"vendor_id\":\"A00012345\"}", NULL, NULL, NULL);
	ok(uoms_kind_coupang.wants_ack(&f.ch), "push: coupang wants an ack");

	ok(fx_push(&f, "ack", NULL, rec, &req, &answer, why, sizeof why) == 0,
	    "push: ack makes a request (%s)", why);
	snprintf(path, sizeof path, "/v2/providers/openapi/apis/api/v4/"
	    "vendors/A00012345/ordersheets/acknowledgement");
	ok(strcmp(req.method, "PUT") == 0, "push: ack is a PUT");
	ok(req.url.p != NULL && strncmp(req.url.p, "http://127.0.0.1:9/v2/",
	    22) == 0 && strstr(req.url.p, path) != NULL, "push: ack URL %s",
	    req.url.p != NULL ? req.url.p : "");
	body = json_loads(req.body.p != NULL ? req.body.p : "", 0, NULL);
	want = json_loads("{\"vendorId\":\"A00012345\",\"shipmentBoxIds\":"
	    "[100009]}", 0, NULL);
	ok(json_equal(body, want), "push: ack body %s", req.body.p);
	json_decref(body);
	json_decref(want);
	for (int i = 0; i < req.nheaders; i++)
		if (strncmp(req.headers[i], "Authorization: ", 15) == 0) {
			auth = req.headers[i];
			ok(req.secret_header[i], "push: Authorization is secret");
		}
	if (auth != NULL && strstr(auth, "signed-date=") != NULL)
		snprintf(date, sizeof date, "%.14s", strstr(auth,
		    "signed-date=") + 12);
	ref_sign(f.sk, date, "PUT", path, "", sig);
	ok(auth != NULL && strstr(auth, sig) != NULL,
	    "push: ack signed over PUT and its path (%s)", auth);
	uoms_http_req_free(&req);
	memset(&req, 0, sizeof req);

	ok(fx_push(&f, "ship", "cj", rec, &req, &answer, why, sizeof why) == 0,
	    "push: ship makes a request (%s)", why);
	ok(strcmp(req.method, "POST") == 0 && strstr(req.url.p,
	    "/vendors/A00012345/orders/invoices") != NULL,
	    "push: ship is a POST of orders/invoices");
	body = json_loads(req.body.p != NULL ? req.body.p : "", 0, NULL);
	want = json_loads("{\"vendorId\":\"A00012345\","
	    "\"orderSheetInvoiceApplyDtos\":[{\"shipmentBoxId\":100009,"
	    "\"orderId\":9100000000009,\"vendorItemId\":70000009,"
	    "\"deliveryCompanyCode\":\"CJGLS\",\"invoiceNumber\":"
	    "\"640012345678\",\"splitShipping\":false,\"preSplitShipped\":"
	    "false,\"estimatedShippingDate\":\"\"}]}", 0, NULL);
	ok(json_equal(body, want), "push: ship body, the cancelled item "
	    "left out: %s", req.body.p);
	json_decref(body);
	json_decref(want);
	uoms_http_req_free(&req);
	memset(&req, 0, sizeof req);

	ok(fx_push(&f, "ship", "nosuch", rec, &req, &answer, why,
	    sizeof why) == -1 && strstr(why, "carrier 'nosuch'") != NULL,
	    "push: a carrier with no code is not sent (%s)", why);
	json_object_set_new(rec, "channel_order_id", json_string("x1"));
	ok(fx_push(&f, "ship", "cj", rec, &req, &answer, why,
	    sizeof why) == -1 && strstr(why, "orderId") != NULL,
	    "push: no Coupang orderId, not sent (%s)", why);
	json_object_set_new(rec, "channel_status", json_string("INSTRUCT"));
	ok(fx_push(&f, "ack", NULL, rec, &req, &answer, why, sizeof why) == 1 &&
	    answer.p != NULL && strstr(answer.p, "INSTRUCT") != NULL,
	    "push: a box INSTRUCT on Coupang is acked already: %s",
	    answer.p != NULL ? answer.p : "");
	uoms_buf_free(&answer);
	f.sk = NULL;
	json_object_set_new(rec, "channel_status", json_string("ACCEPT"));
	ok(fx_push(&f, "ack", NULL, rec, &req, &answer, why, sizeof why) ==
	    -1 && strstr(why, "secret_key") != NULL,
	    "push: no secret_key, not sent (%s)", why);
	uoms_http_req_free(&req);
	json_decref(rec);
	fx_free(&f);
}

/* pushed() of an answer of status with body. */
static int
fx_pushed(long status, const char *body, char *why, size_t whylen,
    struct uoms_buf *answer)
{
	struct fixture f;
	struct uoms_http_resp r = { .status = status, .body = body,
	    .len = strlen(body), .headers = "", .headers_len = 0 };
	int rc;

	fx_init(&f, "{\"vendor_id\":\"A1\"}", NULL, NULL, NULL);
	uoms_buf_clear(answer);
	why[0] = '\0';
	rc = uoms_kind_coupang.pushed(&f.ctx, &r, answer, why, whylen);
	fx_free(&f);
	return rc;
}

static void
test_pushed(void)
{
	struct uoms_buf a = { 0 };
	char why[600];
	static const char ok_body[] = "{\"code\":200,\"message\":\"OK\","
	    "\"data\":{\"responseCode\":0,\"responseMessage\":\"SUCCESS\","
	    "\"responseList\":[{\"shipmentBoxId\":100009,\"succeed\":true,"
	    "\"resultCode\":\"OK\",\"retryRequired\":false,"
	    "\"resultMessage\":\"\"}]}}";

	ok(fx_pushed(200, ok_body, why, sizeof why, &a) == 1 && a.p != NULL &&
	    strstr(a.p, "\"succeed\":true") != NULL && strchr(a.p, '\n') ==
	    NULL, "pushed: accepted, the answer kept compact: %s",
	    a.p != NULL ? a.p : "");
	ok(fx_pushed(200, "{\"code\":200,\"message\":\"OK\",\"data\":{"
	    "\"responseCode\":1,\"responseList\":[{\"shipmentBoxId\":1,"
	    "\"succeed\":true},{\"shipmentBoxId\":2,\"succeed\":false,"
	    "\"resultCode\":\"FAIL\",\"retryRequired\":false,"
	    "\"resultMessage\":\"not INSTRUCT\"}]}}", why, sizeof why, &a) ==
	    0 && strstr(why, "shipment box 2: not INSTRUCT (FAIL)") != NULL &&
	    strstr(why, "1 other taken") != NULL && strstr(why,
	    "shipment box 1:") == NULL,
	    "pushed: a box that failed refuses it, naming that box: %s", why);
	ok(fx_pushed(200, "{\"code\":200,\"data\":{\"responseList\":[{"
	    "\"shipmentBoxId\":3,\"succeed\":false,\"retryRequired\":true,"
	    "\"resultMessage\":\"busy\"}]}}", why, sizeof why, &a) == 0 &&
	    strstr(why, "busy") != NULL && strstr(why, "--resend") != NULL,
	    "pushed: retryRequired is a refusal saying to resend: %s", why);
	ok(fx_pushed(200, "{\"code\":200,\"data\":{\"responseList\":[]}}", why,
	    sizeof why, &a) == 0 && strstr(why, "no box") != NULL,
	    "pushed: an empty responseList is not taken for success: %s", why);
	ok(fx_pushed(400, "{\"code\":\"ERROR\",\"message\":\"shipmentBoxIds "
	    "must be numbers\",\"data\":null}", why, sizeof why, &a) == 0 &&
	    strcmp(why, "HTTP 400: shipmentBoxIds must be numbers") == 0,
	    "pushed: a 400 is a refusal with Coupang's message: %s", why);
	ok(fx_pushed(200, "{\"code\":\"ERROR\",\"message\":\"nope\"}", why,
	    sizeof why, &a) == 0 && strstr(why, "nope") != NULL,
	    "pushed: an error code in a 200 is a refusal: %s", why);
	ok(fx_pushed(503, "busy", why, sizeof why, &a) == -1,
	    "pushed: a 5xx is the engine's (retried)");
	ok(fx_pushed(401, "{}", why, sizeof why, &a) == -1,
	    "pushed: a 401 is the engine's (authentication failed)");
	ok(fx_pushed(200, "<html>", why, sizeof why, &a) == 0,
	    "pushed: a 200 that is not JSON is not taken for success");
	uoms_buf_free(&a);
}

int
main(void)
{
	test_sign();
	test_request();
	test_config_errors();
	test_paging();
	test_mapping();
	test_data_file();
	test_broken();
	test_products();
	test_requests();
	test_refused();
	test_push();
	test_pushed();
	printf("1..%d\n", tests);
	return failed != 0;
}
