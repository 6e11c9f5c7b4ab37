/*
 * kind woocommerce: requests (URL, query, basic auth), X-WP-TotalPages
 * paging, the mapping of canned answers onto records (every field, every
 * status) and broken answers; push requests made from a record and the
 * shop's answers to them. Prints TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "carrier.h"
#include "kind.h"
#include "oauth1.h"

extern const struct uoms_kind uoms_kind_woocommerce;

#include "tap.h"

struct fixture {
	struct uoms_fetch_ctx ctx;
	struct uoms_channel ch;
	const char *key, *secret;
	json_t *out;
};

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct fixture *f = (struct fixture *)ctx;
	const char *v = strcmp(name, "consumer_key") == 0 ? f->key :
	    strcmp(name, "consumer_secret") == 0 ? f->secret : NULL;

	if (v == NULL)
		snprintf(why, whylen, "secret %s is not set", name);
	return v;
}

static void
fx_emit(struct uoms_fetch_ctx *ctx, json_t *record)
{
	struct fixture *f = (struct fixture *)ctx;

	json_array_append(f->out, record);
}

static void
fx_init(struct fixture *f, const char *base_url, const char *workflow,
    const char *settings, const char *since)
{
	memset(f, 0, sizeof *f);
	f->ch.name = "woo-us";
	f->ch.kind = "woocommerce";
	f->ch.base_url = (char *)base_url;
	f->ch.workflow = (char *)workflow;
	f->ch.enabled = 1;
	f->ch.settings = json_loads(settings ? settings : "{}", 0, NULL);
	f->ctx.channel = &f->ch;
	f->ctx.since = since;
	f->ctx.until = "2026-11-21T10:00:00Z";
	f->ctx.secret = fx_secret;
	f->ctx.emit = fx_emit;
	f->key = "ck_abc";
	f->secret = "cs_def";
	f->out = json_array();
}

static void
fx_free(struct fixture *f)
{
	uoms_kind_woocommerce.done(&f->ctx);
	json_decref(f->ch.settings);
	json_decref(f->out);
}

static enum uoms_kind_step
fx_next(struct fixture *f, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	uoms_http_req_free(req);
	why[0] = '\0';
	return uoms_kind_woocommerce.next(&f->ctx, req, why, whylen);
}

static int
fx_take(struct fixture *f, const char *headers, const char *body, char *why,
    size_t whylen)
{
	struct uoms_http_resp r = { 200, body, strlen(body), headers,
	    strlen(headers) };

	why[0] = '\0';
	return uoms_kind_woocommerce.take(&f->ctx, &r, why, whylen);
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

	fx_init(&f, "https://shop.example/", NULL, NULL,
	    "2026-11-21T09:12:00.250Z");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "a request");
	is(req.method, "GET", "method GET");
	is(req.url.p, "https://shop.example/wp-json/wc/v3/orders?"
	    "modified_after=2026-11-21T09%3A12%3A00&dates_are_gmt=true"
	    "&per_page=100&page=1&orderby=modified&order=asc",
	    "modified_after in UTC without offset or fraction, "
	    "dates_are_gmt, per_page=100, page 1, oldest change first");
	is(header(&req, "Authorization:", &secret),
	    "Authorization: Basic Y2tfYWJjOmNzX2RlZg==",
	    "basic auth: base64 of consumer_key:consumer_secret");
	ok(secret == 1, "Authorization is marked secret");
	secret = -1;
	ok(header(&req, "Accept:", &secret) != NULL && secret == 0,
	    "Accept header, not secret");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "http://127.0.0.1:8080", "fulfillment",
	    "{\"per_page\":\"3\",\"auth\":\"basic\"}", NULL);
	f.key = "ck_0123456789abcdef";
	f.secret = "cs_fedcba9876543210";
	fx_next(&f, &req, why, sizeof why);
	is(req.url.p, "http://127.0.0.1:8080/wp-json/wc/v3/orders?"
	    "dates_are_gmt=true&per_page=3&page=1&orderby=modified&order=asc",
	    "no since: no modified_after; per_page setting; loopback http "
	    "with auth=basic");
	is(header(&req, "Authorization:", NULL), "Authorization: Basic "
	    "Y2tfMDEyMzQ1Njc4OWFiY2RlZjpjc19mZWRjYmE5ODc2NTQzMjEw",
	    "longer key and secret");
	uoms_http_req_free(&req);
	fx_free(&f);

	static const struct {
		const char *base, *settings, *key, *secret, *why;
	} bad[] = {
		{ NULL, "{}", "k", "s", "needs a base URL" },
		{ "", "{}", "k", "s", "needs a base URL" },
		{ "http://shop.example", "{\"auth\":\"basic\"}", "k", "s",
		    "is not https://" },
		{ "http://localhost.evil/", "{\"auth\":\"basic\"}", "k", "s",
		    "is not https://" },
		{ "ftp://shop.example", "{}", "k", "s",
		    "is not http:// or https://" },
		{ "http://", "{}", "k", "s", "is not http:// or https://" },
		{ "https://shop.example", "{\"auth\":\"digest\"}", "k", "s",
		    "setting auth 'digest' is not basic or oauth1" },
		{ "http://shop.example", "{\"signature_method\":"
		    "\"PLAINTEXT\"}", "k", "s", "setting signature_method "
		    "'PLAINTEXT' is not HMAC-SHA256 or HMAC-SHA1" },
		{ "http://shop.example", "{}", "k", NULL,
		    "consumer_secret is not set" },
		{ "https://shop.example", "{\"per_page\":101}", "k", "s",
		    "per_page '101' is not 1 to 100" },
		{ "https://shop.example", "{\"per_page\":\"x\"}", "k", "s",
		    "per_page 'x' is not 1 to 100" },
		{ "https://shop.example", "{}", NULL, "s",
		    "consumer_key is not set" },
		{ "https://shop.example", "{}", "k", NULL,
		    "consumer_secret is not set" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fx_init(&f, bad[i].base, NULL, bad[i].settings, NULL);
		f.key = bad[i].key;
		f.secret = bad[i].secret;
		ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_FAIL &&
		    strstr(why, bad[i].why) != NULL && (bad[i].key == NULL ||
		    bad[i].secret == NULL || strstr(why, "cs_") == NULL),
		    "refused: %s %s: %s", bad[i].base ? bad[i].base : "-",
		    bad[i].settings, why);
		uoms_http_req_free(&req);
		fx_free(&f);
	}

}

/* The catalog: requests, paging without a trash pass, the mapping. */
static void
test_products(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	static const char page1[] = "["
	    "{\"id\":93,\"name\":\"사과 1kg\",\"sku\":\"APL-1\","
	    "\"status\":\"publish\",\"price\":\"19000\",\"stock_quantity\":"
	    "10,\"manage_stock\":true,\"categories\":[{\"id\":15,\"name\":"
	    "\"과일\"},{\"id\":16,\"name\":\"할인\"}],\"meta_data\":["
	    "{\"id\":1,\"key\":\"_color\",\"value\":\"red\"},"
	    "{\"id\":2,\"key\":\"_cost\",\"value\":\"12000.00\"}]},"
	    "{\"id\":94,\"name\":\"선물\",\"sku\":\"\",\"price\":\"1\"},"
	    "{\"id\":95,\"name\":\"배\",\"sku\":\"PEAR\",\"price\":\"\","
	    "\"stock_quantity\":null,\"categories\":[],\"meta_data\":[]}]";
	static const char want1[] = "["
	    "{\"sku\":\"APL-1\",\"name\":\"사과 1kg\",\"category\":\"과일\","
	    "\"price\":19000,\"cost\":12000,\"stock\":10,\"currency\":"
	    "\"KRW\",\"channel\":\"woo-us\",\"channel_product_id\":\"93\","
	    "\"channel_status\":\"publish\"},"
	    "{\"sku\":\"PEAR\",\"name\":\"배\",\"currency\":\"KRW\","
	    "\"channel\":\"woo-us\",\"channel_product_id\":\"95\"}]";

	fx_init(&f, "https://shop.example/", NULL, "{\"currency\":\"KRW\","
	    "\"per_page\":\"3\"}", "2026-11-01T00:00:00.5Z");
	f.ctx.products = 1;
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "products: a request (%s)", why);
	is(req.url.p, "https://shop.example/wp-json/wc/v3/products?"
	    "modified_after=2026-11-01T00%3A00%3A00&dates_are_gmt=true&"
	    "per_page=3&page=1&orderby=id&order=asc",
	    "products: modified_after in GMT, by id");
	ok(header(&req, "Authorization: Basic ", NULL) != NULL,
	    "products: basic auth");
	ok(fx_take(&f, "X-WP-Total: 4\r\nX-WP-TotalPages: 2\r\n", page1,
	    why, sizeof why) == 0, "products: page 1 taken (%s)", why);
	same_json(f.out, want1, "products: sku, name, first category, won, "
	    "cost from _cost, no SKU skipped, no price/stock left out");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "&page=2&") != NULL, "products: page 2 asked");
	ok(fx_take(&f, "X-WP-Total: 4\r\nX-WP-TotalPages: 2\r\n",
	    "[{\"id\":99,\"name\":\"접시\",\"sku\":\"PLATE\",\"price\":"
	    "\"8000\",\"stock_quantity\":0,\"meta_data\":[{\"key\":"
	    "\"_wc_cog_cost\",\"value\":\"5000\"}]}]", why, sizeof why) == 0,
	    "products: page 2 taken (%s)", why);
	same_json(json_array_get(f.out, 2), "{\"sku\":\"PLATE\",\"name\":"
	    "\"접시\",\"price\":8000,\"cost\":5000,\"stock\":0,"
	    "\"currency\":\"KRW\",\"channel\":\"woo-us\","
	    "\"channel_product_id\":\"99\"}", "products: cost from "
	    "_wc_cog_cost, stock 0 kept");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_DONE,
	    "products: the last page: done, no trash pass");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* No currency setting: the store's, from settings/general. */
	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why, sizeof why);
	is(req.url.p, "https://shop.example/wp-json/wc/v3/settings/general",
	    "products: no currency set: the store's asked first");
	ok(fx_take(&f, "", "[{\"id\":\"woocommerce_currency\",\"label\":"
	    "\"Currency\",\"type\":\"select\",\"default\":\"GBP\","
	    "\"value\":\"USD\"}]", why, sizeof why) == 0 &&
	    json_array_size(f.out) == 0, "products: settings taken (%s)", why);
	uoms_http_req_free(&req);
	memset(&req, 0, sizeof req);
	fx_next(&f, &req, why, sizeof why);
	is(req.url.p, "https://shop.example/wp-json/wc/v3/products?"
	    "dates_are_gmt=true&per_page=100&page=1&orderby=id&order=asc",
	    "products: no since, no modified_after");
	ok(fx_take(&f, "", "[{\"id\":1,\"sku\":\"S1\",\"name\":\"Mug\","
	    "\"price\":\"8.99\"}]", why, sizeof why) == 0 &&
	    json_integer_value(json_object_get(json_array_get(f.out, 0),
	    "price")) == 899, "products: a USD store's price in cents (%s)",
	    why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_DONE,
	    "products: a short page without X-WP-TotalPages is the last");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://shop.example", NULL, "{\"currency\":\"won\"}",
	    NULL);
	f.ctx.products = 1;
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_FAIL &&
	    strstr(why, "currency") != NULL, "products: a bad currency "
	    "setting is refused (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* A store without woocommerce_currency: nothing assumed. */
	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "[{\"id\":\"woocommerce_store_city\","
	    "\"value\":\"Seoul\"}]", why, sizeof why) < 0 &&
	    strstr(why, "currency is not known") != NULL, "products: no "
	    "store currency fails the channel (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* Broken answers; a page is taken whole or not at all. */
	fx_init(&f, "https://shop.example", NULL, "{\"currency\":\"KRW\"}",
	    NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "[{\"id\":1,\"sku\":\"S1\",\"price\":\"1\"},"
	    "{\"id\":2,\"sku\":\"S2\",\"price\":\"cheap\"}]", why,
	    sizeof why) < 0 && strstr(why, "price") != NULL &&
	    json_array_size(f.out) == 0, "products: a bad price fails the "
	    "page, nothing emitted (%s)", why);
	ok(fx_take(&f, "", "[{\"id\":1,\"sku\":\"S1\",\"meta_data\":[{"
	    "\"key\":\"cost\",\"value\":\"n/a\"}]}]", why, sizeof why) < 0 &&
	    strstr(why, "cost") != NULL, "products: a bad cost is refused (%s)",
	    why);
	ok(fx_take(&f, "", "[{\"sku\":\"S1\"}]", why, sizeof why) < 0 &&
	    strstr(why, "id") != NULL, "products: no id is refused (%s)", why);
	ok(fx_take(&f, "", "{\"code\":\"woocommerce_rest_cannot_view\","
	    "\"message\":\"Sorry, you cannot list resources.\"}", why,
	    sizeof why) < 0 && strstr(why, "list of products") != NULL,
	    "products: an error envelope is refused (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* After the last page of orders: the trash, then done. */
static int
then_trash(struct fixture *f, struct uoms_http_req *req)
{
	char why[256];
	int asked = fx_next(f, req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req->url.p, "&page=1&") != NULL &&
	    strstr(req->url.p, "&status=trash") != NULL;

	return asked && fx_take(f, "X-WP-Total: 0\r\nX-WP-TotalPages: 0\r\n",
	    "[]", why, sizeof why) == 0 && fx_next(f, req, why, sizeof why) ==
	    UOMS_KIND_DONE;
}

/* Paging by X-WP-TotalPages, read afresh on every answer. */
static void
test_paging(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	static const char two[] = "[{\"id\":1,\"currency\":\"USD\"},"
	    "{\"id\":2,\"currency\":\"USD\"}]";

	fx_init(&f, "https://shop.example", NULL, "{\"per_page\":2}", NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "HTTP/1.1 200 OK\r\nX-WP-Total: 5\r\n"
	    "X-WP-TotalPages: 3\r\n", two, why, sizeof why) == 0,
	    "page 1 of 3 taken");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "&page=2&") != NULL, "then page 2");
	ok(fx_take(&f, "x-wp-total: 5\r\nx-wp-totalpages: 3\r\n", two, why,
	    sizeof why) == 0, "page 2 of 3 (header names in any case)");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "&page=3&") != NULL, "then page 3");
	ok(fx_take(&f, "X-WP-Total: 6\r\nX-WP-TotalPages: 3\r\n",
	    two, why, sizeof why) == 0, "page 3 of 3");
	ok(then_trash(&f, &req), "then page 1 of status=trash, then done");
	ok(json_array_size(f.out) == 6, "six records");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://shop.example", NULL, "{\"per_page\":2}", NULL);
	fx_next(&f, &req, why, sizeof why);
	fx_take(&f, "X-WP-TotalPages: 1\r\n", two, why, sizeof why);
	ok(then_trash(&f, &req), "1 of 1: then the trash, then done");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* Orders changed meanwhile add a page. */
	fx_init(&f, "https://shop.example", NULL, "{\"per_page\":2}", NULL);
	fx_next(&f, &req, why, sizeof why);
	fx_take(&f, "X-WP-TotalPages: 2\r\n", two, why, sizeof why);
	fx_next(&f, &req, why, sizeof why);
	fx_take(&f, "X-WP-TotalPages: 3\r\n", two, why, sizeof why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "&page=3&") != NULL, "a page added meanwhile "
	    "is fetched too");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://shop.example", NULL, "{\"per_page\":2}", NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "X-WP-Total: 0\r\nX-WP-TotalPages: 0\r\n", "[]", why,
	    sizeof why) == 0 && then_trash(&f, &req) &&
	    json_array_size(f.out) == 0,
	    "nothing changed: an empty list, the trash, done");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://shop.example", NULL, "{\"per_page\":2}", NULL);
	fx_next(&f, &req, why, sizeof why);
	fx_take(&f, "", two, why, sizeof why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "&page=2&") != NULL, "no X-WP-TotalPages, a "
	    "full page: ask for the next");
	fx_take(&f, "", "[{\"id\":3,\"currency\":\"USD\"}]", why, sizeof why);
	ok(then_trash(&f, &req), "no X-WP-TotalPages, a short page: the "
	    "trash, done");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* The trash pages like the rest and its orders are emitted. */
	fx_init(&f, "https://shop.example", NULL, "{\"per_page\":2}",
	    "2026-11-21T09:12:00Z");
	fx_next(&f, &req, why, sizeof why);
	fx_take(&f, "X-WP-TotalPages: 1\r\n", "[]", why, sizeof why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "the trash pass");
	is(req.url.p, "https://shop.example/wp-json/wc/v3/orders?"
	    "modified_after=2026-11-21T09%3A12%3A00&dates_are_gmt=true"
	    "&per_page=2&page=1&orderby=modified&order=asc&status=trash",
	    "trash: the same filters, status=trash, from page 1");
	ok(header(&req, "Authorization:", NULL) != NULL, "trash: auth too");
	fx_take(&f, "X-WP-TotalPages: 2\r\n", "[{\"id\":8,\"status\":"
	    "\"trash\",\"currency\":\"USD\"},{\"id\":9,\"status\":"
	    "\"trash\",\"currency\":\"USD\"}]", why, sizeof why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "&page=2&") != NULL &&
	    strstr(req.url.p, "status=trash") != NULL, "trash page 2");
	fx_take(&f, "X-WP-TotalPages: 2\r\n", "[{\"id\":10,\"status\":"
	    "\"trash\",\"currency\":\"USD\"}]", why, sizeof why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_DONE &&
	    json_array_size(f.out) == 3 && strcmp(json_string_value(
	    json_object_get(json_array_get(f.out, 2), "status")), "CANCEL")
	    == 0, "trashed orders emitted (CANCEL), then done");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "X-WP-TotalPages: many\r\n", "[]", why, sizeof why) <
	    0 && strstr(why, "X-WP-TotalPages 'many'") != NULL,
	    "a bad X-WP-TotalPages fails: %s", why);
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* Trimmed from the docs' "Retrieve an order" example, plus a KRW one. */
static const char page[] = "["
    "{\"id\":727,\"parent_id\":0,\"number\":\"727\",\"status\":\"processing\","
    "\"currency\":\"USD\",\"date_created\":\"2017-03-22T16:28:02\","
    "\"date_created_gmt\":\"2017-03-22T19:28:02\","
    "\"date_modified\":\"2017-03-22T16:28:08\","
    "\"date_modified_gmt\":\"2017-03-22T19:28:08\","
    "\"discount_total\":\"0.00\",\"shipping_total\":\"10.00\","
    "\"total\":\"29.35\",\"total_tax\":\"1.35\","
    "\"billing\":{\"first_name\":\"John\",\"last_name\":\"Doe\","
    "\"company\":\"\",\"address_1\":\"969 Market\",\"address_2\":\"\","
    "\"city\":\"San Francisco\",\"state\":\"CA\",\"postcode\":\"94103\","
    "\"country\":\"US\",\"email\":\"john.doe@example.com\","
    "\"phone\":\"(555) 555-5555\"},"
    "\"shipping\":{\"first_name\":\"John\",\"last_name\":\"Doe\","
    "\"company\":\"\",\"address_1\":\"969 Market\",\"address_2\":\"\","
    "\"city\":\"San Francisco\",\"state\":\"CA\",\"postcode\":\"94103\","
    "\"country\":\"US\"},"
    "\"date_paid_gmt\":\"2017-03-22T19:28:08\",\"date_completed_gmt\":null,"
    "\"line_items\":[{\"id\":315,\"name\":\"Woo Single #1\","
    "\"product_id\":93,\"variation_id\":0,\"quantity\":2,"
    "\"subtotal\":\"6.00\",\"total\":\"6.00\",\"sku\":\"\",\"price\":3},"
    "{\"id\":316,\"name\":\"Ship Your Idea - Black, M\",\"product_id\":22,"
    "\"variation_id\":23,\"quantity\":3,\"subtotal\":\"10.00\","
    "\"total\":\"10.00\",\"sku\":\"SYI-BM\",\"price\":3.3333333}]},"
    "{\"id\":\"1028\",\"number\":\"WC-2026-11-21-0001\","
    "\"status\":\"completed\",\"currency\":\"KRW\","
    "\"date_created_gmt\":\"2026-11-21T00:30:00\","
    "\"date_modified_gmt\":\"2026-11-21T00:45:10\","
    "\"date_completed_gmt\":\"2026-11-21T00:40:05\",\"total\":\"38000\","
    "\"billing\":{\"first_name\":\"철수\",\"last_name\":\"김\","
    "\"address_1\":\"해운대로 2\",\"city\":\"부산\",\"postcode\":\"48094\","
    "\"phone\":\"010-2222-3333\"},"
    "\"shipping\":{\"first_name\":\"영희\",\"last_name\":\"\","
    "\"address_1\":\"테헤란로 1\",\"address_2\":\"3층\",\"city\":\"서울\","
    "\"state\":\"\",\"postcode\":\"6236\",\"country\":\"KR\","
    "\"phone\":\"02-123-4567\"},"
    "\"line_items\":[{\"id\":9001,\"name\":\"사과\",\"quantity\":2,"
    "\"subtotal\":\"38000\",\"sku\":\"APPLE-1\",\"price\":\"19000\"}]},"
    "{\"id\":5,\"status\":\"checkout-draft\",\"currency\":\"EUR\","
    "\"date_created_gmt\":null,\"line_items\":[]}"
    "]";

static const char want0[] =
    "{\"channel\":\"woo-us\",\"external_order_id\":\"727\","
    "\"order_no\":\"727\",\"workflow\":\"dispatch\",\"status\":\"WAITING\","
    "\"channel_status\":\"processing\","
    "\"customer\":{\"name\":\"John Doe\",\"phone_raw\":\"(555) 555-5555\"},"
    "\"shipping\":{\"postal_code\":\"94103\","
    "\"address\":\"969 Market, San Francisco, CA, US\"},"
    "\"placed_at\":\"2017-03-22T19:28:02Z\","
    "\"channel_updated_at\":\"2017-03-22T19:28:08Z\","
    "\"total_amount\":2935,\"currency\":\"USD\","
    "\"items\":[{\"external_item_id\":\"315\",\"name\":\"Woo Single #1\","
    "\"quantity\":2,\"unit_price\":300},"
    "{\"external_item_id\":\"316\",\"sku\":\"SYI-BM\","
    "\"name\":\"Ship Your Idea - Black, M\",\"quantity\":3,"
    "\"unit_price\":333,\"line_total\":1000}]}";

static const char want1[] =
    "{\"channel\":\"woo-us\",\"external_order_id\":\"1028\","
    "\"channel_order_no\":\"WC-2026-11-21-0001\",\"workflow\":\"dispatch\","
    "\"status\":\"COMPLETE\",\"channel_status\":\"completed\","
    "\"customer\":{\"name\":\"영희\",\"phone\":\"02-123-4567\"},"
    "\"shipping\":{\"postal_code_raw\":\"6236\","
    "\"address\":\"테헤란로 1, 3층, 서울, KR\"},"
    "\"placed_at\":\"2026-11-21T00:30:00Z\","
    "\"channel_updated_at\":\"2026-11-21T00:45:10Z\","
    "\"complete_time\":\"2026-11-21T00:40:05Z\","
    "\"total_amount\":38000,\"currency\":\"KRW\","
    "\"items\":[{\"external_item_id\":\"9001\",\"sku\":\"APPLE-1\","
    "\"name\":\"사과\",\"quantity\":2,\"unit_price\":19000}]}";

static const char want2[] =
    "{\"channel\":\"woo-us\",\"external_order_id\":\"5\","
    "\"workflow\":\"dispatch\",\"channel_status\":\"checkout-draft\","
    "\"currency\":\"EUR\",\"items\":[]}";

static void
test_mapping(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];

	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "X-WP-TotalPages: 1\r\n", page, why, sizeof why) == 0,
	    "a page taken (%s)", why);
	ok(json_array_size(f.out) == 3, "three records");
	same_json(json_array_get(f.out, 0), want0, "order 727: every field "
	    "(GMT times get Z, money exact, a number price left, the total "
	    "over the quantity with the line total kept, raw phone)");
	same_json(json_array_get(f.out, 1), want1, "order 1028: KRW, a "
	    "number too long for order_no, shipping's phone, 4-digit "
	    "postcode kept raw, date_completed as complete_time");
	same_json(json_array_get(f.out, 2), want2, "order 5: a plugin's "
	    "status is kept, no status mapped");
	uoms_http_req_free(&req);
	fx_free(&f);
}

static void
test_status(void)
{
	static const struct {
		const char *status;
		int completed;
		const char *dispatch, *fulfillment, *food;
	} cases[] = {
		{ "pending", 0, "WAITING", "created", "pending_payment" },
		{ "on-hold", 0, "WAITING", "created", "pending_payment" },
		{ "failed", 0, "WAITING", "created", "pending_payment" },
		{ "processing", 0, "WAITING", "paid", "pending_acceptance" },
		{ "completed", 1, "COMPLETE", "delivered", "delivered" },
		{ "cancelled", 0, "CANCEL", "cancelled", "cancelled" },
		{ "refunded", 0, "CANCEL", "cancelled", "cancelled" },
		{ "refunded", 1, "ISSUE", "returned", NULL },
		{ "trash", 0, "CANCEL", "cancelled", "cancelled" },
		{ "checkout-draft", 0, NULL, NULL, NULL },
		{ "shipped", 0, NULL, NULL, NULL },
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

			fx_init(&f, "https://shop.example", w == 0 ? NULL :
			    workflows[w], NULL, NULL);
			fx_next(&f, &req, why, sizeof why);
			snprintf(body, sizeof body, "[{\"id\":1,\"currency\":"
			    "\"USD\",\"status\":\"%s\",\"date_completed_gmt\":"
			    "%s}]", cases[i].status, cases[i].completed ?
			    "\"2026-11-21T01:00:00\"" : "null");
			fx_take(&f, "", body, why, sizeof why);
			rec = json_array_get(f.out, 0);
			snprintf(what, sizeof what, "%s%s -> %s: %s",
			    cases[i].status, cases[i].completed ?
			    " (completed before)" : "", workflows[w], want ?
			    want : "(status left out)");
			is(json_string_value(json_object_get(rec, "status")),
			    want, what);
			is(json_string_value(json_object_get(rec,
			    "channel_status")), cases[i].status,
			    "channel_status kept");
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
		{ "[{\"id\":1,\"currency\":\"USD\"},{\"id\":2,\"curr",
		    "not JSON" },
		{ "<!DOCTYPE html><html>", "not JSON" },
		{ "", "empty answer" },
		{ "{\"code\":\"woocommerce_rest_authentication_error\","
		    "\"message\":\"Consumer secret is invalid.\","
		    "\"data\":{\"status\":401}}",
		    "not a list of orders: Consumer secret is invalid." },
		{ "[{\"currency\":\"USD\"}]", "without an id" },
		{ "[{\"id\":5,\"currency\":\"USD\",\"total\":\"1,000.00\"}]",
		    "order 5: total is not an amount of USD" },
		{ "[{\"id\":5,\"currency\":\"USD\",\"total\":29.35}]",
		    "order 5: total is not an amount of USD" },
		{ "[{\"id\":5,\"currency\":\"USD\",\"line_items\":[{\"id\":9,"
		    "\"quantity\":1,\"price\":1.5}]}]",
		    "order 5: line item 9: its total is not an amount of USD" },
		{ "[{\"id\":5,\"currency\":\"USD\",\"line_items\":[{\"id\":9,"
		    "\"quantity\":1,\"subtotal\":\"1.50\",\"total\":1.5}]}]",
		    "order 5: line item 9: its total is not an amount of USD" },
		{ "[{\"id\":5,\"currency\":\"USD\",\"line_items\":[{\"id\":9,"
		    "\"quantity\":-1,\"subtotal\":\"1\"}]}]",
		    "no positive quantity" },
		{ "[{\"id\":5,\"currency\":\"USD\","
		    "\"date_modified_gmt\":\"2026-11-21 noon\"}]",
		    "order 5: date_created_gmt, date_modified_gmt or "
		    "date_completed_gmt is not a time" },
		{ "[{\"id\":5,\"currency\":\"USD\","
		    "\"date_completed_gmt\":\"yesterday\"}]",
		    "date_completed_gmt is not a time" },
		{ "[{\"id\":5,\"currency\":\"USD\","
		    "\"date_modified_gmt\":\"2026-11-21T09:00:00+09:00\"}]",
		    "is not a time" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		struct uoms_http_req req = { 0 };
		char why[256];

		fx_init(&f, "https://shop.example", NULL, NULL, NULL);
		fx_next(&f, &req, why, sizeof why);
		ok(fx_take(&f, "", cases[i].body, why, sizeof why) < 0 &&
		    strstr(why, cases[i].why) != NULL, "broken answer %zu "
		    "fails: %s", i, why);
		uoms_http_req_free(&req);
		fx_free(&f);
	}
}

/* Money: the store's currency when an order has none, refunds, refusals. */
static void
test_money(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256];
	static const char page[] = "[{\"id\":5,\"status\":\"processing\","
	    "\"total\":\"24000.00\",\"line_items\":[{\"id\":9,"
	    "\"quantity\":2,\"price\":12000,\"subtotal\":\"24000.00\"}],"
	    "\"refunds\":[{\"id\":7,\"reason\":\"\",\"total\":"
	    "\"-12000.00\"},{\"id\":8,\"reason\":\"\",\"total\":"
	    "\"-500\"}]}]";

	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", page, why, sizeof why) == 0 &&
	    json_array_size(f.out) == 0, "money: an order without a "
	    "currency waits (%s)", why);
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST, "money: "
	    "a request (%s)", why);
	is(req.url.p, "https://shop.example/wp-json/wc/v3/settings/general",
	    "money: the store's currency asked");
	ok(fx_take(&f, "", "[{\"id\":\"woocommerce_currency\",\"value\":"
	    "\"KRW\"}]", why, sizeof why) == 0, "money: settings taken (%s)",
	    why);
	is(json_string_value(json_object_get(json_array_get(f.out, 0),
	    "currency")), "KRW", "money: the page mapped in the store's "
	    "currency");
	ok(json_integer_value(json_object_get(json_array_get(f.out, 0),
	    "total_amount")) == 24000 && json_integer_value(json_object_get(
	    json_array_get(f.out, 0), "refunded_amount")) == 12500,
	    "money: KRW \"24000.00\" is 24000, refunds -12000.00 and -500 "
	    "are 12500 back");
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST &&
	    strstr(req.url.p, "status=trash") != NULL, "money: then the "
	    "trash pass, as after any last page");
	uoms_http_req_free(&req);
	fx_free(&f);

	/* An order's own currency beats the store's; none is assumed. */
	fx_init(&f, "https://shop.example", NULL, "{\"currency\":\"KRW\"}",
	    NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(fx_take(&f, "", "[{\"id\":6,\"currency\":\"USD\",\"total\":"
	    "\"12.50\",\"refunds\":[]},{\"id\":7,\"total\":\"12000.00\"}]",
	    why, sizeof why) == 0 && json_array_size(f.out) == 2, "money: "
	    "two orders taken (%s)", why);
	ok(json_integer_value(json_object_get(json_array_get(f.out, 0),
	    "total_amount")) == 1250 && json_object_get(json_array_get(f.out,
	    0), "refunded_amount") == NULL, "money: USD \"12.50\" is 1250, "
	    "no refund left out");
	ok(json_integer_value(json_object_get(json_array_get(f.out, 1),
	    "total_amount")) == 12000, "money: the setting's KRW for an "
	    "order without one");
	ok(fx_take(&f, "", "[{\"id\":8,\"currency\":\"XYZ\"}]", why,
	    sizeof why) < 0 && strstr(why, "order 8: currency 'XYZ' is not "
	    "an ISO 4217 code") != NULL, "money: an unknown currency is "
	    "refused, naming the order (%s)", why);
	ok(fx_take(&f, "", "[{\"id\":8,\"currency\":\"USD\",\"total\":"
	    "\"1.005\"}]", why, sizeof why) < 0 && strstr(why, "decimals")
	    != NULL, "money: below the minor unit is refused (%s)", why);
	ok(fx_take(&f, "", "[{\"id\":8,\"currency\":\"USD\",\"refunds\":"
	    "[{\"id\":1,\"total\":-1}]}]", why, sizeof why) == 0,
	    "money: a refund total as a whole number is read (%s)", why);
	ok(fx_take(&f, "", "[{\"id\":8,\"currency\":\"USD\",\"refunds\":"
	    "[{\"id\":1,\"total\":-1.5}]}]", why, sizeof why) < 0 &&
	    strstr(why, "order 8: refund total") != NULL, "money: a refund "
	    "total as a JSON fraction is refused (%s)", why);
	uoms_http_req_free(&req);
	fx_free(&f);
}

/*
 * Nonzero when url ends in an OAuth 1.0a signature (HMAC with secret and
 * '&') of everything before it, as WooCommerce checks it.
 */
static int
signed_as(const char *method, const char *url, const char *secret,
    enum uoms_oauth1_method m)
{
	const char *tail = strstr(url, "&oauth_signature=");
	struct uoms_buf head = { 0 }, base = { 0 }, enc = { 0 };
	char sig[64], why[128];
	int good = 0;

	if (tail == NULL)
		return 0;
	uoms_buf_add(&head, url, tail - url);
	if (uoms_oauth1_base(method, head.p, NULL, 0, &base, why,
	    sizeof why) == 0 && uoms_oauth1_signature(m, secret, NULL, base.p,
	    sig, sizeof sig) == 0) {
		uoms_oauth1_encode(&enc, sig, strlen(sig));
		good = strcmp(enc.p, tail + strlen("&oauth_signature=")) == 0;
	}
	uoms_buf_free(&head);
	uoms_buf_free(&base);
	uoms_buf_free(&enc);
	return good;
}

static int
signed_ok(const char *url, const char *secret, enum uoms_oauth1_method m)
{
	return signed_as("GET", url, secret, m);
}

/* Plain http: every request signed (OAuth 1.0a), a retry afresh. */
static void
test_oauth(void)
{
	struct fixture f;
	struct uoms_http_req req = { 0 };
	char why[256], first[1024], nonce1[40] = "", nonce2[40] = "";
	const char *p;
	struct uoms_http_resp r401 = { 401, "{\"code\":\"woocommerce_rest_"
	    "authentication_error\",\"message\":\"Invalid signature - "
	    "provided signature does not match.\",\"data\":{\"status\":401}}",
	    0, "", 0 };

	fx_init(&f, "http://shop.example:8080/", NULL, "{\"per_page\":4}",
	    "2026-11-21T09:12:00Z");
	f.key = "ck_test_key";
	f.secret = "cs_test_secret";
	ok(fx_next(&f, &req, why, sizeof why) == UOMS_KIND_REQUEST,
	    "oauth: a request over plain http (%s)", why);
	ok(strncmp(req.url.p, "http://shop.example:8080/wp-json/wc/v3/orders?"
	    "modified_after=2026-11-21T09%3A12%3A00&dates_are_gmt=true"
	    "&per_page=4&page=1&orderby=modified&order=asc&oauth_consumer_key="
	    "ck_test_key&oauth_nonce=", 155) == 0, "oauth: the query, then "
	    "the consumer key and a nonce (%s)", req.url.p);
	ok(strstr(req.url.p, "&oauth_signature_method=HMAC-SHA256&"
	    "oauth_timestamp=") != NULL, "oauth: HMAC-SHA256 by default, "
	    "a timestamp");
	ok(signed_ok(req.url.p, "cs_test_secret", UOMS_OAUTH1_HMAC_SHA256),
	    "oauth: the signature is the query's, with the secret");
	ok(!signed_ok(req.url.p, "cs_wrong", UOMS_OAUTH1_HMAC_SHA256),
	    "oauth: not a wrong secret's");
	ok(header(&req, "Authorization:", NULL) == NULL && strstr(req.url.p,
	    "cs_test_secret") == NULL, "oauth: no Authorization header, the "
	    "secret nowhere");
	snprintf(first, sizeof first, "%s", req.url.p);
	if ((p = strstr(first, "oauth_nonce=")) != NULL)
		snprintf(nonce1, sizeof nonce1, "%.32s", p + 12);
	ok(uoms_kind_woocommerce.again(&f.ctx, &req, why, sizeof why) == 0,
	    "oauth: a retry signs again (%s)", why);
	if ((p = strstr(req.url.p, "oauth_nonce=")) != NULL)
		snprintf(nonce2, sizeof nonce2, "%.32s", p + 12);
	ok(strlen(nonce1) == 32 && strlen(nonce2) == 32 && strcmp(nonce1,
	    nonce2) != 0, "oauth: the retry has a new nonce (%s, %s)",
	    nonce1, nonce2);
	ok(signed_ok(req.url.p, "cs_test_secret", UOMS_OAUTH1_HMAC_SHA256) &&
	    strstr(req.url.p, "&page=1&") != NULL && strstr(strstr(req.url.p,
	    "oauth_signature=") + 1, "oauth_") == NULL, "oauth: the same page, "
	    "signed once (%s)", req.url.p);
	r401.len = strlen(r401.body);
	uoms_kind_woocommerce.auth_reason(&r401, why, sizeof why);
	is(why, "Invalid signature - provided signature does not match. "
	    "(woocommerce_rest_authentication_error)", "oauth: a 401's "
	    "reason is WooCommerce's message and code");
	r401.body = "<html>";
	r401.len = 6;
	uoms_kind_woocommerce.auth_reason(&r401, why, sizeof why);
	is(why, "", "oauth: no reason from a body that is not WooCommerce's");
	uoms_http_req_free(&req);
	fx_free(&f);

	fx_init(&f, "http://shop.example", NULL, "{\"signature_method\":"
	    "\"HMAC-SHA1\",\"currency\":\"KRW\"}", NULL);
	f.ctx.products = 1;
	fx_next(&f, &req, why, sizeof why);
	ok(strncmp(req.url.p, "http://shop.example/wp-json/wc/v3/settings/"
	    "general?oauth_consumer_key=ck_def&", 69) != 0 &&
	    strstr(req.url.p, "/products?") != NULL && strstr(req.url.p,
	    "&oauth_signature_method=HMAC-SHA1&") != NULL &&
	    signed_ok(req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA1),
	    "oauth: signature_method=HMAC-SHA1 (%s)", req.url.p);
	uoms_http_req_free(&req);
	fx_free(&f);

	/* https: basic auth, unless auth=oauth1 says sign there too. */
	fx_init(&f, "https://shop.example", NULL, "{\"auth\":\"oauth1\"}",
	    NULL);
	fx_next(&f, &req, why, sizeof why);
	ok(header(&req, "Authorization:", NULL) == NULL &&
	    signed_ok(req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA256),
	    "oauth: auth=oauth1 signs over https too");
	uoms_http_req_free(&req);
	fx_free(&f);
}

/* Discounts: the unit price is the line total (after coupons) over the
 * quantity, in the currency's minor unit; never the subtotal. */
static void
test_discount(void)
{
	static const struct {
		const char *currency, *subtotal, *total;
		int qty;
		long long unit, line_total;	/* -1: left out */
	} cases[] = {
		{ "KRW", "20000", "18000", 3, 6000, -1 },
		{ "KRW", "30000", "20000", 3, 6667, 20000 },
		{ "KRW", "10000", "10000", 3, 3333, 10000 },
		{ "USD", "30.00", "25.00", 3, 833, 2500 },
		{ "USD", "30.00", "27.00", 2, 1350, -1 },
		{ "USD", "10.00", "0.00", 1, 0, -1 },	/* a free line */
		{ "JPY", "1000", "999", 2, 500, 999 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		struct uoms_http_req req = { 0 };
		char why[256], body[512];
		json_t *it;

		fx_init(&f, "https://shop.example", NULL, NULL, NULL);
		fx_next(&f, &req, why, sizeof why);
		snprintf(body, sizeof body, "[{\"id\":1,\"currency\":\"%s\","
		    "\"line_items\":[{\"id\":2,\"quantity\":%d,\"subtotal\":"
		    "\"%s\",\"total\":\"%s\",\"price\":1.23}]}]",
		    cases[i].currency, cases[i].qty, cases[i].subtotal,
		    cases[i].total);
		fx_take(&f, "", body, why, sizeof why);
		it = json_array_get(json_object_get(json_array_get(f.out, 0),
		    "items"), 0);
		ok(json_integer_value(json_object_get(it, "unit_price")) ==
		    cases[i].unit && (cases[i].line_total < 0 ?
		    json_object_get(it, "line_total") == NULL :
		    json_integer_value(json_object_get(it, "line_total")) ==
		    cases[i].line_total), "discount: %s subtotal %s, total %s, "
		    "%d units: unit_price %lld, line_total %lld (%s)",
		    cases[i].currency, cases[i].subtotal, cases[i].total,
		    cases[i].qty, cases[i].unit, cases[i].line_total, why);
		uoms_http_req_free(&req);
		fx_free(&f);
	}
}

/* One push step: push() into req, then the canned answer to pushed(). */
static int
fx_push(struct fixture *f, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	uoms_http_req_free(req);
	memset(req, 0, sizeof *req);
	why[0] = '\0';
	return uoms_kind_woocommerce.push(&f->ctx, it, req, answer, why,
	    whylen);
}

static int
fx_pushed(struct fixture *f, long status, const char *body,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	struct uoms_http_resp r = { status, body, strlen(body), "", 0 };

	uoms_buf_clear(answer);
	why[0] = '\0';
	return uoms_kind_woocommerce.pushed(&f->ctx, &r, answer, why, whylen);
}

/* Push: no ack; a shipment is GET the order, POST the note, PUT the
 * status, each authenticated as a fetch is. */
static void
test_push(void)
{
	const char *src = getenv("UOMS_SRC");
	struct uoms_push_item it = { 2, "701", "ship", "cj", "640012345678",
	    NULL };
	struct fixture f;
	struct uoms_http_req req = { 0 };
	struct uoms_buf answer = { 0 };
	char path[1024], why[512];
	json_t *body;
	int secret = 0;

	snprintf(path, sizeof path, "%s/share/uoms/carriers.tsv",
	    src != NULL && *src != '\0' ? src : ".");
	uoms_carrier_file(path);
	it.record = json_pack("{s:s, s:s}", "channel", "woo-us",
	    "external_order_id", "701");
	ok(uoms_kind_woocommerce.wants_ack(NULL) == 0, "push: WooCommerce "
	    "wants no acknowledgement");

	fx_init(&f, "https://shop.example/", NULL, NULL, NULL);
	it.push = "ack";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "no ack") != NULL, "push: an ack is not made (%s)",
	    why);
	it.push = "ship";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0,
	    "push: a shipment's first request (%s)", why);
	is(req.method, "GET", "push: first the order, as the shop has it");
	is(req.url.p, "https://shop.example/wp-json/wc/v3/orders/701",
	    "push: GET orders/{id}");
	ok(header(&req, "Authorization: Basic ", &secret) != NULL && secret,
	    "push: basic auth over https, masked");
	ok(req.body.n == 0, "push: no body on the GET");
	ok(fx_pushed(&f, 200, "{\"id\":701,\"status\":\"processing\"}",
	    &answer, why, sizeof why) == UOMS_PUSHED_MORE, "push: a "
	    "processing order goes on to the note (%s)", why);
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0,
	    "push: the note (%s)", why);
	is(req.method, "POST", "push: the note is a POST");
	is(req.url.p, "https://shop.example/wp-json/wc/v3/orders/701/notes",
	    "push: to orders/{id}/notes");
	ok(header(&req, "Content-Type: application/json", NULL) != NULL,
	    "push: as JSON");
	body = json_loadb(req.body.p, req.body.n, 0, NULL);
	same_json(body, "{\"note\":\"Shipped with CJ대한통운, tracking number "
	    "640012345678\",\"customer_note\":true}", "push: the note names "
	    "the carrier (carriers.tsv) and the number, for the customer");
	json_decref(body);
	ok(fx_pushed(&f, 201, "{\"id\":4000,\"author\":\"system\",\"note\":"
	    "\"Shipped\",\"customer_note\":true}", &answer, why,
	    sizeof why) == UOMS_PUSHED_MORE, "push: the note made, on to "
	    "the status (%s)", why);
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == 0,
	    "push: the status (%s)", why);
	is(req.method, "PUT", "push: the status is a PUT");
	is(req.url.p, "https://shop.example/wp-json/wc/v3/orders/701",
	    "push: to orders/{id}");
	is(req.body.p, "{\"status\":\"completed\"}", "push: completed");
	ok(fx_pushed(&f, 200, "{\"id\":701,\"status\":\"completed\","
	    "\"date_completed_gmt\":\"2026-11-22T01:00:00\",\"total\":\"1\"}",
	    &answer, why, sizeof why) == 1, "push: accepted (%s)", why);
	is(answer.p, "{\"note\":{\"id\":4000,\"note\":\"Shipped\","
	    "\"customer_note\":true},\"order\":{\"id\":701,\"status\":"
	    "\"completed\",\"date_completed_gmt\":\"2026-11-22T01:00:00\"}}",
	    "push: the answer kept is the note and the order's status");
	fx_free(&f);

	/* The shop's refusals: its message and code; 5xx, 429, 401 are
	 * the engine's. */
	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(fx_pushed(&f, 404, "{\"code\":\"woocommerce_rest_shop_order_"
	    "invalid_id\",\"message\":\"Invalid ID.\",\"data\":{\"status\":"
	    "404}}", &answer, why, sizeof why) == 0, "push: a 404 refuses");
	is(why, "HTTP 404: Invalid ID. (woocommerce_rest_shop_order_"
	    "invalid_id)", "push: with the shop's message and code");
	is(answer.p, "{\"code\":\"woocommerce_rest_shop_order_invalid_id\","
	    "\"message\":\"Invalid ID.\",\"data\":{\"status\":404}}",
	    "push: the answer is the shop's error");
	ok(fx_pushed(&f, 500, "{}", &answer, why, sizeof why) == -1 &&
	    fx_pushed(&f, 503, "", &answer, why, sizeof why) == -1 &&
	    fx_pushed(&f, 429, "{}", &answer, why, sizeof why) == -1 &&
	    fx_pushed(&f, 401, "{}", &answer, why, sizeof why) == -1 &&
	    fx_pushed(&f, 403, "{}", &answer, why, sizeof why) == -1,
	    "push: 5xx, 429, 401, 403 are the engine's");
	ok(fx_pushed(&f, 200, "<html>", &answer, why, sizeof why) == -1,
	    "push: a 2xx that is not JSON is not understood (maybe taken)");
	ok(fx_pushed(&f, 200, "{\"id\":701,\"status\":\"cancelled\"}",
	    &answer, why, sizeof why) == 0 && strcmp(why, "the shop has the "
	    "order cancelled: not told it shipped (nothing sent)") == 0,
	    "push: an order cancelled on the shop is refused before the "
	    "note (%s)", why);
	fx_free(&f);

	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	fx_pushed(&f, 200, "{\"id\":701,\"status\":\"processing\"}", &answer,
	    why, sizeof why);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	fx_pushed(&f, 201, "{\"id\":4001,\"note\":\"n\",\"customer_note\":"
	    "true}", &answer, why, sizeof why);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(fx_pushed(&f, 400, "{\"code\":\"rest_invalid_param\",\"message\":"
	    "\"Invalid parameter(s): status\",\"data\":{\"status\":400}}",
	    &answer, why, sizeof why) == 0 && strstr(why, "HTTP 400: Invalid "
	    "parameter(s): status (rest_invalid_param); the note with the "
	    "tracking number was added") != NULL, "push: a refused status "
	    "says the note went already (%s)", why);
	fx_free(&f);

	/* Completed on the shop already: the note alone. */
	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(fx_pushed(&f, 200, "{\"id\":701,\"status\":\"completed\"}",
	    &answer, why, sizeof why) == UOMS_PUSHED_MORE, "push: a "
	    "completed order still gets the note");
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(fx_pushed(&f, 201, "{\"id\":4002,\"note\":\"n\",\"customer_note\":"
	    "true}", &answer, why, sizeof why) == 1 && strstr(answer.p,
	    "\"order\":{\"id\":701,\"status\":\"completed\"}") != NULL,
	    "push: and no status update (%s)", answer.p);
	fx_free(&f);

	/* Plain http: each step signed for its own method. */
	fx_init(&f, "http://shop.example", NULL, NULL, NULL);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(signed_as("GET", req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA256),
	    "push: the GET signed (%s)", req.url.p);
	fx_pushed(&f, 200, "{\"id\":701,\"status\":\"on-hold\"}", &answer,
	    why, sizeof why);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(strncmp(req.url.p, "http://shop.example/wp-json/wc/v3/orders/701/"
	    "notes?oauth_consumer_key=ck_abc&", 64) == 0 &&
	    signed_as("POST", req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA256) &&
	    !signed_as("GET", req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA256),
	    "push: the POST signed as a POST, its JSON body not in it (%s)",
	    req.url.p);
	ok(header(&req, "Authorization:", NULL) == NULL, "push: no basic "
	    "auth over http");
	ok(uoms_kind_woocommerce.again(&f.ctx, &req, why, sizeof why) == 0 &&
	    signed_as("POST", req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA256) &&
	    strcmp(req.body.p, "{\"note\":\"Shipped with CJ대한통운, tracking "
	    "number 640012345678\",\"customer_note\":true}") == 0,
	    "push: a retry is signed afresh, the body kept");
	fx_pushed(&f, 201, "{\"id\":4003}", &answer, why, sizeof why);
	fx_push(&f, &it, &req, &answer, why, sizeof why);
	ok(signed_as("PUT", req.url.p, "cs_def", UOMS_OAUTH1_HMAC_SHA256),
	    "push: the PUT signed as a PUT");
	fx_free(&f);

	/* What can't be sent is said before anything is. */
	fx_init(&f, "https://shop.example", NULL, NULL, NULL);
	it.carrier = "nosuch";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "unknown carrier 'nosuch'") != NULL, "push: an "
	    "unknown carrier is named (%s)", why);
	it.carrier = "hanjin";
	it.tracking_number = "";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "shipment.tracking_number") != NULL, "push: no "
	    "tracking number (%s)", why);
	it.tracking_number = "1";
	it.external_order_id = "70/1";
	ok(fx_push(&f, &it, &req, &answer, why, sizeof why) == -1 &&
	    strstr(why, "'70/1' is not a WooCommerce order id") != NULL,
	    "push: an id that is not a number is never put in a path (%s)",
	    why);
	fx_free(&f);
	uoms_http_req_free(&req);
	uoms_buf_free(&answer);
	json_decref((json_t *)it.record);
}

/* 0 when s is a JSON text (any value), -1 otherwise. */
static int
json_text_ok(const char *s)
{
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);

	if (j == NULL)
		return -1;
	json_decref(j);
	return 0;
}

/*
 * Push answers a hostile shop could give, at each step: seeds cut,
 * bytes flipped, statuses mixed, deterministic. pushed() says one of its
 * four things, an answer it keeps is JSON, a refusal says why, and
 * (under ASan) nothing is read out of bounds.
 */
static void
test_push_hostile(void)
{
	static const char *const seeds[] = {
		"{\"id\":701,\"status\":\"processing\"}",
		"{\"id\":4000,\"note\":\"n\",\"customer_note\":true}",
		"{\"id\":701,\"status\":\"completed\",\"date_completed_gmt\":"
		    "\"2026-11-22T01:00:00\"}",
		"{\"code\":\"rest_invalid_param\",\"message\":\"Invalid "
		    "parameter(s): status\",\"data\":{\"status\":400}}",
		"{\"id\":null,\"status\":7,\"note\":[1],\"customer_note\":{}}",
		"[]", "null", "\"completed\"", "",
	};
	static const long statuses[] = { 200, 201, 204, 301, 400, 401, 403,
	    404, 409, 429, 500, 503 };
	struct uoms_push_item it = { 2, "701", "ship", "cj", "6400", NULL };
	struct uoms_http_req req = { 0 };
	struct uoms_buf answer = { 0 };
	unsigned long x = 88172645463325252UL;
	int bad = 0, n = 0;
	char why[512], body[512];

	for (n = 0; n < 3000; n++) {
		struct fixture f;
		int step, rc;
		size_t len;
		long status;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		step = (int)(x % 3);
		snprintf(body, sizeof body, "%s", seeds[(x >> 8) %
		    (sizeof seeds / sizeof seeds[0])]);
		len = strlen(body);
		if (len > 0 && (x >> 16) % 2)
			len = (x >> 20) % (len + 1);	/* cut */
		body[len] = '\0';
		for (int k = 0; len > 0 && k < (int)((x >> 24) % 4); k++)
			body[(x >> (28 + k * 5)) % len] ^= (char)(1 << k);
		status = statuses[(x >> 40) % (sizeof statuses /
		    sizeof statuses[0])];
		fx_init(&f, "https://shop.example", NULL, NULL, NULL);
		/* Brought to the step by good answers. */
		fx_push(&f, &it, &req, &answer, why, sizeof why);
		if (step >= 1) {
			fx_pushed(&f, 200, seeds[0], &answer, why, sizeof why);
			fx_push(&f, &it, &req, &answer, why, sizeof why);
		}
		if (step >= 2) {
			fx_pushed(&f, 201, seeds[1], &answer, why, sizeof why);
			fx_push(&f, &it, &req, &answer, why, sizeof why);
		}
		rc = fx_pushed(&f, status, body, &answer, why, sizeof why);
		if (rc != -1 && rc != 0 && rc != 1 && rc != UOMS_PUSHED_MORE)
			bad++;
		else if ((rc == 0 || rc == 1) && (answer.p == NULL ||
		    json_text_ok(answer.p) < 0))
			bad++;
		else if (rc == 0 && why[0] == '\0')
			bad++;
		else if (rc == UOMS_PUSHED_MORE && fx_push(&f, &it, &req,
		    &answer, why, sizeof why) != 0)
			bad++;
		fx_free(&f);
	}
	ok(bad == 0, "push: %d hostile answers at the three steps, each "
	    "read as one of accepted, refused, more or the engine's (%d bad)",
	    n, bad);
	uoms_http_req_free(&req);
	uoms_buf_free(&answer);
}

int
main(void)
{
	test_requests();
	test_paging();
	test_mapping();
	test_status();
	test_broken();
	test_products();
	test_money();
	test_oauth();
	test_discount();
	test_push();
	test_push_hostile();
	printf("1..%d\n", tests);
	return failed != 0;
}
