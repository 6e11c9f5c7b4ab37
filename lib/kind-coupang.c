/*
 * kind coupang: orders from the Coupang Open API (WING) order sheets
 * (SPEC 7), as its public docs describe them:
 *
 *   order sheets, paging by day:
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033919573
 *   one order sheet (the fields of a shipment box):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033792854
 *   the HMAC signature:
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033461914
 *
 * GET {base}/v2/providers/openapi/apis/api/v4/vendors/{vendor_id}/
 * ordersheets?createdAtFrom=D&createdAtTo=D&maxPerPage=50[&nextToken=T]
 * &status=S, every request signed (coupang_auth). The API lists one status
 * per query, so a fetch walks ACCEPT, INSTRUCT, DEPARTURE, DELIVERING,
 * FINAL_DELIVERY and NONE_TRACKING in turn, each to the page whose
 * nextToken is empty. The order of the walk is the order of delivery, so
 * a box that moves on while we look is seen last in its later status.
 *
 * The search is by creation date (KST days), not by change: a box created
 * last week that ships today is only seen if last week is searched again.
 * So the window starts lookback_days (a setting, default 7) before the
 * engine's since, and is cut into spans of at most 31 days.
 *
 * A record is one shipment box: an orderId can be split into several
 * boxes, each shipped on its own. Times come in KST without an offset.
 *
 * --products (the catalog), the seller products API:
 *   seller products, paged (list):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033645034
 *   one seller product, with its items (options):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033644994
 *
 * GET {base}/v2/providers/seller_api/apis/api/v1/marketplace/
 * seller-products?vendorId=V&maxPerPage=100[&nextToken=T], signed like the
 * order sheets, answers {code, message, nextToken, data[]} of product
 * summaries; then for each GET .../seller-products/{sellerProductId} gives
 * data.items[] (vendorItemId, externalVendorSku, itemName, salePrice,
 * maximumBuyCount: the quantity on sale). One product line per item (an
 * option is what a shop stocks and prices): sku = externalVendorSku, else
 * vendorItemId, else sellerProductItemId; category = displayCategoryCode;
 * price = salePrice (KRW); stock = maximumBuyCount. A page of N products
 * is 1 + N requests, all paced by max_rate.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kind-coupang.h"
#include "kind.h"
#include "map.h"
#include "order.h"
#include "rfc3339.h"

#define COUPANG_BASE "https://api-gateway.coupang.com"
#define COUPANG_PER_PAGE 50
#define COUPANG_SPAN_DAYS 31
#define COUPANG_LOOKBACK_DAYS 7
#define COUPANG_FIRST_DAYS 7	/* no since: the store has nothing yet */
#define KST (9 * 3600)
#define DAY (24 * 3600)

/*
 * The statuses, in the order they are fetched, and the state each
 * workflow gives them. A workflow not listed here gets no status: the
 * record keeps channel_status and the store decides.
 */
static const char *const coupang_status[] = {
	"ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY",
	"NONE_TRACKING"
};
#define NSTATUS (sizeof coupang_status / sizeof coupang_status[0])

static const struct {
	const char *workflow;
	const char *state[NSTATUS];
} coupang_states[] = {
	{ "dispatch", { "WAITING", "WAITING", "IN_PROGRESS", "IN_PROGRESS",
	    "COMPLETE", "IN_PROGRESS" } },
	{ "fulfillment", { "paid", "picking", "shipped", "shipped",
	    "delivered", "shipped" } },
	{ "food-delivery", { "pending_acceptance", "preparing", "in_transit",
	    "in_transit", "delivered", "in_transit" } },
};

struct coupang {
	int started;
	time_t first, last;	/* KST days (at 00:00 UTC) searched */
	time_t from, to;	/* the current span */
	size_t status;		/* index into coupang_status */
	char *next_token;	/* NULL: the first page */
	/* --products */
	int p_detail;		/* the last request was a product's */
	int p_last_page;	/* the page listed had no nextToken */
	json_t *p_queue;	/* sellerProductIds of the page listed */
	size_t p_pos;
	json_t *p_skus;		/* skus emitted: one line per sku */
};

int
uoms_coupang_sign(const char *secret, const char *signed_date,
    const char *method, const char *path, const char *query, char *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct uoms_buf msg = { 0 };
	int rc = -1;

	uoms_buf_str(&msg, signed_date);
	uoms_buf_str(&msg, method);
	uoms_buf_str(&msg, path);
	uoms_buf_str(&msg, query != NULL ? query : "");
	if (msg.p != NULL && HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)msg.p, msg.n, mac, &maclen) != NULL &&
	    maclen == 32) {
		for (unsigned int i = 0; i < maclen; i++)
			snprintf(out + 2 * i, 3, "%02x", mac[i]);
		rc = 0;
	}
	uoms_buf_free(&msg);
	return rc;
}

/* Helpers shared by the mapping below. */

static const char *
str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/*
 * Won (KRW has no minor unit): an integer, a whole real, or a decimal
 * string whose fraction is zero ("19900", "19900.00"); read exactly.
 * 0 when set, 1 when absent or null, -1 when not an amount.
 */
static int
won(json_t *v, long long *out)
{
	if (v == NULL || json_is_null(v))
		return 1;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != (double)(long long)d)
			return -1;
		*out = (long long)d;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v), *p = s;
		long long n = 0;
		int neg = *p == '-';

		p += neg;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (n > (LLONG_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*p - '0');
		}
		if (*p == '.')
			for (p++; *p == '0'; p++)
				;
		if (*p != '\0')
			return -1;
		*out = neg ? -n : n;
		return 0;
	}
	return -1;
}

/* An RFC 3339 UTC time (seconds) into t; -1 when it is not one. */
static int
utc_parse(const char *s, time_t *t)
{
	char norm[40];
	struct tm tm = { 0 };

	if (s == NULL || uoms_time_normalize(s, strlen(s), norm, 1) < 0 ||
	    sscanf(norm, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*t = timegm(&tm);
	return 0;
}

/*
 * A Coupang time ("2017-10-10T10:20:16" or "2017-10-16 22:08:04", KST
 * without an offset) as RFC 3339 UTC with whole seconds, into out (>= 40
 * bytes). -1 when it is not a time.
 */
static int
kst_to_utc(const char *s, char *out, time_t *t)
{
	char buf[48];
	size_t n;

	if (s == NULL || (n = strlen(s)) < 19 || n > 29)
		return -1;
	/* An offset already there is honoured; else it is KST. */
	if (n > 19 && (s[n - 1] == 'Z' || s[n - 6] == '+' || s[n - 6] == '-'))
		snprintf(buf, sizeof buf, "%s", s);
	else
		snprintf(buf, sizeof buf, "%s+09:00", s);
	if (utc_parse(buf, t) < 0)
		return -1;
	struct tm tm;
	gmtime_r(t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* Sets key to the UTC form of a KST time; keeps the latest in *latest. */
static void
set_time(json_t *obj, const char *key, const char *s, time_t *latest,
    char *latest_s)
{
	char utc[40];
	time_t t;

	if (kst_to_utc(s, utc, &t) < 0)
		return;
	if (key != NULL)
		json_object_set_new(obj, key, json_string(utc));
	if (t > *latest) {
		*latest = t;
		snprintf(latest_s, 40, "%s", utc);
	}
}

/* Items sort by external_item_id, numbers by value: a stable record. */
static int
item_cmp(const void *a, const void *b)
{
	const char *x = str(*(json_t *const *)a, "external_item_id");
	const char *y = str(*(json_t *const *)b, "external_item_id");
	size_t nx = strlen(x), ny = strlen(y);

	return nx != ny ? (nx < ny ? -1 : 1) : strcmp(x, y);
}

static json_t *
sorted(json_t *items)
{
	size_t n = json_array_size(items);
	json_t **v = calloc(n + 1, sizeof *v), *out = json_array();

	for (size_t i = 0; v != NULL && i < n; i++)
		v[i] = json_array_get(items, i);
	if (v != NULL)
		qsort(v, n, sizeof *v, item_cmp);
	for (size_t i = 0; v != NULL && i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(items);
	return out;
}

static const char *
workflow_of(const struct uoms_fetch_ctx *ctx)
{
	const char *w = ctx->channel->workflow;

	return w != NULL && *w != '\0' ? w : "dispatch";
}

/* The state workflow gives raw, or NULL. */
static const char *
coupang_state(const char *workflow, const char *raw)
{
	for (size_t w = 0; w < sizeof coupang_states /
	    sizeof coupang_states[0]; w++)
		if (strcmp(coupang_states[w].workflow, workflow) == 0)
			for (size_t i = 0; i < NSTATUS; i++)
				if (strcmp(coupang_status[i], raw) == 0)
					return coupang_states[w].state[i];
	return NULL;
}

/*
 * One order sheet (a shipment box) as a SPEC 3.1 record; NULL with why
 * when it lacks what a record needs.
 */
static json_t *
coupang_record(const struct uoms_fetch_ctx *ctx, json_t *box,
    const char *asked, char *why, size_t whylen)
{
	char id[64], oid[64], latest_s[40] = "";
	const char *raw = str(box, "status");
	json_t *rec, *cust, *ship, *items, *list;
	time_t latest = 0;
	long long total = 0, fee = 0, v;
	int have_total = 0;

	if (!json_is_object(box) || uoms_map_id(json_object_get(box,
	    "shipmentBoxId"), id, sizeof id) < 0) {
		snprintf(why, whylen, "an order sheet has no shipmentBoxId");
		return NULL;
	}
	if (raw == NULL)
		raw = asked;
	rec = json_object();
	json_object_set_new(rec, "channel", json_string(ctx->channel->name));
	json_object_set_new(rec, "external_order_id", json_string(id));
	/* One orderId spans boxes: it cannot be the order_no of each. */
	if (uoms_map_id(json_object_get(box, "orderId"), oid, sizeof oid) == 0)
		json_object_set_new(rec, "channel_order_id", json_string(oid));
	json_object_set_new(rec, "workflow",
	    json_string(workflow_of(ctx)));
	const char *state = coupang_state(workflow_of(ctx), raw);
	if (state != NULL)
		json_object_set_new(rec, "status", json_string(state));
	json_object_set_new(rec, "channel_status", json_string(raw));

	json_t *orderer = json_object_get(box, "orderer");
	cust = json_object();
	uoms_map_str(cust, "name", str(orderer, "name"));
	uoms_map_phone(cust, str(orderer, "safeNumber"));
	uoms_map_str(cust, "email", str(orderer, "email"));
	json_object_set_new(rec, "customer", cust);

	json_t *receiver = json_object_get(box, "receiver");
	ship = json_object();
	uoms_map_postal(ship, str(receiver, "postCode"));
	const char *a1 = str(receiver, "addr1"), *a2 = str(receiver, "addr2");
	if (nonempty(a1) || nonempty(a2)) {
		struct uoms_buf a = { 0 };

		uoms_buf_str(&a, nonempty(a1) ? a1 : "");
		if (nonempty(a1) && nonempty(a2))
			uoms_buf_str(&a, " ");
		uoms_buf_str(&a, nonempty(a2) ? a2 : "");
		json_object_set_new(ship, "address", json_string(a.p));
		uoms_buf_free(&a);
	}
	uoms_map_str(ship, "name", str(receiver, "name"));
	uoms_map_phone(ship, str(receiver, "safeNumber"));
	uoms_map_str(ship, "memo", str(box, "parcelPrintMessage"));
	json_object_set_new(rec, "shipping", ship);

	set_time(rec, "placed_at", str(box, "orderedAt"), &latest, latest_s);
	set_time(rec, "paid_at", str(box, "paidAt"), &latest, latest_s);
	set_time(rec, "depart_time", str(box, "inTrasitDateTime"), &latest,
	    latest_s);
	set_time(rec, "complete_time", str(box, "deliveredDate"), &latest,
	    latest_s);
	uoms_map_str(rec, "delivery_company", str(box, "deliveryCompanyName"));
	uoms_map_str(rec, "invoice_number", str(box, "invoiceNumber"));

	items = json_array();
	list = json_object_get(box, "orderItems");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *it = json_array_get(list, i), *o;
		char vid[64];
		long long count = 0, cancel = 0, price;

		if (uoms_map_id(json_object_get(it, "vendorItemId"), vid,
		    sizeof vid) < 0) {
			snprintf(why, whylen, "shipment box '%s' has an item "
			    "without vendorItemId", id);
			json_decref(items);
			json_decref(rec);
			return NULL;
		}
		o = json_object();
		json_object_set_new(o, "external_item_id", json_string(vid));
		uoms_map_str(o, "sku", str(it, "externalVendorSkuCode"));
		uoms_map_str(o, "name", str(it, "vendorItemName"));
		if (won(json_object_get(it, "shippingCount"), &count) < 0)
			count = 0;
		if (won(json_object_get(it, "cancelCount"), &cancel) < 0)
			cancel = 0;
		/* shippingCount leaves cancelled units out: what was
		 * ordered is shippingCount + cancelCount, of which
		 * cancelCount is cancelled_quantity (not revenue). An item
		 * cancelled whole stays a valid item (quantity > 0).
		 * holdCountForCancel (units waiting for a cancel to be
		 * approved) is not cancelled yet and is left to the
		 * channel's next word. */
		if (count < 0 || cancel < 0 || count > UOMS_QUANTITY_MAX ||
		    cancel > UOMS_QUANTITY_MAX - count)
			count = cancel = 0;
		json_object_set_new(o, "quantity", json_integer(count +
		    cancel > 0 ? count + cancel : 1));
		if (won(json_object_get(it, "salesPrice"), &price) == 0)
			json_object_set_new(o, "unit_price",
			    json_integer(price));
		if (won(json_object_get(it, "orderPrice"), &v) == 0) {
			total += v;
			have_total = 1;
		} else if (won(json_object_get(it, "salesPrice"), &v) == 0) {
			total += v * count;
			have_total = 1;
		}
		if (won(json_object_get(it, "discountPrice"), &v) == 0 &&
		    v != 0)
			json_object_set_new(o, "discount_price",
			    json_integer(v));
		if (cancel > 0)
			json_object_set_new(o, "cancelled_quantity",
			    json_integer(cancel));
		if (json_is_true(json_object_get(it, "canceled")) ||
		    (count == 0 && cancel > 0))
			json_object_set_new(o, "canceled", json_true());
		json_t *sp = json_object_get(it, "sellerProductId");
		if (uoms_map_id(sp, vid, sizeof vid) == 0)
			json_object_set_new(o, "seller_product_id",
			    json_string(vid));
		uoms_map_str(o, "option", str(it, "sellerProductItemName"));
		json_array_append_new(items, o);
		set_time(rec, NULL, str(it, "confirmDate"), &latest,
		    latest_s);
	}
	json_object_set_new(rec, "items", sorted(items));
	if (have_total)
		json_object_set_new(rec, "total_amount", json_integer(total));
	if (won(json_object_get(box, "shippingPrice"), &v) == 0)
		fee += v;
	if (won(json_object_get(box, "remotePrice"), &v) == 0)
		fee += v;
	json_object_set_new(rec, "shipping_fee", json_integer(fee));
	json_object_set_new(rec, "currency", json_string("KRW"));
	if (latest_s[0] != '\0')
		json_object_set_new(rec, "channel_updated_at",
		    json_string(latest_s));
	return rec;
}

/* KST day (as 00:00 UTC of that date) of an instant. */
static time_t
kst_day(time_t t)
{
	t += KST;
	return t - ((t % DAY) + DAY) % DAY;
}

static void
day_text(time_t day, char *out)
{
	struct tm tm;

	gmtime_r(&day, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int
coupang_start(struct uoms_fetch_ctx *ctx, struct coupang *st, char *why,
    size_t whylen)
{
	json_t *lb = json_object_get(ctx->channel->settings,
	    "lookback_days");
	long long lookback = COUPANG_LOOKBACK_DAYS;
	time_t since, until;

	if (lb != NULL && won(lb, &lookback) < 0) {
		snprintf(why, whylen, "setting 'lookback_days' is not a "
		    "number of days");
		return -1;
	}
	if (lookback < 0 || lookback > 366) {
		snprintf(why, whylen, "setting 'lookback_days' is %lld, not "
		    "0 to 366", lookback);
		return -1;
	}
	if (ctx->until == NULL || utc_parse(ctx->until, &until) < 0)
		until = time(NULL);
	if (ctx->since == NULL || *ctx->since == '\0')
		since = until - COUPANG_FIRST_DAYS * DAY;
	else if (utc_parse(ctx->since, &since) < 0) {
		snprintf(why, whylen, "since '%s' is not an RFC 3339 time",
		    ctx->since);
		return -1;
	}
	st->first = kst_day(since) - lookback * DAY;
	st->last = kst_day(until);
	if (st->first > st->last)
		st->first = st->last;
	st->from = st->first;
	st->to = st->from + (COUPANG_SPAN_DAYS - 1) * DAY;
	if (st->to > st->last)
		st->to = st->last;
	st->started = 1;
	return 0;
}

/* --products: the catalog. */

#define COUPANG_PRODUCTS_PATH \
	"/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
#define COUPANG_PRODUCTS_PER_PAGE 100

/* Fills req with a signed GET of path?query (query may be ""). */
static enum uoms_kind_step
coupang_signed_get(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char *path, const char *query, char *why, size_t whylen)
{
	const char *ak, *sk, *base;
	char date[16], sig[65];
	time_t now;
	struct tm tm;

	base = ctx->channel->base_url;
	if (!nonempty(base))
		base = COUPANG_BASE;
	if (uoms_map_base_ok(base, why, whylen) < 0)
		return UOMS_KIND_FAIL;
	if ((ak = ctx->secret(ctx, "access_key", why, whylen)) == NULL ||
	    (sk = ctx->secret(ctx, "secret_key", why, whylen)) == NULL)
		return UOMS_KIND_FAIL;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%y%m%dT%H%M%SZ", &tm);
	if (uoms_coupang_sign(sk, date, "GET", path, query, sig) < 0) {
		snprintf(why, whylen, "cannot compute the HMAC signature");
		return UOMS_KIND_FAIL;
	}
	snprintf(req->method, sizeof req->method, "GET");
	uoms_buf_clear(&req->url);
	uoms_buf_add(&req->url, base, strlen(base) - (base[strlen(base) - 1]
	    == '/'));
	uoms_buf_str(&req->url, path);
	if (*query != '\0')
		uoms_buf_printf(&req->url, "?%s", query);
	uoms_http_req_header(req, 1, "Authorization: CEA algorithm=HmacSHA256, "
	    "access-key=%s, signed-date=%s, signature=%s", ak, date, sig);
	uoms_http_req_header(req, 0, "Content-Type: application/json;"
	    "charset=UTF-8");
	uoms_http_req_header(req, 0, "Accept: application/json");
	OPENSSL_cleanse(sig, sizeof sig);
	return UOMS_KIND_REQUEST;
}

static enum uoms_kind_step
coupang_products_next(struct uoms_fetch_ctx *ctx, struct coupang *st,
    struct uoms_http_req *req, char *why, size_t whylen)
{
	struct uoms_buf path = { 0 }, query = { 0 };
	const char *vendor = str(ctx->channel->settings, "vendor_id");
	enum uoms_kind_step rc;

	if (!nonempty(vendor)) {
		snprintf(why, whylen, "setting 'vendor_id' is not set");
		return UOMS_KIND_FAIL;
	}
	if (!st->started) {
		st->p_queue = json_array();
		st->p_skus = json_object();
		st->started = 1;
	}
	uoms_buf_str(&path, COUPANG_PRODUCTS_PATH);
	if (st->p_pos < json_array_size(st->p_queue)) {
		/* The next product of the page listed: its items. */
		uoms_buf_str(&path, "/");
		uoms_url_escape(&path, json_string_value(json_array_get(
		    st->p_queue, st->p_pos)));
		uoms_buf_str(&query, "");
		st->p_detail = 1;
	} else {
		if (st->p_last_page) {
			uoms_buf_free(&path);
			return UOMS_KIND_DONE;
		}
		uoms_buf_str(&query, "vendorId=");
		uoms_url_escape(&query, vendor);
		if (st->next_token != NULL) {
			uoms_buf_str(&query, "&nextToken=");
			uoms_url_escape(&query, st->next_token);
		}
		uoms_buf_printf(&query, "&maxPerPage=%d",
		    COUPANG_PRODUCTS_PER_PAGE);
		st->p_detail = 0;
	}
	rc = coupang_signed_get(ctx, req, path.p, query.p != NULL ? query.p :
	    "", why, whylen);
	uoms_buf_free(&path);
	uoms_buf_free(&query);
	return rc;
}

/*
 * The product lines of one seller product (the data of its detail answer),
 * appended to out; the skus already in skus are left out (one line per
 * sku). Items with no id at all are skipped.
 */
static int
coupang_product_lines(const char *channel, json_t *product,
    json_t *skus, json_t *out)
{
	json_t *items = json_object_get(product, "items");
	char pid[64] = "", cat[64] = "";
	const char *pname = str(product, "sellerProductName");

	if (!json_is_object(product))
		return -1;
	uoms_map_id(json_object_get(product, "sellerProductId"), pid, sizeof pid);
	uoms_map_id(json_object_get(product, "displayCategoryCode"), cat,
	    sizeof cat);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i), *rec;
		char vid[64] = "", iid[64] = "", sku[128];
		const char *ext = str(it, "externalVendorSku");
		long long v;

		uoms_map_id(json_object_get(it, "vendorItemId"), vid, sizeof vid);
		uoms_map_id(json_object_get(it, "sellerProductItemId"), iid,
		    sizeof iid);
		snprintf(sku, sizeof sku, "%s", nonempty(ext) ? ext :
		    vid[0] != '\0' ? vid : iid);
		if (sku[0] == '\0' || (skus != NULL &&
		    json_object_get(skus, sku) != NULL))
			continue;
		if (skus != NULL)
			json_object_set_new(skus, sku, json_true());
		rec = json_object();
		json_object_set_new(rec, "sku", json_string(sku));
		if (nonempty(str(it, "itemName")))
			uoms_map_str(rec, "name", str(it, "itemName"));
		else
			uoms_map_str(rec, "name", pname);
		if (cat[0] != '\0')
			json_object_set_new(rec, "category", json_string(cat));
		if (won(json_object_get(it, "salePrice"), &v) == 0)
			json_object_set_new(rec, "price", json_integer(v));
		if (won(json_object_get(it, "maximumBuyCount"), &v) == 0)
			json_object_set_new(rec, "stock", json_integer(v));
		json_object_set_new(rec, "channel", json_string(channel));
		if (pid[0] != '\0')
			json_object_set_new(rec, "channel_product_id",
			    json_string(pid));
		if (vid[0] != '\0')
			json_object_set_new(rec, "vendor_item_id",
			    json_string(vid));
		uoms_map_str(rec, "product_name", pname);
		uoms_map_str(rec, "brand", str(product, "brand"));
		uoms_map_str(rec, "channel_status", str(product,
		    "statusName"));
		json_object_set_new(rec, "currency", json_string("KRW"));
		json_array_append_new(out, rec);
	}
	return 0;
}

static int
coupang_products_take(struct uoms_fetch_ctx *ctx, struct coupang *st,
    json_t *root, char *why, size_t whylen)
{
	json_t *data = json_object_get(root, "data");

	if (st->p_detail) {
		json_t *lines = json_array();

		if (coupang_product_lines(ctx->channel->name, data,
		    st->p_skus, lines) < 0) {
			snprintf(why, whylen, "seller product answer has no "
			    "data object");
			json_decref(lines);
			return -1;
		}
		for (size_t i = 0; i < json_array_size(lines); i++)
			ctx->emit(ctx, json_array_get(lines, i));
		json_decref(lines);
		st->p_pos++;
		return 0;
	}
	if (!json_is_array(data)) {
		snprintf(why, whylen, "answer has no data array");
		return -1;
	}
	json_array_clear(st->p_queue);
	st->p_pos = 0;
	for (size_t i = 0; i < json_array_size(data); i++) {
		char pid[64];

		if (uoms_map_id(json_object_get(json_array_get(data, i),
		    "sellerProductId"), pid, sizeof pid) < 0) {
			snprintf(why, whylen, "a seller product has no "
			    "sellerProductId");
			return -1;
		}
		json_array_append_new(st->p_queue, json_string(pid));
	}
	char next[128] = "";
	json_t *nt = json_object_get(root, "nextToken");
	if (nt != NULL && !json_is_null(nt))
		uoms_map_id(nt, next, sizeof next);
	free(st->next_token);
	st->next_token = NULL;
	if (next[0] != '\0' && json_array_size(data) > 0)
		st->next_token = strdup(next);
	else
		st->p_last_page = 1;
	return 0;
}

static enum uoms_kind_step
coupang_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    char *why, size_t whylen)
{
	struct coupang *st = ctx->state;
	const char *vendor, *ak, *sk, *base;
	struct uoms_buf path = { 0 }, query = { 0 };
	char from[11], to[11], date[16], sig[65];
	time_t now;
	struct tm tm;

	if (st == NULL) {
		if ((st = calloc(1, sizeof *st)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return UOMS_KIND_FAIL;
		}
		ctx->state = st;
	}
	if (ctx->products)
		return coupang_products_next(ctx, st, req, why, whylen);
	if (!st->started && coupang_start(ctx, st, why, whylen) < 0)
		return UOMS_KIND_FAIL;
	if (st->status == NSTATUS) {
		/* Every status of this span is done: the next span. */
		if (st->to >= st->last)
			return UOMS_KIND_DONE;
		st->from = st->to + DAY;
		st->to = st->from + (COUPANG_SPAN_DAYS - 1) * DAY;
		if (st->to > st->last)
			st->to = st->last;
		st->status = 0;
	}
	base = ctx->channel->base_url;
	if (!nonempty(base))
		base = COUPANG_BASE;
	if (uoms_map_base_ok(base, why, whylen) < 0)
		return UOMS_KIND_FAIL;
	vendor = str(ctx->channel->settings, "vendor_id");
	if (!nonempty(vendor)) {
		snprintf(why, whylen, "setting 'vendor_id' is not set");
		return UOMS_KIND_FAIL;
	}
	if ((ak = ctx->secret(ctx, "access_key", why, whylen)) == NULL ||
	    (sk = ctx->secret(ctx, "secret_key", why, whylen)) == NULL)
		return UOMS_KIND_FAIL;

	uoms_buf_str(&path, "/v2/providers/openapi/apis/api/v4/vendors/");
	uoms_url_escape(&path, vendor);
	uoms_buf_str(&path, "/ordersheets");
	day_text(st->from, from);
	day_text(st->to, to);
	uoms_buf_printf(&query, "createdAtFrom=%s&createdAtTo=%s&maxPerPage=%d",
	    from, to, COUPANG_PER_PAGE);
	if (st->next_token != NULL) {
		uoms_buf_str(&query, "&nextToken=");
		uoms_url_escape(&query, st->next_token);
	}
	uoms_buf_printf(&query, "&status=%s", coupang_status[st->status]);

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%y%m%dT%H%M%SZ", &tm);
	if (uoms_coupang_sign(sk, date, "GET", path.p, query.p, sig) < 0) {
		snprintf(why, whylen, "cannot compute the HMAC signature");
		uoms_buf_free(&path);
		uoms_buf_free(&query);
		return UOMS_KIND_FAIL;
	}
	snprintf(req->method, sizeof req->method, "GET");
	uoms_buf_clear(&req->url);
	uoms_buf_add(&req->url, base, strlen(base) - (base[strlen(base) - 1]
	    == '/'));
	uoms_buf_printf(&req->url, "%s?%s", path.p, query.p);
	uoms_http_req_header(req, 1, "Authorization: CEA algorithm=HmacSHA256, "
	    "access-key=%s, signed-date=%s, signature=%s", ak, date, sig);
	uoms_http_req_header(req, 0, "Content-Type: application/json;"
	    "charset=UTF-8");
	uoms_http_req_header(req, 0, "Accept: application/json");
	OPENSSL_cleanse(sig, sizeof sig);
	uoms_buf_free(&path);
	uoms_buf_free(&query);
	return UOMS_KIND_REQUEST;
}

/* A short, printable excerpt of an answer for a message. */
static void
excerpt(const char *s, size_t n, char *out, size_t outlen)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < outlen && k < 60; i++)
		out[k++] = isprint((unsigned char)s[i]) ? s[i] : '.';
	out[k] = '\0';
}

static int
coupang_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct coupang *st = ctx->state;
	json_error_t err;
	json_t *root, *code, *data;
	char ex[64];

	if (st == NULL || (!ctx->products && st->status >= NSTATUS)) {
		snprintf(why, whylen, "an answer came with no request");
		return -1;
	}
	root = json_loadb(r->body != NULL ? r->body : "", r->len, 0, &err);
	if (root == NULL) {
		excerpt(r->body != NULL ? r->body : "", r->len, ex, sizeof ex);
		snprintf(why, whylen, "answer is not JSON (%s at byte %d, "
		    "truncated?): '%s'", err.text, err.position, ex);
		return -1;
	}
	code = json_object_get(root, "code");
	if (code != NULL && !(json_is_integer(code) &&
	    json_integer_value(code) == 200) && !(json_is_string(code) &&
	    (strcmp(json_string_value(code), "200") == 0 ||
	    strcmp(json_string_value(code), "SUCCESS") == 0))) {
		char c[32] = "?";

		uoms_map_id(code, c, sizeof c);
		snprintf(why, whylen, "coupang answered code '%s': '%.200s'",
		    c, str(root, "message") != NULL ? str(root, "message") :
		    "");
		json_decref(root);
		return -1;
	}
	if (ctx->products) {
		int rc = coupang_products_take(ctx, st, root, why, whylen);

		json_decref(root);
		return rc;
	}
	data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		snprintf(why, whylen, "answer has no data array");
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(data); i++) {
		json_t *rec = coupang_record(ctx, json_array_get(data, i),
		    coupang_status[st->status], why, whylen);

		if (rec == NULL) {
			json_decref(root);
			return -1;
		}
		ctx->emit(ctx, rec);
		json_decref(rec);
	}
	/* nextToken: a number or a string; empty, null or absent at the
	 * end of this status. */
	char next[128] = "";
	json_t *nt = json_object_get(root, "nextToken");
	if (nt != NULL && !json_is_null(nt))
		uoms_map_id(nt, next, sizeof next);
	free(st->next_token);
	st->next_token = NULL;
	if (next[0] != '\0') {
		if (json_array_size(data) == 0) {
			snprintf(why, whylen, "answer has no orders but a "
			    "nextToken '%s'", next);
			json_decref(root);
			return -1;
		}
		st->next_token = strdup(next);
	} else
		st->status++;
	json_decref(root);
	return 0;
}

static void
coupang_done(struct uoms_fetch_ctx *ctx)
{
	struct coupang *st = ctx->state;

	if (st != NULL) {
		free(st->next_token);
		json_decref(st->p_queue);
		json_decref(st->p_skus);
		free(st);
	}
	ctx->state = NULL;
}

const struct uoms_kind uoms_kind_coupang = {
	.name = "coupang",
	.next = coupang_next,
	.take = coupang_take,
	.done = coupang_done,
	/* About 10 requests a second per vendor answer 429: stay well
	 * under. */
	.max_rate = 5.0,
};
