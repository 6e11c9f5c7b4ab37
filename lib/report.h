/*
 * report: the aggregates of uoms-report (SPEC 8): the status board,
 * hourly intake, sales and profit (daily, sales, settlement), pipeline
 * metrics and the ranges of dates with data. A report runs in one read
 * transaction, so every figure comes from one snapshot of committed data,
 * and in WAL mode it never blocks a writer. Orders are aggregated as they
 * are read: memory grows with the rows of the report, never with the
 * orders behind them.
 *
 * Money (daily, sales, settlement) is what customers paid and were not
 * given back, per currency, never added across currencies; an item costs
 * what its sku cost on the order's channel (else the shared catalog)
 * when the order was placed. uoms-report(1) says how each figure is made.
 */
#ifndef UOMS_REPORT_H
#define UOMS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "store.h"

enum uoms_report_name {
	UOMS_REPORT_STATUS,
	UOMS_REPORT_HOURLY,
	UOMS_REPORT_DAILY,
	UOMS_REPORT_SALES,
	UOMS_REPORT_SETTLEMENT,
	UOMS_REPORT_METRICS,
	UOMS_REPORT_RANGE,
	UOMS_REPORT_STOCK	/* issue 13, stock: lib/report-stock.c */
};

enum uoms_report_by {
	UOMS_BY_NONE,
	UOMS_BY_DEPARTMENT,
	UOMS_BY_CHANNEL,
	UOMS_BY_ITEM
};

enum uoms_report_format {
	UOMS_FORMAT_JSONL,
	UOMS_FORMAT_TABLE,
	UOMS_FORMAT_CSV,
	UOMS_FORMAT_SVG
};

/* At most this many metrics windows in one report. */
#define UOMS_REPORT_MAX_WINDOWS 100000

struct uoms_report {
	enum uoms_report_name name;
	enum uoms_report_by by;
	enum uoms_report_format format;
	const char *tz;			/* days, hours and tables (borrowed) */
	long long from, to;		/* Unix seconds, when has_from, has_to */
	int has_from, has_to;
	long long window;		/* metrics: seconds, 0 for the default */
	long long now;			/* Unix seconds: ETAs pass against it */
	/* Folders whose *.yaml name the workflows that classify states
	 * (the override folder first; either may be NULL). */
	const char *workflow_dirs[2];
};

/* The value named by s, or -1 when s names none. */
int uoms_report_name_parse(const char *s);
int uoms_report_by_parse(const char *s);
int uoms_report_format_parse(const char *s);

/* A duration "90s", "5m", "1h", "1d" (a bare number is seconds) in
 * seconds, or -1 when s is not one. */
long long uoms_report_duration(const char *s);

/*
 * A time option: RFC 3339 (any offset), or a date YYYY-MM-DD meaning the
 * start of that day in zone tz. Sets *t (Unix seconds, fractions of a
 * second dropped) and returns 0, or -1 when s is neither.
 */
int uoms_report_time(const char *s, const char *tz, long long *t);

/*
 * Checks r and fills in its defaults (the range and window of metrics,
 * the day of settlement). Returns 0, or -1 with why filled: the options
 * do not make sense together (a usage error).
 */
int uoms_report_resolve(struct uoms_report *r, char *why, size_t whylen);

/*
 * Runs report r (resolved) on s, writing it to out in r->format.
 * Returns UOMS_OK, or a code with e filled when the store failed
 * (UOMS_BUSY past the timeout, UOMS_INTERNAL). Write errors on out are
 * the caller's to check (ferror, fflush).
 */
enum uoms_code uoms_report_run(struct uoms_store *s,
    const struct uoms_report *r, FILE *out, struct uoms_error *e);

#endif
