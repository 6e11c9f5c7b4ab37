#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "db.h"
#include "rfc3339.h"

/* The columns of SQL_PRODUCT_FIND: the product's up to its stock, then
 * extra (and version). */
#define COL_EXTRA	UOMS_P_COST_FROM

/* The channel a product line names: absent, null and "" are shared. */
static struct uoms_val
channel_of(const struct uoms_product *p)
{
	if (p->f[UOMS_P_CHANNEL].type == UOMS_V_TEXT)
		return p->f[UOMS_P_CHANNEL];
	return (struct uoms_val){ .type = UOMS_V_TEXT, .s = "", .n = 0 };
}

/*
 * When the line's cost holds from, as an RFC 3339 UTC time with exactly
 * three decimals (as locks write theirs): cost_from, or now. Refuses a
 * cost_from without a cost, or beyond the skew: a cost that starts later
 * would be today's cost before its time.
 */
static enum uoms_code
valid_from(const struct uoms_product *p, char out[UOMS_TIME_MS_SIZE],
    struct uoms_error *e)
{
	const struct uoms_val *from = &p->f[UOMS_P_COST_FROM];
	struct timespec ts;
	long long secs, ms = 0;
	const char *dot;

	if (from->type != UOMS_V_TEXT) {
		clock_gettime(CLOCK_REALTIME, &ts);
		uoms_time_ms((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
		    out);
		return UOMS_OK;
	}
	if (p->f[UOMS_P_COST].type != UOMS_V_INT)
		return uoms_fail(e, UOMS_INVALID, "cost_from goes with a cost: "
		    "the line has none");
	secs = uoms_time_epoch(from->s);
	if (secs > (long long)time(NULL) + UOMS_CATALOG_SKEW)
		return uoms_fail(e, UOMS_INVALID, "cost_from '%.40s' is in the "
		    "future", from->s);
	/* Milliseconds: the first three decimals, missing ones as 0. */
	dot = strchr(from->s, '.');
	for (int i = 1, digits = dot != NULL; i <= 3; i++) {
		digits = digits && dot[i] >= '0' && dot[i] <= '9';
		ms = ms * 10 + (digits ? dot[i] - '0' : 0);
	}
	uoms_time_ms(secs * 1000 + ms, out);
	return UOMS_OK;
}

/*
 * Adds the line's cost to the history when it is one the product did not
 * have: a new product's, a changed one, or one dated by cost_from. *added
 * is set when a row was written (a row dated again with its own cost is
 * not).
 */
static enum uoms_code
put_cost(struct uoms_store *s, const struct uoms_product *p,
    const struct uoms_val *channel, const struct uoms_val *stored_cost,
    const char *from, int *added, struct uoms_error *e)
{
	const struct uoms_val *cost = &p->f[UOMS_P_COST];
	struct uoms_stmt *st;

	*added = 0;
	if (cost->type != UOMS_V_INT || (p->f[UOMS_P_COST_FROM].type !=
	    UOMS_V_TEXT && uoms_val_equal(cost, stored_cost)))
		return UOMS_OK;
	if ((st = uoms_db_stmt(s, SQL_PRODUCT_COST_PUT)) == NULL)
		return uoms_db_fail(s, e, "keeping a cost");
	uoms_db_bind_val(st, 1, channel);
	uoms_db_bind_val(st, 2, &p->f[UOMS_P_SKU]);
	uoms_db_bind_text(st, 3, from);
	uoms_db_bind_val(st, 4, cost);
	if (uoms_db_step(st) != UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "keeping a cost");
	}
	*added = uoms_db_changes(s) > 0;
	uoms_db_done(st);
	return UOMS_OK;
}

/* The product's cost now: its latest row's, or v as it is without one. */
static enum uoms_code
cost_now(struct uoms_store *s, const struct uoms_val *channel,
    const struct uoms_val *sku, struct uoms_val *v, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_PRODUCT_COST_NOW);
	int rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading a cost");
	uoms_db_bind_val(st, 1, channel);
	uoms_db_bind_val(st, 2, sku);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		*v = (struct uoms_val){ .type = UOMS_V_INT,
		    .i = uoms_db_int(st, 0) };
	uoms_db_done(st);
	return rc == UOMS_DB_ROW || rc == UOMS_DB_DONE ? UOMS_OK :
	    uoms_db_fail(s, e, "reading a cost");
}

/* {"channel":"c","sku":"s","changed":[...]}; channel only when not ''. */
static void
event_details(struct uoms_buf *d, const struct uoms_val *channel,
    const struct uoms_val *sku, const struct uoms_buf *changed)
{
	uoms_buf_str(d, "{");
	if (channel->n > 0) {
		uoms_buf_str(d, "\"channel\":");
		uoms_buf_json_string(d, channel->s, channel->n);
		uoms_buf_str(d, ",");
	}
	uoms_buf_str(d, "\"sku\":");
	uoms_buf_json_string(d, sku->s, sku->n);
	if (changed->n > 0)
		uoms_buf_printf(d, ",\"changed\":%s]", changed->p);
	uoms_buf_str(d, "}");
}

enum uoms_code
uoms_catalog_put(struct uoms_store *s, const struct uoms_product *p,
    enum uoms_ingest_result *result, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_PRODUCT_FIND), *w = NULL;
	struct uoms_buf changed = { 0 }, d = { 0 };
	struct uoms_val channel = channel_of(p), cost = p->f[UOMS_P_COST];
	struct uoms_val stored_cost = { .type = UOMS_V_NULL };
	enum uoms_code code;
	int rc, n = 0, added, cost_changed = 0;
	long long version = 1;
	char now[24], from[UOMS_TIME_MS_SIZE];

	if ((code = valid_from(p, from, e)) != UOMS_OK)
		return code;
	if (st == NULL)
		return uoms_db_fail(s, e, "finding a product");
	uoms_time_now(now);
	uoms_db_bind_val(st, 1, &channel);
	uoms_db_bind_val(st, 2, &p->f[UOMS_P_SKU]);
	rc = uoms_db_step(st);
	if (rc != UOMS_DB_ROW && rc != UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "finding a product");
	}
	*result = rc == UOMS_DB_ROW ? UOMS_UPDATED : UOMS_CREATED;
	if (rc == UOMS_DB_ROW)
		stored_cost = uoms_db_val(st, UOMS_P_COST);
	/* The history first: a cost dated back leaves today's cost. */
	if ((code = put_cost(s, p, &channel, &stored_cost, from, &added, e)) !=
	    UOMS_OK)
		goto out;
	if (p->f[UOMS_P_COST_FROM].type == UOMS_V_TEXT &&
	    (code = cost_now(s, &channel, &p->f[UOMS_P_SKU], &cost, e)) !=
	    UOMS_OK)
		goto out;
	w = uoms_db_stmt(s, rc == UOMS_DB_ROW ? SQL_PRODUCT_UPDATE :
	    SQL_PRODUCT_INSERT);
	if (w == NULL) {
		code = uoms_db_fail(s, e, "writing a product");
		goto out;
	}
	uoms_db_bind_val(w, 1 + UOMS_P_CHANNEL, &channel);
	uoms_db_bind_val(w, 1 + UOMS_P_SKU, &p->f[UOMS_P_SKU]);
	for (int f = UOMS_P_NAME; f <= COL_EXTRA; f++) {
		const struct uoms_val *v = f == UOMS_P_COST ? &cost :
		    f < COL_EXTRA ? &p->f[f] : &p->extra;
		struct uoms_val old = rc == UOMS_DB_ROW ? uoms_db_val(st,
		    f) : (struct uoms_val){ .type = UOMS_V_NULL };

		if (v->type == UOMS_V_ABSENT || uoms_val_equal(v, &old)) {
			uoms_db_bind_val(w, 1 + f, &old);
			continue;
		}
		uoms_db_bind_val(w, 1 + f, v);
		cost_changed |= f == UOMS_P_COST;
		uoms_buf_printf(&changed, "%s\"%s\"", n++ ? "," : "[",
		    f < COL_EXTRA ? uoms_product_field_name(f) : "extra");
	}
	/* A cost dated back, today's cost unchanged: a change all the same. */
	if (added && !cost_changed)
		uoms_buf_printf(&changed, "%s\"cost_from\"", n++ ? "," : "[");
	if (*result == UOMS_UPDATED && n == 0) {
		*result = UOMS_UNCHANGED;
		goto out;
	}
	uoms_db_bind_text(w, 1 + COL_EXTRA + 1, now);
	if ((rc = uoms_db_step(w)) == UOMS_DB_ROW)
		version = uoms_db_int(w, 0);
	else if (rc != UOMS_DB_DONE) {
		code = uoms_db_fail(s, e, "writing a product");
		goto out;
	}
	/* It may track a product now: the next order asks again. */
	*uoms_store_any_stock(s) = -1;
	if (*result == UOMS_CREATED)
		uoms_buf_clear(&changed);
	event_details(&d, &channel, &p->f[UOMS_P_SKU], &changed);
	code = uoms_event_append(s, 0, *result == UOMS_CREATED ?
	    "product_created" : "product_updated", NULL, NULL, version, d.p,
	    now, e);
out:
	uoms_db_done(st);
	if (w != NULL)
		uoms_db_done(w);
	uoms_buf_free(&changed);
	uoms_buf_free(&d);
	return code;
}

/* '{...}' + '{"x":1}' -> '{...,"x":1}': unknown members go last. */
static int
with_extra(struct uoms_buf *out, struct uoms_stmt *st)
{
	const char *rec = uoms_db_text(st, 0);
	size_t n = uoms_db_bytes(st, 0);
	const char *x = uoms_db_text(st, 1);
	size_t xn = uoms_db_bytes(st, 1);

	if (x == NULL || xn <= 2)
		return uoms_buf_add(out, rec, n);
	if (uoms_buf_add(out, rec, n - 1) < 0 || uoms_buf_add(out, ",", 1) < 0)
		return -1;
	return uoms_buf_add(out, x + 1, xn - 1);
}

enum uoms_code
uoms_catalog_record(struct uoms_store *s, const char *channel,
    const char *sku, struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_PRODUCT_RECORD);
	int rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading a product");
	uoms_db_bind_text(st, 1, channel != NULL ? channel : "");
	uoms_db_bind_text(st, 2, sku);
	rc = uoms_db_step(st);
	if (rc != UOMS_DB_ROW || with_extra(out, st) < 0) {
		uoms_db_done(st);
		if (rc == UOMS_DB_DONE)
			return uoms_fail(e, UOMS_NOT_FOUND, "no product '%s'",
			    sku);
		return uoms_db_fail(s, e, "reading a product");
	}
	uoms_db_done(st);
	return UOMS_OK;
}

static const char *const product_columns[] = {
	"channel", "sku", "name", "category", "price", "cost", "currency",
	"stock", "reserved", "available", "version", "created_at",
	"updated_at", NULL
};
static const char *const cost_columns[] = {
	"channel", "sku", "valid_from", "cost", NULL
};

const char *const *
uoms_catalog_columns(enum uoms_catalog_list what)
{
	return what == UOMS_CATALOG_COSTS ? cost_columns : product_columns;
}

/* The rows' texts follow the record and its extra: column 2 on. */
#define LIST_COLS	2
#define LIST_MAX	13

int
uoms_catalog_list(struct uoms_store *s, enum uoms_catalog_list what,
    const char *channel, const char *sku,
    int (*row)(void *arg, const char *json, size_t n,
    const char *const *cols), void *arg, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, what == UOMS_CATALOG_COSTS ?
	    SQL_PRODUCT_COST_LIST : SQL_PRODUCT_LIST);
	const char *const *names = uoms_catalog_columns(what);
	const char *cols[LIST_MAX + 1];
	struct uoms_buf rec = { 0 };
	int rc = UOMS_DB_DONE, stop = 0;

	if (st == NULL) {
		uoms_db_fail(s, e, "listing the catalog");
		return -1;
	}
	if (channel != NULL)
		uoms_db_bind_text(st, 1, channel);
	if (sku != NULL)
		uoms_db_bind_text(st, 2, sku);
	while (!stop && (rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		int i;

		uoms_buf_clear(&rec);
		if (with_extra(&rec, st) < 0) {
			uoms_fail(e, UOMS_INTERNAL, "out of memory");
			stop = -1;
			break;
		}
		for (i = 0; names[i] != NULL && i < LIST_MAX; i++)
			cols[i] = uoms_db_text(st,
			    LIST_COLS + i);
		cols[i] = NULL;
		stop = row(arg, rec.p, rec.n, cols);
	}
	uoms_db_done(st);
	uoms_buf_free(&rec);
	if (stop == 0 && rc != UOMS_DB_DONE) {
		uoms_db_fail(s, e, "listing the catalog");
		return -1;
	}
	return stop;
}
