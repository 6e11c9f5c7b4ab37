/*
 * kind coupang: what uoms-push tells Coupang of one shipment box (an
 * order here is one box: external_order_id is its shipmentBoxId), as
 * its public docs describe it:
 *
 *   ack, "Changing the status to Product in Preparation" (상품준비중 처리):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033792994
 *     PUT .../vendors/{vendorId}/ordersheets/acknowledgement
 *     {"vendorId": "A00012345", "shipmentBoxIds": [123]}
 *     (numbers, at most 50 a call: one box a push here). The box moves
 *     from ACCEPT (결제완료) to INSTRUCT (상품준비중).
 *   ship, "Uploading Waybills" (송장업로드):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033793014
 *     POST .../vendors/{vendorId}/orders/invoices
 *     {"vendorId": .., "orderSheetInvoiceApplyDtos": [{"shipmentBoxId":
 *     N, "orderId": N, "vendorItemId": N, "deliveryCompanyCode": "CJGLS",
 *     "invoiceNumber": "..", "splitShipping": false, "preSplitShipped":
 *     false, "estimatedShippingDate": ""}]}: one dto per item of the box
 *     not wholly cancelled, all under one waybill (not split). Only an
 *     INSTRUCT box takes it; it then moves to DEPARTURE.
 *
 * Both are signed like the fetch requests (uoms_coupang_signed: the
 * signature covers the method, path and query, not the body) and both
 * answer {code, message, data: {responseCode, responseMessage,
 * responseList: [{shipmentBoxId, succeed, resultCode, retryRequired,
 * resultMessage}]}}. A 2xx whose responseList has a box that did not
 * succeed is a refusal with Coupang's resultMessage, every box that
 * failed named: nothing is taken as half sent. retryRequired: true is
 * Coupang saying the same request may pass later (a box busy on its
 * side); it is still a refusal here, said so, since this run knows for
 * sure that nothing changed: uoms-push --resend asks again, and a person
 * decides when, rather than a loop that may hit Coupang's throttle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carrier.h"
#include "kind-coupang_priv.h"
#include "map.h"


/* A Coupang id (a number in its JSON) from text: 0, or -1 unless it is
 * 1 to 18 digits (an int64 keeps it exactly). */
static int
coupang_id(const char *s, json_int_t *out)
{
	json_int_t n = 0;
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0 || len > 18 || strspn(s, "0123456789") != len)
		return -1;
	for (size_t i = 0; i < len; i++)
		n = n * 10 + (s[i] - '0');
	*out = n;
	return 0;
}

/* Whether a stored item is cancelled whole (nothing of it ships). */
static int
item_cancelled(json_t *it)
{
	json_t *q = json_object_get(it, "quantity");
	json_t *c = json_object_get(it, "cancelled_quantity");

	if (json_is_true(json_object_get(it, "canceled")))
		return 1;
	return json_is_integer(q) && json_is_integer(c) &&
	    json_integer_value(c) >= json_integer_value(q);
}

/* The invoice dtos of the box (one per item not cancelled whole) into
 * dtos; -1 with why when the record lacks what Coupang needs. */
static int
invoice_dtos(const struct uoms_push_item *it, json_int_t box,
    const char *code, json_t *dtos, char *why, size_t whylen)
{
	const char *oid = str((json_t *)it->record, "channel_order_id");
	json_t *items = json_object_get(it->record, "items");
	json_int_t order, vid;

	if (coupang_id(oid, &order) < 0) {
		snprintf(why, whylen, "the order has no Coupang orderId "
		    "(channel_order_id '%s'): fetch it again", oid != NULL ?
		    oid : "");
		return -1;
	}
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *item = json_array_get(items, i);
		const char *v = str(item, "external_item_id");

		if (item_cancelled(item))
			continue;
		if (coupang_id(v, &vid) < 0) {
			snprintf(why, whylen, "item '%s' is not a Coupang "
			    "vendorItemId", v != NULL ? v : "");
			return -1;
		}
		json_array_append_new(dtos, json_pack("{s:I, s:I, s:I, s:s, "
		    "s:s, s:b, s:b, s:s}", "shipmentBoxId", box, "orderId",
		    order, "vendorItemId", vid, "deliveryCompanyCode", code,
		    "invoiceNumber", it->tracking_number, "splitShipping", 0,
		    "preSplitShipped", 0, "estimatedShippingDate", ""));
	}
	if (json_array_size(dtos) == 0) {
		snprintf(why, whylen, "every item of the box is cancelled: "
		    "nothing to ship");
		return -1;
	}
	return 0;
}

int
uoms_coupang_push(struct uoms_fetch_ctx *ctx, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	const char *vendor = str(ctx->channel->settings, "vendor_id");
	const char *code = NULL, *raw;
	struct uoms_buf path = { 0 };
	json_t *body;
	json_int_t box;
	char *text;
	int ship = strcmp(it->push, "ship") == 0;

	if (!nonempty(vendor)) {
		snprintf(why, whylen, "setting 'vendor_id' is not set");
		return -1;
	}
	if (coupang_id(it->external_order_id, &box) < 0) {
		snprintf(why, whylen, "'%s' is not a Coupang shipmentBoxId",
		    it->external_order_id);
		return -1;
	}
	/* A box Coupang already has past ACCEPT was acknowledged there
	 * (in WING, or by an earlier tool): asked again, Coupang refuses
	 * it, and the shipment would wait for that refusal forever. Both
	 * ACCEPT and INSTRUCT are the workflow's first state here, so only
	 * the box's own status tells. */
	raw = str((json_t *)it->record, "channel_status");
	if (!ship && nonempty(raw) && strcmp(raw, "ACCEPT") != 0 &&
	    strcmp(raw, "CANCEL") != 0) {
		char said[300];
		json_t *a;

		snprintf(said, sizeof said, "already: shipment box %s is %s "
		    "on Coupang", it->external_order_id, raw);
		a = json_pack("{s:s}", "acknowledged", said);
		text = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
		json_decref(a);
		uoms_buf_str(answer, text != NULL ? text : "null");
		free(text);
		return 1;
	}
	if (ship && (code = uoms_carrier_code(it->carrier, "coupang")) ==
	    NULL) {
		snprintf(why, whylen, "carrier '%s' has no Coupang "
		    "deliveryCompanyCode in carriers.tsv: not sent (set "
		    "another shipment.carrier, or add the code)", it->carrier);
		return -1;
	}
	if (ship) {
		json_t *dtos = json_array();

		if (invoice_dtos(it, box, code, dtos, why, whylen) < 0) {
			json_decref(dtos);
			return -1;
		}
		body = json_pack("{s:s, s:o}", "vendorId", vendor,
		    "orderSheetInvoiceApplyDtos", dtos);
	} else
		body = json_pack("{s:s, s:[I]}", "vendorId", vendor,
		    "shipmentBoxIds", box);
	text = body != NULL ? json_dumps(body, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	if (text == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	uoms_buf_str(&path, "/v2/providers/openapi/apis/api/v4/vendors/");
	uoms_url_escape(&path, vendor);
	uoms_buf_str(&path, ship ? "/orders/invoices" :
	    "/ordersheets/acknowledgement");
	if (uoms_coupang_signed(ctx, req, ship ? "POST" : "PUT", path.p, "",
	    why, whylen) != UOMS_KIND_REQUEST) {
		uoms_buf_free(&path);
		free(text);
		return -1;
	}
	uoms_buf_clear(&req->body);
	uoms_buf_str(&req->body, text);
	uoms_buf_free(&path);
	free(text);
	return 0;
}

/* The answer as compact JSON text (a string when it is not JSON). */
static void
answer_json(json_t *j, const struct uoms_http_resp *r, struct uoms_buf *out)
{
	json_t *s = NULL;
	char *t;

	if (j == NULL)
		j = s = json_stringn(r->body != NULL ? r->body : "",
		    r->len < 200 ? r->len : 200);
	t = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_PRESERVE_ORDER) : NULL;
	uoms_buf_str(out, t != NULL ? t : "null");
	free(t);
	json_decref(s);
}

/* Whether Coupang's code says success (200, "200" or "SUCCESS"). */
static int
code_ok(json_t *code)
{
	const char *s = json_is_string(code) ? json_string_value(code) : NULL;

	return code == NULL || (json_is_integer(code) &&
	    json_integer_value(code) == 200) || (s != NULL &&
	    (strcmp(s, "200") == 0 || strcmp(s, "SUCCESS") == 0));
}

/*
 * The boxes of responseList that did not succeed, each with Coupang's
 * resultMessage, into why: 1 when every one succeeded (and there was
 * one), 0 when not.
 */
static int
list_ok(json_t *data, char *why, size_t whylen)
{
	json_t *list = json_object_get(data, "responseList");
	size_t n = json_array_size(list), bad = 0, ok = 0;
	int retry = 0;

	why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(list, i);
		const char *m = str(e, "resultMessage");
		char box[64] = "?";
		size_t k = strlen(why);

		if (json_is_true(json_object_get(e, "succeed"))) {
			ok++;
			continue;
		}
		uoms_map_id(json_object_get(e, "shipmentBoxId"), box,
		    sizeof box);
		retry |= json_is_true(json_object_get(e, "retryRequired"));
		snprintf(why + k, whylen - k, "%sshipment box %s: %s%s%s%s",
		    bad++ > 0 ? "; " : "", box, nonempty(m) ? m :
		    "not changed", str(e, "resultCode") != NULL ? " (" : "",
		    str(e, "resultCode") != NULL ? str(e, "resultCode") : "",
		    str(e, "resultCode") != NULL ? ")" : "");
	}
	if (bad == 0 && ok > 0)
		return 1;
	if (bad == 0) {
		const char *m = str(data, "responseMessage");

		snprintf(why, whylen, "coupang's answer lists no box it "
		    "changed%s%s", nonempty(m) ? ": " : "", nonempty(m) ? m :
		    "");
	} else if (ok > 0) {
		size_t k = strlen(why);

		snprintf(why + k, whylen - k, " (%zu other%s taken)", ok,
		    ok == 1 ? "" : "s");
	}
	if (retry) {
		size_t k = strlen(why);

		snprintf(why + k, whylen - k, "; coupang says to try again "
		    "(retryRequired): uoms-push --resend");
	}
	return 0;
}

int
uoms_coupang_pushed(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	json_t *j;
	const char *m;
	int rc;

	(void)ctx;
	/* Throttled, down, or not let in: the engine's (429 never comes
	 * here: uoms_kind_coupang.refused stops the run on it). */
	if (r->status == 401 || r->status == 403 || r->status == 429 ||
	    r->status >= 500 || (r->status >= 300 && r->status < 400))
		return -1;
	j = json_loadb(r->body != NULL ? r->body : "", r->len, 0, NULL);
	answer_json(j, r, answer);
	m = str(j, "message");
	if (r->status < 200 || r->status > 299) {
		snprintf(why, whylen, "HTTP %ld: %s", r->status, nonempty(m) ?
		    m : "no message");
		rc = 0;
	} else if (!json_is_object(j)) {
		snprintf(why, whylen, "coupang's answer is not a JSON object");
		rc = 0;
	} else if (!code_ok(json_object_get(j, "code"))) {
		char c[32] = "?";

		uoms_map_id(json_object_get(j, "code"), c, sizeof c);
		snprintf(why, whylen, "code %s: %s", c, nonempty(m) ? m :
		    "no message");
		rc = 0;
	} else
		rc = list_ok(json_object_get(j, "data"), why, whylen);
	json_decref(j);
	return rc;
}

/* Coupang takes an acknowledgement: it is what moves a box from
 * ACCEPT to INSTRUCT, and an invoice is taken only for INSTRUCT. */
int
uoms_coupang_wants_ack(const struct uoms_channel *c)
{
	(void)c;
	return 1;
}
