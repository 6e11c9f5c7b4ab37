/*
 * ISO 4217 minor units and exact decimal amounts. The table is ISO 4217
 * List One (the active codes: currencies and funds) as of its 2025
 * amendments: the iso-codes package's list with HRK withdrawn (2023) and
 * ZWG (2024) and XCG (2025) added. Codes without a minor unit (XAU, XDR,
 * XTS, XXX, ...) are left out, so they are refused like unknown ones.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "currency.h"
#include "order.h"

static const struct currency {
	char code[4];
	int digits;
} currencies[] = {
	{ "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 },
	{ "ANG", 2 }, { "AOA", 2 }, { "ARS", 2 }, { "AUD", 2 },
	{ "AWG", 2 }, { "AZN", 2 }, { "BAM", 2 }, { "BBD", 2 },
	{ "BDT", 2 }, { "BGN", 2 }, { "BHD", 3 }, { "BIF", 0 },
	{ "BMD", 2 }, { "BND", 2 }, { "BOB", 2 }, { "BOV", 2 },
	{ "BRL", 2 }, { "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 },
	{ "BYN", 2 }, { "BZD", 2 }, { "CAD", 2 }, { "CDF", 2 },
	{ "CHE", 2 }, { "CHF", 2 }, { "CHW", 2 }, { "CLF", 4 },
	{ "CLP", 0 }, { "CNY", 2 }, { "COP", 2 }, { "COU", 2 },
	{ "CRC", 2 }, { "CUC", 2 }, { "CUP", 2 }, { "CVE", 2 },
	{ "CZK", 2 }, { "DJF", 0 }, { "DKK", 2 }, { "DOP", 2 },
	{ "DZD", 2 }, { "EGP", 2 }, { "ERN", 2 }, { "ETB", 2 },
	{ "EUR", 2 }, { "FJD", 2 }, { "FKP", 2 }, { "GBP", 2 },
	{ "GEL", 2 }, { "GHS", 2 }, { "GIP", 2 }, { "GMD", 2 },
	{ "GNF", 0 }, { "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 },
	{ "HNL", 2 }, { "HTG", 2 }, { "HUF", 2 }, { "IDR", 2 },
	{ "ILS", 2 }, { "INR", 2 }, { "IQD", 3 }, { "IRR", 2 },
	{ "ISK", 0 }, { "JMD", 2 }, { "JOD", 3 }, { "JPY", 0 },
	{ "KES", 2 }, { "KGS", 2 }, { "KHR", 2 }, { "KMF", 0 },
	{ "KPW", 2 }, { "KRW", 0 }, { "KWD", 3 }, { "KYD", 2 },
	{ "KZT", 2 }, { "LAK", 2 }, { "LBP", 2 }, { "LKR", 2 },
	{ "LRD", 2 }, { "LSL", 2 }, { "LYD", 3 }, { "MAD", 2 },
	{ "MDL", 2 }, { "MGA", 2 }, { "MKD", 2 }, { "MMK", 2 },
	{ "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 }, { "MUR", 2 },
	{ "MVR", 2 }, { "MWK", 2 }, { "MXN", 2 }, { "MXV", 2 },
	{ "MYR", 2 }, { "MZN", 2 }, { "NAD", 2 }, { "NGN", 2 },
	{ "NIO", 2 }, { "NOK", 2 }, { "NPR", 2 }, { "NZD", 2 },
	{ "OMR", 3 }, { "PAB", 2 }, { "PEN", 2 }, { "PGK", 2 },
	{ "PHP", 2 }, { "PKR", 2 }, { "PLN", 2 }, { "PYG", 0 },
	{ "QAR", 2 }, { "RON", 2 }, { "RSD", 2 }, { "RUB", 2 },
	{ "RWF", 0 }, { "SAR", 2 }, { "SBD", 2 }, { "SCR", 2 },
	{ "SDG", 2 }, { "SEK", 2 }, { "SGD", 2 }, { "SHP", 2 },
	{ "SLE", 2 }, { "SLL", 2 }, { "SOS", 2 }, { "SRD", 2 },
	{ "SSP", 2 }, { "STN", 2 }, { "SVC", 2 }, { "SYP", 2 },
	{ "SZL", 2 }, { "THB", 2 }, { "TJS", 2 }, { "TMT", 2 },
	{ "TND", 3 }, { "TOP", 2 }, { "TRY", 2 }, { "TTD", 2 },
	{ "TWD", 2 }, { "TZS", 2 }, { "UAH", 2 }, { "UGX", 0 },
	{ "USD", 2 }, { "USN", 2 }, { "UYI", 0 }, { "UYU", 2 },
	{ "UYW", 4 }, { "UZS", 2 }, { "VED", 2 }, { "VES", 2 },
	{ "VND", 0 }, { "VUV", 0 }, { "WST", 2 }, { "XAF", 0 },
	{ "XCD", 2 }, { "XCG", 2 }, { "XOF", 0 }, { "XPF", 0 },
	{ "YER", 2 }, { "ZAR", 2 }, { "ZMW", 2 }, { "ZWG", 2 },
	{ "ZWL", 2 },
};

static int
currency_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct currency *)elem)->code);
}

int
uoms_currency_digits(const char *code)
{
	const struct currency *c;

	if (code == NULL || strlen(code) != 3 ||
	    strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		return -1;
	/* The table is sorted (t/unit/currency.c checks it). */
	c = bsearch(code, currencies, sizeof currencies /
	    sizeof currencies[0], sizeof currencies[0], currency_cmp);
	return c != NULL ? c->digits : -1;
}

int
uoms_currency_amount(const char *s, const char *code, long long *out,
    char *why, size_t whylen)
{
	const char *p = s;
	long long v = 0;
	int digits = uoms_currency_digits(code), neg = 0, frac = -1;

	if (digits < 0) {
		snprintf(why, whylen, "currency '%.16s' is not an ISO 4217 "
		    "code", code != NULL ? code : "");
		return -1;
	}
	if (s == NULL) {
		snprintf(why, whylen, "no amount");
		return -1;
	}
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (frac >= 0 || !isdigit((unsigned char)p[1]))
				goto bad;
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			goto bad;
		if (frac >= digits) {
			/* Below the minor unit: only zeros say nothing. */
			if (*p != '0') {
				snprintf(why, whylen, "amount '%.40s' has more "
				    "than %d decimals for %s", s, digits, code);
				return -1;
			}
			continue;
		}
		/* Checked as it grows: v stays within 10^16, no overflow. */
		v = v * 10 + (*p - '0');
		if (frac >= 0)
			frac++;
		if (v > UOMS_MONEY_MAX)
			goto range;
	}
	for (int have = frac < 0 ? 0 : frac; have < digits; have++)
		if ((v *= 10) > UOMS_MONEY_MAX)
			goto range;
	*out = neg ? -v : v;
	return 0;
bad:
	snprintf(why, whylen, "'%.40s' is not a decimal amount", s);
	return -1;
range:
	snprintf(why, whylen, "amount '%.40s' %s is beyond 10^15 minor units",
	    s, code);
	return -1;
}

int
uoms_currency_amount_json(json_t *v, const char *code, long long *out,
    char *why, size_t whylen)
{
	char text[32];

	if (json_is_string(v))
		return uoms_currency_amount(json_string_value(v), code, out,
		    why, whylen);
	if (json_is_integer(v)) {
		snprintf(text, sizeof text, "%lld",
		    (long long)json_integer_value(v));
		return uoms_currency_amount(text, code, out, why, whylen);
	}
	snprintf(why, whylen, "%s is not a decimal string", json_is_real(v) ?
	    "a JSON fraction" : v == NULL || json_is_null(v) ? "no amount" :
	    "the amount");
	return -1;
}
