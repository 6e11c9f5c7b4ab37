/*
 * serve-hooks: the channels' signed webhooks (SPEC 9, issue 12 item 5).
 * POST /hooks/shopify/{channel} and POST /hooks/woocommerce/{channel}
 * carry no bearer token: the body is signed instead, the signature
 * header being base64(HMAC-SHA256(raw body, the channel's secret
 * webhook_secret)), as both channels sign their deliveries:
 *   https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
 * A delivery is one order; the channel's kind maps it (kind.h,
 * hook_order) onto the record a fetch of that order emits, and it is
 * stored the way uoms-fetch | uoms-upsert stores that line (ingest.h:
 * the same line again is known by its digest, else the three-way sync
 * against what the channel said last), as the actor channel:NAME, in one
 * write transaction. So the same delivery twice, or a delivery and a
 * later fetch of the same order, change nothing the second time.
 *
 * 404 for a channel that does not exist, is disabled or is of the other
 * kind, alike (nothing says which); 401 when the signature is missing or
 * does not verify, or the channel has no webhook_secret; 200
 * {"stored":1,"id":N} when the order was created or changed, 200
 * {"stored":0} when nothing changed, for a topic that is not about an
 * order, and for WooCommerce's first delivery, the unsigned ping
 * "webhook_id=N". The secret is wiped once used and never said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "channel.h"
#include "ingest.h"
#include "kind.h"
#include "order.h"
#include "secret.h"
#include "serve.h"
#include "user.h"

struct hook_kind {
	const char *kind;		/* the channel's kind */
	/* The header with base64(HMAC-SHA256) of the body. */
	const char *sig_header;
	const char *topic_header;
	/* The topics whose payload is one whole order; any other topic
	 * (a deleted order's bare id, a product) is answered and left. */
	const char *const *topics;
	int ping;			/* WooCommerce's unsigned first ping */
};

/*
 * Shopify: the orders topics whose payload is the Order resource
 * (orders/delete carries only the id, orders/edited an order edit).
 *   https://shopify.dev/docs/api/webhooks
 */
static const char *const shopify_topics[] = { "orders/create",
	"orders/updated", "orders/cancelled", "orders/paid",
	"orders/fulfilled", "orders/partially_fulfilled", NULL };

/* WooCommerce: order.deleted carries only the id. */
static const char *const woo_topics[] = { "order.created",
	"order.updated", "order.restored", NULL };

static const struct hook_kind hook_shopify_kind = {
	"shopify", "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", shopify_topics,
	0
};

static const struct hook_kind hook_woo_kind = {
	"woocommerce", "X-WC-Webhook-Signature", "X-WC-Webhook-Topic",
	woo_topics, 1
};

/*
 * WooCommerce's ping when a webhook is saved: "webhook_id=N", form
 * encoded and unsigned (WC_Webhook::deliver_ping). It must be answered
 * 2xx or WooCommerce does not activate the webhook; it stores nothing.
 */
static int
hook_is_ping(const struct uoms_req *rq)
{
	static const char pre[] = "webhook_id=";
	size_t n = sizeof pre - 1;

	return rq->body_len > n && rq->body_len <= n + 20 &&
	    memcmp(rq->body, pre, n) == 0 &&
	    strspn(rq->body + n, "0123456789") == rq->body_len - n;
}

static int
hook_topic_ok(const struct hook_kind *hk, const char *topic)
{
	if (topic == NULL)
		return 1;	/* no topic said: the body says what it is */
	for (size_t i = 0; hk->topics[i] != NULL; i++)
		if (strcmp(hk->topics[i], topic) == 0)
			return 1;
	return 0;
}

/* 401, with the code every other 401 of the API has (api.md): the
 * same answer whatever was wrong, so nothing says which. */
static void
hook_unauthorized(struct uoms_resp *rs)
{
	static const char body[] = "{\"error\":{\"code\":\"unauthorized\","
	    "\"message\":\"the signature does not verify\"}}";

	uoms_resp_json(rs, 401, body, sizeof body - 1);
}

/*
 * Does the signature header sig say the body was signed with the
 * channel's webhook_secret? 1 yes, 0 no (401), -1 when the secret can't
 * be read (rs answered: 401 without one, 500 when the key is wrong).
 */
static int
hook_verify(struct uoms_req *rq, struct uoms_resp *rs, const char *channel,
    const char *sig)
{
	struct uoms_secret_key k;
	struct uoms_error e = { 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int mdlen = 0;
	char *secret = NULL, why[256];
	enum uoms_code code;
	int ok = 0, n;

	if (uoms_secret_key_load(uoms_secret_key_path(rq->opts->config), &k,
	    why, sizeof why) < 0) {
		uoms_warn(NULL, "channel '%s': webhook: %s", channel, why);
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "the channel's secrets "
		    "can't be opened");
		return -1;
	}
	code = uoms_channel_secret_get(rq->store, channel, "webhook_secret",
	    &k, &secret, &e);
	OPENSSL_cleanse(&k, sizeof k);
	if (code == UOMS_NOT_FOUND) {
		uoms_warn(NULL, "channel '%s': webhook: no secret "
		    "webhook_secret set (uoms-channel update --secret)",
		    channel);
		hook_unauthorized(rs);
		return -1;
	}
	if (code != UOMS_OK) {
		uoms_warn(NULL, "channel '%s': webhook: %s", channel,
		    e.msg);
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "the channel's secrets "
		    "can't be opened");
		return -1;
	}
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)rq->body, rq->body_len, md, &mdlen) !=
	    NULL) {
		n = EVP_EncodeBlock(b64, md, (int)mdlen);
		/* Constant time over the length every signature has. */
		ok = sig != NULL && strlen(sig) == (size_t)n &&
		    CRYPTO_memcmp(sig, b64, (size_t)n) == 0;
	}
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	OPENSSL_cleanse(md, sizeof md);
	OPENSSL_cleanse(b64, sizeof b64);
	return ok;
}

/*
 * A delivery refused (what uoms-upsert's --reject would get): said on
 * stderr beside the access log and counted for the metrics report, as a
 * refused line of uoms-fetch | uoms-upsert is.
 */
static void
hook_refused(struct uoms_req *rq, const char *actor, enum uoms_code code,
    const char *msg)
{
	uoms_warn(NULL, "%s: webhook refused: %s: %s", actor,
	    uoms_code_name(code), msg);
	uoms_store_note_reject(rq->store, "uoms-serve", code, msg, 0);
}

/* A delivery's line being stored (hook_step). */
struct hook_job {
	struct uoms_parser *p;
	const char *line;
	size_t len;
	const unsigned char *hash;
	const struct uoms_actor *a;
	enum uoms_ingest_result res;
	long long *id;
	struct uoms_buf record;
};

/* Stores j's line as uoms-upsert does, in the open transaction: the same
 * line again is known by its digest, else the three-way sync. */
static enum uoms_code
hook_step(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct hook_job *j = arg;
	struct uoms_order o;
	enum uoms_code code;
	int same = 0;

	/* A try again starts afresh. */
	j->res = UOMS_UNCHANGED;
	j->record.n = 0;
	code = uoms_ingest_same_line(s, j->hash, &same, j->id, &j->record, e);
	if (code != UOMS_OK || same)
		return code;
	if ((code = uoms_order_parse(j->p, j->line, j->len, &o, e)) !=
	    UOMS_OK)
		return code;
	o.line_hash = j->hash;
	return uoms_ingest_order(s, &o, j->a, &j->res, j->id, &j->record, e);
}

/*
 * Stores line (a record as a fetch prints it) as uoms-upsert does, as the
 * actor a, in one transaction (uoms_serve_tx): *stored and *id say what
 * it did. The refusal or failure is answered in rs (-1).
 */
static int
hook_store(struct uoms_req *rq, struct uoms_resp *rs, const char *line,
    size_t len, const struct uoms_actor *a, int *stored, long long *id)
{
	unsigned char hash[UOMS_LINE_HASH];
	struct hook_job j = { .line = line, .len = len, .hash = hash,
	    .a = a, .id = id };
	struct uoms_error e = { 0 };
	enum uoms_code code;

	if ((j.p = uoms_parser_new()) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		return -1;
	}
	uoms_ingest_hash(line, len, hash);
	code = uoms_serve_tx(rq, a->name, hook_step, &j, &e);
	uoms_buf_free(&j.record);
	uoms_parser_free(j.p);
	if (code != UOMS_OK) {
		if (code != UOMS_BUSY && code != UOMS_INTERNAL)
			hook_refused(rq, a->name, code, e.msg);
		uoms_resp_error(rs, code == UOMS_INVALID ? 422 : 0, &e);
		return -1;
	}
	*stored = j.res != UOMS_UNCHANGED;
	return 0;
}

static void
hook(struct uoms_req *rq, struct uoms_resp *rs, const struct hook_kind *hk)
{
	const char *name = rq->param[0];
	const struct uoms_kind *kind = uoms_kind_find(hk->kind);
	struct uoms_channel c = { 0 };
	struct uoms_error e = { 0 };
	struct uoms_actor a;
	json_t *body = NULL, *rec = NULL;
	char why[512], *line = NULL, answer[64];
	enum uoms_code code;
	long long id = 0;
	int stored = 0, n;

	code = uoms_channel_get(rq->store, name, &c, &e);
	if (code != UOMS_OK && code != UOMS_NOT_FOUND) {
		uoms_resp_error(rs, 0, &e);
		return;
	}
	/* Missing, disabled or another kind: the same answer for each. */
	if (code == UOMS_NOT_FOUND || !c.enabled || kind == NULL ||
	    kind->hook_order == NULL || strcmp(c.kind, hk->kind) != 0) {
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no such webhook");
		goto out;
	}
	if (hk->ping && hook_is_ping(rq)) {
		uoms_resp_json(rs, 200, "{\"stored\":0}", 12);
		goto out;
	}
	switch (hook_verify(rq, rs, c.name, uoms_req_header(rq,
	    hk->sig_header))) {
	case -1:
		goto out;
	case 0:
		hook_unauthorized(rs);
		goto out;
	}
	/* Signed, but about something else (a product, a deleted order). */
	if (!hook_topic_ok(hk, uoms_req_header(rq, hk->topic_header))) {
		uoms_resp_json(rs, 200, "{\"stored\":0}", 12);
		goto out;
	}
	if ((body = uoms_req_object(rq, rs)) == NULL)
		goto out;
	if ((rec = kind->hook_order(&c, body, why, sizeof why)) == NULL) {
		snprintf(a.name, sizeof a.name, "channel:%s", c.name);
		hook_refused(rq, a.name, UOMS_INVALID, why);
		uoms_resp_fail(rs, 422, UOMS_INVALID, "%s", why);
		goto out;
	}
	/* The line exactly as uoms-fetch prints it (lib/fetch.c), so a
	 * fetch of the same order is known by its digest. */
	if ((line = json_dumps(rec, JSON_COMPACT)) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "channel:%s", c.name);
	a.role = UOMS_ROLE_USER;
	n = hook_store(rq, rs, line, strlen(line), &a, &stored, &id);
	if (n < 0)
		goto out;
	n = stored ? snprintf(answer, sizeof answer,
	    "{\"stored\":1,\"id\":%lld}", id) : snprintf(answer,
	    sizeof answer, "{\"stored\":0}");
	uoms_resp_json(rs, 200, answer, (size_t)n);
out:
	free(line);
	json_decref(rec);
	json_decref(body);
	uoms_channel_free(&c);
}

static void
hook_shopify(struct uoms_req *rq, struct uoms_resp *rs)
{
	hook(rq, rs, &hook_shopify_kind);
}

static void
hook_woocommerce(struct uoms_req *rq, struct uoms_resp *rs)
{
	hook(rq, rs, &hook_woo_kind);
}

const struct uoms_route uoms_serve_routes_hooks[] = {
	{ "POST", "/hooks/shopify/{channel}", UOMS_AUTH_NONE, hook_shopify,
	    "A Shopify order webhook, signed with the channel's "
	    "webhook_secret: stored as a fetch of the order is" },
	{ "POST", "/hooks/woocommerce/{channel}", UOMS_AUTH_NONE,
	    hook_woocommerce,
	    "A WooCommerce order webhook, signed with the channel's "
	    "webhook_secret: stored as a fetch of the order is" },
	{ NULL, NULL, UOMS_AUTH_NONE, NULL, NULL }
};
