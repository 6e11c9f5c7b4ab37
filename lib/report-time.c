/*
 * Time in the reports. Days and hours are local to the report's zone.
 * SQLite knows no zones, so the zone's offsets over the range are worked
 * out once (with the C library's tz database, zone_segs) and each order's
 * local day or hour is computed here from its UTC time and the offset in
 * force then: an order at 05:30Z and one at 06:30Z on 2025-11-02 are both
 * at 01:30 in New York, an hour apart.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_priv.h"
#include "rfc3339.h"

/* TZ is process-wide: every local time here is in this one zone. */
void
report_set_zone(const char *tz)
{
	const char *cur = getenv("TZ");

	if (cur == NULL || strcmp(cur, tz) != 0) {
		setenv("TZ", tz, 1);
		tzset();
	}
}

/* The local midnight starting the day that t is in, days later. */
long long
report_local_midnight(long long t, int days)
{
	time_t tt = t;
	struct tm tm;

	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int
uoms_report_time(const char *s, const char *tz, long long *t)
{
	char norm[40];
	struct tm tm = { 0 };
	size_t n = strlen(s);

	if (uoms_time_normalize(s, n, norm, 1) < 0)
		return -1;
	if (n == 10) {
		/* A date is its start in the report's zone; mktime moves a
		 * midnight that a DST jump skips to the first time that is. */
		report_set_zone(tz);
		tm.tm_year = atoi(s) - 1900;
		tm.tm_mon = atoi(s + 5) - 1;
		tm.tm_mday = atoi(s + 8);
		tm.tm_isdst = -1;
		*t = mktime(&tm);
		return 0;
	}
	*t = uoms_time_epoch(norm);
	return 0;
}

long
report_gmtoff(long long t)
{
	time_t tt = t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return tm.tm_gmtoff;
}

/*
 * The offsets of the zone over [lo, hi], each with the instant it starts.
 * Steps a day at a time and bisects to the second where one changes.
 */
static int
zone_segs(long long lo, long long hi, struct seg **out)
{
	struct seg *v = malloc(sizeof *v * 8);
	int n = 1, cap = 8;
	long cur;

	if (v == NULL)
		return -1;
	cur = report_gmtoff(lo);
	v[0] = (struct seg){ lo, cur };
	for (long long t = lo; t < hi;) {
		long long next = t + 86400 < hi ? t + 86400 : hi;

		if (report_gmtoff(next) == cur) {
			t = next;
			continue;
		}
		long long a = t, b = next;
		while (b - a > 1) {
			long long m = a + (b - a) / 2;

			if (report_gmtoff(m) == cur)
				a = m;
			else
				b = m;
		}
		if (n == cap) {
			struct seg *nv = realloc(v, sizeof *v * (cap *= 2));

			if (nv == NULL) {
				free(v);
				return -1;
			}
			v = nv;
		}
		cur = report_gmtoff(b);
		v[n++] = (struct seg){ b, cur };
		t = b;
	}
	*out = v;
	return n;
}

/* t as the text stored times start with, "YYYY-MM-DDTHH:MM:SS". Stored
 * times end in 'Z' or a fraction, so this sorts before every stored time
 * in its second and after every one before it. */
void
report_bound_text(long long t, char *out)
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
report_iso_text(long long t, char *out)
{
	report_bound_text(t, out);
	strcat(out, "Z");
}

/* Days since 1970-01-01 of a date (Howard Hinnant's days_from_civil). */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day since 1970-01-01 (civil_from_days), "YYYY-MM-DD". */
static void
civil_text(long long z, char *out)
{
	long long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	y = y < 0 ? 0 : y > 9999 ? 9999 : y;
	out[0] = '0' + y / 1000;
	out[1] = '0' + y / 100 % 10;
	out[2] = '0' + y / 10 % 10;
	out[3] = '0' + y % 10;
	out[4] = out[7] = '-';
	out[5] = '0' + m / 10;
	out[6] = '0' + m % 10;
	out[8] = '0' + d / 10;
	out[9] = '0' + d % 10;
	out[10] = '\0';
}

static int
num2(const unsigned char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*
 * The Unix seconds of a stored time ("YYYY-MM-DDTHH:MM:SS", then a
 * fraction or 'Z') into *t, read by hand: it runs once per order.
 * Returns 0, or -1 when s is not such a time.
 */
static int
stored_time(const char *text, long long *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	const unsigned char *s = (const unsigned char *)text;

	if (s == NULL)
		return -1;
	for (int i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !isdigit(s[i]) : s[i] != shape[i])
			return -1;
	*t = days_from_civil(num2(s) * 100 + num2(s + 2), num2(s + 5),
	    num2(s + 8)) * 86400 + num2(s + 11) * 3600 + num2(s + 14) * 60 +
	    num2(s + 17);
	return 0;
}

/* Local time (UTC plus the offset in force) of t, in the report's zone. */
static long long
local_of(const struct seg *sg, int n, int *hint, long long t)
{
	int i = *hint;

	if (i >= n || sg[i].start > t || (i + 1 < n && sg[i + 1].start <= t)) {
		int lo = 0, hi = n - 1;

		while (lo < hi) {
			int m = (lo + hi + 1) / 2;

			if (sg[m].start <= t)
				lo = m;
			else
				hi = m - 1;
		}
		*hint = i = lo;
	}
	return t + sg[i].off;
}

/* Floor division: a day or an hour before 1970 stays in its day. */
static long long
floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The local day of stored time s into out ("YYYY-MM-DD"); NULL when s
 * is not a time. */
const char *
report_local_day(struct ctx *x, const char *s, char *out)
{
	long long t;

	if (stored_time(s, &t) < 0)
		return NULL;
	civil_text(floor_div(local_of(x->segs, x->nsegs, &x->hint, t), 86400),
	    out);
	return out;
}

/* The local hour (0-23) of stored time s, or -1. */
int
report_local_hour(struct ctx *x, const char *s)
{
	long long t;

	if (stored_time(s, &t) < 0)
		return -1;
	t = local_of(x->segs, x->nsegs, &x->hint, t);
	return (int)((t - floor_div(t, 86400) * 86400) / 3600);
}

static long long
text_time(const char *s, long long def)
{
	long long t;

	if (s == NULL || uoms_report_time(s, "UTC", &t) < 0)
		return def;
	return t;
}

/* The zone's offsets over the report's range, or over the orders' own
 * placed_at where the range is open. */
int
report_zone_for_range(struct ctx *x)
{
	const struct uoms_report *r = x->r;
	long long lo = r->from, hi = r->to;

	if (!r->has_from || !r->has_to) {
		struct uoms_stmt *st = uoms_db_stmt(x->s,
		    SQL_REPORT_PLACED_SPAN);

		if (st == NULL) {
			uoms_db_fail(x->s, x->e, "preparing a report");
			return -1;
		}
		if (report_step(x, st) < 0) {
			uoms_db_done(st);
			return -1;
		}
		if (!r->has_from)
			lo = text_time(uoms_db_text(st, 0), r->now);
		if (!r->has_to)
			hi = text_time(uoms_db_text(st, 1), r->now) + 1;
		uoms_db_done(st);
	}
	if (hi < lo)
		hi = lo;
	if ((x->nsegs = zone_segs(lo, hi, &x->segs)) < 0) {
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}
