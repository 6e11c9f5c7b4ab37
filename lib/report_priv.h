/*
 * report_priv: what the files of the report module share, not for other
 * modules. report.c checks the options and runs a report in one read
 * transaction over a struct ctx; report-time.c turns stored UTC times
 * into the report zone's days and hours; report-states.c says, as SQL,
 * which orders' states have a class; report-groups.c adds rows up in a
 * hash; report-catalog.c costs the items sold; report-out.c and
 * report-svg.c write the rows (the sink); report-status.c,
 * report-sales.c, report-range.c and report-metrics.c are the reports.
 * Functions shared between these files are named report_*.
 */
#ifndef UOMS_REPORT_PRIV_H
#define UOMS_REPORT_PRIV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "db.h"
#include "workflow.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the sink: rows out as a table, JSON lines, CSV or SVG ---- */

enum ctype {
	T_TEXT,		/* a string */
	T_INT,		/* a whole number: counts, money */
	T_PCT,		/* tenths of a percent: 273 is 27.3 */
	T_SECS,		/* a duration in seconds */
	T_TIME,		/* Unix seconds, an instant */
	T_HOUR		/* an hour of the day, 0-23 */
};

enum {
	F_KEY = 1 << 0,		/* says what the row is about */
	F_NOTABLE = 1 << 1,	/* machine formats only */
	F_UNKNOWN = 1 << 2,	/* null is unknown ("?"), not "none" ("-") */
	F_TAG = 1 << 3		/* part of a chart's label, kept in totals */
};

struct col {
	const char *key;	/* jsonl member, csv header */
	const char *title;	/* table header */
	enum ctype type;
	int flags;
	const char *group;	/* jsonl: a member of this nested object */
};

struct cell {
	int null;
	int na;			/* null as not applicable: "-" even if F_UNKNOWN */
	long long i;
	const char *s;
};

enum chart_kind { CH_NONE, CH_BARS, CH_STACKED, CH_LINES, CH_SPANS };

struct chart {
	enum chart_kind kind;
	const char *title;
	int series[32];		/* columns drawn */
	int nseries;
};

/* A row held for a chart: its label and the values of its series. */
struct crow {
	char *label;
	long long v[32];
	int null[32];
};

struct sink {
	FILE *out;
	const struct uoms_report *r;
	const struct col *cols;
	int ncols;
	struct uoms_buf b;
	/* table */
	char **held;		/* nheld rows of ncols strings */
	int *held_totals;
	int nheld, capheld, *width, frozen;
	int was_totals;		/* the last row was a totals row */
	/* svg */
	struct chart chart;
	struct crow *crows;
	int ncrows, capcrows;
	int failed;		/* out of memory */
};

static inline struct cell
cnum(long long v)
{
	return (struct cell){ .i = v };
}

static inline struct cell
ctext(const char *s)
{
	return (struct cell){ .null = s == NULL, .s = s };
}

static const struct cell cnull = { .null = 1 };

/* num / den in tenths of a percent, rounded half away from zero; not
 * applicable when den is not above 0 or the ratio is too big to print. */
struct cell report_cratio(long long num, long long den);

/* Starts a sink writing report r to out. */
void report_sink_init(struct sink *k, const struct uoms_report *r, FILE *out);
/* Starts the report's rows: their columns (borrowed until sink_end). */
void report_sink_begin(struct sink *k, const struct col *cols, int ncols);
/* One row: a cell for each column; totals for the totals row. */
void report_sink_row(struct sink *k, const struct cell *x, int totals);
/* Ends the rows: a held table or a chart is written now. Returns 0, or
 * -1 when memory ran out on the way. */
int report_sink_end(struct sink *k);
/* Frees what the sink holds; a report that failed midway drops its
 * held rows here. */
void report_sink_free(struct sink *k);
/* Writes the chart of the sink's held rows (report-svg.c). */
void report_chart_draw(struct sink *k);

/* v with its thousands grouped ("-1,234,567") into out, len bytes. */
void report_group_digits(char *out, size_t len, long long v);
/* Tenths of a percent as text: 273 is "27.3". */
void report_pct_text(char *out, size_t len, long long tenths);

/* ---- what states mean, as SQL (report-states.c) ---- */

/* A state of a workflow and its classes (enum uoms_state_class). */
struct pair {
	char *wf, *st;
	int k;
};

struct classes {
	struct pair *p;		/* in the order of the files' states */
	int n;
	char **nopay;		/* workflows without a payment step */
	int nnopay;
};

/* Loads what every workflow of the folders dirs (override first) says
 * its states mean into c; -1 when out of memory. */
int report_classes_load(struct classes *c, const char *const dirs[2]);
void report_classes_free(struct classes *c);

/*
 * Appends to b SQL that is true for the orders whose (workflow, status)
 * in columns wf, st have class k: a list of state names where a name
 * means the same in every workflow, pairs where it does not.
 */
void report_pred(struct uoms_buf *b, const struct classes *c, int k,
    const char *wf, const char *st);
/* Appends SQL true for orders whose workflow has no payment step. */
void report_pred_nopay(struct uoms_buf *b, const struct classes *c,
    const char *wf);

/* ---- a report running ---- */

/* An offset from UTC in force from an instant on. */
struct seg {
	long long start;
	long off;
};

/* The parameters of a report's statements: its time bounds. */
enum report_param { P_FROM, P_TO, P_COUNT };

struct ctx {
	struct uoms_store *s;
	const struct uoms_report *r;
	struct uoms_error *e;
	struct classes cls;
	struct sink k;
	struct seg *segs;	/* the zone over the range */
	int nsegs, hint;
	int pnum[P_COUNT];	/* the statement being built: 0, or the */
	int np;			/* number each parameter has in it */
};

/* Appends the placeholder of parameter p (a bound as stored time text)
 * to the statement being built: numbered as first named, from 1. */
void report_param(struct ctx *x, struct uoms_buf *b, enum report_param p);
/* Prepares sql (built with report_param) with its parameters bound,
 * and starts the numbering over. NULL with x->e filled; free it with
 * uoms_db_free. */
struct uoms_stmt *report_prepare(struct ctx *x, const char *sql);
/* 1 with a row, 0 at the end, -1 with x->e filled. */
int report_step(struct ctx *x, struct uoms_stmt *st);
/* Appends the report's range on a time column, as SQL. */
void report_range_sql(struct ctx *x, struct uoms_buf *b, const char *col);
/* Prepares "SELECT cols FROM orders o" over the orders placed in the
 * report's range; NULL with x->e filled. */
struct uoms_stmt *report_placed(struct ctx *x, const char *cols);

/* Makes room for n elements of size at *pp (a pointer to an array
 * pointer); -1, with the array as it was, when out of memory. */
static inline int
grow(void *pp, size_t n, size_t size)
{
	void **p = pp, *np = realloc(*p, n * size);

	if (np == NULL)
		return -1;
	*p = np;
	return 0;
}

static inline int
str_null_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* ---- time and zones (report-time.c) ---- */

/* TZ is process-wide: every local time here is in this one zone. */
void report_set_zone(const char *tz);
/* The local midnight starting the day that t is in, days later. */
long long report_local_midnight(long long t, int days);
/* The offset from UTC in force at t, in seconds. */
long report_gmtoff(long long t);
/* t as the text stored times start with, "YYYY-MM-DDTHH:MM:SS", and
 * the same with a 'Z' (iso); out holds 40 bytes. */
void report_bound_text(long long t, char *out);
void report_iso_text(long long t, char *out);
/* The zone's offsets over the report's range (x->segs), or over the
 * orders' own placed_at where the range is open; -1 with x->e filled. */
int report_zone_for_range(struct ctx *x);
/* The local day of stored time s into out ("YYYY-MM-DD"); NULL when s
 * is not a time. Needs report_zone_for_range. */
const char *report_local_day(struct ctx *x, const char *s, char *out);
/* The local hour (0-23) of stored time s, or -1. */
int report_local_hour(struct ctx *x, const char *s);

/* ---- groups: rows of a report, added up in a hash (report-groups.c) */

/* The money figures of a row of the sales reports (see sales_groups). */
struct figures {
	long long orders, cancelled, items, revenue, cost, uncosted, unpriced;
	long long cancelled_amount, refunded;
};

/*
 * SQLite groups by sorting every row it reads; the reports' groups are
 * few (days, channels, departments), so a hash over them does the same
 * work without the sort. Memory grows with the groups, not the orders.
 */
struct group {
	char *k[3];		/* NULL for a null key; k[2] the currency */
	char *name;		/* an item's name */
	int name_from_catalog;
	long long v[8];		/* range: orders, per channel */
	struct figures f;	/* sales */
};

struct groups {
	struct group **slot;
	size_t n, cap;
};

unsigned long long report_key_hash(const char *a, const char *b,
    const char *c);
/* The group of keys (a, b, c), made when new; NULL when out of memory. */
struct group *report_groups_get(struct groups *g, const char *a,
    const char *b, const char *c);
/* The groups in key order (null keys last), packed to the front of the
 * slots. */
struct group **report_groups_sorted(struct groups *g);
void report_groups_free(struct groups *g);

/* ---- the catalog: what an item sold cost (report-catalog.c) ---- */

/*
 * The catalog as the orders of one channel see it, read once per
 * (channel, sku) sold and kept while the report runs: memory follows the
 * catalog, never the orders, and an item costs a hash lookup and a
 * binary search, not a query (three correlated subqueries an item made
 * the sales report three times slower).
 *
 * The cost of an item sold (the rule of migration 5): the cost history of
 * its sku in the catalog of the order's channel, or in the shared one
 * ('') when that channel has none for the sku; of it, the cost valid
 * when the order was sold (placed_at, else created_at), or the earliest
 * when the history starts later (a catalog loaded after the orders
 * still costs them). A product with no history at all (stored by a
 * version that kept none) costs the catalog's cost, by (channel, sku)
 * then ('', sku). Never a join on sku alone: a sku may be in several
 * channels' catalogs, and a join would count it twice.
 */
struct known {
	char *channel, *sku;
	char *name;		/* the catalog's, NULL when it has none */
	char **from;		/* n valid_from, without 'Z', ascending */
	long long *cost;
	int n;
	int has_cost;		/* no history: the catalog's cost, if any */
	long long catalog_cost;
};

struct catalog {
	struct known **slot;
	size_t n, cap;
	/* Named statements the catalog holds from open to free: used
	 * again for every sku, ended once (each end would free and make
	 * again the memory a statement runs in). */
	struct uoms_stmt *hist, *prod, *name;
};

/* Starts c, its statements prepared; -1 with x->e filled. */
int report_catalog_open(struct ctx *x, struct catalog *c);
void report_catalog_free(struct catalog *c);
/* What the catalog says of sku for orders of channel (read when first
 * asked); NULL with x->e filled. */
struct known *report_catalog_get(struct ctx *x, struct catalog *c,
    const char *channel, const char *sku);
/* The cost of one unit of k sold at stored time sold into *cost: 1, or
 * 0 when it is not known. */
int report_known_cost(const struct known *k, const char *sold,
    long long *cost);

/* ---- the reports: each writes its rows to x->k ---- */

enum uoms_code report_status(struct ctx *x);
enum uoms_code report_hourly(struct ctx *x);
/* daily, sales and settlement */
enum uoms_code report_sales(struct ctx *x);
enum uoms_code report_range(struct ctx *x);
enum uoms_code report_stock(struct ctx *x);
enum uoms_code report_metrics(struct ctx *x);

#endif
