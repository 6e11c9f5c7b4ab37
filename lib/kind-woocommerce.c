/*
 * kind woocommerce: orders from the WooCommerce REST API v3 (SPEC 7), as
 * its public docs describe it:
 *
 *   orders:  https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders
 *   products: https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-products
 *            https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties
 *   paging:  https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination
 *   auth:    https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https
 *            https://developer.woocommerce.com/docs/apis/rest-api/authentication/
 *            https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http
 *   lines:   https://woocommerce.github.io/woocommerce-rest-api-docs/#order-line-items-properties
 *
 * GET {base}/wp-json/wc/v3/orders?modified_after=SINCE&dates_are_gmt=true&
 * per_page=100&page=N&orderby=modified&order=asc, with the consumer key and
 * secret as HTTP basic auth over HTTPS, the only place WooCommerce takes
 * it; over plain HTTP signed with OAuth 1.0a in the query string
 * (lib/oauth1, see woo_init_auth); pages until X-WP-TotalPages.
 * Oldest change first, so a fetch cut short leaves the store's
 * high-water mark where the next run must resume.
 * The default status "any" leaves out trashed orders, so a second pass
 * asks for status=trash (last: the trash is small, and the orders that
 * matter come first).
 * Money values are decimal strings; date_*_gmt fields are UTC written
 * without an offset.
 *
 * The catalog (--products): GET {base}/wp-json/wc/v3/products?
 * modified_after=SINCE&dates_are_gmt=true&per_page=100&page=N&orderby=id&
 * order=asc (no trash pass), one product line per product with a SKU
 * (sku is the store's key; the others are skipped and counted in
 * skipped_no_sku): name, category = categories[0].name, price = price (a
 * decimal string, "" when there is none) in minor units of the store's
 * currency, which a product does not carry. stock = stock_quantity
 * (null when stock is not managed: left out). cost only from meta_data
 * "_wc_cog_cost" (the Cost of Goods extension), "_cost" or "cost"; else
 * left out. Variations (/products/ID/variations) are not fetched: a
 * variable product is one line at its parent's SKU and price.
 *
 * Currency, never assumed: an order's amounts are in its own currency
 * (every order carries one); the catalog's, and an order's without one,
 * in the store's: the channel setting "currency" when it is set, else
 * woocommerce_currency of GET {base}/wp-json/wc/v3/settings/general,
 * asked once, only when needed (before the first catalog page; for
 * orders, when a page has an order without one: that page waits for it).
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#retrieve-all-settings-options
 * Every amount goes through lib/currency: a code outside ISO 4217 refuses
 * that order alone (ctx->refuse).
 *
 * A line's unit price is its total (after coupons) over its quantity,
 * exact remainder kept as line_total (woo_unit_price).
 *
 * Refunds: an order's refunds[] ({id, reason, total}, total a negative
 * decimal string) add up to refunded_amount: all of it beyond the
 * cancelled units (uoms(7)), since no unit is cancelled here.
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#order-refunds-properties
 * The quantities refunded are only in GET .../orders/{id}/refunds, one
 * request per order, and not read yet: cancelled_quantity is left out.
 *
 * Push (uoms-push): no acknowledgement (a paid order is processing
 * already: nothing to confirm). A shipment is three requests (woo_push),
 * authenticated as the fetch's are:
 *   GET  {base}/wp-json/wc/v3/orders/{id}         the shop's status now
 *   POST {base}/wp-json/wc/v3/orders/{id}/notes   {"note":"Shipped with
 *        CARRIER, tracking number N","customer_note":true}
 *   PUT  {base}/wp-json/wc/v3/orders/{id}         {"status":"completed"}
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#retrieve-an-order
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#create-an-order-note
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#update-an-order
 * WooCommerce has no carrier or tracking field: the customer note carries
 * them (WooCommerce emails a customer note to the customer). The order is
 * read first because WooCommerce lets any status be set: completing an
 * order the shop cancelled or refunded meanwhile would undo that, so such
 * an order is refused before anything is written; one completed already
 * gets the note alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "carrier.h"
#include "currency.h"
#include "kind.h"
#include "map.h"
#include "oauth1.h"
#include "order.h"
#include "rfc3339.h"


#define WOO_MAX_PER_PAGE 100

/*
 * The order statuses WooCommerce ships, and the state each workflow gives
 * them. NULL (and any status a plugin adds): the status is left out and
 * the store keeps what it has; channel_status still says it.
 * "refunded" is an order given back: before it was completed it never
 * left (CANCEL, cancelled); after date_completed it came back (ISSUE,
 * returned) - see woo_state.
 */
static const struct {
	const char *status;
	const char *dispatch, *fulfillment, *food;
} woo_states[] = {
	{ "pending", "WAITING", "created", "pending_payment" },
	{ "on-hold", "WAITING", "created", "pending_payment" },
	/* A failed payment can still be paid again: not terminal. */
	{ "failed", "WAITING", "created", "pending_payment" },
	{ "processing", "WAITING", "paid", "pending_acceptance" },
	{ "completed", "COMPLETE", "delivered", "delivered" },
	{ "cancelled", "CANCEL", "cancelled", "cancelled" },
	{ "refunded", "CANCEL", "cancelled", "cancelled" },
	{ "refunded+completed", "ISSUE", "returned", NULL },
	{ "trash", "CANCEL", "cancelled", "cancelled" },
};

struct woo_state {
	char base[512];		/* no trailing '/' */
	int per_page;
	int page;		/* the page to ask for next, from 1 */
	int trash;		/* the second pass: status=trash */
	int done;
	char currency[4];	/* the store's: setting, or settings/general */
	int want_store;		/* the next request is settings/general */
	int store_asked;	/* it was answered (once a fetch) */
	json_t *pending;	/* a page waiting for the store's currency */
	int pending_last;	/* it was the last page of its pass */
	long skipped_no_sku;	/* catalog products without a SKU */
	int oauth;		/* sign (OAuth 1.0a), not basic auth */
	enum uoms_oauth1_method method;
	struct uoms_buf plain;	/* the last request's URL, unsigned */
	/* A push (woo_push): the requests answered so far, what the shop
	 * said (kept for the answer), and whether it had the order
	 * completed before. */
	int push_step;
	json_t *push_note;
	json_t *push_order;	/* the order as the shop had it */
	int push_completed;
};

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

static const char *
woo_state(const char *workflow, const char *status, int completed)
{
	char key[64];

	if (status == NULL)
		return NULL;
	snprintf(key, sizeof key, "%s%s", status, strcmp(status, "refunded")
	    == 0 && completed ? "+completed" : "");
	for (size_t i = 0; i < sizeof woo_states / sizeof woo_states[0]; i++) {
		if (strcmp(woo_states[i].status, key) != 0)
			continue;
		if (strcmp(workflow, "dispatch") == 0)
			return woo_states[i].dispatch;
		if (strcmp(workflow, "fulfillment") == 0)
			return woo_states[i].fulfillment;
		if (strcmp(workflow, "food-delivery") == 0)
			return woo_states[i].food;
		return NULL;
	}
	return NULL;
}

/*
 * How requests prove who sends them: the setting "auth", else by the
 * base URL's scheme, as WooCommerce takes them - basic auth over https,
 * OAuth 1.0a signatures over plain http (basic auth there would send the
 * secret in clear; WooCommerce does not even look at it):
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http
 * basic over http is refused except to this machine (uoms_map_base_ok).
 */
static int
woo_init_auth(const struct uoms_channel *c, struct woo_state *st, char *why,
    size_t whylen)
{
	char buf[32];
	int https = strncasecmp(c->base_url, "https://", 8) == 0;
	int m;

	st->oauth = !https;
	if (uoms_map_setting(c, "auth", buf, sizeof buf) == 0) {
		if (strcmp(buf, "basic") != 0 && strcmp(buf, "oauth1") != 0) {
			snprintf(why, whylen, "setting auth '%.32s' is not "
			    "basic or oauth1", buf);
			return -1;
		}
		st->oauth = strcmp(buf, "oauth1") == 0;
	}
	if (!st->oauth && uoms_map_base_ok(c->base_url, why, whylen) < 0)
		return -1;
	if (st->oauth && !https && (strncasecmp(c->base_url, "http://", 7) !=
	    0 || c->base_url[7] == '\0')) {
		snprintf(why, whylen, "base URL '%.100s' is not http:// or "
		    "https://", c->base_url);
		return -1;
	}
	st->method = UOMS_OAUTH1_HMAC_SHA256;
	if (uoms_map_setting(c, "signature_method", buf, sizeof buf) == 0) {
		if ((m = uoms_oauth1_method_find(buf)) < 0) {
			snprintf(why, whylen, "setting signature_method "
			    "'%.32s' is not HMAC-SHA256 or HMAC-SHA1", buf);
			return -1;
		}
		st->method = m;
	}
	return 0;
}

static int
woo_init(struct uoms_fetch_ctx *ctx, char *why, size_t whylen)
{
	const struct uoms_channel *c = ctx->channel;
	struct woo_state *st = calloc(1, sizeof *st);
	char buf[32];
	size_t n;

	if (st == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	ctx->state = st;
	st->page = 1;
	if (c->base_url == NULL || *c->base_url == '\0') {
		snprintf(why, whylen, "needs a base URL (the shop's address)");
		return -1;
	}
	if (woo_init_auth(c, st, why, whylen) < 0)
		return -1;
	snprintf(st->base, sizeof st->base, "%s", c->base_url);
	n = strlen(st->base);
	while (n > 0 && st->base[n - 1] == '/')
		st->base[--n] = '\0';
	st->per_page = WOO_MAX_PER_PAGE;
	if (uoms_map_setting(c, "per_page", buf, sizeof buf) == 0) {
		char *end;
		long v = strtol(buf, &end, 10);

		if (*end != '\0' || v < 1 || v > WOO_MAX_PER_PAGE) {
			snprintf(why, whylen, "setting per_page '%.32s' is not "
			    "1 to %d", buf, WOO_MAX_PER_PAGE);
			return -1;
		}
		st->per_page = (int)v;
	}
	if (uoms_map_setting(c, "currency", buf, sizeof buf) == 0) {
		if (uoms_currency_digits(buf) < 0) {
			snprintf(why, whylen, "setting currency '%.16s' is not "
			    "an ISO 4217 code (USD)", buf);
			return -1;
		}
		snprintf(st->currency, sizeof st->currency, "%.3s", buf);
	} else if (ctx->products) {
		st->want_store = 1;	/* a product carries no currency */
	}
	return 0;
}

/*
 * Signs req's URL (kept unsigned in st->plain) with a fresh nonce and the
 * time: oauth_* parameters in the query string, as WooCommerce asks
 * ("OAuth parameters must be added as query string parameters and not
 * included in the Authorization header"), which rejects a timestamp 15
 * minutes off and a nonce it has seen.
 */
static int
woo_sign(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char *key, const char *sec, char *why, size_t whylen)
{
	struct woo_state *st = ctx->state;
	char nonce[40];

	if (uoms_oauth1_nonce(nonce, sizeof nonce) < 0) {
		snprintf(why, whylen, "no random nonce for the signature");
		return -1;
	}
	uoms_buf_clear(&req->url);
	if (uoms_buf_add(&req->url, st->plain.p, st->plain.n) < 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return uoms_oauth1_sign_url(&req->url, req->method, key, sec,
	    st->method, (long long)time(NULL), nonce, why, whylen);
}

/* A retry signs the request afresh: its nonce may have been recorded. */
static int
woo_again(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	struct woo_state *st = ctx->state;
	const char *key, *sec;

	if (st == NULL || !st->oauth)
		return 0;
	if ((key = ctx->secret(ctx, "consumer_key", why, whylen)) == NULL ||
	    (sec = ctx->secret(ctx, "consumer_secret", why, whylen)) == NULL)
		return -1;
	return woo_sign(ctx, req, key, sec, why, whylen);
}

/*
 * Proves who asks: over https "Authorization: Basic base64(key:secret)",
 * marked secret; over http an OAuth 1.0a signature (woo_sign).
 */
static int
woo_auth(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	struct woo_state *st = ctx->state;
	const char *key = ctx->secret(ctx, "consumer_key", why, whylen), *sec;
	unsigned char *plain, *b64;
	size_t n;

	if (key == NULL || (sec = ctx->secret(ctx, "consumer_secret", why,
	    whylen)) == NULL)
		return -1;
	if (st->oauth) {
		uoms_buf_clear(&st->plain);
		if (uoms_buf_add(&st->plain, req->url.p, req->url.n) < 0) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		return woo_sign(ctx, req, key, sec, why, whylen);
	}
	n = strlen(key) + 1 + strlen(sec);
	plain = malloc(n + 1);
	b64 = malloc(4 * ((n + 2) / 3) + 1);
	if (plain == NULL || b64 == NULL) {
		free(plain);
		free(b64);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	snprintf((char *)plain, n + 1, "%s:%s", key, sec);
	EVP_EncodeBlock(b64, plain, (int)n);
	uoms_http_req_header(req, 1, "Authorization: Basic %s", b64);
	OPENSSL_cleanse(plain, n);
	OPENSSL_cleanse(b64, strlen((char *)b64));
	free(plain);
	free(b64);
	return 0;
}

static enum uoms_kind_step
woo_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	struct woo_state *st = ctx->state;

	if (st == NULL) {
		if (woo_init(ctx, why, whylen) < 0)
			return UOMS_KIND_FAIL;
		st = ctx->state;
	}
	if (st->done)
		return UOMS_KIND_DONE;
	snprintf(req->method, sizeof req->method, "GET");
	if (st->want_store) {
		uoms_buf_printf(&req->url, "%s/wp-json/wc/v3/settings/general",
		    st->base);
		goto auth;
	}
	uoms_buf_printf(&req->url, "%s/wp-json/wc/v3/%s?", st->base,
	    ctx->products ? "products" : "orders");
	if (ctx->since != NULL && *ctx->since != '\0') {
		/* dates_are_gmt=true: the time is UTC, written as the API
		 * writes its own (no offset, no fraction). */
		char t[40];
		size_t n = strcspn(ctx->since, ".Zz+");

		snprintf(t, sizeof t, "%.*s", (int)(n < 19 ? n : 19),
		    ctx->since);
		uoms_buf_str(&req->url, "modified_after=");
		uoms_url_escape(&req->url, t);
		uoms_buf_str(&req->url, "&");
	}
	/* Products have no orderby=modified: by id, stable while paging. */
	uoms_buf_printf(&req->url, "dates_are_gmt=true&per_page=%d&page=%d"
	    "&orderby=%s&order=asc%s", st->per_page, st->page,
	    ctx->products ? "id" : "modified",
	    st->trash ? "&status=trash" : "");
auth:
	if (woo_auth(ctx, req, why, whylen) < 0)
		return UOMS_KIND_FAIL;
	uoms_http_req_header(req, 0, "Accept: application/json");
	return UOMS_KIND_REQUEST;
}

/* A date_*_gmt value ("2026-11-21T09:12:00", UTC) into rec[key]. */
static int
woo_time(json_t *rec, const char *key, const char *gmt)
{
	char t[48];

	if (gmt == NULL)
		return 0;
	snprintf(t, sizeof t, "%.40sZ", gmt);
	return uoms_map_time(rec, key, t);
}

/* One side of the order (shipping, or billing when shipping is empty). */
static json_t *
woo_side(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);

	return json_is_object(a) && (jstr(a, "first_name") != NULL ||
	    jstr(a, "last_name") != NULL || jstr(a, "address_1") != NULL) ?
	    a : NULL;
}

static void
woo_people(json_t *rec, json_t *o)
{
	json_t *sh = woo_side(o, "shipping"), *bi = woo_side(o, "billing");
	json_t *who = sh != NULL ? sh : bi, *where = who;
	json_t *customer = json_object(), *shipping = json_object();
	struct uoms_buf b = { 0 };
	const char *phone;

	if (who != NULL) {
		const char *first = jstr(who, "first_name");
		const char *last = jstr(who, "last_name");

		uoms_buf_printf(&b, "%s%s%s", first ? first : "", first &&
		    last ? " " : "", last ? last : "");
		uoms_map_str(customer, "name", b.p);
		uoms_buf_free(&b);
	}
	/* shipping.phone exists since WooCommerce 5.6; billing has one. */
	phone = jstr(sh, "phone");
	if (phone == NULL)
		phone = jstr(json_object_get(o, "billing"), "phone");
	uoms_map_phone(customer, phone);
	if (where != NULL) {
		static const char *const parts[] = { "address_1", "address_2",
		    "city", "state", "country" };

		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
			if (jstr(where, parts[i]) != NULL)
				uoms_buf_printf(&b, "%s%s", b.n ? ", " : "",
				    jstr(where, parts[i]));
		uoms_map_str(shipping, "address", b.p);
		uoms_buf_free(&b);
		uoms_map_postal(shipping, jstr(where, "postcode"));
	}
	if (json_object_size(customer) > 0)
		json_object_set(rec, "customer", customer);
	if (json_object_size(shipping) > 0)
		json_object_set(rec, "shipping", shipping);
	json_decref(customer);
	json_decref(shipping);
}

/*
 * A line's unit price after discounts: its total (a decimal string: the
 * line after coupons, before tax) over its quantity, in the currency's
 * minor unit, rounded half away from zero. Never subtotal (before
 * discounts), and never price, a JSON number in v3 (floating point).
 * When the total does not divide evenly (3 for 10.00), *line_total is
 * set to it, exact, for the item to keep: unit_price times quantity is
 * then a few minor units off what was paid, and line_total says what was.
 * Without a total (an old shop, a plugin), price when it is a decimal
 * string or a whole number.
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#order-line-items-properties
 */
static int
woo_unit_price(json_t *li, long long qty, const char *currency,
    long long *out, long long *line_total)
{
	json_t *price = json_object_get(li, "price");
	json_t *total = json_object_get(li, "total");
	long long t;
	char why[160];

	*line_total = -1;
	if (total == NULL && (json_is_string(price) || json_is_integer(price)))
		return uoms_currency_amount_json(price, currency, out, why,
		    sizeof why);
	if (uoms_currency_amount_json(total, currency, &t, why, sizeof why) <
	    0 || qty <= 0)
		return -1;
	*out = t >= 0 ? (t + qty / 2) / qty : -((-t + qty / 2) / qty);
	if (t % qty != 0)
		*line_total = t;
	return 0;
}

/*
 * refunds[].total (negative: money going back) into refunded_amount, left
 * out at 0 (the store's default). -1 with why naming the order.
 */
static int
woo_refunds(json_t *rec, json_t *o, const char *id, const char *currency,
    char *why, size_t whylen)
{
	json_t *refunds = json_object_get(o, "refunds"), *rf;
	long long sum = 0, amount;
	char mwhy[160];
	size_t i;

	if (refunds != NULL && !json_is_array(refunds)) {
		snprintf(why, whylen, "order %s: refunds is not a list", id);
		return -1;
	}
	json_array_foreach(refunds, i, rf) {
		if (uoms_currency_amount_json(json_object_get(rf, "total"),
		    currency, &amount, mwhy, sizeof mwhy) < 0) {
			snprintf(why, whylen, "order %s: refund total: %s", id,
			    mwhy);
			return -1;
		}
		/* Negative as the API writes it; a positive one is read
		 * as the same money back, not as money taken. */
		sum += amount < 0 ? -amount : amount;
		if (sum > UOMS_MONEY_MAX) {
			snprintf(why, whylen, "order %s: refunds beyond 10^15 "
			    "minor units", id);
			return -1;
		}
	}
	uoms_kind_refunded(rec, sum);
	return 0;
}

/*
 * One order as a SPEC 3.1 record; NULL with why. *refuse is set when the
 * order alone can't be mapped (its money): the page goes on without it.
 */
static json_t *
woo_order(struct uoms_fetch_ctx *ctx, json_t *o, char *why, size_t whylen,
    int *refuse)
{
	const struct uoms_channel *c = ctx->channel;
	const char *workflow = c->workflow != NULL ? c->workflow : "dispatch";
	const char *currency = jstr(o, "currency"), *status, *state;
	struct woo_state *st = ctx->state;
	char id[64], no[64], mwhy[160];
	json_t *rec, *items, *li;
	long long amount;
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
	/* number is the id unless a plugin numbers orders its own way. */
	if (uoms_map_id(json_object_get(o, "number"), no, sizeof no) == 0)
		json_object_set_new(rec, uoms_map_order_no_ok(no) ?
		    "order_no" : "channel_order_no", json_string(no));
	json_object_set_new(rec, "workflow", json_string(workflow));
	status = jstr(o, "status");
	if ((state = woo_state(workflow, status, jstr(o,
	    "date_completed_gmt") != NULL)) != NULL)
		json_object_set_new(rec, "status", json_string(state));
	uoms_map_str(rec, "channel_status", status);

	woo_people(rec, o);

	if (woo_time(rec, "placed_at", jstr(o, "date_created_gmt")) < 0 ||
	    woo_time(rec, "channel_updated_at",
	    jstr(o, "date_modified_gmt")) < 0 ||
	    woo_time(rec, "complete_time", jstr(o, "date_completed_gmt")) < 0) {
		snprintf(why, whylen, "order %s: date_created_gmt, "
		    "date_modified_gmt or date_completed_gmt is not a time", id);
		goto fail;
	}

	*refuse = 1;
	if (currency == NULL && st != NULL && st->currency[0] != '\0')
		currency = st->currency;	/* the store's */
	if (currency == NULL) {
		snprintf(why, whylen, "order %s: no currency, and the store's "
		    "is not known", id);
		goto fail;
	}
	if (uoms_currency_digits(currency) < 0) {
		snprintf(why, whylen, "order %s: currency '%.16s' is not an "
		    "ISO 4217 code", id, currency);
		goto fail;
	}
	json_object_set_new(rec, "currency", json_string(currency));
	if (json_object_get(o, "total") != NULL) {
		if (uoms_currency_amount_json(json_object_get(o, "total"),
		    currency, &amount, mwhy, sizeof mwhy) < 0) {
			snprintf(why, whylen, "order %s: total is not an "
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
		long long line_total;
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
		uoms_map_str(it, "name", jstr(li, "name"));
		if (!json_is_integer(q) || json_integer_value(q) <= 0) {
			snprintf(why, whylen, "order %s: line item %s has no "
			    "positive quantity", id, lid);
			goto fail;
		}
		json_object_set_new(it, "quantity",
		    json_integer(json_integer_value(q)));
		if (woo_unit_price(li, json_integer_value(q), currency,
		    &amount, &line_total) < 0) {
			snprintf(why, whylen, "order %s: line item %s: its "
			    "total is not an amount of %s", id, lid, currency);
			goto fail;
		}
		json_object_set_new(it, "unit_price", json_integer(amount));
		if (line_total >= 0)
			json_object_set_new(it, "line_total",
			    json_integer(line_total));
	}
	if (woo_refunds(rec, o, id, currency, why, whylen) < 0)
		goto fail;
	*refuse = 0;
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

/* A meta_data value by key (the first of keys found), or NULL. */
static json_t *
woo_meta(json_t *p, const char *const *keys)
{
	json_t *m, *md = json_object_get(p, "meta_data");
	size_t i;

	for (; *keys != NULL; keys++)
		json_array_foreach(md, i, m)
			if (jstr(m, "key") != NULL &&
			    strcmp(jstr(m, "key"), *keys) == 0)
				return json_object_get(m, "value");
	return NULL;
}

/*
 * One product of the catalog answer as a product line; NULL with why
 * empty when it has no SKU (skipped), NULL with why when it can't be read.
 */
static json_t *
woo_product(struct uoms_fetch_ctx *ctx, json_t *p, char *why, size_t whylen)
{
	static const char *const cost_keys[] = { "_wc_cog_cost", "_cost",
	    "cost", NULL };
	struct woo_state *st = ctx->state;
	json_t *rec, *v, *cat;
	char id[64], mwhy[160];
	long long n;

	why[0] = '\0';
	if (!json_is_object(p) || uoms_map_id(json_object_get(p, "id"), id,
	    sizeof id) < 0) {
		snprintf(why, whylen, "a product without an id");
		return NULL;
	}
	if (jstr(p, "sku") == NULL) {
		st->skipped_no_sku++;
		return NULL;
	}
	rec = json_object();
	json_object_set_new(rec, "sku", json_string(jstr(p, "sku")));
	uoms_map_str(rec, "name", jstr(p, "name"));
	cat = json_array_get(json_object_get(p, "categories"), 0);
	uoms_map_str(rec, "category", jstr(cat, "name"));
	/* price is "" for a product without one. */
	v = json_object_get(p, "price");
	if (v != NULL && !json_is_null(v) && !(json_is_string(v) &&
	    *json_string_value(v) == '\0')) {
		if (uoms_currency_amount_json(v, st->currency, &n, mwhy,
		    sizeof mwhy) < 0) {
			snprintf(why, whylen, "product %s: price is not an "
			    "amount of %s: %s", id, st->currency, mwhy);
			goto fail;
		}
		json_object_set_new(rec, "price", json_integer(n));
	}
	v = woo_meta(p, cost_keys);
	if (v != NULL && !json_is_null(v) && !(json_is_string(v) &&
	    *json_string_value(v) == '\0')) {
		if (uoms_currency_amount_json(v, st->currency, &n, mwhy,
		    sizeof mwhy) < 0) {
			snprintf(why, whylen, "product %s: cost is not an "
			    "amount of %s: %s", id, st->currency, mwhy);
			goto fail;
		}
		json_object_set_new(rec, "cost", json_integer(n));
	}
	v = json_object_get(p, "stock_quantity");
	if (json_is_integer(v))
		json_object_set_new(rec, "stock",
		    json_integer(json_integer_value(v)));
	json_object_set_new(rec, "currency", json_string(st->currency));
	json_object_set_new(rec, "channel", json_string(ctx->channel->name));
	json_object_set_new(rec, "channel_product_id", json_string(id));
	uoms_map_str(rec, "channel_status", jstr(p, "status"));
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

/* Maps a page (stolen) whole, emits it, and moves on; -1 with why. */
static int
woo_page(struct uoms_fetch_ctx *ctx, json_t *root, int last, char *why,
    size_t whylen)
{
	struct woo_state *st = ctx->state;
	json_t *o, *recs = json_array();
	size_t i;

	/* Mapped whole before anything is emitted. */
	json_array_foreach(root, i, o) {
		int refuse = 0;
		json_t *rec = ctx->products ? woo_product(ctx, o, why,
		    whylen) : woo_order(ctx, o, why, whylen, &refuse);

		if (rec == NULL && ctx->products && why[0] == '\0')
			continue;	/* no SKU: skipped */
		if (rec == NULL && refuse && uoms_kind_refuse(ctx, why) == 0)
			continue;	/* that order alone */
		if (rec == NULL) {
			json_decref(recs);
			json_decref(root);
			return -1;
		}
		json_array_append_new(recs, rec);
	}
	json_array_foreach(recs, i, o)
		ctx->emit(ctx, o);
	json_decref(recs);
	json_decref(root);
	st->page++;
	if (last) {
		/* The catalog has no trash pass. */
		st->done = st->trash || ctx->products;
		st->trash = 1;
		st->page = 1;
	}
	return 0;
}

/*
 * The answer of settings/general: a list of setting options, the
 * store's currency the value of the one whose id is woocommerce_currency.
 * Then the page that waited for it, if one did.
 */
static int
woo_take_store(struct uoms_fetch_ctx *ctx, json_t *root, char *why,
    size_t whylen)
{
	struct woo_state *st = ctx->state;
	const char *cur = NULL;
	json_t *opt, *page;
	size_t i;

	json_array_foreach(root, i, opt)
		if (jstr(opt, "id") != NULL &&
		    strcmp(jstr(opt, "id"), "woocommerce_currency") == 0)
			cur = jstr(opt, "value");
	st->want_store = 0;
	st->store_asked = 1;
	if (cur != NULL && uoms_currency_digits(cur) < 0) {
		snprintf(why, whylen, "the store's currency (settings/general "
		    "woocommerce_currency) '%.16s' is not an ISO 4217 code",
		    cur);
		json_decref(root);
		return -1;
	}
	if (cur != NULL)
		snprintf(st->currency, sizeof st->currency, "%.3s", cur);
	json_decref(root);
	if (ctx->products && st->currency[0] == '\0') {
		snprintf(why, whylen, "the store's currency is not known "
		    "(no woocommerce_currency in settings/general): set the "
		    "channel's currency");
		return -1;
	}
	if ((page = st->pending) == NULL)
		return 0;
	st->pending = NULL;
	return woo_page(ctx, page, st->pending_last, why, whylen);
}

/* Nonzero when an order of the page has no currency of its own. */
static int
woo_needs_store(json_t *root)
{
	json_t *o;
	size_t i;

	json_array_foreach(root, i, o)
		if (jstr(o, "currency") == NULL)
			return 1;
	return 0;
}

static int
woo_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct woo_state *st = ctx->state;
	json_t *root;
	char total[32];
	int last;

	if (st == NULL) {
		snprintf(why, whylen, "an answer before any request");
		return -1;
	}
	if ((root = uoms_map_parse(r, why, whylen)) == NULL)
		return -1;
	if (!json_is_array(root)) {
		/* An error envelope {code, message, data: {status}}. */
		const char *msg = jstr(root, "message");

		snprintf(why, whylen, "answer is not a list of %s%s%.200s",
		    st->want_store ? "settings" : ctx->products ? "products" :
		    "orders", msg != NULL ? ": " : "", msg != NULL ? msg : "");
		json_decref(root);
		return -1;
	}
	if (st->want_store)
		return woo_take_store(ctx, root, why, whylen);
	/* X-WP-TotalPages is read afresh on every page: orders changed
	 * meanwhile may add one. Without it, a short page is the last. */
	if (uoms_http_header(r, "X-WP-TotalPages", total, sizeof total) == 0) {
		char *end;
		long pages = strtol(total, &end, 10);

		if (*end != '\0' || pages < 0) {
			snprintf(why, whylen, "X-WP-TotalPages '%.20s' is not "
			    "a number", total);
			json_decref(root);
			return -1;
		}
		last = st->page >= pages || json_array_size(root) == 0;
	} else {
		last = json_array_size(root) < (size_t)st->per_page;
	}
	if (!ctx->products && st->currency[0] == '\0' && !st->store_asked &&
	    woo_needs_store(root)) {
		/* The page waits (mapped whole) for the store's currency. */
		st->pending = root;
		st->pending_last = last;
		st->want_store = 1;
		return 0;
	}
	return woo_page(ctx, root, last, why, whylen);
}

/*
 * A 401's reason, as WooCommerce words it ({code, message, data}):
 * "Invalid signature - provided signature does not match.
 * (woocommerce_rest_authentication_error)".
 */
static void
woo_auth_reason(const struct uoms_http_resp *r, char *out, size_t outlen)
{
	json_t *root = json_loadb(r->body, r->len, 0, NULL);
	const char *msg = jstr(root, "message"), *code = jstr(root, "code");

	out[0] = '\0';
	if (msg != NULL)
		snprintf(out, outlen, "%.150s%s%.60s%s", msg, code != NULL ?
		    " (" : "", code != NULL ? code : "", code != NULL ? ")" :
		    "");
	/* One line on stderr, whatever the server wrote. */
	for (char *c = out; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	json_decref(root);
}

/* Statuses a shipment must not overwrite: the order did not go out. */
static const char *const woo_no_ship[] = { "cancelled", "refunded",
    "failed", "trash", "checkout-draft", NULL };

/* The carrier's name for the note, or NULL with why naming it. */
static const char *
woo_carrier(const struct uoms_push_item *it, char *why, size_t whylen)
{
	const char *name;
	char cwhy[300];

	if (it->carrier == NULL || it->carrier[0] == '\0') {
		snprintf(why, whylen, "the order has no shipment.carrier");
		return NULL;
	}
	if (!uoms_carrier_known(it->carrier, strlen(it->carrier), cwhy,
	    sizeof cwhy)) {
		snprintf(why, whylen, "%s", cwhy);
		return NULL;
	}
	if ((name = uoms_carrier_code(it->carrier, "woocommerce")) == NULL)
		snprintf(why, whylen, "carrier '%.64s' has no woocommerce name "
		    "in carriers.tsv", it->carrier);
	return name;
}

/*
 * The next request of a shipment (see the top of the file): the order,
 * then the note, then the status. Everything that can be checked here
 * (the id, the carrier, the tracking number) is, before the first one.
 */
static int
woo_push(struct uoms_fetch_ctx *ctx, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	struct woo_state *st = ctx->state;
	const char *id = it->external_order_id, *name;
	json_t *body = NULL;
	char *text = NULL;

	(void)answer;
	if (strcmp(it->push, "ship") != 0) {
		snprintf(why, whylen, "WooCommerce takes no %s (a paid order "
		    "is processing already)", it->push);
		return -1;
	}
	if (st == NULL) {
		if (woo_init(ctx, why, whylen) < 0)
			return -1;
		st = ctx->state;
	}
	if (id == NULL || id[0] == '\0' || strlen(id) > 19 ||
	    strspn(id, "0123456789") != strlen(id)) {
		snprintf(why, whylen, "external_order_id '%.64s' is not a "
		    "WooCommerce order id (a number)", id != NULL ? id : "");
		return -1;
	}
	if ((name = woo_carrier(it, why, whylen)) == NULL)
		return -1;
	if (it->tracking_number == NULL || it->tracking_number[0] == '\0') {
		snprintf(why, whylen, "the order has no "
		    "shipment.tracking_number");
		return -1;
	}
	switch (st->push_step) {
	case 0:
		snprintf(req->method, sizeof req->method, "GET");
		uoms_buf_printf(&req->url, "%s/wp-json/wc/v3/orders/%s",
		    st->base, id);
		break;
	case 1: {
		struct uoms_buf note = { 0 };

		uoms_buf_printf(&note, "Shipped with %s, tracking number %s",
		    name, it->tracking_number);
		body = json_pack("{s:s, s:b}", "note", note.p,
		    "customer_note", 1);
		uoms_buf_free(&note);
		snprintf(req->method, sizeof req->method, "POST");
		uoms_buf_printf(&req->url, "%s/wp-json/wc/v3/orders/%s/notes",
		    st->base, id);
		break;
	}
	default:
		body = json_pack("{s:s}", "status", "completed");
		snprintf(req->method, sizeof req->method, "PUT");
		uoms_buf_printf(&req->url, "%s/wp-json/wc/v3/orders/%s",
		    st->base, id);
		break;
	}
	if (st->push_step > 0 && (body == NULL || (text = json_dumps(body,
	    JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)) {
		/* Memory, or a tracking number that is not UTF-8. */
		json_decref(body);
		snprintf(why, whylen, "can't make the request's JSON body");
		return -1;
	}
	json_decref(body);
	if (text != NULL) {
		uoms_buf_str(&req->body, text);
		free(text);
		uoms_http_req_header(req, 0, "Content-Type: application/json");
	}
	uoms_http_req_header(req, 0, "Accept: application/json");
	/* Signed like a fetch's: a JSON body is not part of an OAuth 1.0a
	 * base string (RFC 5849 3.4.1.3.1: only a form body is), nor of
	 * what WooCommerce checks ($_GET and $_POST). */
	return woo_auth(ctx, req, why, whylen) < 0 ? -1 : 0;
}

/* The answer's JSON into answer, compact; a string when it is not JSON. */
static void
woo_answer_text(const struct uoms_http_resp *r, json_t *root,
    struct uoms_buf *answer)
{
	json_t *j = root != NULL ? json_incref(root) : json_stringn(r->body,
	    r->len < 200 ? r->len : 200);
	char *t = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_PRESERVE_ORDER) : NULL;

	uoms_buf_str(answer, t != NULL ? t : "null");
	free(t);
	json_decref(j);
}

/* What the push leaves on record: the note and the order's status. */
static void
woo_push_answer(struct woo_state *st, json_t *order, struct uoms_buf *answer)
{
	json_t *a = json_object(), *o = json_object();
	char *t;

	json_object_set(a, "note", st->push_note != NULL ? st->push_note :
	    json_null());
	json_object_set(o, "id", json_object_get(order, "id"));
	json_object_set(o, "status", json_object_get(order, "status"));
	if (json_object_get(order, "date_completed_gmt") != NULL)
		json_object_set(o, "date_completed_gmt",
		    json_object_get(order, "date_completed_gmt"));
	json_object_set_new(a, "order", o);
	t = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	uoms_buf_str(answer, t != NULL ? t : "null");
	free(t);
	json_decref(a);
}

/*
 * A 4xx of the shop ({code, message, data: {status}}) as why: its message
 * and code, and, once the note is in, that the customer has it already.
 */
static void
woo_push_refusal(struct woo_state *st, const struct uoms_http_resp *r,
    json_t *root, char *why, size_t whylen)
{
	const char *msg = jstr(root, "message"), *code = jstr(root, "code");
	int n;

	n = snprintf(why, whylen, "HTTP %ld%s%.300s%s%.80s%s", r->status,
	    msg != NULL ? ": " : "", msg != NULL ? msg : "", code != NULL ?
	    " (" : "", code != NULL ? code : "", code != NULL ? ")" : "");
	if (st->push_step == 2 && n > 0 && (size_t)n < whylen)
		snprintf(why + n, whylen - n, "; the note with the tracking "
		    "number was added (and emailed) already, the status was "
		    "not set: set it on the shop");
	for (char *c = why; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

/*
 * Reads the answer to woo_push's request: the order's status (refused
 * when the shop has it cancelled or refunded), the note made, the status
 * set. 401, 403, 429 and 5xx are the engine's.
 */
static int
woo_pushed(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	struct woo_state *st = ctx->state;
	json_t *root;
	const char *status;
	int rc = -1;

	if (st == NULL || r->status < 200 || r->status == 401 ||
	    r->status == 403 || r->status == 429 || r->status >= 500 ||
	    (r->status >= 300 && r->status < 400))
		return -1;
	root = json_loadb(r->body, r->len, 0, NULL);
	if (r->status >= 400) {
		woo_answer_text(r, root, answer);
		woo_push_refusal(st, r, root, why, whylen);
		json_decref(root);
		return 0;
	}
	/* 2xx: an answer that can't be read may still have been taken. */
	if (!json_is_object(root))
		goto out;
	status = jstr(root, "status");
	switch (st->push_step) {
	case 0:
		if (status == NULL)
			goto out;
		for (size_t i = 0; woo_no_ship[i] != NULL; i++)
			if (strcmp(status, woo_no_ship[i]) == 0) {
				woo_push_answer(st, root, answer);
				snprintf(why, whylen, "the shop has the order "
				    "%s: not told it shipped (nothing sent)",
				    status);
				rc = 0;
				goto out;
			}
		st->push_completed = strcmp(status, "completed") == 0;
		st->push_order = json_incref(root);
		st->push_step = 1;
		rc = UOMS_PUSHED_MORE;
		break;
	case 1:
		if (json_object_get(root, "id") == NULL)
			goto out;
		st->push_note = json_pack("{s:O, s:O, s:O}", "id",
		    json_object_get(root, "id"), "note", json_object_get(root,
		    "note") ?: json_null(), "customer_note",
		    json_object_get(root, "customer_note") ?: json_null());
		st->push_step = 2;
		if (!st->push_completed) {
			rc = UOMS_PUSHED_MORE;
			break;
		}
		/* Completed on the shop already: the note is all. */
		woo_push_answer(st, st->push_order, answer);
		rc = 1;
		break;
	default:
		if (status == NULL)
			goto out;
		woo_push_answer(st, root, answer);
		if (strcmp(status, "completed") != 0) {
			snprintf(why, whylen, "the shop kept the order %.64s, "
			    "not completed; the note with the tracking number "
			    "was added already", status);
			rc = 0;
		} else
			rc = 1;
		break;
	}
out:
	json_decref(root);
	return rc;
}

/* A paid WooCommerce order is processing already: nothing to confirm. */
static int
woo_wants_ack(const struct uoms_channel *c)
{
	(void)c;
	return 0;
}

/*
 * A webhook's order (order.created, order.updated, order.restored): the
 * REST v3 order, the payload being "exactly the same as if requested via
 * the REST API", so it is mapped as a fetched one is. Every order
 * carries its currency; one without is refused (no store to ask).
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
 */
static json_t *
woo_hook_order(const struct uoms_channel *c, json_t *o, char *why,
    size_t whylen)
{
	struct uoms_fetch_ctx ctx = { .channel = c };
	int refuse;

	return woo_order(&ctx, o, why, whylen, &refuse);
}

static void
woo_done(struct uoms_fetch_ctx *ctx)
{
	struct woo_state *st = ctx->state;

	if (st != NULL) {
		json_decref(st->pending);
		json_decref(st->push_note);
		json_decref(st->push_order);
		uoms_buf_free(&st->plain);
	}
	free(st);
	ctx->state = NULL;
}

/* WooCommerce itself sets no rate limit; a shop's host may. */
const struct uoms_kind uoms_kind_woocommerce = {
	.name = "woocommerce",
	.next = woo_next,
	.take = woo_take,
	.done = woo_done,
	.max_rate = 5.0,
	.again = woo_again,
	.auth_reason = woo_auth_reason,
	.push = woo_push,
	.pushed = woo_pushed,
	.wants_ack = woo_wants_ack,
	.hook_order = woo_hook_order,
};
