/*
 * kind coupang: the return requests (cancellations, returns, ship-stop
 * requests) and the exchange requests read before the order sheets, kept
 * by shipment box for the box lines (see the opening comment of
 * kind-coupang.c):
 *   https://developers.coupangcorp.com/hc/en-us/articles/360033919613
 *   https://developers.coupangcorp.com/hc/en-us/articles/360034320673
 *   https://developers.coupangcorp.com/hc/en-us/sections/360005046554
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind-coupang_priv.h"
#include "map.h"
#include "order.h"

/* What the return requests said of box id: its object in st->boxes,
 * made on first use when make is set; NULL when none. */
json_t *
uoms_coupang_box_requests(struct coupang *st, const char *id, int make)
{
	json_t *b;

	if (st == NULL || st->boxes == NULL)
		return NULL;
	b = json_object_get(st->boxes, id);
	if (b == NULL && make) {
		b = json_pack("{s:o,s:o}", "holds", json_object(), "cancel",
		    json_object());
		json_object_set_new(st->boxes, id, b);
	}
	return b;
}

/* The holds (an object key -> note) as a channel_holds array, by key. */
json_t *
uoms_coupang_holds_array(json_t *holds)
{
	json_t *out = json_array(), *keys = json_array();
	const char *k;
	json_t *v;

	json_object_foreach(holds, k, v)
		json_array_append_new(keys, json_string(k));
	for (size_t i = 0; i < json_array_size(keys); i++)
		for (size_t j = i + 1; j < json_array_size(keys); j++) {
			json_t *a = json_array_get(keys, i);
			json_t *b = json_array_get(keys, j);

			if (strcmp(json_string_value(a),
			    json_string_value(b)) > 0) {
				json_incref(a);
				json_array_set(keys, i, b);
				json_array_set_new(keys, j, a);
			}
		}
	for (size_t i = 0; i < json_array_size(keys); i++) {
		k = json_string_value(json_array_get(keys, i));
		json_array_append_new(out, json_pack("{s:s,s:O}", "key", k,
		    "note", json_object_get(holds, k)));
	}
	json_decref(keys);
	return out;
}

/* Copies at most max bytes of s into out (max + 1 bytes), not cutting
 * a UTF-8 sequence. */
static void
utf8_cut(const char *s, char *out, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Whether a receipt's status is one of a request not yet done. */
static int
receipt_done(const char *type, const char *status)
{
	static const char *const pending[] = {
		"RELEASE_STOP_UNCHECKED", "RETURNS_UNCHECKED",
		"VENDOR_WAREHOUSE_CONFIRM", "REQUEST_COUPANG_CHECK"
	};

	if (status != NULL && strcmp(status, "RETURNS_COMPLETED") == 0)
		return 1;
	for (size_t i = 0; i < sizeof pending / sizeof pending[0]; i++)
		if (status != NULL && strcmp(status, pending[i]) == 0)
			return 0;
	/* A cancel at payment complete is done when it is listed; a
	 * return in a status we do not know is taken as not done, so the
	 * order is held rather than shipped. */
	return type != NULL && strcmp(type, "CANCEL") == 0;
}

/*
 * One return request (a receipt) into st->boxes: a channel hold for each
 * box it names while it is not done, cancelled units once it is. -1 with
 * why when it has no receiptId.
 */
int
uoms_coupang_receipt(struct coupang *st, const char *asked_type, json_t *r,
    char *why, size_t whylen)
{
	char rid[64], note[600], reason[420];
	const char *type = str(r, "receiptType"), *status, *rs;
	json_t *items = json_object_get(r, "returnItems");
	int done;

	if (!json_is_object(r) || uoms_map_id(json_object_get(r,
	    "receiptId"), rid, sizeof rid) < 0) {
		snprintf(why, whylen, "a return request has no receiptId");
		return -1;
	}
	if (json_object_get(st->receipts, rid) != NULL)
		return 0;
	json_object_set_new(st->receipts, rid, json_true());
	if (!nonempty(type))
		type = asked_type;
	status = str(r, "receiptStatus");
	done = receipt_done(type, status);
	rs = str(r, "cancelReasonCategory2");
	if (!nonempty(rs))
		rs = str(r, "cancelReason");
	if (!nonempty(rs))
		rs = str(r, "cancelReasonCategory1");
	utf8_cut(nonempty(rs) ? rs : "no reason given", reason, 400);
	if (status != NULL && strcmp(status, "RELEASE_STOP_UNCHECKED") == 0)
		snprintf(note, sizeof note, "Coupang ship-stop request %s: %s",
		    rid, reason);
	else
		snprintf(note, sizeof note, "Coupang %s request %s (%s): %s",
		    strcmp(type, "CANCEL") == 0 ? "cancel" : "return", rid,
		    nonempty(status) ? status : "no status", reason);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i), *b;
		char box[64], vid[64], key[96];
		long long n = 0;

		if (uoms_map_id(json_object_get(it, "shipmentBoxId"), box,
		    sizeof box) < 0)
			continue;
		b = uoms_coupang_box_requests(st, box, 1);
		if (!done) {
			snprintf(key, sizeof key, "coupang:return:%s", rid);
			json_object_set_new(json_object_get(b, "holds"), key,
			    json_string(note));
			continue;
		}
		if (uoms_map_id(json_object_get(it, "vendorItemId"), vid,
		    sizeof vid) < 0 || won(json_object_get(it,
		    "cancelCount"), &n) != 0 || n <= 0 ||
		    n > UOMS_QUANTITY_MAX)
			continue;
		json_t *c = json_object_get(b, "cancel");
		json_t *had = json_object_get(c, vid);
		if (json_is_integer(had))
			n += json_integer_value(had);
		json_object_set_new(c, vid, json_integer(n));
	}
	return 0;
}

/*
 * One exchange request: RECEIPT (received) and PROGRESS (being picked up
 * or sent again) are not done, SUCCESS, REJECT and CANCEL (withdrawn)
 * are; a status we do not know is taken as not done, so the order is
 * held rather than shipped. The box held is the one the customer sends
 * back (originalShipmentBoxId): the new box Coupang makes for the
 * replacement is the exchange's own, not an order here.
 */
int
uoms_coupang_exchange(struct coupang *st, json_t *x, char *why,
    size_t whylen)
{
	static const char *const done[] = { "SUCCESS", "REJECT", "CANCEL" };
	char xid[64], seen[80], note[600], reason[420];
	const char *status = str(x, "exchangeStatus"), *rs;
	json_t *items = json_object_get(x, "exchangeItemDtoV1s");
	int pending = 1;

	if (!json_is_object(x) || uoms_map_id(json_object_get(x,
	    "exchangeId"), xid, sizeof xid) < 0) {
		snprintf(why, whylen, "an exchange request has no exchangeId");
		return -1;
	}
	snprintf(seen, sizeof seen, "exchange:%s", xid);
	if (json_object_get(st->receipts, seen) != NULL)
		return 0;
	json_object_set_new(st->receipts, seen, json_true());
	for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
		if (status != NULL && strcmp(status, done[i]) == 0)
			pending = 0;
	rs = str(x, "reasonCodeText");
	if (!nonempty(rs))
		rs = str(x, "reason");
	utf8_cut(nonempty(rs) ? rs : "no reason given", reason, 400);
	snprintf(note, sizeof note, "Coupang exchange request %s (%s): %s",
	    xid, nonempty(status) ? status : "no status", reason);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *b;
		char box[64], key[96];

		if (uoms_map_id(json_object_get(json_array_get(items, i),
		    "originalShipmentBoxId"), box, sizeof box) < 0)
			continue;
		b = uoms_coupang_box_requests(st, box, 1);
		if (!pending)
			continue;
		snprintf(key, sizeof key, "coupang:exchange:%s", xid);
		json_object_set_new(json_object_get(b, "holds"), key,
		    json_string(note));
	}
	return 0;
}
