/*
 * fuzz-link: Link header paging (RFC 8288) as the kinds that follow it
 * read it: shopify (the page_info cursor only) and http-jsonl (the
 * target resolved against the page asked). The input is the header
 * block after "Link: ". Checked: shopify's next page is always on the
 * configured shop, with limit and page_info only; http-jsonl's is an
 * http(s) URL; a refusal says why.
 */
#include <jansson.h>

#include "fuzz.h"
#include "kind.h"

extern const struct uoms_kind uoms_kind_shopify, uoms_kind_http_jsonl;

#define SHOP "https://acme.myshopify.com/admin/api/2024-01/orders.json?"

static const char *
no_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	(void)ctx;
	if (strcmp(name, "access_token") == 0)
		return "shpat_fuzz";
	snprintf(why, whylen, "secret '%s' is not set", name);
	return NULL;
}

static void
emit(struct uoms_fetch_ctx *ctx, json_t *rec)
{
	(void)ctx;
	(void)rec;
}

/* The URL of the page after one answered with headers; NULL if none. */
static void
follow(const struct uoms_kind *k, const char *base, const char *headers,
    size_t n, const char *body, void (*check)(const char *url))
{
	struct uoms_channel ch = { 0 };
	struct uoms_fetch_ctx ctx = { 0 };
	struct uoms_http_req req = { 0 };
	struct uoms_http_resp r = { 200, body, strlen(body), headers, n };
	char why[1024];

	ch.name = "fuzz-ch";
	ch.kind = (char *)k->name;
	ch.base_url = (char *)base;
	ch.enabled = 1;
	ch.settings = json_object();
	ctx.channel = &ch;
	ctx.since = "2026-11-21T09:12:00Z";
	ctx.until = "2026-11-21T10:00:00Z";
	ctx.secret = no_secret;
	ctx.emit = emit;
	if (k->next(&ctx, &req, why, sizeof why) != UOMS_KIND_REQUEST)
		fuzz_fail("%s: no first request: %s", k->name, why);
	why[0] = '\0';
	if (k->take(&ctx, &r, why, sizeof why) < 0) {
		if (why[0] == '\0')
			fuzz_fail("%s: a Link refused without a why", k->name);
	} else {
		uoms_http_req_free(&req);
		why[0] = '\0';
		switch (k->next(&ctx, &req, why, sizeof why)) {
		case UOMS_KIND_REQUEST:
			check(req.url.p);
			break;
		case UOMS_KIND_FAIL:
			if (why[0] == '\0')
				fuzz_fail("%s: no next page, no why", k->name);
			break;
		default:
			break;
		}
	}
	uoms_http_req_free(&req);
	k->done(&ctx);
	json_decref(ch.settings);
}

static void
shop_page(const char *url)
{
	const char *q = url + strlen(SHOP);

	if (strncmp(url, SHOP, strlen(SHOP)) != 0)
		fuzz_fail("shopify: next page off the shop: %s", url);
	if (strncmp(q, "limit=250&page_info=", 20) != 0 ||
	    strcspn(q, " \"<>\\\r\n\t") != strlen(q))
		fuzz_fail("shopify: next page is not limit and page_info: %s",
		    url);
}

static void
jsonl_page(const char *url)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		fuzz_fail("http-jsonl: next page not http(s): %s", url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size + 7);

	if (h == NULL)
		fuzz_fail("out of memory");
	memcpy(h, "Link: ", 6);
	memcpy(h + 6, data, size);
	h[size + 6] = '\0';
	follow(&uoms_kind_shopify, "https://acme.myshopify.com", h, size + 6,
	    "{\"orders\":[]}", shop_page);
	follow(&uoms_kind_http_jsonl, "https://orders.example/api/v1", h,
	    size + 6, "", jsonl_page);
	free(h);
	return 0;
}
