/*
 * guard: secrets masked wherever they appear in a message (as they are,
 * percent-encoded, a header's parts, a form body's credentials), memory
 * moved by the wiping realloc intact, and the set of requests seen: a
 * request made twice found, with the page that made it first, across
 * growth. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"

#include "tap.h"

static void
masked(struct uoms_mask *m, const char *in, const char *want,
    const char *what)
{
	char out[512];

	uoms_mask_apply(m, in, out, sizeof out);
	is(out, want, what);
}

static void
test_mask(void)
{
	static const char form[] = "client_id=app1&timestamp=1700000000&"
	    "client_secret_sign=JDJhJDA0JGFiY2Rl&grant_type=client_credentials";
	struct uoms_mask m = { 0 };
	char out[8];

	masked(&m, "nothing to hide", "nothing to hide", "an empty mask "
	    "changes nothing");
	uoms_mask_add_secret(&m, "tok/Secret+1");
	masked(&m, "HTTP 400: bad token tok/Secret+1.", "HTTP 400: bad token "
	    "****.", "a secret as it is");
	masked(&m, "?t=tok%2FSecret%2B1&x", "?t=****&x", "a secret "
	    "percent-encoded");
	masked(&m, "tok/Secret+1tok/Secret+1", "********", "each time it "
	    "appears");
	uoms_mask_free(&m);

	uoms_mask_add_header(&m, "Authorization: Bearer abc.DEF.ghi");
	masked(&m, "invalid credentials: Bearer abc.DEF.ghi", "invalid "
	    "credentials: ****", "a header's whole value");
	masked(&m, "token abc.DEF.ghi expired", "token **** expired",
	    "the credentials after the scheme alone");
	uoms_mask_free(&m);

	uoms_mask_add_header(&m, "Authorization: CEA algorithm=HmacSHA256, "
	    "access-key=AK-0123456789, signed-date=261121T000000Z, "
	    "signature=5f3c0a9e77d1b2c4");
	masked(&m, "bad signature 5f3c0a9e77d1b2c4 for AK-0123456789",
	    "bad signature **** for ****", "each parameter of a signed "
	    "header");
	uoms_mask_free(&m);

	uoms_mask_add_form(&m, form, strlen(form));
	masked(&m, "sign JDJhJDA0JGFiY2Rl is wrong; client app1", "sign **** "
	    "is wrong; client app1", "a form body's signature, not its "
	    "client id");
	uoms_mask_free(&m);

	uoms_mask_add_secret(&m, "ab");
	uoms_mask_add_secret(&m, "abcdef");
	masked(&m, "xabcdefx", "x****x", "the longest secret that matches");
	uoms_mask_free(&m);
	uoms_mask_add_secret(&m, "tok-Hostile-5b1e0d77");
	masked(&m, "body: 'Bearer tok-Hostile-5b1'", "body: 'Bearer ****'",
	    "a secret cut short after 8 bytes or more");
	masked(&m, "tok-Hos", "tok-Hos", "but not fewer");
	uoms_mask_apply(&m, "0123456789abcdef", out, sizeof out);
	is(out, "0123456", "cut to the room there is");
	uoms_mask_free(&m);
}

static void
test_wipe(void)
{
	char *p = malloc(16), *q;

	memcpy(p, "0123456789abcde", 16);
	q = uoms_wipe_realloc(p, 4096);
	ok(q != NULL && strcmp(q, "0123456789abcde") == 0, "realloc keeps "
	    "what the block held");
	q = uoms_wipe_realloc(q, 8);
	ok(q != NULL && memcmp(q, "01234567", 8) == 0, "shrinking too");
	ok(uoms_wipe_realloc(q, 0) == NULL, "realloc to 0 frees");
	q = uoms_wipe_strdup("abc");
	is(q, "abc", "strdup");
	uoms_wipe_free(q);
	uoms_wipe_free(NULL);
	ok(1, "free(NULL) is nothing");
}

static void
test_seen(void)
{
	struct uoms_seen sn = { 0 };
	char url[64];
	long first = 0, again = 0;

	ok(uoms_seen_add(&sn, "GET", "http://a/c1", NULL, 0, 1) == 0,
	    "a new request");
	ok(uoms_seen_add(&sn, "GET", "http://a/c2", NULL, 0, 2) == 0,
	    "another");
	ok(uoms_seen_add(&sn, "GET", "http://a/c1", NULL, 0, 3) == 1,
	    "the first again: page 1 asked it");
	ok(uoms_seen_add(&sn, "POST", "http://a/c1", NULL, 0, 4) == 0,
	    "another method is another request");
	ok(uoms_seen_add(&sn, "POST", "http://a/c1", "x=1", 3, 5) == 0,
	    "another body too");
	ok(uoms_seen_add(&sn, "POST", "http://a/c1", "x=1", 3, 6) == 5,
	    "the same body again");
	for (long i = 10; i < 20010; i++) {
		snprintf(url, sizeof url, "http://a/?page=%ld", i);
		first += uoms_seen_add(&sn, "GET", url, NULL, 0, i) != 0;
	}
	ok(first == 0, "20000 pages, all new");
	for (long i = 10; i < 20010; i++) {
		snprintf(url, sizeof url, "http://a/?page=%ld", i);
		again += uoms_seen_add(&sn, "GET", url, NULL, 0, 30000) == i;
	}
	ok(again == 20000, "each found again after the table grew, with "
	    "its page");
	uoms_seen_free(&sn);
	ok(sn.n == 0 && sn.h == NULL, "freed");
}

int
main(void)
{
	test_mask();
	test_wipe();
	test_seen();
	printf("1..%d\n", tests);
	return failed != 0;
}
