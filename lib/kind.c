/*
 * The registry of channel kinds, each defined in its own file
 * (lib/kind-NAME.c). A tool that looks kinds up links them all; the
 * others link none (kinds are pure: no network, no libcurl).
 */
#include <string.h>

#include "kind.h"

#define KIND(n) extern const struct uoms_kind uoms_kind_##n
KIND(demo);
KIND(http_jsonl);
KIND(coupang);
KIND(naver);
KIND(shopify);
KIND(woocommerce);

const struct uoms_kind *const uoms_kinds[UOMS_KIND_SLOTS] = {
	&uoms_kind_demo, &uoms_kind_http_jsonl, &uoms_kind_coupang,
	&uoms_kind_naver, &uoms_kind_shopify, &uoms_kind_woocommerce
};

const struct uoms_kind *
uoms_kind_find(const char *name)
{
	for (size_t i = 0; i < UOMS_KIND_SLOTS; i++)
		if (uoms_kinds[i] != NULL && strcmp(uoms_kinds[i]->name, name)
		    == 0)
			return uoms_kinds[i];
	return NULL;
}

int
uoms_kind_refuse(struct uoms_fetch_ctx *ctx, const char *why)
{
	if (ctx->refuse == NULL)
		return -1;
	ctx->refuse(ctx, why);
	return 0;
}

void
uoms_kind_refunded(json_t *rec, long long back)
{
	json_t *it;
	size_t i;

	/* Each product is at most 10^9 x 10^15 < 2^63 / 8; the sum is
	 * checked as it grows and stops once back is covered. */
	json_array_foreach(json_object_get(rec, "items"), i, it) {
		long long q = json_integer_value(json_object_get(it,
		    "cancelled_quantity"));
		long long p = json_integer_value(json_object_get(it,
		    "unit_price"));

		if (q <= 0 || p <= 0)
			continue;
		if (q > back / p + 1) {
			back = 0;
			break;
		}
		back -= q * p;
		if (back <= 0)
			break;
	}
	if (back > 0)
		json_object_set_new(rec, "refunded_amount",
		    json_integer(back));
}
