/*
 * The range report: the days with orders, per channel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

struct dayset {
	char (*d)[16];
	int n, cap;
};

/* Adds day to the set unless it is in; -1 when out of memory. */
static int
dayset_add(struct dayset *s, const char *day)
{
	int lo = 0, hi = s->n;

	while (lo < hi) {
		int m = (lo + hi) / 2, c = strcmp(s->d[m], day);

		if (c == 0)
			return 0;
		if (c < 0)
			lo = m + 1;
		else
			hi = m;
	}
	if (s->n == s->cap) {
		if (grow(&s->d, s->cap ? s->cap * 2 : 64, sizeof *s->d) < 0)
			return -1;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	memmove(s->d + lo + 1, s->d + lo, sizeof *s->d * (s->n - lo));
	snprintf(s->d[lo], sizeof s->d[lo], "%s", day);
	s->n++;
	return 0;
}

enum uoms_code
report_range(struct ctx *x)
{
	static const struct col cols[] = {
		{ "channel", "CHANNEL", T_TEXT, F_KEY, NULL },
		{ "first", "FIRST", T_TEXT, 0, NULL },
		{ "last", "LAST", T_TEXT, 0, NULL },
		{ "days", "DAYS", T_INT, 0, NULL },
		{ "orders", "ORDERS", T_INT, 0, NULL },
	};
	struct dayset all = { 0 };
	struct groups gs = { 0 };
	struct group **g;
	struct cell row[5];
	struct uoms_stmt *st;
	long long total = 0;
	int rc;

	if (report_zone_for_range(x) < 0)
		return x->e->code;
	if ((st = report_placed(x, "o.channel, o.placed_at")) == NULL)
		return x->e->code;
	while ((rc = report_step(x, st)) > 0) {
		char day[16];
		const char *dt = report_local_day(x, uoms_db_text(st, 1),
		    day);
		struct group *d;

		if (dt == NULL)
			continue;
		if ((d = report_groups_get(&gs, uoms_db_text(st, 0), dt, NULL)) == NULL) {
			uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
			rc = -1;
			break;
		}
		d->v[0]++;
	}
	uoms_db_free(st);
	if (rc < 0)
		goto out;
	/* (channel, day) groups in order: a channel's days follow. */
	g = report_groups_sorted(&gs);
	x->k.chart = (struct chart){ CH_SPANS, "Days with orders, by channel",
	    { 1, 2 }, 2 };
	report_sink_begin(&x->k, cols, NELEM(cols));
	for (size_t i = 0; i < gs.n;) {
		size_t j = i;
		long long orders = 0;

		for (; j < gs.n && str_null_eq(g[j]->k[0], g[i]->k[0]); j++) {
			orders += g[j]->v[0];
			if (dayset_add(&all, g[j]->k[1]) < 0) {
				uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
				goto out;
			}
		}
		row[0] = ctext(g[i]->k[0]);
		row[1] = ctext(g[i]->k[1]);
		row[2] = ctext(g[j - 1]->k[1]);
		row[3] = cnum(j - i);
		row[4] = cnum(orders);
		total += orders;
		report_sink_row(&x->k, row, 0);
		i = j;
	}
	row[0] = cnull;
	row[1] = all.n ? ctext(all.d[0]) : cnull;
	row[2] = all.n ? ctext(all.d[all.n - 1]) :
	    cnull;
	row[3] = cnum(all.n);
	row[4] = cnum(total);
	report_sink_row(&x->k, row, 1);
	if (report_sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	report_groups_free(&gs);
	free(all.d);
	return x->e->code;
}
