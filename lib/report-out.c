/*
 * The sink: a report's rows out as a table (sized to the first rows held
 * back), JSON lines or CSV, or held for an SVG chart (report-svg.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_priv.h"
#include "rfc3339.h"
#include "text.h"

/* Table rows held back to size the columns; later rows use those widths. */
#define TABLE_HOLD 1000

/* num / den in tenths of a percent, rounded half away from zero. In
 * 128 bits: 2000 times a 64-bit figure does not fit in 64. A ratio too
 * big to print (a margin of -10^18 %) is shown as not applicable. */
struct cell
report_cratio(long long num, long long den)
{
	__int128 a = num < 0 ? -(__int128)num : num;

	if (den <= 0)
		return (struct cell){ .null = 1, .na = 1 };
	a = (2 * a * 1000 + den) / (2 * (__int128)den);
	if (a > LLONG_MAX)
		return (struct cell){ .null = 1, .na = 1 };
	return cnum(num < 0 ? -(long long)a : (long long)a);
}

void
report_group_digits(char *out, size_t len, long long v)
{
	char tmp[32];
	/* Unsigned: the magnitude of LLONG_MIN does not fit in a long long. */
	unsigned long long u = v < 0 ? -(unsigned long long)v :
	    (unsigned long long)v;
	int n = snprintf(tmp, sizeof tmp, "%llu", u), o = 0;

	if (v < 0)
		out[o++] = '-';
	for (int i = 0; i < n && o + 2 < (int)len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = '\0';
}

void
report_pct_text(char *out, size_t len, long long tenths)
{
	unsigned long long a = tenths < 0 ? -(unsigned long long)tenths :
	    (unsigned long long)tenths;

	snprintf(out, len, "%s%llu.%llu", tenths < 0 ? "-" : "", a / 10,
	    a % 10);
}


static void
secs_text(char *out, size_t len, long long s)
{
	if (s < 0)
		snprintf(out, len, "-%llds", -s);
	else if (s < 60)
		snprintf(out, len, "%llds", s);
	else if (s < 3600)
		snprintf(out, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(out, len, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

static void
table_text(const struct sink *k, int c, const struct cell *x, char *out,
    size_t len)
{
	const struct col *col = &k->cols[c];
	char iso[40];

	if (x->null) {
		snprintf(out, len, "%s", (col->flags & F_UNKNOWN) && !x->na ?
		    "?" : "-");
		return;
	}
	switch (col->type) {
	case T_TEXT:
		snprintf(out, len, "%s", x->s);
		break;
	case T_INT:
		report_group_digits(out, len, x->i);
		break;
	case T_PCT:
		report_pct_text(out, len - 1, x->i);
		strcat(out, "%");
		break;
	case T_SECS:
		secs_text(out, len, x->i);
		break;
	case T_TIME:
		report_iso_text(x->i, iso);
		uoms_time_local(iso, k->r->tz, out, len);
		break;
	case T_HOUR:
		snprintf(out, len, "%02lld", x->i);
		break;
	}
}

static int
numeric(enum ctype t)
{
	return t != T_TEXT && t != T_TIME && t != T_HOUR;
}

static void
put_table_row(struct sink *k, char *const *cells)
{
	struct uoms_buf *b = &k->b;
	char *row;
	size_t size;
	FILE *fp = open_memstream(&row, &size);
	int first = 1;

	if (fp == NULL) {
		k->failed = 1;
		return;
	}
	for (int c = 0; c < k->ncols; c++) {
		if (k->cols[c].flags & F_NOTABLE)
			continue;
		if (!first)
			fputs("  ", fp);
		first = 0;
		/* Numbers are never cut: a wider one pushes the row out. */
		if (uoms_text_width(cells[c]) > k->width[c])
			fputs(cells[c], fp);
		else
			uoms_text_cell(fp, cells[c], k->width[c],
			    numeric(k->cols[c].type));
	}
	fclose(fp);
	while (size > 0 && row[size - 1] == ' ')
		size--;
	uoms_buf_clear(b);
	uoms_buf_add(b, row, size);
	fwrite(b->p, 1, b->n, k->out);
	fputc('\n', k->out);
	free(row);
}

static void
table_rule(struct sink *k)
{
	int w = 0, first = 1;

	for (int c = 0; c < k->ncols; c++) {
		if (k->cols[c].flags & F_NOTABLE)
			continue;
		w += k->width[c] + (first ? 0 : 2);
		first = 0;
	}
	for (int i = 0; i < w; i++)
		fputc('-', k->out);
	fputc('\n', k->out);
}

/* Prints the header and the held rows, sized to fit them. */
static void
table_flush(struct sink *k)
{
	char **titles = calloc(k->ncols, sizeof *titles);

	if (titles == NULL) {
		k->failed = 1;
		return;
	}
	for (int c = 0; c < k->ncols; c++) {
		titles[c] = (char *)k->cols[c].title;
		k->width[c] = uoms_text_width(titles[c]);
		for (int i = 0; i < k->nheld; i++) {
			int w = uoms_text_width(k->held[i * k->ncols + c]);

			if (w > k->width[c])
				k->width[c] = w;
		}
	}
	put_table_row(k, titles);
	for (int i = 0; i < k->nheld; i++) {
		/* One rule above the totals rows (one per currency). */
		if (k->held_totals[i] && (i == 0 || !k->held_totals[i - 1]))
			table_rule(k);
		put_table_row(k, k->held + i * k->ncols);
		for (int c = 0; c < k->ncols; c++)
			free(k->held[i * k->ncols + c]);
	}
	k->nheld = 0;
	k->frozen = 1;
	free(titles);
}

static void
table_row(struct sink *k, const struct cell *x, int totals)
{
	char text[256];
	char **cells;
	int key_done = 0;

	if (!k->frozen && k->nheld == k->capheld) {
		int cap = k->capheld ? k->capheld * 2 : 16;
		char **nh = realloc(k->held, sizeof *nh * cap * k->ncols);
		int *nt = realloc(k->held_totals, sizeof *nt * cap);

		if (nh != NULL)
			k->held = nh;
		if (nt != NULL)
			k->held_totals = nt;
		if (nh == NULL || nt == NULL) {
			k->failed = 1;
			return;
		}
		k->capheld = cap;
	}
	if (k->frozen) {
		cells = calloc(k->ncols, sizeof *cells);
		if (cells == NULL) {
			k->failed = 1;
			return;
		}
	} else
		cells = k->held + k->nheld * k->ncols;
	for (int c = 0; c < k->ncols; c++) {
		if (totals && (k->cols[c].flags & F_KEY))
			snprintf(text, sizeof text, "%s", key_done++ ? "" :
			    "TOTAL");
		else if (totals && x[c].null && !x[c].na &&
		    k->cols[c].type == T_TEXT)
			text[0] = '\0';
		else
			table_text(k, c, &x[c], text, sizeof text);
		cells[c] = strdup(text);
		if (cells[c] == NULL)
			k->failed = 1;
	}
	if (!k->frozen) {
		k->held_totals[k->nheld++] = totals;
		k->was_totals = totals;
		if (k->nheld >= TABLE_HOLD)
			table_flush(k);
		return;
	}
	if (totals && !k->was_totals)
		table_rule(k);
	k->was_totals = totals;
	put_table_row(k, cells);
	for (int c = 0; c < k->ncols; c++)
		free(cells[c]);
	free(cells);
}

static void
json_value(struct sink *k, const struct col *col, const struct cell *x)
{
	struct uoms_buf *b = &k->b;
	char text[64];

	if (x->null) {
		uoms_buf_str(b, "null");
		return;
	}
	switch (col->type) {
	case T_TEXT:
		uoms_buf_json_string(b, x->s, strlen(x->s));
		break;
	case T_PCT:
		report_pct_text(text, sizeof text, x->i);
		uoms_buf_str(b, text);
		break;
	case T_TIME:
		report_iso_text(x->i, text);
		uoms_buf_printf(b, "\"%s\"", text);
		break;
	default:
		uoms_buf_printf(b, "%lld", x->i);
	}
}

static void
jsonl_row(struct sink *k, const struct cell *x, int totals)
{
	struct uoms_buf *b = &k->b;
	const char *group = NULL;

	uoms_buf_clear(b);
	uoms_buf_str(b, "{");
	for (int c = 0; c < k->ncols; c++) {
		const struct col *col = &k->cols[c];
		struct cell none = { .null = 1 };

		if (group != NULL && (col->group == NULL ||
		    strcmp(group, col->group) != 0)) {
			uoms_buf_str(b, "}");
			group = NULL;
		}
		if (c > 0 && b->p[b->n - 1] != '{')
			uoms_buf_str(b, ",");
		if (col->group != NULL && group == NULL) {
			group = col->group;
			uoms_buf_json_string(b, group, strlen(group));
			uoms_buf_str(b, ":{");
		}
		uoms_buf_json_string(b, col->key, strlen(col->key));
		uoms_buf_str(b, ":");
		json_value(k, col, totals && (col->flags & F_KEY) ? &none :
		    &x[c]);
	}
	if (group != NULL)
		uoms_buf_str(b, "}");
	if (totals)
		uoms_buf_str(b, ",\"totals\":true");
	uoms_buf_str(b, "}\n");
	fwrite(b->p, 1, b->n, k->out);
}

static void
csv_row(struct sink *k, const struct cell *x, int totals)
{
	char text[64];
	int key_done = 0;

	for (int c = 0; c < k->ncols; c++) {
		const struct col *col = &k->cols[c];

		if (c > 0)
			fputc(',', k->out);
		if (totals && (col->flags & F_KEY)) {
			fputs(key_done++ ? "" : "TOTAL", k->out);
			continue;
		}
		if (x[c].null)
			continue;
		switch (col->type) {
		case T_TEXT:
			uoms_text_csv(k->out, x[c].s);
			break;
		case T_PCT:
			report_pct_text(text, sizeof text, x[c].i);
			fputs(text, k->out);
			break;
		case T_TIME:
			report_iso_text(x[c].i, text);
			fputs(text, k->out);
			break;
		default:
			fprintf(k->out, "%lld", x[c].i);
		}
	}
	fputs("\r\n", k->out);
}

static void
chart_row(struct sink *k, const struct cell *x, int totals)
{
	struct uoms_buf label = { 0 };
	struct crow *r;
	char text[256];

	if (totals || k->chart.kind == CH_NONE)
		return;
	if (k->ncrows == k->capcrows) {
		int cap = k->capcrows ? k->capcrows * 2 : 32;
		struct crow *nr = realloc(k->crows, sizeof *nr * cap);

		if (nr == NULL) {
			k->failed = 1;
			return;
		}
		k->crows = nr;
		k->capcrows = cap;
	}
	r = &k->crows[k->ncrows++];
	memset(r, 0, sizeof *r);
	for (int c = 0; c < k->ncols; c++) {
		if (!(k->cols[c].flags & (F_KEY | F_TAG)))
			continue;
		table_text(k, c, &x[c], text, sizeof text);
		uoms_buf_printf(&label, "%s%s", label.n ? " " : "", text);
	}
	r->label = label.p != NULL ? label.p : strdup("");
	for (int i = 0; i < k->chart.nseries; i++) {
		const struct cell *v = &x[k->chart.series[i]];

		r->null[i] = v->null;
		if (v->null)
			continue;
		if (k->cols[k->chart.series[i]].type == T_TEXT) {
			/* A date, as days since 1970 (spans). */
			struct tm tm = { 0 };

			tm.tm_year = atoi(v->s) - 1900;
			tm.tm_mon = atoi(v->s + 5) - 1;
			tm.tm_mday = atoi(v->s + 8);
			r->v[i] = timegm(&tm) / 86400;
		} else
			r->v[i] = v->i;
	}
}

void
report_sink_init(struct sink *k, const struct uoms_report *r, FILE *out)
{
	memset(k, 0, sizeof *k);
	k->r = r;
	k->out = out;
}

/* Starts the report's rows: their columns (borrowed until sink_end). */
void
report_sink_begin(struct sink *k, const struct col *cols, int ncols)
{
	k->cols = cols;
	k->ncols = ncols;
	if ((k->width = calloc(ncols, sizeof *k->width)) == NULL)
		k->failed = 1;
	if (k->r->format == UOMS_FORMAT_CSV) {
		for (int c = 0; c < ncols; c++) {
			if (c > 0)
				fputc(',', k->out);
			uoms_text_csv(k->out, cols[c].key);
		}
		fputs("\r\n", k->out);
	}
}

/* One row: a cell for each column; totals for the totals row. */
void
report_sink_row(struct sink *k, const struct cell *x, int totals)
{
	switch (k->r->format) {
	case UOMS_FORMAT_TABLE: table_row(k, x, totals); break;
	case UOMS_FORMAT_JSONL: jsonl_row(k, x, totals); break;
	case UOMS_FORMAT_CSV: csv_row(k, x, totals); break;
	case UOMS_FORMAT_SVG: chart_row(k, x, totals); break;
	}
}

/* Ends the rows: a held table or a chart is written now. Returns 0, or
 * -1 when memory ran out on the way. */
int
report_sink_end(struct sink *k)
{
	if (k->r->format == UOMS_FORMAT_TABLE && !k->frozen && k->cols != NULL)
		table_flush(k);
	if (k->r->format == UOMS_FORMAT_SVG)
		report_chart_draw(k);
	return k->failed ? -1 : 0;
}

/* Frees what the sink holds; a report that failed midway drops its
 * held rows here. */
void
report_sink_free(struct sink *k)
{
	for (int i = 0; i < k->nheld * k->ncols; i++)
		free(k->held[i]);
	for (int i = 0; i < k->ncrows; i++)
		free(k->crows[i].label);
	free(k->crows);
	free(k->held);
	free(k->held_totals);
	free(k->width);
	uoms_buf_free(&k->b);
	memset(k, 0, sizeof *k);
}
