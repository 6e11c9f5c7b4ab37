/*
 * kind shopify: orders and the catalog from the Shopify GraphQL Admin API
 * (SPEC 7), as its public docs describe it:
 *
 *   endpoint:   https://shopify.dev/docs/api/admin-graphql
 *   orders:     https://shopify.dev/docs/api/admin-graphql/latest/queries/orders
 *   variants:   https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
 *   paging:     https://shopify.dev/docs/api/usage/pagination-graphql
 *   cost:       https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
 *   versions:   https://shopify.dev/docs/api/usage/versioning
 *   redaction:  https://shopify.dev/docs/apps/launch/protected-customer-data
 *   token:      https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant
 *
 * POST {base}/admin/api/{api_version}/graphql.json with
 * X-Shopify-Access-Token, the query orders(first:, after:, sortKey:
 * UPDATED_AT, query: "updated_at:>='SINCE'") and its pageInfo
 * {hasNextPage endCursor}, the cursor sent back as $after until there is
 * no next page. Sorted by update time, a run stopped half-way has read
 * the oldest changes first; the engine moves the watermark only after a
 * whole run, so the next run asks from the same point and misses nothing.
 * Each order node is put into the shape of the REST Order resource
 * (gql_order) and mapped by the same code as before, so ids stay the
 * numeric tail of the GID (gid://shopify/Order/123 is 123) and stored
 * orders keep their external ids. Money is the shop money of each
 * MoneyBag (shopMoney), in the order's currencyCode (the shop's).
 * Fields Shopify redacts for an app without protected customer data
 * access arrive as null: they are left out, never an error.
 *
 * Cost (extensions.cost): a query is refused (THROTTLED) when the bucket
 * has less than its requested cost; each answer says what is left
 * (throttleStatus.currentlyAvailable) and how fast it refills
 * (restoreRate). When less is left than the last query asked for, the
 * next request waits (cost - available) / restoreRate seconds, at most
 * GQL_WAIT_MAX; a THROTTLED answer waits the same and asks again, at
 * most GQL_THROTTLED_MAX times.
 *
 * The catalog (--products): productVariants(first:, after:, query:
 * "updated_at:>='SINCE'"), one product line per variant (no 100-variant
 * cap per product as REST had), mapped by the REST product code:
 * sku = variant.sku, name = product.title + " / " + variant.title (but
 * not Shopify's "Default Title" of a product without options), category
 * = product.productType, price = variant.price in minor units, stock =
 * variant.inventoryQuantity. A variant carries no currency: prices are
 * in the shop's currency, which the channel setting "currency" names,
 * else the query shop { currencyCode } (asked first) does: never an
 * assumed one. There is no cost (it lives on the inventory item) and a
 * variant without a SKU is skipped and counted (skipped_no_sku).
 *
 * An X-Shopify-API-Deprecated-Reason header (what of the query is
 * deprecated) is said once per run on stderr.
 *
 * Push (uoms-push): no acknowledgement (Shopify has none); a shipment is
 * the order's fulfillment orders asked, then fulfillmentCreate on those
 * that can be fulfilled, with the tracking info (shopify_push below).
 *
 * Setting api=rest keeps the legacy REST Admin API (orders.json,
 * products.json paged by the Link header) for a shop that still needs
 * it; it goes once every shop is on GraphQL:
 *
 *   https://shopify.dev/docs/api/admin-rest/2024-10/resources/order
 *   https://shopify.dev/docs/api/admin-rest/usage/pagination
 *
 * The mapping helpers at the end (money, phones, postal codes, order
 * numbers, times, base URLs) are shared with kind-woocommerce.c; they move
 * to lib/ of their own once a third kind wants them.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "carrier.h"
#include "currency.h"
#include "kind.h"
#include "map.h"
#include "order.h"
#include "rfc3339.h"


/* Released 2026-10-01, supported until 2027-10 at least (a stable
 * version is supported 12 months; versioning page above). */
#define SHOPIFY_DEFAULT_VERSION "2026-10"
#define SHOPIFY_MAX_LIMIT 250
/* Orders a GraphQL page: its requested cost (about first x the nested
 * connections' first) stays well under the 1000 a query may cost. */
#define GQL_DEFAULT_LIMIT 25
/* Nested connections: an order with more line items than this is
 * refused, not cut short. */
#define GQL_LINES 100
/* The longest wait for the cost bucket to refill, and how many
 * THROTTLED answers in a row before the channel fails. */
#define GQL_WAIT_MAX 60.0
#define GQL_THROTTLED_MAX 5

/*
 * Where an order stands, from financial_status, fulfillment_status and
 * cancelled_at together (shopify_phase), and the state each workflow
 * gives it. NULL: the workflow has no such state; the status is left
 * out and the store keeps what it has.
 */
enum shopify_phase {
	PH_UNPAID,	/* pending, partially_paid, expired; not fulfilled */
	PH_PAID,	/* paid, authorized, partially_refunded; unfulfilled */
	PH_PARTIAL,	/* fulfillment_status partial */
	PH_FULFILLED,	/* fulfillment_status fulfilled */
	PH_RETURNED,	/* fulfilled, then refunded in full */
	PH_CANCELLED,	/* cancelled_at set, restocked, or refunded/voided
			 * before anything shipped */
	PH_COUNT
};

static const struct {
	const char *workflow;
	const char *state[PH_COUNT];
} shopify_states[] = {
	{ "dispatch", { "WAITING", "WAITING", "IN_PROGRESS", "COMPLETE",
	    "ISSUE", "CANCEL" } },
	{ "fulfillment", { "created", "paid", "picking", "shipped",
	    "returned", "cancelled" } },
	{ "food-delivery", { "pending_payment", "pending_acceptance",
	    "in_transit", "delivered", NULL, "cancelled" } },
};

enum shopify_step {
	ST_ORDERS,	/* the first page is next */
	ST_TOKEN,	/* a client-credentials token request is out */
	ST_FIRST,	/* the first page is out */
	ST_NEXT,	/* a page_info page is out */
	ST_SHOP,	/* the shop's currency (shop.json) is asked */
	ST_DONE
};

/* A shipment push: the order's fulfillment orders, then the fulfillment. */
enum push_step {
	PS_START,	/* nothing asked yet */
	PS_TOKEN,	/* a client-credentials token request is out */
	PS_ORDERS,	/* the fulfillment orders query is out */
	PS_CREATE	/* the fulfillmentCreate mutation is out */
};

struct shopify_state {
	char base[512];		/* no trailing '/' */
	char version[32];
	int limit;
	enum shopify_step step;
	char *token;		/* from the client-credentials grant */
	char *page_info;	/* the next page's cursor */
	int pages;
	char currency[4];	/* the catalog's: setting, or shop.json's */
	long skipped_no_sku;	/* catalog variants without a SKU */
	int rest;		/* setting api=rest: the legacy REST API */
	char *after;		/* GraphQL: the next page's cursor */
	double cost;		/* the last requestedQueryCost, or 0 */
	double wait;		/* before the next request, seconds */
	int throttled;		/* THROTTLED answers in a row */
	int deprecated_said;	/* the deprecation header, once a run */
	enum push_step pstep;	/* push mode: the request out */
	json_t *fulfill;	/* push: the fulfillment order ids to fulfill */
};

static enum uoms_kind_step gql_request(struct uoms_fetch_ctx *,
    struct uoms_http_req *, const char *, char *, size_t);

static int
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* The shop's base URL: base_url, or https://SHOP.myshopify.com. */
static int
shopify_base(const struct uoms_channel *c, char *out, size_t outlen,
    char *why, size_t whylen)
{
	char shopbuf[128];
	const char *shop = uoms_map_setting(c, "shop", shopbuf,
	    sizeof shopbuf) == 0 ? shopbuf : NULL;
	size_t n;

	if (c->base_url != NULL && *c->base_url != '\0') {
		if (uoms_map_base_ok(c->base_url, why, whylen) < 0)
			return -1;
		snprintf(out, outlen, "%s", c->base_url);
	} else if (shop != NULL) {
		/* "acme" or "acme.myshopify.com"; nothing else may get into
		 * the host name. */
		n = strcspn(shop, ".");
		if (n == 0 || n > 63 || strspn(shop,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-") != n ||
		    (shop[n] != '\0' && strcasecmp(shop + n, ".myshopify.com")
		    != 0)) {
			snprintf(why, whylen, "setting shop '%.64s' is not a "
			    "shop name (acme or acme.myshopify.com)", shop);
			return -1;
		}
		snprintf(out, outlen, "https://%.*s.myshopify.com", (int)n,
		    shop);
	} else {
		snprintf(why, whylen, "needs a base URL or the setting shop");
		return -1;
	}
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

static int
shopify_init(struct uoms_fetch_ctx *ctx, char *why, size_t whylen)
{
	struct shopify_state *st = calloc(1, sizeof *st);
	char vbuf[64], lbuf[32];
	const char *v = uoms_map_setting(ctx->channel, "api_version", vbuf,
	    sizeof vbuf) == 0 ? vbuf : NULL;
	const char *limit = uoms_map_setting(ctx->channel, "limit", lbuf,
	    sizeof lbuf) == 0 ? lbuf : NULL;

	if (st == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	ctx->state = st;
	if (shopify_base(ctx->channel, st->base, sizeof st->base, why,
	    whylen) < 0)
		return -1;
	if (v == NULL)
		v = SHOPIFY_DEFAULT_VERSION;
	/* YYYY-MM, or "unstable". */
	if (!((strlen(v) == 7 && isdigit((unsigned char)v[0]) &&
	    strspn(v, "0123456789") == 4 && v[4] == '-' &&
	    strspn(v + 5, "0123456789") == 2) || strcmp(v, "unstable") == 0)) {
		snprintf(why, whylen, "setting api_version '%.32s' is not "
		    "YYYY-MM", v);
		return -1;
	}
	snprintf(st->version, sizeof st->version, "%s", v);
	if (uoms_map_setting(ctx->channel, "api", vbuf, sizeof vbuf) == 0) {
		if (strcmp(vbuf, "rest") != 0 && strcmp(vbuf, "graphql") != 0) {
			snprintf(why, whylen, "setting api '%.16s' is not "
			    "graphql or rest", vbuf);
			return -1;
		}
		st->rest = strcmp(vbuf, "rest") == 0;
	}
	st->limit = st->rest ? SHOPIFY_MAX_LIMIT : GQL_DEFAULT_LIMIT;
	if (limit != NULL) {
		char *end;
		long n = strtol(limit, &end, 10);

		if (*end != '\0' || n < 1 || n > SHOPIFY_MAX_LIMIT) {
			snprintf(why, whylen, "setting limit '%.32s' is not "
			    "1 to %d", limit, SHOPIFY_MAX_LIMIT);
			return -1;
		}
		st->limit = (int)n;
	}
	/* A product carries no currency: the setting's, else the shop's
	 * (shopify_next asks shop.json first), never an assumed one. */
	if (ctx->products) {
		char cbuf[16];

		if (uoms_map_setting(ctx->channel, "currency", cbuf,
		    sizeof cbuf) == 0) {
			if (uoms_currency_digits(cbuf) < 0) {
				snprintf(why, whylen, "setting currency '%.16s' "
				    "is not an ISO 4217 code (USD)", cbuf);
				return -1;
			}
			snprintf(st->currency, sizeof st->currency, "%.3s",
			    cbuf);
		}
	}
	return 0;
}

/* POST {base}/admin/oauth/access_token, form encoded (client credentials). */
static void
shopify_token_request(struct shopify_state *st, struct uoms_http_req *req,
    const char *id, const char *secret)
{
	snprintf(req->method, sizeof req->method, "POST");
	uoms_buf_printf(&req->url, "%s/admin/oauth/access_token", st->base);
	uoms_http_req_header(req, 0,
	    "Content-Type: application/x-www-form-urlencoded");
	uoms_http_req_header(req, 0, "Accept: application/json");
	uoms_buf_str(&req->body, "grant_type=client_credentials&client_id=");
	uoms_url_escape(&req->body, id);
	uoms_buf_str(&req->body, "&client_secret=");
	uoms_url_escape(&req->body, secret);
}

/*
 * The token to send: one given as a secret (a custom app's Admin API
 * token, or one kept from an earlier grant until it expires), 1 with
 * *token set; else the client-credentials grant's request in req (its
 * token kept for the next runs), 0; -1 with why when there is neither.
 */
static int
shopify_token(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char **token, char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	const char *id, *secret;
	char why2[256];
	size_t n;

	*token = st->token;
	if (*token == NULL)
		*token = ctx->secret(ctx, "access_token", why, whylen);
	if (*token != NULL)
		return 1;
	id = ctx->secret(ctx, "client_id", why2, sizeof why2);
	secret = id != NULL ? ctx->secret(ctx, "client_secret", why2,
	    sizeof why2) : NULL;
	if (id == NULL || secret == NULL) {
		/* why (about access_token) says the first thing to fix; add
		 * the alternative. */
		n = strlen(why);
		snprintf(why + n, whylen - n, " (or secrets client_id and "
		    "client_secret)");
		return -1;
	}
	shopify_token_request(st, req, id, secret);
	return 0;
}

static enum uoms_kind_step
shopify_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	const char *token;

	if (st == NULL) {
		if (shopify_init(ctx, why, whylen) < 0)
			return UOMS_KIND_FAIL;
		st = ctx->state;
	}
	if (st->step == ST_DONE)
		return UOMS_KIND_DONE;

	switch (shopify_token(ctx, req, &token, why, whylen)) {
	case -1:
		return UOMS_KIND_FAIL;
	case 0:
		st->step = ST_TOKEN;
		return UOMS_KIND_REQUEST;
	}

	if (!st->rest)
		return gql_request(ctx, req, token, why, whylen);
	snprintf(req->method, sizeof req->method, "GET");
	if (ctx->products && st->currency[0] == '\0') {
		/* https://shopify.dev/docs/api/admin-rest/2024-01/resources/shop */
		uoms_buf_printf(&req->url, "%s/admin/api/%s/shop.json",
		    st->base, st->version);
		st->step = ST_SHOP;
		goto headers;
	}
	uoms_buf_printf(&req->url, "%s/admin/api/%s/%s.json?", st->base,
	    st->version, ctx->products ? "products" : "orders");
	if (st->page_info != NULL) {
		/* "page_info can't be modified and must be used exactly as it
		 * appears"; no other filter may accompany it, only limit. */
		uoms_buf_printf(&req->url, "limit=%d&page_info=%s", st->limit,
		    st->page_info);
		st->step = ST_NEXT;
	} else {
		/* Orders: status=any (the default is open only). Products:
		 * no status filter, so active, draft and archived alike. */
		if (!ctx->products)
			uoms_buf_str(&req->url, "status=any&");
		if (ctx->since != NULL && *ctx->since != '\0') {
			uoms_buf_str(&req->url, "updated_at_min=");
			uoms_url_escape(&req->url, ctx->since);
			uoms_buf_str(&req->url, "&");
		}
		uoms_buf_printf(&req->url, "limit=%d", st->limit);
		st->step = ST_FIRST;
	}
headers:
	uoms_http_req_header(req, 1, "X-Shopify-Access-Token: %s", token);
	uoms_http_req_header(req, 0, "Accept: application/json");
	return UOMS_KIND_REQUEST;
}

/*
 * The page_info of the Link header's rel="next" URL into out, "" when
 * there is none. Only the cursor is taken: the next request is built on
 * the configured base, so a Link can never send the token elsewhere.
 */
static int
shopify_link_next(const char *link, char *out, size_t outlen)
{
	const char *p = link;

	*out = '\0';
	while ((p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>'), *params, *stop, *q;

		if (end == NULL)
			return -1;
		params = end + 1;
		stop = strchr(params, ',');
		if (stop == NULL)
			stop = params + strlen(params);
		q = params;
		while ((q = strstr(q, "rel=")) != NULL && q < stop) {
			q += 4;
			if (*q == '"')
				q++;
			if (strncmp(q, "next", 4) == 0 && (q[4] == '"' ||
			    q[4] == ';' || q[4] == ',' || q[4] == ' ' ||
			    q[4] == '\0'))
				goto found;
		}
		p = end + 1;
		continue;
found:
		for (q = p + 1; q < end; q++) {
			size_t n;

			if ((*q != '?' && *q != '&') ||
			    strncmp(q + 1, "page_info=", 10) != 0)
				continue;
			q += 11;
			n = strcspn(q, "&>");
			/* Opaque, but it goes into our URL as it is: refuse
			 * anything outside RFC 3986 unreserved + '%'. */
			if (n == 0 || n >= outlen)
				return -1;
			for (size_t i = 0; i < n; i++)
				if (!isalnum((unsigned char)q[i]) &&
				    strchr("-._~%", q[i]) == NULL)
					return -1;
			memcpy(out, q, n);
			out[n] = '\0';
			return 0;
		}
		return -1;	/* a next link without a cursor */
	}
	return 0;
}

static enum shopify_phase
shopify_phase(json_t *o)
{
	const char *fin = jstr(o, "financial_status");
	const char *ful = jstr(o, "fulfillment_status");

	if (jstr(o, "cancelled_at") != NULL || str_eq(ful, "restocked"))
		return PH_CANCELLED;
	if (str_eq(ful, "fulfilled"))
		return str_eq(fin, "refunded") ? PH_RETURNED : PH_FULFILLED;
	if (str_eq(ful, "partial"))
		return PH_PARTIAL;
	if (str_eq(fin, "refunded") || str_eq(fin, "voided"))
		return PH_CANCELLED;
	if (str_eq(fin, "paid") || str_eq(fin, "authorized") ||
	    str_eq(fin, "partially_refunded"))
		return PH_PAID;
	return PH_UNPAID;
}

static const char *
shopify_state_of(const char *workflow, enum shopify_phase ph)
{
	for (size_t i = 0; i < sizeof shopify_states /
	    sizeof shopify_states[0]; i++)
		if (strcmp(shopify_states[i].workflow, workflow) == 0)
			return shopify_states[i].state[ph];
	return NULL;
}

/* customer {name, phone}, shipping {postal_code, address}. */
static void
shopify_people(json_t *rec, json_t *o)
{
	json_t *sa = json_object_get(o, "shipping_address");
	json_t *ba = json_object_get(o, "billing_address");
	json_t *cu = json_object_get(o, "customer");
	json_t *customer = json_object(), *shipping = json_object();
	const char *name, *phone;
	struct uoms_buf b = { 0 };

	if (!json_is_object(sa))
		sa = NULL;
	name = jstr(sa, "name");
	if (name == NULL && (jstr(sa, "first_name") != NULL ||
	    jstr(sa, "last_name") != NULL)) {
		uoms_buf_printf(&b, "%s%s%s", jstr(sa, "first_name") ?
		    jstr(sa, "first_name") : "", jstr(sa, "first_name") &&
		    jstr(sa, "last_name") ? " " : "", jstr(sa, "last_name") ?
		    jstr(sa, "last_name") : "");
		name = b.p;
	}
	if (name == NULL)
		name = jstr(ba, "name");
	uoms_map_str(customer, "name", name);
	uoms_buf_free(&b);

	phone = jstr(sa, "phone");
	if (phone == NULL)
		phone = jstr(o, "phone");
	if (phone == NULL)
		phone = jstr(cu, "phone");
	if (phone == NULL)
		phone = jstr(ba, "phone");
	uoms_map_phone(customer, phone);

	if (sa != NULL) {
		static const char *const parts[] = { "address1", "address2",
		    "city", "province", "country" };

		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
			if (jstr(sa, parts[i]) != NULL)
				uoms_buf_printf(&b, "%s%s", b.n ? ", " : "",
				    jstr(sa, parts[i]));
		uoms_map_str(shipping, "address", b.p);
		uoms_buf_free(&b);
		uoms_map_postal(shipping, jstr(sa, "zip"));
	}
	if (json_object_size(customer) > 0)
		json_object_set(rec, "customer", customer);
	if (json_object_size(shipping) > 0)
		json_object_set(rec, "shipping", shipping);
	json_decref(customer);
	json_decref(shipping);
}

/*
 * When the order left and was done, as Shopify tells it: its first
 * fulfillment's created_at (the parcel handed over) and closed_at (the
 * order closed once fulfilled; not a cancelled one's). -1 when one is not
 * a time.
 */
static int
shopify_times(json_t *rec, json_t *o)
{
	json_t *list = json_object_get(o, "fulfillments");
	char best[48] = "";

	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *c = jstr(json_array_get(list, i), "created_at");
		json_t *one;

		if (c == NULL)
			continue;
		/* Compared in UTC: the offsets may differ between them. */
		one = json_object();
		if (uoms_map_time(one, "t", c) < 0) {
			json_decref(one);
			return -1;
		}
		if (best[0] == '\0' || strcmp(jstr(one, "t"), best) < 0)
			snprintf(best, sizeof best, "%s", jstr(one, "t"));
		json_decref(one);
	}
	if (best[0] != '\0')
		json_object_set_new(rec, "depart_time", json_string(best));
	if (jstr(o, "closed_at") != NULL && jstr(o, "cancelled_at") == NULL &&
	    uoms_map_time(rec, "complete_time", jstr(o, "closed_at")) < 0)
		return -1;
	return 0;
}

/* items[] whose external_item_id is lid, or NULL. */
static json_t *
shopify_item(json_t *items, const char *lid)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it)
		if (strcmp(json_string_value(json_object_get(it,
		    "external_item_id")), lid) == 0)
			return it;
	return NULL;
}

/*
 * The order's refunds (Order resource, "refunds"): each refund's
 * refund_line_items[].quantity, by line_item_id, adds to that item's
 * cancelled_quantity, and its transactions[] of kind "refund" and status
 * "success" add their amount (a decimal string in the order's currency)
 * to what was given back; refunded_amount is the part of it not for
 * those units (shipping, an adjustment: uoms_kind_refunded). A refund of
 * nothing but shipping moves no quantity; a failed or pending refund
 * transaction gave nothing back.
 *   https://shopify.dev/docs/api/admin-rest/2024-01/resources/refund
 * -1 with why (the order named) when an amount or quantity can't be read.
 */
static int
shopify_refunds(json_t *rec, json_t *o, const char *id, const char *currency,
    char *why, size_t whylen)
{
	json_t *refunds = json_object_get(o, "refunds"), *rf, *x;
	json_t *items = json_object_get(rec, "items");
	long long refunded = 0, amount;
	char lid[64], mwhy[160];
	size_t i, k;

	if (refunds != NULL && !json_is_array(refunds)) {
		snprintf(why, whylen, "order %s: refunds is not a list", id);
		return -1;
	}
	json_array_foreach(refunds, i, rf) {
		json_array_foreach(json_object_get(rf, "refund_line_items"), k,
		    x) {
			json_t *q = json_object_get(x, "quantity"), *it;
			long long had;

			if (uoms_map_id(json_object_get(x, "line_item_id"), lid,
			    sizeof lid) < 0 || !json_is_integer(q) ||
			    json_integer_value(q) < 0) {
				snprintf(why, whylen, "order %s: a refund line "
				    "item without a line_item_id or a "
				    "quantity", id);
				return -1;
			}
			if ((it = shopify_item(items, lid)) == NULL) {
				snprintf(why, whylen, "order %s: refund of line "
				    "item %s, which the order does not have",
				    id, lid);
				return -1;
			}
			/* 0 when absent: left out until there is some. */
			had = json_integer_value(json_object_get(it,
			    "cancelled_quantity"));
			if (json_integer_value(q) > json_integer_value(
			    json_object_get(it, "quantity")) - had) {
				snprintf(why, whylen, "order %s: line item %s "
				    "refunded more than it has", id, lid);
				return -1;
			}
			if (json_integer_value(q) > 0)
				json_object_set_new(it, "cancelled_quantity",
				    json_integer(had + json_integer_value(q)));
		}
		json_array_foreach(json_object_get(rf, "transactions"), k, x) {
			const char *kind = jstr(x, "kind");
			const char *status = jstr(x, "status");

			if (kind == NULL || strcmp(kind, "refund") != 0 ||
			    status == NULL || strcmp(status, "success") != 0)
				continue;
			if (jstr(x, "currency") != NULL &&
			    strcmp(jstr(x, "currency"), currency) != 0) {
				snprintf(why, whylen, "order %s: a refund in "
				    "%.8s, not the order's %s", id,
				    jstr(x, "currency"), currency);
				return -1;
			}
			if (uoms_currency_amount_json(json_object_get(x,
			    "amount"), currency, &amount, mwhy,
			    sizeof mwhy) < 0 || amount < 0) {
				snprintf(why, whylen, "order %s: refund amount: "
				    "%s", id, amount < 0 ? "negative" : mwhy);
				return -1;
			}
			refunded += amount;
			if (refunded > UOMS_MONEY_MAX) {
				snprintf(why, whylen, "order %s: refunds beyond "
				    "10^15 minor units", id);
				return -1;
			}
		}
	}
	/* Net of the refunded line items' units, cancelled above. */
	uoms_kind_refunded(rec, refunded);
	return 0;
}

/*
 * One order of the answer as a SPEC 3.1 record; NULL with why. *refuse
 * is set when the order alone can't be mapped (its money): the page goes
 * on without it.
 */
static json_t *
shopify_order(struct uoms_fetch_ctx *ctx, json_t *o, char *why,
    size_t whylen, int *refuse)
{
	const struct uoms_channel *c = ctx->channel;
	const char *workflow = c->workflow != NULL ? c->workflow : "dispatch";
	const char *currency = jstr(o, "currency"), *name, *state;
	char id[64], no[64] = "", cs[128];
	json_t *rec, *items, *li;
	enum shopify_phase ph;
	long long amount;
	char mwhy[160];
	size_t i;

	*refuse = 0;
	if (!json_is_object(o) || uoms_map_id(json_object_get(o, "id"), id,
	    sizeof id) < 0) {
		snprintf(why, whylen, "an order without an id");
		return NULL;
	}
	rec = json_object();
	json_object_set_new(rec, "channel", json_string(c->name));
	json_object_set_new(rec, "external_order_id", json_string(id));

	/* name is "#1001" by default (the shop's prefix and suffix);
	 * order_number is the bare 1001. */
	name = jstr(o, "name");
	if (name != NULL && uoms_map_order_no_ok(name))
		snprintf(no, sizeof no, "%s", name);
	else if (uoms_map_id(json_object_get(o, "order_number"), no,
	    sizeof no) < 0 || !uoms_map_order_no_ok(no))
		no[0] = '\0';
	if (no[0] != '\0')
		json_object_set_new(rec, "order_no", json_string(no));
	if (name != NULL && strcmp(name, no) != 0)
		json_object_set_new(rec, "channel_order_no", json_string(name));

	json_object_set_new(rec, "workflow", json_string(workflow));
	ph = shopify_phase(o);
	if ((state = shopify_state_of(workflow, ph)) != NULL)
		json_object_set_new(rec, "status", json_string(state));
	snprintf(cs, sizeof cs, "%s/%s%s", jstr(o, "financial_status") ?
	    jstr(o, "financial_status") : "none",
	    jstr(o, "fulfillment_status") ? jstr(o, "fulfillment_status") :
	    "unfulfilled", jstr(o, "cancelled_at") ? "/cancelled" : "");
	json_object_set_new(rec, "channel_status", json_string(cs));

	shopify_people(rec, o);

	if (jstr(o, "created_at") != NULL && uoms_map_time(rec, "placed_at",
	    jstr(o, "created_at")) < 0) {
		snprintf(why, whylen, "order %s: created_at '%.40s' is not "
		    "an RFC 3339 time", id, jstr(o, "created_at"));
		goto fail;
	}
	if (jstr(o, "updated_at") != NULL && uoms_map_time(rec,
	    "channel_updated_at", jstr(o, "updated_at")) < 0) {
		snprintf(why, whylen, "order %s: updated_at '%.40s' is not "
		    "an RFC 3339 time", id, jstr(o, "updated_at"));
		goto fail;
	}

	if (shopify_times(rec, o) < 0) {
		snprintf(why, whylen, "order %s: a fulfillment's created_at or "
		    "closed_at is not an RFC 3339 time", id);
		goto fail;
	}

	/* Every amount is read in the order's currency, never assumed. */
	*refuse = 1;
	if (currency == NULL) {
		snprintf(why, whylen, "order %s: no currency", id);
		goto fail;
	}
	if (uoms_currency_digits(currency) < 0) {
		snprintf(why, whylen, "order %s: currency '%.16s' is not an "
		    "ISO 4217 code", id, currency);
		goto fail;
	}
	json_object_set_new(rec, "currency", json_string(currency));
	if (json_object_get(o, "total_price") != NULL) {
		if (uoms_currency_amount_json(json_object_get(o,
		    "total_price"), currency, &amount, mwhy,
		    sizeof mwhy) < 0) {
			snprintf(why, whylen, "order %s: total_price is not an "
			    "amount of %s: %s", id, currency, mwhy);
			goto fail;
		}
		json_object_set_new(rec, "total_amount",
		    json_integer(amount));
	}

	items = json_array();
	json_object_set_new(rec, "items", items);
	json_array_foreach(json_object_get(o, "line_items"), i, li) {
		json_t *it = json_object();
		json_t *q = json_object_get(li, "quantity");
		char lid[64];

		json_array_append_new(items, it);
		if (uoms_map_id(json_object_get(li, "id"), lid, sizeof lid) <
		    0) {
			snprintf(why, whylen, "order %s: a line item without "
			    "an id", id);
			goto fail;
		}
		json_object_set_new(it, "external_item_id", json_string(lid));
		uoms_map_str(it, "sku", jstr(li, "sku"));
		uoms_map_str(it, "name", jstr(li, "name") != NULL ?
		    jstr(li, "name") : jstr(li, "title"));
		if (!json_is_integer(q) || json_integer_value(q) <= 0) {
			snprintf(why, whylen, "order %s: line item %s has no "
			    "positive quantity", id, lid);
			goto fail;
		}
		json_object_set_new(it, "quantity",
		    json_integer(json_integer_value(q)));
		if (json_object_get(li, "price") != NULL) {
			if (uoms_currency_amount_json(json_object_get(li,
			    "price"), currency, &amount, mwhy,
			    sizeof mwhy) < 0) {
				snprintf(why, whylen, "order %s: line item %s: "
				    "price is not an amount of %s: %s", id, lid,
				    currency, mwhy);
				goto fail;
			}
			json_object_set_new(it, "unit_price",
			    json_integer(amount));
		}
	}
	if (shopify_refunds(rec, o, id, currency, why, whylen) < 0)
		goto fail;
	*refuse = 0;
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

/*
 * One product of the catalog answer: a product line per variant with a
 * SKU, appended to out. -1 with why when the product can't be read.
 */
static int
shopify_product(struct uoms_fetch_ctx *ctx, json_t *p, json_t *out,
    char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	const char *title = jstr(p, "title"), *vt;
	char id[64], vid[64], mwhy[160];
	json_t *variants = json_object_get(p, "variants"), *v;
	size_t i;

	if (!json_is_object(p) || uoms_map_id(json_object_get(p, "id"), id,
	    sizeof id) < 0) {
		snprintf(why, whylen, "a product without an id");
		return -1;
	}
	if (variants != NULL && !json_is_array(variants)) {
		snprintf(why, whylen, "product %s: variants is not a list", id);
		return -1;
	}
	json_array_foreach(variants, i, v) {
		json_t *rec, *q = json_object_get(v, "inventory_quantity");
		struct uoms_buf name = { 0 };
		long long price;

		if (!json_is_object(v) || uoms_map_id(json_object_get(v, "id"),
		    vid, sizeof vid) < 0) {
			snprintf(why, whylen, "product %s: a variant without "
			    "an id", id);
			return -1;
		}
		if (jstr(v, "sku") == NULL) {
			st->skipped_no_sku++;
			continue;
		}
		rec = json_object();
		json_object_set_new(rec, "sku", json_string(jstr(v, "sku")));
		vt = jstr(v, "title");
		if (vt != NULL && strcmp(vt, "Default Title") == 0)
			vt = NULL;
		uoms_buf_printf(&name, "%s%s%s", title ? title : "",
		    title && vt ? " / " : "", vt ? vt : "");
		uoms_map_str(rec, "name", name.p);
		uoms_buf_free(&name);
		uoms_map_str(rec, "category", jstr(p, "product_type"));
		if (json_object_get(v, "price") != NULL &&
		    !json_is_null(json_object_get(v, "price"))) {
			if (uoms_currency_amount_json(json_object_get(v,
			    "price"), st->currency, &price, mwhy,
			    sizeof mwhy) < 0) {
				snprintf(why, whylen, "product %s: variant %s: "
				    "price is not an amount of %s: %s", id, vid,
				    st->currency, mwhy);
				json_decref(rec);
				return -1;
			}
			json_object_set_new(rec, "price", json_integer(price));
		}
		if (json_is_integer(q))
			json_object_set_new(rec, "stock",
			    json_integer(json_integer_value(q)));
		json_object_set_new(rec, "currency",
		    json_string(st->currency));
		json_object_set_new(rec, "channel",
		    json_string(ctx->channel->name));
		json_object_set_new(rec, "channel_product_id", json_string(id));
		json_object_set_new(rec, "channel_variant_id",
		    json_string(vid));
		uoms_map_str(rec, "channel_status", jstr(p, "status"));
		json_array_append_new(out, rec);
	}
	return 0;
}

static int
shopify_take_token(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	json_t *root = uoms_map_parse(r, why, whylen), *ttl;
	const char *tok;
	char expires[40];
	long long secs = 3600;

	if (root == NULL)
		return -1;
	tok = jstr(root, "access_token");
	if (tok == NULL) {
		snprintf(why, whylen, "token answer has no access_token");
		json_decref(root);
		return -1;
	}
	if (st->token != NULL)
		OPENSSL_cleanse(st->token, strlen(st->token));
	free(st->token);
	st->token = strdup(tok);
	/* About 24 h; refreshed a little early so a fetch never starts
	 * with a token about to lapse. */
	ttl = json_object_get(root, "expires_in");
	if (json_is_integer(ttl) && json_integer_value(ttl) > 0)
		secs = json_integer_value(ttl);
	uoms_time_after(secs > 600 ? secs - 300 : secs / 2, expires);
	if (ctx->keep_secret != NULL)
		ctx->keep_secret(ctx, "access_token", tok, expires);
	/* The token text lives on in st->token only. */
	OPENSSL_cleanse((char *)tok, strlen(tok));
	json_decref(root);
	if (st->token == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	st->step = ST_ORDERS;
	return 0;
}

/*
 * The shop's currency, from shop.json (REST) or shop.currencyCode
 * (GraphQL; source says which for the message): the catalog's, checked
 * as ISO 4217. 0, then the orders come next, or -1 with why.
 */
static int
shop_currency(struct shopify_state *st, const char *cur, const char *source,
    char *why, size_t whylen)
{
	if (cur == NULL || uoms_currency_digits(cur) < 0) {
		snprintf(why, whylen, "the shop's currency%s '%.16s' is not an "
		    "ISO 4217 code: set the channel's currency", source,
		    cur != NULL ? cur : "");
		return -1;
	}
	snprintf(st->currency, sizeof st->currency, "%.3s", cur);
	st->step = ST_ORDERS;
	return 0;
}

/* shop.json: {"shop": {..., "currency": "USD"}}, the catalog's currency. */
static int
shopify_take_shop(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	json_t *root = uoms_map_parse(r, why, whylen);
	int rc;

	if (root == NULL)
		return -1;
	rc = shop_currency(ctx->state, jstr(json_object_get(root, "shop"),
	    "currency"), " (shop.json)", why, whylen);
	json_decref(root);
	return rc;
}

/*
 * The X-Shopify-API-Deprecated-Reason header, once a run: what of the
 * query Shopify deprecates (since 2025-04, the fields by name), so it is
 * fixed before the version goes out of support.
 *   https://shopify.dev/changelog/graphql-return-actual-deprecation-reasons
 */
static void
shopify_deprecated(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r)
{
	struct shopify_state *st = ctx->state;
	char reason[512], msg[640];

	if (st->deprecated_said || uoms_http_header(r,
	    "X-Shopify-API-Deprecated-Reason", reason, sizeof reason) < 0)
		return;
	st->deprecated_said = 1;
	for (char *p = reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	snprintf(msg, sizeof msg, "api_version %s: Shopify deprecates what "
	    "it is asked: %s", st->version, reason);
	if (ctx->warn != NULL)
		ctx->warn(ctx, msg);
}

/*
 * The numeric tail of a GID (gid://shopify/Order/123 is "123"), the id
 * the REST API gave the same object, as a new JSON string; NULL when v is
 * not such a GID.
 */
static json_t *
gql_id(json_t *v)
{
	const char *s = json_string_value(v), *tail;
	size_t n;

	if (s == NULL || strncmp(s, "gid://shopify/", 14) != 0 ||
	    (tail = strrchr(s, '/')) == NULL)
		return NULL;
	tail++;
	n = strcspn(tail, "?");
	if (n == 0 || n > 20 || strspn(tail, "0123456789") != n)
		return NULL;
	return json_stringn(tail, n);
}

/* A MoneyBag's shop money amount (a decimal string), or NULL. Borrowed. */
static json_t *
gql_money(json_t *bag)
{
	return json_object_get(json_object_get(bag, "shopMoney"), "amount");
}

/* Copies o[from], a string, into out[to], lower-cased when lower. */
static void
gql_copy(json_t *out, const char *to, json_t *o, const char *from, int lower)
{
	const char *s = json_string_value(json_object_get(o, from));
	char *d;

	if (s == NULL)
		return;		/* absent, or redacted (null) */
	if ((d = strdup(s)) == NULL)
		return;
	for (char *p = d; lower && *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	json_object_set_new(out, to, json_string(d));
	free(d);
}

/* nodes of a connection (borrowed), or NULL when it is not one. */
static json_t *
gql_nodes(json_t *conn)
{
	json_t *n = json_object_get(conn, "nodes");

	return json_is_array(n) ? n : NULL;
}

/*
 * An Order node in the shape of the REST Order resource, which
 * shopify_order maps (a new reference); NULL with why when it can't be:
 * an id that is not a GID, or (*refuse set: that order alone) more line
 * items than GQL_LINES.
 *   https://shopify.dev/docs/api/admin-graphql/latest/objects/Order
 */
static json_t *
gql_order(json_t *n, char *why, size_t whylen, int *refuse)
{
	static const struct { const char *to, *from; } addr[] = {
		{ "name", "name" }, { "first_name", "firstName" },
		{ "last_name", "lastName" }, { "address1", "address1" },
		{ "address2", "address2" }, { "city", "city" },
		{ "province", "province" }, { "country", "country" },
		{ "zip", "zip" }, { "phone", "phone" },
	};
	json_t *o, *id, *x, *lis, *sa, *list;
	const char *name, *ful;
	size_t i, k;

	*refuse = 0;
	if (!json_is_object(n) || (id = gql_id(json_object_get(n, "id"))) ==
	    NULL) {
		snprintf(why, whylen, "an order without a gid://shopify/Order "
		    "id");
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, "id", id);
	gql_copy(o, "name", n, "name", 0);
	/* The default name is "#" and the order number. */
	name = json_string_value(json_object_get(n, "name"));
	if (name != NULL && name[0] == '#' && name[1] != '\0' &&
	    strspn(name + 1, "0123456789") == strlen(name + 1))
		json_object_set_new(o, "order_number", json_string(name + 1));
	gql_copy(o, "created_at", n, "createdAt", 0);
	gql_copy(o, "updated_at", n, "updatedAt", 0);
	gql_copy(o, "cancelled_at", n, "cancelledAt", 0);
	gql_copy(o, "closed_at", n, "closedAt", 0);
	gql_copy(o, "currency", n, "currencyCode", 0);
	gql_copy(o, "financial_status", n, "displayFinancialStatus", 1);
	/* UNFULFILLED, OPEN, IN_PROGRESS, ON_HOLD ...: nothing shipped. */
	ful = json_string_value(json_object_get(n,
	    "displayFulfillmentStatus"));
	if (str_eq(ful, "FULFILLED"))
		json_object_set_new(o, "fulfillment_status",
		    json_string("fulfilled"));
	else if (str_eq(ful, "PARTIALLY_FULFILLED"))
		json_object_set_new(o, "fulfillment_status",
		    json_string("partial"));
	else if (str_eq(ful, "RESTOCKED"))
		json_object_set_new(o, "fulfillment_status",
		    json_string("restocked"));
	gql_copy(o, "phone", n, "phone", 0);
	if ((x = gql_money(json_object_get(n, "totalPriceSet"))) != NULL)
		json_object_set(o, "total_price", x);

	/* Redacted (no protected customer data access): null, left out. */
	if (json_is_object(x = json_object_get(n, "shippingAddress"))) {
		sa = json_object();
		for (i = 0; i < sizeof addr / sizeof addr[0]; i++)
			gql_copy(sa, addr[i].to, x, addr[i].from, 0);
		json_object_set_new(o, "shipping_address", sa);
	}
	if (json_is_object(x = json_object_get(n, "billingAddress"))) {
		sa = json_object();
		gql_copy(sa, "name", x, "name", 0);
		gql_copy(sa, "phone", x, "phone", 0);
		json_object_set_new(o, "billing_address", sa);
	}
	list = json_array();
	json_object_set_new(o, "fulfillments", list);
	json_array_foreach(json_object_get(n, "fulfillments"), i, x) {
		json_t *f = json_object();

		gql_copy(f, "created_at", x, "createdAt", 0);
		json_array_append_new(list, f);
	}

	x = json_object_get(n, "lineItems");
	if (json_is_true(json_object_get(json_object_get(x, "pageInfo"),
	    "hasNextPage"))) {
		snprintf(why, whylen, "order %s: more than %d line items",
		    json_string_value(json_object_get(o, "id")), GQL_LINES);
		*refuse = 1;
		json_decref(o);
		return NULL;
	}
	lis = json_array();
	json_object_set_new(o, "line_items", lis);
	list = gql_nodes(x);
	json_array_foreach(list, i, x) {
		json_t *li = json_object(), *q;

		json_array_append_new(lis, li);
		if ((id = gql_id(json_object_get(x, "id"))) != NULL)
			json_object_set_new(li, "id", id);
		gql_copy(li, "sku", x, "sku", 0);
		gql_copy(li, "name", x, "name", 0);
		gql_copy(li, "title", x, "title", 0);
		if ((q = json_object_get(x, "quantity")) != NULL)
			json_object_set(li, "quantity", q);
		if ((q = gql_money(json_object_get(x,
		    "originalUnitPriceSet"))) != NULL)
			json_object_set(li, "price", q);
	}

	list = json_array();
	json_object_set_new(o, "refunds", list);
	json_array_foreach(json_object_get(n, "refunds"), i, x) {
		json_t *rf = json_object(), *rl = json_array(), *tx = json_array();
		json_t *y;

		json_array_append_new(list, rf);
		json_object_set_new(rf, "refund_line_items", rl);
		json_object_set_new(rf, "transactions", tx);
		json_array_foreach(gql_nodes(json_object_get(x,
		    "refundLineItems")), k, y) {
			json_t *r = json_object(), *q;

			json_array_append_new(rl, r);
			if ((id = gql_id(json_object_get(json_object_get(y,
			    "lineItem"), "id"))) != NULL)
				json_object_set_new(r, "line_item_id", id);
			if ((q = json_object_get(y, "quantity")) != NULL)
				json_object_set(r, "quantity", q);
		}
		json_array_foreach(gql_nodes(json_object_get(x,
		    "transactions")), k, y) {
			json_t *t = json_object(), *bag, *q;

			json_array_append_new(tx, t);
			gql_copy(t, "kind", y, "kind", 1);
			gql_copy(t, "status", y, "status", 1);
			bag = json_object_get(y, "amountSet");
			if ((q = gql_money(bag)) != NULL)
				json_object_set(t, "amount", q);
			gql_copy(t, "currency", json_object_get(bag,
			    "shopMoney"), "currencyCode", 0);
		}
	}
	return o;
}

/*
 * A ProductVariant node as a REST product of one variant, which
 * shopify_product maps (a new reference); NULL with why.
 *   https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant
 */
static json_t *
gql_variant(json_t *n, char *why, size_t whylen)
{
	json_t *p = json_object_get(n, "product"), *out, *v, *vs, *x;

	if (!json_is_object(n) || !json_is_object(p) ||
	    (x = gql_id(json_object_get(p, "id"))) == NULL) {
		snprintf(why, whylen, "a variant without its product's "
		    "gid://shopify/Product id");
		return NULL;
	}
	out = json_object();
	json_object_set_new(out, "id", x);
	gql_copy(out, "title", p, "title", 0);
	gql_copy(out, "product_type", p, "productType", 0);
	gql_copy(out, "status", p, "status", 1);
	v = json_object();
	if ((x = gql_id(json_object_get(n, "id"))) != NULL)
		json_object_set_new(v, "id", x);
	gql_copy(v, "title", n, "title", 0);
	gql_copy(v, "sku", n, "sku", 0);
	if ((x = json_object_get(n, "price")) != NULL)
		json_object_set(v, "price", x);
	if ((x = json_object_get(n, "inventoryQuantity")) != NULL)
		json_object_set(v, "inventory_quantity", x);
	vs = json_array();
	json_array_append_new(vs, v);
	json_object_set_new(out, "variants", vs);
	return out;
}

static const char gql_orders_query[] =
    "query ($first: Int!, $after: String, $query: String) {"
    " orders(first: $first, after: $after, sortKey: UPDATED_AT,"
    " query: $query) {"
    " pageInfo { hasNextPage endCursor }"
    " nodes { id name createdAt updatedAt cancelledAt closedAt"
    " currencyCode displayFinancialStatus displayFulfillmentStatus phone"
    " totalPriceSet { shopMoney { amount currencyCode } }"
    " shippingAddress { name firstName lastName address1 address2 city"
    " province country zip phone }"
    " billingAddress { name phone }"
    " fulfillments { createdAt }"
    " lineItems(first: 100) { pageInfo { hasNextPage }"
    " nodes { id sku name title quantity"
    " originalUnitPriceSet { shopMoney { amount currencyCode } } } }"
    " refunds { refundLineItems(first: 100) { nodes { lineItem { id }"
    " quantity } }"
    " transactions(first: 20) { nodes { kind status"
    " amountSet { shopMoney { amount currencyCode } } } } } } } }";

static const char gql_variants_query[] =
    "query ($first: Int!, $after: String, $query: String) {"
    " productVariants(first: $first, after: $after, query: $query) {"
    " pageInfo { hasNextPage endCursor }"
    " nodes { id title sku price inventoryQuantity updatedAt"
    " product { id title productType status } } } }";

static const char gql_shop_query[] = "query { shop { currencyCode } }";

/*
 * req: a POST of the GraphQL body text to the Admin API, fetch and push
 * alike. A THROTTLED answer is the same request again, after the wait its
 * cost says (gql_cost).
 */
static void
gql_post(struct shopify_state *st, struct uoms_http_req *req,
    const char *text, const char *token)
{
	snprintf(req->method, sizeof req->method, "POST");
	uoms_buf_printf(&req->url, "%s/admin/api/%s/graphql.json", st->base,
	    st->version);
	uoms_buf_str(&req->body, text);
	uoms_http_req_header(req, 1, "X-Shopify-Access-Token: %s", token);
	uoms_http_req_header(req, 0, "Content-Type: application/json");
	uoms_http_req_header(req, 0, "Accept: application/json");
	req->wait = st->wait;
	req->again = st->throttled > 0;
	st->wait = 0;
}

/* The next GraphQL request: the shop's currency, or the next page. */
static enum uoms_kind_step
gql_request(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char *token, char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	json_t *body, *vars;
	char *text;

	body = json_object();
	if (ctx->products && st->currency[0] == '\0') {
		json_object_set_new(body, "query", json_string(gql_shop_query));
		st->step = ST_SHOP;
	} else {
		vars = json_object();
		json_object_set_new(vars, "first", json_integer(st->limit));
		json_object_set_new(vars, "after", st->after != NULL ?
		    json_string(st->after) : json_null());
		if (ctx->since != NULL && *ctx->since != '\0') {
			struct uoms_buf q = { 0 };

			/* Shopify's search syntax; the time is ours
			 * (RFC 3339), nothing to escape in it. */
			uoms_buf_printf(&q, "updated_at:>='%s'", ctx->since);
			json_object_set_new(vars, "query", json_string(q.p));
			uoms_buf_free(&q);
		} else {
			json_object_set_new(vars, "query", json_null());
		}
		json_object_set_new(body, "query", json_string(ctx->products ?
		    gql_variants_query : gql_orders_query));
		json_object_set_new(body, "variables", vars);
		st->step = st->after != NULL ? ST_NEXT : ST_FIRST;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL) {
		snprintf(why, whylen, "out of memory");
		return UOMS_KIND_FAIL;
	}
	gql_post(st, req, text, token);
	free(text);
	return UOMS_KIND_REQUEST;
}

/*
 * Reads extensions.cost: the seconds to wait before a query of cost
 * requested, given what the bucket has and how fast it fills, bounded;
 * 0 when it has enough or the answer says nothing of it.
 */
static double
gql_cost(struct shopify_state *st, json_t *root, int throttled)
{
	json_t *cost = json_object_get(json_object_get(root, "extensions"),
	    "cost");
	json_t *ts = json_object_get(cost, "throttleStatus");
	json_t *req = json_object_get(cost, "requestedQueryCost");
	json_t *avail = json_object_get(ts, "currentlyAvailable");
	json_t *rate = json_object_get(ts, "restoreRate");
	double w;

	if (json_is_number(req))
		st->cost = json_number_value(req);
	if (!json_is_number(avail) || !json_is_number(rate) ||
	    json_number_value(rate) <= 0)
		return throttled ? 1.0 : 0;	/* never at once again */
	if (json_number_value(avail) >= st->cost)
		return throttled ? 1.0 : 0;
	w = (st->cost - json_number_value(avail)) / json_number_value(rate);
	return w > GQL_WAIT_MAX ? GQL_WAIT_MAX : w;
}

/* A GraphQL answer: errors (THROTTLED waited out), the shop, or a page. */
static int
gql_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	json_t *root, *errors, *e, *data, *conn, *nodes, *pi, *recs, *n;
	const char *cursor = NULL;
	size_t i;

	if ((root = uoms_map_parse(r, why, whylen)) == NULL)
		return -1;
	errors = json_object_get(root, "errors");
	if (json_array_size(errors) > 0) {
		json_array_foreach(errors, i, e)
			if (str_eq(json_string_value(json_object_get(
			    json_object_get(e, "extensions"), "code")),
			    "THROTTLED"))
				break;
		if (i < json_array_size(errors)) {
			st->wait = gql_cost(st, root, 1);
			json_decref(root);
			if (++st->throttled > GQL_THROTTLED_MAX) {
				snprintf(why, whylen, "throttled %d times in a "
				    "row (query cost %.0f)", st->throttled,
				    st->cost);
				return -1;
			}
			return 0;	/* the same request again, later */
		}
		snprintf(why, whylen, "GraphQL error: %.300s",
		    json_string_value(json_object_get(json_array_get(errors, 0),
		    "message")) ? json_string_value(json_object_get(
		    json_array_get(errors, 0), "message")) : "(no message)");
		json_decref(root);
		return -1;
	}
	st->throttled = 0;
	st->wait = gql_cost(st, root, 0);
	data = json_object_get(root, "data");
	if (st->step == ST_SHOP) {
		int rc = shop_currency(st, jstr(json_object_get(data, "shop"),
		    "currencyCode"), "", why, whylen);

		json_decref(root);
		return rc;
	}
	conn = json_object_get(data, ctx->products ? "productVariants" :
	    "orders");
	pi = json_object_get(conn, "pageInfo");
	if ((nodes = gql_nodes(conn)) == NULL || !json_is_object(pi)) {
		snprintf(why, whylen, "answer has no %s nodes and pageInfo",
		    ctx->products ? "productVariants" : "orders");
		json_decref(root);
		return -1;
	}
	if (json_is_true(json_object_get(pi, "hasNextPage")) &&
	    (cursor = jstr(pi, "endCursor")) == NULL) {
		snprintf(why, whylen, "a next page without an endCursor");
		json_decref(root);
		return -1;
	}
	/* Mapped whole before anything is emitted. */
	recs = json_array();
	json_array_foreach(nodes, i, n) {
		json_t *o, *rec;
		int refuse = 0, rc;

		if (ctx->products) {
			if ((o = gql_variant(n, why, whylen)) == NULL)
				goto fail;
			rc = shopify_product(ctx, o, recs, why, whylen);
			json_decref(o);
			if (rc < 0)
				goto fail;
			continue;
		}
		if ((o = gql_order(n, why, whylen, &refuse)) == NULL) {
			if (refuse && uoms_kind_refuse(ctx, why) == 0)
				continue;	/* that order alone */
			goto fail;
		}
		rec = shopify_order(ctx, o, why, whylen, &refuse);
		json_decref(o);
		if (rec != NULL) {
			json_array_append_new(recs, rec);
			continue;
		}
		if (refuse && uoms_kind_refuse(ctx, why) == 0)
			continue;
		goto fail;
	}
	json_array_foreach(recs, i, n)
		ctx->emit(ctx, n);
	json_decref(recs);
	st->pages++;
	free(st->after);
	st->after = NULL;
	if (cursor == NULL) {
		st->step = ST_DONE;
	} else if ((st->after = strdup(cursor)) == NULL) {
		snprintf(why, whylen, "out of memory");
		json_decref(root);
		return -1;
	} else {
		st->step = ST_NEXT;
	}
	json_decref(root);
	return 0;
fail:
	json_decref(recs);
	json_decref(root);
	return -1;
}

static int
shopify_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	char link[4096], cursor[1024];
	const char *what = ctx->products ? "products" : "orders";
	json_t *root, *orders, *o, *recs;
	size_t i;

	if (st == NULL) {
		snprintf(why, whylen, "an answer before any request");
		return -1;
	}
	if (st->step == ST_TOKEN)
		return shopify_take_token(ctx, r, why, whylen);
	shopify_deprecated(ctx, r);
	if (!st->rest)
		return gql_take(ctx, r, why, whylen);
	if (st->step == ST_SHOP)
		return shopify_take_shop(ctx, r, why, whylen);

	if ((root = uoms_map_parse(r, why, whylen)) == NULL)
		return -1;
	orders = json_object_get(root, what);
	if (!json_is_array(orders)) {
		snprintf(why, whylen, "answer has no %s array", what);
		json_decref(root);
		return -1;
	}
	/* Check the cursor before emitting: a page is taken whole or not. */
	cursor[0] = '\0';
	if (uoms_http_header(r, "Link", link, sizeof link) == 0 &&
	    shopify_link_next(link, cursor, sizeof cursor) < 0) {
		snprintf(why, whylen, "Link header has no usable page_info: "
		    "'%.200s'", link);
		json_decref(root);
		return -1;
	}
	/* Mapped whole before anything is emitted. */
	recs = json_array();
	json_array_foreach(orders, i, o) {
		json_t *rec;

		int refuse = 0;

		if (ctx->products) {
			if (shopify_product(ctx, o, recs, why, whylen) == 0)
				continue;
		} else if ((rec = shopify_order(ctx, o, why, whylen,
		    &refuse)) != NULL) {
			json_array_append_new(recs, rec);
			continue;
		} else if (refuse && uoms_kind_refuse(ctx, why) == 0) {
			continue;	/* that order alone */
		}
		json_decref(recs);
		json_decref(root);
		return -1;
	}
	json_array_foreach(recs, i, o)
		ctx->emit(ctx, o);
	json_decref(recs);
	json_decref(root);
	st->pages++;
	free(st->page_info);
	st->page_info = NULL;
	if (cursor[0] == '\0') {
		st->step = ST_DONE;
		return 0;
	}
	if ((st->page_info = strdup(cursor)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	st->step = ST_NEXT;
	return 0;
}

/*
 * Push (uoms-push): Shopify takes no acknowledgement of an order; a
 * shipment is a fulfillment, with its tracking info, of the order's
 * fulfillment orders that can still be fulfilled. Two requests: the
 * order's fulfillment orders, then fulfillmentCreate on those whose
 * status is OPEN or IN_PROGRESS (the others are closed, cancelled, on
 * hold, scheduled or incomplete: no fulfillment can be made of them).
 *   https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentOrder
 *   https://shopify.dev/docs/api/admin-graphql/latest/enums/FulfillmentOrderStatus
 *   https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
 *   https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentInput
 * fulfillmentCreateV2 is deprecated since 2024-10 for fulfillmentCreate,
 * which takes the same input (FulfillmentInput):
 *   https://shopify.dev/changelog/removing-v2-suffix-from-fulfillmentcreatev2-and-fulfillmenttrackinginfoupdatev2
 * The query's requested cost is 1 (the order) + 2 + 10 x (1 + 2 + 50) =
 * 533 points, under the 1000 a single query may ask (rate-limits page
 * above); 50 x 250 would ask more than 12 000 and be refused.
 */
static const char gql_fo_query[] =
    "query FulfillmentOrders($id: ID!) { order(id: $id) { id "
    "fulfillmentOrders(first: 10) { nodes { id status "
    "lineItems(first: 50) { nodes { id remainingQuantity } } } } } }";

static const char gql_fulfill_mutation[] =
    "mutation fulfillmentCreate($fulfillment: FulfillmentInput!, "
    "$message: String) { fulfillmentCreate(fulfillment: $fulfillment, "
    "message: $message) { fulfillment { id status trackingInfo { company "
    "number } } userErrors { field message } } }";

/* A GraphQL request of query with vars (stolen); 0, or -1 with why. */
static int
push_request(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char *token, const char *query, json_t *vars, char *why,
    size_t whylen)
{
	struct shopify_state *st = ctx->state;
	json_t *body = json_pack("{s:s, s:o}", "query", query, "variables",
	    vars);
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;

	json_decref(body);
	if (text == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	gql_post(st, req, text, token);
	free(text);
	return 0;
}

/* The carrier's name for Shopify (carriers.tsv), or NULL with why. */
static const char *
push_company(const char *carrier, char *why, size_t whylen)
{
	const char *company;
	char cwhy[300];

	if (carrier == NULL || *carrier == '\0') {
		snprintf(why, whylen, "no shipment.carrier: not sent");
		return NULL;
	}
	if ((company = uoms_carrier_code(carrier, "shopify")) != NULL)
		return company;
	if (!uoms_carrier_known(carrier, strlen(carrier), cwhy, sizeof cwhy))
		snprintf(why, whylen, "%s: not sent", cwhy);
	else
		snprintf(why, whylen, "carrier '%.64s' has no shopify name in "
		    "carriers.tsv: not sent", carrier);
	return NULL;
}

static int
shopify_push(struct uoms_fetch_ctx *ctx, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	struct shopify_state *st = ctx->state;
	const char *token, *company, *ext = it->external_order_id;
	size_t n = ext != NULL ? strlen(ext) : 0;
	char gid[64];
	json_t *vars;

	(void)answer;
	if (st == NULL) {
		if (shopify_init(ctx, why, whylen) < 0)
			return -1;
		st = ctx->state;
	}
	if (strcmp(it->push, "ship") != 0) {
		snprintf(why, whylen, "Shopify takes no %s, only shipments",
		    it->push);
		return -1;
	}
	if (n == 0 || n > 20 || strspn(ext, "0123456789") != n) {
		snprintf(why, whylen, "external_order_id '%.64s' is not a "
		    "Shopify order id: not sent", ext != NULL ? ext : "");
		return -1;
	}
	if (it->tracking_number == NULL || *it->tracking_number == '\0') {
		snprintf(why, whylen, "no shipment.tracking_number: not sent");
		return -1;
	}
	if ((company = push_company(it->carrier, why, whylen)) == NULL)
		return -1;
	switch (shopify_token(ctx, req, &token, why, whylen)) {
	case -1:
		return -1;
	case 0:
		st->pstep = PS_TOKEN;
		return 0;
	}
	if (st->fulfill == NULL) {
		snprintf(gid, sizeof gid, "gid://shopify/Order/%s", ext);
		vars = json_pack("{s:s}", "id", gid);
		st->pstep = PS_ORDERS;
		return push_request(ctx, req, token, gql_fo_query, vars, why,
		    whylen);
	}
	vars = json_pack("{s:{s:O, s:{s:s, s:s}, s:b}}", "fulfillment",
	    "lineItemsByFulfillmentOrder", st->fulfill, "trackingInfo",
	    "company", company, "number", it->tracking_number,
	    "notifyCustomer", 1);
	st->pstep = PS_CREATE;
	return push_request(ctx, req, token, gql_fulfill_mutation, vars, why,
	    whylen);
}

/* j as compact JSON text into answer (or null). */
static void
push_answer(struct uoms_buf *answer, json_t *j)
{
	char *t = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_PRESERVE_ORDER) : NULL;

	uoms_buf_str(answer, t != NULL ? t : "null");
	free(t);
}

/*
 * The fulfillment orders that can be fulfilled, as lineItemsByFulfillment
 * Order entries ({"fulfillmentOrderId": ...}, all their items), into
 * st->fulfill: UOMS_PUSHED_MORE; 0 with why when there is none, or when
 * one with items left can't be fulfilled now (ON_HOLD, SCHEDULED,
 * INCOMPLETE): the shipment would be half sent.
 */
static int
push_take_orders(struct shopify_state *st, json_t *data,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	json_t *order = json_object_get(data, "order"), *nodes, *fo, *li;
	json_t *seen = json_array();
	const char *held = NULL, *held_status = NULL;
	size_t i, k;

	if (!json_is_object(order)) {
		json_decref(seen);
		snprintf(why, whylen, "no such order on Shopify");
		uoms_buf_str(answer, "null");
		return 0;
	}
	nodes = gql_nodes(json_object_get(order, "fulfillmentOrders"));
	json_decref(st->fulfill);
	st->fulfill = json_array();
	json_array_foreach(nodes, i, fo) {
		const char *status = jstr(fo, "status"), *id = jstr(fo, "id");
		json_t *items = gql_nodes(json_object_get(fo, "lineItems"));
		int left = json_array_size(items) == 0;

		json_array_append_new(seen, json_pack("{s:s?, s:s?}", "id", id,
		    "status", status));
		json_array_foreach(items, k, li)
			left |= json_integer_value(json_object_get(li,
			    "remainingQuantity")) > 0;
		if (id != NULL && left && (str_eq(status, "OPEN") ||
		    str_eq(status, "IN_PROGRESS")))
			json_array_append_new(st->fulfill, json_pack("{s:s}",
			    "fulfillmentOrderId", id));
		else if (left && held == NULL && !str_eq(status, "CLOSED") &&
		    !str_eq(status, "CANCELLED")) {
			held = id != NULL ? id : "?";
			held_status = status != NULL ? status : "?";
		}
	}
	if (held != NULL) {
		snprintf(why, whylen, "fulfillment order %.100s is %.32s on "
		    "Shopify: not all of the order can be fulfilled now",
		    held, held_status);
		push_answer(answer, seen);
		json_decref(seen);
		json_decref(st->fulfill);
		st->fulfill = NULL;
		return 0;
	}
	if (json_array_size(st->fulfill) == 0) {
		snprintf(why, whylen, "no open fulfillment order: fulfilled or "
		    "closed on Shopify");
		push_answer(answer, seen);
		json_decref(seen);
		json_decref(st->fulfill);
		st->fulfill = NULL;
		return 0;
	}
	json_decref(seen);
	return UOMS_PUSHED_MORE;
}

/* fulfillmentCreate's payload: accepted, or its userErrors refused. */
static int
push_take_create(json_t *data, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	json_t *p = json_object_get(data, "fulfillmentCreate");
	json_t *ue = json_object_get(p, "userErrors"), *e, *f;
	size_t i, n = 0;

	if (json_array_size(ue) > 0) {
		/* "field: message; ..." as Shopify words them. */
		json_array_foreach(ue, i, e) {
			json_t *field = json_object_get(e, "field");
			const char *m = json_string_value(json_object_get(e,
			    "message"));
			const char *last = json_string_value(json_array_get(
			    field, json_array_size(field) - 1));

			if (n + 1 < whylen)
				n += snprintf(why + n, whylen - n, "%s%s%s%s",
				    i > 0 ? "; " : "", last != NULL ? last : "",
				    last != NULL ? ": " : "", m != NULL ? m :
				    "(no message)");
		}
		push_answer(answer, ue);
		return 0;
	}
	if (!json_is_object(f = json_object_get(p, "fulfillment")))
		return -1;	/* no word either way: left in doubt */
	push_answer(answer, f);
	return 1;
}

static int
shopify_pushed(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	struct shopify_state *st = ctx->state;
	json_t *root, *errors, *e, *data;
	const char *code = NULL, *m;
	enum push_step was;
	size_t i;
	int rc;

	if (st == NULL || r->status == 429 || r->status >= 500)
		return -1;	/* the engine's: retries */
	was = st->pstep;
	if (r->status < 200 || r->status > 299) {
		/* A token refused (401, 403: nothing was run, so refused
		 * rather than left in doubt as the engine would), a 400 or
		 * a 404 (a version not served): nothing was done. */
		json_t *j = json_loadb(r->body, r->len, 0, NULL);
		json_t *err = json_object_get(j, "errors");

		int auth = r->status == 401 || r->status == 403;

		snprintf(why, whylen, "%sHTTP %ld%s%s%.200s", auth ?
		    "authentication failed (" : "", r->status, auth ? ")" : "",
		    json_is_string(err) ? ": " : "", json_is_string(err) ?
		    json_string_value(err) : "");
		push_answer(answer, err);
		json_decref(j);
		return 0;
	}
	if (was == PS_TOKEN) {
		if (shopify_take_token(ctx, r, why, whylen) < 0) {
			uoms_buf_str(answer, "null");
			return 0;	/* only the token was asked */
		}
		st->pstep = PS_START;
		return UOMS_PUSHED_MORE;
	}
	shopify_deprecated(ctx, r);
	if ((root = uoms_map_parse(r, why, whylen)) == NULL) {
		if (was == PS_CREATE)
			return -1;	/* it may have run: in doubt */
		uoms_buf_str(answer, "null");
		return 0;
	}
	errors = json_object_get(root, "errors");
	json_array_foreach(errors, i, e)
		if ((code = json_string_value(json_object_get(json_object_get(e,
		    "extensions"), "code"))) != NULL && strcmp(code,
		    "THROTTLED") == 0)
			break;
	if (i < json_array_size(errors)) {
		/* Not run at all: asked again once the bucket holds it. */
		st->wait = gql_cost(st, root, 1);
		json_decref(root);
		if (++st->throttled > GQL_THROTTLED_MAX) {
			snprintf(why, whylen, "throttled %d times in a row "
			    "(query cost %.0f): not sent", st->throttled,
			    st->cost);
			uoms_buf_str(answer, "null");
			return 0;
		}
		return UOMS_PUSHED_MORE;
	}
	if (json_array_size(errors) > 0) {
		e = json_array_get(errors, 0);
		code = json_string_value(json_object_get(json_object_get(e,
		    "extensions"), "code"));
		m = json_string_value(json_object_get(e, "message"));
		snprintf(why, whylen, "GraphQL error: %.300s",
		    m != NULL ? m : "(no message)");
		push_answer(answer, errors);
		/* Shopify's own failure may have come after the mutation
		 * ran; any other error means it did not run. */
		rc = was == PS_CREATE && str_eq(code,
		    "INTERNAL_SERVER_ERROR") ? -1 : 0;
		json_decref(root);
		return rc;
	}
	st->throttled = 0;
	st->wait = gql_cost(st, root, 0);
	data = json_object_get(root, "data");
	rc = was == PS_ORDERS ? push_take_orders(st, data, answer, why,
	    whylen) : push_take_create(data, answer, why, whylen);
	json_decref(root);
	return rc;
}

/* Shopify has no acknowledgement of an order: only shipments go. */
static int
shopify_wants_ack(const struct uoms_channel *c)
{
	(void)c;
	return 0;
}

static void
shopify_done(struct uoms_fetch_ctx *ctx)
{
	struct shopify_state *st = ctx->state;

	if (st == NULL)
		return;
	if (st->token != NULL) {
		OPENSSL_cleanse(st->token, strlen(st->token));
		free(st->token);
	}
	free(st->page_info);
	free(st->after);
	json_decref(st->fulfill);
	free(st);
	ctx->state = NULL;
}

/*
 * A webhook's order (orders/create, orders/updated, orders/cancelled,
 * orders/paid, orders/fulfilled, orders/partially_fulfilled): the REST
 * Order resource, as Shopify's webhook reference shows its payload:
 *   https://shopify.dev/docs/api/webhooks (the orders topics)
 *   https://shopify.dev/docs/api/admin-rest/2024-10/resources/order
 * The fetch reads the same order over GraphQL, which gql_order puts in
 * this shape with fewer members; only those are kept here, taken as
 * gql_order takes them (the order number from the name, the three
 * fulfillment statuses, lower-case enums, the address parts), so a
 * delivery and a later fetch of the order map to the same record and the
 * fetch changes nothing. A member the payload has and GraphQL does not
 * (customer.phone, order_number of a shop's own name format) would
 * otherwise come and go between the two.
 */
static json_t *
shopify_hook_order(const struct uoms_channel *c, json_t *rest, char *why,
    size_t whylen)
{
	static const char *const top[] = { "name", "created_at", "updated_at",
	    "cancelled_at", "closed_at", "currency", "phone" };
	static const char *const addr[] = { "name", "first_name", "last_name",
	    "address1", "address2", "city", "province", "country", "zip",
	    "phone" };
	struct uoms_fetch_ctx ctx = { .channel = c };
	json_t *o, *x, *y, *list, *sub, *rec;
	const char *name, *ful;
	size_t i, k;
	int refuse;

	if (!json_is_object(rest) || (x = json_object_get(rest, "id")) ==
	    NULL) {
		snprintf(why, whylen, "the payload is not an order with an id");
		return NULL;
	}
	o = json_object();
	json_object_set(o, "id", x);
	for (i = 0; i < sizeof top / sizeof top[0]; i++)
		gql_copy(o, top[i], rest, top[i], 0);
	name = json_string_value(json_object_get(rest, "name"));
	if (name != NULL && name[0] == '#' && name[1] != '\0' &&
	    strspn(name + 1, "0123456789") == strlen(name + 1))
		json_object_set_new(o, "order_number", json_string(name + 1));
	gql_copy(o, "financial_status", rest, "financial_status", 1);
	ful = json_string_value(json_object_get(rest, "fulfillment_status"));
	if (str_eq(ful, "fulfilled") || str_eq(ful, "partial") ||
	    str_eq(ful, "restocked"))
		json_object_set_new(o, "fulfillment_status", json_string(ful));
	if ((x = json_object_get(rest, "total_price")) != NULL &&
	    !json_is_null(x))
		json_object_set(o, "total_price", x);
	if (json_is_object(x = json_object_get(rest, "shipping_address"))) {
		sub = json_object();
		for (i = 0; i < sizeof addr / sizeof addr[0]; i++)
			gql_copy(sub, addr[i], x, addr[i], 0);
		json_object_set_new(o, "shipping_address", sub);
	}
	if (json_is_object(x = json_object_get(rest, "billing_address"))) {
		sub = json_object();
		gql_copy(sub, "name", x, "name", 0);
		gql_copy(sub, "phone", x, "phone", 0);
		json_object_set_new(o, "billing_address", sub);
	}
	list = json_array();
	json_object_set_new(o, "fulfillments", list);
	json_array_foreach(json_object_get(rest, "fulfillments"), i, x) {
		sub = json_object();
		gql_copy(sub, "created_at", x, "created_at", 0);
		json_array_append_new(list, sub);
	}
	list = json_array();
	json_object_set_new(o, "line_items", list);
	json_array_foreach(json_object_get(rest, "line_items"), i, x) {
		sub = json_object();
		json_array_append_new(list, sub);
		if ((y = json_object_get(x, "id")) != NULL && !json_is_null(y))
			json_object_set(sub, "id", y);
		gql_copy(sub, "sku", x, "sku", 0);
		gql_copy(sub, "name", x, "name", 0);
		gql_copy(sub, "title", x, "title", 0);
		if ((y = json_object_get(x, "quantity")) != NULL)
			json_object_set(sub, "quantity", y);
		if ((y = json_object_get(x, "price")) != NULL &&
		    !json_is_null(y))
			json_object_set(sub, "price", y);
	}
	list = json_array();
	json_object_set_new(o, "refunds", list);
	json_array_foreach(json_object_get(rest, "refunds"), i, x) {
		json_t *rl = json_array(), *tx = json_array(), *z;

		sub = json_object();
		json_array_append_new(list, sub);
		json_object_set_new(sub, "refund_line_items", rl);
		json_object_set_new(sub, "transactions", tx);
		json_array_foreach(json_object_get(x, "refund_line_items"), k,
		    y) {
			json_t *r = json_object();

			json_array_append_new(rl, r);
			if ((z = json_object_get(y, "line_item_id")) != NULL &&
			    !json_is_null(z))
				json_object_set(r, "line_item_id", z);
			if ((z = json_object_get(y, "quantity")) != NULL)
				json_object_set(r, "quantity", z);
		}
		json_array_foreach(json_object_get(x, "transactions"), k, y) {
			json_t *t = json_object();

			json_array_append_new(tx, t);
			gql_copy(t, "kind", y, "kind", 1);
			gql_copy(t, "status", y, "status", 1);
			if ((z = json_object_get(y, "amount")) != NULL &&
			    !json_is_null(z))
				json_object_set(t, "amount", z);
			gql_copy(t, "currency", y, "currency", 0);
		}
	}
	rec = shopify_order(&ctx, o, why, whylen, &refuse);
	json_decref(o);
	return rec;
}

/* GraphQL is paced by its query cost (gql_cost); 2 requests/s more is
 * what REST's standard plans leak from a bucket of 40, kept for both. */
const struct uoms_kind uoms_kind_shopify = {
	.name = "shopify",
	.next = shopify_next,
	.take = shopify_take,
	.done = shopify_done,
	.max_rate = 2.0,
	.push = shopify_push,
	.pushed = shopify_pushed,
	.wants_ack = shopify_wants_ack,
	.hook_order = shopify_hook_order,
};
