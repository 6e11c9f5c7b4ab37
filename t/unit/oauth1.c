/*
 * oauth1: RFC 5849's examples (percent-encoding, the signature base
 * string of section 3.4.1.1, the HMAC-SHA1 signature of OAuth Core 1.0
 * appendix A.5) and a WooCommerce request signed both ways, its
 * signatures checked against Python's hmac. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth1.h"

#include "tap.h"

static void
test_encode(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		/* Section 3.6: unreserved kept, all else %XX upper case. */
		{ "abcABC123", "abcABC123" },
		{ "-._~", "-._~" },
		{ "%", "%25" },
		{ "+", "%2B" },
		{ "&=*", "%26%3D%2A" },
		{ " ", "%20" },
		{ "\n", "%0A" },
		{ "\x7f", "%7F" },
		{ "\xe2\x82\xac", "%E2%82%AC" },	/* U+20AC */
		{ "2026-11-21T09:12:00", "2026-11-21T09%3A12%3A00" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct uoms_buf b = { 0 };
		char what[80];

		uoms_oauth1_encode(&b, cases[i].in, strlen(cases[i].in));
		snprintf(what, sizeof what, "encode: case %zu is '%s'", i,
		    cases[i].want);
		is(b.p, cases[i].want, what);
		uoms_buf_free(&b);
	}
}

/* RFC 5849 section 3.4.1.1: the query, the form body and the
 * Authorization header's parameters (realm left out), one base string. */
static void
test_rfc_base(void)
{
	static const struct uoms_oauth1_param p[] = {
		{ "oauth_consumer_key", "9djdj82h48djs9d2" },
		{ "oauth_token", "kkk9d7dh3k39sjv7" },
		{ "oauth_signature_method", "HMAC-SHA1" },
		{ "oauth_timestamp", "137131201" },
		{ "oauth_nonce", "7d8f3e4a" },
		{ "c2", "" },		/* the body: c2&a3=2+q */
		{ "a3", "2 q" },
	};
	struct uoms_buf b = { 0 };
	char why[128] = "";

	ok(uoms_oauth1_base("POST", "http://EXAMPLE.com:80/request?"
	    "b5=%3D%253D&a3=a&c%40=&a2=r%20b", p, sizeof p / sizeof p[0], &b,
	    why, sizeof why) == 0, "rfc 5849 3.4.1.1: a base string (%s)",
	    why);
	is(b.p, "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D"
	    "2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26"
	    "oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
	    "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201"
	    "%26oauth_token%3Dkkk9d7dh3k39sjv7", "rfc 5849 3.4.1.1: the "
	    "example's base string (host lower-cased, port 80 left out, "
	    "'+' a space, duplicate names sorted by value)");

	ok(uoms_oauth1_base("get", "HTTPS://www.Example.net:8080/?q=1", NULL,
	    0, &b, why, sizeof why) == 0 && strcmp(b.p, "GET&https%3A%2F%2F"
	    "www.example.net%3A8080%2F&q%3D1") == 0, "rfc 5849 3.4.1.2: a "
	    "port that is not the default is kept, the method upper case "
	    "(%s)", b.p);
	ok(uoms_oauth1_base("GET", "https://www.example.net:443/a%20b", NULL,
	    0, &b, why, sizeof why) == 0 && strcmp(b.p, "GET&https%3A%2F%2F"
	    "www.example.net%2Fa%2520b&") == 0, "rfc 5849 3.4.1.2: 443 left "
	    "out for https, no parameters: an empty third part (%s)", b.p);
	ok(uoms_oauth1_base("GET", "not a url", NULL, 0, &b, why, sizeof why)
	    < 0 && strstr(why, "can't be signed") != NULL, "a URL that is "
	    "not one is refused (%s)", why);
	uoms_buf_free(&b);
}

/* OAuth Core 1.0 appendix A.5 (RFC 5849 1.2's request, with a token). */
static void
test_rfc_signature(void)
{
	static const struct uoms_oauth1_param p[] = {
		{ "oauth_consumer_key", "dpf43f3p2l4k3l03" },
		{ "oauth_token", "nnch734d00sl2jdk" },
		{ "oauth_signature_method", "HMAC-SHA1" },
		{ "oauth_timestamp", "1191242096" },
		{ "oauth_nonce", "kllo9940pd9333jh" },
		{ "oauth_version", "1.0" },
	};
	struct uoms_buf b = { 0 };
	char why[128] = "", sig[64] = "";

	uoms_oauth1_base("GET", "http://photos.example.net/photos?file="
	    "vacation.jpg&size=original", p, sizeof p / sizeof p[0], &b, why,
	    sizeof why);
	is(b.p, "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3D"
	    "vacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26"
	    "oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3D"
	    "HMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3D"
	    "nnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
	    "appendix A.5.1: the base string");
	ok(uoms_oauth1_signature(UOMS_OAUTH1_HMAC_SHA1, "kd94hf93k423kf44",
	    "pfkkdhi9sl3r4s00", b.p, sig, sizeof sig) == 0, "a signature");
	is(sig, "tR3+Ty81lMeYAr/Fid0kMTYa/WM=", "appendix A.5.2: HMAC-SHA1 "
	    "with consumer and token secret");
	ok(uoms_oauth1_signature(UOMS_OAUTH1_HMAC_SHA1, "kd94hf93k423kf44",
	    "pfkkdhi9sl3r4s00", b.p, sig, 28) < 0, "a signature that does "
	    "not fit is refused");
	uoms_buf_free(&b);
}

/* A WooCommerce page, signed as the kind signs it; the signatures are
 * Python's hmac over the same base string. */
static void
test_woocommerce(void)
{
	static const char url[] = "http://shop.example:8080/wp-json/wc/v3/"
	    "orders?modified_after=2026-11-21T09%3A12%3A00&dates_are_gmt=true"
	    "&per_page=4&page=1";
	static const char nonce[] = "0123456789abcdef0123456789abcdef";
	struct uoms_buf u = { 0 };
	char why[128] = "";

	uoms_buf_str(&u, url);
	ok(uoms_oauth1_sign_url(&u, "GET", "ck_test_key", "cs_test_secret",
	    UOMS_OAUTH1_HMAC_SHA256, 1795000000, nonce, why, sizeof why) == 0,
	    "woocommerce: signed (%s)", why);
	is(u.p, "http://shop.example:8080/wp-json/wc/v3/orders?"
	    "modified_after=2026-11-21T09%3A12%3A00&dates_are_gmt=true"
	    "&per_page=4&page=1&oauth_consumer_key=ck_test_key&oauth_nonce="
	    "0123456789abcdef0123456789abcdef&oauth_signature_method="
	    "HMAC-SHA256&oauth_timestamp=1795000000&oauth_signature="
	    "sNBk9ZL8SS7nbSao8dqQarWD%2BysSfpKANTS%2FYLlDO%2FM%3D",
	    "woocommerce: HMAC-SHA256 in the query string, the signature "
	    "last and encoded");
	uoms_buf_clear(&u);
	uoms_buf_str(&u, url);
	uoms_oauth1_sign_url(&u, "GET", "ck_test_key", "cs_test_secret",
	    UOMS_OAUTH1_HMAC_SHA1, 1795000000, nonce, why, sizeof why);
	ok(strstr(u.p, "&oauth_signature_method=HMAC-SHA1&") != NULL &&
	    strstr(u.p, "&oauth_signature=8aqNoclo7Yip6vhNUgz2mJH0gmQ%3D") !=
	    NULL, "woocommerce: HMAC-SHA1 (%s)", u.p);
	uoms_buf_clear(&u);
	uoms_buf_str(&u, "http://shop.example/wp-json/wc/v3/settings/general");
	uoms_oauth1_sign_url(&u, "GET", "ck", "cs", UOMS_OAUTH1_HMAC_SHA256,
	    1, "n", why, sizeof why);
	ok(strstr(u.p, "http://shop.example/wp-json/wc/v3/settings/general"
	    "?oauth_consumer_key=ck&oauth_nonce=n&") == u.p, "no query: "
	    "the parameters after '?' (%s)", u.p);
	ok(strstr(u.p, "=cs") == NULL, "the secret is not in the URL");
	uoms_buf_free(&u);

	ok(uoms_oauth1_method_find("HMAC-SHA256") == UOMS_OAUTH1_HMAC_SHA256 &&
	    uoms_oauth1_method_find("HMAC-SHA1") == UOMS_OAUTH1_HMAC_SHA1 &&
	    uoms_oauth1_method_find("PLAINTEXT") < 0 &&
	    uoms_oauth1_method_find("hmac-sha1") < 0, "methods by name: "
	    "HMAC-SHA1 and HMAC-SHA256 only, as WooCommerce");
}

static void
test_nonce(void)
{
	char a[33], b[33], small[8];

	ok(uoms_oauth1_nonce(a, sizeof a) == 0 && strlen(a) == 32 &&
	    strspn(a, "0123456789abcdef") == 32, "a nonce: 32 hex digits");
	ok(uoms_oauth1_nonce(b, sizeof b) == 0 && strcmp(a, b) != 0,
	    "two nonces differ");
	ok(uoms_oauth1_nonce(small, sizeof small) < 0, "a nonce that does "
	    "not fit is refused");
}

int
main(void)
{
	test_encode();
	test_rfc_base();
	test_rfc_signature();
	test_woocommerce();
	test_nonce();
	printf("1..%d\n", tests);
	return failed != 0;
}
