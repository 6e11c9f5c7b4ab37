/*
 * The status board (orders by department or channel and status) and the
 * hourly intake (orders placed per local hour of the day).
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
board_has(char **v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}


/* -- status: orders by department (or channel) and status -- */

struct board {
	char **keys, **states;	/* per cell */
	long long *counts;
	int n;
	char **cols;		/* states, in board order */
	int ncols;
};


enum uoms_code
report_status(struct ctx *x)
{
	struct uoms_buf sql = { 0 };
	struct board bd = { 0 };
	struct uoms_stmt *st;
	struct col *cols = NULL;
	struct cell *row = NULL;
	long long *tot = NULL;
	int rc, ncols;
	const char *key = x->r->by == UOMS_BY_CHANNEL ? "channel" :
	    "department";

	uoms_buf_printf(&sql, "SELECT o.%s, o.status, count(*) FROM orders o"
	    " WHERE o.deleted_at IS NULL", key);
	report_range_sql(x, &sql, "o.placed_at");
	uoms_buf_printf(&sql, " GROUP BY 1, 2 ORDER BY o.%s IS NULL, 1, 2", key);
	st = report_prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return x->e->code;
	while ((rc = report_step(x, st)) > 0) {
		const char *k = uoms_db_text(st, 0);
		const char *state = uoms_db_text(st, 1);

		if (grow(&bd.keys, bd.n + 1, sizeof *bd.keys) < 0 ||
		    grow(&bd.states, bd.n + 1, sizeof *bd.states) < 0 ||
		    grow(&bd.counts, bd.n + 1, sizeof *bd.counts) < 0)
			break;
		bd.keys[bd.n] = k != NULL ? strdup(k) : NULL;
		bd.states[bd.n] = strdup(state != NULL ? state : "");
		bd.counts[bd.n] = uoms_db_int(st, 2);
		bd.n++;
		if ((k != NULL && bd.keys[bd.n - 1] == NULL) ||
		    bd.states[bd.n - 1] == NULL)
			break;
	}
	uoms_db_free(st);
	if (rc > 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	if (rc != 0)
		goto out;
	/* States in workflow order (the files' order), then any others. */
	if ((bd.cols = calloc(bd.n + 1, sizeof *bd.cols)) == NULL) {
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	for (int i = 0; i < x->cls.n; i++)
		if (board_has(bd.states, bd.n, x->cls.p[i].st) &&
		    !board_has(bd.cols, bd.ncols, x->cls.p[i].st))
			bd.cols[bd.ncols++] = x->cls.p[i].st;
	int known = bd.ncols;
	for (int i = 0; i < bd.n; i++)
		if (!board_has(bd.cols, bd.ncols, bd.states[i]))
			bd.cols[bd.ncols++] = bd.states[i];
	qsort(bd.cols + known, bd.ncols - known, sizeof *bd.cols, name_cmp);

	ncols = bd.ncols + 2;
	cols = calloc(ncols, sizeof *cols);
	row = calloc(ncols, sizeof *row);
	tot = calloc(ncols, sizeof *tot);
	if (cols == NULL || row == NULL || tot == NULL) {
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	cols[0] = (struct col){ key, x->r->by == UOMS_BY_CHANNEL ? "CHANNEL" :
	    "DEPARTMENT", T_TEXT, F_KEY, NULL };
	for (int c = 0; c < bd.ncols; c++)
		cols[c + 1] = (struct col){ bd.cols[c], bd.cols[c], T_INT, 0,
		    "statuses" };
	cols[ncols - 1] = (struct col){ "total", "TOTAL", T_INT, 0, NULL };
	x->k.chart = (struct chart){ CH_STACKED, x->r->by == UOMS_BY_CHANNEL ?
	    "Orders by channel and status" : "Orders by department and status",
	    { 0 }, 0 };
	for (int c = 0; c < bd.ncols && c < 32; c++)
		x->k.chart.series[x->k.chart.nseries++] = c + 1;
	report_sink_begin(&x->k, cols, ncols);
	for (int i = 0; i < bd.n;) {
		int j = i;
		long long total = 0;

		for (int c = 0; c < ncols; c++)
			row[c] = cnum(0);
		row[0] = ctext(bd.keys[i]);
		for (; j < bd.n && str_null_eq(bd.keys[j], bd.keys[i]); j++) {
			for (int c = 0; c < bd.ncols; c++)
				if (strcmp(bd.cols[c], bd.states[j]) == 0) {
					row[c + 1].i += bd.counts[j];
					tot[c + 1] += bd.counts[j];
				}
			total += bd.counts[j];
		}
		row[ncols - 1] = cnum(total);
		tot[ncols - 1] += total;
		report_sink_row(&x->k, row, 0);
		i = j;
	}
	for (int c = 1; c < ncols; c++)
		row[c] = cnum(tot[c]);
	row[0] = cnull;
	report_sink_row(&x->k, row, 1);
	if (report_sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	for (int i = 0; i < bd.n; i++) {
		free(bd.keys[i]);
		free(bd.states[i]);
	}
	free(bd.keys);
	free(bd.states);
	free(bd.counts);
	free(bd.cols);
	free(cols);
	free(row);
	free(tot);
	return x->e->code;
}

/* -- hourly: orders placed per local hour of the day -- */

enum uoms_code
report_hourly(struct ctx *x)
{
	static const struct col cols[] = {
		{ "hour", "HOUR", T_HOUR, F_KEY, NULL },
		{ "orders", "ORDERS", T_INT, 0, NULL },
	};
	long long n[24] = { 0 }, total = 0;
	struct cell row[2];
	struct uoms_stmt *st;
	int rc;

	if (report_zone_for_range(x) < 0)
		return x->e->code;
	/* The placed_at index holds all it needs; hours add up here. */
	if ((st = report_placed(x, "o.placed_at")) == NULL)
		return x->e->code;
	while ((rc = report_step(x, st)) > 0) {
		int h = report_local_hour(x, uoms_db_text(st, 0));

		if (h >= 0 && h < 24)
			n[h]++;
	}
	uoms_db_free(st);
	if (rc < 0)
		return x->e->code;
	x->k.chart = (struct chart){ CH_BARS, "Orders placed by hour of day",
	    { 1 }, 1 };
	report_sink_begin(&x->k, cols, NELEM(cols));
	for (int h = 0; h < 24; h++) {
		row[0] = cnum(h);
		row[1] = cnum(n[h]);
		total += n[h];
		report_sink_row(&x->k, row, 0);
	}
	row[0] = cnull;
	row[1] = cnum(total);
	report_sink_row(&x->k, row, 1);
	if (report_sink_end(&x->k) < 0)
		return uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return UOMS_OK;
}
