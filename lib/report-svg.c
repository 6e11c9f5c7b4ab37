/*
 * SVG charts of a report's rows, held by the sink: bars (side by side or
 * stacked) or lines over the rows, or spans of days.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "report_priv.h"
#include "rfc3339.h"
#include "text.h"

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

static void
xml_text(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		default: fputc(*s, fp);
		}
}

/* A round step for about n ticks over span: 1, 2 or 5 times a power
 * of ten, at least 1 (values are whole numbers). */
/* A chart coordinate as a whole number for its label, kept in range. */
static long long
axis_value(double d)
{
	if (d >= 9.2e18)
		return LLONG_MAX;
	if (d <= -9.2e18)
		return LLONG_MIN;
	return (long long)d;
}

static double
nice_step(double span, int n)
{
	double raw = span / n, p, f;

	if (raw <= 1)
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

struct frame {
	double left, right, top, bottom;	/* the plot area */
	double lo, hi;				/* value range */
};

static double
yof(const struct frame *f, double v)
{
	return f->bottom - (v - f->lo) / (f->hi - f->lo) *
	    (f->bottom - f->top);
}

static void
chart_title(struct sink *k, FILE *fp)
{
	const struct uoms_report *r = k->r;
	char a[40], b[40], ia[40], ib[40];

	xml_text(fp, k->chart.title);
	if (r->has_from || r->has_to) {
		report_iso_text(r->from, ia);
		report_iso_text(r->to, ib);
		uoms_time_local(ia, r->tz, a, sizeof a);
		uoms_time_local(ib, r->tz, b, sizeof b);
		fprintf(fp, ", %s to %s", r->has_from ? a : "start",
		    r->has_to ? b : "end");
	}
	fputs(" (", fp);
	xml_text(fp, r->tz);
	fputs(")", fp);
}

static void
chart_legend(struct sink *k, FILE *fp, double x, double y)
{
	fputs("<g class=\"legend\">\n", fp);
	for (int i = 0; i < k->chart.nseries; i++) {
		const struct col *c = &k->cols[k->chart.series[i]];

		if (k->chart.kind == CH_SPANS && i > 0)
			break;
		fprintf(fp, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"10\" height=\"10\" fill=\"%s\"/>", x, y - 9,
		    palette[i % NELEM(palette)]);
		const char *name = k->chart.kind == CH_SPANS ?
		    "first to last day with orders" : c->key;

		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">", x + 14, y);
		xml_text(fp, name);
		fputs("</text>\n", fp);
		x += 24 + 7 * uoms_text_width(name);
	}
	fputs("</g>\n", fp);
}

/* The chart's start, w by h: its title, background and legend (from
 * left), as every kind of chart has them. */
static void
chart_head(struct sink *k, FILE *fp, int w, int h, double left)
{
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"11\">\n<title>", w, h, w, h);
	chart_title(k, fp);
	fprintf(fp, "</title>\n<rect class=\"background\" width=\"%d\" "
	    "height=\"%d\" fill=\"#ffffff\"/>\n<text class=\"title\" x=\"10\" "
	    "y=\"20\" font-size=\"14\" font-weight=\"bold\">", w, h);
	chart_title(k, fp);
	fputs("</text>\n", fp);
	chart_legend(k, fp, left, 42);
}

static void
date_label(long long day, char *out)
{
	time_t t = day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Horizontal bars from the first to the last day, a row per key. */
static void
chart_spans(struct sink *k, FILE *fp)
{
	double left = 150, right, top = 60, rowh = 26, bottom;
	long long lo = LLONG_MAX, hi = LLONG_MIN;
	int n = k->ncrows, w = 760, h;
	char d[16];

	for (int i = 0; i < n; i++) {
		if (k->crows[i].null[0] || k->crows[i].null[1])
			continue;
		lo = k->crows[i].v[0] < lo ? k->crows[i].v[0] : lo;
		hi = k->crows[i].v[1] > hi ? k->crows[i].v[1] : hi;
	}
	if (lo > hi)
		lo = hi = 0;
	hi++;			/* the last day is drawn whole */
	bottom = top + rowh * (n > 0 ? n : 1);
	right = w - 30;
	h = bottom + 60;
	chart_head(k, fp, w, h, left);
	fprintf(fp, "<g class=\"axes\" stroke=\"#333333\">"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
	    left, top, left, bottom, left, bottom, right, bottom);
	fputs("<g class=\"ticks\" text-anchor=\"middle\">\n", fp);
	double step = nice_step(hi - lo, 6);
	for (double t = ceil(lo / step) * step; t <= hi; t += step) {
		double x = left + (t - lo) / (hi - lo) * (right - left);

		date_label((long long)t, d);
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#333333\"/><text x=\"%.1f\" "
		    "y=\"%.1f\">%s</text>\n", x, bottom, x, bottom + 4, x,
		    bottom + 16, d);
	}
	fputs("</g>\n<g class=\"marks\">\n", fp);
	for (int i = 0; i < n; i++) {
		struct crow *r = &k->crows[i];
		double y = top + rowh * i;
		char a[16], b[16];

		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		    left - 6, y + rowh / 2 + 4);
		xml_text(fp, r->label);
		fputs("</text>\n", fp);
		if (r->null[0] || r->null[1])
			continue;
		double x0 = left + (double)(r->v[0] - lo) / (hi - lo) *
		    (right - left);
		double x1 = left + (double)(r->v[1] + 1 - lo) / (hi - lo) *
		    (right - left);
		date_label(r->v[0], a);
		date_label(r->v[1], b);
		fprintf(fp, "<rect class=\"mark\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", x0,
		    y + 4, x1 - x0, rowh - 8, palette[0]);
		xml_text(fp, r->label);
		fprintf(fp, ": %s to %s</title></rect>\n", a, b);
	}
	fputs("</g>\n</svg>\n", fp);
}

/* Bars (side by side or stacked) or lines, a slot per row. */
static void
chart_xy(struct sink *k, FILE *fp)
{
	struct chart *ch = &k->chart;
	int n = k->ncrows, ns = ch->nseries, stacked = ch->kind == CH_STACKED;
	int lines = ch->kind == CH_LINES;
	double bw = stacked || lines ? 18 : ns > 1 ? 12 : 16;
	double slot = (stacked || lines ? bw : bw * ns) + 10;
	struct frame f = { 90, 0, 60, 0, 0, 0 };
	int w, h, every;
	char text[64];

	if (n > 60 && slot > 8)
		slot = bw = stacked || lines ? 8 : 4 * ns + 2;
	if (!stacked && !lines && n > 60)
		bw = 4;
	f.bottom = 330;
	h = 430;
	for (int i = 0; i < n; i++) {
		/* A double: a stack of large figures may pass 64 bits, and a
		 * chart needs only its height. */
		double sum = 0;

		for (int j = 0; j < ns; j++) {
			double v = k->crows[i].v[j];

			if (k->crows[i].null[j])
				continue;
			if (stacked) {
				sum += v > 0 ? v : 0;
				v = sum;
			}
			f.lo = v < f.lo ? v : f.lo;
			f.hi = v > f.hi ? v : f.hi;
		}
	}
	double step = nice_step(f.hi - f.lo, 5);
	f.lo = floor(f.lo / step) * step;
	f.hi = ceil(f.hi / step) * step;
	if (f.hi <= f.lo)
		f.hi = f.lo + step;
	/* Room on the left for the longest value label. */
	report_group_digits(text, sizeof text, axis_value(f.lo));
	int wl = strlen(text);
	report_group_digits(text, sizeof text, axis_value(f.hi));
	wl = (int)strlen(text) > wl ? (int)strlen(text) : wl;
	f.left = 20 + 7 * wl;
	w = f.left + slot * (n > 0 ? n : 1) + 30;
	if (w < 640)
		w = 640;
	f.right = w - 30;
	slot = (f.right - f.left) / (n > 0 ? n : 1);
	chart_head(k, fp, w, h, f.left);
	/* The value axis, its grid, and the zero line as the base axis. */
	fputs("<g class=\"ticks\" text-anchor=\"end\">\n", fp);
	for (double t = f.lo; t <= f.hi + step / 2; t += step) {
		double y = yof(&f, t);

		report_group_digits(text, sizeof text, axis_value(t));
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#dddddd\"/><text x=\"%.1f\" "
		    "y=\"%.1f\">%s</text>\n", f.left, y, f.right, y, f.left - 6,
		    y + 4, text);
	}
	fprintf(fp, "</g>\n<g class=\"axes\" stroke=\"#333333\">"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
	    f.left, f.top, f.left, f.bottom, f.left, yof(&f, 0), f.right,
	    yof(&f, 0));
	fputs("<g class=\"marks\">\n", fp);
	for (int j = 0; lines && j < ns; j++) {
		int any = 0;

		for (int i = 0; i < n; i++) {
			if (k->crows[i].null[j])
				continue;
			if (any++ == 0)
				fprintf(fp, "<polyline class=\"line\" "
				    "fill=\"none\" stroke-width=\"2\" "
				    "stroke=\"%s\" points=\"",
				    palette[j % NELEM(palette)]);
			else
				fputc(' ', fp);
			fprintf(fp, "%.1f,%.1f", f.left + slot * (i + 0.5),
			    yof(&f, k->crows[i].v[j]));
		}
		if (any)
			fputs("\"/>\n", fp);
	}
	for (int i = 0; i < n; i++) {
		struct crow *r = &k->crows[i];
		long long base = 0;

		for (int j = 0; j < ns; j++) {
			const struct col *c = &k->cols[ch->series[j]];
			const char *color = palette[j % NELEM(palette)];
			double x, y0, y1;

			if (r->null[j])
				continue;
			if (lines) {
				fprintf(fp, "<circle class=\"mark\" cx=\"%.1f\" "
				    "cy=\"%.1f\" r=\"3\" fill=\"%s\">",
				    f.left + slot * (i + 0.5),
				    yof(&f, r->v[j]), color);
			} else {
				if (stacked) {
					long long v = r->v[j] > 0 ? r->v[j] : 0;

					x = f.left + slot * i + (slot - bw) / 2;
					y0 = yof(&f, base + v);
					y1 = yof(&f, base);
					base += v;
				} else {
					double gw = bw * ns;

					x = f.left + slot * i + (slot - gw) / 2 +
					    bw * j;
					y0 = yof(&f, r->v[j] > 0 ? r->v[j] : 0);
					y1 = yof(&f, r->v[j] < 0 ? r->v[j] : 0);
				}
				fprintf(fp, "<rect class=\"mark\" x=\"%.1f\" "
				    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				    "fill=\"%s\">", x, y0, bw, y1 - y0, color);
			}
			report_group_digits(text, sizeof text, r->v[j]);
			fputs("<title>", fp);
			xml_text(fp, r->label);
			fputs(" ", fp);
			xml_text(fp, c->title);
			fprintf(fp, ": %s</title></%s>\n", text, lines ?
			    "circle" : "rect");
		}
	}
	fputs("</g>\n", fp);
	/* Row labels under the axis, slanted; every one when they fit. */
	every = n / 60 + 1;
	fputs("<g class=\"labels\" text-anchor=\"end\">\n", fp);
	for (int i = 0; i < n; i += every) {
		double x = f.left + slot * (i + 0.5), y = f.bottom + 14;

		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-40 "
		    "%.1f %.1f)\">", x, y, x, y);
		xml_text(fp, k->crows[i].label);
		fputs("</text>\n", fp);
	}
	if (n == 0)
		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">no data</text>\n",
		    (f.left + f.right) / 2, (f.top + f.bottom) / 2);
	fputs("</g>\n</svg>\n", fp);
}

void
report_chart_draw(struct sink *k)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", k->out);
	if (k->chart.kind == CH_SPANS)
		chart_spans(k, k->out);
	else
		chart_xy(k, k->out);
}
