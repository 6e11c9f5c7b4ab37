/*
 * The stock report (issue 13, item 2; lib/stock.h): each tracked
 * product's stock, what orders reserve of it and what is available, as
 * now (the report's snapshot): a product without a stock is left out.
 */
#include <stdio.h>

#include "report_priv.h"

enum uoms_code
report_stock(struct ctx *x)
{
	static const struct col cols[] = {
		{ "channel", "CHANNEL", T_TEXT, F_KEY, NULL },
		{ "sku", "SKU", T_TEXT, F_KEY, NULL },
		{ "name", "NAME", T_TEXT, F_NOTABLE, NULL },
		{ "stock", "STOCK", T_INT, 0, NULL },
		{ "reserved", "RESERVED", T_INT, 0, NULL },
		{ "available", "AVAILABLE", T_INT, 0, NULL },
	};
	struct uoms_stmt *st;
	struct cell row[NELEM(cols)];
	long long tot[3] = { 0 };
	int rc;

	st = report_prepare(x, "SELECT channel, sku, name, stock, reserved,"
	    " stock - reserved FROM products WHERE stock IS NOT NULL"
	    " ORDER BY channel, sku");
	if (st == NULL)
		return x->e->code;
	x->k.chart = (struct chart){ CH_BARS, "Stock available, by product",
	    { 5 }, 1 };
	report_sink_begin(&x->k, cols, NELEM(cols));
	while ((rc = report_step(x, st)) > 0) {
		row[0] = ctext(uoms_db_text(st, 0));
		row[1] = ctext(uoms_db_text(st, 1));
		row[2] = ctext(uoms_db_text(st, 2));
		for (int i = 0; i < 3; i++) {
			row[3 + i] = cnum(uoms_db_int(st, 3 + i));
			tot[i] += uoms_db_int(st, 3 + i);
		}
		report_sink_row(&x->k, row, 0);
	}
	uoms_db_free(st);
	if (rc < 0)
		return x->e->code;
	row[0] = row[1] = row[2] = cnull;
	for (int i = 0; i < 3; i++)
		row[3 + i] = cnum(tot[i]);
	report_sink_row(&x->k, row, 1);
	if (report_sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return x->e->code;
}
