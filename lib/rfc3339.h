/*
 * rfc3339: times as the protocol writes them (RFC 3339, UTC, 'Z') and as
 * people read them (a zone of their choice, for tables only).
 */
#ifndef UOMS_RFC3339_H
#define UOMS_RFC3339_H

#include <stddef.h>

/*
 * Checks a time in RFC 3339 and writes it normalised to UTC ("...Z") into
 * out (at least 40 bytes). A bare date YYYY-MM-DD is accepted when date_ok,
 * as its 00:00 UTC. Returns 0, or -1 when it is not such a time.
 */
int uoms_time_normalize(const char *s, size_t n, char *out, int date_ok);

/* Seconds since the epoch of a time uoms_time_normalize wrote (whole
 * seconds; the decimals are left to the caller). */
long long uoms_time_epoch(const char *norm);

/* Current time as RFC 3339 UTC with seconds, into out (>= 21 bytes). */
void uoms_time_now(char *out);

/* The time seconds from now, as RFC 3339 UTC, into out (>= 21 bytes). */
void uoms_time_after(long long seconds, char *out);

/* Bytes for a time with milliseconds, "2026-11-22T01:10:00.000Z\0". */
#define UOMS_TIME_MS_SIZE 25

/*
 * The clock locks run on, in milliseconds since 1970: the system clock, or
 * UOMS_NOW when it is set (an RFC 3339 time; a testing aid, see uoms(7)).
 * Exits 3 with a message when UOMS_NOW is set to anything else.
 */
long long uoms_time_lock_clock(void);

/*
 * Writes ms (milliseconds since 1970) as RFC 3339 UTC with exactly three
 * decimals, so such times compare as strings, into out (>=
 * UOMS_TIME_MS_SIZE bytes).
 */
void uoms_time_ms(long long ms, char *out);

/* Nonzero when zone names a time zone this machine knows ("UTC" always). */
int uoms_tz_valid(const char *zone);

/*
 * Writes utc (an RFC 3339 UTC time) as "YYYY-MM-DD HH:MM" local to zone
 * into out (>= 17 bytes); an unparsable time is copied as it is.
 */
void uoms_time_local(const char *utc, const char *zone, char *out,
    size_t outlen);

#endif
