/*
 * The reports of uoms-report. Each one is a few aggregate queries over
 * the store, read in one transaction, whose rows go to a sink that writes
 * them as a table, JSON lines, CSV or an SVG chart. This file checks the
 * options, binds a report's parameters and runs it; report_priv.h says
 * which file does the rest.
 *
 * Most reports add up in a hash of their few groups as rows stream by
 * (SQLite would sort every row to group them); memory follows the
 * groups, never the orders.
 *
 * What a state means (cancelled, shipped, complete, open...) comes from
 * the workflow files, not from state names: see uoms_workflow_classes().
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "report_priv.h"
#include "text.h"

static const char *const report_names[] = {
	[UOMS_REPORT_STATUS] = "status",
	[UOMS_REPORT_HOURLY] = "hourly",
	[UOMS_REPORT_DAILY] = "daily",
	[UOMS_REPORT_SALES] = "sales",
	[UOMS_REPORT_SETTLEMENT] = "settlement",
	[UOMS_REPORT_METRICS] = "metrics",
	[UOMS_REPORT_RANGE] = "range",
	[UOMS_REPORT_STOCK] = "stock",
};

static const char *const by_names[] = {
	[UOMS_BY_NONE] = "none",
	[UOMS_BY_DEPARTMENT] = "department",
	[UOMS_BY_CHANNEL] = "channel",
	[UOMS_BY_ITEM] = "item",
};

static const char *const format_names[] = {
	[UOMS_FORMAT_JSONL] = "jsonl",
	[UOMS_FORMAT_TABLE] = "table",
	[UOMS_FORMAT_CSV] = "csv",
	[UOMS_FORMAT_SVG] = "svg",
};

static int
lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int
uoms_report_name_parse(const char *s)
{
	return lookup(report_names, NELEM(report_names), s);
}

int
uoms_report_by_parse(const char *s)
{
	int i = lookup(by_names, NELEM(by_names), s);

	return i == UOMS_BY_NONE ? -1 : i;
}

int
uoms_report_format_parse(const char *s)
{
	return lookup(format_names, NELEM(format_names), s);
}

long long
uoms_report_duration(const char *s)
{
	long long n = 0, unit = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (*p - '0');
		if (n > 100LL * 366 * 86400)
			return -1;
	}
	switch (*p) {
	case '\0': break;
	case 's': unit = 1; p++; break;
	case 'm': unit = 60; p++; break;
	case 'h': unit = 3600; p++; break;
	case 'd': unit = 86400; p++; break;
	default: return -1;
	}
	if (*p != '\0' || n == 0)
		return -1;
	return n * unit;
}

int
uoms_report_resolve(struct uoms_report *r, char *why, size_t whylen)
{
	const char *name = report_names[r->name];
	enum uoms_report_by by = r->by;

	report_set_zone(r->tz);
	if (r->window > 0 && r->name != UOMS_REPORT_METRICS) {
		snprintf(why, whylen, "--window: only metrics has windows");
		return -1;
	}
	/* Stock is as it is now: no range, no groups. */
	if (r->name == UOMS_REPORT_STOCK && (r->has_from || r->has_to)) {
		snprintf(why, whylen, "--%s: stock is as it is now",
		    r->has_from ? "from" : "to");
		return -1;
	}
	if (by != UOMS_BY_NONE && (r->name == UOMS_REPORT_HOURLY ||
	    r->name == UOMS_REPORT_STOCK ||
	    r->name == UOMS_REPORT_METRICS || r->name == UOMS_REPORT_RANGE ||
	    (r->name == UOMS_REPORT_STATUS && by == UOMS_BY_ITEM) ||
	    (r->name == UOMS_REPORT_SETTLEMENT && by != UOMS_BY_CHANNEL))) {
		snprintf(why, whylen, "--by: %s has no --by %s", name,
		    by_names[by]);
		return -1;
	}
	if (r->has_from && r->has_to && r->from >= r->to) {
		snprintf(why, whylen, "--from: must come before --to");
		return -1;
	}
	if (r->name == UOMS_REPORT_SETTLEMENT) {
		if (r->has_to) {
			snprintf(why, whylen, "--to: settlement is one day, "
			    "named by --from");
			return -1;
		}
		r->from = report_local_midnight(r->has_from ? r->from : r->now,
		    0);
		r->to = report_local_midnight(r->from, 1);
		r->has_from = r->has_to = 1;
	}
	if (r->name == UOMS_REPORT_METRICS) {
		long long w, n;

		if (r->window <= 0)
			r->window = 3600;
		w = r->window;
		if (!r->has_to)
			r->to = r->now;
		if (!r->has_from) {
			/* A day back, on a window boundary of local time. */
			long long t = r->to - 86400, off = report_gmtoff(t);

			t += off;
			t -= ((t % w) + w) % w;
			r->from = t - off;
		}
		r->has_from = r->has_to = 1;
		if (r->from >= r->to) {
			snprintf(why, whylen, "--from: must come before --to");
			return -1;
		}
		n = (r->to - r->from + w - 1) / w;
		if (n > UOMS_REPORT_MAX_WINDOWS) {
			snprintf(why, whylen, "--window: %lld windows from "
			    "--from to --to, more than %d", n,
			    UOMS_REPORT_MAX_WINDOWS);
			return -1;
		}
	}
	return 0;
}

/* ---- a report's statements ---- */

void
report_param(struct ctx *x, struct uoms_buf *b, enum report_param p)
{
	if (x->pnum[p] == 0)
		x->pnum[p] = ++x->np;
	uoms_db_param(x->s, b, x->pnum[p]);
}

/* Prepares sql with its parameters bound: the report's time bounds. */
struct uoms_stmt *
report_prepare(struct ctx *x, const char *sql)
{
	const struct uoms_report *r = x->r;
	struct uoms_stmt *st = uoms_db_prepare(x->s, sql);
	char t[40];

	if (st == NULL)
		uoms_db_fail(x->s, x->e, "preparing a report");
	for (int p = 0; st != NULL && p < P_COUNT; p++) {
		if (x->pnum[p] == 0)
			continue;
		report_bound_text(p == P_FROM ? r->from : r->to, t);
		uoms_db_bind_copy(st, x->pnum[p], t);
	}
	memset(x->pnum, 0, sizeof x->pnum);
	x->np = 0;
	return st;
}

/* 1 with a row, 0 at the end, -1 with e filled. */
int
report_step(struct ctx *x, struct uoms_stmt *st)
{
	switch (uoms_db_step(st)) {
	case UOMS_DB_ROW:
		return 1;
	case UOMS_DB_DONE:
		return 0;
	default:
		uoms_db_fail(x->s, x->e, "reading the store");
		return -1;
	}
}

/* The report's range on a time column, as SQL. */
void
report_range_sql(struct ctx *x, struct uoms_buf *b, const char *col)
{
	if (x->r->has_from) {
		uoms_buf_printf(b, " AND %s >= ", col);
		report_param(x, b, P_FROM);
	}
	if (x->r->has_to) {
		uoms_buf_printf(b, " AND %s < ", col);
		report_param(x, b, P_TO);
	}
}

/* Prepares "SELECT cols FROM orders o" over the orders placed in the
 * report's range; NULL with x->e filled. */
struct uoms_stmt *
report_placed(struct ctx *x, const char *cols)
{
	struct uoms_buf sql = { 0 };
	struct uoms_stmt *st;

	/* A deleted order is in no report (lib/delete.h). */
	uoms_buf_printf(&sql, "SELECT %s FROM orders o"
	    " WHERE o.placed_at IS NOT NULL AND o.deleted_at IS NULL", cols);
	report_range_sql(x, &sql, "o.placed_at");
	st = report_prepare(x, sql.p);
	uoms_buf_free(&sql);
	return st;
}

/* ---- the entry point ---- */

/* Runs named statement which (no parameters); -1 with x->e filled. */
static int
exec(struct ctx *x, enum uoms_sql which)
{
	struct uoms_stmt *st = uoms_db_stmt(x->s, which);

	if (st != NULL && uoms_db_exec(x->s, st, "reading the store", x->e) ==
	    UOMS_OK)
		return 0;
	if (st == NULL)
		uoms_db_fail(x->s, x->e, "reading the store");
	return -1;
}

/* Ends the read transaction. Nothing was written: an end that fails
 * loses nothing, and the report's own failure is the one to tell. */
static void
end_read(struct ctx *x)
{
	struct uoms_stmt *st = uoms_db_stmt(x->s, SQL_REPORT_END);
	struct uoms_error e = { 0 };

	if (st != NULL)
		uoms_db_exec(x->s, st, "ending a read", &e);
}

enum uoms_code
uoms_report_run(struct uoms_store *s, const struct uoms_report *r, FILE *out,
    struct uoms_error *e)
{
	struct ctx x = { .s = s, .r = r, .e = e };

	e->code = UOMS_OK;
	report_set_zone(r->tz);
	uoms_text_init();
	report_sink_init(&x.k, r, out);
	if (report_classes_load(&x.cls, r->workflow_dirs) < 0) {
		report_classes_free(&x.cls);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	/*
	 * One read transaction: every query of the report sees the same
	 * snapshot, so its figures add up even while writers commit. In WAL
	 * mode a reader holds no lock a writer waits for.
	 */
	if (exec(&x, SQL_REPORT_BEGIN) == 0) {
		switch (r->name) {
		case UOMS_REPORT_STATUS: report_status(&x); break;
		case UOMS_REPORT_HOURLY: report_hourly(&x); break;
		case UOMS_REPORT_DAILY:
		case UOMS_REPORT_SALES:
		case UOMS_REPORT_SETTLEMENT: report_sales(&x); break;
		case UOMS_REPORT_METRICS: report_metrics(&x); break;
		case UOMS_REPORT_RANGE: report_range(&x); break;
		case UOMS_REPORT_STOCK: report_stock(&x); break;
		}
		end_read(&x);
	}
	report_sink_free(&x.k);
	report_classes_free(&x.cls);
	free(x.segs);
	return e->code;
}
