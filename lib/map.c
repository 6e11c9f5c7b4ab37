/*
 * Mapping a channel's answer onto the order record, the same way for every
 * kind: money strings to minor units exactly, ids, times, and phone and
 * postal code kept as *_raw when they don't have the shapes SPEC 3.1 takes.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "currency.h"
#include "map.h"
#include "order.h"
#include "rfc3339.h"


/* The table is lib/currency's; a code it does not know reads as 2. */
int
uoms_map_currency_digits(const char *currency)
{
	int digits = uoms_currency_digits(currency);

	return digits >= 0 ? digits : 2;
}

/*
 * A decimal amount ("12.34", "12", "0.5", "-3.10") in minor units of a
 * currency with digits decimals, exactly: more decimals than the currency
 * has are accepted only as zeros ("38000.00" KRW). No exponent, no sign
 * but '-', no spaces. 0, or -1 when s is not such an amount or overflows.
 */
int
uoms_map_money(const char *s, int digits, long long *out)
{
	long long v = 0;
	int neg = 0, frac = -1, have;

	if (s == NULL)
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; *s != '\0'; s++) {
		int d;

		if (*s == '.') {
			if (frac >= 0 || !isdigit((unsigned char)s[1]))
				return -1;
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		d = *s - '0';
		if (frac >= digits) {
			if (d != 0)
				return -1;	/* below the minor unit */
			continue;
		}
		if (v > (LLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		if (frac >= 0)
			frac++;
	}
	for (have = frac < 0 ? 0 : frac; have < digits; have++) {
		if (v > LLONG_MAX / 10)
			return -1;
		v *= 10;
	}
	*out = neg ? -v : v;
	return 0;
}

/* The same for a JSON value: a decimal string, or a whole number. */
int
uoms_map_money_json(json_t *v, int digits, long long *out)
{
	if (json_is_string(v))
		return uoms_map_money(json_string_value(v), digits, out);
	if (json_is_integer(v)) {
		long long n = json_integer_value(v);

		for (int i = 0; i < digits; i++) {
			if (n > LLONG_MAX / 10 || n < LLONG_MIN / 10)
				return -1;
			n *= 10;
		}
		*out = n;
		return 0;
	}
	return -1;	/* a JSON real would need floating point */
}

/* SPEC 3.1: at most 15 characters, digits and '-'. */
int
uoms_map_order_no_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= 15 && strspn(s, "0123456789-") == n;
}

/* obj[key] = s, unless s is NULL or empty. */
void
uoms_map_str(json_t *obj, const char *key, const char *s)
{
	if (s != NULL && *s != '\0')
		json_object_set_new(obj, key, json_string(s));
}

/* obj.phone when s is NNN-NNNN-NNNN or NN-NNN(N)-NNNN, else obj.phone_raw:
 * the record stays valid and nothing the channel said is lost. */
void
uoms_map_phone(json_t *obj, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	uoms_map_str(obj, uoms_phone_valid(s, strlen(s)) ? "phone" :
	    "phone_raw", s);
}

/* obj.postal_code when s is 5 digits, else obj.postal_code_raw. */
void
uoms_map_postal(json_t *obj, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	uoms_map_str(obj, uoms_postal_valid(s, strlen(s)) ? "postal_code" :
	    "postal_code_raw", s);
}

/* obj[key] = s normalised to RFC 3339 UTC; -1 when s is not a time. */
int
uoms_map_time(json_t *obj, const char *key, const char *s)
{
	char t[40];

	if (uoms_time_normalize(s, strlen(s), t, 0) < 0)
		return -1;
	json_object_set_new(obj, key, json_string(t));
	return 0;
}

/*
 * Secrets travel only over TLS: https://, or plain http:// to this very
 * machine (the test servers in t/fake). 0, or -1 with why.
 */
int
uoms_map_base_ok(const char *url, char *why, size_t whylen)
{
	static const char *const local[] = { "127.0.0.1", "localhost",
	    "[::1]" };

	if (strncasecmp(url, "https://", 8) == 0 && url[8] != '\0')
		return 0;
	if (strncasecmp(url, "http://", 7) == 0)
		for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
			size_t n = strlen(local[i]);

			if (strncasecmp(url + 7, local[i], n) == 0 &&
			    strchr(":/", url[7 + n]) != NULL)
				return 0;
		}
	snprintf(why, whylen, "base URL '%.100s' is not https:// (credentials "
	    "are sent only over TLS)", url);
	return -1;
}

/* A setting's text (a string, or a whole number as written) into out;
 * 0, or -1 when it is not set (or empty). */
int
uoms_map_setting(const struct uoms_channel *c, const char *key, char *out,
    size_t outlen)
{
	json_t *v = c->settings != NULL ? json_object_get(c->settings, key) :
	    NULL;

	if (json_is_string(v) && *json_string_value(v) != '\0')
		snprintf(out, outlen, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
	else
		return -1;
	return 0;
}

/* An id the channel sends as a number or a string, as text. */
int
uoms_map_id(json_t *v, char *out, size_t outlen)
{
	if (json_is_integer(v))
		snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && *json_string_value(v) != '\0' &&
	    strlen(json_string_value(v)) < outlen)
		snprintf(out, outlen, "%s", json_string_value(v));
	else
		return -1;
	return 0;
}

/* The answer's body as JSON; NULL with why naming where it broke off. */
json_t *
uoms_map_parse(const struct uoms_http_resp *r, char *why, size_t whylen)
{
	json_error_t err;
	json_t *root;

	if (r->body == NULL || r->len == 0) {
		snprintf(why, whylen, "empty answer (status %ld)", r->status);
		return NULL;
	}
	root = json_loadb(r->body, r->len, 0, &err);
	if (root == NULL) {
		snprintf(why, whylen, "answer is not JSON (truncated?): %s at "
		    "byte %d of %zu", err.text, err.position, r->len);
		return NULL;
	}
	return root;
}
