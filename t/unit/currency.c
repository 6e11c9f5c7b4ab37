/*
 * currency: uoms_currency_digits over the whole ISO 4217 table, and
 * uoms_currency_amount's edge cases (exactness, decimals below the minor
 * unit, the 10^15 range, what is not a decimal). Prints TAP.
 */
#include <stdio.h>
#include <string.h>

#include "currency.h"

#include "tap.h"

/* Every code of the table by its digits (ISO 4217 List One). */
static const struct {
	int digits;
	const char *codes;
} table[] = {
	{ 0,
	    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF "
	    "XOF XPF" },
	{ 2,
	    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD "
	    "BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY "
	    "COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD "
	    "FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR "
	    "IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL "
	    "MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN "
	    "NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR "
	    "SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
	    "THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES "
	    "WST XCD XCG YER ZAR ZMW ZWG ZWL" },
	{ 3,
	    "BHD IQD JOD KWD LYD OMR TND" },
	{ 4,
	    "CLF UYW" },
};

/* s, currency, ok, want */
static const struct {
	const char *s, *code;
	int ok;
	long long want;
} cases[] = {
	{ "12.50", "USD", 1, 1250 }, { "12.5", "USD", 1, 1250 },
	{ "12", "USD", 1, 1200 }, { "0.01", "USD", 1, 1 },
	{ "12000.00", "KRW", 1, 12000 }, { "12000", "KRW", 1, 12000 },
	{ "12000.000000", "KRW", 1, 12000 }, { "12000.5", "KRW", 0, 0 },
	{ "12000.01", "KRW", 0, 0 }, { "100", "JPY", 1, 100 },
	{ "1.234", "KWD", 1, 1234 }, { "1.2", "BHD", 1, 1200 },
	{ "1.2345", "BHD", 0, 0 }, { "1.2345", "CLF", 1, 12345 },
	{ "-3", "USD", 1, -300 }, { "-3.10", "USD", 1, -310 },
	{ "-0.00", "USD", 1, 0 }, { "0", "KRW", 1, 0 },
	{ "007.50", "EUR", 1, 750 }, { "12.340", "USD", 1, 1234 },
	{ "12.345", "USD", 0, 0 }, { "12.3450", "USD", 0, 0 },
	/* the range: 10^15 minor units either side of zero */
	{ "1000000000000000", "KRW", 1, 1000000000000000LL },
	{ "-1000000000000000", "KRW", 1, -1000000000000000LL },
	{ "1000000000000001", "KRW", 0, 0 },
	{ "10000000000000.00", "USD", 1, 1000000000000000LL },
	{ "10000000000000.01", "USD", 0, 0 },
	{ "10000000000000", "USD", 1, 1000000000000000LL },
	{ "10000000000001", "USD", 0, 0 },
	{ "99999999999999999999999999", "KRW", 0, 0 },
	{ "92233720368547758.07", "USD", 0, 0 },
	/* not decimals */
	{ "1e3", "USD", 0, 0 }, { "1E3", "KRW", 0, 0 }, { "", "USD", 0, 0 },
	{ ".5", "USD", 0, 0 }, { "12.", "USD", 0, 0 }, { "1.2.3", "USD", 0, 0 },
	{ " 12", "USD", 0, 0 }, { "12 ", "USD", 0, 0 }, { "+12", "USD", 0, 0 },
	{ "-", "USD", 0, 0 }, { "--1", "USD", 0, 0 }, { "12,34", "USD", 0, 0 },
	{ "1,000", "KRW", 0, 0 }, { "0x10", "USD", 0, 0 },
	{ "NaN", "USD", 0, 0 }, { "inf", "USD", 0, 0 },
	{ "\xef\xbc\x91", "KRW", 0, 0 },	/* a full-width 1 */
	/* currencies: unknown, not upper case, no minor unit */
	{ "12", "XYZ", 0, 0 }, { "12", "usd", 0, 0 }, { "12", "US", 0, 0 },
	{ "12", "USDX", 0, 0 }, { "12", "", 0, 0 }, { "12", NULL, 0, 0 },
	{ "12", "XAU", 0, 0 }, { "12", "XXX", 0, 0 }, { "12", "XTS", 0, 0 },
	{ "12", "HRK", 0, 0 },
};

int
main(void)
{
	char why[200], code[4];
	long long v;
	size_t n = 0;

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const char *p = table[i].codes;
		int bad = 0;

		for (; *p != '\0'; p += p[3] == ' ' ? 4 : 3, n++) {
			snprintf(code, sizeof code, "%.3s", p);
			if (uoms_currency_digits(code) != table[i].digits) {
				printf("# %s: %d, not %d\n", code,
				    uoms_currency_digits(code),
				    table[i].digits);
				bad++;
			}
		}
		ok(bad == 0, "every code of %d digits is found with them",
		    table[i].digits);
	}
	ok(n == 169, "the table has 169 codes (got %zu)", n);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;

		v = -42;
		why[0] = '\0';
		rc = uoms_currency_amount(cases[i].s, cases[i].code, &v, why,
		    sizeof why);
		if (cases[i].ok)
			ok(rc == 0 && v == cases[i].want, "'%s' %s = %lld "
			    "(got %lld%s%s)", cases[i].s, cases[i].code,
			    cases[i].want, v, rc < 0 ? ": " : "", why);
		else
			ok(rc < 0 && v == -42 && why[0] != '\0', "'%s' %s "
			    "refused: %s", cases[i].s, cases[i].code ?
			    cases[i].code : "(null)", why);
	}

	json_t *j = json_integer(12);
	ok(uoms_currency_amount_json(j, "USD", &v, why, sizeof why) == 0 &&
	    v == 1200, "JSON 12 USD is 1200");
	json_decref(j);
	j = json_string("12000.00");
	ok(uoms_currency_amount_json(j, "KRW", &v, why, sizeof why) == 0 &&
	    v == 12000, "JSON \"12000.00\" KRW is 12000");
	json_decref(j);
	j = json_real(12.5);
	ok(uoms_currency_amount_json(j, "USD", &v, why, sizeof why) < 0,
	    "a JSON fraction is refused: %s", why);
	json_decref(j);
	ok(uoms_currency_amount_json(NULL, "USD", &v, why, sizeof why) < 0,
	    "no value is refused: %s", why);
	j = json_integer(10000000000001LL);
	ok(uoms_currency_amount_json(j, "USD", &v, why, sizeof why) < 0,
	    "JSON 10^13+1 USD is beyond the range: %s", why);
	json_decref(j);

	printf("1..%d\n", tests);
	return failed != 0;
}
