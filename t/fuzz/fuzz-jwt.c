/*
 * fuzz-jwt: the access token check (jwt.h) over any bytes a client may
 * send as a bearer token. Checked: nothing is accepted without the key
 * (the fuzzer can't sign), a refusal says why; base64url decodes only
 * its one spelling (what decodes encodes back the same); and a token
 * signed over the input as its subject verifies with that subject.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jwt.h"

static const unsigned char key[] = "fuzz-key-0123456789abcdef0123456789";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uoms_buf b = { 0 };
	unsigned char *out;
	const char *why = NULL;
	json_t *claims = NULL, *c;
	char *s;
	size_t len;

	if ((s = malloc(size + 1)) == NULL || (out = malloc(size + 1)) ==
	    NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (uoms_jwt_verify(key, sizeof key - 1, s, 1800000000, &claims,
	    &why) == 0)
		fuzz_fail("a token no one signed was taken");
	if (why == NULL || claims != NULL)
		fuzz_fail("refused without a why, or with claims");
	if (uoms_b64url_decode(s, size, out, &len) == 0) {
		if (uoms_b64url_encode(out, len, &b) < 0 || b.n != size ||
		    memcmp(b.p ? b.p : "", s, size) != 0)
			fuzz_fail("base64url: decoded, encoded back another "
			    "spelling");
		uoms_buf_clear(&b);
	}
	/* A name is a C string: no NUL inside (jansson would refuse it
	 * back without JSON_ALLOW_NUL); invalid UTF-8 packs to NULL. */
	c = memchr(s, '\0', size) != NULL ? NULL : json_pack("{s:s%,s:I}",
	    "sub", s, size, "exp", (json_int_t)1800000060);
	if (c != NULL) {
		if (uoms_jwt_sign(key, sizeof key - 1, c, &b) < 0)
			fuzz_fail("can't sign");
		if (uoms_jwt_verify(key, sizeof key - 1, b.p, 1800000000,
		    &claims, &why) < 0)
			fuzz_fail("its own token refused: %s", why);
		else if (json_string_length(json_object_get(claims, "sub")) !=
		    size || memcmp(json_string_value(json_object_get(claims,
		    "sub")), s, size) != 0)
			fuzz_fail("the subject came back another");
		json_decref(claims);
		json_decref(c);
	}
	uoms_buf_free(&b);
	free(out);
	free(s);
	return 0;
}
