/*
 * kind-coupang_priv: what the two files of the coupang kind share: the
 * order walk (kind-coupang.c) and the catalog (kind-coupang-products.c).
 * Not for other modules.
 */
#ifndef UOMS_KIND_COUPANG_PRIV_H
#define UOMS_KIND_COUPANG_PRIV_H

#include <ctype.h>
#include <limits.h>
#include <time.h>

#include <jansson.h>

#include "kind.h"

enum coupang_phase {
	PH_REQUESTS = 0,	/* return requests of the window */
	PH_EXCHANGES,		/* exchange requests of the window */
	PH_SHEETS,		/* order sheets of the window */
	PH_BOXES		/* boxes the requests named, one by one */
};

struct coupang {
	int started;
	enum coupang_phase phase;
	time_t first, last;	/* KST days (at 00:00 UTC) searched */
	time_t from, to;	/* the current span */
	size_t status;		/* index into coupang_status */
	size_t req;		/* index into coupang_requests */
	int x_done;		/* the exchange requests of this span read */
	char *next_token;	/* NULL: the first page */
	/* shipmentBoxId -> {"holds": {key: note}, "cancel": {vid: n}} */
	json_t *boxes;
	json_t *receipts;	/* receiptIds taken: each counted once */
	json_t *seen;		/* shipmentBoxIds emitted */
	json_t *queue;		/* shipmentBoxIds to read one by one */
	size_t q_pos;
	json_t *old;		/* open boxes placed before the window */
	/* --products */
	int p_detail;		/* the last request was a product's */
	int p_last_page;	/* the page listed had no nextToken */
	json_t *p_queue;	/* sellerProductIds of the page listed */
	size_t p_pos;
	json_t *p_skus;		/* skus emitted: one line per sku */
};

static inline const char *
str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/*
 * Won (KRW has no minor unit): an integer, a whole real, or a decimal
 * string whose fraction is zero ("19900", "19900.00"); read exactly.
 * 0 when set, 1 when absent or null, -1 when not an amount.
 */
static inline int
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

/* Fills req with a signed GET of path?query (query may be "") on the
 * channel's base: UOMS_KIND_REQUEST, or UOMS_KIND_FAIL with why. */
enum uoms_kind_step uoms_coupang_signed_get(struct uoms_fetch_ctx *ctx,
    struct uoms_http_req *req, const char *path, const char *query,
    char *why, size_t whylen);

/* The same for any method (the body is the caller's to fill: Coupang
 * signs the method, path and query only). */
enum uoms_kind_step uoms_coupang_signed(struct uoms_fetch_ctx *ctx,
    struct uoms_http_req *req, const char *method, const char *path,
    const char *query, char *why, size_t whylen);

/* uoms-push (kind-coupang-push.c): the acknowledgement and the invoice
 * upload of one shipment box, and their answers, as kind.h's push,
 * pushed and wants_ack are. */
int uoms_coupang_push(struct uoms_fetch_ctx *ctx,
    const struct uoms_push_item *it, struct uoms_http_req *req,
    struct uoms_buf *answer, char *why, size_t whylen);
int uoms_coupang_pushed(struct uoms_fetch_ctx *ctx,
    const struct uoms_http_resp *r, struct uoms_buf *answer, char *why,
    size_t whylen);
int uoms_coupang_wants_ack(const struct uoms_channel *c);

/* What the return requests said of shipment box id: its object in
 * st->boxes, {"holds": {key: note}, "cancel": {vendorItemId: units}},
 * made on first use when make is set; NULL when none. Borrowed. */
json_t *uoms_coupang_box_requests(struct coupang *st, const char *id,
    int make);

/* The holds (an object key -> note, borrowed) as a new channel_holds
 * array of {key, note}, by key. */
json_t *uoms_coupang_holds_array(json_t *holds);

/* One return request r (borrowed) of the query asked_type (CANCEL or
 * RETURN) into st->boxes, once per receiptId: a channel hold for each box
 * it names while it is not done, cancelled units once it is. 0, or -1
 * with why when it has no receiptId. */
int uoms_coupang_receipt(struct coupang *st, const char *asked_type,
    json_t *r, char *why, size_t whylen);

/* One exchange request x (borrowed) into st->boxes, once per
 * exchangeId: a channel hold on the box it takes back
 * (exchangeItemDtoV1s[].originalShipmentBoxId) while it is not done; a
 * done one still names the box, so that it is read and its hold goes.
 * 0, or -1 with why when it has no exchangeId. */
int uoms_coupang_exchange(struct coupang *st, json_t *x, char *why,
    size_t whylen);

/* --products: the next request of the catalog walk, and its answer
 * taken (root borrowed): as next() and take() are (kind.h). */
enum uoms_kind_step uoms_coupang_products_next(struct uoms_fetch_ctx *ctx,
    struct coupang *st, struct uoms_http_req *req, char *why,
    size_t whylen);
int uoms_coupang_products_take(struct uoms_fetch_ctx *ctx,
    struct coupang *st, json_t *root, char *why, size_t whylen);

#endif
