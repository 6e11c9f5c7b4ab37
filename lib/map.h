/*
 * map: helpers every channel kind uses to map an answer onto the order
 * record (SPEC 3.1), so each rule lives once: money strings to integer
 * minor units (exact, no floating point), ids, times, and phone numbers
 * and postal codes kept as phone_raw / postal_code_raw when they don't
 * have the shapes the store accepts, so nothing the channel said is lost.
 */
#ifndef UOMS_MAP_H
#define UOMS_MAP_H

#include <jansson.h>
#include <stddef.h>

#include "channel.h"
#include "kind.h"

/*
 * ISO 4217 minor unit digits of currency (KRW, JPY: 0; KWD: 3), 2 for a
 * code not in lib/currency's table. Kinds use lib/currency instead, which
 * refuses such a code rather than assume.
 */
int uoms_map_currency_digits(const char *currency);
/* "12.34" with 2 digits -> 1234 into *out; 0, or -1 when s is not money. */
int uoms_map_money(const char *s, int digits, long long *out);
/* The same for a JSON string or whole number. */
int uoms_map_money_json(json_t *v, int digits, long long *out);
/* Nonzero when s fits order_no (at most 15 digits and '-'). */
int uoms_map_order_no_ok(const char *s);
/* obj[key] = s, unless s is NULL or empty. */
void uoms_map_str(json_t *obj, const char *key, const char *s);
/* obj.phone, or obj.phone_raw when s is not a shape the store takes. */
void uoms_map_phone(json_t *obj, const char *s);
/* obj.postal_code, or obj.postal_code_raw when s is not 5 digits. */
void uoms_map_postal(json_t *obj, const char *s);
/* obj[key] = s normalised to RFC 3339 UTC; -1 when s is not a time. */
int uoms_map_time(json_t *obj, const char *key, const char *s);
/* 0 when url is https:// (or http:// to this machine); -1 with why. */
int uoms_map_base_ok(const char *url, char *why, size_t whylen);
/* A channel setting's text into out; -1 when it is not set. */
int uoms_map_setting(const struct uoms_channel *c, const char *key,
    char *out, size_t outlen);
/* An id sent as a number or a string, as text; -1 when neither. */
int uoms_map_id(json_t *v, char *out, size_t outlen);
/* The answer's body as JSON (caller decrefs); NULL with why. */
json_t *uoms_map_parse(const struct uoms_http_resp *r, char *why,
    size_t whylen);

#endif
