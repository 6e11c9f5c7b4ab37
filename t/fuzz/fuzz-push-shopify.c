/*
 * fuzz-push-shopify: the shopify kind's shipment push (push, pushed)
 * answered by a hostile server. The input is a script of answers as for
 * fuzz-kind.h (OPTIONS, then answers separated by "=====\n", each with
 * optional headers ended by an empty line, "status: NNN" among them);
 * OPTIONS may hold "grant" (no access token: the client-credentials grant
 * first). The harness asks push() for a request, hands the next answer to
 * pushed(), and so on while pushed() says UOMS_PUSHED_MORE. Checked:
 * push() fails only with a why and asks only http(s) on the channel's
 * base, waits a bounded time; pushed() answers -1, 0, 1 or MORE, a
 * refusal has a why, and an answer kept is one JSON text.
 */
#include <jansson.h>

#include "carrier.h"
#include "fuzz.h"
#include "kind.h"

#define FUZZ_SEP "=====\n"
#define FUZZ_STEPS 16

extern const struct uoms_kind uoms_kind_shopify;

static const char carriers[] =
    "id\tname\tcoupang\tnaver\tshopify\twoocommerce\n"
    "cj\tCJ\tCJGLS\tCJGLS\tCJ Logistics\tCJ\n";

struct fx {
	struct uoms_fetch_ctx ctx;	/* first: the callbacks cast back */
	int grant;
	char kept[4096];
};

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct fx *f = (struct fx *)ctx;

	if (strcmp(name, "access_token") == 0 && !f->grant)
		return "shpat_fuzz";
	if (strcmp(name, "access_token") == 0 && f->kept[0] != '\0')
		return f->kept;
	if (strcmp(name, "client_id") == 0 ||
	    strcmp(name, "client_secret") == 0)
		return "s3cret-fuzz";
	snprintf(why, whylen, "secret '%s' is not set", name);
	return NULL;
}

static void
fx_keep(struct uoms_fetch_ctx *ctx, const char *name, const char *value,
    const char *expires_at)
{
	struct fx *f = (struct fx *)ctx;

	(void)name;
	(void)expires_at;
	if (value == NULL)
		fuzz_fail("kept a NULL secret");
	snprintf(f->kept, sizeof f->kept, "%s", value);
}

static const char *
fx_find(const char *p, const char *end, const char *sep)
{
	size_t n = strlen(sep);

	for (; p != NULL && (size_t)(end - p) >= n; p++) {
		p = memchr(p, sep[0], end - p - n + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, sep, n) == 0)
			return p;
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *p = (const char *)data, *end = p + size, *stop;
	struct uoms_push_item it = { 1, "450789469", "ship", "cj",
	    "640012345678", NULL };
	struct uoms_http_req req = { 0 };
	struct uoms_buf answer = { 0 };
	struct uoms_channel ch = { 0 };
	struct fx f;
	char why[1024], opts[128];
	int steps, k;

	if (!ready) {
		/* The carriers file, written once: its path is kept. */
		static char path[4096];

		snprintf(path, sizeof path, "%s", fuzz_file((const uint8_t *)
		    carriers, sizeof carriers - 1, ".tsv"));
		uoms_carrier_file(path);
		ready = 1;
	}
	memset(&f, 0, sizeof f);
	stop = fx_find(p, end, FUZZ_SEP);
	snprintf(opts, sizeof opts, "%.*s", (int)((stop ? stop : end) - p), p);
	p = stop != NULL ? stop + strlen(FUZZ_SEP) : end;
	ch.name = "fuzz-ch";
	ch.kind = "shopify";
	ch.base_url = "https://acme.myshopify.com";
	ch.enabled = 1;
	ch.settings = json_object();
	f.grant = strstr(opts, "grant") != NULL;
	f.ctx.channel = &ch;
	f.ctx.secret = fx_secret;
	f.ctx.keep_secret = fx_keep;
	for (steps = 0; steps < FUZZ_STEPS && p < end; steps++) {
		struct uoms_http_resp r = { 200, NULL, 0, "", 0 };
		const char *blank;

		uoms_http_req_free(&req);
		why[0] = '\0';
		k = uoms_kind_shopify.push(&f.ctx, &it, &req, &answer, why,
		    sizeof why);
		if (k < 0 && why[0] == '\0')
			fuzz_fail("push() failed without a why");
		if (k != 0)
			break;
		if (req.url.p == NULL || strncmp(req.url.p,
		    "https://acme.myshopify.com/", 27) != 0)
			fuzz_fail("a request to '%s'", req.url.p ? req.url.p :
			    "(none)");
		if (!(req.wait >= 0 && req.wait <= 60))
			fuzz_fail("a wait of %g s", req.wait);
		stop = fx_find(p, end, FUZZ_SEP);
		if (stop == NULL)
			stop = end;
		blank = fx_find(p, stop, "\n\n");
		if (blank != NULL) {
			r.headers = p;
			r.headers_len = blank + 1 - p;
			p = blank + 2;
		}
		r.body = p;
		r.len = stop - p;
		if (r.headers_len > 8 &&
		    strncmp(r.headers, "status: ", 8) == 0) {
			/* Copied: strtol would read past the input. */
			char st[16];

			snprintf(st, sizeof st, "%.*s", (int)(r.headers_len -
			    8 < 15 ? r.headers_len - 8 : 15), r.headers + 8);
			r.status = strtol(st, NULL, 10);
		}
		why[0] = '\0';
		uoms_buf_clear(&answer);
		k = uoms_kind_shopify.pushed(&f.ctx, &r, &answer, why,
		    sizeof why);
		if (k < -1 || k > UOMS_PUSHED_MORE)
			fuzz_fail("pushed() said %d", k);
		if (k == 0 && why[0] == '\0')
			fuzz_fail("refused without a why");
		if ((k == 0 || k == 1) && answer.p == NULL)
			fuzz_fail("no answer kept");
		if (answer.p != NULL) {
			json_t *j = json_loadb(answer.p, answer.n,
			    JSON_DECODE_ANY, NULL);

			if (j == NULL)
				fuzz_fail("an answer that is not JSON: %s",
				    answer.p);
			json_decref(j);
		}
		if (k != UOMS_PUSHED_MORE)
			break;
		p = stop < end ? stop + strlen(FUZZ_SEP) : end;
	}
	uoms_http_req_free(&req);
	uoms_buf_free(&answer);
	uoms_kind_shopify.done(&f.ctx);
	json_decref(ch.settings);
	return 0;
}
