/*
 * kind: what a channel kind knows (SPEC 7), with no network in it: how to
 * make its next request (URL, headers, signature) and how to map an answer
 * onto order lines and the next page. The fetch engine (fetch.h) does the
 * HTTP, retries, timeouts and concurrency; a kind is pure, so it is tested
 * with canned answers and known-answer signatures, and adding a channel is
 * adding one kind.
 */
#ifndef UOMS_KIND_H
#define UOMS_KIND_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "channel.h"
#include "http.h"

struct uoms_fetch_ctx;

/* One thing uoms-push tells a channel about one order (push.h). */
struct uoms_push_item {
	long long id;			/* the order's id here */
	const char *external_order_id;	/* the channel's id of it */
	const char *push;		/* "ack" or "ship" */
	const char *carrier;		/* canonical id (ship), else NULL */
	const char *tracking_number;	/* (ship), else NULL */
	/* The order's stored record (SPEC 3.1, as uoms-query prints it):
	 * what a channel's request names besides the order (Coupang's
	 * orderId and vendorItemIds, Naver's productOrderIds). Borrowed. */
	const json_t *record;
};

/* What the engine gives a kind. */
struct uoms_fetch_ctx {
	const struct uoms_channel *channel;
	const char *since;		/* RFC 3339 UTC: fetch changes after */
	const char *until;		/* RFC 3339 UTC: now, when it started */
	int products;			/* the catalog instead of orders */
	void *state;			/* the kind's own paging state */
	/* A channel secret, opened (borrowed until the fetch ends), or
	 * NULL with why filled. */
	const char *(*secret)(struct uoms_fetch_ctx *ctx, const char *name,
	    char *why, size_t whylen);
	/* Keeps a secret (a token) for later fetches, sealed, until expires. */
	void (*keep_secret)(struct uoms_fetch_ctx *ctx, const char *name,
	    const char *value, const char *expires_at);
	/* Emits one order (or product) record, a JSON object in the SPEC 3.1
	 * shape; the engine prints it as a line. Borrowed. */
	void (*emit)(struct uoms_fetch_ctx *ctx, json_t *record);
	/* An order the kind can't map (a currency it does not know): why
	 * names it; the engine says it on stderr and the page goes on
	 * without it. The channel is not failed but counts it refused
	 * (uoms-fetch exits 1) and its watermark does not move past where
	 * the run started, so the order is asked for again. NULL (a unit
	 * test's ctx): kinds fail the page instead (uoms_kind_refuse). */
	void (*refuse)(struct uoms_fetch_ctx *ctx, const char *why);
	/* The channel's stored orders placed before before (RFC 3339 UTC)
	 * whose channel_status is not a line of final ("\nA\nB\n"),
	 * oldest first, at most max: fn gets each external_order_id
	 * (borrowed for the call). 0, or -1 with why when the store can't
	 * be read. For a kind whose lists go by creation date and so never
	 * show an old order's later changes (coupang reads those one by
	 * one). NULL when there is no store (a unit test). */
	int (*stored_open)(struct uoms_fetch_ctx *ctx, const char *before,
	    const char *final, int max, void (*fn)(void *arg,
	    const char *ext), void *arg, char *why, size_t whylen);
	/* Says what on stderr for the channel (masked like every message
	 * about it); nothing fails or is counted. NULL in a unit test. */
	void (*warn)(struct uoms_fetch_ctx *ctx, const char *what);
	/* Seconds the kind asks the engine to wait before its next request
	 * (a rate limit's bucket is empty); the engine clears it. */
	double pause;
	void *engine;			/* the engine's own */
};

/* pushed(): this request was taken; push() makes the next one. */
#define UOMS_PUSHED_MORE 2

/* What refused() makes of an answer that is not 2xx. */
enum uoms_kind_refusal {
	UOMS_REFUSAL_ENGINE = 0,	/* the engine's rules (retry, fail) */
	UOMS_REFUSAL_RETRY = 1,		/* the same request after ctx->pause
					 * seconds, a retry like the engine's */
	UOMS_REFUSAL_NEXT = 2,		/* taken: ask next() what now */
	UOMS_REFUSAL_FAIL = -1		/* why says why the channel fails */
};

enum uoms_kind_step {
	UOMS_KIND_REQUEST = 0,		/* req is filled: send it */
	UOMS_KIND_DONE = 1,		/* nothing more to fetch */
	UOMS_KIND_FAIL = -1		/* why says what went wrong */
};

struct uoms_kind {
	const char *name;		/* "coupang", "naver", ... */
	/* The next request, given the state so far. */
	enum uoms_kind_step (*next)(struct uoms_fetch_ctx *ctx,
	    struct uoms_http_req *req, char *why, size_t whylen);
	/* Takes a 2xx answer to the last request: emits records, advances
	 * the state. -1 with why when the answer can't be understood (a
	 * truncated body, invalid JSON, an error envelope). Non-2xx answers
	 * are the engine's (retries) unless the kind says otherwise through
	 * auth_failed: 401/403 are reported as "authentication failed". */
	int (*take)(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
	    char *why, size_t whylen);
	/* For kinds whose answers are lines (NULL for the others): the
	 * engine splits a 2xx body into lines as it arrives, at most the
	 * line size limit each, and hands each one here (n bytes, without
	 * its newline or carriage return; blank lines too), so a page is
	 * never held whole; take() then gets the headers and an empty
	 * body. -1 with why (no "line N" in it: the engine adds that) stops
	 * the page and fails the channel. */
	int (*line)(struct uoms_fetch_ctx *ctx, const char *p, size_t n,
	    char *why, size_t whylen);
	/* For a kind that reads some non-2xx answers itself (NULL for the
	 * others): called first with such an answer (its headers and the
	 * start of its body, cut at 64 KiB), before the engine's rules.
	 * FAIL stops the channel's run at once (Coupang's 429: it blocks
	 * longer the more it is asked while throttled); NEXT with why
	 * skips the request, said as a warning (one order the channel no
	 * longer has), and NEXT without why goes on quietly (Naver's 401:
	 * next() asks a new token). */
	enum uoms_kind_refusal (*refused)(struct uoms_fetch_ctx *ctx,
	    const struct uoms_http_resp *r, char *why, size_t whylen);
	/* Frees ctx->state. */
	void (*done)(struct uoms_fetch_ctx *ctx);
	/* Requests per second this kind stays under (0: no limit). */
	double max_rate;
	/* Before a retry sends req again (NULL: as it was): a kind whose
	 * signature may be used once (an OAuth 1.0a nonce, which the
	 * channel may have recorded before it failed) signs it afresh.
	 * -1 with why fails the channel. */
	int (*again)(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req,
	    char *why, size_t whylen);
	/* The reason a 401/403 answer gives (the channel's own message),
	 * into out, or out left empty; the engine masks it and adds it to
	 * "authentication failed". NULL: only the status is said. */
	void (*auth_reason)(const struct uoms_http_resp *r, char *out,
	    size_t outlen);
	/* Push mode (uoms_fetch_push; NULL: the kind can't push yet).
	 * push() fills req for it (0), or says it accepted without a
	 * request (1, answer filled with a JSON text: a kind with no
	 * network), or why it can't be pushed (-1: nothing of it was
	 * sent, or what was sent changed nothing, so the push is
	 * refused, not left in doubt). Whether the channel
	 * wants it at all is push.c's to ask (wants_ack). A push of more
	 * than one request (Shopify asks the order's fulfillment orders
	 * first) keeps its step in ctx->state: push() is asked again after
	 * pushed() said UOMS_PUSHED_MORE, and done() frees the state. */
	int (*push)(struct uoms_fetch_ctx *ctx,
	    const struct uoms_push_item *it, struct uoms_http_req *req,
	    struct uoms_buf *answer, char *why, size_t whylen);
	/* Reads the answer to a push request, any status: 1 accepted
	 * (answer filled with a JSON text), 0 refused by the channel (why
	 * holds its message), -1 not for the kind to say (the engine's
	 * rules: 429 and 5xx retried, 401/403 an authentication failure),
	 * UOMS_PUSHED_MORE when this step was taken and push() has the
	 * next request (what it needs of this answer kept in ctx->state). */
	int (*pushed)(struct uoms_fetch_ctx *ctx,
	    const struct uoms_http_resp *r, struct uoms_buf *answer,
	    char *why, size_t whylen);
	/* Nonzero when the channel wants an acknowledgement (NULL: yes). */
	int (*wants_ack)(const struct uoms_channel *c);
	/*
	 * A webhook's order (NULL: the kind takes no webhooks): o is one
	 * order as the channel's webhook delivers it (borrowed), mapped
	 * for channel c onto the record a fetch of the same order emits,
	 * so the webhook and a later fetch store the same order (a new
	 * reference). NULL with why when it can't be mapped.
	 */
	json_t *(*hook_order)(const struct uoms_channel *c, json_t *o,
	    char *why, size_t whylen);
};

/*
 * Hands an order the kind can't map to ctx->refuse: 0 when the page goes
 * on without it, -1 (the page fails with why) when ctx has no refuse.
 */
int uoms_kind_refuse(struct uoms_fetch_ctx *ctx, const char *why);

/*
 * Sets rec's refunded_amount from back, the money the channel says it
 * gave back on the order: what of it the items' cancelled_quantity times
 * unit_price does not already account for, since cancelled units are not
 * revenue either (SPEC 3.1) and must not come off twice. Left out when
 * that is 0 or less (the store's default 0). rec is borrowed.
 */
void uoms_kind_refunded(json_t *rec, long long back);

/* The kind called name, or NULL. Static. */
const struct uoms_kind *uoms_kind_find(const char *name);

/* The kinds this build knows, UOMS_KIND_SLOTS entries. */
#define UOMS_KIND_SLOTS 6
extern const struct uoms_kind *const uoms_kinds[UOMS_KIND_SLOTS];

#endif
