/*
 * The reports of uoms-report. Each one is a few aggregate queries over
 * the store, read in one transaction, whose rows go to a sink that writes
 * them as a table, JSON lines, CSV or an SVG chart.
 *
 * Days and hours are local to the report's zone. SQLite knows no zones,
 * so the zone's offsets over the range are worked out once (with the C
 * library's tz database, zone_segs) and each order's local day or hour is
 * computed here from its UTC time and the offset in force then: an order
 * at 05:30Z and one at 06:30Z on 2025-11-02 are both at 01:30 in New
 * York, an hour apart.
 *
 * Most reports add up in a hash of their few groups as rows stream by
 * (SQLite would sort every row to group them); memory follows the
 * groups, never the orders.
 *
 * What a state means (cancelled, shipped, complete, open...) comes from
 * the workflow files, not from state names: see classify().
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report.h"
#include "rfc3339.h"
#include "store_priv.h"
#include "text.h"
#include "workflow.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Table rows held back to size the columns; later rows use those widths. */
#define TABLE_HOLD 1000

static const char *const report_names[] = {
	[UOMS_REPORT_STATUS] = "status",
	[UOMS_REPORT_HOURLY] = "hourly",
	[UOMS_REPORT_DAILY] = "daily",
	[UOMS_REPORT_SALES] = "sales",
	[UOMS_REPORT_SETTLEMENT] = "settlement",
	[UOMS_REPORT_METRICS] = "metrics",
	[UOMS_REPORT_RANGE] = "range",
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

/* TZ is process-wide: every local time here is in this one zone. */
static void
set_zone(const char *tz)
{
	const char *cur = getenv("TZ");

	if (cur == NULL || strcmp(cur, tz) != 0) {
		setenv("TZ", tz, 1);
		tzset();
	}
}

/* The local midnight starting the day that t is in, days later. */
static long long
local_midnight(long long t, int days)
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
		set_zone(tz);
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

static long
gmtoff(long long t)
{
	time_t tt = t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return tm.tm_gmtoff;
}

int
uoms_report_resolve(struct uoms_report *r, char *why, size_t whylen)
{
	const char *name = report_names[r->name];
	enum uoms_report_by by = r->by;

	set_zone(r->tz);
	if (r->window > 0 && r->name != UOMS_REPORT_METRICS) {
		snprintf(why, whylen, "--window: only metrics has windows");
		return -1;
	}
	if (by != UOMS_BY_NONE && (r->name == UOMS_REPORT_HOURLY ||
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
		r->from = local_midnight(r->has_from ? r->from : r->now, 0);
		r->to = local_midnight(r->from, 1);
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
			long long t = r->to - 86400, off = gmtoff(t);

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

/* ---- time zones in SQL ---- */

/* An offset from UTC in force from an instant on. */
struct seg {
	long long start;
	long off;
};

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
	cur = gmtoff(lo);
	v[0] = (struct seg){ lo, cur };
	for (long long t = lo; t < hi;) {
		long long next = t + 86400 < hi ? t + 86400 : hi;

		if (gmtoff(next) == cur) {
			t = next;
			continue;
		}
		long long a = t, b = next;
		while (b - a > 1) {
			long long m = a + (b - a) / 2;

			if (gmtoff(m) == cur)
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
		cur = gmtoff(b);
		v[n++] = (struct seg){ b, cur };
		t = b;
	}
	*out = v;
	return n;
}

/* t as the text stored times start with, "YYYY-MM-DDTHH:MM:SS". Stored
 * times end in 'Z' or a fraction, so this sorts before every stored time
 * in its second and after every one before it. */
static void
bound_text(long long t, char *out)
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
iso_text(long long t, char *out)
{
	bound_text(t, out);
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
stored_time(const unsigned char *s, long long *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";

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

/* ---- what states mean, from the workflow files ---- */

enum {
	K_CANCELLED = 1 << 0,	/* terminal, and named or reached as a cancel */
	K_SHIP = 1 << 1,	/* entering it sets depart_time */
	K_SHIPPED = 1 << 2,	/* a K_SHIP state or one after it */
	K_COMPLETE = 1 << 3,	/* sets complete_time, or after one that does */
	K_PAYMENT = 1 << 4,	/* an action pay or payment leads to it */
	K_OPEN = 1 << 5,	/* the backlog: none of terminal, shipped, complete */
	K_DONE = 1 << 6		/* complete, cancelled or terminal */
};

struct pair {
	char *wf, *st;
	int k;
};

struct classes {
	struct pair *p;
	int n;
	char **nopay;		/* workflows without a payment step */
	int nnopay;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add_pair(struct classes *c, const char *wf, const char *st, int k)
{
	struct pair *np = realloc(c->p, sizeof *np * (c->n + 1));

	if (np == NULL)
		return -1;
	c->p = np;
	np[c->n].wf = strdup(wf);
	np[c->n].st = strdup(st);
	np[c->n].k = k;
	if (np[c->n].wf == NULL || np[c->n].st == NULL)
		return -1;
	c->n++;
	return 0;
}

static int
state_index(const struct uoms_workflow *w, const char *name)
{
	for (int i = 0; i < w->nstates; i++)
		if (strcmp(w->states[i].name, name) == 0)
			return i;
	return -1;
}

/* Marks every state reachable from a marked one. */
static void
reach(const struct uoms_workflow *w, int *mark)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (int i = 0; i < w->ntransitions; i++) {
			int f = state_index(w, w->transitions[i].from);
			int t = state_index(w, w->transitions[i].to);

			if (f >= 0 && t >= 0 && mark[f] && !mark[t]) {
				mark[t] = 1;
				changed = 1;
			}
		}
	}
}

static int
sets(const struct uoms_state *st, const char *column)
{
	for (int i = 0; i < st->nstamps; i++)
		if (st->stamps[i].set && strcmp(st->stamps[i].column,
		    column) == 0)
			return 1;
	return 0;
}

static int
is_action(const char *a, const char *const *names)
{
	for (; a != NULL && *names != NULL; names++)
		if (strcmp(a, *names) == 0)
			return 1;
	return 0;
}

/*
 * The classes of one workflow's states:
 * - cancelled: a terminal state named CANCEL, CANCELLED or CANCELED (any
 *   case), or one that an action named cancel leads to;
 * - ship: a state whose entry sets depart_time (it left for the customer);
 *   shipped: a ship state or any state reachable from one, not cancelled;
 * - complete: a state whose entry sets complete_time, or any state
 *   reachable from one, not cancelled;
 * - payment: the state an action named pay or payment leads to;
 * - open (the backlog): not terminal, shipped, complete or cancelled;
 * - done: complete, cancelled or terminal.
 */
static int
classify(struct classes *c, const struct uoms_workflow *w)
{
	static const char *const cancel[] = { "cancel", NULL };
	static const char *const pay[] = { "pay", "payment", NULL };
	int n = w->nstates, *ship = calloc(n + 1, sizeof *ship);
	int *done = calloc(n + 1, sizeof *done), *k = calloc(n + 1, sizeof *k);
	int has_pay = 0, rc = -1;

	if (ship == NULL || done == NULL || k == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		const struct uoms_state *st = &w->states[i];

		if (st->terminal && (strcasecmp(st->name, "cancel") == 0 ||
		    strcasecmp(st->name, "cancelled") == 0 ||
		    strcasecmp(st->name, "canceled") == 0))
			k[i] |= K_CANCELLED;
		if (sets(st, "depart_time"))
			k[i] |= K_SHIP;
		ship[i] = sets(st, "depart_time");
		done[i] = sets(st, "complete_time");
	}
	for (int i = 0; i < w->ntransitions; i++) {
		const struct uoms_transition *t = &w->transitions[i];
		int to = state_index(w, t->to);

		if (to < 0)
			continue;
		if (is_action(t->action, cancel) && w->states[to].terminal)
			k[to] |= K_CANCELLED;
		if (is_action(t->action, pay)) {
			k[to] |= K_PAYMENT;
			has_pay = 1;
		}
	}
	reach(w, ship);
	reach(w, done);
	for (int i = 0; i < n; i++) {
		if (!(k[i] & K_CANCELLED)) {
			k[i] |= ship[i] ? K_SHIPPED : 0;
			k[i] |= done[i] ? K_COMPLETE : 0;
		}
		/* Delivered or collected without a departure is done too:
		 * the backlog is what is still to be worked on. */
		if (!w->states[i].terminal && !(k[i] & (K_SHIPPED |
		    K_COMPLETE | K_CANCELLED)))
			k[i] |= K_OPEN;
		if (w->states[i].terminal || (k[i] & (K_COMPLETE |
		    K_CANCELLED)))
			k[i] |= K_DONE;
		if (add_pair(c, w->name, w->states[i].name, k[i]) < 0)
			goto out;
	}
	if (!has_pay) {
		char **nv = realloc(c->nopay, sizeof *nv * (c->nnopay + 1));

		if (nv == NULL)
			goto out;
		c->nopay = nv;
		if ((nv[c->nnopay] = strdup(w->name)) == NULL)
			goto out;
		c->nnopay++;
	}
	rc = 0;
out:
	free(ship);
	free(done);
	free(k);
	return rc;
}

/* Workflow names: the *.yaml files of the folders, each name once. */
static int
workflow_names(const char *const dirs[2], char ***out, int *nout)
{
	char **v = NULL;
	int n = 0;

	for (int i = 0; i < 2; i++) {
		DIR *d = dirs[i] != NULL ? opendir(dirs[i]) : NULL;
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			char **nv;

			if (de->d_name[0] == '.' || len <= 5 ||
			    strcmp(de->d_name + len - 5, ".yaml") != 0)
				continue;
			if ((nv = realloc(v, sizeof *v * (n + 1))) == NULL) {
				closedir(d);
				goto fail;
			}
			v = nv;
			if ((v[n] = strndup(de->d_name, len - 5)) == NULL) {
				closedir(d);
				goto fail;
			}
			n++;
		}
		if (d != NULL)
			closedir(d);
	}
	if (n > 0)
		qsort(v, n, sizeof *v, name_cmp);
	/* Drop duplicates: the override folder's file replaces the other. */
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (m > 0 && strcmp(v[m - 1], v[i]) == 0)
			free(v[i]);
		else
			v[m++] = v[i];
	}
	*out = v;
	*nout = m;
	return 0;
fail:
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

static void
classes_free(struct classes *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->p[i].wf);
		free(c->p[i].st);
	}
	for (int i = 0; i < c->nnopay; i++)
		free(c->nopay[i]);
	free(c->p);
	free(c->nopay);
}

/* Loads what every known workflow's states mean. A workflow file that
 * does not load is left out: its orders' states belong to no class. */
static int
classes_load(struct classes *c, const char *const dirs[2])
{
	char **names, why[512];
	int n, rc = 0;

	memset(c, 0, sizeof *c);
	if (workflow_names(dirs, &names, &n) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct uoms_workflow *w = uoms_workflow_get(names[i],
		    why, sizeof why);

		if (w != NULL && rc == 0)
			rc = classify(c, w);
		free(names[i]);
	}
	free(names);
	return rc;
}

static void
quote(struct uoms_buf *b, const char *s)
{
	uoms_buf_str(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			uoms_buf_add(b, "'", 1);
		uoms_buf_add(b, s, 1);
	}
	uoms_buf_str(b, "'");
}

/* Whether every known state called name has class k. */
static int
same_everywhere(const struct classes *c, const char *name, int k)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->p[i].st, name) == 0 && !(c->p[i].k & k))
			return 0;
	return 1;
}

/*
 * SQL that is true for the orders whose (workflow, status) in columns wf,
 * st have class k: a list of state names where a name means the same in
 * every workflow, pairs where it does not.
 */
static void
pred(struct uoms_buf *b, const struct classes *c, int k, const char *wf,
    const char *st)
{
	int n = 0;

	uoms_buf_str(b, "(");
	for (int i = 0; i < c->n; i++) {
		int seen = 0;

		if (!(c->p[i].k & k) || !same_everywhere(c, c->p[i].st, k))
			continue;
		for (int j = 0; j < i; j++)
			seen |= strcmp(c->p[j].st, c->p[i].st) == 0;
		if (seen)
			continue;
		uoms_buf_printf(b, n++ ? ", " : "%s IN (", st);
		quote(b, c->p[i].st);
	}
	if (n > 0)
		uoms_buf_str(b, ")");
	for (int i = 0; i < c->n; i++) {
		if (!(c->p[i].k & k) || same_everywhere(c, c->p[i].st, k))
			continue;
		uoms_buf_printf(b, "%s(%s = ", n++ ? " OR " : "", wf);
		quote(b, c->p[i].wf);
		uoms_buf_printf(b, " AND %s = ", st);
		quote(b, c->p[i].st);
		uoms_buf_str(b, ")");
	}
	uoms_buf_str(b, n ? ")" : "0)");
}

/* SQL true for orders whose workflow has no payment step. */
static void
pred_nopay(struct uoms_buf *b, const struct classes *c, const char *wf)
{
	if (c->nnopay == 0) {
		uoms_buf_str(b, "0");
		return;
	}
	uoms_buf_printf(b, "%s IN (", wf);
	for (int i = 0; i < c->nnopay; i++) {
		if (i)
			uoms_buf_str(b, ", ");
		quote(b, c->nopay[i]);
	}
	uoms_buf_str(b, ")");
}

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

static void
group_digits(char *out, size_t len, long long v)
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

static void
pct_text(char *out, size_t len, long long tenths)
{
	unsigned long long a = tenths < 0 ? -(unsigned long long)tenths :
	    (unsigned long long)tenths;

	snprintf(out, len, "%s%llu.%llu", tenths < 0 ? "-" : "", a / 10,
	    a % 10);
}

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

/* A cell as a table shows it. */
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
		group_digits(out, len, x->i);
		break;
	case T_PCT:
		pct_text(out, len - 1, x->i);
		strcat(out, "%");
		break;
	case T_SECS:
		secs_text(out, len, x->i);
		break;
	case T_TIME:
		iso_text(x->i, iso);
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
		pct_text(text, sizeof text, x->i);
		uoms_buf_str(b, text);
		break;
	case T_TIME:
		iso_text(x->i, text);
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
			pct_text(text, sizeof text, x[c].i);
			fputs(text, k->out);
			break;
		case T_TIME:
			iso_text(x[c].i, text);
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

static void
sink_init(struct sink *k, const struct uoms_report *r, FILE *out)
{
	memset(k, 0, sizeof *k);
	k->r = r;
	k->out = out;
}

/* Starts the report's rows: their columns (borrowed until sink_end). */
static void
sink_begin(struct sink *k, const struct col *cols, int ncols)
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
static void
sink_row(struct sink *k, const struct cell *x, int totals)
{
	switch (k->r->format) {
	case UOMS_FORMAT_TABLE: table_row(k, x, totals); break;
	case UOMS_FORMAT_JSONL: jsonl_row(k, x, totals); break;
	case UOMS_FORMAT_CSV: csv_row(k, x, totals); break;
	case UOMS_FORMAT_SVG: chart_row(k, x, totals); break;
	}
}

/* ---- SVG charts ---- */

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
		iso_text(r->from, ia);
		iso_text(r->to, ib);
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
	group_digits(text, sizeof text, axis_value(f.lo));
	int wl = strlen(text);
	group_digits(text, sizeof text, axis_value(f.hi));
	wl = (int)strlen(text) > wl ? (int)strlen(text) : wl;
	f.left = 20 + 7 * wl;
	w = f.left + slot * (n > 0 ? n : 1) + 30;
	if (w < 640)
		w = 640;
	f.right = w - 30;
	slot = (f.right - f.left) / (n > 0 ? n : 1);
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"11\">\n<title>", w, h, w, h);
	chart_title(k, fp);
	fprintf(fp, "</title>\n<rect class=\"background\" width=\"%d\" "
	    "height=\"%d\" fill=\"#ffffff\"/>\n<text class=\"title\" x=\"10\" "
	    "y=\"20\" font-size=\"14\" font-weight=\"bold\">", w, h);
	chart_title(k, fp);
	fputs("</text>\n", fp);
	chart_legend(k, fp, f.left, 42);
	/* The value axis, its grid, and the zero line as the base axis. */
	fputs("<g class=\"ticks\" text-anchor=\"end\">\n", fp);
	for (double t = f.lo; t <= f.hi + step / 2; t += step) {
		double y = yof(&f, t);

		group_digits(text, sizeof text, axis_value(t));
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
			group_digits(text, sizeof text, r->v[j]);
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

static void
chart_draw(struct sink *k)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", k->out);
	if (k->chart.kind == CH_SPANS)
		chart_spans(k, k->out);
	else
		chart_xy(k, k->out);
}

/* Ends the rows: a held table or a chart is written now. Returns 0, or
 * -1 when memory ran out on the way. */
static int
sink_end(struct sink *k)
{
	if (k->r->format == UOMS_FORMAT_TABLE && !k->frozen && k->cols != NULL)
		table_flush(k);
	if (k->r->format == UOMS_FORMAT_SVG)
		chart_draw(k);
	return k->failed ? -1 : 0;
}

/* Frees what the sink holds; a report that failed midway drops its
 * held rows here. */
static void
sink_free(struct sink *k)
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

/* ---- running reports ---- */

struct ctx {
	struct uoms_store *s;
	const struct uoms_report *r;
	struct uoms_error *e;
	struct classes cls;
	struct sink k;
	struct seg *segs;	/* the zone over the range */
	int nsegs, hint;
};

/* The local day of stored time s into out ("YYYY-MM-DD"); NULL when s
 * is not a time. */
static const char *
local_day(struct ctx *x, const unsigned char *s, char *out)
{
	long long t;

	if (stored_time(s, &t) < 0)
		return NULL;
	civil_text(floor_div(local_of(x->segs, x->nsegs, &x->hint, t), 86400),
	    out);
	return out;
}

/* The local hour (0-23) of stored time s, or -1. */
static int
local_hour(struct ctx *x, const unsigned char *s)
{
	long long t;

	if (stored_time(s, &t) < 0)
		return -1;
	t = local_of(x->segs, x->nsegs, &x->hint, t);
	return (int)((t - floor_div(t, 86400) * 86400) / 3600);
}

static void
bind_named(sqlite3_stmt *st, const char *name, const char *text,
    long long v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0 && text != NULL)
		sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
	else if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

/* Prepares sql with its parameters bound: :from, :to (time bounds),
 * :f, :w (the metrics windows, seconds) and :now. */
static sqlite3_stmt *
prepare(struct ctx *x, const char *sql)
{
	const struct uoms_report *r = x->r;
	sqlite3_stmt *st;
	char t[40];

	if (sqlite3_prepare_v2(x->s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		uoms_store_fail(x->s, x->e, "preparing a report");
		return NULL;
	}
	bound_text(r->from, t);
	bind_named(st, ":from", t, 0);
	bound_text(r->to, t);
	bind_named(st, ":to", t, 0);
	bind_named(st, ":f", NULL, r->from);
	bind_named(st, ":w", NULL, r->window);
	bind_named(st, ":now", NULL, r->now);
	return st;
}

/* 1 with a row, 0 at the end, -1 with e filled. */
static int
step(struct ctx *x, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	uoms_store_fail(x->s, x->e, "reading the store");
	return -1;
}

/* The report's range on a time column, as SQL. */
static void
range_sql(struct ctx *x, struct uoms_buf *b, const char *col)
{
	if (x->r->has_from)
		uoms_buf_printf(b, " AND %s >= :from", col);
	if (x->r->has_to)
		uoms_buf_printf(b, " AND %s < :to", col);
}

static long long
text_time(const unsigned char *s, long long def)
{
	long long t;

	if (s == NULL || uoms_report_time((const char *)s, "UTC", &t) < 0)
		return def;
	return t;
}

/* The zone's offsets over the report's range, or over the orders' own
 * placed_at where the range is open. */
static int
zone_for_range(struct ctx *x)
{
	const struct uoms_report *r = x->r;
	long long lo = r->from, hi = r->to;

	if (!r->has_from || !r->has_to) {
		/* Two subqueries: each is one step down the index, where
		 * min and max together would read all of it. */
		sqlite3_stmt *st = prepare(x, "SELECT (SELECT min(placed_at)"
		    " FROM orders), (SELECT max(placed_at) FROM orders)");

		if (st == NULL)
			return -1;
		if (step(x, st) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		if (!r->has_from)
			lo = text_time(sqlite3_column_text(st, 0), r->now);
		if (!r->has_to)
			hi = text_time(sqlite3_column_text(st, 1), r->now) + 1;
		sqlite3_finalize(st);
	}
	if (hi < lo)
		hi = lo;
	if ((x->nsegs = zone_segs(lo, hi, &x->segs)) < 0) {
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

static struct cell
cnum(long long v)
{
	return (struct cell){ .i = v };
}

static struct cell
ctext(const unsigned char *s)
{
	return (struct cell){ .null = s == NULL, .s = (const char *)s };
}

static const struct cell cnull = { .null = 1 };

/* num / den in tenths of a percent, rounded half away from zero. In
 * 128 bits: 2000 times a 64-bit figure does not fit in 64. A ratio too
 * big to print (a margin of -10^18 %) is shown as not applicable. */
static struct cell
cratio(long long num, long long den)
{
	__int128 a = num < 0 ? -(__int128)num : num;

	if (den <= 0)
		return (struct cell){ .null = 1, .na = 1 };
	a = (2 * a * 1000 + den) / (2 * (__int128)den);
	if (a > LLONG_MAX)
		return (struct cell){ .null = 1, .na = 1 };
	return cnum(num < 0 ? -(long long)a : (long long)a);
}

/* -- status: orders by department (or channel) and status -- */

struct board {
	char **keys, **states;	/* per cell */
	long long *counts;
	int n;
	char **cols;		/* states, in board order */
	int ncols;
};

/* Makes room for n elements of size at *pp (a pointer to an array
 * pointer); -1, with the array as it was, when out of memory. */
static int
grow(void *pp, size_t n, size_t size)
{
	void **p = pp, *np = realloc(*p, n * size);

	if (np == NULL)
		return -1;
	*p = np;
	return 0;
}

static int
board_has(char **v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int
str_null_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static enum uoms_code
report_status(struct ctx *x)
{
	struct uoms_buf sql = { 0 };
	struct board bd = { 0 };
	sqlite3_stmt *st;
	struct col *cols = NULL;
	struct cell *row = NULL;
	long long *tot = NULL;
	int rc, ncols;
	const char *key = x->r->by == UOMS_BY_CHANNEL ? "channel" :
	    "department";

	uoms_buf_printf(&sql, "SELECT o.%s, o.status, count(*) FROM orders o"
	    " WHERE 1", key);
	range_sql(x, &sql, "o.placed_at");
	uoms_buf_printf(&sql, " GROUP BY 1, 2 ORDER BY o.%s IS NULL, 1, 2", key);
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return x->e->code;
	while ((rc = step(x, st)) > 0) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);

		if (grow(&bd.keys, bd.n + 1, sizeof *bd.keys) < 0 ||
		    grow(&bd.states, bd.n + 1, sizeof *bd.states) < 0 ||
		    grow(&bd.counts, bd.n + 1, sizeof *bd.counts) < 0)
			break;
		bd.keys[bd.n] = k != NULL ? strdup(k) : NULL;
		bd.states[bd.n] = strdup(state != NULL ? state : "");
		bd.counts[bd.n] = sqlite3_column_int64(st, 2);
		bd.n++;
		if ((k != NULL && bd.keys[bd.n - 1] == NULL) ||
		    bd.states[bd.n - 1] == NULL)
			break;
	}
	sqlite3_finalize(st);
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
	sink_begin(&x->k, cols, ncols);
	for (int i = 0; i < bd.n;) {
		int j = i;
		long long total = 0;

		for (int c = 0; c < ncols; c++)
			row[c] = cnum(0);
		row[0] = ctext((const unsigned char *)bd.keys[i]);
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
		sink_row(&x->k, row, 0);
		i = j;
	}
	for (int c = 1; c < ncols; c++)
		row[c] = cnum(tot[c]);
	row[0] = cnull;
	sink_row(&x->k, row, 1);
	if (sink_end(&x->k) < 0)
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

static enum uoms_code
report_hourly(struct ctx *x)
{
	static const struct col cols[] = {
		{ "hour", "HOUR", T_HOUR, F_KEY, NULL },
		{ "orders", "ORDERS", T_INT, 0, NULL },
	};
	struct uoms_buf sql = { 0 };
	long long n[24] = { 0 }, total = 0;
	struct cell row[2];
	sqlite3_stmt *st;
	int rc;

	if (zone_for_range(x) < 0)
		return x->e->code;
	/* The placed_at index holds all it needs; hours add up here. */
	uoms_buf_str(&sql, "SELECT o.placed_at FROM orders o"
	    " WHERE o.placed_at IS NOT NULL");
	range_sql(x, &sql, "o.placed_at");
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return x->e->code;
	while ((rc = step(x, st)) > 0) {
		int h = local_hour(x, sqlite3_column_text(st, 0));

		if (h >= 0 && h < 24)
			n[h]++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return x->e->code;
	x->k.chart = (struct chart){ CH_BARS, "Orders placed by hour of day",
	    { 1 }, 1 };
	sink_begin(&x->k, cols, NELEM(cols));
	for (int h = 0; h < 24; h++) {
		row[0] = cnum(h);
		row[1] = cnum(n[h]);
		total += n[h];
		sink_row(&x->k, row, 0);
	}
	row[0] = cnull;
	row[1] = cnum(total);
	sink_row(&x->k, row, 1);
	if (sink_end(&x->k) < 0)
		return uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return UOMS_OK;
}

/* -- groups: rows of a report, added up in a hash as orders stream by -- */

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

static unsigned long long
key_hash(const char *a, const char *b, const char *c)
{
	unsigned long long h = 1469598103934665603ULL;
	const char *k[3] = { a, b, c };

	for (int i = 0; i < 3; i++) {
		h = (h ^ (k[i] == NULL ? 1 : 2)) * 1099511628211ULL;
		for (const char *p = k[i]; p != NULL && *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	}
	return h;
}

/* The group of keys (a, b, c), made when new; NULL when out of memory. */
static struct group *
groups_get(struct groups *g, const char *a, const char *b, const char *c)
{
	size_t i;

	if (g->n * 2 >= g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct group **ns = calloc(cap, sizeof *ns);

		if (ns == NULL)
			return NULL;
		for (size_t j = 0; j < g->cap; j++) {
			struct group *x = g->slot[j];

			if (x == NULL)
				continue;
			i = key_hash(x->k[0], x->k[1], x->k[2]) &
			    (cap - 1);
			while (ns[i] != NULL)
				i = (i + 1) & (cap - 1);
			ns[i] = x;
		}
		free(g->slot);
		g->slot = ns;
		g->cap = cap;
	}
	i = key_hash(a, b, c) & (g->cap - 1);
	for (; g->slot[i] != NULL; i = (i + 1) & (g->cap - 1)) {
		struct group *x = g->slot[i];

		if (str_null_eq(x->k[0], a) && str_null_eq(x->k[1], b) &&
		    str_null_eq(x->k[2], c))
			return x;
	}
	struct group *x = calloc(1, sizeof *x);

	if (x == NULL)
		return NULL;
	x->k[0] = a != NULL ? strdup(a) : NULL;
	x->k[1] = b != NULL ? strdup(b) : NULL;
	x->k[2] = c != NULL ? strdup(c) : NULL;
	if ((a != NULL && x->k[0] == NULL) || (b != NULL && x->k[1] == NULL) ||
	    (c != NULL && x->k[2] == NULL)) {
		free(x->k[0]);
		free(x->k[1]);
		free(x->k[2]);
		free(x);
		return NULL;
	}
	g->slot[i] = x;
	g->n++;
	return x;
}

/* Null keys last, like "-" at the bottom of a board. */
static int
key_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct group *a = *(struct group *const *)pa;
	const struct group *b = *(struct group *const *)pb;
	int c = key_cmp(a->k[0], b->k[0]);

	if (c == 0)
		c = key_cmp(a->k[1], b->k[1]);
	return c != 0 ? c : key_cmp(a->k[2], b->k[2]);
}

/* The groups in key order, packed to the front of the slots. */
static struct group **
groups_sorted(struct groups *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->cap; i++)
		if (g->slot[i] != NULL)
			g->slot[n++] = g->slot[i];
	for (size_t i = n; i < g->cap; i++)
		g->slot[i] = NULL;
	if (n > 0)
		qsort(g->slot, n, sizeof *g->slot, group_cmp);
	return g->slot;
}

static void
groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->cap; i++)
		if (g->slot[i] != NULL) {
			free(g->slot[i]->k[0]);
			free(g->slot[i]->k[1]);
			free(g->slot[i]->k[2]);
			free(g->slot[i]->name);
			free(g->slot[i]);
		}
	free(g->slot);
	memset(g, 0, sizeof *g);
}

/* -- daily, sales, settlement: orders, items, revenue, cost, profit -- */

/*
 * Money adds up in 64 bits, checked: a sum or product that would not fit
 * stops the report (exit 3) with what overflowed, never a wrapped,
 * wrong number (SPEC 8; uoms-report(1) EXIT STATUS). Returns 0, or -1
 * with x->e filled.
 */
static int
out_of_range(struct ctx *x, const char *figure, const char *k0,
    const char *k1)
{
	uoms_fail(x->e, UOMS_INTERNAL, "%s of '%s%s%s' is out of range: "
	    "beyond %lld, it can't be added up exactly", figure,
	    k0 != NULL ? k0 : "-", k1 != NULL ? "', '" : "",
	    k1 != NULL ? k1 : "", LLONG_MAX);
	return -1;
}

/* *acc += n * price; 1 when it does not fit. */
static int
add_product(long long *acc, long long n, long long price)
{
	long long p;

	return __builtin_mul_overflow(n, price, &p) ||
	    __builtin_add_overflow(*acc, p, acc);
}

/* The figure columns, in the order figure_cells fills them. */
#define NFIGS 10

/* The figure cells from cell fc on: orders, cancelled, items, revenue,
 * cost, profit, margin, uncosted, cancelled_amount, refunded_amount.
 * A revenue with an unpriced item, a cost with an item of unknown cost,
 * are unknown, and so is what they make: never a number that looks
 * right and is not. */
static void
figure_cells(struct cell *c, const struct figures *f)
{
	int rev = f->unpriced == 0, cost = f->uncosted == 0;

	c[0] = cnum(f->orders);
	c[1] = cnum(f->cancelled);
	c[2] = cnum(f->items);
	c[3] = rev ? cnum(f->revenue) : cnull;
	c[4] = cost ? cnum(f->cost) : cnull;
	c[5] = rev && cost ? cnum(f->revenue - f->cost) : cnull;
	c[6] = rev && cost ? cratio(f->revenue - f->cost, f->revenue) : cnull;
	c[7] = cnum(f->uncosted);
	c[8] = rev ? cnum(f->cancelled_amount) : cnull;
	c[9] = cnum(f->refunded);
}

/* Whether f's profit (revenue - cost) fits; -1 with x->e filled. */
static int
figures_fit(struct ctx *x, const struct figures *f, const char *k0,
    const char *k1)
{
	long long p;

	if (f->unpriced == 0 && f->uncosted == 0 &&
	    __builtin_sub_overflow(f->revenue, f->cost, &p))
		return out_of_range(x, "profit", k0, k1);
	return 0;
}

/* The sentence of a settlement line, for a chat message. Money is in
 * the currency's minor unit, like every figure; the currency is named
 * once, after the day. */
static void
settle_text(struct uoms_buf *b, const char *who, const char *day,
    const char *currency, const struct figures *f)
{
	struct cell c[NFIGS];
	char v[40], m[32];

	figure_cells(c, f);
	uoms_buf_clear(b);
	group_digits(v, sizeof v, f->orders);
	uoms_buf_printf(b, "%s %s", who, day);
	if (currency != NULL)
		uoms_buf_printf(b, " (%s)", currency);
	uoms_buf_printf(b, ": %s order%s", v, f->orders == 1 ? "" : "s");
	group_digits(v, sizeof v, f->cancelled);
	if (f->cancelled > 0)
		uoms_buf_printf(b, " (%s cancelled)", v);
	group_digits(v, sizeof v, f->items);
	uoms_buf_printf(b, ", %s item%s", v, f->items == 1 ? "" : "s");
	group_digits(v, sizeof v, c[3].i);
	uoms_buf_printf(b, ", revenue %s", c[3].null ? "unknown" : v);
	group_digits(v, sizeof v, c[8].i);
	if (!c[8].null && c[8].i != 0)
		uoms_buf_printf(b, " (%s cancelled", v);
	group_digits(v, sizeof v, f->refunded);
	if (f->refunded != 0)
		uoms_buf_printf(b, "%s%s refunded", !c[8].null && c[8].i != 0 ?
		    ", " : " (", v);
	if ((!c[8].null && c[8].i != 0) || f->refunded != 0)
		uoms_buf_str(b, ")");
	group_digits(v, sizeof v, c[4].i);
	if (c[4].null)
		uoms_buf_printf(b, ", cost unknown (%lld %s without a cost)",
		    f->uncosted, f->uncosted == 1 ? "item" : "items");
	else
		uoms_buf_printf(b, ", cost %s", v);
	group_digits(v, sizeof v, c[5].i);
	if (c[5].null)
		uoms_buf_str(b, ", profit unknown");
	else if (c[6].null)
		uoms_buf_printf(b, ", profit %s", v);
	else {
		pct_text(m, sizeof m, c[6].i);
		uoms_buf_printf(b, ", profit %s (%s%%)", v, m);
	}
}

/* The SQL of a key of the sales reports. */
static void
key_sql(struct uoms_buf *b, enum uoms_report_by k)
{
	switch (k) {
	case UOMS_BY_NONE:
		uoms_buf_str(b, "o.placed_at");	/* its day is worked out here */
		break;
	case UOMS_BY_DEPARTMENT:
		uoms_buf_str(b, "o.department");
		break;
	case UOMS_BY_CHANNEL:
		uoms_buf_str(b, "o.channel");
		break;
	case UOMS_BY_ITEM:
		uoms_buf_str(b, "i.sku");
		break;
	}
}

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
	sqlite3_stmt *hist, *prod, *name;
};

/* Times without their 'Z' compare as text: "...:00" (a whole second)
 * sorts before "...:00.500" as it should, where "...:00Z" would not. */
static char *
time_key(const unsigned char *s)
{
	char *k = strdup(s != NULL ? (const char *)s : "");
	size_t n;

	if (k != NULL && (n = strlen(k)) > 0 && k[n - 1] == 'Z')
		k[n - 1] = '\0';
	return k;
}

static void
known_free(struct known *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->from[i]);
	free(k->from);
	free(k->cost);
	free(k->channel);
	free(k->sku);
	free(k->name);
	free(k);
}

static void
catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->cap; i++)
		if (c->slot[i] != NULL)
			known_free(c->slot[i]);
	free(c->slot);
	sqlite3_finalize(c->hist);
	sqlite3_finalize(c->prod);
	sqlite3_finalize(c->name);
	memset(c, 0, sizeof *c);
}

static int
catalog_open(struct ctx *x, struct catalog *c)
{
	memset(c, 0, sizeof *c);
	c->hist = prepare(x, "SELECT valid_from, cost FROM product_costs"
	    " WHERE sku = ?2 AND channel = coalesce((SELECT h.channel"
	    " FROM product_costs h WHERE h.channel = ?1 AND h.sku = ?2"
	    " LIMIT 1), '') ORDER BY rtrim(valid_from, 'Z')");
	c->prod = prepare(x, "SELECT cost FROM products WHERE sku = ?2"
	    " AND channel IN (?1, '') ORDER BY channel = '' LIMIT 1");
	c->name = prepare(x, "SELECT name FROM products WHERE sku = ?2"
	    " AND channel IN (?1, '') AND name IS NOT NULL"
	    " ORDER BY channel = '' LIMIT 1");
	if (c->hist == NULL || c->prod == NULL || c->name == NULL) {
		catalog_free(c);
		return -1;
	}
	return 0;
}

static void
bind_pair(sqlite3_stmt *st, const char *channel, const char *sku)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
}

/* Reads what the catalog says of sku for channel into k; -1 with x->e
 * filled. */
static int
known_read(struct ctx *x, struct catalog *c, struct known *k)
{
	int rc, cap = 0;

	bind_pair(c->hist, k->channel, k->sku);
	while ((rc = step(x, c->hist)) > 0) {
		if (k->n == cap && (grow(&k->from, cap + 4, sizeof *k->from) <
		    0 || grow(&k->cost, cap + 4, sizeof *k->cost) < 0))
			goto oom;
		if (k->n == cap)
			cap += 4;
		if ((k->from[k->n] = time_key(sqlite3_column_text(c->hist,
		    0))) == NULL)
			goto oom;
		k->cost[k->n++] = sqlite3_column_int64(c->hist, 1);
	}
	if (rc < 0)
		return -1;
	bind_pair(c->prod, k->channel, k->sku);
	if ((rc = step(x, c->prod)) < 0)
		return -1;
	if (rc > 0 && sqlite3_column_type(c->prod, 0) != SQLITE_NULL) {
		k->has_cost = 1;
		k->catalog_cost = sqlite3_column_int64(c->prod, 0);
	}
	bind_pair(c->name, k->channel, k->sku);
	if ((rc = step(x, c->name)) < 0)
		return -1;
	if (rc > 0 && (k->name = strdup((const char *)sqlite3_column_text(
	    c->name, 0))) == NULL)
		goto oom;
	return 0;
oom:
	uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return -1;
}

/* What the catalog says of sku for orders of channel (read when first
 * asked); NULL with x->e filled. */
static struct known *
catalog_get(struct ctx *x, struct catalog *c, const char *channel,
    const char *sku)
{
	struct known *k;
	size_t i;

	if (c->n * 2 >= c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct known **ns = calloc(cap, sizeof *ns);

		if (ns == NULL)
			goto oom;
		for (size_t j = 0; j < c->cap; j++) {
			if ((k = c->slot[j]) == NULL)
				continue;
			i = key_hash(k->channel, k->sku, NULL) & (cap - 1);
			while (ns[i] != NULL)
				i = (i + 1) & (cap - 1);
			ns[i] = k;
		}
		free(c->slot);
		c->slot = ns;
		c->cap = cap;
	}
	i = key_hash(channel, sku, NULL) & (c->cap - 1);
	for (; (k = c->slot[i]) != NULL; i = (i + 1) & (c->cap - 1))
		if (strcmp(k->channel, channel) == 0 &&
		    strcmp(k->sku, sku) == 0)
			return k;
	if ((k = calloc(1, sizeof *k)) == NULL ||
	    (k->channel = strdup(channel)) == NULL ||
	    (k->sku = strdup(sku)) == NULL) {
		if (k != NULL)
			known_free(k);
		goto oom;
	}
	if (known_read(x, c, k) < 0) {
		known_free(k);
		return NULL;
	}
	c->slot[i] = k;
	c->n++;
	return k;
oom:
	uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return NULL;
}

/* The cost of one unit of k sold at stored time sold into *cost: 1, or
 * 0 when it is not known. */
static int
known_cost(const struct known *k, const unsigned char *sold,
    long long *cost)
{
	char key[64];
	size_t n;
	int lo = 0, hi = k->n;

	if (k->n == 0) {
		*cost = k->catalog_cost;
		return k->has_cost;
	}
	snprintf(key, sizeof key, "%s", sold != NULL ? (const char *)sold :
	    "");
	if ((n = strlen(key)) > 0 && key[n - 1] == 'Z')
		key[n - 1] = '\0';
	/* The first valid_from after the sale; the one before it holds. */
	while (lo < hi) {
		int m = lo + (hi - lo) / 2;

		if (strcmp(k->from[m], key) <= 0)
			lo = m + 1;
		else
			hi = m;
	}
	*cost = k->cost[lo > 0 ? lo - 1 : 0];
	return 1;
}

/* The money members kept in extra (JSON): a file's extra that is not
 * JSON reads as none, never an error that stops the report. */
#define REFUNDED_SQL "CASE WHEN json_valid(o.extra) THEN" \
	" json_extract(o.extra, '$.refunded_amount') END"
#define CANCELLED_QTY_SQL "CASE WHEN json_valid(i.extra) THEN" \
	" json_extract(i.extra, '$.cancelled_quantity') END"

/* A line of the order being read: its group and what it was paid. */
struct sale_line {
	struct group *g;
	long long paid;		/* units not cancelled x unit_price; 0 unpriced */
};

/* The order being read: its group, its lines, its refund. */
struct sale_order {
	struct group *g;
	struct sale_line *l;
	int n, cap;
	long long refund;
};

/* amount refunded from g's revenue; -1 with x->e filled. */
static int
refund_to(struct ctx *x, struct group *g, long long amount)
{
	if (__builtin_add_overflow(g->f.refunded, amount, &g->f.refunded))
		return out_of_range(x, "refunded_amount", g->k[0], g->k[1]);
	if (__builtin_sub_overflow(g->f.revenue, amount, &g->f.revenue))
		return out_of_range(x, "revenue", g->k[0], g->k[1]);
	return 0;
}

/*
 * The order's refund comes off the revenue of the groups its lines are
 * in. A refund is the order's, not a line's, so with --by item it is
 * shared in proportion to what each line was paid (rounded down, the
 * units left over one each to the first lines paid), and the item rows
 * still add up to the totals. All of it goes to the order's group when
 * no line was paid. In 128 bits: refund x paid does not fit in 64.
 */
static int
sale_refund(struct ctx *x, const struct sale_order *o)
{
	__int128 w = 0, left = o->refund;

	if (o->refund <= 0)
		return 0;
	for (int i = 0; i < o->n; i++)
		w += o->l[i].paid > 0 ? o->l[i].paid : 0;
	if (w == 0)
		return refund_to(x, o->n > 0 ? o->l[0].g : o->g, o->refund);
	for (int i = 0; i < o->n; i++) {
		long long share;

		if (o->l[i].paid <= 0)
			continue;
		share = (long long)((__int128)o->refund * o->l[i].paid / w);
		if (refund_to(x, o->l[i].g, share) < 0)
			return -1;
		left -= share;
	}
	for (int i = 0; i < o->n && left > 0; i++)
		if (o->l[i].paid > 0) {
			if (refund_to(x, o->l[i].g, 1) < 0)
				return -1;
			left--;
		}
	return 0;
}

/*
 * One item of an order not cancelled into group g: q units ordered, cq
 * of them cancelled (clamped to 0..q whatever the file holds), at price
 * (may be null) and the cost kn says (NULL: none). Only the units not
 * cancelled are items, revenue and cost; the cancelled ones are
 * cancelled_amount.
 */
static int
sale_item(struct ctx *x, sqlite3_stmt *st, int q, struct group *g,
    const struct known *kn, struct sale_order *o)
{
	struct figures *f = &g->f;
	long long n = sqlite3_column_int64(st, q), cq, price, cost, paid = 0;

	cq = sqlite3_column_int64(st, q + 7);
	cq = cq < 0 ? 0 : cq > n ? (n > 0 ? n : 0) : cq;
	n -= cq;
	if (__builtin_add_overflow(f->items, n, &f->items))
		return out_of_range(x, "items", g->k[0], g->k[1]);
	if (sqlite3_column_type(st, q + 1) == SQLITE_NULL)
		f->unpriced++;
	else {
		price = sqlite3_column_int64(st, q + 1);
		if (add_product(&paid, n, price) ||
		    __builtin_add_overflow(f->revenue, paid, &f->revenue))
			return out_of_range(x, "revenue", g->k[0], g->k[1]);
		if (add_product(&f->cancelled_amount, cq, price))
			return out_of_range(x, "cancelled_amount", g->k[0],
			    g->k[1]);
	}
	if (kn == NULL || !known_cost(kn, sqlite3_column_text(st, q + 2),
	    &cost)) {
		if (__builtin_add_overflow(f->uncosted, n, &f->uncosted))
			return out_of_range(x, "uncosted", g->k[0], g->k[1]);
	} else if (add_product(&f->cost, n, cost))
		return out_of_range(x, "cost", g->k[0], g->k[1]);
	if (o->n == o->cap && grow(&o->l, o->cap += 8, sizeof *o->l) < 0) {
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
		return -1;
	}
	o->l[o->n++] = (struct sale_line){ g, paid };
	return 0;
}

/* An item group's name: the catalog's (kn's: of the order's channel,
 * else the shared one), else the one on an order. -1 out of memory. */
static int
group_name(struct group *g, const struct known *kn,
    const unsigned char *on_order)
{
	const char *s = kn != NULL && kn->name != NULL ? kn->name :
	    (const char *)on_order;

	if (s == NULL || g->name_from_catalog ||
	    (g->name != NULL && (kn == NULL || kn->name == NULL)))
		return 0;
	free(g->name);
	if ((g->name = strdup(s)) == NULL)
		return -1;
	g->name_from_catalog = kn != NULL && kn->name != NULL;
	return 0;
}

/*
 * The orders and their items stream by in order (the join keeps an
 * order's items together) and add up into groups here: days, channels,
 * departments are few, items as many as the catalog. Every group is of
 * one currency (its k[2]), and so is every totals group in tots (keyed
 * by currency alone): money is never added across currencies. An order
 * counts once in each group its items are in, and once in its
 * currency's totals.
 */
static int
sales_groups(struct ctx *x, const enum uoms_report_by *keys, int nk,
    int item, struct groups *gs, struct groups *tots)
{
	struct uoms_buf sql = { 0 };
	struct group *g = NULL, *t = NULL, **seen = NULL;
	struct sale_order o = { 0 };
	struct catalog cat;
	struct known *kn;
	sqlite3_stmt *st;
	long long last = 0;
	int rc, cx = 0, first = 1, q = nk + 2, nseen = 0, capseen = 0;
	const char *k[2] = { NULL, NULL };
	char day[16];

	uoms_buf_str(&sql, "SELECT o.id");
	for (int i = 0; i < nk; i++) {
		uoms_buf_str(&sql, ", ");
		key_sql(&sql, keys[i]);
	}
	uoms_buf_str(&sql, ", ");
	pred(&sql, &x->cls, K_CANCELLED, "o.workflow", "o.status");
	uoms_buf_printf(&sql, ", i.quantity, i.unit_price,"
	    " coalesce(o.placed_at, o.created_at), i.order_id IS NOT NULL,"
	    " %s, o.currency, " REFUNDED_SQL ", " CANCELLED_QTY_SQL ","
	    " o.channel, i.sku FROM orders o %sJOIN order_items i"
	    " ON i.order_id = o.id WHERE o.placed_at IS NOT NULL",
	    item ? "i.name" : "NULL", item ? "" : "LEFT ");
	range_sql(x, &sql, "o.placed_at");
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return -1;
	if (catalog_open(x, &cat) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = step(x, st)) > 0) {
		long long id = sqlite3_column_int64(st, 0);
		int new_order = first || id != last;
		const unsigned char *sku = sqlite3_column_text(st, q + 9);

		kn = NULL;
		if (sku != NULL && (kn = catalog_get(x, &cat, (const char *)
		    sqlite3_column_text(st, q + 8), (const char *)sku)) ==
		    NULL)
			goto fail;

		if (new_order) {
			if (!first && sale_refund(x, &o) < 0)
				goto fail;
			first = 0;
			last = id;
			nseen = 0;
			o.n = 0;
			cx = sqlite3_column_int(st, nk + 1);
			t = groups_get(tots, NULL, NULL, (const char *)
			    sqlite3_column_text(st, q + 5));
			if (t == NULL)
				goto oom;
			*(cx ? &t->f.cancelled : &t->f.orders) += 1;
			o.refund = cx ? 0 : sqlite3_column_int64(st, q + 6);
		}
		if (new_order || item) {
			for (int i = 0; i < nk; i++)
				k[i] = keys[i] != UOMS_BY_NONE ? (const char *)
				    sqlite3_column_text(st, 1 + i) : !new_order ?
				    k[i] : local_day(x, sqlite3_column_text(st,
				    1 + i), day);
			g = groups_get(gs, k[0], nk > 1 ? k[1] : NULL,
			    t->k[2]);
			if (g == NULL)
				goto oom;
			o.g = g;
			int once = 1;
			for (int i = 0; i < nseen; i++)
				once &= seen[i] != g;
			if (once) {
				if (nseen == capseen) {
					struct group **ns = realloc(seen,
					    sizeof *ns * (capseen += 8));

					if (ns == NULL)
						goto oom;
					seen = ns;
				}
				seen[nseen++] = g;
				*(cx ? &g->f.cancelled : &g->f.orders) += 1;
			}
			if (item && group_name(g, kn, sqlite3_column_text(st,
			    q + 4)) < 0)
				goto oom;
		}
		if (cx || !sqlite3_column_int(st, q + 3))
			continue;
		if (sale_item(x, st, q, g, kn, &o) < 0)
			goto fail;
	}
	if (rc == 0 && !first && sale_refund(x, &o) < 0)
		goto fail;
	sqlite3_finalize(st);
	catalog_free(&cat);
	free(seen);
	free(o.l);
	return rc;
oom:
	uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
fail:
	sqlite3_finalize(st);
	catalog_free(&cat);
	free(seen);
	free(o.l);
	return -1;
}

/* Checks each group's figures and adds them into its currency's totals
 * (in tots, whose orders come from the stream, once each); -1 with x->e
 * filled when one does not fit. */
static int
sales_total(struct ctx *x, struct group **g, size_t n, struct groups *tots)
{
	for (size_t i = 0; i < n; i++) {
		const struct figures *f = &g[i]->f;
		struct group *tg = groups_get(tots, NULL, NULL, g[i]->k[2]);
		struct figures *tot;

		if (tg == NULL) {
			uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
			return -1;
		}
		tot = &tg->f;
		if (figures_fit(x, f, g[i]->k[0], g[i]->k[1]) < 0)
			return -1;
		if (__builtin_add_overflow(tot->items, f->items, &tot->items) ||
		    __builtin_add_overflow(tot->uncosted, f->uncosted,
		    &tot->uncosted))
			return out_of_range(x, "items", "total", NULL);
		if (__builtin_add_overflow(tot->revenue, f->revenue,
		    &tot->revenue))
			return out_of_range(x, "revenue", "total", NULL);
		if (__builtin_add_overflow(tot->cost, f->cost, &tot->cost))
			return out_of_range(x, "cost", "total", NULL);
		if (__builtin_add_overflow(tot->cancelled_amount,
		    f->cancelled_amount, &tot->cancelled_amount))
			return out_of_range(x, "cancelled_amount", "total",
			    NULL);
		if (__builtin_add_overflow(tot->refunded, f->refunded,
		    &tot->refunded))
			return out_of_range(x, "refunded_amount", "total",
			    NULL);
		tot->unpriced += f->unpriced;
	}
	for (size_t i = 0; i < tots->cap; i++)
		if (tots->slot[i] != NULL &&
		    figures_fit(x, &tots->slot[i]->f, "total", NULL) < 0)
			return -1;
	return 0;
}

/* A currency cell: null (no currency) is "-", in a totals row too. */
static struct cell
ccurrency(const char *s)
{
	struct cell c = ctext((const unsigned char *)s);

	c.na = s == NULL;
	return c;
}

static enum uoms_code
report_sales(struct ctx *x)
{
	const struct uoms_report *r = x->r;
	static const struct col figs[NFIGS] = {
		{ "orders", "ORDERS", T_INT, 0, NULL },
		{ "cancelled", "CANCELLED", T_INT, 0, NULL },
		{ "items", "ITEMS", T_INT, 0, NULL },
		{ "revenue", "REVENUE", T_INT, F_UNKNOWN, NULL },
		{ "cost", "COST", T_INT, F_UNKNOWN, NULL },
		{ "profit", "PROFIT", T_INT, F_UNKNOWN, NULL },
		{ "margin", "MARGIN", T_PCT, F_UNKNOWN, NULL },
		{ "uncosted", "UNCOSTED", T_INT, 0, NULL },
		{ "cancelled_amount", "CANCELLED AMT", T_INT, F_UNKNOWN,
		    NULL },
		{ "refunded_amount", "REFUNDED AMT", T_INT, 0, NULL },
	};
	static const struct col keycols[] = {
		[UOMS_BY_NONE] = { "day", "DAY", T_TEXT, F_KEY, NULL },
		[UOMS_BY_DEPARTMENT] = { "department", "DEPARTMENT", T_TEXT,
		    F_KEY, NULL },
		[UOMS_BY_CHANNEL] = { "channel", "CHANNEL", T_TEXT, F_KEY,
		    NULL },
		[UOMS_BY_ITEM] = { "sku", "SKU", T_TEXT, F_KEY, NULL },
	};
	enum uoms_report_by keys[2];
	struct col cols[20];
	struct cell row[20];
	struct uoms_buf text = { 0 };
	struct figures none = { 0 };
	struct groups gs = { 0 }, tots = { 0 };
	struct group **sorted = NULL, **tsorted;
	int nk = 0, nc = 0, item = 0, settle = r->name ==
	    UOMS_REPORT_SETTLEMENT, fc, cc;
	char day[16] = "";

	if (settle) {
		time_t t = r->from;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		/* One day for every row: the totals row has it too. */
		cols[nc++] = (struct col){ "day", "DAY", T_TEXT, 0, NULL };
		keys[nk++] = UOMS_BY_CHANNEL;
	} else if (r->name == UOMS_REPORT_DAILY) {
		keys[nk++] = UOMS_BY_NONE;
		if (r->by != UOMS_BY_NONE)
			keys[nk++] = r->by;
	} else
		keys[nk++] = r->by;
	for (int i = 0; i < nk; i++) {
		cols[nc++] = keycols[keys[i]];
		item |= keys[i] == UOMS_BY_ITEM;
	}
	if (item)
		cols[nc++] = (struct col){ "name", "NAME", T_TEXT, 0, NULL };
	/* Every money row says its currency, the totals rows too. */
	cc = nc;
	cols[nc++] = (struct col){ "currency", "CURRENCY", T_TEXT, F_TAG,
	    NULL };
	fc = nc;
	for (size_t i = 0; i < NELEM(figs); i++)
		cols[nc++] = figs[i];
	if (settle)
		cols[nc++] = (struct col){ "text", "TEXT", T_TEXT, F_NOTABLE,
		    NULL };

	if (keys[0] == UOMS_BY_NONE && zone_for_range(x) < 0)
		return x->e->code;
	if (sales_groups(x, keys, nk, item, &gs, &tots) < 0)
		goto out;
	sorted = groups_sorted(&gs);
	/* Every figure is checked before the first row goes out: a report
	 * that can't be added up prints nothing, not half. */
	if (sales_total(x, sorted, gs.n, &tots) < 0)
		goto out;
	tsorted = groups_sorted(&tots);
	x->k.chart = (struct chart){ CH_BARS, "Revenue and profit",
	    { fc + 3, fc + 5 }, 2 };
	sink_begin(&x->k, cols, nc);
	for (size_t gi = 0; gi < gs.n; gi++) {
		struct group *g = sorted[gi];
		int c = 0;

		if (settle)
			row[c++] = ctext((const unsigned char *)day);
		for (int i = 0; i < nk; i++, c++)
			row[c] = ctext((const unsigned char *)g->k[i]);
		if (item)
			row[c++] = ctext((const unsigned char *)g->name);
		row[cc] = ccurrency(g->k[2]);
		figure_cells(row + fc, &g->f);
		if (settle) {
			settle_text(&text, row[1].null ? "-" : row[1].s, day,
			    g->k[2], &g->f);
			row[nc - 1] = ctext((const unsigned char *)text.p);
		}
		sink_row(&x->k, row, 0);
	}
	/* A totals row per currency; with no orders, one of nothing. */
	for (size_t ti = 0; ti < (tots.n > 0 ? tots.n : 1); ti++) {
		const char *cur = tots.n > 0 ? tsorted[ti]->k[2] : NULL;
		const struct figures *f = tots.n > 0 ? &tsorted[ti]->f : &none;

		for (int c = 0; c < fc; c++)
			row[c] = cnull;
		row[cc] = ccurrency(cur);
		figure_cells(row + fc, f);
		if (settle) {
			row[0] = ctext((const unsigned char *)day);
			settle_text(&text, "all channels", day, cur, f);
			row[nc - 1] = ctext((const unsigned char *)text.p);
		}
		sink_row(&x->k, row, 1);
	}
	if (sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	groups_free(&gs);
	groups_free(&tots);
	uoms_buf_free(&text);
	return x->e->code;
}

/* -- range: the days with orders, per channel -- */

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

static enum uoms_code
report_range(struct ctx *x)
{
	static const struct col cols[] = {
		{ "channel", "CHANNEL", T_TEXT, F_KEY, NULL },
		{ "first", "FIRST", T_TEXT, 0, NULL },
		{ "last", "LAST", T_TEXT, 0, NULL },
		{ "days", "DAYS", T_INT, 0, NULL },
		{ "orders", "ORDERS", T_INT, 0, NULL },
	};
	struct uoms_buf sql = { 0 };
	struct dayset all = { 0 };
	struct groups gs = { 0 };
	struct group **g;
	struct cell row[5];
	sqlite3_stmt *st;
	long long total = 0;
	int rc;

	if (zone_for_range(x) < 0)
		return x->e->code;
	uoms_buf_str(&sql, "SELECT o.channel, o.placed_at FROM orders o"
	    " WHERE o.placed_at IS NOT NULL");
	range_sql(x, &sql, "o.placed_at");
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return x->e->code;
	while ((rc = step(x, st)) > 0) {
		char day[16];
		const char *dt = local_day(x, sqlite3_column_text(st, 1), day);
		struct group *d;

		if (dt == NULL)
			continue;
		if ((d = groups_get(&gs, (const char *)sqlite3_column_text(st,
		    0), dt, NULL)) == NULL) {
			uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
			rc = -1;
			break;
		}
		d->v[0]++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		goto out;
	/* (channel, day) groups in order: a channel's days follow. */
	g = groups_sorted(&gs);
	x->k.chart = (struct chart){ CH_SPANS, "Days with orders, by channel",
	    { 1, 2 }, 2 };
	sink_begin(&x->k, cols, NELEM(cols));
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
		row[0] = ctext((const unsigned char *)g[i]->k[0]);
		row[1] = ctext((const unsigned char *)g[i]->k[1]);
		row[2] = ctext((const unsigned char *)g[j - 1]->k[1]);
		row[3] = cnum(j - i);
		row[4] = cnum(orders);
		total += orders;
		sink_row(&x->k, row, 0);
		i = j;
	}
	row[0] = cnull;
	row[1] = all.n ? ctext((const unsigned char *)all.d[0]) : cnull;
	row[2] = all.n ? ctext((const unsigned char *)all.d[all.n - 1]) :
	    cnull;
	row[3] = cnum(all.n);
	row[4] = cnum(total);
	sink_row(&x->k, row, 1);
	if (sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	groups_free(&gs);
	free(all.d);
	return x->e->code;
}

/* -- metrics: the pipeline per window -- */

struct win {
	long long in, paid, shipped, holds, rejects, alerts[3];
	long long backlog, late;	/* changes within the window */
	long long ndelay, seen, p50, p95;
};

struct metrics {
	struct win *w;
	long long n, from, window, backlog0, late0;
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

/* The time its cancel event put an order in its (cancelled) state. */
#define CANCEL_AT "(SELECT max(e.at) FROM events e WHERE e.order_id = o.id" \
	" AND e.type = 'status' AND e.to_state = o.status)"

/* Orders: intake, payment for workflows without a step for it, and the
 * backlog and late gauges, from one pass over the orders. */
static int
metrics_orders(struct ctx *x, struct metrics *m)
{
	struct uoms_buf sql = { 0 }, cx = { 0 };
	sqlite3_stmt *st;
	int rc;

	uoms_buf_str(&cx, "CASE WHEN ");
	pred(&cx, &x->cls, K_CANCELLED, "o.workflow", "o.status");
	uoms_buf_str(&cx, " THEN " CANCEL_AT " END");
	uoms_buf_str(&sql, "SELECT unixepoch(o.placed_at), unixepoch(o.eta),"
	    " CASE WHEN ");
	pred(&sql, &x->cls, K_OPEN, "o.workflow", "o.status");
	/* An order that arrived done has no event that moved it: it left
	 * when the channel last changed it, not when it was imported. */
	uoms_buf_printf(&sql, " THEN NULL ELSE unixepoch(coalesce("
	    "o.depart_time, o.complete_time, %s, o.channel_updated_at,"
	    " o.updated_at)) END, CASE WHEN ", cx.p);
	pred(&sql, &x->cls, K_DONE, "o.workflow", "o.status");
	uoms_buf_printf(&sql, " THEN unixepoch(coalesce(o.complete_time, %s,"
	    " o.channel_updated_at, o.updated_at)) END, ", cx.p);
	pred_nopay(&sql, &x->cls, "o.workflow");
	/* Every order placed before the end counts for the gauges: a scan,
	 * not the placed_at index (the unary + says so). */
	uoms_buf_str(&sql, " FROM orders o WHERE +o.placed_at < :to");
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	uoms_buf_free(&cx);
	if (st == NULL)
		return -1;
	while ((rc = step(x, st)) > 0) {
		long long p = sqlite3_column_int64(st, 0), b = bucket(m, p);
		long long eta = sqlite3_column_int64(st, 1), left, done, s;

		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;
		if (b >= 0 && b < m->n) {
			m->w[b].in++;
			m->w[b].paid += sqlite3_column_int(st, 4);
		}
		/* In the backlog from placed until it left (shipped, or
		 * reached a state past the backlog). */
		left = sqlite3_column_int64(st, 2);
		if (sqlite3_column_type(st, 2) == SQLITE_NULL || left > p) {
			gauge(m, p, 0, 1);
			if (sqlite3_column_type(st, 2) != SQLITE_NULL)
				gauge(m, left, 0, -1);
		}
		/* Late from its ETA (once placed) until done, as of now. */
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		s = eta > p ? eta : p;
		done = sqlite3_column_int64(st, 3);
		if (s >= x->r->now)
			continue;
		if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
			gauge(m, s, 1, 1);
		} else if (done > s) {
			gauge(m, s, 1, 1);
			gauge(m, done, 1, -1);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Status events: paid and shipped, and how many delays each window has. */
static int
metrics_events(struct ctx *x, struct metrics *m)
{
	struct uoms_buf sql = { 0 };
	sqlite3_stmt *st;
	int rc;

	uoms_buf_str(&sql, "SELECT unixepoch(e.at), ");
	pred(&sql, &x->cls, K_SHIP, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, ", ");
	pred(&sql, &x->cls, K_PAYMENT, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, ", o.placed_at IS NOT NULL FROM events e"
	    " JOIN orders o ON o.id = e.order_id WHERE e.type = 'status'"
	    " AND e.at >= :from AND e.at < :to AND (");
	pred(&sql, &x->cls, K_SHIP, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, " OR ");
	pred(&sql, &x->cls, K_PAYMENT, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, ")");
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return -1;
	while ((rc = step(x, st)) > 0) {
		long long b = bucket(m, sqlite3_column_int64(st, 0));

		if (b < 0 || b >= m->n)
			continue;
		if (sqlite3_column_int(st, 1)) {
			m->w[b].shipped++;
			m->w[b].ndelay += sqlite3_column_int(st, 3);
		}
		m->w[b].paid += sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
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
	sqlite3_stmt *st;
	long long total = 0, seen = 0;
	int rc;

	for (long long i = 0; i < m->n; i++) {
		total += m->w[i].ndelay;
		m->w[i].p50 = m->w[i].p95 = -1;
	}
	*p50 = *p95 = -1;
	uoms_buf_str(&sql, "SELECT unixepoch(e.at), unixepoch(e.at) -"
	    " unixepoch(o.placed_at) AS d FROM events e"
	    " JOIN orders o ON o.id = e.order_id WHERE e.type = 'status'"
	    " AND e.at >= :from AND e.at < :to AND o.placed_at IS NOT NULL"
	    " AND ");
	pred(&sql, &x->cls, K_SHIP, "o.workflow", "e.to_state");
	uoms_buf_str(&sql, " ORDER BY d");
	st = prepare(x, sql.p);
	uoms_buf_free(&sql);
	if (st == NULL)
		return -1;
	while ((rc = step(x, st)) > 0) {
		long long b = bucket(m, sqlite3_column_int64(st, 0));
		long long d = sqlite3_column_int64(st, 1);
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
	sqlite3_finalize(st);
	return rc;
}

/* Holds placed (alerts, by their state now) and refused lines. */
static int
metrics_holds(struct ctx *x, struct metrics *m)
{
	static const char *const states[] = { "open", "acknowledged",
	    "resolved" };
	sqlite3_stmt *st;
	int rc;

	st = prepare(x, "SELECT unixepoch(h.placed_at), h.state FROM holds h"
	    " WHERE h.placed_at >= :from AND h.placed_at < :to");
	if (st == NULL)
		return -1;
	while ((rc = step(x, st)) > 0) {
		long long b = bucket(m, sqlite3_column_int64(st, 0));
		const char *s = (const char *)sqlite3_column_text(st, 1);

		if (b < 0 || b >= m->n)
			continue;
		m->w[b].holds++;
		for (int i = 0; i < 3; i++)
			if (s != NULL && strcmp(s, states[i]) == 0)
				m->w[b].alerts[i]++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	st = prepare(x, "SELECT unixepoch(r.at) FROM rejects r"
	    " WHERE r.at >= :from AND r.at < :to");
	if (st == NULL)
		return -1;
	while ((rc = step(x, st)) > 0) {
		long long b = bucket(m, sqlite3_column_int64(st, 0));

		if (b >= 0 && b < m->n)
			m->w[b].rejects++;
	}
	sqlite3_finalize(st);
	return rc;
}

static enum uoms_code
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
	};
	const struct uoms_report *r = x->r;
	struct metrics m = { 0 };
	struct win t = { 0 };
	struct cell row[NELEM(cols)];
	long long backlog, late, p50, p95;

	m.from = r->from;
	m.window = r->window;
	m.n = (r->to - r->from + r->window - 1) / r->window;
	if ((m.w = calloc(m.n, sizeof *m.w)) == NULL)
		return uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	if (metrics_orders(x, &m) < 0 || metrics_events(x, &m) < 0 ||
	    metrics_delays(x, &m, &p50, &p95) < 0 || metrics_holds(x, &m) < 0)
		goto out;
	x->k.chart = (struct chart){ CH_LINES, "Orders in, shipped and backlog",
	    { 2, 4, 9 }, 3 };
	sink_begin(&x->k, cols, NELEM(cols));
	backlog = m.backlog0;
	late = m.late0;
	for (long long i = 0; i < m.n; i++) {
		struct win *w = &m.w[i];
		long long end = r->from + (i + 1) * r->window;

		backlog += w->backlog;
		late += w->late;
		row[0] = cnum(r->from + i * r->window);
		row[1] = cnum(end < r->to ? end : r->to);
		row[2] = cnum(w->in);
		row[3] = cnum(w->paid);
		row[4] = cnum(w->shipped);
		row[5] = cnum(w->holds);
		row[6] = cratio(w->holds, w->in);
		row[7] = w->p50 >= 0 ? cnum(w->p50) : cnull;
		row[8] = w->p95 >= 0 ? cnum(w->p95) : cnull;
		row[9] = cnum(backlog);
		row[10] = cnum(late);
		row[11] = cnum(w->rejects);
		for (int a = 0; a < 3; a++)
			row[12 + a] = cnum(w->alerts[a]);
		sink_row(&x->k, row, 0);
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
	row[6] = cratio(t.holds, t.in);
	row[7] = p50 >= 0 ? cnum(p50) : cnull;
	row[8] = p95 >= 0 ? cnum(p95) : cnull;
	row[9] = cnum(backlog);
	row[10] = cnum(late);
	row[11] = cnum(t.rejects);
	for (int a = 0; a < 3; a++)
		row[12 + a] = cnum(t.alerts[a]);
	sink_row(&x->k, row, 1);
	if (sink_end(&x->k) < 0)
		uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
out:
	free(m.w);
	return x->e->code;
}

/* ---- the entry point ---- */

static int
exec(struct ctx *x, const char *sql)
{
	if (sqlite3_exec(x->s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	uoms_store_fail(x->s, x->e, "reading the store");
	return -1;
}

enum uoms_code
uoms_report_run(struct uoms_store *s, const struct uoms_report *r, FILE *out,
    struct uoms_error *e)
{
	struct ctx x = { .s = s, .r = r, .e = e };

	e->code = UOMS_OK;
	set_zone(r->tz);
	uoms_text_init();
	sink_init(&x.k, r, out);
	if (classes_load(&x.cls, r->workflow_dirs) < 0) {
		classes_free(&x.cls);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	/*
	 * One read transaction: every query of the report sees the same
	 * snapshot, so its figures add up even while writers commit. In WAL
	 * mode a reader holds no lock a writer waits for.
	 */
	if (exec(&x, "BEGIN") == 0) {
		switch (r->name) {
		case UOMS_REPORT_STATUS: report_status(&x); break;
		case UOMS_REPORT_HOURLY: report_hourly(&x); break;
		case UOMS_REPORT_DAILY:
		case UOMS_REPORT_SALES:
		case UOMS_REPORT_SETTLEMENT: report_sales(&x); break;
		case UOMS_REPORT_METRICS: report_metrics(&x); break;
		case UOMS_REPORT_RANGE: report_range(&x); break;
		}
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	}
	sink_free(&x.k);
	classes_free(&x.cls);
	free(x.segs);
	return e->code;
}
