#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "rfc3339.h"


static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

long long
uoms_time_epoch(const char *norm)
{
	struct tm tm = { 0 };

	tm.tm_year = atoi(norm) - 1900;
	tm.tm_mon = atoi(norm + 5) - 1;
	tm.tm_mday = atoi(norm + 8);
	tm.tm_hour = atoi(norm + 11);
	tm.tm_min = atoi(norm + 14);
	tm.tm_sec = atoi(norm + 17);
	return timegm(&tm);
}

int
uoms_time_normalize(const char *s, size_t n, char *out, int date_ok)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	size_t i = 19, fs = 0, fn = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (n < 10 || digits(s, 4, &y) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0))))
		return -1;
	if (n == 10) {
		if (!date_ok)
			return -1;
		snprintf(out, 40, "%04d-%02d-%02dT00:00:00Z", y, mo, d);
		return 0;
	}
	if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) < 0 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (s[i] == '.') {
		fs = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		fn = i - fs;
		if (fn == 0 || fn > 9)
			return -1;
	}
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))
		sign = 0;
	else if (i + 6 == n && (s[i] == '+' || s[i] == '-') &&
	    digits(s + i + 1, 2, &oh) == 0 && s[i + 3] == ':' &&
	    digits(s + i + 4, 2, &om) == 0 && oh <= 23 && om <= 59)
		sign = s[i] == '-' ? -1 : 1;
	else
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	    .tm_hour = h, .tm_min = mi, .tm_sec = sec > 59 ? 59 : sec };
	time_t t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	gmtime_r(&t, &tm);
	/* %04d, not strftime's %Y: glibc writes year 999 as "999". */
	size_t len = snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (fn > 0)
		len += snprintf(out + len, 40 - len, ".%.*s", (int)fn, s + fs);
	snprintf(out + len, 40 - len, "Z");
	return 0;
}

void
uoms_time_now(char *out)
{
	uoms_time_after(0, out);
}

void
uoms_time_after(long long seconds, char *out)
{
	/* The last second's text, per thread: a move asks twice, and a
	 * batch thousands of times a second (strftime was 1 400
	 * instructions a call). */
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char text[21];
	time_t t = time(NULL) + seconds;
	struct tm tm;

	if (t != last) {
		gmtime_r(&t, &tm);
		strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
		last = t;
	}
	memcpy(out, text, sizeof text);
}

/* s (RFC 3339) in milliseconds since 1970; -1 when it is no such time. */
static int
parse_ms(const char *s, long long *ms)
{
	char norm[40];
	int frac = 0, digits = 0;
	const char *p;

	if (uoms_time_normalize(s, strlen(s), norm, 0) < 0)
		return -1;
	/* Milliseconds: the first three decimals, the rest cut off. */
	for (p = norm + 20; norm[19] == '.' && digits < 3; digits++)
		frac = frac * 10 + (isdigit((unsigned char)*p) ? *p++ - '0' :
		    0);
	*ms = uoms_time_epoch(norm) * 1000 + frac;
	return 0;
}

long long
uoms_time_lock_clock(void)
{
	const char *fake = getenv("UOMS_NOW");
	struct timespec ts;
	long long ms;

	if (fake != NULL && fake[0] != '\0') {
		if (parse_ms(fake, &ms) < 0)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "UOMS_NOW: '%s' is "
			    "not an RFC 3339 time", fake);
		return ms;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void
uoms_time_ms(long long ms, char *out)
{
	time_t t = ms / 1000;
	int rem = ms % 1000;
	struct tm tm;

	if (rem < 0) {
		rem += 1000;
		t--;
	}
	gmtime_r(&t, &tm);
	if (strftime(out, UOMS_TIME_MS_SIZE - 5, "%Y-%m-%dT%H:%M:%S", &tm) !=
	    19)
		snprintf(out, UOMS_TIME_MS_SIZE, "9999-12-31T23:59:59");
	snprintf(out + 19, UOMS_TIME_MS_SIZE - 19, ".%03dZ", rem);
}

int
uoms_tz_valid(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	if (strcmp(zone, "UTC") == 0)
		return 1;
	if (zone[0] == '\0' || zone[0] == '/' || strstr(zone, "..") != NULL)
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir :
	    "/usr/share/zoneinfo", zone);
	return access(path, R_OK) == 0;
}

void
uoms_time_local(const char *utc, const char *zone, char *out, size_t outlen)
{
	static char current[128];
	char norm[40];
	struct tm tm = { 0 };
	time_t t;

	if (utc == NULL || uoms_time_normalize(utc, strlen(utc), norm, 1) < 0) {
		snprintf(out, outlen, "%s", utc != NULL ? utc : "");
		return;
	}
	/* TZ is process-wide; set it once per zone, not per value. */
	if (strcmp(current, zone) != 0) {
		snprintf(current, sizeof current, "%s", zone);
		setenv("TZ", zone, 1);
		tzset();
	}
	t = uoms_time_epoch(norm);
	localtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M", &tm);
}
