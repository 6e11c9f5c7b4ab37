/*
 * The demo kind: a shop that needs no network. Its orders come from
 * lib/demo.h, one every 3600/rate seconds since 2020, each moving through
 * the shop's own statuses on a schedule of its own, so that fetching again
 * later shows new orders and status changes, and the same window always
 * gives the same bytes. It makes no requests: next() emits everything
 * changed in (since, until] and says it is done.
 *
 * Settings: rate (orders per hour, 60), seed (1), history (days of orders
 * it remembers, 30), clock (an RFC 3339 time to stand at instead of now,
 * for reproducible demos and tests).
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "fetch.h"
#include "kind.h"
#include "rfc3339.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Order 0 is placed at 2020-01-01T00:00:00Z. */
#define DEMO_EPOCH 1577836800LL

/* The shop's own statuses, in the order an order goes through them. */
enum raw { NEW, PAID, PREPARING, READY, SHIPPED, DELIVERED, CANCELLED, NRAW };

static const char *const raw_name[NRAW] = {
	"NEW", "PAID", "PREPARING", "READY", "SHIPPED", "DELIVERED",
	"CANCELLED"
};

/* Minutes from the status before: at least, and at most. Long enough
 * that a fetch every few minutes sees every step. */
static const int stay[NRAW][2] = {
	{ 0, 0 }, { 10, 20 }, { 10, 30 }, { 20, 60 }, { 10, 30 }, { 30, 180 },
	{ 0, 0 }
};

/* The longest an order keeps changing: the sum of the maxima, in s. */
#define LIFE ((20 + 30 + 60 + 30 + 180) * 60LL)

/* The status mapping, one row per workflow (uoms-channels(7)). */
static const struct {
	const char *workflow;
	const char *state[NRAW];
} map[] = {
	{ "dispatch", { "WAITING", "WAITING", "WAITING", "WAITING",
	    "IN_PROGRESS", "COMPLETE", "CANCEL" } },
	{ "fulfillment", { "created", "paid", "picking", "packed", "shipped",
	    "delivered", "cancelled" } },
	{ "food-delivery", { "pending_payment", "pending_acceptance",
	    "preparing", "ready_for_pickup", "in_transit", "delivered",
	    "cancelled" } },
};

static unsigned long long
mix(unsigned long long z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Draw number draw for order n: a number in [0, k). */
static long long
roll(unsigned long long seed, unsigned long long n, int draw, long long k)
{
	return (long long)(mix(mix(seed * 31 + 0xde40) ^ mix(n) ^
	    ((unsigned long long)draw << 56)) % (unsigned long long)k);
}

struct life {
	long long at[NRAW];	/* when it entered each status; -1 never */
};

/* Order n's placing time and the schedule of its statuses. */
static void
schedule(unsigned long long seed, unsigned long long n, long long interval,
    struct life *l)
{
	long long t = DEMO_EPOCH + (long long)n * interval +
	    roll(seed, n, 1, interval);
	long long cancel = -1;
	int s;

	l->at[NEW] = t;
	for (s = PAID; s <= DELIVERED; s++) {
		t += 60 * (stay[s][0] + roll(seed, n, 10 + s,
		    stay[s][1] - stay[s][0] + 1));
		l->at[s] = t;
	}
	/* One order in 25 is called off, if before it leaves. */
	if (roll(seed, n, 2, 25) == 0)
		cancel = l->at[NEW] + 60 * (15 + roll(seed, n, 3, 120));
	l->at[CANCELLED] = -1;
	if (cancel >= 0 && cancel < l->at[SHIPPED]) {
		for (s = PAID; s <= DELIVERED; s++)
			if (l->at[s] >= cancel)
				l->at[s] = -1;
		l->at[CANCELLED] = cancel;
	}
}

/* The status at time now (the last entered), or -1 before it is placed. */
static int
status_at(const struct life *l, long long now)
{
	int best = -1;

	for (int s = NEW; s < NRAW; s++)
		if (l->at[s] >= 0 && l->at[s] <= now &&
		    (best < 0 || l->at[s] >= l->at[best]))
			best = s;
	return best;
}

static int
setting(struct uoms_fetch_ctx *ctx, const char *key, double def, double lo,
    double hi, double *v, char *why, size_t whylen)
{
	int bad = 0;

	*v = uoms_fetch_setting_num(ctx->channel, key, def, &bad);
	if (bad || *v < lo || *v > hi) {
		snprintf(why, whylen, "setting '%s' must be a number from %g "
		    "to %g", key, lo, hi);
		return -1;
	}
	return 0;
}

static int
emit_products(struct uoms_fetch_ctx *ctx, char *why, size_t whylen)
{
	char line[UOMS_DEMO_LINE_MAX];

	for (int i = 0; i < UOMS_DEMO_PRODUCTS; i++) {
		int n = uoms_demo_product(i, line, sizeof line);
		json_t *p = n > 0 ? json_loadb(line, n, 0, NULL) : NULL;

		if (p == NULL) {
			snprintf(why, whylen, "can't make product %d", i);
			return -1;
		}
		ctx->emit(ctx, p);
		json_decref(p);
	}
	return 0;
}

/* Turns the generator's line for order n into what the shop says now. */
static json_t *
order(struct uoms_fetch_ctx *ctx, const struct uoms_demo *d,
    unsigned long long n, const struct life *l, int s, const char *workflow)
{
	char line[UOMS_DEMO_LINE_MAX], t[24], id[32], no[24];
	int len = uoms_demo_order(d, n, 0, line, sizeof line);
	json_t *o = len > 0 ? json_loadb(line, len, 0, NULL) : NULL;
	size_t i;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "channel", json_string(ctx->channel->name));
	snprintf(id, sizeof id, "D%010llu", n);
	json_object_set_new(o, "external_order_id", json_string(id));
	uoms_demo_time(l->at[NEW], t);
	snprintf(no, sizeof no, "%.2s%.2s%.2s-%06llu", t + 2, t + 5, t + 8,
	    n % 1000000);
	json_object_set_new(o, "order_no", json_string(no));
	json_object_set_new(o, "workflow", json_string(workflow));
	json_object_del(o, "status");
	for (i = 0; i < NELEM(map); i++)
		if (strcmp(map[i].workflow, workflow) == 0)
			json_object_set_new(o, "status",
			    json_string(map[i].state[s]));
	json_object_set_new(o, "channel_status", json_string(raw_name[s]));
	json_object_set_new(o, "placed_at", json_string(t));
	uoms_demo_time(l->at[s], t);
	json_object_set_new(o, "channel_updated_at", json_string(t));
	/* The shop's own times for what has happened to the parcel. */
	if ((s == SHIPPED || s == DELIVERED) && l->at[SHIPPED] >= 0) {
		uoms_demo_time(l->at[SHIPPED], t);
		json_object_set_new(o, "depart_time", json_string(t));
	}
	if (s == DELIVERED && l->at[DELIVERED] >= 0) {
		uoms_demo_time(l->at[DELIVERED], t);
		json_object_set_new(o, "complete_time", json_string(t));
	}
	/* A promised time is the operators' to set (uoms-edit): a shop that
	 * sent one would undo their edits on every fetch. */
	json_object_del(o, "eta");
	return o;
}

static enum uoms_kind_step
demo_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	const char *workflow = ctx->channel->workflow != NULL ?
	    ctx->channel->workflow : "dispatch";
	const char *clock = uoms_fetch_setting_str(ctx->channel, "clock", NULL);
	struct uoms_demo d;
	double rate, seed, history;
	long long since, until, lo, interval, first, last;
	char norm[40];

	(void)req;
	if (ctx->products)
		return emit_products(ctx, why, whylen) < 0 ? UOMS_KIND_FAIL :
		    UOMS_KIND_DONE;
	if (setting(ctx, "rate", 60, 0.01, 3600, &rate, why, whylen) < 0 ||
	    setting(ctx, "seed", 1, 0, 1e15, &seed, why, whylen) < 0 ||
	    setting(ctx, "history", 30, 0, 3650, &history, why, whylen) < 0)
		return UOMS_KIND_FAIL;
	if (clock != NULL && uoms_time_normalize(clock, strlen(clock), norm,
	    1) < 0) {
		snprintf(why, whylen, "setting 'clock' is not an RFC 3339 time: "
		    "'%s'", clock);
		return UOMS_KIND_FAIL;
	}
	until = uoms_fetch_time(clock != NULL ? norm : ctx->until);
	since = uoms_fetch_time(ctx->since);
	if (until < 0 || since < 0) {
		snprintf(why, whylen, "can't read the window (%s, %s]",
		    ctx->since, ctx->until);
		return UOMS_KIND_FAIL;
	}
	uoms_demo_init(&d, (unsigned long long)seed);
	interval = (long long)(3600 / rate);
	if (interval < 1)
		interval = 1;
	/* Orders placed since LIFE before the window may still change in it;
	 * none older than history. */
	lo = since - LIFE;
	if (lo < until - (long long)(history * 86400))
		lo = until - (long long)(history * 86400);
	if (lo < DEMO_EPOCH)
		lo = DEMO_EPOCH;
	if (until < DEMO_EPOCH)
		return UOMS_KIND_DONE;
	first = (lo - DEMO_EPOCH) / interval;
	last = (until - DEMO_EPOCH) / interval;
	for (long long n = first; n <= last; n++) {
		struct life l;
		json_t *o;
		int s;

		schedule((unsigned long long)seed, n, interval, &l);
		if (l.at[NEW] < lo || (s = status_at(&l, until)) < 0 ||
		    l.at[s] <= since)
			continue;
		if ((o = order(ctx, &d, n, &l, s, workflow)) == NULL) {
			snprintf(why, whylen, "can't make order %lld", n);
			return UOMS_KIND_FAIL;
		}
		ctx->emit(ctx, o);
		json_decref(o);
	}
	return UOMS_KIND_DONE;
}

static int
demo_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	(void)ctx;
	(void)r;
	snprintf(why, whylen, "the demo kind makes no requests");
	return -1;
}

/* The demo shop has no network: it takes every push as it comes. */
static int
demo_push(struct uoms_fetch_ctx *ctx, const struct uoms_push_item *it,
    struct uoms_http_req *req, struct uoms_buf *answer, char *why,
    size_t whylen)
{
	(void)ctx;
	(void)req;
	(void)why;
	(void)whylen;
	uoms_buf_printf(answer, "{\"demo\":\"accepted\",\"push\":\"%s\"}",
	    it->push);
	return 1;
}

const struct uoms_kind uoms_kind_demo = {
	.name = "demo",
	.next = demo_next,
	.take = demo_take,
	.done = NULL,
	.max_rate = 0,
	.push = demo_push,
};
