/*
 * The metrics report: the order pipeline per window of time (intake,
 * payment, shipping, delays, backlog, lateness, holds and rejects), and
 * the alerts firing (uoms-alert(1)).
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

struct win {
	long long in, paid, shipped, holds, rejects, alerts[3];
	long long backlog, late, firing;	/* changes within the window */
	long long ndelay, seen, p50, p95;
};

struct metrics {
	struct win *w;
	long long n, from, window, backlog0, late0, firing0;
};

/* The window t falls in: -1 before the first, n after the last. */
static long long
bucket(const struct metrics *m, long long t)
{
	if (t < m->from)
		return -1;
	t = (t - m->from) / m->window;
	return t < m->n ? t : m->n;
}

/* A gauge moves by d at t: before the range into its start value. */
static void
gauge(struct metrics *m, long long t, int late, long long d)
{
	long long b = bucket(m, t);

	if (b < 0)
		*(late ? &m->late0 : &m->backlog0) += d;
	else if (b < m->n)
		*(late ? &m->w[b].late : &m->w[b].backlog) += d;
}

/*
 * The time its cancel event put an order in its (cancelled) state: c.at
 * of a join on the cancelled orders' events, gathered once. Not a
 * subquery per order: PostgreSQL prices one per row so high that it
 * compiles the query (JIT), a second and more before the first row, five
 * times the query's own time on 50 000 orders; SQLite finds the same
 * few orders by their status and their events by order either way.
 */
static void
cancel_join(struct ctx *x, struct uoms_buf *sql)
{
	uoms_buf_str(sql, " LEFT JOIN (SELECT e.order_id, max(e.at) AS at"
	    " FROM orders co JOIN events e ON e.order_id = co.id"
	    " AND e.type = 'status' AND e.to_state = co.status WHERE ");
	report_pred(sql, &x->cls, UOMS_CLASS_CANCELLED, "co.workflow",
	    "co.status");
	uoms_buf_str(sql, " GROUP BY e.order_id) c ON c.order_id = o.id");
}

/* The status events of the metrics' range (its bounds always set). */
static void
events_range(struct ctx *x, struct uoms_buf *sql)
{
	uoms_buf_str(sql, " AND e.at >= ");
	report_param(x, sql, P_FROM);
	uoms_buf_str(sql, " AND e.at < ");
	report_param(x, sql, P_TO);
}

/* Orders: intake, payment for workflows without a step for it, and the
 * backlog and late gauges, from one pass over the orders. */
static int
metrics_orders(struct ctx *x, struct metrics *m)
{
	struct uoms_buf sql = { 0 }, cx = { 0 }, t = { 0 };
	struct uoms_stmt *st;
	int rc;

	uoms_buf_str(&cx, "CASE WHEN ");
	report_pred(&cx, &x->cls, UOMS_CLASS_CANCELLED, "o.workflow",
	    "o.status");
	uoms_buf_str(&cx, " THEN c.at END");
	uoms_buf_str(&sql, "SELECT ");
	uoms_db_epoch(x->s, &sql, "o.placed_at");
	uoms_buf_str(&sql, ", ");
	uoms_db_epoch(x->s, &sql, "o.eta");
	uoms_buf_str(&sql, ", CASE WHEN ");
	report_pred(&sql, &x->cls, UOMS_CLASS_OPEN, "o.workflow", "o.status");
	/* An order that arrived done has no event that moved it: it left
	 * when the channel last changed it, not when it was imported. */
	uoms_buf_printf(&t, "coalesce(o.depart_time, o.complete_time, %s,"
	    " o.channel_updated_at, o.updated_at)", cx.p);
	uoms_buf_str(&sql, " THEN NULL ELSE ");
	uoms_db_epoch(x->s, &sql, t.p);
	uoms_buf_str(&sql, " END, CASE WHEN ");
	report_pred(&sql, &x->cls, UOMS_CLASS_DONE, "o.workflow", "o.status");
	uoms_buf_clear(&t);
	uoms_buf_printf(&t, "coalesce(o.complete_time, %s,"
	    " o.channel_updated_at, o.updated_at)", cx.p);
	uoms_buf_str(&sql, " THEN ");
	uoms_db_epoch(x->s, &sql, t.p);
	uoms_buf_str(&sql, " END, ");
	report_pred_nopay(&sql, &x->cls, "o.workflow");
	/* Every order placed before the end counts for the gauges: a scan,
	 * not the placed_at index (uoms_db_no_index says so). */
	uoms_buf_str(&sql, " FROM orders o");
	cancel_join(x, &sql);
	uoms_buf_str(&sql, " WHERE o.deleted_at IS NULL AND ");
	uoms_db_no_index(x->s, &sql, "o.placed_at");
	uoms_buf_str(&sql, " < ");
	report_param(x, &sql, P_TO);
	st = report_prepare(x, sql.p);
	uoms_buf_free(&sql);
	uoms_buf_free(&cx);
	uoms_buf_free(&t);
	if (st == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		long long p = uoms_db_int(st, 0), b = bucket(m, p);
		long long eta = uoms_db_int(st, 1), left, done, s;

		if (uoms_db_is_null(st, 0))
			continue;
		if (b >= 0 && b < m->n) {
			m->w[b].in++;
			m->w[b].paid += uoms_db_int(st, 4);
		}
		/* In the backlog from placed until it left (shipped, or
		 * reached a state past the backlog). */
		left = uoms_db_int(st, 2);
		if (uoms_db_is_null(st, 2) || left > p) {
			gauge(m, p, 0, 1);
			if (!uoms_db_is_null(st, 2))
				gauge(m, left, 0, -1);
		}
		/* Late from its ETA (once placed) until done, as of now. */
		if (uoms_db_is_null(st, 1))
			continue;
		s = eta > p ? eta : p;
		done = uoms_db_int(st, 3);
		if (s >= x->r->now)
			continue;
		if (uoms_db_is_null(st, 3)) {
			gauge(m, s, 1, 1);
		} else if (done > s) {
			gauge(m, s, 1, 1);
			gauge(m, done, 1, -1);
		}
	}
	uoms_db_free(st);
	return rc;
}

/* Status events: paid and shipped, and how many delays each window has. */
static int
metrics_events(struct ctx *x, struct metrics *m)
{
	struct uoms_buf sql = { 0 };
	struct uoms_stmt *st;
	int rc;

	uoms_buf_str(&sql, "SELECT ");
	uoms_db_epoch(x->s, &sql, "e.at");
	uoms_buf_str(&sql, ", ");
	report_pred(&sql, &x->cls, UOMS_CLASS_SHIP, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, ", ");
	report_pred(&sql, &x->cls, UOMS_CLASS_PAYMENT, "o.workflow",
	    "e.to_state");
	uoms_buf_str(&sql, ", o.placed_at IS NOT NULL FROM events e"
	    " JOIN orders o ON o.id = e.order_id WHERE e.type = 'status'"
	    " AND o.deleted_at IS NULL");
	events_range(x, &sql);
	uoms_buf_str(&sql, " AND (");
	report_pred(&sql, &x->cls, UOMS_CLASS_SHIP, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, " OR ");
	report_pred(&sql, &x->cls, UOMS_CLASS_PAYMENT, "o.workflow",
	    "e.to_state");
	uoms_buf_str(&sql, ")");
	st = report_prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		long long b = bucket(m, uoms_db_int(st, 0));

		if (b < 0 || b >= m->n)
			continue;
		if (uoms_db_int(st, 1)) {
			m->w[b].shipped++;
			m->w[b].ndelay += uoms_db_int(st, 3);
		}
		m->w[b].paid += uoms_db_int(st, 2);
	}
	uoms_db_free(st);
	return rc;
}

/* Nearest rank: the smallest value with at least p% of them at or
 * below it, rank ceil(p * n / 100). */
static long long
rank(long long n, int p)
{
	return (n * p + 99) / 100;
}

/*
 * Delays from placed to shipped, sorted once: each window's delays come
 * in order as a part of the whole, so one pass picks every window's
 * ranks and the whole range's.
 */
static int
metrics_delays(struct ctx *x, struct metrics *m, long long *p50,
    long long *p95)
{
	struct uoms_buf sql = { 0 };
	struct uoms_stmt *st;
	long long total = 0, seen = 0;
	int rc;

	for (long long i = 0; i < m->n; i++) {
		total += m->w[i].ndelay;
		m->w[i].p50 = m->w[i].p95 = -1;
	}
	*p50 = *p95 = -1;
	uoms_buf_str(&sql, "SELECT ");
	uoms_db_epoch(x->s, &sql, "e.at");
	uoms_buf_str(&sql, ", ");
	uoms_db_epoch(x->s, &sql, "e.at");
	uoms_buf_str(&sql, " - ");
	uoms_db_epoch(x->s, &sql, "o.placed_at");
	uoms_buf_str(&sql, " AS d FROM events e"
	    " JOIN orders o ON o.id = e.order_id WHERE e.type = 'status'"
	    " AND o.deleted_at IS NULL");
	events_range(x, &sql);
	uoms_buf_str(&sql, " AND o.placed_at IS NOT NULL AND ");
	report_pred(&sql, &x->cls, UOMS_CLASS_SHIP, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, " ORDER BY d");
	st = report_prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		long long b = bucket(m, uoms_db_int(st, 0));
		long long d = uoms_db_int(st, 1);
		struct win *w;

		if (b < 0 || b >= m->n)
			continue;
		w = &m->w[b];
		w->seen++;
		if (w->seen == rank(w->ndelay, 50))
			w->p50 = d;
		if (w->seen == rank(w->ndelay, 95))
			w->p95 = d;
		seen++;
		if (seen == rank(total, 50))
			*p50 = d;
		if (seen == rank(total, 95))
			*p95 = d;
	}
	uoms_db_free(st);
	return rc;
}

/* Named statement which over the range (?1 from, ?2 to), bound; NULL
 * with x->e filled. */
static struct uoms_stmt *
range_stmt(struct ctx *x, enum uoms_sql which)
{
	struct uoms_stmt *st = uoms_db_stmt(x->s, which);
	char t[40];

	if (st == NULL) {
		uoms_db_fail(x->s, x->e, "preparing a report");
		return NULL;
	}
	report_bound_text(x->r->from, t);
	uoms_db_bind_copy(st, 1, t);
	report_bound_text(x->r->to, t);
	uoms_db_bind_copy(st, 2, t);
	return st;
}

/* Holds placed (alerts, by their state now) and refused lines. */
static int
metrics_holds(struct ctx *x, struct metrics *m)
{
	static const char *const states[] = { "open", "acknowledged",
	    "resolved" };
	struct uoms_stmt *st;
	int rc;

	if ((st = range_stmt(x, SQL_REPORT_HOLDS_PLACED)) == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		long long b = bucket(m, uoms_db_int(st, 0));
		const char *s = uoms_db_text(st, 1);

		if (b < 0 || b >= m->n)
			continue;
		m->w[b].holds++;
		for (int i = 0; i < 3; i++)
			if (s != NULL && strcmp(s, states[i]) == 0)
				m->w[b].alerts[i]++;
	}
	uoms_db_done(st);
	if (rc < 0)
		return rc;
	if ((st = range_stmt(x, SQL_REPORT_REJECTS_AT)) == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		long long b = bucket(m, uoms_db_int(st, 0));

		if (b >= 0 && b < m->n)
			m->w[b].rejects++;
	}
	uoms_db_done(st);
	return rc;
}

/* uoms-alert(1)'s alerts firing (open or acknowledged) at each window's
 * end: a gauge, up when one opened, down when it resolved. */
static int
metrics_alerts(struct ctx *x, struct metrics *m)
{
	struct uoms_stmt *st;
	int rc;

	if ((st = range_stmt(x, SQL_REPORT_ALERTS)) == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		long long b = bucket(m, uoms_db_int(st, 0));

		if (b < 0)
			m->firing0++;
		else if (b < m->n)
			m->w[b].firing++;
		if (uoms_db_is_null(st, 1))
			continue;
		if ((b = bucket(m, uoms_db_int(st, 1))) < 0)
			m->firing0--;
		else if (b < m->n)
			m->w[b].firing--;
	}
	uoms_db_done(st);
	return rc;
}

enum uoms_code
report_metrics(struct ctx *x)
{
	static const struct col cols[] = {
		{ "window", "WINDOW", T_TIME, F_KEY, NULL },
		{ "window_end", "END", T_TIME, F_NOTABLE, NULL },
		{ "orders_in", "IN", T_INT, 0, NULL },
		{ "paid", "PAID", T_INT, 0, NULL },
		{ "shipped", "SHIPPED", T_INT, 0, NULL },
		{ "holds", "HOLDS", T_INT, 0, NULL },
		{ "hold_rate", "HOLD%", T_PCT, 0, NULL },
		{ "p50_delay", "P50", T_SECS, 0, NULL },
		{ "p95_delay", "P95", T_SECS, 0, NULL },
		{ "backlog", "BACKLOG", T_INT, 0, NULL },
		{ "late", "LATE", T_INT, 0, NULL },
		{ "rejects", "REJECTS", T_INT, 0, NULL },
		{ "alerts_open", "OPEN", T_INT, 0, NULL },
		{ "alerts_acknowledged", "ACKED", T_INT, 0, NULL },
		{ "alerts_resolved", "RESOLVED", T_INT, 0, NULL },
		{ "alerts_firing", "FIRING", T_INT, 0, NULL },
	};
	const struct uoms_report *r = x->r;
	struct metrics m = { 0 };
	struct win t = { 0 };
	struct cell row[NELEM(cols)];
	long long backlog, late, firing, p50, p95;

	m.from = r->from;
	m.window = r->window;
	m.n = (r->to - r->from + r->window - 1) / r->window;
	if ((m.w = calloc(m.n, sizeof *m.w)) == NULL)
		return uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	if (metrics_orders(x, &m) < 0 || metrics_events(x, &m) < 0 ||
	    metrics_delays(x, &m, &p50, &p95) < 0 || metrics_holds(x, &m) < 0 ||
	    metrics_alerts(x, &m) < 0)
		goto out;
	x->k.chart = (struct chart){ CH_LINES, "Orders in, shipped and backlog",
	    { 2, 4, 9 }, 3 };
	report_sink_begin(&x->k, cols, NELEM(cols));
	backlog = m.backlog0;
	late = m.late0;
	firing = m.firing0;
	for (long long i = 0; i < m.n; i++) {
		struct win *w = &m.w[i];
		long long end = r->from + (i + 1) * r->window;

		backlog += w->backlog;
		late += w->late;
		firing += w->firing;
		row[0] = cnum(r->from + i * r->window);
		row[1] = cnum(end < r->to ? end : r->to);
		row[2] = cnum(w->in);
		row[3] = cnum(w->paid);
		row[4] = cnum(w->shipped);
		row[5] = cnum(w->holds);
		row[6] = report_cratio(w->holds, w->in);
		row[7] = w->p50 >= 0 ? cnum(w->p50) : cnull;
		row[8] = w->p95 >= 0 ? cnum(w->p95) : cnull;
		row[9] = cnum(backlog);
		row[10] = cnum(late);
		row[11] = cnum(w->rejects);
		for (int a = 0; a < 3; a++)
			row[12 + a] = cnum(w->alerts[a]);
		row[15] = cnum(firing);
		report_sink_row(&x->k, row, 0);
		t.in += w->in;
		t.paid += w->paid;
		t.shipped += w->shipped;
		t.holds += w->holds;
		t.rejects += w->rejects;
		for (int a = 0; a < 3; a++)
			t.alerts[a] += w->alerts[a];
	}
	/* The whole range: sums, rates and delays over all of it, and the
	 * gauges as they stand at its end. */
	row[0] = cnum(r->from);
	row[1] = cnum(r->to);
	row[2] = cnum(t.in);
	row[3] = cnum(t.paid);
	row[4] = cnum(t.shipped);
	row[5] = cnum(t.holds);
	row[6] = report_cratio(t.holds, t.in);
	row[7] = p50 >= 0 ? cnum(p50) : cnull;
	row[8] = p95 >= 0 ? cnum(p95) : cnull;
	row[9] = cnum(backlog);
	row[10] = cnum(late);
	row[11] = cnum(t.rejects);
	for (int a = 0; a < 3; a++)
		row[12 + a] = cnum(t.alerts[a]);
	row[15] = cnum(firing);
	report_sink_row(&x->k, row, 1);
	if (report_sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	free(m.w);
	return x->e->code;
}
