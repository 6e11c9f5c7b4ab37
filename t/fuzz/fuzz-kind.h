/*
 * fuzz-kind: one channel kind (kind.h) answered by a hostile server. The
 * input is a script of answers:
 *
 *	OPTIONS
 *	=====
 *	HEADERS (optional, ended by an empty line)
 *	BODY
 *	=====
 *	the next answer ...
 *
 * HEADERS that start with "status: NNN" make the answer that status: one
 * not 2xx goes to the kind's refused() when it has one (else the script
 * ends, as the engine's rules would take over).
 *
 * OPTIONS may hold "products" (fetch the catalog), "grant" (no token
 * kept yet: the kind asks for one first), "fulfillment" or
 * "food-delivery" (the channel's workflow). The harness asks the kind
 * for a request, gives it the next answer, and so on, as the engine
 * does. Checked: every record emitted is a JSON object, an order naming
 * the channel; the record parser (order.h) survives each; a failed answer
 * says why. A target includes this after defining FUZZ_KIND (the kind),
 * FUZZ_BASE_URL and FUZZ_SETTINGS (JSON text).
 */
#include <jansson.h>

#include "fuzz.h"
#include "kind.h"
#include "order.h"

#define FUZZ_SEP "=====\n"
#define FUZZ_STEPS 16

extern const struct uoms_kind FUZZ_KIND;

struct fx {
	struct uoms_fetch_ctx ctx;	/* first: the callbacks cast back */
	struct uoms_channel ch;
	int grant;			/* no token kept yet */
	char kept[2][4096];		/* tokens the kind kept */
	int emitted;
};

static struct uoms_parser *parser;

static const char *
fx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct fx *f = (struct fx *)ctx;

	/* Tokens a kind gets for itself (naver's token, shopify's
	 * access_token) are there only once kept, under "grant". */
	if (strcmp(name, "token") == 0 && f->ch.kind[0] == 'n') {
		if (f->grant && f->kept[0][0] == '\0')
			goto unset;
		return f->grant ? f->kept[0] : "tok-naver";
	}
	if (strcmp(name, "access_token") == 0) {
		if (f->grant && f->kept[1][0] == '\0')
			goto unset;
		return f->grant ? f->kept[1] : "shpat_fuzz";
	}
	if (strcmp(name, "token") == 0 || strcmp(name, "access_key") == 0 ||
	    strcmp(name, "secret_key") == 0 || strcmp(name, "client_id") == 0 ||
	    strcmp(name, "consumer_key") == 0 ||
	    strcmp(name, "consumer_secret") == 0)
		return "s3cret-fuzz";
	if (strcmp(name, "client_secret") == 0)
		/* naver signs with bcrypt: its secret is a salt */
		return "$2a$04$abcdefghijklmnopqrstuu";
unset:
	snprintf(why, whylen, "secret '%s' is not set", name);
	return NULL;
}

static void
fx_keep(struct uoms_fetch_ctx *ctx, const char *name, const char *value,
    const char *expires_at)
{
	struct fx *f = (struct fx *)ctx;
	int i = strcmp(name, "token") == 0 ? 0 : 1;

	(void)expires_at;
	if (value == NULL)
		fuzz_fail("kept a NULL secret '%s'", name);
	snprintf(f->kept[i], sizeof f->kept[i], "%s", value);
}

static void
fx_emit(struct uoms_fetch_ctx *ctx, json_t *rec)
{
	struct fx *f = (struct fx *)ctx;
	struct uoms_order o;
	struct uoms_product p;
	struct uoms_error e;
	json_t *ch = json_object_get(rec, "channel");
	char *text;

	if (!json_is_object(rec))
		fuzz_fail("emitted a record that is not an object");
	/* The high water of the next fetch is looked up by it. */
	if (!f->ctx.products && (!json_is_string(ch) ||
	    strcmp(json_string_value(ch), f->ch.name) != 0))
		fuzz_fail("emitted a record that does not name the channel");
	if ((text = json_dumps(rec, JSON_COMPACT)) == NULL)
		fuzz_fail("emitted a record that does not print");
	/* What uoms-upsert does next with it. */
	if (f->ctx.products)
		uoms_product_parse(parser, text, strlen(text), &p, &e);
	else
		uoms_order_parse(parser, text, strlen(text), &o, &e);
	free(text);
	f->emitted++;
}

/* Finds sep in [p, end); NULL when absent. */
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
	const char *p = (const char *)data, *end = p + size, *stop;
	struct uoms_http_req req = { 0 };
	struct fx f;
	char why[1024], opts[128];
	int steps;

	if (parser == NULL && (parser = uoms_parser_new()) == NULL)
		fuzz_fail("no parser");
	memset(&f, 0, sizeof f);
	stop = fx_find(p, end, FUZZ_SEP);
	snprintf(opts, sizeof opts, "%.*s", (int)((stop ? stop : end) - p), p);
	p = stop != NULL ? stop + strlen(FUZZ_SEP) : end;
	f.ch.name = "fuzz-ch";
	f.ch.kind = (char *)FUZZ_KIND.name;
	f.ch.base_url = FUZZ_BASE_URL;
	f.ch.workflow = strstr(opts, "fulfillment") ? "fulfillment" :
	    strstr(opts, "food-delivery") ? "food-delivery" : NULL;
	f.ch.enabled = 1;
	f.ch.settings = json_loads(FUZZ_SETTINGS, 0, NULL);
	f.grant = strstr(opts, "grant") != NULL;
	f.ctx.channel = &f.ch;
	f.ctx.since = "2026-11-21T09:12:00Z";
	f.ctx.until = "2026-11-21T10:00:00Z";
	f.ctx.products = strstr(opts, "products") != NULL;
	f.ctx.secret = fx_secret;
	f.ctx.keep_secret = fx_keep;
	f.ctx.emit = fx_emit;
	for (steps = 0; steps < FUZZ_STEPS && p < end; steps++) {
		struct uoms_http_resp r = { 200, NULL, 0, "", 0 };
		const char *blank;
		enum uoms_kind_step st;

		uoms_http_req_free(&req);
		why[0] = '\0';
		st = FUZZ_KIND.next(&f.ctx, &req, why, sizeof why);
		if (st == UOMS_KIND_FAIL && why[0] == '\0')
			fuzz_fail("no next request, and no why");
		if (st != UOMS_KIND_REQUEST)
			break;
		if (req.url.p == NULL || (strncmp(req.url.p, "http://", 7) != 0 &&
		    strncmp(req.url.p, "https://", 8) != 0))
			fuzz_fail("a request to '%s'", req.url.p ? req.url.p :
			    "(none)");
		/* This answer: up to the next separator. */
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
		/* The same answer as a 401's: its reason is one line. */
		if (FUZZ_KIND.auth_reason != NULL) {
			char reason[200];

			FUZZ_KIND.auth_reason(&r, reason, sizeof reason);
			for (const char *c = reason; *c != '\0'; c++)
				if ((unsigned char)*c < 0x20)
					fuzz_fail("a 401's reason with a control "
					    "character");
		}
		why[0] = '\0';
		if (r.headers_len > 8 && strncmp(r.headers, "status: ", 8) == 0) {
			/* The input is not NUL-terminated: strtol on it
			 * could read past its end. */
			char code[16];
			size_t n = r.headers_len - 8;

			if (n >= sizeof code)
				n = sizeof code - 1;
			memcpy(code, r.headers + 8, n);
			code[n] = '\0';
			r.status = strtol(code, NULL, 10);
		}
		if (r.status < 200 || r.status > 299) {
			enum uoms_kind_refusal k = UOMS_REFUSAL_ENGINE;

			if (FUZZ_KIND.refused != NULL)
				k = FUZZ_KIND.refused(&f.ctx, &r, why,
				    sizeof why);
			if (k == UOMS_REFUSAL_FAIL && why[0] == '\0')
				fuzz_fail("a refusal failed without a why");
			if (!(f.ctx.pause >= 0 && f.ctx.pause <= 3600))
				fuzz_fail("a pause of %g s", f.ctx.pause);
			if (k != UOMS_REFUSAL_NEXT && k != UOMS_REFUSAL_RETRY)
				break;
			p = stop < end ? stop + strlen(FUZZ_SEP) : end;
			continue;
		}
		if (FUZZ_KIND.take(&f.ctx, &r, why, sizeof why) < 0) {
			if (why[0] == '\0')
				fuzz_fail("an answer refused without a why");
			break;
		}
		if (!(f.ctx.pause >= 0 && f.ctx.pause <= 3600))
			fuzz_fail("a pause of %g s", f.ctx.pause);
		p = stop < end ? stop + strlen(FUZZ_SEP) : end;
	}
	uoms_http_req_free(&req);
	FUZZ_KIND.done(&f.ctx);
	json_decref(f.ch.settings);
	return 0;
}
