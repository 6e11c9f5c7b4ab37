/*
 * kind shopify: requests (URL, query, headers, the client-credentials
 * grant), Link header paging, exact money, the mapping of canned answers
 * onto records (every field, every status) and broken answers; the
 * shipment push (the fulfillment orders query, fulfillmentCreate) and
 * how its answers are read.
 * Prints TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "carrier.h"
#include "kind.h"
#include "map.h"

extern const struct uoms_kind uoms_kind_shopify;

#include "tap.h"

/* A fetch context over a channel, its secrets and what it emitted. */
struct fixture {
	struct uoms_fetch_ctx ctx;
	struct uoms_channel ch;
	const char *names[8];
	char *values[8];
	char *expires[8];
	int nsecrets;
	json_t *out;		/* the records emitted */
	int kept;		/* keep_secret calls */
};

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct fixture *f = (struct fixture *)ctx;

	for (int i = 0; i < f->nsecrets; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	snprintf(why, whylen, "secret %s is not set", name);
	return NULL;
}

static void
fx_set(struct fixture *f, const char *name, const char *value,
    const char *expires)
{
	for (int i = 0; i < f->nsecrets; i++)
		if (strcmp(f->names[i], name) == 0) {
			free(f->values[i]);
			free(f->expires[i]);
			f->values[i] = strdup(value);
			f->expires[i] = expires ? strdup(expires) : NULL;
			return;
		}
	f->names[f->nsecrets] = name;
	f->values[f->nsecrets] = strdup(value);
	f->expires[f->nsecrets++] = expires ? strdup(expires) : NULL;
}

static void
fx_keep(struct uoms_fetch_ctx *ctx, const char *name, const char *value,
    const char *expires_at)
{
	struct fixture *f = (struct fixture *)ctx;

	f->kept++;
	fx_set(f, name, value, expires_at);
}

static void
fx_emit(struct uoms_fetch_ctx *ctx, json_t *record)
{
	struct fixture *f = (struct fixture *)ctx;

	json_array_append(f->out, record);
}

/* settings: JSON text; base_url, workflow may be NULL. */
static void
fx_init(struct fixture *f, const char *base_url, const char *workflow,
    const char *settings, const char *since)
{
	memset(f, 0, sizeof *f);
	f->ch.name = "shop-kr";
	f->ch.kind = "shopify";
	f->ch.base_url = (char *)base_url;
	f->ch.workflow = (char *)workflow;
	f->ch.enabled = 1;
	f->ch.settings = json_loads(settings ? settings : "{}", 0, NULL);
	/* The tests before GraphQL are the legacy REST API's (api=rest);
	 * the GraphQL ones say api=graphql. */
	if (json_object_get(f->ch.settings, "api") == NULL)
		json_object_set_new(f->ch.settings, "api", json_string("rest"));
	f->ctx.channel = &f->ch;
	f->ctx.since = since;
	f->ctx.until = "2026-11-21T10:00:00Z";
	f->ctx.secret = fx_secret;
	f->ctx.keep_secret = fx_keep;
	f->ctx.emit = fx_emit;
	f->out = json_array();
}

static void
fx_free(struct fixture *f)
{
	uoms_kind_shopify.done(&f->ctx);
	for (int i = 0; i < f->nsecrets; i++) {
		free(f->values[i]);
		free(f->expires[i]);
	}
	json_decref(f->ch.settings);
	json_decref(f->out);
}

static enum uoms_kind_step
fx_next(struct fixture *f, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	uoms_http_req_free(req);
	why[0] = '\0';
	return uoms_kind_shopify.next(&f->ctx, req, why, whylen);
}

static int
fx_take(struct fixture *f, const char *headers, const char *body, char *why,
    size_t whylen)
{
	struct uoms_http_resp r = { 200, body, strlen(body), headers,
	    strlen(headers) };

	why[0] = '\0';
	return uoms_kind_shopify.take(&f->ctx, &r, why, whylen);
}

static const char *
header(const struct uoms_http_req *req, const char *prefix, int *secret)
{
	for (int i = 0; i < req->nheaders; i++)
		if (strncmp(req->headers[i], prefix, strlen(prefix)) == 0) {
			if (secret != NULL)
				*secret = req->secret_header[i];
			return req->headers[i];
		}
	return NULL;
}

/* got (a record) equals the JSON text want, member for member. */
static void
same_json(json_t *got, const char *want, const char *what)
{
	json_error_t err;
	json_t *w = json_loads(want, 0, &err);
	int same = w != NULL && got != NULL && json_equal(got, w);

	if (!ok(same, "%s", what)) {
		char *g = got ? json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT) :
		    NULL;
		char *x = w ? json_dumps(w, JSON_SORT_KEYS | JSON_COMPACT) :
		    NULL;

		printf("#   got:  %s\n#   want: %s%s\n", g ? g : "(null)",
		    x ? x : "(bad JSON) ", x ? "" : err.text);
		free(g);
		free(x);
	}
	json_decref(w);
}

static void
test_requests(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	int secret = -1;

	fx_init(&f, NULL, NULL, "{\"shop\":\"acme\"}",
	    "2026-11-21T09:12:00Z");
	fx_set(&f, "access_token", "shpat_0123", NULL);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "shop acme: a request");
	is(req.method, "GET", "method GET");
	is(req.url.p, "https://acme.myshopify.com/admin/api/2026-10/"
	    "orders.json?status=any&updated_at_min=2026-11-21T09%3A12%3A00Z"
	    "&limit=250", "first page: status=any, updated_at_min, limit=250, "
	    "default version 2026-10");
	is(header(&req, "X-Shopify-Access-Token:", &secret),
	    "X-Shopify-Access-Token: shpat_0123", "token header");
	ok(secret == 1, "token header is marked secret");
	secret = -1;
	ok(header(&req, "Accept:", &secret) != NULL && secret == 0,
	    "Accept header, not secret");
	ok(req.body.n == 0, "no body");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "http://127.0.0.1:8123/", "fulfillment",
	    "{\"api_version\":\"2025-01\",\"limit\":3}", NULL);
	fx_set(&f, "access_token", "t", NULL);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "base_url on loopback over http: a request");
	is(req.url.p, "http://127.0.0.1:8123/admin/api/2025-01/orders.json?"
	    "status=any&limit=3", "no since: no updated_at_min; api_version "
	    "and limit settings; trailing / dropped");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, NULL, NULL, "{\"shop\":\"acme.myshopify.com\"}", "");
	fx_set(&f, "access_token", "t", NULL);
	fx_next(&f, &req, why, sizeof why);
	is(req.url.p, "https://acme.myshopify.com/admin/api/2026-10/"
	    "orders.json?status=any&limit=250", "shop as a full host name");
	uoms_http_req_free(&req);
	fx_free(&f);

	static const struct {
		const char *base, *settings, *why;
	} bad[] = {
		{ NULL, "{}", "needs a base URL or the setting shop" },
		{ NULL, "{\"shop\":\"evil.com/x\"}", "is not a shop name" },
		{ NULL, "{\"shop\":\"a b\"}", "is not a shop name" },
		{ "http://shop.example.com", "{}", "is not https://" },
		{ "http://127.0.0.1.evil.com/", "{}", "is not https://" },
		{ "https://x.example", "{\"api_version\":\"2024-1\"}",
		    "api_version '2024-1' is not YYYY-MM" },
		{ "https://x.example", "{\"limit\":251}", "limit '251' is not "
		    "1 to 250" },
		{ "https://x.example", "{\"limit\":\"0\"}", "is not 1 to 250" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fx_init(&f, bad[i].base, NULL, bad[i].settings, NULL);
		fx_set(&f, "access_token", "t", NULL);
		ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_FAIL &&
		    strstr(why, bad[i].why) != NULL, "refused: %s %s: %s",
		    bad[i].base ? bad[i].base : "-", bad[i].settings, why);
		uoms_http_req_free(&req);
		fx_free(&f);
	}

	fx_init(&f, "https://x.example", NULL, NULL, NULL);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_FAIL &&
	    strstr(why, "access_token") != NULL &&
	    strstr(why, "client_id and client_secret") != NULL,
	    "no secret: fails naming what to set (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

}

/* The catalog: requests, paging, a line per variant with a SKU. */
static void
test_products(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	static const char page1[] = "{\"products\":["
	    "{\"id\":632910391,\"title\":\"Apple\",\"product_type\":"
	    "\"Fruit\",\"status\":\"active\",\"variants\":["
	    "{\"id\":11,\"title\":\"1kg\",\"sku\":\"APL-1\",\"price\":"
	    "\"12.34\",\"inventory_quantity\":10},"
	    "{\"id\":12,\"title\":\"Sample\",\"sku\":\"\",\"price\":"
	    "\"0.00\",\"inventory_quantity\":5},"
	    "{\"id\":13,\"title\":\"3kg\",\"sku\":null,\"price\":"
	    "\"30.00\"}]},"
	    "{\"id\":632910392,\"title\":\"Pear\",\"product_type\":\"\","
	    "\"status\":\"draft\",\"variants\":[{\"id\":21,\"title\":"
	    "\"Default Title\",\"sku\":\"PEAR\",\"price\":\"5.5\","
	    "\"inventory_quantity\":-2,\"inventory_item_id\":99}]},"
	    "{\"id\":632910393,\"title\":\"Empty\",\"variants\":[]}]}";
	static const char want1[] = "["
	    "{\"sku\":\"APL-1\",\"name\":\"Apple / 1kg\",\"category\":"
	    "\"Fruit\",\"price\":1234,\"stock\":10,\"currency\":\"USD\","
	    "\"channel\":\"shop-kr\",\"channel_product_id\":\"632910391\","
	    "\"channel_variant_id\":\"11\",\"channel_status\":\"active\"},"
	    "{\"sku\":\"PEAR\",\"name\":\"Pear\",\"price\":550,"
	    "\"stock\":-2,\"currency\":\"USD\",\"channel\":\"shop-kr\","
	    "\"channel_product_id\":\"632910392\",\"channel_variant_id\":"
	    "\"21\",\"channel_status\":\"draft\"}]";

	fx_init(&f, "https://acme.example", NULL, NULL,
	    "2026-11-01T00:00:00Z");
	fx_set(&f, "access_token", "t", NULL);
	f.ctx.products = 1;
	/* No currency setting: the shop's, asked first (shop.json). */
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "products: a request (%s)", why);
	is(req.url.p, "https://acme.example/admin/api/2026-10/shop.json",
	    "products: the shop's currency asked first");
	ok(header(&req, "X-Shopify-Access-Token: ", NULL) != NULL,
	    "products: shop.json with the token");
	ok(fx_take(&f, "", "{\"shop\":{\"id\":548380009,\"name\":"
	    "\"John Smith Test Store\",\"currency\":\"USD\"}}", why,
	    sizeof why) == 0 && json_array_size(f.out) == 0,
	    "products: shop.json taken (%s)", why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "products: a request (%s)", why);
	is(req.url.p, "https://acme.example/admin/api/2026-10/products.json?"
	    "updated_at_min=2026-11-01T00%3A00%3A00Z&limit=250",
	    "products: first page: updated_at_min and limit, no status");
	ok(fx_take(&f, "Link: <https://acme.example/admin/api/2026-10/"
	    "products.json?limit=250&page_info=abc>; rel=\"next\"\r\n",
	    page1, why, sizeof why) == 0, "products: page 1 taken (%s)", why);
	same_json(f.out, want1, "products: a line per variant with a SKU, "
	    "Default Title left out, cents of USD, no cost");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "products: page 2 asked");
	is(req.url.p, "https://acme.example/admin/api/2026-10/products.json?"
	    "limit=250&page_info=abc", "products: page 2: page_info and limit "
	    "only");
	ok(fx_take(&f, "", "{\"products\":[]}", why, sizeof why) == 0 &&
	    fx_next(&f, &req, why, sizeof why) == UOMS_KIND_DONE,
	    "products: no next link: done");
	ok(fx_take(&f, "", "{\"orders\":[]}", why, sizeof why) < 0,
	    "products: an answer without products is refused");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* The setting currency: KRW has no minor unit. */
	fx_init(&f, "https://acme.example", NULL, "{\"currency\":\"KRW\"}",
	    NULL);
	fx_set(&f, "access_token", "t", NULL);
	f.ctx.products = 1;
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "products KRW: a request (%s)", why);
	is(req.url.p, "https://acme.example/admin/api/2026-10/products.json?"
	    "limit=250", "products: no since, no updated_at_min");
	ok(fx_take(&f, "", "{\"products\":[{\"id\":1,\"title\":\"사과\","
	    "\"variants\":[{\"id\":2,\"title\":\"Default Title\","
	    "\"sku\":\"S1\",\"price\":\"19000\"}]}]}", why, sizeof why) ==
	    0, "products KRW: taken (%s)", why);
	same_json(json_array_get(f.out, 0), "{\"sku\":\"S1\",\"name\":"
	    "\"사과\",\"price\":19000,\"currency\":\"KRW\",\"channel\":"
	    "\"shop-kr\",\"channel_product_id\":\"1\",\"channel_variant_id\":"
	    "\"2\"}", "products KRW: whole won, no stock when not given");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://acme.example", NULL, "{\"currency\":\"usd$\"}",
	    NULL);
	fx_set(&f, "access_token", "t", NULL);
	f.ctx.products = 1;
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_FAIL &&
	    strstr(why, "currency") != NULL, "products: a bad currency setting "
	    "is refused (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* A shop whose currency is not ISO 4217: nothing assumed. */
	fx_init(&f, "https://acme.example", NULL, NULL, NULL);
	fx_set(&f, "access_token", "t", NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "{\"shop\":{\"id\":1}}", why, sizeof why) < 0 &&
	    strstr(why, "shop's currency") != NULL, "products: no shop "
	    "currency fails the channel (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* A page is taken whole or not at all. */
	fx_init(&f, "https://acme.example", NULL, "{\"currency\":\"USD\"}",
	    NULL);
	fx_set(&f, "access_token", "t", NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "{\"products\":[{\"id\":1,\"variants\":[{"
	    "\"id\":2,\"sku\":\"S1\",\"price\":\"1.00\"}]},{\"id\":3,"
	    "\"variants\":[{\"id\":4,\"sku\":\"S2\",\"price\":\"1.x\"}]}"
	    "]}", why, sizeof why) < 0 && strstr(why, "price") != NULL &&
	    json_array_size(f.out) == 0, "products: a bad price fails the page, "
	    "nothing emitted (%s)", why);
	ok(fx_take(&f, "", "{\"products\":[{\"title\":\"x\"}]}", why,
	    sizeof why) < 0 && strstr(why, "id") != NULL,
	    "products: a product without an id is refused (%s)", why);
	ok(fx_take(&f, "", "{\"products\":[{\"id\":1,\"variants\":[{"
	    "\"sku\":\"S1\"}]}]}", why, sizeof why) < 0,
	    "products: a variant without an id is refused (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);
}

static void
test_grant(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	int secret = -1;

	fx_init(&f, "https://acme.myshopify.com", NULL, NULL,
	    "2026-11-21T09:12:00Z");
	fx_set(&f, "client_id", "cid 1", NULL);
	fx_set(&f, "client_secret", "s&cret", NULL);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "client credentials: a token request first");
	is(req.method, "POST", "token: POST");
	is(req.url.p, "https://acme.myshopify.com/admin/oauth/access_token",
	    "token: URL");
	is(header(&req, "Content-Type:", NULL), "Content-Type: "
	    "application/x-www-form-urlencoded", "token: form encoded");
	is(req.body.p, "grant_type=client_credentials&client_id=cid%201"
	    "&client_secret=s%26cret", "token: body, escaped");
	ok(fx_take(&f, "HTTP/1.1 200 OK\r\n", "{\"access_token\":\"shpat_cc\","
	    "\"scope\":\"read_orders\",\"expires_in\":86399}", why,
	    sizeof why) == 0, "token answer taken");
	ok(f.kept == 1 && strcmp(f.names[2], "access_token") == 0 &&
	    strcmp(f.values[2], "shpat_cc") == 0 && f.expires[2] != NULL &&
	    strlen(f.expires[2]) == 20, "token kept as access_token until %s",
	    f.expires[2] ? f.expires[2] : "-");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "then the orders");
	is(header(&req, "X-Shopify-Access-Token:", &secret),
	    "X-Shopify-Access-Token: shpat_cc", "with the new token");
	ok(secret == 1, "marked secret");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://acme.myshopify.com", NULL, NULL, NULL);
	fx_set(&f, "client_id", "c", NULL);
	fx_set(&f, "client_secret", "s", NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "{\"error\":\"invalid_client\"}", why,
	    sizeof why) < 0 && strstr(why, "no access_token") != NULL,
	    "a token answer without a token fails (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* Paging: what the Link header says becomes the next request, or the end. */
static void
test_link(void)
{
	static const struct {
		const char *link;	/* NULL: no Link header */
		const char *next;	/* next query; NULL: done, "": fail */
	} cases[] = {
		{ NULL, NULL },
		{ "<https://acme.myshopify.com/admin/api/2026-10/orders.json?"
		    "limit=250&page_info=eyJsYXN0X2lkIjoxfQ>; rel=\"next\"",
		    "limit=250&page_info=eyJsYXN0X2lkIjoxfQ" },
		{ "<https://a/admin/api/2026-10/orders.json?page_info=PREV&"
		    "limit=250>; rel=\"previous\", "
		    "<https://a/admin/api/2026-10/"
		    "orders.json?page_info=NEXT&limit=250>; rel=\"next\"",
		    "limit=250&page_info=NEXT" },
		{ "<https://a/x.json?limit=250&page_info=NEXT>; rel=\"next\", "
		    "<https://a/x.json?limit=250&page_info=PREV>; "
		    "rel=\"previous\"", "limit=250&page_info=NEXT" },
		{ "<https://a/x.json?page_info=PREV&limit=250>; "
		    "rel=\"previous\"", NULL },
		{ "<https://a/x.json?limit=5&page_info=abc-_.~%3D>; rel=next",
		    "limit=250&page_info=abc-_.~%3D" },
		/* the host in the Link is never used: the cursor only */
		{ "<https://evil.example/steal?page_info=Z>; rel=\"next\"",
		    "limit=250&page_info=Z" },
		{ "<https://a/x.json?limit=250>; rel=\"next\"", "" },
		{ "<https://a/x.json?page_info=a\"b>; rel=\"next\"", "" },
		{ "<https://a/x.json?page_info=a b>; rel=\"next\"", "" },
		{ "<https://a/x.json?page_info=ab; rel=\"next\"", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		struct uoms_http_req req = { 0 };
		char why[512], hdr[1024], want[512];
		int rc;

		fx_init(&f, "https://acme.myshopify.com", NULL, NULL,
		    "2026-11-21T09:12:00Z");
		fx_set(&f, "access_token", "t", NULL);
		fx_next(&f, &req, why, sizeof why);
		snprintf(hdr, sizeof hdr, "HTTP/2 200\r\ncontent-type: "
		    "application/json\r\n%s%s%s", cases[i].link ? "link: " : "",
		    cases[i].link ? cases[i].link : "", cases[i].link ?
		    "\r\n" : "");
		rc = fx_take(&f, hdr, "{\"orders\":[{\"id\":7,\"currency\":"
		    "\"USD\"}]}", why, sizeof why);
		if (cases[i].next != NULL && cases[i].next[0] == '\0') {
			ok(rc < 0 && strstr(why, "page_info") != NULL &&
			    json_array_size(f.out) == 0, "Link %zu refused, "
			    "page not emitted: %s", i, why);
			uoms_http_req_free(&req);
			fx_free(&f);
			continue;
		}
		ok(rc == 0 && json_array_size(f.out) == 1, "Link %zu: page "
		    "taken (%s)", i, why);
		rc = fx_next(&f, &req, why, sizeof why);
		if (cases[i].next == NULL) {
			ok(rc == UOMS_KIND_DONE, "Link %zu: no next, done", i);
		} else {
			snprintf(want, sizeof want, "https://acme.myshopify.com"
			    "/admin/api/2026-10/orders.json?%s",
			    cases[i].next);
			ok(rc == UOMS_KIND_REQUEST, "Link %zu: another page",
			    i);
			is(req.url.p, want, "page_info request carries only "
			    "limit and page_info, on the configured base");
			ok(strstr(req.url.p, "status=") == NULL &&
			    strstr(req.url.p, "updated_at_min") == NULL,
			    "no other filter with page_info");
			ok(header(&req, "X-Shopify-Access-Token:", NULL) !=
			    NULL, "the token again");
		}
		uoms_http_req_free(&req);
		fx_free(&f);
	}
}

static void
test_money(void)
{
	static const struct {
		const char *s;
		int digits;
		long long want;
		int ok;
	} cases[] = {
		{ "12.34", 2, 1234, 1 }, { "12", 2, 1200, 1 },
		{ "0.5", 2, 50, 1 }, { "0.05", 2, 5, 1 }, { "0", 2, 0, 1 },
		{ "0.00", 2, 0, 1 }, { "12.340", 2, 1234, 1 },
		{ "38000", 0, 38000, 1 }, { "38000.00", 0, 38000, 1 },
		{ "1.234", 3, 1234, 1 }, { "1.2", 3, 1200, 1 },
		{ "-3.10", 2, -310, 1 }, { "007.5", 2, 750, 1 },
		{ "92233720368547758.07", 2, 9223372036854775807LL, 1 },
		{ "92233720368547758.08", 2, 0, 0 },
		{ "38000.5", 0, 0, 0 }, { "12.345", 2, 0, 0 },
		{ "", 2, 0, 0 }, { ".5", 2, 0, 0 }, { "12.", 2, 0, 0 },
		{ "1.2.3", 2, 0, 0 }, { "1e3", 2, 0, 0 }, { " 12", 2, 0, 0 },
		{ "12 ", 2, 0, 0 }, { "+12", 2, 0, 0 }, { "-", 2, 0, 0 },
		{ "12,34", 2, 0, 0 }, { "abc", 2, 0, 0 }, { "0x10", 2, 0, 0 },
		{ "NaN", 2, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long v = -42;
		int rc = uoms_map_money(cases[i].s, cases[i].digits, &v);

		if (cases[i].ok)
			ok(rc == 0 && v == cases[i].want, "money '%s' (%d "
			    "digits) = %lld (got %lld)", cases[i].s,
			    cases[i].digits, cases[i].want, v);
		else
			ok(rc < 0, "money '%s' (%d digits) refused",
			    cases[i].s, cases[i].digits);
	}
	ok(uoms_map_currency_digits("KRW") == 0 &&
	    uoms_map_currency_digits("JPY") == 0 &&
	    uoms_map_currency_digits("USD") == 2 &&
	    uoms_map_currency_digits("EUR") == 2 &&
	    uoms_map_currency_digits("KWD") == 3, "minor unit digits: KRW, "
	    "JPY 0; USD, EUR 2; KWD 3");
}

/* A full order, as the 2026-10 docs show one (trimmed to what we read). */
static const char full_page[] =
    "{\"orders\":[{"
    "\"id\":450789469,\"name\":\"#1001\",\"order_number\":1001,"
    "\"email\":\"bob@example.com\",\"phone\":\"+82 10-9999-0000\","
    "\"created_at\":\"2026-11-21T18:12:00+09:00\","
    "\"updated_at\":\"2026-11-21T18:15:30+09:00\","
    "\"processed_at\":\"2026-11-21T18:12:00+09:00\","
    "\"cancelled_at\":null,\"closed_at\":null,"
    "\"currency\":\"USD\",\"presentment_currency\":\"USD\","
    "\"total_price\":\"598.94\",\"subtotal_price\":\"597.00\","
    "\"financial_status\":\"paid\",\"fulfillment_status\":null,"
    "\"customer\":{\"id\":207119551,\"first_name\":\"Bob\","
    "\"last_name\":\"Norman\",\"phone\":\"+16136120707\"},"
    "\"billing_address\":{\"name\":\"Bob Norman\",\"phone\":\"555-625-1199\"},"
    "\"shipping_address\":{\"first_name\":\"길동\",\"last_name\":\"홍\","
    "\"name\":\"홍길동\",\"address1\":\"테헤란로 1\",\"address2\":\"3층\","
    "\"city\":\"강남구\",\"province\":\"서울\",\"country\":\"South Korea\","
    "\"zip\":\"06236\",\"phone\":\"010-1234-5678\",\"company\":null},"
    "\"line_items\":[{\"id\":466157049,\"variant_id\":39072856,"
    "\"title\":\"IPod Nano - 8gb\",\"name\":\"IPod Nano - 8gb - green\","
    "\"sku\":\"IPOD2008GREEN\",\"quantity\":1,\"price\":\"199.00\"},"
    "{\"id\":518995019,\"title\":\"IPod Nano - 8gb\",\"name\":null,"
    "\"sku\":\"\",\"quantity\":2,\"price\":\"199.5\"}]},"
    /* KRW, a long name, phones and postal codes that do not fit */
    "{\"id\":\"5200000000001\",\"name\":\"KR-20261121-000123\","
    "\"order_number\":2001,\"created_at\":\"2026-11-21T00:30:00Z\","
    "\"updated_at\":\"2026-11-21T00:31:00.250Z\",\"currency\":\"KRW\","
    "\"total_price\":\"38000\",\"financial_status\":\"paid\","
    "\"fulfillment_status\":\"fulfilled\",\"cancelled_at\":null,"
    "\"closed_at\":\"2026-11-22T10:00:00+09:00\","
    "\"fulfillments\":[{\"created_at\":\"2026-11-21T18:00:00+09:00\"},"
    "{\"created_at\":\"2026-11-21T08:30:00Z\"},{\"status\":\"x\"}],"
    "\"shipping_address\":{\"first_name\":\"Jane\",\"last_name\":\"Doe\","
    "\"address1\":\"1 Main St\",\"city\":\"Ottawa\",\"zip\":\"K2P 1L4\","
    "\"phone\":\"+1 613 555 0100\"},"
    "\"line_items\":[{\"id\":1,\"sku\":\"SKU-1\",\"title\":\"Apple\","
    "\"quantity\":2,\"price\":\"19000.00\"}]},"
    /* the least an order can be */
    "{\"id\":3,\"currency\":\"EUR\",\"line_items\":[]}"
    "]}";

static const char want0[] =
    "{\"channel\":\"shop-kr\",\"external_order_id\":\"450789469\","
    "\"order_no\":\"1001\",\"channel_order_no\":\"#1001\","
    "\"workflow\":\"dispatch\",\"status\":\"WAITING\","
    "\"channel_status\":\"paid/unfulfilled\","
    "\"customer\":{\"name\":\"홍길동\",\"phone\":\"010-1234-5678\"},"
    "\"shipping\":{\"postal_code\":\"06236\",\"address\":\"테헤란로 1, 3층, "
    "강남구, 서울, South Korea\"},"
    "\"placed_at\":\"2026-11-21T09:12:00Z\","
    "\"channel_updated_at\":\"2026-11-21T09:15:30Z\","
    "\"total_amount\":59894,\"currency\":\"USD\","
    "\"items\":[{\"external_item_id\":\"466157049\",\"sku\":"
    "\"IPOD2008GREEN\",\"name\":\"IPod Nano - 8gb - green\","
    "\"quantity\":1,\"unit_price\":19900},"
    "{\"external_item_id\":\"518995019\",\"name\":\"IPod Nano - 8gb\","
    "\"quantity\":2,\"unit_price\":19950}]}";

static const char want1[] =
    "{\"channel\":\"shop-kr\",\"external_order_id\":\"5200000000001\","
    "\"order_no\":\"2001\",\"channel_order_no\":\"KR-20261121-000123\","
    "\"workflow\":\"dispatch\",\"status\":\"COMPLETE\","
    "\"channel_status\":\"paid/fulfilled\","
    "\"customer\":{\"name\":\"Jane Doe\",\"phone_raw\":\"+1 613 555 0100\"},"
    "\"shipping\":{\"postal_code_raw\":\"K2P 1L4\","
    "\"address\":\"1 Main St, Ottawa\"},"
    "\"placed_at\":\"2026-11-21T00:30:00Z\","
    "\"channel_updated_at\":\"2026-11-21T00:31:00.250Z\","
    "\"depart_time\":\"2026-11-21T08:30:00Z\","
    "\"complete_time\":\"2026-11-22T01:00:00Z\","
    "\"total_amount\":38000,\"currency\":\"KRW\","
    "\"items\":[{\"external_item_id\":\"1\",\"sku\":\"SKU-1\","
    "\"name\":\"Apple\",\"quantity\":2,\"unit_price\":19000}]}";

static const char want2[] =
    "{\"channel\":\"shop-kr\",\"external_order_id\":\"3\","
    "\"workflow\":\"dispatch\",\"status\":\"WAITING\","
    "\"channel_status\":\"none/unfulfilled\",\"currency\":\"EUR\","
    "\"items\":[]}";

static void
test_mapping(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];

	fx_init(&f, "https://acme.myshopify.com", NULL, NULL, NULL);
	fx_set(&f, "access_token", "t", NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "HTTP/1.1 200 OK\r\n", full_page, why, sizeof why) ==
	    0, "a full page taken (%s)", why);
	ok(json_array_size(f.out) == 3, "three records");
	same_json(json_array_get(f.out, 0), want0, "order 1: every field "
	    "(offset times to UTC, money exact, name and phone from the "
	    "shipping address, empty sku left out)");
	same_json(json_array_get(f.out, 1), want1, "order 2: KRW, a name "
	    "too long for order_no, raw phone and postal code");
	same_json(json_array_get(f.out, 2), want2, "order 3: the least an "
	    "order can be");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_DONE,
	    "no Link: done");
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* Every status: financial, fulfillment, cancelled -> three workflows. */
static void
test_status(void)
{
	static const struct {
		const char *fin, *ful, *cancelled;
		const char *channel_status, *dispatch, *fulfillment, *food;
	} cases[] = {
		{ "pending", NULL, NULL, "pending/unfulfilled", "WAITING",
		    "created", "pending_payment" },
		{ "partially_paid", NULL, NULL, "partially_paid/unfulfilled",
		    "WAITING", "created", "pending_payment" },
		{ "expired", NULL, NULL, "expired/unfulfilled", "WAITING",
		    "created", "pending_payment" },
		{ "authorized", NULL, NULL, "authorized/unfulfilled",
		    "WAITING", "paid", "pending_acceptance" },
		{ "paid", NULL, NULL, "paid/unfulfilled", "WAITING", "paid",
		    "pending_acceptance" },
		{ "paid", "unfulfilled", NULL, "paid/unfulfilled", "WAITING",
		    "paid", "pending_acceptance" },
		{ "partially_refunded", NULL, NULL,
		    "partially_refunded/unfulfilled", "WAITING", "paid",
		    "pending_acceptance" },
		{ "paid", "partial", NULL, "paid/partial", "IN_PROGRESS",
		    "picking", "in_transit" },
		{ "paid", "fulfilled", NULL, "paid/fulfilled", "COMPLETE",
		    "shipped", "delivered" },
		{ "partially_refunded", "fulfilled", NULL,
		    "partially_refunded/fulfilled", "COMPLETE", "shipped",
		    "delivered" },
		{ "refunded", "fulfilled", NULL, "refunded/fulfilled",
		    "ISSUE", "returned", NULL },
		{ "refunded", NULL, NULL, "refunded/unfulfilled", "CANCEL",
		    "cancelled", "cancelled" },
		{ "voided", NULL, NULL, "voided/unfulfilled", "CANCEL",
		    "cancelled", "cancelled" },
		{ "paid", "restocked", NULL, "paid/restocked", "CANCEL",
		    "cancelled", "cancelled" },
		{ "paid", NULL, "2026-11-21T10:00:00Z",
		    "paid/unfulfilled/cancelled", "CANCEL", "cancelled",
		    "cancelled" },
		{ "refunded", "fulfilled", "2026-11-21T10:00:00Z",
		    "refunded/fulfilled/cancelled", "CANCEL", "cancelled",
		    "cancelled" },
	};
	static const char *const workflows[] = { "dispatch", "fulfillment",
	    "food-delivery", "my-own" };

	for (size_t w = 0; w < 4; w++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct fixture f;
			struct uoms_http_req req = { 0 };
			char why[256], body[512], what[160];
			const char *want = w == 0 ? cases[i].dispatch :
			    w == 1 ? cases[i].fulfillment :
			    w == 2 ? cases[i].food : NULL;
			json_t *rec;

			fx_init(&f, "https://a.example", w == 0 ? NULL :
			    workflows[w], NULL, NULL);
			fx_set(&f, "access_token", "t", NULL);
			fx_next(&f, &req, why, sizeof why);
			snprintf(body, sizeof body, "{\"orders\":[{\"id\":1,"
			    "\"currency\":\"KRW\",\"financial_status\":%s%s%s,"
			    "\"fulfillment_status\":%s%s%s,\"cancelled_at\":"
			    "%s%s%s}]}", cases[i].fin ? "\"" : "",
			    cases[i].fin ? cases[i].fin : "null",
			    cases[i].fin ? "\"" : "", cases[i].ful ? "\"" : "",
			    cases[i].ful ? cases[i].ful : "null",
			    cases[i].ful ? "\"" : "",
			    cases[i].cancelled ? "\"" : "",
			    cases[i].cancelled ? cases[i].cancelled : "null",
			    cases[i].cancelled ? "\"" : "");
			fx_take(&f, "", body, why, sizeof why);
			rec = json_array_get(f.out, 0);
			snprintf(what, sizeof what, "%s/%s%s -> %s: %s",
			    cases[i].fin, cases[i].ful ? cases[i].ful :
			    "null", cases[i].cancelled ? "/cancelled" : "",
			    workflows[w], want ? want : "(status left out)");
			is(json_string_value(json_object_get(rec, "status")),
			    want, what);
			is(json_string_value(json_object_get(rec,
			    "channel_status")), cases[i].channel_status,
			    "channel_status");
			is(json_string_value(json_object_get(rec,
			    "workflow")), workflows[w], "workflow");
			uoms_http_req_free(&req);
			fx_free(&f);
		}
}

static void
test_broken(void)
{
	static const struct {
		const char *body, *why;
	} cases[] = {
		{ "{\"orders\":[{\"id\":1,\"currency\":\"USD\"},"
		    "{\"id\":2,\"cur",
		    "not JSON" },
		{ "<html>502 Bad Gateway</html>", "not JSON" },
		{ "", "empty answer" },
		{ "{\"errors\":\"Not Found\"}", "no orders array" },
		{ "[]", "no orders array" },
		{ "{\"orders\":[{\"currency\":\"USD\"}]}", "without an id" },
		{ "{\"orders\":[{\"id\":5,\"currency\":\"USD\","
		    "\"total_price\":\"12.345\"}]}",
		    "order 5: total_price is not an amount of USD" },
		{ "{\"orders\":[{\"id\":5,\"currency\":\"USD\","
		    "\"total_price\":12.5}]}", "total_price is not an amount" },
		{ "{\"orders\":[{\"id\":5,\"currency\":\"KRW\","
		    "\"line_items\":[{\"id\":9,\"quantity\":1,"
		    "\"price\":\"100.5\"}]}]}",
		    "order 5: line item 9: price is not an amount of KRW" },
		{ "{\"orders\":[{\"id\":5,\"currency\":\"USD\","
		    "\"line_items\":[{\"id\":9,\"quantity\":0}]}]}",
		    "no positive quantity" },
		{ "{\"orders\":[{\"id\":5,\"currency\":\"USD\","
		    "\"line_items\":[{\"quantity\":1}]}]}",
		    "line item without an id" },
		{ "{\"orders\":[{\"id\":5}]}", "order 5: no currency" },
		{ "{\"orders\":[{\"id\":5,\"currency\":\"USD\","
		    "\"updated_at\":\"yesterday\"}]}",
		    "updated_at 'yesterday' is not an RFC 3339 time" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		struct uoms_http_req req = { 0 };
		char why[256];

		fx_init(&f, "https://a.example", NULL, NULL, NULL);
		fx_set(&f, "access_token", "t", NULL);
		fx_next(&f, &req, why, sizeof why);
		ok(fx_take(&f, "", cases[i].body, why, sizeof why) < 0 &&
		    strstr(why, cases[i].why) != NULL, "broken answer %zu "
		    "fails: %s", i, why);
		uoms_http_req_free(&req);
		fx_free(&f);
	}
}

/* ---- the GraphQL Admin API (the default) ---- */

static int
str_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int warned;
static char warned_text[512];

static void
fx_warn(struct uoms_fetch_ctx *ctx, const char *what)
{
	(void)ctx;
	warned++;
	snprintf(warned_text, sizeof warned_text, "%s", what);
}

/* The JSON body of req, parsed (a new reference), or NULL. */
static json_t *
req_json(const struct uoms_http_req *req)
{
	return req->body.p != NULL ? json_loadb(req->body.p, req->body.n, 0,
	    NULL) : NULL;
}

static const char gql_page1[] =
    "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNextPage\":true,"
    "\"endCursor\":\"CUR1\"},\"nodes\":[{"
    "\"id\":\"gid://shopify/Order/5000000001\",\"name\":\"#1001\","
    "\"createdAt\":\"2026-11-21T00:00:00Z\","
    "\"updatedAt\":\"2026-11-21T01:00:30Z\",\"cancelledAt\":null,"
    "\"closedAt\":null,\"currencyCode\":\"USD\","
    "\"displayFinancialStatus\":\"PARTIALLY_REFUNDED\","
    "\"displayFulfillmentStatus\":\"FULFILLED\",\"phone\":null,"
    "\"totalPriceSet\":{\"shopMoney\":{\"amount\":\"50.99\","
    "\"currencyCode\":\"USD\"}},"
    "\"shippingAddress\":null,\"billingAddress\":null,"
    "\"fulfillments\":[{\"createdAt\":\"2026-11-21T02:00:00Z\"}],"
    "\"lineItems\":{\"pageInfo\":{\"hasNextPage\":false},\"nodes\":["
    "{\"id\":\"gid://shopify/LineItem/11\",\"sku\":\"MUG\",\"name\":\"Mug\","
    "\"title\":\"Mug\",\"quantity\":2,\"originalUnitPriceSet\":"
    "{\"shopMoney\":{\"amount\":\"20.0\",\"currencyCode\":\"USD\"}}},"
    "{\"id\":\"gid://shopify/LineItem/12\",\"sku\":\"TEA\",\"name\":\"Tea\","
    "\"title\":\"Tea\",\"quantity\":1,\"originalUnitPriceSet\":"
    "{\"shopMoney\":{\"amount\":\"5.99\",\"currencyCode\":\"USD\"}}}]},"
    "\"refunds\":[{\"refundLineItems\":{\"nodes\":[{\"lineItem\":"
    "{\"id\":\"gid://shopify/LineItem/11\"},\"quantity\":1}]},"
    "\"transactions\":{\"nodes\":["
    "{\"kind\":\"REFUND\",\"status\":\"FAILURE\",\"amountSet\":{\"shopMoney\":"
    "{\"amount\":\"25.0\",\"currencyCode\":\"USD\"}}},"
    "{\"kind\":\"REFUND\",\"status\":\"SUCCESS\",\"amountSet\":{\"shopMoney\":"
    "{\"amount\":\"25.0\",\"currencyCode\":\"USD\"}}}]}}]}]}},"
    "\"extensions\":{\"cost\":{\"requestedQueryCost\":102,"
    "\"actualQueryCost\":6,\"throttleStatus\":{\"maximumAvailable\":1000.0,"
    "\"currentlyAvailable\":2.0,\"restoreRate\":50.0}}}}";

static const char gql_want1[] =
    "{\"channel\":\"shop-kr\",\"external_order_id\":\"5000000001\","
    "\"order_no\":\"1001\",\"channel_order_no\":\"#1001\","
    "\"workflow\":\"dispatch\",\"status\":\"COMPLETE\","
    "\"channel_status\":\"partially_refunded/fulfilled\","
    "\"placed_at\":\"2026-11-21T00:00:00Z\","
    "\"channel_updated_at\":\"2026-11-21T01:00:30Z\","
    "\"depart_time\":\"2026-11-21T02:00:00Z\",\"currency\":\"USD\","
    "\"total_amount\":5099,\"refunded_amount\":500,\"items\":["
    "{\"external_item_id\":\"11\",\"sku\":\"MUG\",\"name\":\"Mug\","
    "\"quantity\":2,\"unit_price\":2000,\"cancelled_quantity\":1},"
    "{\"external_item_id\":\"12\",\"sku\":\"TEA\",\"name\":\"Tea\","
    "\"quantity\":1,\"unit_price\":599}]}";

static const char gql_throttled[] =
    "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":"
    "{\"code\":\"THROTTLED\",\"documentation\":"
    "\"https://shopify.dev/api/usage/rate-limits\"}}],"
    "\"extensions\":{\"cost\":{\"requestedQueryCost\":102,"
    "\"actualQueryCost\":null,\"throttleStatus\":{\"maximumAvailable\":"
    "1000.0,\"currentlyAvailable\":52.0,\"restoreRate\":50.0}}}}";

static void
test_graphql(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	json_t *b, *v;
	int secret = -1, i;

	fx_init(&f, NULL, NULL, "{\"shop\":\"acme\",\"api\":\"graphql\"}",
	    "2026-11-21T09:12:00Z");
	f.ctx.warn = fx_warn;
	fx_set(&f, "access_token", "shpat_0123", NULL);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "graphql: a request");
	is(req.method, "POST", "graphql: POST");
	is(req.url.p, "https://acme.myshopify.com/admin/api/2026-10/"
	    "graphql.json", "graphql: graphql.json of the default version");
	is(header(&req, "X-Shopify-Access-Token:", &secret),
	    "X-Shopify-Access-Token: shpat_0123", "graphql: token header");
	ok(secret == 1, "graphql: token header is marked secret");
	ok(header(&req, "Content-Type: application/json", NULL) != NULL,
	    "graphql: a JSON body");
	b = req_json(&req);
	v = json_object_get(b, "variables");
	ok(strstr(json_string_value(json_object_get(b, "query")) ?
	    json_string_value(json_object_get(b, "query")) : "",
	    "orders(first: $first, after: $after, sortKey: UPDATED_AT, "
	    "query: $query)") != NULL, "graphql: orders sorted by UPDATED_AT");
	ok(json_integer_value(json_object_get(v, "first")) == 25 &&
	    json_is_null(json_object_get(v, "after")),
	    "graphql: first 25, no cursor");
	is(json_string_value(json_object_get(v, "query")),
	    "updated_at:>='2026-11-21T09:12:00Z'", "graphql: since as a search");
	json_decref(b);
	ok(req.wait == 0, "graphql: the first request waits for nothing");

	/* A page: the GIDs' tails, shop money, refunds, redacted absent. */
	ok(fx_take(&f, "X-Shopify-API-Deprecated-Reason: Order.phone\r\n",
	    gql_page1, why, sizeof why) == 0, "graphql: page 1 taken (%s)",
	    why);
	ok(json_array_size(f.out) == 1, "graphql: one order emitted");
	same_json(json_array_get(f.out, 0), gql_want1, "graphql: mapped, "
	    "ids the GIDs' tails, redacted address and phone absent");
	ok(warned == 1 && strstr(warned_text, "Order.phone") != NULL,
	    "graphql: the deprecated reason said (%s)", warned_text);

	/* 2 of 102 left, 50 a second: the next waits 2 s. */
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "graphql: page 2 asked");
	ok(req.wait > 1.99 && req.wait < 2.01, "graphql: waits (102 - 2) / 50 "
	    "s for the bucket (%.3f)", req.wait);
	b = req_json(&req);
	is(json_string_value(json_object_get(json_object_get(b, "variables"),
	    "after")), "CUR1", "graphql: the cursor sent back as after");
	json_decref(b);

	/* THROTTLED: nothing emitted, the same page again after (102 -
	 * 52) / 50 s; a sixth in a row fails. */
	for (i = 1; i <= 5; i++) {
		ok(fx_take(&f, "X-Shopify-API-Deprecated-Reason: Order.phone"
		    "\r\n", gql_throttled, why, sizeof why) == 0,
		    "graphql: THROTTLED %d waited out", i);
		fx_next(&f, &req, why, sizeof why);
		b = req_json(&req);
		ok(req.wait > 0.99 && req.wait < 1.01 && str_same(
		    json_string_value(json_object_get(json_object_get(b,
		    "variables"), "after")), "CUR1"), "graphql: THROTTLED %d: "
		    "the same page after 1 s (%.3f)", i, req.wait);
		json_decref(b);
	}
	ok(json_array_size(f.out) == 1, "graphql: THROTTLED emits nothing");
	ok(warned == 1, "graphql: the deprecated reason said once a run");
	ok(fx_take(&f, "", gql_throttled, why, sizeof why) < 0 &&
	    strstr(why, "throttled 6 times") != NULL, "graphql: the sixth "
	    "THROTTLED in a row fails (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* Another error fails, naming it; a page without pageInfo too. */
	fx_init(&f, "https://acme.myshopify.com", NULL, "{\"api\":\"graphql\"}",
	    NULL);
	fx_set(&f, "access_token", "shpat_0123", NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "{\"errors\":[{\"message\":\"Access denied for "
	    "orders field.\",\"extensions\":{\"code\":\"ACCESS_DENIED\"}}]}",
	    why, sizeof why) < 0 && strstr(why, "Access denied") != NULL,
	    "graphql: an error answer fails, naming it (%s)", why);
	ok(fx_take(&f, "", "{\"data\":{\"orders\":{\"nodes\":[]}}}", why,
	    sizeof why) < 0, "graphql: no pageInfo fails");
	ok(fx_take(&f, "", "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNext"
	    "Page\":true},\"nodes\":[]}}}", why, sizeof why) < 0,
	    "graphql: a next page without a cursor fails");
	ok(fx_take(&f, "", "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNext"
	    "Page\":false},\"nodes\":[{\"id\":\"5000000001\"}]}}}", why,
	    sizeof why) < 0 && strstr(why, "gid://shopify/Order") != NULL,
	    "graphql: an id that is not a GID fails (%s)", why);
	ok(fx_take(&f, "", "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNext"
	    "Page\":false},\"nodes\":[]}}}", why, sizeof why) == 0 &&
	    fx_next(&f, &req, why, sizeof why) == UOMS_KIND_DONE,
	    "graphql: the last page, done");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* The catalog: the shop's currency, then variants. */
	fx_init(&f, "https://acme.myshopify.com", NULL,
	    "{\"api\":\"graphql\",\"api_version\":\"2026-07\"}", NULL);
	f.ctx.products = 1;
	fx_set(&f, "access_token", "shpat_0123", NULL);
	fx_next(&f, &req, why, sizeof why);
	b = req_json(&req);
	ok(strstr(json_string_value(json_object_get(b, "query")),
	    "shop { currencyCode }") != NULL && strstr(req.url.p,
	    "/admin/api/2026-07/graphql.json") != NULL,
	    "graphql: the shop's currency first, on api_version");
	json_decref(b);
	ok(fx_take(&f, "", "{\"data\":{\"shop\":{\"currencyCode\":\"USD\"}}}",
	    why, sizeof why) == 0, "graphql: the shop's currency taken");
	fx_next(&f, &req, why, sizeof why);
	b = req_json(&req);
	ok(strstr(json_string_value(json_object_get(b, "query")),
	    "productVariants(first: $first") != NULL,
	    "graphql: then the variants");
	json_decref(b);
	ok(fx_take(&f, "", "{\"data\":{\"productVariants\":{\"pageInfo\":"
	    "{\"hasNextPage\":false,\"endCursor\":null},\"nodes\":[{\"id\":"
	    "\"gid://shopify/ProductVariant/71\",\"title\":\"Red\",\"sku\":"
	    "\"MUG-R\",\"price\":\"8.99\",\"inventoryQuantity\":3,\"product\":"
	    "{\"id\":\"gid://shopify/Product/7\",\"title\":\"Mug\","
	    "\"productType\":\"Kitchen\",\"status\":\"ACTIVE\"}}]}}}", why,
	    sizeof why) == 0, "graphql: a variants page taken (%s)", why);
	same_json(json_array_get(f.out, 0), "{\"sku\":\"MUG-R\",\"name\":"
	    "\"Mug / Red\",\"category\":\"Kitchen\",\"price\":899,\"stock\":3,"
	    "\"currency\":\"USD\",\"channel\":\"shop-kr\",\"channel_product_id\":"
	    "\"7\",\"channel_variant_id\":\"71\",\"channel_status\":\"active\"}",
	    "graphql: a variant as a product line");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://acme.myshopify.com", NULL, "{\"api\":\"soap\"}",
	    NULL);
	fx_set(&f, "access_token", "shpat_0123", NULL);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_FAIL &&
	    strstr(why, "setting api 'soap'") != NULL,
	    "graphql: api is graphql or rest (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* An answer of status with body to the push's last request. */
static int
fx_pushed(struct fixture *f, long status, const char *body,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	struct uoms_http_resp r = { status, body, strlen(body), "", 0 };

	why[0] = '\0';
	uoms_buf_clear(answer);
	return uoms_kind_shopify.pushed(&f->ctx, &r, answer, why, whylen);
}

static int
fx_push(struct fixture *f, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	uoms_http_req_free(req);
	why[0] = '\0';
	return uoms_kind_shopify.push(&f->ctx, it, req, answer, why, whylen);
}

static const char fo_answer[] =
    "{\"data\":{\"order\":{\"id\":\"gid://shopify/Order/450789469\","
    "\"fulfillmentOrders\":{\"nodes\":["
    "{\"id\":\"gid://shopify/FulfillmentOrder/1\",\"status\":\"CLOSED\","
    "\"lineItems\":{\"nodes\":[{\"id\":\"gid://shopify/FulfillmentOrderLine"
    "Item/11\",\"remainingQuantity\":0}]}},"
    "{\"id\":\"gid://shopify/FulfillmentOrder/2\",\"status\":\"OPEN\","
    "\"lineItems\":{\"nodes\":[{\"id\":\"gid://shopify/FulfillmentOrderLine"
    "Item/21\",\"remainingQuantity\":2}]}},"
    "{\"id\":\"gid://shopify/FulfillmentOrder/3\",\"status\":"
    "\"CANCELLED\",\"lineItems\":{\"nodes\":[]}},"
    "{\"id\":\"gid://shopify/FulfillmentOrder/4\",\"status\":"
    "\"IN_PROGRESS\",\"lineItems\":{\"nodes\":[{\"id\":\"gid://shopify/"
    "FulfillmentOrderLineItem/41\",\"remainingQuantity\":1}]}}]}}},"
    "\"extensions\":{\"cost\":{\"requestedQueryCost\":533,"
    "\"actualQueryCost\":19,\"throttleStatus\":{\"maximumAvailable\":"
    "1000.0,\"currentlyAvailable\":981.0,\"restoreRate\":100.0}}}}";

static void
test_push(void)
{
	const char *src = getenv("UOMS_SRC");
	struct uoms_push_item it = { 7, "450789469", "ship", "cj",
	    "640012345678", NULL };
	struct fixture f;
	struct uoms_http_req req = { 0 };
	struct uoms_buf answer = { 0 };
	char why[512], path[1024];
	json_t *b, *q;

	snprintf(path, sizeof path, "%s/share/uoms/carriers.tsv",
	    src != NULL && *src != '\0' ? src : ".");
	uoms_carrier_file(path);
	fx_init(&f, "https://acme.myshopify.com", NULL,
	    "{\"api\":\"graphql\"}", NULL);
	ok(uoms_kind_shopify.wants_ack(&f.ch) == 0,
	    "push: Shopify takes no acknowledgement");
	fx_set(&f, "access_token", "shpat_0123", NULL);

	/* The order's fulfillment orders first. */
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0,
	    "push: a request (%s)", why);
	is(req.url.p, "https://acme.myshopify.com/admin/api/2026-10/"
	    "graphql.json", "push: graphql.json");
	is(header(&req, "X-Shopify-Access-Token:", NULL),
	    "X-Shopify-Access-Token: shpat_0123", "push: the token");
	b = req_json(&req);
	q = json_object_get(b, "query");
	ok(strstr(json_string_value(q) ? json_string_value(q) : "",
	    "order(id: $id) { id fulfillmentOrders(first: 10) { nodes { id "
	    "status lineItems(first: 50) { nodes { id remainingQuantity } } } "
	    "} }") != NULL, "push: the fulfillment orders query");
	same_json(json_object_get(b, "variables"),
	    "{\"id\":\"gid://shopify/Order/450789469\"}",
	    "push: the order's GID");
	json_decref(b);

	/* Those OPEN or IN_PROGRESS with something left, fulfilled. */
	ok(fx_pushed(&f, 200, fo_answer, &answer, why, sizeof why) ==
	    UOMS_PUSHED_MORE, "push: fulfillment orders taken (%s)", why);
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0,
	    "push: the mutation (%s)", why);
	b = req_json(&req);
	is(json_string_value(json_object_get(b, "query")),
	    "mutation fulfillmentCreate($fulfillment: FulfillmentInput!, "
	    "$message: String) { fulfillmentCreate(fulfillment: $fulfillment, "
	    "message: $message) { fulfillment { id status trackingInfo { "
	    "company number } } userErrors { field message } } }",
	    "push: fulfillmentCreate");
	same_json(json_object_get(b, "variables"), "{\"fulfillment\":{"
	    "\"lineItemsByFulfillmentOrder\":[{\"fulfillmentOrderId\":"
	    "\"gid://shopify/FulfillmentOrder/2\"},{\"fulfillmentOrderId\":"
	    "\"gid://shopify/FulfillmentOrder/4\"}],\"trackingInfo\":{"
	    "\"company\":\"CJ Logistics\",\"number\":\"640012345678\"},"
	    "\"notifyCustomer\":true}}", "push: the open fulfillment orders, "
	    "carriers.tsv's company, the number, the customer told");
	json_decref(b);
	ok(req.wait == 0, "push: 981 points left, no wait");

	/* Accepted: the fulfillment is the answer. */
	ok(fx_pushed(&f, 200, "{\"data\":{\"fulfillmentCreate\":{"
	    "\"fulfillment\":{\"id\":\"gid://shopify/Fulfillment/9\","
	    "\"status\":\"SUCCESS\",\"trackingInfo\":[{\"company\":\"CJ Logistics\","
	    "\"number\":\"640012345678\"}]},\"userErrors\":[]}}}", &answer, why,
	    sizeof why) == 1, "push: accepted");
	is(answer.p, "{\"id\":\"gid://shopify/Fulfillment/9\",\"status\":"
	    "\"SUCCESS\",\"trackingInfo\":[{\"company\":\"CJ Logistics\","
	    "\"number\":\"640012345678\"}]}", "push: the fulfillment kept");

	/* Refused: userErrors, in Shopify's words. */
	ok(fx_pushed(&f, 200, "{\"data\":{\"fulfillmentCreate\":{"
	    "\"fulfillment\":null,\"userErrors\":[{\"field\":[\"fulfillment\"],"
	    "\"message\":\"Fulfillment order 2 has an unfulfillable status= "
	    "closed.\"},{\"field\":null,\"message\":\"Other.\"}]}}}", &answer,
	    why, sizeof why) == 0, "push: userErrors refuse it");
	is(why, "fulfillment: Fulfillment order 2 has an unfulfillable "
	    "status= closed.; Other.", "push: userErrors said");
	ok(answer.p != NULL && strstr(answer.p, "unfulfillable") != NULL,
	    "push: userErrors kept as the answer");
	/* Neither a fulfillment nor userErrors: left in doubt. */
	ok(fx_pushed(&f, 200, "{\"data\":{\"fulfillmentCreate\":null}}",
	    &answer, why, sizeof why) == -1, "push: no word either way: "
	    "the engine's");
	ok(fx_pushed(&f, 200, "{\"errors\":[{\"message\":\"Internal error\","
	    "\"extensions\":{\"code\":\"INTERNAL_SERVER_ERROR\"}}]}", &answer,
	    why, sizeof why) == -1, "push: Shopify's own error after the "
	    "mutation: in doubt (%s)", why);
	ok(fx_pushed(&f, 503, "{}", &answer, why, sizeof why) == -1 &&
	    fx_pushed(&f, 429, "{}", &answer, why, sizeof why) == -1,
	    "push: 5xx and 429 are the engine's (retried)");
	ok(fx_pushed(&f, 401, "{\"errors\":\"[API] Invalid API key or access "
	    "token (unrecognized login or wrong password)\"}", &answer, why,
	    sizeof why) == 0 && strstr(why, "authentication failed (HTTP "
	    "401): [API] Invalid API key") != NULL,
	    "push: a refused token is a refusal (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* No open fulfillment order; a throttled query asked again. */
	fx_init(&f, "https://acme.myshopify.com", NULL, NULL, NULL);
	fx_set(&f, "access_token", "shpat_0123", NULL);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(fx_pushed(&f, 200, gql_throttled, &answer, why, sizeof why) ==
	    UOMS_PUSHED_MORE, "push: THROTTLED: the same step again");
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0 &&
	    strstr(req.body.p, "fulfillmentOrders") != NULL && req.again &&
	    req.wait > 0.99 && req.wait < 1.01, "push: the query again after "
	    "(102 - 52) / 50 s (%.3f)", req.wait);
	ok(fx_pushed(&f, 200, "{\"data\":{\"order\":{\"id\":\"gid://shopify/"
	    "Order/450789469\",\"fulfillmentOrders\":{\"nodes\":[{\"id\":"
	    "\"gid://shopify/FulfillmentOrder/1\",\"status\":\"CLOSED\","
	    "\"lineItems\":{\"nodes\":[]}}]}}}}", &answer, why, sizeof why) ==
	    0, "push: no open fulfillment order: refused");
	is(why, "no open fulfillment order: fulfilled or closed on Shopify",
	    "push: why");
	is(answer.p, "[{\"id\":\"gid://shopify/FulfillmentOrder/1\","
	    "\"status\":\"CLOSED\"}]", "push: the statuses kept");
	ok(fx_pushed(&f, 200, "{\"data\":{\"order\":null}}", &answer, why,
	    sizeof why) == 0 && strstr(why, "no such order") != NULL,
	    "push: an order Shopify does not have: refused");
	ok(fx_pushed(&f, 200, "{\"data\":{\"order\":{\"id\":\"gid://shopify/"
	    "Order/450789469\",\"fulfillmentOrders\":{\"nodes\":[{\"id\":"
	    "\"gid://shopify/FulfillmentOrder/1\",\"status\":\"OPEN\","
	    "\"lineItems\":{\"nodes\":[{\"id\":\"gid://shopify/Fulfillment"
	    "OrderLineItem/11\",\"remainingQuantity\":1}]}},{\"id\":"
	    "\"gid://shopify/FulfillmentOrder/2\",\"status\":\"ON_HOLD\","
	    "\"lineItems\":{\"nodes\":[{\"id\":\"gid://shopify/Fulfillment"
	    "OrderLineItem/21\",\"remainingQuantity\":1}]}}]}}}}", &answer,
	    why, sizeof why) == 0, "push: a fulfillment order on hold: "
	    "refused, never half sent");
	is(why, "fulfillment order gid://shopify/FulfillmentOrder/2 is ON_HOLD "
	    "on Shopify: not all of the order can be fulfilled now",
	    "push: it names the one on hold");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* What can't be pushed: refused before any request. */
	fx_init(&f, "https://acme.myshopify.com", NULL, NULL, NULL);
	fx_set(&f, "access_token", "shpat_0123", NULL);
	it.carrier = "nosuch";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "unknown carrier 'nosuch'") != NULL && req.url.n == 0,
	    "push: an unknown carrier, no request (%s)", why);
	it.carrier = "cj";
	it.external_order_id = "gid://shopify/Order/1";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "not a Shopify order id") != NULL,
	    "push: an id that is not Shopify's (%s)", why);
	it.external_order_id = "450789469";
	it.push = "ack";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "no ack") != NULL, "push: no ack to send (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* No token: the client-credentials grant first, then the query. */
	fx_init(&f, "https://acme.myshopify.com", NULL, NULL, NULL);
	fx_set(&f, "client_id", "cid", NULL);
	fx_set(&f, "client_secret", "csecret", NULL);
	it.push = "ship";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0 &&
	    strstr(req.url.p, "/admin/oauth/access_token") != NULL,
	    "push: a token asked first");
	ok(fx_pushed(&f, 200, "{\"access_token\":\"shpat_cc\",\"expires_in\":"
	    "86399}", &answer, why, sizeof why) == UOMS_PUSHED_MORE,
	    "push: the token taken");
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0 &&
	    str_same(header(&req, "X-Shopify-Access-Token:", NULL),
	    "X-Shopify-Access-Token: shpat_cc") && strstr(req.body.p,
	    "fulfillmentOrders") != NULL, "push: then the query, with it");
	uoms_http_req_free(&req);
	fx_free(&f);
	uoms_buf_free(&answer);
	uoms_carrier_file(NULL);
}

/*
 * A webhook's payload (the REST Order resource) maps as the GraphQL
 * fetch maps the same order: members GraphQL does not give (the order
 * number of a shop's own name format, the customer's phone, a
 * fulfillment status it does not name) are left out, so a delivery and
 * a later fetch agree; a payload that is no order is refused.
 */
static void
test_hook(void)
{
	static const char rest[] = "{\"id\":450789469,\"name\":\"ACME-7\","
	    "\"order_number\":7,\"email\":\"b@example.com\","
	    "\"created_at\":\"2026-11-21T09:00:00+09:00\","
	    "\"updated_at\":\"2026-11-21T10:00:00+09:00\","
	    "\"cancelled_at\":null,"
	    "\"closed_at\":null,\"currency\":\"USD\",\"total_price\":\"12.50\","
	    "\"financial_status\":\"paid\","
	    "\"fulfillment_status\":\"unfulfilled\","
	    "\"customer\":{\"id\":1,\"phone\":\"010-9999-0000\"},"
	    "\"shipping_address\":{\"name\":\"Kim\",\"address1\":\"1 Main\","
	    "\"zip\":\"06236\",\"phone\":null},"
	    "\"line_items\":[{\"id\":466157049,\"sku\":\"S-1\","
	    "\"name\":\"Mug\","
	    "\"title\":\"Mug\",\"quantity\":2,\"price\":\"6.25\","
	    "\"price_set\":{}}],\"refunds\":[],\"fulfillments\":[]}";
	static const char want[] = "{\"channel\":\"shop-kr\","
	    "\"external_order_id\":\"450789469\","
	    "\"channel_order_no\":\"ACME-7\","
	    "\"workflow\":\"dispatch\",\"status\":\"WAITING\","
	    "\"channel_status\":\"paid/unfulfilled\","
	    "\"customer\":{\"name\":\"Kim\"},"
	    "\"shipping\":{\"address\":\"1 Main\",\"postal_code\":\"06236\"},"
	    "\"placed_at\":\"2026-11-21T00:00:00Z\","
	    "\"channel_updated_at\":\"2026-11-21T01:00:00Z\","
	    "\"currency\":\"USD\",\"total_amount\":1250,\"items\":"
	    "[{\"external_item_id\":\"466157049\",\"sku\":\"S-1\","
	    "\"name\":\"Mug\",\"quantity\":2,\"unit_price\":625}]}";
	struct uoms_channel ch = { .name = "shop-kr", .kind = "shopify",
	    .enabled = 1 };
	json_t *o = json_loads(rest, 0, NULL), *rec;
	char why[256] = "";

	ok(uoms_kind_shopify.hook_order != NULL, "shopify takes webhooks");
	rec = uoms_kind_shopify.hook_order(&ch, o, why, sizeof why);
	same_json(rec, want, "a webhook's REST order mapped as GraphQL's "
	    "fetch maps it");
	json_decref(rec);
	json_decref(o);

	o = json_loads("{\"id\":5}", 0, NULL);
	rec = uoms_kind_shopify.hook_order(&ch, o, why, sizeof why);
	ok(rec == NULL && strstr(why, "no currency") != NULL,
	    "an order without a currency refused (%s)", why);
	json_decref(o);
	o = json_loads("[1]", 0, NULL);
	ok(uoms_kind_shopify.hook_order(&ch, o, why, sizeof why) == NULL,
	    "a payload that is no order refused (%s)", why);
	json_decref(o);
}

int
main(void)
{
	test_requests();
	test_grant();
	test_link();
	test_money();
	test_mapping();
	test_status();
	test_broken();
	test_products();
	test_graphql();
	test_push();
	test_hook();
	printf("1..%d\n", tests);
	return failed != 0;
}
