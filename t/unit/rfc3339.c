/*
 * rfc3339: uoms_time_normalize, uoms_tz_valid and uoms_time_local.
 * Prints TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rfc3339.h"

#include "tap.h"

static void
skip(const char *why)
{
	printf("ok %d # skip %s\n", ++tests, why);
}

/* in, n (0: strlen), date_ok, the normalised time or NULL for refused. */
static const struct {
	const char *in;
	size_t n;
	int date_ok;
	const char *want;
} cases[] = {
	/* UTC as it is */
	{ "2026-11-21T09:12:00Z", 0, 0, "2026-11-21T09:12:00Z" },
	{ "2026-11-21T09:12:00Z", 0, 1, "2026-11-21T09:12:00Z" },
	{ "2026-11-21t09:12:00z", 0, 0, "2026-11-21T09:12:00Z" },
	{ "2026-11-21 09:12:00Z", 0, 0, "2026-11-21T09:12:00Z" },
	{ "0001-01-01T00:00:00Z", 0, 0, "0001-01-01T00:00:00Z" },
	{ "9999-12-31T23:59:59Z", 0, 0, "9999-12-31T23:59:59Z" },
	/* offsets */
	{ "2026-11-21T18:12:00+09:00", 0, 0, "2026-11-21T09:12:00Z" },
	{ "2026-11-21T00:30:00+09:00", 0, 0, "2026-11-20T15:30:00Z" },
	{ "2026-12-31T20:00:00-05:00", 0, 0, "2027-01-01T01:00:00Z" },
	{ "2027-01-01T00:00:00+00:01", 0, 0, "2026-12-31T23:59:00Z" },
	{ "2026-11-21T09:12:00+00:00", 0, 0, "2026-11-21T09:12:00Z" },
	{ "2026-11-21T09:12:00-00:00", 0, 0, "2026-11-21T09:12:00Z" },
	{ "2026-11-21T09:12:00+05:45", 0, 0, "2026-11-21T03:27:00Z" },
	{ "2026-11-21T09:12:00-09:30", 0, 0, "2026-11-21T18:42:00Z" },
	{ "2028-02-28T23:00:00-01:00", 0, 0, "2028-02-29T00:00:00Z" },
	{ "2026-02-28T23:00:00-01:00", 0, 0, "2026-03-01T00:00:00Z" },
	{ "2026-03-01T08:00:00+09:00", 0, 0, "2026-02-28T23:00:00Z" },
	{ "2028-03-01T08:00:00+09:00", 0, 0, "2028-02-29T23:00:00Z" },
	{ "2026-11-21T09:12:00+23:59", 0, 0, "2026-11-20T09:13:00Z" },
	/* fractions are kept, digit for digit */
	{ "2026-11-21T09:12:00.5Z", 0, 0, "2026-11-21T09:12:00.5Z" },
	{ "2026-11-21T09:12:00.000Z", 0, 0, "2026-11-21T09:12:00.000Z" },
	{ "2026-11-21T09:12:00.123456789+01:00", 0, 0,
	    "2026-11-21T08:12:00.123456789Z" },
	{ "2026-11-21T09:12:00.Z", 0, 0, NULL },
	{ "2026-11-21T09:12:00.5", 0, 0, NULL },
	{ "2026-11-21T09:12:00,5Z", 0, 0, NULL },
	/* dates */
	{ "2026-11-21", 0, 1, "2026-11-21T00:00:00Z" },
	{ "2026-11-21", 0, 0, NULL },
	{ "2028-02-29", 0, 1, "2028-02-29T00:00:00Z" },
	{ "2000-02-29", 0, 1, "2000-02-29T00:00:00Z" },
	{ "2026-02-29", 0, 1, NULL },
	{ "1900-02-29", 0, 1, NULL },
	{ "2100-02-29", 0, 1, NULL },
	{ "2028-02-29T12:00:00Z", 0, 0, "2028-02-29T12:00:00Z" },
	{ "2026-02-29T12:00:00Z", 0, 0, NULL },
	{ "2026-02-30", 0, 1, NULL },
	{ "2026-04-31", 0, 1, NULL },
	{ "2026-06-31", 0, 1, NULL },
	{ "2026-09-31", 0, 1, NULL },
	{ "2026-11-31", 0, 1, NULL },
	{ "2026-12-31", 0, 1, "2026-12-31T00:00:00Z" },
	{ "2026-01-31", 0, 1, "2026-01-31T00:00:00Z" },
	{ "2026-13-01", 0, 1, NULL },
	{ "2026-00-10", 0, 1, NULL },
	{ "2026-11-00", 0, 1, NULL },
	{ "2026-11-32", 0, 1, NULL },
	{ "2026-1-21", 0, 1, NULL },
	{ "26-11-21", 0, 1, NULL },
	{ "2026/11/21", 0, 1, NULL },
	{ "20261121", 0, 1, NULL },
	{ "2026-11-21T", 0, 1, NULL },
	{ "2026-11-21 ", 0, 1, NULL },
	/* times */
	{ "2026-11-21T24:00:00Z", 0, 0, NULL },
	{ "2026-11-21T23:60:00Z", 0, 0, NULL },
	{ "2026-11-21T23:59:61Z", 0, 0, NULL },
	{ "2026-11-21T9:12:00Z", 0, 0, NULL },
	{ "2026-11-21T09:12Z", 0, 0, NULL },
	{ "2026-11-21T09-12-00Z", 0, 0, NULL },
	{ "2026-11-21X09:12:00Z", 0, 0, NULL },
	/* offsets that are not */
	{ "2026-11-21T09:12:00", 0, 0, NULL },
	{ "2026-11-21T09:12:00+0900", 0, 0, NULL },
	{ "2026-11-21T09:12:00+09", 0, 0, NULL },
	{ "2026-11-21T09:12:00+9:00", 0, 0, NULL },
	{ "2026-11-21T09:12:00+24:00", 0, 0, NULL },
	{ "2026-11-21T09:12:00+09:60", 0, 0, NULL },
	{ "2026-11-21T09:12:00 +09:00", 0, 0, NULL },
	{ "2026-11-21T09:12:00UTC", 0, 0, NULL },
	{ "2026-11-21T09:12:00ZZ", 0, 0, NULL },
	{ "2026-11-21T09:12:00Z ", 0, 0, NULL },
	{ "2026-11-21T09:12:00+09:00Z", 0, 0, NULL },
	/* garbage */
	{ "", 0, 1, NULL },
	{ "now", 0, 1, NULL },
	{ "yesterday!", 0, 1, NULL },
	{ "abcd-ef-ghTij:kl:mnZ", 0, 0, NULL },
	{ "+2026-11-21", 0, 1, NULL },
	{ "-2026-11-21", 0, 1, NULL },
	{ " 2026-11-21", 0, 1, NULL },
	{ "２０２６-11-21", 0, 1, NULL },
	/* n, not the NUL, ends the text */
	{ "2026-11-21T09:12:00Zjunk", 20, 0, "2026-11-21T09:12:00Z" },
	{ "2026-11-21T09:12:00Z", 19, 0, NULL },
	{ "2026-11-21T09:12:00Z", 10, 1, "2026-11-21T00:00:00Z" },
	{ "2026-11-21T09:12:00+09:00", 24, 0, NULL },
};

static void
test_normalize(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);
		int rc;

		memset(out, 'X', sizeof out);
		out[sizeof out - 1] = '\0';
		rc = uoms_time_normalize(cases[i].in, n, out, cases[i].date_ok);
		if (cases[i].want != NULL)
			ok(rc == 0 && strcmp(out, cases[i].want) == 0,
			    "normalize '%.*s'%s -> %s (got %d, '%s')", (int)n,
			    cases[i].in, cases[i].date_ok ? " (dates ok)" : "",
			    cases[i].want, rc, rc == 0 ? out : "");
		else
			ok(rc == -1, "normalize '%.*s'%s refused (got %d)",
			    (int)n, cases[i].in, cases[i].date_ok ?
			    " (dates ok)" : "", rc);
	}
}

/* Every normalised time normalises to itself. */
static void
test_idempotent(void)
{
	int good = 1;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char again[64];
		const char *w = cases[i].want;

		if (w != NULL && (uoms_time_normalize(w, strlen(w), again, 0)
		    != 0 || strcmp(again, w) != 0)) {
			good = 0;
			printf("# '%s' normalised again is '%s'\n", w, again);
		}
	}
	ok(good, "normalize: a normalised time is a fixed point");
}

static void
test_now(void)
{
	char now[32], norm[64];

	uoms_time_now(now);
	ok(strlen(now) == 20 && now[19] == 'Z' && now[10] == 'T' &&
	    uoms_time_normalize(now, strlen(now), norm, 0) == 0 &&
	    strcmp(now, norm) == 0, "now is RFC 3339 UTC: %s", now);
}

static int
have_zone(const char *zone)
{
	char path[256];
	const char *dir = getenv("TZDIR");

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "/usr/share/zoneinfo",
	    zone);
	return access(path, R_OK) == 0;
}

static void
local(const char *utc, const char *zone, const char *want)
{
	char out[64];

	if (strcmp(zone, "UTC") != 0 && !have_zone(zone)) {
		skip("no tzdata for the zone");
		return;
	}
	memset(out, 0, sizeof out);
	uoms_time_local(utc, zone, out, sizeof out);
	ok(strcmp(out, want) == 0, "local '%s' in %s is '%s' (got '%s')", utc,
	    zone, want, out);
}

static void
test_zones(void)
{
	ok(uoms_tz_valid("UTC"), "tz_valid: UTC");
	if (have_zone("Asia/Seoul"))
		ok(uoms_tz_valid("Asia/Seoul"), "tz_valid: Asia/Seoul");
	else
		skip("no tzdata (Asia/Seoul)");
	ok(!uoms_tz_valid("Nowhere/Special"), "tz_valid: not Nowhere/Special");
	ok(!uoms_tz_valid(""), "tz_valid: not empty");
	ok(!uoms_tz_valid("../../../etc/passwd"), "tz_valid: not a path up");
	ok(!uoms_tz_valid("/etc/passwd"), "tz_valid: not an absolute path");

	local("2026-11-21T09:12:00Z", "UTC", "2026-11-21 09:12");
	local("2026-11-21T09:12:00Z", "Asia/Seoul", "2026-11-21 18:12");
	local("2026-11-21T23:59:59Z", "Asia/Seoul", "2026-11-22 08:59");
	local("2026-11-21T09:12:00Z", "UTC", "2026-11-21 09:12");
	local("2026-07-01T12:00:00Z", "America/New_York", "2026-07-01 08:00");
	local("2026-12-01T12:00:00Z", "America/New_York", "2026-12-01 07:00");
	local("2026-11-21T09:12:00Z", "Asia/Seoul", "2026-11-21 18:12");
	local("2026-11-21T18:12:00+09:00", "UTC", "2026-11-21 09:12");
	local("2026-11-21T09:12:00.999Z", "UTC", "2026-11-21 09:12");
	local("not a time", "Asia/Seoul", "not a time");
}

/* The lock clock: UOMS_NOW read to the millisecond, written back with
 * exactly three decimals (fixed vectors, so they compare as strings). */
static void
test_lock_clock(void)
{
	static const struct {
		const char *now, *want;
		long long ms;
	} c[] = {
		{ "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z",
		    1893456000000LL },
		{ "2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00.500Z",
		    1893456000500LL },
		{ "2030-01-01T00:00:00.0019Z", "2030-01-01T00:00:00.001Z",
		    1893456000001LL },
		{ "2030-01-01T09:00:59.999+09:00", "2030-01-01T00:00:59.999Z",
		    1893456059999LL },
		{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z", 0 },
		{ "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z", -1 },
	};
	char out[UOMS_TIME_MS_SIZE];
	long long ms;

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		setenv("UOMS_NOW", c[i].now, 1);
		ms = uoms_time_lock_clock();
		ok(ms == c[i].ms, "lock clock: UOMS_NOW=%s is %lld ms (got "
		    "%lld)", c[i].now, c[i].ms, ms);
		uoms_time_ms(ms, out);
		is(out, c[i].want, "lock clock: written with milliseconds");
	}
	uoms_time_ms(1893456000000LL + 300 * 1000, out);
	is(out, "2030-01-01T00:05:00.000Z", "lock clock: T + 300 s");
	unsetenv("UOMS_NOW");
	ms = uoms_time_lock_clock();
	ok(ms / 1000 - time(NULL) <= 0 && time(NULL) - ms / 1000 <= 1,
	    "lock clock: the system clock without UOMS_NOW");
}

int
main(void)
{
	test_normalize();
	test_idempotent();
	test_now();
	test_zones();
	test_lock_clock();
	printf("1..%d\n", tests);
	return failed != 0;
}
