/*
 * kind naver: orders from the Naver Commerce API (SmartStore) (SPEC 7), as
 * its public docs describe it:
 *
 *   authentication, client_secret_sign:
 *     https://apicenter.commerce.naver.com/docs/auth
 *   the token:
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current/exchange-sellers-auth
 *   changed product orders:
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-last-changed-status-pay-order-seller
 *   product order details:
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-product-orders-pay-order-seller
 *   the product orders of an order:
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-product-order-ids-pay-order-seller
 *
 * A fetch is four kinds of request, under base {base}/external:
 *
 * 1. POST /v1/oauth2/token (form: client_id, timestamp, client_secret_sign,
 *    grant_type=client_credentials, type=SELF) unless a token kept from an
 *    earlier fetch is still good; the token lives 3 hours and is kept
 *    sealed (ctx->keep_secret) until shortly before it expires.
 * 2. GET /v1/pay-order/seller/product-orders/last-changed-statuses
 *    ?lastChangedFrom=T&lastChangedTo=T (+09:00 offsets), in spans of at
 *    most 24 hours from since to until; an answer holds at most 300
 *    changes, and a "more" object says where the next one starts
 *    (more.moreFrom as lastChangedFrom, more.moreSequence as moreSequence).
 * 3. For each order that changed: GET /v1/pay-order/seller/orders/
 *    {orderId}/product-order-ids. A record is a whole order and upsert
 *    replaces its items whole, so an order must come with all its product
 *    orders, not only the ones that changed.
 * 4. POST /v1/pay-order/seller/product-orders/query {"productOrderIds":
 *    [...]}, at most 300 at a time; an order is emitted once all its
 *    product orders are in.
 *
 * --products (the catalog), after the same token:
 *   product search:
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current/search-product
 * POST /v1/products/search {"page": N, "size": 100, "orderType":
 * "MOD_DATE"} pages 1, 2, ... until the answer says last (or page >= totalPages,
 * or no contents); contents[] are origin products, each with
 * channelProducts[]. One product line per channel product: sku =
 * sellerManagementCode, else channelProductNo; name; category =
 * wholeCategoryName; price = salePrice (KRW); stock = stockQuantity. The
 * whole catalog each time (no date filter): a product that did not change
 * is simply unchanged in the store. A sku seen twice (the same product on
 * the smart store and a window) is one line, the first.
 *
 * A record is one orderId; its items are its product orders, keyed by
 * productOrderId. The status of an order is that of its least advanced
 * live product order (naver_status_of); claims stay on their items, and
 * an open one (naver_hold) is also a channel_holds entry of the record,
 * which says [] when none is open. A done cancel or return counts its
 * units cancelled (naver_cancelled); an order closed whole refunds its
 * shipping (naver_refund_extra).
 *
 * A 401 to a request with the token drops it, asks for a new one and
 * makes the request again, once a fetch; a 429 is asked again after one
 * refill of the gateway's bucket, whose GNCP-GW-RateLimit-* headers pace
 * every request (naver_refused, naver_pace).
 *
 * uoms-push (naver_push, naver_pushed), after the same token (a kept one,
 * else asked for first; a 401 re-issues it once, as a fetch does):
 *   order confirmation (발주 확인 처리), the ack: "발주 확인 처리" under
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current
 *     POST /v1/pay-order/seller/product-orders/confirm {"productOrderIds":
 *     [...]}
 *   dispatch (발송 처리), the shipment:
 *     https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-dispatch-product-orders-pay-order-seller
 *     POST /v1/pay-order/seller/product-orders/dispatch
 *     {"dispatchProductOrders": [{productOrderId, deliveryMethod
 *     "DELIVERY", deliveryCompanyCode, trackingNumber, dispatchDate}]}
 * at most 30 product orders a request, so an order of more is told in
 * several. Both answer 200 with data {failProductOrderInfos
 * [{productOrderId, code, message}]} and what went through: dispatch as
 * successProductOrderIds, confirm as successProductOrderInfos
 * [{productOrderId, isReceiverAddressChanged}] (either is read). Any product
 * order failed refuses the push, naming it, and those that went through.
 * The product orders told are the order's items (external_item_id) that
 * are not closed (cancelled or returned whole), not dispatched yet, and,
 * for the ack, not confirmed yet (place_order_status OK): an order with
 * none left is taken without a request.
 */
#include <crypt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "carrier.h"
#include "kind-naver.h"
#include "kind.h"
#include "map.h"
#include "order.h"
#include "rfc3339.h"

#define NAVER_BASE "https://api.commerce.naver.com"
#define NAVER_BATCH 300		/* productOrderIds per query */
#define NAVER_SPAN_MS (24LL * 3600 * 1000)
#define NAVER_FIRST_DAYS 7	/* no since: the store has nothing yet */
#define NAVER_TOKEN_MARGIN 600	/* seconds kept short of expires_in */
/* The longest a rate limit is waited out; longer fails the channel. */
#define NAVER_WAIT_MAX 60.0
/* The pace when an answer says nothing of the gateway's bucket. */
#define NAVER_BLIND_PAUSE 0.2
#define NAVER_NOTE_MAX 500	/* bytes of a channel_holds note */
#define NAVER_PUSH_BATCH 30	/* productOrderIds a confirm or dispatch */
#define KST (9 * 3600)

/*
 * The product order statuses, least advanced first, and the state each
 * workflow gives them. The first six are live; the last three close a
 * product order.
 */
static const char *const naver_status[] = {
	"PAYMENT_WAITING", "PAYED", "DELIVERING", "DELIVERED",
	"PURCHASE_DECIDED", "EXCHANGED", "CANCELED", "RETURNED",
	"CANCELED_BY_NOPAYMENT"
};
#define NSTATUS (sizeof naver_status / sizeof naver_status[0])
#define NLIVE 6

static const struct {
	const char *workflow;
	const char *state[NSTATUS];
} naver_states[] = {
	{ "dispatch", { "WAITING", "WAITING", "IN_PROGRESS", "COMPLETE",
	    "COMPLETE", "COMPLETE", "CANCEL", "ISSUE", "CANCEL" } },
	{ "fulfillment", { "created", "paid", "shipped", "delivered",
	    "delivered", "delivered", "cancelled", "returned", "cancelled" } },
	{ "food-delivery", { "pending_payment", "pending_acceptance",
	    "in_transit", "delivered", "delivered", "delivered", "cancelled",
	    "cancelled", "cancelled" } },
};

enum naver_phase { P_TOKEN, P_LIST, P_IDS, P_QUERY, P_PRODUCTS };

struct naver {
	int started;
	enum naver_phase phase;
	char *token;		/* owned; wiped when done */
	long long from, to, until;	/* ms since the epoch: the span */
	char *more_from, *more_seq;	/* the next page of this span */
	int list_done;
	json_t *seen;		/* orderId -> channel_updated_at emitted */
	json_t *acc;		/* orderId -> {changed, listed, expect,
				 * got} */
	json_t *id_queue;	/* orderIds whose product orders to list */
	size_t id_pos;
	json_t *want;		/* productOrderIds to query */
	size_t want_pos, batch;
	/* --products */
	long long page;		/* the last page asked, from 1 */
	int products_done;
	json_t *skus;		/* skus emitted: one line per sku */
	/* 401: the token dropped and a new one asked once per fetch; the
	 * refused request is asked again in its phase, resume. */
	int reissued;
	enum naver_phase resume;
	/* uoms-push (naver_push): the product orders to tell, sent
	 * NAVER_PUSH_BATCH at a time from push_pos; what Naver said of
	 * those sent so far. started stays 0: naver_refused leaves every
	 * answer of a push to naver_pushed. */
	json_t *push_ids;
	size_t push_pos, push_batch;
	int push_token;		/* the request out is the token's */
	json_t *push_ok, *push_fail;
	char push_company[64], push_date[48];
};

#define NAVER_PRODUCTS_PER_PAGE 100

int
uoms_naver_sign(const char *client_id, const char *timestamp,
    const char *client_secret, char *out, size_t outlen, char *why,
    size_t whylen)
{
	struct crypt_data *cd;
	struct uoms_buf pw = { 0 };
	const char *h;
	size_t n;
	int rc = -1;

	if (strncmp(client_secret, "$2", 2) != 0) {
		snprintf(why, whylen, "client secret is not a bcrypt salt "
		    "('$2a$...')");
		return -1;
	}
	if ((cd = calloc(1, sizeof *cd)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	uoms_buf_printf(&pw, "%s_%s", client_id, timestamp);
	h = pw.p != NULL ? crypt_r(pw.p, client_secret, cd) : NULL;
	if (h == NULL || h[0] != '$')
		snprintf(why, whylen, "client secret is not a bcrypt salt "
		    "(bcrypt refused it)");
	else if (4 * (((n = strlen(h)) + 2) / 3) + 1 > outlen)
		snprintf(why, whylen, "signature too long");
	else {
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)h,
		    (int)n);
		rc = 0;
	}
	OPENSSL_cleanse(cd, sizeof *cd);
	free(cd);
	if (pw.p != NULL)
		OPENSSL_cleanse(pw.p, pw.n);
	uoms_buf_free(&pw);
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

/* Won: Naver's amounts are integers. 0 when set, -1 when not. */
static int
won(json_t *v, long long *out)
{
	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* An RFC 3339 time into t (whole seconds); -1 when it is not one. */
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

/* A Naver time ("2023-01-16T17:14:51.794+09:00") as RFC 3339 UTC with
 * whole seconds into out (>= 40 bytes); -1 when it is not a time. */
static int
to_utc(const char *s, char *out, time_t *t)
{
	struct tm tm;

	if (utc_parse(s, t) < 0)
		return -1;
	gmtime_r(t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

static void
set_time(json_t *obj, const char *key, const char *s)
{
	char utc[40];
	time_t t;

	if (to_utc(s, utc, &t) == 0)
		json_object_set_new(obj, key, json_string(utc));
}

/* ms since the epoch as Naver writes times: KST with its offset. */
static void
kst_text(long long ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000) + KST;
	struct tm tm;
	char day[24];

	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03lld+09:00", day, ms % 1000);
}

static int
id_cmp(const char *x, const char *y)
{
	size_t nx = strlen(x), ny = strlen(y);

	return nx != ny ? (nx < ny ? -1 : 1) : strcmp(x, y);
}

static const char *
workflow_of(const struct uoms_fetch_ctx *ctx)
{
	const char *w = ctx->channel->workflow;

	return w != NULL && *w != '\0' ? w : "dispatch";
}

static int
status_index(const char *raw)
{
	for (size_t i = 0; raw != NULL && i < NSTATUS; i++)
		if (strcmp(naver_status[i], raw) == 0)
			return (int)i;
	return -1;
}

static const char *
naver_state(const char *workflow, int i)
{
	for (size_t w = 0; i >= 0 && w < sizeof naver_states /
	    sizeof naver_states[0]; w++)
		if (strcmp(naver_states[w].workflow, workflow) == 0)
			return naver_states[w].state[i];
	return NULL;
}

/*
 * An order's status from its product orders': the least advanced live
 * one; when none is live, RETURNED if any was returned, else CANCELED,
 * else CANCELED_BY_NOPAYMENT. -1 when no status is known.
 */
static int
naver_status_of(json_t *infos)
{
	int best = -1, closed = -1;

	for (size_t i = 0; i < json_array_size(infos); i++) {
		json_t *po = json_object_get(json_array_get(infos, i),
		    "productOrder");
		int k = status_index(str(po, "productOrderStatus"));

		if (k < 0)
			continue;
		if (k < NLIVE) {
			if (best < 0 || k < best)
				best = k;
		} else if (closed < 0 || k == 7 || (closed != 7 &&
		    k < closed))
			closed = k;
	}
	return best >= 0 ? best : closed;
}

/* The order_no shape of SPEC 3.1: at most 15 digits and '-'. */
static int
order_no_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15)
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

/* Nonzero when the claim of product order po is done: it took effect. */
static int
naver_claim_done(json_t *po)
{
	static const char *const done[][2] = {
		{ "CANCEL", "CANCEL_DONE" }, { "ADMIN_CANCEL", "CANCEL_DONE" },
		{ "ADMIN_CANCEL", "ADMIN_CANCEL_DONE" },
		{ "RETURN", "RETURN_DONE" },
	};
	const char *type = str(po, "claimType"), *st = str(po, "claimStatus");

	for (size_t i = 0; type != NULL && st != NULL &&
	    i < sizeof done / sizeof done[0]; i++)
		if (strcmp(done[i][0], type) == 0 && strcmp(done[i][1], st) == 0)
			return 1;
	return 0;
}

/*
 * The units of product order po (*q of them, read) cancelled or returned,
 * so not revenue. Closed (CANCELED, RETURNED, CANCELED_BY_NOPAYMENT): all
 * of them. Else a claim done (CANCEL or ADMIN_CANCEL as CANCEL_DONE,
 * RETURN as RETURN_DONE) on part of it: initialQuantity less
 * remainQuantity, the units ordered then *q = initialQuantity. A claim
 * under way (CANCEL_REQUEST, COLLECTING, ...) or rejected cancels
 * nothing; an EXCHANGE gives goods, not money, back.
 */
static long long
naver_cancelled(json_t *po, long long *q)
{
	long long init, remain;
	int k = status_index(str(po, "productOrderStatus"));

	if (k >= NLIVE)
		return *q;
	if (!naver_claim_done(po))
		return 0;
	if (won(json_object_get(po, "initialQuantity"), &init) == 0 &&
	    won(json_object_get(po, "remainQuantity"), &remain) == 0 &&
	    init > 0 && init <= UOMS_QUANTITY_MAX && remain >= 0 &&
	    remain < init) {
		*q = init;
		return init - remain;
	}
	return *q;	/* the claim took the product order whole */
}

/* One product order as an item. */
static json_t *
naver_item(json_t *info)
{
	json_t *po = json_object_get(info, "productOrder");
	json_t *dl = json_object_get(info, "delivery"), *it = json_object();
	long long q = 0, price = 0, opt = 0, cancelled;
	char id[64];

	if (uoms_map_id(json_object_get(po, "productOrderId"), id, sizeof id) == 0)
		json_object_set_new(it, "external_item_id", json_string(id));
	if (nonempty(str(po, "optionManageCode")))
		uoms_map_str(it, "sku", str(po, "optionManageCode"));
	else
		uoms_map_str(it, "sku", str(po, "sellerProductCode"));
	uoms_map_str(it, "name", str(po, "productName"));
	if (won(json_object_get(po, "quantity"), &q) < 0 || q <= 0)
		q = 1;
	cancelled = naver_cancelled(po, &q);
	json_object_set_new(it, "quantity", json_integer(q));
	if (cancelled > 0)
		json_object_set_new(it, "cancelled_quantity",
		    json_integer(cancelled));
	if (won(json_object_get(po, "unitPrice"), &price) == 0) {
		won(json_object_get(po, "optionPrice"), &opt);
		json_object_set_new(it, "unit_price", json_integer(price +
		    opt));
	}
	uoms_map_str(it, "option", str(po, "productOption"));
	if (uoms_map_id(json_object_get(po, "productId"), id, sizeof id) == 0)
		json_object_set_new(it, "product_id", json_string(id));
	uoms_map_str(it, "channel_status", str(po, "productOrderStatus"));
	uoms_map_str(it, "place_order_status", str(po, "placeOrderStatus"));
	if (nonempty(str(po, "claimType"))) {
		json_t *c = json_object();

		uoms_map_str(c, "type", str(po, "claimType"));
		uoms_map_str(c, "status", str(po, "claimStatus"));
		uoms_map_str(c, "id", str(po, "claimId"));
		json_object_set_new(it, "claim", c);
	}
	if (json_is_object(dl) && (nonempty(str(dl, "trackingNumber")) ||
	    nonempty(str(dl, "deliveryCompany")))) {
		json_t *d = json_object();

		uoms_map_str(d, "company", str(dl, "deliveryCompany"));
		uoms_map_str(d, "tracking_number", str(dl, "trackingNumber"));
		uoms_map_str(d, "status", str(dl, "deliveryStatus"));
		set_time(d, "shipped_at", str(dl, "sendDate"));
		set_time(d, "delivered_at", str(dl, "deliveredDate"));
		json_object_set_new(it, "delivery", d);
	}
	return it;
}

/*
 * The claims of the product order details (claimType, claimStatus,
 * claimId of productOrder; the reason in the cancel, return or exchange
 * member):
 *   https://apicenter.commerce.naver.com/docs/commerce-api/current/seller-get-product-orders-pay-order-seller
 * A claim of these types is open until its status ends in _DONE or
 * _REJECT (CANCEL_REQUEST, CANCELING, RETURN_REQUEST, COLLECTING,
 * COLLECT_DONE, EXCHANGE_REQUEST, EXCHANGE_REDELIVERING, ADMIN_CANCELING
 * and any new one): while it is, the order must not ship as if nothing
 * were asked. A claim without a status is not known to be open.
 */
static const struct {
	const char *type, *name, *member, *reason;
} naver_claims[] = {
	{ "CANCEL", "cancel request", "cancel", "cancelReason" },
	{ "ADMIN_CANCEL", "cancel by Naver", "cancel", "cancelReason" },
	{ "RETURN", "return request", "return", "returnReason" },
	{ "EXCHANGE", "exchange request", "exchange", "exchangeReason" },
};

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcmp(s + n - k, tail) == 0;
}

/* At most max bytes of s, not cutting a UTF-8 sequence, into b. */
static void
utf8_cut(struct uoms_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	uoms_buf_add(b, s, n);
}

/*
 * Appends to holds the channel_holds entry of product order info's open
 * claim, if it has one: key "naver:claim:TYPE:claimId" (the product
 * order's id for the claim id when there is none), unique in keys; note
 * naming the claim, the product order and its product for a person.
 */
static void
naver_hold(json_t *info, json_t *holds, json_t *keys)
{
	json_t *po = json_object_get(info, "productOrder"), *h;
	const char *type = str(po, "claimType"), *st = str(po, "claimStatus");
	const char *reason = NULL;
	char cid[64] = "", pid[64] = "";
	struct uoms_buf key = { 0 }, note = { 0 };
	size_t i;

	if (type == NULL || !nonempty(st) || ends_with(st, "_DONE") ||
	    ends_with(st, "_REJECT"))
		return;
	for (i = 0; i < sizeof naver_claims / sizeof naver_claims[0]; i++)
		if (strcmp(naver_claims[i].type, type) == 0)
			break;
	if (i == sizeof naver_claims / sizeof naver_claims[0])
		return;
	uoms_map_id(json_object_get(po, "claimId"), cid, sizeof cid);
	uoms_map_id(json_object_get(po, "productOrderId"), pid, sizeof pid);
	if (cid[0] == '\0' && pid[0] == '\0')
		return;
	/* type is one of naver_claims: short and printable. */
	uoms_buf_printf(&key, "naver:claim:%s:%s%s", naver_claims[i].type,
	    cid[0] != '\0' ? "" : "po:", cid[0] != '\0' ? cid : pid);
	if (key.p != NULL && json_object_get(keys, key.p) == NULL) {
		json_object_set_new(keys, key.p, json_true());
		reason = str(json_object_get(info, naver_claims[i].member),
		    naver_claims[i].reason);
		uoms_buf_printf(&note, "Naver %s %s (", naver_claims[i].name,
		    cid[0] != '\0' ? cid : "without an id");
		utf8_cut(&note, st, 40);
		uoms_buf_printf(&note, ") on product order %s", pid);
		if (nonempty(str(po, "productName"))) {
			uoms_buf_str(&note, " ");
			utf8_cut(&note, str(po, "productName"), 200);
		}
		if (nonempty(reason)) {
			uoms_buf_str(&note, ": ");
			utf8_cut(&note, reason, 100);
		}
		h = json_object();
		json_object_set_new(h, "key", json_string(key.p));
		if (note.p != NULL)
			json_object_set_new(h, "note", json_string(note.p));
		json_array_append_new(holds, h);
	}
	uoms_buf_free(&key);
	uoms_buf_free(&note);
}

/*
 * The money Naver gave back beyond the cancelled units (uoms(7),
 * refunded_amount), as far as the details say it: when no product order
 * is left live (every one cancelled or returned, and at least one was
 * paid for), the shipping paid (deliveryFeeAmount) went back with the
 * goods, less the return shipping the buyer was charged
 * (return.claimDeliveryFeeDemandAmount). A returned unit is a cancelled
 * unit (cancelled_quantity): its price is not counted again here.
 */
static long long
naver_refund_extra(json_t *infos)
{
	long long fee = 0, charged = 0, x;
	int paid = 0;

	for (size_t i = 0; i < json_array_size(infos); i++) {
		json_t *info = json_array_get(infos, i);
		json_t *po = json_object_get(info, "productOrder");
		int k = status_index(str(po, "productOrderStatus"));

		if (k < NLIVE)
			return 0;	/* live, or a status not known */
		if (k != 8)	/* CANCELED_BY_NOPAYMENT: nothing paid */
			paid = 1;
		if (won(json_object_get(po, "deliveryFeeAmount"), &x) == 0 &&
		    x > 0)
			fee += x;
		if (won(json_object_get(json_object_get(info, "return"),
		    "claimDeliveryFeeDemandAmount"), &x) == 0 && x > 0)
			charged += x;
	}
	return paid && fee > charged ? fee - charged : 0;
}

static int
info_cmp(const void *a, const void *b)
{
	char x[64] = "", y[64] = "";

	uoms_map_id(json_object_get(json_object_get(*(json_t *const *)a,
	    "productOrder"), "productOrderId"), x, sizeof x);
	uoms_map_id(json_object_get(json_object_get(*(json_t *const *)b,
	    "productOrder"), "productOrderId"), y, sizeof y);
	return id_cmp(x, y);
}

/*
 * The order's depart_time and complete_time from its product orders'
 * deliveries: it left with its first parcel (the earliest sendDate) and
 * was delivered with its last (the latest deliveredDate). The times are
 * UTC in one shape (set_time), so text order is time order.
 */
static void
order_times(json_t *rec, json_t *items)
{
	const char *first = NULL, *last = NULL;

	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *d = json_object_get(json_array_get(items, i),
		    "delivery");
		const char *s = str(d, "shipped_at"), *t = str(d,
		    "delivered_at");

		if (s != NULL && (first == NULL || strcmp(s, first) < 0))
			first = s;
		if (t != NULL && (last == NULL || strcmp(t, last) > 0))
			last = t;
	}
	if (first != NULL)
		json_object_set_new(rec, "depart_time", json_string(first));
	if (last != NULL)
		json_object_set_new(rec, "complete_time", json_string(last));
}

/* The record of order oid from its product orders (acc entry e). */
static json_t *
naver_record(const struct uoms_fetch_ctx *ctx, const char *oid, json_t *e)
{
	json_t *got = json_object_get(e, "got"), *v, *infos = json_array();
	json_t *rec = json_object(), *cust, *ship, *items, *order, *po;
	json_t *holds, *keys;
	const char *key, *changed = str(e, "changed");
	long long total = 0, fee = 0, x;
	size_t n;

	json_object_foreach(got, key, v)
		json_array_append(infos, v);
	n = json_array_size(infos);
	if (n > 1) {
		json_t **a = malloc(n * sizeof *a);

		if (a != NULL) {
			for (size_t i = 0; i < n; i++)
				a[i] = json_array_get(infos, i);
			qsort(a, n, sizeof *a, info_cmp);
			json_t *s = json_array();
			for (size_t i = 0; i < n; i++)
				json_array_append(s, a[i]);
			free(a);
			json_decref(infos);
			infos = s;
		}
	}
	/* Every product order carries its order; take the fullest. */
	order = json_object_get(json_array_get(infos, 0), "order");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object_get(json_array_get(infos, i), "order");

		if (json_object_size(o) > json_object_size(order))
			order = o;
	}

	json_object_set_new(rec, "channel", json_string(ctx->channel->name));
	json_object_set_new(rec, "external_order_id", json_string(oid));
	json_object_set_new(rec, order_no_ok(oid) ? "order_no" :
	    "channel_order_no", json_string(oid));
	json_object_set_new(rec, "workflow", json_string(workflow_of(ctx)));
	int k = naver_status_of(infos);
	const char *state = naver_state(workflow_of(ctx), k);
	if (state != NULL)
		json_object_set_new(rec, "status", json_string(state));
	if (k >= 0)
		json_object_set_new(rec, "channel_status",
		    json_string(naver_status[k]));

	cust = json_object();
	uoms_map_str(cust, "name", str(order, "ordererName"));
	uoms_map_phone(cust, str(order, "ordererTel"));
	uoms_map_str(cust, "orderer_id", str(order, "ordererId"));
	json_object_set_new(rec, "customer", cust);

	/* The address of the first live product order (they share one). */
	po = NULL;
	for (size_t i = 0; i < n && po == NULL; i++) {
		json_t *p = json_object_get(json_array_get(infos, i),
		    "productOrder");
		int s = status_index(str(p, "productOrderStatus"));

		if (s >= 0 && s < NLIVE)
			po = p;
	}
	if (po == NULL)
		po = json_object_get(json_array_get(infos, 0), "productOrder");
	json_t *addr = json_object_get(po, "shippingAddress");
	ship = json_object();
	uoms_map_postal(ship, str(addr, "zipCode"));
	const char *a1 = str(addr, "baseAddress"), *a2 = str(addr,
	    "detailedAddress");
	if (nonempty(a1) || nonempty(a2)) {
		struct uoms_buf a = { 0 };

		uoms_buf_str(&a, nonempty(a1) ? a1 : "");
		if (nonempty(a1) && nonempty(a2))
			uoms_buf_str(&a, " ");
		uoms_buf_str(&a, nonempty(a2) ? a2 : "");
		json_object_set_new(ship, "address", json_string(a.p));
		uoms_buf_free(&a);
	}
	uoms_map_str(ship, "name", str(addr, "name"));
	uoms_map_phone(ship, str(addr, "tel1"));
	uoms_map_str(ship, "memo", str(po, "shippingMemo"));
	json_object_set_new(rec, "shipping", ship);

	set_time(rec, "placed_at", str(order, "orderDate"));
	set_time(rec, "paid_at", str(order, "paymentDate"));
	if (nonempty(changed))
		json_object_set_new(rec, "channel_updated_at",
		    json_string(changed));
	uoms_map_str(rec, "payment_means", str(order, "paymentMeans"));

	items = json_array();
	holds = json_array();
	keys = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *info = json_array_get(infos, i);
		json_t *p = json_object_get(info, "productOrder");

		json_array_append_new(items, naver_item(info));
		naver_hold(info, holds, keys);
		/* What is still to be paid for: a product order cancelled or
		 * returned adds nothing (an order closed whole totals 0). */
		k = status_index(str(p, "productOrderStatus"));
		if ((k < 0 || k < NLIVE) && won(json_object_get(p,
		    "totalPaymentAmount"), &x) == 0)
			total += x;
		if (won(json_object_get(p, "deliveryFeeAmount"), &x) == 0)
			fee += x;
	}
	order_times(rec, items);
	json_object_set_new(rec, "items", items);
	json_object_set_new(rec, "total_amount", json_integer(total));
	json_object_set_new(rec, "shipping_fee", json_integer(fee));
	json_object_set_new(rec, "currency", json_string("KRW"));
	/* Every line says its open claims, [] when none: a claim that
	 * ended since the last line ends its hold (uoms-upsert(1)). */
	json_object_set_new(rec, "channel_holds", holds);
	if ((x = naver_refund_extra(infos)) > 0)
		json_object_set_new(rec, "refunded_amount", json_integer(x));
	json_decref(keys);
	json_decref(infos);
	return rec;
}

/* Emits the order of acc entry oid and forgets it. */
static void
naver_emit(struct uoms_fetch_ctx *ctx, struct naver *st, const char *oid)
{
	json_t *e = json_object_get(st->acc, oid);
	json_t *rec;

	if (json_object_size(json_object_get(e, "got")) == 0) {
		json_object_del(st->acc, oid);
		return;
	}
	rec = naver_record(ctx, oid, e);
	json_object_set_new(st->seen, oid, json_string(str(e, "changed") !=
	    NULL ? str(e, "changed") : ""));
	ctx->emit(ctx, rec);
	json_decref(rec);
	json_object_del(st->acc, oid);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
span_end(struct naver *st)
{
	st->to = st->from + NAVER_SPAN_MS - 1;
	if (st->to > st->until)
		st->to = st->until;
}

static int
naver_start(struct uoms_fetch_ctx *ctx, struct naver *st, char *why,
    size_t whylen)
{
	time_t t;

	st->until = now_ms();
	if (ctx->until != NULL && utc_parse(ctx->until, &t) == 0)
		st->until = (long long)t * 1000;
	if (ctx->since == NULL || *ctx->since == '\0')
		st->from = st->until - NAVER_FIRST_DAYS * 24LL * 3600 * 1000;
	else if (utc_parse(ctx->since, &t) < 0) {
		snprintf(why, whylen, "since '%s' is not an RFC 3339 time",
		    ctx->since);
		return -1;
	} else
		st->from = (long long)t * 1000;
	if (st->from > st->until)
		st->from = st->until;
	span_end(st);
	st->seen = json_object();
	st->acc = json_object();
	st->id_queue = json_array();
	st->want = json_array();
	st->skus = json_object();
	st->started = 1;
	return 0;
}

/* {base}/external, without a trailing slash, into url. */
static void
naver_base(const struct uoms_fetch_ctx *ctx, struct uoms_buf *url)
{
	const char *b = ctx->channel->base_url;
	size_t n;

	if (b == NULL || *b == '\0')
		b = NAVER_BASE;
	n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		n--;
	uoms_buf_clear(url);
	uoms_buf_add(url, b, n);
	if (n < 9 || strncmp(b + n - 9, "/external", 9) != 0)
		uoms_buf_str(url, "/external");
}

static enum uoms_kind_step
naver_token_req(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    char *why, size_t whylen)
{
	const char *id, *secret;
	char ts[24], sign[128];

	if ((id = ctx->secret(ctx, "client_id", why, whylen)) == NULL ||
	    (secret = ctx->secret(ctx, "client_secret", why, whylen)) == NULL)
		return UOMS_KIND_FAIL;
	snprintf(ts, sizeof ts, "%lld", now_ms());
	if (uoms_naver_sign(id, ts, secret, sign, sizeof sign, why,
	    whylen) < 0)
		return UOMS_KIND_FAIL;
	snprintf(req->method, sizeof req->method, "POST");
	naver_base(ctx, &req->url);
	uoms_buf_str(&req->url, "/v1/oauth2/token");
	uoms_buf_clear(&req->body);
	uoms_buf_str(&req->body, "client_id=");
	uoms_url_escape(&req->body, id);
	uoms_buf_printf(&req->body, "&timestamp=%s&client_secret_sign=", ts);
	uoms_url_escape(&req->body, sign);
	uoms_buf_str(&req->body, "&grant_type=client_credentials&type=SELF");
	uoms_http_req_header(req, 0, "Content-Type: "
	    "application/x-www-form-urlencoded");
	uoms_http_req_header(req, 0, "Accept: application/json");
	OPENSSL_cleanse(sign, sizeof sign);
	return UOMS_KIND_REQUEST;
}

static void
bearer(struct naver *st, struct uoms_http_req *req)
{
	uoms_http_req_header(req, 1, "Authorization: Bearer %s", st->token);
	uoms_http_req_header(req, 0, "Accept: application/json");
}

/*
 * The product lines of one origin product (an element of contents[]),
 * appended to out, leaving out skus already in skus.
 */
static void
naver_product_lines(const char *channel, json_t *origin, json_t *skus,
    json_t *out)
{
	json_t *cps = json_object_get(origin, "channelProducts");
	char oid[64] = "";

	uoms_map_id(json_object_get(origin, "originProductNo"), oid, sizeof oid);
	for (size_t i = 0; i < json_array_size(cps); i++) {
		json_t *cp = json_array_get(cps, i), *rec;
		char cno[64] = "", sku[128];
		const char *code = str(cp, "sellerManagementCode");
		long long v;

		uoms_map_id(json_object_get(cp, "channelProductNo"), cno,
		    sizeof cno);
		snprintf(sku, sizeof sku, "%s", nonempty(code) ? code : cno);
		if (sku[0] == '\0' || json_object_get(skus, sku) != NULL)
			continue;
		json_object_set_new(skus, sku, json_true());
		rec = json_object();
		json_object_set_new(rec, "sku", json_string(sku));
		uoms_map_str(rec, "name", str(cp, "name"));
		uoms_map_str(rec, "category", str(cp, "wholeCategoryName"));
		if (won(json_object_get(cp, "salePrice"), &v) == 0)
			json_object_set_new(rec, "price", json_integer(v));
		if (won(json_object_get(cp, "stockQuantity"), &v) == 0)
			json_object_set_new(rec, "stock", json_integer(v));
		json_object_set_new(rec, "channel", json_string(channel));
		if (cno[0] != '\0')
			json_object_set_new(rec, "channel_product_id",
			    json_string(cno));
		if (oid[0] != '\0')
			json_object_set_new(rec, "origin_product_id",
			    json_string(oid));
		uoms_map_str(rec, "channel_status", str(cp, "statusType"));
		uoms_map_str(rec, "channel_service", str(cp,
		    "channelServiceType"));
		if (won(json_object_get(cp, "discountedPrice"), &v) == 0)
			json_object_set_new(rec, "discounted_price",
			    json_integer(v));
		json_object_set_new(rec, "currency", json_string("KRW"));
		json_array_append_new(out, rec);
	}
}

static json_t *naver_parse(const struct uoms_http_resp *r,
    const char *member, char *why, size_t whylen);

static int
take_products(struct uoms_fetch_ctx *ctx, struct naver *st,
    const struct uoms_http_resp *r, char *why, size_t whylen)
{
	json_t *root = naver_parse(r, "contents", why, whylen), *contents;
	json_t *lines;
	long long pages = 0;

	if (root == NULL)
		return -1;
	contents = json_object_get(root, "contents");
	if (!json_is_array(contents)) {
		snprintf(why, whylen, "product answer has no contents array");
		json_decref(root);
		return -1;
	}
	lines = json_array();
	for (size_t i = 0; i < json_array_size(contents); i++)
		naver_product_lines(ctx->channel->name, json_array_get(contents,
		    i), st->skus, lines);
	for (size_t i = 0; i < json_array_size(lines); i++)
		ctx->emit(ctx, json_array_get(lines, i));
	json_decref(lines);
	won(json_object_get(root, "totalPages"), &pages);
	if (json_array_size(contents) == 0 || json_is_true(json_object_get(
	    root, "last")) || (pages > 0 && st->page >= pages))
		st->products_done = 1;
	json_decref(root);
	return 0;
}

static enum uoms_kind_step
naver_step(struct uoms_fetch_ctx *ctx, struct naver *st,
    struct uoms_http_req *req, char *why, size_t whylen)
{
	char t[48];

	for (;;) {
		switch (st->phase) {
		case P_TOKEN:
			/* After a 401 the kept token is not asked for: it is
			 * the one refused. */
			if (st->token == NULL && !st->reissued) {
				char scratch[256];
				const char *k = ctx->secret(ctx, "token",
				    scratch, sizeof scratch);

				if (k != NULL)
					st->token = strdup(k);
			}
			if (st->token == NULL)
				return naver_token_req(ctx, req, why, whylen);
			st->phase = ctx->products ? P_PRODUCTS : P_LIST;
			continue;
		case P_PRODUCTS:
			if (st->products_done)
				return UOMS_KIND_DONE;
			st->page++;
			snprintf(req->method, sizeof req->method, "POST");
			naver_base(ctx, &req->url);
			uoms_buf_str(&req->url, "/v1/products/search");
			uoms_buf_clear(&req->body);
			uoms_buf_printf(&req->body, "{\"page\":%lld,\"size\":%d,"
			    "\"orderType\":\"MOD_DATE\"}", st->page,
			    NAVER_PRODUCTS_PER_PAGE);
			uoms_http_req_header(req, 0, "Content-Type: "
			    "application/json");
			bearer(st, req);
			return UOMS_KIND_REQUEST;
		case P_LIST:
			if (st->list_done)
				return UOMS_KIND_DONE;
			snprintf(req->method, sizeof req->method, "GET");
			naver_base(ctx, &req->url);
			uoms_buf_str(&req->url, "/v1/pay-order/seller/"
			    "product-orders/last-changed-statuses"
			    "?lastChangedFrom=");
			kst_text(st->from, t, sizeof t);
			uoms_url_escape(&req->url, st->more_from != NULL ?
			    st->more_from : t);
			uoms_buf_str(&req->url, "&lastChangedTo=");
			kst_text(st->to, t, sizeof t);
			uoms_url_escape(&req->url, t);
			if (st->more_seq != NULL) {
				uoms_buf_str(&req->url, "&moreSequence=");
				uoms_url_escape(&req->url, st->more_seq);
			}
			bearer(st, req);
			return UOMS_KIND_REQUEST;
		case P_IDS:
			if (st->id_pos < json_array_size(st->id_queue)) {
				const char *oid = json_string_value(
				    json_array_get(st->id_queue, st->id_pos));

				snprintf(req->method, sizeof req->method,
				    "GET");
				naver_base(ctx, &req->url);
				uoms_buf_str(&req->url, "/v1/pay-order/seller/"
				    "orders/");
				uoms_url_escape(&req->url, oid);
				uoms_buf_str(&req->url, "/product-order-ids");
				bearer(st, req);
				return UOMS_KIND_REQUEST;
			}
			st->phase = P_QUERY;
			continue;
		case P_QUERY:
			if (st->want_pos < json_array_size(st->want)) {
				json_t *body = json_object(), *ids;

				ids = json_array();
				st->batch = json_array_size(st->want) -
				    st->want_pos;
				if (st->batch > NAVER_BATCH)
					st->batch = NAVER_BATCH;
				for (size_t i = 0; i < st->batch; i++)
					json_array_append(ids, json_array_get(
					    st->want, st->want_pos + i));
				json_object_set_new(body, "productOrderIds",
				    ids);
				char *s = json_dumps(body, JSON_COMPACT);
				json_decref(body);
				if (s == NULL) {
					snprintf(why, whylen, "out of memory");
					return UOMS_KIND_FAIL;
				}
				snprintf(req->method, sizeof req->method,
				    "POST");
				naver_base(ctx, &req->url);
				uoms_buf_str(&req->url, "/v1/pay-order/seller/"
				    "product-orders/query");
				uoms_buf_clear(&req->body);
				uoms_buf_str(&req->body, s);
				free(s);
				uoms_http_req_header(req, 0, "Content-Type: "
				    "application/json");
				bearer(st, req);
				return UOMS_KIND_REQUEST;
			}
			/* Every query answered: an order still short of a
			 * product order (listed, then not found) goes out
			 * with what came. */
			while (json_object_size(st->acc) > 0) {
				void *it = json_object_iter(st->acc);

				naver_emit(ctx, st, json_object_iter_key(it));
			}
			json_array_clear(st->id_queue);
			json_array_clear(st->want);
			st->id_pos = st->want_pos = 0;
			st->phase = P_LIST;
			continue;
		}
	}
}

static enum uoms_kind_step
naver_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
    char *why, size_t whylen)
{
	struct naver *st = ctx->state;
	enum uoms_kind_step r;

	if (st == NULL) {
		if ((st = calloc(1, sizeof *st)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return UOMS_KIND_FAIL;
		}
		ctx->state = st;
	}
	if (!st->started && naver_start(ctx, st, why, whylen) < 0)
		return UOMS_KIND_FAIL;
	if (nonempty(ctx->channel->base_url) && uoms_map_base_ok(ctx->channel->base_url,
	    why, whylen) < 0)
		return UOMS_KIND_FAIL;
	r = naver_step(ctx, st, req, why, whylen);
	/* The request a 401 refused, asked again with the new token. */
	if (r == UOMS_KIND_REQUEST && st->phase != P_TOKEN &&
	    st->reissued == 1) {
		req->again = 1;
		st->reissued = 2;
	}
	return r;
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

/*
 * The answer as a JSON object with member (data, or access_token for the
 * token; NULL: any object but the error envelope); NULL with why for
 * anything else: not JSON (truncated), or the error envelope {code,
 * message}.
 */
static json_t *
naver_parse(const struct uoms_http_resp *r, const char *member, char *why,
    size_t whylen)
{
	json_error_t err;
	json_t *root;
	char ex[64];

	root = json_loadb(r->body != NULL ? r->body : "", r->len, 0, &err);
	if (root == NULL) {
		excerpt(r->body != NULL ? r->body : "", r->len, ex, sizeof ex);
		snprintf(why, whylen, "answer is not JSON (%s at byte %d, "
		    "truncated?): '%s'", err.text, err.position, ex);
		return NULL;
	}
	if (!json_is_object(root) || (member != NULL ?
	    json_object_get(root, member) == NULL : str(root, "code") !=
	    NULL)) {
		if (str(root, "code") != NULL)
			snprintf(why, whylen, "naver answered code '%s': "
			    "'%.200s'", str(root, "code"), str(root,
			    "message") != NULL ? str(root, "message") : "");
		else if (member != NULL)
			snprintf(why, whylen, "answer has no '%s'", member);
		else
			snprintf(why, whylen, "answer is not a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}

static int
take_token(struct uoms_fetch_ctx *ctx, struct naver *st,
    const struct uoms_http_resp *r, char *why, size_t whylen)
{
	json_t *root = naver_parse(r, "access_token", why, whylen);
	const char *tok;
	long long life = 3 * 3600;
	char expires[40];

	if (root == NULL)
		return -1;
	if (!nonempty(tok = str(root, "access_token"))) {
		snprintf(why, whylen, "token answer has an empty access_token");
		json_decref(root);
		return -1;
	}
	won(json_object_get(root, "expires_in"), &life);
	if (json_is_string(json_object_get(root, "expires_in")))
		life = atoll(str(root, "expires_in"));
	free(st->token);
	st->token = strdup(tok);
	/* Kept a little short of its life, so a fetch that starts just
	 * before it ends does not run into a dead token. */
	if (life > 2 * NAVER_TOKEN_MARGIN && ctx->keep_secret != NULL) {
		uoms_time_after(life - NAVER_TOKEN_MARGIN, expires);
		ctx->keep_secret(ctx, "token", tok, expires);
	}
	OPENSSL_cleanse((void *)tok, strlen(tok));
	json_decref(root);
	if (st->reissued)
		st->phase = st->resume;
	else
		st->phase = ctx->products ? P_PRODUCTS : P_LIST;
	return 0;
}

static int
take_list(struct naver *st, const struct uoms_http_resp *r, char *why,
    size_t whylen)
{
	json_t *root = NULL, *data, *list, *more;

	/* No change at all may come as 204 with no body, or without data. */
	if (!(r->status == 204 && r->len == 0)) {
		if ((root = naver_parse(r, NULL, why, whylen)) == NULL)
			return -1;
	}
	data = json_object_get(root, "data");
	list = json_object_get(data, "lastChangeStatuses");
	if (json_is_object(data) && list != NULL && !json_is_array(list)) {
		snprintf(why, whylen, "lastChangeStatuses is not an array");
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i), *e, *listed;
		char oid[64], pid[64], utc[40] = "";
		time_t t;

		if (uoms_map_id(json_object_get(c, "orderId"), oid, sizeof oid) <
		    0 || uoms_map_id(json_object_get(c, "productOrderId"), pid,
		    sizeof pid) < 0) {
			snprintf(why, whylen, "a change has no orderId or "
			    "productOrderId");
			json_decref(root);
			return -1;
		}
		to_utc(str(c, "lastChangedDate"), utc, &t);
		/* Emitted already in this fetch, as recent as this? */
		const char *was = str(st->seen, oid);
		if (was != NULL && strcmp(utc, was) <= 0)
			continue;
		if ((e = json_object_get(st->acc, oid)) == NULL) {
			e = json_object();
			json_object_set_new(e, "changed", json_string(utc));
			json_object_set_new(e, "listed", json_array());
			json_object_set_new(e, "got", json_object());
			json_object_set_new(st->acc, oid, e);
			json_array_append_new(st->id_queue, json_string(oid));
		} else if (strcmp(utc, str(e, "changed")) > 0)
			json_object_set_new(e, "changed", json_string(utc));
		listed = json_object_get(e, "listed");
		json_array_append_new(listed, json_string(pid));
	}
	more = json_object_get(data, "more");
	free(st->more_from);
	free(st->more_seq);
	st->more_from = st->more_seq = NULL;
	if (json_is_object(more) && nonempty(str(more, "moreFrom"))) {
		char seq[64] = "";

		uoms_map_id(json_object_get(more, "moreSequence"), seq, sizeof seq);
		if (json_array_size(list) == 0) {
			snprintf(why, whylen, "answer has no changes but more "
			    "from '%s'", str(more, "moreFrom"));
			json_decref(root);
			return -1;
		}
		st->more_from = strdup(str(more, "moreFrom"));
		if (seq[0] != '\0')
			st->more_seq = strdup(seq);
	} else if (st->to + 1 >= st->until)
		st->list_done = 1;
	else {
		st->from = st->to + 1;
		span_end(st);
	}
	json_decref(root);
	st->phase = P_IDS;
	st->id_pos = 0;
	return 0;
}

static int
take_ids(struct naver *st, const struct uoms_http_resp *r, char *why,
    size_t whylen)
{
	json_t *root = naver_parse(r, "data", why, whylen), *data, *e, *ids;
	const char *oid = json_string_value(json_array_get(st->id_queue,
	    st->id_pos));

	if (root == NULL)
		return -1;
	data = json_object_get(root, "data");
	e = json_object_get(st->acc, oid);
	ids = json_array();
	for (size_t i = 0; i < json_array_size(data); i++) {
		char pid[64];

		if (uoms_map_id(json_array_get(data, i), pid, sizeof pid) == 0)
			json_array_append_new(ids, json_string(pid));
	}
	/* An order Naver cannot list: what changed is all we know. */
	if (json_array_size(ids) == 0)
		json_array_extend(ids, json_object_get(e, "listed"));
	json_object_set(e, "expect", ids);
	json_array_extend(st->want, ids);
	json_decref(ids);
	json_decref(root);
	st->id_pos++;
	return 0;
}

static int
take_query(struct uoms_fetch_ctx *ctx, struct naver *st,
    const struct uoms_http_resp *r, char *why, size_t whylen)
{
	json_t *root = naver_parse(r, "data", why, whylen), *data;

	if (root == NULL)
		return -1;
	data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		snprintf(why, whylen, "product order answer has no data array");
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(data); i++) {
		json_t *info = json_array_get(data, i), *e, *expect;
		char oid[64], pid[64];
		size_t have = 0;

		if (uoms_map_id(json_object_get(json_object_get(info, "order"),
		    "orderId"), oid, sizeof oid) < 0 ||
		    uoms_map_id(json_object_get(json_object_get(info,
		    "productOrder"), "productOrderId"), pid, sizeof pid) < 0) {
			snprintf(why, whylen, "a product order has no orderId "
			    "or productOrderId");
			json_decref(root);
			return -1;
		}
		if ((e = json_object_get(st->acc, oid)) == NULL)
			continue;	/* not asked for, or emitted */
		json_object_set(json_object_get(e, "got"), pid, info);
		expect = json_object_get(e, "expect");
		for (size_t j = 0; j < json_array_size(expect); j++)
			if (json_object_get(json_object_get(e, "got"),
			    json_string_value(json_array_get(expect, j))))
				have++;
		if (have == json_array_size(expect))
			naver_emit(ctx, st, oid);
	}
	st->want_pos += st->batch;
	st->batch = 0;
	json_decref(root);
	return 0;
}

/*
 * The gateway's rate limit, a token bucket per application and API
 * (https://github.com/commerce-api-naver/commerce-api/discussions/6,
 * "호출 허용량"): every answer says how fast the bucket refills
 * (GNCP-GW-RateLimit-Replenish-Rate, requests a second), how much it
 * holds (GNCP-GW-RateLimit-Burst-Capacity) and what is left in it
 * (GNCP-GW-RateLimit-Remaining); past it the gateway answers 429
 * GW.RATE_LIMIT. -1 in *remaining when the answer does not say.
 */
static void
naver_bucket(const struct uoms_http_resp *r, double *rate, double *remaining)
{
	char v[32];

	*rate = 0;
	*remaining = -1;
	if (uoms_http_header(r, "GNCP-GW-RateLimit-Replenish-Rate", v,
	    sizeof v) == 0)
		*rate = strtod(v, NULL);
	if (uoms_http_header(r, "GNCP-GW-RateLimit-Remaining", v,
	    sizeof v) == 0)
		*remaining = strtod(v, NULL);
	if (!(*rate > 0) || *rate > 1e6)
		*rate = 0;
}

/* Seconds until the bucket holds a request again: one refill, or a
 * Retry-After when the gateway sends one; 1 s when it says nothing. */
static double
naver_refill(const struct uoms_http_resp *r)
{
	double rate, remaining;
	char v[32];

	if (uoms_http_header(r, "Retry-After", v, sizeof v) == 0 &&
	    isdigit((unsigned char)v[0]))
		return strtod(v, NULL);
	naver_bucket(r, &rate, &remaining);
	return rate > 0 ? 1 / rate : 1;
}

/*
 * The pace from an answer's bucket: no wait while it holds a request
 * (a burst goes at once), one refill when it is empty; a fixed short
 * pause when the answer says nothing of it.
 */
static void
naver_pace(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r)
{
	double rate, remaining, d;

	naver_bucket(r, &rate, &remaining);
	if (remaining < 0)
		d = NAVER_BLIND_PAUSE;
	else if (remaining >= 1)
		d = 0;
	else
		d = naver_refill(r);
	ctx->pause = d < NAVER_WAIT_MAX ? d : NAVER_WAIT_MAX;
}

/* The error envelope's code ("GW.AUTHN"), or "" into out. */
static void
naver_code(const struct uoms_http_resp *r, char *out, size_t outlen)
{
	json_t *root = json_loadb(r->body != NULL ? r->body : "", r->len, 0,
	    NULL);
	const char *c = str(root, "code");
	size_t k = 0;

	/* Printable and short: it goes into a message. */
	for (; c != NULL && c[k] != '\0' && k + 1 < outlen && k < 40; k++)
		out[k] = isgraph((unsigned char)c[k]) ? c[k] : '?';
	out[k] = '\0';
	json_decref(root);
}

/* The token a 401 refused, dropped, from the store too: kept as it is
 * (so still masked in messages), but expired. */
static void
naver_drop_token(struct uoms_fetch_ctx *ctx, struct naver *st)
{
	char expires[40];

	if (st->token == NULL)
		return;
	if (ctx->keep_secret != NULL) {
		uoms_time_after(-1, expires);
		ctx->keep_secret(ctx, "token", st->token, expires);
	}
	OPENSSL_cleanse(st->token, strlen(st->token));
	free(st->token);
	st->token = NULL;
}

/*
 * Answers the engine would not read well (kind.h, refused):
 *
 * 401 to a request with the token: the token was revoked, or another
 * caller of the same application had a new one issued (Naver hands the
 * same token to every caller while 30 minutes or more remain, so one
 * kept here may be dead long before it expires). The docs say to issue
 * a new one and ask again: the kept one is dropped, a token asked for,
 * the request made again, once a fetch; a 401 after that fails the
 * channel. https://apicenter.commerce.naver.com/docs/auth
 *
 * 429: the bucket is empty; the same request after one refill, as the
 * engine's retries (bounded by fetch_retries), unless that is more than
 * NAVER_WAIT_MAX away.
 */
static enum uoms_kind_refusal
naver_refused(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct naver *st = ctx->state;
	char code[48];
	double d;

	if (st == NULL || !st->started)
		return UOMS_REFUSAL_ENGINE;
	naver_code(r, code, sizeof code);
	if (r->status == 401 && st->phase != P_TOKEN) {
		naver_drop_token(ctx, st);
		if (st->reissued) {
			snprintf(why, whylen, "authentication failed (HTTP 401"
			    "%s%s) with a token issued just now", code[0] !=
			    '\0' ? " " : "", code);
			return UOMS_REFUSAL_FAIL;
		}
		st->reissued = 1;
		st->resume = st->phase;
		if (st->phase == P_PRODUCTS && st->page > 0)
			st->page--;	/* next() asks the same page */
		st->phase = P_TOKEN;
		return UOMS_REFUSAL_NEXT;
	}
	if (r->status == 429) {
		d = naver_refill(r);
		if (d > NAVER_WAIT_MAX) {
			snprintf(why, whylen, "rate limited (HTTP 429%s%s): "
			    "the gateway asks to wait %.0f s, more than %.0f; "
			    "try again later", code[0] != '\0' ? " " : "",
			    code, d, NAVER_WAIT_MAX);
			return UOMS_REFUSAL_FAIL;
		}
		ctx->pause = d;
		snprintf(why, whylen, "rate limited (HTTP 429%s%s)", code[0] !=
		    '\0' ? " " : "", code);
		return UOMS_REFUSAL_RETRY;
	}
	return UOMS_REFUSAL_ENGINE;
}

static int
naver_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct naver *st = ctx->state;

	if (st == NULL || !st->started) {
		snprintf(why, whylen, "an answer came with no request");
		return -1;
	}
	naver_pace(ctx, r);
	switch (st->phase) {
	case P_TOKEN:
		return take_token(ctx, st, r, why, whylen);
	case P_LIST:
		return take_list(st, r, why, whylen);
	case P_IDS:
		return take_ids(st, r, why, whylen);
	case P_QUERY:
		return take_query(ctx, st, r, why, whylen);
	case P_PRODUCTS:
		return take_products(ctx, st, r, why, whylen);
	}
	return -1;
}

/* uoms-push: the ack (발주 확인) and the shipment (발송 처리). */

/* Nonzero when item (of a stored record) is closed: cancelled or
 * returned whole, nothing of it left to confirm or ship. */
static int
push_item_closed(json_t *item)
{
	const char *cs = str(item, "channel_status");
	json_t *q = json_object_get(item, "quantity");
	json_t *c = json_object_get(item, "cancelled_quantity");

	if (status_index(cs) >= NLIVE)
		return 1;
	return json_is_integer(q) && json_is_integer(c) &&
	    json_integer_value(c) >= json_integer_value(q);
}

/* Nonzero when item's product order left PAYED for good (dispatched
 * or further on): a confirm or a dispatch of it is moot. */
static int
push_item_dispatched(json_t *item)
{
	int k = status_index(str(item, "channel_status"));

	return k >= 2 && k < NLIVE;
}

/*
 * The productOrderIds of record's items push (what) tells, into
 * st->push_ids; why said (-1) when an item has no id.
 */
static int
push_ids(struct naver *st, const struct uoms_push_item *it, char *why,
    size_t whylen)
{
	json_t *items = json_object_get(it->record, "items");
	int ack = strcmp(it->push, "ack") == 0;

	st->push_ids = json_array();
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *item = json_array_get(items, i);
		const char *id = str(item, "external_item_id");
		const char *place = str(item, "place_order_status");

		if (push_item_closed(item) || push_item_dispatched(item))
			continue;
		if (ack && place != NULL && strcmp(place, "OK") == 0)
			continue;
		if (!nonempty(id)) {
			snprintf(why, whylen, "item %zu of order '%s' has no "
			    "external_item_id (its productOrderId)", i + 1,
			    it->external_order_id);
			return -1;
		}
		json_array_append_new(st->push_ids, json_string(id));
	}
	return 0;
}

/*
 * The first time push() is asked for a push: what it tells and how,
 * checked before anything is sent. 1 when there is nothing to tell
 * (answer filled), 0 to go on, -1 with why.
 */
static int
push_start(struct uoms_fetch_ctx *ctx, struct naver *st,
    const struct uoms_push_item *it, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	const char *code;

	if (nonempty(ctx->channel->base_url) &&
	    uoms_map_base_ok(ctx->channel->base_url, why, whylen) < 0)
		return -1;
	if (strcmp(it->push, "ack") != 0 && strcmp(it->push, "ship") != 0) {
		snprintf(why, whylen, "naver takes no push '%s'", it->push);
		return -1;
	}
	if (strcmp(it->push, "ship") == 0) {
		if (!nonempty(it->carrier) || !nonempty(it->tracking_number)) {
			snprintf(why, whylen, "a shipment needs a carrier and "
			    "a tracking number");
			return -1;
		}
		if ((code = uoms_carrier_code(it->carrier, "naver")) == NULL) {
			snprintf(why, whylen, "carrier '%.64s' has no naver "
			    "deliveryCompanyCode in carriers.tsv (uoms(7))",
			    it->carrier);
			return -1;
		}
		snprintf(st->push_company, sizeof st->push_company, "%s",
		    code);
		/* Now, in KST with milliseconds, as Naver writes its times
		 * (the docs' example: 2022-04-05T12:17:35.000+09:00). */
		kst_text(now_ms(), st->push_date, sizeof st->push_date);
	}
	if (push_ids(st, it, why, whylen) < 0)
		return -1;
	st->push_ok = json_array();
	st->push_fail = json_array();
	if (json_array_size(st->push_ids) == 0) {
		uoms_buf_printf(answer, "{\"successProductOrderIds\":[],"
		    "\"note\":\"nothing to %s: every product order is %s\"}",
		    strcmp(it->push, "ack") == 0 ? "confirm" : "dispatch",
		    strcmp(it->push, "ack") == 0 ? "confirmed, dispatched or "
		    "closed already" : "dispatched or closed already");
		return 1;
	}
	if (st->token == NULL) {
		char scratch[256];
		const char *k = ctx->secret(ctx, "token", scratch,
		    sizeof scratch);

		if (k != NULL && (st->token = strdup(k)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The next batch of st->push_ids as a confirm or a dispatch. */
static int
push_batch(struct uoms_fetch_ctx *ctx, struct naver *st,
    const struct uoms_push_item *it, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	int ack = strcmp(it->push, "ack") == 0;
	json_t *body = json_object(), *list = json_array();
	size_t n = json_array_size(st->push_ids) - st->push_pos;
	char *text;

	st->push_batch = n < NAVER_PUSH_BATCH ? n : NAVER_PUSH_BATCH;
	for (size_t i = 0; i < st->push_batch; i++) {
		json_t *id = json_array_get(st->push_ids, st->push_pos + i);

		if (ack) {
			json_array_append(list, id);
			continue;
		}
		json_array_append_new(list, json_pack("{s:O, s:s, s:s, s:s, "
		    "s:s}", "productOrderId", id, "deliveryMethod", "DELIVERY",
		    "deliveryCompanyCode", st->push_company, "trackingNumber",
		    it->tracking_number, "dispatchDate", st->push_date));
	}
	json_object_set_new(body, ack ? "productOrderIds" :
	    "dispatchProductOrders", list);
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (text == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	snprintf(req->method, sizeof req->method, "POST");
	naver_base(ctx, &req->url);
	uoms_buf_str(&req->url, ack ? "/v1/pay-order/seller/product-orders/"
	    "confirm" : "/v1/pay-order/seller/product-orders/dispatch");
	uoms_buf_clear(&req->body);
	uoms_buf_str(&req->body, text);
	free(text);
	uoms_http_req_header(req, 0, "Content-Type: application/json");
	bearer(st, req);
	return 0;
}

/* kind.h, push: a token first when none is kept, then the batches. */
static int
naver_push(struct uoms_fetch_ctx *ctx, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	struct naver *st = ctx->state;
	int r;

	if (st == NULL) {
		if ((st = calloc(1, sizeof *st)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		ctx->state = st;
	}
	if (st->push_ids == NULL && (r = push_start(ctx, st, it, answer, why,
	    whylen)) != 0)
		return r;
	/* After a 401, the token request and the batch it refused are
	 * asked again: not a cycle (the engine's guard). */
	req->again = st->reissued == 1;
	if ((st->push_token = st->token == NULL))
		return naver_token_req(ctx, req, why, whylen) ==
		    UOMS_KIND_REQUEST ? 0 : -1;
	if (st->reissued == 1)
		st->reissued = 2;
	return push_batch(ctx, st, it, req, why, whylen);
}

/* What Naver said of the product orders told, as answer's JSON text:
 * {"successProductOrderIds": [...], "failProductOrderInfos": [...]}. */
static void
push_answer(struct naver *st, struct uoms_buf *answer)
{
	json_t *j = json_pack("{s:O, s:O}", "successProductOrderIds",
	    st->push_ok, "failProductOrderInfos", st->push_fail);
	char *t = j != NULL ? json_dumps(j, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;

	uoms_buf_clear(answer);
	uoms_buf_str(answer, t != NULL ? t : "null");
	free(t);
	json_decref(j);
}

/*
 * Why a push with failed product orders is refused: each one with
 * Naver's code and message, then those that went through (they are
 * done on Naver: uoms-push(1) says what a person does then).
 */
static void
push_failed(struct naver *st, char *why, size_t whylen)
{
	struct uoms_buf b = { 0 };

	for (size_t i = 0; i < json_array_size(st->push_fail); i++) {
		json_t *f = json_array_get(st->push_fail, i);
		char id[64] = "?";

		uoms_map_id(json_object_get(f, "productOrderId"), id,
		    sizeof id);
		uoms_buf_printf(&b, "%sproduct order %s failed: %s%s%s", i > 0 ?
		    "; " : "", id, str(f, "code") != NULL ? str(f, "code") :
		    "", str(f, "code") != NULL ? " " : "", str(f, "message") !=
		    NULL ? str(f, "message") : "(no message)");
	}
	if (json_array_size(st->push_ok) > 0) {
		uoms_buf_str(&b, "; done all the same:");
		for (size_t i = 0; i < json_array_size(st->push_ok); i++)
			uoms_buf_printf(&b, " %s", json_string_value(
			    json_array_get(st->push_ok, i)));
	}
	snprintf(why, whylen, "%s", b.p != NULL ? b.p : "");
	uoms_buf_free(&b);
}

/* A 2xx answer to a batch, read into st; -1 with why when it is not
 * Naver's answer (then it is not known what went through). */
static int
push_take_batch(struct naver *st, const struct uoms_http_resp *r, char *why,
    size_t whylen)
{
	json_t *root = naver_parse(r, "data", why, whylen), *data, *ok, *fail;
	char id[64];

	if (root == NULL)
		return -1;
	data = json_object_get(root, "data");
	ok = json_object_get(data, "successProductOrderIds");
	if (ok == NULL)
		ok = json_object_get(data, "successProductOrderInfos");
	fail = json_object_get(data, "failProductOrderInfos");
	if (!json_is_object(data) || (ok != NULL && !json_is_array(ok)) ||
	    (fail != NULL && !json_is_array(fail)) || (ok == NULL &&
	    fail == NULL)) {
		snprintf(why, whylen, "answer's data has no "
		    "successProductOrderIds or failProductOrderInfos");
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(ok); i++) {
		json_t *e = json_array_get(ok, i);

		if (json_is_object(e))
			e = json_object_get(e, "productOrderId");
		if (uoms_map_id(e, id, sizeof id) == 0)
			json_array_append_new(st->push_ok, json_string(id));
	}
	for (size_t i = 0; i < json_array_size(fail); i++)
		json_array_append(st->push_fail, json_array_get(fail, i));
	json_decref(root);
	st->push_pos += st->push_batch;
	return 0;
}

/*
 * Naver's refusal of a whole request (400: {code, message,
 * invalidInputs [{name, type, message}]}), said in why, the body as the
 * answer.
 */
static void
push_refusal(struct naver *st, const struct uoms_http_resp *r,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	json_t *root = json_loadb(r->body != NULL ? r->body : "", r->len, 0,
	    NULL);
	json_t *bad = json_object_get(root, "invalidInputs");
	struct uoms_buf b = { 0 };
	char ex[64], *t;

	uoms_buf_printf(&b, "HTTP %ld", r->status);
	if (str(root, "code") != NULL)
		uoms_buf_printf(&b, " %s", str(root, "code"));
	if (str(root, "message") != NULL)
		uoms_buf_printf(&b, ": %s", str(root, "message"));
	else if (root == NULL) {
		excerpt(r->body != NULL ? r->body : "", r->len, ex, sizeof ex);
		uoms_buf_printf(&b, ": '%s'", ex);
	}
	for (size_t i = 0; i < json_array_size(bad); i++) {
		json_t *e = json_array_get(bad, i);

		uoms_buf_printf(&b, "%s%s: %s", i == 0 ? " (" : "; ",
		    str(e, "name") != NULL ? str(e, "name") : "?",
		    str(e, "message") != NULL ? str(e, "message") : "invalid");
		if (i + 1 == json_array_size(bad))
			uoms_buf_str(&b, ")");
	}
	if (json_array_size(st->push_ok) > 0) {
		uoms_buf_str(&b, "; done before it:");
		for (size_t i = 0; i < json_array_size(st->push_ok); i++)
			uoms_buf_printf(&b, " %s", json_string_value(
			    json_array_get(st->push_ok, i)));
	}
	snprintf(why, whylen, "%s", b.p);
	uoms_buf_free(&b);
	t = root != NULL ? json_dumps(root, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	uoms_buf_clear(answer);
	if (t != NULL)
		uoms_buf_str(answer, t);
	else
		uoms_buf_str(answer, "null");
	free(t);
	json_decref(root);
}

/* kind.h, pushed. */
static int
naver_pushed(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	struct naver *st = ctx->state;
	int ok2xx = r->status >= 200 && r->status <= 299;

	if (st == NULL || st->push_ids == NULL) {
		snprintf(why, whylen, "an answer came with no request");
		return -1;
	}
	naver_pace(ctx, r);
	if (st->push_token) {
		/* The token's answer: anything but 2xx is the engine's (a
		 * 401 there is a wrong client id or secret). */
		if (!ok2xx || take_token(ctx, st, r, why, whylen) < 0)
			return -1;
		return UOMS_PUSHED_MORE;
	}
	if (r->status == 401 && !st->reissued) {
		/* Revoked, or another caller had it replaced: a new one,
		 * once, and the same batch again (nothing was done). */
		naver_drop_token(ctx, st);
		st->reissued = 1;
		return UOMS_PUSHED_MORE;
	}
	if (ok2xx) {
		if (push_take_batch(st, r, why, whylen) < 0)
			return -1;
		if (st->push_pos < json_array_size(st->push_ids))
			return UOMS_PUSHED_MORE;
		push_answer(st, answer);
		if (json_array_size(st->push_fail) == 0)
			return 1;
		push_failed(st, why, whylen);
		return 0;
	}
	if (r->status < 400 || r->status > 499 || r->status == 401 ||
	    r->status == 403 || r->status == 429)
		return -1;
	push_refusal(st, r, answer, why, whylen);
	return 0;
}

/* kind.h, wants_ack: Naver's product orders wait for 발주 확인. */
static int
naver_wants_ack(const struct uoms_channel *c)
{
	(void)c;
	return 1;
}

static void
naver_done(struct uoms_fetch_ctx *ctx)
{
	struct naver *st = ctx->state;

	if (st == NULL)
		return;
	if (st->token != NULL) {
		OPENSSL_cleanse(st->token, strlen(st->token));
		free(st->token);
	}
	free(st->more_from);
	free(st->more_seq);
	json_decref(st->seen);
	json_decref(st->acc);
	json_decref(st->id_queue);
	json_decref(st->want);
	json_decref(st->skus);
	json_decref(st->push_ids);
	json_decref(st->push_ok);
	json_decref(st->push_fail);
	free(st);
	ctx->state = NULL;
}

const struct uoms_kind uoms_kind_naver = {
	.name = "naver",
	.next = naver_next,
	.take = naver_take,
	.refused = naver_refused,
	.done = naver_done,
	/* No fixed pace: the gateway's bucket says (naver_pace). */
	.max_rate = 0,
	.push = naver_push,
	.pushed = naver_pushed,
	.wants_ack = naver_wants_ack,
};
