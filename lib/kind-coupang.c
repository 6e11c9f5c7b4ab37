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
 * Cancellations, returns and ship-stop requests are not in the order
 * sheets: Coupang lists them only as return requests, and says to check
 * them before shipping:
 *   return/cancellation request list:
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033919613
 *   ship-stop (release stop) and already shipped:
 *     https://developers.coupangcorp.com/hc/en-us/articles/360034320673
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033793034
 * So a fetch first reads GET .../vendors/{vendor_id}/returnRequests?
 * createdAtFrom=D&createdAtTo=D&cancelType=T&maxPerPage=50[&nextToken=T]
 * [&status=S] over the same days, 31 at most a query: cancelType=CANCEL
 * (cancelled at payment complete: done at once; no status, as the docs
 * say) and cancelType=RETURN with status RU (ship-stop requested), UC
 * (return received), PR (Coupang asked to check) and CC (completed), a
 * receipt met twice (RU ones are listed under UC too) counted once. It
 * keeps, by shipmentBoxId (returnItems[]), what the requests say:
 * - a request not done (receiptStatus RELEASE_STOP_UNCHECKED,
 *   RETURNS_UNCHECKED, VENDOR_WAREHOUSE_CONFIRM, REQUEST_COUPANG_CHECK,
 *   or any other not RETURNS_COMPLETED) is a channel_holds entry, key
 *   "coupang:return:{receiptId}", so the order is held until it ends;
 * - a done one (RETURNS_COMPLETED, or a CANCEL receipt) counts its
 *   returnItems[].cancelCount as cancelled units of that item.
 * Then the order sheets are read, each box's line carrying what the
 * requests said of it (channel_holds always, [] when none, so requests
 * that ended release their holds); last, each box a request named that
 * the sheets did not list (a cancelled box leaves the lists) is read on
 * its own, GET .../ordersheets/{shipmentBoxId}:
 *   https://developers.coupangcorp.com/hc/en-us/articles/360033792854
 * and so is each open box the store has from before the window
 * (coupang_old), as the lists never show it again.
 *
 * Exchange requests are read between the two, over the same days but 7
 * at most a query (Coupang's limit for this list), GET .../vendors/
 * {vendor_id}/exchangeRequests?createdAtFrom=D&createdAtTo=D&maxPerPage=50
 * [&nextToken=T]:
 *   https://developers.coupangcorp.com/hc/en-us/sections/360005046554
 * An exchange not done (exchangeStatus RECEIPT or PROGRESS, or one not
 * known) holds the box it takes back (exchangeItemDtoV1s[].
 * originalShipmentBoxId), key "coupang:exchange:{exchangeId}"; a done one
 * (SUCCESS, REJECT, CANCEL) names the box too, so it is read and its
 * line says the hold is gone.
 *
 * A 429 stops the channel's run at once (throttled): Coupang blocks a
 * vendor that keeps asking while throttled for minutes to tens of
 * minutes, so retrying only makes the block longer.
 *
 * Three files: this one walks the orders; kind-coupang-requests.c keeps
 * what the return requests say by box; kind-coupang-products.c reads
 * the catalog (--products, below). They share kind-coupang_priv.h.
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
#include "kind-coupang_priv.h"
#include "kind.h"
#include "map.h"
#include "order.h"
#include "rfc3339.h"

#define COUPANG_BASE "https://api-gateway.coupang.com"
#define COUPANG_PER_PAGE 50
#define COUPANG_SPAN_DAYS 31
#define COUPANG_EXCHANGE_DAYS 7	/* the exchange request list's span */
#define COUPANG_LOOKBACK_DAYS 7
#define COUPANG_FIRST_DAYS 7	/* no since: the store has nothing yet */
#define COUPANG_REFRESH_MAX 100	/* old open boxes read one by one a run */
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

/*
 * The return request queries of a span, in turn: {cancelType, status}.
 * https://developers.coupangcorp.com/hc/en-us/articles/360033919613
 */
static const char *const coupang_requests[][2] = {
	{ "CANCEL", NULL }, { "RETURN", "RU" }, { "RETURN", "UC" },
	{ "RETURN", "PR" }, { "RETURN", "CC" }
};
#define NREQUESTS (sizeof coupang_requests / sizeof coupang_requests[0])

/* The cancel state of each workflow, for a box cancelled whole before
 * it shipped (channel_status "CANCEL", which Coupang's lists never
 * show: a cancelled box leaves them). */
static const char *const coupang_cancel[][2] = {
	{ "dispatch", "CANCEL" }, { "fulfillment", "cancelled" },
	{ "food-delivery", "cancelled" }
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

/* The cancel state of workflow, or NULL. */
static const char *
coupang_cancel_state(const char *workflow)
{
	for (size_t w = 0; w < sizeof coupang_cancel /
	    sizeof coupang_cancel[0]; w++)
		if (strcmp(coupang_cancel[w][0], workflow) == 0)
			return coupang_cancel[w][1];
	return NULL;
}

/*
 * One order sheet (a shipment box) as a SPEC 3.1 record, with what the
 * return requests in st said of it (st may be NULL: none read); NULL
 * with why when it lacks what a record needs.
 */
static json_t *
coupang_record(const struct uoms_fetch_ctx *ctx, struct coupang *st,
    json_t *box, const char *asked, char *why, size_t whylen)
{
	char id[64], oid[64], latest_s[40] = "";
	const char *raw = str(box, "status");
	json_t *rec, *cust, *ship, *items, *list, *breq, *holds;
	time_t latest = 0;
	long long total = 0, fee = 0, v;
	int have_total = 0, whole = 1;

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

	breq = uoms_coupang_box_requests(st, id, 0);
	holds = json_object();
	if (breq != NULL)
		json_object_update(holds, json_object_get(breq, "holds"));
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
			json_decref(holds);
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
		 * cancelled whole stays a valid item (quantity > 0). */
		if (count < 0 || cancel < 0 || count > UOMS_QUANTITY_MAX ||
		    cancel > UOMS_QUANTITY_MAX - count)
			count = cancel = 0;
		/* The done requests' units of this item: the sheet may not
		 * show them yet (or show them already), so the larger of
		 * the two is what is cancelled, never their sum; a stale
		 * sheet still counts them in shippingCount. */
		json_t *rc = breq != NULL ? json_object_get(json_object_get(
		    breq, "cancel"), vid) : NULL;
		long long ordered = count + cancel;
		if (json_is_integer(rc) && json_integer_value(rc) > cancel) {
			cancel = json_integer_value(rc);
			if (cancel > UOMS_QUANTITY_MAX)
				cancel = UOMS_QUANTITY_MAX;
			if (ordered < cancel)
				ordered = cancel;
		}
		if (ordered == 0 || cancel < ordered)
			whole = 0;
		/* holdCountForCancel: units the customer asked to cancel,
		 * waiting for the cancel (and refund) to be done. They are
		 * still ordered and not yet cancelled, but must not be
		 * shipped: the order is held until Coupang settles them
		 * (the hold ends when the count is back to 0, the units
		 * then in cancelCount or shippingCount). */
		long long hold = 0;
		if (won(json_object_get(it, "holdCountForCancel"), &hold) ==
		    0 && hold > 0) {
			char key[96], note[200];

			snprintf(key, sizeof key, "coupang:hold-for-cancel:%s",
			    vid);
			snprintf(note, sizeof note, "Coupang: %lld unit%s of "
			    "item %s wait%s for a cancel (holdCountForCancel)",
			    hold, hold == 1 ? "" : "s", vid, hold == 1 ? "s" :
			    "");
			json_object_set_new(holds, key, json_string(note));
		}
		json_object_set_new(o, "quantity", json_integer(ordered > 0 ?
		    ordered : 1));
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
		    (cancel > 0 && cancel >= ordered))
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
	/* A box cancelled whole before it shipped is cancelled here too
	 * (the issue 9 sync moves the order, or holds it for drift); one
	 * cancelled after it shipped is a return: its units are counted
	 * cancelled, its status stays the channel's. */
	if (whole && json_array_size(items) > 0 && (strcmp(raw, "ACCEPT") ==
	    0 || strcmp(raw, "INSTRUCT") == 0 || strcmp(raw, "CANCEL") == 0)) {
		const char *cs = coupang_cancel_state(workflow_of(ctx));

		json_object_set_new(rec, "channel_status",
		    json_string("CANCEL"));
		if (cs != NULL)
			json_object_set_new(rec, "status", json_string(cs));
		else
			json_object_del(rec, "status");
	}
	json_object_set_new(rec, "channel_holds", uoms_coupang_holds_array(holds));
	json_decref(holds);
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

/* Fills req with a signed GET of path?query (query may be ""). */
enum uoms_kind_step
uoms_coupang_signed_get(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char *path, const char *query, char *why, size_t whylen)
{
	return uoms_coupang_signed(ctx, req, "GET", path, query, why, whylen);
}

/* Fills req with a signed request (the body is the caller's: Coupang
 * signs the method, path and query, not the body). */
enum uoms_kind_step
uoms_coupang_signed(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    const char *method, const char *path, const char *query, char *why,
    size_t whylen)
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
	if (uoms_coupang_sign(sk, date, method, path, query, sig) < 0) {
		snprintf(why, whylen, "cannot compute the HMAC signature");
		return UOMS_KIND_FAIL;
	}
	snprintf(req->method, sizeof req->method, "%s", method);
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


/* Days a query of the current phase spans, at most. */
static time_t
span_days(const struct coupang *st)
{
	return st->phase == PH_EXCHANGES ? COUPANG_EXCHANGE_DAYS :
	    COUPANG_SPAN_DAYS;
}

/* Moves st to the next span of the window: 0, or -1 past the last. */
static int
span_next(struct coupang *st)
{
	if (st->to >= st->last)
		return -1;
	st->from = st->to + DAY;
	st->to = st->from + (span_days(st) - 1) * DAY;
	if (st->to > st->last)
		st->to = st->last;
	return 0;
}

/* Back to the first span of the window. */
static void
span_first(struct coupang *st)
{
	st->from = st->first;
	st->to = st->from + (span_days(st) - 1) * DAY;
	if (st->to > st->last)
		st->to = st->last;
}

/* The boxes to read one by one, each once: the open ones placed before
 * the window, then those the requests named; none the sheets listed. */
static void
queue_boxes(struct coupang *st)
{
	const char *id;
	json_t *v;

	for (size_t i = 0; i < json_array_size(st->old); i++) {
		id = json_string_value(json_array_get(st->old, i));
		if (json_object_get(st->seen, id) == NULL) {
			json_array_append_new(st->queue, json_string(id));
			json_object_set_new(st->seen, id, json_false());
		}
	}
	json_object_foreach(st->boxes, id, v)
		if (json_object_get(st->seen, id) == NULL)
			json_array_append_new(st->queue, json_string(id));
}

static void
old_add(void *arg, const char *ext)
{
	json_array_append_new(arg, json_string(ext));
}

/*
 * The open boxes the store has from before the window: the lists go by
 * creation date, so a box placed before it is never listed again, and
 * one placed 8 days ago and delivered today would keep its old status.
 * At most refresh_max (a setting, default 100) a run, oldest first; a
 * box leaves the list once the store has it in a final status
 * (FINAL_DELIVERY, or CANCEL).
 */
static int
coupang_old(struct uoms_fetch_ctx *ctx, struct coupang *st, char *why,
    size_t whylen)
{
	json_t *v = json_object_get(ctx->channel->settings, "refresh_max");
	long long max = COUPANG_REFRESH_MAX;
	char before[40];
	time_t t = st->first - KST;
	struct tm tm;

	if (v != NULL && won(v, &max) < 0) {
		snprintf(why, whylen, "setting 'refresh_max' is not a number "
		    "of boxes");
		return -1;
	}
	if (max < 0 || max > 10000) {
		snprintf(why, whylen, "setting 'refresh_max' is %lld, not 0 "
		    "to 10000", max);
		return -1;
	}
	if (ctx->stored_open == NULL || max == 0)
		return 0;
	gmtime_r(&t, &tm);
	strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ctx->stored_open(ctx, before, "\nFINAL_DELIVERY\nCANCEL\n",
	    (int)max, old_add, st->old, why, whylen);
}

static enum uoms_kind_step
coupang_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    char *why, size_t whylen)
{
	struct coupang *st = ctx->state;
	const char *vendor;
	struct uoms_buf path = { 0 }, query = { 0 };
	char from[11], to[11];
	enum uoms_kind_step rc;

	if (st == NULL) {
		if ((st = calloc(1, sizeof *st)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return UOMS_KIND_FAIL;
		}
		ctx->state = st;
	}
	if (ctx->products)
		return uoms_coupang_products_next(ctx, st, req, why, whylen);
	if (!st->started) {
		if (coupang_start(ctx, st, why, whylen) < 0)
			return UOMS_KIND_FAIL;
		st->boxes = json_object();
		st->receipts = json_object();
		st->seen = json_object();
		st->queue = json_array();
		st->old = json_array();
		if (coupang_old(ctx, st, why, whylen) < 0)
			return UOMS_KIND_FAIL;
	}
	if (st->phase == PH_REQUESTS && st->req == NREQUESTS) {
		/* Every request query of this span is done: the next. */
		if (span_next(st) == 0)
			st->req = 0;
		else {
			st->phase = PH_EXCHANGES;
			span_first(st);
		}
	}
	if (st->phase == PH_EXCHANGES && st->x_done) {
		/* This span's exchange requests are read: the next span (7
		 * days at most), then the order sheets. */
		if (span_next(st) == 0)
			st->x_done = 0;
		else {
			st->phase = PH_SHEETS;
			span_first(st);
		}
	}
	if (st->phase == PH_SHEETS && st->status == NSTATUS) {
		/* Every status of this span is done: the next span. */
		if (span_next(st) == 0)
			st->status = 0;
		else {
			st->phase = PH_BOXES;
			queue_boxes(st);
		}
	}
	if (st->phase == PH_BOXES && st->q_pos >= json_array_size(st->queue))
		return UOMS_KIND_DONE;
	vendor = str(ctx->channel->settings, "vendor_id");
	if (!nonempty(vendor)) {
		snprintf(why, whylen, "setting 'vendor_id' is not set");
		return UOMS_KIND_FAIL;
	}

	uoms_buf_str(&path, "/v2/providers/openapi/apis/api/v4/vendors/");
	uoms_url_escape(&path, vendor);
	day_text(st->from, from);
	day_text(st->to, to);
	if (st->phase == PH_BOXES) {
		uoms_buf_str(&path, "/ordersheets/");
		uoms_url_escape(&path, json_string_value(json_array_get(
		    st->queue, st->q_pos)));
		uoms_buf_str(&query, "");
	} else if (st->phase == PH_EXCHANGES) {
		uoms_buf_str(&path, "/exchangeRequests");
		uoms_buf_printf(&query, "createdAtFrom=%s&createdAtTo=%s"
		    "&maxPerPage=%d", from, to, COUPANG_PER_PAGE);
		if (st->next_token != NULL) {
			uoms_buf_str(&query, "&nextToken=");
			uoms_url_escape(&query, st->next_token);
		}
	} else if (st->phase == PH_REQUESTS) {
		uoms_buf_str(&path, "/returnRequests");
		uoms_buf_printf(&query, "createdAtFrom=%s&createdAtTo=%s"
		    "&cancelType=%s&maxPerPage=%d", from, to,
		    coupang_requests[st->req][0], COUPANG_PER_PAGE);
		if (st->next_token != NULL) {
			uoms_buf_str(&query, "&nextToken=");
			uoms_url_escape(&query, st->next_token);
		}
		if (coupang_requests[st->req][1] != NULL)
			uoms_buf_printf(&query, "&status=%s",
			    coupang_requests[st->req][1]);
	} else {
		uoms_buf_str(&path, "/ordersheets");
		uoms_buf_printf(&query, "createdAtFrom=%s&createdAtTo=%s"
		    "&maxPerPage=%d", from, to, COUPANG_PER_PAGE);
		if (st->next_token != NULL) {
			uoms_buf_str(&query, "&nextToken=");
			uoms_url_escape(&query, st->next_token);
		}
		uoms_buf_printf(&query, "&status=%s",
		    coupang_status[st->status]);
	}
	rc = uoms_coupang_signed_get(ctx, req, path.p, query.p, why, whylen);
	uoms_buf_free(&path);
	uoms_buf_free(&query);
	return rc;
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

/* The next page of a list (nextToken: a number or a string; empty, null
 * or absent on the last page): 1 when there is one, 0 at the end, -1
 * with why when a token comes with no rows. */
static int
next_page(struct coupang *st, json_t *root, size_t rows, char *why,
    size_t whylen)
{
	char next[128] = "";
	json_t *nt = json_object_get(root, "nextToken");

	if (nt != NULL && !json_is_null(nt))
		uoms_map_id(nt, next, sizeof next);
	free(st->next_token);
	st->next_token = NULL;
	if (next[0] == '\0')
		return 0;
	if (rows == 0) {
		snprintf(why, whylen, "answer has no rows but a nextToken "
		    "'%s'", next);
		return -1;
	}
	st->next_token = strdup(next);
	return 1;
}

/* One box's line: emitted once (a box may be listed again as it moves
 * on while we look: the later word wins, as in the order of the walk). */
static int
emit_box(struct uoms_fetch_ctx *ctx, struct coupang *st, json_t *box,
    const char *asked, char *why, size_t whylen)
{
	json_t *rec = coupang_record(ctx, st, box, asked, why, whylen);

	if (rec == NULL)
		return -1;
	json_object_set_new(st->seen, json_string_value(json_object_get(rec,
	    "external_order_id")), json_true());
	ctx->emit(ctx, rec);
	json_decref(rec);
	return 0;
}

static int
coupang_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct coupang *st = ctx->state;
	json_error_t err;
	json_t *root, *code, *data;
	char ex[64];
	int rc = -1, more;

	if (st == NULL || (!ctx->products && (!st->started ||
	    (st->phase == PH_SHEETS && st->status >= NSTATUS) ||
	    (st->phase == PH_REQUESTS && st->req >= NREQUESTS) ||
	    (st->phase == PH_EXCHANGES && st->x_done) ||
	    (st->phase == PH_BOXES && st->q_pos >=
	    json_array_size(st->queue))))) {
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
		rc = uoms_coupang_products_take(ctx, st, root, why, whylen);
		json_decref(root);
		return rc;
	}
	data = json_object_get(root, "data");
	if (st->phase == PH_BOXES) {
		if (!json_is_object(data))
			snprintf(why, whylen, "order sheet answer has no data "
			    "object");
		else if (emit_box(ctx, st, data, "ACCEPT", why, whylen) == 0) {
			st->q_pos++;
			rc = 0;
		}
		json_decref(root);
		return rc;
	}
	if (!json_is_array(data)) {
		snprintf(why, whylen, "answer has no data array");
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(data); i++) {
		json_t *row = json_array_get(data, i);

		if (st->phase == PH_REQUESTS ? uoms_coupang_receipt(st,
		    coupang_requests[st->req][0], row, why, whylen) < 0 :
		    st->phase == PH_EXCHANGES ? uoms_coupang_exchange(st, row,
		    why, whylen) < 0 :
		    emit_box(ctx, st, row, coupang_status[st->status], why,
		    whylen) < 0) {
			json_decref(root);
			return -1;
		}
	}
	more = next_page(st, root, json_array_size(data), why, whylen);
	json_decref(root);
	if (more < 0)
		return -1;
	if (more == 0 && st->phase == PH_REQUESTS)
		st->req++;
	else if (more == 0 && st->phase == PH_EXCHANGES)
		st->x_done = 1;
	else if (more == 0)
		st->status++;
	return 0;
}

/*
 * A non-2xx answer. 429: Coupang limits requests per vendor and, asked
 * again while it throttles, blocks the vendor "from minutes to tens of
 * minutes"; so the run stops here, saying when to fetch again
 * (Retry-After when it says, else in 10 minutes), and the next cron run
 * picks up where this one left. A box read on its own that Coupang
 * refuses (400, 404: no longer the vendor's to see) is skipped, said,
 * so one gone box does not stop every later fetch.
 */
static enum uoms_kind_refusal
coupang_refused(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct coupang *st = ctx->state;
	char ra[64] = "", at[40];
	long long wait = 600;
	time_t t;
	struct tm tm;

	if (r->status != 429) {
		if (ctx->products || st == NULL || st->phase != PH_BOXES ||
		    st->q_pos >= json_array_size(st->queue) ||
		    (r->status != 400 && r->status != 404))
			return UOMS_REFUSAL_ENGINE;
		snprintf(why, whylen, "shipment box '%s' not read: coupang "
		    "answered HTTP %ld", json_string_value(json_array_get(
		    st->queue, st->q_pos)), r->status);
		st->q_pos++;
		return UOMS_REFUSAL_NEXT;
	}
	if (uoms_http_header(r, "Retry-After", ra, sizeof ra) == 0 &&
	    ra[0] >= '0' && ra[0] <= '9') {
		char *end;
		long long n = strtoll(ra, &end, 10);

		if (*end == '\0' && n > 0 && n < 86400)
			wait = n;
	}
	t = time(NULL) + (time_t)wait;
	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(why, whylen, "coupang is throttling this vendor (HTTP 429): "
	    "stopped without retrying, since asking again while throttled "
	    "makes Coupang block for minutes to tens of minutes; fetch again "
	    "after %s", at);
	return UOMS_REFUSAL_FAIL;
}

static void
coupang_done(struct uoms_fetch_ctx *ctx)
{
	struct coupang *st = ctx->state;

	if (st != NULL) {
		free(st->next_token);
		json_decref(st->p_queue);
		json_decref(st->p_skus);
		json_decref(st->boxes);
		json_decref(st->receipts);
		json_decref(st->seen);
		json_decref(st->queue);
		json_decref(st->old);
		free(st);
	}
	ctx->state = NULL;
}

const struct uoms_kind uoms_kind_coupang = {
	.name = "coupang",
	.next = coupang_next,
	.take = coupang_take,
	.done = coupang_done,
	.refused = coupang_refused,
	/* About 10 requests a second per vendor answer 429: stay well
	 * under. */
	.max_rate = 5.0,
	.push = uoms_coupang_push,
	.pushed = uoms_coupang_pushed,
	.wants_ack = uoms_coupang_wants_ack,
};
