/*
 * jwt: HS256 tokens sign and verify, and every other shape is refused:
 * alg none, RS256, a missing alg, a forged signature, bad base64, bad
 * JSON, the wrong number of segments, and the times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

#include "jwt.h"
#include "tap.h"

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN (sizeof key - 1)
#define NOW 1800000000LL

/* header.payload (both given as JSON text) signed with k. */
static char *
craft(const char *header, const char *payload, const unsigned char *k,
    size_t klen)
{
	struct uoms_buf b = { 0 };
	unsigned char mac[32];
	unsigned int maclen;

	uoms_b64url_encode(header, strlen(header), &b);
	uoms_buf_add(&b, ".", 1);
	uoms_b64url_encode(payload, strlen(payload), &b);
	HMAC(EVP_sha256(), k, (int)klen, (unsigned char *)b.p, b.n, mac,
	    &maclen);
	uoms_buf_add(&b, ".", 1);
	uoms_b64url_encode(mac, maclen, &b);
	return b.p;
}

static int
verifies(const char *token, const char **why)
{
	json_t *c = NULL;
	int rc;

	*why = "";
	rc = uoms_jwt_verify(key, KEYLEN, token, NOW, &c, why);
	json_decref(c);
	return rc == 0;
}

static void
refused(const char *header, const char *payload, const char *what)
{
	char *t = craft(header, payload, key, KEYLEN);
	const char *why;
	/* Before ok(): its arguments are evaluated in no set order. */
	int v = verifies(t, &why);

	ok(!v, "refused: %s (%s)", what, why);
	free(t);
}

static void
base64url(void)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar", "\xff\xfe\xfd" };
	static const char *const want[] = { "", "Zg", "Zm8", "Zm9v",
	    "Zm9vYg", "Zm9vYmE", "Zm9vYmFy", "__79" };
	unsigned char out[16];
	size_t len;

	for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
		struct uoms_buf b = { 0 };

		uoms_b64url_encode(in[i], strlen(in[i]), &b);
		is(b.p ? b.p : "", want[i], "base64url encodes");
		ok(uoms_b64url_decode(want[i], strlen(want[i]), out, &len) ==
		    0 && len == strlen(in[i]) && memcmp(out, in[i], len) == 0,
		    "base64url decodes '%s'", want[i]);
		uoms_buf_free(&b);
	}
	ok(uoms_b64url_decode("Zg==", 4, out, &len) < 0, "padding refused");
	ok(uoms_b64url_decode("Zm9v+g", 6, out, &len) < 0, "+ refused");
	ok(uoms_b64url_decode("Zh", 2, out, &len) < 0,
	    "non-zero leftover bits refused");
	ok(uoms_b64url_decode("Zm9vY", 5, out, &len) < 0,
	    "a length no encoding has refused");
}

int
main(void)
{
	const char *hs = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const char *good = "{\"sub\":\"ann\",\"role\":\"user\",\"iat\":"
	    "1799999990,\"nbf\":1799999990,\"exp\":1800000100}";
	struct uoms_buf b = { 0 };
	json_t *claims, *c = NULL;
	const char *why = "";
	char *t;
	int v;

	base64url();

	claims = json_pack("{s:s,s:s,s:I,s:I,s:I}", "sub", "ann", "role",
	    "admin", "iat", NOW, "nbf", NOW, "exp", NOW + 60);
	ok(uoms_jwt_sign(key, KEYLEN, claims, &b) == 0, "signs");
	ok(uoms_jwt_verify(key, KEYLEN, b.p, NOW, &c, &why) == 0,
	    "its own token verifies");
	is(json_string_value(json_object_get(c, "sub")), "ann",
	    "the claims come back");
	json_decref(c);
	ok(uoms_jwt_verify((const unsigned char *)"another key", 11, b.p,
	    NOW, &c, &why) < 0 && c == NULL, "another key's token refused");
	v = uoms_jwt_verify(key, KEYLEN, b.p, NOW + 60, &c, &why);
	ok(v < 0, "refused at exp (%s)", why);
	v = uoms_jwt_verify(key, KEYLEN, b.p, NOW - 1, &c, &why);
	ok(v < 0, "refused before nbf (%s)", why);
	/* Checked again from the thread's cache of tokens: the same
	 * claims, the times still checked, another key's still refused. */
	ok(uoms_jwt_verify(key, KEYLEN, b.p, NOW + 1, &c, &why) == 0 &&
	    json_integer_value(json_object_get(c, "exp")) == NOW + 60,
	    "verifies again, from the cache");
	json_decref(c);
	ok(uoms_jwt_verify((const unsigned char *)"0123456789abcdef0123456789"
	    "abcdeF", KEYLEN, b.p, NOW, &c, &why) < 0 && c == NULL,
	    "a key one byte off refused after the cache took the token");
	v = uoms_jwt_verify(key, KEYLEN, b.p, NOW + 61, &c, &why);
	ok(v < 0 && strcmp(why, "expired") == 0, "refused after exp from "
	    "the cache (%s)", why);
	{
		/* More tokens than the cache holds, then the first again. */
		int all = 1;

		for (int i = 0; i < 9; i++) {
			struct uoms_buf o = { 0 };
			json_t *cl = json_pack("{s:s,s:I}", "sub", "ann",
			    "exp", NOW + 100 + i);

			uoms_jwt_sign(key, KEYLEN, cl, &o);
			if (uoms_jwt_verify(key, KEYLEN, o.p, NOW, &c,
			    &why) < 0)
				all = 0;
			json_decref(c);
			if (uoms_jwt_verify(key, KEYLEN, b.p, NOW, &c,
			    &why) < 0)
				all = 0;
			json_decref(c);
			json_decref(cl);
			uoms_buf_free(&o);
		}
		ok(all, "tokens pushed out of the cache verify again");
	}
	/* Every single flipped character of the token is refused. */
	{
		int all = 1;

		for (size_t i = 0; i < b.n; i++) {
			char *m = strdup(b.p);

			m[i] = m[i] == 'A' ? 'B' : 'A';
			if (m[i] != b.p[i] && verifies(m, &why))
				all = 0;
			free(m);
		}
		ok(all, "each of %zu one-character changes refused", b.n);
	}
	uoms_buf_free(&b);
	json_decref(claims);

	t = craft(hs, good, key, KEYLEN);
	v = verifies(t, &why);
	ok(v, "a crafted HS256 token verifies (%s)", why);
	free(t);
	t = craft("{\"alg\":\"HS256\"}", good, key, KEYLEN);
	v = verifies(t, &why);
	ok(v, "typ is optional (%s)", why);
	free(t);

	refused("{\"alg\":\"none\",\"typ\":\"JWT\"}", good, "alg none");
	refused("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", good, "alg RS256");
	refused("{\"alg\":\"hs256\"}", good, "alg hs256");
	refused("{\"typ\":\"JWT\"}", good, "no alg");
	refused("{\"alg\":\"HS256\",\"kid\":\"x\"}", good, "a key id");
	refused("{\"alg\":\"HS256\",\"alg\":\"none\"}", good, "alg twice");
	refused("[\"HS256\"]", good, "header not an object");
	refused("{\"alg\":\"HS256\"", good, "header not JSON");
	refused(hs, "{\"sub\":\"ann\"", "payload not JSON");
	refused(hs, "[1]", "payload not an object");
	refused(hs, "{\"sub\":\"ann\"}", "no exp");
	refused(hs, "{\"sub\":\"ann\",\"exp\":\"1800000100\"}", "exp a string");
	refused(hs, "{\"sub\":\"ann\",\"exp\":1799999999}", "expired");
	refused(hs, "{\"sub\":\"ann\",\"exp\":1800000000}", "exp now");
	refused(hs, "{\"sub\":\"ann\",\"exp\":1800000100,\"nbf\":1800000001}",
	    "nbf in the future");
	refused(hs, "{\"sub\":\"ann\",\"exp\":1800000100,\"iat\":1800000001}",
	    "iat in the future");
	refused(hs, "{\"sub\":\"ann\",\"exp\":1800000100,\"nbf\":null}",
	    "nbf null");

	/* alg none with an empty signature, the classic forgery. */
	{
		struct uoms_buf n = { 0 };
		const char *h = "{\"alg\":\"none\"}";

		uoms_b64url_encode(h, strlen(h), &n);
		uoms_buf_add(&n, ".", 1);
		uoms_b64url_encode(good, strlen(good), &n);
		uoms_buf_add(&n, ".", 1);
		v = verifies(n.p, &why);
		ok(!v, "alg none, empty signature (%s)",
		    why);
		uoms_buf_free(&n);
	}
	t = craft(hs, good, key, KEYLEN);
	{
		char *two = strdup(t), *four = malloc(strlen(t) + 3);

		*strrchr(two, '.') = '\0';
		v = verifies(two, &why);
		ok(!v, "two segments (%s)", why);
		sprintf(four, "%s.x", t);
		v = verifies(four, &why);
		ok(!v, "four segments (%s)", why);
		sprintf(four, "%s==", t);
		v = verifies(four, &why);
		ok(!v, "padded signature (%s)", why);
		strcpy(four, t);
		four[1] = '*';
		v = verifies(four, &why);
		ok(!v, "bad base64 (%s)", why);
		free(two);
		free(four);
	}
	ok(!verifies("", &why), "empty");
	ok(!verifies("..", &why), "two dots");
	{
		char *big = malloc(20000);

		memset(big, 'A', 19999);
		big[19999] = '\0';
		big[5] = big[10] = '.';
		v = verifies(big, &why);
		ok(!v, "too long (%s)", why);
		free(big);
	}
	free(t);
	printf("1..%d\n", tests);
	return failed != 0;
}
