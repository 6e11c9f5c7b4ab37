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
