/*
 * currency: ISO 4217 codes and their minor units, and decimal amounts
 * turned into integer minor units exactly (SPEC 3.1 money), so every
 * kind converts a channel's "12.50" the same way and none assumes a
 * currency it was not told: a code not in the table is refused.
 */
#ifndef UOMS_CURRENCY_H
#define UOMS_CURRENCY_H

#include <jansson.h>
#include <stddef.h>

/*
 * The minor unit digits of an active ISO 4217 code (KRW, JPY 0; USD, EUR
 * 2; BHD, KWD 3; CLF 4), or -1 when code is NULL, not upper case, or not
 * a currency in the table (the precious metals, XDR, XTS and XXX have no
 * minor unit and are refused too).
 */
int uoms_currency_digits(const char *code);

/*
 * The decimal amount s ("12.50", "12000.00", "-3", "0.5") in minor units
 * of code into *out, exactly (no floating point): more decimals than the
 * currency has are taken only when they are zeros ("12000.00" KRW is
 * 12000; "12.345" USD is refused). No exponent, no '+', no spaces, no
 * thousands separators; at most UOMS_MONEY_MAX (10^15) either side of 0.
 * Returns 0, or -1 with why filled (*out untouched).
 */
int uoms_currency_amount(const char *s, const char *code, long long *out,
    char *why, size_t whylen);

/*
 * The same for a JSON value: a decimal string, or a whole number taken
 * as major units (12 USD is 1200). A JSON real is refused: its decimal
 * text is gone. v is borrowed.
 */
int uoms_currency_amount_json(json_t *v, const char *code, long long *out,
    char *why, size_t whylen);

#endif
