/*
 * The money reports, daily, sales and settlement: orders, items,
 * revenue, cost and profit per group, per currency, never added across
 * currencies (SPEC 8; uoms-report(1) says how each figure is made).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_priv.h"

/*
 * Money adds up in 64 bits, checked: a sum or product that would not fit
 * stops the report (exit 3) with what overflowed, never a wrapped,
 * wrong number (SPEC 8; uoms-report(1) EXIT STATUS). Returns 0, or -1
 * with x->e filled.
 */
static int
out_of_range(struct ctx *x, const char *figure, const char *k0,
    const char *k1)
{
	uoms_fail(x->e, UOMS_INTERNAL, "%s of '%s%s%s' is out of range: "
	    "beyond %lld, it can't be added up exactly", figure,
	    k0 != NULL ? k0 : "-", k1 != NULL ? "', '" : "",
	    k1 != NULL ? k1 : "", LLONG_MAX);
	return -1;
}

/* *acc += n * price; 1 when it does not fit. */
static int
add_product(long long *acc, long long n, long long price)
{
	long long p;

	return __builtin_mul_overflow(n, price, &p) ||
	    __builtin_add_overflow(*acc, p, acc);
}

/* The figure columns, in the order figure_cells fills them. */
#define NFIGS 10

/* The figure cells from cell fc on: orders, cancelled, items, revenue,
 * cost, profit, margin, uncosted, cancelled_amount, refunded_amount.
 * A revenue with an unpriced item, a cost with an item of unknown cost,
 * are unknown, and so is what they make: never a number that looks
 * right and is not. */
static void
figure_cells(struct cell *c, const struct figures *f)
{
	int rev = f->unpriced == 0, cost = f->uncosted == 0;

	c[0] = cnum(f->orders);
	c[1] = cnum(f->cancelled);
	c[2] = cnum(f->items);
	c[3] = rev ? cnum(f->revenue) : cnull;
	c[4] = cost ? cnum(f->cost) : cnull;
	c[5] = rev && cost ? cnum(f->revenue - f->cost) : cnull;
	c[6] = rev && cost ? report_cratio(f->revenue - f->cost, f->revenue) :
	    cnull;
	c[7] = cnum(f->uncosted);
	c[8] = rev ? cnum(f->cancelled_amount) : cnull;
	c[9] = cnum(f->refunded);
}

/* Whether f's profit (revenue - cost) fits; -1 with x->e filled. */
static int
figures_fit(struct ctx *x, const struct figures *f, const char *k0,
    const char *k1)
{
	long long p;

	if (f->unpriced == 0 && f->uncosted == 0 &&
	    __builtin_sub_overflow(f->revenue, f->cost, &p))
		return out_of_range(x, "profit", k0, k1);
	return 0;
}

/* The sentence of a settlement line, for a chat message. Money is in
 * the currency's minor unit, like every figure; the currency is named
 * once, after the day. */
static void
settle_text(struct uoms_buf *b, const char *who, const char *day,
    const char *currency, const struct figures *f)
{
	struct cell c[NFIGS];
	char v[40], m[32];

	figure_cells(c, f);
	uoms_buf_clear(b);
	report_group_digits(v, sizeof v, f->orders);
	uoms_buf_printf(b, "%s %s", who, day);
	if (currency != NULL)
		uoms_buf_printf(b, " (%s)", currency);
	uoms_buf_printf(b, ": %s order%s", v, f->orders == 1 ? "" : "s");
	report_group_digits(v, sizeof v, f->cancelled);
	if (f->cancelled > 0)
		uoms_buf_printf(b, " (%s cancelled)", v);
	report_group_digits(v, sizeof v, f->items);
	uoms_buf_printf(b, ", %s item%s", v, f->items == 1 ? "" : "s");
	report_group_digits(v, sizeof v, c[3].i);
	uoms_buf_printf(b, ", revenue %s", c[3].null ? "unknown" : v);
	report_group_digits(v, sizeof v, c[8].i);
	if (!c[8].null && c[8].i != 0)
		uoms_buf_printf(b, " (%s cancelled", v);
	report_group_digits(v, sizeof v, f->refunded);
	if (f->refunded != 0)
		uoms_buf_printf(b, "%s%s refunded", !c[8].null && c[8].i != 0 ?
		    ", " : " (", v);
	if ((!c[8].null && c[8].i != 0) || f->refunded != 0)
		uoms_buf_str(b, ")");
	report_group_digits(v, sizeof v, c[4].i);
	if (c[4].null)
		uoms_buf_printf(b, ", cost unknown (%lld %s without a cost)",
		    f->uncosted, f->uncosted == 1 ? "item" : "items");
	else
		uoms_buf_printf(b, ", cost %s", v);
	report_group_digits(v, sizeof v, c[5].i);
	if (c[5].null)
		uoms_buf_str(b, ", profit unknown");
	else if (c[6].null)
		uoms_buf_printf(b, ", profit %s", v);
	else {
		report_pct_text(m, sizeof m, c[6].i);
		uoms_buf_printf(b, ", profit %s (%s%%)", v, m);
	}
}

/* The SQL of a key of the sales reports. */
static void
key_sql(struct uoms_buf *b, enum uoms_report_by k)
{
	switch (k) {
	case UOMS_BY_NONE:
		uoms_buf_str(b, "o.placed_at");	/* its day is worked out here */
		break;
	case UOMS_BY_DEPARTMENT:
		uoms_buf_str(b, "o.department");
		break;
	case UOMS_BY_CHANNEL:
		uoms_buf_str(b, "o.channel");
		break;
	case UOMS_BY_ITEM:
		uoms_buf_str(b, "i.sku");
		break;
	}
}

/* The money members kept in extra (JSON): a file's extra that is not
 * JSON reads as none, never an error that stops the report. */
static void
extra_sql(struct ctx *x, struct uoms_buf *b)
{
	uoms_db_json_member_lax(x->s, b, "o.extra", "refunded_amount");
	uoms_buf_str(b, ", ");
	uoms_db_json_member_lax(x->s, b, "i.extra", "cancelled_quantity");
}

/* A line of the order being read: its group and what it was paid. */
struct sale_line {
	struct group *g;
	long long paid;		/* units not cancelled x unit_price; 0 unpriced */
};

/* The order being read: its group, its lines, its refund. */
struct sale_order {
	struct group *g;
	struct sale_line *l;
	int n, cap;
	long long refund;
};

/* amount refunded from g's revenue; -1 with x->e filled. */
static int
refund_to(struct ctx *x, struct group *g, long long amount)
{
	if (__builtin_add_overflow(g->f.refunded, amount, &g->f.refunded))
		return out_of_range(x, "refunded_amount", g->k[0], g->k[1]);
	if (__builtin_sub_overflow(g->f.revenue, amount, &g->f.revenue))
		return out_of_range(x, "revenue", g->k[0], g->k[1]);
	return 0;
}

/*
 * The order's refund comes off the revenue of the groups its lines are
 * in. A refund is the order's, not a line's, so with --by item it is
 * shared in proportion to what each line was paid (rounded down, the
 * units left over one each to the first lines paid), and the item rows
 * still add up to the totals. All of it goes to the order's group when
 * no line was paid. In 128 bits: refund x paid does not fit in 64.
 */
static int
sale_refund(struct ctx *x, const struct sale_order *o)
{
	__int128 w = 0, left = o->refund;

	if (o->refund <= 0)
		return 0;
	for (int i = 0; i < o->n; i++)
		w += o->l[i].paid > 0 ? o->l[i].paid : 0;
	if (w == 0)
		return refund_to(x, o->n > 0 ? o->l[0].g : o->g, o->refund);
	for (int i = 0; i < o->n; i++) {
		long long share;

		if (o->l[i].paid <= 0)
			continue;
		share = (long long)((__int128)o->refund * o->l[i].paid / w);
		if (refund_to(x, o->l[i].g, share) < 0)
			return -1;
		left -= share;
	}
	for (int i = 0; i < o->n && left > 0; i++)
		if (o->l[i].paid > 0) {
			if (refund_to(x, o->l[i].g, 1) < 0)
				return -1;
			left--;
		}
	return 0;
}

/*
 * One item of an order not cancelled into group g: q units ordered, cq
 * of them cancelled (clamped to 0..q whatever the file holds), at price
 * (may be null) and the cost kn says (NULL: none). Only the units not
 * cancelled are items, revenue and cost; the cancelled ones are
 * cancelled_amount.
 */
static int
sale_item(struct ctx *x, struct uoms_stmt *st, int q, struct group *g,
    const struct known *kn, struct sale_order *o)
{
	struct figures *f = &g->f;
	long long n = uoms_db_int(st, q), cq, price, cost, paid = 0;

	cq = uoms_db_int(st, q + 7);
	cq = cq < 0 ? 0 : cq > n ? (n > 0 ? n : 0) : cq;
	n -= cq;
	if (__builtin_add_overflow(f->items, n, &f->items))
		return out_of_range(x, "items", g->k[0], g->k[1]);
	if (uoms_db_is_null(st, q + 1))
		f->unpriced++;
	else {
		price = uoms_db_int(st, q + 1);
		if (add_product(&paid, n, price) ||
		    __builtin_add_overflow(f->revenue, paid, &f->revenue))
			return out_of_range(x, "revenue", g->k[0], g->k[1]);
		if (add_product(&f->cancelled_amount, cq, price))
			return out_of_range(x, "cancelled_amount", g->k[0],
			    g->k[1]);
	}
	if (kn == NULL || !report_known_cost(kn, uoms_db_text(st, q + 2),
	    &cost)) {
		if (__builtin_add_overflow(f->uncosted, n, &f->uncosted))
			return out_of_range(x, "uncosted", g->k[0], g->k[1]);
	} else if (add_product(&f->cost, n, cost))
		return out_of_range(x, "cost", g->k[0], g->k[1]);
	if (o->n == o->cap && grow(&o->l, o->cap += 8, sizeof *o->l) < 0) {
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
		return -1;
	}
	o->l[o->n++] = (struct sale_line){ g, paid };
	return 0;
}

/* An item group's name: the catalog's (kn's: of the order's channel,
 * else the shared one), else the one on an order. -1 out of memory. */
static int
group_name(struct group *g, const struct known *kn,
    const char *on_order)
{
	const char *s = kn != NULL && kn->name != NULL ? kn->name : on_order;

	if (s == NULL || g->name_from_catalog ||
	    (g->name != NULL && (kn == NULL || kn->name == NULL)))
		return 0;
	free(g->name);
	if ((g->name = strdup(s)) == NULL)
		return -1;
	g->name_from_catalog = kn != NULL && kn->name != NULL;
	return 0;
}

/*
 * The orders and their items stream by in order (the join keeps an
 * order's items together) and add up into groups here: days, channels,
 * departments are few, items as many as the catalog. Every group is of
 * one currency (its k[2]), and so is every totals group in tots (keyed
 * by currency alone): money is never added across currencies. An order
 * counts once in each group its items are in, and once in its
 * currency's totals.
 */
static int
sales_groups(struct ctx *x, const enum uoms_report_by *keys, int nk,
    int item, struct groups *gs, struct groups *tots)
{
	struct uoms_buf sql = { 0 };
	struct group *g = NULL, *t = NULL, **seen = NULL;
	struct sale_order o = { 0 };
	struct catalog cat;
	struct known *kn;
	struct uoms_stmt *st;
	long long last = 0;
	int rc, cx = 0, first = 1, q = nk + 2, nseen = 0, capseen = 0;
	const char *k[2] = { NULL, NULL };
	char day[16];

	uoms_buf_str(&sql, "SELECT o.id");
	for (int i = 0; i < nk; i++) {
		uoms_buf_str(&sql, ", ");
		key_sql(&sql, keys[i]);
	}
	uoms_buf_str(&sql, ", ");
	report_pred(&sql, &x->cls, UOMS_CLASS_CANCELLED, "o.workflow",
	    "o.status");
	uoms_buf_printf(&sql, ", i.quantity, i.unit_price,"
	    " coalesce(o.placed_at, o.created_at), i.order_id IS NOT NULL,"
	    " %s, o.currency, ", item ? "i.name" : "NULL");
	extra_sql(x, &sql);
	uoms_buf_printf(&sql, ", o.channel, i.sku FROM orders o %sJOIN"
	    " order_items i ON i.order_id = o.id WHERE o.placed_at IS NOT NULL"
	    " AND o.deleted_at IS NULL",
	    item ? "" : "LEFT ");
	report_range_sql(x, &sql, "o.placed_at");
	/*
	 * The order SQLite's plans read in anyway (no sort): an order's
	 * items together, in key order; by placed time where a bound
	 * picks the placed_at index. Written out, so that every engine
	 * streams alike: an item group is named by the first order seen,
	 * and a refund's spare units go to the first lines. Without a
	 * bound, items are read first where every order has some (the
	 * inner join, by i.order_id: the same order as o.id).
	 */
	if (x->r->has_from || x->r->has_to)
		uoms_buf_str(&sql, " ORDER BY o.placed_at, o.id,"
		    " i.external_item_id");
	else
		uoms_buf_printf(&sql, " ORDER BY %s, i.external_item_id",
		    item ? "i.order_id" : "o.id");
	st = report_prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return -1;
	if (report_catalog_open(x, &cat) < 0) {
		uoms_db_free(st);
		return -1;
	}
	while ((rc = report_step(x, st)) > 0) {
		long long id = uoms_db_int(st, 0);
		int new_order = first || id != last;
		const char *sku = uoms_db_text(st, q + 9);

		kn = NULL;
		if (sku != NULL && (kn = report_catalog_get(x, &cat,
		    uoms_db_text(st, q + 8), sku)) == NULL)
			goto fail;

		if (new_order) {
			if (!first && sale_refund(x, &o) < 0)
				goto fail;
			first = 0;
			last = id;
			nseen = 0;
			o.n = 0;
			cx = uoms_db_int(st, nk + 1);
			t = report_groups_get(tots, NULL, NULL,
			    uoms_db_text(st, q + 5));
			if (t == NULL)
				goto oom;
			*(cx ? &t->f.cancelled : &t->f.orders) += 1;
			o.refund = cx ? 0 : uoms_db_int(st, q + 6);
		}
		if (new_order || item) {
			for (int i = 0; i < nk; i++)
				k[i] = keys[i] != UOMS_BY_NONE ?
				    uoms_db_text(st, 1 + i) : !new_order ? k[i] :
				    report_local_day(x, uoms_db_text(st, 1 + i),
				    day);
			g = report_groups_get(gs, k[0], nk > 1 ? k[1] : NULL,
			    t->k[2]);
			if (g == NULL)
				goto oom;
			o.g = g;
			int once = 1;
			for (int i = 0; i < nseen; i++)
				once &= seen[i] != g;
			if (once) {
				if (nseen == capseen) {
					struct group **ns = realloc(seen,
					    sizeof *ns * (capseen += 8));

					if (ns == NULL)
						goto oom;
					seen = ns;
				}
				seen[nseen++] = g;
				*(cx ? &g->f.cancelled : &g->f.orders) += 1;
			}
			if (item && group_name(g, kn, uoms_db_text(st,
			    q + 4)) < 0)
				goto oom;
		}
		if (cx || !uoms_db_int(st, q + 3))
			continue;
		if (sale_item(x, st, q, g, kn, &o) < 0)
			goto fail;
	}
	if (rc == 0 && !first && sale_refund(x, &o) < 0)
		goto fail;
	uoms_db_free(st);
	report_catalog_free(&cat);
	free(seen);
	free(o.l);
	return rc;
oom:
	uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
fail:
	uoms_db_free(st);
	report_catalog_free(&cat);
	free(seen);
	free(o.l);
	return -1;
}

/* Checks each group's figures and adds them into its currency's totals
 * (in tots, whose orders come from the stream, once each); -1 with x->e
 * filled when one does not fit. */
static int
sales_total(struct ctx *x, struct group **g, size_t n, struct groups *tots)
{
	for (size_t i = 0; i < n; i++) {
		const struct figures *f = &g[i]->f;
		struct group *tg = report_groups_get(tots, NULL, NULL,
		    g[i]->k[2]);
		struct figures *tot;

		if (tg == NULL) {
			uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
			return -1;
		}
		tot = &tg->f;
		if (figures_fit(x, f, g[i]->k[0], g[i]->k[1]) < 0)
			return -1;
		if (__builtin_add_overflow(tot->items, f->items, &tot->items) ||
		    __builtin_add_overflow(tot->uncosted, f->uncosted,
		    &tot->uncosted))
			return out_of_range(x, "items", "total", NULL);
		if (__builtin_add_overflow(tot->revenue, f->revenue,
		    &tot->revenue))
			return out_of_range(x, "revenue", "total", NULL);
		if (__builtin_add_overflow(tot->cost, f->cost, &tot->cost))
			return out_of_range(x, "cost", "total", NULL);
		if (__builtin_add_overflow(tot->cancelled_amount,
		    f->cancelled_amount, &tot->cancelled_amount))
			return out_of_range(x, "cancelled_amount", "total",
			    NULL);
		if (__builtin_add_overflow(tot->refunded, f->refunded,
		    &tot->refunded))
			return out_of_range(x, "refunded_amount", "total",
			    NULL);
		tot->unpriced += f->unpriced;
	}
	for (size_t i = 0; i < tots->cap; i++)
		if (tots->slot[i] != NULL &&
		    figures_fit(x, &tots->slot[i]->f, "total", NULL) < 0)
			return -1;
	return 0;
}

/* A currency cell: null (no currency) is "-", in a totals row too. */
static struct cell
ccurrency(const char *s)
{
	struct cell c = ctext(s);

	c.na = s == NULL;
	return c;
}

enum uoms_code
report_sales(struct ctx *x)
{
	const struct uoms_report *r = x->r;
	static const struct col figs[NFIGS] = {
		{ "orders", "ORDERS", T_INT, 0, NULL },
		{ "cancelled", "CANCELLED", T_INT, 0, NULL },
		{ "items", "ITEMS", T_INT, 0, NULL },
		{ "revenue", "REVENUE", T_INT, F_UNKNOWN, NULL },
		{ "cost", "COST", T_INT, F_UNKNOWN, NULL },
		{ "profit", "PROFIT", T_INT, F_UNKNOWN, NULL },
		{ "margin", "MARGIN", T_PCT, F_UNKNOWN, NULL },
		{ "uncosted", "UNCOSTED", T_INT, 0, NULL },
		{ "cancelled_amount", "CANCELLED AMT", T_INT, F_UNKNOWN,
		    NULL },
		{ "refunded_amount", "REFUNDED AMT", T_INT, 0, NULL },
	};
	static const struct col keycols[] = {
		[UOMS_BY_NONE] = { "day", "DAY", T_TEXT, F_KEY, NULL },
		[UOMS_BY_DEPARTMENT] = { "department", "DEPARTMENT", T_TEXT,
		    F_KEY, NULL },
		[UOMS_BY_CHANNEL] = { "channel", "CHANNEL", T_TEXT, F_KEY,
		    NULL },
		[UOMS_BY_ITEM] = { "sku", "SKU", T_TEXT, F_KEY, NULL },
	};
	enum uoms_report_by keys[2];
	struct col cols[20];
	struct cell row[20];
	struct uoms_buf text = { 0 };
	struct figures none = { 0 };
	struct groups gs = { 0 }, tots = { 0 };
	struct group **sorted = NULL, **tsorted;
	int nk = 0, nc = 0, item = 0, settle = r->name ==
	    UOMS_REPORT_SETTLEMENT, fc, cc;
	char day[16] = "";

	if (settle) {
		time_t t = r->from;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		/* One day for every row: the totals row has it too. */
		cols[nc++] = (struct col){ "day", "DAY", T_TEXT, 0, NULL };
		keys[nk++] = UOMS_BY_CHANNEL;
	} else if (r->name == UOMS_REPORT_DAILY) {
		keys[nk++] = UOMS_BY_NONE;
		if (r->by != UOMS_BY_NONE)
			keys[nk++] = r->by;
	} else
		keys[nk++] = r->by;
	for (int i = 0; i < nk; i++) {
		cols[nc++] = keycols[keys[i]];
		item |= keys[i] == UOMS_BY_ITEM;
	}
	if (item)
		cols[nc++] = (struct col){ "name", "NAME", T_TEXT, 0, NULL };
	/* Every money row says its currency, the totals rows too. */
	cc = nc;
	cols[nc++] = (struct col){ "currency", "CURRENCY", T_TEXT, F_TAG,
	    NULL };
	fc = nc;
	for (size_t i = 0; i < NELEM(figs); i++)
		cols[nc++] = figs[i];
	if (settle)
		cols[nc++] = (struct col){ "text", "TEXT", T_TEXT, F_NOTABLE,
		    NULL };

	if (keys[0] == UOMS_BY_NONE && report_zone_for_range(x) < 0)
		return x->e->code;
	if (sales_groups(x, keys, nk, item, &gs, &tots) < 0)
		goto out;
	sorted = report_groups_sorted(&gs);
	/* Every figure is checked before the first row goes out: a report
	 * that can't be added up prints nothing, not half. */
	if (sales_total(x, sorted, gs.n, &tots) < 0)
		goto out;
	tsorted = report_groups_sorted(&tots);
	x->k.chart = (struct chart){ CH_BARS, "Revenue and profit",
	    { fc + 3, fc + 5 }, 2 };
	report_sink_begin(&x->k, cols, nc);
	for (size_t gi = 0; gi < gs.n; gi++) {
		struct group *g = sorted[gi];
		int c = 0;

		if (settle)
			row[c++] = ctext(day);
		for (int i = 0; i < nk; i++, c++)
			row[c] = ctext(g->k[i]);
		if (item)
			row[c++] = ctext(g->name);
		row[cc] = ccurrency(g->k[2]);
		figure_cells(row + fc, &g->f);
		if (settle) {
			settle_text(&text, row[1].null ? "-" : row[1].s, day,
			    g->k[2], &g->f);
			row[nc - 1] = ctext(text.p);
		}
		report_sink_row(&x->k, row, 0);
	}
	/* A totals row per currency; with no orders, one of nothing. */
	for (size_t ti = 0; ti < (tots.n > 0 ? tots.n : 1); ti++) {
		const char *cur = tots.n > 0 ? tsorted[ti]->k[2] : NULL;
		const struct figures *f = tots.n > 0 ? &tsorted[ti]->f : &none;

		for (int c = 0; c < fc; c++)
			row[c] = cnull;
		row[cc] = ccurrency(cur);
		figure_cells(row + fc, f);
		if (settle) {
			row[0] = ctext(day);
			settle_text(&text, "all channels", day, cur, f);
			row[nc - 1] = ctext(text.p);
		}
		report_sink_row(&x->k, row, 1);
	}
	if (report_sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	report_groups_free(&gs);
	report_groups_free(&tots);
	uoms_buf_free(&text);
	return x->e->code;
}
