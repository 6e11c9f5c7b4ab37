/*
 * kind coupang, --products: the catalog from the seller products API,
 * one product line per item (see the opening comment of kind-coupang.c):
 *   seller products, paged (list):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033645034
 *   one seller product, with its items (options):
 *     https://developers.coupangcorp.com/hc/en-us/articles/360033644994
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind-coupang_priv.h"
#include "map.h"

#define COUPANG_PRODUCTS_PATH \
	"/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
#define COUPANG_PRODUCTS_PER_PAGE 100

enum uoms_kind_step
uoms_coupang_products_next(struct uoms_fetch_ctx *ctx, struct coupang *st,
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
	rc = uoms_coupang_signed_get(ctx, req, path.p, query.p != NULL ? query.p :
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

int
uoms_coupang_products_take(struct uoms_fetch_ctx *ctx, struct coupang *st,
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
